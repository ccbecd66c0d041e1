# Generated from solutions/ch3/linear_regression.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Linear regression from scratch · 线性回归的从零开始实现

d2l-zh §3.2 (线性回归的从零开始实现), with §3.3's `load_array`. The notes ("线性回归") and
the learner's own linear-regression script: `synthetic_data`, `load_array`, a
`nn.Linear` net with `nn.MSELoss` and `torch.optim.SGD`, and two open questions: what the SGD
optimiser does (the notes "啥意思") and why `trainer.zero_grad()` is needed (the notes "啥意思").

This kata answers both questions by taking the concise script apart: you generate the data, batch it yourself,
write the model, the loss and the minibatch-SGD update by hand, and train. Once `sgd` works you will see why the
gradients must be zeroed: `backward()` *adds* into `.grad`.

Randomness: everything random takes ``generator`` and draws from it, so that the same seed gives the same data,
batches and weights whatever else touched the global RNG.
"""
import torch
from torch.utils import data


def synthetic_data(w: torch.Tensor, b: float, num_examples: int, generator: torch.Generator | None = None):
    """Noisy data from a known linear model::

        X ~ N(0, 1)  of shape (n, p),     y = X w + b + ε,   ε ~ N(0, 0.01²)

    Args:
        w: float tensor of shape (p,), the true weights (not modified).
        b: the true bias (a Python float).
        num_examples: n.
        generator: draw **both** X and ε from it (``torch.normal(..., generator=generator)`` or
            ``torch.randn(..., generator=generator)``), so that equal seeds give equal data.

    Returns:
        ``(X, y)``: X of shape (n, p), y of shape **(n, 1)** (a column, as d2l's ``y.reshape((-1, 1))``), both of
        w's dtype and device.

    0.01 is the *standard deviation* of the noise (its variance is 0.01² = 1e-4).
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.synthetic_data: not implemented yet - replace this line with your code")


def data_iter(batch_size: int, features: torch.Tensor, labels: torch.Tensor,
              generator: torch.Generator | None = None):
    """Yield shuffled minibatches ``(features[idx], labels[idx])`` — a generator function (one call = one epoch).

    Shuffle the indices 0..n-1 with a permutation drawn from ``generator`` (``torch.randperm(n,
    generator=generator)``), then cut it into consecutive slices of ``batch_size``. Every example appears exactly
    once per epoch; the **last, partial batch is kept** (n = 25, batch_size = 10 gives batches of 10, 10 and 5).

    Args:
        batch_size: a positive int.
        features: tensor of shape (n, p).
        labels: tensor whose first dimension is n (shape (n,) or (n, 1)).
        generator: the source of the shuffle.

    Yields:
        ``(X, y)`` with X of shape (b, p) and y of shape (b, ...) — rows i of features and labels stay together.

    d2l shuffles with Python's ``random.shuffle``, which ignores ``generator``: use torch's RNG instead.
    Forbidden: ``torch.utils.data.DataLoader`` (that is `load_array`; here you write the batching yourself).
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.data_iter: not implemented yet - replace this line with your code")


def load_array(data_arrays, batch_size: int, is_train: bool = True):
    """A PyTorch data iterator over tensors: ``TensorDataset`` + ``DataLoader``.

    Args:
        data_arrays: a tuple of tensors with the same first dimension n, e.g. ``(features, labels)``.
        batch_size: minibatch size; the last, partial batch is kept.
        is_train: shuffle (a new order every epoch, from the global RNG) only when True; with False the batches
            come in the original row order.

    Returns:
        A re-iterable loader (iterating it again starts a new epoch) with ``len`` = number of batches; each batch
        is a list/tuple with one tensor per entry of ``data_arrays``.
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.load_array: not implemented yet - replace this line with your code")


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model ``X w + b``.

    Shapes: X (n, p), w (p, 1), b (1,) → (n, 1). Differentiable in w and b (no ``.detach()``, no ``.data``).
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.linreg: not implemented yet - replace this line with your code")


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise squared loss ``(ŷ − y)² / 2``, **not reduced** (d2l §3.2).

    Args:
        y_hat: predictions, shape (n, 1).
        y: targets with the same number of elements, shape (n, 1) **or (n,)**.

    Returns:
        Shape of ``y_hat``. Reshape y to y_hat's shape first: (n, 1) − (n,) broadcasts to an (n, n) matrix,
        a silent bug. The ½ makes the derivative simply ŷ − y.
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.squared_loss: not implemented yet - replace this line with your code")


def sgd(params, lr: float, batch_size: int) -> None:
    """One step of minibatch stochastic gradient descent, in place::

        p ← p − lr · p.grad / batch_size          for every p in params

    The gradient is of the loss **summed** over the minibatch, hence the division by batch_size. Then clear each
    gradient (``p.grad.zero_()``; setting ``p.grad = None`` is also fine), because the next ``backward()`` *adds*
    into ``.grad`` — that is what ``trainer.zero_grad()`` does in the notes.

    Args:
        params: a list of leaf tensors with ``requires_grad=True`` and a ``.grad``.

    Update the tensors **in place** inside ``torch.no_grad()``: each p must stay the same leaf tensor (no
    ``grad_fn``), so the update itself is not recorded by autograd. Returns None.
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.sgd: not implemented yet - replace this line with your code")


def train_linreg(features: torch.Tensor, labels: torch.Tensor, lr: float = 0.03, num_epochs: int = 3,
                 batch_size: int = 10, generator: torch.Generator | None = None):
    """Train linear regression from scratch with your own pieces (d2l §3.2.7; the seed's loop).

    1. w ~ N(0, 0.01²) of shape (p, 1) drawn from ``generator``, b = zeros(1); both ``requires_grad=True``.
    2. For each epoch, for each minibatch ``X, y`` of ``data_iter(batch_size, features, labels, generator)``:
       ``l = squared_loss(linreg(X, w, b), y)``; ``l.sum().backward()``; ``sgd([w, b], lr, batch_size)``.

    Args:
        features: (n, p); labels: (n, 1).

    Returns:
        ``(w, b)``, **detached** (``requires_grad`` False): w of shape (p, 1), b of shape (1,).

    On the seed's data (true_w = [2, −3.4], true_b = 4.2, 1000 examples) three epochs bring every weight within
    0.01 of the truth. Forbidden: ``torch.optim``, ``nn.Linear`` and closed-form solvers (``torch.linalg``,
    ``inverse``, ``pinverse``): the point is the loop.
    """
    raise NotImplementedError("KATA-STUB ch3.linear_regression.train_linreg: not implemented yet - replace this line with your code")
