"""Grades that count: one submission, or a whole class, graded with the learner's code in the sandbox.

    katas grade SUBMISSION [--out DIR]         a directory shaped like exercises/ (chN/<module>.py), or notebooks
                                               of the nbgrader course (any *.ipynb below SUBMISSION)
    katas grade-class CLASS --out DIR [-j N]   every subdirectory of CLASS is one student's submission

Each submission is graded by its own grading process (``pytest --katas-sandbox``), whose learner code runs in one
sandboxed worker (grader/runtime/worker.py). Nothing the learner's process writes is read back: results come from the
grading process's records. Outputs per submission: ``results.json`` (Gradescope, with per-test visibility),
``board.txt``, ``records.json``; for a class also ``class.csv`` (one row per student), rewritten after every
submission, so an interrupted batch keeps what it finished and a rerun grades only what is missing or changed.
"""
from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from grader import ROOT, catalogue, digest

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


# ------------------------------------------------------------------------------------------------ one submission
def _notebook_tree(sub: Path, tree: Path) -> list[str]:
    """Write the notebooks of an nbgrader submission as a tree of modules (cells kept apart, as a kernel runs
    them); returns the modules found. Hidden test cells are left out: the graders are ours, not the notebook's."""
    import nbformat

    from grader.nbcourse import is_test_cell, module_of_notebook
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        transform = TransformerManager().transform_cell
    except Exception:  # noqa: BLE001
        transform = lambda s: s  # noqa: E731
    found = []
    for nb_path in sorted(sub.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb_path.parts:
            continue
        try:
            nb = nbformat.read(str(nb_path), as_version=4)
            module = module_of_notebook(nb, nb_path)
        except Exception:  # noqa: BLE001  (a broken notebook grades as not submitted)
            continue
        if catalogue.load().by_module(module) is None:
            continue
        parts = ["# katas:notebook\n"]
        for i, c in enumerate(nb.cells):
            if c.cell_type != "code" or is_test_cell(c):
                continue
            try:
                src = transform(c.source)
            except Exception:  # noqa: BLE001
                src = c.source
            parts.append(f"# katas:cell {i}\n{src.rstrip()}\n")
        out = tree / module
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(parts), encoding="utf-8")
        found.append(module)
    return found


def _modules_in(tree: Path) -> list[str]:
    cat = catalogue.load()
    return [ex.module for ex in cat.exercises if (tree / ex.module).is_file()]


def fingerprint(sub: Path) -> str:
    """What a submission's grading depends on: its files (not editor or Python caches)."""
    return digest([p for p in sorted(sub.rglob("*")) if p.is_file() and ".ipynb_checkpoints" not in p.parts
                   and "__pycache__" not in p.parts], base=sub)


def _clean(text: str) -> str:
    """Feedback without what differs between runs of the same code (object addresses)."""
    return _ADDRESS.sub(" at 0x…", text or "")


def assignment_modules(items) -> set[str]:
    """The modules an assignment names: chapters ("ch3"), exercises ("ch3.losses") or modules ("ch3/losses.py")."""
    cat = catalogue.load()
    modules = set()
    for item in items:
        key = item.strip().strip("/").removesuffix(".py")
        found = [ex.module for ex in cat.exercises
                 if key in (ex.chapter, ex.id, ex.module.removesuffix(".py"))]
        if not found:
            raise ValueError(f"the assignment names {item!r}, which is neither a chapter nor an exercise "
                             "(ids as on the board: ch3, ch3.losses, ch3/losses.py)")
        modules.update(found)
    return modules


def grade_submission(sub: Path, out: Path, *, timeout: float = 30.0, memory_mib: int = 4096,
                     budget: float = 1800.0, hide: list[str] = (), hidden_visibility: str = "after_published",
                     quiet: bool = False, assignment: list[str] | None = None, warm: bool = False,
                     gradebook: Path | None = None, student: str | None = None) -> dict:
    """Grade one submission into ``out``; returns the summary (also written as ``out/summary.json``).

    ``gradebook`` (nbgrader's gradebook.db) and ``student`` (its student id; default: the submission folder's
    name): the hand-graded written answers of the graded exercises (ch4.relu_proofs' proofs) are added, as graded
    in the formgrader (an answer not graded yet counts 0 of its points, and says so).

    ``warm``: the grading process is forked from the warm process (grader.runner.warm_up) rather than started
    afresh — for a batch (grade-class, regrade), where it saves the imports of every submission but the first.

    ``assignment`` (chapters or exercises): results count only those, and nothing else is run. Without it a
    notebook submission counts its chapters and an exercises/-shaped tree the whole course."""
    assigned = assignment_modules(assignment) if assignment else None
    sub, out = Path(sub).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="katas-grade-"))
    summary: dict = {"submission": str(sub), "status": "graded"}
    try:
        tree = work / "tree"
        tree.mkdir()
        notebooks = _notebook_tree(sub, tree) if any(sub.rglob("*.ipynb")) else []
        if not notebooks:
            for module in [ex.module for ex in catalogue.load().exercises]:
                if (sub / module).is_file():
                    (tree / module).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(sub / module, tree / module)
        if assigned is not None:
            for module in _modules_in(tree):
                if module not in assigned:
                    (tree / module).unlink()
        modules = _modules_in(tree)
        records: list = []
        sandbox_info = {}
        if modules:
            from grader import runner
            scratch = work / "sandbox"
            result = runner.run([tree], isolated=True, budget=budget, warm=warm, extra=[
                "-p", "no:xdist", "-p", "no:randomly", "--katas-sandbox", "--katas-sandbox-dir", str(scratch),
                "--katas-timeout", str(timeout), "--katas-memory", str(memory_mib),
                "-o", "console_output_style=classic", "--no-header"])
            if result.timed_out:
                summary["status"] = f"error: grading took longer than {budget:g} s"
            (out / "grading-log.txt").write_bytes(result.log)
            if result.ran:
                records = result.records
            elif summary["status"] == "graded":
                summary["status"] = f"error: the grading process ended with code {result.returncode}"
            sandbox_info = result.sandbox_info
        for r in records:
            r.feedback = _clean(r.feedback)
            r.hidden = r.hidden or any(fnmatch.fnmatch(r.title, g) or fnmatch.fnmatch(r.test, g) for g in hide)
        from grader import scoring
        cat = catalogue.load()
        submitted = set(modules)
        # an nbgrader submission is one assignment per chapter: it is graded out of its chapters' exercises only
        # (a ch3 notebook is not marked down for ch2-ch14); an exercises/-shaped tree is the whole course
        chapters = {m.split("/", 1)[0] for m in notebooks} if notebooks else {ex.chapter for ex in cat.exercises}
        scope = assigned if assigned is not None else {ex.module for ex in cat.exercises if ex.chapter in chapters}
        untouched = scope - submitted
        scores = scoring.score([r for r in records if r.variant == "source"], untouched)
        if gradebook is not None:
            scoring.add_hand_grades(scores, hand_grades(Path(gradebook), student or sub.name,
                                                        [cat.by_module(s.module) for s in scores]))
        results = scoring.gradescope(scores, time.monotonic() - t0, hidden_visibility=hidden_visibility)
        # results.json is the same for the same code, every run: the workers' CPU time goes to summary.json only
        results["extra_data"] = {"sandbox": {k: v for k, v in sandbox_info.items() if k != "worker_cpu_s"},
                                 "status": summary["status"]}
        _atomic_write(out / "results.json", json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        _atomic_write(out / "records.json", json.dumps([r.to_dict() for r in records], indent=1,
                                                       ensure_ascii=False) + "\n")
        board = "\n".join(scoring.summary_lines(scores)) + "\n"
        _atomic_write(out / "board.txt", board)
        summary.update({
            "score": round(sum(s.earned for s in scores), 2), "max_score": round(sum(s.points for s in scores), 2),
            "exercises": {s.id: s.earned for s in scores}, "passed": sum(s.status == "passed" for s in scores),
            "sandbox": sandbox_info, "seconds": round(time.monotonic() - t0, 2),
        })
        if not quiet:
            print(board, end="")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _atomic_write(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    return summary


def hand_grades(gradebook: Path, student: str, exercises) -> dict[str, list[dict]]:
    """The hand-graded written answers of ``student`` in nbgrader's gradebook, for the given exercises:
    {exercise id: [{"id", "title", "score", "max_score", "graded"}]} (cells ``<exercise>-<answer id>`` of the
    exercise's notebook, in its chapter's assignment). Missing entries count 0, not graded."""
    from nbgrader.api import Gradebook, MissingEntry
    if not Path(gradebook).is_file():
        raise FileNotFoundError(f"no gradebook at {gradebook}")
    out: dict[str, list[dict]] = {}
    with Gradebook(f"sqlite:///{Path(gradebook).resolve()}") as gb:
        for ex in exercises:
            if ex is None or not ex.written:
                continue
            prefix, notebook = ex.id.replace(".", "-"), Path(ex.module).stem
            entries = []
            for w in ex.written:
                try:
                    g = gb.find_grade(f"{prefix}-{w['id']}", notebook, ex.chapter, student)
                except MissingEntry:
                    g = None
                graded = g is not None and g.manual_score is not None
                score = min(float(g.score or 0.0), float(w["points"])) if graded else 0.0
                entries.append({"id": w["id"], "title": w["title"], "score": score,
                                "max_score": float(w["points"]), "graded": graded})
            out[ex.id] = entries
    return out


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------------ a class
def class_columns() -> list[str]:
    return [ex.id for ex in catalogue.load().exercises]


def write_class_csv(out: Path, students: list[str]) -> Path:
    """class.csv from the finished submissions in ``out`` (one row per student; missing ones say so); one column per
    exercise that some submission was graded on, in course order (a ch3 assignment has ch3's columns only)."""
    done = {name: json.loads((out / name / "done.json").read_text(encoding="utf-8"))
            for name in students if (out / name / "done.json").exists()}
    graded = {ex_id for s in done.values() for ex_id in s.get("exercises", {})}
    cols = [c for c in class_columns() if c in graded] or class_columns()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "score", "max_score", "exercises_passed", *cols, "status", "sandbox"])
    for name in students:
        if name not in done:
            w.writerow([name, "", "", "", *[""] * len(cols), "not graded yet", ""])
            continue
        s = done[name]
        ex = s.get("exercises", {})
        sb = s.get("sandbox") or {}
        sandbox = (f"landlock {sb.get('landlock')}, netns {'yes' if sb.get('netns') else 'no'}" if sb
                   else "none")
        w.writerow([name, _num(s.get("score", 0)), _num(s.get("max_score", 0)), s.get("passed", 0),
                    *[_num(ex[c]) if c in ex else "" for c in cols], s.get("status", "?"), sandbox])
    path = out / "class.csv"
    _atomic_write(path, buf.getvalue())
    return path


def _num(x) -> str:
    return f"{float(x):.2f}"


class Progress:
    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.errors, self.skipped = total, 0, 0, 0
        self.t0 = time.monotonic()
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.lock = threading.Lock()

    def update(self, name: str, summary: dict | None, skipped: bool = False):
        with self.lock:
            self.done += 1
            self.skipped += skipped
            if summary is not None and not str(summary.get("status", "")).startswith("graded"):
                self.errors += 1
            elapsed = time.monotonic() - self.t0
            graded = self.done - self.skipped
            eta = (elapsed / graded * (self.total - self.done)) if graded else 0
            width = 30
            fill = int(width * self.done / max(1, self.total))
            bar = "#" * fill + "." * (width - fill)
            what = "already graded" if skipped else (
                f"{summary.get('score', 0):g}/{summary.get('max_score', 0):g}" if summary else "?")
            line = (f"[{bar}] {self.done}/{self.total}  {name}: {what}  errors {self.errors}  "
                    f"{elapsed:.0f}s elapsed, ~{eta:.0f}s left")
            if self.tty:
                self.stream.write("\r\033[K" + line)
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()


def grade_class(class_dir: Path, out: Path, *, jobs: int | None = None, timeout: float = 30.0,
                memory_mib: int = 4096, budget: float = 1800.0, restart: bool = False, hide: list[str] = (),
                hidden_visibility: str = "after_published", assignment: list[str] | None = None,
                gradebook: Path | None = None) -> int:
    """Grade every student directory of ``class_dir`` in parallel; resumable. Returns the number of errors."""
    class_dir, out, students, progress, todo = class_batch(class_dir, out, restart=restart, assignment=assignment)
    jobs = jobs or max(1, os.cpu_count() or 1)
    errors = 0
    from grader import runner
    warm = bool(todo) and runner.warm_up() is not None   # the grading processes are forked from one warm process

    def one(name: str, fp: str) -> dict:
        dest = out / name
        if dest.exists():
            shutil.rmtree(dest)
        try:
            summary = grade_submission(class_dir / name, dest, timeout=timeout, memory_mib=memory_mib,
                                       budget=budget, hide=hide, hidden_visibility=hidden_visibility, quiet=True,
                                       assignment=assignment, warm=warm, gradebook=gradebook, student=name)
        except Exception:  # noqa: BLE001  (one submission never stops the batch)
            import traceback
            dest.mkdir(parents=True, exist_ok=True)
            (dest / "grade-log.txt").write_text(traceback.format_exc(), encoding="utf-8")
            summary = {"status": "error: grading failed; see grade-log.txt", "score": 0, "max_score": 0,
                       "exercises": {}}
        write_done(dest, fp, summary)
        return summary

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(one, name, fp): name for name, fp in todo}
        for fut in as_completed(futures):
            name = futures[fut]
            try:
                summary = fut.result()
            except Exception as e:  # noqa: BLE001  (one submission never stops the batch)
                summary = {"status": f"error: {type(e).__name__}: {e}"}
            errors += settle(out, students, progress, name, summary)
    return finish_batch(out, students, errors)


def class_batch(class_dir: Path, out: Path, *, restart: bool = False, assignment: list[str] | None = None):
    """The start of a class batch (here, or on a cluster: grader.cluster): the students (subdirectories of
    ``class_dir``), the progress bar, and those still to grade as (name, fingerprint) — a student whose done.json
    has the fingerprint of the files now is not graded again unless ``restart``. An unknown assignment fails here,
    before any student is graded. Returns (class_dir, out, students, progress, todo)."""
    if assignment:
        assignment_modules(assignment)
    class_dir, out = Path(class_dir).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    students = sorted(p.name for p in class_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    progress = Progress(len(students))
    todo = []
    for name in students:
        done = out / name / "done.json"
        fp = fingerprint(class_dir / name)
        if not restart and done.exists():
            try:
                if json.loads(done.read_text(encoding="utf-8")).get("fingerprint") == fp:
                    progress.update(name, None, skipped=True)
                    continue
            except (ValueError, OSError):
                pass
        todo.append((name, fp))
    catalogue.load()
    return class_dir, out, students, progress, todo


def write_done(dest: Path, fp: str, summary: dict) -> None:
    """A student graded: the summary with the fingerprint of the files graded (the resume rule reads it)."""
    summary["fingerprint"] = fp
    _atomic_write(dest / "done.json", json.dumps(summary, indent=1) + "\n")


def settle(out: Path, students: list[str], progress: "Progress", name: str, summary: dict) -> int:
    """One student's grading came back: the progress bar and class.csv say so. Returns 1 if it was an error."""
    progress.update(name, summary)
    write_class_csv(out, students)
    return 0 if str(summary.get("status", "")).startswith("graded") else 1


def finish_batch(out: Path, students: list[str], errors: int) -> int:
    path = write_class_csv(out, students)
    print(f"class results: {path}", file=sys.stderr)
    return errors


# what a student's own code has no business touching: the grading machinery (the in-kernel entry point, its cache,
# the feedback display, the test runner) and the interpreter's module table
_TAMPER = re.compile(r"\b(grader|nbgrade|KataCellFailure|set_custom_exc|pytest|hypothesis|sys\.modules|"
                     r"builtins|__builtins__|importlib)\b")


def tamper_flags(nb, released) -> list[str]:
    """Why a submitted notebook (as the student handed it in, before nbgrader restored its test cells) looks like
    it touched the grading machinery: a test cell edited or deleted, or a student cell that names the graders, the
    test runner or the module table."""
    from grader import nbcourse
    flags = []
    tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in (released.cells if released else [])
             if nbcourse.is_test_cell(c) and c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}
    seen = set()
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if gid in tests:
            seen.add(gid)
            if c.source.strip() != tests[gid].strip():
                flags.append(f"test cell {gid} was edited")
            continue
        for line in c.source.splitlines():
            m = _TAMPER.search(line.split("#", 1)[0])
            if m:
                flags.append(f"cell {gid or '(no id)'} names {m.group(1)!r}: {line.strip()[:100]}")
                break
    flags.extend(f"test cell {gid} was deleted" for gid in tests if gid not in seen)
    return flags


def regrade(course: Path, assignment: str | None = None, log=print, timeout: float = 30.0) -> list[dict]:
    """Regrade every autograded notebook the trusted way and compare with nbgrader's gradebook, test by test.

    Each submission (a student's assignment) is graded by grader.grading.grade_submission: its own grading process,
    the learner's code in the sandboxed worker, ``timeout`` seconds per test (the grading limit, not a cell limit),
    one submission apart from the next. Returns one row per notebook: student, assignment, notebook, the nbgrader
    and sandbox scores, ``differs`` ({cell: (nbgrader, sandbox, why)} where they differ: why is the sandbox's
    feedback) and ``flags`` (signs that the submission touched the grading machinery)."""
    import tempfile

    import nbformat
    from nbgrader.api import Gradebook

    from grader import nbcourse, scoring
    from grader.records import load
    course = Path(course).resolve()
    by_submission: dict[tuple[str, str], list[Path]] = {}
    for nb_path in sorted((course / "autograded").glob("*/*/*.ipynb")):
        student, assign = nb_path.parts[-3], nb_path.parts[-2]
        if not assignment or assign == assignment:
            by_submission.setdefault((student, assign), []).append(nb_path)
    rows = []
    cat = catalogue.load()
    from grader import runner
    warm = bool(by_submission) and runner.warm_up() is not None   # each grading process forked from a warm one
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb, \
            tempfile.TemporaryDirectory(prefix="katas-regrade-") as tmp:
        for (student, assign), paths in by_submission.items():
            out = Path(tmp) / student / assign
            summary = grade_submission(paths[0].parent, out, timeout=timeout, quiet=True, warm=warm)
            records = load(out / "records.json") if (out / "records.json").exists() else []
            cells: dict[str, tuple[float, str]] = {}
            for s in scoring.score([r for r in records if r.variant == "source"]):
                prefix = s.id.replace(".", "-")
                for t in s.tests:
                    why = next((ln for ln in t.feedback.splitlines()[1:] if ln.strip()), "") if t.feedback else \
                        (scoring.gated_note(t.record) if t.gated_by else "")
                    cells[f"{prefix}-{nbcourse.cell_name(t.test.split('::', 1)[-1])}"] = (t.score, why)
            for nb_path in paths:
                try:
                    nb = nbformat.read(str(nb_path), as_version=4)
                    module = nbcourse.module_of_notebook(nb, nb_path)
                except Exception as e:  # noqa: BLE001
                    log(f"{student}/{assign}/{nb_path.stem}: unreadable notebook ({e})")
                    continue
                ex = cat.by_module(module)
                if ex is None:
                    continue
                released_path = course / "release" / assign / nb_path.name
                released = nbformat.read(str(released_path), as_version=4) if released_path.exists() else None
                handed_in = course / "submitted" / student / assign / nb_path.name   # before nbgrader's repairs
                if handed_in.exists():
                    try:
                        handed = nbformat.read(str(handed_in), as_version=4)
                    except Exception:  # noqa: BLE001
                        handed = nb
                else:
                    handed = nb
                prefix = ex.id.replace(".", "-") + "-"
                ours = {k: v for k, v in cells.items() if k.startswith(prefix)}
                sub = gb.find_submission_notebook(nb_path.stem, assign, student)
                theirs = {g.name: (g.score or 0.0) for g in sub.grades if g.name.startswith(prefix)}
                names = sorted(set(ours) | {k for k in theirs if k in ours or not ours})
                diffs = {k: (theirs.get(k), ours.get(k, (0.0, ""))[0], ours.get(k, (0.0, "not graded"))[1])
                         for k in names if abs((theirs.get(k) or 0.0) - ours.get(k, (0.0, ""))[0]) > 1e-6}
                rows.append({"student": student, "assignment": assign, "notebook": nb_path.stem,
                             "nbgrader": round(sum(theirs.get(k, 0.0) for k in ours) if ours else
                                               sum(theirs.values()), 4),
                             "project": round(sum(v[0] for v in ours.values()), 4), "differs": diffs,
                             "flags": tamper_flags(handed, released), "status": summary.get("status", "")})
    return rows
