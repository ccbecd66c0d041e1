"""Each solution's docstring — the learner's instructions — agrees with its catalogue entry: the first line is
"<title_en> · <title_zh>", every d2l-zh section of the entry is cited as §N.M, and every function with forbidden
calls says what is forbidden (in its own docstring or in the module's)."""
import ast

import pytest

from grader import ROOT, catalogue

EXERCISES = [ex for ex in catalogue.load().exercises if (ROOT / "solutions" / ex.module).exists()]


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.id for ex in EXERCISES])
def test_solution_docstring_agrees_with_catalogue(ex):
    tree = ast.parse((ROOT / "solutions" / ex.module).read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    assert doc.splitlines()[:1] == [f"{ex.title_en} · {ex.title_zh}"], \
        f"{ex.module}: the docstring's first line must be the catalogue's titles, '{ex.title_en} · {ex.title_zh}'"
    for section in (s.strip() for s in ex.d2l.split(",") if s.strip()):   # empty: not in the book (papers)
        assert f"§{section}" in doc, f"{ex.module}: the docstring does not cite d2l-zh §{section}"
    defs = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for fn in ex.forbid:
        name = fn.split(".")[0]
        assert name in defs, f"{ex.module}: `{fn}` has forbidden calls in the catalogue but is not defined"
        own = ast.get_docstring(defs[name]) or ""
        assert "Forbidden" in own or "Forbidden" in doc, \
            f"{ex.module}: `{name}` has forbidden calls ({', '.join(ex.forbid[fn][:4])} …) its docstring never names"
    for fn in ex.functions:
        assert fn in defs, f"{ex.module}: the catalogue lists `{fn}`, which the solution does not define"
