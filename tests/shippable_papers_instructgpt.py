"""Probes for the graders of papers/instructgpt.py: they run where the learner's code runs (the sandboxed worker, or
the grading process) and return plain data. Visible to learners; no oracle lives here.

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


def _describe(value):
    """(shape, dtype name, device type) of a tensor; a list of those for a tuple/list; else a description."""
    if isinstance(value, torch.Tensor):
        return (tuple(value.shape), str(value.dtype).removeprefix("torch."), value.device.type)
    if isinstance(value, (tuple, list)):
        return [_describe(v) for v in value]
    return f"not a tensor: {type(value).__name__}"


def call_on_meta(fn, specs, kwargs=None):
    """``fn(*args, **kwargs)`` where each spec ``("tensor", shape, dtype name)`` becomes an empty tensor on the
    ``meta`` device and any other spec is passed as it is. Returns the result described by ``_describe``, or
    "ExceptionType: message" when the call raises."""
    args = [torch.empty(tuple(s[1]), dtype=getattr(torch, s[2]), device="meta")
            if isinstance(s, tuple) and len(s) == 3 and s[0] == "tensor" else s for s in specs]
    try:
        out = _raw(fn)(*args, **(kwargs or {}))
    except Exception as e:  # noqa: BLE001 - reported as data, judged by the grader
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {e}"
    return _describe(out)
