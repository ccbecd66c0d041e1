"""Recorded buggy variants of ch4/numerical_stability.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
_NET = '''
    def grad_norms_by_layer(depth, width, activation, init_std, generator=None):
        act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
        X = torch.randn(64, width, generator=generator)
        Ws = [(torch.randn(width, width, generator=generator) * init_std).requires_grad_(True) for _ in range(depth)]
        H = X
        for W in Ws:
            H = act(H @ W)
        LOSS
        return torch.stack([NORM for W in Ws]).detach()
'''


def _net(loss="H.sum().backward()", norm="W.grad.norm()"):
    """The reference network with its loss or its norm replaced."""
    return _NET.replace("LOSS", loss).replace("NORM", norm)


MUTANTS = {
    # ------------------------------------------------------------------ grad_norms_by_layer
    "output_layer_first": {
        "why": "returns the norms from the output layer back to the input",
        "feedback": "input layer first",
        "source": _net(norm="W.grad.norm()").replace("for W in Ws])", "for W in reversed(Ws)])"),
    },
    "mean_loss": {
        "why": "L = mean of the outputs instead of their sum",
        "feedback": "not their mean",
        "source": _net(loss="H.mean().backward()"),
    },
    "no_activation_on_last_layer": {
        "why": "sums the last layer's pre-activations",
        "feedback": "activation after the last layer",
        "source": '''
            def grad_norms_by_layer(depth, width, activation, init_std, generator=None):
                act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
                X = torch.randn(64, width, generator=generator)
                Ws = [(torch.randn(width, width, generator=generator) * init_std).requires_grad_(True)
                      for _ in range(depth)]
                H = X
                for i, W in enumerate(Ws):
                    Z = H @ W
                    H = act(Z) if i < depth - 1 else Z
                H.sum().backward()
                return torch.stack([W.grad.norm() for W in Ws]).detach()
        ''',
    },
    "std_as_variance": {
        "why": "treats init_std as a variance (W = √init_std · randn)",
        "feedback": "standard deviation",
        "source": _net().replace("* init_std)", "* init_std ** 0.5)"),
    },
    "ignores_activation": {
        "why": "always ReLU, whatever `activation` says",
        "feedback": "is `activation` honoured",
        "source": _net().replace('[activation]', '["relu"]'),
    },
    "max_abs_norm": {
        "why": "the largest |entry| instead of the Frobenius norm",
        "feedback": "Frobenius norm",
        "source": _net(norm="W.grad.abs().max()"),
    },
    "spectral_norm": {
        "why": "the spectral norm instead of the Frobenius norm",
        "feedback": "spectral norm",
        "source": _net(norm="torch.linalg.matrix_norm(W.grad, ord=2)"),
    },
    "net_global_rng": {
        "why": "draws X and the weights from the global RNG",
        "feedback": "draw X and every weight with the generator",
        "source": _net().replace("generator=generator", "generator=None"),
    },
    # ------------------------------------------------------------------ matrix_product_log_norm
    "float32_product": {
        "why": "float32 matrices: the product overflows to inf",
        "feedback": "float64",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, generator=generator)
                for _ in range(num_matrices - 1):
                    P = P @ torch.randn(size, size, generator=generator)
                return math.log10(float(torch.linalg.matrix_norm(P)))
        ''',
    },
    "natural_log": {
        "why": "natural log instead of log10",
        "feedback": "not the natural log",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, generator=generator, dtype=torch.float64)
                for _ in range(num_matrices - 1):
                    P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
                return math.log(float(torch.linalg.matrix_norm(P)))
        ''',
    },
    "squared_norm": {
        "why": "log10 of the squared norm",
        "feedback": "not of its square",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, generator=generator, dtype=torch.float64)
                for _ in range(num_matrices - 1):
                    P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
                return math.log10(float((P ** 2).sum()))
        ''',
    },
    "product_spectral_norm": {
        "why": "the spectral norm of the product",
        "feedback": "not the spectral norm",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, generator=generator, dtype=torch.float64)
                for _ in range(num_matrices - 1):
                    P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
                return math.log10(float(torch.linalg.matrix_norm(P, ord=2)))
        ''',
    },
    "one_factor_too_many": {
        "why": "d2l's loop: M, then num_matrices more products",
        "feedback": "don't multiply an extra one",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, generator=generator, dtype=torch.float64)
                for _ in range(num_matrices):
                    P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
                return math.log10(float(torch.linalg.matrix_norm(P)))
        ''',
    },
    "returns_tensor": {
        "why": "returns a 0-d tensor",
        "feedback": "Python float",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, generator=generator, dtype=torch.float64)
                for _ in range(num_matrices - 1):
                    P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
                return torch.log10(torch.linalg.matrix_norm(P))
        ''',
    },
    "product_global_rng": {
        "why": "draws the matrices from the global RNG",
        "feedback": "generator=generator",
        "source": '''
            def matrix_product_log_norm(num_matrices, size, generator=None):
                P = torch.randn(size, size, dtype=torch.float64)
                for _ in range(num_matrices - 1):
                    P = P @ torch.randn(size, size, dtype=torch.float64)
                return math.log10(float(torch.linalg.matrix_norm(P)))
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "manual_backprop_columns_renormalised_logs": '''
        def grad_norms_by_layer(depth, width, activation, init_std, generator=None):
            # column convention h_l = act(W_l h_{l-1}), weights drawn before X, backprop by hand in float64
            Ws = [torch.normal(0.0, init_std, (width, width), generator=generator) for _ in range(depth)]
            X = torch.randn(width, 64, generator=generator).double()
            if activation == "sigmoid":
                f = lambda z: 1 / (1 + torch.exp(-z))
                df = lambda z: f(z) * (1 - f(z))
            elif activation == "tanh":
                f = lambda z: 2 / (1 + torch.exp(-2 * z)) - 1
                df = lambda z: 1 - f(z) ** 2
            else:
                f = lambda z: torch.where(z > 0, z, torch.zeros_like(z))
                df = lambda z: (z > 0).double()
            Hs, Zs = [X], []
            for W in Ws:
                Zs.append(W.double() @ Hs[-1])
                Hs.append(f(Zs[-1]))
            delta = df(Zs[-1])                           # ∂L/∂Z_L with L = Σ H_L
            norms = [0.0] * depth
            for l in range(depth - 1, -1, -1):
                gW = delta @ Hs[l].T                     # ∂L/∂W_l, (width, width)
                norms[l] = float(torch.sqrt((gW ** 2).sum()))
                if l > 0:
                    delta = (Ws[l].double().T @ delta) * df(Zs[l - 1])
            return torch.tensor(norms, dtype=torch.float32)

        def matrix_product_log_norm(num_matrices, size, generator=None):
            # renormalise as you go and add up the logs: never overflows
            P = torch.eye(size, dtype=torch.float64)
            log_scale = 0.0
            for _ in range(num_matrices):
                P = P @ torch.randn(size, size, generator=generator, dtype=torch.float64)
                s = float(torch.sqrt((P * P).sum()))
                P = P / s
                log_scale += math.log10(s)
            return log_scale + math.log10(float(torch.sqrt((P * P).sum())))
    ''',
    "backward_and_right_to_left": '''
        def grad_norms_by_layer(depth, width, activation, init_std, generator=None):
            acts = dict(sigmoid=torch.nn.functional.sigmoid, tanh=torch.nn.functional.tanh,
                        relu=torch.nn.functional.relu)
            X = torch.normal(0.0, 1.0, size=(64, width), generator=generator)
            layers = []
            for _ in range(depth):
                W = torch.empty(width, width).normal_(0.0, init_std, generator=generator)
                layers.append(W.requires_grad_())
            out = X
            for W in layers:
                out = acts[activation](out @ W)
            out.sum().backward()
            return torch.tensor([torch.linalg.norm(W.grad).item() for W in layers])

        def matrix_product_log_norm(num_matrices, size, generator=None):
            Ms = [torch.randn(size, size, generator=generator, dtype=torch.float64) for _ in range(num_matrices)]
            P = Ms[-1]
            for M in reversed(Ms[:-1]):
                P = M @ P
            return float(torch.log10(torch.linalg.norm(P)))
    ''',
}
