"""Loaded with `-p tests.engine.spy_plugin` by the engine's end-to-end tests: records every file opened under
solutions/ and every `_kata.*` module imported, to prove that grading exercises never touches the solutions."""
import json
import os
import sys

_opened = []


def _audit(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if f"{os.sep}solutions{os.sep}" in path:
            _opened.append(path)


sys.addaudithook(_audit)


def pytest_sessionfinish(session, exitstatus):
    out = os.environ.get("KATAS_SPY_OUT")
    if out:
        mods = sorted(m for m in sys.modules if m.startswith("_kata.") or m.startswith("solutions"))
        with open(out, "w") as fh:
            json.dump({"opened": _opened, "modules": mods}, fh)
