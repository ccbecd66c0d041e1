"""Numerical gradients by central differences · 用中心差分求数值梯度

d2l-zh §2.4 (微积分) and §2.5 (自动微分). The notes: "理论基础:求导、反向传播、梯度下降、线性代数".

Autograd is only trustworthy once you can check it. The oldest check is the finite difference: nudge one input,
watch the output. This kata builds the central-difference gradient you will use to test every hand-written
backward pass in the course (ch2/backprop.py is next).
"""
import torch


def numerical_grad(f, x: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    """Gradient of a scalar function ``f`` at ``x`` by central differences.

    For each coordinate i, with e_i the i-th unit vector::

        g_i = (f(x + h·e_i) − f(x − h·e_i)) / (2h)        # error O(h²)

    Args:
        f: a function from a float64 tensor of shape (n,) to a scalar (0-d tensor or Python float).
        x: float64 tensor of shape (n,). **Not modified** (build perturbed copies, or restore x exactly).
        h: the step.

    Returns:
        float64 tensor of shape (n,), same device as x.

    Why float64: the difference of two nearly equal numbers loses digits. In float32 (eps ≈ 1.2e-7) with
    h = 1e-5 the rounding error is about 1e-7/1e-5 = 1e-2, larger than most gradients you want to check.
    The forward difference (f(x+h·e_i) − f(x)) / h is simpler but only O(h) accurate: don't.

    Forbidden: autograd (``backward``, ``torch.autograd``, ``torch.func``) — this is the tool that checks it.
    """
    ### BEGIN SOLUTION
    x = x.detach().to(torch.float64)
    grad = torch.empty_like(x)
    for i in range(x.numel()):
        e = torch.zeros_like(x)
        e[i] = h
        grad[i] = (float(f(x + e)) - float(f(x - e))) / (2 * h)
    return grad
    ### END SOLUTION
