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
        env: dict | None = None, quiet: bool = True) -> Run:
    """Run the graders of ``targets`` (test files, or files of a tree the plugin maps to them).

    In this process (the default; a session inside another one keeps its own records), or ``isolated`` in a
    process of its own (a new session group, killed after ``budget`` seconds), which returns the records the
    process wrote and its log."""
    if isolated:
        return _run_isolated(targets, tree=tree, extra=extra, budget=budget, env=env)
    tap = _Tap()
    sink = io.StringIO()
    out = contextlib.nullcontext() if not quiet else contextlib.redirect_stdout(sink)
    err = contextlib.nullcontext() if not quiet else contextlib.redirect_stderr(sink)
    with out, err:
        code = pytest.main(pytest_args(targets, tree=tree, extra=extra), plugins=[tap])
    return Run(records=list(tap.records or []), output=sink.getvalue(), ran=tap.records is not None,
               returncode=int(code))


def _run_isolated(targets, *, tree, extra, budget, env) -> Run:
    with tempfile.TemporaryDirectory(prefix="katas-run-") as tmp:
        report = Path(tmp) / "records.json"
        cmd = [sys.executable, "-m", "pytest", *pytest_args(targets, tree=tree, report=report, extra=extra)]
        if env is None:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "KATAS", "HYPOTHESIS"))}
            env["PYTHONHASHSEED"] = "0"
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        timed_out = False
        try:
            log, _ = proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            log, _ = proc.communicate()
            timed_out = True
        result = Run(output=(log or b"").decode("utf-8", "replace"), returncode=proc.returncode, timed_out=timed_out)
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
