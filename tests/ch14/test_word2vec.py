"""Graders for ch14/word2vec.py (subsampling, context windows, negative sampling, the SGNS loss, training).

Oracles (never the learner's own functions):
* closed forms for ``keep_prob`` (float64) and ``NegativeSampler.probs``; ``-F.logsigmoid`` in float64 for
  ``sgns_loss`` (values and autograd gradients, 1e-10 in float64);
* the exact contexts for ``get_centers_and_contexts`` with ``max_window_size = 1`` (no randomness left), and the
  structure "a symmetric window of size w ∈ {1, …, max} around i, clipped" otherwise;
* statistics for everything random (every generator seed derives from ``stat_seed``; ``scripts/flake_check.py``
  varies it): binomial 5σ bands for ``subsample`` (7,620 tokens with counts 5,000/2,000/500/120, t = 0.05), 5σ bands
  for the window sizes (six 200-token lines, max 3), χ² goodness of fit p > 1e-4 (``scipy.stats.chisquare``'s
  p-value, computed with ``torch.special.gammaincc``) for 100,000 sampler draws against counts^0.75 and for pooled
  negatives against counts^0.75 restricted to the non-context words;
* reproducibility (``expect_generator_used``): equally seeded generators give identical results under a scrambled
  global RNG, differently seeded ones differ;
* training on planted clusters (5 clusters × 10 words, 300 sentences of 8 words, each sentence from one cluster):
  the contract's measured thresholds — purity of the 9 nearest neighbours ≥ 0.9, mean within-cluster cosine ≥ 0.8,
  within − across ≥ 0.4 — on two corpora, while a wrapper (tests/shippable_ch14_word2vec.py) watches the calls of
  the module's ``sgns_loss``.

``get_negatives`` is graded with a stand-in sampler (``ListSampler``: i.i.d. draws from given probabilities with its
own generator), so that its grade does not depend on the learner's NegativeSampler.

Tolerances: float32 values atol 1e-6·(1 + max|want|) plus rtol 1e-5 (the contract's "right to 1e-5 relative" at
|u·v| = 1e4); float64 1e-10 (values and gradients); keep probabilities rtol 1e-6.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, run_beside
from tests import shippable_ch14_word2vec as ship
from tests.helpers import call, expect_generator_used, gen, near, stat_gen
from tests.strategies import seeds

F32, F64 = torch.float32, torch.float64


# ================================================================================================ oracles
def _keep_oracle(counts, t):
    c = torch.as_tensor(counts).double()
    total = float(c.sum())
    return torch.tensor([1.0 if x == 0 else min(1.0, math.sqrt(t * total / x)) for x in c.tolist()], dtype=F64)


def _probs_oracle(counts, power=0.75):
    c = torch.as_tensor(counts).double()
    w = torch.where(c > 0, c ** power, torch.zeros_like(c))
    return w / w.sum()


def _sgns_oracle(v_c, u_o, u_neg, sign=1.0, reduce_k="sum", positive=True):
    """−log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c) in float64; the keyword arguments re-compute classic mistakes."""
    v, uo, un = v_c.double(), u_o.double(), u_neg.double()
    pos = (uo * v).sum(-1)
    neg = torch.einsum("bkd,bd->bk", un, v)
    noise = -F.logsigmoid(-sign * neg)
    noise = noise.sum(-1) if reduce_k == "sum" else noise.mean(-1)
    return (-F.logsigmoid(pos) if positive else 0.0) + noise


def _windows(line, i, max_window_size):
    """The context lists a centre at position i may have: one per window size w = 1 … max, clipped."""
    return [[line[j] for j in range(max(0, i - w), min(len(line), i + w + 1)) if j != i]
            for w in range(1, max_window_size + 1)]


def _contexts_w1(corpus):
    centers, contexts = [], []
    for line in corpus:
        if len(line) < 2:
            continue
        for i in range(len(line)):
            centers.append(line[i])
            contexts.append(_windows(line, i, 1)[0])
    return centers, contexts


# ================================================================================================ keep_prob
def _keep_hints(counts, t):
    c = torch.as_tensor(counts).double()
    total = float(c.sum())
    f = c / total
    pos = c > 0
    raw = torch.where(pos, (t / f).sqrt(), torch.ones_like(c))

    def like(alt):
        return lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape and near(g[pos], alt[pos], 1e-5,
                                                                                        rel=True)
    return [
        Hint("a probability is at most 1: clip √(t / f) at 1 (min(1, ·)); a rare word (f < t) is always kept.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape and bool((g > 1 + 1e-6).any())),
        Hint("that is the probability of *discarding* (1 − √(t / f)); keep_prob returns the probability of keeping.",
             when=like(1 - raw.clamp(max=1))),
        Hint("f(w) is the relative frequency count / Σ counts, not the raw count.",
             when=like(torch.where(pos, (t / c).sqrt().clamp(max=1), torch.ones_like(c)))),
        Hint("the keep probability is the square root √(t / f), not t / f.",
             when=like(torch.where(pos, (t / f).clamp(max=1), torch.ones_like(c)))),
        Hint("a word that never occurs (count 0) gets keep probability 1.0, not inf or NaN (guard the division).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape
             and not bool(g[~pos].isfinite().all() if (~pos).any() else True)),
        Hint("return float32 for integer counts (counts.to(torch.float64) inside is fine, cast the result back).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != torch.float32),
    ]


KEEP_CASES = [  # (counts, t)
    ([5000, 2000, 500, 120], 0.05), ([10, 0, 3, 1, 7], 0.1), ([1, 1, 1, 1], 1e-4), ([100000, 5, 0, 60, 2000], 1e-3),
    ([3, 9], 0.4),
]


@pytest.mark.core("keep_prob")
def test_keep_prob_matches_formula(kata):
    """keep_prob(counts, t) = min(1, √(t / f(w))), f(w) = count / Σ count; count 0 → 1.0 (float32)"""
    for counts, t in KEEP_CASES:
        c = torch.tensor(counts, dtype=torch.int64)
        inputs = {"counts": c, "t": t}
        hints = _keep_hints(c, t)
        got = call(kata.keep_prob, c, t, prop="keep_prob(counts, t)", inputs=inputs, hints=hints)
        want = _keep_oracle(c, t)
        expect_tensor(got, "keep_prob(counts) has shape (V,) and dtype float32", inputs=inputs, shape=c.shape,
                      dtype=F32, hints=hints, hint_expected=want)
        expect_close(got, want, "keep_prob = min(1, √(t / f)), f = count / Σ count, count 0 → 1", inputs=inputs,
                     atol=1e-7, rtol=1e-6, hints=hints)


def test_keep_prob_is_a_probability(kata):
    """keep probabilities lie in (0, 1], are 1 for unused and rare words, and do not grow with the count"""
    c = torch.tensor([0, 1, 2, 5, 50, 500, 5000, 50000, 0, 7], dtype=torch.int64)
    inputs = {"counts": c, "t": 1e-3}
    hints = _keep_hints(c, 1e-3)
    got = call(kata.keep_prob, c, 1e-3, prop="keep_prob(counts, 1e-3)", inputs=inputs, hints=hints)
    expect_tensor(got, "keep_prob(counts) has shape (V,)", inputs=inputs, shape=c.shape, hints=hints,
                  hint_expected=_keep_oracle(c, 1e-3))
    g = got.double()
    expect(bool(((g > 0) & (g <= 1)).all()), "every keep probability lies in (0, 1]", inputs=inputs,
           expected="values in (0, 1]", got=got, hints=hints)
    expect(bool((g[c == 0] == 1).all()) and bool((g[:4] == 1).all()), "unused (count 0) and rare words are kept "
           "with probability 1", inputs=inputs, expected=_keep_oracle(c, 1e-3), got=got, hints=hints)
    order = torch.argsort(c[c > 0])
    kept = g[c > 0][order]
    expect(bool((kept[1:] <= kept[:-1] + 1e-7).all()), "a more frequent word is never kept more often", inputs=inputs,
           expected="non-increasing in the count", got=got, hints=hints)


def _no_verdict(got) -> bool:
    """Code that needs the data on the host (.item(), float(), .tolist()) cannot run on meta tensors: that is not a
    device bug (it works on a GPU), so such a meta call gives no verdict (the contracts' meta clarification)."""
    return isinstance(got, str) and ("Cannot copy out of meta tensor" in got
                                     or "cannot be called on meta tensors" in got)


def test_keep_prob_meta_in_meta_out(kata):
    """keep_prob on meta counts (the graders' stand-in for a GPU) returns a meta tensor of shape (V,)"""
    got = run_beside(kata, ship.call_on_meta, kata.keep_prob, [("tensor", (6,), "int64"), ("value", 1e-4)])
    want = ((6,), "float32", "meta")
    if _no_verdict(got):
        return
    expect(got == want, "keep_prob keeps the counts' device: meta counts give a float32 meta result",
           inputs={"counts": "a meta int64 tensor of shape (6,)", "t": 1e-4}, expected=want, got=got,
           detail="(shape, dtype, device) of the result",
           hints=[Hint("build new tensors on the counts' device (torch.ones_like(c), torch.where(...)); "
                       ".item(), float() or .tolist() cannot read a meta tensor.", when=lambda g, w: g != w)])


# ================================================================================================ sgns_loss
def _sgns_case(b, K, d, seed, dtype=F32, scale=1.0):
    g = gen(seed)
    return tuple((torch.randn(shape, generator=g, dtype=F64) * scale).to(dtype)
                 for shape in ((b, d), (b, d), (b, K, d)))


def _sgns_hints(v_c, u_o, u_neg):
    alts = {"sign": _sgns_oracle(v_c, u_o, u_neg, sign=-1.0), "mean": _sgns_oracle(v_c, u_o, u_neg, reduce_k="mean"),
            "nopos": _sgns_oracle(v_c, u_o, u_neg, positive=False)}

    def like(key):
        return lambda g, w: isinstance(g, torch.Tensor) and not near(w, alts[key], 1e-6) \
            and near(g, alts[key], 1e-4 * (1 + float(alts[key].abs().max())))
    return [
        Hint("the noise words must score *low*: their term is −log σ(−u_k·v_c) (a minus inside the sigmoid); "
             "−log σ(u_k·v_c) pulls the noise words towards the centre.", when=like("sign")),
        Hint("sum the K noise terms (Σ_k), do not average them.", when=like("mean")),
        Hint("the positive term −log σ(u_o·v_c) of the real context word is missing.", when=like("nopos")),
        Hint("return one loss per pair, shape (b,): no mean or sum over the batch (the trainer takes the mean).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() == 0 and w.numel() > 1),
        Hint("u_neg is (b, K, d): the K scores of pair i are u_neg[i] @ v_c[i] — (u_neg * v_c.unsqueeze(1)).sum(-1) "
             "or torch.bmm(u_neg, v_c.unsqueeze(2)).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() > 0 and tuple(g.shape) != tuple(w.shape)),
        Hint("−log σ(x) overflows when written as log(1 + exp(−x)) or −log(sigmoid(x)) for large |x|: use "
             "torch.logaddexp(0, −x), or max(−x, 0) + log1p(exp(−|x|)).",
             when=lambda g, w: isinstance(g, torch.Tensor) and not bool(g.isfinite().all())),
    ]


def _sgns(kata, v_c, u_o, u_neg, prop, inputs, hints=()):
    return call(kata.sgns_loss, v_c, u_o, u_neg, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core("sgns_loss")
@settings(max_examples=6)
@given(b=st.integers(1, 5), K=st.integers(1, 6), d=st.integers(1, 8), seed=seeds(),
       scale=st.sampled_from([0.5, 1.0, 2.0]))
@example(b=4, K=5, d=8, seed=0, scale=1.0)
@example(b=3, K=2, d=4, seed=1, scale=2.0)
@example(b=1, K=1, d=1, seed=2, scale=1.0)
def test_sgns_loss_matches_logsigmoid(kata, b, K, d, seed, scale):
    """sgns_loss(v_c, u_o, u_neg)[i] = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c), one value per pair"""
    v_c, u_o, u_neg = _sgns_case(b, K, d, seed, scale=scale)
    inputs = {"v_c (b, d)": v_c, "u_o (b, d)": u_o, "u_neg (b, K, d)": u_neg}
    hints = _sgns_hints(v_c, u_o, u_neg)
    prop = "sgns_loss = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c) (= −F.logsigmoid(…) summed over the noise words)"
    got = _sgns(kata, v_c, u_o, u_neg, prop, inputs, hints)
    want = _sgns_oracle(v_c, u_o, u_neg)
    expect_tensor(got, "sgns_loss returns one float32 loss per pair, shape (b,)", inputs=inputs, shape=(b,),
                  dtype=F32, hints=hints, hint_expected=want)
    expect_close(got, want, prop, inputs=inputs, atol=1e-6 * (1 + float(want.abs().max())), rtol=1e-5, hints=hints)


def test_sgns_loss_is_stable_for_large_scores(kata):
    """sgns_loss is finite and right (1e-5 relative) for scores up to |u·v| = 1e4 in float32"""
    for s_pos, s_neg in ((1e4, -1e4), (-1e4, 1e4), (-100.0, 100.0), (89.0, -89.0), (-20.0, 30.0), (0.0, -1e4)):
        v_c = torch.tensor([[1.0, 0.0]])
        u_o = torch.tensor([[s_pos, 0.0]])
        u_neg = torch.tensor([[[s_neg, 0.0], [0.5 * s_neg, 0.0]]])
        inputs = {"v_c": v_c, "u_o": u_o, "u_neg": u_neg, "scores": f"u_o·v_c = {s_pos:g}, u_k·v_c = {s_neg:g}, "
                                                                    f"{0.5 * s_neg:g}"}
        hints = _sgns_hints(v_c, u_o, u_neg)
        got = _sgns(kata, v_c, u_o, u_neg, "sgns_loss with large scores", inputs, hints)
        want = _sgns_oracle(v_c, u_o, u_neg)
        expect_close(got, want, "sgns_loss is finite and right for scores up to |u·v| = 1e4 (a stable −log σ)",
                     inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)


def test_sgns_loss_float64_values_and_gradients(kata):
    """in float64 sgns_loss and its gradients w.r.t. v_c, u_o and u_neg equal the oracle's to 1e-10"""
    v_c, u_o, u_neg = _sgns_case(4, 3, 5, 31, F64, scale=1.5)
    inputs = {"v_c": v_c, "u_o": u_o, "u_neg": u_neg}
    hints = _sgns_hints(v_c, u_o, u_neg)
    w = torch.linspace(0.5, 2.0, 4, dtype=F64)
    leaves = [t.clone().requires_grad_() for t in (v_c, u_o, u_neg)]
    got = _sgns(kata, *leaves, "sgns_loss in float64", inputs, hints)
    expect_tensor(got, "sgns_loss(float64) is float64 of shape (b,)", inputs=inputs, shape=(4,), dtype=F64,
                  hints=hints, hint_expected=_sgns_oracle(v_c, u_o, u_neg))
    expect_close(got, _sgns_oracle(v_c, u_o, u_neg), "sgns_loss in float64 equals the oracle to 1e-10",
                 inputs=inputs, atol=1e-10, rtol=1e-10, hints=hints)
    if got.grad_fn is None:
        fail("gradients flow from sgns_loss to v_c, u_o and u_neg", inputs=inputs, expected="a result with grad_fn",
             got="a result without autograd history",
             hints=["compute with torch operations on the inputs themselves (no .detach(), .item(), .numpy() or "
                    "torch.no_grad())."])
    (got * w).sum().backward()
    ref = [t.clone().requires_grad_() for t in (v_c, u_o, u_neg)]
    (_sgns_oracle(*ref) * w).sum().backward()
    for name, mine, theirs in zip(("v_c", "u_o", "u_neg"), leaves, ref):
        expect(mine.grad is not None, f"the gradient reaches {name}", inputs=inputs, expected="a gradient",
               got="None", hints=["do not detach the inputs inside sgns_loss."])
        expect_close(mine.grad, theirs.grad, f"∂(Σ_i w_i·loss_i)/∂{name} equals the oracle's to 1e-10",
                     inputs={**inputs, "weights w": w}, atol=1e-10, rtol=1e-10, hints=hints)


def test_sgns_loss_meta_in_meta_out(kata):
    """sgns_loss on meta tensors (the graders' stand-in for a GPU) returns a meta tensor of shape (b,)"""
    specs = [("tensor", (3, 4), "float32"), ("tensor", (3, 4), "float32"), ("tensor", (3, 5, 4), "float32")]
    got = run_beside(kata, ship.call_on_meta, kata.sgns_loss, specs)
    want = ((3,), "float32", "meta")
    if _no_verdict(got):
        return
    expect(got == want, "sgns_loss keeps the inputs' device: meta inputs give a (b,) meta result",
           inputs={"v_c, u_o": "meta (3, 4)", "u_neg": "meta (3, 5, 4)"}, expected=want, got=got,
           detail="(shape, dtype, device) of the result",
           hints=[Hint("make constants on the inputs' device (torch.zeros_like(x), torch.zeros((), device=x.device)) "
                       "— a bare torch.tensor(0.) lives on the CPU.", when=lambda g, w: g != w)])


# ================================================================================================ NegativeSampler
SAMPLER_COUNTS = [([50, 30, 20, 10, 5, 0, 8, 1], 0.75), ([0, 4, 4, 100], 0.75), ([7, 1, 0, 0, 2], 1.0),
                  ([9, 16, 1, 0], 0.5)]


def _sampler_hints(counts, power):
    c = torch.as_tensor(counts).double()
    return [
        Hint("the noise distribution is counts ** 0.75 (normalised), not the counts themselves: plain counts "
             "over-sample the most frequent words.",
             when=lambda g, w: power != 1.0 and near(g, c / c.sum(), 1e-9)),
        Hint("use the power you are given (counts ** power).",
             when=lambda g, w: power != 0.75 and near(g, _probs_oracle(c, 0.75), 1e-9)),
        Hint("normalise: probs = weights / weights.sum() (they must sum to 1).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape and abs(float(g.double().sum()) - 1)
             > 1e-6),
        Hint("ids with count 0 get probability exactly 0 (0 ** power is 1 when power = 0: use torch.where).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape and bool((g[c == 0] != 0).any())),
        Hint("probs is float64 (counts.to(torch.float64) ** power).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != torch.float64),
    ]


@pytest.mark.core("NegativeSampler")
def test_sampler_probs_match_counts_to_the_power(kata):
    """NegativeSampler(counts, power).probs = counts**power / Σ counts**power (float64), 0 for unused ids"""
    for counts, power in SAMPLER_COUNTS:
        c = torch.tensor(counts, dtype=torch.int64)
        inputs = {"counts": c, "power": power}
        hints = _sampler_hints(c, power)
        s = call(kata.NegativeSampler, c, power=power, generator=gen(1), prop="NegativeSampler(counts, power)",
                 inputs=inputs, hints=hints)
        got = s.probs
        want = _probs_oracle(c, power)
        expect_tensor(got, "probs is a float64 tensor of shape (V,)", inputs=inputs, shape=c.shape, dtype=F64,
                      hints=hints, hint_expected=want)
        expect_close(got, want, "probs = counts**power / Σ counts**power, 0 where the count is 0", inputs=inputs,
                     atol=1e-12, rtol=1e-10, hints=hints)


def test_sampler_default_power(kata):
    """NegativeSampler(counts) uses power 0.75 by default (Mikolov et al.)"""
    c = torch.tensor([81, 16, 1, 0, 625], dtype=torch.int64)
    inputs = {"counts": c}
    s = call(kata.NegativeSampler, c, prop="NegativeSampler(counts)", inputs=inputs)
    expect_close(s.probs, _probs_oracle(c), "NegativeSampler(counts).probs = counts**0.75 / Σ", inputs=inputs,
                 atol=1e-12, rtol=1e-10, hints=_sampler_hints(c, 0.75))


def _chi2_p(observed, expected):
    """Pearson's χ² goodness-of-fit p-value over the cells with expected > 0 (= scipy.stats.chisquare's: the χ²
    survival function with k − 1 degrees of freedom is the regularised upper incomplete gamma Q((k − 1)/2, χ²/2);
    torch's saves importing scipy.stats, about a second)."""
    keep = expected > 0
    obs, exp = observed[keep].double(), expected[keep].double()
    exp = exp * obs.sum() / exp.sum()
    stat = ((obs - exp) ** 2 / exp).sum()
    df = torch.tensor((int(keep.sum()) - 1) / 2, dtype=F64)
    return float(torch.special.gammaincc(df, stat / 2))


@pytest.mark.core("NegativeSampler")
def test_sampler_draws_follow_probs(kata, stat_seed):
    """100,000 draws of NegativeSampler.sample are int64 ids with the counts**0.75 law (χ² p > 1e-4), never unused ids"""
    c = torch.tensor([50, 30, 20, 10, 5, 0, 8, 1, 0, 200], dtype=torch.int64)
    inputs = {"counts": c, "draws": "sample(50_000) twice"}
    hints = _sampler_hints(c, 0.75)
    s = call(kata.NegativeSampler, c, generator=stat_gen(1, stat_seed), prop="NegativeSampler(counts)",
             inputs=inputs)
    draws = [call(s.sample, 50_000, prop="sampler.sample(50_000)", inputs=inputs, hints=[Hint(
        "noise words are drawn i.i.d., with replacement: torch.multinomial(..., replacement=True) (without it, "
        "at most V ids can be drawn).", when=lambda g, w: isinstance(g, str) and "replacement" in g)])
        for _ in range(2)]
    for d in draws:
        expect_tensor(d, "sample(num) returns an int64 tensor of shape (num,)", inputs=inputs, shape=(50_000,),
                      dtype=torch.int64,
                      hints=["torch.multinomial(self.probs, num, replacement=True, generator=self.generator) "
                             "returns int64 ids."])
    d = torch.cat(draws)
    expect(bool(((d >= 0) & (d < len(c))).all()), "every draw is an id 0 … V−1", inputs=inputs,
           expected="ids in range", got=d)
    observed = torch.bincount(d, minlength=len(c))
    expect(int(observed[c == 0].sum()) == 0, "an id with count 0 is never drawn", inputs=inputs, expected=0,
           got={i: int(observed[i]) for i in range(len(c)) if c[i] == 0},
           hints=["give unused ids probability 0 (counts ** 0.75 is 0 there; keep it 0)."])
    want = _probs_oracle(c)
    p = _chi2_p(observed, want)
    freq = observed.double() / observed.sum()
    expect(p > 1e-4, "the draws follow probs = counts**0.75 / Σ (χ² goodness of fit, p > 1e-4)", inputs=inputs,
           expected=want, got=freq, detail=f"χ² p-value {p:.3g}",
           hints=[Hint("the draws follow the plain counts: raise them to the power 0.75 first.",
                       when=lambda g, w: _chi2_p(observed, c.double()) > 1e-4),
                  Hint("the draws look uniform over the ids: sample with the weights, "
                       "torch.multinomial(self.probs, num, replacement=True, generator=...).",
                       when=lambda g, w: _chi2_p(observed, (c > 0).double()) > 1e-4
                       or _chi2_p(observed, torch.ones(len(c), dtype=F64)) > 1e-4)] + hints)


@pytest.mark.core("NegativeSampler")
def test_sampler_uses_its_generator(kata):
    """NegativeSampler(counts, generator=g).sample(200): equally seeded generators give the same ids, others not"""
    c = torch.tensor([5, 3, 9, 1, 0, 7], dtype=torch.int64)

    def draws(g):
        s = call(kata.NegativeSampler, c, generator=g, prop="NegativeSampler(counts, generator=g)",
                 inputs={"counts": c})
        return [call(s.sample, 200, prop="sampler.sample(200)", inputs={"counts": c}) for _ in range(2)]
    expect_generator_used(draws, "NegativeSampler(counts, generator=g).sample(200), twice", inputs={"counts": c},
                          hints=["keep the generator (self.generator = generator) and pass it to every draw: "
                                 "torch.multinomial(..., generator=self.generator)."])


# ================================================================================================ get_negatives
NEG_PROBS_COUNTS = torch.tensor([50, 30, 20, 10, 5, 0, 8, 1, 40], dtype=torch.int64)


def _neg_probs():
    return _probs_oracle(NEG_PROBS_COUNTS)


def _negatives(kata, contexts, seed, K, prop, inputs, hints=()):
    got = call(run_beside, kata, ship.negatives_with, kata.get_negatives, contexts, _neg_probs(), seed, K,
               prop=prop, inputs=inputs, hints=hints)
    return got


def _neg_structure_hints(contexts, K, result=None):
    """Hints judged on the whole result (a list of lists), whatever part of it a failing check shows."""
    def on_result(test):
        def when(g, w):
            r = result if result is not None else g
            try:
                return bool(test(r))
            except Exception:  # noqa: BLE001 - a malformed result: no hint
                return False
        return when

    def lists(r):
        return isinstance(r, list) and len(r) == len(contexts) and all(isinstance(n, list) for n in r)
    return [
        Hint("each centre gets len(contexts) · K noise words (K per context word), not K per centre.",
             when=on_result(lambda r: lists(r) and all(len(n) == K for n in r)
                            and any(len(c) != 1 for c in contexts))),
        Hint("a drawn id that is one of the centre's context words is thrown away and drawn again (keep drawing "
             "until there are len(contexts) · K noise words).",
             when=on_result(lambda r: lists(r) and any(K < len(n) < len(c) * K or (len(c) == 1 and len(n) < K)
                                                       for n, c in zip(r, contexts)))),
        Hint("the noise words must not be context words of that centre: redraw such ids (`if neg not in "
             "contexts`).", when=on_result(lambda r: lists(r) and any(x in set(c) for n, c in zip(r, contexts)
                                                                      for x in n))),
        Hint("return one list of ints per centre (a list of lists), in the order of all_contexts.",
             when=on_result(lambda r: not lists(r))),
    ]


NEG_CASES = [  # (all_contexts, K)
    ([[1, 2], [0], [3, 4, 6], [8, 0, 1, 2]], 5), ([[0, 8]] * 3 + [[2]], 2), ([[7], [6, 7]], 4),
    ([[0, 1, 2, 3, 4, 6, 7]], 1),
]


def _check_negative_structure(got, contexts, K, inputs, hints):
    expect(isinstance(got, list) and len(got) == len(contexts), "get_negatives returns one list per centre",
           inputs=inputs, expected=f"{len(contexts)} lists", got=got, hints=hints)
    probs = _neg_probs()
    for k, (neg, ctx) in enumerate(zip(got, contexts)):
        expect(isinstance(neg, list) and len(neg) == len(ctx) * K,
               f"centre {k} (contexts {ctx}) gets len(contexts) · K = {len(ctx) * K} noise words", inputs=inputs,
               expected=len(ctx) * K, got=neg if not isinstance(neg, list) else f"{len(neg)}: {neg}", hints=hints)
        bad = [x for x in neg if not (isinstance(x, int) and 0 <= x < len(probs))]
        expect(not bad, f"centre {k}'s noise words are int ids 0 … V−1", inputs=inputs, expected="Python ints",
               got=bad[:5], hints=["return Python ints (.tolist() of the sampler's draws)."])
        hit = [x for x in neg if x in set(ctx)]
        expect(not hit, f"no noise word of centre {k} is one of its context words {ctx}", inputs=inputs,
               expected="no context word among the noise words", got=f"{hit[:6]} in {neg}", hints=hints)
        zero = [x for x in neg if probs[x] == 0]
        expect(not zero, f"centre {k}'s noise words come from the sampler (never an id of probability 0)",
               inputs=inputs, expected="ids drawn with sampler.sample", got=zero[:5],
               hints=["draw every noise word with sampler.sample(...)."])


@pytest.mark.core("get_negatives")
def test_get_negatives_structure(kata):
    """get_negatives gives each centre len(contexts)·K ids, none of them its context words, all from the sampler"""
    for k, (contexts, K) in enumerate(NEG_CASES):
        inputs = {"all_contexts": contexts, "K": K, "sampler": f"draws i.i.d. from probs ∝ {NEG_PROBS_COUNTS.tolist()}"
                  "**0.75"}
        got, drawn = _negatives(kata, contexts, 40 + k, K, "get_negatives(all_contexts, sampler, K)", inputs,
                                _neg_structure_hints(contexts, K))
        hints = _neg_structure_hints(contexts, K, got)
        _check_negative_structure(got, contexts, K, inputs, hints)
        total = sum(len(c) * K for c in contexts)
        expect(drawn >= total, "every noise word was drawn with sampler.sample", inputs=inputs,
               expected=f"at least {total} ids drawn from the sampler", got=f"{drawn} drawn",
               hints=["draw the noise words with the sampler you are given (sampler.sample(n)), not with a "
                      "sampler or torch.multinomial of your own."])


@pytest.mark.core("get_negatives")
def test_get_negatives_follow_the_restricted_law(kata, stat_seed):
    """pooled noise words follow counts**0.75 restricted to the non-context words (χ² p > 1e-4)"""
    groups = [[0, 1]] * 600 + [[8]] * 600 + [[2, 4, 6]] * 400
    K = 5
    inputs = {"all_contexts": "600 × [0, 1], 600 × [8], 400 × [2, 4, 6]", "K": K,
              "sampler": f"draws i.i.d. from probs ∝ {NEG_PROBS_COUNTS.tolist()}**0.75"}
    got, _ = _negatives(kata, groups, 1000 + stat_seed, K, "get_negatives on 1,600 centres", inputs,
                        _neg_structure_hints(groups, K))
    hints = _neg_structure_hints(groups, K, got)
    expect(isinstance(got, list) and len(got) == len(groups), "get_negatives returns one list per centre",
           inputs=inputs, expected=f"{len(groups)} lists", got=type(got).__name__, hints=hints)
    probs = _neg_probs()
    start = 0
    for ctx, n in (([0, 1], 600), ([8], 600), ([2, 4, 6], 400)):
        pooled = [x for neg in got[start:start + n] for x in neg]
        start += n
        expect(len(pooled) == n * len(ctx) * K, f"the centres with contexts {ctx} get len(contexts)·K noise words "
               "each", inputs=inputs, expected=n * len(ctx) * K, got=len(pooled), hints=hints)
        observed = torch.bincount(torch.tensor(pooled, dtype=torch.int64), minlength=len(probs))[:len(probs)]
        want = probs.clone()
        want[ctx] = 0
        want = want / want.sum()
        expect(int(observed[want == 0].sum()) == 0, f"centres with contexts {ctx} never get a context word or an "
               "unused id", inputs=inputs, expected=want, got=observed, hints=hints)
        p = _chi2_p(observed, want)
        expect(p > 1e-4, f"the noise words of centres with contexts {ctx} follow counts**0.75 restricted to the "
               "other words (χ² p > 1e-4)", inputs=inputs, expected=want, got=observed.double() / observed.sum(),
               detail=f"χ² p-value {p:.3g}",
               hints=[Hint("a context word drawn must be *redrawn* from the sampler (the result is the sampler's law "
                           "restricted to the other words); replacing it by a fixed or uniform id changes the law.")])


def test_get_negatives_use_the_sampler_only(kata):
    """get_negatives draws through the sampler: equally seeded samplers give the same noise words, others not"""
    contexts = [[1, 2], [0], [3, 4, 6], [8, 0]] * 3
    inputs = {"all_contexts": contexts, "K": 3}

    def negatives(g):
        return _negatives(kata, contexts, g.initial_seed(), 3, "get_negatives(all_contexts, sampler, 3)", inputs)[0]
    expect_generator_used(negatives, "get_negatives with a sampler seeded alike", inputs=inputs,
                          hints=["every random draw goes through sampler.sample(...): no torch.multinomial, "
                                 "torch.randint or random.* of your own."])


# ================================================================================================ get_centers_and_contexts
TINY = [list(range(7)), list(range(7, 10)), [11], []]       # d2l's tiny dataset plus a one-token and an empty line


def _gcc(kata, corpus, m, g, prop, inputs, hints=()):
    got = call(kata.get_centers_and_contexts, corpus, m, generator=g, prop=prop, inputs=inputs, hints=hints)
    if not (isinstance(got, tuple) and len(got) == 2):
        fail(prop, inputs=inputs, expected="a pair (centers, contexts)", got=got, hints=hints)
    return got


def _gcc_hints(corpus, m, result=None):
    """Hints judged on the whole result ``(centers, contexts)`` (or, before there is one, on the error text)."""
    n = sum(len(line) for line in corpus if len(line) >= 2)
    unique = all(len(set(line)) == len(line) for line in corpus)

    def on_result(test):
        def when(g, w):
            r = result if result is not None else g
            try:
                return isinstance(r, tuple) and len(r) == 2 and bool(test(list(r[0]), [list(c) for c in r[1]]))
            except Exception:  # noqa: BLE001 - a malformed result: no hint
                return False
        return when
    return [
        Hint("torch.randint's upper bound is exclusive: w ~ torch.randint(1, max_window_size + 1, ...) draws from "
             "{1, …, max_window_size}.", when=lambda g, w: isinstance(g, str) and "from" in g and "to" in g),
        Hint("skip the sentences with fewer than 2 tokens (no (centre, context) pair can be made from them).",
             when=on_result(lambda centers, contexts: len(centers) > n)),
        Hint("the centre itself is not one of its context words: leave position i out of the window.",
             when=on_result(lambda centers, contexts: unique and any(x in c for x, c in zip(centers, contexts)))),
        "the window covers positions max(0, i − w) … i + w (w on each side), clipped at both sentence ends, "
        "without i itself, in sentence order.",
    ]


@pytest.mark.core("get_centers_and_contexts")
def test_contexts_with_window_one(kata):
    """with max_window_size = 1 every centre's contexts are its direct neighbours (d2l's tiny dataset and more)"""
    for k, corpus in enumerate([TINY, [[4, 2, 9, 9, 3], [1, 1]], [[], [5], [0, 6, 2, 8, 1, 7, 3], [12, 11, 10]]]):
        inputs = {"corpus": corpus, "max_window_size": 1}
        want = _contexts_w1(corpus)
        got = _gcc(kata, corpus, 1, gen(k), "get_centers_and_contexts(corpus, 1)", inputs, _gcc_hints(corpus, 1))
        hints = _gcc_hints(corpus, 1, got)
        expect(list(got[0]) == want[0], "the centres are every token of the sentences with ≥ 2 tokens, in order",
               inputs=inputs, expected=want[0], got=got[0], hints=hints)
        expect([list(c) for c in got[1]] == want[1], "with max_window_size = 1 the contexts of position i are "
               "line[i − 1] and line[i + 1] (where they exist)", inputs=inputs, expected=want[1], got=got[1],
               hints=hints)


@pytest.mark.core("get_centers_and_contexts")
def test_contexts_are_clipped_windows(kata):
    """on d2l's tiny dataset (20 generators) every context list is a window of size w ∈ {1, …, max} around i"""
    for m in (2, 3):
        for s in range(10):
            inputs = {"corpus": TINY, "max_window_size": m, "generator": f"manual_seed({s})"}
            got = _gcc(kata, TINY, m, gen(s), f"get_centers_and_contexts(tiny, {m})", inputs, _gcc_hints(TINY, m))
            centers, contexts = got
            hints = _gcc_hints(TINY, m, got)
            expect(list(centers) == list(range(10)), "the centres are 0 … 9 in order (the lines [11] and [] are "
                   "skipped)", inputs=inputs, expected=list(range(10)), got=centers, hints=hints)
            expect(len(contexts) == 10, "one context list per centre", inputs=inputs, expected=10,
                   got=len(contexts), hints=hints)
            k = 0
            for line in TINY:
                if len(line) < 2:
                    continue
                for i in range(len(line)):
                    allowed = _windows(line, i, m)
                    expect(list(contexts[k]) in allowed, f"the contexts of centre {line[i]} are a window of size "
                           f"w ∈ {{1, …, {m}}} around it, in sentence order", inputs=inputs,
                           expected=" or ".join(map(str, allowed)), got=contexts[k], hints=hints)
                    k += 1


@pytest.mark.core("get_centers_and_contexts")
def test_contexts_use_the_generator(kata):
    """get_centers_and_contexts: equally seeded generators give the same windows, differently seeded ones differ"""
    corpus = [list(range(20)), list(range(20, 35))]
    inputs = {"corpus": "[0 … 19], [20 … 34]", "max_window_size": 4}
    expect_generator_used(lambda g: _gcc(kata, corpus, 4, g, "get_centers_and_contexts(corpus, 4)", inputs),
                          "get_centers_and_contexts(corpus, 4, generator=g)", inputs=inputs,
                          hints=["draw a fresh window size w ∈ {1, …, max_window_size} for every centre with "
                                 "torch.randint(1, max_window_size + 1, ..., generator=generator), not "
                                 "random.randint."])


def test_window_sizes_are_uniform(kata, stat_seed):
    """window sizes are uniform on {1, 2, 3}: on six 200-token lines each size covers 1/3 of the centres (5σ)"""
    corpus = [list(range(200)) for _ in range(6)]
    inputs = {"corpus": "six lines [0 … 199]", "max_window_size": 3}
    centers, contexts = _gcc(kata, corpus, 3, stat_gen(2, stat_seed), "get_centers_and_contexts(six lines, 3)",
                             inputs)
    expect(len(contexts) == 1200, "one context list per centre", inputs=inputs, expected=1200, got=len(contexts))
    per_line = [[len(contexts[200 * r + i]) // 2 for i in range(3, 197)] for r in range(6)]
    expect(all(len(set(line)) > 1 for line in per_line), "the window size is drawn afresh for every centre (each "
           "line's centres get different sizes)", inputs=inputs, expected="several sizes in every line",
           got=[sorted(set(line)) for line in per_line],
           hints=["draw a fresh window size for every centre (torch.randint(1, max_window_size + 1, (len(line),), "
                  "generator=...)): not one per sentence, and not always max_window_size."])
    sizes = [w for line in per_line for w in line]
    n = len(sizes)
    counts = [sizes.count(w) for w in (1, 2, 3)]
    sigma = math.sqrt(n * (1 / 3) * (2 / 3))
    ok = all(abs(c - n / 3) <= 5 * sigma for c in counts) and sum(counts) == n
    expect(ok, f"each window size 1, 2, 3 covers n/3 = {n / 3:.0f} of the {n} interior centres (±5σ = "
           f"{5 * sigma:.0f})", inputs=inputs, expected=f"about {n / 3:.0f} each", got=dict(zip((1, 2, 3), counts)),
           hints=[Hint("draw w from {1, …, max_window_size}, both ends included: torch.randint(1, "
                       "max_window_size + 1, ...) (randint's upper bound is exclusive).",
                       when=lambda g, w: isinstance(g, dict) and g.get(3, 0) == 0 and g.get(1, 0) > 0),
                  Hint("draw a fresh window size for every centre (not one per sentence, and not always "
                       "max_window_size).", when=lambda g, w: isinstance(g, dict) and max(g.values()) > 0.9 * n)])


# ================================================================================================ subsample
SUB_COUNTS = {0: 5000, 1: 2000, 2: 500, 3: 120}


def _sub_corpus(seed):
    """7,620 tokens (ids 0 … 3 with counts 5,000/2,000/500/120) shuffled into lines of 20, and two empty lines."""
    tokens = torch.tensor([w for w, n in SUB_COUNTS.items() for _ in range(n)])
    tokens = tokens[torch.randperm(len(tokens), generator=gen(seed))].tolist()
    lines = [tokens[i:i + 20] for i in range(0, len(tokens), 20)]
    return lines[:5] + [[]] + lines[5:] + [[]]


def _is_subsequence(small, big):
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def _sub(kata, corpus, t, g, prop, inputs, hints=()):
    got = call(kata.subsample, corpus, t, generator=g, prop=prop, inputs=inputs, hints=hints)
    expect(isinstance(got, list) and len(got) == len(corpus), "subsample returns one list per sentence (empty "
           "sentences stay, as empty lists)", inputs=inputs, expected=f"{len(corpus)} lists",
           got=f"{type(got).__name__} of length {len(got) if hasattr(got, '__len__') else '?'}", hints=hints)
    bad = [k for k, (a, b) in enumerate(zip(got, corpus)) if not (isinstance(a, list) and _is_subsequence(a, b))]
    expect(not bad, "each output sentence is its input sentence with some words removed (order kept)",
           inputs=inputs, expected=corpus[bad[0]] if bad else None, got=got[bad[0]] if bad else None, hints=hints)
    return got


@pytest.mark.core("subsample")
def test_subsample_keeps_each_word_binomially(kata, stat_seed):
    """subsample (t = 0.05) keeps each word's occurrences in a binomial 5σ band around count · keep_prob"""
    corpus = _sub_corpus(7)
    t = 0.05
    inputs = {"corpus": "7,620 tokens in lines of 20: id 0 × 5,000, id 1 × 2,000, id 2 × 500, id 3 × 120", "t": t}
    total = sum(SUB_COUNTS.values())
    keep = {w: min(1.0, math.sqrt(t * total / n)) for w, n in SUB_COUNTS.items()}
    hints = [Hint("keep each occurrence with probability min(1, √(t / f)), f = count / Σ counts over the whole "
                  "corpus; the expected numbers kept are "
                  + ", ".join(f"{SUB_COUNTS[w] * keep[w]:.0f}" for w in SUB_COUNTS) + "."),
             Hint("one coin per occurrence (torch.rand(number of tokens, generator=generator) < p[token]), not one "
                  "decision per word type.",
                  when=lambda g, w: isinstance(g, dict) and any(g.get(k, 0) in (0, SUB_COUNTS[k])
                                                                for k in (0, 1, 2)))]
    got = _sub(kata, corpus, t, stat_gen(3, stat_seed), "subsample(corpus, 0.05)", inputs, hints)
    kept = {w: sum(line.count(w) for line in got) for w in SUB_COUNTS}
    for w, n in SUB_COUNTS.items():
        p = keep[w]
        sigma = math.sqrt(n * p * (1 - p))
        expect(abs(kept[w] - n * p) <= 5 * sigma + 1e-9, f"id {w} ({n} occurrences, keep probability {p:.3f}) keeps "
               f"{n * p:.0f} ± {5 * sigma:.0f} occurrences", inputs=inputs, expected=round(n * p),
               got=kept, hints=hints)


@pytest.mark.core("subsample")
def test_subsample_keeps_everything_when_t_is_large(kata):
    """with t ≥ the largest frequency every keep probability is 1: subsample returns the corpus unchanged"""
    for k, corpus in enumerate([[[1, 2, 3], [], [3, 3, 0]], [[5, 4, 4, 4, 1]], [[0], [1, 0], [2, 1, 0]]]):
        inputs = {"corpus": corpus, "t": 1.0}
        got = _sub(kata, corpus, 1.0, gen(k), "subsample(corpus, t=1.0)", inputs)
        expect_equal([list(line) for line in got], corpus, "subsample(corpus, t=1.0) keeps every word",
                     inputs=inputs, hints=["with t ≥ f every keep probability min(1, √(t / f)) is 1."])


@pytest.mark.core("subsample")
def test_subsample_uses_the_generator(kata):
    """subsample: equally seeded generators keep the same occurrences, differently seeded ones differ"""
    corpus = _sub_corpus(3)[:40]
    inputs = {"corpus": "40 lines of ids 0 … 3", "t": 0.05}
    expect_generator_used(lambda g: _sub(kata, corpus, 0.05, g, "subsample(corpus, 0.05)", inputs),
                          "subsample(corpus, 0.05, generator=g)", inputs=inputs,
                          hints=["draw the coins with torch.rand(..., generator=generator), not random.uniform."])


# ================================================================================================ train_word2vec
def _planted_corpus(g):
    """5 clusters × 10 words (cluster c = ids 10c … 10c + 9), 300 sentences of 8 words from one cluster each."""
    cluster = torch.randint(0, 5, (300,), generator=g)
    words = torch.randint(0, 10, (300, 8), generator=g)
    return (cluster[:, None] * 10 + words).tolist()


def _cluster_scores(E):
    """(mean within-cluster cosine, mean across-cluster cosine, purity of the 9 nearest neighbours)."""
    E = E.detach().double()
    n = E / E.norm(dim=1, keepdim=True).clamp_min(1e-12)
    C = n @ n.T
    lab = torch.arange(len(E)) // 10
    same = lab[:, None] == lab[None, :]
    eye = torch.eye(len(E), dtype=torch.bool)
    within, across = float(C[same & ~eye].mean()), float(C[~same].mean())
    C = C.masked_fill(eye, -2.0)
    purity = float((lab[C.topk(9, dim=1).indices] == lab[:, None]).double().mean())
    return within, across, purity


def _train(kata, corpus, prop, inputs, hints=(), **kw):
    return call(run_beside, kata, ship.train_watching_loss, kata.train_word2vec, corpus, 50, prop=prop,
                inputs=inputs, hints=hints, expected="the centre table", **kw)


SMALL = dict(embed_size=8, num_noise_words=3, num_epochs=1)


@pytest.mark.core("train_word2vec")
def test_train_uses_the_generator(kata):
    """train_word2vec (one epoch): equally seeded generators give identical embeddings, differently seeded ones differ"""
    corpus = _planted_corpus(gen(5))
    inputs = {"corpus": "300 planted-cluster sentences", "vocab_size": 50, **SMALL}

    def run(g):
        return _train(kata, corpus, "train_word2vec(corpus, 50, ...)", inputs, generator=g, **SMALL)[0]
    expect_generator_used(run, "train_word2vec(..., generator=g)", inputs=inputs,
                          hints=["pass the generator on to every draw: get_centers_and_contexts, NegativeSampler, "
                                 "the initial tables (torch.rand(..., generator=generator)) and the shuffle "
                                 "(torch.randperm(n, generator=generator))."])


@pytest.mark.core("train_word2vec")
def test_train_calls_sgns_loss_and_returns_the_centre_table(kata):
    """train_word2vec trains with this module's sgns_loss (u_neg of shape (b, K, d), grads on) and returns V"""
    corpus = _planted_corpus(gen(6))
    inputs = {"corpus": "300 planted-cluster sentences", "vocab_size": 50, **SMALL}
    table, report = _train(kata, corpus, "train_word2vec(corpus, 50, embed_size=8, num_noise_words=3, num_epochs=1)",
                           inputs, generator=gen(60), **SMALL)
    expect_tensor(table, "train_word2vec returns the centre table, (vocab_size, embed_size) float32", inputs=inputs,
                  shape=(50, 8), dtype=F32,
                  hints=["return V itself (vocab_size rows, embed_size columns), e.g. V.detach().clone() or "
                         "embed_v.weight.detach()."])
    expect(not table.requires_grad and table.grad_fn is None, "the returned table is detached (no autograd history)",
           inputs=inputs, expected="requires_grad=False", got=f"requires_grad={table.requires_grad}",
           hints=["return V.detach() (or .detach().clone())."])
    expect(report["calls"] > 0, "train_word2vec computes its loss with this module's sgns_loss", inputs=inputs,
           expected="calls of sgns_loss", got="no call of sgns_loss",
           hints=["call sgns_loss(v_c, u_o, u_neg) by its name for every minibatch (the noise words are half of "
                  "word2vec: a loss of your own without them is not skip-gram with negative sampling)."])
    first = report["first"]
    ok = (len(first) == 3 and all(isinstance(a, tuple) for a in first)
          and len(first[0][0]) == 2 and first[0][0][1] == 8 and first[1][0] == first[0][0]
          and len(first[2][0]) == 3 and first[2][0][0] == first[0][0][0] and first[2][0][1:] == (3, 8))
    expect(ok, "sgns_loss is called with v_c (b, d), u_o (b, d), u_neg (b, num_noise_words, d)", inputs=inputs,
           expected="[((b, 8), ...), ((b, 8), ...), ((b, 3, 8), ...)]", got=first,
           hints=["one row per (centre, context) pair: v_c = V[centres], u_o = U[contexts], u_neg = U[noise] with "
                  "noise of shape (b, num_noise_words); pass embed_size and num_noise_words on."])
    expect(all(a[2] for a in first), "sgns_loss receives tensors that require grad (rows of the trained tables)",
           inputs=inputs, expected="requires_grad=True for v_c, u_o and u_neg", got=first,
           hints=["look the rows up in the parameters themselves (V[ids], an nn.Embedding) inside the training "
                  "step, without .detach() or torch.no_grad()."])
    v_c = report["last_v_c"]
    dist = (v_c.double()[:, None, :] - table.double()[None]).abs().amax(-1).min(1).values
    expect(float(dist.median()) <= 0.1, "the returned table is the centre table V (the rows sgns_loss saw as v_c)",
           inputs=inputs, expected="rows of the last v_c within one optimiser step of the returned table",
           got=f"median distance {float(dist.median()):.3g} to the nearest returned row",
           hints=["return the centre-word table V (the one v_c is looked up in), not the context table U."])


@pytest.mark.core("train_word2vec")
@pytest.mark.weight(2)
def test_train_finds_planted_clusters(kata, stat_seed):
    """on two planted-cluster corpora: 9-NN purity ≥ 0.9, within-cluster cosine ≥ 0.8, within − across ≥ 0.4"""
    for k in range(2):
        corpus = _planted_corpus(stat_gen(10 + k, stat_seed))
        inputs = {"corpus": "5 clusters × 10 words (ids 10c … 10c + 9), 300 sentences of 8 words, each from one "
                            "cluster", "vocab_size": 50, "arguments": "the defaults (embed_size 16, window 2, "
                                                                      "5 noise words, 5 epochs, lr 0.01)"}
        table, _ = _train(kata, corpus, "train_word2vec(corpus, 50)", inputs,
                               generator=stat_gen(20 + k, stat_seed))
        expect_tensor(table, "train_word2vec returns a (50, 16) table", inputs=inputs, shape=(50, 16))
        expect(bool(table.isfinite().all()), "the embeddings are finite", inputs=inputs, expected="finite values",
               got=table, hints=["a NaN usually comes from an unstable −log σ in sgns_loss."])
        within, across, purity = _cluster_scores(table)
        scores = {"within": round(within, 3), "across": round(across, 3), "purity": round(purity, 3)}
        hints = [
            Hint("the noise words' vectors come from the context table U (like u_o), not from the centre table V.",
                 when=lambda g, w, a=across, i=within: a < 0 and i < 0.8),
            Hint("start both tables small, as d2l: Xavier-uniform U(−a, a), a = √(6 / (vocab_size + embed_size)); "
                 "nn.Embedding's N(0, 1) start is too large to cluster within 5 epochs.",
                 when=lambda g, w, p=purity, a=across: p < 0.7 and a > 0),
            Hint("check sgns_loss (the sign of the noise term) and that the loss is minimised (Adam on both tables, "
                 "zero_grad, backward, step for every minibatch)."),
        ]
        expect(purity >= 0.9 and within >= 0.8 and within - across >= 0.4,
               "words of one planted cluster end up together: purity ≥ 0.9, within ≥ 0.8, within − across ≥ 0.4",
               inputs=inputs, expected="purity ≥ 0.9, within ≥ 0.8, within − across ≥ 0.4 (the reference: purity "
                                       "1.000, within 0.94, across 0.33)", got=scores, hints=hints)
