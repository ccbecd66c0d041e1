"""Recorded buggy variants of ch3/linear_regression.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ---------------------------------------------------------------- synthetic_data
    "y_not_a_column": {
        "why": "returns y of shape (n,): forgets S:L124's y.reshape((-1, 1))",
        "feedback": "column",
        "source": '''
            def synthetic_data(w, b, num_examples, generator=None):
                X = torch.normal(0, 1, (num_examples, len(w)), generator=generator)
                y = torch.matmul(X, w) + b
                y += torch.normal(0, 0.01, y.shape, generator=generator)
                return X, y
        ''',
    },
    "uniform_features": {
        "why": "torch.rand (uniform on [0, 1)) instead of the standard normal",
        "feedback": "torch.rand is uniform",
        "source": '''
            def synthetic_data(w, b, num_examples, generator=None):
                X = torch.rand(num_examples, len(w), generator=generator)
                y = torch.matmul(X, w) + b
                y += torch.normal(0, 0.01, y.shape, generator=generator)
                return X, y.reshape((-1, 1))
        ''',
    },
    "noise_std_is_variance": {
        "why": "reads N(0, 0.01²) as std 0.01² = 1e-4",
        "feedback": "standard deviation",
        "source": '''
            def synthetic_data(w, b, num_examples, generator=None):
                X = torch.normal(0, 1, (num_examples, len(w)), generator=generator)
                y = torch.matmul(X, w) + b
                y += torch.normal(0, 0.01 ** 2, y.shape, generator=generator)
                return X, y.reshape((-1, 1))
        ''',
    },
    "noise_ignores_generator": {
        "why": "S:L123 verbatim for the noise: torch.normal without the generator",
        "feedback": "generator",
        "source": '''
            def synthetic_data(w, b, num_examples, generator=None):
                X = torch.normal(0, 1, (num_examples, len(w)), generator=generator)
                y = torch.matmul(X, w) + b
                y += torch.normal(0, 0.01, y.shape)
                return X, y.reshape((-1, 1))
        ''',
    },
    # ---------------------------------------------------------------- data_iter
    "python_random_shuffle": {
        "why": "d2l's data_iter: random.shuffle(indices) ignores the generator",
        "feedback": "random.shuffle",
        "source": '''
            import random

            def data_iter(batch_size, features, labels, generator=None):
                num_examples = len(features)
                indices = list(range(num_examples))
                random.shuffle(indices)
                for i in range(0, num_examples, batch_size):
                    batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
                    yield features[batch_indices], labels[batch_indices]
        ''',
    },
    "drops_last_batch": {
        "why": "loops over n // batch_size full batches: the last partial batch is lost",
        "feedback": "partial batch",
        "source": '''
            def data_iter(batch_size, features, labels, generator=None):
                indices = torch.randperm(len(features), generator=generator)
                for i in range(len(features) // batch_size):
                    batch = indices[i * batch_size:(i + 1) * batch_size]
                    yield features[batch], labels[batch]
        ''',
    },
    "no_shuffle": {
        "why": "batches in the original order",
        "feedback": "shuffled order",
        "source": '''
            def data_iter(batch_size, features, labels, generator=None):
                for i in range(0, len(features), batch_size):
                    yield features[i:i + batch_size], labels[i:i + batch_size]
        ''',
    },
    "shuffles_batch_order_only": {
        "why": "permutes the order of fixed consecutive blocks: neighbours always share a batch",
        "feedback": "neighbours",
        "source": '''
            def data_iter(batch_size, features, labels, generator=None):
                n = len(features)
                starts = list(range(0, n, batch_size))
                for k in torch.randperm(len(starts), generator=generator).tolist():
                    i = starts[k]
                    yield features[i:i + batch_size], labels[i:i + batch_size]
        ''',
    },
    "with_replacement": {
        "why": "draws random indices with torch.randint: some rows twice, others never",
        "feedback": "exactly once",
        "source": '''
            def data_iter(batch_size, features, labels, generator=None):
                n = len(features)
                for i in range(0, n, batch_size):
                    batch = torch.randint(0, n, (min(batch_size, n - i),), generator=generator)
                    yield features[batch], labels[batch]
        ''',
    },
    "data_iter_uses_dataloader": {
        "why": "the forbidden shortcut: a DataLoader inside data_iter",
        "feedback": "not allowed",
        "source": '''
            def data_iter(batch_size, features, labels, generator=None):
                yield from data.DataLoader(data.TensorDataset(features, labels), batch_size, shuffle=True,
                                           generator=generator)
        ''',
    },
    # ---------------------------------------------------------------- load_array
    "always_shuffles": {
        "why": "shuffle=True whatever is_train says",
        "feedback": "original order",
        "source": '''
            def load_array(data_arrays, batch_size, is_train=True):
                return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=True)
        ''',
    },
    "returns_one_shot_iterator": {
        "why": "returns iter(DataLoader) (S:L133's next(iter(...)) moved inside): empty after one epoch",
        "feedback": "iter(DataLoader)",
        "source": '''
            def load_array(data_arrays, batch_size, is_train=True):
                return iter(data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=is_train))
        ''',
    },
    "drop_last": {
        "why": "drop_last=True loses the partial batch",
        "feedback": "smaller last one",
        "source": '''
            def load_array(data_arrays, batch_size, is_train=True):
                return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=is_train,
                                       drop_last=True)
        ''',
    },
    # ---------------------------------------------------------------- linreg, squared_loss
    "linreg_no_bias": {
        "why": "forgets + b",
        "feedback": "+ b",
        "source": '''
            def linreg(X, w, b):
                return torch.matmul(X, w)
        ''',
    },
    "squared_loss_broadcast": {
        "why": "no reshape: (n, 1) − (n,) broadcasts to (n, n)",
        "feedback": "broadcasts",
        "source": '''
            def squared_loss(y_hat, y):
                return (y_hat - y) ** 2 / 2
        ''',
    },
    "squared_loss_no_half": {
        "why": "drops the ½",
        "feedback": "factor ½",
        "source": '''
            def squared_loss(y_hat, y):
                return (y_hat - y.reshape(y_hat.shape)) ** 2
        ''',
    },
    # ---------------------------------------------------------------- sgd
    "sgd_no_zero_grad": {
        "why": "never clears the gradients (S:L151's question): the second step uses g1 + g2",
        "feedback": "zeroed",
        "source": '''
            def sgd(params, lr, batch_size):
                with torch.no_grad():
                    for param in params:
                        param -= lr * param.grad / batch_size
        ''',
    },
    "sgd_divides_twice": {
        "why": "averages the gradient in place and then divides by batch_size again",
        "feedback": "divide by batch_size once",
        "source": '''
            def sgd(params, lr, batch_size):
                with torch.no_grad():
                    for param in params:
                        param.grad /= batch_size
                        param -= lr * param.grad / batch_size
                        param.grad.zero_()
        ''',
    },
    "sgd_no_division": {
        "why": "forgets / batch_size (the step grows with the batch)",
        "feedback": "times too large",
        "source": '''
            def sgd(params, lr, batch_size):
                with torch.no_grad():
                    for param in params:
                        param -= lr * param.grad
                        param.grad.zero_()
        ''',
    },
    "sgd_tracked_by_autograd": {
        "why": "params[i] = p - lr * p.grad / batch_size outside no_grad: a new non-leaf tensor with a grad_fn",
        "feedback": "same leaf tensor",
        "source": '''
            def sgd(params, lr, batch_size):
                for i, param in enumerate(params):
                    params[i] = param - lr * param.grad / batch_size
                    param.grad.zero_()
        ''',
    },
    "sgd_rebinds_loop_variable": {
        "why": "param = param - ... rebinds the loop variable: nothing is updated",
        "feedback": "equals torch.optim.SGD",
        "source": '''
            def sgd(params, lr, batch_size):
                with torch.no_grad():
                    for param in params:
                        param = param - lr * param.grad / batch_size
                for param in params:
                    param.grad.zero_()
        ''',
    },
    # ---------------------------------------------------------------- train_linreg
    "train_mean_loss": {
        "why": "l.mean().backward() and sgd's / batch_size: the step is divided twice (10× too slow)",
        "feedback": "divided twice",
        "source": '''
            def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
                w = torch.normal(0, 0.01, (features.shape[1], 1), generator=generator).requires_grad_(True)
                b = torch.zeros(1, requires_grad=True)
                for epoch in range(num_epochs):
                    for X, y in data_iter(batch_size, features, labels, generator):
                        squared_loss(linreg(X, w, b), y).mean().backward()
                        sgd([w, b], lr, batch_size)
                return w.detach(), b.detach()
        ''',
    },
    "train_not_detached": {
        "why": "returns the trainable w, b (requires_grad=True)",
        "feedback": "detached",
        "source": '''
            def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
                w = torch.normal(0, 0.01, (features.shape[1], 1), generator=generator).requires_grad_(True)
                b = torch.zeros(1, requires_grad=True)
                for epoch in range(num_epochs):
                    for X, y in data_iter(batch_size, features, labels, generator):
                        squared_loss(linreg(X, w, b), y).sum().backward()
                        sgd([w, b], lr, batch_size)
                return w, b
        ''',
    },
    "train_flat_w": {
        "why": "w of shape (p,): training still works, but the result has the wrong shape",
        "feedback": "shape (p, 1)",
        "source": '''
            def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
                w = torch.normal(0, 0.01, (features.shape[1],), generator=generator).requires_grad_(True)
                b = torch.zeros(1, requires_grad=True)
                for epoch in range(num_epochs):
                    for X, y in data_iter(batch_size, features, labels, generator):
                        squared_loss(linreg(X, w, b), y.reshape(-1)).sum().backward()
                        sgd([w, b], lr, batch_size)
                return w.detach(), b.detach()
        ''',
    },
    "train_init_ignores_generator": {
        "why": "d2l's torch.normal(0, 0.01, size=(2, 1)) without the generator",
        "feedback": "generator",
        "source": '''
            def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
                w = torch.normal(0, 0.01, size=(features.shape[1], 1), requires_grad=True)
                b = torch.zeros(1, requires_grad=True)
                for epoch in range(num_epochs):
                    for X, y in data_iter(batch_size, features, labels, generator):
                        squared_loss(linreg(X, w, b), y).sum().backward()
                        sgd([w, b], lr, batch_size)
                return w.detach(), b.detach()
        ''',
    },
    "train_with_torch_optim": {
        "why": "the seed's concise loop (S:L145-153) with torch.optim.SGD: forbidden here",
        "feedback": "not allowed",
        "source": '''
            def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
                w = torch.normal(0, 0.01, (features.shape[1], 1), generator=generator).requires_grad_(True)
                b = torch.zeros(1, requires_grad=True)
                trainer = torch.optim.SGD([w, b], lr=lr)
                for epoch in range(num_epochs):
                    for X, y in data_iter(batch_size, features, labels, generator):
                        trainer.zero_grad()
                        squared_loss(linreg(X, w, b), y).mean().backward()
                        trainer.step()
                return w.detach(), b.detach()
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "d2l_style": '''
        def synthetic_data(w, b, num_examples, generator=None):
            X = torch.normal(0, 1, (num_examples, len(w)), generator=generator)
            y = torch.matmul(X, w) + b
            y += torch.normal(0, 0.01, y.shape, generator=generator)
            return X, y.reshape((-1, 1))

        def data_iter(batch_size, features, labels, generator=None):
            num_examples = len(features)
            indices = torch.randperm(num_examples, generator=generator).tolist()
            for i in range(0, num_examples, batch_size):
                batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
                yield features[batch_indices], labels[batch_indices]

        def load_array(data_arrays, batch_size, is_train=True):
            dataset = data.TensorDataset(*data_arrays)
            return data.DataLoader(dataset, batch_size, shuffle=is_train)

        def linreg(X, w, b):
            return torch.matmul(X, w) + b

        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()

        def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
            w = torch.normal(0, 0.01, size=(features.shape[1], 1), generator=generator, requires_grad=True)
            b = torch.zeros(1, requires_grad=True)
            net, loss = linreg, squared_loss
            for epoch in range(num_epochs):
                for X, y in data_iter(batch_size, features, labels, generator):
                    l = loss(net(X, w, b), y)
                    l.sum().backward()
                    sgd([w, b], lr, batch_size)
            return w.detach(), b.detach()
    ''',
    "written_differently": '''
        def synthetic_data(w, b, num_examples, generator=None):
            X = torch.randn(num_examples, w.numel(), generator=generator)
            noise = torch.randn(num_examples, 1, generator=generator) * 0.01
            y = (X.double() @ w.double().reshape(-1, 1) + b + noise.double()).float()
            return X, y

        def data_iter(batch_size, features, labels, generator=None):
            order = torch.rand(features.shape[0], generator=generator).argsort()
            for chunk in torch.split(order, batch_size):
                yield features.index_select(0, chunk), labels.index_select(0, chunk)

        def load_array(data_arrays, batch_size, is_train=True):
            dataset = data.TensorDataset(*data_arrays)
            sampler = data.RandomSampler(dataset) if is_train else data.SequentialSampler(dataset)
            return data.DataLoader(dataset, batch_size=batch_size, sampler=sampler)

        def linreg(X, w, b):
            return (X * w.T).sum(dim=1, keepdim=True) + b

        def squared_loss(y_hat, y):
            d = y_hat - y.view(*y_hat.shape)
            return 0.5 * d * d

        def sgd(params, lr, batch_size):
            for p in params:
                p.data.sub_(lr / batch_size * p.grad)
                p.grad = None

        def train_linreg(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
            p = features.shape[1]
            w = (0.01 * torch.randn(p, 1, generator=generator)).requires_grad_()
            b = torch.zeros(1).requires_grad_()
            for _ in range(num_epochs):
                for X, y in data_iter(batch_size, features, labels, generator=generator):
                    # sum over the batch, step by the actual batch length
                    squared_loss(linreg(X, w, b), y).sum().backward()
                    sgd((w, b), lr, len(X))
            return w.detach().clone(), b.detach().clone()
    ''',
}
