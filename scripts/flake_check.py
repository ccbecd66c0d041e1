#!/usr/bin/env python3
"""Show that statistical graders do not flake: run them under many seeds (issue 3).

    .venv/bin/python scripts/flake_check.py                     # every module with statistical graders, 200 seeds
    .venv/bin/python scripts/flake_check.py ch4/dropout.py --seeds 50

Statistical graders are the tests that take the ``stat_seed`` fixture (their torch.Generator seeds derive from it;
normal grading uses seed 0). For each such module this runs two self-checks: every other grader under the fixed seed
(which buggy variants does a deterministic grader reject?), then the statistical graders under seeds 0..N-1 on the
reference solution, every recorded correct alternative and every buggy variant no fixed-seed grader rejects
(``--katas-selfcheck --katas-seeds N --katas-only-variants ...``). It reports failures of the solution and of the
correct alternatives (must be 0) and, for each buggy variant left to the statistical graders, the seeds under which
none rejected it (must be none: "caught every time"). Exit status 1 if either is violated.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # tests.variants


def statistical_modules() -> list[str]:
    out = []
    from grader.catalogue import is_chapter, module_key
    for test in sorted((t for t in (ROOT / "tests").glob("*/test_*.py") if is_chapter(t.parent.name)),
                       key=lambda t: module_key(f"{t.parent.name}/{t.name}")):
        if re.search(r"\bstat_seed\b", test.read_text(encoding="utf-8")):
            out.append(f"{test.parent.name}/{test.name.removeprefix('test_')}")
    return out


def stat_tests(module: str) -> list[str]:
    """Names of the module's graders that take the ``stat_seed`` fixture."""
    import ast
    chapter, name = module.split("/")
    tree = ast.parse((ROOT / "tests" / chapter / f"test_{name}").read_text(encoding="utf-8"))
    return sorted(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
                  and any(a.arg == "stat_seed" for a in n.args.args))


def _selfcheck(module: str, tmp: str, tag: str, *extra: str) -> list[dict] | None:
    report = Path(tmp) / f"{tag}.json"
    # no deadline: this measures what the graders decide, not how fast a loaded machine runs them (a deadline that
    # fires would also cut every later test of the session to 2 s, failing correct code under load)
    subprocess.run([sys.executable, "-m", "pytest", f"solutions/{module}", "-q", "-p", "no:xdist",
                    "--katas-selfcheck", "--katas-timeout=0", f"--katas-report={report}", *extra],
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads(report.read_text()) if report.exists() else None


def check(module: str, seeds: int) -> tuple[bool, list[str]]:
    """Two passes: every grader but the statistical ones under the fixed seed (which buggy variants do they
    reject?), then the statistical graders under ``seeds`` seeds on the solution, every correct alternative and
    every buggy variant that no fixed-seed grader rejects: those must be caught under every seed."""
    from grader import loader
    stats = stat_tests(module)
    selection = " or ".join(stats)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        fixed = _selfcheck(module, tmp, "fixed", "-k", f"not ({selection})")
        if fixed is None:
            return False, [f"{module}: the graders did not run"]
        mutants = sorted(f"mutant:{m}" for m in loader.mutants_of(module))
        always = {r["variant"] for r in fixed if r["variant"].startswith("mutant:") and not r["passed"]}
        alts = [f"alt:{m}" for m in loader.mutants_of(module, "ALTERNATIVES")]
        seeded_variants = ["solution", *alts, *(m for m in mutants if m not in always)]
        records = _selfcheck(module, tmp, "seeded", "-k", selection, f"--katas-seeds={seeds}",
                             f"--katas-only-variants={','.join(seeded_variants)}")
        if records is None:
            return False, [f"{module}: the statistical graders did not run"]
    elapsed = time.perf_counter() - t0
    lines, ok = [], True
    sol_fail = [r for r in fixed + records if r["variant"] == "source" and not r["passed"]]
    n_sol = sum(r["variant"] == "source" for r in records)
    lines.append(f"{module}: {len(stats)} statistical grader(s) {stats} × {seeds} seeds; {n_sol} seeded solution "
                 f"runs; {len(sol_fail)} solution failures  ({elapsed:.0f} s)")
    if sol_fail:
        ok = False
        for r in sol_fail[:5]:
            why = next((ln for ln in (r.get("feedback") or "").splitlines()[1:] if ln.strip()), "")
            lines.append(f"   FLAKE seed {r['seed']}: {r['title']}\n      {why[:200]}")
    for alt in alts:
        alt_fail = [r for r in fixed + records if r["variant"] == alt and not r["passed"]]
        lines.append(f"   correct alternative {alt.split(':', 1)[1]}: {len(alt_fail)} failed"
                     + ("  FLAKE" if alt_fail else ""))
        for r in alt_fail[:2]:
            why = next((ln for ln in (r.get("feedback") or "").splitlines()[1:] if ln.strip()), "")
            lines.append(f"      seed {r['seed']}: {why[:200]}")
        ok = ok and not alt_fail
    caught: dict[str, set] = defaultdict(set)
    for r in records:
        if r["variant"].startswith("mutant:") and not r["passed"]:
            caught[r["variant"]].add(r["seed"])
    for m in mutants:
        if m in always:
            how = "caught by a fixed-seed grader"
        else:
            missed = seeds - len(caught[m])
            how = f"caught by the statistical graders under {len(caught[m])}/{seeds} seeds" + \
                ("" if not missed else "  MISSED")
            ok = ok and missed == 0
        lines.append(f"   {m.split(':', 1)[1]:34} {how}")
    return ok, lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("modules", nargs="*", help="e.g. ch4/dropout.py (default: every module with stat_seed)")
    ap.add_argument("--seeds", type=int, default=200)
    args = ap.parse_args()
    modules = args.modules or statistical_modules()
    all_ok = True
    for m in modules:
        ok, lines = check(m, args.seeds)
        all_ok &= ok
        print("\n".join(lines), flush=True)
    print("no flakes, every buggy variant caught under every seed" if all_ok else "FAILED")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
