"""Graders for ch3/fashion_mnist.py (get_fashion_mnist_labels, load_data_fashion_mnist, predict_ch3).

Offline: the graders write a tiny Fashion-MNIST themselves (IDX files in the raw layout torchvision reads,
``<root>/FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte``; torchvision 0.29 only checks that the
uncompressed files exist) and, for the whole module, replace torchvision's download functions with one that raises
``DownloadAttempted`` (and point the mirrors at an unreachable address), so a loader that would download is caught
instead of hanging. The working directory is a fresh temporary one, so a hard-coded "../data" finds nothing.

Every image encodes its index: pixel (r, c) of training image i is (i + 28r + c) mod 256, of test image i
(128 + i + 28r + c) mod 256; so pixel (0, 0) tells which file and which example a batch row came from, and the
expected values (pixel/255) are known exactly. The graders never import torchvision themselves (the oracles use
PIL and numpy): only the learner's process needs it.
"""
from __future__ import annotations

import struct

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, is_instance, run_beside, type_name
from tests.data import Batches
from tests.shippable import (FIXED_PREDS, N_PRED, DownloadAttempted, LookupNet, capture_figures, lookup_scores,
                             offline)
from tests.strategies import labels

D2L_LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
TORCHVISION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                       "Ankle boot"]
N_TRAIN, N_TEST = 100, 45
TRAIN_OFFSET, TEST_OFFSET = 0, 128


# ------------------------------------------------------------------------------------------------ offline data
@pytest.fixture(scope="module", autouse=True)
def empty_cwd(tmp_path_factory):
    """The working directory is an empty temporary one (downloads are refused by tests.shippable.offline, which
    every call of the loader goes through: see _call_loader)."""
    cwd = tmp_path_factory.mktemp("fashion_mnist_cwd") / "work"
    cwd.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        yield


def _call_loader(kata, *args, **kwargs):
    """kata.load_data_fashion_mnist(*args, **kwargs) with downloads refused (DownloadAttempted), in the learner's
    process (the sandboxed worker, or here)."""
    return run_beside(kata, offline, kata.load_data_fashion_mnist, *args, **kwargs)


def _pixels(n, offset):
    r = np.arange(28)[:, None]
    c = np.arange(28)[None, :]
    return np.stack([(i + offset + 28 * r + c) % 256 for i in range(n)]).astype(np.uint8)   # (n, 28, 28)


def _write_idx(path, arr):
    header = struct.pack(">I", 0x0800 | arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    path.write_bytes(header + np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


class FashionFiles:
    def __init__(self, root, train_u8, train_y, test_u8, test_y, offsets=(TRAIN_OFFSET, TEST_OFFSET)):
        self.root, self.offsets = root, offsets
        self.train_u8, self.test_u8 = train_u8, test_u8
        self.train_X = torch.tensor(train_u8, dtype=torch.float32).unsqueeze(1) / 255   # (N_TRAIN, 1, 28, 28)
        self.test_X = torch.tensor(test_u8, dtype=torch.float32).unsqueeze(1) / 255     # (N_TEST, 1, 28, 28)
        self.train_y = torch.tensor(train_y, dtype=torch.int64)
        self.test_y = torch.tensor(test_y, dtype=torch.int64)


def _make_files(root, seed, train_offset, test_offset) -> "FashionFiles":
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    train_u8, test_u8 = _pixels(N_TRAIN, train_offset), _pixels(N_TEST, test_offset)
    train_y = rng.integers(0, 10, N_TRAIN).astype(np.uint8)
    test_y = rng.integers(0, 10, N_TEST).astype(np.uint8)
    _write_idx(raw / "train-images-idx3-ubyte", train_u8)
    _write_idx(raw / "train-labels-idx1-ubyte", train_y)
    _write_idx(raw / "t10k-images-idx3-ubyte", test_u8)
    _write_idx(raw / "t10k-labels-idx1-ubyte", test_y)
    return FashionFiles(str(root), train_u8, train_y, test_u8, test_y, (train_offset, test_offset))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return _make_files(tmp_path_factory.mktemp("fashion_mnist_root"), 2024, TRAIN_OFFSET, TEST_OFFSET)


@pytest.fixture(scope="module")
def other_files(tmp_path_factory):
    """A second data set (other images, other labels): a loader must read the one under the root it is given."""
    return _make_files(tmp_path_factory.mktemp("fashion_mnist_other"), 7, 60, 200)


# ------------------------------------------------------------------------------------------------ helpers
ROOT_HINT = ("pass `root` through: torchvision.datasets.FashionMNIST(root=root, ...). The seed hard-codes "
             "root=\"../data\"; here the data lives under the root the caller gives.")


def _load(kata, batch_size, **kwargs):
    """Call the learner's loader; a download attempt or a wrong return shape becomes learner feedback."""
    try:
        got = _call_loader(kata, batch_size, **kwargs)
    except DownloadAttempted as e:
        root, where = kwargs.get("root"), e.where
        fail("with the files already under `root`, load_data_fashion_mnist reads them and downloads nothing",
             inputs={"batch_size": batch_size, **kwargs},
             expected=f"the files in {root}/FashionMNIST/raw to be read",
             got=f"a download attempt into {where}",
             hints=[Hint(ROOT_HINT, when=lambda got, want: root is None or str(root) not in str(where))])
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           "load_data_fashion_mnist returns a pair (train_iter, test_iter)",
           inputs={"batch_size": batch_size, **kwargs}, expected="a tuple of two DataLoaders",
           got=f"{type(got).__name__}: {got!r}"[:200])
    return got


DROP_LAST_HINT = ("keep the last partial batch (drop_last=False, DataLoader's default): with drop_last=True the "
                  "examples that don't fill a whole batch are never seen.")


def _epoch(loader, which, call):
    """All batches of one pass over ``loader``: (X (N, 1, h, w), y (N,), batch sizes). Checks each batch's types."""
    Xs, ys, sizes = [], [], []
    for batch in loader:
        expect(isinstance(batch, (tuple, list)) and len(batch) == 2, f"each {which} batch is a pair (X, y)",
               inputs=call, expected="(X, y)", got=f"{type(batch).__name__}"[:100])
        X, y = batch
        expect_tensor(X, f"the images X of a {which} batch are a float32 tensor", inputs=call, dtype=torch.float32,
                      hints=[Hint("transforms.ToTensor() turns the 8-bit image into float32 in [0, 1]; "
                                  "PILToTensor (or v2.ToImage without ToDtype) keeps uint8 0..255.",
                                  when=lambda got, want: "uint8" in str(got))])
        expect(X.dim() == 4 and X.shape[1] == 1, f"a {which} batch X has shape (b, 1, h, w)", inputs=call,
               expected="(b, 1, h, w): one gray channel", got=f"shape {tuple(X.shape)}")
        expect_tensor(y, f"the labels y of a {which} batch are an int64 tensor of shape (b,)", inputs=call,
                      shape=(X.shape[0],), dtype=torch.int64)
        Xs.append(X)
        ys.append(y)
        sizes.append(X.shape[0])
    expect(len(Xs) > 0, f"the {which} loader yields batches", inputs=call, expected="at least one batch",
           got="an empty iteration", hints=[DROP_LAST_HINT])
    shapes = {tuple(X.shape[1:]) for X in Xs}
    expect(len(shapes) == 1, f"all {which} batches have the same image size", inputs=call,
           expected="one (1, h, w)", got=sorted(shapes))
    return torch.cat(Xs), torch.cat(ys), sizes


def _batch_sizes(n, batch_size):
    return [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])


UNSCALED_HINT = Hint("values above 1: the pixels are still 0..255. transforms.ToTensor() divides by 255 "
                     "(with transforms.v2: ToImage() then ToDtype(torch.float32, scale=True)).",
                     when=lambda got, want: isinstance(got, torch.Tensor) and float(got.max()) > 1.5)


SETS = {"training": ("train", TRAIN_OFFSET, N_TRAIN), "test": ("t10k", TEST_OFFSET, N_TEST)}


def _indices(X, which, call, data=None):
    """The example index each row came from, decoded from pixel (0, 0); fails if a row is not from the file."""
    sets = SETS if data is None else {"training": ("train", data.offsets[0], N_TRAIN),
                                      "test": ("t10k", data.offsets[1], N_TEST)}
    prefix, offset, n = sets[which]
    expect(float(X.min()) >= 0.0 and float(X.max()) <= 1.0, f"{which} pixel values lie in [0, 1]", inputs=call,
           expected="0 ≤ X ≤ 1", got=f"min {float(X.min()):.6g}, max {float(X.max()):.6g}",
           hints=[Hint(UNSCALED_HINT.text, when=lambda got, want: float(X.max()) > 1.5)])
    other_which = "test" if which == "training" else "training"
    other_prefix, other_offset, other_n = sets[other_which]
    code = (X[:, 0, 0, 0].double() * 255).round().long()            # (N,)
    idx = code - offset
    if not bool(((idx >= 0) & (idx < n)).all()):
        from_other = bool(((code >= other_offset) & (code < other_offset + other_n)).all())
        fail(f"the {which} loader yields the images of the {prefix}-* files", inputs=call,
             expected=f"images of {prefix}-images-idx3-ubyte (pixel (0, 0) × 255 in {offset}..{offset + n - 1})",
             got=f"pixel (0, 0) × 255 values {sorted(set(code.tolist()))[:10]}"
                 + (f" (those of the {other_prefix}-* images)" if from_other else ""),
             hints=[Hint(f"train=True reads train-*, train=False reads t10k-*: the {which} loader is built on the "
                         f"{other_which} set.", when=lambda got, want: from_other)])
    return idx


# ------------------------------------------------------------------------------------------------ labels
LABEL_HINTS = [
    Hint("these are torchvision's class names (FashionMNIST.classes); the course uses d2l's lower-case "
         "labels: 't-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', "
         "'ankle boot'.",
         when=lambda got, want: any(g in TORCHVISION_CLASSES for g in got)),
    Hint("the labels are shifted by one: label i is text_labels[i] (0 = 't-shirt').",
         when=lambda got, want: all(g in D2L_LABELS for g in got) and len(got) == len(want)
         and all(D2L_LABELS.index(g) % 10 in ((D2L_LABELS.index(w) + 1) % 10, (D2L_LABELS.index(w) - 1) % 10)
                 for g, w in zip(got, want))),
    Hint("check the order of the list: 0 t-shirt, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, "
         "7 sneaker, 8 bag, 9 ankle boot.",
         when=lambda got, want: all(g in D2L_LABELS for g in got)),
]


@pytest.mark.core("get_fashion_mnist_labels")
@settings(max_examples=15)
@given(y=st.integers(0, 12).flatmap(lambda n: labels(n, 10)))
@example(y=torch.arange(10))
@example(y=torch.tensor([], dtype=torch.int64))
def test_text_labels(kata, y):
    """class indices become d2l's text labels (0 t-shirt … 9 ankle boot), in order"""
    got = kata.get_fashion_mnist_labels(y.clone())
    want = [D2L_LABELS[i] for i in y.tolist()]
    expect(isinstance(got, list), "get_fashion_mnist_labels returns a list of strings", inputs={"labels": y},
           expected="a list", got=f"{type(got).__name__}: {got!r}"[:200])
    expect(got == want, "get_fashion_mnist_labels maps class i to d2l's i-th label", inputs={"labels": y},
           expected=want, got=got, hints=LABEL_HINTS)


# ------------------------------------------------------------------------------------------------ the loader
@settings(max_examples=5)
@given(batch_size=st.integers(1, 60))
@example(batch_size=256)
@example(batch_size=32)
def test_batches_and_dtypes(kata, files, batch_size):
    """both loaders yield (X float32 (b,1,28,28), y int64 (b,)) batches of batch_size, the last one partial"""
    call = {"batch_size": batch_size, "root": files.root, "num_workers": 0}
    train_iter, test_iter = _load(kata, batch_size, root=files.root, num_workers=0)
    for which, loader, n in (("training", train_iter, N_TRAIN), ("test", test_iter, N_TEST)):
        X, y, sizes = _epoch(loader, which, call)
        expect(tuple(X.shape[1:]) == (1, 28, 28), f"without resize, {which} images are 1×28×28", inputs=call,
               expected="(b, 1, 28, 28)", got=f"(b, {', '.join(map(str, X.shape[1:]))})")
        expect(sizes == _batch_sizes(n, batch_size),
               f"the {which} loader yields {n} examples in batches of batch_size (the last may be smaller)",
               inputs=call, expected=_batch_sizes(n, batch_size), got=sizes,
               hints=[Hint(DROP_LAST_HINT, when=lambda got, want: sum(got) < sum(want)),
                      Hint("both loaders use the batch_size argument.",
                           when=lambda got, want: sum(got) == sum(want))])


def test_pixels_are_scaled_to_unit_interval(kata, files):
    """each image is the file's 8-bit image divided by 255: float32 in [0, 1]"""
    call = {"batch_size": 16, "root": files.root, "num_workers": 0}
    _, test_iter = _load(kata, 16, root=files.root, num_workers=0)
    X, _, _ = _epoch(test_iter, "test", call)
    expect(float(X.min()) >= 0.0 and float(X.max()) <= 1.0, "pixel values lie in [0, 1]", inputs=call,
           expected="0 ≤ X ≤ 1", got=f"min {float(X.min()):.6g}, max {float(X.max()):.6g}",
           hints=[Hint(UNSCALED_HINT.text, when=lambda got, want: float(X.max()) > 1.5)])
    idx = _indices(X, "test", call)
    expect_close(X, files.test_X[idx], "each image equals its 8-bit pixels / 255 (transforms.ToTensor)",
                 inputs=call, atol=1e-6, rtol=0,
                 hints=[Hint("transforms.ToTensor() is all it takes: (1, 28, 28), float32, pixel/255.")])


@pytest.mark.core("load_data_fashion_mnist")
def test_labels_belong_to_their_images(kata, files, other_files):
    """every label y is the label stored for its image (both loaders, two data sets)"""
    for data in (files, other_files):
        call = {"batch_size": 32, "root": data.root, "num_workers": 0}
        train_iter, test_iter = _load(kata, 32, root=data.root, num_workers=0)
        for which, loader, want_y in (("training", train_iter, data.train_y), ("test", test_iter, data.test_y)):
            X, y, _ = _epoch(loader, which, call)
            idx = _indices(X, which, call, data)
            expect_equal(y, want_y[idx], f"each {which} label belongs to its image", inputs=call)


def test_test_loader_keeps_file_order(kata, files):
    """the test loader is not shuffled: examples come in file order, every pass the same"""
    call = {"batch_size": 10, "root": files.root, "num_workers": 0}
    _, test_iter = _load(kata, 10, root=files.root, num_workers=0)
    for epoch in range(2):
        X, y, _ = _epoch(test_iter, "test", call)
        idx = _indices(X, "test", call)
        expect_equal(idx, torch.arange(N_TEST), f"pass {epoch + 1} over the test loader yields the examples in "
                     "file order (indices shown)", inputs=call,
                     hints=[Hint("the test loader must not shuffle: DataLoader(mnist_test, batch_size, "
                                 "shuffle=False, ...). Evaluation and predict_ch3 must be reproducible.",
                                 when=lambda got, want: sorted(got.tolist()) == want.tolist())])


def test_train_loader_shuffles_every_example_once(kata, files):
    """the training loader is shuffled and yields every training example exactly once per epoch"""
    call = {"batch_size": 32, "root": files.root, "num_workers": 0}
    train_iter, _ = _load(kata, 32, root=files.root, num_workers=0)
    orders = []
    for epoch in range(2):
        X, y, _ = _epoch(train_iter, "training", call)
        idx = _indices(X, "training", call)
        counts = torch.bincount(idx, minlength=N_TRAIN)
        expect(bool((counts == 1).all()), f"epoch {epoch + 1} yields every training example exactly once",
               inputs=call, expected=f"each of the {N_TRAIN} examples once",
               got=f"{int((counts == 0).sum())} missing, {int((counts > 1).sum())} repeated",
               hints=[DROP_LAST_HINT] if bool((counts <= 1).all()) else [])
        expect_close(X, files.train_X[idx], "each training image equals its 8-bit pixels / 255", inputs=call,
                     atol=1e-6, rtol=0)
        orders.append(idx)
    expect(not all(torch.equal(o, torch.arange(N_TRAIN)) for o in orders),
           "the training loader shuffles (shuffle=True)", inputs=call,
           expected="a random order of the training examples", got="file order 0, 1, 2, … in every epoch",
           hints=["DataLoader(mnist_train, batch_size, shuffle=True, ...): SGD wants a fresh random order each "
                  "epoch; only the test loader keeps the file order."])


RESIZES = [64, 14, (32, 20), (20, 36)]


def _resize_oracle(u8, size):
    """transforms.Resize(size) then ToTensor, as torchvision does it for PIL images: an int matches the shorter
    side (the longer one scaled, rounded down), a pair is (height, width); PIL's bilinear resize; pixel/255.
    Written with PIL alone (bit-identical to torchvision 0.29's output): when grading sandboxed, this process then
    never imports torchvision (1-2 s), which only the learner's worker needs."""
    import numpy as np
    from PIL import Image
    out = []
    for a in u8:
        h, w = a.shape
        if isinstance(size, int):
            nh, nw = (size, int(size * w / h)) if h <= w else (int(size * h / w), size)
        else:
            nh, nw = size
        img = Image.fromarray(a, mode="L").resize((nw, nh), Image.BILINEAR)
        out.append(torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).to(torch.float32).div(255).unsqueeze(0))
    return torch.stack(out)


@settings(max_examples=4)
@given(resize=st.sampled_from(RESIZES))
@example(resize=64)
def test_resize(kata, files, resize):
    """with resize, both loaders yield images of the new size: Resize on the image, then ToTensor"""
    call = {"batch_size": 64, "resize": resize, "root": files.root, "num_workers": 0}
    h, w = (resize, resize) if isinstance(resize, int) else resize
    train_iter, test_iter = _load(kata, 64, resize=resize, root=files.root, num_workers=0)
    for which, loader in (("training", train_iter), ("test", test_iter)):
        X, _, _ = _epoch(loader, which, call)
        expect(tuple(X.shape[1:]) == (1, h, w), f"with resize={resize!r}, {which} images have shape (1, {h}, {w})",
               inputs=call, expected=f"(b, 1, {h}, {w})", got=f"(b, {', '.join(map(str, X.shape[1:]))})",
               hints=[Hint("insert transforms.Resize(resize) into the transform list (before ToTensor), for both "
                           "data sets.", when=lambda got, want: "28, 28" in got)])
    # Values: the test loader keeps file order. Resizing the float tensor after ToTensor instead of the 8-bit
    # image differs by at most one gray level (PIL rounds after each of its two passes), hence 1.5/255.
    want = _resize_oracle(files.test_u8, resize)
    expect_close(X, want, f"resized test images equal transforms.Resize({resize!r}) then ToTensor (±1.5/255)",
                 inputs=call, atol=1.5 / 255, rtol=0, hints=[UNSCALED_HINT])


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_arguments_are_passed_through(kata, files):
    """batch_size and num_workers reach both DataLoaders; num_workers defaults to 4"""
    from torch.utils.data import DataLoader
    for kwargs, want in (({"num_workers": 3}, 3), ({"num_workers": 0}, 0), ({}, 4)):
        call = {"batch_size": 7, "root": files.root, **kwargs}
        loaders = _load(kata, 7, root=files.root, **kwargs)
        for which, loader in zip(("training", "test"), loaders):
            expect(is_instance(loader, DataLoader), f"the {which} iterator is a torch.utils.data.DataLoader",
                   inputs=call, expected="DataLoader", got=type_name(loader))
            expect_equal(loader.batch_size, 7, f"the {which} DataLoader uses batch_size", inputs=call)
            expect_equal(loader.num_workers, want, f"the {which} DataLoader uses num_workers"
                         + ("" if kwargs else ", 4 by default"), inputs=call,
                         hints=[Hint("pass num_workers=num_workers to both DataLoaders (the seed always uses "
                                     "get_dataloader_workers(), i.e. 4).", when=lambda got, want: got == 4)])


def test_download_flag_is_passed_through(kata, tmp_path_factory):
    """download (default True) reaches FashionMNIST: with no files, True tries to download and False does not"""
    empty = str(tmp_path_factory.mktemp("fashion_mnist_empty"))
    call = {"batch_size": 8, "root": empty}
    try:
        _call_loader(kata, 8, root=empty, num_workers=0)
    except DownloadAttempted as e:
        expect(str(e.where).startswith(empty), "the download goes under `root`", inputs=call,
               expected=f"{empty}/FashionMNIST/raw", got=str(e.where), hints=[ROOT_HINT])
    except Exception as e:  # noqa: BLE001 - reported to the learner
        fail("with download=True (the default) and no files, FashionMNIST is asked to download", inputs=call,
             expected="a download attempt (intercepted by the graders)", got=f"{type(e).__name__}: {e}"[:300],
             hints=["pass download=download to torchvision.datasets.FashionMNIST; the default is download=True."])
    else:
        fail("with download=True (the default) and no files, FashionMNIST is asked to download", inputs=call,
             expected="a download attempt (intercepted by the graders)", got="no download and no error")
    call = {"batch_size": 8, "root": empty, "download": False}
    try:
        _call_loader(kata, 8, root=empty, num_workers=0, download=False)
    except DownloadAttempted as e:
        fail("with download=False nothing is downloaded", inputs=call, expected="RuntimeError: Dataset not found",
             got=f"a download attempt into {e.where}",
             hints=["pass download=download to torchvision.datasets.FashionMNIST instead of download=True."])
    except Exception:  # noqa: BLE001 - torchvision's "Dataset not found" RuntimeError, or the learner's own error
        pass


def test_worker_processes_give_the_same_batches(kata, files):
    """with num_workers=2 the test loader yields the same batches"""
    call = {"batch_size": 16, "root": files.root, "num_workers": 2}
    _, test_iter = _load(kata, 16, root=files.root, num_workers=2)
    X, y, _ = _epoch(test_iter, "test", call)
    expect_close(X, files.test_X, "with two workers the test images come in file order, pixel/255", inputs=call,
                 atol=1e-6, rtol=0)
    expect_equal(y, files.test_y, "with two workers the test labels come in file order", inputs=call)


# ------------------------------------------------------------------------------------------------ predict_ch3
# N_PRED, LookupNet, FIXED_PREDS and lookup_scores (the nets handed to predict_ch3) live in tests/shippable.py.
def _pred_images():
    """(N_PRED, 1, 28, 28) images whose pixel (0, 0) is index/255; the rest is a fixed pattern."""
    X = torch.tensor(_pixels(N_PRED, 7), dtype=torch.float32).unsqueeze(1) / 255
    X[:, 0, 0, 0] = torch.arange(N_PRED, dtype=torch.float32) / 255
    return X


def _titles(y, preds, n):
    return [D2L_LABELS[t] + "\n" + D2L_LABELS[p] for t, p in zip(y[:n].tolist(), preds[:n].tolist())]


def _title_hints(net, X, y, n, batch_size):
    """Hints that recognise a mistake by reproducing it: each is shown only when the answer equals that mistake."""
    with torch.no_grad():
        scores = net(X[:batch_size])                                  # (b, 10)
    preds = scores.argmax(dim=1)
    swapped = [D2L_LABELS[p] + "\n" + D2L_LABELS[t] for t, p in zip(y[:n].tolist(), preds[:n].tolist())]
    dim0 = [D2L_LABELS[t] + "\n" + (D2L_LABELS[p] if p < 10 else "?")
            for t, p in zip(y[:batch_size].tolist(), scores.argmax(dim=0).tolist())][:n]
    other_batches = []
    for start in range(batch_size, len(y), batch_size):
        with torch.no_grad():
            p_k = net(X[start:start + batch_size]).argmax(dim=1)
        other_batches.append(_titles(y[start:start + batch_size], p_k, n))
    return [
        Hint("prediction and truth are swapped: each title is true + '\\n' + pred (true label on top).",
             when=lambda got, want: got == swapped),
        Hint("these are the titles of a later batch: use the first batch of test_iter only (break after it, or "
             "next(iter(test_iter))).", when=lambda got, want: got in other_batches),
        Hint("the prediction of each image is net(X).argmax(dim=1), the class with the largest score in its row "
             "(dim=0 compares the images of the batch instead).", when=lambda got, want: got == dim0),
        Hint("the true labels (the top lines) differ from y's: check get_fashion_mnist_labels first.",
             when=lambda got, want: isinstance(got, list) and got not in other_batches and got != swapped
             and [g.split("\n")[0] for g in got] != [w.split("\n")[0] for w in want]
             and all(isinstance(g, str) and all(part in D2L_LABELS for part in g.split("\n")) for g in got)),
        Hint("the titles use d2l's text labels (get_fashion_mnist_labels): 't-shirt', 'trouser', … 'ankle boot'.",
             when=lambda got, want: isinstance(got, list) and not all(
                 isinstance(g, str) and all(part in D2L_LABELS for part in g.split("\n")) for g in got)),
    ]


@pytest.mark.core("predict_ch3")
@settings(max_examples=12)
@given(batch_size=st.integers(2, 12), data=st.data())
def test_predict_titles(kata, batch_size, data):
    """predict_ch3 returns "true\\npred" titles for the first n images of the first batch"""
    n = data.draw(st.integers(1, batch_size), label="n")
    y = data.draw(labels(N_PRED, 10), label="y")
    preds = data.draw(labels(N_PRED, 10), label="preds")
    X = _pred_images()
    net = LookupNet(preds)
    call = {"batch_size": batch_size, "n": n, "y": y, "net(X).argmax(1)": preds}
    got = kata.predict_ch3(net, Batches(X, y, batch_size), n=n)
    want = _titles(y, preds, n)
    expect(isinstance(got, list), "predict_ch3 returns a list of strings", inputs=call, expected="a list",
           got=f"{type(got).__name__}: {got!r}"[:200])
    expect(got == want, "predict_ch3 returns the titles true + '\\n' + pred of the first n images", inputs=call,
           expected=want, got=got, hints=_title_hints(net, X, y, n, batch_size))


def test_predict_plain_function_net_and_default_n(kata):
    """predict_ch3 works with a plain function as net and gives 6 titles by default"""
    X = _pred_images()
    y = torch.tensor([9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4])
    call = {"net": "a plain function", "batch_size": 8, "y": y, "net(X).argmax(1)": FIXED_PREDS}
    got = kata.predict_ch3(lookup_scores, Batches(X, y, 8))
    want = _titles(y, FIXED_PREDS, 6)
    expect(got == want, "predict_ch3(net, test_iter) returns the 6 titles of the first 6 images", inputs=call,
           expected=want, got=got, hints=_title_hints(lookup_scores, X, y, 6, 8))


def test_predict_show(kata):
    """with show=True the n images are drawn with their titles (matplotlib, headless)"""
    X = _pred_images()
    y = torch.arange(N_PRED) % 10
    preds = (torch.arange(N_PRED) * 3 + 1) % 10
    n = 4
    call = {"batch_size": 5, "n": n, "show": True, "y": y, "net(X).argmax(1)": preds}
    net = LookupNet(preds)
    got, drawn = run_beside(kata, capture_figures, kata.predict_ch3, net, Batches(X, y, 5), n=n, show=True)
    want = _titles(y, preds, n)
    expect(got == want, "with show=True predict_ch3 still returns the titles", inputs=call, expected=want,
           got=got, hints=_title_hints(net, X, y, n, 5))
    expect(sorted(drawn) == sorted(want), "with show=True a figure shows each image with its title",
           inputs=call, expected=sorted(want), got=sorted(drawn),
           hints=["draw each image with ax.imshow(img.reshape(h, w)) and ax.set_title(title) (d2l's "
                  "show_images does this)."])
    for i, title in enumerate(want):
        img = torch.as_tensor(np.asarray(drawn[title], dtype=np.float64)).squeeze()
        expect_close(img, X[i, 0].double(), f"the axes titled {title!r} shows image {i} of the first batch",
                     inputs=call, atol=1e-6, rtol=0)
