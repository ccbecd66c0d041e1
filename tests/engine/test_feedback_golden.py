"""Golden tests of the feedback a learner reads: one failure kind each, in practice (in process) and when graded for
marks (``--katas-sandbox``).

What is pinned is the exact learner-visible text: the failure (and error) sections of ``pytest <tree>/<ch>/<module>.py
-q`` and the progress board, captured through the public command line only (subprocesses; nothing from grader/ is
imported here). They are a safety net for refactoring the engine: a change to that text must show up here as a diff,
and be accepted deliberately with

    KATAS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/engine/test_feedback_golden.py

which rewrites ``tests/engine/golden/<kind>.txt`` (read the diff of the golden files before committing it).

How. One learner tree under tmp_path (``mywork/``): each module is a reference solution from ``solutions/`` broken in
one known way (or the untouched stub, or a module that does not import). Each path grades it in two subprocesses:
everything but the endless loop in one run, the endless loop alone in another (``--katas-timeout`` is per session, and
after one timeout the engine gives every later test 2 s, which would make slower passing tests flaky on a busy
machine). The output is cut into sections per test (paired with the short summary's node ids, so that each section
knows its module) and each section goes to the kind its (module, test) belongs to (``KINDS``); a failing section that
belongs to no kind fails the test, so a new failure cannot go unpinned. The progress board is pinned too (``board``).

There is one expensive test per path (so that under ``-n 2`` each path is graded once, on its own worker); it reports
every kind whose text changed, each with a unified diff against its golden file.

Normalisation (``_normalise``), deliberately minimal — only what varies between machines and runs:

* the learner tree's absolute path -> ``<tree>``, the repository's -> ``<root>`` (``<root>`` must never appear: the
  learner is not shown grader files);
* pytest timings ``in 1.23s`` -> ``in <t>s`` (none are in the sections today; defensive);
* hypothesis' reproduction lines (``You can add @seed…``, ``@reproduce_failure…``) are dropped: the grading profile is
  derandomized, so they do not appear today either;
* trailing blanks are stripped from every line (the board pads its columns; editors strip them from golden files).

The width is fixed (``COLUMNS=120``: the section headers are centred rules), colour is off (``NO_COLOR=1``), and
``CI`` is empty (under CI pytest's short summary repeats every message in full; it is not part of the goldens anyway).

Both paths. Where the in-process and the sandboxed text are the same there is one golden file, and both paths are
compared with it (so they agree: grading for marks says what practice said). Where they legitimately differ there are
two, ``<kind>.txt`` and ``<kind>.sandbox.txt``, and ``DIFFERENCES`` says why; the known difference is also written
down as a function, and the two golden files must be equal once it is removed, so that any *other* divergence fails.

Update mode is meant to run without ``-n`` (the sandbox test compares with the in-process file the first test wrote).
"""
from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("KATAS_UPDATE_GOLDEN") == "1"
TIMEOUT_S = 2          # --katas-timeout for the endless loop: its text says "stopped after 2 s"


# ------------------------------------------------------------------------------------------------ the learner tree
def _solution(module: str) -> str:
    return (ROOT / "solutions" / module).read_text(encoding="utf-8")


def _break(text: str, old: str, new: str) -> str:
    """Replace one exact passage of a reference solution (fails loudly when the solution no longer has it)."""
    assert text.count(old) == 1, f"the reference solution changed: {old!r} is not there exactly once"
    return text.replace(old, new)


def _softmax_regression() -> str:
    s = _solution("ch3/softmax_regression.py")
    # wrong value: the row sums without keepdim=True, (n, q) / (n,) divides column j by row j's sum (or cannot
    # broadcast); the graders recognise it and say so. Through the grader's own net (ScratchSoftmaxNet) the same
    # softmax is called back from the learner's train_ch3 and raises there.
    s = _break(s, "    return X_exp / X_exp.sum(dim=1, keepdim=True)  # (n, q) / (n, 1)\n",
               "    return X_exp / X_exp.sum(dim=1)\n")
    # an exception two learner calls deep: evaluate_accuracy reads a third sum its Accumulator(2) does not have
    s = _break(s, "    return metric[0] / metric[1]\n", "    return metric[0] / metric[2]\n")
    return s


def _mle() -> str:
    s = _solution("ch3/mle.py")
    # wrong dtype (a convention): float32 in, float64 out
    s = _break(s, "    return (0.5 * torch.log(2 * math.pi * var) + (y - y_hat) ** 2 / (2 * var)).mean()\n",
               "    return (0.5 * torch.log(2 * math.pi * var) + (y - y_hat).double() ** 2 / (2 * var)).mean()\n")
    # an input changed in place (a convention): the log taken into the caller's probs
    s = _break(s, "    p_y = probs[torch.arange(n, device=probs.device), y]      # (n,): the probability of each true "
                  "label\n    return -torch.log(p_y).mean()\n",
               "    probs.log_()\n    return -probs[torch.arange(n), y].mean()\n")
    return s


TREE = {
    "ch2/backprop.py": lambda: (          # a syntax error (an unclosed parenthesis)
        "import torch\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n"
        "    H = torch.relu(X @ W1 + b1\n    return H\n"),
    "ch2/calculus.py": lambda: (ROOT / "exercises/ch2/calculus.py").read_text(encoding="utf-8"),   # untouched stub
    "ch2/gradient_descent.py": lambda: _break(     # an endless loop, on one line so that the frame shown is stable
        _solution("ch2/gradient_descent.py"), "    x = x0.clone()\n", "    while True: pass\n"),
    "ch2/linear_algebra.py": lambda: _break(       # an exception in the learner's function (an off-by-one index)
        _solution("ch2/linear_algebra.py"), "    return x.abs().sum()\n",
        "    total = 0.0\n    for i in range(len(x) + 1):\n        total = total + abs(x[i])\n    return total\n"),
    "ch3/linear_regression.py": lambda: (          # an exception at import time, from a call left at the top level
        _solution("ch3/linear_regression.py") + "\n\nprint(linreg(torch.ones(4, 2), torch.ones(3), 0.0))\n"),
    "ch3/losses.py": lambda: _break(               # a forbidden call (mse -> F.mse_loss)
        _solution("ch3/losses.py"), "    return ((y_hat - y) ** 2).mean()\n",
        "    return torch.nn.functional.mse_loss(y_hat, y)\n"),
    "ch3/mle.py": _mle,
    "ch3/softmax_regression.py": _softmax_regression,
}

RUNS = {   # run name -> (modules graded, extra options); one subprocess each, per path
    "main": (sorted(m for m in TREE if m != "ch2/gradient_descent.py"), []),
    "endless": (["ch2/gradient_descent.py"], [f"--katas-timeout={TIMEOUT_S}"]),
}


@dataclass(frozen=True)
class Kind:
    run: str
    module: str
    tests: str          # a regular expression, matched in full against the test's name


KINDS = {
    "wrong_value": Kind("main", "ch3/softmax_regression.py",
                        r"test_softmax_(matches_torch|rows_are_probabilities_for_large_inputs"
                        r"|is_shift_invariant_per_row|preserves_argmax)|test_ce_grad_logits_matches_autograd"),
    "not_started": Kind("main", "ch2/calculus.py", r".*"),
    "forbidden_call": Kind("main", "ch3/losses.py", r".*"),
    "timeout": Kind("endless", "ch2/gradient_descent.py", r".*"),
    "syntax_error": Kind("main", "ch2/backprop.py", r".*"),
    "exception": Kind("main", "ch2/linear_algebra.py", r".*"),
    "exception_nested": Kind("main", "ch3/softmax_regression.py",
                             r"test_evaluate_accuracy_.*|test_train_ch3_.*|test_softmax_regression_learns_digits"),
    "mutated_input": Kind("main", "ch3/mle.py", r"test_categorical_nll_.*"),
    "wrong_dtype": Kind("main", "ch3/mle.py", r"test_gaussian_nll_.*"),
    "import_error": Kind("main", "ch3/linear_regression.py", r".*"),
}
BOARD = "board"      # the progress board of the main run, pinned like a kind


# Where the two paths legitimately differ: kind -> (why, a function removing exactly that difference; after it the
# in-process and sandboxed texts must be equal).
def _frame_paths(text: str) -> str:
    return re.sub(r"^  <tree>/", "  ", text, flags=re.M)


def _called_function(text: str) -> str:
    return re.sub(r"^your `\w+` raised ", "your `…` raised ", _frame_paths(text), flags=re.M)


DIFFERENCES = {
    "exception": (
        "the frames under 'where (your code):' name the file by its absolute path in process ('<tree>/ch2/...') and "
        "by its path in the tree in the sandbox ('ch2/...': the worker runs the source under that name, the same on "
        "every machine). Not obviously intended: one of the two may be the one to keep.", _frame_paths),
    "exception_nested": (
        "as exception (frame paths); and where a grader object calls learner code back (the graders' "
        "ScratchSoftmaxNet calls your softmax from inside your train_ch3), in process the innermost learner function "
        "entered through the seam is named ('your `softmax` raised'), in the sandbox the function the grader called "
        "('your `train_ch3` raised': the whole call, the callback included, runs in the worker). The frames are the "
        "same.", _called_function),
    "timeout": (
        "in process the deadline interrupts the learner's code, so the message shows where it was stuck (a frame) and "
        "the function is then skipped ('not run: your `gradient_descent` did not return in two earlier tests'); "
        "in the sandbox the worker is killed, so there is no frame ('your `gradient_descent` did not return'), and "
        "after two kills the rest of the module is not run ('stopped the grading worker twice').", None),
}


# ------------------------------------------------------------------------------------------------ running and cutting
_RULE = re.compile(r"^=+ (.+?) =+$")              # pytest's section rules: === FAILURES ===, === katas: mywork/ ===
_TEST = re.compile(r"^_+ (.+?) _+$")              # a test's header inside ERRORS / FAILURES
_SUMMARY = re.compile(r"^(FAILED|ERROR) (\S+)")   # the short summary's lines, in the sections' order


def _env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KATAS_", "PYTEST_", "HYPOTHESIS_")) and k not in ("FORCE_COLOR", "PY_COLORS")}
    env.update({"CI": "", "NO_COLOR": "1", "COLUMNS": "120", "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONIOENCODING": "utf-8"})
    return env


def _normalise(text: str, tree: Path) -> str:
    for path, name in ((tree, "<tree>"), (ROOT, "<root>")):
        for spelling in sorted({str(path), str(path.resolve())}, key=len, reverse=True):
            text = text.replace(spelling, name)
    text = re.sub(r"\bin \d+(?:\.\d+)?s\b", "in <t>s", text)
    lines = [line.rstrip() for line in text.splitlines()
             if not line.startswith(("You can add @seed", "@reproduce_failure", "You can reproduce this example"))]
    return "\n".join(lines) + "\n"


@dataclass
class Graded:
    sections: list          # (module, test name, text) of every failing / erroring test, in output order
    board: str


def _cut(stdout: str) -> Graded:
    """The failure sections of one pytest run, each with the module it belongs to, and the board."""
    parts: dict[str, list[str]] = {}
    title = None
    for line in stdout.splitlines():
        m = _RULE.match(line)
        if m:
            title = m.group(1)
            parts[title] = [line]
        elif title is not None:
            parts[title].append(line)
    summary = [m.groups() for m in map(_SUMMARY.match, parts.get("short test summary info", [])[1:]) if m]
    sections = []
    for block, outcome in (("ERRORS", "ERROR"), ("FAILURES", "FAILED")):
        tests: list[list[str]] = []
        for line in parts.get(block, [])[1:]:
            if _TEST.match(line):
                tests.append([line])
            elif tests:
                tests[-1].append(line)
        ids = [nodeid for o, nodeid in summary if o == outcome]
        assert len(ids) == len(tests), f"{block}: {len(tests)} sections but {len(ids)} summary lines\n{stdout}"
        for lines, nodeid in zip(tests, ids):
            path, name = nodeid.split("::", 1)
            header = _TEST.match(lines[0]).group(1)
            assert header.removeprefix("ERROR at setup of ") == name, (header, nodeid)
            ch, test_file = path.removeprefix("tests/").split("/")
            module = f"{ch}/{test_file.removeprefix('test_')}"
            sections.append((module, name, "\n".join(lines) + "\n"))
    board = next((lines for t, lines in parts.items() if t.startswith("katas:")), None)
    assert board is not None, f"no progress board in the output\n{stdout}"
    return Graded(sections, "\n".join(board) + "\n")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("golden") / "mywork"
    for module, source in TREE.items():
        (tree / module).parent.mkdir(parents=True, exist_ok=True)
        (tree / module).write_text(source(), encoding="utf-8")
    return tree


def _grade(tree: Path, path: str, run: str) -> Graded:
    modules, extra = RUNS[run]
    args = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), *(str(tree / m) for m in modules),
            "-q", "-rfE", "-p", "no:xdist", *extra, *(["--katas-sandbox"] if path == "sandbox" else [])]
    r = subprocess.run(args, cwd=ROOT, env=_env(), capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 1, f"rc={r.returncode}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return _cut(_normalise(r.stdout, tree))


def _texts(graded: dict[str, Graded]) -> tuple[dict[str, str], list[str]]:
    """kind -> its text in this path, and the problems found while sorting the sections into kinds."""
    texts = {kind: "" for kind in KINDS}
    problems = []
    for run, g in graded.items():
        for module, name, text in g.sections:
            owners = [kind for kind, k in KINDS.items()
                      if k.run == run and k.module == module and re.fullmatch(k.tests, name)]
            if len(owners) != 1:
                problems.append(f"{module}::{name} ({run} run) belongs to {owners or 'no kind'}:\n{text}")
            for kind in owners:
                texts[kind] += text
    problems += [f"{kind}: no failing test of {KINDS[kind].module} matches {KINDS[kind].tests!r}"
                 for kind, text in texts.items() if not text]
    texts[BOARD] = graded["main"].board
    return texts, problems


def _diff(want: str, got: str, a: str, b: str) -> str:
    return "".join(difflib.unified_diff(want.splitlines(keepends=True), got.splitlines(keepends=True), a, b))


def _golden_name(kind: str, path: str) -> str:
    return f"{kind}.sandbox" if path == "sandbox" and kind in DIFFERENCES else kind


ALL_KINDS = [*KINDS, BOARD]
LEAKS = ("<root>", "Traceback (most recent call last)", "site-packages", "grader/", "tests/")


# ------------------------------------------------------------------------------------------------ the tests
# One expensive test per path (two subprocesses each), so that under `-n 2` each path runs once, on its own worker;
# it checks every kind and reports every kind whose text changed, each with its diff.
@pytest.mark.parametrize("path", ["plain", "sandbox"])
def test_feedback_matches_golden(tree, path):
    """The learner-visible text of each failure kind is exactly its golden file; every failure section belongs to a
    kind; no grader path or traceback is shown. (--katas-sandbox: a kind without a documented difference is compared
    with the in-process golden file, so the two paths must agree on it.)"""
    texts, problems = _texts({run: _grade(tree, path, run) for run in RUNS})
    for kind, text in texts.items():
        problems += [f"{kind}: the learner is shown {needle!r}:\n{text}" for needle in LEAKS if needle in text]
    changed = []
    for kind in ALL_KINDS:
        name = _golden_name(kind, path)
        file = GOLDEN / f"{name}.txt"
        if UPDATE and (path == "plain" or kind in DIFFERENCES):
            GOLDEN.mkdir(exist_ok=True)
            if not file.exists() or file.read_text(encoding="utf-8") != texts[kind]:
                file.write_text(texts[kind], encoding="utf-8", newline="\n")
            continue
        if UPDATE:      # the sandbox on a kind the paths agree on: a left-over sandbox file is stale
            (GOLDEN / f"{kind}.sandbox.txt").unlink(missing_ok=True)
        if not file.exists():
            changed.append(f"{kind}: no golden file golden/{file.name} (KATAS_UPDATE_GOLDEN=1 writes it)")
            continue
        want = file.read_text(encoding="utf-8")
        if texts[kind] != want:
            why = ("" if name.endswith(".sandbox") or path == "plain" else
                   " — the sandbox must say what the in-process path says here (or document why not in DIFFERENCES)")
            changed.append(f"{kind}: the text differs from golden/{file.name}{why}:\n"
                           + _diff(want, texts[kind], f"golden/{file.name}", f"got ({path})"))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
    if changed:
        pytest.fail("the learner feedback changed (KATAS_UPDATE_GOLDEN=1 accepts it):\n\n" + "\n\n".join(changed),
                    pytrace=False)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_two_paths_differ_only_as_documented(kind):
    """Where the in-process and sandboxed texts differ, they differ only in the documented way (checked on the golden
    files, so no grading is needed); where no difference is documented there is one golden file for both."""
    plain_file, sandbox_file = GOLDEN / f"{kind}.txt", GOLDEN / f"{kind}.sandbox.txt"
    if kind not in DIFFERENCES:
        assert not sandbox_file.exists(), f"{sandbox_file.name} is stale: no difference is documented for {kind}"
        return
    why, known = DIFFERENCES[kind]
    plain, sandbox = plain_file.read_text(encoding="utf-8"), sandbox_file.read_text(encoding="utf-8")
    if plain == sandbox:
        pytest.fail(f"{kind}: the two paths now agree; drop it from DIFFERENCES ({why})", pytrace=False)
    if known is not None and known(plain) != known(sandbox):
        pytest.fail(f"{kind}: the paths differ in more than the documented way ({why}):\n"
                    + _diff(known(plain), known(sandbox), f"golden/{plain_file.name}", f"golden/{sandbox_file.name}"),
                    pytrace=False)
