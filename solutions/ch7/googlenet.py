"""Networks with parallel concatenations (GoogLeNet) · 含并行连结的网络(GoogLeNet)

d2l-zh §7.4 (含并行连结的网络（GoogLeNet）). The learner's note: "Inception块，相当于一个有4条路径的子网络".

Which window is best, 1×1, 3×3 or 5×5? GoogLeNet (2014) does not choose: its Inception block runs them side by side
and concatenates the results along the channel dimension, with cheap 1×1 convolutions in front of the expensive
ones to reduce the channel count first ("1×1 reductions"), and a max-pooling path that keeps the spatial size.
Nine of these blocks, stacked in the book's five stages, give a 22-layer network with 5,977,530 parameters — an
eighth of AlexNet's. The kata is about the block's bookkeeping: every path must keep the height and width (or the
concatenation fails), the channels add up, the paths are concatenated in a fixed order, and the nonlinearities
sit exactly where the book puts them.
"""
import torch
import torch.nn.functional as F
from torch import nn


class Inception(nn.Module):
    """The Inception block (d2l §7.4.1): four parallel paths, concatenated along the channels.

    ``Inception(in_channels, c1, c2, c3, c4)`` with ``c2 = (c2[0], c2[1])`` and ``c3 = (c3[0], c3[1])`` pairs. The
    layers are attributes with the book's names (part of the contract: graders load the book's state_dict into
    your block and call these attributes)::

        p1_1 = Conv2d(in_channels, c1, kernel_size=1)                       # path 1: 1×1
        p2_1 = Conv2d(in_channels, c2[0], kernel_size=1)                    # path 2: 1×1 reduction, then 3×3
        p2_2 = Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        p3_1 = Conv2d(in_channels, c3[0], kernel_size=1)                    # path 3: 1×1 reduction, then 5×5
        p3_2 = Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        p4_1 = MaxPool2d(kernel_size=3, stride=1, padding=1)                # path 4: 3×3 max pooling, then 1×1
        p4_2 = Conv2d(in_channels, c4, kernel_size=1)

    ``forward(x)``, x (n, in_channels, h, w)::

        p1 = relu(p1_1(x))                                                  # (n, c1, h, w)
        p2 = relu(p2_2(relu(p2_1(x))))                                      # (n, c2[1], h, w)
        p3 = relu(p3_2(relu(p3_1(x))))                                      # (n, c3[1], h, w)
        p4 = relu(p4_2(p4_1(x)))                                            # (n, c4, h, w)
        return the concatenation of (p1, p2, p3, p4) along dim 1            # (n, c1 + c2[1] + c3[1] + c4, h, w)

    * Every path keeps h and w, for any h, w ≥ 1.
    * A ReLU follows every convolution (the 1×1 reductions included); there is no ReLU between the pooling and
      p4_2. The concatenation order is path 1, 2, 3, 4: channels [0, c1) are path 1's, and so on.
    * ``Inception(192, 64, (96, 128), (16, 32), 32)`` (the first block of the book's b3) has 163,696 parameters and
      256 output channels.
    * Extra parameter-free attributes (an ``nn.ReLU()`` kept as a module) are allowed; other parameters are not.
      Layers are built on the default device (no ``device=``).

    Forbidden: anything from torchvision (``torchvision.models.googlenet`` has its own Inception).
    """

    def __init__(self, in_channels: int, c1: int, c2, c3, c4: int, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ### BEGIN SOLUTION
        p1 = F.relu(self.p1_1(x))                                   # (n, c1, h, w)
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))                # (n, c2[1], h, w)
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))                # (n, c3[1], h, w)
        p4 = F.relu(self.p4_2(self.p4_1(x)))                        # (n, c4, h, w)
        return torch.cat((p1, p2, p3, p4), dim=1)                   # (n, c1 + c2[1] + c3[1] + c4, h, w)
        ### END SOLUTION


def googlenet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """The book's GoogLeNet (d2l §7.4.2): ``nn.Sequential(b1, b2, b3, b4, b5, Linear(1024, num_classes))`` where
    each stage is an ``nn.Sequential``::

        b1 = [Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), ReLU,
              MaxPool2d(kernel_size=3, stride=2, padding=1)]
        b2 = [Conv2d(64, 64, kernel_size=1), ReLU, Conv2d(64, 192, kernel_size=3, padding=1), ReLU,
              MaxPool2d(kernel_size=3, stride=2, padding=1)]
        b3 = [Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64),
              MaxPool2d(kernel_size=3, stride=2, padding=1)]
        b4 = [Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
              Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
              Inception(528, 256, (160, 320), (32, 128), 128), MaxPool2d(kernel_size=3, stride=2, padding=1)]
        b5 = [Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128),
              AdaptiveAvgPool2d((1, 1)), Flatten]

    Shapes after each child at (1, 1, 96, 96) (the book's table): (1, 64, 24, 24), (1, 192, 12, 12),
    (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024), (1, num_classes); at 32 px the stages give 8, 4, 2 and 1 pixels.

    * 5,977,530 parameters with the defaults, whatever the input size (global average pooling before the Linear).
    * ``in_channels=1`` (Fashion-MNIST is grey) and ``num_classes=10`` are keyword arguments. Use this module's
      ``Inception``; the state_dict keys are the book's ("0.0.weight", …, "2.0.p1_1.weight", …, "5.weight"). The
      stages stay nested (six top-level children). Global average pooling is ``nn.AdaptiveAvgPool2d((1, 1))``
      (an int 1 is the same layer). No lazy modules; build on the default device.

    Forbidden: anything from torchvision.
    """
    ### BEGIN SOLUTION
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)),
                       nn.Flatten())                                # (n, 1024)
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
    ### END SOLUTION
