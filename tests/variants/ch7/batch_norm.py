"""Recorded buggy variants of ch7/batch_norm.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ batch_norm
    "axes_4d_dim0_only": {
        "why": "4-D statistics over dim 0 only (one mean per position, the 2-D code applied to 4-D X)",
        "feedback": "dims (0, 2, 3)",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                shape = (1, -1) if X.dim() == 2 else (1, -1, 1, 1)
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                mean = X.mean(dim=0, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
                X_hat = (X - mean) / torch.sqrt(var + eps)
                Y = gamma.reshape(shape) * X_hat + beta.reshape(shape)
                m = X.shape[0]
                bm = mean.detach().reshape(X.shape[1], -1).mean(dim=1)
                bv = var.detach().reshape(X.shape[1], -1).mean(dim=1) * m / (m - 1)
                return Y, (1 - momentum) * moving_mean + momentum * bm, (1 - momentum) * moving_var + momentum * bv
        ''',
    },
    "axes_4d_per_example": {
        "why": "4-D statistics over dims (1, 2, 3): layer normalisation instead of batch normalisation",
        "feedback": "layer normalisation",
        "source": '''
            _solution_batch_norm = batch_norm

            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                if X.dim() != 4 or not training:
                    return _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps,
                                                momentum=momentum, training=training)
                mean = X.mean(dim=(1, 2, 3), keepdim=True)
                var = ((X - mean) ** 2).mean(dim=(1, 2, 3), keepdim=True)
                Y = gamma.reshape(1, -1, 1, 1) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
                _, nm, nv = _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps,
                                                 momentum=momentum, training=True)
                return Y, nm, nv
        ''',
    },
    "running_stats_in_training": {
        "why": "normalises with moving_mean / moving_var in training mode too (updates them correctly)",
        "feedback": "used the running statistics",
        "source": '''
            _solution_batch_norm = batch_norm

            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                Y, _, _ = _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps,
                                               momentum=momentum, training=False)
                if not training:
                    return Y, moving_mean, moving_var
                _, nm, nv = _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps,
                                                 momentum=momentum, training=True)
                return Y, nm, nv
        ''',
    },
    "batch_stats_in_eval": {
        "why": "normalises with the batch's statistics in prediction mode too",
        "feedback": "used the batch's own statistics",
        "source": '''
            _solution_batch_norm = batch_norm

            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                Y, nm, nv = _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps,
                                                 momentum=momentum, training=True)
                if training:
                    return Y, nm, nv
                return Y, moving_mean, moving_var
        ''',
    },
    "book_is_grad_enabled": {
        "why": "the book's switch: training mode decided by torch.is_grad_enabled(), the flag ignored",
        "feedback": "not torch.is_grad_enabled()",
        "source": '''
            _solution_batch_norm = batch_norm

            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                return _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps, momentum=momentum,
                                            training=torch.is_grad_enabled())
        ''',
    },
    "biased_running_var": {
        "why": "the book's running variance: the biased batch variance is averaged",
        "feedback": "unbiased",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                new_mean = (1 - momentum) * moving_mean + momentum * mean.detach().reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.detach().reshape(-1)
                return Y, new_mean, new_var
        ''',
    },
    "book_momentum_formula": {
        "why": "the book's momentum·old + (1 − momentum)·batch with PyTorch's momentum value",
        "feedback": "momentum is PyTorch's",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                m = X.numel() // X.shape[1]
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                new_mean = momentum * moving_mean + (1 - momentum) * mean.detach().reshape(-1)
                new_var = momentum * moving_var + (1 - momentum) * var.detach().reshape(-1) * m / (m - 1)
                return Y, new_mean, new_var
        ''',
    },
    "eps_outside_sqrt": {
        "why": "(X − μ) / (√σ² + ε): ε outside the square root",
        "feedback": "inside the square root",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / (torch.sqrt(moving_var.reshape(shape)) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                m = X.numel() // X.shape[1]
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / (torch.sqrt(var) + eps) + beta.reshape(shape)
                new_mean = (1 - momentum) * moving_mean + momentum * mean.detach().reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.detach().reshape(-1) * m / (m - 1)
                return Y, new_mean, new_var
        ''',
    },
    "writes_into_moving_stats": {
        "why": "updates moving_mean / moving_var in place (mul_/add_) and returns them",
        "feedback": "changed its input moving_mean in place",
        "source": '''
            _solution_batch_norm = batch_norm

            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                Y, nm, nv = _solution_batch_norm(X, gamma, beta, moving_mean, moving_var, eps=eps,
                                                 momentum=momentum, training=training)
                if training:
                    with torch.no_grad():
                        moving_mean.copy_(nm)
                        moving_var.copy_(nv)
                return Y, moving_mean, moving_var
        ''',
    },
    "unbiased_var_to_normalise": {
        "why": "X.var(dim=...) is unbiased by default: the output is normalised with σ²·m/(m − 1)",
        "feedback": "biased batch variance",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                mean = X.mean(dim=dims, keepdim=True)
                var = X.var(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                new_mean = (1 - momentum) * moving_mean + momentum * mean.detach().reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.detach().reshape(-1)
                return Y, new_mean, new_var
        ''',
    },
    "statistics_not_detached": {
        "why": "the returned running statistics keep the autograd graph of X",
        "feedback": "detach",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                m = X.numel() // X.shape[1]
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                new_mean = (1 - momentum) * moving_mean + momentum * mean.reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.reshape(-1) * m / (m - 1)
                return Y, new_mean, new_var
        ''',
    },
    "statistics_detached_in_y": {
        "why": "μ and σ² computed from X.detach(): the forward values are right, the gradient wrt X is not",
        "feedback": "treats μ and σ² as constants",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                m = X.numel() // X.shape[1]
                Xd = X.detach()
                mean = Xd.mean(dim=dims, keepdim=True)
                var = ((Xd - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                new_mean = (1 - momentum) * moving_mean + momentum * mean.reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.reshape(-1) * m / (m - 1)
                return Y, new_mean, new_var
        ''',
    },
    "gamma_not_reshaped_4d": {
        "why": "γ, β of shape (C,) multiplied into a 4-D X as they are: they broadcast along the width",
        "feedback": "(1, C, 1, 1)",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma * X_hat + beta, moving_mean, moving_var
                m = X.numel() // X.shape[1]
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma * ((X - mean) / torch.sqrt(var + eps)) + beta
                new_mean = (1 - momentum) * moving_mean + momentum * mean.detach().reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.detach().reshape(-1) * m / (m - 1)
                return Y, new_mean, new_var
        ''',
    },
    "book_stat_shapes": {
        "why": "returns the running statistics with the book's keepdim shape (1, C, 1, 1) / (1, C)",
        "feedback": "shape (C,)",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                mm, mv = moving_mean.reshape(shape), moving_var.reshape(shape)
                if not training:
                    X_hat = (X - mm) / torch.sqrt(mv + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), mm, mv
                m = X.numel() // X.shape[1]
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                new_mean = (1 - momentum) * mm + momentum * mean.detach()
                new_var = (1 - momentum) * mv + momentum * var.detach() * m / (m - 1)
                return Y, new_mean, new_var
        ''',
    },
    "cpu_factor_tensor": {
        "why": "the unbiased factor built as torch.full((C,), m / (m - 1)): a CPU float32 tensor (breaks meta / GPU)",
        "feedback": "device=X.device",
        "source": '''
            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                dims, shape = ((0,), (1, -1)) if X.dim() == 2 else ((0, 2, 3), (1, -1, 1, 1))
                if not training:
                    X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
                    return gamma.reshape(shape) * X_hat + beta.reshape(shape), moving_mean, moving_var
                m = X.numel() // X.shape[1]
                mean = X.mean(dim=dims, keepdim=True)
                var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
                Y = gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
                factor = torch.full((X.shape[1],), m / (m - 1))
                new_mean = (1 - momentum) * moving_mean + momentum * mean.detach().reshape(-1)
                new_var = (1 - momentum) * moving_var + momentum * var.detach().reshape(-1) * factor
                return Y, new_mean, new_var
        ''',
    },
    "uses_f_batch_norm": {
        "why": "calls F.batch_norm (forbidden)",
        "feedback": "not allowed",
        "source": '''
            import torch.nn.functional as F

            def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
                nm, nv = moving_mean.clone(), moving_var.clone()
                Y = F.batch_norm(X, nm, nv, gamma, beta, training=training, momentum=momentum, eps=eps)
                return Y, nm, nv
        ''',
    },
    # ------------------------------------------------------------------ BatchNorm
    "class_mode_from_grad_enabled": {
        "why": "the book's class: training=torch.is_grad_enabled() instead of self.training",
        "feedback": "self.training",
        "source": '''
            class BatchNorm(BatchNorm):
                def forward(self, X):
                    training = torch.is_grad_enabled()
                    Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                              eps=self.eps, momentum=self.momentum, training=training)
                    if training:
                        self.moving_mean, self.moving_var = mean, var
                    return Y
        ''',
    },
    "class_plain_attribute_stats": {
        "why": "the book's class: moving_mean / moving_var as plain attributes (moved to X's device in forward)",
        "feedback": "register_buffer",
        "source": '''
            class BatchNorm(nn.Module):
                def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.gamma = nn.Parameter(torch.ones(num_features))
                    self.beta = nn.Parameter(torch.zeros(num_features))
                    self.moving_mean = torch.zeros(num_features)
                    self.moving_var = torch.ones(num_features)

                def forward(self, X):
                    if self.moving_mean.device != X.device:
                        self.moving_mean = self.moving_mean.to(X.device)
                        self.moving_var = self.moving_var.to(X.device)
                    Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                              eps=self.eps, momentum=self.momentum, training=self.training)
                    if self.training:
                        self.moving_mean, self.moving_var = mean, var
                    return Y
        ''',
    },
    "class_buffers_not_persistent": {
        "why": "register_buffer(..., persistent=False): the running statistics are not saved in the state_dict",
        "feedback": "persistent=False",
        "source": '''
            class BatchNorm(BatchNorm):
                def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
                    nn.Module.__init__(self)
                    self.eps, self.momentum = eps, momentum
                    self.gamma = nn.Parameter(torch.ones(num_features))
                    self.beta = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("moving_mean", torch.zeros(num_features), persistent=False)
                    self.register_buffer("moving_var", torch.ones(num_features), persistent=False)
        ''',
    },
    "class_book_shapes": {
        "why": "the book's parameter and buffer shapes (1, C, 1, 1) / (1, C)",
        "feedback": "not the book's",
        "source": '''
            class BatchNorm(BatchNorm):
                def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
                    nn.Module.__init__(self)
                    self.eps, self.momentum = eps, momentum
                    shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
                    self.gamma = nn.Parameter(torch.ones(shape))
                    self.beta = nn.Parameter(torch.zeros(shape))
                    self.register_buffer("moving_mean", torch.zeros(shape))
                    self.register_buffer("moving_var", torch.ones(shape))

                def forward(self, X):
                    Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                              eps=self.eps, momentum=self.momentum, training=self.training)
                    if self.training:
                        self.moving_mean = mean.reshape(self.moving_mean.shape)
                        self.moving_var = var.reshape(self.moving_var.shape)
                    return Y
        ''',
    },
    "class_hard_coded_eps_momentum": {
        "why": "ignores the eps / momentum arguments (the book's eps=1e-5 and momentum 0.1 hard-coded)",
        "feedback": "use the eps and momentum given",
        "source": '''
            class BatchNorm(BatchNorm):
                def forward(self, X):
                    Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                              eps=1e-5, momentum=0.1, training=self.training)
                    if self.training:
                        self.moving_mean, self.moving_var = mean, var
                    return Y
        ''',
    },
    "class_no_update_under_no_grad": {
        "why": "stores the new statistics only when autograd records (train() under no_grad leaves them stale)",
        "feedback": "not updated by the train-mode pass under torch.no_grad()",
        "source": '''
            class BatchNorm(BatchNorm):
                def forward(self, X):
                    Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                              eps=self.eps, momentum=self.momentum, training=self.training)
                    if self.training and torch.is_grad_enabled():
                        self.moving_mean, self.moving_var = mean, var
                    return Y
        ''',
    },
    "class_never_stores": {
        "why": "forgets to store the returned statistics: the running statistics stay zeros and ones",
        "feedback": "store the statistics batch_norm returns",
        "source": '''
            class BatchNorm(BatchNorm):
                def forward(self, X):
                    Y, _, _ = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                         eps=self.eps, momentum=self.momentum, training=self.training)
                    return Y
        ''',
    },
    "class_gamma_plain_tensor": {
        "why": "gamma and beta as plain tensors, not nn.Parameter: never learnt",
        "feedback": "nn.Parameter",
        "source": '''
            class BatchNorm(BatchNorm):
                def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
                    nn.Module.__init__(self)
                    self.eps, self.momentum = eps, momentum
                    self.gamma = torch.ones(num_features)
                    self.beta = torch.zeros(num_features)
                    self.register_buffer("moving_mean", torch.zeros(num_features))
                    self.register_buffer("moving_var", torch.ones(num_features))
        ''',
    },
    # ------------------------------------------------------------------ BNLeNet
    "bnlenet_bn_after_sigmoid": {
        "why": "BatchNorm placed after each sigmoid instead of before",
        "feedback": "between the layer it normalises and the sigmoid",
        "source": '''
            def BNLeNet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 6, kernel_size=5), nn.Sigmoid(), BatchNorm(6, 4),
                    nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), BatchNorm(16, 4),
                    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                    nn.Linear(256, 120), nn.Sigmoid(), BatchNorm(120, 2),
                    nn.Linear(120, 84), nn.Sigmoid(), BatchNorm(84, 2),
                    nn.Linear(84, num_classes))
        ''',
    },
    "bnlenet_lenet_padding": {
        "why": "copies LeNet's padding=2 on the first convolution (Flatten then gives 400)",
        "feedback": "no padding",
        "source": '''
            def BNLeNet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), BatchNorm(6, 4), nn.Sigmoid(),
                    nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, 4), nn.Sigmoid(),
                    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                    nn.Linear(400, 120), BatchNorm(120, 2), nn.Sigmoid(),
                    nn.Linear(120, 84), BatchNorm(84, 2), nn.Sigmoid(),
                    nn.Linear(84, num_classes))
        ''',
    },
    "bnlenet_nn_batchnorm": {
        "why": "the book's concise version with nn.BatchNorm2d / nn.BatchNorm1d (forbidden here)",
        "feedback": "not allowed",
        "source": '''
            def BNLeNet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
                    nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
                    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                    nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
                    nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
                    nn.Linear(84, num_classes))
        ''',
    },
    "bnlenet_relu_maxpool": {
        "why": "a 'modern' BN-LeNet with ReLU and max pooling (same shapes and parameter count)",
        "feedback": "sigmoids and average pooling",
        "source": '''
            def BNLeNet(in_channels=1, num_classes=10):
                return nn.Sequential(
                    nn.Conv2d(in_channels, 6, kernel_size=5), BatchNorm(6, 4), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, 4), nn.ReLU(),
                    nn.MaxPool2d(kernel_size=2, stride=2), nn.Flatten(),
                    nn.Linear(256, 120), BatchNorm(120, 2), nn.ReLU(),
                    nn.Linear(120, 84), BatchNorm(84, 2), nn.ReLU(),
                    nn.Linear(84, num_classes))
        ''',
    },
    "bnlenet_ignores_num_classes": {
        "why": "Linear(84, 10) hard-coded: num_classes ignored",
        "feedback": "in_channels=3, num_classes=5",
        "source": '''
            _solution_bnlenet = BNLeNet

            def BNLeNet(in_channels=1, num_classes=10):
                return _solution_bnlenet(in_channels, 10)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # The book's code (d2l-zh 7.5.3/7.5.4, PyTorch tab), adapted only where the Clarifications differ: the explicit
    # training flag (not torch.is_grad_enabled()), PyTorch's momentum, the unbiased running variance, (C,) shapes
    # reshaped for broadcasting, registered buffers, eps/momentum keywords.
    "d2l_book_adapted": '''
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
            # 通过training来判断当前模式是训练模式还是预测模式
            shape = (1, -1) if len(X.shape) == 2 else (1, -1, 1, 1)
            if not training:
                # 如果是在预测模式下，直接使用传入的移动平均所得的均值和方差
                X_hat = (X - moving_mean.reshape(shape)) / torch.sqrt(moving_var.reshape(shape) + eps)
            else:
                assert len(X.shape) in (2, 4)
                if len(X.shape) == 2:
                    # 使用全连接层的情况，计算特征维上的均值和方差
                    mean = X.mean(dim=0)
                    var = ((X - mean) ** 2).mean(dim=0)
                    n = X.shape[0]
                else:
                    # 使用二维卷积层的情况，计算通道维上（axis=1）的均值和方差。
                    mean = X.mean(dim=(0, 2, 3), keepdim=True)
                    var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
                    n = X.shape[0] * X.shape[2] * X.shape[3]
                # 训练模式下，用当前的均值和方差做标准化
                X_hat = (X - mean) / torch.sqrt(var + eps)
                # 更新移动平均的均值和方差
                moving_mean = (1.0 - momentum) * moving_mean + momentum * mean.reshape(-1)
                moving_var = (1.0 - momentum) * moving_var + momentum * var.reshape(-1) * n / (n - 1)
            Y = gamma.reshape(shape) * X_hat + beta.reshape(shape)  # 缩放和移位
            return Y, moving_mean.data, moving_var.data

        class BatchNorm(nn.Module):
            # num_features：完全连接层的输出数量或卷积层的输出通道数。
            # num_dims：2表示完全连接层，4表示卷积层
            def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
                super().__init__()
                self.eps, self.momentum = eps, momentum
                # 参与求梯度和迭代的拉伸和偏移参数，分别初始化成1和0
                self.gamma = nn.Parameter(torch.ones(num_features))
                self.beta = nn.Parameter(torch.zeros(num_features))
                # 非模型参数的变量初始化为0和1, 注册为缓冲区
                self.register_buffer("moving_mean", torch.zeros(num_features))
                self.register_buffer("moving_var", torch.ones(num_features))

            def forward(self, X):
                # 保存更新过的moving_mean和moving_var
                Y, moving_mean, moving_var = batch_norm(
                    X, self.gamma, self.beta, self.moving_mean,
                    self.moving_var, eps=self.eps, momentum=self.momentum, training=self.training)
                if self.training:
                    self.moving_mean, self.moving_var = moving_mean, moving_var
                return Y

        def BNLeNet(in_channels=1, num_classes=10):
            return nn.Sequential(
                nn.Conv2d(in_channels, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
                nn.AvgPool2d(kernel_size=2, stride=2),
                nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
                nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                nn.Linear(16*4*4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
                nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
                nn.Linear(84, num_classes))
    ''',
    # float64 internals with var_mean, a fused scale-and-shift with rsqrt, lerp for the running averages, in-place
    # copies into the buffers under no_grad, and the net built by a loop in an nn.Sequential subclass.
    "float64_var_mean_lerp": '''
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
            if X.dim() not in (2, 4):
                raise ValueError("2-D or 4-D X only")
            C = X.shape[1]
            view = [1, C] + [1] * (X.dim() - 2)
            dims = [0] + list(range(2, X.dim()))
            if training:
                var, mean = torch.var_mean(X.double(), dim=dims, correction=0)      # (C,) each
                m = X.numel() // C
                with torch.no_grad():
                    new_mean = torch.lerp(moving_mean.double(), mean, momentum).to(X.dtype)
                    new_var = torch.lerp(moving_var.double(), var * m / (m - 1), momentum).to(X.dtype)
            else:
                mean, var = moving_mean.double(), moving_var.double()
                new_mean, new_var = moving_mean.clone(), moving_var.clone()
            scale = gamma.double() * torch.rsqrt(var + eps)                         # (C,)
            shift = beta.double() - mean * scale
            Y = X.double() * scale.view(view) + shift.view(view)
            return Y.to(X.dtype), new_mean.detach(), new_var.detach()

        class BatchNorm(nn.Module):
            def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
                super().__init__()
                self.num_features, self.num_dims, self.eps, self.momentum = num_features, num_dims, eps, momentum
                self.register_parameter("gamma", nn.Parameter(torch.full((num_features,), 1.0)))
                self.register_parameter("beta", nn.Parameter(torch.zeros(num_features)))
                self.register_buffer("moving_mean", torch.zeros(num_features))
                self.register_buffer("moving_var", torch.full((num_features,), 1.0))

            def forward(self, X):
                Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                          eps=self.eps, momentum=self.momentum, training=self.training)
                if self.training:
                    with torch.no_grad():
                        self.moving_mean.copy_(mean)
                        self.moving_var.copy_(var)
                return Y

        class BNLeNet(nn.Sequential):
            def __init__(self, in_channels=1, num_classes=10):
                layers = []
                for c_in, c_out in ((in_channels, 6), (6, 16)):
                    layers += [nn.Conv2d(c_in, c_out, 5), BatchNorm(c_out, 4), nn.Sigmoid(), nn.AvgPool2d(2, 2)]
                layers.append(nn.Flatten())
                for f_in, f_out in ((256, 120), (120, 84)):
                    layers += [nn.Linear(f_in, f_out), BatchNorm(f_out, 2), nn.Sigmoid()]
                layers.append(nn.Linear(84, num_classes))
                super().__init__(*layers)
    ''',
    # sums instead of means, the unbiased variance from torch.var and the biased one derived from it, the
    # normalisation written with X.new_tensor-free broadcasting via unsqueeze, and the statistics passed as copies.
    "sums_and_unsqueeze": '''
        def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
            def b(t):                       # (C,) -> broadcastable against X
                return t[None, :] if X.dim() == 2 else t[None, :, None, None]
            if not training:
                Y = b(gamma) * (X - b(moving_mean)) / (b(moving_var) + eps).sqrt() + b(beta)
                return Y, moving_mean.clone(), moving_var.clone()
            dims = (0,) if X.dim() == 2 else (0, 2, 3)
            m = X.numel() // X.shape[1]
            mean = X.sum(dim=dims) / m                                   # (C,)
            centred = X - b(mean)
            unbiased = (centred * centred).sum(dim=dims) / (m - 1)       # (C,)
            biased = unbiased * (m - 1) / m
            Y = centred / (b(biased) + eps).sqrt() * b(gamma) + b(beta)
            new_mean = moving_mean * (1 - momentum) + mean.detach() * momentum
            new_var = moving_var * (1 - momentum) + unbiased.detach() * momentum
            return Y, new_mean, new_var
    ''',
}
