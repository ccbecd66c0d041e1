"""Graders for ch9/bleu.py (bleu).

Oracles. ``exact_bleu`` below: the clipped n-gram precisions p_n as exact ``fractions.Fraction`` values (n-grams as
tuples of tokens, tokens from ``s.split(' ')``, ``''`` without tokens), the brevity penalty from the exact ratio
len_label / len_pred, combined in float64 as exp(min(0, 1 − r)) · Π float(p_n) ** (1/2^n); and nltk's
``sentence_bleu([label_tokens], pred_tokens, weights=(1/2, …, 1/2^k))`` as an independent cross-check (loaded
inside that test only, without nltk's package __init__, which costs 2-3 s of imports: see ``nltk_sentence_bleu``;
nltk is a test dependency, never learner code). nltk agrees with d2l's formula when the
prediction has at least k tokens; where some p_n = 0 nltk returns a value below 1e-19 for k ≤ 4 instead of 0.

Tolerances. A correct float computation differs from the reference by a few ulps per factor (≤ 1e-15 for k ≤ 6):
the graders allow 1e-12 absolute against the exact reference and 1e-9 against nltk (which sums logarithms); the
classic mistakes move the score by orders of magnitude more on the hand cases (e.g. 0.594 → 0.664 without
clipping on the book's example).

Speed: ~1.5 s for the module in-process; under --katas-sandbox the 3,000 calls cost ~1 ms each (one round trip).

Hints. ``exact_bleu`` takes switches for every classic mistake (no clipping, inverted / missing / unclamped brevity
penalty, weights 1/k or 1/n, recall's denominator, n-grams joined without a separator, str.split(), distinct n-grams,
the last order or the last n-gram missing); a hint is shown when the learner's score equals the score of that
mistake on the failing input and differs from the right one.
"""
import math
import random
import warnings
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.check import Hint, expect, expect_close, fail

ATOL = 1e-12

# tokens of several characters, chosen so that n-grams joined without a separator collide ("ab"+"c" = "a"+"bc")
VOCAB = ["a", "b", "c", "ab", "bc", "ba", "abc"]


# ----------------------------------------------------------------------------------------------- the oracle
def tokens_of(s: str, split: str = "space") -> list[str]:
    """The contract's tokens: s.split(' '), and '' has none (``split="any"``: str.split(), a mistake)."""
    if split == "any":
        return s.split()
    return s.split(" ") if s else []


def exact_bleu(pred: str, label: str, k: int, *, clip=True, penalty="d2l", weights="d2l", denom="pred",
               key="tuple", split="space", distinct=False, orders_off=0, last_gram_off=0) -> float:
    """d2l's BLEU with exact Fraction precisions; the keyword switches give the classic mistakes (for hints)."""
    P, L = tokens_of(pred, split), tokens_of(label, split)
    lp, ll = len(P), len(L)
    if lp < k:
        return 0.0
    r = Fraction(ll, lp)
    if penalty == "d2l":
        score = math.exp(min(0.0, float(1 - r)))
    elif penalty == "inverted":
        score = math.exp(min(0.0, float(1 - Fraction(lp, ll)))) if ll else 1.0
    elif penalty == "none":
        score = 1.0
    else:  # "unclamped": exp(1 − len_label/len_pred), > 1 for long predictions
        score = math.exp(float(1 - r))

    def gram(toks, i, n):
        return tuple(toks[i:i + n]) if key == "tuple" else "".join(toks[i:i + n])

    for n in range(1, k + 1 - orders_off):
        label_counts = Counter(gram(L, i, n) for i in range(ll - n + 1))
        pred_grams = [gram(P, i, n) for i in range(lp - n + 1 - last_gram_off)]
        if distinct:
            matches = sum(1 for g in set(pred_grams) if label_counts[g] > 0)
        elif clip:
            matches = sum(min(c, label_counts[g]) for g, c in Counter(pred_grams).items())
        else:
            matches = sum(1 for g in pred_grams if label_counts[g] > 0)
        size = (lp - n + 1) if denom == "pred" else (ll - n + 1)
        if size <= 0:
            return float("nan")
        p = Fraction(matches, size)
        w = {"d2l": 0.5 ** n, "equal": 1.0 / k, "paper": 1.0 / n}[weights]
        score *= float(p) ** w
    return score


def precisions(pred: str, label: str, k: int) -> list[Fraction]:
    """The exact clipped precisions p_1..p_k (for the feedback)."""
    P, L = tokens_of(pred), tokens_of(label)
    out = []
    for n in range(1, k + 1):
        lc = Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
        pc = Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
        out.append(Fraction(sum(min(c, lc[g]) for g, c in pc.items()), max(1, len(P) - n + 1)))
    return out


_NLTK = {}


def nltk_sentence_bleu():
    """nltk's ``sentence_bleu``, loaded without running ``nltk/__init__.py`` (which imports scipy and most of nltk:
    2-3 s). ``nltk.translate.bleu_score`` needs only ``nltk.util``; the package entries this adds to ``sys.modules``
    are removed again, so a later ``import nltk`` anywhere gets the real package. Falls back to the plain import."""
    if "f" not in _NLTK:
        import importlib
        import importlib.util
        import os
        import sys
        import types
        if "nltk" in sys.modules:
            _NLTK["f"] = importlib.import_module("nltk.translate.bleu_score").sentence_bleu
            return _NLTK["f"]
        before = set(sys.modules)
        try:
            root = os.path.dirname(importlib.util.find_spec("nltk").origin)
            for name, path in (("nltk", root), ("nltk.translate", os.path.join(root, "translate"))):
                pkg = types.ModuleType(name)
                pkg.__path__ = [path]
                sys.modules[name] = pkg
            _NLTK["f"] = importlib.import_module("nltk.translate.bleu_score").sentence_bleu
        except Exception:  # noqa: BLE001 - the slow, ordinary way
            _NLTK.pop("f", None)
        finally:
            for name in set(sys.modules) - before:
                if name == "nltk" or name.startswith("nltk."):
                    del sys.modules[name]
        if "f" not in _NLTK:
            from nltk.translate.bleu_score import sentence_bleu
            _NLTK["f"] = sentence_bleu
    return _NLTK["f"]


# ----------------------------------------------------------------------------------------------- hints
def _num(x):
    try:
        return float(x)
    except Exception:  # noqa: BLE001
        return None


def _is(got, value, want) -> bool:
    """The learner's score equals ``value`` (a mistake's score) and not the right one."""
    g = _num(got)
    return (g is not None and value is not None and not math.isnan(value) and abs(g - value) <= 1e-9
            and abs(value - want) > 1e-6)


def bleu_hints(pred: str, label: str, k: int) -> list[Hint]:
    want = exact_bleu(pred, label, k)

    # with empty tokens in the input, a str.split() answer explains the score best: show that hint alone
    empty_tokens = "" in tokens_of(pred) + tokens_of(label)
    split_value = exact_bleu(pred, label, k, split="any")

    def mistake(only=True, **kw):
        v = exact_bleu(pred, label, k, **kw)
        if kw.get("split") != "any":
            return lambda got, _w: (only and _is(got, v, want)
                                    and not (empty_tokens and _is(got, split_value, want)))
        return lambda got, _w: only and _is(got, v, want)

    return [
        Hint("your score counts a predicted n-gram every time it occurs, even more often than it occurs in the "
             "label: clip the counts. Each label n-gram can be matched at most as many times as it occurs in the "
             "label (\"the the the the\" against \"the cat\" has one unigram match, p_1 = 1/4).",
             when=mistake(clip=False)),
        Hint("repeated predicted n-grams: you counted each distinct n-gram once; a predicted n-gram that occurs "
             "twice and also twice in the label matches twice (clipped counts: min(count in prediction, count in "
             "label)).", when=mistake(distinct=True)),
        Hint("this prediction is shorter than the label, yet your score has no brevity factor: either the "
             "brevity penalty exp(min(0, 1 − len_label / len_pred)) is missing, or the brevity penalty is inverted "
             "(1 − len_pred / len_label ≥ 0 here, so min(0, ·) = 0). It must punish predictions shorter than the "
             "label.", when=mistake(only=len(tokens_of(pred)) < len(tokens_of(label)), penalty="none")),
        Hint("the brevity penalty is inverted: it is exp(min(0, 1 − len_label / len_pred)), which punishes "
             "predictions shorter than the label (len_pred < len_label); yours punishes long ones.",
             when=mistake(only=len(tokens_of(pred)) > len(tokens_of(label)), penalty="inverted")),
        Hint("the brevity penalty must never exceed 1: exp(min(0, 1 − len_label / len_pred)); without the min a "
             "prediction longer than the label gets a bonus (there is no penalty for long predictions, and no "
             "reward either).", when=mistake(penalty="unclamped")),
        Hint(f"the weights are d2l's 1/2^n (p_1^(1/2) · p_2^(1/4) · …), not equal weights 1/k = 1/{k}: long "
             "n-grams are harder to match and get more weight.", when=mistake(only=k > 1, weights="equal")),
        Hint("the weights are d2l's 1/2^n (p_1^(1/2) · p_2^(1/4) · …), not the original paper's 1/n.",
             when=mistake(only=k > 1, weights="paper")),
        Hint("with k = 1 the score is penalty · p_1^(1/2): d2l's weights are 1/2^n, so p_1 gets the weight 1/2, "
             "not 1.", when=mistake(only=k == 1, weights="equal")),
        Hint("p_n is a precision: divide the matches by the number of n-grams of the *prediction*, len_pred − n + 1, "
             "not by the label's.", when=mistake(denom="label")),
        Hint("n-grams are compared as tuples of tokens; joining the tokens without a separator makes different "
             "n-grams equal (('ab', 'c') and ('a', 'bc') both become 'abc'). Use tuple(tokens[i:i + n]) as the key "
             "(or join with ' ').", when=mistake(key="join")),
        Hint("tokens are s.split(' ') (one space separates two tokens, so \"a  b\" has the three tokens 'a', '', "
             "'b'); s.split() merges runs of spaces. Only the empty string has no tokens.",
             when=mistake(split="any")),
        Hint(f"the product runs over n = 1..k, including n = k = {k} (range(1, k + 1)).",
             when=mistake(only=k > 1, orders_off=1)),
        Hint("the last n-gram of the prediction is missing: a prediction of length len_pred has len_pred − n + 1 "
             "n-grams, starting at i = 0 .. len_pred − n (range(len_pred − n + 1)).",
             when=mistake(last_gram_off=1)),
    ]


def _inputs(pred, label, k):
    P, L = tokens_of(pred), tokens_of(label)
    return {"pred_seq": repr(pred), "label_seq": repr(label), "k": k,
            "tokens": f"len_pred = {len(P)}, len_label = {len(L)}",
            "clipped precisions": ", ".join(f"p_{n} = {p}" for n, p in enumerate(precisions(pred, label, k), 1))
            if len(P) >= k else "(the prediction has fewer than k tokens)"}


SHORT_HINT = Hint("when the prediction has fewer than k tokens there is no n-gram of length k (len_pred − k + 1 ≤ 0, "
                  "the book's ZeroDivisionError): the contract's score is 0.0 then; check len_pred < k first. "
                  "The empty string has no tokens at all.")


def _bleu(kata, pred, label, k, prop, hints=()):
    """kata.bleu(pred, label, k); an exception becomes a failure that shows the inputs."""
    try:
        return kata.bleu(pred, label, k)
    except (ZeroDivisionError, ValueError, TypeError, IndexError, KeyError, RuntimeError, OverflowError) as e:
        P = tokens_of(pred)
        want = exact_bleu(pred, label, k)
        fail(prop, inputs=_inputs(pred, label, k),
             expected="0.0 (the prediction has fewer than k tokens)" if len(P) < k else f"a score ({want:.6g})",
             got=f"{type(e).__name__}: {e}",
             hints=[SHORT_HINT] if (isinstance(e, ZeroDivisionError) or len(P) < k or not pred) else list(hints))


def check_bleu(kata, pred, label, k, prop, want=None, atol=ATOL):
    if want is None:
        want = exact_bleu(pred, label, k)
    hints = bleu_hints(pred, label, k)
    if len(tokens_of(pred)) < k:
        hints = [SHORT_HINT] + hints
    got = _bleu(kata, pred, label, k, prop, hints)
    if _num(got) is None:
        fail(prop, inputs=_inputs(pred, label, k), expected=want, got=f"{type(got).__name__}: {got!r}",
             hints=["return the score as a Python float."])
    expect_close(float(got), want, prop, inputs=_inputs(pred, label, k), atol=atol, rtol=0, hints=hints)
    return got


# ----------------------------------------------------------------------------------------------- strategies
@st.composite
def token_lists(draw, max_size=9):
    return draw(st.lists(st.sampled_from(VOCAB), max_size=max_size))


def perturb(rng: random.Random, toks: list[str]) -> list[str]:
    """A prediction near the label: a few random substitutions, deletions, insertions and repeats."""
    out = list(toks)
    for _ in range(rng.randint(0, 3)):
        op = rng.random()
        i = rng.randrange(len(out) + 1)
        if op < 0.3 and out:
            out[min(i, len(out) - 1)] = rng.choice(VOCAB)
        elif op < 0.55 and out:
            del out[min(i, len(out) - 1)]
        elif op < 0.8:
            out.insert(i, rng.choice(VOCAB))
        elif out:
            j = min(i, len(out) - 1)
            out.insert(j, out[j])
    return out


@st.composite
def pairs(draw, min_pred=0):
    """(pred, label, k): the prediction either independent of the label or a perturbation of it."""
    label = draw(token_lists(), label="label tokens")
    if draw(st.booleans(), label="near the label"):
        pred = perturb(random.Random(draw(st.integers(0, 2**20), label="edits seed")), label)
    else:
        pred = draw(token_lists(), label="pred tokens")
    k = draw(st.integers(1, 4), label="k")
    if len(pred) < max(k, min_pred):
        pred = pred + draw(st.lists(st.sampled_from(VOCAB), min_size=max(k, min_pred) - len(pred),
                                    max_size=max(k, min_pred) - len(pred)), label="padding")
    return " ".join(pred), " ".join(label), k


# ----------------------------------------------------------------------------------------------- core: values
BOOK_CASES = [
    # d2l §9.7.4's example: label A B C D E F, prediction A B B C D: p_1 = 4/5, p_2 = 3/4, p_3 = 1/3, p_4 = 0
    ("A B B C D", "A B C D E F", 3, math.exp(1 - 6 / 5) * (4 / 5) ** 0.5 * (3 / 4) ** 0.25 * (1 / 3) ** 0.125),
    ("A B B C D", "A B C D E F", 4, 0.0),
    ("A B B C D", "A B C D E F", 1, math.exp(1 - 6 / 5) * (4 / 5) ** 0.5),
    # the book's brevity example: p_1 = p_2 = 1, penalty exp(1 − 6/2) ≈ 0.14
    ("A B", "A B C D E F", 2, math.exp(1 - 3)),
    # the book's translations (d2l §9.7.5, k = 2): 1.000, 1.000, 0.658, 0.447
    ("va !", "va !", 2, 1.0),
    ("j'ai perdu .", "j'ai perdu .", 2, 1.0),
    ("il est riche .", "il est calme .", 2, (3 / 4) ** 0.5 * (1 / 3) ** 0.25),
    ("je suis en retard ?", "je suis chez moi .", 2, (2 / 5) ** 0.5 * (1 / 4) ** 0.25),
    # clipping (the contract's hand case): one match of "the", p_1 = 1/4
    ("the the the the", "the cat", 1, 0.5),
    ("the cat the cat", "the cat sat on the mat", 2,
     math.exp(1 - 6 / 4) * (3 / 4) ** 0.5 * (1 / 3) ** 0.25),
]


@pytest.mark.core("bleu")
def test_bleu_book_examples(kata):
    """bleu reproduces the book's examples (p_1 = 4/5, p_2 = 3/4, p_3 = 1/3; 0.658 and 0.447 for two translations)"""
    for pred, label, k, want in BOOK_CASES:
        assert abs(exact_bleu(pred, label, k) - want) < 1e-12  # the oracle agrees with the hand values
        check_bleu(kata, pred, label, k, "bleu(pred_seq, label_seq, k) = exp(min(0, 1 − len_label / len_pred)) · "
                                         "Π_{n=1..k} p_n^(1/2^n)  (d2l §9.7.4)", want=want)


@pytest.mark.core("bleu")
@pytest.mark.weight(2)
@settings(max_examples=60)
@given(case=pairs())
@example(case=("ab c d e", "a bc d e", 2))
@example(case=("a a b a", "a b a a b", 2))
@example(case=("b a b c a b", "a b c", 3))
@example(case=("abc abc", "abc", 1))
def test_bleu_equals_exact_reference(kata, case):
    """bleu equals an exact reference (clipped counts as fractions) on random pairs, tokens of several characters"""
    pred, label, k = case
    check_bleu(kata, pred, label, k, "bleu(pred_seq, label_seq, k) equals the exact reference: clipped n-gram "
                                     "precisions (n-grams as tuples of tokens), brevity penalty, weights 1/2^n")


@pytest.mark.core("bleu")
@pytest.mark.weight(2)
def test_bleu_on_3000_random_pairs(kata, stat_seed):
    """bleu equals the exact reference on 3,000 random pairs (seeded), including repeated and multi-character tokens"""
    rng = random.Random(90_000 + stat_seed)
    for _ in range(3000):
        label = [rng.choice(VOCAB) for _ in range(rng.randint(0, 10))]
        pred = perturb(rng, label) if rng.random() < 0.6 else [rng.choice(VOCAB) for _ in range(rng.randint(0, 10))]
        k = rng.randint(1, 4)
        pred_s, label_s = " ".join(pred), " ".join(label)
        want = exact_bleu(pred_s, label_s, k)
        got = _bleu(kata, pred_s, label_s, k, "bleu equals the exact reference on random pairs")
        g = _num(got)
        if g is None or not abs(g - want) <= ATOL:
            check_bleu(kata, pred_s, label_s, k, "bleu equals the exact reference on random pairs", want=want)


@pytest.mark.core("bleu")
@settings(max_examples=30)
@given(case=pairs())
@example(case=("A B B C D", "A B C D E F", 3))
@example(case=("il est riche .", "il est calme .", 2))
@example(case=("a b c d a b c d", "a b c d", 4))
def test_bleu_matches_nltk(kata, case):
    """bleu equals nltk's sentence_bleu([label], pred, weights=(1/2, …, 1/2^k)) when the prediction has ≥ k tokens"""
    sentence_bleu = nltk_sentence_bleu()
    pred, label, k = case
    P, L = tokens_of(pred), tokens_of(label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = float(sentence_bleu([L], P, weights=tuple(0.5 ** n for n in range(1, k + 1))))
    check_bleu(kata, pred, label, k, "bleu(pred, label, k) equals nltk's sentence_bleu([label.split(' ')], "
                                     "pred.split(' '), weights=(1/2, …, 1/2^k))", want=want, atol=1e-9)


# ----------------------------------------------------------------------------------------------- other properties
def test_bleu_returns_a_python_float(kata):
    """bleu returns a Python float"""
    for pred, label, k in [("a b c", "a b c", 2), ("a b", "a b c d", 1), ("a", "b", 1)]:
        got = _bleu(kata, pred, label, k, "bleu returns a Python float")
        expect(type(got) is float, "bleu returns a Python float", inputs=_inputs(pred, label, k),
               expected="a float", got=f"{type(got).__name__}: {got!r}",
               hints=["return float(score): a tensor, a Fraction or a numpy number is not what callers expect "
                      "(they average it, format it and compare it)."])


@settings(max_examples=20)
@given(toks=token_lists(max_size=9), k=st.integers(1, 5))
@example(toks=["va", "!"], k=2)
@example(toks=["a", "a", "a"], k=3)
def test_identical_sequences_score_one(kata, toks, k):
    """a prediction identical to the label (with at least k tokens) scores exactly 1.0"""
    if len(toks) < k:
        toks = toks + VOCAB[: k - len(toks)]
    s = " ".join(toks)
    check_bleu(kata, s, s, k, "bleu(s, s, k) = 1 when s has at least k tokens", want=1.0, atol=1e-12)


def test_short_predictions_score_zero(kata):
    """a prediction with fewer than k tokens (the empty one too) scores 0.0, no ZeroDivisionError"""
    cases = [("a b", "a b c", 3), ("a", "a", 2), ("", "a b", 1), ("", "", 1), ("x y z", "x y z w", 4),
             ("", "", 2)]
    for pred, label, k in cases:
        check_bleu(kata, pred, label, k, "bleu = 0.0 when the prediction has fewer than k tokens "
                                         "('' has no tokens)", want=0.0, atol=0.0)


def test_brevity_penalty_punishes_short_predictions(kata):
    """a prediction that is a prefix of the label is punished by exactly exp(1 − len_label / len_pred)"""
    label = "a b c d e f g h"
    for m in (1, 2, 3, 5, 7):
        pred = " ".join(label.split(" ")[:m])
        k = min(m, 3)
        check_bleu(kata, pred, label, k, "every precision is 1 for a prefix of the label, so bleu = "
                                         "exp(1 − len_label / len_pred)", want=math.exp(1 - 8 / m))


def test_no_penalty_for_long_predictions(kata):
    """a prediction longer than the label gets no brevity factor: the score is the product of the precisions"""
    cases = [("a b c d x", "a b c d", 2), ("a b c d a b c d", "a b c d", 4), ("x a b", "a b", 1),
             ("a b a b", "a b", 2)]
    for pred, label, k in cases:
        prod = 1.0
        for n, p in enumerate(precisions(pred, label, k), 1):
            prod *= float(p) ** (0.5 ** n)
        check_bleu(kata, pred, label, k, "len_pred > len_label: penalty exp(min(0, 1 − len_label / len_pred)) = 1, "
                                         "bleu = Π p_n^(1/2^n)", want=prod)


def test_clipped_counts(kata):
    """a predicted n-gram matches at most as often as it occurs in the label (clipping)"""
    cases = [("the the the the", "the cat", 1, 0.5),
             ("a a a b", "a b b b", 1, 0.5 ** 0.5),
             ("a b a b a b", "a b c a b", 2, (4 / 6) ** 0.5 * (2 / 5) ** 0.25),
             ("b b b b b b", "b b a b", 2, (3 / 6) ** 0.5 * (1 / 5) ** 0.25)]
    for pred, label, k, want in cases:
        check_bleu(kata, pred, label, k, "clipped counts: each label n-gram is matched at most as often as it "
                                         "occurs in the label", want=want)


def test_tokens_are_split_on_single_spaces(kata):
    """tokens are s.split(' '): a double space makes an empty token, and n-grams are tuples of tokens"""
    cases = [("a  b c", "a b c", 1), ("a  b", "a b", 1), (" a b", "a b", 2), ("a b ", "a b", 2),
             ("ab c d e", "a bc d e", 2), ("abc d", "ab c d", 1)]
    for pred, label, k in cases:
        check_bleu(kata, pred, label, k, "tokens are s.split(' ') and n-grams are compared as tuples of tokens")
