"""Graders for ch7/alexnet.py (alexnet).

Oracle: the book's AlexNet (d2l §7.1.2, PyTorch tab), written out below as ``book_alexnet``. Nothing is trained.

* Structure, parameter counts and shape tables: the learner's net is built on the ``meta`` device (47 million
  parameters in milliseconds, nothing drawn); its top-level children are compared with the book's (types and
  hyper-parameters, first difference shown), its parameters counted against the closed form, its shape table at
  224 px and the input sizes it accepts (exactly 193…224 px: a padding-0 first convolution gives the book's
  224-px table but no longer fits at 193 px) computed on meta.
* Same function (the core test): the net is never built on the CPU (drawing 47M weights costs ~0.6 s, and the two
  4096-wide layers hold 42M of them). Instead the learner's meta net gets He-normal float64 weights (the contract's
  technique 1: with PyTorch's default init a deep net's output barely depends on its input) for the 14 layers
  before the first Linear, loaded with ``load_state_dict(..., assign=True)`` (which materialises them on the CPU;
  ``to_empty`` would import sympy, +0.5 s), and the outputs after each of those layers are compared with the
  book's layers carrying the same weights, in float64 (atol 1e-8·(1 + max|expected|), rtol 1e-7: the same
  operations in another order differ by ~1e-15), at 224 px and at 193 px. The classifier (Linear/ReLU/Dropout)
  is graded by its structure, and its Dropout layers by what they do in train and eval mode.
"""
import pytest
import torch
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, fail, run_beside
from tests import nets
from tests import shippable_nets as probes
from tests.helpers import seed_global

FEATURES = 14          # children 0..13: the convolutional part and Flatten (everything before the first Linear)
DEFAULT_COUNT = 46_764_746


# ----------------------------------------------------------------------------------------------- the oracle
def book_alexnet(in_channels=1, num_classes=10):
    """d2l §7.1.2's net (the book hard-codes 1 and 10)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.Linear(6400, 4096), nn.ReLU(),
        nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(),
        nn.Dropout(p=0.5),
        nn.Linear(4096, num_classes))


def _meta(fn, *args, **kwargs):
    with torch.device("meta"):
        return fn(*args, **kwargs)


def book_count(in_channels=1, num_classes=10):
    """The closed form: 96·(121·c + 1) for the first convolution, the fixed middle, 4097·num_classes at the end."""
    return (96 * (121 * in_channels + 1) + 256 * (96 * 25 + 1) + 384 * (256 * 9 + 1) + 384 * (384 * 9 + 1)
            + 256 * (384 * 9 + 1) + 4096 * (6400 + 1) + 4096 * (4096 + 1) + num_classes * (4096 + 1))


def book_shapes(n=1, num_classes=10):
    """The book's shape table at 224 px (d2l §7.1.2)."""
    return [(n, 96, 54, 54)] * 2 + [(n, 96, 26, 26)] + [(n, 256, 26, 26)] * 2 + [(n, 256, 12, 12)] \
        + [(n, 384, 12, 12)] * 4 + [(n, 256, 12, 12)] * 2 + [(n, 256, 5, 5), (n, 6400)] + [(n, 4096)] * 6 \
        + [(n, num_classes)]


assert book_count() == DEFAULT_COUNT and book_count(3) == 46_787_978 and book_count(1, 100) == 47_133_476


def _build(kata, *args, **kwargs):
    return nets.build(kata, "alexnet", *args, device="meta", **kwargs)


# ----------------------------------------------------------------------------------------------- hints
def _is(desc, tname, **hyper):
    """A layer description (name, type, hyper, bias) of type ``tname`` whose hyper-parameters include ``hyper``."""
    if not desc or desc[1] != tname:
        return False
    h = nets._norm(desc[2])
    return all(h.get(k) == nets._norm({k: v})[k] for k, v in hyper.items())


def _first_conv(desc):
    return desc[0] if desc and desc[0][1] == "Conv2d" else None


def _layer_hint(text, when):
    """A hint for expect_structure, whose ``when`` sees the (got, want) layer descriptions at the first difference.
    (Local workaround: expect_structure hands the hints it selected to ``fail``, which asks ``when`` again with the
    rendered strings; a hint already selected must then still apply.)"""
    return Hint(text, when=lambda g, w: isinstance(g, str) or isinstance(w, str) or when(g, w))


def _structure_hints(in_channels=1, num_classes=10):
    """Hints for expect_structure: their ``when`` sees (got, want) layer descriptions at the first difference."""
    return [_layer_hint(h.text, h.when) for h in [
        Hint("the first convolution has padding=1 in the book (d2l §7.1.2). At 224 px padding 0 gives the same "
             "54×54 map (the floor hides it), but the values differ and a 193-px image no longer reaches the 5×5 "
             "map the first Linear needs.",
             when=lambda g, w: w and w[0] == "0" and _is(g, "Conv2d", padding=0)),
        Hint(f"the input channels come from the argument: Conv2d(in_channels, 96, ...), and alexnet() defaults to "
             f"in_channels=1 (Fashion-MNIST is grey; 3 is the paper's RGB).",
             when=lambda g, w: w and w[0] == "0" and g and g[1] == "Conv2d"
             and g[2].get("in_channels") != in_channels),
        Hint("the book's AlexNet has no LocalResponseNorm (d2l §7.1.2 drops the paper's LRN layers): "
             "Conv2d → ReLU → MaxPool2d.", when=lambda g, w: g and g[1] == "LocalResponseNorm"),
        Hint("AlexNet pools with nn.MaxPool2d(kernel_size=3, stride=2) (overlapping max pooling), not LeNet's "
             "average pooling.", when=lambda g, w: g and g[1] == "AvgPool2d" and w and w[1] == "MaxPool2d"),
        Hint("AlexNet uses ReLU activations (LeNet's sigmoid saturates).",
             when=lambda g, w: g and g[1] in ("Sigmoid", "Tanh") and w and w[1] == "ReLU"),
        Hint(f"the last Linear has num_classes outputs: Linear(4096, num_classes) (here {num_classes}).",
             when=lambda g, w: w and w[0] == "20" and _is(g, "Linear", in_features=4096)
             and g[2].get("out_features") != num_classes),
        Hint("the first Linear takes 256·5·5 = 6400 inputs (the book's 224-px input reaches a 5×5 map; the "
             "paper's 227-px input and 9216 = 256·6·6 do not apply).",
             when=lambda g, w: w and w[0] == "14" and g and g[1] == "Linear"
             and g[2].get("in_features") != 6400),
        Hint("each Dropout comes after the ReLU of a hidden Linear: Linear(…, 4096), ReLU, Dropout(p=0.5).",
             when=lambda g, w: w and ("Dropout" in (g[1] if g else "", w[1]))),
        Hint("no lazy modules (nn.LazyLinear, nn.LazyConv2d): every parameter must exist right after "
             "construction, so give every layer its input size.", when=lambda g, w: g and g[1].startswith("Lazy")),
        Hint("nn.Sequential(OrderedDict(...)) renames the children: keep the default names '0', '1', … "
             "(pass the layers positionally), so the state_dict keys are the book's.",
             when=lambda g, w: g and w and g[0] != w[0]),
    ]]


def _shape_hints(desc):
    """Hints from the learner's own layer descriptions (computed once), for shape and value failures."""
    first = _first_conv(desc)
    return [
        Hint("alexnet() must default to in_channels=1 (Fashion-MNIST is grey; 3 is the paper's RGB): your first "
             "convolution expects another number of input channels.",
             when=lambda g, w: first is not None and first[2].get("in_channels") != 1),
        Hint("your first convolution has padding 0; the book's has padding=1. Work out the 193-px table: "
             "⌊(193 + 2·1 − 11)/4⌋ + 1 = 47 → 23 → 23 → 11 → 11 → 5 with padding 1, but 46 → 22 → 10 → 4 "
             "with padding 0, and 256·4·4 = 4096 ≠ 6400.",
             when=lambda g, w: first is not None and _is(first, "Conv2d", padding=0)),
        Hint("check the strides: Conv2d(…, 96, kernel_size=11, stride=4, padding=1) and every "
             "MaxPool2d(kernel_size=3, stride=2).", when=lambda g, w: first is not None
             and not _is(first, "Conv2d", stride=4)),
    ]


def _difference_hints(kata, net, ref):
    """A hint naming the hyper-parameters to change at the first layer of the same type that differs."""
    got, want = nets.describe(kata, net), probes.describe_children(ref)
    for g, w in zip(got, want):
        if g[1] != w[1]:
            return []
        gh, wh = nets._norm(g[2]), nets._norm(w[2])
        diff = [f"{k}={wh[k]} (yours: {gh.get(k)})" for k in wh if gh.get(k) != wh[k]]
        if diff:
            return [_layer_hint(f"layer '{w[0]}' ({w[1]}) needs " + ", ".join(diff) + ".", lambda g_, w_: True)]
        if g[3] != w[3]:
            return [_layer_hint(f"layer '{w[0]}' ({w[1]}) {'has' if w[3] else 'has no'} bias in the book.",
                                lambda g_, w_: True)]
    return []


def _expect_book_structure(kata, net, ref, prop, inputs, hints):
    nets.expect_structure(kata, net, ref, prop, inputs=inputs, hints=hints + _difference_hints(kata, net, ref))


# ----------------------------------------------------------------------------------------------- structure
def test_alexnet_structure(kata):
    """alexnet() has the book's 21 layers in order, with the book's hyper-parameters (in_channels=1, 10 classes)"""
    net = _build(kata)
    _expect_book_structure(kata, net, _meta(book_alexnet), "alexnet()'s layers are the book's, in the book's order",
                           inputs={"call": "alexnet()"}, hints=_structure_hints())


def test_alexnet_custom_arguments(kata):
    """alexnet(in_channels=3, num_classes=100) puts 3 input channels in the first conv and 100 outputs in the last"""
    for kwargs in ({"in_channels": 3, "num_classes": 100}, {"in_channels": 2, "num_classes": 7}):
        net = _build(kata, **kwargs)
        _expect_book_structure(kata, net, _meta(book_alexnet, **kwargs),
                               f"alexnet({', '.join(f'{k}={v}' for k, v in kwargs.items())}) honours its arguments",
                               inputs={"call": f"alexnet(**{kwargs})"}, hints=_structure_hints(**kwargs))


@settings(max_examples=10)
@given(in_channels=st.integers(1, 4), num_classes=st.integers(1, 1000))
@example(in_channels=1, num_classes=10)
@example(in_channels=3, num_classes=10)
@example(in_channels=1, num_classes=100)
def test_alexnet_parameter_count(kata, in_channels, num_classes):
    """alexnet() has 46,764,746 parameters (96·(121·in_channels + 1) + … + 4097·num_classes in general)"""
    net = _build(kata, in_channels=in_channels, num_classes=num_classes)
    want = book_count(in_channels, num_classes)
    nets.expect_parameter_count(
        kata, net, want, "alexnet(in_channels, num_classes) has the book's number of parameters",
        inputs={"call": f"alexnet(in_channels={in_channels}, num_classes={num_classes}) (built on meta)"},
        hints=[Hint(f"{want - 96 * 121 * (in_channels - 1) - 4097 * (num_classes - 10):,} would be the count for "
                    f"in_channels=1, num_classes=10: the arguments are not used.",
                    when=lambda g, w: (in_channels, num_classes) != (1, 10)),
               Hint("the biggest share is the first Linear: 6400·4096 + 4096 = 26,218,496 parameters.")])


def test_alexnet_shape_table_224(kata):
    """for layer in net: X = layer(X) prints the book's shape table at (1, 1, 224, 224), ending in (1, 10)"""
    net = _build(kata)
    desc = nets.describe(kata, net)
    nets.expect_child_shapes(kata, net, (1, 1, 224, 224), book_shapes(),
                             "the shape table of alexnet() at 224 px is the book's (d2l §7.1.2)",
                             hints=_shape_hints(desc))


@settings(max_examples=12)
@given(side=st.integers(180, 240))
@example(side=193)
@example(side=224)
@example(side=192)
@example(side=225)
def test_alexnet_accepts_193_to_224_px(kata, side):
    """alexnet() accepts exactly the square inputs from 193 to 224 px (those reach the 5×5 map before Flatten)"""
    net = _build(kata)
    got = run_beside(kata, probes.forward_shape, net, (1, 1, side, side))
    fits = 193 <= side <= 224
    desc = nets.describe(kata, net)
    inputs = {"X": f"zeros(1, 1, {side}, {side}) on meta", "call": "alexnet()(X)"}
    if fits:
        expect(got == (1, 10), f"alexnet() maps a {side}×{side} image to 10 class scores", inputs=inputs,
               expected=(1, 10), got=got, hints=_shape_hints(desc))
    else:
        expect(not isinstance(got, tuple) or got != (1, 10),
               f"a {side}×{side} image does not fit alexnet() (it does not reach a 5×5 map before Flatten)",
               inputs=inputs, expected="an error (the first Linear needs 6400 inputs)", got=got,
               hints=_shape_hints(desc) + [Hint("a size-independent head (adaptive pooling) is not the book's: "
                                                "Flatten feeds the 5×5 map straight into Linear(6400, 4096).")])


# ----------------------------------------------------------------------------------------------- same function
def _load_prefix(kata, net, weights, n, prop, inputs, hints=()):
    """Load the float64 ``weights`` of the first ``n`` children into the learner's meta net (materialising them on
    the CPU); the other keys of the learner's net may stay on meta. Mismatching keys fail with both lists."""
    try:
        result = net.load_state_dict(weights, strict=False, assign=True)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected="the book's parameter shapes for layers 0…13",
             got=str(e).split("\n\t", 1)[-1][:600], hints=list(hints))
    missing, unexpected = list(result[0]), list(result[1])    # (the net's keys not in weights, and vice versa)
    missing = [k for k in missing if k.split(".", 1)[0].isdigit() and int(k.split(".", 1)[0]) < n]
    if missing or unexpected:
        fail(prop, inputs=inputs, expected="the book's state_dict keys for layers 0…13 (0.weight, 0.bias, "
             "3.weight, …)", got=f"keys of yours the book lacks: {missing[:8]}; the book's keys your net lacks: "
             f"{unexpected[:8]}",
             hints=list(hints) + ["the top-level children must be the book's layers in the book's order (the "
                                  "state_dict keys follow from it: '0.weight', '3.weight', …)."])


def _expect_same_prefix(kata, net, ref, n, X, prop, *, seed, hints=()):
    """The learner's first ``n`` children, fed one after the other, compute the reference's ``n`` layers with the
    same He-normal float64 weights; the first layer whose output differs is named."""
    weights = nets.variance_preserving_weights(ref, seed)
    ref.load_state_dict(weights, assign=True)
    inputs = {"X": X, "weights": f"He-normal, float64 (seed {seed})"}
    _load_prefix(kata, net, weights, n, prop, inputs, hints)
    net.eval()
    ref.eval()
    got, want = X, X
    for i in range(n):
        try:
            layer = net[i]
        except IndexError:
            fail(prop, inputs=inputs, expected=f"at least {n} top-level layers", got=f"{i} layers", hints=hints)
        with torch.no_grad():
            want = ref[i](want)
        try:
            with torch.no_grad():      # (an in-place ReLU on a tensor that came back from the sandbox)
                got = layer(got)
        except RuntimeError as e:
            fail(prop, inputs=inputs, expected=f"after layer {i} ({type(ref[i]).__name__}): shape "
                 f"{tuple(want.shape)}", got=f"RuntimeError: {str(e)[:300]}", hints=hints)
        expect_close(got, want, f"{prop}: the output after layer {i} ({type(ref[i]).__name__}) equals the book's "
                     f"(the same weights, float64, eval mode)", inputs=inputs,
                     atol=1e-8 * (1 + float(want.abs().max())), rtol=1e-7, hints=hints)
    return got


@pytest.mark.core
@pytest.mark.weight(2)
def test_alexnet_same_features_as_the_book(kata):
    """With the book's weights, alexnet()'s convolutional part computes the book's features at 224 and 193 px"""
    X224 = torch.randn(2, 1, 224, 224, generator=torch.Generator().manual_seed(71), dtype=torch.float64)
    X193 = torch.rand(1, 1, 193, 193, generator=torch.Generator().manual_seed(72), dtype=torch.float64) * 4 - 2
    X3 = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(73), dtype=torch.float64)
    for X, seed, kw in ((X224, 5, {}), (X193, 6, {}), (X3, 7, {"in_channels": 3})):
        net = _build(kata, **kw)
        desc = nets.describe(kata, net)
        ref = nn.Sequential(*list(_meta(book_alexnet, **kw))[:FEATURES])
        got = _expect_same_prefix(kata, net, ref, FEATURES, X, "alexnet()'s layers 0…13 compute the book's "
                                  "features", seed=seed, hints=_shape_hints(desc))
        expect(got.shape == (X.shape[0], 6400), "the flattened features have 6400 = 256·5·5 entries per image",
               inputs={"X": X}, expected=(X.shape[0], 6400), got=tuple(got.shape))


def test_alexnet_dropout_only_in_train_mode(kata, stat_seed):
    """alexnet()'s two Dropout layers zero about half of their inputs in train mode and pass them through in eval"""
    net = _build(kata)
    desc = nets.describe(kata, net)
    X = torch.ones(20_000)
    for i in (16, 19):
        expect(len(desc) > i and desc[i][1] == "Dropout", f"net[{i}] is a Dropout layer (the book's classifier: "
               "Linear, ReLU, Dropout(p=0.5), twice, then the output Linear)", inputs={"call": "alexnet()"},
               expected="Dropout(p=0.5)", got=nets._show_layer(desc[i]) if len(desc) > i else "no such layer")
        layer = net[i]
        seed_global(1000 * i + stat_seed)
        layer.train()
        Y = layer(X)
        dropped = float((Y == 0).double().mean())
        inputs = {"layer": f"net[{i}]", "X": "torch.ones(20000)"}
        # p = 0.5: the dropped fraction of 20 000 has sd 0.0035; 0.45–0.55 is a 14σ band
        expect(0.45 < dropped < 0.55, f"in train mode net[{i}] (Dropout(0.5)) zeroes about half of its inputs",
               inputs=inputs, expected="a fraction of zeros near 0.5", got=dropped)
        expect(bool(((Y == 0) | (Y == 2)).all()), f"in train mode net[{i}] scales the kept inputs by 1/(1 − p) = 2",
               inputs=inputs, expected="values 0 and 2 only", got=Y)
        layer.eval()
        expect(bool((layer(X) == 1).all()), f"in eval mode net[{i}] passes its input through",
               inputs=inputs, expected="all ones", got=layer(X))
