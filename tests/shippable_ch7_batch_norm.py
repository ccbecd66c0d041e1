"""Probes for the graders of ch7/batch_norm.py: they run where the learner's code runs (the sandboxed worker, or the
grading process) and return plain data. Visible to learners; no oracle lives here (what the data are compared with
is computed in tests/ch7/test_batch_norm.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch


def _describe(t):
    """(device type, shape, dtype name) of a tensor, or the type name of anything else."""
    if isinstance(t, torch.Tensor):
        return (t.device.type, tuple(t.shape), str(t.dtype).removeprefix("torch."))
    return type(t).__name__


def call_on_meta(fn, shapes, dtype=torch.float32, **kwargs):
    """``fn(*tensors, **kwargs)`` with one ``meta`` tensor per shape in ``shapes``; returns the descriptions of the
    outputs (a tuple is described element by element), or "ExceptionType: message"."""
    args = [torch.empty(s, device="meta", dtype=dtype) for s in shapes]
    try:
        out = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - reported as data
        return f"{type(e).__name__}: {str(e)[:300]}"
    if isinstance(out, (tuple, list)):
        return [_describe(t) for t in out]
    return _describe(out)


def forward_without_grad(module, X):
    """``module(X)`` under ``torch.no_grad()`` (the module's mode is whatever the grader set)."""
    with torch.no_grad():
        return module(X)


def forward_backward(module, X, G):
    """Y = module(X) with X a fresh leaf that requires grad, then (Y·G).sum().backward(). Returns
    (Y detached, X.grad, {parameter name: its grad}) — grads are None where backward did not reach."""
    X = X.detach().clone().requires_grad_(True)
    for p in module.parameters():
        p.grad = None
    Y = module(X)
    (Y * G).sum().backward()
    return Y.detach(), X.grad, {name: p.grad for name, p in module.named_parameters()}


def state_report(module):
    """What the module keeps: {"parameters": [(name, shape, dtype, device, is nn.Parameter)], "buffers": [(name,
    shape, dtype, device)], "state_dict": [key, ...], "plain_tensors": [attribute names holding tensors that are
    neither parameters nor buffers]}."""
    own = vars(module)
    plain = sorted(k for k, v in own.items() if isinstance(v, torch.Tensor) and not k.startswith("_"))
    return {
        "parameters": [(n, tuple(p.shape), str(p.dtype).removeprefix("torch."), p.device.type,
                        isinstance(p, torch.nn.Parameter)) for n, p in module.named_parameters()],
        "buffers": [(n, tuple(b.shape), str(b.dtype).removeprefix("torch."), b.device.type)
                    for n, b in module.named_buffers()],
        "state_dict": list(module.state_dict().keys()),
        "plain_tensors": plain,
    }


def convert_and_run(module, target, shape, train=True):
    """``module.to(target)`` (a dtype or a device), then one forward pass in train (or eval) mode on an input of
    ``shape`` of that dtype (float32 for a device) on that device (CPU for a dtype): random values, or an empty
    tensor on meta.
    Returns (description of the output, {state_dict key: description}) or "ExceptionType: message"."""
    try:
        module.to(target)
        dtype = target if isinstance(target, torch.dtype) else torch.float32
        if not isinstance(target, torch.dtype) and torch.device(target).type == "meta":
            X = torch.empty(shape, device="meta", dtype=dtype)
        else:
            device = "cpu" if isinstance(target, torch.dtype) else target
            g = torch.Generator().manual_seed(0)
            X = torch.randn(shape, generator=g, dtype=torch.float64).to(device, dtype)
        module.train(train)
        Y = module(X)
        state = {k: _describe(v) for k, v in module.state_dict().items()}
    except Exception as e:  # noqa: BLE001 - reported as data
        return f"{type(e).__name__}: {str(e)[:300]}"
    return _describe(Y), state
