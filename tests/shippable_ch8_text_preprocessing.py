"""Probes for the graders of ch8/text_preprocessing.py: they run where the learner's code runs (the sandboxed worker,
or the grading process) and return plain data, so that one call reads a whole vocabulary. Visible to learners; no
oracle lives here (what the probes report is compared with the graders' own computation in
tests/ch8/test_text_preprocessing.py).

Imports: the standard library only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import copy

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)
ERROR = "__kata_error__"   # {ERROR: "ExceptionType: message"} marks a value the learner's code could not produce


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def _error(e: BaseException) -> dict:
    return {ERROR: f"{type(e).__name__}: {str(e)[:300]}"}


def _grab(f):
    try:
        return f()
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return _error(e)


def result_type(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` described as (the names of its type's classes, most derived first; its items as a
    list of (key, value) pairs if it is a mapping, else None), or {ERROR: ...}."""
    out = _grab(lambda: fn(*args, **kwargs))
    if isinstance(out, dict) and ERROR in out and len(out) == 1:
        return out
    names = [f"{c.__module__}.{c.__qualname__}" for c in type(out).__mro__]
    items = list(out.items()) if isinstance(out, dict) else None
    return names, items


def describe_vocab(vocab, lookups=(), indices=()):
    """Everything a grader asks of a vocabulary, read in one call: ``idx_to_token`` (as a list), ``token_to_idx``
    (as a dict), ``len``, ``unk``, ``token_freqs`` (as a list), ``vocab[q]`` for every q in ``lookups`` and
    ``vocab.to_tokens(i)`` for every i in ``indices``. A part that raises is {ERROR: "Type: message"}."""
    return {
        "idx_to_token": _grab(lambda: list(vocab.idx_to_token)),
        "token_to_idx": _grab(lambda: dict(vocab.token_to_idx)),
        "len": _grab(lambda: len(vocab)),
        "unk": _grab(lambda: vocab.unk),
        "token_freqs": _grab(lambda: [tuple(p) for p in vocab.token_freqs]),
        "lookups": [_grab(lambda q=q: vocab[q]) for q in lookups],
        "to_tokens": [_grab(lambda i=i: vocab.to_tokens(i)) for i in indices],
    }


def build_vocab(Vocab, tokens, *args, lookups=(), indices=(), **kwargs):
    """``Vocab(tokens, *args, **kwargs)``, then :func:`describe_vocab`; also reports whether the arguments were
    changed (``"changed"``: the names of the arguments whose value differs afterwards). {ERROR: ...} if the
    constructor raises."""
    before = copy.deepcopy((tokens, args, kwargs))
    try:
        vocab = Vocab(tokens, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return _error(e)
    out = describe_vocab(vocab, lookups, indices)
    changed = []
    if tokens != before[0]:
        changed.append("tokens")
    for i, (a, b) in enumerate(zip(args, before[1])):
        if a != b:
            changed.append(["min_freq", "reserved_tokens"][i] if i < 2 else f"argument {i + 2}")
    for k in kwargs:
        if kwargs[k] != before[2][k]:
            changed.append(k)
    out["changed"] = changed
    return out
