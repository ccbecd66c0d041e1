# Generated from solutions/ch4/dropout.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Dropout from scratch · 暂退法(Dropout)的从零开始实现

d2l-zh §4.6 (暂退法). The notes: "权重衰减、暂退法:解决过拟合问题,思路是改变或删减隐藏层权重数量。暂退法是向前传播
时在激活函数之后加上一层" — dropout is a layer added after the activation during forward propagation.

The seed's sentence is the whole architecture; this kata is the part it leaves out. Which elements are dropped
(each one independently, with probability p), why the survivors are scaled up by 1/(1 − p) (so that the expected
activation is unchanged, and nothing needs to change at test time), and why the layer does nothing in evaluation
mode. Randomness is graded by statistics and reproducibility, never by the exact mask.
"""
import torch
from torch import nn


def dropout_layer(X: torch.Tensor, p: float, training: bool = True,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Inverted dropout (d2l §4.6.4)::

        mask_i ~ Bernoulli(1 − p)  independently for every element   (keep with probability 1 − p)
        out = mask ⊙ X / (1 − p)

    so that E[out] = X: the survivors are scaled **up** by 1/(1 − p), the dropped elements are 0.

    Args:
        X: a float tensor of any shape (float32 or float64); every element gets its own mask entry (no mask shared
            across rows or columns). **Not modified.**
        p: the dropout probability, 0 ≤ p ≤ 1. Anything else raises ``ValueError`` (whatever ``training`` is).
        training: with ``training=False`` (evaluation) dropout does nothing: return X (or a copy).
        generator: every random draw uses it (e.g. ``torch.rand(X.shape, generator=generator, device=X.device)``),
            so that two identically seeded generators give identical masks.

    Returns:
        a tensor of X's shape, dtype and device. Edge cases: p = 0 → X (or a copy); p = 1 → all zeros (no 0/0 NaN).

    Forbidden: ``F.dropout``, ``nn.Dropout`` and ``torch.bernoulli`` — draw the mask from uniforms and rescale yourself.
    """
    raise NotImplementedError("KATA-STUB ch4.dropout.dropout_layer: not implemented yet - replace this line with your code")


class DropoutMLP(nn.Module):
    """d2l §4.6.4's network: two ReLU hidden layers, each followed by dropout (the notes: "在激活函数之后加上一层")::

        X → flatten to (n, num_inputs) → Linear(num_inputs, num_hiddens1) → ReLU → dropout(dropout1)
          → Linear(num_hiddens1, num_hiddens2) → ReLU → dropout(dropout2) → Linear(num_hiddens2, num_outputs)

    * ``forward(X)`` accepts X of shape (n, ...) with num_inputs elements per example (e.g. (n, 1, 28, 28)) and
      returns logits of shape (n, num_outputs).
    * Dropout (your ``dropout_layer``) is applied only in training mode (``self.training``, set by ``net.train()``
      / ``net.eval()``): in ``eval()`` the forward pass is deterministic.
    * The masks come from the **global** RNG, as in d2l (``nn.Module.forward`` takes no generator): seed it with
      ``torch.manual_seed`` for reproducible training.
    * The parameters are those of the three linear layers (weights and biases, any initialisation); nothing else.

    Forbidden: ``nn.Dropout``, ``F.dropout``, ``torch.bernoulli`` — use your ``dropout_layer``.
    """

    def __init__(self, num_inputs: int = 784, num_outputs: int = 10, num_hiddens1: int = 256,
                 num_hiddens2: int = 256, dropout1: float = 0.2, dropout2: float = 0.5):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch4.dropout.DropoutMLP.__init__: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB ch4.dropout.DropoutMLP.forward: not implemented yet - replace this line with your code")
