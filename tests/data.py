"""Small real data for training checks, offline: scikit-learn's bundled digits (1,797 8×8 images, 10 classes).

Read straight from the CSV that ships inside scikit-learn, without importing scikit-learn (that import costs
about 1.5 s; reading the file costs a few milliseconds). Values are the same as ``sklearn.datasets.load_digits``.
"""
from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path

import numpy as np
import torch


@functools.cache
def _digits_array() -> np.ndarray:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-learn is not installed (its bundled digits data set is used for training checks)")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path, "rt") as fh:
        return np.loadtxt(fh, delimiter=",", dtype=np.float64)


def digits(scale: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """(X float32 (1797, 64), y int64 (1797,)). With ``scale``, pixels are divided by 16 into [0, 1]."""
    data = _digits_array()
    X = torch.tensor(data[:, :-1], dtype=torch.float32)
    y = torch.tensor(data[:, -1], dtype=torch.int64)
    return (X / 16.0 if scale else X), y


def digits_split(test_fraction: float = 0.25, seed: int = 0):
    """A fixed, stratification-free train/test split: (X_train, y_train, X_test, y_test)."""
    X, y = digits()
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(y), generator=g)
    n_test = int(len(y) * test_fraction)
    test, train = perm[:n_test], perm[n_test:]
    return X[train], y[train], X[test], y[test]


class Batches:
    """A re-iterable minibatch loader over tensors (a module-level class, so it is picklable by reference)."""

    def __init__(self, X, y, batch_size, shuffle=False, seed=0):
        self.X, self.y, self.batch_size, self.shuffle, self.seed = X, y, batch_size, shuffle, seed
        self.epoch = 0

    def __iter__(self):
        n = len(self.y)
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            idx = torch.randperm(n, generator=g)
        else:
            idx = torch.arange(n)
        self.epoch += 1
        for i in range(0, n, self.batch_size):
            j = idx[i:i + self.batch_size]
            yield self.X[j], self.y[j]

    def __len__(self):
        return (len(self.y) + self.batch_size - 1) // self.batch_size
