"""A Gradescope autograder package: ``katas course gradescope --assignment ch3 --out ch3-autograder.zip``.

The zip holds what grading needs and nothing a student could use: the engine (``grader/``), the graders
(``tests/`` without the buggy variants, the adversarial corpus and the engine's own tests), ``pyproject.toml`` and a
``requirements.txt`` pinned to the versions this machine grades with; never ``solutions/``. Gradescope runs
``setup.sh`` once when it builds the image and ``run_autograder`` for every submission: the student's files (a
folder shaped like ``exercises/``, loose module files such as ``losses.py``, or the course's notebooks) are graded
sandboxed (``katas grade``) and ``results.json`` lands in ``/autograder/results/``. ``KATAS_AUTOGRADER_ROOT``
(default ``/autograder``) and ``KATAS_PYTHON`` let the test suite run the same script on a simulated layout.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

from grader import ROOT, catalogue

LEFT_OUT = ("tests/variants", "tests/adversarial", "tests/engine")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu, with internet).
set -euo pipefail
cd /autograder/source
if ! python3 -m venv --help >/dev/null 2>&1; then apt-get update && apt-get install -y python3-venv; fi
python3 -m venv .venv
.venv/bin/python -m pip install --upgrade pip
# CPU wheels of torch: Gradescope's machines have no GPU
.venv/bin/python -m pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
.venv/bin/python -m pip install --no-deps -e .
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: the student's files are in $ROOT/submission, the results go to
# $ROOT/results/results.json (Gradescope's format, written by `katas grade`).
set -uo pipefail
ROOT="${{KATAS_AUTOGRADER_ROOT:-/autograder}}"
cd "$ROOT/source"
PY="${{KATAS_PYTHON:-$ROOT/source/.venv/bin/python}}"
exec "$PY" -m grader.gradescope run --root "$ROOT" --timeout {timeout:g} {assignment}
"""


def _requirements() -> str:
    """pyproject's dependencies pinned to the installed versions (a local tag such as +cu128 dropped)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        specs = tomllib.load(f)["project"]["dependencies"]
    names = [re.match(r"[A-Za-z0-9_.\-]+", spec).group(0) for spec in specs]
    lines = []
    for name in names:
        try:
            lines.append(f"{name}=={metadata.version(name).split('+', 1)[0]}")
        except metadata.PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"


def build(out: Path, assignment: list[str], timeout: float = 30.0) -> Path:
    """The autograder zip for ``assignment``; ``timeout``: seconds per test for the learner's code (katas grade's
    --timeout)."""
    from grader.grading import assignment_modules
    assignment_modules(assignment)   # fails on an unknown name before anything is written
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = [ROOT / "pyproject.toml", ROOT / "conftest.py", ROOT / "katas.py"]
    for folder in ("grader", "tests"):
        for p in sorted((ROOT / folder).rglob("*")):
            rel = p.relative_to(ROOT).as_posix()
            if p.is_file() and "__pycache__" not in p.parts and not rel.startswith(LEFT_OUT):
                files.append(p)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for p in files:
            if p.exists():
                z.write(p, p.relative_to(ROOT).as_posix())
        z.writestr("requirements.txt", _requirements())
        for name, text in (("setup.sh", SETUP_SH),
                           ("run_autograder", RUN_AUTOGRADER.format(
                               assignment=" ".join(f"--assignment {a}" for a in assignment), timeout=timeout))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
    return out


def arrange(submission: Path, assigned: set[str], tree: Path) -> Path:
    """The submission as a tree to grade: kept as is when it is shaped like exercises/ or holds notebooks; loose
    module files (``losses.py`` uploaded alone) are put where the assignment has them (``ch3/losses.py``)."""
    if any(submission.rglob("*.ipynb")) or any((submission / m).is_file() for m in assigned):
        return submission
    by_name = {}
    for m in assigned:
        by_name.setdefault(Path(m).name, []).append(m)
    tree.mkdir(parents=True, exist_ok=True)
    for p in submission.rglob("*.py"):
        targets = by_name.get(p.name, [])
        if len(targets) == 1:     # a name two assigned modules share stays ambiguous: not guessed
            (tree / targets[0]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, tree / targets[0])
    return tree


def run(root: Path, assignment: list[str], timeout: float = 30.0) -> int:
    from grader.grading import assignment_modules, grade_submission
    assigned = assignment_modules(assignment) if assignment else {ex.module for ex in catalogue.load().exercises}
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tree = arrange(root / "submission", assigned, Path(tmp) / "tree")
        summary = grade_submission(tree, Path(tmp) / "out", assignment=assignment or None, quiet=True,
                                   timeout=timeout)
        made = Path(tmp) / "out" / "results.json"
        if made.exists():
            shutil.copyfile(made, results / "results.json")
        else:
            (results / "results.json").write_text(json.dumps({
                "score": 0, "output": f"grading failed: {summary.get('status')}"}), encoding="utf-8")
    print(f"{summary.get('status')}: {summary.get('score', 0):g}/{summary.get('max_score', 0):g}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m grader.gradescope")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="grade /autograder/submission into /autograder/results/results.json")
    r.add_argument("--root", default="/autograder")
    r.add_argument("--assignment", action="append", default=[])
    r.add_argument("--timeout", type=float, default=30.0, help="seconds per test for the learner's code")
    args = p.parse_args(argv)
    return run(Path(args.root), args.assignment, timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())


# ------------------------------------------------------------------------------------------------ GitHub Classroom
CLASSROOM_HEAD = """\
# GitHub Classroom autograding for {title} (generated by `katas course classroom`). Each exercise is one test worth
# its points: full marks when every grader of the module passes. It grades in the runner, in-process (practice
# mode): for grades that count, collect the repositories and run `katas grade-class` (sandboxed).
name: Autograding Tests
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install (learner dependencies) and show the board
        run: python3 katas.py board
"""

CLASSROOM_STEP = """\
      - name: {ex_id}
        id: {step_id}
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: "{ex_id}"
          command: "python3 katas.py check exercises/{module}"
          timeout: 20
          max-score: {points}
"""


def classroom_workflow(assignment: list[str]) -> str:
    from grader.grading import assignment_modules
    modules = assignment_modules(assignment)
    exercises = [ex for ex in catalogue.load().exercises if ex.module in modules]
    steps = "".join(CLASSROOM_STEP.format(ex_id=ex.id, step_id=ex.id.replace(".", "-").replace("_", "-"),
                                          module=ex.module, points=ex.points) for ex in exercises)
    ids = [ex.id.replace(".", "-").replace("_", "-") for ex in exercises]
    env = "".join(f"          {i.upper().replace('-', '_')}_RESULTS: \"${{{{steps.{i}.outputs.result}}}}\"\n" for i in ids)
    report = ("      - name: Autograding Reporter\n"
              "        uses: classroom-resources/autograding-grading-reporter@v1\n"
              "        env:\n" + env +
              "        with:\n"
              f"          runners: {','.join(ids)}\n")
    return CLASSROOM_HEAD.format(title=", ".join(assignment)) + steps + report
