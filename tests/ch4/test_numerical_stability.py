"""Graders for ch4/numerical_stability.py (grad_norms_by_layer, matrix_product_log_norm).

Random networks are graded by exact values where the draws cannot matter (all-zero weights), by statistics whose
distribution is known (bounds of 5–6σ, derived next to each check; seeds from the `stat_seed` fixture, so
``scripts/flake_check.py ch4/numerical_stability.py`` can run them under 200 seeds) and by reproducibility —
never draw-for-draw against a network rebuilt here.
"""
import math

import pytest
import torch
from torch.special import digamma, polygamma

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail
from tests.helpers import gen as _gen


def _norms(kata, depth, width, activation, init_std, generator, inputs):
    prop = "grad_norms_by_layer returns one norm per layer, shape (depth,)"
    try:
        got = kata.grad_norms_by_layer(depth, width, activation, init_std, generator=generator)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected=f"a tensor of shape ({depth},)", got=f"RuntimeError: {e}")
    expect_tensor(got, prop, inputs=inputs, shape=(depth,),
                  hints=["return torch.stack([W.grad.norm() for W in weights]): one Frobenius norm per weight matrix."])
    return got.detach().double()


ORDER_HINT = Hint("the order is input layer first: entry 0 is the gradient of the first weight matrix (the one that "
                  "multiplies X), the last entry the output layer's.")


# ----------------------------------------------------------------------------------------------- grad_norms_by_layer
@pytest.mark.core("grad_norms_by_layer")
def test_zero_weights_exact(kata):
    """with all-zero weights (init_std = 0) only the output layer gets a gradient: sigmoid → 8·width, tanh/ReLU → 0"""
    # With W = 0 every hidden activation is act(0): sigmoid 1/2, tanh and ReLU 0 — whatever X is. For sigmoid the
    # output layer's gradient is H_{L−1}ᵀ·σ'(0)·1 = (1/2)·(1/4)·64 = 8 in every entry: Frobenius norm 8·width; every
    # earlier layer gets δ·Wᵀ = 0. For tanh and ReLU, H_{L−1} = 0, so every gradient is 0 (depth ≥ 2).
    for activation, depth, width in (("sigmoid", 4, 6), ("sigmoid", 2, 3), ("tanh", 3, 5), ("relu", 3, 5)):
        inputs = {"depth": depth, "width": width, "activation": activation, "init_std": 0.0}
        got = _norms(kata, depth, width, activation, 0.0, _gen(5), inputs)
        want = torch.zeros(depth, dtype=torch.float64)
        if activation == "sigmoid":
            want[-1] = 8.0 * width
        first, last = float(got[0]), float(got[-1])
        expect_close(got, want, f"with zero weights and {activation}, the norms are {want.tolist()}", inputs=inputs,
                     atol=1e-4, rtol=1e-5, hints=[
                         Hint(ORDER_HINT.text, when=lambda g, w: activation == "sigmoid" and first > 1),
                         Hint("the output layer's gradient is 4× too large: apply the activation after the last layer "
                              "too, and take L = the sum of those activations.",
                              when=lambda g, w: activation == "sigmoid" and abs(last - 32.0 * width) < 1e-3 * width),
                         Hint("L is the sum of the last layer's outputs, not their mean.",
                              when=lambda g, w: activation == "sigmoid" and 0 < last < 1.0),
                         Hint("use the Frobenius norm of each gradient matrix (W.grad.norm(), the square root of the "
                              "sum of squares), not the largest entry or the sum of |entries|.",
                              when=lambda g, w: activation == "sigmoid" and (abs(last - 8.0) < 1e-3
                                                                            or abs(last - 8.0 * width ** 2) < 1e-2)),
                         Hint("is `activation` honoured? \"sigmoid\", \"tanh\" and \"relu\" must select torch.sigmoid, "
                              "torch.tanh and torch.relu.",
                              when=lambda g, w: activation == "sigmoid" and first == 0.0 and last == 0.0),
                     ])


@pytest.mark.core("grad_norms_by_layer")
def test_reproducible_with_generator(kata):
    """two identically seeded generators give identical norms, whatever the global RNG does in between"""
    inputs = {"depth": 5, "width": 16, "activation": "tanh", "init_std": 0.3,
              "generator": "torch.Generator().manual_seed(42), twice"}
    torch.manual_seed(1)
    a = _norms(kata, 5, 16, "tanh", 0.3, _gen(42), inputs)
    torch.manual_seed(2)
    torch.rand(9)
    b = _norms(kata, 5, 16, "tanh", 0.3, _gen(42), inputs)
    expect_equal(b, a, "grad_norms_by_layer(..., generator=g) depends only on g's seed (the global RNG was "
                 "reseeded between the two calls)", inputs=inputs,
                 hints=["draw X and every weight with the generator: torch.randn(..., generator=generator)."])
    c = _norms(kata, 5, 16, "tanh", 0.3, _gen(43), inputs)
    expect(not torch.equal(a, c), "differently seeded generators give different norms",
           inputs={**inputs, "generator": "manual_seed(42) and manual_seed(43)"}, expected="different norms",
           got=f"the same norms twice: {a}",
           hints=["every draw must come from `generator`; do not create or reseed a generator of your own."])
    expect(bool((a > 0).all() and a.isfinite().all()), "the norms are positive and finite", inputs=inputs,
           expected="positive finite norms", got=a)


def test_sigmoid_gradients_vanish_toward_the_input(kata, stat_seed):
    """sigmoid with small weights (std 0.1): each layer's gradient is under half the next layer's (geometric decay)"""
    # Backprop multiplies by σ'(z) ≤ 1/4 and by Wᵀ (‖Wᵀv‖ ≈ 0.1·√32·‖v‖) per layer, while the activations stay ≈ 1/2:
    # each layer's gradient is ≈ 0.14× the next one's. Over 1000 seeds the largest ratio seen was 0.21 (bound 0.5).
    depth, width, std = 10, 32, 0.1
    seed = 1000 * 1 + stat_seed
    inputs = {"depth": depth, "width": width, "activation": "sigmoid", "init_std": std, "generator seed": seed}
    got = _norms(kata, depth, width, "sigmoid", std, _gen(seed), inputs)
    expect(bool(got.isfinite().all() and (got > 0).all()), "the norms are positive and finite", inputs=inputs,
           expected="positive finite norms", got=got)
    ratios = got[:-1] / got[1:]
    expect(bool((ratios < 0.5).all()), "sigmoid, std 0.1: ‖∂L/∂W_l‖ < ½‖∂L/∂W_{l+1}‖ for every layer (vanishing "
           "toward the input)", inputs=inputs, expected="ratios norm[l]/norm[l+1] < 0.5", got=ratios, hints=[
               Hint(ORDER_HINT.text, when=lambda g, w: bool((ratios > 2).all())),
               Hint("is init_std used as a standard deviation? W = init_std · torch.randn(width, width, "
                    "generator=generator).", when=lambda g, w: not bool((ratios > 2).all())),
           ])


def test_relu_he_init_keeps_gradients_level(kata, stat_seed):
    """ReLU with He init (std √(2/width)), 20 layers: all norms within 10× of each other, none vanishing or exploding"""
    # He init keeps E[h²] = 1 forward and E[δ²] = 1/2 backward at every layer, so no layer's gradient vanishes or
    # explodes. (For a bias-free ReLU net the ratios between layers do not depend on the scale at all; the absolute
    # size does: std c·√(2/width) multiplies every norm by c^19.) A naive estimate is ‖∂L/∂W‖ ≈ √32·width; rows of a
    # deep ReLU net's activations become correlated, which raises it: over 300 seeds max/min ≤ 6.8 and every norm
    # lay in [2.0, 25.2]·√32·width (bounds: 10 and [0.5, 100]).
    depth, width = 20, 256
    std = math.sqrt(2 / width)
    seed = 1000 * 2 + stat_seed
    inputs = {"depth": depth, "width": width, "activation": "relu", "init_std": f"√(2/256) = {std:.5f}",
              "generator seed": seed}
    got = _norms(kata, depth, width, "relu", std, _gen(seed), inputs)
    scale_hint = Hint("is init_std used as a standard deviation (W = init_std · randn), and L the sum (not the mean) "
                      "of the last layer's ReLU outputs?")
    expect(bool(got.isfinite().all()), "the norms are finite", inputs=inputs, expected="finite norms", got=got,
           hints=[scale_hint])
    expect(float(got.min()) > 0 and float(got.max() / got.min()) <= 10, "with He init all 20 gradient norms are "
           "within 10× of each other", inputs=inputs, expected="max/min ≤ 10", got=got, hints=[scale_hint])
    unit = math.sqrt(32) * width
    expect(bool(((got >= 0.5 * unit) & (got <= 100 * unit)).all()), "with He init every gradient norm is of order "
           f"√32·width = {unit:.0f} (between {0.5 * unit:.0f} and {100 * unit:.0f})", inputs=inputs,
           expected=f"norms in [{0.5 * unit:.0f}, {100 * unit:.0f}]", got=got, hints=[scale_hint])


@pytest.mark.core("grad_norms_by_layer")
def test_single_relu_layer_norm_is_frobenius(kata, stat_seed):
    """one ReLU layer with He init: ‖∂L/∂W‖_F ≈ 5.87·width (the Frobenius norm, within 12%)"""
    # depth 1: ∂L/∂W = Xᵀ·1[XW > 0], entries Σ_n x_ni·1[z_nj > 0] with E[entry²] = 64·½ + 64·63·φ(0)²/width, so
    # ‖∂L/∂W‖_F ≈ width·√(32 + 4032·0.159/width) = 5.874·width at width 256; over 300 seeds mean 5.882·width,
    # σ = 0.12·width (2%): the 12% band is 6σ. The spectral norm is ≈ 4.3·width (26% less: the gradient has a strong
    # rank-1 part); a missing activation on the output gives 8·width.
    width = 256
    seed = 1000 * 3 + stat_seed
    inputs = {"depth": 1, "width": width, "activation": "relu", "init_std": "√(2/256)", "generator seed": seed}
    got = _norms(kata, 1, width, "relu", math.sqrt(2 / width), _gen(seed), inputs)
    want = width * math.sqrt(32 + 4032 / (2 * math.pi) / width)
    expect_close(got, torch.tensor([want], dtype=torch.float64), "depth 1, ReLU, He init: ‖∂L/∂W‖_F ≈ "
                 f"{want:.0f} (± 12%)", inputs=inputs, atol=0.0, rtol=0.12, hints=[
                     Hint("too small for a Frobenius norm: use W.grad.norm() (√ of the sum of all squared "
                          "entries), not the spectral norm (torch.linalg.matrix_norm(..., ord=2), ≈ 4.3·width here) "
                          "or a mean.", when=lambda g, w: 0 < float(g.reshape(-1)[0]) < 0.88 * want),
                     Hint("≈ 8·width means L was summed before the ReLU: apply the activation after the last layer "
                          "too.", when=lambda g, w: abs(float(g.reshape(-1)[0]) - 8 * width) < 0.05 * 8 * width),
                 ])


# ----------------------------------------------------------------------------------------------- matrix products
def _log10_chi_stats(size):
    """Mean and variance of ½·log10 χ²_size: one factor of the product's log-norm along a fixed direction."""
    k = torch.tensor(size / 2, dtype=torch.float64)
    mu = 0.5 * (float(digamma(k)) + math.log(2)) / math.log(10)
    var = 0.25 * float(polygamma(1, k)) / math.log(10) ** 2
    return mu, var


def _product(kata, n, size, generator, inputs):
    prop = "matrix_product_log_norm returns a Python float"
    try:
        got = kata.matrix_product_log_norm(n, size, generator=generator)
    except (RuntimeError, ValueError, OverflowError) as e:
        fail(prop, inputs=inputs, expected="a float", got=f"{type(e).__name__}: {e}",
             hints=["math.log10 of 0 or inf raises: compute the product in float64, which holds values up to 1e308."])
    expect(isinstance(got, float), prop, inputs=inputs, expected="float", got=f"{type(got).__name__}: {got!r}",
           hints=["convert at the end: math.log10(float(norm)), or float(torch.log10(norm))."])
    return got


def _log_hints(lo, hi):
    """Hints for a result outside [lo, hi] whose mistake is recognisable (overflow, natural log, squared norm)."""
    def scaled(factor):
        return lambda g, w: isinstance(g, float) and math.isfinite(g) and lo <= g / factor <= hi

    return [
        Hint("inf (or NaN): the product overflowed. float32 stops at 3.4e38; draw the matrices with "
             "dtype=torch.float64 (up to 1.8e308).", when=lambda g, w: isinstance(g, float) and not math.isfinite(g)),
        Hint("that is ln(10) ≈ 2.3 times too large: use log base 10 (math.log10 or torch.log10), not the natural log.",
             when=scaled(math.log(10))),
        Hint("twice too large: take log10 of the norm ‖P‖_F, not of its square.", when=scaled(2.0)),
    ]


@pytest.mark.core("matrix_product_log_norm")
def test_single_matrix_norm(kata, stat_seed):
    """one 32 × 32 matrix: log10 ‖M‖_F ≈ log10 32 (the Frobenius norm of N(0, 1) entries, ± 0.05)"""
    # ‖M‖_F² ~ χ²_1024: relative σ √(2/1024) = 0.044, so log10 ‖M‖_F = ½ log10 χ² has σ = ½·0.044/ln 10 = 0.0096:
    # 0.05 is 5σ. A spectral norm (≈ 2√32) gives 1.05, one factor too many 2.26, starting from I gives 0.75.
    seed = 1000 * 4 + stat_seed
    inputs = {"num_matrices": 1, "size": 32, "generator seed": seed}
    got = _product(kata, 1, 32, _gen(seed), inputs)
    expect_close(got, math.log10(32), "log10 of the Frobenius norm of one 32 × 32 N(0, 1) matrix is ≈ log10 32 = 1.505",
                 inputs=inputs, atol=0.05, rtol=0.0, hints=_log_hints(math.log10(32) - 0.05, math.log10(32) + 0.05) + [
                     Hint("the product of num_matrices = 1 matrix is that matrix itself: don't multiply an extra "
                          "one (or start from the identity and multiply num_matrices − 1).",
                          when=lambda g, w: isinstance(g, float) and (abs(g - 2.26) < 0.1 or abs(g - 0.753) < 0.05)),
                     Hint("use the Frobenius norm (torch.linalg.matrix_norm(P) or P.norm(): √ of the sum of squares), "
                          "not the spectral norm.", when=lambda g, w: isinstance(g, float) and abs(g - 1.05) < 0.1),
                 ])


@pytest.mark.core("matrix_product_log_norm")
def test_log_norm_grows_linearly(kata, stat_seed):
    """log10 ‖M₁⋯Mₙ‖_F grows linearly in n: 200 products of 4 × 4 and 100 of 16 × 16 (float64, no overflow)"""
    # By rotation invariance, for a unit vector e the factors ‖M_k u_k‖² of ‖M₁⋯Mₙ e‖² are independent χ²_size:
    # log10 ‖P e‖ is a sum of n iid terms ½ log10 χ²_size with mean μ = (ψ(size/2) + ln 2)/(2 ln 10) and variance
    # ψ'(size/2)/(4 ln² 10). ‖P‖_F ≥ ‖P e₁‖ and ‖P‖_F ≤ √size · max_j ‖P e_j‖, hence
    # n·μ − 6σ ≤ log10 ‖P‖_F ≤ n·μ + 6σ + ½ log10 size (σ = √n·sd; 1000 seeds stayed within −2.5σ … +3.7σ).
    # ≈ 48 for 200 factors of 4 × 4 and ≈ 59 for 100 of 16 × 16: both overflow float32 (≤ 38.5).
    for k, (n, size) in enumerate(((200, 4), (100, 16))):
        seed = 1000 * (5 + k) + stat_seed
        inputs = {"num_matrices": n, "size": size, "generator seed": seed}
        got = _product(kata, n, size, _gen(seed), inputs)
        mu, var = _log10_chi_stats(size)
        sd = math.sqrt(n * var)
        lo, hi = n * mu - 6 * sd, n * mu + 6 * sd + 0.5 * math.log10(size)
        ok = math.isfinite(got) and lo <= got <= hi
        if not ok:
            fail(f"log10 ‖M₁⋯M_{n}‖_F for {size} × {size} N(0, 1) matrices is ≈ {n * mu:.1f} (in [{lo:.1f}, {hi:.1f}])",
                 inputs=inputs, expected=f"{n * mu:.2f} ({n} × {mu:.4f} per factor), within [{lo:.2f}, {hi:.2f}]",
                 got=got, hints=_log_hints(lo, hi))


@pytest.mark.core("matrix_product_log_norm")
def test_product_reproducible_with_generator(kata):
    """two identically seeded generators give the same value, whatever the global RNG does in between"""
    inputs = {"num_matrices": 30, "size": 5, "generator": "torch.Generator().manual_seed(3), twice"}
    torch.manual_seed(10)
    a = _product(kata, 30, 5, _gen(3), inputs)
    torch.manual_seed(11)
    torch.rand(4)
    b = _product(kata, 30, 5, _gen(3), inputs)
    expect_equal(b, a, "matrix_product_log_norm(..., generator=g) depends only on g's seed", inputs=inputs,
                 hints=["draw every matrix with torch.randn(size, size, generator=generator, dtype=torch.float64)."])
    c = _product(kata, 30, 5, _gen(4), inputs)
    expect(a != c, "differently seeded generators give different values",
           inputs={**inputs, "generator": "manual_seed(3) and manual_seed(4)"}, expected="two different values",
           got=f"{a} twice", hints=["every draw must come from `generator`; do not create or reseed a generator of "
                                    "your own."])
