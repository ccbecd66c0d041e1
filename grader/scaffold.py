"""``katas new CHAPTER/MODULE``: start a new exercise (maintainers).

Writes the four files of an exercise and its catalogue entry, so that the self-check runs at once (and fails where
work remains: the skeleton's grader is a placeholder that the self-check rejects until it is written):

* ``solutions/<ch>/<module>.py`` — the module docstring (title line, d2l-zh section), one function with a
  ``### BEGIN SOLUTION`` block;
* ``tests/<ch>/test_<module>.py`` — one core test through the ``kata`` fixture;
* ``tests/variants/<ch>/<module>.py`` — empty ``MUTANTS`` and ``ALTERNATIVES``;
* ``tests/<ch>/__init__.py``, ``tests/variants/<ch>/__init__.py`` — for a new chapter;
* ``grader/catalogue.toml`` — the ``[[exercise]]`` entry (and the ``[[chapter]]`` entry of a new chapter), appended.

Nothing that exists is overwritten.
"""
from __future__ import annotations

import re
from pathlib import Path

from grader import ROOT
from grader.catalogue import CATALOGUE_FILE, is_chapter

SOLUTION = '''"""{title_en} · {title_zh}

d2l-zh §{d2l}. What the learner builds here and why it matters (the story of the kata).
"""
import torch


def {function}(X: torch.Tensor) -> torch.Tensor:
    """One line: what it computes (the formula).

    Args:
        X: float32 tensor of shape (n, d).

    Returns:
        A tensor of X's shape, dtype and device.

    Forbidden: the library call that would make this trivial (the catalogue's `forbid`).
    """
    ### BEGIN SOLUTION
    return X.clone()
    ### END SOLUTION
'''

TEST = '''"""Graders for {module} ({function}).

Oracles: ... Tolerances: ... (say how they were chosen).
"""
import pytest
import torch
from hypothesis import example, given, settings

from grader.check import Hint, expect_close
from tests.strategies import matrices


@pytest.mark.core("{function}")
@settings(max_examples=20)
@given(X=matrices(1, 5))
@example(X=torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
def test_{function}_matches_oracle(kata, X):
    """{function}(X) equals the oracle"""
    got = kata.{function}(X.clone())
    want = X.double() * 0   # TODO: the trusted oracle (a placeholder that fails until it is written)
    expect_close(got, want, "{function}(X) equals the oracle", inputs={{"X": X}},
                 hints=[Hint("a hint for a recognisable mistake", when=lambda got, want: False)])
'''

VARIANTS = '''"""Recorded buggy variants of {module}: each must be rejected by at least one grader (with its feedback).

ALTERNATIVES: correct implementations written differently (the book's own code among them); every grader must
accept them.
"""
MUTANTS = {{
    # "name": {{"why": "the mistake", "feedback": "a phrase the failure must contain", "source": \'\'\'
    #     def {function}(X):
    #         ...
    # \'\'\'}},
}}

ALTERNATIVES = {{
}}
'''

ENTRY = '''
[[exercise]]
module = "{module}"
functions = ["{function}"]
points = {points}
title_en = "{title_en}"
title_zh = "{title_zh}"
d2l = "{d2l}"
seed_lines = "{seed_lines}"
hints = [
  "TODO: the first hint (what to compute).",
  "TODO: the second hint (the classic mistake to avoid).",
  "TODO: the third hint (almost the answer).",
]
'''

CHAPTER = '''
[[chapter]]
id = "{chapter}"
title_en = "{title_en}"
title_zh = "{title_zh}"
'''


def new_exercise(module: str, *, function: str = "todo", title_en: str = "TODO title", title_zh: str = "待定标题",
                 d2l: str = "0.0", seed_lines: str = "S:L?", points: int = 5, chapter_en: str = "TODO chapter",
                 chapter_zh: str = "待定章节", root: Path = ROOT, catalogue_file: Path | None = None) -> list[Path]:
    """Create the files of a new exercise; returns the paths written. Raises FileExistsError if the module exists."""
    module = module.replace("\\", "/").removesuffix(".py") + ".py"
    chapter, _, name = module.partition("/")
    if not is_chapter(chapter) or not re.fullmatch(r"[a-z][a-z0-9_]*\.py", name):
        raise ValueError(f"{module!r}: expected CHAPTER/name with CHAPTER like ch6, distill or papers")
    if not function.isidentifier():
        raise ValueError(f"{function!r} is not a Python name")
    stem = name.removesuffix(".py")
    fields = dict(module=module, function=function, title_en=title_en, title_zh=title_zh, d2l=d2l,
                  seed_lines=seed_lines, points=points)
    files = {
        root / "solutions" / chapter / name: SOLUTION.format(**fields),
        root / "tests" / chapter / f"test_{stem}.py": TEST.format(**fields),
        root / "tests" / "variants" / chapter / name: VARIANTS.format(**fields),
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise FileExistsError(f"already there: {', '.join(str(p.relative_to(root)) for p in existing)}")
    written = []
    for init in (root / "tests" / chapter / "__init__.py", root / "tests" / "variants" / chapter / "__init__.py"):
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text("", encoding="utf-8")
            written.append(init)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    cat = catalogue_file or (root / "grader" / "catalogue.toml" if root != ROOT else CATALOGUE_FILE)
    text = cat.read_text(encoding="utf-8")
    if f'module = "{module}"' not in text:
        add = ""
        if not re.search(rf'^id = "{re.escape(chapter)}"$', text, re.M):
            add += CHAPTER.format(chapter=chapter, title_en=chapter_en, title_zh=chapter_zh)
        add += ENTRY.format(**fields)
        cat.write_text(text.rstrip("\n") + "\n" + add, encoding="utf-8")
        written.append(cat)
    return written
