"""Graders for ch11/optimizers.py (sgd_momentum, adagrad, rmsprop, adadelta, adam as pure update functions).

Oracle. ``torch.optim.{SGD, Adagrad, RMSprop, Adadelta, Adam}(..., foreach=False)`` driven for several steps on
clones of the same parameters: ``p.grad`` set by hand before each ``step()`` and ``param_groups[0]["lr"]`` changed
between steps, exactly as the learner's function is called with a new ``lr`` each time. The first torch.optim step
of a process imports torch._dynamo (seconds, once); the engine's first meta re-run imports it anyway.

Cases (hypothesis, 40 per optimiser, plus explicit examples for the mistakes that only show in corners): 1-3
parameters of shapes (), (1,), (3,), (2, 3), float32 or float64, values N(0, 2²) from a seeded generator, gradients
N(0, 1) times a scale per parameter from 1e-6 … 1e2 (fresh at every step), 2-6 steps with a learning rate drawn for
every step, and the contract's hyper-parameters (momentum ∈ {0, 0.5, 0.9, 0.99}; ε ∈ {1e-10, 1e-8, 1e-3, 0.1};
α, ρ ∈ {0.5, 0.9, 0.95/0.99}; betas ∈ {(0.9, 0.999), (0.5, 0.9), (0.8, 0.99), (0, 0.5)}). Small gradients and
ε = 0.1 are what expose ε inside the square root.

Tolerance (the contract's): |got − want| ≤ 1e-10·(1 + max|p|) in float64 and 2e-5·(1 + max|p|) in float32, max|p|
over the expected tensor and the parameter before the step (a direct implementation agrees to 2.2e-16 / 1.7e-7;
float64 internals, Kingma & Ba's "efficient" form and other orders of operations pass). Purity checks are exact.

Defaults are checked in float64 with gradients of size 1e-9, 1e-5, 1e-2 and 1 (small gradients expose ε).
Purity: from a state returned by a first call, the same (params, grads, state) twice give identical results, and
params, grads and the state (walked through lists, tuples, dicts and the attributes of a state object of the
learner's own class; compared exactly) are unchanged. The lr property: from the same params, grads and state, a call
with lr_b steps exactly lr_b/lr_a times as far as one with lr_a (float64, 1e-10·(1 + lr_b/lr_a)·(1 + max|p|)) and
returns the same state. Training check: d2l §11.6's ill-conditioned quadratic with momentum 0.5, lr 0.6.
The cheap tests come first in this file: the self-check stops running a buggy variant once a test has rejected it.

Mistakes with their own hints (each shown only when the learner's trajectory equals that mistake's, replayed here in
float64): momentum with lr inside the velocity / an EMA (dampening) / Nesterov / gradient ascent / the state not
carried over; ε inside the square root (d2l's form, AdaGrad, RMSProp, Adam); AdaGrad without the sum, or stepping
with the previous sum; RMSProp's α and 1 − α swapped, started at g², or without state; Adadelta without lr (d2l's),
with δ accumulating lr·Δ, with ε only in the denominator, with the previous s, with ε outside the roots; Adam without
bias correction, with ε added before the bias correction, with t one ahead, with β₁/1 − β₁ swapped, without the
square root; the defaults of d2l and of torch.optim.SGD (momentum 0); NaN from t = 0; a state modified in place; a
state holding lr; autograd history left on the new parameters.
"""
import copy
import math

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_tensor, fail
from tests.helpers import gen

NAMES = ("sgd_momentum", "adagrad", "rmsprop", "adadelta", "adam")
TORCH = {"sgd_momentum": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta", "adam": "Adam"}
# torch.optim's defaults, which are this kata's (sgd_momentum: no default lr, momentum 0.9 — torch's SGD has 0)
DEFAULTS = {
    "sgd_momentum": dict(momentum=0.9),
    "adagrad": dict(lr=0.01, eps=1e-10),
    "rmsprop": dict(lr=0.01, alpha=0.99, eps=1e-8),
    "adadelta": dict(lr=1.0, rho=0.9, eps=1e-6),
    "adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8),
}
REL = {"float32": 2e-5, "float64": 1e-10}
SHAPES = [(), (1,), (3,), (2, 3)]
SCALES = [1e-6, 1e-4, 1e-2, 1.0, 1e2]
EPS = [1e-10, 1e-8, 1e-3, 0.1]
LRS = {"sgd_momentum": [0.5, 0.1, 0.03, 0.01], "adagrad": [0.5, 0.1, 0.01, 0.3], "rmsprop": [0.1, 0.01, 0.001, 0.05],
       "adadelta": [1.0, 0.5, 2.0, 0.1], "adam": [0.1, 0.01, 0.001, 0.3]}
HYPER = {
    "sgd_momentum": st.fixed_dictionaries({"momentum": st.sampled_from([0.0, 0.5, 0.9, 0.99])}),
    "adagrad": st.fixed_dictionaries({"eps": st.sampled_from(EPS)}),
    "rmsprop": st.fixed_dictionaries({"alpha": st.sampled_from([0.5, 0.9, 0.99]), "eps": st.sampled_from(EPS)}),
    "adadelta": st.fixed_dictionaries({"rho": st.sampled_from([0.5, 0.9, 0.95]), "eps": st.sampled_from(EPS)}),
    "adam": st.fixed_dictionaries({"betas": st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.8, 0.99), (0.0, 0.5)]),
                                   "eps": st.sampled_from(EPS)}),
}


def specs(name):
    """A case as plain data (readable when hypothesis reports it); ``_build`` makes the tensors."""
    n = st.integers(1, 3)
    return n.flatmap(lambda k: st.fixed_dictionaries({
        "dtype": st.sampled_from(["float32", "float64"]),
        "shapes": st.lists(st.sampled_from(SHAPES), min_size=k, max_size=k),
        "scales": st.lists(st.sampled_from(SCALES), min_size=k, max_size=k),
        "lrs": st.lists(st.sampled_from(LRS[name]), min_size=2, max_size=6),
        "hyper": HYPER[name],
        "seed": st.integers(0, 10_000),
    }))


def _spec(dtype, shapes, scales, lrs, hyper, seed=0):
    return {"dtype": dtype, "shapes": shapes, "scales": scales, "lrs": lrs, "hyper": hyper, "seed": seed}


def _build(spec):
    """(params, [grads of step 1, …], dtype): params N(0, 2²), gradients N(0, 1)·scale, from ``spec["seed"]``."""
    dtype = getattr(torch, spec["dtype"])
    g = gen(spec["seed"])
    params = [(2 * torch.randn(s, generator=g, dtype=torch.float64)).to(dtype) for s in spec["shapes"]]
    grads = [[(c * torch.randn(s, generator=g, dtype=torch.float64)).to(dtype)
              for s, c in zip(spec["shapes"], spec["scales"])] for _ in spec["lrs"]]
    return params, grads, dtype


def _key(spec):
    return repr(sorted((k, repr(v)) for k, v in spec.items()))


# ================================================================================================ oracle
def _torch_trajectory(name, params, grads, lrs, hyper):
    """torch.optim's parameters after each step; ``lrs[k] is None``: the optimiser's default lr (never changed)."""
    from torch import optim
    ps = [p.detach().clone().requires_grad_(True) for p in params]
    kw = dict(hyper)
    if lrs[0] is not None:
        kw["lr"] = lrs[0]
    opt = getattr(optim, TORCH[name])(ps, foreach=False, **kw)
    out = []
    for gs, lr in zip(grads, lrs):
        for p, gr in zip(ps, gs):
            p.grad = gr.detach().clone()
        if lr is not None:
            opt.param_groups[0]["lr"] = lr
        opt.step()
        out.append([p.detach().clone() for p in ps])
    return out


_ORACLE_CACHE: dict = {}


def _oracle(name, spec):
    """The oracle trajectory of a case, cached: the self-check replays the same cases for every variant."""
    key = (name, _key(spec))
    if key not in _ORACLE_CACHE:
        params, grads, _ = _build(spec)
        _ORACLE_CACHE[key] = _torch_trajectory(name, params, grads, spec["lrs"], spec["hyper"])
    return _ORACLE_CACHE[key]


# ================================================================================================ mistakes, replayed
def _momentum_step(p, g, st_, lr, h, flag):
    mu = h["momentum"]
    v_prev = st_ if st_ is not None and flag != "no_state" else [None] * len(p)
    new_p, new_v = [], []
    for pi, gi, vi in zip(p, g, v_prev):
        if flag == "lr_in_velocity":
            v = lr * gi if vi is None else mu * vi + lr * gi
            q = pi - v
        elif flag == "dampening":
            v = (1 - mu) * gi if vi is None else mu * vi + (1 - mu) * gi
            q = pi - lr * v
        else:
            v = gi if vi is None else mu * vi + gi
            q = {"nesterov": lambda: pi - lr * (gi + mu * v), "ascent": lambda: pi + lr * v}.get(
                flag, lambda: pi - lr * v)()
        new_p.append(q)
        new_v.append(v)
    return new_p, new_v


def _adagrad_step(p, g, st_, lr, h, flag):
    eps = h["eps"]
    s_prev = st_ if st_ is not None else [torch.zeros_like(x) for x in p]
    new_p, new_s = [], []
    for pi, gi, si in zip(p, g, s_prev):
        s = gi * gi if flag == "no_accumulate" else si + gi * gi
        used = si if flag == "old_s" else s
        denom = (used + eps).sqrt() if flag == "eps_inside" else used.sqrt() + eps
        new_p.append(pi - lr * gi / denom)
        new_s.append(s)
    return new_p, new_s


def _rmsprop_step(p, g, st_, lr, h, flag):
    a, eps = h["alpha"], h["eps"]
    new_p, new_s = [], []
    for i, (pi, gi) in enumerate(zip(p, g)):
        first = st_ is None or flag == "no_state"
        if flag == "warm_start" and first:
            s = gi * gi
        else:
            si = torch.zeros_like(gi) if first else st_[i]
            s = (1 - a) * si + a * gi * gi if flag == "alpha_swapped" else a * si + (1 - a) * gi * gi
        denom = (s + eps).sqrt() if flag == "eps_inside" else s.sqrt() + eps
        new_p.append(pi - lr * gi / denom)
        new_s.append(s)
    return new_p, new_s


def _adadelta_step(p, g, st_, lr, h, flag):
    rho, eps = h["rho"], h["eps"]
    prev = st_ if st_ is not None else [(torch.zeros_like(x), torch.zeros_like(x)) for x in p]
    new_p, new_st = [], []
    for pi, gi, (si, di) in zip(p, g, prev):
        s = rho * si + (1 - rho) * gi * gi
        s_used = si if flag == "old_s" else s
        if flag == "eps_denominator_only":
            step = di.sqrt() / (s_used + eps).sqrt() * gi
        elif flag == "eps_outside":
            step = (di.sqrt() + eps) / (s_used.sqrt() + eps) * gi
        else:
            step = (di + eps).sqrt() / (s_used + eps).sqrt() * gi
        scaled = step if flag == "no_lr" else lr * step
        new_p.append(pi - scaled)
        acc = scaled if flag == "delta_after_lr" else step
        new_st.append((s, rho * di + (1 - rho) * acc * acc))
    return new_p, new_st


def _adam_step(p, g, st_, lr, h, flag):
    b1, b2 = h["betas"]
    eps = h["eps"]
    t, prev = (0, [(torch.zeros_like(x), torch.zeros_like(x)) for x in p]) if st_ is None else st_
    t += 1
    tc = t + 1 if flag == "t_ahead" else t
    new_p, new_mv = [], []
    for pi, gi, (mi, vi) in zip(p, g, prev):
        m = (1 - b1) * mi + b1 * gi if flag == "betas_swapped" else b1 * mi + (1 - b1) * gi
        v = (1 - b2) * vi + b2 * gi * gi if flag == "betas_swapped" else b2 * vi + (1 - b2) * gi * gi
        if flag == "no_bias_correction":
            m_hat, v_hat = m, v
        else:
            m_hat, v_hat = m / (1 - b1 ** tc), v / (1 - b2 ** tc)
        if flag == "eps_inside":
            denom = (v_hat + eps).sqrt()
        elif flag == "eps_before_correction":
            denom = (v.sqrt() + eps) / math.sqrt(1 - b2 ** tc)
        elif flag == "no_sqrt":
            denom = v_hat + eps
        else:
            denom = v_hat.sqrt() + eps
        new_p.append(pi - lr * m_hat / denom)
        new_mv.append((m, v))
    return new_p, (t, new_mv)


STEPS = {"sgd_momentum": _momentum_step, "adagrad": _adagrad_step, "rmsprop": _rmsprop_step,
         "adadelta": _adadelta_step, "adam": _adam_step}


def _replay(name, params, grads, lrs, hyper, flag=None):
    """The trajectory of a replica (float64), with one mistake (``flag``) or none; hyper complete."""
    p, st_, out = [x.double() for x in params], None, []
    for gs, lr in zip(grads, lrs):
        p, st_ = STEPS[name](p, [x.double() for x in gs], st_, lr, hyper, flag)
        out.append(p)
    return out


EPS_INSIDE = ("ε goes outside the square root, as in torch.optim: g / (√s + ε) (d2l's code writes √(s + ε), which "
              "is another optimiser for small s: √(s + ε) ≥ √ε, so parameters with small gradients barely move). "
              "You compute √(s + ε).")
MISTAKES = {
    "sgd_momentum": [
        ("lr_in_velocity", "the velocity must not contain lr (PyTorch: v ← μ·v + g, then p ← p − lr·v). You fold lr "
                           "into v (v ← μ·v + lr·g, p ← p − v): the same for a constant lr, but when lr changes "
                           "between calls your old steps keep their old lr."),
        ("dampening", "no dampening: v ← μ·v + g (the plain gradient is added), not the average μ·v + (1 − μ)·g."),
        ("nesterov", "this is heavy-ball momentum, not Nesterov: p ← p − lr·v with v ← μ·v + g (not p − lr·(g + μ·v))."),
        ("ascent", "p ← p − lr·v: you step uphill (+ instead of −)."),
        ("no_state", "your parameters move as plain gradient descent: the velocity is not carried from call to call. "
                     "Return it in the new state, and on the next call start from the state you are given "
                     "(v = g only when state is None)."),
    ],
    "adagrad": [
        ("eps_inside", EPS_INSIDE),
        ("no_accumulate", "AdaGrad accumulates: s ← s + g² is a running SUM over all calls (the state), not this "
                          "call's g² alone."),
        ("old_s", "update s first (s ← s + g²), then step with the new s: g / (√s + ε) uses this call's s."),
    ],
    "rmsprop": [
        ("eps_inside", EPS_INSIDE),
        ("alpha_swapped", "s ← α·s + (1 − α)·g²: α (0.99 by default) weights the old average; you swapped α and 1 − α."),
        ("warm_start", "s starts at 0 (torch.optim): the first call gives s = (1 − α)·g², not g²."),
        ("no_state", "s is a leaky average over the calls: carry it in the state and start from the state you are "
                     "given (zeros only when state is None)."),
    ],
    "adadelta": [
        ("no_lr", "PyTorch's Adadelta has a learning rate: p ← p − lr·Δ (default lr 1.0); d2l's code has none, so "
                  "you ignore lr."),
        ("delta_after_lr", "δ accumulates the step before lr: δ ← ρ·δ + (1 − ρ)·Δ² with Δ = √(δ + ε)/√(s + ε)·g, "
                           "and only then p ← p − lr·Δ. You accumulate (lr·Δ)²."),
        ("eps_denominator_only", "ε goes inside BOTH roots: Δ = √(δ + ε) / √(s + ε) · g. With √δ alone on top the "
                                 "first step is 0 (δ starts at 0), so δ stays 0 and the parameters never move."),
        ("old_s", "update s first (s ← ρ·s + (1 − ρ)·g²), then compute Δ with the new s."),
        ("eps_outside", "Adadelta puts ε inside both roots, √(δ + ε)/√(s + ε) (PyTorch and d2l), unlike AdaGrad, "
                        "RMSProp and Adam."),
    ],
    "adam": [
        ("no_bias_correction", "bias correction: m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ), with t the number of calls so "
                               "far (t = 1 on the first). Without it the first steps are far too small."),
        ("eps_inside", "ε goes outside the square root: m̂ / (√v̂ + ε), as torch.optim (and d2l's Adam). You compute "
                       "√(v̂ + ε): where v̂ is tiny (small gradients) √(v̂ + ε) ≈ √ε = 1e-4 instead of ε = 1e-8, so "
                       "those parameters move 10⁴ times less than PyTorch's Adam moves them."),
        ("eps_before_correction", "ε is added to √v̂, after the bias correction: m̂ / (√v̂ + ε). You add it to √v and "
                                  "correct afterwards (Kingma & Ba's efficient form needs ε·√(1 − β₂ᵗ) for that)."),
        ("t_ahead", "t counts the calls: t = 1 on the first call (state None), t = 2 on the second, … Your bias "
                    "correction uses t + 1."),
        ("betas_swapped", "m ← β₁·m + (1 − β₁)·g and v ← β₂·v + (1 − β₂)·g²: β weights the old average; you swapped β "
                          "and 1 − β."),
        ("no_sqrt", "divide by the square root: m̂ / (√v̂ + ε)."),
    ],
}
LR_SCALE_HINT = {n: "with the same params, grads and state the step is proportional to this call's lr (twice the "
                    "rate, twice the step): lr multiplies the step of this call only. A rate kept from an earlier "
                    "call (in the state, or anywhere else) breaks this." for n in NAMES}
LR_SCALE_HINT["sgd_momentum"] = ("with the same params, grads and state the step is proportional to this call's lr "
                                 "(twice the rate, twice the step): v ← μ·v + g holds no lr, and p ← p − lr·v applies "
                                 "this call's lr to the whole velocity (folding lr into v keeps the old rates in it).")
IGNORES_LR = {None: "your step is the same whatever lr is: multiply the step by this call's lr.",
              "adadelta": "your step is the same whatever lr is: PyTorch's Adadelta has a learning rate, "
                          "p ← p − lr·Δ (default 1.0), which d2l's code leaves out."}
STATE_LR_HINT = {"sgd_momentum": " (PyTorch: v ← μ·v + g, p ← p − lr·v.)",
                 "adadelta": " Adadelta's δ accumulates the step before lr: δ ← ρ·δ + (1 − ρ)·Δ² with "
                             "Δ = √(δ + ε)/√(s + ε)·g, and p ← p − lr·Δ."}
FIRST_LR = "first_lr"
FIRST_LR_TEXT = ("every step of yours uses the lr of the first call: lr is an argument of each call (a schedule "
                 "changes it between calls), so the state must not contain lr — multiply by this call's lr when you "
                 "take the step.")
NONFINITE = {
    "adam": "NaN or inf: 1 − β₁ᵗ is 0 for t = 0; t must be 1 on the first call (count the call before the bias "
            "correction).",
    "adagrad": "NaN or inf: g / (√s + ε) with the new s (s ← s + g² first); ε keeps the division finite.",
    "rmsprop": "NaN or inf: divide by √s + ε with the new s (s ← α·s + (1 − α)·g² first).",
    "adadelta": "NaN or inf: ε goes inside both roots, √(δ + ε)/√(s + ε).",
    "sgd_momentum": "NaN or inf: check the velocity v ← μ·v + g and the step p ← p − lr·v.",
}


# ================================================================================================ helpers
def _kw_text(kw):
    return ", ".join(f"{k}={v!r}" for k, v in kw.items())


def _call_text(name, kw, state="state"):
    return f"{name}(params, grads, {state}{', ' if kw else ''}{_kw_text(kw)})"


def _values(t):
    """A tensor's values as a flat list of Python floats (the tensors here are tiny: cheaper than tensor ops)."""
    return t.detach().to("cpu", torch.float64).reshape(-1).tolist()


def _tol_of(want_vals, before_vals, rel):
    m = 0.0
    for vals in (want_vals, before_vals):
        if vals and all(math.isfinite(v) for v in vals):
            m = max(m, max(abs(v) for v in vals))
    return rel * (1.0 + m)


def _tol(want, before, rel):
    return _tol_of(_values(want), _values(before), rel)


def _close_lists(got, want, before, rel):
    """Every tensor of ``got`` within rel·(1 + max|p|) of ``want`` (max over want and the parameter before)."""
    if len(got) != len(want):
        return False
    for g, w, b in zip(got, want, before):
        if not isinstance(g, torch.Tensor) or tuple(g.shape) != tuple(w.shape):
            return False
        wv = _values(w)
        tol = _tol_of(wv, _values(b), rel)
        if not all(abs(x - y) <= tol for x, y in zip(_values(g), wv)):     # NaN compares False
            return False
    return True


def _unpack(out, params, prop, inputs):
    """(new_params, new_state) from a learner result, every new parameter checked for type, shape and dtype."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        fail(prop, inputs=inputs, expected="a pair (new_params, new_state)",
             got=f"{type(out).__name__}: {out!r}"[:200],
             hints=["return new_params, new_state (a list of new tensors, then the state for the next call)."])
    new_params, new_state = out
    if not isinstance(new_params, (list, tuple)) or len(new_params) != len(params):
        fail(prop, inputs=inputs, expected=f"new_params: a list of {len(params)} tensors (one per parameter)",
             got=f"{type(new_params).__name__}" + (f" of length {len(new_params)}"
                                                   if isinstance(new_params, (list, tuple)) else ""),
             hints=["new_params is a list with one new tensor per parameter, in the order of params."])
    for i, (q, p) in enumerate(zip(new_params, params)):
        expect_tensor(q, f"{prop} (new_params[{i}])", inputs=inputs, shape=p.shape, dtype=p.dtype,
                      hints=["each new parameter has the shape and dtype of the parameter it replaces."])
    return list(new_params), new_state


def _call(kata, name, params, grads, state, kw, prop, inputs, omit_state=False):
    fn = getattr(kata, name)
    try:
        out = fn(params, grads, **kw) if omit_state else fn(params, grads, state, **kw)
    except (RuntimeError, TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as e:
        fail(prop, inputs=inputs, expected="(new_params, new_state)", got=f"{type(e).__name__}: {e}"[:300], hints=[
            Hint("ZeroDivisionError: t must be 1 on the first call, so 1 − β₁ᵗ is never 0.",
                 when=lambda g, w: "ZeroDivision" in str(g) and name == "adam"),
            Hint("the state you return is what you get back on the next call (None on the first): check that you "
                 "read it with the layout you wrote it in.", when=lambda g, w: any(
                     k in str(g) for k in ("KeyError", "IndexError", "not subscriptable", "AttributeError"))),
            Hint("lr and the hyper-parameters are keyword-only arguments (…, state=None, *, lr, …); check their "
                 "names.", when=lambda g, w: "TypeError" in str(g) and "argument" in str(g))])
    return _unpack(out, params, prop, inputs)


def _show_list(ts):
    return [t for t in ts]


def _trajectory(kata, name, params, grads, lrs, hyper, prop, want, mistakes=None, omit_first_state=False,
                hyper_full=None, rel=None):
    """Run the learner's function step by step and compare with ``want`` (a list of parameter lists) after every
    step; on the first difference, the hints of the mistakes whose replayed trajectory equals the learner's."""
    rel = rel if rel is not None else REL[str(params[0].dtype).replace("torch.", "")]
    hyper_full = hyper_full or {**DEFAULTS[name], **hyper}
    cur, state, got_traj = list(params), None, []
    for k, (gs, lr) in enumerate(zip(grads, lrs)):
        kw = dict(hyper)
        if lr is not None:
            kw["lr"] = lr
        inputs = {"call": _call_text(name, kw, "None" if k == 0 else "state from the previous call"),
                  "step": f"{k + 1} of {len(lrs)}", "learning rates of the steps": [x for x in lrs],
                  "params before this step": _show_list(cur), "grads": _show_list(gs)}
        new, state = _call(kata, name, cur, gs, state, kw, prop, inputs, omit_state=(k == 0 and omit_first_state))
        got_traj.append(new)
        if not _close_lists(new, want[k], cur, rel):
            hints = []
            if any(not bool(q.detach().isfinite().all()) for q in new):
                hints.append(NONFINITE[name])
            lrs_used = [x if x is not None else DEFAULTS[name]["lr"] for x in lrs[:k + 1]]
            for flag, text in (mistakes if mistakes is not None else MISTAKES[name]) + [(FIRST_LR, FIRST_LR_TEXT)]:
                if flag == FIRST_LR:            # the first call's lr kept (in the state, or anywhere else)
                    rep_hyper, rep_flag, rep_lrs = hyper_full, None, [lrs_used[0]] * (k + 1)
                elif isinstance(flag, dict):    # a different hyper-parameter (the defaults test)
                    rep_hyper, rep_flag = {**hyper_full, **flag}, None
                    rep_lrs = [x if x is not None else flag.get("lr", DEFAULTS[name].get("lr")) for x in lrs[:k + 1]]
                else:
                    rep_hyper, rep_flag, rep_lrs = hyper_full, flag, lrs_used
                try:
                    rep = _replay(name, params, grads[:k + 1], rep_lrs, rep_hyper, rep_flag)
                except Exception:  # noqa: BLE001 - the mistake cannot even run here: not this one
                    continue
                prev = [params] + got_traj[:-1]
                if all(_close_lists(g, r, b, rel) for g, r, b in zip(got_traj, rep, prev)) and not all(
                        _close_lists(w, r, b, rel) for w, r, b in zip(want[:k + 1], rep, prev)):
                    hints.append(text)
            if k > 0 and not hints and _close_lists(got_traj[0], want[0], params, rel):
                hints.append("your first step is right and a later one is not: look at what the state carries from "
                             "call to call (it must not depend on lr, which changes between calls).")
            diffs = [float((g.detach().double() - w.double()).abs().max()) if g.numel() else 0.0
                     for g, w in zip(new, want[k])]
            i = max(range(len(diffs)), key=lambda j: diffs[j])
            fail(prop, inputs=inputs, expected=want[k], got=new, hints=hints,
                 detail=f"after step {k + 1}: new_params[{i}] differs by up to {diffs[i]:.3g} (tolerance "
                        f"{_tol(want[k][i], cur[i], rel):.3g}, i.e. {rel:g}·(1 + max|p|))")
        cur = new
    return cur, state


def _check_against_torch(kata, name, spec):
    params, grads, _ = _build(spec)
    prop = f"{name} follows torch.optim.{TORCH[name]} step for step (lr changing between steps)"
    _trajectory(kata, name, params, grads, spec["lrs"], spec["hyper"], prop, _oracle(name, spec))


def _clone(value):
    """A deep copy of a state (tensors cloned, containers rebuilt; anything else kept as it is)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        items = [_clone(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, (int, float, str, bool, type(None))) or _remote(value):
        return value                # a handle on a learner object in the sandboxed worker: compared by repr
    try:
        return copy.deepcopy(value)     # a state object of the learner's own class (a dataclass, …)
    except Exception:  # noqa: BLE001
        return value


def _remote(value) -> bool:
    return type(value).__name__ == "RemoteObject"


def _same(a, b) -> bool:
    """Exact equality of (nested) values: tensors by shape, dtype and values (NaN equal to NaN)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.shape != b.shape \
                or a.dtype != b.dtype:
            return False
        x, y = a.detach().cpu(), b.detach().cpu()
        return bool(((x == y) | (x.isnan() & y.isnan())).all()) if x.is_floating_point() else torch.equal(x, y)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if a is b:
        return True
    if _remote(a) or _remote(b):        # learner objects in the sandboxed worker: their repr (tensors in full)
        return _remote(a) and _remote(b) and repr(a) == repr(b)
    if type(a) is type(b) and hasattr(a, "__dict__") and not isinstance(a, type):
        return _same(vars(a), vars(b))  # a state object of the learner's own class: its attributes
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def _first_difference(a, b, where="state"):
    """Where two nested values first differ (for the message)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if not _same(x, y):
                return _first_difference(x, y, f"{where}[{i}]")
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        for k in a:
            if not _same(a[k], b[k]):
                return _first_difference(a[k], b[k], f"{where}[{k!r}]")
    return where, a, b


def _hyper_of(name):
    """One fixed, non-default setting per optimiser for the purity checks."""
    return {"sgd_momentum": {"momentum": 0.9}, "adagrad": {"eps": 1e-8}, "rmsprop": {"alpha": 0.9, "eps": 1e-8},
            "adadelta": {"rho": 0.9, "eps": 1e-6}, "adam": {"betas": (0.9, 0.999), "eps": 1e-8}}[name]


def _two_calls(kata, name, prop, lr, dtype="float32", requires_grad=False):
    """A first call (state None) and what the second call gets: (params after step 1, grads of step 2, state)."""
    spec = _spec(dtype, [(3,), (2, 3), ()], [1.0, 1e-2, 0.1], [lr, lr], _hyper_of(name), seed=5)
    params, grads, _ = _build(spec)
    if requires_grad:
        params = [p.clone().requires_grad_(True) for p in params]
    kw = {**_hyper_of(name), "lr": lr}
    p1, s1 = _call(kata, name, params, grads[0], None, kw, prop, {"call": _call_text(name, kw, "None")})
    return params, p1, grads[1], s1, kw


def _check_pure(kata, name):
    prop = f"{name} is pure: the same (params, grads, state) give the same result twice, and nothing given changes"
    lr = LRS[name][1]
    _, p1, g2, s1, kw = _two_calls(kata, name, prop, lr)
    saved = (_clone(p1), _clone(g2), _clone(s1))
    inputs = {"call": _call_text(name, kw, "state") + " twice, with the state the first call returned"}
    a = _call(kata, name, p1, g2, s1, kw, prop, inputs)
    for what, now, before in zip(("params", "grads", "state"), (p1, g2, s1), saved):
        if not _same(now, before):
            where, was, became = _first_difference(before, now, what)
            fail(prop, inputs=inputs, expected=f"{what} exactly as given", got=f"{where} changed by your call",
                 detail=f"{where} before the call: {was!r}"[:300] + f"; after: {became!r}"[:300], hints=[
                     "build new tensors for the new state (v = momentum * v + g makes a new tensor); `v[:] = …`, "
                     "`v.mul_(…)`, `s += g * g` write into the state you were given — d2l's in-place habit. The "
                     "caller may still need the old state (to retry a step, or to compare)."])
    b = _call(kata, name, p1, g2, s1, kw, prop, inputs)
    expect(_same(a[0], b[0]), prop, inputs=inputs, expected=a[0], got=b[0],
           detail="the second call with the same arguments returned other parameters than the first",
           hints=["the result may depend only on (params, grads, state) and the hyper-parameters: a counter or "
                  "buffer kept outside the state (a global, a default argument, an attribute) makes the second call "
                  "differ."])
    if not _same(a[1], b[1]):
        where, x, y = _first_difference(a[1], b[1], "new_state")
        fail(prop, inputs=inputs, expected=f"{where} of the first call: {x!r}"[:300], got=f"{y!r}"[:300],
             detail="the second call with the same arguments returned another state",
             hints=["keep everything the next call needs in the state you return, and nothing outside it."])


def _check_state_ignores_lr(kata, name):
    prop = f"{name} uses each call's lr: the step scales with it and the state does not depend on it"
    lr_a, lr_b = LRS[name][0], LRS[name][2]
    _, p1, g2, s1, kw = _two_calls(kata, name, prop, lr_a, dtype="float64")
    kw_a, kw_b = {**kw, "lr": lr_a}, {**kw, "lr": lr_b}
    calls = f"{_call_text(name, kw_a)} and {_call_text(name, kw_b)}, from the same params, grads and state"
    # each call gets its own copy of the state: this test is about lr, not about a state changed in place
    pa, sa = _call(kata, name, _clone(p1), _clone(g2), _clone(s1), kw_a, prop, {"call": _call_text(name, kw_a)})
    pb, sb = _call(kata, name, _clone(p1), _clone(g2), _clone(s1), kw_b, prop, {"call": _call_text(name, kw_b)})
    ratio = lr_b / lr_a
    for i, (x, y, p) in enumerate(zip(pa, pb, p1)):
        want = p.double() + ratio * (x.double() - p.double())
        if not _close_lists([y], [want], [p], REL["float64"] * (1 + ratio)):
            fail(prop, inputs={"calls": calls}, expected=f"new_params[{i}] with lr={lr_b} = params[{i}] + {ratio:g} × "
                 f"(the step taken with lr={lr_a}) = {want.tolist()}", got=y.tolist(),
                 detail="every one of these optimisers steps by p ← p − lr·d, with d computed from the gradient "
                        "and the state only", hints=[LR_SCALE_HINT[name]] + (
                     [IGNORES_LR.get(name, IGNORES_LR[None])] if _close_lists([y], [x], [p], REL["float64"]) else []))
    if not _same(sa, sb):
        where, x, y = _first_difference(sa, sb, "new_state")
        fail(prop, inputs={"calls": calls},
             expected=f"the same new state from both calls; {where} with lr={lr_a}: {x!r}"[:400],
             got=f"{where} with lr={lr_b}: {y!r}"[:400], hints=[
                 "the state must not contain lr: a schedule changes lr from one call to the next. Keep what "
                 "accumulates gradients (velocity, sums, averages, the step count) and multiply by lr only when "
                 "you take the step." + STATE_LR_HINT.get(name, "")])


def _check_no_history(kata, name):
    prop = f"{name} returns new parameters without autograd history, even when the params require grad"
    lr = LRS[name][1]
    params, p1, g2, s1, kw = _two_calls(kata, name, prop, lr, requires_grad=True)
    for i, q in enumerate(p1):
        expect(not q.requires_grad and q.grad_fn is None, prop,
               inputs={"call": _call_text(name, kw, "None"), "params": "leaf tensors with requires_grad=True"},
               expected=f"new_params[{i}] with requires_grad=False (a plain tensor)",
               got=f"new_params[{i}] with requires_grad={q.requires_grad}, grad_fn={type(q.grad_fn).__name__}",
               hints=["an update is not part of the model's graph: compute it on p.detach() (or under "
                      "torch.no_grad()), so that the new parameters carry no autograd history. (The caller makes "
                      "them leaves again with requires_grad_() when it wants gradients.)"])


DEFAULT_MISTAKES = {
    "sgd_momentum": [
        ({"momentum": 0.0}, "sgd_momentum's momentum defaults to 0.9 (torch.optim.SGD's own default is 0, which is "
                            "plain SGD): def sgd_momentum(params, grads, state=None, *, lr, momentum=0.9)."),
        ({"momentum": 0.5}, "sgd_momentum's momentum defaults to 0.9 (d2l §11.6's first example uses 0.5)."),
    ],
    "adagrad": [
        ({"eps": 1e-6}, "AdaGrad's default ε is torch.optim's 1e-10 (d2l's code uses 1e-6)."),
        ({"eps": 1e-8}, "AdaGrad's default ε is torch.optim's 1e-10 (1e-8 is RMSProp's and Adam's)."),
        ({"lr": 0.1}, "AdaGrad's default lr is torch.optim's 0.01 (d2l's example trains with 0.1)."),
    ],
    "rmsprop": [
        ({"alpha": 0.9}, "RMSProp's default α is torch.optim's 0.99 (d2l's γ = 0.9 is its example's choice)."),
        ({"eps": 1e-6}, "RMSProp's default ε is torch.optim's 1e-8 (d2l's code uses 1e-6)."),
        ({"lr": 0.001}, "RMSProp's default lr is torch.optim's 0.01."),
    ],
    "adadelta": [
        ({"eps": 1e-5}, "Adadelta's default ε is torch.optim's 1e-6 (d2l's code uses 1e-5)."),
        ({"rho": 0.95}, "Adadelta's default ρ is torch.optim's 0.9 (0.95 is the paper's and Keras')."),
        ({"lr": 0.01}, "Adadelta's default lr is torch.optim's 1.0."),
    ],
    "adam": [
        ({"eps": 1e-6}, "Adam's default ε is torch.optim's 1e-8 (d2l's code uses 1e-6)."),
        ({"lr": 0.01}, "Adam's default lr is torch.optim's 1e-3 (d2l's example trains with 0.01)."),
        ({"betas": (0.9, 0.99)}, "Adam's default betas are torch.optim's (0.9, 0.999)."),
    ],
}


def _check_defaults(kata, name):
    """float64, gradients of size 1e-9, 1e-5, 1e-2 and 1 (small ones expose ε), 4 steps, only lr given (SGD)."""
    spec = _spec("float64", [(3,)] * 4, [1e-9, 1e-5, 1e-2, 1.0], [0.1] * 4 if name == "sgd_momentum" else [None] * 4,
                 {}, seed=17)
    params, grads, _ = _build(spec)
    torch_hyper = {"momentum": 0.9} if name == "sgd_momentum" else {}
    want = _oracle(name, {**spec, "hyper": torch_hyper})
    defaults = ", ".join(f"{k}={v!r}" for k, v in DEFAULTS[name].items())
    prop = f"{name} with its default hyper-parameters follows torch.optim.{TORCH[name]}'s defaults ({defaults})"
    _trajectory(kata, name, params, grads, spec["lrs"], {}, prop, want,
                mistakes=DEFAULT_MISTAKES[name] + MISTAKES[name], omit_first_state=True)


# ================================================================================================ cheap properties first
# (the self-check stops running a buggy variant once a test has rejected it: these catch most of them quickly)
def test_sgd_momentum_defaults(kata):
    """sgd_momentum's momentum defaults to 0.9"""
    _check_defaults(kata, "sgd_momentum")


def test_sgd_momentum_is_pure(kata):
    """sgd_momentum changes nothing it is given and gives the same result for the same arguments"""
    _check_pure(kata, "sgd_momentum")


def test_sgd_momentum_state_ignores_lr(kata):
    """sgd_momentum uses each call's lr: its velocity does not contain lr"""
    _check_state_ignores_lr(kata, "sgd_momentum")


def test_sgd_momentum_no_history(kata):
    """sgd_momentum's new parameters carry no autograd history"""
    _check_no_history(kata, "sgd_momentum")


def test_momentum_tames_the_d2l_example(kata):
    """d2l §11.6: on f(x) = 0.1x₁² + 2x₂² from (−5, −2), momentum 0.5 with lr 0.6 ends within 0.2 of 0 in 40 steps"""
    prop = "momentum 0.5, lr 0.6 on f(x) = 0.1·x₁² + 2·x₂² ends within 0.2 of the minimum after 40 steps"
    x, state, path = [torch.tensor(-5.0), torch.tensor(-2.0)], None, []
    for k in range(40):
        grads = [0.2 * x[0].detach(), 4.0 * x[1].detach()]
        kw = {"lr": 0.6, "momentum": 0.5}
        x, state = _call(kata, "sgd_momentum", x, grads, state, kw, prop,
                         {"call": _call_text("sgd_momentum", kw, "None" if k == 0 else "state"), "step": k + 1})
        path.append((round(float(x[0]), 4), round(float(x[1]), 4)))
    end = math.hypot(float(x[0]), float(x[1]))
    expect(end <= 0.2, prop, inputs={"start": "(−5, −2)", "gradient": "(0.2·x₁, 4·x₂)",
                                     "trajectory (first 6 steps)": path[:6]},
           expected="‖x₄₀‖ ≤ 0.2", got=f"‖x₄₀‖ = {end:.4g} at {path[-1]}", hints=[
               Hint("plain gradient descent with lr 0.6 diverges along x₂ (|1 − 0.6·4| = 1.4 > 1), and so does "
                    "yours: the velocity is not being used. Carry v in the state (v ← μ·v + g) and step with lr·v.",
                    when=lambda g, w: abs(path[-1][1]) > 1e3)])


def test_adagrad_defaults(kata):
    """adagrad's defaults are torch.optim's: lr 0.01, ε 1e-10"""
    _check_defaults(kata, "adagrad")


def test_adagrad_is_pure(kata):
    """adagrad changes nothing it is given and gives the same result for the same arguments"""
    _check_pure(kata, "adagrad")


def test_adagrad_state_ignores_lr(kata):
    """adagrad uses each call's lr: the step scales with it, the state does not depend on it"""
    _check_state_ignores_lr(kata, "adagrad")


def test_adagrad_no_history(kata):
    """adagrad's new parameters carry no autograd history"""
    _check_no_history(kata, "adagrad")


def test_rmsprop_defaults(kata):
    """rmsprop's defaults are torch.optim's: lr 0.01, α 0.99, ε 1e-8"""
    _check_defaults(kata, "rmsprop")


def test_rmsprop_is_pure(kata):
    """rmsprop changes nothing it is given and gives the same result for the same arguments"""
    _check_pure(kata, "rmsprop")


def test_rmsprop_state_ignores_lr(kata):
    """rmsprop uses each call's lr: the step scales with it, the state does not depend on it"""
    _check_state_ignores_lr(kata, "rmsprop")


def test_rmsprop_no_history(kata):
    """rmsprop's new parameters carry no autograd history"""
    _check_no_history(kata, "rmsprop")


def test_adadelta_defaults(kata):
    """adadelta's defaults are torch.optim's: lr 1.0, ρ 0.9, ε 1e-6"""
    _check_defaults(kata, "adadelta")


def test_adadelta_is_pure(kata):
    """adadelta changes nothing it is given and gives the same result for the same arguments"""
    _check_pure(kata, "adadelta")


def test_adadelta_state_ignores_lr(kata):
    """adadelta uses each call's lr: the step scales with it, the state (δ accumulates the step before lr) does not"""
    _check_state_ignores_lr(kata, "adadelta")


def test_adadelta_no_history(kata):
    """adadelta's new parameters carry no autograd history"""
    _check_no_history(kata, "adadelta")


def test_adam_defaults(kata):
    """adam's defaults are torch.optim's: lr 1e-3, betas (0.9, 0.999), ε 1e-8"""
    _check_defaults(kata, "adam")


def test_adam_is_pure(kata):
    """adam changes nothing it is given and gives the same result for the same arguments"""
    _check_pure(kata, "adam")


def test_adam_state_ignores_lr(kata):
    """adam uses each call's lr: the step scales with it, the state (m, v and the step count) does not depend on it"""
    _check_state_ignores_lr(kata, "adam")


def test_adam_no_history(kata):
    """adam's new parameters carry no autograd history"""
    _check_no_history(kata, "adam")


# ================================================================================================ the oracle, step for step
@pytest.mark.core("sgd_momentum")
@pytest.mark.weight(3)
@settings(max_examples=40)
@given(spec=specs("sgd_momentum"))
@example(spec=_spec("float32", [(3,), ()], [1.0, 1e-2], [0.5, 0.1, 0.01, 0.5], {"momentum": 0.9}, 1))
@example(spec=_spec("float64", [(2, 3)], [1.0], [0.1, 0.5, 0.03], {"momentum": 0.5}, 2))
def test_sgd_momentum_matches_torch(kata, spec):
    """sgd_momentum follows torch.optim.SGD(momentum=μ) step for step, with lr changing between steps"""
    _check_against_torch(kata, "sgd_momentum", spec)


@pytest.mark.core("adagrad")
@pytest.mark.weight(3)
@settings(max_examples=40)
@given(spec=specs("adagrad"))
@example(spec=_spec("float32", [(3,)], [1e-6], [0.1, 0.5, 0.01], {"eps": 1e-10}, 3))
@example(spec=_spec("float64", [(2, 3), ()], [1.0, 1e-4], [0.5, 0.1, 0.3, 0.01], {"eps": 0.1}, 4))
def test_adagrad_matches_torch(kata, spec):
    """adagrad follows torch.optim.Adagrad step for step, with lr changing between steps"""
    _check_against_torch(kata, "adagrad", spec)


@pytest.mark.core("rmsprop")
@pytest.mark.weight(3)
@settings(max_examples=40)
@given(spec=specs("rmsprop"))
@example(spec=_spec("float32", [(3,)], [1e-4], [0.1, 0.01, 0.05], {"alpha": 0.99, "eps": 1e-8}, 5))
@example(spec=_spec("float64", [(2, 3), (1,)], [1.0, 1e-2], [0.05, 0.1, 0.001, 0.01], {"alpha": 0.5, "eps": 0.1}, 6))
def test_rmsprop_matches_torch(kata, spec):
    """rmsprop follows torch.optim.RMSprop step for step, with lr changing between steps"""
    _check_against_torch(kata, "rmsprop", spec)


@pytest.mark.core("adadelta")
@pytest.mark.weight(3)
@settings(max_examples=40)
@given(spec=specs("adadelta"))
@example(spec=_spec("float64", [(3,), ()], [1.0, 1e-2], [1.0, 0.5, 2.0, 0.1], {"rho": 0.9, "eps": 1e-6}, 7))
@example(spec=_spec("float32", [(2, 3)], [1e-4], [0.5, 2.0, 1.0], {"rho": 0.5, "eps": 1e-3}, 8))
def test_adadelta_matches_torch(kata, spec):
    """adadelta follows torch.optim.Adadelta step for step, with lr changing between steps"""
    _check_against_torch(kata, "adadelta", spec)


@pytest.mark.core("adam")
@pytest.mark.weight(3)
@settings(max_examples=40)
@given(spec=specs("adam"))
@example(spec=_spec("float32", [(3,), ()], [1e-6, 1.0], [0.1, 0.01, 0.3, 0.001], {"betas": (0.9, 0.999), "eps": 1e-8}, 9))
@example(spec=_spec("float64", [(2, 3)], [1.0], [0.01, 0.1, 0.001], {"betas": (0.8, 0.99), "eps": 0.1}, 10))
def test_adam_matches_torch(kata, spec):
    """adam follows torch.optim.Adam step for step, with lr changing between steps"""
    _check_against_torch(kata, "adam", spec)
