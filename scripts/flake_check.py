#!/usr/bin/env python3
"""Show that statistical graders do not flake: run them under many seeds (issue 3).

    .venv/bin/python scripts/flake_check.py                     # every module with statistical graders, 200 seeds
    .venv/bin/python scripts/flake_check.py ch4/dropout.py --seeds 50

Statistical graders are the tests that take the ``stat_seed`` fixture (their torch.Generator seeds derive from it;
normal grading uses seed 0). For each such module this runs, in one pytest process, every grader under seeds
0..N-1 against the reference solution and every recorded buggy variant (``--katas-selfcheck --katas-seeds N``),
then reports: failures of the solution and of every recorded correct alternative (must be 0) and, for each buggy
variant, the seeds under which no grader rejected it (must be none: "caught every time"). Exit status 1 if either is violated.
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


def statistical_modules() -> list[str]:
    out = []
    from grader.catalogue import is_chapter, module_key
    for test in sorted((t for t in (ROOT / "tests").glob("*/test_*.py") if is_chapter(t.parent.name)),
                       key=lambda t: module_key(f"{t.parent.name}/{t.name}")):
        if re.search(r"\bstat_seed\b", test.read_text(encoding="utf-8")):
            out.append(f"{test.parent.name}/{test.name.removeprefix('test_')}")
    return out


def check(module: str, seeds: int) -> tuple[bool, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", f"solutions/{module}", "-q", "-p", "no:xdist",
                        "--katas-selfcheck", f"--katas-seeds={seeds}", f"--katas-report={report}"],
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t0
        if not report.exists():
            return False, [f"{module}: the graders did not run"]
        records = json.loads(report.read_text())
    lines, ok = [], True
    sol_fail = [r for r in records if r["variant"] == "source" and not r["passed"]]
    n_sol = sum(r["variant"] == "source" for r in records)
    stat_tests = sorted({r["title"] for r in records if r["seed"] is not None and r["variant"] == "source"})
    lines.append(f"{module}: {len(stat_tests)} statistical grader(s) × {seeds} seeds; {n_sol} solution runs, "
                 f"{len(sol_fail)} failed  ({elapsed:.0f} s)")
    if sol_fail:
        ok = False
        for r in sol_fail[:5]:
            lines.append(f"   FLAKE seed {r['seed']}: {r['title']}")
    for alt in sorted({r["variant"] for r in records if r["variant"].startswith("alt:")}):
        alt_fail = [r for r in records if r["variant"] == alt and not r["passed"]]
        lines.append(f"   correct alternative {alt.split(':', 1)[1]}: {len(alt_fail)} failed"
                     + ("  FLAKE" if alt_fail else ""))
        ok = ok and not alt_fail
    caught: dict[str, set] = defaultdict(set)
    always: dict[str, bool] = defaultdict(bool)
    for r in records:
        if r["variant"].startswith("mutant:") and not r["passed"]:
            if r["seed"] is None:
                always[r["variant"]] = True
            else:
                caught[r["variant"]].add(r["seed"])
    mutants = sorted({r["variant"] for r in records if r["variant"].startswith("mutant:")})
    for m in mutants:
        if always[m]:
            how = f"caught by a deterministic grader (and under {len(caught[m])}/{seeds} seeds statistically)"
        else:
            missed = seeds - len(caught[m])
            how = f"caught under {len(caught[m])}/{seeds} seeds" + ("" if not missed else "  MISSED")
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
