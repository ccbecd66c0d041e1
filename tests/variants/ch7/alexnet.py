"""Recorded buggy variants of ch7/alexnet.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    "first_conv_padding_0": {
        "why": "the paper-style first convolution without padding: same 224-px shapes and count, other values, and a "
               "193-px image no longer fits (the contract's Bug)",
        "feedback": "padding=1",
        "source": '''
            def alexnet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 96, kernel_size=11, stride=4), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Flatten(),
                    nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "rgb_default": {
        "why": "in_channels defaults to 3 (the paper's RGB images; the contract's Bug): alexnet() rejects the "
               "book's 1-channel Fashion-MNIST images",
        "feedback": "in_channels=1",
        "source": '''
            _book_alexnet = alexnet

            def alexnet(in_channels=3, num_classes=10):
                return _book_alexnet(in_channels, num_classes)
        ''',
    },
    "num_classes_ignored": {
        "why": "copies the book's hard-coded Linear(4096, 10)",
        "feedback": "num_classes",
        "source": '''
            _book_alexnet = alexnet

            def alexnet(in_channels=1, num_classes=10):
                return _book_alexnet(in_channels, 10)
        ''',
    },
    "paper_lrn": {
        "why": "the paper's local response normalisation after the first two convolutions (the book drops it)",
        "feedback": "LocalResponseNorm",
        "source": '''
            def alexnet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
                    nn.LocalResponseNorm(5), nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
                    nn.LocalResponseNorm(5), nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Flatten(),
                    nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "lenet_avg_pooling": {
        "why": "keeps LeNet's average pooling: same shapes and count, other values",
        "feedback": "MaxPool2d",
        "source": '''
            def alexnet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
                    nn.AvgPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
                    nn.AvgPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
                    nn.AvgPool2d(kernel_size=3, stride=2),
                    nn.Flatten(),
                    nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "renamed_children": {
        "why": "names the layers with an OrderedDict: the state_dict keys are no longer the book's",
        "feedback": "names",
        "source": '''
            from collections import OrderedDict

            _book_alexnet = alexnet

            def alexnet(in_channels=1, num_classes=10):
                layers = list(_book_alexnet(in_channels, num_classes))
                return nn.Sequential(OrderedDict((f"{type(m).__name__.lower()}{i}", m) for i, m in enumerate(layers)))
        ''',
    },
    "no_dropout": {
        "why": "drops the two Dropout layers (19 layers, same count and shapes of the remaining ones)",
        "feedback": "Dropout",
        "source": '''
            _book_alexnet = alexnet

            def alexnet(in_channels=1, num_classes=10):
                return nn.Sequential(*[m for m in _book_alexnet(in_channels, num_classes)
                                       if not isinstance(m, nn.Dropout)])
        ''',
    },
    "last_conv_384": {
        "why": "the last convolution keeps 384 channels: 384·5·5 = 9600 inputs to the first Linear",
        "feedback": "out_channels=256",
        "source": '''
            def alexnet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=3, stride=2),
                    nn.Flatten(),
                    nn.Linear(9600, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "torchvision_model": {
        "why": "takes torchvision's AlexNet and swaps its first convolution and last layer (forbidden)",
        "feedback": "torchvision",
        "source": '''
            def alexnet(in_channels=1, num_classes=10):
                from torchvision.models import AlexNet
                net = AlexNet(num_classes=num_classes)
                net.features[0] = nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2)
                return nn.Sequential(*net.features, net.avgpool, nn.Flatten(), *net.classifier)
        ''',
    },
}

ALTERNATIVES = {
    # the book's own code (d2l §7.1.2), with the contract's keyword arguments in place of the hard-coded 1 and 10
    "d2l_book": '''
        def alexnet(in_channels=1, num_classes=10):
            net = nn.Sequential(
                # 这里使用一个11*11的更大窗口来捕捉对象。
                # 同时，步幅为4，以减少输出的高度和宽度。
                # 另外，输出通道的数目远大于LeNet
                nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                # 减小卷积窗口，使用填充为2来使得输入与输出的高和宽一致，且增大输出通道数
                nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                # 使用三个连续的卷积层和较小的卷积窗口。
                # 除了最后的卷积层，输出通道的数量进一步增加。
                # 在前两个卷积层之后，汇聚层不用于减少输入的高度和宽度
                nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
                nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
                nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.Flatten(),
                # 这里，全连接层的输出数量是LeNet中的好几倍。使用dropout层来减轻过拟合
                nn.Linear(6400, 4096), nn.ReLU(),
                nn.Dropout(p=0.5),
                nn.Linear(4096, 4096), nn.ReLU(),
                nn.Dropout(p=0.5),
                # 最后是输出层。由于这里使用Fashion-MNIST，所以用类别数为10，而非论文中的1000
                nn.Linear(4096, num_classes))
            return net
    ''',
    # an nn.Sequential subclass built with loops, pair sizes and in-place ReLUs
    "sequential_subclass_loops": '''
        class AlexNet(nn.Sequential):
            def __init__(self, in_channels=1, num_classes=10):
                layers = []
                convs = [(in_channels, 96, (11, 11), (4, 4), (1, 1), True),
                         (96, 256, (5, 5), 1, (2, 2), True),
                         (256, 384, 3, 1, 1, False), (384, 384, 3, 1, 1, False), (384, 256, 3, 1, 1, True)]
                for c_in, c_out, k, s, p, pool in convs:
                    layers += [nn.Conv2d(c_in, c_out, k, stride=s, padding=p), nn.ReLU(inplace=True)]
                    if pool:
                        layers.append(nn.MaxPool2d((3, 3), (2, 2)))
                layers.append(nn.Flatten())
                widths = [256 * 5 * 5, 4096, 4096]
                for a, b in zip(widths, widths[1:]):
                    layers += [nn.Linear(a, b), nn.ReLU(inplace=True), nn.Dropout(0.5)]
                layers.append(nn.Linear(4096, num_classes))
                super().__init__(*layers)

        def alexnet(in_channels=1, num_classes=10):
            return AlexNet(in_channels=in_channels, num_classes=num_classes)
    ''',
    # add_module one by one, on an explicitly empty nn.Sequential
    "add_module": '''
        def alexnet(in_channels=1, num_classes=10):
            net = nn.Sequential()
            spec = [nn.Conv2d(in_channels, 96, 11, 4, 1), nn.ReLU(), nn.MaxPool2d(3, 2),
                    nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                    nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(), nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
                    nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(start_dim=1),
                    nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
                    nn.Dropout(), nn.Linear(4096, num_classes)]
            for i, m in enumerate(spec):
                net.add_module(str(i), m)
            return net
    ''',
}
