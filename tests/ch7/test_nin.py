"""Graders for ch7/nin.py (nin_block, nin).

Oracle: the book's code (d2l §7.3, PyTorch tab), written out below as ``book_nin_block`` / ``book_nin`` (with the
contract's ``in_channels`` / ``num_classes`` keywords). Nothing is trained.

NiN has 2M parameters, so it is built on the CPU (about 20 ms) and its shape table computed there (a 224-px
forward pass is ~0.1 s; no meta device needed). Every module (deep) is compared with the book's (types and
hyper-parameters; nn.Sequential subclasses accepted where the book has an nn.Sequential), parameters are counted
against the closed form out·(in·k_h·k_w + 1) + 2·out·(out + 1) per block. Same function (core): the learner's net
gets the book's net's He-normal float64 weights (the contract's technique 1) and both are compared in eval mode
(Dropout off) at 100 and 99 px, where the last map is 2×2 — at 67…98 px it is 1×1 and global max and average
pooling agree (technique 2). Tolerance atol 1e-8·(1 + max|expected|), rtol 1e-7 in float64 (the same operations
in another order differ by ~1e-15). nin_block is compared the same way on random arguments.
"""
import pytest
import torch
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, fail, is_instance, run_beside
from tests import nets
from tests import shippable_nets as probes

DEFAULT_COUNT = 1_992_166


# ----------------------------------------------------------------------------------------------- the oracle
def book_nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """d2l §7.3.1."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def book_nin(in_channels=1, num_classes=10):
    """d2l §7.3.2 (the book hard-codes 1 and 10)."""
    return nn.Sequential(
        book_nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        book_nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        book_nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        # 标签类别数是10
        book_nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        # 将四维的输出转成二维的输出，其形状为(批量大小,10)
        nn.Flatten())


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def block_count(c_in, c_out, k):
    kh, kw = _pair(k)
    return c_out * (c_in * kh * kw + 1) + 2 * c_out * (c_out + 1)


def nin_count(in_channels=1, num_classes=10):
    return (block_count(in_channels, 96, 11) + block_count(96, 256, 5) + block_count(256, 384, 3)
            + block_count(384, num_classes, 3))


def out_side(n, k, s, p):
    return (n + 2 * p - k) // s + 1


assert block_count(1, 96, 11) == 30_336 and nin_count() == DEFAULT_COUNT

SHAPES_224 = [(1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26), (1, 256, 12, 12), (1, 384, 12, 12),
              (1, 384, 5, 5), (1, 384, 5, 5), (1, 10, 5, 5), (1, 10, 1, 1), (1, 10)]


# ----------------------------------------------------------------------------------------------- structure helpers
def _descriptions(kata, net, ref, deep):
    """(learner's, reference's) layer descriptions. A container the book builds as nn.Sequential may be a subclass
    of it (the contract: "a subclass is fine"): it is described as "Sequential"."""
    got = nets.describe(kata, net, deep)
    want = (probes.describe_modules if deep else probes.describe_children)(ref)
    for i, (g, w) in enumerate(zip(got, want)):
        if w[1] == "Sequential" and g[1] != "Sequential" and g[0] == w[0]:
            try:
                sub = net.get_submodule(g[0])
            except AttributeError:
                continue
            if is_instance(sub, nn.Sequential):
                got[i] = (g[0], "Sequential", w[2], w[3])
    return got, want


def _difference_hints(got, want):
    """A hint naming the hyper-parameters to change at the first layer of the same type that differs."""
    for g, w in zip(got, want):
        if g[1] != w[1] or g[0] != w[0]:
            return []
        gh, wh = nets._norm(g[2]), nets._norm(w[2])
        diff = [f"{k}={wh[k]} (yours: {gh.get(k)})" for k in wh if gh.get(k) != wh[k]]
        if diff:
            return [f"layer '{w[0]}' ({w[1]}) needs " + ", ".join(diff) + "."]
        if g[3] != w[3]:
            return [f"layer '{w[0]}' ({w[1]}) {'has' if w[3] else 'has no'} bias in the book."]
    return []


def _expect_book_structure(kata, net, ref, prop, inputs, hints, deep=False):
    """nets.expect_structure, with nn.Sequential subclasses accepted where the book has an nn.Sequential (and the
    selected hints handed on as text)."""
    got, want = _descriptions(kata, net, ref, deep)
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        same = g is not None and w is not None and g[0] == w[0] and g[1] == w[1] \
            and nets._norm(g[2]) == nets._norm(w[2]) and g[3] == w[3]
        if not same:
            where = f"layer {w[0] if w else g[0]!r} (number {i} of {len(want)})"
            fail(prop, inputs=inputs, expected=f"{where}: {nets._show_layer(w) if w else 'no more layers'}",
                 got=f"{nets._show_layer(g) if g else 'no such layer (the net ends here)'}",
                 detail="the reference's layers: " + ", ".join(f"{d[0]} {nets._show_layer(d)}" for d in want[:24])
                        + (" …" if len(want) > 24 else ""),
                 hints=[h.text for h in hints if h.applies(g, w)] + _difference_hints(got, want))


# ----------------------------------------------------------------------------------------------- hints
GLOBAL_AVG = ("NiN ends with global *average* pooling, nn.AdaptiveAvgPool2d((1, 1)): each class score is the mean "
              "of its channel over all positions (\"所有位置求和取平均\"). Global max pooling gives the same result only "
              "while the last map is 1×1 (inputs of 67…98 px).")
NO_LINEAR = ("NiN has no fully connected layer: the last nin_block outputs num_classes channels, and global average "
             "pooling + Flatten turn them into the class scores.")


def _kind(d):
    return d[1] if d else None


def _structure_hints():
    return [
        Hint(GLOBAL_AVG, when=lambda g, w: w and _kind(w) == "AdaptiveAvgPool2d"
             and _kind(g) in ("AdaptiveMaxPool2d", "MaxPool2d", "AvgPool2d")),
        Hint(NO_LINEAR, when=lambda g, w: _kind(g) == "Linear" or (_kind(w) == "Flatten" and _kind(g) != "Flatten"
                                                                  and g is not None)),
        Hint("the two 1×1 convolutions of a block map out_channels to out_channels (they follow the first "
             "convolution's output).", when=lambda g, w: _kind(g) == _kind(w) == "Conv2d"
             and nets._norm(w[2]).get("kernel_size") == (1, 1) and g[2].get("in_channels") != w[2].get("in_channels")),
        Hint("nn.Conv2d's positional order is (in_channels, out_channels, kernel_size, stride, padding): pass "
             "strides as the stride and padding as the padding (keywords avoid the mix-up).",
             when=lambda g, w: _kind(g) == _kind(w) == "Conv2d"
             and nets._norm(g[2]).get("stride") == nets._norm(w[2]).get("padding")
             and nets._norm(g[2]).get("padding") == nets._norm(w[2]).get("stride")
             and nets._norm(w[2]).get("stride") != nets._norm(w[2]).get("padding")),
        Hint("every convolution of a NiN block is followed by a ReLU — the last block's too (the book's: the class "
             "scores are ≥ 0).", when=lambda g, w: _kind(w) == "ReLU" and _kind(g) != "ReLU"),
        Hint("the first block has padding 0 (nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0)): "
             "224 px → 54×54.", when=lambda g, w: w and w[0] == "0.0" and _kind(g) == "Conv2d"
             and nets._norm(g[2]).get("padding") != (0, 0)),
        Hint("Dropout(0.5) comes after the third MaxPool2d, before the last nin_block.",
             when=lambda g, w: "Dropout" in (_kind(g), _kind(w))),
        Hint("in_channels goes to the first block and num_classes to the last one: nin_block(in_channels, 96, …) "
             "and nin_block(384, num_classes, …).", when=lambda g, w: _kind(g) == _kind(w) == "Conv2d"
             and (w[0] == "0.0" and g[2].get("in_channels") != w[2].get("in_channels")
                  or w[0].startswith("7.") and g[2].get("out_channels") != w[2].get("out_channels"))),
        Hint("keep the book's nesting: nin's top-level children are the four blocks (each an nn.Sequential from "
             "nin_block), the three MaxPool2d, Dropout, the global pooling and Flatten — with the default names "
             "'0', '1', … (the state_dict keys are then the book's: '0.0.weight', …).",
             when=lambda g, w: g and w and (g[0] != w[0] or _kind(w) == "Sequential" and _kind(g) in ("Conv2d", "ReLU")
                                            or _kind(g) == "Sequential" and _kind(w) != "Sequential")),
    ]


def _net_hints(desc):
    """Hints from the learner's own net (its deep description, computed once), for shape and value failures."""
    kinds = [d[1] for d in desc]
    return [
        Hint(GLOBAL_AVG, when=lambda g, w: "AdaptiveMaxPool2d" in kinds or "AdaptiveAvgPool2d" not in kinds),
        Hint(NO_LINEAR, when=lambda g, w: "Linear" in kinds),
        Hint("the last block ends with a ReLU (the class scores are ≥ 0): every NiN block is Conv2d, ReLU, "
             "1×1 Conv2d, ReLU, 1×1 Conv2d, ReLU.",
             when=lambda g, w: isinstance(g, torch.Tensor) and bool((g < 0).any())),
        Hint("compare nin_block with the book's: (kernel_size, strides, padding) go to the first convolution, the "
             "other two are 1×1 convolutions with out_channels in and out.",
             when=lambda g, w: isinstance(g, str) and "channels" in g),
    ]


def _block_hints(desc, s=None, p=None):
    """Hints from the learner's own block (its children's descriptions), for count, shape and value failures."""
    convs = [d for d in desc if d[1] == "Conv2d"]
    first = nets._norm(convs[0][2]) if convs else {}
    relus = sum(d[1] == "ReLU" for d in desc)
    return [
        Hint("a NiN block has three convolutions, each followed by a ReLU (six layers; the block ends with a ReLU).",
             when=lambda g, w: len(convs) != 3 or relus != 3),
        Hint("the two 1×1 convolutions map out_channels to out_channels.",
             when=lambda g, w: any(d[2].get("in_channels") != d[2].get("out_channels") for d in convs[1:])),
        Hint("nn.Conv2d's positional order is (in_channels, out_channels, kernel_size, stride, padding): strides "
             "before padding.", when=lambda g, w: s is not None and s != p
             and first.get("stride") == (p, p) and first.get("padding") == (s, s)),
    ]


# ----------------------------------------------------------------------------------------------- nin_block
BLOCK_ARGS = dict(c_in=st.integers(1, 4), c_out=st.integers(1, 5), k=st.integers(1, 5), s=st.integers(1, 3),
                  data=st.data())


def _build_block(kata, c_in, c_out, k, s, p, keywords=False):
    if keywords:
        return nets.build(kata, "nin_block", in_channels=c_in, out_channels=c_out, kernel_size=k, strides=s,
                          padding=p)
    return nets.build(kata, "nin_block", c_in, c_out, k, s, p)


@settings(max_examples=15)
@given(**BLOCK_ARGS)
@example(c_in=1, c_out=96, k=11, s=4, data=None)
@example(c_in=3, c_out=5, k=3, s=2, data=None)
def test_nin_block_structure(kata, c_in, c_out, k, s, data):
    """nin_block(in, out, kernel_size, strides, padding) is Conv2d(k, s, p), ReLU, then two 1×1 Conv2d, each with ReLU"""
    p = data.draw(st.integers(0, k // 2), label="padding") if data else (0 if k == 11 else 1)
    kw = bool(data.draw(st.booleans(), label="keywords")) if data else k == 3
    net = _build_block(kata, c_in, c_out, k, s, p, kw)
    call = (f"nin_block(in_channels={c_in}, out_channels={c_out}, kernel_size={k}, strides={s}, padding={p})" if kw
            else f"nin_block({c_in}, {c_out}, {k}, {s}, {p})")
    _expect_book_structure(kata, net, book_nin_block(c_in, c_out, k, s, p), f"{call}'s layers are the book's",
                           inputs={"call": call}, hints=_structure_hints())


@settings(max_examples=10)
@given(c_in=st.integers(1, 8), c_out=st.integers(1, 8), k=st.integers(1, 5))
@example(c_in=1, c_out=96, k=11)
def test_nin_block_parameter_count(kata, c_in, c_out, k):
    """nin_block(in, out, k, strides, padding) has out·(in·k·k + 1) + 2·out·(out + 1) parameters"""
    net = _build_block(kata, c_in, c_out, k, 1, k // 2)
    desc = nets.describe(kata, net)
    nets.expect_parameter_count(kata, net, block_count(c_in, c_out, k),
                                f"nin_block({c_in}, {c_out}, {k}, 1, {k // 2}) has the book's number of parameters",
                                inputs={"call": f"nin_block({c_in}, {c_out}, {k}, 1, {k // 2})"},
                                hints=_block_hints(desc)[:2])


@settings(max_examples=15)
@given(**BLOCK_ARGS)
@example(c_in=1, c_out=96, k=11, s=4, data=None)
def test_nin_block_output_shape(kata, c_in, c_out, k, s, data):
    """nin_block maps (b, in, h, w) to (b, out, ⌊(h + 2p − k)/s⌋ + 1, …): the 1×1 convolutions keep the size"""
    if data is None:
        p, h, w = 0, 224, 224
    else:
        p = data.draw(st.integers(0, k // 2), label="padding")
        h = data.draw(st.integers(k, 12), label="h")
        w = data.draw(st.integers(k, 12), label="w")
    net = _build_block(kata, c_in, c_out, k, s, p)
    desc = nets.describe(kata, net)
    hints = _block_hints(desc, s, p)
    want = (2, c_out, out_side(h, k, s, p), out_side(w, k, s, p))
    got = run_beside(kata, probes.forward_shape, net, (2, c_in, h, w))
    expect(got == want, f"nin_block({c_in}, {c_out}, {k}, {s}, {p}) gives the convolution's output size",
           inputs={"call": f"nin_block({c_in}, {c_out}, {k}, {s}, {p})", "X": f"zeros(2, {c_in}, {h}, {w})"},
           expected=want, got=got, hints=hints)


@pytest.mark.core
@settings(max_examples=10)
@given(**BLOCK_ARGS)
@example(c_in=1, c_out=6, k=11, s=4, data=None)
def test_nin_block_same_outputs_as_the_book(kata, c_in, c_out, k, s, data):
    """With the same weights, nin_block(in, out, kernel_size, strides, padding) computes the book's block"""
    if data is None:
        p, h, w, seed = 0, 27, 23, 1
    else:
        p = data.draw(st.integers(0, k // 2), label="padding")
        h = data.draw(st.integers(k, 10), label="h")
        w = data.draw(st.integers(k, 10), label="w")
        seed = data.draw(st.integers(0, 2**16), label="seed")
    net = _build_block(kata, c_in, c_out, k, s, p)
    hints = _block_hints(nets.describe(kata, net), s, p)
    X = torch.randn(3, c_in, h, w, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    call = f"nin_block({c_in}, {c_out}, {k}, {s}, {p})"
    try:
        nets.expect_same_outputs(kata, net, book_nin_block(c_in, c_out, k, s, p), X, f"{call} computes the book's "
                                 "block", seed=seed, inputs={"call": call}, hints=hints)
    except RuntimeError as e:
        fail(f"{call} computes the book's block", inputs={"call": call, "X": X},
             expected=f"an output of shape {(3, c_out, out_side(h, k, s, p), out_side(w, k, s, p))}",
             got=f"RuntimeError: {str(e)[:300]}", hints=hints)


# ----------------------------------------------------------------------------------------------- nin
def _build(kata, **kwargs):
    return nets.build(kata, "nin", **kwargs)


def test_nin_structure(kata):
    """nin() has the book's layers: 4 NiN blocks, 3 MaxPool2d, Dropout, global average pooling, Flatten"""
    for kwargs in ({}, {"in_channels": 3, "num_classes": 5}):
        call = f"nin({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        net = _build(kata, **kwargs)
        kinds = [d[1] for d in nets.describe(kata, net, deep=True)]
        _expect_book_structure(kata, net, book_nin(**kwargs), f"{call}'s modules are the book's, in the book's order "
                               "(blocks nested)", inputs={"call": call}, deep=True,
                               hints=[Hint(NO_LINEAR, when=lambda g, w: "Linear" in kinds)] + _structure_hints())


@settings(max_examples=6)
@given(in_channels=st.integers(1, 4), num_classes=st.integers(1, 20))
@example(in_channels=1, num_classes=10)
def test_nin_parameter_count(kata, in_channels, num_classes):
    """nin() has 1,992,166 parameters (nin_block(1, 96, 11, 4, 0) alone: 30,336), and the arguments change it"""
    net = _build(kata, in_channels=in_channels, num_classes=num_classes)
    desc = nets.describe(kata, net, deep=True)
    nets.expect_parameter_count(kata, net, nin_count(in_channels, num_classes),
                                "nin(in_channels, num_classes) has the book's number of parameters",
                                inputs={"call": f"nin(in_channels={in_channels}, num_classes={num_classes})"},
                                hints=_net_hints(desc)[1:2])


def test_nin_shape_table_224(kata):
    """for layer in nin(): X = layer(X) prints the book's table at 224 px: 54, 26, 26, 12, 12, 5, 5, 5, 1, then (1, 10)"""
    net = _build(kata)
    desc = nets.describe(kata, net, deep=True)
    nets.expect_child_shapes(kata, net, (1, 1, 224, 224), SHAPES_224, "nin()'s shape table at 224 px is the "
                             "book's (d2l §7.3.2)", hints=_net_hints(desc))


def test_nin_smallest_input(kata):
    """nin() accepts a 67×67 image (the last map is 1×1) and gives (b, 10); a 66×66 image is too small"""
    net = _build(kata)
    got = run_beside(kata, probes.forward_shape, net, (2, 1, 67, 67))
    expect(got == (2, 10), "nin() maps 67×67 images to 10 class scores", inputs={"X": "zeros(2, 1, 67, 67)"},
           expected=(2, 10), got=got)
    got = run_beside(kata, probes.forward_shape, net, (1, 1, 66, 66))
    expect(isinstance(got, str), "a 66×66 image is too small for nin() (its third MaxPool2d gets a 2×2 map)",
           inputs={"X": "zeros(1, 1, 66, 66)"}, expected="an error", got=got,
           hints=["the windows are the book's: 11 (stride 4, padding 0), MaxPool2d(3, 2), 5 (padding 2), "
                  "MaxPool2d(3, 2), 3 (padding 1), MaxPool2d(3, 2)."])


@pytest.mark.core
@pytest.mark.weight(2)
def test_nin_same_outputs_as_the_book(kata):
    """With the same weights, nin() computes the book's class scores (eval mode; 100 px: the last map is 2×2)"""
    cases = (({}, (2, 1, 100, 100), 21), ({"in_channels": 3, "num_classes": 5}, (2, 3, 99, 99), 22))
    for kwargs, shape, seed in cases:
        call = f"nin({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        net = _build(kata, **kwargs)
        desc = nets.describe(kata, net, deep=True)
        X = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        try:
            nets.expect_same_outputs(kata, net, book_nin(**kwargs), X, f"{call} computes the book's class scores",
                                     seed=seed, inputs={"call": call}, hints=_net_hints(desc))
        except RuntimeError as e:
            fail(f"{call} computes the book's class scores", inputs={"call": call, "X": X},
                 expected=f"scores of shape {(shape[0], kwargs.get('num_classes', 10))}",
                 got=f"RuntimeError: {str(e)[:300]}", hints=_net_hints(desc))
