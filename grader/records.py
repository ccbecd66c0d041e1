"""The one record of a graded test, from the plugin to scoring, the board, Gradescope, nbgrader and the CSV.

A ``Record`` is what the plugin writes for each test it runs (``--katas-report`` files and results.json's tests are
its JSON form: ``to_dict`` / ``from_dict``); ``Status`` says how the test ended. ``grader.scoring.gate`` adds
``earned`` and ``gated_by``.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from pathlib import Path


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_STARTED = "not started"   # failed because an untouched stub function was called


@dataclass
class Record:
    module: str                   # "ch3/softmax_regression.py"
    title: str                    # the test's docstring (first line) or its name
    test: str = ""                # pytest node id
    variant: str = "source"       # source (the tree under test), or stub / alt:NAME / mutant:NAME / const:NAME
    weight: float = 1.0           # @pytest.mark.weight
    seed: int | None = None       # stat_seed of a statistical grader under --katas-seeds N
    status: Status = Status.FAILED
    feedback: str = ""            # what the learner reads (empty when the test passed)
    hidden: bool = False          # @pytest.mark.hidden
    uses: list[str] = field(default_factory=list)   # catalogued learner functions the test reached
    core: list[str] = field(default_factory=list)   # those it is a core test of (@pytest.mark.core)
    earned: bool | None = None    # scoring.gate: passed, and every core test of what it uses passed
    gated_by: list[str] = field(default_factory=list)   # scoring.gate: the failing core tests that hold it back

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def not_started(self) -> bool:
        return self.status is Status.NOT_STARTED

    def to_dict(self) -> dict:
        d = asdict(self)
        d["status"] = self.status.value
        d["passed"], d["not_started"] = self.passed, self.not_started   # for readers of the JSON form
        if self.earned is None:
            del d["earned"], d["gated_by"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Record":
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        status = d.get("status")
        if status is None:
            status = "passed" if d.get("passed") else ("not started" if d.get("not_started") else "failed")
        kw["status"] = Status(status)
        kw["uses"], kw["core"] = list(kw.get("uses") or []), list(kw.get("core") or [])
        kw["gated_by"] = list(kw.get("gated_by") or [])
        kw["feedback"] = kw.get("feedback") or ""
        return cls(**kw)


def as_records(items) -> list[Record]:
    """Records from records or their JSON form (a report file's list)."""
    return [r if isinstance(r, Record) else Record.from_dict(r) for r in items]


def load(path: Path) -> list[Record]:
    return as_records(json.loads(Path(path).read_text(encoding="utf-8")))


def dump(records, path: Path) -> None:
    Path(path).write_text(json.dumps([r.to_dict() for r in records], indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
