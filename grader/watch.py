"""`katas watch`: the learner's loop, after rustlings.

It grades the current exercise at once and again on every save, shows the first failing function only (its first
failing test, core tests first), and moves on to the next exercise after a pass. Keys: n next, h hint, l list,
c check all, r reset, q quit (Ctrl-C quits too, without a traceback).

Speed: one warm process has torch, pytest, hypothesis and the graders imported; each grading runs in a fork of it
(POSIX), so a save costs the graders' own time, not a new ``import torch``. Without fork (Windows) each grading is a
subprocess (seconds). File events come from watchfiles.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import sys
import threading
import time
from pathlib import Path

from grader import ROOT, catalogue, command

KEYS = "n: next · h: hint · l: list · c: check all · r: reset · q: quit"


# ------------------------------------------------------------------------------------------------ grading
class Grader:
    """Grades one exercise module of a tree; records come back as grader.records.Record."""

    def __init__(self, tree: Path):
        self.tree = tree
        self.fork = hasattr(os, "fork")
        if self.fork:   # what every grading needs, imported once: the forks start warm
            import hypothesis  # noqa: F401
            import pytest  # noqa: F401
            import torch  # noqa: F401

            from grader import plugin, runner  # noqa: F401
            from grader.runtime import guard
            guard.warm_meta()

    def grade(self, ex) -> tuple[list, float]:
        from grader import records, runner
        t0 = time.perf_counter()
        args = [self.tree / ex.module]
        extra = ["-p", "no:xdist"]
        if not self.fork:
            run = runner.run(args, tree=self.tree, extra=extra, isolated=True, budget=600)
            return run.records, time.perf_counter() - t0
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:   # the child: grade, send the records, leave without running the parent's exit handlers
            code = 1
            try:
                os.close(r)
                run = runner.run(args, tree=self.tree, extra=extra)
                with os.fdopen(w, "w", encoding="utf-8") as f:
                    json.dump([rec.to_dict() for rec in run.records], f)
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        with os.fdopen(r, encoding="utf-8") as f:
            data = f.read()
        os.waitpid(pid, 0)
        recs = records.as_records(json.loads(data)) if data else []
        return recs, time.perf_counter() - t0


def first_failure(ex, recs):
    """(function, record) of the first failing function in the exercise's order, its core tests first; (None,
    record) when the failing test uses no catalogued function; None when everything passes."""
    failing = [r for r in recs if not r.passed]
    if not failing:
        return None
    for fn in ex.functions:
        mine = [r for r in failing if fn in r.uses or fn in r.core]
        if mine:
            mine.sort(key=lambda r: fn not in r.core)
            return fn, mine[0]
    return None, failing[0]


# ------------------------------------------------------------------------------------------------ the loop
class Watch:
    def __init__(self, tree: Path, exercises: list, out=print, clear: bool = True):
        self.tree, self.exercises, self.out, self.clear = tree, exercises, out, clear
        self.status: dict[str, str] = {}       # exercise id -> passed / failing / not started
        self.index = 0
        self.grader = Grader(tree)
        self.events: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.confirm_reset = False

    @property
    def current(self):
        return self.exercises[self.index]

    def shown_path(self, ex) -> str:
        p = self.tree / ex.module
        try:
            return p.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return str(p)

    def _grade(self, ex):
        """Grade ``ex`` and remember its status: (records, seconds, its ExerciseScore or None)."""
        from grader import scoring
        recs, secs = self.grader.grade(ex)
        (s,) = scoring.score(recs) if recs else (None,)
        self.status[ex.id] = s.status if s is not None else "failing"
        return recs, secs, s

    def grade_current(self, why: str = "") -> bool:
        """Grade the current exercise; True when it passes."""
        ex = self.current
        recs, secs, s = self._grade(ex)
        if self.clear and sys.stdout.isatty():
            print("\033[2J\033[H", end="")
        self.out(f"── {ex.id} · {ex.title_zh} · {ex.title_en} ── {why}graded in {secs:.2f} s")
        hit = first_failure(ex, recs) if recs else (None, None)
        if not recs:
            self.out("the graders did not run (see `" + command(f"check {self.shown_path(ex)}") + "`)")
        elif hit is None:
            self.out(f"✔ passed: {s.passed_tests}/{len(s.tests)} tests, {s.earned:g}/{s.points:g} points")
            return True
        else:
            fn, rec = hit
            n_fail = sum(not r.passed for r in recs)
            self.out(f"✘ {'`' + fn + '`' if fn else 'a test'}: {rec.title}")
            self.out(rec.feedback.split("\n", 1)[1] if "\n" in rec.feedback else rec.feedback)
            self.out(f"   ({n_fail} of {len(recs)} tests fail; edit {self.shown_path(ex)} and save)")
        self.out(f"   {KEYS}")
        return False

    def advance(self) -> None:
        """To the next exercise that has not passed (wrapping); grade it."""
        for _ in range(len(self.exercises)):
            self.index = (self.index + 1) % len(self.exercises)
            if self.status.get(self.current.id) != "passed":
                break
        else:
            self.out("✔ every exercise here has passed — 全部通过!")
            return
        self.grade_until_failing("next: ")

    def grade_until_failing(self, why: str = "") -> None:
        """Grade the current exercise; after a pass, move on to the next one not passed yet."""
        for _ in range(len(self.exercises)):
            if not self.grade_current(why):
                return
            nxt = next((i for i in range(self.index + 1, len(self.exercises))
                        if self.status.get(self.exercises[i].id) != "passed"), None)
            if nxt is None:
                self.out("✔ every exercise here has passed — 全部通过!   q: quit · l: list")
                return
            self.out(f"   moving on to {self.exercises[nxt].id}")
            self.index, why = nxt, "next: "

    def show_list(self) -> None:
        from rich.console import Console
        from rich.table import Table
        table = Table(show_header=True, header_style="bold", box=None)
        for col in ("", "exercise", "练习", "status"):
            table.add_column(col)
        marks = {"passed": "✔", "failing": "✘", "not started": "·"}
        for i, ex in enumerate(self.exercises):
            st = self.status.get(ex.id, "not graded yet")
            table.add_row("▶" if i == self.index else marks.get(st, " "), ex.id, ex.title_zh, st)
        Console().print(table)

    def check_all(self) -> None:
        for ex in self.exercises:
            _, secs, _ = self._grade(ex)
            self.out(f"  {ex.id:32} {self.status[ex.id]:12} ({secs:.1f} s)")

    def hint(self) -> None:
        from grader import hints
        hints.show(self.current.id)

    def reset(self) -> None:
        """The current exercise back to its stub; a backup of the learner's file is kept."""
        from grader import stubgen
        ex = self.current
        target = self.tree / ex.module
        if target.exists():
            backup = target.with_name(f"{target.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
            shutil.copy2(target, backup)
            self.out(f"your file was backed up to {self.shown_path(ex)}.bak-… ({backup.name})")
        target.write_text(stubgen.stub_for(ex.module), encoding="utf-8")
        if self.tree.resolve() == (ROOT / "exercises").resolve():
            manifest = stubgen.read_manifest()
            manifest[ex.module] = stubgen.sha(stubgen.stub_for(ex.module))
            (ROOT / stubgen.MANIFEST).write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n",
                                                 encoding="utf-8")

    # -- events
    def _files(self, changes) -> list:
        by_path = {(self.tree / ex.module).resolve(): i for i, ex in enumerate(self.exercises)}
        return sorted({by_path[Path(p).resolve()] for _, p in changes if Path(p).resolve() in by_path})

    def _watch_files(self) -> None:
        import watchfiles
        try:
            for changes in watchfiles.watch(self.tree, stop_event=self.stop, debounce=150, step=50,
                                            watch_filter=lambda change, path: path.endswith(".py"),
                                            raise_interrupt=False):
                hit = self._files(changes)
                if hit:
                    self.events.put(("saved", hit))
        except Exception as e:  # noqa: BLE001 - the tree vanished: say so and stop
            self.events.put(("error", str(e)))

    def _read_keys(self) -> None:
        for key in _keys(self.stop):
            self.events.put(("key", key))
        self.events.put(("key", "q"))

    def run(self) -> int:
        threading.Thread(target=self._watch_files, name="katas-watch-files", daemon=True).start()
        try:
            with _Cbreak():
                self.grade_until_failing()
                self.out(f"watching {self.tree_name()} — save to re-grade")
                threading.Thread(target=self._read_keys, name="katas-watch-keys", daemon=True).start()
                while True:
                    try:
                        kind, value = self.events.get(timeout=0.5)
                    except queue.Empty:
                        continue
                    if kind == "saved":
                        # a save of another exercise makes it the current one
                        self.index = value[0] if self.index not in value else self.index
                        self.grade_until_failing("saved · ")
                    elif kind == "error":
                        self.out(f"stopped watching: {value}")
                        return 1
                    elif kind == "key" and self.on_key(value.lower()):
                        return 0
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop.set()
            self.out("bye — 再见")

    def tree_name(self) -> str:
        try:
            return self.tree.resolve().relative_to(ROOT).as_posix() + "/"
        except ValueError:
            return str(self.tree)

    def on_key(self, key: str) -> bool:
        """Act on one key; True to quit."""
        if key != "r":
            self.confirm_reset = False
        if key == "q":
            return True
        if key == "n":
            self.advance()
        elif key == "h":
            self.hint()
        elif key == "l":
            self.show_list()
        elif key == "c":
            self.check_all()
        elif key == "r":
            if not self.confirm_reset:
                self.confirm_reset = True
                self.out(f"reset {self.current.id} to its stub? press r again (your file is backed up first)")
            else:
                self.confirm_reset = False
                self.reset()
                self.grade_current("reset · ")
        return False


def _keys(stop: threading.Event):
    """Single key presses from the terminal (no Enter needed: Watch.run puts it in cbreak mode); lines when stdin is
    not a terminal."""
    if not sys.stdin.isatty():
        for line in sys.stdin:
            for ch in line.strip():
                yield ch
            if stop.is_set():
                return
        return
    if os.name == "nt":
        import msvcrt
        while not stop.is_set():
            if msvcrt.kbhit():
                yield msvcrt.getwch()
            else:
                time.sleep(0.05)
        return
    import select
    fd = sys.stdin.fileno()
    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            yield os.read(fd, 1).decode(errors="ignore")


class _Cbreak:
    """The terminal in cbreak mode (keys without Enter, Ctrl-C still a signal) while watching; restored on exit."""

    def __enter__(self):
        self.old = None
        if os.name != "nt" and sys.stdin.isatty():
            import termios
            import tty
            self.old = termios.tcgetattr(sys.stdin.fileno())
            tty.setcbreak(sys.stdin.fileno())
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            import termios
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self.old)


def main(tree: Path, target: str | None, clear: bool = True) -> int:
    cat = catalogue.load()
    found = cat.find(target) if target else list(cat.exercises)
    if not found:
        print(f"no exercise or chapter called {target!r} (see `{command('board')}`)")
        return 2
    exercises = [ex for ex in cat.exercises if ex in found and (tree / ex.module).exists()]
    if not exercises:
        print(f"no exercise files under {tree} for {target or 'the course'}")
        return 2
    return Watch(tree, exercises, clear=clear).run()
