"""Recorded buggy variants of ch6/channels.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution (which ships ``corr2d``). "feedback" must appear in the
failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ corr2d_multi_in
    "multi_in_stacks_channels": {
        "why": "stacks the per-channel maps instead of summing them: (ci, oh, ow)",
        "feedback": "instead of stacking",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
                    raise ValueError("shapes")
                return torch.stack([corr2d(x, k) for x, k in zip(X, K)], 0)
        ''',
    },
    "multi_in_zip_truncates": {
        "why": "the book's code as it is: zip stops at the shorter of X and K, no ValueError",
        "feedback": "zip(X, K) stops at the shorter",
        "source": '''
            def corr2d_multi_in(X, K):
                return sum(corr2d(x, k) for x, k in zip(X, K))
        ''',
    },
    "multi_in_mean": {
        "why": "averages the channels instead of summing them",
        "feedback": "mean over the channels",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
                    raise ValueError("shapes")
                return torch.stack([corr2d(x, k) for x, k in zip(X, K)], 0).mean(0)
        ''',
    },
    "multi_in_off_by_one": {
        "why": "range(len(X) - 1): the last channel is never added",
        "feedback": "every input channel c contributes",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
                    raise ValueError("shapes")
                Y = corr2d(X[0], K[0])
                for c in range(1, len(X) - 1):
                    Y = Y + corr2d(X[c], K[c])
                return Y
        ''',
    },
    "multi_in_cpu_float32_accumulator": {
        "why": "Y = torch.zeros(oh, ow); Y += ...: float32 on the CPU whatever X is",
        "feedback": "X.new_zeros",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
                    raise ValueError("shapes")
                Y = torch.zeros(X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1)
                for x, k in zip(X, K):
                    Y += corr2d(x, k)
                return Y
        ''',
    },
    "multi_in_flipped_kernel": {
        "why": "a true convolution: the kernel flipped (the textbook-signal-processing definition)",
        "feedback": "cross-correlation",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
                    raise ValueError("shapes")
                return sum(corr2d(x, k.flip(0, 1)) for x, k in zip(X, K))
        ''',
    },
    "multi_in_uses_conv2d": {
        "why": "the forbidden shortcut F.conv2d",
        "feedback": "not allowed",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
                    raise ValueError("shapes")
                return torch.nn.functional.conv2d(X[None], K[None])[0, 0]
        ''',
    },
    # ------------------------------------------------------------------ corr2d_multi_in_out
    "multi_in_out_cat": {
        "why": "torch.cat instead of torch.stack: (co·oh, ow)",
        "feedback": "torch.cat",
        "source": '''
            def corr2d_multi_in_out(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                return torch.cat([corr2d_multi_in(X, k) for k in K], 0)
        ''',
    },
    "multi_in_out_channels_last": {
        "why": "stacks along the last dim: (oh, ow, co)",
        "feedback": "stack along dim 0",
        "source": '''
            def corr2d_multi_in_out(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                return torch.stack([corr2d_multi_in(X, k) for k in K], -1)
        ''',
    },
    "multi_in_out_layout_ci_co": {
        "why": "reads K as (ci, co, kh, kw): iterates over K.transpose(0, 1)",
        "feedback": "PyTorch's layout",
        "source": '''
            def corr2d_multi_in_out(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                return torch.stack([corr2d_multi_in(X, k) for k in K.transpose(0, 1)], 0)
        ''',
    },
    "multi_in_out_book_zip": {
        "why": "the book's two functions as they are: K.shape[1] ≠ X.shape[0] is never noticed",
        "feedback": "zip(X, K) stops at the shorter",
        "source": '''
            def corr2d_multi_in(X, K):
                if X.dim() != 3 or K.dim() != 3:
                    raise ValueError("shapes")
                return sum(corr2d(x, k) for x, k in zip(X, K))

            def corr2d_multi_in_out(X, K):
                return torch.stack([corr2d_multi_in(X, k) for k in K], 0)
        ''',
    },
    "multi_in_out_rebuilt_from_lists": {
        "why": "torch.tensor([... .tolist()]): float32 on the CPU and cut from the autograd graph",
        "feedback": "no gradient reached",
        "source": '''
            def corr2d_multi_in_out(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                return torch.tensor([corr2d_multi_in(X, k).tolist() for k in K])
        ''',
    },
    # ------------------------------------------------------------------ conv1x1_as_matmul
    "conv1x1_pixels_first": {
        "why": "X.reshape(h * w, ci).T: shapes fit, channels and pixels mixed",
        "feedback": "pixels-first",
        "source": '''
            def conv1x1_as_matmul(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[2:] != (1, 1) or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                c_i, h, w = X.shape
                c_o = K.shape[0]
                Y = K.reshape(c_o, c_i) @ X.reshape(h * w, c_i).T
                return Y.reshape(c_o, h, w)
        ''',
    },
    "conv1x1_output_scrambled": {
        "why": "X2ᵀ @ K2ᵀ is (h·w, co), reshaped straight to (co, h, w)",
        "feedback": "scrambles the values",
        "source": '''
            def conv1x1_as_matmul(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[2:] != (1, 1) or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                c_i, h, w = X.shape
                c_o = K.shape[0]
                Y = X.reshape(c_i, h * w).T @ K.reshape(c_o, c_i).T
                return Y.reshape(c_o, h, w)
        ''',
    },
    "conv1x1_kernel_transposed": {
        "why": "K.reshape(ci, co).T: the right shape, the wrong weights",
        "feedback": "pairs the wrong weights",
        "source": '''
            def conv1x1_as_matmul(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[2:] != (1, 1) or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                c_i, h, w = X.shape
                c_o = K.shape[0]
                Y = K.reshape(c_i, c_o).T @ X.reshape(c_i, h * w)
                return Y.reshape(c_o, h, w)
        ''',
    },
    "conv1x1_no_kernel_check": {
        "why": "K[:, :, 0, 0] without checking the kernel is 1×1: a 3×3 kernel is silently cut",
        "feedback": "ignore the rest",
        "source": '''
            def conv1x1_as_matmul(X, K):
                c_i, h, w = X.shape
                c_o = K.shape[0]
                if K.shape[1] != c_i:
                    raise ValueError("channels")
                Y = K[:, :, 0, 0] @ X.reshape(c_i, h * w)
                return Y.reshape(c_o, h, w)
        ''',
    },
    "conv1x1_uses_conv2d": {
        "why": "the forbidden shortcut F.conv2d",
        "feedback": "not allowed",
        "source": '''
            def conv1x1_as_matmul(X, K):
                if X.dim() != 3 or K.dim() != 4 or K.shape[2:] != (1, 1) or K.shape[1] != X.shape[0]:
                    raise ValueError("shapes")
                return torch.nn.functional.conv2d(X[None], K)[0]
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §6.2 / §6.4 as printed (PyTorch tab), adapted only where the Clarifications differ: corr2d allocates with
    # X's dtype and device, and the shapes are checked (the book's zip truncates silently).
    "d2l_book_code": '''
        def corr2d(X, K):  #@save
            """计算二维互相关运算"""
            if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                raise ValueError("corr2d: shapes")
            h, w = K.shape
            Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    Y[i, j] = (X[i: i + h, j: j + w] * K).sum()
            return Y

        def corr2d_multi_in(X, K):
            if X.dim() != 3 or K.dim() != 3 or len(X) != len(K):
                raise ValueError(f"{tuple(X.shape)} vs {tuple(K.shape)}")
            # 先遍历“X”和“K”的第0个维度（通道维度），再把它们加在一起
            return sum(corr2d(x, k) for x, k in zip(X, K))

        def corr2d_multi_in_out(X, K):
            if K.dim() != 4 or X.dim() != 3 or K.shape[1] != X.shape[0]:
                raise ValueError(f"{tuple(X.shape)} vs {tuple(K.shape)}")
            # 迭代“K”的第0个维度，每次都对输入“X”执行互相关运算。
            # 最后将所有结果都叠加在一起
            return torch.stack([corr2d_multi_in(X, k) for k in K], 0)

        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            c_o = K.shape[0]
            X = X.reshape((c_i, h * w))
            K = K.reshape((c_o, c_i))
            # 全连接层中的矩阵乘法
            Y = torch.matmul(K, X)
            return Y.reshape((c_o, h, w))

        def conv1x1_as_matmul(X, K):
            if X.dim() != 3 or K.dim() != 4 or tuple(K.shape[2:]) != (1, 1) or K.shape[1] != X.shape[0]:
                raise ValueError(f"{tuple(X.shape)} vs {tuple(K.shape)}")
            return corr2d_multi_in_out_1x1(X, K)
    ''',
    # windows by as_strided, contractions by einsum (one call per function, no Python loop over channels)
    "as_strided_einsum": '''
        def _windows(X, kh, kw):
            ci, h, w = X.shape
            oh, ow = h - kh + 1, w - kw + 1
            s0, s1, s2 = X.stride()
            return X.as_strided((ci, oh, ow, kh, kw), (s0, s1, s2, s1, s2), X.storage_offset())

        def _check(X, K, kdim):
            if X.dim() != 3 or K.dim() != kdim:
                raise ValueError("wrong rank")
            if K.shape[-3] != X.shape[0]:
                raise ValueError("channel mismatch")
            if K.shape[-2] > X.shape[1] or K.shape[-1] > X.shape[2]:
                raise ValueError("kernel does not fit")

        def corr2d_multi_in(X, K):
            _check(X, K, 3)
            return torch.einsum("chwab,cab->hw", _windows(X, K.shape[1], K.shape[2]), K)

        def corr2d_multi_in_out(X, K):
            _check(X, K, 4)
            return torch.einsum("chwab,ocab->ohw", _windows(X, K.shape[2], K.shape[3]), K)

        def conv1x1_as_matmul(X, K):
            _check(X, K, 4)
            if K.shape[2] != 1 or K.shape[3] != 1:
                raise ValueError("not a 1x1 kernel")
            c_i, h, w = X.shape
            return torch.einsum("oc,cp->op", K.flatten(1), X.flatten(1)).unflatten(1, (h, w))
    ''',
    # float64 accumulation cast back at the end; loops over output channels; tensordot for the 1×1 case
    "float64_internal_loops": '''
        def corr2d_multi_in(X, K):
            if X.dim() != 3 or K.dim() != 3:
                raise ValueError("X and K must be 3-D")
            if X.shape[0] != K.shape[0]:
                raise ValueError("channel counts differ")
            Xd, Kd = X.double(), K.double()
            Y = corr2d(Xd[0], Kd[0])
            for c in range(1, X.shape[0]):
                Y = Y + corr2d(Xd[c], Kd[c])
            return Y.to(X.dtype)

        def corr2d_multi_in_out(X, K):
            if K.dim() != 4 or X.dim() != 3 or K.shape[1] != X.shape[0]:
                raise ValueError("K must be (co, X.shape[0], kh, kw)")
            outs = []
            for o in range(K.shape[0]):
                outs.append(corr2d_multi_in(X, K[o]))
            return torch.stack(outs)

        def conv1x1_as_matmul(X, K):
            if K.dim() != 4 or X.dim() != 3 or K.shape[-2:] != torch.Size([1, 1]) or K.shape[1] != X.shape[0]:
                raise ValueError("K must be (co, X.shape[0], 1, 1)")
            c_o = K.shape[0]
            Y = torch.tensordot(K.double().squeeze(-1).squeeze(-1), X.double(), dims=([1], [0]))   # (co, h, w)
            return Y.to(X.dtype).reshape(c_o, X.shape[1], X.shape[2])
    ''',
}
