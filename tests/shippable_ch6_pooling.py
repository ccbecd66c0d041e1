"""Probes for the graders of ch6/pooling.py: they run where the learner's code runs (the sandboxed worker, or the
grading process) and return plain data. Visible to learners; no oracle lives here (what the probes report is compared
with the graders' own computation in tests/ch6/test_pooling.py).

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


def pool_on_meta(fn, x_shape, *args, dtype=torch.float32, **kwargs):
    """``fn(X, *args, **kwargs)`` for X on the ``meta`` device (no data: the cheap stand-in for a GPU), described as
    (shape, dtype name, device type), or "ExceptionType: message" when it raises."""
    X = torch.empty(tuple(x_shape), dtype=dtype, device="meta")
    try:
        Y = _raw(fn)(X, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    if not isinstance(Y, torch.Tensor):
        return f"not a tensor: {type(Y).__name__}"
    return (tuple(Y.shape), str(Y.dtype).removeprefix("torch."), Y.device.type)


def shares_memory_with_input(fn, X, *args, **kwargs):
    """Call ``fn(X, *args, **kwargs)`` and say whether the result shares X's memory: "shares" (a view of X, or X
    itself), "fresh", or "ExceptionType: message" / "not a tensor: ..."."""
    try:
        Y = fn(X, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    if not isinstance(Y, torch.Tensor):
        return f"not a tensor: {type(Y).__name__}"
    same = Y is X or Y.untyped_storage().data_ptr() == X.untyped_storage().data_ptr()
    return "shares" if same else "fresh"
