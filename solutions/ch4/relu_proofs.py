"""Proof kata: ReLU networks are continuous piecewise-linear functions · 证明练习:ReLU网络是连续的分段线性函数

d2l-zh §4.1.1 (隐藏层, 从线性到非线性) and its exercise (书4.1.1 练习). The notes:

    学习笔记: 为什么神经网络只有一个隐藏层,给定足够的神经元和正确的权重,就可以对任意函数建模? 书4.1.1结尾
    学习笔记: 证明一个仅使用ReLU或pRELU的多层感知机构造了一个连续的分段线性函数? 书4.1.1练习

This is the proof kata. A proof on paper says "by induction on the layers"; here you write the induction as code,
and the graders check it against exact rational arithmetic, so that every step of the argument has to be right.

**The statement (命题).** Let an MLP (多层感知机) compute h⁰ = x, then for every hidden layer l
h^l = σ_l(W_l h^{l−1} + b_l), and finally the affine output f(x) = W_L h^{L−1} + b_L, where every activation is
a pReLU (参数化ReLU) σ(z) = max(z, 0) + a·min(z, 0) (a = 0 is ReLU, a = 1 the identity). Then f is continuous
(连续) and piecewise linear (分段线性): ℝ^d is cut into finitely many polyhedral regions, and on each one f is
a single affine map.

**Why the three functions below ARE the proof.**

1. ``relu_pieces_1d`` is the induction made computational (归纳法), for one input. Induction hypothesis: every
   unit of layer l−1 is a continuous piecewise-linear function of x on a common list of breakpoints (断点).
   An affine map W h + b of such functions is again continuous and piecewise linear on the *same* breakpoints
   (sums and multiples of lines are lines). The activation σ is itself continuous and piecewise linear with its
   only kink (拐点) at 0: on an interval where a unit's pre-activation z(x) = s·x + c keeps its sign, σ(z) is
   the line z or a·z; it changes only where z crosses 0, at x = −c/s — a new breakpoint. So each layer keeps
   "continuous piecewise linear" and only *adds* the points where some unit crosses 0: at most n_l of them per
   piece, hence at most Π(n_l + 1) pieces. Continuity survives because σ(z) is continuous in z. Your function
   runs exactly this argument and returns the **minimal** description: kinks can cancel (relu(x) − relu(−x)
   = x has none), and a proof that counts pieces must know which kinks are real.
2. ``activation_region_map`` is the multivariate statement. Fix the activation pattern (激活模式) — which units
   have z > 0. On the set of inputs sharing that pattern every σ_l is a fixed diagonal matrix D_l (entries 1 or
   a_l), so f(x) = W_L D_{L−1} W_{L−1} ⋯ D_1 W_1 x + (…) is one affine map A x + c (仿射映射), and A is the
   Jacobian (雅可比矩阵) there. The set itself is a convex polyhedron (every z is affine in x once the earlier
   patterns are fixed). Across a boundary between two regions some unit has z = 0, where z and a·z agree, so the
   two affine maps agree on the boundary: continuity.
3. ``build_relu_approximator`` answers the notes' question, the universal approximation theorem (万能近似定理) in one
   dimension, made constructive with an explicit bound: one hidden ReLU layer of n ≈ L(b−a)/(2ε) units is within
   ε of *any* L-Lipschitz (利普希茨) function on [a, b]. The proof is the construction: the piecewise-linear
   interpolant (分段线性插值) of f at knots spaced h ≤ 2ε/L is such a network (one unit per change of slope),
   and between two knots an L-Lipschitz f cannot stray more than L·h/2 from the chord.

The graders check your pieces against an exact ``fractions.Fraction`` oracle, your affine maps against autograd,
and they *certify* the sup error of your approximator for every L-Lipschitz function consistent with the values
you saw (the network is linear between its knots; f cannot move faster than L).
"""
import math

import torch


def relu_pieces_1d(weights: list[torch.Tensor], biases: list[torch.Tensor], neg_slopes: list[float]
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The minimal exact pieces of a pReLU MLP from ℝ to ℝ.

    The network: h⁰ = x (a number), for each hidden layer l = 0 … L−2
    ``h = prelu(W_l @ h + b_l, neg_slopes[l])`` with prelu(z, a) = z if z > 0 else a·z, and the output
    ``f(x) = W_{L−1} @ h + b_{L−1}`` (affine, no activation).

    Args:
        weights: L tensors; ``weights[l]`` has shape (n_{l+1}, n_l) as in ``nn.Linear`` (n_0 = 1, n_L = 1).
        biases: L tensors; ``biases[l]`` has shape (n_{l+1},).
        neg_slopes: L − 1 numbers, one per hidden layer (0 = ReLU, 1 = identity, −1 gives |z|).

    Returns:
        ``(breakpoints, slopes, intercepts)``, all float64: breakpoints (K,) strictly increasing, slopes and
        intercepts (K+1,), such that f(x) = slopes[i]·x + intercepts[i] on the i-th interval
        (−∞, t₀], [t₀, t₁], …, [t_{K−1}, ∞).

        **Minimal**: adjacent pieces differ (a breakpoint where the slope does not change is not a breakpoint —
        kinks can cancel, e.g. relu(x) − relu(−x) = x has K = 0, and a pReLU with slope 1 has no kink at all).
        A network with no kink returns breakpoints of shape (0,) and one piece.

    Method (the induction of the module docstring): keep, for every unit of the current layer, one line
    (slope, intercept) per interval of a common sorted list of breakpoints. Apply the affine map to the lines;
    for a hidden layer, add the points −c/s where a unit's line crosses 0 strictly inside its interval, then
    give every new interval the active (z > 0) or inactive (a·z) line, decided at a point *inside* the interval
    (a pre-activation that is exactly 0 counts as inactive; the value is 0 either way). At the end merge
    neighbours whose slopes are equal (continuity makes their intercepts equal too).

    Work in float64. Do not mutate the inputs.
    """
    ### BEGIN SOLUTION
    dt = torch.float64
    bps = torch.zeros(0, dtype=dt)                                      # (K,) common breakpoints
    S = torch.ones(1, 1, dtype=dt)                                      # (K+1, n) slope of each unit per piece
    C = torch.zeros(1, 1, dtype=dt)                                     # (K+1, n) intercepts
    for l, (W, b) in enumerate(zip(weights, biases)):
        W, b = W.detach().to(dt), b.detach().to(dt)
        S, C = S @ W.T, C @ W.T + b                                     # (K+1, n_{l+1}) pre-activations
        if l == len(weights) - 1:
            break
        a = float(neg_slopes[l])
        inf = torch.full((1,), math.inf, dtype=dt)
        lo, hi = torch.cat([-inf, bps])[:, None], torch.cat([bps, inf])[:, None]    # (K+1, 1) piece ends
        X0 = torch.where(S != 0, -C / S + 0.0, torch.full_like(S, math.nan))       # (K+1, n) zero crossings
        inside = (X0 > lo) & (X0 < hi)                                  # NaN compares False
        new = torch.unique(torch.cat([bps, X0[inside]]))                # sorted, exact duplicates removed
        # one point strictly inside each new interval decides the activation there
        if len(new) == 0:
            mids = torch.zeros(1, dtype=dt)
        else:
            mids = torch.cat([new[:1] - 1, (new[:-1] + new[1:]) / 2, new[-1:] + 1])  # (K'+1,)
        old = torch.searchsorted(bps, mids)                             # the old piece each new one lies in
        S, C = S[old], C[old]
        Z = S * mids[:, None] + C                                       # (K'+1, n) pre-activation inside
        scale = torch.where(Z > 0, torch.ones_like(Z), torch.full_like(Z, a))
        S, C, bps = S * scale, C * scale, new
    s, c = S[:, 0], C[:, 0]                                             # (K+1,) the output's lines
    # minimal: drop breakpoints where the slope does not change (the kinks cancelled)
    differs = (s[1:] - s[:-1]).abs() > 1e-12 * torch.maximum(torch.ones_like(s[1:]),
                                                             torch.maximum(s[1:].abs(), s[:-1].abs()))
    keep = torch.cat([torch.ones(1, dtype=torch.bool), differs])        # (K+1,) first piece of each run
    return bps[differs], s[keep], c[keep]
    ### END SOLUTION


def activation_region_map(weights: list[torch.Tensor], biases: list[torch.Tensor], neg_slopes: list[float],
                          x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """The affine map that equals the network on the activation region of ``x``.

    Same network convention as ``relu_pieces_1d``, now from ℝ^d to ℝ^q: ``weights[0]`` is (n_1, d),
    ``weights[-1]`` is (q, n_{L−1}).

    Args:
        x: float64 tensor of shape (d,).

    Returns:
        ``(A, c, pattern)``: A float64 (q, d) and c float64 (q,) with f(y) = A y + c for every y in x's
        activation region (so A is the Jacobian of f at x when x is inside a region), and pattern, one bool
        tensor of shape (n_l,) per hidden layer: ``pattern[l][j]`` is True iff unit j of hidden layer l has
        pre-activation z > 0 at x (z exactly 0 counts as inactive, False).

    Method: carry the affine map of the current layer, (A, c) ← (W A, W c + b), and the pre-activation z at x;
    the pattern D = diag(1 if z > 0 else a) then multiplies both: (A, c) ← (D A, D c). Start from (I, 0).

    Forbidden: autograd (``backward``, ``torch.autograd``, ``torch.func``) — build A from the weights and the
    pattern; the Jacobian by autograd is the oracle the graders compare with. Do not mutate the inputs.
    """
    ### BEGIN SOLUTION
    dt = torch.float64
    x = x.detach().to(dt)
    A = torch.eye(x.shape[0], dtype=dt)                                 # (d, d)
    c = torch.zeros(x.shape[0], dtype=dt)                               # (d,)
    pattern = []
    for l, (W, b) in enumerate(zip(weights, biases)):
        W, b = W.detach().to(dt), b.detach().to(dt)
        A, c = W @ A, W @ c + b                                         # (n_{l+1}, d), (n_{l+1},)
        if l == len(weights) - 1:
            break
        z = A @ x + c                                                   # (n_{l+1},) pre-activation at x
        active = z > 0
        D = torch.where(active, torch.ones_like(z), torch.full_like(z, float(neg_slopes[l])))
        A, c = D[:, None] * A, D * c
        pattern.append(active)
    return A, c, pattern
    ### END SOLUTION


def build_relu_approximator(f, a: float, b: float, L: float, eps: float
                            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A one-hidden-layer ReLU network within ``eps`` of any L-Lipschitz ``f`` on [a, b].

    The network is g(t) = W2 @ relu(W1 @ [t] + b1) + b2 (as two ``nn.Linear`` layers with a ReLU between).

    Args:
        f: a function you may only *call*: it takes a float64 tensor of any shape and returns a float64 tensor of
            the same shape (elementwise). It is L-Lipschitz on [a, b]: |f(s) − f(t)| ≤ L·|s − t|.
        a, b: the interval, a < b.
        L: the Lipschitz constant, L ≥ 0 (L = 0: f is constant).
        eps: the accuracy, eps > 0.

    Returns:
        ``(W1, b1, W2, b2)`` float64 of shapes (n, 1), (n,), (1, n), (1,) with
        **n ≤ 2⌈L(b−a)/(2ε)⌉ + 2** units and sup_{t∈[a,b]} |f(t) − g(t)| ≤ eps.

    The construction (the universal approximation theorem in 1-D): take m = max(1, ⌈L(b−a)/(2ε)⌉) equal
    intervals, knots x_k = a + k·h with h = (b−a)/m ≤ 2ε/L, and let g interpolate f at the knots:

        g(t) = f(a) + s₀·relu(t − x₀) + Σ_{k=1}^{m−1} (s_k − s_{k−1})·relu(t − x_k),   s_k = (f(x_{k+1}) − f(x_k))/h

    (relu(t − a) = t − a on [a, b], so the first unit carries the initial slope). Between two knots f stays in
    the cone f(x_k) ± L·(t − x_k), f(x_{k+1}) ± L·(x_{k+1} − t); the chord is at most L·h/2 ≤ ε from anything
    in it. The graders certify exactly this for *your* network: on each interval between its knots it is linear,
    so the worst L-Lipschitz f through the values at the interval's ends can be computed in closed form.

    Rounding: the certified error may exceed eps by at most 1e-9·(1 + eps).
    """
    ### BEGIN SOLUTION
    dt = torch.float64
    m = max(1, math.ceil(L * (b - a) / (2 * eps)))
    knots = torch.linspace(a, b, m + 1, dtype=dt)                       # (m+1,) x_0 = a … x_m = b
    y = f(knots).to(dt)                                                 # (m+1,)
    s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])                     # (m,) slope on each interval
    ds = torch.cat([s[:1], s[1:] - s[:-1]])                             # (m,) change of slope at x_0 … x_{m−1}
    W1 = torch.ones(m, 1, dtype=dt)                                     # (m, 1)
    b1 = -knots[:-1]                                                    # (m,) unit k: relu(t − x_k)
    W2 = ds[None, :]                                                    # (1, m)
    b2 = y[:1].clone()                                                  # (1,) g(a) = f(a)
    return W1, b1.clone(), W2.clone(), b2
    ### END SOLUTION
