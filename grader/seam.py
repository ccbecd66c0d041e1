"""The seam's vocabulary: what graders, the in-process seam (grader.kata), the sandbox (grader.sandbox), the feedback
(grader.feedback) and the self-check share, owned by none of them.

* the exceptions that cross the seam (a stub called, a deadline, the worker ended, an import error, a grader bug);
* the two kinds of handle a grader may hold to something that lives in another process (``Remote``: a learner object
  in the sandboxed worker; ``RemoteModule``: the learner's module there), so that ``grader.check`` asks the handle
  instead of importing the sandbox;
* the state of one grading session (``SessionState``), kept on the pytest config's stash.

This module imports nothing from grader/ but the learner-side runtime's text of an import error
(tests/engine/test_import_edges.py checks every module's edges).
"""
from __future__ import annotations

from dataclasses import dataclass, field


# ------------------------------------------------------------------------------------------------ exceptions
class GraderBug(Exception):
    """A grader breaks one of the project's own conventions (not the learner's fault)."""


class NotStarted(BaseException):
    """An untouched stub function was called. A BaseException, so that hypothesis stops at once instead of
    shrinking an input that cannot matter."""


class KataTimeout(BaseException):
    """A grader ran past --katas-timeout (a BaseException, so hypothesis does not retry the input)."""


class WorkerDied(BaseException):
    """The learner's code ended the sandboxed worker (a BaseException: hypothesis must not retry the input)."""


class LearnerImportError(Exception):
    """The learner's module could not be imported (syntax error, or an exception at import time)."""


from grader.runtime.learner import IMPORT_ERROR  # noqa: E402,F401  (how an import error's feedback begins, both sides)


def timeout_message(seconds: float, what: str = "your code") -> str:
    """The feedback of a deadline, the same in-process and in the sandbox."""
    from grader.i18n import N_
    return N_(f"stopped after {seconds:.3g} s: {what} did not return (an endless loop? a loop whose condition never "
              f"becomes false, or a `while True` without a `break`)")


# ------------------------------------------------------------------------------------------------ handles
class Remote:
    """A learner object that lives in the sandboxed worker (grader.sandbox.RemoteObject). Graders never see its
    value, only what it answers through these methods (grader.check's is_instance, type_name, same_object)."""

    __slots__ = ()

    def _kata_isinstance(self, cls) -> bool:
        raise NotImplementedError

    def _kata_issubclass(self, cls) -> bool:
        raise NotImplementedError

    @property
    def _kata_type(self) -> str:
        raise NotImplementedError


class RemoteModule:
    """The learner's module when it runs in the sandboxed worker (grader.sandbox.RemoteKata)."""

    def _run(self, fn, *args, **kwargs):
        """fn(*args, **kwargs) in the worker, beside the learner's code."""
        raise NotImplementedError


# ------------------------------------------------------------------------------------------------ session
@dataclass(eq=False)
class SessionState:
    """Everything one pytest session of the graders remembers, on ``config.stash[STATE]`` (never module globals: a
    session started inside another one — `katas check` inside pytest, the in-kernel grading of a notebook — has its
    own)."""

    sandboxed: bool = False              # --katas-sandbox: learner code runs in the worker
    check_pickle: bool = False           # --katas-selfcheck: graders pass only picklable arguments to learner code
    results: list = field(default_factory=list)          # one record per graded test (see grader.records)
    timed_out: bool = False              # a deadline fired: the rest of the session gets 2 s per test
    hung: dict = field(default_factory=dict)             # (where, code) of learner functions past the limit -> messages
    settled: set = field(default_factory=set)            # self-check: (module, variant) already rejected as recorded
    selfcheck_ran: set = field(default_factory=set)      # self-check: (module, mutant) that ran
    selfcheck_seen: dict = field(default_factory=dict)   # self-check: (module, mutant) -> feedback of rejections
    selfcheck_rejecting: dict = field(default_factory=dict)  # "module variant" -> node id that rejected it
    selfcheck_problems: list = field(default_factory=list)
    earned_problems: list = field(default_factory=list)
    import_errors_shown: set = field(default_factory=set)  # (module, first line) printed in full once
    only_functions: list = field(default_factory=list)   # `pytest x.py::softmax`: graded one function's tests
    sandbox: object = None               # the grader.sandbox.Sandbox of this process, if any


_STATE_KEY = None
_ACTIVE: list[SessionState] = []         # innermost last: for code that has no config at hand (a learner function)


def state_key():
    """The stash key of the session state (created on first use: this module does not import pytest)."""
    global _STATE_KEY
    if _STATE_KEY is None:
        import pytest
        _STATE_KEY = pytest.StashKey[SessionState]()
    return _STATE_KEY


def state(config) -> SessionState:
    """The session state of ``config`` (created on first use)."""
    key = state_key()
    st = config.stash.get(key, None)
    if st is None:
        st = config.stash[key] = SessionState()
    return st


def enter(st: SessionState) -> None:
    _ACTIVE.append(st)


def leave(st: SessionState) -> None:
    if st in _ACTIVE:
        _ACTIVE.remove(st)


def active() -> SessionState:
    """The state of the innermost running session (a fresh one outside any: a learner function called directly)."""
    return _ACTIVE[-1] if _ACTIVE else SessionState()
