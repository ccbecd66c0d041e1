"""grader.runtime.guard.defer_dynamo: the first meta op and an optimiser step no longer import torch._dynamo
(about 1.5 s of CPU per process), and whatever really needs torch._dynamo still gets the real one."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import sys, torch
from grader.runtime import guard
guard.warm_meta()
assert type(sys.modules["torch._dynamo"]).__name__ == "_DeferredDynamo", "warm_meta imported torch._dynamo"
p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
opt = torch.optim.Adam([p], lr=0.1)
(p ** 2).sum().backward()
opt.step()
assert type(sys.modules["torch._dynamo"]).__name__ == "_DeferredDynamo", "an optimiser step imported torch._dynamo"
assert torch.allclose(p.detach(), torch.tensor([0.9, -1.9]), atol=1e-6), p
from hypothesis.internal.conjecture import providers   # hypothesis reads every new module's __file__
providers._get_local_constants()
assert getattr(torch._dynamo, "__wrapped__", None) is None and torch._dynamo.__file__.endswith("__init__.py")
assert type(sys.modules["torch._dynamo"]).__name__ == "_DeferredDynamo", "a scan of sys.modules imported it"
cfg = torch._dynamo.config          # any other name: the real package, from then on
assert type(sys.modules["torch._dynamo"]).__name__ == "module"
import torch._dynamo.utils           # submodules import
assert sys.modules["torch._dynamo"] is torch._dynamo
print("ok")
"""


def test_meta_ops_and_optimisers_do_not_import_dynamo_and_the_real_one_still_loads():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr
