"""The course-wide conventions, graded by the engine on every learner call through the seam (grader/conventions.py):
inputs unchanged, one floating dtype in → the same dtype out, results on the inputs' device (meta re-run)."""
import pytest
import torch

from grader import conventions, loader
from grader.check import KataFailure


def _mod(src, name):
    return loader._exec_module(f"_kata.conventions.{name}", "import torch\n" + src, f"/virtual/conv_{name}.py")


def _call(mod, name, *args):
    conventions.new_test()
    fn = getattr(mod, name)
    return conventions.graded_call("ch3/softmax_regression.py", name, fn, args, {}, fn=fn)


GOOD = "def softmax(X):\n    E = (X - X.max(1, keepdim=True).values).exp()\n    return E / E.sum(1, keepdim=True)\n"


def test_a_correct_function_passes_every_convention():
    out = _call(_mod(GOOD, "good"), "softmax", torch.randn(3, 4))
    assert out.dtype == torch.float32 and conventions.pending() is None


def test_writing_into_an_input_is_named():
    mod = _mod("def softmax(X):\n    X -= X.max(1, keepdim=True).values\n    X.exp_()\n"
               "    return X / X.sum(1, keepdim=True)\n", "inplace")
    with pytest.raises(KataFailure) as e:
        _call(mod, "softmax", torch.randn(3, 4))
    assert "your `softmax` changed its input X in place" in str(e.value) and "leaves its inputs unchanged" in str(e.value)


def _deferred(mod, name, *args):
    """dtype and device failures are reported when the test's own checks pass: the seam keeps them pending."""
    _call(mod, name, *args)
    failure = conventions.pending()
    assert isinstance(failure, KataFailure)
    return str(failure)


def test_float64_out_of_float32_in_is_named():
    mod = _mod("def softmax(X):\n    E = (X.double() - X.double().max(1, keepdim=True).values).exp()\n"
               "    return E / E.sum(1, keepdim=True)\n", "f64")
    assert "float32 in → float32 out" in _deferred(mod, "softmax", torch.randn(3, 4))
    assert _call(mod, "softmax", torch.randn(3, 4, dtype=torch.float64)).dtype == torch.float64
    assert conventions.pending() is None


def test_a_cpu_allocation_is_found_on_meta():
    mod = _mod("def softmax(X):\n    out = torch.zeros(X.shape)\n    E = (X - X.max(1, keepdim=True).values).exp()\n"
               "    return out + E / E.sum(1, keepdim=True)\n", "cpu")
    text = _deferred(mod, "softmax", torch.randn(3, 4))
    assert "results live on the inputs' device" in text and "meta" in text
    mod = _mod("def softmax(X):\n    out = torch.zeros(X.shape)\n    E = (X - X.max(1, keepdim=True).values).exp()\n"
               "    return out.add_(E / E.sum(1, keepdim=True))\n", "cpu2")
    assert "on cpu" in _deferred(mod, "softmax", torch.randn(3, 4))


def test_no_verdict_when_a_function_cannot_run_on_meta():
    mod = _mod("def softmax(X):\n    m = float(X.max())\n    E = (X - m).exp()\n    return E / E.sum(1, keepdim=True)\n",
               "item")
    assert _call(mod, "softmax", torch.randn(3, 4)).shape == (3, 4)    # .item() on meta raises: no verdict
    assert conventions.pending() is None


def test_in_place_functions_are_exempt_by_name():
    mod = _mod("def fill_(t):\n    t.zero_()\n    return t\n", "fill")
    assert float(_call(mod, "fill_", torch.ones(3)).sum()) == 0.0
