"""What the board and the feedback tell a learner to run works right after the README's quick start (no virtual
environment activated), and a console that cannot show ✔ (GBK, cp1252) gets '?' instead of a crash (issue 16)."""
import io
import subprocess
import sys

from grader import ROOT, cli, command, console_safe


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
    out = subprocess.run([sys.executable, "-m", "grader", "board", "--results", "/dev/null"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120).stdout
    nxt = [line for line in out.splitlines() if "then run:" in line or "stuck?" in line]
    assert nxt and all("katas.py " in line for line in nxt), out[-800:]


def test_arguments_after_a_double_dash_go_to_pytest(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "cmd_check", lambda args: seen.update(targets=args.targets, extra=args.pytest_args) or 0)
    cli.main(["check", "ch2.calculus", "--", "-v", "-x"])
    assert seen == {"targets": ["ch2.calculus"], "extra": ["-v", "-x"]}
