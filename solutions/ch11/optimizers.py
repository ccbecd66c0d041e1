"""Optimisers as pure updates: momentum, AdaGrad, RMSProp, Adadelta, Adam · 优化算法:动量法、AdaGrad、RMSProp、Adadelta、Adam

d2l-zh §11.6 (动量法), §11.7 (AdaGrad算法), §11.8 (RMSProp算法), §11.9 (Adadelta), §11.10 (Adam算法).
The learner's notes leave a to-do: "pytorch的其他优化器算法" — the optimisers beyond plain SGD.

The story. Every optimiser of the chapter is the same loop — read the gradient, update a little state, take a
step — and they differ only in the state: a velocity (momentum), a running sum of squared gradients (AdaGrad), a
leaky average of them (RMSProp), two leaky averages (Adadelta, Adam). d2l writes them as in-place updates of
``p[:]`` and ``s[:]``; here each one is a **pure function**: it takes the parameters, their gradients and the state,
and returns new parameters and a new state, touching nothing it was given. That makes the state visible (you can
print it, copy it, hand it back) and makes the comparison with ``torch.optim`` exact, step for step, with a learning
rate that changes between steps (a schedule from ``ch11/schedules``)::

    state = None
    for t in range(num_steps):
        grads = gradient_of_loss(params)
        params, state = adam(params, grads, state, lr=schedule(t))

Conventions of this kata (decisions where two reasonable conventions differ):

* **PyTorch's semantics and defaults**, not d2l's: ε outside the square root for AdaGrad, RMSProp and Adam
  (g / (√s + ε); d2l writes √(s + ε)); AdaGrad ε = 1e-10, RMSProp α = 0.99 and ε = 1e-8, Adadelta lr = 1.0,
  ρ = 0.9 and ε = 1e-6, Adam lr = 1e-3, betas (0.9, 0.999) and ε = 1e-8 (d2l uses ε = 1e-6 and γ = 0.9).
  ``sgd_momentum`` has no default lr; its momentum defaults to 0.9.
* ``params`` and ``grads``: equally long sequences of tensors of any shapes (0-d included), float32 or float64,
  ``grads[i]`` shaped like ``params[i]``. ``new_params`` is a list of **new** tensors with the same shapes, dtypes
  and devices, carrying no autograd history (``requires_grad`` False) even when the params require grad.
* ``state`` is ``None`` on the first call, then whatever the previous call returned. Its layout is yours (a dict of
  lists is simple); it must **not contain lr**, because lr may change from one call to the next. The state you are
  given is never modified: build new tensors for the new state (d2l's ``v[:] = …`` habit writes into it).
* State tensors have the params' dtype and device (``torch.zeros_like``, arithmetic on the inputs); the graders also
  run your functions on ``meta`` tensors, where a bare ``torch.zeros(shape)`` lands on the wrong device.

Forbidden everywhere in this module: ``torch.optim`` — these functions ARE the optimisers; the graders compare them
with torch.optim, so it cannot be used inside them.
"""
import torch


def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
    """SGD with momentum (动量法, d2l §11.6), as ``torch.optim.SGD(momentum=μ)`` (dampening 0, no Nesterov).

        v ← μ·v + g          (v = g on the first call: the velocity starts at 0)
        p ← p − lr·v

    The velocity is a leaky sum of the gradients and does **not** contain lr, so a learning rate that changes
    between calls scales only the current step. With μ = 0 this is plain gradient descent.

    Args:
        params: a sequence of tensors (any shapes, 0-d included; float32 or float64).
        grads: a sequence of tensors, ``grads[i]`` shaped like ``params[i]``.
        state: ``None`` on the first call, then the state the previous call returned (never modified).
        lr: the learning rate of this step (keyword-only, no default).
        momentum: μ (keyword-only, default 0.9).

    Returns:
        ``(new_params, new_state)``: a list of new tensors without autograd history, and the new state.

    Forbidden: ``torch.optim`` (the whole package).
    """
    ### BEGIN SOLUTION
    new_params, velocities = [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        g = g.detach()
        v = g.clone() if state is None else momentum * state["v"][i] + g      # like p
        new_params.append(p.detach() - lr * v)
        velocities.append(v)
    return new_params, {"v": velocities}
    ### END SOLUTION


def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
    """AdaGrad (d2l §11.7), as ``torch.optim.Adagrad`` (no lr decay, no weight decay, accumulator starting at 0).

        s ← s + g²
        p ← p − lr·g / (√s + ε)

    Each coordinate gets its own effective rate lr/(√s + ε), which shrinks as squared gradients accumulate.
    ε sits **outside** the square root (PyTorch); the default ε is PyTorch's 1e-10.

    Args / returns: as ``sgd_momentum`` (lr defaults to 0.01).

    Forbidden: ``torch.optim`` (the whole package).
    """
    ### BEGIN SOLUTION
    new_params, sums = [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        g = g.detach()
        s = g * g if state is None else state["s"][i] + g * g
        new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
        sums.append(s)
    return new_params, {"s": sums}
    ### END SOLUTION


def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
    """RMSProp (d2l §11.8), as ``torch.optim.RMSprop`` (not centred, no momentum).

        s ← α·s + (1 − α)·g²      (s starts at 0)
        p ← p − lr·g / (√s + ε)

    A leaky average of squared gradients instead of AdaGrad's sum, so the effective rate no longer decays to 0.
    ε outside the square root; the defaults are PyTorch's α = 0.99 and ε = 1e-8 (d2l's γ is this α).

    Args / returns: as ``sgd_momentum`` (lr defaults to 0.01).

    Forbidden: ``torch.optim`` (the whole package).
    """
    ### BEGIN SOLUTION
    new_params, avgs = [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        g = g.detach()
        prev = torch.zeros_like(g) if state is None else state["s"][i]
        s = alpha * prev + (1 - alpha) * g * g
        new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
        avgs.append(s)
    return new_params, {"s": avgs}
    ### END SOLUTION


def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
    """Adadelta (d2l §11.9), as ``torch.optim.Adadelta`` (no weight decay).

        s ← ρ·s + (1 − ρ)·g²                      (s and δ start at 0)
        Δ = √(δ + ε) / √(s + ε) · g
        p ← p − lr·Δ
        δ ← ρ·δ + (1 − ρ)·Δ²

    ε sits **inside both** square roots (PyTorch and d2l agree here). δ, the leaky average of squared steps,
    accumulates Δ before it is multiplied by lr. PyTorch's Adadelta has a learning rate (default 1.0), d2l's has
    none: with lr = 1 the two agree.

    Args / returns: as ``sgd_momentum`` (lr defaults to 1.0).

    Forbidden: ``torch.optim`` (the whole package).
    """
    ### BEGIN SOLUTION
    new_params, avgs, deltas = [], [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        g = g.detach()
        if state is None:
            s_prev, d_prev = torch.zeros_like(g), torch.zeros_like(g)
        else:
            s_prev, d_prev = state["s"][i], state["delta"][i]
        s = rho * s_prev + (1 - rho) * g * g
        step = (d_prev + eps).sqrt() / (s + eps).sqrt() * g
        new_params.append(p.detach() - lr * step)
        avgs.append(s)
        deltas.append(rho * d_prev + (1 - rho) * step * step)
    return new_params, {"s": avgs, "delta": deltas}
    ### END SOLUTION


def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """Adam (d2l §11.10), as ``torch.optim.Adam`` (no weight decay, no amsgrad).

        t ← t + 1                                  (t = 1 on the first call; m and v start at 0)
        m ← β₁·m + (1 − β₁)·g
        v ← β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
        p ← p − lr·m̂ / (√v̂ + ε)

    The step count t lives in the state. ε is added to √v̂ **after** the bias correction (PyTorch); Kingma & Ba's
    "efficient" form lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m / (√v + ε·√(1 − β₂ᵗ)) is the same number. Defaults are PyTorch's
    (d2l uses ε = 1e-6).

    Args / returns: as ``sgd_momentum`` (lr defaults to 1e-3; betas is a pair (β₁, β₂)).

    Forbidden: ``torch.optim`` (the whole package).
    """
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    t = 1 if state is None else state["t"] + 1
    new_params, ms, vs = [], [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        g = g.detach()
        m_prev = torch.zeros_like(g) if state is None else state["m"][i]
        v_prev = torch.zeros_like(g) if state is None else state["v"][i]
        m = beta1 * m_prev + (1 - beta1) * g
        v = beta2 * v_prev + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        new_params.append(p.detach() - lr * m_hat / (v_hat.sqrt() + eps))
        ms.append(m)
        vs.append(v)
    return new_params, {"t": t, "m": ms, "v": vs}
    ### END SOLUTION
