# Generated from solutions/ch11/minibatch.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Minibatches: updates per epoch and gradient noise · 小批量随机梯度下降:批量大小与梯度噪声

d2l-zh §11.5 (小批量随机梯度下降). The study notes on epochs and batch sizes: "一个epoch表示所有训练样本都被送入网络中
进行了一次训练", "设置合理的batch size … 对于大型数据集,我们通常会使用小batch size来加速训练。而对于小型数据集,通常使用大
batch size能够更好地利用硬件加速".

The story. The notes' batch-size rule is advice, not a theorem, and it is not graded here. What it rests on can
be proven, and that is this kata. One epoch is ⌈n/b⌉ parameter updates (⌊n/b⌋ when the last, partial batch is
dropped): a smaller b buys more updates per pass over the data. Each update uses a minibatch gradient ĝ_B, the
mean of b per-example gradients, which is an unbiased but noisy estimate of the full gradient ḡ. Its noise,
E‖ĝ_B − ḡ‖², falls like 1/b — and, because an epoch's batches are drawn **without replacement** (a shuffled
dataset cut into pieces), a little faster than 1/b: by the finite-population factor (n − b)/(n − 1), which makes
a full batch noiseless. With replacement (i.i.d. draws) there is no such factor. You write the count, a sampler
that draws a minibatch from an explicit ``torch.Generator``, and the exact noise formula; the graders check the
formula by enumerating every possible batch, and the sampler by statistics over thousands of draws.

Conventions: per-example gradients are an (n, d) float tensor G, row i = ∇ℓ_i. Results keep G's dtype and device;
indices are drawn on the CPU (where a ``torch.Generator()`` lives) and then moved to G's device. Inputs are never
changed.
"""
import math

import torch


def updates_per_epoch(num_examples: int, batch_size: int, drop_last: bool = False) -> int:
    """The number of parameter updates in one epoch (one pass over ``num_examples`` examples)::

        ⌈n / b⌉   (the last batch may be smaller; d2l's data_iter and DataLoader's default)
        ⌊n / b⌋   with drop_last=True (the partial batch is skipped)

    Args:
        num_examples: n ≥ 0 (n = 0 gives 0).
        batch_size: b ≥ 1.
        drop_last: drop the last, smaller batch (as ``DataLoader(drop_last=True)``).

    Returns:
        a Python int.

    Raises:
        ValueError: if batch_size < 1.
    """
    raise NotImplementedError("KATA-STUB ch11.minibatch.updates_per_epoch: not implemented yet - replace this line with your code")


def minibatch_grad(per_example_grads: torch.Tensor, batch_size: int, replacement: bool = False,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """The gradient of one random minibatch: the mean of ``batch_size`` rows of G drawn uniformly::

        ĝ_B = (1/b)·Σ_{i ∈ B} G[i]

    * ``replacement=False`` (the rows of one epoch's batch): b **distinct** rows, every subset of size b equally
      likely (e.g. the first b entries of a random permutation);
    * ``replacement=True``: b i.i.d. uniform row indices (a row may repeat).

    Args:
        per_example_grads: G, (n, d) float tensor; row i is example i's gradient.
        batch_size: b ≥ 1; without replacement also b ≤ n.
        replacement: draw with replacement.
        generator: a CPU ``torch.Generator`` for **every** draw (None: the global RNG). Draw the indices on the
            CPU, then move them to G's device.

    Returns:
        (d,) tensor of G's dtype on G's device.

    Raises:
        ValueError: if batch_size < 1, or batch_size > n without replacement.

    Forbidden: ``torch.utils.data`` (samplers, ``DataLoader``): draw the indices yourself.
    """
    raise NotImplementedError("KATA-STUB ch11.minibatch.minibatch_grad: not implemented yet - replace this line with your code")


def grad_noise(per_example_grads: torch.Tensor, batch_size: int, replacement: bool = False) -> torch.Tensor:
    """The exact noise of a minibatch gradient, E_B ‖ĝ_B − ḡ‖², over the random batch B of ``minibatch_grad``::

        ḡ = (1/n)·Σ_i G[i]                               the full-batch gradient
        tr Σ = (1/n)·Σ_i ‖G[i] − ḡ‖²                      Σ: the population covariance (divide by n)
        with replacement:      tr Σ / b
        without replacement:   tr Σ / b · (n − b)/(n − 1)  (the finite-population factor)

    (With the sample covariance S = n/(n − 1)·Σ the same number reads tr S / b · (1 − b/n).) So a full batch
    without replacement has no noise at all, b = 1 is the same in both modes, and with replacement b·noise does not
    depend on b. A single example (n = 1, b = 1) has noise 0 in both modes.

    Args:
        per_example_grads: G, (n, d) float tensor.
        batch_size: b ≥ 1 (without replacement also b ≤ n).
        replacement: batches drawn with replacement.

    Returns:
        a 0-d tensor of G's dtype on G's device.

    Raises:
        ValueError: if batch_size < 1, or batch_size > n without replacement (as ``minibatch_grad``).
    """
    raise NotImplementedError("KATA-STUB ch11.minibatch.grad_noise: not implemented yet - replace this line with your code")
