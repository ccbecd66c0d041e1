"""Recorded buggy variants of ch3/fashion_mnist.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ---------------------------------------------------------------- get_fashion_mnist_labels
    "torchvision_class_names": {
        "why": "uses torchvision's FashionMNIST.classes ('T-shirt/top', 'Trouser', ...) instead of d2l's labels",
        "feedback": "torchvision's class names",
        "source": '''
            def get_fashion_mnist_labels(labels):
                return [torchvision.datasets.FashionMNIST.classes[int(i)] for i in labels]
        ''',
    },
    "labels_off_by_one": {
        "why": "thinks the classes are numbered from 1",
        "feedback": "shifted by one",
        "source": '''
            def get_fashion_mnist_labels(labels):
                text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
                return [text_labels[int(i) - 1] for i in labels]
        ''',
    },
    "labels_wrong_order": {
        "why": "shirt and sneaker swapped in the list (6 is shirt, 7 is sneaker)",
        "feedback": "order of the list",
        "source": '''
            def get_fashion_mnist_labels(labels):
                text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                               'sandal', 'sneaker', 'shirt', 'bag', 'ankle boot']
                return [text_labels[int(i)] for i in labels]
        ''',
    },
    # ---------------------------------------------------------------- load_data_fashion_mnist
    "seed_transorms_typo": {
        "why": "the seed's S:L219 as written: `transorms.ToTensor()` is a NameError",
        "feedback": "transorms",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transorms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "hardcoded_root": {
        "why": "the seed's root=\"../data\" kept: the root argument is ignored (and it downloads there)",
        "feedback": "pass `root` through",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root="../data", train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root="../data", train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "test_loader_shuffled": {
        "why": "shuffle=True for both loaders",
        "feedback": "must not shuffle",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=True, num_workers=num_workers))
        ''',
    },
    "train_loader_not_shuffled": {
        "why": "shuffle forgotten for the training loader (the DataLoader default is shuffle=False)",
        "feedback": "shuffle=True",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, num_workers=num_workers))
        ''',
    },
    "v2_todtype_without_scale": {
        "why": "transforms.v2 ToImage + ToDtype(float32) without scale=True: float32 values 0..255",
        "feedback": "still 0..255",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                from torchvision.transforms import v2
                trans = [v2.ToImage(), v2.ToDtype(torch.float32)]
                if resize:
                    trans.insert(0, v2.Resize(resize))
                trans = v2.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "pil_to_tensor_uint8": {
        "why": "PILToTensor instead of ToTensor: uint8 0..255 images",
        "feedback": "float32",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.PILToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "ignores_resize": {
        "why": "resize accepted but never added to the transforms",
        "feedback": "transforms.Resize(resize)",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = transforms.Compose([transforms.ToTensor()])
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "test_set_from_train_files": {
        "why": "train=True for both data sets (copy-paste): the test loader yields training images",
        "feedback": "train=False reads t10k",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "seed_get_dataloader_workers": {
        "why": "the seed's num_workers=get_dataloader_workers() (always 4): the argument is ignored",
        "feedback": "num_workers",
        "source": '''
            def get_dataloader_workers():
                return 4

            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=get_dataloader_workers()),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=get_dataloader_workers()))
        ''',
    },
    "drop_last_train": {
        "why": "drop_last=True on the training loader: the last partial batch is lost every epoch",
        "feedback": "drop_last",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans,
                                                                download=download)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans,
                                                               download=download)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers,
                                        drop_last=True),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    "download_always_false": {
        "why": "download=False hard-coded: the download argument is ignored",
        "feedback": "download=download",
        "source": '''
            def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
                trans = [transforms.ToTensor()]
                if resize:
                    trans.insert(0, transforms.Resize(resize))
                trans = transforms.Compose(trans)
                mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans)
                mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans)
                return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
                        data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
        ''',
    },
    # ---------------------------------------------------------------- predict_ch3
    "titles_pred_true_swapped": {
        "why": "titles pred + '\\n' + true",
        "feedback": "swapped",
        "source": '''
            def predict_ch3(net, test_iter, n=6, show=False):
                for X, y in test_iter:
                    break
                trues = get_fashion_mnist_labels(y)
                preds = get_fashion_mnist_labels(net(X).argmax(axis=1))
                titles = [pred + '\\n' + true for true, pred in zip(trues, preds)]
                return titles[0:n]
        ''',
    },
    "argmax_dim0": {
        "why": "argmax over the batch dimension (axis=0) instead of the classes",
        "feedback": "argmax(dim=1)",
        "source": '''
            def predict_ch3(net, test_iter, n=6, show=False):
                for X, y in test_iter:
                    break
                trues = get_fashion_mnist_labels(y)
                preds = get_fashion_mnist_labels(net(X).argmax(axis=0))
                titles = [true + '\\n' + pred for true, pred in zip(trues, preds)]
                return titles[0:n]
        ''',
    },
    "last_batch": {
        "why": "loops over test_iter without break: uses the last batch",
        "feedback": "first batch",
        "source": '''
            def predict_ch3(net, test_iter, n=6, show=False):
                for X, y in test_iter:
                    pass
                trues = get_fashion_mnist_labels(y)
                preds = get_fashion_mnist_labels(net(X).argmax(axis=1))
                titles = [true + '\\n' + pred for true, pred in zip(trues, preds)]
                return titles[0:n]
        ''',
    },
    "show_without_titles": {
        "why": "show=True draws the images but forgets their titles",
        "feedback": "set_title",
        "source": '''
            def predict_ch3(net, test_iter, n=6, show=False):
                X, y = next(iter(test_iter))
                trues = get_fashion_mnist_labels(y[:n])
                preds = get_fashion_mnist_labels(net(X).argmax(dim=1)[:n])
                titles = [true + "\\n" + pred for true, pred in zip(trues, preds)]
                if show:
                    import matplotlib.pyplot as plt
                    _, axes = plt.subplots(1, n, squeeze=False)
                    for ax, img in zip(axes[0], X[:n]):
                        ax.imshow(img.reshape(img.shape[-2:]).detach().numpy())
                return titles
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l's own code (d2l/torch.py), with root/num_workers/download made parameters and d2l's show_images.
    "d2l_style": '''
        def get_fashion_mnist_labels(labels):
            """Return text labels for the Fashion-MNIST dataset."""
            text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                           'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
            return [text_labels[int(i)] for i in labels]

        def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
            import matplotlib.pyplot as plt
            figsize = (num_cols * scale, num_rows * scale)
            _, axes = plt.subplots(num_rows, num_cols, figsize=figsize)
            axes = axes.flatten() if hasattr(axes, "flatten") else [axes]
            for i, (ax, img) in enumerate(zip(axes, imgs)):
                if torch.is_tensor(img):
                    ax.imshow(img.numpy())
                else:
                    ax.imshow(img)
                ax.axes.get_xaxis().set_visible(False)
                ax.axes.get_yaxis().set_visible(False)
                if titles:
                    ax.set_title(titles[i])
            return axes

        def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
            trans = [transforms.ToTensor()]
            if resize:
                trans.insert(0, transforms.Resize(resize))
            trans = transforms.Compose(trans)
            mnist_train = torchvision.datasets.FashionMNIST(
                root=root, train=True, transform=trans, download=download)
            mnist_test = torchvision.datasets.FashionMNIST(
                root=root, train=False, transform=trans, download=download)
            return (data.DataLoader(mnist_train, batch_size, shuffle=True,
                                    num_workers=num_workers),
                    data.DataLoader(mnist_test, batch_size, shuffle=False,
                                    num_workers=num_workers))

        def predict_ch3(net, test_iter, n=6, show=False):
            for X, y in test_iter:
                break
            trues = get_fashion_mnist_labels(y)
            preds = get_fashion_mnist_labels(net(X).argmax(axis=1))
            titles = [true + '\\n' + pred for true, pred in zip(trues, preds)]
            if show:
                show_images(X[0:n].reshape((n, X.shape[2], X.shape[3])), 1, n, titles=titles[0:n])
            return titles[0:n]
    ''',
    # transforms.v2, Resize after the conversion to a float tensor, a dict of labels, a no_grad prediction with
    # an eval()'d module and plt.imshow on the squeezed image.
    "v2_resize_last": '''
        LABELS = dict(enumerate("t-shirt trouser pullover dress coat sandal shirt sneaker bag".split()
                                + ["ankle boot"]))

        def get_fashion_mnist_labels(labels):
            return list(map(LABELS.__getitem__, torch.as_tensor(labels).tolist()))

        def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
            from torchvision.transforms import v2
            steps = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
            if resize is not None:
                steps.append(v2.Resize(resize))
            trans = v2.Compose(steps)
            sets = [torchvision.datasets.FashionMNIST(root, train=flag, transform=trans, download=download)
                    for flag in (True, False)]
            return tuple(data.DataLoader(ds, batch_size=batch_size, shuffle=flag, num_workers=num_workers)
                         for ds, flag in zip(sets, (True, False)))

        def predict_ch3(net, test_iter, n=6, show=False):
            X, y = next(iter(test_iter))
            X, y = X[:n], y[:n]
            if isinstance(net, torch.nn.Module):
                net.eval()
            with torch.no_grad():
                y_hat = net(X).max(dim=1).indices
            titles = [f"{t}\\n{p}" for t, p in zip(get_fashion_mnist_labels(y), get_fashion_mnist_labels(y_hat))]
            if show:
                import matplotlib.pyplot as plt
                fig = plt.figure(figsize=(2 * n, 2))
                for i in range(n):
                    plt.subplot(1, n, i + 1)
                    plt.imshow(X[i].squeeze(0), cmap="gray")
                    plt.title(titles[i])
                    plt.axis("off")
            return titles
    ''',
}
