"""Forbidden calls: the library shortcuts that would make an exercise trivial.

The catalogue lists them per function (``forbid``) with the reason (``forbid_why``). They are enforced twice:

* **at run time**: while a grader runs, a ``TorchFunctionMode`` sees every torch call (functions, ``F.*``,
  Tensor methods, the ``@`` operator, ``backward``). A banned call whose nearest non-torch caller is learner code
  raises :class:`ForbiddenCall`. Graders may still use the same functions as oracles.
* **statically**: the learner's source is scanned (AST, so comments and strings never count) for references to
  banned names through any import alias, Tensor-method calls and ``@``; accessing a function through the seam
  fails with the same message.

A name in the catalogue is either dotted (``torch.nn.functional.one_hot``, ``Tensor.matmul``, or a module such as
``torch.autograd`` which bans everything in it) or bare (``softmax``), which means every alias: ``torch.softmax``,
``torch.nn.functional.softmax``, ``torch.special.softmax``, ``Tensor.softmax``, ``torch.linalg.softmax`` (those that
exist). ``module:sklearn`` bans a whole non-torch package (static scan only; it is never imported here).
"""
from __future__ import annotations

import ast
import functools
import importlib
import os
import sys
import types

import torch
from torch.overrides import TorchFunctionMode

from grader import loader

_ALIAS_HOMES = ("torch", "torch.nn.functional", "torch.special", "torch.linalg", "Tensor")
_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
# helper objects graders hand to learner code (tests/shippable.py): a banned call they make on the learner's behalf
# counts as the learner's (frames there are skipped like torch's own)
_TESTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
_SHIPPABLE = frozenset(os.path.join(_TESTS_DIR, f) for f in os.listdir(_TESTS_DIR)
                       if f.startswith("shippable") and f.endswith(".py"))


class ForbiddenCall(Exception):
    """A forbidden library call in learner code (not a grader bug)."""


def _resolve(dotted: str):
    """The object a dotted name refers to, or None."""
    parts = dotted.split(".")
    if parts[0] == "Tensor":
        obj, parts = torch.Tensor, parts[1:]
    else:
        obj = None
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            parts = parts[i:]
            break
        if obj is None:
            return None
    for p in parts:
        obj = getattr(obj, p, None)
        if obj is None:
            return None
    return obj


@functools.cache
def expand(name: str) -> tuple[tuple[str, object], ...]:
    """Catalogue name -> ((display name, object), ...)."""
    names = [f"{home}.{name}" for home in _ALIAS_HOMES] if "." not in name else [name]
    out = []
    for dotted in names:
        obj = _resolve(dotted)
        if obj is not None:
            out.append((dotted, obj))
    if not out:
        raise ValueError(f"forbidden name {name!r} does not resolve to anything in this torch version")
    return tuple(out)


class Rules:
    """The forbidden calls of one exercise module."""

    def __init__(self, forbid: dict[str, list[str]], why: dict[str, str]):
        self.why = why
        self.by_func: dict[str, dict[int, str]] = {}    # learner function -> {id(obj): display name}
        self.modules: dict[str, list[str]] = {}         # learner function -> banned module prefixes
        self.objects: dict[int, object] = {}
        for fn, names in forbid.items():
            table = self.by_func.setdefault(fn, {})
            for name in names:
                if name.startswith("module:"):  # a non-torch package, banned by the static scan only
                    self.modules.setdefault(fn, []).append(name.split(":", 1)[1])
                    continue
                for dotted, obj in expand(name):
                    if isinstance(obj, types.ModuleType):
                        self.modules.setdefault(fn, []).append(obj.__name__)
                        for attr in dir(obj):
                            member = getattr(obj, attr, None)
                            if callable(member) and not isinstance(member, type):
                                table[id(member)] = f"{dotted}.{attr}"
                                self.objects[id(member)] = member
                    else:
                        table[id(obj)] = dotted
                        self.objects[id(obj)] = obj  # keep alive so ids stay unique

    def message(self, fn: str, called: str, where: str) -> str:
        why = self.why.get(fn, "the exercise asks you to build this yourself.")
        return (f"`{called}` is not allowed in `{fn}` ({where}): {why}\n"
                f"Use only the operations the docstring allows (graders may still use `{called}` to check your answer).")


@functools.cache
def rules_for(module: str) -> Rules | None:
    from grader import catalogue
    ex = catalogue.load().by_module(module)
    if ex is None or not ex.forbid:
        return None
    return Rules(ex.forbid, ex.forbid_why)


# --------------------------------------------------------------------------------------------- run time
class Guard(TorchFunctionMode):
    """Raises ForbiddenCall for a banned torch call made directly by learner code."""

    def __init__(self, rules: Rules):
        super().__init__()
        self.rules = rules
        self.banned = set()
        for table in rules.by_func.values():
            self.banned.update(table)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if id(func) in self.banned:
            self._check(func)
        return func(*args, **kwargs)

    def _check(self, func):
        frame = sys._getframe(2)
        while frame is not None and (frame.f_code.co_filename.startswith(_TORCH_DIR)
                                     or frame.f_code.co_filename in _SHIPPABLE):
            frame = frame.f_back
        if frame is None or frame.f_code.co_filename not in loader.LEARNER_FILES:
            return  # a grader (or torch itself) calls it: allowed
        caller = frame
        # the learner function whose rules apply: the innermost enclosing frame named in the rules
        f = frame
        while f is not None:
            if f.f_code.co_filename in loader.LEARNER_FILES:
                name = f.f_code.co_name
                qual = getattr(f.f_code, "co_qualname", name)
                for key in (qual, qual.split(".")[0], name):
                    table = self.rules.by_func.get(key)
                    if table is not None:
                        if id(func) in table:
                            where = f"{os.path.basename(caller.f_code.co_filename)} line {caller.f_lineno}"
                            raise ForbiddenCall(self.rules.message(key, table[id(func)], where))
                        return
            f = f.f_back


# --------------------------------------------------------------------------------------------- static scan
def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted name, for imports of torch (and anything else imported)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id], *reversed(parts)])
    return None


def scan(source: str, filename: str, rules: Rules, public: frozenset[str] | set[str] = frozenset()
         ) -> dict[str, list[str]]:
    """{learner function or class: [messages]} for banned references found in the source.

    ``public`` are the exercise's own function and class names (never treated as helpers)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    aliases = _module_aliases(tree)
    found: dict[str, list[str]] = {}

    def banned_name(fn: str, node: ast.AST) -> str | None:
        table = rules.by_func.get(fn, {})
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            obj = torch.Tensor.matmul
            return "@ (Tensor.matmul)" if id(obj) in table else None
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, aliases)
            if dotted is not None:
                for prefix in rules.modules.get(fn, []):
                    if dotted == prefix or dotted.startswith(prefix + "."):
                        return dotted
                obj = _resolve(dotted) if dotted.split(".")[0] in ("torch",) else None
                if obj is not None and not isinstance(obj, types.ModuleType) and id(obj) in table:
                    return table[id(obj)]
                return None
            if isinstance(node, ast.Attribute) and not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                meth = getattr(torch.Tensor, node.attr, None)
                if meth is not None and id(meth) in table:
                    return table[id(meth)]
        return None

    def visit(fn: str, body_nodes, where_fn: str):
        lines_seen: set[int] = set()
        for top in body_nodes:
            for node in ast.walk(top):  # breadth first: an attribute chain before its parts
                if getattr(node, "lineno", None) in lines_seen:
                    continue
                name = banned_name(fn, node)
                if name:
                    lines_seen.add(node.lineno)
                    msg = rules.message(fn, name, f"{os.path.basename(filename)} line {node.lineno}")
                    found.setdefault(where_fn, [])
                    if msg not in found[where_fn]:
                        found[where_fn].append(msg)

    # module-level helpers (functions and classes that are not exercise functions) are scanned with the rules of
    # every rule-bearing function that reaches them by name, so a banned call cannot hide in a helper.
    defs = {n.name: n for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    helpers = {name: node for name, node in defs.items() if name not in public and name not in rules.by_func}

    def reachable_helpers(nodes) -> list[ast.AST]:
        seen, todo, out = set(), list(nodes), []
        while todo:
            for sub in ast.walk(todo.pop()):
                if isinstance(sub, ast.Name) and sub.id in helpers and sub.id not in seen:
                    seen.add(sub.id)
                    out.append(helpers[sub.id])
                    todo.append(helpers[sub.id])
        return out

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in rules.by_func:
            body = node.body + node.args.defaults
            visit(node.name, body + reachable_helpers(body), node.name)
        elif isinstance(node, ast.ClassDef):
            if node.name in rules.by_func:  # the bases count too: `class MySequential(nn.Sequential)`
                body = node.bases + node.keywords + node.body
                visit(node.name, body + reachable_helpers(body), node.name)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    qual = f"{node.name}.{item.name}"
                    if qual in rules.by_func:
                        visit(qual, item.body + reachable_helpers(item.body), node.name)
    return found
