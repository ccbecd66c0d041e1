"""The one way the graders are run: the pytest command line, in this process or in a process of their own.

``katas check``/``board`` (grader.cli), the in-kernel grading of a notebook (grader.nbgrade), the notebook builder's
test listing (grader.nbcourse) and the grading of a submission (grader.grading) all come here, so an option of the
plugin is passed the same way everywhere and the records come back as grader.records.Record.
"""
from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import ROOT
from grader.records import Record, load


def pytest_args(targets, *, tree=None, report=None, extra=()) -> list[str]:
    """The graders' command line: the targets, quiet, this clone's configuration, whatever the working directory."""
    args = [*map(str, targets), "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}", f"-c={ROOT / 'pyproject.toml'}"]
    if tree is not None:
        args.append(f"--katas-tree={tree}")
    if report is not None:
        args.append(f"--katas-report={report}")
    return args + [str(a) for a in extra]


@dataclass
class Run:
    records: list[Record] = field(default_factory=list)
    output: str = ""                 # what pytest printed (stdout and stderr)
    ran: bool = False                # the session ran to its end (records were written)
    returncode: int | None = None
    timed_out: bool = False          # isolated: killed after `budget` seconds
    sandbox_info: dict = field(default_factory=dict)
    log: bytes = b""                 # isolated: the process's output as it wrote it


class _Tap:
    """Takes the session's records (grader.seam.SessionState.results) once the plugin has gated them."""

    def __init__(self):
        self.records = None

    @staticmethod
    def _state(config):
        from grader import seam
        return seam.state(config)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if not hasattr(session.config, "workerinput"):
            self.records = self._state(session.config).results



def run(targets, *, tree=None, extra=(), isolated: bool = False, budget: float | None = None,
        env: dict | None = None, quiet: bool = True, warm: bool = False) -> Run:
    """Run the graders of ``targets`` (test files, or files of a tree the plugin maps to them).

    In this process (the default; a session inside another one keeps its own records), or ``isolated`` in a
    process of its own (a new session group, killed after ``budget`` seconds), which returns the records the
    process wrote and its log. ``warm`` (with ``isolated``): that process is forked from a warm one that has
    imported torch, pytest, hypothesis and the plugin and nothing else (see ``warm_up``), instead of starting
    Python afresh — the same process for the graders, without ~3 s of imports per submission."""
    if isolated:
        return _run_isolated(targets, tree=tree, extra=extra, budget=budget, env=env, warm=warm)
    tap = _Tap()
    sink = io.StringIO()
    out = contextlib.nullcontext() if not quiet else contextlib.redirect_stdout(sink)
    err = contextlib.nullcontext() if not quiet else contextlib.redirect_stderr(sink)
    with out, err:
        code = pytest.main(pytest_args(targets, tree=tree, extra=extra), plugins=[tap])
    return Run(records=list(tap.records or []), output=sink.getvalue(), ran=tap.records is not None,
               returncode=int(code))


def _clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "KATAS", "HYPOTHESIS"))}
    env["PYTHONHASHSEED"] = "0"
    return env


# What the warm process imports before it forks a grading process: the costly imports every grading session makes
# (torch alone is ~2.5 s of CPU), and no grader (tests/), no learner code, no session state.
WARM_IMPORTS = ["torch", "numpy", "hypothesis", "hypothesis.strategies", "pytest", "_pytest.python",
                "_pytest.junitxml", "grader.plugin", "grader.sandbox", "grader.check"]
_warm_ctx = None
_warm_lock = threading.Lock()


def warm_up():
    """Start the warm process (once per process; Linux and macOS: multiprocessing's ``forkserver``, a fresh
    interpreter started with the environment an isolated run gets, that imports WARM_IMPORTS and then forks one
    child per grading process). Each child is a copy of that pristine process: nothing of one submission's
    grading reaches the next. Returns the multiprocessing context, or None where there is no fork server."""
    global _warm_ctx
    with _warm_lock:
        if _warm_ctx is None:
            import multiprocessing
            from multiprocessing import forkserver
            if "forkserver" not in multiprocessing.get_all_start_methods():
                return None
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(WARM_IMPORTS)
            saved = dict(os.environ)
            try:
                os.environ.clear()
                os.environ.update(_clean_env())     # what a fresh `python -m pytest` of _run_isolated would get
                cwd = os.getcwd()
                os.chdir(ROOT)
                try:
                    forkserver.ensure_running()
                finally:
                    os.chdir(cwd)
            finally:
                os.environ.clear()
                os.environ.update(saved)
            _warm_ctx = ctx
        return _warm_ctx


def _pytest_child(args: list[str], log_path: str, env: dict):
    """In a child of the warm process: become what ``python -m pytest ARGS`` would be (a session of its own,
    this clone's root as working directory, the given environment, stdout and stderr to the log) and run."""
    os.setsid()
    if sys.platform.startswith("linux"):   # nothing outlives the batch: the warm process ends with it
        import ctypes
        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    os.chdir(ROOT)
    sys.path[:1] = [str(ROOT)]   # `python -m pytest` in ROOT: its first entry is ROOT (the batch's was its own cwd)
    os.environ.clear()
    os.environ.update(env)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 1
    try:
        code = int(pytest.main(args))
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def _run_isolated(targets, *, tree, extra, budget, env, warm=False) -> Run:
    with tempfile.TemporaryDirectory(prefix="katas-run-") as tmp:
        report = Path(tmp) / "records.json"
        args = pytest_args(targets, tree=tree, report=report, extra=extra)
        env = _clean_env() if env is None else env
        ctx = warm_up() if warm else None
        timed_out = False
        if ctx is not None:
            log_path = Path(tmp) / "log.txt"
            child = ctx.Process(target=_pytest_child, args=(args, str(log_path), env), daemon=False)
            child.start()
            child.join(budget)
            if child.exitcode is None:
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    child.kill()
                child.join()
                timed_out = True
            returncode = child.exitcode
            log = log_path.read_bytes() if log_path.exists() else b""
        else:
            proc = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                log, _ = proc.communicate(timeout=budget)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                log, _ = proc.communicate()
                timed_out = True
            returncode = proc.returncode
        result = Run(output=(log or b"").decode("utf-8", "replace"), returncode=returncode, timed_out=timed_out)
        if report.exists():
            result.records, result.ran = load(report), True
        info = Path(str(report) + ".sandbox.json")
        if info.exists():
            import json
            result.sandbox_info = json.loads(info.read_text(encoding="utf-8"))
        result.log = log or b""
        return result


def collect(test_file: Path) -> list[dict]:
    """The graders of one test file, in file order: [{"name", "title", "weight"}]."""
    from grader import feedback
    found: list[dict] = []

    class Collector:
        def pytest_collection_modifyitems(self, items):
            for item in items:
                found.append({"name": item.name, "title": feedback.test_title(item), "weight": feedback.weight(item)})

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        pytest.main(pytest_args([test_file], extra=["--collect-only"]), plugins=[Collector()])
    return found
