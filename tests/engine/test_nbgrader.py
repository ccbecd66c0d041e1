"""End to end on the real nbgrader (0.9.x), offline: build the course, release, three students submit, autograde,
compare the gradebook with the project's own grades cell by cell, feedback without hidden tests, export.

The default suite runs three notebooks of chapter 2; KATAS_NBGRADER_ALL=1 runs every chapter.
"""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import ROOT, catalogue, grading, loader, nbcourse

pytest.importorskip("nbgrader")

BIN = Path(sys.executable).parent
# the per-test limit of the trusted paths below (regrade, grade-class, Gradescope). Not less: with 5 s, the first
# call of bob's first notebook on the Dask path (two grading processes, the scheduler and the other xdist worker on
# two cores) once ran past the limit in a full fresh-clone run (session 10), and his results differed between paths
LIMIT = 10
CHAPTERS = (sorted({e.chapter for e in catalogue.load().exercises}, key=lambda c: int(c[2:]))
            if os.environ.get("KATAS_NBGRADER_ALL") else ["ch2"])


def nbgrader(course: Path, *args, timeout=1800):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "KATAS_GRADER_TIMEOUT": "3",
           "KATAS_NBGRADE_RUNS": str(course / "grader-runs.txt")}   # one line per in-kernel run of the graders
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
    if not os.environ.get("KATAS_NBGRADER_ALL"):
        # three of ch2's notebooks hold every case below (full, untouched, endless loop, syntax error, deleted test
        # cell, cheat); the fourth would only repeat the full and the untouched ones (a quarter of this test's time)
        (course / "source" / "ch2" / "gradient_descent.ipynb").unlink()
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
                elif student == "dave" and nb_path.stem == "backprop":
                    continue                                 # dave: the cheat, and one untouched notebook beside it
                elif student == "dave" and nb_path.stem == "calculus":   # the stub, and an in-kernel cheat
                    for c in nb.cells:
                        if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-numerical_grad"):
                            c.source = ("import grader.nbgrade\ngrader.nbgrade.check = lambda *a, **k: None\n"
                                        + c.source)
                out = course / "submitted" / student / ch / nb_path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, str(out))                 # bob: the untouched release
            if nb_path.stem == "calculus":   # fay: a correct answer written differently (a recorded alternative)
                alt = loader.mutants_of(f"{ch}/calculus.py", "ALTERNATIVES")["vectorised_basis"]["source"]
                nb = _set_solution_cells(nbformat.read(str(nb_path), as_version=4), source,
                                         edit={"numerical_grad": lambda src: alt})
                out = course / "submitted" / "fay" / ch / nb_path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, str(out))
            if nb_path.stem == "calculus":   # erin: every answer, and an endless loop at the top level of a cell
                nb = _set_solution_cells(nbformat.read(str(nb_path), as_version=4), source,
                                         edit={"numerical_grad": lambda src: src + "\n\nwhile True:\n    pass\n"})
                for c in nb.cells:           # and an edit of a locked test cell (put back, and reported)
                    if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-test_quadratic_form"):
                        c.source += "\nprint('edited')\n"
                out = course / "submitted" / "erin" / ch / nb_path.name
                out.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, str(out))
    log = ""
    for ch in CHAPTERS:
        proc = nbgrader(course, "autograde", ch, "--force")
        log += proc.stdout + proc.stderr
    (course / "autograde-log.txt").write_text(log, encoding="utf-8")
    return course


def test_only_real_edits_of_locked_cells_are_reported(course):
    """nbgrader warns "checksum has changed" for every test cell with hidden tests of every student (the release has
    no hidden region); the course's config keeps that warning for the one cell a student really edited (erin's)."""
    log = (course / "autograde-log.txt").read_text(encoding="utf-8")
    assert "Attribute 'checksum'" not in log, [ln for ln in log.splitlines() if "checksum" in ln][:3]
    edited = [ln for ln in log.splitlines() if "was edited by the student" in ln]
    if "ch2" in CHAPTERS:
        assert len(edited) == 1 and "ch2-calculus-test_quadratic_form" in edited[0], edited


def _gradebook(course, students=("alice", "bob", "carol")):
    from nbgrader.api import Gradebook
    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for ch in CHAPTERS:
            for student in students:
                for nb_path in sorted((course / "source" / ch).glob("*.ipynb")):
                    if not (course / "submitted" / student / ch / nb_path.name).exists():
                        continue   # erin hands in one notebook
                    sub = gb.find_submission_notebook(nb_path.stem, ch, student)
                    out[(student, ch, nb_path.stem)] = {g.name: (g.score or 0.0) for g in sub.grades
                                                        if g.cell_type == "code"}
    return out


@pytest.fixture(scope="module")
def regraded(course):
    return grading.regrade(course, log=lambda *a: None, timeout=LIMIT)   # the endless loops: LIMIT each, not 30 s


def test_gradebook_equals_the_projects_own_grades_cell_by_cell(course, regraded):
    """nbgrader's grades equal the project's graders run outside the kernel on the same notebooks, cell by cell;
    all-solutions scores full, the untouched release zero, the broken notebooks do not stop the others, and a
    deleted test cell is put back and graded."""
    book = _gradebook(course)
    rows = regraded
    honest = [r for r in rows if r["student"] not in ("dave", "erin", "fay")]
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
    beside = [r for r in rows if r["student"] == "dave" and r["notebook"] != "calculus"]   # graded in the same session
    assert beside and all(r["differs"] == {} and r["flags"] == [] for r in beside), beside
    # erin's cell that never returns: nbgrader stops it after the graders' limit (not the 300 s cell limit) and
    # every test cell says so; the sandbox stops the notebook's load: 0 on both paths, test by test
    (alt,) = [r for r in rows if r["student"] == "fay"]      # written differently: full marks on both paths
    assert alt["nbgrader"] == alt["project"] == catalogue.load().by_module("ch2/calculus.py").points, alt
    assert alt["differs"] == {} and alt["flags"] == [], alt
    (loop,) = [r for r in rows if r["student"] == "erin"]
    assert loop["nbgrader"] == loop["project"] == 0 and loop["differs"] == {}, loop
    assert loop["flags"] == ["test cell ch2-calculus-test_quadratic_form was edited"], loop   # her edit, below
    import nbformat
    graded = nbformat.read(str(course / "autograded" / "erin" / "ch2" / "calculus.ipynb"), as_version=4)
    said = [o.get("evalue", "") for c in graded.cells if c.get("outputs") for o in c.outputs
            if o.get("output_type") == "error"]
    assert any("did not finish and was stopped after" in e for e in said), said
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
        assert carol.get("gradient_descent", 0) == 0


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
            if not (course / "source" / ch / f"{nb}.ipynb").exists():
                continue
            prefix = s.id.replace(".", "-")
            cells = book[("alice", ch, nb)]
            for t in s.tests:
                name = t.test.split("::", 1)[1]
                assert abs(cells[f"{prefix}-{nbcourse.cell_name(name)}"] - t.score) < 1e-9, (nb, name)


def test_feedback_leaks_no_hidden_test_and_export_writes_the_csv(course):
    for ch in CHAPTERS:
        nbgrader(course, "generate_feedback", ch, "--force")
    html = list((course / "feedback").glob("*/*/*.html"))
    assert len(html) == len(list((course / "submitted").glob("*/*/*.ipynb")))
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
    book = _gradebook(course, ("alice", "bob", "carol", "dave", "erin", "fay"))
    for row in rows:
        want = sum(sum(c.values()) for (s, ch, nb), c in book.items() if s == row["student_id"] and ch == row["assignment"])
        assert abs(float(row["raw_score"]) - want) < 1e-6, row
    assert {r["student_id"] for r in rows} == {"alice", "bob", "carol", "dave", "erin", "fay"}


def test_in_kernel_grading_runs_the_graders_once_per_notebook(course):
    """nbgrader's autograde: the first test cell of a notebook runs the module's graders, every other test cell
    reads that run (the cheater's notebook and the one whose cell never finished do not run them at all)."""
    runs: dict[tuple[str, str], int] = {}
    for line in (course / "grader-runs.txt").read_text(encoding="utf-8").splitlines():
        where, module = line.split("\t")
        key = (Path(where).parts[-2], module)           # autograded/<student>/<assignment>
        runs[key] = runs.get(key, 0) + 1
    assert runs and all(n == 1 for n in runs.values()), runs
    assert {("alice", "ch2/calculus.py"), ("bob", "ch2/calculus.py"), ("fay", "ch2/calculus.py")} <= set(runs)


def _results(path: Path) -> dict:
    res = json.loads(path.read_text(encoding="utf-8"))
    res.pop("execution_time", None)
    return res


def test_every_trusted_path_gives_the_same_results_test_by_test(course, regraded, tmp_path):
    """The collected notebooks graded the trusted ways: `katas grade-class` on this machine, on a local Dask
    cluster (`--scheduler local:2`), and (carol's) through the Gradescope package on a simulated /autograder:
    the same results.json test by test, and the same as the regrade above (same scores per notebook)."""
    pytest.importorskip("distributed")
    from grader import gradescope
    submitted = course / "submitted"
    local, dask = tmp_path / "local", tmp_path / "dask"
    for out, extra in ((local, ["-j", "2"]), (dask, ["--scheduler", "local:2"])):
        proc = subprocess.run([sys.executable, "-m", "grader", "grade-class", str(submitted), "--out", str(out),
                               "--timeout", str(LIMIT), *extra], cwd=ROOT, capture_output=True, text=True, timeout=1800)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir())
    for student in students:
        assert _results(local / student / "results.json") == _results(dask / student / "results.json"), student
        assert (local / student / "board.txt").read_text() == (dask / student / "board.txt").read_text(), student
    rows = lambda out: [{k: v for k, v in r.items() if k != "sandbox"}   # noqa: E731
                        for r in csv.DictReader((out / "class.csv").open(encoding="utf-8"))]
    assert rows(local) == rows(dask)
    again = subprocess.run([sys.executable, "-m", "grader", "grade-class", str(submitted), "--out", str(dask),
                            "--timeout", str(LIMIT), "--scheduler", "local:1"], cwd=ROOT, capture_output=True, text=True,
                           timeout=600)   # the resume rule on the Dask path: nothing changed, nothing graded
    assert again.returncode == 0 and again.stderr.count("already graded") == len(students), again.stderr[-2000:]
    import shutil

    from tests.engine.test_gradescope import run_autograder
    zpath = gradescope.build(tmp_path / "ch2-autograder.zip", CHAPTERS, timeout=LIMIT)
    for student in ("carol",):   # the partial one: endless loop, syntax error, a deleted test cell
        root = tmp_path / f"autograder-{student}"
        shutil.copytree(submitted / student, root / "submission")
        run_autograder(zpath, root)
        theirs, ours = _results(root / "results" / "results.json"), _results(local / student / "results.json")
        differ = [(a, b) for a, b in zip(theirs["tests"], ours["tests"]) if a != b]
        assert len(theirs["tests"]) == len(ours["tests"]) and not differ, (student, differ[:2])
        assert theirs["score"] == ours["score"], student
    # and the regrade's numbers (the sandbox's, per notebook) are grade-class's
    by_nb = {(r["student"], r["notebook"]): r["project"] for r in regraded}
    cat = catalogue.load()
    for (student, nb), score in by_nb.items():
        ex = cat.by_module(f"ch2/{nb}.py")
        summary = json.loads((local / student / "summary.json").read_text(encoding="utf-8"))
        assert abs(summary["exercises"][ex.id] - score) < 1e-6, (student, nb, summary["exercises"], score)
