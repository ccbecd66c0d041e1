"""Graders for ch8/text_preprocessing.py (read_time_machine, tokenize, count_corpus, Vocab, load_corpus_time_machine).

Oracles, independent of the book's code: a character loop for the cleaning (a run of non-ASCII-letters becomes one
space), ``str.split`` / ``list`` for the tokens, a counting dict for the frequencies, and a vocabulary ordered by the
explicit key (−frequency, index of first occurrence). Files are written by the tests (UTF-8, '\\n' line ends) under
pytest's temporary directory; nothing downloads.

Tie order is checked on corpora with large tie groups (≥ 20 tokens of equal frequency, first occurrences in a
shuffled order that is neither alphabetical nor the order of last occurrence), so that a set()/hash order cannot
match by chance (1/20! per group). Vocabularies are read through one probe call
(tests/shippable_ch8_text_preprocessing.describe_vocab), so the sandboxed run costs one round trip per vocabulary.
Everything here is exact (strings and integers): no tolerances.
"""
from __future__ import annotations

import random as _random
import re

import pytest
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_equal, expect_raises, fail, run_beside
from tests.helpers import call
from tests.shippable_ch8_text_preprocessing import ERROR, build_vocab, describe_vocab, result_type

CATCH = (RuntimeError, IndexError, TypeError, ValueError, KeyError, AttributeError, UnicodeDecodeError)

# ------------------------------------------------------------------------------------------------ texts
# The opening of H. G. Wells' The Time Machine (1895, public domain), with the clutter a real file has.
EXCERPT_A = (
    "The Time Machine, by H. G. Wells [1898]\n"
    "\n"
    "\n"
    "I\n"
    "\n"
    "\n"
    "The Time Traveller (for so it will be convenient to speak of him)\n"
    "was expounding a recondite matter to us. His grey eyes shone and\n"
    "twinkled, and his usually pale face was flushed and animated. The\n"
    "fire burned brightly, and the soft radiance of the incandescent\n"
    "*** lights in the lilies of silver caught the bubbles that flashed ***\n"
)
EXCERPT_B = (
    "  \u201cYou must follow me carefully.  I shall have to controvert one or two\n"
    "ideas that are almost universally accepted.  The geometry, for\n"
    "instance, they taught you at school is founded on a misconception.\u201d\n"
    "\t--- 1234 ---\n"
    "\u201cIs not that rather a large thing to expect us to begin upon?\u201d said\n"
    "Filby, an argumentative person with red hair. Caf\u00e9 na\u00efve_stuff\n"
    "I do not mean to ask you to accept anything without reasonable\n"
    "ground for it."
)
# Lines as the loader returns them (word tokens below are built from these).
LINES_A = ["the time machine by h g wells", "", "i", "the time traveller for so it will be convenient to speak of him",
           "was expounding a recondite matter to us his grey eyes shone and"]
LINES_B = ["you must follow me carefully i shall have to controvert one or two", "",
           "ideas that are almost universally accepted the geometry for", "a a b"]


# ------------------------------------------------------------------------------------------------ oracles
def clean(line: str) -> str:
    """The contract's cleaning, by a character loop: a run of characters outside A-Z/a-z → one space; strip;
    lower-case."""
    out = []
    for ch in line:
        if "A" <= ch <= "Z" or "a" <= ch <= "z":
            out.append(ch.lower())
        elif not out or out[-1] != " ":
            out.append(" ")
    return "".join(out).strip(" ")


def file_lines(text: str) -> list[str]:
    """The lines of a file as readlines() splits it (the text only uses '\\n'), without their line ends."""
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return parts


def read_oracle(text: str) -> list[str]:
    return [clean(line) for line in file_lines(text)]


def flatten(tokens):
    if len(tokens) > 0 and type(tokens[0]) is list:
        return [t for line in tokens for t in line]
    return list(tokens)


def count_oracle(tokens) -> dict:
    counts = {}
    for t in flatten(tokens):
        counts[t] = counts.get(t, 0) + 1
    return counts


def freqs_oracle(tokens) -> list[tuple]:
    """(token, count) by descending count, ties by first occurrence (an explicit key, not a stable sort)."""
    flat = flatten(tokens)
    first = {}
    for i, t in enumerate(flat):
        first.setdefault(t, i)
    counts = count_oracle(flat)
    return [(t, counts[t]) for t in sorted(counts, key=lambda t: (-counts[t], first[t]))]


def vocab_oracle(tokens=None, min_freq=0, reserved_tokens=None) -> list:
    idx = ["<unk>"]
    for t in reserved_tokens or []:
        if t not in idx:
            idx.append(t)
    for t, c in freqs_oracle(tokens or []):
        if c >= min_freq and t not in idx:
            idx.append(t)
    return idx


def write(tmp_path_factory, text: str, name: str = "timemachine.txt") -> str:
    path = tmp_path_factory.mktemp("tm") / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def is_error(v) -> bool:
    return isinstance(v, dict) and len(v) == 1 and ERROR in v


def err_text(v) -> str:
    return v[ERROR] if is_error(v) else ""


def same(a, b) -> bool:
    """Exact equality of nested lists/tuples of str/int, with types (an int must be an int, not a float/bool)."""
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(b) is int:
        return type(a) is int and a == b
    return type(a) is type(b) and a == b


# ------------------------------------------------------------------------------------------------ hints
def read_hints(text: str):
    raw = file_lines(text)
    want = read_oracle(text)

    def lines(g):
        return g if isinstance(g, list) and all(isinstance(x, str) for x in g) else None

    def any_line(g, pred):
        g = lines(g)
        return g is not None and any(pred(x) for x in g)

    no_plus = [re.sub("[^A-Za-z]", " ", line).strip().lower() for line in raw]
    return [
        Hint("some lines contain two spaces in a row: replace each whole RUN of non-letters by one space "
             "(the pattern needs a '+': re.sub('[^A-Za-z]+', ' ', line)).",
             when=lambda g, w: any_line(g, lambda x: "  " in x) or (lines(g) == no_plus and no_plus != want)),
        Hint("digits or '_' survived: only the letters A-Z and a-z are kept ('\\W' keeps digits and '_'; use the "
             "class [^A-Za-z]).",
             when=lambda g, w: any_line(g, lambda x: any(c.isdigit() or c == "_" for c in x))),
        Hint("a non-ASCII character survived (é, ï, “ …): str.isalpha() and '\\w' accept accented letters; only "
             "A-Z/a-z are letters here, everything else becomes a space.",
             when=lambda g, w: any_line(g, lambda x: any(ord(c) > 127 for c in x))),
        Hint("there are upper-case letters left: lower-case each line (.lower()).",
             when=lambda g, w: any_line(g, lambda x: any("A" <= c <= "Z" for c in x))),
        Hint("some lines start or end with a space: .strip() each cleaned line.",
             when=lambda g, w: any_line(g, lambda x: x != x.strip())),
        Hint("lines that are empty after cleaning are kept as '' (one entry per line of the file): do not filter "
             "them out.",
             when=lambda g, w: lines(g) is not None and lines(g) == [x for x in want if x] and "" in want),
        Hint("one line too many at the end: f.read().split('\\n') gives an extra '' after the final newline; "
             "f.readlines() (or iterating over the file) gives one entry per line.",
             when=lambda g, w: lines(g) is not None and lines(g) == want + [""]),
        Hint("read the file with encoding='utf-8' (it contains non-ASCII characters such as “ and é).",
             when=lambda g, w: isinstance(g, str) and "UnicodeDecodeError" in g),
        Hint("return a list of str, one per line of the file (not the whole text as one string).",
             when=lambda g, w: isinstance(g, str) and not g.split(":", 1)[0].endswith("Error")),
    ]


SPLIT_SPACE_HINT = ("line.split(' ') splits at every single space, so two spaces, a tab or an empty line give "
                    "empty tokens ('' ) or tokens with tabs inside; line.split() (no argument) splits at any run of "
                    "whitespace and never returns empty tokens.")
CHAR_SPACE_HINT = ("character tokens keep the spaces: list(line) (a space is a token, it is how a character model "
                   "sees where words end).")


def tokenize_hints(lines, token):
    want = [line.split() for line in lines] if token == "word" else [list(line) for line in lines]
    return [
        Hint(SPLIT_SPACE_HINT, when=lambda g, w: token == "word" and g == [line.split(" ") for line in lines]),
        Hint(CHAR_SPACE_HINT,
             when=lambda g, w: token == "char" and g == [[c for c in line if c != " "] for line in lines]),
        Hint("token='word' gives the words of each line (line.split()), token='char' its characters (list(line)); "
             "yours look swapped.",
             when=lambda g, w: g == ([list(x) for x in lines] if token == "word" else [x.split() for x in lines])
             and g != want),
        Hint("return one list of tokens per line (a list of lists), not one flat list.",
             when=lambda g, w: isinstance(g, list) and g == [t for line in want for t in line] and g != want),
    ]


def tie_diagnosis(got: list, want: list, flat: list):
    """Why ``got`` orders tokens differently from ``want`` when only ties differ: 'generic' (too few to tell),
    'alphabetical', 'reversed', 'last', 'hash' — or None when the difference is something else."""
    if not (isinstance(got, list) and len(got) == len(want)):
        return None
    try:
        if sorted(map(repr, got)) != sorted(map(repr, want)) or got == want:
            return None
    except TypeError:
        return None
    counts = count_oracle(flat)
    if any(counts.get(g, -1) != counts.get(w, -2) for g, w in zip(got, want)):
        return None   # the frequencies themselves are out of order: not a tie problem
    last = {}
    for i, t in enumerate(flat):
        last[t] = i
    groups_g, groups_w = {}, {}
    for g, w in zip(got, want):
        groups_g.setdefault(counts[g], []).append(g)
        groups_w.setdefault(counts[w], []).append(w)
    keys = [k for k in groups_w if groups_g[k] != groups_w[k]]
    if max(len(groups_w[k]) for k in keys) < 3:
        return "generic"   # two tokens swapped: too few to tell how the order came about
    try:
        if all(groups_g[k] == sorted(groups_w[k]) for k in keys) or \
                all(groups_g[k] == sorted(groups_w[k], reverse=True) for k in keys):
            return "alphabetical"
    except TypeError:
        pass
    if all(groups_g[k] == groups_w[k][::-1] for k in keys):
        return "reversed"
    if all(groups_g[k] == sorted(groups_w[k], key=lambda t: last[t]) for k in keys):
        return "last"
    return "hash"


TIE_TEXT = {
    "generic": "tokens of equal frequency must come in the order of their first occurrence in the corpus (the "
               "book's order: a stable sort of the Counter's items by frequency alone).",
    "alphabetical": "tokens of equal frequency are in alphabetical order; the book's order is their FIRST "
                    "OCCURRENCE in the corpus. Sort by the frequency alone with a stable sort — sorted(counter.items(), "
                    "key=lambda x: x[1], reverse=True) — so that ties keep the Counter's first-occurrence order.",
    "reversed": "tokens of equal frequency come out last-first: reversing an ascending sort ([::-1], reversed) "
                "reverses the ties as well. Use sorted(counter.items(), key=lambda x: x[1], reverse=True) — "
                "reverse=True keeps equal elements in their original (first-occurrence) order.",
    "last": "tokens of equal frequency are ordered by their LAST occurrence; the book's order is the first one. "
            "Count with collections.Counter over the tokens in corpus order (its keys keep the first occurrence) "
            "and sort its items by frequency with a stable sort.",
    "hash": "tokens of equal frequency come out in an arbitrary (hash/set) order: a set() — or anything built from "
            "set(tokens) — has no defined order, so the vocabulary would change from run to run. Count with "
            "collections.Counter over the tokens in corpus order and sort its items by frequency with a stable sort "
            "(sorted is stable: ties keep their first occurrence).",
}


def vocab_hints(tokens, min_freq=0, reserved=None):
    """Hints on a learner's idx_to_token (``got``) for the classic Vocab mistakes, each when its symptom shows."""
    reserved = list(reserved or [])
    flat = flatten(tokens or [])
    want = vocab_oracle(tokens, min_freq, reserved)
    counts = count_oracle(flat)
    head = [t for t in want if t == "<unk>" or t in reserved]

    def idx(g):
        return g if isinstance(g, list) else None

    def ties(kind):
        def when(g, w):
            g = idx(g)
            if g is None or g[:len(head)] != head:
                return False
            return tie_diagnosis(g[len(head):], want[len(head):], flat) == kind
        return when

    return [
        Hint("'<unk>' is listed twice: ['<unk>'] + reserved_tokens repeats it when the caller reserves '<unk>' too "
             "(and token_to_idx then maps '<unk>' to the second copy). Start from ['<unk>'] and add a reserved token "
             "only if it is not listed yet.",
             when=lambda g, w: idx(g) is not None and idx(g).count("<unk>") > 1),
        Hint("'<unk>' comes first, at index 0 (vocab.unk is 0), then the reserved tokens in their order.",
             when=lambda g, w: idx(g) is not None and len(idx(g)) > 0 and idx(g)[0] != "<unk>"),
        Hint("each reserved token is listed once, even when the caller repeats it.",
             when=lambda g, w: idx(g) is not None and any(idx(g).count(t) > 1 for t in set(reserved) - {"<unk>"})
             and not any(t in counts for t in reserved)),
        Hint("a reserved token that also occurs in the corpus keeps its reserved index: skip corpus tokens that are "
             "already listed (if token not in self.token_to_idx).",
             when=lambda g, w: idx(g) is not None and any(idx(g).count(t) > 1 for t in reserved if t in counts)),
        Hint("the reserved tokens come right after '<unk>', before the corpus tokens.",
             when=lambda g, w: idx(g) is not None and sorted(map(repr, idx(g))) == sorted(map(repr, want))
             and idx(g)[:len(head)] != head and idx(g).count("<unk>") == 1),
        Hint(f"a token is kept when its frequency is ≥ min_freq (= {min_freq}): tokens whose frequency equals "
             "min_freq stay in the vocabulary (compare with <, not <=).",
             when=lambda g, w: idx(g) is not None and min_freq > 0
             and any(counts[t] == min_freq and t not in idx(g) for t in want if t in counts)),
        Hint(f"tokens with frequency < min_freq (= {min_freq}) are left out of the vocabulary (they map to <unk>).",
             when=lambda g, w: idx(g) is not None
             and any(t in counts and counts[t] < min_freq and t not in reserved for t in idx(g))),
        Hint("the corpus tokens come by DESCENDING frequency (the most frequent first).",
             when=lambda g, w: idx(g) is not None and idx(g)[:len(head)] == head
             and [counts.get(t, 0) for t in idx(g)[len(head):]] == sorted(counts.get(t, 0) for t in want[len(head):])
             and len(set(counts.values())) > 1),
    ] + [Hint(text, when=ties(kind)) for kind, text in TIE_TEXT.items()]


def freqs_hints(tokens):
    flat = flatten(tokens or [])
    want = freqs_oracle(tokens or [])

    def toks(g):
        if isinstance(g, list) and all(isinstance(p, tuple) and len(p) == 2 for p in g):
            return [p[0] for p in g]
        return None

    def ties(kind):
        return lambda g, w: toks(g) is not None and tie_diagnosis(toks(g), [t for t, _ in want], flat) == kind

    return [Hint(text, when=ties(kind)) for kind, text in TIE_TEXT.items()] + [
        Hint("token_freqs is a property (@property def token_freqs(self): ...), read as vocab.token_freqs: a list of "
             "(token, frequency) pairs.",
             when=lambda g, w: isinstance(g, str) and ("not iterable" in g or "method" in g)),
        Hint("every counted token is listed once, as a (token, frequency) pair.",
             when=lambda g, w: isinstance(g, list) and len(g) != len(w)),
    ]


def lookup_hints():
    return [
        Hint("a token that is not in the vocabulary maps to 0 (vocab.unk): look it up with "
             "self.token_to_idx.get(token, self.unk) instead of self.token_to_idx[token].",
             when=lambda g, w: "KeyError" in str(g)),
        Hint("vocab[...] of a list (or tuple) looks up every element, recursively: a list of lines gives a list of "
             "lists (call __getitem__ on each element when it is a list or tuple itself).",
             when=lambda g, w: "unhashable" in str(g) or (isinstance(w, list) and w and isinstance(w[0], list)
                                                         and isinstance(g, list) and g and not isinstance(g[0], list))),
        Hint("a tuple is looked up element by element, like a list (the book: isinstance(tokens, (list, tuple))).",
             when=lambda g, w: isinstance(w, list) and type(g) is int),
    ]


# ------------------------------------------------------------------------------------------------ calling
def read(kata, path, text, prop):
    return call(kata.read_time_machine, path, prop=prop, inputs={"file contents": repr(text)},
                hints=read_hints(text), catch=CATCH, expected="a list of cleaned lines")


def vocab(kata, tokens, min_freq=0, reserved=None, *, prop, lookups=(), indices=(), hints=()):
    """Build the learner's Vocab and read everything in one probe call; a raising constructor is a failure."""
    inputs = {"tokens": tokens, "min_freq": min_freq, "reserved_tokens": reserved}
    out = run_beside(kata, build_vocab, kata.Vocab, tokens, min_freq, reserved, lookups=lookups, indices=indices)
    if is_error(out):
        fail(prop, inputs=inputs, expected="a Vocab", got=f"Vocab(...) raised {err_text(out)}",
             hints=list(hints) + [Hint(EMPTY_TEXT, when=lambda g, w: "IndexError" in str(g) and not flatten(
                 tokens or []))])
    for key in ("idx_to_token", "token_to_idx", "len"):
        if is_error(out[key]):
            fail(prop, inputs=inputs, expected=f"vocab.{key}" if key != "len" else "len(vocab)",
                 got=f"raised {err_text(out[key])}",
                 hints=["Vocab keeps idx_to_token (a list) and token_to_idx (a dict) as attributes and defines "
                        "__len__ (the number of tokens)."])
    return out


def expect_vocab(out, want, prop, inputs, hints):
    """idx_to_token == want, token_to_idx its inverse, len == len(want)."""
    got = out["idx_to_token"]
    expect(got == want, prop, inputs=inputs, expected=want, got=got, hints=hints)
    inverse = {t: i for i, t in enumerate(want)}
    expect(out["token_to_idx"] == inverse and all(type(v) is int for v in out["token_to_idx"].values()),
           "token_to_idx is the inverse of idx_to_token: token_to_idx[idx_to_token[i]] == i",
           inputs=inputs, expected=inverse, got=out["token_to_idx"],
           hints=[Hint("token_to_idx must point every token at its position in idx_to_token (build both together, "
                       "and when a token is skipped, skip it in both).")])
    expect(out["len"] == len(want), "len(vocab) is the number of tokens in idx_to_token", inputs=inputs,
           expected=len(want), got=out["len"])


# ================================================================================================ read_time_machine
@pytest.mark.core("read_time_machine")
def test_read_time_machine_on_book_text(kata, tmp_path_factory):
    """read_time_machine(path) cleans every line of the file: letters only, lower case, one space between words"""
    for text in (EXCERPT_A, EXCERPT_B):
        path = write(tmp_path_factory, text)
        prop = "read_time_machine(path)[i] = re.sub('[^A-Za-z]+', ' ', line i).strip().lower()"
        got = read(kata, path, text, prop)
        want = read_oracle(text)
        expect(isinstance(got, list) and got == want, prop, inputs={"file contents": repr(text)}, expected=want,
               got=got, hints=read_hints(text))


_ALPHABET = "abcXYZ  \t\t.,-_*09'\u00e9\u2014\u201c\n"


@settings(max_examples=25)
@given(text=st.text(alphabet=_ALPHABET, max_size=60))
@example(text="Hello,   World!\n\n42\n")
@example(text="")
@example(text="no newline at the end")
@example(text="__init__ 3.14 caf\u00e9\n")
def test_read_time_machine_any_text(kata, tmp_path_factory, text):
    """on any text, each line keeps its letters only (lower case), one space for each run of anything else"""
    path = write(tmp_path_factory, text)
    prop = "read_time_machine(path) = the cleaned lines of the file, one entry per line"
    got = read(kata, path, text, prop)
    want = read_oracle(text)
    expect(isinstance(got, list) and got == want, prop, inputs={"file contents": repr(text)}, expected=want,
           got=got, hints=read_hints(text))


def test_read_time_machine_keeps_empty_lines(kata, tmp_path_factory):
    """one entry per line of the file: empty lines (and lines with no letters) are kept as ''"""
    for text in ("first line\n\n***\n\nlast line\n", "\n\n\n", "only one line"):
        path = write(tmp_path_factory, text)
        want = read_oracle(text)
        prop = "len(read_time_machine(path)) = the number of lines of the file, a line without letters gives ''"
        got = read(kata, path, text, prop)
        expect(isinstance(got, list) and got == want, prop, inputs={"file contents": repr(text)}, expected=want,
               got=got, hints=read_hints(text))


# ================================================================================================ tokenize
def _tok(kata, lines, token, prop):
    return call(kata.tokenize, list(lines), token, prop=prop, inputs={"lines": lines, "token": token},
                hints=tokenize_hints(lines, token), catch=CATCH)


@pytest.mark.core("tokenize")
def test_tokenize_words(kata):
    """tokenize(lines, 'word') splits every cleaned line into its words"""
    for lines in (LINES_A, LINES_B, ["one", "two words"]):
        prop = "tokenize(lines, 'word') = [line.split() for line in lines]"
        got = _tok(kata, lines, "word", prop)
        expect_equal(got, [line.split() for line in lines], prop, inputs={"lines": lines, "token": "word"},
                     hints=tokenize_hints(lines, "word"))


@pytest.mark.core("tokenize")
def test_tokenize_chars(kata):
    """tokenize(lines, 'char') lists every character of every line, spaces included"""
    for lines in (LINES_A[:3], LINES_B, ["ab c", ""]):
        prop = "tokenize(lines, 'char') = [list(line) for line in lines] (spaces are tokens)"
        got = _tok(kata, lines, "char", prop)
        expect_equal(got, [list(line) for line in lines], prop, inputs={"lines": lines, "token": "char"},
                     hints=tokenize_hints(lines, "char"))


@settings(max_examples=20)
@given(lines=st.lists(st.text(alphabet="ab \t\n", max_size=8), max_size=4))
@example(lines=["two  spaces", "\ttab and trailing space ", "", " lead"])
def test_tokenize_words_any_whitespace(kata, lines):
    """word tokens are split at any run of whitespace: no empty tokens, an empty line gives []"""
    prop = "tokenize(lines, 'word') = [line.split() for line in lines] for any whitespace"
    got = _tok(kata, lines, "word", prop)
    expect_equal(got, [line.split() for line in lines], prop, inputs={"lines": lines, "token": "word"},
                 hints=tokenize_hints(lines, "word"))


def test_tokenize_unknown_type_raises(kata):
    """tokenize raises ValueError for a token type other than 'word' and 'char'"""
    for token in ("words", "character", "Word", ""):
        with expect_raises(ValueError, "tokenize(lines, token) raises ValueError for an unknown token type",
                           inputs={"lines": ["a b"], "token": token},
                           hints=["raise ValueError(f'unknown token type: {token}') instead of printing a message "
                                  "(the book prints and returns None, which only fails later, far away)."]):
            got = kata.tokenize(["a b"], token)
            if got is None:
                fail("tokenize(lines, token) raises ValueError for an unknown token type",
                     inputs={"lines": ["a b"], "token": token}, expected="ValueError to be raised",
                     got="None (no exception)",
                     hints=["raise ValueError(f'unknown token type: {token}') instead of printing a message "
                            "(the book prints and returns None, which only fails later, far away)."])


# ================================================================================================ count_corpus
TWO_D_TEXT = ("decide 2-D by the type of the first element: the list holds lines iff isinstance(tokens[0], list). "
              "In a flat list anything else is a token — a tuple (bigram) or an int (an index) — so testing for "
              "(list, tuple), or for 'not a str', unpacks tokens that must be counted whole.")
EMPTY_TEXT = ("an empty list has no tokens[0]: test `len(tokens) == 0 or isinstance(tokens[0], list)` before looking "
              "at tokens[0] (Vocab() and Vocab([]) count an empty corpus).")


def count_hints(tokens):
    flat = flatten(tokens)
    return [
        Hint("every occurrence counts (a token twice in one line counts 2): count the flattened tokens, not a set "
             "of each line.",
             when=lambda g, w: isinstance(g, dict) and set(g) == set(w) and any(g[k] < w[k] for k in w)),
        Hint(TWO_D_TEXT,
             when=lambda g, w: (len(flat) > 0 and type(flat[0]) in (tuple, int) and (
                 (isinstance(g, dict) and not any(type(k) is type(flat[0]) for k in g))
                 or "not iterable" in str(g)))),
        Hint(EMPTY_TEXT, when=lambda g, w: "IndexError" in str(g)),
        Hint("2-D input (a list of lines) is flattened first: count the tokens of every line, not the lines.",
             when=lambda g, w: "unhashable" in str(g)),
    ]


def _count(kata, tokens, prop):
    out = run_beside(kata, result_type, kata.count_corpus, tokens)
    if is_error(out):
        fail(prop, inputs={"tokens": tokens}, expected="a Counter", got=f"raised {err_text(out)}",
             hints=count_hints(tokens))
    names, items = out
    return names, items


@pytest.mark.core("count_corpus")
def test_count_corpus_counts_every_token(kata):
    """count_corpus counts every occurrence, for a list of lines (2-D) and for a flat list (1-D)"""
    cases = [[list("hello world"), list("lol")], [["the", "time", "machine"], ["the", "time"], []],
             ["a", "b", "a", "c", "a"], [tok for line in LINES_A for tok in line.split()]]
    for tokens in cases:
        prop = "count_corpus(tokens)[t] = the number of occurrences of t (lines flattened first)"
        want = count_oracle(tokens)
        names, items = _count(kata, tokens, prop)
        got = dict(items) if items is not None else names[0]
        expect(got == want, prop, inputs={"tokens": tokens}, expected=want, got=got, hints=count_hints(tokens))


def test_count_corpus_returns_a_counter(kata):
    """count_corpus returns a collections.Counter"""
    tokens = [["a", "b"], ["a"]]
    names, items = _count(kata, tokens, "count_corpus returns a collections.Counter")
    expect("collections.Counter" in names, "count_corpus returns a collections.Counter", inputs={"tokens": tokens},
           expected="a collections.Counter", got=f"a {names[0]}",
           hints=["return collections.Counter(flat_tokens): a Counter is a dict with most_common() and adds "
                  "counts with +, and the book's code relies on it."])


def test_count_corpus_tuples_and_ints_are_tokens(kata):
    """in a flat list anything is a token: bigram tuples and integer indices are counted, not unpacked"""
    cases = [[("the", "time"), ("time", "machine"), ("the", "time")], [3, 1, 3, 3], [(1, 2), (1, 2)]]
    for tokens in cases:
        prop = "count_corpus(tokens) counts the elements of a flat list as tokens (only a list element means 2-D)"
        want = count_oracle(tokens)
        names, items = _count(kata, tokens, prop)
        got = dict(items) if items is not None else names[0]
        expect(got == want, prop, inputs={"tokens": tokens}, expected=want, got=got, hints=count_hints(tokens))


def test_count_corpus_empty(kata):
    """an empty corpus, or lines that are all empty, give an empty Counter"""
    for tokens, want in (([], {}), ([[]], {}), ([[], ["a"]], {"a": 1})):
        prop = "count_corpus of no tokens is empty (and [[], ['a']] is 2-D: {'a': 1})"
        names, items = _count(kata, tokens, prop)
        got = dict(items) if items is not None else names[0]
        expect(got == want, prop, inputs={"tokens": tokens}, expected=want, got=got, hints=count_hints(tokens))


# ================================================================================================ Vocab
def _tie_corpus(seed: int, groups=((3, 24), (2, 22), (1, 21))):
    """Words in groups of equal frequency (≥ 20 per group), first occurrences shuffled, later occurrences in
    another shuffled order (so first ≠ last occurrence order), names neither alphabetical nor reversed."""
    rng = _random.Random(seed)
    letters = "bcdfghjklmnpqrstvwxz"
    words, stream = [], []
    for g, (freq, size) in enumerate(groups):
        names = []
        while len(names) < size:
            w = "".join(rng.choice(letters) for _ in range(3)) + "aeiou"[g]
            if w not in names and w not in words:
                names.append(w)
        words += names
        for rep in range(freq):
            order = names[:]
            rng.shuffle(order)
            stream.append(order)
    # interleave the groups' rounds so that first occurrences mix
    rng.shuffle(stream)
    flat = [w for chunk in stream for w in chunk]
    return [flat[i:i + 7] for i in range(0, len(flat), 7)]   # as lines of 7 words


BOOKISH = [line.split() for line in LINES_A + LINES_B]
CHARS = [list(line) for line in LINES_A]


@pytest.mark.core("Vocab")
def test_vocab_order_and_inverse(kata):
    """Vocab lists '<unk>', then the tokens by descending frequency (ties: first occurrence); token_to_idx inverts it"""
    for tokens in (BOOKISH, CHARS, [["b", "a", "b", "c", "c", "c"]]):
        inputs = {"tokens": tokens}
        prop = "Vocab(tokens).idx_to_token = ['<unk>'] + tokens by descending frequency (ties: first occurrence)"
        out = vocab(kata, tokens, prop=prop)
        expect_vocab(out, vocab_oracle(tokens), prop, inputs, vocab_hints(tokens))


@pytest.mark.core("Vocab")
def test_vocab_token_freqs(kata):
    """vocab.token_freqs lists every (token, frequency) by descending frequency, ties by first occurrence"""
    for tokens in (BOOKISH, [list("mississippi")]):
        inputs = {"tokens": tokens}
        prop = "Vocab(tokens).token_freqs = (token, count) pairs, descending count, ties by first occurrence"
        out = vocab(kata, tokens, prop=prop)
        want = freqs_oracle(tokens)
        got = out["token_freqs"]
        expect(got == want, prop, inputs=inputs, expected=want, got=err_text(got) or got, hints=freqs_hints(tokens))


def test_vocab_ties_by_first_occurrence(kata):
    """with 20+ tokens of equal frequency, ties are ordered by first occurrence (never by a set or alphabetically)"""
    for seed in (1, 2):
        tokens = _tie_corpus(seed)
        inputs = {"tokens": tokens}
        prop = ("Vocab(tokens): tokens of equal frequency in order of first occurrence (groups of 24, 22 and 21 "
                "tokens of frequency 3, 2, 1)")
        out = vocab(kata, tokens, prop=prop)
        want = vocab_oracle(tokens)
        expect(out["idx_to_token"] == want, prop, inputs=inputs, expected=want, got=out["idx_to_token"],
               hints=vocab_hints(tokens))
        expect(out["token_freqs"] == freqs_oracle(tokens), "token_freqs: equal frequencies in first-occurrence order",
               inputs=inputs, expected=freqs_oracle(tokens), got=out["token_freqs"], hints=freqs_hints(tokens))


@settings(max_examples=20)
@given(tokens=st.lists(st.lists(st.sampled_from(["the", "time", "machine", "a", "of", "<pad>", "I"]), max_size=5),
                       max_size=4),
       queries=st.lists(st.sampled_from(["the", "time", "machine", "a", "of", "I", "zebra", "", "<unk>"]),
                        min_size=1, max_size=4))
@example(tokens=[["the", "time"], ["machine"]], queries=["the", "zebra"])
def test_vocab_lookup(kata, tokens, queries):
    """vocab[token] is its index (0 for an unknown token), to_tokens inverts it, lists are looked up element-wise"""
    want_idx = vocab_oracle(tokens)
    pos = {t: i for i, t in enumerate(want_idx)}
    want_lookup = [pos.get(q, 0) for q in queries]
    lookups = queries + [queries, tuple(queries), [queries, [queries[0]]]]
    wants = want_lookup + [want_lookup, want_lookup, [want_lookup, [want_lookup[0]]]]
    indices = list(range(len(want_idx))) + [list(range(len(want_idx)))]
    want_tokens = want_idx + [want_idx]
    inputs = {"tokens": tokens}
    out = vocab(kata, tokens, prop="vocab[token] looks tokens up", lookups=lookups, indices=indices)
    expect_vocab(out, want_idx, "Vocab(tokens).idx_to_token in the book's order", inputs, vocab_hints(tokens))
    expect(out["unk"] == 0 and type(out["unk"]) is int, "vocab.unk is 0 (the index of '<unk>')", inputs=inputs,
           expected=0, got=out["unk"], hints=["unk is a property that returns 0."])
    for q, w, g in zip(lookups, wants, out["lookups"]):
        expect(same(g, w), "vocab[token] = token_to_idx[token], 0 for an unknown token; lists and tuples element-wise",
               inputs={**inputs, "looked up": q}, expected=w, got=err_text(g) or g, hints=lookup_hints())
    for i, w, g in zip(indices, want_tokens, out["to_tokens"]):
        expect(same(g, w), "vocab.to_tokens(i) = idx_to_token[i]; a list of indices gives the list of tokens",
               inputs={**inputs, "indices": i}, expected=w, got=err_text(g) or g,
               hints=["to_tokens(i) returns idx_to_token[i]; for a list, one token per index."])


def test_vocab_reserved_tokens(kata):
    """reserved tokens follow '<unk>' in their order, each once; '<unk>' is never listed twice"""
    cases = [
        (BOOKISH, ["<pad>", "<bos>", "<eos>"]),
        (BOOKISH, ["<unk>", "<pad>", "<bos>", "<eos>"]),   # the book lists '<unk>' twice here
        ([["a", "b", "a"]], ["<pad>", "<unk>", "<pad>"]),
        ([["the", "<bos>", "the", "end"]], ["<pad>", "<bos>"]),   # a reserved token in the corpus keeps its index
        ([["the", "time", "the"]], ["time", "<eos>"]),
    ]
    for tokens, reserved in cases:
        inputs = {"tokens": tokens, "reserved_tokens": reserved}
        want = vocab_oracle(tokens, 0, reserved)
        prop = ("Vocab(tokens, reserved_tokens=...): '<unk>', the reserved tokens (each once, '<unk>' not again), "
                "then the corpus tokens not already listed")
        out = vocab(kata, tokens, 0, list(reserved), prop=prop, lookups=["<unk>"] + reserved)
        expect_vocab(out, want, prop, inputs, vocab_hints(tokens, 0, reserved))
        expect(out["lookups"] == [want.index(t) for t in ["<unk>"] + reserved],
               "vocab['<unk>'] is 0 and every reserved token maps to its reserved index", inputs=inputs,
               expected=[want.index(t) for t in ["<unk>"] + reserved], got=out["lookups"],
               hints=vocab_hints(tokens, 0, reserved))


def test_vocab_min_freq(kata):
    """min_freq keeps tokens whose frequency is ≥ min_freq; token_freqs still lists every token"""
    tokens = [["a", "b", "a", "c", "b", "a", "d"], ["e", "b", "c", "a"]]   # a:4 b:3 c:2 d:1 e:1
    for min_freq in (0, 1, 2, 3, 5):
        inputs = {"tokens": tokens, "min_freq": min_freq}
        want = vocab_oracle(tokens, min_freq)
        prop = "Vocab(tokens, min_freq) keeps a token iff its frequency ≥ min_freq; dropped tokens map to 0"
        out = vocab(kata, tokens, min_freq, prop=prop, lookups=["a", "b", "c", "d", "e"])
        expect_vocab(out, want, prop, inputs, vocab_hints(tokens, min_freq))
        pos = {t: i for i, t in enumerate(want)}
        expect(out["lookups"] == [pos.get(t, 0) for t in "abcde"],
               "vocab[token] is 0 for a token dropped by min_freq", inputs=inputs,
               expected=[pos.get(t, 0) for t in "abcde"], got=out["lookups"], hints=lookup_hints())
        expect(out["token_freqs"] == freqs_oracle(tokens),
               "token_freqs lists every counted token, also those below min_freq", inputs=inputs,
               expected=freqs_oracle(tokens), got=out["token_freqs"],
               hints=[Hint("token_freqs describes the corpus: keep every (token, count) pair, also those that "
                           "min_freq leaves out of the vocabulary.",
                           when=lambda g, w: isinstance(g, list) and len(g) < len(w))])


def test_vocab_without_tokens(kata):
    """Vocab() and Vocab([]) hold '<unk>' (and the reserved tokens) only"""
    for tokens, reserved in ((None, None), ([], None), ([[]], ["<pad>"]), (None, ["<bos>", "<eos>"])):
        inputs = {"tokens": tokens, "reserved_tokens": reserved}
        want = vocab_oracle(tokens, 0, reserved)
        prop = "Vocab(None or []) = ['<unk>'] + reserved tokens"
        out = vocab(kata, tokens, 0, reserved, prop=prop, lookups=["anything"])
        expect_vocab(out, want, prop, inputs, vocab_hints(tokens, 0, reserved))
        expect(out["lookups"] == [0] and out["token_freqs"] == [], "an empty vocabulary maps everything to 0 and "
               "has no token_freqs", inputs=inputs, expected=([0], []), got=(out["lookups"], out["token_freqs"]))


def test_vocab_tuple_tokens(kata):
    """a vocabulary of bigrams (tuples) keeps the tuples as tokens, found through token_to_idx"""
    words = [t for line in BOOKISH for t in line]
    bigrams = list(zip(words[:-1], words[1:]))
    inputs = {"tokens": f"the {len(bigrams)} bigrams of the excerpt (tuples)"}
    prop = "Vocab(list of tuples): each tuple is one token (d2l §8.3's bigram vocabulary)"
    out = vocab(kata, bigrams, prop=prop, lookups=[bigrams[0]])
    want = vocab_oracle(bigrams)
    expect_vocab(out, want, prop, inputs, vocab_hints(bigrams) + [
        Hint(TWO_D_TEXT, when=lambda g, w: isinstance(g, list) and not any(type(t) is tuple for t in g))])
    first = bigrams[0]
    expect(out["lookups"][0] == [want.index(first[0]) if first[0] in want else 0,
                                 want.index(first[1]) if first[1] in want else 0],
           "vocab[tuple] looks the elements up one by one (as the book): a bigram is found via token_to_idx",
           inputs={"looked up": first}, expected=[0, 0], got=out["lookups"][0], hints=lookup_hints())


def test_vocab_does_not_modify_its_arguments(kata):
    """Vocab leaves the caller's tokens and reserved_tokens lists as they were"""
    for reserved in (["<pad>", "<bos>"], ["<unk>", "<pad>"]):
        tokens = [["the", "time"], ["the", "<pad>"]]
        out = vocab(kata, tokens, 0, reserved, prop="Vocab(tokens, 0, reserved_tokens) builds a vocabulary")
        expect(out["changed"] == [], "Vocab does not modify its arguments",
               inputs={"tokens": tokens, "reserved_tokens": reserved}, expected="no argument changed",
               got=f"changed: {', '.join(out['changed'])}",
               hints=["build a new list, e.g. ['<unk>'] followed by the reserved tokens you add: "
                      "reserved_tokens.insert(...) or self.idx_to_token = reserved_tokens; ....append(...) changes "
                      "the caller's list."])


def test_vocab_flat_and_lines_agree(kata):
    """a flat token list and the same tokens as lines give the same vocabulary"""
    flat = [t for line in BOOKISH for t in line]
    a = vocab(kata, flat, prop="Vocab(flat tokens)")
    b = vocab(kata, BOOKISH, prop="Vocab(lines of tokens)")
    expect(a["idx_to_token"] == b["idx_to_token"] == vocab_oracle(flat),
           "Vocab(flat) and Vocab(lines) list the same tokens in the same order", inputs={"tokens": "the excerpt"},
           expected=vocab_oracle(flat), got={"flat": a["idx_to_token"], "lines": b["idx_to_token"]},
           hints=vocab_hints(flat))


# ================================================================================================ load_corpus
def _load(kata, path, text, max_tokens=None):
    args = (path,) if max_tokens is None else (path, max_tokens)
    inputs = {"file contents": repr(text), **({} if max_tokens is None else {"max_tokens": max_tokens})}
    prop = "load_corpus_time_machine(path) returns (corpus, vocab)"
    got = call(kata.load_corpus_time_machine, *args, prop=prop, inputs=inputs, catch=CATCH,
               hints=read_hints(text))
    expect(isinstance(got, tuple) and len(got) == 2, prop, inputs=inputs, expected="a pair (corpus, vocab)",
           got=got)
    corpus, voc = got
    expect(isinstance(corpus, list) and all(type(i) is int for i in corpus),
           "the corpus is a list of Python ints (one index per character)", inputs=inputs,
           expected="a list of int", got=f"{type(corpus).__name__}: {corpus!r}"[:300],
           hints=["return the list [vocab[token] for ...] itself (not a tensor: the iterators of §8.3 take a list)."])
    desc = run_beside(kata, describe_vocab, voc)
    if is_error(desc["idx_to_token"]):
        fail(prop, inputs=inputs, expected="a Vocab as the second element", got=err_text(desc["idx_to_token"]))
    return corpus, desc, inputs


def load_hints(text, max_tokens=-1):
    lines = read_oracle(text)
    full = "".join(lines)
    idx = vocab_oracle([list(line) for line in lines])

    def decoded(g):
        voc, corpus = g
        try:
            return "".join(voc[i] for i in corpus)
        except (IndexError, TypeError):
            return None

    return [
        Hint("the lines are concatenated WITHOUT a separator: the corpus spells ''.join(lines) (a space or newline "
             "between lines is a token the text does not contain).",
             when=lambda g, w: decoded(g) in (" ".join(lines), "\n".join(lines)) and len(lines) > 1),
        Hint("the tokens are characters (tokenize(lines, 'char')), spaces included.",
             when=lambda g, w: decoded(g) is not None and " " not in g[0] and " " in full),
        Hint("build the vocabulary from the whole text first, then cut the corpus to max_tokens (the vocabulary "
             "must not depend on max_tokens).",
             when=lambda g, w: isinstance(g[0], list) and g[0] != idx and max_tokens > 0),
        Hint("max_tokens = -1 (or 0) means 'keep everything': corpus[:max_tokens] with max_tokens = -1 drops the "
             "last token. Cut only when max_tokens > 0.",
             when=lambda g, w: decoded(g) == full[:-1] and max_tokens <= 0),
    ]


@pytest.mark.core("load_corpus_time_machine")
def test_load_corpus_spells_the_text(kata, tmp_path_factory):
    """load_corpus_time_machine(path) gives the character indices of ''.join(lines) and the character vocabulary"""
    for text in (EXCERPT_A, EXCERPT_B):
        path = write(tmp_path_factory, text)
        corpus, desc, inputs = _load(kata, path, text)
        lines = read_oracle(text)
        want_idx = vocab_oracle([list(line) for line in lines])
        voc = desc["idx_to_token"]
        hints = _load_hints_on(text, -1, voc, corpus)
        expect(voc == want_idx, "the vocabulary is Vocab(tokenize(lines, 'char')) of the whole text", inputs=inputs,
               expected=want_idx, got=voc, hints=hints + vocab_hints([list(line) for line in lines]))
        want = [want_idx.index(c) for c in "".join(lines)]
        spelled = "".join(voc[i] if 0 <= i < len(voc) else "?" for i in corpus)
        expect(corpus == want, "corpus = [vocab[c] for c in ''.join(lines)]: it spells the text back", inputs=inputs,
               expected="".join(lines)[:200], got=spelled[:200], hints=hints)


def _load_hints_on(text, max_tokens, voc, corpus):
    """load_hints decided on the learner's (vocabulary, corpus), whatever a check's got/expected are."""
    return [h.text for h in load_hints(text, max_tokens) if h.applies((voc, corpus), None)]


def test_load_corpus_max_tokens(kata, tmp_path_factory):
    """max_tokens > 0 keeps the first max_tokens indices; the vocabulary does not depend on max_tokens"""
    text = EXCERPT_A
    path = write(tmp_path_factory, text)
    lines = read_oracle(text)
    want_idx = vocab_oracle([list(line) for line in lines])
    full = [want_idx.index(c) for c in "".join(lines)]
    for k in (1, 50, 123, -1, 0, len(full) + 10):
        corpus, desc, inputs = _load(kata, path, text, k)
        want = full[:k] if k > 0 else full
        voc = desc["idx_to_token"]
        hints = _load_hints_on(text, k, voc, corpus)
        expect(voc == want_idx, "the vocabulary is built from the whole text, whatever max_tokens is",
               inputs=inputs, expected=want_idx, got=voc, hints=hints)
        expect(corpus == want, "max_tokens > 0 keeps the first max_tokens tokens; max_tokens ≤ 0 keeps all",
               inputs=inputs, expected=f"{len(want)} tokens: {want[:40]}", got=f"{len(corpus)} tokens: {corpus[:40]}",
               hints=hints)
