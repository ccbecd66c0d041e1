"""Graders for ch2/linear_algebra.py (matmul, frobenius_norm, l1_norm, l2_norm).

Oracles: ``A @ B`` and ``torch.linalg`` computed in float64; integer-valued float32 matrices, on which every
summation order is exact, for the algebraic identities.

Tolerances. A float32 dot product of length k computed in any order has an error of at most about
k·u·Σ_k |A_ik||B_kj| ≤ k²·u·max|A|·max|B| with u = 6e-8; the graders allow 1e-6·(1 + k·max|A|·max|B|) (+1e-5
relative), which covers k ≤ 16 with room to spare (k ≤ 6 here). Norms are sums of non-negative terms, so their
rounding error is relative: n·u ≤ 2e-6 for n ≤ 30; the graders allow 1e-5 relative.
"""
import math
import re

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor, fail, show
from grader.forbid import ForbiddenCall
from tests.strategies import tensors


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def pairs(draw, dtype=torch.float32, lo=-10.0, hi=10.0, max_side=6):
    """(A (m,k), B (k,n)) with matching inner dimension."""
    m, k, n = (draw(st.integers(1, max_side), label=lbl) for lbl in "mkn")
    A = draw(tensors((m, k), dtype, lo, hi), label="A")
    B = draw(tensors((k, n), dtype, lo, hi), label="B")
    return A, B


def int_matrix(shape, lo=-6, hi=6):
    """Integer-valued float32 matrices: sums of their products are exact in any order."""
    n = shape[0] * shape[1]
    return st.lists(st.integers(lo, hi), min_size=n, max_size=n).map(
        lambda v: torch.tensor(v, dtype=torch.float32).reshape(shape))


@st.composite
def int_triples(draw, max_side=5):
    m, k, l, n = (draw(st.integers(1, max_side)) for _ in range(4))
    return draw(int_matrix((m, k)), label="A"), draw(int_matrix((k, l)), label="B"), draw(int_matrix((l, n)), label="C")


# ------------------------------------------------------------------------------------------------ hints
def pre(hints, got, want=None):
    """Evaluate the hints on the real (got, want) now. (expect_tensor hands its `when` predicates a *string*
    describing got on a shape mismatch, so shape-aware hints are decided here and passed on as plain text.)"""
    return [h.text for h in hints if h.applies(got, want)]


def _is(got, value):
    return (isinstance(got, torch.Tensor) and got.shape == value.shape
            and torch.allclose(got.double(), value.double(), atol=1e-4, rtol=1e-4))


def matmul_hints(A, B):
    return [
        Hint("your result equals A * B elementwise: the matrix product sums over k the products A[i, k]·B[k, j].",
             when=lambda got, want: A.shape == B.shape and _is(got, A * B)),
        Hint("your result equals A·Bᵀ: you paired A[i, k] with B[j, k]; the product pairs A[i, k] with B[k, j] "
             "(A[:, :, None] * B[None, :, :] has shape (m, k, n)).",
             when=lambda got, want: A.shape[1] == B.shape[1] and _is(got, A.double() @ B.double().T)),
        Hint("your result equals AᵀB or BA: check which index of A and of B the sum runs over.",
             when=lambda got, want: (A.shape[0] == B.shape[0] and _is(got, A.double().T @ B.double()))
             or (A.shape[0] == B.shape[1] and A.shape[1] == B.shape[0] and A.shape[0] != 1
                 and _is(got, B.double() @ A.double()) and not _is(got, A.double() @ B.double()))),
        Hint("sum over the shared dimension k only: C has shape (m, n).",
             when=lambda got, want: isinstance(got, torch.Tensor) and got.shape != want.shape),
    ]


def matmul_tol(A, B):
    k = A.shape[1]
    return 1e-6 * (1.0 + k * float(A.abs().max()) * float(B.abs().max()))


# ------------------------------------------------------------------------------------------------ matmul
@pytest.mark.core("matmul")
@given(AB=pairs())
@example(AB=(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[5.0, 6.0], [7.0, 8.0]])))
@example(AB=(torch.tensor([[1.0, 2.0, 3.0]]), torch.tensor([[1.0], [10.0], [100.0]])))
def test_matmul_equals_at(kata, AB):
    """matmul(A, B) equals A @ B"""
    A, B = AB
    got = kata.matmul(A.clone(), B.clone())
    want = A.double() @ B.double()
    expect_close(got, want, "matmul(A, B) equals A @ B", inputs={"A": A, "B": B}, atol=matmul_tol(A, B),
                 rtol=1e-5, hints=pre(matmul_hints(A, B), got, want))


@settings(max_examples=25)
@given(AB=pairs(torch.float64))
def test_matmul_float64(kata, AB):
    """float64 in, float64 out, accurate to float64 precision"""
    A, B = AB
    got = kata.matmul(A.clone(), B.clone())
    hints = pre(matmul_hints(A, B), got, A @ B)
    expect_tensor(got, "matmul keeps the inputs' dtype (float64 here)", inputs={"A": A, "B": B},
                  shape=(A.shape[0], B.shape[1]), dtype=torch.float64, hints=hints)
    expect_close(got, A @ B, "matmul(A, B) equals A @ B in float64", inputs={"A": A, "B": B},
                 atol=1e-14 * (1 + A.shape[1] * float(A.abs().max()) * float(B.abs().max())), rtol=1e-12,
                 hints=hints)


@given(ABC=int_triples())
@example(ABC=(torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([[3.0], [5.0]])))
def test_matmul_exact_and_associative(kata, ABC):
    """on integer matrices: exact, float32, shape (m, n), and (AB)C = A(BC)"""
    A, B, C = ABC
    inputs = {"A": A, "B": B, "C": C}
    AB = kata.matmul(A.clone(), B.clone())
    hints = pre(matmul_hints(A, B), AB, A.double() @ B.double())
    expect_tensor(AB, "matmul(A, B) is a float32 tensor of shape (m, n)", inputs={"A": A, "B": B},
                  shape=(A.shape[0], B.shape[1]), dtype=torch.float32, hints=hints)
    expect_close(AB, A.double() @ B.double(), "on integer matrices matmul(A, B) is exact", inputs={"A": A, "B": B},
                 atol=0, rtol=0, hints=hints)
    left = kata.matmul(AB, C.clone())
    right = kata.matmul(A.clone(), kata.matmul(B.clone(), C.clone()))
    expect_close(left, right, "matmul is associative: (AB)C = A(BC)", inputs=inputs, atol=0, rtol=0)


@settings(max_examples=25)
@given(AB=pairs())
def test_matmul_transpose(kata, AB):
    """(AB)ᵀ = BᵀAᵀ (also on transposed, non-contiguous inputs)"""
    A, B = AB
    left = kata.matmul(A.clone(), B.clone())
    right = kata.matmul(B.T, A.T)
    expect_tensor(right, "matmul(Bᵀ, Aᵀ) has shape (n, m)", inputs={"Bᵀ": B.T, "Aᵀ": A.T},
                  shape=(B.shape[1], A.shape[0]))
    expect_close(right, left.T, "(AB)ᵀ = BᵀAᵀ", inputs={"A": A, "B": B}, atol=2 * matmul_tol(A, B), rtol=2e-5,
                 hints=[Hint("Aᵀ and Bᵀ are views with swapped strides (not contiguous): use indexing and "
                             "broadcasting, or .reshape instead of .view.")])


def _ints(text):
    return [int(s) for s in re.findall(r"\d+", text)]


def _contains_run(seq, run):
    return any(seq[i:i + len(run)] == run for i in range(len(seq) - len(run) + 1))


SHAPE_HINT = ("check the shapes before computing: `if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]: "
              "raise ValueError(f\"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}\")`.")


def _expect_shape_error(kata, A, B, prop):
    inputs = {"A.shape": tuple(A.shape), "B.shape": tuple(B.shape)}
    try:
        out = kata.matmul(A, B)
    except ValueError as e:
        ints = _ints(str(e))
        for name, t in (("A", A), ("B", B)):
            expect(_contains_run(ints, list(t.shape)), f"{prop}: the message names the shape of {name}",
                   inputs=inputs, expected=f"a message containing {tuple(t.shape)} (any formatting)",
                   got=f"ValueError: {e}", hints=[SHAPE_HINT])
        return
    except ForbiddenCall:
        raise
    except Exception as e:  # noqa: BLE001 - the wrong exception is the learner's mistake
        fail(prop, inputs=inputs, expected="ValueError (naming both shapes)", got=f"{type(e).__name__}: {e}",
             hints=[SHAPE_HINT])
    fail(prop, inputs=inputs, expected="ValueError (naming both shapes)", got=f"no exception; returned {show(out)}",
         hints=[SHAPE_HINT])


@given(m=st.integers(1, 4), k=st.integers(1, 4), k2=st.integers(1, 4), n=st.integers(1, 4))
@example(m=2, k=3, k2=4, n=5)
def test_matmul_mismatch_raises(kata, m, k, k2, n):
    """a mismatch of the inner dimensions raises ValueError naming both shapes"""
    if k == k2:
        k2 = k + 1
    _expect_shape_error(kata, torch.ones(m, k), torch.ones(k2, n),
                        "matmul of (m, k) by (k', n) with k ≠ k' raises ValueError")


def test_matmul_not_2d_raises(kata):
    """1-D or 3-D inputs raise ValueError naming both shapes"""
    cases = [(torch.ones(3), torch.ones(3, 2)), (torch.ones(2, 3), torch.ones(3)), (torch.ones(4), torch.ones(4)),
             (torch.ones(2, 2, 3), torch.ones(3, 5)), (torch.ones(2, 3), torch.ones(2, 3, 5)),
             (torch.tensor(2.0), torch.ones(1, 1))]
    for A, B in cases:
        _expect_shape_error(kata, A, B, "matmul accepts 2-D tensors only: other shapes raise ValueError")


# ------------------------------------------------------------------------------------------------ norms
def vectors(lo=-100.0, hi=100.0, dtype=torch.float32, max_n=12):
    return tensors(st.tuples(st.integers(1, max_n)), dtype, lo, hi)


NORMS = ("l1_norm", "l2_norm", "frobenius_norm")


def norm_hints(name, x):
    x64 = x.double()
    s2 = float((x64 * x64).sum())
    return [
        Hint("that is the squared norm: take the square root of the sum of squares.",
             when=lambda got, want: name != "l1_norm" and s2 > 1.5 and _close(got, s2)),
        Hint("that is Σxᵢ without absolute values: negative entries must count positively, Σ|xᵢ|.",
             when=lambda got, want: name == "l1_norm" and _close(got, float(x64.sum())) and not _close(got, want)),
        Hint("that is max|xᵢ| (the ∞-norm); the L1 norm is the sum Σ|xᵢ|.",
             when=lambda got, want: name == "l1_norm" and _close(got, float(x64.abs().max()))),
        Hint("a norm is one number for the whole tensor: reduce over every element (.sum() without dim) and "
             "return a 0-d tensor.",
             when=lambda got, want: isinstance(got, torch.Tensor) and got.dim() > 0),
        Hint("return a 0-d tensor (e.g. torch.sqrt((x * x).sum())), not a Python number (.item() / float()).",
             when=lambda got, want: not isinstance(got, torch.Tensor)),
    ]


def _close(got, value, rtol=1e-4):
    try:
        g = float(got)
    except Exception:  # noqa: BLE001
        return False
    return abs(g - value) <= 1e-5 + rtol * abs(value)


def oracle(name, x):
    x64 = x.double()
    if name == "l1_norm":
        return float(torch.linalg.vector_norm(x64, 1))
    if name == "l2_norm":
        return float(torch.linalg.vector_norm(x64, 2))
    return float(torch.linalg.matrix_norm(x64, "fro"))


@pytest.mark.core("l1_norm", "l2_norm")
@given(x=vectors(), name=st.sampled_from(("l1_norm", "l2_norm")))
@example(x=torch.tensor([3.0, -4.0]), name="l1_norm")
@example(x=torch.tensor([3.0, -4.0]), name="l2_norm")
@example(x=torch.tensor([0.5, -0.25, 0.25]), name="l2_norm")
@example(x=torch.zeros(3), name="l2_norm")
def test_vector_norms_match_linalg(kata, x, name):
    """l1_norm and l2_norm equal torch.linalg.vector_norm, as 0-d tensors"""
    got = getattr(kata, name)(x.clone())
    want = oracle(name, x)
    hints = pre(norm_hints(name, x), got, want)
    expect_tensor(got, f"{name}(x) returns a 0-d tensor (one number, shape ())", inputs={"x": x}, shape=(),
                  hints=hints)
    expect_close(got, want, f"{name}(x) equals torch.linalg.vector_norm(x, {1 if name == 'l1_norm' else 2})",
                 inputs={"x": x}, atol=1e-6, rtol=1e-5, hints=hints)


@pytest.mark.core("frobenius_norm")
@given(A=tensors(st.tuples(st.integers(1, 5), st.integers(1, 5)), torch.float32, -100, 100))
@example(A=torch.tensor([[1.0, 2.0], [-2.0, 4.0]]))
@example(A=torch.tensor([[0.5, 0.5], [0.25, 0.5]]))
def test_frobenius_matches_linalg(kata, A):
    """frobenius_norm(A) equals torch.linalg.matrix_norm(A, 'fro') and ‖A‖_F² = trace(AᵀA)"""
    got = kata.frobenius_norm(A.clone())
    hints = pre(norm_hints("frobenius_norm", A), got, oracle("frobenius_norm", A))
    expect_tensor(got, "frobenius_norm(A) returns a 0-d tensor (one number, shape ())", inputs={"A": A}, shape=(),
                  hints=hints)
    expect_close(got, oracle("frobenius_norm", A), "frobenius_norm(A) equals torch.linalg.matrix_norm(A, 'fro')",
                 inputs={"A": A}, atol=1e-6, rtol=1e-5, hints=hints)
    trace = float(torch.trace(A.double().T @ A.double()))
    expect_close(got.double() ** 2, trace, "‖A‖_F² = trace(AᵀA)", inputs={"A": A}, atol=1e-6, rtol=3e-5,
                 hints=hints)


@given(name=st.sampled_from(NORMS), dtype=st.sampled_from((torch.float32, torch.float64)))
def test_norms_keep_dtype(kata, name, dtype):
    """each norm returns a 0-d tensor in its input's dtype"""
    x = torch.tensor([[1.0, -2.0, 2.0], [0.0, 4.0, -0.5]], dtype=dtype)
    got = getattr(kata, name)(x.clone())
    want = oracle(name, x) if name != "l1_norm" else float(x.double().abs().sum())
    hints = pre(norm_hints(name, x), got, want)
    expect_tensor(got, f"{name} of a {str(dtype).replace('torch.', '')} (2, 3) tensor is a 0-d tensor of that dtype",
                  inputs={"x": x}, shape=(), dtype=dtype, hints=hints)
    expect_close(got, want, f"{name} reduces over every element of a 2-D tensor", inputs={"x": x}, atol=1e-6,
                 rtol=1e-5, hints=hints)


@settings(max_examples=25)
@given(data=st.data(), name=st.sampled_from(NORMS))
def test_triangle_inequality(kata, data, name):
    """triangle inequality: ‖x + y‖ ≤ ‖x‖ + ‖y‖"""
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)), label="shape")
    x = data.draw(tensors(shape, torch.float32, -10, 10), label="x")
    y = data.draw(st.one_of(st.just(x.clone()), tensors(shape, torch.float32, -10, 10)), label="y")
    f = getattr(kata, name)
    lhs, nx, ny = f(x + y), f(x.clone()), f(y.clone())
    for t in (lhs, nx, ny):
        expect_tensor(t, f"{name} returns a 0-d tensor", inputs={"x": x, "y": y}, shape=(),
                      hints=pre(norm_hints(name, x), t))
    bound = float(nx) + float(ny)
    expect(float(lhs) <= bound * (1 + 1e-5) + 1e-6, f"triangle inequality for {name}: ‖x + y‖ ≤ ‖x‖ + ‖y‖",
           inputs={"x": x, "y": y}, expected=f"at most {bound:.6g}", got=float(lhs),
           hints=[Hint("the sum of squares is not a norm (it breaks the triangle inequality, e.g. for y = x): "
                       "take its square root.", when=lambda got, want: name != "l1_norm")])


@settings(max_examples=25)
@given(x=tensors(st.tuples(st.integers(1, 4), st.integers(1, 4)), torch.float32, -10, 10),
       alpha=st.one_of(st.sampled_from([-1.0, -2.0, 0.5, 3.0, 0.0]), st.floats(-10, 10, width=32)),
       name=st.sampled_from(NORMS))
@example(x=torch.tensor([[1.0, -2.0]]), alpha=-1.0, name="l1_norm")
@example(x=torch.tensor([[1.0, -2.0]]), alpha=-2.0, name="l2_norm")
def test_homogeneity(kata, x, alpha, name):
    """absolute homogeneity: ‖αx‖ = |α|·‖x‖"""
    f = getattr(kata, name)
    got = f(alpha * x)
    nx = f(x.clone())
    expect_tensor(got, f"{name} returns a 0-d tensor", inputs={"x": x}, shape=(), hints=pre(norm_hints(name, x), got))
    expect_close(got, abs(alpha) * float(nx), f"absolute homogeneity of {name}: ‖αx‖ = |α|·‖x‖",
                 inputs={"x": x, "α": alpha}, atol=1e-6 * (1 + abs(alpha)), rtol=3e-5,
                 hints=[Hint("a negative α must not make the norm negative: use |xᵢ|.",
                             when=lambda got, want: float(got) < 0),
                        Hint("the norm scaled by α² rather than |α|: take the square root of the sum of squares.",
                             when=lambda got, want: abs(alpha) not in (0.0, 1.0)
                             and _close(got, alpha * alpha * float(nx)))])


@settings(max_examples=25)
@given(x=vectors(-10, 10))
@example(x=torch.tensor([1.0, 1.0, 1.0, 1.0]))
def test_l1_l2_inequalities(kata, x):
    """‖x‖₂ ≤ ‖x‖₁ ≤ √n·‖x‖₂"""
    l1, l2 = kata.l1_norm(x.clone()), kata.l2_norm(x.clone())
    for name, t in (("l1_norm", l1), ("l2_norm", l2)):
        expect_tensor(t, f"{name} returns a 0-d tensor", inputs={"x": x}, shape=(), hints=pre(norm_hints(name, x), t))
    a, b, n = float(l1), float(l2), x.numel()
    tol = 1e-5 * (a + b) + 1e-6
    expect(b <= a + tol and a <= math.sqrt(n) * b + tol, "‖x‖₂ ≤ ‖x‖₁ ≤ √n·‖x‖₂",
           inputs={"x": x}, expected=f"‖x‖₂ ≤ ‖x‖₁ ≤ {math.sqrt(n):.4g}·‖x‖₂",
           got=f"‖x‖₁ = {a:.6g}, ‖x‖₂ = {b:.6g}",
           hints=pre(norm_hints("l1_norm", x), l1, oracle("l1_norm", x)) + pre(norm_hints("l2_norm", x), l2))
