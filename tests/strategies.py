"""Shared hypothesis strategies for the graders: small shapes, finite values, dyadic numbers, labels.

Everything returns CPU tensors built from Python values drawn by hypothesis, so runs are reproducible and
shrink to readable examples.
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _f32_inward(lo: float, hi: float) -> tuple[float, float]:
    """The float32-representable bounds inside [lo, hi] (hypothesis rejects bounds float32 cannot represent)."""
    import numpy as np
    flo, fhi = float(np.float32(lo)), float(np.float32(hi))
    if flo < lo:
        flo = float(np.nextafter(np.float32(lo), np.float32(np.inf)))
    if fhi > hi:
        fhi = float(np.nextafter(np.float32(hi), np.float32(-np.inf)))
    return flo, fhi


def floats(min_value=-10.0, max_value=10.0, width=64):
    if width == 32:
        min_value, max_value = _f32_inward(min_value, max_value)
    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False, width=width)


@st.composite
def tensors(draw, shape, dtype=torch.float32, min_value=-10.0, max_value=10.0):
    """A tensor of the given shape (tuple of ints, or a strategy for one) with finite entries in [min, max]."""
    if not isinstance(shape, tuple):
        shape = draw(shape)
    n = 1
    for s in shape:
        n *= s
    width = 32 if dtype == torch.float32 else 64
    values = draw(st.lists(floats(min_value, max_value, width), min_size=n, max_size=n))
    return torch.tensor(values, dtype=dtype).reshape(shape)


def shapes(ndim=2, min_side=1, max_side=5):
    return st.tuples(*[st.integers(min_side, max_side) for _ in range(ndim)])


@st.composite
def matrices(draw, min_side=1, max_side=5, dtype=torch.float32, min_value=-10.0, max_value=10.0):
    return draw(tensors(shapes(2, min_side, max_side), dtype, min_value, max_value))


def dyadic(max_abs=4, denom=4):
    """Exact binary fractions k/denom (denom a power of two) in [-max_abs, max_abs]: exact in float32/64."""
    return st.integers(-max_abs * denom, max_abs * denom).map(lambda k: k / denom)


@st.composite
def dyadic_tensors(draw, shape, dtype=torch.float64, max_abs=4, denom=4):
    if not isinstance(shape, tuple):
        shape = draw(shape)
    n = 1
    for s in shape:
        n *= s
    values = draw(st.lists(dyadic(max_abs, denom), min_size=n, max_size=n))
    return torch.tensor(values, dtype=dtype).reshape(shape)


@st.composite
def labels(draw, n, num_classes):
    """int64 labels of shape (n,) in [0, num_classes)."""
    return torch.tensor(draw(st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n)), dtype=torch.int64)


@st.composite
def logits_and_labels(draw, max_n=6, max_q=6, min_value=-20.0, max_value=20.0, dtype=torch.float32):
    n = draw(st.integers(1, max_n))
    q = draw(st.integers(2, max_q))
    O = draw(tensors((n, q), dtype, min_value, max_value))
    y = draw(labels(n, q))
    return O, y


def seeds():
    """Seeds for torch.Generator-driven checks (statistics are graded, never draw-for-draw values)."""
    return st.integers(0, 2**31 - 1)
