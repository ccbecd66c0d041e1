"""Graders for ch8/language_models.py (ngram_freqs, fit_zipf, unigram_counts, bigram_counts, laplace_unigram,
laplace_bigram, seq_data_iter_random, seq_data_iter_sequential).

Oracles: explicit loops and counting dicts for the n-gram tables and the count tensors (order key: −count, then the
index of first occurrence); the least-squares formula summed with math.fsum in float64 for Zipf (cross-checked with
numpy.polyfit); the contract's Laplace formulas in float64. The iterators run on corpora whose values are their
positions (``list(range(n))``) or a permutation of them (values unique), so every window can be located exactly;
their randomness is graded by what the contract states — offset range, window grid, non-overlap, batch counts,
row continuation — per epoch, and by statistics over many epochs (every offset reached, shuffled order), never
draw for draw.

Statistics. The statistical graders take ``stat_seed`` and run S = 60 epochs from generators seeded
1000·k + stat_seed. With T = 4 offsets, P(some offset never drawn) ≤ 4·(3/4)^60 ≈ 1e-7; the book's inclusive
offset (5 values) draws num_steps with probability 1/5 per epoch, missed in all 60 with P = (4/5)^60 ≈ 2e-6. Under a
uniform shuffle of M = 8 windows into batches of 2, a batch's second row continues its first with probability 1/8
(expected fraction 0.125, σ ≈ 0.02 over 240 batches); the graders fail only above 0.5 (a block shuffle gives 1.0).
Every window of the grid must appear over the epochs of one offset (checked for offsets drawn ≥ 8 times; one of 7
windows is dropped per epoch, so a window escapes 8 epochs with P ≤ 7·(1/7)^8 ≈ 1e-6).

Tolerances. Counts and iterator outputs are exact (integers). Probabilities are float64: 1e-12 absolute plus 1e-12
relative (the formulas are a few float64 operations). fit_zipf: 1e-8·(1 + |value|) on exact power laws (float64
least squares is within ~1e-12; float32 is off by ~1e-6), 1e-9·(1 + |value|) against numpy.polyfit.
"""
from __future__ import annotations

import math
import random as _random

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, run_beside
from tests.helpers import call, near
from tests.shippable_ch8_language_models import ERROR, epochs, on_meta

F64 = torch.float64
CATCH = (RuntimeError, IndexError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError)
WORDS = ("the time machine by h g wells the time traveller for so it will be convenient to speak of him was "
         "expounding a recondite matter to us his grey eyes shone and twinkled and his usually pale face was "
         "flushed and animated the fire burned brightly and the soft radiance of the incandescent lights").split()


def is_error(v) -> bool:
    return isinstance(v, dict) and len(v) == 1 and ERROR in v


# ================================================================================================ n-gram tables
def ngram_oracle(tokens, n):
    grams = [tuple(tokens[t:t + n]) for t in range(len(tokens) - n + 1)]
    counts, first = {}, {}
    for i, g in enumerate(grams):
        counts[g] = counts.get(g, 0) + 1
        first.setdefault(g, i)
    return [(g, counts[g]) for g in sorted(counts, key=lambda g: (-counts[g], first[g]))]


def _table(g):
    """A learner's table as a list of (key, count) pairs, or None."""
    if isinstance(g, list) and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in g):
        return [tuple(p) for p in g]
    return None


def _tie_kind(got_keys, want_keys, counts, order_of_first, order_of_last):
    """'alphabetical' / 'reversed' / 'last' / 'hash' / 'generic' when only the order within ties differs."""
    if got_keys == want_keys or sorted(map(repr, got_keys)) != sorted(map(repr, want_keys)):
        return None
    if any(counts[a] != counts[b] for a, b in zip(got_keys, want_keys)):
        return None
    groups_g, groups_w = {}, {}
    for a, b in zip(got_keys, want_keys):
        groups_g.setdefault(counts[a], []).append(a)
        groups_w.setdefault(counts[b], []).append(b)
    keys = [k for k in groups_w if groups_g[k] != groups_w[k]]
    if max(len(groups_w[k]) for k in keys) < 3:
        return "generic"
    if all(groups_g[k] in (sorted(groups_w[k]), sorted(groups_w[k], reverse=True)) for k in keys):
        return "alphabetical"
    if all(groups_g[k] == groups_w[k][::-1] for k in keys):
        return "reversed"
    if all(groups_g[k] == sorted(groups_w[k], key=order_of_last.get) for k in keys):
        return "last"
    return "hash"


TIE_TEXT = {
    "generic": "n-grams of equal count must come in the order of their first occurrence (like Vocab.token_freqs).",
    "alphabetical": "n-grams of equal count are in sorted (alphabetical) order; the contract's order is their FIRST "
                    "OCCURRENCE: sort by the count alone with a stable sort — sorted(counter.items(), key=lambda x: "
                    "x[1], reverse=True) keeps a Counter's first-occurrence order among ties.",
    "reversed": "n-grams of equal count come out last-first: reversing an ascending sort ([::-1]) reverses the ties "
                "too. sorted(..., key=lambda x: x[1], reverse=True) keeps ties in first-occurrence order.",
    "last": "n-grams of equal count are ordered by their LAST occurrence; use their first: count with a "
            "collections.Counter in corpus order and sort its items stably by count.",
    "hash": "n-grams of equal count come out in an arbitrary (hash/set) order: a set() has no defined order. Count "
            "with collections.Counter over the n-grams in corpus order and sort its items by count with a stable "
            "sort (ties keep their first occurrence).",
}


def ngram_hints(tokens, n):
    want = ngram_oracle(tokens, n)
    grams = [tuple(tokens[t:t + n]) for t in range(len(tokens) - n + 1)]
    counts = {g: c for g, c in want}
    first, last = {}, {}
    for i, g in enumerate(grams):
        first.setdefault(g, i)
        last[g] = i
    disjoint = None
    if n > 1:
        dis = [tuple(tokens[t:t + n]) for t in range(0, len(tokens) - n + 1, n)]
        dc = {}
        for g in dis:
            dc[g] = dc.get(g, 0) + 1
        disjoint = dc

    def total(g):
        t = _table(g)
        return sum(c for _, c in t) if t is not None and all(type(c) is int for _, c in t) else None

    def as_dict(g):
        t = _table(g)
        return dict(t) if t is not None else None

    def tie(kind):
        def when(g, w):
            t = _table(g)
            return t is not None and _tie_kind([k for k, _ in t], [k for k, _ in want], counts, first, last) == kind
        return when

    return [
        Hint("for n = 1 the n-grams are 1-tuples (token,), like every other n: build them the same way for every "
             "n (zip(*[tokens[i:] for i in range(n)]) gives tuples).",
             when=lambda g, w: n == 1 and _table(g) is not None and _table(g) and type(_table(g)[0][0]) is not tuple),
        Hint("the n-grams overlap: one starts at EVERY position t = 0 … len(tokens) − n (step 1, not step n).",
             when=lambda g, w: n > 1 and as_dict(g) == disjoint and disjoint != counts),
        Hint(f"there are len(tokens) − n + 1 = {len(grams)} n-grams: the last one starts at len(tokens) − n "
             "(range(len(tokens) − n + 1)).",
             when=lambda g, w: total(g) == len(grams) - 1),
        Hint("no wrap-around: the last n-gram ends at the last token.",
             when=lambda g, w: total(g) == len(tokens) and n > 1),
        Hint("by DESCENDING count (the most frequent first).",
             when=lambda g, w: _table(g) is not None and len(set(counts.values())) > 1
             and [c for _, c in _table(g)] == sorted(counts.values())),
        Hint("the counts are Python ints.", when=lambda g, w: _table(g) is not None and any(
            type(c) is not int for _, c in _table(g))),
    ] + [Hint(text, when=tie(kind)) for kind, text in TIE_TEXT.items()]


def _ngrams(kata, tokens, n, prop):
    return call(kata.ngram_freqs, list(tokens), n, prop=prop, inputs={"tokens": tokens, "n": n},
                hints=ngram_hints(tokens, n), catch=CATCH)


def _tie_tokens(seed):
    """A stream where 24 distinct bigrams occur twice each (first occurrences shuffled, second occurrences in
    another order): ties of size 24 that no set or alphabetical order matches by chance."""
    rng = _random.Random(seed)
    letters = "bcdfghjklmnpqrstvwxz"
    pairs = []
    while len(pairs) < 24:
        p = ("".join(rng.choice(letters) for _ in range(2)), "".join(rng.choice(letters) for _ in range(2)) + "o")
        if p not in pairs:
            pairs.append(p)
    a, b = pairs[:], pairs[:]
    rng.shuffle(a)
    rng.shuffle(b)
    # separators between pairs, so that only the planted bigrams repeat
    out = []
    for k, p in enumerate(a + b):
        out += [p[0], p[1], f"#{k}"]
    return out


@pytest.mark.core("ngram_freqs")
def test_ngram_freqs_book_tables(kata):
    """ngram_freqs(tokens, n) lists the overlapping n-grams with their counts, most frequent first (ties: first seen)"""
    cases = [(WORDS, 1), (WORDS, 2), (WORDS, 3), (list("abracadabra"), 2), (list("mississippi"), 1)]
    for tokens, n in cases:
        prop = f"ngram_freqs(tokens, {n}) = [(n-gram tuple, count)], descending count, ties by first occurrence"
        got = _ngrams(kata, tokens, n, prop)
        want = ngram_oracle(tokens, n)
        expect(_table(got) == want and all(type(c) is int for _, c in want), prop,
               inputs={"tokens": tokens, "n": n}, expected=want, got=got, hints=ngram_hints(tokens, n))


@settings(max_examples=12)
@given(tokens=st.lists(st.sampled_from("abcd"), max_size=12), n=st.integers(1, 4))
@example(tokens=list("aaaa"), n=2)
@example(tokens=list("ab"), n=3)
def test_ngram_freqs_any_sequence(kata, tokens, n):
    """on any token list there are len(tokens) − n + 1 overlapping n-grams (none if fewer tokens), counted exactly"""
    prop = "ngram_freqs(tokens, n) counts the len(tokens) − n + 1 overlapping n-grams (none when len(tokens) < n)"
    got = _ngrams(kata, tokens, n, prop)
    want = ngram_oracle(tokens, n)
    expect(_table(got) == want, prop, inputs={"tokens": tokens, "n": n}, expected=want, got=got,
           hints=ngram_hints(tokens, n))


def test_ngram_freqs_ties_by_first_occurrence(kata):
    """24 bigrams of equal count come out in order of their first occurrence (no set or alphabetical order)"""
    for seed in (3, 4):
        tokens = _tie_tokens(seed)
        prop = "ngram_freqs(tokens, 2): 24 bigrams that occur twice each, in order of first occurrence"
        got = _ngrams(kata, tokens, 2, prop)
        want = ngram_oracle(tokens, 2)
        expect(_table(got) == want, prop, inputs={"tokens": tokens, "n": 2}, expected=want[:30], got=got,
               hints=ngram_hints(tokens, 2))


# ================================================================================================ Zipf
def zipf_oracle(freqs, sort=True, ranks_from=1, swap=False):
    """Least squares of ln n_i on ln i (math.fsum, float64); the keywords build known mistakes for the hints."""
    vals = [float(f) for f in freqs if f > 0]
    if sort:
        vals.sort(reverse=True)
    N = len(vals)
    u = [math.log(i) for i in range(ranks_from, ranks_from + N)]
    v = [math.log(f) for f in vals]
    if swap:
        u, v = v, u
    um, vm = math.fsum(u) / N, math.fsum(v) / N
    slope = math.fsum((a - um) * (b - vm) for a, b in zip(u, v)) / math.fsum((a - um) ** 2 for a in u)
    if swap:   # ln i = s ln n + c'  →  ln n = ln i / s − c'/s
        return -1.0 / slope, -(vm - slope * um) / slope
    return -slope, vm - slope * um


def _pair(g):
    if isinstance(g, (tuple, list)) and len(g) == 2:
        try:
            return float(g[0]), float(g[1])
        except (TypeError, ValueError):
            return None
    return None


def _mistake(freqs, **kw):
    try:
        return zipf_oracle(freqs, **kw)
    except (ZeroDivisionError, ValueError):   # e.g. a swapped fit of equal frequencies: no such line
        return None


def zipf_hints(freqs):
    a, c = zipf_oracle(freqs)
    unsorted = _mistake(freqs, sort=False)
    shifted = _mistake(freqs, ranks_from=2)
    swapped = _mistake(freqs, swap=True)

    def near_pair(g, target, tol):
        p = _pair(g)
        return p is not None and target is not None and all(
            abs(x - y) <= tol * (1 + abs(y)) for x, y in zip(p, target))

    def close(g, target, tol=1e-6):
        """g matches a mistake's answer ``target``, and that answer is not (nearly) the right one."""
        return near_pair(g, target, tol) and not near_pair(target, (a, c), 1e-6)

    def nan(g):
        p = _pair(g)
        return p is not None and any(math.isnan(x) or math.isinf(x) for x in p)

    return [
        Hint("natural logarithms: ln n_i = −α ln i + c (math.log / torch.log). With log10 the slope is the same "
             "but c comes out divided by ln 10.",
             when=lambda g, w: close(g, (a, c / math.log(10)))),
        Hint("α is MINUS the slope: ln n_i = −α·ln i + c, so α = −slope (α > 0 for falling frequencies).",
             when=lambda g, w: close(g, (-a, c))),
        Hint("sort the frequencies in descending order before giving them ranks 1, 2, …, N (rank 1 = the most "
             "frequent).",
             when=lambda g, w: close(g, unsorted)),
        Hint("the ranks are i = 1 … N (ln 1 = 0): yours look shifted by one.", when=lambda g, w: close(g, shifted)),
        Hint("regress ln n_i (the response) on ln i; fitting ln i on ln n_i gives another line.",
             when=lambda g, w: close(g, swapped, 1e-5)),
        Hint("NaN or inf: ranks start at 1 (ln 0 = −∞) and zero frequencies are left out (ln 0 again).",
             when=lambda g, w: nan(g)),
        Hint("close, but not to float64 precision: compute the logarithms and sums in float64 (a float32 fit is "
             "off by ~1e-6).",
             when=lambda g, w: near_pair(g, (a, c), 1e-4) and not near_pair(g, (a, c), 1e-8)),
        Hint("return the pair (alpha, c) as Python floats.", when=lambda g, w: _pair(g) is None),
    ]


def _zipf(kata, freqs, prop, shown=None):
    return call(kata.fit_zipf, freqs, prop=prop, inputs={"freqs": shown if shown is not None else freqs},
                hints=zipf_hints(list(freqs)), catch=CATCH)


def expect_pair(got, want, prop, inputs, hints, tol):
    p = _pair(got)
    ok = p is not None and all(abs(x - y) <= tol * (1 + abs(y)) for x, y in zip(p, want))
    expect(ok, prop, inputs=inputs, expected=f"(alpha, c) = ({want[0]!r}, {want[1]!r})", got=got,
           detail=f"tolerance {tol:g}·(1 + |value|)", hints=hints)
    expect(all(isinstance(x, float) for x in got), "fit_zipf returns (alpha, c) as Python floats", inputs=inputs,
           expected="two floats", got=f"({type(got[0]).__name__}, {type(got[1]).__name__})",
           hints=["convert at the end: float(slope) (a 0-d tensor is not a float)."])


POWER_LAWS = [(1.0, math.log(1000.0), 50), (0.75, 2.5, 17), (1.6, 7.0, 200), (0.3, -1.0, 6)]


@pytest.mark.core("fit_zipf")
def test_fit_zipf_recovers_exact_power_laws(kata):
    """fit_zipf recovers α and c of an exact power law n_i = e^c · i^(−α) (to 1e-8)"""
    for alpha, c, N in POWER_LAWS:
        freqs = [math.exp(c) * i ** -alpha for i in range(1, N + 1)]
        prop = "fit_zipf(freqs) = (α, c) of ln n_i = −α ln i + c for an exact power law"
        got = _zipf(kata, freqs, prop)
        expect_pair(got, (alpha, c), prop, {"freqs": f"e^{c:g}·i^(−{alpha:g}) for i = 1…{N}"},
                    zipf_hints(freqs), 1e-8)


@pytest.mark.core("fit_zipf")
def test_fit_zipf_equals_polyfit_on_counts(kata):
    """on real counts (sorted, with ties), fit_zipf equals numpy.polyfit of ln n on ln rank (slope = −α)"""
    import numpy as np
    counts = [c for _, c in ngram_oracle(WORDS, 1)]
    for freqs in (counts, [c for _, c in ngram_oracle(list("the time traveller was expounding"), 1)],
                  [40, 20, 20, 13, 9, 9, 9, 5, 3, 1, 1, 1]):
        N = len(freqs)
        slope, icpt = np.polyfit(np.log(np.arange(1, N + 1)), np.log(np.array(freqs, dtype=float)), 1)
        want = (-float(slope), float(icpt))
        prop = "fit_zipf(freqs) = (−slope, intercept) of the least-squares line of ln n_i on ln i"
        got = _zipf(kata, freqs, prop)
        expect_pair(got, want, prop, {"freqs": freqs}, zipf_hints(freqs), 1e-9)


@settings(max_examples=8)
@given(freqs=st.lists(st.integers(0, 60), min_size=2, max_size=12).filter(lambda f: sum(x > 0 for x in f) >= 2))
@example(freqs=[1, 5, 0, 2, 9, 0, 3])
def test_fit_zipf_sorts_and_drops_zeros(kata, freqs):
    """the order of the input does not matter and zero frequencies are left out"""
    pos = sorted((f for f in freqs if f > 0), reverse=True)
    want = zipf_oracle(pos)
    prop = "fit_zipf(freqs) = the fit of the positive frequencies sorted in descending order"
    got = _zipf(kata, list(freqs), prop)
    expect_pair(got, want, prop, {"freqs": freqs}, zipf_hints(freqs), 1e-9)


def test_fit_zipf_scaling_moves_c_only(kata):
    """multiplying every frequency by k adds ln k to c and leaves α unchanged; a tensor input works too"""
    base = [float(c) for _, c in ngram_oracle(WORDS, 1)]
    a0, c0 = zipf_oracle(base)
    for k in (3.0, 0.01, 1e6):
        freqs = torch.tensor([f * k for f in base], dtype=F64)
        prop = "fit_zipf(k·freqs) = (α, c + ln k), for a list or a 1-D float64 tensor"
        got = _zipf(kata, freqs, prop, shown=f"{k:g} × the word counts of the excerpt (a float64 tensor)")
        expect_pair(got, (a0, c0 + math.log(k)), prop, {"freqs": f"{k:g} × word counts (tensor)", "k": k},
                    zipf_hints([f * k for f in base]), 1e-9)


# ================================================================================================ counts
def unigram_oracle(corpus, m):
    out = [0] * m
    for x in corpus:
        out[x] += 1
    return torch.tensor(out, dtype=torch.int64)


def bigram_oracle(corpus, m):
    out = [[0] * m for _ in range(m)]
    for a, b in zip(corpus[:-1], corpus[1:]):
        out[a][b] += 1
    return torch.tensor(out, dtype=torch.int64).reshape(m, m)


def count_hints(corpus, m, pairs=False):
    want = bigram_oracle(corpus, m) if pairs else unigram_oracle(corpus, m)
    wrapped = bigram_oracle(list(corpus) + list(corpus[:1]), m) if pairs and len(corpus) > 1 else None

    def t(g):
        return g if isinstance(g, torch.Tensor) else None

    what = "pair (x, x')" if pairs else "index"
    return [
        Hint(f"a repeated {what} must count every time: C[idx] += 1 with index tensors writes each repeated "
             "position once. Accumulate: C.index_put_(idx, ones, accumulate=True), index_add_, or "
             "torch.bincount(..., minlength=...).",
             when=lambda g, w: t(g) is not None and t(g).shape == want.shape
             and torch.equal(t(g).long(), (want > 0).long()) and bool((want > 1).any())),
        Hint(f"the result has shape {tuple(want.shape)} whatever indices occur: vocab_size is the length "
             "(torch.bincount needs minlength=vocab_size).",
             when=lambda g, w: t(g) is not None and t(g).shape != want.shape),
        Hint("C[x, x'] counts x followed by x': the row is the first token, the column the next one (yours is "
             "transposed).",
             when=lambda g, w: pairs and t(g) is not None and t(g).shape == want.shape
             and torch.equal(t(g).long(), want.T) and not torch.equal(want, want.T)),
        Hint("no wrap-around: n tokens give n − 1 pairs (x_t, x_{t+1}), t = 0 … n − 2; the last token has no "
             "successor.",
             when=lambda g, w: wrapped is not None and t(g) is not None and t(g).shape == want.shape
             and torch.equal(t(g).long(), wrapped)),
        Hint("counts are int64 (torch.zeros(..., dtype=torch.int64)).",
             when=lambda g, w: t(g) is not None and t(g).dtype != torch.int64),
    ]


def _counts(kata, fn, corpus, m, prop, pairs=False, shown=None):
    inputs = {"corpus": shown if shown is not None else corpus, "vocab_size": m}
    c_in = corpus.clone() if isinstance(corpus, torch.Tensor) else list(corpus)
    got = call(getattr(kata, fn), c_in, m, prop=prop, inputs=inputs, hints=count_hints(list(corpus), m, pairs),
               catch=CATCH)
    return got, inputs


COUNT_CORPORA = [([1, 2, 1, 2, 1, 3, 0, 1, 2], 4), ([0, 0, 0, 1, 1, 0], 3), ([3, 1, 4, 1, 5, 1, 4, 1, 5], 7)]


@pytest.mark.core("unigram_counts")
def test_unigram_counts_count_every_occurrence(kata):
    """unigram_counts(corpus, m)[x] = the number of times x occurs (lists and tensors)"""
    for corpus, m in COUNT_CORPORA:
        for as_tensor in (False, True):
            c = torch.tensor(corpus) if as_tensor else corpus
            prop = "unigram_counts(corpus, m)[x] = #{t : corpus[t] = x}, int64 of shape (m,)"
            got, inputs = _counts(kata, "unigram_counts", c, m, prop)
            want = unigram_oracle(corpus, m)
            expect_tensor(got, prop, inputs=inputs, shape=(m,), dtype=torch.int64, hints=count_hints(corpus, m))
            expect_equal(got, want, prop, inputs=inputs, hints=count_hints(corpus, m))


@pytest.mark.core("bigram_counts")
def test_bigram_counts_count_every_pair(kata):
    """bigram_counts(corpus, m)[x, x'] = the number of times x is followed by x' (repeated pairs count each time)"""
    for corpus, m in COUNT_CORPORA:
        for as_tensor in (False, True):
            c = torch.tensor(corpus) if as_tensor else corpus
            prop = "bigram_counts(corpus, m)[x, x'] = #{t : (corpus[t], corpus[t+1]) = (x, x')}, int64 (m, m)"
            got, inputs = _counts(kata, "bigram_counts", c, m, prop, pairs=True)
            want = bigram_oracle(corpus, m)
            hints = count_hints(corpus, m, pairs=True)
            expect_tensor(got, prop, inputs=inputs, shape=(m, m), dtype=torch.int64, hints=hints)
            expect_equal(got, want, prop, inputs=inputs, hints=hints)


@settings(max_examples=10)
@given(m=st.integers(1, 6), data=st.data())
@example(m=5, data=None)
def test_counts_on_any_corpus(kata, m, data):
    """on any corpus, unigram counts sum to n and bigram counts to n − 1, both equal to direct counting"""
    if data is None:
        corpus = [0, 0, 0, 0, 1]           # the top indices 2..4 never occur; the repeated pair (0, 0)
    else:
        corpus = data.draw(st.lists(st.integers(0, m - 1), max_size=15), label="corpus")
    for fn, oracle, pairs in (("unigram_counts", unigram_oracle, False), ("bigram_counts", bigram_oracle, True)):
        prop = f"{fn}(corpus, m) equals direct counting (sums: n for unigrams, max(n − 1, 0) for bigrams)"
        got, inputs = _counts(kata, fn, corpus, m, prop, pairs=pairs)
        want = oracle(corpus, m)
        hints = count_hints(corpus, m, pairs)
        expect_tensor(got, prop, inputs=inputs, shape=want.shape, dtype=torch.int64, hints=hints)
        expect_equal(got, want, prop, inputs=inputs, hints=hints)


def test_counts_leave_the_corpus_unchanged(kata):
    """unigram_counts and bigram_counts do not modify a tensor corpus"""
    corpus = torch.tensor([2, 0, 2, 2, 1, 0])
    for fn in ("unigram_counts", "bigram_counts"):
        c = corpus.clone()
        call(getattr(kata, fn), c, 3, prop=f"{fn}(corpus, 3) runs", inputs={"corpus": corpus}, catch=CATCH)
        expect_equal(c, corpus, f"{fn} leaves its corpus unchanged", inputs={"corpus": corpus},
                     hints=["count into a new tensor (torch.zeros(m, dtype=torch.int64)); never write into the "
                            "corpus (e.g. an in-place sort or +=)."])


# ================================================================================================ Laplace
def lap_uni_oracle(counts, eps):
    c = counts.to(F64)
    return (c + eps / c.shape[0]) / (c.sum() + eps)


def lap_bi_oracle(C, P, eps):
    C = C.to(F64)
    return (C + eps * P.to(F64)[None, :]) / (C.sum(dim=1, keepdim=True) + eps)


def uni_hints(counts, eps):
    c = counts.to(F64)
    m, n = c.shape[0], float(c.sum())
    return [
        Hint("each of the m words gets ε₁/m of the pseudo-count (ε₁ in total): (n(x) + ε₁/m)/(n + ε₁). Adding ε₁ to "
             "every word adds m·ε₁ in total, so the probabilities no longer sum to 1.",
             when=lambda g, w: m > 1 and near(g, (c + eps) / (n + eps), 1e-9)),
        Hint("the denominator is n + ε₁ (the pseudo-counts ε₁/m of the m words add up to ε₁).",
             when=lambda g, w: m > 1 and (near(g, (c + eps / m) / (n + m * eps), 1e-9)
                                          or near(g, (c + eps / m) / n, 1e-9))),
        Hint("return float64 probabilities (counts.to(torch.float64) first).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != F64),
    ]


def bi_hints(C, P, eps):
    C64, P64 = C.to(F64), P.to(F64)
    m = C.shape[0]
    rows = C64.sum(dim=1)
    cols = C64.sum(dim=0)
    return [
        Hint("n(x) is the ROW sum of pair_counts (the context x is the row): C.sum(dim=1, keepdim=True). Column "
             "sums count the tokens that come after, not the contexts.",
             when=lambda g, w: not torch.equal(rows, cols)
             and near(g, (C64 + eps * P64[None, :]) / (cols[:, None] + eps), 1e-9)),
        Hint("C.sum(dim=1) has shape (m,), which broadcasts along the wrong axis (column j divided by row j's sum); "
             "keep the summed axis: C.sum(dim=1, keepdim=True) has shape (m, 1).",
             when=lambda g, w: not torch.equal(rows, cols)
             and near(g, (C64 + eps * P64[None, :]) / (rows[None, :] + eps), 1e-9)),
        Hint("the pseudo-count is ε₂·P̂(x') — the probability of the NEXT token, one per column (P[None, :], or "
             "plain broadcasting of P), not of the context x.",
             when=lambda g, w: near(g, (C64 + eps * P64[:, None]) / (rows[:, None] + eps), 1e-9)),
        Hint("bigram smoothing adds ε₂·P̂(x') (the unigram estimate), not ε₂/m.",
             when=lambda g, w: near(g, (C64 + eps / m) / (rows[:, None] + eps), 1e-9)),
        Hint("return float64 probabilities.", when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != F64),
    ]


def _uni(kata, counts, eps, prop):
    inputs = {"counts": counts, "eps1": eps}
    got = call(kata.laplace_unigram, counts.clone(), eps, prop=prop, inputs=inputs, hints=uni_hints(counts, eps),
               catch=CATCH)
    return got, inputs


def _bi(kata, C, P, eps, prop):
    inputs = {"pair_counts": C, "unigram_probs": P, "eps2": eps}
    got = call(kata.laplace_bigram, C.clone(), P.clone(), eps, prop=prop, inputs=inputs, hints=bi_hints(C, P, eps),
               catch=CATCH)
    return got, inputs


def _book_counts():
    """Unigram and bigram counts of the excerpt's words (indices by first occurrence), vocabulary m = 50 with
    never-seen words at the end."""
    idx = {}
    for w in WORDS:
        idx.setdefault(w, len(idx))
    corpus = [idx[w] for w in WORDS]
    m = 50
    return unigram_oracle(corpus, m), bigram_oracle(corpus, m)


LAP_COUNTS = [torch.tensor([3, 0, 1, 6, 0]), torch.tensor([1, 1]), torch.tensor([0, 7, 2, 2, 9, 0, 0, 1])]


@pytest.mark.core("laplace_unigram")
def test_laplace_unigram_formula(kata):
    """laplace_unigram(counts, ε₁) = (n(x) + ε₁/m) / (n + ε₁), in float64"""
    uni, _ = _book_counts()
    for counts in LAP_COUNTS + [uni]:
        for eps in (1.0, 0.5, 3.7):
            prop = "laplace_unigram(counts, eps1)[x] = (n(x) + eps1/m) / (n + eps1), float64 (m,)"
            got, inputs = _uni(kata, counts, eps, prop)
            want = lap_uni_oracle(counts, eps)
            expect_tensor(got, prop, inputs=inputs, shape=want.shape, dtype=F64, hints=uni_hints(counts, eps))
            expect_close(got, want, prop, inputs=inputs, atol=1e-12, rtol=1e-12, hints=uni_hints(counts, eps))


def test_laplace_unigram_limits(kata):
    """the estimate sums to 1; ε₁ = 0 is n(x)/n; ε₁ → ∞ is uniform; an unseen word gets ε₁/(m(n + ε₁)) > 0"""
    for counts in LAP_COUNTS:
        m, n = counts.shape[0], int(counts.sum())
        for eps, want, what in ((2.0, None, "sums to 1"), (0.0, counts.to(F64) / n, "eps1 = 0: n(x)/n"),
                                (1e12, torch.full((m,), 1.0 / m, dtype=F64), "eps1 → ∞: 1/m")):
            prop = f"laplace_unigram: {what}"
            got, inputs = _uni(kata, counts, eps, prop)
            expect_tensor(got, prop, inputs=inputs, shape=(m,), hints=uni_hints(counts, eps))
            if want is None:
                expect_close(got.sum(), torch.tensor(1.0, dtype=F64), prop, inputs=inputs, atol=1e-12, rtol=0,
                             hints=uni_hints(counts, eps))
                unseen = counts == 0
                if unseen.any():
                    expect_close(got[unseen], torch.full((int(unseen.sum()),), eps / (m * (n + eps)), dtype=F64),
                                 "laplace_unigram: an unseen word gets eps1/(m (n + eps1)) > 0", inputs=inputs,
                                 atol=1e-14, rtol=1e-12, hints=uni_hints(counts, eps))
            else:
                expect_close(got, want, prop, inputs=inputs, atol=1e-10, rtol=1e-10, hints=uni_hints(counts, eps))


def _bigram_cases():
    uni, bi = _book_counts()
    P = lap_uni_oracle(uni, 1.0)
    C1 = torch.tensor([[0, 2, 1], [3, 0, 0], [1, 1, 4]])
    C2 = torch.tensor([[5, 0, 0, 1], [0, 0, 0, 0], [2, 2, 0, 0], [0, 1, 0, 3]])   # context 1 never observed
    P1 = torch.tensor([0.5, 0.2, 0.3], dtype=F64)
    P2 = torch.tensor([0.1, 0.4, 0.25, 0.25], dtype=F64)
    return [(C1, P1), (C2, P2), (bi, P)]


@pytest.mark.core("laplace_bigram")
def test_laplace_bigram_formula(kata):
    """laplace_bigram(C, P, ε₂)[x, x'] = (C[x, x'] + ε₂·P(x')) / (n(x) + ε₂) with n(x) the row sum of C"""
    for C, P in _bigram_cases():
        for eps in (1.0, 0.5, 4.0):
            prop = "laplace_bigram(C, P, eps2)[x, x'] = (C[x, x'] + eps2·P[x']) / (Σ_x' C[x, x'] + eps2), float64"
            got, inputs = _bi(kata, C, P, eps, prop)
            want = lap_bi_oracle(C, P, eps)
            hints = bi_hints(C, P, eps)
            expect_tensor(got, prop, inputs=inputs, shape=want.shape, dtype=F64, hints=hints)
            expect_close(got, want, prop, inputs=inputs, atol=1e-12, rtol=1e-12, hints=hints)


def test_laplace_bigram_rows_are_distributions(kata):
    """every row sums to 1; an unseen context's row is P(x'); ε₂ = 0 is the MLE; ε₂ → ∞ gives P(x') in every row"""
    C1, P1 = _bigram_cases()[0]
    C2, P2 = _bigram_cases()[1]
    checks = [
        (C2, P2, 2.0, "each row sums to 1", None),
        (C2, P2, 2.0, "a context never observed (row 1 of C is 0) gets the row P(x')", "unseen"),
        (C1, P1, 0.0, "eps2 = 0 (every context observed): C[x, x'] / n(x)", C1.to(F64) / C1.sum(1, keepdim=True)),
        (C1, P1, 1e12, "eps2 → ∞: every row tends to P(x')", P1[None, :].expand(3, 3)),
    ]
    for C, P, eps, what, want in checks:
        prop = f"laplace_bigram: {what}"
        got, inputs = _bi(kata, C, P, eps, prop)
        hints = bi_hints(C, P, eps)
        expect_tensor(got, prop, inputs=inputs, shape=C.shape, hints=hints)
        if want is None:
            expect_close(got.sum(dim=1), torch.ones(C.shape[0], dtype=F64), prop, inputs=inputs, atol=1e-12,
                         rtol=0, hints=hints)
        elif isinstance(want, str):
            expect_close(got[1], P, prop, inputs=inputs, atol=1e-12, rtol=1e-12, hints=hints)
        else:
            expect_close(got, want, prop, inputs=inputs, atol=1e-10, rtol=1e-10, hints=hints)


# ================================================================================================ iterators
class Ctx:
    """An iterator call: the corpus (values unique, so every window can be located), B, T, a description."""

    def __init__(self, corpus, B, T, desc):
        self.corpus, self.B, self.T, self.desc = corpus, B, T, desc
        self.n = len(corpus)
        self.pos = {v: i for i, v in enumerate(corpus)}

    def inputs(self, seed=None, extra=None):
        d = {"corpus": self.desc, "batch_size": self.B, "num_steps": self.T}
        if seed is not None:
            d["generator"] = f"torch.Generator().manual_seed({seed})"
        d.update(extra or {})
        return d


def num_windows(ctx, offset):
    """num_subseqs: the number of windows of the random iterator's grid at this offset."""
    return max(0, (ctx.n - offset - 1) // ctx.T)


def _perm_corpus(n, a=7, b=3):
    assert math.gcd(a, n) == 1
    return [(a * i + b) % n for i in range(n)]


def _run(kata, fn, ctx, seeds, scramble=None, as_tensor=False):
    corpus = torch.tensor(ctx.corpus) if as_tensor else list(ctx.corpus)
    return run_beside(kata, epochs, getattr(kata, fn), corpus, ctx.B, ctx.T, list(seeds), scramble)


ERROR_HINTS = [
    Hint("the labels need one more token after the last window: cut num_tokens (sequential) or num_subseqs "
         "(random) from n − offset − 1 tokens, not n − offset.",
         when=lambda g, w: any(s in str(g) for s in ("invalid for input of size", "equal size", "expected a sequence"
                                                      " of length"))),
    Hint("yield (X, Y) pairs: each item of the epoch is a tuple of two tensors.",
         when=lambda g, w: "unpack" in str(g)),
    Hint("torch.randperm(n) and torch.randint need non-negative sizes: a corpus too short for one batch must just "
         "yield nothing (clamp the number of windows at 0).",
         when=lambda g, w: "negative" in str(g) or "must be non-negative" in str(g)),
]


def _batches(epoch, ctx, prop, inputs):
    """Check the shape of every (X, Y) and that each row is a window with Y one token ahead; returns the list of
    row-start positions of each batch."""
    if is_error(epoch):
        fail(prop, inputs=inputs, expected="an epoch of (X, Y) batches", got=f"raised {epoch[ERROR]}",
             hints=ERROR_HINTS)
    B, T = ctx.B, ctx.T
    starts = []
    for i, item in enumerate(epoch):
        if not (isinstance(item, tuple) and len(item) == 2):
            fail(prop, inputs=inputs, expected="(X, Y) pairs", got=f"batch {i}: {item!r}"[:300],
                 hints=["yield X, Y (a pair) for each minibatch."])
        X, Y = item
        for name, t in (("X", X), ("Y", Y)):
            if type(t) is torch.Tensor and t.dtype == torch.int64 and tuple(t.shape) == (B, T):
                continue   # the common case, decided with as few tensor calls as possible
            hints = []
            if isinstance(t, torch.Tensor) and t.dim() == 2 and t.shape[0] < B and t.shape[1] == T:
                hints.append("full batches only: the last, incomplete batch is dropped (num_batches = "
                             "num_subseqs // batch_size for random sampling).")
            if isinstance(t, torch.Tensor) and t.dim() == 2 and t.shape[0] == B and t.shape[1] < T:
                hints.append("full windows only: the number of batches is L // num_steps, so that every batch has "
                             "num_steps columns (the book: num_batches = Xs.shape[1] // num_steps).")
            if isinstance(t, torch.Tensor) and tuple(t.shape) == (T, B) and B != T:
                hints.append("batches are batch-first: shape (batch_size, num_steps), one window per row.")
            expect_tensor(t, f"every {name} is an int64 tensor of shape (batch_size, num_steps)",
                          inputs={**inputs, "batch": i}, shape=(B, T), dtype=torch.int64,
                          hints=hints + [Hint("build the batches as int64 tensors (torch.tensor of a list of ints "
                                              "is int64).",
                                              when=lambda g, w: "dtype" in str(g))])
        try:
            P = [[ctx.pos[v] for v in row] for row in X.tolist()]
            Q = [[ctx.pos[v] for v in row] for row in Y.tolist()]
        except KeyError as e:
            fail(prop, inputs={**inputs, "batch": i}, expected="corpus tokens only", got=f"{e} is not in the corpus")
        for r in range(B):
            row, lab = P[r], Q[r]
            if row != list(range(row[0], row[0] + T)):
                stride = row[1] - row[0] if T > 1 else 1
                hints = []
                if T > 1 and stride == B and row == list(range(row[0], row[0] + B * T, B)):
                    hints.append("each row must be a contiguous stretch of the corpus; yours steps by batch_size: "
                                 "Xs.reshape(-1, batch_size).T interleaves the tokens over the rows. Lay the stream "
                                 "out as Xs.reshape(batch_size, -1): row r is one long contiguous piece.")
                fail(prop, inputs={**inputs, "batch": i, "row": r},
                     expected=f"positions {list(range(row[0], row[0] + T))} (a window of the corpus)",
                     got=f"positions {row}", hints=hints)
            if lab != [p + 1 for p in row]:
                hints = []
                if lab == row:
                    hints.append("Y is X shifted by one token (the next token at every step): "
                                 "Y = corpus[s + 1 : s + 1 + num_steps] for the window X = corpus[s : s + num_steps].")
                fail("Y[r] is X[r] shifted one token ahead in the corpus",
                     inputs={**inputs, "batch": i, "row": r, "X positions": row},
                     expected=f"Y positions {[p + 1 for p in row]}", got=f"Y positions {lab}", hints=hints)
        starts.append([P[r][0] for r in range(B)])
    return starts


def _random_windows(starts, ctx, prop, inputs):
    """The random iterator's grid: one phase, non-overlapping, the right number of full batches. Returns phase."""
    n, B, T = ctx.n, ctx.B, ctx.T
    flat = [s for b in starts for s in b]
    counts = {o: ((n - o - 1) // T) // B if n - o - 1 >= 0 else 0 for o in range(T)}
    if not flat:
        expect(min(counts.values()) == 0, prop, inputs=inputs,
               expected=f"{min(counts.values())}–{max(counts.values())} batches (depending on the offset)",
               got="no batch at all", hints=ERROR_HINTS)
        return None
    phase = flat[0] % T
    bad = [s for s in flat if s % T != phase]
    expect(not bad, "all windows of an epoch start at offset + j·num_steps for one offset (non-overlapping)",
           inputs=inputs, expected=f"every start ≡ {phase} (mod {T})", got=f"window starts {flat}",
           hints=["draw ONE offset per epoch, cut the corpus after it into non-overlapping windows of num_steps "
                  "(starts offset, offset + T, offset + 2T, …), and shuffle the ORDER of those windows; do not draw "
                  "a random start for every window."])
    expect(len(set(flat)) == len(flat), "each window occurs at most once per epoch", inputs=inputs,
           expected="distinct window starts", got=f"window starts {flat}",
           hints=["shuffle the list of window starts (a permutation, torch.randperm) instead of drawing starts "
                  "with replacement."])
    want = counts[phase]
    hints = []
    if phase == 0 and len(starts) == ((n - T - 1) // T) // B and len(starts) != want:
        hints.append("the offset reached num_steps: with offset = num_steps the windows start at num_steps, 2·"
                     "num_steps, … — phase 0 again, one window fewer. Draw the offset in 0 … num_steps − 1: "
                     "torch.randint(0, num_steps, (1,), generator=generator) (the high end is excluded).")
    if len(starts) == want + 1:
        hints.append("full batches only: the last num_subseqs % batch_size windows are dropped.")
    expect(len(starts) == want, "an epoch has ((n − offset − 1) // num_steps) // batch_size batches",
           inputs={**inputs, "offset (from the windows)": f"{phase} (or {phase} + a multiple of num_steps)"},
           expected=f"{want} batches", got=f"{len(starts)} batches", hints=hints)
    return phase


def _sequential_layout(starts, ctx, prop, inputs):
    """The sequential layout: offset in 0..T-1, row r at offset + r·L, batches continue rows, L // T batches."""
    n, B, T = ctx.n, ctx.B, ctx.T
    counts = {o: (((n - o - 1) // B) if n - o - 1 >= 0 else 0) // T for o in range(T)}
    if not starts:
        expect(min(counts.values()) == 0, prop, inputs=inputs,
               expected=f"{min(counts.values())}–{max(counts.values())} batches (depending on the offset)",
               got="no batch at all", hints=ERROR_HINTS)
        return None
    offset = starts[0][0]
    expect(0 <= offset < T, "the offset (the first row's first position) lies in 0 … num_steps − 1", inputs=inputs,
           expected=f"an offset in 0 … {T - 1}", got=f"offset {offset}",
           hints=[Hint("the book's random.randint(0, num_steps) includes num_steps (Python's randint includes both "
                       "ends), which repeats phase 0 with one window fewer. Draw the offset in 0 … num_steps − 1: "
                       "torch.randint(0, num_steps, (1,), generator=generator).",
                       when=lambda g, w: offset == T)])
    L = (n - offset - 1) // B
    want0 = [offset + r * L for r in range(B)]
    expect(starts[0] == want0, "row r starts at offset + r·L with L = (n − offset − 1) // batch_size",
           inputs={**inputs, "offset": offset}, expected=f"first batch's row starts {want0}",
           got=f"row starts {starts[0]}",
           hints=["lay the kept tokens out as Xs.reshape(batch_size, -1): row r is the r-th contiguous stretch of "
                  "L tokens."])
    for i in range(1, len(starts)):
        want = [s + T for s in starts[i - 1]]
        expect(starts[i] == want, "row r of batch i + 1 continues row r of batch i", inputs={**inputs, "batch": i},
               expected=f"row starts {want}", got=f"row starts {starts[i]}",
               hints=["cut the (B, L) layout column-wise: batch i is Xs[:, i·num_steps : (i + 1)·num_steps]."])
    want = L // T
    hints = []
    if len(starts) == want - 1:
        hints.append("the last batch is missing: there are L // num_steps full batches "
                     "(range(0, num_steps * num_batches, num_steps)).")
    expect(len(starts) == want, "an epoch has L // num_steps batches", inputs={**inputs, "offset": offset},
           expected=f"{want} batches (L = {L})", got=f"{len(starts)} batches", hints=hints)
    return offset


BOOK_SEQ = Ctx(list(range(35)), 2, 5, "list(range(35)) (the book's my_seq)")
PERM_SEQ = Ctx(_perm_corpus(53), 3, 4, "a permutation of range(53): corpus[t] = (7t + 3) % 53")
LONG_SEQ = Ctx(list(range(100)), 4, 6, "list(range(100))")


def _epoch_checks(kata, fn, ctx, seeds, as_tensor=False):
    """Run the epochs and check each; returns [(seed, starts, offset/phase)]."""
    prop = f"{fn}(corpus, batch_size, num_steps, generator) yields (X, Y) windows"
    out = _run(kata, fn, ctx, seeds, as_tensor=as_tensor)
    res = []
    for s, ep in zip(seeds, out):
        inputs = ctx.inputs(s, {"corpus type": "1-D int64 tensor"} if as_tensor else None)
        starts = _batches(ep, ctx, prop, inputs)
        layout = _random_windows if fn == "seq_data_iter_random" else _sequential_layout
        res.append((s, starts, layout(starts, ctx, prop, inputs)))
    return res


# ------------------------------------------------------------------------------------------------ random sampling
@pytest.mark.core("seq_data_iter_random")
def test_random_iter_windows(kata):
    """random sampling yields full (B, T) batches of non-overlapping windows at one offset, Y one token ahead"""
    for ctx in (BOOK_SEQ, PERM_SEQ, LONG_SEQ):
        _epoch_checks(kata, "seq_data_iter_random", ctx, range(6))


@pytest.mark.weight(2)
def test_random_iter_statistics(kata, stat_seed):
    """over many epochs every offset 0 … T−1 occurs and the windows are shuffled (every window can come, in any order)"""
    ctx = Ctx(list(range(33)), 2, 4, "list(range(33))")     # offset 0: 8 windows; offset 4 would give 7
    seeds = [1000 * k + stat_seed for k in range(60)]
    res = _epoch_checks(kata, "seq_data_iter_random", ctx, seeds)
    phases = [p for _, _, p in res]
    missing = sorted(set(range(ctx.T)) - set(phases))
    expect(not missing, "every offset 0 … num_steps − 1 occurs over 60 epochs", inputs=ctx.inputs(),
           expected=f"offsets {list(range(ctx.T))}", got=f"offsets seen {sorted(set(phases))}, never {missing}",
           hints=[Hint("torch.randint(low, high) excludes high: torch.randint(0, num_steps - 1, ...) never gives "
                       "num_steps − 1 (the book's random.randint(0, num_steps - 1) includes it). Use "
                       "torch.randint(0, num_steps, (1,), generator=generator).",
                       when=lambda g, w: missing == [ctx.T - 1]),
                  Hint("the offset must be random: draw it from the generator in 0 … num_steps − 1.",
                       when=lambda g, w: len(missing) == ctx.T - 1)])
    firsts = {(starts[0][0] - p) // ctx.T for _, starts, p in res if starts}
    expect(len(firsts) >= 3, "the order of the windows is shuffled (the first window of an epoch varies)",
           inputs=ctx.inputs(), expected="different first windows in different epochs",
           got=f"first windows seen: only numbers {sorted(firsts)} (window j starts at offset + j·T)",
           hints=["shuffle the window starts with the generator (torch.randperm(num_subseqs, generator=generator)) "
                  "before cutting them into batches."])
    pairs = [(b[0], b[1]) for _, starts, _ in res for b in starts]
    frac = sum(b == a + ctx.T for a, b in pairs) / max(1, len(pairs))
    expect(frac < 0.5, "the windows themselves are shuffled, not only the batches (the rows of a batch are "
           "rarely neighbours)", inputs=ctx.inputs(), expected="≈ 1/8 of the batches with neighbouring rows",
           got=f"{frac:.2f} of {len(pairs)} batches",
           hints=["shuffle the order of all windows (one permutation of the window starts), then take batch_size "
                  "at a time; shuffling whole batches of neighbouring windows is not random sampling."])
    for phase in sorted(set(phases)):
        if phases.count(phase) < 8:   # with 8+ epochs a window escapes all of them with P ≤ 7·(1/7)^8 ≈ 1e-6
            continue
        grid = set(range(phase, phase + num_windows(ctx, phase) * ctx.T, ctx.T))
        seen = {s for _, starts, p in res if p == phase for b in starts for s in b}
        expect(seen == grid, "every window of the grid can be drawn (over the epochs with the same offset)",
               inputs={**ctx.inputs(), "offset": phase}, expected=f"window starts {sorted(grid)}",
               got=f"window starts seen {sorted(seen)}, never {sorted(grid - seen)}",
               hints=["make the windows for ALL num_subseqs = (n − offset − 1) // num_steps starts, shuffle them, "
                      "and only then cut full batches (the windows dropped are the last ones of the SHUFFLED "
                      "order, a different few each epoch)."])


def test_random_iter_uses_the_generator(kata):
    """equally seeded generators give the same epoch whatever the global RNG does; different seeds give different ones"""
    ctx = Ctx(list(range(60)), 2, 10, "list(range(60))")
    out = _run(kata, "seq_data_iter_random", ctx, [5] * 6, scramble=[11, 22, 33, 44, 55, 66])
    _same_epochs(out, ctx, 5, "seq_data_iter_random")
    out = _run(kata, "seq_data_iter_random", ctx, list(range(100, 112)))
    _different_epochs(out, ctx, "seq_data_iter_random")


def test_random_iter_list_or_tensor(kata):
    """a 1-D int64 tensor corpus gives the same batches as the list, and is not modified"""
    _list_or_tensor(kata, "seq_data_iter_random", PERM_SEQ)


@settings(max_examples=10)
@given(n=st.integers(0, 40), B=st.integers(1, 4), T=st.integers(1, 6), seed=st.integers(0, 1000))
@example(n=6, B=1, T=5, seed=0)
@example(n=3, B=2, T=5, seed=1)
def test_random_iter_any_length(kata, n, B, T, seed):
    """for any corpus length (also too short for one batch) the epoch has the right windows and batch count"""
    ctx = Ctx(list(range(n)), B, T, f"list(range({n}))")
    _epoch_checks(kata, "seq_data_iter_random", ctx, [seed])


# ------------------------------------------------------------------------------------------------ sequential
@pytest.mark.core("seq_data_iter_sequential")
def test_sequential_iter_layout(kata):
    """sequential partitioning: rows at offset + r·L, each batch continuing the previous one row by row"""
    for ctx in (BOOK_SEQ, PERM_SEQ, LONG_SEQ):
        _epoch_checks(kata, "seq_data_iter_sequential", ctx, range(6))


@pytest.mark.weight(2)
def test_sequential_iter_offsets(kata, stat_seed):
    """over many epochs every offset 0 … T−1 occurs, and never T (the book's randint(0, num_steps))"""
    ctx = Ctx(list(range(43)), 2, 4, "list(range(43))")
    seeds = [1000 * k + stat_seed for k in range(60)]
    res = _epoch_checks(kata, "seq_data_iter_sequential", ctx, seeds)
    offsets = [o for _, _, o in res]
    missing = sorted(set(range(ctx.T)) - set(offsets))
    expect(not missing, "every offset 0 … num_steps − 1 occurs over 60 epochs", inputs=ctx.inputs(),
           expected=f"offsets {list(range(ctx.T))}", got=f"offsets seen {sorted(set(offsets))}, never {missing}",
           hints=[Hint("torch.randint(low, high) excludes high: torch.randint(0, num_steps - 1, ...) never gives "
                       "num_steps − 1. Use torch.randint(0, num_steps, (1,), generator=generator).",
                       when=lambda g, w: missing == [ctx.T - 1]),
                  Hint("the offset must be random: draw it from the generator in 0 … num_steps − 1.",
                       when=lambda g, w: len(missing) == ctx.T - 1)])


def test_sequential_iter_uses_the_generator(kata):
    """equally seeded generators give the same epoch whatever the global RNG does; different seeds give different ones"""
    ctx = Ctx(list(range(60)), 2, 10, "list(range(60))")
    out = _run(kata, "seq_data_iter_sequential", ctx, [5] * 6, scramble=[11, 22, 33, 44, 55, 66])
    _same_epochs(out, ctx, 5, "seq_data_iter_sequential")
    out = _run(kata, "seq_data_iter_sequential", ctx, list(range(100, 112)))
    _different_epochs(out, ctx, "seq_data_iter_sequential")


def test_sequential_iter_list_or_tensor(kata):
    """a 1-D int64 tensor corpus gives the same batches as the list, and is not modified"""
    _list_or_tensor(kata, "seq_data_iter_sequential", PERM_SEQ)


@settings(max_examples=10)
@given(n=st.integers(0, 40), B=st.integers(1, 4), T=st.integers(1, 6), seed=st.integers(0, 1000))
@example(n=6, B=1, T=5, seed=0)
@example(n=3, B=2, T=5, seed=1)
@example(n=21, B=2, T=5, seed=2)
def test_sequential_iter_any_length(kata, n, B, T, seed):
    """for any corpus length (also too short for one batch) the epoch has the right layout and batch count"""
    ctx = Ctx(list(range(n)), B, T, f"list(range({n}))")
    _epoch_checks(kata, "seq_data_iter_sequential", ctx, [seed])


# ------------------------------------------------------------------------------------------------ shared checks
def _flat(epoch):
    if is_error(epoch):
        return epoch[ERROR]
    return [(X.tolist(), Y.tolist()) if isinstance(X, torch.Tensor) and isinstance(Y, torch.Tensor) else repr((X, Y))
            for X, Y in epoch]


GLOBAL_RNG_HINT = ("draw every random number from `generator`: torch.randint(..., generator=generator) for the "
                   "offset and torch.randperm(..., generator=generator) for the order. Python's random module "
                   "(random.randint, random.shuffle) and torch draws without generator= use the global RNG, so two "
                   "equally seeded generators give different epochs.")


def _same_epochs(out, ctx, seed, fn):
    _batches(out[0], ctx, f"{fn} yields (X, Y) windows", ctx.inputs(seed))
    first = _flat(out[0])
    for k, ep in enumerate(out[1:], 1):
        expect(_flat(ep) == first, f"{fn}: two generators seeded alike give the same epoch, whatever the global "
               "RNG does", inputs=ctx.inputs(seed, {"global RNG": f"reseeded before each call ({k + 1} calls)"}),
               expected=f"the epoch of call 1: {first}"[:400], got=f"call {k + 1}: {_flat(ep)}"[:400],
               hints=[GLOBAL_RNG_HINT])


def _different_epochs(out, ctx, fn):
    _batches(out[0], ctx, f"{fn} yields (X, Y) windows", ctx.inputs(100))
    flats = [repr(_flat(ep)) for ep in out]
    expect(len(set(flats)) >= 2, f"{fn}: differently seeded generators give different epochs",
           inputs=ctx.inputs(None, {"generators": "manual_seed(100) … manual_seed(111)"}),
           expected="at least two different epochs", got=f"the same epoch 12 times: {flats[0]}"[:400],
           hints=["every draw must come from `generator` itself; do not create or reseed a generator inside the "
                  "function."])


def _list_or_tensor(kata, fn, ctx):
    # the same global RNG state for both calls, so that only the corpus type differs (the generator convention
    # has its own test)
    a = _run(kata, fn, ctx, [7, 8], scramble=[1234, 1235])
    corpus = torch.tensor(ctx.corpus)
    before = corpus.clone()
    b = run_beside(kata, epochs, getattr(kata, fn), corpus, ctx.B, ctx.T, [7, 8], [1234, 1235])
    for s, ea, eb in zip((7, 8), a, b):
        inputs = ctx.inputs(s, {"corpus type": "1-D int64 tensor"})
        _batches(eb, ctx, f"{fn} accepts a 1-D tensor corpus", inputs)
        expect(_flat(ea) == _flat(eb), f"{fn}: a tensor corpus gives the same epoch as the same list", inputs=inputs,
               expected=f"{_flat(ea)}"[:400], got=f"{_flat(eb)}"[:400],
               hints=["convert the corpus once (torch.as_tensor(corpus, dtype=torch.int64)) and work on that; a "
                      "list and a tensor of the same tokens must give the same batches."])
    expect_equal(corpus, before, f"{fn} leaves the corpus unchanged", inputs=ctx.inputs(),
                 hints=["never write into the corpus (slicing gives views of it)."])


# ------------------------------------------------------------------------------------------------ devices (last: the
# first arithmetic on a meta tensor imports torch._dynamo, ~1-5 s once per process)
def test_laplace_meta_in_meta_out(kata):
    """on meta tensors the Laplace estimates stay on meta, float64, with the right shapes (no hard-coded device)"""
    for fn, specs, args, shape in (("laplace_unigram", [((6,), "int64")], (1.0,), (6,)),
                                   ("laplace_bigram", [((5, 5), "int64"), ((5,), "float64")], (1.0,), (5, 5))):
        got = run_beside(kata, on_meta, getattr(kata, fn), specs, *args)
        expect(got == (shape, "float64", "meta"), f"{fn} keeps the inputs' device (meta in → meta out)",
               inputs={"inputs": f"meta tensors {specs}"}, expected=(shape, "float64", "meta"), got=got,
               hints=["create new tensors on the inputs' device and convert with .to(torch.float64); do not call "
                      ".item()/float() on the data, .cpu() or torch.tensor(...) without device=."])
