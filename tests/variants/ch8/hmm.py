"""Recorded buggy variants of ch8/hmm.py: each must be rejected by at least one grader, with its feedback.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    "forward_transposed_trans": {
        "why": "trans[h', h] instead of trans[h, h'] (the sum over the wrong index)",
        "feedback": "trans transposed",
        "source": '''
            def hmm_forward(init, trans, emit, obs):
                T, k = obs.shape[0], init.shape[0]
                log_e = emit.log()[:, obs].T
                log_pi = init.new_empty((T, k))
                log_pi[0] = init.log()
                for t in range(T - 1):
                    log_pi[t + 1] = torch.logsumexp((log_pi[t] + log_e[t])[:, None] + trans.log().T, dim=0)
                return log_pi
        ''',
    },
    "forward_probability_space": {
        "why": "the recursion on probabilities, log taken at the end: underflows to -inf for long sequences",
        "feedback": "underflow",
        "source": '''
            def hmm_forward(init, trans, emit, obs):
                T, k = obs.shape[0], init.shape[0]
                e = emit[:, obs].T
                pi = init.new_empty((T, k))
                pi[0] = init
                for t in range(T - 1):
                    pi[t + 1] = (pi[t] * e[t]) @ trans
                return pi.log()
        ''',
    },
    "handwritten_logsumexp": {
        "why": "m + log(sum(exp(x - m))) with m = max: NaN when every term is -inf (zeros in the parameters)",
        "feedback": "hand-written log-sum-exp",
        "source": '''
            def _lse(x, dim):
                m = x.max(dim=dim, keepdim=True).values
                return (m + (x - m).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)

            def hmm_forward(init, trans, emit, obs):
                T, k = obs.shape[0], init.shape[0]
                log_e = emit.log()[:, obs].T
                log_pi = init.new_empty((T, k))
                log_pi[0] = init.log()
                for t in range(T - 1):
                    log_pi[t + 1] = _lse((log_pi[t] + log_e[t])[:, None] + trans.log(), 0)
                return log_pi

            def hmm_backward(trans, emit, obs):
                T, k = obs.shape[0], trans.shape[0]
                log_e = emit.log()[:, obs].T
                log_rho = trans.new_zeros((T, k))
                for t in range(T - 1, 0, -1):
                    log_rho[t - 1] = _lse(trans.log() + (log_e[t] + log_rho[t])[None, :], 1)
                return log_rho

            def hmm_log_likelihood(init, trans, emit, obs):
                log_pi = hmm_forward(init, trans, emit, obs)
                return _lse(log_pi[-1] + emit.log()[:, obs[-1:]][:, 0], 0)
        ''',
    },
    "forward_textbook_alpha": {
        "why": "the textbook α: log_pi[t] includes the emission of x_t",
        "feedback": "textbook α",
        "source": '''
            def hmm_forward(init, trans, emit, obs):
                T, k = obs.shape[0], init.shape[0]
                log_e = emit.log()[:, obs].T
                log_a = init.new_empty((T, k))
                log_a[0] = init.log() + log_e[0]
                for t in range(T - 1):
                    log_a[t + 1] = torch.logsumexp(log_a[t][:, None] + trans.log(), dim=0) + log_e[t + 1]
                return log_a

            def hmm_log_likelihood(init, trans, emit, obs):
                return torch.logsumexp(hmm_forward(init, trans, emit, obs)[-1], dim=0)

            def hmm_missing_posterior(init, trans, emit, obs, j):
                log_pi = hmm_forward(init, trans, emit, obs)[j] - emit.log()[:, obs[j:j + 1]][:, 0]
                w = log_pi + hmm_backward(trans, emit, obs)[j]
                log_p = torch.logsumexp(w[:, None] + emit.log(), dim=0)
                return torch.exp(log_p - torch.logsumexp(log_p, dim=0))
        ''',
    },
    "forward_emission_of_next_step": {
        "why": "the step t → t + 1 uses the emission of x_{t+1}",
        "feedback": "not of x_{t+1}",
        "source": '''
            def hmm_forward(init, trans, emit, obs):
                T, k = obs.shape[0], init.shape[0]
                log_e = emit.log()[:, obs].T
                log_pi = init.new_empty((T, k))
                log_pi[0] = init.log()
                for t in range(T - 1):
                    log_pi[t + 1] = torch.logsumexp((log_pi[t] + log_e[t + 1])[:, None] + trans.log(), dim=0)
                return log_pi
        ''',
    },
    "backward_transposed_trans": {
        "why": "trans[h', h] in the backward recursion",
        "feedback": "trans transposed",
        "source": '''
            def hmm_backward(trans, emit, obs):
                T, k = obs.shape[0], trans.shape[0]
                log_e = emit.log()[:, obs].T
                log_rho = trans.new_zeros((T, k))
                for t in range(T - 1, 0, -1):
                    log_rho[t - 1] = torch.logsumexp(trans.log().T + (log_e[t] + log_rho[t])[None, :], dim=1)
                return log_rho
        ''',
    },
    "backward_last_row_emission": {
        "why": "log_rho[T-1] = log emit[:, x_{T-1}] instead of 0",
        "feedback": "last row is 0",
        "source": '''
            def hmm_backward(trans, emit, obs):
                T, k = obs.shape[0], trans.shape[0]
                log_e = emit.log()[:, obs].T
                log_rho = trans.new_zeros((T, k))
                log_rho[T - 1] = log_e[T - 1]
                for t in range(T - 1, 0, -1):
                    log_rho[t - 1] = torch.logsumexp(trans.log() + (log_e[t] + log_rho[t])[None, :], dim=1)
                return log_rho
        ''',
    },
    "backward_emission_of_previous_step": {
        "why": "the step t → t - 1 uses the emission of x_{t-1}",
        "feedback": "not of x_{t−1}",
        "source": '''
            def hmm_backward(trans, emit, obs):
                T, k = obs.shape[0], trans.shape[0]
                log_e = emit.log()[:, obs].T
                log_rho = trans.new_zeros((T, k))
                for t in range(T - 1, 0, -1):
                    log_rho[t - 1] = torch.logsumexp(trans.log() + (log_e[t - 1] + log_rho[t])[None, :], dim=1)
                return log_rho
        ''',
    },
    "backward_probability_space": {
        "why": "the backward recursion on probabilities: underflows for long sequences",
        "feedback": "underflow",
        "source": '''
            def hmm_backward(trans, emit, obs):
                T, k = obs.shape[0], trans.shape[0]
                e = emit[:, obs].T
                rho = trans.new_ones((T, k))
                for t in range(T - 1, 0, -1):
                    rho[t - 1] = trans @ (e[t] * rho[t])
                return rho.log()
        ''',
    },
    "likelihood_without_last_emission": {
        "why": "logsumexp(log_pi[T-1]): the book's π_{T-1} does not contain x_{T-1}",
        "feedback": "does not contain the last observation",
        "source": '''
            def hmm_log_likelihood(init, trans, emit, obs):
                return torch.logsumexp(hmm_forward(init, trans, emit, obs)[-1], dim=0)
        ''',
    },
    "likelihood_probability_space": {
        "why": "log of the summed probabilities: log(0) = -inf for T = 3000",
        "feedback": "underflow",
        "source": '''
            def hmm_log_likelihood(init, trans, emit, obs):
                p = init * emit[:, obs[0]]
                for t in range(1, obs.shape[0]):
                    p = (p @ trans) * emit[:, obs[t]]
                return p.sum().log()
        ''',
    },
    "posterior_unnormalised": {
        "why": "Σ_h π_j ρ_j P(v | h) without dividing by the sum over v",
        "feedback": "normalise over v",
        "source": '''
            def hmm_missing_posterior(init, trans, emit, obs, j):
                w = hmm_forward(init, trans, emit, obs)[j] + hmm_backward(trans, emit, obs)[j]
                return torch.logsumexp(w[:, None] + emit.log(), dim=0).exp()
        ''',
    },
    "posterior_uses_observed_xj": {
        "why": "π_j(h) P(x_j | h) ρ_j(h) P(v | h): the observed x_j leaks in",
        "feedback": "emission of the observed x_j",
        "source": '''
            def hmm_missing_posterior(init, trans, emit, obs, j):
                log_e = emit.log()[:, obs].T
                w = hmm_forward(init, trans, emit, obs)[j] + log_e[j] + hmm_backward(trans, emit, obs)[j]
                log_p = torch.logsumexp(w[:, None] + emit.log(), dim=0)
                return torch.exp(log_p - torch.logsumexp(log_p, dim=0))
        ''',
    },
    "posterior_forward_only": {
        "why": "ignores the observations after j (no backward table)",
        "feedback": "backward table is missing",
        "source": '''
            def hmm_missing_posterior(init, trans, emit, obs, j):
                w = hmm_forward(init, trans, emit, obs)[j]
                log_p = torch.logsumexp(w[:, None] + emit.log(), dim=0)
                return torch.exp(log_p - torch.logsumexp(log_p, dim=0))
        ''',
    },
    "posterior_exp_before_normalising": {
        "why": "exp(log_pi[j] + log_rho[j]) formed as probabilities: 0/0 = NaN for long sequences",
        "feedback": "normalise in log space",
        "source": '''
            def hmm_missing_posterior(init, trans, emit, obs, j):
                w = (hmm_forward(init, trans, emit, obs)[j] + hmm_backward(trans, emit, obs)[j]).exp()
                p = w @ emit
                return p / p.sum()
        ''',
    },
}

ALTERNATIVES = {
    # The book (§9.4.1) has no code for the HMM; this is its formulas written out literally, one state h' (h) at a
    # time: π_{t+1}(h') = Σ_h π_t(h) P(x_t | h) P(h' | h) and ρ_{t−1}(h) = Σ_h' P(h' | h) P(x_t | h') ρ_t(h'),
    # each sum a torch.logsumexp over the k terms; rows collected in lists and stacked.
    "book_formulas_per_state": '''
        def hmm_forward(init, trans, emit, obs):
            T, k = obs.shape[0], init.shape[0]
            E = emit.log().index_select(1, obs)                     # (k, T): log P(x_t | h)
            L = trans.log()
            rows = [init.log()]
            for t in range(T - 1):
                prev = rows[t] + E[:, t]
                rows.append(torch.stack([torch.logsumexp(prev + L[:, h2], dim=0) for h2 in range(k)]))
            return torch.stack(rows)

        def hmm_backward(trans, emit, obs):
            T, k = obs.shape[0], trans.shape[0]
            E = emit.log().index_select(1, obs)
            L = trans.log()
            rows = [trans.new_zeros(k)]
            for t in range(T - 1, 0, -1):
                nxt = E[:, t] + rows[0]
                rows.insert(0, torch.stack([torch.logsumexp(L[h] + nxt, dim=0) for h in range(k)]))
            return torch.stack(rows)

        def hmm_log_likelihood(init, trans, emit, obs):
            E = emit.log().index_select(1, obs)
            return torch.logsumexp(hmm_forward(init, trans, emit, obs)[-1] + E[:, -1], dim=0)
    ''',
    # Rabiner's scaling: the recursions on normalised probability vectors (a matrix product per step), the log of
    # each normaliser accumulated; float64 internals, branch-free (works on meta), zeros give exact -inf.
    "scaled_probability_space": '''
        def _scaled_forward(init, trans, emit, obs):
            T, k = obs.shape[0], init.shape[0]
            P, A = init.double(), trans.double()
            e = emit.double()[:, obs].T                              # (T, k)
            log_pi = P.new_empty((T, k))
            acc = P.new_zeros(())                                    # Σ_{s<t} log c_s
            cur = P
            log_c = P.new_empty(T)
            for t in range(T):
                log_pi[t] = cur.log() + acc
                a = cur * e[t]
                c = a.sum()
                log_c[t] = c.log()
                acc = acc + log_c[t]
                cur = torch.where(c > 0, a / torch.where(c > 0, c, torch.ones_like(c)), a) @ A
            return log_pi, log_c

        def hmm_forward(init, trans, emit, obs):
            return _scaled_forward(init, trans, emit, obs)[0].to(init.dtype)

        def hmm_backward(trans, emit, obs):
            T, k = obs.shape[0], trans.shape[0]
            A = trans.double()
            e = emit.double()[:, obs].T
            log_rho = A.new_zeros((T, k))
            cur = A.new_ones(k)
            acc = A.new_zeros(())
            for t in range(T - 1, 0, -1):
                b = A @ (e[t] * cur)                                 # (k,)
                s = b.sum()
                safe = torch.where(s > 0, s, torch.ones_like(s))
                cur = torch.where(s > 0, b / safe, b)
                acc = acc + s.log()
                log_rho[t - 1] = cur.log() + acc
            return log_rho.to(trans.dtype)

        def hmm_log_likelihood(init, trans, emit, obs):
            return _scaled_forward(init, trans, emit, obs)[1].sum().to(init.dtype)

        def hmm_missing_posterior(init, trans, emit, obs, j):
            w = (_scaled_forward(init, trans, emit, obs)[0][j] + hmm_backward(trans, emit, obs)[j].double())
            w = torch.exp(w - w.max())                               # rescaled, the max term is 1
            p = w @ emit.double()                                    # (m,)
            return (p / p.sum()).to(init.dtype)
    ''',
    # max-shifted matrix products: log_pi[t+1] = m + log(exp(a − m) @ trans), with the all −inf row kept −inf
    "shifted_matmul": '''
        def _lse_matmul(a, M):
            m = a.max()
            m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
            return m + (torch.exp(a - m) @ M).log()

        def hmm_forward(init, trans, emit, obs):
            T, k = obs.shape[0], init.shape[0]
            log_e = emit.log()[:, obs].T
            rows = [init.log()]
            for t in range(T - 1):
                rows.append(_lse_matmul(rows[-1] + log_e[t], trans))
            return torch.stack(rows)

        def hmm_backward(trans, emit, obs):
            T, k = obs.shape[0], trans.shape[0]
            log_e = emit.log()[:, obs].T
            rows = [trans.new_zeros(k)]
            for t in range(T - 1, 0, -1):
                rows.append(_lse_matmul(log_e[t] + rows[-1], trans.T))
            return torch.stack(rows[::-1])
    ''',
}
