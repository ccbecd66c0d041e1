"""Graders for ch13/augmentation.py (hflip, random_hflip, random_crop, color_jitter, augment).

Oracles: ``torch.flip(X, [-1])`` for the mirror; for the random functions, what the output must be *for some* draw:
every output image is its input or its mirror (random_hflip); a window of the zero-padded image at an offset found by
searching all of them (random_crop, augment — copies are exact, so the search compares exactly); clamp(c·b·X +
(1 − c)·b·mean(X)) with per-image factors recovered from the output and checked to lie in their ranges
(color_jitter). Randomness is graded by reproducibility (``tests.helpers.expect_generator_used``) and by
distributions (5σ bounds, ``stat_seed``), never draw for draw.

Statistics (``stat_seed``; scripts/flake_check.py runs them under 200 seeds), each with a 5σ bound:

* random_hflip: the number of flipped images among 2,000 is Binomial(2000, p), p ∈ {0.2, 0.5, 0.9}: within
  5·√(2000·p(1 − p)) (±89 at p = 0.5) of 2000·p.
* random_crop: 2,000 windows of 4 × 4 from 4 × 4 images padded by 1: each of the 9 offsets Binomial(2000, 1/9),
  within 5·√(2000·(1/9)(8/9)) = ±70 of 222. A never-drawn offset (0 against 222) and one offset for the whole
  batch are far outside.
* color_jitter: 2,000 factors recovered exactly from constant images: b ~ U[lo, hi] — each quarter of the range
  holds Binomial(2000, 1/4) of them (within 5·√(2000·3/16) = ±97 of 500), and every factor lies in [lo, hi]; the
  same for c. Tested at brightness 0.5 and 1.5 (> 1: lo = 0) and contrast 0.5.

Tolerances: flips and crops are copies — compared exactly; color_jitter 1e-5 relative plus 1e-6 absolute (a float32
product, float64 internals or another order of operations pass); recovered factors must lie in their range up to
1e-5.

Training check (the contract's, measured before it was graded): a small CNN (Conv2d(1, 16, 3, padding=1), ReLU,
MaxPool2d(2), Flatten, Linear(256, 10); seeded uniform init; the graders' hand-written Adam, lr 0.01, batch 64,
10 epochs) on the 8 × 8 digits, trained on ``augment(X, padding=1, flip=False)`` (one fresh call per epoch) and on
the plain digits (the graders' own baseline, cached per seed). Evaluated on the test digits and on the test digits
shifted by one pixel (up, down, left, right; zeros fill in). Measured for the reference over 200 seeds (~0.45 s CPU
per training run): plain training — test accuracy 0.940-0.993, shifted 0.478-0.639; augmented — test accuracy
0.922-0.987, shifted 0.879-0.940. Per seed, augmented minus plain: test accuracy −0.051…+0.027 (mean −0.014),
shifted accuracy +0.279…+0.422 (mean +0.354). Graded: the augmented CNN's test accuracy ≥ the plain one's − 0.08,
and its shifted accuracy ≥ the plain one's + 0.20 (both hold on all 200 seeds with a margin). An augment that does
not shift (padding ignored) gains nothing on the shifted digits.
"""
import copy
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail
from tests.helpers import call, digit_images, expect_generator_used, gen, stat_gen
from tests.shippable_nets import Adam


def _images(N, C, H, W, seed, lo=0.05, hi=1.0, dtype=torch.float32):
    """Random images with values in [lo, hi]: every pixel different (with probability 1), so windows, mirrors and
    offsets can be told apart."""
    g = gen(seed)
    return (lo + (hi - lo) * torch.rand(N, C, H, W, generator=g, dtype=torch.float64)).to(dtype)


# ================================================================================================ hflip
def _flip_hints(X):
    alt = {
        "updown": torch.flip(X, [-2]),
        "channels": torch.flip(X, [1]) if X.dim() == 4 else None,
        "batch": torch.flip(X, [0]),
        "roll": torch.roll(torch.flip(X, [-1]), 1, dims=-1),
    }
    right = torch.flip(X, [-1])

    def is_(key):
        v = alt[key]
        return lambda g, w: v is not None and isinstance(g, torch.Tensor) and g.shape == v.shape \
            and not torch.equal(v, right) and torch.equal(g.detach().cpu(), v)

    W = X.shape[-1]
    return [
        Hint("that is an up–down flip (the rows reversed): a horizontal flip reverses the **columns**, the last "
             "axis (W).", when=is_("updown")),
        Hint("you reversed the channels; mirror the last axis (W) instead.", when=is_("channels")),
        Hint("you reversed the order of the images in the batch; mirror each image along its last axis (W).",
             when=is_("batch")),
        Hint(f"the columns are reversed but shifted by one: the mirror of column j is column W − 1 − j "
             f"(indices W − 1, …, 0 — torch.arange(W − 1, −1, −1) for W = {W}).", when=is_("roll")),
        Hint(f"a column is missing: the indices W − 1, …, 0 are torch.arange(W − 1, −1, −1) — arange's stop is "
             f"exclusive, so it is −1, not 0.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() == X.dim() and g.shape[-1] == W - 1),
    ]


def _hflip_call(kata, X, prop, inputs, hints=()):
    got = call(kata.hflip, X.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, hints=hints)
    return got


@pytest.mark.core("hflip")
@settings(max_examples=25)
@given(N=st.integers(1, 3), C=st.integers(1, 3), H=st.integers(1, 5), W=st.integers(1, 6), seed=st.integers(0, 2 ** 16))
@example(N=2, C=3, H=4, W=5, seed=1)
@example(N=1, C=1, H=2, W=2, seed=2)
def test_hflip_matches_torch_flip(kata, N, C, H, W, seed):
    """hflip(X) mirrors every image left–right: it equals torch.flip(X, [-1])"""
    X = _images(N, C, H, W, seed)
    inputs = {"X": X}
    prop = "hflip(X)[n, c, i, j] = X[n, c, i, W − 1 − j]"
    hints = _flip_hints(X)
    got = _hflip_call(kata, X, prop, inputs, hints)
    expect_equal(got, torch.flip(X, [-1]), prop, inputs=inputs, hints=hints)


def test_hflip_is_an_involution(kata):
    """hflip(hflip(X)) = X"""
    for shape, seed in (((2, 3, 4, 5), 11), ((3, 1, 6, 6), 12)):
        X = _images(*shape, seed)
        inputs = {"X": X}
        once = _hflip_call(kata, X, "hflip(X) returns a tensor of X's shape", inputs, _flip_hints(X))
        twice = _hflip_call(kata, once.detach(), "hflip(hflip(X)) returns a tensor of X's shape", {"hflip(X)": once})
        expect_equal(twice, X, "mirroring twice gives the image back: hflip(hflip(X)) = X", inputs=inputs,
                     hints=_flip_hints(X))


def test_hflip_keeps_the_input_and_its_dtype(kata):
    """hflip leaves X unchanged and keeps its dtype (float64 in, float64 out)"""
    X = _images(2, 2, 3, 4, 21, dtype=torch.float64)
    X0 = X.clone()
    inputs = {"X": X0}
    got = call(kata.hflip, X, prop="hflip of a float64 batch", inputs=inputs)
    expect_equal(X, X0, "hflip does not change its input", inputs=inputs,
                 hints=["build a new tensor by indexing (X[..., idx]); do not assign into X."])
    expect_tensor(got, "hflip keeps the dtype (float64)", inputs=inputs, shape=X.shape, dtype=torch.float64)
    expect_equal(got, torch.flip(X0, [-1]), "hflip of a float64 batch = torch.flip(X, [-1])", inputs=inputs,
                 hints=_flip_hints(X0))


# ================================================================================================ random_hflip
def _rhflip(kata, X, p, g, prop, inputs, hints=()):
    got = call(kata.random_hflip, X.clone(), p, generator=g, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, hints=hints)
    return got


def _flipped_mask(X, got, prop, inputs, hints=()):
    """(N,) bool: which images were mirrored; fails unless every image is its input or its mirror."""
    dims = tuple(range(1, X.dim()))
    same = (got.detach().cpu() == X).all(dim=dims)
    mirror = (got.detach().cpu() == torch.flip(X, [-1])).all(dim=dims)
    bad = ~(same | mirror)
    if bool(bad.any()):
        n = int(bad.nonzero()[0])
        updown = bool((got.detach().cpu()[n] == torch.flip(X[n], [-2])).all())
        fail(prop, inputs={**inputs, "image": n}, expected="each image equal to X[n] or to its mirror hflip(X[n])",
             got=f"image {n} is neither ({int(bad.sum())} of {len(X)} such images)",
             detail=f"X[{n}] = {X[n].tolist()}; got[{n}] = {got[n].detach().tolist()}",
             hints=list(hints) + [
                 Hint("image {n} is flipped up–down: mirror the last axis (W).".replace("{n}", str(n)),
                      when=lambda g_, w: updown),
                 Hint("flip whole images: one coin per image (torch.rand(N) < p, reshaped to (N, 1, 1, 1)), not one "
                      "coin per pixel or per row.")])
    return mirror & ~same


@pytest.mark.core("random_hflip")
def test_random_hflip_flips_whole_images(kata):
    """random_hflip returns every image as it is or mirrored, with a coin per image: some of each"""
    for N, p, seed in ((64, 0.5, 31), (80, 0.3, 32), (60, 0.8, 33)):
        X = _images(N, 2, 3, 4, seed)
        inputs = {"X": f"({N}, 2, 3, 4) random", "p": p, "generator": f"manual_seed({seed + 100})"}
        prop = f"random_hflip(X, p={p}) mirrors some whole images and leaves the others"
        got = _rhflip(kata, X, p, gen(seed + 100), prop, inputs)
        flipped = _flipped_mask(X, got, prop, inputs)
        k = int(flipped.sum())
        # P(no flip or all flipped) ≤ 0.8^60 + 0.7^80 ≈ 1.5e-6 for these seeds it is a fixed fact
        expect(0 < k < N, f"random_hflip(X, p={p}) flips some images and not others (one coin per image)",
               inputs=inputs, expected=f"about {p * N:.0f} of {N} images mirrored", got=f"{k} of {N} mirrored",
               hints=[Hint("every image got the same coin: draw one coin per image, torch.rand(N, generator=g) < p.",
                           when=lambda g_, w: k in (0, N))])


@pytest.mark.core("random_hflip")
def test_random_hflip_uses_the_generator(kata):
    """equally seeded generators give the same flips (whatever the global RNG does), different seeds differ"""
    X = _images(40, 1, 2, 3, 41)
    inputs = {"X": "(40, 1, 2, 3) random", "p": 0.5}
    expect_generator_used(lambda g: _rhflip(kata, X, 0.5, g, "random_hflip(X, 0.5, generator=g)", inputs),
                          "random_hflip(X, 0.5)", inputs=inputs,
                          hints=["draw the coins with the generator: torch.rand(N, generator=generator)."])


def test_random_hflip_p_zero_and_one(kata):
    """p = 0 leaves every image, p = 1 mirrors every image"""
    X = _images(12, 2, 3, 5, 51)
    for p, want, what in ((0.0, X, "X unchanged"), (1.0, torch.flip(X, [-1]), "every image mirrored")):
        inputs = {"X": "(12, 2, 3, 5) random", "p": p}
        got = _rhflip(kata, X, p, gen(52), f"random_hflip(X, p={p})", inputs)
        expect_equal(got, want, f"random_hflip(X, p={p:g}) gives {what}", inputs=inputs,
                     hints=[Hint("flip image n when its coin u_n ~ U[0, 1) is below p: torch.rand(N) < p is never "
                                 "true for p = 0 and always true for p = 1 (u > p, or <=, gets an end wrong).")])


# ================================================================================================ random_crop
def _windows(Xp, s):
    """All s × s windows of the padded batch: {(i, j): (N, C, s, s)}."""
    Hp, Wp = Xp.shape[-2:]
    return {(i, j): Xp[:, :, i:i + s, j:j + s] for i in range(Hp - s + 1) for j in range(Wp - s + 1)}


def _find_offsets(X, got, size, padding, mirrored=False):
    """(N, 2) offsets (i, j) of the window each output image is (−1 where none), and (N,) which were mirrored."""
    Xp = F.pad(X, (padding,) * 4)
    N = X.shape[0]
    found = torch.full((N, 2), -1, dtype=torch.long)
    mirror = torch.zeros(N, dtype=torch.bool)
    out = got.detach().cpu()
    for (i, j), win in _windows(Xp, size).items():
        cands = [(win, False)] + ([(torch.flip(win, [-1]), True)] if mirrored else [])
        for w, is_m in cands:
            hit = (out == w).all(dim=(1, 2, 3)) & (found[:, 0] < 0)
            found[hit] = torch.tensor([i, j])
            mirror |= hit & is_m
    return found, mirror


def _crop_hints(X, got, size, padding):
    """Hints from where the output windows come from."""
    out = got.detach().cpu()
    N = X.shape[0]

    def found_in(P):
        hits = torch.zeros(N, dtype=torch.bool)
        for win in _windows(P, size).values():
            hits |= (out == win).all(dim=(1, 2, 3))
        return bool(hits.all())

    p = padding
    one_sided = p > 0 and (found_in(F.pad(X, (0, 2 * p, 0, 2 * p))) or found_in(F.pad(X, (2 * p, 0, 2 * p, 0))))
    return [
        Hint(f"the windows come from an image padded on one side only: pad all four sides by padding = {p} "
             f"(F.pad(X, (p, p, p, p))).", when=lambda g, w: one_sided),
        Hint("cut one window per image: out[n] = padded[n, :, i_n:i_n + size, j_n:j_n + size], the same offset for "
             "every channel of that image."),
    ]


def _crop_call(kata, X, size, padding, g, prop, inputs, hints=()):
    got = call(kata.random_crop, X.clone(), size, padding, generator=g, prop=prop, inputs=inputs, hints=hints)
    N, C = X.shape[:2]
    expect_tensor(got, prop, inputs=inputs, shape=(N, C, size, size), hints=hints)
    return got


@pytest.mark.core("random_crop")
def test_random_crop_cuts_windows_of_the_padded_image(kata):
    """each output image is a size × size window of its image zero-padded on all sides, at an offset that varies"""
    cases = [(40, 2, 5, 5, 3, 1, 61), (30, 1, 6, 4, 4, 2, 62), (25, 3, 4, 4, 4, 1, 63), (20, 1, 5, 7, 5, 0, 64)]
    for N, C, H, W, size, padding, seed in cases:
        X = _images(N, C, H, W, seed)
        inputs = {"X": f"({N}, {C}, {H}, {W}) random in [0.05, 1]", "size": size, "padding": padding,
                  "generator": f"manual_seed({seed + 100})"}
        prop = f"random_crop(X, {size}, padding={padding})[n] is a {size} × {size} window of X[n] padded by {padding}"
        got = _crop_call(kata, X, size, padding, gen(seed + 100), prop, inputs)
        found, _ = _find_offsets(X, got, size, padding)
        missing = (found[:, 0] < 0).nonzero().flatten().tolist()
        if missing:
            n = missing[0]
            fail(prop, inputs={**inputs, "image": n}, expected="a window of the zero-padded image",
                 got=f"{len(missing)} of {N} output images are no window of their padded image (first: image {n})",
                 detail=f"got[{n}] = {got[n].detach().tolist()}", hints=_crop_hints(X, got, size, padding))
        distinct = {tuple(o) for o in found.tolist()}
        n_offsets = (H + 2 * padding - size + 1) * (W + 2 * padding - size + 1)
        only = next(iter(distinct))
        expect(len(distinct) > 1, "the offsets differ from image to image (one draw per image)", inputs=inputs,
               expected=f"several of the {n_offsets} offsets", got=f"every image cut at offset {only}",
               hints=[Hint(f"every window is the image itself, at offset ({padding}, {padding}): offsets below "
                           f"{padding} never occur — pad all four sides first, then draw the offset in the padded "
                           "image.", when=lambda g, w: padding > 0 and only == (padding, padding)),
                      "draw the offsets per image: torch.randint(0, H + 2·padding − size + 1, (N,), generator=g)."])


@pytest.mark.core("random_crop")
def test_random_crop_uses_the_generator(kata):
    """equally seeded generators give the same windows (whatever the global RNG does), different seeds differ"""
    X = _images(30, 1, 4, 4, 71)
    inputs = {"X": "(30, 1, 4, 4) random", "size": 3, "padding": 1}
    expect_generator_used(lambda g: _crop_call(kata, X, 3, 1, g, "random_crop(X, 3, 1, generator=g)", inputs),
                          "random_crop(X, 3, padding=1)", inputs=inputs,
                          hints=["draw the offsets with the generator: torch.randint(..., generator=generator)."])


def test_random_crop_every_offset_occurs(kata):
    """on a large batch every one of the (H + 2p − size + 1)·(W + 2p − size + 1) offsets occurs"""
    for N, H, W, size, padding, seed in ((300, 4, 4, 4, 1, 81), (400, 3, 5, 3, 1, 82), (300, 5, 5, 3, 0, 83)):
        X = _images(N, 1, H, W, seed)
        inputs = {"X": f"({N}, 1, {H}, {W}) random", "size": size, "padding": padding,
                  "generator": f"manual_seed({seed + 100})"}
        prop = f"random_crop(X, {size}, padding={padding}) draws every offset"
        got = _crop_call(kata, X, size, padding, gen(seed + 100), prop, inputs)
        found, _ = _find_offsets(X, got, size, padding)
        if bool((found[:, 0] < 0).any()):
            fail(prop, inputs=inputs, expected="windows of the padded image", got="some images are no window",
                 hints=_crop_hints(X, got, size, padding))
        imax, jmax = H + 2 * padding - size, W + 2 * padding - size
        want = {(i, j) for i in range(imax + 1) for j in range(jmax + 1)}
        seen = {tuple(o) for o in found.tolist()}
        never = sorted(want - seen)
        # a uniform draw misses a given offset in all N images with probability (1 − 1/K)^N ≤ (14/15)^400 ≈ 1e-12
        expect(not never, prop, inputs=inputs, expected=f"all {len(want)} offsets (i, j), i ≤ {imax}, j ≤ {jmax}",
               got=f"never drawn: {never}",
               hints=[Hint(f"the last offset is never drawn: i goes up to H + 2·padding − size = {imax} inclusive, and "
                           "torch.randint's high is exclusive (high = H + 2·padding − size + 1).",
                           when=lambda g, w: set(never) == {(i, j) for i, j in want if i == imax or j == jmax}),
                      Hint(f"offsets below {padding} never occur: pad the image (all four sides) before cutting.",
                           when=lambda g, w: padding > 0 and not any(i < padding or j < padding for i, j in seen))])


def test_random_crop_without_padding_at_full_size_is_the_identity(kata):
    """random_crop(X, size=H, padding=0) of square images returns X"""
    X = _images(5, 3, 4, 4, 91)
    inputs = {"X": "(5, 3, 4, 4) random", "size": 4, "padding": 0}
    got = _crop_call(kata, X, 4, 0, gen(92), "random_crop(X, 4, padding=0)", inputs)
    expect_equal(got, X, "random_crop(X, H, padding=0) = X (the only window is the image)", inputs=inputs)


def test_random_crop_rejects_windows_that_do_not_fit(kata):
    """random_crop raises ValueError when size > H + 2·padding or size > W + 2·padding"""
    for shape, size, padding in (((2, 1, 4, 4), 5, 0), ((2, 1, 4, 4), 7, 1), ((2, 1, 3, 6), 6, 1), ((2, 1, 6, 3), 6, 1)):
        X = _images(*shape, 93)
        with expect_raises(ValueError, "random_crop raises ValueError when the window does not fit",
                           inputs={"X": f"{shape}", "size": size, "padding": padding},
                           hints=["check first that size ≤ H + 2·padding and size ≤ W + 2·padding (both sides: the "
                                  "images need not be square)."]):
            kata.random_crop(X, size, padding, generator=gen(94))


# ================================================================================================ color_jitter
def _cj_call(kata, X, brightness, contrast, g, prop, inputs, hints=()):
    got = call(kata.color_jitter, X.clone(), brightness, contrast, generator=g, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, hints=hints)
    return got


def _range(v):
    return max(0.0, 1.0 - v), 1.0 + v


def _expect_in_range(f, lo, hi, what, prop, inputs, hints=()):
    bad = ((f < lo - 1e-5) | (f > hi + 1e-5)).nonzero().flatten().tolist()
    expect(not bad, prop, inputs=inputs, expected=f"every {what} in [{lo:g}, {hi:g}]",
           got=f"{what}s {[round(float(f[n]), 5) for n in bad[:6]]} (images {bad[:6]})", hints=hints)


def _expect_distinct(f, what, prop, inputs):
    expect(float(f.max() - f.min()) > 1e-4, prop, inputs=inputs, expected=f"a {what} drawn per image",
           got=f"the same {what} {float(f[0]):.5g} for every image",
           hints=[f"draw one {what} per image: lo + (hi − lo)·torch.rand(N, generator=g), reshaped to (N, 1, 1, 1)."])


@pytest.mark.core("color_jitter")
def test_color_jitter_brightness_scales_each_image(kata):
    """brightness alone multiplies each image by its own factor b ~ U[max(0, 1 − brightness), 1 + brightness]"""
    for brightness, seed in ((0.5, 101), (0.9, 102)):
        X = _images(24, 3, 3, 3, seed, lo=0.05, hi=0.5)                    # b ≤ 1.9: nothing reaches 1
        lo, hi = _range(brightness)
        inputs = {"X": "(24, 3, 3, 3) random in [0.05, 0.5]", "brightness": brightness, "contrast": 0.0,
                  "generator": f"manual_seed({seed + 100})"}
        prop = f"color_jitter(X, brightness={brightness}) = b·X per image, b in [{lo:g}, {hi:g}]"
        got = _cj_call(kata, X, brightness, 0.0, gen(seed + 100), prop, inputs)
        Y = got.detach().double().cpu()
        b = Y.sum(dim=(1, 2, 3)) / X.double().sum(dim=(1, 2, 3))         # (N,) the factor of each image
        want = b.reshape(-1, 1, 1, 1) * X.double()
        ratio_hint = Hint("the pixel ratios within an image changed: brightness multiplies every pixel of an image "
                          "by the same factor b (no offset, no per-pixel or per-channel factor).")
        expect_close(got, want, prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=[ratio_hint])
        _expect_in_range(b, lo, hi, "brightness factor", prop, inputs,
                         hints=[f"b ~ U[max(0, 1 − brightness), 1 + brightness] = U[{lo:g}, {hi:g}]: "
                                "lo + (hi − lo)·torch.rand(N)."])
        _expect_distinct(b, "brightness factor", prop, inputs)


def _contrast_images(N, seed):
    """Three channels of unequal means (0.35, 0.5, 0.65) ± 0.1: a per-channel mean, a luminance-weighted grey or 0.5
    would each give another answer than the image's own mean."""
    g = gen(seed)
    base = torch.tensor([0.35, 0.5, 0.65], dtype=torch.float64).reshape(1, 3, 1, 1)
    return (base + 0.2 * (torch.rand(N, 3, 3, 3, generator=g, dtype=torch.float64) - 0.5)).float()


def _contrast_hints(X, got):
    Xd = X.double()
    Y = got.detach().double().cpu()
    grey = (0.299 * Xd[:, 0] + 0.587 * Xd[:, 1] + 0.114 * Xd[:, 2]).mean(dim=(1, 2)).reshape(-1, 1, 1, 1)

    def fits(m):
        dx, dy = Xd - m, Y - m
        c = (dx * dy).sum(dim=(1, 2, 3), keepdim=True) / (dx * dx).sum(dim=(1, 2, 3), keepdim=True)
        return bool(((c * dx + m - Y).abs() < 1e-5).all())

    return [
        Hint("the blend is around 0.5: contrast blends each image with its **own mean** m = Y.mean(dim=(1, 2, 3)), "
             "not with 0.5.", when=lambda g, w: fits(torch.full_like(Xd[:, :1, :1, :1], 0.5))),
        Hint("the blend is around a luminance-weighted grey (torchvision's 0.299·R + 0.587·G + 0.114·B): this kata "
             "blends with the plain mean over (C, H, W).", when=lambda g, w: fits(grey)),
        Hint("the blend is around each channel's own mean; the mean is taken over (C, H, W) together — one number "
             "per image.", when=lambda g, w: fits(Xd.mean(dim=(2, 3), keepdim=True))),
    ]


@pytest.mark.core("color_jitter")
def test_color_jitter_contrast_blends_with_the_image_mean(kata):
    """contrast alone is c·X + (1 − c)·mean(X) per image, c ~ U[max(0, 1 − contrast), 1 + contrast]: the mean stays"""
    for contrast, seed in ((0.5, 111), (0.8, 112)):
        X = _contrast_images(24, seed)
        lo, hi = _range(contrast)
        inputs = {"X": "(24, 3, 3, 3): channel means 0.35, 0.5, 0.65, ± 0.1", "brightness": 0.0,
                  "contrast": contrast, "generator": f"manual_seed({seed + 100})"}
        prop = f"color_jitter(X, contrast={contrast}) = c·X + (1 − c)·mean(X) per image, c in [{lo:g}, {hi:g}]"
        got = _cj_call(kata, X, 0.0, contrast, gen(seed + 100), prop, inputs)
        hints = _contrast_hints(X, got)
        Y = got.detach().double().cpu()
        m = X.double().mean(dim=(1, 2, 3), keepdim=True)                    # (N, 1, 1, 1)
        expect_close(Y.mean(dim=(1, 2, 3)), m.flatten(), "contrast keeps each image's mean (nothing is clamped "
                     "here)", inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)
        dx, dy = X.double() - m, Y - m
        c = (dx * dy).sum(dim=(1, 2, 3)) / (dx * dx).sum(dim=(1, 2, 3))  # (N,) least-squares factor
        expect_close(got, c.reshape(-1, 1, 1, 1) * dx + m, prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)
        _expect_in_range(c, lo, hi, "contrast factor", prop, inputs,
                         hints=[f"c ~ U[max(0, 1 − contrast), 1 + contrast] = U[{lo:g}, {hi:g}]."])
        _expect_distinct(c, "contrast factor", prop, inputs)


def _fit_affine(X, Y):
    """Per image, the least-squares (α, β) of Y ≈ αX + β over the pixels strictly inside (0, 1)."""
    Xd, Yd = X.double().flatten(1), Y.double().flatten(1)
    inside = (Yd > 1e-6) & (Yd < 1 - 1e-6)
    w = inside.double()
    cnt = w.sum(dim=1).clamp_min(1)
    mx, my = (w * Xd).sum(1) / cnt, (w * Yd).sum(1) / cnt
    sxx = (w * (Xd - mx[:, None]) ** 2).sum(1)
    sxy = (w * (Xd - mx[:, None]) * (Yd - my[:, None])).sum(1)
    alpha = sxy / sxx.clamp_min(1e-12)
    return alpha, my - alpha * mx, inside.sum(dim=1)


@pytest.mark.core("color_jitter")
def test_color_jitter_brightness_then_contrast_clamped_once(kata):
    """with both, each image is clamp(c·b·X + (1 − c)·b·mean(X), 0, 1): one clamp, after both steps"""
    for brightness, contrast, seed in ((0.8, 0.6, 121), (0.5, 0.9, 122)):
        X = _images(120, 3, 4, 4, seed, lo=0.0, hi=1.0)
        X[:, :, :2, :2] = 0.9 + 0.1 * X[:, :, :2, :2]                       # bright corners: b·X passes 1
        lo_b, hi_b = _range(brightness)
        lo_c, hi_c = _range(contrast)
        inputs = {"X": "(120, 3, 4, 4) random in [0, 1], bright top-left corners", "brightness": brightness,
                  "contrast": contrast, "generator": f"manual_seed({seed + 100})"}
        prop = (f"color_jitter(X, brightness={brightness}, contrast={contrast}) = clamp(c·(b·X) + (1 − c)·mean(b·X)) "
                "per image")
        got = _cj_call(kata, X, brightness, contrast, gen(seed + 100), prop, inputs)
        Y = got.detach().double().cpu()
        expect(bool(((Y >= 0) & (Y <= 1)).all()), "color_jitter's output lies in [0, 1]", inputs=inputs,
               expected="values in [0, 1]", got=f"min {float(Y.min()):.4g}, max {float(Y.max()):.4g}",
               hints=["clamp the result to [0, 1] (Y.clamp(0, 1)) after both steps."])
        alpha, beta, k = _fit_affine(X, Y)
        model = (alpha.reshape(-1, 1, 1, 1) * X.double() + beta.reshape(-1, 1, 1, 1)).clamp(0, 1)
        ok = (k >= 3) & ((model - Y).abs() <= 1e-5 + 1e-5 * Y.abs()).flatten(1).all(dim=1)
        bad = (~ok).nonzero().flatten().tolist()
        if bad:
            n = bad[0]
            fail(prop, inputs={**inputs, "image": n}, expected="clamp(α·X + β) per image, α = b·c, β = b·(1 − c)·mean(X)",
                 got=f"{len(bad)} of {len(X)} images are not a clamped affine map of their input (first: image {n})",
                 hints=[Hint("clamp once, at the end: clamping after the brightness step as well changes the bright "
                             "pixels, which the contrast step can bring back below 1."),
                        Hint("the mean m is that of the brightness-scaled image (b·X), taken over (C, H, W).")])
        m = X.double().mean(dim=(1, 2, 3))
        b = alpha + beta / m                                             # α + β/m = b·c + b·(1 − c)
        c = alpha / b.clamp_min(1e-12)
        _expect_in_range(b, lo_b, hi_b, "brightness factor", prop, inputs,
                         hints=["b ~ U[max(0, 1 − brightness), 1 + brightness], then the contrast blend around the "
                                "mean of the brightness-scaled image b·X (not of X)."])
        _expect_in_range(c, lo_c, hi_c, "contrast factor", prop, inputs,
                         hints=["c ~ U[max(0, 1 − contrast), 1 + contrast]."])


@pytest.mark.core("color_jitter")
def test_color_jitter_uses_the_generator(kata):
    """equally seeded generators give the same jitter (whatever the global RNG does), different seeds differ"""
    X = _images(10, 3, 2, 2, 131, lo=0.1, hi=0.6)
    inputs = {"X": "(10, 3, 2, 2) random in [0.1, 0.6]", "brightness": 0.5, "contrast": 0.5}
    expect_generator_used(lambda g: _cj_call(kata, X, 0.5, 0.5, g, "color_jitter(X, 0.5, 0.5, generator=g)", inputs),
                          "color_jitter(X, 0.5, 0.5)", inputs=inputs,
                          hints=["draw both factors with the generator: torch.rand(N, generator=generator)."])


def test_color_jitter_identity_and_zeros(kata):
    """brightness = contrast = 0 is the identity, and black images stay black"""
    X = _images(6, 3, 3, 3, 141, lo=0.0, hi=1.0)
    inputs = {"X": "(6, 3, 3, 3) random in [0, 1]", "brightness": 0.0, "contrast": 0.0}
    got = _cj_call(kata, X, 0.0, 0.0, gen(142), "color_jitter(X, 0, 0)", inputs)
    expect_close(got, X, "color_jitter(X, brightness=0, contrast=0) = X (b = c = 1)", inputs=inputs, atol=1e-6,
                 rtol=1e-6, hints=["with brightness = 0 the range is U[1, 1]: b = 1 exactly (likewise c)."])
    Z = torch.zeros(4, 3, 2, 2)
    inputs = {"X": "zeros (4, 3, 2, 2)", "brightness": 0.7, "contrast": 0.7}
    got = _cj_call(kata, Z, 0.7, 0.7, gen(143), "color_jitter(zeros, 0.7, 0.7)", inputs)
    expect_equal(got, Z, "color_jitter keeps black images black (b·0 = 0, and their mean is 0)", inputs=inputs,
                 hints=["the contrast step blends with the image's own mean (0 for a black image), not with 0.5."])


def test_color_jitter_stays_in_the_unit_interval(kata):
    """with brightness > 1 (factors down to 0) and strong contrast the output still lies in [0, 1]"""
    X = _images(50, 3, 3, 3, 151, lo=0.0, hi=1.0)
    inputs = {"X": "(50, 3, 3, 3) random in [0, 1]", "brightness": 1.5, "contrast": 1.2}
    got = _cj_call(kata, X, 1.5, 1.2, gen(152), "color_jitter(X, 1.5, 1.2)", inputs)
    Y = got.detach().double()
    expect(bool(((Y >= 0) & (Y <= 1)).all()), "color_jitter(X, 1.5, 1.2) lies in [0, 1]", inputs=inputs,
           expected="values in [0, 1]", got=f"min {float(Y.min()):.4g}, max {float(Y.max()):.4g}",
           hints=[Hint("negative values: the factor's range starts at max(0, 1 − brightness), never below 0 — and "
                       "clamp at the end.", when=lambda g, w: float(Y.min()) < 0),
                  Hint("values above 1: clamp the result to [0, 1] after both steps.",
                       when=lambda g, w: float(Y.max()) > 1)])


# ================================================================================================ augment
def _aug_call(kata, X, g, prop, inputs, hints=(), **kw):
    got = call(kata.augment, X.clone(), generator=g, prop=prop, inputs=inputs, hints=hints, **kw)
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, hints=hints)
    return got


@pytest.mark.core("augment")
def test_augment_shifts_and_mirrors(kata):
    """augment(X, padding, flip) returns each image shifted by up to `padding` pixels (a window of the padded image), mirrored for about half of them when flip"""
    for N, H, padding, flip, seed in ((60, 5, 1, True, 161), (60, 6, 2, False, 162), (50, 4, 1, False, 163)):
        X = _images(N, 2, H, H, seed)
        inputs = {"X": f"({N}, 2, {H}, {H}) random", "padding": padding, "flip": flip,
                  "generator": f"manual_seed({seed + 100})"}
        prop = (f"augment(X, padding={padding}, flip={flip})[n] is a {H} × {H} window of X[n] padded by {padding}"
                + (", maybe mirrored" if flip else " (never mirrored)"))
        got = _aug_call(kata, X, gen(seed + 100), prop, inputs, padding=padding, flip=flip)
        found, mirror = _find_offsets(X, got, H, padding, mirrored=flip)
        missing = (found[:, 0] < 0).nonzero().flatten().tolist()
        if missing:
            mirrored_anyway = not flip and bool((_find_offsets(X, got, H, padding, mirrored=True)[0][:, 0] >= 0).all())
            fail(prop, inputs=inputs, expected="windows of the padded images" + (" or their mirrors" if flip else ""),
                 got=f"{len(missing)} of {N} images are not (first: image {missing[0]})",
                 hints=[Hint("with flip=False no image may be mirrored.", when=lambda g, w: mirrored_anyway),
                        "augment = random_crop(X, H, padding) followed, when flip, by random_hflip(p = 0.5)."])
        offsets = {tuple(o) for o in found.tolist()}
        expect(len(offsets) > 1, "augment shifts the images by offsets drawn per image", inputs=inputs,
               expected="several offsets", got=f"every image at offset {offsets}",
               hints=["random_crop(X, size=H, padding=padding, generator=generator): the padding must be passed on."])
        if flip:
            k = int(mirror.sum())
            expect(0 < k < N, "with flip=True about half of the images are mirrored", inputs=inputs,
                   expected=f"about {N // 2} of {N} mirrored", got=f"{k} mirrored",
                   hints=["then random_hflip(Y, p=0.5, generator=generator)."])


@pytest.mark.core("augment")
def test_augment_uses_the_generator(kata):
    """equally seeded generators give the same augmented batch (whatever the global RNG does), different seeds differ"""
    X = _images(20, 1, 4, 4, 171)
    inputs = {"X": "(20, 1, 4, 4) random", "padding": 1, "flip": True}
    expect_generator_used(lambda g: _aug_call(kata, X, g, "augment(X, 1, True, generator=g)", inputs, padding=1,
                                              flip=True),
                          "augment(X, padding=1, flip=True)", inputs=inputs,
                          hints=["pass the generator on to random_crop and random_hflip."])


def test_augment_defaults(kata):
    """augment's defaults are padding = 2 and flip = True: shifts of two pixels and mirrored images occur"""
    X = _images(200, 1, 4, 4, 181)
    inputs = {"X": "(200, 1, 4, 4) random", "generator": "manual_seed(182)"}
    got = _aug_call(kata, X, gen(182), "augment(X) with the defaults", inputs)
    found, mirror = _find_offsets(X, got, 4, 2, mirrored=True)
    expect(bool((found[:, 0] >= 0).all()), "augment(X) is a window of X padded by 2 (or its mirror)", inputs=inputs,
           expected="windows of the images padded by 2", got="some images are not",
           hints=["the default padding is 2."])
    far = bool(((found == 0) | (found == 4)).any())
    expect(far, "augment(X) shifts by up to 2 pixels (padding defaults to 2)", inputs=inputs,
           expected="some offset 0 or 4 (a shift of 2)", got=f"offsets {sorted({tuple(o) for o in found.tolist()})}",
           hints=["the default padding is 2."])
    expect(bool(mirror.any()) and not bool(mirror.all()), "augment(X) mirrors about half of the images (flip defaults "
           "to True)", inputs=inputs, expected="some mirrored, some not", got=f"{int(mirror.sum())} of 200 mirrored",
           hints=["flip defaults to True: random_hflip(p = 0.5) after the crop."])


def test_augment_rejects_non_square_images(kata):
    """augment raises ValueError for images that are not square"""
    for shape in ((2, 1, 4, 5), (3, 2, 6, 3)):
        X = _images(*shape, 191)
        with expect_raises(ValueError, "augment raises ValueError when H ≠ W", inputs={"X": f"{shape}"},
                           hints=["check X.shape[-2] == X.shape[-1] first and raise ValueError otherwise."]):
            kata.augment(X, generator=gen(192))


# ================================================================================================ statistics
@pytest.mark.weight(2)
def test_random_hflip_flips_a_fraction_p(kata, stat_seed):
    """the fraction of flipped images is p: among 2,000 images within 5σ of 2000·p, for p = 0.2, 0.5, 0.9"""
    N = 2000
    for k, p in enumerate((0.2, 0.5, 0.9)):
        X = torch.rand(N, 1, 1, 2, generator=stat_gen(200 + k, stat_seed)) * 0.5
        X[..., 1] += 0.5                                                   # left pixel < right pixel: asymmetric
        inputs = {"X": f"({N}, 1, 1, 2) asymmetric", "p": p, "generator": "seeded from the grading seed"}
        prop = f"random_hflip(X, p={p}) flips about {p:.0%} of the images"
        got = _rhflip(kata, X, p, stat_gen(210 + k, stat_seed), prop, inputs)
        flipped = _flipped_mask(X, got, prop, inputs)
        count = int(flipped.sum())
        sd = math.sqrt(N * p * (1 - p))
        expect(abs(count - N * p) <= 5 * sd, prop, inputs=inputs, expected=f"{N * p:.0f} ± {5 * sd:.0f} (5σ)",
               got=count, hints=[Hint(f"that is about {(1 - p):.0%}: an image is flipped when its coin is **below** "
                                      "p (torch.rand(N) < p).", when=lambda g, w: abs(count - N * (1 - p)) <= 5 * sd),
                                 Hint("one coin per image, uniform in [0, 1), compared with p.")])


@pytest.mark.weight(2)
def test_random_crop_offsets_are_uniform(kata, stat_seed):
    """each of the 9 offsets of 4 × 4 windows of 4 × 4 images padded by 1 is drawn 2000/9 ± 5σ times"""
    N = 2000
    X = _images(N, 1, 4, 4, 300 + stat_seed)
    inputs = {"X": f"({N}, 1, 4, 4) random", "size": 4, "padding": 1, "generator": "seeded from the grading seed"}
    prop = "random_crop draws the 9 offsets uniformly"
    got = _crop_call(kata, X, 4, 1, stat_gen(301, stat_seed), prop, inputs)
    found, _ = _find_offsets(X, got, 4, 1)
    if bool((found[:, 0] < 0).any()):
        fail(prop, inputs=inputs, expected="windows of the padded image", got="some images are no window",
             hints=_crop_hints(X, got, 4, 1))
    counts = torch.zeros(3, 3, dtype=torch.long)
    for i, j in found.tolist():
        counts[i, j] += 1
    mean, sd = N / 9, math.sqrt(N * (1 / 9) * (8 / 9))
    expect(bool(((counts.double() - mean).abs() <= 5 * sd).all()), prop, inputs=inputs,
           expected=f"{mean:.0f} ± {5 * sd:.0f} per offset (5σ)", got=f"counts by (i, j): {counts.tolist()}",
           hints=[Hint("some offsets are never drawn: i and j run from 0 to H + 2·padding − size inclusive "
                       "(torch.randint's high is exclusive).", when=lambda g, w: bool((counts == 0).any())),
                  Hint("draw i and j independently and uniformly, one pair per image.")])


def _factor_hist(f, lo, hi):
    edges = torch.linspace(lo, hi, 5, dtype=torch.float64)
    return [int(((f >= edges[q]) & (f < edges[q + 1] if q < 3 else f <= edges[q + 1] + 1e-6)).sum()) for q in range(4)]


@pytest.mark.weight(2)
def test_color_jitter_factors_are_uniform(kata, stat_seed):
    """the brightness and contrast factors of 2,000 images fill their ranges uniformly (each quarter 500 ± 5σ)"""
    N = 2000
    sd = math.sqrt(N * 0.25 * 0.75)
    for k, (brightness, contrast) in enumerate(((0.5, 0.0), (1.5, 0.0), (0.0, 0.5))):
        if contrast == 0.0:
            X = torch.full((N, 1, 1, 2), 0.3)                                  # b·0.3 ≤ 0.75: never clamped
            X[..., 1] = 0.2
        else:
            X = torch.empty(N, 1, 1, 2)
            X[..., 0], X[..., 1] = 0.3, 0.5                                  # mean 0.4, c·(±0.1) + 0.4
        inputs = {"X": f"({N}, 1, 1, 2) two-pixel images", "brightness": brightness, "contrast": contrast,
                  "generator": "seeded from the grading seed"}
        which = "brightness" if contrast == 0.0 else "contrast"
        prop = f"color_jitter's {which} factors are uniform on their range ({which} = {max(brightness, contrast)})"
        got = _cj_call(kata, X, brightness, contrast, stat_gen(400 + k, stat_seed), prop, inputs)
        Y = got.detach().double().cpu()
        if contrast == 0.0:
            f = Y[:, 0, 0, 0] / 0.3
            lo, hi = _range(brightness)
        else:
            f = (Y[:, 0, 0, 1] - Y[:, 0, 0, 0]) / 0.2
            lo, hi = _range(contrast)
        _expect_in_range(f, lo, hi, f"{which} factor", prop, inputs,
                         hints=[f"the range is [max(0, 1 − {which}), 1 + {which}] = [{lo:g}, {hi:g}]."])
        hist = _factor_hist(f, lo, hi)
        zeros = int((f.abs() < 1e-9).sum())
        expect(all(abs(h - N / 4) <= 5 * sd for h in hist), prop, inputs=inputs,
               expected=f"{N / 4:.0f} ± {5 * sd:.0f} factors in each quarter of [{lo:g}, {hi:g}]",
               got=f"quarters {hist}",
               hints=[Hint(f"{zeros} factors are exactly 0 (black images): the range starts at max(0, 1 − {which}); "
                           f"1 − {which} alone is negative here, and the clamp turns negative factors into 0.",
                           when=lambda g, w: zeros > 0.05 * N),
                      f"draw {which} factors uniformly: lo + (hi − lo)·torch.rand(N, generator=g)."])


# ================================================================================================ training check
AUG_EPOCHS, AUG_LR, AUG_BATCH = 10, 0.01, 64
# measured over 200 seeds (the reference augment; see the module docstring): drop ≤ 0.051, gain ≥ 0.279
AUG_MAX_ACC_DROP = 0.08         # graded: aug_acc ≥ plain_acc − 0.08
AUG_MIN_SHIFT_GAIN = 0.20       # graded: aug_shift ≥ plain_shift + 0.20
_BASELINES: dict = {}


def _shift(X, di, dj):
    out = torch.zeros_like(X)
    H, W = X.shape[-2:]
    out[..., max(di, 0):H + min(di, 0), max(dj, 0):W + min(dj, 0)] = \
        X[..., max(-di, 0):H + min(-di, 0), max(-dj, 0):W + min(-dj, 0)]
    return out


def _cnn(seed):
    """Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(256, 10), uniform ±1/√fan_in init."""
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 10))
    g = gen(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                bound = 1 / math.sqrt(m.weight[0].numel())
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * bound)
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) * 2 - 1) * bound)
    return net


def _train_cnn(seed, batches_of_epoch):
    """The graders' training: Adam on the mean cross-entropy, shuffled batches; X for epoch e from the callback."""
    X, y, Xt, yt = digit_images(8)
    net = _cnn(seed)
    opt = Adam(net.parameters(), lr=AUG_LR)
    g = gen(seed + 1)
    for e in range(AUG_EPOCHS):
        Xe = batches_of_epoch(e, X)
        perm = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), AUG_BATCH):
            idx = perm[i:i + AUG_BATCH]
            loss = F.cross_entropy(net(Xe[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    Xs = torch.cat([_shift(Xt, *d) for d in ((1, 0), (-1, 0), (0, 1), (0, -1))])
    with torch.no_grad():
        acc = float((net(Xt).argmax(1) == yt).double().mean())
        shifted = float((net(Xs).argmax(1) == yt.repeat(4)).double().mean())
    return acc, shifted


@pytest.mark.weight(3)
def test_augmentation_makes_a_cnn_robust_to_shifts(kata, stat_seed):
    """a CNN trained on augment(padding=1, flip=False) digits keeps its test accuracy and recognises digits shifted by a pixel far better"""
    seed = 1000 * 5 + stat_seed
    if seed not in _BASELINES:
        _BASELINES[seed] = _train_cnn(seed, lambda e, X: X)
    plain_acc, plain_shift = _BASELINES[seed]
    inputs = {"data": "the 8 × 8 digits in [0, 1], 1,348 train / 449 test", "augmentation":
              "augment(X_train, padding=1, flip=False, generator=g) once per epoch",
              "net": "Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(256, 10)",
              "training": f"the graders' Adam, lr {AUG_LR}, batch {AUG_BATCH}, {AUG_EPOCHS} epochs",
              "test": "the test digits, and the test digits shifted by one pixel (4 directions)"}
    g = stat_gen(6, stat_seed)

    def augmented(e, X):
        Y = call(kata.augment, X, padding=1, flip=False, generator=g, prop="augment(X_train, padding=1, flip=False)",
                 inputs=inputs)
        expect_tensor(Y, "augment(X_train, padding=1, flip=False) keeps the batch's shape", inputs=inputs,
                      shape=X.shape)
        return Y.detach()

    acc, shifted = _train_cnn(seed, augmented)
    expect(acc >= plain_acc - AUG_MAX_ACC_DROP, "augmentation keeps the accuracy on the plain test digits",
           inputs=inputs, expected=f"≥ {plain_acc - AUG_MAX_ACC_DROP:.3f} (the plain-trained CNN's {plain_acc:.3f} "
           f"− {AUG_MAX_ACC_DROP})", got=round(acc, 4),
           hints=["the augmented digits must still look like digits: shift by at most `padding` pixels, zeros "
                  "filling in, and no mirror when flip=False."])
    expect(shifted >= plain_shift + AUG_MIN_SHIFT_GAIN, "augmentation makes the CNN recognise digits shifted by one "
           "pixel", inputs=inputs, expected=f"≥ {plain_shift + AUG_MIN_SHIFT_GAIN:.3f} (the plain-trained CNN's "
           f"{plain_shift:.3f} + {AUG_MIN_SHIFT_GAIN})", got=round(shifted, 4),
           hints=["the training digits must be shifted — a fresh random window of the padded image every epoch "
                  "(random_crop(X, H, padding))."])
