"""Recorded buggy variants of ch4/dropout.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ dropout_layer
    "scale_by_keep_prob": {
        "why": "multiplies the survivors by (1 − p) instead of dividing (the issue's named mistake)",
        "feedback": "you multiply the survivors by (1 − p)",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape, generator=generator) > p).float()
                return mask * X * (1.0 - p)
        ''',
    },
    "no_rescale": {
        "why": "drops without rescaling the survivors",
        "feedback": "not rescaled",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                mask = (torch.rand(X.shape, generator=generator) > p).float()
                return mask * X
        ''',
    },
    "keep_with_prob_p": {
        "why": "rand < p keeps with probability p",
        "feedback": "you keep with probability p",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape, generator=generator) < p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "one_mask_per_batch": {
        "why": "draws one mask for a single example and broadcasts it over the batch",
        "feedback": "same mask is used for every example",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape[1:], generator=generator) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "one_mask_per_row": {
        "why": "draws one mask entry per example (drops whole rows)",
        "feedback": "the mask repeats along dim",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand((X.shape[0],) + (1,) * (X.dim() - 1), generator=generator) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "active_in_eval": {
        "why": "ignores training=False",
        "feedback": "evaluation",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape, generator=generator) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "no_value_error": {
        "why": "never validates p",
        "feedback": "ValueError",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not training or p <= 0:
                    return X
                if p >= 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape, generator=generator) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "validates_only_in_training": {
        "why": "returns X before validating p when training=False",
        "feedback": "before looking at `training`",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not training:
                    return X
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape, generator=generator) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "nan_at_p_one": {
        "why": "d2l's formula without the p = 1 branch: 0/0 = NaN",
        "feedback": "0/0",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                mask = (torch.rand(X.shape, generator=generator) > p).float()
                return mask * X / torch.tensor(1.0 - p)
        ''',
    },
    "global_rng": {
        "why": "ignores the generator (uses the global RNG)",
        "feedback": "generator=generator",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = (torch.rand(X.shape) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "reseeds_every_call": {
        "why": "copies the generator's seed into a fresh generator: the same mask on every call",
        "feedback": "same mask on every call",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                g = torch.Generator().manual_seed(generator.initial_seed()) if generator is not None else None
                mask = (torch.rand(X.shape, generator=g) > p).float()
                return mask * X / (1.0 - p)
        ''',
    },
    "in_place": {
        "why": "multiplies X in place",
        "feedback": "unchanged",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return X.zero_() if not X.requires_grad else torch.zeros_like(X)
                mask = (torch.rand(X.shape, generator=generator) > p).to(X.dtype)
                with torch.no_grad():
                    X.mul_(mask / (1.0 - p))
                return X
        ''',
    },
    "bernoulli": {
        "why": "draws the mask with torch.bernoulli",
        "feedback": "not allowed",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                if not training or p == 0:
                    return X
                if p == 1:
                    return torch.zeros_like(X)
                mask = torch.bernoulli(torch.full_like(X, 1.0 - p), generator=generator)
                return mask * X / (1.0 - p)
        ''',
    },
    "functional_dropout": {
        "why": "calls F.dropout",
        "feedback": "not allowed",
        "source": '''
            def dropout_layer(X, p, training=True, generator=None):
                if not 0 <= p <= 1:
                    raise ValueError(p)
                return torch.nn.functional.dropout(X, p, training)
        ''',
    },
    # ------------------------------------------------------------------ DropoutMLP
    "mlp_dropout_in_eval": {
        "why": "applies dropout whatever the mode (d2l's is_training flag left at True)",
        "feedback": "in eval() dropout must be off",
        "source": '''
            class DropoutMLP(nn.Module):
                def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                             dropout1=0.2, dropout2=0.5):
                    super().__init__()
                    self.num_inputs, self.dropout1, self.dropout2 = num_inputs, dropout1, dropout2
                    self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                    self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                    self.lin3 = nn.Linear(num_hiddens2, num_outputs)

                def forward(self, X):
                    H1 = dropout_layer(torch.relu(self.lin1(X.reshape(-1, self.num_inputs))), self.dropout1)
                    H2 = dropout_layer(torch.relu(self.lin2(H1)), self.dropout2)
                    return self.lin3(H2)
        ''',
    },
    "mlp_swapped_rates": {
        "why": "dropout2 after the first hidden layer, dropout1 after the second",
        "feedback": "dropout1 belongs to the first hidden layer",
        "source": '''
            class DropoutMLP(nn.Module):
                def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                             dropout1=0.2, dropout2=0.5):
                    super().__init__()
                    self.num_inputs, self.dropout1, self.dropout2 = num_inputs, dropout1, dropout2
                    self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                    self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                    self.lin3 = nn.Linear(num_hiddens2, num_outputs)

                def forward(self, X):
                    H1 = dropout_layer(torch.relu(self.lin1(X.reshape(-1, self.num_inputs))), self.dropout2,
                                       self.training)
                    H2 = dropout_layer(torch.relu(self.lin2(H1)), self.dropout1, self.training)
                    return self.lin3(H2)
        ''',
    },
    "mlp_dropout_on_input": {
        "why": "drops the input pixels and the first hidden layer, not the second",
        "feedback": "not on the input",
        "source": '''
            class DropoutMLP(nn.Module):
                def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                             dropout1=0.2, dropout2=0.5):
                    super().__init__()
                    self.num_inputs, self.dropout1, self.dropout2 = num_inputs, dropout1, dropout2
                    self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                    self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                    self.lin3 = nn.Linear(num_hiddens2, num_outputs)

                def forward(self, X):
                    X = dropout_layer(X.reshape(-1, self.num_inputs), self.dropout1, self.training)
                    H1 = dropout_layer(torch.relu(self.lin1(X)), self.dropout2, self.training)
                    H2 = torch.relu(self.lin2(H1))
                    return self.lin3(H2)
        ''',
    },
    "mlp_no_flatten": {
        "why": "forgets to flatten (n, 1, 28, 28) images",
        "feedback": "reshape(-1, num_inputs)",
        "source": '''
            class DropoutMLP(nn.Module):
                def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                             dropout1=0.2, dropout2=0.5):
                    super().__init__()
                    self.dropout1, self.dropout2 = dropout1, dropout2
                    self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                    self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                    self.lin3 = nn.Linear(num_hiddens2, num_outputs)

                def forward(self, X):
                    H1 = dropout_layer(torch.relu(self.lin1(X)), self.dropout1, self.training)
                    H2 = dropout_layer(torch.relu(self.lin2(H1)), self.dropout2, self.training)
                    return self.lin3(H2)
        ''',
    },
    "mlp_relu_on_output": {
        "why": "a ReLU on the output layer too",
        "feedback": "no activation on the output",
        "source": '''
            class DropoutMLP(nn.Module):
                def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                             dropout1=0.2, dropout2=0.5):
                    super().__init__()
                    self.num_inputs, self.dropout1, self.dropout2 = num_inputs, dropout1, dropout2
                    self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                    self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                    self.lin3 = nn.Linear(num_hiddens2, num_outputs)

                def forward(self, X):
                    H1 = dropout_layer(torch.relu(self.lin1(X.reshape(-1, self.num_inputs))), self.dropout1,
                                       self.training)
                    H2 = dropout_layer(torch.relu(self.lin2(H1)), self.dropout2, self.training)
                    return torch.relu(self.lin3(H2))
        ''',
    },
    "mlp_nn_dropout": {
        "why": "uses nn.Dropout instead of dropout_layer",
        "feedback": "not allowed",
        "source": '''
            class DropoutMLP(nn.Module):
                def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                             dropout1=0.2, dropout2=0.5):
                    super().__init__()
                    self.net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens1), nn.ReLU(),
                                             nn.Dropout(dropout1), nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(),
                                             nn.Dropout(dropout2), nn.Linear(num_hiddens2, num_outputs))

                def forward(self, X):
                    return self.net(X)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "d2l_style_copy_and_parameters": '''
        def dropout_layer(X, p, training=True, generator=None):
            if p < 0 or p > 1:
                raise ValueError("p must be in [0, 1]")
            if not training:
                return X.clone()
            if p == 1:
                return torch.zeros_like(X)
            if p == 0:
                return X.clone()
            mask = (torch.rand(X.shape, generator=generator, device=X.device) > p).float()
            return mask * X / (1.0 - p)

        class DropoutMLP(nn.Module):
            # raw parameters stored (in, out), dropout *before* the ReLU (identical: relu(m·z/(1−p)) = m·relu(z)/(1−p))
            def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                         dropout1=0.2, dropout2=0.5):
                super().__init__()
                self.num_inputs, self.dropout1, self.dropout2 = num_inputs, dropout1, dropout2
                self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens1) * 0.01)
                self.b1 = nn.Parameter(torch.zeros(num_hiddens1))
                self.W2 = nn.Parameter(torch.randn(num_hiddens1, num_hiddens2) * 0.01)
                self.b2 = nn.Parameter(torch.zeros(num_hiddens2))
                self.W3 = nn.Parameter(torch.randn(num_hiddens2, num_outputs) * 0.01)
                self.b3 = nn.Parameter(torch.zeros(num_outputs))

            def forward(self, X):
                X = X.reshape((-1, self.num_inputs))
                Z1 = X @ self.W1 + self.b1
                if self.training:
                    Z1 = dropout_layer(Z1, self.dropout1)
                H1 = torch.maximum(Z1, torch.zeros_like(Z1))
                Z2 = H1 @ self.W2 + self.b2
                if self.training:
                    Z2 = dropout_layer(Z2, self.dropout2)
                H2 = torch.maximum(Z2, torch.zeros_like(Z2))
                return H2 @ self.W3 + self.b3
    ''',
    "where_uniform_float64_modules": '''
        def dropout_layer(X, p, training=True, generator=None):
            if not (0.0 <= p <= 1.0):
                raise ValueError(f"bad p {p}")
            if p == 0.0 or not training:
                return X
            if p == 1.0:
                return X * 0.0
            u = torch.empty(X.shape, dtype=torch.float64, device=X.device).uniform_(generator=generator)
            keep = u < 1.0 - p
            return torch.where(keep, X * (1.0 / (1.0 - p)), torch.zeros((), dtype=X.dtype, device=X.device))

        class _Drop(nn.Module):
            def __init__(self, p):
                super().__init__()
                self.p = p

            def forward(self, X):
                return dropout_layer(X, self.p, self.training)

        class DropoutMLP(nn.Module):
            def __init__(self, num_inputs=784, num_outputs=10, num_hiddens1=256, num_hiddens2=256,
                         dropout1=0.2, dropout2=0.5):
                super().__init__()
                self.layers = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens1), nn.ReLU(),
                                            _Drop(dropout1), nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(),
                                            _Drop(dropout2), nn.Linear(num_hiddens2, num_outputs))

            def forward(self, X):
                return self.layers(X)
    ''',
}
