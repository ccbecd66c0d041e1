"""Graders for ch4/activations.py (relu, prelu, sigmoid, tanh and their derivatives).

Oracles: torch.relu / torch.sigmoid / torch.tanh evaluated in float64, torch.where for pReLU's definition, and
autograd (torch.autograd.grad on the float64 torch built-ins, whose subgradient of ReLU at 0 is 0) for the
derivatives. Identities the book states: prelu(·, 0) = relu, prelu(·, 1) = id, sigmoid(−x) = 1 − sigmoid(x),
tanh(x) + 1 = 2·sigmoid(2x).

Tolerances. relu and prelu are exact up to one rounding of a·x: atol = 1e-6·(1 + |a|·max|x|), rtol = 1e-5.
sigmoid, tanh and the derivatives are bounded by 1, and a correct float32 formula loses a few ulps of 1 (float32
eps = 1.2e-7; 2·sigmoid(2x) − 1 and 1 − tanh² cancel): atol = 1e-6, rtol = 1e-5. Float64 inputs must be computed in
float64: atol = 1e-12, rtol = 1e-9.
"""
import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor, fail, scale_atol
from tests.strategies import floats, shapes, tensors

FUNCS = ["relu", "sigmoid", "tanh", "relu_grad", "sigmoid_grad", "tanh_grad"]
ORACLES = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
FORMULAS = {
    "relu": "relu(x) = max(x, 0)",
    "sigmoid": "sigmoid(x) = 1 / (1 + e^(−x))",
    "tanh": "tanh(x) = (1 − e^(−2x)) / (1 + e^(−2x))",
    "relu_grad": "relu_grad(x) = 1 if x > 0 else 0 (0 at x = 0)",
    "sigmoid_grad": "sigmoid_grad(x) = sigmoid(x)·(1 − sigmoid(x))",
    "tanh_grad": "tanh_grad(x) = 1 − tanh(x)²",
}
ANY_SHAPE = st.integers(0, 3).flatmap(lambda d: shapes(d, 1, 4))
BIG = torch.tensor([1e4, -1e4, 89.0, -89.0, 100.0, -100.0, 700.0, -750.0, 0.0, 3.5])


# ----------------------------------------------------------------------------------------------- oracles
def oracle(name, x):
    """The trusted value of ``name`` at x, in float64."""
    x64 = x.detach().double()
    if name in ORACLES:
        return ORACLES[name](x64)
    base = ORACLES[name.removesuffix("_grad")]
    xr = x64.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(base(xr).sum(), xr)
    return g


def prelu_oracle(x, a):
    x64 = x.double()
    return torch.where(x64 > 0, x64, a * x64)


# ----------------------------------------------------------------------------------------------- hints
def _t(g):
    return g.detach().double() if isinstance(g, torch.Tensor) else None


def _close(g, ref, tol=1e-4):
    g = _t(g)
    return (g is not None and isinstance(ref, torch.Tensor) and g.shape == ref.shape
            and bool(((g - ref.double()).abs() <= tol).all()))


def _has_nan(g):
    return isinstance(g, torch.Tensor) and bool(g.detach().isnan().any())


def _hints(name, x):
    """Hints for the classic mistakes of ``name`` at input x, each shown only when its symptom is present."""
    x64 = x.double()
    s = torch.sigmoid(x64)
    t = torch.tanh(x64)
    common = [
        Hint("(x > 0) is a bool tensor: convert it to x's dtype, e.g. (x > 0).to(x.dtype).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype == torch.bool),
        Hint("return a tensor of x's dtype: float64 in, float64 out (torch.zeros_like(x), x.new_tensor(...) and "
             "arithmetic on x keep the dtype; torch.tensor(0.0) or .float() do not).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype not in (x.dtype, torch.bool)),
    ]
    specific = {
        "relu": [],
        "sigmoid": [
            Hint("NaN for large x: e^x / (1 + e^x) is inf/inf = NaN once x > 88.7 in float32. Use 1 / (1 + e^(−x)) "
                 "(its overflow for very negative x is harmless: 1/inf = 0), or the exp(−|x|) form of the docstring.",
                 when=lambda g, w: _has_nan(g)),
            Hint("that is sigmoid(−x): the exponent is −x, sigmoid(x) = 1 / (1 + e^(−x)).",
                 when=lambda g, w: _close(g, 1 - s)),
        ],
        "tanh": [
            Hint("NaN for large |x|: (e^x − e^(−x)) / (e^x + e^(−x)) is inf/inf there. Write tanh with a negative "
                 "exponent only, (1 − e^(−2|x|)) / (1 + e^(−2|x|)) with the sign of x, or as 2·sigmoid(2x) − 1 with "
                 "your stable sigmoid.", when=lambda g, w: _has_nan(g)),
        ],
        "relu_grad": [
            Hint("at x = 0 ReLU has no derivative; use the subgradient 0, as PyTorch does: (x > 0), not (x >= 0).",
                 when=lambda g, w: _t(g) is not None and g.shape == x.shape and bool((x == 0).any())
                 and bool((_t(g)[x == 0] == 1).any())),
        ],
        "sigmoid_grad": [
            Hint("sigmoid' = s·(1 − s) with s = sigmoid(x): minus, not plus (it is at most 1/4, at x = 0).",
                 when=lambda g, w: _close(g, s * (1 + s))),
            Hint("that is sigmoid itself; its derivative is s·(1 − s).", when=lambda g, w: _close(g, s)),
        ],
        "tanh_grad": [
            Hint("tanh' = 1 − tanh(x)², the square of tanh, not 1 − tanh(x).", when=lambda g, w: _close(g, 1 - t)),
            Hint("tanh' = 1 − tanh(x)² (sech²), not tanh(x)².", when=lambda g, w: _close(g, t * t)),
        ],
    }
    return specific[name] + common


def _call(fn, *args, prop, inputs, hints=()):
    """Call learner code; a RuntimeError/TypeError becomes a failure with hints."""
    try:
        return fn(*args)
    except (RuntimeError, TypeError) as e:
        fail(prop, inputs=inputs, expected="a tensor", got=f"{type(e).__name__}: {e}", hints=hints)


def _grade(kata, name, x, prop, atol, rtol, want=None, hints=None, inputs=None):
    """Call ``name`` on a copy of x; check shape, dtype, that x is unchanged and the value against the oracle."""
    inputs = inputs or {"x": x}
    hints = _hints(name, x) if hints is None else hints
    arg = x.clone()
    got = _call(getattr(kata, name), arg, prop=prop, inputs=inputs, hints=hints)
    expect(torch.equal(arg, x), f"{name} leaves its input unchanged", inputs=inputs, expected=x, got=arg,
           hints=["don't modify x in place (x[x < 0] = 0, x.clamp_(...), x.mul_(...)): build a new tensor, e.g. "
                  "torch.where(x > 0, x, torch.zeros_like(x))."])
    expect_tensor(got, f"{name}(x) returns a tensor of x's shape and dtype", inputs=inputs, shape=x.shape,
                  dtype=x.dtype, hints=hints)
    want = oracle(name, x) if want is None else want
    expect_close(got, want, prop, inputs=inputs, atol=atol, rtol=rtol, hints=hints)
    return got


# ----------------------------------------------------------------------------------------------- relu, prelu
@pytest.mark.core("relu")
@settings(max_examples=15)
@given(x=tensors(ANY_SHAPE, torch.float32, -10, 10))
@example(x=torch.tensor([-2.0, -0.0, 0.0, 0.5, 3.0]))
def test_relu_matches_torch(kata, x):
    """relu(x) = max(x, 0) elementwise, any shape"""
    _grade(kata, "relu", x, FORMULAS["relu"], atol=scale_atol(x), rtol=1e-5)


@pytest.mark.core("prelu")
@settings(max_examples=20)
@given(x=tensors(ANY_SHAPE, torch.float32, -10, 10), a=floats(-2, 2, 32))
@example(x=torch.tensor([-2.0, -0.5, 0.0, 1.0, 3.0]), a=0.25)
@example(x=torch.tensor([-2.0, -0.5, 0.0, 1.0, 3.0]), a=2.0)
def test_prelu_matches_definition(kata, x, a):
    """prelu(x, a) = x where x > 0 and a·x elsewhere, for any slope a"""
    x64 = x.double()
    inputs = {"x": x, "a": a}
    hints = [
        Hint("the slope a belongs on the negative side: prelu(x, a) = x for x > 0 and a·x for x ≤ 0.",
             when=lambda g, w: a <= 1 and _close(g, torch.where(x64 > 0, a * x64, x64))),
        Hint("for a > 1 your result is a·x on the positive side: the slope a belongs on the negative side only. "
             "(max(x, a·x) equals pReLU only when a ≤ 1.) Use torch.where(x > 0, x, a * x), or "
             "relu(x) + a·min(x, 0).",
             when=lambda g, w: a > 1 and _close(g, torch.maximum(x64, a * x64))),
    ] + _hints("relu", x)
    prop = "prelu(x, a) = max(0, x) + a·min(0, x)"
    _grade_prelu(kata, x, a, prop, inputs, hints)


def _grade_prelu(kata, x, a, prop, inputs, hints, want=None, atol=None):
    arg = x.clone()
    got = _call(kata.prelu, arg, a, prop=prop, inputs=inputs, hints=hints)
    expect(torch.equal(arg, x), "prelu leaves its input unchanged", inputs=inputs, expected=x, got=arg,
           hints=["don't modify x in place: build a new tensor (torch.where(x > 0, x, a * x))."])
    expect_tensor(got, "prelu(x, a) returns a tensor of x's shape and dtype", inputs=inputs, shape=x.shape,
                  dtype=x.dtype, hints=hints)
    want = prelu_oracle(x, a) if want is None else want
    atol = scale_atol(x) * (1 + abs(a)) if atol is None else atol
    expect_close(got, want, prop, inputs=inputs, atol=atol, rtol=1e-5, hints=hints)


@settings(max_examples=10)
@given(x=tensors(ANY_SHAPE, torch.float32, -10, 10))
@example(x=torch.tensor([-3.0, -0.25, 0.0, 2.0]))
def test_prelu_special_slopes(kata, x):
    """prelu(x, 0) = relu(x) and prelu(x, 1) = x"""
    x64 = x.double()
    for a, want, what in [(0.0, torch.relu(x64), "relu(x)"), (1.0, x64, "x (the identity)")]:
        inputs = {"x": x, "a": a}
        hints = [Hint("the slope a belongs on the negative side: prelu(x, a) = x for x > 0 and a·x for x ≤ 0.",
                      when=lambda g, w, a=a: _close(g, torch.where(x64 > 0, a * x64, x64)))]
        _grade_prelu(kata, x, a, f"prelu(x, {a:g}) = {what}", inputs, hints, want=want)


# ----------------------------------------------------------------------------------------------- sigmoid, tanh
@pytest.mark.core("sigmoid")
@settings(max_examples=15)
@given(x=tensors(ANY_SHAPE, torch.float32, -30, 30))
@example(x=torch.tensor([-20.0, -1.0, 0.0, 0.5, 2.0, 20.0]))
def test_sigmoid_matches_torch(kata, x):
    """sigmoid(x) = 1 / (1 + e^(−x)) elementwise, any shape"""
    _grade(kata, "sigmoid", x, FORMULAS["sigmoid"], atol=1e-6, rtol=1e-5)


@pytest.mark.core("tanh")
@settings(max_examples=15)
@given(x=tensors(ANY_SHAPE, torch.float32, -20, 20))
@example(x=torch.tensor([-20.0, -1.0, 0.0, 0.5, 2.0, 20.0]))
def test_tanh_matches_torch(kata, x):
    """tanh(x) = (1 − e^(−2x)) / (1 + e^(−2x)) elementwise, any shape"""
    _grade(kata, "tanh", x, FORMULAS["tanh"], atol=1e-6, rtol=1e-5)


@settings(max_examples=10)
@given(x=tensors(shapes(1, 1, 8), torch.float32, -30, 30))
@example(x=torch.tensor([0.0, 1.5, -4.0, 30.0]))
def test_sigmoid_symmetry(kata, x):
    """sigmoid(−x) = 1 − sigmoid(x)"""
    inputs = {"x": x}
    prop = "sigmoid(−x) = 1 − sigmoid(x)"
    hints = _hints("sigmoid", x)
    pos = _call(kata.sigmoid, x.clone(), prop=prop, inputs=inputs, hints=hints)
    neg = _call(kata.sigmoid, -x, prop=prop, inputs=inputs, hints=_hints("sigmoid", -x))
    expect_tensor(pos, prop, inputs=inputs, shape=x.shape, hints=hints)
    expect_tensor(neg, prop, inputs=inputs, shape=x.shape, hints=hints)
    expect_close(neg, 1 - pos.detach().double(), prop + "  (expected: 1 − your sigmoid(x); got: your sigmoid(−x))",
                 inputs=inputs, atol=2e-6, rtol=0, hints=hints)


@settings(max_examples=10)
@given(x=tensors(shapes(1, 1, 8), torch.float32, -20, 20))
@example(x=torch.tensor([0.0, 0.75, -3.0, 20.0]))
def test_tanh_sigmoid_identity(kata, x):
    """tanh(x) + 1 = 2·sigmoid(2x), and tanh is odd: tanh(−x) = −tanh(x)"""
    inputs = {"x": x}
    hints = _hints("tanh", x)
    prop = "tanh(x) + 1 = 2·sigmoid(2x)"
    t = _call(kata.tanh, x.clone(), prop=prop, inputs=inputs, hints=hints)
    s2 = _call(kata.sigmoid, 2 * x, prop=prop, inputs=inputs, hints=_hints("sigmoid", 2 * x))
    expect_tensor(t, prop, inputs=inputs, shape=x.shape, hints=hints)
    expect_tensor(s2, prop, inputs=inputs, shape=x.shape, hints=hints)
    if not _close(s2, torch.sigmoid(2 * x.double()), 1e-5):
        hints = [Hint("your sigmoid(2x) differs from the true sigmoid: fix sigmoid first (its own test shows how).")]
    elif not _close(t, torch.tanh(x.double()), 1e-5):
        hints = [Hint("your tanh differs from the true tanh (its own test shows how); 2·sigmoid(2x) − 1 with your "
                      "sigmoid is one correct way to write it.")] + hints
    expect_close(t.detach().double() + 1, 2 * s2.detach().double(),
                 prop + "  (expected: 2·your sigmoid(2x); got: your tanh(x) + 1)", inputs=inputs, atol=4e-6, rtol=0,
                 hints=hints)
    tn = _call(kata.tanh, -x, prop=prop, inputs=inputs, hints=hints)
    expect_close(tn, -t.detach().double(), "tanh(−x) = −tanh(x)", inputs=inputs, atol=2e-6, rtol=0, hints=hints)


# ----------------------------------------------------------------------------------------------- large inputs
@settings(max_examples=8)
@given(x=tensors(shapes(1, 1, 6), torch.float32, -1e4, 1e4))
@example(x=BIG)
def test_finite_for_large_inputs(kata, x):
    """every function is finite and correct for |x| up to 1e4 in float32"""
    for name in FUNCS:
        _grade(kata, name, x, f"{FORMULAS[name]}, finite for |x| ≤ 1e4", atol=1e-6 if name != "relu" else 0.0,
               rtol=1e-5)
    _grade_prelu(kata, x, 0.25, "prelu(x, 0.25) is finite for |x| ≤ 1e4", {"x": x, "a": 0.25}, [])


# ----------------------------------------------------------------------------------------------- derivatives
@pytest.mark.core("relu_grad")
@settings(max_examples=12)
@given(x=tensors(ANY_SHAPE, torch.float32, -20, 20))
@example(x=torch.tensor([-2.0, -0.0, 0.0, 0.0, 1e-30, 1.5, 5.0]))
def test_relu_grad_matches_autograd(kata, x):
    """relu_grad(x) is autograd's derivative of ReLU: 1 for x > 0, 0 otherwise (the subgradient 0 at x = 0)"""
    _grade(kata, "relu_grad", x, FORMULAS["relu_grad"], atol=0.0, rtol=0.0)


@pytest.mark.core("sigmoid_grad")
@settings(max_examples=12)
@given(x=tensors(ANY_SHAPE, torch.float32, -30, 30))
@example(x=torch.tensor([-30.0, -2.0, 0.0, 0.5, 3.0, 30.0]))
def test_sigmoid_grad_matches_autograd(kata, x):
    """sigmoid_grad(x) is autograd's derivative of the sigmoid: s·(1 − s)"""
    _grade(kata, "sigmoid_grad", x, FORMULAS["sigmoid_grad"], atol=1e-6, rtol=1e-5)


@pytest.mark.core("tanh_grad")
@settings(max_examples=12)
@given(x=tensors(ANY_SHAPE, torch.float32, -20, 20))
@example(x=torch.tensor([-20.0, -1.0, 0.0, 0.25, 2.0, 20.0]))
def test_tanh_grad_matches_autograd(kata, x):
    """tanh_grad(x) is autograd's derivative of tanh: 1 − tanh²"""
    _grade(kata, "tanh_grad", x, FORMULAS["tanh_grad"], atol=1e-6, rtol=1e-5)


# ----------------------------------------------------------------------------------------------- float64
def test_float64_in_float64_out(kata):
    """float64 inputs give float64 results, computed in float64 (to 1e-12)"""
    x = torch.cat([torch.linspace(-30, 30, 241, dtype=torch.float64),
                   torch.tensor([0.0, 1e-9, -1e-9, 1e4, -1e4], dtype=torch.float64)])
    for name in FUNCS:
        _grade(kata, name, x, f"{FORMULAS[name]} in float64", atol=1e-12, rtol=1e-9)
    _grade_prelu(kata, x, 0.1, "prelu(x, 0.1) in float64", {"x": x, "a": 0.1}, _hints("relu", x), atol=1e-12)
