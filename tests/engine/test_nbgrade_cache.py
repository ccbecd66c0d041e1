"""In-kernel grading runs a module's graders once per notebook: every test cell after the answers reads that one
result (issue 17); re-defining one of the learner's functions grades again."""
from grader import nbgrade


def test_graders_run_once_per_notebook_and_again_after_a_redefinition(monkeypatch):
    runs = []

    def fake_run_graders(ns, module, source=None, timeout=10.0):
        runs.append(module)
        return {"test_a": {"passed": True, "feedback": ""}, "test_b": {"passed": True, "feedback": ""}}

    monkeypatch.setattr(nbgrade, "run_graders", fake_run_graders)
    monkeypatch.setattr(nbgrade, "_install_display", lambda: None)
    monkeypatch.setattr(nbgrade, "_CACHE", {})
    ns = {"In": ["", "def numerical_gradient(f, x): ..."], "__name__": "__main__"}
    exec("def numerical_gradient(f, x):\n    return x\n\ndef helper():\n    return 1\n", ns)
    for cell in range(6):                       # test cells, prints and plots between them: IPython's In grows
        ns["In"].append(f"nbgrade.check(globals(), 'ch2/calculus.py', 'test_{'ab'[cell % 2]}')")
        ns[f"_i{cell}"] = ns["In"][-1]
        nbgrade.check(ns, "ch2/calculus.py", f"test_{'ab'[cell % 2]}")
    assert runs == ["ch2/calculus.py"]
    exec("def helper():\n    return 2\n", ns)   # the learner re-runs a cell that defines a helper
    nbgrade.check(ns, "ch2/calculus.py", "test_a")
    assert runs == ["ch2/calculus.py"] * 2


def test_a_test_never_leaves_global_torch_state_changed():
    """Whatever learner code does to grad mode, the default dtype or the thread count (or a deadline interrupting
    it inside ``with torch.no_grad():``), the next test starts from the state before."""
    import torch
    from grader.deadline import torch_state_kept as _torch_state_kept
    before = (torch.is_grad_enabled(), torch.get_default_dtype(), torch.get_num_threads())
    try:
        with _torch_state_kept():
            torch.set_grad_enabled(False)
            torch.set_default_dtype(torch.float64)
            torch.set_num_threads(before[2] + 1)
            raise TimeoutError("a deadline inside the learner's no_grad block")
    except TimeoutError:
        pass
    assert (torch.is_grad_enabled(), torch.get_default_dtype(), torch.get_num_threads()) == before


def test_in_kernel_grading_leaves_no_hypothesis_folder_in_the_assignment(tmp_path):
    """generate_feedback copies the assignment folder: hypothesis' cache (.hypothesis/) must not be there. (A fresh
    process, as a kernel is: hypothesis fixes its folder from the working directory on first use.)"""
    import subprocess
    import sys

    from grader import ROOT
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "src = open(%r, encoding='utf-8').read()\n"
        "ns = {'__name__': '__main__'}\n"
        "exec(compile(src, '<cell>', 'exec'), ns)\n"
        "from grader import nbgrade\n"
        "r = nbgrade.run_graders(ns, 'ch8/text_preprocessing.py', source=src)\n"   # hypothesis caches constants
        "print(sum(v['passed'] for v in r.values()), len(r))\n"
    ) % (str(ROOT), str(ROOT / "solutions" / "ch8" / "text_preprocessing.py"))
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    passed, total = map(int, proc.stdout.split()[-2:])
    assert total > 0 and passed == total, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []
