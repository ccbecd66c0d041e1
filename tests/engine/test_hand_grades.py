"""Hand-graded points reach the grades that count: ch4.relu_proofs' two written proofs, graded by hand in nbgrader's
formgrader (here: set in the gradebook through nbgrader's API, as the formgrader does), are added by
``katas grade-class --gradebook`` to results.json, board.txt, summary.json and class.csv; an answer not graded yet
counts 0 of its points and says so. Real nbgrader (0.9.x), offline; one notebook, one student."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import ROOT, catalogue, nbcourse

pytest.importorskip("nbgrader")

BIN = Path(sys.executable).parent
EX = "ch4.relu_proofs"


def _nbgrader(course: Path, *args):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "KATAS_GRADER_TIMEOUT": "20"}
    env.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def test_hand_graded_written_answers_count_in_class_results(tmp_path):
    import nbformat
    from nbgrader.api import Gradebook
    ex = catalogue.load().by_id(EX)
    assert len(ex.written) == 2
    course = tmp_path / "course"
    nbcourse.build_course(course, chapters=["ch4"], grader_timeout=20, log=lambda *a: None)
    for nb in (course / "source" / "ch4").glob("*.ipynb"):
        if nb.stem != "relu_proofs":
            nb.unlink()
    _nbgrader(course, "generate_assignment", "ch4", "--force")
    sub = course / "submitted" / "ann" / "ch4" / "relu_proofs.ipynb"
    sub.parent.mkdir(parents=True)
    source = nbformat.read(str(course / "source" / "ch4" / "relu_proofs.ipynb"), as_version=4)
    released = nbformat.read(str(course / "release" / "ch4" / "relu_proofs.ipynb"), as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if "nbgrader" in c.metadata}
    for c in released.cells:
        md = c.metadata.get("nbgrader", {})
        if md.get("solution"):
            c.source = answers[md["grade_id"]]
    nbformat.write(released, str(sub))
    _nbgrader(course, "autograde", "ch4", "--force")
    first, second = ex.written
    prefix = EX.replace(".", "-")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:   # what the formgrader does for the first proof
        g = gb.find_grade(f"{prefix}-{first['id']}", "relu_proofs", "ch4", "ann")
        g.manual_score = first["points"] - 1
        gb.db.commit()

    out = tmp_path / "graded"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-class", str(course / "submitted"), "--out", str(out),
                           "--assignment", EX, "--gradebook", str(course / "gradebook.db"), "-j", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((out / "ann" / "results.json").read_text(encoding="utf-8"))
    written = {t["name"]: t for t in results["tests"] if ": written: " in t["name"]}
    assert set(written) == {f"{EX}: written: {w['title']}" for w in ex.written}, sorted(written)
    one, two = written[f"{EX}: written: {first['title']}"], written[f"{EX}: written: {second['title']}"]
    assert (one["score"], one["max_score"], one["output"]) == (first["points"] - 1, first["points"],
                                                               "graded by hand (nbgrader)")
    assert (two["score"], two["max_score"], two["output"]) == (0, second["points"], "not graded by hand yet")
    auto = sum(t["score"] for t in results["tests"] if ": written: " not in t["name"])
    assert auto == pytest.approx(ex.points)             # the model solution passes every grader
    total = ex.points + first["points"] + second["points"]
    assert results["max_score"] == total and results["score"] == pytest.approx(total - 1 - second["points"])
    (row,) = list(csv.DictReader((out / "class.csv").open(encoding="utf-8")))
    assert float(row[EX]) == pytest.approx(total - 1 - second["points"]) and float(row["max_score"]) == total, row
    board = (out / "ann" / "board.txt").read_text(encoding="utf-8")
    assert f"written {first['points'] - 1}/{first['points'] + second['points']} (not all graded yet)" in board, board
