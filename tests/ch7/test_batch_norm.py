"""Graders for ch7/batch_norm.py (batch_norm, BatchNorm, BNLeNet).

Oracles: ``nn.BatchNorm1d`` / ``nn.BatchNorm2d`` run in float64 on the same values (train mode: output, running_mean,
running_var; eval mode: output), ``F.batch_norm`` in float64 for gradients, and the book's BN-LeNet written out here
with a reference BatchNorm layer (built on ``F.batch_norm``, the contract's attribute names) for the same-weights
comparison. Structure, parameter count and shape table come from the probes of tests/shippable_nets.py; mode,
gradient, dtype/device and state checks of the layer from tests/shippable_ch7_batch_norm.py (they run where the
learner's code runs and return plain data).

Inputs. Batches are drawn from seeded generators (hypothesis picks the shapes, eps, momentum and the seed) and each
channel is rescaled to a standard deviation in [0.5, 3] with a mean in [−3, 3]: a channel whose values are nearly
equal makes (X − μ)/√(σ² + ε) amplify float32 rounding by up to 1/√ε ≈ 300, which would test rounding, not
batch normalisation. γ = ±[0.5, 1.5], β ∈ [−1, 1], old running mean ∈ [−1, 1], old running var ∈ [0.5, 2].
eps ∈ {1e-5, 1e-3, 0.5} (ε outside the square root only shows at a large ε), momentum ∈ {0.05, 0.1, 0.3, 1.0}
(the book's momentum formula agrees with PyTorch's only at 0.5).

Tolerances (float32 inputs; the truth computed in float64): outputs atol 2e-5·(1 + max|want|), rtol 1e-4 (the
contract's 2e-5 / 1e-4, scaled for outputs of a few units: a float32 formula, float64 internals, rsqrt or a fused
scale-and-shift all pass); running statistics the same; gradients atol 5e-5·(1 + max|want|), rtol 1e-4. Float64
inputs: 1e-10. BN-LeNet same-weights comparison: float64, relative 1e-8 (tests/nets.expect_same_outputs).

Training check (stat_seed): BN-LeNet with Xavier-uniform weights (tests/shippable_nets.Trainer), hand-written Adam
lr 0.003, on the raw (0…16) 28×28 digits, evaluated in eval mode after each epoch. The contract's recipe (batch 64,
6 epochs, best of epochs 4–6 ≥ 0.88) costs ~2.3 s of CPU per run on this machine, and the self-check runs it once per
variant (~30 times). This grader uses batch 32 and at most 2 epochs, and passes as soon as an epoch's eval accuracy
reaches 0.85. Measured on the reference over the 200 seeds flake_check uses (9000–9199): epoch 1 min 0.782 / median
0.909 (≥ 0.85 in 97% of the seeds, so one epoch usually suffices), epoch 2 min 0.811 / median 0.933, best of the two
min 0.891 — the threshold sits 0.041 below the worst seed. CPU per run (both epochs): median 0.8 s, max 1.2 s.

Speed. The meta-device test sits last: the first reduction on a meta tensor in a process imports torch._dynamo
(2–5 s here, once per process, whichever grader triggers it; .to("meta") in the layer test may pay it instead).
"""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, run_beside
from tests import nets
from tests import shippable_ch7_batch_norm as probes
from tests import shippable_nets
from tests.helpers import accuracy_of, call, digit_images, gen, near

EPSS = (1e-5, 1e-3, 0.5)
MOMENTA = (0.05, 0.1, 0.3, 1.0)


# ================================================================================================= inputs
def _batch(shape, seed, dtype=torch.float32):
    """A batch whose every channel (dim 1) has a standard deviation in [0.5, 3] and a mean in [−3, 3]."""
    g = gen(seed)
    dims = _dims(len(shape))
    Z = torch.randn(shape, generator=g, dtype=torch.float64)
    Z = (Z - Z.mean(dims, keepdim=True)) / (Z.var(dims, keepdim=True, correction=0).sqrt() + 1e-12)
    C = shape[1]
    bs = _bshape(len(shape))
    spread = (0.5 + 2.5 * torch.rand(C, generator=g, dtype=torch.float64)).reshape(bs)
    shift = (6 * torch.rand(C, generator=g, dtype=torch.float64) - 3).reshape(bs)
    return (Z * spread + shift).to(dtype)


def _params(C, seed, dtype=torch.float32):
    """(gamma, beta, moving_mean, moving_var), each (C,)."""
    g = gen(seed)
    sign = torch.where(torch.rand(C, generator=g) < 0.5, -1.0, 1.0).double()
    gamma = sign * (0.5 + torch.rand(C, generator=g, dtype=torch.float64))
    beta = 2 * torch.rand(C, generator=g, dtype=torch.float64) - 1
    mm = 2 * torch.rand(C, generator=g, dtype=torch.float64) - 1
    mv = 0.5 + 1.5 * torch.rand(C, generator=g, dtype=torch.float64)
    return tuple(t.to(dtype) for t in (gamma, beta, mm, mv))


def _dims(ndim):
    return (0,) if ndim == 2 else (0, 2, 3)


def _bshape(ndim):
    return (1, -1) if ndim == 2 else (1, -1, 1, 1)


def _atol(want, rel=2e-5):
    return rel * (1.0 + float(want.detach().abs().max())) if want.numel() else rel


# ================================================================================================= oracles
def _nn_bn(X, gamma, beta, mm, mv, eps, momentum, training):
    """nn.BatchNorm1d/2d in float64 with the given γ, β and running statistics: (Y, running_mean, running_var)."""
    cls = nn.BatchNorm1d if X.dim() == 2 else nn.BatchNorm2d
    bn = cls(X.shape[1], eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
        bn.running_mean.copy_(mm)
        bn.running_var.copy_(mv)
    bn.train(training)
    with torch.no_grad():
        Y = bn(X.double())
    return Y, bn.running_mean.clone(), bn.running_var.clone()


def _normalised(X, gamma, beta, mean, var, eps, eps_outside=False):
    """γ·(X − mean)/√(var + ε) + β in float64 (mean, var broadcastable against X; γ, β of shape (C,))."""
    s = _bshape(X.dim())
    X = X.double()
    denom = var.double().sqrt() + eps if eps_outside else (var.double() + eps).sqrt()
    return gamma.double().reshape(s) * (X - mean.double()) / denom + beta.double().reshape(s)


def _stats_over(X, dims, correction=0):
    X = X.double()
    return X.mean(dims, keepdim=True), X.var(dims, keepdim=True, correction=correction)


# ================================================================================================= hints
def _tensor_near(g, want, tol):
    return isinstance(g, torch.Tensor) and near(g, want, tol)


def _error_says(*words):
    return lambda g, w: isinstance(g, str) and any(word in g for word in words)


SHAPE_ERROR_HINT = Hint("a tensor of shape (C,) broadcasts against the **last** dim of X, not the channels: for a 4-D "
                        "X reshape γ, β (and the statistics) to (1, C, 1, 1), or keep the reduced dims with "
                        "keepdim=True.", when=_error_says("must match", "broadcast"))
DEVICE_HINT = Hint("work on X's device: no torch.tensor(...), torch.zeros(C), torch.full(...) or torch.ones(...) "
                   "without device=X.device (use X.new_*, *_like, or plain Python numbers), and no .item()/float() of "
                   "a tensor (a meta tensor has no value).",
                   when=_error_says("device", "meta", "cpu", "item", "Cannot", "cannot"))


def _float64_hint(want):
    return Hint("your float64 result is right only to float32 precision: something is computed or allocated in "
                "float32 on the way (torch.tensor / torch.full / torch.zeros without dtype=X.dtype, or .float()).",
                when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype == torch.float64
                and near(g, want, 1e-5, rel=True))


def _layer_first_hint(specific):
    """Shown when none of the layer's specific hints applies: the layer may be right and batch_norm wrong."""
    return Hint("BatchNorm.forward runs your batch_norm: if batch_norm's own tests fail, fix those first (the "
                "layer's outputs are only as right as the function's).",
                when=lambda g, w: not any(h.applies(g, w) for h in specific))


_AXES_NAMES = {(0,): "dim 0 only (one mean per position (c, i, j), not per channel)",
               (1, 2, 3): "dims (1, 2, 3) (one mean per example: that is layer normalisation)",
               (2, 3): "dims (2, 3) (one mean per example and channel: that is instance normalisation)",
               (0, 1, 2, 3): "all of X (one mean for the whole batch)",
               (0, 2): "dims (0, 2) (the pixels' columns were left out)",
               (0, 3): "dims (0, 3) (the pixels' rows were left out)",
               (1,): "dim 1 (one mean per example, over its features: that is layer normalisation)",
               (0, 1): "all of X (one mean for the whole batch)"}


def _train_y_hints(X, gamma, beta, mm, mv, eps):
    """Hints for a wrong training-mode output, each shown when the learner's output matches that mistake."""
    d = _dims(X.dim())
    mean, var = _stats_over(X, d)
    m = X.numel() // X.shape[1]
    tol = 1e-3 * (1 + float(X.abs().max()))
    hints = []
    axes = [(0,), (1, 2, 3), (2, 3), (0, 1, 2, 3), (0, 2), (0, 3)] if X.dim() == 4 else [(1,), (0, 1)]
    for wrong in axes:
        wm, wv = _stats_over(X, wrong)
        cand = _normalised(X, gamma, beta, wm, wv, eps)
        right = ("each channel's mean and variance run over the batch and the pixels, dims (0, 2, 3) "
                 "(keepdim=True, so that they broadcast back over X)" if X.dim() == 4
                 else "each feature's mean and variance run over the examples, dim 0")
        hints.append(Hint(f"your batch statistics were taken over {_AXES_NAMES[wrong]}: {right}.",
                          when=lambda g, w, c=cand: _tensor_near(g, c, tol)))
    run = _normalised(X, gamma, beta, mm.reshape(_bshape(X.dim())), mv.reshape(_bshape(X.dim())), eps)
    hints.append(Hint("in training mode (training=True) normalise with the statistics of this batch, μ and σ²; "
                      "the running statistics (moving_mean, moving_var) are for prediction mode. Your output "
                      "used the running statistics.", when=lambda g, w: _tensor_near(g, run, tol)))
    unb = _normalised(X, gamma, beta, mean, var * m / (m - 1), eps)
    hints.append(Hint("normalise with the biased batch variance, mean((X − μ)²) (divide by m, not m − 1): "
                      "torch.var and Tensor.var are unbiased by default (pass correction=0 / unbiased=False). "
                      "The unbiased variance only goes into the running variance.",
                      when=lambda g, w: _tensor_near(g, unb, tol)))
    out = _normalised(X, gamma, beta, mean, var, eps, eps_outside=True)
    hints.append(Hint("ε belongs inside the square root: (X − μ) / √(σ² + ε), not (X − μ) / (√σ² + ε).",
                      when=lambda g, w: _tensor_near(g, out, tol)))
    nogb = _normalised(X, torch.ones_like(gamma), torch.zeros_like(beta), mean, var, eps)
    hints.append(Hint("your output is the normalised X̂ itself: scale and shift it, Y = γ·X̂ + β.",
                      when=lambda g, w: _tensor_near(g, nogb, tol)))
    if X.dim() == 4:
        C, wdt = X.shape[1], X.shape[3]
        if C == wdt:
            xh = (X.double() - mean) / (var + eps).sqrt()
            last = gamma.double() * xh + beta.double()
            hints.append(Hint("γ and β of shape (C,) broadcast against the **last** dim of X (its width), not the "
                              "channels: reshape them to (1, C, 1, 1) for a 4-D X.",
                              when=lambda g, w: _tensor_near(g, last, tol)))
    hints.append(SHAPE_ERROR_HINT)
    return hints


def _eval_y_hints(X, gamma, beta, mm, mv, eps):
    d = _dims(X.dim())
    mean, var = _stats_over(X, d)
    tol = 1e-3 * (1 + float(X.abs().max()))
    batch = _normalised(X, gamma, beta, mean, var, eps)
    s = _bshape(X.dim())
    out = _normalised(X, gamma, beta, mm.reshape(s), mv.reshape(s), eps, eps_outside=True)
    extra = []
    if X.dim() == 4 and X.shape[1] == X.shape[3]:
        xh = (X.double() - mm.double().reshape(s)) / (mv.double().reshape(s) + eps).sqrt()
        last = gamma.double() * xh + beta.double()
        extra.append(Hint("γ and β of shape (C,) broadcast against the **last** dim of X (its width), not the "
                          "channels: reshape them to (1, C, 1, 1) for a 4-D X.",
                          when=lambda g, w: _tensor_near(g, last, tol)))
    return extra + [
        Hint("with training=False the output must use the given running statistics, (X − moving_mean) / "
             "√(moving_var + ε): yours used the batch's own statistics. The mode is the `training` argument "
             "(not torch.is_grad_enabled(): graders call it with gradients on).",
             when=lambda g, w: _tensor_near(g, batch, tol)),
        Hint("ε belongs inside the square root: √(moving_var + ε).", when=lambda g, w: _tensor_near(g, out, tol)),
        SHAPE_ERROR_HINT,
    ]


def _stat_hints(X, mm, mv, momentum, which):
    """Hints for wrong running statistics (which: "mean" or "var")."""
    d = _dims(X.dim())
    mean, var = _stats_over(X, d)
    m = X.numel() // X.shape[1]
    mean, var = mean.reshape(-1), var.reshape(-1)
    unb = var * m / (m - 1)
    old = (mm if which == "mean" else mv).double()
    batch = mean if which == "mean" else unb
    tol = 1e-4 * (1 + float(old.abs().max()) + float(batch.abs().max()))
    hints = []
    if which == "var":
        biased = (1 - momentum) * old + momentum * var
        hints.append(Hint(f"the running variance averages the **unbiased** batch variance σ²·m/(m − 1) (here m = "
                          f"{m} values per channel), PyTorch's convention; you used the biased σ² (the book's), "
                          f"which is right only for normalising.",
                          when=lambda g, w: _tensor_near(g, biased, tol)))
        both = [momentum * old + (1 - momentum) * var, momentum * old + (1 - momentum) * unb]
    else:
        both = [momentum * old + (1 - momentum) * mean]
    hints.append(Hint(f"momentum is PyTorch's: new = (1 − momentum)·old + momentum·batch (momentum = {momentum:g} "
                      f"here). You wrote the book's momentum·old + (1 − momentum)·batch, which is the same rule only "
                      f"when the book's momentum = 1 − PyTorch's.",
                      when=lambda g, w: any(_tensor_near(g, b, tol) for b in both)))
    hints.append(Hint(f"you returned the old running {which} unchanged: in training mode blend it with the batch's, "
                      f"(1 − momentum)·old + momentum·batch.",
                      when=lambda g, w: momentum != 0 and _tensor_near(g, old, tol)
                      and not _tensor_near(old, batch, tol)))
    hints.append(Hint(f"you returned the batch's {which} itself: the running statistic is the blend "
                      f"(1 − momentum)·old + momentum·batch.",
                      when=lambda g, w: momentum != 1 and _tensor_near(g, batch, tol)))
    C = X.shape[1]
    hints.append(Hint(f"return the running statistics with shape (C,) = ({C},), like moving_mean and moving_var "
                      f"(PyTorch's shape, not the book's (1, C, 1, 1) or (1, C)): .reshape(-1) or keepdim=False.",
                      when=lambda g, w: isinstance(g, torch.Tensor) and g.numel() == C and g.dim() != 1))
    return hints


def _bn(kata, X, gamma, beta, mm, mv, eps, momentum, training, prop, inputs, hints=(SHAPE_ERROR_HINT,)):
    """kata.batch_norm on copies of the arguments; returns (Y, new_mean, new_var) or fails with the hints."""
    out = call(kata.batch_norm, X.clone(), gamma.clone(), beta.clone(), mm.clone(), mv.clone(), prop=prop,
               inputs=inputs, hints=hints, expected="(Y, new_mean, new_var)",
               eps=eps, momentum=momentum, training=training)
    if not (isinstance(out, (tuple, list)) and len(out) == 3):
        fail(prop, inputs=inputs, expected="a tuple (Y, new_mean, new_var)", got=out,
             hints=["return three things: the output Y and the two running statistics (in prediction mode the "
                    "given ones)."])
    return out


def _inputs(X, gamma, beta, mm, mv, eps, momentum, training):
    return {"X": X, "gamma": gamma, "beta": beta, "moving_mean": mm, "moving_var": mv, "eps": eps,
            "momentum": momentum, "training": training}


def _check_train(kata, X, gamma, beta, mm, mv, eps, momentum, atol_rel=2e-5, rtol=1e-4):
    """batch_norm in training mode equals nn.BatchNorm (output, running mean, running var)."""
    inputs = _inputs(X, gamma, beta, mm, mv, eps, momentum, True)
    C = X.shape[1]
    kind = "nn.BatchNorm1d" if X.dim() == 2 else "nn.BatchNorm2d"
    yh = _train_y_hints(X, gamma, beta, mm, mv, eps)
    prop = f"batch_norm(X, …, training=True) equals {kind} in train mode"
    Y, nm, nv = _bn(kata, X, gamma, beta, mm, mv, eps, momentum, True, prop, inputs, yh)
    want_Y, want_m, want_v = _nn_bn(X, gamma, beta, mm, mv, eps, momentum, True)
    expect_close(Y, want_Y, f"{prop}: Y = γ·(X − μ)/√(σ² + ε) + β with the batch's μ and biased σ²", inputs=inputs,
                 atol=_atol(want_Y, atol_rel), rtol=rtol, hints=yh + [_float64_hint(want_Y)])
    for name, got, want in (("mean", nm, want_m), ("var", nv, want_v)):
        sh = _stat_hints(X, mm, mv, momentum, name)
        expect_tensor(got, f"the new running {name} has shape (C,) = ({C},)", inputs=inputs, shape=(C,), hints=sh)
        formula = ("(1 − momentum)·moving_mean + momentum·μ" if name == "mean"
                   else "(1 − momentum)·moving_var + momentum·σ²·m/(m − 1)")
        expect_close(got, want, f"{prop}: new running {name} = {formula} (running_{name} of {kind})",
                     inputs=inputs, atol=_atol(want, atol_rel), rtol=rtol, hints=sh + [_float64_hint(want)])
    return Y, nm, nv


def _check_eval(kata, X, gamma, beta, mm, mv, eps, momentum, atol_rel=2e-5, rtol=1e-4):
    inputs = _inputs(X, gamma, beta, mm, mv, eps, momentum, False)
    kind = "nn.BatchNorm1d" if X.dim() == 2 else "nn.BatchNorm2d"
    yh = _eval_y_hints(X, gamma, beta, mm, mv, eps)
    prop = f"batch_norm(X, …, training=False) equals {kind} in eval mode"
    Y, nm, nv = _bn(kata, X, gamma, beta, mm, mv, eps, momentum, False, prop, inputs, yh)
    want_Y, _, _ = _nn_bn(X, gamma, beta, mm, mv, eps, momentum, False)
    expect_close(Y, want_Y, f"{prop}: Y = γ·(X − moving_mean)/√(moving_var + ε) + β", inputs=inputs,
                 atol=_atol(want_Y, atol_rel), rtol=rtol, hints=yh + [_float64_hint(want_Y)])
    for name, got, want in (("moving_mean", nm, mm), ("moving_var", nv, mv)):
        expect_close(got, want, f"with training=False batch_norm returns the given {name} unchanged",
                     inputs=inputs, atol=1e-12 if X.dtype == torch.float64 else 1e-7, rtol=0,
                     hints=["in prediction mode there is nothing to update: return moving_mean and moving_var "
                            "as they came in (the same tensors, or copies)."])
    return Y, nm, nv


# ================================================================================================= batch_norm
@pytest.mark.core
def test_batch_norm_by_hand(kata):
    """a 2×2 batch by hand: Y ≈ ±1, new running mean 0.1·μ, new running var 0.9 + 0.1·(unbiased σ²)"""
    X = torch.tensor([[1.0, 2.0], [3.0, 6.0]])     # μ = (2, 4), biased σ² = (1, 4), unbiased (2, 8)
    ones, zeros = torch.ones(2), torch.zeros(2)
    Y, nm, nv = _check_train(kata, X, ones, zeros, zeros, ones, 1e-5, 0.1)
    # the same numbers stated plainly (what nn.BatchNorm1d gives):
    expect_close(nm, torch.tensor([0.2, 0.4]), "new running mean = 0.9·0 + 0.1·(2, 4) = (0.2, 0.4)",
                 inputs={"X": X}, atol=1e-6, rtol=0)
    expect_close(nv, torch.tensor([1.1, 1.7]), "new running var = 0.9·1 + 0.1·(2, 8) = (1.1, 1.7) (unbiased "
                 "batch variance)", inputs={"X": X}, atol=1e-6, rtol=0, hints=_stat_hints(X, zeros, ones, 0.1, "var"))
    X2 = torch.tensor([[0.0, -1.0, 4.0], [2.0, 1.0, 0.0], [4.0, 3.0, 2.0]])
    g, b, m, v = _params(3, 5)
    _check_train(kata, X2, g, b, m, v, 0.5, 0.3)


@pytest.mark.core
@settings(max_examples=20)
@given(n=st.integers(2, 6), C=st.integers(1, 5), eps=st.sampled_from(EPSS), momentum=st.sampled_from(MOMENTA),
       seed=st.integers(0, 10_000))
@example(n=2, C=3, eps=1e-5, momentum=0.1, seed=1)
@example(n=5, C=4, eps=0.5, momentum=0.3, seed=2)
@example(n=3, C=2, eps=1e-3, momentum=0.05, seed=3)
@example(n=4, C=1, eps=0.5, momentum=1.0, seed=4)
def test_batch_norm_train_2d_matches_batchnorm1d(kata, n, C, eps, momentum, seed):
    """batch_norm on (n, C) in training mode equals nn.BatchNorm1d: output and new running statistics"""
    X = _batch((n, C), seed)
    _check_train(kata, X, *_params(C, seed + 1), eps, momentum)


@pytest.mark.core
@settings(max_examples=20)
@given(n=st.integers(2, 4), C=st.integers(1, 4), h=st.integers(1, 4), w=st.integers(1, 4),
       eps=st.sampled_from(EPSS), momentum=st.sampled_from(MOMENTA), seed=st.integers(0, 10_000))
@example(n=2, C=3, h=2, w=3, eps=1e-5, momentum=0.1, seed=1)      # w == C: a (C,) γ broadcasts silently
@example(n=3, C=2, h=4, w=1, eps=0.5, momentum=0.3, seed=2)
@example(n=2, C=4, h=3, w=5, eps=1e-3, momentum=0.05, seed=3)
@example(n=4, C=2, h=1, w=1, eps=0.5, momentum=1.0, seed=4)
def test_batch_norm_train_4d_matches_batchnorm2d(kata, n, C, h, w, eps, momentum, seed):
    """batch_norm on (n, C, h, w) in training mode equals nn.BatchNorm2d (statistics per channel over n, h, w)"""
    X = _batch((n, C, h, w), seed)
    _check_train(kata, X, *_params(C, seed + 1), eps, momentum)


@pytest.mark.core
@settings(max_examples=15)
@given(shape=st.sampled_from([(2, 3), (5, 1), (4, 4), (2, 3, 2, 3), (3, 2, 4, 1), (1, 4, 3, 5), (2, 1, 1, 1)]),
       eps=st.sampled_from(EPSS), seed=st.integers(0, 10_000))
@example(shape=(3, 4), eps=0.5, seed=1)
@example(shape=(2, 3, 2, 3), eps=1e-5, seed=2)
def test_batch_norm_eval_uses_running_statistics(kata, shape, eps, seed):
    """batch_norm with training=False normalises with the given running statistics and returns them unchanged"""
    X = _batch(shape, seed) if math.prod(shape) // shape[1] > 1 else torch.randn(shape, generator=gen(seed))
    _check_eval(kata, X, *_params(shape[1], seed + 1), eps, 0.1)


def test_batch_norm_float64(kata):
    """float64 in → float64 out: batch_norm equals nn.BatchNorm1d/2d to 1e-10 in both modes"""
    for k, shape in enumerate([(4, 3), (3, 2, 4, 5)]):
        X = _batch(shape, 40 + k, torch.float64)
        params = _params(shape[1], 50 + k, torch.float64)
        for training in (True, False):
            inputs = _inputs(X, *params, 0.5, 0.3, training)
            prop = f"batch_norm keeps float64 (training={training})"
            Y, nm, nv = _bn(kata, X, *params, 0.5, 0.3, training, prop, inputs)
            for what, t in (("Y", Y), ("new_mean", nm), ("new_var", nv)):
                expect_tensor(t, f"{prop}: {what} is float64", inputs=inputs, dtype=torch.float64,
                              hints=["allocate with X's dtype (X.new_*, dtype=X.dtype) and do not convert to "
                                     "float32 along the way."])
            (_check_train if training else _check_eval)(kata, X, *params, 0.5, 0.3, atol_rel=1e-10, rtol=1e-10)


def test_batch_norm_float32_stays_float32(kata):
    """float32 in → float32 out: Y and the running statistics are float32 tensors"""
    X = _batch((3, 2, 2, 2), 60)
    params = _params(2, 61)
    for training in (True, False):
        inputs = _inputs(X, *params, 1e-5, 0.1, training)
        prop = f"batch_norm keeps float32 (training={training})"
        Y, nm, nv = _bn(kata, X, *params, 1e-5, 0.1, training, prop, inputs)
        for what, t in (("Y", Y), ("new_mean", nm), ("new_var", nv)):
            expect_tensor(t, f"{prop}: {what} is float32", inputs=inputs, dtype=torch.float32,
                          hints=["compute in X's dtype: a float64 constant tensor (torch.tensor(m / (m - 1), "
                                 "dtype=torch.float64)) or .double() without converting back changes it."])


def test_batch_norm_never_writes_into_its_arguments(kata):
    """batch_norm leaves X, gamma, beta, moving_mean and moving_var unchanged (it returns new statistics)"""
    for k, shape in enumerate([(4, 3), (3, 2, 3, 3)]):
        for training in (True, False):
            X = _batch(shape, 70 + k)
            args = (X,) + _params(shape[1], 80 + k)
            saved = [a.clone() for a in args]
            inputs = _inputs(*saved, 0.5, 0.3, training)
            prop = f"batch_norm(…, training={training}) leaves its arguments unchanged"
            call(kata.batch_norm, *args, prop=prop, inputs=inputs, hints=[SHAPE_ERROR_HINT], eps=0.5, momentum=0.3,
                 training=training)
            for name, a, s in zip(("X", "gamma", "beta", "moving_mean", "moving_var"), args, saved):
                changed = not torch.equal(a, s)
                expect(not changed, f"{prop}: {name} is unchanged after the call", inputs=inputs, expected=s,
                       got=a, hints=[f"batch_norm wrote into {name} (an in-place operation such as mul_, add_, "
                                     f"copy_, `{name}[:] = …`, `+=` or `.data = …`). It is functional: compute new "
                                     f"tensors and return them; the BatchNorm layer stores them in its buffers."])


def test_batch_norm_statistics_are_detached(kata):
    """the returned running statistics carry no autograd graph, while Y stays connected to X, gamma and beta"""
    for k, shape in enumerate([(4, 3), (3, 2, 3, 3)]):
        X = _batch(shape, 90 + k).requires_grad_(True)
        gamma, beta, mm, mv = _params(shape[1], 91 + k)
        gamma.requires_grad_(True)
        beta.requires_grad_(True)
        inputs = _inputs(X, gamma, beta, mm, mv, 1e-5, 0.1, True)
        prop = "batch_norm's new running statistics are detached"
        out = call(kata.batch_norm, X, gamma, beta, mm, mv, prop=prop, inputs=inputs, hints=[SHAPE_ERROR_HINT],
                   eps=1e-5, momentum=0.1, training=True)
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            fail(prop, inputs=inputs, expected="a tuple (Y, new_mean, new_var)", got=out)
        Y, nm, nv = out
        expect(isinstance(Y, torch.Tensor) and Y.requires_grad, "Y is differentiable wrt X, gamma and beta",
               inputs=inputs, expected="Y with a grad_fn", got="Y that does not require grad",
               hints=["compute Y from X, gamma and beta with tensor operations (no .detach(), .data, .item() "
                      "or torch.no_grad() on the way)."])
        for name, t in (("new_mean", nm), ("new_var", nv)):
            expect(isinstance(t, torch.Tensor) and not t.requires_grad, f"{prop}: {name} does not require grad",
                   inputs=inputs, expected=f"{name} with requires_grad=False",
                   got=f"{name} with grad_fn {getattr(t, 'grad_fn', None)}" if isinstance(t, torch.Tensor) else t,
                   hints=["the running statistics are bookkeeping, not part of the model's computation: compute "
                          "them from μ.detach() and σ².detach() (or under torch.no_grad()), otherwise every "
                          "step's graph is kept alive through the buffers."])


def test_batch_norm_gradients_match_f_batch_norm(kata):
    """the gradients of batch_norm wrt X, gamma and beta equal F.batch_norm's (through μ and σ² in training)"""
    for k, (shape, training) in enumerate([((4, 3), True), ((3, 2, 3, 2), True), ((3, 2, 3, 2), False),
                                           ((2, 3), True)]):
        X0 = _batch(shape, 100 + k)
        params = _params(shape[1], 110 + k)
        G = torch.randn(shape, generator=gen(120 + k))
        X = X0.clone().requires_grad_(True)
        gamma, beta = params[0].clone().requires_grad_(True), params[1].clone().requires_grad_(True)
        inputs = {**_inputs(X0, *params, 0.5, 0.3, training), "loss": "(Y · G).sum()", "G": G}
        prop = f"batch_norm's gradients equal F.batch_norm's (training={training})"
        out = call(kata.batch_norm, X, gamma, beta, params[2].clone(), params[3].clone(), prop=prop, inputs=inputs,
                   hints=[SHAPE_ERROR_HINT], eps=0.5, momentum=0.3, training=training)
        Y = out[0] if isinstance(out, (tuple, list)) and out else out
        if not (isinstance(Y, torch.Tensor) and Y.requires_grad):
            fail(prop, inputs=inputs, expected="Y with a grad_fn", got="Y that does not require grad",
                 hints=["compute Y from X, gamma and beta with tensor operations (no .detach() or no_grad)."])
        (Y * G).sum().backward()
        Xr = X0.double().requires_grad_(True)
        gr, br = params[0].double().requires_grad_(True), params[1].double().requires_grad_(True)
        Yr = F.batch_norm(Xr, params[2].double().clone(), params[3].double().clone(), gr, br, training=training,
                          momentum=0.3, eps=0.5)
        (Yr * G.double()).sum().backward()
        d = _dims(len(shape))
        s = _bshape(len(shape))
        var = X0.double().var(d, keepdim=True, correction=0)
        frozen = params[0].double().reshape(s) * G.double() / (var + 0.5).sqrt()   # μ, σ² treated as constants
        for name, got, want in (("X", X.grad, Xr.grad), ("gamma", gamma.grad, gr.grad), ("beta", beta.grad, br.grad)):
            hints = [Hint("your gradient wrt X treats μ and σ² as constants: in training they are functions of X, "
                          "and the gradient must flow through them too (do not detach them or compute them under "
                          "no_grad; only the returned running statistics are detached).",
                          when=lambda g, w: name == "X" and training and _tensor_near(g, frozen, 1e-4))]
            if got is None:
                fail(f"{prop}: backward reaches {name}", inputs=inputs, expected=f"{name}.grad", got="None",
                     hints=["compute Y from X, gamma and beta with tensor operations (no .detach() or .data)."])
            expect_close(got, want, f"{prop}: d(Y·G).sum()/d{name}", inputs=inputs, atol=_atol(want, 5e-5),
                         rtol=1e-4, hints=hints)


def test_batch_norm_statistics_have_shape_c(kata):
    """Y has X's shape; the returned running statistics have shape (C,) for 2-D and 4-D X"""
    for shape in [(3, 5), (2, 3, 4, 2), (4, 1, 2, 2)]:
        X = _batch(shape, 130)
        params = _params(shape[1], 131)
        inputs = _inputs(X, *params, 1e-5, 0.1, True)
        prop = "batch_norm's outputs have the documented shapes"
        Y, nm, nv = _bn(kata, X, *params, 1e-5, 0.1, True, prop, inputs)
        expect_tensor(Y, f"{prop}: Y has X's shape {shape}", inputs=inputs, shape=shape)
        for name, t in (("new_mean", nm), ("new_var", nv)):
            expect_tensor(t, f"{prop}: {name} has shape (C,) = ({shape[1]},)", inputs=inputs, shape=(shape[1],),
                          hints=[Hint("return the statistics with shape (C,), like moving_mean and moving_var "
                                      "(PyTorch's, not the book's (1, C, 1, 1) / (1, C)): reshape(-1).",
                                      when=lambda g, w: isinstance(g, torch.Tensor) and g.numel() == shape[1])])


# ================================================================================================= BatchNorm
def _layer(kata, C, num_dims, prop, **kw):
    shown = ", ".join([str(C), str(num_dims)] + [f"{k}={v}" for k, v in kw.items()])
    layer = call(kata.BatchNorm, C, num_dims, prop=prop, inputs={"layer": f"BatchNorm({shown})"},
                 expected="a BatchNorm layer", catch=(TypeError, ValueError, RuntimeError, AttributeError), **kw)
    return layer, f"BatchNorm({shown})"


CLASS_SHAPE_HINT = Hint("γ, β, moving_mean and moving_var have shape (C,) (PyTorch's), the shape batch_norm takes "
                        "and returns; the book's (1, C, 1, 1) / (1, C) shapes do not fit: torch.ones(num_features).",
                        when=_error_says("invalid for input of size", "must match"))

MODE_HINT = ("the layer's mode is self.training (set by net.train() / net.eval()): pass training=self.training "
             "to batch_norm. torch.is_grad_enabled() (the book's switch) says whether autograd records, which is "
             "a different thing: evaluation may run with gradients on, and training steps may run under no_grad.")


def _shape1(C, nd):
    return (1, C) if nd == 2 else (1, C, 1, 1)


def _ref_layer(C, num_dims, eps, momentum):
    cls = nn.BatchNorm1d if num_dims == 2 else nn.BatchNorm2d
    return cls(C, eps=eps, momentum=momentum, dtype=torch.float64)


def _ref_forward(ref, X, training):
    ref.train(training)
    with torch.no_grad():
        return ref(X.double())


@pytest.mark.core
def test_batchnorm_layer_matches_nn_batchnorm(kata):
    """BatchNorm: three train-mode batches, then an eval-mode batch, give nn.BatchNorm2d's / 1d's outputs"""
    configs = [((4, 3, 5, 6), {}), ((3, 2, 4, 3), {"eps": 0.5, "momentum": 0.3}),
               ((5, 7), {"eps": 1e-3, "momentum": 0.05}), ((4, 3), {"momentum": 1.0})]
    for k, (shape, kw) in enumerate(configs):
        C, nd = shape[1], len(shape)
        eps, momentum = kw.get("eps", 1e-5), kw.get("momentum", 0.1)
        layer, shown = _layer(kata, C, nd, f"BatchNorm(C, num_dims, …) builds a layer", **kw)
        ref = _ref_layer(C, nd, eps, momentum)
        kind = type(ref).__name__
        for step in range(4):
            training = step < 3
            X = _batch(shape, 200 + 10 * k + step)
            X = X + 0.5 * step                         # the batches differ, so the running mean moves
            inputs = {"layer": shown, "calls": f"batches 1–3 in train mode, then one in eval mode; this is call "
                                               f"{step + 1} ({'train' if training else 'eval'} mode)", "X": X}
            if not training:
                layer.eval()
            else:
                layer.train()
            prop = f"{shown} gives the outputs of {kind}(C, eps={eps:g}, momentum={momentum:g})"
            got = call(layer, X.clone(), prop=prop, inputs=inputs, hints=[CLASS_SHAPE_HINT, SHAPE_ERROR_HINT])
            want = _ref_forward(ref, X, training)
            mean, var = _stats_over(X, _dims(nd))
            batch = _normalised(X, torch.ones(C), torch.zeros(C), mean, var, eps)
            fresh = _normalised(X, torch.ones(C), torch.zeros(C), torch.zeros(_shape1(C, nd)),
                                torch.ones(_shape1(C, nd)), eps)
            hints = [Hint(MODE_HINT + " In eval mode your layer normalised with the batch's statistics.",
                          when=lambda g, w: not training and _tensor_near(g, batch, 1e-3)),
                     Hint("in eval mode your layer used the initial running statistics (zeros and ones): store the "
                          "statistics batch_norm returns in the buffers after every train-mode forward.",
                          when=lambda g, w: not training and _tensor_near(g, fresh, 1e-3))]
            if kw:
                alt = _ref_layer(C, nd, 1e-5, 0.1)
                for j in range(step + 1):
                    Xj = _batch(shape, 200 + 10 * k + j) + 0.5 * j
                    alt_out = _ref_forward(alt, Xj, j < 3)
                hints.append(Hint("use the eps and momentum given to BatchNorm(…, eps=…, momentum=…) (store them "
                                  "in __init__ and pass them to batch_norm); yours behaves like the book's "
                                  "hard-coded eps=1e-5, momentum 0.1.",
                                  when=lambda g, w, a=alt_out: _tensor_near(g, a, 1e-4)))
            expect_close(got, want, prop, inputs=inputs, atol=_atol(want), rtol=1e-4,
                         hints=hints + [_layer_first_hint(hints)])


def _state(kata, layer):
    return run_beside(kata, probes.state_report, layer)


def _buffer_hints(report):
    plain = report.get("plain_tensors", []) if isinstance(report, dict) else []
    bufs = [b[0] for b in report.get("buffers", [])] if isinstance(report, dict) else []
    keys = report.get("state_dict", []) if isinstance(report, dict) else []
    return [
        Hint("moving_mean / moving_var are plain tensor attributes (the book's), so state_dict() does not save them "
             "and .to(device) / .double() do not move them: register them in __init__ with "
             "self.register_buffer('moving_mean', torch.zeros(num_features)) (likewise moving_var). Assigning a "
             "new tensor to a registered buffer's name later keeps it a buffer.",
             when=lambda g, w: any(n in plain for n in ("moving_mean", "moving_var"))),
        Hint("the buffers are registered with persistent=False, so state_dict() leaves them out: saving a model "
             "must save its running statistics (register_buffer(name, tensor) with the default persistent=True).",
             when=lambda g, w: any(n in bufs and n not in keys for n in ("moving_mean", "moving_var"))),
        Hint("gamma and beta must be nn.Parameter attributes (the learnt scale and shift): "
             "self.gamma = nn.Parameter(torch.ones(num_features)).",
             when=lambda g, w: any(n in plain or (n in bufs) for n in ("gamma", "beta"))),
    ]


def test_batchnorm_parameters_and_buffers(kata):
    """BatchNorm has parameters gamma (ones) and beta (zeros) and buffers moving_mean (zeros), moving_var (ones), all (C,)"""
    for C, nd in ((3, 4), (5, 2)):
        layer, shown = _layer(kata, C, nd, "BatchNorm(C, num_dims) builds a layer")
        report = _state(kata, layer)
        inputs = {"layer": shown}
        hints = _buffer_hints(report)
        params = [(n, s) for n, s, *_ in report["parameters"]]
        shape_hint = Hint(f"γ, β and the running statistics have shape (C,) = ({C},) (PyTorch's), not the book's "
                          f"(1, C, 1, 1) / (1, C): torch.ones(num_features).",
                          when=lambda g, w: isinstance(g, list) and any(len(s) > 1 for _, s in g))
        expect(params == [("gamma", (C,)), ("beta", (C,))], f"{shown}'s parameters are exactly gamma and beta, "
               f"shape (C,)", inputs=inputs, expected=[("gamma", (C,)), ("beta", (C,))], got=params,
               hints=hints + [shape_hint])
        bufs = sorted((n, s) for n, s, *_ in report["buffers"])
        want_bufs = [("moving_mean", (C,)), ("moving_var", (C,))]
        expect(bufs == want_bufs, f"{shown} registers moving_mean and moving_var as buffers of shape (C,)",
               inputs=inputs, expected=want_bufs, got=bufs, hints=hints + [shape_hint])
        keys = sorted(report["state_dict"])
        want_keys = ["beta", "gamma", "moving_mean", "moving_var"]
        expect(keys == want_keys, f"{shown}.state_dict() has exactly the keys gamma, beta, moving_mean, moving_var",
               inputs=inputs, expected=want_keys, got=keys,
               hints=hints + [Hint("extra entries in the state_dict (such as a batch counter) break loading a "
                                   "state_dict with the book's keys; keep only the four.",
                                   when=lambda g, w: set(w) < set(g))])
        state = layer.state_dict()
        for key, value in (("gamma", 1.0), ("beta", 0.0), ("moving_mean", 0.0), ("moving_var", 1.0)):
            expect_equal(state[key].float(), torch.full((C,), value), f"a new {shown} starts with {key} = {value:g}",
                         inputs=inputs,
                         hints=["d2l 7.5.3: γ starts at ones and β at zeros (so the layer starts as a plain "
                                "normalisation); the running mean at zeros and the running variance at ones."])


def test_batchnorm_running_statistics_follow_nn_batchnorm(kata):
    """after three train-mode batches the layer's moving_mean / moving_var equal nn.BatchNorm's running statistics"""
    for k, (shape, kw) in enumerate([((3, 2, 4, 4), {"momentum": 0.3}), ((6, 4), {})]):
        C, nd = shape[1], len(shape)
        momentum = kw.get("momentum", 0.1)
        layer, shown = _layer(kata, C, nd, "BatchNorm(C, num_dims, …) builds a layer", **kw)
        ref = _ref_layer(C, nd, 1e-5, momentum)
        layer.train()
        for step in range(3):
            X = _batch(shape, 300 + 10 * k + step) + 0.5 * step
            call(layer, X, prop=f"{shown}(X) runs in train mode", inputs={"X": X},
                 hints=[CLASS_SHAPE_HINT, SHAPE_ERROR_HINT])
            _ref_forward(ref, X, True)
        report = _state(kata, layer)
        hints = _buffer_hints(report)
        state = layer.state_dict()
        inputs = {"layer": shown, "calls": "three train-mode batches"}
        alt = _ref_layer(C, nd, 1e-5, 0.1)
        for step in range(3):
            _ref_forward(alt, _batch(shape, 300 + 10 * k + step) + 0.5 * step, True)
        for key, want, start in (("moving_mean", ref.running_mean, 0.0), ("moving_var", ref.running_var, 1.0)):
            if key not in state:
                fail(f"{shown}.state_dict() holds {key}", inputs=inputs, expected=f"a '{key}' entry",
                     got=sorted(state), hints=hints)
            store = Hint("the running statistics are still their initial values: store the statistics batch_norm "
                         "returns in the buffers after every train-mode forward (self.moving_mean, "
                         "self.moving_var = new_mean, new_var).",
                         when=lambda g, w, v=start: isinstance(g, torch.Tensor) and bool((g == v).all()))
            hard = Hint("use the momentum given to BatchNorm(…, momentum=…) (store it in __init__ and pass it to "
                        "batch_norm); yours behaves like the book's hard-coded 0.1.",
                        when=lambda g, w, a=getattr(alt, "running_" + key.split("_")[1]):
                        momentum != 0.1 and _tensor_near(g, a, 1e-4))
            expect_close(state[key], want, f"after three train-mode batches {key} equals nn.BatchNorm's "
                         f"running_{key.split('_')[1]}", inputs=inputs, atol=_atol(want), rtol=1e-4,
                         hints=[store, hard, _layer_first_hint([store, hard])])
        # an eval-mode pass leaves them alone
        layer.eval()
        call(layer, _batch(shape, 399), prop=f"{shown}(X) runs in eval mode", inputs={"X": "a fourth batch"},
             hints=[CLASS_SHAPE_HINT, SHAPE_ERROR_HINT])
        after = layer.state_dict()
        for key in ("moving_mean", "moving_var"):
            expect_equal(after[key], state[key], f"an eval-mode forward pass leaves {key} unchanged",
                         inputs={**inputs, "then": "one eval-mode batch"},
                         hints=["only a train-mode forward updates the running statistics: " + MODE_HINT])


def test_batchnorm_mode_is_self_training(kata):
    """eval() with gradients on uses the running statistics; train() under torch.no_grad() uses (and updates) the batch's"""
    shape = (4, 3, 3, 3)
    C = shape[1]
    X = _batch(shape, 400)
    ones, zeros = torch.ones(C), torch.zeros(C)
    mean, var = _stats_over(X, _dims(4))
    batch_out = _normalised(X, ones, zeros, mean, var, 1e-5)
    fresh_out = _normalised(X, ones, zeros, torch.zeros(1, C, 1, 1), torch.ones(1, C, 1, 1), 1e-5)

    layer, shown = _layer(kata, C, 4, "BatchNorm(C, 4) builds a layer")
    layer.eval()
    got = call(layer, X.clone(), prop=f"{shown} in eval mode", inputs={"X": X},
               hints=[CLASS_SHAPE_HINT, SHAPE_ERROR_HINT])
    expect_close(got, fresh_out, f"a new {shown} in eval() mode with gradients enabled normalises with the running "
                 f"statistics (zeros and ones): Y = X/√(1 + ε)", inputs={"layer": f"{shown}, .eval()", "X": X,
                                                                      "grad mode": "enabled"},
                 atol=_atol(fresh_out), rtol=1e-4,
                 hints=[h := Hint(MODE_HINT, when=lambda g, w: _tensor_near(g, batch_out, 1e-3)),
                        _layer_first_hint([h])])

    layer2, _ = _layer(kata, C, 4, "BatchNorm(C, 4) builds a layer")
    layer2.train()
    inputs = {"layer": f"{shown}, .train()", "X": X, "grad mode": "torch.no_grad()"}
    try:
        got = run_beside(kata, probes.forward_without_grad, layer2, X.clone())
    except (RuntimeError, TypeError, ValueError) as e:
        fail(f"{shown} in train() mode under torch.no_grad() runs", inputs=inputs, expected="an output",
             got=f"{type(e).__name__}: {e}", hints=[SHAPE_ERROR_HINT])
    expect_close(got, batch_out, f"{shown} in train() mode under torch.no_grad() normalises with the batch's "
                 f"statistics", inputs=inputs, atol=_atol(batch_out), rtol=1e-4,
                 hints=[h := Hint(MODE_HINT, when=lambda g, w: _tensor_near(g, fresh_out, 1e-3)),
                        _layer_first_hint([h])])
    # ... and updated the running statistics (nn.BatchNorm2d does, also under no_grad)
    ref = _ref_layer(C, 4, 1e-5, 0.1)
    _ref_forward(ref, X, True)
    X2 = _batch(shape, 401)
    want = _ref_forward(ref, X2, False)
    stale = _normalised(X2, ones, zeros, torch.zeros(1, C, 1, 1), torch.ones(1, C, 1, 1), 1e-5)
    layer2.eval()
    got = call(layer2, X2.clone(), prop=f"{shown} in eval mode", inputs={"X": X2},
               hints=[CLASS_SHAPE_HINT, SHAPE_ERROR_HINT])
    expect_close(got, want, f"a train-mode pass under torch.no_grad() updates the running statistics (as "
                 f"nn.BatchNorm2d's does): the next eval-mode output uses them",
                 inputs={**inputs, "then": "eval() and a second batch", "X2": X2}, atol=_atol(want), rtol=1e-4,
                 hints=[h := Hint("the running statistics were not updated by the train-mode pass under "
                                  "torch.no_grad(): store batch_norm's new statistics whenever self.training is "
                                  "True, whatever the grad mode.", when=lambda g, w: _tensor_near(g, stale, 1e-4)),
                        _layer_first_hint([h])])


def test_batchnorm_gradients_reach_gamma_beta_and_x(kata):
    """backward through BatchNorm in train mode gives F.batch_norm's gradients for X, gamma and beta"""
    for k, (shape, nd) in enumerate([((3, 2, 3, 4), 4), ((5, 3), 2)]):
        C = shape[1]
        layer, shown = _layer(kata, C, nd, "BatchNorm(C, num_dims) builds a layer")
        layer.train()
        X = _batch(shape, 500 + k)
        G = torch.randn(shape, generator=gen(510 + k))
        inputs = {"layer": f"{shown}, train mode", "X": X, "loss": "(layer(X) · G).sum()", "G": G}
        prop = f"backward through {shown} gives F.batch_norm's gradients"
        try:
            _, gX, grads = run_beside(kata, probes.forward_backward, layer, X, G)
        except (RuntimeError, TypeError, ValueError) as e:
            fail(prop, inputs=inputs, expected="gradients", got=f"{type(e).__name__}: {e}",
                 hints=[CLASS_SHAPE_HINT, SHAPE_ERROR_HINT, Hint("Y must be computed from X, gamma and beta with tensor operations.",
                                               when=_error_says("grad"))])
        Xr = X.double().requires_grad_(True)
        gr = torch.ones(C, dtype=torch.float64, requires_grad=True)
        br = torch.zeros(C, dtype=torch.float64, requires_grad=True)
        (F.batch_norm(Xr, torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64), gr, br,
                      training=True) * G.double()).sum().backward()
        var = X.double().var(_dims(nd), keepdim=True, correction=0)
        frozen = G.double() / (var + 1e-5).sqrt()
        frozen_hint = Hint("your gradient wrt X treats μ and σ² as constants: in training they are functions of X "
                           "and the gradient flows through them too (only the returned running statistics are "
                           "detached).", when=lambda g, w: _tensor_near(g, frozen, 1e-4))
        for name, got, want in (("X", gX, Xr.grad), ("gamma", grads.get("gamma"), gr.grad),
                                ("beta", grads.get("beta"), br.grad)):
            if got is None:
                fail(f"{prop}: {name}.grad is filled", inputs=inputs, expected=f"a gradient for {name}",
                     got="None" if name == "X" or name in grads else f"no parameter named {name}",
                     hints=["gamma and beta are nn.Parameter attributes used directly in forward (not .data, not "
                            "a detached copy), so backward reaches them."])
            expect_close(got, want, f"{prop}: d loss / d {name}", inputs=inputs, atol=_atol(want, 5e-5), rtol=1e-4,
                         hints=[frozen_hint, _layer_first_hint([frozen_hint])])


def test_batchnorm_to_converts_statistics(kata):
    """.to(torch.float64) and .to("meta") convert the running statistics together with gamma and beta"""
    for target, dev, dt in ((torch.float64, "cpu", "float64"), ("meta", "meta", "float32")):
        for nd, shape in ((4, (2, 3, 4, 4)), (2, (4, 3))):
            layer, shown = _layer(kata, 3, nd, "BatchNorm(3, num_dims) builds a layer")
            hints = _buffer_hints(_state(kata, layer))
            got = run_beside(kata, probes.convert_and_run, layer, target, shape)
            inputs = {"layer": f"{shown}.to({target!r}), then one train-mode forward pass",
                      "X": f"shape {shape}, {dt}, on {dev}"}
            prop = f"{shown}.to({target!r}) converts everything"
            if isinstance(got, str):
                fail(prop, inputs=inputs, expected="a forward pass that works", got=got,
                     hints=hints + [CLASS_SHAPE_HINT, SHAPE_ERROR_HINT, DEVICE_HINT])
            y, state = got
            expect(y == (dev, shape, dt), f"{prop}: the output is {dt} on {dev}", inputs=inputs,
                   expected=(dev, shape, dt), got=y, hints=hints)
            want = {k: (dev, (3,), dt) for k in ("gamma", "beta", "moving_mean", "moving_var")}
            expect(state == want, f"{prop}: every entry of state_dict() is {dt} on {dev} after .to() and a "
                   f"train-mode pass", inputs=inputs, expected=want, got=state, hints=hints)


# ================================================================================================= BN-LeNet
class BatchNorm(nn.Module):
    """The reference layer: the contract's names (gamma, beta; buffers moving_mean, moving_var), F.batch_norm."""

    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
        super().__init__()
        self._eps, self._momentum = eps, momentum
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("moving_mean", torch.zeros(num_features))
        self.register_buffer("moving_var", torch.ones(num_features))

    def forward(self, X):
        return F.batch_norm(X, self.moving_mean, self.moving_var, self.gamma, self.beta, training=self.training,
                            momentum=self._momentum, eps=self._eps)


def _reference_bnlenet(in_channels=1, num_classes=10):
    """d2l 7.5.4's network (the book's code, with the reference layer)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, kernel_size=5), BatchNorm(6, 4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, 4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, 2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, 2), nn.Sigmoid(),
        nn.Linear(84, num_classes))


ARGS_HINT = Hint("use the arguments: the first layer is Conv2d(in_channels, 6, 5) and the last Linear(84, "
                 "num_classes) (the book's 1 and 10 are only the defaults).",
                 when=lambda g, w: isinstance(g, str) and ("0.weight" in g or "15.weight" in g or "15.bias" in g)
                 or isinstance(g, str) and "parameters" in g)


def _net(kata, prop, device="cpu", **kw):
    return nets.build(kata, "BNLeNet", device=device, prop=prop, **kw)


BN_FEATURES = {"1": (6, 4), "5": (16, 4), "10": (120, 2), "13": (84, 2)}


def test_bnlenet_layers_in_book_order(kata):
    """BNLeNet() is the book's 16 layers in order, with this module's BatchNorm before each sigmoid"""
    net = _net(kata, "BNLeNet() builds the network", device="meta")
    got = nets.describe(kata, net)
    want = shippable_nets.describe_children(_reference_bnlenet())
    shapes = dict(run_beside(kata, shippable_nets.parameter_shapes, net))
    ref_text = ", ".join(nets._show_layer(d) if d[1] != "BatchNorm" else f"BatchNorm({BN_FEATURES[d[0]][0]}, "
                         f"{BN_FEATURES[d[0]][1]})" for d in want)
    prop = "BNLeNet()'s top-level layers are the book's, in the book's order"
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if w is None or g is None:
            fail(prop, expected=f"{len(want)} layers", got=f"{len(got)} layers", detail=f"the book's: {ref_text}")
        name, wtype = w[0], w[1]
        if wtype == "BatchNorm":
            C, nd = BN_FEATURES[name]
            hyper = g[2]
            ok = (g[0] == name and g[1] == "BatchNorm" and shapes.get(f"{name}.gamma") == (C,)
                  and hyper.get("num_features", C) == C and hyper.get("num_dims", nd) == nd
                  and hyper.get("eps", 1e-5) == 1e-5 and hyper.get("momentum", 0.1) == 0.1)
            shown_w = f"BatchNorm({C}, {nd}) (this module's layer)"
            shown_g = f"{g[1]} {g[2]}, gamma of shape {shapes.get(f'{g[0]}.gamma')}"
        else:
            ok = g[0] == name and g[1] == wtype and nets._norm(g[2]) == nets._norm(w[2]) and g[3] == w[3]
            shown_w, shown_g = nets._show_layer(w), nets._show_layer(g)
        if not ok:
            hints = [
                Hint("BatchNorm goes between the layer it normalises and the sigmoid (d2l 7.5.4: Conv2d, "
                     "BatchNorm, Sigmoid, …), so the sigmoid receives normalised inputs.",
                     when=lambda gg, ww: ("Sigmoid" in str(gg) and "BatchNorm" in str(ww))
                     or ("BatchNorm" in str(gg) and "Sigmoid" in str(ww))),
                Hint("BN-LeNet's convolutions have no padding: 28 → 24 → 12 → 8 → 4, Flatten gives 16·4·4 = 256 "
                     "(the plain LeNet of 6.6 pads its first convolution by 2; this one does not).",
                     when=lambda gg, ww: "padding=(2, 2)" in str(gg)),
                Hint("use this module's own BatchNorm class (nn.BatchNorm2d / 1d are the oracle, not the answer).",
                     when=lambda gg, ww: "BatchNorm1d" in str(gg) or "BatchNorm2d" in str(gg)),
                Hint("the book's BN-LeNet keeps LeNet's sigmoids and average pooling (not ReLU / max pooling).",
                     when=lambda gg, ww: any(t in str(gg) for t in ("ReLU", "MaxPool"))),
                Hint("BatchNorm(C, 4) after a convolution and BatchNorm(C, 2) after a fully connected layer, with the "
                     "default eps and momentum; C is the preceding layer's number of outputs.",
                     when=lambda gg, ww: str(gg).startswith("BatchNorm ") and "BatchNorm" in str(ww)
                     and "shape (1," not in str(gg)),
                Hint("BatchNorm's γ (gamma) has shape (C,) (PyTorch's), not the book's (1, C, 1, 1) / (1, C).",
                     when=lambda gg, ww: "gamma of shape (1," in str(gg)),
                Hint("gamma must be an nn.Parameter of the BatchNorm layer (none was found).",
                     when=lambda gg, ww: str(gg).startswith("BatchNorm ") and "gamma of shape None" in str(gg)),
            ]
            fail(prop, expected=f"layer {name!r} (number {i} of {len(want)}): {shown_w}", got=shown_g,
                 detail=f"the book's layers: {ref_text}", hints=hints)


def test_bnlenet_parameter_count(kata):
    """BNLeNet() has 44,878 parameters; in_channels and num_classes are honoured"""
    for kw in ({}, {"in_channels": 3, "num_classes": 5}):
        ref = _reference_bnlenet(**kw)
        want = sum(p.numel() for p in ref.parameters())
        shown = "BNLeNet(" + ", ".join(f"{k}={v}" for k, v in kw.items()) + ")"
        net = _net(kata, f"{shown} builds the network", device="meta", **kw)
        nets.expect_parameter_count(
            kata, net, want, f"{shown} has {want:,} parameters (conv 156 + 12 + 2,416 + 32, linear 30,840 + 240 + "
            f"10,164 + 168 + 850 with the defaults)" if not kw else f"{shown} has {want:,} parameters",
            inputs={"net": shown},
            hints=["each BatchNorm(C, …) adds exactly 2·C parameters (γ and β); the running statistics are buffers, "
                   "not parameters. Check the convolutions' padding (none) and Linear(256, 120)."]
            + ([ARGS_HINT] if kw else []))


def test_bnlenet_shape_table(kata):
    """for layer in BNLeNet(): X = layer(X) prints the book's shape table (28 → 24 → 12 → 8 → 4)"""
    net = _net(kata, "BNLeNet() builds the network")
    n = 2
    want = [(n, 6, 24, 24)] * 3 + [(n, 6, 12, 12)] + [(n, 16, 8, 8)] * 3 + [(n, 16, 4, 4), (n, 256)] \
        + [(n, 120)] * 3 + [(n, 84)] * 3 + [(n, 10)]
    nets.expect_child_shapes(kata, net, (n, 1, 28, 28), want, "BNLeNet's per-layer output shapes are the book's",
                             hints=[Hint("no padding anywhere: Conv2d(1, 6, 5) maps 28×28 to 24×24.",
                                         when=lambda g, w: "28, 28" in str(g) or "14, 14" in str(g)),
                                    SHAPE_ERROR_HINT])


@pytest.mark.core
def test_bnlenet_same_outputs_as_reference(kata):
    """with the same weights BNLeNet() computes the book's BN-LeNet: a train-mode pass, then an eval-mode pass"""
    net = _net(kata, "BNLeNet() builds the network")
    X = torch.randn(8, 1, 28, 28, generator=gen(600), dtype=torch.float64)
    nets.expect_same_outputs(kata, net, _reference_bnlenet(), X, "BNLeNet() equals the book's network",
                             seed=601, modes=("train", "eval"),
                             hints=[Hint("the state_dict keys must be the book's: the BatchNorm layers hold "
                                         "'gamma', 'beta' (parameters) and 'moving_mean', 'moving_var' (buffers).",
                                         when=lambda g, w: isinstance(g, str) and ("gamma" in g or "moving" in g))])
    net2 = _net(kata, "BNLeNet(in_channels=3, num_classes=5) builds the network", in_channels=3, num_classes=5)
    X2 = torch.randn(6, 3, 28, 28, generator=gen(602), dtype=torch.float64)
    nets.expect_same_outputs(kata, net2, _reference_bnlenet(3, 5), X2,
                             "BNLeNet(in_channels=3, num_classes=5) equals the book's network", seed=603,
                             modes=("train", "eval"), hints=[ARGS_HINT])


# measured for this grader (module docstring, "Training check"): batch 32, eval-mode test accuracy after epochs 1 and 2.
TRAIN_BATCH = 32
TRAIN_EPOCHS = 2
TRAIN_THRESHOLD = 0.85


@pytest.mark.weight(2)
def test_bnlenet_learns(kata, stat_seed):
    """BN-LeNet learns the digits fast: Adam 0.003, batch 32, raw 28×28 digits, eval accuracy ≥ 0.85 within 2 epochs"""
    X, y, Xt, yt = digit_images(28, raw=True)
    seed = 1000 * 9 + stat_seed
    net = _net(kata, "BNLeNet() builds the network")
    trainer = run_beside(kata, shippable_nets.Trainer, net, X, y, 0.003, TRAIN_BATCH, seed)
    accs = []
    for epoch in range(TRAIN_EPOCHS):
        try:
            trainer.epoch()
        except (RuntimeError, ValueError, TypeError) as e:
            fail("BN-LeNet trains (Adam on the mean cross-entropy)", inputs={"epoch": epoch + 1},
                 expected="a training step", got=f"{type(e).__name__}: {e}", hints=[SHAPE_ERROR_HINT])
        net.eval()
        try:
            out = run_beside(kata, probes.forward_without_grad, net, Xt)
        except (RuntimeError, ValueError, TypeError) as e:
            fail("BN-LeNet evaluates the test images in eval mode", inputs={"X": "449 digits", "epoch": epoch + 1},
                 expected="scores (449, 10)", got=f"{type(e).__name__}: {e}", hints=[SHAPE_ERROR_HINT])
        accs.append(accuracy_of(out, yt))
        if accs[-1] >= TRAIN_THRESHOLD:
            return
    expect(False, f"BN-LeNet reaches eval-mode test accuracy ≥ {TRAIN_THRESHOLD} within {TRAIN_EPOCHS} epochs",
           inputs={"recipe": f"Xavier-uniform init, Adam lr 0.003, batch {TRAIN_BATCH}, raw 28×28 digits (1,348 "
                             f"train / 449 test), accuracy in eval mode after each epoch", "seed": seed},
           expected=f"≥ {TRAIN_THRESHOLD} after epoch 1 or 2", got=f"accuracy per epoch: {[round(a, 3) for a in accs]}",
           hints=["if the training accuracy is fine but eval is poor, the running statistics are wrong: check the "
                  "momentum direction and that the layer stores the new statistics in train mode.",
                  "if nothing is learnt, check that gradients reach γ and β and flow through μ and σ²."])


# ================================================================================================= meta (last: the first
# reduction on a meta tensor in a process imports torch._dynamo, ~2-5 s once; later meta tests are free)
def test_batch_norm_on_meta_tensors(kata):
    """meta in → meta out: batch_norm allocates nothing on the CPU (the graders' stand-in for a GPU)"""
    for shape, training in [((4, 3), True), ((2, 3, 4, 5), True), ((2, 3, 4, 5), False)]:
        C = shape[1]
        got = run_beside(kata, probes.call_on_meta, kata.batch_norm, [shape, (C,), (C,), (C,), (C,)],
                         eps=1e-5, momentum=0.1, training=training)
        want = [("meta", shape, "float32"), ("meta", (C,), "float32"), ("meta", (C,), "float32")]
        expect(got == want, f"batch_norm on meta tensors (training={training}) returns meta tensors of the right "
               f"shapes", inputs={"X": f"torch.empty({shape}, device='meta')", "gamma, beta, moving_mean, "
                                  "moving_var": f"torch.empty({C}, device='meta') each"},
               expected=want, got=got, hints=[SHAPE_ERROR_HINT, DEVICE_HINT,
                                              Hint("return tensors on X's device: yours came back elsewhere.",
                                                   when=lambda g, w: isinstance(g, list) and g != w)])
