"""Objects the graders of distill/kd.py pass into learner code (train_student): a network wrapper that records the
mode and the autograd state of every forward pass. It runs where the learner's code runs (the sandboxed worker, or
the grading process). Visible to learners; no oracle lives here (what a recorded value is compared with is computed
in tests/distill/test_kd.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch
from torch import nn


class RecordingNet(nn.Module):
    """``net(X)``, recording for every forward pass (training mode of the wrapper?, training mode of any module
    inside?, autograd recording?, batch size) in ``calls``. Used for the teacher (which must run in eval mode
    without autograd) and for the student (which must train in train mode)."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.calls = []

    def forward(self, X):
        inner = any(m.training for m in self.net.modules())
        self.calls.append((bool(self.training), bool(inner), bool(torch.is_grad_enabled()), int(X.shape[0])))
        return self.net(X)
