"""Graders for ch6/conv.py (corr2d, conv_output_shape, Conv2D, learn_kernel).

Oracles. ``F.conv2d`` in float64 (PyTorch's convolutions are cross-correlations, so
``F.conv2d(X[None, None], K[None, None])[0, 0]`` is corr2d); the spatial shape ``F.conv2d`` produces (what
``nn.Conv2d(padding=p, stride=s)`` calls) for conv_output_shape; for learn_kernel's exact steps the
closed-form gradient of the summed squared error, ∂l/∂K = corr2d(X, 2(Ŷ − Y)), computed with F.conv2d in float64
from the learner's own initial kernel (``num_epochs=0``, same seed).

Tolerances. A float32 window sum of kh·kw products is off by at most about kh·kw·u·max|X|·max|K| in any summation
order (u = 6e-8); the graders allow 1e-6·(1 + max|X|)·(1 + max|K|)·kh·kw (+1e-5 relative), and 1e-12 times the
same in float64, so loops, shifted-slice sums, einsum, float64 internals and as_strided all pass. Linearity and
translation equivariance are checked on integer-valued tensors, where every summation order is exact. Gradients
are sums of at most max(kh·kw, oh·ow) products: 2e-6·(1 + max|G|)·(1 + max|X| + max|K|)·that count. learn_kernel's
three float32 steps are compared with the float64 trajectory at atol 1e-4·(1 + max|K|) and rtol 1e-4 (rounding
of three float32 steps is ~1e-6 relative; the classic mistakes move K by ≥ 1e-2), its losses at rtol 1e-4 (the
contract's). Statistics: Conv2D's U[0, 1) weight, n = 1 600 draws: mean sd √(1/12/n) = 0.0072, sample-variance sd
√((1/80 − 1/144)/n) = 0.0019, 5σ bounds. learn_kernel's convergence threshold is the contract's measured one
(‖K − [1, −1]‖∞ < 0.05 after 20 epochs at lr 0.03; worst of 200 seeds 0.0114).
"""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail, run_beside
from tests.helpers import call, expect_generator_used, gen, near, seed_global, stat_gen
from tests.shippable_ch6_conv import corr2d_on_meta, forward_with

Z = 5.0

BOOK_X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
BOOK_K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
EDGE_K = torch.tensor([[1.0, -1.0]])


def edge_image(dtype=torch.float32):
    """The book's 6×8 black-and-white image (d2l §6.2.3): ones, with columns 2–5 black (0)."""
    X = torch.ones((6, 8), dtype=dtype)
    X[:, 2:6] = 0
    return X


# ----------------------------------------------------------------------------------------------- oracles
def xcorr(X, K):
    """The oracle: float64 cross-correlation (F.conv2d does not flip the kernel)."""
    return F.conv2d(X.detach().double()[None, None], K.detach().double()[None, None])[0, 0]


def maxabs(t) -> float:
    return float(t.detach().abs().max()) if t.numel() else 0.0


def corr_tol(X, K, rel=1e-6) -> float:
    kh, kw = K.shape
    return rel * (1.0 + maxabs(X)) * (1.0 + maxabs(K)) * kh * kw


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_shape(n, k, p=0, s=1):
    """The oracle for conv_output_shape: the (h, w) that F.conv2d (nn.Conv2d's computation) outputs. On small CPU
    zeros (n ≤ 30 here: microseconds); the first convolution on meta tensors costs ~1 s of imports."""
    n2, k2, p2, s2 = (_pair(v) for v in (n, k, p, s))
    Y = F.conv2d(torch.zeros((1, 1) + n2), torch.zeros((1, 1) + k2), stride=s2, padding=p2)
    return tuple(Y.shape[2:])


# ----------------------------------------------------------------------------------------------- strategies
@st.composite
def image_and_kernel(draw, dtype=torch.float32, max_side=9, lo=-10.0, hi=10.0):
    """(X (h, w), K (kh, kw)) with h, w ∈ [1, max_side] and a kernel that fits (kh ≤ h, kw ≤ w). The shapes are
    drawn by hypothesis (and shrink); the values come from a drawn seed, uniform in [lo, hi) (drawing up to 162
    floats one by one made these tests ten times slower)."""
    h, w = draw(st.integers(1, max_side), label="h"), draw(st.integers(1, max_side), label="w")
    kh, kw = draw(st.integers(1, h), label="kh"), draw(st.integers(1, w), label="kw")
    g = gen(draw(st.integers(0, 2**31 - 1), label="seed"))
    X = lo + (hi - lo) * torch.rand((h, w), generator=g, dtype=dtype)
    K = lo + (hi - lo) * torch.rand((kh, kw), generator=g, dtype=dtype)
    return X, K


def int_tensor(shape, seed, lo=-4, hi=4):
    """Integer-valued float32 values in [lo, hi] from a seed: every sum of their products is exact."""
    return torch.randint(lo, hi + 1, tuple(shape), generator=gen(seed)).to(torch.float32)


@st.composite
def int_image_and_kernel(draw, max_side=7):
    h, w = draw(st.integers(1, max_side), label="h"), draw(st.integers(1, max_side), label="w")
    kh, kw = draw(st.integers(1, h), label="kh"), draw(st.integers(1, w), label="kw")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    return int_tensor((h, w), seed), int_tensor((kh, kw), seed + 1)


# ----------------------------------------------------------------------------------------------- corr2d hints
def _shape_of(g):
    return tuple(g.shape) if isinstance(g, torch.Tensor) else None


def _half_turn_symmetric(K) -> bool:
    return bool(torch.equal(K, K.flip(0, 1)))


def corr2d_hints(X, K):
    """Hints for a wrong corr2d(X, K), each shown only when its mistake is recognisable in the result."""
    h, w = X.shape
    kh, kw = K.shape
    oh, ow = h - kh + 1, w - kw + 1
    flipped = xcorr(X, K.flip(0, 1))
    transposed = xcorr(X, K.T) if kh == kw else None
    return [
        Hint("your result is the cross-correlation with the kernel flipped (rotated by 180°): that is the "
             "mathematician's convolution. Deep learning's convolution layers do not flip the kernel: "
             "Y[i, j] = Σ_a Σ_b X[i + a, j + b]·K[a, b] uses K[a, b] as it is, not K[kh − 1 − a, kw − 1 − b].",
             when=lambda g, w_: not _half_turn_symmetric(K) and near(g, flipped, 1e-4, rel=True)),
        Hint("your result is the cross-correlation with the kernel transposed: you paired X[i + a, j + b] with "
             "K[b, a]. The row offset a indexes K's rows, the column offset b its columns.",
             when=lambda g, w_: transposed is not None and not torch.equal(K, K.T)
             and near(g, transposed, 1e-4, rel=True)),
        Hint(f"off by one: a ({kh}, {kw}) kernel fits at (h − kh + 1) × (w − kw + 1) = {oh} × {ow} positions of a "
             f"({h}, {w}) image; your result is (h − kh) × (w − kw), which leaves out the last row and column of "
             "windows (range(h − kh) stops one short).",
             when=lambda g, w_: _shape_of(g) == (h - kh, w - kw)),
        Hint(f"Y has shape (h − kh + 1, w − kw + 1) = ({oh}, {ow}): one entry per position of the kernel inside X.",
             when=lambda g, w_: _shape_of(g) not in (None, (oh, ow), (h - kh, w - kw))),
    ]


DTYPE_HINT = Hint("float32 output for a float64 input: a bare torch.zeros(shape) (the book's) is float32 and on the "
                  "CPU whatever X is. Allocate the output like X: X.new_zeros(shape), or torch.zeros(shape, "
                  "dtype=X.dtype, device=X.device) (or build it from X without allocating at all).",
                  when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype == torch.float32)


def _backward(loss, prop, inputs):
    """loss.backward(); an autograd error (a graph the learner's code broke) becomes a failure of ``prop``."""
    try:
        loss.backward()
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected="backward() to run", got=f"RuntimeError: {str(e)[:300]}",
             hints=["an in-place operation (+=, *=, zero_(), …) on X, on a slice of X (a view) or on a tensor "
                    "autograd still needs breaks backward: build the result from new tensors (Y = Y + …)."])


def _corr2d(kata, X, K, prop, inputs, hints=()):
    """kata.corr2d(X, K); an exception becomes a failure that shows the inputs."""
    return call(kata.corr2d, X, K, prop=prop, inputs=inputs, hints=hints,
                expected=f"a tensor of shape {(X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1)}")


# ----------------------------------------------------------------------------------------------- corr2d: values
@pytest.mark.core
def test_corr2d_book_examples(kata):
    """corr2d reproduces the book's examples: [[19, 25], [37, 43]], and the vertical-edge detector [[1, −1]]"""
    edge = edge_image()
    want_edge = torch.zeros(6, 7)
    want_edge[:, 1], want_edge[:, 5] = 1.0, -1.0
    cases = [
        (BOOK_X, BOOK_K, torch.tensor([[19.0, 25.0], [37.0, 43.0]]),
         "corr2d(X, K) = [[19, 25], [37, 43]] (d2l §6.2.1: 19 = 0·0 + 1·1 + 3·2 + 4·3)"),
        (edge, EDGE_K, want_edge,
         "on the book's edge image, K = [[1, −1]] gives +1 in column 1 (white→black), −1 in column 5 "
         "(black→white) and 0 elsewhere (d2l §6.2.3)"),
        (edge.T, EDGE_K, torch.zeros(8, 5),
         "on the transposed edge image (horizontal edges), K = [[1, −1]] gives all zeros: it detects vertical "
         "edges only (d2l §6.2.3)"),
        (BOOK_X, torch.tensor([[1.0, 0.0, -1.0]]), torch.tensor([[-2.0], [-2.0], [-2.0]]),
         "corr2d(X, [[1, 0, −1]]) = X[:, 0] − X[:, 2], one column (a kernel as wide as X)"),
    ]
    for X, K, want, prop in cases:
        inputs = {"X": X, "K": K}
        hints = corr2d_hints(X, K)
        got = _corr2d(kata, X.clone(), K.clone(), prop, inputs, hints)
        expect_close(got, want, prop, inputs=inputs, atol=corr_tol(X, K), rtol=1e-5, hints=hints)


@pytest.mark.core
@pytest.mark.weight(2)
@settings(max_examples=30)
@given(XK=image_and_kernel())
@example(XK=(BOOK_X, BOOK_K))
@example(XK=(torch.tensor([[1.0, 2.0, 0.0, -1.0, 3.0], [0.5, -2.0, 4.0, 1.0, 0.0], [2.0, 1.0, -3.0, 0.0, 1.0]]),
             torch.tensor([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]])))
@example(XK=(torch.tensor([[2.0, -1.0, 0.5, 3.0]]), torch.tensor([[1.0, 2.0]])))
def test_corr2d_equals_conv2d(kata, XK):
    """corr2d(X, K) equals F.conv2d(X[None, None], K[None, None])[0, 0] for any shapes with K inside X"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d(X, K)[i, j] = Σ_a Σ_b X[i + a, j + b]·K[a, b]  (= F.conv2d(X[None, None], K[None, None])[0, 0])"
    hints = corr2d_hints(X, K)
    got = _corr2d(kata, X.clone(), K.clone(), prop, inputs, hints)
    expect_close(got, xcorr(X, K), prop, inputs=inputs, atol=corr_tol(X, K), rtol=1e-5, hints=hints)


# ----------------------------------------------------------------------------------------------- corr2d: other
@settings(max_examples=10)
@given(XK=image_and_kernel(torch.float64))
@example(XK=(BOOK_X.double(), BOOK_K.double()))
def test_corr2d_float64(kata, XK):
    """the output has X's dtype (float32 → float32, float64 → float64), accurate to float64 precision in float64"""
    X, K = XK
    X32, K32 = X.float(), K.float()
    got32 = _corr2d(kata, X32.clone(), K32.clone(), "corr2d of float32 X and K is a float32 tensor",
                    {"X": X32, "K": K32})
    expect_tensor(got32, "corr2d of float32 X and K is a float32 tensor", inputs={"X": X32, "K": K32},
                  dtype=torch.float32, hints=["the output keeps X's dtype: compute in X's dtype (or convert the "
                                              "result back with .to(X.dtype))."])
    inputs = {"X": X, "K": K}
    prop = "corr2d of float64 X and K is a float64 tensor equal to F.conv2d's"
    hints = [DTYPE_HINT] + corr2d_hints(X, K)
    got = _corr2d(kata, X.clone(), K.clone(), prop, inputs, hints)
    expect_tensor(got, prop, inputs=inputs, shape=(X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1),
                  dtype=torch.float64, hints=hints)
    expect_close(got, xcorr(X, K), prop, inputs=inputs, atol=corr_tol(X, K, 1e-12), rtol=1e-12, hints=hints)


def test_corr2d_rejects_bad_shapes(kata):
    """X or K not 2-D, or a kernel taller or wider than X, raise ValueError"""
    cases = [
        (torch.ones(5), torch.ones(1, 2), "X is 1-D"),
        (torch.ones(1, 3, 3), torch.ones(2, 2), "X is 3-D (it has a channel dimension)"),
        (torch.ones(3, 3), torch.ones(2), "K is 1-D"),
        (torch.ones(4, 4), torch.ones(1, 2, 2), "K is 3-D"),
        (torch.ones(3, 5), torch.ones(4, 2), "K is taller than X"),
        (torch.ones(3, 5), torch.ones(2, 6), "K is wider than X"),
        (torch.ones(2, 2), torch.ones(3, 3), "K is larger than X in both directions"),
    ]
    for X, K, what in cases:
        inputs = {"X.shape": tuple(X.shape), "K.shape": tuple(K.shape), "case": what}
        with expect_raises(ValueError, f"corr2d raises ValueError when {what}", inputs=inputs,
                           hints=["check the shapes first and raise ValueError with a message: both must be 2-D "
                                  "(X.dim() == 2 and K.dim() == 2) and the kernel must fit (kh ≤ h and kw ≤ w). "
                                  "Without the check a kernel that does not fit gives an empty tensor or a "
                                  "RuntimeError deep inside the computation."]):
            kata.corr2d(X.clone(), K.clone())


@settings(max_examples=8)
@given(XK=image_and_kernel(max_side=6, lo=-3.0, hi=3.0), seed=st.integers(0, 2**16))
@example(XK=(BOOK_X, BOOK_K), seed=0)
def test_corr2d_gradients_match_conv2d(kata, XK, seed):
    """corr2d is differentiable: its gradients with respect to X and K equal F.conv2d's"""
    X, K = XK
    h, w = X.shape
    kh, kw = K.shape
    oh, ow = h - kh + 1, w - kw + 1
    G = torch.randn((oh, ow), generator=gen(seed))            # the upstream gradient ∂loss/∂Y
    inputs = {"X": X, "K": K, "loss": "(corr2d(X, K) * G).sum()", "G": G}
    prop = "corr2d(X, K) is connected to X and K in the autograd graph (backward reaches both)"
    no_graph = Hint("no gradient: the result is cut from X and K. Keep the computation in tensors: no .item(), "
                    "float(), .detach(), .data or torch.tensor(...) of computed values inside corr2d (writing "
                    "Y[i, j] = (window * K).sum() into a tensor allocated with X's dtype and device is fine).")
    Xg, Kg = X.clone().requires_grad_(True), K.clone().requires_grad_(True)
    Y = _corr2d(kata, Xg, Kg, prop, inputs, hints=[
        Hint("an in-place operation on X (or on a slice of X, which is a view of it) is not allowed when X requires "
             "grad, and it would change the caller's X: build the result in a new tensor.",
             when=lambda g, w: isinstance(g, str) and ("in-place" in g or "inplace" in g))])
    expect_tensor(Y, prop, inputs=inputs, shape=(oh, ow), hints=corr2d_hints(X, K))
    if not Y.requires_grad:
        fail(prop, inputs=inputs, expected="an output with a grad_fn", got="an output that does not require grad",
             hints=[no_graph], hint_got=None)
    _backward((Y * G).sum(), prop, inputs)
    Xr, Kr = X.double().requires_grad_(True), K.double().requires_grad_(True)
    (F.conv2d(Xr[None, None], Kr[None, None])[0, 0] * G.double()).sum().backward()
    atol = 2e-6 * (1 + maxabs(G)) * (1 + maxabs(X) + maxabs(K)) * max(kh * kw, oh * ow)
    for name, t, ref in (("X", Xg, Xr), ("K", Kg, Kr)):
        if t.grad is None:
            fail(f"backward through corr2d fills {name}.grad", inputs=inputs, expected=f"a gradient of shape "
                 f"{tuple(t.shape)}", got="None", hints=[no_graph], hint_got=None)
        expect_close(t.grad, ref.grad, f"∂loss/∂{name} through corr2d equals F.conv2d's", inputs=inputs,
                     atol=atol, rtol=1e-5)


@settings(max_examples=12)
@given(XK=int_image_and_kernel(), data=st.data())
def test_corr2d_is_linear_in_x_and_in_k(kata, XK, data):
    """corr2d is linear in X and in K: corr2d(aX₁ + bX₂, K) = a·corr2d(X₁, K) + b·corr2d(X₂, K), likewise for K"""
    X, K = XK
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed of X₂, K₂")
    X2, K2 = int_tensor(X.shape, seed), int_tensor(K.shape, seed + 1)
    a, b = data.draw(st.integers(-3, 3), label="a"), data.draw(st.integers(-3, 3), label="b")
    inputs = {"X₁": X, "X₂": X2, "K₁": K, "K₂": K2, "a": a, "b": b}
    prop_x = "corr2d(a·X₁ + b·X₂, K₁) = a·corr2d(X₁, K₁) + b·corr2d(X₂, K₁)"
    prop_k = "corr2d(X₁, a·K₁ + b·K₂) = a·corr2d(X₁, K₁) + b·corr2d(X₁, K₂)"
    y11 = _corr2d(kata, X.clone(), K.clone(), prop_x, inputs)
    y21 = _corr2d(kata, X2.clone(), K.clone(), prop_x, inputs)
    y12 = _corr2d(kata, X.clone(), K2.clone(), prop_k, inputs)
    mixed_x = _corr2d(kata, a * X + b * X2, K.clone(), prop_x, inputs)
    mixed_k = _corr2d(kata, X.clone(), a * K + b * K2, prop_k, inputs)
    for got, parts, prop in ((mixed_x, (y11, y21), prop_x), (mixed_k, (y11, y12), prop_k)):
        expect_tensor(got, prop, inputs=inputs, shape=tuple(parts[0].shape))
        # integer values: every summation order is exact
        expect_close(got, a * parts[0].double() + b * parts[1].double(), prop, inputs=inputs, atol=1e-3, rtol=0)


@settings(max_examples=12)
@given(XK=int_image_and_kernel(max_side=5), di=st.integers(0, 3), dj=st.integers(0, 3), ei=st.integers(0, 2),
       ej=st.integers(0, 2))
@example(XK=(torch.tensor([[1.0, 2.0], [3.0, -1.0]]), torch.tensor([[1.0, -1.0]])), di=2, dj=1, ei=1, ej=0)
def test_corr2d_is_translation_equivariant(kata, XK, di, dj, ei, ej):
    """shifting X shifts corr2d(X, K) by the same amount (a pattern is detected wherever it is)"""
    X, K = XK
    h, w = X.shape
    big = torch.zeros(h + di + ei, w + dj + ej)
    big[di:di + h, dj:dj + w] = X
    inputs = {"X": X, "K": K, "X shifted": big, "shift": (di, dj)}
    prop = f"corr2d(X shifted down by {di} and right by {dj}, K) contains corr2d(X, K) shifted by ({di}, {dj})"
    small = _corr2d(kata, X.clone(), K.clone(), prop, inputs)
    large = _corr2d(kata, big, K.clone(), prop, inputs)
    oh, ow = h - K.shape[0] + 1, w - K.shape[1] + 1
    expect_tensor(large, prop, inputs=inputs, shape=(big.shape[0] - K.shape[0] + 1, big.shape[1] - K.shape[1] + 1))
    expect_tensor(small, prop, inputs=inputs, shape=(oh, ow))
    expect_close(large[di:di + oh, dj:dj + ow], small, prop, inputs=inputs, atol=1e-3, rtol=0)


def test_corr2d_leaves_inputs_unchanged(kata):
    """corr2d does not modify X or K"""
    g = gen(21)
    for X, K in ((torch.randn(5, 6, generator=g), torch.randn(2, 3, generator=g)),
                 (torch.randn(4, 4, generator=g), torch.randn(4, 4, generator=g)),
                 (edge_image().T, EDGE_K)):
        X0, K0 = X.clone(), K.clone()
        inputs = {"X": X0, "K": K0}
        _corr2d(kata, X, K, "corr2d(X, K) leaves X and K unchanged", inputs)
        for name, t, t0 in (("X", X, X0), ("K", K, K0)):
            expect_equal(t, t0, f"corr2d(X, K) leaves {name} unchanged", inputs=inputs,
                         hints=["compute into a new tensor: no in-place operations (+=, *=, mul_, …) on X, K or a "
                                "slice of them (a slice is a view: writing into it writes into X)."])


# ----------------------------------------------------------------------------------------------- conv_output_shape
def _variants(n, k, p=0, s=1):
    """Per-dimension results of the recognisable mistakes (None where a formula fails)."""
    def per(f):
        try:
            out = tuple(f(*args) for args in zip(*(_pair(v) for v in (n, k, p, s))))
        except ZeroDivisionError:
            return None
        return out
    return {
        "ceil": per(lambda n, k, p, s: -(-(n + 2 * p - k) // s) + 1),
        "one_side": per(lambda n, k, p, s: (n + p - k) // s + 1),
        "plus_one_inside": per(lambda n, k, p, s: (n + 2 * p - k + 1) // s),
        "no_stride": per(lambda n, k, p, s: n + 2 * p - k + 1),
        "no_plus_one": per(lambda n, k, p, s: (n + 2 * p - k) // s),
    }


def _as_tuple(g):
    if isinstance(g, bool):
        return None
    if isinstance(g, (int, float)):
        return (g, g)
    if isinstance(g, (tuple, list)) and len(g) == 2:
        return tuple(g)
    return None


def shape_hints(n, k, p=0, s=1):
    v = _variants(n, k, p, s)
    want = conv_shape(n, k, p, s)

    order = list(v)

    def matches(name, g):
        return v[name] is not None and v[name] != want and _as_tuple(g) == v[name]

    def is_(name):
        # the first recognisable mistake only: with s = 1 several formulas give the same wrong number
        return lambda g, w: matches(name, g) and not any(matches(m, g) for m in order[:order.index(name)])
    return [
        Hint("you rounded up: the size is ⌊(n + 2p − k)/s⌋ + 1, rounded down — a window that would stick out past "
             "the padded edge is not computed. Use integer floor division //, not math.ceil.", when=is_("ceil")),
        Hint("you padded one side only: p is the padding on each side (nn.Conv2d's padding=p adds p rows at the "
             "top and p at the bottom), so the padded input has n + 2p entries: ⌊(n + 2p − k)/s⌋ + 1. (d2l §6.3's "
             "formula ⌊(n − k + p_h + s)/s⌋ uses p_h = the total of both sides = 2p.)", when=is_("one_side")),
        Hint("the + 1 comes after the floor division: ⌊(n + 2p − k)/s⌋ + 1 (the first window, plus one for each "
             "full stride that still fits).", when=is_("plus_one_inside")),
        Hint("the stride is missing: with stride s the window moves s steps at a time, so divide (n + 2p − k) by "
             "s (rounding down) before adding 1.", when=is_("no_stride")),
        Hint("off by one: count the first window too, ⌊(n + 2p − k)/s⌋ + 1.", when=is_("no_plus_one")),
        Hint("a float: (n + 2p − k)/s is a true division. Sizes are ints: use floor division, "
             "(n + 2p − k) // s + 1.", when=lambda g, w: isinstance(g, float)
             or (isinstance(g, (tuple, list)) and any(isinstance(x, float) for x in g))),
        Hint("int in, int out: when all four arguments are ints, return one int (a tuple only when some argument "
             "is a pair).", when=lambda g, w: isinstance(w, int) and isinstance(g, (tuple, list))),
        Hint("a pair in, a tuple out: when some argument is a pair, return (height, width) as a tuple of ints "
             "(an int argument then counts for both dimensions).",
             when=lambda g, w: isinstance(w, tuple) and not isinstance(g, tuple)),
    ]


def _shape_call(kata, n, k, p, s, prop, inputs, hints):
    return call(kata.conv_output_shape, n, k, p, s, prop=prop, inputs=inputs, hints=list(hints) + [
        Hint("an int argument means the same value for both dimensions and a pair (h, w) gives them separately: "
             "turn each argument into a pair first, e.g. (v, v) if isinstance(v, int) else tuple(v).",
             when=lambda g, w: True)], catch=(TypeError, ValueError, IndexError, ZeroDivisionError, RuntimeError),
        expected="an output size")


def _expect_shape(kata, n, k, p, s, prop):
    inputs = {"n": n, "k": k, "p": p, "s": s}
    paired = not all(isinstance(v, int) for v in (n, k, p, s))
    want = conv_shape(n, k, p, s)
    want = want if paired else want[0]
    hints = shape_hints(n, k, p, s)
    got = _shape_call(kata, n, k, p, s, prop, inputs, hints)
    expect_equal(got, want, prop, inputs=inputs, hints=hints)
    return got


@pytest.mark.core
def test_conv_output_shape_book_cases(kata):
    """conv_output_shape reproduces the book's §6.3 cases on an 8×8 input, and n − k + 1 without padding"""
    cases = [
        ((8, 3, 1, 1), "kernel 3, padding 1 on each side keeps 8×8 (d2l §6.3.1)"),
        ((8, (5, 3), (2, 1), 1), "kernel (5, 3), padding (2, 1) keeps 8×8 (d2l §6.3.1)"),
        ((8, 3, 1, 2), "kernel 3, padding 1, stride 2 halves 8×8 to 4×4 (d2l §6.3.2)"),
        ((8, (3, 5), (0, 1), (3, 4)), "kernel (3, 5), padding (0, 1), stride (3, 4) gives 2×2 (d2l §6.3.2)"),
        ((6, 2, 0, 1), "defaults: no padding, stride 1 give n − k + 1"),
        ((28, 5, 2, 1), "LeNet's first layer: 28, kernel 5, padding 2 keeps 28"),
        ((7, 7, 0, 1), "a kernel as large as the input gives 1"),
        ((227, 11, 0, 4), "AlexNet's paper layer: 227, kernel 11, stride 4 gives 55"),
        ((11, 7, 3, 1), "an odd kernel 7 with padding (7 − 1)/2 = 3 keeps 11"),
    ]
    for (n, k, p, s), what in cases:
        _expect_shape(kata, n, k, p, s, f"conv_output_shape({n}, {k}, {p}, {s}): {what}")
    got = call(kata.conv_output_shape, 6, 2, prop="conv_output_shape(6, 2) uses the defaults p = 0, s = 1",
               inputs={"n": 6, "k": 2}, expected="5")
    expect_equal(got, 5, "conv_output_shape(6, 2) = 5 (defaults p = 0, s = 1: n − k + 1)", inputs={"n": 6, "k": 2})


@st.composite
def conv_args(draw):
    """(n, k, p, s) ints with n ≤ 30, k ≤ 9, p ≤ 4, s ≤ 5 and a kernel that fits the padded input."""
    n = draw(st.integers(1, 30), label="n")
    p = draw(st.integers(0, 4), label="p")
    k = draw(st.integers(1, min(9, n + 2 * p)), label="k")
    s = draw(st.integers(1, 5), label="s")
    return n, k, p, s


@pytest.mark.core
@settings(max_examples=25)
@given(args=conv_args())
@example(args=(8, 3, 1, 2))
@example(args=(10, 3, 0, 4))
@example(args=(9, 4, 1, 3))
def test_conv_output_shape_matches_conv2d(kata, args):
    """conv_output_shape(n, k, p, s) is the size nn.Conv2d(kernel_size=k, padding=p, stride=s) outputs"""
    n, k, p, s = args
    _expect_shape(kata, n, k, p, s, f"conv_output_shape({n}, {k}, {p}, {s}) = ⌊(n + 2p − k)/s⌋ + 1, the size "
                                    "nn.Conv2d outputs")


@st.composite
def conv_pair_args(draw):
    """(n, k, p, s) where each argument is an int or a pair, at least one a pair."""
    dims = [draw(conv_args(), label="height"), draw(conv_args(), label="width")]
    out = []
    for i in range(4):
        hv, wv = dims[0][i], dims[1][i]
        if hv == wv and draw(st.booleans(), label=f"arg {i} as int"):
            out.append(hv)
        else:
            out.append((hv, wv))
    if all(isinstance(v, int) for v in out):
        out[1] = (out[1], out[1])
    return tuple(out)


@settings(max_examples=15)
@given(args=conv_pair_args())
@example(args=(8, (5, 3), (2, 1), 1))
@example(args=((8, 12), 3, 1, (1, 2)))
def test_conv_output_shape_pairs(kata, args):
    """pairs give (height, width): an int counts for both dimensions, a pair gives them separately"""
    n, k, p, s = args
    _expect_shape(kata, n, k, p, s, f"conv_output_shape({n}, {k}, {p}, {s}) = the (height, width) nn.Conv2d "
                                    "outputs")


def test_conv_output_shape_returns_ints(kata):
    """int arguments give a Python int; any pair gives a tuple of two Python ints"""
    for args, want_type in (((8, 3, 1, 2), int), ((9, 2, 0, 3), int), ((8, (3, 5), (0, 1), (3, 4)), tuple),
                            (((10, 7), 3), tuple)):
        prop = (f"conv_output_shape{args} is a Python int" if want_type is int
                else f"conv_output_shape{args} is a tuple of two Python ints")
        inputs = dict(zip("nkps", args))
        got = call(kata.conv_output_shape, *args, prop=prop, inputs=inputs, expected="an output size")
        if want_type is int:
            ok = type(got) is int
        else:
            ok = type(got) is tuple and len(got) == 2 and all(type(x) is int for x in got)
        want = conv_shape(*args)
        expect(ok, prop, inputs=inputs, expected=want[0] if want_type is int else want,
               got=f"{got!r} ({type(got).__name__}"
                   + (f" of {', '.join(type(x).__name__ for x in got)})" if isinstance(got, (tuple, list)) else ")"),
               hints=[h.text for h in shape_hints(*args) if h.applies(got, want[0] if want_type is int else want)]
               + [Hint("a tensor or numpy number: compute with Python ints (// on ints gives an int; int(...) "
                       "converts).", when=lambda g, w: not isinstance(got, (int, float, tuple, list)))])


def test_conv_output_shape_rejects_bad_arguments(kata):
    """k < 1, s < 1, p < 0, or a kernel larger than the padded input raise ValueError (in any dimension)"""
    cases = [
        ((3, 5, 0, 1), "the kernel is larger than the input (n + 2p < k)"),
        ((3, 6, 1, 1), "the kernel is larger than the padded input (3 + 2·1 < 6)"),
        ((8, 0, 0, 1), "k = 0"),
        ((8, 3, 0, 0), "s = 0"),
        ((8, 3, -1, 1), "p = −1"),
        ((8, (3, 0), 0, 1), "k = (3, 0): a zero width"),
        ((8, 3, (1, -1), 1), "p = (1, −1): a negative width padding"),
        (((8, 2), (3, 5), 0, 1), "the kernel is wider than the input (2 < 5)"),
        ((5, 3, 0, (1, 0)), "s = (1, 0): a zero width stride"),
    ]
    for args, what in cases:
        inputs = dict(zip("nkps", args))
        with expect_raises(ValueError, f"conv_output_shape{args} raises ValueError: {what}", inputs=inputs,
                           hints=["check the arguments before computing and raise ValueError: k < 1, s < 1, p < 0, "
                                  "or n + 2p < k (the kernel does not fit in the padded input) in either "
                                  "dimension. (s = 0 would otherwise divide by zero; a too-large kernel gives a "
                                  "size ≤ 0.)"]):
            kata.conv_output_shape(*args)


# ----------------------------------------------------------------------------------------------- Conv2D
NOT_REGISTERED = Hint("is not a registered parameter: a plain tensor attribute (self.weight = torch.rand(...)) is "
                      "invisible to parameters(), state_dict() and optimizers, and backward does not fill its "
                      ".grad. Wrap it: nn.Parameter(...).")


def _not_registered(missing) -> str:
    text = NOT_REGISTERED.text
    if len(missing) > 1:
        text = text.replace("is not a registered parameter", "are not registered parameters")
    return f"{' and '.join(missing)} {text}"


def _make_conv(kata, kernel_size, generator, prop=None):
    prop = prop or f"Conv2D({kernel_size!r}, generator=...) builds a layer"
    try:
        return kata.Conv2D(kernel_size, generator=generator)
    except (TypeError, ValueError, RuntimeError, IndexError) as e:
        fail(prop, inputs={"call": f"Conv2D({kernel_size!r}, generator=torch.Generator().manual_seed(...))"},
             expected="a Conv2D layer", got=f"{type(e).__name__}: {e}",
             hints=["def __init__(self, kernel_size, generator=None): super().__init__() first, then the weight "
                    "(an int k means (k, k)) and the bias."])


def _kernel_hint(k):
    return Hint(f"an int kernel_size k means (k, k): torch.rand({k}) is a 1-D tensor of {k} numbers; make the "
                f"shape ({k}, {k}) first.", when=lambda g, w: True)


def test_conv2d_registers_weight_and_bias(kata):
    """Conv2D(kernel_size) registers exactly two parameters: weight (kh, kw) and bias (1,)"""
    for ks, shape in (((1, 2), (1, 2)), ((3, 2), (3, 2)), (3, (3, 3))):
        layer = _make_conv(kata, ks, gen(1))
        inputs = {"layer": f"Conv2D({ks!r}, generator=torch.Generator().manual_seed(1))"}
        names = sorted(name for name, _ in layer.named_parameters())
        expect(names == ["bias", "weight"], "Conv2D has exactly two registered parameters, weight and bias",
               inputs=inputs, expected=["bias", "weight"], got=names,
               hints=[Hint(_not_registered([m for m in ("weight", "bias") if m not in names]),
                           when=lambda g, w: len(g) < 2 and set(g) <= {"bias", "weight"}),
                      Hint("only weight and bias: the layer's kernel is its weight (d2l §6.2.2).",
                           when=lambda g, w: set(g) > {"bias", "weight"})])
        expect_tensor(layer.weight, f"Conv2D({ks!r}).weight has shape {shape}", inputs=inputs, shape=shape,
                      hints=[_kernel_hint(ks)] if isinstance(ks, int) else [])
        expect_tensor(layer.bias, f"Conv2D({ks!r}).bias has shape (1,)", inputs=inputs, shape=(1,),
                      hints=["one bias for the one output channel: nn.Parameter(torch.zeros(1))."])


@pytest.mark.core("Conv2D")
def test_conv2d_forward_equals_conv2d_plus_bias(kata):
    """Conv2D's forward(x) = corr2d(x, weight) + bias, equal to F.conv2d with the layer's weight and bias"""
    g = gen(31)
    for ks, shape, seed in (((1, 2), (6, 8), 2), (3, (5, 5), 3), ((2, 4), (4, 7), 4)):
        layer = _make_conv(kata, ks, gen(seed))
        x = torch.randn(shape, generator=g)
        what = f"Conv2D({ks!r}) (its own weight and bias)"
        inputs = {"layer": what, "x": x}
        prop = "Conv2D(x) = corr2d(x, weight) + bias"
        W, b = layer.weight.detach().clone(), layer.bias.detach().clone()
        got = call(layer, x.clone(), prop=prop, inputs=inputs, expected="a tensor")
        expect_close(got, xcorr(x, W) + b.double(), prop, inputs=inputs, atol=corr_tol(x, W), rtol=1e-5,
                     hints=corr2d_hints(x, W))
        # with a random weight and a nonzero bias set inside the layer (the bias must be added, once)
        W2 = torch.randn(W.shape, generator=g)
        b2 = torch.randn(1, generator=g)
        inputs = {"layer": f"Conv2D({ks!r}) with weight and bias set to", "weight": W2, "bias": b2, "x": x}
        got = run_beside(kata, forward_with, layer, W2, b2, x.clone())
        if isinstance(got, str):
            fail(prop, inputs=inputs, expected="a tensor", got=got,
                 hints=["the layer keeps its kernel in self.weight (kh, kw) and its bias in self.bias (1,)."])
        want = xcorr(x, W2) + b2.double()
        expect_close(got, want, prop, inputs=inputs, atol=corr_tol(x, W2) + 1e-6 * maxabs(b2), rtol=1e-5,
                     hints=corr2d_hints(x, W2) + [
                         Hint("the bias is missing: forward returns corr2d(x, self.weight) + self.bias.",
                              when=lambda g_, w_: near(g_, xcorr(x, W2), 1e-4, rel=True)),
                         Hint("forward must use the layer's own parameters (self.weight, self.bias), not copies "
                              "or tensors made elsewhere.",
                              when=lambda g_, w_: near(g_, xcorr(x, W) + b.double(), 1e-4, rel=True))])


def test_conv2d_gradients_reach_weight_and_bias(kata):
    """backward through Conv2D fills weight.grad and bias.grad: d(ΣY)/d bias = the number of outputs"""
    layer = _make_conv(kata, (2, 3), gen(5))
    x = torch.randn((5, 6), generator=gen(6))
    inputs = {"layer": "Conv2D((2, 3))", "x": x, "loss": "Conv2D(x).sum()"}
    Y = call(layer, x.clone(), prop="Conv2D(x) is a tensor", inputs=inputs, expected="a tensor")
    expect_tensor(Y, "Conv2D(x) has shape (h − kh + 1, w − kw + 1)", inputs=inputs, shape=(4, 4))
    data_hint = Hint("no gradient: forward used self.weight.data / .detach() (or a plain tensor that is not a "
                     "parameter), which cuts the graph. Use the parameters themselves: corr2d(x, self.weight) + "
                     "self.bias, with both wrapped in nn.Parameter.", when=lambda g, w: g is None or g == "None")
    bias_hint = Hint("bias.grad is None: the bias never reaches the output. forward(x) = corr2d(x, self.weight) + "
                     "self.bias (a registered nn.Parameter).", when=lambda g, w: g is None or g == "None")
    if not Y.requires_grad:
        fail("Conv2D(x) is connected to weight and bias in the autograd graph", inputs=inputs,
             expected="an output with a grad_fn", got="an output that does not require grad", hints=[data_hint],
             hint_got=None)
    _backward(Y.sum(), "backward through Conv2D(x).sum() runs", inputs)
    want = {"weight": xcorr(x, torch.ones(4, 4)), "bias": torch.tensor([16.0], dtype=torch.float64)}
    for name in ("weight", "bias"):
        grad = getattr(layer, name).grad
        if grad is None:
            fail(f"backward fills Conv2D's {name}.grad", inputs=inputs, expected=f"a gradient of shape "
                 f"{tuple(want[name].shape)}", got="None", hints=[data_hint if name == "weight" else bias_hint],
                 hint_got=None)
        prop = ("d(ΣY)/d bias = 16, the number of outputs (the bias is added to each of the 4×4 outputs)"
                if name == "bias" else "d(ΣY)/d weight[a, b] = Σ of the inputs the kernel entry (a, b) touches")
        expect_close(grad, want[name], prop, inputs=inputs, atol=1e-4, rtol=1e-5,
                     hints=[Hint("the bias is added once per output: forward(x) = corr2d(x, weight) + bias "
                                 "broadcasts the (1,) bias over the output.",
                                 when=lambda g, w: name == "bias")])


def test_conv2d_uses_the_generator(kata):
    """Conv2D(kernel_size, generator) draws its weight with the generator (same seed ⇒ same weight)"""
    def weight(g):
        return _make_conv(kata, (3, 4), g).weight.detach().clone()
    expect_generator_used(weight, "Conv2D((3, 4), generator=g).weight", inputs={"kernel_size": (3, 4)})


def test_conv2d_initialisation_is_uniform(kata, stat_seed):
    """Conv2D's weight is drawn from U[0, 1) (the book's torch.rand) and its bias starts at zero"""
    layer = _make_conv(kata, (40, 40), stat_gen(1, stat_seed))
    w = layer.weight.detach().double().reshape(-1)
    n = w.numel()
    inputs = {"layer": "Conv2D((40, 40), generator=torch.Generator().manual_seed(...))", "draws": n}
    hints = [Hint("negative entries: torch.randn draws from N(0, 1); the book's weight is uniform on [0, 1): "
                  "torch.rand(shape, generator=generator).", when=lambda g, w_: float(w.min()) < 0),
             Hint("all equal: draw the weight at random (torch.rand), not constant.",
                  when=lambda g, w_: float(w.std()) == 0.0)]
    expect(bool(((w >= 0) & (w < 1)).all()), "Conv2D's weight entries lie in [0, 1) (U[0, 1), the book's torch.rand)",
           inputs=inputs, expected="entries in [0, 1)", got=layer.weight.detach(), hints=hints)
    expect_close(float(w.mean()), 0.5, "Conv2D's weight has mean 1/2 (U[0, 1))", inputs=inputs,
                 atol=Z * math.sqrt(1 / 12 / n), rtol=0, hints=hints)
    expect_close(float(w.var()), 1 / 12, "Conv2D's weight has variance 1/12 (U[0, 1))", inputs=inputs,
                 atol=Z * math.sqrt((1 / 80 - 1 / 144) / n), rtol=0, hints=hints)
    expect_equal(layer.bias.detach(), torch.zeros(1), "Conv2D's bias starts at zero (the book's torch.zeros(1))",
                 inputs=inputs, hints=["the bias starts at zero: nn.Parameter(torch.zeros(1)); only the weight is "
                                       "random."])


# ----------------------------------------------------------------------------------------------- learn_kernel
def trajectory(X, Y, K0, lr, epochs, mode="sum"):
    """The grader's gradient descent in float64 from K0: (K, losses). ∂l/∂K = corr2d(X, 2(Ŷ − Y)) in closed form.
    Modes: "sum" (the contract), and the mistakes "mean", "half", "accumulate" (K.grad never zeroed), "ascent"."""
    X64, Y64, K = X.double(), Y.double(), K0.detach().double().clone()
    acc = torch.zeros_like(K)
    losses = []
    for _ in range(epochs):
        R = xcorr(X64, K) - Y64                           # (oh, ow)
        loss, grad = float((R ** 2).sum()), xcorr(X64, 2 * R)   # grad (kh, kw)
        if mode == "mean":
            loss, grad = loss / R.numel(), grad / R.numel()
        elif mode == "half":
            loss, grad = loss / 2, grad / 2
        elif mode == "accumulate":
            acc = acc + grad
            grad = acc
        losses.append(loss)
        K = K + lr * grad if mode == "ascent" else K - lr * grad
    return K, losses


def _learn(kata, X, Y, ks, lr, epochs, generator, prop, inputs):
    got = call(kata.learn_kernel, X.clone(), Y.clone(), ks, lr, epochs, generator, prop=prop, inputs=inputs,
               expected="(K, losses)", hints=[
                   Hint("backward() found no graph: the loss must be connected to K. Make K require grad "
                        "(K.requires_grad_(True)) and keep corr2d differentiable (no .item()/float() inside it).",
                        when=lambda g, w: isinstance(g, str) and "does not require grad" in g),
                   Hint("an in-place operation broke backward: corr2d must build its result from new tensors, "
                        "and the update K -= lr * K.grad belongs inside torch.no_grad().",
                        when=lambda g, w: isinstance(g, str) and ("inplace operation" in g or "in-place" in g))])
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(prop, inputs=inputs, expected="a pair (K, losses)", got=got,
             hints=["return K.detach(), losses — the final kernel and the list of per-epoch losses."])
    return got


def _learn_cases():
    g = gen(41)
    X1 = torch.rand((5, 6), generator=g) * 2 - 1
    Y1 = xcorr(X1, torch.tensor([[0.5, -1.0], [1.5, 0.25]])).float() + 0.1 * torch.randn((4, 5), generator=g)
    X2 = torch.rand((4, 7), generator=g) * 2 - 1
    Y2 = xcorr(X2, torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]])).float()
    edge = edge_image()
    return [
        ("the book's edge data", edge, xcorr(edge, EDGE_K).float(), (1, 2), 0.03, 11),
        ("random X (5, 6), kernel_size=2", X1, Y1, 2, 0.02, 12),
        ("random X (4, 7), kernel_size=(2, 3)", X2, Y2, (2, 3), 0.01, 13),
    ]


@pytest.mark.core
@pytest.mark.weight(2)
def test_learn_kernel_takes_exact_gradient_steps(kata):
    """learn_kernel steps K ← K − lr·∂l/∂K exactly, l = Σ(corr2d(X, K) − Y)², and records each loss before its step"""
    for what, X, Y, ks, lr, seed in _learn_cases():
        inputs = {"data": what, "X": X, "Y": Y, "kernel_size": ks, "lr": lr,
                  "generator": f"torch.Generator().manual_seed({seed})"}
        seed_global(5)   # the same initial kernel twice, even for code that draws from the global RNG
        K0, _ = _learn(kata, X, Y, ks, lr, 0, gen(seed), "learn_kernel(..., num_epochs=0) returns (K₀, [])",
                       {**inputs, "num_epochs": 0})
        kh, kw = _pair(ks)
        expect_tensor(K0, "learn_kernel(..., num_epochs=0) returns the initial kernel, shape (kh, kw)",
                      inputs={**inputs, "num_epochs": 0}, shape=(kh, kw),
                      hints=[Hint(f"an int kernel_size k means (k, k): here ({kh}, {kw}).",
                                  when=lambda g, w: isinstance(ks, int))])
        seed_global(5)
        prop = "learn_kernel(..., num_epochs=3): three steps K ← K − lr·∂l/∂K with l = Σ(corr2d(X, K) − Y)²"
        inputs = {**inputs, "num_epochs": 3, "K₀ (your num_epochs=0 kernel)": K0}
        K3, losses = _learn(kata, X, Y, ks, lr, 3, gen(seed), prop, inputs)
        want_K, want_losses = trajectory(X, Y, K0, lr, 3)
        tol = 1e-4 * (1 + maxabs(want_K))
        k_hints, loss_hints = step_hints(X, Y, K0, lr, 3, 5 * tol)
        expect_tensor(K3, prop, inputs=inputs, shape=(kh, kw))
        expect_close(K3, want_K, prop, inputs=inputs, atol=tol, rtol=1e-4, hints=k_hints)
        expect(isinstance(losses, (list, tuple)) and len(losses) == 3, "learn_kernel(..., num_epochs=3) returns 3 "
               "losses, one per epoch", inputs=inputs, expected="a list of 3 floats", got=losses)
        got_losses = torch.tensor([float(v) for v in losses], dtype=torch.float64)
        expect_close(got_losses, torch.tensor(want_losses, dtype=torch.float64),
                     "losses[e] = Σ(corr2d(X, K_e) − Y)², the loss of the kernel before update e", inputs=inputs,
                     atol=1e-6, rtol=1e-4, hints=loss_hints)


def step_hints(X, Y, K0, lr, epochs, tol):
    """(hints on the kernel, hints on the losses) naming the recognisable mistakes of a gradient-descent loop."""
    wrong = {m: trajectory(X, Y, K0, lr, epochs, m) for m in ("mean", "half", "accumulate", "ascent")}
    want_K = trajectory(X, Y, K0, lr, epochs)[0]
    after = trajectory(X, Y, K0, lr, epochs + 1)[1][1:]

    def is_(mode):
        return lambda g, w: near(g, wrong[mode][0], tol)
    k_hints = [
        Hint("your steps are 1/numel(Y) as large as they should be: the loss is the sum Σ(corr2d(X, K) − Y)² "
             "(the book's l.sum()), not the mean.", when=is_("mean")),
        Hint("your steps are half as large as they should be: the loss has no ½ — l = Σ(corr2d(X, K) − Y)² "
             "(the book's l.sum()).", when=is_("half")),
        Hint("the first step is right but the later ones are too large: autograd adds each backward() into "
             "K.grad, so unless you zero the gradient after each update (K.grad.zero_() or K.grad = None) every "
             "step uses the sum of all gradients so far.", when=is_("accumulate")),
        Hint("K moved uphill: gradient descent subtracts the gradient, K ← K − lr·∂l/∂K.", when=is_("ascent")),
        Hint("right to float32 precision only: part of the computation ran in float32 (the initial kernel, or "
             "corr2d's output allocated with torch.zeros). Keep X's dtype throughout.",
             when=lambda g, w: X.dtype == torch.float64 and near(g, want_K, 1e-4, rel=True)),
    ]
    loss_hints = [
        Hint("your losses are those after each update: losses[e] is the loss of the forward pass that update e "
             "steps from (the book prints l.sum() of the pass it then steps from).",
             when=lambda g, w: _near_list(g, after)),
        Hint("your losses are means: record the summed squared error Σ(corr2d(X, K) − Y)².",
             when=lambda g, w: _near_list(g, wrong["mean"][1])),
        Hint("your losses are half of the expected ones: there is no ½ in l = Σ(corr2d(X, K) − Y)².",
             when=lambda g, w: _near_list(g, wrong["half"][1])),
    ]
    return k_hints, loss_hints


def _near_list(g, values) -> bool:
    try:
        got = torch.as_tensor([float(v) for v in g], dtype=torch.float64)
    except (TypeError, ValueError):
        return False
    return near(got, torch.tensor(values, dtype=torch.float64), 1e-4, rel=True)


def test_learn_kernel_zero_epochs_returns_the_initial_kernel(kata):
    """num_epochs = 0 returns (K₀, []): the initial U[0, 1) kernel of shape (kh, kw) in X's dtype, and no losses"""
    X = edge_image()
    Y = xcorr(X, EDGE_K).float()
    for ks, shape in (((1, 2), (1, 2)), (2, (2, 2)), ((3, 1), (3, 1))):
        inputs = {"X": "the book's edge image (6, 8)", "kernel_size": ks, "num_epochs": 0}
        Yk = Y if ks == (1, 2) else xcorr(X, torch.ones(shape)).float()
        K0, losses = _learn(kata, X, Yk, ks, 0.03, 0, gen(7), "learn_kernel(..., num_epochs=0) returns (K₀, [])",
                            inputs)
        expect(isinstance(losses, list) and len(losses) == 0, "learn_kernel(..., num_epochs=0) has no losses: []",
               inputs=inputs, expected=[], got=losses)
        expect_tensor(K0, "the initial kernel has shape (kh, kw) and X's dtype", inputs=inputs, shape=shape,
                      dtype=torch.float32, hints=[Hint(f"an int kernel_size k means (k, k): here {shape}.",
                                                       when=lambda g, w: isinstance(ks, int))])
        expect(bool(((K0 >= 0) & (K0 < 1)).all()), "K₀ = torch.rand((kh, kw), generator=generator): entries in "
               "[0, 1)", inputs=inputs, expected="entries in [0, 1)", got=K0,
               hints=["draw the initial kernel as the book does, uniform on [0, 1): torch.rand((kh, kw), "
                      "generator=generator)."])


def test_learn_kernel_returns_a_detached_kernel_and_float_losses(kata):
    """K comes back detached in X's dtype (float64 data → float64 kernel) and losses is a list of Python floats"""
    g = gen(51)
    X = torch.rand((5, 5), generator=g, dtype=torch.float64) * 2 - 1
    Y = xcorr(X, torch.tensor([[1.0, -0.5], [0.25, 2.0]]))
    for dtype in (torch.float64, torch.float32):
        Xd, Yd = X.to(dtype), Y.to(dtype)
        inputs = {"X": Xd, "Y": Yd, "kernel_size": (2, 2), "lr": 0.02, "num_epochs": 4}
        prop = f"learn_kernel on {str(dtype).removeprefix('torch.')} data returns a detached kernel of that dtype"
        seed_global(3)   # the same initial kernel below, even for code that draws from the global RNG
        K, losses = _learn(kata, Xd, Yd, (2, 2), 0.02, 4, gen(8), prop, inputs)
        expect_tensor(K, prop, inputs=inputs, shape=(2, 2), dtype=dtype,
                      hints=["the initial kernel is drawn on the CPU (float32) and then moved to X's device and "
                             "dtype: torch.rand(..., generator=generator).to(device=X.device, dtype=X.dtype)."])
        expect(not K.requires_grad and K.grad_fn is None, "the returned kernel is detached (no grad, no graph)",
               inputs=inputs, expected="K.requires_grad == False", got=f"requires_grad={K.requires_grad}",
               hints=["return K.detach(): the caller gets the learned numbers, not the tensor autograd tracks."])
        expect(type(losses) is list and len(losses) == 4 and all(type(v) is float for v in losses),
               "losses is a list of num_epochs Python floats", inputs=inputs, expected="a list of 4 floats",
               got=f"{type(losses).__name__} of {', '.join(type(v).__name__ for v in losses)}"
                   if isinstance(losses, (list, tuple)) else repr(losses),
               hints=["append l.item() (or float(l)) each epoch: a list of Python floats, not of tensors (a tensor "
                      "keeps its graph alive)."])
        if dtype == torch.float64:
            seed_global(3)
            K0, _ = _learn(kata, Xd, Yd, (2, 2), 0.02, 0, gen(8), prop, inputs)
            want_K, want_losses = trajectory(Xd, Yd, K0, 0.02, 4)
            k_hints, loss_hints = step_hints(Xd, Yd, K0, 0.02, 4, 1e-6)
            inputs = {**inputs, "K₀ (your num_epochs=0 kernel)": K0}
            expect_close(K, want_K, "in float64 the four steps are exact to float64 precision", inputs=inputs,
                         atol=1e-10, rtol=1e-10, hints=k_hints)
            expect_close(torch.tensor(losses, dtype=torch.float64), torch.tensor(want_losses, dtype=torch.float64),
                         "in float64 the losses are exact to float64 precision", inputs=inputs, atol=1e-10,
                         rtol=1e-10, hints=loss_hints)


def test_learn_kernel_uses_the_generator(kata):
    """learn_kernel draws its initial kernel with the generator: same seed ⇒ same kernel and losses"""
    X = edge_image()
    Y = xcorr(X, EDGE_K).float()

    def run(g):
        K, losses = _learn(kata, X, Y, (1, 2), 0.03, 2, g, "learn_kernel returns (K, losses)", {"X": X, "Y": Y})
        return K, list(losses)
    expect_generator_used(run, "learn_kernel(X, Y, (1, 2), 0.03, 2, generator=g)",
                          inputs={"X": "the book's edge image", "Y": "corr2d(X, [[1, −1]])"})


def test_learn_kernel_recovers_the_edge_detector(kata, stat_seed):
    """on the book's edge data, 20 epochs at lr 0.03 recover K = [[1, −1]] to within 0.05, whatever the seed"""
    X = edge_image()
    Y = xcorr(X, EDGE_K).float()
    inputs = {"X": "the book's edge image (6, 8)", "Y": "corr2d(X, [[1, −1]])", "kernel_size": (1, 2), "lr": 0.03,
              "num_epochs": 20, "generator": "torch.Generator().manual_seed(...)"}
    K, losses = _learn(kata, X, Y, (1, 2), 0.03, 20, stat_gen(3, stat_seed), "learn_kernel converges", inputs)
    expect_tensor(K, "learn_kernel returns a (1, 2) kernel", inputs=inputs, shape=(1, 2))
    err = float((K.detach().double() - EDGE_K.double()).abs().max())
    expect(err < 0.05, "after 20 epochs the learned kernel is within 0.05 of [[1, −1]] (max |K − [1, −1]|)",
           inputs=inputs, expected="max |K − [1, −1]| < 0.05 (the reference: at most 0.012 over 200 seeds)",
           got=f"K = {K.detach().tolist()}, max |K − [1, −1]| = {err:.4g}",
           hints=[Hint("the steps are too small: with the mean loss (instead of the book's sum) every step is "
                       "1/42 as large here. Use l = Σ(corr2d(X, K) − Y)².", when=lambda g, w: err > 0.3),
                  Hint("NaN or a huge kernel: gradient descent diverged. Subtract the gradient, and zero it after "
                       "each step (autograd accumulates).", when=lambda g, w: not math.isfinite(err) or err > 10)])
    expect(float(losses[-1]) < float(losses[0]), "the loss decreases over training", inputs=inputs,
           expected=f"losses[-1] < losses[0] = {float(losses[0]):.4g}", got=float(losses[-1]))


def test_learn_kernel_leaves_inputs_unchanged(kata):
    """learn_kernel does not modify X or Y"""
    X = edge_image()
    Y = xcorr(X, EDGE_K).float()
    X0, Y0 = X.clone(), Y.clone()
    inputs = {"X": "the book's edge image (6, 8)", "Y": "corr2d(X, [[1, −1]])"}
    call(kata.learn_kernel, X, Y, (1, 2), 0.03, 3, gen(9), prop="learn_kernel runs", inputs=inputs)
    for name, t, t0 in (("X", X, X0), ("Y", Y, Y0)):
        expect_equal(t, t0, f"learn_kernel leaves {name} unchanged", inputs=inputs,
                     hints=["only the kernel changes: compute new tensors from X and Y, never write into them."])


# ----------------------------------------------------------------------------------------------- meta (last: slow)
# The first elementwise operation on meta tensors imports torch._dynamo (about 1.2-2 s of CPU, once per process):
# this test runs last so that the cheap ones report first.
def test_corr2d_on_meta_device(kata):
    """on meta tensors (the graders' stand-in for a GPU) corr2d returns a meta tensor of the right shape and dtype"""
    for xs, ks, dtype in [((5, 7), (2, 3), torch.float32), ((4, 4), (4, 1), torch.float64)]:
        got = run_beside(kata, corr2d_on_meta, kata.corr2d, xs, ks, dtype)
        want = ((xs[0] - ks[0] + 1, xs[1] - ks[1] + 1), str(dtype).removeprefix("torch."), "meta")
        hints = [
            Hint("your output was made on the CPU: torch.zeros(shape) (the book's) ignores X's device, so on a GPU "
                 "(or meta) input the result is on the wrong device or the copy into it fails. Allocate it on X's "
                 "device with X's dtype: X.new_zeros(shape), or torch.zeros(shape, dtype=X.dtype, device=X.device).",
                 when=lambda g, w: (isinstance(g, str) and ("copy out of meta" in g or "device" in g))
                 or (isinstance(g, tuple) and g[2] != "meta")),
            Hint("your output's dtype is not X's: allocate with dtype=X.dtype (or X.new_zeros), and convert back "
                 "if you compute in another dtype.",
                 when=lambda g, w: isinstance(g, tuple) and g[2] == "meta" and g[1] != want[1]),
            Hint("no .item(), float() or Python numbers inside the computation: meta tensors have no values (and a "
                 "GPU tensor would be copied to the CPU each time).",
                 when=lambda g, w: isinstance(g, str) and "item" in g),
        ]
        expect(got == want, "corr2d keeps X's device and dtype: meta X and K give a meta output of shape "
               "(h − kh + 1, w − kw + 1)",
               inputs={"X": f"torch.empty({xs}, dtype={dtype}, device='meta')",
                       "K": f"torch.empty({ks}, dtype={dtype}, device='meta')"},
               expected=f"shape {want[0]}, {want[1]}, on meta", got=got if isinstance(got, str) else
               f"shape {got[0]}, {got[1]}, on {got[2]}" if isinstance(got, tuple) else got,
               hints=[h.text for h in hints if h.applies(got, want)])   # decided on the probe's real answer
