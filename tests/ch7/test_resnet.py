"""Graders for ch7/resnet.py (Residual, resnet_block, resnet, resnet18).

Oracles: the book's code (d2l-zh §7.6, PyTorch tab) written out below (``RefResidual``, ``ref_resnet_block``,
``ref_resnet``), run in float64 with the same variance-preserving weights as the learner's net
(``tests.nets.expect_same_outputs``: He-normal convolutions, BatchNorm γ, β and running statistics drawn from a
seeded generator — with PyTorch's default init a deep net's output barely depends on its input). BatchNorm nets are
compared in train mode and then in eval mode (the running statistics of the train pass decide the eval pass), and
nets with global pooling at least once where the last map is larger than 1×1 (otherwise global max and average
pooling agree). Tolerance: float64, |got − want| ≤ 1e-8·(1 + max|want|) + 1e-7·|want| (summation order only).

The same reference, with one classic mistake switched on (``RefResidual(..., mistake=...)``), computes what each
mistake would output; a hint names the mistake when the learner's output matches it. Structural mistakes (the
stride on conv2, a BatchNorm on the 1×1 shortcut, first_block ignored, one BatchNorm shared, …) are recognised from
the layer descriptions (tests/shippable_nets probes) and named in the feedback of every test they break.

ResNet-18 itself is only built on the ``meta`` device (11,178,378 parameters; a CPU build plus a float64 forward
costs seconds): its parameter count, the book's shape tables at 224 and 96 px and the full fingerprint of every
layer (type and hyper-parameters, by dotted name) are compared with the reference. The functional comparisons run
on small nets built by the learner's own ``resnet``.

Training check (contract's measured table): resnet(((1, 16), (1, 32))) (20,426 parameters), hand-written Adam
(tests/shippable_nets.Trainer: Xavier re-initialisation and shuffling from the seed), lr 0.003, batch 64, 10 epochs
on raw 8×8 digits; the best eval-mode test accuracy of epochs 8–10 must reach 0.90 (worst of 100 seeds: 0.942).
"""
import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, fail, is_instance, run_beside, type_name
from tests import shippable_nets as probes
from tests.helpers import accuracy_of, call, digit_images, gen, near, seed_global
from tests.nets import (build, describe, expect_child_shapes, expect_parameter_count, expect_same_outputs,
                        expect_structure, load_weights, variance_preserving_weights)


# ================================================================================================ the book's code
class RefResidual(nn.Module):
    """The book's Residual (d2l-zh §7.6.2). ``mistake`` switches on one classic mistake (for hints only)."""

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1, mistake=None):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.mistake = mistake

    def forward(self, X):
        m = self.mistake
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.conv2(Y)
        shortcut = self.conv3(X) if self.conv3 is not None else X
        if m == "relu_shortcut":
            shortcut = F.relu(shortcut)
        if m == "bn2_after_add":
            return F.relu(self.bn2(Y + shortcut))
        Y = self.bn2(Y)
        if m == "relu_branch":
            Y = F.relu(Y)
        if m == "no_shortcut":
            return F.relu(Y)
        if m == "no_final_relu":
            return Y + shortcut
        return F.relu(Y + shortcut)


def ref_resnet_block(input_channels, num_channels, num_residuals, first_block=False, mistake=None):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(RefResidual(input_channels, num_channels, use_1x1conv=True, strides=2, mistake=mistake))
        else:
            blk.append(RefResidual(num_channels, num_channels, mistake=mistake))
    return blk


def ref_resnet(arch, in_channels=1, num_classes=10, mistake=None):
    c1 = arch[0][1]
    b1 = nn.Sequential(nn.Conv2d(in_channels, c1, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    stages, c_prev = [], c1
    for i, (n, c) in enumerate(arch):
        stages.append(nn.Sequential(*ref_resnet_block(c_prev, c, n, first_block=(i == 0), mistake=mistake)))
        c_prev = c
    return nn.Sequential(b1, *stages, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(c_prev, num_classes))


RESNET18 = ((2, 64), (2, 128), (2, 256), (2, 512))


def _meta(fn, *args, **kwargs):
    """A reference built on the meta device (no weights drawn)."""
    with torch.device("meta"):
        return fn(*args, **kwargs)


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


# ================================================================================================ hints
VALUE_MISTAKES = {
    "relu_branch": "the branch goes through a ReLU before the addition (Y = relu(bn2(conv2(Y)))): the residual "
                   "g(x) can then never be negative. The block has exactly two ReLUs: after bn1, and after adding "
                   "the shortcut — return relu(bn2(conv2(Y)) + shortcut).",
    "no_final_relu": "the output is not passed through the last ReLU: return relu(Y + shortcut), the ReLU comes "
                     "after the addition.",
    "no_shortcut": "the shortcut is missing: add X (or conv3(X) with the 1×1 convolution) to Y before the last "
                   "ReLU.",
    "bn2_after_add": "bn2 normalises Y + shortcut: apply bn2 to conv2's output, then add the shortcut, then the "
                     "ReLU.",
    "relu_shortcut": "the shortcut passes through a ReLU: add conv3(X) (or X) as it is; the only ReLUs are after "
                     "bn1 and after the addition.",
}

INPLACE_HINT = ("X changed: `X += Y` (or X.add_(…), or an in-place ReLU on X) writes into the caller's input. Never "
                "write into X: compute a new tensor, e.g. Y = Y + X (adding into the fresh Y, the book's `Y += X`, "
                "is fine).")
INPLACE_GRAD = ("an in-place update of the input (`X += Y`, X.add_(…), an in-place ReLU on X): autograd refuses it "
                "on a tensor it still needs, and it overwrites the caller's input. Never write into X: compute a new "
                "tensor, e.g. Y = Y + X (adding into the fresh Y, the book's `Y += X`, is fine).")
STRIDE_CONV2 = ("the stride sits on conv1 (and on the 1×1 conv3), never on conv2: conv1 = Conv2d(in, c, 3, "
                "padding=1, stride=strides), conv2 = Conv2d(c, c, 3, padding=1) with stride 1.")
CONV3_BN = ("the 1×1 shortcut has a BatchNorm of its own: in the book, conv3 is a bare Conv2d(in, c, 1, "
            "stride=strides) — no BatchNorm (and no ReLU) on the shortcut; the only BatchNorms are bn1 and bn2.")
SHARED_BN = ("bn2 is missing or the same module as bn1: the block has two separate BatchNorm2d(num_channels), "
             "bn1 after conv1 and bn2 after conv2 (each keeps its own scale, shift and running statistics).")
FIRST_BLOCK = ("the first stage downsamples: with first_block=True no block of the stage has a 1×1 conv or "
               "stride 2 — every block is Residual(num_channels, num_channels) (b1's max-pooling already halved the "
               "size). resnet passes first_block=True to the first stage only.")
LATER_FIRST = ("the first block of a stage without first_block must change the channels and halve the size: "
               "Residual(input_channels, num_channels, use_1x1conv=True, strides=2).")
ONLY_FIRST = ("only the first block of a stage has the 1×1 conv and stride 2; the blocks after it are "
              "Residual(num_channels, num_channels).")
CONV3_NONE = "without use_1x1conv there is no 1×1 convolution: self.conv3 = None."
CONV3_MISSING = "use_1x1conv=True adds conv3 = Conv2d(input_channels, num_channels, 1, stride=strides)."

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
            "track_running_stats": True, "count_include_pad": True, "end_dim": -1}
    args = ", ".join(f"{k}={v}" for k, v in _norm(hyper).items() if skip.get(k, object()) != v)
    if bias is False:
        args += (", " if args else "") + "bias=False"
    return f"{tname}({args})"


def _fingerprint(rows) -> dict:
    """{dotted name: (type, hyper-parameters, bias?)}; hyper-parameters only for plain layers (a learner's own
    container may keep extra attributes)."""
    return {name: ("Residual" if t == "RefResidual" else t, _norm(h) if t in LEAVES else {}, b if t in LEAVES else None)
            for name, t, h, b, *_ in rows}


def _want_rows(ref, root=None):
    rows = probes.describe_modules(ref)
    return ([("", root, {}, None)] if root else []) + rows


def _got_rows(kata, net, root=None):
    rows = describe(kata, net, deep=True)
    return ([("", root, {}, None)] if root else []) + list(rows)


def _block_rows(kata, blocks, reference=False):
    """Rows for a list of blocks, as if they sat in an nn.Sequential: "0", "0.conv1", …"""
    rows = []
    for i, b in enumerate(blocks):
        if reference:
            rows.append((str(i), type(b).__name__, {}, None))
            sub = probes.describe_modules(b)
        else:
            rows.append((str(i), type_name(b), {}, None))
            sub = describe(kata, b, deep=True)
        rows += [(f"{i}.{n}", t, h, bb) for n, t, h, bb, *_ in sub]
    return rows


def _stride(desc):
    return _norm(desc[1]).get("stride") if desc else None


def structure_hints(got: dict, want: dict, first_blocks=()) -> list:
    """Hints for the structural mistakes visible in the fingerprints (shown whenever the mistake is present).
    ``first_blocks``: the prefixes of blocks that open a stage (where first_block decides)."""
    out = []
    prefixes = [("" if n == "" else n + ".") for n, d in want.items() if d[0] == "Residual"]
    for p in prefixes:
        if p + "conv1" not in got and p + "conv2" not in got:
            continue
        w1, w2, g1, g2 = want[p + "conv1"], want[p + "conv2"], got.get(p + "conv1"), got.get(p + "conv2")
        if g2 and _stride(g2) != _stride(w2) and STRIDE_CONV2 not in out:
            out.append(STRIDE_CONV2)
        if g1 and g2 and _stride(g2) == _stride(w2) and _stride(g1) != _stride(w1) \
                and (p + "conv3" in got) == (p + "conv3" in want) and STRIDE_CONV2 not in out:
            out.append(STRIDE_CONV2)
        extra_bn = [n for n, d in got.items() if n.startswith(p) and d[0].startswith("BatchNorm")
                    and n not in (p + "bn1", p + "bn2") and n[len(p):].count(".") <= 1
                    and not any(n.startswith(q) for q in prefixes if len(q) > len(p))]
        if (extra_bn or (p + "conv3" in got and got[p + "conv3"][0] != "Conv2d")) and CONV3_BN not in out:
            out.append(CONV3_BN)
        if p + "bn1" in got and p + "bn2" not in got and SHARED_BN not in out:
            out.append(SHARED_BN)
        has, should = p + "conv3" in got, p + "conv3" in want
        text = None
        if has and not should:
            text = FIRST_BLOCK if p in first_blocks else ONLY_FIRST if first_blocks else CONV3_NONE
        elif should and not has:
            text = LATER_FIRST if first_blocks else CONV3_MISSING
        if text and text not in out:
            out.append(text)
    return out


def expect_same_modules(got_rows, want_rows, prop, *, inputs=None, hints=()):
    """Every module of the reference exists under the same dotted name with the same type and hyper-parameters
    (order inside a block is free); extra modules are allowed only when they hold no weights."""
    got, want = _fingerprint(got_rows), _fingerprint(want_rows)
    listing = lambda d, p: ", ".join(f"{n}: {_show(v)}" for n, v in d.items()
                                     if n and n.startswith(p))[:1200]
    for name, w in want.items():
        g = got.get(name)
        if g is None or g != w:
            parent = name.rpartition(".")[0]
            pre = parent + "." if parent else ""
            fail(prop, inputs=inputs,
                 expected=f"{name or 'the block'}: {_show(w)}",
                 got=f"{name or 'the block'}: {_show(g)}" if g else f"no module named {name!r}",
                 detail=f"your modules{' under ' + repr(parent) if parent else ''}: {listing(got, pre) or 'none'}",
                 hints=hints)
    for name, g in got.items():
        if name not in want and g[0].startswith(WEIGHTED):
            fail(prop, inputs=inputs, expected=f"no module named {name!r} (the reference has none)",
                 got=f"{name}: {_show(g)}",
                 detail="extra modules are allowed only without weights (an nn.ReLU() kept as an attribute)",
                 hints=hints)


def mistake_hints(make_ref, X, seed, names=tuple(VALUE_MISTAKES)):
    """One hint per value mistake: shown when the learner's output equals what the mistaken reference gives
    (train mode, then eval mode, the same weights as expect_same_outputs uses)."""
    base = make_ref(None).double()
    weights = variance_preserving_weights(base, seed)
    out = []
    for name in names:
        ref = make_ref(name).double()
        ref.load_state_dict(weights)
        with torch.no_grad():
            ref.train()
            yt = ref(X.double())
            ref.eval()
            ye = ref(X.double())
        out.append(Hint(VALUE_MISTAKES[name],
                        when=lambda g, w, yt=yt, ye=ye: near(g, yt, 1e-7, rel=True) or near(g, ye, 1e-7, rel=True)))
    return out


def key_hints():
    """Hints for a state_dict whose keys differ from the reference's."""
    return [Hint(CONV3_BN, when=lambda g, w: isinstance(g, str) and ("bn3" in g or "conv3.1" in g
                                                                   or "conv3.0" in g)),
            Hint(CONV3_NONE, when=lambda g, w: isinstance(g, str) and "unexpected" in g
                 and "conv3" in g.split("unexpected")[1]),
            Hint("the Residual blocks' attributes are conv1, conv2, conv3 (None without the 1×1 conv), bn1, bn2 "
                 "(the book's names: they make the state_dict keys).",
                 when=lambda g, w: isinstance(g, str) and "missing" in g and any(
                     k in g.split("unexpected")[0] for k in ("conv1", "conv2", "bn1", "bn2")))]


def same_outputs(kata, net, ref, X, prop, *, seed, inputs, hints):
    """expect_same_outputs in train then eval mode; an exception in the learner's forward becomes a failure."""
    try:
        return expect_same_outputs(kata, net, ref, X, prop, seed=seed, modes=("train", "eval"), inputs=inputs,
                                   hints=hints)
    except (RuntimeError, TypeError, ValueError, IndexError) as e:
        fail(prop, inputs={**(inputs or {}), "X": X}, expected="an output", got=f"{type(e).__name__}: {e}",
             hints=hints)


def _inputs_residual(i, c, u, s):
    return {"block": f"Residual({i}, {c}, use_1x1conv={u}, strides={s})"}


def _residual(kata, i, c, u=False, s=1, device="cpu"):
    shown = f"Residual({i}, {c}, use_1x1conv={u}, strides={s})"
    return build(kata, "Residual", i, c, use_1x1conv=u, strides=s, device=device,
                 prop=f"{shown} builds a block")


def _x(shape, seed, dtype=torch.float64):
    return torch.randn(shape, generator=gen(seed), dtype=dtype)


# ================================================================================================ Residual
def test_residual_has_the_books_layers(kata):
    """Residual has the book's layers: conv1, conv2, conv3 (None without the 1×1 conv), bn1, bn2"""
    for i, c, u, s in ((3, 3, False, 1), (3, 6, True, 2), (4, 8, True, 1), (5, 2, True, 3)):
        blk = _residual(kata, i, c, u, s, device="meta")
        inputs = _inputs_residual(i, c, u, s)
        prop = "Residual has conv1, conv2, conv3, bn1, bn2 with the book's sizes and strides"
        got_rows, want_rows = _got_rows(kata, blk, "Residual"), _want_rows(_meta(RefResidual, i, c, u, s), "Residual")
        hints = structure_hints(_fingerprint(got_rows), _fingerprint(want_rows))
        expect_same_modules(got_rows, want_rows, prop, inputs=inputs, hints=hints)
        if not u:
            conv3 = getattr(blk, "conv3", "no attribute conv3")
            expect(conv3 is None, "Residual without use_1x1conv has conv3 = None", inputs=inputs,
                   expected=None, got=conv3, hints=[CONV3_NONE])


def test_residual_parameter_counts(kata):
    """Residual(3, 3) has 180 parameters and Residual(3, 6, use_1x1conv=True, strides=2) has 546 (the book's)"""
    for i, c, u, s in ((3, 3, False, 1), (3, 6, True, 2), (8, 8, False, 1), (4, 10, True, 1)):
        blk = _residual(kata, i, c, u, s, device="meta")
        ref = _meta(RefResidual, i, c, u, s)
        got = _fingerprint(_got_rows(kata, blk, "Residual"))
        hints = structure_hints(got, _fingerprint(_want_rows(ref, "Residual")))
        expect_parameter_count(kata, blk, _count(ref), f"Residual({i}, {c}, use_1x1conv={u}, strides={s}) has "
                               f"{_count(ref):,} parameters", inputs=_inputs_residual(i, c, u, s), hints=hints)


def test_residual_output_shapes(kata):
    """Residual(3, 3) keeps (4, 3, 6, 6); Residual(3, 6, use_1x1conv=True, strides=2) gives (4, 6, 3, 3), 7×5 → 4×3"""
    cases = (((3, 3, False, 1), (4, 3, 6, 6), (4, 3, 6, 6)),
             ((3, 6, True, 2), (4, 3, 6, 6), (4, 6, 3, 3)),
             ((3, 6, True, 2), (2, 3, 7, 5), (2, 6, 4, 3)),
             ((2, 5, True, 1), (2, 2, 5, 4), (2, 5, 5, 4)))
    for (i, c, u, s), shape, want in cases:
        inputs = {**_inputs_residual(i, c, u, s), "X": f"a float32 tensor of shape {shape}"}
        prop = f"Residual({i}, {c}, use_1x1conv={u}, strides={s}) maps {shape} to {want}"
        blk = build(kata, "Residual", i, c, u, s, prop=prop)   # positional arguments, as the signature allows
        X = torch.rand(shape, generator=gen(sum(shape)))
        Y = call(blk, X, prop=prop, inputs=inputs,
                 hints=[Hint(CONV3_MISSING, when=lambda g, w, u=u: u and "size" in str(g))])
        expect(isinstance(Y, torch.Tensor) and tuple(Y.shape) == want, prop, inputs=inputs, expected=want,
               got=tuple(Y.shape) if isinstance(Y, torch.Tensor) else Y)
        expect(Y.dtype == torch.float32, f"{prop}: float32 in, float32 out", inputs=inputs, expected=torch.float32,
               got=Y.dtype)
    meta = _residual(kata, 3, 6, True, 2, device="meta")
    got = run_beside(kata, probes.forward_shape, meta, (4, 3, 6, 6))
    expect(got == (4, 6, 3, 3), "Residual built on the meta device runs on meta tensors (meta in → meta out)",
           inputs={**_inputs_residual(3, 6, True, 2), "X": "meta tensor (4, 3, 6, 6)"}, expected=(4, 6, 3, 3),
           got=got, hints=["allocate nothing on a fixed device: build the block from nn layers only."])


RESIDUAL_CONFIGS = st.one_of(
    st.tuples(st.integers(1, 4), st.just(False), st.just(1)).map(lambda t: (t[0], t[0], t[1], t[2])),
    st.tuples(st.integers(1, 4), st.integers(1, 5), st.just(True), st.integers(1, 2)))


@pytest.mark.core
@settings(max_examples=6)
@given(cfg=RESIDUAL_CONFIGS, n=st.integers(2, 3), h=st.integers(1, 6), w=st.integers(1, 6), seed=st.integers(0, 99))
@example(cfg=(3, 3, False, 1), n=4, h=6, w=6, seed=0)
@example(cfg=(3, 6, True, 2), n=4, h=6, w=6, seed=1)
@example(cfg=(2, 4, True, 1), n=2, h=5, w=3, seed=2)
def test_residual_matches_the_book(kata, cfg, n, h, w, seed):
    """Residual equals the book's block with the same weights, in train then eval mode, running statistics included"""
    i, c, u, s = cfg
    inputs = _inputs_residual(i, c, u, s)
    prop = f"Residual({i}, {c}, use_1x1conv={u}, strides={s}) equals the book's block"
    blk = _residual(kata, i, c, u, s)
    X = _x((n, i, h, w), seed)
    hints = structure_hints(_fingerprint(_got_rows(kata, blk, "Residual")),
                            _fingerprint(_want_rows(_meta(RefResidual, i, c, u, s), "Residual")))
    hints += key_hints() + mistake_hints(lambda m: RefResidual(i, c, u, s, mistake=m), X, seed)
    ref = RefResidual(i, c, u, s)
    same_outputs(kata, blk, ref, X, prop, seed=seed, inputs=inputs, hints=hints)
    theirs = blk.state_dict()
    for key, want in ref.state_dict().items():
        if "running" in key:
            expect_close(theirs.get(key), want, f"after one train-mode pass, {key} equals the book's",
                         inputs={**inputs, "X": X}, atol=1e-10, rtol=1e-8, hints=hints)


def test_residual_zero_bn2_gives_the_shortcut(kata):
    """With bn2's scale and shift zeroed, Residual returns relu(X) — or relu(conv3(X)) with the 1×1 conv (the identity path)"""
    for i, c, u, s, shape in ((3, 3, False, 1, (2, 3, 5, 5)), (3, 6, True, 2, (2, 3, 6, 5))):
        inputs = _inputs_residual(i, c, u, s)
        prop = "bn2.weight = bn2.bias = 0 turns the block into relu(shortcut(X)), the identity path"
        blk = _residual(kata, i, c, u, s)
        ref = RefResidual(i, c, u, s).double()
        weights = variance_preserving_weights(ref, 7)
        weights["bn2.weight"].zero_()
        weights["bn2.bias"].zero_()
        blk = blk.double()
        load_weights(kata, blk, weights, prop, inputs=inputs, hints=key_hints())
        X = _x(shape, 5)
        short = F.conv2d(X, weights["conv3.weight"], weights["conv3.bias"], stride=s) if u else X
        want = F.relu(short)
        for mode in ("train", "eval"):
            blk.train(mode == "train")
            got = call(blk, X, prop=prop, inputs={**inputs, "X": X})
            expect_close(got, want, f"{prop} ({mode} mode)", inputs={**inputs, "X": X},
                         atol=1e-10 * (1 + float(want.abs().max())), rtol=1e-8,
                         hints=[Hint(VALUE_MISTAKES["no_final_relu"], when=lambda g, w, short=short: near(g, short, 1e-8)),
                                Hint(VALUE_MISTAKES["no_shortcut"],
                                     when=lambda g, w: near(g, torch.zeros_like(w), 1e-12))])


def test_residual_leaves_its_input_unchanged(kata):
    """Residual never writes into X: the caller's input is unchanged, and the gradients (X and weights) are the book's"""
    for i, c, u, s in ((3, 3, False, 1), (3, 6, True, 2)):
        inputs = _inputs_residual(i, c, u, s)
        blk = _residual(kata, i, c, u, s)
        X = _x((2, i, 5, 4), 3, torch.float32)
        before = X.clone()
        call(blk, X, prop="Residual(X) runs", inputs={**inputs, "X": X})
        expect(torch.equal(X, before), "the caller's X is unchanged after Residual(X)", inputs={**inputs, "X": before},
               expected=before, got=X, hints=[INPLACE_HINT])
    # gradients: a leaf input that requires grad (an in-place update of it is an autograd error)
    for i, c, u, s in ((3, 3, False, 1), (2, 4, True, 2)):
        inputs = _inputs_residual(i, c, u, s)
        blk = _residual(kata, i, c, u, s).double()
        ref = RefResidual(i, c, u, s).double()
        weights = variance_preserving_weights(ref, 11)
        ref.load_state_dict(weights)
        load_weights(kata, blk, weights, "the block takes the book's weights", inputs=inputs, hints=key_hints())
        X = _x((2, i, 5, 4), 13).requires_grad_(True)
        X2 = X.detach().clone().requires_grad_(True)
        ref.train()
        want = ref(X2)
        R = _x(tuple(want.shape), 17)
        (want * R).sum().backward()
        prop = "the gradients of (Residual(X) · R).sum() equal the book's (train mode)"
        blk.train()
        out = call(blk, X, prop=prop, inputs={**inputs, "X": f"float64 {tuple(X.shape)}, requires_grad=True"},
                   hints=[Hint(INPLACE_GRAD, when=lambda g, w: "in-place" in str(g) or "inplace" in str(g))])
        call(lambda out=out, R=R: (out * R).sum().backward(), prop=prop, inputs=inputs, hints=[INPLACE_GRAD])
        cut = [("the gradient must reach X and every weight through both paths, the branch and the shortcut: no "
                ".detach(), .data or torch.no_grad() inside forward.")]
        expect_close(X.grad, X2.grad, f"{prop}: with respect to X", inputs={**inputs, "X": X.detach()},
                     atol=1e-10, rtol=1e-8, hints=cut)
        theirs = dict(blk.named_parameters())
        for name, p in ref.named_parameters():
            g = theirs[name].grad if name in theirs else None
            expect(g is not None, f"{prop}: backward fills {name}.grad", inputs=inputs, expected="a gradient",
                   got=None, hints=cut)
            expect_close(g, p.grad, f"{prop}: with respect to {name}", inputs={**inputs, "X": X.detach()},
                         atol=1e-9 * (1 + float(p.grad.abs().max())), rtol=1e-7, hints=cut)


# ================================================================================================ resnet_block
def _blocks(kata, i, c, n, first, device="meta"):
    shown = f"resnet_block({i}, {c}, {n}, first_block={first})"
    blocks = build(kata, "resnet_block", i, c, n, first_block=first, device=device,
                   prop=f"{shown} builds a list of Residual blocks")
    expect(isinstance(blocks, list), f"{shown} returns a Python list (the book splices it: "
           "nn.Sequential(*resnet_block(...)))", inputs={"call": shown}, expected="a list of Residual blocks",
           got=type_name(blocks), hints=[("return the list itself (blk = []; blk.append(Residual(...)); return blk), "
                                         "not an nn.Sequential.")])
    expect(len(blocks) == n, f"{shown} has num_residuals = {n} blocks", inputs={"call": shown}, expected=n,
           got=len(blocks))
    for b in blocks:
        expect(type_name(b) == "Residual", f"{shown} holds Residual blocks", inputs={"call": shown},
               expected="Residual", got=type_name(b))
    return blocks


def test_resnet_block_structure(kata):
    """resnet_block: the first block has the 1×1 conv and stride 2 unless first_block; the others are Residual(c, c)"""
    for i, c, n, first in ((64, 64, 2, True), (64, 128, 2, False), (3, 5, 3, False), (4, 4, 1, True),
                           (6, 6, 3, True)):
        shown = f"resnet_block({i}, {c}, {n}, first_block={first})"
        blocks = _blocks(kata, i, c, n, first)
        ref = _meta(ref_resnet_block, i, c, n, first)
        got_rows, want_rows = _block_rows(kata, blocks), _block_rows(kata, ref, reference=True)
        hints = structure_hints(_fingerprint(got_rows), _fingerprint(want_rows), first_blocks=("0.",))
        expect_same_modules(got_rows, want_rows, f"{shown}: every block has the book's layers", inputs={"call": shown},
                            hints=hints)


def _chain(kata, blocks, X, prop, inputs, hints):
    """Run X through a list of (learner) blocks."""
    for b in blocks:
        X = call(b, X, prop=prop, inputs=inputs, hints=hints)
    return X


@pytest.mark.core
@settings(max_examples=4)
@given(i=st.integers(1, 4), c=st.integers(1, 5), n=st.integers(1, 3), first=st.booleans(), size=st.integers(2, 6),
       seed=st.integers(0, 99))
@example(i=3, c=5, n=2, first=False, size=6, seed=0)
@example(i=4, c=4, n=2, first=True, size=5, seed=1)
def test_resnet_block_matches_the_book(kata, i, c, n, first, size, seed):
    """The blocks of resnet_block, applied in order, equal the book's stage with the same weights (train, eval)"""
    if first:
        i = c  # the book's first stage keeps the channels
    shown = f"resnet_block({i}, {c}, {n}, first_block={first})"
    inputs = {"call": shown}
    blocks = _blocks(kata, i, c, n, first, device="cpu")
    refs = ref_resnet_block(i, c, n, first)
    hints = structure_hints(_fingerprint(_block_rows(kata, blocks)),
                            _fingerprint(_block_rows(kata, _meta(ref_resnet_block, i, c, n, first), reference=True)),
                            first_blocks=("0.",)) + key_hints()
    X = _x((2, i, size, size + 1), seed)
    inputs = {**inputs, "X": X}
    prop = f"{shown}: the blocks in order equal the book's stage"
    weights = []
    for k, (b, r) in enumerate(zip(blocks, refs)):
        r.double()
        wk = variance_preserving_weights(r, 100 * seed + k)
        r.load_state_dict(wk)
        b.double()
        load_weights(kata, b, wk, f"{prop} (block {k} takes the book's weights)", inputs=inputs, hints=hints)
        weights.append(wk)
    mistaken = {}
    for m in VALUE_MISTAKES:
        ms = ref_resnet_block(i, c, n, first, mistake=m)
        for r, wk in zip(ms, weights):
            r.double().load_state_dict(wk)
        mistaken[m] = ms
    for mode in ("train", "eval"):
        for r in list(refs) + [r for ms in mistaken.values() for r in ms]:
            r.train(mode == "train")
        for b in blocks:
            b.train(mode == "train")
        with torch.no_grad():
            want = X
            for r in refs:
                want = r(want)
            alts = {}
            for m, ms in mistaken.items():
                y = X
                for r in ms:
                    y = r(y)
                alts[m] = y
        got = _chain(kata, blocks, X, prop, inputs, hints)
        expect_close(got, want, f"{prop} ({mode} mode, the same weights, float64)", inputs=inputs,
                     atol=1e-8 * (1 + float(want.abs().max())), rtol=1e-7,
                     hints=hints + [Hint(VALUE_MISTAKES[m], when=lambda g, w, y=y: near(g, y, 1e-7, rel=True))
                                    for m, y in alts.items()])


# ================================================================================================ resnet
def _uniq(hints) -> list:
    """Hints without repeated texts (a structural hint may come both as a string and as a Hint)."""
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
    """One hyper-parameter of a layer description (a probe row, or its text "Linear(in_features=24, …)")."""
    if isinstance(x, tuple) and len(x) > 2 and isinstance(x[2], dict):
        return x[2].get(key)
    m = re.search(rf"\b{key}=(\d+)", str(x))
    return int(m.group(1)) if m else None


def _first_layer(w) -> bool:
    return (isinstance(w, tuple) and w[0] == "0") or "layer '0'" in str(w)


TOP_HINTS = [
    Hint("b1 is one child: nn.Sequential(Conv2d(in_channels, c_1, 7, stride=2, padding=3), BatchNorm2d(c_1), ReLU(), "
         "MaxPool2d(3, stride=2, padding=1)) — do not splice its layers into the top level.",
         when=lambda g, w: _tn(g) == "Conv2d" and _tn(w) == "Sequential" and _first_layer(w)),
    Hint("each stage is one child: nn.Sequential(*resnet_block(...)) — do not splice the Residual blocks into the "
         "top level.", when=lambda g, w: _tn(g) == "Residual" and _tn(w) == "Sequential"),
    Hint("global average pooling is nn.AdaptiveAvgPool2d((1, 1)) (not max pooling).",
         when=lambda g, w: _tn(w) == "AdaptiveAvgPool2d" and "Pool" in _tn(g) and _tn(g) != _tn(w)),
    Hint("the head is AdaptiveAvgPool2d((1, 1)), Flatten(), Linear(c_k, num_classes): c_k is the last stage's "
         "channels (arch[-1][1]), not a fixed 512.",
         when=lambda g, w: _tn(g) == "Linear" == _tn(w) and _hyper(g, "in_features") != _hyper(w, "in_features")),
    Hint("num_classes reaches the last layer: Linear(c_k, num_classes).",
         when=lambda g, w: _tn(g) == "Linear" == _tn(w) and _hyper(g, "out_features") != _hyper(w, "out_features")),
]


def _resnet_hints(kata, net, arch, in_channels, num_classes):
    got = _fingerprint(_got_rows(kata, net))
    want = _fingerprint(_want_rows(_meta(ref_resnet, arch, in_channels, num_classes)))
    out = structure_hints(got, want, first_blocks=("1.0.",))
    if got.get("0.0") and got["0.0"][0] == "Conv2d" and got["0.0"][1].get("in_channels") != in_channels:
        out.append("in_channels reaches b1's first layer: Conv2d(in_channels, c_1, 7, stride=2, padding=3).")
    last = str(len(arch) + 3)
    if got.get(last) and got[last][0] == "Linear" and got[last][1].get("out_features") != num_classes:
        out.append("num_classes reaches the last layer: Linear(c_k, num_classes).")
    return out


def _call_resnet(arch, in_channels, num_classes):
    extra = "".join(f", {k}={v}" for k, v in (("in_channels", in_channels), ("num_classes", num_classes))
                    if v != {"in_channels": 1, "num_classes": 10}[k])
    return f"resnet({arch}{extra})"


def test_resnet_structure(kata):
    """resnet(arch) is Sequential(b1, one Sequential per stage, AdaptiveAvgPool2d, Flatten, Linear), the book's layers"""
    for arch, ic, nc in ((((1, 8), (2, 16), (1, 24)), 1, 10), (((2, 4), (1, 6)), 3, 5), (((1, 5),), 2, 7),
                         (RESNET18, 1, 10)):
        shown = _call_resnet(arch, ic, nc)
        kwargs = {k: v for k, v in (("in_channels", ic), ("num_classes", nc)) if v != {"in_channels": 1,
                                                                                        "num_classes": 10}[k]}
        net = build(kata, "resnet", arch, device="meta", **kwargs)
        ref = _meta(ref_resnet, arch, ic, nc)
        inputs = {"call": shown}
        expect(is_instance(net, nn.Sequential), f"{shown} returns an nn.Sequential", inputs=inputs,
               expected="an nn.Sequential", got=type_name(net))
        hints = _resnet_hints(kata, net, arch, ic, nc)
        expect_structure(kata, net, ref, f"{shown} has the book's top-level children", inputs=inputs,
                         hints=_uniq(TOP_HINTS + [Hint(h) for h in hints]))
        expect_same_modules(_got_rows(kata, net), _want_rows(ref), f"{shown} has the book's layers", inputs=inputs,
                            hints=hints)
        expect_parameter_count(kata, net, _count(ref), f"{shown} has {_count(ref):,} parameters", inputs=inputs,
                               hints=hints)


@pytest.mark.core
@settings(max_examples=3)
@given(arch=st.lists(st.tuples(st.integers(1, 2), st.integers(2, 6)), min_size=1, max_size=3).map(tuple),
       ic=st.integers(1, 3), nc=st.integers(2, 5), size=st.integers(12, 24), seed=st.integers(0, 99))
@example(arch=((1, 8), (2, 16), (1, 24)), ic=1, nc=10, size=16, seed=0)
@example(arch=((1, 4), (1, 6)), ic=2, nc=3, size=20, seed=1)
def test_resnet_matches_the_book(kata, arch, ic, nc, size, seed):
    """resnet(arch) equals the book's ResNet with the same weights, in train then eval mode"""
    shown = _call_resnet(arch, ic, nc)
    kwargs = {k: v for k, v in (("in_channels", ic), ("num_classes", nc)) if v != {"in_channels": 1,
                                                                                    "num_classes": 10}[k]}
    net = build(kata, "resnet", arch, **kwargs)
    X = _x((3, ic, size, size), seed)
    hints = _resnet_hints(kata, net, arch, ic, nc) + key_hints()
    hints += mistake_hints(lambda m: ref_resnet(arch, ic, nc, mistake=m), X, seed)
    same_outputs(kata, net, ref_resnet(arch, ic, nc), X, f"{shown} equals the book's ResNet", seed=seed,
                 inputs={"call": shown}, hints=hints)


def test_resnet_output_is_float32_logits(kata):
    """resnet(arch)(X) for a float32 batch is a float32 (n, num_classes) tensor (any input size ≥ 1 px)"""
    for arch, ic, nc, shape in ((((1, 4), (1, 8)), 1, 10, (2, 1, 8, 8)), (((1, 3),), 3, 4, (2, 3, 5, 7)),
                                (((1, 2), (1, 3), (1, 4)), 1, 2, (2, 1, 1, 1))):
        kwargs = {k: v for k, v in (("in_channels", ic), ("num_classes", nc)) if v != {"in_channels": 1,
                                                                                        "num_classes": 10}[k]}
        shown = _call_resnet(arch, ic, nc)
        net = build(kata, "resnet", arch, **kwargs)
        prop = f"{shown} maps a float32 batch {shape} to float32 logits ({shape[0]}, {nc})"
        net.train()
        Y = call(net, torch.rand(shape, generator=gen(1)), prop=prop, inputs={"call": shown})
        expect(isinstance(Y, torch.Tensor) and tuple(Y.shape) == (shape[0], nc) and Y.dtype == torch.float32, prop,
               inputs={"call": shown, "X": f"float32 {shape}"}, expected=f"float32 {(shape[0], nc)}",
               got=f"{str(Y.dtype).replace('torch.', '')} {tuple(Y.shape)}" if isinstance(Y, torch.Tensor) else Y)


# ================================================================================================ resnet18
R18_HINTS = [Hint("ResNet-18 is resnet(((2, 64), (2, 128), (2, 256), (2, 512))): four stages of two blocks each.")]


@pytest.mark.core
def test_resnet18_is_the_books_net(kata):
    """resnet18() has every layer of the book's ResNet-18 (types, sizes, strides), also with in_channels/num_classes"""
    for kwargs in ({}, {"in_channels": 3, "num_classes": 100}):
        shown = "resnet18(" + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")"
        net = build(kata, "resnet18", device="meta", **kwargs)
        ref = _meta(ref_resnet, RESNET18, kwargs.get("in_channels", 1), kwargs.get("num_classes", 10))
        inputs = {"call": shown + " on the meta device"}
        hints = _resnet_hints(kata, net, RESNET18, kwargs.get("in_channels", 1), kwargs.get("num_classes", 10))
        expect_structure(kata, net, ref, f"{shown} has the book's top-level children", inputs=inputs,
                         hints=_uniq(TOP_HINTS + R18_HINTS + [Hint(h) for h in hints]))
        expect_same_modules(_got_rows(kata, net), _want_rows(ref), f"{shown} has every layer of the book's ResNet-18",
                            inputs=inputs, hints=hints + [h.text for h in R18_HINTS])


def test_resnet18_parameter_count(kata):
    """resnet18() has 11,178,378 parameters (in_channels=3: 11,184,650; num_classes=100: 11,224,548)"""
    for kwargs in ({}, {"in_channels": 3}, {"num_classes": 100}):
        shown = "resnet18(" + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")"
        net = build(kata, "resnet18", device="meta", **kwargs)
        want = _count(_meta(ref_resnet, RESNET18, **kwargs))
        expect_parameter_count(kata, net, want, f"{shown} has {want:,} parameters",
                               inputs={"call": shown + " on the meta device"},
                               hints=R18_HINTS + [("in_channels and num_classes reach the first Conv2d and the last "
                                                  "Linear.")])


def test_resnet18_shape_table(kata):
    """resnet18's shape table: at 224 px (1,64,56,56) ×2, (1,128,28,28), (1,256,14,14), (1,512,7,7), …, (1,10); at 96 px"""
    net = build(kata, "resnet18", device="meta")
    expect_child_shapes(kata, net, (1, 1, 224, 224),
                        [(1, 64, 56, 56), (1, 64, 56, 56), (1, 128, 28, 28), (1, 256, 14, 14), (1, 512, 7, 7),
                         (1, 512, 1, 1), (1, 512), (1, 10)],
                        "for layer in resnet18(): X = layer(X) prints the book's shape table (224 px)",
                        inputs={"net": "resnet18() on the meta device"},
                        hints=[Hint(FIRST_BLOCK, when=lambda g, w: "(1, 64, 28, 28)" in str(g))])
    expect_child_shapes(kata, net, (1, 1, 96, 96),
                        [(1, 64, 24, 24), (1, 64, 24, 24), (1, 128, 12, 12), (1, 256, 6, 6), (1, 512, 3, 3),
                         (1, 512, 1, 1), (1, 512), (1, 10)],
                        "the same table at 96 px: 24, 24, 12, 6, 3", inputs={"net": "resnet18() on the meta device"})


# ================================================================================================ training
@pytest.mark.weight(2)
def test_tiny_resnet_learns_the_digits(kata, stat_seed):
    """A tiny ResNet, resnet(((1, 16), (1, 32))), learns the 8×8 digits: eval accuracy ≥ 0.90 (best of epochs 8–10)"""
    arch = ((1, 16), (1, 32))
    inputs = {"net": "resnet(((1, 16), (1, 32)))", "recipe": "Xavier init, Adam lr 0.003, batch 64, 10 epochs, "
              "raw 8×8 digits (1,348 train / 449 test)"}
    # first the (cheap) forward pass against the book's net, so that a wrong block fails here, not after training
    check = build(kata, "resnet", arch)
    same_outputs(kata, check, ref_resnet(arch), _x((4, 1, 8, 8), 3),
                 "the tiny ResNet equals the book's (checked before training)", seed=3,
                 inputs={"net": inputs["net"]}, hints=key_hints())
    seed = 1000 * 3 + stat_seed
    seed_global(seed)
    net = build(kata, "resnet", arch)
    expect_parameter_count(kata, net, 20426, "resnet(((1, 16), (1, 32))) has 20,426 parameters", inputs=inputs)
    X, y, Xt, yt = digit_images(8, raw=True)
    trainer = run_beside(kata, probes.Trainer, net, X, y, 0.003, 64, seed)
    accs = []
    for epoch in range(10):
        call(trainer.epoch, prop="the tiny ResNet trains (forward and backward in train mode)", inputs=inputs,
             hints=[Hint(INPLACE_GRAD, when=lambda g, w: "inplace" in str(g) or "in-place" in str(g))])
        if epoch >= 7:
            net.eval()
            with torch.no_grad():
                out = net(Xt)
            accs.append(accuracy_of(out, yt))
    expect(max(accs) >= 0.90, "the tiny ResNet reaches ≥ 0.90 test accuracy (best eval accuracy of epochs 8–10)",
           inputs={**inputs, "seed": seed}, expected="≥ 0.90 (the book's net: 0.94–0.99 over 100 seeds)",
           got=f"epochs 8–10: {', '.join(f'{a:.3f}' for a in accs)}",
           hints=[("the net trains but does not learn: check the residual block against the book (ReLU only after "
                  "bn1 and after the addition; the shortcut added before the last ReLU).")])
