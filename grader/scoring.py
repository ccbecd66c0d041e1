"""Points, statuses and Gradescope's results.json, from per-test records written by the plugin.

An exercise's points are shared among its tests by weight (``@pytest.mark.weight``); a test earns its share when it
passes **and** every core test of every learner function it uses passes (:func:`gate`): a property that garbage
satisfies (an invariance, a shape, an identity, an error message) pays only when the function's values are right.
Status: "not started" (the file is still the stub, or every failure is an untouched stub function),
"failing" (some test fails), "passed" (every test passes).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grader import catalogue
from grader.records import Record, as_records


@dataclass
class ExerciseScore:
    id: str
    module: str
    title: str
    points: float
    earned: float = 0.0
    status: str = "not started"
    tests: list["TestScore"] = field(default_factory=list)
    # the written answers graded by hand (nbgrader's gradebook): {"id", "title", "score", "max_score", "graded"}
    hand: list[dict] = field(default_factory=list)

    @property
    def passed_tests(self) -> int:
        return sum(t.passed for t in self.tests)


@dataclass
class TestScore:
    """A record with its share of the exercise's points (attributes of the record read through)."""
    record: Record
    max_score: float
    score: float

    def __getattr__(self, name):
        if name == "record":
            raise AttributeError(name)
        return getattr(self.record, name)


def shares(points: float, weights: list[float]) -> list[float]:
    """Split ``points`` among tests by weight, in hundredths, summing exactly to ``points`` (largest remainder).
    The nbgrader notebooks use the same shares, so that both grade the same code identically, cell by cell."""
    if not weights:
        return []
    total = sum(weights)
    exact = [points * 100 * w / total for w in weights]
    cents = [int(e) for e in exact]
    short = round(points * 100) - sum(cents)
    for i in sorted(range(len(exact)), key=lambda i: (-(exact[i] - cents[i]), i))[:short]:
        cents[i] += 1
    return [c / 100 for c in cents]


def gate(records: list[Record]) -> list[Record]:
    """Decide which passing tests *earn* their points, in place, and return the records.

    A test's record lists the learner functions it ``uses`` (reached through the seam) and those it is ``core`` for
    (``@pytest.mark.core``: it checks their values against an oracle). A passing test earns its points when, for
    every function it uses, every core test of that function (in the same module and variant) passes; otherwise
    ``gated_by`` names the failing core tests. A function without any core test in the run gates nothing. Core
    tests are gated the same way by the core tests of the *other* functions they use."""
    groups: dict[tuple, list[Record]] = {}
    for r in records:
        groups.setdefault((r.module, r.variant), []).append(r)
    for recs in groups.values():
        failing: dict[str, list[str]] = {}
        for r in recs:
            for f in r.core:
                failing.setdefault(f, [])
                if not r.passed and r.title not in failing[f]:
                    failing[f].append(r.title)
        for r in recs:
            blockers = []
            for f in r.uses:
                for title in failing.get(f, ()):
                    if title != r.title and title not in blockers:
                        blockers.append(title)
            r.gated_by = blockers if r.passed else []
            r.earned = r.passed and not blockers
    return records


def gated_note(r: Record) -> str:
    """What a learner reads for a property that holds but does not pay yet."""
    return ("this property holds, but it pays only once your values are right: first pass "
            + "; ".join(f"“{t}”" for t in r.gated_by))


def score(records, untouched: set[str] = frozenset()) -> list[ExerciseScore]:
    """Score every catalogue exercise that has records (Records, or their JSON form) or is known untouched."""
    records = as_records(records)
    if any(r.earned is None for r in records):
        gate(records)
    cat = catalogue.load()
    by_module: dict[str, list[Record]] = {}
    for r in records:
        by_module.setdefault(r.module, []).append(r)
    out = []
    for ex in cat.exercises:
        recs = by_module.get(ex.module)
        if recs is None and ex.module not in untouched:
            continue
        s = ExerciseScore(ex.id, ex.module, f"{ex.title_en} · {ex.title_zh}", float(ex.points))
        recs = recs or []
        for r, share in zip(recs, shares(ex.points, [r.weight for r in recs])):
            s.tests.append(TestScore(r, share, share if r.earned else 0.0))
        s.earned = round(sum(t.score for t in s.tests), 2)
        if not recs or all(r.not_started for r in recs if not r.passed) and not any(r.passed for r in recs):
            s.status = "not started"
        elif all(r.passed for r in recs):
            s.status = "passed"
        else:
            s.status = "failing"
        out.append(s)
    return out


def summary_lines(scores: list[ExerciseScore]) -> list[str]:
    lines = []
    for s in scores:
        mark = {"passed": "✔", "failing": "✘", "not started": "·"}[s.status]
        written = (f", written {sum(h['score'] for h in s.hand):g}/{sum(h['max_score'] for h in s.hand):g}"
                   + ("" if all(h["graded"] for h in s.hand) else " (not all graded yet)")) if s.hand else ""
        lines.append(f"{mark} {s.id:34} {s.status:12} {s.earned:6.2f}/{s.points:<5g} "
                     f"({s.passed_tests}/{len(s.tests)} tests{written})")
    total = sum(s.earned for s in scores)
    maxp = sum(s.points for s in scores)
    lines.append(f"  {'total':34} {'':12} {total:6.2f}/{maxp:<5g}")
    return lines


def add_hand_grades(scores: list[ExerciseScore], hand: dict[str, list[dict]]) -> None:
    """Add the hand-graded written answers ({exercise id: [{"id", "title", "score", "max_score", "graded"}]}) to
    their exercises: points and maximum both (an answer not graded yet counts 0 of its points)."""
    for s in scores:
        entries = hand.get(s.id) or []
        if entries:
            s.hand = entries
            s.points = float(s.points) + sum(h["max_score"] for h in entries)
            s.earned = round(s.earned + sum(h["score"] for h in entries), 2)


def gradescope(scores: list[ExerciseScore], execution_time: float | None = None,
               hidden_visibility: str = "after_published") -> dict:
    """Gradescope autograder results.json: https://gradescope-autograders.readthedocs.io/en/latest/specs/

    Tests marked hidden (``@pytest.mark.hidden``, or ``katas grade --hide GLOB``) get ``hidden_visibility``
    (default "after_published": the student sees them once the instructor publishes the grades)."""
    tests = []
    for s in scores:
        if not s.tests:  # untouched: one zero-score line so the exercise is visible
            tests.append({"name": f"{s.id}: not started", "score": 0.0, "max_score": s.points,
                          "status": "failed", "output": f"{s.module} is still the untouched stub.",
                          "visibility": "visible"})
        for t in s.tests:
            tests.append({"name": f"{s.id}: {t.title}", "score": round(t.score, 4),
                          "max_score": round(t.max_score, 4), "status": "passed" if t.earned else "failed",
                          "output": t.feedback or (gated_note(t.record) if t.gated_by else ""),
                          "visibility": hidden_visibility if t.hidden else "visible"})
        for h in s.hand:
            tests.append({"name": f"{s.id}: written: {h['title']}", "score": round(h["score"], 4),
                          "max_score": round(h["max_score"], 4),
                          "status": "passed" if h["graded"] and h["score"] >= h["max_score"] else "failed",
                          "output": "graded by hand (nbgrader)" if h["graded"] else "not graded by hand yet",
                          "visibility": "visible"})
    result = {"score": round(sum(s.earned for s in scores), 2),
              "max_score": round(sum(s.points for s in scores), 2),
              "output": f"{sum(s.status == 'passed' for s in scores)} of {len(scores)} exercises passed",
              "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
    if execution_time is not None:
        result["execution_time"] = round(execution_time, 2)
    return result


def write_results(path: Path, scores: list[ExerciseScore], execution_time: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope(scores, execution_time), indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
