"""Probes for the graders of papers/naturalspeech2.py: they run where the learner's code runs (the sandboxed worker,
or the grading process) and return plain data. Visible to learners; no oracle lives here.

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure.
    (torch's "Cannot copy out of meta tensor" is a NotImplementedError too: that one is the learner's result.)"""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def _raw(fn):
    """The learner's own function (in the grading process the seam wraps it, and the wrapper turns *every*
    NotImplementedError raised in learner code into "not started")."""
    return getattr(fn, "__wrapped__", fn)


def call_on_meta(fn, specs):
    """``fn(*args)`` where each spec ``(shape, dtype name)`` becomes an empty tensor on the ``meta`` device.
    Returns (shape, dtype name, device type) of the result, or "ExceptionType: message" when the call raises."""
    args = [torch.empty(tuple(shape), dtype=getattr(torch, dtype), device="meta") for shape, dtype in specs]
    try:
        out = _raw(fn)(*args)
    except Exception as e:  # noqa: BLE001 - reported as data, judged by the grader
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {e}"
    if not isinstance(out, torch.Tensor):
        return f"not a tensor: {type(out).__name__}"
    return (tuple(out.shape), str(out.dtype).removeprefix("torch."), out.device.type)
