"""The pytest plugin: hooks only. It binds graders to a tree and wires the parts together:

* ``pytest exercises/ch3`` is rewritten to ``pytest tests/ch3`` with the tree set to ``exercises`` (likewise
  ``solutions/...`` or any directory shaped like ``exercises/``). ``pytest tests/...`` grades ``solutions``.
* Tests reach learner code through one seam, the module-scoped ``kata`` fixture: grader.kata.KataModule in-process,
  grader.sandbox.RemoteKata under ``--katas-sandbox``. Their shared vocabulary is grader.seam.
* Deadlines: grader.deadline (in-process) or the worker's SIGKILL (sandbox). Feedback: grader.feedback. Records:
  grader.records. The self-check (``--katas-selfcheck``): grader.selfcheck.
* Session state lives on ``config.stash`` (grader.seam.SessionState), never in module globals.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from grader import ROOT, catalogue, conventions, feedback, loader, seam, selfcheck
from grader.kata import KataModule, LearnerFunction  # noqa: F401  (public: released notebooks name grader.plugin)
from grader.records import Record, Status
from grader.seam import GraderBug, KataTimeout, NotStarted  # noqa: F401  (public names of the seam, kept here too)
from grader.deadline import torch_state_kept as _torch_state_kept  # noqa: F401


# ------------------------------------------------------------------------------------------------ options
def pytest_addoption(parser):
    g = parser.getgroup("katas", "d2l-katas grading")
    g.addoption("--katas-tree", default=None,
                help="tree under test: exercises, solutions or a directory shaped like them (default: from the "
                     "path arguments; solutions when grading tests/ directly)")
    g.addoption("--katas-variant", default="source",
                help="source (default), stub, mutant:NAME or alt:NAME (built from solutions/ and "
                     "tests/variants/, e.g. to read the feedback a buggy variant gets)")
    g.addoption("--katas-selfcheck", action="store_true",
                help="prove the graders can fail: solution passes, stub fails every test, every mutant is caught")
    g.addoption("--katas-report", default=None, help="write per-test results as JSON to this path")
    g.addoption("--katas-traceback", action="store_true", help="show full tracebacks (also implied by -v)")
    g.addoption("--katas-timeout", type=float, default=None,
                help="seconds a single grader may run before it fails as stuck (0: no limit; default 15 when "
                     "practising, 30 for the self-check and the sandbox). After one timeout the rest of the session "
                     "gets 2 s each, and a function that did not return twice is not run again, so one endless "
                     "loop costs about 17 s per function")
    g.addoption("--katas-seeds", type=int, default=1,
                help="run every statistical grader (those using the `stat_seed` fixture) under this many seeds "
                     "(scripts/flake_check.py); default 1: the fixed seed only")
    g.addoption("--katas-seed-base", type=int, default=0, help="the first seed for statistical graders (default 0)")
    g.addoption("--katas-only-variants", default=None,
                help="self-check: run only these variants (comma-separated, e.g. solution,alt:book,mutant:NAME; "
                     "scripts/flake_check.py runs the seeded pass on the variants no fixed-seed grader rejects)")
    g.addoption("--katas-rejections", default=None,
                help="self-check: write, for each buggy variant, the test that rejected it with its recorded feedback")
    g.addoption("--katas-rejecting-first", default=None,
                help="self-check: run each buggy variant's recorded rejecting test before its others (default: the "
                     "record tests/variants/rejecting.json; 'none': core tests first, then file order). Only the "
                     "order changes: a variant is still run until a test rejects it with its recorded feedback")
    g.addoption("--katas-only-rejecting", default=None,
                help="self-check: run each buggy variant only on the test recorded by --katas-rejections (the "
                     "sandboxed pass of `katas test`: the sandbox must reach the same verdict with the same feedback)")
    g.addoption("--katas-sandbox", action="store_true",
                help="run the learner's code in an isolated worker process (Landlock, no network, rlimits) and "
                     "decide pass/fail here from plain data; see docs/SANDBOX.md")
    g.addoption("--katas-sandbox-dir", default=None, help="scratch directory of the sandbox (default: a new temp dir)")
    g.addoption("--katas-lang", default=None, choices=("en", "zh"),
                help="language of the feedback (default: KATAS_LANG, else the locale) · 反馈语言")
    g.addoption("--katas-memory", type=int, default=None,
                help="MiB of memory learner code may use: in practice mode how much one test may grow the process "
                     "(Linux; default 2048; 0: no limit), in the sandbox the worker's address space beyond its "
                     "start (default 4096)")
    g.addoption("--katas-cpu", type=int, default=900, help="sandbox: CPU seconds for the worker process")


def _graders_for_chapter(chapter_dir: Path) -> list[str]:
    """The graders of the modules present in a chapter directory of a tree (a partial submission is graded on
    what it has; the board counts missing modules as not started)."""
    tests = ROOT / "tests" / chapter_dir.name
    return [str(t) for t in sorted(tests.glob("test_*.py"))
            if (chapter_dir / t.name.removeprefix("test_")).exists()]


def _function_of(arg: str) -> str | None:
    """`exercises/ch3/x.py::softmax` -> "softmax" when softmax is a catalogued function of ch3/x.py."""
    path_part, sep, rest = arg.partition("::")
    parts = Path(path_part).parts
    if not sep or len(parts) < 2:
        return None
    ex = catalogue.load().by_module(f"{parts[-2]}/{parts[-1]}")
    return rest if ex is not None and rest in ex.functions else None


def _rewrite_arg(arg: str) -> tuple[list[str], Path | None]:
    """Map a path argument in a tree to the mirror graders in tests/. Returns (new args, tree or None)."""
    path_part, sep, rest = arg.partition("::")
    p = Path(path_part)
    if not (p.exists() or (ROOT / p).exists()):
        return [arg], None
    p = (p if p.is_absolute() else Path.cwd() / p).resolve()
    tests = ROOT / "tests"
    if p == ROOT or p.is_relative_to(tests) or p.is_relative_to(ROOT / "grader"):
        return [arg], None
    parts = p.parts
    from grader.catalogue import chapter_key, is_chapter
    idx = next((i for i in range(len(parts) - 1, -1, -1) if is_chapter(parts[i])), None)
    if idx is None:  # the tree itself
        chapters = sorted((d.name for d in p.iterdir() if d.is_dir() and is_chapter(d.name)), key=chapter_key)
        if not chapters:
            return [arg], None
        return [t for c in chapters for t in _graders_for_chapter(p / c)], p
    tree = Path(*parts[:idx])
    chapter = parts[idx]
    if idx == len(parts) - 1:
        return _graders_for_chapter(p), tree
    name = parts[idx + 1]
    target = tests / chapter / f"test_{name}"
    ex = catalogue.load().by_module(f"{chapter}/{name}")
    if rest and ex is not None and rest in ex.functions:   # exercises/ch3/x.py::softmax: the tests of one function
        return [f"{target}::{test}" for test in catalogue.tests_reaching(target, rest)] or [str(target)], tree
    return [str(target) + (sep + rest if sep else "")], tree


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    if _bare_invocation(config):   # a bare `pytest` grades the learner's work, wherever in the clone it is typed
        config.args[:] = [str(ROOT / "exercises")]
    if not config.args:
        return None
    new_args, trees = [], set()
    for arg in config.args:
        mapped, tree = _rewrite_arg(arg)
        function = _function_of(arg) if tree is not None else None
        if function is not None:
            seam.state(config).only_functions.append(function)
        new_args.extend(mapped)
        if tree is not None:
            trees.add(tree)
    if len(trees) > 1:
        raise pytest.UsageError("grade one tree at a time: " + ", ".join(map(str, sorted(trees))))
    if trees:
        config.args[:] = new_args
        if config.option.katas_tree is None:
            config.option.katas_tree = str(trees.pop())
    return None


def _bare_invocation(config) -> bool:
    """`pytest` with no path: from the repository root pytest would run testpaths (tests/, the graders on the
    solutions and the engine suite); from another folder of the clone, that folder. A learner means exercises/."""
    source = getattr(config, "args_source", None)
    kinds = getattr(pytest.Config, "ArgsSource", None)
    if source is None or kinds is None:
        return False
    if source == kinds.TESTPATHS:
        return True
    if source == kinds.INVOCATION_DIR:
        cwd = Path(config.invocation_params.dir).resolve()
        inside = [ROOT / d for d in ("exercises", "solutions", "tests")]
        return cwd.is_relative_to(ROOT) and not any(cwd.is_relative_to(d) for d in inside)
    return False


def _sandbox_setup(config):
    """--katas-sandbox: the scratch directory (the only place the worker may write) holds pytest's tmp_path too,
    so files a grader writes for learner code to read (and files learner code writes) are reachable there."""
    import tempfile
    from grader import sandbox
    scratch = config.option.katas_sandbox_dir or tempfile.mkdtemp(prefix="katas-sandbox-")
    Path(scratch).mkdir(parents=True, exist_ok=True)
    extra_rw = []
    if not config.option.basetemp:
        config.option.basetemp = str(Path(scratch) / "pytest")
    else:   # pytest re-creates basetemp itself (a new inode): the worker gets its parent (e.g. under xdist)
        parent = Path(config.option.basetemp).resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        extra_rw.append(str(parent))
    sb = sandbox.Sandbox(Path(scratch), timeout=config.option.katas_timeout or 30.0,
                         memory=config.option.katas_memory << 20, cpu=config.option.katas_cpu, extra_rw=extra_rw)
    sb.own_scratch = config.option.katas_sandbox_dir is None
    sb.start()   # the worker imports torch while pytest collects
    from grader.runtime import guard
    guard.defer_dynamo()   # the graders' own oracles (torch.optim) need no torch._dynamo here either (~2 s)
    st = seam.state(config)
    st.sandbox, st.sandboxed = sb, True


def pytest_configure(config):
    config.addinivalue_line("markers", "weight(n): this test's share of the exercise's points (default 1)")
    config.addinivalue_line("markers", "hidden: a hidden test (results.json: visible only once published)")
    config.addinivalue_line("markers", "core(*names): this test checks the values of the learner functions it uses (or "
                                       "of `names`) against an oracle; the module's other tests that use a function "
                                       "pay only when every core test of that function passes")
    from grader import i18n
    i18n.set_lang(config.option.katas_lang)
    runs_tests = hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)
    if config.option.katas_memory is None:
        config.option.katas_memory = 4096 if config.option.katas_sandbox else 2048
    st = seam.state(config)
    seam.enter(st)
    config.pluginmanager.register(_Collector(st), f"katas-collector-{id(st)}")
    if config.option.katas_sandbox and runs_tests and st.sandbox is None:
        _sandbox_setup(config)   # in the process that runs tests (an xdist worker, or the only process)
    from hypothesis import HealthCheck, Phase, settings
    common = dict(derandomize=True, database=None, deadline=None, print_blob=False, report_multiple_bugs=False,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors,
                                         HealthCheck.data_too_large, HealthCheck.filter_too_much])
    # no "explain" phase: it re-runs a failing example ~100 times to annotate it, which learners never see here
    settings.register_profile("katas", max_examples=40,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
                              **common)
    settings.register_profile("katas-selfcheck", max_examples=40,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate], **common)
    settings.load_profile("katas-selfcheck" if config.option.katas_selfcheck else "katas")
    if config.option.katas_tree is None:
        config.option.katas_tree = "solutions"
    if config.option.katas_timeout is None:
        config.option.katas_timeout = 30.0 if config.option.katas_selfcheck or config.option.katas_sandbox else 15.0
    on_solutions = loader.tree_path(config.option.katas_tree) == (ROOT / "solutions").resolve()
    if config.option.katas_selfcheck or config.option.katas_variant != "source":
        if not on_solutions:
            raise pytest.UsageError("--katas-selfcheck and --katas-variant work on solutions/ only")
    import gc

    import torch
    torch.set_num_threads(1)
    # torch and hypothesis leave ~10^6 long-lived objects: freezing them makes every later garbage collection
    # (hypothesis runs one before its first test, pytest one at exit) cheap. About 0.3-0.5 s per run.
    gc.collect()
    gc.freeze()
    from grader import console_safe
    console_safe()   # a GBK console: '?' for ✔ rather than a UnicodeEncodeError in the summary
    st.check_pickle = bool(config.option.katas_selfcheck)
    from grader import check
    practice = not (config.option.katas_selfcheck or config.option.katas_sandbox
                    or config.option.katas_variant != "source" or on_solutions)
    check.PICTURES["dir"] = ROOT / ".katas" / "pictures" if practice else None


# ------------------------------------------------------------------------------------------------ the seam
@pytest.fixture(scope="session")
def stat_seed(request) -> int:
    """The seed a statistical grader derives its torch.Generator seeds from (fixed, so grading is deterministic;
    scripts/flake_check.py runs the graders under many seeds to show ~5σ bounds do not flake)."""
    return request.config.option.katas_seed_base


def pytest_generate_tests(metafunc):
    config = metafunc.config
    if "stat_seed" in metafunc.fixturenames and config.option.katas_seeds > 1:
        base = config.option.katas_seed_base
        metafunc.parametrize("stat_seed", [base + i for i in range(config.option.katas_seeds)],
                             ids=lambda s: f"seed{s}")
    if "kata" in metafunc.fixturenames and metafunc.config.option.katas_selfcheck:
        module = catalogue.module_of_test(metafunc.definition.path)
        variants = selfcheck.variants(metafunc.config, module)
        metafunc.parametrize("kata", variants, indirect=True, scope="module", ids=variants)


@pytest.fixture(scope="module")
def kata(request):
    """The module under test, e.g. ``kata.softmax(X)``. The only way graders reach learner code."""
    module = catalogue.module_of_test(request.path)
    variant = getattr(request, "param", request.config.option.katas_variant)
    if variant == "solution":
        variant = "source"
    tree = request.config.option.katas_tree
    sb = seam.state(request.config).sandbox
    if sb is not None:
        return _remote_kata(sb, module, tree, variant)
    from grader import kata as kata_seam
    return kata_seam.load(module, tree, variant)


def _remote_kata(sb, module, tree, variant):
    """The sandboxed seam: the learner's source is read (as text) and scanned here, and run in the worker."""
    from grader import forbid
    from grader.sandbox import RemoteKata
    source, filename = loader.variant_source(module, tree, variant)
    # the name learner code runs under in the worker (and feedback shows): the same on every machine and run
    filename = module if variant == "source" else f"<{variant}>/{module}"
    ex = catalogue.load().by_module(module)
    violations = {}
    rules = forbid.rules_for(module)
    if rules is not None:
        violations = forbid.scan(source, filename, rules, public=set(ex.functions) if ex else set())
    return RemoteKata(sb, module, source, filename, variant, violations,
                      dict(ex.forbid) if ex and ex.forbid else None, dict(ex.forbid_why) if ex else None,
                      str(loader.tree_path(tree)))


# ------------------------------------------------------------------------------------------------ running
def pytest_runtest_setup(item):
    if item.config.option.katas_selfcheck and selfcheck.already_rejected(seam.state(item.config), item):
        pytest.skip(f"{selfcheck.variant_of(item)} is already rejected")
    import torch
    # the CPU generator only: torch.manual_seed would also queue CUDA seeding, which on a CUDA build without a GPU
    # formats a stack trace on every call (10-40 ms per test)
    torch.default_generator.manual_seed(0)
    random.seed(0)
    try:
        import numpy
        numpy.random.seed(0)
    except ImportError:
        pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    proxy = getattr(item, "funcargs", {}).get("kata")
    conventions.new_test()
    if _is_kata_proxy(proxy):
        used = set()
        object.__setattr__(proxy, "_used", used)
        item._katas_used = used
    st = seam.state(item.config)
    if st.sandbox is not None and proxy is not None:
        # learner code runs in the worker: the deadline is enforced there (SIGKILL), not with SIGALRM here
        st.sandbox.begin_test(seed=0)
        try:
            outcome = yield
        finally:
            st.sandbox.end_test()
        _report_conventions(outcome)
        return
    if isinstance(proxy, KataModule):
        from grader import deadline, forbid
        from grader.runtime import guard
        rules = forbid.rules_for(proxy._relpath)
        guard.warm_meta()  # once per process, before the first deadline starts
        with deadline.torch_state_kept(), deadline.time_limit(item.config.option.katas_timeout, st), \
                deadline.memory_limit(item.config.option.katas_memory):
            if rules is not None:
                with forbid.Guard(rules):
                    outcome = yield
            else:
                outcome = yield
        _report_conventions(outcome)
        return
    yield


def _report_conventions(outcome) -> None:
    """A test whose own checks passed still fails on a dtype or device convention its learner calls broke."""
    failure = conventions.pending()
    if failure is not None and outcome.excinfo is None:
        outcome.force_exception(failure)


def _is_kata_proxy(proxy) -> bool:
    from grader.kata import Unimportable
    return isinstance(proxy, (KataModule, Unimportable, seam.RemoteModule))


def pytest_collection_modifyitems(session, config, items):
    if config.option.katas_selfcheck:
        selfcheck.select(config, items)
    if config.option.verbose > 0 or config.option.katas_traceback:
        return
    for item in items:
        if isinstance(item, pytest.Function) and feedback.exercise_of(item) is not None:
            item.repr_failure = feedback.learner_repr_failure(item)


# ------------------------------------------------------------------------------------------------ results
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    module = feedback.exercise_of(item)
    if module is None:
        return
    config = item.config
    verbose = config.option.verbose > 0 or config.option.katas_traceback
    text, is_stub = "", False
    if report.failed and call.excinfo is not None:
        full, is_stub = feedback.feedback(item, call.excinfo, "en")   # the records keep English
        text = full.split("\nstuck? `", 1)[0]
        if not verbose:
            shown, _ = feedback.feedback(item, call.excinfo)         # the terminal: the learner's language
            report.longrepr = feedback.once_per_module(seam.state(config), module, shown, call.excinfo.value)
    proxy = item.funcargs.get("kata") if hasattr(item, "funcargs") else None
    variant = proxy._variant if _is_kata_proxy(proxy) else config.option.katas_variant
    if report.when == "setup" and report.failed and hasattr(item, "callspec"):
        variant = item.callspec.params.get("kata", variant)
    if variant == "solution":
        variant = "source"
    raw_passed, raw_failed = report.passed, report.failed
    if config.option.katas_selfcheck and report.when in ("setup", "call"):
        selfcheck.judge(seam.state(config), item, report, module, variant, text, call)
    if report.when == "call" or (report.when == "setup" and raw_failed):
        uses, core = selfcheck.uses_and_core(item, module)
        status = Status.PASSED if raw_passed else (Status.NOT_STARTED if is_stub else Status.FAILED)
        record = Record(module=module, title=feedback.test_title(item), test=item.nodeid, variant=variant,
                        weight=feedback.weight(item), status=status, feedback=text if raw_failed else "",
                        seed=item.callspec.params.get("stat_seed") if hasattr(item, "callspec") else None,
                        hidden=item.get_closest_marker("hidden") is not None, uses=uses, core=core)
        report.user_properties.append(("katas", record.to_dict()))   # plain data: it crosses xdist's wire


class _Collector:
    """Registered per session (pytest_configure): the records and self-check notes of every report this process
    sees (under xdist, the controller sees the workers' reports)."""

    def __init__(self, st: seam.SessionState):
        self.st = st

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "katas":
                self.st.results.append(Record.from_dict(value))
            elif key in ("katas_selfcheck", "katas_rejecting"):
                selfcheck.note(self.st, key, value)


def pytest_unconfigure(config):
    st = seam.state(config)
    if st.sandbox is not None:
        st.sandbox.close()
    seam.leave(st)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):
        return
    from grader import records, scoring
    st = seam.state(config)
    scoring.gate(st.results)
    if config.option.katas_selfcheck and not selfcheck.finish(config, st) and session.exitstatus == 0:
        session.exitstatus = 1
    if config.option.katas_report:
        records.dump(st.results, Path(config.option.katas_report))
        if st.sandbox is not None:   # beside the report (outside the sandbox's reach), not in the scratch directory
            import json
            info = {**st.sandbox.info, "worker_cpu_s": round(st.sandbox.worker_cpu_seconds(), 2)}
            Path(str(config.option.katas_report) + ".sandbox.json").write_text(json.dumps(info), encoding="utf-8")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput"):
        return
    tr = terminalreporter
    st = seam.state(config)
    if config.option.katas_selfcheck:
        selfcheck.summary(tr, st)
        return
    graded = [r for r in st.results if r.variant == "source"]
    if not graded:
        return
    from grader import scoring
    tree = loader.tree_path(config.option.katas_tree)
    tr.section(f"katas: {tree.name}/")
    for name in st.only_functions:
        tr.write_line(f"only the tests that use `{name}` ran: the points below are out of the whole exercise")
    for line in scoring.summary_lines(scoring.score(graded)):
        tr.write_line(line)
    from grader import check
    for path, caption in check.PICTURES["kept"]:
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        tr.write_line(f"picture: {shown} — {caption}")
