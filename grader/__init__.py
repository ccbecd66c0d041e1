"""d2l-katas grading engine: catalogue, stub generation, pytest plugin, scoring and the `katas` CLI."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("exercises", "solutions")


def command(rest: str) -> str:
    """A katas command as a learner types it right after the README's quick start (no virtual environment
    activated, so neither `katas` nor `pytest` is on PATH): ``python3 katas.py REST``, ``py -3 katas.py REST`` on
    Windows."""
    import os
    return f"{'py -3' if os.name == 'nt' else 'python3'} katas.py {rest}"


def console_safe() -> None:
    """A console whose code page cannot show ✔ or · (GBK on a Chinese Windows, cp1252) gets '?' for them instead
    of a UnicodeEncodeError; Chinese text still shows where the code page has it."""
    import sys
    for stream in (sys.stdout, sys.stderr):
        try:
            "✔✘·—".encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            try:
                stream.reconfigure(errors="replace")
            except (AttributeError, ValueError):
                pass


def digest(paths, base: Path | None = None) -> str:
    """A content digest of files, in the order given: each file's name (relative to ``base`` when given) and the
    SHA-256 of its bytes ("-" for a path that is not a file). The board cache and grade-class's "already graded"
    both key on it."""
    import hashlib
    h = hashlib.sha256()
    for p in paths:
        h.update((p.relative_to(base) if base is not None else p).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest() if p.is_file() else b"-")
    return h.hexdigest()
