"""Recorded buggy variants of ch2/linear_algebra.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    "uses_at_operator": {
        "why": "uses the @ operator the exercise asks to replace",
        "feedback": "not allowed",
        "source": '''
            def matmul(A, B):
                if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
                    raise ValueError(f"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}")
                return A @ B
        ''',
    },
    "uses_einsum": {
        "why": "torch.einsum('ik,kj->ij') is a library matrix product",
        "feedback": "einsum",
        "source": '''
            def matmul(A, B):
                if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
                    raise ValueError(f"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}")
                return torch.einsum("ik,kj->ij", A, B)
        ''',
    },
    "elementwise_product": {
        "why": "A * B (the Hadamard product, d2l §2.3.6) mistaken for the matrix product",
        "feedback": "elementwise",
        "source": '''
            def matmul(A, B):
                if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
                    raise ValueError(f"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}")
                return A * B
        ''',
    },
    "pairs_with_B_transposed": {
        "why": "sums A[i, k]·B[j, k]: computes A·Bᵀ (runs whenever B is square)",
        "feedback": "A·Bᵀ",
        "source": '''
            def matmul(A, B):
                if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
                    raise ValueError(f"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}")
                return (A[:, None, :] * B[None, :, :]).sum(dim=2)
        ''',
    },
    "no_shape_check": {
        "why": "no check: a mismatch surfaces as broadcasting's RuntimeError, 1-D inputs as IndexError",
        "feedback": "ValueError",
        "source": '''
            def matmul(A, B):
                return (A[:, :, None] * B[None, :, :]).sum(dim=1)
        ''',
    },
    "message_without_shapes": {
        "why": "raises ValueError('shapes do not match') without saying which",
        "feedback": "names the shape",
        "source": '''
            def matmul(A, B):
                if A.dim() != 2 or B.dim() != 2 or A.shape[1] != B.shape[0]:
                    raise ValueError("matmul: the shapes do not match")
                return (A[:, :, None] * B[None, :, :]).sum(dim=1)
        ''',
    },
    "accepts_vectors": {
        "why": "checks only the inner dimension and promotes 1-D inputs like torch.matmul (the kata is 2-D only)",
        "feedback": "2-D",
        "source": '''
            def matmul(A, B):
                if A.shape[-1] != B.shape[0]:
                    raise ValueError(f"cannot multiply {tuple(A.shape)} by {tuple(B.shape)}")
                A2 = A.reshape(1, -1) if A.dim() == 1 else A
                B2 = B.reshape(-1, 1) if B.dim() == 1 else B
                return (A2[:, :, None] * B2[None, :, :]).sum(dim=1)
        ''',
    },
    "l2_squared": {
        "why": "forgets the square root: returns Σx²",
        "feedback": "square root",
        "source": '''
            def l2_norm(x):
                return (x * x).sum()
        ''',
    },
    "l1_without_abs": {
        "why": "Σxᵢ instead of Σ|xᵢ|",
        "feedback": "absolute",
        "source": '''
            def l1_norm(x):
                return x.sum()
        ''',
    },
    "l1_is_max_abs": {
        "why": "confuses the L1 norm with the ∞-norm max|xᵢ|",
        "feedback": "∞-norm",
        "source": '''
            def l1_norm(x):
                return x.abs().max()
        ''',
    },
    "frobenius_per_row": {
        "why": "sums over one dimension only: returns a vector of row norms",
        "feedback": "0-d",
        "source": '''
            def frobenius_norm(A):
                return torch.sqrt((A * A).sum(dim=1))
        ''',
    },
    "frobenius_squared": {
        "why": "returns ‖A‖_F² = Σ A_ij² (the trace identity's left side) instead of ‖A‖_F",
        "feedback": "squared norm",
        "source": '''
            def frobenius_norm(A):
                return (A ** 2).sum()
        ''',
    },
    "returns_python_float": {
        "why": ".item() at the end: a Python float instead of a 0-d tensor",
        "feedback": "0-d tensor",
        "source": '''
            def l2_norm(x):
                return torch.sqrt((x * x).sum()).item()
        ''',
    },
    "l2_uses_torch_norm": {
        "why": "calls torch.norm (d2l's own §2.3.10 code), which this kata asks to write",
        "feedback": "not allowed",
        "source": '''
            def l2_norm(x):
                return torch.norm(x)
        ''',
    },
    "frobenius_uses_linalg": {
        "why": "calls torch.linalg.matrix_norm",
        "feedback": "torch.linalg",
        "source": '''
            def frobenius_norm(A):
                return torch.linalg.matrix_norm(A)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "loops_and_pow": '''
        def matmul(A, B):
            if A.ndim != 2 or B.ndim != 2:
                raise ValueError(f"matmul needs 2-D tensors, got {list(A.shape)} and {list(B.shape)}")
            m, k = A.shape
            k2, n = B.shape
            if k != k2:
                raise ValueError(f"inner dimensions differ: A is {m}x{k}, B is {k2}x{n}")
            C = torch.zeros(m, n, dtype=A.dtype, device=A.device)
            for i in range(m):
                for j in range(n):
                    C[i, j] = (A[i, :] * B[:, j]).sum()
            return C

        def frobenius_norm(A):
            return torch.sum(A ** 2) ** 0.5

        def l1_norm(x):
            return torch.abs(x).sum()   # d2l §2.3.10

        def l2_norm(x):
            return torch.sqrt(torch.sum(x ** 2))
    ''',
    "outer_products_float64": '''
        def matmul(A, B):
            if len(A.shape) != 2 or len(B.shape) != 2 or A.shape[1] != B.shape[0]:
                raise ValueError("shape mismatch: " + str(A.shape) + " vs " + str(B.shape))
            C = torch.zeros(A.shape[0], B.shape[1], dtype=torch.float64, device=A.device)
            for k in range(A.shape[1]):          # C = Σ_k (column k of A) ⊗ (row k of B)
                C += A[:, k:k + 1].double() * B[k:k + 1, :].double()
            return C.to(A.dtype)

        def frobenius_norm(A):
            return l2_norm(A.flatten())

        def l1_norm(x):
            return x.double().abs().sum().to(x.dtype)

        def l2_norm(x):
            m = x.abs().max()                   # scaled, LAPACK-style: no overflow for huge entries
            if m == 0:
                return m
            return m * torch.sqrt(((x / m) ** 2).sum())
    ''',
    "row_by_row_sum_transposed": '''
        def matmul(A, B):
            if A.dim() != 2 or B.dim() != 2 or A.size(1) != B.size(0):
                raise ValueError(f"{A.shape} @ {B.shape}")
            return torch.stack([(a[:, None] * B).sum(0) for a in A])  # row i: Σ_k A[i, k]·B[k, :]

        def frobenius_norm(A):
            return torch.sqrt(torch.trace(matmul(A.T, A)))           # ‖A‖_F² = trace(AᵀA)
    ''',
}
