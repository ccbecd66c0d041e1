# Generated from solutions/ch3/fashion_mnist.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""The Fashion-MNIST data pipeline · Fashion-MNIST 数据集的读取

d2l-zh §3.5 (图像分类数据集) and §3.6.6 (预测). The notes' loader and ``predict_ch3``.

Every chapter from here to ch6 trains on Fashion-MNIST, so the loader is written once and trusted. The seed's version never ran as written: ``transorms.ToTensor()`` is a typo for ``transforms``, and its comment
says "先toTensor,然后resize" although the code (rightly) inserts ``Resize`` *before* ``ToTensor``. Here you fix it,
make the hard-wired ``root="../data"`` and worker count parameters, and write ``predict_ch3``, which turns a
trained classifier's first few test predictions into "true\\npred" titles.

The graders run offline: they write a small Fashion-MNIST (a few dozen 28×28 images in the IDX format torchvision
reads) under a temporary ``root`` and make any download attempt fail loudly. With the files already in place,
``download=True`` must not touch the network (torchvision checks for them first).
"""
import torch
import torchvision
from torch.utils import data
from torchvision import transforms

def get_fashion_mnist_labels(labels) -> list[str]:
    """The text labels of Fashion-MNIST class indices (d2l's names, lower case)::

        0 t-shirt · 1 trouser · 2 pullover · 3 dress · 4 coat · 5 sandal · 6 shirt · 7 sneaker · 8 bag · 9 ankle boot

    Args:
        labels: an int64 tensor of shape (n,) with values in 0..9 (or any iterable of such integers).

    Returns:
        a ``list`` of n strings, in the order of ``labels``; ``[]`` for an empty tensor.

    Note: torchvision's ``FashionMNIST.classes`` spells them differently ("T-shirt/top", "Trouser", …): use d2l's.
    """
    raise NotImplementedError("KATA-STUB ch3.fashion_mnist.get_fashion_mnist_labels: not implemented yet - replace this line with your code")


def load_data_fashion_mnist(batch_size, resize=None, root="../data", num_workers=4, download=True):
    """Fashion-MNIST as two ``DataLoader``s: ``(train_iter, test_iter)`` (the seed's, fixed).

    Build ``torchvision.datasets.FashionMNIST(root=root, train=..., transform=trans, download=download)`` for the
    training set (``train=True``, files ``train-*``) and the test set (``train=False``, files ``t10k-*``), with::

        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor()])   # resize given
        trans = transforms.Compose([transforms.ToTensor()])                              # resize is None

    ``ToTensor`` turns each 28×28 8-bit image into a float32 tensor of shape (1, 28, 28) with values pixel/255 in
    [0, 1]. ``Resize`` comes first, as in d2l: it resizes the 8-bit image (an int gives a square image of that side,
    a pair ``(h, w)`` that size). Resizing the float tensor after ``ToTensor`` is accepted too (it differs by less
    than one gray level).

    Args:
        batch_size: examples per batch, for both loaders (the last batch may be smaller; none is dropped).
        resize: None, an int or an (h, w) pair.
        root: where the data lives: ``<root>/FashionMNIST/raw/...``. Pass it through, don't hard-code "../data".
        num_workers: worker processes of **both** loaders (the seed's ``get_dataloader_workers()`` returned 4).
        download: passed to ``FashionMNIST``; when the files exist it downloads nothing.

    Returns:
        ``(train_iter, test_iter)``, two ``torch.utils.data.DataLoader``s yielding ``(X, y)`` with
        X float32 of shape (b, 1, 28, 28) (or (b, 1, h, w) when resized) in [0, 1] and y int64 of shape (b,).
        The training loader reshuffles every epoch (``shuffle=True``); the test loader keeps the file order
        (``shuffle=False``), so that evaluation and ``predict_ch3`` are reproducible.
    """
    raise NotImplementedError("KATA-STUB ch3.fashion_mnist.load_data_fashion_mnist: not implemented yet - replace this line with your code")


def predict_ch3(net, test_iter, n=6, show=False) -> list[str]:
    """Titles "true\\npred" for the first ``n`` images of the first batch of ``test_iter``.

    Take the first batch ``X, y`` of ``test_iter``; the prediction for each image is the class with the largest
    score, ``net(X).argmax(dim=1)``. Title i is ``true_label + "\\n" + predicted_label`` in d2l's text labels
    (``get_fashion_mnist_labels``), e.g. ``"coat\\nshirt"``: true label on top.

    Args:
        net: a callable (an ``nn.Module`` or a plain function) mapping X (b, 1, h, w) to scores (b, 10).
        test_iter: an iterable of ``(X, y)`` batches; y int64 (b,).
        n: how many titles; 1 ≤ n ≤ the size of the first batch.
        show: when True, also display the n images in one row with their titles (matplotlib; import it inside
            this branch so that a plain call never loads matplotlib). Each image is shown as an (h, w) array.

    Returns:
        a ``list`` of n strings.
    """
    raise NotImplementedError("KATA-STUB ch3.fashion_mnist.predict_ch3: not implemented yet - replace this line with your code")
