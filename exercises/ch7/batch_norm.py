# Generated from solutions/ch7/batch_norm.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Batch normalization from scratch · 批量规范化

d2l-zh §7.5 (批量规范化). The learner's note: “批量规范化:加速网络的收敛和拟合”.

The story. The note says batch normalisation makes a network converge faster, and the book shows it: the same
sigmoid LeNet that crawls for epochs learns in a few once a BatchNorm layer sits before each sigmoid (on the digits,
6 epochs of Adam take BN-LeNet past 0.9 test accuracy while the plain LeNet stays at 0.61–0.77). The layer itself is
a dozen lines, yet it is the layer learners get wrong most often, because it has **two modes** and **state**:

* in training it normalises each feature (fully connected) or each channel (convolutional, over the batch *and*
  the pixels) with the statistics of the current minibatch, and keeps running averages of them on the side;
* in prediction it uses those running averages, so that one example's output does not depend on the others in
  its batch.

Getting it right means picking the right axes, the right variance (biased to normalise, unbiased for the running
average, as PyTorch does), the right direction of the momentum, registering the running statistics as *buffers*
(so that ``state_dict()`` saves them and ``.to(device)`` moves them), and switching the mode with ``train()`` /
``eval()``. The graders compare every piece with ``nn.BatchNorm1d`` / ``nn.BatchNorm2d``.

Conventions of this kata where the book's code differs (d2l-zh 7.5.3):

* ``batch_norm`` takes an explicit ``training`` flag, and the layer passes ``self.training``; the book switches on
  ``torch.is_grad_enabled()``.
* Momentum is PyTorch's: new = (1 − momentum)·old + momentum·batch, default 0.1 (the book's momentum=0.9 is the
  same rule written the other way round).
* The running variance is updated with the **unbiased** batch variance (PyTorch's); the book averages the biased one.
* γ, β and the running statistics have shape (C,) (PyTorch's), not the book's (1, C) or (1, C, 1, 1).
* The running statistics are registered buffers; the book keeps them as plain attributes.
"""
import torch
from torch import nn


def batch_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, moving_mean: torch.Tensor,
               moving_var: torch.Tensor, eps: float, momentum: float, training: bool):
    """Batch normalisation of a minibatch, functional: returns ``(Y, new_mean, new_var)``.

    Shapes::

        X                                   # (n, C) after a fully connected layer, or (n, C, h, w) after a conv
        gamma, beta, moving_mean, moving_var  # (C,) each
        Y                                   # X's shape
        new_mean, new_var                   # (C,)

    Training (``training=True``): per feature (2-D X: over the n examples) or per channel (4-D X: over all
    m = n·h·w values of that channel), the batch mean μ and the **biased** batch variance σ² = mean((X − μ)²)::

        Y = γ · (X − μ) / √(σ² + ε) + β
        new_mean = (1 − momentum) · moving_mean + momentum · μ
        new_var  = (1 − momentum) · moving_var  + momentum · σ² · m / (m − 1)     # the unbiased variance

    (m = n for 2-D X, n·h·w for 4-D X: PyTorch's convention, so ``nn.BatchNorm1d/2d`` are exact oracles.)
    ε sits inside the square root. γ and β scale and shift each feature / channel: for 4-D X they broadcast over
    the channel axis (dim 1), not the last one.

    Prediction (``training=False``): the given running statistics replace the batch's,
    Y = γ · (X − moving_mean) / √(moving_var + ε) + β, and ``(moving_mean, moving_var)`` are returned unchanged (the
    same tensors or copies).

    Rules:

    * The mode comes from ``training`` only (not from ``torch.is_grad_enabled()``): graders call it with gradients
      on in prediction mode and under ``torch.no_grad()`` in training mode.
    * Functional: no argument is modified (the running statistics are *returned*; the caller stores them).
    * Y is differentiable wrt X, γ and β, also **through** μ and σ² (as ``F.batch_norm``'s gradients are); the
      returned statistics carry no autograd graph.
    * Dtype and device follow X (float32 or float64; ``meta`` in → ``meta`` out); no ``.item()`` or ``float()`` of
      a tensor inside the computation.
    * Training needs at least 2 values per channel (m ≥ 2; n = 1 on a 2-D X is not graded — raising ValueError
      there, as PyTorch does, is fine). Only 2-D and 4-D X are graded. eps, momentum and training are passed by
      keyword.

    Forbidden: ``batch_norm`` (``torch.batch_norm``, ``F.batch_norm``), ``native_batch_norm``,
    ``torch._native_batch_norm_legit*``, the ``nn.BatchNorm1d/2d/3d``, ``nn.LazyBatchNorm*`` and ``nn.SyncBatchNorm``
    modules, ``instance_norm``, ``layer_norm``, ``group_norm`` and their ``nn`` modules, and torchvision. Allowed:
    ``mean``, ``var``, ``var_mean``, ``sqrt``, ``rsqrt``, ``lerp``, arithmetic.
    """
    raise NotImplementedError("KATA-STUB ch7.batch_norm.batch_norm: not implemented yet - replace this line with your code")


class BatchNorm(nn.Module):
    """The batch-normalisation layer of d2l 7.5.3, built on ``batch_norm``:
    ``BatchNorm(num_features, num_dims, eps=1e-5, momentum=0.1)``.

    * ``num_features`` = C: the outputs of a fully connected layer or the channels of a convolution;
      ``num_dims`` = 2 (after ``nn.Linear``, X of shape (n, C)) or 4 (after ``nn.Conv2d``, X of shape (n, C, h, w)).
    * Parameters ``gamma`` (ones) and ``beta`` (zeros), shape (C,): ``nn.Parameter``, so that they are learnt. They
      are the layer's only parameters (2C numbers).
    * Running statistics ``moving_mean`` (zeros) and ``moving_var`` (ones), shape (C,): registered **buffers**, so
      that ``state_dict()`` holds them (keys ``moving_mean``, ``moving_var``) and ``.to(device)`` /
      ``.to(torch.float64)`` / ``.double()`` convert them together with the parameters. The state_dict has exactly
      the keys ``gamma``, ``beta``, ``moving_mean``, ``moving_var``.
    * ``forward(X)`` calls ``batch_norm(X, …, eps=self.eps, momentum=self.momentum, training=self.training)``
      and returns Y. In train mode it then stores the returned statistics in the buffers — also when called under
      ``torch.no_grad()``, as ``nn.BatchNorm2d`` does; in eval mode (``net.eval()``) it leaves them alone and the
      output uses them, also with gradients enabled. The mode is ``self.training`` (set by ``train()`` /
      ``eval()``), not the book's ``torch.is_grad_enabled()``.

    Three train-mode batches followed by an eval-mode batch give the outputs and running statistics of
    ``nn.BatchNorm2d(C, eps, momentum)`` (num_dims 4) or ``nn.BatchNorm1d`` (num_dims 2).

    Forbidden: as for ``batch_norm`` (the library's batch/instance/layer/group norm functions and modules).
    """

    def __init__(self, num_features: int, num_dims: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch7.batch_norm.BatchNorm.__init__: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch7.batch_norm.BatchNorm.forward: not implemented yet - replace this line with your code")


def BNLeNet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """LeNet with batch normalisation (d2l 7.5.4): an ``nn.Sequential`` of the book's 16 layers, in this order::

        Conv2d(in_channels, 6, 5), BatchNorm(6, 4), Sigmoid, AvgPool2d(2, 2),      # (n, 6, 24, 24) → (n, 6, 12, 12)
        Conv2d(6, 16, 5), BatchNorm(16, 4), Sigmoid, AvgPool2d(2, 2),              # (n, 16, 8, 8) → (n, 16, 4, 4)
        Flatten,                                                                   # (n, 256)
        Linear(256, 120), BatchNorm(120, 2), Sigmoid,                              # (n, 120)
        Linear(120, 84), BatchNorm(84, 2), Sigmoid,                                # (n, 84)
        Linear(84, num_classes)                                                    # (n, num_classes)

    Every BatchNorm is **this module's** ``BatchNorm`` and sits between the layer it normalises and the sigmoid.
    The input is 28×28 with no padding (28 → 24 → 12 → 8 → 4, so Flatten gives 16·4·4 = 256). With the defaults
    the net has 44,878 parameters. The children are the top-level layers in the book's order (state_dict keys
    "0.weight", "1.gamma", "1.moving_mean", …); building the list with loops or helpers is fine, nesting it is not.

    Forbidden: ``nn.BatchNorm1d/2d/3d`` and the library's ``batch_norm`` (use your own layer), torchvision.
    """
    raise NotImplementedError("KATA-STUB ch7.batch_norm.BNLeNet: not implemented yet - replace this line with your code")
