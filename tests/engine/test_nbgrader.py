"""End to end on the real nbgrader (0.9.x), offline: build the course, release, three students submit, autograde,
compare the gradebook with the project's own grades cell by cell, feedback without hidden tests, export.

The default suite runs chapter 2; KATAS_NBGRADER_ALL=1 runs every chapter.
"""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import ROOT, catalogue, grading, nbcourse

pytest.importorskip("nbgrader")

BIN = Path(sys.executable).parent
CHAPTERS = (sorted({e.chapter for e in catalogue.load().exercises}, key=lambda c: int(c[2:]))
            if os.environ.get("KATAS_NBGRADER_ALL") else ["ch2"])


def nbgrader(course: Path, *args, timeout=1800):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "KATAS_GRADER_TIMEOUT": "3"}
    env.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _set_solution_cells(nb, source_nb, which=None, edit=None):
    """Fill a released notebook's solution cells from the source notebook (all, or only those in `which`)."""
    src = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells if "nbgrader" in c.metadata}
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code":
            if which is None or any(gid.endswith("-" + w) for w in which):
                c.source = src[gid]
            if edit and any(gid.endswith("-" + k) for k in edit):
                key = next(k for k in edit if gid.endswith("-" + k))
                c.source = edit[key](src[gid])
    return nb


def _endless(source: str) -> str:
    lines = source.splitlines()
    i = next(i for i, l in enumerate(lines) if "BEGIN SOLUTION" in l)
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    return "\n".join(lines[: i + 1] + [f"{indent}while True:", f"{indent}    pass"] + lines[i + 1:])


def _syntax_error(source: str) -> str:
    return source.replace("):\n", ")\n", 1)  # drop the colon of the def line


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    import nbformat
    course = tmp_path_factory.mktemp("course")
    nbcourse.build_course(course, chapters=CHAPTERS, grader_timeout=5)
    for ch in CHAPTERS:
        nbgrader(course, "generate_assignment", ch, "--force")
    students = {"alice": {}, "bob": {}, "carol": {}, "dave": {}}
    for ch in CHAPTERS:
        for nb_path in sorted((course / "release" / ch).glob("*.ipynb")):
            source = nbformat.read(str(course / "source" / ch / nb_path.name), as_version=4)
            for student in students:
                nb = nbformat.read(str(nb_path), as_version=4)
                if student == "alice":                       # every solution
                    _set_solution_cells(nb, source)
                elif student == "carol":                     # half done, one syntax error, one endless loop
                    stem = nb_path.stem
                    if stem == "calculus":
                        _set_solution_cells(nb, source, edit={"numerical_grad": _endless})
                    elif stem == "linear_algebra":
                        _set_solution_cells(nb, source, which=["matmul", "l1_norm", "l2_norm"],
                                            edit={"l2_norm": _syntax_error})
                    elif stem == "backprop":                 # complete, but one test cell deleted
                        _set_solution_cells(nb, source)
                        last_test = max(i for i, c in enumerate(nb.cells)
                                        if c.metadata.get("nbgrader", {}).get("grade")
                                        and not c.metadata["nbgrader"].get("solution"))
                        del nb.cells[last_test]
                elif student == "dave" and nb_path.stem == "calculus":   # the stub, and an in-kernel cheat
                    for c in nb.cells:
                        if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-numerical_grad"):
                            c.source = ("import grader.nbgrade\ngrader.nbgrade.check = lambda *a, **k: None\n"
                                        + c.source)
                out = course / "submitted" / student / ch / nb_path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, str(out))                 # bob: the untouched release
    for ch in CHAPTERS:
        nbgrader(course, "autograde", ch, "--force")
    return course


def _gradebook(course, students=("alice", "bob", "carol")):
    from nbgrader.api import Gradebook
    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for ch in CHAPTERS:
            for student in students:
                for nb_path in sorted((course / "source" / ch).glob("*.ipynb")):
                    sub = gb.find_submission_notebook(nb_path.stem, ch, student)
                    out[(student, ch, nb_path.stem)] = {g.name: (g.score or 0.0) for g in sub.grades
                                                        if g.cell_type == "code"}
    return out


def test_gradebook_equals_the_projects_own_grades_cell_by_cell(course):
    """nbgrader's grades equal the project's graders run outside the kernel on the same notebooks, cell by cell;
    all-solutions scores full, the untouched release zero, the broken notebooks do not stop the others, and a
    deleted test cell is put back and graded."""
    book = _gradebook(course)
    rows = grading.regrade(course)
    honest = [r for r in rows if r["student"] != "dave"]
    assert len(honest) == len(book)
    for r in honest:
        deleted = r["student"] == "carol" and r["notebook"] == "backprop"   # carol deleted a test cell
        assert r["differs"] == {} and (r["flags"] == [] if not deleted else
                                       [f for f in r["flags"] if "was deleted" in f] == r["flags"] != []), r
    # dave's stub with `grader.nbgrade.check = lambda *a, **k: None`: nbgrader's kernel believed it, the sandbox
    # does not, says test by test why, and flags the cell
    (cheat,) = [r for r in rows if r["student"] == "dave" and r["notebook"] == "calculus"]
    assert cheat["nbgrader"] > 0 and cheat["project"] == 0, cheat
    assert cheat["differs"] and all(theirs > 0 and ours == 0 and why
                                    for theirs, ours, why in cheat["differs"].values()), cheat
    assert any("'grader'" in f for f in cheat["flags"]), cheat
    assert all(r["differs"] == {} and r["flags"] == [] for r in rows if r["student"] == "dave"
               and r["notebook"] != "calculus")
    cat = catalogue.load()
    for (student, ch, nb), cells in book.items():
        ex = next(e for e in cat.exercises if e.module == f"{ch}/{nb}.py")
        total = round(sum(cells.values()), 2)
        if student == "alice":
            assert total == ex.points, (student, nb, cells)
        elif student == "bob":
            assert total == 0, (student, nb, cells)
    carol = {nb: round(sum(c.values()), 2) for (s, ch, nb), c in book.items() if s == "carol"}
    if "calculus" in carol:
        assert carol["calculus"] == 0                         # the endless loop: stopped, no points
        assert carol["backprop"] == 10                        # complete: full marks, the deleted test cell
        import nbformat
        source = nbformat.read(str(course / "source" / "ch2" / "backprop.ipynb"), as_version=4)
        deleted = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
                   if c.metadata.get("nbgrader", {}).get("grade")][-1]
        assert book[("carol", "ch2", "backprop")][deleted] > 0   # restored by nbgrader and graded
        assert 0 < carol["linear_algebra"] < 5                # matmul and l1 pass; l2 has a syntax error
        assert carol["gradient_descent"] == 0


def test_all_solutions_score_what_pytest_gives_the_solutions(course):
    """alice's cells equal the pytest grades of solutions/ (test by test), bob's equal the stubs' (zero)."""
    from grader import cli
    book = _gradebook(course)
    for ch in CHAPTERS:
        scores, _ = cli.grade_tree(ROOT / "solutions", chapters=[ch])
        for s in scores:
            if s.module.split("/")[0] != ch:
                continue
            nb = Path(s.module).stem
            prefix = s.id.replace(".", "-")
            cells = book[("alice", ch, nb)]
            for t in s.tests:
                name = t.test.split("::", 1)[1]
                assert abs(cells[f"{prefix}-{nbcourse.cell_name(name)}"] - t.score) < 1e-9, (nb, name)


def test_feedback_leaks_no_hidden_test_and_export_writes_the_csv(course):
    for ch in CHAPTERS:
        nbgrader(course, "generate_feedback", ch, "--force")
    html = list((course / "feedback").glob("*/*/*.html"))
    assert len(html) == 4 * sum(len(list((course / "source" / ch).glob("*.ipynb"))) for ch in CHAPTERS)
    grader_lines = {line.strip() for ch in CHAPTERS for t in (ROOT / "tests" / ch).glob("test_*.py")
                    for line in t.read_text().splitlines() if len(line.strip()) > 25}
    for page in html:
        text = page.read_text(encoding="utf-8")
        own = page.parts[-3] == "dave"   # dave's own cell names grader.nbgrade (his cheat): that is no leak
        for needle in ("BEGIN HIDDEN", "END HIDDEN") + (() if own else ("grader.nbgrade", "nbgrade.check")):
            assert needle not in text, (page, needle)
        leaked = [line for line in grader_lines if line in text]
        assert not leaked, (page, leaked[:3])
    carol = (course / "feedback" / "carol" / "ch2" / "calculus.html")
    if carol.exists():
        assert "stopped after" in carol.read_text(encoding="utf-8")   # the endless loop is explained
    nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    book = _gradebook(course, ("alice", "bob", "carol", "dave"))
    for row in rows:
        want = sum(sum(c.values()) for (s, ch, nb), c in book.items() if s == row["student_id"] and ch == row["assignment"])
        assert abs(float(row["raw_score"]) - want) < 1e-6, row
    assert {r["student_id"] for r in rows} == {"alice", "bob", "carol", "dave"}
