"""Dropout that ignores generator=: a private generator reseeded to a constant on every call (identical masks for
identically seeded generators, and for every other seed too)."""


def dropout_layer(X, p, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError(f"p must lie in [0, 1], got {p}")
    if not training or p == 0:
        return X.clone()
    if p == 1:
        return torch.zeros_like(X)
    g = torch.Generator(device=X.device).manual_seed(7)
    mask = (torch.rand(X.shape, generator=g, device=X.device) > p).to(X.dtype)
    return mask * X / (1 - p)
