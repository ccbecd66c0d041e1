"""The sandbox seam: learner code in the worker sees the grader's global RNGs (torch, random, numpy) as if it ran in
the grader's process, and hands back what it drew — so a seeded grader gets the same numbers sandboxed or not.
Only the states that changed travel, and each side keeps what it last exchanged; these tests pin that down."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from grader.sandbox import RemoteKata, Sandbox

SOURCE = '''
import random
import numpy as np
import torch


def draw(n):
    return (torch.rand(n).tolist(), [random.random() for _ in range(n)], np.random.rand(n).tolist(),
            np.random.randn(n).tolist(), torch.randn(n).tolist())


def gauss_one():
    return float(np.random.randn())


def nothing():
    return 0


def add_one_into(x, out):
    torch.add(x, 1, out=out)      # resizes out when its shape differs
    return out.shape[0]


def grow(x):
    x.resize_(x.numel() + 2)
    x[-2:] = 7
    return x.numel()
'''


@pytest.fixture(scope="module")
def kata(tmp_path_factory):
    sb = Sandbox(tmp_path_factory.mktemp("seam"), timeout=30)
    try:
        yield RemoteKata(sb, "seam.py", SOURCE, "seam.py", "source", {}, None, None, "solutions")
    finally:
        sb.close()


@pytest.fixture(scope="module")
def local():
    ns: dict = {}
    exec(compile(SOURCE, "seam.py", "exec"), ns)
    return ns


def _seed(s):
    torch.manual_seed(s)
    random.seed(s)
    np.random.seed(s)


def _script(k):
    """A grader's session: seeds, its own draws, the learner's draws (odd counts of Gaussians, so numpy's cached
    Gaussian is both made and used across calls), calls that draw nothing."""
    out = []
    _seed(3)
    out.append(k["draw"](3))
    out.append((torch.rand(2).tolist(), random.random(), np.random.rand(2).tolist()))
    out.append(k["gauss_one"]())
    out.append(k["nothing"]())
    out.append(float(np.random.randn()))     # the grader uses the Gaussian the learner's draw cached
    out.append(k["gauss_one"]())
    out.append(k["draw"](1))
    _seed(3)                                  # the same seed again: the same numbers again
    out.append(k["draw"](3))
    out.append(k["nothing"]())
    out.append((torch.rand(1).tolist(), random.random(), float(np.random.randn())))
    return out


def test_global_rngs_behave_as_in_one_process(kata, local):
    remote = _script({name: getattr(kata, name) for name in ("draw", "gauss_one", "nothing")})
    inproc = _script(local)
    assert remote == inproc


def test_same_session_twice_same_numbers(kata):
    fns = {name: getattr(kata, name) for name in ("draw", "gauss_one", "nothing")}
    assert _script(fns) == _script(fns)


def test_learner_can_resize_the_graders_tensors(kata, local):
    """Keeping the copies in step must not pin their storage (reading them through .numpy() would: then a learner's
    out= or resize_ fails sandboxed and only sandboxed)."""
    for k in (kata, local):
        fn = (lambda name: getattr(k, name)) if k is kata else (lambda name: k[name])
        x, out = torch.arange(4.0), torch.empty(0)
        assert fn("add_one_into")(x, out) == 4
        assert torch.equal(out, torch.arange(4.0) + 1)
        assert fn("add_one_into")(x, out) == 4      # the same tensors again (the worker's copies, already read)
        y = torch.zeros(3)
        assert fn("grow")(y) == 5
        assert torch.equal(y, torch.tensor([0.0, 0.0, 0.0, 7.0, 7.0]))
        assert fn("grow")(y) == 7
