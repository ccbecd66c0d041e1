"""Objects the graders of ch6/lenet.py pass into learner code (evaluate_accuracy_gpu, train_ch6): a network that
records the mode it ran in, an animator that records every point (None included), and a probe that predicts in eval
mode. They run where the learner's code runs (the sandboxed worker, or the grading process). Visible to learners;
no oracle lives here (what a recorded value is compared with is computed in tests/ch6/test_lenet.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch
from torch import nn


class ModeProbe(nn.Module):
    """Conv2d(1, 2, 3, padding=1) → Flatten → Linear(2·side², num_classes) → Dropout(p), with weights from a seeded
    generator. Records, for every forward pass, (training mode?, autograd recording?, batch size) in ``calls``.

    The Conv2d and the Linear are plain ``nn.Conv2d`` / ``nn.Linear`` (train_ch6 re-initialises them); with
    ``p = 0.99`` the scores are almost all zero in training mode, so only eval mode gives stable predictions."""

    def __init__(self, side=4, num_classes=3, p=0.0, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.flatten = nn.Flatten()
        self.linear = nn.Linear(2 * side * side, num_classes)
        self.drop = nn.Dropout(p)
        with torch.no_grad():
            for prm in self.parameters():
                prm.copy_(torch.randn(prm.shape, generator=g) * 0.5)
        self.calls = []

    def forward(self, X):
        self.calls.append((bool(self.training), bool(torch.is_grad_enabled()), int(X.shape[0])))
        return self.drop(self.linear(self.flatten(self.conv(X))))


def _num(v):
    """A recorded value: None stays None, numbers and 0-d tensors become Python floats, anything else its repr."""
    if v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError, RuntimeError):
        return repr(v)


class CurveRecorder:
    """An animator that records every ``add(x, y)`` call as (x, ys): y a number or a sequence (one value per curve,
    None allowed, as d2l's Animator skips it); x one number for every curve or one per curve."""

    def __init__(self):
        self.calls = []

    def add(self, x, y):
        ys = tuple(_num(v) for v in y) if hasattr(y, "__len__") else (_num(y),)
        xs = tuple(_num(v) for v in x) if hasattr(x, "__len__") else _num(x)
        self.calls.append((xs, ys))

    def __repr__(self):
        return "an animator that records every add(x, y)"


def predict(net, X):
    """``net(X)`` in eval mode under no_grad, detached (the grader computes the accuracy itself)."""
    net.eval()
    with torch.no_grad():
        return net(X).detach()


def weights_of(net) -> list:
    """[(name, tensor copy)] of the net's parameters, in order (read in the learner's process)."""
    return [(name, p.detach().clone()) for name, p in net.named_parameters()]


def parameter_devices(net) -> list:
    """The sorted device types of the net's parameters (e.g. ["cpu"], ["meta"])."""
    return sorted({p.device.type for p in net.parameters()})
