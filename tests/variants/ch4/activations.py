"""Recorded buggy variants of ch4/activations.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ relu, prelu
    "relu_in_place": {
        "why": "zeroes the negative entries of x in place and returns x",
        "feedback": "unchanged",
        "source": '''
            def relu(x):
                x[x < 0] = 0
                return x
        ''',
    },
    "relu_forbidden": {
        "why": "calls torch.relu",
        "feedback": "not allowed",
        "source": '''
            def relu(x):
                return torch.relu(x)
        ''',
    },
    "prelu_slope_on_positive_side": {
        "why": "multiplies the positive side by a instead of the negative side",
        "feedback": "negative side",
        "source": '''
            def prelu(x, a):
                return torch.where(x > 0, a * x, x)
        ''',
    },
    "prelu_max_form": {
        "why": "max(x, a·x): pReLU only while a ≤ 1",
        "feedback": "a ≤ 1",
        "source": '''
            def prelu(x, a):
                return torch.maximum(x, a * x)
        ''',
    },
    # ------------------------------------------------------------------ sigmoid, tanh
    "sigmoid_exp_ratio": {
        "why": "exp(x)/(1+exp(x)): inf/inf = NaN for x > 88.7 in float32",
        "feedback": "inf/inf",
        "source": '''
            def sigmoid(x):
                e = torch.exp(x)
                return e / (1 + e)
        ''',
    },
    "sigmoid_sign": {
        "why": "1/(1+exp(x)): computes sigmoid(−x)",
        "feedback": "sigmoid(−x)",
        "source": '''
            def sigmoid(x):
                return 1 / (1 + torch.exp(x))
        ''',
    },
    "sigmoid_forbidden": {
        "why": "calls torch.sigmoid",
        "feedback": "not allowed",
        "source": '''
            def sigmoid(x):
                return torch.sigmoid(x)
        ''',
    },
    "sigmoid_float32_inside": {
        "why": "casts to float32: float64 inputs come back as float32",
        "feedback": "dtype",
        "source": '''
            def sigmoid(x):
                return 1 / (1 + torch.exp(-x.float()))
        ''',
    },
    "tanh_exp_ratio": {
        "why": "(e^x − e^−x)/(e^x + e^−x): inf/inf = NaN for |x| > 88.7",
        "feedback": "NaN",
        "source": '''
            def tanh(x):
                return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
        ''',
    },
    "tanh_via_torch_sigmoid": {
        "why": "2·torch.sigmoid(2x) − 1 uses the library sigmoid",
        "feedback": "not allowed",
        "source": '''
            def tanh(x):
                return 2 * torch.sigmoid(2 * x) - 1
        ''',
    },
    # ------------------------------------------------------------------ derivatives
    "relu_grad_one_at_zero": {
        "why": "(x >= 0): derivative 1 at x = 0 instead of the subgradient 0",
        "feedback": "subgradient 0",
        "source": '''
            def relu_grad(x):
                return (x >= 0).to(x.dtype)
        ''',
    },
    "relu_grad_bool": {
        "why": "returns the bool mask x > 0",
        "feedback": "bool",
        "source": '''
            def relu_grad(x):
                return x > 0
        ''',
    },
    "sigmoid_grad_plus": {
        "why": "s·(1 + s) instead of s·(1 − s)",
        "feedback": "minus, not plus",
        "source": '''
            def sigmoid_grad(x):
                s = sigmoid(x)
                return s * (1 + s)
        ''',
    },
    "sigmoid_grad_autograd": {
        "why": "asks autograd for the derivative",
        "feedback": "not allowed",
        "source": '''
            def sigmoid_grad(x):
                x = x.detach().clone().requires_grad_(True)
                sigmoid(x).sum().backward()
                return x.grad
        ''',
    },
    "tanh_grad_no_square": {
        "why": "1 − tanh(x) instead of 1 − tanh(x)²",
        "feedback": "square",
        "source": '''
            def tanh_grad(x):
                return 1 - tanh(x)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l's own code: relu as torch.max against zeros, the textbook sigmoid 1/(1+e^−x) (its overflow for very
    # negative x is harmless), tanh from the learner's own sigmoid, derivatives from the learner's functions.
    "d2l_style": '''
        def relu(X):
            a = torch.zeros_like(X)
            return torch.max(X, a)

        def prelu(x, a):
            return relu(x) + a * torch.min(x, torch.zeros_like(x))

        def sigmoid(x):
            return 1 / (1 + torch.exp(-x))

        def tanh(x):
            return 2 * sigmoid(2 * x) - 1

        def relu_grad(x):
            return (x > 0).type(x.dtype)

        def sigmoid_grad(x):
            return sigmoid(x) * (1 - sigmoid(x))

        def tanh_grad(x):
            return 1 - tanh(x) ** 2
    ''',
    # masks and clamps; sigmoid from the learner's own tanh (0.5·(1 + tanh(x/2))); tanh by the sign trick;
    # the derivatives in other closed forms (¼·sech²(x/2), 4·σ(2x)(1 − σ(2x))).
    "masks_and_identities": '''
        def relu(x):
            return x * (x > 0)

        def prelu(x, a):
            return x.clamp(min=0) + a * x.clamp(max=0)

        def tanh(x):
            z = torch.exp(-2 * x.abs())
            return torch.sign(x) * (1 - z) / (1 + z)

        def sigmoid(x):
            return 0.5 * (1 + tanh(x / 2))

        def relu_grad(x):
            return torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x))

        def sigmoid_grad(x):
            return 0.25 * (1 - tanh(x / 2) ** 2)

        def tanh_grad(x):
            s = sigmoid(2 * x)
            return 4 * s * (1 - s)
    ''',
    # float64 inside, cast back to the input's dtype; sigmoid by torch.where on the sign.
    "float64_inside": '''
        def relu(x):
            return torch.maximum(x.double(), torch.zeros((), dtype=torch.float64)).to(x.dtype)

        def prelu(x, a):
            x64 = x.double()
            return torch.where(x64 > 0, x64, a * x64).to(x.dtype)

        def sigmoid(x):
            x64 = x.double()
            pos = 1 / (1 + torch.exp(-x64.clamp(min=0)))
            e = torch.exp(x64.clamp(max=0))
            return torch.where(x64 >= 0, pos, e / (1 + e)).to(x.dtype)

        def tanh(x):
            x64 = x.double()
            return (2 * sigmoid(2 * x64) - 1).to(x.dtype)

        def relu_grad(x):
            return torch.heaviside(x, torch.zeros_like(x))

        def sigmoid_grad(x):
            s = sigmoid(x.double())
            return (s - s * s).to(x.dtype)

        def tanh_grad(x):
            t = tanh(x.double())
            return ((1 - t) * (1 + t)).to(x.dtype)
    ''',
}
