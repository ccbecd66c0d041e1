"""Forbidden calls: the library shortcuts that would make an exercise trivial.

The catalogue lists them per function (``forbid``) with the reason (``forbid_why``). They are enforced twice:

* **at run time** (grader/runtime/guard.py, the same code in the sandboxed worker): while a grader runs, the guard sees every
  torch call (the function object itself), every aten operator it ends in and every construction of a banned class,
  and a banned operation that learner code performs — under any name, captured at import, from exec'd source —
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
import os
import types

import torch

from grader import loader
from grader.runtime import guard

_TESTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
_SHIPPABLE = frozenset(os.path.join(_TESTS_DIR, f) for f in os.listdir(_TESTS_DIR)
                       if f.startswith("shippable") and f.endswith(".py"))


ForbiddenCall = guard.ForbiddenCall
Rules = guard.Rules
expand = guard.expand
_resolve = guard.resolve


@functools.cache
def rules_for(module: str) -> Rules | None:
    from grader import catalogue
    ex = catalogue.load().by_module(module)
    if ex is None or not ex.forbid:
        return None
    return Rules(ex.forbid, ex.forbid_why)


# --------------------------------------------------------------------------------------------- run time
_SEAM = frozenset({os.path.join(os.path.dirname(os.path.abspath(__file__)), "conventions.py")})
_TRUSTED = (_TESTS_DIR + os.sep, os.path.dirname(os.path.abspath(__file__)) + os.sep)


def _seam_key(frame):
    """The learner function a call through the seam (grader.conventions.graded_call) is running."""
    name = frame.f_locals.get("name")
    return name if isinstance(name, str) else None


def Guard(rules: Rules) -> guard.Guard:
    """The run-time guard of one exercise module in the grading process (see grader/runtime/guard.py)."""
    return guard.Guard(rules, guard.Frames(loader.LEARNER_FILES, _SHIPPABLE, _SEAM, _TRUSTED), seam_key=_seam_key)


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
