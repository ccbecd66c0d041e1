"""Parameter initialisation from scratch · 参数初始化的从零开始实现

d2l-zh §5.2 (参数管理: 参数初始化) and §4.8.2 (参数初始化: Xavier). The notes ("参数初始化 … 解决梯度消失,
梯度爆炸,打破对称性"), the notes (the learner's list of ``torch.nn.init`` functions: ``uniform_``, ``normal_``,
``constant_``, ``xavier_uniform_``, ``xavier_normal_``), the notes (``print(dir(torch.nn.init))``) and the notes
(``net[0].weight.data.normal_(0, 0.01)``, ``net[0].bias.data.fill_(0)``).

The notes copy the list of ``torch.nn.init`` functions; this kata rebuilds them, so that the numbers behind them
(fan-in, fan-out, the receptive field of a convolution, the √6 of a uniform Xavier bound) stop being magic.
Beware the notes: it writes ``N(mean, std)``. In ``normal_(t, mean, std)`` the argument **is a standard deviation**
(``N(0, 0.01)`` in the notes means σ = 0.01, variance 1e-4), whatever the usual N(μ, σ²) notation suggests.

Rules for every function here (as ``torch.nn.init``):

* **In place, and return the same tensor**: ``out = xavier_uniform_(t)`` fills ``t`` and ``out is t``. Shape and
  dtype of ``t`` stay as they are.
* ``t`` may be a parameter that requires grad (``net[0].weight``): fill it under ``torch.no_grad()`` (an in-place
  change of a leaf that requires grad is an autograd error otherwise), and leave ``requires_grad`` on.
* Random functions draw **every** number from ``generator`` (``Tensor.uniform_(a, b, generator=generator)``,
  ``torch.rand(..., generator=generator)``): two calls with identically seeded generators fill identical values.
  With ``generator=None`` they use the global RNG.

Forbidden: ``torch.nn.init.*`` (including its private helpers). ``Tensor.uniform_`` / ``Tensor.normal_`` /
``Tensor.fill_``, ``torch.rand`` / ``torch.randn`` with the generator are fine.
"""
import math

import torch
from torch import nn


def uniform_(t: torch.Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None
             ) -> torch.Tensor:
    """Fill ``t`` in place with draws from U(a, b) (``a < b``) and return ``t``.

    Mean (a + b)/2, variance (b − a)²/12. Every draw comes from ``generator``.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        t.uniform_(a, b, generator=generator)
    return t
    ### END SOLUTION


def normal_(t: torch.Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None
            ) -> torch.Tensor:
    """Fill ``t`` in place with draws from a normal distribution of mean ``mean`` and **standard deviation**
    ``std`` (variance std²), and return ``t``.

    the notes writes N(mean, std): the second parameter is σ, not σ². ``normal_(w, 0, 0.01)`` gives weights of
    typical size 0.01. Every draw comes from ``generator``.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        t.normal_(mean, std, generator=generator)
    return t
    ### END SOLUTION


def constant_(t: torch.Tensor, val: float) -> torch.Tensor:
    """Fill ``t`` in place with the number ``val`` and return ``t`` (``constant_(b, 0)`` zeroes a bias)."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        t.fill_(val)
    return t
    ### END SOLUTION


def fan_in_and_fan_out(t: torch.Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight tensor, as Python ints.

    PyTorch lays weights out as (out, in, *kernel): ``nn.Linear(in, out).weight`` has shape (out, in),
    ``nn.Conv2d(in, out, k).weight`` has shape (out, in, k, k). Each input unit of a convolution feeds
    ``in · k · k`` products per output, so the kernel's size (the **receptive field**) multiplies both fans::

        receptive = t.shape[2] · t.shape[3] · …        (1 for a 2-D tensor)
        fan_in    = t.shape[1] · receptive
        fan_out   = t.shape[0] · receptive

    ``nn.Conv2d(6, 16, 5).weight`` (16, 6, 5, 5): fan_in = 6·25 = 150, fan_out = 16·25 = 400.
    ``nn.Linear(3, 7).weight`` (7, 3): fan_in = 3, fan_out = 7.

    Raises:
        ValueError: for a tensor with fewer than 2 dimensions (a bias has no fan-out).
    """
    ### BEGIN SOLUTION
    if t.dim() < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {tuple(t.shape)}")
    receptive = math.prod(t.shape[2:])
    return t.shape[1] * receptive, t.shape[0] * receptive
    ### END SOLUTION


def xavier_uniform_(t: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None
                    ) -> torch.Tensor:
    """Xavier (Glorot) uniform initialisation, in place; returns ``t``.

    Xavier keeps the variance of activations (forward) and of gradients (backward) alike by choosing
    Var(w) = 2·gain² / (fan_in + fan_out), the compromise between 1/fan_in and 1/fan_out (d2l §4.8.2).
    U(−a, a) has variance a²/3, hence::

        a = gain · √(6 / (fan_in + fan_out))        w ~ U(−a, a)

    The fans come from :func:`fan_in_and_fan_out` (receptive field included). ``gain`` scales for the
    activation (1 for sigmoid/identity, √2 for ReLU, 5/3 for tanh).
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = fan_in_and_fan_out(t)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -a, a, generator=generator)
    ### END SOLUTION


def xavier_normal_(t: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None
                   ) -> torch.Tensor:
    """Xavier (Glorot) normal initialisation, in place; returns ``t``::

        std = gain · √(2 / (fan_in + fan_out))        w ~ N(0, std²)

    (the same variance as :func:`xavier_uniform_`, from a normal distribution).
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = fan_in_and_fan_out(t)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(t, 0.0, std, generator=generator)
    ### END SOLUTION


def kaiming_normal_(t: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """He (Kaiming) normal initialisation for ReLU layers, in place; returns ``t``::

        std = √(2 / fan_in)        w ~ N(0, std²)

    (``torch.nn.init.kaiming_normal_``'s defaults: mode "fan_in", nonlinearity "relu", whose gain is √2:
    ReLU zeroes half of its inputs, which halves the variance that Var(w) = 1/fan_in would preserve).
    """
    ### BEGIN SOLUTION
    fan_in, _ = fan_in_and_fan_out(t)
    return normal_(t, 0.0, math.sqrt(2.0 / fan_in), generator=generator)
    ### END SOLUTION


def init_weights(m: nn.Module, generator: torch.Generator | None = None) -> None:
    """Initialise one module, for ``net.apply(init_weights)`` (d2l §5.2, the notes done for every layer).

    * ``nn.Linear``, ``nn.Conv1d``, ``nn.Conv2d``, ``nn.Conv3d``: the weight by :func:`xavier_uniform_` (gain 1),
      the bias (when there is one: ``bias=False`` leaves it ``None``) set to 0.
    * Every other module is left exactly as it is (``nn.BatchNorm2d``'s weight stays 1, an ``nn.Embedding``
      keeps its values, containers do nothing: ``net.apply`` visits their children itself).

    ``generator`` is passed on to every draw; with ``net.apply`` use
    ``net.apply(functools.partial(init_weights, generator=g))`` for reproducible weights.
    """
    ### BEGIN SOLUTION
    if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        xavier_uniform_(m.weight, generator=generator)
        if m.bias is not None:
            constant_(m.bias, 0.0)
    ### END SOLUTION
