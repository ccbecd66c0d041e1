"""Grades that can't be gamed: a class of generated submissions — correct, buggy and hostile (tests/adversarial/) —
graded in parallel by ``katas grade-class`` with the learner's code sandboxed. Every attack scores 0 on the exercise
it attacks while the correct code beside it scores full; the class CSV is right; the same submission graded three
times gives the same results; an interrupted batch resumes. See docs/SANDBOX.md."""
from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader import ROOT, catalogue, loader
from grader.stubgen import generate_stub

TARGET = "ch2/calculus.py"            # the exercise every hostile submission attacks (one function: numerical_grad)
BESIDE = "ch2/gradient_descent.py"    # a correct exercise beside it, which must still score full
ADVERSARIAL = ROOT / "tests" / "adversarial"
EXPLOITS = sorted(p.stem for p in ADVERSARIAL.glob("*.py"))
COPIES = 3                            # the same (partly wrong) submission, graded three times
PER_TEST_TIMEOUT = 4.0
HIDDEN = "x is unchanged afterwards*"  # one test hidden until published (results.json visibility)


def _probe() -> dict:
    from grader.sandbox import Sandbox
    sb = Sandbox(timeout=30)
    try:
        sb.ensure()
        return dict(sb.info)
    finally:
        sb.close()


def _serve_solution(text: bytes) -> tuple[socket.socket, int]:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)

    def loop():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.sendall(text)
    threading.Thread(target=loop, daemon=True).start()
    return srv, srv.getsockname()[1]


def _points(module: str) -> float:
    return float(catalogue.load().by_module(module).points)


@pytest.fixture(scope="module")
def sandbox_info():
    return _probe()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, sandbox_info):
    base = tmp_path_factory.mktemp("graded-class")
    cls, out = base / "class", base / "out"
    solution = (ROOT / "solutions" / TARGET).read_text(encoding="utf-8")
    beside = (ROOT / "solutions" / BESIDE).read_text(encoding="utf-8")
    srv, port = _serve_solution(solution.encode())
    subs: dict[str, tuple[dict, dict]] = {}    # name -> ({module: source}, expectation)
    full, zero = _points(TARGET), 0.0
    for name in EXPLOITS:
        if name == "kill_grader" and _unblockable(name, sandbox_info):
            continue    # without Landlock ABI 6 it would really kill processes of this machine
        student = f"hostile_{name}"
        text = (ADVERSARIAL / f"{name}.py").read_text(encoding="utf-8")
        for key, value in {"ROOT": str(ROOT), "OUT": str(out), "CLASS": str(cls), "STUDENT": student,
                           "PORT": str(port)}.items():
            text = text.replace(f"@@{key}@@", value)
        subs[student] = ({TARGET: text, BESIDE: beside}, {"target": "zero"})
    for i in range(1, 4):
        subs[f"correct_{i}"] = ({TARGET: solution, BESIDE: beside}, {"target": "full"})
    mutants = loader.mutants_of(TARGET)
    names = sorted(mutants)
    with_variant = lambda spec: solution.rstrip("\n") + "\n\n\n" + spec["source"]  # noqa: E731
    for i in range(1, COPIES + 1):   # the same partly wrong submission, three times
        subs[f"same_{i}"] = ({TARGET: with_variant(mutants[names[0]]), BESIDE: beside}, {"target": "partial"})
    for m in names[1:4]:
        subs[f"buggy_{m}"] = ({TARGET: with_variant(mutants[m]), BESIDE: beside}, {"target": "partial"})
    for a, spec in sorted(loader.mutants_of(TARGET, "ALTERNATIVES").items()):
        subs[f"alternative_{a}"] = ({TARGET: with_variant(spec), BESIDE: beside}, {"target": "full"})
    subs["untouched_stubs"] = ({TARGET: generate_stub(solution, TARGET), BESIDE: generate_stub(beside, BESIDE)},
                               {"target": "zero", "beside": "zero"})
    subs["syntax_error"] = ({TARGET: "def numerical_grad(f, x, h=1e-5:\n    return x\n", BESIDE: beside},
                            {"target": "zero"})
    subs["only_one_module"] = ({BESIDE: beside}, {"target": "zero"})
    for student, (files, _) in subs.items():
        for module, text in files.items():
            p = cls / student / module
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
    cmd = [sys.executable, "-m", "grader", "grade-class", str(cls), "--out", str(out), "-j", str(os.cpu_count() or 2),
           "--timeout", str(PER_TEST_TIMEOUT), "--memory", "1024", "--budget", "600", "--hide", HIDDEN]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - t0
    srv.close()
    rows = {}
    csv_path = out / "class.csv"
    if csv_path.exists():
        rows = {r["student"]: r for r in csv.DictReader(csv_path.open(encoding="utf-8"))}
    return {"class": cls, "out": out, "subs": subs, "proc": proc, "rows": rows, "elapsed": elapsed,
            "cmd": cmd, "solution": solution}


def _ex_id(module: str) -> str:
    return catalogue.load().by_module(module).id


def test_class_of_at_least_30_is_graded(graded_class):
    g = graded_class
    assert len(g["subs"]) >= 30
    assert g["proc"].returncode == 0, g["proc"].stdout[-3000:] + g["proc"].stderr[-3000:]
    assert set(g["rows"]) == set(g["subs"]), "class.csv has one row per student"
    bad = {s: r["status"] for s, r in g["rows"].items() if r["status"] != "graded"}
    assert not bad, f"every submission graded, none errored: {bad}"
    print(f"\n{len(g['subs'])} submissions graded in {g['elapsed']:.1f} s")


def _unblockable(exploit: str, info: dict) -> str | None:
    """Why this machine cannot stop the exploit (None: it can). See docs/SANDBOX.md, "out of reach"."""
    abi = info.get("landlock") or 0
    if exploit in ("read_solutions", "import_solutions", "copy_classmate", "forged_results") and not abi:
        return "no Landlock on this kernel: file access cannot be confined"
    if exploit == "kill_grader" and abi < 6:
        return "Landlock ABI < 6: signals to the grader cannot be blocked on this kernel"
    if exploit == "network_fetch" and not info.get("netns") and abi < 4:
        return "neither a network namespace nor Landlock ABI >= 4 on this machine"
    return None


@pytest.mark.parametrize("exploit", EXPLOITS)
def test_exploit_scores_nothing_and_correct_code_beside_it_scores_full(graded_class, sandbox_info, exploit):
    why = _unblockable(exploit, sandbox_info)
    if why:
        pytest.skip(why)
    row = graded_class["rows"][f"hostile_{exploit}"]
    assert float(row[_ex_id(TARGET)]) == 0.0, f"{exploit}: the attacked exercise must score 0, got {row}"
    assert float(row[_ex_id(BESIDE)]) == _points(BESIDE), f"{exploit}: the correct exercise beside it: {row}"
    assert row["status"] == "graded"
    results = json.loads((graded_class["out"] / f"hostile_{exploit}" / "results.json").read_text())
    target_tests = [t for t in results["tests"] if t["name"].startswith(_ex_id(TARGET) + ":")]
    assert target_tests and all(t["status"] == "failed" and t["score"] == 0 for t in target_tests)


def test_correct_buggy_and_untouched_rows(graded_class, sandbox_info):
    rows, subs = graded_class["rows"], graded_class["subs"]
    total = sum(float(ex.points) for ex in catalogue.load().exercises)
    for student, (_, want) in subs.items():
        if student.startswith("hostile_") and _unblockable(student.removeprefix("hostile_"), sandbox_info):
            continue
        row = rows[student]
        target, beside = float(row[_ex_id(TARGET)]), float(row[_ex_id(BESIDE)])
        assert float(row["max_score"]) == total
        assert abs(float(row["score"]) - sum(float(row[ex.id] or 0) for ex in catalogue.load().exercises)) < 1e-6
        expect_target = want["target"]
        if expect_target == "full":
            assert target == _points(TARGET), (student, row)
        elif expect_target == "zero":
            assert target == 0.0, (student, row)
        else:
            assert 0.0 <= target < _points(TARGET), (student, row)
        assert beside == (0.0 if want.get("beside") == "zero" else _points(BESIDE)), (student, row)


def _daemons() -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "katas-daemon":
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def test_nothing_of_a_submission_outlives_its_grading(graded_class, sandbox_info):
    """tests/adversarial/detached_daemon.py leaves a setsid'd, sleeping grandchild behind; the worker's PID namespace
    ends it with the worker (Linux), so no such process is alive once the batch is done."""
    if not sandbox_info.get("pidns"):
        pytest.skip("no PID namespace on this kernel: a detached descendant of the worker can outlive it")
    time.sleep(0.5)
    left = _daemons()
    for pid in left:   # do not leave them running on this machine either
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    assert not left, f"processes started by a submission outlived its grading: {left}"


def test_forged_files_are_never_read(graded_class):
    out = graded_class["out"]
    student = "hostile_forged_results"
    summary = json.loads((out / student / "summary.json").read_text())
    assert summary["exercises"][_ex_id(TARGET)] == 0
    assert "all passed" not in (out / student / "results.json").read_text()
    assert f"{student},170" not in (out / "class.csv").read_text()
    assert not (ROOT / ".katas" / "results.json").exists() or \
        '"output": "all passed"' not in (ROOT / ".katas" / "results.json").read_text()


def test_same_submission_same_results(graded_class):
    """Graded three times (in separate processes, in parallel), one submission gets identical results."""
    out = graded_class["out"]
    seen = []
    for i in range(1, COPIES + 1):
        res = json.loads((out / f"same_{i}" / "results.json").read_text())
        res.pop("execution_time", None)
        seen.append(json.dumps(res, sort_keys=True))
    assert len(set(seen)) == 1
    assert any(t["status"] == "failed" and t["output"] for t in json.loads(seen[0])["tests"]), \
        "the compared submission has failures, so feedback text is compared too"


def test_batch_resumes_and_regrades_only_what_changed(graded_class):
    g = graded_class
    before = (g["out"] / "class.csv").read_text()
    changed = g["class"] / "correct_3" / TARGET
    changed.write_text(g["subs"]["syntax_error"][0][TARGET], encoding="utf-8")
    (g["out"] / "correct_2" / "done.json").unlink()            # as if interrupted while grading correct_2
    proc = subprocess.run(g["cmd"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    already = proc.stderr.count("already graded")
    assert already == len(g["subs"]) - 2, proc.stderr[-3000:]
    rows = {r["student"]: r for r in csv.DictReader((g["out"] / "class.csv").open(encoding="utf-8"))}
    assert float(rows["correct_3"][_ex_id(TARGET)]) == 0.0
    assert float(rows["correct_2"][_ex_id(TARGET)]) == _points(TARGET)
    unchanged = [ln for ln in before.splitlines() if not ln.startswith(("correct_3,", "correct_2,"))]
    after = (g["out"] / "class.csv").read_text().splitlines()
    assert all(ln in after for ln in unchanged)


def test_hidden_tests_stay_hidden_until_published(graded_class):
    res = json.loads((graded_class["out"] / "correct_1" / "results.json").read_text())
    vis = {t["name"]: t["visibility"] for t in res["tests"]}
    hidden = [n for n in vis if n.startswith(_ex_id(TARGET) + ": x is unchanged afterwards")]
    assert len(hidden) == 1 and vis[hidden[0]] == "after_published"
    assert all(v == "visible" for n, v in vis.items() if n not in hidden)


def test_notebook_submission_graded_sandboxed(tmp_path):
    """The course's notebooks (here: chapter 2's source notebooks, which hold the solutions) grade to full marks."""
    course = tmp_path / "course"
    subprocess.run([sys.executable, "-m", "grader", "course", "build", str(course), "--chapters", "ch2"], cwd=ROOT,
                   check=True, capture_output=True)
    out = tmp_path / "graded"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(course / "source"), "--out", str(out),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    ch2 = [ex for ex in catalogue.load().exercises if ex.module.startswith("ch2/")]
    assert all(summary["exercises"][ex.id] == float(ex.points) for ex in ch2), summary["exercises"]
    # a chapter's notebooks are graded out of that chapter only (not 170 points with every later chapter "not
    # started"), and results.json lists that chapter's exercises only
    assert set(summary["exercises"]) == {ex.id for ex in ch2}, sorted(summary["exercises"])
    assert summary["max_score"] == sum(ex.points for ex in ch2)
    results = json.loads((out / "results.json").read_text())
    assert {t["name"].split(":", 1)[0] for t in results["tests"]} <= {ex.id for ex in ch2}


def test_interrupted_batch_resumes(tmp_path):
    """Kill a batch after its first submission is graded; the rerun grades only the rest."""
    import signal
    cls, out = tmp_path / "class", tmp_path / "out"
    beside = (ROOT / "solutions" / BESIDE).read_text(encoding="utf-8")
    names = ["ann", "ben", "cat"]
    for name in names:
        (cls / name / "ch2").mkdir(parents=True)
        (cls / name / BESIDE).write_text(beside, encoding="utf-8")
    cmd = [sys.executable, "-m", "grader", "grade-class", str(cls), "--out", str(out), "-j", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list(out.glob("*/done.json")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_first = {p.parent.name for p in out.glob("*/done.json")}
    assert 1 <= len(done_first) < len(names)
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert rerun.stderr.count("already graded") == len(done_first)
    rows = {r["student"]: r for r in csv.DictReader((out / "class.csv").open(encoding="utf-8"))}
    assert set(rows) == set(names)
    assert all(r["status"] == "graded" and float(r[_ex_id(BESIDE)]) == _points(BESIDE) for r in rows.values())
