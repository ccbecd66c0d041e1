"""Graders for ch9/beam_search.py (sequence_score, greedy_search, exhaustive_search, beam_search).

The models. The learner's searches get fake language models from tests/shippable_ch9_beam_search.py: ``RandomLM``
(log-probabilities a fixed pseudo-random function of the whole prefix, float64, continuous, so no two candidates
tie) and ``TableLM`` (hand-made distributions: the book's figures 9.8.1-9.8.2, and a model on which ``[a, <eos>]``
wins only if L counts the ``<eos>``). Both record the prefixes they are called with; ``search_with_calls`` runs a
search where the learner's code runs and returns what it returned together with those prefixes.

Oracles (written here, independently of the solution). ``ref_score`` sums the log-probabilities directly;
``ref_greedy`` follows the argmax; ``ref_exhaustive`` enumerates every candidate (sequences ending at their first
``<eos>``, or of max_len tokens without one); ``ref_beam`` is the contract's beam (prune by raw log P, finished
hypotheses leave the beam, final choice by log P / L^α with L counting ``<eos>``). ``ref_beam`` also takes the
name of a classic mistake and then computes what that mistake returns: a hint is shown when the learner's answer
equals a mistake's answer (and not the right one).

Tolerances. Scores are float64 sums of at most 7 log-probabilities of magnitude ≤ 30: compared at 1e-9 absolute
plus 1e-9 relative (any summation order passes; the models' rows are float64, so a learner who sums them as
Python floats or float64 tensors is exact to ~1e-14). Tokens are compared exactly: the log-probabilities are
continuous random values, so ties do not occur in the graded models and any tie rule passes (measured: the
smallest gap at a pruning boundary or between the two best finished hypotheses is 2e-5 over 20 seeds of the
400-model test; the hand-made models' entries are nudged apart, and their other prefixes get random rows).

Hints. A mistake (a wrong pruning rule, finished hypotheses kept in the beam, <eos> as an ordinary token, …) is
named only when it explains the learner's answers: the failing answer equals that mistake's answer, and on a fixed
battery of 40 other models the learner agrees with the mistake wherever the mistake differs from the right answer
(≥ 80 % of those cases, and the mistake explains ≥ 80 % of the learner's wrong answers there). The battery runs
only after a failure.

Speed: the module runs in ~1 s in-process (the 400-model beam comparison is ~0.5 s of it).
"""
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.check import expect, fail, run_beside
from tests.shippable_ch9_beam_search import RandomLM, TableLM, search_with_calls

TOL = 1e-9


# ----------------------------------------------------------------------------------------------- oracles
class Cached:
    """The model's log-probabilities as lists of floats, one model call per distinct prefix (the oracle's own)."""

    def __init__(self, model):
        self.model, self.rows = model, {}

    def __call__(self, prefix):
        key = tuple(prefix)
        if key not in self.rows:
            self.rows[key] = [float(v) for v in self.model(list(key))]
        return self.rows[key]


def ref_logp(lp, bos, tokens):
    """log P(tokens | bos) by direct summation."""
    return math.fsum(lp((bos,) + tuple(tokens[:t]))[y] for t, y in enumerate(tokens))


def ref_score(lp, bos, tokens, alpha=0.75):
    return ref_logp(lp, bos, tokens) / len(tokens) ** alpha


def ref_greedy(lp, bos, eos, max_len, alpha=0.75, mistake=None):
    """Greedy search; ``mistake``: "no_eos" (eos not kept), "ignore_eos", "raw_score", "short" (max_len − 1)."""
    toks, s = [], 0.0
    limit = max_len - 1 if mistake == "short" else max_len
    while len(toks) < max(limit, 1):
        row = lp((bos,) + tuple(toks))
        y = max(range(len(row)), key=row.__getitem__)
        if y == eos and mistake == "no_eos":
            break
        toks.append(y)
        s += row[y]
        if y == eos and mistake != "ignore_eos":
            break
    if not toks:      # "no_eos" when the very first token is <eos>: [<eos>] (the mutant's guard)
        return [eos], lp((bos,))[eos]
    return toks, (s if mistake == "raw_score" else s / len(toks) ** alpha)


def candidates(lp, bos, eos, max_len, mistake=None):
    """Every candidate (tokens, log P): sequences that end at their first eos, or have max_len tokens.
    ``mistake``: "every_prefix" (every non-empty prefix is a candidate), "ignore_eos" (eos is an ordinary token),
    "fixed_length" (only sequences of max_len tokens)."""
    out = []

    def visit(prefix, s):
        row = lp((bos,) + prefix)
        for y, l in enumerate(row):
            seq, t = prefix + (y,), s + l
            ended = (y == eos and mistake != "ignore_eos") or len(seq) == max_len
            if ended:
                if mistake != "fixed_length" or len(seq) == max_len:
                    out.append((seq, t))
            else:
                if mistake == "every_prefix":
                    out.append((seq, t))
                visit(seq, t)

    visit((), 0.0)
    return out


def norm(toks, s, alpha, mistake=None, eos=None):
    L = len(toks)
    if mistake == "L_without_eos" and toks and toks[-1] == eos:
        L = max(1, L - 1)
    return s if mistake == "final_raw" else s / L ** alpha


def final_score(toks, s, alpha, mistake, eos):
    """The score a search returns for its choice: log P / L^α (raw for "raw_score", L without the <eos> for
    "L_without_eos", as the choice itself)."""
    if mistake == "raw_score":
        return s
    return norm(toks, s, alpha, "L_without_eos" if mistake == "L_without_eos" else None, eos)


def ref_exhaustive(lp, bos, eos, max_len, alpha=0.75, mistake=None):
    """Exhaustive search; ``mistake`` as in ``candidates`` or "final_raw", "L_without_eos", "raw_score"."""
    cands = candidates(lp, bos, eos, max_len, mistake if mistake in ("every_prefix", "ignore_eos", "fixed_length")
                       else None)
    toks, s = max(cands, key=lambda c: norm(c[0], c[1], alpha, mistake, eos))
    return list(toks), final_score(toks, s, alpha, mistake, eos)


BEAM_MISTAKES = ("eos_ordinary", "final_raw", "L_without_eos", "raw_score", "pool_norm", "pool_raw",
                 "drop_finished", "unsorted_merge", "stop_at_first", "short", "long", "prefix_candidates")


def ref_beam(lp, bos, eos, k, max_len, alpha=0.75, mistake=None):
    """The contract's beam search; ``mistake`` names a classic mistake (BEAM_MISTAKES) to compute its answer."""
    V = len(lp((bos,)))
    limit = {"short": max_len - 1, "long": max_len + 1}.get(mistake, max_len)
    limit = max(limit, 1)

    def ended(toks):
        return (toks[-1] == eos and mistake != "eos_ordinary") or len(toks) >= limit

    if mistake in ("pool_norm", "pool_raw"):       # finished hypotheses stay in the pool and compete for slots
        pool = [((), 0.0)]
        for _ in range(limit):
            new = []
            for toks, s in pool:
                if toks and ended(toks):
                    new.append((toks, s))
                else:
                    row = lp((bos,) + toks)
                    new.extend((toks + (y,), s + row[y]) for y in range(V))
            key = (lambda c: c[1] / len(c[0]) ** alpha) if mistake == "pool_norm" else (lambda c: c[1])
            pool = sorted(new, key=key, reverse=True)[:k]
            if all(ended(t) for t, _ in pool):
                break
        toks, s = max(pool, key=lambda c: c[1] / len(c[0]) ** alpha)
        return list(toks), s / len(toks) ** alpha

    live, finished, seen = [((), 0.0)], [], []
    while live:
        ext = []
        for toks, s in live:
            row = lp((bos,) + toks)
            mine = [(toks + (y,), s + row[y]) for y in range(V)]
            if mistake == "unsorted_merge":
                mine = sorted(mine, key=lambda c: c[1], reverse=True)[:k]
            ext.extend(mine)
        kept = ext[:k] if mistake == "unsorted_merge" else sorted(ext, key=lambda c: c[1], reverse=True)[:k]
        live = [c for c in kept if not ended(c[0])]
        done = [c for c in kept if ended(c[0])]
        seen.extend(kept)
        finished = done if mistake == "drop_finished" else finished + done
        if mistake == "stop_at_first" and finished:
            break
    pool = seen if mistake == "prefix_candidates" else finished
    if not pool:
        return None, float("nan")
    toks, s = max(pool, key=lambda c: norm(c[0], c[1], alpha, mistake, eos))
    return list(toks), final_score(toks, s, alpha, mistake, eos)


# ----------------------------------------------------------------------------------------------- models
def random_model(rng: random.Random, V=None, max_len=None):
    """(model, bos, eos, max_len) with V in 2..7, distinct bos and eos drawn in range(V), a temperature and an
    eos bias drawn so that hypotheses end at various lengths."""
    V = V or rng.randint(2, 7)
    bos, eos = rng.sample(range(V), 2)
    model = RandomLM(V, rng.randrange(2**31), temperature=rng.choice([0.7, 1.0, 1.5, 2.5]), eos=eos,
                     eos_bias=rng.uniform(-1.5, 1.5), eos_slope=rng.choice([0.0, 0.0, -0.7, 0.7]))
    return model, bos, eos, max_len or rng.randint(1, 7)


A, B, C, EOS, BOS = 0, 1, 2, 3, 4
BOOK_PROBS = {
    # d2l §9.8's figures (tokens A, B, C, <eos>): the conditional probabilities the text multiplies are kept
    # (0.5·0.4·0.4·0.6 = 0.048 and 0.5·0.3·0.6·0.6 = 0.054); the figures' other entries are nudged by ±0.01 so that
    # no two candidates tie, and prefixes outside the figures get pseudo-random rows.
    (): [0.5, 0.21, 0.19, 0.1],
    (A,): [0.11, 0.4, 0.3, 0.19],
    (A, B): [0.21, 0.19, 0.4, 0.2],
    (A, B, C): [0.2, 0.11, 0.09, 0.6],
    (A, C): [0.11, 0.6, 0.2, 0.09],
    (A, C, B): [0.11, 0.2, 0.09, 0.6],
}


def book_model():
    return TableLM(4, BOS, BOOK_PROBS, name="the book's figures 9.8.1-9.8.2: tokens A=0, B=1, C=2, <eos>=3",
                   seed=98)


# V = 6 (a, b, c, d, e, <eos>=5), max_len 2, beam 2: step 1 keeps a and b; step 2 keeps [a, <eos>] (log P = −2.0)
# and [b, c] (log P = −2.5). Both have 2 tokens, so [a, <eos>] wins; with L = 1 for [a, <eos>] (L without the
# <eos>) its score would be −2.0 < −2.5 / 2^0.75 = −1.49, and [b, c] would win.
_pa, _pb = 0.45, 0.45
_p_eos_a = math.exp(-2.0) / _pa
_p_c_b = math.exp(-2.5) / _pb
EOS6, BOS6 = 5, 6
L_PROBS = {
    (): [_pa, _pb, 0.04, 0.03, 0.02, 0.01],
    (0,): [(1 - _p_eos_a) / 5] * 5 + [_p_eos_a],
    (1,): [(1 - _p_c_b) / 5, (1 - _p_c_b) / 5, _p_c_b, (1 - _p_c_b) / 5, (1 - _p_c_b) / 5, (1 - _p_c_b) / 5],
}


# V = 3 (a, b, <eos>=2), max_len 3, beam 2. Step 1 keeps [<eos>] (P = 0.4, finished) and [a] (0.35); step 2 keeps
# [a, a] and [a, b]; step 3 finds [a, b, <eos>] (log P = −1.86, score −0.82), which beats [<eos>] (score −0.92).
# A beam that keeps [<eos>] among its slots (ranked by raw or by normalised score) keeps only [a, a] alive at
# step 2, never sees [a, b, <eos>], and returns [<eos>].
SLOT_PROBS = {
    (): [0.35, 0.25, 0.4],
    (0,): [0.5, 0.45, 0.05],
    (0, 0): [0.4, 0.35, 0.25],
    (0, 1): [0.004, 0.006, 0.99],
}


def slot_model():
    return TableLM(3, 3, SLOT_PROBS, name="a model where a finished [<eos>] must not keep a slot: a=0, b=1, "
                                          "<eos>=2")


def l_model():
    return TableLM(6, BOS6, L_PROBS, name="a model where [a, <eos>] wins only if L counts the <eos>: a=0, b=1, c=2, "
                                          "<eos>=5")


# ----------------------------------------------------------------------------------------------- calling and checking
def _plain_result(got):
    """(tokens as a list of ints, score as a float) or a description of what is wrong with ``got``."""
    if isinstance(got, str):
        return got
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"not a pair (tokens, score): {type(got).__name__}"
    toks, score = got
    try:
        toks = [int(t) for t in toks]
    except Exception:  # noqa: BLE001
        return f"tokens are not a list of ints: {toks!r}"
    try:
        score = float(score)
    except Exception:  # noqa: BLE001
        return f"the score is not a number: {score!r}"
    return toks, score


def _search(kata, name, model, *args, prop, inputs):
    """kata.<name>(model, *args); an exception becomes a failure that shows the inputs."""
    fn = getattr(kata, name)
    try:
        got = fn(model, *args)
    except (RuntimeError, IndexError, TypeError, ValueError, KeyError, ZeroDivisionError, AttributeError) as e:
        fail(prop, inputs=inputs, expected="(tokens, score)", got=f"{type(e).__name__}: {e}",
             hints=["a ZeroDivisionError usually means a length L = 0: L counts every generated token, "
                    "the final <eos> included."] if isinstance(e, ZeroDivisionError) else [])
    res = _plain_result(got)
    if isinstance(res, str):
        fail(prop, inputs=inputs, expected="a pair (tokens: list of ints, score: float)", got=res)
    bad = [t for t in res[0] if not 0 <= t < model.vocab_size]
    if bad or not res[0]:
        fail(prop, inputs=inputs, expected=f"a non-empty list of token ids in 0..{model.vocab_size - 1}",
             got=f"tokens {res[0]}",
             hints=["the tokens are the generated ids (the indices of logp_fn's entries), without bos; every "
                    "search generates at least one token."])
    return res


def _close(a, b):
    return a == b or abs(a - b) <= TOL * (1 + abs(b))


def _describe(lp, bos, toks, alpha):
    if not toks:
        return "[] (no tokens)"
    return f"{toks}  (log P = {ref_logp(lp, bos, toks):.6g}, log P / L^α = {ref_score(lp, bos, toks, alpha):.6g})"


def expect_search(got, want, prop, inputs, lp, bos, alpha, hints_fn):
    """got == want: the same tokens and a score within TOL; ``hints_fn()`` builds the hints on failure only."""
    (gt, gs), (wt, ws) = got, want
    if gt != wt or not _close(gs, ws):
        detail = None
        if gt == wt:
            detail = "the tokens are right; the score is not"
        fail(prop, inputs=inputs, expected=f"tokens {_describe(lp, bos, wt, alpha)}, score {ws:.10g}",
             got=f"tokens {_describe(lp, bos, gt, alpha)}, score {gs:.10g}", detail=detail,
             hints=hints_fn(), hint_got=got, hint_expected=want)


def _matches(got, other):
    return other is not None and other[0] is not None and got[0] == list(other[0]) and _close(got[1], other[1])


def _is_mistake(got, want, other):
    """``got`` is what a mistake returns: its tokens (when they differ from the right ones), or the right tokens
    with the mistake's score."""
    if other is None or other[0] is None or _matches(got, want):
        return False
    if got[0] != want[0]:
        return got[0] == list(other[0])
    return list(other[0]) == want[0] and _close(got[1], other[1])


# ----------------------------------------------------------------------------------------------- hints
def score_hints(got_score, lp, bos, toks, alpha, eos):
    s = ref_logp(lp, bos, toks)
    L = len(toks)
    hints = []
    raw = _close(got_score, s) and L > 1 and bool(alpha)
    no_eos = bool(toks) and toks[-1] == eos and L > 1 and bool(alpha) and _close(got_score, s / (L - 1) ** alpha)
    if raw and no_eos:   # L − 1 = 1: the two mistakes give the same number here
        hints.append("your score is log P / (L − 1)^alpha = log P (L − 1 = 1 here): either the score is the raw "
                     "log-probability (divide it by L ** alpha), or L misses the <eos> (L counts the final <eos>: "
                     "L = len(tokens)).")
    elif raw:
        hints.append("your score is the raw log-probability: divide it by L ** alpha (the length "
                     "normalisation, L = len(tokens)).")
    elif no_eos:
        hints.append("L counts the final <eos>: L = len(tokens), the <eos> included.")
    if L > 1 and alpha and _close(got_score, s / (L * alpha)):
        hints.append("you divided by L · alpha; the normalisation is L ** alpha (L to the power alpha).")
    nobos = math.fsum(lp(tuple(toks[:t]))[y] for t, y in enumerate(toks))
    if L > 0 and _close(got_score, nobos / L ** alpha) and not _close(nobos, s):
        hints.append("every prefix passed to logp_fn starts with bos: the prefix of y_t is [bos] + tokens[:t].")
    shifted = math.fsum(lp((bos,) + tuple(toks[:t + 1]))[y] for t, y in enumerate(toks))
    if L > 0 and _close(got_score, shifted / L ** alpha):
        hints.append("off by one: the log-probability of y_t comes from the prefix *before* it, "
                     "logp_fn([bos] + tokens[:t])[tokens[t]], not from a prefix that already contains y_t.")
    return hints


GREEDY_HINT_TEXT = {
    "no_eos": "greedy search stops *after* producing <eos>, and the <eos> is part of the returned tokens (and of L); "
              "yours stopped before it.",
    "ignore_eos": "greedy search must stop right after it produces <eos>: nothing follows an <eos>.",
    "raw_score": "return the normalised score log P / L ** alpha, not the raw log-probability.",
    "short": "a sequence may have max_len tokens (the <eos> counted); yours stops one token early.",
}

EXHAUSTIVE_HINT_TEXT = {
    "every_prefix": "a prefix that has not ended is not a candidate: the candidates end at their first <eos>, or "
                    "have max_len tokens.",
    "ignore_eos": "a candidate ends at its first <eos>: nothing follows an <eos> (continuations of an ended sequence "
                  "are not candidates).",
    "fixed_length": "candidates that end with <eos> before max_len count too: a candidate ends at its first <eos> "
                    "(length 1..max_len) or has max_len tokens.",
    "final_raw": "choose the best candidate by the normalised score log P / L ** alpha, not by raw log P (raw log P "
                 "prefers short sequences).",
    "L_without_eos": "L counts the final <eos>: L = len(tokens), the <eos> included.",
    "raw_score": "return the normalised score log P / L ** alpha of the best candidate, not its raw log P.",
}

POOL_TEXT = ("finished hypotheses must leave the beam at once and never compete for slots again: yours stay in the "
             "beam and take slots that live hypotheses need. Keep them in a separate list of finished hypotheses; "
             "each step keeps beam_size extensions of the live ones only, ranked by raw log P.")

BEAM_HINT_TEXT = {
    "eos_ordinary": "a kept hypothesis that ends in <eos> is finished: it leaves the beam and is never extended "
                    "(<eos> is not an ordinary token; nothing follows it).",
    "final_raw": "choose among the finished hypotheses by the normalised score log P / L ** alpha, not by raw "
                 "log P (raw log P prefers short sequences; that is what the normalisation corrects).",
    "L_without_eos": "L counts the final <eos>: L = len(tokens), the <eos> included.",
    "raw_score": "return the normalised score log P / L ** alpha of the chosen hypothesis, not its raw log P.",
    "pool_norm": POOL_TEXT,
    "pool_raw": POOL_TEXT,
    "drop_finished": "keep every finished hypothesis of every step: you kept only those that finished at the last "
                     "step (add to the list of finished hypotheses; do not replace it).",
    "unsorted_merge": "keep the beam_size best extensions among *all* live hypotheses' extensions together: sort "
                      "every extension of the step by log P, then keep the first beam_size (yours kept the first "
                      "ones in the order of the hypotheses).",
    "stop_at_first": "stop only when no hypothesis is live; the first hypothesis to finish is not necessarily the "
                     "best one.",
    "short": "a hypothesis is finished when it has max_len tokens, not max_len − 1.",
    "long": "a hypothesis is finished when it has max_len tokens: yours grow to max_len + 1.",
    "prefix_candidates": "only finished hypotheses (ended by <eos>, or of max_len tokens) are candidates; a prefix "
                         "that merely stayed in the beam for a while is not.",
}


# A mistake is named in a hint only when it explains the learner's answers: the failing answer equals the
# mistake's answer, and on a fixed battery of other models the learner agrees with the mistake on at least 80 % of
# the cases where the mistake differs from the right answer. The battery runs only after a failure (once per
# learner module and search); its right and mistaken answers are computed once.
def _battery(kind):
    rng = random.Random({"greedy_search": 61, "exhaustive_search": 62, "beam_search": 63}[kind])
    out = []
    for _ in range(40):
        if kind == "exhaustive_search":
            model, bos, eos, max_len = random_model(rng, V=rng.randint(2, 3), max_len=rng.randint(1, 4))
        else:
            model, bos, eos, max_len = random_model(rng, max_len=rng.randint(2, 6))
        args = (bos, eos, rng.randint(2, 4), max_len, 0.75) if kind == "beam_search" else (bos, eos, max_len, 0.75)
        out.append((model, args))
    return out


REFS = {"greedy_search": ref_greedy, "exhaustive_search": ref_exhaustive, "beam_search": ref_beam}
_BATTERY, _BATTERY_REF, _LEARNER_BATTERY = {}, {}, {}


def _ref_on_battery(kind, mistake):
    if kind not in _BATTERY:
        _BATTERY[kind] = _battery(kind)
    if (kind, mistake) not in _BATTERY_REF:
        res = []
        for model, args in _BATTERY[kind]:
            t, sc = REFS[kind](Cached(model), *args, mistake=mistake)
            res.append(None if t is None else (list(t), sc))
        _BATTERY_REF[kind, mistake] = res
    return _BATTERY_REF[kind, mistake]


def _learner_on_battery(kata, kind):
    key = (repr(kata), kind)
    if key not in _LEARNER_BATTERY:
        _ref_on_battery(kind, None)
        res = []
        for model, args in _BATTERY[kind]:
            try:
                r = _plain_result(getattr(kata, kind)(model, *args))
            except Exception:  # noqa: BLE001 - a learner error only means "no agreement" here
                r = None
            res.append(None if isinstance(r, str) else r)
        _LEARNER_BATTERY[key] = res
    return _LEARNER_BATTERY[key]


def likely_mistakes(kata, kind, got, want, failing_ref):
    """The names of the mistakes (keys of the kind's hint table) that explain the learner's answers."""
    texts = {"greedy_search": GREEDY_HINT_TEXT, "exhaustive_search": EXHAUSTIVE_HINT_TEXT,
             "beam_search": BEAM_HINT_TEXT}[kind]
    names = [m for m in texts if _is_mistake(got, want, failing_ref(m))]
    if not names:
        return []
    right = _ref_on_battery(kind, None)
    mine = _learner_on_battery(kata, kind)
    wrong = [i for i in range(len(right)) if mine[i] is None or not _matches(mine[i], right[i])]

    def same(i, theirs):
        return mine[i] is not None and theirs[i] is not None and (
            _matches(mine[i], theirs[i]) or (mine[i][0] == theirs[i][0] != right[i][0]))

    confirmed, unconfirmable = [], []
    for m in names:
        theirs = _ref_on_battery(kind, m)
        informative = [i for i in range(len(right)) if theirs[i] is not None and not _matches(theirs[i], right[i])]
        agree = sum(same(i, theirs) for i in informative)
        explained = sum(same(i, theirs) for i in wrong)
        if not informative:
            unconfirmable.append(m)
        elif agree >= 0.8 * len(informative) and explained >= 0.8 * len(wrong):
            confirmed.append(m)
    return confirmed or unconfirmable


def search_hints(kata, kind, got, want, lp, args):
    texts = {"greedy_search": GREEDY_HINT_TEXT, "exhaustive_search": EXHAUSTIVE_HINT_TEXT,
             "beam_search": BEAM_HINT_TEXT}[kind]
    bos, eos, alpha = args[0], args[1], args[-1]

    def failing_ref(m):
        return REFS[kind](lp, *args, mistake=m)

    hints = []
    for m in likely_mistakes(kata, kind, got, want, failing_ref):
        if texts[m] not in hints:
            hints.append(texts[m])
    if got[0] == want[0] and not hints:
        hints = score_hints(got[1], lp, bos, want[0], alpha, eos)
    return hints


def _inputs(model, bos, eos, max_len, alpha, beam_size=None):
    d = {"logp_fn": repr(model), "bos": bos, "eos": eos}
    if beam_size is not None:
        d["beam_size"] = beam_size
    d.update({"max_len": max_len, "alpha": alpha})
    return d


def check_search(kata, kind, model, args, prop, want=None):
    """kata.<kind>(model, *args) equals the oracle's answer (or ``want``): the same tokens, the score within TOL."""
    lp = Cached(model)
    want = want or REFS[kind](lp, *args)
    if kind == "beam_search":
        bos, eos, k, max_len, alpha = args
        inputs = _inputs(model, bos, eos, max_len, alpha, k)
    else:
        bos, eos, max_len, alpha = args
        inputs = _inputs(model, bos, eos, max_len, alpha)
    got = _search(kata, kind, model, *args, prop=prop, inputs=inputs)
    want = (list(want[0]), want[1])
    expect_search(got, want, prop, inputs, lp, bos, alpha, lambda: search_hints(kata, kind, got, want, lp, args))
    return got


def check_beam(kata, model, bos, eos, k, max_len, alpha, prop, want=None):
    return check_search(kata, "beam_search", model, (bos, eos, k, max_len, alpha), prop, want)


def check_greedy(kata, model, bos, eos, max_len, alpha, prop):
    return check_search(kata, "greedy_search", model, (bos, eos, max_len, alpha), prop)


def check_exhaustive(kata, model, bos, eos, max_len, alpha, prop):
    return check_search(kata, "exhaustive_search", model, (bos, eos, max_len, alpha), prop)


# ----------------------------------------------------------------------------------------------- sequence_score
def _score(kata, model, bos, toks, alpha, prop, inputs):
    try:
        got = kata.sequence_score(model, bos, list(toks), alpha)
    except (RuntimeError, IndexError, TypeError, ValueError, KeyError, ZeroDivisionError) as e:
        fail(prop, inputs=inputs, expected="a number", got=f"{type(e).__name__}: {e}")
    try:
        return float(got)
    except Exception:  # noqa: BLE001
        fail(prop, inputs=inputs, expected="a number", got=f"{type(got).__name__}: {got!r}")


@pytest.mark.core("sequence_score")
def test_sequence_score_is_the_normalised_sum(kata):
    """sequence_score = Σ_t log P(y_t | bos, y_<t) / L^alpha, summed directly from logp_fn"""
    rng = random.Random(4242)
    cases = [(book_model(), BOS, [A, B, C, EOS], 0.75), (book_model(), BOS, [A, C, B, EOS], 0.75),
             (book_model(), BOS, [A, C, B, EOS], 0.0), (book_model(), BOS, [C], 1.0)]
    for _ in range(12):
        model, bos, eos, max_len = random_model(rng)
        toks = [rng.randrange(model.vocab_size) for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.5:
            toks[-1] = eos
        cases.append((model, bos, toks, rng.choice([0.75, 0.75, 0.0, 0.5, 1.0, 2.0])))
    prop = "sequence_score(logp_fn, bos, tokens, alpha) = Σ_t logp_fn([bos] + tokens[:t])[tokens[t]] / L ** alpha"
    for model, bos, toks, alpha in cases:
        lp = Cached(model)
        want = ref_score(lp, bos, toks, alpha)
        inputs = {"logp_fn": repr(model), "bos": bos, "tokens": toks, "alpha": alpha,
                  "log P(tokens)": f"{ref_logp(lp, bos, toks):.10g}", "L": len(toks)}
        got = _score(kata, model, bos, toks, alpha, prop, inputs)
        if not _close(got, want):
            eos = toks[-1]
            fail(prop, inputs=inputs, expected=want, got=got,
                 hints=score_hints(got, lp, bos, toks, alpha, eos))


def test_sequence_score_book_example(kata):
    """sequence_score with alpha = 0 gives the book's log(0.048) for A, B, C, <eos> and log(0.054) for A, C, B, <eos>"""
    for toks, p in (([A, B, C, EOS], 0.048), ([A, C, B, EOS], 0.054)):
        inputs = {"logp_fn": repr(book_model()), "bos": BOS, "tokens": toks, "alpha": 0.0}
        prop = f"sequence_score(…, alpha=0) = log P = log({p}) (d2l §9.8's figures)"
        got = _score(kata, book_model(), BOS, toks, 0.0, prop, inputs)
        expect(_close(got, math.log(p)), prop, inputs=inputs, expected=math.log(p), got=got,
               hints=score_hints(got, Cached(book_model()), BOS, toks, 0.0, EOS))


def test_sequence_score_calls_logp_with_each_prefix(kata):
    """sequence_score calls logp_fn on [bos] + tokens[:t] for every t, and on nothing else"""
    rng = random.Random(77)
    for _ in range(4):
        model, bos, eos, _ = random_model(rng)
        toks = [rng.randrange(model.vocab_size) for _ in range(rng.randint(1, 5))]
        got, calls = run_beside(kata, search_with_calls, kata.sequence_score, model, bos, toks, 0.75)
        want = {(bos,) + tuple(toks[:t]) for t in range(len(toks))}
        inputs = {"bos": bos, "tokens": toks}
        prop = "sequence_score calls logp_fn with the prefixes [bos] + tokens[:t], t = 0 .. L − 1"
        expect(set(calls) == want, prop, inputs=inputs, expected=sorted(want), got=calls,
               hints=["each prefix starts with bos and holds the tokens *before* the one being scored."])


# ----------------------------------------------------------------------------------------------- greedy_search
@pytest.mark.core("greedy_search")
def test_greedy_search_follows_the_argmax(kata):
    """greedy_search takes the most likely token at every step and stops after <eos> or at max_len"""
    prop = "greedy_search: y_t = argmax logp_fn([bos] + y_<t), stop after <eos> or at max_len; score = log P / L^α"
    check_greedy(kata, book_model(), BOS, EOS, 4, 0.75, prop + " (the book's A, B, C, <eos>)")
    check_greedy(kata, book_model(), BOS, EOS, 2, 0.75, prop)
    rng = random.Random(2024)
    for _ in range(40):
        model, bos, eos, max_len = random_model(rng)
        check_greedy(kata, model, bos, eos, max_len, rng.choice([0.75, 0.75, 0.0, 1.0]), prop)


# ----------------------------------------------------------------------------------------------- exhaustive_search
@pytest.mark.core("exhaustive_search")
def test_exhaustive_search_equals_enumeration(kata):
    """exhaustive_search returns the best of all candidates by log P / L^alpha (enumerated here)"""
    prop = ("exhaustive_search: the best of every sequence ending at its first <eos> or of max_len tokens, by "
            "log P / L^α")
    check_exhaustive(kata, book_model(), BOS, EOS, 4, 0.75, prop + " (the book's vocabulary)")
    check_exhaustive(kata, book_model(), BOS, EOS, 4, 0.0, prop + " (alpha = 0: by the plain log-probability)")
    rng = random.Random(31337)
    for _ in range(30):
        V = rng.randint(2, 4)
        model, bos, eos, max_len = random_model(rng, V=V, max_len=rng.randint(1, {2: 7, 3: 5, 4: 4}[V]))
        check_exhaustive(kata, model, bos, eos, max_len, rng.choice([0.75, 0.75, 0.0, 1.0]), prop)


# ----------------------------------------------------------------------------------------------- beam_search
@pytest.mark.core("beam_search")
@pytest.mark.weight(3)
def test_beam_search_equals_reference_on_400_models(kata, stat_seed):
    """beam_search equals the contract's beam (prune by raw log P, finished ones leave the beam) on 400 random models"""
    rng = random.Random(5_000 + stat_seed)
    prop = ("beam_search: keep the beam_size best extensions by raw log P, finished hypotheses leave the beam, "
            "choose the best finished one by log P / L^α")
    for _ in range(400):
        model, bos, eos, max_len = random_model(rng)
        k = rng.choice([1, 2, 2, 3, 3, 4, 5])
        alpha = 0.75 if rng.random() < 0.8 else rng.choice([0.0, 0.5, 1.0, 2.0])
        check_beam(kata, model, bos, eos, k, max_len, alpha, prop)


@pytest.mark.core("beam_search")
def test_beam_search_hand_made_models(kata):
    """beam_search on the book's vocabulary and on a model where [a, <eos>] wins only if L counts the <eos>"""
    check_beam(kata, l_model(), BOS6, EOS6, 2, 2, 0.75,
               "beam_search returns [a, <eos>]: both finished hypotheses have L = 2 (L counts the <eos>)",
               want=([0, EOS6], -2.0 / 2 ** 0.75))
    lp = Cached(slot_model())
    check_beam(kata, slot_model(), 3, 2, 2, 3, 0.75,
               "beam_search returns [a, b, <eos>]: the finished [<eos>] leaves the beam after step 1, so two live "
               "hypotheses are extended at step 2", want=([0, 1, 2], ref_score(lp, 3, [0, 1, 2], 0.75)))
    for k in (1, 2, 3):
        for max_len in (3, 4):
            check_beam(kata, book_model(), BOS, EOS, k, max_len, 0.75,
                       "beam_search equals the contract's beam on the book's vocabulary (tokens A, B, C, <eos>)")


@st.composite
def models(draw, max_V=7, max_len=7, budget=None):
    """(model, bos, eos, max_len): V, max_len, temperature, eos bias and slope drawn by hypothesis (they shrink to
    the smallest failing model), the log-probabilities from a drawn seed. ``budget``: V ** max_len ≤ budget."""
    V = draw(st.integers(2, max_V), label="V")
    top = max_len
    if budget:
        while V ** top > budget:
            top -= 1
    L = draw(st.integers(1, top), label="max_len")
    bos, eos = draw(st.sampled_from([(b, e) for b in range(V) for e in range(V) if b != e]), label="(bos, eos)")
    model = RandomLM(V, draw(st.integers(0, 2**31 - 1), label="seed"),
                     temperature=draw(st.sampled_from([0.7, 1.0, 1.5, 2.5]), label="temperature"), eos=eos,
                     eos_bias=draw(st.sampled_from([-1.0, 0.0, 1.0]), label="eos_bias"),
                     eos_slope=draw(st.sampled_from([0.0, -0.7, 0.7]), label="eos_slope"))
    return model, bos, eos, L


@settings(max_examples=25)
@given(m=models())
def test_beam_size_one_is_greedy(kata, m):
    """beam_search with beam_size = 1 returns what greedy search returns"""
    model, bos, eos, max_len = m
    check_beam(kata, model, bos, eos, 1, max_len, 0.75, "beam_search(beam_size=1) = greedy search",
               want=ref_greedy(Cached(model), bos, eos, max_len, 0.75))


@settings(max_examples=20)
@given(m=models(max_V=4, max_len=6, budget=64), extra=st.integers(0, 3))
def test_large_beam_is_exhaustive(kata, m, extra):
    """beam_search with beam_size ≥ V^max_len returns what exhaustive search returns"""
    model, bos, eos, max_len = m
    check_beam(kata, model, bos, eos, model.vocab_size ** max_len + extra, max_len, 0.75,
               "beam_search(beam_size ≥ V^max_len) = exhaustive search",
               want=ref_exhaustive(Cached(model), bos, eos, max_len, 0.75))


def _ended_properly(toks, eos, max_len):
    return (0 < len(toks) <= max_len and eos not in toks[:-1]
            and (toks[-1] == eos or len(toks) == max_len))


def test_results_end_properly_and_scores_recompute(kata):
    """every search returns tokens that end at their first <eos> or at max_len, scored by sequence_score"""
    rng = random.Random(8)
    for i in range(30):
        model, bos, eos, max_len = random_model(rng, V=rng.randint(2, 4), max_len=rng.randint(1, 4))
        k = rng.randint(1, 4)
        lp = Cached(model)
        for name, args in (("greedy_search", (bos, eos, max_len, 0.75)),
                           ("exhaustive_search", (bos, eos, max_len, 0.75)),
                           ("beam_search", (bos, eos, k, max_len, 0.75))):
            inputs = _inputs(model, bos, eos, max_len, 0.75, k if name == "beam_search" else None)
            prop = f"{name} returns tokens that end at their first <eos> (or have max_len tokens), nothing after"
            toks, score = _search(kata, name, model, *args, prop=prop, inputs=inputs)
            expect(_ended_properly(toks, eos, max_len), prop, inputs=inputs,
                   expected="tokens ending with <eos> (its only occurrence), or max_len tokens without <eos>",
                   got=toks, hints=["<eos> ends a sequence: stop extending a hypothesis as soon as it produces "
                                    "<eos> (nothing after it), and at max_len tokens (the <eos> counted)."])
            prop = f"{name}'s score equals sequence_score of its tokens: log P / L^α with L counting the <eos>"
            want = ref_score(lp, bos, toks, 0.75)
            expect(_close(score, want), prop, inputs={**inputs, "tokens": toks}, expected=want, got=score,
                   hints=score_hints(score, lp, bos, toks, 0.75, eos))


def test_beam_search_call_budget(kata):
    """beam_search calls logp_fn at most (beam_size + 1)·max_len + 1 times, every prefix starting with bos"""
    rng = random.Random(17)
    for _ in range(12):
        model, bos, eos, max_len = random_model(rng, max_len=rng.randint(2, 7))
        model.eos_bias = -2.0          # long hypotheses: many steps
        k = rng.randint(1, 4)
        res, calls = run_beside(kata, search_with_calls, kata.beam_search, model, bos, eos, k, max_len, 0.75)
        inputs = _inputs(model, bos, eos, max_len, 0.75, k)
        if isinstance(res, str):
            fail("beam_search runs", inputs=inputs, expected="(tokens, score)", got=res)
        budget = (k + 1) * max_len + 1
        expect(len(calls) <= budget, "beam_search calls logp_fn at most (beam_size + 1)·max_len + 1 times",
               inputs=inputs, expected=f"≤ {budget} calls", got=f"{len(calls)} calls",
               hints=["call logp_fn once per live hypothesis per step and reuse its (V,) row for all V extensions; "
                      "keep each hypothesis's running log P instead of rescoring it from the start."])
        bad = [c for c in calls if not c or c[0] != bos]
        expect(not bad, "every prefix passed to logp_fn starts with bos", inputs=inputs,
               expected=f"prefixes [bos, …] with bos = {bos}", got=f"{bad[:3]}",
               hints=["logp_fn(prefix) takes prefix = [bos] + the tokens generated so far."])
        beyond = [c for c in calls if eos in c[1:]]
        expect(not beyond, "beam_search never extends a hypothesis that ended with <eos>", inputs=inputs,
               expected="no prefix containing <eos>", got=f"{beyond[:3]}",
               hints=[BEAM_HINT_TEXT["eos_ordinary"]])


def test_greedy_and_exhaustive_prefixes_start_with_bos(kata):
    """greedy and exhaustive search call logp_fn only on prefixes [bos, …] that have not ended"""
    rng = random.Random(5)
    for _ in range(6):
        model, bos, eos, max_len = random_model(rng, V=3, max_len=3)
        for name in ("greedy_search", "exhaustive_search"):
            res, calls = run_beside(kata, search_with_calls, getattr(kata, name), model, bos, eos, max_len, 0.75)
            inputs = _inputs(model, bos, eos, max_len, 0.75)
            bad = [c for c in calls if not c or c[0] != bos or eos in c[1:] or len(c) > max_len]
            expect(not bad, f"{name} calls logp_fn on [bos] + a prefix that has not ended (no <eos>, fewer than "
                            "max_len tokens)", inputs=inputs, expected="no such call", got=f"{bad[:3]}",
                   hints=["logp_fn(prefix) takes prefix = [bos] + the tokens generated so far; a sequence that "
                          "ended with <eos> or has max_len tokens is not extended."])
