"""The pytest plugin: binds graders to a tree, guards forbidden calls, writes learner feedback and scores.

* ``pytest exercises/ch3`` is rewritten to ``pytest tests/ch3`` with the tree set to ``exercises`` (likewise
  ``solutions/...`` or any directory shaped like ``exercises/``). ``pytest tests/...`` grades ``solutions``.
* Tests reach learner code through one seam, the module-scoped ``kata`` fixture, which returns a proxy of the
  module under test (chosen from the test file's mirror path).
* ``--katas-selfcheck`` runs every grader against the solution, the fresh stub, every recorded correct alternative
  and every recorded buggy variant (``tests/variants/``): tests must pass on the solution and the alternatives,
  fail on the stub, and every buggy variant must be rejected by at least one test (with the recorded feedback).
"""
from __future__ import annotations

import contextlib
import json
import random
import re
import traceback
import types
from pathlib import Path

import pytest

from grader import ROOT, conventions, loader

RESULTS: list[dict] = []           # one record per graded test (controller side)
_SELFCHECK_SEEN: dict[tuple[str, str], list[str]] = {}   # (module, variant) -> feedback of failing tests
_SELFCHECK_RAN: set[tuple[str, str]] = set()
_SELFCHECK_REJECTING: dict[str, str] = {}   # "module variant" -> node id of the first test that rejected it as recorded


# ------------------------------------------------------------------------------------------------ options
def pytest_addoption(parser):
    g = parser.getgroup("katas", "d2l-katas grading")
    g.addoption("--katas-tree", default=None,
                help="tree under test: exercises, solutions or a directory shaped like them (default: from the "
                     "path arguments; solutions when grading tests/ directly)")
    g.addoption("--katas-variant", default="source",
                help="source (default), stub, mutant:NAME or alt:NAME (built from solutions/ and "
                     "tests/variants/, e.g. to read the feedback a buggy variant gets)")
    g.addoption("--katas-selfcheck", action="store_true",
                help="prove the graders can fail: solution passes, stub fails every test, every mutant is caught")
    g.addoption("--katas-report", default=None, help="write per-test results as JSON to this path")
    g.addoption("--katas-traceback", action="store_true", help="show full tracebacks (also implied by -v)")
    g.addoption("--katas-timeout", type=float, default=None,
                help="seconds a single grader may run before it fails as stuck (0: no limit; default 15 when "
                     "practising, 30 for the self-check and the sandbox). After one timeout the rest of the session "
                     "gets 2 s each, and a function that did not return twice is not run again, so one endless "
                     "loop costs about 17 s per function")
    g.addoption("--katas-seeds", type=int, default=1,
                help="run every statistical grader (those using the `stat_seed` fixture) under this many seeds "
                     "(scripts/flake_check.py); default 1: the fixed seed only")
    g.addoption("--katas-seed-base", type=int, default=0, help="the first seed for statistical graders (default 0)")
    g.addoption("--katas-only-variants", default=None,
                help="self-check: run only these variants (comma-separated, e.g. solution,alt:book,mutant:NAME; "
                     "scripts/flake_check.py runs the seeded pass on the variants no fixed-seed grader rejects)")
    g.addoption("--katas-rejections", default=None,
                help="self-check: write, for each buggy variant, the test that rejected it with its recorded feedback")
    g.addoption("--katas-only-rejecting", default=None,
                help="self-check: run each buggy variant only on the test recorded by --katas-rejections (the "
                     "sandboxed pass of `katas test`: the sandbox must reach the same verdict with the same feedback)")
    g.addoption("--katas-sandbox", action="store_true",
                help="run the learner's code in an isolated worker process (Landlock, no network, rlimits) and "
                     "decide pass/fail here from plain data; see docs/SANDBOX.md")
    g.addoption("--katas-sandbox-dir", default=None, help="scratch directory of the sandbox (default: a new temp dir)")
    g.addoption("--katas-memory", type=int, default=4096, help="sandbox: MiB of address space for learner code")
    g.addoption("--katas-cpu", type=int, default=900, help="sandbox: CPU seconds for the worker process")


def _graders_for_chapter(chapter_dir: Path) -> list[str]:
    """The graders of the modules present in a chapter directory of a tree (a partial submission is graded on
    what it has; the board counts missing modules as not started)."""
    tests = ROOT / "tests" / chapter_dir.name
    return [str(t) for t in sorted(tests.glob("test_*.py"))
            if (chapter_dir / t.name.removeprefix("test_")).exists()]


def _rewrite_arg(arg: str) -> tuple[list[str], Path | None]:
    """Map a path argument in a tree to the mirror graders in tests/. Returns (new args, tree or None)."""
    path_part, sep, rest = arg.partition("::")
    p = Path(path_part)
    if not (p.exists() or (ROOT / p).exists()):
        return [arg], None
    p = (p if p.is_absolute() else Path.cwd() / p).resolve()
    tests = ROOT / "tests"
    if p == ROOT or p.is_relative_to(tests) or p.is_relative_to(ROOT / "grader"):
        return [arg], None
    parts = p.parts
    from grader.catalogue import chapter_key, is_chapter
    idx = next((i for i in range(len(parts) - 1, -1, -1) if is_chapter(parts[i])), None)
    if idx is None:  # the tree itself
        chapters = sorted((d.name for d in p.iterdir() if d.is_dir() and is_chapter(d.name)), key=chapter_key)
        if not chapters:
            return [arg], None
        return [t for c in chapters for t in _graders_for_chapter(p / c)], p
    tree = Path(*parts[:idx])
    chapter = parts[idx]
    if idx == len(parts) - 1:
        return _graders_for_chapter(p), tree
    name = parts[idx + 1]
    target = tests / chapter / f"test_{name}"
    return [str(target) + (sep + rest if sep else "")], tree


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    if _bare_invocation(config):   # a bare `pytest` grades the learner's work, wherever in the clone it is typed
        config.args[:] = [str(ROOT / "exercises")]
    if not config.args:
        return None
    new_args, trees = [], set()
    for arg in config.args:
        mapped, tree = _rewrite_arg(arg)
        new_args.extend(mapped)
        if tree is not None:
            trees.add(tree)
    if len(trees) > 1:
        raise pytest.UsageError("grade one tree at a time: " + ", ".join(map(str, sorted(trees))))
    if trees:
        config.args[:] = new_args
        if config.option.katas_tree is None:
            config.option.katas_tree = str(trees.pop())
    return None


def _bare_invocation(config) -> bool:
    """`pytest` with no path: from the repository root pytest would run testpaths (tests/, the graders on the
    solutions and the engine suite); from another folder of the clone, that folder. A learner means exercises/."""
    source = getattr(config, "args_source", None)
    kinds = getattr(pytest.Config, "ArgsSource", None)
    if source is None or kinds is None:
        return False
    if source == kinds.TESTPATHS:
        return True
    if source == kinds.INVOCATION_DIR:
        cwd = Path(config.invocation_params.dir).resolve()
        inside = [ROOT / d for d in ("exercises", "solutions", "tests")]
        return cwd.is_relative_to(ROOT) and not any(cwd.is_relative_to(d) for d in inside)
    return False


def _sandbox_setup(config):
    """--katas-sandbox: the scratch directory (the only place the worker may write) holds pytest's tmp_path too,
    so files a grader writes for learner code to read (and files learner code writes) are reachable there."""
    import tempfile
    from grader import sandbox
    scratch = config.option.katas_sandbox_dir or tempfile.mkdtemp(prefix="katas-sandbox-")
    Path(scratch).mkdir(parents=True, exist_ok=True)
    extra_rw = []
    if not config.option.basetemp:
        config.option.basetemp = str(Path(scratch) / "pytest")
    else:   # pytest re-creates basetemp itself (a new inode): the worker gets its parent (e.g. under xdist)
        parent = Path(config.option.basetemp).resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        extra_rw.append(str(parent))
    sb = sandbox.Sandbox(Path(scratch), timeout=config.option.katas_timeout or 30.0,
                         memory=config.option.katas_memory << 20, cpu=config.option.katas_cpu, extra_rw=extra_rw)
    sb.own_scratch = config.option.katas_sandbox_dir is None
    sb.start()   # the worker imports torch while pytest collects
    config._katas_sandbox = sb
    global SANDBOXED
    SANDBOXED = True


def pytest_configure(config):
    config.addinivalue_line("markers", "weight(n): this test's share of the exercise's points (default 1)")
    config.addinivalue_line("markers", "hidden: a hidden test (results.json: visible only once published)")
    config.addinivalue_line("markers", "core(*names): this test checks the values of the learner functions it uses (or "
                                       "of `names`) against an oracle; the module's other tests that use a function "
                                       "pay only when every core test of that function passes")
    runs_tests = hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)
    if config.option.katas_sandbox and runs_tests and not hasattr(config, "_katas_sandbox"):
        _sandbox_setup(config)   # in the process that runs tests (an xdist worker, or the only process)
    from hypothesis import HealthCheck, Phase, settings
    common = dict(derandomize=True, database=None, deadline=None, print_blob=False, report_multiple_bugs=False,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors,
                                         HealthCheck.data_too_large, HealthCheck.filter_too_much])
    # no "explain" phase: it re-runs a failing example ~100 times to annotate it, which learners never see here
    settings.register_profile("katas", max_examples=40,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
                              **common)
    settings.register_profile("katas-selfcheck", max_examples=40,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate], **common)
    settings.load_profile("katas-selfcheck" if config.option.katas_selfcheck else "katas")
    if config.option.katas_tree is None:
        config.option.katas_tree = "solutions"
    if config.option.katas_timeout is None:
        config.option.katas_timeout = 30.0 if config.option.katas_selfcheck or config.option.katas_sandbox else 15.0
    on_solutions = loader.tree_path(config.option.katas_tree) == (ROOT / "solutions").resolve()
    if config.option.katas_selfcheck or config.option.katas_variant != "source":
        if not on_solutions:
            raise pytest.UsageError("--katas-selfcheck and --katas-variant work on solutions/ only")
    import gc

    import torch
    torch.set_num_threads(1)
    # torch and hypothesis leave ~10^6 long-lived objects: freezing them makes every later garbage collection
    # (hypothesis runs one before its first test, pytest one at exit) cheap. About 0.3-0.5 s per run.
    gc.collect()
    gc.freeze()
    from grader import console_safe
    console_safe()   # a GBK console: '?' for ✔ rather than a UnicodeEncodeError in the summary
    global _CHECK_PICKLE
    _CHECK_PICKLE = bool(config.option.katas_selfcheck)
    from grader import check
    practice = not (config.option.katas_selfcheck or config.option.katas_sandbox
                    or config.option.katas_variant != "source" or on_solutions)
    check.PICTURES["dir"] = ROOT / ".katas" / "pictures" if practice else None


# ------------------------------------------------------------------------------------------------ the seam
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
            from grader import catalogue
            ex = catalogue.load().by_module(self._relpath)
            if ex is None or name not in ex.functions:
                raise
            from grader.check import fail
            fail(f"the module defines `{name}`", expected=f"a top-level `{name}` in {self._relpath}",
                 got="no such name (was it renamed or deleted?)")
        if isinstance(obj, types.FunctionType):
            return LearnerFunction(obj, self._tree, self._relpath, self._variant)
        return obj

    def __repr__(self):
        return f"<kata {self._relpath} ({self._variant})>"


SANDBOXED = False      # set by --katas-sandbox: learner code runs in the worker (grader.sandbox)
_CHECK_PICKLE = False  # set by --katas-selfcheck: graders must pass only picklable arguments to learner code


class GraderBug(Exception):
    """A grader breaks one of the project's own conventions (not the learner's fault)."""


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


class NotStarted(BaseException):
    """An untouched stub function was called. A BaseException, so that hypothesis stops at once instead of
    shrinking an input that cannot matter."""


class LearnerFunction:
    """A learner function as graders see it: calling it tags any exception with the function's name (and turns an
    untouched stub into NotStarted). Picklable by reference (tree, module, variant, name), so graders may pass it
    back into learner code and a later sandbox can ship it to another process."""

    def __init__(self, fn, tree: str, relpath: str, variant: str):
        self.__wrapped__, self._where = fn, (tree, relpath, variant, fn.__name__)
        self.__name__, self.__qualname__, self.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__

    def __call__(self, *args, **kwargs):
        fn = self.__wrapped__
        if _CHECK_PICKLE:
            _check_picklable(fn.__name__, args, kwargs)
        hung = (self._where, fn.__code__)
        if len(_HUNG.get(hung, ())) >= 2:
            # it did not return in two earlier tests (the second with a 2 s limit): an endless loop costs two
            # deadlines per function, not one per test; a merely slow function keeps its chance on small inputs
            e = KataTimeout(_HUNG[hung][0] + f" (in earlier tests; `{fn.__name__}` is not run again until you "
                            "change it)")
            e._kata_call = fn.__name__
            raise e
        try:
            return conventions.graded_call(self._where[1], fn.__name__, fn, args, kwargs, fn=fn)
        except NotImplementedError as e:
            _raise_not_started(e)
            raise
        except KataTimeout as e:
            _HUNG.setdefault(hung, []).append(str(e).split(" (in earlier tests", 1)[0])
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
    """Learner code that raises NotImplementedError is not written yet (a stub, ours or nbgrader's: a bare
    ``raise NotImplementedError()``): stop at once. torch's own NotImplementedErrors (an op without a kernel for
    meta tensors, say) always carry a message: those are the learner's bugs, reported as such."""
    from grader.stubgen import STUB_MARK
    if STUB_MARK in str(e):
        raise NotStarted(str(e)) from None
    frames = _learner_frames(e.__traceback__)
    if frames and not str(e).strip():
        where = frames[-1].strip().splitlines()[0]
        raise NotStarted(f"{STUB_MARK} raises NotImplementedError ({where})") from None


def _stub_aware(fn):
    """Wrap a method that still contains a stub's raise, so that the stub raises NotStarted."""
    import functools

    @functools.wraps(fn)
    def method(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as e:
            _raise_not_started(e)
            raise
    method._katas_stub_aware = True
    return method


def _mark_stub_methods(mod: types.ModuleType) -> None:
    """Classes of the learner's module whose methods are still stubs: make those methods raise NotStarted (so that
    hypothesis stops at once instead of shrinking). Methods the learner wrote are left alone."""
    from grader.stubgen import STUB_MARK
    for cls in list(vars(mod).values()):
        if not isinstance(cls, type) or cls.__module__ != mod.__name__:
            continue
        for name, attr in list(vars(cls).items()):
            if isinstance(attr, types.FunctionType) and not getattr(attr, "_katas_stub_aware", False) and (
                    "NotImplementedError" in attr.__code__.co_names
                    or any(isinstance(c, str) and STUB_MARK in c for c in attr.__code__.co_consts)):
                setattr(cls, name, _stub_aware(attr))


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


def _module_of_test(path) -> str:
    p = Path(str(path)).resolve()
    rel = p.relative_to((ROOT / "tests").resolve())
    chapter, fname = rel.parts[0], rel.parts[-1]
    return f"{chapter}/{fname.removeprefix('test_')}"


def _variants(config, module: str) -> list[str]:
    if config.option.katas_selfcheck:
        from grader import catalogue
        ex = catalogue.load().by_module(module)
        variants = (["solution", "stub"] + [f"alt:{m}" for m in loader.mutants_of(module, "ALTERNATIVES")]
                + [f"mutant:{m}" for m in loader.mutants_of(module)]
                + [f"const:{f}" for f in (ex.functions if ex else ())])
        only = config.option.katas_only_variants
        if only:
            wanted = set(only.split(","))
            variants = [v for v in variants if v in wanted]
        return variants
    return [config.option.katas_variant]


@pytest.fixture(scope="session")
def stat_seed(request) -> int:
    """The seed a statistical grader derives its torch.Generator seeds from (fixed, so grading is deterministic;
    scripts/flake_check.py runs the graders under many seeds to show ~5σ bounds do not flake)."""
    return request.config.option.katas_seed_base


def pytest_generate_tests(metafunc):
    config = metafunc.config
    if "stat_seed" in metafunc.fixturenames and config.option.katas_seeds > 1:
        base = config.option.katas_seed_base
        metafunc.parametrize("stat_seed", [base + i for i in range(config.option.katas_seeds)],
                             ids=lambda s: f"seed{s}")
    if "kata" in metafunc.fixturenames and metafunc.config.option.katas_selfcheck:
        module = _module_of_test(metafunc.definition.path)
        variants = _variants(metafunc.config, module)
        metafunc.parametrize("kata", variants, indirect=True, scope="module", ids=variants)


@pytest.fixture(scope="module")
def kata(request):
    """The module under test, e.g. ``kata.softmax(X)``. The only way graders reach learner code."""
    module = _module_of_test(request.path)
    variant = getattr(request, "param", request.config.option.katas_variant)
    if variant == "solution":
        variant = "source"
    tree = request.config.option.katas_tree
    sb = getattr(request.config, "_katas_sandbox", None)
    if sb is not None:
        return _remote_kata(sb, module, tree, variant)
    mod = loader.load(module, tree, variant)
    from grader import forbid
    violations = {}
    rules = forbid.rules_for(module)
    if rules is not None:
        src = loader.namespace_source(tree) or "".join(__import__("linecache").getlines(mod.__file__))
        from grader import catalogue
        ex = catalogue.load().by_module(module)
        violations = forbid.scan(src, mod.__file__, rules, public=set(ex.functions) if ex else set())
    _mark_stub_methods(mod)
    _grade_methods(mod, module)
    tree_id = tree if str(tree).startswith("namespace:") else str(loader.tree_path(tree))
    return KataModule(mod, module, variant, violations, tree=tree_id)


def _remote_kata(sb, module, tree, variant):
    """The sandboxed seam: the learner's source is read (as text) and scanned here, and run in the worker."""
    from grader import catalogue, forbid
    from grader.sandbox import RemoteKata
    source, filename = loader.variant_source(module, tree, variant)
    # the name learner code runs under in the worker (and feedback shows): the same on every machine and run
    filename = module if variant == "source" else f"<{variant}>/{module}"
    ex = catalogue.load().by_module(module)
    violations = {}
    rules = forbid.rules_for(module)
    if rules is not None:
        violations = forbid.scan(source, filename, rules, public=set(ex.functions) if ex else set())
    return RemoteKata(sb, module, source, filename, variant, violations,
                      dict(ex.forbid) if ex and ex.forbid else None, dict(ex.forbid_why) if ex else None,
                      str(loader.tree_path(tree)))


# ------------------------------------------------------------------------------------------------ running
_SETTLED: set[tuple[str, str]] = set()   # (module, variant) whose verdict is known in this process (self-check)


def _variant_of(item) -> str:
    return str(getattr(getattr(item, "callspec", None), "params", {}).get("kata", ""))


def pytest_runtest_setup(item):
    if item.config.option.katas_selfcheck and item.config.option.katas_seeds == 1:   # flake_check needs every run
        variant = _variant_of(item)
        if variant.startswith(("mutant:", "const:")):
            module = _module_of_test(item.path)
            if (module, variant) in _SETTLED:   # rejected already (with the recorded feedback): no need to go on
                pytest.skip(f"{variant} is already rejected")
    import torch
    # the CPU generator only: torch.manual_seed would also queue CUDA seeding, which on a CUDA build without a GPU
    # formats a stack trace on every call (10-40 ms per test)
    torch.default_generator.manual_seed(0)
    random.seed(0)
    try:
        import numpy
        numpy.random.seed(0)
    except ImportError:
        pass


class KataTimeout(BaseException):
    """A grader ran past --katas-timeout (a BaseException, so hypothesis does not retry the input)."""


_TIMED_OUT = False
_HUNG: dict[tuple, list] = {}  # learner functions that ran past the limit here: (where, code) -> messages


def _timeout_message(seconds: float) -> str:
    return (f"stopped after {seconds:g} s: your code did not return (an endless loop? a loop whose condition never "
            f"becomes false, or a `while True` without a `break`)")


def _time_limit(config):
    """The practice-mode deadline of one test. POSIX: SIGALRM. Where there is none (Windows), or with
    KATAS_TIMER=thread (how the test suite runs the Windows path on Linux): a watchdog thread raises the same
    KataTimeout in the test's thread (PyThreadState_SetAsyncExc). Both stop Python code between two bytecodes; neither
    interrupts one long call into C, which the sandbox's SIGKILL does."""
    import os
    import signal
    import threading
    seconds = config.option.katas_timeout
    if not seconds:
        return contextlib.nullcontext()
    if _TIMED_OUT:
        seconds = min(seconds, 2.0)
    use_thread = (os.environ.get("KATAS_TIMER") == "thread" or not hasattr(signal, "setitimer")
                  or threading.current_thread() is not threading.main_thread())
    return _thread_limit(seconds) if use_thread else _alarm_limit(seconds)


@contextlib.contextmanager
def _alarm_limit(seconds):
    import signal

    def on_alarm(signum, frame):
        global _TIMED_OUT
        _TIMED_OUT = True
        raise KataTimeout(_timeout_message(seconds))
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _thread_limit(seconds):
    import ctypes
    import threading
    message = _timeout_message(seconds)
    # raised by class (the C API cannot pass arguments): a KataTimeout that knows its message
    timeout_cls = type("KataTimeout", (KataTimeout,), {"__init__": lambda self, *a: KataTimeout.__init__(self, message),
                                                      "__module__": __name__})
    target = ctypes.c_ulong(threading.get_ident())
    done, lock, fired = threading.Event(), threading.Lock(), []

    def watchdog():
        global _TIMED_OUT
        if done.wait(seconds):
            return
        with lock:
            if not done.is_set():
                _TIMED_OUT = True
                fired.append(True)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(timeout_cls))
    threading.Thread(target=watchdog, name="katas-deadline", daemon=True).start()
    try:
        yield
    finally:
        with lock:
            done.set()
            if fired:   # raised already, or still pending if the code returned just then: never deliver it later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    proxy = getattr(item, "funcargs", {}).get("kata")
    conventions.new_test()
    if _is_kata_proxy(proxy):
        used = set()
        object.__setattr__(proxy, "_used", used)
        item._katas_used = used
    sb = getattr(item.config, "_katas_sandbox", None)
    if sb is not None and proxy is not None:
        # learner code runs in the worker: the deadline is enforced there (SIGKILL), not with SIGALRM here
        sb.begin_test(seed=0)
        try:
            outcome = yield
        finally:
            sb.end_test()
        _report_conventions(outcome)
        return
    if isinstance(proxy, KataModule):
        from grader import forbid, guard
        rules = forbid.rules_for(proxy._relpath)
        guard.warm_meta()  # once per process, before the first deadline starts
        with _torch_state_kept(), _time_limit(item.config):
            if rules is not None:
                with forbid.Guard(rules):
                    outcome = yield
            else:
                outcome = yield
        _report_conventions(outcome)
        return
    yield


@contextlib.contextmanager
def _torch_state_kept():
    """Global torch state as it was before the test, whatever learner code did or a deadline interrupted (a timeout
    inside ``with torch.no_grad():`` left autograd off for the rest of an nbgrader kernel)."""
    import torch
    grad, dtype, threads = torch.is_grad_enabled(), torch.get_default_dtype(), torch.get_num_threads()
    try:
        yield
    finally:
        torch.set_grad_enabled(grad)
        if torch.get_default_dtype() != dtype:
            torch.set_default_dtype(dtype)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def _report_conventions(outcome) -> None:
    """A test whose own checks passed still fails on a dtype or device convention its learner calls broke."""
    failure = conventions.pending()
    if failure is not None and outcome.excinfo is None:
        outcome.force_exception(failure)


# ------------------------------------------------------------------------------------------------ feedback
def _test_title(item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if doc and doc.strip():
        return " ".join(doc.strip().splitlines()[0].split())
    name = getattr(item, "originalname", item.name)
    return name.removeprefix("test_").replace("_", " ")


def _learner_frames(tb) -> list[str]:
    out = []
    for fs in traceback.extract_tb(tb):
        if fs.filename in loader.LEARNER_FILES:
            shown = fs.filename
            try:
                shown = Path(fs.filename).resolve().relative_to(ROOT).as_posix()
            except ValueError:
                pass
            out.append(f"  {shown}, line {fs.lineno}, in {fs.name}\n      {fs.line or ''}".rstrip())
    return out


def _falsifying(exc) -> str | None:
    for note in getattr(exc, "__notes__", []) or []:
        if note.startswith("Falsifying example"):
            body = re.sub(r"\n\s*kata=[^\n]*", "", note)
            return body
    return None


def format_failure(excinfo, item) -> tuple[str, bool]:
    """(feedback text, is_stub) for a failed grader."""
    from grader.check import KataFailure
    from grader.forbid import ForbiddenCall
    from grader.stubgen import STUB_MARK
    exc = excinfo.value
    title = _test_title(item)
    lines = [title]
    is_stub = False
    if isinstance(exc, KataFailure):
        lines.append(exc.render())
    elif isinstance(exc, loader.LearnerImportError):
        lines.append(str(exc))
    elif isinstance(exc, ForbiddenCall):
        lines.append("forbidden call: " + str(exc))
    elif isinstance(exc, KataTimeout):
        lines.append(str(exc))
        lines.extend(_learner_frames(excinfo.tb)[-3:])
    elif type(exc).__name__ == "WorkerDied":
        lines.append(str(exc))
    elif isinstance(exc, (NotImplementedError, NotStarted)) and STUB_MARK in str(exc):
        is_stub = True
        what = str(exc).split(STUB_MARK, 1)[1].strip()
        if what.startswith("raises NotImplementedError"):
            lines.append(f"not started: your code {what}. Replace the raise with your implementation.")
        else:
            what = what.split(":")[0].strip()
            lines.append(f"not started: `{what.rsplit('.', 1)[-1]}` still raises NotImplementedError "
                         f"({what}). Replace the raise with your implementation.")
    else:
        frames = getattr(exc, "_kata_frames", None) or _learner_frames(excinfo.tb)
        call = getattr(exc, "_kata_call", None)
        if frames or call:
            who = f"your `{call}`" if call else "your code"
            lines.append(f"{who} raised {type(exc).__name__}: {exc}")
            if frames:
                lines.append("where (your code):")
                lines.extend(frames)
        else:
            lines.append(f"the grader raised {type(exc).__name__}: {exc}")
            lines.append("  (this happened in grader code, usually because a value your code returned has an "
                         "unexpected type or shape; run with -v for the full traceback)")
    fals = _falsifying(exc)
    if fals and not (isinstance(exc, KataFailure) and exc.inputs):
        lines.append(fals)
    return "\n".join(lines), is_stub


def _exercise_of(item) -> str | None:
    """The catalogued exercise module a test grades (None for the engine's own tests)."""
    from grader import catalogue
    try:
        module = _module_of_test(item.path)
    except ValueError:
        return None
    return module if catalogue.load().by_module(module) is not None else None


def _weight(item) -> float:
    m = item.get_closest_marker("weight")
    return float(m.args[0]) if m else 1.0


def pytest_collection_modifyitems(session, config, items):
    if config.option.katas_selfcheck:
        # a constant-answer variant runs only the core tests: every other test using the function is gated by them,
        # so it earns nothing exactly when a core test of the function rejects the constant
        keep, drop = [], []
        for item in items:
            variant = getattr(getattr(item, "callspec", None), "params", {}).get("kata", "")
            (drop if str(variant).startswith("const:") and item.get_closest_marker("core") is None else keep).append(item)
        if config.option.katas_only_rejecting:
            keep, drop = _only_rejecting(keep, drop, config.option.katas_only_rejecting)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
        items[:] = _core_tests_first(items)
    verbose = config.option.verbose > 0 or config.option.katas_traceback
    if verbose:
        return
    for item in items:
        if isinstance(item, pytest.Function) and _exercise_of(item) is not None:
            item.repr_failure = _learner_repr_failure(item)


def _only_rejecting(keep: list, drop: list, path: str) -> tuple[list, list]:
    """--katas-only-rejecting: a buggy variant runs only the test that rejected it in the plain pass (recorded by
    --katas-rejections); a variant with no record (new, or rejected nowhere) runs every test."""
    recorded = json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}
    kept, dropped = [], list(drop)
    for item in keep:
        variant = str(_variant_of(item))
        if variant.startswith("mutant:"):
            test = recorded.get(f"{_module_of_test(item.path)} {variant}")
            if test is not None and test != item.nodeid:
                dropped.append(item)
                continue
        kept.append(item)
    return kept, dropped


def _core_tests_first(items: list) -> list:
    """Within each run of one module's tests on one buggy variant, the core tests first (stable otherwise): most
    variants are rejected by a core test, and a rejected variant's remaining tests are skipped (_SETTLED), so the
    self-check runs fewer passing tests of a variant before its verdict. Solutions, stubs and alternatives keep the
    file order (they run every test anyway)."""
    out, run, key = [], [], None

    def flush():
        out.extend(sorted(run, key=lambda it: it.get_closest_marker("core") is None))
        run.clear()
    for item in items:
        variant = str(_variant_of(item))
        k = (str(item.path), variant) if variant.startswith("mutant:") else None
        if k != key or k is None:
            flush()
            key = k
        if k is None:
            out.append(item)
        else:
            run.append(item)
    flush()
    return out


def _learner_repr_failure(item):
    def repr_failure(excinfo, style=None):
        text, _ = _feedback(item, excinfo)
        return text
    return repr_failure


def _feedback(item, excinfo) -> tuple[str, bool]:
    """(feedback text incl. the hint footer, is_stub) — computed once per failure."""
    cached = getattr(item, "_katas_feedback", None)
    if cached is not None and cached[0] is excinfo.value:
        return cached[1]
    feedback, is_stub = format_failure(excinfo, item)
    module = _exercise_of(item)
    from grader import catalogue
    ex = catalogue.load().by_module(module) if module else None
    footer = ""
    if ex is not None and ex.hints and not is_stub and not isinstance(excinfo.value, loader.LearnerImportError):
        from grader import command
        footer = (f"\nstuck? `{command('hint ' + ex.id)}` reveals a hint ({len(ex.hints)} available); "
                  f"-v shows the full traceback")
    item._katas_feedback = (excinfo.value, (feedback + footer, is_stub))
    return feedback + footer, is_stub


def _once_per_module(config, module: str, text: str, exc: BaseException) -> str:
    """A module that cannot be imported fails every test the same way: the terminal shows the error once, then one
    line per test (the records keep the full text for results.json)."""
    if not isinstance(exc, loader.LearnerImportError):
        return text
    line = str(exc).splitlines()[0] if str(exc) else ""
    shown = config.stash.setdefault(_IMPORT_ERRORS_SHOWN, set())
    if (module, line) in shown:
        return f"{text.splitlines()[0]}\n{line.split(':', 1)[0]} (the error is shown above)"
    shown.add((module, line))
    return text


_IMPORT_ERRORS_SHOWN = pytest.StashKey[set]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    module = _exercise_of(item)
    if module is None:
        return
    config = item.config
    verbose = config.option.verbose > 0 or config.option.katas_traceback
    feedback, is_stub = "", False
    if report.failed and call.excinfo is not None:
        full, is_stub = _feedback(item, call.excinfo)
        feedback = full.split("\nstuck? `", 1)[0]
        if not verbose:
            report.longrepr = _once_per_module(config, module, full, call.excinfo.value)
    proxy = item.funcargs.get("kata") if hasattr(item, "funcargs") else None
    variant = proxy._variant if _is_kata_proxy(proxy) else config.option.katas_variant
    if report.when == "setup" and report.failed and hasattr(item, "callspec"):
        variant = item.callspec.params.get("kata", variant)
    if variant == "solution":
        variant = "source"
    raw_passed, raw_failed = report.passed, report.failed
    if config.option.katas_selfcheck and report.when in ("setup", "call"):
        _selfcheck_report(item, report, module, variant, feedback, call)
    if report.when == "call" or (report.when == "setup" and raw_failed):
        seed = item.callspec.params.get("stat_seed") if hasattr(item, "callspec") else None
        uses, core = _uses_and_core(item, module)
        report.user_properties.append(("katas", {
            "module": module, "variant": variant, "title": _test_title(item), "weight": _weight(item),
            "seed": seed, "passed": raw_passed, "not_started": is_stub, "feedback": feedback if raw_failed else "",
            "test": item.nodeid, "hidden": item.get_closest_marker("hidden") is not None,
            "uses": uses, "core": core,
        }))


def _uses_and_core(item, module) -> tuple[list[str], list[str]]:
    """(the catalogued learner functions the test reached through the seam, those it is a core test of)."""
    from grader import catalogue
    ex = catalogue.load().by_module(module)
    public = set(ex.functions) if ex else set()
    uses = sorted(n for n in getattr(item, "_katas_used", ()) if n in public)
    marker = item.get_closest_marker("core")
    if marker is None:
        return uses, []
    named = [str(a) for a in marker.args]
    for n in named:
        if n not in public:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.core({n!r}) names no function of {module}")
    return uses, (named or uses)


def _selfcheck_report(item, report, module, variant, feedback, call):
    if variant == "source" or report.skipped:
        return
    if variant.startswith("alt:"):  # a correct answer written differently: judged like the solution
        if report.failed and report.longrepr is not None:
            report.longrepr = f"[selfcheck] grader rejects the correct alternative {variant}:\n{report.longrepr}"
        return
    if report.when == "setup" and report.passed:
        return
    failed = report.failed
    if variant == "stub":
        if failed:
            report.outcome, report.longrepr = "passed", None
        else:
            report.outcome = "failed"
            report.longrepr = f"[selfcheck] this grader passes on the untouched stub of {module}: it cannot fail"
    else:  # mutant or constant answer: recorded, judged at the end of the session
        report.outcome, report.longrepr = "passed", None
        if failed:
            if variant.startswith("mutant:"):
                want = loader.mutants_of(module)[variant.split(":", 1)[1]].get("feedback")
                if not want or want.lower() in feedback.lower():
                    _SETTLED.add((module, variant))
                    report.user_properties.append(("katas_rejecting", {"module": module, "variant": variant,
                                                                        "test": item.nodeid}))
            elif item.get_closest_marker("core") is not None and variant.split(":", 1)[1] in \
                    _uses_and_core(item, module)[1]:
                _SETTLED.add((module, variant))   # a failing core test: everything using the function is gated
    report.user_properties.append(("katas_selfcheck", {"module": module, "variant": variant,
                                                       "rejected": failed, "feedback": feedback}))


# ------------------------------------------------------------------------------------------------ results
def pytest_runtest_logreport(report):
    for key, value in report.user_properties:
        if key == "katas":
            RESULTS.append(value)
        elif key == "katas_selfcheck" and value["variant"].startswith("mutant:"):
            k = (value["module"], value["variant"])
            _SELFCHECK_RAN.add(k)
            if value["rejected"]:
                _SELFCHECK_SEEN.setdefault(k, []).append(value["feedback"])
        elif key == "katas_rejecting":
            _SELFCHECK_REJECTING.setdefault(f"{value['module']} {value['variant']}", value["test"])


def _earned_problems(records: list[dict]) -> list[str]:
    """The self-check of "grades are earned": every catalogued function has a core test, and the constant-answer
    variant of each function fails one of them (so every test using it earns nothing)."""
    from grader import catalogue
    problems = []
    by_variant: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        by_variant.setdefault((r["module"], r["variant"]), []).append(r)
    for (module, variant), recs in sorted(by_variant.items()):
        if variant == "source":
            ex = catalogue.load().by_module(module)
            covered = {f for r in recs for f in r.get("core") or ()}
            for f in (ex.functions if ex else ()):
                if f not in covered:
                    problems.append(f"{module}: `{f}` has no core test (@pytest.mark.core): its other tests "
                                    f"would pay for a garbage answer")
        elif variant.startswith("const:"):
            f = variant.split(":", 1)[1]
            cores = [r for r in recs if f in (r.get("core") or ()) and f in (r.get("uses") or ())]
            if cores and all(r["passed"] for r in cores):   # one failing core test gates everything using f
                problems.append(f"{module}: a `{f}` that returns its first answer whatever it is given passes "
                                f"every core test of it {sorted({r['title'] for r in cores})}: use several inputs "
                                f"with different expected values")
            elif not cores:
                problems.append(f"{module}: no core test of `{f}` ran on its constant-answer variant")
    return problems


def _selfcheck_problems() -> list[str]:
    problems = []
    for module, variant in sorted(_SELFCHECK_RAN):
        name = variant.split(":", 1)[1]
        caught = _SELFCHECK_SEEN.get((module, variant))
        if not caught:
            problems.append(f"{module}: buggy variant '{name}' passes every grader")
            continue
        want = loader.mutants_of(module)[name].get("feedback")
        if want and not any(want.lower() in fb.lower() for fb in caught):
            problems.append(f"{module}: buggy variant '{name}' is rejected, but no feedback mentions {want!r}")
    return problems


def _is_kata_proxy(proxy) -> bool:
    from grader.sandbox import RemoteKata
    return isinstance(proxy, (KataModule, RemoteKata))


def pytest_unconfigure(config):
    sb = getattr(config, "_katas_sandbox", None)
    if sb is not None:
        sb.close()


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):
        return
    from grader import scoring
    scoring.gate(RESULTS)
    if config.option.katas_selfcheck:
        problems = _selfcheck_problems()
        earned = _earned_problems(RESULTS)
        config._katas_selfcheck_problems = problems
        config._katas_earned_problems = earned
        if (problems or earned) and session.exitstatus == 0:
            session.exitstatus = 1
    if config.option.katas_selfcheck and config.option.katas_rejections:
        Path(config.option.katas_rejections).write_text(json.dumps(dict(sorted(_SELFCHECK_REJECTING.items())),
                                                                   indent=1), encoding="utf-8")
    if config.option.katas_report:
        Path(config.option.katas_report).write_text(json.dumps(RESULTS, indent=1), encoding="utf-8")
        sb = getattr(config, "_katas_sandbox", None)
        if sb is not None:   # beside the report (outside the sandbox's reach), not in the scratch directory
            Path(str(config.option.katas_report) + ".sandbox.json").write_text(json.dumps(sb.info), encoding="utf-8")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput"):
        return
    tr = terminalreporter
    if config.option.katas_selfcheck:
        n = len(_SELFCHECK_RAN)
        problems = getattr(config, "_katas_selfcheck_problems", [])
        tr.section("katas self-check")
        tr.write_line(f"{n} recorded buggy variants run; {n - len(problems)} rejected with the expected feedback")
        for p in problems:
            tr.write_line("  FAIL " + p, red=True)
        earned = getattr(config, "_katas_earned_problems", [])
        consts = sorted({(r["module"], r["variant"]) for r in RESULTS if r["variant"].startswith("const:")})
        tr.write_line(f"{len(consts)} constant-answer variants run; {len(consts) - len(earned)} earn nothing"
                      if not earned else f"{len(earned)} problem(s) with earned points:")
        for p in earned:
            tr.write_line("  FAIL " + p, red=True)
        return
    graded = [r for r in RESULTS if r["variant"] == "source"]
    if not graded:
        return
    from grader import scoring
    tree = loader.tree_path(config.option.katas_tree)
    tr.section(f"katas: {tree.name}/")
    for line in scoring.summary_lines(scoring.score(graded)):
        tr.write_line(line)
    from grader import check
    for path, caption in check.PICTURES["kept"]:
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        tr.write_line(f"picture: {shown} — {caption}")
