"""Objects graders pass into learner code. They are pickled into the sandboxed worker that runs learner code, so they
live here (importable there) and not in the test modules (which hold the oracles and are not). Everything here is
visible to learners.
"""
from __future__ import annotations

import torch
from torch import nn

# Imports: the standard library, numpy, torch and tests.data only; never hypothesis, pytest, grader, tests.strategies
# or a test module (tests/engine/test_shippable.py checks it). Everything is module-level, so it pickles by reference.
# No oracle lives here: what a learner's answer is judged against is computed in the test modules.


# ------------------------------------------------------------------------------------------- tests/ch2/test_calculus.py
class Quadratic:
    """f(x) = xᵀAx, gradient (A + Aᵀ)x."""

    def __init__(self, A):
        self.A = A

    def __call__(self, x):
        return x @ self.A @ x

    def __repr__(self):
        return f"x ↦ xᵀAx with A = {self.A.tolist()}"


def sin_sum(x):
    return torch.sin(x).sum()


def exp_sum(x):
    return torch.exp(x).sum()


def l2(x):
    return torch.sqrt((x * x).sum())


def cubic(x):
    return (x ** 3).sum()


# ----------------------------------------------------------------------------------- tests/ch2/test_gradient_descent.py
class QuadGrad:
    """∇f for f(x) = ½xᵀAx with A symmetric: ∇f(x) = A x."""

    def __init__(self, A):
        self.A = A

    def __call__(self, x):
        return self.A.to(x.dtype) @ x

    def __repr__(self):
        return f"QuadGrad(A = {self.A.tolist()})"


class SinGrad:
    """∇f for f(x) = −Σ cos(xᵢ) + ½·c·‖x‖²: sin(x) + c·x (not quadratic: the gradient depends on x non-linearly)."""

    def __init__(self, c):
        self.c = c

    def __call__(self, x):
        return torch.sin(x) + self.c * x

    def __repr__(self):
        return f"SinGrad(c = {self.c})  # ∇f(x) = sin(x) + c·x"


# -------------------------------------------------------------------------------------- tests/ch3/test_fashion_mnist.py
N_PRED = 20


class LookupNet(nn.Module):
    """Scores (b, 10) read from a table by the index encoded in pixel (0, 0); argmax of row i is preds[i]."""

    def __init__(self, preds, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        table = torch.rand(N_PRED, 10, generator=g)
        table[torch.arange(N_PRED), preds] += 2.0
        self.register_buffer("table", table)
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, X):
        idx = (X[:, 0, 0, 0] * 255).round().long()
        return self.table[idx] * self.scale                           # (b, 10)


FIXED_PREDS = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4])
FIXED_NET = None


def lookup_scores(X):
    """A plain function as the net (the seed's `net` is one): scores favouring FIXED_PREDS."""
    global FIXED_NET
    if FIXED_NET is None:
        FIXED_NET = LookupNet(FIXED_PREDS, seed=1)
    with torch.no_grad():
        return FIXED_NET(X)


# --------------------------------------------------------------------------------- tests/ch3/test_softmax_regression.py
class LearnerFunction:
    """One of the learner's own functions, handed back into learner code (the net's softmax, train_ch3's loss).

    Wraps the seam's function object (``kata.softmax``), which pickles by reference, so this does too."""

    def __init__(self, fn):
        self.fn, self.name = fn, fn.__name__

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return f"your {self.name}"


def identity_net(X):
    """A plain function (not an nn.Module): its scores are X itself."""
    return X


class DropoutNet(nn.Module):
    """Dropout(0.99) then the identity: in training mode it zeroes ~99% of the scores. Records, for each forward
    pass, whether it ran in training mode and whether autograd was recording."""

    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.99)
        self.calls = []

    def forward(self, X):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.drop(X * 1.0)


class LinearNet(nn.Module):
    """nn.Linear that records whether each forward pass ran in training mode."""

    def __init__(self, d, q, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.linear = nn.Linear(d, q)
        with torch.no_grad():
            self.linear.weight.copy_(torch.randn(q, d, generator=g) * 0.5)
            self.linear.bias.copy_(torch.randn(q, generator=g) * 0.1)
        self.modes = []

    def forward(self, X):
        self.modes.append(self.training)
        return self.linear(X)


class LinearScores:
    """A plain callable (not an nn.Module): X @ W + b with leaf tensors W, b."""

    def __init__(self, d, q, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.W = (torch.randn(d, q, generator=g) * 0.5).requires_grad_(True)
        self.b = torch.zeros(q, requires_grad=True)

    def __call__(self, X):
        return X @ self.W + self.b


class SGDUpdater:
    """d2l's custom updater: updater(batch_size) does p -= lr·p.grad/batch_size and zeroes the grads.
    Records the batch sizes it was called with."""

    def __init__(self, params, lr):
        self.params, self.lr, self.batch_sizes = list(params), lr, []

    def __call__(self, batch_size):
        self.batch_sizes.append(batch_size)
        with torch.no_grad():
            for p in self.params:
                p -= self.lr * p.grad / batch_size
                p.grad.zero_()


class TinySGD(torch.optim.SGD):
    """A torch.optim.SGD (so a torch.optim.Optimizer) with plain-SGD semantics: zero_grad(); step() does
    p -= lr·p.grad.

    Its methods are overridden because the first torch.optim.Optimizer.__init__ / zero_grad / step of a process
    imports torch._dynamo (~1 s), more than this whole module's time budget."""

    def __init__(self, params, lr):   # deliberately not super().__init__ (that is where torch._dynamo loads)
        self.lr = lr
        self.defaults = {"lr": lr}
        self.param_groups = [{"params": list(params), "lr": lr}]
        self.state = {}

    def __getstate__(self):     # all of it (torch.optim.Optimizer's keeps only defaults/state/param_groups)
        return dict(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(state)

    def zero_grad(self, set_to_none=True):
        for p in self.param_groups[0]["params"]:
            p.grad = None

    @torch.no_grad()
    def step(self, closure=None):
        for p in self.param_groups[0]["params"]:
            if p.grad is not None:
                p -= self.lr * p.grad


class RecordingAnimator:
    """Records every add(x, y) call."""

    def __init__(self):
        self.calls = []

    def add(self, x, y):
        self.calls.append((x, tuple(float(v) for v in y)))


class ScratchSoftmaxNet:
    """softmax(X W + b) with the learner's softmax (d2l 3.6's net)."""

    def __init__(self, W, b, softmax):
        self.W, self.b, self.softmax = W, b, softmax

    def __call__(self, X):
        return self.softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)


# ---------------------------------------------------------------------------------------- tests/ch4/test_relu_proofs.py
class Line:
    """f(t) = L·t + c: its slope is exactly L everywhere."""

    def __init__(self, L, c):
        self.L, self.c = float(L), float(c)

    def __call__(self, t):
        return self.L * t + self.c

    def __repr__(self):
        return f"t ↦ {self.L:g}·t + {self.c:g}"


class SinMix:
    """Σ a_k sin(ω_k t + φ_k), scaled so that Σ |a_k ω_k| = L (a bound on the slope)."""

    def __init__(self, L, amps, freqs, phases, offset):
        norm = sum(abs(a * w) for a, w in zip(amps, freqs))
        self.scale = float(L) / norm if norm > 0 else 0.0
        self.amps, self.freqs, self.phases, self.offset = list(amps), list(freqs), list(phases), float(offset)
        self.L = float(L)

    def __call__(self, t):
        out = torch.zeros_like(t) + self.offset
        for a, w, p in zip(self.amps, self.freqs, self.phases):
            out = out + self.scale * a * torch.sin(w * t + p)
        return out

    def __repr__(self):
        terms = " + ".join(f"{self.scale * a:.4g}·sin({w:g}t + {p:g})" for a, w, p in
                           zip(self.amps, self.freqs, self.phases))
        return f"t ↦ {self.offset:g} + {terms}  (L = {self.L:g})"


class AbsMix:
    """Σ c_k |t − p_k| + offset with Σ |c_k| = L."""

    def __init__(self, L, coefs, centers, offset):
        norm = sum(abs(c) for c in coefs)
        self.coefs = [float(L) * c / norm if norm > 0 else 0.0 for c in coefs]
        self.centers, self.offset, self.L = [float(p) for p in centers], float(offset), float(L)

    def __call__(self, t):
        out = torch.zeros_like(t) + self.offset
        for c, p in zip(self.coefs, self.centers):
            out = out + c * (t - p).abs()
        return out

    def __repr__(self):
        return f"t ↦ {self.offset:g} + " + " + ".join(f"{c:.4g}·|t − {p:.6g}|" for c, p in
                                                       zip(self.coefs, self.centers))


class Triangle:
    """A triangle wave of slope ±L and period P."""

    def __init__(self, L, period, phase):
        self.L, self.period, self.phase = float(L), float(period), float(phase)

    def __call__(self, t):
        r = torch.remainder(t - self.phase, self.period)
        return self.L * (r - self.period / 2).abs()

    def __repr__(self):
        return f"triangle wave of slope ±{self.L:g}, period {self.period:g}, phase {self.phase:g}"


class ClippedLine:
    """clamp(L·(t − t0), lo, hi)."""

    def __init__(self, L, t0, lo, hi):
        self.L, self.t0, self.lo, self.hi = float(L), float(t0), float(lo), float(hi)

    def __call__(self, t):
        return torch.clamp(self.L * (t - self.t0), self.lo, self.hi)

    def __repr__(self):
        return f"t ↦ clamp({self.L:g}·(t − {self.t0:g}), {self.lo:g}, {self.hi:g})"


class ZigZag:
    """L·(distance from t to the nearest of the points) + offset: slope ±L, kinks at the points and halfway."""

    def __init__(self, L, points, offset=0.0):
        self.L, self.points, self.offset = (float(L), torch.as_tensor(points, dtype=torch.float64).reshape(-1),
                                            float(offset))

    def __call__(self, t):
        dist = (t[..., None] - self.points).abs().min(dim=-1).values
        return self.L * dist + self.offset

    def __repr__(self):
        pts = self.points.tolist()
        shown = ", ".join(f"{p:.6g}" for p in pts[:6]) + (", …" if len(pts) > 6 else "")
        return f"t ↦ {self.offset:g} + {self.L:g}·dist(t, {{{shown}}})  (a zig-zag, slope ±{self.L:g})"


class Const:
    def __init__(self, v):
        self.v = float(v)

    def __call__(self, t):
        return torch.full_like(t, self.v)

    def __repr__(self):
        return f"t ↦ {self.v:g}"


# --------------------------------------------------------------------------------------------- tests/ch5/test_layers.py
class Scale(nn.Module):
    """X ↦ c·X (shape preserving; scaling and shifting do not commute, so the order of blocks shows)."""

    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, X):
        return X * self.c

    def __repr__(self):
        return f"Scale({self.c})"


class Shift(nn.Module):
    """X ↦ X + c."""

    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, X):
        return X + self.c

    def __repr__(self):
        return f"Shift({self.c})"


# ----------------------------------------------------------------- probes: observe learner code in its own process
# Run with grader.check.run_beside(kata, probe, learner_function, ...): in the sandbox they run in the worker,
# beside the learner's code, and return what they saw as plain data.
class DownloadAttempted(Exception):
    """Raised by the graders' stand-in for torchvision's download functions (not a RuntimeError/URLError, which
    torchvision would swallow to try the next mirror)."""

    def __init__(self, where):
        self.where = where
        super().__init__(f"the graders run offline: a download into {where} was attempted")


def refuse_download(url=None, download_root=None, *args, **kwargs):
    raise DownloadAttempted(download_root if download_root is not None else kwargs.get("root", url))


_DOWNLOADERS = ("download_and_extract_archive", "download_url", "_urlretrieve", "download_file_from_google_drive")


def offline(fn, *args, **kwargs):
    """fn(*args, **kwargs) with torchvision's downloads replaced by refuse_download (restored afterwards)."""
    import torchvision
    import torchvision.datasets.mnist as mnist_module
    import torchvision.datasets.utils as utils_module
    saved = [(mnist_module, "download_and_extract_archive", getattr(mnist_module, "download_and_extract_archive"))]
    saved += [(utils_module, n, getattr(utils_module, n)) for n in _DOWNLOADERS if hasattr(utils_module, n)]
    saved.append((torchvision.datasets.FashionMNIST, "mirrors", torchvision.datasets.FashionMNIST.mirrors))
    try:
        for owner, name, _ in saved[:-1]:
            setattr(owner, name, refuse_download)
        torchvision.datasets.FashionMNIST.mirrors = ["http://127.0.0.1:9/offline/"]
        return fn(*args, **kwargs)
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def capture_figures(fn, *args, **kwargs):
    """(fn(*args, **kwargs), {title: image}) for every axes with a title and an image that fn drew (headless;
    plt.show is intercepted). New figures are closed afterwards."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    import numpy as np
    before = set(plt.get_fignums())
    shown = []
    saved = plt.show

    def capture_show(*a, **k):
        shown.extend(plt.figure(k) for k in plt.get_fignums() if k not in before)
    plt.show = capture_show
    try:
        result = fn(*args, **kwargs)
        figs = shown + [plt.figure(k) for k in plt.get_fignums() if k not in before]
        drawn = {}
        for fig in figs:
            for ax in fig.axes:
                if ax.get_title() and ax.images:
                    drawn.setdefault(str(ax.get_title()), torch.as_tensor(
                        np.asarray(ax.images[0].get_array(), dtype=np.float64)))
        return result, drawn
    finally:
        plt.show = saved
        for k in plt.get_fignums():
            if k not in before:
                plt.close(k)


def describe_frame(df) -> tuple:
    """A pandas DataFrame as plain data (columns, dtypes, CSV text): equal iff the frames are equal."""
    return (tuple(str(c) for c in df.columns), tuple(str(t) for t in df.dtypes), df.to_csv())


def call_describing_frames(fn, *frames):
    """(fn(*frames), [describe_frame(f) for f in frames] afterwards): shows whether fn changed its input frames."""
    out = fn(*frames)
    return out, [describe_frame(f) for f in frames]
