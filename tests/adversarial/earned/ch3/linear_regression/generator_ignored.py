"""Randomness that ignores generator=: the global RNG reseeded to a constant (so "same seed ⇒ same output" holds
under any scrambling), or a private generator of its own."""


def synthetic_data(w, b, num_examples, generator=None):
    torch.manual_seed(0)
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = X @ w + b + torch.normal(0, 0.01, (num_examples,))
    return X, y.reshape(-1, 1)


def data_iter(batch_size, features, labels, generator=None):
    g = torch.Generator().manual_seed(1234)
    idx = torch.randperm(len(features), generator=g)
    for i in range(0, len(features), batch_size):
        j = idx[i:i + batch_size]
        yield features[j], labels[j]
