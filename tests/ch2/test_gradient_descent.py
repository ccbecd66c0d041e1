"""Graders for ch2/gradient_descent.py (gradient_descent).

Oracle: the closed form on f(x) = ½xᵀAx with A symmetric positive definite, xₜ = (I − ηA)ᵗ x₀, evaluated through the
eigendecomposition A = V diag(λ) Vᵀ (xₜ = V diag((1 − ηλ)ᵗ) Vᵀ x₀, float64), and a plain float64 loop for a
non-quadratic f. For η < 2/λ_max every factor |1 − ηλ| < 1, so the iterates stay within ‖x₀‖ and rounding does not
grow: float64 trajectories are compared to 1e-10·(1 + max|x₀|), float32 ones to 1e-5·(1 + max|x₀|).
"""
import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, KataFailure, expect, expect_close, expect_equal, expect_tensor, fail, show
from tests.shippable import QuadGrad, SinGrad
from tests.strategies import tensors

# Gradients handed to learner code (QuadGrad, SinGrad) live in tests/shippable.py (picklable by reference into the
# worker), never lambdas.


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def spd(draw, max_d=4):
    """A symmetric positive definite float64 matrix: MᵀM + ½I (eigenvalues ≥ ½)."""
    d = draw(st.integers(1, max_d), label="d")
    M = draw(tensors((d, d), torch.float64, -2, 2), label="M")
    return M.T @ M + 0.5 * torch.eye(d, dtype=torch.float64)


def closed_form(A, x0, lr, steps):
    """(steps + 1, d): xₜ = V diag((1 − ηλ)ᵗ) Vᵀ x₀."""
    lam, V = torch.linalg.eigh(A)
    c = V.T @ x0.double()                                           # (d,)
    t = torch.arange(steps + 1, dtype=torch.float64)[:, None]       # (T, 1)
    return ((1 - lr * lam)[None, :] ** t * c[None, :]) @ V.T         # (T, d)


def lam_max(A):
    return float(torch.linalg.eigvalsh(A).max())


# ------------------------------------------------------------------------------------------------ helpers
def run(kata, grad, x0, lr, steps, inputs):
    """Call the learner; check x0 is untouched and the shape; return the trajectory."""
    arg = x0.clone()
    traj = kata.gradient_descent(grad, arg, lr, steps)
    if not torch.equal(arg, x0):
        fail("gradient_descent does not modify x0", inputs=inputs, expected=x0, got=arg,
             hints=["start from x = x0.clone() (or build each new x as a new tensor: x = x - lr * g); "
                    "`x -= lr * g` on x0 changes the caller's tensor."])
    hints = []
    if isinstance(traj, torch.Tensor) and traj.dim() == 2 and traj.shape[0] in (steps, steps + 2):
        hints.append(f"{steps} steps give {steps + 1} rows: x0 first, then one row per update "
                     f"(you returned {traj.shape[0]}).")
    if isinstance(traj, torch.Tensor) and traj.dim() == 2 and traj.shape == (x0.shape[0], steps + 1):
        hints.append("your trajectory is transposed: one row per iterate, shape (steps + 1, d).")
    expect_tensor(traj, "gradient_descent returns the trajectory, shape (steps + 1, d)", inputs=inputs,
                  shape=(steps + 1, x0.shape[0]), hints=hints)
    return traj


def trajectory_hints(got, A, x0, lr, steps):
    """Name the mistake whose result equals the learner's (computed only after a failure)."""
    out = []
    g = got.detach().double()
    tol = 1e-6 * (1 + float(x0.abs().max()))
    if torch.allclose(g, closed_form(A, x0, -lr, steps), atol=tol, rtol=1e-6):
        out.append("the iterates move *up* the gradient (gradient ascent): x_{t+1} = x_t − lr·∇f(x_t), with a minus.")
    if steps >= 2 and torch.allclose(g, g[-1:].expand_as(g), atol=0) and not torch.allclose(g[0], g[1]):
        out.append("every row is the same tensor: you stored x and then changed it in place (x -= …). "
                   "Append a new tensor each step (x = x - lr * g) or x.clone().")
    elif steps >= 2 and torch.allclose(g[1:], g[-1:].expand_as(g[1:]), atol=0):
        out.append("rows 1… are all the same tensor, updated in place after being stored: build x = x - lr * g.")
    fixed = x0.double() - lr * (A @ x0.double()) * torch.arange(steps + 1, dtype=torch.float64)[:, None]
    if steps >= 2 and torch.allclose(g, fixed, atol=tol, rtol=1e-6):
        out.append("the steps all use ∇f(x0): evaluate the gradient at the current iterate, grad(x_t), "
                   "inside the loop.")
    shifted = closed_form(A, x0, lr, steps + 1)
    if torch.allclose(g, shifted[1:], atol=tol, rtol=1e-6):
        out.append("your row 0 is x_1: the trajectory starts with x0 itself.")
    return out


# ------------------------------------------------------------------------------------------------ tests
@pytest.mark.core("gradient_descent")
@given(A=spd(), data=st.data(), c=st.floats(0.05, 1.95), steps=st.integers(0, 25))
@example(A=torch.tensor([[2.0, 0.0], [0.0, 0.5]], dtype=torch.float64), data=None, c=0.5, steps=3)
def test_closed_form_on_quadratic(kata, A, data, c, steps):
    """on f(x) = ½xᵀAx the iterates are xₜ = (I − lr·A)ᵗ x₀ (float64)"""
    d = A.shape[0]
    x0 = (data.draw(tensors((d,), torch.float64, -5, 5), label="x0") if data is not None
          else torch.tensor([1.0, -2.0], dtype=torch.float64))
    lr = c / lam_max(A)
    inputs = {"grad": QuadGrad(A), "x0": x0, "lr": lr, "steps": steps}
    traj = run(kata, QuadGrad(A), x0, lr, steps, inputs)
    expect_tensor(traj, "float64 x0 gives a float64 trajectory", inputs=inputs, dtype=torch.float64)
    expect_equal(traj[0], x0, "row 0 of the trajectory is x0", inputs=inputs,
                 hints=pre_hints(traj, A, x0, lr, steps))
    expect_closed_form(traj, A, x0, lr, steps, "xₜ = (I − lr·A)ᵗ x₀ on f(x) = ½xᵀAx", inputs,
                       atol=1e-10 * (1 + float(x0.abs().max())), rtol=1e-9)


def expect_closed_form(traj, A, x0, lr, steps, prop, inputs, atol, rtol):
    want = closed_form(A, x0, lr, steps)
    try:
        expect_close(traj, want, prop, inputs=inputs, atol=atol, rtol=rtol)
    except KataFailure:  # name the mistake only once there is one
        expect_close(traj, want, prop, inputs=inputs, atol=atol, rtol=rtol,
                     hints=trajectory_hints(traj, A, x0, lr, steps))
        raise


def pre_hints(traj, A, x0, lr, steps):
    try:
        return trajectory_hints(traj, A, x0, lr, steps) if not torch.equal(traj[0], x0) else []
    except Exception:  # noqa: BLE001 - hints only
        return []


@settings(max_examples=20)
@given(A=spd(), data=st.data(), c=st.floats(0.05, 1.9))
def test_float32(kata, A, data, c):
    """float32 x0 gives a float32 trajectory that follows the closed form"""
    d = A.shape[0]
    x0 = data.draw(tensors((d,), torch.float32, -5, 5), label="x0")
    lr, steps = c / lam_max(A), 10
    A32 = A.float()
    inputs = {"grad": QuadGrad(A32), "x0": x0, "lr": lr, "steps": steps}
    traj = run(kata, QuadGrad(A32), x0, lr, steps, inputs)
    expect_tensor(traj, "float32 x0 gives a float32 trajectory", inputs=inputs, dtype=torch.float32)
    expect_closed_form(traj, A32.double(), x0, lr, steps, "xₜ = (I − lr·A)ᵗ x₀ in float32", inputs,
                       atol=1e-5 * (1 + float(x0.abs().max())), rtol=1e-5)


@settings(max_examples=20)
@given(A=spd(), c=st.floats(0.5, 0.95), data=st.data())
def test_converges_below_2_over_lambda_max(kata, A, c, data):
    """with lr = c·2/λ_max, c < 1, the iterates converge to the minimiser 0"""
    lam, V = torch.linalg.eigh(A)
    A = (V * (1 + 3 * (lam - lam.min()) / (lam.max() - lam.min() + 1e-12))) @ V.T   # eigenvalues in [1, 4]
    A = (A + A.T) / 2
    lr = c * 2 / lam_max(A)
    x0 = V[:, -1] + data.draw(tensors((A.shape[0],), torch.float64, -1, 1), label="x0 − top eigenvector")
    inputs = {"grad": QuadGrad(A), "x0": x0, "lr": lr, "steps": 120}
    traj = run(kata, QuadGrad(A), x0, lr, 120, inputs)
    n0, nT = float(x0.norm()), float(traj[-1].norm())
    expect(nT <= 1e-3 * n0, f"lr = {c:.3g}·2/λ_max < 2/λ_max: after 120 steps ‖x‖ has shrunk 1000-fold",
           inputs=inputs, expected=f"‖x_120‖ ≤ {1e-3 * n0:.3g}", got=f"‖x_120‖ = {nT:.6g}",
           hints=[Hint("the iterates grow instead of shrinking: a step goes *down* the gradient, x − lr·∇f(x), "
                       "with ∇f evaluated at the current x in every step.", when=lambda got, want: nT > n0)])


@settings(max_examples=20)
@given(A=spd(), c=st.floats(1.05, 1.5), data=st.data())
def test_diverges_above_2_over_lambda_max(kata, A, c, data):
    """with lr = c·2/λ_max, c > 1, the iterates blow up along the top eigenvector, alternating in sign"""
    lam, V = torch.linalg.eigh(A)
    lr = c * 2 / float(lam.max())
    v = V[:, -1]
    x0 = v + 0.1 * data.draw(tensors((A.shape[0],), torch.float64, -1, 1), label="x0 − top eigenvector")
    steps = 80                                                                  # |1 − lr·λ_max|⁸⁰ ≥ 1.1⁸⁰ ≈ 2000
    inputs = {"grad": QuadGrad(A), "x0": x0, "lr": lr, "steps": steps}
    traj = run(kata, QuadGrad(A), x0, lr, steps, inputs)
    proj = traj.detach().double() @ v                                           # component along v
    want = closed_form(A, x0, lr, steps) @ v
    expect(bool((proj[-1].abs() >= 100 * proj[0].abs()).item()),
           "above 2/λ_max the component along the top eigenvector grows geometrically",
           inputs=inputs, expected=f"|⟨x_{steps}, v⟩| ≈ {float(want[-1].abs()):.4g}",
           got=f"|⟨x_{steps}, v⟩| = {float(proj[-1].abs()):.4g}")
    signs = torch.sign(proj[1:] * proj[:-1])
    expect(bool((signs < 0).all()), "above 2/λ_max the iterates overshoot: the top component alternates in sign",
           inputs=inputs, expected=show(want[:6]) + " …", got=show(proj[:6]) + " …",
           hints=[Hint("the top component grows without changing sign: that is gradient *ascent* (x + lr·∇f) or a "
                       "gradient not re-evaluated at each x_t. Step with x_t − lr·∇f(x_t).",
                       when=lambda got, want: bool((signs > 0).all()))])


@settings(max_examples=20)
@given(A=spd(), c=st.floats(0.05, 1.0), data=st.data())
def test_f_non_increasing(kata, A, c, data):
    """with lr ≤ 1/λ_max the loss f(x) = ½xᵀAx never increases"""
    d = A.shape[0]
    x0 = data.draw(tensors((d,), torch.float64, -5, 5), label="x0")
    lr = c / lam_max(A)
    inputs = {"grad": QuadGrad(A), "x0": x0, "lr": lr, "steps": 15}
    traj = run(kata, QuadGrad(A), x0, lr, 15, inputs).detach().double()
    f = 0.5 * ((traj @ A) * traj).sum(dim=1)                                    # (T,)
    tol = 1e-12 * (1 + float(f[0].abs()))
    bad = (f[1:] > f[:-1] + tol).nonzero()
    if bad.numel():
        t = int(bad[0, 0])
        fail("with lr ≤ 1/λ_max, f(x_{t+1}) ≤ f(x_t) at every step", inputs=inputs,
             expected=f"f(x_{t + 1}) ≤ f(x_{t}) = {float(f[t]):.6g}", got=f"f(x_{t + 1}) = {float(f[t + 1]):.6g}",
             hints=["the loss goes up: x_{t+1} = x_t − lr·∇f(x_t) (minus: descend the gradient)."])


@settings(max_examples=20)
@given(x0=tensors(st.tuples(st.integers(1, 4)), torch.float64, -3, 3), lr=st.floats(0.05, 0.5),
       steps=st.integers(0, 12), c=st.sampled_from([0.0, 0.5]))
def test_non_quadratic(kata, x0, lr, steps, c):
    """on a non-quadratic f it follows x_{t+1} = x_t − lr·∇f(x_t), with ∇f evaluated at the current x_t"""
    grad = SinGrad(c)
    inputs = {"grad": grad, "x0": x0, "lr": lr, "steps": steps}
    traj = run(kata, grad, x0, lr, steps, inputs)
    want = [x0.clone()]
    for _ in range(steps):
        want.append(want[-1] - lr * grad(want[-1]))
    expect_close(traj, torch.stack(want), "x_{t+1} = x_t − lr·∇f(x_t) for ∇f(x) = sin(x) + c·x", inputs=inputs,
                 atol=1e-12, rtol=1e-10,
                 hints=[Hint("evaluate the gradient at the current iterate x_t in every step, not once at x0.",
                             when=lambda got, want: steps >= 2 and torch.allclose(
                                 got.double(), x0 - lr * grad(x0) * torch.arange(steps + 1, dtype=torch.float64)[:, None]))])


def test_zero_steps(kata):
    """steps = 0 gives x0 as a single row"""
    x0 = torch.tensor([1.5, -2.0, 0.25], dtype=torch.float64)
    A = torch.eye(3, dtype=torch.float64)
    inputs = {"grad": QuadGrad(A), "x0": x0, "lr": 0.1, "steps": 0}
    traj = run(kata, QuadGrad(A), x0, 0.1, 0, inputs)
    expect_equal(traj, x0[None, :], "with steps = 0 the trajectory is just x0, shape (1, d)", inputs=inputs)
