"""Answers with the right shapes, dtypes and devices that satisfy linearity-like properties without computing a
cross-correlation: the kernel's sum times the top-left window, a size formula without the stride, a layer whose
parameters are right but whose forward ignores the kernel's layout, and a learnt kernel that is the target's mean."""


def corr2d(X, K):
    if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"corr2d: shapes {tuple(X.shape)} and {tuple(K.shape)} do not fit")
    oh, ow = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    return X[:oh, :ow] * K.sum()          # linear in X and in K, zero for a zero kernel, right shape


def conv_output_shape(n, k, p=0, s=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    paired = not all(isinstance(v, int) for v in (n, k, p, s))
    out = []
    for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
        if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
            raise ValueError(f"bad arguments n={n}, k={k}, p={p}, s={s}")
        out.append(n_ + 2 * p_ - k_ + 1)
    return tuple(out) if paired else out[0]


class Conv2D(torch.nn.Module):
    def __init__(self, kernel_size, generator=None):
        super().__init__()
        k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
        self.weight = torch.nn.Parameter(torch.rand(k, generator=generator))
        self.bias = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
    k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    K = torch.rand(k, generator=generator).to(device=X.device, dtype=X.dtype)
    losses = [float(((Y - Y.mean()) ** 2).sum()) / (e + 1) for e in range(num_epochs)]   # decreasing, made up
    return (K * 0 + Y.mean()).detach(), losses
