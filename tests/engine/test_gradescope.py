"""The Gradescope autograder package, run as Gradescope runs it on a simulated /autograder layout: the zip holds no
solution and no buggy variant; run_autograder grades a student's loose module file sandboxed and writes
results/results.json counting only the assignment (issue 17)."""
import json
import os
import subprocess
import sys
import zipfile

from tests.engine.test_e2e import CORRECT_CALCULUS, run


def run_autograder(zpath, root, timeout=900) -> dict:
    """Gradescope's part on a simulated /autograder at ``root`` (the student's files already in root/submission):
    the package unpacked into root/source, run_autograder run; returns results/results.json."""
    with zipfile.ZipFile(zpath) as z:
        z.extractall(root / "source")
    os.chmod(root / "source" / "run_autograder", 0o755)
    env = {**os.environ, "KATAS_AUTOGRADER_ROOT": str(root), "KATAS_PYTHON": sys.executable}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_package_grades_a_submission_on_a_simulated_autograder(tmp_path):
    from grader import catalogue, gradescope
    zpath = gradescope.build(tmp_path / "ch2-calculus-autograder.zip", ["ch2.calculus"])
    with zipfile.ZipFile(zpath) as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder", "requirements.txt", "grader/cli.py", "tests/ch2/test_calculus.py",
                "pyproject.toml"} <= set(names)
        assert not [n for n in names if n.startswith(("solutions/", "tests/variants/", "tests/adversarial/"))]
        assert "torch==" in z.read("requirements.txt").decode()
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "calculus.py").write_text(CORRECT_CALCULUS)     # uploaded alone, as students do
    results = run_autograder(zpath, root)
    points = catalogue.load().by_id("ch2.calculus").points
    assert abs(results["score"] - points) < 1e-9, results
    names = {t["name"].split(":", 1)[0] for t in results["tests"]}
    assert names == {"ch2.calculus"}, names


def test_github_classroom_workflow_gives_full_points_exactly_when_a_module_passes(tmp_path):
    """The generated workflow is valid YAML with one command-grader step per assigned exercise (its points as
    max-score) and the reporter listing them all; each step's command exits 0 on a correct module and 1 on the stub."""
    import yaml

    from grader import ROOT, catalogue, gradescope
    flow = yaml.safe_load(gradescope.classroom_workflow(["ch2.calculus", "ch2.linear_algebra"]))
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    graded = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-command-grader")]
    cat = catalogue.load()
    assert [(s["with"]["test-name"], s["with"]["max-score"]) for s in graded] == [
        ("ch2.calculus", cat.by_id("ch2.calculus").points), ("ch2.linear_algebra", cat.by_id("ch2.linear_algebra").points)]
    assert steps[-1]["with"]["runners"] == ",".join(s["id"] for s in graded)
    command = graded[0]["with"]["command"]
    assert command == "python3 katas.py check exercises/ch2/calculus.py"
    args = command.split()[2:]
    unfinished = tmp_path / "work" / "ch2" / "calculus.py"
    unfinished.parent.mkdir(parents=True)
    unfinished.write_text("def numerical_grad(f, x, h=1e-5):\n    return x\n")
    for target, want in ((ROOT / "solutions" / "ch2" / "calculus.py", 0), (unfinished, 1)):
        target = str(target)
        r = run(["-m", "grader", args[0], target])
        assert r.returncode == want, (target, r.stdout[-1500:])
