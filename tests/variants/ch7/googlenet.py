"""Recorded buggy variants of ch7/googlenet.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ Inception
    "no_relu_after_reductions": {
        "why": "relu(p2_2(p2_1(x))) and relu(p3_2(p3_1(x))) (the contract's Bug): shapes and count unchanged",
        "feedback": "the 1×1 reductions included",
        "source": '''
            class Inception(Inception):
                def forward(self, x):
                    p1 = F.relu(self.p1_1(x))
                    p2 = F.relu(self.p2_2(self.p2_1(x)))
                    p3 = F.relu(self.p3_2(self.p3_1(x)))
                    p4 = F.relu(self.p4_2(self.p4_1(x)))
                    return torch.cat((p1, p2, p3, p4), dim=1)
        ''',
    },
    "pool_default_stride": {
        "why": "MaxPool2d(3, padding=1) in path 4 (the contract's Bug): the stride defaults to 3, so path 4 shrinks "
               "h and w (for h, w ≤ 3 the sizes still agree, the values do not)",
        "feedback": "stride=1",
        "source": '''
            class Inception(Inception):
                def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
                    super().__init__(in_channels, c1, c2, c3, c4, **kwargs)
                    self.p4_1 = nn.MaxPool2d(kernel_size=3, padding=1)
        ''',
    },
    "reversed_concatenation": {
        "why": "torch.cat((p4, p3, p2, p1), dim=1): right shapes and count, channels permuted",
        "feedback": "order",
        "source": '''
            class Inception(Inception):
                def forward(self, x):
                    p1 = F.relu(self.p1_1(x))
                    p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
                    p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
                    p4 = F.relu(self.p4_2(self.p4_1(x)))
                    return torch.cat((p4, p3, p2, p1), dim=1)
        ''',
    },
    "swapped_middle_paths": {
        "why": "torch.cat((p1, p3, p2, p4), dim=1): invisible whenever c2[1] == c3[1] in shapes",
        "feedback": "order",
        "source": '''
            class Inception(Inception):
                def forward(self, x):
                    p1 = F.relu(self.p1_1(x))
                    p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
                    p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
                    p4 = F.relu(self.p4_2(self.p4_1(x)))
                    return torch.cat((p1, p3, p2, p4), dim=1)
        ''',
    },
    "relu_between_pool_and_conv": {
        "why": "relu(p4_2(relu(p4_1(x)))): an extra ReLU between the pooling and path 4's 1×1 convolution (the "
               "contract: none there); same shapes and count",
        "feedback": "one ReLU at the end",
        "source": '''
            class Inception(Inception):
                def forward(self, x):
                    p1 = F.relu(self.p1_1(x))
                    p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
                    p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
                    p4 = F.relu(self.p4_2(F.relu(self.p4_1(x))))
                    return torch.cat((p1, p2, p3, p4), dim=1)
        ''',
    },
    "path3_three_by_three": {
        "why": "a 3×3 convolution with padding 1 in path 3 (later Inception versions): shapes right, count wrong",
        "feedback": "5×5",
        "source": '''
            class Inception(Inception):
                def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
                    super().__init__(in_channels, c1, c2, c3, c4, **kwargs)
                    self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=3, padding=1)
        ''',
    },
    "cat_on_batch_dim": {
        "why": "torch.cat(..., dim=0): stacks the paths along the batch (fails unless all widths are equal)",
        "feedback": "dim=1",
        "source": '''
            class Inception(Inception):
                def forward(self, x):
                    p1 = F.relu(self.p1_1(x))
                    p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
                    p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
                    p4 = F.relu(self.p4_2(self.p4_1(x)))
                    return torch.cat((p1, p2, p3, p4))
        ''',
    },
    # ------------------------------------------------------------------ googlenet
    "global_max_pooling": {
        "why": "AdaptiveMaxPool2d((1, 1)) in b5: the same as average pooling while the last map is 1×1",
        "feedback": "average",
        "source": '''
            _book_googlenet = googlenet

            def googlenet(in_channels=1, num_classes=10):
                net = _book_googlenet(in_channels, num_classes)
                net[4][2] = nn.AdaptiveMaxPool2d((1, 1))
                return net
        ''',
    },
    "stem_pool_without_padding": {
        "why": "b1's MaxPool2d(3, stride=2) without padding=1: 96 px → 23 instead of 24",
        "feedback": "padding=1",
        "source": '''
            _book_googlenet = googlenet

            def googlenet(in_channels=1, num_classes=10):
                net = _book_googlenet(in_channels, num_classes)
                net[0][2] = nn.MaxPool2d(kernel_size=3, stride=2)
                return net
        ''',
    },
    "stages_spliced": {
        "why": "the stages' layers spliced into one flat nn.Sequential: same function, other state_dict keys",
        "feedback": "nesting",
        "source": '''
            _book_googlenet = googlenet

            def googlenet(in_channels=1, num_classes=10):
                net = _book_googlenet(in_channels, num_classes)
                return nn.Sequential(*[m for stage in list(net)[:5] for m in stage], net[5])
        ''',
    },
    "book_hardcoded": {
        "why": "the book's hard-coded 1 input channel and 10 classes",
        "feedback": "in_channels",
        "source": '''
            _book_googlenet = googlenet

            def googlenet(in_channels=1, num_classes=10):
                return _book_googlenet()
        ''',
    },
    "b4_wrong_channels": {
        "why": "a typo in b4's third Inception, (512, 128, (128, 256), (24, 64), 32): 480 channels out, so the "
               "next block's 512 inputs do not fit",
        "feedback": "Inception",
        "source": '''
            _book_googlenet = googlenet

            def googlenet(in_channels=1, num_classes=10):
                net = _book_googlenet(in_channels, num_classes)
                net[3][2] = Inception(512, 128, (128, 256), (24, 64), 32)
                return net
        ''',
    },
}

ALTERNATIVES = {
    # the book's own code (d2l §7.4), with the contract's in_channels / num_classes keywords
    "d2l_book": '''
        class Inception(nn.Module):
            # c1--c4是每条路径的输出通道数
            def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
                super(Inception, self).__init__(**kwargs)
                # 线路1，单1x1卷积层
                self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
                # 线路2，1x1卷积层后接3x3卷积层
                self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
                self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
                # 线路3，1x1卷积层后接5x5卷积层
                self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
                self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
                # 线路4，3x3最大汇聚层后接1x1卷积层
                self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
                self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

            def forward(self, x):
                p1 = F.relu(self.p1_1(x))
                p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
                p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
                p4 = F.relu(self.p4_2(self.p4_1(x)))
                # 在通道维度上连结输出
                return torch.cat((p1, p2, p3, p4), dim=1)

        def googlenet(in_channels=1, num_classes=10):
            b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
                               nn.ReLU(),
                               nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
            b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1),
                               nn.ReLU(),
                               nn.Conv2d(64, 192, kernel_size=3, padding=1),
                               nn.ReLU(),
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
                               nn.AdaptiveAvgPool2d((1,1)),
                               nn.Flatten())
            return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
    ''',
    # ReLU kept as a module (a parameter-free extra attribute), layers registered in another order, in-place ReLUs,
    # the paths in a list; googlenet from a table of Inception arguments, in_channels chained by a loop, int sizes
    "relu_module_and_tables": '''
        class Inception(nn.Module):
            def __init__(self, in_channels, c1, c2, c3, c4):
                super().__init__()
                self.relu = nn.ReLU(inplace=True)
                self.p4_1 = nn.MaxPool2d(3, 1, 1)
                self.p4_2 = nn.Conv2d(in_channels, c4, 1)
                self.p3_1 = nn.Conv2d(in_channels, c3[0], 1)
                self.p3_2 = nn.Conv2d(c3[0], c3[1], (5, 5), padding=(2, 2))
                self.p2_1 = nn.Conv2d(in_channels, c2[0], 1)
                self.p2_2 = nn.Conv2d(c2[0], c2[1], 3, padding=1)
                self.p1_1 = nn.Conv2d(in_channels, c1, 1)

            def forward(self, x):
                r = self.relu
                paths = [r(self.p1_1(x)), r(self.p2_2(r(self.p2_1(x)))), r(self.p3_2(r(self.p3_1(x)))),
                         r(self.p4_2(self.p4_1(x)))]
                return torch.cat(paths, 1)

        def _stage(specs, c_in, tail):
            blocks = []
            for c1, c2, c3, c4 in specs:
                blocks.append(Inception(c_in, c1, c2, c3, c4))
                c_in = c1 + c2[1] + c3[1] + c4
            return nn.Sequential(*blocks, *tail)

        def googlenet(in_channels=1, num_classes=10):
            pool = lambda: nn.MaxPool2d(3, 2, 1)
            b1 = nn.Sequential(nn.Conv2d(in_channels, 64, 7, 2, 3), nn.ReLU(inplace=True), pool())
            b2 = nn.Sequential(nn.Conv2d(64, 64, 1), nn.ReLU(inplace=True), nn.Conv2d(64, 192, 3, padding=1),
                               nn.ReLU(inplace=True), pool())
            b3 = _stage([(64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64)], 192, [pool()])
            b4 = _stage([(192, (96, 208), (16, 48), 64), (160, (112, 224), (24, 64), 64),
                         (128, (128, 256), (24, 64), 64), (112, (144, 288), (32, 64), 64),
                         (256, (160, 320), (32, 128), 128)], 480, [pool()])
            b5 = _stage([(256, (160, 320), (32, 128), 128), (384, (192, 384), (48, 128), 128)], 832,
                        [nn.AdaptiveAvgPool2d(1), nn.Flatten()])
            return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
    ''',
    # nn.Sequential subclasses for the net and for the stages (a stage keeps an in_channels attribute)
    "sequential_subclasses": '''
        class Stage(nn.Sequential):
            def __init__(self, *layers):
                super().__init__(*layers)
                self.in_channels = getattr(layers[0], "in_channels", None)      # kept for printing

        class GoogLeNet(nn.Sequential):
            def __init__(self, in_channels=1, num_classes=10):
                p = dict(kernel_size=3, stride=2, padding=1)
                super().__init__(
                    Stage(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
                          nn.MaxPool2d(**p)),
                    Stage(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(), nn.Conv2d(64, 192, kernel_size=3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(**p)),
                    Stage(Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64),
                          nn.MaxPool2d(**p)),
                    Stage(Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
                          Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
                          Inception(528, 256, (160, 320), (32, 128), 128), nn.MaxPool2d(**p)),
                    Stage(Inception(832, 256, (160, 320), (32, 128), 128),
                          Inception(832, 384, (192, 384), (48, 128), 128), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()),
                    nn.Linear(1024, num_classes))

        def googlenet(in_channels=1, num_classes=10):
            return GoogLeNet(in_channels, num_classes)
    ''',
}
