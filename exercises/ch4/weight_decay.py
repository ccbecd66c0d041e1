# Generated from solutions/ch4/weight_decay.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Weight decay (L2) and the L1 proximal step · 权重衰减与L1近端步

d2l-zh §4.5 (权重衰减). The notes "权重衰减、暂退法:解决过拟合问题", the notes "我们通常使用L1或L2正则化来限制网络的
权重,避免过拟合现象的发生" and the notes "正则化技术是指通过向损失函数添加惩罚项来限制模型参数的大小,从而减少过拟合".

The seed says *what* regularisation is for; this kata makes you write *how*: the penalty you add to the loss, the
update rule it turns into (the "decay" in weight decay: each step shrinks w by a factor 1 − lr·λ), and the L1
counterpart, whose proximal step sets small weights to exactly zero. The graders also rerun d2l's §4.5 experiment
(20 training examples, 200 features) with your pieces: λ = 3 must beat λ = 0 on the test set by a wide margin.
"""
import torch


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """The L2 penalty of d2l §4.5.2::

        l2_penalty(w) = Σ_i w_i² / 2

    The ½ is a convention that makes the gradient exactly w (∂/∂w Σw²/2 = w), so that adding λ·l2_penalty(w) to
    the loss adds λ·w to the gradient.

    Args:
        w: a tensor of any shape (float32 or float64), possibly with ``requires_grad=True``.

    Returns:
        a 0-d tensor of w's dtype, **differentiable**: it is added to the loss before ``backward()``, so build it
        from tensor operations (no ``.item()``, no ``torch.no_grad()``).
    """
    raise NotImplementedError("KATA-STUB ch4.weight_decay.l2_penalty: not implemented yet - replace this line with your code")


def l1_penalty(w: torch.Tensor) -> torch.Tensor:
    """The L1 penalty (lasso)::

        l1_penalty(w) = Σ_i |w_i|

    Args:
        w: a tensor of any shape.

    Returns:
        a 0-d tensor of w's dtype, differentiable (its gradient is sign(w), 0 at w = 0).
    """
    raise NotImplementedError("KATA-STUB ch4.weight_decay.l1_penalty: not implemented yet - replace this line with your code")


def sgd_weight_decay_(params, lr: float, wd: float, batch_size: int) -> None:
    """One step of minibatch SGD with weight decay, in place (d2l §4.5.3's concise version, from scratch)::

        for (p, decay) in params:
            g = p.grad / batch_size (+ wd · p   if decay)
            p ← p − lr · g
        then clear every p.grad

    ``p.grad`` is the gradient of the **summed** minibatch loss *without* the penalty (as ``sgd`` in ch3), hence the
    division by batch_size; the decay term uses the weights **before** the step and is not divided by batch_size.

    This is exactly the same step as

    * ``torch.optim.SGD([...], lr=lr, weight_decay=wd)`` on the **mean** loss (PyTorch adds wd·p to the gradient,
      then steps), for the parameters that are decayed, and
    * d2l's from-scratch §4.5.2 loop: ``l = loss(net(X), y) + wd · l2_penalty(w)``; ``l.sum().backward()``;
      ``d2l.sgd([w, b], lr, batch_size)`` — the penalty is added to every example's loss, so the summed loss
      contains batch_size · wd · Σw²/2, whose gradient divided by batch_size is wd · w.

    Written multiplicatively it is ``p ← (1 − lr·wd)·p − lr·p.grad/batch_size``: the weights *decay* by the factor
    (1 − lr·wd) every step. Biases are usually not decayed (d2l's concise version decays only the weight), hence the
    ``decay`` flag.

    Args:
        params: a list of ``(tensor, decay)`` pairs: a leaf tensor with ``requires_grad=True`` and a ``.grad``, and
            a bool saying whether to decay it.
        lr: the learning rate. wd: the weight decay λ ≥ 0. batch_size: the minibatch size.

    Update the tensors **in place** inside ``torch.no_grad()`` (each stays the same leaf tensor), then clear each
    gradient (``p.grad.zero_()`` or ``p.grad = None``). Returns None.

    Forbidden: ``torch.optim`` (its ``weight_decay`` argument would do it for you).
    """
    raise NotImplementedError("KATA-STUB ch4.weight_decay.sgd_weight_decay_: not implemented yet - replace this line with your code")


def soft_threshold(w: torch.Tensor, lam: float) -> torch.Tensor:
    """The proximal step of the L1 penalty (soft thresholding, "shrinkage")::

        soft_threshold(w, λ)_i = sign(w_i) · max(|w_i| − λ, 0)

    It is the minimiser of ½‖v − w‖² + λ‖v‖₁ over v: each entry moves λ towards 0 and stops there. Entries with
    |w_i| ≤ λ become **exactly** 0 — this is why L1 regularisation gives sparse weights, while L2 only shrinks them.
    (Proximal gradient descent for loss + λ‖w‖₁ alternates a gradient step on the loss with
    ``w = soft_threshold(w, lr·λ)``.)

    Args:
        w: a tensor of any shape. **Not modified.**
        lam: the threshold λ ≥ 0 (a Python float).

    Returns:
        a new tensor of w's shape and dtype.

    Forbidden: ``F.softshrink`` / ``nn.Softshrink`` (that is this function).
    """
    raise NotImplementedError("KATA-STUB ch4.weight_decay.soft_threshold: not implemented yet - replace this line with your code")
