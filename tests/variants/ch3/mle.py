"""Recorded buggy variants of ch3/mle.py (each must be rejected, with its feedback) and correct alternatives (each
must pass every grader)."""
MUTANTS = {
    # ---------------------------------------------------------------- gaussian_nll
    "sigma_as_variance": {
        "why": "σ used as a variance (the notes' N(mean, std) read as N(mean, var))",
        "feedback": "σ is a standard deviation",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                var = torch.as_tensor(sigma, dtype=y_hat.dtype, device=y_hat.device)
                return (0.5 * torch.log(2 * math.pi * var) + (y - y_hat) ** 2 / (2 * var)).mean()
        ''',
    },
    "constant_dropped": {
        "why": "the ½·log(2πσ²) term dropped: the right minimiser, the wrong value",
        "feedback": "constant ½·log(2πσ²) is missing",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                return ((y - y_hat) ** 2 / (2 * sigma ** 2)).mean()
        ''',
    },
    "log_without_half": {
        "why": "log(2πσ²) instead of ½·log(2πσ²)",
        "feedback": "not log(2πσ²)",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                var = torch.as_tensor(sigma, dtype=y_hat.dtype, device=y_hat.device) ** 2
                return (torch.log(2 * math.pi * var) + (y - y_hat) ** 2 / (2 * var)).mean()
        ''',
    },
    "gaussian_sum": {
        "why": "sum instead of mean",
        "feedback": "do not sum",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                var = torch.as_tensor(sigma, dtype=y_hat.dtype, device=y_hat.device) ** 2
                return (0.5 * torch.log(2 * math.pi * var) + (y - y_hat) ** 2 / (2 * var)).sum()
        ''',
    },
    "gaussian_no_reshape": {
        "why": "y not reshaped: (n, 1) − (n,) broadcasts to (n, n)",
        "feedback": "y.reshape(y_hat.shape)",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                var = torch.as_tensor(sigma, dtype=y_hat.dtype, device=y_hat.device) ** 2
                return (0.5 * torch.log(2 * math.pi * var) + (y - y_hat) ** 2 / (2 * var)).mean()
        ''',
    },
    "gaussian_float_sigma_only": {
        "why": "σ made a (1,) tensor without ŷ's dtype: a float64 σ turns a float32 loss into float64",
        "feedback": "dtype",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                sigma = torch.as_tensor(sigma)
                var = sigma.reshape(1) ** 2
                return (0.5 * torch.log(2 * math.pi * var) + (y - y_hat) ** 2 / (2 * var)).mean()
        ''',
    },
    "gaussian_uses_torch": {
        "why": "the forbidden shortcut F.gaussian_nll_loss",
        "feedback": "not allowed",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                var = torch.full_like(y_hat, float(sigma) ** 2)
                return torch.nn.functional.gaussian_nll_loss(y_hat, y, var, full=True)
        ''',
    },
    "gaussian_distributions": {
        "why": "torch.distributions.Normal(...).log_prob",
        "feedback": "not allowed",
        "source": '''
            def gaussian_nll(y_hat, y, sigma=1.0):
                y = y.reshape(y_hat.shape)
                return -torch.distributions.Normal(y_hat, sigma).log_prob(y).mean()
        ''',
    },
    # ---------------------------------------------------------------- categorical_nll
    "gather_columns": {
        "why": "probs[:, y]: an (n, n) matrix, averaged",
        "feedback": "probs[torch.arange(n), y]",
        "source": '''
            def categorical_nll(probs, y):
                return -torch.log(probs[:, y]).mean()
        ''',
    },
    "log_of_whole_row": {
        "why": "−Σ_j log probs[i, j]: every class, not the label's",
        "feedback": "its own label only",
        "source": '''
            def categorical_nll(probs, y):
                return -torch.log(probs).sum(dim=1).mean()
        ''',
    },
    "log_plus_eps": {
        "why": "log(p + 1e-9) 'for safety': not the likelihood any more",
        "feedback": "log(1e-20 + 1e-9)",
        "source": '''
            def categorical_nll(probs, y):
                n = probs.shape[0]
                return -torch.log(probs[torch.arange(n), y] + 1e-9).mean()
        ''',
    },
    "clamped_log": {
        "why": "clamp(min=1e-12) before the log: finite where the NLL is inf",
        "feedback": "an exact 0 must give inf",
        "source": '''
            def categorical_nll(probs, y):
                n = probs.shape[0]
                return -torch.log(probs[torch.arange(n), y].clamp(min=1e-12)).mean()
        ''',
    },
    "one_hot_product": {
        "why": "−Σ one_hot·log probs: 0·log 0 = NaN for certain predictions",
        "feedback": "0·log 0",
        "source": '''
            def categorical_nll(probs, y):
                oh = torch.zeros_like(probs)
                oh[torch.arange(probs.shape[0]), y] = 1.0
                return -(oh * torch.log(probs)).sum(dim=1).mean()
        ''',
    },
    "categorical_sum": {
        "why": "sum instead of mean",
        "feedback": "do not sum",
        "source": '''
            def categorical_nll(probs, y):
                n = probs.shape[0]
                return -torch.log(probs[torch.arange(n), y]).sum()
        ''',
    },
    "categorical_nll_loss": {
        "why": "the forbidden shortcut F.nll_loss",
        "feedback": "not allowed",
        "source": '''
            def categorical_nll(probs, y):
                return torch.nn.functional.nll_loss(torch.log(probs), y)
        ''',
    },
    # ---------------------------------------------------------------- mle_gaussian
    "unbiased_std": {
        "why": "torch's default std (correction = 1): not the MLE",
        "feedback": "unbiased standard deviation",
        "source": '''
            def mle_gaussian(x):
                x = x.to(torch.float64)
                return x.mean(), x.std()
        ''',
    },
    "returns_variance": {
        "why": "the variance instead of the standard deviation",
        "feedback": "you returned the variance",
        "source": '''
            def mle_gaussian(x):
                x = x.to(torch.float64)
                mu = x.mean()
                return mu, ((x - mu) ** 2).mean()
        ''',
    },
    "centred_in_place": {
        "why": "centres the sample in place (x -= mu)",
        "feedback": "unchanged",
        "source": '''
            def mle_gaussian(x):
                mu = x.mean()
                x -= mu
                return mu, torch.sqrt((x ** 2).mean())
        ''',
    },
    "python_floats": {
        "why": "returns Python floats (.item()) instead of 0-d tensors",
        "feedback": "float64 0-d tensor",
        "source": '''
            def mle_gaussian(x):
                x = x.to(torch.float64)
                mu = x.mean()
                return mu.item(), torch.sqrt(((x - mu) ** 2).mean()).item()
        ''',
    },
    # ---------------------------------------------------------------- mle_categorical
    "laplace_smoothing": {
        "why": "adds one to every count (ch8's smoothing), not the MLE",
        "feedback": "Laplace smoothing",
        "source": '''
            def mle_categorical(counts):
                c = counts.to(torch.float64) + 1
                return c / c.sum()
        ''',
    },
    "float32_frequencies": {
        "why": "counts.float() / total: float32, not float64",
        "feedback": "float64",
        "source": '''
            def mle_categorical(counts):
                c = counts.float()
                return c / c.sum()
        ''',
    },
    "divides_by_max": {
        "why": "normalises by the largest count",
        "feedback": "divide by the total count",
        "source": '''
            def mle_categorical(counts):
                c = counts.to(torch.float64)
                return c / c.max()
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l-zh §3.1.3's normal() density (math → torch so that σ may be a tensor) and §3.6's cross_entropy
    "book_density_and_cross_entropy": '''
        def normal(x, mu, sigma):
            p = 1 / torch.sqrt(2 * math.pi * torch.as_tensor(sigma, dtype=x.dtype, device=x.device) ** 2)
            return p * torch.exp(-0.5 / torch.as_tensor(sigma, dtype=x.dtype, device=x.device) ** 2 * (x - mu) ** 2)

        def gaussian_nll(y_hat, y, sigma=1.0):
            return -torch.log(normal(y.reshape(y_hat.shape), y_hat, sigma)).mean()

        def cross_entropy(y_hat, y):
            return - torch.log(y_hat[range(len(y_hat)), y])

        def categorical_nll(probs, y):
            return cross_entropy(probs, y).mean()

        def mle_gaussian(x):
            x = x.double()
            return x.mean(), x.std(correction=0)

        def mle_categorical(counts):
            return counts.double() / counts.sum()
    ''',
    "float64_log_sigma_gather_loops": '''
        def gaussian_nll(y_hat, y, sigma=1.0):
            s = torch.as_tensor(sigma, device=y_hat.device).to(torch.float64).abs()
            r = y.reshape(y_hat.shape).to(torch.float64) - y_hat.to(torch.float64)
            nll = 0.5 * math.log(2 * math.pi) + torch.log(s) + 0.5 * (r / s) ** 2
            return nll.sum().div(r.numel()).to(y_hat.dtype)

        def categorical_nll(probs, y):
            picked = torch.gather(probs, 1, y.reshape(-1, 1)).squeeze(1)
            return torch.log(picked).neg().sum() / picked.numel()

        def mle_gaussian(x):
            vals = [float(v) for v in x.detach().cpu().double()]
            n = len(vals)
            mu = math.fsum(vals) / n
            sigma = math.sqrt(math.fsum((v - mu) ** 2 for v in vals) / n)
            return (torch.tensor(mu, dtype=torch.float64, device=x.device),
                    torch.tensor(sigma, dtype=torch.float64, device=x.device))

        def mle_categorical(counts):
            return torch.nn.functional.normalize(counts.to(torch.float64), p=1, dim=0)
    ''',
    "var_mean_and_where": '''
        def gaussian_nll(y_hat, y, sigma=1.0):
            var = torch.as_tensor(sigma, dtype=y_hat.dtype, device=y_hat.device).square()
            sq = torch.square(torch.sub(y.view(y_hat.shape), y_hat))
            return torch.mean(sq / var / 2 + torch.log(var * (2 * math.pi)) / 2)

        def categorical_nll(probs, y):
            mask = torch.arange(probs.shape[1], device=probs.device).unsqueeze(0) == y.unsqueeze(1)   # (n, q)
            picked = torch.where(mask, probs, torch.ones_like(probs)).prod(dim=1)                  # (n,)
            return -torch.log(picked).mean()

        def mle_gaussian(x):
            var, mu = torch.var_mean(x.to(torch.float64), correction=0)
            return mu, var.sqrt()

        def mle_categorical(counts):
            total = counts.sum().to(torch.float64)
            return torch.stack([c.to(torch.float64) / total for c in counts])
    ''',
}
