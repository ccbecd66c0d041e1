"""Beside learner code: how it is told apart, how its stubs and import errors read, how its tensors are snapshot.

The same code in the grading process (grader.loader, grader.kata, grader.sandbox) and in the sandboxed worker
(worker.py, which gets this directory as it is): a change here is made once. Standard library and torch only.
"""
from __future__ import annotations

import functools
import os
import traceback
import types

STUB_MARK = "KATA-STUB"   # in every generated stub's NotImplementedError message: "not started" is recognised by it
IMPORT_ERROR = "could not import your "   # how the feedback of a module that cannot be imported begins
# (import_error_text spells it out inside N_() so that the catalogue's extraction sees the whole sentence)


def N_(text: str) -> str:
    """Marks an English text for the message catalogue (grader/i18n.py; the runtime imports nothing trusted)."""
    return text


def safe_str(e: BaseException, limit: int = 4000) -> str:
    """str(e), whatever the learner's exception does in __str__."""
    try:
        s = str(e)
    except BaseException:  # noqa: BLE001
        s = "<the exception could not be shown>"
    return s[:limit]


def import_error_text(e: BaseException, filename: str) -> str:
    """The feedback of a learner module that cannot be imported (a syntax error, or an exception at import)."""
    shown = os.path.basename(filename)
    if isinstance(e, SyntaxError):
        line = (e.text or "").rstrip()
        caret = " " * max(0, (e.offset or 1) - 1 - (len(e.text or "") - len((e.text or "").lstrip()))) + "^"
        return (N_(f"could not import your {shown}: SyntaxError at line {e.lineno}: {e.msg}") + "\n"
                f"      {line.strip()}\n      {caret}\n" + N_("Fix the syntax; until then no grader can run this module."))
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
    where = ""
    if frames:   # the top-level line that ran on import, and where it raised when that is inside a function
        top = next((f for f in frames if f.name == "<module>"), frames[0])
        where = f" (line {top.lineno}: {top.line}"
        if frames[-1] is not top:
            where += f"; raised in `{frames[-1].name}`, line {frames[-1].lineno}"
        where += ")"
    return (N_(f"could not import your {shown}: {type(e).__name__}: {safe_str(e)}{where}") + "\n"
            + N_("Code at the top level of the module runs on import; keep it to imports and definitions."))


def learner_frames(tb, learner_files) -> list[tuple[str, int, str, str]]:
    """(filename, line number, function, source line) of the traceback's frames that are learner code."""
    return [(fs.filename, fs.lineno, fs.name, (fs.line or "").strip())
            for fs in traceback.extract_tb(tb) if fs.filename in learner_files]


def stub_message(e: BaseException, learner_files, shown=lambda filename: filename) -> str | None:
    """The "not started" message of a NotImplementedError, or None when it is a real error. Not started: our stub's
    raise (it carries STUB_MARK), or a bare ``raise NotImplementedError()`` in learner code (nbgrader's stubs).
    torch's own NotImplementedErrors (an op without a kernel for meta tensors, say) always carry a message: those are
    the learner's bugs, reported as such."""
    if not isinstance(e, NotImplementedError):
        return None
    msg = safe_str(e)
    if STUB_MARK in msg:
        return msg
    frames = learner_frames(e.__traceback__, learner_files)
    if frames and not msg.strip():
        f = frames[-1]
        return f"{STUB_MARK} raises NotImplementedError ({shown(f[0])}, line {f[1]}, in {f[2]})"
    return None


def stub_aware(fn, learner_files, raise_stub, shown=lambda filename: filename):
    """Wrap a method that still contains a stub's raise, so that the stub raises ``raise_stub(message)``."""
    @functools.wraps(fn)
    def method(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as e:
            msg = stub_message(e, learner_files, shown)
            if msg is not None:
                raise raise_stub(msg) from None
            raise
    method._katas_stub_aware = True
    return method


def mark_stub_methods(mod: types.ModuleType, learner_files, raise_stub, shown=lambda filename: filename) -> None:
    """Classes of the learner's module whose methods are still stubs: make those methods raise
    ``raise_stub(message)`` (so that hypothesis stops at once instead of shrinking). Methods the learner wrote are
    left alone."""
    for cls in list(vars(mod).values()):
        if not isinstance(cls, type) or cls.__module__ != mod.__name__:
            continue
        for name, attr in list(vars(cls).items()):
            if isinstance(attr, types.FunctionType) and not getattr(attr, "_katas_stub_aware", False) and (
                    "NotImplementedError" in attr.__code__.co_names
                    or any(isinstance(c, str) and STUB_MARK in c for c in attr.__code__.co_consts)):
                setattr(cls, name, stub_aware(attr, learner_files, raise_stub, shown))


def tensor_snapshot(t) -> tuple:
    """What tells a changed tensor from an unchanged one without reading its values: version counter, storage,
    shape, dtype, requires_grad and its .grad (identity and version)."""
    g = t.grad if t.is_leaf else None
    try:
        ptr = t.data_ptr()
    except RuntimeError:
        ptr = 0
    return (t._version, ptr, tuple(t.shape), t.dtype, t.requires_grad,
            id(g) if g is not None else None, g._version if g is not None else None)
