"""Graders for ch4/mlp.py (init_mlp_params, mlp).

Oracles: the same math written here with torch ops in float64 (relu(X W1 + b1) W2 + b2) and autograd through it;
for the initialisation, statistics of many draws (5σ bounds, derived below) and reproducibility with a seeded
torch.Generator. The forward pass is compared on dyadic inputs and weights (k/4), where float32 arithmetic is exact.
Training check: the learner's init and forward pass, trained by a hand-written SGD-with-momentum loop (no
torch.optim: it imports torch._dynamo) on the digits (tests/data.py), must reach ≥ 0.96 test accuracy; over 400
init seeds the reference reached 0.971 at worst, 0.978 on average (about 0.1 s per run).
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor, fail
from tests.strategies import dyadic_tensors
from tests.helpers import gen as _gen, scramble_global_rng, standardized_digits as _standardized_digits

NAMES = ["W1", "b1", "W2", "b2"]


# ----------------------------------------------------------------------------------------------- helpers
def formula(X, params):
    """relu(X W1 + b1) W2 + b2 in float64, X flattened to (n, num_inputs); differentiable in params."""
    W1, b1, W2, b2 = (p.double() for p in params)
    X = X.double().reshape(-1, W1.shape[0])
    return torch.relu(X @ W1 + b1) @ W2 + b2


def oracle(X, params):
    return formula(X, [p.detach() for p in params])


def _close(g, ref, tol=1e-4):
    return (isinstance(g, torch.Tensor) and isinstance(ref, torch.Tensor) and g.shape == ref.shape
            and bool(((g.detach().double() - ref.double()).abs() <= tol).all()))


def _forward_hints(X, params):
    W1, b1, W2, b2 = (p.detach().double() for p in params)
    Xf = X.double().reshape(-1, W1.shape[0])
    linear = (Xf @ W1 + b1) @ W2 + b2
    return [
        Hint("flatten first: X = X.reshape(-1, W1.shape[0]) turns a batch of images (n, 1, h, w) into (n, h·w), "
             "so that X @ W1 works.", when=lambda g, w: X.dim() > 2 and (
                 (isinstance(g, str) and ("mat1" in g or "size" in g or "shape" in g or "must match" in g))
                 or (isinstance(g, torch.Tensor) and g.dim() != 2))),
        Hint("W1 has shape (num_inputs, num_hiddens): the hidden layer is X @ W1 (not X @ W1.T, which is "
             "nn.Linear's (out, in) convention).", when=lambda g, w: isinstance(g, str) and X.dim() == 2
             and ("mat1" in g or "size" in g or "shape" in g)),
        Hint("that is a linear model: without the ReLU two affine layers collapse into one. "
             "H = relu(X @ W1 + b1), then H @ W2 + b2.", when=lambda g, w: _close(g, linear)
             and not _close(g, w)),
        Hint("the output layer is linear (it returns logits for the cross-entropy loss): apply ReLU to the hidden "
             "layer only.", when=lambda g, w: _close(g, torch.relu(w)) and not _close(g, w)),
    ]


def _call_mlp(kata, X, params, prop, inputs):
    hints = _forward_hints(X, params)
    try:
        return kata.mlp(X, params)
    except (RuntimeError, ValueError) as e:
        fail(prop, inputs=inputs, expected="logits of shape (n, num_outputs)", got=f"{type(e).__name__}: {e}",
             hints=hints, hint_got=f"{e}")


def _check_forward(kata, X, params, prop, inputs):
    got = _call_mlp(kata, X, [p.clone().requires_grad_(True) for p in params], prop, inputs)
    want = oracle(X, params)
    hints = _forward_hints(X, params)
    expect_tensor(got, f"mlp returns logits of shape (n, num_outputs) = {tuple(want.shape)}", inputs=inputs,
                  shape=want.shape, dtype=torch.float32, hints=hints, hint_expected=want)
    expect_close(got, want, prop, inputs=inputs, atol=1e-5, rtol=1e-6, hints=hints)


# ----------------------------------------------------------------------------------------------- init
SIZES = [(64, 32, 10), (5, 3, 2), (1, 1, 1), (784, 256, 10)]


@pytest.mark.core("init_mlp_params")
def test_init_shapes_and_zero_biases(kata):
    """init_mlp_params returns [W1, b1, W2, b2] with the right shapes, zero biases, leaves with requires_grad"""
    for d, h, q in SIZES:
        inputs = {"num_inputs": d, "num_hiddens": h, "num_outputs": q}
        params = kata.init_mlp_params(d, h, q, generator=_gen(0))
        expect(isinstance(params, (list, tuple)) and len(params) == 4, "init_mlp_params returns [W1, b1, W2, b2]",
               inputs=inputs, expected="a list of 4 tensors", got=params)
        shapes = {"W1": (d, h), "b1": (h,), "W2": (h, q), "b2": (q,)}
        for name, p in zip(NAMES, params):
            want_shape = shapes[name]
            expect_tensor(p, f"{name} has shape {want_shape} and dtype float32", inputs=inputs, shape=want_shape,
                          dtype=torch.float32,
                          hints=[Hint("W1 is (num_inputs, num_hiddens) and W2 (num_hiddens, num_outputs): the "
                                      "forward pass multiplies X @ W1 (nn.Linear stores the transpose).",
                                      when=lambda g, w, s=want_shape: isinstance(g, torch.Tensor)
                                      and tuple(g.shape) == tuple(reversed(s)) and len(s) == 2)])
            expect(p.requires_grad, f"{name} has requires_grad=True", inputs=inputs, expected=True,
                   got=p.requires_grad, hints=["create it with requires_grad=True (or call .requires_grad_()), so "
                                               "that training can compute its gradient."])
            expect(p.is_leaf, f"{name} is a leaf tensor (autograd stores its gradient in {name}.grad)",
                   inputs=inputs, expected="a leaf (grad_fn None)", got=f"a non-leaf with grad_fn {p.grad_fn}",
                   hints=["torch.randn(..., requires_grad=True) * 0.01 is the product, not a leaf: its .grad stays "
                          "None. Scale first, then mark it: (torch.randn(...) * 0.01).requires_grad_(), or wrap "
                          "it in nn.Parameter (as d2l does)."])
        for name, p in zip(NAMES[1::2], params[1::2]):
            expect(bool((p.detach() == 0).all()), f"the bias {name} starts at zero", inputs=inputs,
                   expected=torch.zeros(p.shape), got=p.detach(),
                   hints=["biases start at 0 (torch.zeros(..., requires_grad=True)); only the weights are random: "
                          "their randomness alone breaks the symmetry between hidden units."])


@pytest.mark.core("init_mlp_params")
def test_init_reproducible_with_generator(kata):
    """two identically seeded generators give identical parameters; another seed gives other weights"""
    inputs = {"num_inputs": 8, "num_hiddens": 6, "num_outputs": 3, "generator": "torch.Generator().manual_seed(7)"}
    a = kata.init_mlp_params(8, 6, 3, generator=_gen(7))
    scramble_global_rng(0)
    b = kata.init_mlp_params(8, 6, 3, generator=_gen(7))
    hint = ["draw every weight with the generator: torch.randn(shape, generator=generator) * 0.01 (a call without "
            "generator= draws from the global RNG, so a seeded generator does not make it reproducible)."]
    for name, p, r in zip(NAMES, a, b):
        expect(torch.equal(p.detach(), r.detach()), f"{name} is the same for two generators with the same seed",
               inputs=inputs, expected=p.detach(), got=r.detach(), hints=hint)
    c = kata.init_mlp_params(8, 6, 3, generator=_gen(8))
    expect(not torch.equal(a[0].detach(), c[0].detach()), "W1 differs for another seed",
           inputs={**inputs, "other generator": "torch.Generator().manual_seed(8)"}, expected="different weights",
           got=c[0].detach(), hints=hint)


@pytest.mark.core("init_mlp_params")
def test_init_weight_statistics(kata, stat_seed):
    """the weights are 0.01·N(0, 1): mean ≈ 0, standard deviation ≈ 0.01, Gaussian (5σ bounds)"""
    # n = 128·128 = 16384 draws per matrix, true σ = 0.01. Bounds at about 5 standard errors:
    #   mean:            se = σ/√n, estimated with the sample std ŝ  -> |mean| ≤ 5·ŝ/√n (4e-4 for ŝ = 0.01;
    #                    scale-free, so a wrong scale is reported by the std check, not here)
    #   std / 0.01:      se ≈ 1/√(2n) = 0.0055                       -> |ŝ/0.01 − 1| ≤ 0.03
    #   P(|w| < 0.01):   p = 0.6827 for a Gaussian, se = √(p(1−p)/n) = 0.0036 -> ±0.018
    #                    (a uniform with the same std gives 1/√3 = 0.577: caught)
    params = kata.init_mlp_params(128, 128, 128, generator=_gen(1000 * 1 + stat_seed))
    inputs = {"num_inputs": 128, "num_hiddens": 128, "num_outputs": 128,
              "generator": f"torch.Generator().manual_seed({1000 + stat_seed})"}
    expect(isinstance(params, (list, tuple)) and len(params) == 4, "init_mlp_params returns [W1, b1, W2, b2]",
           inputs=inputs, expected="a list of 4 tensors", got=params)
    for name, W in zip(NAMES[::2], params[::2]):
        expect_tensor(W, f"{name} is a tensor of shape (128, 128)", inputs=inputs, shape=(128, 128))
        w = W.detach().double().reshape(-1)
        mean, std = float(w.mean()), float(w.std())
        frac = float((w.abs() < 0.01).double().mean())
        bound = 5 * std / 128
        expect(abs(mean) <= bound, f"the entries of {name} have mean 0", inputs=inputs,
               expected=f"|mean| ≤ {bound:.3g} (5 standard errors)", got=f"mean {mean:.3g}",
               hints=[Hint("torch.rand draws from U(0, 1), whose mean is 0.5: use torch.randn for N(0, 1).",
                           when=lambda g, w: mean > 0)])
        expect(abs(std / 0.01 - 1) <= 0.03, f"the entries of {name} have standard deviation 0.01", inputs=inputs,
               expected="std within 3% of 0.01 (5 standard errors)", got=f"std {std:.4g}",
               hints=[Hint("0.01 is the standard deviation, not the variance: torch.randn(...) * 0.01, or "
                           "torch.normal(0, 0.01, size) (its second argument is a std; √0.01 = 0.1).",
                           when=lambda g, w: 0.09 < std < 0.11),
                      Hint("multiply the N(0, 1) draws by 0.01: W = torch.randn(...) * 0.01 (d2l §4.2.1). Large "
                           "initial weights saturate or blow up activations.",
                           when=lambda g, w: std > 0.0103 and not 0.09 < std < 0.11),
                      Hint("the standard deviation is 0.01: torch.randn(...) * 0.01 (not * 0.0001).",
                           when=lambda g, w: std < 0.0097)])
        expect(abs(frac - 0.6827) <= 0.018, f"the entries of {name} are Gaussian: about 68.3% lie within one "
               "standard deviation (0.01) of 0", inputs=inputs, expected="a fraction in 0.6827 ± 0.018",
               got=f"{frac:.4f}", hints=["draw from a normal distribution (torch.randn), not a uniform one."])


# ----------------------------------------------------------------------------------------------- forward
@st.composite
def mlp_case(draw):
    """(X, [W1, b1, W2, b2]) with dyadic entries; X is (n, d), (n, 1, d) or (n, 1, a, b) with d = a·b."""
    n, h, q = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    layout = draw(st.sampled_from(["flat", "3d", "image"]))
    if layout == "image":
        a, b = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        shape, d = (n, 1, a, b), a * b
    else:
        d = draw(st.integers(1, 6))
        shape = (n, d) if layout == "flat" else (n, 1, d)
    X = draw(dyadic_tensors(shape, torch.float32, max_abs=2), label="X")
    params = [draw(dyadic_tensors(s, torch.float32, max_abs=2), label=name)
              for name, s in zip(NAMES, [(d, h), (h,), (h, q), (q,)])]
    return X, params


@pytest.mark.core("mlp")
@settings(max_examples=15)
@given(case=mlp_case())
@example(case=(torch.tensor([[1.0, -2.0], [0.5, 0.25]]),
               [torch.tensor([[1.0, -1.0, 0.5], [0.5, 1.0, -0.25]]), torch.tensor([0.0, 0.5, -1.0]),
                torch.tensor([[1.0, -0.5], [0.25, 1.0], [-1.0, 2.0]]), torch.tensor([0.5, -0.5])]))
def test_mlp_matches_formula(kata, case):
    """mlp(X, params) = relu(X W1 + b1) W2 + b2, with X flattened to (n, num_inputs)"""
    X, params = case
    inputs = {"X": X, **dict(zip(NAMES, params))}
    _check_forward(kata, X, params, "mlp(X) = relu(X.reshape(-1, num_inputs) @ W1 + b1) @ W2 + b2", inputs)


def test_mlp_flattens_image_batches(kata):
    """mlp accepts a batch of images (n, 1, 8, 8) and flattens each to 64 features"""
    g = _gen(3)
    X = torch.rand(5, 1, 8, 8, generator=g)
    params = [torch.randn(64, 16, generator=g) * 0.3, torch.randn(16, generator=g) * 0.1,
              torch.randn(16, 10, generator=g) * 0.3, torch.randn(10, generator=g) * 0.1]
    inputs = {"X": X, "params": "W1 (64, 16), b1 (16,), W2 (16, 10), b2 (10,)"}
    _check_forward(kata, X, params, "mlp flattens (n, 1, 8, 8) images to (n, 64) and returns (n, 10) logits",
                   inputs)


def test_mlp_hidden_layer_is_relu(kata):
    """with identity weights and zero biases, mlp(X) = relu(X): the hidden layer applies ReLU"""
    X = torch.tensor([[-2.0, 1.0, 0.0], [3.0, -0.5, 0.25]])
    eye = torch.eye(3)
    for b1 in (torch.zeros(3), torch.tensor([1.0, -1.0, 0.5])):
        params = [eye, b1, eye, torch.zeros(3)]
        inputs = {"X": X, "W1": eye, "b1": b1, "W2": eye, "b2": torch.zeros(3)}
        _check_forward(kata, X, params, "with W1 = W2 = I and b2 = 0, mlp(X) = relu(X + b1)", inputs)


# ----------------------------------------------------------------------------------------------- gradients
def _grads(loss, params, prop, inputs):
    try:
        grads = torch.autograd.grad(loss, params, allow_unused=True)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected="a loss that autograd can differentiate", got=f"RuntimeError: {e}",
             hints=["compute the output from the parameters themselves (no .data, .detach(), torch.tensor(...) "
                    "copies), so that autograd can reach W1, b1, W2 and b2."])
    for name, g in zip(NAMES, grads):
        expect(g is not None, f"the loss depends on {name} through mlp (autograd reaches it)", inputs=inputs,
               expected=f"a gradient for {name}", got="None",
               hints=["use every parameter, directly: X @ W1 + b1, then H @ W2 + b2."])
    return grads


def _symmetric_params(d, h, q, seed):
    """Every hidden unit has the same incoming weights (a column of W1), bias and outgoing weights (a row of W2)."""
    g = _gen(seed)
    v = torch.randn(d, 1, generator=g) * 0.3
    c = torch.randn(1, q, generator=g) * 0.3
    return [v.repeat(1, h), torch.full((h,), 0.1), c.repeat(h, 1), torch.zeros(q)]


def _spread(t, dim):
    """Largest difference between slices of t along dim (0 when they are all identical)."""
    return float((t - t.select(dim, 0).unsqueeze(dim)).abs().max())


def test_symmetric_init_stays_symmetric(kata):
    """with identical hidden units every hidden unit gets the same gradient, before and after SGD steps"""
    d, h, q, n = 6, 5, 3, 8
    g = _gen(11)
    X, y = torch.rand(n, d, generator=g), torch.randint(0, q, (n,), generator=g)
    params = [p.clone().requires_grad_(True) for p in _symmetric_params(d, h, q, 4)]
    inputs = {"X": X, "y": y, "W1": params[0], "b1": params[1], "W2": params[2], "b2": params[3],
              "loss": "mean cross-entropy of mlp(X, params)"}
    prop = "autograd through mlp gives the gradients of relu(X W1 + b1) W2 + b2"
    out = _call_mlp(kata, X, params, prop, inputs)
    expect_tensor(out, "mlp returns logits of shape (n, num_outputs)", inputs=inputs, shape=(n, q))
    grads = _grads(F.cross_entropy(out, y), params, prop, inputs)
    ref = [p.detach().double().requires_grad_(True) for p in params]
    want = torch.autograd.grad(F.cross_entropy(formula(X, ref), y), ref)
    for name, got_g, want_g in zip(NAMES, grads, want):
        expect_close(got_g, want_g, f"∂loss/∂{name} through your mlp equals the formula's", inputs=inputs,
                     atol=1e-6, rtol=1e-5)
    expect(_spread(grads[0], 1) <= 1e-6 and _spread(grads[1], 0) <= 1e-6 and _spread(grads[2], 0) <= 1e-6,
           "identical hidden units get identical gradients (columns of ∂W1, entries of ∂b1, rows of ∂W2)",
           inputs=inputs, expected="identical", got=list(grads))
    lr = 0.5
    with torch.no_grad():
        for p, gr in zip(params, grads):
            p -= lr * gr
    for _ in range(3):
        out = _call_mlp(kata, X, params, prop, inputs)
        grads = _grads(F.cross_entropy(out, y), params, prop, inputs)
        with torch.no_grad():
            for p, gr in zip(params, grads):
                p -= lr * gr
    W1 = params[0].detach()
    expect(_spread(W1, 1) <= 1e-5 * (1 + float(W1.abs().max())),
           "after 4 SGD steps the hidden units are still identical: symmetric init is never broken",
           inputs=inputs, expected="identical columns of W1", got=W1)


# ----------------------------------------------------------------------------------------------- training
LRS = (0.1, 0.1, 0.1, 0.02, 0.01)   # one learning rate per epoch


@pytest.mark.weight(2)
def test_mlp_learns_digits(kata, stat_seed):
    """your init_mlp_params and mlp, trained by SGD with momentum, reach ≥ 0.96 test accuracy on the digits"""
    X, y, Xt, yt = _standardized_digits()
    seed = 1000 * 2 + stat_seed
    params = kata.init_mlp_params(64, 64, 10, generator=_gen(seed))
    inputs = {"data": "digits (8×8, standardised), 1348 train / 449 test",
              "params": f"init_mlp_params(64, 64, 10, generator=torch.Generator().manual_seed({seed}))",
              "training": f"mean cross-entropy, batch 32, SGD with momentum 0.9, lr per epoch {list(LRS)}"}
    prop = "the MLP trains: autograd reaches every parameter"
    expect(isinstance(params, (list, tuple)) and len(params) == 4, "init_mlp_params returns [W1, b1, W2, b2]",
           inputs=inputs, expected="a list of 4 tensors", got=params)
    params = list(params)
    velocity = [torch.zeros_like(p) for p in params]
    shuffle = _gen(0)
    for lr in LRS:
        perm = torch.randperm(len(y), generator=shuffle)
        for i in range(0, len(y), 32):
            j = perm[i:i + 32]
            out = _call_mlp(kata, X[j], params, prop, inputs)
            grads = _grads(F.cross_entropy(out, y[j]), params, prop, inputs)
            with torch.no_grad():
                for p, v, gr in zip(params, velocity, grads):
                    v.mul_(0.9).add_(gr)
                    p -= lr * v
    with torch.no_grad():
        acc = float((kata.mlp(Xt, params).argmax(dim=1) == yt).double().mean())
    expect(acc >= 0.96, "the MLP reaches ≥ 0.96 test accuracy on the digits", inputs=inputs, expected="≥ 0.96",
           got=round(acc, 4), hints=[Hint("NaN or a huge loss usually means large initial weights: scale the "
                                          "N(0, 1) draws by 0.01.", when=lambda g, w: not g == g or g < 0.2)])
