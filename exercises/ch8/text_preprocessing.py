# Generated from solutions/ch8/text_preprocessing.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Text preprocessing and vocabularies · 文本预处理与词表

d2l-zh §8.2 (文本预处理): the book's `read_time_machine`, `tokenize`, `count_corpus`, `Vocab` and
`load_corpus_time_machine`, with a `path` argument instead of the download (nothing here touches the network).

The story. The learner's notes put the whole section in one line: "1. 将文本作为字符串加载到内存中, 2. 将字符串拆分为
词元(如单词或字符) 3. 建立一个词表,将拆分的词元映射到数字索引 4. 将文本转化为数字索引序列,以方便模型操作". Every
later chapter (RNNs, seq2seq, attention) eats the integer sequences these five functions produce, so their small
decisions matter: which characters survive cleaning, whether a space is a token, and above all the order of the
vocabulary. A model's embedding row 7 means "the token at index 7", so two runs (or two students) that order equal
frequencies differently build different models from the same text. The book's order is: the unknown token
`<unk>` at index 0, then the reserved tokens (`<pad>`, `<bos>`, `<eos>`: "填充词元, 序列开始词元, 序列结束词元"),
then the corpus tokens by descending frequency, equal frequencies in order of first appearance. Words or
characters ("词元化:有用字符的,也有用单词的"): the book's language models of chapter 8 use characters.

Two places where this kata departs from the book's code, on purpose:

* the book builds ``['<unk>'] + reserved_tokens``, so reserving ``'<unk>'`` yourself lists it twice and then maps
  it to index 1; here ``<unk>`` is always index 0 and appears once;
* the book's ``tokenize`` prints a message and returns None for an unknown token type; here it raises ValueError.
"""
import collections
import re


def read_time_machine(path) -> list[str]:
    """Read a text file into a list of cleaned lines (d2l §8.2.1, on a file you are given).

    Every line of the file (as ``readlines()`` splits it) becomes one string:

        each run of characters outside A-Z / a-z (digits, punctuation, whitespace, accented letters, ...)
        → replaced by ONE space, then leading/trailing spaces removed, then lower-cased.

    ``"The Time-Machine, 1895!"`` → ``"the time machine"``. A line with no letters becomes ``''`` and is kept
    (the list has exactly one entry per line of the file; an empty file gives ``[]``).

    Args:
        path: a ``str`` or ``pathlib.Path`` of a UTF-8 text file (open it with ``encoding="utf-8"``).

    Returns:
        list of str, one per line, containing only ``a-z`` and single spaces.

    Forbidden: the ``d2l`` package, ``torchtext`` and ``nltk`` (the book's functions are the exercise).
    """
    raise NotImplementedError("KATA-STUB ch8.text_preprocessing.read_time_machine: not implemented yet - replace this line with your code")


def tokenize(lines: list[str], token: str = "word") -> list[list[str]]:
    """Split every line into tokens (词元), d2l §8.2.2.

    * ``token="word"``: the words of the line, split at any run of whitespace (spaces, tabs, ...); leading or
      trailing whitespace gives no empty tokens, and an empty line gives ``[]``.
    * ``token="char"``: every character of the line, **spaces included** (a space is how a character model
      learns where words end); ``''`` gives ``[]``.
    * any other value raises ``ValueError`` whose message names the unknown type (the book prints and returns
      None, which only fails later and far away).

    Args:
        lines: list of str.
        token: ``"word"`` or ``"char"``.

    Returns:
        list (one per line) of lists of str.

    Forbidden: the ``d2l`` package, ``torchtext`` and ``nltk`` (no library tokenizer).
    """
    raise NotImplementedError("KATA-STUB ch8.text_preprocessing.tokenize: not implemented yet - replace this line with your code")


def count_corpus(tokens) -> collections.Counter:
    """Count how often every token occurs (d2l §8.2.3).

    ``tokens`` is either a list of tokens (1-D) or a list of lines, each a list of tokens (2-D). It is 2-D iff it is
    non-empty and its **first element is a list**; anything else in a 1-D list is a token, whatever its type
    (strings, ints such as corpus indices, tuples such as bigrams ``("the", "time")``). Every occurrence counts.

    Examples: ``[["a", "b"], ["a"]]`` → ``Counter({"a": 2, "b": 1})``; ``[3, 1, 3]`` → ``Counter({3: 2, 1: 1})``;
    ``[("a", "b"), ("a", "b")]`` → ``Counter({("a", "b"): 2})``; ``[]`` and ``[[]]`` → ``Counter()``.

    Returns:
        a ``collections.Counter`` (its keys in order of first occurrence, which is what ``Vocab`` builds on).

    Forbidden: the ``d2l`` package, ``torchtext`` and ``nltk``.
    """
    raise NotImplementedError("KATA-STUB ch8.text_preprocessing.count_corpus: not implemented yet - replace this line with your code")


class Vocab:
    """A vocabulary (词表): tokens ↔ integer indices (d2l §8.2.3).

    ``Vocab(tokens=None, min_freq=0, reserved_tokens=None)``; ``tokens`` as for :func:`count_corpus` (1-D or 2-D;
    None means no tokens).

    The order of ``idx_to_token`` (a list):

    1. ``'<unk>'`` at index 0, always, and only there (``unk`` is 0);
    2. the reserved tokens in the order given, each once (a repeated one, or ``'<unk>'`` itself, is not listed
       again);
    3. the corpus tokens with frequency ≥ ``min_freq``, by **descending frequency, equal frequencies in order of
       first occurrence** in the (flattened) corpus (the book's order). A corpus token that is already listed (a
       reserved token that also occurs in the text) keeps its earlier index.

    Attributes and methods:

    * ``idx_to_token`` (list) and ``token_to_idx`` (dict), inverse of each other;
    * ``len(vocab)`` = the number of tokens listed;
    * ``vocab[token]`` → its index, **0 for a token not in the vocabulary**; ``vocab[list_or_tuple]`` looks every
      element up (recursively: ``vocab[[["a"], ["b", "c"]]]`` is a list of lists). A tuple is therefore looked up
      element-wise, so a bigram token ``("a", "b")`` is found through ``token_to_idx[("a", "b")]``;
    * ``vocab.to_tokens(index)`` → the token; ``vocab.to_tokens(list_of_indices)`` → list of tokens;
    * ``vocab.unk`` → 0;
    * ``vocab.token_freqs`` → every counted token as ``(token, frequency)`` pairs in the order of rule 3, **including**
      tokens below ``min_freq`` (it describes the corpus, not the vocabulary).

    The arguments are not modified (``reserved_tokens`` is the caller's list).

    Forbidden: the ``d2l`` package, ``torchtext`` and ``nltk``.
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        raise NotImplementedError("KATA-STUB ch8.text_preprocessing.Vocab.__init__: not implemented yet - replace this line with your code")

    def __len__(self):
        raise NotImplementedError("KATA-STUB ch8.text_preprocessing.Vocab.__len__: not implemented yet - replace this line with your code")

    def __getitem__(self, tokens):
        raise NotImplementedError("KATA-STUB ch8.text_preprocessing.Vocab.__getitem__: not implemented yet - replace this line with your code")

    def to_tokens(self, indices):
        raise NotImplementedError("KATA-STUB ch8.text_preprocessing.Vocab.to_tokens: not implemented yet - replace this line with your code")

    @property
    def unk(self):
        raise NotImplementedError("KATA-STUB ch8.text_preprocessing.Vocab.unk: not implemented yet - replace this line with your code")

    @property
    def token_freqs(self):
        raise NotImplementedError("KATA-STUB ch8.text_preprocessing.Vocab.token_freqs: not implemented yet - replace this line with your code")


def load_corpus_time_machine(path, max_tokens: int = -1):
    """The whole pipeline on one file (d2l §8.2.4): ``(corpus, vocab)`` of **character** tokens.

    1. ``lines = read_time_machine(path)``;
    2. character tokens of every line (spaces are tokens), the lines concatenated **without a separator** (the
       book's corpus is one long stream: ``''.join(lines)`` spelled out as tokens);
    3. ``vocab = Vocab(...)`` of those characters, built from the **whole** text;
    4. ``corpus`` = the index of every character, in order; if ``max_tokens > 0`` only its first ``max_tokens``
       entries are kept (the vocabulary stays that of the whole text, so it does not depend on ``max_tokens``;
       ``max_tokens ≤ 0`` keeps everything).

    Returns:
        ``(corpus, vocab)``: ``corpus`` a list of Python ints, ``vocab`` your :class:`Vocab`.
        ``vocab.to_tokens(corpus)`` spells the text back (``''.join(...) == ''.join(lines)`` without a limit).

    Forbidden: the ``d2l`` package, ``torchtext`` and ``nltk``.
    """
    raise NotImplementedError("KATA-STUB ch8.text_preprocessing.load_corpus_time_machine: not implemented yet - replace this line with your code")
