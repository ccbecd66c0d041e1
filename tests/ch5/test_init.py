"""Graders for ch5/init.py (uniform_, normal_, constant_, fan_in_and_fan_out, xavier_uniform_, xavier_normal_,
kaiming_normal_, init_weights).

Oracles: torch.nn.init's formulas, with the fans from torch.nn.init._calculate_fan_in_and_fan_out (graders may call
what the learner may not). Randomness is graded by reproducibility (identically seeded generators, global RNG
scrambled in between) and by statistics, never draw for draw.

Statistical graders (those taking ``stat_seed``; scripts/flake_check.py runs them under 200 seeds). For n iid draws
of variance σ² and kurtosis κ = E(w − μ)⁴/σ⁴:

* the sample mean has sd σ/√n;
* the sample variance s² has sd σ²·√((κ − 1)/n) (to O(1/n²)): κ = 9/5 for a uniform, so √(0.8/n); κ = 3 for a
  normal, so √(2/n). The sample std s has relative sd ≈ ½·√((κ − 1)/n);
* the fraction of normal draws beyond 2σ, p = 0.0455, has sd √(p(1 − p)/n);
* for U(−a, a), P(max|w| < a(1 − δ)) = (1 − δ)ⁿ ≤ e^{−nδ}: with δ = 25/n that is e^{−25} ≈ 1e-11.

Every check allows Z = 5 of those sds (two-sided P ≈ 6e-7 per check). The tensors are big enough that 5σ of the
variance is within the catalogue's 5% (uniform: n ≥ 8000; normal: n ≥ 20000), and small enough to be fast
(the largest has 51 200 entries). Every mistake the graders must catch moves the variance by ≥ 25% (usually by a
factor 2 or more), i.e. by many times the tolerance, so each is caught under every seed.
"""
import functools
import math

import pytest
import torch
from hypothesis import example, given, settings, strategies as st
from torch import nn
from torch.nn.init import _calculate_fan_in_and_fan_out as torch_fans

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, fail
from tests.strategies import seeds
from tests.helpers import seed_global as _seed_global

Z = 5.0                       # bounds are Z standard deviations of the estimator
SENTINEL = 1234.5             # a value no initialiser here can draw: "was t filled?"
KURTOSIS = {"uniform": 1.8, "normal": 3.0}


def _gen(k, stat_seed):
    """The k-th generator of a statistical grader."""
    return torch.Generator().manual_seed(1000 * k + stat_seed)


def _stats(w):
    """(n, mean, variance) of a tensor's entries, in float64."""
    w = w.detach().double().reshape(-1)
    return w.numel(), float(w.mean()), float(w.var())


def _var_rtol(n, dist):
    """Z sds of the sample variance, relative to σ²."""
    return Z * math.sqrt((KURTOSIS[dist] - 1.0) / n)


def _near(got, target, rtol):
    """got is within rtol (relative) of target: used by hints to recognise a known mistake."""
    return isinstance(got, (int, float)) and target > 0 and abs(got - target) <= rtol * target


# ----------------------------------------------------------------------------------------------- calling learner code
LEAF_HINT = Hint("an in-place change of a parameter that requires grad is an autograd error: fill it under "
                 "`with torch.no_grad():` (or through t.data), and return t itself.",
                 when=lambda g, w: isinstance(g, str) and "leaf Variable" in g)


def _call(kata, name, t, *args, **kwargs):
    """Call one of the learner's initialisers; an autograd error on a parameter becomes a failure with a hint."""
    try:
        return getattr(kata, name)(t, *args, **kwargs)
    except RuntimeError as e:
        if "leaf Variable" not in str(e):
            raise
        fail(f"{name} fills a parameter that requires grad (net[0].weight) in place",
             inputs={"t": f"nn.Parameter of shape {tuple(t.shape)}, requires_grad=True"},
             expected="t filled in place, returned", got=f"RuntimeError: {e}", hints=[LEAF_HINT])


def _expect_in_place(name, out, t, dtype, shape, inputs):
    """out is t, t was filled (no sentinel left), t kept its dtype and shape."""
    prop = f"{name}(t, …) fills t in place and returns t itself (out is t)"
    untouched = isinstance(t, torch.Tensor) and t.shape == shape and bool((t == SENTINEL).all())
    hints = [
        Hint("return t at the end: the torch.nn.init functions return the tensor they filled "
             "(so that `w = xavier_uniform_(torch.empty(3, 4))` works).", when=lambda g, w: out is None),
        Hint("t itself was not filled: you built a new tensor and returned it. Fill t in place "
             "(t.uniform_(a, b, generator=generator), t.normal_(…), t.fill_(…) or t.copy_(…)) and return t.",
             when=lambda g, w: out is not None and untouched),
        Hint("t was filled but you returned another object (a copy, or t.data, which is a new tensor object "
             "sharing t's storage): end with `return t`.", when=lambda g, w: out is not None and not untouched),
    ]
    expect(out is t, prop, inputs=inputs, expected="the very tensor passed in",
           got="None" if out is None else f"another object ({type(out).__name__})", hints=hints)
    expect(t.dtype == dtype and tuple(t.shape) == tuple(shape),
           f"{name} keeps t's dtype and shape", inputs=inputs, expected=f"dtype {dtype}, shape {tuple(shape)}",
           got=f"dtype {t.dtype}, shape {tuple(t.shape)}",
           hints=["`t.data = new_tensor` replaces t's contents by a tensor of another dtype; fill t itself "
                  "(t.uniform_(…), t.copy_(…)): copy_ converts to t's dtype."])
    left = int((t == SENTINEL).sum())
    expect(left == 0 and bool(t.isfinite().all()), f"{name} fills every entry of t with a finite value",
           inputs=inputs, expected="no entry left as it was (1234.5)",
           got=f"{left} of {t.numel()} entries unchanged, {int((~t.isfinite()).sum())} non-finite",
           hints=[Hint("t itself was not filled: you built a new tensor. Fill t in place and return it.",
                       when=lambda g, w: untouched)])


def _check_fills_parameter(kata, name, *args, **kwargs):
    """The initialiser works on a parameter that requires grad, returns it and leaves it a leaf requiring grad."""
    p = nn.Parameter(torch.full((6, 4), SENTINEL))
    inputs = {"t": "nn.Parameter(torch.full((6, 4), 1234.5)) (requires_grad=True, like net[0].weight)"}
    out = _call(kata, name, p, *args, **kwargs)
    _expect_in_place(name, out, p, torch.float32, (6, 4), inputs)
    expect(p.requires_grad and p.grad_fn is None, f"{name} leaves a parameter a leaf that requires grad",
           inputs=inputs, expected="requires_grad=True, grad_fn=None",
           got=f"requires_grad={p.requires_grad}, grad_fn={p.grad_fn}",
           hints=["fill it under `with torch.no_grad():` instead of switching requires_grad off (an optimizer "
                  "would then never update it), and don't record the fill in autograd."])


def _check_reproducible(kata, name, shape, seed, *args, hints=(), **kwargs):
    """Identically seeded generators give identical values even with the global RNG scrambled in between; with
    generator=None the global RNG is used. ``hints`` are shown if the draws are all equal."""
    inputs = {"t": f"torch.empty{tuple(shape)}", "generator": f"torch.Generator().manual_seed({seed})"}
    hint = Hint("every random number must come from `generator`: pass generator=generator to Tensor.uniform_/"
                "normal_ (or torch.rand/randn) and to the helpers you call (e.g. normal_(t, 0, std, "
                "generator=generator)). Without it the draws come from the global RNG.")
    runs = []
    for scramble in (seed + 1, seed + 2):
        _seed_global(scramble)
        torch.rand(scramble % 7 + 1)
        t = torch.empty(shape)
        _call(kata, name, t, *args, generator=torch.Generator().manual_seed(seed), **kwargs)
        runs.append(t.clone())
    expect(bool((runs[0] != runs[0].reshape(-1)[0]).any()), f"{name} draws random values (not all equal)",
           inputs={**inputs, "args": args, **kwargs}, expected="different values", got=runs[0], hints=hints)
    expect(torch.equal(runs[0], runs[1]),
           f"{name} draws every number from `generator`: two identically seeded generators give identical values "
           "(the global RNG scrambled in between)", inputs=inputs, expected=runs[0], got=runs[1], hints=[hint])
    t = torch.empty(shape)
    _call(kata, name, t, *args, generator=torch.Generator().manual_seed(seed + 1000), **kwargs)
    expect(not torch.equal(runs[0], t), f"{name}: differently seeded generators give different values",
           inputs={**inputs, "generator": f"manual_seed({seed}) and manual_seed({seed + 1000})"},
           expected="different values", got=f"the same values twice: {runs[0].reshape(-1)[:4].tolist()} …",
           hints=["every draw must come from `generator`; do not create or reseed a generator of your own."])
    globals_ = []
    for s in (seed, seed, seed + 1):
        _seed_global(s)
        t = torch.empty(shape)
        _call(kata, name, t, *args, **kwargs)
        globals_.append(t.clone())
    expect(torch.equal(globals_[0], globals_[1]) and not torch.equal(globals_[0], globals_[2]),
           f"with generator=None, {name} draws from the global RNG (torch.manual_seed makes it reproducible)",
           inputs={"t": f"torch.empty{tuple(shape)}", "generator": "None"},
           expected="equal values after equal torch.manual_seed calls, different values after different ones",
           got="not so",
           hints=["pass generator (None included) straight to Tensor.uniform_/normal_ (or torch.rand/randn): "
                  "they use the global RNG when it is None. Don't create a fresh torch.Generator() yourself."])


# ----------------------------------------------------------------------------------------------- constant_
@pytest.mark.core("constant_")
@settings(max_examples=6)
@given(shape=st.sampled_from([(3,), (2, 5), (4, 1, 3)]), val=st.sampled_from([0.0, 1.0, -2.5, 0.01]),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_constant_fills_in_place(kata, shape, val, dtype):
    """constant_(t, val) sets every entry of t to val, in place, and returns t"""
    t = torch.full(shape, SENTINEL, dtype=dtype)
    inputs = {"t": f"torch.full({shape}, 1234.5, dtype={dtype})", "val": val}
    out = _call(kata, "constant_", t, val)
    _expect_in_place("constant_", out, t, dtype, shape, inputs)
    expect_equal(t, torch.full(shape, val, dtype=dtype), "constant_(t, val) sets every entry to val",
                 inputs=inputs)
    _check_fills_parameter(kata, "constant_", 0.0)


# ----------------------------------------------------------------------------------------------- uniform_
@pytest.mark.core("uniform_")
@settings(max_examples=8)
@given(shape=st.sampled_from([(5,), (3, 4), (2, 3, 2)]), a=st.sampled_from([0.0, -1.0, -0.05, 2.0]),
       width=st.sampled_from([1.0, 0.1, 3.0]), dtype=st.sampled_from([torch.float32, torch.float64]), seed=seeds())
@example(shape=(3, 4), a=0.0, width=1.0, dtype=torch.float64, seed=0)
def test_uniform_fills_in_place_within_range(kata, shape, a, width, dtype, seed):
    """uniform_(t, a, b) fills t in place with values in [a, b], returns t, and draws from the generator"""
    b = a + width
    t = torch.full(shape, SENTINEL, dtype=dtype)
    inputs = {"t": f"torch.full({shape}, 1234.5, dtype={dtype})", "a": a, "b": b}
    out = _call(kata, "uniform_", t, a, b, generator=torch.Generator().manual_seed(seed))
    _expect_in_place("uniform_", out, t, dtype, shape, inputs)
    slack = 1e-6 * (abs(a) + abs(b))   # float rounding of a + (b − a)·u
    expect(bool(((t >= a - slack) & (t <= b + slack)).all()), "uniform_(t, a, b) draws values in [a, b]",
           inputs=inputs, expected=f"values in [{a}, {b}]", got=t,
           hints=["U(a, b) = a + (b − a)·U(0, 1): t.uniform_(a, b, generator=generator) does it."])
    _check_reproducible(kata, "uniform_", (4, 3), seed, a, b,
                        hints=["U(a, b) = a + (b − a)·U(0, 1): t.uniform_(a, b, generator=generator) does it."])
    _check_fills_parameter(kata, "uniform_", -0.1, 0.1)


UNIFORM_CASES = [(0.0, 1.0), (-3.0, -1.0), (-0.05, 0.05), (2.0, 10.0)]


@pytest.mark.core("uniform_")
def test_uniform_statistics(kata, stat_seed):
    """uniform_(t, a, b): mean (a + b)/2, variance (b − a)²/12, values reaching both ends (n = 10 000, 5σ)"""
    for k, (a, b) in enumerate(UNIFORM_CASES):
        t = torch.empty(100, 100)
        _call(kata, "uniform_", t, a, b, generator=_gen(k, stat_seed))
        n, m, v = _stats(t)
        inputs = {"t": "torch.empty(100, 100)", "a": a, "b": b}
        mean_hints = [
            Hint("your draws are centred on a + b/2: scale the U(0, 1) draw by the width: a + (b − a)·u.",
                 when=lambda g, w: abs(g - (a + b / 2)) < 0.02 * (b - a) and abs(b / 2 - (b - a) / 2) > 0.05),
            Hint("your draws look like U(0, 1) whatever a and b are: use the arguments (t.uniform_(a, b, …)).",
                 when=lambda g, w: abs(g - 0.5) < 0.01 and abs(w - 0.5) > 0.05),
        ]
        expect_close(m, (a + b) / 2, "the mean of uniform_(t, a, b) is (a + b)/2", inputs=inputs,
                     atol=Z * (b - a) / math.sqrt(12 * n), rtol=0, hints=mean_hints)
        want = (b - a) ** 2 / 12
        expect_close(v, want, "the variance of uniform_(t, a, b) is (b − a)²/12", inputs=inputs, atol=0,
                     rtol=_var_rtol(n, "uniform"), hints=mean_hints)
        lo, hi = float(t.min()), float(t.max())
        delta = 25.0 / n * (b - a)
        expect(lo <= a + delta and hi >= b - delta,
               "the draws of uniform_(t, a, b) reach both ends of [a, b] (10 000 draws)", inputs=inputs,
               expected=f"min ≈ {a}, max ≈ {b}", got=f"min {lo:.6g}, max {hi:.6g}")


# ----------------------------------------------------------------------------------------------- normal_
def _std_hints(std):
    """Hints for the std/variance mix-up of the notes (recognised from the measured std)."""
    return [
        Hint(f"your standard deviation is std² = {std ** 2:.6g}: the argument already is a standard deviation "
             "(the notes' N(mean, std)); pass it to normal_ as it is, without squaring it.",
             when=lambda g, w: abs(std - 1) > 0.2 and _near(g, std ** 2, 0.05)),
        Hint(f"your standard deviation is √std = {math.sqrt(std):.6g}: you treated the argument as a variance. "
             "It is the standard deviation itself (normal_(w, 0, 0.01) gives weights of size ~0.01).",
             when=lambda g, w: abs(std - 1) > 0.2 and _near(g, math.sqrt(std), 0.05)),
    ]


@pytest.mark.core("normal_")
@settings(max_examples=6)
@given(shape=st.sampled_from([(5,), (3, 4), (2, 3, 2)]), mean=st.sampled_from([0.0, 1.0, -2.0]),
       std=st.sampled_from([1.0, 0.01, 2.0]), dtype=st.sampled_from([torch.float32, torch.float64]), seed=seeds())
@example(shape=(3, 4), mean=0.0, std=0.01, dtype=torch.float64, seed=0)
def test_normal_fills_in_place(kata, shape, mean, std, dtype, seed):
    """normal_(t, mean, std) fills t in place, returns t, and draws from the generator"""
    t = torch.full(shape, SENTINEL, dtype=dtype)
    inputs = {"t": f"torch.full({shape}, 1234.5, dtype={dtype})", "mean": mean, "std": std}
    out = _call(kata, "normal_", t, mean, std, generator=torch.Generator().manual_seed(seed))
    _expect_in_place("normal_", out, t, dtype, shape, inputs)
    _check_reproducible(kata, "normal_", (4, 3), seed, mean, std)
    _check_fills_parameter(kata, "normal_", 0.0, 0.01)


NORMAL_CASES = [(0.0, 1.0), (0.0, 0.01), (-1.0, 3.0), (2.5, 0.2)]
P_TAIL = math.erfc(2 / math.sqrt(2))   # P(|w − μ| > 2σ) for a normal, 0.0455


def _expect_normal_shape(w, mu, sigma, prop, inputs, hints=()):
    """The fraction of draws beyond 2σ is a normal's 4.55% (a uniform with the same variance has none)."""
    n = w.numel()
    frac = float(((w.double() - mu).abs() > 2 * sigma).double().mean())
    expect_close(frac, P_TAIL, prop, inputs=inputs, atol=Z * math.sqrt(P_TAIL * (1 - P_TAIL) / n), rtol=0,
                 hints=[Hint("no draw beyond 2σ: a uniform distribution with the right variance? Draw from a normal "
                             "(Tensor.normal_ or torch.randn with the generator).", when=lambda g, w: g < 0.01),
                        *hints])


@pytest.mark.core("normal_")
def test_normal_statistics(kata, stat_seed):
    """normal_(t, mean, std): mean `mean`, standard deviation `std` (not std²), normal tails (n = 40 000, 5σ)"""
    for k, (mean, std) in enumerate(NORMAL_CASES):
        t = torch.empty(200, 200)
        _call(kata, "normal_", t, mean, std, generator=_gen(k, stat_seed))
        n, m, v = _stats(t)
        inputs = {"t": "torch.empty(200, 200)", "mean": mean, "std": std}
        hints = _std_hints(std)
        swapped = Hint("mean and std are swapped: the signature is normal_(t, mean, std).",
                       when=lambda g, w: mean != std and abs(g - std) < 0.05 * (std + 0.01))
        expect_close(m, mean, "the mean of normal_(t, mean, std) is `mean`", inputs=inputs,
                     atol=Z * std / math.sqrt(n), rtol=0, hints=[swapped])
        expect_close(math.sqrt(v), std, "the standard deviation of normal_(t, mean, std) is `std` (variance std²)",
                     inputs=inputs, atol=0, rtol=_var_rtol(n, "normal") / 2, hints=hints)
        _expect_normal_shape(t, mean, std, "normal_ draws from a normal distribution (4.55% beyond 2σ)", inputs)


# ----------------------------------------------------------------------------------------------- fans
def _fans_hints(shape):
    rf = math.prod(shape[2:])
    return [
        Hint("the receptive field is missing: for a conv weight (out, in, k₁, k₂, …) both fans are multiplied by "
             "k₁·k₂·… (Conv2d(6, 16, 5): fan_in = 6·25 = 150, fan_out = 16·25 = 400).",
             when=lambda g, w: rf > 1 and tuple(g) == (shape[1], shape[0])),
        Hint("fan_in and fan_out are swapped: weights are laid out (out, in, …): fan_in = size(1)·receptive "
             "field, fan_out = size(0)·receptive field (nn.Linear(3, 7).weight has shape (7, 3), fan_in 3).",
             when=lambda g, w: tuple(g) == tuple(w)[::-1] and w[0] != w[1]),
        Hint("return a tuple of two Python ints (int(...)), not tensors or floats.",
             when=lambda g, w: any(not isinstance(x, int) for x in g)),
    ]


def _expect_fans(kata, t, inputs):
    want = torch_fans(t)
    got = kata.fan_in_and_fan_out(t)
    prop = "fan_in_and_fan_out(t) = (size(1)·receptive field, size(0)·receptive field)"
    hints = _fans_hints(tuple(t.shape))
    expect(isinstance(got, (tuple, list)) and len(got) == 2, prop, inputs=inputs, expected=want, got=got,
           hints=["return the pair (fan_in, fan_out)."])
    expect(all(isinstance(x, int) and not isinstance(x, bool) for x in got), "the fans are Python ints",
           inputs=inputs, expected=want, got=f"{got!r} (types {[type(x).__name__ for x in got]})", hints=hints)
    expect(tuple(got) == want, prop, inputs=inputs, expected=want, got=tuple(got), hints=hints)


@pytest.mark.core("fan_in_and_fan_out")
@settings(max_examples=15)
@given(shape=st.lists(st.integers(1, 7), min_size=2, max_size=5).map(tuple))
def test_fans_match_torch(kata, shape):
    """fan_in_and_fan_out agrees with torch.nn.init for 2- to 5-dimensional weights"""
    _expect_fans(kata, torch.empty(shape), {"t.shape": shape})


def test_fans_of_layers(kata):
    """fans of real layers: Conv2d(6, 16, 5) gives (150, 400), Linear(3, 7) gives (3, 7), Conv1d/Conv3d likewise"""
    layers = [("nn.Conv2d(6, 16, 5).weight", nn.Conv2d(6, 16, 5)), ("nn.Linear(3, 7).weight", nn.Linear(3, 7)),
              ("nn.Conv1d(4, 8, 3).weight", nn.Conv1d(4, 8, 3)),
              ("nn.Conv3d(2, 3, (2, 3, 4)).weight", nn.Conv3d(2, 3, (2, 3, 4)))]
    for what, layer in layers:
        _expect_fans(kata, layer.weight, {"t": f"{what}, shape {tuple(layer.weight.shape)}"})


def test_fans_reject_fewer_than_two_dims(kata):
    """fan_in_and_fan_out raises ValueError for a 0-d or 1-d tensor (a bias has no fan-out)"""
    for t in (torch.tensor(3.0), torch.zeros(5)):
        with expect_raises(ValueError, "fan_in_and_fan_out raises ValueError for fewer than 2 dimensions",
                           inputs={"t.shape": tuple(t.shape)},
                           hints=["check t.dim() < 2 first and raise ValueError (t.shape[1] would raise "
                                  "IndexError, or a 1-d tensor would silently get fans)."]):
            kata.fan_in_and_fan_out(t)


# ----------------------------------------------------------------------------------------------- Xavier
def _xavier_var(shape, gain):
    fi, fo = torch_fans(torch.empty(shape))
    return 2.0 * gain ** 2 / (fi + fo)


def _variance_hints(shape, gain, rtol, kind):
    """Hints that recognise a known mistake from the measured variance (within ~rtol of what that mistake gives).
    kind: "xavier_uniform", "xavier_normal" or "kaiming"."""
    fi, fo = torch_fans(torch.empty(shape))
    rf = math.prod(shape[2:])
    fi0, fo0 = shape[1], shape[0]           # fans without the receptive field
    r = 1.5 * rtol
    hints = []
    if kind == "kaiming":
        want = 2.0 / fi
        hints += [
            Hint(f"your variance matches 2/fan_in computed without the receptive field ({fi0}): for a conv weight "
                 f"{tuple(shape)} the receptive field is {rf}, so fan_in = {fi0}·{rf} = {fi}.",
                 when=lambda g, w: rf > 1 and _near(g, 2.0 / fi0, r)),
            Hint(f"your variance matches 2/fan_out ({fo}): He initialisation (mode fan_in) uses fan_in = {fi}, "
                 "the number of inputs each output sums over.", when=lambda g, w: fi != fo and _near(g, 2.0 / fo, r)),
            Hint("your variance matches 1/fan_in: that preserves variance for a linear layer; ReLU zeroes half of "
                 "its inputs, so He initialisation doubles it: std = √(2/fan_in).",
                 when=lambda g, w: _near(g, 1.0 / fi, r)),
            Hint("your variance matches (2/fan_in)²: 2/fan_in is the variance; the std is its square root "
                 "(or does your normal_ square the std it is given?).",
                 when=lambda g, w: _near(g, want ** 2, r)),
        ]
        return hints
    want = 2.0 * gain ** 2 / (fi + fo)
    hints += [
        Hint(f"this conv weight {tuple(shape)} was initialised as if it had no receptive field: your variance "
             f"matches 2·gain²/({fi0} + {fo0}) = {2 * gain ** 2 / (fi0 + fo0):.4g}. The kernel's {rf} positions "
             f"multiply both fans: fan_in = {fi0}·{rf} = {fi}, fan_out = {fo0}·{rf} = {fo}, so Var = "
             f"2·gain²/(fan_in + fan_out) = {want:.4g} (Conv2d(6, 16, 5): fans 150 and 400).",
             when=lambda g, w: rf > 1 and _near(g, 2 * gain ** 2 / (fi0 + fo0), r)),
        Hint(f"your variance matches gain²/fan_in (fan_in used twice): Xavier averages the two fans, "
             f"Var = 2·gain²/(fan_in + fan_out) with fan_in = {fi}, fan_out = {fo}.",
             when=lambda g, w: fi != fo and _near(g, gain ** 2 / fi, r)),
        Hint("your variance matches 2·gain/(fan_in + fan_out): the gain multiplies the bound (or std), so the "
             "variance gets gain².", when=lambda g, w: abs(gain - 1) > 0.2 and _near(g, 2 * gain / (fi + fo), r)),
    ]
    if kind == "xavier_uniform":
        hints.append(Hint("your variance is half of Xavier's: U(−a, a) has variance a²/3, so Var = "
                          "2·gain²/(fan_in + fan_out) needs a = gain·√(6/(fan_in + fan_out)), not √3.",
                          when=lambda g, w: _near(g, want / 2, r)))
    else:
        hints.append(Hint("your variance matches (2·gain²/(fan_in + fan_out))²: that expression is the variance; "
                          "the std is its square root, std = gain·√(2/(fan_in + fan_out)) (or does your normal_ "
                          "square the std it is given?).",
                          when=lambda g, w: _near(g, want ** 2, r)))
    return hints


_GAINS = st.sampled_from([1.0, 0.5, math.sqrt(2.0), 5.0 / 3.0])
_WEIGHT_SHAPES = st.sampled_from([(3, 4), (7, 2), (4, 3, 5), (8, 3, 3, 3), (2, 3, 2, 2, 2), (16, 6, 5, 5)])


@pytest.mark.core("xavier_uniform_")
@settings(max_examples=8)
@given(shape=_WEIGHT_SHAPES, gain=_GAINS, seed=seeds())
@example(shape=(16, 6, 5, 5), gain=1.0, seed=0)
def test_xavier_uniform_in_place_and_bounded(kata, shape, gain, seed):
    """xavier_uniform_(t, gain) fills t in place with |w| ≤ gain·√(6/(fan_in + fan_out)) and uses the generator"""
    t = torch.full(shape, SENTINEL)
    inputs = {"t": f"torch.full({shape}, 1234.5)", "gain": gain}
    out = _call(kata, "xavier_uniform_", t, gain=gain, generator=torch.Generator().manual_seed(seed))
    _expect_in_place("xavier_uniform_", out, t, torch.float32, shape, inputs)
    a = math.sqrt(3 * _xavier_var(shape, gain))
    top = float(t.abs().max())
    fi, fo = torch_fans(t)
    expect(top <= a * (1 + 1e-6), "every |w| ≤ a = gain·√(6/(fan_in + fan_out))", inputs=inputs,
           expected=f"|w| ≤ {a:.6g} (fan_in {fi}, fan_out {fo})", got=f"max |w| = {top:.6g}",
           hints=[Hint("the receptive field is missing from your fans (the bound comes out too large): "
                       "fan_in = in·k·k…, fan_out = out·k·k… for a conv weight (out, in, k, k, …).",
                       when=lambda g, w: len(shape) > 2
                       and top <= gain * math.sqrt(6 / (shape[0] + shape[1])) * (1 + 1e-6))])
    _check_reproducible(kata, "xavier_uniform_", shape, seed, gain=gain)
    _check_fills_parameter(kata, "xavier_uniform_")


XAVIER_UNIFORM_CASES = [  # (shape, gain): Linear(300, 100), Conv2d(32, 64, 3), Conv1d(64, 16, 9), Conv3d(16, 32, 3)
    ((100, 300), 1.0), ((64, 32, 3, 3), math.sqrt(2.0)), ((16, 64, 9), 1.0), ((32, 16, 3, 3, 3), 0.5)]


def _describe(shape):
    kinds = {2: "Linear", 3: "Conv1d", 4: "Conv2d", 5: "Conv3d"}
    if len(shape) == 2:
        return f"nn.Linear({shape[1]}, {shape[0]}).weight, shape {shape}"
    return f"nn.{kinds[len(shape)]}({shape[1]}, {shape[0]}, {shape[2]}).weight, shape {shape}"


def _expect_xavier_uniform(w, shape, gain, inputs, what="xavier_uniform_"):
    """Variance 2·gain²/(fan_in + fan_out), mean 0, |w| ≤ a, max |w| ≈ a (all at 5σ)."""
    n, m, v = _stats(w)
    want = _xavier_var(shape, gain)
    a = math.sqrt(3 * want)
    rtol = _var_rtol(n, "uniform")
    hints = _variance_hints(shape, gain, rtol, "xavier_uniform")
    expect_close(v, want, f"{what}: Var(w) = 2·gain²/(fan_in + fan_out)", inputs=inputs, atol=0, rtol=rtol,
                 hints=hints)
    expect_close(m, 0.0, f"{what}: the weights are centred on 0 (U(−a, a))", inputs=inputs,
                 atol=Z * a / math.sqrt(3 * n), rtol=0,
                 hints=["draw from U(−a, a), not U(0, a): uniform_(t, -a, a, generator=generator)."])
    top = float(w.abs().max())
    expect(top <= a * (1 + 1e-6), f"{what}: every |w| ≤ a = gain·√(6/(fan_in + fan_out))", inputs=inputs,
           expected=f"|w| ≤ {a:.6g}", got=f"max |w| = {top:.6g}",
           hints=[Hint("values beyond the uniform bound: a normal distribution has no bound; Xavier-uniform draws "
                       "from U(−a, a).", when=lambda g, wnt: _near(v, want, rtol))])
    expect(top >= a * (1 - 25.0 / n), f"{what}: the draws fill [−a, a] (max |w| ≈ a)", inputs=inputs,
           expected=f"max |w| ≈ {a:.6g}", got=f"max |w| = {top:.6g}")


@pytest.mark.core("xavier_uniform_")
def test_xavier_uniform_statistics(kata, stat_seed):
    """xavier_uniform_: Var(w) = 2·gain²/(fan_in + fan_out) with conv receptive fields, |w| ≤ a, mean 0 (5σ)"""
    for k, (shape, gain) in enumerate(XAVIER_UNIFORM_CASES):
        t = torch.empty(shape)
        _call(kata, "xavier_uniform_", t, gain=gain, generator=_gen(k, stat_seed))
        _expect_xavier_uniform(t, shape, gain, {"t": _describe(shape), "gain": gain})


@pytest.mark.core("xavier_normal_")
@settings(max_examples=6)
@given(shape=_WEIGHT_SHAPES, gain=_GAINS, seed=seeds())
def test_xavier_normal_in_place(kata, shape, gain, seed):
    """xavier_normal_(t, gain) fills t in place, returns t, and draws from the generator"""
    t = torch.full(shape, SENTINEL)
    inputs = {"t": f"torch.full({shape}, 1234.5)", "gain": gain}
    out = _call(kata, "xavier_normal_", t, gain=gain, generator=torch.Generator().manual_seed(seed))
    _expect_in_place("xavier_normal_", out, t, torch.float32, shape, inputs)
    _check_reproducible(kata, "xavier_normal_", shape, seed, gain=gain)
    _check_fills_parameter(kata, "xavier_normal_")


XAVIER_NORMAL_CASES = [  # Linear(400, 100), Conv2d(32, 64, 5), Conv1d(128, 32, 10)
    ((100, 400), 1.0), ((64, 32, 5, 5), math.sqrt(2.0)), ((32, 128, 10), 0.5)]


@pytest.mark.core("xavier_normal_")
def test_xavier_normal_statistics(kata, stat_seed):
    """xavier_normal_: mean 0, Var(w) = 2·gain²/(fan_in + fan_out) with conv receptive fields, normal tails (5σ)"""
    for k, (shape, gain) in enumerate(XAVIER_NORMAL_CASES):
        t = torch.empty(shape)
        _call(kata, "xavier_normal_", t, gain=gain, generator=_gen(k, stat_seed))
        n, m, v = _stats(t)
        want = _xavier_var(shape, gain)
        rtol = _var_rtol(n, "normal")
        inputs = {"t": _describe(shape), "gain": gain}
        expect_close(v, want, "xavier_normal_: Var(w) = 2·gain²/(fan_in + fan_out)", inputs=inputs, atol=0,
                     rtol=rtol, hints=_variance_hints(shape, gain, rtol, "xavier_normal"))
        expect_close(m, 0.0, "xavier_normal_: the weights are centred on 0", inputs=inputs,
                     atol=Z * math.sqrt(want / n), rtol=0)
        _expect_normal_shape(t, 0.0, math.sqrt(want), "xavier_normal_ draws from a normal distribution "
                             "(4.55% beyond 2σ)", inputs)


# ----------------------------------------------------------------------------------------------- Kaiming
@pytest.mark.core("kaiming_normal_")
@settings(max_examples=6)
@given(shape=_WEIGHT_SHAPES, seed=seeds())
def test_kaiming_normal_in_place(kata, shape, seed):
    """kaiming_normal_(t) fills t in place, returns t, and draws from the generator"""
    t = torch.full(shape, SENTINEL)
    inputs = {"t": f"torch.full({shape}, 1234.5)"}
    out = _call(kata, "kaiming_normal_", t, generator=torch.Generator().manual_seed(seed))
    _expect_in_place("kaiming_normal_", out, t, torch.float32, shape, inputs)
    _check_reproducible(kata, "kaiming_normal_", shape, seed)
    _check_fills_parameter(kata, "kaiming_normal_")


KAIMING_CASES = [(100, 400), (64, 32, 5, 5), (128, 16, 10)]   # fan_in 400/800/160, fan_out 100/1600/1280


@pytest.mark.core("kaiming_normal_")
def test_kaiming_normal_statistics(kata, stat_seed):
    """kaiming_normal_: mean 0, std √(2/fan_in) (fan_in with the receptive field), normal tails (5σ)"""
    for k, shape in enumerate(KAIMING_CASES):
        t = torch.empty(shape)
        _call(kata, "kaiming_normal_", t, generator=_gen(k, stat_seed))
        n, m, v = _stats(t)
        fi, _ = torch_fans(t)
        want = 2.0 / fi
        rtol = _var_rtol(n, "normal")
        inputs = {"t": _describe(shape)}
        expect_close(v, want, "kaiming_normal_: Var(w) = 2/fan_in (std √(2/fan_in))", inputs=inputs, atol=0,
                     rtol=rtol, hints=_variance_hints(shape, 1.0, rtol, "kaiming"))
        expect_close(m, 0.0, "kaiming_normal_: the weights are centred on 0", inputs=inputs,
                     atol=Z * math.sqrt(want / n), rtol=0)
        _expect_normal_shape(t, 0.0, math.sqrt(want), "kaiming_normal_ draws from a normal distribution "
                             "(4.55% beyond 2σ)", inputs)


# ----------------------------------------------------------------------------------------------- init_weights
INITIALISED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def _zoo():
    """A net with every kind of module init_weights must touch, and some it must leave alone."""
    return nn.Sequential(
        nn.Linear(20, 30), nn.BatchNorm1d(30), nn.ReLU(),
        nn.Sequential(nn.Linear(30, 10, bias=False), nn.LayerNorm(10)),
        nn.Embedding(7, 4),
        nn.Conv1d(3, 5, 3), nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Conv3d(2, 4, 2, bias=False),
    )


def _zoo_description():
    return ("nn.Sequential(Linear(20, 30), BatchNorm1d(30), ReLU(), Sequential(Linear(30, 10, bias=False), "
            "LayerNorm(10)), Embedding(7, 4), Conv1d(3, 5, 3), Conv2d(3, 8, 3), BatchNorm2d(8), "
            "Conv3d(2, 4, 2, bias=False))")


def _module_named(net, key):
    path = key.rsplit(".", 1)[0]
    return net.get_submodule(path)


@pytest.mark.core("init_weights")
def test_init_weights_touches_only_linear_and_conv(kata, stat_seed):
    """net.apply(init_weights): Xavier-uniform weights and zero biases for Linear/Conv layers, nothing else touched"""
    net = _zoo()
    with torch.no_grad():          # non-default values everywhere, so that any change shows
        for p in net.parameters():
            p.add_(0.25)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net.apply(functools.partial(kata.init_weights, generator=_gen(0, stat_seed)))
    inputs = {"net": _zoo_description(), "call": "net.apply(functools.partial(init_weights, generator=g))"}
    after = net.state_dict()
    for key, old in before.items():
        mod = _module_named(net, key)
        new = after[key]
        where = f"{key} ({type(mod).__name__})"
        if not isinstance(mod, INITIALISED):
            expect(torch.equal(new, old), f"init_weights leaves modules other than Linear/Conv alone: {where}",
                   inputs=inputs, expected=old, got=new,
                   hints=["act only when isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)): a "
                          "BatchNorm's weight (its scale γ) must stay as it is, an Embedding keeps its vectors; "
                          "`hasattr(m, 'weight')` matches those too."])
        elif key.endswith("bias"):
            expect(bool((new == 0).all()), f"init_weights sets the bias of Linear/Conv layers to 0: {where}",
                   inputs=inputs, expected="zeros", got=new,
                   hints=["after the weight: if m.bias is not None: constant_(m.bias, 0) (bias=False leaves it None)."])
        else:
            expect(not torch.equal(new, old), f"init_weights initialises the weight of every Linear and Conv "
                   f"layer (Conv1d/2d/3d too): {where}", inputs=inputs, expected="new Xavier-uniform values",
                   got="the weight is unchanged",
                   hints=["handle nn.Linear, nn.Conv1d, nn.Conv2d and nn.Conv3d: isinstance(m, (nn.Linear, "
                          "nn.Conv1d, nn.Conv2d, nn.Conv3d))."])
            shape = tuple(new.shape)
            a = math.sqrt(3 * _xavier_var(shape, 1.0))
            a_no_rf = math.sqrt(6 / (shape[0] + shape[1]))   # the bound of a conv weight without receptive field
            top = float(new.abs().max())
            expect(top <= a * (1 + 1e-6), f"init_weights draws the weights from Xavier's U(−a, a): {where}",
                   inputs=inputs, expected=f"|w| ≤ a = {a:.6g}", got=f"max |w| = {top:.6g}",
                   hints=[Hint("use xavier_uniform_(m.weight, generator=generator): Xavier-normal (or any normal) "
                               "draws are not bounded by a = √(6/(fan_in + fan_out)).",
                               when=lambda g, w: len(shape) == 2 or top > a_no_rf * (1 + 1e-6)),
                          Hint("the bound of this conv weight is too large: the receptive field (the kernel's "
                               "size) is missing from the fans: fan_in = in·k·k…, fan_out = out·k·k….",
                               when=lambda g, w: len(shape) > 2 and top <= a_no_rf * (1 + 1e-6))])


def test_init_weights_statistics(kata, stat_seed):
    """init_weights gives Linear and Conv weights the Xavier-uniform variance 2/(fan_in + fan_out) (5σ)"""
    net = nn.Sequential(nn.Linear(300, 100), nn.Conv2d(32, 64, 3))
    net.apply(functools.partial(kata.init_weights, generator=_gen(1, stat_seed)))
    for layer in net:
        shape = tuple(layer.weight.shape)
        _expect_xavier_uniform(layer.weight.detach(), shape, 1.0, {"m": _describe(shape)}, what="init_weights")


@pytest.mark.core("init_weights")
def test_init_weights_reproducible(kata):
    """net.apply(partial(init_weights, generator=g)) is reproducible; net.apply(init_weights) works too"""
    nets = []
    for scramble in (1, 2):
        _seed_global(0)
        net = _zoo()
        _seed_global(scramble)
        net.apply(functools.partial(kata.init_weights, generator=torch.Generator().manual_seed(42)))
        nets.append(net.state_dict())
    inputs = {"net": _zoo_description(), "generator": "torch.Generator().manual_seed(42), global RNG scrambled"}
    for key in nets[0]:
        expect(torch.equal(nets[0][key], nets[1][key]),
               "init_weights draws every weight from `generator` (identically seeded generators, identical nets)",
               inputs=inputs, expected=nets[0][key], got=nets[1][key],
               hints=["pass the generator on: xavier_uniform_(m.weight, generator=generator)."])
    _seed_global(1)
    other = _zoo()
    other.apply(functools.partial(kata.init_weights, generator=torch.Generator().manual_seed(43)))
    expect(not torch.equal(other.state_dict()["0.weight"], nets[0]["0.weight"]),
           "init_weights: differently seeded generators give different weights",
           inputs={**inputs, "generator": "manual_seed(42) and manual_seed(43)"}, expected="different weights",
           got="the same weights twice",
           hints=["every draw must come from `generator`; do not create or reseed a generator of your own."])
    _seed_global(0)
    net = _zoo()
    net.apply(kata.init_weights)       # generator=None: the global RNG
    for layer in (net[0], net[5]):
        expect(bool((layer.bias == 0).all()), "net.apply(init_weights) (no generator) zeroes the biases",
               inputs={"net": _zoo_description()}, expected="zeros", got=layer.bias)
