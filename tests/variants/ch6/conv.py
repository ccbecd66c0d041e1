"""Recorded buggy variants of ch6/conv.py: each must be rejected by at least one grader, with its feedback.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ corr2d
    "flipped_kernel": {
        "why": "true convolution: the kernel rotated by 180° (the mathematician's convolution)",
        "feedback": "flipped",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                Kf = K.flip(0, 1)
                h, w = Kf.shape
                Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * Kf).sum()
                return Y
        ''',
    },
    "output_off_by_one": {
        "why": "output (h − kh, w − kw): range(h − kh) misses the last window",
        "feedback": "off by one",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                h, w = K.shape
                Y = X.new_zeros((X.shape[0] - h, X.shape[1] - w))
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
                return Y
        ''',
    },
    "book_torch_zeros": {
        "why": "the book's corr2d with a shape check: torch.zeros(...) is float32 on the CPU whatever X is",
        "feedback": "X.new_zeros",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                h, w = K.shape
                Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
                return Y
        ''',
    },
    "zeros_float_dtype_only": {
        "why": "dtype=X.dtype but no device: right on the CPU, wrong on a GPU (meta here)",
        "feedback": "device",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                h, w = K.shape
                Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
                return Y
        ''',
    },
    "no_shape_check": {
        "why": "the book's corr2d (dtype fixed) without the check: a kernel that does not fit gives an empty tensor",
        "feedback": "ValueError",
        "source": '''
            def corr2d(X, K):
                h, w = K.shape
                Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
                return Y
        ''',
    },
    "kernel_indices_swapped": {
        "why": "K[b, a] with X[i + a, j + b]: the kernel transposed (only square kernels fit)",
        "feedback": "transposed",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                kh, kw = K.shape
                oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
                Y = X.new_zeros((oh, ow))
                for a in range(kh):
                    for b in range(kw):
                        Y = Y + K[b % kh, a % kw] * X[a:a + oh, b:b + ow]
                return Y
        ''',
    },
    "item_in_loop": {
        "why": "Y[i, j] = (...).sum().item(): right values, but no gradient reaches X or K",
        "feedback": "no gradient",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                h, w = K.shape
                Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * K).sum().item()
                return Y
        ''',
    },
    "accumulates_into_x": {
        "why": "saves memory by accumulating into a slice of X: a view, so X is overwritten",
        "feedback": "unchanged",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                kh, kw = K.shape
                oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
                terms = [K[a, b] * X[a:a + oh, b:b + ow] for a in range(kh) for b in range(kw)]
                Y = X[:oh, :ow]
                Y.zero_()
                for t in terms:
                    Y += t
                return Y
        ''',
    },
    "float64_output_for_float32": {
        "why": "computes in float64 for accuracy and forgets to convert back: float32 in, float64 out",
        "feedback": "X's dtype",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                kh, kw = K.shape
                oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
                Xd, Kd = X.double(), K.double()
                Y = Xd.new_zeros((oh, ow))
                for a in range(kh):
                    for b in range(kw):
                        Y = Y + Kd[a, b] * Xd[a:a + oh, b:b + ow]
                return Y
        ''',
    },
    "uses_conv2d": {
        "why": "F.conv2d (forbidden)",
        "feedback": "not allowed",
        "source": '''
            import torch.nn.functional as F

            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                return F.conv2d(X[None, None], K[None, None])[0, 0]
        ''',
    },
    "uses_tensor_unfold": {
        "why": "Tensor.unfold windows (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def corr2d(X, K):
                if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                    raise ValueError("bad shapes")
                kh, kw = K.shape
                return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-2, -1))
        ''',
    },
    # ------------------------------------------------------------------ conv_output_shape
    "shape_ceil": {
        "why": "rounds up: ⌈(n + 2p − k)/s⌉ + 1",
        "feedback": "rounded up",
        "source": '''
            import math

            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                paired = not all(isinstance(v, int) for v in (n, k, p, s))
                out = []
                for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
                    if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
                        raise ValueError("bad arguments")
                    out.append(math.ceil((n_ + 2 * p_ - k_) / s_) + 1)
                return tuple(out) if paired else out[0]
        ''',
    },
    "shape_one_sided_padding": {
        "why": "padding counted once: ⌊(n + p − k)/s⌋ + 1 (the book's p_h read as the per-side padding)",
        "feedback": "one side only",
        "source": '''
            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                paired = not all(isinstance(v, int) for v in (n, k, p, s))
                out = []
                for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
                    if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
                        raise ValueError("bad arguments")
                    out.append((n_ - k_ + p_ + s_) // s_)
                return tuple(out) if paired else out[0]
        ''',
    },
    "shape_plus_one_inside": {
        "why": "⌊(n + 2p − k + 1)/s⌋: the + 1 inside the floor",
        "feedback": "after the floor division",
        "source": '''
            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                paired = not all(isinstance(v, int) for v in (n, k, p, s))
                out = []
                for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
                    if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
                        raise ValueError("bad arguments")
                    out.append((n_ + 2 * p_ - k_ + 1) // s_)
                return tuple(out) if paired else out[0]
        ''',
    },
    "shape_true_division": {
        "why": "(n + 2p − k)/s + 1: a float, and fractional when s does not divide",
        "feedback": "floor division",
        "source": '''
            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                paired = not all(isinstance(v, int) for v in (n, k, p, s))
                out = []
                for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
                    if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
                        raise ValueError("bad arguments")
                    out.append((n_ + 2 * p_ - k_) / s_ + 1)
                return tuple(out) if paired else out[0]
        ''',
    },
    "shape_float_for_divisible": {
        "why": "float(...) of the right formula: 8.0 instead of 8",
        "feedback": "a float",
        "source": '''
            import math

            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                paired = not all(isinstance(v, int) for v in (n, k, p, s))
                out = []
                for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
                    if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
                        raise ValueError("bad arguments")
                    out.append(math.floor((n_ + 2 * p_ - k_) / s_) + 1.0)
                return tuple(out) if paired else out[0]
        ''',
    },
    "shape_no_validation": {
        "why": "no argument check: s = 0 divides by zero, a too-large kernel gives a size ≤ 0",
        "feedback": "raise ValueError",
        "source": '''
            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                paired = not all(isinstance(v, int) for v in (n, k, p, s))
                out = [(n_ + 2 * p_ - k_) // s_ + 1 for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s))]
                return tuple(out) if paired else out[0]
        ''',
    },
    "shape_always_tuple": {
        "why": "returns (h, w) even when every argument is an int",
        "feedback": "int in, int out",
        "source": '''
            def conv_output_shape(n, k, p=0, s=1):
                def pair(v):
                    return (v, v) if isinstance(v, int) else tuple(v)
                out = []
                for n_, k_, p_, s_ in zip(pair(n), pair(k), pair(p), pair(s)):
                    if k_ < 1 or s_ < 1 or p_ < 0 or n_ + 2 * p_ < k_:
                        raise ValueError("bad arguments")
                    out.append((n_ + 2 * p_ - k_) // s_ + 1)
                return tuple(out)
        ''',
    },
    "shape_ints_only": {
        "why": "no pairs: works for ints, TypeError for a tuple argument",
        "feedback": "pair",
        "source": '''
            def conv_output_shape(n, k, p=0, s=1):
                if k < 1 or s < 1 or p < 0 or n + 2 * p < k:
                    raise ValueError("bad arguments")
                return (n + 2 * p - k) // s + 1
        ''',
    },
    # ------------------------------------------------------------------ Conv2D
    "conv2d_weight_plain_tensor": {
        "why": "self.weight = torch.rand(...): not registered, so parameters() and backward miss it",
        "feedback": "nn.Parameter",
        "source": '''
            class Conv2D(nn.Module):
                def __init__(self, kernel_size, generator=None):
                    super().__init__()
                    if isinstance(kernel_size, int):
                        kernel_size = (kernel_size, kernel_size)
                    self.weight = torch.rand(tuple(kernel_size), generator=generator)
                    self.bias = nn.Parameter(torch.zeros(1))

                def forward(self, x):
                    return corr2d(x, self.weight) + self.bias
        ''',
    },
    "conv2d_book_global_rng": {
        "why": "the book's torch.rand(kernel_size): the global RNG, the generator ignored",
        "feedback": "generator=generator",
        "source": '''
            class Conv2D(nn.Module):
                def __init__(self, kernel_size, generator=None):
                    super().__init__()
                    if isinstance(kernel_size, int):
                        kernel_size = (kernel_size, kernel_size)
                    self.weight = nn.Parameter(torch.rand(kernel_size))
                    self.bias = nn.Parameter(torch.zeros(1))

                def forward(self, x):
                    return corr2d(x, self.weight) + self.bias
        ''',
    },
    "conv2d_int_kernel_size_1d": {
        "why": "torch.rand(kernel_size) with an int: a 1-D weight of k numbers",
        "feedback": "(k, k)",
        "source": '''
            class Conv2D(nn.Module):
                def __init__(self, kernel_size, generator=None):
                    super().__init__()
                    self.weight = nn.Parameter(torch.rand(kernel_size, generator=generator))
                    self.bias = nn.Parameter(torch.zeros(1))

                def forward(self, x):
                    return corr2d(x, self.weight) + self.bias
        ''',
    },
    "conv2d_randn_init": {
        "why": "torch.randn instead of the book's torch.rand",
        "feedback": "U[0, 1)",
        "source": '''
            class Conv2D(Conv2D):
                def __init__(self, kernel_size, generator=None):
                    nn.Module.__init__(self)
                    if isinstance(kernel_size, int):
                        kernel_size = (kernel_size, kernel_size)
                    self.weight = nn.Parameter(torch.randn(tuple(kernel_size), generator=generator))
                    self.bias = nn.Parameter(torch.zeros(1))
        ''',
    },
    "conv2d_no_bias_in_forward": {
        "why": "forward forgets the bias",
        "feedback": "the bias is missing",
        "source": '''
            class Conv2D(Conv2D):
                def forward(self, x):
                    return corr2d(x, self.weight)
        ''',
    },
    "conv2d_random_bias": {
        "why": "the bias drawn at random like the weight",
        "feedback": "bias starts at zero",
        "source": '''
            class Conv2D(Conv2D):
                def __init__(self, kernel_size, generator=None):
                    nn.Module.__init__(self)
                    if isinstance(kernel_size, int):
                        kernel_size = (kernel_size, kernel_size)
                    self.weight = nn.Parameter(torch.rand(tuple(kernel_size), generator=generator))
                    self.bias = nn.Parameter(torch.rand(1, generator=generator))
        ''',
    },
    "conv2d_weight_data_in_forward": {
        "why": "forward uses self.weight.data: the weight never gets a gradient",
        "feedback": "cuts the graph",
        "source": '''
            class Conv2D(Conv2D):
                def forward(self, x):
                    return corr2d(x, self.weight.data) + self.bias
        ''',
    },
    "conv2d_wraps_nn_conv2d": {
        "why": "wraps nn.Conv2d (forbidden)",
        "feedback": "not allowed",
        "source": '''
            class Conv2D(nn.Module):
                def __init__(self, kernel_size, generator=None):
                    super().__init__()
                    self.conv = nn.Conv2d(1, 1, kernel_size)
                    self.weight, self.bias = self.conv.weight, self.conv.bias

                def forward(self, x):
                    return self.conv(x[None, None])[0, 0]
        ''',
    },
    # ------------------------------------------------------------------ learn_kernel
    "learn_mean_loss": {
        "why": "mean squared error: every step 1/numel(Y) as large",
        "feedback": "not the mean",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).mean()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_grad_never_zeroed": {
        "why": "K.grad never zeroed: each step uses the sum of all gradients so far",
        "feedback": "zero the gradient",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                return K.detach(), losses
        ''',
    },
    "learn_half_loss": {
        "why": "½Σ(Ŷ − Y)² (the ch3 squared_loss habit): steps half as large",
        "feedback": "half as large",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2 / 2).sum()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_losses_after_update": {
        "why": "records the loss of the updated kernel instead of the one stepped from",
        "feedback": "before",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                        losses.append(((corr2d(X, K) - Y) ** 2).sum().item())
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_gradient_ascent": {
        "why": "K += lr·grad",
        "feedback": "uphill",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K += lr * K.grad
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_global_rng": {
        "why": "torch.rand((kh, kw)) without the generator",
        "feedback": "generator=generator",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw)).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_not_detached": {
        "why": "returns the tensor autograd tracks (requires_grad=True)",
        "feedback": "K.detach()",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                    K.grad = None
                return K, losses
        ''',
    },
    "learn_tensor_losses": {
        "why": "losses are 0-d tensors (l.detach()), not Python floats",
        "feedback": "Python floats",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    losses.append(l.detach())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_float32_kernel": {
        "why": "K₀ never moved to X's dtype: a float32 kernel for float64 data",
        "feedback": "dtype=X.dtype",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                K = torch.rand((kh, kw), generator=generator, requires_grad=True)
                losses = []
                for _ in range(num_epochs):
                    l = ((corr2d(X, K) - Y) ** 2).sum()
                    losses.append(l.item())
                    l.backward()
                    with torch.no_grad():
                        K -= lr * K.grad
                    K.grad = None
                return K.detach(), losses
        ''',
    },
    "learn_book_nn_conv2d": {
        "why": "the book's loop verbatim: nn.Conv2d(1, 1, kernel_size, bias=False) (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
                conv2d = nn.Conv2d(1, 1, kernel_size=kernel_size, bias=False)
                with torch.no_grad():
                    conv2d.weight.copy_(torch.rand(conv2d.weight.shape, generator=generator))
                conv2d = conv2d.to(device=X.device, dtype=X.dtype)
                X4, Y4 = X.reshape((1, 1) + X.shape), Y.reshape((1, 1) + Y.shape)
                losses = []
                for i in range(num_epochs):
                    Y_hat = conv2d(X4)
                    l = (Y_hat - Y4) ** 2
                    conv2d.zero_grad()
                    l.sum().backward()
                    losses.append(l.sum().item())
                    conv2d.weight.data[:] -= lr * conv2d.weight.grad
                return conv2d.weight.data.reshape(conv2d.weight.shape[2:]), losses
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §6.2's code, adapted only where the contract's Clarifications differ: the output allocated with X's
    # dtype and device, a ValueError for shapes that do not fit, the generator, an int kernel_size as (k, k),
    # and learn_kernel's loop on a plain kernel tensor with this module's corr2d instead of nn.Conv2d.
    "d2l_book": '''
        def corr2d(X, K):
            """计算二维互相关运算"""
            if X.dim() != 2 or K.dim() != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
                raise ValueError(f"corr2d: shapes {tuple(X.shape)} and {tuple(K.shape)} do not fit")
            h, w = K.shape
            Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    Y[i, j] = (X[i: i + h, j: j + w] * K).sum()
            return Y

        def conv_output_shape(n, k, p=0, s=1):
            # d2l §6.3: ⌊(n_h − k_h + p_h + s_h)/s_h⌋ with p_h the total padding, here 2p
            as_pair = lambda v: (v, v) if isinstance(v, int) else (v[0], v[1])
            (nh, nw), (kh, kw), (ph, pw), (sh, sw) = map(as_pair, (n, k, p, s))
            if min(kh, kw, sh, sw) < 1 or min(ph, pw) < 0 or nh + 2 * ph < kh or nw + 2 * pw < kw:
                raise ValueError("invalid convolution arguments")
            out = ((nh - kh + 2 * ph + sh) // sh, (nw - kw + 2 * pw + sw) // sw)
            if all(isinstance(v, int) for v in (n, k, p, s)):
                return out[0]
            return out

        class Conv2D(nn.Module):
            def __init__(self, kernel_size, generator=None):
                super().__init__()
                if isinstance(kernel_size, int):
                    kernel_size = (kernel_size, kernel_size)
                self.weight = nn.Parameter(torch.rand(kernel_size, generator=generator))
                self.bias = nn.Parameter(torch.zeros(1))

            def forward(self, x):
                return corr2d(x, self.weight) + self.bias

        def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
            if isinstance(kernel_size, int):
                kernel_size = (kernel_size, kernel_size)
            K = torch.rand(kernel_size, generator=generator).to(X.device, X.dtype).requires_grad_()
            losses = []
            for i in range(num_epochs):
                Y_hat = corr2d(X, K)
                l = (Y_hat - Y) ** 2
                if K.grad is not None:
                    K.grad.zero_()
                l.sum().backward()
                # 迭代卷积核
                K.data[:] -= lr * K.grad
                losses.append(l.sum().item())
            return K.detach(), losses
    ''',
    # windows as a strided view, one einsum, float64 inside; sizes by counting; a closed-form gradient
    "strided_einsum_float64": '''
        def corr2d(X, K):
            if X.ndim != 2 or K.ndim != 2:
                raise ValueError("2-D tensors only")
            (h, w), (kh, kw) = X.shape, K.shape
            if kh > h or kw > w:
                raise ValueError("kernel larger than the input")
            s0, s1 = X.stride()
            windows = X.as_strided((h - kh + 1, w - kw + 1, kh, kw), (s0, s1, s0, s1), X.storage_offset())
            return torch.einsum("ijab,ab->ij", windows.double(), K.double()).to(X.dtype)

        def conv_output_shape(n, k, p=0, s=1):
            args = [(v, v) if isinstance(v, int) else tuple(v) for v in (n, k, p, s)]
            sizes = []
            for n_, k_, p_, s_ in zip(*args):
                if k_ <= 0 or s_ <= 0 or p_ < 0:
                    raise ValueError(f"k, s must be positive and p non-negative: {k_}, {s_}, {p_}")
                if k_ > n_ + 2 * p_:
                    raise ValueError("the kernel does not fit")
                count, start = 0, 0           # slide the window and count the positions
                while start + k_ <= n_ + 2 * p_:
                    count, start = count + 1, start + s_
                sizes.append(count)
            return sizes[0] if all(isinstance(v, int) for v in (n, k, p, s)) else (sizes[0], sizes[1])

        class Conv2D(nn.Module):
            def __init__(self, kernel_size, generator=None):
                super().__init__()
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
                self.register_parameter("weight", nn.Parameter(torch.empty(kh, kw).uniform_(0, 1, generator=generator)))
                self.register_parameter("bias", nn.Parameter(torch.zeros(1)))

            def forward(self, x):
                out = corr2d(x, self.weight)
                return out + self.bias

        def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            K = torch.rand((kh, kw), generator=generator).to(device=X.device, dtype=X.dtype)
            losses = []
            for _ in range(num_epochs):
                R = corr2d(X, K) - Y                  # residual (oh, ow)
                losses.append(float((R * R).sum()))
                K = K - lr * corr2d(X, 2 * R)         # ∂/∂K Σ R² = corr2d(X, 2R), by hand
            return K, losses
    ''',
    # vectorised windows by stacking shifted slices + a matrix product; autograd.grad for the step
    "stacked_matmul": '''
        def corr2d(X, K):
            if len(X.shape) != 2 or len(K.shape) != 2:
                raise ValueError(f"expected 2-D X and K, got {X.shape} and {K.shape}")
            h, w = X.shape
            kh, kw = K.shape
            if h < kh or w < kw:
                raise ValueError(f"kernel {tuple(K.shape)} does not fit in {tuple(X.shape)}")
            oh, ow = h - kh + 1, w - kw + 1
            cols = torch.stack([X[a:a + oh, b:b + ow].reshape(-1) for a in range(kh) for b in range(kw)], dim=1)
            return (cols @ K.reshape(-1)).reshape(oh, ow)

        def conv_output_shape(n, k, p=0, s=1):
            import math
            ints = all(isinstance(v, int) for v in (n, k, p, s))
            n, k, p, s = ([v, v] if isinstance(v, int) else list(v) for v in (n, k, p, s))
            res = []
            for i in range(2):
                if k[i] < 1 or s[i] < 1 or p[i] < 0 or n[i] + 2 * p[i] - k[i] < 0:
                    raise ValueError("invalid arguments")
                res.append(int(math.floor((n[i] + 2 * p[i] - k[i]) / s[i])) + 1)
            return res[0] if ints else tuple(res)

        class Conv2D(nn.Module):
            def __init__(self, kernel_size, generator=None):
                super().__init__()
                size = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
                self.weight = nn.Parameter(torch.rand(size, generator=generator))
                self.bias = nn.Parameter(torch.zeros(1))

            def forward(self, x):
                return self.bias + corr2d(x, self.weight)

        def learn_kernel(X, Y, kernel_size, lr=3e-2, num_epochs=10, generator=None):
            size = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
            K = torch.rand(size, generator=generator).to(X)
            losses = []
            for _ in range(num_epochs):
                K = K.detach().requires_grad_(True)
                l = (corr2d(X, K) - Y).pow(2).sum()
                (g,) = torch.autograd.grad(l, K)
                losses.append(l.item())
                K = (K - lr * g).detach()
            return K, losses
    ''',
}
