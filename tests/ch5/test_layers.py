"""Graders for ch5/layers.py (MySequential, count_parameters, CenteredLayer, MyLinear).

Oracles: nn.Sequential built from the same blocks, nn.Linear carrying the learner's parameters (weight transposed),
autograd on that oracle, closed-form parameter counts, X − X.mean() in float64. MyLinear's N(0, 1) initialisation
is checked statistically (global RNG seeded from ``stat_seed``; d2l's MyLinear takes no generator): the mean of
n = 20 000 standard-normal draws has sd 1/√n and their variance sd √(2/n); 5σ bounds (~3.5% on the variance).
"""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import (Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail, is_subclass,
                          same_object, scale_atol)
from tests.shippable import Scale, Shift
from tests.strategies import tensors
from tests.helpers import seed_global as _seed_global

Z = 5.0


# ----------------------------------------------------------------------------------------------- blocks for the nets
# Scale and Shift (blocks handed to MySequential) live in tests/shippable.py.
def _linear(i, o, seed):
    """nn.Linear(i, o) with weights from a seeded generator (no dependence on the global RNG)."""
    g = torch.Generator().manual_seed(seed)
    layer = nn.Linear(i, o)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(o, i, generator=g) * 0.5)
        layer.bias.copy_(torch.randn(o, generator=g) * 0.5)
    return layer


def _blocks(spec):
    """Blocks from a spec: ("scale", c), ("shift", c), ("relu",), ("linear", in, out, seed)."""
    out = []
    for s in spec:
        if s[0] == "scale":
            out.append(Scale(s[1]))
        elif s[0] == "shift":
            out.append(Shift(s[1]))
        elif s[0] == "relu":
            out.append(nn.ReLU())
        else:
            out.append(_linear(*s[1:]))
    return out


def _make(kata, blocks, what):
    """kata.MySequential(*blocks), a construction error reported as a failure."""
    try:
        return kata.MySequential(*blocks)
    except (TypeError, AttributeError) as e:
        fail("MySequential(*blocks) builds a container from any number of blocks", inputs={"blocks": what},
             expected="a MySequential", got=f"{type(e).__name__}: {e}",
             hints=["def __init__(self, *blocks): super().__init__() first, then register each block."])


PLAIN_LIST_HINT = Hint("the blocks are not registered: a Python list (self.blocks = [...]) hides them from "
                       "parameters(), state_dict(), to() and apply(). Register each one: self.add_module(str(i), "
                       "block) (or self._modules[str(i)] = block).")


def _forbidden_base(kata):
    """MySequential must not inherit from nn.Sequential / nn.ModuleList (the static scan reads only the class body)."""
    cls = kata.MySequential
    for base in (nn.Sequential, nn.ModuleList):
        expect(not is_subclass(cls, base), "MySequential is built on nn.Module, not on nn.Sequential/nn.ModuleList",
               expected="class MySequential(nn.Module)", got=f"MySequential inherits from {base.__name__}",
               hints=["`nn.Sequential` and `nn.ModuleList` are not allowed in MySequential (neither to wrap nor to "
                      "inherit from): register and run the blocks yourself."])


# ----------------------------------------------------------------------------------------------- MySequential
def test_mysequential_registers_blocks_in_order(kata):
    """MySequential registers its blocks as children "0", "1", … so that parameters() and state_dict() see them"""
    _forbidden_base(kata)
    blocks = _blocks([("linear", 3, 4, 1), ("relu",), ("linear", 4, 2, 2)])
    what = "nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)"
    net = _make(kata, blocks, what)
    inputs = {"net": f"MySequential({what})"}
    children = list(net.named_children())
    expect([n for n, _ in children] == ["0", "1", "2"] and all(same_object(c, b) for (_, c), b in zip(children, blocks)),
           "the blocks are registered as child modules named '0', '1', '2', in order", inputs=inputs,
           expected=["0", "1", "2"], got=[n for n, _ in children],
           hints=[Hint(PLAIN_LIST_HINT.text, when=lambda g, w: g == []),
                  Hint("name the children by their position: str(0), str(1), … (nn.Sequential's convention; "
                       "the state_dict keys become '0.weight', …).", when=lambda g, w: g and g != w)])
    params = list(net.parameters())
    want = [blocks[0].weight, blocks[0].bias, blocks[2].weight, blocks[2].bias]
    expect(len(params) == 4 and all(same_object(p, q) for p, q in zip(params, want)),
           "net.parameters() yields the blocks' parameters, in order", inputs=inputs,
           expected="[0.weight, 0.bias, 2.weight, 2.bias]", got=f"{len(params)} parameter(s)", hints=[PLAIN_LIST_HINT])
    keys = list(net.state_dict().keys())
    expect(keys == ["0.weight", "0.bias", "2.weight", "2.bias"], "net.state_dict() has keys '0.weight', '0.bias', …",
           inputs=inputs, expected=["0.weight", "0.bias", "2.weight", "2.bias"], got=keys, hints=[PLAIN_LIST_HINT])


BLOCK = st.one_of(st.tuples(st.just("scale"), st.sampled_from([2.0, -1.0, 0.5])),
                  st.tuples(st.just("shift"), st.sampled_from([1.0, -3.0, 0.25])),
                  st.tuples(st.just("relu")))


@pytest.mark.core("MySequential")
@settings(max_examples=15)
@given(spec=st.lists(BLOCK, min_size=0, max_size=5),
       X=tensors(st.tuples(st.integers(1, 3), st.integers(1, 4)), torch.float32, -4, 4))
@example(spec=[("shift", 1.0), ("scale", 2.0)], X=torch.tensor([[0.0, 1.0]]))
@example(spec=[("scale", -1.0), ("relu",), ("shift", 0.25)], X=torch.tensor([[1.0, -2.0, 0.5]]))
@example(spec=[], X=torch.tensor([[1.0, -2.0]]))
def test_mysequential_forward_matches_nn_sequential(kata, spec, X):
    """MySequential(*blocks)(X) runs the blocks in order, like nn.Sequential(*blocks)(X) (no blocks: X)"""
    what = ", ".join(repr(b) for b in _blocks(spec))
    net = _make(kata, _blocks(spec), what)
    want = nn.Sequential(*_blocks(spec))(X.clone())
    inputs = {"net": f"MySequential({what})", "X": X}
    got = net(X.clone())
    rev = nn.Sequential(*_blocks(spec)[::-1])(X.clone())
    expect_close(got, want, "MySequential(*blocks)(X) feeds X through the blocks in order", inputs=inputs,
                 atol=1e-6, rtol=1e-6,
                 hints=[Hint("the blocks ran in reverse order: iterate from the first block to the last.",
                             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape
                             and torch.allclose(g, rev, atol=1e-6))])


def test_mysequential_forward_through_layers(kata):
    """MySequential(Linear, ReLU, Linear)(X) equals nn.Sequential of the same layers, gradients included"""
    spec = [("linear", 5, 8, 3), ("relu",), ("linear", 8, 3, 4)]
    X = torch.linspace(-2, 2, 20).reshape(4, 5)
    blocks = _blocks(spec)
    net = _make(kata, blocks, "nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)")
    inputs = {"net": "MySequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))", "X": X}
    oracle = nn.Sequential(*_blocks(spec))
    got = net(X)
    want = oracle(X)
    expect_close(got, want, "MySequential(Linear, ReLU, Linear)(X) = nn.Sequential(…)(X)", inputs=inputs,
                 atol=scale_atol(want), rtol=1e-5)
    got.sum().backward()
    want.sum().backward()
    params = list(net.parameters())       # the blocks' own parameters (under the sandbox: the worker's copies)
    first = params[0] if params else blocks[0].weight
    expect(first.grad is not None, "net(X).sum().backward() fills the first layer's weight.grad",
           inputs=inputs, expected="a gradient", got=None, hints=[PLAIN_LIST_HINT])
    expect_close(first.grad, oracle[0].weight.grad, "gradients reach the blocks' parameters "
                 "(net[0].weight.grad, the notes)", inputs=inputs, atol=1e-5, rtol=1e-5)


@settings(max_examples=8)
@given(n=st.integers(1, 6))
def test_mysequential_indexing_and_len(kata, n):
    """net[i] is the i-th block (negative i from the end), len(net) the number of blocks"""
    blocks = _blocks([("scale", float(i + 1)) for i in range(n)])
    what = ", ".join(repr(b) for b in blocks)
    net = _make(kata, blocks, what)
    inputs = {"net": f"MySequential({what})"}
    expect_equal(len(net), n, "len(net) is the number of blocks", inputs=inputs,
                 hints=["__len__ returns len(self._modules) (the registered children)."])
    for i in range(-n, n):
        prop = f"net[{i}] is block {i % n} (negative indices count from the end)"
        hints = [Hint("a negative index counts from the end: net[-1] is the last block. "
                      "list(self._modules.values())[idx] handles both.", when=lambda g, w: i < 0)]
        try:
            got = net[i]
        except (KeyError, IndexError, TypeError) as e:
            fail(prop, inputs={**inputs, "i": i}, expected=repr(blocks[i]), got=f"{type(e).__name__}: {e}",
                 hints=hints)
        expect(same_object(got, blocks[i]), prop, inputs={**inputs, "i": i}, expected=repr(blocks[i]), got=repr(got),
               hints=hints)
    with expect_raises(IndexError, f"net[{n}] (one past the end) raises IndexError", inputs=inputs,
                       hints=["index a list of the blocks (list(self._modules.values())[idx]): it raises "
                              "IndexError past the end, as nn.Sequential does."]):
        net[n]
    expect_equal(len(_make(kata, [], "")), 0, "len(MySequential()) is 0", inputs={"net": "MySequential()"})


# ----------------------------------------------------------------------------------------------- count_parameters
class Arch:
    """A small MLP described by widths, with frozen layers, an optional BatchNorm and an optional shared layer.

    Its trainable element count is computed in closed form (the oracle)."""

    def __init__(self, widths, frozen, batchnorm, shared):
        self.widths, self.frozen, self.batchnorm, self.shared = widths, frozen, batchnorm, shared

    def build(self):
        layers = []
        for i, (a, b) in enumerate(zip(self.widths, self.widths[1:])):
            lin = nn.Linear(a, b)
            if i in self.frozen:
                lin.requires_grad_(False)
            layers.append(lin)
            if self.batchnorm and i == 0:
                layers.append(nn.BatchNorm1d(b))
            layers.append(nn.ReLU())
        if self.shared:                    # d2l §5.2.3: the same layer twice
            w = self.widths[-1]
            tied = nn.Linear(w, w)
            layers += [tied, nn.ReLU(), tied]
        return nn.Sequential(*layers)

    def count(self):
        total = sum(a * b + b for i, (a, b) in enumerate(zip(self.widths, self.widths[1:])) if i not in self.frozen)
        if self.batchnorm:
            total += 2 * self.widths[1]
        if self.shared:
            total += self.widths[-1] ** 2 + self.widths[-1]
        return total

    def tensors(self, frozen_too=False):
        n = sum(2 for i in range(len(self.widths) - 1) if frozen_too or i not in self.frozen)
        return n + 2 * self.batchnorm + 2 * self.shared

    def __repr__(self):
        return (f"MLP widths {self.widths}, frozen layers {sorted(self.frozen)}, "
                f"BatchNorm after layer 0: {self.batchnorm}, shared Linear used twice: {self.shared}")


@st.composite
def archs(draw):
    widths = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    frozen = set(draw(st.lists(st.integers(0, len(widths) - 2), max_size=2)))
    return Arch(widths, frozen, draw(st.booleans()), draw(st.booleans()))


@pytest.mark.core("count_parameters")
@settings(max_examples=20)
@given(arch=archs())
@example(arch=Arch([20, 256, 10], set(), False, False))
@example(arch=Arch([4, 8, 3], {0}, True, True))
def test_count_parameters(kata, arch):
    """count_parameters(net) = the number of elements of the trainable parameters (frozen ones excluded, shared once)"""
    net = arch.build()
    want = arch.count()
    inputs = {"net": repr(arch)}
    got = kata.count_parameters(net)
    frozen_count = sum(p.numel() for p in set(net.parameters()))
    state = net.state_dict()
    state_counts = {sum(v.numel() for v in state.values()),
                    sum(v.numel() for k, v in state.items() if not k.endswith("num_batches_tracked"))}
    per_child = sum(p.numel() for m in net for p in m.parameters() if p.requires_grad)
    hints = [
        Hint("return a Python int (int(...) or sum of p.numel()), not a tensor.",
             when=lambda g, w: isinstance(g, torch.Tensor)),
        Hint("count elements (p.numel()), not parameter tensors: nn.Linear(20, 256) has 20·256 + 256 = 5376.",
             when=lambda g, w: g in (arch.tensors(), arch.tensors(True))),
        Hint("frozen parameters (requires_grad=False) are not trainable: skip them (if p.requires_grad).",
             when=lambda g, w: arch.frozen and g == frozen_count),
        Hint("state_dict() also holds buffers (BatchNorm's running mean/variance, num_batches_tracked) and lists "
             "a shared parameter once per place it is used: count net.parameters() instead.",
             when=lambda g, w: g in state_counts),
        Hint("a parameter shared by two layers is one set of numbers: count it once (net.parameters() yields it "
             "once; looping over the layers sees it twice).", when=lambda g, w: arch.shared and g == per_child),
    ]
    expect(isinstance(got, int) and not isinstance(got, bool), "count_parameters returns a Python int",
           inputs=inputs, expected=want, got=f"{type(got).__name__}: {got!r}", hints=hints)
    expect_equal(got, want, "count_parameters(net) counts the elements of the parameters with requires_grad=True",
                 inputs=inputs, hints=hints)


# ----------------------------------------------------------------------------------------------- CenteredLayer
def _row_mean_hint(X):
    return [Hint("that is X minus each row's mean: CenteredLayer subtracts one number, the mean of all entries, "
                 "X.mean() (d2l §5.4.1).",
                 when=lambda g, w: X.dim() >= 2 and isinstance(g, torch.Tensor) and g.shape == X.shape
                 and torch.allclose(g.double(), X.double() - X.double().mean(dim=-1, keepdim=True), atol=1e-4)),
            Hint("that is X minus each column's mean: CenteredLayer subtracts the mean of all entries, X.mean().",
                 when=lambda g, w: X.dim() >= 2 and isinstance(g, torch.Tensor) and g.shape == X.shape
                 and torch.allclose(g.double(), X.double() - X.double().mean(dim=0, keepdim=True), atol=1e-4))]


@pytest.mark.core("CenteredLayer")
@settings(max_examples=20)
@given(X=tensors(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), torch.float32, -100, 100))
@example(X=torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
@example(X=torch.tensor([[1.0, 2.0], [3.0, 10.0]]))
def test_centered_layer(kata, X):
    """CenteredLayer()(X) = X − X.mean(), the mean over all entries (any shape)"""
    inputs = {"X": X}
    got = kata.CenteredLayer()(X.clone())
    want = X.double() - X.double().mean()
    expect_close(got, want, "CenteredLayer()(X) = X − X.mean()", inputs=inputs, atol=scale_atol(X), rtol=1e-5,
                 hints=_row_mean_hint(X))


def test_centered_layer_in_a_net(kata):
    """d2l §5.4.1: MySequential(nn.Linear(8, 128), CenteredLayer()) outputs have mean ≈ 0 and no parameters added"""
    layer = kata.CenteredLayer()
    lin = _linear(8, 128, 5)
    X = torch.linspace(-1, 1, 32).reshape(4, 8)
    Y = layer(lin(X))                     # = nn.Sequential(lin, layer)(X)
    inputs = {"net": "nn.Sequential(nn.Linear(8, 128), CenteredLayer())", "X": X}
    expect_close(float(Y.detach().double().mean()), 0.0, "the output of the centred net has mean 0", inputs=inputs,
                 atol=1e-5, rtol=0, hints=_row_mean_hint(lin(X).detach()))
    expect(len(list(layer.parameters())) == 0, "CenteredLayer has no parameters", inputs=inputs,
           expected="no parameters", got=[n for n, _ in layer.named_parameters()])


# ----------------------------------------------------------------------------------------------- MyLinear
def _oracle(layer, X):
    """nn.Linear carrying the learner's parameters (nn.Linear stores the transposed weight), then ReLU."""
    W, b = layer.weight.detach(), layer.bias.detach()
    lin = nn.Linear(W.shape[0], W.shape[1])
    with torch.no_grad():
        lin.weight.copy_(W.T)
        lin.bias.copy_(b)
    return lin, F.relu(lin(X))


def _make_linear(kata, i, u):
    layer = kata.MyLinear(i, u)
    inputs = {"layer": f"MyLinear({i}, {u})"}
    params = dict(layer.named_parameters())
    expect(set(params) == {"weight", "bias"}, "MyLinear has exactly two registered parameters, weight and bias",
           inputs=inputs, expected=["weight", "bias"], got=sorted(params),
           hints=["wrap both in nn.Parameter (self.bias = nn.Parameter(torch.randn(units))): a plain tensor "
                  "attribute is not a parameter, so parameters() and an optimizer never see it."])
    expect_tensor(layer.weight, "MyLinear's weight has shape (in_units, units)", inputs=inputs, shape=(i, u),
                  hints=[Hint("the weight is (in_units, units) so that forward is X @ weight (nn.Linear stores the "
                              "transpose, (out, in), and computes X @ weight.T).",
                              when=lambda g, w: tuple(layer.weight.shape) == (u, i))])
    expect_tensor(layer.bias, "MyLinear's bias has shape (units,)", inputs=inputs, shape=(u,))
    return layer


@pytest.mark.core("MyLinear")
@settings(max_examples=15)
@given(i=st.integers(1, 5), u=st.integers(1, 5), n=st.integers(1, 4), data=st.data())
@example(i=3, u=2, n=2, data=None)
def test_mylinear_forward(kata, i, u, n, data):
    """MyLinear(in_units, units)(X) = relu(X @ weight + bias), weight (in_units, units), bias (units,)"""
    layer = _make_linear(kata, i, u)
    X = (torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]) if data is None
         else data.draw(tensors((n, i), torch.float32, -3, 3), label="X"))
    _, want = _oracle(layer, X)
    inputs = {"layer": f"MyLinear({i}, {u}) (its own random weight and bias)", "X": X}
    got = layer(X.clone())
    lin = X @ layer.weight.detach() + layer.bias.detach()
    expect_close(got, want, "MyLinear(X) = relu(X @ weight + bias)", inputs=inputs,
                 atol=scale_atol(X, layer.weight.detach()) * i, rtol=1e-5,
                 hints=[Hint("negative outputs: apply the ReLU, F.relu(X @ weight + bias) (d2l's MyLinear ends "
                             "with one).", when=lambda g, w: isinstance(g, torch.Tensor) and bool((g < 0).any())
                             and g.shape == lin.shape and torch.allclose(g, lin, atol=1e-4))])


def test_mylinear_gradients(kata):
    """backward through MyLinear fills weight.grad and bias.grad (as nn.Linear's would be)"""
    _seed_global(0)
    layer = _make_linear(kata, 4, 3)
    X = torch.tensor([[1.0, -2.0, 0.5, 0.25], [0.0, 3.0, -1.0, 2.0], [0.5, 0.5, 0.5, -0.5]])
    inputs = {"layer": "MyLinear(4, 3)", "X": X, "loss": "(MyLinear(X) ** 2).sum()"}
    out = layer(X)
    data_hint = Hint("no gradient: forward used weight.data / bias.data (as d2l's book code does) or detach(), which "
                     "cut the graph. Use the parameters themselves: F.relu(X @ self.weight + self.bias).",
                     when=lambda g, w: g is None or g == "None")
    if not (isinstance(out, torch.Tensor) and out.requires_grad):
        fail("MyLinear(X) is connected to weight and bias in the autograd graph (so backward reaches them)",
             inputs=inputs, expected="an output with a grad_fn", got="an output that does not require grad",
             hints=[data_hint], hint_got=None)
    (out ** 2).sum().backward()
    lin, Y = _oracle(layer, X)
    (Y ** 2).sum().backward()
    for name, got, want in (("weight", layer.weight.grad, lin.weight.grad.T), ("bias", layer.bias.grad, lin.bias.grad)):
        if got is None:
            fail(f"backward fills MyLinear's {name}.grad (the notes: net[0].weight.grad)", inputs=inputs,
                 expected=f"a gradient of shape {tuple(want.shape)}", got="None", hints=[data_hint], hint_got=None)
        expect_close(got, want, f"MyLinear's {name}.grad equals autograd's through relu(X @ W + b)", inputs=inputs,
                     atol=1e-4, rtol=1e-5)


def test_mylinear_initialisation_is_standard_normal(kata, stat_seed):
    """MyLinear's weight and bias are drawn from N(0, 1) (torch.randn), as d2l's: mean 0, variance 1 (5σ)"""
    _seed_global(1000 * 7 + stat_seed)
    layer = _make_linear(kata, 200, 100)
    w = torch.cat([layer.weight.detach().reshape(-1), layer.bias.detach()]).double()
    n = w.numel()
    inputs = {"layer": "MyLinear(200, 100), global RNG seeded", "draws": n}
    hints = [Hint("torch.rand draws from U(0, 1) (mean 0.5, variance 1/12); N(0, 1) is torch.randn.",
                  when=lambda g, w_: abs(float(w.mean()) - 0.5) < 0.02),
             Hint("all equal: draw random N(0, 1) values (torch.randn), not zeros or ones.",
                  when=lambda g, w_: float(w.std()) == 0.0)]
    expect_close(float(w.mean()), 0.0, "MyLinear's parameters have mean 0 (N(0, 1))", inputs=inputs,
                 atol=Z / math.sqrt(n), rtol=0, hints=hints)
    expect_close(float(w.var()), 1.0, "MyLinear's parameters have variance 1 (N(0, 1))", inputs=inputs,
                 atol=Z * math.sqrt(2.0 / n), rtol=0, hints=hints)
