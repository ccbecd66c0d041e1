"""Graders for ch9/deep_birnn.py (deep_birnn, gru_num_params).

Oracles: ``nn.GRU(d, h, num_layers, bias=…, bidirectional=…)`` whose parameters are redrawn from a seeded generator
(entries N(0, 0.6²), so that every gate mistake and every wiring mistake changes the values) and handed to the
learner as ``{name: tensor}`` (its ``named_parameters()``): outputs, final states, and autograd gradients wrt X, H0
and every parameter. ``gru_num_params`` is compared with ``sum(p.numel() for p in nn.GRU(...).parameters())``
(built on the meta device: no memory, no time).

Metamorphic properties use the learner's function only: for one bidirectional layer, the forward half of y_t does
not depend on x_{>t} and the backward half not on x_{<t} (x_{t0} perturbed, float64, compared to 1e-12), and
reversing time while swapping the two directions' weights (and H0's two rows) swaps the halves of Y and the rows of H_n.

Tolerances: float32 atol 1e-5 + rtol 1e-5 (values are GRU states, |y| < 1; a correct float32 wiring with another
cell or summation order is within ~1e-6); float64 1e-12; gradients (float64) 1e-10.

Hints come from a float64 re-computation of the wiring with one classic mistake at a time (backward outputs not
flipped back, the _reverse weights forgotten, the backward direction reading the input forwards, states in
direction-major order, the backward final state taken at t = T−1, halves swapped, H0 ignored): a hint is shown only
when the learner's result matches that mistake.
"""
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, expect_equal, fail, run_beside
from tests.helpers import call, gen, near
from tests.shippable_ch9_deep_birnn import META, call_on_meta
from tests.strategies import seeds

F32, F64 = torch.float32, torch.float64
ERRORS = (RuntimeError, IndexError, TypeError, ValueError, AttributeError, KeyError)
NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


# ------------------------------------------------------------------------------------------------ the oracle
def make_gru(d, h, L, bi, seed, bias=True, dtype=F32):
    """nn.GRU with every parameter redrawn N(0, 0.6²) from a seeded generator."""
    net = nn.GRU(d, h, L, bias=bias, bidirectional=bi, dtype=dtype)
    g = gen(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=F64) * 0.6)
    return net


def params_of(net):
    """{name: a detached copy} of the GRU's parameters (what the learner gets)."""
    return {k: v.detach().clone() for k, v in net.named_parameters()}


def oracle(net, X, H0):
    with torch.no_grad():
        return net(X, H0)


# ------------------------------------------------------------------------------------------------ the mistakes
def ref_birnn(X, params, L, bi, H0, mistake=None):
    """The wiring in float64 with one classic mistake (hints only; the graders compare with nn.GRU)."""
    X = X.double()
    P = {k: v.detach().double() for k, v in params.items()}
    D = 2 if bi else 1
    T, B = X.shape[:2]
    h = P["weight_hh_l0"].shape[1]
    if H0 is None or mistake == "H0_ignored":
        H0 = torch.zeros(L * D, B, h, dtype=F64)
    H0 = H0.double()
    inp, finals = X, []
    for layer in range(L):
        outs = []
        for k in range(D):
            suffix = "_reverse" if k == 1 and mistake != "no_reverse" else ""
            W = [P.get(f"{n}_l{layer}{suffix}") for n in NAMES]
            H = H0[k * L + layer] if mistake == "dir_major" else H0[layer * D + k]
            if k == 1 and mistake == "bwd_continues":
                H = finals[-1]                              # the forward direction's final state
            forwards = k == 0 or mistake == "input_forwards"
            steps = range(T) if forwards else range(T - 1, -1, -1)
            ys = []
            for t in steps:
                H = torch.gru_cell(inp[t], H, *W)
                ys.append(H)
            if not forwards and mistake != "no_flip":
                ys = ys[::-1]                               # back to time order
            final = H
            if k == 1 and mistake == "bwd_final_last":
                final = ys[-1]                              # the output at t = T−1
            outs.append(torch.stack(ys))
            finals.append(final)
        if mistake == "halves_swapped" and D == 2:
            outs = outs[::-1]
        inp = torch.cat(outs, 2)
    if mistake == "dir_major":
        finals = [finals[layer * D + k] for k in range(D) for layer in range(L)]
    return inp, torch.stack(finals)


MISTAKES = {
    "no_flip": "the backward direction's outputs are stored in the order it computed them (t = T−1 first): put "
               "each one at its own time step (or flip the list back) before concatenating, so that Y[t] holds both "
               "directions' states at the same t.",
    "no_reverse": "the backward direction runs with the forward weights: its parameters are the keys with the suffix "
                  "_reverse (weight_ih_l{k}_reverse, weight_hh_l{k}_reverse, …).",
    "input_forwards": "the backward direction must read the sequence from the end, t = T−1, T−2, …, 0 (with the "
                      "_reverse weights), not from t = 0.",
    "dir_major": "H0 and H_n are ordered layer-major, as nn.GRU's: [layer 0 forward, layer 0 backward, layer 1 "
                 "forward, …] — row l·D + direction.",
    "bwd_final_last": "the backward direction's final state is its state after reading x_0 — its output at t = 0, "
                      "not at t = T−1.",
    "halves_swapped": "Y = [forward, backward] on the last axis: the forward half comes first.",
    "bwd_continues": "the backward direction continues from the forward direction's final state: each direction "
                     "starts from its own initial state, row l·D + direction of H0 (zeros when H0 is None).",
    "H0_ignored": "the given H0 is ignored: each layer and direction starts from its own row of H0 (zeros only "
                  "when H0 is None).",
}
UPPER_HINT = ("layer l > 0 reads the previous layer's whole output — both directions concatenated, D·h features "
              "(weight_ih_l1 has shape (3h, 2h) when bidirectional).")
BIAS_HINT = ("with bias=False there are no bias keys in params at all: look them up with params.get(name) "
             "(None when absent) and run the cell without biases.")
ONE_WAY_HINT = ("with bidirectional=False there is one direction only (D = 1): params has no _reverse keys, Y has h "
                "features and H_n one row per layer.")
ZERO_HINT = "H0 = None means zeros of shape (L·D, B, h) with X's dtype and device (torch.zeros(..., dtype=X.dtype, " \
            "device=X.device))."


def _raised(g):
    return isinstance(g, str) and g.split(":", 1)[0].endswith(("Error", "Exception"))


def wiring_hints(X, params, L, bi, H0):
    """Hints for (Y, H_n): the mistakes the learner's result matches."""
    X, params = X.clone(), {k: v.detach().clone() for k, v in params.items()}     # before the learner's call
    H0 = None if H0 is None else H0.clone()
    wanted = {m for m in MISTAKES
              if (bi or m not in ("no_flip", "no_reverse", "input_forwards", "bwd_final_last", "halves_swapped",
                                  "bwd_continues"))
              and (H0 is not None or m != "H0_ignored") and (L > 1 or bi or m != "dir_major")}
    alts = {}                      # filled on first use: hints are evaluated only when a property fails

    def matches(m, which):
        def when(g, w):
            if m not in wanted:
                return False
            if m not in alts:
                alts[m] = ref_birnn(X, params, L, bi, H0, m)
            if isinstance(g, (tuple, list)) and len(g) == 2:
                g = g[which]
            return near(g, alts[m][which], 1e-5) and not near(g, w, 1e-5)
        return when
    hints = []
    for m, text in MISTAKES.items():
        hints.append(Hint(text, when=lambda g, w, m=m: matches(m, 0)(g, w) or matches(m, 1)(g, w)))
    return hints + error_hints(L, bi, H0)


def error_hints(L, bi, H0):
    """Hints for an exception raised by deep_birnn (``got`` is its text)."""
    return [Hint(UPPER_HINT, when=lambda g, w: _raised(g) and L > 1 and ("mat1" in g or "size" in g
                                                                           or "shape" in g)),
              Hint(BIAS_HINT, when=lambda g, w: _raised(g) and "bias" in g),
              Hint(ONE_WAY_HINT, when=lambda g, w: _raised(g) and "_reverse" in g and not bi),
              Hint(ZERO_HINT, when=lambda g, w: _raised(g) and H0 is None and ("dtype" in g or "device" in g))]


# ------------------------------------------------------------------------------------------------ calling
def _describe(d, h, L, bi, bias=True):
    return f"dict(nn.GRU({d}, {h}, num_layers={L}, bidirectional={bi}{'' if bias else ', bias=False'})" \
           ".named_parameters()), entries N(0, 0.6²)"


def run(kata, X, params, L, bi, H0, prop, inputs, hints=None):
    hints = error_hints(L, bi, H0) if hints is None else hints
    got = call(kata.deep_birnn, X, params, L, bi, H0, prop=prop, inputs=inputs, hints=hints, catch=ERRORS)
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(prop, inputs=inputs, expected="a pair (Y, H_n)", got=got, hints=["return (Y, H_n)."])
    return got


def check_against_gru(kata, X, net, L, bi, H0, prop, dtype=F32, bias=True):
    atol = rtol = 1e-5 if dtype == F32 else 1e-12
    d, h = X.shape[2], net.hidden_size
    params = params_of(net)
    inputs = {"X": X, "params": _describe(d, h, L, bi, bias), "num_layers": L, "bidirectional": bi,
              "H0": "None" if H0 is None else H0}
    hints = wiring_hints(X, params, L, bi, H0)
    want_Y, want_H = oracle(net, X, H0)
    got = run(kata, X, params, L, bi, H0, prop, inputs, hints)
    D = 2 if bi else 1
    shape_hints = hints + [Hint(UPPER_HINT, when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() == 3
                                and g.shape[-1] == h and D == 2)]
    expect_close(got[0], want_Y, prop + ": Y", inputs=inputs, atol=atol, rtol=rtol, hints=shape_hints, dtype=dtype,
                 check_dtype=True)
    expect_close(got[1], want_H, prop + ": H_n", inputs=inputs, atol=atol, rtol=rtol, hints=hints + [
        Hint(f"H_n has one row per layer and direction: shape (L·D, B, h) = ({L * D}, {X.shape[1]}, {h}).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape != w.shape),
        Hint("H_n keeps the final state of every layer (and direction), not only the top layer's: collect them "
             "layer by layer, [layer 0 forward, layer 0 backward, layer 1 forward, …].",
             when=lambda g, w: isinstance(g, torch.Tensor) and L > 1 and g.shape == (D,) + tuple(w.shape[1:])
             and near(g, w[-D:], 1e-5))], dtype=dtype, check_dtype=True)


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def cases(draw, bi=True, dtype=F32, max_layers=3):
    T, B = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    d, h = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    L = draw(st.integers(1, max_layers))
    seed = draw(seeds())
    D = 2 if bi else 1
    X = (torch.randn(T, B, d, generator=gen(seed + 1), dtype=F64)).to(dtype)
    H0 = (torch.randn(L * D, B, h, generator=gen(seed + 2), dtype=F64) * 0.8).to(dtype) if draw(st.booleans()) \
        else None
    return X, make_gru(d, h, L, bi, seed, dtype=dtype), L, H0


def _hand_case(L, with_H0=True, bi=True):
    X = torch.tensor([[[1.0, -0.5]], [[0.25, 2.0]], [[-1.0, 0.5]], [[0.0, -1.5]]]).repeat(1, 2, 1)   # (4, 2, 2)
    X[:, 1] *= -0.5
    D = 2 if bi else 1
    H0 = torch.linspace(-1, 1, L * D * 2 * 3).reshape(L * D, 2, 3) if with_H0 else None
    return X, make_gru(2, 3, L, bi, 99 + L), L, H0


# ------------------------------------------------------------------------------------------------ gru_num_params
def _count(d, h, L, bi, bias):
    return sum(p.numel() for p in nn.GRU(d, h, L, bias=bias, bidirectional=bi, device="meta").parameters())


def _count_mistakes(d, h, L, bi, bias):
    D = 2 if bi else 1

    def total(d_upper, bias_vec, factor, with_bias):
        return sum(factor * (3 * h * ((d if layer == 0 else d_upper) + h) + (bias_vec * h if with_bias else 0))
                   for layer in range(L))
    return {
        "upper layers' input counted as h, not D·h: layer l > 0 reads both directions' outputs concatenated, so "
        "weight_ih_l{k} has 3h·(D·h) entries.": total(h, 6, D, bias),
        "upper layers' input counted as input_size: only layer 0 reads X; the layers above read the previous "
        "layer's output (D·h features).": total(d, 6, D, bias),
        "one bias vector of 3h per layer and direction: nn.GRU has two, bias_ih and bias_hh (6h in all).":
            total(D * h, 3, D, bias),
        "the directions are not counted: a bidirectional GRU has a full set of weights per direction (the "
        "_reverse ones).": total(D * h, 6, 1, bias),
        "biases counted although bias=False: then there are none.": total(D * h, 6, D, True),
        "biases missing: with bias=True each layer and direction has bias_ih and bias_hh, 3h each.":
            total(D * h, 6, D, False),
    }


@pytest.mark.core("gru_num_params")
@settings(max_examples=30)
@given(d=st.integers(1, 40), h=st.integers(1, 40), L=st.integers(1, 4), bi=st.booleans(), bias=st.booleans())
@example(d=10, h=20, L=1, bi=False, bias=True)
@example(d=28, h=256, L=2, bi=True, bias=True)
@example(d=5, h=3, L=3, bi=True, bias=False)
def test_gru_num_params_matches_nn_gru(kata, d, h, L, bi, bias):
    """gru_num_params equals the number of parameters of nn.GRU(input_size, hidden_size, num_layers, bias, bidirectional)"""
    want = _count(d, h, L, bi, bias)
    inputs = {"call": f"gru_num_params({d}, {h}, num_layers={L}, bidirectional={bi}, bias={bias})"}
    prop = "gru_num_params = sum(p.numel() for p in nn.GRU(...).parameters())"
    got = call(kata.gru_num_params, d, h, L, bi, bias, prop=prop, inputs=inputs, catch=ERRORS)
    hints = [Hint(text, when=lambda g, w, n=n: g == n and n != w)
             for text, n in _count_mistakes(d, h, L, bi, bias).items()]
    expect(isinstance(got, int) and not isinstance(got, bool), prop + " (a Python int)", inputs=inputs,
           expected=want, got=got, hints=["return a Python int (int(...) of a tensor count)."])
    expect_equal(got, want, prop, inputs=inputs, hints=hints)


def test_gru_num_params_keyword_defaults(kata):
    """gru_num_params's defaults are num_layers=1, bidirectional=False, bias=True (nn.GRU's)"""
    for d, h in ((10, 20), (3, 7)):
        want = _count(d, h, 1, False, True)
        prop = f"gru_num_params({d}, {h}) = {want} (nn.GRU({d}, {h}))"
        got = call(kata.gru_num_params, d, h, prop=prop, inputs={"call": f"gru_num_params({d}, {h})"}, catch=ERRORS)
        expect_equal(got, want, prop, inputs={"call": f"gru_num_params({d}, {h})"})
        want2 = _count(d, h, 2, True, False)
        call2 = f"gru_num_params({d}, {h}, num_layers=2, bidirectional=True, bias=False)"
        got2 = call(kata.gru_num_params, d, h, num_layers=2, bidirectional=True, bias=False, prop=call2,
                    inputs={"call": call2}, catch=ERRORS)
        expect_equal(got2, want2, f"{call2} = {want2}", inputs={"call": call2})


# ------------------------------------------------------------------------------------------------ deep_birnn (core)
@pytest.mark.core("deep_birnn")
@settings(max_examples=20)
@given(case=cases(bi=True))
@example(case=_hand_case(1))
@example(case=_hand_case(2))
@example(case=_hand_case(3, with_H0=False))
def test_deep_birnn_matches_bidirectional_nn_gru(kata, case):
    """deep_birnn(X, params, L, bidirectional=True, H0) equals nn.GRU(d, h, L, bidirectional=True) with those parameters"""
    X, net, L, H0 = case
    check_against_gru(kata, X, net, L, True, H0, "deep_birnn = nn.GRU(bidirectional=True)(X, H0)")


@pytest.mark.core("deep_birnn")
@settings(max_examples=12)
@given(case=cases(bi=False))
@example(case=_hand_case(2, bi=False))
def test_deep_birnn_unidirectional_matches_nn_gru(kata, case):
    """with bidirectional=False, deep_birnn equals a stacked one-way nn.GRU(d, h, L): Y (T, B, h), H_n (L, B, h)"""
    X, net, L, H0 = case
    check_against_gru(kata, X, net, L, False, H0, "deep_birnn(bidirectional=False) = nn.GRU(d, h, L)(X, H0)")


# ------------------------------------------------------------------------------------------------ deep_birnn (others)
def test_deep_birnn_without_biases(kata):
    """params of nn.GRU(bias=False) have no bias keys: deep_birnn still equals that GRU"""
    for k, (T, B, d, h, L, bi) in enumerate([(3, 2, 3, 2, 2, True), (4, 1, 2, 3, 1, True), (2, 3, 2, 2, 2, False)]):
        X = torch.randn(T, B, d, generator=gen(50 + k))
        net = make_gru(d, h, L, bi, 60 + k, bias=False)
        H0 = torch.randn(L * (2 if bi else 1), B, h, generator=gen(70 + k)) * 0.5
        check_against_gru(kata, X, net, L, bi, H0, "deep_birnn = nn.GRU(bias=False)(X, H0)", bias=False)


@settings(max_examples=8)
@given(case=cases(bi=True, dtype=F64))
def test_deep_birnn_float64(kata, case):
    """float64 in, float64 out: deep_birnn equals nn.GRU in float64 to 1e-12"""
    X, net, L, H0 = case
    check_against_gru(kata, X, net, L, True, H0, "deep_birnn in float64 = nn.GRU in float64", dtype=F64)


def test_deep_birnn_gradients(kata):
    """gradients wrt X, H0 and every parameter equal nn.GRU's (float64, 2 layers, both directions and one)"""
    for k, (T, B, d, h, L, bi) in enumerate([(3, 2, 3, 2, 2, True), (3, 2, 2, 2, 2, False)]):
        net = make_gru(d, h, L, bi, 80 + k, dtype=F64)
        g = gen(90 + k)
        D = 2 if bi else 1
        X = torch.randn(T, B, d, generator=g, dtype=F64)
        H0 = torch.randn(L * D, B, h, generator=g, dtype=F64) * 0.5
        cY = torch.randn(T, B, D * h, generator=g, dtype=F64)
        cH = torch.randn(L * D, B, h, generator=g, dtype=F64)
        Xm, Hm = X.clone().requires_grad_(True), H0.clone().requires_grad_(True)
        params = {n: p.detach().clone().requires_grad_(True) for n, p in net.named_parameters()}
        inputs = {"X": f"shape {(T, B, d)}", "params": _describe(d, h, L, bi), "num_layers": L, "bidirectional": bi,
                  "H0": f"shape {(L * D, B, h)}", "loss": "Σ Y ⊙ (fixed random) + Σ H_n ⊙ (fixed random)"}
        prop = f"the gradients of deep_birnn wrt X, H0 and every parameter equal nn.GRU's (L = {L}, bidirectional={bi})"
        Y, Hn = run(kata, Xm, params, L, bi, Hm, prop, inputs)
        leaves = [Xm, Hm] + list(params.values())
        names = ["X", "H0"] + list(params)
        for what, t, shape in (("Y", Y, cY.shape), ("H_n", Hn, cH.shape)):
            expect(isinstance(t, torch.Tensor) and t.shape == shape, prop + f": the shape of {what}",
                   inputs=inputs, expected=f"shape {tuple(shape)}", got=t if not isinstance(t, torch.Tensor)
                   else f"shape {tuple(t.shape)}", hints=["Y has shape (T, B, D·h) and H_n (L·D, B, h): one row "
                                                          "per layer and direction."])
        try:
            got = torch.autograd.grad((Y * cY).sum() + (Hn * cH).sum(), leaves, allow_unused=True)
        except RuntimeError as e:
            fail(prop, inputs=inputs, expected="Y and H_n connected to the autograd graph", got=f"RuntimeError: {e}",
                 hints=["keep everything differentiable: no .detach(), .data, torch.no_grad() or copies into new "
                        "leaf tensors."])
        Xo, Ho = X.clone().requires_grad_(True), H0.clone().requires_grad_(True)
        Yo, Hno = net(Xo, Ho)
        want = torch.autograd.grad((Yo * cY).sum() + (Hno * cH).sum(), [Xo, Ho] + list(net.parameters()))
        for name, a, b in zip(names, got, want):
            if a is None:
                fail(prop, inputs=inputs, expected=f"a gradient for {name}", got="None (it does not reach Y or H_n)",
                     hints=[MISTAKES["no_reverse"]] if name.endswith("_reverse") else
                     [MISTAKES["H0_ignored"]] if name == "H0" else [])
            expect_close(a, b, f"{prop}: d/d{name}", inputs=inputs, atol=1e-10, rtol=1e-10)


def test_directions_see_only_their_side_of_the_sequence(kata):
    """one bidirectional layer: the forward half of y_t ignores x_{>t}, the backward half ignores x_{<t}"""
    T, B, d, h = 5, 2, 3, 2
    net = make_gru(d, h, 1, True, 123, dtype=F64)
    params = params_of(net)
    X = torch.randn(T, B, d, generator=gen(124), dtype=F64)
    base = run(kata, X, params, 1, True, None, "deep_birnn runs", {"X": X, "params": _describe(d, h, 1, True)})
    seen = [m for m in ("no_flip", "input_forwards", "bwd_continues", "halves_swapped")
            if near(base[0], ref_birnn(X, params, 1, True, None, m)[0], 1e-9)]
    side_hints = [Hint(MISTAKES[m], when=lambda g, w, m=m: m in seen)
                  for m in ("no_flip", "input_forwards", "bwd_continues", "halves_swapped")] + [
        Hint("the forward direction reads x_0 … x_t to produce y_t, the backward direction x_{T−1} … x_t; each "
             "half of Y[t] must be the state of its own direction at the same t.", when=lambda g, w: not seen)]
    for t0 in (0, 2, 4):
        X2 = X.clone()
        X2[t0] += torch.tensor([1.5, -2.0, 0.75], dtype=F64)
        inputs = {"X": X, "changed": f"x_{t0} (only time step {t0} of X changes)",
                  "params": _describe(d, h, 1, True), "num_layers": 1, "bidirectional": True}
        prop = f"changing x_{t0} leaves the forward half of y_t for t < {t0} and the backward half for t > {t0} unchanged"
        Y2 = run(kata, X2, params, 1, True, None, prop, inputs)[0]
        Y1 = base[0]
        if not (isinstance(Y1, torch.Tensor) and isinstance(Y2, torch.Tensor) and Y1.shape == Y2.shape == (T, B, 2 * h)):
            fail(prop, inputs=inputs, expected=f"Y of shape {(T, B, 2 * h)}", got=Y2)
        if t0 > 0:
            expect_close(Y2[:t0, :, :h], Y1[:t0, :, :h], prop + ": forward half (Y[t, :, :h]) before t0",
                         inputs=inputs, atol=1e-12, rtol=0, hints=side_hints)
        if t0 < T - 1:
            expect_close(Y2[t0 + 1:, :, h:], Y1[t0 + 1:, :, h:], prop + ": backward half (Y[t, :, h:]) after t0",
                         inputs=inputs, atol=1e-12, rtol=0, hints=side_hints)


def _swap_directions(params):
    out = {}
    for k, v in params.items():
        out[k[:-len("_reverse")] if k.endswith("_reverse") else k + "_reverse"] = v
    return out


def test_reversing_time_swaps_the_directions(kata):
    """one bidirectional layer: reversed time + swapped direction weights (and H0 rows) = Y reversed with its halves swapped"""
    for k, (T, B, d, h) in enumerate([(4, 2, 3, 2), (3, 1, 2, 3)]):
        net = make_gru(d, h, 1, True, 130 + k, dtype=F64)
        params = params_of(net)
        X = torch.randn(T, B, d, generator=gen(140 + k), dtype=F64)
        H0 = torch.randn(2, B, h, generator=gen(150 + k), dtype=F64) * 0.5
        inputs = {"X": X, "params": _describe(d, h, 1, True), "H0": H0}
        Y, Hn = run(kata, X, params, 1, True, H0, "deep_birnn runs", inputs)
        right = ref_birnn(X, params, 1, True, H0)
        seen = [m for m in ("no_flip", "bwd_final_last", "bwd_continues", "H0_ignored")
                if any(near(got, alt, 1e-9) and not near(alt, ok, 1e-9)
                       for got, alt, ok in zip((Y, Hn), ref_birnn(X, params, 1, True, H0, m), right))]
        rev_hints = [Hint(MISTAKES[m], when=lambda g, w, m=m, seen=seen: m in seen)
                     for m in ("no_flip", "bwd_final_last", "bwd_continues", "H0_ignored")] + [
            Hint("the backward direction of X.flip(0) is the forward direction of X: the two halves of Y (and the "
                 "two rows of H_n) must trade places exactly.", when=lambda g, w, seen=seen: not seen)]
        prop = "deep_birnn(X.flip(0), params with forward ↔ _reverse swapped, H0[[1, 0]]) = (Y.flip(0) with its halves " \
               "swapped, H_n[[1, 0]])"
        inputs2 = {**inputs, "second call": "X.flip(0), the two directions' weights swapped, H0[[1, 0]]"}
        Y2, Hn2 = run(kata, X.flip(0), _swap_directions(params), 1, True, H0[[1, 0]], prop, inputs2)
        want = torch.cat([Y.flip(0)[:, :, h:], Y.flip(0)[:, :, :h]], 2) if isinstance(Y, torch.Tensor) else Y
        expect_close(Y2, want, prop + ": Y", inputs=inputs2, atol=1e-12, rtol=1e-12, hints=rev_hints)
        expect_close(Hn2, Hn[[1, 0]] if isinstance(Hn, torch.Tensor) else Hn, prop + ": H_n", inputs=inputs2,
                     atol=1e-12, rtol=1e-12, hints=rev_hints)


def test_inputs_are_not_modified(kata):
    """deep_birnn leaves X, the parameter tensors and H0 unchanged"""
    net = make_gru(3, 2, 2, True, 160)
    params = params_of(net)
    X = torch.randn(3, 2, 3, generator=gen(161))
    H0 = torch.randn(4, 2, 2, generator=gen(162))
    copies = (X.clone(), {k: v.clone() for k, v in params.items()}, H0.clone())
    inputs = {"call": "deep_birnn(X, params, 2, True, H0)"}
    prop = "deep_birnn leaves its arguments unchanged"
    run(kata, X, params, 2, True, H0, prop, inputs)
    hint = "compute new tensors instead of writing into those you were given (no in-place ops, no H0[i] = …)."
    expect(torch.equal(X, copies[0]), prop + ": X", inputs=inputs, expected=copies[0], got=X, hints=[hint])
    expect(torch.equal(H0, copies[2]), prop + ": H0", inputs=inputs, expected=copies[2], got=H0, hints=[hint])
    expect(sorted(params) == sorted(copies[1]), prop + ": the keys of params", inputs=inputs,
           expected=sorted(copies[1]), got=sorted(params), hints=["do not add or remove entries of params."])
    for k, v in copies[1].items():
        expect(torch.equal(params[k], v), prop + f": params[{k!r}]", inputs=inputs, expected=v, got=params[k],
               hints=[hint])


def _meta(shape, dtype="float32"):
    return (META, tuple(shape), dtype)


def test_meta_inputs_give_meta_outputs(kata):
    """on meta tensors (the stand-in for a GPU) deep_birnn returns meta tensors of shapes (T, B, D·h) and (L·D, B, h)"""
    T, B, d, h = 5, 3, 4, 2
    for L, bi, with_H0 in ((2, True, False), (2, True, True), (1, False, False)):
        D = 2 if bi else 1
        net = nn.GRU(d, h, L, bidirectional=bi, device="meta")
        params = {k: _meta(v.shape) for k, v in net.named_parameters()}
        H0 = _meta((L * D, B, h)) if with_H0 else None
        want = (((T, B, D * h), "float32", "meta"), ((L * D, B, h), "float32", "meta"))
        prop = f"deep_birnn on meta tensors (L = {L}, bidirectional={bi}, H0 {'given' if with_H0 else 'None'}) " \
               "returns meta tensors"
        got = run_beside(kata, call_on_meta, kata.deep_birnn, _meta((T, B, d)), params, L, bi, H0)
        expect(got == want, prop, inputs={"call": f"deep_birnn with every tensor on the meta device, T = {T}, B = {B}, "
                                                  f"d = {d}, h = {h}"},
               expected=want, got=got, detail="(shape, dtype, device) of Y and H_n",
               hints=[Hint(ZERO_HINT, when=lambda g, w, none=not with_H0: none and isinstance(g, str)
                           and ("cpu" in g or "device" in g)),
                      Hint(UPPER_HINT, when=lambda g, w, deep=L > 1: isinstance(g, str) and deep and "mat" in g),
                      Hint("H_n has one row per layer and direction, shape (L·D, B, h); Y has shape (T, B, D·h).",
                           when=lambda g, w: isinstance(g, tuple) and len(g) == 2 and isinstance(g[1], tuple)
                           and g[1][:1] != w[1][:1])])
