# Generated from solutions/ch7/resnet.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Residual networks (ResNet) · 残差网络(ResNet)

d2l-zh §7.6 (残差网络). The learner's note: "保证了深层网络，新添加层可以提升网络性能".

Why residual blocks help: if a block computes f(x) = g(x) + x, the layers only have to learn the *residual*
g(x) = f(x) − x. When the best thing a new block can do is nothing, it learns g = 0 (the last BatchNorm's scale
goes to zero) and passes x through unchanged — so adding blocks can never make the function class smaller, which
is exactly the note's point: a deeper network can only get better, never forget what the shallower one knew.

This kata builds the book's ``Residual`` block, the book's ``resnet_block`` stage, d2l-en's general
``resnet(arch, ...)`` (so that a tiny ResNet can train in seconds) and ResNet-18 as its book case.

Conventions of this course (graders rely on them):

* The nets are ``nn.Sequential`` whose top-level children are the book's: ``b1``, one ``nn.Sequential`` per stage,
  ``AdaptiveAvgPool2d((1, 1))``, ``Flatten``, ``Linear`` — so ``for layer in net: X = layer(X)`` prints the book's
  shape table and the ``state_dict`` keys are the book's ("0.0.weight", "1.0.conv1.weight", …). Global average
  pooling is ``AdaptiveAvgPool2d((1, 1))`` (an int 1 is the same layer).
* ``Residual``'s attributes are named ``conv1``, ``conv2``, ``conv3`` (``None`` without the 1×1 shortcut), ``bn1``,
  ``bn2``. Extra parameter-free attributes (an ``nn.ReLU()`` kept as a module) are allowed.
* No lazy modules (every parameter exists right after construction); builders use the default device, so the
  graders can build ResNet-18 on the ``meta`` device and count its 11,178,378 parameters in milliseconds.
* Forbidden: ``torchvision`` (its models have ready-made residual blocks: not the exercise).
"""
import torch
import torch.nn.functional as F
from torch import nn


class Residual(nn.Module):
    """The residual block of d2l §7.6.2::

        conv1 = Conv2d(input_channels, num_channels, 3, padding=1, stride=strides)
        bn1   = BatchNorm2d(num_channels)
        conv2 = Conv2d(num_channels, num_channels, 3, padding=1)          # stride 1
        bn2   = BatchNorm2d(num_channels)                                  # a second, separate BatchNorm
        conv3 = Conv2d(input_channels, num_channels, 1, stride=strides)    # only when use_1x1conv, else None

        forward(X):                                  # X (n, input_channels, h, w)
            Y = relu(bn1(conv1(X)))                  # (n, num_channels, h', w'), h' = ⌊(h − 1)/strides⌋ + 1
            Y = bn2(conv2(Y))                        # (n, num_channels, h', w')
            shortcut = conv3(X) if conv3 else X      # (n, num_channels, h', w')
            return relu(Y + shortcut)                # (n, num_channels, h', w')

    * The ReLU after bn2 comes only **after** the addition: the branch before the add is the residual g(x), which
      must be able to take negative values (and be exactly 0 when bn2's scale and shift are 0: then the block is
      relu(shortcut(X)), the "identity" path that lets a new block do no harm).
    * The stride sits on conv1 (and on the 1×1 conv3, so that the two paths have the same size), never on conv2.
      The 1×1 shortcut is a bare convolution: no BatchNorm, no ReLU of its own.
    * Without the 1×1 shortcut the sizes must already agree: ``Residual(c, c)`` with ``strides=1``.
    * Never write into ``X``: it is the caller's tensor (and a leaf of autograd, where an in-place update is an
      error). Adding into the fresh ``Y`` (the book's ``Y += X``) is fine.
    * float32 in, float32 out; the output is on X's device. Graders compare in train mode and then in eval mode
      (the running statistics of the first pass decide the second).

    Forbidden: torchvision (its models and ops).
    """

    def __init__(self, input_channels: int, num_channels: int, use_1x1conv: bool = False, strides: int = 1):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch7.resnet.Residual.__init__: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch7.resnet.Residual.forward: not implemented yet - replace this line with your code")


def resnet_block(input_channels: int, num_channels: int, num_residuals: int,
                 first_block: bool = False) -> list:
    """One stage of ResNet (d2l §7.6.3's ``resnet_block``): a **Python list** of ``num_residuals`` Residual blocks
    (the book splices it into ``nn.Sequential(*resnet_block(...))``).

    * The first block changes the number of channels and halves the height and width:
      ``Residual(input_channels, num_channels, use_1x1conv=True, strides=2)`` —
      **unless** ``first_block`` is true: the first stage follows the max-pooling of b1, which has already halved the
      size, so with ``first_block=True`` no block of the stage downsamples (and none has a 1×1 convolution).
    * Every other block is ``Residual(num_channels, num_channels)`` (same channels, stride 1).

    Shapes: (n, input_channels, h, w) → (n, num_channels, ⌈h/2⌉, ⌈w/2⌉), or unchanged with first_block=True
    (where the book always has input_channels == num_channels).

    Forbidden: torchvision.
    """
    raise NotImplementedError("KATA-STUB ch7.resnet.resnet_block: not implemented yet - replace this line with your code")


def resnet(arch, in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """A ResNet of any depth (d2l-en's ``ResNet(arch, ...)``, written as a builder)::

        arch = ((num_residuals_1, c_1), (num_residuals_2, c_2), …, (num_residuals_k, c_k))
        nn.Sequential(
            b1,                                 # Sequential(Conv2d(in_channels, c_1, 7, stride=2, padding=3),
                                                #            BatchNorm2d(c_1), ReLU(), MaxPool2d(3, stride=2, padding=1))
            stage_1, …, stage_k,                # stage_i = Sequential(*resnet_block(c_{i−1}, c_i, num_residuals_i,
                                                #                      first_block=(i == 1))),  c_0 = c_1
            AdaptiveAvgPool2d((1, 1)),          # global average pooling
            Flatten(),
            Linear(c_k, num_classes))

    So ``len(net) == len(arch) + 4``. Shapes for an input (n, in_channels, h, w): b1 divides h and w by 4 (rounding
    up), every stage after the first halves them again (rounding up); the output is (n, num_classes).
    ``in_channels`` and ``num_classes`` default to the book's Fashion-MNIST values (1 and 10). Build only from
    nn layers (no lazy modules, nothing allocated on a fixed device): the net lives on the default device, takes
    float32 batches and returns float32 logits on their device.

    Forbidden: torchvision.
    """
    raise NotImplementedError("KATA-STUB ch7.resnet.resnet: not implemented yet - replace this line with your code")


def resnet18(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """ResNet-18 of d2l §7.6.3: ``resnet(((2, 64), (2, 128), (2, 256), (2, 512)), in_channels, num_classes)``.

    18 layers with weights: the 7×7 convolution, 4 stages × 2 blocks × 2 3×3 convolutions, and the Linear layer
    (the 1×1 shortcuts are not counted). 11,178,378 parameters with the defaults. The book's shape table at
    (1, 1, 224, 224): b1 (1, 64, 56, 56), stages (1, 64, 56, 56), (1, 128, 28, 28), (1, 256, 14, 14),
    (1, 512, 7, 7), then (1, 512, 1, 1), (1, 512), (1, 10).

    Forbidden: torchvision.
    """
    raise NotImplementedError("KATA-STUB ch7.resnet.resnet18: not implemented yet - replace this line with your code")
