# Generated from solutions/ch6/pooling.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Max and average pooling with padding and stride · 汇聚层:最大汇聚和平均汇聚

d2l-zh §6.5 — 汇聚层 (pooling). The learner's note: "汇聚层 … 降低层的宽高，聚合信息，一般有最大汇聚和平均汇聚".

A pooling layer slides a window over the image like a convolution, but has no kernel to learn: each window is
summarised by its maximum or its mean. Max pooling makes a detector tolerant to small shifts (the book's edge
example: the 2×2 maximum still fires when the edge moves by one pixel); with a stride it also shrinks the maps, the
note's "降低层的宽高，聚合信息".

The book writes the 2-D loop for stride 1 and no padding (§6.5.1), then switches to ``nn.MaxPool2d`` for padding
and stride (§6.5.2) and channels (§6.5.3). This kata writes all of it by hand, with the framework's conventions —
and those conventions are where the mistakes hide: the default stride, what a padded cell is worth, and how the
output size is rounded.
"""
import torch
import torch.nn.functional as F


def pool2d(X: torch.Tensor, pool_size, mode: str = "max", padding=0, stride=None) -> torch.Tensor:
    """Max or average pooling over the last two dimensions of X (d2l §6.5, PyTorch's ``F.max_pool2d`` /
    ``F.avg_pool2d`` semantics)::

        X  # (..., h, w)       any leading dims (channels, batch) are pooled independently, channel by channel
        Y  # (..., oh, ow)     oh = ⌊(h + 2·p_h − ph) / sh⌋ + 1,  ow = ⌊(w + 2·p_w − pw) / sw⌋ + 1  (floor)
        Y[..., i, j] = max or mean of Xp[..., i·sh : i·sh + ph, j·sw : j·sw + pw]

    where Xp is X padded with p_h rows on the top **and** the bottom and p_w columns on the left **and** the right.

    * ``pool_size``, ``padding`` and ``stride`` are ints or (h, w) pairs; an int k means (k, k). The argument is
      called ``pool_size`` as in the book.
    * ``stride=None`` (the default) means stride = pool_size: non-overlapping windows, the framework default of
      §6.5.2 that ``nn.MaxPool2d`` follows — not the stride 1 of the book's §6.5.1 loop. The book's
      ``pool2d(X, (2, 2))`` on the 3×3 example is ``pool2d(X, (2, 2), stride=1)`` here.
    * ``mode="max"``: a padded cell must never be the maximum (think of an all-negative input).
      ``mode="avg"``: padded cells count as zeros and every window is divided by ph·pw, border windows too
      (PyTorch's default ``count_include_pad=True``).
    * Any other mode raises ``ValueError``. The graders keep 0 ≤ padding ≤ pool_size // 2 in each dimension (the
      limit PyTorch itself enforces) and windows that fit.
    * float32 or float64; the result has X's dtype and device, is a new tensor (never a view of X, not even for a
      1×1 window) and is differentiable in X.

    Examples (d2l §6.5): X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]: ``pool2d(X, 2, stride=1)`` = [[4, 5], [7, 8]],
    ``pool2d(X, 2, "avg", stride=1)`` = [[2, 3], [5, 6]]. X = arange(16).reshape(1, 1, 4, 4): ``pool2d(X, 3)`` =
    [[10]], ``pool2d(X, 3, padding=1, stride=2)`` = [[5, 7], [13, 15]], ``pool2d(X, (2, 3), padding=(0, 1),
    stride=(2, 3))`` = [[5, 7], [13, 15]].

    Forbidden: the library's pooling (``F.max_pool1d/2d/3d``, ``max_pool2d_with_indices``, ``F.avg_pool1d/2d/3d``,
    ``adaptive_*_pool*``, ``lp_pool*``, ``fractional_max_pool*``, the ``nn.*Pool*`` modules) and, since average
    pooling is a convolution, the library's convolutions, ``unfold``/``fold``, scipy and ``sliding_window_view``.
    Allowed: ``F.pad``, slicing, ``amax``/``max``/``mean``/``sum``, ``as_strided``, ``torch.stack``.
    """
    raise NotImplementedError("KATA-STUB ch6.pooling.pool2d: not implemented yet - replace this line with your code")
