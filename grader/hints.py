"""Progressive hints: each `katas hint ID` (or `h` in `katas watch`) reveals one more hint.

ID is an exercise (``ch3.softmax_regression``: the catalogue's hints for the module) or one function of it
(``ch3.softmax_regression.softmax`` or ``ch3/softmax_regression::softmax``): the catalogue's hints that name the
function, then the graders' own hints for the mistakes the tests of that function recognise, in the order the tests
come (general first, specific later). Shown in the learner's language (grader.i18n).
"""
from __future__ import annotations

import ast
import functools
import json
import re

from grader import ROOT, catalogue, command
from grader.i18n import N_, tr

STATE_DIR = ROOT / ".katas"


def _split(ex_id: str) -> tuple[str, str | None]:
    """"ch3.softmax_regression.softmax" / "ch3/softmax_regression::softmax" → ("ch3.softmax_regression", "softmax")."""
    key = ex_id.replace("::", ".").replace("\\", "/").replace("/", ".").removesuffix(".py")
    parts = key.split(".")
    if len(parts) >= 3:
        return ".".join(parts[:-1]), parts[-1]
    return key, None


def function_hints(ex, name: str) -> list[str]:
    """The hints of one learner function: the catalogue's that name it, then its graders' Hint texts."""
    return list(_function_hints(ex.id, name))


@functools.lru_cache(maxsize=None)
def _function_hints(ex_id: str, name: str) -> tuple[str, ...]:
    from grader.i18n import _texts
    ex = catalogue.load().find(ex_id)[0]
    def about(h):   # "softmax: ..." is about softmax only; otherwise a hint is about the functions it names
        lead = re.match(r"`?(\w+)`?\s*:", h)
        if lead and lead.group(1) in ex.functions:
            return lead.group(1) == name
        return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", h) is not None
    out = [h for h in ex.hints if about(h)]
    chapter, module = ex.module.removesuffix(".py").split("/")
    test_file = ROOT / "tests" / chapter / f"test_{module}.py"
    if not test_file.exists():
        return tuple(out)
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def hint_texts(fn, seen):
        found = []
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            callee = getattr(node.func, "id", None)
            if callee == "Hint":
                found += list(_texts(node))
            for kw in node.keywords:
                if kw.arg in ("hints", "hint"):
                    found += list(_texts(kw.value))
            if callee in defs and callee not in seen and not callee.startswith("test"):
                seen.add(callee)
                found += hint_texts(defs[callee], seen)
        return found

    for test in catalogue.tests_reaching(test_file, name):
        if test in defs:
            for t in hint_texts(defs[test], set()):
                text = t.replace("{{", "\0").replace("}}", "\1")
                text = re.sub(r"\{\d+\}", "…", text).replace("\0", "{").replace("\1", "}")
                if text not in out:
                    out.append(text)
    return tuple(out)


def show(ex_id: str, all_hints: bool = False) -> int:
    cat = catalogue.load()
    key, function = _split(ex_id)
    found = cat.find(key) if function else cat.find(ex_id)
    if len(found) != 1 or (function is not None and function not in found[0].functions):
        print(tr(N_(f"unknown exercise {ex_id!r}; ids: {', '.join(e.id for e in cat.exercises)}")))
        if len(found) == 1:
            print(tr(N_(f"functions of {found[0].id}: {', '.join(found[0].functions)}")))
        return 2
    ex = found[0]
    hints = function_hints(ex, function) if function else list(ex.hints)
    state_key = ex.id + (f".{function}" if function else "")
    if not hints:
        print(tr(N_(f"{state_key} has no hints of its own; try `{command('hint ' + ex.id)}`")))
        return 0
    state_file = STATE_DIR / "hints.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
    shown = len(hints) if all_hints else min(state.get(state_key, 0) + 1, len(hints))
    if not all_hints:
        state[state_key] = shown
        STATE_DIR.mkdir(exist_ok=True)
        state_file.write_text(json.dumps(state, indent=1), encoding="utf-8")
    print(f"{state_key} — {ex.title_en} · {ex.title_zh}" + (f" (d2l-zh §{ex.d2l})" if ex.d2l else ""))
    for i, h in enumerate(hints[:shown], 1):
        print(f"  {tr(N_('hint'))} {i}/{len(hints)}: {tr(h)}")
    if shown < len(hints):
        print("  " + tr(N_(f"(run `{command('hint ' + state_key)}` again for the next hint)")))
    elif not function and len(ex.functions) > 1:
        print("  " + tr(N_(f"(each function has hints of its own: `{command('hint ' + ex.id + '.' + ex.functions[0])}`)")))
    return 0
