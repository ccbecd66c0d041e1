"""`katas grade-class --scheduler local:N` (grader/cluster.py, dask.distributed) grades a class as the local path does.

A class of three exercises/-shaped submissions of ch2.calculus and ch2.gradient_descent (both solutions; a recorded
buggy variant of numerical_grad beside a correct gradient_descent; both untouched stubs) is graded twice, on this
machine (`-j 2`) and on a local Dask cluster of two workers: the same class.csv rows and the same results.json test
by test. A second Dask run grades nothing (the resume rule holds there too).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import ROOT, loader
from grader.stubgen import generate_stub

pytest.importorskip("distributed")

TARGET = "ch2/calculus.py"
BESIDE = "ch2/gradient_descent.py"   # correct beside the buggy TARGET: a buggy variant alone scores 0 (gated), so the
                                     # partly wrong submission scores strictly between 0 and full only with it
STUDENTS = ("correct", "partial", "untouched")


def _grade_class(cls: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
    return subprocess.run([sys.executable, "-m", "grader", "grade-class", str(cls), "--out", str(out),
                           "--assignment", "ch2.calculus", "--assignment", "ch2.gradient_descent",
                           "--timeout", "8", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    cls = tmp / "class"
    solution, beside = ((ROOT / "solutions" / m).read_text(encoding="utf-8") for m in (TARGET, BESIDE))
    mutants = loader.mutants_of(TARGET)
    buggy = mutants[sorted(mutants)[0]]["source"]
    for name, files in {"correct": {TARGET: solution, BESIDE: beside},
                        "partial": {TARGET: solution.rstrip("\n") + "\n\n\n" + buggy, BESIDE: beside},
                        "untouched": {TARGET: generate_stub(solution, TARGET),
                                      BESIDE: generate_stub(beside, BESIDE)}}.items():
        (cls / name / "ch2").mkdir(parents=True)
        for module, text in files.items():
            (cls / name / module).write_text(text, encoding="utf-8")
    local, dask = tmp / "local", tmp / "dask"
    runs = {"local": _grade_class(cls, local, "-j", "2"), "dask": _grade_class(cls, dask, "--scheduler", "local:2")}
    runs["again"] = _grade_class(cls, dask, "--scheduler", "local:2")
    for what, proc in runs.items():
        assert proc.returncode == 0, (what, proc.stdout[-3000:] + proc.stderr[-3000:])
    return local, dask, runs


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "class.csv", encoding="utf-8", newline="") as f:
        return {r["student"]: {k: v for k, v in r.items() if k != "sandbox"} for r in csv.DictReader(f)}


def _tests(path: Path) -> list[dict]:
    return [{k: v for k, v in t.items() if k != "execution_time"}
            for t in json.loads(path.read_text(encoding="utf-8"))["tests"]]


def test_dask_class_csv_equals_the_local_one(graded):
    local, dask, _ = graded
    rows = _rows(local)
    assert set(rows) == set(STUDENTS)
    assert rows == _rows(dask)
    assert "ch2.calculus" in rows["correct"] and "ch2.gradient_descent" in rows["correct"]
    score = {name: float(r["score"]) for name, r in rows.items()}
    full = float(rows["correct"]["max_score"])
    assert full > 0 and score["correct"] == full
    assert score["untouched"] == 0
    assert 0 < score["partial"] < full
    assert float(rows["partial"]["ch2.calculus"]) == 0 and float(rows["partial"]["ch2.gradient_descent"]) > 0
    assert all(r["status"] == "graded" for r in rows.values()), rows


def test_dask_results_equal_the_local_ones_test_by_test(graded):
    local, dask, _ = graded
    for name in STUDENTS:
        ours, theirs = _tests(local / name / "results.json"), _tests(dask / name / "results.json")
        assert ours, name
        assert [(t["name"], t["score"], t.get("status"), t.get("output")) for t in ours] == \
               [(t["name"], t["score"], t.get("status"), t.get("output")) for t in theirs], name
        assert ours == theirs, name
        for f in ("summary.json", "board.txt", "records.json", "done.json"):
            assert (dask / name / f).is_file(), (name, f)
        assert (local / name / "board.txt").read_text(encoding="utf-8") == \
               (dask / name / "board.txt").read_text(encoding="utf-8"), name


def test_dask_rerun_grades_nothing(graded):
    _, dask, runs = graded
    for name in STUDENTS:
        assert f"{name}: already graded" in runs["again"].stderr, runs["again"].stderr[-3000:]
    assert _rows(dask) == _rows(graded[0])
