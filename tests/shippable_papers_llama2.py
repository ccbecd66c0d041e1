"""Probes for the graders of papers/llama2.py: they run where the learner's code runs (the sandboxed worker, or the
grading process) and return plain data. Visible to learners; no oracle lives here.

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch


def run_steps(module, steps):
    """``module(x, start_pos, freqs_cis, mask)`` for each step, in order, under ``torch.no_grad()`` (the contract
    grades the KV cache without autograd); returns the outputs."""
    outs = []
    with torch.no_grad():
        for x, start_pos, freqs_cis, mask in steps:
            out = module(x, start_pos, freqs_cis, mask)
            outs.append(out.detach().clone() if isinstance(out, torch.Tensor) else out)
    return outs


def meta_forward(cls, args, kwargs, x_shape, head_dim, start_pos=0):
    """Build ``cls(*args, **kwargs)`` on the meta device, run one forward pass on meta inputs (x of ``x_shape``, a
    complex64 table of T rows, the (T, start_pos + T) mask) under no_grad; return (shape, device type, dtype name)
    of the output, or the repr of what came back."""
    with torch.device("meta"):
        module = cls(*args, **kwargs)
    T = x_shape[1]
    x = torch.empty(x_shape, device="meta")
    freqs = torch.empty((T, head_dim // 2), dtype=torch.complex64, device="meta")
    mask = torch.empty((T, start_pos + T), device="meta")
    with torch.no_grad():
        out = module(x, start_pos, freqs, mask)
    if not isinstance(out, torch.Tensor):
        return repr(out)[:200]
    return tuple(out.shape), out.device.type, str(out.dtype).replace("torch.", "")


def buffers_and_attributes(module) -> dict:
    """What a module holds besides its parameters: {"buffers": [(name, shape, persistent)], "tensors": [(name,
    shape)] for plain tensor attributes (recursively, dotted names)}."""
    bufs, plain = [], []
    for prefix, m in module.named_modules():
        dot = prefix + "." if prefix else ""
        for name, b in m._buffers.items():
            if b is not None:
                bufs.append((dot + name, tuple(b.shape), name not in m._non_persistent_buffers_set))
        for name, v in vars(m).items():
            if isinstance(v, torch.Tensor) and not isinstance(v, torch.nn.Parameter):
                plain.append((dot + name, tuple(v.shape)))
    return {"buffers": bufs, "tensors": plain}


_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure.
    (torch's "Cannot copy out of meta tensor" is a NotImplementedError too: that one is the learner's result.)"""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def call_on_meta(fn, specs):
    """``fn(*args)`` where each spec is ``("tensor", shape, dtype name)`` (an empty tensor on the ``meta`` device:
    no data, the graders' stand-in for a GPU) or ``("value", v)``; returns (shape, dtype name, device type) of the
    result, or "ExceptionType: message" when it raises."""
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
