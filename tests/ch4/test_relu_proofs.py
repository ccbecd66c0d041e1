"""Graders for ch4/relu_proofs.py (the proof kata): relu_pieces_1d, activation_region_map, build_relu_approximator.

Oracles, all trusted and written here:

* ``exact_pieces`` — the pieces of an ℝ→ℝ pReLU MLP in exact rational arithmetic (``fractions.Fraction``). The
  nets use dyadic weights (k/4) so that ``Fraction(float)`` is the weight itself. It propagates, layer by layer,
  one exact line per unit and interval, splits an interval where a unit's line crosses 0 strictly inside it,
  decides the activation at an interior point, and at the end merges neighbouring equal pieces.
* a float64 forward pass (``forward``) and autograd's Jacobian of it (``torch.autograd.functional.jacobian``;
  torch.func would import torch._dynamo, a second of start-up).
* ``certify`` — a rigorous bound on sup_{[a,b]} |f − g| for a one-hidden-layer ReLU net g and an L-Lipschitz f
  that we only sample: g is linear between its knots −b1/W1, and on an interval [u, v] every L-Lipschitz f
  with the sampled end values lies in the cone
      max(f(u) − L(t−u), f(v) − L(v−t)) ≤ f(t) ≤ min(f(u) + L(t−u), f(v) + L(v−t)),
  so |f(t) − g(t)| ≤ max(upper(t) − g(t), g(t) − lower(t)). Both terms are concave and piecewise linear in t
  (a min of two lines minus a line), so their maxima over [u, v] are at u, v or at the cone's kinks
  t = (f(v) − f(u) + L(u+v))/(2L) and (f(u) − f(v) + L(u+v))/(2L), clipped to [u, v]: the bound is the exact
  worst case over all L-Lipschitz functions through the two end values. For the interpolant at spacing h it is
  L·h/2 ≤ ε exactly, so the standard construction is proved correct on the first pass; other constructions get
  their failing intervals subdivided (f sampled at more points) until the bound is proved or a sample point
  shows |f − g| > ε outright.

Tolerances (chosen, not guessed):

* Breakpoints of the dyadic nets are rationals −c/s with c and s exact in float64 (sums of products of numbers
  k/4, at most depth 3, far below 53 bits), so a float64 answer is within a few ulps (~1e-16·|t|); an answer
  that derives intercepts from values at breakpoints accumulates a few more roundings. We allow
  1e-9·(1 + |t|) — a million ulps of headroom — and only draw nets whose exact raw breakpoints (every layer,
  before merging) are at least 1e-6·(1 + |t|) apart and within ±1000, so a float64 algorithm cannot confuse two of
  them and the tails out to ±1e4 lie beyond them.
* Slopes of distinct pieces differ by at least 2^-12 for these nets; "equal slopes" means within 1e-9·(1+|s|).
* Values s·t + c at |t| ≤ 1e4: atol 1e-9·(1 + |s·t| + |c|).
* The approximator's certified error may exceed ε by 1e-9·(1 + ε) (the catalogue's rounding allowance).

Everything handed to learner code is a tensor, a list, a number or a callable class of tests/shippable.py (picklable
by reference into the worker).
Speed: nets have depth ≤ 3 and width ≤ 4 (the Fraction oracle is slow); the module runs in a few seconds.
"""
import math
from fractions import Fraction

import pytest
import torch
from hypothesis import assume, example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_tensor, fail
from tests.shippable import AbsMix, ClippedLine, Const, Line, SinMix, Triangle, ZigZag
from tests.strategies import dyadic, dyadic_tensors, floats

D = torch.float64
NEG_SLOPES = [0.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.25, 0.5, -0.5, 2.0]   # ReLU most often; identity; |z|; pReLU


# ----------------------------------------------------------------------------------------------- nets
@st.composite
def nets(draw, d_in=1, d_out=1, max_hidden=3, max_width=4, max_abs=2):
    """(weights, biases, neg_slopes) of a pReLU MLP with dyadic (k/4) weights and biases."""
    depth = draw(st.integers(1, max_hidden), label="hidden layers")
    widths = [d_in] + [draw(st.integers(1, max_width), label="width") for _ in range(depth)] + [d_out]
    Ws = [draw(dyadic_tensors((widths[i + 1], widths[i]), D, max_abs=max_abs)) for i in range(depth + 1)]
    bs = [draw(dyadic_tensors((widths[i + 1],), D, max_abs=max_abs)) for i in range(depth + 1)]
    a = [draw(st.sampled_from(NEG_SLOPES)) for _ in range(depth)]
    return Ws, bs, a


def _net(*layers, a=None):
    """A net from nested lists: _net((W1, b1), (W2, b2), a=[0.0])."""
    Ws = [torch.tensor(W, dtype=D) for W, _ in layers]
    bs = [torch.tensor(b, dtype=D) for _, b in layers]
    return Ws, bs, list(a if a is not None else [0.0] * (len(layers) - 1))


def _inputs(net, **more):
    Ws, bs, a = net
    return {"weights": Ws, "biases": bs, "neg_slopes": a, **more}


def _copy(net):
    Ws, bs, a = net
    return [w.clone() for w in Ws], [b.clone() for b in bs], list(a)


def forward(net, X):
    """The network in float64: X (m, d) → (m, q)."""
    Ws, bs, a = net
    H = X.to(D)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = H @ W.T + b
        if l == len(Ws) - 1:
            return Z
        H = torch.where(Z > 0, Z, a[l] * Z)


def pre_activations(net, x):
    """The pre-activations z of every hidden layer at x (d,), float64."""
    Ws, bs, a = net
    h, out = x.to(D), []
    for l, (W, b) in enumerate(zip(Ws[:-1], bs[:-1])):
        z = W @ h + b
        out.append(z)
        h = torch.where(z > 0, z, a[l] * z)
    return out


# ----------------------------------------------------------------------------------------------- exact oracle
def exact_pieces(net):
    """(breakpoints, slopes, intercepts, raw breakpoints) in exact rationals: the minimal pieces, and every
    breakpoint any layer created before merging."""
    Ws, bs, a = net
    W = [[[Fraction(v) for v in row] for row in w.tolist()] for w in Ws]
    B = [[Fraction(v) for v in b.tolist()] for b in bs]
    A = [Fraction(v) for v in a]
    zero = Fraction(0)
    bps, lines, raw = [], [[(Fraction(1), zero)]], set()    # lines[i][j] = (slope, intercept) of unit j on piece i
    for l in range(len(W)):
        lines = [[(sum((w * s for w, (s, _) in zip(row, units)), zero),
                   sum((w * c for w, (_, c) in zip(row, units)), zero) + bias)
                  for row, bias in zip(W[l], B[l])] for units in lines]
        if l == len(W) - 1:
            break
        new_bps, new_lines = [], []
        for i, units in enumerate(lines):
            lo = bps[i - 1] if i > 0 else None
            hi = bps[i] if i < len(bps) else None
            cuts = sorted({-c / s for s, c in units
                           if s != 0 and (lo is None or -c / s > lo) and (hi is None or -c / s < hi)})
            ends = [lo] + cuts + [hi]
            for u, v in zip(ends[:-1], ends[1:]):
                if u is None and v is None:
                    t = zero
                elif u is None:
                    t = v - 1
                elif v is None:
                    t = u + 1
                else:
                    t = (u + v) / 2
                new_lines.append([(s, c) if s * t + c > 0 else (A[l] * s, A[l] * c) for s, c in units])
            new_bps += cuts + ([hi] if hi is not None else [])
            raw.update(cuts)
        bps, lines = new_bps, new_lines
    s = [u[0][0] for u in lines]
    c = [u[0][1] for u in lines]
    out_b, out_s, out_c = [], [s[0]], [c[0]]
    for i, t in enumerate(bps):
        if (s[i + 1], c[i + 1]) != (out_s[-1], out_c[-1]):
            out_b.append(t)
            out_s.append(s[i + 1])
            out_c.append(c[i + 1])
    return out_b, out_s, out_c, sorted(raw)


def _well_separated(raw):
    """Distinct exact raw breakpoints at least 1e-6·(1+|t|) apart and within ±1000 (see the module docstring)."""
    if raw and max(abs(float(t)) for t in raw) > 1000:
        return False
    return all(float(v - u) >= 1e-6 * (1 + abs(float(v))) for u, v in zip(raw[:-1], raw[1:]))


def _oracle(net):
    bp, s, c, raw = exact_pieces(net)
    assume(_well_separated(raw))
    return (torch.tensor([float(t) for t in bp], dtype=D), torch.tensor([float(t) for t in s], dtype=D),
            torch.tensor([float(t) for t in c], dtype=D))


def _max_pieces(net):
    n = 1
    for W in net[0][:-1]:
        n *= W.shape[0] + 1
    return n


# ----------------------------------------------------------------------------------------------- pieces: calls
SORT_HINT = Hint("sort the breakpoints (torch.sort / torch.unique) and remove exact duplicates: two units that "
                 "cross 0 at the same x make one breakpoint, not two (an interval of length 0 is not a piece).")
FLOAT64_HINT = Hint("build everything in float64 (torch.float64): breakpoints −c/s of float32 numbers are only "
                    "good to ~1e-7, and the proof graders compare with exact rationals.",
                    when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype != torch.float64)
CANCEL_HINT = ("kinks that cancel: at {where} the slope is the same on both sides ({slopes}), so the function "
               "does not bend there and it is not a breakpoint. After the last layer, merge neighbouring pieces "
               "whose slopes are equal (continuity then makes the intercepts equal too): relu(x) − relu(−x) = x "
               "has no kink at all, and a pReLU with slope 1 is the identity.")
DEEP_HINT = Hint("every hidden layer adds breakpoints, not only the first: after each layer's affine map, a "
                 "unit's line s·x + c can cross 0 strictly inside any of the current intervals (at x = −c/s), "
                 "and the activation bends it there.")
INSIDE_HINT = Hint("decide whether a unit is active on an interval at a point strictly *inside* the interval (its "
                   "midpoint; t₀ − 1 and t_{K−1} + 1 for the tails). At a breakpoint the unit that crosses there "
                   "has z = 0 exactly, which tells you nothing about the interval on either side.")
TAIL_HINT = Hint("the tails (−∞, t₀] and [t_{K−1}, ∞) are pieces of their own, with their own activation "
                 "pattern: decide it at a point beyond the outermost breakpoint (t₀ − 1, t_{K−1} + 1), do not "
                 "extend the neighbouring interval's line.")


def _pieces(kata, net):
    """Call relu_pieces_1d and check the result's structure: three float64 1-D tensors (K,), (K+1,), (K+1,),
    finite, breakpoints strictly increasing."""
    inputs = _inputs(net)
    got = kata.relu_pieces_1d(*_copy(net))
    prop = "relu_pieces_1d returns (breakpoints (K,), slopes (K+1,), intercepts (K+1,)), float64"
    expect(isinstance(got, tuple) and len(got) == 3, prop, inputs=inputs, expected="a tuple of 3 tensors",
           got=f"{type(got).__name__} of length {len(got) if hasattr(got, '__len__') else '?'}")
    bp, s, c = got
    for name, t in (("breakpoints", bp), ("slopes", s), ("intercepts", c)):
        expect_tensor(t, f"{prop}: {name}", inputs=inputs, dtype=D, hints=[FLOAT64_HINT])
        expect(t.dim() == 1, f"{prop}: {name} is 1-D", inputs=inputs, expected="a 1-D tensor",
               got=f"shape {tuple(t.shape)}")
        expect(bool(t.isfinite().all()), f"{prop}: {name} are finite", inputs=inputs, expected="finite values",
               got=t)
    K = bp.shape[0]
    expect(s.shape[0] == K + 1 and c.shape[0] == K + 1, f"{prop}: K breakpoints make K+1 pieces", inputs=inputs,
           expected=f"slopes and intercepts of shape ({K + 1},) for {K} breakpoints",
           got=f"slopes {tuple(s.shape)}, intercepts {tuple(c.shape)}")
    expect(bool((bp[1:] > bp[:-1]).all()), "the breakpoints are sorted and strictly increasing", inputs=inputs,
           expected="t₀ < t₁ < … < t_{K−1}", got=bp, hints=[SORT_HINT])
    return bp.detach(), s.detach(), c.detach()


def _equal_slopes(s1, s2):
    return abs(float(s1) - float(s2)) <= 1e-9 * (1 + abs(float(s1)) + abs(float(s2)))


def _cancel_failure(prop, inputs, bp, s, extra, want_bp):
    """Fail with the named "kinks that cancel" hint if every extra breakpoint has equal slopes on both sides."""
    idx = [i for i in extra]
    if idx and all(_equal_slopes(s[i], s[i + 1]) for i in idx):
        where = ", ".join(f"x = {float(bp[i]):.6g}" for i in idx[:4])
        slopes = ", ".join(f"{float(s[i]):.6g} and {float(s[i + 1]):.6g}" for i in idx[:2])
        fail(prop, inputs=inputs, expected=want_bp, got=bp,
             detail=f"{len(idx)} breakpoint(s) too many, where the network has no kink",
             hints=[CANCEL_HINT.format(where=where, slopes=slopes)])


def _match(bp, want_bp):
    """Indices of the learner's breakpoints that match no exact breakpoint, and exact ones that none matches."""
    tol = lambda t: 1e-9 * (1 + abs(float(t)))  # noqa: E731
    extra = [i for i, t in enumerate(bp) if not any(abs(float(t - w)) <= tol(w) for w in want_bp)]
    missing = [j for j, w in enumerate(want_bp) if not any(abs(float(t - w)) <= tol(w) for t in bp)]
    return extra, missing


# ----------------------------------------------------------------------------------------------- pieces: tests
ABS = _net(([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0]))                    # relu(x) + relu(−x) = |x|
IDENTITY_BY_CANCEL = _net(([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, -1.0]], [0.0]))     # relu(x) − relu(−x) = x
RELU_MINUS_RELU_PLUS_X = _net(([[1.0], [1.0], [1.0], [-1.0]], [0.0, 0.0, 0.0, 0.0]),
                              ([[1.0, -1.0, 1.0, -1.0]], [0.0]))                      # relu − relu + x = x
PRELU_IDENTITY = _net(([[2.0]], [1.0]), ([[0.5]], [0.25]), a=[1.0])                   # slope 1: no kink
PRELU_ABS = _net(([[1.0]], [-1.0]), ([[1.0]], [0.0]), a=[-1.0])                       # |x − 1|
SAME_POINT = _net(([[1.0], [2.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0]))                # relu(x) + relu(2x)
DEEP = _net(([[1.0]], [0.0]), ([[-1.0]], [1.0]), ([[1.0]], [0.0]))                   # relu(1 − relu(x))
CANCEL_THEN_KINK = _net(([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, -1.0]], [0.0]), ([[1.0]], [0.0]))  # relu(x)
DEEP_CANCEL = _net(([[1.0], [1.0]], [0.0, -1.0]), ([[1.0, -1.0], [0.0, 1.0]], [0.0, 0.0]),
                   ([[1.0, 1.0]], [0.0]))          # relu(relu(x) − relu(x−1)) + relu(relu(x−1)) = relu(x)
DEAD = _net(([[0.0], [0.0]], [-1.0, 0.0]), ([[3.0, 2.0]], [1.5]))                     # constant 1.5

KNOWN = [  # (net, breakpoints, slopes, intercepts, what)
    (ABS, [0.0], [-1.0, 1.0], [0.0, 0.0], "relu(x) + relu(−x) = |x|: one kink"),
    (IDENTITY_BY_CANCEL, [], [1.0], [0.0], "relu(x) − relu(−x) = x: the kinks cancel"),
    (RELU_MINUS_RELU_PLUS_X, [], [1.0], [0.0], "relu(x) − relu(x) + (relu(x) − relu(−x)) = x: no kink"),
    (PRELU_IDENTITY, [], [1.0], [0.75], "pReLU with slope 1 is the identity: 0.5·(2x + 1) + 0.25"),
    (PRELU_ABS, [1.0], [-1.0, 1.0], [1.0, -1.0], "pReLU with slope −1: |x − 1|"),
    (SAME_POINT, [0.0], [0.0, 3.0], [0.0, 0.0], "relu(x) + relu(2x): two units, one breakpoint"),
    (DEEP, [0.0, 1.0], [0.0, -1.0, 0.0], [1.0, 1.0, 0.0], "relu(1 − relu(x)): a second-layer kink at x = 1"),
    (CANCEL_THEN_KINK, [0.0], [0.0, 1.0], [0.0, 0.0], "relu(relu(x) − relu(−x)) = relu(x)"),
    (DEEP_CANCEL, [0.0], [0.0, 1.0], [0.0, 0.0], "relu(relu(x) − relu(x−1)) + relu(relu(x−1)) = relu(x)"),
    (DEAD, [], [0.0], [1.5], "zero first-layer weights: a constant"),
]


def _check_against_oracle(kata, net, want):
    bp, s, c = _pieces(kata, net)
    want_bp, want_s, want_c = want
    inputs = _inputs(net)
    prop = "the breakpoints are exactly the network's kinks (exact rational oracle)"
    extra, missing = _match(bp, want_bp)
    if extra:
        _cancel_failure(prop, inputs, bp, s, extra, want_bp)
    if missing and not extra:
        first_layer = {-float(b) / float(w) for w, b in zip(net[0][0][:, 0], net[1][0]) if float(w) != 0}
        fail(prop, inputs=inputs, expected=want_bp, got=bp,
             detail=f"missing breakpoint(s) at x = {', '.join(f'{float(want_bp[j]):.6g}' for j in missing[:4])}",
             hints=[DEEP_HINT] if any(float(want_bp[j]) not in first_layer for j in missing) else [])
    if extra or missing:
        fail(prop, inputs=inputs, expected=want_bp, got=bp,
             detail=(f"x = {', '.join(f'{float(bp[i]):.6g}' for i in extra[:4])} is not a kink of the network"
                     + (f"; x = {', '.join(f'{float(want_bp[j]):.6g}' for j in missing[:4])} is missing"
                        if missing else "")),
             hints=[INSIDE_HINT])
    expect_close(bp, want_bp, prop, inputs=inputs, atol=1e-9, rtol=1e-9)
    big = 1 + float(want_bp.abs().max()) if len(want_bp) else 1.0
    K = len(want_bp)
    wrong = {i for i in range(K + 1) if abs(float(s[i] - want_s[i])) > 1e-9 * (1 + abs(float(want_s[i])))
             or abs(float(c[i] - want_c[i])) > 1e-9 * (1 + abs(float(want_c[i])) + abs(float(want_s[i])) * big)}
    tails_only = bool(wrong) and K > 0 and wrong <= {0, K}
    hints = [Hint(INSIDE_HINT.text, when=lambda g, w: bool(wrong) and not tails_only),
             Hint(TAIL_HINT.text, when=lambda g, w: tails_only)]
    expect_close(s, want_s, "slopes[i] is the exact slope of the network on interval i", inputs=inputs,
                 atol=1e-9, rtol=1e-9, hints=hints)
    expect_close(c, want_c, "intercepts[i] is the exact intercept of the network on interval i", inputs=inputs,
                 atol=1e-9 * (1 + float(want_s.abs().max()) * big), rtol=1e-9, hints=hints)


@pytest.mark.core("relu_pieces_1d")
@settings(max_examples=30)
@given(net=nets())
def test_pieces_equal_the_exact_oracle(kata, net):
    """relu_pieces_1d gives exactly the minimal pieces (checked against exact rational arithmetic)"""
    _check_against_oracle(kata, net, _oracle(net))


def test_pieces_of_known_networks(kata):
    """|x| has one kink, relu(x) − relu(−x) = x none, kinks from deeper layers are found, cancelled ones merged"""
    for net, bp, s, c, what in KNOWN:
        want = tuple(torch.tensor(v, dtype=D) for v in (bp, s, c))
        ob, os_, oc, _ = exact_pieces(net)    # the oracle agrees with the hand-derived pieces
        assert [float(v) for v in ob] == bp and [float(v) for v in os_] == s and [float(v) for v in oc] == c, what
        _check_against_oracle(kata, net, want)


def _eval_points(bp):
    """(points, piece index): points inside every interval and out along both tails to ±1e4."""
    pts, idx = [], []
    K = len(bp)
    if K == 0:
        for t in (-1e4, -10.0, -1.0, 0.0, 0.5, 1.0, 10.0, 1e4):
            pts.append(t), idx.append(0)
        return pts, idx
    lo, hi = float(bp[0]), float(bp[-1])
    for t in (lo - 1e4, lo - 10.0, lo - 1.0, lo - 1e-3):
        pts.append(t), idx.append(0)
    for i in range(K - 1):
        u, v = float(bp[i]), float(bp[i + 1])
        for f in (0.25, 0.5, 0.75):
            pts.append(u + f * (v - u)), idx.append(i + 1)
    for t in (hi + 1e-3, hi + 1.0, hi + 10.0, hi + 1e4):
        pts.append(t), idx.append(K)
    return pts, idx


@settings(max_examples=30)
@given(net=nets())
@example(net=DEEP)
@example(net=PRELU_ABS)
def test_pieces_agree_with_the_network(kata, net):
    """on every interval, tails out to ±1e4 included, slopes[i]·x + intercepts[i] equals the network"""
    _, _, _, raw = exact_pieces(net)
    assume(_well_separated(raw))
    bp, s, c = _pieces(kata, net)
    pts, idx = _eval_points(bp)
    t = torch.tensor(pts, dtype=D)
    i = torch.tensor(idx)
    want = forward(net, t[:, None])[:, 0]
    got = s[i] * t + c[i]
    tol = 1e-9 * (1 + (s[i] * t).abs() + c[i].abs())
    bad = (got - want).abs() > tol
    if bad.any():
        j = int(bad.nonzero()[0])
        tail = idx[j] in (0, len(bp))
        fail("the piece containing x gives the network's value: slopes[i]·x + intercepts[i] = f(x)",
             inputs=_inputs(net, breakpoints=bp, slopes=s, intercepts=c),
             expected=f"f({pts[j]:.6g}) = {float(want[j]):.10g}",
             got=f"slopes[{idx[j]}]·x + intercepts[{idx[j]}] = {float(got[j]):.10g}",
             detail=f"x = {pts[j]:.6g} lies in {'a tail' if tail else 'interval'} {idx[j]} "
                    f"({int(bad.sum())} of {len(pts)} test points are wrong)",
             hints=[TAIL_HINT if tail else INSIDE_HINT])


@settings(max_examples=30)
@given(net=nets())
@example(net=DEEP)
def test_pieces_are_continuous(kata, net):
    """at every breakpoint the two neighbouring pieces give the same value (the function is continuous)"""
    _, _, _, raw = exact_pieces(net)
    assume(_well_separated(raw))
    bp, s, c = _pieces(kata, net)
    if len(bp) == 0:
        return
    left, right = s[:-1] * bp + c[:-1], s[1:] * bp + c[1:]
    tol = 1e-9 * (1 + (s[:-1] * bp).abs() + (s[1:] * bp).abs() + c[:-1].abs() + c[1:].abs())
    bad = (left - right).abs() > tol
    if bad.any():
        j = int(bad.nonzero()[0])
        fail("continuity: slopes[i]·t_i + intercepts[i] = slopes[i+1]·t_i + intercepts[i+1] at every breakpoint",
             inputs=_inputs(net, breakpoints=bp, slopes=s, intercepts=c),
             expected=f"the same value from both sides of t_{j} = {float(bp[j]):.6g}",
             got=f"{float(left[j]):.10g} from the left, {float(right[j]):.10g} from the right",
             hints=["each piece's intercept must come from the same line as its slope: for a unit line "
                    "(s, c), the activation multiplies both by the same factor (1 or a)."])


@settings(max_examples=30)
@given(net=nets())
@example(net=ABS)
@example(net=IDENTITY_BY_CANCEL)
@example(net=PRELU_IDENTITY)
def test_pieces_are_minimal(kata, net):
    """adjacent pieces differ (no breakpoint without a kink) and there are at most Π(n_l + 1) pieces"""
    want_bp, _, _, raw = exact_pieces(net)
    assume(_well_separated(raw))
    bp, s, c = _pieces(kata, net)
    inputs = _inputs(net)
    prop = "minimal: the slope changes at every breakpoint (adjacent pieces differ)"
    same = [i for i in range(len(bp)) if _equal_slopes(s[i], s[i + 1])]
    extra, _ = _match(bp, [float(t) for t in want_bp])
    if same and set(same) <= set(extra):    # no kink there in the network either: kinks that cancel
        _cancel_failure(prop, inputs, bp, s, same, "no breakpoint where the slope stays the same")
    if same:
        i = next(i for i in same if i not in extra)
        tail = i == 0 or i + 1 == len(bp)
        fail(prop, inputs=inputs, expected=f"different slopes on the two sides of x = {float(bp[i]):.6g}, where "
             "the network does bend", got=f"slopes[{i}] = slopes[{i + 1}] = {float(s[i]):.6g}",
             hints=[TAIL_HINT if tail else INSIDE_HINT])
    n = _max_pieces(net)
    expect(len(bp) + 1 <= n, f"at most Π(n_l + 1) = {n} pieces (each hidden unit splits a piece at most once)",
           inputs=inputs, expected=f"≤ {n} pieces", got=f"{len(bp) + 1} pieces", hints=[SORT_HINT])


# ----------------------------------------------------------------------------------------------- region map
def _region(kata, net, x):
    Ws, bs, a = net
    d, q = Ws[0].shape[1], Ws[-1].shape[0]
    inputs = _inputs(net, x=x)
    got = kata.activation_region_map(*_copy(net), x.clone())
    prop = "activation_region_map returns (A (q, d), c (q,), pattern: one bool tensor per hidden layer)"
    expect(isinstance(got, tuple) and len(got) == 3, prop, inputs=inputs, expected="a tuple (A, c, pattern)",
           got=f"{type(got).__name__}")
    A, c, pattern = got
    t_hint = Hint("A has shape (q, d): one row per output, one column per input — the product W_L·D·…·W_1 in "
                  "that order, not its transpose.", when=lambda g, w: d != q and isinstance(g, torch.Tensor) and tuple(g.shape) == (d, q))
    expect_tensor(A, f"{prop}: A", inputs=inputs, shape=(q, d), dtype=D, hints=[t_hint, FLOAT64_HINT])
    expect_tensor(c, f"{prop}: c", inputs=inputs, shape=(q,), dtype=D, hints=[FLOAT64_HINT])
    n_hidden = len(Ws) - 1
    expect(isinstance(pattern, (list, tuple)) and len(pattern) == n_hidden,
           f"{prop}: pattern has one entry per hidden layer", inputs=inputs,
           expected=f"a list of {n_hidden} bool tensors", got=pattern)
    for l, p in enumerate(pattern):
        expect_tensor(p, f"{prop}: pattern[{l}] is a bool tensor of shape (n_{l + 1},)", inputs=inputs,
                      shape=(Ws[l].shape[0],), dtype=torch.bool)
    return A.detach(), c.detach(), [p.detach() for p in pattern]


def _pattern_hints(net, x, l):
    """Hints for pattern[l]: shown when it equals z >= 0 or (the unit's output) > 0 instead of z > 0."""
    z = pre_activations(net, x)[l]
    post = torch.where(z > 0, z, net[2][l] * z)
    want = z > 0
    same = lambda p, q: isinstance(p, torch.Tensor) and p.shape == q.shape and torch.equal(p, q)  # noqa: E731
    return [
        Hint("a pre-activation exactly 0 counts as inactive (False): use z > 0, not z >= 0.",
             when=lambda g, w: same(g, z >= 0) and not same(g, want)),
        Hint("the pattern is read from the pre-activation z = W h + b (z > 0), not from the unit's output: with a "
             "negative pReLU slope, a·z > 0 when z < 0.",
             when=lambda g, w: same(g, post > 0) and not same(g, want)),
    ]


def _value_hints(net):
    b_last = net[1][-1]
    return [Hint("c is missing the last layer's bias: c = W_L·c_{L−1} + b_L.",
                 when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape
                 and bool(((g + b_last - w).abs() <= 1e-9 * (1 + w.abs())).all()) and bool(b_last.abs().max() > 0)),
            Hint("with the pattern fixed every hidden layer is the linear map D_l = diag(1 or a_l): start from "
                 "(A, c) = (I, 0) and apply (W_l A, W_l c + b_l), then (D_l A, D_l c), layer by layer.")]


@st.composite
def region_cases(draw, dyadic_x=False):
    d = draw(st.integers(1, 3), label="d")
    q = draw(st.integers(1, 2), label="q")
    net = draw(nets(d, q, max_hidden=3, max_width=4))
    if dyadic_x:
        x = draw(dyadic_tensors((d,), D, max_abs=2), label="x")
    else:
        x = torch.tensor(draw(st.lists(floats(-3, 3), min_size=d, max_size=d), label="x"), dtype=D)
    return net, x


CASE_ABS2 = (_net(([[1.0, -1.0], [0.5, 0.25]], [0.0, -1.0]), ([[1.0, 2.0]], [0.5]), a=[-0.5]),
             torch.tensor([0.75, -1.5], dtype=D))
CASE_TRANSPOSE = (_net(([[1.0, 2.0], [0.0, -1.0], [1.5, 0.5]], [0.25, 1.0, -0.5]),
                       ([[1.0, -1.0, 0.5], [2.0, 0.25, -1.0]], [1.0, -2.0]), a=[0.0]),
                  torch.tensor([0.3, 0.7], dtype=D))


@pytest.mark.core("activation_region_map")
@settings(max_examples=30)
@given(case=region_cases())
@example(case=CASE_ABS2)
@example(case=CASE_TRANSPOSE)
def test_region_map_is_the_local_affine_map(kata, case):
    """A·x + c = f(x), A is the Jacobian at x and the pattern is z > 0 (x inside a region)"""
    net, x = case
    A, c, pattern = _region(kata, net, x)
    inputs = _inputs(net, x=x)
    want = forward(net, x[None, :])[0]
    got = A @ x + c
    scale = 1 + float(want.abs().max()) + float((A.abs() @ x.abs()).max()) + float(c.abs().max())
    expect_close(got, want, "A·x + c equals the network's output f(x)", inputs=inputs, atol=1e-9 * scale, rtol=0,
                 hints=_value_hints(net))
    zs = pre_activations(net, x)
    margin = min((float(z.abs().min()) for z in zs), default=1.0)
    assume(margin > 1e-6)     # only grade the Jacobian away from region boundaries
    J = torch.autograd.functional.jacobian(lambda y: forward(net, y[None, :])[0], x)
    J = J.reshape(want.shape[0], x.shape[0])
    expect_close(A, J, "A is the Jacobian of the network at x (autograd)", inputs=inputs,
                 atol=1e-9 * (1 + float(J.abs().max())), rtol=0,
                 hints=[Hint("A is transposed: A[i, j] = ∂f_i/∂x_j, shape (q, d).",
                             when=lambda g, w: g.shape == w.T.shape and torch.allclose(g, w.T))])
    want_p = [z > 0 for z in zs]
    for l, (p, w) in enumerate(zip(pattern, want_p)):
        expect(torch.equal(p, w), f"pattern[{l}][j] is True iff unit j of hidden layer {l} has pre-activation > 0",
               inputs=inputs, expected=w, got=p, hints=_pattern_hints(net, x, l))


ZERO_CASES = [  # dyadic inputs where some pre-activation is exactly 0
    (_net(([[1.0, -1.0]], [0.0]), ([[2.0]], [1.0])), torch.tensor([0.5, 0.5], dtype=D)),
    (_net(([[1.0], [-1.0], [2.0]], [0.0, 1.0, -1.0]), ([[1.0, 1.0, 1.0]], [0.0]), a=[-1.0]),
     torch.tensor([0.5], dtype=D)),
    (_net(([[1.0], [1.0]], [0.0, -1.0]), ([[1.0, -1.0], [1.0, 1.0]], [0.0, -1.0]), ([[1.0, 1.0]], [0.25]),
          a=[0.5, -0.25]), torch.tensor([-0.5], dtype=D)),
    (_net(([[1.0, 1.0], [1.0, -1.0]], [-1.0, 0.0]), ([[1.0, 1.0]], [0.0]), a=[2.0]),
     torch.tensor([0.5, 0.5], dtype=D)),
]


@settings(max_examples=30)
@given(case=region_cases(dyadic_x=True))
@example(case=ZERO_CASES[0])
@example(case=ZERO_CASES[1])
@example(case=ZERO_CASES[2])
@example(case=ZERO_CASES[3])
def test_region_map_pattern_exact(kata, case):
    """the pattern is exactly z > 0, a pre-activation exactly 0 counting as inactive (dyadic inputs)"""
    net, x = case   # dyadic x and weights: every pre-activation is exact in float64, zeros are real zeros
    A, c, pattern = _region(kata, net, x)
    inputs = _inputs(net, x=x)
    zs = pre_activations(net, x)
    for l, (p, z) in enumerate(zip(pattern, zs)):
        expect(torch.equal(p, z > 0), f"pattern[{l}] = (pre-activation of hidden layer {l}) > 0, exactly "
               "(0 is inactive)", inputs=_inputs(net, x=x, **{f"z of layer {l}": z}), expected=z > 0, got=p,
               hints=_pattern_hints(net, x, l))
    want = forward(net, x[None, :])[0]
    expect_close(A @ x + c, want, "A·x + c equals f(x), also on a region boundary", inputs=inputs,
                 atol=1e-9 * (1 + float(want.abs().max())), rtol=0, hints=_value_hints(net))


def _x_on(x0, x1, t):
    return x0 + t * (x1 - x0)


def _true_pattern(net, y):
    return tuple(tuple((z > 0).tolist()) for z in pre_activations(net, y))


@settings(max_examples=12)
@given(case=region_cases(), data=st.data())
@example(case=CASE_ABS2, data=None)
def test_region_maps_agree_on_boundaries(kata, case, data):
    """along a segment, one map per region, and the maps of neighbouring regions agree on their common boundary"""
    net, x0 = case
    if data is None:
        x1 = -x0 + 0.5
    else:
        x1 = torch.tensor(data.draw(st.lists(floats(-3, 3), min_size=len(x0), max_size=len(x0)), label="x1"),
                          dtype=D)
    inputs = _inputs(net, segment=(x0, x1))
    ts = [k / 16 for k in range(17)]
    pats = [_true_pattern(net, _x_on(x0, x1, t)) for t in ts]
    maps = [_region(kata, net, _x_on(x0, x1, t))[:2] for t in ts]
    # one affine map per region: a point's map predicts f at the next sample point of the same region
    for k in range(16):
        x = _x_on(x0, x1, ts[k])
        margin = min(float(z.abs().min()) for z in pre_activations(net, x)) if len(net[0]) > 1 else 1.0
        if pats[k] == pats[k + 1] and not 0 < margin < 1e-9:   # (skip points a rounding away from a boundary)
            (A, c), y = maps[k], _x_on(x0, x1, ts[k + 1])
            want = forward(net, y[None, :])[0]
            on_boundary = Hint("x lies exactly on a region boundary (a pre-activation is exactly 0 there). By the "
                               "convention z > 0 = active, x belongs to the region where that unit is inactive, "
                               "and the map must be that region's map.", when=lambda g, w: margin == 0)
            expect_close(A @ y + c, want, "the map returned at x holds on x's whole region: A·y + c = f(y) for y "
                         "with the same activation pattern", inputs={**inputs, "x": x, "y": y},
                         atol=1e-9 * (1 + float(want.abs().max()) + float(A.abs().sum()) * 4), rtol=0,
                         hints=[on_boundary] + _value_hints(net))
    # neighbouring regions: bisect (with the exact pattern) to a boundary, ask for the maps on both sides
    for k in range(16):
        tl, th = ts[k], ts[k + 1]
        if pats[k] == pats[k + 1]:
            continue
        for _ in range(40):
            tm = (tl + th) / 2
            if _true_pattern(net, _x_on(x0, x1, tm)) == pats[k]:
                tl = tm
            else:
                th = tm
        Al, cl, pl = _region(kata, net, _x_on(x0, x1, tl))
        Ah, ch, ph = _region(kata, net, _x_on(x0, x1, th))
        y = _x_on(x0, x1, (tl + th) / 2)
        vl, vh = Al @ y + cl, Ah @ y + ch
        # the two maps agree exactly on the boundary, and y is within (th − tl)·|x1 − x0| of it
        tol = (float(((Al - Ah) @ (x1 - x0)).abs().max()) * (th - tl)
               + 1e-9 * (1 + float(vl.abs().max()) + 4 * float((Al.abs() + Ah.abs()).sum())))
        expect(bool(((vl - vh).abs() <= tol).all()),
               "continuity: the affine maps of two neighbouring regions agree on their common boundary",
               inputs={**inputs, "boundary point": y, "patterns on the two sides": (pl, ph)}, expected=vl, got=vh,
               detail=f"the maps returned just before and just after the boundary at t ≈ {tl:.6g} on the segment "
                      "x0 + t·(x1 − x0) give different values there",
               hints=_value_hints(net))


# ----------------------------------------------------------------------------------------------- L-Lipschitz functions
# The functions themselves (Line, SinMix, AbsMix, Triangle, ClippedLine, ZigZag, Const) live in tests/shippable.py.
@st.composite
def lipschitz_fns(draw, L, a, b):
    kind = draw(st.sampled_from(["sin", "abs", "tri", "clip", "line"]), label="kind of f")
    off = draw(dyadic(3, 4), label="offset")
    if kind == "sin":
        k = draw(st.integers(1, 3))
        return SinMix(L, [draw(floats(-1, 1)) for _ in range(k)], [draw(floats(0.5, 12)) for _ in range(k)],
                      [draw(floats(0, 6.3)) for _ in range(k)], off)
    if kind == "abs":
        k = draw(st.integers(1, 4))
        return AbsMix(L, [draw(floats(-1, 1)) for _ in range(k)], [draw(floats(a, b)) for _ in range(k)], off)
    if kind == "tri":
        return Triangle(L, draw(floats(0.05, 2.0)), draw(floats(0, 2)))
    if kind == "clip":
        lo = draw(floats(-2, 0))
        return ClippedLine(L, draw(floats(a, b)), lo, lo + draw(floats(0, 3)))
    return Line(L, off)


@st.composite
def approx_params(draw):
    """(a, b, L, eps) with L(b − a)/(2ε) between 0.3 and 25."""
    a = draw(dyadic(3, 4), label="a")
    b = a + draw(st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]), label="b − a")
    L = draw(st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0, 4.0]), label="L")
    r = draw(floats(0.3, 25), label="L(b − a)/(2ε)")
    return a, b, L, L * (b - a) / (2 * r)


# ----------------------------------------------------------------------------------------------- certificate
def _budget(a, b, L, eps):
    """2⌈L(b−a)/(2ε)⌉ + 2, the ceiling taken exactly and also as float64 would (the larger of the two)."""
    r = Fraction(L) * (Fraction(b) - Fraction(a)) / (2 * Fraction(eps))
    return 2 * max(math.ceil(r), math.ceil(L * (b - a) / (2 * eps))) + 2


def _g(net1, t):
    W1, b1, W2, b2 = net1
    return torch.clamp_min(t[:, None] * W1[:, 0] + b1, 0) @ W2[0] + b2[0]


def _cone_bound(u, v, fu, fv, gu, gv, L):
    """Per interval [u, v]: (bound, t) with bound = max over t ∈ [u, v] of the worst |f(t) − g(t)| over all
    L-Lipschitz f through (u, fu), (v, fv), g linear from (u, gu) to (v, gv); t where it is reached."""
    h = v - u
    s = (gv - gu) / h
    if L > 0:
        tU = ((fv - fu) + L * (u + v)) / (2 * L)
        tL = ((fu - fv) + L * (u + v)) / (2 * L)
        cands = [u, v, torch.minimum(torch.maximum(tU, u), v), torch.minimum(torch.maximum(tL, u), v)]
    else:
        cands = [u, v]
    best, where = None, None
    for t in cands:
        g = gu + s * (t - u)
        upper = torch.minimum(fu + L * (t - u), fv + L * (v - t))
        lower = torch.maximum(fu - L * (t - u), fv - L * (v - t))
        e = torch.maximum(upper - g, g - lower)
        if best is None:
            best, where = e, t.clone()
        else:
            where = torch.where(e > best, t, where)
            best = torch.maximum(best, e)
    return best, where


def certify(f, a, b, L, eps, net1, max_rounds=14, split=4, max_points=40_000):
    """{"ok", "bound", "interval", "t", "witness"}: ok when sup_[a,b] |f − g| ≤ ε + 1e-9·(1+ε) is proved."""
    W1, b1 = net1[0], net1[1]
    tol = eps + 1e-9 * (1 + eps)
    w = W1[:, 0]
    nz = w != 0
    kn = -b1[nz] / w[nz]
    kn = kn[(kn > a) & (kn < b)]
    pts = torch.unique(torch.cat([torch.tensor([a, b], dtype=D), kn]))
    knots = pts.clone()
    res = {}
    for rnd in range(max_rounds):
        F, G = f(pts).to(D), _g(net1, pts)
        err = (F - G).abs()
        j = int(err.argmax())
        res.update(witness=(float(pts[j]), float(F[j]), float(G[j]), float(err[j])), knots=knots)
        if err[j] > tol:
            res.update(ok=False, bound=float(err[j]), interval=None, t=float(pts[j]))
            return res
        u, v = pts[:-1], pts[1:]
        bound, where = _cone_bound(u, v, F[:-1], F[1:], G[:-1], G[1:], L)
        k = int(bound.argmax())
        res.update(bound=float(bound[k]), interval=(float(u[k]), float(v[k])), t=float(where[k]),
                   ends=(float(F[k]), float(F[k + 1]), float(G[k]), float(G[k + 1])))
        bad = bound > tol
        if not bad.any():
            res["ok"] = True
            return res
        if rnd == max_rounds - 1 or pts.numel() > max_points:
            break
        ub, vb = u[bad], v[bad]
        frac = torch.arange(1, split, dtype=D) / split
        pts = torch.unique(torch.cat([pts, (ub[:, None] + (vb - ub)[:, None] * frac).reshape(-1)]))
    res["ok"] = False
    return res


def _approximate(kata, f, a, b, L, eps):
    inputs = {"f": f, "a": a, "b": b, "L": L, "eps": eps}
    got = kata.build_relu_approximator(f, a, b, L, eps)
    prop = "build_relu_approximator returns (W1 (n, 1), b1 (n,), W2 (1, n), b2 (1,)), float64"
    expect(isinstance(got, tuple) and len(got) == 4, prop, inputs=inputs, expected="a tuple (W1, b1, W2, b2)",
           got=f"{type(got).__name__}")
    W1 = got[0]
    expect_tensor(W1, prop + ": W1", inputs=inputs, dtype=D, hints=[FLOAT64_HINT])
    expect(W1.dim() == 2 and W1.shape[1] == 1, prop + ": W1", inputs=inputs, expected="shape (n, 1)",
           got=f"shape {tuple(W1.shape)}")
    n = W1.shape[0]
    for name, t, shape in (("b1", got[1], (n,)), ("W2", got[2], (1, n)), ("b2", got[3], (1,))):
        expect_tensor(t, f"{prop}: {name}", inputs=inputs, shape=shape, dtype=D, hints=[FLOAT64_HINT])
    for name, t in zip(("W1", "b1", "W2", "b2"), got):
        expect(bool(t.isfinite().all()), f"{prop}: {name} is finite", inputs=inputs, expected="finite values",
               got=t)
    budget = _budget(a, b, L, eps)
    expect(n <= budget, "at most 2⌈L(b−a)/(2ε)⌉ + 2 hidden units", inputs=inputs, expected=f"n ≤ {budget}",
           got=f"n = {n}",
           hints=[Hint("one unit per knot is enough: relu(t − x_k) carries the change of slope at x_k (the first "
                       "one, at x_0 = a, the initial slope; the output bias is f(a)). A hat function built from "
                       "three ReLUs per knot uses too many units.")])
    return tuple(t.detach() for t in got)


def _certify_or_fail(kata, f, a, b, L, eps, prop):
    net1 = _approximate(kata, f, a, b, L, eps)
    res = certify(f, a, b, L, eps, net1)
    if res["ok"]:
        return net1
    knots = res["knots"]
    h = float((knots[1:] - knots[:-1]).max())
    inputs = {"f": f, "a": a, "b": b, "L": L, "eps": eps, "n units": net1[0].shape[0],
              "your knots (−b1/W1 in (a, b), with a and b)": knots}
    Fk, Gk = f(knots).to(D), _g(net1, knots)
    Ek = (Fk - Gk).abs()                          # the error at your knots (a and b included)
    ga, fa, gb, fb = float(Gk[0]), float(Fk[0]), float(Gk[-1]), float(Fk[-1])
    hints = [
        Hint(f"g(a) = {ga:.6g} but f(a) = {fa:.6g}: the output bias b2 is f(a) when every unit is 0 at t = a.",
             when=lambda g, w: abs(ga - fa) > eps),
        Hint(f"g(a) = f(a) but at your next knot x₁ = {float(knots[1]):.6g} the error is already "
             f"{float(Ek[1]) if len(Ek) > 1 else 0.0:.6g}: the slope on the first interval is missing. A unit with "
             "its knot at a, relu(t − a) (= t − a on [a, b]), carries the initial slope s₀ = (f(x₁) − f(a))/h; "
             "the later units only add the changes of slope.",
             when=lambda g, w: abs(ga - fa) <= eps and len(Ek) > 2 and float(Ek[1]) > eps),
        Hint(f"your knots are up to {h:.6g} apart, more than 2ε/L = {2 * eps / L if L else math.inf:.6g}. Between "
             "two knots an L-Lipschitz f can stray L·h/2 from the chord, so take m = ⌈L(b−a)/(2ε)⌉ intervals "
             "(ceil, not floor or round) of length h = (b−a)/m ≤ 2ε/L.",
             when=lambda g, w: L > 0 and h > 2 * eps / L * (1 + 1e-9)),
        Hint(f"g(b) = {gb:.6g} but f(b) = {fb:.6g}, while g = f at your other knots: the last interval "
             "[x_{m−1}, b] needs its own slope — b is the last knot of the interpolation, and the unit at "
             "x_{m−1} adds the change of slope there.",
             when=lambda g, w: float(Ek[-1]) > eps and bool((Ek[:-1] <= 1e-6 * (1 + eps)).all())),
    ]
    if res["interval"] is None:
        t, fv, gv, e = res["witness"]
        fail(prop, inputs=inputs, expected=f"|f(t) − g(t)| ≤ ε = {eps:.6g} for every t in [a, b]",
             got=f"|f(t) − g(t)| = {e:.6g} at t = {t:.10g} (f(t) = {fv:.10g}, g(t) = {gv:.10g})",
             detail="g is your network; this point is a counterexample", hints=hints)
    (u, v), (fu, fv, gu, gv) = res["interval"], res["ends"]
    fail(prop, inputs=inputs, expected=f"a certified sup error ≤ ε = {eps:.6g}",
         got=f"could not certify it: on [{u:.10g}, {v:.10g}], where g is linear from {gu:.10g} to {gv:.10g}, an "
             f"L-Lipschitz function through f(u) = {fu:.10g} and f(v) = {fv:.10g} can be {res['bound']:.6g} away "
             f"from g (at t = {res['t']:.10g})",
         detail="between knots g is linear and f moves at most L per unit of t; the bound is the exact worst case",
         hints=hints)


# ----------------------------------------------------------------------------------------------- approximator tests
@pytest.mark.core("build_relu_approximator")
@settings(max_examples=25)
@given(params=approx_params(), data=st.data())
@example(params=(0.0, 1.0, 1.0, 0.5), data=None)
@example(params=(-1.0, 2.0, 4.0, 0.1), data=None)
def test_approximator_certified_on_random_lipschitz_functions(kata, params, data):
    """sup_[a,b] |f − g| ≤ ε, proved by a certificate, for random L-Lipschitz f (sums of sines, |t − c|, waves…)"""
    a, b, L, eps = params
    f = SinMix(L, [1.0, -0.5], [3.0, 7.0], [0.1, 1.0], 0.5) if data is None else data.draw(lipschitz_fns(L, a, b))
    _certify_or_fail(kata, f, a, b, L, eps, "the network is within ε of f on [a, b] (certified sup error)")


@settings(max_examples=12)
@given(params=approx_params())
@example(params=(0.0, 3.0, 1.0, 1.5 / 1.5))     # L(b−a)/(2ε) = 1.5: floor and ceil differ
@example(params=(-1.0, 1.0, 2.0, 2.0 / 2.9))    # 2.9
@example(params=(0.5, 1.5, 3.0, 1.5 / 0.6))     # 0.6: a single interval
@example(params=(0.0, 4.0, 4.0, 8.0 / 7.0))     # 7
def test_approximator_certified_on_adversarial_zigzags(kata, params):
    """ε-accurate even for the worst functions: zig-zags with slope ±L whose kinks sit between your knots"""
    a, b, L, eps = params
    net1 = _approximate(kata, Line(L, 0.0), a, b, L, eps)    # a probe, to see where the knots go
    w = net1[0][:, 0]
    kn = -net1[1][w != 0] / w[w != 0]
    knots = torch.unique(torch.cat([torch.tensor([a, b], dtype=D), kn[(kn > a) & (kn < b)]]))
    mids = (knots[:-1] + knots[1:]) / 2
    prop = "the network is within ε of every L-Lipschitz f, also the worst ones (certified sup error)"
    for f in (ZigZag(L, knots, 0.25),       # 0 at your knots, peaks of L·h/2 halfway between them
              ZigZag(L, mids, -0.5),        # peaks at your knots
              AbsMix(L, [1.0], [float(knots[-2]) if len(knots) > 2 else (a + b) / 2], 1.0),
              Line(L, 2.0), Line(-L, -1.0)):
        _certify_or_fail(kata, f, a, b, L, eps, prop)


def test_approximator_constant_function(kata):
    """L = 0 (f constant) works: at most 2 units, and the network equals f"""
    for a, b, v, eps in [(0.0, 1.0, 3.0, 0.1), (-2.0, 5.0, -1.5, 1e-3)]:
        _certify_or_fail(kata, Const(v), a, b, 0.0, eps,
                         "for L = 0 (a constant f) the network is within ε of f")


@settings(max_examples=10)
@given(params=approx_params())
def test_approximator_uses_at_most_the_budget(kata, params):
    """n ≤ 2⌈L(b−a)/(2ε)⌉ + 2 hidden units, float64 tensors of shapes (n,1), (n,), (1,n), (1,)"""
    a, b, L, eps = params
    _approximate(kata, Triangle(L, 0.5, 0.1), a, b, L, eps)
