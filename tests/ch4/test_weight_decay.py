"""Graders for ch4/weight_decay.py (l2_penalty, l1_penalty, sgd_weight_decay_, soft_threshold).

Oracles: the penalties in float64; autograd for their gradients; torch.optim.SGD(weight_decay=λ)'s update written
out by hand (p ← p − lr·(∇p + λ·p) on the mean loss; constructing the optimiser would import torch._dynamo, a
second or two); F.softshrink. The training check reruns d2l §4.5's experiment (n_train = 20, d = 200) in a loop
written here, with the learner's l2_penalty and sgd_weight_decay_.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, scale_atol
from tests.strategies import dyadic, shapes, tensors
from tests.helpers import gen as _gen


def _is_tensor(g):
    return isinstance(g, torch.Tensor)


def _near(a, b, tol=1e-4):
    """a ≈ b for two numbers or tensors (used by the hints' `when`)."""
    try:
        a = torch.as_tensor(a).detach().double()
        b = torch.as_tensor(b).detach().double()
        return a.shape == b.shape and bool(((a - b).abs() <= tol * (1 + b.abs())).all())
    except Exception:  # noqa: BLE001
        return False


def _zero_d(prop, got, inputs, name):
    expect_tensor(got, prop, inputs=inputs, shape=(),
                  hints=[Hint(f"{name} returns one number for the whole tensor: sum over every entry (a 0-d tensor, "
                              "as .sum() gives); don't return a Python float — it is added to the loss before "
                              "backward().", when=lambda g, w: True)])


# ----------------------------------------------------------------------------------------------- penalties
@pytest.mark.core("l2_penalty")
@given(w=tensors(shapes(2, 1, 5), torch.float32, -10.0, 10.0))
@example(w=torch.tensor([[3.0, -4.0]]))
def test_l2_penalty_is_half_sum_of_squares(kata, w):
    """l2_penalty(w) = Σw²/2, a 0-d tensor"""
    inputs = {"w": w}
    prop = "l2_penalty(w) = Σ w² / 2"
    got = kata.l2_penalty(w.clone())
    _zero_d(prop, got, inputs, "l2_penalty")
    want = (w.double() ** 2).sum() / 2
    sq = (w.double() ** 2).sum()
    expect_close(got, float(want), prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=[
        Hint("you return Σw² — the L2 penalty of d2l has a ½: Σw²/2, so that its gradient is exactly w "
             "(λ·w² without the ½ decays with 2λ).", when=lambda g, e: _near(g, 2 * e)),
        Hint("you return the norm ‖w‖ = √(Σw²); the penalty is the squared norm halved: Σw²/2.",
             when=lambda g, e: _near(g, sq.sqrt())),
        Hint("that is a mean; sum over all entries: Σw²/2.", when=lambda g, e: _near(g, sq / 2 / w.numel())
             and w.numel() > 1),
    ])


@given(w=tensors(shapes(2, 1, 5), torch.float32, -10.0, 10.0))
@example(w=torch.tensor([[1.5, -2.0, 0.0]]))
def test_l2_penalty_gradient_is_w(kata, w):
    """l2_penalty is differentiable and its gradient is exactly w"""
    wr = w.clone().requires_grad_(True)
    inputs = {"w": w}
    prop = "∂ l2_penalty(w) / ∂w = w"
    out = kata.l2_penalty(wr)
    expect(isinstance(out, torch.Tensor) and out.requires_grad, "l2_penalty(w) is differentiable (it goes into the "
           "loss before backward())", inputs=inputs, expected="a tensor with requires_grad=True",
           got=out if not isinstance(out, torch.Tensor) else f"a tensor with requires_grad={out.requires_grad}",
           hints=["build the penalty from tensor operations on w, e.g. (w ** 2).sum() / 2: no .item(), no float(), "
                  "no torch.no_grad(), no w.detach()."])
    (grad,) = torch.autograd.grad(out.sum(), wr)
    expect_close(grad, w, prop, inputs=inputs, atol=scale_atol(w), rtol=1e-6, hints=[
        Hint("the gradient is 2w: the penalty is Σw²/2 — the ½ makes the gradient w.",
             when=lambda g, e: _near(g, 2 * e)),
    ])


@pytest.mark.core("l1_penalty")
@given(w=tensors(shapes(2, 1, 5), torch.float32, -10.0, 10.0))
@example(w=torch.tensor([[3.0, -4.0, 0.5]]))
def test_l1_penalty_is_sum_of_abs(kata, w):
    """l1_penalty(w) = Σ|w|, a 0-d tensor"""
    inputs = {"w": w}
    prop = "l1_penalty(w) = Σ |w|"
    got = kata.l1_penalty(w.clone())
    _zero_d(prop, got, inputs, "l1_penalty")
    want = w.double().abs().sum()
    expect_close(got, float(want), prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=[
        Hint("take the absolute value of each entry before summing: Σ|w|, not Σw (negative weights must not "
             "cancel positive ones).", when=lambda g, e: _near(g, w.double().sum())),
        Hint("that looks like Σw²/2, the L2 penalty; the L1 penalty is Σ|w|.",
             when=lambda g, e: _near(g, (w.double() ** 2).sum() / 2)),
        Hint("that is a mean; sum over all entries: Σ|w|.",
             when=lambda g, e: w.numel() > 1 and _near(g, e / w.numel())),
    ])


# ----------------------------------------------------------------------------------------------- sgd_weight_decay_
def _variants_of_step(p, g, lr, wd, bs, decay):
    """Known wrong updates (for the hints), all float64."""
    p, g = p.double(), g.double()
    plain = p - lr * g / bs
    return {
        "after": plain * (1 - lr * wd) if decay else plain,              # decay applied to the updated weights
        "two": p - lr * (g / bs + 2 * wd * p) if decay else plain,       # λ·w² without ½
        "no_bs": p - lr * (g + wd * p) if decay else p - lr * g,         # forgot / batch_size
        "bs_all": p - lr * (g + wd * p) / bs if decay else plain,        # wd·p divided by batch_size too
        "plus": p - lr * (g / bs - wd * p) if decay else plain,          # wrong sign
        "none": plain,                                                   # no decay at all
        "all": p - lr * (g / bs + wd * p),                               # decays everything
        "same": p,                                                       # not updated in place
    }


def _step_hints(wrong, decay):
    def like(key):
        return lambda got, want: (isinstance(got, torch.Tensor) and not _near(wrong[key], want, 1e-6)
                                  and _near(got, wrong[key], 1e-5))
    return [
        Hint("the parameter did not change: `p = p - ...` only rebinds a local name. Update the tensor in place "
             "inside torch.no_grad(): p -= lr * (p.grad / batch_size + wd * p).", when=like("same")),
        Hint("this parameter has decay=False (a bias): it must not be decayed, only p -= lr * p.grad / batch_size.",
             when=lambda got, want: not decay and like("all")(got, want)),
        Hint("this parameter has decay=True but was not decayed: add wd · p to its gradient.",
             when=lambda got, want: decay and like("none")(got, want)),
        Hint("you decayed the weights after the gradient step (using the already-updated p). The decay term uses "
             "the weights before the step: p ← p − lr·(p.grad/batch_size + wd·p), all computed from the old p.",
             when=like("after")),
        Hint("the decay is twice too strong: the penalty is λ·Σw²/2, whose gradient is λ·w (not 2λ·w).",
             when=like("two")),
        Hint("the gradient is of the summed minibatch loss: divide p.grad by batch_size.", when=like("no_bs")),
        Hint("only p.grad is divided by batch_size; the decay term wd·p is not: p ← p − lr·(p.grad/batch_size + "
             "wd·p).", when=like("bs_all")),
        Hint("weight decay pulls the weights towards 0: the step subtracts lr·wd·p (you add it).",
             when=like("plus")),
    ]


@st.composite
def _step_case(draw):
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    W = draw(tensors((n_in, n_out), torch.float32, -4.0, 4.0))
    b = draw(tensors((n_out,), torch.float32, -4.0, 4.0))
    gW = draw(tensors((n_in, n_out), torch.float32, -8.0, 8.0))
    gb = draw(tensors((n_out,), torch.float32, -8.0, 8.0))
    lr = draw(st.sampled_from([0.01, 0.1, 0.25, 0.5]))
    wd = draw(st.sampled_from([0.0, 0.5, 1.0, 3.0]))
    bs = draw(st.integers(1, 8))
    return W, b, gW, gb, lr, wd, bs


@pytest.mark.core("sgd_weight_decay_")
@settings(max_examples=30)
@given(case=_step_case())
@example(case=(torch.tensor([[1.0, -2.0]]), torch.tensor([1.0, 0.5]), torch.tensor([[1.0, 2.0]]),
               torch.tensor([1.0, -1.0]), 0.5, 1.0, 4))
@example(case=(torch.tensor([[1.0, -2.0]]), torch.tensor([1.0, 0.5]), torch.tensor([[2.0, 2.0]]),
               torch.tensor([1.0, -1.0]), 0.5, 1.0, 1))
def test_step_matches_sgd_with_weight_decay(kata, case):
    """one step equals torch.optim.SGD(weight_decay=wd) on the mean loss; biases (decay=False) are not decayed"""
    W0, b0, gW, gb, lr, wd, bs = case
    W, b = W0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    W.grad, b.grad = gW.clone(), gb.clone()
    inputs = {"params": "[(W, True), (b, False)]", "W": W0, "b": b0, "W.grad (summed loss)": gW,
              "b.grad (summed loss)": gb, "lr": lr, "wd": wd, "batch_size": bs}
    ret = kata.sgd_weight_decay_([(W, True), (b, False)], lr, wd, bs)
    # torch.optim.SGD(weight_decay=wd) on the mean loss (grad = summed grad / bs): d_p = grad + wd·p; p -= lr·d_p.
    want_W = W0.double() - lr * (gW.double() / bs + wd * W0.double())
    want_b = b0.double() - lr * gb.double() / bs
    for name, t, want, p0, g, decay in (("W", W, want_W, W0, gW, True), ("b", b, want_b, b0, gb, False)):
        expect(t.is_leaf and t.grad_fn is None and t.requires_grad,
               f"sgd_weight_decay_ updates {name} in place: it stays a leaf tensor with requires_grad=True",
               inputs=inputs, expected="a leaf (grad_fn None)", got=f"grad_fn {t.grad_fn}",
               hints=["update inside `with torch.no_grad():` so that the step itself is not recorded by autograd."])
        atol = scale_atol(want, rel=1e-6) + 1e-6 * lr * (float(g.abs().max()) / bs + wd * float(p0.abs().max()))
        expect_close(t.detach(), want, f"after the step, {name} = {name} − lr·({name}.grad/batch_size"
                     f"{' + wd·' + name if decay else ''})  ({'decayed' if decay else 'not decayed'})",
                     inputs=inputs, atol=atol, rtol=1e-5, hints=_step_hints(_variants_of_step(p0, g, lr, wd, bs,
                                                                                              decay), decay))
        expect(t.grad is None or bool((t.grad == 0).all()), f"after sgd_weight_decay_, {name}.grad is zeroed (or None)",
               inputs=inputs, expected="zeros (or None)", got=t.grad,
               hints=["after the update, p.grad.zero_() (or p.grad = None): the next backward() adds into .grad."])
    expect(ret is None, "sgd_weight_decay_ updates in place and returns None", inputs=inputs, expected=None, got=ret,
           hints=["the trailing underscore means in place (PyTorch's convention): change the tensors, return nothing."])


def _mse_sum(X, y, W, b):
    return (((X @ W + b) - y) ** 2 / 2).sum()


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31 - 1), bs=st.integers(2, 6), wd=st.sampled_from([0.1, 1.0, 3.0]))
@example(seed=0, bs=5, wd=3.0)
def test_three_steps_equal_penalised_loss(kata, seed, bs, wd):
    """three steps equal plain SGD on the summed loss + batch_size·wd·Σw²/2 (d2l §4.5.2), grads cleared between steps"""
    # Three steps on fresh minibatches; the oracle runs in float64 with autograd on the penalised loss. A learner
    # who forgets to clear the grads gets step 1 right and step 2 wrong.
    g = _gen(seed)
    n_in, lr = 4, 0.05
    W0, b0 = torch.randn(n_in, 1, generator=g), torch.randn(1, generator=g)
    batches = [(torch.randn(bs, n_in, generator=g), torch.randn(bs, 1, generator=g)) for _ in range(3)]
    W, b = W0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    rW, rb = W0.double(), b0.double()
    inputs = {"W (4, 1)": W0, "b": b0, "lr": lr, "wd": wd, "batch_size": bs,
              "loop": "3 × [ squared_loss(X @ W + b, y).sum().backward(); sgd_weight_decay_([(W, True), (b, False)], "
                      "lr, wd, batch_size) ]"}
    for step, (X, y) in enumerate(batches, 1):
        rWg, rbg = rW.clone().requires_grad_(True), rb.clone().requires_grad_(True)
        loss = _mse_sum(X.double(), y.double(), rWg, rbg) + bs * wd * (rWg ** 2).sum() / 2
        dW, db = torch.autograd.grad(loss, (rWg, rbg))
        rW, rb = rW - lr * dW / bs, rb - lr * db / bs
        _mse_sum(X, y, W, b).backward()
        before = [(W.detach().clone(), W.grad.clone()), (b.detach().clone(), b.grad.clone())]
        kata.sgd_weight_decay_([(W, True), (b, False)], lr, wd, bs)
        cleared = Hint("step 1 was right but a later one is not: clear the gradients after each step "
                       "(p.grad.zero_()), because backward() adds into .grad.", when=lambda got, want: step > 1)
        for name, t, want, (p0, g0), decay in (("W", W, rW, before[0], True), ("b", b, rb, before[1], False)):
            hints = [cleared] + (_step_hints(_variants_of_step(p0, g0, lr, wd, bs, decay), decay) if step == 1 else [])
            expect_close(t.detach(), want, f"after step {step}, {name} equals SGD on the loss"
                         f"{' + batch_size·wd·Σw²/2' if decay else ' (b is not decayed)'}", inputs=inputs,
                         atol=1e-5 * (1 + float(want.abs().max())), rtol=1e-5, hints=hints)


# ----------------------------------------------------------------------------------------------- soft_threshold
@st.composite
def _soft_case(draw):
    lam = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.5]))
    shape = draw(shapes(2, 1, 5))
    n = shape[0] * shape[1]
    # a mix of general floats and entries exactly at ±λ and inside the dead zone
    vals = draw(st.lists(st.one_of(st.floats(-6, 6, width=32), st.sampled_from([lam, -lam, lam / 2, -lam / 2, 0.0])),
                         min_size=n, max_size=n))
    return torch.tensor(vals, dtype=torch.float32).reshape(shape), lam


def _soft_hints(w, lam):
    w64 = w.double()
    return [
        Hint("entries with |w| < λ must become exactly 0, not change sign: clamp |w| − λ at 0 "
             "(sign(w)·max(|w| − λ, 0)).",
             when=lambda g, e: _is_tensor(g) and _near(g, torch.sign(w64) * (w64.abs() - lam), 1e-5)),
        Hint("the sign of w is lost: multiply by sign(w) (negative weights shrink towards 0 from below).",
             when=lambda g, e: _is_tensor(g) and _near(g, (w64.abs() - lam).clamp(min=0), 1e-5)),
        Hint("that is hard thresholding (keep w where |w| > λ): soft thresholding also moves the survivors λ towards "
             "0: sign(w)·(|w| − λ).",
             when=lambda g, e: _is_tensor(g) and _near(g, torch.where(w64.abs() > lam, w64, 0.0), 1e-5)),
    ]


@pytest.mark.core("soft_threshold")
@given(case=_soft_case())
@example(case=(torch.tensor([[3.0, -3.0, 0.5, -0.5, 1.0, -1.0]]), 1.0))
def test_soft_threshold_matches_softshrink(kata, case):
    """soft_threshold(w, λ) = sign(w)·max(|w| − λ, 0), and w is not modified"""
    w, lam = case
    arg = w.clone()
    inputs = {"w": w, "lam": lam}
    prop = "soft_threshold(w, λ) = sign(w)·max(|w| − λ, 0)"
    got = kata.soft_threshold(arg, lam)
    hints = _soft_hints(w, lam)
    expect_tensor(got, prop, inputs=inputs, shape=w.shape, dtype=torch.float32)
    want = F.softshrink(w.double(), lam)
    expect_close(got, want, prop, inputs=inputs, atol=scale_atol(w, rel=1e-6), rtol=1e-6, hints=hints)
    expect_equal(arg, w, "soft_threshold leaves w unchanged (it returns a new tensor)", inputs=inputs,
                 hints=["compute into a new tensor; the name has no trailing underscore, so w must not change."])


@given(case=_soft_case())
@example(case=(torch.tensor([[1.0, -1.0, 0.999, -0.25, 0.0]]), 1.0))
def test_soft_threshold_zeroes_small_entries_exactly(kata, case):
    """entries with |w| ≤ λ become exactly 0 (that is where L1's sparsity comes from)"""
    w, lam = case
    inputs = {"w": w, "lam": lam}
    got = kata.soft_threshold(w.clone(), lam)
    expect_tensor(got, "soft_threshold returns a tensor of w's shape", inputs=inputs, shape=w.shape)
    dead = w.abs() <= lam
    expect(bool((got[dead] == 0).all()), "every entry with |w| ≤ λ is exactly 0", inputs=inputs,
           expected=torch.where(dead, 0.0, float("nan")), got=got, hints=_soft_hints(w, lam),
           detail="entries with |w| > λ are shown as nan in 'expected' (not checked here)")


@given(w=tensors(shapes(2, 1, 4), torch.float32, -5.0, 5.0), lam=dyadic(2, 4).map(abs))
def test_soft_threshold_is_the_l1_proximal_step(kata, w, lam):
    """soft_threshold(w, λ) minimises ½‖v − w‖² + λ‖v‖₁ (it beats nearby points)"""
    got = kata.soft_threshold(w.clone(), lam)
    inputs = {"w": w, "lam": lam}
    expect_tensor(got, "soft_threshold returns a tensor of w's shape", inputs=inputs, shape=w.shape)
    v, w64 = got.detach().double(), w.double()

    def objective(u):
        return float(0.5 * ((u - w64) ** 2).sum() + lam * u.abs().sum())

    best = objective(v)
    g = _gen(1)
    for _ in range(8):
        u = v + 0.05 * torch.randn(v.shape, generator=g, dtype=torch.float64)
        if objective(u) < best - 1e-6 * (1 + best):
            fail("soft_threshold(w, λ) minimises ½‖v − w‖² + λ‖v‖₁", inputs=inputs,
                 expected=f"no nearby point with a smaller objective than {best:.6g}",
                 got=f"a point with objective {objective(u):.6g}: {u.tolist()}", hints=_soft_hints(w, lam))


# ----------------------------------------------------------------------------------------------- d2l §4.5
def _d2l_data(g, n, d=200):
    """d2l §4.5.1: y = 0.05 + Σ 0.01·x_i + ε, x ~ N(0, I), ε ~ N(0, 0.01²)."""
    X = torch.randn(n, d, generator=g)
    y = 0.01 * X.sum(dim=1, keepdim=True) + 0.05 + 0.01 * torch.randn(n, 1, generator=g)
    return X, y


def _train_d2l(kata, seed, lam, mode, epochs=30, lr=0.003, batch_size=5):
    """d2l §4.5's training loop (fixed minibatch order): mode 'penalty' = loss + λ·l2_penalty(w) with plain SGD
    (sgd_weight_decay_ with wd = 0); mode 'decay' = plain loss with sgd_weight_decay_(wd = λ), b not decayed."""
    g = _gen(seed)
    X_train, y_train = _d2l_data(g, 20)
    X_test, y_test = _d2l_data(g, 100)
    w = torch.randn(200, 1, generator=g).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(epochs):
        for i in range(0, 20, batch_size):
            X, y = X_train[i:i + batch_size], y_train[i:i + batch_size]
            l = ((X @ w + b) - y) ** 2 / 2                              # (batch, 1)
            if mode == "penalty":
                (l + lam * kata.l2_penalty(w)).sum().backward()
                kata.sgd_weight_decay_([(w, False), (b, False)], lr, 0.0, batch_size)
            else:
                l.sum().backward()
                kata.sgd_weight_decay_([(w, True), (b, False)], lr, lam, batch_size)
    with torch.no_grad():
        test_loss = float((((X_test @ w + b) - y_test) ** 2 / 2).mean())
    return test_loss, w.detach()


def test_d2l_high_dimensional_regression(kata, stat_seed):
    """d2l §4.5 (20 examples, 200 features, 30 epochs): λ = 3 halves the test loss of λ = 0, penalty or decay alike"""
    # With λ = 0 the weight components outside the span of the 20 training inputs never move (test loss ≈ ½‖w‖²
    # ≈ 90); with λ = 3 every step multiplies them by 1 − 0.003·3, i.e. by 0.991^120 ≈ 0.34 after 30 epochs, so the
    # test loss drops to ≈ 0.12× (measured 0.11–0.12 over 200 seeds; the bound is 0.5).
    seed = 1000 * 1 + stat_seed
    inputs = {"data": "d2l §4.5: n_train = 20, n_test = 100, d = 200, y = 0.05 + Σ 0.01·x_i + N(0, 0.01²)",
              "training": "w ~ N(0, 1), b = 0; lr = 0.003, batch_size = 5, 30 epochs",
              "seed": seed}
    base, _ = _train_d2l(kata, seed, 0.0, "penalty")
    pen, w_pen = _train_d2l(kata, seed, 3.0, "penalty")
    dec, w_dec = _train_d2l(kata, seed, 3.0, "decay")
    expect(base == base and pen < 0.5 * base, "with loss + 3·l2_penalty(w), the test loss is under half of λ = 0's",
           inputs=inputs, expected=f"< {0.5 * base:.4g} (half of λ = 0's {base:.4g})", got=pen,
           hints=["the penalty must be differentiable and positive: (w ** 2).sum() / 2."])
    expect(dec < 0.5 * base, "with sgd_weight_decay_(wd = 3), the test loss is under half of λ = 0's",
           inputs=inputs, expected=f"< {0.5 * base:.4g} (half of λ = 0's {base:.4g})", got=dec,
           hints=["the decayed step is p ← p − lr·(p.grad/batch_size + wd·p)."])
    expect_close(w_dec, w_pen, "sgd_weight_decay_(wd = λ) trains exactly like adding λ·l2_penalty(w) to every "
                 "example's loss", inputs=inputs, atol=1e-4, rtol=1e-4,
                 hints=["the two must agree: the summed loss holds batch_size·λ·Σw²/2, whose gradient divided by "
                        "batch_size is λ·w — so l2_penalty is Σw²/2 and the decay term λ·w is not divided by "
                        "batch_size."])
