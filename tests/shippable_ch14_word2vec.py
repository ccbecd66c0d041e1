"""Probes and stand-ins for the graders of ch14/word2vec.py: they run where the learner's code runs (the sandboxed
worker, or the grading process) and return plain data. Visible to learners; no oracle lives here (what the probes
report is compared with the graders' own computation in tests/ch14/test_word2vec.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch


class ListSampler:
    """A stand-in for a negative sampler: ``sample(num)`` returns ``num`` ids drawn i.i.d. from ``probs`` with its
    own generator (seeded ``seed``); ``probs`` is public, like NegativeSampler's. Counts every id it hands out."""

    def __init__(self, probs, seed: int):
        self.probs = torch.as_tensor(probs, dtype=torch.float64)
        self.generator = torch.Generator().manual_seed(int(seed))
        self.drawn = 0

    def sample(self, num: int) -> torch.Tensor:
        num = int(num)
        self.drawn += num
        if num <= 0:
            return torch.zeros(0, dtype=torch.int64)
        return torch.multinomial(self.probs, num, replacement=True, generator=self.generator)


def negatives_with(fn, all_contexts, probs, seed, K):
    """``fn(all_contexts, ListSampler(probs, seed), K)``; returns (the negatives, how many ids the sampler handed
    out)."""
    sampler = ListSampler(probs, seed)
    out = fn(all_contexts, sampler, K)
    return out, sampler.drawn


def sampler_draws(cls, counts, num, seed=None, power=None, calls=1):
    """``cls(counts[, power], generator=Generator().manual_seed(seed))`` and ``calls`` calls of ``.sample(num)``,
    concatenated; returns (probs, draws) — or (probs, None) when ``num`` is None."""
    kwargs = {} if power is None else {"power": power}
    g = None if seed is None else torch.Generator().manual_seed(int(seed))
    sampler = cls(counts, generator=g, **kwargs)
    probs = sampler.probs
    if num is None:
        return probs, None
    draws = [sampler.sample(num) for _ in range(calls)]
    if all(isinstance(d, torch.Tensor) for d in draws):
        return probs, torch.cat([d.reshape(-1) for d in draws])
    return probs, draws


def _describe(t):
    if not isinstance(t, torch.Tensor):
        return type(t).__name__
    return tuple(t.shape), str(t.dtype).replace("torch.", ""), bool(t.requires_grad)


class _LossWatch:
    """Stands in for the learner's ``sgns_loss`` while ``train_word2vec`` runs: records every call and passes it on."""

    def __init__(self, fn):
        self.fn, self.calls, self.first, self.last_v_c = fn, 0, None, None

    def __call__(self, *args, **kwargs):
        self.calls += 1
        described = [_describe(a) for a in args] + [f"{k}=" + str(_describe(v)) for k, v in kwargs.items()]
        if self.first is None:
            self.first = described
        if args and isinstance(args[0], torch.Tensor):
            self.last_v_c = args[0].detach().clone()
        return self.fn(*args, **kwargs)


def train_watching_loss(train, *args, **kwargs):
    """``train(*args, **kwargs)`` (the learner's train_word2vec) with the module's ``sgns_loss`` replaced by a
    recording wrapper for the duration of the call (restored afterwards). Returns (the result, a report: the number
    of sgns_loss calls, the (shape, dtype, requires_grad) of the first call's arguments, and the centre vectors v_c
    of the last call)."""
    raw = getattr(train, "__wrapped__", train)
    namespace = getattr(raw, "__globals__", None)
    if namespace is None or "sgns_loss" not in namespace:
        return train(*args, **kwargs), {"calls": 0, "first": None, "last_v_c": None, "found": False}
    original = namespace["sgns_loss"]
    watch = _LossWatch(original)
    namespace["sgns_loss"] = watch
    try:
        out = train(*args, **kwargs)
    finally:
        namespace["sgns_loss"] = original
    return out, {"calls": watch.calls, "first": watch.first, "last_v_c": watch.last_v_c, "found": True}


_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def call_on_meta(fn, specs):
    """``fn(*args)`` where each spec is ``("tensor", shape, dtype name)`` (an empty tensor on the ``meta`` device)
    or ``("value", v)``; returns (shape, dtype name, device type) of the result, or "ExceptionType: message"."""
    args = [torch.empty(tuple(s[1]), dtype=getattr(torch, s[2]), device="meta") if s[0] == "tensor" else s[1]
            for s in specs]
    raw = getattr(fn, "__wrapped__", fn)
    try:
        out = raw(*args)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    if not isinstance(out, torch.Tensor):
        return f"not a tensor: {type(out).__name__}"
    return tuple(out.shape), str(out.dtype).replace("torch.", ""), out.device.type
