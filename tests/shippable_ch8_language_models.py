"""Probes for the graders of ch8/language_models.py: they run where the learner's code runs (the sandboxed worker, or
the grading process) and return plain data, so that many epochs of an iterator cost one call. Visible to learners;
no oracle lives here (what the probes report is checked in tests/ch8/test_language_models.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import random
import sys

import torch

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)
ERROR = "__kata_error__"   # {ERROR: "ExceptionType: message"} marks an epoch the learner's code could not produce


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def _reseed_global(s: int) -> None:
    """Put the global RNGs (torch's CPU generator, random, numpy if it is loaded) in a state that depends on s."""
    torch.default_generator.manual_seed(s)
    random.seed(s)
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed(s % 2**32)


def epochs(fn, corpus, batch_size, num_steps, seeds, scramble=None):
    """One epoch of ``fn(corpus, batch_size, num_steps, generator=torch.Generator().manual_seed(s))`` for every s
    in ``seeds`` (``None``: no generator argument), each as the list of what it yields (each item as a tuple).
    With ``scramble``, the global RNGs are reseeded with ``scramble[k]`` before epoch k. An epoch whose code raises
    is {ERROR: "Type: message"}."""
    out = []
    for k, s in enumerate(seeds):
        if scramble is not None:
            _reseed_global(scramble[k])
        try:
            if s is None:
                it = fn(corpus, batch_size, num_steps)
            else:
                it = fn(corpus, batch_size, num_steps, generator=torch.Generator().manual_seed(s))
            out.append([tuple(item) if isinstance(item, (tuple, list)) else item for item in it])
        except Exception as e:  # noqa: BLE001 - reported as data
            if _passes_through(e):
                raise
            out.append({ERROR: f"{type(e).__name__}: {str(e)[:300]}"})
    return out


def _raw(fn):
    """The learner's own function (in the grading process the seam wraps it, and the wrapper turns *every*
    NotImplementedError raised in learner code into "not started" — also torch's "no Meta kernel" one)."""
    return getattr(fn, "__wrapped__", fn)


def on_meta(fn, specs, *args):
    """``fn(*tensors, *args)`` with one empty ``meta`` tensor per (shape, dtype name) in ``specs``; returns
    (shape, dtype name, device type) of the result, or "ExceptionType: message"."""
    tensors = [torch.empty(tuple(shape), dtype=getattr(torch, dtype), device="meta") for shape, dtype in specs]
    try:
        out = _raw(fn)(*tensors, *args)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    if not isinstance(out, torch.Tensor):
        return f"not a tensor: {type(out).__name__}"
    return (tuple(out.shape), str(out.dtype).removeprefix("torch."), out.device.type)
