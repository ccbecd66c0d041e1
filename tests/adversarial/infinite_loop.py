"""An infinite loop: stall the grader (and the whole class's batch) forever."""


def numerical_grad(f, x, h=1e-5):
    while True:
        pass
