"""Softmax regression from scratch · softmax回归的从零开始实现

d2l-zh §3.6 (softmax回归的从零开始实现), with §3.4 (softmax回归) and §3.7 (简洁实现, the `nn.CrossEntropyLoss` +
`torch.optim.SGD` path). The notes ("从0实现softmax回归,图像分类"): the learner's own code for the
Animator, softmax, cross_entropy, accuracy, evaluate_accuracy, Accumulator, train_epoch_ch3, train_ch3, the sgd updater and the concise version.

The story. The seed's softmax is the textbook formula exp(X)/Σexp(X), and it is a trap: in float32
exp(89) = inf, so any logit above ~88.7 gives inf/inf = NaN, and the NaN spreads through the loss into every weight.
Subtracting each row's max first changes nothing mathematically (softmax is shift-invariant per row) and makes
overflow impossible. The same idea, log-sum-exp, gives a cross-entropy on logits that stays finite at |O| = 1e4,
whereas log(softmax(O)) does not. The rest of the seed is the d2l training scaffolding, with two slips this kata
fixes: train_ch3 plots epoch k at x = k + 2 (it is k + 1), and the notes' comment says net.eval()
"stops back-propagation" — it does not: eval() switches Dropout/BatchNorm to inference behaviour, torch.no_grad()
is what stops recording the graph. evaluate_accuracy needs both.
"""
import sys

import torch


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot encoding: row i is all zeros except a 1 in column y[i].

    Args:
        y: int64 labels, shape (n,).
        num_classes: q, the number of classes.

    Returns:
        float32 tensor of shape (n, q) on y's device.

    Raises:
        ValueError: if a label is negative or ≥ q (indexing would silently wrap a negative label to the last
        column, and raise an IndexError for a label ≥ q: check first, say which label is wrong).

    Forbidden: ``F.one_hot`` — build it yourself (zeros, then put a 1 in each row).
    """
    ### BEGIN SOLUTION
    y = torch.as_tensor(y)
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got min {int(y.min())} and max {int(y.max())}")
    n = y.shape[0]
    out = torch.zeros((n, num_classes), dtype=torch.float32, device=y.device)   # (n, q)
    out[torch.arange(n, device=y.device), y] = 1.0
    return out
    ### END SOLUTION


def softmax(X: torch.Tensor) -> torch.Tensor:
    """Row-wise softmax, numerically stable.

        softmax(X)_ij = exp(X_ij − m_i) / Σ_k exp(X_ik − m_i),   m_i = max_k X_ik

    Subtracting the row max m_i changes nothing mathematically (softmax(X + c) = softmax(X) for a constant c per
    row) but keeps every exponent ≤ 0, so exp cannot overflow; the largest term is exp(0) = 1, so the sum is ≥ 1
    and never 0. The seed's version returns NaN as soon as a logit exceeds ~88.7 in float32
    (exp(89) = inf, inf/inf = NaN). Use each **row's** max (keepdim=True so that (n, 1) broadcasts over (n, q)):
    one global max underflows every row far below it to 0/0.

    Args:
        X: float tensor of shape (n, q) (logits).

    Returns:
        tensor of X's shape and dtype; each row is a probability vector (entries in [0, 1], summing to 1).
        Finite for every |X| ≤ 1e4.

    Forbidden: ``softmax``, ``log_softmax``, ``logsumexp`` in every spelling (``torch.``, ``F.``, Tensor methods,
    ``nn.Softmax``): build it from exp, max and sum.
    """
    ### BEGIN SOLUTION
    m = X.max(dim=1, keepdim=True).values          # (n, 1)
    X_exp = torch.exp(X - m)                       # (n, q), entries in (0, 1]
    return X_exp / X_exp.sum(dim=1, keepdim=True)  # (n, q) / (n, 1)
    ### END SOLUTION


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy of predicted probabilities:  ℓ_i = −log ŷ[i, y_i].

    Args:
        y_hat: probabilities, shape (n, q) (rows of a softmax).
        y: int64 labels, shape (n,).

    Returns:
        shape (n,), not reduced (the training loop sums or averages it).

    Pick one entry per row: ``y_hat[torch.arange(n), y]`` (or ``range(n)``). ``y_hat[:, y]`` picks whole columns
    and gives an (n, n) matrix. A probability that underflowed to 0 gives log(0) = −inf: that is why
    :func:`cross_entropy_logits` exists.

    Forbidden: ``cross_entropy``, ``nll_loss``, ``log_softmax``, ``softmax``, ``logsumexp``.
    """
    ### BEGIN SOLUTION
    n = y_hat.shape[0]
    return -torch.log(y_hat[torch.arange(n, device=y_hat.device), y])   # (n,)
    ### END SOLUTION


def cross_entropy_logits(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy computed from logits, numerically stable (what ``nn.CrossEntropyLoss`` does).

        ℓ_i = −log softmax(O)_{i, y_i} = logsumexp(O_i) − O_{i, y_i}
        logsumexp(O_i) = m_i + log Σ_k exp(O_ik − m_i),   m_i = max_k O_ik

    Args:
        O: logits, float tensor of shape (n, q).
        y: int64 labels, shape (n,).

    Returns:
        shape (n,), ≥ 0, finite for |O| ≤ 1e4 (e.g. O = [[0, 1000]], y = [0] gives 1000, where
        −log(softmax(O)) gives inf and the naive softmax NaN). Equal to
        ``F.cross_entropy(O, y, reduction='none')`` up to float32 rounding at the logits' scale.

    Forbidden: ``cross_entropy``, ``nll_loss``, ``log_softmax``, ``logsumexp``, ``softmax``, ``nn.CrossEntropyLoss``.
    """
    ### BEGIN SOLUTION
    n = O.shape[0]
    m = O.max(dim=1, keepdim=True).values                       # (n, 1)
    log_sum = torch.log(torch.exp(O - m).sum(dim=1))            # (n,), in [0, log q]
    O_y = O[torch.arange(n, device=O.device), y]                # (n,)
    return (m.squeeze(1) - O_y) + log_sum                       # (n,)
    ### END SOLUTION


def ce_grad_logits(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient of each example's loss with respect to its logits, by hand:

        ∂ℓ_i / ∂O_ij = softmax(O)_ij − [j = y_i]            i.e.  softmax(O) − one_hot(y)

    (ℓ_i depends on row i of O only, so this (n, q) matrix is also the gradient of Σ_i ℓ_i; there is no 1/n.)
    Each row sums to 0. Must be finite for |O| ≤ 1e4 (use the stable softmax).

    Args:
        O: logits, shape (n, q).  y: int64 labels, shape (n,).

    Returns:
        tensor of O's shape and dtype.

    Forbidden: autograd (``backward``, ``torch.autograd``, ``torch.func``) and the library losses and softmaxes:
    derive it yourself.
    """
    ### BEGIN SOLUTION
    P = softmax(O)                                            # (n, q)
    return P - one_hot(y, O.shape[1]).to(P.dtype)             # (n, q)
    ### END SOLUTION


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """The **number** of correct predictions (not the fraction; d2l), as a Python float.

    Args:
        y_hat: scores of shape (n, q) (predicted class = argmax of each row), or predicted labels of shape (n,).
        y: int64 labels, shape (n,).

    Returns:
        float in {0.0, 1.0, ..., n}. A count, so that batches of different sizes can be summed and divided by
        the total number of examples at the end.
    """
    ### BEGIN SOLUTION
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)                # (n,)
    cmp = y_hat.type(y.dtype) == y                 # (n,) bool
    return float(cmp.type(y.dtype).sum())
    ### END SOLUTION


class Accumulator:
    """Running sums over n variables: ``add(*args)`` adds one number per variable,
    ``reset()`` sets them all back to 0.0, ``acc[i]`` reads the i-th sum (a Python float).

    Numbers may be Python ints/floats or 0-d tensors (store ``float(b)``, not the tensor: keeping tensors keeps
    their autograd graphs alive).
    """

    def __init__(self, n: int):
        ### BEGIN SOLUTION
        self.data = [0.0] * n
        ### END SOLUTION

    def add(self, *args):
        ### BEGIN SOLUTION
        self.data = [a + float(b) for a, b in zip(self.data, args)]
        ### END SOLUTION

    def reset(self):
        ### BEGIN SOLUTION
        self.data = [0.0] * len(self.data)
        ### END SOLUTION

    def __getitem__(self, idx):
        ### BEGIN SOLUTION
        return self.data[idx]
        ### END SOLUTION


def evaluate_accuracy(net, data_iter) -> float:
    """The accuracy of ``net`` on a whole data set: (total correct) / (total examples), a Python float.

    * Count correct predictions and examples over all batches (an :class:`Accumulator`), divide once at the end.
      The mean of per-batch accuracies is wrong when the last batch is smaller.
    * If ``net`` is an ``nn.Module``, call ``net.eval()`` first (Dropout off, BatchNorm uses running statistics).
      ``net`` may also be a plain function: then there is nothing to switch.
    * Run the forward passes under ``torch.no_grad()``: evaluation needs no graph (the notes' comment credits eval()
      with this; it is no_grad that does it).

    Args:
        net: a callable from a batch X to scores (b, q).
        data_iter: an iterable of (X, y) batches; it may be iterated once.
    """
    ### BEGIN SOLUTION
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)    # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]
    ### END SOLUTION


def train_epoch_ch3(net, train_iter, loss, updater):
    """Train ``net`` for one epoch; return (average loss, average accuracy) over the epoch's examples.

    For each batch (X, y): y_hat = net(X); l = loss(y_hat, y), a per-example loss of shape (b,) (like
    ``nn.CrossEntropyLoss(reduction='none')`` or :func:`cross_entropy`); then

    * ``updater`` is a ``torch.optim.Optimizer``: ``updater.zero_grad(); l.mean().backward(); updater.step()``;
    * otherwise ``updater`` is a custom function of the batch size that updates (and zeroes) the parameters,
      like d2l's ``sgd``: ``l.sum().backward(); updater(X.shape[0])``.

    Accumulate float(l.sum()), accuracy(y_hat, y) and y.numel(): both averages are weighted by examples
    (divide the sums by the total number of examples, not the mean of per-batch means). If ``net`` is an
    ``nn.Module`` call ``net.train()`` first (an earlier evaluate_accuracy left it in eval mode).

    Returns:
        (avg_loss, avg_acc) as Python floats.
    """
    ### BEGIN SOLUTION
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)    # summed loss, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)                                  # (b,)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.detach().sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]
    ### END SOLUTION


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater, animator=None) -> dict:
    """Train for ``num_epochs`` epochs; return the history.

    Each epoch: (train_loss, train_acc) = train_epoch_ch3(...), then test_acc = evaluate_accuracy(net, test_iter).

    Returns:
        ``{"train_loss": [...], "train_acc": [...], "test_acc": [...]}``, one float per epoch.

    With an ``animator`` (e.g. :class:`Animator`), call ``animator.add(epoch + 1, (train_loss, train_acc,
    test_acc))`` after each epoch: epoch 0 is plotted at x = 1 (the seed's ``epoch + 2`` shifts the
    curves one epoch right). With ``animator=None`` plot nothing (the graders and scripts run headless).
    """
    ### BEGIN SOLUTION
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_acc"].append(test_acc)
        if animator is not None:
            animator.add(epoch + 1, (train_loss, train_acc, test_acc))
    return history
    ### END SOLUTION


class Animator:
    """Records curves point by point and draws them with matplotlib (d2l's Animator).

    ``Animator(xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale="linear", yscale="linear",
    fmts=("-", "m--", "g-.", "r:"), nrows=1, ncols=1, figsize=(3.5, 2.5))``

    * ``X`` and ``Y`` are d2l's lists of series: ``X[i]``, ``Y[i]`` are the x and y values of curve i
      (both ``None`` before the first ``add``).
    * ``add(x, y)``: y is one number or a sequence of n numbers (one per curve); x is a sequence of n numbers or
      one number used for every curve. A pair whose x or y is ``None`` is skipped (that curve gets no point).
    * ``save(path)`` draws the curves and writes a PNG file.

    Headless by design: matplotlib is imported only when drawing (inside the methods, never at module import:
    it costs ~0.3 s), with a ``matplotlib.figure.Figure`` (no pyplot, no GUI backend). In a Jupyter notebook,
    ``add`` also redraws and displays the figure live (as d2l does).
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale="linear",
                 yscale="linear", fmts=("-", "m--", "g-.", "r:"), nrows=1, ncols=1, figsize=(3.5, 2.5)):
        ### BEGIN SOLUTION
        self.xlabel, self.ylabel = xlabel, ylabel
        self.legend = [] if legend is None else list(legend)
        self.xlim, self.ylim, self.xscale, self.yscale = xlim, ylim, xscale, yscale
        self.fmts, self.nrows, self.ncols, self.figsize = fmts, nrows, ncols, figsize
        self.X, self.Y = None, None
        self.fig = None
        ### END SOLUTION

    def add(self, x, y):
        ### BEGIN SOLUTION
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        if "ipykernel" in sys.modules:   # live display in a notebook only
            from IPython import display
            display.display(self.draw())
            display.clear_output(wait=True)
        ### END SOLUTION

    def draw(self):
        """Draw the recorded curves on a fresh matplotlib Figure and return it."""
        ### BEGIN SOLUTION
        from matplotlib.figure import Figure
        self.fig = Figure(figsize=self.figsize)
        axes = self.fig.subplots(self.nrows, self.ncols, squeeze=False).reshape(-1)
        ax = axes[0]
        for xs, ys, fmt in zip(self.X or [], self.Y or [], self.fmts):
            ax.plot(xs, ys, fmt)
        if self.xlabel:
            ax.set_xlabel(self.xlabel)
        if self.ylabel:
            ax.set_ylabel(self.ylabel)
        ax.set_xscale(self.xscale)
        ax.set_yscale(self.yscale)
        if self.xlim:
            ax.set_xlim(self.xlim)
        if self.ylim:
            ax.set_ylim(self.ylim)
        if self.legend:
            ax.legend(self.legend)
        ax.grid()
        return self.fig
        ### END SOLUTION

    def save(self, path):
        """Draw and write a PNG to ``path``."""
        ### BEGIN SOLUTION
        self.draw().savefig(path, format="png")
        ### END SOLUTION
