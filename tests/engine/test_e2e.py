"""End to end, in subprocesses, as a learner or a maintainer would run things."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


from grader import ROOT, scoring

CORRECT_CALCULUS = '''import torch


def numerical_grad(f, x, h=1e-5):
    # written differently from the reference: a basis matrix and a list comprehension
    x = x.double()
    basis = torch.eye(len(x), dtype=torch.float64)
    return torch.tensor([(float(f(x + h * e)) - float(f(x - h * e))) / (2 * h) for e in basis],
                        dtype=torch.float64)
'''


def run(args, cwd=ROOT, env=None, timeout=300):
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    full_env.pop("PYTEST_XDIST_WORKER", None)
    full_env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def test_pytest_on_a_learner_tree_grades_it_without_touching_solutions(tmp_path):
    """`pytest <tree>/ch2/calculus.py` grades that tree; a correct answer written differently gets full marks;
    nothing under solutions/ is opened or imported."""
    tree = tmp_path / "mywork"
    (tree / "ch2").mkdir(parents=True)
    (tree / "ch2" / "calculus.py").write_text(CORRECT_CALCULUS)
    report, spy = tmp_path / "report.json", tmp_path / "spy.json"
    r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2" / "calculus.py"), "-q",
             "-p", "tests.engine.spy_plugin",
             f"--katas-report={report}"], env={"KATAS_SPY_OUT": str(spy)})
    assert r.returncode == 0, r.stdout + r.stderr
    records = json.loads(report.read_text())
    assert records and all(rec["passed"] and rec["module"] == "ch2/calculus.py" for rec in records)
    (s,) = scoring.score(records)
    assert s.status == "passed" and s.earned == s.points
    seen = json.loads(spy.read_text())
    assert seen["opened"] == [] and all(m.startswith("_kata.mywork.") for m in seen["modules"]), seen


def test_the_untouched_stub_scores_zero_and_says_not_started(tmp_path):
    r = run(["-m", "pytest", "exercises/ch2/calculus.py", "-q"], env={"CI": ""})
    assert r.returncode == 1
    assert "not started" in r.stdout and "Traceback" not in r.stdout
    assert "0.00/5" in r.stdout


def test_feedback_is_for_a_learner_and_traceback_on_request(tmp_path):
    tree = tmp_path / "t"
    (tree / "ch2").mkdir(parents=True)
    (tree / "ch2" / "calculus.py").write_text(
        "import torch\n\ndef numerical_grad(f, x, h=1e-5):\n"
        "    g = torch.zeros_like(x)\n    for i in range(len(x)):\n        e = torch.zeros_like(x)\n"
        "        e[i] = h\n        g[i] = (f(x + e) - f(x)) / h\n    return g\n")
    r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2"), "-q"])
    out = r.stdout
    assert r.returncode == 1
    for needle in ("property:", "input:", "expected:", "got:", "central difference", "katas.py hint ch2.calculus"):
        assert needle in out, (needle, out)
    assert "site-packages" not in out and "grader/check.py" not in out
    r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2"), "-q", "--katas-traceback"])
    assert "grader" in r.stdout and "Traceback" in r.stdout or "check.py" in r.stdout


def _mini_repo(tmp_path: Path) -> Path:
    """A copy of the engine with one exercise whose graders are deliberately weak."""
    repo = tmp_path / "repo"
    for d in ("grader",):
        shutil.copytree(ROOT / d, repo / d, ignore=shutil.ignore_patterns("__pycache__"))
    for f in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / f, repo / f)
    (repo / "solutions/ch2").mkdir(parents=True)
    shutil.copy(ROOT / "solutions/ch2/calculus.py", repo / "solutions/ch2/calculus.py")
    (repo / "tests/ch2").mkdir(parents=True)
    (repo / "tests/variants/ch2").mkdir(parents=True)
    for p in ("tests/__init__.py", "tests/ch2/__init__.py", "tests/variants/__init__.py",
              "tests/variants/ch2/__init__.py"):
        (repo / p).write_text("")
    (repo / "tests/ch2/test_calculus.py").write_text(
        "import torch\n"
        "def test_returns_a_tensor(kata):\n"
        "    '''returns a tensor'''\n"
        "    assert isinstance(kata.numerical_grad(torch.sum, torch.zeros(2, dtype=torch.float64)), torch.Tensor)\n"
        "def test_does_not_call_anything(kata):\n"
        "    '''a grader that never calls the learner'''\n"
        "    assert kata is not None\n")
    (repo / "tests/variants/ch2/calculus.py").write_text(
        "MUTANTS = {'returns_zeros': '''\n"
        "def numerical_grad(f, x, h=1e-5):\n    return torch.zeros_like(x)\n'''}\n")
    return repo


def test_selfcheck_rejects_graders_that_cannot_fail(tmp_path):
    """The self-check fails when a test passes on the stub or a buggy variant passes every test."""
    repo = _mini_repo(tmp_path)
    r = run(["-m", "pytest", "solutions", "--katas-selfcheck", "-q", "-p", "no:xdist"], cwd=repo)
    out = r.stdout
    assert r.returncode == 1, out
    assert "passes on the untouched stub" in out
    assert "buggy variant 'returns_zeros' passes every grader" in out


def test_board_shows_progress_and_writes_gradescope_results(tmp_path):
    repo = _mini_repo(tmp_path)
    shutil.copy(ROOT / "tests/ch2/test_calculus.py", repo / "tests/ch2/test_calculus.py")
    for helper in ("strategies.py", "shippable.py", "data.py"):
        shutil.copy(ROOT / "tests" / helper, repo / "tests" / helper)
    r = run(["-m", "grader", "stubs"], cwd=repo)
    assert r.returncode == 0 and "1 created" in r.stdout, r.stdout + r.stderr
    r = run(["-m", "grader", "board", "--results", str(tmp_path / "r.json")], cwd=repo)
    assert r.returncode == 0, r.stderr
    assert "not started" in r.stdout and "next: ch2.calculus" in r.stdout
    (repo / "exercises/ch2/calculus.py").write_text(CORRECT_CALCULUS)
    r = run(["-m", "grader", "board", "--results", str(tmp_path / "r.json")], cwd=repo)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if "ch2.calculus" in l)
    assert "passed" in line and "5.00 / 5" in line, r.stdout
    results = json.loads((tmp_path / "r.json").read_text())
    calc = [t for t in results["tests"] if t["name"].startswith("ch2.calculus")]
    assert calc and all(t["status"] == "passed" and t["score"] == t["max_score"] for t in calc)
    assert abs(sum(t["max_score"] for t in calc) - 5) < 1e-6


def test_bare_pytest_grades_the_learners_exercises():
    """A bare `pytest` (no path) at the root of the clone grades exercises/ — not the engine suite, not the graders
    on solutions/ (which would all pass and mislead a learner). (A folder such as docs/ follows the same rule.)"""
    for cwd in (ROOT,):
        r = run(["-m", "pytest", "-q", "-p", "no:xdist", "-k", "test_quadratic_form and calculus"], cwd=cwd,
                env={"CI": ""})
        assert r.returncode == 1, r.stdout[-2000:] + r.stderr[-2000:]
        assert "not started" in r.stdout and "1 failed" in r.stdout, r.stdout[-2000:]


def test_the_sandboxed_pass_runs_each_buggy_variant_on_the_test_that_rejected_it(tmp_path):
    """`katas test`'s first pass records the test that rejected each buggy variant; the second pass
    (--katas-only-rejecting) runs each variant on that test only, still rejects every one with its feedback, and
    runs solution, stub and alternatives in full."""
    from grader import loader
    rejections = tmp_path / "rejections.json"
    first = run(["-m", "pytest", "solutions/ch2/calculus.py", "-q", "-p", "no:xdist", "--katas-selfcheck",
                 f"--katas-rejections={rejections}"])
    assert first.returncode == 0, first.stdout[-3000:]
    recorded = json.loads(rejections.read_text())
    mutants = loader.mutants_of("ch2/calculus.py")
    assert sorted(recorded) == sorted(f"ch2/calculus.py mutant:{m}" for m in mutants)
    second = run(["-m", "pytest", "solutions/ch2/calculus.py", "-q", "-p", "no:xdist", "--katas-selfcheck",
                  f"--katas-only-rejecting={rejections}", "-rA"])
    assert second.returncode == 0, second.stdout[-3000:]
    assert f"{len(mutants)} recorded buggy variants run; {len(mutants)} rejected" in second.stdout
    ran_mutant_tests = [line for line in second.stdout.splitlines()
                        if line.startswith("PASSED") and "[mutant:" in line]
    assert sorted(line.split()[1] for line in ran_mutant_tests) == sorted(recorded.values())
    assert any("[stub]" in line for line in second.stdout.splitlines() if line.startswith("PASSED"))


ENDLESS_CALCULUS = CORRECT_CALCULUS.replace("    x = x.double()\n", "    while True:\n        pass\n")


def _endless_loop_run(tmp_path, timer):
    tree = tmp_path / "mywork"
    (tree / "ch2").mkdir(parents=True, exist_ok=True)
    (tree / "ch2" / "calculus.py").write_text(ENDLESS_CALCULUS)
    report = tmp_path / f"report-{timer}.json"
    import time
    t0 = time.monotonic()
    r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2" / "calculus.py"), "-q",
             "--katas-timeout=3", f"--katas-report={report}"], env={"KATAS_TIMER": timer})
    return r, json.loads(report.read_text()), time.monotonic() - t0


def test_an_endless_loop_costs_two_deadlines_per_function_with_either_timer(tmp_path):
    """Practice mode stops an endless loop with SIGALRM (POSIX) or with the watchdog thread Windows uses (run here
    with KATAS_TIMER=thread): the first test after the limit, the next after 2 s, the others at once."""
    for timer in ("signal", "thread"):
        r, records, elapsed = _endless_loop_run(tmp_path, timer)
        assert r.returncode == 1 and len(records) >= 4, r.stdout[-3000:]
        assert all(not rec["passed"] for rec in records)
        assert "stopped after 3 s: your code did not return" in r.stdout
        assert "stopped after 2 s" in r.stdout and "it is not run again until you change it" in r.stdout
        # 3 s + 2 s of deadlines, plus starting pytest and torch (generous: the machine may be shared)
        assert elapsed < 5 + 25, (timer, elapsed)


def test_a_syntax_error_is_shown_once_per_module(tmp_path):
    tree = tmp_path / "mywork"
    (tree / "ch2").mkdir(parents=True)
    (tree / "ch2" / "calculus.py").write_text("import torch\n\ndef numerical_grad(f, x, h=1e-5):\n    return (x\n")
    for sandboxed in ([], ["--katas-sandbox"]):     # the same in practice and when grading for marks
        r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2" / "calculus.py"), "-q",
                 *sandboxed])
        assert r.returncode == 1
        shown = r.stdout.split("short test summary info")[0]   # (under CI pytest's summary repeats every message)
        assert shown.count("SyntaxError at line 4: '(' was never closed") == 1, r.stdout
        assert shown.count("could not import your calculus.py (the error is shown above)") >= 3, r.stdout
        assert "katas.py hint" not in r.stdout      # a hint cannot help with a syntax error


def test_a_runaway_allocation_gets_the_memory_message_at_once(tmp_path):
    """Practice mode (Linux): a test may grow the process by --katas-memory MiB (default 2048); a 3.7 GiB tensor
    fails at once with the memory limit's own message, not as "an endless loop?" after the deadline."""
    import time
    if not Path("/proc/self/statm").exists():
        import pytest
        pytest.skip("the practice-mode memory limit reads /proc (Linux)")
    tree = tmp_path / "mywork"
    (tree / "ch2").mkdir(parents=True)
    (tree / "ch2" / "calculus.py").write_text(
        "import torch\n\ndef numerical_grad(f, x, h=1e-5):\n    big = torch.zeros(1_000_000_000)\n"
        "    return big[:len(x)].double()\n")
    t0 = time.monotonic()
    r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2" / "calculus.py"), "-q"])
    elapsed = time.monotonic() - t0
    assert r.returncode == 1
    assert "memory limit: your code ran out of memory (it tried to allocate 3.7 GiB at once)" in r.stdout, r.stdout
    assert "endless loop" not in r.stdout and elapsed < 30, elapsed


GROWING_CALCULUS = ("import torch\n\ndef numerical_grad(f, x, h=1e-5):\n    xs = []\n    while True:\n"
                    "        xs.append(torch.ones(1_000_000))\n")


def test_a_growing_list_gets_the_memory_message_with_either_limit(tmp_path):
    """A list that grows without bound is stopped by the memory limit, with its own message, whichever way this
    OS limits memory: RLIMIT_AS (Linux) and the watchdog thread macOS uses (run here with KATAS_MEMLIMIT=watchdog;
    Windows' Job object is tested in test_memory_limit.py). 256 MiB: the watchdog lets the process really grow."""
    import time
    tree = tmp_path / "mywork"
    (tree / "ch2").mkdir(parents=True)
    (tree / "ch2" / "calculus.py").write_text(GROWING_CALCULUS)
    for how in ("rlimit", "watchdog"):
        if how == "rlimit" and not Path("/proc/self/statm").exists():
            continue
        t0 = time.monotonic()
        r = run(["-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tree / "ch2" / "calculus.py"), "-q",
                 "--katas-memory=256", "-p", "no:xdist"], env={"KATAS_MEMLIMIT": how})
        elapsed = time.monotonic() - t0
        assert r.returncode == 1, r.stdout[-3000:]
        shown = r.stdout.split("short test summary info")[0]
        assert shown.count("memory limit: your code ran out of memory") == 5, (how, r.stdout[-3000:])
        assert "a test may use 0.25 GiB (--katas-memory)" in shown
        if how == "watchdog":
            assert "(it grew by 0.2" in shown or "(it grew by 0.3" in shown, r.stdout[-3000:]
        assert "xs.append(torch.ones(1_000_000))" in shown      # the learner's line that grew it
        assert "endless loop" not in r.stdout and elapsed < 40, (how, elapsed)
