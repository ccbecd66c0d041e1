"""The learner-side runtime: everything that runs beside learner code — the wire format and RNG codec (wire), the
forbidden-call guard and its messages (guard), stub awareness, import-error text, learner frames and tensor
snapshots (learner), and the sandboxed worker itself (worker).

The worker gets this directory as it is (grader.sandbox copies it beside worker.py and registers it as the package
``grader.runtime``); the grading process imports the same files. Nothing here imports from the rest of grader/
(tests/engine/test_import_edges.py)."""
