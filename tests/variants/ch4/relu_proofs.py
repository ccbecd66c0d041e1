"""Recorded buggy variants of ch4/relu_proofs.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
_PIECES_CORE = '''
            def _raw_pieces(weights, biases, neg_slopes, sign_at_left=False, first_layer_only=False,
                            dedupe=True):
                dt = torch.float64
                bps = torch.zeros(0, dtype=dt)
                S = torch.ones(1, 1, dtype=dt)
                C = torch.zeros(1, 1, dtype=dt)
                for l, (W, b) in enumerate(zip(weights, biases)):
                    W, b = W.to(dt), b.to(dt)
                    S, C = S @ W.T, C @ W.T + b
                    if l == len(weights) - 1:
                        break
                    a = float(neg_slopes[l])
                    inf = torch.full((1,), math.inf, dtype=dt)
                    lo, hi = torch.cat([-inf, bps])[:, None], torch.cat([bps, inf])[:, None]
                    X0 = torch.where(S != 0, -C / S + 0.0, torch.full_like(S, math.nan))
                    inside = (X0 > lo) & (X0 < hi)
                    if first_layer_only and l > 0:
                        inside = torch.zeros_like(inside)
                    cand = torch.cat([bps, X0[inside]])
                    new = torch.unique(cand) if dedupe else torch.sort(cand).values
                    if len(new) == 0:
                        pts = torch.zeros(1, dtype=dt)
                    elif sign_at_left:
                        pts = torch.cat([new[:1] - 1, new])          # the left end of each interval
                    else:
                        pts = torch.cat([new[:1] - 1, (new[:-1] + new[1:]) / 2, new[-1:] + 1])
                    old = torch.searchsorted(bps, pts, right=sign_at_left)
                    S, C = S[old], C[old]
                    Z = S * pts[:, None] + C
                    act = (Z >= 0) if sign_at_left else (Z > 0)
                    scale = torch.where(act, torch.ones_like(Z), torch.full_like(Z, a))
                    S, C, bps = S * scale, C * scale, new
                return bps, S[:, 0], C[:, 0]


            def _merge(bps, s, c):
                differs = (s[1:] - s[:-1]).abs() > 1e-12 * (1 + s[1:].abs() + s[:-1].abs())
                keep = torch.cat([torch.ones(1, dtype=torch.bool), differs])
                return bps[differs], s[keep], c[keep]
'''

MUTANTS = {
    # ------------------------------------------------------------------ relu_pieces_1d
    "pieces_no_merge": {
        "why": "forgets to merge kinks that cancel: relu(x) − relu(−x) = x keeps a breakpoint at 0",
        "feedback": "kinks that cancel",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                return _raw_pieces(weights, biases, neg_slopes)
        ''',
    },
    "pieces_sign_at_left_end": {
        "why": "decides each interval's activation at its left breakpoint with z >= 0 (the crossing unit has z = 0 "
               "there and is counted active)",
        "feedback": "strictly *inside*",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                return _merge(*_raw_pieces(weights, biases, neg_slopes, sign_at_left=True))
        ''',
    },
    "pieces_tails_copy_neighbour": {
        "why": "gives the two tails the line of the neighbouring finite interval (wrong tail slope)",
        "feedback": "tails",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                bps, s, c = _merge(*_raw_pieces(weights, biases, neg_slopes))
                if len(bps) >= 2:
                    s, c = s.clone(), c.clone()
                    s[0], c[0], s[-1], c[-1] = s[1], c[1], s[-2], c[-2]
                return bps, s, c
        ''',
    },
    "pieces_unsorted": {
        "why": "collects each unit's crossing points without sorting them",
        "feedback": "sorted",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                bps, s, c = _merge(*_raw_pieces(weights, biases, neg_slopes))
                return bps.flip(0), s, c
        ''',
    },
    "pieces_keeps_duplicates": {
        "why": "two units crossing 0 at the same x give the breakpoint twice (sort instead of unique)",
        "feedback": "remove exact duplicates",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                return _merge(*_raw_pieces(weights, biases, neg_slopes, dedupe=False))
        ''',
    },
    "pieces_first_layer_only": {
        "why": "only the first layer's units make breakpoints (deeper layers' zero crossings are missed)",
        "feedback": "every hidden layer adds breakpoints",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                return _merge(*_raw_pieces(weights, biases, neg_slopes, first_layer_only=True))
        ''',
    },
    "pieces_float32": {
        "why": "computes and returns float32",
        "feedback": "float64",
        "source": _PIECES_CORE + '''
            def relu_pieces_1d(weights, biases, neg_slopes):
                return tuple(t.float() for t in _merge(*_raw_pieces(weights, biases, neg_slopes)))
        ''',
    },
    # ------------------------------------------------------------------ activation_region_map
    "region_pattern_from_post_activation": {
        "why": "reads the pattern from the unit's output h = prelu(z) > 0 instead of z > 0",
        "feedback": "not from the unit's output",
        "source": '''
            def activation_region_map(weights, biases, neg_slopes, x):
                dt = torch.float64
                A, c, h, pattern = torch.eye(len(x), dtype=dt), torch.zeros(len(x), dtype=dt), x.to(dt), []
                for l, (W, b) in enumerate(zip(weights, biases)):
                    A, c = W @ A, W @ c + b
                    if l == len(weights) - 1:
                        break
                    z = W @ h + b
                    D = torch.where(z > 0, torch.ones_like(z), torch.full_like(z, float(neg_slopes[l])))
                    h = D * z
                    A, c = D[:, None] * A, D * c
                    pattern.append(h > 0)
                return A, c, pattern
        ''',
    },
    "region_zero_counts_active": {
        "why": "a pre-activation exactly 0 counted as active (z >= 0)",
        "feedback": "exactly 0 counts as inactive",
        "source": '''
            def activation_region_map(weights, biases, neg_slopes, x):
                dt = torch.float64
                A, c, pattern = torch.eye(len(x), dtype=dt), torch.zeros(len(x), dtype=dt), []
                for l, (W, b) in enumerate(zip(weights, biases)):
                    A, c = W @ A, W @ c + b
                    if l == len(weights) - 1:
                        break
                    z = A @ x + c
                    D = torch.where(z >= 0, torch.ones_like(z), torch.full_like(z, float(neg_slopes[l])))
                    A, c = D[:, None] * A, D * c
                    pattern.append(z >= 0)
                return A, c, pattern
        ''',
    },
    "region_A_transposed": {
        "why": "returns Aᵀ (d, q)",
        "feedback": "transpose",
        "source": '''
            _right = activation_region_map

            def activation_region_map(weights, biases, neg_slopes, x):
                A, c, pattern = _right(weights, biases, neg_slopes, x)
                return A.T, c, pattern
        ''',
    },
    "region_c_missing_last_bias": {
        "why": "forgets the output layer's bias in c",
        "feedback": "missing the last layer's bias",
        "source": '''
            _right = activation_region_map

            def activation_region_map(weights, biases, neg_slopes, x):
                A, c, pattern = _right(weights, biases, neg_slopes, x)
                return A, c - biases[-1].to(torch.float64), pattern
        ''',
    },
    "region_uses_autograd": {
        "why": "gets A from torch.autograd (forbidden: it is the grader's oracle)",
        "feedback": "not allowed",
        "source": '''
            _right = activation_region_map

            def activation_region_map(weights, biases, neg_slopes, x):
                def f(y):
                    h = y
                    for l, (W, b) in enumerate(zip(weights, biases)):
                        z = W @ h + b
                        h = z if l == len(weights) - 1 else torch.where(z > 0, z, neg_slopes[l] * z)
                    return h
                x = x.to(torch.float64)
                A = torch.autograd.functional.jacobian(f, x).reshape(-1, len(x))
                _, _, pattern = _right(weights, biases, neg_slopes, x)
                return A, f(x) - A @ x, pattern
        ''',
    },
    # ------------------------------------------------------------------ build_relu_approximator
    "approx_spacing_doubled": {
        "why": "too few units: spacing 4ε/L (the error bound L·h/2 taken as L·h/4)",
        "feedback": "2ε/L",
        "source": '''
            def build_relu_approximator(f, a, b, L, eps):
                dt = torch.float64
                m = max(1, math.ceil(L * (b - a) / (4 * eps)))
                knots = torch.linspace(a, b, m + 1, dtype=dt)
                y = f(knots)
                s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])
                ds = torch.cat([s[:1], s[1:] - s[:-1]])
                return torch.ones(m, 1, dtype=dt), -knots[:-1].clone(), ds[None, :].clone(), y[:1].clone()
        ''',
    },
    "approx_floor": {
        "why": "m = floor(L(b−a)/(2ε)): the intervals come out longer than 2ε/L",
        "feedback": "ceil, not floor",
        "source": '''
            def build_relu_approximator(f, a, b, L, eps):
                dt = torch.float64
                m = max(1, int(L * (b - a) / (2 * eps)))
                knots = torch.linspace(a, b, m + 1, dtype=dt)
                y = f(knots)
                s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])
                ds = torch.cat([s[:1], s[1:] - s[:-1]])
                return torch.ones(m, 1, dtype=dt), -knots[:-1].clone(), ds[None, :].clone(), y[:1].clone()
        ''',
    },
    "approx_long_last_interval": {
        "why": "knots a, a+h, …, a+(m−1)h with h = 2ε/L and m = ⌊L(b−a)/(2ε)⌋, then b: the last interval is up to 2h "
               "long, its Lipschitz error bound L·h_last/2 up to 2ε",
        "feedback": "2ε/L",
        "source": '''
            def build_relu_approximator(f, a, b, L, eps):
                dt = torch.float64
                h = 2 * eps / L if L > 0 else b - a
                m = max(1, int((b - a) / h))
                knots = torch.tensor([a + k * h for k in range(m)] + [b], dtype=dt)
                y = f(knots)
                s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])
                ds = torch.cat([s[:1], s[1:] - s[:-1]])
                return torch.ones(m, 1, dtype=dt), -knots[:-1].clone(), ds[None, :].clone(), y[:1].clone()
        ''',
    },
    "approx_no_initial_slope": {
        "why": "forgets the initial slope term: units only at the interior knots",
        "feedback": "slope on the first interval",
        "source": '''
            def build_relu_approximator(f, a, b, L, eps):
                dt = torch.float64
                m = max(1, math.ceil(L * (b - a) / (2 * eps)))
                knots = torch.linspace(a, b, m + 1, dtype=dt)
                y = f(knots)
                s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])
                ds = s[1:] - s[:-1]
                if m == 1:
                    return torch.zeros(1, 1, dtype=dt), torch.zeros(1, dtype=dt), torch.zeros(1, 1, dtype=dt), y[:1].clone()
                return torch.ones(m - 1, 1, dtype=dt), -knots[1:-1].clone(), ds[None, :].clone(), y[:1].clone()
        ''',
    },
    "approx_no_output_bias": {
        "why": "forgets the output bias f(a): b2 = 0",
        "feedback": "output bias b2 is f(a)",
        "source": '''
            _right = build_relu_approximator

            def build_relu_approximator(f, a, b, L, eps):
                W1, b1, W2, b2 = _right(f, a, b, L, eps)
                return W1, b1, W2, torch.zeros_like(b2)
        ''',
    },
    "approx_missing_last_knot": {
        "why": "knots a, a+h, …, b−h only: the last interval [b−h, b] never gets its own slope",
        "feedback": "last interval",
        "source": '''
            def build_relu_approximator(f, a, b, L, eps):
                dt = torch.float64
                m = max(1, math.ceil(L * (b - a) / (2 * eps)))
                h = (b - a) / m
                knots = a + h * torch.arange(m, dtype=dt)          # b is missing
                y = f(knots)
                if m == 1:
                    return torch.zeros(1, 1, dtype=dt), torch.zeros(1, dtype=dt), torch.zeros(1, 1, dtype=dt), y[:1].clone()
                s = (y[1:] - y[:-1]) / h
                ds = torch.cat([s[:1], s[1:] - s[:-1]])
                return torch.ones(m - 1, 1, dtype=dt), -knots[:-1].clone(), ds[None, :].clone(), y[:1].clone()
        ''',
    },
    "approx_hat_functions": {
        "why": "a sum of hat functions f(x_k)·hat_k, three ReLUs each: more units than the budget",
        "feedback": "units",
        "source": '''
            def build_relu_approximator(f, a, b, L, eps):
                dt = torch.float64
                m = max(1, math.ceil(L * (b - a) / (2 * eps)))
                h = (b - a) / m
                knots = torch.linspace(a, b, m + 1, dtype=dt)
                y = f(knots)
                W1, b1, W2 = [], [], []
                for k in range(m + 1):
                    for off, w in ((-h, 1.0), (0.0, -2.0), (h, 1.0)):   # hat_k = (relu(t−x_{k−1}) − 2relu(t−x_k) + relu(t−x_{k+1}))/h
                        W1.append(1.0)
                        b1.append(-(float(knots[k]) + off))
                        W2.append(float(y[k]) * w / h)
                return (torch.tensor(W1, dtype=dt)[:, None], torch.tensor(b1, dtype=dt),
                        torch.tensor(W2, dtype=dt)[None, :], torch.zeros(1, dtype=dt))
        ''',
    },
    "approx_float32": {
        "why": "builds the network in float32",
        "feedback": "float64",
        "source": '''
            _right = build_relu_approximator

            def build_relu_approximator(f, a, b, L, eps):
                return tuple(t.float() for t in _right(f, a, b, L, eps))
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # pure Python floats, lists and loops (the way one would write it on paper)
    "pieces_python_lists": '''
        def relu_pieces_1d(weights, biases, neg_slopes):
            Ws = [W.tolist() for W in weights]
            Bs = [b.tolist() for b in biases]
            bps = []
            lines = [[(1.0, 0.0)]]
            for l in range(len(Ws)):
                lines = [[(sum(w * s for w, (s, _) in zip(row, u)), sum(w * c for w, (_, c) in zip(row, u)) + bb)
                          for row, bb in zip(Ws[l], Bs[l])] for u in lines]
                if l == len(Ws) - 1:
                    break
                a = float(neg_slopes[l])
                nb, nl = [], []
                for i, u in enumerate(lines):
                    lo = bps[i - 1] if i > 0 else -math.inf
                    hi = bps[i] if i < len(bps) else math.inf
                    cuts = sorted({-c / s for s, c in u if s != 0 and lo < -c / s < hi})
                    ends = [lo] + cuts + [hi]
                    for p, q in zip(ends[:-1], ends[1:]):
                        t = 0.0 if p == -math.inf and q == math.inf else (
                            q - 1 if p == -math.inf else (p + 1 if q == math.inf else (p + q) / 2))
                        nl.append([(s, c) if s * t + c > 0 else (a * s, a * c) for s, c in u])
                    nb += cuts + ([hi] if hi < math.inf else [])
                bps, lines = nb, nl
            s = [u[0][0] for u in lines]
            c = [u[0][1] for u in lines]
            ob, os_, oc = [], [s[0]], [c[0]]
            for i, t in enumerate(bps):
                if s[i + 1] != os_[-1]:
                    ob.append(t); os_.append(s[i + 1]); oc.append(c[i + 1])
            f64 = torch.float64
            return torch.tensor(ob, dtype=f64), torch.tensor(os_, dtype=f64), torch.tensor(oc, dtype=f64)
    ''',
    # breakpoints layer by layer, but the lines fitted through two network evaluations inside each interval
    "pieces_secant_fit": '''
        def relu_pieces_1d(weights, biases, neg_slopes):
            dt = torch.float64

            def net(t):
                h = t[:, None]
                for l, (W, b) in enumerate(zip(weights, biases)):
                    z = h @ W.to(dt).T + b.to(dt)
                    h = z if l == len(weights) - 1 else torch.where(z > 0, z, float(neg_slopes[l]) * z)
                return h

            def sample(bps):                   # two points inside every interval
                if len(bps) == 0:
                    return torch.tensor([-1.0, 1.0], dtype=dt).reshape(1, 2)
                ends = torch.cat([bps[:1] - 2, bps, bps[-1:] + 2])
                u, v = ends[:-1], ends[1:]
                return torch.stack([u + (v - u) / 3, u + 2 * (v - u) / 3], dim=1)

            bps = torch.zeros(0, dtype=dt)
            for depth in range(1, len(weights)):
                P = sample(bps)                                        # (K+1, 2)
                h = P.reshape(-1, 1)
                for l in range(depth):
                    z = h @ weights[l].to(dt).T + biases[l].to(dt)
                    h = torch.where(z > 0, z, float(neg_slopes[l]) * z)
                Z = z.reshape(P.shape[0], 2, -1)                      # the last layer's pre-activations
                s = (Z[:, 1] - Z[:, 0]) / (P[:, 1] - P[:, 0])[:, None]
                s = torch.where(s.abs() <= 1e-9, torch.zeros_like(s), s)   # a secant of a flat unit: rounding
                c = Z[:, 0] - s * P[:, :1]
                inf = torch.full((1,), math.inf, dtype=dt)
                lo, hi = torch.cat([-inf, bps])[:, None], torch.cat([bps, inf])[:, None]
                X0 = torch.where(s != 0, -c / s + 0.0, torch.full_like(s, math.nan))
                ok = (X0 > lo) & (X0 < hi) & ((X0 - lo).abs() > 1e-9 * (1 + X0.abs())) & (
                    (hi - X0).abs() > 1e-9 * (1 + X0.abs()))
                new = torch.unique(torch.cat([bps, X0[ok]]))
                # crossings from rounded secant lines: equal ones may differ in the last bits, keep one
                far = torch.cat([torch.ones(1, dtype=torch.bool)[:len(new)],
                                 (new[1:] - new[:-1]) > 1e-9 * (1 + new[1:].abs())])
                bps = new[far]
            P = sample(bps)
            F = net(P.reshape(-1)).reshape(P.shape)
            s = (F[:, 1] - F[:, 0]) / (P[:, 1] - P[:, 0])
            c = F[:, 0] - s * P[:, 0]
            keep_bp = (s[1:] - s[:-1]).abs() > 1e-9 * (1 + s[1:].abs())
            keep = torch.cat([torch.ones(1, dtype=torch.bool), keep_bp])
            return bps[keep_bp], s[keep], c[keep]
    ''',
    # exact rationals in the learner's code too, converted at the end
    "pieces_fractions": '''
        def relu_pieces_1d(weights, biases, neg_slopes):
            from fractions import Fraction as Fr
            W = [[[Fr(v) for v in row] for row in w.tolist()] for w in weights]
            B = [[Fr(v) for v in b.tolist()] for b in biases]
            bps, lines = [], [[(Fr(1), Fr(0))]]
            for l in range(len(W)):
                lines = [[(sum((w * s for w, (s, _) in zip(row, u)), Fr(0)),
                           sum((w * c for w, (_, c) in zip(row, u)), Fr(0)) + bb) for row, bb in zip(W[l], B[l])]
                         for u in lines]
                if l == len(W) - 1:
                    break
                a = Fr(float(neg_slopes[l]))
                # all candidate points at once, then re-derive every interval's lines from the old piece
                cand = set(bps)
                for i, u in enumerate(lines):
                    lo = bps[i - 1] if i > 0 else None
                    hi = bps[i] if i < len(bps) else None
                    cand |= {-c / s for s, c in u if s != 0 and (lo is None or -c / s > lo) and (hi is None or -c / s < hi)}
                new = sorted(cand)
                pts = [new[0] - 1] + [(p + q) / 2 for p, q in zip(new[:-1], new[1:])] + [new[-1] + 1] if new else [Fr(0)]
                nl = []
                for t in pts:
                    i = sum(1 for p in bps if p < t)
                    nl.append([(s, c) if s * t + c > 0 else (a * s, a * c) for s, c in lines[i]])
                bps, lines = new, nl
            ob, os_, oc = [], [lines[0][0][0]], [lines[0][0][1]]
            for i, t in enumerate(bps):
                s, c = lines[i + 1][0]
                if s != os_[-1]:
                    ob.append(t); os_.append(s); oc.append(c)
            f = lambda v: torch.tensor([float(x) for x in v], dtype=torch.float64)
            return f(ob), f(os_), f(oc)
    ''',
    # region map: a forward pass for the pattern, then explicit diagonal matrices multiplied from the output back
    "region_reverse_product": '''
        def activation_region_map(weights, biases, neg_slopes, x):
            dt = torch.float64
            h, Ds, pattern = x.to(dt), [], []
            for l in range(len(weights) - 1):
                z = weights[l].to(dt) @ h + biases[l].to(dt)
                pattern.append(z > 0)
                D = torch.diag(torch.where(z > 0, 1.0, float(neg_slopes[l])).to(dt))
                Ds.append(D)
                h = D @ z
            M = weights[-1].to(dt)                       # (q, n): d f / d h_{L-1}
            c = biases[-1].to(dt).clone()
            for l in range(len(weights) - 2, -1, -1):
                M = M @ Ds[l]
                c = c + M @ biases[l].to(dt)
                M = M @ weights[l].to(dt)
            return M, c, pattern
    ''',
    # region map: c from the value, A column by column from the masked layers
    "region_value_minus_Ax": '''
        def activation_region_map(weights, biases, neg_slopes, x):
            dt = torch.float64
            X = torch.cat([x.to(dt)[None, :], torch.eye(len(x), dtype=dt)])   # row 0: x, rows 1…d: directions
            pattern = []
            for l, (W, b) in enumerate(zip(weights, biases)):
                Z = X @ W.to(dt).T
                Z[0] += b.to(dt)
                if l == len(weights) - 1:
                    X = Z
                    break
                act = Z[0] > 0
                pattern.append(act)
                X = Z * torch.where(act, 1.0, float(neg_slopes[l])).to(dt)
            A = X[1:].T.contiguous()
            return A, X[0] - A @ x.to(dt), pattern
    ''',
    # approximator: the mirror image, units relu(x_k − t) hanging from the right end b
    "approx_mirrored": '''
        def build_relu_approximator(f, a, b, L, eps):
            dt = torch.float64
            m = max(1, math.ceil(L * (b - a) / (2 * eps)))
            knots = torch.linspace(a, b, m + 1, dtype=dt)
            y = f(knots)
            s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])       # slope on [x_{k-1}, x_k] is s[k-1]
            d = torch.cat([s[1:] - s[:-1], -s[-1:]])              # unit k = 1…m: relu(x_k − t)
            return -torch.ones(m, 1, dtype=dt), knots[1:].clone(), d[None, :].clone(), y[-1:].clone()
    ''',
    # approximator: Python loop, spacing exactly 2ε/L with a shorter last interval ending at b
    "approx_loop_fixed_spacing": '''
        def build_relu_approximator(f, a, b, L, eps):
            h = 2 * eps / L if L > 0 else b - a
            xs = [a]
            while xs[-1] + h < b:
                xs.append(xs[-1] + h)
            xs.append(b)
            ys = f(torch.tensor(xs, dtype=torch.float64)).tolist()
            W1, b1, W2, prev = [], [], [], 0.0
            for k in range(len(xs) - 1):
                s = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])
                W1.append([1.0]); b1.append(-xs[k]); W2.append(s - prev)
                prev = s
            t = lambda v: torch.tensor(v, dtype=torch.float64)
            return t(W1), t(b1), t([W2]), t([ys[0]])
    ''',
    # approximator: not an interpolant — twice the knots (error ≤ ε/2) and the output shifted by ε/3
    "approx_finer_and_shifted": '''
        def build_relu_approximator(f, a, b, L, eps):
            dt = torch.float64
            m = max(1, math.ceil(L * (b - a) / eps))
            knots = torch.linspace(a, b, m + 1, dtype=dt)
            y = f(knots)
            s = (y[1:] - y[:-1]) / (knots[1:] - knots[:-1])
            ds = torch.cat([s[:1], s[1:] - s[:-1]])
            return torch.ones(m, 1, dtype=dt), -knots[:-1].clone(), ds[None, :].clone(), y[:1] + eps / 3
    ''',
}
