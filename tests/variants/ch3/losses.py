"""Recorded buggy variants of ch3/losses.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ---------------------------------------------------------------- mse
    "mse_with_half": {
        "why": "copies d2l's squared_loss: (ŷ − y)²/2",
        "feedback": "no ½ in mse",
        "source": '''
            def mse(y_hat, y):
                return ((y_hat - y) ** 2 / 2).mean()
        ''',
    },
    "mse_sum": {
        "why": "sum instead of mean",
        "feedback": "not .sum()",
        "source": '''
            def mse(y_hat, y):
                return ((y_hat - y) ** 2).sum()
        ''',
    },
    "mse_uses_mse_loss": {
        "why": "the forbidden shortcut F.mse_loss",
        "feedback": "not allowed",
        "source": '''
            def mse(y_hat, y):
                return torch.nn.functional.mse_loss(y_hat, y)
        ''',
    },
    # ---------------------------------------------------------------- huber
    "huber_branches_swapped": {
        "why": "quadratic for large |r|, linear for small",
        "feedback": "branches are swapped",
        "source": '''
            def huber(y_hat, y, sigma=1.0):
                r = (y_hat - y).abs()
                return torch.where(r > sigma, r ** 2 / (2 * sigma), r - sigma / 2).mean()
        ''',
    },
    "huber_quadratic_without_sigma": {
        "why": "r²/2 in the quadratic branch: right for σ = 1 only, a jump at |r| = σ otherwise",
        "feedback": "r²/(2σ), not r²/2",
        "source": '''
            def huber(y_hat, y, sigma=1.0):
                r = (y_hat - y).abs()
                return torch.where(r > sigma, r - sigma / 2, r ** 2 / 2).mean()
        ''',
    },
    "huber_torch_huber_scaling": {
        "why": "PyTorch's huber_loss(delta=σ) form σ(|r| − σ/2) / r²/2: σ times d2l's",
        "feedback": "huber_loss(delta=σ)",
        "source": '''
            def huber(y_hat, y, sigma=1.0):
                r = (y_hat - y).abs()
                return torch.where(r > sigma, sigma * (r - sigma / 2), r ** 2 / 2).mean()
        ''',
    },
    "huber_linear_branch_without_abs": {
        "why": "r − σ/2 instead of |r| − σ/2: negative losses for r < −σ",
        "feedback": "symmetric",
        "source": '''
            def huber(y_hat, y, sigma=1.0):
                r = y_hat - y
                return torch.where(r.abs() > sigma, r - sigma / 2, r ** 2 / (2 * sigma)).mean()
        ''',
    },
    "huber_sum": {
        "why": "sum instead of mean",
        "feedback": "not .sum()",
        "source": '''
            def huber(y_hat, y, sigma=1.0):
                r = (y_hat - y).abs()
                return torch.where(r > sigma, r - sigma / 2, r ** 2 / (2 * sigma)).sum()
        ''',
    },
    # ---------------------------------------------------------------- binary_log_loss
    "log_loss_unclamped": {
        "why": "no clamp: log(0) = −inf at p = 0 or 1 (S:L78's worry)",
        "feedback": "clamp p into [eps, 1 − eps]",
        "source": '''
            def binary_log_loss(p, y, eps=1e-7):
                return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        ''',
    },
    "log_loss_clamps_below_only": {
        "why": "p.clamp(min=eps): p = 1 still gives log(1 − p) = log(0)",
        "feedback": "both sides",
        "source": '''
            def binary_log_loss(p, y, eps=1e-7):
                p = p.clamp(min=eps)
                return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        ''',
    },
    "log_loss_ignores_eps": {
        "why": "hard-codes 1e-7 instead of the eps argument",
        "feedback": "eps argument",
        "source": '''
            def binary_log_loss(p, y, eps=1e-7):
                p = p.clamp(1e-7, 1 - 1e-7)
                return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        ''',
    },
    "log_loss_clamps_in_place": {
        "why": "p.clamp_ overwrites the caller's probabilities",
        "feedback": "p.clamp_",
        "source": '''
            def binary_log_loss(p, y, eps=1e-7):
                with torch.no_grad():
                    p.clamp_(eps, 1 - eps)
                return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        ''',
    },
    "log_loss_wrong_sign": {
        "why": "forgets the minus: the mean log-likelihood instead of the loss",
        "feedback": "positive",
        "source": '''
            def binary_log_loss(p, y, eps=1e-7):
                p = p.clamp(eps, 1 - eps)
                return (y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        ''',
    },
    # ---------------------------------------------------------------- bce_with_logits
    "bce_naive_log_one_plus_exp": {
        "why": "log(1 + e^z) − y·z: e^z overflows for z > 88",
        "feedback": "overflows",
        "source": '''
            def bce_with_logits(z, y):
                return (torch.log(1 + torch.exp(z)) - y * z).mean()
        ''',
    },
    "bce_via_sigmoid": {
        "why": "binary_log_loss(sigmoid(z)) without a clamp: σ(z) rounds to 1 and log(1 − 1) = −inf",
        "feedback": "overflows",
        "source": '''
            def bce_with_logits(z, y):
                p = torch.sigmoid(z)
                return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
        ''',
    },
    "bce_without_abs": {
        "why": "max(z, 0) − y·z + log1p(exp(−z)): forgets |z|, so exp(−z) overflows for z ≪ 0",
        "feedback": "e^(−|z|)",
        "source": '''
            def bce_with_logits(z, y):
                return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z))).mean()
        ''',
    },
    "bce_where_nan_gradient": {
        "why": "torch.where of two one-sided formulas: the value is right, the gradient is 0·∞ = NaN at |z| = 1e4",
        "feedback": "torch.where trap",
        "source": '''
            def bce_with_logits(z, y):
                pos = z - y * z + torch.log1p(torch.exp(-z))
                neg = -y * z + torch.log1p(torch.exp(z))
                return torch.where(z >= 0, pos, neg).mean()
        ''',
    },
    "bce_uses_softplus": {
        "why": "the forbidden shortcut F.softplus",
        "feedback": "not allowed",
        "source": '''
            def bce_with_logits(z, y):
                return (torch.nn.functional.softplus(z) - y * z).mean()
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "float64_and_clipped_forms": '''
        def mse(y_hat, y):
            d = (y_hat - y).double()
            return (d * d).sum().div(d.numel()).to(y_hat.dtype)

        def huber(y_hat, y, sigma=1.0):
            # clipped form: q = min(|r|, σ); q²/(2σ) + (|r| − q)
            r = (y_hat - y).abs()
            q = r.clamp(max=sigma)
            return (q * q / (2 * sigma) + (r - q)).mean()

        def binary_log_loss(p, y, eps=1e-7):
            # clamp the logs' arguments instead of p; float64 inside
            p64, y64 = p.double(), y.double()
            ll = y64 * p64.clamp(min=eps).log() + (1 - y64) * (1 - p64).clamp(min=eps).log()
            return (-ll.mean()).to(p.dtype)

        def bce_with_logits(z, y):
            # log(1 + e^z) − y z with log(1 + e^z) = m + log(e^(−m) + e^(z − m)), m = max(z, 0)
            m = z.clamp(min=0)
            return (m + torch.log(torch.exp(-m) + torch.exp(z - m)) - y * z).mean()
    ''',
    "masks_and_loops": '''
        def mse(y_hat, y):
            total = torch.zeros((), dtype=y_hat.dtype)
            for a, b in zip(y_hat.reshape(-1), y.reshape(-1)):
                total = total + (a - b) ** 2
            return total / y_hat.numel()

        def huber(y_hat, y, sigma=1.0):
            r = y_hat - y
            small = (r.abs() <= sigma).to(r.dtype)
            return (small * r ** 2 / (2 * sigma) + (1 - small) * (r.abs() - 0.5 * sigma)).mean()

        def binary_log_loss(p, y, eps=1e-7):
            p = torch.clamp(p, min=eps, max=1 - eps)
            return -(torch.xlogy(y, p) + torch.log1p(-p) * (1 - y)).mean()

        def bce_with_logits(z, y):
            # −[y log σ(z) + (1 − y) log σ(−z)] with a stable log σ(t) = −(max(−t, 0) + log1p(e^(−|t|)))
            def log_sigmoid(t):
                return -((-t).clamp(min=0) + torch.log1p(torch.exp(-t.abs())))
            return -(y * log_sigmoid(z) + (1 - y) * log_sigmoid(-z)).mean()
    ''',
}
