"""Recorded buggy variants of ch7/nin.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ nin_block
    "stride_padding_swapped": {
        "why": "nn.Conv2d(in, out, kernel_size, padding, strides): the positional order mixed up",
        "feedback": "positional order",
        "source": '''
            def nin_block(in_channels, out_channels, kernel_size, strides, padding):
                return nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size, padding, strides), nn.ReLU(),
                    nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
                    nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
        ''',
    },
    "one_by_one_from_in_channels": {
        "why": "the 1×1 convolutions take in_channels inputs (shapes fail whenever in != out)",
        "feedback": "out_channels to out_channels",
        "source": '''
            def nin_block(in_channels, out_channels, kernel_size, strides, padding):
                return nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
                    nn.Conv2d(in_channels, out_channels, kernel_size=1), nn.ReLU(),
                    nn.Conv2d(in_channels, out_channels, kernel_size=1), nn.ReLU())
        ''',
    },
    "last_relu_dropped": {
        "why": "the block ends with the last 1×1 convolution (no ReLU): scores can be negative",
        "feedback": "ReLU",
        "source": '''
            def nin_block(in_channels, out_channels, kernel_size, strides, padding):
                return nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
                    nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
                    nn.Conv2d(out_channels, out_channels, kernel_size=1))
        ''',
    },
    "single_one_by_one": {
        "why": "one 1×1 convolution instead of two",
        "feedback": "three convolutions",
        "source": '''
            def nin_block(in_channels, out_channels, kernel_size, strides, padding):
                return nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
                    nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())
        ''',
    },
    # ------------------------------------------------------------------ nin
    "global_max_pooling": {
        "why": "AdaptiveMaxPool2d((1, 1)) (the contract's Bug): the same as average pooling while the map is 1×1",
        "feedback": "average",
        "source": '''
            def nin(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
                    nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
                    nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
                    nn.Dropout(0.5),
                    nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
                    nn.AdaptiveMaxPool2d((1, 1)), nn.Flatten())
        ''',
    },
    "linear_head": {
        "why": "a Linear classifier instead of the last NiN block (the contract's Bug)",
        "feedback": "no fully connected layer",
        "source": '''
            def nin(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
                    nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
                    nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
                    nn.Dropout(0.5),
                    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(384, num_classes))
        ''',
    },
    "alexnet_padding_first_block": {
        "why": "copies AlexNet's padding 1 into the first block: 224 px → 55×55",
        "feedback": "padding 0",
        "source": '''
            def nin(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nin_block(in_channels, 96, kernel_size=11, strides=4, padding=1), nn.MaxPool2d(3, stride=2),
                    nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
                    nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
                    nn.Dropout(0.5),
                    nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
                    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
        ''',
    },
    "no_dropout": {
        "why": "drops the Dropout layer (the children after it shift by one)",
        "feedback": "Dropout",
        "source": '''
            def nin(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
                    nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
                    nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
                    nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
                    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
        ''',
    },
    "book_hardcoded": {
        "why": "the book's hard-coded 1 input channel and 10 classes",
        "feedback": "num_classes to the last one",
        "source": '''
            def nin(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nin_block(1, 96, kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
                    nin_block(96, 256, kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
                    nin_block(256, 384, kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
                    nn.Dropout(0.5),
                    nin_block(384, 10, kernel_size=3, strides=1, padding=1),
                    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
        ''',
    },
}

ALTERNATIVES = {
    # the book's own code (d2l §7.3), with the contract's in_channels / num_classes keywords
    "d2l_book": '''
        def nin_block(in_channels, out_channels, kernel_size, strides, padding):
            return nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding),
                nn.ReLU(),
                nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
                nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())

        def nin(in_channels=1, num_classes=10):
            net = nn.Sequential(
                nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0),
                nn.MaxPool2d(3, stride=2),
                nin_block(96, 256, kernel_size=5, strides=1, padding=2),
                nn.MaxPool2d(3, stride=2),
                nin_block(256, 384, kernel_size=3, strides=1, padding=1),
                nn.MaxPool2d(3, stride=2),
                nn.Dropout(0.5),
                # 标签类别数是10
                nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
                nn.AdaptiveAvgPool2d((1, 1)),
                # 将四维的输出转成二维的输出，其形状为(批量大小,10)
                nn.Flatten())
            return net
    ''',
    # an nn.Sequential subclass block with in-place ReLUs and keywords; a loop over the block specs; an int 1 for the
    # global pooling's output size
    "subclass_and_loop": '''
        class NiNBlock(nn.Sequential):
            def __init__(self, in_channels, out_channels, kernel_size, strides, padding):
                super().__init__(
                    nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=strides, padding=padding),
                    nn.ReLU(inplace=True),
                    *[m for _ in range(2) for m in (nn.Conv2d(out_channels, out_channels, (1, 1)),
                                                     nn.ReLU(inplace=True))])

        def nin_block(in_channels, out_channels, kernel_size, strides, padding):
            return NiNBlock(in_channels, out_channels, kernel_size, strides, padding)

        def nin(in_channels=1, num_classes=10):
            layers, c = [], in_channels
            for out, k, s, p in ((96, 11, 4, 0), (256, 5, 1, 2), (384, 3, 1, 1)):
                layers += [nin_block(c, out, k, s, p), nn.MaxPool2d(kernel_size=(3, 3), stride=(2, 2))]
                c = out
            layers += [nn.Dropout(p=0.5), nin_block(c, num_classes, 3, 1, 1), nn.AdaptiveAvgPool2d(1),
                       nn.Flatten(start_dim=1)]
            return nn.Sequential(*layers)
    ''',
}
