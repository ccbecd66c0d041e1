"""Grades are earned: every hostile answer of tests/adversarial/earned/ (garbage that satisfies properties, constant
and hard-coded answers, generator ignored, forbidden operations under other names) scores exactly what the untouched
stub scores, graded for marks (``katas grade-class``, learner code sandboxed), while the reference solution beside it
scores full. See tests/adversarial/earned/README.md."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader import ROOT, catalogue
from grader.stubgen import generate_stub

EARNED = ROOT / "tests" / "adversarial" / "earned"
ATTACKS = sorted(p.relative_to(EARNED) for p in EARNED.glob("ch*/*/*.py"))


def _student(rel: Path) -> str:
    return "_".join(rel.with_suffix("").parts)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("earned")
    cls, out = base / "class", base / "out"
    modules = sorted({f"{rel.parts[0]}/{rel.parts[1]}.py" for rel in ATTACKS})
    for rel in ATTACKS:
        module = f"{rel.parts[0]}/{rel.parts[1]}.py"
        solution = (ROOT / "solutions" / module).read_text(encoding="utf-8")
        text = (generate_stub(solution, module).rstrip("\n") + "\n\n\n# ---- hostile ----\n"
                + (EARNED / rel).read_text(encoding="utf-8"))
        p = cls / _student(rel) / module
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for module in modules:   # the control: one student with every attacked module's reference solution
        p = cls / "control" / module
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text((ROOT / "solutions" / module).read_text(encoding="utf-8"), encoding="utf-8")
    cmd = [sys.executable, "-m", "grader", "grade-class", str(cls), "--out", str(out), "-j", "2", "--timeout", "8",
           "--memory", "2048", "--budget", "900"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    rows = {r["student"]: r for r in csv.DictReader((out / "class.csv").open(encoding="utf-8"))} \
        if (out / "class.csv").exists() else {}
    return {"proc": proc, "rows": rows, "out": out}


def test_the_batch_is_graded(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert len(graded["rows"]) == len(ATTACKS) + 1


@pytest.mark.parametrize("attack", [str(a.with_suffix("")) for a in ATTACKS])
def test_a_hostile_answer_earns_what_the_stub_earns(graded, attack):
    rel = Path(attack + ".py")
    module = f"{rel.parts[0]}/{rel.parts[1]}.py"
    ex = catalogue.load().by_module(module)
    student = _student(rel)
    row = graded["rows"][student]
    results = json.loads((graded["out"] / student / "results.json").read_text(encoding="utf-8"))
    paid = [f"{t['name']} ({t['score']})" for t in results["tests"]
            if t["name"].startswith(ex.id + ":") and t["score"] > 0]
    assert float(row[ex.id]) == 0.0, f"{attack} earns {row[ex.id]} of {ex.points}: {paid}"


def test_the_reference_solutions_beside_them_score_full(graded):
    row = graded["rows"]["control"]
    for module in sorted({f"{rel.parts[0]}/{rel.parts[1]}.py" for rel in ATTACKS}):
        ex = catalogue.load().by_module(module)
        assert float(row[ex.id]) == float(ex.points), (module, row)
