"""Outputs with zero mean and unit variance of the wrong kind: X standardised over the whole batch (every
invariance to a global shift and scale holds), running statistics returned unchanged, a layer of the right
parameters and buffers that never updates them."""


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    shape = (1, -1) if X.dim() == 2 else (1, -1, 1, 1)
    Z = (X - X.mean()) / torch.sqrt(X.var(unbiased=False) + eps)
    return gamma.reshape(shape) * Z + beta.reshape(shape), moving_mean.clone(), moving_var.clone()


class BatchNorm(torch.nn.Module):
    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.gamma = torch.nn.Parameter(torch.ones(num_features))
        self.beta = torch.nn.Parameter(torch.zeros(num_features))
        self.register_buffer("moving_mean", torch.zeros(num_features))
        self.register_buffer("moving_var", torch.ones(num_features))

    def forward(self, X):
        return batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var, self.eps, self.momentum,
                          self.training)[0]
