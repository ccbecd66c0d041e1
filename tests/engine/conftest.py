"""The engine's longest test files start first.

`katas test` runs the suite with ``-n 2 --dist loadfile --no-loadscope-reorder``: xdist hands out whole files in
collection order (without ``--no-loadscope-reorder``, the files with most tests first), so the
few long engine files (a generated class graded by grade-class, nbgrader end to end, the golden feedback), collected
after every chapter's graders, used to run at the end while the other worker had nothing left to do (minutes of one
idle core). Started first, they run beside the chapters' many short files, which fill the end evenly."""

FIRST = ("test_nbgrader.py", "test_sandbox.py", "test_earned.py", "test_feedback_golden.py", "test_e2e.py",
         "test_hand_grades.py")


def pytest_collection_modifyitems(session, config, items):
    def key(item):
        path = item.path
        if path.parent.name == "engine" and path.parent.parent.name == "tests":
            return (0, FIRST.index(path.name)) if path.name in FIRST else (1, 0)
        return (2, 0)
    items.sort(key=key)   # stable: the order within each file (and the self-check's) is kept
