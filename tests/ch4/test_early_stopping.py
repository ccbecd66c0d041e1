"""Graders for ch4/early_stopping.py (EarlyStopping).

Oracle: ``Reference`` below, a direct transcription of the catalogue's rules (0-based epochs, strict improvement by
more than min_delta, stop once the count of consecutive non-improving steps reaches patience), driven by
hypothesis-generated metric sequences. Metrics are multiples of 1/4 and min_delta ∈ {0, 1/4, 1/2, 1}: every
comparison is exact in floating point, and ties (metric = best − min_delta) are frequent, so strictness matters.
The same class with one rule broken replicates each classic mistake; when the learner's trace matches such a
replica, the failure names the mistake.

Traces are compared up to the reference's first True (what happens after a stop is not graded).
"""
import math

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, fail


# ----------------------------------------------------------------------------------------------- the oracle
class Reference:
    """The rules. The keyword flags replicate known mistakes (all False: the correct behaviour)."""

    def __init__(self, patience, min_delta=0.0, mode="min", *, ties=False, no_reset=False, one_based=False,
                 stop_late=False, ignore_mode=False, ignore_delta=False):
        self.patience, self.mode = patience, ("min" if ignore_mode else mode)
        self.min_delta = 0.0 if ignore_delta else min_delta
        self.ties, self.no_reset, self.one_based, self.stop_late = ties, no_reset, one_based, stop_late
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch, self.epoch, self.bad = -1, -1, 0

    def step(self, metric):
        self.epoch += 1
        if self.mode == "min":
            improved = metric <= self.best - self.min_delta if self.ties else metric < self.best - self.min_delta
        else:
            improved = metric >= self.best + self.min_delta if self.ties else metric > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch = metric, self.epoch + (1 if self.one_based else 0)
            if not self.no_reset:
                self.bad = 0
        else:
            self.bad += 1
        return self.bad > self.patience if self.stop_late else self.bad >= self.patience


MISTAKES = [
    (dict(ties=True), "improvement is strict: a metric equal to the best (minus min_delta) is not an improvement. "
                      "Use metric < best − min_delta (\"min\"), not <=."),
    (dict(no_reset=True), "reset the counter of non-improving steps to 0 whenever the metric improves: patience "
                          "counts consecutive bad epochs, not all of them."),
    (dict(one_based=True), "epochs count from 0: the first call of step is epoch 0 (keep an epoch counter starting "
                           "at −1 and increment it first, or count the steps made before this one)."),
    (dict(stop_late=True), "stop as soon as the count of consecutive non-improving steps reaches patience "
                           "(counter >= patience, not >): with patience 1, the first bad epoch stops."),
    (dict(ignore_mode=True), "in mode \"max\" higher is better: start from best = −inf and improve when "
                             "metric > best + min_delta."),
    (dict(ignore_delta=True), "an improvement must beat the best by more than min_delta: metric < best − min_delta "
                              "(\"min\") or metric > best + min_delta (\"max\")."),
]


def _trace(stopper_steps, metrics):
    """[(stop, best, best_epoch)] of a Reference run over metrics."""
    out = []
    for m in metrics:
        stop = stopper_steps.step(m)
        out.append((stop, stopper_steps.best, stopper_steps.best_epoch))
    return out


def _norm(row):
    stop, best, epoch = row
    try:
        return (stop, float(best), int(epoch))
    except (TypeError, ValueError):
        return (stop, best, epoch)


def _mistake_hints(args, metrics, got_trace):
    """The hints of the replicas whose trace equals the learner's (on the steps made so far)."""
    patience, min_delta, mode = args
    k = len(got_trace)
    want = _trace(Reference(patience, min_delta, mode), metrics[:k])
    out = []
    for flags, text in MISTAKES:
        bug = _trace(Reference(patience, min_delta, mode, **flags), metrics[:k])
        if bug != want and bug == [_norm(r) for r in got_trace]:
            out.append(text)
    return out


# ----------------------------------------------------------------------------------------------- helpers
QUARTERS = st.integers(0, 16).map(lambda k: k / 4)
MIN_DELTAS = st.sampled_from([0.0, 0.25, 0.5, 1.0])
MODES = st.sampled_from(["min", "max"])


def _as_float(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _make(kata, patience, min_delta, mode):
    return kata.EarlyStopping(patience, min_delta=min_delta, mode=mode)


def _describe(patience, min_delta, mode, metrics):
    return {"EarlyStopping": f"EarlyStopping(patience={patience}, min_delta={min_delta}, mode={mode!r})",
            "metrics passed to step": metrics}


def _run_against_reference(kata, patience, min_delta, mode, metrics):
    stopper = _make(kata, patience, min_delta, mode)
    ref = Reference(patience, min_delta, mode)
    got_trace = []
    for i, m in enumerate(metrics):
        want_stop = ref.step(m)
        stop = stopper.step(m)
        got_trace.append((stop, stopper.best, stopper.best_epoch))
        inputs = _describe(patience, min_delta, mode, metrics[:i + 1])
        hints = _mistake_hints((patience, min_delta, mode), metrics, got_trace)
        expect(isinstance(stop, (bool, torch.Tensor)) or stop in (0, 1), "step returns a bool", inputs=inputs,
               expected="True or False", got=stop)
        expect(bool(stop) == want_stop, f"step #{i} (epoch {i}) returns {want_stop}"
               + (" (stop: `patience` consecutive steps without improvement)" if want_stop else ""),
               inputs=inputs, expected=want_stop, got=stop, hints=hints)
        expect_close(stopper.best, float(ref.best), f"after step #{i}, best is the best metric so far",
                     inputs=inputs, atol=0, rtol=0, hints=hints + [
                         Hint("store the metric itself as best, not metric ± min_delta.",
                              when=lambda g, w: min_delta > 0 and abs(abs(g - w) - min_delta) < 1e-12)])
        expect_equal(stopper.best_epoch, ref.best_epoch, f"after step #{i}, best_epoch is the (0-based) epoch of "
                     "the best metric", inputs=inputs, hints=hints)
        if want_stop:
            break


# ----------------------------------------------------------------------------------------------- tests
def test_initial_state(kata):
    """before any step: best is +inf ("min") or −inf ("max"), best_epoch is −1, best_state is None"""
    for mode, best in [("min", math.inf), ("max", -math.inf)]:
        s = kata.EarlyStopping(3, mode=mode)
        inputs = {"EarlyStopping": f"EarlyStopping(patience=3, mode={mode!r})", "steps": "none yet"}
        expect(_as_float(s.best) == best, f"mode {mode!r}: best starts at {best}", inputs=inputs, expected=best,
               got=s.best, hints=[Hint("in mode \"max\" higher is better, so best starts at −inf (float('-inf')).",
                                       when=lambda g, w: mode == "max")])
        expect_equal(s.best_epoch, -1, "best_epoch starts at −1 (no epoch yet)", inputs=inputs)
        expect(s.best_state is None, "best_state starts as None", inputs=inputs, expected=None, got=s.best_state)
    s = kata.EarlyStopping(2)
    expect(_as_float(s.best) == math.inf, "the defaults are min_delta=0.0, mode='min': best starts at +inf",
           inputs={"EarlyStopping": "EarlyStopping(2)"}, expected=math.inf, got=s.best)


@pytest.mark.core("EarlyStopping")
@settings(max_examples=40)
@given(patience=st.integers(1, 4), min_delta=MIN_DELTAS, mode=MODES,
       metrics=st.lists(QUARTERS, min_size=1, max_size=14))
@example(patience=2, min_delta=0.0, mode="min", metrics=[1.0, 1.0, 1.0, 1.0])           # ties
@example(patience=2, min_delta=0.0, mode="min", metrics=[5.0, 6.0, 4.0, 6.0, 6.0])      # reset
@example(patience=1, min_delta=0.0, mode="min", metrics=[1.0, 2.0])                     # off by one
@example(patience=1, min_delta=0.0, mode="max", metrics=[1.0, 2.0, 3.0, 2.5])           # mode
@example(patience=1, min_delta=0.5, mode="min", metrics=[1.0, 0.75, 0.25])              # min_delta
@example(patience=1, min_delta=0.5, mode="max", metrics=[1.0, 1.5, 2.25])               # tie with min_delta
def test_matches_reference(kata, patience, min_delta, mode, metrics):
    """step's answers, best and best_epoch follow the rules on any metric sequence"""
    _run_against_reference(kata, patience, min_delta, mode, metrics)


@settings(max_examples=10)
@given(patience=st.integers(1, 3), min_delta=MIN_DELTAS, mode=MODES,
       gaps=st.lists(st.integers(1, 4), min_size=1, max_size=10))
def test_strictly_improving_never_stops(kata, patience, min_delta, mode, gaps):
    """a metric that improves by more than min_delta at every step never stops training"""
    sign = -1 if mode == "min" else 1
    metrics, m = [], 0.0
    for k in gaps:
        metrics.append(m)
        m += sign * (min_delta + k / 4)
    stopper = _make(kata, patience, min_delta, mode)
    for i, m in enumerate(metrics):
        inputs = _describe(patience, min_delta, mode, metrics[:i + 1])
        stop = stopper.step(m)
        expect(not stop, "a metric that improves at every step never stops training", inputs=inputs,
               expected=False, got=stop, hints=[
                   Hint("in mode \"max\" higher is better: improve when metric > best + min_delta.",
                        when=lambda g, w: mode == "max")])
        expect_equal(stopper.best_epoch, i, f"after step #{i} of a strictly improving run, best_epoch is {i}",
                     inputs=inputs, hints=[Hint("epochs count from 0: the first call of step is epoch 0.",
                                                when=lambda g, w: g == w + 1)])
        expect_close(stopper.best, m, f"after step #{i} of a strictly improving run, best is the last metric",
                     inputs=inputs, atol=0, rtol=0,
                     hints=["store the metric itself as best, not metric ± min_delta."])


class LiveNet:
    """A stand-in for a network: state_dict() returns its live tensors (as nn.Module's does); train() changes them
    in place."""

    def __init__(self):
        self.weight = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
        self.bias = torch.tensor([0.0, 1.0])

    def state_dict(self):
        return {"weight": self.weight, "bias": self.bias}

    def train(self):
        self.weight.add_(1.0)
        self.bias.mul_(-2.0).add_(0.5)


@settings(max_examples=15)
@given(patience=st.integers(1, 3), mode=MODES, metrics=st.lists(QUARTERS, min_size=1, max_size=10),
       with_state=st.booleans())
@example(patience=2, mode="min", metrics=[3.0, 1.0, 2.0, 2.0], with_state=True)
def test_best_state_is_a_deep_copy(kata, patience, mode, metrics, with_state):
    """best_state is a copy of the state_dict given at the best epoch, unchanged by later training"""
    net = LiveNet()
    stopper = _make(kata, patience, 0.0, mode)
    ref = Reference(patience, 0.0, mode)
    snapshots = []
    for i, m in enumerate(metrics):
        sd = net.state_dict()
        snapshots.append({k: v.clone() for k, v in sd.items()})
        stop = stopper.step(m, sd) if with_state else stopper.step(m)
        want_stop = ref.step(m)
        net.train()    # training goes on: the live tensors change in place
        inputs = {**_describe(patience, 0.0, mode, metrics[:i + 1]),
                  "state_dict": "net.state_dict() at every step (live tensors, changed in place after each step)"
                  if with_state else "not passed"}
        if not with_state:
            expect(stopper.best_state is None, "best_state stays None when no state_dict is passed", inputs=inputs,
                   expected=None, got=stopper.best_state)
        else:
            want = snapshots[ref.best_epoch]
            got = stopper.best_state
            prop = (f"after step #{i}, best_state equals the state_dict passed at the best epoch "
                    f"({ref.best_epoch}), as it was then")
            hints = [Hint("save a deep copy: copy.deepcopy(state_dict). The state_dict holds the live parameter "
                          "tensors, which later training changes in place; a dict(...) or .copy() copies only the "
                          "dict, not the tensors.", when=lambda g, w: isinstance(g, dict) and set(g) == set(w)
                          and all(isinstance(g[k], torch.Tensor) and torch.equal(g[k], t)
                                  for k, t in net.state_dict().items())),
                     Hint("update best_state only when the metric improves (strictly, by more than min_delta: a "
                          "tie is not an improvement).",
                          when=lambda g, w: isinstance(g, dict) and set(g) == set(w)
                          and any(all(isinstance(g[k], torch.Tensor) and torch.equal(g[k], s[k]) for k in s)
                                  for j, s in enumerate(snapshots) if j != ref.best_epoch))]
            if not isinstance(got, dict) or set(got) != set(want):
                fail(prop, inputs=inputs, expected=f"a dict with keys {sorted(want)}", got=got, hints=hints)
            same = all(isinstance(got[k], torch.Tensor) and got[k].shape == want[k].shape
                       and torch.equal(got[k], want[k]) for k in want)
            expect(same, prop, inputs=inputs, expected=want, got=dict(got), hints=hints)
        if want_stop:
            break


def test_unknown_mode_raises(kata):
    """EarlyStopping(..., mode=...) raises ValueError for a mode other than "min" or "max\""""
    for mode in ["maximum", "MIN", "loss"]:
        with expect_raises(ValueError, "an unknown mode raises ValueError",
                           inputs={"EarlyStopping": f"EarlyStopping(2, mode={mode!r})"},
                           hints=["check the argument in __init__: if mode not in ('min', 'max'): raise "
                                  "ValueError(...)."]):
            kata.EarlyStopping(2, mode=mode)
