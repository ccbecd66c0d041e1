# Generated from solutions/ch4/mlp.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""A multilayer perceptron from scratch · 多层感知机的从零开始实现

d2l-zh §4.2 (多层感知机的从零开始实现). The notes ("多层感知机:解决复杂问题、更多的层") and the notes
("参数初始化 … 解决梯度消失,梯度爆炸,打破对称性等问题").

One hidden layer with a ReLU between two affine maps is already a universal approximator. This kata
builds d2l's MLP with nothing but tensors: the parameters (small random weights, zero biases) and the forward pass.
The graders train it on handwritten digits and check the point of the notes: if every weight started equal, every hidden
unit would compute the same thing and receive the same gradient, forever — random initialisation breaks the
symmetry.
"""
import torch


def init_mlp_params(num_inputs: int, num_hiddens: int, num_outputs: int,
                    generator: torch.Generator | None = None) -> list[torch.Tensor]:
    """The parameters of a one-hidden-layer MLP, as d2l §4.2.1::

        W1 = 0.01 · N(0, 1)   # (num_inputs, num_hiddens)
        b1 = 0                # (num_hiddens,)
        W2 = 0.01 · N(0, 1)   # (num_hiddens, num_outputs)
        b2 = 0                # (num_outputs,)

    Weights are drawn with ``torch.randn(..., generator=generator)`` and scaled by 0.01 (standard deviation 0.01);
    biases are zeros. Every tensor is float32, a **leaf** with ``requires_grad=True`` (scale first, then
    ``.requires_grad_()``, or wrap in ``nn.Parameter``: ``torch.randn(..., requires_grad=True) * 0.01`` is not a
    leaf, and its ``.grad`` stays None). Draw every random number from ``generator`` (None: the global RNG), so that
    two identically seeded generators give identical parameters.

    Returns:
        ``[W1, b1, W2, b2]``.

    Forbidden: ``nn.Linear`` and ``torch.nn.init``: create the tensors yourself.
    """
    raise NotImplementedError("KATA-STUB ch4.mlp.init_mlp_params: not implemented yet - replace this line with your code")


def mlp(X: torch.Tensor, params: list[torch.Tensor]) -> torch.Tensor:
    """The forward pass of d2l §4.2.2::

        X ← X.reshape(-1, num_inputs)     # (n, d): flatten each example (images arrive as (n, 1, h, w))
        H = relu(X W1 + b1)               # (n, h)
        O = H W2 + b2                     # (n, q): logits, no activation on the output layer

    Args:
        X: float32, shape (n, d) or (n, ...) with d = num_inputs = W1.shape[0] elements per example.
        params: ``[W1, b1, W2, b2]`` as returned by ``init_mlp_params``.

    Returns:
        float32 logits of shape (n, num_outputs), differentiable with respect to every parameter (autograd must
        reach W1, b1, W2 and b2: no ``.data``, ``.detach()`` or ``torch.tensor(...)`` copies).

    ReLU may be written inline (``torch.clamp(Z, min=0)``, ``torch.relu``, ``torch.max(Z, torch.zeros_like(Z))``).
    Forbidden: ``nn.Linear``, ``nn.Sequential``, ``F.linear``: write the affine maps with matrix products.
    """
    raise NotImplementedError("KATA-STUB ch4.mlp.mlp: not implemented yet - replace this line with your code")
