"""The self-check's order: each buggy variant runs the test recorded as rejecting it first, then its core tests, then
the rest; solutions, stubs and alternatives keep the file order. Only the order changes (selfcheck.core_tests_first),
and a stale or missing record only costs time."""
import json
from pathlib import Path
from types import SimpleNamespace

from grader import ROOT, catalogue, loader, selfcheck


def _item(test, variant, core=False, path="tests/ch2/test_calculus.py"):
    return SimpleNamespace(nodeid=f"{path}::{test}[{variant}]", path=Path(path),
                           callspec=SimpleNamespace(params={"kata": variant}),
                           get_closest_marker=lambda name, core=core: object() if core and name == "core" else None)


def _order(items, first=frozenset()):
    return [(i.nodeid.split("::")[1]) for i in selfcheck.core_tests_first(items, first)]


def test_the_recorded_rejecting_test_runs_first_then_the_core_tests_then_file_order():
    tests = [("test_a", False), ("test_b", True), ("test_c", False), ("test_d", True)]
    items = [_item(t, v, core) for v in ("solution", "alt:book", "mutant:sign", "mutant:off_by_one")
             for t, core in tests]
    first = {"tests/ch2/test_calculus.py::test_c[mutant:sign]"}
    assert _order(items, first) == [
        "test_a[solution]", "test_b[solution]", "test_c[solution]", "test_d[solution]",      # file order
        "test_a[alt:book]", "test_b[alt:book]", "test_c[alt:book]", "test_d[alt:book]",
        "test_c[mutant:sign]", "test_b[mutant:sign]", "test_d[mutant:sign]", "test_a[mutant:sign]",  # record, core
        "test_b[mutant:off_by_one]", "test_d[mutant:off_by_one]", "test_a[mutant:off_by_one]",      # no record:
        "test_c[mutant:off_by_one]"]                                                                 # core first
    assert _order(items) == _order(items, {"tests/ch2/test_other.py::test_c[mutant:sign]"})   # a stale record


def test_the_kept_record_names_recorded_variants_and_their_tests_files():
    """tests/variants/rejecting.json, kept by `katas test` (it prints when the record is stale): each entry is a
    recorded buggy variant of a catalogued module, and its test is in that module's test file."""
    record = selfcheck.read_record(selfcheck.RECORD)
    assert record
    modules = {ex.module for ex in catalogue.load().exercises}
    refresh = ("; refresh the record: run `katas test` and keep the one it wrote "
               "(cp .katas/test-times/rejections.json tests/variants/rejecting.json), or delete the entry")
    for key, nodeid in record.items():
        module, variant = key.split(" ")
        assert module in modules and variant.startswith("mutant:"), f"{key}: no such module or variant" + refresh
        assert variant.split(":", 1)[1] in loader.mutants_of(module), f"{key}: no such recorded variant" + refresh
        assert nodeid.endswith(f"[{variant}]") and catalogue.module_of_test(ROOT / nodeid.split("::")[0]) == module, \
            f"{key}: {nodeid} is not one of its module's tests" + refresh


def test_a_drifted_record_is_reported_and_a_matching_one_is_not(tmp_path):
    kept = {"ch2/calculus.py mutant:a": "t::x[mutant:a]", "ch2/calculus.py mutant:b": "t::y[mutant:b]"}
    fresh = tmp_path / "rejections.json"
    fresh.write_text(json.dumps(kept), encoding="utf-8")
    assert selfcheck.record_drift(fresh, kept) is None
    fresh.write_text(json.dumps({"ch2/calculus.py mutant:a": "t::z[mutant:a]",
                                 "ch2/calculus.py mutant:c": "t::y[mutant:c]"}), encoding="utf-8")
    said = selfcheck.record_drift(fresh, kept)
    assert "1 variants rejected by another test, 1 new, 1 gone" in said and "tests/variants/rejecting.json" in said
    assert f"cp {fresh} " in said
