"""Graders for papers/naturalspeech2.py (residual vector quantisation: encode, decode, the straight-through
estimator with the commitment loss, the CE-RVQ loss, the EMA codebook update).

Oracles (never the learner's own functions), all in float64:
* ``rvq_encode``: a loop over the stages with explicit squared distances ((r − e)²).sum(−1) and ``argmin`` (the
  brute-force nearest codeword of each residual, ties to the lowest index); for R = 1 every frame's code is checked
  against every codeword; codes built from well-separated levels must come back exactly;
* ``rvq_decode``: Σ_j codebooks[j, codes[:, j]] written as a loop;
* ``rvq_straight_through``: the value and codes from the oracles above; the commitment loss and its gradient by
  autograd on the contract's formula (detached codewords);
* ``rvq_ce_loss``: ``F.cross_entropy`` on −‖residual − e‖² with ground-truth residuals, and its autograd gradient;
* ``ema_codebook_update``: the VQ-VAE / EnCodec formulas with an explicit loop for the per-code counts and sums.

Random data: latents N(0, 1), codebooks N(0, 0.5^j) for stage j (a coarse-to-fine RVQ). Random cases are redrawn
until every stage's best and second-best distances differ by more than 1e-3 (no near-ties, Clarification 28); ties
are only made with small-integer data, where every distance formula is exact.

Tolerances (Clarification 1): codes exactly; float32 values atol 1e-6·(1 + max|value|)·k (k = 4 for sums and the
straight-through value — z + (z_q − z) may differ from z_q in the last bit —, 8 for the losses) plus rtol 1e-5;
float64 1e-12.

Hints are float64 re-computations of the classic mistakes (every stage quantising z instead of the residual, the
residual not accumulated, dot-product similarity, codebook 0 for every column, the straight-through trick written
backwards, codewords not detached in the commitment loss, +distance logits, ẑ's own codes in the CE-RVQ residual,
decay on the wrong term, no smoothing, …); each is shown only when the learner's result matches that mistake.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, run_beside
from tests import shippable_papers_naturalspeech2 as ship
from tests.helpers import call, gen, near
from tests.strategies import seeds

F32, F64 = torch.float32, torch.float64


# ================================================================================================ data
def _normal(shape, seed, dtype=F32, scale=1.0):
    return (torch.randn(shape, generator=gen(seed), dtype=F64) * scale).to(dtype)


def _codebooks(R, K, D, seed, dtype=F32):
    """R codebooks of K codewords, stage j drawn N(0, 0.5^j): coarse to fine."""
    scales = torch.tensor([0.5 ** j for j in range(R)], dtype=F64)[:, None, None]
    return (torch.randn((R, K, D), generator=gen(seed), dtype=F64) * scales).to(dtype)


def _atol(*tensors, k=4.0):
    m = 0.0
    for t in tensors:
        if isinstance(t, torch.Tensor) and t.numel() and t.is_floating_point():
            a = t.detach().double().abs()
            a = a[a.isfinite()]
            if a.numel():
                m = max(m, float(a.max()))
    return 1e-6 * k * (1.0 + m)


def _sqdist(r, e):
    return ((r[:, None, :] - e[None, :, :]) ** 2).sum(-1)             # (N, K)


def _encode_oracle(z, cb, variant=None):
    """Codes (N, R) and the final residual r_R, float64; ``variant`` re-computes a classic mistake."""
    z64, cb64 = z.double(), cb.double()
    r = z64
    codes = []
    for j in range(cb64.shape[0]):
        src = z64 if variant == "input" else r
        d = _sqdist(src, cb64[j])
        if variant == "dot":
            c = (src @ cb64[j].T).argmax(1)
        elif variant == "farthest":
            c = d.argmax(1)
        elif variant == "last_tie":
            c = d.shape[1] - 1 - d.flip(1).argmin(1)
        else:
            c = d.argmin(1)
        codes.append(c)
        r = (z64 - cb64[j][c]) if variant == "not_accumulated" else r - cb64[j][c]
    return torch.stack(codes, 1), r


def _min_gap(z, cb):
    """The smallest gap between the best and second-best squared distance over all stages (float64 oracle path)."""
    z64, cb64 = z.double(), cb.double()
    r, gap = z64, float("inf")
    for j in range(cb64.shape[0]):
        d = _sqdist(r, cb64[j])
        if d.shape[1] > 1:
            two = d.topk(2, dim=1, largest=False).values
            gap = min(gap, float((two[:, 1] - two[:, 0]).min()))
        r = r - cb64[j][d.argmin(1)]
    return gap


def _rvq_case(N, D, R, K, seed, dtype=F32):
    """(z, codebooks) without near-ties (redrawn with the next seed until every gap exceeds 1e-3)."""
    for attempt in range(200):
        s = seed + 7919 * attempt
        z, cb = _normal((N, D), s, dtype), _codebooks(R, K, D, s + 1, dtype)
        if _min_gap(z, cb) > 1e-3:
            return z, cb
    raise AssertionError("no tie-free case found")  # pragma: no cover


def _decode_oracle(codes, cb, variant=None):
    cb64 = cb.double()
    out = torch.zeros(codes.shape[0], cb.shape[2], dtype=F64)
    for j in range(codes.shape[1]):
        out = out + cb64[0 if variant == "codebook0" else j][codes[:, j]]
    if variant == "mean" and codes.shape[1]:
        out = out / codes.shape[1]
    return out


# ================================================================================================ rvq_encode
RESIDUAL_HINT = ("every stage quantised z itself: stage j must quantise the RESIDUAL r_{j−1} = z − Σ_{i<j} e_{i,c_i} "
                 "(what the earlier stages left over), not the input; otherwise every stage repeats the first one.")
ACCUMULATE_HINT = ("the residual is not accumulated: r_j = r_{j−1} − e_{j,c_j} (subtract from the running residual, "
                   "not from z) — z minus the last codeword is right only for R ≤ 2.")
DOT_HINT = ("argmax of r·e ranks codewords by similarity, which agrees with the distance only when every codeword has "
            "the same norm: use the squared distance ‖r − e‖² and argmin.")
FARTHEST_HINT = "argmax of the distance picks the farthest codeword: take the argmin."
TIE_HINT = ("on a tie the lowest index wins (argmin returns the first minimum); a loop with `<=` keeps the last one.")


def _encode_hints(z, cb):
    R, N = cb.shape[0], z.shape[0]
    table = [(RESIDUAL_HINT, "input"), (ACCUMULATE_HINT, "not_accumulated"), (DOT_HINT, "dot"),
             (FARTHEST_HINT, "farthest"), (TIE_HINT, "last_tie")]

    def matches(variant):
        def when(g, w):
            if not isinstance(g, torch.Tensor) or isinstance(w, torch.Tensor) and g.shape != w.shape:
                return False
            v = _encode_oracle(z, cb, variant)[0]
            return g.shape == v.shape and bool(torch.equal(g.cpu().long(), v)) and not (
                isinstance(w, torch.Tensor) and torch.equal(g.cpu().long(), w.cpu().long()))
        return when
    return [Hint(text, when=matches(v)) for text, v in table] + [
        Hint("codes are (N, R): one row per frame, one column per quantiser (stack along dim=1).",
             when=lambda g, w: isinstance(g, torch.Tensor) and tuple(g.shape) == (R, N) and R != N),
        Hint("codes are int64 indices (argmin returns int64; do not convert them).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != torch.int64),
    ]


def _check_codes(got, want, prop, inputs, hints):
    expect_tensor(got, prop + " (an int64 tensor of shape (N, R))", inputs=inputs, shape=want.shape,
                  dtype=torch.int64, hints=hints, hint_expected=want)
    expect_equal(got, want, prop, inputs=inputs, hints=hints)


@pytest.mark.core("rvq_encode")
@settings(max_examples=10)
@given(N=st.integers(1, 8), D=st.integers(1, 5), R=st.integers(1, 4), K=st.integers(2, 9), seed=seeds())
@example(N=6, D=2, R=3, K=4, seed=1)
@example(N=8, D=4, R=4, K=9, seed=2)
def test_rvq_encode_matches_loop(kata, N, D, R, K, seed):
    """rvq_encode: c_j = argmin_k ‖r_{j−1} − e_{j,k}‖², r_j = r_{j−1} − e_{j,c_j}, r_0 = z (each stage quantises the
    residual)"""
    z, cb = _rvq_case(N, D, R, K, seed)
    inputs = {"z": z, "codebooks": cb}
    hints = _encode_hints(z, cb)
    got = call(kata.rvq_encode, z, cb, prop="rvq_encode(z, codebooks)", inputs=inputs, hints=hints)
    _check_codes(got, _encode_oracle(z, cb)[0], "rvq_encode equals the residual quantisation loop", inputs, hints)


def test_rvq_encode_R1_is_nearest_neighbour(kata):
    """with one codebook, every frame gets its nearest codeword (checked against every codeword)"""
    for N, D, K, seed in ((7, 3, 9, 11), (5, 1, 4, 12), (8, 5, 6, 13)):
        z, cb = _rvq_case(N, D, 1, K, seed)
        inputs = {"z": z, "codebooks": cb}
        hints = _encode_hints(z, cb)
        got = call(kata.rvq_encode, z, cb, prop="rvq_encode(z, codebooks) with R = 1", inputs=inputs, hints=hints)
        want = _encode_oracle(z, cb)[0]
        _check_codes(got, want, "rvq_encode with R = 1 is nearest-neighbour search", inputs, hints)
        d = _sqdist(z.double(), cb[0].double())
        for n in range(N):
            c = int(got[n, 0])
            expect(all(float(d[n, c]) <= float(d[n, k]) for k in range(K)), "no codeword is nearer to frame n "
                   "than the chosen one", inputs={**inputs, "frame": n}, expected=int(want[n, 0]), got=c,
                   hints=hints)


def test_rvq_encode_recovers_separated_sums(kata):
    """a sum of one codeword per level is encoded back to its codes when the levels are well separated (10, 1, 0.1)"""
    grid = torch.tensor([[a, b, c] for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)], dtype=F64)
    g = gen(21)
    cb = torch.stack([grid[torch.randperm(27, generator=g)[:9]] * s for s in (10.0, 1.0, 0.1)]).float()  # (3, 9, 3)
    want = torch.stack([torch.randint(0, 9, (8,), generator=g) for _ in range(3)], 1)                 # (8, 3)
    z = sum(cb[j].double()[want[:, j]] for j in range(3)).float()
    inputs = {"z": z, "codebooks": cb, "built from codes": want}
    hints = _encode_hints(z, cb)
    got = call(kata.rvq_encode, z, cb, prop="rvq_encode of a sum of codewords", inputs=inputs, hints=hints)
    _check_codes(got, want, "rvq_encode(Σ_j e_{j,c_j}) = c when each level's gaps exceed twice the finer levels' "
                 "total norm", inputs, hints)


def test_rvq_encode_prefix_of_codebooks(kata):
    """encoding with the first q codebooks gives the first q code columns: rvq_encode(z, cb[:q]) = rvq_encode(z, cb)[:, :q]"""
    z, cb = _rvq_case(7, 3, 4, 6, 31)
    full = call(kata.rvq_encode, z, cb, prop="rvq_encode(z, codebooks)", inputs={"z": z, "codebooks": cb},
                hints=_encode_hints(z, cb))
    for q in (1, 2, 3):
        inputs = {"z": z, "codebooks": f"codebooks[:{q}]", "rvq_encode(z, codebooks)": full}
        got = call(kata.rvq_encode, z, cb[:q].clone(), prop=f"rvq_encode(z, codebooks[:{q}])", inputs=inputs)
        expect_tensor(full, "rvq_encode returns (N, R) codes", inputs=inputs, shape=(7, 4))
        expect_equal(got, full[:, :q], f"rvq_encode(z, codebooks[:{q}]) = rvq_encode(z, codebooks)[:, :{q}]",
                     inputs=inputs, hints=_encode_hints(z, cb[:q]))


def test_rvq_encode_then_decode_leaves_the_residual(kata):
    """rvq_decode(rvq_encode(z)) = z − r_R: the quantised latent plus the last residual is z"""
    z, cb = _rvq_case(8, 4, 3, 7, 41)
    inputs = {"z": z, "codebooks": cb}
    codes = call(kata.rvq_encode, z, cb, prop="rvq_encode(z, codebooks)", inputs=inputs, hints=_encode_hints(z, cb))
    _check_codes(codes, _encode_oracle(z, cb)[0], "rvq_encode equals the residual quantisation loop", inputs,
                 _encode_hints(z, cb))
    got = call(kata.rvq_decode, codes, cb, prop="rvq_decode(rvq_encode(z))", inputs=inputs)
    want = z.double() - _encode_oracle(z, cb)[1]
    expect_close(got, want, "rvq_decode(rvq_encode(z, cb), cb) = z − r_R", inputs=inputs, atol=_atol(z, cb),
                 hints=_decode_hints(codes, cb))


def test_rvq_encode_ties_go_to_the_lowest_index(kata):
    """ties go to the lowest index: duplicated codewords and frames half-way between two codewords"""
    cb = torch.tensor([[[0.0, 0.0], [2.0, 0.0], [4.0, 0.0], [2.0, 0.0], [0.0, 2.0]],
                       [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [1.0, 0.0]]])      # (2, 5, 2)
    z = torch.tensor([[2.0, 0.0], [1.0, 0.0], [3.0, 0.0], [1.0, 1.0], [2.0, 1.0], [0.0, 0.0]])
    want = _encode_oracle(z, cb)[0]
    inputs = {"z": z, "codebooks": cb}
    hints = _encode_hints(z, cb)
    got = call(kata.rvq_encode, z, cb, prop="rvq_encode with ties", inputs=inputs, hints=hints)
    _check_codes(got, want, "on equal distances rvq_encode picks the lowest index (duplicates, midpoints)", inputs,
                 hints)


def test_rvq_encode_residual_norms_with_zero_codewords(kata):
    """when every codebook contains the zero vector, the residual norm never grows from one stage to the next"""
    z, cb = _rvq_case(8, 3, 4, 6, 51)
    cb = cb.clone()
    cb[:, 3] = 0.0
    inputs = {"z": z, "codebooks": cb, "note": "codebooks[:, 3] = 0"}
    hints = _encode_hints(z, cb)
    got = call(kata.rvq_encode, z, cb, prop="rvq_encode(z, codebooks)", inputs=inputs, hints=hints)
    expect_tensor(got, "rvq_encode returns (N, R) int64 codes", inputs=inputs, shape=(8, 4), dtype=torch.int64,
                  hints=hints)
    r = z.double()
    norms = [r.norm(dim=1)]
    for j in range(4):
        r = r - cb[j].double()[got[:, j].cpu()]
        norms.append(r.norm(dim=1))
    N = torch.stack(norms, 1)                                            # (N, R + 1)
    expect(bool((N[:, 1:] <= N[:, :-1] + 1e-6).all()), "‖r_j‖ ≤ ‖r_{j−1}‖ at every stage when 0 is a codeword",
           inputs=inputs, expected="non-increasing residual norms", got=N, hints=hints)


def test_rvq_encode_float64(kata):
    """rvq_encode of float64 data gives the same int64 codes as the float64 oracle"""
    z, cb = _rvq_case(8, 5, 4, 9, 61, F64)
    inputs = {"z": z, "codebooks": cb}
    hints = _encode_hints(z, cb)
    got = call(kata.rvq_encode, z, cb, prop="rvq_encode in float64", inputs=inputs, hints=hints)
    _check_codes(got, _encode_oracle(z, cb)[0], "rvq_encode in float64 equals the oracle", inputs, hints)


# ================================================================================================ rvq_decode
def _decode_hints(codes, cb):
    q = codes.shape[1] if isinstance(codes, torch.Tensor) and codes.dim() == 2 else 0

    def like(variant):
        return lambda g, w: near(g, _decode_oracle(codes, cb, variant), 1e-4, rel=True) and not near(g, w, 1e-4,
                                                                                                     rel=True)
    return [
        Hint("column j of the codes indexes codebook j (codebooks[j, codes[:, j]]), not codebook 0.",
             when=like("codebook0")),
        Hint("the quantised latent is the SUM of the chosen codewords, not their mean.", when=like("mean")),
        Hint(f"decode only the q = {q} columns the codes have, with the first q codebooks (range(codes.shape[1])).",
             when=lambda g, w: isinstance(g, str)),
    ]


@pytest.mark.core("rvq_decode")
@settings(max_examples=10)
@given(N=st.integers(1, 8), D=st.integers(1, 5), R=st.integers(1, 4), K=st.integers(2, 9), seed=seeds(),
       drop=st.integers(0, 3))
@example(N=5, D=3, R=3, K=4, seed=3, drop=0)
def test_rvq_decode_matches_sum(kata, N, D, R, K, seed, drop):
    """rvq_decode(codes, codebooks) = Σ_{j<q} codebooks[j, codes[:, j]] for q = the number of code columns ≤ R"""
    q = max(1, R - drop)
    cb = _codebooks(R, K, D, seed)
    codes = torch.randint(0, K, (N, q), generator=gen(seed + 1))
    inputs = {"codes": codes, "codebooks": cb}
    hints = _decode_hints(codes, cb)
    got = call(kata.rvq_decode, codes, cb, prop="rvq_decode(codes, codebooks)", inputs=inputs, hints=hints)
    expect_close(got, _decode_oracle(codes, cb), "rvq_decode = Σ_j codebooks[j, codes[:, j]]", inputs=inputs,
                 atol=_atol(cb), hints=hints)


def test_rvq_decode_prefix_and_no_columns(kata):
    """decoding the first q code columns uses the first q codebooks; zero columns decode to zeros"""
    cb = _codebooks(4, 5, 3, 71)
    codes = torch.randint(0, 5, (6, 4), generator=gen(72))
    for q in (0, 1, 2, 4):
        c = codes[:, :q].clone()
        inputs = {"codes": c, "codebooks": cb}
        got = call(kata.rvq_decode, c, cb, prop=f"rvq_decode with q = {q} columns", inputs=inputs,
                   hints=_decode_hints(c, cb))
        expect_close(got, _decode_oracle(c, cb), f"rvq_decode(codes[:, :{q}]) = Σ_{{j<{q}}} codebooks[j, codes[:, j]]",
                     inputs=inputs, atol=_atol(cb), hints=_decode_hints(c, cb))


def test_rvq_decode_too_many_columns(kata):
    """rvq_decode raises ValueError when the codes have more columns than there are codebooks (q > R)"""
    cb = _codebooks(2, 4, 3, 81)
    codes = torch.zeros(3, 3, dtype=torch.int64)
    inputs = {"codes": codes, "codebooks": cb}
    with expect_raises(ValueError, "rvq_decode raises ValueError for q > R", inputs=inputs,
                       hints=["check codes.shape[1] > codebooks.shape[0] first and raise ValueError."]):
        kata.rvq_decode(codes, cb)


def test_rvq_decode_float64(kata):
    """rvq_decode of float64 codebooks is float64, exact to 1e-12"""
    cb = _codebooks(3, 6, 4, 91, F64)
    codes = torch.randint(0, 6, (7, 3), generator=gen(92))
    inputs = {"codes": codes, "codebooks": cb}
    got = call(kata.rvq_decode, codes, cb, prop="rvq_decode in float64", inputs=inputs)
    expect_close(got, _decode_oracle(codes, cb), "rvq_decode in float64 to 1e-12", inputs=inputs, atol=1e-12,
                 rtol=1e-12, hints=_decode_hints(codes, cb))


# ================================================================================================ rvq_straight_through
def _commitment_oracle(z, cb, codes, variant=None):
    """The contract's commitment loss in float64 (or a classic mistake) and its gradient w.r.t. z (autograd)."""
    z64 = z.detach().double().clone().requires_grad_(True)
    cb64 = cb.detach().double()
    residual, losses = z64, []
    R = cb64.shape[0]
    for j in range(R):
        e = cb64[j][codes[:, j]]
        losses.append(((residual - e) ** 2).mean())
        residual = residual - e
    if variant == "final_only":
        loss = (residual ** 2).mean()
    elif variant == "sum":
        loss = torch.stack(losses).sum()
    else:
        loss = torch.stack(losses).mean()
    (g,) = torch.autograd.grad(loss, z64)
    return loss.detach(), g


COMMIT_STAGES_HINT = ("the commitment loss is the mean over the R stages of mean((r_{j−1} − sg(e_{j,c_j}))²), "
                      "r_{j−1} = z − Σ_{i<j} sg(e_{i,c_i}) — not only the final residual ‖z − z_q‖².")
COMMIT_MEAN_HINT = "average the per-stage commitment terms over the R stages (mean), not their sum."


def _commit_hints(z, cb, codes):
    return [Hint(COMMIT_STAGES_HINT, when=lambda g, w: near(g, _commitment_oracle(z, cb, codes, "final_only")[0],
                                                            1e-4, rel=True) and not near(g, w, 1e-4, rel=True)),
            Hint(COMMIT_MEAN_HINT, when=lambda g, w: near(g, _commitment_oracle(z, cb, codes, "sum")[0], 1e-4,
                                                          rel=True) and not near(g, w, 1e-4, rel=True))]


def _st_call(kata, z, cb, prop, inputs):
    got = call(kata.rvq_straight_through, z, cb, prop=prop, inputs=inputs)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "rvq_straight_through returns (z_q, codes, "
           "commitment_loss)", inputs=inputs, expected="a triple", got=got)
    return got


BACKWARDS_HINT = ("the trick is written backwards: z_q = z + (quantised − z).detach() has the quantised VALUE and "
                  "passes the gradient to z; quantised + (z − quantised).detach() has the value of z.")


@pytest.mark.core("rvq_straight_through")
@settings(max_examples=8)
@given(N=st.integers(1, 8), D=st.integers(1, 5), R=st.integers(1, 4), K=st.integers(2, 9), seed=seeds())
@example(N=6, D=3, R=3, K=5, seed=4)
def test_straight_through_values(kata, N, D, R, K, seed):
    """rvq_straight_through: z_q has the value rvq_decode(codes), codes = rvq_encode(z), and the commitment loss
    (1/R) Σ_j mean((r_{j−1} − e_{j,c_j})²)"""
    z, cb = _rvq_case(N, D, R, K, seed)
    inputs = {"z": z, "codebooks": cb}
    z_q, codes, commit = _st_call(kata, z, cb, "rvq_straight_through(z, codebooks)", inputs)
    want_codes = _encode_oracle(z, cb)[0]
    hints = _encode_hints(z, cb)
    _check_codes(codes, want_codes, "the codes of rvq_straight_through are rvq_encode's", inputs, hints)
    want_zq = _decode_oracle(want_codes, cb)
    expect_close(z_q, want_zq, "z_q has the value of rvq_decode(codes) (the quantised latent)", inputs=inputs,
                 atol=_atol(z, want_zq), hints=[Hint(BACKWARDS_HINT, when=lambda g, w: near(g, z, 1e-5)),
                                                *_decode_hints(want_codes, cb)])
    expect_tensor(commit, "the commitment loss is a 0-d tensor", inputs=inputs, shape=())
    want_c = _commitment_oracle(z, cb, want_codes)[0]
    expect_close(commit, want_c, "commitment_loss = (1/R) Σ_j mean((r_{j−1} − sg(e_{j,c_j}))²)", inputs=inputs,
                 atol=_atol(want_c, k=8), hints=_commit_hints(z, cb, want_codes))


def _no_codebook_grad(cb_leaf):
    return cb_leaf.grad is None or bool((cb_leaf.grad == 0).all())


def test_straight_through_gradient_is_identity(kata):
    """(z_q · g).sum().backward() gives z.grad = g exactly, and no gradient reaches the codebooks through z_q"""
    for seed in (101, 102):
        z0, cb0 = _rvq_case(6, 3, 3, 5, seed)
        z, cb = z0.clone().requires_grad_(True), cb0.clone().requires_grad_(True)
        g = _normal(z0.shape, seed + 50)
        inputs = {"z": z0, "codebooks": cb0, "upstream gradient g": g}
        z_q, _, _ = _st_call(kata, z, cb, "rvq_straight_through(z, codebooks)", inputs)
        expect(isinstance(z_q, torch.Tensor) and z_q.requires_grad, "z_q carries a gradient to z", inputs=inputs,
               expected="z_q with requires_grad=True", got=z_q,
               hints=["z_q must be z + (quantised − z).detach(): a detached z_q (or one built from the codebooks "
                      "only) gives the encoder no gradient at all."])
        (z_q * g).sum().backward()
        expect(z.grad is not None, "the gradient reaches z through z_q", inputs=inputs, expected="z.grad = g",
               got="z.grad is None", hints=[BACKWARDS_HINT])
        expect_close(z.grad, g, "∂z_q/∂z = I: z.grad equals the upstream gradient", inputs=inputs, atol=1e-6,
                     hints=[BACKWARDS_HINT])
        expect(_no_codebook_grad(cb), "no gradient reaches the codebooks through z_q", inputs=inputs,
               expected="codebooks.grad None or 0", got=cb.grad, hints=[BACKWARDS_HINT,
               "detach the quantised value inside the straight-through trick: z + (quantised − z).detach()."])


def test_commitment_gradient_goes_to_z_only(kata):
    """the commitment loss's gradient w.r.t. z equals the formula's, and none reaches the codebooks"""
    for seed in (111, 112):
        z0, cb0 = _rvq_case(7, 3, 3, 6, seed)
        z, cb = z0.clone().requires_grad_(True), cb0.clone().requires_grad_(True)
        inputs = {"z": z0, "codebooks": cb0}
        _, codes, commit = _st_call(kata, z, cb, "rvq_straight_through(z, codebooks)", inputs)
        want_codes = _encode_oracle(z0, cb0)[0]
        expect(isinstance(commit, torch.Tensor) and commit.requires_grad, "the commitment loss has a gradient to z",
               inputs=inputs, expected="a 0-d tensor with requires_grad=True", got=commit,
               hints=["build the commitment loss from z (not from z.detach()) and detached codewords."])
        commit.backward()
        _, want_g = _commitment_oracle(z0, cb0, want_codes)
        stage_hint = Hint("the residuals of the commitment loss are r_{j−1} = z − Σ_{i<j} sg(e_{i,c_i}): subtract "
                          "detached codewords from z. Subtracting each stage's straight-through output instead "
                          "(r − (r + sg(e − r))) cuts the gradient of every later stage.",
                          when=lambda g, w: g is not None and not near(g, w, 1e-4, rel=True))
        expect(z.grad is not None, "the commitment loss's gradient reaches z", inputs=inputs, expected=want_g,
               got="z.grad is None")
        expect_close(z.grad, want_g, "∂commitment/∂z equals autograd on (1/R) Σ_j mean((r_{j−1} − sg(e))²)",
                     inputs=inputs, atol=1e-6, hints=[stage_hint, *_commit_hints(z0, cb0, want_codes)])
        expect(_no_codebook_grad(cb), "no gradient of the commitment loss reaches the codebooks", inputs=inputs,
               expected="codebooks.grad None or 0", got=cb.grad,
               hints=["detach the codewords in the commitment loss: (r − e.detach())²; the codebooks are trained by "
                      "their own loss or the EMA update, the commitment term moves the encoder only."])


def test_straight_through_float64(kata):
    """rvq_straight_through in float64: z_q, codes and the commitment loss to 1e-12"""
    z, cb = _rvq_case(6, 4, 3, 7, 121, F64)
    inputs = {"z": z, "codebooks": cb}
    z_q, codes, commit = _st_call(kata, z, cb, "rvq_straight_through in float64", inputs)
    want_codes = _encode_oracle(z, cb)[0]
    _check_codes(codes, want_codes, "the codes of rvq_straight_through are rvq_encode's", inputs,
                 _encode_hints(z, cb))
    expect_close(z_q, _decode_oracle(want_codes, cb), "z_q in float64 to 1e-12", inputs=inputs, atol=1e-12,
                 rtol=1e-12, hints=[Hint(BACKWARDS_HINT, when=lambda g, w: near(g, z, 1e-9))])
    expect_close(commit, _commitment_oracle(z, cb, want_codes)[0], "the commitment loss in float64 to 1e-12",
                 inputs=inputs, atol=1e-12, rtol=1e-12, hints=_commit_hints(z, cb, want_codes))


# ================================================================================================ rvq_ce_loss
def _ce_oracle(z_hat, codes, cb, variant=None):
    """CE-RVQ in float64 (autograd-ready: z_hat may require grad)."""
    cb64 = cb.detach().double()
    residual, losses = z_hat, []
    own = _encode_oracle(z_hat.detach(), cb)[0] if variant == "own_codes" else None
    for j in range(codes.shape[1]):
        src = z_hat if variant == "no_residual" else residual
        d = _sqdist(src, cb64[j])
        logits = {"plus": d, "l2": -(d.clamp_min(0) + 1e-30).sqrt()}.get(variant, -d)
        losses.append(F.cross_entropy(logits, codes[:, j]))
        residual = residual - cb64[j][(own if own is not None else codes)[:, j]]
    stacked = torch.stack(losses)
    return stacked.sum() if variant == "sum" else stacked.mean()


def _ce_hints(z_hat, codes, cb):
    z64 = z_hat.detach().double()

    def like(variant):
        return lambda g, w: near(g, _ce_oracle(z64, codes, cb, variant), 1e-4, rel=True) and not near(g, w, 1e-4,
                                                                                                     rel=True)
    return [
        Hint("the logits are MINUS the squared distance (near codewords get high probability): −‖r − e_{j,k}‖².",
             when=like("plus")),
        Hint("the residual uses the GROUND-TRUTH embeddings: r_j = ẑ − Σ_{i<j} codebooks[i, codes[:, i]], not ẑ's "
             "own nearest codewords.", when=like("own_codes")),
        Hint("L_ce-rvq is the mean over the q quantizers, not the sum.", when=like("sum")),
        Hint("quantizer j scores the residual ẑ − Σ_{i<j} e_i, not ẑ itself.", when=like("no_residual")),
        Hint("the logits are minus the SQUARED distance (Clarification 29), not minus the L2 distance.",
             when=like("l2")),
    ]


def _ce_case(N, D, R, K, q, seed, dtype=F32):
    """ẑ = z + noise (a prediction), codes = the ground-truth codes of z."""
    z, cb = _rvq_case(N, D, R, K, seed, dtype)
    codes = _encode_oracle(z, cb)[0][:, :q]
    z_hat = (z.double() + _normal(z.shape, seed + 3, F64, scale=0.4)).to(dtype)
    return z_hat, codes, cb


@pytest.mark.core("rvq_ce_loss")
@settings(max_examples=8)
@given(N=st.integers(1, 8), D=st.integers(1, 5), R=st.integers(1, 4), K=st.integers(2, 9), seed=seeds(),
       drop=st.integers(0, 2))
@example(N=8, D=3, R=3, K=6, seed=5, drop=0)
def test_ce_rvq_matches_oracle(kata, N, D, R, K, seed, drop):
    """rvq_ce_loss = mean_j CE(−‖(ẑ − Σ_{i<j} e_{i,codes_i}) − e_{j,k}‖², codes_j) over the q quantizers (NS2 §3.2)"""
    q = max(1, R - drop)
    z_hat, codes, cb = _ce_case(N, D, R, K, q, seed)
    inputs = {"z_hat": z_hat, "codes": codes, "codebooks": cb}
    hints = _ce_hints(z_hat, codes, cb)
    got = call(kata.rvq_ce_loss, z_hat, codes, cb, prop="rvq_ce_loss(z_hat, codes, codebooks)", inputs=inputs,
               hints=hints)
    expect_tensor(got, "rvq_ce_loss returns a 0-d tensor", inputs=inputs, shape=(), hints=hints)
    want = _ce_oracle(z_hat.double(), codes, cb)
    expect_close(got, want, "rvq_ce_loss = the mean over quantizers of the cross-entropy of −squared distances",
                 inputs=inputs, atol=_atol(_sqdist(z_hat.double(), cb[0].double()), k=8), rtol=1e-5, hints=hints)


def test_ce_rvq_one_quantizer_is_cross_entropy(kata):
    """with q = 1, rvq_ce_loss = F.cross_entropy(−‖ẑ − e_{0,k}‖², codes[:, 0])"""
    z_hat, codes, cb = _ce_case(8, 4, 3, 7, 1, 131)
    inputs = {"z_hat": z_hat, "codes": codes, "codebooks": cb}
    got = call(kata.rvq_ce_loss, z_hat, codes, cb, prop="rvq_ce_loss with q = 1", inputs=inputs)
    want = F.cross_entropy(-_sqdist(z_hat.double(), cb[0].double()), codes[:, 0])
    expect_close(got, want, "rvq_ce_loss(ẑ, codes[:, :1]) = F.cross_entropy(−cdist(ẑ, cb[0])², codes[:, 0])",
                 inputs=inputs, atol=_atol(_sqdist(z_hat.double(), cb[0].double()), k=8),
                 hints=_ce_hints(z_hat, codes, cb))


def test_ce_rvq_uses_ground_truth_residuals(kata):
    """the residuals subtract the ground-truth embeddings even where ẑ's own nearest codeword differs"""
    cb = torch.tensor([[[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]],
                       [[0.5, 0.0], [-0.5, 0.0], [0.0, 0.5]]])                    # (2, 3, 2)
    codes = torch.tensor([[1, 0], [2, 1], [0, 2]])                                 # ground truth
    z_hat = torch.tensor([[1.5, 0.2], [0.3, 1.2], [0.1, 0.4]])                    # row 0, 1: ẑ's nearest is code 0
    inputs = {"z_hat": z_hat, "codes": codes, "codebooks": cb}
    hints = _ce_hints(z_hat, codes, cb)
    got = call(kata.rvq_ce_loss, z_hat, codes, cb, prop="rvq_ce_loss(z_hat, codes, codebooks)", inputs=inputs,
               hints=hints)
    expect_close(got, _ce_oracle(z_hat.double(), codes, cb), "rvq_ce_loss: residual_j = ẑ − Σ_{i<j} codebooks[i, "
                 "codes[:, i]] (the ground truth, not ẑ's argmin)", inputs=inputs, atol=1e-5, hints=hints)


def test_ce_rvq_gradient(kata):
    """∂rvq_ce_loss/∂ẑ equals autograd on the CE-RVQ formula"""
    for seed, q in ((141, 3), (142, 2)):
        z_hat0, codes, cb = _ce_case(6, 3, 3, 5, q, seed)
        z_hat = z_hat0.clone().requires_grad_(True)
        inputs = {"z_hat": z_hat0, "codes": codes, "codebooks": cb}
        loss = call(kata.rvq_ce_loss, z_hat, codes, cb, prop="rvq_ce_loss(z_hat, codes, codebooks)", inputs=inputs)
        expect(isinstance(loss, torch.Tensor) and loss.requires_grad, "rvq_ce_loss keeps the graph to z_hat",
               inputs=inputs, expected="a tensor with requires_grad=True", got=loss,
               hints=["compute the loss with torch operations on z_hat (no .detach(), no .item())."])
        loss.backward()
        z64 = z_hat0.double().requires_grad_(True)
        (want,) = torch.autograd.grad(_ce_oracle(z64, codes, cb), z64)

        def grad_like(variant):
            def when(g, w):
                zz = z_hat0.double().requires_grad_(True)
                (gv,) = torch.autograd.grad(_ce_oracle(zz, codes, cb, variant), zz)
                return near(g, gv, 1e-4, rel=True) and not near(g, w, 1e-4, rel=True)
            return when
        expect_close(z_hat.grad, want, "∂rvq_ce_loss/∂ẑ equals the oracle's", inputs=inputs, atol=1e-6,
                     hints=[Hint("the residual uses the ground-truth embeddings: ẑ − Σ_{i<j} codebooks[i, codes[:, "
                                 "i]].", when=grad_like("own_codes")),
                            Hint("the logits are −‖r − e‖² (minus the squared distance).", when=grad_like("plus")),
                            Hint("average over the quantizers (the sum is q times too large).",
                                 when=grad_like("sum"))])


def test_ce_rvq_float64(kata):
    """rvq_ce_loss of float64 inputs is float64, exact to 1e-12"""
    z_hat, codes, cb = _ce_case(7, 3, 3, 6, 3, 151, F64)
    inputs = {"z_hat": z_hat, "codes": codes, "codebooks": cb}
    got = call(kata.rvq_ce_loss, z_hat, codes, cb, prop="rvq_ce_loss in float64", inputs=inputs)
    expect_close(got, _ce_oracle(z_hat, codes, cb), "rvq_ce_loss in float64 to 1e-12", inputs=inputs,
                 atol=1e-12, rtol=1e-12, hints=_ce_hints(z_hat, codes, cb))


# ================================================================================================ ema_codebook_update
def _ema_oracle(codebook, count, ssum, x, codes, decay, eps, variant=None):
    K, D = codebook.shape
    n_k = torch.zeros(K, dtype=F64)
    s_k = torch.zeros(K, D, dtype=F64)
    for n in range(x.shape[0]):
        k = int(codes[n])
        n_k[k] += 1.0
        s_k[k] += x[n].double()
    a, b = (1 - decay, decay) if variant == "decay_swapped" else (decay, 1 - decay)
    new_count = a * count.double() + b * n_k
    new_sum = a * ssum.double() + b * s_k
    total = new_count.sum()
    if variant == "no_smoothing":
        smoothed = new_count
    elif variant == "eps_only":
        smoothed = new_count + eps
    else:
        smoothed = (new_count + eps) / (total + K * eps) * total
    return new_sum / smoothed[:, None], new_count, new_sum


def _ema_hints(args, which):
    used = int(args[4].max()) + 1 if args[4].numel() else 0

    def top_rows_only(g, w):
        """right for the codes up to the highest one used, wrong above it (a count vector that is too short)"""
        return (used < args[0].shape[0] and isinstance(g, torch.Tensor) and isinstance(w, torch.Tensor)
                and g.shape == w.shape and near(g[:used], w[:used], 1e-4, rel=True) and not near(g, w, 1e-4, rel=True))

    def like(variant):
        return lambda g, w: near(g, _ema_oracle(*args, variant=variant)[which], 1e-4, rel=True) and not near(
            g, w, 1e-4, rel=True)
    return [
        Hint("decay multiplies the OLD statistics: n ← decay·n + (1 − decay)·count, m ← decay·m + (1 − decay)·Σx.",
             when=like("decay_swapped")),
        Hint("Laplace smoothing: ñ_k = (n_k + eps) / (Σn + K·eps) · Σn, then e_k = m_k / ñ_k (an unused code "
             "divides by a small positive number, not by 0).", when=like("no_smoothing")),
        Hint("Laplace smoothing renormalises: ñ_k = (n_k + eps) / (Σn + K·eps) · Σn (not just n_k + eps).",
             when=like("eps_only")),
        Hint("NaN or inf: an unused code has n_k = 0 and m_k = 0 — smooth the counts before dividing.",
             when=lambda g, w: isinstance(g, torch.Tensor) and not bool(g.isfinite().all())),
        Hint("count the codes for all K codewords, also the unused highest ones: bincount(codes, minlength=K) or "
             "index_add_ into a zeros(K) tensor.", when=lambda g, w: isinstance(g, str) or top_rows_only(g, w)),
    ]


def _ema_case(K, D, N, seed, dtype=F32, unused_top=0):
    g = gen(seed)
    codebook = _normal((K, D), seed + 1, dtype)
    count = (torch.rand(K, generator=g, dtype=F64) * 4).to(dtype)
    ssum = (codebook.double() * count.double()[:, None] + _normal((K, D), seed + 2, F64, 0.1)).to(dtype)
    x = _normal((N, D), seed + 3, dtype)
    codes = torch.randint(0, K - unused_top, (N,), generator=g)
    return codebook, count, ssum, x, codes


def _check_ema(kata, args, prop, atol=None, rtol=1e-5):
    codebook, count, ssum, x, codes, decay, eps = args
    inputs = {"codebook": codebook, "ema_count": count, "ema_sum": ssum, "x": x, "codes": codes, "decay": decay,
              "eps": eps}
    got = call(kata.ema_codebook_update, codebook, count, ssum, x, codes, decay, eps, prop=prop, inputs=inputs,
               hints=_ema_hints(args, 0))
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "ema_codebook_update returns (new_codebook, "
           "new_count, new_sum)", inputs=inputs, expected="a triple of tensors", got=got)
    want = _ema_oracle(*args)
    for i, (name, shape) in enumerate((("new_codebook", codebook.shape), ("new_count", count.shape),
                                       ("new_sum", ssum.shape))):
        expect_tensor(got[i], f"{name} has shape {tuple(shape)}", inputs=inputs, shape=shape,
                      hints=_ema_hints(args, i))
        tol = _atol(want[i], x, ssum, k=8) if atol is None else atol
        expect_close(got[i], want[i], f"{prop}: {name}", inputs=inputs, atol=tol, rtol=rtol,
                     hints=_ema_hints(args, i))
    return got


@pytest.mark.core("ema_codebook_update")
@settings(max_examples=10)
@given(K=st.integers(2, 9), D=st.integers(1, 5), N=st.integers(1, 16), seed=seeds(),
       decay=st.sampled_from([0.99, 0.9, 0.5]), eps=st.sampled_from([1e-5, 0.1]))
@example(K=5, D=3, N=12, seed=6, decay=0.9, eps=0.1)
def test_ema_matches_formula(kata, K, D, N, seed, decay, eps):
    """EMA update: n ← γn + (1−γ)count, m ← γm + (1−γ)Σx, e = m / ((n + eps)/(Σn + K·eps)·Σn) (VQ-VAE A.1, EnCodec)"""
    _check_ema(kata, (*_ema_case(K, D, N, seed), decay, eps), "ema_codebook_update follows the EMA formulas")


def test_ema_decay_zero_is_a_kmeans_step(kata):
    """with decay = 0, eps = 0 and every code used, the new codewords are the cluster means (one k-means step)"""
    K, D, N = 4, 3, 10
    codebook, count, ssum, x, _ = _ema_case(K, D, N, 161)
    codes = torch.tensor([0, 1, 2, 3, 0, 1, 1, 3, 0, 2])
    inputs = {"x": x, "codes": codes, "decay": 0.0, "eps": 0.0}
    got = call(kata.ema_codebook_update, codebook, count, ssum, x, codes, 0.0, 0.0,
               prop="ema_codebook_update(..., decay=0, eps=0)", inputs=inputs)
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "ema_codebook_update returns a triple", inputs=inputs,
           expected="(new_codebook, new_count, new_sum)", got=got)
    means = torch.stack([x.double()[codes == k].mean(0) for k in range(K)])
    expect_close(got[0], means, "decay = 0, eps = 0: each codeword becomes the mean of its frames", inputs=inputs,
                 atol=_atol(x, k=8), hints=_ema_hints((codebook, count, ssum, x, codes, 0.0, 0.0), 0))


def test_ema_count_total(kata):
    """Σ new_count = decay · Σ ema_count + (1 − decay) · N"""
    for decay, seed in ((0.99, 171), (0.8, 172)):
        codebook, count, ssum, x, codes = _ema_case(6, 2, 9, seed)
        inputs = {"ema_count": count, "codes": codes, "N": 9, "decay": decay}
        got = call(kata.ema_codebook_update, codebook, count, ssum, x, codes, decay,
                   prop="ema_codebook_update(...)", inputs=inputs)
        expect(isinstance(got, (tuple, list)) and len(got) == 3, "ema_codebook_update returns a triple",
               inputs=inputs, expected="(new_codebook, new_count, new_sum)", got=got)
        expect_tensor(got[1], "new_count has shape (K,)", inputs=inputs, shape=(6,))
        want = decay * float(count.double().sum()) + (1 - decay) * 9
        expect_close(got[1].sum(), want, "Σ new_count = decay · Σ ema_count + (1 − decay) · N", inputs=inputs,
                     atol=1e-5, hints=_ema_hints((codebook, count, ssum, x, codes, decay, 1e-5), 1))


def test_ema_unused_codes(kata):
    """codes no frame uses (also the highest ones, and ones with a zero count) keep their row and stay finite"""
    K, D, N = 7, 3, 8
    codebook, count, ssum, x, codes = _ema_case(K, D, N, 181, unused_top=3)     # codes 4, 5, 6 unused
    count, ssum = count.clone(), ssum.clone()
    count[5:] = 0.0
    ssum[5:] = 0.0
    args = (codebook, count, ssum, x, codes, 0.9, 1e-5)
    got = _check_ema(kata, args, "ema_codebook_update with unused codes")
    expect(bool(got[0].isfinite().all()), "every new codeword is finite, also for codes with zero count",
           inputs={"ema_count": count, "codes": codes}, expected="finite values", got=got[0],
           hints=_ema_hints(args, 0))


def test_ema_inputs_unchanged(kata):
    """ema_codebook_update is pure: the codebook, the EMA statistics, x and codes are not modified"""
    codebook, count, ssum, x, codes = _ema_case(5, 2, 7, 191)
    before = [t.clone() for t in (codebook, count, ssum, x, codes)]
    got = call(kata.ema_codebook_update, codebook, count, ssum, x, codes, 0.9, 1e-5,
               prop="ema_codebook_update(...)", inputs={"codes": codes})
    expect(isinstance(got, (tuple, list)) and len(got) == 3, "ema_codebook_update returns a triple",
           inputs={"codes": codes}, expected="(new_codebook, new_count, new_sum)", got=got)
    for name, t, t0 in zip(("codebook", "ema_count", "ema_sum", "x", "codes"), (codebook, count, ssum, x, codes),
                           before):
        expect_equal(t, t0, f"ema_codebook_update leaves {name} unchanged", inputs={name: t0},
                     hints=["return new tensors (decay * ema_count + ...), never mul_/add_/copy_ into the inputs."])


def test_ema_float64(kata):
    """ema_codebook_update in float64 to 1e-12"""
    _check_ema(kata, (*_ema_case(6, 3, 11, 201, F64), 0.95, 1e-3), "ema_codebook_update in float64", atol=1e-12,
               rtol=1e-12)


# ================================================================================================ meta (last)
_MIXED = ("is not on the expected device", "Expected all tensors to be on the same device",
          "found at least two devices", "indices should be either on cpu or on the same device")


def test_encode_and_decode_on_meta(kata):
    """on meta tensors (the graders' stand-in for a GPU) rvq_encode gives meta int64 codes and rvq_decode a meta
    latent"""
    for name, fn, specs, want in (
            ("rvq_encode", kata.rvq_encode, [((6, 3), "float32"), ((2, 5, 3), "float32")], ((6, 2), "int64", "meta")),
            ("rvq_decode", kata.rvq_decode, [((6, 2), "int64"), ((3, 5, 3), "float32")], ((6, 3), "float32", "meta"))):
        inputs = {"call": f"{name}(...) on meta tensors", "arguments": specs}
        got = run_beside(kata, ship.call_on_meta, fn, specs)
        if isinstance(got, str):
            expect(not any(m in got for m in _MIXED), f"{name} keeps to the inputs' device (meta in → meta out)",
                   inputs=inputs, expected="no tensor made on another device", got=got,
                   hints=["a tensor made without device= lives on the CPU: create it on the inputs' device "
                          "(torch.zeros(..., device=z.device), codebooks.new_zeros(...))."])
            continue    # needs the data on the host: no verdict (Clarification 2)
        expect(got == want, f"{name} keeps to the inputs' device: meta tensors in, meta tensors out", inputs=inputs,
               expected=want, got=got, hints=["allocate on the inputs' device (new_zeros, zeros_like, device=)."])
