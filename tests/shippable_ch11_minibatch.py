"""A probe for the graders of ch11/minibatch.py: it draws many minibatch gradients where the learner's code runs (the
sandboxed worker, or the grading process), so that a statistic over a thousand draws costs one round trip. Visible
to learners; no oracle lives here (what the draws are compared with is computed in tests/ch11/test_minibatch.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def draw_many(fn, G, batch_size, replacement, generator, num):
    """``num`` calls ``fn(G, batch_size, replacement=replacement, generator=generator)`` (the one generator, in
    turn), stacked into a (num, d) float64 tensor; or "ExceptionType: message" / a description of the first result
    that is not a (d,) tensor."""
    fn = getattr(fn, "__wrapped__", fn)       # the learner's own function (in the grading process the seam wraps it)
    d = G.shape[1]
    out = []
    for _ in range(num):
        try:
            g = fn(G, batch_size, replacement=replacement, generator=generator)
        except Exception as e:  # noqa: BLE001 - reported as data
            if _passes_through(e):
                raise
            return f"{type(e).__name__}: {str(e)[:300]}"
        if not isinstance(g, torch.Tensor) or tuple(g.shape) != (d,):
            return f"a result that is not a ({d},) tensor: {type(g).__name__} " \
                   f"{tuple(g.shape) if isinstance(g, torch.Tensor) else ''}"
        out.append(g.detach().to("cpu", torch.float64))
    return torch.stack(out)
