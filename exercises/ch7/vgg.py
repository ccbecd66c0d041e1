# Generated from solutions/ch7/vgg.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Networks using blocks (VGG) · 使用块的网络(VGG)

d2l-zh §7.2 (使用块的网络（VGG）). The learner's note: "VGG: 提出了VGG块的概念".

AlexNet was written layer by layer; VGG (2014) is written block by block. A VGG block is a few 3×3 convolutions with
padding 1 (which keep the height and width) followed by one 2×2 max pooling with stride 2 (which halves them), and a
whole network is a list of ``(num_convs, out_channels)`` pairs plus AlexNet's classifier. Thinking in blocks is what
made deeper networks — and later ResNet's and DenseNet's blocks — easy to describe: change the list, get another
net. This kata is about getting the bookkeeping of that loop right: which channel count each convolution receives,
where the single pooling layer goes, and how wide the first fully connected layer must be for a given list.

The book's VGG-11 has 128,806,154 parameters, far too many to build casually on a CPU; graders build it on the
``meta`` device (shapes, no numbers) and compare small VGGs with the book's code value by value.
"""
import torch
from torch import nn


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """One VGG block (d2l §7.2.1) as an ``nn.Sequential``::

        num_convs × [Conv2d(c, out_channels, kernel_size=3, padding=1), ReLU]   # c = in_channels for the first
                                                                                 #     convolution, then out_channels
        then MaxPool2d(kernel_size=2, stride=2)

    X (n, in_channels, h, w) → (n, out_channels, ⌊h/2⌋, ⌊w/2⌋): the 3×3 convolutions with padding 1 keep h and w,
    the pooling halves them (rounding down, so 7×5 gives 3×2; h, w ≥ 2).

    * ``2·num_convs + 1`` children in this order; ``num_convs ≥ 1``.
    * Parameters: ``out·(9·in + 1) + (num_convs − 1)·out·(9·out + 1)`` (``vgg_block(1, 1, 64)``: 640;
      ``vgg_block(2, 3, 8)``: 808).
    * Layers are built on the default device (no ``device=`` argument), so the block can be built under
      ``torch.device("meta")``.

    Forbidden: anything from torchvision (``torchvision.models.vgg`` is not the exercise).
    """
    raise NotImplementedError("KATA-STUB ch7.vgg.vgg_block: not implemented yet - replace this line with your code")


def vgg(conv_arch, in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """A VGG network (d2l §7.2.2): one ``vgg_block`` per ``(num_convs, out_channels)`` pair of ``conv_arch``, then the
    classifier, all as the top-level children of one ``nn.Sequential``::

        vgg_block(n_1, in_channels, c_1), vgg_block(n_2, c_1, c_2), …, vgg_block(n_k, c_{k−1}, c_k),
        Flatten,
        Linear(c_k·7·7, 4096), ReLU, Dropout(0.5),
        Linear(4096, 4096), ReLU, Dropout(0.5),
        Linear(4096, num_classes)

    The input must be square with side 7·2^k (k = len(conv_arch): 224 px for the book's five blocks, 28 px for
    two), so that the last block's map is 7×7. Shapes for VGG-11, ``conv_arch = ((1, 64), (1, 128), (2, 256),
    (2, 512), (2, 512))``::

        X = torch.zeros(1, 1, 224, 224)   # (n, c, h, w)
        # after each child: (1, 64, 112, 112), (1, 128, 56, 56), (1, 256, 28, 28), (1, 512, 14, 14),
        # (1, 512, 7, 7), (1, 25088), (1, 4096) ×6, (1, num_classes)

    * VGG-11 has 128,806,154 parameters; the book's ratio-4 net (every width divided by 4) 43,093,322;
      ``vgg(((1, 8), (1, 16)))`` (28 px inputs) 20,038,890 — the two 4096-wide layers dominate. Build big ones
      with ``with torch.device("meta"): net = vgg(conv_arch)``.
    * Any ``conv_arch`` works, not only VGG-11's: graders build small VGGs with 28- and 56-px inputs.
    * ``in_channels=1`` (Fashion-MNIST is grey; the book hard-codes it) and ``num_classes=10`` are keyword arguments.
    * The blocks stay nested (the state_dict keys are "0.0.weight", …, "1.0.weight", …, then the classifier's
      "k+1.weight", …): the top-level children are the k blocks, Flatten and the seven classifier layers. Use this
      module's ``vgg_block``. No lazy modules; build on the default device.

    Forbidden: anything from torchvision.
    """
    raise NotImplementedError("KATA-STUB ch7.vgg.vgg: not implemented yet - replace this line with your code")
