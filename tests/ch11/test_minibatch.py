"""Graders for ch11/minibatch.py (updates_per_epoch, minibatch_grad, grad_noise).

Oracles: ``len(torch.utils.data.DataLoader(range(n), batch_size=b, drop_last=...))`` for the count; exhaustive
enumeration of every batch (all C(n, b) subsets without replacement, all nᵇ index tuples with replacement) for the
noise, in float64 (n ≤ 7; exact to 1e-9); identity rows (G = I, so a minibatch gradient shows which rows were drawn)
and statistics for the sampler.

Statistics (``stat_seed``; scripts/flake_check.py runs them under 200 seeds), each with a 5σ bound:

* each row is drawn equally often: G = I₁₂, b = 5, 1,000 draws per mode; the count of row j is
  Binomial(1000, 5/12) without replacement (σ = √(1000·5/12·7/12) ≈ 15.6) and a sum of 1,000 Binomial(5, 1/12) with
  replacement (σ = √(1000·5·(1/12)(11/12)) ≈ 19.5). A sampler that never draws the last row scores 0 against 417.
* mean and noise: G ~ N(0, 1) of shape (12, 3) (plus an offset, so ḡ ≠ 0), b = 5, 1,000 draws per mode. Each
  coordinate of the mean of the draws is within 5 standard errors √(Var(ĝ_j)/1000) of ḡ_j, with Var(ĝ_j) the exact
  variance (σ_j²/b·(n − b)/(n − 1), σ_j² the population variance of column j, without the factor with replacement);
  the mean of ‖ĝ − ḡ‖² over the draws is within 5 standard errors (the sample std of the 1,000 squared deviations
  / √1000, plus 1e-12) of the exact noise. Without the finite-population factor (randint without replacement) the
  noise is 11/7 = 1.57 times larger; 5 s.e. is about 13 % of it.
  The contract's 4,000 draws are an upper bound: 1,000 draws already separate every recorded mistake under all 200
  flake-check seeds. The draws are made where the learner's code runs, by one probe call
  (tests/shippable_ch11_minibatch.draw_many), not by 1,000 calls through the grading seam (sandboxed on a loaded
  machine those took longer than the 30 s a test may run).

Tolerances: exact integers for the count; float64 noise 1e-9·(1 + noise); float32 noise 1e-5 relative plus
1e-6·(1 + max|G|)²; minibatch gradients of dyadic rows (k/4, exact sums in any order) 1e-6 relative (a reciprocal
multiply or float64 internals pass).
"""
import itertools
import math

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail, run_beside
from tests.helpers import call, expect_generator_used, gen, near, stat_gen
from tests.shippable_ch11_minibatch import draw_many
from tests.strategies import dyadic_tensors, tensors


# ================================================================================================ updates_per_epoch
def _loader_len(n, b, drop_last):
    from torch.utils.data import DataLoader
    return len(DataLoader(range(n), batch_size=b, drop_last=drop_last))


def _upe_hints(n, b, drop_last):
    return [
        Hint("with drop_last=False the last, smaller batch still counts as an update: ⌈n/b⌉ (ceil), not ⌊n/b⌋.",
             when=lambda g, w: not drop_last and n % b and g == n // b),
        Hint("drop_last=True drops the partial batch: ⌊n/b⌋ (floor).",
             when=lambda g, w: drop_last and n % b and g == -(-n // b)),
        Hint("when b divides n exactly there is no partial batch: n // b + 1 counts one batch too many.",
             when=lambda g, w: n % b == 0 and g == n // b + 1),
        Hint("return a Python int (an epoch has a whole number of updates): n / b is a float; use // or math.ceil.",
             when=lambda g, w: not isinstance(g, int) or isinstance(g, bool)),
    ]


@pytest.mark.core("updates_per_epoch")
@settings(max_examples=40)
@given(n=st.integers(0, 5000), b=st.integers(1, 700), drop_last=st.booleans())
@example(n=1348, b=64, drop_last=False)
@example(n=1348, b=64, drop_last=True)
@example(n=1500, b=10, drop_last=False)
@example(n=10, b=3, drop_last=False)
@example(n=10, b=3, drop_last=True)
@example(n=7, b=10, drop_last=True)
def test_updates_per_epoch_counts_batches(kata, n, b, drop_last):
    """updates_per_epoch(n, b) = ⌈n/b⌉, and ⌊n/b⌋ with drop_last: the number of batches a DataLoader yields"""
    want = _loader_len(n, b, drop_last)
    inputs = {"num_examples": n, "batch_size": b, "drop_last": drop_last}
    hints = _upe_hints(n, b, drop_last)
    got = call(kata.updates_per_epoch, n, b, drop_last=drop_last, prop="updates_per_epoch returns a number",
               inputs=inputs, hints=hints)
    expect(isinstance(got, int) and not isinstance(got, bool), "updates_per_epoch returns a Python int",
           inputs=inputs, expected=f"int: {want}", got=f"{type(got).__name__}: {got!r}", hints=hints)
    expect_equal(got, want, f"updates_per_epoch(n, b, drop_last={drop_last}) = "
                 f"{'⌊n/b⌋' if drop_last else '⌈n/b⌉'}", inputs=inputs, hints=hints)


def test_updates_per_epoch_default_keeps_the_last_batch(kata):
    """drop_last defaults to False: 10 examples in batches of 3 are 4 updates"""
    got = call(kata.updates_per_epoch, 10, 3, prop="updates_per_epoch(10, 3) returns a number",
               inputs={"num_examples": 10, "batch_size": 3})
    expect_equal(got, 4, "updates_per_epoch(10, 3) = 4 (drop_last defaults to False)",
                 inputs={"num_examples": 10, "batch_size": 3}, hints=_upe_hints(10, 3, False))


def test_updates_per_epoch_rejects_batch_size_below_one(kata):
    """batch_size < 1 raises ValueError"""
    for b in (0, -1, -64):
        for drop_last in (False, True):
            with expect_raises(ValueError, "updates_per_epoch raises ValueError for batch_size < 1",
                               inputs={"num_examples": 100, "batch_size": b, "drop_last": drop_last},
                               hints=["check first: `if batch_size < 1: raise ValueError(...)` (b = 0 would divide by "
                                      "zero, a negative b gives a negative count)."]):
                kata.updates_per_epoch(100, b, drop_last=drop_last)


# ================================================================================================ minibatch_grad
def _identity_rows(n, d_extra=0, seed=0, dtype=torch.float32):
    """[I_n | R]: the first n columns of ĝ show which rows were drawn (entry j = multiplicity of row j / b)."""
    I = torch.eye(n, dtype=dtype)
    if not d_extra:
        return I
    R = torch.randint(-8, 9, (n, d_extra), generator=gen(seed)).to(dtype) / 4        # dyadic: exact sums
    return torch.cat([I, R], dim=1)


def _mb(kata, G, b, prop, inputs, hints=(), **kw):
    got = call(kata.minibatch_grad, G, b, prop=prop, inputs=inputs, hints=hints, **kw)
    expect_tensor(got, prop, inputs=inputs, shape=(G.shape[1],), hints=list(hints) + [
        Hint("average the drawn rows over the batch dimension: G[idx].mean(dim=0) has shape (d,).",
             when=lambda g, w: True)])
    return got


def _multiplicities(got, n, b):
    """Row multiplicities read from the identity block of ĝ (None if they are not whole numbers)."""
    k = got.detach().double()[:n] * b
    if not bool(((k - k.round()).abs() < 1e-4).all()):
        return None
    return k.round().long()


def _draw_hints(n, b, replacement):
    def mult(g):
        return _multiplicities(g, n, b) if isinstance(g, torch.Tensor) and g.dim() == 1 and g.numel() >= n else None

    return [
        Hint("a row was drawn twice: torch.randint draws with replacement. Without replacement take distinct rows: "
             "torch.randperm(n, generator=generator)[:batch_size].",
             when=lambda g, w: not replacement and (m := mult(g)) is not None and bool((m > 1).any())),
        Hint("the entries add up to b, not 1: average the rows (mean), do not sum them.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() == 1 and g.numel() >= n
             and near(float(g.detach()[:n].double().sum()), float(b), 1e-4)),
    ]


@pytest.mark.core("minibatch_grad")
def test_minibatch_grad_is_the_mean_of_drawn_rows(kata):
    """minibatch_grad(G, b) is the mean of b rows of G: b distinct rows without replacement, b rows with"""
    cases = [(6, 3, False, 1), (12, 5, False, 2), (5, 5, False, 3), (9, 1, False, 4), (7, 4, True, 5),
             (12, 5, True, 6), (3, 6, True, 7)]
    for n, b, replacement, seed in cases:
        G = _identity_rows(n, d_extra=2, seed=seed)
        inputs = {"G": f"[I_{n} | two dyadic columns]", "batch_size": b, "replacement": replacement,
                  "generator": f"torch.Generator().manual_seed({seed})"}
        hints = _draw_hints(n, b, replacement)
        prop = (f"minibatch_grad(G, {b}, replacement={replacement}) is the mean of {b} "
                f"{'rows (repeats allowed)' if replacement else 'distinct rows'} of G")
        got = _mb(kata, G, b, prop, inputs, hints, replacement=replacement, generator=gen(seed))
        m = _multiplicities(got, n, b)
        if m is None or int(m.sum()) != b or bool((m < 0).any()) or (not replacement and bool((m > 1).any())):
            fail(prop, inputs=inputs, expected=f"entries j < {n} equal to (times row j was drawn)/{b}, "
                 f"{'each 0 or 1/b' if not replacement else 'summing to 1'}", got=got, hints=hints)
        want = (m.double().unsqueeze(1) * G.double()).sum(dim=0) / b
        expect_close(got, want, prop, inputs=inputs, atol=1e-6, rtol=1e-6, hints=hints)


@pytest.mark.core("minibatch_grad")
def test_minibatch_grad_uses_the_generator(kata):
    """equally seeded generators give the same minibatch (whatever the global RNG does), different seeds differ"""
    G = torch.randn(20, 3, generator=gen(1))
    for replacement in (False, True):
        inputs = {"G": G, "batch_size": 4, "replacement": replacement}

        def draw(g, replacement=replacement):
            return _mb(kata, G, 4, "minibatch_grad returns a (d,) tensor", inputs, replacement=replacement,
                       generator=g)

        expect_generator_used(draw, f"minibatch_grad(G, 4, replacement={replacement})", inputs=inputs,
                              hints=["draw the indices with the generator: torch.randperm(n, generator=generator) "
                                     "or torch.randint(0, n, (b,), generator=generator)."])


def test_minibatch_grad_with_replacement_repeats_rows(kata):
    """with replacement rows repeat: among 200 batches of 5 from 12, some batch holds a row twice"""
    G = torch.eye(12)
    g = gen(21)
    inputs = {"G": "I_12 (row i = e_i)", "batch_size": 5, "replacement": True, "draws": 200}
    seen_repeat = False
    for _ in range(200):
        got = _mb(kata, G, 5, "minibatch_grad(I, 5, replacement=True) returns a (12,) tensor", inputs,
                  replacement=True, generator=g)
        if float(got.detach().max()) > 0.2 + 1e-6:
            seen_repeat = True
            break
    # P(5 i.i.d. draws from 12 are distinct) = 12·11·10·9·8/12⁵ = 0.38; for 200 batches 0.38²⁰⁰ ≈ 1e-84
    expect(seen_repeat, "with replacement a batch can hold a row twice (some of 200 batches do)", inputs=inputs,
           expected="some entry 2/5 (a repeated row)", got="every batch held 5 distinct rows",
           hints=["replacement=True means i.i.d. draws: torch.randint(0, n, (batch_size,), generator=generator), "
                  "not a permutation."])


def test_minibatch_grad_can_draw_every_row(kata):
    """every row can be drawn: over 200 batches of 5 from 12, each row appears at least once (both modes)"""
    G = torch.eye(12)
    for replacement, seed in ((False, 23), (True, 24)):
        g = gen(seed)
        inputs = {"G": "I_12 (row i = e_i)", "batch_size": 5, "replacement": replacement, "draws": 200,
                  "generator": f"torch.Generator().manual_seed({seed})"}
        seen = torch.zeros(12)
        for _ in range(200):
            got = _mb(kata, G, 5, f"minibatch_grad(I, 5, replacement={replacement}) returns a (12,) tensor", inputs,
                      replacement=replacement, generator=g)
            seen += got.detach().float()
        # a uniform sampler misses a given row in all 200 batches with probability (7/12)^200 ≈ 1e-47 (without
        # replacement) or (11/12)^1000 ≈ 1e-38 (with)
        never = [i for i in range(12) if float(seen[i]) == 0.0]
        expect(not never, "every row can be drawn (each of the 12 rows appears in some of 200 batches)",
               inputs=inputs, expected="every row drawn at least once", got=f"rows never drawn: {never}",
               hints=[Hint("the last row is never drawn: draw from all n rows (torch.randperm(n), "
                           "torch.randint(0, n, ...) — randint's high is exclusive, so it is n, not n − 1).",
                           when=lambda g_, w: never == [11])])


def test_minibatch_grad_batch_of_one_is_a_row(kata):
    """with batch_size = 1 the minibatch gradient is one row of G, in both modes"""
    G = torch.randint(-8, 9, (6, 3), generator=gen(31)).float() / 4
    for replacement in (False, True):
        inputs = {"G": G, "batch_size": 1, "replacement": replacement}
        prop = f"minibatch_grad(G, 1, replacement={replacement}) is one row of G"
        got = _mb(kata, G, 1, prop, inputs, replacement=replacement, generator=gen(32))
        expect(bool((G == got.detach()).all(dim=1).any()), prop, inputs=inputs, expected="a row of G", got=got)


def test_minibatch_grad_full_batch_is_the_full_gradient(kata):
    """without replacement a batch of all n rows gives the full-batch mean ḡ, whatever the order"""
    for n, seed in ((5, 41), (8, 42)):
        G = torch.randint(-16, 17, (n, 4), generator=gen(seed)).float() / 4      # dyadic: sums exact in any order
        inputs = {"G": G, "batch_size": n, "replacement": False}
        prop = "minibatch_grad(G, n) = G.mean(dim=0) (every row once)"
        got = _mb(kata, G, n, prop, inputs, generator=gen(seed + 1))
        expect_close(got, G.double().mean(dim=0), prop, inputs=inputs, atol=1e-6, rtol=1e-6,
                     hints=_draw_hints(n, n, False))


def test_minibatch_grad_keeps_dtype_and_inputs(kata):
    """float64 rows give a float64 mean; G is not changed"""
    G = _identity_rows(6, d_extra=1, seed=51, dtype=torch.float64)
    G0 = G.clone()
    inputs = {"G": "[I_6 | one dyadic column], float64", "batch_size": 3}
    got = _mb(kata, G, 3, "minibatch_grad keeps G's dtype", inputs, generator=gen(52))
    expect_tensor(got, "minibatch_grad of float64 rows is float64", inputs=inputs, shape=(7,), dtype=torch.float64,
                  hints=["index G and average: the result then has G's dtype (no torch.zeros without dtype=)."])
    expect_equal(G, G0, "minibatch_grad leaves G unchanged", inputs=inputs)


def test_minibatch_grad_rejects_impossible_batches(kata):
    """without replacement batch_size > n raises ValueError; batch_size < 1 raises in both modes"""
    G = torch.eye(4)
    for b, replacement in ((5, False), (9, False), (0, False), (0, True), (-2, True)):
        with expect_raises(ValueError, "minibatch_grad raises ValueError for a batch that cannot be drawn",
                           inputs={"G": "(4, 4)", "batch_size": b, "replacement": replacement},
                           hints=["check first: batch_size < 1 is never possible, and without replacement there are "
                                  "only n distinct rows (randperm(n)[:b] would silently return fewer than b)."]):
            kata.minibatch_grad(G, b, replacement=replacement, generator=gen(61))
    inputs = {"G": "(4, 4)", "batch_size": 9, "replacement": True}
    got = _mb(kata, G, 9, "with replacement a batch may be larger than n", inputs, replacement=True,
              generator=gen(62))
    expect_close(got.sum(), 1.0, "with replacement a batch of 9 from 4 rows is still a mean of 9 rows",
                 inputs=inputs, atol=1e-5, rtol=0)


# ================================================================================================ grad_noise
def _exhaustive(G, b, replacement):
    """E‖ĝ_B − ḡ‖² by enumerating every batch (float64)."""
    G = G.detach().double()
    n = G.shape[0]
    batches = list(itertools.product(range(n), repeat=b) if replacement else itertools.combinations(range(n), b))
    idx = torch.tensor(batches, dtype=torch.long)                          # (m, b)
    dev = G[idx].mean(dim=1) - G.mean(dim=0)                               # (m, d)
    return (dev ** 2).sum(dim=1).mean()


def _noise_hints(G, b, replacement):
    G = G.detach().double()
    n = G.shape[0]
    tr = float(((G - G.mean(dim=0)) ** 2).sum(dim=1).mean())
    right = tr / b * (1.0 if replacement or n == 1 else (n - b) / (n - 1))
    alt = {
        "no_fpc": tr / b,
        "sample_no_fpc": tr * n / (n - 1) / b if n > 1 else None,
        "fpc_over_n": tr / b * (n - b) / n,
        "b_squared": right / b,
        "no_b": right * b,
        "fpc_with_replacement": tr / b * (n - b) / (n - 1) if n > 1 else None,
        "sqrt": math.sqrt(right),
    }

    def is_(key):
        v = alt[key]
        return lambda g, w: v is not None and abs(v - right) > 1e-9 * (1 + abs(right)) \
            and isinstance(g, torch.Tensor) and g.numel() == 1 and near(float(g.detach()), v, 1e-6, rel=True)

    return [
        Hint("without replacement the batch holds distinct rows, which makes it less noisy than i.i.d. draws: "
             "multiply tr Σ/b by the finite-population factor (n − b)/(n − 1) (a full batch then has no noise).",
             when=lambda g, w: not replacement and (is_("no_fpc")(g, w) or is_("sample_no_fpc")(g, w))),
        Hint("Σ is the population covariance (divide by n); with the sample covariance (divide by n − 1) use "
             "tr S/b·(1 − b/n) instead.", when=is_("sample_no_fpc")),
        Hint("the finite-population factor is (n − b)/(n − 1), not (n − b)/n.",
             when=lambda g, w: not replacement and is_("fpc_over_n")(g, w)),
        Hint("with replacement the draws are i.i.d.: no finite-population factor, just tr Σ/b.",
             when=lambda g, w: replacement and is_("fpc_with_replacement")(g, w)),
        Hint("the noise of a mean of b rows falls like 1/b, not 1/b² (Var of a mean of b i.i.d. terms is Var/b).",
             when=is_("b_squared")),
        Hint("divide by the batch size b: a mean of b rows is b times less noisy than a single row.", when=is_("no_b")),
        Hint("grad_noise is the expected *squared* distance E‖ĝ − ḡ‖², not its square root.", when=is_("sqrt")),
        Hint("return a 0-d tensor (sum over the coordinates, mean over the examples).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() != 0),
    ]


@st.composite
def _noise_case(draw, min_n=2):
    n = draw(st.integers(min_n, 7))
    d = draw(st.integers(1, 3))
    replacement = draw(st.booleans())
    b = draw(st.integers(1, min(4, n) if replacement else n))
    G = draw(tensors((n, d), torch.float64, -5.0, 5.0))
    return G, b, replacement


def _noise(kata, G, b, replacement, prop, inputs, hints):
    got = call(kata.grad_noise, G, b, replacement=replacement, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), hints=hints)
    return got


@pytest.mark.core("grad_noise")
@settings(max_examples=30)
@given(case=_noise_case())
@example(case=(torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, -1.0], [-1.0, 1.0]], dtype=torch.float64), 2, False))
@example(case=(torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, -1.0], [-1.0, 1.0]], dtype=torch.float64), 2, True))
@example(case=(torch.tensor([[0.5], [1.5], [-2.0], [4.0], [0.0], [1.0]], dtype=torch.float64), 3, False))
def test_grad_noise_equals_enumeration(kata, case):
    """grad_noise(G, b) equals E‖ĝ_B − ḡ‖² averaged over every possible batch (all subsets, or all index tuples)"""
    G, b, replacement = case
    inputs = {"G": G, "batch_size": b, "replacement": replacement}
    prop = (f"grad_noise(G, b, replacement={replacement}) = E‖ĝ_B − ḡ‖² "
            f"({'all n^b index tuples' if replacement else 'all C(n, b) subsets'})")
    hints = _noise_hints(G, b, replacement)
    got = _noise(kata, G.clone(), b, replacement, prop, inputs, hints)
    want = _exhaustive(G, b, replacement)
    expect_close(got, want, prop, inputs=inputs, atol=1e-9 * (1 + float(want)), rtol=1e-9, hints=hints)


def _nonfinite(g) -> bool:
    if isinstance(g, torch.Tensor):
        return not bool(g.detach().isfinite().all())
    if isinstance(g, float):
        return not math.isfinite(g)
    return isinstance(g, str)


def test_grad_noise_full_batch_and_single_example(kata):
    """a full batch without replacement has zero noise; one example (n = 1) has zero noise in both modes"""
    G = torch.tensor([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]], dtype=torch.float64)
    inputs = {"G": G, "batch_size": 3, "replacement": False}
    prop = "grad_noise(G, n, replacement=False) = 0: the full batch is ḡ itself"
    hints = _noise_hints(G, 3, False)
    got = _noise(kata, G.clone(), 3, False, prop, inputs, hints)
    expect_close(got, 0.0, prop, inputs=inputs, atol=1e-12, rtol=0, hints=hints)
    for replacement in (False, True):
        G1 = torch.tensor([[2.0, -1.0, 0.5]], dtype=torch.float64)
        inputs = {"G": G1, "batch_size": 1, "replacement": replacement}
        prop = f"grad_noise of a single example (n = 1, b = 1, replacement={replacement}) is 0"
        hints = [Hint("with n = 1 the factor (n − b)/(n − 1) is 0/0: there is nothing to draw but the one example, "
                      "so the noise is 0 — handle n = 1 before dividing by n − 1.",
                      when=lambda g, w: _nonfinite(g))]
        got = _noise(kata, G1.clone(), 1, replacement, prop, inputs, hints)
        expect_close(got, 0.0, prop, inputs=inputs, atol=1e-12, rtol=0, hints=hints)


def test_grad_noise_batch_of_one_is_the_same_in_both_modes(kata):
    """with b = 1, drawing with or without replacement is the same: grad_noise agrees (= tr Σ)"""
    G = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, -1.0], [-1.0, 1.0], [2.0, 2.0]], dtype=torch.float64)
    a = _noise(kata, G.clone(), 1, False, "grad_noise(G, 1) returns a 0-d tensor", {"G": G, "batch_size": 1}, [])
    w = _noise(kata, G.clone(), 1, True, "grad_noise(G, 1, replacement=True) returns a 0-d tensor",
               {"G": G, "batch_size": 1}, [])
    tr = float(((G - G.mean(dim=0)) ** 2).sum(dim=1).mean())
    inputs = {"G": G, "batch_size": 1}
    expect_close(a, float(w), "grad_noise(G, 1, replacement=False) = grad_noise(G, 1, replacement=True)",
                 inputs=inputs, atol=1e-12, rtol=1e-12, hints=_noise_hints(G, 1, False))
    expect_close(a, tr, "grad_noise(G, 1) = tr Σ (the mean squared distance of a row from ḡ)", inputs=inputs,
                 atol=1e-12, rtol=1e-12, hints=_noise_hints(G, 1, False))


def test_grad_noise_with_replacement_falls_as_one_over_b(kata):
    """with replacement, b·grad_noise(G, b) is the same for every b"""
    G = torch.randn(10, 4, generator=gen(71), dtype=torch.float64)
    vals = []
    for b in (1, 2, 3, 5, 10, 25):
        inputs = {"G": "(10, 4) N(0, 1), float64", "batch_size": b, "replacement": True}
        got = _noise(kata, G.clone(), b, True, "grad_noise(G, b, replacement=True) returns a 0-d tensor", inputs,
                     _noise_hints(G, b, True))
        vals.append(b * float(got.detach()))
    expect(max(vals) - min(vals) <= 1e-9 * (1 + max(abs(v) for v in vals)),
           "b·grad_noise(G, b, replacement=True) does not depend on b (the noise falls as 1/b)",
           inputs={"G": "(10, 4) N(0, 1)", "b": [1, 2, 3, 5, 10, 25]}, expected="one value six times",
           got=[round(v, 9) for v in vals],
           hints=["with replacement the b draws are i.i.d.: the noise is tr Σ / b, no other factor."])


def test_grad_noise_without_replacement_decreases_strictly(kata):
    """without replacement grad_noise(G, b) decreases strictly in b and reaches 0 at b = n"""
    G = torch.randn(8, 3, generator=gen(81), dtype=torch.float64)
    vals = []
    for b in range(1, 9):
        inputs = {"G": "(8, 3) N(0, 1), float64", "batch_size": b, "replacement": False}
        got = _noise(kata, G.clone(), b, False, "grad_noise(G, b) returns a 0-d tensor", inputs,
                     _noise_hints(G, b, False))
        vals.append(float(got.detach()))
    expect(all(x > y for x, y in zip(vals, vals[1:])) and abs(vals[-1]) <= 1e-12,
           "without replacement the noise decreases strictly with b and is 0 for the full batch",
           inputs={"G": "(8, 3) N(0, 1)", "b": list(range(1, 9))}, expected="strictly decreasing, ending at 0",
           got=[round(v, 6) for v in vals], hints=_noise_hints(G, 8, False))


def test_grad_noise_float32(kata):
    """float32 per-example gradients give a float32 noise equal to the enumeration"""
    G = torch.tensor([[1.5, -0.5], [0.25, 2.0], [-1.0, 1.0], [3.0, 0.0], [0.5, 0.5]])
    for b, replacement in ((2, False), (3, True)):
        inputs = {"G": G, "batch_size": b, "replacement": replacement}
        prop = "grad_noise of float32 rows is a float32 0-d tensor"
        hints = _noise_hints(G, b, replacement)
        got = _noise(kata, G.clone(), b, replacement, prop, inputs, hints)
        expect_tensor(got, prop, inputs=inputs, shape=(), dtype=torch.float32, hints=hints)
        want = _exhaustive(G, b, replacement)
        expect_close(got, want, prop, inputs=inputs, atol=1e-6 * (1 + float(G.abs().max())) ** 2, rtol=1e-5,
                     hints=hints)


def test_grad_noise_rejects_impossible_batches(kata):
    """grad_noise raises ValueError for batch_size < 1, and for batch_size > n without replacement"""
    G = torch.eye(4, dtype=torch.float64)
    for b, replacement in ((5, False), (0, False), (0, True)):
        with expect_raises(ValueError, "grad_noise raises ValueError for a batch that cannot be drawn",
                           inputs={"G": "(4, 4)", "batch_size": b, "replacement": replacement},
                           hints=["as in minibatch_grad: batch_size < 1 is impossible, and without replacement "
                                  "there are only n distinct rows."]):
            kata.grad_noise(G, b, replacement=replacement)


# ================================================================================================ statistics (last: slowest)
def _draws(kata, G, b, replacement, g, N, prop, inputs):
    """N minibatch gradients drawn in turn from one generator, (N, d) float64: one round trip to where the learner's
    code runs (tests/shippable_ch11_minibatch.draw_many), instead of N calls through the grading seam."""
    got = run_beside(kata, draw_many, kata.minibatch_grad, G, b, replacement, g, N)
    if isinstance(got, str):
        fail(prop, inputs=inputs, expected=f"{N} tensors of shape ({G.shape[1]},)", got=got)
    return got


@pytest.mark.weight(2)
def test_minibatch_grad_draws_every_row_equally_often(kata, stat_seed):
    """each row is drawn equally often: over 1,000 batches of 5 from 12, every row's count is within 5σ"""
    n, b, N = 12, 5, 1000
    G = torch.eye(n)
    for k, replacement in enumerate((False, True)):
        g = stat_gen(10 + k, stat_seed)
        inputs = {"G": "I_12", "batch_size": b, "replacement": replacement, "draws": N}
        draws = _draws(kata, G, b, replacement, g, N, "minibatch_grad(I, 5) returns a (12,) tensor", inputs)
        total = draws.sum(dim=0) * b                                       # (12,) times each row was drawn
        mean = N * b / n
        sd = math.sqrt(N * b / n * (1 - b / n)) if not replacement else math.sqrt(N * b * (1 / n) * (1 - 1 / n))
        worst = int((total - mean).abs().argmax())
        expect(bool(((total - mean).abs() <= 5 * sd).all()),
               f"every row is drawn about {mean:.0f} ± {5 * sd:.0f} times (5σ) in {N} batches",
               inputs=inputs, expected=f"{mean:.1f} ± {5 * sd:.1f} for every row",
               got=f"row {worst} drawn {total[worst]:.0f} times; all counts {[int(v) for v in total]}",
               hints=[Hint("some row is never drawn: draw from all n rows (torch.randperm(n) / torch.randint(0, n, ...)"
                           "; randint's high is exclusive, so it is n, not n − 1).",
                           when=lambda g_, w: bool((total == 0).any())),
                      Hint("the rows are not drawn uniformly: every row must be equally likely (a uniform "
                           "permutation, or uniform i.i.d. indices).")])


@pytest.mark.weight(2)
def test_minibatch_grad_mean_and_noise_statistics(kata, stat_seed):
    """1,000 minibatch gradients average to ḡ and their mean squared deviation is the exact noise (5 s.e.)"""
    n, b, N = 12, 5, 1000
    G = torch.randn(n, 3, generator=stat_gen(20, stat_seed)) + torch.tensor([1.0, -2.0, 0.5])
    G64 = G.double()
    g_bar = G64.mean(dim=0)
    pop_var = ((G64 - g_bar) ** 2).mean(dim=0)                            # (3,) population variances σ_j²
    for k, replacement in enumerate((False, True)):
        g = stat_gen(30 + k, stat_seed)
        inputs = {"G": "(12, 3), N(0, 1) + [1, −2, 0.5]", "batch_size": b, "replacement": replacement, "draws": N}
        draws = _draws(kata, G, b, replacement, g, N, "minibatch_grad returns a (3,) tensor", inputs)
        fpc = 1.0 if replacement else (n - b) / (n - 1)
        var = pop_var / b * fpc                                            # exact Var(ĝ_j)
        se = (var / N).sqrt()
        z = (draws.mean(dim=0) - g_bar) / se
        expect(bool((z.abs() <= 5).all()), "the minibatch gradient is unbiased: the mean of 1,000 draws is ḡ "
               "(5 standard errors)", inputs=inputs, expected=g_bar, got=draws.mean(dim=0),
               detail=f"z-scores {[round(float(v), 2) for v in z]}",
               hints=["average b rows drawn uniformly; every row must be equally likely."])
        sq = ((draws - g_bar) ** 2).sum(dim=1)                             # (N,) ‖ĝ − ḡ‖²
        want = float(pop_var.sum()) / b * fpc
        tol = 5 * float(sq.std()) / math.sqrt(N) + 1e-12
        no_fpc = float(pop_var.sum()) / b
        expect(abs(float(sq.mean()) - want) <= tol,
               f"the mean of ‖ĝ − ḡ‖² over the draws is the exact noise tr Σ/b{'' if replacement else '·(n − b)/(n − 1)'}"
               " (5 standard errors)", inputs=inputs, expected=f"{want:.5g} ± {tol:.2g}", got=float(sq.mean()),
               hints=[Hint(f"the noise is tr Σ/b = {no_fpc:.4g}, the noise of draws WITH replacement: without "
                           "replacement the batch holds distinct rows (torch.randperm(n, generator=g)[:b]).",
                           when=lambda g_, w: not replacement and abs(float(sq.mean()) - no_fpc) <= tol),
                      Hint("draw b rows uniformly and average them (the mean, not the sum).")])
