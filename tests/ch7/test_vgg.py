"""Graders for ch7/vgg.py (vgg_block, vgg).

Oracle: the book's code (d2l §7.2, PyTorch tab), written out below as ``book_vgg_block`` / ``book_vgg`` (with the
contract's ``in_channels`` / ``num_classes`` keywords). Nothing is trained.

* vgg_block is small: it is built on the CPU, its structure, parameter count (closed form) and output shape (odd
  sizes too: floor) checked on random arguments, and its outputs compared with the book's block carrying the same
  He-normal float64 weights (nets.expect_same_outputs; atol 1e-8·(1 + max|expected|), rtol 1e-7 — the same
  operations in another order differ by ~1e-15).
* vgg is built on the ``meta`` device (VGG-11: 128,806,154 parameters in milliseconds): every module (deep) is
  compared with the book's, the parameters counted (closed form), the shape table at 224 px and the accepted input
  side 7·2^k checked on meta. Same function (core): even vgg(((1, 8), (1, 16))) has 20M parameters in its two
  4096-wide layers, so the learner's meta net gets float64 He-normal weights for its blocks only (loaded with
  ``load_state_dict(..., assign=True)``, which materialises them on the CPU), and the output after each block and
  after Flatten is compared with the book's, at 28 and 56 px. The classifier is graded by its structure.
"""
import pytest
import torch
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, fail, is_instance, run_beside
from tests import nets
from tests import shippable_nets as probes

VGG11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
RATIO4 = tuple((n, c // 4) for n, c in VGG11)
SMALL = ((1, 8), (1, 16))


# ----------------------------------------------------------------------------------------------- the oracle
def book_vgg_block(num_convs, in_channels, out_channels):
    """d2l §7.2.1."""
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def book_vgg(conv_arch, in_channels=1, num_classes=10):
    """d2l §7.2.2 (the book hard-codes in_channels = 1 and 10 classes)."""
    conv_blks = []
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(book_vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes))


def _meta(fn, *args, **kwargs):
    with torch.device("meta"):
        return fn(*args, **kwargs)


def block_count(num_convs, c_in, c_out):
    return c_out * (9 * c_in + 1) + (num_convs - 1) * c_out * (9 * c_out + 1)


def vgg_count(arch, in_channels=1, num_classes=10):
    total, c = 0, in_channels
    for n, out in arch:
        total += block_count(n, c, out)
        c = out
    return total + 4096 * (c * 49 + 1) + 4096 * (4096 + 1) + num_classes * (4096 + 1)


assert block_count(1, 1, 64) == 640 and block_count(2, 3, 8) == 808
assert vgg_count(VGG11) == 128_806_154 and vgg_count(RATIO4) == 43_093_322 and vgg_count(SMALL) == 20_038_890

ARCHS = st.lists(st.tuples(st.integers(1, 3), st.integers(1, 24)), min_size=1, max_size=4).map(tuple)


# ----------------------------------------------------------------------------------------------- hints
def _conv_index(name):
    """'2.4' → 4 (the position inside its block), '3' → 3."""
    return int(name.rsplit(".", 1)[-1]) if name.rsplit(".", 1)[-1].isdigit() else -1


def _structure_hints(in_channels=1):
    """Hints for the structure check: their ``when`` sees the (got, want) descriptions at the first difference."""
    return [
        Hint("a convolution after the first one in a block receives the previous convolution's output: "
             "its in_channels is the block's out_channels (update the channel count inside the loop).",
             when=lambda g, w: g and w and g[1] == w[1] == "Conv2d" and _conv_index(w[0]) > 0
             and g[2].get("in_channels") != w[2].get("in_channels")),
        Hint("each block's first convolution receives the previous block's output: its in_channels is the "
             "previous block's out_channels (update the channel count between blocks).",
             when=lambda g, w: g and w and g[1] == w[1] == "Conv2d" and w[0].count(".") == 1
             and w[0].endswith(".0") and not w[0].startswith("0.")
             and g[2].get("in_channels") != w[2].get("in_channels")),
        Hint(f"the first convolution takes in_channels inputs (here {in_channels}): use the argument instead of "
             f"the book's hard-coded 1.", when=lambda g, w: g and w and w[0] == "0.0" and g[1] == "Conv2d"
             and g[2].get("in_channels") != w[2].get("in_channels")),
        Hint("one MaxPool2d(kernel_size=2, stride=2) per block, after the last convolution's ReLU — pooling after "
             "every convolution halves h and w num_convs times.",
             when=lambda g, w: g and w and g[1] == "MaxPool2d" and w[1] == "Conv2d"),
        Hint("the first Linear takes c_last·7·7 inputs, c_last being the last block's out_channels; 512·7·7 = 25088 "
             "is right for VGG-11 only.", when=lambda g, w: g and w and g[1] == w[1] == "Linear"
             and g[2].get("in_features") != w[2].get("in_features")),
        Hint("the 3×3 convolutions have padding=1, so that they keep h and w (only the pooling halves them).",
             when=lambda g, w: g and w and g[1] == w[1] == "Conv2d" and nets._norm(g[2]).get("padding") == (0, 0)),
        Hint("each convolution is followed by its ReLU: Conv2d, ReLU, Conv2d, ReLU, …, then MaxPool2d.",
             when=lambda g, w: g and w and g[1] == "ReLU" and w[1] == "Conv2d"),
        Hint("VGG pools with nn.MaxPool2d(kernel_size=2, stride=2), not average pooling.",
             when=lambda g, w: g and w and g[1] == "AvgPool2d"),
        Hint("the last Linear has num_classes outputs: Linear(4096, num_classes).",
             when=lambda g, w: g and w and g[1] == w[1] == "Linear" and g[2].get("in_features") == 4096
             and g[2].get("out_features") != w[2].get("out_features")),
        Hint("keep the blocks nested: each block is one child of the net (an nn.Sequential from vgg_block), not "
             "its layers spliced into the net's list.",
             when=lambda g, w: g and w and w[1] == "Sequential" and g[1] != "Sequential"),
        Hint("keep the blocks nested: vgg's top-level children are the blocks (each an nn.Sequential from "
             "vgg_block), then Flatten and the classifier — not the blocks' layers spliced into one list — and "
             "keep the default child names '0', '1', … (the state_dict keys are then the book's: '0.0.weight', …).",
             when=lambda g, w: g and w and g[0] != w[0]),
    ]


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


def _block_hints(desc, nested=False):
    """Hints from the learner's own block (its children's descriptions) or, ``nested``, a whole net's blocks (from
    its deep description: the layers named "k.i"), for shape and value failures."""
    def block_of(d):
        return d[0].rsplit(".", 1)[0] if "." in d[0] else ""

    if nested:
        desc = [d for d in desc if d[0].count(".") == 1]
    convs = [d for d in desc if d[1] == "Conv2d"]
    pools = [d for d in desc if d[1] in ("MaxPool2d", "AvgPool2d")]
    later = [d for d in convs if _conv_index(d[0]) > 0]
    per_block = [block_of(d) for d in pools]
    return [
        Hint("one pooling layer per block, after the last convolution: yours has one after every convolution.",
             when=lambda g, w: len(per_block) != len(set(per_block))),
        Hint("the second and later convolutions of a block receive out_channels channels: update the channel "
             "count inside the loop.", when=lambda g, w: any(d[2].get("in_channels") != d[2].get("out_channels")
                                                             for d in later)),
        Hint("the 3×3 convolutions need padding=1 to keep h and w.",
             when=lambda g, w: any(nets._norm(d[2]).get("padding") == (0, 0) for d in convs)),
        Hint("the pooling is MaxPool2d(kernel_size=2, stride=2) (floor: 7 → 3).",
             when=lambda g, w: any(d[1] == "AvgPool2d" or nets._norm(d[2]).get("kernel_size") != (2, 2)
                                   or nets._norm(d[2]).get("stride") != (2, 2) or d[2].get("ceil_mode")
                                   for d in pools)),
    ]


def _build_block(kata, n, c_in, c_out):
    return nets.build(kata, "vgg_block", n, c_in, c_out)


# ----------------------------------------------------------------------------------------------- vgg_block
@settings(max_examples=15)
@given(n=st.integers(1, 3), c_in=st.integers(1, 5), c_out=st.integers(1, 6))
@example(n=1, c_in=1, c_out=64)
@example(n=2, c_in=3, c_out=8)
@example(n=3, c_in=2, c_out=5)
def test_vgg_block_structure(kata, n, c_in, c_out):
    """vgg_block(num_convs, in, out) is num_convs × [Conv2d(3, padding 1), ReLU] then one MaxPool2d(2, 2)"""
    net = _build_block(kata, n, c_in, c_out)
    _expect_book_structure(kata, net, book_vgg_block(n, c_in, c_out),
                           f"vgg_block({n}, {c_in}, {c_out})'s layers are the book's",
                           inputs={"call": f"vgg_block({n}, {c_in}, {c_out})"}, hints=_structure_hints(c_in))


@settings(max_examples=15)
@given(n=st.integers(1, 4), c_in=st.integers(1, 8), c_out=st.integers(1, 8))
@example(n=1, c_in=1, c_out=64)
@example(n=2, c_in=3, c_out=8)
def test_vgg_block_parameter_count(kata, n, c_in, c_out):
    """vgg_block(num_convs, in, out) has out·(9·in + 1) + (num_convs − 1)·out·(9·out + 1) parameters"""
    net = _build_block(kata, n, c_in, c_out)
    desc = nets.describe(kata, net)
    nets.expect_parameter_count(kata, net, block_count(n, c_in, c_out),
                                f"vgg_block({n}, {c_in}, {c_out}) has the book's number of parameters",
                                inputs={"call": f"vgg_block({n}, {c_in}, {c_out})"}, hints=_block_hints(desc))


@settings(max_examples=15)
@given(n=st.integers(1, 3), c_in=st.integers(1, 3), c_out=st.integers(1, 4), b=st.integers(1, 2),
       h=st.integers(2, 9), w=st.integers(2, 9))
@example(n=2, c_in=3, c_out=8, b=4, h=7, w=5)
@example(n=1, c_in=1, c_out=2, b=1, h=2, w=2)
def test_vgg_block_output_shape(kata, n, c_in, c_out, b, h, w):
    """vgg_block(num_convs, in, out) maps (b, in, h, w) to (b, out, ⌊h/2⌋, ⌊w/2⌋), odd sizes included"""
    net = _build_block(kata, n, c_in, c_out)
    desc = nets.describe(kata, net)
    got = run_beside(kata, probes.forward_shape, net, (b, c_in, h, w))
    expect(got == (b, c_out, h // 2, w // 2), f"vgg_block({n}, {c_in}, {c_out}) halves h and w (rounding down)",
           inputs={"call": f"vgg_block({n}, {c_in}, {c_out})", "X": f"zeros({b}, {c_in}, {h}, {w})"},
           expected=(b, c_out, h // 2, w // 2), got=got, hints=_block_hints(desc))


@pytest.mark.core
@settings(max_examples=10)
@given(n=st.integers(1, 3), c_in=st.integers(1, 3), c_out=st.integers(1, 4), h=st.integers(2, 8),
       w=st.integers(2, 8), seed=st.integers(0, 2**16))
@example(n=2, c_in=3, c_out=8, h=6, w=7, seed=1)
@example(n=1, c_in=1, c_out=4, h=4, w=4, seed=2)
@example(n=3, c_in=2, c_out=3, h=5, w=8, seed=3)
def test_vgg_block_same_outputs_as_the_book(kata, n, c_in, c_out, h, w, seed):
    """With the same weights, vgg_block(num_convs, in, out) computes the book's block"""
    net = _build_block(kata, n, c_in, c_out)
    desc = nets.describe(kata, net)
    X = torch.randn(3, c_in, h, w, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    inputs = {"call": f"vgg_block({n}, {c_in}, {c_out})"}
    try:
        nets.expect_same_outputs(kata, net, book_vgg_block(n, c_in, c_out), X,
                                 f"vgg_block({n}, {c_in}, {c_out}) computes the book's block", seed=seed,
                                 inputs=inputs, hints=_block_hints(desc))
    except RuntimeError as e:
        fail(f"vgg_block({n}, {c_in}, {c_out}) computes the book's block", inputs={**inputs, "X": X},
             expected=f"an output of shape {(3, c_out, h // 2, w // 2)}", got=f"RuntimeError: {str(e)[:300]}",
             hints=_block_hints(desc))


# ----------------------------------------------------------------------------------------------- vgg: structure
def _build(kata, arch, **kwargs):
    return nets.build(kata, "vgg", arch, device="meta", **kwargs)


def test_vgg_structure(kata):
    """vgg(conv_arch) is the book's net: its blocks, Flatten, Linear(c_last·7·7, 4096), …, Linear(4096, 10)"""
    for arch, kwargs in ((SMALL, {}), (VGG11, {}), (((2, 4), (1, 8), (2, 6)), {"in_channels": 3, "num_classes": 7})):
        call = f"vgg({arch}{''.join(f', {k}={v}' for k, v in kwargs.items())}) (built on meta)"
        net = _build(kata, arch, **kwargs)
        _expect_book_structure(kata, net, _meta(book_vgg, arch, **kwargs), "vgg(conv_arch)'s modules are the book's, "
                               "in the book's order (blocks nested)", inputs={"call": call}, deep=True,
                               hints=_structure_hints(kwargs.get("in_channels", 1)))


def test_vgg_parameter_counts(kata):
    """VGG-11 has 128,806,154 parameters, the ratio-4 net 43,093,322 and vgg(((1, 8), (1, 16))) 20,038,890"""
    for name, arch in (("VGG-11", VGG11), ("the ratio-4 net", RATIO4), ("vgg(((1, 8), (1, 16)))", SMALL)):
        net = _build(kata, arch)
        want = vgg_count(arch)
        nets.expect_parameter_count(
            kata, net, want, f"{name} has the book's number of parameters", inputs={"conv_arch": arch},
            hints=[Hint("512·7·7·4096 + 4096 = 102,764,544 of them are the first Linear's, if c_last = 512: "
                        "its width must follow conv_arch (c_last·7·7), not a hard-coded 512·7·7.",
                        when=lambda g, w: arch != VGG11 and g == f"{want + 4096 * 49 * (512 - arch[-1][1]):,} "
                                                                 "parameters")])


@settings(max_examples=10)
@given(arch=ARCHS, in_channels=st.integers(1, 4), num_classes=st.integers(1, 20))
@example(arch=((2, 4), (1, 8), (2, 6)), in_channels=3, num_classes=7)
def test_vgg_parameter_count_any_arch(kata, arch, in_channels, num_classes):
    """vgg(conv_arch, in_channels, num_classes) has the closed-form number of parameters for any conv_arch"""
    net = _build(kata, arch, in_channels=in_channels, num_classes=num_classes)
    nets.expect_parameter_count(kata, net, vgg_count(arch, in_channels, num_classes),
                                "vgg(conv_arch, in_channels, num_classes) has the book's number of parameters",
                                inputs={"call": f"vgg({arch}, in_channels={in_channels}, num_classes={num_classes})"},
                                hints=[Hint("the blocks, the first Linear (c_last·7·7 inputs) and the last Linear "
                                            "(num_classes outputs) all depend on the arguments.")])


def test_vgg11_shape_table(kata):
    """for blk in vgg(VGG-11): X = blk(X) prints the book's table at 224 px: 112, 56, 28, 14, 7, then (1, 25088)"""
    net = _build(kata, VGG11)
    want = [(1, 64, 112, 112), (1, 128, 56, 56), (1, 256, 28, 28), (1, 512, 14, 14), (1, 512, 7, 7), (1, 25088)] \
        + [(1, 4096)] * 6 + [(1, 10)]
    nets.expect_child_shapes(kata, net, (1, 1, 224, 224), want, "VGG-11's shape table at 224 px is the book's "
                             "(d2l §7.2.2)", inputs={"conv_arch": VGG11},
                             hints=[Hint("each block halves h and w exactly once: one MaxPool2d per block, and "
                                         "padding=1 on the 3×3 convolutions.")])


@settings(max_examples=8)
@given(arch=ARCHS, b=st.integers(1, 3))
@example(arch=SMALL, b=2)
def test_vgg_input_side(kata, arch, b):
    """vgg(conv_arch) maps (b, 1, 7·2^k, 7·2^k) images (k = len(conv_arch)) to (b, 10) class scores"""
    net = _build(kata, arch)
    side = 7 * 2 ** len(arch)
    got = run_beside(kata, probes.forward_shape, net, (b, 1, side, side))
    expect(got == (b, 10), f"vgg(conv_arch) with {len(arch)} block(s) accepts {side}×{side} inputs",
           inputs={"conv_arch": arch, "X": f"zeros({b}, 1, {side}, {side}) on meta"}, expected=(b, 10), got=got,
           hints=[Hint("the first Linear takes c_last·7·7 inputs (c_last = conv_arch[-1][1]): 512·7·7 only fits "
                       "VGG-11.", when=lambda g, w: isinstance(g, str) and "25088" in g),
                  Hint("each block must halve h and w exactly once (one MaxPool2d per block, padding=1 on the "
                       "convolutions), so that 7·2^k px reach 7×7.")])


# ----------------------------------------------------------------------------------------------- vgg: same function
def _load_prefix(kata, net, weights, n, prop, inputs, hints=()):
    """Load the float64 ``weights`` of the first ``n`` children into the learner's meta net (materialising them on
    the CPU); the other keys of the learner's net may stay on meta. Mismatching keys fail with both lists."""
    try:
        result = net.load_state_dict(weights, strict=False, assign=True)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected=f"the book's parameter shapes for the children 0…{n - 1}",
             got=str(e).split("\n\t", 1)[-1][:600], hints=list(hints))
    missing, unexpected = list(result[0]), list(result[1])    # (the net's keys not in weights, and vice versa)
    missing = [k for k in missing if k.split(".", 1)[0].isdigit() and int(k.split(".", 1)[0]) < n]
    if missing or unexpected:
        fail(prop, inputs=inputs, expected=f"the book's state_dict keys for the children 0…{n - 1} (0.0.weight, "
             "0.0.bias, …)", got=f"keys of yours the book lacks: {missing[:8]}; the book's keys your net lacks: "
             f"{unexpected[:8]}",
             hints=list(hints) + ["the top-level children must be the book's blocks in the book's order (the "
                                  "state_dict keys follow from it: '0.0.weight', '1.0.weight', …)."])


def _expect_same_prefix(kata, net, ref, n, X, prop, *, seed, hints=()):
    """The learner's first ``n`` children, fed one after the other, compute the reference's ``n`` children with the
    same He-normal float64 weights; the first child whose output differs is named."""
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
            fail(prop, inputs=inputs, expected=f"at least {n} top-level children", got=f"{i} children", hints=hints)
        with torch.no_grad():
            want = ref[i](want)
        try:
            with torch.no_grad():      # (an in-place ReLU on a tensor that came back from the sandbox)
                got = layer(got)
        except RuntimeError as e:
            fail(prop, inputs=inputs, expected=f"after child {i} ({type(ref[i]).__name__}): shape "
                 f"{tuple(want.shape)}", got=f"RuntimeError: {str(e)[:300]}", hints=hints)
        expect_close(got, want, f"{prop}: the output after child {i} ({type(ref[i]).__name__}) equals the book's "
                     f"(the same weights, float64, eval mode)", inputs=inputs,
                     atol=1e-8 * (1 + float(want.abs().max())), rtol=1e-7, hints=hints)
    return got


@pytest.mark.core
@pytest.mark.weight(2)
def test_vgg_same_features_as_the_book(kata):
    """With the book's weights, vgg(conv_arch)'s blocks compute the book's features (28 and 56 px inputs)"""
    cases = ((SMALL, {}, (3, 1, 28, 28), 11), (((2, 4), (1, 8), (2, 6)), {"in_channels": 3}, (2, 3, 56, 56), 12))
    for arch, kwargs, shape, seed in cases:
        X = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        net = _build(kata, arch, **kwargs)
        desc = nets.describe(kata, net, deep=True)
        ref = nn.Sequential(*list(_meta(book_vgg, arch, **kwargs))[:len(arch) + 1])
        call = f"vgg({arch}{''.join(f', {k}={v}' for k, v in kwargs.items())})"
        got = _expect_same_prefix(kata, net, ref, len(arch) + 1, X, f"{call}'s blocks and Flatten compute the "
                                  "book's features", seed=seed, hints=_block_hints(desc, nested=True))
        want = arch[-1][1] * 49
        expect(got.shape == (shape[0], want), f"the flattened features of {call} have c_last·7·7 = {want} entries",
               inputs={"X": X}, expected=(shape[0], want), got=tuple(got.shape))
