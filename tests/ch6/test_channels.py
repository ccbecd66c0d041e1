"""Graders for ch6/channels.py (corr2d_multi_in, corr2d_multi_in_out, conv1x1_as_matmul).

Oracle: ``F.conv2d`` evaluated in float64 (``F.conv2d(X[None], K[None])[0, 0]`` for one output channel,
``F.conv2d(X[None], K)[0]`` for several), and its autograd for the gradients. The book's examples (d2l §6.4) are
checked exactly. Random cases draw shapes with hypothesis and values uniform in [−4, 4) (X) and [−2, 2) (K)
from seeded generators; kernels are asymmetric, so a flipped kernel cannot pass by accident; the 1×1 examples have
ci ≥ 2, co ≥ 2 and h·w ≥ 2, where a pixels-first flattening scrambles the values.

Tolerances. An output value is a sum of n = ci·kh·kw products, each at most max|X|·max|K|; float32 code that sums in
any order (the shipped corr2d's shifted slices, einsum, a matmul) is within a few n·u·max|X|·max|K| of it
(u = 6e-8). The graders allow 1e-6·(1 + max|X|)·(1 + max|K|)·n plus 1e-5 relative — the contract's tolerance for
corr2d with the channel count added; float64: 1e-12·(1 + max|X|)·(1 + max|K|)·n. Gradients (float64) 1e-10.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_raises, expect_tensor, run_beside
from tests.helpers import call, gen, near
from tests.shippable_ch6_channels import call_on_meta

F32, F64 = torch.float32, torch.float64

# The book's §6.4.1 example (the input and kernel of fig_conv_multi_in).
BOOK_X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                       [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
BOOK_K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
BOOK_Y = torch.tensor([[56.0, 72.0], [104.0, 120.0]])


# ------------------------------------------------------------------------------------------------ oracles
def conv_one(X, K):
    """Σ_c X[c] ⋆ K[c] in float64: X (ci, h, w), K (ci, kh, kw) -> (oh, ow)."""
    return F.conv2d(X.double()[None], K.double()[None])[0, 0]


def conv_many(X, K):
    """X (ci, h, w), K (co, ci, kh, kw) -> (co, oh, ow) in float64."""
    return F.conv2d(X.double()[None], K.double())[0]


def tol(X, K, dtype=F32):
    n = K.shape[-3] * K.shape[-2] * K.shape[-1]
    scale = (1.0 + float(X.abs().max())) * (1.0 + float(K.abs().max())) * n
    return (1e-6 if dtype == F32 else 1e-12) * scale


def rtol(dtype):
    return 1e-5 if dtype == F32 else 1e-12


def pre(hints, got, want):
    """The texts of the hints whose ``when`` holds for the real (got, want), decided now."""
    return [h.text for h in hints if h.applies(got, want)]


def _wrong_dtype(dtype):
    return lambda g, e: isinstance(g, torch.Tensor) and g.dtype != dtype


def _raised(g):
    """A call() failure: got is the text "ValueError: ..." of the exception the learner's code raised."""
    return isinstance(g, str) and g.split(":", 1)[0].endswith(("Error", "Exception"))


def _shape(got):
    return tuple(got.shape) if isinstance(got, torch.Tensor) else None


# ------------------------------------------------------------------------------------------------ strategies
def _uniform(shape, bound, seed, dtype):
    """Values uniform in [-bound, bound) from a seeded generator (distinct, asymmetric kernels)."""
    return ((torch.rand(shape, generator=gen(seed), dtype=F64) * 2 - 1) * bound).to(dtype)


@st.composite
def multi_in_cases(draw, dtype=F32, max_c=3, max_side=6, max_k=3):
    """(X (ci, h, w), K (ci, kh, kw)) with a kernel that fits."""
    ci = draw(st.integers(1, max_c), label="ci")
    h = draw(st.integers(1, max_side), label="h")
    w = draw(st.integers(1, max_side), label="w")
    kh = draw(st.integers(1, min(h, max_k)), label="kh")
    kw = draw(st.integers(1, min(w, max_k)), label="kw")
    seed = draw(st.integers(0, 10_000), label="seed")
    X = _uniform((ci, h, w), 4.0, seed, dtype)
    K = _uniform((ci, kh, kw), 2.0, seed + 1, dtype)
    return X, K


@st.composite
def multi_in_out_cases(draw, dtype=F32, max_c=3, max_side=6, max_k=3):
    """(X (ci, h, w), K (co, ci, kh, kw)) with a kernel that fits."""
    co = draw(st.integers(1, max_c), label="co")
    X, K0 = draw(multi_in_cases(dtype, max_c, max_side, max_k))
    K = _uniform((co,) + tuple(K0.shape), 2.0, draw(st.integers(0, 10_000), label="kernel seed"), dtype)
    return X, K


@st.composite
def one_by_one_cases(draw, dtype=F32, max_c=4, max_side=5):
    """(X (ci, h, w), K (co, ci, 1, 1))."""
    ci = draw(st.integers(1, max_c), label="ci")
    co = draw(st.integers(1, max_c), label="co")
    h = draw(st.integers(1, max_side), label="h")
    w = draw(st.integers(1, max_side), label="w")
    seed = draw(st.integers(0, 10_000), label="seed")
    X = _uniform((ci, h, w), 4.0, seed, dtype)
    K = _uniform((co, ci, 1, 1), 2.0, seed + 1, dtype)
    return X, K


def _randn(*shape, seed, dtype=F32):
    return torch.randn(*shape, generator=gen(seed), dtype=dtype)


# A few fixed cases with different answers (asymmetric kernels, several channels, non-square maps).
FIXED_IN = [(_randn(2, 4, 5, seed=1), _randn(2, 2, 3, seed=2)),
            (_randn(3, 3, 3, seed=3), _randn(3, 3, 1, seed=4)),
            (_randn(1, 5, 4, seed=5), _randn(1, 2, 2, seed=6))]
FIXED_IN_OUT = [(_randn(2, 4, 5, seed=7), _randn(3, 2, 2, 3, seed=8)),
                (_randn(3, 5, 5, seed=9), _randn(2, 3, 3, 3, seed=10))]
FIXED_1X1 = [(_randn(3, 2, 4, seed=11), _randn(2, 3, 1, 1, seed=12)),
             (_randn(2, 3, 3, seed=13), _randn(4, 2, 1, 1, seed=14))]


# ------------------------------------------------------------------------------------------------ hints
def multi_in_hints(X, K):
    """Hints for corr2d_multi_in's classic mistakes, each shown when its symptom is there."""
    ci = X.shape[0]
    per = torch.stack([conv_one(X[c:c + 1], K[c:c + 1]) for c in range(ci)])        # (ci, oh, ow)
    flipped = conv_one(X, K.flip(-1, -2))
    return [
        Hint(f"your result has shape {tuple(per.shape)}: one map per input channel, stacked. A multi-input "
             "kernel gives ONE output map: add the per-channel cross-correlations up over the channels "
             "(Σ_c corr2d(X[c], K[c])) instead of stacking them.",
             when=lambda g, w: _shape(g) == tuple(per.shape) and ci >= 1 and per.dim() == 3),
        Hint("that is the mean over the channels: add them up, do not divide by the number of channels.",
             when=lambda g, w: ci > 1 and near(g, w / ci, 1e-3)),
        Hint("only the first channel(s) count in your result: every input channel c contributes "
             "corr2d(X[c], K[c]) to the sum.",
             when=lambda g, w: ci > 1 and (near(g, per[0], 1e-3) or near(g, per[:-1].sum(0), 1e-3))),
        Hint("that is a true convolution (the kernel flipped): deep learning's convolution is a cross-correlation, "
             "Y[i, j] = Σ_c Σ_a Σ_b X[c, i + a, j + b]·K[c, a, b].",
             when=lambda g, w: near(g, flipped, 1e-3) and not near(flipped, w, 1e-3)),
        Hint("the output map has shape (h − kh + 1, w − kw + 1): one value per position of the kernel on X.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() == 2 and g.shape != w.shape),
    ]


def multi_in_out_hints(X, K):
    co, ci = K.shape[:2]
    want = conv_many(X, K)
    oh, ow = want.shape[1:]
    hints = [
        Hint(f"your result has shape {(co * oh, ow)}: torch.cat glued the output maps together; torch.stack(..., 0) "
             "puts each one in its own channel, (co, oh, ow).",
             when=lambda g, w: _shape(g) == (co * oh, ow) and co > 1),
        Hint("the output channels must come first, (co, oh, ow): stack along dim 0.",
             when=lambda g, w: _shape(g) == (oh, ow, co) and ((oh, ow, co) != (co, oh, ow)
                                                              or near(g, want.permute(1, 2, 0), 1e-3))
             and not near(g, want, 1e-3)),
        Hint("each output channel is a 4-D result per kernel: corr2d_multi_in must add its input channels up "
             "into one map (yours keeps one map per input channel).",
             when=lambda g, w: _shape(g) == (co, ci, oh, ow)),
        Hint("output channel o uses K[o], the (ci, kh, kw) kernel of that channel (PyTorch's layout (co, ci, kh, "
             "kw)); you read K as (ci, co, kh, kw).",
             when=lambda g, w: co == ci and co > 1 and near(g, conv_many(X, K.transpose(0, 1)), 1e-3)),
        Hint(f"these shapes are valid (X (ci, h, w) = {tuple(X.shape)}, K (co, ci, kh, kw) = {tuple(K.shape)}), so "
             "nothing should raise. Output channel o uses K[o], the (ci, kh, kw) kernel of that channel (PyTorch's "
             "layout): iterate over K's first axis (for k in K), not over K.transpose(0, 1) or K[:, c].",
             when=lambda g, w: _raised(g)),
    ]
    return hints


def one_by_one_hints(X, K):
    ci, h, w = X.shape
    co = K.shape[0]
    K2 = K.double().reshape(co, ci)
    pixels_first = (K2 @ X.double().reshape(h * w, ci).T).reshape(co, h, w)
    out_scrambled = (X.double().reshape(ci, h * w).T @ K2.T).reshape(co, h, w)
    k_transposed = (K.double().reshape(ci, co).T @ X.double().reshape(ci, h * w)).reshape(co, h, w)
    return [
        Hint("the values are in the wrong places although the shape is right: X.reshape(h * w, ci).T flattens "
             "pixels-first and mixes channels and pixels. X (ci, h, w) is stored channel by channel, so "
             "X.reshape(ci, h * w) keeps each channel in its own row (one column per pixel).",
             when=lambda g, e: ci > 1 and h * w > 1 and near(g, pixels_first, 1e-3)),
        Hint("the product X2ᵀ @ K2ᵀ has shape (h·w, co), pixels first; reshaping it straight to (co, h, w) "
             "scrambles the values. Compute K2 @ X2 ((co, ci) @ (ci, h·w)) or transpose before the reshape.",
             when=lambda g, e: co > 1 and h * w > 1 and near(g, out_scrambled, 1e-3)),
        Hint("K (co, ci, 1, 1) is read as a (co, ci) matrix: K.reshape(co, ci) (or K[:, :, 0, 0]); "
             "K.reshape(ci, co).T pairs the wrong weights.",
             when=lambda g, e: co > 1 and ci > 1 and near(g, k_transposed, 1e-3)),
        Hint("the result has shape (co, h, w): the (co, h·w) product reshaped.",
             when=lambda g, e: isinstance(g, torch.Tensor) and g.shape != (co, h, w)),
    ]


# ------------------------------------------------------------------------------------------------ corr2d_multi_in
def _multi_in(kata, X, K, prop, inputs, hints=()):
    return call(kata.corr2d_multi_in, X, K, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core
def test_multi_in_book_example(kata):
    """the book's two-channel example: corr2d_multi_in(X, K) = [[56, 72], [104, 120]]"""
    inputs = {"X": BOOK_X, "K": BOOK_K}
    prop = "corr2d_multi_in(X, K) = Σ_c corr2d(X[c], K[c]) on the book's example (d2l §6.4.1)"
    hints = multi_in_hints(BOOK_X, BOOK_K)
    got = _multi_in(kata, BOOK_X.clone(), BOOK_K.clone(), prop, inputs, hints)
    expect_close(got, BOOK_Y, prop, inputs=inputs, atol=1e-4, rtol=0, hints=pre(hints, got, BOOK_Y.double()))
    # a second example with another answer: the same kernels on X + 1 (so a fixed tensor cannot pass)
    X1, want1 = BOOK_X + 1, conv_one(BOOK_X + 1, BOOK_K)
    got1 = _multi_in(kata, X1, BOOK_K.clone(), prop, {"X": X1, "K": BOOK_K}, hints)
    expect_close(got1, want1, prop, inputs={"X": X1, "K": BOOK_K}, atol=1e-4, rtol=0,
                 hints=pre(multi_in_hints(X1, BOOK_K), got1, want1))


@pytest.mark.core
@settings(max_examples=20)
@given(XK=multi_in_cases())
@example(XK=FIXED_IN[0])
@example(XK=FIXED_IN[1])
@example(XK=FIXED_IN[2])
def test_multi_in_matches_conv2d(kata, XK):
    """corr2d_multi_in(X, K) equals F.conv2d(X[None], K[None])[0, 0] on random shapes"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d_multi_in(X, K) = F.conv2d(X[None], K[None])[0, 0] (sum over the input channels)"
    hints = multi_in_hints(X, K)
    got = _multi_in(kata, X.clone(), K.clone(), prop, inputs, hints)
    want = conv_one(X, K)
    expect_close(got, want, prop, inputs=inputs, atol=tol(X, K), rtol=1e-5, hints=pre(hints, got, want))


@settings(max_examples=15)
@given(XK=multi_in_cases(F64))
def test_multi_in_float64(kata, XK):
    """float64 in, float64 out, accurate to float64 precision"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d_multi_in keeps float64 (a float64 result equal to F.conv2d's to 1e-12)"
    hints = multi_in_hints(X, K) + [Hint("allocate with X's dtype and device (X.new_zeros(...), or sum the "
                                         "per-channel results directly); torch.zeros(...) is float32 on the CPU.",
                                         when=_wrong_dtype(F64))]
    got = _multi_in(kata, X.clone(), K.clone(), prop, inputs, hints)
    want = conv_one(X, K)
    expect_tensor(got, prop, inputs=inputs, shape=want.shape, dtype=F64, hints=pre(hints, got, want))
    expect_close(got, want, prop, inputs=inputs, atol=tol(X, K, F64), rtol=1e-12, hints=pre(hints, got, want))


@settings(max_examples=15)
@given(XK=multi_in_cases(max_side=4))
def test_multi_in_is_a_sum_over_channels(kata, XK):
    """corr2d_multi_in(X, K) is the sum of its one-channel results, corr2d_multi_in(X[c:c+1], K[c:c+1])"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d_multi_in(X, K) = Σ_c corr2d_multi_in(X[c:c+1], K[c:c+1])"
    hints = multi_in_hints(X, K)
    whole = _multi_in(kata, X.clone(), K.clone(), prop, inputs, hints)
    parts = [_multi_in(kata, X[c:c + 1].clone(), K[c:c + 1].clone(), prop, inputs, hints) for c in range(X.shape[0])]
    for p in parts:
        expect_tensor(p, prop, inputs=inputs, shape=conv_one(X[:1], K[:1]).shape, hints=pre(hints, p, conv_one(X, K)))
    expect_tensor(whole, prop, inputs=inputs, shape=parts[0].shape, hints=pre(hints, whole, conv_one(X, K)))
    total = torch.stack([p.double() for p in parts]).sum(0)
    expect_close(whole, total, prop, inputs=inputs, atol=2 * tol(X, K), rtol=1e-5,
                 hints=pre(hints, whole, conv_one(X, K)))


ZIP_HINT = ("check the channel counts first (X.shape[0] == K.shape[0]) and raise ValueError when they differ: the "
            "book's zip(X, K) stops at the shorter of the two, so a missing channel silently gives a wrong answer.")
RANK_HINT = "check the ranks first: X must be (ci, h, w) and K (ci, kh, kw); raise ValueError for anything else."


@settings(max_examples=15)
@given(ci=st.integers(1, 3), ck=st.integers(1, 3), h=st.integers(2, 4))
@example(ci=2, ck=3, h=3)
@example(ci=3, ck=2, h=3)
def test_multi_in_channel_mismatch_raises(kata, ci, ck, h):
    """different channel counts in X and K raise ValueError (zip would silently drop channels)"""
    if ci == ck:
        ck = ci + 1
    X, K = _randn(ci, h, h, seed=20 + ci), _randn(ck, 2, 2, seed=30 + ck)
    with expect_raises(ValueError, "corr2d_multi_in with X.shape[0] ≠ K.shape[0] raises ValueError",
                       inputs={"X.shape": tuple(X.shape), "K.shape": tuple(K.shape)}, hints=[ZIP_HINT]):
        kata.corr2d_multi_in(X, K)


def test_multi_in_rank_errors(kata):
    """X or K that is not 3-D, or a kernel larger than X, raises ValueError"""
    cases = [(_randn(4, 4, seed=1), _randn(2, 2, seed=2), RANK_HINT),
             (_randn(2, 4, 4, seed=3), _randn(1, 2, 2, 2, seed=4), RANK_HINT),
             (_randn(1, 2, 4, 4, seed=5), _randn(2, 2, 2, seed=6), RANK_HINT),
             (_randn(2, 3, 3, seed=7), _randn(2, 4, 2, seed=8),
              "a kernel taller or wider than X does not fit: raise ValueError (the shipped corr2d does)."),
             (_randn(2, 3, 3, seed=9), _randn(2, 2, 4, seed=10),
              "a kernel taller or wider than X does not fit: raise ValueError (the shipped corr2d does).")]
    for X, K, hint in cases:
        with expect_raises(ValueError, "corr2d_multi_in needs X (ci, h, w) and K (ci, kh, kw) with a kernel that "
                           "fits; anything else raises ValueError",
                           inputs={"X.shape": tuple(X.shape), "K.shape": tuple(K.shape)}, hints=[hint]):
            kata.corr2d_multi_in(X, K)


# ------------------------------------------------------------------------------------------------ corr2d_multi_in_out
def _multi_in_out(kata, X, K, prop, inputs, hints=()):
    return call(kata.corr2d_multi_in_out, X, K, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core
def test_multi_in_out_book_example(kata):
    """the book's three-output example: K, K + 1, K + 2 stacked give three output channels"""
    K3 = torch.stack((BOOK_K, BOOK_K + 1, BOOK_K + 2), 0)          # (3, 2, 2, 2)
    inputs = {"X": BOOK_X, "K": K3}
    prop = "corr2d_multi_in_out(X, K)[o] = corr2d_multi_in(X, K[o]) on the book's example (d2l §6.4.2)"
    want = conv_many(BOOK_X, K3)
    hints = multi_in_out_hints(BOOK_X, K3)
    got = _multi_in_out(kata, BOOK_X.clone(), K3.clone(), prop, inputs, hints)
    expect_close(got, want, prop, inputs=inputs, atol=1e-4, rtol=0, hints=pre(hints, got, want))
    expect_close(got[0], BOOK_Y, "channel 0 is the §6.4.1 result [[56, 72], [104, 120]]", inputs=inputs, atol=1e-4,
                 rtol=0)


@pytest.mark.core
@settings(max_examples=20)
@given(XK=multi_in_out_cases())
@example(XK=FIXED_IN_OUT[0])
@example(XK=FIXED_IN_OUT[1])
def test_multi_in_out_matches_conv2d(kata, XK):
    """corr2d_multi_in_out(X, K) equals F.conv2d(X[None], K)[0] on random shapes"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d_multi_in_out(X, K) = F.conv2d(X[None], K)[0], K of shape (co, ci, kh, kw)"
    hints = multi_in_out_hints(X, K)
    got = _multi_in_out(kata, X.clone(), K.clone(), prop, inputs, hints)
    want = conv_many(X, K)
    expect_close(got, want, prop, inputs=inputs, atol=tol(X, K), rtol=1e-5, hints=pre(hints, got, want))


@settings(max_examples=15)
@given(XK=multi_in_out_cases(F64))
def test_multi_in_out_float64(kata, XK):
    """float64 in, float64 out, accurate to float64 precision"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d_multi_in_out keeps float64 (a float64 result equal to F.conv2d's to 1e-12)"
    hints = multi_in_out_hints(X, K) + [Hint("keep X's dtype: allocate with X.new_zeros(...) or stack the "
                                             "per-channel results; torch.zeros(...) is float32 on the CPU.",
                                             when=_wrong_dtype(F64))]
    got = _multi_in_out(kata, X.clone(), K.clone(), prop, inputs, hints)
    want = conv_many(X, K)
    expect_tensor(got, prop, inputs=inputs, shape=want.shape, dtype=F64, hints=pre(hints, got, want))
    expect_close(got, want, prop, inputs=inputs, atol=tol(X, K, F64), rtol=1e-12, hints=pre(hints, got, want))


@settings(max_examples=15)
@given(XK=multi_in_out_cases(max_side=4))
def test_multi_in_out_channel_is_multi_in(kata, XK):
    """output channel o of corr2d_multi_in_out(X, K) is corr2d_multi_in(X, K[o])"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "corr2d_multi_in_out(X, K)[o] = corr2d_multi_in(X, K[o]) for every output channel o"
    hints = multi_in_out_hints(X, K)
    got = _multi_in_out(kata, X.clone(), K.clone(), prop, inputs, hints)
    parts = [_multi_in(kata, X.clone(), K[o].clone(), prop, inputs) for o in range(K.shape[0])]
    want = conv_many(X, K)
    expect_tensor(got, prop, inputs=inputs, shape=want.shape, hints=pre(hints, got, want))
    for o, p in enumerate(parts):
        expect_close(got[o], p, f"{prop} (o = {o})", inputs=inputs, atol=2 * tol(X, K), rtol=1e-5, hints=pre(
            [Hint("build each output channel with your corr2d_multi_in(X, K[o]) and stack them along dim 0.")],
            got, want))


def test_multi_in_out_mismatch_raises(kata):
    """K.shape[1] ≠ X.shape[0], or K that is not 4-D, raises ValueError"""
    cases = [(_randn(2, 4, 4, seed=1), _randn(3, 3, 2, 2, seed=2), ZIP_HINT.replace("K.shape[0]", "K.shape[1]")),
             (_randn(3, 4, 4, seed=3), _randn(2, 2, 2, 2, seed=4), ZIP_HINT.replace("K.shape[0]", "K.shape[1]")),
             (_randn(2, 4, 4, seed=5), _randn(2, 2, 2, seed=6),
              "K must be 4-D, (co, ci, kh, kw); check K.dim() == 4 and raise ValueError otherwise."),
             (_randn(4, 4, seed=7), _randn(1, 1, 2, 2, seed=8),
              "X must be 3-D, (ci, h, w); check X.dim() == 3 and raise ValueError otherwise.")]
    for X, K, hint in cases:
        with expect_raises(ValueError, "corr2d_multi_in_out needs X (ci, h, w) and K (co, ci, kh, kw) with "
                           "K.shape[1] == X.shape[0]; anything else raises ValueError",
                           inputs={"X.shape": tuple(X.shape), "K.shape": tuple(K.shape)}, hints=[hint]):
            kata.corr2d_multi_in_out(X, K)


# ------------------------------------------------------------------------------------------------ conv1x1_as_matmul
def _one_by_one(kata, X, K, prop, inputs, hints=()):
    return call(kata.conv1x1_as_matmul, X, K, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core
@settings(max_examples=20)
@given(XK=one_by_one_cases())
@example(XK=FIXED_1X1[0])
@example(XK=FIXED_1X1[1])
def test_conv1x1_matches_conv2d(kata, XK):
    """conv1x1_as_matmul(X, K) equals F.conv2d(X[None], K)[0] for 1×1 kernels"""
    X, K = XK
    inputs = {"X": X, "K": K}
    prop = "conv1x1_as_matmul(X, K) = F.conv2d(X[None], K)[0] for K of shape (co, ci, 1, 1)"
    hints = one_by_one_hints(X, K)
    got = _one_by_one(kata, X.clone(), K.clone(), prop, inputs, hints)
    want = conv_many(X, K)
    expect_close(got, want, prop, inputs=inputs, atol=tol(X, K), rtol=1e-5, hints=pre(hints, got, want))


def test_conv1x1_book_check(kata):
    """the book's check: conv1x1_as_matmul equals corr2d_multi_in_out on X (3, 3, 3), K (2, 3, 1, 1)"""
    for seed in (0, 1):
        X, K = _randn(3, 3, 3, seed=40 + seed), _randn(2, 3, 1, 1, seed=50 + seed)
        inputs = {"X": X, "K": K}
        prop = "conv1x1_as_matmul(X, K) = corr2d_multi_in_out(X, K) (the book's assert, up to float32 rounding)"
        hints = one_by_one_hints(X, K)
        Y1 = _one_by_one(kata, X.clone(), K.clone(), prop, inputs, hints)
        Y2 = _multi_in_out(kata, X.clone(), K.clone(), prop, inputs, multi_in_out_hints(X, K))
        want = conv_many(X, K)
        expect_tensor(Y1, prop, inputs=inputs, shape=want.shape, hints=pre(hints, Y1, want))
        expect_tensor(Y2, prop, inputs=inputs, shape=want.shape, hints=pre(multi_in_out_hints(X, K), Y2, want))
        expect_close(Y1, Y2.detach().double(), prop, inputs=inputs, atol=2 * tol(X, K), rtol=2e-5,
                     hints=pre(hints, Y1, want))


@settings(max_examples=15)
@given(XK=one_by_one_cases(), data=st.data())
@example(XK=FIXED_1X1[0], data=None)
def test_conv1x1_is_fully_connected_per_pixel(kata, XK, data):
    """a 1×1 convolution is a fully connected layer at every pixel: Y[:, i, j] = K[:, :, 0, 0] @ X[:, i, j]"""
    X, K = XK
    ci, h, w = X.shape
    inputs = {"X": X, "K": K}
    hints = one_by_one_hints(X, K)
    got = _one_by_one(kata, X.clone(), K.clone(), "conv1x1_as_matmul(X, K) has shape (co, h, w)", inputs, hints)
    want = conv_many(X, K)
    expect_tensor(got, "conv1x1_as_matmul(X, K) has shape (co, h, w)", inputs=inputs, shape=want.shape,
                  hints=pre(hints, got, want))
    i = 0 if data is None else data.draw(st.integers(0, h - 1), label="i")
    j = w - 1 if data is None else data.draw(st.integers(0, w - 1), label="j")
    W = K[:, :, 0, 0].double()                                          # (co, ci)
    expect_close(got[:, i, j], W @ X[:, i, j].double(), f"Y[:, {i}, {j}] = K[:, :, 0, 0] @ X[:, {i}, {j}]",
                 inputs={**inputs, "pixel": (i, j)}, atol=tol(X, K), rtol=1e-5, hints=pre(hints, got, want))


def test_conv1x1_rejects_bad_kernels(kata):
    """a kernel that is not 1×1, or a channel mismatch, raises ValueError"""
    not_1x1 = ("check that K is (co, ci, 1, 1) (K.shape[2:] == (1, 1)) and raise ValueError otherwise: a reshape or "
               "K[:, :, 0, 0] would quietly ignore the rest of a larger kernel (or fail with a RuntimeError).")
    cases = [(_randn(3, 4, 4, seed=1), _randn(2, 3, 3, 3, seed=2), not_1x1),
             (_randn(3, 4, 4, seed=3), _randn(2, 3, 1, 2, seed=4), not_1x1),
             (_randn(2, 4, 4, seed=5), _randn(2, 3, 1, 1, seed=6), ZIP_HINT.replace("K.shape[0]", "K.shape[1]")),
             (_randn(3, 4, 4, seed=7), _randn(3, 2, 1, 1, seed=8), ZIP_HINT.replace("K.shape[0]", "K.shape[1]")),
             (_randn(3, 4, 4, seed=9), _randn(2, 3, seed=10),
              "K must be 4-D, (co, ci, 1, 1): check K.dim() == 4 and raise ValueError otherwise.")]
    for X, K, hint in cases:
        with expect_raises(ValueError, "conv1x1_as_matmul needs K of shape (co, X.shape[0], 1, 1); anything else "
                           "raises ValueError",
                           inputs={"X.shape": tuple(X.shape), "K.shape": tuple(K.shape)}, hints=[hint]):
            kata.conv1x1_as_matmul(X, K)


# ------------------------------------------------------------------------------------------------ all three
FUNCS = {"corr2d_multi_in": conv_one, "corr2d_multi_in_out": conv_many, "conv1x1_as_matmul": conv_many}


def _case(name, seed, dtype=F64):
    if name == "corr2d_multi_in":
        return _randn(3, 4, 5, seed=seed, dtype=dtype), _randn(3, 2, 3, seed=seed + 1, dtype=dtype)
    if name == "corr2d_multi_in_out":
        return _randn(2, 5, 4, seed=seed, dtype=dtype), _randn(3, 2, 3, 2, seed=seed + 1, dtype=dtype)
    return _randn(3, 3, 4, seed=seed, dtype=dtype), _randn(2, 3, 1, 1, seed=seed + 1, dtype=dtype)


def _gradients(kata, name):
    X, K = _case(name, 60)
    G = _randn(*FUNCS[name](X, K).shape, seed=70, dtype=F64)               # upstream gradient
    Xo, Ko = X.clone().requires_grad_(), K.clone().requires_grad_()
    (FUNCS[name](Xo, Ko) * G).sum().backward()
    Xl, Kl = X.clone().requires_grad_(), K.clone().requires_grad_()
    inputs = {"X": X, "K": K, "loss": "(Y * G).sum() with a fixed random G"}
    prop = f"{name}(X, K) is differentiable: its gradients wrt X and K equal F.conv2d's"
    Y = call(getattr(kata, name), Xl, Kl, prop=prop, inputs=inputs)
    expect_tensor(Y, prop, inputs=inputs, shape=G.shape)
    no_graph = Hint("no gradient reached X or K: compute with tensor operations only (no .item(), float(), "
                    ".detach(), .data or a torch.tensor(...) rebuilt from numbers).")
    expect(Y.requires_grad, prop, inputs=inputs, expected="a result connected to X and K in the autograd graph",
           got="a result that does not require grad", hints=[no_graph])
    (Y * G).sum().backward()
    for what, got, want in (("X", Xl.grad, Xo.grad), ("K", Kl.grad, Ko.grad)):
        expect(got is not None, prop, inputs=inputs, expected=f"{what}.grad filled", got="None", hints=[no_graph])
        expect_close(got, want, f"{prop} (d loss / d {what})", inputs=inputs, atol=1e-10, rtol=1e-10)


def test_multi_in_gradients(kata):
    """corr2d_multi_in's gradients wrt X and K equal F.conv2d's"""
    _gradients(kata, "corr2d_multi_in")


def test_multi_in_out_gradients(kata):
    """corr2d_multi_in_out's gradients wrt X and K equal F.conv2d's"""
    _gradients(kata, "corr2d_multi_in_out")


def test_conv1x1_gradients(kata):
    """conv1x1_as_matmul's gradients wrt X and K equal F.conv2d's"""
    _gradients(kata, "conv1x1_as_matmul")


def test_inputs_unchanged(kata):
    """the three functions leave X and K unchanged"""
    for name in FUNCS:
        X, K = _case(name, 80, F32)
        X0, K0 = X.clone(), K.clone()
        prop = f"{name}(X, K) leaves X and K unchanged"
        call(getattr(kata, name), X, K, prop=prop, inputs={"X": X0, "K": K0})
        for what, now, before in (("X", X, X0), ("K", K, K0)):
            expect(torch.equal(now, before), prop, inputs={"X": X0, "K": K0}, expected=f"{what} as it was",
                   got=now, hints=["work on new tensors (X[c] * K[c] ... creates them); in-place operations "
                                   "(+=, add_, a slice assignment) on X or K, or on views of them, change the "
                                   "caller's tensors."])


def test_meta_in_meta_out(kata):
    """meta inputs give a meta output of the right shape (the function works on the inputs' device)"""
    hint = ("allocate on X's device with X's dtype (X.new_zeros(...), torch.zeros(..., device=X.device, "
            "dtype=X.dtype)) or build the result from X and K directly; torch.zeros(...) alone is a CPU tensor, "
            "and .item(), float() or .tolist() cannot read a meta tensor (it has no data).")
    for name in FUNCS:
        X, K = _case(name, 90, F32)
        want = tuple(FUNCS[name](X, K).shape)
        inputs = {"X": f"a meta tensor of shape {tuple(X.shape)}", "K": f"a meta tensor of shape {tuple(K.shape)}"}
        prop = f"{name} on meta tensors returns a float32 meta tensor of shape {want}"
        got = run_beside(kata, call_on_meta, getattr(kata, name), tuple(X.shape), tuple(K.shape))
        expect(got == (want, "float32", "meta"), prop, inputs=inputs, expected=(want, "float32", "meta"),
               got=got, detail="(shape, dtype, device) of the result", hints=[Hint(hint, when=lambda g, e: not (
                   isinstance(g, str) and g.startswith("ValueError")))])
