"""tests/shippable.py holds what graders pass into learner code; it is imported by the sandboxed worker, where the
graders' own modules (the oracles), hypothesis, pytest and grader are not importable. Importing it must not pull
any of them in, and everything it defines must pickle by reference to it."""
import inspect
import json
import pickle
import subprocess
import sys
from pathlib import Path

import tests.shippable

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("hypothesis", "pytest", "_pytest", "grader", "tests.ch", "tests.strategies")


def test_importing_shippable_pulls_in_no_grader_code():
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import tests.shippable; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-I", "-c", code, str(ROOT)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert "tests.shippable" in modules
    bad = [m for m in modules if m.startswith(FORBIDDEN)]
    assert not bad, f"importing tests.shippable imports {bad}"


def test_everything_pickles_by_reference():
    objs = [obj for name, obj in vars(tests.shippable).items()
            if not name.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj))
            and getattr(obj, "__module__", None) == "tests.shippable"]
    assert len(objs) > 20
    for obj in objs:
        assert pickle.loads(pickle.dumps(obj)) is obj, obj.__qualname__
