"""Graders for ch3/mle.py (gaussian_nll, categorical_nll, mle_gaussian, mle_categorical).

Oracles: ``F.gaussian_nll_loss(ŷ, y, var=σ², full=True)`` and ``F.nll_loss(log probs, y)`` evaluated in float64,
``torch.std(correction=0)`` / ``mean`` for the Gaussian estimates, counts / Σ counts for the categorical one,
``torch.linalg.lstsq`` for the least-squares minimiser, and the grader's own float64 log-likelihoods for the
"is a maximum" properties.

Tolerances. Float32 losses: atol = 1e-6·(1 + max(|inputs|, |loss|)) + rtol 1e-5 — a float32 formula, float64
internals, log σ instead of ½·log σ², or −log of d2l's density (at the residuals used here, |r|/σ ≤ 12, where the
density does not underflow) all pass. Float64 estimates: 1e-12·(1 + max|x|) (the biased std computed from Σx² − nμ²
would also pass at these magnitudes; ddof = 1 differs by a factor √(n/(n−1)) ≥ 1.01 for n ≤ 50).

Mistakes with their own hints: σ used as a variance, the ½·log(2πσ²) term dropped (or without its ½), sum instead
of mean, (n, 1) − (n,) broadcasting, probs[:, y] (an (n, n) gather), the log of the whole row, log(p + ε) or a
clamp, 0·log 0 = NaN from a one-hot product, the unbiased std, the variance instead of the std, Laplace smoothing.
The engine checks on every call that inputs are unchanged, the dtype and the device.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, scale_atol
from tests.helpers import call, near
from tests.strategies import floats, labels, tensors

SIGMAS = st.sampled_from([0.5, 0.7, 1.5, 2.0, 3.5, 1.0])
LOG2PI = math.log(2 * math.pi)


# ================================================================================================ gaussian_nll
def _gauss64(y_hat, y, sigma):
    """The oracle: F.gaussian_nll_loss(full=True) in float64 (var = σ², far above its 1e-6 clamp here)."""
    yh = y_hat.detach().double()
    var = torch.full_like(yh, float(sigma) ** 2)
    return F.gaussian_nll_loss(yh, y.detach().double().reshape(yh.shape), var, full=True, reduction="mean")


def _gauss_hints(y_hat, y, sigma):
    """One hint per recognisable mistake, each shown when the learner's value is that mistake's value."""
    s = float(sigma)
    yh = y_hat.detach().double()
    r2 = (y.detach().double().reshape(yh.shape) - yh) ** 2
    n = yh.numel()

    def value(const, quad_den):
        return float((const + r2 / quad_den).mean())

    right = value(0.5 * math.log(2 * math.pi * s * s), 2 * s * s)
    wrong = {
        "var": value(0.5 * math.log(2 * math.pi * s), 2 * s),
        "var_quad": value(0.5 * math.log(2 * math.pi * s * s), 2 * s),
        "no_const": value(0.0, 2 * s * s),
        "no_half": value(math.log(2 * math.pi * s * s), 2 * s * s),
        "quad_no_2": value(0.5 * math.log(2 * math.pi * s * s), s * s),
    }

    def is_(key):
        return lambda g, w: isinstance(g, torch.Tensor) and g.numel() == 1 and abs(wrong[key] - right) > 1e-6 \
            and near(float(g.detach()), wrong[key], 1e-5, rel=True)

    hints = [
        Hint(f"σ is a standard deviation (σ = {s:g}), so the variance is σ² = {s * s:g}: you used σ itself as the "
             "variance. The NLL is ½·log(2πσ²) + (y − ŷ)²/(2σ²).", when=lambda g, w: is_("var")(g, w)
             or is_("var_quad")(g, w)),
        Hint("the constant ½·log(2πσ²) is missing: it does not move the minimiser, but without it the value is not "
             "the negative log-likelihood (−log of the Gaussian density).", when=is_("no_const")),
        Hint("the constant is ½·log(2πσ²) — the log of 1/√(2πσ²) — not log(2πσ²).", when=is_("no_half")),
        Hint("the squared residual is divided by 2σ², not by σ².", when=is_("quad_no_2")),
        Hint("average over the examples (.mean()), do not sum.",
             when=lambda g, w: n > 1 and isinstance(g, torch.Tensor) and g.numel() == 1
             and near(float(g.detach()), right * n, 1e-5, rel=True)),
        Hint("return the mean as a 0-d tensor (.mean() over all elements).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() != 0),
    ]
    return hints


def _gauss_call(kata, y_hat, y, sigma, prop, inputs, hints):
    got = call(kata.gaussian_nll, y_hat, y, sigma, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), hints=hints)
    return got


@st.composite
def _regression_pair(draw, lo=-3.0, hi=3.0):
    """(ŷ, y) float32 of one shape, (n,) or (n, 1), entries in [lo, hi]."""
    n = draw(st.integers(1, 6))
    shape = draw(st.sampled_from([(n,), (n, 1)]))
    return draw(tensors(shape, torch.float32, lo, hi)), draw(tensors(shape, torch.float32, lo, hi))


@pytest.mark.core("gaussian_nll")
@settings(max_examples=25)
@given(pair=_regression_pair(), sigma=SIGMAS)
@example(pair=(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 1.0, 4.0])), sigma=2.0)
@example(pair=(torch.tensor([0.0, 0.0]), torch.tensor([1.0, -1.0])), sigma=0.5)
@example(pair=(torch.tensor([[0.5], [-1.0]]), torch.tensor([[0.5], [2.0]])), sigma=1.0)
def test_gaussian_nll_matches_torch(kata, pair, sigma):
    """gaussian_nll(ŷ, y, σ) equals F.gaussian_nll_loss(ŷ, y, var=σ², full=True): mean(½·log(2πσ²) + (y − ŷ)²/(2σ²))"""
    y_hat, y = pair
    inputs = {"y_hat": y_hat, "y": y, "sigma": sigma}
    prop = "gaussian_nll(ŷ, y, σ) = mean(½·log(2πσ²) + (y − ŷ)²/(2σ²))"
    hints = _gauss_hints(y_hat, y, sigma)
    got = _gauss_call(kata, y_hat.clone(), y.clone(), sigma, prop, inputs, hints)
    want = _gauss64(y_hat, y, sigma)
    expect_close(got, want, prop, inputs=inputs, atol=scale_atol(y_hat, y, want), rtol=1e-5, hints=hints)


def test_gaussian_nll_reshapes_y(kata):
    """y of shape (n,) is reshaped to ŷ's shape (n, 1): no (n, n) broadcasting"""
    cases = [(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([1.5, 1.0, 4.0]), 2.0),
             (torch.tensor([[0.0], [1.0]]), torch.tensor([2.0, -1.0]), 0.7)]
    for y_hat, y, sigma in cases:
        inputs = {"y_hat": y_hat, "y": y, "sigma": sigma}
        n = len(y)
        yh, yy = y_hat.double(), y.double()
        var = sigma ** 2
        broadcast = float((0.5 * math.log(2 * math.pi * var) + (yy - yh) ** 2 / (2 * var)).mean())   # (n, n)
        prop = "gaussian_nll(ŷ (n, 1), y (n,), σ) reshapes y to (n, 1) first"
        hints = [Hint(f"y has shape {tuple(y.shape)} and ŷ {tuple(y_hat.shape)}: y − ŷ broadcasts to an ({n}, {n}) "
                      "matrix of every pair. Reshape y to ŷ's shape first: y = y.reshape(y_hat.shape).",
                      when=lambda g, w: isinstance(g, torch.Tensor) and g.numel() == 1
                      and near(float(g.detach()), broadcast, 1e-5, rel=True))] + _gauss_hints(y_hat, y, sigma)
        got = _gauss_call(kata, y_hat.clone(), y.clone(), sigma, prop, inputs, hints)
        expect_close(got, _gauss64(y_hat, y, sigma), prop, inputs=inputs, atol=scale_atol(y_hat, y, 10.0),
                     rtol=1e-5, hints=hints)


def test_gaussian_nll_sigma_tensor_and_dtype(kata):
    """σ may be a 0-d tensor (float32 or float64); the result keeps ŷ's dtype (float32 → float32, float64 → float64)"""
    y_hat = torch.tensor([0.5, -1.0, 2.0])
    y = torch.tensor([1.0, 0.0, 2.5])
    for sigma, dtype in [(torch.tensor(1.5), torch.float32), (torch.tensor(0.8, dtype=torch.float64), torch.float32),
                         (torch.tensor(2.5, dtype=torch.float64), torch.float64), (0.6, torch.float64)]:
        yh, yy = y_hat.to(dtype), y.to(dtype)
        inputs = {"y_hat": yh, "y": yy, "sigma": sigma}
        prop = "gaussian_nll accepts σ as a 0-d tensor and returns a 0-d tensor of ŷ's dtype"
        hints = _gauss_hints(yh, yy, sigma) + [
            "make σ a tensor of ŷ's dtype and device: torch.as_tensor(sigma, dtype=y_hat.dtype, device=y_hat.device)."]
        got = _gauss_call(kata, yh.clone(), yy.clone(), sigma.clone() if isinstance(sigma, torch.Tensor) else sigma,
                          prop, inputs, hints)
        expect_tensor(got, prop, inputs=inputs, shape=(), dtype=dtype, hints=hints)
        tol = 1e-12 if dtype == torch.float64 and not (isinstance(sigma, torch.Tensor) and sigma.dtype == torch.float32) \
            else scale_atol(yh, yy, 10.0)
        expect_close(got, _gauss64(yh, yy, sigma), prop, inputs=inputs, atol=tol, rtol=1e-6 if tol == 1e-12 else 1e-5,
                     hints=hints)


def test_gaussian_nll_gradient_is_scaled_squared_loss_gradient(kata):
    """for fixed σ, ∂ gaussian_nll / ∂ŷ = (1/σ²)·∂(½·MSE)/∂ŷ = (ŷ − y)/(n·σ²)"""
    y_hat0 = torch.tensor([0.5, -1.0, 2.0, 0.25], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 2.5, -0.75], dtype=torch.float64)
    for sigma in (0.5, 1.0, 3.0):
        y_hat = y_hat0.clone().requires_grad_(True)
        inputs = {"y_hat": y_hat0, "y": y, "sigma": sigma}
        prop = "gaussian_nll is differentiable in ŷ, with gradient (ŷ − y)/(n·σ²)"
        loss = call(kata.gaussian_nll, y_hat, y.clone(), sigma, prop=prop, inputs=inputs)
        expect(isinstance(loss, torch.Tensor) and loss.requires_grad, prop, inputs=inputs,
               expected="a 0-d tensor with requires_grad=True", got=loss,
               hints=["build the loss from tensor operations on ŷ (no .item(), no float(), no torch.no_grad())."])
        (grad,) = torch.autograd.grad(loss.sum(), y_hat)
        want = (y_hat0 - y) / (len(y) * sigma ** 2)
        expect_close(grad, want, prop, inputs=inputs, atol=1e-12, rtol=1e-9,
                     hints=[Hint("the gradient is σ times too large: the squared residual is divided by 2σ² (σ² the "
                                 "variance), not by 2σ.", when=lambda g, w: sigma != 1.0 and near(g, w * sigma, 1e-9)),
                            Hint("the gradient is n times too large: average over the examples.",
                                 when=lambda g, w: near(g, w * len(y), 1e-9))])


def test_gaussian_nll_has_the_least_squares_minimiser(kata):
    """the ŵ of least squares (torch.linalg.lstsq) minimises gaussian_nll(X ŵ, y, σ) for every σ: the gradient vanishes"""
    g = torch.Generator().manual_seed(5)
    X = torch.randn(20, 3, generator=g, dtype=torch.float64)
    y = X @ torch.tensor([2.0, -3.4, 0.5], dtype=torch.float64) + 4.2 + 0.3 * torch.randn(20, generator=g,
                                                                                          dtype=torch.float64)
    A = torch.cat([X, torch.ones(20, 1, dtype=torch.float64)], dim=1)               # (20, 4): weights and bias
    w_star = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)              # (4,)
    for sigma in (0.3, 1.0, 4.0):
        w = w_star.clone().requires_grad_(True)
        inputs = {"X": "(20, 3) standard normal, float64, plus a column of ones", "y": "X·[2, −3.4, 0.5] + 4.2 + noise",
                  "w": w_star, "sigma": sigma}
        prop = "∂ gaussian_nll(A·ŵ, y, σ)/∂ŵ = 0 at the least-squares ŵ (MLE under Gaussian noise = least squares)"
        loss = call(kata.gaussian_nll, A @ w, y.clone(), sigma, prop=prop, inputs=inputs)
        expect(isinstance(loss, torch.Tensor) and loss.requires_grad, prop, inputs=inputs,
               expected="a 0-d tensor with requires_grad=True", got=loss)
        (grad,) = torch.autograd.grad(loss.sum(), w)
        expect_close(grad, torch.zeros(4, dtype=torch.float64), prop, inputs=inputs, atol=1e-10, rtol=0,
                     hints=["the NLL is (1/σ²)·(½·squared error) + a constant: its minimiser does not depend on σ. "
                            "Check the sign and the square of the residual (y − ŷ)²."])


@given(sigma=SIGMAS)
@settings(max_examples=6)
def test_gaussian_nll_increases_with_the_residual(kata, sigma):
    """gaussian_nll(0, r, σ) is symmetric in r and strictly increasing in |r|"""
    rs = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0]
    vals = {}
    for r in rs + [-v for v in rs[1:]]:
        inputs = {"y_hat": torch.zeros(1), "y": torch.tensor([r]), "sigma": sigma}
        prop = "gaussian_nll(ŷ = 0, y = r, σ) returns a 0-d tensor"
        got = _gauss_call(kata, torch.zeros(1), torch.tensor([r]), sigma, prop, inputs, [])
        vals[r] = float(got.detach())
    inputs = {"y_hat": "[0.0]", "y": f"[r] for r in ±{rs}", "sigma": sigma}
    pos = [vals[r] for r in rs]
    expect(all(a < b for a, b in zip(pos, pos[1:])), "gaussian_nll grows strictly with |y − ŷ|", inputs=inputs,
           expected="strictly increasing values", got=[round(v, 6) for v in pos],
           hints=["the residual enters squared: (y − ŷ)²/(2σ²)."])
    expect(all(abs(vals[r] - vals[-r]) <= 1e-6 * (1 + abs(vals[r])) for r in rs[1:]),
           "gaussian_nll(0, r, σ) = gaussian_nll(0, −r, σ)", inputs=inputs,
           expected=[round(vals[r], 6) for r in rs[1:]], got=[round(vals[-r], 6) for r in rs[1:]],
           hints=["square the residual: (y − ŷ)², not (y − ŷ)."])
    expect_close(vals[0.0], 0.5 * math.log(2 * math.pi * sigma ** 2),
                 "at zero residual the NLL is the constant ½·log(2πσ²)", inputs=inputs, atol=1e-6, rtol=1e-6,
                 hints=_gauss_hints(torch.zeros(1), torch.zeros(1), sigma))


# ================================================================================================ categorical_nll
def _cat64(probs, y):
    return F.nll_loss(torch.log(probs.detach().double()), y, reduction="mean")


def _cat_hints(probs, y):
    P = probs.detach().double()
    n = P.shape[0]
    logs = -torch.log(P)
    mistakes = {
        "columns": float(logs[:, y].mean()) if n > 1 else None,
        "row_sum": float(logs.sum(dim=1).mean()),
        "sum": float(logs[torch.arange(n), y].sum()) if n > 1 else None,
    }
    right = float(logs[torch.arange(n), y].mean())

    def is_(key):
        v = mistakes[key]
        return lambda g, w: v is not None and math.isfinite(v) and abs(v - right) > 1e-6 * (1 + abs(right)) \
            and isinstance(g, torch.Tensor) and g.numel() == 1 and near(float(g.detach()), v, 1e-5, rel=True)

    return [
        Hint("probs[:, y] picks a whole column for every label (an (n, n) matrix), so you averaged over every pair "
             "of example and label. Pick one probability per example: probs[torch.arange(n), y].",
             when=is_("columns")),
        Hint("you took −log of every entry of the row and added them up; the likelihood of example i is the "
             "probability of its own label only, probs[i, y[i]].", when=is_("row_sum")),
        Hint("average over the examples (.mean()), do not sum.", when=is_("sum")),
        Hint("NaN: 0·log 0 is NaN in floating point (0 · (−inf)). Do not multiply a one-hot matrix with log(probs): "
             "pick the label's probability instead, then take its log.",
             when=lambda g, w: isinstance(g, torch.Tensor) and bool(g.detach().isnan().any())),
        Hint("return the mean as a 0-d tensor.", when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() != 0),
    ]


def _cat_call(kata, probs, y, prop, inputs, hints):
    got = call(kata.categorical_nll, probs, y, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), hints=hints)
    return got


@st.composite
def _probs_and_labels(draw):
    n = draw(st.integers(1, 6))
    q = draw(st.integers(2, 5))
    logits = draw(tensors((n, q), torch.float32, -6.0, 6.0))
    return torch.softmax(logits, dim=1), draw(labels(n, q))


@pytest.mark.core("categorical_nll")
@settings(max_examples=25)
@given(py=_probs_and_labels())
@example(py=(torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]), torch.tensor([2, 0])))
@example(py=(torch.tensor([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]]), torch.tensor([1, 1, 0])))
def test_categorical_nll_matches_nll_loss(kata, py):
    """categorical_nll(probs, y) equals F.nll_loss(log probs, y): the mean of −log probs[i, y_i]"""
    probs, y = py
    inputs = {"probs": probs, "y": y}
    prop = "categorical_nll(probs, y) = mean_i(−log probs[i, y_i])"
    hints = _cat_hints(probs, y)
    got = _cat_call(kata, probs.clone(), y.clone(), prop, inputs, hints)
    want = _cat64(probs, y)
    expect_close(got, want, prop, inputs=inputs, atol=scale_atol(want), rtol=1e-5, hints=hints)


def test_categorical_nll_is_zero_for_certain_predictions(kata):
    """categorical_nll is exactly 0 when every probs[i, y_i] = 1 (the other entries exactly 0)"""
    for y, q in [([0, 2, 1], 3), ([1], 2), ([3, 3, 0, 1], 4)]:
        y = torch.tensor(y)
        probs = F.one_hot(y, q).to(torch.float32)
        inputs = {"probs": probs, "y": y}
        prop = "categorical_nll(one_hot(y), y) = 0 exactly"
        hints = _cat_hints(probs, y)
        got = _cat_call(kata, probs.clone(), y.clone(), prop, inputs, hints)
        expect(float(got.detach()) == 0.0, prop, inputs=inputs, expected=0.0, got=got, hints=hints)


def test_categorical_nll_tiny_probabilities(kata):
    """categorical_nll is exact for label probabilities down to 1e-20, and inf when one is exactly 0"""
    cases = [
        (torch.tensor([[1e-20, 1.0]]), torch.tensor([0])),
        (torch.tensor([[0.5, 0.5, 1e-20], [1e-10, 0.0, 1.0], [1e-5, 1 - 1e-5, 0.0]]), torch.tensor([0, 0, 0])),
        (torch.tensor([[1e-20, 1.0], [0.25, 0.75]]), torch.tensor([0, 1])),
    ]
    for probs, y in cases:
        inputs = {"probs": probs, "y": y}
        prop = "categorical_nll(probs, y) = mean(−log probs[i, y_i]), for probabilities as small as 1e-20"
        hints = _tiny_hints(probs, y)
        got = _cat_call(kata, probs.clone(), y.clone(), prop, inputs, hints)
        want = _cat64(probs, y)
        expect_close(got, want, prop, inputs=inputs, atol=scale_atol(want), rtol=1e-5, hints=hints)
    probs, y = torch.tensor([[0.0, 1.0], [0.5, 0.5]]), torch.tensor([0, 1])
    inputs = {"probs": probs, "y": y}
    hints = _tiny_hints(probs, y)
    got = _cat_call(kata, probs.clone(), y.clone(), "categorical_nll is inf when a label has probability 0",
                    inputs, hints)
    expect(float(got.detach()) == math.inf, "categorical_nll is +inf when a label's probability is exactly 0 "
           "(−log 0 = inf: the data are impossible under the model)", inputs=inputs, expected=math.inf, got=got,
           hints=hints)


def _tiny_hints(probs, y):
    return _cat_hints(probs, y) + [
        Hint("you changed the probabilities before the log (p + ε, or a clamp): −log(1e-20) = 46.05 but "
             "−log(1e-20 + 1e-9) = 20.7, and an exact 0 must give inf. Take the log of the probabilities as "
             "given.", when=lambda g, w: isinstance(g, torch.Tensor) and g.numel() == 1
             and bool(g.detach().isfinite()) and float(g.detach()) < float(w) - 1e-3)]


def test_categorical_nll_float64(kata):
    """float64 probabilities give a float64 result equal to F.nll_loss to 1e-12"""
    probs = torch.softmax(torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0], [0.2, 0.1, 0.0]],
                                       dtype=torch.float64), dim=1)
    y = torch.tensor([1, 0, 2])
    inputs = {"probs": probs, "y": y}
    prop = "categorical_nll of float64 probabilities is a float64 0-d tensor"
    hints = _cat_hints(probs, y)
    got = _cat_call(kata, probs.clone(), y.clone(), prop, inputs, hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), dtype=torch.float64, hints=hints)
    expect_close(got, _cat64(probs, y), prop, inputs=inputs, atol=1e-12, rtol=1e-12, hints=hints)


# ================================================================================================ mle_gaussian
def _gauss_estimate_hints(x):
    x = x.double()
    n = x.numel()
    alt = {
        "unbiased": float(x.std(correction=1)) if n > 1 else None,
        "variance": float(x.var(correction=0)),
        "unbiased_variance": float(x.var(correction=1)) if n > 1 else None,
    }
    right = float(x.std(correction=0))

    def sigma_is(key):
        v = alt[key]
        return lambda g, w: v is not None and abs(v - right) > 1e-9 * (1 + right) and _sigma_near(g, v)

    return [
        Hint("that is the unbiased standard deviation (divide by n − 1, torch's default correction=1). The "
             "likelihood is maximised by dividing by n: σ̂ = sqrt(mean((x − μ̂)²)).", when=sigma_is("unbiased")),
        Hint("σ̂ is a standard deviation: you returned the variance. Take the square root.",
             when=lambda g, w: sigma_is("variance")(g, w) or sigma_is("unbiased_variance")(g, w)),
        Hint("return (mu, sigma) in that order.", when=lambda g, w: isinstance(g, (tuple, list)) and len(g) == 2
             and _num(g[0]) is not None and _num(g[1]) is not None and abs(_num(g[0]) - right) < 1e-9 * (1 + right)
             and abs(_num(g[1]) - float(x.mean())) < 1e-9 * (1 + abs(float(x.mean()))) and abs(right - float(x.mean())) > 1e-6),
    ]


def _num(v):
    try:
        return float(v.detach()) if isinstance(v, torch.Tensor) and v.numel() == 1 else None
    except Exception:  # noqa: BLE001
        return None


def _sigma_near(g, v):
    if not (isinstance(g, (tuple, list)) and len(g) == 2):
        return False
    s = _num(g[1])
    return s is not None and abs(s - v) <= 1e-9 * (1 + abs(v))


def _mle_g_call(kata, x, prop, inputs, hints):
    got = call(kata.mle_gaussian, x.clone(), prop=prop, inputs=inputs, hints=hints)
    expect(isinstance(got, (tuple, list)) and len(got) == 2, "mle_gaussian returns a pair (mu, sigma)",
           inputs=inputs, expected="(mu, sigma)", got=got, hints=hints)
    for name, v in zip(("mu", "sigma"), got):
        expect_tensor(v, f"mle_gaussian's {name} is a float64 0-d tensor", inputs=inputs, shape=(),
                      dtype=torch.float64, hints=["compute in float64 (x.to(torch.float64)) and reduce to 0-d "
                                                  "tensors (x.mean(), not x.mean().item())."])
    return got


@st.composite
def _samples(draw, min_n=1, max_n=30, lo=-50.0, hi=50.0):
    n = draw(st.integers(min_n, max_n))
    return draw(tensors((n,), torch.float64, lo, hi))


@pytest.mark.core("mle_gaussian")
@settings(max_examples=25)
@given(x=_samples(min_n=2))
@example(x=torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64))
@example(x=torch.tensor([2.5, -1.0, 7.0], dtype=torch.float64))
def test_mle_gaussian_is_mean_and_biased_std(kata, x):
    """mle_gaussian(x) = (x.mean(), x.std(correction=0)): the mean and the biased (divide by n) standard deviation"""
    inputs = {"x": x}
    hints = _gauss_estimate_hints(x)
    got = _mle_g_call(kata, x, "mle_gaussian(x) = (mean, biased std)", inputs, hints)
    tol = 1e-12 * (1 + float(x.abs().max()))
    expect_close(got[0], x.mean(), "mu = mean(x)", inputs=inputs, atol=tol, rtol=1e-12, hints=hints)
    expect_close(got[1], x.std(correction=0), "sigma = sqrt(mean((x − mu)²)), the biased (ddof = 0) standard deviation",
                 inputs=inputs, atol=tol, rtol=1e-10,
                 hints=[Hint(h.text, when=(lambda h: lambda g, w: h.applies(got, w))(h)) for h in hints])


def test_mle_gaussian_single_point_and_input_unchanged(kata):
    """a float64 sample is not modified; one observation gives (x, 0)"""
    x = torch.tensor([3.25, -1.5, 0.0, 8.0, 2.0], dtype=torch.float64)
    x0 = x.clone()
    inputs = {"x": x0}
    got = call(kata.mle_gaussian, x, prop="mle_gaussian(x) runs", inputs=inputs)
    expect_equal(x, x0, "mle_gaussian leaves the sample x unchanged", inputs=inputs,
                 hints=["compute into new tensors (x - mu, not x -= mu)."])
    x1 = torch.tensor([4.5], dtype=torch.float64)
    inputs = {"x": x1}
    hints = ["with one observation the mean is that value and the biased std is 0 (the unbiased one divides by "
             "n − 1 = 0 and gives NaN)."]
    got = _mle_g_call(kata, x1, "mle_gaussian of a single observation", inputs, hints)
    expect_close(got[0], 4.5, "mle_gaussian([4.5]) gives mu = 4.5", inputs=inputs, atol=0, rtol=0, hints=hints)
    expect_close(got[1], 0.0, "mle_gaussian([4.5]) gives sigma = 0", inputs=inputs, atol=0, rtol=0, hints=hints)


def _nll_sample(x, mu, sigma):
    return float((0.5 * torch.log(2 * math.pi * torch.as_tensor(sigma, dtype=torch.float64) ** 2)
                  + (x - mu) ** 2 / (2 * torch.as_tensor(sigma, dtype=torch.float64) ** 2)).sum())


@settings(max_examples=12)
@given(x=_samples(min_n=3, max_n=20, lo=-10.0, hi=10.0))
@example(x=torch.tensor([1.0, 2.0, 4.0, 8.0], dtype=torch.float64))
def test_mle_gaussian_maximises_the_likelihood(kata, x):
    """the sample's NLL at (μ̂, σ̂) is ≤ its NLL at every perturbed (μ̂ ± δ·σ̂, σ̂·(1 ± δ))"""
    if float(x.std(correction=0)) < 1e-3:
        x = x + torch.arange(len(x), dtype=torch.float64)   # a spread-out sample (σ̂ > 0)
    inputs = {"x": x}
    hints = _gauss_estimate_hints(x)
    got = _mle_g_call(kata, x, "mle_gaussian(x) returns (mu, sigma)", inputs, hints)
    mu, sigma = float(got[0]), float(got[1])
    expect(math.isfinite(mu) and math.isfinite(sigma) and sigma > 0, "σ̂ > 0 for a sample of distinct values",
           inputs=inputs, expected="a positive, finite sigma", got=got, hints=hints)
    base = _nll_sample(x, mu, sigma)
    for d in (1e-3, 1e-2, 0.1):
        for mu2, s2 in ((mu + d * sigma, sigma), (mu - d * sigma, sigma), (mu, sigma * (1 + d)),
                        (mu, sigma * (1 - d))):
            other = _nll_sample(x, mu2, s2)
            if not base <= other + 1e-12 * abs(other):
                fail("(μ̂, σ̂) maximises the likelihood: every perturbation raises the NLL",
                     inputs={**inputs, "(mu, sigma)": (mu, sigma), "perturbed": (mu2, s2)},
                     expected=f"NLL ≤ {other:.12g}", got=f"NLL {base:.12g} at your (mu, sigma)", hints=hints,
                     hint_got=got, hint_expected=None)


def test_mle_gaussian_is_affine_equivariant(kata):
    """mle_gaussian(a·x + b) = (a·μ̂ + b, |a|·σ̂)"""
    x = torch.tensor([0.5, 1.0, -2.0, 3.0, 0.25, 1.75], dtype=torch.float64)
    base = _mle_g_call(kata, x, "mle_gaussian(x) returns (mu, sigma)", {"x": x}, _gauss_estimate_hints(x))
    for a, b in ((2.0, 1.0), (-3.0, 0.5), (0.1, -4.0)):
        xa = a * x + b
        inputs = {"x": xa, "a": a, "b": b}
        got = _mle_g_call(kata, xa, "mle_gaussian(a·x + b) returns (mu, sigma)", inputs, _gauss_estimate_hints(xa))
        expect_close(got[0], a * base[0] + b, "mu(a·x + b) = a·mu(x) + b", inputs=inputs, atol=1e-12, rtol=1e-12)
        expect_close(got[1], abs(a) * base[1], "sigma(a·x + b) = |a|·sigma(x) (a standard deviation is ≥ 0)",
                     inputs=inputs, atol=1e-12, rtol=1e-12,
                     hints=[Hint("σ̂ scales like |a|, as a standard deviation does (a variance would scale like a²).",
                                 when=lambda g, w: near(g, w * abs(a), 1e-9, rel=True))])


# ================================================================================================ mle_categorical
def _cat_estimate_hints(counts):
    c = counts.double()
    q = c.numel()
    laplace = (c + 1) / (c.sum() + q)
    return [
        Hint("that is Laplace smoothing ((counts + 1)/(Σ + q)): ch8 adds pseudo-counts on purpose, but it is not "
             "the maximum-likelihood estimate. The MLE is counts / counts.sum(), zeros included.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == laplace.shape and near(g, laplace, 1e-9)),
        Hint("divide by the total count Σ counts, so that the probabilities sum to 1.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == c.shape and not near(g.sum(), 1.0, 1e-6)),
        Hint("return float64 probabilities: counts.to(torch.float64) / total (an int64 division by the total "
             "truncates, float32 loses digits).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != torch.float64),
    ]


def _mle_c_call(kata, counts, prop, inputs, hints):
    got = call(kata.mle_categorical, counts.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=counts.shape, dtype=torch.float64, hints=hints)
    return got


@st.composite
def _counts(draw):
    q = draw(st.integers(1, 8))
    c = draw(st.lists(st.integers(0, 50), min_size=q, max_size=q).filter(lambda v: sum(v) > 0))
    dtype = draw(st.sampled_from([torch.int64, torch.float64]))
    return torch.tensor(c, dtype=dtype)


@pytest.mark.core("mle_categorical")
@settings(max_examples=25)
@given(counts=_counts())
@example(counts=torch.tensor([3, 1, 0, 4]))
@example(counts=torch.tensor([10.0, 30.0], dtype=torch.float64))
def test_mle_categorical_is_relative_frequency(kata, counts):
    """mle_categorical(counts) = counts / Σ counts, in float64"""
    inputs = {"counts": counts}
    hints = _cat_estimate_hints(counts)
    prop = "mle_categorical(counts) = counts / counts.sum() (float64)"
    got = _mle_c_call(kata, counts, prop, inputs, hints)
    want = counts.double() / counts.double().sum()
    expect_close(got, want, prop, inputs=inputs, atol=1e-15, rtol=1e-12, hints=hints)


def test_mle_categorical_sums_to_one_and_keeps_zeros(kata):
    """the estimate sums to 1 and a class never seen gets probability exactly 0"""
    for counts in (torch.tensor([0, 5, 0, 2, 0]), torch.tensor([0.0, 0.0, 7.0], dtype=torch.float64),
                   torch.tensor([1, 1, 1])):
        inputs = {"counts": counts}
        hints = _cat_estimate_hints(counts)
        got = _mle_c_call(kata, counts, "mle_categorical returns (q,) float64 probabilities", inputs, hints)
        expect_close(got.sum(), 1.0, "Σ p̂ = 1", inputs=inputs, atol=1e-12, rtol=0, hints=hints)
        zero = counts == 0
        expect(bool((got[zero] == 0).all()), "a class with count 0 gets probability exactly 0 (the MLE)",
               inputs=inputs, expected="0 where counts == 0", got=got, hints=hints)


def _loglik(counts, p):
    c = counts.double()
    terms = torch.where(c > 0, c * torch.log(p), torch.zeros_like(c))   # 0·log 0 = 0
    return float(terms.sum())


def test_mle_categorical_maximises_the_likelihood(kata):
    """moving p̂ anywhere inside the simplex lowers the multinomial log-likelihood Σ counts·log p"""
    g = torch.Generator().manual_seed(3)
    for counts in (torch.tensor([3, 1, 0, 4]), torch.tensor([10, 20, 30]), torch.tensor([0, 0, 5, 1, 1])):
        inputs = {"counts": counts}
        hints = _cat_estimate_hints(counts)
        got = _mle_c_call(kata, counts, "mle_categorical returns (q,) float64 probabilities", inputs, hints)
        base = _loglik(counts, got)
        expect(math.isfinite(base), "the log-likelihood at p̂ is finite (every observed class has p̂ > 0)",
               inputs=inputs, expected="a finite log-likelihood", got=got, hints=hints)
        for _ in range(20):
            r = torch.rand(len(counts), generator=g, dtype=torch.float64)
            r = r / r.sum()                                                  # a random point of the simplex
            for eps in (1e-3, 0.1):
                p = (1 - eps) * got + eps * r
                other = _loglik(counts, p)
                expect(base >= other - 1e-12 * abs(other), "p̂ maximises Σ counts·log p over the simplex",
                       inputs={**inputs, "p̂": got, "another p": p}, expected=f"log-likelihood ≥ {other:.12g}",
                       got=f"{base:.12g} at your p̂", hints=hints)
