"""Recorded buggy variants of ch11/optimizers.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution (the source is appended to it). "feedback" must appear in
the failure output. The contract's Bugs: ε inside the square root (d2l's AdaGrad/RMSProp form), d2l's defaults
(AdaGrad ε 1e-6, RMSProp γ 0.9), Adam without bias correction, Adadelta without lr (d2l's), the state updated in
place (d2l's ``v[:] =`` habit); and more: lr inside the velocity, dampening, Nesterov, a state not carried over,
stepping with the previous accumulator, δ accumulating lr·Δ, ε only in Adadelta's denominator, Adam's ε before the
bias correction or t one ahead or from 0, params updated in place, autograd history kept, a forbidden torch.optim.
"""

MUTANTS = {
    # ------------------------------------------------------------------ sgd_momentum
    "momentum_lr_in_velocity": {
        "why": "v ← μ·v + lr·g, p ← p − v: equal to PyTorch for a constant lr only (the velocity remembers old lrs)",
        "feedback": "folding lr into v",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                new_params, vs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    v = lr * g if state is None else momentum * state["v"][i] + lr * g
                    new_params.append(p.detach() - v)
                    vs.append(v)
                return new_params, {"v": vs}
        ''',
    },
    "momentum_dampening": {
        "why": "the leaky average v ← μ·v + (1 − μ)·g (dampening = μ) instead of PyTorch's v ← μ·v + g",
        "feedback": "no dampening",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                new_params, vs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    prev = torch.zeros_like(g) if state is None else state["v"][i]
                    v = momentum * prev + (1 - momentum) * g
                    new_params.append(p.detach() - lr * v)
                    vs.append(v)
                return new_params, {"v": vs}
        ''',
    },
    "momentum_nesterov": {
        "why": "Nesterov's look-ahead step p ← p − lr·(g + μ·v)",
        "feedback": "not Nesterov",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                new_params, vs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    v = g.clone() if state is None else momentum * state["v"][i] + g
                    new_params.append(p.detach() - lr * (g + momentum * v))
                    vs.append(v)
                return new_params, {"v": vs}
        ''',
    },
    "momentum_state_ignored": {
        "why": "starts a fresh velocity on every call (the state passed in is never read): plain gradient descent",
        "feedback": "not carried from call to call",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                vs = [g.clone() for g in grads]
                return [p.detach() - lr * v for p, v in zip(params, vs)], {"v": vs}
        ''',
    },
    "momentum_default_zero": {
        "why": "momentum defaults to 0, torch.optim.SGD's own default",
        "feedback": "defaults to 0.9",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.0):
                new_params, vs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    v = g.clone() if state is None else momentum * state["v"][i] + g
                    new_params.append(p.detach() - lr * v)
                    vs.append(v)
                return new_params, {"v": vs}
        ''',
    },
    "momentum_state_in_place": {
        "why": "d2l's v[:] = μ·v + g habit: the velocity of the state passed in is overwritten",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                if state is None:
                    state = {"v": [torch.zeros_like(g) for g in grads]}
                new_params = []
                for p, g, v in zip(params, grads, state["v"]):
                    v[...] = momentum * v + g
                    new_params.append(p.detach() - lr * v)
                return new_params, state
        ''',
    },
    "momentum_deep_state_in_place": {
        "why": "the same in-place habit in a nested layout (per-parameter dicts inside a tuple inside a dict), "
               "deeper than the engine's own input check looks",
        "feedback": "changed by your call",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                if state is None:
                    state = {"slots": ([{"v": torch.zeros_like(g)} for g in grads],)}
                new_params = []
                for p, g, slot in zip(params, grads, state["slots"][0]):
                    slot["v"].mul_(momentum).add_(g)
                    new_params.append(p.detach() - lr * slot["v"])
                return new_params, {"slots": ([{"v": s["v"].clone()} for s in state["slots"][0]],)}
        ''',
    },
    "momentum_params_in_place": {
        "why": "d2l's p[:] -= lr·v: the caller's parameters are changed and returned",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                vs = []
                for i, (p, g) in enumerate(zip(params, grads)):
                    v = g.clone() if state is None else momentum * state["v"][i] + g
                    with torch.no_grad():
                        p -= lr * v
                    vs.append(v)
                return list(params), {"v": vs}
        ''',
    },
    "momentum_keeps_history": {
        "why": "p − lr·v on a parameter that requires grad: the new parameter carries the old one's graph",
        "feedback": "autograd history",
        "source": '''
            def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
                new_params, vs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    v = g.clone() if state is None else momentum * state["v"][i] + g
                    new_params.append(p - lr * v)
                    vs.append(v)
                return new_params, {"v": vs}
        ''',
    },
    # ------------------------------------------------------------------ adagrad
    "adagrad_eps_inside_sqrt": {
        "why": "the contract's Bug: d2l's √(s + ε)",
        "feedback": "outside the square root",
        "source": '''
            def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
                new_params, sums = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s = g * g if state is None else state["s"][i] + g * g
                    new_params.append(p.detach() - lr * g / (s + eps).sqrt())
                    sums.append(s)
                return new_params, {"s": sums}
        ''',
    },
    "adagrad_d2l_eps": {
        "why": "the contract's Bug: d2l's default ε = 1e-6",
        "feedback": "1e-10",
        "source": '''
            def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-6):
                new_params, sums = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s = g * g if state is None else state["s"][i] + g * g
                    new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
                    sums.append(s)
                return new_params, {"s": sums}
        ''',
    },
    "adagrad_no_accumulation": {
        "why": "s = g² of this call only: a per-step normalisation (sign-like SGD), no running sum",
        "feedback": "running SUM",
        "source": '''
            def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
                sums = [g * g for g in grads]
                return [p.detach() - lr * g / (s.sqrt() + eps) for p, g, s in zip(params, grads, sums)], {"s": sums}
        ''',
    },
    "adagrad_old_sum": {
        "why": "steps with the previous sum, then accumulates: the first step divides by ε",
        "feedback": "update s first",
        "source": '''
            def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
                new_params, sums = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    old = torch.zeros_like(g) if state is None else state["s"][i]
                    new_params.append(p.detach() - lr * g / (old.sqrt() + eps))
                    sums.append(old + g * g)
                return new_params, {"s": sums}
        ''',
    },
    "adagrad_state_in_place": {
        "why": "s += g² on the state passed in (d2l's s[:] += habit)",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
                if state is None:
                    state = {"s": [torch.zeros_like(g) for g in grads]}
                new_params = []
                for p, g, s in zip(params, grads, state["s"]):
                    s += g * g
                    new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
                return new_params, state
        ''',
    },
    # ------------------------------------------------------------------ rmsprop
    "rmsprop_eps_inside_sqrt": {
        "why": "the contract's Bug: d2l's √(s + ε)",
        "feedback": "outside the square root",
        "source": '''
            def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
                new_params, avgs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    prev = torch.zeros_like(g) if state is None else state["s"][i]
                    s = alpha * prev + (1 - alpha) * g * g
                    new_params.append(p.detach() - lr * g / (s + eps).sqrt())
                    avgs.append(s)
                return new_params, {"s": avgs}
        ''',
    },
    "rmsprop_d2l_gamma": {
        "why": "the contract's Bug: d2l's γ = 0.9 as the default α",
        "feedback": "0.99",
        "source": '''
            def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.9, eps=1e-8):
                new_params, avgs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    prev = torch.zeros_like(g) if state is None else state["s"][i]
                    s = alpha * prev + (1 - alpha) * g * g
                    new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
                    avgs.append(s)
                return new_params, {"s": avgs}
        ''',
    },
    "rmsprop_alpha_swapped": {
        "why": "s ← (1 − α)·s + α·g²",
        "feedback": "swapped",
        "source": '''
            def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
                new_params, avgs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    prev = torch.zeros_like(g) if state is None else state["s"][i]
                    s = (1 - alpha) * prev + alpha * g * g
                    new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
                    avgs.append(s)
                return new_params, {"s": avgs}
        ''',
    },
    "rmsprop_warm_start": {
        "why": "the average starts at g² instead of 0 (s = g² on the first call)",
        "feedback": "starts at 0",
        "source": '''
            def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
                new_params, avgs = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s = g * g if state is None else alpha * state["s"][i] + (1 - alpha) * g * g
                    new_params.append(p.detach() - lr * g / (s.sqrt() + eps))
                    avgs.append(s)
                return new_params, {"s": avgs}
        ''',
    },
    # ------------------------------------------------------------------ adadelta
    "adadelta_without_lr": {
        "why": "the contract's Bug: d2l's Adadelta has no learning rate",
        "feedback": "has a learning rate",
        "source": '''
            def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
                new_params, avgs, deltas = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s_prev = torch.zeros_like(g) if state is None else state["s"][i]
                    d_prev = torch.zeros_like(g) if state is None else state["delta"][i]
                    s = rho * s_prev + (1 - rho) * g * g
                    step = (d_prev + eps).sqrt() / (s + eps).sqrt() * g
                    new_params.append(p.detach() - step)
                    avgs.append(s)
                    deltas.append(rho * d_prev + (1 - rho) * step * step)
                return new_params, {"s": avgs, "delta": deltas}
        ''',
    },
    "adadelta_delta_after_lr": {
        "why": "δ accumulates the scaled step (lr·Δ)² instead of Δ²",
        "feedback": "accumulates the step before lr",
        "source": '''
            def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
                new_params, avgs, deltas = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s_prev = torch.zeros_like(g) if state is None else state["s"][i]
                    d_prev = torch.zeros_like(g) if state is None else state["delta"][i]
                    s = rho * s_prev + (1 - rho) * g * g
                    step = lr * (d_prev + eps).sqrt() / (s + eps).sqrt() * g
                    new_params.append(p.detach() - step)
                    avgs.append(s)
                    deltas.append(rho * d_prev + (1 - rho) * step * step)
                return new_params, {"s": avgs, "delta": deltas}
        ''',
    },
    "adadelta_eps_denominator_only": {
        "why": "√δ / √(s + ε): ε only where it prevents a division by zero — δ starts at 0, so nothing ever moves",
        "feedback": "never move",
        "source": '''
            def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
                new_params, avgs, deltas = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s_prev = torch.zeros_like(g) if state is None else state["s"][i]
                    d_prev = torch.zeros_like(g) if state is None else state["delta"][i]
                    s = rho * s_prev + (1 - rho) * g * g
                    step = d_prev.sqrt() / (s + eps).sqrt() * g
                    new_params.append(p.detach() - lr * step)
                    avgs.append(s)
                    deltas.append(rho * d_prev + (1 - rho) * step * step)
                return new_params, {"s": avgs, "delta": deltas}
        ''',
    },
    "adadelta_old_s": {
        "why": "computes Δ with the previous s, then updates s",
        "feedback": "update s first",
        "source": '''
            def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
                new_params, avgs, deltas = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s_prev = torch.zeros_like(g) if state is None else state["s"][i]
                    d_prev = torch.zeros_like(g) if state is None else state["delta"][i]
                    step = (d_prev + eps).sqrt() / (s_prev + eps).sqrt() * g
                    new_params.append(p.detach() - lr * step)
                    avgs.append(rho * s_prev + (1 - rho) * g * g)
                    deltas.append(rho * d_prev + (1 - rho) * step * step)
                return new_params, {"s": avgs, "delta": deltas}
        ''',
    },
    "adadelta_d2l_eps": {
        "why": "d2l's ε = 1e-5 as the default",
        "feedback": "1e-6",
        "source": '''
            def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-5):
                new_params, avgs, deltas = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    s_prev = torch.zeros_like(g) if state is None else state["s"][i]
                    d_prev = torch.zeros_like(g) if state is None else state["delta"][i]
                    s = rho * s_prev + (1 - rho) * g * g
                    step = (d_prev + eps).sqrt() / (s + eps).sqrt() * g
                    new_params.append(p.detach() - lr * step)
                    avgs.append(s)
                    deltas.append(rho * d_prev + (1 - rho) * step * step)
                return new_params, {"s": avgs, "delta": deltas}
        ''',
    },
    # ------------------------------------------------------------------ adam
    "adam_no_bias_correction": {
        "why": "the contract's Bug: m and v used as they are",
        "feedback": "bias correction",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                t = 1 if state is None else state["t"] + 1
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    new_params.append(p.detach() - lr * m / (v.sqrt() + eps))
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t, "m": ms, "v": vs}
        ''',
    },
    "adam_eps_inside_sqrt": {
        "why": "√(v̂ + ε)",
        "feedback": "outside the square root",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                t = 1 if state is None else state["t"] + 1
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
                    new_params.append(p.detach() - lr * m_hat / (v_hat + eps).sqrt())
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t, "m": ms, "v": vs}
        ''',
    },
    "adam_eps_before_correction": {
        "why": "Kingma & Ba's efficient form with a plain ε: lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)",
        "feedback": "after the bias correction",
        "source": '''
            import math

            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                t = 1 if state is None else state["t"] + 1
                step_size = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    new_params.append(p.detach() - step_size * m / (v.sqrt() + eps))
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t, "m": ms, "v": vs}
        ''',
    },
    "adam_t_from_zero": {
        "why": "t counted after the update: the first call corrects with t = 0, dividing by 1 − β⁰ = 0",
        "feedback": "t must be 1 on the first call",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                t = 0 if state is None else state["t"]
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
                    new_params.append(p.detach() - lr * m_hat / (v_hat.sqrt() + eps))
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t + 1, "m": ms, "v": vs}
        ''',
    },
    "adam_t_ahead": {
        "why": "t incremented twice (once when stored, once when read): the bias correction uses t + 1",
        "feedback": "uses t + 1",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                t = 1 if state is None else state["t"] + 1
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
                    new_params.append(p.detach() - lr * m_hat / (v_hat.sqrt() + eps))
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t, "m": ms, "v": vs}
        ''',
    },
    "adam_d2l_eps": {
        "why": "d2l's ε = 1e-6 as the default",
        "feedback": "1e-8",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-6):
                beta1, beta2 = betas
                t = 1 if state is None else state["t"] + 1
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
                    new_params.append(p.detach() - lr * m_hat / (v_hat.sqrt() + eps))
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t, "m": ms, "v": vs}
        ''',
    },
    "adam_lr_in_state": {
        "why": "keeps the first call's lr in the state and steps with it ever after (a schedule is ignored)",
        "feedback": "kept from an earlier call",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                t = 1 if state is None else state["t"] + 1
                lr = lr if state is None else state["lr"]
                new_params, ms, vs = [], [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    m_prev = torch.zeros_like(g) if state is None else state["m"][i]
                    v_prev = torch.zeros_like(g) if state is None else state["v"][i]
                    m = beta1 * m_prev + (1 - beta1) * g
                    v = beta2 * v_prev + (1 - beta2) * g * g
                    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
                    new_params.append(p.detach() - lr * m_hat / (v_hat.sqrt() + eps))
                    ms.append(m)
                    vs.append(v)
                return new_params, {"t": t, "lr": lr, "m": ms, "v": vs}
        ''',
    },
    "adam_state_in_place": {
        "why": "d2l's v[:] = …, s[:] = … and hyperparams['t'] += 1: the state passed in is advanced in place",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                beta1, beta2 = betas
                if state is None:
                    state = {"t": 0, "m": [torch.zeros_like(g) for g in grads], "v": [torch.zeros_like(g) for g in grads]}
                state["t"] += 1
                t = state["t"]
                new_params = []
                for p, g, m, v in zip(params, grads, state["m"], state["v"]):
                    m.mul_(beta1).add_(g, alpha=1 - beta1)
                    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                    new_params.append(p.detach() - lr * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps))
                return new_params, state
        ''',
    },
    "adam_uses_torch_optim": {
        "why": "drives torch.optim.Adam instead of writing the update",
        "feedback": "not allowed",
        "source": '''
            def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
                ps = [p.detach().clone().requires_grad_(True) for p in params]
                opt = torch.optim.Adam(ps, lr=lr, betas=betas, eps=eps, foreach=False)
                if state is not None:
                    opt.load_state_dict(state)
                    opt.param_groups[0]["lr"] = lr
                for p, g in zip(ps, grads):
                    p.grad = g.detach().clone()
                opt.step()
                return [p.detach() for p in ps], opt.state_dict()
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §11.6-11.10's own code (the PyTorch tab), run on clones so that nothing given is touched: d2l's functions
    # update p[:] and the states in place and read p.grad (written p[...] here: [:] cannot index the 0-d tensors
    # this kata allows). Adapted only where the contract differs: PyTorch's
    # defaults; ε outside the root for AdaGrad and RMSProp (Clarification 9); Adadelta multiplies by lr; Adam's t
    # and the states live in the state this kata passes around (Clarification 8).
    "d2l_book": '''
        def _d2l_run(update, params, grads, states, hyperparams):
            ps = [p.detach().clone() for p in params]
            for p, g in zip(ps, grads):
                p.requires_grad_(True)
                p.grad = g.detach().clone()
            update(ps, states, hyperparams)
            return [p.detach() for p in ps]

        def _clone_states(states):
            return [tuple(t.clone() for t in s) if isinstance(s, tuple) else s.clone() for s in states]

        def _d2l_sgd_momentum(params, states, hyperparams):
            for p, v in zip(params, states):
                with torch.no_grad():
                    v[...] = hyperparams['momentum'] * v + p.grad
                    p[...] -= hyperparams['lr'] * v
                p.grad.data.zero_()

        def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
            states = [torch.zeros_like(p) for p in params] if state is None else _clone_states(state)
            new = _d2l_run(_d2l_sgd_momentum, params, grads, states, {'lr': lr, 'momentum': momentum})
            return new, states

        def _d2l_adagrad(params, states, hyperparams):
            eps = hyperparams['eps']
            for p, s in zip(params, states):
                with torch.no_grad():
                    s[...] += torch.square(p.grad)
                    p[...] -= hyperparams['lr'] * p.grad / (torch.sqrt(s) + eps)
                p.grad.data.zero_()

        def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
            states = [torch.zeros_like(p) for p in params] if state is None else _clone_states(state)
            return _d2l_run(_d2l_adagrad, params, grads, states, {'lr': lr, 'eps': eps}), states

        def _d2l_rmsprop(params, states, hyperparams):
            gamma, eps = hyperparams['gamma'], hyperparams['eps']
            for p, s in zip(params, states):
                with torch.no_grad():
                    s[...] = gamma * s + (1 - gamma) * torch.square(p.grad)
                    p[...] -= hyperparams['lr'] * p.grad / (torch.sqrt(s) + eps)
                p.grad.data.zero_()

        def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
            states = [torch.zeros_like(p) for p in params] if state is None else _clone_states(state)
            return _d2l_run(_d2l_rmsprop, params, grads, states, {'lr': lr, 'gamma': alpha, 'eps': eps}), states

        def _d2l_adadelta(params, states, hyperparams):
            rho, eps = hyperparams['rho'], hyperparams['eps']
            for p, (s, delta) in zip(params, states):
                with torch.no_grad():
                    s[...] = rho * s + (1 - rho) * torch.square(p.grad)
                    g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
                    p[...] -= hyperparams['lr'] * g
                    delta[...] = rho * delta + (1 - rho) * g * g
                p.grad.data.zero_()

        def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
            if state is None:
                states = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
            else:
                states = _clone_states(state)
            return _d2l_run(_d2l_adadelta, params, grads, states, {'lr': lr, 'rho': rho, 'eps': eps}), states

        def _d2l_adam(params, states, hyperparams):
            beta1, beta2, eps = hyperparams['beta1'], hyperparams['beta2'], hyperparams['eps']
            for p, (v, s) in zip(params, states):
                with torch.no_grad():
                    v[...] = beta1 * v + (1 - beta1) * p.grad
                    s[...] = beta2 * s + (1 - beta2) * torch.square(p.grad)
                    v_bias_corr = v / (1 - beta1 ** hyperparams['t'])
                    s_bias_corr = s / (1 - beta2 ** hyperparams['t'])
                    p[...] -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr)
                                                               + eps)
                p.grad.data.zero_()
            hyperparams['t'] += 1

        def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            if state is None:
                t, states = 1, [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
            else:
                t, states = state[0], _clone_states(state[1])
            hyperparams = {'lr': lr, 'beta1': betas[0], 'beta2': betas[1], 'eps': eps, 't': t}
            new = _d2l_run(_d2l_adam, params, grads, states, hyperparams)
            return new, (hyperparams['t'], states)     # d2l's t already counts the next call
    ''',
    # float64 internals (the state kept in the params' dtype), a list of per-parameter dicts as the state,
    # torch.addcdiv / torch.lerp / torch.add(alpha=) out of place, and Kingma & Ba's "efficient" Adam form with
    # ε·√(1 − β₂ᵗ) (Clarification 8).
    "float64_efficient_forms": '''
        import math

        def _f64(x):
            return x.detach().to(torch.float64)

        def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
            slots, out = [], []
            for i, (p, g) in enumerate(zip(params, grads)):
                g64 = _f64(g)
                v = g64 if state is None else torch.add(g64, _f64(state[i]["v"]), alpha=momentum)
                out.append(torch.add(_f64(p), v, alpha=-lr).to(p.dtype))
                slots.append({"v": v.to(p.dtype)})
            return out, slots

        def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
            slots, out = [], []
            for i, (p, g) in enumerate(zip(params, grads)):
                g64 = _f64(g)
                s = torch.addcmul(g64.new_zeros(g64.shape) if state is None else _f64(state[i]["sum"]), g64, g64)
                out.append(torch.addcdiv(_f64(p), g64, s.sqrt().add(eps), value=-lr).to(p.dtype))
                slots.append({"sum": s.to(p.dtype)})
            return out, slots

        def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
            slots, out = [], []
            for i, (p, g) in enumerate(zip(params, grads)):
                g64 = _f64(g)
                prev = g64.new_zeros(g64.shape) if state is None else _f64(state[i]["sq"])
                s = torch.lerp(g64 * g64, prev, alpha)                 # α·prev + (1 − α)·g²
                out.append(torch.addcdiv(_f64(p), g64, s.sqrt() + eps, value=-lr).to(p.dtype))
                slots.append({"sq": s.to(p.dtype)})
            return out, slots

        def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
            slots, out = [], []
            for i, (p, g) in enumerate(zip(params, grads)):
                g64 = _f64(g)
                zero = g64.new_zeros(g64.shape)
                sq = zero if state is None else _f64(state[i]["sq"])
                acc = zero if state is None else _f64(state[i]["acc"])
                sq = torch.lerp(g64 * g64, sq, rho)
                delta = torch.sqrt((acc + eps) / (sq + eps)) * g64
                out.append(torch.add(_f64(p), delta, alpha=-lr).to(p.dtype))
                acc = torch.lerp(delta * delta, acc, rho)
                slots.append({"sq": sq.to(p.dtype), "acc": acc.to(p.dtype)})
            return out, slots

        def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            b1, b2 = betas
            t = (state[0]["t"] if state else 0) + 1
            c2 = math.sqrt(1 - b2 ** t)
            step = lr * c2 / (1 - b1 ** t)
            slots, out = [], []
            for i, (p, g) in enumerate(zip(params, grads)):
                g64 = _f64(g)
                zero = g64.new_zeros(g64.shape)
                m = torch.lerp(_f64(state[i]["m"]) if state else zero, g64, 1 - b1)
                v = torch.addcmul(b2 * (_f64(state[i]["v"]) if state else zero), g64, g64, value=1 - b2)
                out.append(torch.addcdiv(_f64(p), m, v.sqrt() + eps * c2, value=-step).to(p.dtype))
                slots.append({"t": t, "m": m.to(p.dtype), "v": v.to(p.dtype)})
            return out, slots
    ''',
    # One shared loop over the parameters with vectorised flat state: every parameter flattened into one vector,
    # the state a tuple of flat tensors, results split back (torch.cat / split / view_as).
    "flat_vector_state": '''
        def _flat(ts):
            return torch.cat([t.detach().reshape(-1) for t in ts]) if ts else torch.zeros(0)

        def _split(vec, like):
            out, k = [], 0
            for t in like:
                out.append(vec[k:k + t.numel()].reshape(t.shape).clone())
                k += t.numel()
            return out

        def _common(params):
            return len({p.dtype for p in params}) == 1

        def _rowwise(fn, params, grads, state, **kw):
            if not _common(params):     # mixed dtypes: one parameter at a time
                outs, states = [], []
                for i, (p, g) in enumerate(zip(params, grads)):
                    o, s = fn([p], [g], None if state is None else state[i], **kw)
                    outs += o
                    states.append(s)
                return outs, states
            return fn(params, grads, state, **kw)

        def _momentum(params, grads, state, *, lr, momentum):
            g = _flat(grads)
            v = g if state is None else momentum * state[0] + g
            return _split(_flat(params) - lr * v, params), (v,)

        def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9):
            return _rowwise(_momentum, params, grads, state, lr=lr, momentum=momentum)

        def _adagrad(params, grads, state, *, lr, eps):
            g = _flat(grads)
            s = g * g if state is None else state[0] + g * g
            return _split(_flat(params) - lr * g / (s.sqrt() + eps), params), (s,)

        def adagrad(params, grads, state=None, *, lr=0.01, eps=1e-10):
            return _rowwise(_adagrad, params, grads, state, lr=lr, eps=eps)

        def _rmsprop(params, grads, state, *, lr, alpha, eps):
            g = _flat(grads)
            s = (1 - alpha) * g * g if state is None else alpha * state[0] + (1 - alpha) * g * g
            return _split(_flat(params) - lr * g / (s.sqrt() + eps), params), (s,)

        def rmsprop(params, grads, state=None, *, lr=0.01, alpha=0.99, eps=1e-8):
            return _rowwise(_rmsprop, params, grads, state, lr=lr, alpha=alpha, eps=eps)

        def _adadelta(params, grads, state, *, lr, rho, eps):
            g = _flat(grads)
            s0, d0 = (torch.zeros_like(g), torch.zeros_like(g)) if state is None else state
            s = rho * s0 + (1 - rho) * g * g
            step = ((d0 + eps) / (s + eps)).sqrt() * g
            return _split(_flat(params) - lr * step, params), (s, rho * d0 + (1 - rho) * step * step)

        def adadelta(params, grads, state=None, *, lr=1.0, rho=0.9, eps=1e-6):
            return _rowwise(_adadelta, params, grads, state, lr=lr, rho=rho, eps=eps)

        def _adam(params, grads, state, *, lr, betas, eps):
            b1, b2 = betas
            g = _flat(grads)
            t, m0, v0 = (0, torch.zeros_like(g), torch.zeros_like(g)) if state is None else state
            t += 1
            m = b1 * m0 + (1 - b1) * g
            v = b2 * v0 + (1 - b2) * g * g
            new = _flat(params) - lr * (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + eps)
            return _split(new, params), (t, m, v)

        def adam(params, grads, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            return _rowwise(_adam, params, grads, state, lr=lr, betas=betas, eps=eps)
    ''',
}

