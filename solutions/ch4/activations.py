"""Activation functions and their derivatives · 激活函数及其导数

d2l-zh §4.1.2 (激活函数). The notes ("激活函数:避免多层感知机退化成线性回归") and the notes
("多层感知机,引入了激活函数,解决了多层网络还是线性神经网络的问题。常见的激活函数: RELU, sigmoid, tanh").

Without a nonlinearity between them, two affine layers collapse into one: the activation is what makes an
MLP more than linear regression. This kata writes the book's activations — ReLU, its parametric cousin pReLU, the
sigmoid and tanh — and their derivatives by hand, so that backpropagation holds no mystery. Two details matter in
practice: the textbook formulas overflow for large inputs (e^x is inf in float32 once x > 88.7), and ReLU has no
derivative at 0, where PyTorch (and this kata) uses the subgradient 0.

Conventions for every function here: the input ``x`` is a float tensor of any shape (0-d included); the result
has the **same shape and dtype** as ``x`` (float64 in, float64 out, computed in that precision), is finite for
every finite input (|x| = 10⁴ included), and ``x`` itself is never modified.
"""
import torch


def relu(x: torch.Tensor) -> torch.Tensor:
    """The rectified linear unit (d2l §4.1.2.1)::

        relu(x) = max(x, 0)            # elementwise

    Forbidden: ``torch.relu``, ``F.relu``, ``Tensor.relu``/``relu_``, ``nn.ReLU`` and the look-alikes ``relu6``,
    ``hardtanh``, ``leaky_relu``, ``threshold`` — write it from the definition (``torch.clamp``, ``torch.where``,
    ``torch.maximum`` or a mask are all fine).
    """
    ### BEGIN SOLUTION
    return torch.where(x > 0, x, torch.zeros_like(x))
    ### END SOLUTION


def prelu(x: torch.Tensor, a: float) -> torch.Tensor:
    """The parametric ReLU (d2l §4.1.2.1, He et al. 2015)::

        prelu(x, a) = max(0, x) + a · min(0, x)      # x where x > 0, a·x elsewhere

    ``a`` is a Python float, any real number: a = 0 gives ReLU, a = 1 the identity, 0 < a < 1 the "leaky" ReLU.
    (``max(x, a·x)`` is the same function only when a ≤ 1: don't rely on it.)

    Forbidden: ``F.prelu``, ``nn.PReLU``, ``leaky_relu`` and the library ``relu`` (your own ``relu`` is fine).
    """
    ### BEGIN SOLUTION
    return torch.where(x > 0, x, a * x)
    ### END SOLUTION


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """The logistic sigmoid (d2l §4.1.2.2)::

        sigmoid(x) = 1 / (1 + e^(−x))              # in (0, 1); sigmoid(−x) = 1 − sigmoid(x)

    Numerically stable: e^(−x) overflows to inf for x < −88.7 in float32, which is harmless here (1/inf = 0), but
    the equivalent e^x / (1 + e^x) gives inf/inf = NaN for x > 88.7. Any form that never divides inf by inf is fine,
    e.g. with z = e^(−|x|) ≤ 1: 1/(1 + z) where x ≥ 0 and z/(1 + z) where x < 0.

    Forbidden: ``torch.sigmoid``, ``Tensor.sigmoid``, ``F.sigmoid``, ``nn.Sigmoid``, ``torch.special.expit``,
    ``logsigmoid``, ``silu``, ``softplus``, ``softmax`` and the library ``tanh``.
    """
    ### BEGIN SOLUTION
    z = torch.exp(-x.abs())                     # in (0, 1]: never overflows
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
    ### END SOLUTION


def tanh(x: torch.Tensor) -> torch.Tensor:
    """The hyperbolic tangent (d2l §4.1.2.3)::

        tanh(x) = (1 − e^(−2x)) / (1 + e^(−2x)) = 2·sigmoid(2x) − 1      # in (−1, 1), odd: tanh(−x) = −tanh(x)

    Finite for |x| ≤ 10⁴: (e^x − e^(−x)) / (e^x + e^(−x)) is inf/inf = NaN there. Using your own ``sigmoid`` is fine.

    Forbidden: ``torch.tanh``, ``Tensor.tanh``, ``F.tanh``, ``nn.Tanh`` and the library sigmoid
    (``torch.sigmoid``, ``torch.special.expit``).
    """
    ### BEGIN SOLUTION
    e = torch.expm1(-2 * x.abs())               # e^(−2|x|) − 1, in (−1, 0]: accurate near 0, never overflows
    t = -e / (2 + e)                            # tanh(|x|)
    return torch.where(x >= 0, t, -t)
    ### END SOLUTION


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """The derivative of ReLU::

        relu'(x) = 1 if x > 0 else 0

    ReLU has no derivative at 0 (the slopes from the left and the right differ); we use the subgradient 0 there,
    as PyTorch's autograd does. Returned in x's dtype (not bool): a 0/1 float mask.

    Forbidden: the library ``relu`` and autograd (``backward``, ``torch.autograd``): derive it by hand.
    """
    ### BEGIN SOLUTION
    return (x > 0).to(x.dtype)
    ### END SOLUTION


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """The derivative of the sigmoid::

        sigmoid'(x) = sigmoid(x) · (1 − sigmoid(x))          # at most 1/4, at x = 0

    Forbidden: the library sigmoid (use yours) and autograd.
    """
    ### BEGIN SOLUTION
    s = sigmoid(x)
    return s * (1 - s)
    ### END SOLUTION


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """The derivative of tanh::

        tanh'(x) = 1 − tanh(x)²                              # at most 1, at x = 0

    Forbidden: the library tanh (use yours) and autograd.
    """
    ### BEGIN SOLUTION
    t = tanh(x)
    return 1 - t * t
    ### END SOLUTION
