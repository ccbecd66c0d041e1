"""Stubs are generated from ``solutions/``: each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block becomes a
``raise NotImplementedError`` naming the exercise; docstrings, signatures and imports stay.

``exercises/.katas-stubs.json`` (the manifest) records the hash of every generated stub. It tells

* whether an exercise file is still the untouched stub (the board shows "not started" without running anything),
* whether the learner has edited it (then ``katas stubs`` never overwrites it without ``--force``, and keeps a backup),
* whether ``solutions/`` changed without regenerating the stubs (drift; a test in the suite fails).
"""
from __future__ import annotations

import ast
import hashlib
import json
import shutil
import time
from pathlib import Path

from grader import ROOT
from grader.runtime.learner import STUB_MARK  # noqa: F401  (in every stub's NotImplementedError message)

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
MANIFEST = "exercises/.katas-stubs.json"
HEADER = ("# Generated from solutions/{module} by `katas stubs`. This file is yours: write your answers in place\n"
          "# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.\n")


class StubError(ValueError):
    pass


def _enclosing_def(tree: ast.AST, lineno: int) -> str | None:
    """Qualified name of the innermost function (or method) whose body contains line ``lineno``."""
    best: tuple[int, str] | None = None

    def visit(node, prefix):
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if child.lineno <= lineno <= child.end_lineno:
                    if not isinstance(child, ast.ClassDef):
                        if best is None or child.lineno >= best[0]:
                            best = (child.lineno, name)
                    visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return best[1] if best else None


def generate_stub(source: str, module: str) -> str:
    """Return the stub text for a solution module's source. ``module`` is e.g. ``"ch3/softmax_regression.py"``."""
    tree = ast.parse(source)
    ex_id = module.removesuffix(".py").replace("/", ".")
    lines = source.splitlines(keepends=True)
    out: list[str] = [HEADER.format(module=module)]
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            qualname = _enclosing_def(tree, i + 1)
            if qualname is None:
                raise StubError(f"{module}:{i + 1}: a solution block must be inside a function or method")
            j = i + 1
            while j < len(lines) and lines[j].strip() != END:
                if lines[j].strip() == BEGIN:
                    raise StubError(f"{module}:{j + 1}: nested {BEGIN}")
                j += 1
            if j == len(lines):
                raise StubError(f"{module}:{i + 1}: {BEGIN} without {END}")
            out.append(f'{indent}raise NotImplementedError("{STUB_MARK} {ex_id}.{qualname}: '
                       f'not implemented yet - replace this line with your code")\n')
            i = j + 1
            continue
        if line.strip() == END:
            raise StubError(f"{module}:{i + 1}: {END} without {BEGIN}")
        out.append(line)
        i += 1
    stub = "".join(out)
    ast.parse(stub)  # the stub must be valid Python
    return stub


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def solution_modules(root: Path = ROOT) -> list[str]:
    """Relative module paths ("ch3/softmax_regression.py") of every solution module."""
    base = root / "solutions"
    from grader.catalogue import is_chapter, module_key
    return sorted((p.relative_to(base).as_posix() for p in base.glob("*/*.py")
                   if p.name != "__init__.py" and is_chapter(p.parent.name)), key=module_key)


def read_manifest(root: Path = ROOT) -> dict[str, str]:
    path = root / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def stub_for(module: str, root: Path = ROOT) -> str:
    return generate_stub((root / "solutions" / module).read_text(encoding="utf-8"), module)


def is_untouched(module: str, root: Path = ROOT) -> bool:
    """True when exercises/<module> is byte-for-byte the stub recorded in the manifest."""
    path = root / "exercises" / module
    recorded = read_manifest(root).get(module)
    return path.exists() and recorded is not None and sha(path.read_text(encoding="utf-8")) == recorded


def regenerate(root: Path = ROOT, force: bool = False, only: list[str] | None = None, log=print) -> dict[str, str]:
    """Write stubs for every solution module. Edited exercises are kept unless ``force`` (then backed up first).

    Returns {module: action} with action in "created", "updated", "unchanged", "kept-edited", "overwritten".
    """
    manifest = read_manifest(root)
    actions: dict[str, str] = {}
    for module in solution_modules(root):
        if only and module not in only:
            continue
        stub = stub_for(module, root)
        target = root / "exercises" / module
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_text(stub, encoding="utf-8")
            actions[module] = "created"
        else:
            current = target.read_text(encoding="utf-8")
            if current == stub:
                actions[module] = "unchanged"
            elif manifest.get(module) == sha(current):
                target.write_text(stub, encoding="utf-8")
                actions[module] = "updated"
            elif force:
                backup = target.with_name(f"{target.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
                shutil.copy2(target, backup)
                target.write_text(stub, encoding="utf-8")
                actions[module] = "overwritten"
                log(f"exercises/{module}: your edits were backed up to {backup.relative_to(root).as_posix()}")
            else:
                actions[module] = "kept-edited"
                log(f"exercises/{module}: kept your edits (regenerate it with --force; a backup is written first)")
        manifest[module] = sha(stub)
    if not only:
        known = set(solution_modules(root))
        manifest = {m: h for m, h in manifest.items() if m in known}
    (root / MANIFEST).write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n", encoding="utf-8")
    return actions


def drift(root: Path = ROOT, strict: bool = False) -> list[str]:
    """Problems that mean exercises/ has drifted from solutions/ (empty list = in sync).

    Always: every solution has a manifest entry equal to the hash of its freshly generated stub, and no entry is
    stale. With ``strict`` (the maintainers' CI, on a fresh clone) every exercise file must also be that stub.
    Without it, a learner's edited exercise is fine.
    """
    problems = []
    manifest = read_manifest(root)
    modules = solution_modules(root)
    for module in modules:
        stub = stub_for(module, root)
        if manifest.get(module) != sha(stub):
            problems.append(f"solutions/{module} changed but its stub was not regenerated (run `katas stubs`)")
        path = root / "exercises" / module
        if not path.exists():
            problems.append(f"exercises/{module} is missing (run `katas stubs`)")
        elif strict and path.read_text(encoding="utf-8") != stub:
            problems.append(f"exercises/{module} differs from the stub generated from solutions/{module}")
    for module in manifest:
        if module not in modules:
            problems.append(f"{MANIFEST} lists {module}, which has no solution")
    return problems
