"""Binds the graders in tests/ to the tree named on the command line (see grader/plugin.py):

    pytest exercises/ch3                      grade the learner's chapter 3
    pytest exercises/ch3/softmax_regression.py   grade one module
    pytest solutions/ch3                      check the reference solutions with the same graders
    pytest                                    the graders on solutions/ plus the engine's own tests
"""
pytest_plugins = ["grader.plugin"]
