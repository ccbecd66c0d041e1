"""Graders for ch2/backprop.py (mlp_forward_backward).

Oracle: autograd (``torch.autograd.grad`` through ``torch.relu`` and ``F.cross_entropy``; torch.func would import
torch._dynamo, a second of start-up), in float64. Inputs are dyadic (k/4), so X W1 + b1 is exact in any summation
order and pre-activations that are exactly 0 can be built on purpose: there the ReLU's derivative is 0 (autograd's
convention), which separates the masks ``H_pre > 0`` (right) from ``H_pre >= 0`` (wrong).

Tolerances. float64: 1e-10 relative to the gradients' scale (the learner's and autograd's summation orders differ
by ~1e-16 relative). float32 with logits up to ~300: a stable log-softmax is accurate to about u·max|O| ≈ 2e-5
absolute in the loss and in softmax(O); the graders allow 1e-4·(1 + max|O|)·scale.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, KataFailure, expect, expect_close, expect_tensor, fail, show

KEYS = ("W1", "b1", "W2", "b2")


# ------------------------------------------------------------------------------------------------ oracles
def autograd_reference(X, y, W1, b1, W2, b2):
    """(loss, {name: grad}) by autograd."""
    params = [t.detach().clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = params
    O = torch.relu(X @ w1 + c1) @ w2 + c2
    loss = F.cross_entropy(O, y)
    grads = torch.autograd.grad(loss, params)
    return loss.detach(), dict(zip(KEYS, grads))


def manual(X, y, W1, b1, W2, b2, mask="pre>0", scale=True, onehot=True, bias="sum"):
    """Hand backprop with a chosen mistake, to recognise a learner's (feedback only, never the oracle)."""
    n = X.shape[0]
    H_pre = X @ W1 + b1
    H = H_pre.clamp(min=0)
    O = H @ W2 + b2
    P = torch.softmax(O, dim=1)
    dO = P - F.one_hot(y, O.shape[1]).to(P.dtype) if onehot else P
    if scale:
        dO = dO / n
    dH = dO @ W2.T
    m = {"pre>0": H_pre > 0, "pre>=0": H_pre >= 0, "H>=0": H >= 0, "dH>0": dH > 0}[mask]
    dH_pre = dH * m
    red = (lambda t: t.sum(0)) if bias == "sum" else (lambda t: t.mean(0))
    return {"W1": X.T @ dH_pre, "b1": red(dH_pre), "W2": H.T @ dO, "b2": red(dO)}


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def problems(draw, zeros=True):
    """Dyadic float64 (X, y, W1, b1, W2, b2) with entries k/4 in [-2, 2]; with ``zeros``, some pre-activations are
    exactly 0. (All entries come from one list draw: much faster than one draw per tensor.)"""
    n, d, h, q = (draw(st.integers(lo, hi), label=lbl)
                  for lbl, lo, hi in (("n", 1, 6), ("d", 1, 4), ("h", 1, 5), ("q", 2, 4)))
    sizes = (n * d, d * h, h, h * q, q)
    ints = draw(st.lists(st.integers(-8, 8), min_size=sum(sizes), max_size=sum(sizes)), label="entries")
    flat = torch.tensor(ints, dtype=torch.float64) / 4
    X, W1, b1, W2, b2 = (t.reshape(shape) for t, shape in
                         zip(flat.split(sizes), ((n, d), (d, h), (h,), (h, q), (q,))))
    b1 = b1.clone()
    if zeros:  # make H_pre[r, j] == 0 exactly for a few (r, j): dyadic arithmetic is exact
        for j, r in draw(st.lists(st.tuples(st.integers(0, h - 1), st.integers(0, n - 1)), max_size=h,
                                  unique_by=lambda t: t[0]), label="zeros"):
            b1[j] = -(X[r] * W1[:, j]).sum()
    y = torch.tensor(draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n), label="y"), dtype=torch.int64)
    return X.contiguous(), y, W1.contiguous(), b1, W2.contiguous(), b2.contiguous()


def _inputs(X, y, W1, b1, W2, b2):
    H_pre = X @ W1 + b1
    out = {"X": X, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    if bool((H_pre == 0).any()):
        out["H_pre = X W1 + b1"] = H_pre
    return out


# ------------------------------------------------------------------------------------------------ helpers
def call(kata, args):
    """Call the learner with copies; check the result's structure; return (loss, grads)."""
    X, y, W1, b1, W2, b2 = args
    copies = [t.clone() for t in args]
    out = kata.mlp_forward_backward(*copies)
    inputs = _inputs(*args)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail("mlp_forward_backward returns a pair (loss, grads)", inputs=inputs,
             expected="(loss, {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...})", got=show(out))
    loss, grads = out
    expect_tensor(loss, "the loss is a 0-d tensor (the mean over the batch)", inputs=inputs, shape=(),
                  hints=["reduce the per-example losses with .mean() (a 0-d tensor), not .item()."])
    if not (isinstance(grads, dict) and set(grads) == set(KEYS)):
        fail("grads is a dict with exactly the keys 'W1', 'b1', 'W2', 'b2'", inputs=inputs,
             expected=sorted(KEYS), got=sorted(grads) if isinstance(grads, dict) else show(grads))
    for name, param in zip(KEYS, (W1, b1, W2, b2)):
        g = grads[name]
        shape_hints = []
        if isinstance(g, torch.Tensor) and g.dim() == 2 and tuple(g.shape) == tuple(param.shape)[::-1]:
            shape_hints.append(f"your d{name} is transposed: a gradient has its parameter's shape; "
                               f"dW2 = Hᵀ·dO is (h, q) and dW1 = Xᵀ·dH_pre is (d, h).")
        if name.startswith("b") and isinstance(g, torch.Tensor) and g.dim() == 2:
            shape_hints.append("a bias gradient is the column sum over the batch: .sum(dim=0), shape (h,) or (q,).")
        expect_tensor(g, f"grads['{name}'] has the shape of {name}", inputs=inputs, shape=param.shape,
                      hints=shape_hints)
    for name, t, c in zip(("X", "y", "W1", "b1", "W2", "b2"), args, copies):
        expect(torch.equal(t, c), f"mlp_forward_backward does not modify its inputs ({name} changed)",
               inputs=inputs, expected=t, got=c,
               hints=["compute new tensors (dO = P - one_hot) instead of updating inputs in place."])
    return loss, grads


def grad_hints(name, got, args, want):
    """Hints naming the mistake whose hand-made result equals the learner's."""
    X = args[0]
    n = X.shape[0]
    out = []

    def same(variant):
        v = variant[name]
        return (isinstance(got, torch.Tensor) and got.shape == v.shape and not torch.allclose(v, want, atol=1e-9)
                and torch.allclose(got.double(), v, atol=1e-9, rtol=1e-7))

    if same(manual(*args, scale=False)):
        out.append("your gradient is n times too large: the loss is the *mean* over the n examples, so "
                   "dL/dO = (softmax(O) − one_hot(y)) / n.")
    if name.startswith("b") and same(manual(*args, bias="mean")):
        out.append("your bias gradient is divided by n twice: dO already carries the 1/n of the mean, so "
                   "db = dO.sum(dim=0) (a column sum), not .mean(dim=0).")
    if same(manual(*args, onehot=False)):
        out.append("dL/dO is softmax(O) − one_hot(y) (divided by n): subtract 1 at each example's true class.")
    if name in ("W1", "b1"):
        if same(manual(*args, mask="pre>=0")):
            out.append("the ReLU mask differs exactly where H_pre == 0: ReLU's derivative at 0 is taken as 0 "
                       "(as autograd does), so use (H_pre > 0), not (H_pre >= 0).")
        elif same(manual(*args, mask="H>=0")):
            out.append("your ReLU mask lets everything through: H = relu(H_pre) is never negative, so (H >= 0) is "
                       "always true. Use (H_pre > 0).")
        elif same(manual(*args, mask="dH>0")):
            out.append("the ReLU mask comes from the forward pass, 1[H_pre > 0], not from the sign of the "
                       "incoming gradient dH.")
    if got is not None and isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape == want.T.shape \
            and got.shape != want.shape:
        out.append(f"d{name} is transposed.")
    if isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape == want.shape and got.shape[0] == got.shape[1] \
            and torch.allclose(got.double(), want.T, atol=1e-9) and not torch.allclose(want, want.T, atol=1e-9):
        out.append(f"your d{name} equals the transpose of the right one: dW2 = Hᵀ·dO and dW1 = Xᵀ·dH_pre "
                   f"(the gradient has its parameter's shape and layout).")
    return out


def compare(kata, args, loss, grads, atol_rel=1e-10, rtol=1e-9, prop_extra=""):
    want_loss, want = autograd_reference(*args)
    inputs = _inputs(*args)
    expect_close(loss, float(want_loss), f"the loss equals F.cross_entropy (mean) of the MLP's logits{prop_extra}",
                 inputs=inputs, atol=atol_rel * (1 + abs(float(want_loss))), rtol=rtol,
                 hints=["loss = mean over examples of −log softmax(O)[i, y_i]; subtract each row's max before exp.",
                        Hint("the loss is n times too large: use the mean over the batch, not the sum.",
                             when=lambda g, w: abs(float(g) - args[0].shape[0] * w) < 1e-6 * (1 + abs(w))
                             and args[0].shape[0] > 1)])
    for name in ("W2", "b2", "W1", "b1"):  # the order backprop computes them: the first wrong one is the cause
        g, w = grads[name], want[name]
        scale = float(w.abs().max()) if w.numel() else 0.0
        prop = f"grads['{name}'] equals autograd's dL/d{name}{prop_extra}"
        try:
            expect_close(g, w, prop, inputs=inputs, atol=atol_rel * (1 + scale), rtol=rtol)
        except KataFailure:  # work out which mistake it is only when there is one (it costs a few backprops)
            hints = grad_hints(name, g, [a.double() if a.is_floating_point() else a for a in args], w.double())
            expect_close(g, w, prop, inputs=inputs, atol=atol_rel * (1 + scale), rtol=rtol, hints=hints)
            raise


# ------------------------------------------------------------------------------------------------ tests
@pytest.mark.core("mlp_forward_backward")
@given(args=problems())
@example(args=(torch.tensor([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0]], dtype=torch.float64), torch.tensor([0, 2, 1]),
               torch.tensor([[1.0, -0.5, 0.25], [0.5, 1.0, -1.0]], dtype=torch.float64),
               torch.tensor([-0.5, 0.0, 0.25], dtype=torch.float64),
               torch.tensor([[1.0, -1.0, 0.5], [0.25, 0.5, -0.75], [-1.0, 0.75, 1.0]], dtype=torch.float64),
               torch.tensor([0.0, 0.5, -0.5], dtype=torch.float64)))
def test_matches_autograd(kata, args):
    """loss and all four gradients equal autograd's (float64)"""
    loss, grads = call(kata, args)
    compare(kata, args, loss, grads)


def test_relu_derivative_zero_at_zero(kata):
    """where a pre-activation is exactly 0, no gradient flows through that unit (ReLU′(0) = 0, as autograd)"""
    X = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0], [2.0, -1.0]], dtype=torch.float64)
    W1 = torch.tensor([[1.0, -1.0, 0.5], [0.5, 1.0, 0.0]], dtype=torch.float64)
    b1 = torch.tensor([-2.0, -0.0, 0.0], dtype=torch.float64)   # H_pre has exact zeros: row 0 unit 0, row 2 ...
    W2 = torch.tensor([[1.0, -2.0], [0.5, 1.5], [-1.0, 1.0]], dtype=torch.float64)
    b2 = torch.tensor([0.25, -0.25], dtype=torch.float64)
    y = torch.tensor([1, 0, 1, 0])
    args = (X, y, W1, b1, W2, b2)
    assert bool(((X @ W1 + b1) == 0).sum() >= 3)
    loss, grads = call(kata, args)
    compare(kata, args, loss, grads)


@settings(max_examples=20)
@given(args=problems(zeros=False))
def test_bias_grads_are_column_sums(kata, args):
    """bias gradients are column sums: db1 = dW1 of a constant-1 input, db2 = dW2 of a constant-1 hidden unit"""
    X, y, W1, b1, W2, b2 = args
    n = X.shape[0]
    # an extra input feature that is always 1, and an extra hidden unit whose pre-activation is always 1
    X1 = torch.cat([torch.ones(n, 1, dtype=X.dtype), X], dim=1)                        # (n, d+1)
    W1e = torch.cat([torch.zeros(1, W1.shape[1], dtype=X.dtype), W1], dim=0)           # (d+1, h)
    W1e = torch.cat([W1e, torch.zeros(W1e.shape[0], 1, dtype=X.dtype)], dim=1)         # (d+1, h+1)
    b1e = torch.cat([b1, torch.ones(1, dtype=X.dtype)])                                # (h+1,)
    W2e = torch.cat([W2, torch.zeros(1, W2.shape[1], dtype=X.dtype)], dim=0)           # (h+1, q)
    args = (X1, y, W1e, b1e, W2e, b2)
    loss, grads = call(kata, args)
    inputs = _inputs(*args)
    scale = 1e-12 * (1 + float(grads["b1"].detach().abs().max()) + float(grads["b2"].detach().abs().max()))
    hint = Hint("dW1 = Xᵀ·dH_pre, so its row for an always-1 input is Σ_i dH_pre[i] — that is db1; likewise db2 = "
                "Σ_i dO[i]. Sum the columns of the upstream gradient (dim=0), without any extra factor.")
    expect_close(grads["b1"], grads["W1"][0], "db1 = column sums of dH_pre = the row of dW1 of an input that is "
                 "always 1", inputs=inputs, atol=scale, rtol=1e-9, hints=[hint])
    expect_close(grads["b2"], grads["W2"][-1], "db2 = column sums of dO = the row of dW2 of a hidden unit that is "
                 "always 1", inputs=inputs, atol=scale, rtol=1e-9, hints=[hint])


@settings(max_examples=20)
@given(args=problems())
def test_logit_grad_rows_sum_to_zero(kata, args):
    """each row of dL/dlogits sums to 0, so Σ db2 = 0 and every row of dW2 sums to 0"""
    X, y, W1, b1, W2, b2 = args
    loss, grads = call(kata, args)
    inputs = _inputs(*args)
    H = (X @ W1 + b1).clamp(min=0)
    hint = Hint("dL/dO = (softmax(O) − one_hot(y)) / n: softmax rows sum to 1 and one_hot rows sum to 1, so each "
                "row of dO sums to 0. Did you forget to subtract the one-hot labels, or normalise over the wrong dim?")
    tol = 1e-12 * (1 + float(H.abs().max()))
    expect_close(grads["b2"].sum(), 0.0, "Σ_j db2[j] = Σ_i Σ_j dO[i, j] = 0", inputs=inputs, atol=1e-12, rtol=0,
                 hints=[hint])
    expect_close(grads["W2"].sum(dim=1), torch.zeros(W2.shape[0], dtype=torch.float64),
                 "each row of dW2 = Hᵀ·dO sums to 0", inputs=inputs, atol=tol, rtol=0, hints=[hint])


@settings(max_examples=20)
@given(args=problems(zeros=False), big=st.sampled_from([100.0, 300.0]))
@example(args=(torch.tensor([[1.0, 1.0]], dtype=torch.float64), torch.tensor([1]),
               torch.tensor([[1.0], [1.0]], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64),
               torch.tensor([[1.0, -1.0]], dtype=torch.float64), torch.tensor([0.0, 0.0], dtype=torch.float64)),
         big=100.0)
def test_float32_large_logits(kata, args, big):
    """float32 in, float32 out; finite and right for logits in the hundreds (stable softmax)"""
    X, y, W1, b1, W2, b2 = args
    W2 = W2 * big                                     # logits up to a few hundred
    args32 = tuple(t.float() if t.is_floating_point() else t for t in (X, y, W1, b1, W2, b2))
    loss, grads = call(kata, args32)
    inputs = _inputs(*args32)
    expect_tensor(loss, "float32 inputs give a float32 loss", inputs=inputs, shape=(), dtype=torch.float32)
    for name in KEYS:
        expect_tensor(grads[name], f"float32 inputs give a float32 grads['{name}']", inputs=inputs,
                      dtype=torch.float32)
    stab = Hint("exp overflows in float32 above ~88: subtract each row's max from the logits before exp "
                "(softmax and log-sum-exp are unchanged by the shift).",
                when=lambda got, want: isinstance(got, torch.Tensor) and not bool(got.isfinite().all())
                or isinstance(got, float) and not (got == got and abs(got) != float("inf")))
    for t, name in [(loss, "loss")] + [(grads[k], k) for k in KEYS]:
        expect(bool(torch.isfinite(t).all()), f"{name} is finite for logits of about ±{big:g} in float32",
               inputs=inputs, expected="finite values", got=t, hints=[stab.text])
    O = (X @ W1 + b1).clamp(min=0) @ W2 + b2
    mO = float(O.abs().max())
    want_loss, want = autograd_reference(X, y, W1, b1, W2, b2)  # float64 oracle
    expect_close(loss, float(want_loss), "the float32 loss is accurate for large logits", inputs=inputs,
                 atol=1e-4 * (1 + mO), rtol=1e-4, hints=[stab])
    for name in ("W2", "b2", "W1", "b1"):
        w = want[name]
        expect_close(grads[name], w, f"float32 grads['{name}'] are accurate for large logits", inputs=inputs,
                     atol=1e-4 * (1 + mO) * (1 + float(w.abs().max())), rtol=1e-4, hints=[stab])
