"""Graders for ch9/gated.py (gru_cell, lstm_cell, gru, lstm).

Oracles: ``nn.GRUCell``, ``nn.LSTMCell``, ``nn.GRU`` and ``nn.LSTM`` (one layer, time-major) with the learner's
stacked weights copied into them: their outputs, final states and autograd gradients (wrt X / inputs, H / the state
and their own parameters, compared with the learner's gradients wrt the weights given). Weights and inputs are drawn from seeded generators (hypothesis draws the shapes and the seeds),
entries N(0, 0.7²) so that the gates are neither saturated nor near ½ and every gate mistake changes the values.

The gate-saturation properties of the contract are checked with biases of ±40 (σ(±40) is exactly 1 or 0 in float32
and float64): z = 1 copies H; r = z = 0 gives tanh(W_in x + b_in) whatever H; f = 1, i = 0 keeps C; o = 0 gives 0.

Tolerances: float32 atol 1e-5 + rtol 1e-5 (the contract's; values are bounded by a few units, and a correct float32
formula, float64-internal code or another summation order is within ~1e-6); float64 atol 1e-12 + rtol 1e-12;
gradients (float64) 1e-10. Saturated-gate identities: 1e-6.

Hints come from float64 re-computations of the classic mistakes (update gate mixed the wrong way round, the
d2l/Cho candidate, gate blocks in the wrong order, the old memory cell in H', states not carried over time, …):
a hint is shown only when the learner's result matches that mistake.
"""
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, fail, run_beside
from tests.helpers import call, gen, near
from tests.shippable_ch9_gated import META, call_on_meta
from tests.strategies import seeds

F32, F64 = torch.float32, torch.float64
ERRORS = (RuntimeError, IndexError, TypeError, ValueError, AttributeError)
SCALE = 0.7


# ------------------------------------------------------------------------------------------------ data
def _weights(G, d, h, seed, dtype=F32):
    """Stacked weights (W_ih (G·h, d), W_hh (G·h, h), b_ih, b_hh (G·h,)), entries N(0, 0.7²)."""
    g = gen(seed)
    shapes = [(G * h, d), (G * h, h), (G * h,), (G * h,)]
    return [(torch.randn(s, generator=g, dtype=F64) * SCALE).to(dtype) for s in shapes]


def _normal(shape, seed, dtype=F32, scale=1.0):
    return (torch.randn(shape, generator=gen(seed), dtype=F64) * scale).to(dtype)


def _inputs(**kw):
    names = {"W": ("W_ih", "W_hh", "b_ih", "b_hh")}
    out = {}
    for k, v in kw.items():
        if k == "W":
            out.update(dict(zip(names["W"], v)))
        else:
            out[k] = v
    return out


# ------------------------------------------------------------------------------------------------ oracles
def _load(module, suffix, W):
    with torch.no_grad():
        for name, t in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), W):
            getattr(module, name + suffix).copy_(t)
    return module


def oracle_cell(kind, X, state, W):
    """nn.GRUCell / nn.LSTMCell with the weights W: H' (GRU) or (H', C') (LSTM)."""
    d, h = X.shape[1], W[1].shape[1]
    if kind == "gru":
        return _load(nn.GRUCell(d, h, dtype=X.dtype), "", W)(X, state)
    return _load(nn.LSTMCell(d, h, dtype=X.dtype), "", W)(X, state)


def oracle_seq(kind, inputs, state, W):
    """nn.GRU / nn.LSTM (one layer, time-major): (outputs (T, B, h), H_T) or (outputs, (H_T, C_T))."""
    d, h = inputs.shape[2], W[1].shape[1]
    if kind == "gru":
        net = _load(nn.GRU(d, h, dtype=inputs.dtype), "_l0", W)
        out, hn = net(inputs, None if state is None else state[None])
        return out, hn[0]
    net = _load(nn.LSTM(d, h, dtype=inputs.dtype), "_l0", W)
    out, (hn, cn) = net(inputs, None if state is None else (state[0][None], state[1][None]))
    return out, (hn[0], cn[0])


# ------------------------------------------------------------------------------------------------ the mistakes
def ref_cell(kind, X, state, W, mistake=None):
    """The cell in float64, as written here, with one of the classic mistakes (for hints only; the graders compare
    with the nn oracles)."""
    X = X.double()
    W_ih, W_hh, b_ih, b_hh = (w.double() for w in W)
    if kind == "gru":
        H = state.double()
        gi, gh = X @ W_ih.T + b_ih, H @ W_hh.T + b_hh
        (i_r, i_z, i_n), (h_r, h_z, h_n) = gi.chunk(3, 1), gh.chunk(3, 1)
        if mistake == "zr":
            (i_z, i_r), (h_z, h_r) = (i_r, i_z), (h_r, h_z)
        r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
        if mistake == "cho":
            h_ = W_hh.chunk(3, 0)[2]
            n = torch.tanh(i_n + (r * H) @ h_.T + b_hh.chunk(3)[2])
        elif mistake == "no_reset":
            n = torch.tanh(i_n + h_n)
        elif mistake == "bias_outside":
            n = torch.tanh(i_n + b_hh.chunk(3)[2] + r * (H @ W_hh.chunk(3, 0)[2].T))
        else:
            n = torch.tanh(i_n + r * h_n)
        if mistake == "reversed":
            return z * n + (1 - z) * H
        return (1 - z) * n + z * H
    H, C = (s.double() for s in state)
    gates = X @ W_ih.T + b_ih + H @ W_hh.T + b_hh
    blocks = gates.chunk(4, 1)
    order = {"d2l_order": (0, 1, 3, 2), "fi": (1, 0, 2, 3)}.get(mistake, (0, 1, 2, 3))
    i, f, g, o = (blocks[k] for k in order)
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = g if mistake == "no_tanh_g" else torch.tanh(g)
    C2 = f * C + i * g
    if mistake == "old_C":
        return o * torch.tanh(C), C2
    if mistake == "no_tanh_C":
        return o * C2, C2
    return o * torch.tanh(C2), C2


def ref_seq(kind, inputs, state, W, mistake=None, seq_mistake=None):
    """The sequence in float64 with a cell mistake and/or a sequence mistake (hints only)."""
    T, B = inputs.shape[:2]
    h = W[1].shape[1]
    if state is None:
        z = torch.zeros(B, h, dtype=F64)
        state = z if kind == "gru" else (z, z)
    s0 = state
    outs, outs_c = [], []
    s = state
    for t in range(T):
        prev = s0 if seq_mistake == "not_carried" else s
        if seq_mistake == "C_not_carried":
            prev = (s[0], s0[1])
        s = ref_cell(kind, inputs[t], prev, W, mistake)
        if kind == "gru":
            outs.append(s)
        else:
            outs.append(s[0])
            outs_c.append(s[1])
    if seq_mistake == "shifted":
        first = s0 if kind == "gru" else s0[0]
        outs = [first.double()] + outs[:-1]
    if seq_mistake == "outputs_C":
        outs = outs_c
    out = torch.stack(outs)
    if kind == "lstm" and seq_mistake == "state_swapped":
        s = (s[1], s[0])
    return out, s


GRU_MISTAKES = {
    "reversed": "the update gate is mixed the wrong way round: z is the share of the **old** state that is kept "
                "(z close to 1 copies H — d2l §9.1's way of skipping a token), so the candidate n gets the share 1 − z.",
    "cho": "that is the d2l/Cho candidate, with the reset gate applied to H before the product (W_hn (r ⊙ h)). This "
           "kata uses PyTorch's form: the reset gate multiplies the whole hidden-side term, "
           "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).",
    "zr": "the reset and update gates are swapped: the stacked rows are in PyTorch's order (r, z, n) — rows 0..h−1 "
          "belong to the reset gate r, rows h..2h−1 to the update gate z, rows 2h..3h−1 to the candidate n.",
    "no_reset": "the reset gate is not used: r decides how much of the hidden-side term reaches the candidate "
                "(r close to 0 starts afresh), so it must multiply W_hn h + b_hn inside the tanh.",
    "bias_outside": "b_hn sits outside the reset gate: in PyTorch's form r multiplies W_hn h + b_hn together (the "
                    "third block of gh = H W_hhᵀ + b_hh, its bias included).",
}
LSTM_MISTAKES = {
    "d2l_order": "the gate blocks are read in d2l's parameter order (i, f, o, g); the stacked rows follow PyTorch's "
                 "order (i, f, g, o): the third block is the candidate g (tanh), the fourth the output gate o (sigmoid).",
    "fi": "input and forget gates swapped: PyTorch's order is (i, f, g, o) — rows 0..h−1 are the input gate, rows "
          "h..2h−1 the forget gate.",
    "old_C": "H' is computed from the old memory cell: use the new one, H' = o ⊙ tanh(C').",
    "no_tanh_C": "tanh is missing on the memory cell in H' (H' = o ⊙ tanh(C')).",
    "no_tanh_g": "the candidate block g must go through tanh before it is added to the memory cell (C' = f ⊙ C + "
                 "i ⊙ tanh(g)).",
}
SEQ_MISTAKES = {
    "not_carried": "every step starts from the initial state: carry the state along — H_t = cell(x_t, H_{t−1}), "
                   "i.e. assign the cell's result back to the state variable inside the loop.",
    "shifted": "outputs[t] must be the state **after** step t: the initial state is not an output, and the last "
               "output equals the final state.",
    "C_not_carried": "the memory cell is not carried along: each step must start from the previous step's C as "
                     "well as its H (keep both results of lstm_cell).",
    "outputs_C": "the outputs are the hidden states H_t, not the memory cells C_t.",
    "state_swapped": "return the final pair in the order (H_T, C_T): hidden state first, then memory cell.",
}
BOTH_CANDIDATE_HINT = ("the candidate is not PyTorch's: the reset gate multiplies the whole hidden-side term, "
                       "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) — neither W_hn (r ⊙ h) (d2l/Cho) nor b_hn "
                       "outside the product.")
ZERO_STATE_HINT = ("a state of None means zeros with the inputs' dtype and device: torch.zeros(B, h, "
                   "dtype=inputs.dtype, device=inputs.device) (a bare torch.zeros(B, h) is float32 on the CPU).")
INPLACE_HINT = Hint("an in-place operation on a tensor you were given (C.mul_(f), +=, H[:] = …): compute new tensors "
                    "instead; the caller's state must stay unchanged.",
                    when=lambda g, w: isinstance(g, str) and "in-place" in g)
TRANSPOSE_HINT = Hint("the weights are in PyTorch's layout: W_ih has shape (G·h, d) and W_hh (G·h, h), so the "
                      "input side is X @ W_ih.T (and H @ W_hh.T).",
                      when=lambda g, w: isinstance(g, str) and ("mat1" in g or "size of tensor" in g
                                                                 or "shapes cannot" in g))


class _Lazy(dict):
    """{key: fn(key)}, each value computed on first use (hints are evaluated only when a property fails)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        value = self[key] = self.fn(key)
        return value


def _frozen(X, state, W):
    """Copies of a call's arguments, taken before the learner's call (which might write into them)."""
    state = state.clone() if isinstance(state, torch.Tensor) else \
        None if state is None else tuple(s.clone() for s in state)
    return X.clone(), state, [w.clone() for w in W]


def _close64(a, b, tol=1e-6):
    return near(a, b, tol)


def cell_hints(kind, X, state, W):
    """Hints for a cell result: the mistakes it matches."""
    hints = [TRANSPOSE_HINT]
    X, state, W = _frozen(X, state, W)
    alts = _Lazy(lambda m: ref_cell(kind, X, state, W, m))

    def matches(g, m):
        alt = alts[m]
        if kind == "gru":
            return _close64(g, alt)
        if isinstance(g, (tuple, list)) and len(g) == 2:
            return _close64(g[0], alt[0])
        return _close64(g, alt[0]) or _close64(g, alt[1])
    return hints + _mistake_hints(kind, matches)


def _mistake_hints(kind, matches):
    """One hint per mistake of the table, shown when ``matches(got, mistake)``. For the GRU, the Cho candidate and
    b_hn outside the reset gate coincide when h = 1: then one combined hint is shown instead of both."""
    table = GRU_MISTAKES if kind == "gru" else LSTM_MISTAKES
    hints = []
    for m, text in table.items():
        if kind == "gru" and m in ("cho", "bias_outside"):
            other = "bias_outside" if m == "cho" else "cho"
            hints.append(Hint(text, when=lambda g, w, m=m, o=other: matches(g, m) and not matches(g, o)))
        else:
            hints.append(Hint(text, when=lambda g, w, m=m: matches(g, m)))
    if kind == "gru":
        hints.append(Hint(BOTH_CANDIDATE_HINT, when=lambda g, w: matches(g, "cho") and matches(g, "bias_outside")))
    return hints


def seq_hints(kind, inputs, state, W):
    """Hints for a sequence result (outputs, final): cell mistakes run over time, and the sequence mistakes."""
    hints = [TRANSPOSE_HINT]
    inputs, state, W = _frozen(inputs, state, W)
    alts = _Lazy(lambda m: ref_seq(kind, inputs, state, W, m)[0])
    hints += _mistake_hints(kind, lambda g, m: _close64(_outputs_of(g), alts[m]))
    seq = ["not_carried", "shifted"] + (["outputs_C", "C_not_carried"] if kind == "lstm" else [])
    seq_alts = _Lazy(lambda m: ref_seq(kind, inputs, state, W, None, m)[0])
    for m in seq:
        hints.append(Hint(SEQ_MISTAKES[m], when=lambda g, w, m=m: _close64(_outputs_of(g), seq_alts[m])))
    T, B = inputs.shape[:2]
    h = W[1].shape[1]
    hints.append(Hint(ZERO_STATE_HINT, when=lambda g, w: state is None and isinstance(g, str)
                      and ("dtype" in g or "device" in g or "Double" in g or "Float" in g)))
    hints.append(Hint("outputs has shape (T, B, h): stack the per-step states on a new first axis (torch.stack); "
                      "torch.cat along dim 0 gives (T·B, h).",
                      when=lambda g, w: _shape(_outputs_of(g)) == (T * B, h) and T > 1))
    return hints


def _outputs_of(g):
    if isinstance(g, (tuple, list)) and len(g) == 2:
        return g[0]
    return g


def _shape(t):
    return tuple(t.shape) if isinstance(t, torch.Tensor) else None


# ------------------------------------------------------------------------------------------------ calling
def _cell(kata, kind, X, state, W, prop, inputs, hints=()):
    fn = kata.gru_cell if kind == "gru" else kata.lstm_cell
    return call(fn, X, state, *W, prop=prop, inputs=inputs, hints=hints, catch=ERRORS)


def _seq(kata, kind, inputs_, state, W, prop, inputs, hints=()):
    fn = kata.gru if kind == "gru" else kata.lstm
    return call(fn, inputs_, state, *W, prop=prop, inputs=inputs, hints=hints, catch=ERRORS)


def _pair(got, prop, inputs, what, hints=()):
    """``got`` must be a pair (a tuple or list of two)."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(prop, inputs=inputs, expected=f"a pair {what}", got=got, hints=list(hints) + [
            f"return the pair {what} (a tuple of two)."], hint_got=got)
    return got


def expect_lstm_state(got, want, prop, inputs, hints, atol, rtol, dtype):
    _pair(got, prop, inputs, "(H', C')", hints)
    expect_close(got[0], want[0], prop + ": H'", inputs=inputs, atol=atol, rtol=rtol, hints=hints,
                 dtype=dtype, check_dtype=True)
    expect_close(got[1], want[1], prop + ": C'", inputs=inputs, atol=atol, rtol=rtol, hints=hints,
                 dtype=dtype, check_dtype=True)


def check_cell(kata, kind, X, state, W, prop, dtype=F32):
    atol, rtol = (1e-5, 1e-5) if dtype == F32 else (1e-12, 1e-12)
    inputs = _inputs(X=X, **({"H": state} if kind == "gru" else {"(H, C)": state}), W=W)
    hints = cell_hints(kind, X, state, W)
    with torch.no_grad():
        want = oracle_cell(kind, X, state, W)       # before the learner's call (which might write into the state)
    got = _cell(kata, kind, X, state, W, prop, inputs, hints)
    if kind == "gru":
        expect_close(got, want, prop, inputs=inputs, atol=atol, rtol=rtol, hints=hints, dtype=dtype,
                     check_dtype=True)
    else:
        expect_lstm_state(got, want, prop, inputs, hints, atol, rtol, dtype)


def check_seq(kata, kind, inputs_, state, W, prop, dtype=F32):
    atol, rtol = (1e-5, 1e-5) if dtype == F32 else (1e-12, 1e-12)
    label = "H" if kind == "gru" else "state"
    inputs = _inputs(inputs=inputs_, **{label: "None (zeros)" if state is None else state}, W=W)
    hints = seq_hints(kind, inputs_, state, W)
    final = "H_T" if kind == "gru" else "(H_T, C_T)"
    with torch.no_grad():
        want_out, want_final = oracle_seq(kind, inputs_, state, W)
    got = _seq(kata, kind, inputs_, state, W, prop, inputs, hints)
    got = _pair(got, prop, inputs, f"(outputs, {final})", hints)
    expect_close(got[0], want_out, prop + ": outputs", inputs=inputs, atol=atol, rtol=rtol, hints=hints,
                 dtype=dtype, check_dtype=True)
    T, B = inputs_.shape[:2]
    h = W[1].shape[1]
    final_hints = [
        Hint("the final state has the cell's shape (B, h); nn.GRU's (1, B, h) is not this function's.",
             when=lambda g, w: _shape(g) == (1, B, h)),
        Hint("the final state is the state after the last step (it equals outputs[-1]).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == (B, h) and T > 1
             and _close64(g, want_out[0].double()))]
    if kind == "gru":
        expect_close(got[1], want_final, prop + ": H_T", inputs=inputs, atol=atol, rtol=rtol,
                     hints=final_hints, dtype=dtype, check_dtype=True)
    else:
        sw = [Hint(SEQ_MISTAKES["state_swapped"], when=lambda g, w: isinstance(g, (tuple, list)) and len(g) == 2
                   and _close64(g[0], want_final[1]) and _close64(g[1], want_final[0]))]
        _pair(got[1], prop + ": the final state", inputs, "(H_T, C_T)")
        for j, name in enumerate(("H_T", "C_T")):
            expect_close(got[1][j], want_final[j], prop + f": {name}", inputs=inputs, atol=atol, rtol=rtol,
                         hints=sw + final_hints, dtype=dtype, check_dtype=True)


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def cell_cases(draw, G, dtype=F32):
    B, d, h = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    seed = draw(seeds())
    X = _normal((B, d), seed + 1, dtype)
    H = _normal((B, h), seed + 2, dtype, 0.8)
    C = _normal((B, h), seed + 3, dtype, 1.5)
    return X, H, C, _weights(G, d, h, seed, dtype)


@st.composite
def seq_cases(draw, G, dtype=F32):
    T, B = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    d, h = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    seed = draw(seeds())
    given_state = draw(st.booleans())
    inputs = _normal((T, B, d), seed + 1, dtype)
    H = _normal((B, h), seed + 2, dtype, 0.8) if given_state else None
    C = _normal((B, h), seed + 3, dtype, 1.5) if given_state else None
    return inputs, H, C, _weights(G, d, h, seed, dtype)


def _book_cell(G):
    """A hand-sized case: B = 2, d = 3, h = 2."""
    X = torch.tensor([[1.0, -0.5, 0.25], [0.0, 2.0, -1.0]])
    H = torch.tensor([[0.5, -0.25], [-1.0, 0.75]])
    C = torch.tensor([[1.0, -2.0], [0.5, 0.0]])
    return X, H, C, _weights(G, 3, 2, 2024)


# ------------------------------------------------------------------------------------------------ cells (core)
@pytest.mark.core("gru_cell")
@settings(max_examples=20)
@given(case=cell_cases(3))
@example(case=_book_cell(3))
def test_gru_cell_matches_nn_grucell(kata, case):
    """gru_cell(X, H, W_ih, W_hh, b_ih, b_hh) equals nn.GRUCell with the same weights (PyTorch's gate form)"""
    X, H, _, W = case
    check_cell(kata, "gru", X, H, W, "gru_cell(X, H, …) = nn.GRUCell(X, H) with the same stacked weights")


@pytest.mark.core("lstm_cell")
@settings(max_examples=20)
@given(case=cell_cases(4))
@example(case=_book_cell(4))
def test_lstm_cell_matches_nn_lstmcell(kata, case):
    """lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh) equals nn.LSTMCell with the same weights (gates i, f, g, o)"""
    X, H, C, W = case
    check_cell(kata, "lstm", X, (H, C), W, "lstm_cell(X, (H, C), …) = nn.LSTMCell(X, (H, C)) with the same weights")


# ------------------------------------------------------------------------------------------------ saturated gates
def _saturate(W, h, blocks):
    """A copy of the weights with b_ih's blocks set to ±40 ({block index: value})."""
    W = [w.clone() for w in W]
    for k, v in blocks.items():
        W[2][k * h:(k + 1) * h] = v
    return W


def test_gru_cell_update_gate_one_copies_state(kata):
    """an update gate z = 1 (b_iz = +40) copies the old state: gru_cell(X, H) = H"""
    for seed, (B, d, h) in enumerate([(2, 3, 4), (3, 2, 2), (1, 4, 3)]):
        W = _saturate(_weights(3, d, h, 100 + seed), h, {1: 40.0})
        X, H = _normal((B, d), 200 + seed), _normal((B, h), 300 + seed)
        inputs = _inputs(X=X, H=H, W=W)
        inputs["note"] = "b_ih[h:2h] = +40, so z = σ(40 + …) = 1"
        prop = "with the update gate z = 1, gru_cell returns H unchanged"
        rev = ref_cell("gru", X, H, W, "reversed")                     # = the candidate n
        zr = ref_cell("gru", X, H, W, "zr")                            # r = 1 is read as z: no copy
        want = H.clone()                                               # before the call (it might write into H)
        got = _cell(kata, "gru", X, H, W, prop, inputs)
        expect_close(got, want, prop, inputs=inputs, atol=1e-6, rtol=0, hints=[
            Hint(GRU_MISTAKES["reversed"], when=lambda g, w, rev=rev: near(g, rev, 1e-5)),
            Hint(GRU_MISTAKES["zr"], when=lambda g, w, zr=zr: near(g, zr, 1e-5)),
            Hint("the update gate is the second block of rows (h..2h−1) and H' = (1 − z) ⊙ n + z ⊙ H, so z = 1 "
                 "must give H exactly.", when=lambda g, w, rev=rev, zr=zr: not near(g, rev, 1e-5)
                 and not near(g, zr, 1e-5))])


def test_gru_cell_closed_gates_give_tanh_of_input_side(kata):
    """r = z = 0 (b_ir = b_iz = −40): gru_cell gives tanh(W_in x + b_in), whatever H is"""
    for seed, (B, d, h) in enumerate([(2, 3, 4), (3, 2, 2)]):
        W = _saturate(_weights(3, d, h, 400 + seed), h, {0: -40.0, 1: -40.0})
        X = _normal((B, d), 500 + seed)
        want = torch.tanh(X.double() @ W[0][2 * h:].double().T + W[2][2 * h:].double()).float()
        with_bhn = torch.tanh(X.double() @ W[0][2 * h:].double().T + W[2][2 * h:].double()
                              + W[3][2 * h:].double())
        for k, H in enumerate((_normal((B, h), 600 + seed), -2 * _normal((B, h), 700 + seed))):
            inputs = _inputs(X=X, H=H, W=W)
            inputs["note"] = "b_ih[:2h] = −40, so r = z = 0"
            prop = "with r = z = 0, gru_cell(X, H) = tanh(X W_inᵀ + b_in) for any H"
            got = _cell(kata, "gru", X, H, W, prop, inputs)
            expect_close(got, want, prop, inputs=inputs, atol=1e-6, rtol=0, hints=[
                Hint("b_hn still reaches the candidate although r = 0: the reset gate must multiply the whole "
                     "hidden-side term W_hn h + b_hn (PyTorch's form), b_hn included.",
                     when=lambda g, w, with_bhn=with_bhn: near(g, with_bhn, 1e-5)),
                Hint(GRU_MISTAKES["reversed"], when=lambda g, w, H=H: near(g, H, 1e-5)),
                Hint("with r = 0 the old state must not reach the candidate: r multiplies the hidden side, "
                     "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).",
                     when=lambda g, w, H=H, with_bhn=with_bhn: not near(g, with_bhn, 1e-5)
                     and not near(g, H, 1e-5))])


def test_lstm_cell_forget_one_input_zero_keeps_memory(kata):
    """f = 1 and i = 0 (b_if = +40, b_ii = −40) keep the memory cell: C' = C"""
    for seed, (B, d, h) in enumerate([(2, 3, 4), (1, 2, 3)]):
        W = _saturate(_weights(4, d, h, 800 + seed), h, {0: -40.0, 1: 40.0})
        X, H, C = _normal((B, d), 900 + seed), _normal((B, h), 1000 + seed), _normal((B, h), 1100 + seed, F32, 2)
        inputs = _inputs(X=X, **{"(H, C)": (H, C)}, W=W)
        inputs["note"] = "b_ih[:h] = −40 (i = 0), b_ih[h:2h] = +40 (f = 1)"
        prop = "with f = 1 and i = 0, lstm_cell keeps the memory cell: C' = C"
        fi = ref_cell("lstm", X, (H, C), W, "fi")[1]
        want = C.clone()                                               # before the call (it might write into C)
        got = _pair(_cell(kata, "lstm", X, (H, C), W, prop, inputs), prop, inputs, "(H', C')")
        expect_close(got[1], want, prop, inputs=inputs, atol=1e-6, rtol=0, hints=[
            Hint(LSTM_MISTAKES["fi"], when=lambda g, w, fi=fi: near(g, fi, 1e-5)),
            Hint("C' = f ⊙ C + i ⊙ tanh(g): the old cell is scaled by the forget gate (rows h..2h−1), the "
                 "candidate by the input gate (rows 0..h−1).", when=lambda g, w, fi=fi: not near(g, fi, 1e-5))])


def test_lstm_cell_output_gate_zero_gives_zero_state(kata):
    """an output gate o = 0 (b_io = −40) gives H' = 0, whatever the memory cell holds"""
    for seed, (B, d, h) in enumerate([(2, 3, 4), (3, 1, 2)]):
        W = _saturate(_weights(4, d, h, 1200 + seed), h, {3: -40.0})
        X, H, C = _normal((B, d), 1300 + seed), _normal((B, h), 1400 + seed), _normal((B, h), 1500 + seed, F32, 2)
        inputs = _inputs(X=X, **{"(H, C)": (H, C)}, W=W)
        inputs["note"] = "b_ih[3h:4h] = −40, so o = 0"
        prop = "with the output gate o = 0, lstm_cell gives H' = 0"
        d2l = ref_cell("lstm", X, (H, C), W, "d2l_order")[0]             # before the call (it might write into C)
        got = _pair(_cell(kata, "lstm", X, (H, C), W, prop, inputs), prop, inputs, "(H', C')")
        expect_close(got[0], torch.zeros(B, h), prop, inputs=inputs, atol=1e-6, rtol=0, hints=[
            Hint(LSTM_MISTAKES["d2l_order"], when=lambda g, w, d2l=d2l: near(g, d2l, 1e-5)),
            Hint("the fourth block of rows (3h..4h−1) is the output gate o, and H' = o ⊙ tanh(C').")])


# ------------------------------------------------------------------------------------------------ sequences (core)
def _book_seq(G, with_state=True):
    inputs = torch.tensor([[[1.0, -0.5]], [[0.25, 2.0]], [[-1.0, 0.5]], [[0.0, -1.5]]])      # (4, 1, 2)
    H = torch.tensor([[0.5, -0.25, 1.0]]) if with_state else None
    C = torch.tensor([[1.0, -2.0, 0.5]]) if with_state else None
    return inputs, H, C, _weights(G, 2, 3, 77)


@pytest.mark.core("gru")
@settings(max_examples=20)
@given(case=seq_cases(3))
@example(case=_book_seq(3))
@example(case=_book_seq(3, with_state=False))
def test_gru_matches_nn_gru(kata, case):
    """gru(inputs, H, …) equals a one-layer nn.GRU with the same weights: outputs (T, B, h) and H_T (B, h)"""
    inputs_, H, _, W = case
    check_seq(kata, "gru", inputs_, H, W, "gru(inputs, H, …) = nn.GRU(inputs, H[None])")


@pytest.mark.core("lstm")
@settings(max_examples=20)
@given(case=seq_cases(4))
@example(case=_book_seq(4))
@example(case=_book_seq(4, with_state=False))
def test_lstm_matches_nn_lstm(kata, case):
    """lstm(inputs, (H, C), …) equals a one-layer nn.LSTM with the same weights: outputs and (H_T, C_T)"""
    inputs_, H, C, W = case
    check_seq(kata, "lstm", inputs_, None if H is None else (H, C), W,
              "lstm(inputs, (H, C), …) = nn.LSTM(inputs, (H[None], C[None]))")


# ------------------------------------------------------------------------------------------------ float64
@settings(max_examples=6)
@given(cell=cell_cases(3, F64), seq=seq_cases(3, F64))
def test_gru_float64(kata, cell, seq):
    """float64 in, float64 out: gru_cell and gru equal nn.GRUCell / nn.GRU in float64 to 1e-12"""
    X, H, _, W = cell
    check_cell(kata, "gru", X, H, W, "gru_cell in float64 = nn.GRUCell in float64", F64)
    inputs_, H, _, W = seq
    check_seq(kata, "gru", inputs_, H, W, "gru in float64 = nn.GRU in float64 (a zero state in float64 too)", F64)


@settings(max_examples=6)
@given(cell=cell_cases(4, F64), seq=seq_cases(4, F64))
def test_lstm_float64(kata, cell, seq):
    """float64 in, float64 out: lstm_cell and lstm equal nn.LSTMCell / nn.LSTM in float64 to 1e-12"""
    X, H, C, W = cell
    check_cell(kata, "lstm", X, (H, C), W, "lstm_cell in float64 = nn.LSTMCell in float64", F64)
    inputs_, H, C, W = seq
    check_seq(kata, "lstm", inputs_, None if H is None else (H, C), W,
              "lstm in float64 = nn.LSTM in float64 (zero states in float64 too)", F64)


# ------------------------------------------------------------------------------------------------ gradients
DETACH_HINT = Hint("no gradient flows back: the result must stay connected to X, the state and the weights (no "
                   ".detach(), .data, .item() or torch.tensor(...) re-wrapping, no torch.no_grad()).")


def _grads(out_parts, leaves, cotangents, prop, inputs):
    loss = sum((o * v).sum() for o, v in zip(out_parts, cotangents))
    try:
        gs = torch.autograd.grad(loss, leaves, allow_unused=True)
    except RuntimeError as e:
        fail(prop, inputs=inputs, expected="a result connected to the autograd graph", got=f"RuntimeError: {e}",
             hints=[DETACH_HINT])
    return gs


def _call_hints():
    return [INPLACE_HINT, Hint(DETACH_HINT.text, when=lambda g, w: isinstance(g, str) and "grad" in g
                               and "in-place" not in g)]


def _leaves(*ts):
    return [t.detach().clone().requires_grad_(True) for t in ts]


def _check_grads(kata, kind, seq, seed):
    g = gen(seed)
    G = 3 if kind == "gru" else 4
    T, B, d, h = 3, 2, 3, 2
    W = _weights(G, d, h, seed, F64)
    X = torch.randn((T, B, d) if seq else (B, d), generator=g, dtype=F64)
    H = torch.randn(B, h, generator=g, dtype=F64)
    C = torch.randn(B, h, generator=g, dtype=F64)
    names = ["inputs" if seq else "X", "H"] + (["C"] if kind == "lstm" else []) + ["W_ih", "W_hh", "b_ih", "b_hh"]
    mine = _leaves(X, H, *([C] if kind == "lstm" else []), *W)
    theirs = _leaves(X, H, *([C] if kind == "lstm" else []), *W)
    what = ("gru" if kind == "gru" else "lstm") + ("" if seq else "_cell")
    oracle = {"gru_cell": "nn.GRUCell", "lstm_cell": "nn.LSTMCell", "gru": "nn.GRU", "lstm": "nn.LSTM"}[what]
    prop = f"the gradients of {what} wrt {', '.join(names)} equal {oracle}'s (float64)"
    inputs = {"shapes": f"{'T = 3, ' if seq else ''}B = 2, d = 3, h = 2", "loss": "Σ (result ⊙ fixed random weights)"}
    nw = 4
    if kind == "gru":
        state_m, state_t = mine[1], theirs[1]
    else:
        state_m, state_t = (mine[1], mine[2]), (theirs[1], theirs[2])
    Wm, Wt = mine[-nw:], theirs[-nw:]
    if seq:
        got = _pair(_seq(kata, kind, mine[0], state_m, Wm, prop, inputs, _call_hints()), prop, inputs,
                    "(outputs, final state)")
        want, weights = _oracle_seq_autograd(kind, theirs[0], state_t, Wt)
        got_parts = [got[0]] + (list(got[1]) if kind == "lstm" else [got[1]])
    else:
        got = _cell(kata, kind, mine[0], state_m, Wm, prop, inputs, _call_hints())
        want, weights = _oracle_cell_autograd(kind, theirs[0], state_t, Wt)
        got_parts = [got] if kind == "gru" else list(got)
    cot = [torch.randn(w.shape, generator=g, dtype=F64) for w in want]
    gm = _grads(got_parts, mine, cot, prop, inputs)
    gt = torch.autograd.grad(sum((o * v).sum() for o, v in zip(want, cot)), theirs[:-nw] + weights)
    for name, a, b in zip(names, gm, gt):
        if a is None:
            fail(prop, inputs=inputs, expected=f"a gradient for {name}", got="None (it does not reach the result)",
                 hints=[DETACH_HINT])
        expect_close(a, b, f"{prop}: d/d{name}", inputs=inputs, atol=1e-10, rtol=1e-10)


def _oracle_cell_autograd(kind, X, state, W):
    """nn.GRUCell / nn.LSTMCell with the weights W copied in: (results, [its four parameters])."""
    d, h = X.shape[1], W[1].shape[1]
    cell = _load((nn.GRUCell if kind == "gru" else nn.LSTMCell)(d, h, dtype=X.dtype), "", W)
    out = cell(X, state)
    weights = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    return ([out] if kind == "gru" else list(out)), weights


def _oracle_seq_autograd(kind, inputs, state, W):
    """nn.GRU / nn.LSTM (one layer) with the weights W copied in: ([outputs, final state(s)], [its parameters])."""
    d, h = inputs.shape[2], W[1].shape[1]
    net = _load((nn.GRU if kind == "gru" else nn.LSTM)(d, h, dtype=inputs.dtype), "_l0", W)
    weights = [net.weight_ih_l0, net.weight_hh_l0, net.bias_ih_l0, net.bias_hh_l0]
    if kind == "gru":
        out, hn = net(inputs, state[None])
        return [out, hn[0]], weights
    out, (hn, cn) = net(inputs, (state[0][None], state[1][None]))
    return [out, hn[0], cn[0]], weights


def test_gru_cell_gradients(kata):
    """gradients of gru_cell wrt X, H and every weight equal nn.GRUCell's (float64)"""
    for seed in (1, 2):
        _check_grads(kata, "gru", False, seed)


def test_lstm_cell_gradients(kata):
    """gradients of lstm_cell wrt X, H, C and every weight equal nn.LSTMCell's (float64)"""
    for seed in (3, 4):
        _check_grads(kata, "lstm", False, seed)


def test_gru_gradients(kata):
    """gradients of gru wrt the inputs, the initial state and every weight equal nn.GRU's (float64)"""
    for seed in (5, 6):
        _check_grads(kata, "gru", True, seed)


def test_lstm_gradients(kata):
    """gradients of lstm wrt the inputs, (H, C) and every weight equal nn.LSTM's (float64)"""
    for seed in (7, 8):
        _check_grads(kata, "lstm", True, seed)


# ------------------------------------------------------------------------------------------------ conventions
def test_inputs_are_not_modified(kata):
    """the inputs, the states and the weights are unchanged after each of the four functions"""
    for kind in ("gru", "lstm"):
        G = 3 if kind == "gru" else 4
        W = _weights(G, 3, 2, 31 + G)
        X, H, C = _normal((2, 3), 41), _normal((2, 2), 42), _normal((2, 2), 43)
        seq = _normal((3, 2, 3), 44)
        state = H if kind == "gru" else (H, C)
        for what in ("cell", "seq"):
            args = [X if what == "cell" else seq, state, *W]
            copies = [a.clone() if isinstance(a, torch.Tensor) else tuple(s.clone() for s in a) for a in args]
            name = kind + ("_cell" if what == "cell" else "")
            prop = f"{name} leaves its arguments unchanged"
            inputs = {"call": f"{name}({'X' if what == 'cell' else 'inputs'}, {'H' if kind == 'gru' else '(H, C)'}, "
                              "W_ih, W_hh, b_ih, b_hh)"}
            fn = getattr(kata, name)
            call(fn, *args, prop=prop, inputs=inputs, catch=ERRORS)
            labels = ["X" if what == "cell" else "inputs", "H" if kind == "gru" else "(H, C)",
                      "W_ih", "W_hh", "b_ih", "b_hh"]
            for label, a, c in zip(labels, args, copies):
                pairs = [(a, c)] if isinstance(a, torch.Tensor) else list(zip(a, c))
                for x, y in pairs:
                    expect(torch.equal(x, y), prop, inputs={**inputs, "argument": label}, expected=y, got=x,
                           hints=["compute new tensors (C_new = f * C + i * g) instead of writing into the ones "
                                  "you were given (C.mul_(f), H[:] = …, +=)."])


def _shapes(desc):
    """The shapes in a :func:`describe` result (its dtypes and devices left out)."""
    if isinstance(desc, tuple) and len(desc) == 3 and isinstance(desc[0], tuple) and isinstance(desc[1], str):
        return desc[0]
    if isinstance(desc, tuple):
        return tuple(_shapes(d) for d in desc)
    return desc


def _meta(shape, dtype="float32"):
    return (META, tuple(shape), dtype)


def test_meta_inputs_give_meta_outputs(kata):
    """on meta tensors (the stand-in for a GPU) every function returns meta tensors of the right shapes and dtype"""
    B, d, h, T = 2, 3, 4, 5
    cases = []
    for kind, G in (("gru", 3), ("lstm", 4)):
        W = [_meta((G * h, d)), _meta((G * h, h)), _meta((G * h,)), _meta((G * h,))]
        st_ = _meta((B, h)) if kind == "gru" else (_meta((B, h)), _meta((B, h)))
        cell_want = ((B, h), "float32", "meta")
        cases.append((kind + "_cell", [_meta((B, d)), st_, *W],
                      cell_want if kind == "gru" else (cell_want, cell_want)))
        seq_want = (((T, B, h), "float32", "meta"), cell_want if kind == "gru" else (cell_want, cell_want))
        cases.append((kind, [_meta((T, B, d)), st_, *W], seq_want))
        cases.append((kind, [_meta((T, B, d)), None, *W], seq_want))
    for name, specs, want in cases:
        state_txt = "None" if specs[1] is None else "meta"
        prop = f"{name} on meta tensors (state {state_txt}) returns meta tensors"
        got = run_beside(kata, call_on_meta, getattr(kata, name), *specs)
        expect(got == want, prop, inputs={"call": f"{name} with every tensor on the meta device, B = {B}, d = {d}, "
                                                  f"h = {h}" + (f", T = {T}" if name in ("gru", "lstm") else "")
                                                  + f", state {state_txt}"},
               expected=want, got=got, detail="(shape, dtype, device) of each result",
               hints=[Hint("create the zero state where the inputs live: torch.zeros(B, h, dtype=inputs.dtype, "
                           "device=inputs.device) — never on the default device.",
                           when=lambda g, w, none=specs[1] is None: none
                           and ("cpu" in repr(g) or "device" in repr(g))),
                      Hint("return (outputs, H_T) for gru and (outputs, (H_T, C_T)) for lstm, outputs stacked to "
                           "(T, B, h).", when=lambda g, w, seq=name in ("gru", "lstm"): seq
                           and not isinstance(g, str) and _shapes(g) != _shapes(w))])
