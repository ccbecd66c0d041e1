"""``katas`` — the learner's daily tool (also ``python katas.py …`` from the repository root).

    katas board [TREE]           progress board: chapters, exercises, status, points, what to do next
    katas check [TARGET] [-- …]  grade exercises (all, a chapter "ch3" or a module "ch3/softmax_regression")
    katas hint ID [--all]        reveal the next hint for an exercise (ids as on the board)
    katas written [ID] [--rubric] the written proofs (ch4.relu_proofs) for self-study: prompts, answer file, rubric
    katas stubs [--force]        (re)generate exercises/ from solutions/; edited files are kept (or backed up)
    katas stubs --check          fail if exercises/ drifted from solutions/
    katas watch [TARGET]         re-grade a module every time you save it (Ctrl-C to stop)
    katas selfcheck [TARGET]     prove the graders can fail (solution passes, stub and buggy variants rejected)
    katas new CHAPTER/MODULE     start a new exercise (maintainers): solution, graders, variants, catalogue entry
    katas test                   the project's whole test suite (what CI runs)
    katas course build [DIR]     write the nbgrader course (source notebooks + nbgrader_config.py) to DIR
    katas course regrade DIR     regrade collected notebooks in the sandbox; list differences and flags
    katas grade SUBMISSION       grade for marks: learner code sandboxed; results.json, board (see docs/SANDBOX.md)
    katas grade-class CLASS      grade every student directory of CLASS in parallel; class.csv; resumable
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from grader import ROOT, catalogue, command, console_safe, digest, stubgen
from grader.records import Record

STATE_DIR = ROOT / ".katas"


def _pad(s: str, n: int) -> str:
    """Pad (or cut, with an ellipsis) to n terminal columns, by rich's cell widths (CJK characters take two)."""
    from rich.cells import cell_len, set_cell_size
    if cell_len(s) > n:
        s = set_cell_size(s, n - 2) + "… "
    return set_cell_size(s, n)


def _colour(text: str, code: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


# ------------------------------------------------------------------------------------------------ grading
def run_graders(tree: Path, modules: list[str], extra: list[str] | None = None) -> list[Record]:
    """Run the graders for ``modules`` against ``tree`` in this process; return the per-test records."""
    if not modules:
        return []
    from grader import runner
    result = runner.run([tree / m for m in modules], tree=tree, extra=extra or ())
    if not result.ran:
        raise RuntimeError("the graders did not run:\n" + result.output[-3000:])
    return result.records


def grade_tree(tree: Path, chapters: list[str] | None = None) -> tuple[list, float]:
    """Score every catalogue exercise in ``tree``; untouched stubs are not run (they score 0, "not started")."""
    from grader import scoring
    t0 = time.perf_counter()
    cat = catalogue.load()
    untouched, to_run = set(), []
    for ex in cat.exercises:
        if chapters and ex.chapter not in chapters:
            continue
        if tree.resolve() == (ROOT / "exercises").resolve() and stubgen.is_untouched(ex.module):
            untouched.add(ex.module)
        elif (tree / ex.module).exists():
            to_run.append(ex.module)
        else:
            untouched.add(ex.module)
    records = _cached_graders(tree, to_run)
    return scoring.score(records, untouched=untouched), time.perf_counter() - t0


def _cached_graders(tree: Path, modules: list[str]) -> list[Record]:
    """The graders' records of ``modules``, re-run only for a module whose file (or whose graders, or the engine)
    changed since the last board: results are cached in .katas/board-cache.json by content."""
    cache_file = STATE_DIR / "board-cache.json"
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    engine = digest([*sorted((ROOT / "grader").rglob("*.py")), ROOT / "grader" / "catalogue.toml",
                     *sorted((ROOT / "tests").glob("*.py"))])
    here = cache.pop(str(tree.resolve()), {})
    cache[str(tree.resolve())] = here          # most recent last; the cache keeps the last 8 trees
    for old in list(cache)[:-8]:
        del cache[old]
    keys, stale = {}, []
    for m in modules:
        chapter, name = m.split("/", 1)
        keys[m] = digest([tree / m, ROOT / "tests" / chapter / f"test_{name}"]) + engine
        if here.get(m, {}).get("key") != keys[m]:
            stale.append(m)
    fresh = run_graders(tree, stale) if stale else []
    for m in stale:
        here[m] = {"key": keys[m], "records": [r.to_dict() for r in fresh if r.module == m]}
    for m in [m for m in here if m not in keys]:
        del here[m]
    if stale:
        STATE_DIR.mkdir(exist_ok=True)
        tmp = cache_file.with_name(cache_file.name + ".tmp")
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        os.replace(tmp, cache_file)
    return [Record.from_dict(r) for m in modules for r in here[m]["records"]]


def _failing_reason(score) -> str | None:
    """Why a failing module fails when it is one thing for every test: it cannot be imported, or it hangs."""
    texts = [t.feedback for t in score.tests if not t.passed]
    from grader.loader import IMPORT_ERROR
    for marker in (IMPORT_ERROR, "stopped after "):
        hit = next((line for text in texts for line in text.splitlines() if line.startswith(marker)), None)
        if hit:
            return hit if len(hit) <= 100 else hit[:99] + "…"
    return None


def cmd_board(args) -> int:
    from grader import scoring
    tree = Path(args.tree).resolve() if args.tree else ROOT / "exercises"
    scores, elapsed = grade_tree(tree)
    by_id = {s.id: s for s in scores}
    cat = catalogue.load()
    total = sum(s.earned for s in scores)
    maxp = sum(s.points for s in scores)
    npassed = sum(s.status == "passed" for s in scores)
    try:
        shown_tree = tree.relative_to(ROOT).as_posix()
    except ValueError:
        shown_tree = str(tree)
    print(f"d2l-katas · 动手学深度学习 练习   {shown_tree}/   {total:.2f} / {maxp:g} points   "
          f"{npassed} of {len(scores)} exercises passed")
    pictures = STATE_DIR / "pictures"
    for ch in cat.chapters:
        exs = [by_id[e.id] for e in cat.exercises if e.chapter == ch.id and e.id in by_id]
        if not exs:
            continue
        ch_total, ch_max = sum(s.earned for s in exs), sum(s.points for s in exs)
        print()
        if ch.id == "papers":   # the paper katas are a section of their own, after the book's chapters
            print("── 论文精读 · Reading papers " + "─" * 48)
            print()
        print(_pad(f"{ch.id}  {ch.title_zh} {ch.title_en}", 70) + f"{ch_total:6.2f} / {ch_max:g}")
        for s in exs:
            ex = cat.by_id(s.id)
            mark, colour = {"passed": ("✔", "32"), "failing": ("✘", "31"), "not started": ("·", "2")}[s.status]
            tests = f"{s.passed_tests}/{len(s.tests)} tests" if s.tests else ""
            line = (f"  {mark} {_pad(s.id, 26)}{_pad(ex.title_zh, 28)}{_pad(s.status, 12)}"
                    f"{s.earned:6.2f} / {s.points:<4g} {tests}")
            print(_colour(line, colour))
            if ex.written:
                print(f"      + {len(ex.written)} written proofs ({sum(w['points'] for w in ex.written)} pts, graded by "
                      f"hand in class): {command('written ' + ex.id)}")
            reason = _failing_reason(s) if s.status == "failing" else None
            if reason:
                print(_colour(f"      {reason}", colour))
            for pic in sorted(pictures.glob(s.id.replace(".", "_") + "_*.png")) if pictures.is_dir() else ():
                print(f"      picture: {pic.relative_to(ROOT).as_posix()}")
    todo = [s for s in scores if s.status != "passed"]
    print()
    if todo:
        nxt = next((s for s in todo if s.status == "failing"), todo[0])   # the module in progress first
        ex = cat.by_id(nxt.id)
        print(f"next: {nxt.id} — {ex.title_en}" + (f" (d2l-zh §{ex.d2l})" if ex.d2l else ""))
        check_cmd = command(f"check {shown_tree}/{ex.module}")
        print(f"      edit {shown_tree}/{ex.module}, then run: {check_cmd}")
        print(f"      stuck? {command('hint ' + nxt.id)}")
    else:
        print("every exercise passes — 恭喜!")
    out = Path(args.results) if args.results else STATE_DIR / "results.json"
    scoring.write_results(out, scores, elapsed)
    try:
        out_shown = out.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        out_shown = str(out)
    print(f"results: {out_shown} (Gradescope results.json)   graded in {elapsed:.1f}s")
    return 0


def _one_function(t: str) -> str:
    """`ch3/softmax_regression::softmax`, `ch3.softmax_regression.softmax`: the exercise file's path, "::", the
    function (pytest runs the tests that use it). Anything else is returned as it is."""
    cat = catalogue.load()
    head, sep, fn = t.partition("::")
    if not sep:
        head, _, fn = t.rpartition(".")
    if not head or not fn:
        return t
    key = head.strip("/").removesuffix(".py").removeprefix("exercises/")
    ex = next((e for e in cat.exercises if key in (e.id, e.module.removesuffix(".py"))), None)
    if ex is None or fn not in ex.functions:
        return t
    return f"exercises/{ex.module}::{fn}"


def cmd_check(args) -> int:
    import pytest
    targets = []
    for t in args.targets or ["exercises"]:
        t = _one_function(t)
        p = Path(t.split("::", 1)[0])
        if "::" in t and (p.exists() or (ROOT / p).exists()):
            targets.append(str(p if p.exists() else ROOT / p) + "::" + t.split("::", 1)[1])
        elif not p.exists() and not (ROOT / p).exists():
            found = catalogue.load().find(t)
            if not found:
                print(f"no exercise or chapter called {t!r} (see `{command('board')}`)")
                return 2
            paths = sorted({f"exercises/{e.chapter}" if t.strip("/") == e.chapter else f"exercises/{e.module}"
                            for e in found})
            targets.extend(str(ROOT / x) for x in paths)
        else:
            targets.append(t)
    # the project's configuration wherever the tree is (a copy of exercises/ outside the clone is graded too)
    return int(pytest.main([*targets, "-c", str(ROOT / "pyproject.toml"), f"--rootdir={ROOT}", *args.pytest_args]))


def cmd_written(args) -> int:
    """The written answers of an exercise (the proofs of ch4.relu_proofs) for self-study: the prompts, an answer file
    beside the exercise (created once, never overwritten), and the rubric on request."""
    cat = catalogue.load()
    found = [ex for ex in cat.find(args.id) if ex.written] if args.id else [ex for ex in cat.exercises if ex.written]
    if not found:
        ids = ", ".join(ex.id for ex in cat.exercises if ex.written)
        print(f"no written answers for {args.id!r}; exercises with written answers: {ids}")
        return 2
    for ex in found:
        answers = ROOT / "exercises" / ex.module.replace(".py", ".answers.md")
        if not answers.exists():
            answers.parent.mkdir(parents=True, exist_ok=True)
            answers.write_text("".join(
                f"# {w['title']} ({w['points']} pts)\n\n> " + w["prompt"].replace("\n", "\n> ") +
                "\n\n你的证明 · Your answer:\n\n\n" for w in ex.written), encoding="utf-8")
        print(f"{ex.id} — written answers, graded by hand in the nbgrader course; for self-study write them in "
              f"{answers.relative_to(ROOT).as_posix()}")
        for w in ex.written:
            print(f"\n## {w['title']} ({w['points']} pts)\n{w['prompt']}")
            if args.rubric:
                print(f"\nrubric · 评分标准:\n{w['rubric']}")
        if not args.rubric:
            print(f"\nwritten yours? compare with the rubric: {command('written ' + ex.id + ' --rubric')}")
    return 0


def cmd_hint(args) -> int:
    from grader import hints
    return hints.show(args.id, all_hints=args.all)


def cmd_stubs(args) -> int:
    if args.check:
        problems = stubgen.drift(strict=args.strict)
        for p in problems:
            print("drift:", p)
        print("exercises/ is in sync with solutions/" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    actions = stubgen.regenerate(force=args.force, only=[m.replace("\\", "/") for m in args.modules] or None)
    counts: dict[str, int] = {}
    for a in actions.values():
        counts[a] = counts.get(a, 0) + 1
    print("stubs: " + ", ".join(f"{n} {a}" for a, n in sorted(counts.items())))
    return 0


def cmd_watch(args) -> int:
    """Grade the current exercise at once and on every save; keys for next / hint / list / check all / reset / quit
    (grader/watch.py)."""
    from grader import watch
    tree = Path(args.tree).resolve() if args.tree else ROOT / "exercises"
    return watch.main(tree, args.target, clear=not args.no_clear)


def cmd_course(args) -> int:
    from grader import nbcourse
    if args.action == "build":
        out = Path(args.dir or ROOT / "course")
        paths = nbcourse.build_course(out, chapters=args.chapters or None, force=args.force,
                                      grader_timeout=args.grader_timeout)
        chapters = sorted({p.parent.name for p in paths}, key=catalogue.chapter_key)
        print(f"course written to {out}: {len(paths)} notebooks in {len(chapters)} assignments "
              f"({', '.join(chapters)})")
        print(f"next: cd {out} && nbgrader generate_assignment {chapters[0] if chapters else 'ch2'}")
        return 0
    items = [args.assignment] if args.assignment else (args.chapters or [])
    if args.action in ("classroom", "gradescope") and not items:
        print(f"katas course {args.action} --assignment ID [--out FILE]: ID is a chapter or an exercise (ch3, "
              "ch3.losses); --chapters ch2 ch3 for several")
        return 2
    if args.action == "classroom":
        from grader import gradescope
        try:
            text = gradescope.classroom_workflow(items)
        except ValueError as e:
            print(f"katas course classroom: {e}")
            return 2
        out = Path(args.out or ".github/workflows/classroom.yml")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"GitHub Classroom workflow for {', '.join(items)}: {out} (commit it to the assignment's template "
              "repository)")
        return 0
    if args.action == "gradescope":
        from grader import gradescope
        try:
            out = gradescope.build(Path(args.out or args.dir or f"{'-'.join(items)}-autograder.zip"), items)
        except ValueError as e:
            print(f"katas course gradescope: {e}")
            return 2
        print(f"Gradescope autograder for {', '.join(items)}: {out} (upload it as the assignment's autograder)")
        return 0
    if not args.dir:
        print("katas course regrade DIR: DIR is the course directory (with autograded/ and gradebook.db)")
        return 2
    from grader import grading
    rows = grading.regrade(Path(args.dir), assignment=args.assignment)
    bad = [r for r in rows if r["differs"]]
    flagged = [r for r in rows if r["flags"]]
    for r in rows:
        flag = ("DIFFERS" if r["differs"] else "same") + ("  FLAGGED" if r["flags"] else "")
        print(f"{r['student']:16} {r['assignment']:5} {r['notebook']:24} nbgrader {r['nbgrader']:7.2f}  "
              f"sandbox {r['project']:7.2f}  {flag}")
        for cell, (theirs, ours, why) in r["differs"].items():
            print(f"    {cell}: nbgrader said {theirs}, the sandbox {ours}" + (f" — {why}" if why else ""))
        for f in r["flags"]:
            print(f"    flag: {f}")
    print(f"{len(rows)} notebooks regraded in the sandbox, one submission at a time; {len(bad)} differ from "
          f"nbgrader's gradebook; {len(flagged)} flagged as touching the grading machinery")
    return 1 if bad or flagged else 0


def _pytest_cmd() -> list[str]:
    return [sys.executable, "-m", "pytest"]


def _xdist_args() -> list[str]:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return []
    n = min(os.cpu_count() or 1, 4)
    # one test file per worker at a time: a module's variants stay in one process, so a variant rejected there is
    # not run again (the self-check's early stop) and each module is loaded once per worker; in collection order,
    # not xdist's default of the files with most tests first (the engine's few long tests would start last:
    # tests/engine/conftest.py puts them first)
    return ["-n", str(n), "--dist", "loadfile", "--no-loadscope-reorder"] if n > 1 else []


def cmd_selfcheck(args) -> int:
    targets = [str(ROOT / "solutions" / t) for t in args.targets] or [str(ROOT / "solutions")]
    return subprocess.call([*_pytest_cmd(), *targets, "--katas-selfcheck", "-q", *_xdist_args()], cwd=ROOT)


def cmd_new(args) -> int:
    from grader import scaffold
    try:
        written = scaffold.new_exercise(args.module, function=args.function, title_en=args.title_en,
                                        title_zh=args.title_zh, d2l=args.d2l, seed_lines=args.seed_lines,
                                        points=args.points, chapter_en=args.chapter_en, chapter_zh=args.chapter_zh)
    except (ValueError, FileExistsError) as e:
        print(f"katas new: {e}", file=sys.stderr)
        return 2
    for p in written:
        print("wrote", p.relative_to(ROOT))
    module = args.module.removesuffix(".py") + ".py"
    print(f"next: write the solution and its graders, then\n"
          f"  python -m pytest solutions/{module} -q --katas-selfcheck\n"
          f"  python -m grader stubs {module}")
    return 0


def cmd_test(args) -> int:
    """The whole test suite: engine tests, drift check, every grader on solutions, stubs, correct alternatives and
    buggy variants; then the self-check again with the learner's code in the sandbox (what `katas grade` uses for
    marks). The sandboxed pass runs the solutions, stubs and alternatives in full, and each buggy variant on the one
    test that rejected it in the first pass (recorded there): what only the sandbox can change
    is how learner code runs (the worker, the wire, the guard, the limits), so it must reach the same verdict with
    the same feedback; which test rejects a variant is the graders' business, settled in the first pass
    (docs/SANDBOX.md, "What the test command proves")."""
    from grader import selfcheck
    times_dir = Path(args.times) if getattr(args, "times", None) else STATE_DIR / "test-times"
    times_dir.mkdir(parents=True, exist_ok=True)
    rejections = times_dir / "rejections.json"   # pass 1's record; the sandboxed pass runs each variant on it
    rejections.unlink(missing_ok=True)

    def times(name):   # per-test times of the last run: `scripts/benchmark.py --where` says where they went
        return [f"--junitxml={times_dir / name}"]
    cmd = [*_pytest_cmd(), "tests", "--katas-selfcheck", "-q", *_xdist_args(), f"--katas-rejections={rejections}",
           "--durations=15", *times("pass1.xml"), *args.pytest_args]
    print("+", " ".join(cmd[1:]), flush=True)
    walls = {}
    t0 = time.monotonic()
    rc = subprocess.call(cmd, cwd=ROOT)
    walls["pass1"] = round(time.monotonic() - t0, 1)
    if rejections.exists() and not args.pytest_args:
        stale = selfcheck.record_drift(rejections, selfcheck.read_record(selfcheck.RECORD))
        if stale:
            print("katas test: " + stale, flush=True)
    chapters = [f"tests/{c}" for c in sorted((p.name for p in (ROOT / "tests").iterdir()
                                               if p.is_dir() and catalogue.is_chapter(p.name)),
                                              key=catalogue.chapter_key)]
    cmd = [*_pytest_cmd(), *chapters, "--katas-selfcheck", "--katas-sandbox", "-q", *_xdist_args(),
           f"--katas-only-rejecting={rejections}", "--durations=10", *times("sandboxed.xml"), *args.pytest_args]
    print("+", " ".join(cmd[1:]), flush=True)
    t0 = time.monotonic()
    rc_sandboxed = subprocess.call(cmd, cwd=ROOT)
    walls["sandboxed"] = round(time.monotonic() - t0, 1)
    walls["modules"] = len(catalogue.load().exercises)
    (times_dir / "walls.json").write_text(json.dumps(walls) + "\n")   # benchmark.py --where projects them
    print(f"katas test: pass 1 {walls['pass1']:.0f} s (rc {rc}), sandboxed pass {walls['sandboxed']:.0f} s "
          f"(rc {rc_sandboxed}), {walls['modules']} modules", flush=True)
    return rc or rc_sandboxed


def _unknown_assignment(args) -> bool:
    """Say so (and return True) when --assignment names no chapter or exercise, before anything is graded."""
    from grader import grading
    try:
        grading.assignment_modules(args.assignment or ())
    except ValueError as e:
        print(f"katas {args.cmd}: {e}", file=sys.stderr)
        return True
    return False


def cmd_grade(args) -> int:
    from grader import grading
    if _unknown_assignment(args):
        return 2
    sub = Path(args.submission)
    if not sub.is_dir():
        print(f"katas grade: {sub} is not a directory", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path.cwd() / "graded" / sub.resolve().name
    summary = grading.grade_submission(sub, out, timeout=args.timeout, memory_mib=args.memory, budget=args.budget,
                                       hide=args.hide or [], hidden_visibility=args.hidden_visibility,
                                       quiet=args.quiet, assignment=args.assignment, gradebook=args.gradebook,
                                       student=args.student)
    if not args.quiet:
        print(f"{summary.get('status')}: {summary.get('score', 0):g}/{summary.get('max_score', 0):g} "
              f"in {summary.get('seconds', 0):.1f} s; results in {out}")
    return 0 if str(summary.get("status", "")).startswith("graded") else 1


def cmd_grade_class(args) -> int:
    from grader import grading
    if _unknown_assignment(args):
        return 2
    if args.scheduler:
        try:
            from grader import cluster
        except ImportError as e:   # pragma: no cover - dev extra missing
            print(f"katas grade-class --scheduler needs dask.distributed ({e}): pip install -e '.[dev]'",
                  file=sys.stderr)
            return 2
        errors = cluster.grade_class_on(args.scheduler, Path(args.class_dir), Path(args.out), timeout=args.timeout,
                                        memory_mib=args.memory, budget=args.budget, restart=args.restart,
                                        hide=args.hide or [], hidden_visibility=args.hidden_visibility,
                                        assignment=args.assignment, gradebook=args.gradebook)
        return 1 if errors else 0
    errors = grading.grade_class(Path(args.class_dir), Path(args.out), jobs=args.jobs, timeout=args.timeout,
                                 memory_mib=args.memory, budget=args.budget, restart=args.restart,
                                 hide=args.hide or [], hidden_visibility=args.hidden_visibility,
                                 assignment=args.assignment, gradebook=args.gradebook)
    return 1 if errors else 0


def _grade_options(p):
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per test for the learner's code (30)")
    p.add_argument("--memory", type=int, default=4096, help="MiB of memory for the learner's code (4096)")
    p.add_argument("--budget", type=float, default=1800.0, help="seconds for a whole submission (1800)")
    p.add_argument("--hide", action="append", metavar="GLOB",
                   help="hide tests whose title or id matches (also @pytest.mark.hidden); repeatable")
    p.add_argument("--assignment", action="append", metavar="ID",
                   help="grade only this chapter or exercise (ch3, ch3.losses); repeatable. results.json, "
                        "board.txt and class.csv count only what was assigned")
    p.add_argument("--gradebook", metavar="DB", help="nbgrader's gradebook.db: the written answers graded by hand "
                   "there (ch4.relu_proofs' proofs) count in results.json, board.txt and class.csv")
    p.add_argument("--hidden-visibility", default="after_published",
                   choices=["hidden", "after_due_date", "after_published", "visible"],
                   help="Gradescope visibility of hidden tests (default after_published)")


def main(argv: list[str] | None = None) -> int:
    console_safe()
    parser = argparse.ArgumentParser(prog="katas", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--lang", choices=("en", "zh"), default=None,
                        help="language of hints and feedback (default: KATAS_LANG, else the locale) · 提示与反馈的语言")
    sub = parser.add_subparsers(dest="cmd")
    p = sub.add_parser("board", help="show the progress board and write results.json")
    p.add_argument("tree", nargs="?", help="directory shaped like exercises/ (default: exercises/)")
    p.add_argument("--results", help="where to write Gradescope results.json (default .katas/results.json)")
    p.set_defaults(fn=cmd_board)
    p = sub.add_parser("check", help="grade exercises with full feedback")
    p.add_argument("targets", nargs="*")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("hint", help="reveal the next hint of an exercise")
    p.add_argument("id")
    p.add_argument("--all", action="store_true", help="show every hint")
    p.set_defaults(fn=cmd_hint)
    p = sub.add_parser("written", help="the written proofs of an exercise (ch4.relu_proofs): prompts, rubric")
    p.add_argument("id", nargs="?", help="an exercise id (default: every exercise with written answers)")
    p.add_argument("--rubric", action="store_true", help="also show the rubric (what a full answer contains)")
    p.set_defaults(fn=cmd_written)
    p = sub.add_parser("stubs", help="regenerate exercises/ from solutions/")
    p.add_argument("modules", nargs="*", help="only these modules, e.g. ch3/softmax_regression.py")
    p.add_argument("--force", action="store_true", help="also overwrite edited exercises (a backup is kept)")
    p.add_argument("--check", action="store_true", help="only check for drift")
    p.add_argument("--strict", action="store_true", help="with --check: exercise files must equal the stubs")
    p.set_defaults(fn=cmd_stubs)
    p = sub.add_parser("watch", help="grade as you work: at once, on every save, then the next exercise "
                                     "(keys: n next, h hint, l list, c check all, r reset, q quit)")
    p.add_argument("target", nargs="?", help="a chapter or exercise (default: the whole course)")
    p.add_argument("--tree", help="the tree to watch (default: exercises/)")
    p.add_argument("--no-clear", action="store_true", help="do not clear the screen before each grading")
    p.set_defaults(fn=cmd_watch)
    p = sub.add_parser("selfcheck", help="prove the graders can fail")
    p.add_argument("targets", nargs="*", help="e.g. ch3 or ch3/softmax_regression.py")
    p.set_defaults(fn=cmd_selfcheck)
    p = sub.add_parser("course", help="the nbgrader course: build it, or regrade collected notebooks")
    p.add_argument("action", choices=["build", "regrade", "gradescope", "classroom"])
    p.add_argument("dir", nargs="?", help="course directory (build default: ./course); gradescope: the zip to write "
                                          "(default ID-autograder.zip)")
    p.add_argument("--chapters", nargs="*", help="only these chapters, e.g. ch2 ch3")
    p.add_argument("--assignment", help="regrade: only this assignment; gradescope: the chapter or exercise")
    p.add_argument("--out", help="gradescope: the zip to write (default ID-autograder.zip); classroom: the workflow "
                                 "(default .github/workflows/classroom.yml)")
    p.add_argument("--force", action="store_true", help="build: also overwrite nbgrader_config.py")
    p.add_argument("--grader-timeout", type=float, default=10.0,
                   help="build: seconds one grader may run inside the kernel before it fails as stuck")
    p.set_defaults(fn=cmd_course)
    p = sub.add_parser("grade", help="grade one submission for marks (sandboxed)")
    p.add_argument("submission", help="a directory shaped like exercises/, or with the course's notebooks")
    p.add_argument("--out", help="where results.json, board.txt and records.json go (default ./graded/NAME)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--student", help="with --gradebook: the student's id there (default: the submission's folder name)")
    _grade_options(p)
    p.set_defaults(fn=cmd_grade)
    p = sub.add_parser("grade-class", help="grade every submission of a class in parallel (sandboxed)")
    p.add_argument("class_dir", help="one subdirectory per student")
    p.add_argument("--out", required=True, help="results: OUT/<student>/results.json and OUT/class.csv")
    p.add_argument("-j", "--jobs", type=int, default=None, help="submissions graded at once (default: CPU count)")
    p.add_argument("--restart", action="store_true", help="regrade everything, even submissions already graded")
    p.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster: tcp://HOST:8786, or local:N for "
                   "a local cluster of N worker processes (pip install -e '.[dev]')")
    _grade_options(p)
    p.set_defaults(fn=cmd_grade_class)
    p = sub.add_parser("new", help="start a new exercise: solution, graders, variants, catalogue entry (maintainers)")
    p.add_argument("module", help="CHAPTER/name, e.g. ch6/conv (a new chapter gets its __init__ files and entry)")
    p.add_argument("--function", default="todo", help="the first function's name")
    p.add_argument("--title-en", default="TODO title")
    p.add_argument("--title-zh", default="待定标题")
    p.add_argument("--d2l", default="0.0", help="d2l-zh section, e.g. 6.2")
    p.add_argument("--seed-lines", default="S:L?", help="the seed notes' lines, e.g. S:L11")
    p.add_argument("--points", type=int, default=5)
    p.add_argument("--chapter-en", default="TODO chapter", help="a new chapter's English title")
    p.add_argument("--chapter-zh", default="待定章节", help="a new chapter's Chinese title")
    p.set_defaults(fn=cmd_new)
    p = sub.add_parser("test", help="the project's whole test suite")
    p.add_argument("--times", metavar="DIR", help="where each pass's per-test times go (JUnit XML; default "
                                                   ".katas/test-times; scripts/benchmark.py --where reads them)")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(fn=cmd_test)
    argv = list(sys.argv[1:] if argv is None else argv)
    # `katas check ch2 -- -v`: what follows "--" goes to pytest as is (argparse would read it as more targets)
    passed_on = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    args = parser.parse_args(argv)
    from grader import i18n
    i18n.set_lang(args.lang)
    if hasattr(args, "pytest_args"):
        args.pytest_args = [*args.pytest_args, *passed_on]
    elif passed_on:
        parser.error(f"`katas {args.cmd}` passes nothing on to pytest (got: {' '.join(passed_on)})")
    if not getattr(args, "fn", None):
        parser.print_help()
        return 0
    return args.fn(args)
