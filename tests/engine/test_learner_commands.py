"""What the board and the feedback tell a learner to run works right after the README's quick start (no virtual
environment activated), and a console that cannot show ✔ (GBK, cp1252) gets '?' instead of a crash (issue 16)."""
import io
import sys

from grader import ROOT, cli, command, console_safe
from tests.engine.test_e2e import run


def test_suggested_commands_go_through_katas_py():
    assert command("hint ch2.calculus").endswith("katas.py hint ch2.calculus")
    assert command("board").split()[0] in ("python3", "py")


def test_a_gbk_console_gets_question_marks_not_an_error(monkeypatch):
    raw = io.BytesIO()
    gbk = io.TextIOWrapper(raw, encoding="gbk")
    monkeypatch.setattr(sys, "stdout", gbk)
    console_safe()
    print("✔ ch2.calculus 预备知识")
    gbk.flush()
    assert raw.getvalue().decode("gbk") == "? ch2.calculus 预备知识\n"


def test_board_prints_runnable_next_commands():
    out = run(["-m", "grader", "board", "--results", "/dev/null"]).stdout
    nxt = [line for line in out.splitlines() if "then run:" in line or "stuck?" in line]
    assert nxt and all("katas.py " in line for line in nxt), out[-800:]


def test_arguments_after_a_double_dash_go_to_pytest(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "cmd_check", lambda args: seen.update(targets=args.targets, extra=args.pytest_args) or 0)
    cli.main(["check", "ch2.calculus", "--", "-v", "-x"])
    assert seen == {"targets": ["ch2.calculus"], "extra": ["-v", "-x"]}


def test_board_regrades_only_changed_modules_and_says_why_a_module_fails(tmp_path):
    """Results are cached by content: a second board re-runs nothing; an edited module is graded again; a module
    that cannot be imported says so on the board; "next" is the module in progress."""
    import json
    import time
    tree = tmp_path / "work"
    (tree / "ch2").mkdir(parents=True)
    (tree / "ch3").mkdir()
    (tree / "ch2" / "calculus.py").write_text((ROOT / "solutions" / "ch2" / "calculus.py").read_text())
    (tree / "ch3" / "losses.py").write_text("import torch\n\ndef mse(y_hat, y):\n    return (y\n")

    def board():
        t0 = time.monotonic()
        out = run(["-m", "grader", "board", str(tree), "--results", str(tmp_path / "r.json")])
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        return out.stdout, time.monotonic() - t0, json.loads((tmp_path / "r.json").read_text())["score"]

    first, t_first, score = board()
    assert "could not import your losses.py: SyntaxError at line 4" in first
    assert "next: ch3.losses" in first
    again, t_again, score_again = board()
    import re
    graded = float(re.search(r"graded in ([0-9.]+)s", again).group(1))
    # nothing re-ran: reading the cache takes milliseconds (grading ch2/calculus alone takes seconds); 0.5 s leaves
    # room for a loaded machine
    assert score_again == score and graded <= 0.5 < t_first, again[-600:]
    (tree / "ch3" / "losses.py").write_text("import torch\n\ndef mse(y_hat, y):\n    return y\n")
    edited, _, _ = board()
    assert "could not import your losses.py" not in edited


def test_learner_commands_install_learner_dependencies_only(tmp_path, monkeypatch):
    """katas.py installs the dev extras (nbgrader, jupyterlab, xdist) only for the commands that need them, and
    adds them later on top of a learner's install; pip's progress is not silenced."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("katas_boot", ROOT / "katas.py")
    boot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(boot)
    fake_py = tmp_path / "venv" / "bin" / "python"
    fake_py.parent.mkdir(parents=True)
    fake_py.write_text("")
    monkeypatch.setattr(boot, "PY", fake_py)
    monkeypatch.setattr(boot, "STAMP", tmp_path / "venv" / ".katas-installed")
    calls = []
    monkeypatch.setattr(boot.subprocess, "check_call", lambda cmd, cwd=None: calls.append(cmd))
    boot.ensure_env(dev=False)
    boot.ensure_env(dev=False)                    # installed: nothing to do
    boot.ensure_env(dev=True)                     # an instructor's command adds the extras
    boot.ensure_env(dev=False)
    assert [c[-1] for c in calls] == [str(ROOT), f"{ROOT}[dev]"]
    assert all("-q" not in c and "off" not in c for c in calls)
    assert {"test", "course", "grade", "grade-class", "selfcheck"} <= boot.DEV_COMMANDS
    assert not {"board", "check", "hint", "watch", "stubs"} & boot.DEV_COMMANDS


def test_written_proofs_are_there_for_self_study(tmp_path, monkeypatch):
    """The proof prompts of ch4.relu_proofs reach a self-study learner: printed, an answer file created once beside
    the exercise (never overwritten), the rubric on request; no note line numbers in the prompts."""
    import contextlib
    import io
    from grader import catalogue
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["written", "ch4.relu_proofs"]) == 0
    answers = tmp_path / "exercises" / "ch4" / "relu_proofs.answers.md"
    ex = catalogue.load().by_id("ch4.relu_proofs")
    assert all(w["prompt"] in out.getvalue() and w["title"] in answers.read_text() for w in ex.written)
    assert "rubric" not in out.getvalue().split("compare with the rubric")[0].lower()
    answers.write_text("my proof")
    with contextlib.redirect_stdout(io.StringIO()) as again:
        assert cli.main(["written", "ch4.relu_proofs", "--rubric"]) == 0
    assert answers.read_text() == "my proof"
    assert all(w["rubric"] in again.getvalue() for w in ex.written)
    assert not any("S:L" in w["prompt"] for e in catalogue.load().exercises for w in e.written)


def test_one_function_is_graded_alone():
    """`katas check ch3.softmax_regression.softmax` (or `...softmax_regression::softmax`, or pytest on
    `exercises/ch3/softmax_regression.py::softmax`) runs the tests that use that function, found by reading the
    graders' source; every catalogued function has at least one."""
    from grader import catalogue, cli
    cat = catalogue.load()
    for ex in cat.exercises:
        chapter, name = ex.module.split("/")
        for fn in ex.functions:
            assert catalogue.tests_reaching(ROOT / "tests" / chapter / f"test_{name}", fn), (ex.module, fn)
    for spelling in ("ch3.softmax_regression.softmax", "ch3/softmax_regression::softmax",
                     "exercises/ch3/softmax_regression.py::softmax"):
        assert cli._one_function(spelling) == "exercises/ch3/softmax_regression.py::softmax", spelling
    assert cli._one_function("ch3.softmax_regression") == "ch3.softmax_regression"   # an exercise stays one
    r = run(["-m", "pytest", "solutions/ch3/softmax_regression.py::softmax", "-q", "-p", "no:xdist"])
    assert r.returncode == 0, r.stdout[-2000:]
    wanted = catalogue.tests_reaching(ROOT / "tests" / "ch3" / "test_softmax_regression.py", "softmax")
    assert f"{len(wanted)} passed" in r.stdout and "only the tests that use `softmax` ran" in r.stdout
    assert len(wanted) < len([t for t in catalogue._reach(str(ROOT / "tests/ch3/test_softmax_regression.py"))
                              if t.startswith("test")])


def test_no_note_line_numbers_in_learner_text():
    """The seed notes' line numbers (S:L238) are the maintainers' cross-reference, not learner text: not in the
    stubs, the hints, the written prompts, nor the notebooks' instructions."""
    import re

    from grader import catalogue, nbcourse
    ref = re.compile(r"S:L\d")
    stubs = [p for p in (ROOT / "exercises").rglob("*.py") if ref.search(p.read_text(encoding="utf-8"))]
    assert not stubs, stubs
    cat = catalogue.load()
    assert not [h for e in cat.exercises for h in e.hints if ref.search(h)]
    nb = nbcourse.notebook_for(cat.by_id("ch3.losses"))
    assert not [c.source[:80] for c in nb.cells if ref.search(c.source)]
