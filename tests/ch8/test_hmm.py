"""Graders for ch8/hmm.py (hmm_forward, hmm_backward, hmm_log_likelihood, hmm_missing_posterior).

Oracles. Brute-force enumeration over the k^T hidden paths in Python floats (k ≤ 3, T ≤ 6, at most 729 paths):
π_t(h) = Σ over h_0..h_{t−1} of init·Π emit·trans, ρ_t(h) = Σ over h_{t+1}..h_{T−1}, P(x) = Σ over all paths, and
P(x_j = v | x_{−j}) by enumerating every value v; their logarithms (log 0 = −inf) are compared with the learner's
tables. For long sequences (T = 3000 for the likelihood, 1000 for the tables, 800 for the posterior) a scaled
forward-backward pass in probability space (Rabiner's normalisation: each step's vector is divided by its sum and
the logs of the sums are accumulated), written here, is the oracle.

Tolerances. Enumeration and a log-space recursion agree to ~1e-15 relative: the graders allow 1e-10 absolute
plus 1e-10 relative on log-values (the contract's 1e-10); −inf must be matched exactly and NaN is never accepted.
Long sequences: 1e-8 relative (the contract's), the log-values being sums of thousands of terms. Posteriors are
probabilities: 1e-10 absolute.

The classic mistakes recognised in hints (each computed here on the failing input): trans transposed, the
textbook α (emission of x_t included) instead of the book's π, the emission of the wrong time step, the backward
table's last row not 0, the likelihood without the last emission, probability-space recursions (−inf or 0 where a
finite log-value is expected for long sequences), a hand-written log-sum-exp (NaN when every term is −inf).

Speed: ~2-4 s in-process, most of it the long-sequence recursions (3000-step Python loops in the learner's code),
plus the engine's first meta re-run in the first test (its first meta operation imports torch._dynamo: ~1 s on an
idle machine). The long tests first call each function on a small case (``warm_up``), so that the engine's meta
re-run of the test's first call is a small one (a 3000-step loop on meta tensors takes tens of seconds).
Oracles are memoised on their inputs' values (hypothesis draws the same examples for every self-check variant).
"""
import functools
import itertools
import math
import random

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor, fail
from tests.helpers import call, gen, near

ATOL = 1e-10
F64 = torch.float64


# ----------------------------------------------------------------------------------------------- models
def normalise_rows(P):
    return P / P.sum(dim=-1, keepdim=True)


def random_hmm(seed, k, m, zeros=0.0):
    """(init (k,), trans (k, k), emit (k, m)) float64, each row a distribution; with ``zeros`` > 0 about that
    fraction of the entries is 0 (every row keeps at least one positive entry)."""
    g = gen(seed)

    def dist(*shape):
        P = torch.rand(shape, generator=g, dtype=F64) + 0.05
        if zeros:
            mask = torch.rand(shape, generator=g, dtype=F64) < zeros
            keep = torch.randint(0, shape[-1], shape[:-1], generator=g)
            mask.scatter_(-1, keep.unsqueeze(-1), False)
            P = P.masked_fill(mask, 0.0)
        return normalise_rows(P)

    return dist(k), dist(k, k), dist(k, m)


def sample_obs(seed, init, trans, emit, T):
    """Observations drawn from the HMM itself (so the sequence is possible); Python's random, seeded."""
    rng = random.Random(seed)
    I, A, E = init.tolist(), trans.tolist(), emit.tolist()
    k, m = len(I), len(E[0])
    h = rng.choices(range(k), weights=I)[0]
    obs = []
    for _ in range(T):
        obs.append(rng.choices(range(m), weights=E[h])[0])
        h = rng.choices(range(k), weights=A[h])[0]
    return torch.tensor(obs, dtype=torch.int64)


@functools.lru_cache(maxsize=None)
def long_case(T, seed):
    """A 3-state, 4-symbol HMM and T observations drawn from it (the same for every variant of the self-check)."""
    init, trans, emit = random_hmm(seed, 3, 4)
    return init, trans, emit, sample_obs(seed + 1, init, trans, emit, T)


@st.composite
def hmm_cases(draw, max_T=6, zeros=None, possible=None):
    """(init, trans, emit, obs): k, m in 1..3, T in 1..max_T (k^T ≤ 729); sometimes zeros in the parameters;
    observations either drawn from the model or arbitrary (possibly impossible)."""
    k = draw(st.integers(1, 3), label="k")
    m = draw(st.integers(1, 3), label="m")
    T = draw(st.integers(1, max_T), label="T")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    z = draw(st.sampled_from([0.0, 0.0, 0.3]), label="zero fraction") if zeros is None else zeros
    init, trans, emit = random_hmm(seed, k, m, z)
    if possible is None:
        possible = draw(st.booleans(), label="observations drawn from the model")
    if possible:
        obs = sample_obs(seed + 1, init, trans, emit, T)
    else:
        obs = torch.randint(0, m, (T,), generator=gen(seed + 2))
    return init, trans, emit, obs


# a fixed example with zeros, an impossible sequence and a non-symmetric trans
Z_INIT = torch.tensor([1.0, 0.0, 0.0], dtype=F64)
Z_TRANS = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.5, 0.5], [0.2, 0.0, 0.8]], dtype=F64)
Z_EMIT = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]], dtype=F64)
BOOK_LIKE = (torch.tensor([0.6, 0.4], dtype=F64), torch.tensor([[0.7, 0.3], [0.4, 0.6]], dtype=F64),
             torch.tensor([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]], dtype=F64), torch.tensor([0, 1, 2, 2, 1]))


# ----------------------------------------------------------------------------------------------- oracles
def _paths(k, n):
    return itertools.product(range(k), repeat=n)


_CACHE: dict = {}


def cached(fn):
    """Memoise an oracle on the values of its tensor arguments: hypothesis draws the same examples for every
    variant of the self-check, and the long-sequence oracles are the same for every variant."""
    def wrapper(*args, **kwargs):
        key = (fn.__name__, tuple((tuple(a.shape), str(a.dtype), tuple(a.flatten().tolist()))
                                  if isinstance(a, torch.Tensor) else a for a in args), tuple(sorted(kwargs.items())))
        if key not in _CACHE:
            _CACHE[key] = fn(*args, **kwargs)
        return _CACHE[key]
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


@cached
def enum_tables(init, trans, emit, obs):
    """(log π (T, k), log ρ (T, k), log P(x)) by enumeration of the hidden paths."""
    I, A, E, x = init.tolist(), trans.tolist(), emit.tolist(), obs.tolist()
    T, k = len(x), len(I)
    pi = torch.zeros((T, k), dtype=F64)
    rho = torch.zeros((T, k), dtype=F64)
    for t in range(T):
        for path in _paths(k, t + 1):              # h_0 .. h_t
            p = I[path[0]]
            for s in range(t):
                p *= E[path[s]][x[s]] * A[path[s]][path[s + 1]]
            pi[t, path[-1]] += p
        for h in range(k):
            total = 0.0
            for path in _paths(k, T - 1 - t):      # h_{t+1} .. h_{T-1}
                p, prev = 1.0, h
                for s, hs in enumerate(path, start=t + 1):
                    p *= A[prev][hs] * E[hs][x[s]]
                    prev = hs
                total += p
            rho[t, h] = total
    total = 0.0
    for path in _paths(k, T):
        p = I[path[0]] * E[path[0]][x[0]]
        for s in range(1, T):
            p *= A[path[s - 1]][path[s]] * E[path[s]][x[s]]
        total += p
    return pi.log(), rho.log(), math.log(total) if total > 0 else -math.inf


@cached
def enum_posterior(init, trans, emit, obs, j):
    """P(x_j = v | x_{−j}) for v = 0..m−1 by enumeration (None when x_{−j} is impossible)."""
    m = emit.shape[1]
    probs = []
    for v in range(m):
        o = obs.clone()
        o[j] = v
        probs.append(enum_likelihood(init, trans, emit, o))
    z = sum(probs)
    return None if z == 0 else torch.tensor([p / z for p in probs], dtype=F64)


def enum_likelihood(init, trans, emit, obs):
    I, A, E, x = init.tolist(), trans.tolist(), emit.tolist(), obs.tolist()
    total = 0.0
    for path in _paths(len(I), len(x)):
        p = I[path[0]] * E[path[0]][x[0]]
        for s in range(1, len(x)):
            p *= A[path[s - 1]][path[s]] * E[path[s]][x[s]]
        total += p
    return total


@cached
def scaled_tables(init, trans, emit, obs, backward=True):
    """Rabiner's scaled forward-backward in probability space, in Python floats: (log π (T, k), log ρ (T, k),
    log P(x)). Each π̂_t is π_t divided by the product of the previous normalisers c_s = Σ_h π̂_s(h) emit[h, x_s];
    ρ̂_t is ρ_t divided by the product of the later ones. (For sequences with positive probability.)"""
    I, A, E, x = init.tolist(), trans.tolist(), emit.tolist(), obs.tolist()
    T, k = len(x), len(I)
    log_pi, log_c, acc, cur = [], [], 0.0, I
    for t in range(T):
        log_pi.append([(math.log(v) if v > 0 else -math.inf) + acc for v in cur])
        a = [cur[h] * E[h][x[t]] for h in range(k)]
        c = math.fsum(a)
        log_c.append(math.log(c))
        acc += log_c[-1]
        cur = [math.fsum(a[h] / c * A[h][h2] for h in range(k)) for h2 in range(k)]
    ll = math.fsum(log_c)
    if not backward:
        return torch.tensor(log_pi, dtype=F64), None, ll
    log_rho = [None] * T
    cur, acc = [1.0] * k, 0.0
    log_rho[T - 1] = [0.0] * k
    for t in range(T - 1, 0, -1):
        b = [math.fsum(A[h][h2] * E[h2][x[t]] * cur[h2] for h2 in range(k)) / math.exp(log_c[t])
             for h in range(k)]
        acc += log_c[t]
        cur = b
        log_rho[t - 1] = [(math.log(v) if v > 0 else -math.inf) + acc for v in cur]
    return torch.tensor(log_pi, dtype=F64), torch.tensor(log_rho, dtype=F64), ll


# variants of the recursions (the classic mistakes), in log space, for the hints
def mistaken_tables(init, trans, emit, obs, *, transpose=False, alpha=False, shift=0, rho_last_emit=False):
    A = trans.T if transpose else trans
    la, le = A.log(), emit.log()
    T, k = obs.shape[0], init.shape[0]
    x = obs.tolist()
    pi = torch.empty((T, k), dtype=F64)
    pi[0] = init.log()
    for t in range(T - 1):
        s = min(max(t + shift, 0), T - 1)
        pi[t + 1] = torch.logsumexp((pi[t] + le[:, x[s]])[:, None] + la, dim=0)
    if alpha:
        pi = pi + le[:, x].T
    rho = torch.zeros((T, k), dtype=F64)
    if rho_last_emit:
        rho[T - 1] = le[:, x[T - 1]]
    for t in range(T - 1, 0, -1):
        s = min(max(t + shift, 0), T - 1)
        rho[t - 1] = torch.logsumexp(la + (le[:, x[s]] + rho[t])[None, :], dim=1)
    return pi, rho


def _nan(got):
    return isinstance(got, torch.Tensor) and bool(got.detach().isnan().any())


def _underflow(got, want):
    if not isinstance(got, torch.Tensor) or not isinstance(want, torch.Tensor) or got.shape != want.shape:
        return False
    g, w = got.detach().double().cpu(), want.detach().double().cpu()
    return bool(((g == -math.inf) & w.isfinite()).any() or ((g == 0) & (w < -700)).any())


NAN_HINT = Hint("NaN: a hand-written log-sum-exp m + log Σ exp(x − m) with m = max(x) gives −inf − (−inf) = NaN when "
                "every term is −inf (a probability 0 on every path). torch.logsumexp returns −inf there; use it "
                "(or treat m = −inf separately).", when=lambda g, w: _nan(g))
UNDERFLOW_HINT = Hint("underflow: a product of thousands of probabilities is below 1e-308 and becomes 0 in float64 "
                      "(its log is −inf). Run the recursion on logarithms with log-sum-exp — never form the "
                      "probabilities π_t or ρ_t themselves.", when=_underflow)


def table_hints(kind, init, trans, emit, obs):
    """Hints for a wrong forward ("pi") or backward ("rho") table."""
    idx = 0 if kind == "pi" else 1

    def variant(**kw):
        def when(g, w):   # evaluated on failure only
            t = mistaken_tables(init, trans, emit, obs, **kw)[idx]
            return (isinstance(g, torch.Tensor) and g.shape == t.shape and not near(t, w, 1e-9)
                    and near(torch.nan_to_num(g.detach().double(), neginf=-1e300),
                             torch.nan_to_num(t, neginf=-1e300), 1e-8))
        return when

    hints = [NAN_HINT,
             Hint("your table uses trans transposed: trans[i, j] = P(h_{t+1} = j | h_t = i), so the sum runs over "
                  "the first index (the current state), e.g. logsumexp(a[:, None] + log trans, dim=0) for the forward "
                  "table, and over the second index for the backward table.", when=variant(transpose=True))]
    if kind == "pi":
        hints += [
            Hint("your table includes the emission of x_t: that is the textbook α_t = π_t · P(x_t | h_t). The "
                 "book's π_t(h) = P(x_0..x_{t−1}, h_t = h) does not: log_pi[0] = log init, and the emission of "
                 "x_t enters only the step to t + 1.", when=variant(alpha=True)),
            Hint("the step from t to t + 1 uses the emission of x_t (the observation at the state being left), "
                 "not of x_{t+1}.", when=variant(shift=1)),
        ]
    else:
        hints += [
            Hint("the backward table's last row is 0 (ρ_{T−1} = 1: nothing is left to observe); the emission of "
                 "x_{T−1} enters only the step to T − 2.", when=variant(rho_last_emit=True)),
            Hint("the step from t to t − 1 uses the emission of x_t (the observation at the state being entered, "
                 "h_t), not of x_{t−1}.", when=variant(shift=-1)),
        ]
    return hints


def _inputs(init, trans, emit, obs, **extra):
    return {"init": init, "trans": trans, "emit": emit, "obs": obs, **extra}


def _call(fn, *args, prop, inputs, hints=(), clone=True):
    """fn(*args) with copies of the tensors (the graders' constants and cached cases must survive a learner's
    in-place mistake); an exception becomes a failure that shows the inputs."""
    if clone:
        args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)
    return call(fn, *args, prop=prop, inputs=inputs, hints=hints)


def warm_up(kata, *names):
    """Call each function once on a small case first: the engine re-runs the first call of a function in each test
    on meta tensors (the device convention), and a 3000-step loop on meta costs tens of seconds."""
    init, trans, emit, obs = BOOK_LIKE
    for name in names:
        args = {"hmm_forward": (init, trans, emit, obs), "hmm_backward": (trans, emit, obs),
                "hmm_log_likelihood": (init, trans, emit, obs),
                "hmm_missing_posterior": (init, trans, emit, obs, 1)}[name]
        _call(getattr(kata, name), *args, prop=f"{name} runs on a small case", inputs={})


def _clones(*ts):
    return tuple(t.clone() for t in ts)


# ----------------------------------------------------------------------------------------------- core: values
@pytest.mark.core("hmm_forward")
@settings(max_examples=30)
@given(case=hmm_cases())
@example(case=BOOK_LIKE)
@example(case=(Z_INIT, Z_TRANS, Z_EMIT, torch.tensor([0, 0, 1, 1])))
@example(case=(Z_INIT, Z_TRANS, Z_EMIT, torch.tensor([0, 1, 1, 0, 0])))
def test_forward_equals_enumeration(kata, case):
    """log_pi[t](h) = log P(x_0..x_{t−1}, h_t = h), equal to the sum over the hidden paths (enumerated)"""
    init, trans, emit, obs = case
    want = enum_tables(init, trans, emit, obs)[0]
    inputs = _inputs(init, trans, emit, obs)
    prop = "hmm_forward: log_pi[t](h) = log P(x_0..x_{t−1}, h_t = h) (the book's π, in log space)"
    hints = table_hints("pi", init, trans, emit, obs)
    got = _call(kata.hmm_forward, *_clones(init, trans, emit, obs), prop=prop, inputs=inputs, hints=hints)
    expect_close(got, want, prop, inputs=inputs, atol=ATOL, rtol=ATOL, hints=hints)


@pytest.mark.core("hmm_backward")
@settings(max_examples=30)
@given(case=hmm_cases())
@example(case=BOOK_LIKE)
@example(case=(Z_INIT, Z_TRANS, Z_EMIT, torch.tensor([0, 0, 1, 1])))
@example(case=(Z_INIT, Z_TRANS, Z_EMIT, torch.tensor([0, 1, 1, 0, 0])))
def test_backward_equals_enumeration(kata, case):
    """log_rho[t](h) = log P(x_{t+1}..x_{T−1} | h_t = h), equal to the sum over the hidden paths (enumerated)"""
    init, trans, emit, obs = case
    want = enum_tables(init, trans, emit, obs)[1]
    inputs = {"trans": trans, "emit": emit, "obs": obs}
    prop = "hmm_backward: log_rho[t](h) = log P(x_{t+1}..x_{T−1} | h_t = h), log_rho[T−1] = 0"
    hints = table_hints("rho", init, trans, emit, obs)
    got = _call(kata.hmm_backward, *_clones(trans, emit, obs), prop=prop, inputs=inputs, hints=hints)
    expect_close(got, want, prop, inputs=inputs, atol=ATOL, rtol=ATOL, hints=hints)


def likelihood_hints(init, trans, emit, obs):
    def no_last():
        return torch.logsumexp(mistaken_tables(init, trans, emit, obs)[0][-1], 0)

    def transposed():
        tr = mistaken_tables(init, trans, emit, obs, transpose=True)[0]
        return torch.logsumexp(tr[-1] + emit.log()[:, obs[-1]], 0)

    def is_(value):   # evaluated on failure only
        return lambda g, w: isinstance(g, torch.Tensor) and near(g, value(), 1e-9) and not near(w, value(), 1e-9)

    return [NAN_HINT,
            Hint("the log-likelihood is logsumexp_h(log_pi[T−1](h) + log emit[h, x_{T−1}]): the book's π_{T−1} "
                 "does not contain the last observation yet.", when=is_(no_last)),
            Hint("trans[i, j] = P(h_{t+1} = j | h_t = i): your likelihood uses trans transposed.",
                 when=is_(transposed))]


@pytest.mark.core("hmm_log_likelihood")
@settings(max_examples=30)
@given(case=hmm_cases())
@example(case=BOOK_LIKE)
@example(case=(Z_INIT, Z_TRANS, Z_EMIT, torch.tensor([0, 0, 1, 1])))
def test_log_likelihood_equals_enumeration(kata, case):
    """hmm_log_likelihood = log Σ over the k^T hidden paths of P(x, h) (enumerated), a 0-d float64 tensor"""
    init, trans, emit, obs = case
    want = enum_tables(init, trans, emit, obs)[2]
    inputs = _inputs(init, trans, emit, obs)
    prop = "hmm_log_likelihood = log P(x_0..x_{T−1}) = log Σ_h P(x, h)"
    hints = likelihood_hints(init, trans, emit, obs)
    got = _call(kata.hmm_log_likelihood, *_clones(init, trans, emit, obs), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), hints=["return a 0-d tensor (torch.logsumexp over dim 0 of a "
                                                            "(k,) vector is one)."])
    expect_close(got, torch.tensor(want, dtype=F64), prop, inputs=inputs, atol=ATOL, rtol=ATOL, hints=hints)


def posterior_hints(init, trans, emit, obs, j):
    def variants():
        pi, rho = mistaken_tables(init, trans, emit, obs)
        le = emit.log()
        w = pi[j] + rho[j]
        unnorm = torch.logsumexp(w[:, None] + le, 0).exp()
        with_xj = torch.logsumexp((w + le[:, obs[j]])[:, None] + le, 0)
        pi_only = torch.logsumexp(pi[j][:, None] + le, 0)
        return {"unnorm": unnorm, "with_xj": (with_xj - torch.logsumexp(with_xj, 0)).exp(),
                "pi_only": (pi_only - torch.logsumexp(pi_only, 0)).exp()}

    def is_(name):   # evaluated on failure only
        return lambda g, wnt: (isinstance(g, torch.Tensor) and near(g, variants()[name], 1e-9)
                               and not near(wnt, variants()[name], 1e-9))

    return [NAN_HINT,
            Hint("normalise over v: the formula gives P(x_j = v | x_{−j}) up to a constant; divide by the sum "
                 "over v (in log space: subtract the logsumexp).", when=is_("unnorm")),
            Hint("your posterior uses the emission of the observed x_j (π_j or ρ_j include P(x_j | h)): the formula "
                 "sums π_j(h) ρ_j(h) P(v | h), and neither π_j nor ρ_j contains x_j.", when=is_("with_xj")),
            Hint("the backward table is missing: P(x_j = v | x_{−j}) ∝ Σ_h π_j(h) ρ_j(h) P(v | h) uses the "
                 "observations after j too.", when=is_("pi_only"))]


@pytest.mark.core("hmm_missing_posterior")
@settings(max_examples=25)
@given(case=hmm_cases(max_T=5, possible=True), data=st.data())
@example(case=BOOK_LIKE, data=None)
def test_missing_posterior_equals_enumeration(kata, case, data):
    """P(x_j = v | x_{−j}) ∝ Σ_h π_j(h) ρ_j(h) P(v | h) equals enumeration over every value v of x_j"""
    init, trans, emit, obs = case
    T = obs.shape[0]
    j = 2 if data is None else data.draw(st.integers(0, T - 1), label="j")
    want = enum_posterior(init, trans, emit, obs, j)
    inputs = _inputs(init, trans, emit, obs, j=j)
    prop = "hmm_missing_posterior(…, j)[v] = P(x_j = v | x_{−j}) (the other observations given)"
    hints = posterior_hints(init, trans, emit, obs, j)
    got = _call(kata.hmm_missing_posterior, *_clones(init, trans, emit, obs), j, prop=prop, inputs=inputs,
                hints=hints)
    expect_close(got, want, prop, inputs=inputs, atol=ATOL, rtol=0, hints=hints)


# ----------------------------------------------------------------------------------------------- other properties
def test_likelihoods_of_all_sequences_sum_to_one(kata):
    """Σ over all m^T observation sequences of exp(hmm_log_likelihood) = 1"""
    for seed, k, m, T in ((1, 2, 2, 4), (2, 3, 3, 3), (3, 2, 3, 2), (4, 3, 2, 4)):
        init, trans, emit = random_hmm(seed, k, m, zeros=0.2)
        total = 0.0
        prop = "Σ_x exp(hmm_log_likelihood(init, trans, emit, x)) = 1 over all sequences x of length T"
        inputs = {"init": init, "trans": trans, "emit": emit, "T": T}
        for xs in itertools.product(range(m), repeat=T):
            got = _call(kata.hmm_log_likelihood, init, trans, emit, torch.tensor(xs), prop=prop, inputs=inputs)
            total += math.exp(float(got))
        hints = [NAN_HINT.text] if math.isnan(total) else [
            "every sequence's probability sums over the hidden paths, and the paths' probabilities over all "
            "sequences sum to 1: check that init, trans (rows: the current state) and emit are used as "
            "probabilities of the right events."]
        expect(abs(total - 1.0) <= 1e-10, prop, inputs=inputs, expected=1.0, got=total, hints=hints)


@settings(max_examples=15)
@given(case=hmm_cases(possible=True))
@example(case=BOOK_LIKE)
def test_forward_and_backward_give_the_likelihood_at_every_t(kata, case):
    """for every t, logsumexp_h(log_pi[t](h) + log emit[h, x_t] + log_rho[t](h)) = log P(x)"""
    init, trans, emit, obs = case
    inputs = _inputs(init, trans, emit, obs)
    prop = "logsumexp(log_pi[t] + log emit[:, x_t] + log_rho[t]) = log P(x) at every t"
    pi = _call(kata.hmm_forward, init, trans, emit, obs, prop=prop, inputs=inputs)
    rho = _call(kata.hmm_backward, trans, emit, obs, prop=prop, inputs=inputs)
    T = obs.shape[0]
    expect_tensor(pi, prop, inputs=inputs, shape=(T, init.shape[0]))
    expect_tensor(rho, prop, inputs=inputs, shape=(T, init.shape[0]))
    per_t = torch.logsumexp(pi.double() + emit.log()[:, obs].T + rho.double(), dim=1)
    ll = enum_tables(init, trans, emit, obs)[2]
    expect_close(per_t, ll * torch.ones(T, dtype=F64), prop, inputs=inputs, atol=ATOL, rtol=ATOL,
                 hints=[NAN_HINT, "π_t contains x_0..x_{t−1}, ρ_t contains x_{t+1}..x_{T−1}, and the emission of "
                                  "x_t joins them: if this fails, one of the tables includes or misses an emission."])


def test_zeros_give_no_nan_and_impossible_sequences_minus_inf(kata):
    """zeros in init/trans/emit give no NaN; an impossible sequence has log-likelihood exactly −inf"""
    # h_0 = 0 always; 0 → 1 → {1, 2}, 2 → {0, 2}; state 0 emits 0, state 2 emits 1, state 1 either
    cases = [torch.tensor([0, 1, 0]), torch.tensor([1, 0]), torch.tensor([0, 0, 1, 1, 0, 1]),
             torch.tensor([0, 1, 1, 1]), torch.tensor([0, 0, 0, 0]), torch.tensor([0, 1, 1, 0, 1])]
    assert any(enum_tables(Z_INIT, Z_TRANS, Z_EMIT, o)[2] == -math.inf for o in cases)
    for obs in cases:
        inputs = _inputs(Z_INIT, Z_TRANS, Z_EMIT, obs)
        pi_w, rho_w, ll_w = enum_tables(Z_INIT, Z_TRANS, Z_EMIT, obs)
        prop = "with zeros in the parameters the tables have no NaN (−inf where a probability is 0)"
        for name, fn, args, want in (("hmm_forward", kata.hmm_forward, (Z_INIT, Z_TRANS, Z_EMIT, obs), pi_w),
                                     ("hmm_backward", kata.hmm_backward, (Z_TRANS, Z_EMIT, obs), rho_w)):
            got = _call(fn, *_clones(*args), prop=prop, inputs=inputs, hints=[NAN_HINT])
            expect_close(got, want, f"{name}: {prop}", inputs=inputs, atol=ATOL, rtol=ATOL,
                         hints=[NAN_HINT] + table_hints("pi" if name == "hmm_forward" else "rho",
                                                        Z_INIT, Z_TRANS, Z_EMIT, obs))
        prop = "hmm_log_likelihood is exactly −inf for an impossible sequence, finite otherwise, never NaN"
        got = _call(kata.hmm_log_likelihood, *_clones(Z_INIT, Z_TRANS, Z_EMIT, obs), prop=prop, inputs=inputs)
        expect_close(got, torch.tensor(ll_w, dtype=F64), prop, inputs=inputs, atol=ATOL, rtol=ATOL,
                     hints=[NAN_HINT])


@pytest.mark.weight(2)
def test_log_likelihood_of_a_long_sequence(kata):
    """T = 3000: the log-likelihood is finite and equals a scaled forward pass to 1e-8 relative (no underflow)"""
    init, trans, emit, obs = long_case(3000, 3000)
    want = scaled_tables(init, trans, emit, obs, backward=False)[2]
    inputs = _inputs(init, trans, emit, obs, T=3000)
    prop = "hmm_log_likelihood for T = 3000 is finite and equals the scaled forward pass (no underflow)"
    warm_up(kata, "hmm_log_likelihood")
    got = _call(kata.hmm_log_likelihood, init, trans, emit, obs, prop=prop, inputs=inputs)
    hints = [NAN_HINT, Hint(UNDERFLOW_HINT.text, when=lambda g, w: isinstance(g, torch.Tensor)
                            and not bool(g.detach().isfinite().all()))]
    expect_close(got, torch.tensor(want, dtype=F64), prop, inputs=inputs, atol=0.0, rtol=1e-8, hints=hints)


def test_tables_of_a_long_sequence(kata):
    """T = 1000: the forward and backward tables are finite and equal a scaled forward-backward pass"""
    init, trans, emit, obs = long_case(1000, 1000)
    pi_w, rho_w, _ = scaled_tables(init, trans, emit, obs)
    inputs = _inputs(init, trans, emit, obs, T=1000)
    prop = "for T = 1000 the tables are finite and equal the scaled forward-backward pass (no underflow)"
    warm_up(kata, "hmm_forward", "hmm_backward")
    got = _call(kata.hmm_forward, init, trans, emit, obs, prop=prop, inputs=inputs)
    expect_close(got, pi_w, "hmm_forward: " + prop, inputs=inputs, atol=1e-8, rtol=1e-8,
                 hints=[NAN_HINT, UNDERFLOW_HINT])
    got = _call(kata.hmm_backward, trans, emit, obs, prop=prop, inputs=inputs)
    expect_close(got, rho_w, "hmm_backward: " + prop, inputs=inputs, atol=1e-8, rtol=1e-8,
                 hints=[NAN_HINT, UNDERFLOW_HINT])


def test_posterior_of_a_long_sequence(kata):
    """T = 800, j in the middle: the posterior is finite, sums to 1 and equals the scaled computation"""
    init, trans, emit, obs = long_case(800, 800)
    pi_w, rho_w, _ = scaled_tables(init, trans, emit, obs)
    j = 400
    w = pi_w[j] + rho_w[j]
    lp = torch.logsumexp(w[:, None] + emit.log(), 0)
    want = (lp - torch.logsumexp(lp, 0)).exp()
    inputs = _inputs(init, trans, emit, obs, T=800, j=j)
    prop = "hmm_missing_posterior for T = 800 is finite and equals the scaled computation (no underflow)"
    warm_up(kata, "hmm_missing_posterior")
    got = _call(kata.hmm_missing_posterior, init, trans, emit, obs, j, prop=prop, inputs=inputs)
    expect_close(got, want, prop, inputs=inputs, atol=1e-8, rtol=0,
                 hints=[Hint("π_j(h)·ρ_j(h) is about e^−1100 here: it underflows to 0 and 0/0 = NaN. Normalise in "
                             "log space: log p_v = logsumexp_h(log_pi[j] + log_rho[j] + log emit[:, v]), then "
                             "subtract logsumexp_v(log p_v) before exp.",
                             when=lambda g, w: isinstance(g, torch.Tensor) and not bool(g.isfinite().all()))])


@settings(max_examples=12)
@given(case=hmm_cases(max_T=5, possible=True), data=st.data())
def test_posterior_sums_to_one_and_ignores_the_missing_value(kata, case, data):
    """the posterior sums to 1 and does not change with the value stored at obs[j]"""
    init, trans, emit, obs = case
    T, m = obs.shape[0], emit.shape[1]
    j = data.draw(st.integers(0, T - 1), label="j")
    inputs = _inputs(init, trans, emit, obs, j=j)
    prop = "hmm_missing_posterior sums to 1 over v"
    base = _call(kata.hmm_missing_posterior, init, trans, emit, obs, j, prop=prop, inputs=inputs)
    expect_tensor(base, prop, inputs=inputs, shape=(m,))
    expect_close(base.sum(), torch.tensor(1.0, dtype=F64), prop, inputs=inputs, atol=1e-12, rtol=0,
                 hints=[Hint("normalise over v (divide by the sum over v).")])
    for v in range(m):
        o = obs.clone()
        o[j] = v
        prop = "hmm_missing_posterior does not depend on obs[j] (the value there is treated as missing)"
        got = _call(kata.hmm_missing_posterior, init, trans, emit, o, j, prop=prop,
                    inputs={**inputs, "obs[j] set to": v})
        expect_close(got, base, prop, inputs={**inputs, "obs[j] set to": v}, atol=1e-12, rtol=0,
                     hints=["neither π_j nor ρ_j contains x_j: P(x_j = v | x_{−j}) ∝ Σ_h π_j(h) ρ_j(h) P(v | h) "
                            "never reads obs[j]. Did a table include the emission of x_j?"])


def test_outputs_keep_dtype_and_device(kata):
    """float64 in → float64 out, float32 in → float32 out, meta in → meta out, with the right shapes"""
    init, trans, emit, obs = BOOK_LIKE
    T, k, m = obs.shape[0], init.shape[0], emit.shape[1]
    device_hint = ("create new tensors with the parameters' dtype and device (init.new_zeros(...), "
                   "torch.zeros(..., dtype=init.dtype, device=init.device)), never on a hard-coded one.")
    for dtype, device in ((F64, "cpu"), (torch.float32, "cpu"), (F64, "meta")):
        I, A, E = (t.to(device=device, dtype=dtype) for t in (init, trans, emit))
        x = obs.to(device)
        where = {"dtype": str(dtype), "device": device + (" (the graders' stand-in for a GPU)"
                                                          if device == "meta" else "")}
        for name, args, shape in (("hmm_forward", (I, A, E, x), (T, k)), ("hmm_backward", (A, E, x), (T, k)),
                                  ("hmm_log_likelihood", (I, A, E, x), ()),
                                  ("hmm_missing_posterior", (I, A, E, x, 1), (m,))):
            prop = f"{name} returns a {shape} tensor of the parameters' dtype on their device"
            if device == "meta":
                try:
                    got = getattr(kata, name)(*args)
                except (RuntimeError, NotImplementedError) as e:
                    text = str(e)
                    if any(s in text for s in ("same device", "expected device", "two devices",
                                               "on the same device")):
                        fail(prop, inputs=where, expected="a computation that stays on the inputs' device",
                             got=f"{type(e).__name__}: {text.splitlines()[0][:200]}", hints=[device_hint])
                    continue   # cannot run on meta at all (.item() on a value, …): no verdict, as the engine
            else:
                got = _call(getattr(kata, name), *args, prop=prop, inputs=where)
            expect_tensor(got, prop, inputs=where, shape=shape, dtype=dtype, hints=[device_hint])
            expect(got.device.type == device, prop, inputs=where, expected=f"device {device}",
                   got=f"device {got.device}", hints=[device_hint])


def test_inputs_are_not_modified(kata):
    """the functions leave init, trans, emit and obs unchanged"""
    init, trans, emit, obs = BOOK_LIKE
    for name, args in (("hmm_forward", (init, trans, emit, obs)), ("hmm_backward", (trans, emit, obs)),
                       ("hmm_log_likelihood", (init, trans, emit, obs)),
                       ("hmm_missing_posterior", (init, trans, emit, obs, 2))):
        mine = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
        prop = f"{name} leaves its inputs unchanged"
        _call(getattr(kata, name), *mine, prop=prop, inputs={}, clone=False)
        for a, b, nm in zip(mine, args, ("init", "trans", "emit", "obs") if len(args) != 3 else
                            ("trans", "emit", "obs")):
            if isinstance(a, torch.Tensor):
                expect(torch.equal(a, b), prop, inputs={"argument": nm}, expected=b, got=a,
                       hints=["take logarithms into new tensors (trans.log(), not trans.log_()); never write into "
                              "an argument."])
