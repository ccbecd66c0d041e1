"""Garbage that satisfies the properties: a zero matrix satisfies (AB)ᵀ = BᵀAᵀ and associativity; the error message
"contains" every number; max|x| and Σ|x|/2 are norms (triangle inequality, homogeneity) but not the asked ones."""


def matmul(A, B):
    if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(" ".join(str(i) for i in range(64)))
    return torch.zeros(A.shape[0], B.shape[1], dtype=A.dtype)


def frobenius_norm(A):
    return A.abs().max()


def l1_norm(x):
    return x.abs().max()


def l2_norm(x):
    return x.abs().sum() / 2
