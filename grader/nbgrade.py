"""Inside a notebook kernel: the hidden part of every autograded test cell calls :func:`check`.

The first test cell of a notebook runs the module's graders (``tests/chN/test_<module>.py``, through pytest, the
same as ``pytest exercises/...``) on the notebook's namespace and caches the results; every test cell then passes
or raises :class:`KataCellFailure` with the learner-facing feedback. The failure is displayed without a traceback,
so the hidden cell's source never appears in the output (nbgrader issue #917).
"""
from __future__ import annotations

import itertools
import os
import tempfile
import types
from pathlib import Path

from grader import ROOT, catalogue, loader

_CACHE: dict[tuple, dict] = {}
_TOKENS = itertools.count()
_UNFINISHED: list[str] = []   # the first line of each of the student's cells that was stopped (autograde only)


class KataCellFailure(Exception):
    """A grader failed; the message is the feedback."""


def _fingerprint(ns: dict, module: str) -> tuple:
    ex = catalogue.load().by_module(module)
    names = ex.functions if ex else ()
    # the learner's functions and classes (catalogued or helpers they call), by identity: re-running a cell that
    # defines one changes it; a test cell, a print or a plot does not (IPython's input history is not part of the
    # key, so every test cell after the answers reads the one run of the module's graders)
    own = tuple(sorted((k, id(v)) for k, v in ns.items()
                       if not k.startswith("_") and (isinstance(v, type) or callable(v))
                       and getattr(v, "__module__", None) == "__main__"))
    return (id(ns), tuple(id(ns.get(n)) for n in names), own)


def run_graders(ns: dict, module: str, source: str | None = None, timeout: float = 10.0) -> dict:
    """Run ``module``'s graders on the namespace ``ns``: {test name: {"passed": bool, "feedback": str}}."""
    from hypothesis import configuration

    # hypothesis keeps a cache folder (.hypothesis/) in the working directory, which is the student's assignment
    # folder here: generate_feedback would copy it into every student's feedback. Keep it out of there.
    configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "katas-hypothesis")
    if source is None:
        source = "\n\n".join(ns.get("In", []) or [])
    token = f"nb{next(_TOKENS)}"
    mod = types.ModuleType(f"_kata.{token}.{module.removesuffix('.py').replace('/', '.')}")
    mod.__dict__.update({k: v for k, v in ns.items() if not k.startswith("__")})
    mod.__file__ = f"<notebook {module}>"
    for value in list(ns.values()):
        for obj in [value, *(vars(value).values() if isinstance(value, type) else ())]:
            code = getattr(obj, "__code__", None)
            if code is not None:
                loader.LEARNER_FILES.add(code.co_filename)
    loader.register_namespace(token, module, mod, source)
    runs = os.environ.get("KATAS_NBGRADE_RUNS")   # maintainers: a file that gets one line per run of the graders
    if runs:
        with open(runs, "a", encoding="utf-8") as f:
            f.write(f"{os.getcwd()}\t{module}\n")
    chapter, name = module.removesuffix(".py").split("/")
    from grader import runner
    result = runner.run([ROOT / "tests" / chapter / f"test_{name}.py"], tree=f"namespace:{token}",
                        extra=["-p", "no:xdist", "--capture=sys", f"--katas-timeout={timeout}"])
    if not result.ran:
        raise KataCellFailure("the graders could not run:\n" + result.output[-2000:])
    records = result.records
    from grader import scoring
    scoring.gate(records)
    # a cell passes when its test *earns* its points: a property that holds while a core test of the same function
    # fails does not pay (the feedback says which test to pass first)
    return {r.test.split("::", 1)[1]: {"passed": r.earned,
                                       "feedback": r.feedback or (scoring.gated_note(r) if r.gated_by else "")}
            for r in records}


def _show_without_traceback(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: the feedback only, never the (hidden) cell source. (IPython leaves the
    display to the handler: _showtraceback sends the error message, as showtraceback would.)"""
    stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def _install_display():
    try:
        ip = get_ipython()  # noqa: F821 - defined inside IPython
    except NameError:
        return
    ip.set_custom_exc((KataCellFailure,), _show_without_traceback)


def _note_unfinished(result) -> None:
    """IPython post_run_cell hook: remember a cell of the student's that was stopped (nbgrader interrupts a cell
    that runs past its limit: KeyboardInterrupt). Test cells (they call :func:`check`) do not count."""
    err = getattr(result, "error_in_exec", None)
    raw = getattr(getattr(result, "info", None), "raw_cell", "") or ""
    if isinstance(err, KeyboardInterrupt) and "nbgrade.check(" not in raw:
        first = next((ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
        _UNFINISHED.append(first[:80])


def watch_cells() -> None:
    """Run at the start of every kernel nbgrader's autograde starts (nbgrader_config.py: the kernel's exec_lines).
    A student's cell that never finishes (an endless loop at its top level) is stopped by nbgrader after the
    answer cells' limit; from then on every test cell of the notebook fails and says so. That is how the notebook
    is graded for marks too (``katas grade``: the same cell stops the notebook's load in the sandbox), so both
    paths give it the same grade: nothing, until every cell runs to its end."""
    try:
        ip = get_ipython()  # noqa: F821 - defined inside IPython
    except NameError:
        return
    ip.events.register("post_run_cell", _note_unfinished)


def check(ns: dict, module: str, test: str) -> None:
    """Pass silently, or raise KataCellFailure with the feedback of ``test`` on this notebook's code."""
    _install_display()
    if _UNFINISHED:
        from grader.i18n import N_, tr
        limit, first = os.environ.get("KATAS_GRADER_TIMEOUT", "10"), repr(_UNFINISHED[0])
        raise KataCellFailure("\n" + tr(N_(
            f"not graded: a cell of yours did not finish and was stopped after {limit} s (an endless loop at the top "
            f"level of a cell?): the cell that begins {first}. Every test of this notebook fails until each of your "
            f"cells runs to its end, as when the notebook is graded for marks.")))
    key = (module, _fingerprint(ns, module))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = run_graders(ns, module, timeout=float(os.environ.get("KATAS_GRADER_TIMEOUT", "10")))
    result = _CACHE[key].get(test)
    if result is None:
        raise KataCellFailure(f"grader {test} did not run (see the first failing cell)")
    if not result["passed"]:
        raise KataCellFailure("\n" + result["feedback"])
