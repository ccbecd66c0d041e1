"""LeNet and training on a device · 卷积神经网络(LeNet)

d2l-zh §6.6 (卷积神经网络（LeNet）): the book's LeNet-5, `evaluate_accuracy_gpu` and `train_ch6`. The learner's
notes say of the CNN code "抄一下书上的即可" (copy the book's), and sum LeNet up as "先卷积->汇聚->全连接".

The story. LeNet (LeCun et al., 1998) was among the first convolutional networks put to work (it read the digits
on bank cheques): two convolution + sigmoid + average-pooling stages turn a 28×28 image into 16 maps of 5×5, and
three fully connected layers turn those 400 numbers into 10 scores. Writing it out once teaches the shape
bookkeeping every later network needs: "先卷积->汇聚->全连接" only works when the flattened size matches the first
linear layer. The two training functions are the book's scaffolding for every network of chapters 6 and 7: an
evaluation that switches the net to eval mode, runs without autograd and divides once over the whole data set,
and a training loop that re-initialises the weights, puts the net and every batch on one device (a GPU when there
is one) and runs minibatch SGD.

The module ships two helpers from ch3 that you need not write: :func:`accuracy` (a count) and
:class:`Accumulator` (running sums).
"""
import torch
from torch import nn


# ------------------------------------------------------------------------------------------------ helpers (given)
def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """The **number** of correct predictions (ch3's helper), as a Python float.

    y_hat: scores (n, q) (predicted class = argmax of each row) or predicted labels (n,); y: labels (n,), on the
    same device as y_hat.
    """
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)                # (n,)
    cmp = y_hat.type(y.dtype) == y                 # (n,) bool
    return float(cmp.type(y.dtype).sum())


class Accumulator:
    """Running sums over n variables (ch3's helper): ``add(*args)``, ``reset()``, ``acc[i]`` (Python floats).
    ``add`` stores ``float(b)``, so a 0-d tensor (on any device) can be added directly."""

    def __init__(self, n: int):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


# ------------------------------------------------------------------------------------------------ the exercise
def LeNet() -> nn.Sequential:
    """The book's LeNet-5 (d2l §6.6.1) for 1×28×28 images and 10 classes, as an ``nn.Sequential`` of 12 layers::

        Conv2d(1, 6, kernel_size=5, padding=2), Sigmoid, AvgPool2d(kernel_size=2, stride=2),
        Conv2d(6, 16, kernel_size=5), Sigmoid, AvgPool2d(kernel_size=2, stride=2),
        Flatten,
        Linear(16 * 5 * 5, 120), Sigmoid, Linear(120, 84), Sigmoid, Linear(84, 10)

    Shapes for X of shape (1, 1, 28, 28) (``for layer in net: X = layer(X)`` prints this table)::

        Conv2d    (1, 6, 28, 28)     Sigmoid (1, 6, 28, 28)     AvgPool2d (1, 6, 14, 14)
        Conv2d    (1, 16, 10, 10)    Sigmoid (1, 16, 10, 10)    AvgPool2d (1, 16, 5, 5)
        Flatten   (1, 400)
        Linear    (1, 120)           Sigmoid (1, 120)
        Linear    (1, 84)            Sigmoid (1, 84)
        Linear    (1, 10)

    61,706 parameters (156 + 2,416 + 48,120 + 10,164 + 850). Work the spatial sizes out with
    ⌊(n + 2p − k)/s⌋ + 1 before you write the first Linear layer: its input size must be what Flatten produces.

    * The top-level children are these 12 layers in this order (graders compare the layer types and their
      hyper-parameters, and load weights by the state_dict keys "0.weight", "3.weight", "7.weight", …). Building
      the list with a loop or a helper is fine; renaming or nesting the layers is not.
    * This is the book's LeNet: **sigmoid** activations and **average** pooling, not the "modern" variant with
      ReLU and max pooling (which has the same shapes and parameter count, and is a different function).
    * ``LeNet()`` may be a function that returns the ``nn.Sequential`` (named like a class, as the book's ``net``
      is built) or a subclass of ``nn.Sequential``. No lazy layers (``nn.LazyLinear``): every parameter exists
      right after construction. Build on the default device (graders may build it under ``torch.device(...)``).

    Forbidden: nothing (torch.nn's layers are the point).
    """
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),   # (n, 6, 28, 28)
        nn.AvgPool2d(kernel_size=2, stride=2),                     # (n, 6, 14, 14)
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),             # (n, 16, 10, 10)
        nn.AvgPool2d(kernel_size=2, stride=2),                     # (n, 16, 5, 5)
        nn.Flatten(),                                              # (n, 400)
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),                  # (n, 120)
        nn.Linear(120, 84), nn.Sigmoid(),                          # (n, 84)
        nn.Linear(84, 10))                                         # (n, 10)
    ### END SOLUTION


def evaluate_accuracy_gpu(net, data_iter, device=None) -> float:
    """The accuracy of ``net`` on a whole data set, computed on ``device`` (d2l §6.6.2):
    (total correct predictions) / (total examples), a Python float.

    * If ``net`` is an ``nn.Module``: call ``net.eval()`` (Dropout off, BatchNorm on its running statistics), and
      when ``device`` is None use the device of the net's first parameter. A plain function (not a Module) with
      ``device=None``: leave the data where they are.
    * Move every batch, X **and** y, to ``device`` before the forward pass (``X.to(device)``; ``device`` may be a
      ``torch.device`` or a string such as "cpu" or "cuda:0"). On a GPU, a net on "cuda" fed CPU batches raises
      "Expected all tensors to be on the same device"; on the CPU the move is a no-op.
    * Run the forward passes under ``torch.no_grad()`` (eval() does not stop autograd from recording).
    * Count with an :class:`Accumulator` (correct, examples) over all batches and divide once at the end: the mean of
      per-batch accuracies is wrong when the last batch is smaller.

    ``net`` with no parameters and ``device=None`` is not graded (the book's ``next(iter(net.parameters()))``
    raises there). The data set may be iterable once only (iterate it once).

    Forbidden: nothing.
    """
    ### BEGIN SOLUTION
    if isinstance(net, nn.Module):
        net.eval()                                          # Dropout / BatchNorm in inference mode
        if device is None:
            device = next(iter(net.parameters())).device
    metric = Accumulator(2)                                 # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            if device is not None:
                X, y = X.to(device), y.to(device)           # (b, ...), (b,)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]
    ### END SOLUTION


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, animator=None, generator=None) -> dict:
    """Train ``net`` with minibatch SGD on ``device`` (d2l §6.6.2) and return the per-epoch history.

    1. Re-initialise: for every module of ``net`` (``net.apply(init)`` or ``net.modules()``) that is an
       ``nn.Linear`` or an ``nn.Conv2d`` (the book checks ``type(m) == nn.Linear or type(m) == nn.Conv2d``;
       ``isinstance`` is fine too: the graders' nets hold plain layers only),
       draw its **weight** from Xavier-uniform, U(−a, a) with a = √(6 / (fan_in + fan_out)) (for a convolution
       fan_in = in_channels·kh·kw and fan_out = out_channels·kh·kw), using ``generator``
       (``nn.init.xavier_uniform_`` takes ``generator=``). Biases are left as they are; nothing else is touched.
       Draw before moving the net (the generator is a CPU one).
    2. ``net.to(device)``.
    3. Optimise the **mean** cross-entropy over each batch (``nn.CrossEntropyLoss()``) with plain SGD at learning
       rate ``lr`` (``torch.optim.SGD(net.parameters(), lr=lr)``, or the same step by hand).
    4. Each epoch starts with ``net.train()`` (every epoch, the first one included); then, for each batch (X, y):
       move both to ``device``, compute
       ``y_hat = net(X)`` and the loss, clear the old gradients, backward, step, and accumulate
       (loss × batch size, correct predictions of this same ``y_hat``, batch size) in an :class:`Accumulator`.
       At the end of the epoch: train_loss = Σ loss·b / Σ b, train_acc = Σ correct / Σ b, and
       ``test_acc = evaluate_accuracy_gpu(net, test_iter)`` (the net is on ``device`` by then).
    5. With an ``animator``: ``animator.add(epoch + 1, (train_loss, train_acc, test_acc))`` after each epoch
       (epoch 0 is plotted at x = 1). The book's extra points inside an epoch (x = epoch + (i + 1)/num_batches,
       with ``None`` for the missing curves) are allowed: graders read, for each curve, its point at x = epoch + 1.
       ``animator=None``: plot nothing. Printing is allowed.

    Args:
        net: an ``nn.Module`` (e.g. :func:`LeNet`'s), trained in place.
        train_iter, test_iter: re-iterable loaders of (X, y) batches (iterate each once per epoch).
        num_epochs: an int ≥ 0; 0 only re-initialises (and moves) the net.
        lr: the SGD learning rate (a float ≥ 0).
        device: where to train: a ``torch.device`` or a string ("cpu", "cuda:0"). On a GPU every batch has to be
            moved there (the net is); on the CPU nothing moves, so the graders, which run on the CPU, cannot see
            a missing ``.to(device)`` — a GPU run can.
        animator: None, or an object with ``add(x, ys)`` (ch3's Animator).
        generator: the ``torch.Generator`` for the initial weights (None: the global RNG).

    Returns:
        ``{"train_loss": [...], "train_acc": [...], "test_acc": [...]}``: one Python float per epoch each (all
        empty for ``num_epochs=0``).

    Forbidden: nothing (torch.optim, nn.CrossEntropyLoss and nn.init are the book's tools).
    """
    ### BEGIN SOLUTION
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight, generator=generator)
    net.apply(init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()                              # mean over the batch
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        metric = Accumulator(3)                               # summed loss, correct predictions, examples
        net.train()
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)                 # (b, ...), (b,)
            y_hat = net(X)                                    # (b, q)
            l = loss(y_hat, y)                                # 0-d: the batch's mean loss
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
        train_loss, train_acc = metric[0] / metric[2], metric[1] / metric[2]
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_acc"].append(test_acc)
        if animator is not None:
            animator.add(epoch + 1, (train_loss, train_acc, test_acc))
    return history
    ### END SOLUTION
