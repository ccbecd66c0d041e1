"""Graders for ch7/densenet.py (conv_block, DenseBlock, transition_block, densenet).

Oracles: the book's code (d2l-zh §7.7, PyTorch tab) written out below (``ref_conv_block``, ``RefDenseBlock``,
``ref_transition_block``, ``ref_densenet`` — the book's network loop with d2l-en's arguments), run in float64 with the
same variance-preserving weights as the learner's net (``tests.nets.expect_same_outputs``: He-normal convolutions,
BatchNorm γ, β and running statistics from a seeded generator). BatchNorm nets are compared in train mode and then
in eval mode (the running statistics of the train pass decide the eval pass), and whole nets at an input whose last
map is larger than 1×1 (otherwise global max and average pooling agree). Tolerance: float64,
|got − want| ≤ 1e-8·(1 + max|want|) + 1e-7·|want| (summation order only).

The concatenation order is checked twice: by the values (the reference with ``cat((Y, X))`` gives the permuted
output, and a hint names it when the learner's output matches) and by the book's invariant Y[:, :c_in] == X.
Structural mistakes (conv_block inputs not accumulated, post-activation, a transition without pooling or after the
last block, channels not halved with ``c // 2``) are recognised from the layer descriptions and named in the
feedback of every test they break.

The full DenseNet is only built on the ``meta`` device (758,226 parameters): count, channel progression, the book's
shape table at 96 px and the fingerprint of every layer by dotted name. The functional comparisons run on small
nets built by the learner's own ``densenet``.

Training check (contract's measured table): densenet(16, 8, (2, 2)) (7,770 parameters), hand-written Adam
(tests/shippable_nets.Trainer: Xavier re-initialisation and shuffling from the seed), lr 0.003, batch 64, 10 epochs
on raw 8×8 digits; the best eval-mode test accuracy of epochs 8–10 must reach 0.90 (worst of 100 seeds: 0.931).
"""
import re

import pytest
import torch
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, fail, is_instance, run_beside, type_name
from tests import shippable_nets as probes
from tests.helpers import accuracy_of, call, digit_images, gen, near, seed_global
from tests.nets import (build, describe, expect_child_shapes, expect_parameter_count, expect_same_outputs,
                        expect_structure, variance_preserving_weights)


# ================================================================================================ the book's code
def ref_conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """The book's DenseBlock (d2l-zh §7.7.2); ``mistake="cat_yx"`` concatenates (Y, X) (for hints only). Named like
    the book's class because the graders compare type names."""

    def __init__(self, num_convs, input_channels, num_channels, mistake=None):
        super().__init__()
        layer = []
        for i in range(num_convs):
            layer.append(ref_conv_block(num_channels * i + input_channels, num_channels))
        self.net = nn.Sequential(*layer)
        self.mistake = mistake

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((Y, X) if self.mistake == "cat_yx" else (X, Y), dim=1)
        return X


RefDenseBlock = DenseBlock


def ref_transition_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                         nn.Conv2d(input_channels, num_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))


def ref_densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10, mistake=None):
    b1 = nn.Sequential(nn.Conv2d(in_channels, num_channels, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(num_channels), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    blks = []
    for i, num_convs in enumerate(arch):
        blks.append(RefDenseBlock(num_convs, num_channels, growth_rate, mistake=mistake))
        num_channels += num_convs * growth_rate
        if i != len(arch) - 1:
            blks.append(ref_transition_block(num_channels, num_channels // 2))
            num_channels = num_channels // 2
    return nn.Sequential(b1, *blks, nn.BatchNorm2d(num_channels), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)),
                         nn.Flatten(), nn.Linear(num_channels, num_classes))


def _meta(fn, *args, **kwargs):
    with torch.device("meta"):
        return fn(*args, **kwargs)


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _shown(Y):
    """"float32 (4, 23, 8, 8)" for a tensor, the value itself otherwise."""
    if isinstance(Y, torch.Tensor):
        return f"{str(Y.dtype).replace('torch.', '')} {tuple(Y.shape)}"
    return Y


def _x(shape, seed, dtype=torch.float64):
    return torch.randn(shape, generator=gen(seed), dtype=dtype)


# ================================================================================================ hints
ACCUM = ("the conv_blocks do not see the growing input: block i takes input_channels + i * num_channels channels "
         "(the input and every block's output so far): conv_block(input_channels + i * num_channels, num_channels).")
CAT_ORDER = ("the channels are permuted: concatenate the input first, torch.cat((X, Y), dim=1), so that the first "
             "input_channels channels of the output are the input itself and the new channels follow in order.")
NOT_REGISTERED = ("the conv_blocks are not registered (a Python list hides their parameters from parameters(), "
                  "state_dict() and to()): keep them in self.net = nn.Sequential(*blocks).")
NET_NAME = ("DenseBlock keeps its conv_blocks in the attribute self.net (an nn.Sequential; the book's name makes the "
            "state_dict keys net.0.0.weight, …).")
LAST_Y = ("return the concatenation X — the input and all the new channels, input_channels + num_convs * "
          "num_channels in all — not only the new channels.")
PRE_ACT = ("conv_block is pre-activation: BatchNorm2d(input_channels), ReLU(), then Conv2d(input_channels, "
           "num_channels, 3, padding=1) — the BatchNorm and ReLU come before the convolution.")
PAD = "padding=1 keeps the height and width: Conv2d(input_channels, num_channels, kernel_size=3, padding=1)."
TRANS_POOL = "the transition halves the height and width: it ends with AvgPool2d(kernel_size=2, stride=2)."
TRANS_AVG = "the transition uses average pooling, AvgPool2d(kernel_size=2, stride=2), not max pooling."
TRANS_1X1 = "the transition's convolution is 1×1: Conv2d(input_channels, num_channels, kernel_size=1)."
TRANS_PRE = "the transition starts with BatchNorm2d(input_channels) and ReLU(), before its 1×1 convolution."
LAST_TRANS = ("no transition after the last dense block: it is followed by BatchNorm2d(c), ReLU(), "
              "AdaptiveAvgPool2d((1, 1)), Flatten(), Linear(c, num_classes).")
HALVE = ("each transition halves the channels with integer division: transition_block(c, c // 2), then c = c // 2 "
         "(23 channels become 11).")
GROWTH = ("after a dense block the channels have grown by num_convs * growth_rate (one growth_rate per conv_block): "
          "c += num_convs * growth_rate.")
HEAD = "the head is BatchNorm2d(c), ReLU(), AdaptiveAvgPool2d((1, 1)), Flatten(), Linear(c, num_classes)."

LEAVES = {"Conv2d", "BatchNorm2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
          "Flatten", "ReLU"}
WEIGHTED = ("Conv", "BatchNorm", "Linear", "Lazy", "LayerNorm", "GroupNorm", "InstanceNorm")
_PAIRS = ("kernel_size", "stride", "padding", "dilation", "output_size")


def _norm(hyper: dict) -> dict:
    return {k: ((v, v) if k in _PAIRS and isinstance(v, int) else v) for k, v in hyper.items()}


def _show(desc) -> str:
    if desc is None:
        return "none"
    tname, hyper, bias = desc[:3]
    skip = {"dilation": (1, 1), "groups": 1, "padding_mode": "zeros", "ceil_mode": False, "affine": True,
            "track_running_stats": True, "count_include_pad": True, "end_dim": -1, "divisor_override": None}
    args = ", ".join(f"{k}={v}" for k, v in _norm(hyper).items() if skip.get(k, object()) != v)
    if bias is False:
        args += (", " if args else "") + "bias=False"
    return f"{tname}({args})"


def _fingerprint(rows) -> dict:
    """{dotted name: (type, hyper-parameters, bias?)}; hyper-parameters only for plain layers (a learner's own
    container may keep extra attributes)."""
    return {name: ({"RefDenseBlock": "DenseBlock"}.get(t, t), _norm(h) if t in LEAVES else {},
                   b if t in LEAVES else None) for name, t, h, b, *_ in rows}


def _want_rows(ref, root=None):
    return ([("", root, {}, None)] if root else []) + probes.describe_modules(ref)


def _got_rows(kata, net, root=None):
    return ([("", root, {}, None)] if root else []) + list(describe(kata, net, deep=True))


def _uniq(hints) -> list:
    out, seen = [], set()
    for h in hints:
        text = h.text if isinstance(h, Hint) else h
        if text not in seen:
            seen.add(text)
            out.append(h)
    return out


def _tn(x) -> str:
    """The type name in a layer description: a probe row (name, type, …) or its text ("…: Conv2d(…)")."""
    if isinstance(x, tuple) and len(x) > 1:
        return str(x[1])
    return str(x).rpartition(": ")[2].partition("(")[0].strip() if x is not None else ""


def _hyper(x, key):
    if isinstance(x, tuple) and len(x) > 2 and isinstance(x[2], dict):
        return x[2].get(key)
    m = re.search(rf"\b{key}=(\d+)", str(x))
    return int(m.group(1)) if m else None


def expect_same_modules(got_rows, want_rows, prop, *, inputs=None, hints=()):
    """Every module of the reference exists under the same dotted name with the same type and hyper-parameters
    (order inside a block is free); extra modules are allowed only when they hold no weights."""
    got, want = _fingerprint(got_rows), _fingerprint(want_rows)

    def listing(prefix):
        return ", ".join(f"{n}: {_show(v)}" for n, v in got.items() if n and n.startswith(prefix))[:1200]

    for name, w in want.items():
        g = got.get(name)
        if g is None or g != w:
            parent = name.rpartition(".")[0]
            fail(prop, inputs=inputs, expected=f"{name or 'the block'}: {_show(w)}",
                 got=f"{name or 'the block'}: {_show(g)}" if g else f"no module named {name!r}",
                 detail=f"your modules{' under ' + repr(parent) if parent else ''}: "
                        f"{listing(parent + '.' if parent else '') or 'none'}",
                 hints=hints)
    for name, g in got.items():
        if name not in want and g[0].startswith(WEIGHTED):
            fail(prop, inputs=inputs, expected=f"no module named {name!r} (the reference has none)",
                 got=f"{name}: {_show(g)}",
                 detail="extra modules are allowed only without weights (an nn.ReLU() kept as an attribute)",
                 hints=hints)


def expect_children(kata, net, ref, prop, *, inputs=None, hints=()):
    """The top-level children have the reference's types in the reference's order, and plain layers its
    hyper-parameters (tests.nets.expect_structure would also compare attributes a learner's own DenseBlock may keep,
    such as an ``out_channels`` it computes for the builder). The first difference is shown."""
    got = [(n, t, _norm(h) if t in LEAVES else {}, b if t in LEAVES else None) for n, t, h, b, *_ in describe(kata, net)]
    want = [(n, {"RefDenseBlock": "DenseBlock"}.get(t, t), _norm(h) if t in LEAVES else {}, b if t in LEAVES else None)
            for n, t, h, b, *_ in probes.describe_children(ref)]
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g is None or w is None or g[1:] != w[1:] or g[0] != w[0]:
            fail(prop, inputs=inputs,
                 expected=f"layer {(w or g)[0]!r} (number {i} of {len(want)}): " + (_show(w[1:]) if w else
                                                                                    "no more layers"),
                 got=_show(g[1:]) if g else "no such layer (the net ends here)",
                 detail="the reference's layers: " + ", ".join(_show(d[1:]) for d in want[:24]),
                 hints=[h for h in hints if not isinstance(h, Hint) or h.applies(g, w)], hint_got=g, hint_expected=w)


def _seq_hints(got: dict, want: dict, prefix: str) -> list:
    """Hints for a conv_block / transition_block (an nn.Sequential at ``prefix``) from the fingerprints."""
    out = []
    types = lambda d: [d[k][0] for k in sorted((k for k in d if re.fullmatch(re.escape(prefix) + r"\d+", k)),
                                                 key=lambda k: int(k.rpartition(".")[2]))]
    g, w = types(got), types(want)
    if w[:3] == ["BatchNorm2d", "ReLU", "Conv2d"] and g != w:
        if "AvgPool2d" in w:
            if "MaxPool2d" in g:
                out.append(TRANS_AVG)
            elif not any("Pool" in t for t in g):
                out.append(TRANS_POOL)
            if g[:2] != ["BatchNorm2d", "ReLU"]:
                out.append(TRANS_PRE)
        elif sorted(g) == sorted(w) or (g and g[0] == "Conv2d") or "ReLU" not in g or "BatchNorm2d" not in g:
            out.append(PRE_ACT)
    conv_g, conv_w = got.get(prefix + "2"), want.get(prefix + "2")
    if conv_g and conv_w and conv_g[0] == conv_w[0] == "Conv2d":
        kg, kw = conv_g[1].get("kernel_size"), conv_w[1].get("kernel_size")
        if kw == (1, 1) and kg != kw:
            out.append(TRANS_1X1)
        if kw == (3, 3) and kg == kw and conv_g[1].get("padding") != conv_w[1].get("padding"):
            out.append(PAD)
    return out


def dense_hints(got: dict, want: dict, prefix: str = "") -> list:
    """Hints for a DenseBlock at ``prefix`` ("" for a block on its own, "1." inside densenet)."""
    out = []
    if prefix + "net" not in got:
        convs = [n for n, d in got.items() if n.startswith(prefix) and d[0] == "Conv2d"]
        out.append(NET_NAME if convs else NOT_REGISTERED)
        return out
    first = got.get(prefix + "net.0.0")
    c_in = first[1].get("num_features") if first and first[0] == "BatchNorm2d" else None
    i = 0
    while prefix + f"net.{i}" in want:
        bn_g = got.get(prefix + f"net.{i}.0")
        if i > 0 and c_in is not None and bn_g and bn_g[0] == "BatchNorm2d" \
                and bn_g[1].get("num_features") == c_in and ACCUM not in out:
            out.append(ACCUM)          # block i sees only the block's input: the channels were not accumulated
        out += [h for h in _seq_hints(got, want, prefix + f"net.{i}.") if h not in out]
        i += 1
    return out


def densenet_hints(got: dict, want: dict) -> list:
    out = []
    tops = lambda d: [d[k][0] for k in sorted((k for k in d if k.isdigit()), key=int)]
    g, w = tops(got), tops(want)
    blocks = [k for k in sorted((k for k in want if k.isdigit()), key=int) if want[k][0] == "DenseBlock"]
    trans = [str(int(b) + 1) for b in blocks[:-1]]
    last = str(int(blocks[-1]) + 1)
    if got.get(last, ("",))[0] == "Sequential" and got.get(last + ".2", ("",))[0] == "Conv2d":
        out.append(LAST_TRANS)
    elif g[int(last):int(last) + 2] != w[int(last):int(last) + 2]:
        out.append(HEAD)
    for b in blocks:
        out += [h for h in dense_hints(got, want, b + ".") if h not in out]
    for t in trans:
        out += [h for h in _seq_hints(got, want, t + ".") if h not in out]
        cg, cw = got.get(t + ".2"), want.get(t + ".2")
        bg, bw = got.get(t + ".0"), want.get(t + ".0")
        if bg and bw and bg[0] == bw[0] == "BatchNorm2d" and bg[1].get("num_features") != bw[1].get("num_features"):
            block = str(int(t) - 1) + "."
            first, conv = got.get(block + "net.0.0"), got.get(block + "net.0.2")
            k = sum(1 for n in got if re.fullmatch(re.escape(block) + r"net\.\d+", n))
            if first and conv and k > 1 and bg[1].get("num_features") == \
                    first[1].get("num_features", 0) + conv[1].get("out_channels", 0) and GROWTH not in out:
                out.append(GROWTH)     # the channels grew by one growth_rate per dense block
            break
        if cg and cw and cg[0] == cw[0] == "Conv2d" and cg[1].get("out_channels") != cw[1].get("out_channels"):
            if HALVE not in out:
                out.append(HALVE)
            break
    return out


def _value_hints(make_ref, X, seed):
    """The cat((Y, X)) mistake, computed with the same weights as expect_same_outputs (train, then eval mode)."""
    ref = make_ref(None).double()
    weights = variance_preserving_weights(ref, seed)
    bad = make_ref("cat_yx").double()
    bad.load_state_dict(weights)
    with torch.no_grad():
        bad.train()
        yt = bad(X)
        bad.eval()
        ye = bad(X)
    return [Hint(CAT_ORDER, when=lambda g, w: near(g, yt, 1e-7, rel=True) or near(g, ye, 1e-7, rel=True))]


def same_outputs(kata, net, ref, X, prop, *, seed, inputs, hints):
    """expect_same_outputs in train then eval mode; an exception in the learner's forward becomes a failure."""
    try:
        return expect_same_outputs(kata, net, ref, X, prop, seed=seed, modes=("train", "eval"), inputs=inputs,
                                   hints=hints)
    except (RuntimeError, TypeError, ValueError, IndexError) as e:
        fail(prop, inputs={**(inputs or {}), "X": X}, expected="an output", got=f"{type(e).__name__}: {e}",
             hints=hints)


# ================================================================================================ conv_block
def _conv_block(kata, i, c, device="cpu"):
    net = build(kata, "conv_block", i, c, device=device, prop=f"conv_block({i}, {c}) builds a block")
    expect(is_instance(net, nn.Sequential), f"conv_block({i}, {c}) returns an nn.Sequential",
           inputs={"call": f"conv_block({i}, {c})"}, expected="an nn.Sequential", got=type_name(net))
    return net


def test_conv_block_layers(kata):
    """conv_block(in, c) is BatchNorm2d(in), ReLU, Conv2d(in, c, 3, padding=1) (pre-activation), 9·in·c + c + 2·in parameters"""
    for i, c in ((3, 10), (13, 10), (1, 4), (64, 32)):
        net = _conv_block(kata, i, c, device="meta")
        ref = _meta(ref_conv_block, i, c)
        inputs = {"call": f"conv_block({i}, {c})"}
        hints = _seq_hints(_fingerprint(_got_rows(kata, net)), _fingerprint(_want_rows(ref)), "")
        expect_structure(kata, net, ref, f"conv_block({i}, {c}) has the book's layers", inputs=inputs,
                         hints=[Hint(h) for h in hints])
        expect_parameter_count(kata, net, _count(ref), f"conv_block({i}, {c}) has {_count(ref):,} parameters",
                               inputs=inputs)


def test_conv_block_keeps_the_size(kata):
    """conv_block(3, 10) maps (4, 3, 8, 8) to (4, 10, 8, 8) and (2, 3, 5, 7) to (2, 10, 5, 7), float32 in and out"""
    net = _conv_block(kata, 3, 10)
    for shape in ((4, 3, 8, 8), (2, 3, 5, 7)):
        want = (shape[0], 10) + shape[2:]
        prop = f"conv_block(3, 10) maps {shape} to {want}"
        Y = call(net, torch.rand(shape, generator=gen(2)), prop=prop, inputs={"X": f"float32 {shape}"})
        expect(isinstance(Y, torch.Tensor) and tuple(Y.shape) == want and Y.dtype == torch.float32, prop,
               inputs={"X": f"float32 {shape}"}, expected=f"float32 {want}",
               got=_shown(Y), hints=[PAD])


@pytest.mark.core
@settings(max_examples=5)
@given(i=st.integers(1, 6), c=st.integers(1, 6), n=st.integers(2, 3), h=st.integers(1, 6), w=st.integers(1, 6),
       seed=st.integers(0, 99))
@example(i=3, c=10, n=4, h=8, w=8, seed=0)
@example(i=5, c=2, n=2, h=3, w=6, seed=1)
def test_conv_block_matches_the_book(kata, i, c, n, h, w, seed):
    """conv_block equals the book's with the same weights, in train then eval mode"""
    net = _conv_block(kata, i, c)
    hints = _seq_hints(_fingerprint(_got_rows(kata, net)), _fingerprint(_want_rows(_meta(ref_conv_block, i, c))), "")
    same_outputs(kata, net, ref_conv_block(i, c), _x((n, i, h, w), seed), f"conv_block({i}, {c}) equals the book's",
                 seed=seed, inputs={"call": f"conv_block({i}, {c})"}, hints=hints)


# ================================================================================================ DenseBlock
def _dense(kata, k, i, c, device="cpu"):
    return build(kata, "DenseBlock", k, i, c, device=device, prop=f"DenseBlock({k}, {i}, {c}) builds a block")


def _dense_hints(kata, net, k, i, c):
    return dense_hints(_fingerprint(_got_rows(kata, net, "DenseBlock")),
                       _fingerprint(_want_rows(_meta(RefDenseBlock, k, i, c), "DenseBlock")))


def test_dense_block_layers(kata):
    """DenseBlock(num_convs, in, c).net holds conv_block(in + i·c, c) for i = 0 … num_convs − 1"""
    for k, i, c in ((2, 3, 10), (4, 64, 32), (3, 1, 2), (1, 5, 4)):
        net = _dense(kata, k, i, c, device="meta")
        ref = _meta(RefDenseBlock, k, i, c)
        inputs = {"call": f"DenseBlock({k}, {i}, {c})"}
        hints = _dense_hints(kata, net, k, i, c)
        expect_same_modules(_got_rows(kata, net, "DenseBlock"), _want_rows(ref, "DenseBlock"),
                            f"DenseBlock({k}, {i}, {c}) has the book's conv_blocks in self.net", inputs=inputs,
                            hints=hints)
        expect_parameter_count(kata, net, _count(ref), f"DenseBlock({k}, {i}, {c}) has {_count(ref):,} parameters",
                               inputs=inputs, hints=hints)


def test_dense_block_book_example(kata):
    """DenseBlock(2, 3, 10) maps (4, 3, 8, 8) to (4, 23, 8, 8), and its first 3 channels are the input itself"""
    net = _dense(kata, 2, 3, 10)
    hints = _dense_hints(kata, net, 2, 3, 10)
    for mode in ("train", "eval"):
        X = torch.randn(4, 3, 8, 8, generator=gen(4 if mode == "train" else 5))
        before = X.clone()
        inputs = {"block": f"DenseBlock(2, 3, 10) in {mode} mode", "X": before}
        net.train(mode == "train")
        Y = call(net, X, prop="DenseBlock(2, 3, 10)(X) runs", inputs=inputs, hints=hints)
        expect(isinstance(Y, torch.Tensor) and tuple(Y.shape) == (4, 23, 8, 8) and Y.dtype == torch.float32,
               "DenseBlock(2, 3, 10) maps a float32 (4, 3, 8, 8) batch to float32 (4, 23, 8, 8): 3 + 2·10 channels",
               inputs=inputs, expected="float32 (4, 23, 8, 8)",
               got=_shown(Y),
               hints=hints + [Hint(LAST_Y, when=lambda g, w: "(4, 10, 8, 8)" in str(g) or "(4, 20, 8, 8)" in str(g))])
        expect(torch.equal(X, before), "the caller's X is unchanged after DenseBlock(X)", inputs=inputs,
               expected=before, got=X, hints=["never write into X: torch.cat makes a new tensor."])
        head = Y[:, :3].detach()
        expect(torch.equal(head, X), "the first input_channels = 3 channels of DenseBlock(X) are X itself "
               "(cat((X, Y)): the input first)", inputs=inputs, expected=X, got=head,
               hints=[Hint(CAT_ORDER, when=lambda g, w, Y=Y, X=X: torch.equal(Y[:, -3:].detach(), X)), *hints])


@pytest.mark.core
@settings(max_examples=5)
@given(k=st.integers(1, 3), i=st.integers(1, 5), c=st.integers(1, 5), n=st.integers(2, 3), h=st.integers(1, 5),
       w=st.integers(1, 5), seed=st.integers(0, 99))
@example(k=2, i=3, c=10, n=4, h=8, w=8, seed=0)
@example(k=3, i=2, c=3, n=2, h=4, w=3, seed=1)
def test_dense_block_matches_the_book(kata, k, i, c, n, h, w, seed):
    """DenseBlock equals the book's with the same weights, in train then eval mode (channels in the book's order)"""
    net = _dense(kata, k, i, c)
    X = _x((n, i, h, w), seed)
    hints = _dense_hints(kata, net, k, i, c) + _value_hints(lambda m: RefDenseBlock(k, i, c, mistake=m), X, seed)
    same_outputs(kata, net, RefDenseBlock(k, i, c), X, f"DenseBlock({k}, {i}, {c}) equals the book's", seed=seed,
                 inputs={"call": f"DenseBlock({k}, {i}, {c})"}, hints=hints)


# ================================================================================================ transition_block
def _transition(kata, i, c, device="cpu"):
    net = build(kata, "transition_block", i, c, device=device, prop=f"transition_block({i}, {c}) builds a block")
    expect(is_instance(net, nn.Sequential), f"transition_block({i}, {c}) returns an nn.Sequential",
           inputs={"call": f"transition_block({i}, {c})"}, expected="an nn.Sequential", got=type_name(net))
    return net


def test_transition_block_layers(kata):
    """transition_block(in, c) is BatchNorm2d(in), ReLU, Conv2d(in, c, 1), AvgPool2d(2, stride=2); (23, 10): 286 parameters"""
    for i, c in ((23, 10), (192, 96), (5, 2), (1, 1)):
        net = _transition(kata, i, c, device="meta")
        ref = _meta(ref_transition_block, i, c)
        inputs = {"call": f"transition_block({i}, {c})"}
        hints = _seq_hints(_fingerprint(_got_rows(kata, net)), _fingerprint(_want_rows(ref)), "")
        expect_structure(kata, net, ref, f"transition_block({i}, {c}) has the book's layers", inputs=inputs,
                         hints=[Hint(h) for h in hints])
        expect_parameter_count(kata, net, _count(ref), f"transition_block({i}, {c}) has {_count(ref):,} parameters",
                               inputs=inputs, hints=hints)


def test_transition_block_halves_the_size(kata):
    """transition_block(23, 10) maps (4, 23, 8, 8) to (4, 10, 4, 4) and (2, 23, 7, 5) to (2, 10, 3, 2)"""
    net = _transition(kata, 23, 10)
    hints = _seq_hints(_fingerprint(_got_rows(kata, net)), _fingerprint(_want_rows(_meta(ref_transition_block, 23,
                                                                                          10))), "")
    for shape, want in (((4, 23, 8, 8), (4, 10, 4, 4)), ((2, 23, 7, 5), (2, 10, 3, 2))):
        prop = f"transition_block(23, 10) maps {shape} to {want}"
        Y = call(net, torch.rand(shape, generator=gen(3)), prop=prop, inputs={"X": f"float32 {shape}"}, hints=hints)
        expect(isinstance(Y, torch.Tensor) and tuple(Y.shape) == want and Y.dtype == torch.float32, prop,
               inputs={"X": f"float32 {shape}"}, expected=f"float32 {want}",
               got=_shown(Y),
               hints=hints or [TRANS_POOL])


@pytest.mark.core
@settings(max_examples=5)
@given(i=st.integers(1, 8), c=st.integers(1, 6), n=st.integers(2, 3), h=st.integers(2, 7), w=st.integers(2, 7),
       seed=st.integers(0, 99))
@example(i=23, c=10, n=4, h=8, w=8, seed=0)
@example(i=5, c=2, n=2, h=5, w=4, seed=1)
def test_transition_block_matches_the_book(kata, i, c, n, h, w, seed):
    """transition_block equals the book's with the same weights, in train then eval mode"""
    net = _transition(kata, i, c)
    hints = _seq_hints(_fingerprint(_got_rows(kata, net)), _fingerprint(_want_rows(_meta(ref_transition_block, i,
                                                                                          c))), "")
    same_outputs(kata, net, ref_transition_block(i, c), _x((n, i, h, w), seed),
                 f"transition_block({i}, {c}) equals the book's", seed=seed,
                 inputs={"call": f"transition_block({i}, {c})"}, hints=hints)


# ================================================================================================ densenet
DEFAULTS = {"num_channels": 64, "growth_rate": 32, "arch": (4, 4, 4, 4), "in_channels": 1, "num_classes": 10}


def _call_densenet(kwargs):
    return "densenet(" + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


def _densenet_hints(kata, net, kwargs):
    return densenet_hints(_fingerprint(_got_rows(kata, net)),
                          _fingerprint(_want_rows(_meta(ref_densenet, **{**DEFAULTS, **kwargs}))))


TOP_HINTS = [
    Hint("b1 is one child: nn.Sequential(Conv2d(in_channels, num_channels, 7, stride=2, padding=3), "
         "BatchNorm2d(num_channels), ReLU(), MaxPool2d(3, stride=2, padding=1)).",
         when=lambda g, w: _tn(g) == "Conv2d" and _tn(w) == "Sequential"
         and ((isinstance(w, tuple) and w[0] == "0") or "layer '0'" in str(w))),
    Hint("global average pooling is nn.AdaptiveAvgPool2d((1, 1)) (not max pooling).",
         when=lambda g, w: _tn(w) == "AdaptiveAvgPool2d" and "Pool" in _tn(g) and _tn(g) != _tn(w)),
    Hint("the last Linear takes the channels of the last dense block (c after the loop), not a fixed number.",
         when=lambda g, w: _tn(g) == "Linear" == _tn(w) and _hyper(g, "in_features") != _hyper(w, "in_features")),
    Hint("num_classes reaches the last layer: Linear(c, num_classes).",
         when=lambda g, w: _tn(g) == "Linear" == _tn(w) and _hyper(g, "out_features") != _hyper(w, "out_features")),
    Hint("in_channels reaches b1's first layer: Conv2d(in_channels, num_channels, 7, stride=2, padding=3).",
         when=lambda g, w: _tn(g) == "Conv2d" == _tn(w) and _hyper(g, "in_channels") != _hyper(w, "in_channels")),
]


def _densenet_net_hints(kata, net, kwargs):
    """Structural hints, plus the in_channels / num_classes ones (from the fingerprints)."""
    out = _densenet_hints(kata, net, kwargs)
    got = _fingerprint(_got_rows(kata, net))
    full = {**DEFAULTS, **kwargs}
    if got.get("0.0") and got["0.0"][0] == "Conv2d" and got["0.0"][1].get("in_channels") != full["in_channels"]:
        out.append("in_channels reaches b1's first layer: Conv2d(in_channels, num_channels, 7, stride=2, padding=3).")
    lin = [d for n, d in got.items() if n.isdigit() and d[0] == "Linear"]
    if lin and lin[-1][1].get("out_features") != full["num_classes"]:
        out.append("num_classes reaches the last layer: Linear(c, num_classes).")
    return out


def test_densenet_structure(kata):
    """densenet(...) is Sequential(b1, DenseBlock, transition, …, DenseBlock, BatchNorm2d, ReLU, AdaptiveAvgPool2d, Flatten, Linear)"""
    for kwargs in ({}, {"num_channels": 16, "growth_rate": 8, "arch": (2, 3, 1), "in_channels": 3, "num_classes": 5},
                   {"num_channels": 8, "growth_rate": 3, "arch": (1, 1)}, {"arch": (2,)}):
        shown = _call_densenet(kwargs)
        net = build(kata, "densenet", device="meta", **kwargs)
        ref = _meta(ref_densenet, **{**DEFAULTS, **kwargs})
        inputs = {"call": shown}
        expect(is_instance(net, nn.Sequential), f"{shown} returns an nn.Sequential", inputs=inputs,
               expected="an nn.Sequential", got=type_name(net))
        hints = _densenet_net_hints(kata, net, kwargs)
        expect_children(kata, net, ref, f"{shown} has the book's top-level children", inputs=inputs,
                        hints=_uniq(TOP_HINTS + [Hint(h) for h in hints]))
        expect_same_modules(_got_rows(kata, net), _want_rows(ref), f"{shown} has the book's layers", inputs=inputs,
                            hints=hints)


def test_densenet_parameter_counts(kata):
    """densenet() has 758,226 parameters; densenet(16, 8, (2, 2)) 7,770; custom arguments are honoured"""
    for kwargs, want in (({}, 758226), ({"num_channels": 16, "growth_rate": 8, "arch": (2, 2)}, 7770),
                         ({"in_channels": 3, "num_classes": 100}, None), ({"num_channels": 8, "growth_rate": 3,
                                                                          "arch": (1, 1)}, None)):
        shown = _call_densenet(kwargs)
        net = build(kata, "densenet", device="meta", **kwargs)
        want = want or _count(_meta(ref_densenet, **{**DEFAULTS, **kwargs}))
        expect_parameter_count(kata, net, want, f"{shown} has {want:,} parameters", inputs={"call": shown},
                               hints=_densenet_net_hints(kata, net, kwargs))


def test_densenet_shape_table(kata):
    """densenet()'s shape table at 96 px: channels 64 → 192 → 96 → 224 → 112 → 240 → 120 → 248, maps 24 → 12 → 6 → 3"""
    net = build(kata, "densenet", device="meta")
    expect_child_shapes(kata, net, (1, 1, 96, 96),
                        [(1, 64, 24, 24), (1, 192, 24, 24), (1, 96, 12, 12), (1, 224, 12, 12), (1, 112, 6, 6),
                         (1, 240, 6, 6), (1, 120, 3, 3), (1, 248, 3, 3), (1, 248, 3, 3), (1, 248, 3, 3),
                         (1, 248, 1, 1), (1, 248), (1, 10)],
                        "for layer in densenet(): X = layer(X) prints the book's shape table (96 px)",
                        inputs={"net": "densenet() on the meta device"}, hints=_densenet_net_hints(kata, net, {}))


@pytest.mark.core
@settings(max_examples=3)
@given(nc0=st.integers(2, 8), gr=st.integers(1, 5), arch=st.lists(st.integers(1, 2), min_size=1, max_size=3).map(tuple),
       ic=st.integers(1, 3), ncls=st.integers(2, 5), seed=st.integers(0, 99))
@example(nc0=8, gr=4, arch=(2, 2), ic=1, ncls=10, seed=0)
@example(nc0=7, gr=3, arch=(1, 2, 1), ic=2, ncls=3, seed=1)
def test_densenet_matches_the_book(kata, nc0, gr, arch, ic, ncls, seed):
    """densenet(...) equals the book's DenseNet with the same weights, in train then eval mode"""
    kwargs = {"num_channels": nc0, "growth_rate": gr, "arch": arch, "in_channels": ic, "num_classes": ncls}
    shown = _call_densenet(kwargs)
    net = build(kata, "densenet", **kwargs)
    size = 4 * 2 ** len(arch)          # b1 divides by 4, each transition by 2: the last map is 2×2
    X = _x((2, ic, size, size), seed)
    hints = _densenet_net_hints(kata, net, kwargs) + _value_hints(lambda m: ref_densenet(**kwargs, mistake=m), X,
                                                                  seed)
    same_outputs(kata, net, ref_densenet(**kwargs), X, f"{shown} equals the book's DenseNet", seed=seed,
                 inputs={"call": shown}, hints=hints)


# ================================================================================================ training
@pytest.mark.weight(2)
def test_tiny_densenet_learns_the_digits(kata, stat_seed):
    """A tiny DenseNet, densenet(16, 8, (2, 2)), learns the 8×8 digits: eval accuracy ≥ 0.90 (best of epochs 8–10)"""
    kwargs = {"num_channels": 16, "growth_rate": 8, "arch": (2, 2)}
    inputs = {"net": "densenet(16, 8, (2, 2))", "recipe": "Xavier init, Adam lr 0.003, batch 64, 10 epochs, "
              "raw 8×8 digits (1,348 train / 449 test)"}
    # first the (cheap) forward pass against the book's net, so that a wrong block fails here, not after training
    check = build(kata, "densenet", 16, 8, (2, 2))
    same_outputs(kata, check, ref_densenet(**kwargs), _x((4, 1, 8, 8), 3),
                 "the tiny DenseNet equals the book's (checked before training)", seed=3,
                 inputs={"net": inputs["net"]}, hints=_densenet_net_hints(kata, check, kwargs))
    seed = 1000 * 4 + stat_seed
    seed_global(seed)
    net = build(kata, "densenet", 16, 8, (2, 2))
    expect_parameter_count(kata, net, 7770, "densenet(16, 8, (2, 2)) has 7,770 parameters", inputs=inputs)
    X, y, Xt, yt = digit_images(8, raw=True)
    trainer = run_beside(kata, probes.Trainer, net, X, y, 0.003, 64, seed)
    accs = []
    for epoch in range(10):
        call(trainer.epoch, prop="the tiny DenseNet trains (forward and backward in train mode)", inputs=inputs)
        if epoch >= 7:
            net.eval()
            with torch.no_grad():
                out = net(Xt)
            accs.append(accuracy_of(out, yt))
    expect(max(accs) >= 0.90, "the tiny DenseNet reaches ≥ 0.90 test accuracy (best eval accuracy of epochs 8–10)",
           inputs={**inputs, "seed": seed}, expected="≥ 0.90 (the book's net: 0.93–0.98 over 100 seeds)",
           got=f"epochs 8–10: {', '.join(f'{a:.3f}' for a in accs)}",
           hints=[("the net trains but does not learn: compare the dense block and the transitions with the book "
                  "(pre-activation BN → ReLU → conv; input channels first in the concatenation).")])
