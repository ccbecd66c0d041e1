"""Probes for the graders of ch6/conv.py: they run where the learner's code runs (the sandboxed worker, or the grading
process) and return plain data. Visible to learners; no oracle lives here (what the probes report is compared with
the graders' own computation in tests/ch6/test_conv.py).

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


def describe(Y) -> tuple | str:
    """(shape, dtype name, device type) of a tensor, or a description of what else it is."""
    if not isinstance(Y, torch.Tensor):
        return f"not a tensor: {type(Y).__name__}"
    return (tuple(Y.shape), str(Y.dtype).removeprefix("torch."), Y.device.type)


def corr2d_on_meta(fn, x_shape, k_shape, dtype=torch.float32):
    """``fn(X, K)`` for X, K on the ``meta`` device (no data: the cheap stand-in for a GPU), described as
    (shape, dtype name, device type), or "ExceptionType: message" when it raises."""
    X = torch.empty(tuple(x_shape), dtype=dtype, device="meta")
    K = torch.empty(tuple(k_shape), dtype=dtype, device="meta")
    try:
        Y = _raw(fn)(X, K)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    return describe(Y)


def forward_with(layer, weight, bias, x):
    """Copy ``weight`` and ``bias`` into ``layer.weight`` and ``layer.bias`` (in place, without recording a
    graph), then return ``layer(x)`` detached — or "ExceptionType: message" when something fails."""
    try:
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        Y = layer(x)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    return Y.detach().clone() if isinstance(Y, torch.Tensor) else f"not a tensor: {type(Y).__name__}"
