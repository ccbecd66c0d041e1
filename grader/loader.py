"""Loading the code under test: a learner's exercise module, a reference solution, a fresh stub or a mutant.

A *tree* is ``"exercises"``, ``"solutions"`` or any directory shaped like them. A *variant* is ``"source"`` (the file
as it is in the tree), ``"stub"`` (generated from the solution), ``"mutant:<name>"`` (the solution with the functions of a recorded
buggy variant in ``tests/variants/chN/<module>.py`` replacing the reference ones) or ``"alt:<name>"`` (likewise
with a recorded *correct* implementation written differently, which every grader must accept) or ``"const:<name>"``
(the solution with function or class ``<name>`` turned into one that ignores its input: it returns a copy of its
first answer on every later call; the self-check proves such an answer earns nothing).
Only the tree that is asked for is read: grading ``exercises`` never imports ``solutions``.
"""
from __future__ import annotations

import importlib
import linecache
import textwrap
import sys
import types
from pathlib import Path

from grader import ROOT
from grader.runtime import learner
from grader.seam import IMPORT_ERROR, LearnerImportError  # noqa: F401  (re-exported: loader.LearnerImportError)

# Files whose code is learner code (real paths, or pseudo-paths of generated variants). The forbidden-call guard
# and the feedback formatter use it to tell learner frames from grader frames.
LEARNER_FILES: set[str] = set()

_CACHE: dict[tuple[str, str, str], types.ModuleType] = {}
_NAMESPACES: dict[str, tuple[str, types.ModuleType, str]] = {}   # token -> (module, module object, source)


def register_namespace(token: str, module: str, mod: types.ModuleType, source: str) -> None:
    """Make ``tree="namespace:<token>"`` resolve to ``mod`` (a notebook's namespace); ``source`` is its code."""
    _NAMESPACES[token] = (module, mod, source)
    linecache.cache[mod.__file__] = (len(source), None, source.splitlines(keepends=True), mod.__file__)


def namespace_source(tree) -> str | None:
    if isinstance(tree, str) and tree.startswith("namespace:"):
        return _NAMESPACES[tree.split(":", 1)[1]][2]
    return None


def tree_path(tree: str | Path) -> Path:
    if isinstance(tree, str) and tree.startswith("namespace:"):
        return Path("/") / tree.replace(":", "_")
    p = Path(tree)
    if not p.is_absolute():
        p = ROOT / p
    return p.resolve()


def _variants_file(module: str):
    chapter, name = module.removesuffix(".py").split("/")
    try:
        return importlib.import_module(f"tests.variants.{chapter}.{name}")
    except ModuleNotFoundError:
        return None


def mutants_of(module: str, kind: str = "MUTANTS") -> dict[str, dict]:
    """Recorded buggy variants of a module: {name: {"source": str, "feedback": str | None, "why": str}}.

    With kind="ALTERNATIVES": the recorded correct implementations written differently."""
    mod = _variants_file(module)
    out = {}
    for key, spec in (getattr(mod, kind, None) or {}).items():
        spec = {"source": spec} if isinstance(spec, str) else dict(spec)
        spec["source"] = textwrap.dedent(spec["source"]).strip("\n") + "\n"
        spec.setdefault("feedback", None)
        spec.setdefault("why", "")
        out[key] = spec
    return out


def shown_path(filename: str) -> str:
    """A learner file as feedback names it: relative to the clone where it is inside it."""
    try:
        return Path(filename).resolve().relative_to(ROOT).as_posix()
    except (ValueError, OSError):
        return filename


def learner_frames(tb) -> list[str]:
    """The frames of a traceback that are learner code, as feedback shows them (paths relative to the clone)."""
    import traceback
    return [f"  {shown_path(fs.filename)}, line {fs.lineno}, in {fs.name}\n      {fs.line or ''}".rstrip()
            for fs in traceback.extract_tb(tb) if fs.filename in LEARNER_FILES]


def _describe_import_error(e: BaseException, filename: str) -> str:
    return learner.import_error_text(e, filename)


def _exec_module(name: str, source: str, filename: str) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__file__ = filename
    sys.modules[name] = mod
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    LEARNER_FILES.add(filename)
    try:
        exec(compile(source, filename, "exec"), mod.__dict__)
    except Exception as e:
        sys.modules.pop(name, None)
        raise LearnerImportError(_describe_import_error(e, filename)) from None
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


# Appended to a solution for the variant "const:<name>": the function (or every method of the class) answers its
# first call correctly and then returns a copy of that first answer forever, whatever it is given: the answer of a
# learner who hard-codes an output of the right shape, or ignores the input.
CONSTANT_ANSWER = '''
def __katas_constant(fn):
    import copy as _copy
    import functools as _functools
    first = []

    def _copy_of(value):
        import torch as _torch
        if isinstance(value, _torch.Tensor):
            return value.detach().clone()
        if isinstance(value, (list, tuple)):
            items = [_copy_of(v) for v in value]
            try:
                return type(value)(items)
            except TypeError:
                return type(value)(*items)
        if isinstance(value, dict):
            return {{k: _copy_of(v) for k, v in value.items()}}
        try:
            return _copy.deepcopy(value)
        except Exception:
            return value

    @_functools.wraps(fn)
    def constant(*args, **kwargs):
        if not first:
            first.append(fn(*args, **kwargs))
        return _copy_of(first[0])
    return constant


if isinstance({name}, type):
    for __k, __v in list(vars({name}).items()):
        if callable(__v) and not isinstance(__v, type) and __k not in ("__init__", "__new__", "__init_subclass__"):
            setattr({name}, __k, __katas_constant(__v))
else:
    {name} = __katas_constant({name})
'''


def variant_source(module: str, tree: str | Path = "exercises", variant: str = "source") -> tuple[str, str]:
    """(source, filename) of ``<tree>/<module>`` as the given variant (see :func:`load`)."""
    base = tree_path(tree)
    if variant == "source":
        path = base / module
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist (run `katas stubs` to create the exercise files)")
        return path.read_text(encoding="utf-8"), str(path)
    from grader.stubgen import generate_stub
    solution = (base / module).read_text(encoding="utf-8")
    if variant == "stub":
        source = generate_stub(solution, module)
    elif variant.startswith("const:"):
        name = variant.split(":", 1)[1]
        source = solution.rstrip("\n") + f"\n\n\n# ---- generic variant {variant} ----\n" + CONSTANT_ANSWER.format(name=name)
    elif variant.startswith(("mutant:", "alt:")):
        kind, mname = variant.split(":", 1)
        spec = mutants_of(module, "MUTANTS" if kind == "mutant" else "ALTERNATIVES")[mname]
        source = solution.rstrip("\n") + f"\n\n\n# ---- recorded variant {variant} ----\n" + spec["source"]
    else:
        raise ValueError(f"unknown variant {variant!r}")
    return source, str(base / f"<{variant}>" / module)


def load(module: str, tree: str | Path = "exercises", variant: str = "source") -> types.ModuleType:
    """Import ``<tree>/<module>`` (e.g. module="ch3/softmax_regression.py") as the given variant; cached.
    ``tree="namespace:<token>"`` is a registered notebook namespace."""
    if isinstance(tree, str) and tree.startswith("namespace:"):
        return _NAMESPACES[tree.split(":", 1)[1]][1]
    base = tree_path(tree)
    key = (str(base), module, variant)
    if key in _CACHE:
        return _CACHE[key]
    stem = module.removesuffix(".py").replace("/", ".")
    tag = base.name if variant == "source" else variant.replace(":", "_")
    name = f"_kata.{tag}.{stem}"
    source, filename = variant_source(module, tree, variant)
    mod = _exec_module(name, source, filename)
    _CACHE[key] = mod
    return mod
