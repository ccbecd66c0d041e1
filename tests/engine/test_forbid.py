"""Forbidden calls: the static scan (any import alias, never comments or strings) and the run-time guard."""
import pytest
import torch

from grader import forbid, loader

RULES = forbid.Rules({"softmax": ["softmax", "logsumexp", "torch.nn.Softmax"], "matmul": ["matmul", "Tensor.__matmul__"],
                      "grad": ["backward", "torch.autograd"]},
                     {"softmax": "build it yourself."})


def scan(src):
    return forbid.scan(src, "toy.py", RULES)


@pytest.mark.parametrize("body", [
    "return torch.softmax(X, 1)",
    "return F.softmax(X, dim=1)",
    "return torch.nn.functional.softmax(X, 1)",
    "return X.softmax(1)",
    "return (X - X.logsumexp(1, keepdim=True)).exp()",
    "return nn.Softmax(dim=1)(X)",
    "return sm(X, 1)",
    "return torch.special.softmax(X, 1)",
])
def test_static_scan_catches_every_alias(body):
    src = ("import torch\nimport torch.nn.functional as F\nfrom torch import nn\nfrom torch import softmax as sm\n"
           f"def softmax(X):\n    {body}\n")
    found = scan(src)
    assert list(found) == ["softmax"], found
    assert "not allowed in `softmax`" in found["softmax"][0] and "build it yourself." in found["softmax"][0]


def test_static_scan_ignores_comments_strings_and_other_functions():
    src = ('import torch\n'
           'def softmax(X):\n    """Do not call torch.softmax here."""\n    # torch.softmax(X) would be cheating\n'
           '    E = torch.exp(X - X.max(dim=1, keepdim=True).values)\n    return E / E.sum(1, keepdim=True)\n'
           'def helper(X):\n    return torch.softmax(X, 1)\n')
    assert scan(src) == {}


def test_static_scan_bans_whole_non_torch_packages_without_importing_them():
    rules = forbid.Rules({"fit": ["module:sklearn"]}, {})
    src = "import sklearn.linear_model as lm\ndef fit(X, y):\n    return lm.LogisticRegression().fit(X, y)\n"
    found = forbid.scan(src, "toy.py", rules)
    assert list(found) == ["fit"] and len(found["fit"]) == 1 and "sklearn.linear_model" in found["fit"][0]


def test_static_scan_follows_module_level_helpers():
    src = ("import torch\n"
           "def _exp_norm(X):\n    return torch.softmax(X, 1)\n"
           "def _indirect(X):\n    return _exp_norm(X)\n"
           "def softmax(X):\n    return _indirect(X)\n"
           "def unrelated(X):\n    return torch.softmax(X, 1)\n")
    found = forbid.scan(src, "toy.py", RULES, public={"softmax", "unrelated"})
    assert list(found) == ["softmax"] and "line 3" in found["softmax"][0]


def test_static_scan_matmul_operator_and_autograd_module():
    src = ("import torch\nfrom torch import autograd\n"
           "def matmul(A, B):\n    return A @ B\n"
           "def grad(f, x):\n    return autograd.grad(f(x), x)\n")
    found = scan(src)
    assert set(found) == {"matmul", "grad"}
    assert "@" in found["matmul"][0] and "torch.autograd" in found["grad"][0]


def _learner_module(src: str, name: str):
    return loader._exec_module(f"_kata.enginetest.{name}", src, f"/virtual/{name}.py")


def test_runtime_guard_blocks_learner_calls_but_not_graders():
    mod = _learner_module("import torch\ndef softmax(X):\n    return X.softmax(1)\n"
                          "def other(X):\n    return torch.softmax(X, 1)\n", "guard1")
    X = torch.randn(2, 3)
    with forbid.Guard(RULES):
        expected = torch.softmax(X, 1)          # the grader's oracle: allowed
        with pytest.raises(forbid.ForbiddenCall, match="Tensor.softmax"):
            mod.softmax(X)
        assert torch.allclose(mod.other(X), expected)  # not a rule for `other`


def test_runtime_guard_sees_through_modules_and_helpers():
    mod = _learner_module("import torch\nfrom torch import nn\n"
                          "def _helper(X):\n    return nn.Softmax(dim=1)(X)\n"
                          "def softmax(X):\n    return _helper(X)\n"
                          "def matmul(A, B):\n    return A @ B\n"
                          "def grad(x):\n    (x * x).sum().backward()\n    return x.grad\n", "guard2")
    with forbid.Guard(RULES):
        with pytest.raises(forbid.ForbiddenCall, match="softmax"):
            mod.softmax(torch.randn(2, 2))
        with pytest.raises(forbid.ForbiddenCall, match="matmul"):
            mod.matmul(torch.ones(2, 2), torch.ones(2, 2))
        with pytest.raises(forbid.ForbiddenCall, match="backward"):
            mod.grad(torch.ones(2, requires_grad=True))
    assert torch.equal(mod.matmul(torch.eye(2), torch.eye(2)), torch.eye(2))  # no guard, no ban


def test_every_catalogue_forbid_name_resolves():
    from grader import catalogue
    for ex in catalogue.load().exercises:
        if ex.forbid:
            rules = forbid.Rules(ex.forbid, ex.forbid_why)
            assert all(rules.by_func[f] or rules.modules.get(f) for f in rules.by_func), ex.id
            assert set(ex.forbid) <= set(ex.functions) | {f.split(".")[0] for f in ex.forbid}, ex.id


def test_every_catalogue_guard_enters_and_leaves_twice_and_restores_its_classes():
    """Every exercise's guard wraps its banned classes' constructors and puts them back, twice over (the worker
    enters its guard at every call). A pybind11 class's __init__ (torch.nn.attention.SDPBackend, banned through
    `torch.nn.attention` in papers.llama2) is an unhashable `instancemethod`: the stop of session 9 failed every
    sandboxed llama2 test on it."""
    from grader import catalogue
    seen = 0
    for ex in catalogue.load().exercises:
        if not ex.forbid:
            continue
        g = forbid.Guard(forbid.Rules(ex.forbid, ex.forbid_why))
        before = {cls: cls.__dict__.get("__init__") for cls in g.rules.banned_classes}
        for _ in range(2):
            with g:
                for cls in g.rules.banned_classes:
                    init = cls.__init__
                    assert init is object.__init__ or getattr(init, "_katas_guarded", False) or \
                        cls.__dict__.get("__init__") is before[cls], (ex.id, cls)
            assert {cls: cls.__dict__.get("__init__") for cls in g.rules.banned_classes} == before, ex.id
        seen += len(before)
    assert seen > 0


ALIASES = forbid.Rules({"softmax": ["softmax", "log_softmax", "logsumexp", "torch.nn.Softmax"],
                        "loader": ["torch.utils.data.DataLoader"]}, {})


@pytest.mark.parametrize("body", [
    "return torch._softmax(X, 1, False)",                          # a private alias: another object, same aten op
    "return torch.ops.aten._log_softmax(X, 1, False).exp()",       # the aten operator itself
    "return (X - torch._C._special.special_logsumexp(X, [1]).unsqueeze(1)).exp()",
    "return _CAPTURED(X, 1)",                                      # a reference captured at import
    "return _EXECD(X)",                                            # a helper from exec'd (base64) source
    "return getattr(importlib.import_module('torch.nn.' + 'modules.activation'), 'Soft' + 'max')(1)(X)",
])
def test_runtime_guard_recognises_what_runs_whatever_the_name(body):
    src = ("import base64, importlib, torch\n"
           "_CAPTURED = getattr(torch, 'soft' + 'max')\n"
           "exec(base64.b64decode(base64.b64encode(b'def _EXECD(X):\\n    return torch.softmax(X, 1)\\n')))\n"
           f"def softmax(X):\n    {body}\n")
    mod = _learner_module(src, f"alias{abs(hash(body)) % 10**8}")
    X = torch.randn(2, 3)
    with forbid.Guard(ALIASES):
        assert torch.allclose(torch._softmax(X, 1, False), torch.softmax(X, 1))   # graders: any oracle
        with pytest.raises(forbid.ForbiddenCall, match="is not allowed in `softmax`"):
            from grader import conventions
            conventions.graded_call("toy.py", "softmax", mod.softmax, (X,), {}, fn=mod.softmax)


def test_runtime_guard_recognises_a_banned_class_however_it_is_reached():
    mod = _learner_module("import importlib, torch\n"
                          "def loader(X):\n"
                          "    cls = getattr(importlib.import_module('torch.utils.' + 'data'), 'Data' + 'Loader')\n"
                          "    return list(cls(torch.utils.data.TensorDataset(X), batch_size=2))\n", "aliascls")
    with forbid.Guard(ALIASES):
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(3)))   # the grader may
        with pytest.raises(forbid.ForbiddenCall, match="DataLoader"):
            mod.loader(torch.ones(4, 2))
    assert torch.utils.data.DataLoader.__init__.__name__ == "__init__" and \
        not getattr(torch.utils.data.DataLoader.__init__, "_katas_guarded", False)   # restored afterwards


def test_runtime_guard_catches_a_banned_package_outside_torch_however_it_is_reached():
    """module:nltk / module:numpy.lib.stride_tricks bans are enforced at run time too: a call made by learner code
    into the package (found through importlib and split strings, or captured at import) is a forbidden call; the
    graders may call it, and a library the learner may use calling the package internally is not the learner's
    call (np.pad uses the stride-tricks module)."""
    import numpy as np
    rules = forbid.Rules({"bleu": ["module:nltk"], "windows": ["module:numpy.lib.stride_tricks"],
                          "padded": ["module:numpy.lib.stride_tricks"]}, {})
    src = ("import importlib\nimport numpy as np\n"
           "_sw = getattr(importlib.import_module('numpy.lib.' + 'stride_tricks'), 'sliding_window' + '_view')\n"
           "def bleu(p, l):\n"
           "    score = getattr(importlib.import_module('nl' + 'tk.translate.bleu_score'), 'sentence_bleu')\n"
           "    return score([l], p, weights=(1,))\n"
           "def windows(x):\n    return _sw(x, 2)\n"
           "def padded(x):\n    return np.pad(x, 1)\n")
    mod = _learner_module(src, "packages_toy")
    from grader import conventions
    from nltk.translate.bleu_score import sentence_bleu
    with forbid.Guard(rules):
        assert sentence_bleu([["a", "b"]], ["a", "b"], weights=(0.5, 0.5)) > 0.99   # the graders' oracle
        for fn, arg, match in ((mod.bleu, (["a", "b"], ["a", "b"]), "nltk.translate"),
                               (mod.windows, (np.arange(4),), "stride_tricks")):
            for _ in range(2):   # the second time too (raising from a trace hook unsets it)
                with pytest.raises(forbid.ForbiddenCall, match=match):
                    conventions.graded_call("toy.py", fn.__name__, fn, arg, {}, fn=fn)
        assert conventions.graded_call("toy.py", "padded", mod.padded, (np.arange(3),), {},
                                       fn=mod.padded).tolist() == [0, 0, 1, 2, 0]
