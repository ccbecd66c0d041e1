"""Shared helpers for graders: generators and the global RNGs, calling learner code, closeness predicates for hints,
the digits as images, and the generator convention ("uses the generator") as one check.

Graders import from here instead of writing their own copy. Nothing here is passed into learner code (that is
tests/shippable*.py); oracles stay in the test modules.
"""
from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from grader.check import expect, expect_equal, fail
from tests.data import digits_split


# ------------------------------------------------------------------------------------------------ randomness
def gen(seed: int) -> torch.Generator:
    """A CPU generator seeded with ``seed``."""
    return torch.Generator().manual_seed(seed)


def stat_gen(k: int, stat_seed: int) -> torch.Generator:
    """The k-th generator of a statistical grader (``stat_seed``: the fixture; flake_check varies it)."""
    return torch.Generator().manual_seed(1000 * k + stat_seed)


def seed_global(s: int) -> None:
    """Seed the global RNGs (torch's CPU generator, random, numpy). Not torch.manual_seed: on a CUDA build without a
    GPU it formats a stack trace on every call (10-40 ms)."""
    torch.default_generator.manual_seed(s)
    random.seed(s)
    try:
        import numpy
        numpy.random.seed(s % 2**32)
    except ImportError:
        pass


def scramble_global_rng(k: int) -> None:
    """Move every global RNG to a state that depends on ``k``, so that code ignoring ``generator=`` gives different
    results for different k."""
    seed_global(7919 * (k + 1))
    torch.rand(13)


def expect_generator_used(call, prop: str, *, inputs=None, seeds=(11, 12), same=None, hints=(), compare=None):
    """The generator convention, graded as used: ``call(generator)`` (which calls learner code and returns its
    result) must give

    * identical results for two identically seeded generators even when the global RNGs are reseeded between the
      calls (code that draws from the global RNG, or reseeds it, fails here), and
    * different results for differently seeded generators (code that ignores the generator, or reseeds its own
      from a constant, fails here).

    ``compare(a, b) -> bool`` says two results are equal (default: ``same_value``). Returns the first result."""
    compare = compare or same_value
    inputs = dict(inputs or {})
    s1, s2 = seeds
    scramble_global_rng(1)
    a = call(gen(s1))
    scramble_global_rng(2)
    b = call(gen(s1))
    expect(compare(a, b), f"{prop}: two generators seeded alike give the same result, whatever the global RNG does",
           inputs={**inputs, "generator": f"torch.Generator().manual_seed({s1}), twice (global RNG reseeded between)"},
           expected=a, got=b,
           hints=list(hints) + ["draw with the generator you are given (torch.rand(..., generator=generator)); "
                                "a draw without generator= uses the global RNG."])
    scramble_global_rng(1)
    c = call(gen(s2))
    expect(not compare(a, c), f"{prop}: differently seeded generators give different results",
           inputs={**inputs, "generators": f"manual_seed({s1}) and manual_seed({s2})"},
           expected="two different results", got=f"the same result twice: {_short(a)}",
           hints=list(hints) + ["every draw must come from `generator` itself; do not create or reseed a "
                                "generator of your own inside the function."])
    return a


def _short(v) -> str:
    from grader.check import show
    return show(v)


def same_value(a, b) -> bool:
    """Exact equality of (nested) results: tensors by shape, dtype and values (NaN equal to NaN)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        a, b = a.detach().cpu(), b.detach().cpu()
        if a.is_floating_point():
            return bool(((a == b) | (a.isnan() & b.isnan())).all())
        return torch.equal(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


# ------------------------------------------------------------------------------------------------ calling learner code
def call(fn, *args, prop: str, inputs=None, hints=(), catch=(RuntimeError, IndexError, TypeError, ValueError),
         expected: str = "a result", **kwargs):
    """``fn(*args, **kwargs)``; an exception in ``catch`` (a shape or type mistake, usually) becomes a failure of
    ``prop`` that shows the inputs and the exception, with ``hints``."""
    try:
        return fn(*args, **kwargs)
    except catch as e:
        fail(prop, inputs=inputs, expected=expected, got=f"{type(e).__name__}: {e}", hints=hints)


# ------------------------------------------------------------------------------------------------ hints' predicates
def near(got, want, tol: float = 1e-4, rel: bool = False) -> bool:
    """``got`` ≈ ``want`` (numbers or tensors of the same shape), for a hint's ``when``: never raises."""
    try:
        g = torch.as_tensor(got.detach() if isinstance(got, torch.Tensor) else got).double().cpu()
        w = torch.as_tensor(want.detach() if isinstance(want, torch.Tensor) else want).double().cpu()
    except Exception:  # noqa: BLE001
        return False
    if g.shape != w.shape:
        return False
    bound = tol * (1 + w.abs()) if rel else tol
    return bool(((g - w).abs() <= bound).all())


# ------------------------------------------------------------------------------------------------ digits
def standardized_digits():
    """The digits as (n, 64) vectors standardised per pixel with the training split's statistics (+0.25 on the std,
    so that constant border pixels stay finite): (X, y, X_test, y_test)."""
    X, y, Xt, yt = digits_split()
    mu, sd = X.mean(dim=0), X.std(dim=0) + 0.25
    return (X - mu) / sd, y, (Xt - mu) / sd, yt


def digit_images(size: int = 8, standardize: bool = False, raw: bool = False):
    """The digits as images (n, 1, size, size) float32: 8×8, or bilinearly upsampled (align_corners=False) to
    ``size``. Pixels in [0, 1] (``raw``: 0..16 as stored); ``standardize``: (x − mean) / std with the training set's
    scalar mean and std. Returns (X, y, X_test, y_test) of the project's fixed split."""
    X, y, Xt, yt = digits_split()
    if raw:
        X, Xt = X * 16.0, Xt * 16.0
    X, Xt = X.reshape(-1, 1, 8, 8), Xt.reshape(-1, 1, 8, 8)
    if size != 8:
        X = F.interpolate(X, size=(size, size), mode="bilinear", align_corners=False)
        Xt = F.interpolate(Xt, size=(size, size), mode="bilinear", align_corners=False)
    if standardize:
        mu, sd = X.mean(), X.std()
        X, Xt = (X - mu) / sd, (Xt - mu) / sd
    return X.contiguous(), y, Xt.contiguous(), yt


def accuracy_of(logits, y) -> float:
    """Fraction of rows whose argmax equals the label (the grader's own count)."""
    return float((torch.as_tensor(logits).argmax(dim=1) == y).double().mean())


__all__ = ["gen", "stat_gen", "seed_global", "scramble_global_rng", "expect_generator_used", "same_value", "call",
           "near", "standardized_digits", "digit_images", "accuracy_of", "expect_equal"]
