# Generated from solutions/ch9/beam_search.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Greedy, exhaustive and beam search · 束搜索

d2l-zh §9.8 (束搜索). The learner's note: "优化的方法:束搜索".

The story. A trained decoder gives, at every step, a distribution over the next token given what it has produced so
far. Turning that into one output sequence is a search problem over |V|^T' sequences. *Greedy search* takes the most
likely token at every step: cheap, but the best first step is not always the start of the best sequence (the book's
0.048 versus 0.054 example). *Exhaustive search* scores every sequence: optimal and hopeless (10000^10 sequences).
*Beam search* keeps the k best partial sequences at each step: k = 1 is greedy, and a beam as large as the number
of sequences is exhaustive. The final choice divides log P by L^α (α = 0.75) so that long sequences, which add more
negative log terms, are not always beaten by short ones.

The three searches share one interface: a language model ``logp_fn(prefix) -> Tensor (V,)`` of next-token
log-probabilities, where ``prefix = [bos] + generated`` is a list of ints, and they return ``(tokens, score)`` with
``tokens`` the generated tokens (without ``bos``, with the final ``<eos>`` if there is one) and ``score`` the
length-normalised log-probability that :func:`sequence_score` gives for them.
"""
import math

import torch


def sequence_score(logp_fn, bos: int, tokens: list, alpha: float = 0.75) -> float:
    """The book's length-normalised score of a sequence (d2l §9.8, eq. beam-search-score):

        score = (1 / L^α) · Σ_{t=1..L} log P(y_t | bos, y_1, …, y_{t−1}),     L = len(tokens)

    where log P(y_t | …) = ``logp_fn([bos] + tokens[:t−1])[y_t]`` (Python slicing: the prefix before y_t).

    Args:
        logp_fn: the model; ``logp_fn(prefix)`` takes a list of ints starting with ``bos`` and returns a tensor of
            shape (V,) of next-token log-probabilities.
        bos: the beginning-of-sequence token id (the first element of every prefix; never scored).
        tokens: the generated tokens, a non-empty list of ints; a final ``<eos>`` is a token like the others here
            and is counted in L.
        alpha: the length-normalisation exponent (0 gives the plain log-probability).

    Returns:
        a Python float (a 0-d tensor is accepted).

    Calls ``logp_fn`` once per token (len(tokens) calls).

    Forbidden: nothing beyond the d2l package; write it yourself.
    """
    raise NotImplementedError("KATA-STUB ch9.beam_search.sequence_score: not implemented yet - replace this line with your code")


def greedy_search(logp_fn, bos: int, eos: int, max_len: int, alpha: float = 0.75):
    """Greedy search (d2l §9.8.1): at every step take the most likely next token,
    y_t = argmax_y P(y | bos, y_1, …, y_{t−1}); stop right after producing ``eos``, or after ``max_len`` tokens.

    Args:
        logp_fn, bos: as in :func:`sequence_score`.
        eos: the end-of-sequence token id.
        max_len: the largest number of generated tokens (≥ 1), ``<eos>`` included.
        alpha: the length-normalisation exponent of the returned score.

    Returns:
        ``(tokens, score)``: ``tokens`` a list of ints — the generated tokens without ``bos``, ending with ``eos``
        when it was produced (nothing after it), at most ``max_len`` of them; ``score`` =
        ``sequence_score(logp_fn, bos, tokens, alpha)`` (L counts the final ``<eos>``), a Python float (a 0-d
        tensor is accepted; so is a tuple of ints or a 1-D int64 tensor for ``tokens``).

    Calls ``logp_fn`` once per generated token. Ties: the graders' models have none; any tie rule is accepted.

    Forbidden: nothing beyond the d2l package; write it yourself.
    """
    raise NotImplementedError("KATA-STUB ch9.beam_search.greedy_search: not implemented yet - replace this line with your code")


def exhaustive_search(logp_fn, bos: int, eos: int, max_len: int, alpha: float = 0.75):
    """Exhaustive search (d2l §9.8.2): the best of **every** candidate sequence by log P / L^α.

    A candidate is a sequence that ends at its first ``<eos>`` (length 1..max_len, the ``<eos>`` included), or a
    sequence of exactly ``max_len`` tokens without ``<eos>``. Nothing follows an ``<eos>``: once a sequence has
    ended, its continuations are not candidates. A prefix that has not ended is not a candidate either.

    Args and returns: as :func:`greedy_search` (``score`` is the normalised score of the best candidate, L counting
    its final ``<eos>``). The number of candidates grows like |V|^max_len: use tiny vocabularies.

    Ties: the graders' models have none; any tie rule is accepted.

    Forbidden: nothing beyond the d2l package; write it yourself.
    """
    raise NotImplementedError("KATA-STUB ch9.beam_search.exhaustive_search: not implemented yet - replace this line with your code")


def beam_search(logp_fn, bos: int, eos: int, beam_size: int, max_len: int, alpha: float = 0.75):
    """Beam search (d2l §9.8.3) with length normalisation.

    Start from one empty hypothesis (log P = 0). At each step:

    1. extend every *live* hypothesis by every token of the vocabulary (log P adds ``logp_fn([bos] + hyp)[y]``);
    2. keep the ``beam_size`` best extensions by their **raw** log-probability (all extensions of one step have the
       same length, so this is also the order of their normalised scores);
    3. a kept extension that ends in ``eos``, or has ``max_len`` tokens, is *finished*: it leaves the beam for good
       (it is never extended and never competes for a slot again); the others are the live hypotheses of the next
       step — there may be fewer than ``beam_size`` of them, and the next step keeps ``beam_size`` extensions
       again.

    Stop when no hypothesis is live. Return the finished hypothesis with the best normalised score
    log P / L^α, where **L counts the final** ``<eos>``, together with that score.

    Args:
        logp_fn, bos, eos, max_len, alpha: as in :func:`greedy_search`.
        beam_size: k ≥ 1, the number of extensions kept per step.

    Returns:
        ``(tokens, score)`` as :func:`greedy_search`: tokens without ``bos``, ending with ``eos`` or of length
        ``max_len``, nothing after an ``<eos>``; ``score`` equals ``sequence_score(logp_fn, bos, tokens, alpha)``.

    Conventions (the catalogue's Clarifications): beam_size = 1 is greedy search; beam_size ≥ |V|^max_len is
    exhaustive search. The candidates are the finished hypotheses only; a prefix that merely stayed in the beam is
    not a candidate (the book's figure lists prefixes, read here as "every finished sequence"). A larger beam is
    not always better. Ties: the graders' models have none; any tie rule is accepted.

    Cost: one ``logp_fn`` call per live hypothesis per step, at most beam_size · max_len calls; graders allow
    (beam_size + 1) · max_len + 1 (room for rescoring the winner with :func:`sequence_score`).

    Forbidden: nothing beyond the d2l package; write it yourself.
    """
    raise NotImplementedError("KATA-STUB ch9.beam_search.beam_search: not implemented yet - replace this line with your code")
