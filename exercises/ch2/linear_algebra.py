# Generated from solutions/ch2/linear_algebra.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Matrix product and norms from scratch · 从零实现矩阵乘法与范数

d2l-zh §2.3 (线性代数). The notes: "理论基础:求导、反向传播、梯度下降、线性代数(矩阵运算那些)".

"矩阵运算那些" — the matrix operations everything else in the course is made of. Here you write the matrix product
from its definition with nothing but broadcasting and ``sum``, check the shapes the way ``torch.matmul`` does, and
compute the three norms of §2.3.10 from their definitions. The graders compare with ``A @ B`` and ``torch.linalg``
and check the algebra: (AB)C = A(BC), (AB)ᵀ = BᵀAᵀ, the triangle inequality, homogeneity and ‖A‖_F² = trace(AᵀA).
"""
import torch


def matmul(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """The matrix product C = AB, written from its definition::

        C[i, j] = Σ_k A[i, k] · B[k, j]

    Args:
        A: tensor of shape (m, k).
        B: tensor of shape (k, n), same dtype as A.

    Returns:
        C of shape (m, n), in the inputs' dtype and on their device. Equal to ``A @ B`` up to rounding (the order
        of the additions may differ from the library's, so the last bits may too).

    Raises:
        ValueError: unless both A and B are 2-D and A.shape[1] == B.shape[0]. The message must contain both
            shapes, e.g. "matmul: cannot multiply (2, 3) by (4, 5)", so that the mistake can be found.
            (1-D vectors are *not* accepted: reshape them to (1, k) or (k, 1) first.)

    Allowed: elementwise products, broadcasting, indexing, ``sum``, Python loops.
    Forbidden: the ``@`` operator and ``torch.matmul``/``mm``/``bmm``/``mv``/``einsum``/``tensordot``/``dot``/
    ``inner``/``addmm``/``F.linear`` and friends — the point is to build the product yourself.
    """
    raise NotImplementedError("KATA-STUB ch2.linear_algebra.matmul: not implemented yet - replace this line with your code")


def frobenius_norm(A: torch.Tensor) -> torch.Tensor:
    """The Frobenius norm ‖A‖_F = sqrt(Σ_ij A_ij²) (d2l-zh §2.3.10).

    Args:
        A: a floating-point tensor of any shape (usually (m, n)); every element counts.

    Returns:
        a 0-d tensor (shape ()) in A's dtype. 0 for an all-zero A.

    Forbidden: ``torch.linalg.*`` and ``torch.norm`` / ``Tensor.norm`` — compute it from the definition.
    """
    raise NotImplementedError("KATA-STUB ch2.linear_algebra.frobenius_norm: not implemented yet - replace this line with your code")


def l1_norm(x: torch.Tensor) -> torch.Tensor:
    """The L1 norm ‖x‖₁ = Σ_i |x_i| (d2l-zh §2.3.10).

    Args:
        x: a floating-point tensor, usually a vector (n,); for any shape, every element counts.

    Returns:
        a 0-d tensor in x's dtype.

    Forbidden: ``torch.linalg.*`` and ``torch.norm`` / ``Tensor.norm``.
    """
    raise NotImplementedError("KATA-STUB ch2.linear_algebra.l1_norm: not implemented yet - replace this line with your code")


def l2_norm(x: torch.Tensor) -> torch.Tensor:
    """The L2 (Euclidean) norm ‖x‖₂ = sqrt(Σ_i x_i²) (d2l-zh §2.3.10).

    Args:
        x: a floating-point tensor, usually a vector (n,); for any shape, every element counts.

    Returns:
        a 0-d tensor in x's dtype (not the squared norm: take the square root).

    Forbidden: ``torch.linalg.*`` and ``torch.norm`` / ``Tensor.norm``.
    """
    raise NotImplementedError("KATA-STUB ch2.linear_algebra.l2_norm: not implemented yet - replace this line with your code")
