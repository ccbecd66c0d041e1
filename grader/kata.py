"""The in-process seam: what a grader holds of the learner's module when learner code runs in the grading process
(``KataModule``; the sandboxed twin is grader.sandbox.RemoteKata). Functions are wrapped (``LearnerFunction``) so that
an untouched stub raises NotStarted, an exception remembers which call raised it, the course-wide conventions are
checked on every call (grader.conventions), and a function that did not return twice is not run again.
"""
from __future__ import annotations

import types

from grader import conventions, loader, seam
from grader.runtime import learner
from grader.seam import GraderBug, KataTimeout, NotStarted


def load(module: str, tree, variant: str):
    """The learner's ``module`` of ``tree`` (a variant of the solution in the self-check), imported here, scanned
    for forbidden calls and wrapped. A module that cannot be imported gives an ``Unimportable`` whose every use
    raises the import error: each test then fails (as in the sandbox, which imports on first use) instead of
    erroring in the fixture."""
    from grader import catalogue, forbid
    try:
        mod = loader.load(module, tree, variant)
    except seam.LearnerImportError as e:
        return Unimportable(module, variant, str(e))
    violations = {}
    rules = forbid.rules_for(module)
    if rules is not None:
        src = loader.namespace_source(tree) or "".join(__import__("linecache").getlines(mod.__file__))
        ex = catalogue.load().by_module(module)
        violations = forbid.scan(src, mod.__file__, rules, public=set(ex.functions) if ex else set())
    _mark_stub_methods(mod)
    _grade_methods(mod, module)
    tree_id = tree if str(tree).startswith("namespace:") else str(loader.tree_path(tree))
    return KataModule(mod, module, variant, violations, tree=tree_id)


class KataModule:
    """What a grader sees of the learner's module: attributes are looked up live; functions are wrapped so that
    an exception they raise remembers which call raised it; a function with a forbidden call fails on access."""

    def __init__(self, module: types.ModuleType, relpath: str, variant: str, violations: dict[str, list[str]],
                 tree: str = "exercises"):
        object.__setattr__(self, "_tree", str(tree))
        object.__setattr__(self, "_mod", module)
        object.__setattr__(self, "_relpath", relpath)
        object.__setattr__(self, "_variant", variant)
        object.__setattr__(self, "_violations", violations)
        object.__setattr__(self, "_used", set())   # names the current test reached (reset per test)

    def __getattr__(self, name):
        from grader.forbid import ForbiddenCall
        mod = object.__getattribute__(self, "_mod")
        self._used.add(name)
        if name in self._violations:
            raise ForbiddenCall("\n".join(self._violations[name]))
        try:
            obj = getattr(mod, name)
        except AttributeError:
            from grader.check import fail_if_catalogued
            fail_if_catalogued(self._relpath, name)
            raise
        if isinstance(obj, types.FunctionType):
            return LearnerFunction(obj, self._tree, self._relpath, self._variant)
        return obj

    def __repr__(self):
        return f"<kata {self._relpath} ({self._variant})>"


class Unimportable:
    """The learner's module when it cannot be imported (a syntax error, an exception at import time)."""

    def __init__(self, relpath: str, variant: str, message: str):
        object.__setattr__(self, "_relpath", relpath)
        object.__setattr__(self, "_variant", variant)
        object.__setattr__(self, "_message", message)
        object.__setattr__(self, "_used", set())

    def __getattr__(self, name):
        raise seam.LearnerImportError(self._message)

    def __repr__(self):
        return f"<kata {self._relpath} ({self._variant}), not importable>"


def _check_picklable(name, args, kwargs):
    """Graders may pass into learner code only what can travel to the sandboxed worker: plain data, tensors,
    objects of tests/shippable*.py — and objects learner code made (state of the learner's own class, handed back:
    in the sandbox those stay in the worker and travel as handles)."""
    import io
    import pickle

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            home = getattr(type(obj), "__module__", "") or ""
            if home.startswith("_kata.") or (isinstance(obj, type) and (obj.__module__ or "").startswith("_kata.")):
                return (str, ("a learner object",))
            return NotImplemented
    try:
        _Pickler(io.BytesIO()).dump((args, kwargs))
    except Exception as e:  # noqa: BLE001
        raise GraderBug(f"a grader passes an argument to `{name}` that cannot be pickled by reference ({e}); "
                        "use module-level functions and classes, never lambdas or closures") from None


class LearnerFunction:
    """A learner function as graders see it: calling it tags any exception with the function's name (and turns an
    untouched stub into NotStarted). Picklable by reference (tree, module, variant, name), so graders may pass it
    back into learner code and a later sandbox can ship it to another process."""

    def __init__(self, fn, tree: str, relpath: str, variant: str):
        self.__wrapped__, self._where = fn, (tree, relpath, variant, fn.__name__)
        self.__name__, self.__qualname__, self.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__

    def __call__(self, *args, **kwargs):
        fn = self.__wrapped__
        st = seam.active()
        if st.check_pickle:
            _check_picklable(fn.__name__, args, kwargs)
        hung = (self._where, fn.__code__)
        if len(st.hung.get(hung, ())) >= 2:
            # it did not return in two earlier tests (the second with a 2 s limit): an endless loop costs two
            # deadlines per function, not one per test; a merely slow function keeps its chance on small inputs
            e = KataTimeout(f"not run: your `{fn.__name__}` did not return in two earlier tests (last time: "
                            f"{st.hung[hung][-1]}); it is not run again until you change it")
            e._kata_call = fn.__name__
            raise e
        try:
            return conventions.graded_call(self._where[1], fn.__name__, fn, args, kwargs, fn=fn)
        except NotImplementedError as e:
            _raise_not_started(e)
            raise
        except KataTimeout as e:
            if not str(e).startswith("not run: "):
                st.hung.setdefault(hung, []).append(str(e))
            if getattr(e, "_kata_call", None) is None:
                e._kata_call = fn.__name__
            raise
        except BaseException as e:
            if getattr(e, "_kata_call", None) is None:
                try:
                    e._kata_call = fn.__name__
                except Exception:
                    pass
            raise

    def __reduce__(self):
        return (_learner_function, self._where)

    def __repr__(self):
        return f"<learner function {self.__name__} of {self._where[1]}>"


def _learner_function(tree, relpath, variant, name):
    return LearnerFunction(getattr(loader.load(relpath, tree, variant), name), tree, relpath, variant)


def _raise_not_started(e: NotImplementedError):
    """Learner code that raises NotImplementedError is not written yet (a stub, ours or nbgrader's): stop at once
    (grader.runtime.learner.stub_message decides, as it does in the sandboxed worker)."""
    msg = learner.stub_message(e, loader.LEARNER_FILES, loader.shown_path)
    if msg is not None:
        raise NotStarted(msg) from None


def _mark_stub_methods(mod: types.ModuleType) -> None:
    """Classes of the learner's module whose methods are still stubs: those methods raise NotStarted."""
    learner.mark_stub_methods(mod, loader.LEARNER_FILES, NotStarted, loader.shown_path)


_GRADED_DUNDERS = ("__call__", "__getitem__")


def _grade_methods(mod: types.ModuleType, module: str) -> None:
    """The methods of the learner's classes (forward, step, add, ...) get the course-wide conventions checked on
    every call, as module-level functions do through LearnerFunction (the sandbox checks them in Sandbox.invoke)."""
    import functools
    for cls in list(vars(mod).values()):
        if not isinstance(cls, type) or cls.__module__ != mod.__name__:
            continue
        for name, attr in list(vars(cls).items()):
            if not isinstance(attr, types.FunctionType) or getattr(attr, "_katas_graded", False) or (
                    name.startswith("__") and name not in _GRADED_DUNDERS):
                continue

            def method(self, *args, __fn=attr, __label=f"{cls.__name__}.{name}", **kwargs):
                return conventions.graded_call(module, __label, functools.partial(__fn, self), args, kwargs,
                                               fn=__fn, function=False)
            functools.update_wrapper(method, attr)
            method._katas_graded = True
            setattr(cls, name, method)

