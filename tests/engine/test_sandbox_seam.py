"""The sandbox seam: learner code in the worker sees the grader's global RNGs (torch, random, numpy) as if it ran in
the grader's process, and hands back what it drew — so a seeded grader gets the same numbers sandboxed or not.
Only the states that changed travel, and each side keeps what it last exchanged; these tests pin that down."""
from __future__ import annotations

import math
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


import collections
import fractions
import math

P = collections.namedtuple("P", "a b")
R = collections.namedtuple("R", ["a", "def"], rename=True)     # fields ('a', '_1'): arrives as a plain tuple
VALUES = {
    "none": None, "bool": True, "int": 2**80, "float": 0.1, "nan": math.nan, "inf": -math.inf, "str": "héllo",
    "complex": 1 - 2.5j, "fraction": fractions.Fraction(1, 3), "bytes": b"\\x00ab", "range": range(2, 11, 3),
    "slice": slice(1, None, 2), "ellipsis": ..., "device": torch.device("cpu"), "dtype": torch.float64,
    "size": torch.Size([2, 3]), "list": [1, [2.0, (3,)]], "tuple": (1, "a"), "dict": {"a": 1, 2: [3.0]},
    "set": {1, 2}, "namedtuple": P(1, torch.ones(2)), "renamed_namedtuple": R(1, 2),
    "np_float64": np.float64(1.5), "np_complex": np.complex128(1j), "np_array": np.arange(6.0).reshape(2, 3),
    "tensor": torch.arange(6.0).reshape(2, 3).t(), "bf16": torch.ones(2, dtype=torch.bfloat16),
}


def value(name):
    v = VALUES[name]
    return v.copy() if hasattr(v, "copy") and not isinstance(v, (torch.Tensor, np.ndarray)) else v


def grow(x):
    x.resize_(x.numel() + 2)
    x[-2:] = 7
    return x.numel()


def poke_data(x):
    x.data.add_(1)          # x's version counter does not move
    return 0


def poke_numpy(x):
    x.numpy()[0] = 42.0     # nor here
    return 0


def zero_grad_data(p):
    p.grad.data.zero_()     # nor p.grad's
    return 0
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


def test_writes_that_leave_the_version_counter_alone_reach_the_graders_tensors(kata, local):
    """x.data.add_(), x.numpy()[i] = v and p.grad.data.zero_() change values without a version bump: the worker
    compares the bytes, in place for a contiguous tensor, read out for a strided one, and hands the change back;
    the same tensors twice (the worker's copies, compared against what the last call left)."""
    for k in (kata, local):
        fn = (lambda name: getattr(k, name)) if k is kata else (lambda name: k[name])
        x = torch.zeros(3)
        for i in (1, 2):
            fn("poke_data")(x)
            assert torch.equal(x, torch.full((3,), float(i))), (k is kata, i, x)
        fn("poke_numpy")(x)
        assert x.tolist() == [42.0, 2.0, 2.0]
        strided = torch.arange(6.0).reshape(2, 3).t()
        for i in (1, 2):
            fn("poke_data")(strided)
            assert torch.equal(strided, torch.arange(6.0).reshape(2, 3).t() + i), (k is kata, i, strided)
        p = torch.ones(2, requires_grad=True)
        p.grad = torch.ones(2)
        fn("zero_grad_data")(p)
        assert torch.equal(p.grad, torch.zeros(2))
        p.grad.fill_(3)          # the grader's own change travels to the worker's copy, then the learner's back
        fn("zero_grad_data")(p)
        assert torch.equal(p.grad, torch.zeros(2))


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return isinstance(b, type(a).__mro__[-2] if isinstance(a, tuple) else list) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b and (type(a) is type(b) or isinstance(a, np.generic))


def test_returned_values_arrive_as_the_same_data(kata, local):
    """What learner code returns crosses as plain data equal to what it returned (numpy scalars as Python numbers,
    a namedtuple with its type name and fields), never as a handle that compares by identity."""
    for name in local["VALUES"]:
        want, got = local["value"](name), kata.value(name)
        assert _same(want, got), f"{name}: in one process {want!r}, sandboxed {got!r} ({type(got).__name__})"
    nt = kata.value("namedtuple")
    assert type(nt).__name__ == "P" and nt._fields == ("a", "b") and nt.a == 1


def test_hypothesis_probing_the_kata_is_answered_without_a_round_trip(tmp_path):
    """hypothesis looks for `hypothesis_internal_is_this_a_mock_check` on a test's arguments: the sandboxed kata
    answers it itself. Before, the probe loaded the learner's module in the worker under the test's deadline; in a
    starved fresh-clone run (session 10) it ran past that deadline, and the feedback said "your
    `hypothesis_internal_is_this_a_mock_check` did not return"."""
    sb = Sandbox(tmp_path, timeout=30)
    try:
        k = RemoteKata(sb, "seam.py", SOURCE, "seam.py", "source", {}, None, None, "solutions")
        assert getattr(k, "hypothesis_internal_is_this_a_mock_check", "absent") == "absent"
        assert sb.worker is None and sb.loaded == {}                  # no worker started, no module loaded
        assert "hypothesis_internal_is_this_a_mock_check" not in k.__dict__.get("_used", set())
    finally:
        sb.close()
