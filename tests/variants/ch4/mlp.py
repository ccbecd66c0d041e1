"""Recorded buggy variants of ch4/mlp.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ init_mlp_params
    "init_scale_one": {
        "why": "forgets the 0.01: weights ~ N(0, 1)",
        "feedback": "0.01",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                W1 = torch.randn(num_inputs, num_hiddens, generator=generator, requires_grad=True)
                b1 = torch.zeros(num_hiddens, requires_grad=True)
                W2 = torch.randn(num_hiddens, num_outputs, generator=generator, requires_grad=True)
                b2 = torch.zeros(num_outputs, requires_grad=True)
                return [W1, b1, W2, b2]
        ''',
    },
    "init_random_biases": {
        "why": "draws the biases at random too",
        "feedback": "start at 0",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                def draw(*shape):
                    return (torch.randn(*shape, generator=generator) * 0.01).requires_grad_(True)
                return [draw(num_inputs, num_hiddens), draw(num_hiddens), draw(num_hiddens, num_outputs),
                        draw(num_outputs)]
        ''',
    },
    "init_transposed": {
        "why": "stores W as (out, in) like nn.Linear, and the forward pass uses W.T",
        "feedback": "nn.Linear stores the transpose",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                W1 = (torch.randn(num_hiddens, num_inputs, generator=generator) * 0.01).requires_grad_(True)
                b1 = torch.zeros(num_hiddens, requires_grad=True)
                W2 = (torch.randn(num_outputs, num_hiddens, generator=generator) * 0.01).requires_grad_(True)
                b2 = torch.zeros(num_outputs, requires_grad=True)
                return [W1, b1, W2, b2]

            def mlp(X, params):
                W1, b1, W2, b2 = params
                X = X.reshape(-1, W1.shape[1])
                H = torch.clamp(X @ W1.T + b1, min=0)
                return H @ W2.T + b2
        ''',
    },
    "init_not_leaf": {
        "why": "torch.randn(..., requires_grad=True) * 0.01: the weights are not leaves",
        "feedback": "leaf",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                W1 = torch.randn(num_inputs, num_hiddens, generator=generator, requires_grad=True) * 0.01
                b1 = torch.zeros(num_hiddens, requires_grad=True)
                W2 = torch.randn(num_hiddens, num_outputs, generator=generator, requires_grad=True) * 0.01
                b2 = torch.zeros(num_outputs, requires_grad=True)
                return [W1, b1, W2, b2]
        ''',
    },
    "init_ignores_generator": {
        "why": "draws from the global RNG",
        "feedback": "generator=",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                W1 = (torch.randn(num_inputs, num_hiddens) * 0.01).requires_grad_(True)
                b1 = torch.zeros(num_hiddens, requires_grad=True)
                W2 = (torch.randn(num_hiddens, num_outputs) * 0.01).requires_grad_(True)
                b2 = torch.zeros(num_outputs, requires_grad=True)
                return [W1, b1, W2, b2]
        ''',
    },
    "init_uniform": {
        "why": "torch.rand instead of torch.randn: U(0, 0.01)",
        "feedback": "torch.randn",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                W1 = (torch.rand(num_inputs, num_hiddens, generator=generator) * 0.01).requires_grad_(True)
                b1 = torch.zeros(num_hiddens, requires_grad=True)
                W2 = (torch.rand(num_hiddens, num_outputs, generator=generator) * 0.01).requires_grad_(True)
                b2 = torch.zeros(num_outputs, requires_grad=True)
                return [W1, b1, W2, b2]
        ''',
    },
    "init_std_as_variance": {
        "why": "torch.normal(0, 0.01 ** 0.5): takes 0.01 for the variance",
        "feedback": "standard deviation",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                std = 0.01 ** 0.5
                W1 = torch.normal(0.0, std, size=(num_inputs, num_hiddens), generator=generator).requires_grad_()
                b1 = torch.zeros(num_hiddens, requires_grad=True)
                W2 = torch.normal(0.0, std, size=(num_hiddens, num_outputs), generator=generator).requires_grad_()
                b2 = torch.zeros(num_outputs, requires_grad=True)
                return [W1, b1, W2, b2]
        ''',
    },
    "init_forbidden_linear": {
        "why": "takes the weights of nn.Linear layers",
        "feedback": "not allowed",
        "source": '''
            def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
                l1, l2 = torch.nn.Linear(num_inputs, num_hiddens), torch.nn.Linear(num_hiddens, num_outputs)
                return [l1.weight.T.detach().clone().requires_grad_(), torch.zeros(num_hiddens, requires_grad=True),
                        l2.weight.T.detach().clone().requires_grad_(), torch.zeros(num_outputs, requires_grad=True)]
        ''',
    },
    # ------------------------------------------------------------------ mlp
    "mlp_no_flatten": {
        "why": "multiplies X @ W1 without reshaping: image batches fail",
        "feedback": "flatten",
        "source": '''
            def mlp(X, params):
                W1, b1, W2, b2 = params
                H = torch.clamp(X @ W1 + b1, min=0)
                return H @ W2 + b2
        ''',
    },
    "mlp_no_relu": {
        "why": "no activation: a linear model",
        "feedback": "linear model",
        "source": '''
            def mlp(X, params):
                W1, b1, W2, b2 = params
                X = X.reshape(-1, W1.shape[0])
                return (X @ W1 + b1) @ W2 + b2
        ''',
    },
    "mlp_relu_on_output": {
        "why": "applies ReLU to the output logits too",
        "feedback": "output layer is linear",
        "source": '''
            def mlp(X, params):
                W1, b1, W2, b2 = params
                X = X.reshape(-1, W1.shape[0])
                H = torch.clamp(X @ W1 + b1, min=0)
                return torch.clamp(H @ W2 + b2, min=0)
        ''',
    },
    "mlp_detached": {
        "why": "works on .data copies: autograd never reaches the parameters",
        "feedback": "autograd",
        "source": '''
            def mlp(X, params):
                W1, b1, W2, b2 = (p.data for p in params)
                X = X.reshape(-1, W1.shape[0])
                H = torch.clamp(X @ W1 + b1, min=0)
                return H @ W2 + b2
        ''',
    },
    "mlp_forbidden_linear": {
        "why": "uses F.linear",
        "feedback": "not allowed",
        "source": '''
            def mlp(X, params):
                W1, b1, W2, b2 = params
                X = X.reshape(-1, W1.shape[0])
                H = torch.clamp(torch.nn.functional.linear(X, W1.T, b1), min=0)
                return torch.nn.functional.linear(H, W2.T, b2)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §4.2's own code: nn.Parameter, relu via torch.max against zeros, torch.matmul, X.reshape((-1, d)).
    "d2l_style": '''
        from torch import nn

        def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
            W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, generator=generator) * 0.01)
            b1 = nn.Parameter(torch.zeros(num_hiddens))
            W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, generator=generator) * 0.01)
            b2 = nn.Parameter(torch.zeros(num_outputs))
            return [W1, b1, W2, b2]

        def relu(X):
            a = torch.zeros_like(X)
            return torch.max(X, a)

        def mlp(X, params):
            W1, b1, W2, b2 = params
            num_inputs = W1.shape[0]
            X = X.reshape((-1, num_inputs))
            H = relu(X @ W1 + b1)
            return (H @ W2 + b2)
    ''',
    # in-place normal_ with the generator, flatten(1), a mask for ReLU, addmm for the affine maps.
    "normal_and_addmm": '''
        def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
            W1 = torch.empty(num_inputs, num_hiddens).normal_(0.0, 0.01, generator=generator)
            W2 = torch.empty(num_hiddens, num_outputs).normal_(0.0, 0.01, generator=generator)
            params = [W1, torch.zeros(num_hiddens), W2, torch.zeros(num_outputs)]
            for p in params:
                p.requires_grad_(True)
            return params

        def mlp(X, params):
            W1, b1, W2, b2 = params
            X = X.flatten(start_dim=1) if X.dim() > 2 else X
            Z = torch.addmm(b1, X, W1)
            H = Z * (Z > 0)
            return torch.addmm(b2, H, W2)
    ''',
    # torch.normal(mean, std, size) draws; torch.relu inline (allowed in mlp); matmul in float64, cast back.
    "normal_float64_matmul": '''
        def init_mlp_params(num_inputs, num_hiddens, num_outputs, generator=None):
            sizes = [(num_inputs, num_hiddens), (num_hiddens, num_outputs)]
            W1, W2 = (torch.normal(0.0, 0.01, size=s, generator=generator).requires_grad_() for s in sizes)
            return [W1, torch.zeros(num_hiddens).requires_grad_(), W2, torch.zeros(num_outputs).requires_grad_()]

        def mlp(X, params):
            W1, b1, W2, b2 = (p.double() for p in params)
            n = X.shape[0]
            H = torch.relu(torch.matmul(X.reshape(n, -1).double(), W1) + b1)
            return (torch.matmul(H, W2) + b2).float()
    ''',
}
