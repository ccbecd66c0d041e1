"""Graders for ch4/distribution_shift.py (covariate_weights, label_shift_weights).

covariate_weights is graded on data with KNOWN densities, q = N(0, 1) for training and p = N(1, 1) for test, where
the true weight is β(x) = p(x)/q(x) = exp(x − ½) (log p − log q = −(x−1)²/2 + x²/2 = x − ½), and by two exact
properties: when train and test have the same empirical distribution the maximum-likelihood logit is the constant
log(n_te/n_tr), so β = 1 exactly; and clipping is min(β, clip). The statistical graders take the ``stat_seed``
fixture; their bounds are justified next to them (scripts/flake_check.py runs them under 200 seeds).

label_shift_weights is graded exactly: C (column-stochastic, from small integer counts), p and q are built in
float64 and μ = C·p, so β = p/q is known. Tolerance rtol 1e-4: C is column diagonally dominant with
2·C_jj − 1 ≥ 1/33, so ‖C⁻¹‖₁ ≤ 33 = cond₁(C) bound, and even a float32 solve is within ~33 · 6e-8 · a few ≈ 1e-5.
"""
import math

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor, fail
from tests.strategies import dyadic_tensors

N01_HALF = -0.5   # log β(x) = x − ½ for q = N(0,1), p = N(1,1)


def _gaussians(seed, n_tr, n_te, d):
    """X_train ~ N(0, I_d), X_test ~ N(e_1, I_d) (only the first coordinate shifts), float32."""
    g = torch.Generator().manual_seed(seed)
    X_train = torch.randn(n_tr, d, generator=g)
    X_test = torch.randn(n_te, d, generator=g)
    X_test[:, 0] += 1.0
    return X_train, X_test


def _t(g):
    return g.detach().double() if isinstance(g, torch.Tensor) and g.is_floating_point() else None


def _call(fn, *args, prop, inputs, hints=(), **kwargs):
    try:
        return fn(*args, **kwargs)
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        fail(prop, inputs=inputs, expected="a result", got=f"{type(e).__name__}: {e}", hints=hints)


def _covariate_hints(X_train, n_tr, n_te):
    """Hints for the classic covariate-weight mistakes, each shown only when its symptom is present."""

    def mean_near(g, value):
        g = _t(g)
        return g is not None and g.numel() == n_tr and abs(float(g.mean()) / value - 1) < 0.2

    def anticorrelated(g, w):
        g = _t(g)
        if g is None or g.numel() != n_tr or not bool((g > 0).all()):
            return False
        return float(torch.corrcoef(torch.stack([g.log(), x]))[0, 1]) < 0

    def through_origin(g, w):
        # without an intercept h(0) = 0, so β ≈ n_tr/n_te near the origin (the true β(0) is e^(−½) ≈ 0.61)
        g = _t(g)
        if g is None or g.numel() != n_tr or not bool((g > 0).all()):
            return False
        near0 = X_train.double().norm(dim=1) < 0.3
        return bool(near0.sum() > 20) and abs(float(g[near0].log().mean()) - math.log(n_tr / n_te)) < 0.15

    def bounded_by_ratio(g, w):
        g = _t(g)
        return g is not None and g.numel() == n_tr and float(g.max()) <= n_tr / n_te * (1 + 1e-6) \
            and float(g.max()) > 0.5 * n_tr / n_te and float(true.max()) > 3 * n_tr / n_te

    x = X_train[:, 0].double()
    true = torch.exp(x + N01_HALF)
    return [
        Hint(f"your weights average ≈ n_test/n_train = {n_te / n_tr:.3g} instead of 1: the classifier's odds "
             "P(test|x)/P(train|x) = (n_test/n_train)·p(x)/q(x) carry the prior odds of the two sample sizes. "
             "Multiply exp(h(x)) by n_train / n_test (d2l's β = exp(h) assumes equal sizes).",
             when=lambda g, w: n_tr != n_te and mean_near(g, n_te / n_tr)),
        Hint(f"your weights average ≈ (n_test/n_train)² = {(n_te / n_tr) ** 2:.3g}: the size correction goes the "
             "other way, β = exp(h(x)) · n_train / n_test.",
             when=lambda g, w: n_tr != n_te and mean_near(g, (n_te / n_tr) ** 2)),
        Hint("your weights shrink where test points are denser: β must grow with p(x)/q(x). Label the test "
             "examples 1 and the training examples 0, and use exp(h(x)) (h = the logit of P(test | x)), not "
             "exp(−h(x)).", when=anticorrelated),
        Hint(f"near x = 0 your weights are ≈ n_train/n_test = {n_tr / n_te:.3g}, i.e. your logit h(0) = 0, but here "
             "log β(x) = x − ½ (β(0) ≈ 0.61) and the best logit is h(x) = x − ½ + log(n_test/n_train). The "
             "logistic regression needs an intercept (a bias b in h(x) = w·x + b, or a column of ones).",
             when=through_origin),
        Hint("your weights never exceed n_train/n_test, as if they were the probability σ(h) = P(test | x). The "
             "density ratio is the odds: β = exp(h(x)) · n_train/n_test = σ/(1 − σ) · n_train/n_test.",
             when=lambda g, w: bounded_by_ratio(g, w) and not mean_near(g, n_te / n_tr)
             and not mean_near(g, (n_te / n_tr) ** 2)),
    ]


CONVERGE_HINT = Hint("run the fit to convergence: Newton's method converges in ~10 steps; plain gradient descent "
                     "needs standardised features and a few hundred full-batch steps (start from zeros).")


def _with_fallback(hints):
    """The specific hints, plus the convergence hint when none of them applies."""
    def none_applies(g, w):
        return not any(h.applies(g, w) for h in hints)
    return hints + [Hint(CONVERGE_HINT.text, when=none_applies)]


# ----------------------------------------------------------------------------------------------- covariate
@settings(max_examples=15)
@given(D=dyadic_tensors(st.tuples(st.integers(2, 6), st.integers(1, 2)), torch.float32, max_abs=2, denom=4),
       a=st.integers(1, 3), b=st.integers(1, 3))
@example(D=torch.tensor([[0.0], [1.0], [2.0]]), a=2, b=1)
@example(D=torch.tensor([[0.5, 0.0], [-1.0, 0.0], [1.5, 0.0]]), a=1, b=3)   # a constant column: singular Hessian
def test_same_distribution_gives_unit_weights(kata, D, a, b):
    """when train and test have the same empirical distribution every weight is 1, whatever the sizes"""
    X_train, X_test = D.repeat(a, 1), D.flip(0).repeat(b, 1)
    n_tr, n_te = len(X_train), len(X_test)
    inputs = {"X_train": X_train, "X_test": X_test}
    prop = ("train = D repeated a times, test = D repeated b times: the best logit is the constant "
            "log(n_test/n_train), so β = exp(h)·n_train/n_test = 1")
    hints = [
        Hint(f"your weights equal n_test/n_train = {n_te / n_tr:.3g}: the classifier's odds are "
             "(n_test/n_train)·p(x)/q(x). Multiply exp(h(x)) by n_train / n_test.",
             when=lambda g, w: _t(g) is not None and n_tr != n_te
             and bool(((_t(g) - n_te / n_tr).abs() < 0.02).all())),
        Hint(f"your weights equal n_train/n_test = {n_tr / n_te:.3g}, as if h(x) were 0: without an intercept the "
             "model cannot fit the constant log(n_test/n_train). Add a bias b to h(x) = w·x + b.",
             when=lambda g, w: _t(g) is not None and n_tr != n_te
             and bool(((_t(g) - n_tr / n_te).abs() < 0.02).all())),
        Hint(f"your weights equal (n_test/n_train)² = {(n_te / n_tr) ** 2:.3g}: the size correction goes the other "
             "way, β = exp(h(x)) · n_train / n_test.",
             when=lambda g, w: _t(g) is not None and n_tr != n_te
             and bool(((_t(g) - (n_te / n_tr) ** 2).abs() < 0.02).all())),
        Hint("exp(−h) instead of exp(h)? The logit of P(test | x) is h; β = exp(h(x))·n_train/n_test.",
             when=lambda g, w: _t(g) is not None and n_tr != n_te
             and bool(((_t(g) - (n_tr / n_te) ** 2).abs() < 0.02).all())),
        Hint("your weights differ between points although train and test contain the same points: the fitted "
             "logit must be the constant log(n_test/n_train). A model without an intercept (h(x) = w·x) cannot "
             "fit a constant: add a bias b, h(x) = w·x + b. (Or the fit has not converged.)",
             when=lambda g, w: _t(g) is not None and _t(g).numel() > 1 and n_tr != n_te
             and float(_t(g).max() - _t(g).min()) > 0.1),
        Hint(f"your weights equal n_train/(n_train + n_test) = {n_tr / (n_tr + n_te):.3g} = σ(h)·n_train/n_test: "
             "you used the probability σ(h) = P(test | x), not the odds exp(h) = σ/(1 − σ).",
             when=lambda g, w: _t(g) is not None and bool(((_t(g) - n_tr / (n_tr + n_te)).abs() < 0.02).all())),
    ]
    hints = _with_fallback(hints)
    got = _call(kata.covariate_weights, X_train.clone(), X_test.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, "covariate_weights returns one weight per training example, shape (n_train,)",
                  inputs=inputs, shape=(n_tr,))
    expect_close(got, torch.ones(n_tr, dtype=torch.float64), prop, inputs=inputs, atol=5e-3, rtol=0, hints=hints)


# Statistical: n_tr = n_te = 10_000 in 1-D. The MLE (ŵ, b̂) of the (well-specified) logit x − ½ is asymptotically
# normal; over 1000 seeds sd(ŵ) = 0.0173, sd(b̂) = 0.0113, correlation −0.77. The median over x ~ N(0,1) of
# |exp(Δb + Δw·x) − 1|, maximised over the 5.4σ ellipse of (Δw, Δb) (a 2-D normal leaves it with probability
# 5.7e-7, the 1-D 5σ tail), is 0.074 < 0.1. (Observed over 1000 seeds: mean 0.0125, sd 0.0077, max 0.046.)
# Bugs are far out: missing or inverted n_tr/n_te would not matter here (n_tr = n_te; the next grader catches
# them), but exp(−h) gives β/true = exp(−2x + 1) and no intercept β/true = exp(½) at w = 1.
def _check_density_ratio(kata, stat_seed):
    n_tr = n_te = 10_000
    X_train, X_test = _gaussians(stat_seed, n_tr, n_te, 1)
    inputs = {"X_train": X_train, "X_test": X_test, "(seed)": stat_seed}
    prop = "median over the training points of |β(x)/exp(x − ½) − 1| < 0.1"
    hints = _with_fallback(_covariate_hints(X_train, n_tr, n_te))
    got = _call(kata.covariate_weights, X_train.clone(), X_test.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, "covariate_weights returns one weight per training example, shape (n_train,)",
                  inputs=inputs, shape=(n_tr,))
    true = torch.exp(X_train[:, 0].double() + N01_HALF)
    err = float((got.detach().double() / true - 1).abs().median())
    if not err < 0.1:
        fail(prop, inputs=inputs, expected="median relative error < 0.1",
             got=f"median relative error {err:.3g}; the first weights {got.detach()[:4].tolist()} at x = "
                 f"{X_train[:4, 0].tolist()}, true {true[:4].tolist()}", hints=hints, hint_got=got)
    return got


@pytest.mark.core("covariate_weights")
def test_recovers_gaussian_density_ratio(kata, stat_seed):
    """on q = N(0,1) (train) and p = N(1,1) (test) the weights match the true ratio exp(x − ½): median |β/true − 1| < 0.1"""
    for k in (0, 1):   # two independent samples: the weights are those of the points given
        _check_density_ratio(kata, stat_seed + 7919 * k)


# Statistical: n_tr = 6000, n_te = 2000 in 2-D (only x₁ shifts). E_q[β] = ∫ p = 1. The sample mean of the fitted
# weights over the training points has sd 0.0076 (Newton MLE) to 0.011 (class-balanced fit), measured over 200
# seeds; the bound 0.1 is ≥ 9σ. Bugs: missing n_tr/n_te gives mean ≈ 1/3, inverted ratio ≈ 1/9, σ(h) ≤ 3·σ ≈ 0.5.
def test_weights_average_to_one(kata, stat_seed):
    """the weights average to ≈ 1 over the training set (E_q[p/q] = 1), also when n_train = 3·n_test"""
    n_tr, n_te = 6000, 2000
    X_train, X_test = _gaussians(1000 + stat_seed, n_tr, n_te, 2)
    inputs = {"X_train": X_train, "X_test": X_test, "(seed)": stat_seed}
    prop = "mean of β over the training points ≈ 1 (E_q[p(x)/q(x)] = ∫p = 1), within 0.1"
    hints = _with_fallback(_covariate_hints(X_train, n_tr, n_te))
    got = _call(kata.covariate_weights, X_train.clone(), X_test.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, "covariate_weights returns one weight per training example, shape (n_train,)",
                  inputs=inputs, shape=(n_tr,))
    mean = float(got.detach().double().mean())
    if not abs(mean - 1) < 0.1:
        fail(prop, inputs=inputs, expected="mean ≈ 1 (±0.1)", got=f"mean {mean:.4g}", hints=hints, hint_got=got)


@settings(max_examples=4)
@given(clip=st.sampled_from([1.0, 2.0, 3.5, 10.0]))
@example(clip=2.0)
def test_clip_is_an_upper_bound(kata, clip):
    """with clip, β_clipped = min(β, clip): weights above clip are set to clip, the others unchanged"""
    X_train, X_test = _gaussians(7, 400, 300, 1)
    inputs = {"X_train": X_train, "X_test": X_test, "clip": clip}
    prop = "covariate_weights(..., clip=c) = min(covariate_weights(...), c) elementwise"
    free = _call(kata.covariate_weights, X_train.clone(), X_test.clone(), prop=prop, inputs=inputs)
    got = _call(kata.covariate_weights, X_train.clone(), X_test.clone(), prop=prop, inputs=inputs, clip=clip)
    expect_tensor(got, prop, inputs=inputs, shape=(len(X_train),))
    expect_tensor(free, prop, inputs=inputs, shape=(len(X_train),))
    want = free.detach().double().clamp(max=clip)
    expect_close(got, want, prop, inputs=inputs, atol=1e-6, rtol=1e-5,
                 hints=[Hint(f"some weights exceed clip = {clip}: apply it at the end, beta.clamp(max=clip) "
                             "(or torch.minimum).",
                             when=lambda g, w: _t(g) is not None and float(_t(g).max()) > clip * (1 + 1e-5)),
                        Hint("only the weights above clip change; clip is an upper bound, not a lower one, and "
                             "not a rescaling.",
                             when=lambda g, w: _t(g) is not None and float(_t(g).max()) <= clip * (1 + 1e-5)
                             and not _slightly_off(g, w)),
                        Hint("your two calls (with and without clip) give slightly different weights everywhere: "
                             "is the fit deterministic? Start from zeros, full-batch, no random numbers.",
                             when=_slightly_off)])


def _slightly_off(g, w):
    g = _t(g)
    if g is None or not isinstance(w, torch.Tensor) or g.shape != w.shape:
        return False
    rel = (g / w.double() - 1).abs()
    return float(rel.max()) < 0.05 and float((rel > 1e-4).double().mean()) > 0.5


def test_deterministic_and_inputs_unchanged(kata):
    """covariate_weights is deterministic (the same data give identical weights) and does not modify its inputs"""
    X_train, X_test = _gaussians(11, 300, 200, 2)
    inputs = {"X_train": X_train, "X_test": X_test}
    a_tr, a_te = X_train.clone(), X_test.clone()
    torch.manual_seed(1)
    first = _call(kata.covariate_weights, a_tr, a_te, prop="covariate_weights runs", inputs=inputs)
    expect(torch.equal(a_tr, X_train) and torch.equal(a_te, X_test), "covariate_weights does not modify X_train "
           "or X_test", inputs=inputs, hints=["build new tensors (torch.cat makes a copy) instead of editing the "
                                              "inputs in place."])
    torch.manual_seed(2)
    torch.rand(17)
    second = _call(kata.covariate_weights, X_train.clone(), X_test.clone(), prop="covariate_weights runs",
                   inputs=inputs)
    expect_tensor(first, "covariate_weights returns a tensor of shape (n_train,)", inputs=inputs,
                  shape=(len(X_train),))
    expect(isinstance(second, torch.Tensor) and torch.equal(first, second),
           "covariate_weights is deterministic: two calls on the same data give identical weights "
           "(even when the global random state differs)", inputs=inputs, expected=first, got=second,
           hints=["the log-loss of logistic regression is convex: start from zeros and use full-batch steps; no "
                  "random initialisation or shuffling is needed."])


# ----------------------------------------------------------------------------------------------- label shift
@st.composite
def label_shift_problems(draw):
    """(C, p, q): C column-stochastic and diagonally dominant, from small integer counts; p, q positive."""
    k = draw(st.integers(2, 5))
    counts = [[draw(st.integers(0, 4)) for _ in range(k)] for _ in range(k)]
    for j in range(k):   # the classifier is decent: the diagonal beats the rest of its column
        counts[j][j] = sum(counts[i][j] for i in range(k) if i != j) + draw(st.integers(1, 8))
    C = torch.tensor(counts, dtype=torch.float64)
    C = C / C.sum(dim=0, keepdim=True)
    p = torch.tensor(draw(st.lists(st.integers(1, 9), min_size=k, max_size=k)), dtype=torch.float64)
    q = torch.tensor(draw(st.lists(st.integers(1, 9), min_size=k, max_size=k)), dtype=torch.float64)
    return C, p / p.sum(), q / q.sum()


def _label_hints(C, p, q, mu):
    def near(g, ref):
        g = _t(g)
        return g is not None and g.shape == ref.shape and bool(((g - ref).abs() <= 1e-4 * (1 + ref.abs())).all())

    transposed = torch.linalg.solve(C.T, mu) / q
    rows = torch.linalg.solve(C / C.sum(dim=1, keepdim=True), mu) / q
    return [
        Hint("you solved Cᵀ·p = μ: rows of C are the predictions and columns the true labels, so the system is "
             "μ = C·p (μ[i] = Σ_j P(ŷ=i | y=j)·p_j) — torch.linalg.solve(C, mu).",
             when=lambda g, w: near(g, transposed) and not near(g, w)),
        Hint("you returned p(y), the solution of C·p = μ: with the conditional C that is the test label "
             "distribution; divide it by q to get β = p/q (the joint matrix C·diag(q) would give β directly).",
             when=lambda g, w: near(g, p) and not near(g, w)),
        Hint("you divided by q twice: solving with the joint matrix C·diag(q) already gives β = p/q; with the "
             "conditional C (this one: columns sum to 1) solve C·p = μ and divide by q once.",
             when=lambda g, w: near(g, p / q ** 2) and not near(g, w)),
        Hint("C's columns already sum to 1 (C[i, j] = P(ŷ=i | y=j)); normalising its rows changes the system.",
             when=lambda g, w: near(g, rows) and not near(g, w)),
    ]


@pytest.mark.core("label_shift_weights")
@given(problem=label_shift_problems())
@example(problem=(torch.tensor([[0.9, 0.2], [0.1, 0.8]], dtype=torch.float64),
                  torch.tensor([0.2, 0.8], dtype=torch.float64), torch.tensor([0.5, 0.5], dtype=torch.float64)))
@example(problem=(torch.tensor([[0.8, 0.1, 0.2], [0.1, 0.6, 0.2], [0.1, 0.3, 0.6]], dtype=torch.float64),
                  torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64), torch.tensor([0.2, 0.3, 0.5],
                                                                                   dtype=torch.float64)))
def test_label_shift_weights_exact(kata, problem):
    """with μ = C·p exactly, label_shift_weights(C, μ, q) = p/q"""
    C, p, q = problem
    mu = C @ p
    inputs = {"C (columns sum to 1)": C, "mu_pred": mu, "q_y": q}
    prop = "β = p/q where C·p = μ (C[i, j] = P(ŷ=i | y=j))"
    hints = _label_hints(C, p, q, mu)
    args = (C.clone(), mu.clone(), q.clone())
    got = _call(kata.label_shift_weights, *args, prop=prop, inputs=inputs, hints=hints)
    expect(all(torch.equal(a, b) for a, b in zip(args, (C, mu, q))), "label_shift_weights does not modify its "
           "inputs", inputs=inputs)
    expect_close(got, p / q, prop, inputs=inputs, atol=1e-6, rtol=1e-4, hints=hints)


@settings(max_examples=10)
@given(problem=label_shift_problems())
def test_no_shift_gives_unit_weights(kata, problem):
    """without label shift (μ = C·q) every weight is 1, and in float32 too"""
    C, _, q = problem
    mu = C @ q
    C32, mu32, q32 = C.float(), mu.float(), q.float()
    inputs = {"C": C32, "mu_pred": mu32, "q_y": q32}
    prop = "μ = C·q (the test labels are distributed like the training labels) ⇒ β = 1"
    got = _call(kata.label_shift_weights, C32, mu32, q32, prop=prop, inputs=inputs,
                hints=_label_hints(C, q, q, mu))
    expect_close(got, torch.ones(len(q), dtype=torch.float64), prop, inputs=inputs, atol=1e-4, rtol=0,
                 hints=_label_hints(C, q, q, mu))
