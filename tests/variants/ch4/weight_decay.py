"""Recorded buggy variants of ch4/weight_decay.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ penalties
    "l2_without_half": {
        "why": "λ·w² without the ½: the gradient is 2λw",
        "feedback": "½",
        "source": '''
            def l2_penalty(w):
                return (w ** 2).sum()
        ''',
    },
    "l2_norm": {
        "why": "returns the norm ‖w‖ instead of Σw²/2",
        "feedback": "norm",
        "source": '''
            def l2_penalty(w):
                return torch.sqrt((w ** 2).sum())
        ''',
    },
    "l2_item": {
        "why": "returns a Python float: no gradient reaches w",
        "feedback": "tensor operations",
        "source": '''
            def l2_penalty(w):
                return torch.tensor((w ** 2).sum().item() / 2)
        ''',
    },
    "l1_without_abs": {
        "why": "Σw: negative weights cancel positive ones",
        "feedback": "absolute value",
        "source": '''
            def l1_penalty(w):
                return w.sum()
        ''',
    },
    "l1_mean": {
        "why": "mean instead of sum",
        "feedback": "sum over all entries",
        "source": '''
            def l1_penalty(w):
                return w.abs().mean()
        ''',
    },
    # ------------------------------------------------------------------ sgd_weight_decay_
    "decays_biases": {
        "why": "ignores the decay flag: biases are decayed too",
        "feedback": "decay=False",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        p -= lr * (p.grad / batch_size + wd * p)
                        p.grad.zero_()
        ''',
    },
    "decay_after_step": {
        "why": "applies the decay to the already-updated weights",
        "feedback": "after the gradient step",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        p -= lr * p.grad / batch_size
                        if decay:
                            p -= lr * wd * p
                        p.grad.zero_()
        ''',
    },
    "two_lambda": {
        "why": "gradient of λ·w² (no ½): decays with 2λ",
        "feedback": "twice too strong",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        g = p.grad / batch_size
                        if decay:
                            g = g + 2 * wd * p
                        p -= lr * g
                        p.grad.zero_()
        ''',
    },
    "no_batch_size": {
        "why": "forgets to divide the summed-loss gradient by batch_size",
        "feedback": "divide p.grad by batch_size",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        g = p.grad + (wd * p if decay else 0)
                        p -= lr * g
                        p.grad.zero_()
        ''',
    },
    "decay_divided_by_batch": {
        "why": "divides the decay term by batch_size too",
        "feedback": "decay term wd·p is not",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        g = p.grad + (wd * p if decay else 0)
                        p -= lr * g / batch_size
                        p.grad.zero_()
        ''',
    },
    "grads_not_cleared": {
        "why": "never clears the gradients: the next backward() accumulates",
        "feedback": "clear",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        g = p.grad / batch_size
                        if decay:
                            g = g + wd * p
                        p -= lr * g
        ''',
    },
    "rebinds": {
        "why": "p = p - ... rebinds a local name: nothing changes",
        "feedback": "did not change",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                with torch.no_grad():
                    for p, decay in params:
                        g = p.grad / batch_size
                        if decay:
                            g = g + wd * p
                        p = p - lr * g
        ''',
    },
    "uses_optimizer": {
        "why": "lets torch.optim.SGD(weight_decay=...) do it",
        "feedback": "not allowed",
        "source": '''
            def sgd_weight_decay_(params, lr, wd, batch_size):
                for p, decay in params:
                    p.grad /= batch_size
                    opt = torch.optim.SGD([p], lr=lr, weight_decay=wd if decay else 0.0)
                    opt.step()
                    opt.zero_grad()
        ''',
    },
    # ------------------------------------------------------------------ soft_threshold
    "soft_no_clamp": {
        "why": "sign(w)·(|w| − λ) without the max: small entries flip sign instead of becoming 0",
        "feedback": "exactly 0",
        "source": '''
            def soft_threshold(w, lam):
                return torch.sign(w) * (w.abs() - lam)
        ''',
    },
    "soft_hard_threshold": {
        "why": "hard thresholding: keeps w where |w| > λ",
        "feedback": "hard thresholding",
        "source": '''
            def soft_threshold(w, lam):
                return torch.where(w.abs() > lam, w, torch.zeros_like(w))
        ''',
    },
    "soft_no_sign": {
        "why": "max(|w| − λ, 0) without the sign",
        "feedback": "sign",
        "source": '''
            def soft_threshold(w, lam):
                return torch.clamp(w.abs() - lam, min=0)
        ''',
    },
    "soft_in_place": {
        "why": "shrinks w in place (and returns it)",
        "feedback": "unchanged",
        "source": '''
            def soft_threshold(w, lam):
                with torch.no_grad():
                    w.copy_(torch.sign(w) * torch.clamp(w.abs() - lam, min=0))
                return w
        ''',
    },
    "soft_softshrink": {
        "why": "calls F.softshrink",
        "feedback": "not allowed",
        "source": '''
            def soft_threshold(w, lam):
                return torch.nn.functional.softshrink(w, lam)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "multiplicative_decay_float64_penalties": '''
        def l2_penalty(w):
            return (w.double() * w.double()).sum().mul(0.5).to(w.dtype)

        def l1_penalty(w):
            return torch.where(w >= 0, w, -w).sum()

        def sgd_weight_decay_(params, lr, wd, batch_size):
            # p ← (1 − lr·wd)·p − lr·grad/batch_size: the "decay" written as a factor
            for p, decay in params:
                with torch.no_grad():
                    if decay:
                        p.mul_(1 - lr * wd)
                    p.sub_(p.grad, alpha=lr / batch_size)
                p.grad = None

        def soft_threshold(w, lam):
            return w - torch.clamp(w, -lam, lam)
    ''',
    "d2l_style_loops": '''
        def l2_penalty(w):
            return torch.sum(w.pow(2)) / 2

        def l1_penalty(w):
            return torch.sum(torch.abs(w))

        def sgd_weight_decay_(params, lr, wd, batch_size):
            with torch.no_grad():
                for param, decay in params:
                    step = param.grad / batch_size
                    if decay and wd != 0:
                        step += wd * param
                    param.data.sub_(lr * step)
                    param.grad.zero_()

        def soft_threshold(w, lam):
            out = torch.zeros_like(w)
            out = torch.where(w > lam, w - lam, out)
            out = torch.where(w < -lam, w + lam, out)
            return out
    ''',
    "proximal_ratio_form": '''
        def soft_threshold(w, lam):
            # w · max(1 − λ/|w|, 0), with 0 where w = 0
            mag = w.abs()
            safe = torch.where(mag > 0, mag, torch.ones_like(mag))
            return torch.where(mag > lam, w * (1 - lam / safe), torch.zeros_like(w))
    ''',
}
