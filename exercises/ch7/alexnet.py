# Generated from solutions/ch7/alexnet.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""AlexNet · 深度卷积神经网络(AlexNet)

d2l-zh §7.1 (深度卷积神经网络（AlexNet）). The learner's note: "AlexNet: 比LeNet增加了更多的卷积层和参数,来拟合更大的数据集".

LeNet has two convolutions and 61,706 parameters; AlexNet (2012) has five convolutions, three huge fully connected
layers and 46.8 million parameters — the same "convolution → pooling → fully connected" recipe, scaled up until it
could fit ImageNet, with ReLU instead of sigmoid and dropout to keep the fully connected layers from overfitting.
Writing it out layer by layer, and predicting the shape table before printing it, is how one learns to read a CNN:
where the 11×11 window with stride 4 shrinks 224 px to 54, why the flattened map has 256·5·5 = 6400 entries, and
where the parameters live (most of them in the first Linear layer, none in the pooling layers).

This is the book's version (d2l §7.1.2), not the paper's: one input channel (Fashion-MNIST is grey), padding 1 on the
first convolution, no local response normalisation, 10 classes. Nothing here is trained in the graders: the net is
checked by its layers, its parameter count, its shape table (built on the ``meta`` device, where 47 million weights
cost nothing) and by its outputs with the same weights as the book's net.
"""
import torch
from torch import nn


def alexnet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """The book's AlexNet (d2l §7.1.2) as an ``nn.Sequential`` of its 21 layers, in this order::

        Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), ReLU, MaxPool2d(kernel_size=3, stride=2),
        Conv2d(96, 256, kernel_size=5, padding=2), ReLU, MaxPool2d(kernel_size=3, stride=2),
        Conv2d(256, 384, kernel_size=3, padding=1), ReLU,
        Conv2d(384, 384, kernel_size=3, padding=1), ReLU,
        Conv2d(384, 256, kernel_size=3, padding=1), ReLU, MaxPool2d(kernel_size=3, stride=2),
        Flatten,
        Linear(6400, 4096), ReLU, Dropout(p=0.5),
        Linear(4096, 4096), ReLU, Dropout(p=0.5),
        Linear(4096, num_classes)

    Shapes (the book's table, ``for layer in net: X = layer(X)``)::

        X = torch.zeros(1, 1, 224, 224)   # (n, c, h, w)
        # after each layer: (1, 96, 54, 54) ×2, (1, 96, 26, 26), (1, 256, 26, 26) ×2, (1, 256, 12, 12),
        # (1, 384, 12, 12) ×4, (1, 256, 12, 12) ×2, (1, 256, 5, 5), (1, 6400), (1, 4096) ×6, (1, num_classes)

    * 46,764,746 parameters with the defaults (46,787,978 with ``in_channels=3``; 47,133,476 with
      ``num_classes=100``). Build it with ``with torch.device("meta"): net = alexnet()`` to count them or to print
      the shape table in milliseconds (on the CPU, drawing 47 million initial weights takes about half a second).
    * The net accepts the square inputs from 193 to 224 px: those reach a 5×5 map before ``Flatten``, which the first
      ``Linear(6400, 4096)`` needs. Work it out for 193 px — it only fits with the book's first convolution.
    * Keyword arguments with the book's values as defaults: ``in_channels=1`` (Fashion-MNIST is grey — the paper's
      RGB images had 3) and ``num_classes=10``.
    * The top-level children are exactly these 21 layers in this order, so the ``state_dict`` keys are the book's
      ("0.weight", "3.weight", …, "20.bias"); building the list with a loop or helper is fine, renaming or nesting
      the children is not. No ``nn.LazyLinear`` / ``nn.LazyConv2d``: every parameter exists right after
      construction. Build the layers on the default device (never pass ``device="cpu"``), so that building under
      ``torch.device("meta")`` works.
    * The book's hyper-parameters win over the paper's (this page's contract): no ``LocalResponseNorm``, padding 1 on
      the first convolution, 6400 flattened inputs. Dropout is active in train mode only (``net.train()``), as
      ``nn.Dropout`` does.

    Forbidden: anything from torchvision (``torchvision.models.alexnet`` is not the exercise).
    """
    raise NotImplementedError("KATA-STUB ch7.alexnet.alexnet: not implemented yet - replace this line with your code")
