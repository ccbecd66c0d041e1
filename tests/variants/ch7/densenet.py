"""Recorded buggy variants of ch7/densenet.py: each must be rejected by at least one grader (with its feedback).

Each source is appended to the reference solution, so it replaces the names it defines (DenseBlock and densenet
then use the replaced conv_block / transition_block / DenseBlock).
"""
MUTANTS = {
    # ------------------------------------------------------------------ conv_block
    "conv_block_post_activation": {
        "why": "Conv → BatchNorm → ReLU (the original ResNet order) instead of the pre-activation BN → ReLU → Conv",
        "feedback": "pre-activation",
        "source": '''
            def conv_block(input_channels, num_channels):
                return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                                     nn.BatchNorm2d(num_channels), nn.ReLU())
        ''',
    },
    "conv_block_no_padding": {
        "why": "Conv2d(..., 3) without padding: the maps shrink and the concatenation fails",
        "feedback": "padding=1 keeps the height and width",
        "source": '''
            def conv_block(input_channels, num_channels):
                return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                     nn.Conv2d(input_channels, num_channels, kernel_size=3))
        ''',
    },
    "conv_block_no_relu": {
        "why": "forgets the ReLU between the BatchNorm and the convolution",
        "feedback": "pre-activation",
        "source": '''
            def conv_block(input_channels, num_channels):
                return nn.Sequential(nn.BatchNorm2d(input_channels),
                                     nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))
        ''',
    },
    # ------------------------------------------------------------------ DenseBlock
    "channels_not_accumulated": {
        "why": "every conv_block built for input_channels: block i ignores the channels added before it",
        "feedback": "input_channels + i * num_channels",
        "source": '''
            class DenseBlock(DenseBlock):
                def __init__(self, num_convs, input_channels, num_channels):
                    nn.Module.__init__(self)
                    self.net = nn.Sequential(*[conv_block(input_channels, num_channels) for _ in range(num_convs)])
        ''',
    },
    "cat_y_before_x": {
        "why": "torch.cat((Y, X)): the channel count is right, the channels are permuted",
        "feedback": "concatenate the input first",
        "source": '''
            class DenseBlock(DenseBlock):
                def forward(self, X):
                    for blk in self.net:
                        Y = blk(X)
                        X = torch.cat((Y, X), dim=1)
                    return X
        ''',
    },
    "returns_only_new_channels": {
        "why": "returns the concatenation of the new channels only (the input is dropped)",
        "feedback": "not only the new channels",
        "source": '''
            class DenseBlock(DenseBlock):
                def forward(self, X):
                    new = []
                    for blk in self.net:
                        Y = blk(X)
                        new.append(Y)
                        X = torch.cat((X, Y), dim=1)
                    return torch.cat(new, dim=1)
        ''',
    },
    "blocks_in_a_python_list": {
        "why": "keeps the conv_blocks in a Python list: no parameters registered, nothing in the state_dict",
        "feedback": "not registered",
        "source": '''
            class DenseBlock(nn.Module):
                def __init__(self, num_convs, input_channels, num_channels):
                    super().__init__()
                    self.blocks = [conv_block(num_channels * i + input_channels, num_channels)
                                   for i in range(num_convs)]

                def forward(self, X):
                    for blk in self.blocks:
                        X = torch.cat((X, blk(X)), dim=1)
                    return X
        ''',
    },
    "blocks_attribute_renamed": {
        "why": "the conv_blocks in self.layers instead of the book's self.net (state_dict keys change)",
        "feedback": "self.net",
        "source": '''
            class DenseBlock(nn.Module):
                def __init__(self, num_convs, input_channels, num_channels):
                    super().__init__()
                    self.layers = nn.Sequential(*[conv_block(num_channels * i + input_channels, num_channels)
                                                  for i in range(num_convs)])

                def forward(self, X):
                    for blk in self.layers:
                        X = torch.cat((X, blk(X)), dim=1)
                    return X
        ''',
    },
    # ------------------------------------------------------------------ transition_block
    "transition_without_pooling": {
        "why": "BN, ReLU, 1×1 conv, but no AvgPool2d: the height and width are not halved",
        "feedback": "AvgPool2d(kernel_size=2, stride=2)",
        "source": '''
            def transition_block(input_channels, num_channels):
                return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                     nn.Conv2d(input_channels, num_channels, kernel_size=1))
        ''',
    },
    "transition_max_pooling": {
        "why": "MaxPool2d instead of AvgPool2d (same shapes, same count)",
        "feedback": "not max pooling",
        "source": '''
            def transition_block(input_channels, num_channels):
                return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                     nn.Conv2d(input_channels, num_channels, kernel_size=1),
                                     nn.MaxPool2d(kernel_size=2, stride=2))
        ''',
    },
    "transition_3x3_conv": {
        "why": "a 3×3 convolution (padding 1) in the transition: same shapes, 9× the weights",
        "feedback": "convolution is 1×1",
        "source": '''
            def transition_block(input_channels, num_channels):
                return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
                                     nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
                                     nn.AvgPool2d(kernel_size=2, stride=2))
        ''',
    },
    "transition_without_bn_relu": {
        "why": "the transition is only the 1×1 conv and the pooling",
        "feedback": "starts with BatchNorm2d(input_channels) and ReLU()",
        "source": '''
            def transition_block(input_channels, num_channels):
                return nn.Sequential(nn.Conv2d(input_channels, num_channels, kernel_size=1),
                                     nn.AvgPool2d(kernel_size=2, stride=2))
        ''',
    },
    # ------------------------------------------------------------------ densenet
    "transition_after_last_block": {
        "why": "a transition after every dense block, the last one included",
        "feedback": "no transition after the last dense block",
        "source": '''
            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                b1 = nn.Sequential(nn.Conv2d(in_channels, num_channels, kernel_size=7, stride=2, padding=3),
                                   nn.BatchNorm2d(num_channels), nn.ReLU(),
                                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
                blks, c = [], num_channels
                for num_convs in arch:
                    blks.append(DenseBlock(num_convs, c, growth_rate))
                    c += num_convs * growth_rate
                    blks.append(transition_block(c, c // 2))
                    c = c // 2
                return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)),
                                     nn.Flatten(), nn.Linear(c, num_classes))
        ''',
    },
    "channels_not_halved": {
        "why": "transition_block(c, c): the transitions keep every channel",
        "feedback": "halves the channels with integer division",
        "source": '''
            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                b1 = nn.Sequential(nn.Conv2d(in_channels, num_channels, kernel_size=7, stride=2, padding=3),
                                   nn.BatchNorm2d(num_channels), nn.ReLU(),
                                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
                blks, c = [], num_channels
                for i, num_convs in enumerate(arch):
                    blks.append(DenseBlock(num_convs, c, growth_rate))
                    c += num_convs * growth_rate
                    if i != len(arch) - 1:
                        blks.append(transition_block(c, c))
                return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)),
                                     nn.Flatten(), nn.Linear(c, num_classes))
        ''',
    },
    "channels_halved_rounding_up": {
        "why": "(c + 1) // 2: the same as c // 2 for the book's even channels, one more for odd ones",
        "feedback": "halves the channels with integer division",
        "source": '''
            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                b1 = nn.Sequential(nn.Conv2d(in_channels, num_channels, kernel_size=7, stride=2, padding=3),
                                   nn.BatchNorm2d(num_channels), nn.ReLU(),
                                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
                blks, c = [], num_channels
                for i, num_convs in enumerate(arch):
                    blks.append(DenseBlock(num_convs, c, growth_rate))
                    c += num_convs * growth_rate
                    if i != len(arch) - 1:
                        blks.append(transition_block(c, (c + 1) // 2))
                        c = (c + 1) // 2
                return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)),
                                     nn.Flatten(), nn.Linear(c, num_classes))
        ''',
    },
    "growth_once_per_block": {
        "why": "c += growth_rate after a dense block (instead of num_convs * growth_rate)",
        "feedback": "c += num_convs * growth_rate",
        "source": '''
            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                b1 = nn.Sequential(nn.Conv2d(in_channels, num_channels, kernel_size=7, stride=2, padding=3),
                                   nn.BatchNorm2d(num_channels), nn.ReLU(),
                                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
                blks, c = [], num_channels
                for i, num_convs in enumerate(arch):
                    blks.append(DenseBlock(num_convs, c, growth_rate))
                    c += growth_rate
                    if i != len(arch) - 1:
                        blks.append(transition_block(c, c // 2))
                        c = c // 2
                return nn.Sequential(b1, *blks, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)),
                                     nn.Flatten(), nn.Linear(c, num_classes))
        ''',
    },
    "head_without_bn_relu": {
        "why": "the head goes straight to global pooling (no BatchNorm2d and ReLU after the last dense block)",
        "feedback": "the head is BatchNorm2d(c), ReLU()",
        "source": '''
            _reference_densenet = densenet

            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                net = _reference_densenet(num_channels, growth_rate, arch, in_channels, num_classes)
                layers = list(net)
                return nn.Sequential(*layers[:-5], *layers[-3:])
        ''',
    },
    "global_max_pooling": {
        "why": "AdaptiveMaxPool2d instead of global average pooling (same shapes and count)",
        "feedback": "global average pooling",
        "source": '''
            _reference_densenet = densenet

            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                net = _reference_densenet(num_channels, growth_rate, arch, in_channels, num_classes)
                net[-3] = nn.AdaptiveMaxPool2d((1, 1))
                return net
        ''',
    },
    "num_classes_ignored": {
        "why": "Linear(c, 10) whatever num_classes says",
        "feedback": "num_classes reaches the last layer",
        "source": '''
            _reference_densenet = densenet

            def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
                return _reference_densenet(num_channels, growth_rate, arch, in_channels, 10)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # the book's code (d2l-zh §7.7, PyTorch tab), its network loop wrapped in d2l-en's densenet(arguments)
    "d2l_book": '''
        def conv_block(input_channels, num_channels):
            return nn.Sequential(
                nn.BatchNorm2d(input_channels), nn.ReLU(),
                nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))

        class DenseBlock(nn.Module):
            def __init__(self, num_convs, input_channels, num_channels):
                super(DenseBlock, self).__init__()
                layer = []
                for i in range(num_convs):
                    layer.append(conv_block(
                        num_channels * i + input_channels, num_channels))
                self.net = nn.Sequential(*layer)

            def forward(self, X):
                for blk in self.net:
                    Y = blk(X)
                    # 连接通道维度上每个块的输入和输出
                    X = torch.cat((X, Y), dim=1)
                return X

        def transition_block(input_channels, num_channels):
            return nn.Sequential(
                nn.BatchNorm2d(input_channels), nn.ReLU(),
                nn.Conv2d(input_channels, num_channels, kernel_size=1),
                nn.AvgPool2d(kernel_size=2, stride=2))

        def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
            b1 = nn.Sequential(
                nn.Conv2d(in_channels, num_channels, kernel_size=7, stride=2, padding=3),
                nn.BatchNorm2d(num_channels), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
            # num_channels为当前的通道数
            num_convs_in_dense_blocks = list(arch)
            blks = []
            for i, num_convs in enumerate(num_convs_in_dense_blocks):
                blks.append(DenseBlock(num_convs, num_channels, growth_rate))
                # 上一个稠密块的输出通道数
                num_channels += num_convs * growth_rate
                # 在稠密块之间添加一个转换层，使通道数量减半
                if i != len(num_convs_in_dense_blocks) - 1:
                    blks.append(transition_block(num_channels, num_channels // 2))
                    num_channels = num_channels // 2
            return nn.Sequential(
                b1, *blks,
                nn.BatchNorm2d(num_channels), nn.ReLU(),
                nn.AdaptiveAvgPool2d((1, 1)),
                nn.Flatten(),
                nn.Linear(num_channels, num_classes))
    ''',
    # another style: torchvision-like feature list with one cat per step, registered with add_module, an nn.ReLU
    # kept as an extra attribute, in-place ReLUs, pairs for the sizes, an nn.Sequential subclass for the net
    "feature_list_and_subclass": '''
        def conv_block(input_channels, num_channels):
            block = nn.Sequential()
            block.add_module("0", nn.BatchNorm2d(input_channels))
            block.add_module("1", nn.ReLU(inplace=True))
            block.add_module("2", nn.Conv2d(input_channels, num_channels, (3, 3), stride=(1, 1), padding=(1, 1)))
            return block

        class DenseBlock(nn.Module):
            def __init__(self, num_convs, input_channels, num_channels):
                super().__init__()
                self.act = nn.ReLU()
                self.in_channels = input_channels
                self.out_channels = input_channels + num_convs * num_channels
                self.net = nn.Sequential(*(conv_block(input_channels + k * num_channels, num_channels)
                                           for k in range(num_convs)))

            def forward(self, X):
                features = [X]
                for blk in self.net:
                    features.append(blk(torch.cat(features, dim=1)))
                return torch.cat(features, dim=1)

        def transition_block(input_channels, num_channels):
            return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(inplace=True),
                                 nn.Conv2d(input_channels, num_channels, (1, 1)), nn.AvgPool2d((2, 2), (2, 2)))

        class DenseNet(nn.Sequential):
            def __init__(self, num_channels, growth_rate, arch, in_channels, num_classes):
                layers = [nn.Sequential(nn.Conv2d(in_channels, num_channels, 7, 2, 3), nn.BatchNorm2d(num_channels),
                                        nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))]
                c = num_channels
                for k, n in enumerate(arch):
                    layers.append(DenseBlock(n, c, growth_rate))
                    c = layers[-1].out_channels
                    if k < len(arch) - 1:
                        layers.append(transition_block(c, c // 2))
                        c //= 2
                layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                           nn.Linear(c, num_classes)]
                super().__init__(*layers)

        def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), in_channels=1, num_classes=10):
            return DenseNet(num_channels, growth_rate, tuple(arch), in_channels, num_classes)
    ''',
}
