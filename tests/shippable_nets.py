"""Probes and stand-ins for graders of networks (ch5-ch7 and later): they run where the learner's code runs (the
sandboxed worker, or the grading process) and return plain data. Visible to learners; no oracle lives here: what a
description or an accuracy is compared with is computed in the test modules.

Imports: the standard library and torch only (tests/engine/test_shippable.py checks it). Everything is module-level,
so it pickles by reference.
"""
from __future__ import annotations

import torch
from torch import nn

# hyper-parameters that make up a layer's description (what the contracts call its fingerprint)
_HYPER = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "in_features",
          "out_features", "p", "num_features", "eps", "momentum", "output_size", "ceil_mode", "count_include_pad",
          "start_dim", "end_dim", "negative_slope", "padding_mode", "num_dims", "affine", "track_running_stats")


def _value(v):
    if isinstance(v, (list, tuple)):
        return tuple(_value(x) for x in v)
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    return repr(v)


def layer_description(m) -> tuple:
    """(type name, {hyper-parameter: value}, bias present or None for layers without one, the torch.nn classes it
    derives from) of one module."""
    own = vars(m)
    hyper = {name: _value(own[name]) for name in _HYPER if name in own}
    has_bias = (m.bias is not None) if isinstance(getattr(m, "bias", None), torch.Tensor) or (
        "bias" in own or "bias" in getattr(m, "_parameters", {})) else None
    bases = tuple(c.__name__ for c in type(m).__mro__ if c.__module__.startswith("torch.nn"))
    return (type(m).__name__, hyper, has_bias, bases)


def describe_children(net) -> list:
    """[(name, type name, hyper-parameters, bias?)] of the top-level children, in order."""
    return [(name,) + layer_description(child) for name, child in net.named_children()]


def describe_modules(net) -> list:
    """[(dotted name, type name, hyper-parameters, bias?)] of every module below the net (depth-first, in order;
    the net itself excluded)."""
    return [(name,) + layer_description(m) for name, m in net.named_modules() if name]


def count_parameters(net) -> int:
    """Elements of the parameters that require grad (works on meta nets too)."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def parameter_shapes(net) -> list:
    """[(name, shape)] of the named parameters, in order."""
    return [(name, tuple(p.shape)) for name, p in net.named_parameters()]


def state_keys(net) -> list:
    """The state_dict keys with their shapes: [(key, shape)]."""
    return [(k, tuple(v.shape)) for k, v in net.state_dict().items()]


def build_on(device, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with ``device`` as the default device (e.g. "meta": a 128M-parameter VGG is built in
    milliseconds without drawing a weight). The net stays in the learner's process; the grader gets a handle."""
    with torch.device(device):
        return fn(*args, **kwargs)


def _device_of(net):
    for p in net.parameters():
        return p.device
    return torch.device("meta")


def child_shapes(net, shape, dtype=torch.float32, mode="eval") -> list:
    """The book's shape table: [(child name, type name, output shape)] of ``for layer in net: X = layer(X)`` on an
    input of ``shape`` (zeros on the net's device: build big nets on meta, where nothing is computed). A child that
    fails gives (name, type, "ExceptionType: message") and the table stops there. The net is not moved."""
    device = _device_of(net)
    net.train(mode == "train")
    X = torch.zeros(shape, device=device, dtype=dtype)
    out = []
    with torch.no_grad():
        for name, layer in net.named_children():
            try:
                X = layer(X)
            except Exception as e:  # noqa: BLE001 - reported as data
                out.append((name, type(layer).__name__, f"{type(e).__name__}: {str(e)[:300]}"))
                break
            out.append((name, type(layer).__name__, tuple(X.shape) if isinstance(X, torch.Tensor)
                        else f"not a tensor: {type(X).__name__}"))
    return out


def forward_shape(net, shape, dtype=torch.float32):
    """The output shape of net(zeros(shape)) on the net's device, or "ExceptionType: message"."""
    device = _device_of(net)
    try:
        with torch.no_grad():
            Y = net(torch.zeros(shape, device=device, dtype=dtype))
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {str(e)[:300]}"
    return tuple(Y.shape) if isinstance(Y, torch.Tensor) else f"not a tensor: {type(Y).__name__}"


def set_weights(net, weights: dict):
    """Copy ``weights`` (state_dict key -> tensor, from the grader) into the net's state (strict: every key of
    both); returns (the reference's keys the net lacks, the net's keys the reference lacks), as load_state_dict's
    missing/unexpected, instead of raising when they differ."""
    own = net.state_dict()
    missing = [k for k in weights if k not in own]       # the reference's keys this net lacks
    unexpected = [k for k in own if k not in weights]    # this net's keys the reference lacks
    if missing or unexpected:
        return missing, unexpected
    with torch.no_grad():
        for k, v in own.items():
            if tuple(v.shape) != tuple(weights[k].shape):
                return [f"{k} has shape {tuple(v.shape)}, the reference's {tuple(weights[k].shape)}"], []
            v.copy_(weights[k].to(v.dtype))
    return [], []


# ------------------------------------------------------------------------------------------- training in place
class Adam:
    """A hand-written Adam (PyTorch's defaults; no torch.optim: its first use imports torch._dynamo, +1.2 s)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            mhat = m / (1 - b1 ** self.t)
            vhat = v / (1 - b2 ** self.t)
            p.sub_(self.lr * mhat / (vhat.sqrt() + self.eps))


def xavier_reinit(net, seed):
    """Xavier-uniform weights for every Conv2d / Linear, zero biases, from a seeded CPU generator (deterministic
    whatever the global RNG did)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                w = m.weight
                fan_in = w.shape[1] * (w[0, 0].numel() if w.dim() > 2 else 1)
                fan_out = w.shape[0] * (w[0, 0].numel() if w.dim() > 2 else 1)
                bound = (6.0 / (fan_in + fan_out)) ** 0.5
                w.copy_((torch.rand(w.shape, generator=g, dtype=torch.float64) * 2 - 1).mul(bound).to(w.dtype))
                if m.bias is not None:
                    m.bias.zero_()


class Trainer:
    """Trains a learner's net in the learner's process: hand-written Adam on the mean cross-entropy, shuffled
    minibatches from a seeded generator, one ``epoch()`` per call (the optimiser state carries over). The grader
    evaluates between epochs itself (``net.eval(); net(X_test)``), so accuracies never come from this object.
    ``reinit``: Xavier-uniform weights and zero biases from ``seed`` first (independent of the global RNG)."""

    def __init__(self, net, X, y, lr, batch_size=64, seed=0, reinit=True):
        if reinit:
            xavier_reinit(net, seed)
        self.net, self.X, self.y, self.batch_size = net, X, y, batch_size
        self.g = torch.Generator().manual_seed(seed + 1)
        self.opt = Adam(net.parameters(), lr=lr)

    def epoch(self) -> float:
        """One pass over the data in train mode; returns the mean training loss (information only)."""
        self.net.train()
        n, total = len(self.y), 0.0
        perm = torch.randperm(n, generator=self.g)
        for i in range(0, n, self.batch_size):
            idx = perm[i:i + self.batch_size]
            loss = nn.functional.cross_entropy(self.net(self.X[idx]), self.y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            total += float(loss.detach()) * len(idx)
        return total / n
