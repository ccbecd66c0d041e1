# Generated from solutions/ch13/augmentation.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Image augmentation from scratch · 图像增广

d2l-zh §13.1 (图像增广): flips, crops and colour changes, the book's "增加数据集的多样性" made concrete — the study
notes list "增加数据集的多样性" among the tips for training over many epochs.

The story. "图像增广在对训练图像进行一系列的随机变化之后，生成相似但不同的训练样本，从而扩大了训练集的规模" (d2l-zh §13.1):
each epoch the network sees the same images moved a little, mirrored, brighter or with less contrast, and so it
learns that these changes do not change the label — "减少模型对于对象出现位置的依赖". The book does it with
``torchvision.transforms`` (``RandomHorizontalFlip``, ``RandomCrop``, ``ColorJitter``); this kata writes them for a
whole batch with tensor indexing, every random choice drawn per image from one ``torch.Generator``.

One lesson the graders measure on the digits: augmentation must keep the label's meaning. A small CNN trained on
digits that are randomly shifted by up to one pixel (``augment(padding=1, flip=False)``) recognises test digits that
are shifted by one pixel far better than the same CNN trained on the plain digits, for a point or two of accuracy
on the plain test digits. Mirroring is **not** used there: a mirrored 2 or 7 is not a 2 or a 7 any more. Flips suit photographs of
cats and cars (CIFAR-10, where d2l uses them), not handwriting.

Conventions (this kata): images are float32 batches (N, C, H, W) with values in [0, 1]; results are float32 on
X's device; no function changes its input; every random choice is drawn per image from ``generator`` — on
``generator.device`` (or X's device when no generator is given) — and then moved to X's device. Randomness is graded
by reproducibility (the same seed gives the same output, whatever the global RNG does) and by distributions (every
offset occurs, fractions within 5σ), never draw for draw against a reference.

Forbidden in every function: ``torch.flip``, ``Tensor.flip``, ``torch.fliplr``, ``torch.flipud``, ``torch.rot90``
and ``torchvision`` (the book's ``torchvision.transforms`` are what you write here; ``torch.flip`` is what the graders
compare ``hflip`` with).
"""
import torch
import torch.nn.functional as F


def _draw_device(X, generator):
    """Where random draws happen: the generator's device, or X's when there is no generator."""
    return generator.device if generator is not None else X.device


def hflip(X: torch.Tensor) -> torch.Tensor:
    """Mirror every image left–right: ``hflip(X)[n, c, i, j] = X[n, c, i, W − 1 − j]``.

    Args:
        X: (N, C, H, W) float tensor.

    Returns:
        (N, C, H, W) tensor of X's dtype on X's device; hflip(hflip(X)) = X. X itself is not changed.

    Forbidden: ``torch.flip`` / ``Tensor.flip``, ``torch.fliplr``, ``torch.flipud``, ``torch.rot90`` and
    ``torchvision``: index the last axis backwards yourself.
    """
    raise NotImplementedError("KATA-STUB ch13.augmentation.hflip: not implemented yet - replace this line with your code")


def random_hflip(X: torch.Tensor, p: float = 0.5, generator: torch.Generator | None = None) -> torch.Tensor:
    """Mirror each image independently with probability p (``RandomHorizontalFlip(p)`` for a batch).

    One coin per image, drawn from ``generator``: image n is ``hflip`` of X[n] with probability p, else X[n]
    unchanged. p = 0 returns the batch as it is, p = 1 mirrors every image.

    Args:
        X: (N, C, H, W) float tensor.
        p: flip probability in [0, 1].
        generator: a ``torch.Generator`` for the coins (None: the global RNG).

    Returns:
        (N, C, H, W) tensor of X's dtype on X's device.

    Forbidden: ``torch.flip`` and its relatives (as ``hflip``) and ``torchvision``: use your own ``hflip``.
    """
    raise NotImplementedError("KATA-STUB ch13.augmentation.random_hflip: not implemented yet - replace this line with your code")


def random_crop(X: torch.Tensor, size: int, padding: int = 0,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """A random size × size window of every image, after zero padding (CIFAR-style ``RandomCrop(size, padding)``).

    Each image is padded with ``padding`` zeros on **all four** sides, to (H + 2·padding) × (W + 2·padding); then a
    window's top-left corner (i, j) is drawn uniformly per image, i ∈ {0, …, H + 2·padding − size} and
    j ∈ {0, …, W + 2·padding − size} (both ends included: every one of the (H + 2p − size + 1)·(W + 2p − size + 1)
    offsets is possible), and the window ``padded[n, :, i:i + size, j:j + size]`` is cut out. With padding = 0 and
    size = H = W the output is the input.

    Args:
        X: (N, C, H, W) float tensor (H and W may differ).
        size: the window's side, an int (square windows only).
        padding: zeros added on each side, an int ≥ 0.
        generator: a ``torch.Generator`` for the offsets (None: the global RNG).

    Returns:
        (N, C, size, size) tensor of X's dtype on X's device.

    Raises:
        ValueError: if size < 1, padding < 0, or the window does not fit: size > H + 2·padding or
            size > W + 2·padding.

    Forbidden: ``torch.flip`` and its relatives, ``torchvision`` (its ``RandomCrop``): pad and cut the windows
    yourself (``F.pad`` and indexing are fine).
    """
    raise NotImplementedError("KATA-STUB ch13.augmentation.random_crop: not implemented yet - replace this line with your code")


def color_jitter(X: torch.Tensor, brightness: float = 0.0, contrast: float = 0.0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Random brightness and contrast per image (``ColorJitter(brightness, contrast)``, in this kata's form)::

        b ~ U[max(0, 1 − brightness), 1 + brightness]         one factor per image
        Y = b·X
        c ~ U[max(0, 1 − contrast), 1 + contrast]             one factor per image
        m = mean of Y over (C, H, W)                           the brightness-scaled image's own mean
        Y = c·Y + (1 − c)·m
        out = clamp(Y, 0, 1)                                   once, after both steps

    * m is the plain mean over all channels and pixels of that image, not a luminance-weighted grey
      (torchvision's choice), and not 0.5.
    * brightness = contrast = 0 gives b = c = 1: the identity. Zeros stay zeros.
    * Brightness alone keeps the ratios between pixels; contrast alone keeps each image's mean (before clamping).

    Args:
        X: (N, C, H, W) float tensor with values in [0, 1].
        brightness, contrast: non-negative numbers (may exceed 1: then the lower end of the range is 0).
        generator: a ``torch.Generator`` for the factors (None: the global RNG).

    Returns:
        (N, C, H, W) tensor of X's dtype on X's device, values in [0, 1].

    Forbidden: ``torch.flip`` and its relatives, ``torchvision`` (its ``ColorJitter``): scale and blend the pixels
    yourself.
    """
    raise NotImplementedError("KATA-STUB ch13.augmentation.color_jitter: not implemented yet - replace this line with your code")


def augment(X: torch.Tensor, padding: int = 2, flip: bool = True,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """The training pipeline d2l uses for small natural images: a random crop of the padded image back to its own
    size, then (when ``flip``) a random horizontal flip::

        Y = random_crop(X, size=H, padding=padding, generator=generator)
        if flip: Y = random_hflip(Y, p=0.5, generator=generator)

    So every output image is X[n] shifted by up to ``padding`` pixels in each direction (zeros filling in), maybe
    mirrored. Both steps draw from the one generator.

    Args:
        X: (N, C, H, W) float tensor of **square** images (H = W).
        padding: as in ``random_crop``.
        flip: whether to mirror half of the images.
        generator: a ``torch.Generator`` (None: the global RNG).

    Returns:
        (N, C, H, W) tensor of X's dtype on X's device.

    Raises:
        ValueError: if the images are not square (H ≠ W).

    Forbidden: ``torch.flip`` and its relatives, ``torchvision``: build the pipeline from your own functions.
    """
    raise NotImplementedError("KATA-STUB ch13.augmentation.augment: not implemented yet - replace this line with your code")
