"""Graders' tools for networks (ch6, ch7 and later): build a learner's net anywhere (meta for the big ones),
compare its structure with a reference, count its parameters, print its shape table, and compare its outputs with a
reference net carrying the same weights.

The reference nets themselves (the oracles: the book's code) live in the test modules. Descriptions and shape tables
are computed where the learner's code runs by the probes of tests/shippable_nets.py; outputs are compared here.
"""
from __future__ import annotations

import torch
from torch import nn

from grader.check import expect, expect_close, fail, run_beside
from tests import shippable_nets as probes
from tests.helpers import call

_PAIRS = ("kernel_size", "stride", "padding", "dilation", "output_size")


def _norm(hyper: dict) -> dict:
    """int k and (k, k) are the same size (the contracts' "pairs" convention)."""
    out = {}
    for k, v in hyper.items():
        if k in _PAIRS and isinstance(v, int):
            v = (v, v)
        out[k] = v
    return out


def _show_layer(desc) -> str:
    name, tname, hyper, bias = desc[:4]
    shown = {k: v for k, v in _norm(hyper).items()
             if k not in ("dilation", "groups", "padding_mode", "ceil_mode", "count_include_pad", "affine",
                          "track_running_stats", "end_dim") or v not in ((1, 1), 1, "zeros", False, True, -1)}
    args = ", ".join(f"{k}={v}" for k, v in shown.items())
    if bias is False:
        args += (", " if args else "") + "bias=False"
    return f"{tname}({args})"


def build(kata, name: str, *args, device="cpu", prop: str | None = None, **kwargs):
    """``kata.<name>(*args, **kwargs)`` built with ``device`` as the default device, in the learner's process."""
    prop = prop or f"{name}(...) builds a network"
    try:
        return run_beside(kata, probes.build_on, device, getattr(kata, name), *args, **kwargs)
    except (TypeError, ValueError, RuntimeError, AttributeError, IndexError) as e:
        shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
        fail(prop, inputs={"call": f"{name}({shown})" + (f" on device {device!r}" if device != "cpu" else "")},
             expected="a network", got=f"{type(e).__name__}: {e}")


def describe(kata, net, deep: bool = False) -> list:
    """The learner net's layers as plain data (top-level children, or every module when ``deep``)."""
    return run_beside(kata, probes.describe_modules if deep else probes.describe_children, net)


def expect_structure(kata, net, ref: nn.Module, prop: str, *, inputs=None, deep: bool = False, hints=()):
    """The learner's net has the reference's layers in the reference's order, with the same hyper-parameters
    (top-level children; every module when ``deep``). The first difference is shown."""
    got = describe(kata, net, deep)
    want = (probes.describe_modules if deep else probes.describe_children)(ref)
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        # an nn.Sequential subclass stands for an nn.Sequential (the contracts: "a subclass is fine"); the
        # hyper-parameters of torch.nn layers are compared, not the attributes of the learner's own classes
        same_type = g is not None and w is not None and (g[1] == w[1] or (w[1] == "Sequential" and "Sequential" in g[4]))
        torch_layer = same_type and g[1] in g[4] and w[1] in w[4]
        same = same_type and g[0] == w[0] and (not torch_layer or (_norm(g[2]) == _norm(w[2]) and g[3] == w[3]))
        if not same:
            where = f"layer {w[0] if w else g[0]!r} (number {i} of {len(want)})"
            fail(prop, inputs=inputs, expected=f"{where}: {_show_layer(w) if w else 'no more layers'}",
                 got=f"{_show_layer(g) if g else 'no such layer (the net ends here)'}",
                 detail=f"the reference's layers: {', '.join(_show_layer(d) for d in want[:24])}"
                        + (" …" if len(want) > 24 else ""),
                 hints=[h.text for h in hints if h.applies(g, w)] if hints else ())


def expect_parameter_count(kata, net, want: int, prop: str, *, inputs=None, hints=()):
    got = run_beside(kata, probes.count_parameters, net)
    expect(got == want, prop, inputs=inputs, expected=f"{want:,} parameters", got=f"{got:,} parameters",
           hints=hints)


def expect_child_shapes(kata, net, shape, want: list, prop: str, *, inputs=None, hints=()):
    """The shape table of ``for layer in net: X = layer(X)`` on an input of ``shape`` (on the net's device: build
    big nets on meta) equals ``want`` (a list of shapes, one per top-level child)."""
    table = run_beside(kata, probes.child_shapes, net, tuple(shape))
    got = [row[2] for row in table]
    inputs = {**(inputs or {}), "input shape": tuple(shape)}
    for i, w in enumerate(want):
        g = got[i] if i < len(got) else "no such layer"
        if g != tuple(w):
            fail(prop, inputs=inputs, expected=f"after layer {i} ({table[i][1] if i < len(table) else '?'}): {tuple(w)}",
                 got=f"{g}", detail="shape table: " + "; ".join(f"{r[0]} {r[1]} → {r[2]}" for r in table),
                 hints=hints)
    expect(len(got) == len(want), prop, inputs=inputs, expected=f"{len(want)} layers", got=f"{len(got)} layers")


# ------------------------------------------------------------------------------------------------ same function
def variance_preserving_weights(ref: nn.Module, seed: int, dtype=torch.float64) -> dict:
    """A state_dict for ``ref`` with He-normal conv/linear weights (std √(2/fan_in)), small random biases,
    BatchNorm γ ∈ [0.5, 1.5], β ∈ [−0.5, 0.5] and positive running statistics, from a seeded generator. With
    PyTorch's default init a deep net's output barely depends on its input (the contracts' technique 1)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    modules = dict(ref.named_modules())
    for key, v in ref.state_dict().items():
        owner, _, attr = key.rpartition(".")
        m = modules.get(owner)
        shape = v.shape
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)) and attr == "weight":
            fan_in = shape[1] * (v[0, 0].numel() if v.dim() > 2 else 1)
            t = torch.randn(shape, generator=g, dtype=torch.float64) * (2.0 / fan_in) ** 0.5
        elif attr == "bias" or attr == "beta":
            t = (torch.rand(shape, generator=g, dtype=torch.float64) - 0.5) * (1.0 if attr == "beta" else 0.2)
        elif attr in ("weight", "gamma"):
            t = 0.5 + torch.rand(shape, generator=g, dtype=torch.float64)
        elif attr in ("running_mean", "moving_mean"):
            t = (torch.rand(shape, generator=g, dtype=torch.float64) - 0.5) * 0.2
        elif attr in ("running_var", "moving_var"):
            t = 0.5 + torch.rand(shape, generator=g, dtype=torch.float64)
        elif v.is_floating_point():
            t = torch.randn(shape, generator=g, dtype=torch.float64)
        else:
            t = v.clone()
        out[key] = t.to(dtype) if t.is_floating_point() else t
    return out


def load_weights(kata, net, weights: dict, prop: str, *, inputs=None, hints=()):
    """Copy ``weights`` into the learner's net; a difference of state_dict keys fails with both lists."""
    missing, unexpected = run_beside(kata, probes.set_weights, net, weights)
    if missing or unexpected:
        fail(prop, inputs=inputs, expected="the reference's state_dict keys (the book's layer names and order)",
             got=(f"the book's keys your net lacks: {missing[:8]}{' …' if len(missing) > 8 else ''}; "
                  f"keys of yours the book lacks: {unexpected[:8]}{' …' if len(unexpected) > 8 else ''}"),
             hints=list(hints) + ["the top-level children must be the book's layers in the book's order, nested "
                                  "as the book nests them: the state_dict keys follow from it (e.g. '0.weight' for "
                                  "the first child's weight, '1.0.weight' inside a block)."])


def expect_same_outputs(kata, net, ref: nn.Module, X: torch.Tensor, prop: str, *, seed: int = 0, modes=("eval",),
                        inputs=None, hints=(), rel: float = 1e-8):
    """With the same (variance-preserving) weights in float64, the learner's net and the reference give the same
    outputs on ``X`` in each of ``modes`` ("train", then "eval": the running statistics of the train pass decide
    the eval pass). Returns the learner's last output."""
    ref = ref.double()
    weights = variance_preserving_weights(ref, seed)
    ref.load_state_dict(weights)
    net = net.double()
    load_weights(kata, net, weights, prop, inputs=inputs, hints=hints)
    X = X.double()
    inputs = {**(inputs or {}), "X": X}
    got = None
    for mode in modes:
        net.train(mode == "train")
        ref.train(mode == "train")
        with torch.no_grad():
            want = ref(X)
        got = call(net, X, prop=f"{prop} ({mode} mode)", inputs=inputs, expected="the network's output")
        expect_close(got, want, f"{prop} ({mode} mode, the same weights as the reference, float64)", inputs=inputs,
                     atol=rel * (1 + float(want.abs().max())), rtol=1e-7, hints=hints)
    return got
