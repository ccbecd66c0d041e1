"""Learner-facing checks for graders.

Every failed check raises :class:`KataFailure`, which carries the property in plain words, the (minimal) input,
expected vs got and a hint; the pytest plugin prints exactly that instead of a traceback into grader code.

    from grader.check import expect, expect_close, expect_raises, Hint

    expect_close(got, want, prop="each row of softmax(X) sums to 1", inputs={"X": X},
                 hints=[Hint("exp overflows ...", when=lambda got, want: got.isnan().any())])
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from grader import seam
from grader.i18n import N_
from grader.seam import GraderBug, LearnerImportError, Remote, RemoteModule


@dataclass
class Hint:
    """A hint shown when ``when(got, expected)`` is true (always when ``when`` is None)."""
    text: str
    when: Callable[[Any, Any], bool] | None = None

    def applies(self, got, expected) -> bool:
        if self.when is None:
            return True
        try:
            return bool(self.when(got, expected))
        except Exception:
            return False


class KataFailure(AssertionError):
    """A property of the exercise does not hold for the learner's code."""

    def __init__(self, prop: str, *, inputs: dict | None = None, expected: Any = None, got: Any = None,
                 detail: str | None = None, hints: list[str] | None = None, has_expected: bool = True):
        self.prop, self.inputs, self.expected, self.got = prop, inputs or {}, expected, got
        self.detail, self.hints, self.has_expected = detail, hints or [], has_expected
        self.labels = (N_("expected"), N_("got"))
        super().__init__(self.render())

    def render(self, lang: str = "en") -> str:
        """The feedback, in English (the exception's own text) or in ``lang`` (what the learner reads)."""
        from grader import i18n
        t = (lambda x: x) if lang == "en" else (lambda x: i18n.tr(x, lang))
        if lang != "en":
            i18n.note_missing([self.prop, self.detail, *self.hints, *self.labels,
                               *(v for v in (self.expected, self.got) if isinstance(v, str))])

        from rich.cells import cell_len

        def label(text, width=10):
            text = t(text) + ":"
            return text + " " * max(1, width - cell_len(text))

        lines = [label(N_("property")).rstrip() + " " + t(self.prop)]
        for i, (name, value) in enumerate(self.inputs.items()):
            lines.append(f"{label(N_('input')) if i == 0 else ' ' * 10}{name} = {show(value)}")
        if self.has_expected:
            width = max(10, *(cell_len(t(name)) + 2 for name in self.labels))
            lines.append(label(self.labels[0], width) + _shown(self.expected, t))
            lines.append(label(self.labels[1], width) + _shown(self.got, t))
        if self.detail:
            lines.append(label(N_("detail")) + t(self.detail))
        for h in self.hints:
            lines.append(label(N_("hint")) + t(h))
        return "\n".join(lines)


def _shown(value, t) -> str:
    return t(value) if isinstance(value, str) else show(value)


def show(value: Any, limit: int = 32) -> str:
    """A short, readable repr: small tensors in full, big ones summarised; always with shape and dtype."""
    if isinstance(value, torch.Tensor):
        t = value.detach()
        meta = f"shape {tuple(t.shape)}, {str(t.dtype).replace('torch.', '')}"
        if t.device.type != "cpu":
            meta += f", {t.device}"
        if t.numel() <= limit:
            with _printopts():
                body = " ".join(repr(t.cpu()).split())
            body = body.split(", dtype=")[0].split(", grad_fn=")[0].split(", requires_grad=")[0]
            body = body.removeprefix("tensor(").removesuffix(")")
            return f"{body}  ({meta})"
        flat = t.reshape(-1).cpu()
        head = ", ".join(_num(float(v)) if t.is_floating_point() else str(int(v)) for v in flat[:8])
        extra = ""
        if t.is_floating_point():
            ff = flat.double()
            finite = ff[ff.isfinite()]
            nan, inf = int(ff.isnan().sum()), int(ff.isinf().sum())
            if finite.numel():
                extra = f"; min {_num(float(finite.min()))}, max {_num(float(finite.max()))}"
            if nan or inf:
                extra += f"; {nan} NaN, {inf} inf"
        return f"[{head}, …]  ({meta}{extra})"
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and value and any(isinstance(v, torch.Tensor) for v in value):
        inner = ", ".join(show(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict) and any(isinstance(v, torch.Tensor) for v in value.values()):
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in value.items()) + "}"
    text = repr(value)
    return text if len(text) <= 400 else text[:400] + " …"


def _num(x: float) -> str:
    if math.isnan(x) or math.isinf(x):
        return str(x)
    return f"{x:.6g}"


@contextlib.contextmanager
def _printopts():
    old = torch._tensor_str.PRINT_OPTS
    saved = dict(precision=old.precision, threshold=old.threshold, edgeitems=old.edgeitems,
                 linewidth=old.linewidth, sci_mode=old.sci_mode)
    torch.set_printoptions(precision=6, threshold=1000, linewidth=10_000)
    try:
        yield
    finally:
        torch.set_printoptions(**saved)


def _hints(hints, got, expected) -> list[str]:
    out = []
    for h in hints or ():
        h = Hint(h) if isinstance(h, str) else h
        if h.applies(got, expected):
            out.append(h.text)
    return out


_UNSET = object()


@contextlib.contextmanager
def labelled(expected: str = "expected", got: str = "got"):
    """Name the two values a failed check inside shows, where "expected" would mislead: an invariance compares the
    learner's result with the learner's own result on other input (``labelled("your softmax(X)", "your
    softmax(X + c)")``)."""
    try:
        yield
    except KataFailure as e:
        e.labels = (expected, got)
        e.args = (e.render(),)
        raise


def fail(prop: str, *, inputs=None, expected=None, got=None, detail=None, hints=(), has_expected=True,
         hint_got=_UNSET, hint_expected=_UNSET):
    """Raise KataFailure. Hints' ``when`` see ``hint_got``/``hint_expected`` when given (the real values, where
    ``got``/``expected`` are descriptions such as "shape (3,)"), else ``got``/``expected``."""
    hg = got if hint_got is _UNSET else hint_got
    he = expected if hint_expected is _UNSET else hint_expected
    raise KataFailure(prop, inputs=inputs, expected=expected, got=got, detail=detail,
                      hints=_hints(hints, hg, he), has_expected=has_expected)


def fail_if_catalogued(relpath: str, name: str) -> None:
    """A name the learner's module lacks: when the catalogue lists it as one of the exercise's functions, the
    learner renamed or deleted it (a failed property); otherwise return, and the caller re-raises AttributeError."""
    from grader import catalogue
    ex = catalogue.load().by_module(relpath)
    if ex is not None and name in ex.functions:
        fail(N_(f"the module defines `{name}`"), expected=N_(f"a top-level `{name}` in {relpath}"),
             got=N_("no such name (was it renamed or deleted?)"))


def expect(cond: bool, prop: str, *, inputs=None, expected=None, got=None, detail=None, hints=(),
           has_expected: bool | None = None):
    """Fail with ``prop`` unless ``cond``."""
    if not cond:
        if has_expected is None:
            has_expected = expected is not None or got is not None
        fail(prop, inputs=inputs, expected=expected, got=got, detail=detail, hints=hints, has_expected=has_expected)


def scale_atol(*tensors, rel: float = 1e-6) -> float:
    """An absolute tolerance that scales with the inputs' magnitude: rel · (1 + max |input|)."""
    m = 0.0
    for t in tensors:  # non-finite entries do not widen the tolerance
        if isinstance(t, torch.Tensor) and t.numel():
            finite = t.detach().double().abs()
            finite = finite[finite.isfinite()]
            if finite.numel():
                m = max(m, float(finite.max()))
        elif isinstance(t, (int, float)) and math.isfinite(t):
            m = max(m, abs(float(t)))
    return rel * (1.0 + m)


def expect_tensor(got, prop: str, *, inputs=None, shape=None, dtype=None, hints=(), hint_expected=None):
    """``got`` is a tensor (of ``shape`` / ``dtype`` when given). Hints' ``when`` get (got, hint_expected)."""
    real = dict(hint_got=got, hint_expected=hint_expected)
    if not isinstance(got, torch.Tensor):
        fail(prop, inputs=inputs, expected=N_("a torch.Tensor") if shape is None else N_(f"a torch.Tensor of shape {tuple(shape)}"),
             got=f"{type(got).__name__}: {show(got)}", hints=hints, **real)
    if type(got) is not torch.Tensor and not isinstance(got, torch.nn.Parameter):
        fail(prop, inputs=inputs, expected=N_("a plain torch.Tensor"), got=N_(f"an instance of {type(got).__name__}"),
             hints=hints, **real)
    if shape is not None and tuple(got.shape) != tuple(shape):
        fail(prop, inputs=inputs, expected=N_(f"shape {tuple(shape)}"), got=N_(f"shape {tuple(got.shape)}"), hints=hints,
             detail=N_("the values cannot be compared until the shape is right"), **real)
    if dtype is not None and got.dtype != dtype:
        fail(prop, inputs=inputs, expected=N_(f"dtype {dtype}"), got=N_(f"dtype {got.dtype}"), hints=hints, **real)


def expect_close(got, expected, prop: str, *, inputs=None, atol: float | None = None, rtol: float = 1e-5,
                 hints=(), dtype=None, equal_nan: bool = False, check_dtype: bool = False):
    """``got`` ≈ ``expected`` elementwise: |got − expected| ≤ atol + rtol·|expected|.

    ``expected`` may be a tensor or a number. The default ``atol`` scales with ``expected``'s magnitude.
    NaN/inf in ``got`` where ``expected`` is finite get their own message (and the hints).
    """
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if isinstance(got, torch.Tensor):
            if got.numel() != 1:
                fail(prop, inputs=inputs, expected=N_(f"a single number ≈ {_num(float(expected))}"),
                     got=got, hints=hints, hint_expected=expected)
            g = float(got.detach())
        elif isinstance(got, (int, float)) and not isinstance(got, bool):
            g = float(got)
        else:
            fail(prop, inputs=inputs, expected=expected, got=f"{type(got).__name__}: {show(got)}", hints=hints,
                 hint_got=got)
        e = float(expected)
        tol = (atol if atol is not None else scale_atol(e)) + rtol * abs(e)
        if math.isinf(e) or math.isinf(g):
            ok = g == e
        else:
            ok = abs(g - e) <= tol or (equal_nan and math.isnan(g) and math.isnan(e))
        if not ok:
            fail(prop, inputs=inputs, expected=e, got=g, hints=hints,
                 detail=N_(f"|got − expected| = {_num(abs(g - e))} > tolerance {_num(tol)}"))
        return
    expected = torch.as_tensor(expected)
    expect_tensor(got, prop, inputs=inputs, shape=expected.shape, dtype=dtype if check_dtype else None,
                  hints=hints, hint_expected=expected)
    g = got.detach().to("cpu", torch.float64)
    e = expected.detach().to("cpu", torch.float64)
    tol = (atol if atol is not None else scale_atol(e)) + rtol * e.abs()
    bad_nonfinite = (~g.isfinite()) & e.isfinite()
    if bad_nonfinite.any():
        idx = tuple(int(i) for i in bad_nonfinite.nonzero()[0])
        fail(prop, inputs=inputs, expected=expected, got=got, hints=hints,
             detail=N_(f"got {g[idx].item()} at index {list(idx)} where {_num(e[idx].item())} was expected "
                       f"({int(bad_nonfinite.sum())} non-finite value(s))"))
    same = ((g - e).abs() <= tol) & e.isfinite()
    same |= (g == e)  # equal infinities (a non-finite expected value must be matched exactly)
    if equal_nan:
        same |= g.isnan() & e.isnan()
    if not bool(same.all()):
        diff = (g - e).abs().nan_to_num(nan=float("inf"))
        diff = torch.where(same, torch.zeros_like(diff), diff)
        flat = int(diff.reshape(-1).argmax()) if diff.numel() else 0
        idx = list(torch.unravel_index(torch.tensor(flat), diff.shape)) if diff.dim() else []
        idx = [int(i) for i in idx]
        n_bad, big = int((~same).sum()), _num(float(diff.reshape(-1)[flat]))
        there = _num(float(tol.broadcast_to(e.shape).reshape(-1)[flat]) if e.numel() else 0.0)
        detail = (N_(f"{n_bad} of {same.numel()} value(s) differ; largest |got − expected| = {big} at index {idx} "
                     f"(tolerance there {there})") if idx else
                  N_(f"{n_bad} of {same.numel()} value(s) differ; largest |got − expected| = {big} "
                     f"(tolerance there {there})"))
        fail(prop, inputs=inputs, expected=expected, got=got, hints=hints, detail=detail)


def expect_equal(got, expected, prop: str, *, inputs=None, hints=()):
    """Exact equality (tensors: same shape and values; other values: ==)."""
    if isinstance(expected, torch.Tensor):
        expect_tensor(got, prop, inputs=inputs, shape=expected.shape, hints=hints, hint_expected=expected)
        if not torch.equal(got.detach().cpu(), expected.detach().cpu().to(got.dtype)):
            fail(prop, inputs=inputs, expected=expected, got=got, hints=hints)
    elif not (type(got) in (type(expected), int, float) and got == expected):
        fail(prop, inputs=inputs, expected=expected, got=got, hints=hints)


def _passes_through(e: BaseException) -> bool:
    """Exceptions that speak for themselves (forbidden calls, import errors, grader bugs, failed checks)."""
    from grader.runtime.guard import ForbiddenCall
    return isinstance(e, (ForbiddenCall, LearnerImportError, KataFailure, GraderBug))


@contextlib.contextmanager
def expect_raises(exc_type, prop: str, *, inputs=None, match: str | None = None, hints=()):
    """The block must raise ``exc_type`` (and its message contain every string in ``match``)."""
    try:
        yield
    except exc_type as e:
        text = str(e)
        for needle in ([match] if isinstance(match, str) else (match or [])):
            if needle not in text:
                fail(prop, inputs=inputs, expected=N_(f"{exc_type.__name__} whose message mentions {needle!r}"),
                     got=f"{type(e).__name__}: {text}", hints=hints)
        return
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - a wrong exception type is a learner mistake to report
        if _passes_through(e):
            raise
        fail(prop, inputs=inputs, expected=N_(f"{exc_type.__name__} to be raised"),
             got=f"{type(e).__name__}: {e}", hints=hints)
    fail(prop, inputs=inputs, expected=N_(f"{exc_type.__name__} to be raised"), got=N_("no exception"), hints=hints)


# ------------------------------------------------------------------------------------------------ sandbox-aware
def is_instance(obj, cls) -> bool:
    """isinstance(obj, cls), also for a learner object that lives in the sandboxed worker (--katas-sandbox)."""
    if isinstance(obj, Remote):
        return obj._kata_isinstance(cls)
    return isinstance(obj, cls)


def is_subclass(obj, cls) -> bool:
    """issubclass(obj, cls) for a learner class, here or in the sandboxed worker (False if obj is no class)."""
    if isinstance(obj, Remote):
        return obj._kata_issubclass(cls)
    return isinstance(obj, type) and issubclass(obj, cls)


def type_name(obj) -> str:
    """The name of obj's type as the learner wrote it (also for objects in the sandboxed worker)."""
    if isinstance(obj, Remote):
        return obj._kata_type.rsplit(".", 1)[-1]
    return type(obj).__name__


def run_beside(kata, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in the process where the learner's code runs: here, or in the sandboxed worker.

    For graders that must observe a side effect of learner code in its own process (a matplotlib figure, a
    download attempt): ``fn`` is a probe from tests/shippable.py that calls the learner function it is given and
    returns what it saw as plain data. Under the sandbox the probe runs in the learner's process, so what it
    reports is only as trustworthy as the learner's own output; pass/fail is still decided here."""
    if isinstance(kata, RemoteModule):
        return kata._run(fn, *args, **kwargs)
    return fn(*args, **kwargs)


# where keep_picture copies pictures (set by the plugin for practice runs only) and what it kept in this process
PICTURES: dict = {"dir": None, "kept": []}


def keep_picture(path, name: str, caption: str) -> None:
    """Keep a picture the learner's code drew where the learner will look for it.

    Practice grading in-process (``pytest exercises/...``, ``katas check``) copies ``path`` to
    ``.katas/pictures/NAME`` and names it under the score at the end of the run; the self-check, buggy variants and
    sandboxed grading of a class keep nothing. Call it after the checks of the picture have passed."""
    import shutil
    from pathlib import Path
    target_dir = PICTURES["dir"]
    if target_dir is None or not Path(path).is_file():
        return
    target = Path(target_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    PICTURES["kept"] = [k for k in PICTURES["kept"] if k[0] != target] + [(target, caption)]


def keep_curves(name: str, caption: str, series: dict, xlabel: str = "epoch") -> None:
    """Draw training curves (``{"train_loss": [...], "test_acc": [...]}``, one value per epoch) the learner's code
    produced and keep the picture like :func:`keep_picture` (practice runs only: nothing is drawn otherwise)."""
    if PICTURES["dir"] is None or not isinstance(series, dict):
        return
    curves = {k: [float(v) for v in vs] for k, vs in series.items()
              if isinstance(vs, (list, tuple)) and vs and all(isinstance(v, (int, float)) for v in vs)}
    if not curves:
        return
    import tempfile
    from pathlib import Path

    from matplotlib.figure import Figure
    fig = Figure(figsize=(4.5, 3), dpi=100)
    ax = fig.add_subplot()
    for label, ys in curves.items():
        ax.plot(range(1, len(ys) + 1), ys, marker="o", label=label)
    ax.set_xlabel(xlabel)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        fig.savefig(path, format="png")
        keep_picture(path, name, caption)


def same_object(got, want) -> bool:
    """``got is want`` — or, when ``got`` came back from the sandboxed worker (where the learner's code holds a copy
    of what the grader passed in), the same kind of object with the same value: equal tensors (shape, dtype,
    values), or modules of the same type with the same repr and equal state_dict."""
    if got is want:
        return True
    if isinstance(want, torch.Tensor):
        return (isinstance(got, torch.Tensor) and _from_sandbox(got) and got.shape == want.shape
                and got.dtype == want.dtype and torch.equal(got.detach(), want.detach()))
    if isinstance(got, Remote) and isinstance(want, torch.nn.Module):
        if type_name(got) != type(want).__name__ or repr(got) != repr(want):
            return False
        theirs, ours = got.state_dict(), want.state_dict()
        return isinstance(theirs, dict) and list(theirs) == list(ours) and all(
            isinstance(theirs[k], torch.Tensor) and theirs[k].shape == v.shape and torch.equal(theirs[k], v)
            for k, v in ours.items())
    return False


def _from_sandbox(t) -> bool:
    """True when grading runs with the sandbox (values come back as copies, so identity cannot be asked)."""
    return seam.active().sandboxed
