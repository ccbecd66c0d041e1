"""Fake language models for the graders of ch9/beam_search.py: ``logp_fn`` objects that the graders pass into the
learner's searches. They run where the learner's code runs (the sandboxed worker, or the grading process) and record
the prefixes they are called with. Visible to learners; no oracle lives here (the right answers are computed in
tests/ch9/test_beam_search.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import math
import random

import torch

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)
_MASK = (1 << 63) - 1


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def _key(prefix) -> tuple:
    """The prefix as a tuple of Python ints (a list, a tuple or a 1-D tensor is accepted)."""
    return tuple(int(t) for t in prefix)


class RandomLM:
    """``logp_fn(prefix) -> (V,) float64 log-probabilities of the next token``: a fixed pseudo-random function of
    the whole prefix (``[bos] + generated``), the same on every call and in every process.

    The logits are ``temperature · N(0, 1)`` drawn by ``random.Random`` seeded from (seed, prefix), plus
    ``eos_bias + eos_slope · (number of generated tokens)`` on the ``eos`` entry (so that sequences end at various
    lengths); the result is their log-softmax
    (computed in Python floats, so that a call costs one torch operation). Every call is recorded in ``calls``
    (as a tuple of ints); rows already computed are remembered in ``rows``."""

    def __init__(self, vocab_size: int, seed: int, temperature: float = 1.5, eos: int | None = None,
                 eos_bias: float = 0.0, eos_slope: float = 0.0):
        self.vocab_size, self.seed, self.temperature = int(vocab_size), int(seed), float(temperature)
        self.eos, self.eos_bias, self.eos_slope = eos, float(eos_bias), float(eos_slope)
        self.calls: list[tuple] = []
        self.rows: dict[tuple, list[float]] = {}

    def _seed_of(self, key: tuple) -> int:
        h = (self.seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK
        for t in key:
            h = ((h ^ (t + 0x2545F491)) * 0x100000001B3 + 0x9E37) & _MASK
        return h

    def row(self, key: tuple) -> list[float]:
        """The log-probabilities after ``key`` as V Python floats."""
        if key not in self.rows:
            rng = random.Random(self._seed_of(key))
            logits = [self.temperature * rng.gauss(0.0, 1.0) for _ in range(self.vocab_size)]
            if self.eos is not None:
                logits[self.eos] += self.eos_bias + self.eos_slope * (len(key) - 1)
            m = max(logits)
            lse = m + math.log(math.fsum(math.exp(v - m) for v in logits))
            self.rows[key] = [v - lse for v in logits]
        return self.rows[key]

    def __call__(self, prefix) -> torch.Tensor:
        key = _key(prefix)
        self.calls.append(key)
        return torch.tensor(self.row(key), dtype=torch.float64)                                    # (V,)

    def __repr__(self):
        return (f"RandomLM(vocab_size={self.vocab_size}, seed={self.seed}, temperature={self.temperature:g}, "
                f"eos={self.eos}, eos_bias={self.eos_bias:.3g}"
                + (f", eos_slope={self.eos_slope:.3g})" if self.eos_slope else ")"))


class TableLM:
    """``logp_fn`` from a table: ``probs[tuple(generated)]`` is the next-token distribution after
    ``[bos] + generated`` (a list of V probabilities, zeros allowed). Prefixes not in the table (or not starting
    with ``bos``) get the uniform distribution, or, with ``seed``, the rows of ``RandomLM(vocab_size, seed)`` (so
    that no two continuations tie). Every call is recorded in ``calls``."""

    def __init__(self, vocab_size: int, bos: int, probs: dict, name: str = "a hand-made model",
                 seed: int | None = None):
        self.vocab_size, self.bos, self.name, self.seed = int(vocab_size), int(bos), name, seed
        self.probs = {tuple(k): [float(p) for p in v] for k, v in probs.items()}
        self.fallback = None if seed is None else RandomLM(vocab_size, seed, temperature=1.0)
        self.calls: list[tuple] = []

    def __call__(self, prefix) -> torch.Tensor:
        key = _key(prefix)
        self.calls.append(key)
        row = self.probs.get(key[1:]) if key[:1] == (self.bos,) else None
        if row is not None:
            return torch.tensor([math.log(p) if p > 0 else -math.inf for p in row], dtype=torch.float64)  # (V,)
        if self.fallback is not None:
            return torch.tensor(self.fallback.row(key), dtype=torch.float64)                          # (V,)
        return torch.full((self.vocab_size,), -math.log(self.vocab_size), dtype=torch.float64)          # (V,)

    def __repr__(self):
        return f"TableLM({self.name}, vocab_size={self.vocab_size}, bos={self.bos})"


def search_with_calls(fn, model, *args, **kwargs):
    """``fn(model, *args, **kwargs)`` with ``model.calls`` emptied first. Returns ``(result, calls)``, where result
    is what ``fn`` returned, or "ExceptionType: message" when it raised, and calls the prefixes ``model`` saw."""
    model.calls = []
    try:
        out = fn(model, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}", list(model.calls)
    return out, list(model.calls)
