"""Graders for ch6/pooling.py (pool2d).

Oracles: ``F.max_pool2d`` and ``F.avg_pool2d`` (``ceil_mode=False``, ``count_include_pad=True``) evaluated in
float64 on X viewed as (N, 1, h, w), their autograd, and ``F.conv2d`` with a constant 1/(ph·pw) kernel for the
average. The book's examples (d2l §6.5.1–6.5.3) are checked exactly. Inputs are random normals from seeded
generators (distinct values, so a maximum is unique), all-negative where a zero-padded maximum must show.
Every hint recognises its mistake by recomputing that mistake with the oracle (stride 1 by default, zeros in max
pooling's padding, count_include_pad=False, ceil, padding on one side, F.pad's pair order, ...).

Graders stay inside PyTorch's own limits: 0 ≤ padding ≤ pool_size // 2 per dimension and windows that fit.

Tolerances. A maximum is exact. A mean of ph·pw ≤ 16 values is within ~ph·pw·u·max|X| of the float64 one in any
summation order (u = 6e-8); the graders allow 1e-6·(1 + max|X|) plus 1e-5 relative (the contract's), float64 1e-12.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_raises, expect_tensor, run_beside, scale_atol
from tests.helpers import call, gen, near
from tests.shippable_ch6_pooling import pool_on_meta, shares_memory_with_input

F32, F64 = torch.float32, torch.float64
BOOK_X3 = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])          # §6.5.1
BOOK_X16 = torch.arange(16, dtype=torch.float32).reshape(1, 1, 4, 4)                # §6.5.2


# ------------------------------------------------------------------------------------------------ oracles
def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def oracle(X, pool_size, mode="max", padding=0, stride=None, *, include_pad=True, ceil=False):
    """PyTorch's pooling in float64 over the last two dims of X (any leading dims)."""
    k, p = pair(pool_size), pair(padding)
    s = k if stride is None else pair(stride)
    lead, (h, w) = X.shape[:-2], X.shape[-2:]
    X4 = X.double().reshape(-1, 1, h, w)
    if mode == "max":
        Y = F.max_pool2d(X4, k, s, p, ceil_mode=ceil)
    else:
        Y = F.avg_pool2d(X4, k, s, p, ceil_mode=ceil, count_include_pad=include_pad)
    return Y.reshape(*lead, *Y.shape[-2:])


def padded_then_pooled(X, pool_size, mode, pads, stride, fill):
    """Pad with F.pad(pads, value=fill) (pads as F.pad takes them), then pool without padding: a mistake's oracle."""
    k = pair(pool_size)
    s = k if stride is None else pair(stride)
    Xp = F.pad(X.double(), pads, value=fill)
    if Xp.shape[-2] < k[0] or Xp.shape[-1] < k[1]:
        return None
    return oracle(Xp, k, mode, 0, s)


def out_size(n, k, p, s):
    return (n + 2 * p - k) // s + 1


def tol(X, dtype=F32):
    return scale_atol(X, rel=1e-6 if dtype == F32 else 1e-12)


def pre(hints, got, want):
    """The texts of the hints whose ``when`` holds for the real (got, want), decided now."""
    return [h.text for h in hints if h.applies(got, want)]


def _shape(g):
    return tuple(g.shape) if isinstance(g, torch.Tensor) else None


def _randn(*shape, seed, scale=3.0, dtype=F32):
    return (torch.randn(*shape, generator=gen(seed), dtype=dtype) * scale)


def _describe_call(pool_size, mode, padding, stride):
    args = [repr(pool_size)]
    if mode != "max":
        args.append(repr(mode))
    if padding != 0:
        args.append(f"padding={padding!r}")
    if stride is not None:
        args.append(f"stride={stride!r}")
    return f"pool2d(X, {', '.join(args)})"


def _pool(kata, X, pool_size, mode="max", padding=0, stride=None, *, prop, inputs, hints=(), positional=False):
    """The learner's pool2d; arguments left at their defaults are not passed (so the defaults are graded)."""
    kwargs = {}
    if padding != 0:
        kwargs["padding"] = padding
    if stride is not None:
        kwargs["stride"] = stride
    args = (X, pool_size) + ((mode,) if mode != "max" or positional else ())
    return call(kata.pool2d, *args, prop=prop, inputs=inputs, hints=hints, **kwargs)


# ------------------------------------------------------------------------------------------------ hints
def pool_hints(X, pool_size, mode="max", padding=0, stride=None):
    """Hints for the classic pooling mistakes; each recomputes its mistake and fires when the result matches it."""
    (ph, pw), (pad_h, pad_w) = pair(pool_size), pair(padding)
    sh, sw = (ph, pw) if stride is None else pair(stride)
    h, w = X.shape[-2:]
    want = oracle(X, pool_size, mode, padding, stride)
    fill = float("-inf") if mode == "max" else 0.0
    floor_hw = (out_size(h, ph, pad_h, sh), out_size(w, pw, pad_w, sw))
    ceil_hw = (math.ceil((h + 2 * pad_h - ph) / sh) + 1, math.ceil((w + 2 * pad_w - pw) / sw) + 1)
    torch_ceil_hw = tuple(oracle(X, pool_size, mode, padding, stride, ceil=True).shape[-2:])
    lead = tuple(X.shape[:-2])

    def is_(ref):
        return lambda g, e: ref is not None and near(g, ref, 1e-4) and not near(ref, want, 1e-4)

    def shaped(hw):
        return lambda g, e: _shape(g) == lead + tuple(hw) and tuple(hw) != floor_hw

    hints = []
    s1_hw = (out_size(h, ph, pad_h, 1), out_size(w, pw, pad_w, 1))
    if stride is None:
        hints.append(Hint(f"your output is {s1_hw[0]}×{s1_hw[1]}, what stride 1 gives: stride=None means stride = "
                          f"pool_size (here {(ph, pw)}), the framework default of d2l §6.5.2 that nn.MaxPool2d "
                          "follows, so the windows do not overlap. Only the book's §6.5.1 loop uses stride 1.",
                          when=lambda g, e: _shape(g) == lead + s1_hw and s1_hw != floor_hw))
    hints.append(Hint(f"your output is {ceil_hw[0]}×{ceil_hw[1]}: the size is rounded down, "
                      "⌊(h + 2p − ph)/sh⌋ + 1 (floor, PyTorch's ceil_mode=False); a last window that would hang over "
                      "the edge is dropped, not kept.",
                      when=lambda g, e: (shaped(ceil_hw)(g, e) or shaped(torch_ceil_hw)(g, e))
                      and not (stride is None and _shape(g) == lead + s1_hw)))
    if pad_h or pad_w:
        one_hw = (out_size(h, ph, 0, sh) if not pad_h else (h + pad_h - ph) // sh + 1,
                  out_size(w, pw, 0, sw) if not pad_w else (w + pad_w - pw) // sw + 1)
        hints.append(Hint("padding p means p rows on the top AND p on the bottom (p columns on the left AND the "
                          "right): the padded size is h + 2p. Your output size fits padding on one side only: "
                          "F.pad(X, (p_w, p_w, p_h, p_h), value=...) pads both sides of the last two dims.",
                          when=shaped(one_hw)))
        both = [padded_then_pooled(X, pool_size, mode, pads, stride, fill)
                for pads in ((0, 2 * pad_w, 0, 2 * pad_h), (2 * pad_w, 0, 2 * pad_h, 0))]
        hints.append(Hint("your windows are shifted: the padding went to one side only (right and bottom, or "
                          "left and top). Pad p on each side: F.pad(X, (p_w, p_w, p_h, p_h), value=...) pads "
                          "both sides of the last two dims.",
                          when=lambda g, e: any(is_(r)(g, e) for r in both)))
        if pad_h != pad_w:
            swapped = padded_then_pooled(X, pool_size, mode, (pad_h, pad_h, pad_w, pad_w), stride, fill)
            hints.append(Hint("F.pad's pad tuple starts with the last dimension: (left, right, top, bottom) = "
                              "(p_w, p_w, p_h, p_h). Yours padded the width by p_h and the height by p_w.",
                              when=lambda g, e: is_(swapped)(g, e)
                              or (swapped is not None and _shape(g) == tuple(swapped.shape)
                                  and _shape(g) != tuple(want.shape))))
        if mode == "max":
            zeros = padded_then_pooled(X, pool_size, "max", (pad_w, pad_w, pad_h, pad_h), stride, 0.0)
            hints.append(Hint("a padded cell won a window: max pooling must pad with −inf (F.pad(..., "
                              "value=float('-inf'))), so that padding never beats a real value — F.pad's default "
                              "value 0 wins wherever the border values are negative.",
                              when=lambda g, e: is_(zeros)(g, e) or (isinstance(g, torch.Tensor) and bool(
                                  (X < 0).all()) and bool((g == 0).any()))))
        else:
            excl = oracle(X, pool_size, "avg", padding, stride, include_pad=False)
            hints.append(Hint("the border windows were divided by the number of real (unpadded) cells: average "
                              "pooling counts the zero padding too and divides every window by ph·pw (PyTorch's "
                              "count_include_pad=True, the default of nn.AvgPool2d).", when=is_(excl)))
    if ph != pw:
        swapped_k = oracle(X, (pw, ph), mode, padding, stride if stride is not None else (sh, sw)) \
            if pw <= h + 2 * pad_h and ph <= w + 2 * pad_w and pad_h <= pw // 2 and pad_w <= ph // 2 else None
        hints.append(Hint("pool_size = (ph, pw) is (height, width): ph rows of the window run along X's second-to-"
                          "last dim, pw columns along the last.",
                          when=lambda g, e: swapped_k is not None and is_(swapped_k)(g, e)))
    if pad_h or pad_w:
        pass
    elif mode == "avg":
        hints.append(Hint("that is max pooling: mode='avg' takes the mean of each window.",
                          when=is_(oracle(X, pool_size, "max", padding, stride))))
    else:
        hints.append(Hint("that is average pooling: mode='max' takes the maximum of each window.",
                          when=is_(oracle(X, pool_size, "avg", padding, stride))))
    if lead:
        hints.append(Hint(f"X has shape {tuple(X.shape)}: pool over the last two dims (h, w = X.shape[-2:]) and "
                          "keep every leading dim (channels, batch), each pooled on its own "
                          "(Xp[..., i·sh:i·sh + ph, j·sw:j·sw + pw] slices them all at once).",
                          when=lambda g, e: isinstance(g, torch.Tensor) and tuple(g.shape[:-2]) != lead))
    return hints


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def pool_cases(draw, padded=None, explicit_stride=None, mode=None, lead=None, max_side=7):
    """(X, pool_size, mode, padding, stride): windows 1–4, ints or pairs, 0 ≤ padding ≤ window // 2, windows that
    fit; X a seeded random normal with leading dims (), (c,) or (n, c)."""
    ph = draw(st.integers(1, 4), label="ph")
    pw = draw(st.sampled_from([ph, 1, 2, 3, 4]), label="pw")
    pool_size = ph if ph == pw and draw(st.booleans(), label="int pool_size") else (ph, pw)
    if padded is None:
        padded = draw(st.booleans(), label="padded")
    if padded and (ph > 1 or pw > 1):
        pad_h = draw(st.integers(0, ph // 2), label="pad_h")
        pad_w = draw(st.integers(0, pw // 2), label="pad_w")
        if pad_h == pad_w == 0:
            pad_h, pad_w = ph // 2, pw // 2
        padding = pad_h if pad_h == pad_w and draw(st.booleans(), label="int padding") else (pad_h, pad_w)
    else:
        pad_h = pad_w = 0
        padding = 0
    if explicit_stride is None:
        explicit_stride = draw(st.booleans(), label="explicit stride")
    if explicit_stride:
        sh = draw(st.integers(1, 4), label="sh")
        sw = draw(st.sampled_from([sh, 1, 2, 3]), label="sw")
        stride = sh if sh == sw and draw(st.booleans(), label="int stride") else (sh, sw)
    else:
        stride = None
    h = draw(st.integers(max(1, ph - 2 * pad_h), max_side), label="h")
    w = draw(st.integers(max(1, pw - 2 * pad_w), max_side), label="w")
    if lead is None:
        lead = draw(st.sampled_from([(), (2,), (3,), (2, 2), (1, 3)]), label="leading dims")
    if mode is None:
        mode = draw(st.sampled_from(["max", "avg"]), label="mode")
    X = _randn(*lead, h, w, seed=draw(st.integers(0, 10_000), label="seed"))
    return X, pool_size, mode, padding, stride


def _check_against_oracle(kata, case, prop):
    X, pool_size, mode, padding, stride = case
    what = _describe_call(pool_size, mode, padding, stride)
    inputs = {"call": what, "X": X}
    hints = pool_hints(X, pool_size, mode, padding, stride)
    got = _pool(kata, X.clone(), pool_size, mode, padding, stride, prop=prop, inputs=inputs, hints=hints)
    want = oracle(X, pool_size, mode, padding, stride)
    expect_close(got, want, prop, inputs=inputs, atol=tol(X), rtol=1e-5, hints=pre(hints, got, want))
    return got


# ------------------------------------------------------------------------------------------------ the book's examples
@pytest.mark.core
def test_book_651_examples(kata):
    """the book's §6.5.1 examples with stride=1: max [[4, 5], [7, 8]], avg [[2, 3], [5, 6]]"""
    cases = [(BOOK_X3, "max", [[4.0, 5.0], [7.0, 8.0]]), (BOOK_X3, "avg", [[2.0, 3.0], [5.0, 6.0]]),
             (BOOK_X3.T.contiguous() - 4, "max", None), (BOOK_X3.T.contiguous() - 4, "avg", None)]
    for X, mode, want in cases:
        want = oracle(X, 2, mode, 0, 1) if want is None else torch.tensor(want)
        what = f"pool2d(X, (2, 2), {mode!r}, stride=1)"
        inputs = {"call": what, "X": X}
        prop = f"{what} pools each 2×2 window (the book's loop, d2l §6.5.1)"
        hints = pool_hints(X, (2, 2), mode, 0, 1)
        got = _pool(kata, X.clone(), (2, 2), mode, 0, 1, prop=prop, inputs=inputs, hints=hints, positional=True)
        expect_close(got, want, prop, inputs=inputs, atol=1e-6, rtol=0, hints=pre(hints, got, want))


def test_book_652_examples(kata):
    """the book's §6.5.2 examples on arange(16).reshape(1, 1, 4, 4): default stride, padding and stride, pairs"""
    X = BOOK_X16
    for pool_size, padding, stride, want in [(3, 0, None, [[10.0]]),
                                             (3, 1, 2, [[5.0, 7.0], [13.0, 15.0]]),
                                             ((2, 3), (0, 1), (2, 3), [[5.0, 7.0], [13.0, 15.0]])]:
        what = _describe_call(pool_size, "max", padding, stride)
        inputs = {"call": what, "X": X}
        prop = f"{what} = {want} (d2l §6.5.2, nn.MaxPool2d's result)"
        hints = pool_hints(X, pool_size, "max", padding, stride)
        got = _pool(kata, X.clone(), pool_size, "max", padding, stride, prop=prop, inputs=inputs, hints=hints)
        expect_close(got, torch.tensor([[want]]), prop, inputs=inputs, atol=0, rtol=0,
                     hints=pre(hints, got, torch.tensor([[want]])))


def test_book_653_two_channels(kata):
    """the book's §6.5.3 example: two channels X and X + 1 are pooled separately, two channels out"""
    X = torch.cat((BOOK_X16, BOOK_X16 + 1), 1)                                      # (1, 2, 4, 4)
    what = "pool2d(X, 3, padding=1, stride=2)"
    inputs = {"call": what, "X": X}
    want = torch.tensor([[[[5.0, 7.0], [13.0, 15.0]], [[6.0, 8.0], [14.0, 16.0]]]])
    prop = f"{what} pools each channel on its own: (1, 2, 4, 4) → (1, 2, 2, 2) (d2l §6.5.3)"
    hints = pool_hints(X, 3, "max", 1, 2)
    got = _pool(kata, X.clone(), 3, "max", 1, 2, prop=prop, inputs=inputs, hints=hints)
    expect_close(got, want, prop, inputs=inputs, atol=0, rtol=0, hints=pre(hints, got, want))


# ------------------------------------------------------------------------------------------------ against PyTorch
@pytest.mark.core
@settings(max_examples=30)
@given(case=pool_cases(padded=False, explicit_stride=True))
@example(case=(_randn(5, 6, seed=1), 2, "max", 0, 2))
@example(case=(_randn(2, 5, 6, seed=2), (2, 3), "avg", 0, (1, 2)))
@example(case=(_randn(2, 3, 7, 5, seed=3), 3, "max", 0, 2))
@example(case=(_randn(3, 6, 6, seed=4), (3, 2), "avg", 0, 3))
def test_matches_torch_without_padding(kata, case):
    """pool2d with an explicit stride and no padding equals F.max_pool2d / F.avg_pool2d"""
    _check_against_oracle(kata, case, "pool2d(X, pool_size, mode, stride=s) = F.max_pool2d / F.avg_pool2d of X "
                          "(over the last two dims, floor mode)")


@settings(max_examples=20)
@given(case=pool_cases(padded=False, explicit_stride=False))
@example(case=(_randn(6, 6, seed=5), 2, "max", 0, None))
@example(case=(_randn(2, 7, 5, seed=6), (3, 2), "avg", 0, None))
def test_default_stride_is_the_window(kata, case):
    """stride=None means stride = pool_size (nn.MaxPool2d's default), not 1"""
    _check_against_oracle(kata, case, "pool2d(X, pool_size) (stride left out) = F.max_pool2d(X, pool_size) / "
                          "F.avg_pool2d: the default stride is the window")


@settings(max_examples=30)
@given(case=pool_cases(padded=True, mode="max"))
@example(case=(-(_randn(5, 5, seed=7).abs() + 0.1), 3, "max", 1, 2))
@example(case=(_randn(2, 6, 5, seed=8), (4, 2), "max", (2, 1), (2, 1)))
@example(case=(_randn(1, 2, 5, 7, seed=9), (2, 4), "max", (1, 2), None))
def test_max_pool_with_padding_matches_torch(kata, case):
    """max pooling with padding equals F.max_pool2d (the padding is on both sides and never wins)"""
    _check_against_oracle(kata, case, "pool2d(X, pool_size, 'max', padding=p, stride=s) = F.max_pool2d(X, "
                          "pool_size, s, p)")


@settings(max_examples=15)
@given(case=pool_cases(padded=True, mode="max"))
@example(case=(_randn(4, 4, seed=10), 2, "max", 1, None))
@example(case=(_randn(3, 4, 5, seed=11), (3, 2), "max", (1, 1), 1))
def test_max_pool_padding_never_wins(kata, case):
    """on an all-negative input, padded max pooling never returns 0 (a padded cell never wins)"""
    X, pool_size, mode, padding, stride = case
    X = -(X.abs() + 0.5)                                                    # every value ≤ −0.5
    what = _describe_call(pool_size, "max", padding, stride)
    inputs = {"call": what, "X": X}
    prop = f"{what} on an all-negative X returns only values of X (never a 0 from the padding)"
    hints = pool_hints(X, pool_size, "max", padding, stride)
    got = _pool(kata, X.clone(), pool_size, "max", padding, stride, prop=prop, inputs=inputs, hints=hints)
    want = oracle(X, pool_size, "max", padding, stride)
    expect_tensor(got, prop, inputs=inputs, shape=want.shape, hints=pre(hints, got, want))
    expect(bool((got < 0).all()), prop, inputs=inputs, expected=want, got=got, hints=pre(hints, got, want))
    expect_close(got, want, prop, inputs=inputs, atol=0, rtol=0, hints=pre(hints, got, want))


@settings(max_examples=30)
@given(case=pool_cases(padded=True, mode="avg"))
@example(case=(_randn(5, 5, seed=12), 3, "avg", 1, 2))
@example(case=(_randn(2, 6, 5, seed=13), (4, 2), "avg", (2, 1), (2, 1)))
@example(case=(_randn(1, 2, 5, 7, seed=14), (2, 4), "avg", (1, 2), None))
def test_avg_pool_with_padding_matches_torch(kata, case):
    """average pooling with padding equals F.avg_pool2d (padding counts as zeros, every window divided by ph·pw)"""
    _check_against_oracle(kata, case, "pool2d(X, pool_size, 'avg', padding=p, stride=s) = F.avg_pool2d(X, "
                          "pool_size, s, p) (count_include_pad=True)")


@settings(max_examples=15)
@given(case=pool_cases(mode="avg", lead=()))
def test_avg_pool_is_a_convolution(kata, case):
    """average pooling = cross-correlation with a constant 1/(ph·pw) kernel (same padding and stride)"""
    X, pool_size, mode, padding, stride = case
    (ph, pw), p = pair(pool_size), pair(padding)
    s = (ph, pw) if stride is None else pair(stride)
    what = _describe_call(pool_size, "avg", padding, stride)
    inputs = {"call": what, "X": X}
    prop = f"{what} = F.conv2d(X, ones(ph, pw) / (ph·pw), stride, padding)"
    hints = pool_hints(X, pool_size, "avg", padding, stride)
    got = _pool(kata, X.clone(), pool_size, "avg", padding, stride, prop=prop, inputs=inputs, hints=hints)
    kernel = torch.full((1, 1, ph, pw), 1.0 / (ph * pw), dtype=F64)
    want = F.conv2d(X.double()[None, None], kernel, stride=s, padding=p)[0, 0]
    expect_close(got, want, prop, inputs=inputs, atol=tol(X), rtol=1e-5, hints=pre(hints, got, want))


@settings(max_examples=15)
@given(case=pool_cases())
def test_float64(kata, case):
    """float64 in, float64 out, equal to PyTorch's pooling to 1e-12"""
    X, pool_size, mode, padding, stride = case
    X = X.double()
    what = _describe_call(pool_size, mode, padding, stride)
    inputs = {"call": what, "X": X}
    prop = "pool2d keeps float64 and equals F.max_pool2d / F.avg_pool2d to 1e-12"
    hints = pool_hints(X, pool_size, mode, padding, stride)
    got = _pool(kata, X.clone(), pool_size, mode, padding, stride, prop=prop, inputs=inputs, hints=hints)
    want = oracle(X, pool_size, mode, padding, stride)
    expect_tensor(got, prop, inputs=inputs, shape=want.shape, hints=pre(hints, got, want))
    expect_tensor(got, "pool2d of a float64 X is float64", inputs=inputs, dtype=F64,
                  hints=["allocate with X's dtype and device (X.new_zeros / X.new_full, or build the result from X "
                         "itself); torch.zeros(...) and torch.full(...) alone are float32 on the CPU."])
    expect_close(got, want, prop, inputs=inputs, atol=tol(X, F64), rtol=1e-12, hints=pre(hints, got, want))


@settings(max_examples=10)
@given(case=pool_cases(lead=(2, 3), max_side=6))
def test_leading_dims_pooled_independently(kata, case):
    """each (n, c) slice of a batch is pooled on its own: pool2d(X)[i, j] = pool2d(X[i, j])"""
    X, pool_size, mode, padding, stride = case
    what = _describe_call(pool_size, mode, padding, stride)
    inputs = {"call": what, "X": X}
    prop = f"{what}[i, j] = pool2d(X[i, j], …) for a batch X of shape (n, c, h, w)"
    hints = pool_hints(X, pool_size, mode, padding, stride)
    whole = _pool(kata, X.clone(), pool_size, mode, padding, stride, prop=prop, inputs=inputs, hints=hints)
    want = oracle(X, pool_size, mode, padding, stride)
    expect_tensor(whole, prop, inputs=inputs, shape=want.shape, hints=pre(hints, whole, want))
    for i, j in ((0, 0), (1, 2)):
        part = _pool(kata, X[i, j].clone(), pool_size, mode, padding, stride, prop=prop, inputs=inputs)
        expect_close(whole[i, j], part, f"{prop} (i, j = {i}, {j})", inputs=inputs, atol=tol(X), rtol=1e-5,
                     hints=pre(hints, whole, want))


# ------------------------------------------------------------------------------------------------ shapes and errors
@settings(max_examples=25)
@given(h=st.integers(1, 12), w=st.integers(1, 12), ph=st.integers(1, 5), pw=st.integers(1, 5),
       sh=st.integers(1, 5), sw=st.integers(1, 5), data=st.data())
@example(h=5, w=7, ph=2, pw=3, sh=2, sw=2, data=None)
@example(h=6, w=6, ph=3, pw=3, sh=4, sw=4, data=None)
def test_output_shape_is_floor(kata, h, w, ph, pw, sh, sw, data):
    """the output shape is ⌊(h + 2p − ph)/sh⌋ + 1 by ⌊(w + 2p − pw)/sw⌋ + 1 (floor, as nn.MaxPool2d)"""
    pad_h = 0 if data is None else data.draw(st.integers(0, ph // 2), label="pad_h")
    pad_w = 0 if data is None else data.draw(st.integers(0, pw // 2), label="pad_w")
    if h + 2 * pad_h < ph or w + 2 * pad_w < pw:
        h, w = ph, pw
    X = _randn(2, h, w, seed=h * 13 + w)
    mode = "max" if (h + w) % 2 else "avg"
    pool_size, padding, stride = (ph, pw), (pad_h, pad_w), (sh, sw)
    what = _describe_call(pool_size, mode, padding, stride)
    want = (2, out_size(h, ph, pad_h, sh), out_size(w, pw, pad_w, sw))
    inputs = {"call": what, "X.shape": tuple(X.shape)}
    prop = f"{what} has shape {want}: ⌊(n + 2p − k)/s⌋ + 1 per dim"
    hints = pool_hints(X, pool_size, mode, padding, stride)
    got = _pool(kata, X.clone(), pool_size, mode, padding, stride, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=want, hints=pre(hints, got, oracle(X, *[pool_size, mode, padding,
                                                                                         stride])))


def test_unknown_mode_raises(kata):
    """a mode other than 'max' or 'avg' raises ValueError"""
    X = _randn(4, 4, seed=20)
    for mode in ("min", "sum", "median", "average", ""):
        with expect_raises(ValueError, f"pool2d(X, 2, {mode!r}) raises ValueError (only 'max' and 'avg' exist)",
                           inputs={"X": X, "mode": mode},
                           hints=["check the mode first: `if mode not in ('max', 'avg'): raise ValueError(...)`; "
                                  "an if/else treats every unknown mode as one of the two."]):
            kata.pool2d(X.clone(), 2, mode)


# ------------------------------------------------------------------------------------------------ conventions
def test_input_unchanged_and_result_fresh(kata):
    """pool2d leaves X unchanged and returns a new tensor, even for a 1×1 window"""
    fresh_hint = ("with a 1×1 window and stride 1 every window is one cell, so slicing gives back X itself or a "
                  "view of it: the caller's X would change when the result is modified. Return a copy "
                  "(.clone(), or a reduction such as amax/mean, which allocates).")
    for X, pool_size, mode, padding, stride in [(_randn(3, 4, seed=21), 1, "max", 0, 1),
                                                (_randn(2, 3, 4, seed=22), 1, "avg", 0, None),
                                                (_randn(2, 3, 4, seed=22), (1, 1), "max", 0, None),
                                                (_randn(5, 5, seed=23), 3, "avg", 1, 2),
                                                (_randn(2, 5, 5, seed=24), 2, "max", 1, 1)]:
        what = _describe_call(pool_size, mode, padding, stride)
        X0 = X.clone()
        inputs = {"call": what, "X": X0}
        kwargs = {"padding": padding, "stride": stride}
        got = run_beside(kata, shares_memory_with_input, kata.pool2d, X, pool_size, mode, **kwargs)
        expect(got == "fresh", f"{what} returns a new tensor, not X or a view of X", inputs=inputs,
               expected="a result with its own memory", got="a result sharing X's memory" if got == "shares" else got,
               hints=[Hint(fresh_hint, when=lambda g, e: g == "a result sharing X's memory")])
        expect(torch.equal(X, X0), f"{what} leaves X unchanged", inputs=inputs, expected=X0, got=X,
               hints=["work on new tensors: F.pad returns one; in-place operations on X (X /= …, X[...] = …, "
                      "add_) change the caller's tensor."])


def test_gradients_match_torch(kata):
    """pool2d is differentiable: its gradient wrt X equals F.max_pool2d's / F.avg_pool2d's"""
    no_graph = ("no gradient reached X: compute with tensor operations only (no .item(), float(), .detach(), .data "
                "or a torch.tensor(...) rebuilt from numbers).")
    for X, pool_size, mode, padding, stride in [(_randn(2, 5, 6, seed=30, dtype=F64), 3, "max", 1, 2),
                                                (_randn(2, 5, 6, seed=31, dtype=F64), (2, 3), "avg", (1, 1), 1),
                                                (_randn(4, 4, seed=32, dtype=F64), 2, "max", 0, 1)]:
        what = _describe_call(pool_size, mode, padding, stride)
        G = _randn(*oracle(X, pool_size, mode, padding, stride).shape, seed=33, dtype=F64)
        inputs = {"call": what, "X": X, "loss": "(pool2d(X, …) * G).sum() with a fixed random G"}
        prop = f"d/dX of (({what}) * G).sum() equals PyTorch's"
        Xo = X.clone().requires_grad_()
        (oracle(Xo, pool_size, mode, padding, stride) * G).sum().backward()
        Xl = X.clone().requires_grad_()
        Y = _pool(kata, Xl, pool_size, mode, padding, stride, prop=prop, inputs=inputs, hints=[Hint(
            "an in-place operation on X (X /= …, X[...] = …, add_): it changes the caller's tensor, and autograd "
            "refuses it on a leaf that requires grad. Compute new tensors instead.",
            when=lambda g, e: isinstance(g, str) and "in-place" in g)])
        expect_tensor(Y, prop, inputs=inputs, shape=G.shape)
        expect(Y.requires_grad, prop, inputs=inputs, expected="a result connected to X in the autograd graph",
               got="a result that does not require grad", hints=[no_graph])
        (Y * G).sum().backward()
        expect(Xl.grad is not None, prop, inputs=inputs, expected="X.grad filled", got="None", hints=[no_graph])
        expect_close(Xl.grad, Xo.grad, prop, inputs=inputs, atol=1e-10, rtol=1e-10)


def test_meta_in_meta_out(kata):
    """meta inputs give a meta output of the right shape (pool2d works on the input's device)"""
    hint = ("allocate on X's device with X's dtype (X.new_zeros / X.new_full, or F.pad and slices of X itself); "
            "torch.zeros(...) and torch.full(...) alone are CPU tensors, and .item(), float() or .tolist() cannot "
            "read a meta tensor (it has no data).")
    for shape, pool_size, mode, padding, stride in [((2, 3, 6, 5), 2, "max", 1, None), ((3, 7, 7), 3, "avg", 1, 2),
                                                    ((5, 4), (2, 3), "max", 0, 1)]:
        what = _describe_call(pool_size, mode, padding, stride)
        want = tuple(oracle(torch.zeros(shape), pool_size, mode, padding, stride).shape)
        inputs = {"call": what, "X": f"a float32 meta tensor of shape {shape}"}
        prop = f"{what} on a meta tensor returns a float32 meta tensor of shape {want}"
        got = run_beside(kata, pool_on_meta, kata.pool2d, shape, pool_size, mode, padding=padding, stride=stride)
        expect(got == (want, "float32", "meta"), prop, inputs=inputs, expected=(want, "float32", "meta"), got=got,
               detail="(shape, dtype, device) of the result", hints=[Hint(hint, when=lambda g, e: not (
                   isinstance(g, str) and g.startswith("ValueError")))])
