"""Recorded buggy variants of ch11/minibatch.py (each must be rejected, with its feedback) and correct
alternatives (each must pass every grader)."""
MUTANTS = {
    # ---------------------------------------------------------------- updates_per_epoch
    "floor_regardless_of_drop_last": {
        "why": "n // b whatever drop_last says",
        "feedback": "still counts as an update",
        "source": '''
            def updates_per_epoch(num_examples, batch_size, drop_last=False):
                if batch_size < 1:
                    raise ValueError(batch_size)
                return num_examples // batch_size
        ''',
    },
    "ceil_regardless_of_drop_last": {
        "why": "⌈n/b⌉ whatever drop_last says",
        "feedback": "drops the partial batch",
        "source": '''
            def updates_per_epoch(num_examples, batch_size, drop_last=False):
                if batch_size < 1:
                    raise ValueError(batch_size)
                return math.ceil(num_examples / batch_size)
        ''',
    },
    "floor_plus_one": {
        "why": "n // b + 1 as 'ceil': one too many when b divides n",
        "feedback": "one batch too many",
        "source": '''
            def updates_per_epoch(num_examples, batch_size, drop_last=False):
                if batch_size < 1:
                    raise ValueError(batch_size)
                return num_examples // batch_size if drop_last else num_examples // batch_size + 1
        ''',
    },
    "float_division": {
        "why": "n / b, a float",
        "feedback": "Python int",
        "source": '''
            def updates_per_epoch(num_examples, batch_size, drop_last=False):
                if batch_size < 1:
                    raise ValueError(batch_size)
                q = num_examples / batch_size
                return math.floor(q) if drop_last else q if q == int(q) else math.ceil(q)
        ''',
    },
    "no_batch_size_check": {
        "why": "never validates batch_size (b = 0 divides by zero, b < 0 gives a negative count)",
        "feedback": "ValueError",
        "source": '''
            def updates_per_epoch(num_examples, batch_size, drop_last=False):
                if batch_size == 0:
                    return 0
                return num_examples // batch_size if drop_last else -(-num_examples // batch_size)
        ''',
    },
    # ---------------------------------------------------------------- minibatch_grad
    "randint_without_replacement": {
        "why": "randint even without replacement (a row may repeat)",
        "feedback": "torch.randint draws with replacement",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                idx = torch.randint(0, n, (batch_size,), generator=generator)
                return per_example_grads[idx.to(per_example_grads.device)].mean(dim=0)
        ''',
    },
    "global_rng": {
        "why": "the global RNG: generator ignored",
        "feedback": "generator=",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                if replacement:
                    idx = torch.randint(0, n, (batch_size,))
                else:
                    idx = torch.randperm(n)[:batch_size]
                return per_example_grads[idx.to(per_example_grads.device)].mean(dim=0)
        ''',
    },
    "first_rows": {
        "why": "takes the first b rows: no randomness at all",
        "feedback": "different results",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                return per_example_grads[:batch_size].mean(dim=0)
        ''',
    },
    "last_row_never_drawn": {
        "why": "randint(0, n − 1) / randperm(n − 1): the last row is never drawn",
        "feedback": "never drawn",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                m = n - 1 if batch_size < n else n
                if replacement:
                    idx = torch.randint(0, max(m, 1), (batch_size,), generator=generator)
                else:
                    idx = torch.randperm(m, generator=generator)[:batch_size]
                return per_example_grads[idx.to(per_example_grads.device)].mean(dim=0)
        ''',
    },
    "batch_sum": {
        "why": "sums the rows instead of averaging",
        "feedback": "do not sum them",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                if replacement:
                    idx = torch.randint(0, n, (batch_size,), generator=generator)
                else:
                    idx = torch.randperm(n, generator=generator)[:batch_size]
                return per_example_grads[idx.to(per_example_grads.device)].sum(dim=0)
        ''',
    },
    "replacement_ignored": {
        "why": "always a permutation, even with replacement=True",
        "feedback": "i.i.d. draws",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                idx = torch.randperm(n, generator=generator)[:batch_size]
                return per_example_grads[idx.to(per_example_grads.device)].mean(dim=0)
        ''',
    },
    "silently_short_batch": {
        "why": "no check: randperm(n)[:b] returns fewer than b rows when b > n",
        "feedback": "ValueError",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if replacement:
                    idx = torch.randint(0, n, (max(batch_size, 1),), generator=generator)
                else:
                    idx = torch.randperm(n, generator=generator)[:max(batch_size, 1)]
                return per_example_grads[idx.to(per_example_grads.device)].mean(dim=0)
        ''',
    },
    "random_sampler": {
        "why": "torch.utils.data.RandomSampler (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                sampler = torch.utils.data.RandomSampler(range(n), replacement=replacement, num_samples=batch_size,
                                                         generator=generator)
                idx = torch.tensor(list(sampler))
                return per_example_grads[idx.to(per_example_grads.device)].mean(dim=0)
        ''',
    },
    # ---------------------------------------------------------------- grad_noise
    "no_finite_population_factor": {
        "why": "tr Σ / b in both modes",
        "feedback": "(n − b)/(n − 1)",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                G = per_example_grads
                return ((G - G.mean(dim=0)) ** 2).sum(dim=1).mean() / batch_size
        ''',
    },
    "sample_covariance_no_factor": {
        "why": "torch.var's default (n − 1) and no finite-population factor",
        "feedback": "sample covariance",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                if n == 1:
                    return per_example_grads.sum() * 0
                return per_example_grads.var(dim=0).sum() / batch_size
        ''',
    },
    "factor_over_n": {
        "why": "(n − b)/n instead of (n − b)/(n − 1)",
        "feedback": "not (n − b)/n",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                G = per_example_grads
                noise = ((G - G.mean(dim=0)) ** 2).sum(dim=1).mean() / batch_size
                return noise if replacement else noise * (n - batch_size) / n
        ''',
    },
    "factor_in_both_modes": {
        "why": "the finite-population factor also with replacement",
        "feedback": "no finite-population factor, just tr Σ/b",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                G = per_example_grads
                noise = ((G - G.mean(dim=0)) ** 2).sum(dim=1).mean() / batch_size
                return noise * ((n - batch_size) / (n - 1) if n > 1 else 0.0)
        ''',
    },
    "one_over_b_squared": {
        "why": "divides by b²",
        "feedback": "not 1/b²",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                G = per_example_grads
                noise = ((G - G.mean(dim=0)) ** 2).sum(dim=1).mean() / batch_size ** 2
                return noise if replacement else noise * ((n - batch_size) / (n - 1) if n > 1 else 0.0)
        ''',
    },
    "nan_for_one_example": {
        "why": "(n − b)/(n − 1) with n = 1: 0/0",
        "feedback": "handle n = 1",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                G = per_example_grads
                noise = ((G - G.mean(dim=0)) ** 2).sum(dim=1).mean() / batch_size
                if replacement:
                    return noise
                return noise * torch.tensor(float(n - batch_size), dtype=G.dtype) / (n - 1)
        ''',
    },
    "standard_deviation": {
        "why": "returns the root of the noise (a standard deviation)",
        "feedback": "not its square root",
        "source": '''
            def grad_noise(per_example_grads, batch_size, replacement=False):
                n = per_example_grads.shape[0]
                if batch_size < 1 or (not replacement and batch_size > n):
                    raise ValueError(batch_size)
                G = per_example_grads
                noise = ((G - G.mean(dim=0)) ** 2).sum(dim=1).mean() / batch_size
                if not replacement:
                    noise = noise * ((n - batch_size) / (n - 1) if n > 1 else 0.0)
                return noise.sqrt()
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l-zh §3.2's data_iter (an epoch = the batches of a shuffled index list; here shuffled with the generator, as
    # the Clarifications ask) and DataLoader's len for the count
    "book_data_iter": '''
        def updates_per_epoch(num_examples, batch_size, drop_last=False):
            if batch_size < 1:
                raise ValueError("batch_size must be positive")
            batches = [i for i in range(0, num_examples, batch_size)]
            if drop_last and batches and num_examples - batches[-1] < batch_size:
                batches = batches[:-1]
            return len(batches)

        def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
            num_examples = len(per_example_grads)
            if batch_size < 1 or (not replacement and batch_size > num_examples):
                raise ValueError("impossible batch")
            if replacement:
                batch_indices = torch.randint(num_examples, (batch_size,), generator=generator)
            else:
                indices = torch.randperm(num_examples, generator=generator)
                batch_indices = indices[0: min(batch_size, num_examples)]
            return per_example_grads[batch_indices.to(per_example_grads.device)].mean(0)

        def grad_noise(per_example_grads, batch_size, replacement=False):
            n = len(per_example_grads)
            if batch_size < 1 or (not replacement and batch_size > n):
                raise ValueError("impossible batch")
            if n == 1:
                return per_example_grads.sum() * 0.0
            S = torch.cov(per_example_grads.T, correction=1).reshape(per_example_grads.shape[1], -1)   # sample cov
            noise = torch.trace(S) / batch_size
            return noise * (n - 1) / n if replacement else noise * (1 - batch_size / n)
    ''',
    "multinomial_float64_loops": '''
        def updates_per_epoch(num_examples, batch_size, drop_last=False):
            if not batch_size >= 1:
                raise ValueError(f"bad batch size {batch_size}")
            full, rest = divmod(num_examples, batch_size)
            return int(full + (1 if rest and not drop_last else 0))

        def minibatch_grad(per_example_grads, batch_size, replacement=False, generator=None):
            n = per_example_grads.shape[0]
            if batch_size <= 0 or (batch_size > n and not replacement):
                raise ValueError("cannot draw that batch")
            w = torch.ones(n, dtype=torch.float64)
            idx = torch.multinomial(w, batch_size, replacement=replacement, generator=generator)
            rows = per_example_grads.index_select(0, idx.to(per_example_grads.device)).to(torch.float64)
            return (rows.sum(dim=0) * (1.0 / batch_size)).to(per_example_grads.dtype)

        def grad_noise(per_example_grads, batch_size, replacement=False):
            n = per_example_grads.shape[0]
            if batch_size <= 0 or (batch_size > n and not replacement):
                raise ValueError("cannot draw that batch")
            G = per_example_grads.to(torch.float64)
            g_bar = G.sum(dim=0) / n
            total = G.new_zeros(())
            for i in range(n):
                total = total + torch.dot(G[i] - g_bar, G[i] - g_bar)
            tr = total / n
            factor = 1.0 if replacement else (0.0 if n == batch_size else (n - batch_size) / (n - 1))
            return (tr * factor / batch_size).to(per_example_grads.dtype)
    ''',
}
