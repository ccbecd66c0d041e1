"""The engine's import graph, function-level imports included: every edge is one of the allowed edges below, and
there is no cycle. The learner-side runtime (what runs beside learner code in the sandboxed worker) imports nothing
from the trusted side.

The allowed edges are the architecture (docs/ARCHITECTURE.md, "What may import what"); a new edge is a decision,
made here, in review."""
import ast

from grader import ROOT

# module -> the grader modules it may import ("__init__": the package's ROOT, command, console_safe)
ALLOWED = {
    # the vocabularies: import nothing of grader but the package root
    "seam": {"i18n", "runtime.learner"},
    "records": set(),
    "catalogue": {"__init__"},
    # the learner-side runtime (grader/runtime/): runs in the worker beside learner code, and in-process too
    "runtime.__init__": set(),
    "runtime.learner": set(),
    "runtime.wire": set(),
    "runtime.guard": set(),
    "runtime.worker": {"runtime.guard", "runtime.learner", "runtime.wire"},
    # public aliases of runtime modules (grader.wire, grader.guard)
    "wire": {"runtime.wire"},
    "guard": {"runtime.guard"},
    # the graders' side, bottom up
    "stubgen": {"__init__", "catalogue", "runtime.learner"},
    "loader": {"__init__", "runtime.learner", "seam", "stubgen"},
    "i18n": {"__init__", "catalogue"},
    "check": {"catalogue", "i18n", "runtime.guard", "seam"},
    "deadline": {"i18n", "seam"},
    "forbid": {"catalogue", "loader", "runtime.guard"},
    "conventions": {"catalogue", "check", "runtime.guard"},
    "kata": {"__init__", "catalogue", "check", "conventions", "forbid", "loader", "runtime.learner", "seam"},
    "sandbox": {"__init__", "catalogue", "check", "conventions", "forbid", "loader", "runtime.learner",
                "runtime.wire", "seam"},
    "feedback": {"__init__", "catalogue", "check", "deadline", "hints", "i18n", "loader", "runtime.guard", "runtime.learner", "seam"},
    "selfcheck": {"__init__", "catalogue", "loader", "records", "seam"},
    "scoring": {"catalogue", "records"},
    "plugin": {"__init__", "catalogue", "check", "conventions", "deadline", "feedback", "forbid", "i18n", "kata", "loader",
               "records", "runtime.guard", "sandbox", "scoring", "seam", "selfcheck"},
    # what runs the graders: never imported by them
    "runner": {"__init__", "feedback", "records", "seam"},
    "nbgrade": {"__init__", "catalogue", "i18n", "loader", "runner", "scoring"},
    "nbcourse": {"__init__", "catalogue", "loader", "nbgrade", "plugin", "runner", "runtime.guard", "scoring"},
    "grading": {"__init__", "catalogue", "nbcourse", "records", "runner", "scoring"},
    "gradescope": {"__init__", "catalogue", "grading"},
    "cluster": {"grading"},
    "scaffold": {"__init__", "catalogue"},
    "hints": {"__init__", "catalogue", "i18n"},
    "watch": {"__init__", "catalogue", "hints", "plugin", "records", "runner", "runtime.guard", "scoring",
              "stubgen"},
    "cli": {"__init__", "catalogue", "cluster", "gradescope", "grading", "hints", "i18n", "loader", "nbcourse", "records", "runner",
            "selfcheck",
            "watch",
            "scaffold", "scoring", "stubgen"},
    "__main__": {"cli"},
    "__init__": set(),
}
LEARNER_SIDE = {"runtime.__init__", "runtime.learner", "runtime.wire", "runtime.guard", "runtime.worker"}


def _name(dotted: str) -> str | None:
    """grader.X -> "X", grader.runtime.X -> "runtime.X" (None outside grader)."""
    parts = dotted.split(".")
    if parts[0] != "grader" or len(parts) == 1:
        return None
    return ".".join(parts[1:3]) if parts[1] == "runtime" and len(parts) > 2 else parts[1]


def _edges() -> dict[str, set[str]]:
    edges = {}
    files = sorted((ROOT / "grader").glob("*.py")) + sorted((ROOT / "grader" / "runtime").glob("*.py"))
    for path in files:
        me = path.stem if path.parent.name == "grader" else f"runtime.{path.stem}"
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("grader", "grader.runtime"):
                base = node.module.removeprefix("grader").lstrip(".")
                for a in node.names:
                    sub = f"{base}.{a.name}".lstrip(".")
                    is_module = (ROOT / "grader" / (sub.replace(".", "/") + ".py")).exists()
                    out.add(sub if is_module else (base or "__init__"))
            elif isinstance(node, ast.ImportFrom) and _name(node.module or ""):
                out.add(_name(node.module))
            elif isinstance(node, ast.Import):
                out.update(_name(a.name) for a in node.names if _name(a.name))
        edges[me] = out - {me}
    return edges


def test_every_import_edge_is_allowed():
    edges = _edges()
    unknown = sorted(set(edges) - set(ALLOWED))
    assert not unknown, f"new engine modules without a line in ALLOWED: {unknown}"
    bad = {m: sorted(e - ALLOWED[m]) for m, e in edges.items() if e - ALLOWED[m]}
    assert not bad, f"imports outside the allowed edges (module: [imported]): {bad}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` (module -> modules it imports) as a path, or None."""
    state: dict[str, int] = {}

    def visit(m, path):
        if state.get(m) == 1:
            return path + [m]
        if state.get(m) == 2:
            return None
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            found = visit(n, path + [m])
            if found:
                return found
        state[m] = 2
        return None
    return next((c for c in (visit(m, []) for m in sorted(graph)) if c), None)


def test_no_import_cycle():
    cycle = _cycle(_edges())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_learner_side_imports_nothing_trusted():
    edges = _edges()
    for m in LEARNER_SIDE:
        assert edges[m] <= LEARNER_SIDE, f"{m} imports {sorted(edges[m] - LEARNER_SIDE)} from the trusted side"


def test_the_allowed_edges_themselves_have_no_cycle():
    """ALLOWED is a layering: even the edges not used today cannot close a cycle."""
    cycle = _cycle(ALLOWED)
    assert cycle is None, "ALLOWED has a cycle: " + " -> ".join(cycle)
