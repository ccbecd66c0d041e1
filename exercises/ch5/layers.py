# Generated from solutions/ch5/layers.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Blocks, custom layers and parameter access · 层和块、自定义层与参数访问

d2l-zh §5.1 (层和块: ``MySequential``), §5.2 (参数管理: counting and reaching parameters) and §5.4 (自定义层:
``CenteredLayer``, ``MyLinear``). The notes (``net = nn.Sequential(nn.Linear(2, 1))``,
``net[0].weight.data.normal_(0, 0.01)``) and the notes (``net[0].weight.grad, net[0].bias.grad  # 访问梯度``).

The notes use ``nn.Sequential`` and reach into it with ``net[0].weight``. This kata opens the box: a sequential
container is a module that *registers* its blocks (so that ``parameters()``, ``state_dict()``, ``to()``, ``apply()``
find them) and calls them in order; a custom layer is a module whose ``nn.Parameter`` attributes are registered
the same way, so that autograd fills their ``.grad`` and an optimizer can update them.
"""
import torch
import torch.nn.functional as F
from torch import nn


class MySequential(nn.Module):
    """A sequential container, as d2l §5.1: ``MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))``.

    * ``__init__(*blocks)`` registers every block as a child module named ``"0"``, ``"1"``, … in order
      (``self.add_module(str(i), block)``, or d2l's ``self._modules[str(i)] = block``). Registering is what makes
      ``net.parameters()`` see the blocks' parameters and ``net.state_dict()`` have keys ``"0.weight"``, ….
      A plain Python list (``self.blocks = list(blocks)``) hides them from all of that.
    * ``forward(X)`` feeds X through the blocks in order and returns the last output (with no blocks: X itself).
    * ``net[i]`` returns the i-th block; negative i counts from the end (``net[-1]`` is the last block), and an
      index out of range raises ``IndexError``. ``len(net)`` is the number of blocks.

    Forbidden: ``nn.Sequential`` and ``nn.ModuleList`` (to wrap, or to inherit from).
    """

    def __init__(self, *blocks: nn.Module):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch5.layers.MySequential.__init__: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch5.layers.MySequential.forward: not implemented yet - replace this line with your code")

    def __getitem__(self, idx: int) -> nn.Module:
        raise NotImplementedError("KATA-STUB ch5.layers.MySequential.__getitem__: not implemented yet - replace this line with your code")

    def __len__(self) -> int:
        raise NotImplementedError("KATA-STUB ch5.layers.MySequential.__len__: not implemented yet - replace this line with your code")


def count_parameters(net: nn.Module) -> int:
    """The number of trainable numbers in ``net``: the total number of **elements** of its parameters that have
    ``requires_grad=True``, as a Python int.

    * Elements, not tensors: ``nn.Linear(20, 256)`` has 20·256 + 256 = 5376.
    * Frozen parameters (``p.requires_grad_(False)``) are not counted; buffers (BatchNorm's running mean and
      variance) are not parameters at all.
    * A parameter shared by two layers (d2l §5.2.3: the same ``nn.Linear`` used twice) counts once, as
      ``net.parameters()`` yields it once.
    """
    raise NotImplementedError("KATA-STUB ch5.layers.count_parameters: not implemented yet - replace this line with your code")


class CenteredLayer(nn.Module):
    """A layer without parameters (d2l §5.4.1): ``forward(X) = X − X.mean()``, the mean over **all** entries
    of X (one number), so that the output's overall mean is 0. Any shape; same shape out."""

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch5.layers.CenteredLayer.forward: not implemented yet - replace this line with your code")


class MyLinear(nn.Module):
    """A fully connected layer with ReLU, from its own parameters (d2l §5.4.2)::

        weight: nn.Parameter of shape (in_units, units), entries drawn from N(0, 1) (torch.randn)
        bias:   nn.Parameter of shape (units,),          entries drawn from N(0, 1)
        forward(X) = relu(X @ weight + bias)               # X (n, in_units) -> (n, units)

    Note the layout: (in_units, units), so ``X @ weight`` needs no transpose (``nn.Linear`` stores the
    transpose, (out, in)). Both must be ``nn.Parameter`` attributes named ``weight`` and ``bias`` so that
    ``parameters()`` finds them, and gradients must flow to both: d2l's book code uses ``self.weight.data`` in
    forward, which cuts the graph (``.grad`` stays None) — use the parameters themselves.

    Forbidden: ``nn.Linear``, ``F.linear``.
    """

    def __init__(self, in_units: int, units: int):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch5.layers.MyLinear.__init__: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch5.layers.MyLinear.forward: not implemented yet - replace this line with your code")
