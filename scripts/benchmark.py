#!/usr/bin/env python3
"""Speed benchmark (not a test): how long feedback takes, measured from outside with wall-clock time.

    .venv/bin/python scripts/benchmark.py            # quick figures (about a minute)
    .venv/bin/python scripts/benchmark.py --full     # also the whole test command (minutes)

Targets (issue 2): one module's feedback within 1.6x the time of `python -c "import torch, pytest, hypothesis"`;
all of solutions/ch3 within 20 s; the whole test command within 10 minutes on a 2-core machine.
Issue 5: a whole submission graded sandboxed within 2x the plain pytest run of the same code; issue 15: within 1.2x
its CPU (--grading), and the whole test command under 25 minutes on 2 cores projected to sixty modules
(--where after `katas test`, or --full).

    .venv/bin/python scripts/benchmark.py --grading --repeat 5   # plain vs sandboxed, taking turns
    .venv/bin/python scripts/benchmark.py --where --project 60   # the last `katas test`: where, and at 60 modules
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # grader (the catalogue), whatever the working directory
PY = sys.executable


def timed(cmd: list[str], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "NO_COLOR": "1"})
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def _worker_cpu(cmd: list[str]) -> float:
    for a in cmd:
        if a.startswith("--katas-report="):
            info = Path(a.split("=", 1)[1] + ".sandbox.json")
            return json.loads(info.read_text()).get("worker_cpu_s", 0.0) if info.exists() else 0.0
    if "grade" in cmd and "--out" in cmd:
        summary = Path(cmd[cmd.index("--out") + 1]) / "summary.json"
        if summary.exists():
            return json.loads(summary.read_text()).get("sandbox", {}).get("worker_cpu_s", 0.0)
    return 0.0


def grading(rows: list, repeat: int) -> None:
    """Grading for marks (issues 5, 15): the same code, learner code in the sandboxed worker; targets ≤ 2x plain
    pytest's wall time, ≤ 1.2x its CPU.
    The three commands take turns within each repeat, so that a machine slowing down affects them alike."""
    from grader import catalogue
    n = len(catalogue.load().exercises)
    cmds = {f"pytest solutions (all {n} modules, in-process)": [PY, "-m", "pytest", "solutions", "-q", "-p",
                                                               "no:xdist"],
            "pytest solutions --katas-sandbox": [PY, "-m", "pytest", "solutions", "-q", "-p", "no:xdist",
                                                 "--katas-sandbox", "--katas-report=/tmp/katas-bench-sb.json"],
            "katas grade solutions (sandboxed, results.json)": [PY, "-m", "grader", "grade", "solutions", "--out",
                                                                "/tmp/katas-bench-grade", "--quiet"]}
    import resource
    runs: dict = {name: [] for name in cmds}
    cpu: dict = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs[name].append(timed(cmd, 1)[0])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # the worker's PID-namespace child is never reaped by a process that counts it: the sandbox reads its
            # CPU from /proc and reports it (worker_cpu_s)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime + _worker_cpu(cmd))
    plain_runs = runs[next(iter(cmds))]
    plain = statistics.median(plain_runs)
    for i, (name, all_t) in enumerate(runs.items()):
        med = statistics.median(all_t)
        rows.append({"name": name, "median_s": round(med, 3), "runs_s": [round(t, 3) for t in all_t]})
        pair = [round(t / p, 2) for t, p in zip(all_t, plain_runs)]
        extra = "" if i == 0 else (f"  = {med / plain:.2f}x plain (per run: {pair})  "
                                   f"(target ≤ 2x: {'ok' if med <= 2 * plain else 'OVER'})")
        rows[-1]["cpu_s"] = [round(t, 3) for t in cpu[name]]
        cpu_ratio = statistics.median(c / p for c, p in zip(cpu[name], cpu[next(iter(cmds))]))
        print(f"{name:58} {med:7.2f} s{extra}\n{'':58} cpu (user+sys, all processes) "
              f"{statistics.median(cpu[name]):7.2f} s" + ("" if i == 0 else f" = {cpu_ratio:.2f}x plain's CPU"),
              flush=True)


def where_the_time_goes(folder: Path, rows: list, modules: int = 60) -> None:
    """The test command's time by pass, by kind of variant and by module (summed test durations: CPU-bound work on
    parallel workers, so the sum is about cores × wall time), and its projection to ``modules`` modules."""
    import re
    import xml.etree.ElementTree as ET
    shares: dict = {}
    for xml in sorted(folder.glob("*.xml")):
        by_kind: dict = {}
        by_module: dict = {}
        n = 0
        for case in ET.parse(xml).getroot().iter("testcase"):
            t = float(case.get("time") or 0)
            n += 1
            cls, name = case.get("classname", ""), case.get("name", "")
            module = cls.removeprefix("tests.").replace(".test_", "/") if cls.startswith("tests.") else cls
            m = re.search(r"\[(?:[^\]]*-)?(solution|stub|alt:[^\]-]+|mutant:[^\]-]+|const:[^\]-]+)", name)
            kind = m.group(1).split(":")[0] if m else ("engine" if "engine" in cls or "adversarial" in cls else "other")
            by_kind[kind] = by_kind.get(kind, 0.0) + t
            key = "engine and adversarial suites" if kind == "engine" else module.split(".")[0]
            by_module[key] = by_module.get(key, 0.0) + t
        total = sum(by_kind.values())
        print(f"\n{xml.stem}: {n} tests, {total:.0f} s of test time")
        print("   by variant kind: " + ", ".join(f"{k} {v:.0f} s ({100 * v / total:.0f}%)"
                                                for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])))
        print("   slowest modules: " + ", ".join(f"{k} {v:.0f} s" for k, v in
                                                sorted(by_module.items(), key=lambda kv: -kv[1])[:10]))
        rows.append({"name": f"where the time goes: {xml.stem}", "tests": n, "total_s": round(total, 1),
                     "by_kind_s": {k: round(v, 1) for k, v in by_kind.items()},
                     "by_module_s": {k: round(v, 1) for k, v in by_module.items()}})
        engine = by_module.get("engine and adversarial suites", 0.0)
        shares[xml.stem] = (engine / total if total else 0.0)
    project(folder, shares, rows, modules)


def project(folder: Path, engine_share: dict, rows: list, modules: int) -> None:
    """The test command's wall time at ``modules`` exercise modules, from the last run's walls (walls.json, written
    by `katas test`): in each pass the engine's share of the test time stays, the exercises' share grows with the
    number of modules (each module's graders run on its solution, stub, alternatives and variants). Engine tests
    that loop over every module (docstrings, translations, the catalogue) are counted with the engine: a slight
    under-estimate, at most their few seconds."""
    walls_file = folder / "walls.json"
    if not walls_file.exists():
        print(f"\n(no {walls_file}: run `katas test --times {folder}` for the walls and the projection)")
        return
    walls = json.loads(walls_file.read_text())
    now_modules = walls.get("modules") or modules
    total_now = total_then = 0.0
    lines = []
    for name in ("pass1", "sandboxed"):
        wall = float(walls.get(name, 0.0))
        share = engine_share.get(name, 0.0)
        then = wall * (share + (1 - share) * modules / now_modules)
        total_now, total_then = total_now + wall, total_then + then
        lines.append(f"   {name}: {wall:.0f} s now (engine {100 * share:.0f}% of its test time) -> {then:.0f} s")
    print(f"\nthe test command's passes at {now_modules} modules and projected to {modules}:")
    print("\n".join(lines))
    print(f"   both passes: {total_now / 60:.1f} min now -> {total_then / 60:.1f} min at {modules} modules "
          f"(plus installing, {'fresh clone' if os.environ.get('CI') else 'once'}: 1-3 min)")
    rows.append({"name": "projection", "modules_now": now_modules, "modules": modules,
                 "walls_now_s": {k: walls.get(k) for k in ("pass1", "sandboxed")},
                 "engine_share": {k: round(v, 3) for k, v in engine_share.items()},
                 "minutes_now": round(total_now / 60, 1), "minutes_projected": round(total_then / 60, 1)})


def grading_by_module(rows: list) -> None:
    """Where the sandbox's extra CPU goes: each module's graders on its solution, in-process then sandboxed (in
    turn), CPU of all processes. Each sandboxed run also pays one worker start (its own `import torch`), which the
    whole-run figure (--grading) pays once."""
    import resource
    from grader import catalogue
    out = []
    for ex in catalogue.load().exercises:
        cpu = {}
        for mode, extra in (("plain", []), ("sandbox", ["--katas-sandbox",
                                                         "--katas-report=/tmp/katas-bench-module.json"])):
            cmd = [PY, "-m", "pytest", f"solutions/{ex.module}", "-q", "-p", "no:xdist", *extra]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # (the worker's CPU as the sandbox reports it: its PID-namespace child is not reaped by a counted process)
            cpu[mode] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime + _worker_cpu(cmd)
        out.append((ex.module, cpu["plain"], cpu["sandbox"]))
        print(f"{ex.module:40} plain {cpu['plain']:6.2f} s   sandboxed {cpu['sandbox']:6.2f} s   "
              f"extra {cpu['sandbox'] - cpu['plain']:+6.2f} s", flush=True)
    plain, sandboxed = sum(p for _, p, _ in out), sum(s for _, _, s in out)
    print(f"all modules, one process each: plain {plain:.1f} s, sandboxed {sandboxed:.1f} s = {sandboxed / plain:.2f}x")
    rows.append({"name": "sandbox CPU by module", "modules": [{"module": m, "plain_cpu_s": round(p, 2),
                                                               "sandbox_cpu_s": round(s_, 2)} for m, p, s_ in out]})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--full", action="store_true", help="also time the whole test command")
    ap.add_argument("--grading", action="store_true", help="only the grading rows (plain vs sandboxed)")
    ap.add_argument("--where", nargs="?", const=str(ROOT / ".katas" / "test-times"), metavar="DIR",
                    help="where the last `katas test` run's time went (its JUnit times; default .katas/test-times)")
    ap.add_argument("--project", type=int, default=60, metavar="N",
                    help="with --where or --full: the test command's time projected to N modules (default 60)")
    ap.add_argument("--grading-by-module", action="store_true",
                    help="the sandbox's extra CPU, module by module (where the cost is)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    r = args.repeat
    rows = []

    def row(name, cmd, repeat=r, limit=None, ratio_to=None):
        med, all_t = timed(cmd, repeat)
        rows.append({"name": name, "median_s": round(med, 3), "runs_s": [round(t, 3) for t in all_t]})
        extra = ""
        if ratio_to:
            extra = f"  = {med / ratio_to:.2f}x baseline"
        if limit:
            extra += f"  (target ≤ {limit:g} s: {'ok' if med <= limit else 'OVER'})"
        print(f"{name:58} {med:7.2f} s{extra}", flush=True)
        return med

    if args.where:
        where_the_time_goes(Path(args.where), rows, args.project)
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": rows, "cores": os.cpu_count()}, indent=1))
        return 0
    if args.grading_by_module:
        grading_by_module(rows)
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": rows, "cores": os.cpu_count()}, indent=1))
        return 0
    if args.grading:
        grading(rows, r)
        print(f"\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": rows, "cores": os.cpu_count()}, indent=1))
        return 0
    base = row("baseline: python -c 'import torch, pytest, hypothesis'", [PY, "-c", "import torch, pytest, hypothesis"])
    limit = 1.6 * base
    row("pytest exercises/ch3/softmax_regression.py (stub)",
        [PY, "-m", "pytest", "exercises/ch3/softmax_regression.py", "-q"], limit=limit, ratio_to=base)
    row("pytest solutions/ch3/softmax_regression.py (solution)",
        [PY, "-m", "pytest", "solutions/ch3/softmax_regression.py", "-q"], limit=limit, ratio_to=base)
    for m in ("ch2/calculus.py", "ch3/losses.py", "ch3/fashion_mnist.py"):
        row(f"pytest solutions/{m}", [PY, "-m", "pytest", f"solutions/{m}", "-q"], repeat=max(1, r // 2),
            ratio_to=base)
    row("pytest solutions/ch3", [PY, "-m", "pytest", "solutions/ch3", "-q"], repeat=max(1, r // 2), limit=20)
    row("pytest exercises (all stubs)", [PY, "-m", "pytest", "exercises", "-q"], repeat=max(1, r // 2))
    row("katas board (fresh stubs)", [PY, "-m", "grader", "board"], repeat=max(1, r // 2))
    grading(rows, max(1, r // 2))
    if args.full:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            row("katas test (the whole test command)", [PY, "-m", "grader", "test", "--times", tmp], repeat=1,
                limit=1500)
            where_the_time_goes(Path(tmp), rows, args.project)
    print(f"\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "cores": os.cpu_count()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
