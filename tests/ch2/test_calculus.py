"""Graders for ch2/calculus.py (numerical_grad). Oracles: closed forms and autograd (torch.autograd.grad;
torch.func would import torch._dynamo, a second of start-up)."""
import pytest
import torch
from hypothesis import example, given, strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor
from tests.shippable import Quadratic, cubic, exp_sum, l2, sin_sum
from tests.strategies import tensors

# Functions handed to learner code live in tests/shippable.py (picklable by reference into the worker), never lambdas.


def _max_err(got, want):
    return float((got.double() - want.double()).abs().max())


FORWARD_HINT = Hint("an error proportional to h usually means the forward difference (f(x+h·eᵢ) − f(x))/h; "
                    "use the central difference (f(x+h·eᵢ) − f(x−h·eᵢ))/(2h), whose error is O(h²).",
                    when=lambda got, want: 1e-7 < _max_err(got, want) < 1e-3 and got.dtype == torch.float64)
def _twice(got, want) -> bool:
    """got ≈ 2·want where want is not ~0: the central difference divided by h instead of 2h."""
    scale = float(want.double().abs().max())
    return scale > 1e-3 and _max_err(got, 2 * want.double()) <= 1e-3 * (1 + scale)


TWICE_HINT = Hint("the result is twice the gradient: the central difference f(x+h·eᵢ) − f(x−h·eᵢ) spans 2h, so "
                  "divide it by 2h, not by h.", when=_twice)
FLOAT32_HINT = Hint("errors around 1e-3 to 1e-2 mean the arithmetic ran in float32: with h = 1e-5 its rounding "
                    "error is ~1e-7/1e-5. Keep x (and the perturbed copies) in float64.",
                    when=lambda got, want: got.dtype != torch.float64 or (
                        _max_err(got, want) >= 1e-3 and not _twice(got, want)
                        and _max_err(got, want) <= 0.2 * (1 + float(want.double().abs().max()))))


@pytest.mark.core("numerical_grad")
@given(A=tensors(st.tuples(st.integers(1, 5)).map(lambda t: (t[0], t[0])), torch.float64, -3, 3),
       data=st.data())
def test_quadratic_form(kata, A, data):
    """on f(x) = xᵀAx the gradient is (A + Aᵀ)x (to 1e-7)"""
    x = data.draw(tensors((A.shape[0],), torch.float64, -3, 3), label="x")
    got = kata.numerical_grad(Quadratic(A), x.clone())
    expect_tensor(got, "numerical_grad returns a tensor of x's shape", inputs={"A": A, "x": x}, shape=x.shape)
    expect_close(got, (A + A.T) @ x, "on f(x) = xᵀAx the gradient is (A + Aᵀ)x", inputs={"A": A, "x": x},
                 atol=1e-7, rtol=0, hints=[FORWARD_HINT, TWICE_HINT, FLOAT32_HINT])


@given(x=tensors(st.tuples(st.integers(1, 6)), torch.float64, -2, 2),
       f=st.sampled_from([sin_sum, exp_sum, cubic]))
@example(x=torch.tensor([1.0, 2.0], dtype=torch.float64), f=cubic)
def test_agrees_with_autograd(kata, x, f):
    """agrees with autograd on sin, exp and x³"""
    xr = x.clone().requires_grad_(True)
    (want,) = torch.autograd.grad(f(xr), xr)
    got = kata.numerical_grad(f, x.clone())
    expect_close(got, want, f"numerical_grad({f.__name__}, x) agrees with autograd", inputs={"x": x},
                 atol=1e-6, rtol=1e-6, hints=[FORWARD_HINT, TWICE_HINT, FLOAT32_HINT])


@given(x=tensors(st.tuples(st.integers(1, 6)), torch.float64, -3, 3).filter(lambda t: float(t.abs().max()) > 0.5))
def test_l2_norm_gradient(kata, x):
    """on ‖x‖₂ the gradient is x/‖x‖₂"""
    got = kata.numerical_grad(l2, x.clone())
    expect_close(got, x / x.norm(), "the gradient of ‖x‖₂ is x/‖x‖₂", inputs={"x": x}, atol=1e-7, rtol=1e-6,
                 hints=[FORWARD_HINT, TWICE_HINT, FLOAT32_HINT])


@given(x=tensors(st.tuples(st.integers(1, 6)), torch.float64, -3, 3))
def test_input_unchanged(kata, x):
    """x is unchanged afterwards (the perturbations are undone or made on copies)"""
    arg = x.clone()
    kata.numerical_grad(sin_sum, arg)
    expect(torch.equal(arg, x), "numerical_grad leaves x unchanged", inputs={"x": x}, expected=x, got=arg,
           hints=["perturb a copy (x.clone()) rather than x itself; `x[i] += h` followed by `x[i] -= h` does "
                  "not always give back the same float."])


def test_float64_even_for_float32_input(kata):
    """the result is float64 and accurate even when f is evaluated on float32 input"""
    x = torch.tensor([0.5, -1.25, 2.0], dtype=torch.float64)
    got = kata.numerical_grad(cubic, x.clone())
    expect_tensor(got, "numerical_grad returns float64", inputs={"x": x}, shape=(3,), dtype=torch.float64)
    expect_close(got, 3 * x ** 2, "d/dx Σx³ = 3x²", inputs={"x": x}, atol=1e-7, rtol=0,
                 hints=[FORWARD_HINT, TWICE_HINT, FLOAT32_HINT])
