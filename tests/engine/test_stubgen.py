"""The stub generator and the manifest: one source of truth, learner work never lost."""
import ast
import json
import os
from pathlib import Path

import pytest

from grader import ROOT, catalogue, stubgen

SOLUTION = '''"""Doc."""
import torch


def f(x):
    """Return 2x."""
    ### BEGIN SOLUTION
    y = x * 2
    return y
    ### END SOLUTION


class C:
    def m(self):
        """Method doc."""
        ### BEGIN SOLUTION
        return 1
        ### END SOLUTION
'''


def test_blocks_become_named_not_implemented_errors():
    stub = stubgen.generate_stub(SOLUTION, "ch9/toy.py")
    assert "y = x * 2" not in stub and "return 1" not in stub
    assert 'raise NotImplementedError("KATA-STUB ch9.toy.f:' in stub
    assert 'raise NotImplementedError("KATA-STUB ch9.toy.C.m:' in stub
    assert '"""Return 2x."""' in stub and '"""Method doc."""' in stub and "import torch" in stub
    ast.parse(stub)


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n",                       # module level
    "def f():\n    ### BEGIN SOLUTION\n    return 1\n",                      # unterminated
    "def f():\n    return 1\n    ### END SOLUTION\n",                        # END without BEGIN
])
def test_malformed_markers_are_rejected(bad):
    with pytest.raises(stubgen.StubError):
        stubgen.generate_stub(bad, "ch9/toy.py")


def test_every_solution_has_an_in_sync_stub():
    """exercises/ is in sync with solutions/ (strictly so in CI, where exercises/ is a fresh clone)."""
    problems = stubgen.drift(strict=bool(os.environ.get("CI")))
    assert not problems, "\n".join(problems)


def test_every_solution_module_is_catalogued_and_vice_versa():
    cat = catalogue.load()
    modules = set(stubgen.solution_modules())
    listed = {ex.module for ex in cat.exercises}
    assert modules == listed, f"not catalogued: {modules - listed}; no solution: {listed - modules}"
    for ex in cat.exercises:
        assert (ROOT / ex.test_file).exists(), f"{ex.id} has no graders at {ex.test_file}"
        assert 1 <= len(ex.hints) <= 3 and ex.points > 0 and ex.title_zh and ex.title_en and ex.seed_lines


def test_every_exercise_keeps_recorded_buggy_variants():
    """Each exercise module has at least 3 recorded buggy variants (the self-check proves each is rejected)."""
    from grader import loader
    for ex in catalogue.load().exercises:
        mutants = loader.mutants_of(ex.module)
        assert len(mutants) >= 3, f"{ex.id} has {len(mutants)} recorded buggy variants"
        assert all(m["source"].strip() for m in mutants.values()), ex.id


def _toy_repo(tmp_path: Path) -> Path:
    (tmp_path / "solutions/ch9").mkdir(parents=True)
    (tmp_path / "solutions/ch9/toy.py").write_text(SOLUTION)
    return tmp_path


def test_regenerate_never_overwrites_an_edited_exercise(tmp_path):
    root = _toy_repo(tmp_path)
    assert stubgen.regenerate(root, log=lambda *a: None) == {"ch9/toy.py": "created"}
    target = root / "exercises/ch9/toy.py"
    assert stubgen.is_untouched("ch9/toy.py", root)
    target.write_text(target.read_text().replace('raise NotImplementedError("KATA-STUB ch9.toy.f', "return x + x  #"))
    edited = target.read_text()
    # the solution changes: an untouched stub would be updated, an edited one is kept
    (root / "solutions/ch9/toy.py").write_text(SOLUTION.replace("Return 2x.", "Return 2·x."))
    messages = []
    assert stubgen.regenerate(root, log=messages.append) == {"ch9/toy.py": "kept-edited"}
    assert target.read_text() == edited and "kept your edits" in messages[0]
    assert not stubgen.is_untouched("ch9/toy.py", root)
    assert stubgen.drift(root) == []          # a learner's edits are not drift
    assert stubgen.drift(root, strict=True)   # but the maintainers' strict check sees them
    # --force overwrites, after a backup
    assert stubgen.regenerate(root, force=True, log=messages.append) == {"ch9/toy.py": "overwritten"}
    backups = list((root / "exercises/ch9").glob("toy.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == edited
    assert "Return 2·x." in target.read_text() and stubgen.is_untouched("ch9/toy.py", root)


def test_untouched_stub_follows_the_solution(tmp_path):
    root = _toy_repo(tmp_path)
    stubgen.regenerate(root, log=lambda *a: None)
    (root / "solutions/ch9/toy.py").write_text(SOLUTION.replace("Return 2x.", "Twice x."))
    assert stubgen.drift(root) == ["solutions/ch9/toy.py changed but its stub was not regenerated (run `katas stubs`)"]
    assert stubgen.regenerate(root, log=lambda *a: None) == {"ch9/toy.py": "updated"}
    assert "Twice x." in (root / "exercises/ch9/toy.py").read_text() and stubgen.drift(root, strict=True) == []
    manifest = json.loads((root / stubgen.MANIFEST).read_text())
    assert list(manifest) == ["ch9/toy.py"]


def test_scaffold_starts_an_exercise_that_the_selfcheck_can_run(tmp_path):
    """katas new: the four files, the chapter's __init__ files and the catalogue entries; nothing overwritten."""
    import tomllib

    import pytest as _pytest

    from grader import scaffold
    (tmp_path / "grader").mkdir()
    cat = tmp_path / "grader" / "catalogue.toml"
    cat.write_text('[[chapter]]\nid = "ch2"\ntitle_en = "P"\ntitle_zh = "预"\n', encoding="utf-8")
    written = scaffold.new_exercise("ch11/schedules", function="cosine", title_en="Schedules", title_zh="学习率调度",
                                    d2l="12.11", root=tmp_path, catalogue_file=cat)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert names == {"solutions/ch11/schedules.py", "tests/ch11/test_schedules.py", "tests/variants/ch11/schedules.py",
                     "tests/ch11/__init__.py", "tests/variants/ch11/__init__.py", "grader/catalogue.toml"}
    data = tomllib.loads(cat.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["chapter"]] == ["ch2", "ch11"]
    assert data["exercise"][0]["module"] == "ch11/schedules.py" and data["exercise"][0]["functions"] == ["cosine"]
    sol = (tmp_path / "solutions/ch11/schedules.py").read_text(encoding="utf-8")
    assert sol.startswith('"""Schedules · 学习率调度\n\nd2l-zh §12.11') and "### BEGIN SOLUTION" in sol
    assert '@pytest.mark.core("cosine")' in (tmp_path / "tests/ch11/test_schedules.py").read_text(encoding="utf-8")
    with _pytest.raises(FileExistsError):
        scaffold.new_exercise("ch11/schedules", root=tmp_path, catalogue_file=cat)
