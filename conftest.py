"""Binds the graders in tests/ to the tree named on the command line. The binding itself is the pytest plugin
``grader.plugin``, loaded for every run by ``addopts = -p grader.plugin`` in pyproject.toml (so that it also works
for a tree outside this repository, e.g. ``pytest -c ~/d2l-katas/pyproject.toml ~/mywork/ch3``):

    pytest exercises/ch3                         grade the learner's chapter 3
    pytest exercises/ch3/softmax_regression.py   grade one module
    pytest solutions/ch3                         check the reference solutions with the same graders
    pytest                                       the engine's tests and every grader on solutions/
"""
