"""The self-check: every grader runs on the solution, the untouched stub, each recorded correct alternative, each
recorded buggy variant (tests/variants/) and a constant-answer variant of each function. Tests must pass on the
solution and the alternatives and fail on the stub; every buggy variant must be rejected with its recorded feedback
(and is not run again once it is); a constant answer must earn nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import ROOT, catalogue, loader
from grader.records import Record
from grader.seam import SessionState


def variants(config, module: str) -> list[str]:
    if config.option.katas_selfcheck:
        ex = catalogue.load().by_module(module)
        variants = (["solution", "stub"] + [f"alt:{m}" for m in loader.mutants_of(module, "ALTERNATIVES")]
                + [f"mutant:{m}" for m in loader.mutants_of(module)]
                + [f"const:{f}" for f in (ex.functions if ex else ())])
        only = config.option.katas_only_variants
        if only:
            wanted = set(only.split(","))
            variants = [v for v in variants if v in wanted]
        return variants
    return [config.option.katas_variant]


def variant_of(item) -> str:
    return str(getattr(getattr(item, "callspec", None), "params", {}).get("kata", ""))


RECORD = ROOT / "tests" / "variants" / "rejecting.json"


def read_record(path) -> dict[str, str]:
    """A rejections record, {"<module> mutant:<name>": test node id} (written by --katas-rejections); {} if absent."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def recorded_rejecting(config) -> dict[str, str]:
    """The record whose tests each buggy variant runs first: by default the kept one, RECORD (`katas test` writes a
    fresh one to .katas/test-times/rejections.json and says when the kept one is stale)."""
    path = config.option.katas_rejecting_first
    return {} if path == "none" else read_record(RECORD if path is None else path)


def record_drift(fresh_path, kept: dict[str, str]) -> str | None:
    """What `katas test` says when the kept record no longer matches the one the pass just wrote to ``fresh_path``
    (None: it matches)."""
    fresh = read_record(fresh_path)
    moved = sum(1 for k, v in fresh.items() if kept.get(k) not in (None, v))
    new, gone = len(fresh.keys() - kept.keys()), len(kept.keys() - fresh.keys())
    if not (moved or new or gone):
        return None
    return (f"the rejecting-test record is stale ({moved} variants rejected by another test, {new} new, {gone} "
            f"gone): that costs time, never a verdict. Keep the fresh one: cp {fresh_path} "
            f"{RECORD.relative_to(ROOT).as_posix()}")


def select(config, items: list) -> None:
    """The self-check's items, in place: a constant-answer variant runs only the core tests (every other test using
    the function is gated by them, so it earns nothing exactly when a core test rejects the constant); under
    --katas-only-rejecting each buggy variant runs only its recorded rejecting test; otherwise each buggy variant
    runs its recorded rejecting test first, then its core tests, then the rest."""
    keep, drop = [], []
    for item in items:
        variant = variant_of(item)
        (drop if variant.startswith("const:") and item.get_closest_marker("core") is None else keep).append(item)
    if config.option.katas_only_rejecting:
        keep, drop = only_rejecting(keep, drop, config.option.katas_only_rejecting)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    first = set(recorded_rejecting(config).values()) if not config.option.katas_only_rejecting else set()
    items[:] = core_tests_first(items, first)


def only_rejecting(keep: list, drop: list, path: str) -> tuple[list, list]:
    """--katas-only-rejecting: a buggy variant runs only the test that rejected it in the plain pass (recorded by
    --katas-rejections); a variant with no record (new, or rejected nowhere) runs every test; the constant answers
    do not run (their wrong values cross the wire in every buggy variant's rejecting test, and hostile constant
    answers are graded sandboxed by tests/engine/test_earned.py)."""
    recorded = read_record(path)
    kept, dropped = [], list(drop)
    for item in keep:
        variant = str(variant_of(item))
        if variant.startswith("const:"):   # not rerun sandboxed: docs/SANDBOX.md, "What the test command proves"
            dropped.append(item)
            continue
        if variant.startswith("mutant:"):
            test = recorded.get(f"{catalogue.module_of_test(item.path)} {variant}")
            if test is not None and test != item.nodeid:
                dropped.append(item)
                continue
        kept.append(item)
    return kept, dropped


def core_tests_first(items: list, first: set[str] = frozenset()) -> list:
    """Within each run of one module's tests on one buggy variant: the test recorded as rejecting it (`first`, node
    ids), then the core tests (stable otherwise). A rejected variant's remaining tests are skipped
    (SessionState.settled), so the self-check runs fewer passing tests of a variant before its verdict: in the
    full self-check of session 10, 93% of the buggy variants' time went to tests that passed them before the one
    that rejected them. The verdict does not depend on the order: a variant runs until some test rejects it with
    its recorded feedback; a stale record only costs time. Solutions, stubs and alternatives keep the file order
    (they run every test anyway)."""
    out, run, key = [], [], None

    def flush():
        out.extend(sorted(run, key=lambda it: (it.nodeid not in first, it.get_closest_marker("core") is None)))
        run.clear()
    for item in items:
        variant = str(variant_of(item))
        k = (str(item.path), variant) if variant.startswith("mutant:") else None
        if k != key or k is None:
            flush()
            key = k
        if k is None:
            out.append(item)
        else:
            run.append(item)
    flush()
    return out


def uses_and_core(item, module) -> tuple[list[str], list[str]]:
    """(the catalogued learner functions the test reached through the seam, those it is a core test of)."""
    ex = catalogue.load().by_module(module)
    public = set(ex.functions) if ex else set()
    uses = sorted(n for n in getattr(item, "_katas_used", ()) if n in public)
    marker = item.get_closest_marker("core")
    if marker is None:
        return uses, []
    named = [str(a) for a in marker.args]
    for n in named:
        if n not in public:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.core({n!r}) names no function of {module}")
    return uses, (named or uses)


def judge(st: SessionState, item, report, module, variant, feedback, call):
    if variant == "source" or report.skipped:
        return
    if variant.startswith("alt:"):  # a correct answer written differently: judged like the solution
        if report.failed and report.longrepr is not None:
            report.longrepr = f"[selfcheck] grader rejects the correct alternative {variant}:\n{report.longrepr}"
        return
    if report.when == "setup" and report.passed:
        return
    failed = report.failed
    if variant == "stub":
        if failed:
            report.outcome, report.longrepr = "passed", None
        else:
            report.outcome = "failed"
            report.longrepr = f"[selfcheck] this grader passes on the untouched stub of {module}: it cannot fail"
    else:  # mutant or constant answer: recorded, judged at the end of the session
        report.outcome, report.longrepr = "passed", None
        if failed:
            if variant.startswith("mutant:"):
                want = loader.mutants_of(module)[variant.split(":", 1)[1]].get("feedback")
                if not want or want.lower() in feedback.lower():
                    st.settled.add((module, variant))
                    report.user_properties.append(("katas_rejecting", {"module": module, "variant": variant,
                                                                        "test": item.nodeid}))
            elif item.get_closest_marker("core") is not None and variant.split(":", 1)[1] in \
                    uses_and_core(item, module)[1]:
                st.settled.add((module, variant))   # a failing core test: everything using the function is gated
    report.user_properties.append(("katas_selfcheck", {"module": module, "variant": variant,
                                                       "rejected": failed, "feedback": feedback}))


def earned_problems(records: list[Record]) -> list[str]:
    """The self-check of "grades are earned": every catalogued function has a core test, and the constant-answer
    variant of each function fails one of them (so every test using it earns nothing)."""
    problems = []
    by_variant: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        by_variant.setdefault((r.module, r.variant), []).append(r)
    for (module, variant), recs in sorted(by_variant.items()):
        if variant == "source":
            ex = catalogue.load().by_module(module)
            covered = {f for r in recs for f in r.core}
            for f in (ex.functions if ex else ()):
                if f not in covered:
                    problems.append(f"{module}: `{f}` has no core test (@pytest.mark.core): its other tests "
                                    f"would pay for a garbage answer")
        elif variant.startswith("const:"):
            f = variant.split(":", 1)[1]
            cores = [r for r in recs if f in r.core and f in r.uses]
            if cores and all(r.passed for r in cores):   # one failing core test gates everything using f
                problems.append(f"{module}: a `{f}` that returns its first answer whatever it is given passes "
                                f"every core test of it {sorted({r.title for r in cores})}: use several inputs "
                                f"with different expected values")
            elif not cores:
                problems.append(f"{module}: no core test of `{f}` ran on its constant-answer variant")
    return problems


def variant_problems(st: SessionState) -> list[str]:
    problems = []
    for module, variant in sorted(st.selfcheck_ran):
        name = variant.split(":", 1)[1]
        caught = st.selfcheck_seen.get((module, variant))
        if not caught:
            problems.append(f"{module}: buggy variant '{name}' passes every grader")
            continue
        want = loader.mutants_of(module)[name].get("feedback")
        if want and not any(want.lower() in fb.lower() for fb in caught):
            problems.append(f"{module}: buggy variant '{name}' is rejected, but no feedback mentions {want!r}")
    return problems


def note(st: SessionState, key: str, value: dict) -> None:
    """Book-keeping of one report's self-check properties (in the process that sees every report)."""
    if key == "katas_selfcheck" and value["variant"].startswith("mutant:"):
        k = (value["module"], value["variant"])
        st.selfcheck_ran.add(k)
        if value["rejected"]:
            st.selfcheck_seen.setdefault(k, []).append(value["feedback"])
    elif key == "katas_rejecting":
        st.selfcheck_rejecting.setdefault(f"{value['module']} {value['variant']}", value["test"])


def already_rejected(st: SessionState, item) -> bool:
    """A buggy or constant-answer variant rejected (with its recorded feedback) by an earlier test of this process is
    not run again (not under --katas-seeds N: scripts/flake_check.py needs every run)."""
    if item.config.option.katas_seeds != 1:
        return False
    variant = variant_of(item)
    return variant.startswith(("mutant:", "const:")) and (catalogue.module_of_test(item.path), variant) in st.settled


def finish(config, st: SessionState) -> bool:
    """At the end of the session: the problems found (False when there are some)."""
    st.selfcheck_problems = variant_problems(st)
    st.earned_problems = earned_problems(st.results)
    if config.option.katas_rejections:
        Path(config.option.katas_rejections).write_text(json.dumps(dict(sorted(st.selfcheck_rejecting.items())),
                                                                   indent=1), encoding="utf-8")
    return not (st.selfcheck_problems or st.earned_problems)


def summary(tr, st: SessionState) -> None:
    n = len(st.selfcheck_ran)
    tr.section("katas self-check")
    tr.write_line(f"{n} recorded buggy variants run; {n - len(st.selfcheck_problems)} rejected with the expected "
                  f"feedback")
    for p in st.selfcheck_problems:
        tr.write_line("  FAIL " + p, red=True)
    earned = st.earned_problems
    consts = sorted({(r.module, r.variant) for r in st.results if r.variant.startswith("const:")})
    tr.write_line(f"{len(consts)} constant-answer variants run; {len(consts) - len(earned)} earn nothing"
                  if not earned else f"{len(earned)} problem(s) with earned points:")
    for p in earned:
        tr.write_line("  FAIL " + p, red=True)
