"""Loss functions: MSE, Huber, log loss · 损失函数:均方误差、胡伯尔损失、对数损失

d2l-zh §3.1.1 (损失函数) and §3.3 exercise 2 (Huber loss); the logistic losses of §4.1 / §3.4. The notes ("合理选择损失函数 … 均方误差(MSE)、交叉熵、对数损失": when a predicted probability is 0 the log is −∞)
and the notes (the learner's `nn.MSELoss()` and the commented-out `nn.SmoothL1Loss`, "胡伯尔损失").

The seed reaches for `nn.MSELoss` and `nn.SmoothL1Loss` and worries about log(0). This kata writes the four
losses from their formulas and makes them safe: the Huber loss joins its two branches smoothly, the log loss clamps
its probabilities, and the logistic loss on logits never overflows, even at |z| = 10⁴.

Conventions: every loss takes two tensors of the same shape (any shape), reduces by the **mean** over all elements
and returns a 0-d tensor, differentiable by autograd.
"""
import torch


def mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error, as ``nn.MSELoss()``::

        mse = mean((ŷ − y)²)          # no ½ here (unlike d2l's squared_loss)

    Args:
        y_hat, y: float tensors of the same shape.

    Returns:
        0-d tensor.

    Forbidden: ``F.mse_loss``, ``nn.MSELoss``.
    """
    ### BEGIN SOLUTION
    return ((y_hat - y) ** 2).mean()
    ### END SOLUTION


def huber(y_hat: torch.Tensor, y: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Huber's robust loss in d2l's form (§3.3 exercise; the notes' ``nn.SmoothL1Loss``), with r = ŷ − y::

        l(r) = |r| − σ/2        if |r| > σ
               r² / (2σ)        otherwise

    then the mean over all elements. Quadratic near 0, linear (slope 1) in the tails, so outliers pull less
    than in the MSE. Both branches equal σ/2 at |r| = σ and both have slope 1 there: the loss is continuous and
    continuously differentiable. This is exactly ``F.smooth_l1_loss(ŷ, y, beta=σ)`` (PyTorch's ``huber_loss`` with
    ``delta=σ`` is σ times it: a different scaling).

    Args:
        y_hat, y: float tensors of the same shape. sigma: σ > 0.

    Returns:
        0-d tensor.

    Forbidden: ``smooth_l1_loss``, ``huber_loss`` and their ``nn`` classes.
    """
    ### BEGIN SOLUTION
    r = (y_hat - y).abs()
    return torch.where(r > sigma, r - sigma / 2, r ** 2 / (2 * sigma)).mean()
    ### END SOLUTION


def binary_log_loss(p: torch.Tensor, y: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Binary log loss (cross-entropy) on probabilities, clamped (the notes: "当模型预测概率为0时,log函数的值为负无穷")::

        p̃ = clamp(p, eps, 1 − eps)
        loss = −mean( y · log p̃ + (1 − y) · log(1 − p̃) )

    Args:
        p: predicted probabilities in [0, 1] (0 and 1 included).
        y: targets in [0, 1], same shape (hard 0/1 labels or soft labels).
        eps: the clamp; with it every term is finite, at most −log(eps) ≈ 16.1 for eps = 1e-7. (Clamping the
            arguments of the two logs at eps instead is also accepted: it differs by at most about eps.)

    Returns:
        0-d tensor, finite for every p in [0, 1].

    Forbidden: ``binary_cross_entropy`` (and ``_with_logits``), ``nn.BCELoss``.
    """
    ### BEGIN SOLUTION
    p = p.clamp(eps, 1 - eps)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    ### END SOLUTION


def bce_with_logits(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy on logits z (the log loss of σ(z)), numerically stable::

        loss = mean( log(1 + e^z) − y·z )                        # the definition; e^z overflows for z > 88
             = mean( max(z, 0) − y·z + log(1 + e^(−|z|)) )       # the same, and e^(−|z|) ≤ 1 never overflows

    (Use ``torch.log1p`` for log(1 + ·).) σ(z) = 1/(1 + e^(−z)); never compute log σ(z) by first rounding σ(z)
    to 0 or 1.

    Args:
        z: logits, any real values (|z| up to 10⁴ at least). y: targets in [0, 1], same shape.

    Returns:
        0-d tensor, finite, and with a finite gradient (σ(z) − y)/N as well: beware ``torch.where`` with a branch
        that overflows — its gradient is 0·∞ = NaN even where it is not selected.

    Forbidden: ``binary_cross_entropy_with_logits``, ``binary_cross_entropy``, ``softplus``, ``logsigmoid``,
    ``logaddexp``, ``nn.BCEWithLogitsLoss`` — making it stable is the lesson.
    """
    ### BEGIN SOLUTION
    return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()
    ### END SOLUTION
