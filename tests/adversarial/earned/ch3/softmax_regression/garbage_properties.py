"""Garbage that satisfies properties: a uniform softmax is shift-invariant and its rows sum to 1; a zero gradient's
rows sum to 0; log q is finite for any logits; a one-hot with the 1 always in column 0 has one 1 per row."""


def one_hot(y, num_classes):
    if (y < 0).any() or (y >= num_classes).any():
        raise ValueError(f"labels must lie in [0, {num_classes})")
    out = torch.zeros(len(y), num_classes)
    out[:, 0] = 1
    return out


def softmax(X):
    return torch.full_like(X, 1.0 / X.shape[1])


def cross_entropy(y_hat, y):
    return torch.full((len(y),), float(torch.log(torch.tensor(float(y_hat.shape[1])))), dtype=y_hat.dtype)


def cross_entropy_logits(O, y):
    return torch.full((len(y),), float(torch.log(torch.tensor(float(O.shape[1])))), dtype=O.dtype)


def ce_grad_logits(O, y):
    return torch.zeros_like(O)


def accuracy(y_hat, y):
    return 0.0
