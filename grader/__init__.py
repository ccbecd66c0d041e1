"""d2l-katas grading engine: catalogue, stub generation, pytest plugin, scoring and the `katas` CLI."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("exercises", "solutions")
