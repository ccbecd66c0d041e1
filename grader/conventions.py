"""The course-wide conventions, graded by the engine on every call of learner code that goes through the seam.

CATALOGUE.md's conventions hold for every exercise, so no grader has to remember them:

* **inputs unchanged** — a function never changes the tensors it is given (top-level arguments and the tensors in
  list/tuple/dict arguments), unless its name ends in ``_`` (PyTorch's in-place convention) or its catalogue entry
  exempts it (``[exercise.exempt] sgd = ["inputs"]``);
* **dtype** — when every floating-point tensor it is given has one dtype, every floating-point tensor it returns has
  that dtype (float32 in → float32 out, float64 in → float64 out), unless exempted (``["dtype"]``);
* **device** — every tensor it returns lives on the device of its inputs; and because a grading machine has no GPU,
  the first call of each function in a test whose arguments are plain data is run once more with every tensor moved
  to the ``meta`` device (no data, no arithmetic): a result on the CPU there means the function allocates on the CPU
  (``torch.zeros(n)`` instead of ``torch.zeros(n, device=X.device)``). A function that cannot run on meta at all
  (``.item()``, data-dependent shapes, an op without a meta kernel) gets no verdict. Exempt with ``["device"]``.

A broken convention fails the test that made the call, with a message that names the convention, the function and
the argument. The checks run in the grading process on the grader's own copies (in process and sandboxed alike).
"""
from __future__ import annotations

import functools
import random

import torch

from grader.runtime import guard
from grader.check import KataFailure

_MAX_CLONE = 4_000_000      # elements cloned per call to detect in-place changes (bigger ones: version counter only)
_seen_this_test: set = set()  # (module, function) pairs whose meta re-run happened in the current test
_pending: list = []           # dtype/device failures of the current test, reported if the test passes otherwise


def new_test() -> None:
    """Called by the plugin before each test: the meta re-run happens once per function and test."""
    _seen_this_test.clear()
    _pending.clear()


def pending() -> "KataFailure | None":
    """The first dtype or device failure of the current test. These are reported only when the test's own checks
    pass (a wrong value is the first thing to fix); a changed input fails at once (it explains what follows)."""
    return _pending[0] if _pending else None


def _defer(failure: KataFailure) -> None:
    if not _pending:
        _pending.append(failure)


_ALL = frozenset({"inputs", "dtype", "device"})


@functools.cache
def exemptions(module: str) -> dict[str, frozenset]:
    """What the catalogue exempts, per function; a module outside the catalogue (the engine's own tests) has no
    conventions to keep."""
    from grader import catalogue
    ex = catalogue.load().by_module(module)
    if ex is None:
        return {"*": _ALL}
    return {k: frozenset(v) for k, v in (getattr(ex, "exempt", None) or {}).items()}


def _exempt(module: str, name: str, what: str) -> bool:
    table = exemptions(module)
    short = name.split(".")[-1]
    return what in table.get(name, ()) or what in table.get(short, ()) or what in table.get("*", ())


# ------------------------------------------------------------------------------------------------ walking values
def _tensors(value, where: str, depth: int = 0):
    """(where, tensor) for the tensors in a value: itself, or inside lists/tuples/dicts (two levels)."""
    if isinstance(value, torch.Tensor):
        yield where, value
    elif depth < 2 and isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _tensors(v, f"{where}[{i}]", depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for k, v in list(value.items())[:64]:
            yield from _tensors(v, f"{where}[{k!r}]", depth + 1)


_PARAMS: dict = {}   # code object -> positional parameter names


def _arg_names(fn, args, kwargs) -> list[str]:
    code = getattr(fn, "__code__", None)
    params = _PARAMS.get(code) if code is not None else None
    if params is None:
        import inspect
        try:
            params = [p.name for p in inspect.signature(fn).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
        if params and params[0] in ("self", "cls") and "." in getattr(fn, "__qualname__", ""):
            params = params[1:]
        if code is not None:
            _PARAMS[code] = params
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(len(args))]


class _quiet:
    """The engine's own tensor operations bypass the forbidden-call guard's modes (and any tensor subclass)."""

    def __enter__(self):
        self._f = torch._C.DisableTorchFunction()
        self._f.__enter__()
        self._d = None
        if torch._C._len_torch_dispatch_stack():
            from torch.utils._python_dispatch import _disable_current_modes
            self._d = _disable_current_modes()
            self._d.__enter__()
        return self

    def __exit__(self, *exc):
        if self._d is not None:
            self._d.__exit__(*exc)
        self._f.__exit__(*exc)
        return False


def _inputs(fn, args, kwargs, names=None):
    """The tensors among the arguments; an ``out`` argument is where a result goes (PyTorch's convention), not an
    input."""
    if names is None:
        names = _arg_names(fn, args, kwargs) if fn is not None else []
    names = [names[i] if i < len(names) else f"argument {i + 1}" for i in range(len(args))]
    for name, a in zip(names, args):
        if name != "out":
            yield from _tensors(a, name)
    for k, v in kwargs.items():
        if k != "out":
            yield from _tensors(v, k)


# ------------------------------------------------------------------------------------------------ the checks
class _Snapshot:
    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def snapshot(fn, args, kwargs, names=None) -> _Snapshot:
    items, budget = [], _MAX_CLONE
    with _quiet():
        for where, t in _inputs(fn, args, kwargs, names):
            saved = None
            if t.device.type != "meta" and t.numel() <= budget and t.layout == torch.strided:
                budget -= t.numel()
                saved = torch.Tensor.detach(t).clone()
            items.append((where, t, saved, _version(t), tuple(t.shape)))
    return _Snapshot(items)


def _version(t: torch.Tensor):
    try:
        return t._version
    except RuntimeError:   # inference tensors keep no version counter
        return None


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal shape, dtype and values (NaN equal to NaN); called under _quiet()."""
    a = torch.Tensor.detach(a)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point() or a.is_complex():
        return bool(((a == b) | (a.isnan() & b.isnan())).all())
    return torch.equal(a, b)


def _change_detail(t, saved, shape) -> str:
    if tuple(t.shape) != shape:
        return f"its shape changed from {shape} to {tuple(t.shape)}"
    if saved is None:
        return "it was written in place"
    try:
        with _quiet():
            diff = ~((torch.Tensor.detach(t) == saved) | (t.detach().isnan() & saved.isnan())) \
                if saved.is_floating_point() else torch.Tensor.detach(t) != saved
        n = int(diff.sum())
        idx = [int(i) for i in diff.nonzero()[0]] if n else []
        before = saved[tuple(idx)].item() if idx else None
        after = t.detach()[tuple(idx)].item() if idx else None
        return (f"{n} of {saved.numel()} value(s) changed; at index {idx}: {before:.6g} before your call, "
                f"{after:.6g} after" if idx and isinstance(before, float) else f"{n} value(s) changed")
    except Exception:  # noqa: BLE001
        return "its values changed"


def check_inputs(module: str, name: str, snap: _Snapshot) -> None:
    with _quiet():
        changed = [item for item in snap.items
                   if tuple(item[1].shape) != item[4]
                   or (not _same(item[1], item[2]) if item[2] is not None else _version(item[1]) != item[3])]
    if not changed:
        return
    where, t, saved, version, shape = changed[0]
    x = where if where.isidentifier() else "X"
    raise KataFailure(
        f"convention: `{name}` leaves its inputs unchanged (only functions whose name ends in `_` work in place)",
        inputs={where: saved if saved is not None else f"a {tuple(shape)} {str(t.dtype).replace('torch.', '')} tensor"},
        expected=f"{where} as it was given",
        got=f"your `{name}` changed its input {where} in place: {_change_detail(t, saved, shape)}",
        hints=[f"compute into new tensors: `{x} = {x} - m` makes a new tensor, while `{x} -= m`, `{x}[...] = …`, "
               f"`{x}.add_(…)`/`.clamp_()`/`.zero_()` or `out={x}` write into the caller's tensor. Clone first "
               f"(`{x} = {x}.clone()`) if you need a scratch copy."])


def check_result(module: str, name: str, inputs: list, result) -> None:
    """dtype and device of what a call returned, given its (where, tensor) inputs."""
    outs = list(_tensors(result, "result"))
    if not outs:
        return
    dtypes = {t.dtype for _, t in inputs if t.is_floating_point()}
    if len(dtypes) == 1 and not _exempt(module, name, "dtype"):
        want = next(iter(dtypes))
        for where, t in outs:
            if t.is_floating_point() and t.dtype != want:
                w, g = str(want).replace("torch.", ""), str(t.dtype).replace("torch.", "")
                return _defer(KataFailure(
                    f"convention: {w} in → {w} out (`{name}` returns its inputs' floating dtype)",
                    inputs={k: f"{tuple(v.shape)} {str(v.dtype).replace('torch.', '')}" for k, v in inputs[:4]},
                    expected=f"{where} of dtype {w}", got=f"{where} of dtype {g}",
                    hints=[f"a {g} result usually comes from a tensor made without a dtype "
                           f"(torch.tensor(...), torch.zeros(n), a Python float list) or from .double()/.float(): "
                           f"make new tensors with the input's dtype (X.new_zeros(...), torch.zeros_like(X), "
                           f"dtype=X.dtype)."]))
    devices = {t.device for _, t in inputs}
    if len(devices) == 1 and not _exempt(module, name, "device"):
        want = next(iter(devices))
        for where, t in outs:
            if t.device != want:
                return _defer(KataFailure(
                    f"convention: results live on the inputs' device (`{name}` works wherever its inputs are)",
                    inputs={k: f"{tuple(v.shape)} on {v.device}" for k, v in inputs[:4]},
                    expected=f"{where} on {want}" + (" (the graders' stand-in for a GPU)" if want.type == "meta"
                                                     else ""),
                    got=f"{where} on {t.device}",
                    hints=["allocate new tensors on the input's device: torch.zeros(..., device=X.device, "
                           "dtype=X.dtype), X.new_zeros(...), torch.zeros_like(X); a bare torch.zeros/torch.tensor/"
                           "torch.arange lands on the CPU."]))


# ------------------------------------------------------------------------------------------------ the meta re-run
# errors that say two devices met (a tensor made on the CPU inside a function given meta tensors); anything else a
# meta run raises means "cannot run on meta" and gives no verdict
_MIXED = ("is not on the expected device", "Expected all tensors to be on the same device",
          "found at least two devices", "indices should be either on cpu or on the same device")
_DATA = (type(None), bool, int, float, complex, str, torch.dtype, torch.device, torch.Size, slice, range)


def _plain_data(value, depth=0) -> bool:
    if isinstance(value, torch.Tensor):
        return type(value) in (torch.Tensor, torch.nn.Parameter) and value.layout == torch.strided
    if isinstance(value, _DATA):
        return True
    if depth < 3 and isinstance(value, (list, tuple)):
        return all(_plain_data(v, depth + 1) for v in value)
    if depth < 3 and isinstance(value, dict):
        return all(isinstance(k, (str, int)) and _plain_data(v, depth + 1) for k, v in value.items())
    return False


def _to_meta(value):
    if isinstance(value, torch.Tensor):
        m = torch.empty(value.shape, dtype=value.dtype, device="meta")
        if value.requires_grad and (m.is_floating_point() or m.is_complex()):
            m.requires_grad_(True)
        return m
    if isinstance(value, list):
        return [_to_meta(v) for v in value]
    if isinstance(value, tuple):
        items = [_to_meta(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: _to_meta(v) for k, v in value.items()}
    return value


_META_NUMEL = 4096   # meta kernels are slow Python: re-run small calls only (a long loop on a big input would take
                    # seconds); the first small call of each function in each test is the probe


def wants_meta_rerun(module: str, name: str, args, kwargs, inputs) -> bool:
    if (module, name) in _seen_this_test or _exempt(module, name, "device"):
        return False
    if not inputs or any(t.device.type == "meta" for _, t in inputs):
        return False
    if sum(t.numel() for _, t in inputs) > _META_NUMEL:
        return False
    return _plain_data(list(args)) and _plain_data(dict(kwargs))


def meta_rerun(module: str, name: str, call, args, kwargs, inputs) -> None:
    """Run ``call`` once more on meta copies of the arguments and check that what comes back stays on meta."""
    _seen_this_test.add((module, name))
    margs, mkwargs = _to_meta(list(args)), _to_meta(dict(kwargs))
    states = _rng_states()
    try:
        result = call(*margs, **mkwargs)
    except RuntimeError as e:   # a tensor of another device met the inputs: the function mixes devices
        text = str(e)
        if any(m in text for m in _MIXED):
            _defer(KataFailure(
                f"convention: results live on the inputs' device (`{name}` works wherever its inputs are)",
                inputs={k: f"{tuple(v.shape)} on meta (the graders' stand-in for a GPU)" for k, v in inputs[:4]},
                expected="a computation that stays on the inputs' device",
                got=f"on meta inputs your `{name}` failed: {text.splitlines()[0][:200]}",
                hints=["a tensor made without device= lives on the CPU: create new tensors on the input's device "
                       "(torch.zeros(..., device=X.device, dtype=X.dtype), X.new_zeros(...), torch.zeros_like(X))."]))
        return
    except Exception:  # noqa: BLE001 - cannot run on meta at all (.item(), data-dependent shapes): no verdict
        return
    finally:
        _set_rng_states(states)
    meta_inputs = list(_tensors(margs, "x")) + list(_tensors(mkwargs, "x"))
    check_result(module, name, [(w, m) for (w, _), (_, m) in zip(inputs, meta_inputs)], result)


def _rng_states():
    np = None
    try:
        import numpy as np
    except ImportError:
        pass
    return (torch.default_generator.get_state(), random.getstate(), np.random.get_state() if np else None)


def _set_rng_states(states):
    t, r, n = states
    torch.default_generator.set_state(t)
    random.setstate(r)
    if n is not None:
        import numpy as np
        np.random.set_state(n)


# ------------------------------------------------------------------------------------------------ one graded call
def graded_call(module: str, name: str, call, args, kwargs, *, fn=None, function: bool = True, names=None):
    """``call(*args, **kwargs)`` with the conventions checked around it. ``fn``: the learner's function, or
    ``names``: its positional parameter names (for the messages); ``function``: a module-level function (only
    those get the meta re-run)."""
    check_in = not name.split(".")[-1].endswith("_") and not _exempt(module, name, "inputs")
    snap = snapshot(fn, args, kwargs, names)
    with guard.watch():
        result = call(*args, **kwargs)
    inputs = [(w, t) for w, t, *_ in snap.items]
    if check_in:
        check_inputs(module, name, snap)
    check_result(module, name, inputs, result)
    if function and wants_meta_rerun(module, name, args, kwargs, inputs):
        meta_rerun(module, name, call, args, kwargs, inputs)
    return result

