# Generated from solutions/ch6/conv.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Cross-correlation, padding and stride · 图像卷积、填充和步幅

d2l-zh §6.2, §6.3 — §6.2 图像卷积 (the cross-correlation ``corr2d``, the layer ``Conv2D``, edge detection and
learning a kernel from data) and §6.3 填充和步幅 (the output-size formula).

The story. The study notes sum the chapter up in one line — "卷积:提取输入的结构信息,降低神经网络参数数量 … 卷积核(本质也是
权重)。填充(处理边界的卷积计算,增加输出的宽高)。步幅(…减低输出的宽高…)" — and then say of the code
"详细代码抄一下书上的即可" (just copy the book). This kata is the part worth not copying. Four things in it are easy
to get subtly wrong and then everything built on top (channels, pooling, LeNet, …) inherits the mistake:

* what a convolution layer computes: a **cross-correlation** — the kernel slides over the input *unflipped*
  (the mathematician's convolution flips it; deep learning's "convolution" does not);
* how big the output is: an (h, w) input and a (kh, kw) kernel leave (h − kh + 1) × (w − kw + 1) positions; with
  padding p on each side and stride s, ⌊(n + 2p − k)/s⌋ + 1 per dimension;
* that a kernel is just a weight (卷积核本质也是权重): a layer registers it as a parameter, draws it from a
  generator you control, and gradient descent can learn it — the book recovers the edge detector [1, −1] from
  (input, output) pairs alone;
* that the output must live where the input lives: the book's ``torch.zeros(...)`` allocates float32 on the CPU,
  which silently changes float64 inputs and breaks on a GPU.
"""
import torch
from torch import nn


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation of an image with a kernel (d2l §6.2.1)::

        Y[i, j] = Σ_a Σ_b X[i + a, j + b] · K[a, b]      a < kh, b < kw

        X: (h, w), K: (kh, kw)  ->  Y: (h − kh + 1, w − kw + 1)

    The kernel slides over X from the top-left corner, one step at a time, and each output is the sum of the
    elementwise product of K with the window under it. This is a *cross-correlation*, what every deep-learning
    "convolution layer" computes: K is used as it is, never flipped (d2l §6.2.1). So the book's example is
    ``corr2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]]) = [[19, 25], [37, 43]]``
    (19 = 0·0 + 1·1 + 3·2 + 4·3).

    Either loop over the output positions (the book) or over the kernel's kh·kw entries, adding K[a, b] times a
    shifted slice of X; both are fine. Slices, sums, ``einsum``, ``as_strided`` and matrix products are allowed.

    Args:
        X: a 2-D float tensor (float32 or float64), any device.
        K: a 2-D kernel of the same dtype (and device), at most as tall and as wide as X (kh = h is fine: the
           output then has one row).

    Returns:
        a **new** tensor of shape (h − kh + 1, w − kw + 1) with X's dtype and on X's device (float64 in → float64
        out; a CUDA or ``meta`` input → an output on that device). Allocate accordingly — a bare
        ``torch.zeros(shape)`` is float32 on the CPU whatever X is. The result must stay differentiable in X and
        in K (``Conv2D`` and ``learn_kernel`` train through it): no ``.item()``, ``float()`` or ``.detach()``
        inside the computation.

    Raises:
        ValueError: if X or K is not 2-D, or if K is taller or wider than X (the book would return an empty
        tensor or fail with a RuntimeError).

    X and K are never modified.

    Forbidden: every library convolution (``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``, ``torch.convolution``,
    ``torch._convolution``, ``nn.Conv1d/2d/3d``), ``unfold``/``fold`` in every spelling (``F.unfold``,
    ``Tensor.unfold``, ``nn.Unfold``, ``nn.Fold``), scipy, and numpy's ``sliding_window_view``.
    """
    raise NotImplementedError("KATA-STUB ch6.conv.corr2d: not implemented yet - replace this line with your code")


def conv_output_shape(n, k, p=0, s=1):
    """The output size of a convolution (d2l §6.3), per spatial dimension::

        ⌊(n + 2p − k) / s⌋ + 1

    n: the input size, k: the kernel size, p: the padding on **each** side (what ``nn.Conv2d(padding=p)`` adds:
    p rows on top and p at the bottom), s: the stride. d2l §6.3 writes ⌊(n_h − k_h + p_h + s_h)/s_h⌋ where p_h is
    the **total** padding of both sides; it is the same number once p_h = 2p. The division rounds **down**: a
    window that would stick out past the (padded) edge is not computed.

    Examples (d2l §6.3 on an 8×8 input): k = 3, p = 1 → 8; k = (5, 3), p = (2, 1) → (8, 8); k = 3, p = 1,
    s = 2 → 4; k = (3, 5), p = (0, 1), s = (3, 4) → (2, 2). With the defaults (p = 0, s = 1) it is n − k + 1;
    an odd k with p = (k − 1)/2 and s = 1 keeps n.

    Pairs: each argument may be an int or a pair (height, width); an int means the same value for both. Returns
    a Python ``int`` when all four arguments are ints, else a tuple (height, width) of ints.

    Raises:
        ValueError: if k < 1, s < 1, p < 0, or the kernel does not fit in the padded input (n + 2p < k), in any
        dimension.

    Forbidden: building a convolution (``conv1d/2d/3d``, ``torch.convolution``, ``nn.Conv1d/2d/3d``) to measure
    the size; scipy.
    """
    raise NotImplementedError("KATA-STUB ch6.conv.conv_output_shape: not implemented yet - replace this line with your code")


class Conv2D(nn.Module):
    """A two-dimensional convolution layer with one input and one output channel (d2l §6.2.2)::

        weight: nn.Parameter of shape (kh, kw), drawn from U[0, 1) with ``generator`` (torch.rand)
        bias:   nn.Parameter of shape (1,), zeros
        forward(x) = corr2d(x, weight) + bias          # x (h, w) -> (h − kh + 1, w − kw + 1)

    ``kernel_size`` is an int k (meaning (k, k)) or a pair (kh, kw). Both tensors must be registered parameters
    named ``weight`` and ``bias`` — exactly these two — so that ``parameters()``, ``state_dict()`` and an optimizer
    see them and backward fills their ``.grad``. The weight keeps the book's uniform [0, 1) initialisation and
    the bias the book's zeros, but the draw uses ``generator`` (the course convention, so that two layers built
    with identically seeded generators are identical whatever the global RNG did). Inputs are 2-D (one image,
    no batch or channel dimension), as in the book.

    Forbidden: the same calls as in ``corr2d`` (the layer is built on your own ``corr2d``; no ``nn.Conv2d``).
    """

    def __init__(self, kernel_size, generator: torch.Generator | None = None):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch6.conv.Conv2D.__init__: not implemented yet - replace this line with your code")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch6.conv.Conv2D.forward: not implemented yet - replace this line with your code")


def learn_kernel(X: torch.Tensor, Y: torch.Tensor, kernel_size, lr: float = 3e-2, num_epochs: int = 10,
                 generator: torch.Generator | None = None):
    """Learn a kernel from an input and its cross-correlated output by gradient descent (d2l §6.2.4)::

        K₀ = torch.rand((kh, kw), generator=generator), then moved to X's device and dtype
        each epoch e = 0, …, num_epochs − 1:
            l_e = Σ (corr2d(X, K) − Y)²         (the book's l.sum(): no ½, no mean)
            K  ← K − lr · ∂l_e/∂K               (plain gradient descent; the gradient of *this* epoch only)

    The book does this with ``nn.Conv2d(1, 1, kernel_size, bias=False)``; here the kernel is a plain tensor that
    requires grad and the forward pass is your own ``corr2d`` — a bias-free kernel, as in the book. Autograd
    *accumulates* into ``K.grad``: each epoch's step must use that epoch's gradient alone. With the book's edge
    data (X = ones(6, 8) with columns 2–5 zeroed, Y = corr2d(X, [[1, −1]])) and lr = 0.03, 20 epochs bring K
    within 0.05 of [1, −1] whatever the seed.

    Args:
        X: the input image (h, w), float32 or float64.
        Y: the target output (h − kh + 1, w − kw + 1), X's dtype and device.
        kernel_size: int k (meaning (k, k)) or a pair (kh, kw).
        lr: the learning rate.
        num_epochs: the number of gradient steps (0 is allowed).
        generator: draws K₀ (a CPU generator: draw on the CPU, then move the kernel to X's device and dtype).

    Returns:
        (K, losses): K the final kernel, shape (kh, kw), X's dtype and device, **detached** (no grad, no graph);
        losses a list of ``num_epochs`` Python floats, losses[e] = l_e, the loss of the kernel *before* update e
        (what the book prints). ``num_epochs = 0`` returns (K₀, []).

    X and Y are never modified.

    Forbidden: the same calls as in ``corr2d`` (learn with your own ``corr2d``; no ``nn.Conv2d``).
    """
    raise NotImplementedError("KATA-STUB ch6.conv.learn_kernel: not implemented yet - replace this line with your code")
