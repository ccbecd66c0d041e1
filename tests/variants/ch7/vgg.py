"""Recorded buggy variants of ch7/vgg.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ vgg_block
    "block_in_channels_not_updated": {
        "why": "every convolution of a block takes in_channels inputs (the contract's Bug): a 2-conv block with "
               "in != out fails on its second convolution",
        "feedback": "update the channel count inside the loop",
        "source": '''
            def vgg_block(num_convs, in_channels, out_channels):
                layers = []
                for _ in range(num_convs):
                    layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                    layers.append(nn.ReLU())
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                return nn.Sequential(*layers)
        ''',
    },
    "pool_after_every_conv": {
        "why": "the pooling inside the loop (the contract's Bug): a 2-conv block quarters h and w",
        "feedback": "one pooling layer per block",
        "source": '''
            def vgg_block(num_convs, in_channels, out_channels):
                layers = []
                for _ in range(num_convs):
                    layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                    layers.append(nn.ReLU())
                    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                    in_channels = out_channels
                return nn.Sequential(*layers)
        ''',
    },
    "conv_without_padding": {
        "why": "Conv2d(c, out, 3) without padding: each convolution loses two pixels",
        "feedback": "padding=1",
        "source": '''
            def vgg_block(num_convs, in_channels, out_channels):
                layers = []
                for _ in range(num_convs):
                    layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3))
                    layers.append(nn.ReLU())
                    in_channels = out_channels
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                return nn.Sequential(*layers)
        ''',
    },
    "pool_ceil_mode": {
        "why": "MaxPool2d(2, 2, ceil_mode=True): odd sizes are rounded up (7×5 → 4×3)",
        "feedback": "floor",
        "source": '''
            def vgg_block(num_convs, in_channels, out_channels):
                layers = []
                for _ in range(num_convs):
                    layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                    layers.append(nn.ReLU())
                    in_channels = out_channels
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True))
                return nn.Sequential(*layers)
        ''',
    },
    "relu_before_conv": {
        "why": "ReLU then Conv2d (pre-activation): same layer types and count, other order and values",
        "feedback": "followed by its ReLU",
        "source": '''
            def vgg_block(num_convs, in_channels, out_channels):
                layers = []
                for _ in range(num_convs):
                    layers.append(nn.ReLU())
                    layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                    in_channels = out_channels
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                return nn.Sequential(*layers)
        ''',
    },
    # ------------------------------------------------------------------ vgg
    "hardcoded_512": {
        "why": "Linear(512 * 7 * 7, 4096) hard-coded (the contract's Bug): right for VGG-11 only",
        "feedback": "c_last",
        "source": '''
            def vgg(conv_arch, in_channels=1, num_classes=10):
                conv_blks = []
                for num_convs, out_channels in conv_arch:
                    conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
                    in_channels = out_channels
                return nn.Sequential(
                    *conv_blks, nn.Flatten(),
                    nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "blocks_not_chained": {
        "why": "every block starts from in_channels: the second block expects 1 channel",
        "feedback": "previous block's out_channels",
        "source": '''
            def vgg(conv_arch, in_channels=1, num_classes=10):
                conv_blks = [vgg_block(n, in_channels, c) for n, c in conv_arch]
                out_channels = conv_arch[-1][1]
                return nn.Sequential(
                    *conv_blks, nn.Flatten(),
                    nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "book_in_channels_1": {
        "why": "the book's hard-coded in_channels = 1 (the argument is ignored)",
        "feedback": "in_channels",
        "source": '''
            def vgg(conv_arch, in_channels=1, num_classes=10):
                conv_blks = []
                in_channels = 1
                for num_convs, out_channels in conv_arch:
                    conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
                    in_channels = out_channels
                return nn.Sequential(
                    *conv_blks, nn.Flatten(),
                    nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "blocks_spliced": {
        "why": "splices the blocks' layers into one flat list: same layers and count, other state_dict keys",
        "feedback": "nested",
        "source": '''
            def vgg(conv_arch, in_channels=1, num_classes=10):
                layers = []
                for num_convs, out_channels in conv_arch:
                    layers.extend(vgg_block(num_convs, in_channels, out_channels))
                    in_channels = out_channels
                return nn.Sequential(
                    *layers, nn.Flatten(),
                    nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, num_classes))
        ''',
    },
    "num_classes_ignored": {
        "why": "the book's hard-coded Linear(4096, 10)",
        "feedback": "num_classes",
        "source": '''
            def vgg(conv_arch, in_channels=1, num_classes=10):
                conv_blks = []
                for num_convs, out_channels in conv_arch:
                    conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
                    in_channels = out_channels
                return nn.Sequential(
                    *conv_blks, nn.Flatten(),
                    nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 10))
        ''',
    },
    "torchvision_blocks": {
        "why": "copies torchvision's VGG configuration helper (forbidden)",
        "feedback": "torchvision",
        "source": '''
            def vgg_block(num_convs, in_channels, out_channels):
                from torchvision.models.vgg import make_layers
                return make_layers([out_channels] * num_convs + ["M"])
        ''',
    },
}

ALTERNATIVES = {
    # the book's own code (d2l §7.2), with the contract's in_channels / num_classes keywords
    "d2l_book": '''
        def vgg_block(num_convs, in_channels, out_channels):
            layers = []
            for _ in range(num_convs):
                layers.append(nn.Conv2d(in_channels, out_channels,
                                        kernel_size=3, padding=1))
                layers.append(nn.ReLU())
                in_channels = out_channels
            layers.append(nn.MaxPool2d(kernel_size=2,stride=2))
            return nn.Sequential(*layers)

        def vgg(conv_arch, in_channels=1, num_classes=10):
            conv_blks = []
            # 卷积层部分
            for (num_convs, out_channels) in conv_arch:
                conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
                in_channels = out_channels

            return nn.Sequential(
                *conv_blks, nn.Flatten(),
                # 全连接层部分
                nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, num_classes))
    ''',
    # comprehensions, pair sizes, in-place ReLUs, MaxPool2d(2) (the stride defaults to the window), a subclass block
    "comprehensions_and_subclass": '''
        class VGGBlock(nn.Sequential):
            def __init__(self, num_convs, in_channels, out_channels):
                chans = [in_channels] + [out_channels] * num_convs
                layers = [m for a, b in zip(chans, chans[1:])
                          for m in (nn.Conv2d(a, b, (3, 3), padding=(1, 1)), nn.ReLU(inplace=True))]
                super().__init__(*layers, nn.MaxPool2d(2))
                self.in_channels, self.out_channels = in_channels, out_channels   # kept for printing

        def vgg_block(num_convs, in_channels, out_channels):
            return VGGBlock(num_convs, in_channels, out_channels)

        def vgg(conv_arch, in_channels=1, num_classes=10):
            chans = [in_channels] + [c for _, c in conv_arch]
            blocks = [vgg_block(n, a, b) for (n, _), a, b in zip(conv_arch, chans, chans[1:])]
            head = [nn.Flatten(), nn.Linear(conv_arch[-1][1] * 49, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5),
                    nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5), nn.Linear(4096, num_classes)]
            return nn.Sequential(*blocks, *head)
    ''',
    # add_module with explicit names "0", "1", … and a while loop
    "add_module": '''
        def vgg_block(num_convs, in_channels, out_channels):
            blk = nn.Sequential()
            i = 0
            while i < num_convs:
                blk.add_module(str(2 * i), nn.Conv2d(out_channels if i else in_channels, out_channels, 3, 1, 1))
                blk.add_module(str(2 * i + 1), nn.ReLU())
                i += 1
            blk.add_module(str(2 * num_convs), nn.MaxPool2d(kernel_size=2, stride=2, padding=0))
            return blk

        def vgg(conv_arch, in_channels=1, num_classes=10):
            net = nn.Sequential()
            for k, (n, c) in enumerate(conv_arch):
                net.add_module(str(k), vgg_block(n, in_channels, c))
                in_channels = c
            head = [nn.Flatten(), nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, num_classes)]
            for j, m in enumerate(head, start=len(conv_arch)):
                net.add_module(str(j), m)
            return net
    ''',
}
