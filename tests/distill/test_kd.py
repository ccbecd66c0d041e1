"""Graders for distill/kd.py (soft_targets, kd_loss, train_student).

Oracles: ``torch.softmax(z / T)`` in float64 for the soft targets; for the loss, the contract's
``α·T²·F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1), reduction='batchmean') + (1 − α)·F.cross_entropy(s, y)``
in float64, its autograd gradient for the student's gradient; for training, the same loss over the whole data set
(lr = 0: the history is then the full-data loss, whatever the batches), and the graders' hand-written Adam
(tests/shippable_nets.Adam, torch.optim's update rule) on that loss with one full batch per epoch, in float64.

Tolerances. soft_targets: 1e-6 absolute + 1e-5 relative (probabilities). kd_loss float64: 1e-9 relative (plus 1e-12);
float32: 1e-5 relative plus 1e-6·(1 + max|logit|)·(1 + α·T) absolute — measured over the contract's grid
(b ∈ {1, 5, 8, 32}, C ∈ {2, 3, 10, 17}, T ∈ {1, 2, 4, 10}, α ∈ {0, 0.3, 0.9, 1}, logit scales 1…1e3) the float32
reference stays below 0.7e-6·(1 + max|logit|)·(1 + α·T): the T² factor multiplies the rounding of a small KL, so a
bare 1e-5 relative bound fails correct float32 code at T = 10. Gradients (float64): 1e-8·(1 + α·T) + 1e-7 relative.
Training: lr = 0 histories 1e-5 relative (float32 sums in another order); the full-batch Adam run is float64, so a
reordered batch changes nothing beyond 1e-10.

Training check (digits, ``tests/data.py`` split, 1,348 train / 449 test; seeds from ``stat_seed``). The contract's
recipe, made smaller to fit the budget (the learner's training loop runs under the forbidden-call guard, which makes
every torch operation several times slower): teacher 64-128-ReLU-Dropout(0.3)-128-ReLU-Dropout(0.3)-10 trained by
the graders (hand-written Adam lr 3e-3, 10 epochs, batch 64; test accuracy 0.942-0.980 over 40 seeds, ~0.25 s CPU),
cached per seed; student 64-16-ReLU-10 trained by ``train_student`` with T = 4, α = 0.9 (and α = 0 for the
hard-label baseline), 15 epochs, batch 128, lr 0.02 (165 Adam steps). Measured for the reference over 40 seeds:
distilled test accuracy 0.922-0.976, agreement with the teacher's argmax 0.967-0.989, test KL(p_t ‖ p_s) at T = 4 of
0.006-0.011 against 0.037-0.087 for the same student trained with α = 0, ratio 0.09-0.25. Graded: accuracy ≥ 0.90,
agreement ≥ 0.90, ratio ≤ 0.5, the teacher run in eval mode without autograd, its parameters bit-identical and
gradient-free. "The distilled student beats the hard-label student" is **not** graded: on the digits it does not
(hard-label accuracy 0.949-0.980 in the same runs).
"""
import copy
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import Hint, expect, expect_close, expect_raises, expect_tensor, fail
from tests.data import digits_split
from tests.helpers import call, expect_generator_used, gen, near, same_value, seed_global, stat_gen
from tests.shippable_distill_kd import RecordingNet
from tests.shippable_nets import Adam


def _logits(b, C, seed, scale=3.0, dtype=torch.float32):
    g = gen(seed)
    s = torch.randn(b, C, generator=g, dtype=torch.float64) * scale
    t = torch.randn(b, C, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, C, (b,), generator=g)
    return s.to(dtype), t.to(dtype), y


# ================================================================================================ soft_targets
def _soft64(z, T):
    return torch.softmax(z.detach().double() / T, dim=1)


def _soft_hints(z, T):
    z64 = z.detach().double()
    alt = {
        "no_T": torch.softmax(z64, dim=1),
        "times_T": torch.softmax(z64 * T, dim=1),
        "dim0": torch.softmax(z64 / T, dim=0),
        "T2": torch.softmax(z64 / (T * T), dim=1),
    }
    right = _soft64(z, T)

    def is_(key):
        v = alt[key]
        return lambda g, w: isinstance(g, torch.Tensor) and g.shape == v.shape and not near(v, right, 1e-5) \
            and near(g, v, 1e-5)

    return [
        Hint(f"the temperature is missing: divide the logits by T = {T:g} before the softmax.", when=is_("no_T")),
        Hint("divide the logits by T (a larger T must flatten the distribution), do not multiply.",
             when=is_("times_T")),
        Hint("softmax(z / T), not softmax(z / T²): the temperature divides the logits once.", when=is_("T2")),
        Hint("normalise each row (dim=1: one distribution per example), not each column.", when=is_("dim0")),
        Hint("NaN or inf: exp overflows for large logits. Subtract each row's maximum from z / T first "
             "(softmax does not change when a constant is subtracted from a row).",
             when=lambda g, w: isinstance(g, torch.Tensor) and not bool(g.detach().isfinite().all())),
    ]


def _soft_call(kata, z, T, prop, inputs, hints):
    got = call(kata.soft_targets, z.clone(), T, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=z.shape, hints=hints)
    return got


@pytest.mark.core("soft_targets")
@settings(max_examples=25)
@given(b=st.integers(1, 6), C=st.integers(2, 12), T=st.sampled_from([0.5, 1.0, 2.0, 4.0, 10.0]),
       seed=st.integers(0, 2 ** 16), scale=st.sampled_from([1.0, 3.0, 10.0]))
@example(b=2, C=3, T=4.0, seed=1, scale=3.0)
@example(b=1, C=10, T=1.0, seed=2, scale=1.0)
@example(b=4, C=5, T=2.0, seed=3, scale=10.0)
def test_soft_targets_match_softmax(kata, b, C, T, seed, scale):
    """soft_targets(z, T) equals softmax(z / T) along each row"""
    z, _, _ = _logits(b, C, seed, scale)
    inputs = {"logits": z, "T": T}
    prop = "soft_targets(z, T) = softmax(z / T, dim=1)"
    hints = _soft_hints(z, T)
    got = _soft_call(kata, z, T, prop, inputs, hints)
    expect_close(got, _soft64(z, T), prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)


def test_soft_targets_rows_sum_to_one_and_keep_the_argmax(kata):
    """each row of soft_targets(z, T) sums to 1 and keeps z's argmax; T = 1 is the plain softmax"""
    z = torch.tensor([[2.0, -1.0, 0.5, 4.0], [0.0, 3.0, -2.0, 1.0], [-5.0, -4.0, -6.0, -4.5]])
    for T in (1.0, 3.0, 25.0):
        inputs = {"logits": z, "T": T}
        hints = _soft_hints(z, T)
        got = _soft_call(kata, z, T, "soft_targets returns a (b, C) tensor", inputs, hints)
        expect_close(got.sum(dim=1), torch.ones(3), "every row of soft_targets(z, T) sums to 1", inputs=inputs,
                     atol=1e-6, rtol=0, hints=hints)
        expect(bool((got.argmax(dim=1) == z.argmax(dim=1)).all()), "soft_targets keeps each row's argmax",
               inputs=inputs, expected=z.argmax(dim=1), got=got.argmax(dim=1), hints=hints)
        if T == 1.0:
            expect_close(got, torch.softmax(z.double(), dim=1), "soft_targets(z, 1) is softmax(z)", inputs=inputs,
                         atol=1e-6, rtol=1e-5, hints=hints)


def test_soft_targets_entropy_grows_with_temperature(kata):
    """the entropy of soft_targets(z, T) never falls as T grows (a higher temperature softens the targets)"""
    z = torch.tensor([[3.0, 1.0, 0.2, -1.0, 0.0], [0.5, 0.4, 6.0, -2.0, 1.0]])
    Ts = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    ents = []
    for T in Ts:
        inputs = {"logits": z, "T": T}
        p = _soft_call(kata, z, T, "soft_targets returns a (b, C) tensor", inputs, _soft_hints(z, T))
        p64 = p.detach().double().clamp_min(1e-300)
        ents.append([round(float(v), 6) for v in -(p64 * p64.log()).sum(dim=1)])
    ok = all(all(a <= b + 1e-6 for a, b in zip(e1, e2)) for e1, e2 in zip(ents, ents[1:]))
    expect(ok, "the entropy of every row grows (or stays) as T grows", inputs={"logits": z, "T": Ts},
           expected="non-decreasing entropies", got=ents,
           hints=["divide the logits by T: a larger T must make the distribution flatter, not sharper."])


def test_soft_targets_are_finite_for_huge_logits(kata):
    """soft_targets stays finite and right for logits of magnitude 1e4 (T = 1 and T = 4)"""
    z = torch.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4 + 2.0, -1e4 + 1.0], [5e3, 1e4, 1e4]])
    for T in (1.0, 4.0):
        inputs = {"logits": z, "T": T}
        prop = "soft_targets(z, T) = softmax(z / T) for |z| = 1e4"
        hints = _soft_hints(z, T)
        got = _soft_call(kata, z, T, prop, inputs, hints)
        expect_close(got, _soft64(z, T), prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)


def test_soft_targets_reject_non_positive_temperature(kata):
    """soft_targets raises ValueError for T <= 0"""
    z = torch.tensor([[1.0, 2.0], [0.5, -0.5]])
    for T in (0.0, -1.0, -4.0):
        with expect_raises(ValueError, "soft_targets raises ValueError for T <= 0", inputs={"logits": z, "T": T},
                           hints=["check first: `if T <= 0: raise ValueError(...)` (z / 0 gives inf and NaN, a "
                                  "negative T turns the ranking upside down)."]):
            kata.soft_targets(z.clone(), T)


def test_soft_targets_float64(kata):
    """float64 logits give float64 soft targets, equal to softmax(z / T) to 1e-12"""
    z, _, _ = _logits(3, 4, 9, dtype=torch.float64)
    inputs = {"logits": z, "T": 2.0}
    got = _soft_call(kata, z, 2.0, "soft_targets of float64 logits", inputs, _soft_hints(z, 2.0))
    expect_tensor(got, "soft_targets keeps the logits' dtype (float64)", inputs=inputs, dtype=torch.float64)
    expect_close(got, _soft64(z, 2.0), "soft_targets(z, 2) = softmax(z / 2) in float64", inputs=inputs, atol=1e-12,
                 rtol=1e-12)


# ================================================================================================ kd_loss
def _kd_oracle(s, t, y, T, alpha):
    """The contract's oracle: α·T²·kl_div(log_softmax(s/T), softmax(t/T), 'batchmean') + (1 − α)·CE(s, y)."""
    t = t.detach()
    return alpha * T ** 2 * F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean") \
        + (1 - alpha) * F.cross_entropy(s, y)


def _kd64(s, t, y, T, alpha):
    return _kd_oracle(s.detach().double(), t.detach().double(), y, T, alpha)


def _kl(p_log, q_log):
    """KL(p ‖ q) summed over classes, mean over the batch, from log-probabilities (0·log 0 = 0)."""
    p = p_log.exp()
    return torch.where(p > 0, p * (p_log - q_log), torch.zeros_like(p)).sum(dim=1).mean()


def _kd_hints(s, t, y, T, alpha):
    """One hint per recognisable mistake, shown when the learner's value is that mistake's value."""
    s, t = s.detach().double(), t.detach().double()
    b, C = s.shape
    lps, lpt = F.log_softmax(s / T, dim=1), F.log_softmax(t / T, dim=1)
    kl = _kl(lpt, lps)
    ce = F.cross_entropy(s, y)
    soft = alpha * T * T
    right = float(soft * kl + (1 - alpha) * ce)
    wrong = {
        "mean": soft * kl / C + (1 - alpha) * ce,
        "no_T2": alpha * kl + (1 - alpha) * ce,
        "T_once": alpha * T * kl + (1 - alpha) * ce,
        "reversed": soft * _kl(lps, lpt) + (1 - alpha) * ce,
        "soft_ce": soft * (-(lpt.exp() * lps).sum(dim=1).mean()) + (1 - alpha) * ce,
        "teacher_T1": soft * _kl(F.log_softmax(t, dim=1), lps) + (1 - alpha) * ce,
        "student_T1": soft * _kl(lpt, F.log_softmax(s, dim=1)) + (1 - alpha) * ce,
        "both_T1": soft * _kl(F.log_softmax(t, dim=1), F.log_softmax(s, dim=1)) + (1 - alpha) * ce,
        "alpha_swapped": (1 - alpha) * T * T * kl + alpha * ce,
        "ce_at_T": soft * kl + (1 - alpha) * F.cross_entropy(s / T, y),
        "batch_sum": soft * kl * b + (1 - alpha) * ce,
        "ce_sum": soft * kl + (1 - alpha) * ce * b,
        "no_ce": soft * kl,
    }
    wrong = {k: float(v) for k, v in wrong.items()}

    def is_(key):
        v = wrong[key]
        return lambda g, w: math.isfinite(v) and abs(v - right) > 1e-6 * (1 + abs(right)) \
            and isinstance(g, torch.Tensor) and g.numel() == 1 and near(float(g.detach()), v, 1e-6, rel=True)

    return [
        Hint(f"the KL divergence is averaged over the batch **and** the {C} classes: that is kl_div's "
             "reduction='mean', exactly the pitfall of this kata. Sum over the classes, then average over the "
             "batch ('batchmean').", when=is_("mean")),
        Hint(f"the soft term lacks its factor T² (= {T * T:g} here): without it the gradients of the soft targets "
             "shrink like 1/T², and changing T silently changes the weight of the soft term.", when=is_("no_T2")),
        Hint(f"the soft term is multiplied by T = {T:g}; Hinton et al. multiply it by T² = {T * T:g}.",
             when=is_("T_once")),
        Hint("the KL divergence is reversed: it is KL(p_teacher ‖ p_student) = Σ p_t·(log p_t − log p_s), the "
             "teacher's probabilities weighting the sum.", when=is_("reversed")),
        Hint("that is the soft cross-entropy −Σ p_t·log p_s: it has the KL's gradient but not its value — it "
             "exceeds the KL by the teacher's entropy −Σ p_t·log p_t. The loss is the KL divergence.",
             when=is_("soft_ce")),
        Hint(f"the teacher's probabilities must be softened with the same temperature: p_t = softmax(teacher / T) "
             f"(T = {T:g}), not softmax(teacher).", when=lambda g, w: is_("teacher_T1")(g, w) or is_("both_T1")(g, w)),
        Hint(f"the student's log-probabilities in the KL use the temperature too: log_softmax(student / T) "
             f"(T = {T:g}).", when=lambda g, w: is_("student_T1")(g, w) or is_("both_T1")(g, w)),
        Hint(f"α weights the soft term: α·T²·KL + (1 − α)·CE (α = {alpha:g}); you swapped the weights.",
             when=is_("alpha_swapped")),
        Hint("the hard-label cross-entropy is taken at T = 1: cross_entropy(student_logits, labels), not of "
             "student_logits / T.", when=is_("ce_at_T")),
        Hint("average over the batch: the KL is summed over the classes and then divided by the batch size.",
             when=is_("batch_sum")),
        Hint("the cross-entropy is the mean over the batch (F.cross_entropy's default), not the sum.",
             when=is_("ce_sum")),
        Hint(f"the hard-label term (1 − α)·CE(student_logits, labels) is missing (α = {alpha:g}).",
             when=is_("no_ce")),
        Hint("NaN or inf: the log of a probability that underflowed to 0. Take log-probabilities with "
             "F.log_softmax(z / T, dim=1) (stable), not torch.log(softmax(...)).",
             when=lambda g, w: isinstance(g, torch.Tensor) and not bool(g.detach().isfinite().all())),
        Hint("return the loss as a 0-d tensor.", when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() != 0),
    ]


def _kd_call(kata, s, t, y, T, alpha, prop, inputs, hints):
    got = call(kata.kd_loss, s, t, y, T, alpha, prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), hints=hints)
    return got


def _kd_inputs(s, t, y, T, alpha):
    return {"student_logits": s, "teacher_logits": t, "labels": y, "T": T, "alpha": alpha}


def _f32_atol(s, t, T, alpha):
    m = max(float(s.detach().abs().max()), float(t.detach().abs().max()))
    return 1e-6 * (1 + m) * (1 + alpha * T)


GRID = dict(b=st.sampled_from([1, 5, 8, 32]), C=st.sampled_from([2, 3, 10, 17]), T=st.sampled_from([1.0, 2.0, 4.0, 10.0]),
            alpha=st.sampled_from([0.0, 0.3, 0.9, 1.0]), seed=st.integers(0, 2 ** 16),
            scale=st.sampled_from([1.0, 3.0, 10.0]))


@pytest.mark.core("kd_loss")
@settings(max_examples=30)
@given(**GRID)
@example(b=8, C=10, T=4.0, alpha=0.9, seed=1, scale=3.0)
@example(b=5, C=3, T=2.0, alpha=0.3, seed=2, scale=1.0)
@example(b=32, C=17, T=10.0, alpha=1.0, seed=3, scale=10.0)
def test_kd_loss_matches_kl_div_float64(kata, b, C, T, alpha, seed, scale):
    """kd_loss = α·T²·KL(p_t ‖ p_s) ('batchmean') + (1 − α)·CE, equal to the F.kl_div oracle in float64"""
    s, t, y = _logits(b, C, seed, scale, torch.float64)
    inputs = _kd_inputs(s, t, y, T, alpha)
    prop = "kd_loss(s, t, y, T, α) = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)  (float64)"
    hints = _kd_hints(s, t, y, T, alpha)
    got = _kd_call(kata, s.clone(), t.clone(), y.clone(), T, alpha, prop, inputs, hints)
    want = _kd64(s, t, y, T, alpha)
    expect_close(got, want, prop, inputs=inputs, atol=1e-12, rtol=1e-9, hints=hints)


@pytest.mark.core("kd_loss")
@settings(max_examples=25)
@given(**GRID)
@example(b=8, C=10, T=4.0, alpha=0.9, seed=4, scale=3.0)
@example(b=1, C=2, T=1.0, alpha=0.0, seed=5, scale=3.0)
@example(b=5, C=17, T=10.0, alpha=0.3, seed=6, scale=10.0)
def test_kd_loss_matches_kl_div_float32(kata, b, C, T, alpha, seed, scale):
    """kd_loss of float32 logits is a float32 0-d tensor equal to the oracle (1e-5 relative, scaled absolute)"""
    s, t, y = _logits(b, C, seed, scale, torch.float32)
    inputs = _kd_inputs(s, t, y, T, alpha)
    prop = "kd_loss(s, t, y, T, α) = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)  (float32)"
    hints = _kd_hints(s, t, y, T, alpha)
    got = _kd_call(kata, s.clone(), t.clone(), y.clone(), T, alpha, prop, inputs, hints)
    expect_tensor(got, prop, inputs=inputs, shape=(), dtype=torch.float32, hints=hints)
    expect_close(got, _kd64(s, t, y, T, alpha), prop, inputs=inputs, atol=_f32_atol(s, t, T, alpha), rtol=1e-5,
                 hints=hints)


@pytest.mark.core("kd_loss")
@settings(max_examples=15)
@given(**GRID)
@example(b=8, C=10, T=4.0, alpha=0.9, seed=7, scale=3.0)
@example(b=5, C=3, T=1.0, alpha=0.3, seed=8, scale=1.0)
def test_kd_loss_gradient_matches_the_oracle(kata, b, C, T, alpha, seed, scale):
    """the gradient of kd_loss in the student's logits equals the oracle's (float64 autograd)"""
    s, t, y = _logits(b, C, seed, scale, torch.float64)
    inputs = _kd_inputs(s, t, y, T, alpha)
    prop = "∂ kd_loss / ∂ student_logits equals the oracle's gradient"
    hints = _kd_hints(s, t, y, T, alpha)
    s_req = s.clone().requires_grad_(True)
    got = _kd_call(kata, s_req, t.clone(), y.clone(), T, alpha, prop, inputs, hints)
    expect(got.requires_grad, prop, inputs=inputs, expected="a loss that requires grad", got=got,
           hints=["build the loss from tensor operations on student_logits (no .item(), no torch.no_grad())."])
    (g_got,) = torch.autograd.grad(got, s_req)
    s_ref = s.clone().requires_grad_(True)
    (g_want,) = torch.autograd.grad(_kd_oracle(s_ref, t, y, T, alpha), s_ref)
    loss = got.detach()
    value_hints = [Hint(h.text, when=(lambda h: lambda g, w: h.applies(loss, None))(h)) for h in hints]
    expect_close(g_got, g_want, prop, inputs={**inputs, "your loss": loss, "the oracle's loss": _kd64(s, t, y, T, alpha)},
                 atol=1e-8 * (1 + alpha * T), rtol=1e-7, hints=value_hints)


def test_kd_loss_teacher_gets_no_gradient(kata):
    """the teacher's logits are constants: when they require grad, backward leaves their .grad None"""
    for T, alpha, seed in ((4.0, 0.9, 11), (2.0, 1.0, 12)):
        s, t, y = _logits(6, 5, seed)
        inputs = {**_kd_inputs(s, t, y, T, alpha), "note": "student and teacher logits both require grad"}
        s_req, t_req = s.clone().requires_grad_(True), t.clone().requires_grad_(True)
        prop = "kd_loss(s, t, ...) sends no gradient into the teacher's logits"
        loss = _kd_call(kata, s_req, t_req, y.clone(), T, alpha, prop, inputs, _kd_hints(s, t, y, T, alpha))
        loss.backward()
        g = t_req.grad
        expect(g is None or bool((g == 0).all()), prop, inputs=inputs, expected="teacher_logits.grad is None",
               got=g, hints=["the teacher is a constant: use teacher_logits.detach() inside kd_loss (the student "
                             "must move towards the teacher, not the teacher towards the student)."])
        expect(s_req.grad is not None and bool(s_req.grad.abs().sum() > 0),
               "kd_loss sends a gradient into the student's logits", inputs=inputs,
               expected="a non-zero student_logits.grad", got=s_req.grad)


def test_kd_loss_soft_term_vanishes_when_student_equals_teacher(kata):
    """with student = teacher the soft term is 0: kd_loss(z, z, y, T, 1) = 0 and kd_loss(z, z, y, T, α) = (1 − α)·CE"""
    for T, alpha, seed in ((4.0, 1.0, 21), (2.0, 0.6, 22), (1.0, 0.9, 23)):
        z, _, y = _logits(7, 6, seed)
        inputs = _kd_inputs(z, z, y, T, alpha)
        prop = "kd_loss(z, z, y, T, α) = (1 − α)·CE(z, y): KL(p ‖ p) = 0"
        hints = _kd_hints(z, z, y, T, alpha)
        got = _kd_call(kata, z.clone(), z.clone(), y.clone(), T, alpha, prop, inputs, hints)
        want = (1 - alpha) * F.cross_entropy(z.double(), y)
        expect_close(got, want, prop, inputs=inputs, atol=_f32_atol(z, z, T, alpha), rtol=1e-5, hints=hints + [
            Hint("the soft term of identical logits must be 0: a KL divergence, Σ p_t·(log p_t − log p_s), not a "
                 "cross-entropy (which equals the entropy there).", when=lambda g, w: float(g) > float(w) + 1e-3)])


def test_kd_loss_alpha_zero_is_the_cross_entropy(kata):
    """with α = 0 kd_loss is the plain mean cross-entropy of the student at T = 1, whatever the teacher says"""
    for T, seed in ((4.0, 31), (10.0, 32)):
        s, t, y = _logits(9, 4, seed)
        inputs = _kd_inputs(s, t, y, T, 0.0)
        prop = "kd_loss(s, t, y, T, α = 0) = cross_entropy(s, y)"
        hints = _kd_hints(s, t, y, T, 0.0)
        got = _kd_call(kata, s.clone(), t.clone(), y.clone(), T, 0.0, prop, inputs, hints)
        expect_close(got, F.cross_entropy(s.double(), y), prop, inputs=inputs, atol=_f32_atol(s, t, T, 0.0),
                     rtol=1e-5, hints=hints)


def test_kd_loss_t_squared_keeps_the_gradient_scale(kata):
    """with α = 1 the student's gradient has about the same norm at T = 10 and T = 20 (the job of T²)"""
    s, t, y = _logits(16, 10, 41, scale=2.0, dtype=torch.float64)
    norms = {}
    for T in (10.0, 20.0):
        inputs = _kd_inputs(s, t, y, T, 1.0)
        s_req = s.clone().requires_grad_(True)
        loss = _kd_call(kata, s_req, t.clone(), y.clone(), T, 1.0, "kd_loss(s, t, y, T, α = 1) is a 0-d tensor",
                        inputs, _kd_hints(s, t, y, T, 1.0))
        (g,) = torch.autograd.grad(loss, s_req)
        norms[T] = float(g.norm())
    ratio = norms[10.0] / norms[20.0] if norms[20.0] > 0 else math.inf
    # measured: 0.999 with T², 3.99 without it (the soft targets' gradient scales like 1/T²)
    expect(0.9 <= ratio <= 1.1, "‖∂ kd_loss/∂s‖ at T = 10 and T = 20 differ by less than 10 % (α = 1)",
           inputs={"student_logits": s, "teacher_logits": t, "labels": y, "alpha": 1.0, "T": [10.0, 20.0]},
           expected="a ratio of norms in [0.9, 1.1]", got=f"ratio {ratio:.4g} (norms {norms})",
           hints=[Hint("without T² the gradient of the soft term shrinks like 1/T² (ratio ≈ 4 between T = 10 and "
                       "T = 20): multiply the KL by T².", when=lambda g_, w: 3.0 < ratio < 5.0),
                  Hint("the soft term is multiplied by T, not T²?", when=lambda g_, w: 1.6 < ratio < 2.4)])


def test_kd_loss_is_stable_for_large_logits(kata):
    """kd_loss is finite and right for logits of magnitude 1e3, at T = 1 and T = 4"""
    g = gen(51)
    s = torch.randn(6, 5, generator=g) * 1e3
    t = torch.randn(6, 5, generator=g) * 1e3
    y = torch.randint(0, 5, (6,), generator=g)
    for T, alpha in ((1.0, 0.9), (4.0, 0.9), (4.0, 0.5)):
        inputs = _kd_inputs(s, t, y, T, alpha)
        prop = "kd_loss is finite and equals the oracle for logits of magnitude 1e3"
        hints = _kd_hints(s, t, y, T, alpha)
        got = _kd_call(kata, s.clone(), t.clone(), y.clone(), T, alpha, prop, inputs, hints)
        expect_close(got, _kd64(s, t, y, T, alpha), prop, inputs=inputs, atol=_f32_atol(s, t, T, alpha), rtol=1e-5,
                     hints=hints)


# ================================================================================================ train_student
D_IN, N_CLS = 6, 4


def _seeded(net, seed, scale=1.0, dtype=torch.float32):
    """Uniform ±scale/√fan_in weights and biases from a seeded generator (whatever the global RNG does)."""
    g = gen(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Linear):
                bound = scale / math.sqrt(m.in_features)
                m.weight.copy_((torch.rand(m.weight.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
                m.bias.copy_((torch.rand(m.bias.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
    return net.to(dtype)


def _small_teacher(seed, dtype=torch.float32):
    """6-16-ReLU-Dropout(0.5)-4, handed over in train mode (so that a teacher not put in eval() is noisy)."""
    net = _seeded(nn.Sequential(nn.Linear(D_IN, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, N_CLS)), seed, 2.0,
                  dtype)
    return RecordingNet(net).train()


def _small_student(seed, dtype=torch.float32):
    """6-8-ReLU-4."""
    return RecordingNet(_seeded(nn.Sequential(nn.Linear(D_IN, 8), nn.ReLU(), nn.Linear(8, N_CLS)), seed, 1.0,
                                dtype)).train()


def _toy_data(n, seed, dtype=torch.float32):
    g = gen(seed)
    X = torch.randn(n, D_IN, generator=g, dtype=torch.float64).to(dtype)
    y = torch.randint(0, N_CLS, (n,), generator=g)
    return X, y


def _eval_logits(net, X):
    net = copy.deepcopy(net).eval()
    with torch.no_grad():
        return net.net(X)


def _train_call(kata, student, teacher, X, y, prop, inputs, hints=(), **kw):
    hist = call(kata.train_student, student, teacher, X, y, prop=prop, inputs=inputs, hints=hints, **kw)
    num_epochs = kw.get("num_epochs", 30)
    expect(isinstance(hist, (list, tuple)) and len(hist) == num_epochs,
           "train_student returns one loss per epoch", inputs=inputs,
           expected=f"a list of {num_epochs} floats", got=hist if isinstance(hist, (list, tuple)) else
           f"{type(hist).__name__}: {hist!r}"[:200], hints=["append the epoch's mean loss after every epoch, and "
                                                            "return the list."])
    expect(all(isinstance(v, float) for v in hist), "train_student's history holds Python floats", inputs=inputs,
           expected="Python floats", got=[type(v).__name__ for v in hist],
           hints=["accumulate float(loss) * batch size (a Python number), not the loss tensor."])
    return list(hist)


def _teacher_mode_hints(teacher):
    calls = teacher.calls
    return [
        Hint("the teacher ran in training mode (its dropout was on, so its targets were noisy): call "
             "teacher.eval() before computing its logits.", when=lambda g, w: any(c[0] or c[1] for c in calls)),
        Hint("train_student never called the teacher: the soft targets are the teacher's logits on X.",
             when=lambda g, w: not calls),
    ]


def _history_hints(n, want, s, t, y, T, alpha):
    """Mistakes whose history does not depend on the batches (lr = 0)."""
    s64, t64 = s.double(), t.double()
    defaults = float(_kd_oracle(s64, t64, y, 4.0, 0.9))
    ce = float(F.cross_entropy(s64, y))
    return [
        Hint("the history is n times too large: divide the summed loss (batch mean × batch size) by the number of "
             "examples.", when=lambda g, w: near(g[0], n * want, 1e-5, rel=True)),
        Hint(f"that is kd_loss with its default T = 4 and α = 0.9: pass train_student's T (= {T:g}) and alpha "
             f"(= {alpha:g}) on to kd_loss.", when=lambda g, w: (T, alpha) != (4.0, 0.9)
             and abs(defaults - want) > 1e-4 * (1 + want) and near(g[0], defaults, 1e-5, rel=True)),
        Hint("that is the plain cross-entropy with the labels: the loss is kd_loss(student(X_B), teacher_logits_B, "
             "y_B, T, alpha).", when=lambda g, w: alpha > 0 and abs(ce - want) > 1e-4 * (1 + want)
             and near(g[0], ce, 1e-5, rel=True)),
    ]


@pytest.mark.core("train_student")
def test_train_student_at_lr_zero_reports_the_kd_loss(kata):
    """lr = 0: every epoch's loss is kd_loss over the whole data set, with the teacher in eval mode"""
    cases = [  # (n, T, alpha, batch_size, num_epochs, seed)
        (50, 4.0, 0.9, 16, 2, 1),
        (45, 2.0, 0.3, 7, 3, 2),
        (30, 1.0, 1.0, 30, 1, 3),
        (37, 10.0, 0.5, 64, 2, 4),
    ]
    for n, T, alpha, bs, epochs, seed in cases:
        X, y = _toy_data(n, 100 + seed)
        teacher, student = _small_teacher(200 + seed), _small_student(300 + seed)
        s0 = _eval_logits(student, X)
        t_eval = _eval_logits(teacher, X)
        want = float(_kd64(s0, t_eval, y, T, alpha))
        inputs = {"X": f"({n}, {D_IN}) N(0, 1)", "y": f"({n},) in 0..{N_CLS - 1}",
                  "teacher": "6-16-ReLU-Dropout(0.5)-4, handed over in train mode", "student": "6-8-ReLU-4",
                  "T": T, "alpha": alpha, "lr": 0.0, "batch_size": bs, "num_epochs": epochs,
                  "generator": f"manual_seed({400 + seed})"}
        prop = ("train_student(..., lr=0) reports, every epoch, kd_loss over all n examples "
                "(Σ batch loss × batch size / n, the teacher in eval mode)")
        w0 = [p.detach().clone() for p in student.net.parameters()]
        hist = _train_call(kata, student, teacher, X, y, prop, inputs, T=T, alpha=alpha, num_epochs=epochs, lr=0.0,
                           batch_size=bs, generator=gen(400 + seed))
        moved = [name for (name, p), p0 in zip(student.net.named_parameters(), w0) if not torch.equal(p.detach(), p0)]
        expect(not moved, "with lr = 0 the student's parameters do not change", inputs=inputs,
               expected="the student's weights as they were", got=f"changed: {moved}",
               hints=["create the optimiser with the lr you are given: torch.optim.Adam(student.parameters(), lr=lr) "
                      "(Adam's default lr is 1e-3)."])
        teacher_ok = bool(teacher.calls) and not any(c[0] or c[1] for c in teacher.calls)
        hints = _teacher_mode_hints(teacher) + _history_hints(n, want, s0, t_eval, y, T, alpha) + [
            Hint("weight each batch's mean loss by its size: Σ loss_B·|B| / n (the last batch is smaller).",
                 when=lambda g, w: teacher_ok and n % bs != 0 and bool(((g - w).abs() < 0.2 * w.abs()).all()))]
        expect_close(torch.tensor(hist, dtype=torch.float64), torch.full((epochs,), want, dtype=torch.float64),
                     prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)


def _reference_run(student, teacher, X, y, T, alpha, lr, epochs, rule="adam", accumulate=False):
    """The graders' training: full batch, the teacher's eval-mode logits, Adam (torch.optim's rule) on the oracle
    loss; returns (history, final parameters)."""
    net = copy.deepcopy(student.net)
    t = _eval_logits(teacher, X)
    opt = Adam(net.parameters(), lr=lr)
    hist = []
    for _ in range(epochs):
        loss = _kd_oracle(net(X), t, y, T, alpha)
        if not accumulate:
            opt.zero_grad()
        loss.backward()
        if rule == "adam":
            opt.step()
        else:
            with torch.no_grad():
                for p in net.parameters():
                    p -= lr * p.grad
        hist.append(float(loss.detach()))
    return hist, [p.detach().clone() for p in net.parameters()]


@pytest.mark.core("train_student")
def test_train_student_with_one_batch_is_adam_on_kd_loss(kata):
    """one full batch per epoch (float64): the history and the trained student equal Adam(lr) on kd_loss"""
    cases = [(40, 3.0, 0.7, 0.05, 4, 1), (33, 1.0, 0.2, 0.02, 3, 2)]   # (n, T, alpha, lr, epochs, seed)
    for n, T, alpha, lr, epochs, seed in cases:
        X, y = _toy_data(n, 500 + seed, torch.float64)
        teacher, student = _small_teacher(600 + seed, torch.float64), _small_student(700 + seed, torch.float64)
        want_hist, want_params = _reference_run(student, teacher, X, y, T, alpha, lr, epochs)
        sgd_hist, _ = _reference_run(student, teacher, X, y, T, alpha, lr, epochs, rule="sgd")
        slow_hist, _ = _reference_run(student, teacher, X, y, T, alpha, 1e-3, epochs)
        acc_hist, _ = _reference_run(student, teacher, X, y, T, alpha, lr, epochs, accumulate=True)
        inputs = {"X": f"({n}, {D_IN}) N(0, 1), float64", "teacher": "6-16-ReLU-Dropout(0.5)-4 (train mode), float64",
                  "student": "6-8-ReLU-4, float64", "T": T, "alpha": alpha, "lr": lr, "num_epochs": epochs,
                  "batch_size": 64, "generator": f"manual_seed({800 + seed})"}
        prop = "with batch_size ≥ n, train_student is Adam(student.parameters(), lr) on kd_loss, one step per epoch"
        hist = _train_call(kata, student, teacher, X, y, prop, inputs, T=T, alpha=alpha, num_epochs=epochs, lr=lr,
                           batch_size=64, generator=gen(800 + seed))
        hints = _teacher_mode_hints(teacher) + [
            Hint("the first epoch is right but then the steps differ from Adam's: plain SGD steps? Use "
                 "torch.optim.Adam(student.parameters(), lr=lr).", when=lambda g, w: near(g, sgd_hist, 1e-7, rel=True)),
            Hint("those are Adam steps with lr = 1e-3 (Adam's default): pass lr=lr to the optimiser.",
                 when=lambda g, w: near(g, slow_hist, 1e-7, rel=True)),
            Hint("the gradients accumulate from step to step: call opt.zero_grad() before loss.backward().",
                 when=lambda g, w: near(g, acc_hist, 1e-7, rel=True)),
            Hint("record the loss of the batch the step is taken on (computed before opt.step()), not a loss "
                 "computed after the step.", when=lambda g, w: near(g[:-1], w[1:], 1e-7, rel=True))]
        expect_close(torch.tensor(hist, dtype=torch.float64), torch.tensor(want_hist, dtype=torch.float64), prop,
                     inputs=inputs, atol=1e-10, rtol=1e-9, hints=hints)
        got_params = [p.detach().clone() for p in student.net.parameters()]
        names = [name for name, _ in student.net.named_parameters()]
        for name, got, want in zip(names, got_params, want_params):
            expect_close(got, want, f"after training, the student's {name} equals Adam's", inputs=inputs, atol=1e-10,
                         rtol=1e-9, hints=hints)


def test_train_student_keeps_the_teacher_constant(kata):
    """the teacher runs in eval mode without autograd, stays in eval mode, and its parameters never change or get a .grad"""
    X, y = _toy_data(30, 901)
    teacher, student = _small_teacher(902), _small_student(903)
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    s_before = {k: v.clone() for k, v in student.state_dict().items()}
    inputs = {"X": f"(30, {D_IN}) N(0, 1)", "teacher": "6-16-ReLU-Dropout(0.5)-4, handed over in train mode",
              "student": "6-8-ReLU-4", "num_epochs": 2, "lr": 0.01, "batch_size": 8, "generator": "manual_seed(904)"}
    _train_call(kata, student, teacher, X, y, "train_student trains on a small problem", inputs, num_epochs=2,
                lr=0.01, batch_size=8, generator=gen(904))
    calls = teacher.calls
    expect(len(calls) > 0, "train_student computes the teacher's logits", inputs=inputs,
           expected="at least one forward pass of the teacher", got="the teacher was never called",
           hints=["the soft targets are the teacher's outputs: teacher(X) (under torch.no_grad(), in eval mode)."])
    after = teacher.state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    expect(not changed, "the teacher's parameters are bit-identical after training", inputs=inputs,
           expected="no teacher parameter changed", got=f"changed: {changed}",
           hints=["optimise the student only: torch.optim.Adam(student.parameters(), lr=lr)."])
    with_grad = [name for name, p in teacher.named_parameters() if p.grad is not None]
    expect(not with_grad, "no gradient reaches the teacher's parameters", inputs=inputs,
           expected="every teacher parameter's .grad is None", got=f".grad set on {with_grad}",
           hints=["compute the teacher's logits under torch.no_grad() (and detach them in kd_loss)."])
    expect(not any(c[0] or c[1] for c in calls), "every forward pass of the teacher runs in eval mode",
           inputs=inputs, expected="training=False in every teacher call",
           got=f"(teacher.training, some submodule training) per call: {[c[:2] for c in calls][:10]}",
           hints=["call teacher.eval() before using it: its Dropout must be off, or its soft targets are noise."])
    expect(not any(c[2] for c in calls), "the teacher runs without autograd (torch.no_grad())", inputs=inputs,
           expected="autograd off in every teacher call", got=f"grad enabled per call: {[c[2] for c in calls][:10]}",
           hints=["wrap the teacher's forward pass in `with torch.no_grad():` — its logits are constants and "
                  "recording a graph through the teacher wastes memory (and lets gradients reach it)."])
    expect(not teacher.training, "train_student leaves the teacher in eval mode", inputs=inputs,
           expected="teacher.training is False afterwards", got=f"teacher.training = {teacher.training}",
           hints=["do not switch the teacher back to train(); it is a fixed model."])
    s_calls = student.calls
    bad = [c for c in s_calls if c[2] and (not c[0] or not c[1])]
    expect(bool(s_calls) and not bad, "the student trains in train mode", inputs=inputs,
           expected="every student forward pass with autograd on runs in train mode",
           got=f"{len(bad)} of {len(s_calls)} training passes in eval mode" if s_calls else "the student never ran",
           hints=["call student.train() at the start of every epoch (an evaluation in eval mode must switch back)."])
    s_after = student.state_dict()
    expect(any(not torch.equal(s_before[k], s_after[k]) for k in s_before), "the student's parameters change",
           inputs=inputs, expected="trained weights", got="the student's weights are unchanged",
           hints=["step the optimiser over student.parameters() after loss.backward()."])


def test_train_student_uses_the_generator(kata):
    """equally seeded generators and identical students give identical histories and students; other seeds differ"""
    X, y = _toy_data(40, 951)
    inputs = {"X": f"(40, {D_IN}) N(0, 1)", "teacher": "6-16-ReLU-Dropout(0.5)-4", "student": "6-8-ReLU-4 (fresh, "
              "same weights each call)", "num_epochs": 2, "lr": 0.05, "batch_size": 8}

    def run(g):
        teacher, student = _small_teacher(952), _small_student(953)
        hist = _train_call(kata, student, teacher, X, y, "train_student(..., generator=g)", inputs, num_epochs=2,
                           lr=0.05, batch_size=8, generator=g)
        return hist, [p.detach().clone() for p in student.net.parameters()]

    expect_generator_used(run, "train_student's shuffles", inputs=inputs,
                          hints=["shuffle every epoch with torch.randperm(n, generator=generator) (and nothing else "
                                 "random)."])


# ------------------------------------------------------------------------------------------------ training check
T_HIDDEN, T_EPOCHS, T_LR = 128, 10, 3e-3
S_EPOCHS, S_BATCH, S_LR = 15, 128, 0.02
MIN_ACC, MIN_AGREE, MAX_KL_RATIO = 0.90, 0.90, 0.5
_TEACHERS: dict = {}


def _digits_teacher(seed):
    """The graders' teacher, trained once per seed and cached: 64-128-ReLU-Dropout(0.3)-128-ReLU-Dropout(0.3)-10."""
    if seed not in _TEACHERS:
        X, y, _, _ = digits_split()
        net = _seeded(nn.Sequential(nn.Linear(64, T_HIDDEN), nn.ReLU(), nn.Dropout(0.3), nn.Linear(T_HIDDEN, T_HIDDEN),
                                    nn.ReLU(), nn.Dropout(0.3), nn.Linear(T_HIDDEN, 10)), seed)
        opt = Adam(net.parameters(), lr=T_LR)
        g = gen(seed + 1)
        seed_global(seed + 2)                                             # the dropout masks
        for _ in range(T_EPOCHS):
            net.train()
            perm = torch.randperm(len(y), generator=g)
            for i in range(0, len(y), 64):
                idx = perm[i:i + 64]
                loss = F.cross_entropy(net(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        _TEACHERS[seed] = net
    return _TEACHERS[seed]


def _digits_student(seed):
    return _seeded(nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10)), seed)


@pytest.mark.weight(3)
def test_train_student_distils_the_digits(kata, stat_seed):
    """on the digits the distilled student is accurate (≥ 0.90), agrees with its teacher (≥ 0.90) and is ≥ 2× closer to it in KL than a hard-label student"""
    X, y, Xt, yt = digits_split()
    tnet = _digits_teacher(1000 * 1 + stat_seed)
    with torch.no_grad():
        t_test = tnet(Xt)                                                 # (449, 10), eval mode
    t_acc = float((t_test.argmax(1) == yt).double().mean())
    results = {}
    for alpha in (0.9, 0.0):
        teacher = RecordingNet(copy.deepcopy(tnet)).train()
        before = {k: v.clone() for k, v in teacher.state_dict().items()}
        student = _digits_student(1000 * 2 + stat_seed)
        inputs = {"data": f"digits, {len(y)} train / {len(yt)} test, pixels / 16",
                  "teacher": f"64-{T_HIDDEN}-ReLU-Dropout(0.3)-{T_HIDDEN}-ReLU-Dropout(0.3)-10 (test accuracy "
                             f"{t_acc:.3f}), handed over in train mode", "student": "64-16-ReLU-10",
                  "T": 4.0, "alpha": alpha, "num_epochs": S_EPOCHS, "lr": S_LR, "batch_size": S_BATCH,
                  "generator": f"manual_seed({1000 * 3 + stat_seed})"}
        hist = _train_call(kata, student, teacher, X, y, f"train_student on the digits (alpha = {alpha})", inputs,
                           num_epochs=S_EPOCHS, lr=S_LR, batch_size=S_BATCH, generator=stat_gen(3, stat_seed),
                           T=4.0, alpha=alpha)
        expect(not any(c[0] or c[1] or c[2] for c in teacher.calls) and bool(teacher.calls),
               "every forward pass of the teacher runs in eval mode without autograd", inputs=inputs,
               expected="(training, grad) = (False, False) in every teacher call",
               got=f"{[c[:3] for c in teacher.calls][:8]}",
               hints=["teacher.eval(), and its forward pass under torch.no_grad()."])
        after = teacher.state_dict()
        expect(all(torch.equal(before[k], after[k]) for k in before)
               and all(p.grad is None for p in teacher.parameters()),
               "the teacher's parameters are unchanged and gradient-free after training", inputs=inputs,
               expected="bit-identical teacher parameters, .grad None",
               got="the teacher changed or received gradients",
               hints=["optimise student.parameters() only, and run the teacher under torch.no_grad()."])
        student.eval()
        with torch.no_grad():
            s_test = student(Xt)
        acc = float((s_test.argmax(1) == yt).double().mean())
        agree = float((s_test.argmax(1) == t_test.argmax(1)).double().mean())
        kl = float(F.kl_div(F.log_softmax(s_test.double() / 4, 1), F.softmax(t_test.double() / 4, 1),
                            reduction="batchmean"))
        results[alpha] = (acc, agree, kl, hist, inputs)
    acc, agree, kl, hist, inputs = results[0.9]
    bad_loss = Hint("the training loss is NaN or inf: use F.log_softmax for the log-probabilities.",
                    when=lambda g, w: any(not math.isfinite(v) for v in hist))
    expect(acc >= MIN_ACC, f"the distilled student reaches ≥ {MIN_ACC} test accuracy", inputs=inputs,
           expected=f"≥ {MIN_ACC}", got=round(acc, 4), detail=f"training losses {[round(v, 4) for v in hist]}",
           hints=[bad_loss, Hint("the student does not learn: check the optimiser (Adam over student.parameters(), "
                                 "lr), zero_grad → backward → step every batch, and the loss kd_loss(student(X_B), "
                                 "teacher_logits_B, y_B, T, alpha).")])
    expect(agree >= MIN_AGREE, f"the distilled student agrees with the teacher's argmax on ≥ {MIN_AGREE} of the "
           "test digits", inputs=inputs, expected=f"≥ {MIN_AGREE}", got=round(agree, 4),
           hints=["the soft targets are the teacher's logits on the same examples as the student's: index both with "
                  "the same batch indices."])
    kl_hard = results[0.0][2]
    ratio = kl / kl_hard if kl_hard > 0 else math.inf
    expect(ratio <= MAX_KL_RATIO, "distillation brings the student close to its teacher: test KL(p_t ‖ p_s) at "
           f"T = 4 is ≤ {MAX_KL_RATIO} × that of the same student trained with alpha = 0", inputs=inputs,
           expected=f"ratio ≤ {MAX_KL_RATIO}", got=f"ratio {ratio:.3f} (KL {kl:.4f} distilled, {kl_hard:.4f} hard-label)",
           hints=["the distilled student is no closer to the teacher than one trained on the labels alone: pass T "
                  "and alpha on to kd_loss, and give it the teacher's logits of the batch (at the same temperature "
                  "for both)."])
