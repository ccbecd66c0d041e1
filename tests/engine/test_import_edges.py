"""The engine's import graph, function-level imports included: every edge is one of the allowed edges below, and
there is no cycle. The learner-side runtime (what runs beside learner code in the sandboxed worker) imports nothing
from the trusted side.

The allowed edges are the architecture (docs/ARCHITECTURE.md, "What may import what"); a new edge is a decision,
made here, in review."""
import ast
from pathlib import Path

from grader import ROOT

# module -> the grader modules it may import ("__init__": the package's ROOT, command, console_safe)
ALLOWED = {
    # the vocabularies: import nothing of grader but the package root
    "seam": set(),
    "records": set(),
    "catalogue": {"__init__"},
    # learner-side runtime: runs in the worker beside learner code (and in-process too)
    "wire": set(),
    "guard": set(),
    "worker": {"guard", "wire"},
    # the graders' side, bottom up
    "stubgen": {"__init__", "catalogue"},
    "loader": {"__init__", "seam", "stubgen"},
    "check": {"seam", "guard"},
    "deadline": {"seam"},
    "forbid": {"catalogue", "guard", "loader"},
    "conventions": {"catalogue", "check", "guard"},
    "kata": {"catalogue", "check", "conventions", "forbid", "loader", "seam", "stubgen"},
    "sandbox": {"__init__", "catalogue", "check", "conventions", "forbid", "loader", "seam", "stubgen", "wire"},
    "feedback": {"__init__", "catalogue", "check", "guard", "loader", "seam", "stubgen"},
    "selfcheck": {"catalogue", "loader", "records", "seam"},
    "scoring": {"catalogue", "records"},
    "plugin": {"__init__", "catalogue", "check", "conventions", "deadline", "feedback", "forbid", "guard", "kata",
               "loader", "records", "sandbox", "scoring", "seam", "selfcheck"},
    # what runs the graders: never imported by them
    "runner": {"__init__", "feedback", "records", "seam"},
    "nbgrade": {"__init__", "catalogue", "loader", "runner", "scoring"},
    "nbcourse": {"__init__", "catalogue", "guard", "loader", "nbgrade", "plugin", "runner", "scoring"},
    "grading": {"__init__", "catalogue", "nbcourse", "runner", "scoring"},
    "gradescope": {"__init__", "catalogue", "grading"},
    "scaffold": {"__init__", "catalogue"},
    "cli": {"__init__", "catalogue", "gradescope", "grading", "loader", "nbcourse", "records", "runner",
            "scaffold", "scoring", "stubgen"},
    "__main__": {"cli"},
    "__init__": set(),
}
LEARNER_SIDE = {"worker", "guard", "wire"}


def _edges() -> dict[str, set[str]]:
    edges = {}
    for path in sorted((ROOT / "grader").glob("*.py")):
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "grader":
                out.update(a.name if (ROOT / "grader" / f"{a.name}.py").exists() else "__init__" for a in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grader."):
                out.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("grader."))
        edges[path.stem] = out - {path.stem}
    return edges


def test_every_import_edge_is_allowed():
    edges = _edges()
    unknown = sorted(set(edges) - set(ALLOWED))
    assert not unknown, f"new engine modules without a line in ALLOWED: {unknown}"
    bad = {m: sorted(e - ALLOWED[m]) for m, e in edges.items() if e - ALLOWED[m]}
    assert not bad, f"imports outside the allowed edges (module: [imported]): {bad}"


def test_no_import_cycle():
    edges = _edges()
    state: dict[str, int] = {}

    def visit(m, path):
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " -> ".join(path + [m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for n in sorted(edges.get(m, ())):
            visit(n, path + [m])
        state[m] = 2
    for m in sorted(edges):
        visit(m, [])


def test_the_learner_side_imports_nothing_trusted():
    edges = _edges()
    for m in LEARNER_SIDE:
        assert edges[m] <= LEARNER_SIDE, f"{m} imports {sorted(edges[m] - LEARNER_SIDE)} from the trusted side"


def test_the_allowed_edges_themselves_have_no_cycle():
    """ALLOWED is a layering: even the edges not used today cannot close a cycle."""
    state: dict[str, int] = {}

    def visit(m, path):
        assert state.get(m) != 1, "ALLOWED has a cycle: " + " -> ".join(path + [m])
        if state.get(m) == 2:
            return
        state[m] = 1
        for n in sorted(ALLOWED.get(m, ())):
            visit(n, path + [m])
        state[m] = 2
    for m in sorted(ALLOWED):
        visit(m, [])
