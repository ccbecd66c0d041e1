#!/usr/bin/env python3
"""Bootstrap for d2l-katas: sets everything up on first use, then runs the `katas` CLI.

    python3 katas.py board     the progress board (first run: creates .venv and installs torch & co.)
    python3 katas.py test      the project's whole test suite
    python3 katas.py hint ch3.softmax_regression   ... any `katas` command (see `python3 katas.py --help`)

Only the standard library is used here. The virtual environment lives in .venv/ next to this file; it is
reinstalled only when pyproject.toml changes (a stamp file records its hash), so later runs start at once.
Set KATAS_VENV to use another location.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("KATAS_VENV", ROOT / ".venv"))
WINDOWS = os.name == "nt"
PY = VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")
STAMP = VENV / ".katas-installed"


def _say(msg: str) -> None:
    print(f"[katas] {msg}", flush=True)


# commands of instructors and maintainers: they also need the dev extras (nbgrader, jupyterlab, pytest-xdist)
DEV_COMMANDS = {"test", "selfcheck", "course", "grade", "grade-class", "new"}


def ensure_env(dev: bool = False) -> None:
    """Install what the command needs: a learner's commands the learner dependencies only (torch, pytest,
    hypothesis, ...); the instructors' and maintainers' commands the dev extras too, on first use."""
    if sys.version_info < (3, 11):
        sys.exit(f"d2l-katas needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    have = STAMP.read_text().split() if PY.exists() and STAMP.exists() else []
    if have[:1] == [want] and (not dev or "dev" in have[1:]):
        return
    if not PY.exists():
        _say(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    dev = dev or "dev" in have[1:]
    if dev:
        _say("installing the instructor and maintainer tools (nbgrader, jupyterlab, pytest-xdist) with torch & co.")
    else:
        _say("installing torch, torchvision, pytest, hypothesis, ... (first run only; torch is large: a few "
             "minutes. A slow connection? Set PIP_INDEX_URL to a mirror: see the README)")
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.check_call(pip + ["-e", f"{ROOT}[dev]" if dev else str(ROOT)], cwd=ROOT)
    STAMP.write_text(want + (" dev" if dev else ""))


def main() -> int:
    ensure_env(dev=bool(set(sys.argv[1:2]) & DEV_COMMANDS))
    env = dict(os.environ)
    bindir = str(PY.parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONUTF8", "1")
    return subprocess.call([str(PY), "-m", "grader", *sys.argv[1:]], cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
