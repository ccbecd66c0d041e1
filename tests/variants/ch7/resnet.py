"""Recorded buggy variants of ch7/resnet.py: each must be rejected by at least one grader (with its feedback).

Each source is appended to the reference solution, so it replaces the names it defines (a ``class Residual(Residual)``
subclass keeps the reference's other methods; resnet_block, resnet and resnet18 then use the replacement).
"""
MUTANTS = {
    # ------------------------------------------------------------------ Residual
    "relu_on_branch_before_add": {
        "why": "a ReLU after bn2, before the addition (the residual can no longer be negative)",
        "feedback": "before the addition",
        "source": '''
            class Residual(Residual):
                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    Y = F.relu(self.bn2(self.conv2(Y)))
                    if self.conv3:
                        X = self.conv3(X)
                    return F.relu(Y + X)
        ''',
    },
    "inplace_add_into_input": {
        "why": "X += Y: the caller's input is overwritten (autograd error on a leaf that requires grad)",
        "feedback": "caller's input",
        "source": '''
            class Residual(Residual):
                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    Y = self.bn2(self.conv2(Y))
                    if self.conv3:
                        X = self.conv3(X)
                    X += Y
                    return F.relu(X)
        ''',
    },
    "stride_on_conv2": {
        "why": "the stride on conv2 instead of conv1 (same shapes, same count, other values)",
        "feedback": "the stride sits on conv1",
        "source": '''
            class Residual(Residual):
                def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                    super().__init__(input_channels, num_channels, use_1x1conv, strides)
                    self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1)
                    self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        ''',
    },
    "conv3_with_batchnorm": {
        "why": "torchvision's downsample: the 1×1 shortcut followed by a BatchNorm",
        "feedback": "no BatchNorm (and no ReLU) on the shortcut",
        "source": '''
            class Residual(Residual):
                def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                    super().__init__(input_channels, num_channels, use_1x1conv, strides)
                    if use_1x1conv:
                        self.conv3 = nn.Sequential(
                            nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides),
                            nn.BatchNorm2d(num_channels))
        ''',
    },
    "bn3_on_shortcut": {
        "why": "a third BatchNorm applied to conv3's output",
        "feedback": "no BatchNorm (and no ReLU) on the shortcut",
        "source": '''
            class Residual(Residual):
                def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                    super().__init__(input_channels, num_channels, use_1x1conv, strides)
                    self.bn3 = nn.BatchNorm2d(num_channels) if use_1x1conv else None

                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    Y = self.bn2(self.conv2(Y))
                    shortcut = self.bn3(self.conv3(X)) if self.conv3 is not None else X
                    return F.relu(Y + shortcut)
        ''',
    },
    "one_batchnorm_shared": {
        "why": "bn2 is bn1: one BatchNorm used twice (its statistics mix both convolutions)",
        "feedback": "two separate BatchNorm2d",
        "source": '''
            class Residual(Residual):
                def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                    super().__init__(input_channels, num_channels, use_1x1conv, strides)
                    self.bn2 = self.bn1
        ''',
    },
    "no_relu_after_add": {
        "why": "returns Y + shortcut without the last ReLU",
        "feedback": "the ReLU comes after the addition",
        "source": '''
            class Residual(Residual):
                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    Y = self.bn2(self.conv2(Y))
                    if self.conv3 is not None:
                        X = self.conv3(X)
                    return Y + X
        ''',
    },
    "bn2_after_the_add": {
        "why": "bn2 normalises the sum: relu(bn2(conv2(Y) + X))",
        "feedback": "bn2 normalises Y + shortcut",
        "source": '''
            class Residual(Residual):
                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    shortcut = self.conv3(X) if self.conv3 is not None else X
                    return F.relu(self.bn2(self.conv2(Y) + shortcut))
        ''',
    },
    "conv3_always_built": {
        "why": "creates conv3 even without use_1x1conv (unused, but extra weights and state_dict keys)",
        "feedback": "self.conv3 = None",
        "source": '''
            class Residual(Residual):
                def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                    super().__init__(input_channels, num_channels, use_1x1conv, strides)
                    self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                    self.use_1x1conv = use_1x1conv

                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    Y = self.bn2(self.conv2(Y))
                    shortcut = self.conv3(X) if self.use_1x1conv else X
                    return F.relu(Y + shortcut)
        ''',
    },
    "shortcut_detached": {
        "why": "the shortcut is detached: the same forward values, but no gradient flows along the identity path",
        "feedback": "no .detach()",
        "source": '''
            class Residual(Residual):
                def forward(self, X):
                    Y = F.relu(self.bn1(self.conv1(X)))
                    Y = self.bn2(self.conv2(Y))
                    shortcut = self.conv3(X) if self.conv3 is not None else X
                    return F.relu(Y + shortcut.detach())
        ''',
    },
    # ------------------------------------------------------------------ resnet_block
    "first_block_ignored": {
        "why": "the first block of every stage downsamples, also with first_block=True",
        "feedback": "first_block=True",
        "source": '''
            def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
                blk = []
                for i in range(num_residuals):
                    if i == 0:
                        blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
                    else:
                        blk.append(Residual(num_channels, num_channels))
                return blk
        ''',
    },
    "every_block_downsamples": {
        "why": "forgets `i == 0`: every block of a stage has the 1×1 conv and stride 2",
        "feedback": "only the first block of a stage",
        "source": '''
            def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
                blk = []
                for i in range(num_residuals):
                    if not first_block:
                        blk.append(Residual(input_channels if i == 0 else num_channels, num_channels,
                                            use_1x1conv=True, strides=2))
                    else:
                        blk.append(Residual(num_channels, num_channels))
                return blk
        ''',
    },
    "returns_sequential": {
        "why": "returns nn.Sequential(*blk) instead of the list",
        "feedback": "Python list",
        "source": '''
            _reference_resnet_block = resnet_block

            def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
                return nn.Sequential(*_reference_resnet_block(input_channels, num_channels, num_residuals,
                                                              first_block))
        ''',
    },
    "no_1x1_in_later_stages": {
        "why": "the first block of a stage halves the size but keeps no 1×1 shortcut (fails when channels change)",
        "feedback": "use_1x1conv=True, strides=2",
        "source": '''
            def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
                blk = []
                for i in range(num_residuals):
                    if i == 0 and not first_block:
                        blk.append(Residual(input_channels, num_channels, strides=2))
                    else:
                        blk.append(Residual(num_channels, num_channels))
                return blk
        ''',
    },
    # ------------------------------------------------------------------ resnet
    "first_block_on_every_stage": {
        "why": "first_block=True passed to every stage: nothing downsamples and channels never get a 1×1 conv",
        "feedback": "use_1x1conv=True, strides=2",
        "source": '''
            def resnet(arch, in_channels=1, num_classes=10):
                c1 = arch[0][1]
                b1 = nn.Sequential(nn.Conv2d(in_channels, c1, kernel_size=7, stride=2, padding=3),
                                   nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
                stages, c_prev = [], c1
                for n, c in arch:
                    stages.append(nn.Sequential(*resnet_block(c_prev, c, n, first_block=True)))
                    c_prev = c
                return nn.Sequential(b1, *stages, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                                     nn.Linear(c_prev, num_classes))
        ''',
    },
    "global_max_pooling": {
        "why": "AdaptiveMaxPool2d instead of global average pooling (same shapes and count)",
        "feedback": "global average pooling",
        "source": '''
            _reference_resnet = resnet

            def resnet(arch, in_channels=1, num_classes=10):
                net = _reference_resnet(arch, in_channels, num_classes)
                net[len(arch) + 1] = nn.AdaptiveMaxPool2d((1, 1))
                return net
        ''',
    },
    "b1_spliced_into_top_level": {
        "why": "the layers of b1 spliced into the top level (the book's children and state_dict keys change)",
        "feedback": "b1 is one child",
        "source": '''
            _reference_resnet = resnet

            def resnet(arch, in_channels=1, num_classes=10):
                net = _reference_resnet(arch, in_channels, num_classes)
                return nn.Sequential(*net[0], *list(net)[1:])
        ''',
    },
    "linear_512_hard_coded": {
        "why": "Linear(512, num_classes): right for ResNet-18 only",
        "feedback": "not a fixed 512",
        "source": '''
            _reference_resnet = resnet

            def resnet(arch, in_channels=1, num_classes=10):
                net = _reference_resnet(arch, in_channels, num_classes)
                net[-1] = nn.Linear(512, num_classes)
                return net
        ''',
    },
    "in_channels_ignored": {
        "why": "b1's first conv always takes 1 channel",
        "feedback": "in_channels",
        "source": '''
            _reference_resnet = resnet

            def resnet(arch, in_channels=1, num_classes=10):
                return _reference_resnet(arch, 1, num_classes)
        ''',
    },
    # ------------------------------------------------------------------ resnet18
    "resnet18_three_blocks_per_stage": {
        "why": "three residual blocks per stage (a ResNet-26)",
        "feedback": "four stages of two blocks each",
        "source": '''
            def resnet18(in_channels=1, num_classes=10):
                return resnet(((3, 64), (3, 128), (3, 256), (3, 512)), in_channels, num_classes)
        ''',
    },
    "resnet18_num_classes_ignored": {
        "why": "resnet18 does not pass num_classes / in_channels on",
        "feedback": "num_classes reaches the last layer",
        "source": '''
            def resnet18(in_channels=1, num_classes=10):
                return resnet(((2, 64), (2, 128), (2, 256), (2, 512)))
        ''',
    },
    "resnet18_last_stage_256": {
        "why": "the last stage keeps 256 channels",
        "feedback": "four stages of two blocks each",
        "source": '''
            def resnet18(in_channels=1, num_classes=10):
                return resnet(((2, 64), (2, 128), (2, 256), (2, 256)), in_channels, num_classes)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # the book's code (d2l-zh §7.6, PyTorch tab), generalised to resnet(arch, ...) as d2l-en does
    "d2l_book": '''
        class Residual(nn.Module):  #@save
            def __init__(self, input_channels, num_channels,
                         use_1x1conv=False, strides=1):
                super().__init__()
                self.conv1 = nn.Conv2d(input_channels, num_channels,
                                       kernel_size=3, padding=1, stride=strides)
                self.conv2 = nn.Conv2d(num_channels, num_channels,
                                       kernel_size=3, padding=1)
                if use_1x1conv:
                    self.conv3 = nn.Conv2d(input_channels, num_channels,
                                           kernel_size=1, stride=strides)
                else:
                    self.conv3 = None
                self.bn1 = nn.BatchNorm2d(num_channels)
                self.bn2 = nn.BatchNorm2d(num_channels)

            def forward(self, X):
                Y = F.relu(self.bn1(self.conv1(X)))
                Y = self.bn2(self.conv2(Y))
                if self.conv3:
                    X = self.conv3(X)
                Y += X
                return F.relu(Y)

        def resnet_block(input_channels, num_channels, num_residuals,
                         first_block=False):
            blk = []
            for i in range(num_residuals):
                if i == 0 and not first_block:
                    blk.append(Residual(input_channels, num_channels,
                                        use_1x1conv=True, strides=2))
                else:
                    blk.append(Residual(num_channels, num_channels))
            return blk

        def resnet(arch, in_channels=1, num_classes=10):
            b1 = nn.Sequential(nn.Conv2d(in_channels, arch[0][1], kernel_size=7, stride=2, padding=3),
                               nn.BatchNorm2d(arch[0][1]), nn.ReLU(),
                               nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
            blks = [b1]
            for i, b in enumerate(arch):
                blks.append(nn.Sequential(*resnet_block(arch[max(i - 1, 0)][1], b[1], b[0],
                                                        first_block=(i == 0))))
            return nn.Sequential(*blks, nn.AdaptiveAvgPool2d((1, 1)),
                                 nn.Flatten(), nn.Linear(arch[-1][1], num_classes))

        def resnet18(in_channels=1, num_classes=10):
            b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
                               nn.BatchNorm2d(64), nn.ReLU(),
                               nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
            b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
            b3 = nn.Sequential(*resnet_block(64, 128, 2))
            b4 = nn.Sequential(*resnet_block(128, 256, 2))
            b5 = nn.Sequential(*resnet_block(256, 512, 2))
            return nn.Sequential(b1, b2, b3, b4, b5,
                                 nn.AdaptiveAvgPool2d((1,1)),
                                 nn.Flatten(), nn.Linear(512, num_classes))
    ''',
    # another style: attributes in another order, an nn.ReLU kept as a module, in-place ops on fresh tensors,
    # a comprehension for the stage, an nn.Sequential subclass for the net, pairs for the sizes
    "modules_and_subclass": '''
        class Residual(nn.Module):
            def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
                super().__init__()
                self.in_channels, self.out_channels, self.stride = input_channels, num_channels, strides
                self.relu = nn.ReLU(inplace=True)
                self.conv1 = nn.Conv2d(input_channels, num_channels, (3, 3), stride=(strides, strides),
                                       padding=(1, 1))
                self.bn1 = nn.BatchNorm2d(num_channels)
                self.conv2 = nn.Conv2d(num_channels, num_channels, (3, 3), padding=(1, 1))
                self.bn2 = nn.BatchNorm2d(num_channels)
                self.conv3 = (nn.Conv2d(input_channels, num_channels, 1, stride=strides)
                              if use_1x1conv else None)

            def forward(self, X):
                Y = self.relu(self.bn1(self.conv1(X)))
                Y = self.bn2(self.conv2(Y))
                Y = Y.add_(X if self.conv3 is None else self.conv3(X))
                return self.relu(Y)

        def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
            return [Residual(input_channels, num_channels, use_1x1conv=True, strides=2)
                    if i == 0 and not first_block else Residual(num_channels, num_channels)
                    for i in range(num_residuals)]

        class ResNet(nn.Sequential):
            def __init__(self, arch, in_channels=1, num_classes=10):
                channels = [arch[0][1]] + [c for _, c in arch]
                super().__init__(
                    nn.Sequential(nn.Conv2d(in_channels, channels[0], kernel_size=(7, 7), stride=(2, 2),
                                            padding=(3, 3)),
                                  nn.BatchNorm2d(channels[0]), nn.ReLU(inplace=True),
                                  nn.MaxPool2d((3, 3), (2, 2), (1, 1))),
                    *[nn.Sequential(*resnet_block(channels[i], channels[i + 1], n, first_block=i == 0))
                      for i, (n, _) in enumerate(arch)],
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels[-1], num_classes))

        def resnet(arch, in_channels=1, num_classes=10):
            return ResNet(arch, in_channels=in_channels, num_classes=num_classes)

        def resnet18(in_channels=1, num_classes=10):
            return ResNet([(2, 64 * 2 ** k) for k in range(4)], in_channels, num_classes)
    ''',
}
