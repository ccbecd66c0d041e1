"""Objects the graders of ch11/schedules.py pass into learner code: factor functions for ``lambda_decay``, schedules
for ``linear_warmup`` and ``plot_schedule`` to wrap (a schedule of the learner's own with its hyper-parameters bound,
or a simple closed form), and probes that run beside the learner's code and return what they saw as plain data (a
schedule's values over many steps in one call, a ReduceOnPlateau run, the calls ``plot_schedule`` made).

They run where the learner's code runs (the sandboxed worker, or the grading process). Visible to learners; no oracle
lives here: what the values are compared with is computed in tests/ch11/test_schedules.py.

Imports: the standard library only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import sys

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)


def _passes_through(e: BaseException) -> bool:
    """Exceptions a probe must not turn into data: a forbidden call, an untouched stub, a grader's own failure."""
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug", "LearnerImportError") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


class LearnerRaised(Exception):
    """The learner's code raised ``kind: message`` while the probe called it ``at`` (a description)."""

    def __init__(self, at="", kind="", message=""):
        super().__init__(at, kind, message)
        self.at, self.kind, self.message = at, kind, message

    def __str__(self):
        return f"{self.kind}: {self.message} (at {self.at})"


def _raised(at, e):
    if _passes_through(e):
        return e
    return LearnerRaised(str(at), type(e).__name__, str(e)[:300])


# ------------------------------------------------------------------------------------------------ callables
class Power:
    """The factor t ↦ base**t (for lambda_decay)."""

    def __init__(self, base):
        self.base = base

    def __call__(self, t):
        return self.base ** t

    def __repr__(self):
        return f"lambda t: {self.base} ** t"


class InvSqrt:
    """The factor t ↦ (t + 1) ** −½ (d2l §11.11's SquareRootScheduler, as a factor)."""

    def __call__(self, t):
        return (t + 1.0) ** -0.5

    def __repr__(self):
        return "lambda t: (t + 1) ** -0.5"


class Table:
    """The factor t ↦ values[t % len(values)]: a factor that is no closed form."""

    def __init__(self, values):
        self.values = list(values)

    def __call__(self, t):
        return self.values[t % len(self.values)]

    def __repr__(self):
        return f"lambda t: {self.values}[t % {len(self.values)}]"


class Geometric:
    """A schedule s ↦ lr · gamma**s (for linear_warmup and plot_schedule to call)."""

    def __init__(self, lr, gamma):
        self.lr, self.gamma = lr, gamma

    def __call__(self, s):
        return self.lr * self.gamma ** s

    def __repr__(self):
        return f"lambda s: {self.lr} * {self.gamma} ** s"


class Recording:
    """Wraps a callable and records the arguments it is called with (``calls``)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def __call__(self, t):
        self.calls.append(t)
        return self.fn(t)

    def __repr__(self):
        return repr(self.fn)


class Bound:
    """``fn(t, *args, **kwargs)``: one of the learner's schedules with its hyper-parameters bound (what
    ``functools.partial(fn, **kwargs)`` would be with t first)."""

    def __init__(self, fn, name, args=(), kwargs=None):
        self.fn, self.name, self.args, self.kwargs = fn, name, tuple(args), dict(kwargs or {})

    def __call__(self, t):
        return self.fn(t, *self.args, **self.kwargs)

    def __repr__(self):
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"lambda s: your {self.name}(s, {', '.join(parts)})"


# ------------------------------------------------------------------------------------------------ probes
def values_at(fn, ts, args=(), kwargs=None):
    """[fn(t, *args, **kwargs) for t in ts] as returned (any type); an exception becomes LearnerRaised with the t."""
    kwargs = kwargs or {}
    out = []
    for t in ts:
        try:
            out.append(fn(t, *args, **kwargs))
        except Exception as e:  # noqa: BLE001 - reported with the step index
            raise _raised(f"t = {t}", e) from None
    return out


def plateau_runs(cls, runs):
    """For each (init kwargs, metrics) in ``runs``: build ``cls(**kwargs)``, read ``lr``, then call ``step(m)`` for
    every metric and read ``lr`` after each. Returns [(lr before any step, [(returned, lr attribute), ...]), ...];
    an exception becomes LearnerRaised naming the run and the step."""
    out = []
    for i, (kwargs, metrics) in enumerate(runs):
        try:
            sched = cls(**kwargs)
        except Exception as e:  # noqa: BLE001
            raise _raised(f"run {i}: ReduceOnPlateau(**{kwargs})", e) from None
        try:
            first = getattr(sched, "lr", None)
        except Exception as e:  # noqa: BLE001
            raise _raised(f"run {i}: reading .lr before any step", e) from None
        steps = []
        for k, m in enumerate(metrics):
            try:
                ret = sched.step(m)
                steps.append((ret, getattr(sched, "lr", None)))
            except Exception as e:  # noqa: BLE001
                raise _raised(f"run {i}: step #{k} (metric {m!r})", e) from None
        out.append((first, steps))
    return out


def plot_probe(plot_schedule, lr_at, num_steps, path, title=None, as_path=False):
    """Calls ``plot_schedule(lr_at, num_steps, path, title)`` with ``lr_at`` recorded; returns (its result, the step
    indices lr_at was called with, the number of pyplot figures open before and after the call). ``as_path``: pass
    ``path`` as a ``pathlib.Path``."""
    import pathlib
    rec = Recording(lr_at)
    before = _open_figures()
    p = pathlib.Path(path) if as_path else str(path)
    try:
        result = plot_schedule(rec, num_steps, p, title) if title is not None else plot_schedule(rec, num_steps, p)
    except Exception as e:  # noqa: BLE001
        raise _raised(f"plot_schedule(lr_at, {num_steps}, {path!r})", e) from None
    return result, list(rec.calls), before, _open_figures()


def _open_figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return 0
    try:
        return len(plt.get_fignums())
    except Exception:  # noqa: BLE001
        return 0


__all__ = ["LearnerRaised", "Power", "InvSqrt", "Table", "Geometric", "Recording", "Bound", "values_at",
           "plateau_runs", "plot_probe"]
