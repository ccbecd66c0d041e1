"""Graders for ch9/seq2seq.py (preprocessing and arrays, the mask and the masked loss, the GRU encoder and decoder,
EncoderDecoder, train_seq2seq, predict_seq2seq).

Oracles. Text functions: independent character/line loops written here. ``sequence_mask`` and
``masked_softmax_ce``: a per-position Python loop in float64 (log-sum-exp by hand). Encoder and
decoder: the book's computation rebuilt here (``RefEncoder``/``RefDecoder``: nn.Embedding, nn.GRU, nn.Linear) with
the same float64 weights loaded into the learner's modules. ``EncoderDecoder``: the formula evaluated on stand-ins
(tests/shippable_ch9_seq2seq.py). ``train_seq2seq`` and ``predict_seq2seq``: stand-in networks that record every
call (their records are compared with what the contract says the loop must feed them), and for training the
masked loss and Adam's first step recomputed here from the records. The learning check: the learner's classes
trained by the learner's ``train_seq2seq`` to reverse three-word sequences, scored by the graders' own BLEU.

Tolerances. float64 module comparisons 1e-9·(1 + max|value|) (the same operations in another order); float32
results (the masked loss, logits) atol 1e-5·(1 + max|input|) + rtol 1e-5: a sum over ≤ 8 positions of float32
cross-entropies each within ~1e-6 relative. The epoch figure: rtol 1e-5 (float32 losses summed in another order).
Gradient-norm bound: ≤ 1 + 1e-5 (torch's clip factor 1/(g + 1e-6) leaves ~1 − 1e-6). Adam's first step: the
update is −lr·g/(|g| + 1e-8) exactly, compared with atol 1e-6·lr + rtol 1e-4.

Statistics. Xavier-uniform initialisation: for each re-initialised weight, every entry lies within the bound
b = √(6 / (fan_in + fan_out)) and z = w/b has E z² = 1/3 with sd √(4/45 / n) per parameter: 5σ bounds.

Learning check. The contract's reversal task (4 words of 8, 6,000 pairs, 235 Adam steps, BLEU-4 0.92-1.00) costs
~2 s of CPU per run, ~4 s under the engine's guards — once per variant in the self-check. Here it is made smaller,
as the brief allows: 3 words of 8 (num_steps 4), 2,560 pairs, batch 128, 2 epochs (40 Adam steps), lr 0.03, scored
with BLEU-3 (a 3-token prediction has no 4-grams). Measured with the reference under stat_seed 0-49 (model,
shuffling and initialisation seeds derived as in the grader): mean BLEU-3 over the 50 held-out pairs 0.90-1.00 (mean
0.97); the d2l-zh decoder 0.43-0.66 (4 seeds; it is also stopped before training by the step-by-step check), an
unshifted decoder input 0.00: threshold 0.8. ~0.5 s of CPU per run, plus ~1-2 s once per process for torch.optim's
first step (torch._dynamo import).
"""
import functools
import math
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import nn

from grader.check import (
    Hint,
    expect,
    expect_close,
    expect_equal,
    expect_tensor,
    fail,
    run_beside,
    same_object,
)
from tests import shippable_ch9_seq2seq as ship
from tests import shippable_nets as netprobes
from tests.helpers import call, expect_generator_used, gen, near, seed_global, stat_gen

Z = 5.0


# =============================================================================================== oracles (text)
def _ref_preprocess(text):
    t = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    out = []
    for i, c in enumerate(t):
        if c in ",.!?" and i > 0 and t[i - 1] != " ":
            out.append(" ")
        out.append(c)
    return "".join(out)


def _ref_tokenize(text, num_examples=None):
    lines = text.split("\n")
    if num_examples is not None:
        lines = lines[:num_examples]
    src, tgt = [], []
    for line in lines:
        if line.count("\t") == 1:
            a, b = line.split("\t")
            src.append(a.split(" "))
            tgt.append(b.split(" "))
    return src, tgt


def _ref_truncate_pad(line, n, pad):
    out = list(line[:n])
    while len(out) < n:
        out.append(pad)
    return out


def _ref_build(lines, vocab, T):
    rows, lens = [], []
    for line in lines:
        ids = [vocab[t] for t in line] + [vocab["<eos>"]]
        lens.append(min(len(ids), T))
        rows.append(_ref_truncate_pad(ids, T, vocab["<pad>"]))
    return torch.tensor(rows, dtype=torch.int64).reshape(len(lines), T), torch.tensor(lens, dtype=torch.int64)


def _bleu(pred_seq, label_seq, k):
    """d2l's BLEU (clipped counts, brevity penalty, weights 1/2^n); 0.0 when the prediction is shorter than k."""
    pred = pred_seq.split(" ") if pred_seq else []
    label = label_seq.split(" ") if label_seq else []
    if len(pred) < k or len(pred) == 0:
        return 0.0
    score = math.exp(min(0.0, 1 - len(label) / len(pred)))
    for n in range(1, k + 1):
        counts = Counter(tuple(label[i:i + n]) for i in range(len(label) - n + 1))
        matches = 0
        for i in range(len(pred) - n + 1):
            gram = tuple(pred[i:i + n])
            if counts[gram] > 0:
                matches += 1
                counts[gram] -= 1
        score *= (matches / (len(pred) - n + 1)) ** (0.5 ** n)
    return score


# =============================================================================================== preprocess_nmt
def _expect_str(got, want, prop, inputs, hints):
    """got == want for strings, shown with repr (spaces and tabs visible); hints see the raw values."""
    if not (isinstance(got, str) and got == want):
        fail(prop, inputs=inputs, expected=repr(want), got=repr(got), hints=hints, hint_got=got, hint_expected=want)


def _preprocess_hints(text):
    t = text.replace("\u202f", " ").replace("\xa0", " ")
    no_lower = "".join(" " + c if i > 0 and c in ",.!?" and t[i - 1] != " " else c for i, c in enumerate(t))
    at_zero = "".join(" " + c if c in ",.!?" and (i == 0 or t.lower()[i - 1] != " ") else c
                      for i, c in enumerate(t.lower()))
    always = "".join(" " + c if i > 0 and c in ",.!?" else c for i, c in enumerate(t.lower()))
    nbsp = _ref_preprocess(text.replace("\u202f", "\x00")).replace("\x00", "\u202f")
    nbsp2 = _ref_preprocess(text.replace("\xa0", "\x00")).replace("\x00", "\xa0")
    return [
        Hint("lower-case the text (text.lower()) after replacing the non-breaking spaces.",
             when=lambda g, w: g == no_lower and g != w),
        Hint("never insert a space before the very first character: position 0 has no previous character "
             "(the book's condition is `i > 0 and ...`).", when=lambda g, w: g == at_zero and g != w),
        Hint("insert a space only when the previous character is not already a space: 'a .' stays 'a .', "
             "it does not become 'a  .'.", when=lambda g, w: g == always and g != w),
        Hint("both non-breaking spaces become ordinary spaces: '\\u202f' (narrow no-break space) and '\\xa0'.",
             when=lambda g, w: g in (nbsp, nbsp2) and g != w),
        Hint("look at the previous character of the text *after* replacing the non-breaking spaces: "
             "'a\\xa0!' becomes 'a !' (the '!' follows a space now).",
             when=lambda g, w: isinstance(g, str) and "\xa0" not in g and "\u202f" not in g and len(g) > len(w)),
    ]


PREPROCESS_CASES = [
    ("Go.\tVa !", "go .\tva !"),
    ("Hi!", "hi !"),
    ("Wait, what?", "wait , what ?"),
    ("I'm home.\tJe suis chez moi.", "i'm home .\tje suis chez moi ."),
    ("\u202fA\xa0B.", " a b ."),
    (",start", ",start"),
    ("a ,b\nStop...", "a ,b\nstop . . ."),
    ("Va\xa0!", "va !"),
]


@pytest.mark.core("preprocess_nmt")
def test_preprocess_nmt_book_cases(kata):
    """preprocess_nmt lower-cases, turns non-breaking spaces into spaces and puts a space before , . ! ?"""
    for text, want in PREPROCESS_CASES:
        got = call(kata.preprocess_nmt, text, prop="preprocess_nmt(text) returns the preprocessed text",
                   inputs={"text": repr(text)})
        _expect_str(got, want, "preprocess_nmt(text) equals the book's preprocessing", {"text": repr(text)},
                    _preprocess_hints(text))


TEXT_CHARS = st.sampled_from(list("abAB,.!?'") + [" ", " ", "\t", "\n", "\xa0", "\u202f", "É", "ß"])


@settings(max_examples=12)
@given(text=st.lists(TEXT_CHARS, max_size=24).map("".join))
@example(text="!Hi")
@example(text="a\xa0!b\u202f?")
def test_preprocess_nmt_random_texts(kata, text):
    """preprocess_nmt on random texts of letters, punctuation, spaces, tabs, newlines and non-breaking spaces"""
    want = _ref_preprocess(text)
    got = call(kata.preprocess_nmt, text, prop="preprocess_nmt(text) returns the preprocessed text",
               inputs={"text": repr(text)})
    _expect_str(got, want, "preprocess_nmt(text) equals the book's preprocessing", {"text": repr(text)},
                _preprocess_hints(text))


# =============================================================================================== tokenize_nmt
def _tokenize_hints(text, k):
    lines = text.split("\n")
    plus_one = _ref_tokenize(text, None if k is None else k + 1)
    pairs = _ref_tokenize(text, None)
    first_pairs = (pairs[0][:k], pairs[1][:k]) if k is not None else pairs
    whitespace = ([], [])
    for line in (lines if k is None else lines[:k]):
        if line.count("\t") == 1:
            a, b = line.split("\t")
            whitespace[0].append(a.split())
            whitespace[1].append(b.split())
    loose = ([], [])
    for line in (lines if k is None else lines[:k]):
        parts = line.split("\t")
        if len(parts) >= 2:
            loose[0].append(parts[0].split(" "))
            loose[1].append(parts[1].split(" "))

    def is_(x):
        return lambda g, w: _pair(g) == (list(x[0]), list(x[1])) and _pair(g) != _pair(w)
    return [
        Hint("num_examples=k reads the first k *lines* — the book's `if num_examples and i > num_examples` reads "
             "k + 1 of them: stop when i >= num_examples.", when=is_(plus_one)),
        Hint("num_examples counts lines of the text (also those that hold no pair), not the pairs you kept.",
             when=is_(first_pairs)),
        Hint("split each side with split(' ') (single spaces, as the book): split() also swallows runs of spaces, "
             "which gives other tokens where the text has two spaces in a row.", when=is_(whitespace)),
        Hint("a line is a pair only when it has exactly one tab (len(line.split('\\t')) == 2); skip the others.",
             when=is_(loose)),
    ]


def _pair(g):
    try:
        return (list(map(list, g[0])), list(map(list, g[1])))
    except Exception:  # noqa: BLE001
        return None


TOKENIZE_TEXT = "Go .\tVa !\nHi .\tSalut .\nno tab here\nRun !\tCours !\ntwo\ttabs\there\nI  won .\tJ'ai gagné ."


@pytest.mark.core("tokenize_nmt")
def test_tokenize_nmt_pairs(kata):
    """tokenize_nmt(text) splits each line with exactly one tab into source and target tokens (split(' '))"""
    for text in (TOKENIZE_TEXT, "a b\tc\nd\te f g", "x\ty", "only one side"):
        want = _ref_tokenize(text)
        inputs = {"text": repr(text)}
        got = call(kata.tokenize_nmt, text, prop="tokenize_nmt(text) returns (source, target)", inputs=inputs)
        expect(_pair(got) == (want[0], want[1]), "tokenize_nmt(text) = (source, target) token lists",
               inputs=inputs, expected=want, got=got, hints=_tokenize_hints(text, None))


def test_tokenize_nmt_reads_the_first_num_examples_lines(kata):
    """tokenize_nmt(text, num_examples=k) reads exactly the first k lines (pair or not)"""
    for k in (1, 2, 3, 5):
        want = _ref_tokenize(TOKENIZE_TEXT, k)
        inputs = {"text": repr(TOKENIZE_TEXT), "num_examples": k}
        got = call(kata.tokenize_nmt, TOKENIZE_TEXT, k, prop="tokenize_nmt(text, num_examples) returns (source, "
                   "target)", inputs=inputs)
        expect(_pair(got) == (want[0], want[1]), f"tokenize_nmt(text, num_examples={k}) tokenizes the first {k} "
               "lines", inputs=inputs, expected=want, got=got, hints=_tokenize_hints(TOKENIZE_TEXT, k))


LINE = st.lists(st.sampled_from(["go", "hi", ".", "!", "", "va", "a b", "\t", "x\ty"]), max_size=4).map(" ".join)


@settings(max_examples=12)
@given(lines=st.lists(LINE, max_size=6), k=st.one_of(st.none(), st.integers(1, 7)))
def test_tokenize_nmt_random_texts(kata, lines, k):
    """tokenize_nmt on random texts (lines with 0, 1 or 2 tabs, double spaces), with and without num_examples"""
    text = "\n".join(lines)
    want = _ref_tokenize(text, k)
    inputs = {"text": repr(text), "num_examples": k}
    got = call(kata.tokenize_nmt, text, k, prop="tokenize_nmt(text, num_examples) returns (source, target)",
               inputs=inputs)
    expect(_pair(got) == (want[0], want[1]), "tokenize_nmt(text, num_examples) = (source, target) of the first "
           "num_examples lines", inputs=inputs, expected=want, got=got, hints=_tokenize_hints(text, k))


# =============================================================================================== truncate_pad
def _truncate_hints(line, n, pad):
    return [
        Hint("pad at the end (line + [padding_token] * (num_steps - len(line))), not at the front.",
             when=lambda g, w: isinstance(g, list) and len(line) < n and g == [pad] * (n - len(line)) + list(line)),
        Hint("a long line keeps its *first* num_steps entries (line[:num_steps]).",
             when=lambda g, w: isinstance(g, list) and len(line) > n and g == list(line[-n:])),
        Hint("the result has exactly num_steps entries: check the off-by-one in your slice or padding count.",
             when=lambda g, w: isinstance(g, list) and len(g) in (n - 1, n + 1)),
    ]


@pytest.mark.core("truncate_pad")
@settings(max_examples=12)
@given(line=st.lists(st.integers(0, 20), max_size=9), n=st.integers(1, 8))
@example(line=[47, 4], n=10)
@example(line=[3, 1, 4, 1, 5, 9], n=4)
def test_truncate_pad(kata, line, n):
    """truncate_pad(line, num_steps, pad) keeps the first num_steps entries or pads at the end to num_steps"""
    pad = 99
    want = _ref_truncate_pad(line, n, pad)
    inputs = {"line": list(line), "num_steps": n, "padding_token": pad}
    got = call(kata.truncate_pad, list(line), n, pad, prop="truncate_pad returns a list", inputs=inputs)
    expect(isinstance(got, list) and got == want, "truncate_pad(line, num_steps, padding_token) has length "
           "num_steps: the first entries of line, then padding", inputs=inputs, expected=want, got=got,
           hints=_truncate_hints(line, n, pad))


def test_truncate_pad_returns_a_new_list(kata):
    """truncate_pad never modifies its line and returns a new list (also when no padding is needed)"""
    for line, n in (([1, 2], 5), (["a", "b", "c"], 3), ([7, 8, 9, 10], 2)):
        inputs = {"line": list(line), "num_steps": n, "padding_token": 0}
        got, after, same, before = call(run_beside, kata, ship.call_watching_list, kata.truncate_pad, list(line),
                                        n, 0, prop="truncate_pad returns a list", inputs=inputs)
        expect(after == before, "truncate_pad leaves its line unchanged", inputs=inputs, expected=before,
               got=after, hints=["build the result as a new list (line + [...], line[:n]); line.append/extend or "
                                 "del line[n:] change the caller's list."])
        expect(not same, "truncate_pad returns a new list, not the line itself", inputs=inputs,
               expected="a new list", got="the same list object that was passed in",
               hints=["return a copy even when the line already has num_steps entries (line[:num_steps] or "
                      "list(line)): a caller that extends the result would otherwise change its own line."])


# =============================================================================================== build_array_nmt
VOCAB = ship.Vocabulary(["<unk>", "go", "<eos>", ".", "<pad>", "hi", "<bos>", "va", "!", "run"])


def _build_hints(lines, T):
    def valid_len_is(fn):
        return lambda g, w: isinstance(g, tuple) and len(g) == 2 and isinstance(g[1], torch.Tensor) and \
            g[1].tolist() == [fn(len(line)) for line in lines]
    def rows_are(fn):
        return lambda g, w: isinstance(g, tuple) and len(g) == 2 and isinstance(g[0], torch.Tensor) and \
            g[0].shape == (len(lines), T) and g[0].tolist() == [fn(line) for line in lines]
    return [
        Hint("append <eos> to every line (vocab[line] + [vocab['<eos>']]) before truncating/padding; valid_len "
             "counts it.", when=valid_len_is(lambda n: min(n, T))),
        Hint("valid_len is capped at num_steps: a line longer than num_steps − 1 has valid_len num_steps "
             "(min(len(line) + 1, num_steps)).", when=valid_len_is(lambda n: n + 1)),
        Hint("pad with vocab['<pad>'] (here index 4), not with 0 (that is <unk>).",
             when=rows_are(lambda line: _ref_truncate_pad(VOCAB[line] + [VOCAB["<eos>"]], T, 0))),
        Hint("append <eos> first, then truncate: a line that is too long loses its <eos> (as in the book).",
             when=rows_are(lambda line: VOCAB[line][:T - 1] + [VOCAB["<eos>"]] if len(line) >= T
                           else _ref_truncate_pad(VOCAB[line] + [VOCAB["<eos>"]], T, VOCAB["<pad>"]))),
    ]


BUILD_CASES = [
    ([["go", "."], ["hi", "!"], ["run", "!", "now"]], 4),
    ([["go", "."], ["va", "!", "!", "!", "run"], []], 5),
    ([["hi"]], 1),
    ([["run", "run", "run"], ["go"]], 3),
]


@pytest.mark.core("build_array_nmt")
def test_build_array_nmt(kata):
    """build_array_nmt: rows vocab[line] + <eos>, truncated/padded with <pad>; valid_len = min(len + 1, num_steps)"""
    for lines, T in BUILD_CASES:
        want_X, want_len = _ref_build(lines, VOCAB, T)
        inputs = {"lines": lines, "vocab": VOCAB, "num_steps": T}
        got = call(kata.build_array_nmt, [list(x) for x in lines], VOCAB, T, prop="build_array_nmt returns "
                   "(array, valid_len)", inputs=inputs)
        hints = _build_hints(lines, T)
        expect(isinstance(got, tuple) and len(got) == 2, "build_array_nmt returns a pair (array, valid_len)",
               inputs=inputs, expected="(array, valid_len)", got=got)
        expect_tensor(got[0], "the array has shape (len(lines), num_steps)", inputs=inputs, shape=(len(lines), T),
                      hints=hints, hint_expected=want_X)
        expect(torch.equal(got[0].long(), want_X), "array rows are vocab[line] + <eos>, truncated/padded with "
               "<pad> to num_steps", inputs=inputs, expected=want_X, got=got[0], hints=[
                   Hint(h.text, when=(lambda hh: lambda g, w: hh.applies(got, None))(h)) for h in hints])
        expect_tensor(got[1], "valid_len has shape (len(lines),)", inputs=inputs, shape=(len(lines),))
        expect(torch.equal(got[1].long(), want_len), "valid_len = min(len(line) + 1, num_steps) (<eos> counted)",
               inputs=inputs, expected=want_len, got=got[1], hints=[
                   Hint(h.text, when=(lambda hh: lambda g, w: hh.applies(got, None))(h)) for h in hints])


def test_build_array_nmt_dtypes(kata):
    """build_array_nmt returns int64 tensors (array and valid_len)"""
    lines, T = BUILD_CASES[0]
    got = call(kata.build_array_nmt, [list(x) for x in lines], VOCAB, T, prop="build_array_nmt returns "
               "(array, valid_len)", inputs={"lines": lines, "num_steps": T})
    for name, t in zip(("array", "valid_len"), got):
        expect_tensor(t, f"{name} is an int64 tensor", inputs={"lines": lines, "num_steps": T}, dtype=torch.int64,
                      hints=["build both with dtype=torch.int64 (the book's valid_len is int32: the contract "
                             "asks for int64, the dtype of token indices and lengths everywhere else)."])


# =============================================================================================== sequence_mask
def _ref_mask(X, valid_len, value):
    out = X.clone()
    lens = [float(v) for v in valid_len.tolist()]
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if j >= lens[i]:
                out[i, j] = value
    return out


def _mask_hints(X, valid_len, value):
    le = _lazy(lambda: _ref_mask(X, valid_len + 1, value))
    zero = _lazy(lambda: _ref_mask(X, valid_len, 0))

    def is_(w2):
        return lambda g, w: isinstance(g, torch.Tensor) and g.shape == w2().shape and \
            torch.equal(g.double(), w2().double()) and not torch.equal(g.double(), w.double())
    return [
        Hint("positions j with j >= valid_len[i] are masked: keep j < valid_len[i] (strictly less; position "
             "valid_len[i] itself is already padding).", when=is_(le)),
        Hint("use `value` for the masked positions (it is not always 0).",
             when=is_(zero) if value != 0 else (lambda g, w: False)),
        Hint("the mask (B, T) must cover every trailing entry of X (B, T, ...): give it trailing singleton axes "
             "(mask.reshape(B, T, 1, ...)) or index X with the (B, T) boolean mask, which selects whole rows "
             "X[i, j].", when=lambda g, w: X.dim() > 2 and (isinstance(g, str) or (isinstance(g, torch.Tensor)
                                                                                  and g.shape != X.shape))),
        Hint("the result keeps X's dtype: an integer X stays integer (masked_fill / torch.where with a tensor of "
             "X's dtype, or X.clone() and assignment).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != X.dtype),
    ]


MASK_CASES = [
    (torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]), 0),
    (torch.ones(2, 3, 4), torch.tensor([1, 2]), -1),
    (torch.arange(12.0).reshape(3, 4), torch.tensor([4, 0, 3]), 7.5),
    (torch.arange(10).reshape(5, 2), torch.tensor([2, 1, 0, 1, 2]), -9),
]


@pytest.mark.core("sequence_mask")
def test_sequence_mask_book_examples(kata):
    """sequence_mask(X, valid_len, value): entries at positions j >= valid_len[i] (dim 1) become value"""
    for X, vl, value in MASK_CASES:
        want = _ref_mask(X, vl, value)
        inputs = {"X": X, "valid_len": vl, "value": value}
        got = call(kata.sequence_mask, X.clone(), vl.clone(), value, prop="sequence_mask returns a tensor",
                   inputs=inputs, hints=_mask_hints(X, vl, value))
        expect_tensor(got, "sequence_mask returns a tensor of X's shape and dtype", inputs=inputs, shape=X.shape,
                      dtype=X.dtype, hints=_mask_hints(X, vl, value), hint_expected=want)
        expect_equal(got, want, "sequence_mask sets X[i, j, ...] = value for j >= valid_len[i]", inputs=inputs,
                     hints=_mask_hints(X, vl, value))


@st.composite
def _mask_inputs(draw):
    B, T = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    trailing = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    X = torch.randn((B, T) + trailing, generator=gen(draw(st.integers(0, 2**16))))
    if draw(st.booleans()):
        X = (X * 10).round().to(torch.int64)
    vl = torch.tensor(draw(st.lists(st.integers(0, T + 1), min_size=B, max_size=B)))
    if draw(st.booleans()):
        vl = vl.float()
    value = draw(st.sampled_from([0, -1, 2.5, -1e6])) if X.is_floating_point() else draw(st.sampled_from([0, -1, 7]))
    return X, vl, value


@settings(max_examples=12)
@given(args=_mask_inputs())
def test_sequence_mask_any_rank(kata, args):
    """sequence_mask works for X of rank 2-4, valid lengths 0..T+1 (int or float tensors) and any value"""
    X, vl, value = args
    want = _ref_mask(X, vl, value)
    inputs = {"X": X, "valid_len": vl, "value": value}
    got = call(kata.sequence_mask, X.clone(), vl.clone(), value, prop="sequence_mask returns a tensor",
               inputs=inputs, hints=_mask_hints(X, vl, value))
    expect_tensor(got, "sequence_mask returns a tensor of X's shape and dtype", inputs=inputs, shape=X.shape,
                  dtype=X.dtype, hints=_mask_hints(X, vl, value), hint_expected=want)
    expect_equal(got, want, "sequence_mask sets X[i, j, ...] = value for j >= valid_len[i]", inputs=inputs,
                 hints=_mask_hints(X, vl, value))


IN_PLACE_HINT = ("the book writes into its argument (X[~mask] = value; return X): here sequence_mask must return "
                 "a new tensor and leave X unchanged — compute the result out of place (X.masked_fill(...), "
                 "torch.where(...)) or work on X.clone().")


def test_sequence_mask_returns_a_new_tensor(kata):
    """sequence_mask leaves X unchanged and returns a new tensor (not X itself, no shared memory)"""
    for X, vl, value in MASK_CASES[:3]:
        X = X.clone()
        before = X.clone()
        inputs = {"X": before, "valid_len": vl, "value": value}
        got, shares = call(run_beside, kata, ship.call_watching_tensor, kata.sequence_mask, X, vl, value,
                           prop="sequence_mask returns a tensor", inputs=inputs)
        expect(torch.equal(X, before), "sequence_mask does not modify X", inputs=inputs, expected=before,
               got=X, hints=[IN_PLACE_HINT])
        expect(not shares, "sequence_mask returns a new tensor, not X (or a view of it)", inputs=inputs,
               expected="a new tensor", got="a tensor that shares X's memory", hints=[IN_PLACE_HINT])


def test_sequence_mask_on_meta(kata):
    """sequence_mask works on the inputs' device: meta tensors in, a meta tensor of X's shape and dtype out"""
    X = torch.empty(3, 4, 2, device="meta")
    vl = torch.empty(3, dtype=torch.int64, device="meta")
    inputs = {"X": "meta tensor (3, 4, 2) float32", "valid_len": "meta tensor (3,) int64"}
    got = call(kata.sequence_mask, X, vl, 0, prop="sequence_mask runs on meta tensors", inputs=inputs,
               hints=["create the positions on X's device: torch.arange(T, device=X.device)."])
    expect(isinstance(got, torch.Tensor) and got.device.type == "meta" and tuple(got.shape) == (3, 4, 2)
           and got.dtype == torch.float32, "sequence_mask of meta tensors is a meta tensor (3, 4, 2) float32",
           inputs=inputs, expected="meta (3, 4, 2) float32",
           got=f"{got.device.type} {tuple(got.shape)} {got.dtype}" if isinstance(got, torch.Tensor) else got,
           hints=["create the positions on X's device: torch.arange(T, device=X.device)."])


# =============================================================================================== masked_softmax_ce
def _ref_masked_ce(pred, label, valid_len):
    """The per-position loop in float64 (Python floats): (1/T) Σ_{t < valid_len[i]} (logsumexp(pred[i, t]) −
    pred[i, t, label[i, t]])."""
    B, T, V = pred.shape
    P, Lab, VL = pred.detach().double().tolist(), label.tolist(), [float(v) for v in valid_len.tolist()]
    out = []
    for i in range(B):
        total = 0.0
        for t in range(T):
            if t < VL[i]:
                row = P[i][t]
                m = max(row)
                total += m + math.log(sum(math.exp(x - m) for x in row)) - row[Lab[i][t]]
        out.append(total / T)
    return torch.tensor(out, dtype=torch.float64)


def _lazy(fn):
    """A value computed the first time it is needed (hints are only evaluated when a check fails)."""
    box = []

    def get():
        if not box:
            box.append(fn())
        return box[0]
    return get


def _ce_hints(pred, label, valid_len):
    B, T, V = pred.shape
    ref = _lazy(lambda: _ref_masked_ce(pred, label, valid_len))
    vl = valid_len.double().clamp(min=1e-300)
    full = _lazy(lambda: F.cross_entropy(pred.detach().double().permute(0, 2, 1), label, reduction="none").mean(1))
    return [
        Hint("that is Σ_t ce·mask / valid_len: d2l's masked loss takes the mean over all num_steps positions "
             "(masked ones count 0) — do not divide by valid_len.",
             when=lambda g, w: near(g, ref() * T / vl, 1e-4, rel=True) or (bool((valid_len == 0).any())
                                                                            and isinstance(g, torch.Tensor)
                                                                            and bool(g.isnan().any()))),
        Hint("the padding counts: multiply each position's cross-entropy by the mask (1 for t < valid_len, 0 "
             "after) before averaging.", when=lambda g, w: near(g, full(), 1e-4, rel=True)),
        Hint("that is the sum over positions: take the mean over the T positions (divide by num_steps).",
             when=lambda g, w: near(g, ref() * T, 1e-4, rel=True)),
        Hint("mask the per-position losses, not the logits: a masked logit row of zeros still costs log V.",
             when=lambda g, w: near(g, ref() + (T - valid_len.clamp(max=T).double()) * math.log(V) / T, 1e-4,
                                    rel=True)),
        Hint("one loss per sequence: shape (batch,), the mean over dim 1 (the time axis).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape != (B,)),
    ]


@st.composite
def _ce_inputs(draw):
    B, T, V = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(2, 6))
    g = gen(draw(st.integers(0, 2**16)))
    pred = torch.randn(B, T, V, generator=g) * draw(st.sampled_from([0.5, 3.0, 8.0]))
    label = torch.randint(0, V, (B, T), generator=g)
    vl = torch.tensor(draw(st.lists(st.integers(0, T), min_size=B, max_size=B)))
    return pred, label, vl


@pytest.mark.core("masked_softmax_ce")
@settings(max_examples=12)
@given(args=_ce_inputs())
@example(args=(torch.ones(3, 4, 10), torch.ones(3, 4, dtype=torch.int64), torch.tensor([4, 2, 0])))
@example(args=(torch.tensor([[[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]], [[1.0, 1.0, -4.0], [-1.0, 0.0, 6.0]]]),
               torch.tensor([[0, 1], [2, 2]]), torch.tensor([1, 2])))
def test_masked_softmax_ce_matches_loop(kata, args):
    """masked_softmax_ce(pred, label, valid_len)[i] = (1/T) Σ_{t < valid_len[i]} CE(pred[i, t], label[i, t])"""
    pred, label, vl = args
    want = _ref_masked_ce(pred, label, vl)
    inputs = {"pred": pred, "label": label, "valid_len": vl}
    hints = _ce_hints(pred, label, vl)
    got = call(kata.masked_softmax_ce, pred.clone(), label.clone(), vl.clone(), prop="masked_softmax_ce returns "
               "the per-sequence losses", inputs=inputs, hints=hints)
    expect_tensor(got, "masked_softmax_ce returns one loss per sequence, shape (batch,)", inputs=inputs,
                  shape=(pred.shape[0],), hints=hints, hint_expected=want)
    expect(got.dtype == torch.float32, "masked_softmax_ce of float32 logits is float32", inputs=inputs,
           expected="float32", got=str(got.dtype))
    expect_close(got, want, "masked_softmax_ce = the mean over all T positions of the masked cross-entropy",
                 inputs=inputs, atol=1e-5 * (1 + float(pred.abs().max())), rtol=1e-5, hints=hints)


def test_masked_softmax_ce_ignores_the_padding(kata):
    """what lies under the mask changes nothing: same loss, zero gradient there, and valid_len 0 gives loss 0"""
    g = gen(5)
    B, T, V = 4, 5, 6
    pred = torch.randn(B, T, V, generator=g) * 3
    label = torch.randint(0, V, (B, T), generator=g)
    vl = torch.tensor([5, 2, 0, 1])
    masked = torch.arange(T)[None, :] >= vl[:, None]                     # (B, T)
    pred2 = torch.where(masked[..., None], torch.randn(B, T, V, generator=g) * 10, pred)
    label2 = torch.where(masked, torch.randint(0, V, (B, T), generator=g), label)
    inputs = {"pred": pred, "label": label, "valid_len": vl}
    hints = _ce_hints(pred, label, vl)
    a = call(kata.masked_softmax_ce, pred.clone(), label.clone(), vl.clone(), prop="masked_softmax_ce returns "
             "the per-sequence losses", inputs=inputs, hints=hints)
    b = call(kata.masked_softmax_ce, pred2.clone(), label2.clone(), vl.clone(), prop="masked_softmax_ce returns "
             "the per-sequence losses", inputs=inputs, hints=hints)
    expect_tensor(a, "masked_softmax_ce returns shape (batch,)", inputs=inputs, shape=(B,), hints=hints)
    expect_close(b, a, "changing logits and labels at masked positions (t >= valid_len) does not change the loss",
                 inputs={**inputs, "changed": "pred and label at the masked positions"}, atol=1e-6, rtol=1e-6,
                 hints=["multiply each position's cross-entropy by the mask (t < valid_len[i]) so the padding "
                        "contributes exactly 0."])
    expect(float(a[2]) == 0.0, "a sequence with valid_len 0 has loss 0", inputs=inputs, expected=0.0,
           got=float(a[2]), hints=hints)
    P = pred.clone().requires_grad_(True)
    loss = call(kata.masked_softmax_ce, P, label.clone(), vl.clone(), prop="masked_softmax_ce returns the "
                "per-sequence losses", inputs=inputs)
    expect(isinstance(loss, torch.Tensor) and loss.requires_grad, "masked_softmax_ce is differentiable with "
           "respect to pred", inputs=inputs, expected="a loss with a grad_fn", got="no autograd graph",
           hints=["compute the loss from pred with torch operations (no .detach(), .item() or .numpy())."])
    loss.sum().backward()
    grad = P.grad
    expect(grad is not None and bool((grad[masked] == 0).all()),
           "the gradient of the loss with respect to pred is exactly 0 at the masked positions", inputs=inputs,
           expected="zeros at t >= valid_len", got=grad if grad is None else grad[masked].abs().max())


# =============================================================================================== encoder, decoder
class RefEncoder(nn.Module):
    """The book's Seq2SeqEncoder (the oracle)."""

    def __init__(self, V, e, h, L):
        super().__init__()
        self.embedding = nn.Embedding(V, e)
        self.rnn = nn.GRU(e, h, L)

    def forward(self, X):
        return self.rnn(self.embedding(X).permute(1, 0, 2))


class RefDecoder(nn.Module):
    """The contract's decoder: the context is the encoder's last-layer final state, fixed (the oracle)."""

    def __init__(self, V, e, h, L):
        super().__init__()
        self.embedding = nn.Embedding(V, e)
        self.rnn = nn.GRU(e + h, h, L)
        self.dense = nn.Linear(h, V)

    def forward(self, X, enc_state):
        emb = self.embedding(X).permute(1, 0, 2)                               # (T, B, e)
        ctx = enc_state[-1].unsqueeze(0).expand(emb.shape[0], -1, -1)          # (T, B, h)
        out, hidden = self.rnn(torch.cat((emb, ctx), dim=2), enc_state)
        return self.dense(out).permute(1, 0, 2), hidden


def _gru_count(d, h, L):
    return sum(3 * h * ((d if l == 0 else h) + h) + 6 * h for l in range(L))


def _ref_weights(ref, seed):
    """float64 weights: embeddings N(0, 1), GRU/Linear weights N(0, 1/fan_in), biases 0.3·N(0, 1)."""
    g = gen(seed)
    out = {}
    for k, v in ref.state_dict().items():
        if "embedding" in k:
            t = torch.randn(v.shape, generator=g, dtype=torch.float64)
        elif v.dim() == 2:
            t = torch.randn(v.shape, generator=g, dtype=torch.float64) / math.sqrt(v.shape[1])
        else:
            t = 0.3 * torch.randn(v.shape, generator=g, dtype=torch.float64)
        out[k] = t
    return out


def _make(kata, name, *args, prop=None):
    return call(getattr(kata, name), *args, prop=prop or f"{name}{args} builds the module",
                inputs={"call": f"{name}{args}"}, catch=(RuntimeError, IndexError, TypeError, ValueError,
                                                         AttributeError))


def _load(kata, net, weights, prop, inputs):
    net.double()
    missing, unexpected = run_beside(kata, netprobes.set_weights, net, weights)
    if missing or unexpected:
        fail(prop, inputs=inputs, expected=f"the state_dict keys {list(weights)}",
             got=f"missing: {missing[:6]}; unexpected: {unexpected[:6]}",
             hints=["name the submodules as the book: embedding (nn.Embedding), rnn (nn.GRU) and, in the decoder, "
                    "dense (nn.Linear) — and give them the book's sizes."])


ENC_CONFIGS = [(10, 8, 16, 2, 4, 7), (7, 3, 5, 1, 3, 4), (12, 6, 9, 3, 2, 5)]


def _structure(kata, name, V, e, h, L, dropout, rnn_in):
    net = _make(kata, name, V, e, h, L, dropout)
    summary = run_beside(kata, ship.module_summary, net)
    inputs = {"call": f"{name}({V}, {e}, {h}, {L}, dropout={dropout})"}
    kids = summary["children"]
    want = {"embedding": ("Embedding", {"num_embeddings": V, "embedding_dim": e}),
            "rnn": ("GRU", {"input_size": rnn_in, "hidden_size": h, "num_layers": L, "dropout": dropout,
                            "bidirectional": False})}
    if name == "Seq2SeqDecoder":
        want["dense"] = ("Linear", {"in_features": h, "out_features": V})
    for child, (tname, hyper) in want.items():
        got = kids.get(child)
        expect(got is not None and got[0] == tname, f"{name} has a submodule `{child}` of type nn.{tname}",
               inputs=inputs, expected=f"{child}: nn.{tname}", got=got if got is None else f"{child}: {got[0]}",
               detail=f"its children: {sorted(kids)}")
        for k, v in hyper.items():
            expect(got[1].get(k) == v, f"{name}.{child}.{k} = {v}", inputs=inputs, expected=v, got=got[1].get(k),
                   hints=[Hint("the decoder's GRU reads [embedding, context]: input size embed_size + num_hiddens.",
                               when=lambda g, w: k == "input_size" and name == "Seq2SeqDecoder" and g == e),
                          Hint("pass dropout to the GRU: nn.GRU(..., num_layers, dropout=dropout).",
                               when=lambda g, w: k == "dropout")])
    return net, summary["count"], inputs


def test_encoder_structure_and_parameter_count(kata):
    """Seq2SeqEncoder(V, e, h, L, dropout) has embedding = nn.Embedding(V, e), rnn = nn.GRU(e, h, L, dropout)"""
    for V, e, h, L, dropout in ((10, 8, 16, 2, 0.0), (12, 16, 64, 1, 0.0), (7, 3, 5, 3, 0.25)):
        net, count, inputs = _structure(kata, "Seq2SeqEncoder", V, e, h, L, dropout, e)
        want = V * e + _gru_count(e, h, L)
        expect_equal(count, want, "Seq2SeqEncoder's parameter count = V·e + the GRU's", inputs=inputs)


def test_decoder_structure_and_parameter_count(kata):
    """Seq2SeqDecoder(V, e, h, L, dropout): embedding (V, e), rnn = nn.GRU(e + h, h, L, dropout), dense (h → V)"""
    for V, e, h, L, dropout in ((10, 8, 16, 2, 0.0), (12, 16, 64, 1, 0.0), (7, 3, 5, 3, 0.25)):
        net, count, inputs = _structure(kata, "Seq2SeqDecoder", V, e, h, L, dropout, e + h)
        want = V * e + _gru_count(e + h, h, L) + h * V + V
        expect_equal(count, want, "Seq2SeqDecoder's parameter count = V·e + GRU(e + h, h, L) + h·V + V",
                     inputs=inputs)


def _tokens(B, T, V, seed):
    return torch.randint(0, V, (B, T), generator=gen(seed))


@pytest.mark.core("Seq2SeqEncoder")
def test_encoder_matches_the_book(kata):
    """Seq2SeqEncoder(X) = the book's (outputs (T, B, h), state (L, B, h)) with the same weights (float64)"""
    for k, (V, e, h, L, B, T) in enumerate(ENC_CONFIGS):
        ref = RefEncoder(V, e, h, L).double()
        weights = _ref_weights(ref, 10 + k)
        ref.load_state_dict(weights)
        net = _make(kata, "Seq2SeqEncoder", V, e, h, L)
        inputs = {"encoder": f"Seq2SeqEncoder({V}, {e}, {h}, {L}) with the graders' float64 weights"}
        _load(kata, net, weights, "Seq2SeqEncoder's state_dict has the book's keys", inputs)
        for s in range(2):
            X = _tokens(B, T, V, 100 * k + s)
            inputs = {**inputs, "X": X}
            with torch.no_grad():
                want_out, want_state = ref(X)
            got = call(net, X, prop="Seq2SeqEncoder(X) returns (outputs, state)", inputs=inputs)
            expect(isinstance(got, (tuple, list)) and len(got) == 2, "the encoder returns (outputs, state)",
                   inputs=inputs, expected="a pair of tensors", got=got)
            hints = [Hint("the GRU is time-major: feed it embedding(X).permute(1, 0, 2), shape (T, B, embed); "
                          "outputs come back as (T, B, h).",
                          when=lambda g, w: isinstance(g, torch.Tensor) and tuple(g.shape) == (B, T, h) and B != T)]
            expect_close(got[0], want_out, "the encoder's outputs (T, B, h) equal the book's", inputs=inputs,
                         atol=1e-9, rtol=1e-9, hints=hints)
            expect_close(got[1], want_state, "the encoder's state (num_layers, B, h) equals the book's",
                         inputs=inputs, atol=1e-9, rtol=1e-9, hints=hints)


def _enc_outputs(V, e, h, L, B, T, seed):
    """A real encoder run (so that outputs[-1] == state[-1], as for any GRU encoder): (outputs, state) float64."""
    enc = RefEncoder(V, e, h, L).double()
    enc.load_state_dict(_ref_weights(enc, seed))
    with torch.no_grad():
        return enc(_tokens(B, T, V, seed + 1))


DEC_CONFIGS = [(10, 8, 16, 2, 4, 7, 5), (7, 3, 5, 1, 3, 4, 6), (12, 6, 9, 3, 2, 5, 3)]


def _decoder(kata, k, V, e, h, L):
    ref = RefDecoder(V, e, h, L).double()
    weights = _ref_weights(ref, 40 + k)
    ref.load_state_dict(weights)
    net = _make(kata, "Seq2SeqDecoder", V, e, h, L)
    inputs = {"decoder": f"Seq2SeqDecoder({V}, {e}, {h}, {L}) with the graders' float64 weights"}
    _load(kata, net, weights, "Seq2SeqDecoder's state_dict has the book's keys", inputs)
    return ref, net, inputs


def _decoder_hints(ref, enc_state, X):
    def variant(ctx_fn, order="xc"):
        emb = ref.embedding(X).permute(1, 0, 2)
        ctx = ctx_fn(enc_state).unsqueeze(0).expand(emb.shape[0], -1, -1)
        inp = torch.cat((emb, ctx) if order == "xc" else (ctx, emb), dim=2)
        out, _ = ref.rnn(inp, enc_state)
        return ref.dense(out).permute(1, 0, 2)
    with torch.no_grad():
        first = variant(lambda s: s[0]) if enc_state.shape[0] > 1 else None
        swapped = variant(lambda s: s[-1], "cx")
    return [
        Hint("the context is the encoder's *last* layer's final state, state[-1] (not state[0]).",
             when=lambda g, w: first is not None and near(g, first, 1e-6)),
        Hint("concatenate [embedding, context] in that order on the last axis (torch.cat((X, context), 2)).",
             when=lambda g, w: near(g, swapped, 1e-6)),
        Hint("the logits are batch-first, (B, T, V): permute the dense layer's (T, B, V) output back.",
             when=lambda g, w: isinstance(g, torch.Tensor) and tuple(g.shape) == (w.shape[1], w.shape[0], w.shape[2])
             and w.shape[0] != w.shape[1]),
    ]


@pytest.mark.core("Seq2SeqDecoder")
def test_decoder_matches_reference(kata):
    """Seq2SeqDecoder(X, init_state(enc_outputs)) = the reference's logits (B, T, V): GRU on [embedding, context]"""
    for k, (V, e, h, L, B, Ts, Tt) in enumerate(DEC_CONFIGS):
        ref, net, inputs = _decoder(kata, k, V, e, h, L)
        enc_outputs = _enc_outputs(V, 4, h, L, B, Ts, 70 + k)
        for s in range(2):
            X = _tokens(B, Tt, V, 200 * k + s)
            inp = {**inputs, "X": X, "enc_outputs": "(outputs, state) of a GRU encoder, float64"}
            with torch.no_grad():
                want, _ = ref(X, enc_outputs[1])
            state = call(net.init_state, enc_outputs, prop="decoder.init_state(enc_outputs) returns a state",
                         inputs=inp)
            got = call(net, X, state, prop="decoder(X, state) returns (logits, state)", inputs=inp)
            expect(isinstance(got, (tuple, list)) and len(got) == 2, "the decoder returns (logits, state)",
                   inputs=inp, expected="a pair", got=got)
            expect_close(got[0], want, "the decoder's logits (B, T, V) equal the reference's", inputs=inp,
                         atol=1e-9 * (1 + float(want.abs().max())), rtol=1e-9,
                         hints=_decoder_hints(ref, enc_outputs[1], X))


D2L_ZH_HINT = ("decoding one token at a time gives other logits than decoding the whole sequence at once after "
               "the first step: the context is recomputed from the state you are given (d2l-zh's "
               "`context = state[-1]`), which after one step is the decoder's own hidden state. The context must "
               "stay the encoder's last-layer final state for the whole decoding: keep it in the state (e.g. "
               "init_state returns (enc_state, enc_state[-1]) and forward returns (logits, (hidden, context))).")


def _stepwise_mistakes(ref, enc_state, X):
    """Step-by-step logits of two wrong decoders (the reference's weights): d2l-zh's (context = state[-1] of the
    state passed in) and one that hands back the state it was given (the hidden state never advances)."""
    zh, stale = [], []
    h = enc_state
    with torch.no_grad():
        for t in range(X.shape[1]):
            emb = ref.embedding(X[:, t:t + 1]).permute(1, 0, 2)
            o, h = ref.rnn(torch.cat((emb, h[-1].unsqueeze(0)), 2), h)
            zh.append(ref.dense(o).permute(1, 0, 2))
            o2, _ = ref.rnn(torch.cat((emb, enc_state[-1].unsqueeze(0)), 2), enc_state)
            stale.append(ref.dense(o2).permute(1, 0, 2))
    return torch.cat(zh, 1), torch.cat(stale, 1)


STALE_HINT = ("each call must return the GRU's new hidden state in the state (and the unchanged context), so that "
              "the next call continues from it: return the GRU's new hidden state, not the state you were given.")


def test_decoder_step_by_step_equals_one_call(kata):
    """decoding one token at a time (each call given the returned state) equals decoding the sequence in one call"""
    for k, (V, e, h, L, B, Ts, Tt) in enumerate(DEC_CONFIGS):
        ref, net, inputs = _decoder(kata, k, V, e, h, L)
        enc_outputs = _enc_outputs(V, 4, h, L, B, Ts, 80 + k)
        X = _tokens(B, Tt, V, 300 + k)
        inp = {**inputs, "X": X, "enc_outputs": "(outputs, state) of a GRU encoder, float64"}
        with torch.no_grad():
            want, _ = ref(X, enc_outputs[1])
        zh, stale = _stepwise_mistakes(ref, enc_outputs[1], X)
        state = call(net.init_state, enc_outputs, prop="decoder.init_state(enc_outputs) returns a state", inputs=inp)
        whole = call(net, X, state, prop="decoder(X, state) returns (logits, state)", inputs=inp)
        state = call(net.init_state, enc_outputs, prop="decoder.init_state(enc_outputs) returns a state", inputs=inp)
        steps = []
        for t in range(Tt):
            out = call(net, X[:, t:t + 1], state, prop="decoder(X[:, t:t+1], state) decodes one step", inputs=inp)
            expect(isinstance(out, (tuple, list)) and len(out) == 2, "the decoder returns (logits, state)",
                   inputs=inp, expected="a pair", got=out)
            steps.append(out[0])
            state = out[1]
        got = torch.cat([s.detach() for s in steps], dim=1)
        hints = [Hint(D2L_ZH_HINT, when=lambda g, w: near(got, zh, 1e-6)),
                 Hint(STALE_HINT, when=lambda g, w: near(got, stale, 1e-6))]
        expect_close(got, whole[0].detach(), "decoding step by step (T calls of one token, each given the state the "
                     "previous call returned) equals one call on the whole sequence", inputs=inp,
                     atol=1e-9 * (1 + float(want.abs().max())), rtol=1e-9, hints=hints)
        expect_close(got, want, "decoding step by step equals the reference decoder", inputs=inp,
                     atol=1e-9 * (1 + float(want.abs().max())), rtol=1e-9, hints=hints)


def test_encoder_and_decoder_keep_float32_and_the_device(kata):
    """float32 modules give float32 outputs; built on meta, the encoder, decoder and EncoderDecoder stay on meta"""
    enc = _make(kata, "Seq2SeqEncoder", 9, 4, 6, 2)
    dec = _make(kata, "Seq2SeqDecoder", 9, 4, 6, 2)
    X = _tokens(3, 5, 9, 1)
    inputs = {"encoder": "Seq2SeqEncoder(9, 4, 6, 2)", "decoder": "Seq2SeqDecoder(9, 4, 6, 2)", "X": X}
    enc_out = call(enc, X, prop="the encoder runs", inputs=inputs)
    logits = call(dec, X[:, :4], call(dec.init_state, enc_out, prop="init_state runs", inputs=inputs),
                  prop="the decoder runs", inputs=inputs)
    for name, t in (("encoder outputs", enc_out[0]), ("encoder state", enc_out[1]), ("decoder logits", logits[0])):
        expect(isinstance(t, torch.Tensor) and t.dtype == torch.float32, f"the {name} are float32 (a float32 "
               "module)", inputs=inputs, expected="float32", got=getattr(t, "dtype", t))
    # meta GRUs run through Python decompositions (slow): one layer, two steps
    got = run_beside(kata, ship.forward_on_meta, kata.Seq2SeqEncoder, kata.Seq2SeqDecoder, kata.EncoderDecoder,
                     9, 4, 6, 1, 3, 2, 2)
    want = {"encoder": (("tensor", (2, 3, 6), "torch.float32", "meta"), ("tensor", (1, 3, 6), "torch.float32", "meta")),
            "decoder": ("tensor", (3, 2, 9), "torch.float32", "meta"),
            "net": ("tensor", (3, 1, 9), "torch.float32", "meta")}
    expect("error" not in got, "the modules built on the meta device run on meta token batches",
           inputs={"modules": "built under torch.device('meta')", "X": "meta (3, 2) int64", "Y": "meta (3, 2) int64"},
           expected="meta outputs", got=got.get("error"),
           hints=[Hint("create every new tensor on the inputs' device (X.device), never on a fixed device.",
                       when=lambda g, w: isinstance(g, str) and ("device" in g or "meta" in g))])
    for key, w in want.items():
        expect(got.get(key) == w, f"the {key}'s output on meta has the right shape, dtype and device",
               inputs={"modules": "built under torch.device('meta')", "X": "meta (3, 2) int64",
                       "Y": "meta (3, 2) int64"}, expected=w, got=got.get(key))


# =============================================================================================== EncoderDecoder
def _stub_expected(enc_X, dec_X, args, scale, offset):
    enc, dec = ship.StubEncoder(scale), ship.StubDecoder(offset)
    with torch.no_grad():
        out = dec(dec_X, dec.init_state(enc(enc_X, *args), *args))
    return out


@pytest.mark.core("EncoderDecoder")
def test_encoder_decoder_wiring(kata):
    """EncoderDecoder(enc, dec)(enc_X, dec_X, *args) = dec(dec_X, dec.init_state(enc(enc_X, *args), *args))"""
    cases = [(_tokens(2, 3, 5, 1), _tokens(2, 4, 5, 2), (torch.tensor([3, 1]),), 2.0, 0.5),
             (_tokens(3, 2, 9, 3), _tokens(3, 2, 9, 4), (), 1.5, -1.0),
             (_tokens(1, 5, 4, 5), _tokens(1, 1, 4, 6), (torch.tensor([5]), torch.tensor([2.0])), -0.5, 0.25)]
    for enc_X, dec_X, args, scale, offset in cases:
        enc, dec = ship.StubEncoder(scale), ship.StubDecoder(offset)
        net = _make(kata, "EncoderDecoder", enc, dec)
        inputs = {"encoder": f"X ↦ (X·{scale} + len(args), X.sum(1))",
                  "decoder": f"init_state(o, *args) = o[1]·10 + Σ args; forward(X, s) = (X + s·{offset}, s + 1)",
                  "enc_X": enc_X, "dec_X": dec_X, "args": list(args)}
        want = _stub_expected(enc_X, dec_X, args, scale, offset)
        got = call(net, enc_X, dec_X, *args, prop="EncoderDecoder(enc_X, dec_X, *args) runs", inputs=inputs,
                   hints=["forward(self, enc_X, dec_X, *args): enc_outputs = self.encoder(enc_X, *args); "
                          "state = self.decoder.init_state(enc_outputs, *args); return self.decoder(dec_X, state)."])
        expect(isinstance(got, (tuple, list)) and len(got) == 2, "EncoderDecoder returns what the decoder returns "
               "(logits, state)", inputs=inputs, expected="a pair", got=got)
        no_args = _stub_expected(enc_X, dec_X, (), scale, offset)
        hints = [Hint("pass the extra arguments (*args, e.g. X_valid_len) to both the encoder and "
                      "decoder.init_state.", when=lambda g, w: args and near(g, no_args[0], 1e-6))]
        expect_close(got[0], want[0], "EncoderDecoder's output = decoder(dec_X, decoder.init_state(encoder(enc_X, "
                     "*args), *args))", inputs=inputs, atol=1e-6, rtol=1e-6, hints=hints)
        expect_close(got[1], want[1], "EncoderDecoder returns the decoder's new state", inputs=inputs, atol=1e-6,
                     rtol=1e-6, hints=hints)


def test_encoder_decoder_registers_its_parts(kata):
    """EncoderDecoder keeps its parts as submodules `encoder` and `decoder` (their parameters are the net's)"""
    enc, dec = ship.StubEncoder(2.0), ship.StubDecoder(0.5)
    net = _make(kata, "EncoderDecoder", enc, dec)
    inputs = {"net": "EncoderDecoder(StubEncoder, StubDecoder), one parameter each"}
    expect(same_object(net.encoder, enc) and same_object(net.decoder, dec), "net.encoder and net.decoder are the "
           "modules it was given", inputs=inputs, expected="the given encoder and decoder",
           got=f"{net.encoder!r}, {net.decoder!r}")
    summary = run_beside(kata, ship.module_summary, net)
    expect(summary["count"] == 2 and sorted(summary["children"]) == ["decoder", "encoder"],
           "the encoder's and the decoder's parameters are the net's (both registered as submodules)",
           inputs=inputs, expected="children ['decoder', 'encoder'], 2 parameters",
           got=f"children {sorted(summary['children'])}, {summary['count']} parameters",
           hints=["call super().__init__() first, then assign self.encoder = encoder; self.decoder = decoder."])


# =============================================================================================== predict_seq2seq
SRC = ship.Vocabulary(["<unk>", "i", "<eos>", "am", "<pad>", "home", ".", "go", "<bos>", "hi", "cold"])
TGT = ship.Vocabulary(["<unk>", "je", "suis", "<pad>", "<bos>", "chez", "moi", "<eos>", ".", "va", "!", "froid",
                       "j'ai"])


def _t(*words):
    return [TGT[w] for w in words]


# (source, num_steps, script): the scripted decoder predicts script[s] at step s when fed the right input
PREDICT_CASES = [
    ("I am home .", 8, _t("je", "suis", "chez", "moi", ".", "<eos>", "va", "va", "va")),
    ("Go .", 5, _t("va", "!", "<eos>", "je", "je", "je")),
    ("Hi", 4, _t("je", "je", "suis", "froid", "moi", "<eos>")),
    ("go home", 6, _t("<eos>", "va", "va", "va", "va", "va", "va")),
    ("I am tired .", 7, _t("j'ai", "froid", "!", "<eos>", "va", "va", "va", "va")),
]


def _predict_expected(src, T, script):
    tokens = SRC[src.lower().split(" ")] + [SRC["<eos>"]]
    enc_X = torch.tensor([_ref_truncate_pad(tokens, T, SRC["<pad>"])], dtype=torch.int64)
    out = []
    for tok in script[:T]:
        if tok == TGT["<eos>"]:
            break
        out.append(tok)
    calls = min(len(out) + 1, T)
    return enc_X, len(tokens), out, calls


def _predict(kata, src, T, script):
    net = ship.ScriptedSeq2Seq(len(TGT), TGT["<bos>"], script)
    net.train()
    inputs = {"src_sentence": repr(src), "num_steps": T, "net": "a scripted encoder-decoder (it predicts "
              f"{TGT.to_tokens(script[:T])} when fed its own predictions)", "device": "cpu"}
    rec = call(run_beside, kata, ship.predict_and_watch, kata.predict_seq2seq, net, src, SRC, TGT, T, "cpu",
               prop="predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device) runs",
               inputs=inputs, hints=["predict_seq2seq uses only net.encoder, net.decoder.init_state and "
                                     "net.decoder(dec_X, state); dec_X is the (1, 1) tensor of the previous token."])
    return rec, inputs


@pytest.mark.core("predict_seq2seq")
def test_predict_seq2seq_translation(kata):
    """predict_seq2seq greedily decodes until <eos> (dropped) or num_steps tokens; returns (tokens joined, [])"""
    for src, T, script in PREDICT_CASES:
        rec, inputs = _predict(kata, src, T, script)
        _, _, out, _ = _predict_expected(src, T, script)
        want = " ".join(TGT.to_tokens(out))
        result = rec["result"]
        expect(isinstance(result, (tuple, list)) and len(result) == 2, "predict_seq2seq returns (translation, "
               "attention_weights)", inputs=inputs, expected=(want, []), got=result)
        with_eos = " ".join(TGT.to_tokens(script[:len(out) + 1]))
        hints = [Hint("stop at <eos> and leave it out of the translation: check `pred == tgt_vocab['<eos>']` "
                      "before appending.", when=lambda g, w: g == with_eos),
                 Hint("return the tokens joined by single spaces: ' '.join(tgt_vocab.to_tokens(output_seq)).",
                      when=lambda g, w: isinstance(g, list)),
                 Hint("feed the decoder its own prediction: the next dec_X is Y.argmax(dim=2) (shape (1, 1)), and "
                      "pass it the state it returned.", when=lambda g, w: isinstance(g, str) and "<unk>" in g)]
        _expect_str(result[0], want, "the translation is the greedy tokens before <eos>, joined by spaces",
                    inputs, hints)
        expect(result[1] == [] or result[1] == (), "the attention-weight list is empty when "
               "save_attention_weights is False", inputs=inputs, expected=[], got=result[1])


def test_predict_seq2seq_feeds_the_encoder_and_decoder(kata):
    """predict_seq2seq: eval mode; the encoder gets the padded source and enc_valid_len; the decoder <bos> then its
    own predictions, each time with the state it returned"""
    for src, T, script in PREDICT_CASES:
        rec, inputs = _predict(kata, src, T, script)
        enc_X, n_tokens, out, calls = _predict_expected(src, T, script)
        expect(len(rec["encoder"]) == 1, "net.encoder is called once", inputs=inputs, expected=1,
               got=len(rec["encoder"]))
        e = rec["encoder"][0]
        expect(not e["training"] and all(not c["training"] for c in rec["decoder"]),
               "the encoder and the decoder run in eval mode", inputs=inputs, expected="training=False everywhere",
               got=f"encoder {e['training']}, decoder {[c['training'] for c in rec['decoder']]}",
               hints=["call net.eval() first: prediction must not use dropout."])
        expect(isinstance(e["X"], torch.Tensor) and e["X"].dtype == torch.int64 and torch.equal(e["X"], enc_X),
               "the encoder input is (1, num_steps): src_vocab[src.lower().split(' ')] + <eos>, padded with <pad>",
               inputs=inputs, expected=enc_X, got=e["X"],
               hints=[Hint("append <eos> to the source tokens before padding.",
                           when=lambda g, w: isinstance(g, torch.Tensor) and g.numel() == T
                           and SRC["<eos>"] not in g.tolist()),
                      Hint("pad/truncate the source to num_steps (truncate_pad) and add a batch axis: (1, num_steps).",
                           when=lambda g, w: isinstance(g, torch.Tensor) and tuple(g.shape) != (1, T)),
                      Hint("lower-case the source sentence before looking its tokens up.",
                           when=lambda g, w: src != src.lower())])
        vl_ok = lambda a: isinstance(a, torch.Tensor) and a.numel() == 1 and int(a.reshape(-1)[0]) == n_tokens  # noqa: E731
        expect(len(e["args"]) == 1 and vl_ok(e["args"][0]), "the encoder is called as net.encoder(enc_X, "
               "enc_valid_len), enc_valid_len = tensor([number of source tokens + 1])", inputs=inputs,
               expected=f"one extra argument: tensor([{n_tokens}])", got=e["args"],
               hints=["enc_valid_len counts the source tokens including <eos>: torch.tensor([len(src_tokens)], "
                      "device=device) before padding."])
        init = rec["init"]
        expect(len(init) == 1 and len(init[0]["args"]) == 1 and vl_ok(init[0]["args"][0]),
               "the decoder's state is net.decoder.init_state(enc_outputs, enc_valid_len)", inputs=inputs,
               expected="one call with enc_valid_len", got=[i["args"] for i in init])
        dec = rec["decoder"]
        states = [int(c["state"].reshape(-1)[0]) if isinstance(c["state"], torch.Tensor) else c["state"]
                  for c in dec]
        expect(states[:calls] == list(range(min(calls, len(states)))), "each decoder call gets the state the "
               "previous call returned (the first one init_state's)", inputs=inputs,
               expected=list(range(calls)), got=states,
               hints=["Y, dec_state = net.decoder(dec_X, dec_state): keep the returned state for the next step."])
        want_inputs = [TGT["<bos>"]] + out[:calls - 1]
        got_inputs = [c["X"].tolist() if isinstance(c["X"], torch.Tensor) else c["X"] for c in dec]
        expect(got_inputs[:len(want_inputs)] == [[[t]] for t in want_inputs], "the decoder is fed [[<bos>]] first, "
               "then its own previous prediction, each of shape (1, 1)", inputs=inputs,
               expected=[[[t]] for t in want_inputs], got=got_inputs,
               hints=["dec_X starts as torch.tensor([[tgt_vocab['<bos>']]]) and becomes Y.argmax(dim=2) after "
                      "each step."])


def test_predict_seq2seq_stopping_rule(kata):
    """predict_seq2seq stops right after the decoder predicts <eos>, and after num_steps decoder calls otherwise"""
    cases = PREDICT_CASES + [("hi hi", 3, _t("va", "va", "va", "va", "<eos>")),
                             ("i", 1, _t("suis", "<eos>")), ("i", 2, _t("<eos>", "<eos>"))]
    for src, T, script in cases:
        rec, inputs = _predict(kata, src, T, script)
        _, _, out, calls = _predict_expected(src, T, script)
        got = len(rec["decoder"])
        eos = TGT["<eos>"] in script[:T]
        expect(got == calls, "the number of decoder calls: up to and including the one that predicts <eos>, at "
               "most num_steps", inputs=inputs, expected=calls, got=got,
               hints=[Hint("stop as soon as the predicted token is <eos> (break).", when=lambda g, w: eos and g > w),
                      Hint("decode at most num_steps tokens: for _ in range(num_steps).",
                           when=lambda g, w: not eos and g != w),
                      Hint("the step that predicts <eos> is a decoder call too: check the token after calling.",
                           when=lambda g, w: g < w)])


# =============================================================================================== train_seq2seq
TF_SRC_V = 7
TF_TGT = ship.Vocabulary(["<unk>", "a", "b", "<pad>", "c", "<bos>", "d", "<eos>", "e"])
TF_LR = 0.05


def _tf_data(n=11, T=5, seed=3):
    g = gen(seed)
    X = torch.randint(0, TF_SRC_V, (n, T), generator=g)
    Xv = torch.randint(1, T + 1, (n,), generator=g)
    Y = torch.randint(0, len(TF_TGT), (n, T), generator=g)
    Yv = torch.tensor(([5, 1, 3, 4, 2, 5, 1, 3] + [1] * n)[:n])
    return X, Xv, Y, Yv


def _train_watch(kata, net, batches, epochs, generator, lr=TF_LR, prop="train_seq2seq trains the net"):
    inputs = {"net": "a recording stand-in net(X, dec_X, *args) -> (logits (B, T, 9), state) with an nn.GRU and an "
                     "nn.Linear", "data_iter": repr(batches), "lr": lr, "num_epochs": epochs,
              "tgt_vocab": f"{TF_TGT.idx_to_token} (<bos> = {TF_TGT['<bos>']})", "device": "cpu"}
    rec = call(run_beside, kata, ship.train_and_watch, kata.train_seq2seq, net, batches, lr, epochs, TF_TGT, "cpu",
               generator, prop=prop, inputs=inputs,
               hints=["batches are (X, X_valid_len, Y, Y_valid_len); the net is called as net(X, dec_input, "
                      "X_valid_len) and returns (Y_hat, state)."])
    return rec, inputs


def _figure_hints(rec, per_epoch):
    """Hints for the usual wrong epoch figures, computed from the records."""
    cands = {}
    mean_of_ratios, per_seq, per_pos, mean_of_means = [], [], [], []
    for batches in per_epoch:
        mean_of_ratios.append(sum(l.sum() / yv.sum() for l, yv, _ in batches) / len(batches))
        per_seq.append(sum(l.sum() for l, _, _ in batches) / sum(len(l) for l, _, _ in batches))
        per_pos.append(sum(l.sum() for l, _, _ in batches) / sum(len(l) * T for l, _, T in batches))
        mean_of_means.append(sum(l.mean() for l, _, _ in batches) / len(batches))
    cands["a mean of per-batch figures"] = mean_of_ratios
    cands["Σ l.sum() / number of sequences"] = per_seq
    cands["Σ l.sum() / (number of sequences · num_steps)"] = per_pos
    cands["the mean of the per-batch l.mean()"] = mean_of_means

    def matches(vals):
        return lambda g, w: isinstance(g, (list, tuple)) and len(g) == len(vals) and all(
            isinstance(a, (int, float)) and abs(float(a) - float(b)) <= 1e-5 * (1 + abs(float(b)))
            for a, b in zip(g, vals))
    return [Hint(f"that is {name}: the figure is Σ over the epoch's batches of l.sum() divided by Σ of "
                 "Y_valid_len (tokens), accumulated over the whole epoch.", when=matches(v))
            for name, v in cands.items()]


@pytest.mark.core("train_seq2seq")
def test_train_seq2seq_teacher_forcing_and_figure(kata):
    """train_seq2seq feeds the decoder [<bos>, Y[:, :-1]] and reports Σ masked CE / Σ Y_valid_len per epoch"""
    for seed, epochs, bs in ((1, 2, 4), (2, 1, 3)):
        X, Xv, Y, Yv = _tf_data(seed=seed + 2)
        net = ship.TeacherForcingProbe(TF_SRC_V, len(TF_TGT), seed=seed)
        net.eval()
        batches = ship.Seq2SeqBatches(X, Xv, Y, Yv, bs, shuffle=True, seed=seed, record=True)
        rec, inputs = _train_watch(kata, net, batches, epochs, gen(seed))
        calls, yielded = rec["calls"], rec["yielded"]
        per = len(batches)
        expect(len(yielded) == per * epochs, f"train_seq2seq iterates over data_iter once per epoch ({epochs} "
               f"epochs × {per} batches)", inputs=inputs, expected=per * epochs, got=len(yielded))
        expect(len(calls) == len(yielded), "one forward pass of the net per batch", inputs=inputs,
               expected=len(yielded), got=len(calls))
        bos = TF_TGT["<bos>"]
        for i, (c, b) in enumerate(zip(calls, yielded)):
            Yb = b[2]
            want = torch.cat([torch.full((Yb.shape[0], 1), bos, dtype=torch.int64), Yb[:, :-1]], dim=1)
            got = c["dec_X"]
            hints = [
                Hint("the decoder input must be shifted: [<bos>, Y[:, :-1]] (teacher forcing). Fed Y itself, the "
                     "decoder sees the very token it must predict and learns to copy it.",
                     when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == Yb.shape and torch.equal(g, Yb)),
                Hint("start every decoder input with tgt_vocab['<bos>'] (index 5 in this vocabulary), followed by "
                     "Y[:, :-1].", when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape
                     and torch.equal(g[:, 1:], w[:, 1:])),
                Hint("the decoder input has num_steps columns: <bos> followed by Y without its *last* token.",
                     when=lambda g, w: isinstance(g, torch.Tensor) and g.shape != w.shape),
            ]
            expect(isinstance(got, torch.Tensor) and got.shape == want.shape and torch.equal(got.long(), want),
                   f"batch {i}: the decoder input is [<bos>, Y[:, :-1]]", inputs={**inputs, "Y": Yb},
                   expected=want, got=got, hints=hints)
            expect(isinstance(c["X"], torch.Tensor) and torch.equal(c["X"], b[0]), f"batch {i}: the encoder "
                   "input is the batch's X", inputs=inputs, expected=b[0], got=c["X"])
        expect(all(c["training"] and c["grad"] for c in calls), "every training forward pass runs in train mode "
               "with autograd on", inputs={**inputs, "net": inputs["net"] + ", handed over in eval mode"},
               expected="training=True", got=[c["training"] for c in calls],
               hints=["call net.train() before the loop (the net may come in eval mode)."])
        per_epoch = []
        for ep in range(epochs):
            items = []
            for c, b in list(zip(calls, yielded))[ep * per:(ep + 1) * per]:
                l = _ref_masked_ce(c["logits"], b[2], b[3])
                items.append((l, b[3].double(), b[2].shape[1]))
            per_epoch.append(items)
        want = [float(sum(l.sum() for l, _, _ in items) / sum(yv.sum() for _, yv, _ in items)) for items in per_epoch]
        got = rec["result"]
        expect(rec["result_type"] in ("list", "tuple") and len(got) == epochs, "train_seq2seq returns one figure "
               "per epoch", inputs=inputs, expected=f"a list of {epochs} floats", got=got)
        expect(all(t in ("float", "int") for t in rec["item_types"]), "the figures are Python floats",
               inputs=inputs, expected="floats", got=rec["item_types"],
               hints=["append float(...) of the epoch's figure (not a tensor)."])
        hints = _figure_hints(rec, per_epoch)
        for ep in range(epochs):
            expect_close(float(got[ep]), want[ep], f"epoch {ep}: the figure is Σ l.sum() / Σ Y_valid_len over the "
                         "epoch's batches (l = masked_softmax_ce of the net's logits)", inputs=inputs, atol=1e-7,
                         rtol=1e-5, hints=[Hint(h.text, when=(lambda hh: lambda g, w: hh.applies(got, want))(h))
                                           for h in hints])


def test_train_seq2seq_clips_the_global_gradient_norm(kata):
    """train_seq2seq back-propagates l.sum(), clips the global gradient norm to 1 and takes one Adam(lr) step"""
    X, Xv, Y, Yv = _tf_data(seed=4)
    net = ship.TeacherForcingProbe(TF_SRC_V, len(TF_TGT), seed=5)
    batches = ship.Seq2SeqBatches(X, Xv, Y, Yv, 4, shuffle=False, record=True)
    rec, inputs = _train_watch(kata, net, batches, 2, gen(6))
    steps, backwards = rec["steps"], rec["backwards"]
    n = len(rec["yielded"])
    expect(len(steps) == n, "one torch.optim step per batch", inputs=inputs, expected=n, got=len(steps),
           hints=["create torch.optim.Adam(net.parameters(), lr=lr) and call optimizer.step() once per batch "
                  "(this test watches torch.optim's steps)."])
    raw = [math.sqrt(sum(b.values())) for b in backwards]
    expect(len(backwards) == n, "one backward pass per batch", inputs=inputs, expected=n, got=len(backwards))
    # the first step, exactly: raw gradient = ∇ Σ_i l_i; clipped = raw · min(1, 1/‖raw‖); Adam's first update
    first_raw, first_step = rec["first_raw"], rec["first_step"]
    c0, c1 = rec["calls"][0], rec["calls"][1]
    ref = ship.TeacherForcingProbe(TF_SRC_V, len(TF_TGT), seed=5)
    ref.load_state_dict(c0["params"])
    b0 = rec["yielded"][0]
    dec_X = torch.cat([torch.full((b0[2].shape[0], 1), TF_TGT["<bos>"], dtype=torch.int64), b0[2][:, :-1]], 1)
    if isinstance(c0["dec_X"], torch.Tensor) and c0["dec_X"].shape == dec_X.shape:
        dec_X = c0["dec_X"]          # the decoder input is graded elsewhere: recompute from what the net was fed
    logits, _ = ref(b0[0], dec_X)
    ce = F.cross_entropy(logits.permute(0, 2, 1), b0[2], reduction="none")
    mask = (torch.arange(ce.shape[1])[None, :] < b0[3][:, None]).float()
    loss = (ce * mask).mean(dim=1)
    ref.zero_grad()
    loss.sum().backward()
    want_raw = {k: p.grad for k, p in ref.named_parameters()}
    total = math.sqrt(sum(float(v.double().pow(2).sum()) for v in want_raw.values()))
    got_total = math.sqrt(sum(float(v.double().pow(2).sum()) for v in first_raw.values())) if first_raw else 0.0
    expect_close(got_total, total, "the first backward pass is that of l.sum() (the sum of the batch's "
                 "per-sequence masked losses)", inputs=inputs, atol=1e-6, rtol=1e-4,
                 hints=[Hint("back-propagate l.sum(), as the book (not l.mean()).",
                             when=lambda g, w: abs(g * b0[2].shape[0] - w) < 1e-4 * (1 + w))])
    factor = min(1.0, 1.0 / total)
    own = {k: float(w.double().norm()) for k, w in want_raw.items()}
    saw_raw = all(near(first_step.get(k), w, 1e-5, rel=True) for k, w in want_raw.items())
    saw_per_tensor = any(n > 1 for n in own.values()) and not saw_raw and all(
        near(first_step.get(k), w * min(1.0, 1.0 / own[k]) if own[k] > 0 else w, 1e-5, rel=True)
        for k, w in want_raw.items())
    first_hints = [
        Hint("the optimizer saw the raw gradient: clip the gradients between backward() and step() "
             "(torch.nn.utils.clip_grad_norm_(net.parameters(), 1)).", when=lambda g, w: saw_raw),
        Hint("each tensor was clipped to norm 1 on its own: clip the *global* norm (all gradients together, one "
             "factor for all), not each tensor separately.", when=lambda g, w: saw_per_tensor),
        "clip the global norm: every gradient is multiplied by the same factor 1/‖g‖ "
        "(torch.nn.utils.clip_grad_norm_(net.parameters(), 1))."]
    for k, w in want_raw.items():
        if k in first_step:
            expect_close(first_step[k], w * factor, f"at the first step, {k}.grad = its raw gradient · min(1, 1/‖g‖) "
                         f"(one factor for all parameters; here ‖g‖ = {total:.4g})", inputs=inputs, atol=1e-6,
                         rtol=1e-4, hints=first_hints)
    for k, p0 in c0["params"].items():
        gk = first_step.get(k)
        if gk is None:
            continue
        want = p0 - TF_LR * gk / (gk.abs() + 1e-8)
        expect_close(c1["params"][k], want, f"the first optimizer step is Adam's with lr = {TF_LR}: {k} moves by "
                     "−lr·g/(|g| + 1e-8)", inputs=inputs, atol=1e-6 * TF_LR + 1e-7, rtol=1e-4,
                     hints=["optimizer = torch.optim.Adam(net.parameters(), lr=lr) (default betas and eps, no "
                            "weight decay)."])
    for i, s in enumerate(steps):
        g = math.sqrt(sum(s["sq"].values()))
        r = raw[i]
        hints = [Hint("clip the gradients between backward() and step(): the global L2 norm over all parameters "
                      "must be at most 1 (torch.nn.utils.clip_grad_norm_(net.parameters(), 1)).",
                      when=lambda got, w: abs(got - r) < 1e-6 * (1 + r) and r > 1),
                 Hint("clip the *global* norm (all gradients together, one factor for all), not each tensor "
                      "separately: each tensor of norm ≤ 1 still gives a larger total.",
                      when=lambda got, w: got > 1 + 1e-5 and abs(got - r) > 1e-6 * (1 + r)),
                 Hint("zero the gradients before every backward pass (optimizer.zero_grad()): otherwise they "
                      "accumulate over the batches.", when=lambda got, w: i > 0 and got > min(r, 1) + 1e-4)]
        expect(g <= 1 + 1e-5, f"step {i}: the global gradient norm the optimizer sees is ≤ 1", inputs=inputs,
               expected="≤ 1", got=g, detail=f"the norm of this step's raw gradient (after backward): {r:.6g}",
               hints=hints)
        want = min(r, 1.0)
        expect_close(g, want, f"step {i}: the gradients are the raw ones scaled by min(1, 1/‖g‖) (‖raw‖ = {r:.4g})",
                     inputs=inputs, atol=2e-6, rtol=1e-5, hints=hints + [
                         Hint("when the norm is already ≤ 1 the gradients stay as they are (only shrink, never "
                              "scale up).", when=lambda got, w: r < 1 and abs(got - 1) < 1e-5)])
    expect(any(r > 1.5 for r in raw) and any(r < 0.9 for r in raw), "grader check: the data give steps with raw "
           "norms above and below 1", expected="both", got=raw)


def test_train_seq2seq_xavier_initialisation(kata, stat_seed):
    """train_seq2seq re-initialises every nn.Linear weight and GRU weight matrix Xavier-uniformly (bound, 5σ spread)"""
    X, Xv, Y, Yv = _tf_data(n=4, seed=7)
    net = ship.TeacherForcingProbe(TF_SRC_V, len(TF_TGT), num_hiddens=16, seed=8)
    batches = ship.Seq2SeqBatches(X, Xv, Y, Yv, 4)
    seed = 1000 * 1 + stat_seed
    rec, inputs = _train_watch(kata, net, batches, 1, stat_gen(1, stat_seed))
    inputs = {**inputs, "generator": f"manual_seed({seed})"}
    params = rec["calls"][0]["params"]
    for name in ("rnn.weight_ih_l0", "rnn.weight_hh_l0", "dense.weight"):
        w = params[name].double()
        fan_out, fan_in = w.shape
        b = math.sqrt(6.0 / (fan_in + fan_out))
        z2 = (w / b).pow(2)
        n = w.numel()
        hints = [Hint("initialise it with nn.init.xavier_uniform_(weight, generator=generator) — for the GRU, each "
                      "weight_ih_l*/weight_hh_l* parameter as a whole (fan_in, fan_out from its full shape).")]
        expect(float(w.abs().max()) <= b * (1 + 1e-6), f"{name}: every entry lies in [−b, b], b = √(6/(fan_in + "
               f"fan_out)) = {b:.4g} (Xavier-uniform)", inputs=inputs, expected=f"max |w| ≤ {b:.4g}",
               got=float(w.abs().max()), hints=hints + [
                   Hint("Xavier-*uniform* (xavier_uniform_), not xavier_normal_: the normal one has the same "
                        "variance but exceeds the bound.",
                        when=lambda g, w_, z=float(z2.mean()): g < 3.2 * b and abs(z - 1 / 3) < 0.1)])
        expect_close(float(z2.mean()), 1 / 3, f"{name}: E[(w/b)²] = 1/3 for U(−b, b)", inputs=inputs,
                     atol=Z * math.sqrt(4 / 45 / n), rtol=0, hints=hints)


@pytest.mark.core("train_seq2seq")
def test_train_seq2seq_uses_the_generator(kata):
    """train_seq2seq's initialisation comes from `generator`: equal seeds give equal training, other seeds another"""
    X, Xv, Y, Yv = _tf_data(n=8, seed=9)

    def run(g):
        net = ship.TeacherForcingProbe(TF_SRC_V, len(TF_TGT), seed=10)
        batches = ship.Seq2SeqBatches(X, Xv, Y, Yv, 4)
        return call(run_beside, kata, ship.train_losses, kata.train_seq2seq, net, batches, TF_LR, 2, TF_TGT, "cpu",
                    g, prop="train_seq2seq trains the net", inputs={"num_epochs": 2})
    expect_generator_used(run, "train_seq2seq(..., generator) (the figures of 2 epochs)",
                          inputs={"net": "a stand-in with fixed weights", "data": "8 pairs, batches of 4"},
                          hints=["nn.init.xavier_uniform_(w, generator=generator) for every weight it "
                                 "re-initialises."])


# =============================================================================================== learning check
WORDS = ["ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht"]
REV_VOCAB = ship.Vocabulary(["<unk>", "<pad>", "<bos>", "<eos>"] + WORDS)
REV_LEN, REV_TRAIN, REV_TEST, REV_STEPS = 3, 2560, 50, 4
REV_BATCH, REV_EPOCHS, REV_LR = 128, 2, 0.03
REV_MIN_BLEU = 0.8


@functools.cache
def _reversal_data():
    """The graders' data set (fixed seed): sources of REV_LEN words, targets reversed; arrays built here."""
    g = gen(2024)
    src = torch.randint(0, len(WORDS), (REV_TRAIN + REV_TEST, REV_LEN), generator=g)
    lines = [[WORDS[i] for i in row] for row in src.tolist()]
    tgt = [line[::-1] for line in lines]
    X, Xv = _ref_build(lines[:REV_TRAIN], REV_VOCAB, REV_STEPS)
    Y, Yv = _ref_build(tgt[:REV_TRAIN], REV_VOCAB, REV_STEPS)
    return (X, Xv, Y, Yv), lines[REV_TRAIN:], tgt[REV_TRAIN:]


@pytest.mark.weight(3)
def test_seq2seq_learns_to_reverse(kata, stat_seed):
    """the learner's encoder-decoder, trained by train_seq2seq, reverses 3-word sequences: mean BLEU-3 ≥ 0.8"""
    # cheap first: a decoder whose context drifts fails this check anyway; say why before training
    ref, dec, _ = _decoder(kata, 0, 9, 4, 6, 2)
    enc_outputs = _enc_outputs(9, 4, 6, 2, 2, 3, 90)
    Xd = _tokens(2, 4, 9, 91)
    whole = call(dec, Xd, call(dec.init_state, enc_outputs, prop="init_state runs", inputs={}), prop="the decoder "
                 "runs", inputs={})[0].detach()
    state = call(dec.init_state, enc_outputs, prop="init_state runs", inputs={})
    parts = []
    for t in range(4):
        out, state = call(dec, Xd[:, t:t + 1], state, prop="the decoder runs", inputs={})
        parts.append(out.detach())
    expect(near(torch.cat(parts, 1), whole, 1e-6), "the learning check needs a decoder whose step-by-step decoding "
           "equals one call (prediction decodes one step at a time)", inputs={"decoder": "Seq2SeqDecoder(9, 4, 6, 2)"},
           expected="equal logits", got="different logits", hints=[D2L_ZH_HINT])
    arrays, test_src, test_tgt = _reversal_data()
    seed_global(1000 * 2 + stat_seed)
    enc = _make(kata, "Seq2SeqEncoder", len(REV_VOCAB), 16, 64, 1)
    dec = _make(kata, "Seq2SeqDecoder", len(REV_VOCAB), 16, 64, 1)
    net = _make(kata, "EncoderDecoder", enc, dec)
    batches = ship.Seq2SeqBatches(*arrays, REV_BATCH, shuffle=True, seed=1000 * 3 + stat_seed)
    inputs = {"task": f"reverse {REV_LEN} words drawn from {len(WORDS)} ({REV_TRAIN} training pairs, {REV_TEST} held out, "
                      f"num_steps {REV_STEPS})",
              "net": f"EncoderDecoder(Seq2SeqEncoder({len(REV_VOCAB)}, 16, 64, 1), Seq2SeqDecoder({len(REV_VOCAB)}, "
                     "16, 64, 1))",
              "training": f"train_seq2seq(net, batches of {REV_BATCH} (shuffled), lr={REV_LR}, "
                          f"num_epochs={REV_EPOCHS}, device='cpu', generator=manual_seed({1000 * 4 + stat_seed}))"}
    hist, preds = call(run_beside, kata, ship.train_and_translate, kata.train_seq2seq, kata.predict_seq2seq, net,
                       batches, REV_LR, REV_EPOCHS, REV_VOCAB, "cpu", stat_gen(4, stat_seed),
                       [" ".join(s) for s in test_src], REV_VOCAB, REV_STEPS,
                       prop="train_seq2seq trains the encoder-decoder, predict_seq2seq translates the held-out sources",
                       inputs=inputs)
    scores, shown = [], []
    for s, t, pred in zip(test_src, test_tgt, preds):
        scores.append(_bleu(pred, " ".join(t), REV_LEN))
        if len(shown) < 4:
            shown.append(f"{' '.join(s)!r} → {pred!r} (want {' '.join(t)!r})")
    mean = sum(scores) / len(scores)
    expect(mean >= REV_MIN_BLEU, f"after training, the mean BLEU-{REV_LEN} on {REV_TEST} held-out pairs is ≥ "
           f"{REV_MIN_BLEU}",
           inputs=inputs, expected=f"≥ {REV_MIN_BLEU}", got=round(mean, 4),
           detail="; ".join(shown) + f"; training figures {hist}",
           hints=["the model does not learn the reversal. Check: the decoder input is [<bos>, Y[:, :-1]]; the "
                  "context is the encoder's last-layer final state at every step; the loss is masked_softmax_ce "
                  "with l.sum().backward(); predict_seq2seq feeds back its own argmax with the state the decoder "
                  "returned."])
