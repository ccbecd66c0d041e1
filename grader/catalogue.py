"""The course catalogue (``grader/catalogue.toml``): one entry per exercise module.

Everything that lists exercises — the board, the scores, the hints, the forbidden calls and (later) the
nbgrader notebooks — reads it from here, so there is one source of truth for order, points and titles.
"""
from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")


@dataclass(frozen=True)
class Exercise:
    id: str                      # "ch3.softmax_regression"
    module: str                  # "ch3/softmax_regression.py"
    chapter: str                 # "ch3"
    functions: tuple[str, ...]
    points: int
    title_en: str
    title_zh: str
    d2l: str                     # d2l-zh section, e.g. "3.6"
    seed_lines: str              # "S:L165-341"
    hints: tuple[str, ...]
    forbid: dict = field(default_factory=dict)      # function or class name -> list of call names
    forbid_why: dict = field(default_factory=dict)  # function or class name -> reason shown to the learner
    exempt: dict = field(default_factory=dict)  # function -> conventions it is exempt from: "inputs", "dtype", "device"
    written: tuple = ()   # hand-graded written answers in the nbgrader notebook: {id, title, points, prompt, rubric}

    @property
    def test_file(self) -> str:
        chapter, name = self.module.split("/")
        return f"tests/{chapter}/test_{name}"


@dataclass(frozen=True)
class Chapter:
    id: str
    title_en: str
    title_zh: str


@dataclass(frozen=True)
class Catalogue:
    chapters: tuple[Chapter, ...]
    exercises: tuple[Exercise, ...]

    def by_id(self, ex_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == ex_id:
                return ex
        raise KeyError(ex_id)

    def by_module(self, module: str) -> Exercise | None:
        for ex in self.exercises:
            if ex.module == module:
                return ex
        return None

    def find(self, text: str) -> list[Exercise]:
        """Exercises matching "ch3", "ch3/softmax_regression", "ch3.softmax_regression" or "softmax_regression"."""
        key = text.replace("\\", "/").removesuffix(".py").strip("/")
        for prefix in ("exercises/", "solutions/", "tests/"):
            key = key.removeprefix(prefix)
        key = key.replace("/", ".").replace("test_", "")
        return [ex for ex in self.exercises
                if key in (ex.id, ex.chapter, ex.id.split(".", 1)[1])]


_CHAPTER = re.compile(r"ch\d+|distill|papers")


def is_chapter(name: str) -> bool:
    """A chapter directory's name: ch2 … ch14, then distill and papers (also before they are catalogued)."""
    return bool(_CHAPTER.fullmatch(name))


def chapter_key(name: str) -> tuple:
    """Course order of chapter ids: numerically (ch2 … ch9, ch11, ch13, ch14), then distill, then papers; any other
    name after them, alphabetically. Never string order (where ch10 would come before ch2)."""
    m = re.fullmatch(r"ch(\d+)", name)
    if m:
        return (0, int(m.group(1)), "")
    return ({"distill": 1, "papers": 2}.get(name, 3), 0, name)


def module_key(module: str) -> tuple:
    """Course order of module paths "chN/name.py": by chapter, then by name."""
    chapter, _, rest = module.replace("\\", "/").partition("/")
    return chapter_key(chapter) + (rest,)


@functools.cache
def load(path: Path = CATALOGUE_FILE) -> Catalogue:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    chapters = tuple(Chapter(id=c["id"], title_en=c["title_en"], title_zh=c["title_zh"])
                     for c in data["chapter"])
    exercises = []
    for e in data["exercise"]:
        chapter, name = e["module"].removesuffix(".py").split("/")
        exercises.append(Exercise(
            id=f"{chapter}.{name}", module=e["module"], chapter=chapter,
            functions=tuple(e["functions"]), points=int(e["points"]),
            title_en=e["title_en"], title_zh=e["title_zh"], d2l=str(e["d2l"]),
            seed_lines=e["seed_lines"], hints=tuple(e["hints"]),
            forbid=dict(e.get("forbid", {})), forbid_why=dict(e.get("forbid_why", {})),
            written=tuple(dict(w) for w in e.get("written", [])),
            exempt=dict(e.get("exempt", {})),
        ))
    chapters = tuple(sorted(chapters, key=lambda c: chapter_key(c.id)))
    order = {c.id: i for i, c in enumerate(chapters)}
    exercises.sort(key=lambda ex: order[ex.chapter])  # stable: file order within a chapter
    return Catalogue(chapters=chapters, exercises=tuple(exercises))


def module_of_test(path) -> str:
    """The exercise module a grader file grades: tests/ch3/test_softmax.py -> "ch3/softmax.py" (ValueError outside
    tests/)."""
    from grader import ROOT
    p = Path(str(path)).resolve()
    rel = p.relative_to((ROOT / "tests").resolve())
    chapter, fname = rel.parts[0], rel.parts[-1]
    return f"{chapter}/{fname.removeprefix('test_')}"


@functools.lru_cache(maxsize=None)
def _reach(test_file: str) -> dict[str, frozenset]:
    """For each top-level function of a grader file: the learner names it reaches as ``kata.NAME``, as a string
    passed beside ``kata`` (``getattr(kata, "NAME")``, ``_grade(kata, "NAME", ...)``) or in its core marker, itself
    or through the file's other top-level functions it calls."""
    import ast
    tree = ast.parse(Path(test_file).read_text(encoding="utf-8"))
    funcs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    direct, calls = {}, {}
    for name, fn in funcs.items():
        names, called = set(), set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "kata":
                names.add(node.attr)
            elif isinstance(node, ast.Call):
                if any(isinstance(a, ast.Name) and a.id == "kata" for a in node.args):
                    # getattr(kata, "relu"), _grade(kata, "relu_grad", ...), nets.build(kata, "vgg_block", ...)
                    names.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
                if isinstance(node.func, ast.Name) and node.func.id in funcs:
                    called.add(node.func.id)
            elif isinstance(node, ast.Name) and node.id in funcs:
                called.add(node.id)   # a helper passed as a value (e.g. to a hypothesis strategy)
        for deco in fn.decorator_list:   # @pytest.mark.core("relu_grad")
            if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "core":
                names.update(a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
        direct[name], calls[name] = names, called
    out = {}
    for name in funcs:
        seen, todo, names = {name}, [name], set()
        while todo:
            f = todo.pop()
            names |= direct[f]
            for g in calls[f] - seen:
                seen.add(g)
                todo.append(g)
        out[name] = frozenset(names)
    return out


def tests_reaching(test_file, name: str) -> list[str]:
    """The test functions of a grader file that reach the learner's ``name``, in file order (a static reading of the
    source: what `katas check MODULE::FUNCTION` runs)."""
    return [t for t, names in _reach(str(test_file)).items() if t.startswith("test") and name in names]
