"""Graders for ch4/dropout.py (dropout_layer, DropoutMLP).

Randomness is graded by statistics and reproducibility, never draw-for-draw: every statistical grader seeds its
generators from the `stat_seed` fixture (``scripts/flake_check.py ch4/dropout.py`` runs them under 200 seeds) and
uses bounds of 5σ, derived next to each check. Exact properties (survivors = X/(1 − p), p = 1, eval mode, the
architecture) are checked exactly. DropoutMLP's oracle is the same network rebuilt here from the learner's own
parameters (found by their shapes), in float64.
"""
import math

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail, is_instance, type_name
from tests.strategies import seeds, shapes, tensors
from tests.helpers import gen as _gen
from tests.helpers import scramble_global_rng as _scramble

PS = (0.1, 0.3, 0.5, 0.8)


def _positive(shape, seed):
    """X with entries in [1, 2): never 0, so a 0 in the output means "dropped"."""
    return 1.0 + torch.rand(shape, generator=_gen(seed))


def _dropout(kata, X, p, prop, inputs, hints=(), **kw):
    """Call the learner's dropout_layer; a RuntimeError (a shape or dtype mistake) becomes a failure."""
    try:
        return kata.dropout_layer(X, p, **kw)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected="a tensor of X's shape", got=f"RuntimeError: {e}", hints=hints)


def _ratio_hints(X, p):
    """Hints from the survivors' out/X ratio (the issue's done-when: scaling by (1 − p) is named)."""
    def ratio(got):
        if not isinstance(got, torch.Tensor) or got.shape != X.shape:
            return None
        kept = got.detach() != 0
        if not kept.any():
            return None
        r = (got.detach().double()[kept] / X.double()[kept])
        return float(r.median())

    def near(value):
        return lambda g, w: (r := ratio(g)) is not None and abs(r - value) < 1e-4 * max(1.0, value)

    return [
        Hint(f"you multiply the survivors by (1 − p) = {1 - p:g}; inverted dropout divides by it: out = mask·X/(1 − p) "
             f"(×{1 / (1 - p):.4g} here), so that E[out] = X and the test-time network needs no change.",
             when=near(1 - p)),
        Hint("the survivors are not rescaled: divide them by (1 − p) so that the expected value stays X.",
             when=near(1.0)),
        Hint(f"the survivors are scaled by 1/p = {1 / p:.4g}; the keep probability is 1 − p, so divide by (1 − p).",
             when=lambda g, w: abs(p - 0.5) > 1e-9 and near(1 / p)(g, w)),
    ]


# ----------------------------------------------------------------------------------------------- exact properties
@pytest.mark.core("dropout_layer")
def test_survivors_are_scaled_by_one_over_keep_probability(kata, stat_seed):
    """every element is either 0 (dropped) or exactly X/(1 − p) (kept)"""
    for k, p in enumerate(PS):
        X = torch.randn(40, 25, generator=_gen(1000 * 1 + 10 * k + stat_seed))
        inputs = {"X": X, "p": p, "generator": "torch.Generator().manual_seed(...)"}
        prop = "dropout_layer(X, p) is 0 or X/(1 − p) elementwise"
        hints = _ratio_hints(X, p)
        got = _dropout(kata, X.clone(), p, prop, inputs, generator=_gen(1000 * 2 + 10 * k + stat_seed))
        expect_tensor(got, prop, inputs=inputs, shape=X.shape, dtype=torch.float32)
        kept = got != 0
        # 1000 elements, each kept with probability 1 − p ≥ 0.2: P(none kept) ≤ 0.8^1000 ≈ 1e-97
        expect(bool(kept.any()), "some elements survive dropout (each is kept with probability 1 − p)",
               inputs=inputs, expected="about (1 − p)·1000 nonzero elements", got=got,
               hints=["keep an element when rand > p (probability 1 − p); everything was dropped."])
        want = torch.where(kept, X.double() / (1 - p), torch.zeros((), dtype=torch.float64))
        # mask·X/(1 − p), X·(1/(1 − p)) or a float64 draw differ by ~2 float32 roundings: rtol 1e-6
        expect_close(got, want, prop, inputs=inputs, atol=0.0, rtol=1e-6, hints=hints)


@settings(max_examples=25)
@given(X=st.integers(1, 3).flatmap(lambda nd: tensors(shapes(nd, 1, 6), torch.float32, -100.0, 100.0)),
       p=st.sampled_from([0.0, 0.2, 0.5, 0.75, 0.9, 1.0]), seed=seeds())
@example(X=torch.tensor([[1.0, -2.0, 0.0], [3.0, 4.0, -5.0]]), p=0.5, seed=0)
def test_any_shape_zero_or_scaled(kata, X, p, seed):
    """for any shape and p, each element of dropout_layer(X, p) is 0 or X/(1 − p), with X's shape and dtype"""
    inputs = {"X": X, "p": p, "generator": f"torch.Generator().manual_seed({seed})"}
    prop = "dropout_layer(X, p) has X's shape and dtype, and each element is 0 or X/(1 − p)"
    got = _dropout(kata, X.clone(), p, prop, inputs, generator=_gen(seed))
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, dtype=torch.float32,
                  hints=["build the mask with X's shape and dtype: (torch.rand(X.shape, generator=generator) > p)"
                         ".to(X.dtype)."])
    if p == 1.0:
        want = torch.zeros_like(X, dtype=torch.float64)
    else:
        want = torch.where(got != 0, X.double() / (1 - p), torch.zeros((), dtype=torch.float64))
    expect_close(got, want, prop, inputs=inputs, atol=1e-30, rtol=1e-6,
                 hints=_ratio_hints(X, p) if 0 < p < 1 else [
                     Hint("p = 1 drops everything: return zeros (mask·X/(1 − p) is 0/0 = NaN).",
                          when=lambda g, w: p == 1.0),
                     Hint("p = 0 keeps everything: return X.", when=lambda g, w: p == 0.0)])


def test_p_one_drops_everything_and_p_zero_keeps_everything(kata):
    """p = 1 gives exact zeros (no 0/0 NaN); p = 0 gives X"""
    X = torch.randn(6, 5, generator=_gen(7))
    inputs = {"X": X, "p": 1.0}
    got = _dropout(kata, X.clone(), 1.0, "dropout_layer(X, 1) is all zeros", inputs, generator=_gen(8))
    expect_tensor(got, "dropout_layer(X, 1) is all zeros", inputs=inputs, shape=X.shape)
    expect(bool((got == 0).all()), "dropout_layer(X, 1) is all zeros (no NaN)", inputs=inputs,
           expected=torch.zeros_like(X), got=got,
           hints=[Hint("NaN: with p = 1 every element is dropped and mask·X/(1 − p) = 0/0. Handle p = 1 first: "
                       "return torch.zeros_like(X).",
                       when=lambda g, w: isinstance(g, torch.Tensor) and bool(g.isnan().any()))])
    inputs = {"X": X, "p": 0.0}
    got = _dropout(kata, X.clone(), 0.0, "dropout_layer(X, 0) = X", inputs, generator=_gen(9))
    expect_equal(got, X, "dropout_layer(X, 0) = X (nothing is dropped)", inputs=inputs,
                 hints=["with p = 0 keep everything: mask = rand > 0 can drop an element whose uniform draw is "
                        "exactly 0; return X when p == 0."])


def test_eval_mode_is_the_identity(kata):
    """with training=False, dropout_layer(X, p) = X"""
    X = torch.randn(5, 4, generator=_gen(11))
    for p in (0.0, 0.5, 1.0):
        inputs = {"X": X, "p": p, "training": False}
        got = _dropout(kata, X.clone(), p, "dropout_layer(X, p, training=False) = X", inputs, training=False,
                       generator=_gen(12))
        expect_equal(got, X, "dropout_layer(X, p, training=False) = X (dropout is off in evaluation)", inputs=inputs,
                     hints=["check `training` first: in evaluation (training=False) return X unchanged — the "
                            "1/(1 − p) scaling during training is what makes this possible."])


def test_rejects_p_outside_unit_interval(kata):
    """p outside [0, 1] raises ValueError, in training and in evaluation"""
    X = torch.ones(2, 3)
    for p in (-0.1, 1.5, 2.0, -1.0):
        for training in (True, False):
            with expect_raises(ValueError, "dropout_layer raises ValueError for p outside [0, 1]",
                               inputs={"X": X, "p": p, "training": training},
                               hints=["validate first, before looking at `training`: "
                                      "`if not 0 <= p <= 1: raise ValueError(...)`."]):
                kata.dropout_layer(X.clone(), p, training=training, generator=_gen(13))


def test_float64_input_unchanged_and_differentiable(kata):
    """X is not modified, float64 stays float64, and the gradient is mask/(1 − p)"""
    X = _positive((8, 6), 21).double().requires_grad_(True)
    X0 = X.detach().clone()
    p = 0.25
    inputs = {"X": X0, "p": p}
    got = _dropout(kata, X, p, "dropout_layer keeps X's dtype", inputs, generator=_gen(22))
    expect_tensor(got, "dropout_layer(X, p) has X's shape and dtype (float64 in, float64 out)", inputs=inputs,
                  shape=X.shape, dtype=torch.float64,
                  hints=["build the mask with X's dtype: (torch.rand(...) > p).to(X.dtype)."])
    expect_equal(X.detach(), X0, "dropout_layer leaves X unchanged (it returns a new tensor)", inputs=inputs,
                 hints=["no in-place ops on X (X *= mask, X[mask] = 0): compute mask * X / (1 − p) into a new tensor."])
    expect(got.requires_grad, "dropout_layer is differentiable (gradients flow to the survivors)", inputs=inputs,
           expected="an output with requires_grad=True", got=f"requires_grad={got.requires_grad}",
           hints=["build the output from X with tensor operations (mask * X / (1 − p)), outside torch.no_grad()."])
    (grad,) = torch.autograd.grad(got.sum(), X)
    want = (got.detach() != 0).double() / (1 - p)
    g_kept = grad[got.detach() != 0]
    expect_close(grad, want, "∂ Σ dropout_layer(X, p) / ∂X = mask/(1 − p)", inputs=inputs, atol=1e-12, rtol=1e-12,
                 hints=[Hint(f"the survivors' gradient is (1 − p) = {1 - p:g}: you multiply by (1 − p); inverted "
                             "dropout divides by it (out = mask·X/(1 − p)).",
                             when=lambda g, w: g_kept.numel() > 0 and bool(((g_kept - (1 - p)).abs() < 1e-9).all()))])


# ----------------------------------------------------------------------------------------------- statistics
@pytest.mark.core("dropout_layer")
def test_fraction_of_zeros_is_p(kata, stat_seed):
    """the fraction of dropped elements is p (within 5σ)"""
    shape = (100, 50)
    N = shape[0] * shape[1]
    for k, p in enumerate(PS):
        X = _positive(shape, 1000 * 3 + 10 * k + stat_seed)
        inputs = {"X": f"{shape} entries in [1, 2)", "p": p}
        got = _dropout(kata, X.clone(), p, "dropout_layer drops a fraction p", inputs,
                       generator=_gen(1000 * 4 + 10 * k + stat_seed))
        expect_tensor(got, "dropout_layer(X, p) has X's shape", inputs=inputs, shape=shape)
        frac = float((got == 0).double().mean())
        # the number of zeros is Binomial(N, p): σ of the fraction = √(p(1 − p)/N) (≤ 0.0071 for N = 5000)
        tol = 5 * math.sqrt(p * (1 - p) / N)
        expect(abs(frac - p) <= tol, f"the fraction of zeros is p = {p} (± {tol:.3g}, 5σ)", inputs=inputs,
               expected=f"{p} ± {tol:.3g}", got=frac, hints=[
                   Hint(f"about 1 − p = {1 - p:g} of the elements were dropped: you keep with probability p. Keep "
                        "when rand > p (probability 1 − p), drop otherwise.",
                        when=lambda g, w: abs(frac - (1 - p)) <= tol),
                   Hint("nothing was dropped: the mask must be 0 with probability p.", when=lambda g, w: frac == 0.0),
                   Hint("draw one uniform per element (torch.rand(X.shape, generator=generator)) and drop the "
                        "element when it is ≤ p: then each element is dropped with probability p, independently.",
                        when=lambda g, w: frac != 0.0 and abs(frac - (1 - p)) > tol),
               ])


@pytest.mark.core("dropout_layer")
def test_mean_is_preserved(kata, stat_seed):
    """E[dropout_layer(X, p)] = X: the sum of the output equals the sum of X (within 5σ)"""
    for k, p in enumerate((0.2, 0.5, 0.8)):
        X = torch.randn(100, 50, generator=_gen(1000 * 5 + 10 * k + stat_seed)) + 1.0
        inputs = {"X": "(100, 50), N(1, 1)", "p": p, "Σ X": float(X.double().sum())}
        got = _dropout(kata, X.clone(), p, "dropout_layer preserves the mean", inputs,
                       generator=_gen(1000 * 6 + 10 * k + stat_seed))
        expect_tensor(got, "dropout_layer(X, p) has X's shape", inputs=inputs, shape=X.shape)
        total = float(got.double().sum())
        # out_i = X_i·m_i/(1 − p) with m_i ~ Bernoulli(1 − p): Var(out_i) = X_i²·p/(1 − p); the sum's σ is
        # √(p/(1 − p)·Σ X_i²)
        want = float(X.double().sum())
        tol = 5 * math.sqrt(p / (1 - p) * float((X.double() ** 2).sum()))
        if not abs(total - want) <= tol:
            fail(f"Σ dropout_layer(X, p) = Σ X (± {tol:.4g}, 5σ): dropout keeps the expected value", inputs=inputs,
                 expected=f"{want:.6g} ± {tol:.4g}", got=total, hint_got=got, hint_expected=None,
                 hints=_ratio_hints(X, p) + [
                     Hint("the expected value changed: keep each element with probability 1 − p and divide the "
                          "survivors by (1 − p).")])


def _agreement(a, b):
    return float((a == b).double().mean())


def test_masks_are_independent_per_element(kata, stat_seed):
    """each element gets its own mask entry: no mask shared across rows, columns or calls"""
    p = 0.5
    shape = (40, 10, 20)
    X = torch.ones(shape)
    inputs = {"X": f"torch.ones{shape}", "p": p}
    g = _gen(1000 * 7 + stat_seed)
    prop = "dropout_layer draws an independent mask entry for every element"
    m1 = _dropout(kata, X.clone(), p, prop, inputs, generator=g)
    expect_tensor(m1, prop, inputs=inputs, shape=shape)
    m1 = m1 != 0
    # two independent Bernoulli(1/2) masks agree with probability 1/2; over n disjoint pairs the agreement rate has
    # σ = 0.5/√n (n = 4000 pairs between two halves: 5σ = 0.04). A mask shared along a dimension agrees 100%.
    for dim, name in ((0, "the first half of the rows (dim 0) vs the second half"),
                      (1, "the first half of dim 1 vs the second half"),
                      (2, "the first half of the columns (last dim) vs the second half")):
        a, b = m1.chunk(2, dim=dim)
        n = a.numel()
        rate, tol = _agreement(a, b), 5 * 0.5 / math.sqrt(n)
        expect(abs(rate - 0.5) <= tol, f"with p = 0.5, the masks of {name} agree on half the elements (± {tol:.2g})",
               inputs=inputs, expected=f"0.5 ± {tol:.2g}", got=rate, hints=[
                   Hint(f"the mask repeats along dim {dim}: the same mask is used for every "
                        f"{'example (row)' if dim == 0 else 'slice'}. Draw one uniform per element: "
                        "torch.rand(X.shape, generator=generator) — not torch.rand(X.shape[1:]) or one per row.",
                        when=lambda g_, w: rate > 0.9)])
    m2 = _dropout(kata, X.clone(), p, prop, inputs, generator=g) != 0
    rate, tol = _agreement(m1, m2), 5 * 0.5 / math.sqrt(m1.numel())
    expect(abs(rate - 0.5) <= tol, f"two calls with the same generator draw new masks (agreement 0.5 ± {tol:.2g})",
           inputs=inputs, expected=f"0.5 ± {tol:.2g}", got=rate,
           hints=[Hint("the same mask on every call: draw from the generator you are given (it advances), don't "
                       "re-seed it or build a fresh generator inside dropout_layer.", when=lambda g_, w: rate > 0.9)])


@pytest.mark.core("dropout_layer")
def test_reproducible_with_generator(kata, stat_seed):
    """two identically seeded generators give identical outputs, whatever the global RNG does in between"""
    X = torch.randn(30, 20, generator=_gen(1000 * 8 + stat_seed))
    seed = 1000 * 9 + stat_seed
    inputs = {"X": X, "p": 0.5, "generator": f"torch.Generator().manual_seed({seed}), twice"}
    prop = "dropout_layer(X, p, generator=g) depends only on g's seed"
    _scramble(1)
    a = _dropout(kata, X.clone(), 0.5, prop, inputs, generator=_gen(seed))
    _scramble(2)
    b = _dropout(kata, X.clone(), 0.5, prop, inputs, generator=_gen(seed))
    expect_tensor(a, prop, inputs=inputs, shape=X.shape)
    expect_equal(b, a, prop + " (the global RNG was reseeded between the two calls)", inputs=inputs,
                 hints=["draw the mask with the generator: torch.rand(X.shape, generator=generator, "
                        "device=X.device). torch.rand(X.shape) alone uses the global RNG."])
    _scramble(1)
    c = _dropout(kata, X.clone(), 0.5, prop, inputs, generator=_gen(seed + 1))
    expect(not torch.equal(a, c), "dropout_layer(X, p, generator=g): differently seeded generators give different "
           "masks", inputs={**inputs, "generator": f"manual_seed({seed}) and manual_seed({seed + 1})"},
           expected="two different masks", got="the same mask twice",
           hints=["every draw must come from `generator`; do not create or reseed a generator of your own."])


# ----------------------------------------------------------------------------------------------- DropoutMLP
SIZES = dict(num_inputs=20, num_outputs=5, num_hiddens1=12, num_hiddens2=8)
LAYER_SHAPES = [(20, 12), (12, 8), (8, 5)]      # (in, out) of the three linear layers; all sizes distinct


def _make_net(kata, **kw):
    try:
        return kata.DropoutMLP(**{**SIZES, **kw})
    except TypeError as e:
        fail("DropoutMLP(num_inputs, num_outputs, num_hiddens1, num_hiddens2, dropout1, dropout2) can be built",
             inputs={**SIZES, **kw}, expected="an nn.Module", got=f"TypeError: {e}",
             hints=["keep the signature DropoutMLP(num_inputs=784, num_outputs=10, num_hiddens1=256, "
                    "num_hiddens2=256, dropout1=0.2, dropout2=0.5), as d2l §4.6."])


def _layers(net):
    """[(W (in, out), b (out,)), ...] for the three linear layers, found among the parameters by their shapes."""
    params = [p.detach().double() for p in net.parameters()]
    found = []
    for n_in, n_out in LAYER_SHAPES:
        W = next((p.T for p in params if p.dim() == 2 and tuple(p.shape) == (n_out, n_in)), None)
        if W is None:
            W = next((p for p in params if p.dim() == 2 and tuple(p.shape) == (n_in, n_out)), None)
        b = next((p.reshape(-1) for p in params if p.numel() == n_out and max(p.shape, default=0) == n_out), None)
        if W is None or b is None:
            fail("DropoutMLP has three linear layers: num_inputs → num_hiddens1 → num_hiddens2 → num_outputs",
                 inputs=SIZES, expected="weights of shapes (12, 20), (8, 12), (5, 8) (or transposed) and biases "
                 "(12,), (8,), (5,)", got=f"parameters of shapes {[tuple(p.shape) for p in params]}",
                 hints=["self.lin1 = nn.Linear(num_inputs, num_hiddens1), self.lin2 = nn.Linear(num_hiddens1, "
                        "num_hiddens2), self.lin3 = nn.Linear(num_hiddens2, num_outputs)."])
        found.append((W, b))
    return found


def _oracle(layers, X, drop1=None, drop2=None):
    """The d2l §4.6 forward pass in float64; drop1/drop2 replace the hidden activations' dropout (None = off)."""
    (W1, b1), (W2, b2), (W3, b3) = layers
    H1 = torch.relu(X.reshape(len(X), -1).double() @ W1 + b1)
    if drop1 is not None:
        H1 = drop1(H1)
    H2 = torch.relu(H1 @ W2 + b2)
    if drop2 is not None:
        H2 = drop2(H2)
    return H2 @ W3 + b3, H2


def _forward(net, X, prop, inputs):
    try:
        return net(X)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected="logits of shape (n, num_outputs)", got=f"RuntimeError: {e}",
             hints=[Hint("flatten each example first: X.reshape(-1, num_inputs) (d2l's images are (n, 1, 28, 28)).",
                         when=lambda g, w: "shape" in str(g) or "size" in str(g))])


def test_mlp_default_architecture(kata):
    """DropoutMLP() is d2l's 784 → 256 → 256 → 10 net and maps (n, 1, 28, 28) images to (n, 10) logits"""
    net = kata.DropoutMLP()
    expect(is_instance(net, torch.nn.Module), "DropoutMLP is an nn.Module", expected="an nn.Module instance",
           got=type_name(net), hints=["class DropoutMLP(nn.Module): call super().__init__() first."])
    count = sum(p.numel() for p in net.parameters())
    want = 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10
    expect_equal(count, want, "DropoutMLP() has the parameters of Linear(784, 256), Linear(256, 256), "
                 "Linear(256, 10)", inputs={"defaults": "num_inputs=784, num_outputs=10, num_hiddens1=256, "
                                             "num_hiddens2=256"},
                 hints=["three nn.Linear layers (weights and biases), registered as attributes of the module so "
                        "that net.parameters() finds them."])
    X = torch.rand(3, 1, 28, 28, generator=_gen(31))
    net.eval()
    inputs = {"X": "(3, 1, 28, 28) images", "mode": "net.eval()"}
    out = _forward(net, X, "DropoutMLP()(X) maps (3, 1, 28, 28) to (3, 10)", inputs)
    expect_tensor(out, "DropoutMLP()(X) maps (3, 1, 28, 28) images to (3, 10) logits", inputs=inputs, shape=(3, 10))


@pytest.mark.core("DropoutMLP")
def test_mlp_eval_is_the_plain_mlp(kata):
    """in eval() the forward pass is deterministic and equals the MLP without dropout (flatten, ReLU, ReLU, linear)"""
    torch.manual_seed(0)
    net = _make_net(kata, dropout1=0.3, dropout2=0.6)
    X = torch.randn(6, 4, 5, generator=_gen(32))          # 20 inputs per example, flattened by the net
    inputs = {**SIZES, "dropout1": 0.3, "dropout2": 0.6, "X": "(6, 4, 5), N(0, 1)", "mode": "net.eval()"}
    net.eval()
    prop = "in eval(), DropoutMLP(X) = lin3(relu(lin2(relu(lin1(flatten(X))))))"
    with torch.no_grad():
        a = _forward(net, X.clone(), prop, inputs)
        torch.rand(5)
        b = _forward(net, X.clone(), prop, inputs)
    want, _ = _oracle(_layers(net), X)
    hints = [Hint("in eval() dropout must be off: pass self.training (or check it) so that dropout_layer returns its "
                  "input; net.eval() sets self.training = False.",
                  when=lambda g, w: isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                  and a.shape == b.shape and not torch.equal(a, b))]
    expect_tensor(a, prop, inputs=inputs, shape=(6, 5), hints=hints)
    expect_equal(b, a, "in eval(), two forward passes give the same output (no dropout)", inputs=inputs, hints=hints)
    expect_close(a, want, prop, inputs=inputs, atol=1e-5, rtol=1e-5, hints=hints + [
        "d2l §4.6: H1 = relu(lin1(X.reshape(-1, num_inputs))), H2 = relu(lin2(H1)), out = lin3(H2) (no activation "
        "on the output)."])
    X2 = torch.randn(3, 20, generator=_gen(34)) * 3.0     # other examples, another batch size
    with torch.no_grad():
        c = _forward(net, X2.clone(), prop, {**inputs, "X": "(3, 20), 3·N(0, 1)"})
    want2, _ = _oracle(_layers(net), X2)
    expect_close(c, want2, prop, inputs={**inputs, "X": "(3, 20), 3·N(0, 1)"}, atol=1e-5, rtol=1e-5, hints=hints)


def test_mlp_dropout_sits_after_each_hidden_layer(kata):
    """in train(), dropout1 acts on the first hidden layer and dropout2 on the second (checked with p = 1 and p = 0)"""
    X = torch.randn(4, 20, generator=_gen(33))
    cases = [
        (0.0, 0.0, "no dropout: the plain MLP", lambda L: _oracle(L, X)[0]),
        (0.0, 1.0, "dropout2 = 1 zeroes the second hidden layer: every row is lin3's bias",
         lambda L: _oracle(L, X, drop2=torch.zeros_like)[0]),
        (1.0, 0.0, "dropout1 = 1 zeroes the first hidden layer: every row is lin3(relu(lin2's bias))",
         lambda L: _oracle(L, X, drop1=torch.zeros_like)[0]),
    ]
    for d1, d2, what, oracle in cases:
        torch.manual_seed(0)
        net = _make_net(kata, dropout1=d1, dropout2=d2)
        net.train()
        inputs = {**SIZES, "dropout1": d1, "dropout2": d2, "X": X, "mode": "net.train()"}
        prop = f"in train() with dropout1 = {d1:g}, dropout2 = {d2:g}: {what}"
        with torch.no_grad():
            got = _forward(net, X.clone(), prop, inputs)
        want = oracle(_layers(net))
        expect_close(got, want, prop, inputs=inputs, atol=1e-5, rtol=1e-5, hints=[
            Hint("dropout goes after each hidden activation: H1 = dropout_layer(relu(lin1(X)), dropout1), "
                 "H2 = dropout_layer(relu(lin2(H1)), dropout2), out = lin3(H2) — not on the input, not on the output, "
                 "and dropout1 belongs to the first hidden layer.", when=lambda g, w: d1 + d2 > 0),
            Hint("in train() mode apply dropout with self.dropout1 / self.dropout2 (and only in train mode).",
                 when=lambda g, w: d1 + d2 == 0)])


def test_mlp_train_mode_is_random_and_unbiased(kata, stat_seed):
    """in train(), outputs vary between passes, and their average over many masks is the eval() output (5σ)"""
    torch.manual_seed(1000 * 10 + stat_seed)
    p = 0.5
    net = _make_net(kata, dropout1=0.0, dropout2=p)
    x = torch.randn(2, 20, generator=_gen(1000 * 11 + stat_seed))
    R = 1000
    X = x.repeat(R, 1)                                  # (2R, 20): R copies of each example, each its own masks
    inputs = {**SIZES, "dropout1": 0.0, "dropout2": p, "X": f"2 examples, repeated {R} times", "mode": "net.train()"}
    net.train()
    with torch.no_grad():
        out = _forward(net, X, "DropoutMLP works in train()", inputs)
    expect_tensor(out, "in train(), DropoutMLP(X) has shape (n, num_outputs)", inputs=inputs, shape=(2 * R, 5))
    out = out.double().reshape(R, 2, 5)
    spread = float(out.std(dim=0).max())
    expect(spread > 0, "in train(), copies of the same example get different dropout masks", inputs=inputs,
           expected="different outputs for identical rows", got="identical outputs",
           hints=["apply dropout in training mode (self.training is True after net.train()), with a fresh mask "
                  "entry for every element."])
    layers = _layers(net)
    want, H2 = _oracle(layers, x)
    W3 = layers[2][0]
    # out_k = b3_k + Σ_j H2_j·W3_jk·m_j/(1 − p), m_j ~ Bernoulli(1 − p): Var = p/(1 − p)·Σ_j (H2_j·W3_jk)²;
    # the mean of R independent passes has σ = √(Var/R)
    sigma = torch.sqrt(p / (1 - p) * ((H2.unsqueeze(2) * W3.unsqueeze(0)) ** 2).sum(dim=1) / R)   # (2, 5)
    err = (out.mean(dim=0) - want).abs()
    bad = err > 5 * sigma + 1e-5        # + float32 rounding of the learner's logits
    if bool(bad.any()):
        fail(f"in train(), the average of {R} passes equals the eval() output (± 5σ)", inputs=inputs,
             expected=want, got=out.mean(dim=0),
             detail=f"{int(bad.sum())} of 10 averages are more than 5σ away (largest |error|/σ = "
                    f"{float((err / sigma).max()):.3g})",
             hints=["scale the survivors by 1/(1 − p) (not (1 − p)) so that dropout keeps the expected activation, "
                    "and draw a new mask entry for every element (each row of a batch gets its own mask)."])
