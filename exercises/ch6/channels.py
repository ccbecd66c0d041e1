# Generated from solutions/ch6/channels.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Multiple input and output channels, 1×1 convolutions · 多输入多输出通道与1×1卷积层

d2l-zh §6.4 — 多输入多输出通道 (multi-input and multi-output channels, the 1×1 convolution). The learner's notes:
"通道", "1x1卷积层(用于改变通道数)".

A colour image has three channels, and every convolutional layer after the first sees many more. The book builds the
multi-channel cross-correlation out of the single-channel one in two steps: a kernel with one slice per *input*
channel whose results are **added up** (one output map), and a stack of such kernels, one per *output* channel. The
last step is the note's "1x1卷积层(用于改变通道数)": with a 1×1 window nothing is combined across pixels any more,
only across channels, so the layer is a fully connected layer applied at every pixel — one matrix product
(co, ci) @ (ci, h·w). That is why NiN and GoogLeNet can use 1×1 convolutions to change the number of channels
cheaply.

Layouts are PyTorch's: an image is X (ci, h, w) (no batch dimension here) and a kernel K (co, ci, kh, kw) (the
layout of ``nn.Conv2d.weight``). Like every function of ch6, results have X's dtype and device, are new tensors, and
stay differentiable.

The module ships a working ``corr2d`` (the kata of ch6/conv, so that this one is self-contained): use it.
"""
import torch


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation (d2l §6.2; provided, nothing to write here).

    Y[i, j] = Σₐ Σ_b X[i + a, j + b] · K[a, b]; X (h, w), K (kh, kw) → Y (h − kh + 1, w − kw + 1) with X's dtype and
    device. X or K not 2-D, or K taller or wider than X → ``ValueError``. Differentiable in X and K.
    """
    if X.dim() != 2 or K.dim() != 2:
        raise ValueError(f"corr2d needs 2-D X and K, got shapes {tuple(X.shape)} and {tuple(K.shape)}")
    h, w = X.shape
    kh, kw = K.shape
    if kh > h or kw > w or kh < 1 or kw < 1:
        raise ValueError(f"a kernel of shape {tuple(K.shape)} does not fit an input of shape {tuple(X.shape)}")
    oh, ow = h - kh + 1, w - kw + 1
    Y = X.new_zeros((oh, ow))                                   # (oh, ow)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + oh, b:b + ow] * K[a, b]             # shifted slice times one kernel weight
    return Y


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation with several input channels and one output channel (d2l §6.4.1).

    Y = Σ_c corr2d(X[c], K[c])::

        X  # (ci, h, w)
        K  # (ci, kh, kw)   one 2-D kernel slice per input channel
        Y  # (h − kh + 1, w − kw + 1)   ONE output map

    The book's example: X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]],
    K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]] gives [[56, 72], [104, 120]].

    * X and K must both be 3-D with the same number of channels (X.shape[0] == K.shape[0]); anything else raises
      ``ValueError`` (the book's ``zip(X, K)`` would quietly stop at the shorter one and return a wrong answer).
      A kernel taller or wider than X raises ``ValueError`` too (``corr2d`` does).
    * float32 or float64; the result has X's dtype and device and is differentiable in X and K.

    Forbidden: every convolution of the library (``F.conv1d/2d/3d``, ``F.conv_transpose*``, ``torch.convolution``,
    ``nn.Conv1d/2d/3d``), ``unfold``/``fold`` (``F.unfold``, ``Tensor.unfold``, ``nn.Unfold``, ``nn.Fold``), scipy and
    numpy's ``sliding_window_view``. Allowed: ``corr2d`` above, loops, slicing, ``einsum``, matmul, ``tensordot``.
    """
    raise NotImplementedError("KATA-STUB ch6.channels.corr2d_multi_in: not implemented yet - replace this line with your code")


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation with several input and output channels (d2l §6.4.2).

    Output channel o is ``corr2d_multi_in(X, K[o])``::

        X  # (ci, h, w)
        K  # (co, ci, kh, kw)   PyTorch's weight layout: K[o] is the (ci, kh, kw) kernel of output channel o
        Y  # (co, h − kh + 1, w − kw + 1)

    The book's example stacks the kernel of §6.4.1 as K, K + 1, K + 2 (co = 3): channel 0 of the result is
    [[56, 72], [104, 120]] again.

    * X must be 3-D and K 4-D with K.shape[1] == X.shape[0]; otherwise ``ValueError``.
    * float32 or float64; the result has X's dtype and device and is differentiable in X and K.

    Forbidden: as for ``corr2d_multi_in`` (the library's convolutions, unfold/fold, scipy, sliding_window_view).
    """
    raise NotImplementedError("KATA-STUB ch6.channels.corr2d_multi_in_out: not implemented yet - replace this line with your code")


def conv1x1_as_matmul(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution computed as one matrix product (d2l §6.4.3, the book's ``corr2d_multi_in_out_1x1``).

    With a 1×1 window, output pixel (i, j) only sees input pixel (i, j): Y[:, i, j] = K[:, :, 0, 0] @ X[:, i, j],
    a fully connected layer from ci to co values applied at every pixel with the same weights. All pixels at once::

        X  # (ci, h, w)
        K  # (co, ci, 1, 1)
        Y = (co, ci) @ (ci, h·w), viewed as (co, h, w)

    The result equals ``corr2d_multi_in_out(X, K)``. Think about which axis of X the flattening keeps apart: a
    reshape that puts numbers in the wrong places still has the right shape.

    * X must be 3-D, K of shape (co, ci, 1, 1) with ci == X.shape[0]; a kernel that is not 1×1 or a channel
      mismatch raises ``ValueError``.
    * float32 or float64; the result has X's dtype and device and is differentiable in X and K.

    Forbidden: as for ``corr2d_multi_in`` (the library's convolutions, unfold/fold, scipy, sliding_window_view).
    Allowed: ``@``/``matmul``/``mm``, ``einsum``, ``tensordot``, reshape.
    """
    raise NotImplementedError("KATA-STUB ch6.channels.conv1x1_as_matmul: not implemented yet - replace this line with your code")
