"""Vanishing and exploding gradients · 梯度消失与梯度爆炸

d2l-zh §4.8 (数值稳定性和模型初始化). The notes: "参数初始化或者优化期间的适当正则化,解决梯度消失,梯度爆炸,
打破对称性等问题" and the notes: "在梯度更新时,链条非常长,很容易梯度爆炸或梯度消失".

The seed names the problem; this kata measures it. Backpropagation multiplies one Jacobian per layer, so the gradient
that reaches layer l is a product of depth − l factors: when each factor shrinks vectors (sigmoid's derivative is at
most ¼), the gradients of the early layers vanish geometrically; when each factor stretches them (large N(0, 1)
weights), products explode. The right initial scale (He: std √(2/width) for ReLU) keeps them level — ch5/init.py
builds those initialisers.
"""
import math

import torch


def grad_norms_by_layer(depth: int, width: int, activation: str, init_std: float,
                        generator: torch.Generator | None = None) -> torch.Tensor:
    """The size of each layer's weight gradient in a plain deep network (d2l §4.8.1)::

        X ~ N(0, 1) of shape (64, width)                 (a batch of 64 examples)
        H_0 = X,  H_l = act(H_{l−1} @ W_l)   for l = 1 … depth,   W_l ~ N(0, init_std²) of shape (width, width)
        L = Σ H_depth                                    (the sum of the last layer's outputs, after its activation)

    No biases. The activation follows **every** layer, the last one included.

    Args:
        depth: the number of layers (≥ 1). width: the size of every layer.
        activation: ``"sigmoid"``, ``"tanh"`` or ``"relu"`` (anything else: ``ValueError``).
        init_std: the standard deviation of the weights (a standard deviation, not a variance).
        generator: every random draw (X and all the weights) uses it, so that two identically seeded generators
            give identical results.

    Returns:
        float32 tensor of shape (depth,): the Frobenius norms ‖∂L/∂W_l‖_F, **input layer first** (entry 0 is W_1,
        the layer that sees X; entry depth − 1 is the output layer).

    Autograd is allowed (``L.backward()`` or ``torch.autograd.grad``); so are the activations' torch functions.
    """
    ### BEGIN SOLUTION
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    if activation not in acts:
        raise ValueError(f"unknown activation {activation!r}")
    act = acts[activation]
    X = torch.randn(64, width, generator=generator)                                   # (64, width)
    Ws = [(torch.randn(width, width, generator=generator) * init_std).requires_grad_(True) for _ in range(depth)]
    H = X
    for W in Ws:
        H = act(H @ W)                                                                # (64, width)
    grads = torch.autograd.grad(H.sum(), Ws)
    return torch.stack([g.norm() for g in grads]).detach()                            # (depth,)
    ### END SOLUTION


def matrix_product_log_norm(num_matrices: int, size: int, generator: torch.Generator | None = None) -> float:
    """Exploding products (d2l §4.8.1.2): log10 of the Frobenius norm of a product of random matrices::

        M_1, …, M_n ~ N(0, 1) entries, each (size, size), float64, drawn in order from ``generator``
        return log10 ‖M_1 · M_2 · … · M_n‖_F

    Each factor multiplies the norm by roughly √size, so the result grows linearly in n: 100 products of 4 × 4
    matrices are about 10^24, and in float32 (largest value 3.4·10^38) a couple of hundred overflow to inf. Compute
    in **float64** (largest 1.8·10^308); graders keep the true value well below that. (Renormalising as you go and
    adding up the logs is also correct, and never overflows.)

    Args:
        num_matrices: n ≥ 1. size: the side of each square matrix.
        generator: every draw uses it.

    Returns:
        a Python float.
    """
    ### BEGIN SOLUTION
    P = torch.randn(size, size, generator=generator, dtype=torch.float64)
    for _ in range(num_matrices - 1):
        P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
    return math.log10(float(torch.linalg.matrix_norm(P)))
    ### END SOLUTION
