"""Probes for the graders of ch9/gated.py: they run where the learner's code runs (the sandboxed worker, or the grading
process) and return plain data. Visible to learners; no oracle lives here.

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)
META = "__meta__"          # ("__meta__", shape, dtype name): a tensor built on the meta device by the probe


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def _raw(fn):
    """The learner's own function (in the grading process the seam wraps it)."""
    return getattr(fn, "__wrapped__", fn)


def _build(spec):
    """Arguments from a spec: ("__meta__", shape, dtype) becomes an empty meta tensor; tuples, lists and dicts are
    built element-wise; anything else is passed as it is."""
    if isinstance(spec, tuple) and len(spec) == 3 and spec[0] == META:
        return torch.empty(tuple(spec[1]), dtype=getattr(torch, spec[2]), device="meta")
    if isinstance(spec, dict):
        return {k: _build(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return type(spec)(_build(s) for s in spec)
    return spec


def describe(value):
    """A result as data: a tensor as (shape, dtype name, device type), a tuple or list element-wise, anything else
    by its type name."""
    if isinstance(value, torch.Tensor):
        return (tuple(value.shape), str(value.dtype).removeprefix("torch."), value.device.type)
    if isinstance(value, (tuple, list)):
        return tuple(describe(v) for v in value)
    return f"not a tensor: {type(value).__name__}"


def call_on_meta(fn, *specs):
    """``fn(*args)`` with the arguments built from ``specs`` (meta tensors where the spec says so), described with
    :func:`describe`, or "ExceptionType: message" when it raises."""
    args = [_build(s) for s in specs]
    try:
        out = _raw(fn)(*args)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    return describe(out)
