"""Graders for ch7/googlenet.py (Inception, googlenet).

Oracle: the book's code (d2l §7.4, PyTorch tab), written out below as ``BookInception`` / ``book_googlenet`` (with
the contract's ``in_channels`` / ``num_classes`` keywords). Nothing is trained.

* Structure: the book's Inception has seven named layers (p1_1 … p4_2, part of the contract), whose registration
  order is free and next to which parameter-free extras (an nn.ReLU kept as a module) are allowed. So structures
  are compared by name: every nn.Sequential of the book (the stages) must have the book's children, every
  Inception the seven attributes with the book's hyper-parameters, and no other parameters.
* GoogLeNet has 6M parameters: its structure and count are read from a net built on ``meta`` (no weights drawn);
  for its shape tables (96 and 32 px) and outputs it is built on the CPU (~60 ms) and run there.
* Same function (core): the learner's block / net gets the book's He-normal float64 weights (the contract's
  technique 1; with PyTorch's default init a deep net's output barely depends on its input) and is compared with
  the book's in float64: Inception on random small inputs (h, w ≥ 1), googlenet at 64 px (the last map is 2×2, so
  global max and average pooling differ: technique 2; the arguments are graded by the structure). Tolerance atol
  1e-8·(1 + max|expected|), rtol 1e-7 (the same operations in another order differ by ~1e-15).
* Which path is wrong: with the learner's own p1_1 … p4_2, the grader computes the book's four paths and compares
  each with its slice of the output (the concatenation order, the ReLUs after the reductions, the pooling path).
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, fail, is_instance, run_beside
from tests import nets
from tests import shippable_nets as probes

ATTRS = ("p1_1", "p2_1", "p2_2", "p3_1", "p3_2", "p4_1", "p4_2")
DEFAULT_COUNT = 5_977_530
FIRST_B3 = (192, 64, (96, 128), (16, 32), 32)


# ----------------------------------------------------------------------------------------------- the oracle
class BookInception(nn.Module):
    """d2l §7.4.1."""

    # c1--c4是每条路径的输出通道数
    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        super(BookInception, self).__init__(**kwargs)
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def book_googlenet(in_channels=1, num_classes=10):
    """d2l §7.4.2 (the book hard-codes 1 and 10)."""
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
                       nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1),
                       nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1),
                       nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(BookInception(192, 64, (96, 128), (16, 32), 32),
                       BookInception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(BookInception(480, 192, (96, 208), (16, 48), 64),
                       BookInception(512, 160, (112, 224), (24, 64), 64),
                       BookInception(512, 128, (128, 256), (24, 64), 64),
                       BookInception(512, 112, (144, 288), (32, 64), 64),
                       BookInception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(BookInception(832, 256, (160, 320), (32, 128), 128),
                       BookInception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)),
                       nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))


def inception_count(c_in, c1, c2, c3, c4):
    return (c1 * (c_in + 1) + c2[0] * (c_in + 1) + c2[1] * (9 * c2[0] + 1) + c3[0] * (c_in + 1)
            + c3[1] * (25 * c3[0] + 1) + c4 * (c_in + 1))


def googlenet_count(in_channels=1, num_classes=10):
    return DEFAULT_COUNT + 64 * 49 * (in_channels - 1) + 1025 * (num_classes - 10)


assert inception_count(*FIRST_B3) == 163_696


# ----------------------------------------------------------------------------------------------- hints
RELU_REDUCTION = ("a ReLU follows every convolution, the 1×1 reductions included: p2 = relu(p2_2(relu(p2_1(x)))) "
                  "and p3 = relu(p3_2(relu(p3_1(x)))).")
POOL_STRIDE = ("path 4's pooling must keep h and w: nn.MaxPool2d(kernel_size=3, padding=1) has stride 3 (a pooling "
               "layer's stride defaults to its window); pass stride=1.")
CAT_ORDER = ("concatenate the paths in the book's order, torch.cat((p1, p2, p3, p4), dim=1): channels [0, c1) are "
             "path 1's, then c2[1] channels of path 2, c3[1] of path 3 and c4 of path 4.")
NO_RELU_POOL = "path 4 is pooling then the 1×1 convolution, with one ReLU at the end: relu(p4_2(p4_1(x)))."


def _kind(d):
    return d[1] if d else None


def _structure_hints(in_channels=1, num_classes=10):
    return [
        Hint(POOL_STRIDE, when=lambda g, w: w and w[0].endswith("p4_1") and _kind(g) == "MaxPool2d"
             and nets._norm(g[2]).get("stride") != (1, 1)),
        Hint("GoogLeNet's path 3 uses a 5×5 convolution with padding 2 (the book's; later versions use two 3×3).",
             when=lambda g, w: w and w[0].endswith("p3_2") and _kind(g) == "Conv2d"
             and nets._norm(g[2]).get("kernel_size") != (5, 5)),
        Hint("the reductions feed the bigger convolutions: p2_2 = Conv2d(c2[0], c2[1], 3, padding=1) and "
             "p3_2 = Conv2d(c3[0], c3[1], 5, padding=2); p1_1, p2_1, p3_1 and p4_2 read the block's input "
             "(in_channels).", when=lambda g, w: _kind(g) == _kind(w) == "Conv2d" and w[0].rsplit(".", 1)[-1] in ATTRS
             and g[2].get("in_channels") != w[2].get("in_channels")),
        Hint("p1_1 has c1 outputs, p2_1 c2[0], p2_2 c2[1], p3_1 c3[0], p3_2 c3[1] and p4_2 c4.",
             when=lambda g, w: _kind(g) == _kind(w) == "Conv2d" and w[0] in ATTRS
             and g[2].get("out_channels") != w[2].get("out_channels")),
        Hint("check this Inception's arguments against the book's table (d2l §7.4.2): b3 = Inception(192, 64, (96, "
             "128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64); b4 = Inception(480, 192, (96, "
             "208), (16, 48), 64), (512, 160, (112, 224), (24, 64), 64), (512, 128, (128, 256), (24, 64), 64), "
             "(512, 112, (144, 288), (32, 64), 64), (528, 256, (160, 320), (32, 128), 128); b5 = (832, 256, (160, "
             "320), (32, 128), 128), (832, 384, (192, 384), (48, 128), 128). Each block's in_channels is the "
             "previous one's c1 + c2[1] + c3[1] + c4.",
             when=lambda g, w: _kind(g) == _kind(w) == "Conv2d" and "." in w[0] and w[0].rsplit(".", 1)[-1] in ATTRS
             and g[2] != w[2]),
        Hint(f"the first convolution takes in_channels inputs (here {in_channels}) and the last Linear has "
             f"num_classes outputs (here {num_classes}).",
             when=lambda g, w: w and w[0] in ("0.0", "5") and _kind(g) == _kind(w)),
        Hint("GoogLeNet ends with global *average* pooling, nn.AdaptiveAvgPool2d((1, 1)), then Flatten and "
             "Linear(1024, num_classes).", when=lambda g, w: _kind(w) == "AdaptiveAvgPool2d"),
        Hint("every MaxPool2d between the stages is MaxPool2d(kernel_size=3, stride=2, padding=1): it halves h and "
             "w (rounding up).", when=lambda g, w: _kind(w) == "MaxPool2d" and not w[0].endswith("p4_1")),
        Hint("keep the book's nesting: googlenet's six top-level children are the stages b1 … b5 (each an "
             "nn.Sequential) and the Linear, with the default names '0', '1', … (the state_dict keys are then the "
             "book's: '0.0.weight', '2.0.p1_1.weight', …).",
             when=lambda g, w: g is None or (w is not None and g[0] != w[0])
             or (_kind(w) == "Sequential") != (_kind(g) == "Sequential")),
    ]


# ----------------------------------------------------------------------------------------------- structure by name
def _fail_layer(prop, inputs, g, w, hints, detail=None):
    where = f"layer {w[0]!r}" if w else "the net"
    fail(prop, inputs=inputs, expected=f"{where}: {nets._show_layer(w) if w else 'no more layers'}",
         got=nets._show_layer(g) if g else "no such layer", detail=detail,
         hints=[h.text for h in hints if h.applies(g, w)] + _difference_hints(g, w))


def _difference_hints(g, w):
    if not g or not w or g[1] != w[1]:
        return []
    gh, wh = nets._norm(g[2]), nets._norm(w[2])
    diff = [f"{k}={wh[k]} (yours: {gh.get(k)})" for k in wh if gh.get(k) != wh[k]]
    if diff:
        return [f"layer '{w[0]}' ({w[1]}) needs " + ", ".join(diff) + "."]
    if g[3] != w[3]:
        return [f"layer '{w[0]}' ({w[1]}) {'has' if w[3] else 'has no'} bias in the book."]
    return []


def _same_layer(g, w):
    return g is not None and g[1] == w[1] and nets._norm(g[2]) == nets._norm(w[2]) and g[3] == w[3]


def expect_book_structure(kata, net, ref, prop, *, inputs=None, hints=()):
    """The learner's net (or block) has the book's modules, compared by name: nn.Sequential children in order (a
    subclass of nn.Sequential is accepted), an Inception's seven attributes in any order, and no parameters
    outside them."""
    got = {d[0]: d for d in nets.describe(kata, net, deep=True)}
    keys = [k for k, _ in run_beside(kata, probes.state_keys, net)]

    def children(path):
        pre = f"{path}." if path else ""
        return [n for n in got if n.startswith(pre) and n != path and "." not in n[len(pre):]]

    def check_inception(path, ref_block):
        pre = f"{path}." if path else ""
        for attr in ATTRS:
            w = (pre + attr,) + probes.layer_description(getattr(ref_block, attr))
            g = got.get(pre + attr)
            if not _same_layer(g, w):
                _fail_layer(prop, inputs, g, w, hints,
                            detail="an Inception has the attributes " + ", ".join(
                                f"{a} = {nets._show_layer((a,) + probes.layer_description(getattr(ref_block, a)))}"
                                for a in ATTRS))
        extra = [k for k in keys if k.startswith(pre) and k[len(pre):].split(".")[0] not in ATTRS]
        expect(not extra, prop, inputs=inputs, expected=f"{path or 'the block'}: parameters only in " + ", ".join(ATTRS),
               got=f"also {extra[:6]}", hints=["extra attributes are allowed only without parameters (an nn.ReLU "
                                               "kept as a module is fine; another convolution is not)."])

    def container_like(g, p, cls):
        """g (the learner's module at path p) is a ``cls`` (the book's nn.Sequential or Inception), or a subclass."""
        name = "Sequential" if cls is nn.Sequential else "Inception"
        if g[1] == name:
            return True
        return g[1] not in ("Conv2d", "Linear", "ReLU", "MaxPool2d", "AdaptiveAvgPool2d", "Flatten") \
            and is_instance(net.get_submodule(p), cls)

    def walk(path, ref_module):
        ref_children = list(ref_module.named_children())
        names = children(path)
        want_names = [f"{path}.{n}" if path else n for n, _ in ref_children]
        detail = (f"{path or 'the net'}'s children: yours {[n.rsplit('.', 1)[-1] for n in names]} "
                  f"({', '.join(got[n][1] for n in names)}), the book's {[n for n, _ in ref_children]} "
                  f"({', '.join(type(c).__name__ for _, c in ref_children)})")
        for i in range(max(len(names), len(want_names))):
            w = (want_names[i],) + probes.layer_description(ref_children[i][1]) if i < len(want_names) else None
            g = got.get(names[i]) if i < len(names) else None
            if w is not None and isinstance(ref_children[i][1], BookInception):
                w = (w[0], "Inception", {}, None)
            ok = g is not None and w is not None and g[0] == w[0]
            if ok and isinstance(ref_children[i][1], (nn.Sequential, BookInception)):
                ok = container_like(g, g[0], nn.Sequential if w[1] == "Sequential" else kata.Inception)
            if not ok:
                _fail_layer(prop, inputs, g, w, hints, detail=detail)
        for (name, child), p in zip(ref_children, want_names):
            if isinstance(child, BookInception):
                check_inception(p, child)
            elif isinstance(child, nn.Sequential):
                walk(p, child)
            else:
                w = (p,) + probes.layer_description(child)
                if not _same_layer(got[p], w):
                    _fail_layer(prop, inputs, got[p], w, hints)

    if isinstance(ref, BookInception):
        check_inception("", ref)
    else:
        walk("", ref)


# ----------------------------------------------------------------------------------------------- Inception
INCEPTION_ARGS = dict(c_in=st.integers(1, 4), c1=st.integers(1, 3), c2=st.tuples(st.integers(1, 3), st.integers(1, 3)),
                      c3=st.tuples(st.integers(1, 3), st.integers(1, 3)), c4=st.integers(1, 3))


def _build_inception(kata, *args):
    return nets.build(kata, "Inception", *args, prop="Inception(in_channels, c1, c2, c3, c4) builds a block")


def _call(args):
    return f"Inception{tuple(args)}"


def _own_path_hints(kata, block, X, args):
    """Hints from the learner's own layers: which of the book's paths (computed with them) appears where."""
    c_in, c1, c2, c3, c4 = args
    try:
        with torch.no_grad():
            paths = {
                "p1": F.relu(block.p1_1(X)),
                "p2": F.relu(block.p2_2(F.relu(block.p2_1(X)))),
                "p3": F.relu(block.p3_2(F.relu(block.p3_1(X)))),
                "p4": F.relu(block.p4_2(block.p4_1(X))),
            }
            no_relu = F.relu(block.p2_2(block.p2_1(X)))
            extra_relu4 = F.relu(block.p4_2(F.relu(block.p4_1(X))))
    except (AttributeError, RuntimeError, TypeError):
        return []
    want = torch.cat(list(paths.values()), dim=1)

    def close(a, b):
        return isinstance(a, torch.Tensor) and a.shape == b.shape and bool(torch.allclose(a.double(), b.double(),
                                                                                         atol=1e-6, rtol=1e-5))

    def permuted(g, w):
        if not isinstance(g, torch.Tensor) or g.shape != want.shape or close(g, want):
            return False
        return any(
            close(g, torch.cat([paths[k] for k in order], dim=1))
            for order in (("p4", "p3", "p2", "p1"), ("p1", "p3", "p2", "p4"), ("p2", "p1", "p3", "p4"),
                          ("p1", "p2", "p4", "p3"), ("p3", "p1", "p2", "p4")))

    def reduction_relu(g, w):
        return isinstance(g, torch.Tensor) and g.shape == want.shape and close(g[:, c1:c1 + c2[1]], no_relu) \
            and not close(no_relu, paths["p2"])

    def pool_relu(g, w):
        return isinstance(g, torch.Tensor) and g.shape == want.shape and close(g[:, g.shape[1] - c4:], extra_relu4) \
            and not close(extra_relu4, paths["p4"])

    return [Hint(CAT_ORDER, when=permuted), Hint(RELU_REDUCTION, when=reduction_relu),
            Hint(NO_RELU_POOL, when=pool_relu)]


CAT_DIM = ("concatenate along the channels, torch.cat((p1, p2, p3, p4), dim=1): torch.cat's default dim=0 is the "
           "batch.")


def _inception_hints(desc):
    d = {x[0]: x for x in desc}
    pool = d.get("p4_1")
    return [
        Hint(POOL_STRIDE, when=lambda g, w: pool is not None and nets._norm(pool[2]).get("stride") != (1, 1)),
        Hint(CAT_DIM, when=lambda g, w: isinstance(g, str) and "except in dimension 0" in g),
    ]


@settings(max_examples=10)
@given(**INCEPTION_ARGS)
@example(c_in=192, c1=64, c2=(96, 128), c3=(16, 32), c4=32)
@example(c_in=3, c1=1, c2=(2, 3), c3=(1, 2), c4=2)
def test_inception_structure(kata, c_in, c1, c2, c3, c4):
    """Inception(in, c1, c2, c3, c4) has the book's p1_1 … p4_2 (1×1; 1×1 → 3×3; 1×1 → 5×5; 3×3 max pool → 1×1)"""
    args = (c_in, c1, c2, c3, c4)
    block = _build_inception(kata, *args)
    expect_book_structure(kata, block, BookInception(*args), f"{_call(args)} has the book's layers p1_1 … p4_2",
                          inputs={"call": _call(args)}, hints=_structure_hints())


@settings(max_examples=8)
@given(**INCEPTION_ARGS)
@example(c_in=192, c1=64, c2=(96, 128), c3=(16, 32), c4=32)
def test_inception_parameter_count(kata, c_in, c1, c2, c3, c4):
    """Inception(192, 64, (96, 128), (16, 32), 32) has 163,696 parameters (and the closed form in general)"""
    args = (c_in, c1, c2, c3, c4)
    block = _build_inception(kata, *args)
    nets.expect_parameter_count(kata, block, inception_count(*args), f"{_call(args)} has the book's number of "
                                "parameters", inputs={"call": _call(args)},
                                hints=["c1·(in+1) + c2[0]·(in+1) + c2[1]·(9·c2[0]+1) + c3[0]·(in+1) + "
                                       "c3[1]·(25·c3[0]+1) + c4·(in+1): path 2's 3×3 and path 3's 5×5 convolutions "
                                       "read the reductions' c2[0] and c3[0] channels."])


@settings(max_examples=10)
@given(**INCEPTION_ARGS, b=st.integers(1, 2), h=st.integers(1, 7), w=st.integers(1, 7))
@example(c_in=192, c1=64, c2=(96, 128), c3=(16, 32), c4=32, b=1, h=12, w=12)
@example(c_in=3, c1=2, c2=(2, 3), c3=(1, 2), c4=4, b=2, h=1, w=1)
@example(c_in=3, c1=2, c2=(2, 3), c3=(1, 2), c4=4, b=2, h=7, w=5)
def test_inception_output_shape(kata, c_in, c1, c2, c3, c4, b, h, w):
    """Inception(in, c1, c2, c3, c4) maps (b, in, h, w) to (b, c1 + c2[1] + c3[1] + c4, h, w) for any h, w ≥ 1"""
    args = (c_in, c1, c2, c3, c4)
    block = _build_inception(kata, *args)
    desc = nets.describe(kata, block, deep=True)
    want = (b, c1 + c2[1] + c3[1] + c4, h, w)
    got = run_beside(kata, probes.forward_shape, block, (b, c_in, h, w))
    expect(got == want, f"{_call(args)} keeps h and w and adds up the channels of the four paths",
           inputs={"call": _call(args), "X": f"zeros({b}, {c_in}, {h}, {w})"}, expected=want, got=got,
           hints=_inception_hints(desc) + [
               Hint(CAT_DIM, when=lambda g, w_: isinstance(g, tuple) and len(g) == 4 and g[0] != b),
               Hint("every path keeps h and w: padding=1 for the 3×3 convolution, padding=2 for the 5×5, and "
                    "MaxPool2d(3, stride=1, padding=1).",
                    when=lambda g, w_: isinstance(g, str) and "except in dimension 0" not in g)])


@pytest.mark.core
@settings(max_examples=10)
@given(**INCEPTION_ARGS, h=st.integers(1, 6), w=st.integers(1, 6), seed=st.integers(0, 2**16))
@example(c_in=4, c1=2, c2=(3, 3), c3=(2, 2), c4=3, h=5, w=6, seed=1)
@example(c_in=192, c1=64, c2=(96, 128), c3=(16, 32), c4=32, h=4, w=4, seed=2)
def test_inception_same_outputs_as_the_book(kata, c_in, c1, c2, c3, c4, h, w, seed):
    """With the same weights, Inception(in, c1, c2, c3, c4) computes the book's block"""
    args = (c_in, c1, c2, c3, c4)
    block = _build_inception(kata, *args)
    desc = nets.describe(kata, block, deep=True)
    X = torch.randn(2, c_in, h, w, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    prop = f"{_call(args)} computes the book's block"
    try:
        nets.expect_same_outputs(kata, block, BookInception(*args), X, prop, seed=seed, inputs={"call": _call(args)},
                                 hints=_inception_hints(desc) + _lazy_path_hints(kata, block, X, args))
    except RuntimeError as e:
        fail(prop, inputs={"call": _call(args), "X": X},
             expected=f"an output of shape {(2, c1 + c2[1] + c3[1] + c4, h, w)}", got=f"RuntimeError: {str(e)[:300]}",
             hints=_inception_hints(desc))


def _lazy_path_hints(kata, block, X, args):
    """_own_path_hints, computed only when a comparison fails (after the book's weights are in the block)."""
    out = []
    for text in (CAT_ORDER, RELU_REDUCTION, NO_RELU_POOL):
        def when(g, w, text=text):
            hs = _own_path_hints(kata, block, X.double(), args)
            return any(h.text == text and h.applies(g, w) for h in hs)
        out.append(Hint(text, when=when))
    return out


@settings(max_examples=8)
@given(**INCEPTION_ARGS, h=st.integers(1, 6), w=st.integers(1, 6), seed=st.integers(0, 2**16))
@example(c_in=4, c1=2, c2=(3, 3), c3=(2, 2), c4=3, h=5, w=6, seed=3)
def test_inception_paths_in_order(kata, c_in, c1, c2, c3, c4, h, w, seed):
    """Inception's output is cat(p1, p2, p3, p4) on dim 1, each path computed with the block's own p1_1 … p4_2"""
    args = (c_in, c1, c2, c3, c4)
    block = _build_inception(kata, *args)
    weights = nets.variance_preserving_weights(BookInception(*args), seed)
    nets.load_weights(kata, block, weights, f"{_call(args)} has the book's state_dict keys")
    X = torch.randn(2, c_in, h, w, generator=torch.Generator().manual_seed(seed))
    inputs = {"call": _call(args) + " (He-normal weights)", "X": X}
    block.eval()
    desc = nets.describe(kata, block, deep=True)
    try:
        got = block(X)
    except RuntimeError as e:
        fail(f"{_call(args)}(X) runs", inputs=inputs, expected=f"an output of shape "
             f"{(2, c1 + c2[1] + c3[1] + c4, h, w)}", got=f"RuntimeError: {str(e)[:300]}", hints=_inception_hints(desc))
    hints = [Hint(h.text, when=lambda g_, w_, h=h: h.applies(got, None))
             for h in _own_path_hints(kata, block, X, args)] + _inception_hints(desc)
    with torch.no_grad():
        parts = [("path 1: relu(p1_1(x))", lambda: F.relu(block.p1_1(X)), c1),
                 ("path 2: relu(p2_2(relu(p2_1(x))))", lambda: F.relu(block.p2_2(F.relu(block.p2_1(X)))), c2[1]),
                 ("path 3: relu(p3_2(relu(p3_1(x))))", lambda: F.relu(block.p3_2(F.relu(block.p3_1(X)))), c3[1]),
                 ("path 4: relu(p4_2(p4_1(x)))", lambda: F.relu(block.p4_2(block.p4_1(X))), c4)]
        start = 0
        for name, path, width in parts:
            want = path()
            sl = got[:, start:start + width] if isinstance(got, torch.Tensor) and got.dim() == 4 else got
            expect_close(sl, want, f"channels [{start}, {start + width}) of the output are {name}, computed with "
                         "the block's own layers", inputs=inputs, atol=1e-5 * (1 + float(want.abs().max())),
                         rtol=1e-5, hints=hints)
            start += width


# ----------------------------------------------------------------------------------------------- googlenet
def _build(kata, device="cpu", **kwargs):
    return nets.build(kata, "googlenet", device=device, **kwargs)


def _net_hints(desc):
    kinds = {d[0]: d[1] for d in desc}
    pools4 = [d for d in desc if d[0].endswith("p4_1")]
    return [
        Hint(CAT_DIM, when=lambda g, w: isinstance(g, str) and "except in dimension 0" in g),
        Hint(POOL_STRIDE, when=lambda g, w: any(nets._norm(d[2]).get("stride") != (1, 1) for d in pools4)),
        Hint("GoogLeNet ends with global *average* pooling, nn.AdaptiveAvgPool2d((1, 1)).",
             when=lambda g, w: "AdaptiveAvgPool2d" not in kinds.values()),
        Hint("if googlenet's structure test passes, the difference is in a forward pass: check Inception.forward "
             "(the Inception tests name the path at fault).",
             when=lambda g, w: isinstance(g, torch.Tensor) and isinstance(w, torch.Tensor) and g.shape == w.shape),
    ]


def test_googlenet_structure(kata):
    """googlenet() is Sequential(b1, b2, b3, b4, b5, Linear(1024, 10)) with the book's stages and Inception blocks"""
    for kwargs in ({}, {"in_channels": 3, "num_classes": 5}):
        call = f"googlenet({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        net = _build(kata, "meta", **kwargs)      # structure only: no weights drawn
        expect_book_structure(kata, net, book_googlenet(**kwargs), f"{call}'s modules are the book's",
                              inputs={"call": call}, hints=_structure_hints(**kwargs))


@settings(max_examples=2)
@given(in_channels=st.integers(1, 4), num_classes=st.integers(1, 20))
@example(in_channels=1, num_classes=10)
def test_googlenet_parameter_count(kata, in_channels, num_classes):
    """googlenet() has 5,977,530 parameters (and 64·49 more per input channel, 1025 more per class)"""
    net = _build(kata, "meta", in_channels=in_channels, num_classes=num_classes)
    nets.expect_parameter_count(kata, net, googlenet_count(in_channels, num_classes),
                                "googlenet(in_channels, num_classes) has the book's number of parameters",
                                inputs={"call": f"googlenet(in_channels={in_channels}, num_classes={num_classes})"},
                                hints=["the channel arguments of the nine Inception blocks are the book's "
                                       "(d2l §7.4.2); in_channels goes to b1's convolution, num_classes to the "
                                       "Linear."])


def test_googlenet_shape_tables(kata):
    """for layer in googlenet(): X = layer(X) prints the book's table: 24, 12, 6, 3, (1, 1024), (1, 10) at 96 px"""
    net = _build(kata)
    desc = nets.describe(kata, net, deep=True)
    nets.expect_child_shapes(kata, net, (1, 1, 96, 96),
                             [(1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024), (1, 10)],
                             "googlenet()'s shape table at 96 px is the book's (d2l §7.4.2)", hints=_net_hints(desc))
    nets.expect_child_shapes(kata, net, (2, 1, 32, 32),
                             [(2, 64, 8, 8), (2, 192, 4, 4), (2, 480, 2, 2), (2, 832, 1, 1), (2, 1024), (2, 10)],
                             "googlenet()'s shape table at 32 px", hints=_net_hints(desc))


@pytest.mark.core
@pytest.mark.weight(2)
def test_googlenet_same_outputs_as_the_book(kata):
    """With the same weights, googlenet() computes the book's class scores (64 px: the last map is 2×2)"""
    cases = (({}, (2, 1, 64, 64), 31), ({"in_channels": 3, "num_classes": 5}, (1, 3, 64, 64), 32))
    for kwargs, shape, seed in cases:
        call = f"googlenet({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        net = _build(kata, **kwargs)
        desc = nets.describe(kata, net, deep=True)
        X = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        try:
            nets.expect_same_outputs(kata, net, book_googlenet(**kwargs), X, f"{call} computes the book's class "
                                     "scores", seed=seed, inputs={"call": call}, hints=_net_hints(desc))
        except RuntimeError as e:
            fail(f"{call} computes the book's class scores", inputs={"call": call, "X": X},
                 expected=f"scores of shape {(shape[0], kwargs.get('num_classes', 10))}",
                 got=f"RuntimeError: {str(e)[:300]}", hints=_net_hints(desc))
