"""Gradient descent trajectories · 梯度下降的轨迹

d2l-zh §11.3 (梯度下降), previewed in §2.4/§3.1. The notes: "理论基础:求导、反向传播、梯度下降、线性代数".

Gradient descent is one line: x ← x − η·∇f(x). Returning the whole trajectory instead of the last point lets you
see (and the graders check) the behaviour §11.3 describes on a quadratic: with f(x) = ½xᵀAx the iterates are exactly
xₜ = (I − ηA)ᵗ x₀, so they converge when η < 2/λ_max, oscillate and blow up above it, and f never increases when
η ≤ 1/λ_max. The seed asks "小批量随机梯度下降算法 ... 啥意思": this is the full-batch version it builds on.
"""
import torch


def gradient_descent(grad, x0: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """Run ``steps`` steps of gradient descent from ``x0`` and return the whole trajectory::

        x_{t+1} = x_t − lr · grad(x_t),    t = 0, 1, …, steps − 1

    Args:
        grad: a callable taking a tensor of shape (d,) and returning ∇f at that point, shape (d,).
            (The graders pass objects such as ``QuadGrad(A)`` with ``QuadGrad(A)(x) = A @ x``.)
        x0: the starting point, shape (d,), float32 or float64. **Not modified.**
        lr: the learning rate η > 0.
        steps: the number of updates, ≥ 0.

    Returns:
        tensor of shape (steps + 1, d), x0's dtype and device: row 0 is x0 itself, row t is x_t. ``steps = 0``
        gives x0 as a single row.

    Mistakes to avoid: ``x += ...`` on x0 (or on a row you already stored) changes x0 / the stored rows —
    build each new x as a new tensor (``x = x - lr * g``); stepping *up* the gradient; returning ``steps`` rows.
    """
    ### BEGIN SOLUTION
    x = x0.clone()
    trajectory = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        trajectory.append(x)
    return torch.stack(trajectory)  # (steps + 1, d)
    ### END SOLUTION
