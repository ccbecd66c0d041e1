"""Constant answers of the right shape and dtype."""


def matmul(A, B):
    if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}")
    return torch.ones(A.shape[0], B.shape[1], dtype=A.dtype)


def frobenius_norm(A):
    return torch.tensor(1.0, dtype=A.dtype)


def l1_norm(x):
    return torch.tensor(1.0, dtype=x.dtype)


def l2_norm(x):
    return torch.tensor(1.0, dtype=x.dtype)
