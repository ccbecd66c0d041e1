"""`katas watch` as a learner uses it: grades at once, re-grades on save in a warm process, shows the first failing
function only, moves on after a pass, answers keys, quits cleanly."""
import queue
import re
import subprocess
import sys
import threading
import time

from grader import ROOT


class Session:
    def __init__(self, tree, target="ch2"):
        self.proc = subprocess.Popen([sys.executable, "-m", "grader", "watch", target, "--tree", str(tree),
                                      "--no-clear"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, encoding="utf-8", bufsize=1,
                                     env={**__import__("os").environ, "PYTHONUNBUFFERED": "1", "CI": ""})
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern, timeout=120.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; output:\n" + "\n".join(self.seen))

    def key(self, k):
        self.proc.stdin.write(k + "\n")
        self.proc.stdin.flush()


def test_watch_grades_at_once_regrades_on_save_and_moves_on(tmp_path):
    tree = tmp_path / "work"
    (tree / "ch2").mkdir(parents=True)
    for m in ("calculus.py", "linear_algebra.py"):
        (tree / "ch2" / m).write_text((ROOT / "exercises" / "ch2" / m).read_text(encoding="utf-8"))
    s = Session(tree)
    try:
        s.wait_for(r"^── ch2\.calculus .* graded in")
        s.wait_for(r"^✘ `numerical_grad`")              # the first failing function only
        s.wait_for(r"not started: `numerical_grad`")
        s.wait_for(r"^watching ")
        (tree / "ch2" / "calculus.py").write_text((ROOT / "solutions" / "ch2" / "calculus.py").read_text())
        graded = s.wait_for(r"^── ch2\.calculus .*saved · graded in ([0-9.]+) s")
        s.wait_for(r"^✔ passed: 5/5 tests")
        s.wait_for(r"moving on to ch2\.linear_algebra")
        s.wait_for(r"^── ch2\.linear_algebra .*next: graded in")
        s.key("h")
        s.wait_for(r"hint 1/")
        s.key("l")
        s.wait_for(r"▶\s+ch2\.linear_algebra")
        (tree / "ch2" / "linear_algebra.py").write_text("# my attempt\n")
        s.wait_for(r"saved · graded in")
        s.key("r")
        s.wait_for(r"press r again")
        s.key("r")
        s.wait_for(r"backed up")
        s.wait_for(r"reset · graded in")
        assert (tree / "ch2" / "linear_algebra.py").read_text() == \
            (ROOT / "exercises" / "ch2" / "linear_algebra.py").read_text()
        (backup,) = (tree / "ch2").glob("linear_algebra.py.bak-*")
        assert backup.read_text() == "# my attempt\n"   # learner work is never lost
        s.key("q")
        s.wait_for(r"^bye")
        assert s.proc.wait(30) == 0
        assert not any("Traceback" in line for line in s.seen), "\n".join(s.seen)
        # a warm fork per grading: the graders' own time, not a new `import torch` (about 2 s here)
        secs = float(re.search(r"graded in ([0-9.]+) s", graded).group(1))
        assert secs < 10, secs
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


def test_the_first_failure_is_of_the_first_failing_function_core_test_first():
    from grader import catalogue, watch
    from grader.records import Record, Status
    ex = catalogue.load().by_module("ch2/linear_algebra.py")
    f0, f1 = ex.functions[0], ex.functions[1]
    recs = [Record(module=ex.module, title="a property of f1", status=Status.FAILED, uses=[f1]),
            Record(module=ex.module, title="f1's values", status=Status.FAILED, uses=[f1], core=[f1]),
            Record(module=ex.module, title="f0's values", status=Status.PASSED, uses=[f0], core=[f0])]
    fn, rec = watch.first_failure(ex, recs)
    assert fn == f1 and rec.title == "f1's values"
    assert watch.first_failure(ex, [recs[2]]) is None
