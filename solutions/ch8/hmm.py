"""Hidden Markov models: forward and backward recursions · 隐马尔可夫模型中的动态规划

d2l-zh §9.4.1 (隐马尔可夫模型中的动态规划, in §9.4 双向循环神经网络). The learner's note lists "隐马尔可夫模型" between
"语言模型的目标是估计序列的联合概率" and Zipf's law.

The story. An HMM has a hidden state h_t that moves by P(h_{t+1} | h_t) and emits an observation x_t by
P(x_t | h_t). The probability of the observations sums over every hidden path: k^T terms, hopeless for T = 3000.
The book's dynamic programme sums the hidden states one at a time instead: the forward recursion
π_{t+1} = f(π_t, x_t) and the backward recursion ρ_{t−1} = g(ρ_t, x_t), each O(k²T). d2l uses them to explain why
a bidirectional RNN is natural — the forward recursion looks like an RNN's state update, and filling in a missing
x_j needs both directions: P(x_j | x_{−j}) ∝ Σ_h π_j(h) ρ_j(h) P(x_j | h).

Two numerical facts make this a kata rather than a formula: products of thousands of probabilities underflow
(e^−745 is 0 in float64), so the recursions run on logarithms with log-sum-exp; and a zero probability is −inf
there, so log-sum-exp must also be right when every term is −inf.

Notation (0-based time): ``init[i] = P(h_0 = i)``, ``trans[i, j] = P(h_{t+1} = j | h_t = i)`` (rows sum to 1, in
the direction of time), ``emit[i, v] = P(x_t = v | h_t = i)``, ``obs`` the observed symbols x_0 … x_{T−1}.
"""
import torch


def hmm_forward(init: torch.Tensor, trans: torch.Tensor, emit: torch.Tensor, obs: torch.Tensor) -> torch.Tensor:
    """The book's forward table π in log space.

        log_pi[0](h)    = log P(h_0 = h) = log init[h]
        log_pi[t+1](h') = logsumexp_h ( log_pi[t](h) + log emit[h, x_t] + log trans[h, h'] )

    so that ``log_pi[t](h) = log P(x_0, …, x_{t−1}, h_t = h)``. This is the book's π: the emission of x_t itself is
    **not** included (the textbook's α_t = π_t · P(x_t | h_t) is a different table).

    Args:
        init: (k,) float64, the initial distribution.
        trans: (k, k) float64, ``trans[i, j] = P(h_{t+1} = j | h_t = i)``.
        emit: (k, m) float64, ``emit[i, v] = P(x = v | h = i)``.
        obs: (T,) int64 symbols in 0..m−1, T ≥ 1.

    Returns:
        (T, k) tensor of init's dtype, on init's device.

    Zeros are allowed anywhere (log 0 = −inf): the table must never contain NaN, and a row whose prefix is
    impossible is all −inf. Long sequences are graded (T = 1000 here, T = 3000 for the likelihood), where the
    probabilities themselves are far below the smallest float64 (about 1e-308): the log-values must stay finite.
    Inputs are not modified.

    Forbidden: the d2l, hmmlearn and pomegranate packages. (torch.logsumexp is allowed.)
    """
    ### BEGIN SOLUTION
    T, k = obs.shape[0], init.shape[0]
    log_trans = trans.log()                                   # (k, k)
    log_e = emit.log()[:, obs].T                              # (T, k)  log P(x_t | h_t = h)
    log_pi = init.new_empty((T, k))                           # (T, k)
    log_pi[0] = init.log()
    for t in range(T - 1):
        a = log_pi[t] + log_e[t]                              # (k,)  log P(x_0..x_t, h_t)
        log_pi[t + 1] = torch.logsumexp(a[:, None] + log_trans, dim=0)   # (k, k) → sum over h_t
    return log_pi
    ### END SOLUTION


def hmm_backward(trans: torch.Tensor, emit: torch.Tensor, obs: torch.Tensor) -> torch.Tensor:
    """The book's backward table ρ in log space.

        log_rho[T−1](h) = 0
        log_rho[t−1](h) = logsumexp_h' ( log trans[h, h'] + log emit[h', x_t] + log_rho[t](h') )

    so that ``log_rho[t](h) = log P(x_{t+1}, …, x_{T−1} | h_t = h)`` (the emission of x_t is not included).

    Args:
        trans, emit, obs: as in :func:`hmm_forward`.

    Returns:
        (T, k) tensor of trans's dtype, on trans's device; the last row is 0.

    Zeros allowed, never NaN, finite for long sequences (graded at T = 1000), inputs not modified (as
    :func:`hmm_forward`).

    Forbidden: the d2l, hmmlearn and pomegranate packages.
    """
    ### BEGIN SOLUTION
    T, k = obs.shape[0], trans.shape[0]
    log_trans = trans.log()                                   # (k, k)
    log_e = emit.log()[:, obs].T                              # (T, k)  log P(x_t | h_t = h)
    log_rho = trans.new_zeros((T, k))                         # (T, k), last row 0
    for t in range(T - 1, 0, -1):
        b = log_e[t] + log_rho[t]                             # (k,)  over h_t
        log_rho[t - 1] = torch.logsumexp(log_trans + b[None, :], dim=1)  # (k, k) → sum over h_t
    return log_rho
    ### END SOLUTION


def hmm_log_likelihood(init: torch.Tensor, trans: torch.Tensor, emit: torch.Tensor,
                       obs: torch.Tensor) -> torch.Tensor:
    """log P(x_0, …, x_{T−1}) = logsumexp_h ( log_pi[T−1](h) + log emit[h, x_{T−1}] ).

    Args:
        init, trans, emit, obs: as in :func:`hmm_forward`.

    Returns:
        a 0-d tensor of init's dtype, on init's device; exactly −inf for an impossible sequence (never NaN);
        finite for T = 3000 whenever the sequence is possible.

    Forbidden: the d2l, hmmlearn and pomegranate packages.
    """
    ### BEGIN SOLUTION
    log_pi = hmm_forward(init, trans, emit, obs)              # (T, k)
    log_e_last = emit.log()[:, obs[-1:]][:, 0]                # (k,)  log P(x_{T−1} | h)
    return torch.logsumexp(log_pi[-1] + log_e_last, dim=0)
    ### END SOLUTION


def hmm_missing_posterior(init: torch.Tensor, trans: torch.Tensor, emit: torch.Tensor, obs: torch.Tensor,
                          j: int) -> torch.Tensor:
    """The distribution of a missing observation x_j given all the others (d2l §9.4.1):

        P(x_j = v | x_{−j}) ∝ Σ_h π_j(h) ρ_j(h) P(x_j = v | h),      normalised over v = 0..m−1

    with π and ρ the tables of :func:`hmm_forward` and :func:`hmm_backward` (neither contains x_j, so ``obs[j]``
    is ignored: any value there gives the same result).

    Args:
        init, trans, emit, obs: as in :func:`hmm_forward`.
        j: the position of the missing observation, a Python int with 0 ≤ j < T.

    Returns:
        (m,) tensor of probabilities (not logarithms) that sums to 1, of init's dtype, on init's device.
        Must stay finite for long sequences too (graded at T = 800 with j in the middle, where π_j(h)·ρ_j(h) is
        about e^−1100). When x_{−j} itself is impossible the result is undefined (graders never ask).

    Forbidden: the d2l, hmmlearn and pomegranate packages.
    """
    ### BEGIN SOLUTION
    w = hmm_forward(init, trans, emit, obs)[j] + hmm_backward(trans, emit, obs)[j]   # (k,)
    log_p = torch.logsumexp(w[:, None] + emit.log(), dim=0)   # (m,)  unnormalised
    return torch.exp(log_p - torch.logsumexp(log_p, dim=0))   # (m,)
    ### END SOLUTION
