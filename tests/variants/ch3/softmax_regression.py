"""Recorded buggy variants of ch3/softmax_regression.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
Most are the seed's own code (S:L165-341) or the mistakes the catalogue lists.
"""
MUTANTS = {
    # ------------------------------------------------------------------ one_hot
    "one_hot_no_validation": {
        "why": "indexes without checking: -1 wraps to the last column, q raises IndexError",
        "feedback": "ValueError",
        "source": '''
            def one_hot(y, num_classes):
                out = torch.zeros(len(y), num_classes)
                out[torch.arange(len(y)), y] = 1.0
                return out
        ''',
    },
    "one_hot_int64": {
        "why": "returns the comparison as int64 instead of float32",
        "feedback": "float32",
        "source": '''
            def one_hot(y, num_classes):
                if (y < 0).any() or (y >= num_classes).any():
                    raise ValueError("label out of range")
                return (y.reshape(-1, 1) == torch.arange(num_classes)).long()
        ''',
    },
    "one_hot_forbidden": {
        "why": "calls F.one_hot",
        "feedback": "not allowed",
        "source": '''
            def one_hot(y, num_classes):
                if (y < 0).any() or (y >= num_classes).any():
                    raise ValueError("label out of range")
                return torch.nn.functional.one_hot(y, num_classes).float()
        ''',
    },
    # ------------------------------------------------------------------ softmax
    "naive_softmax": {
        "why": "the seed's S:L238-241 softmax: exp(89) = inf in float32, inf/inf = NaN",
        "feedback": "exp(89) = inf",
        "source": '''
            def softmax(X):
                X_exp = torch.exp(X)
                partition = X_exp.sum(1, keepdim=True)
                return X_exp / partition
        ''',
    },
    "softmax_dim0": {
        "why": "normalises the columns instead of the rows",
        "feedback": "dim=1",
        "source": '''
            def softmax(X):
                X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
                return X_exp / X_exp.sum(dim=0, keepdim=True)
        ''',
    },
    "softmax_global_max": {
        "why": "subtracts one global max: rows far below it underflow to 0/0",
        "feedback": "own max",
        "source": '''
            def softmax(X):
                X_exp = torch.exp(X - X.max())
                return X_exp / X_exp.sum(dim=1, keepdim=True)
        ''',
    },
    "softmax_no_keepdim": {
        "why": "X_exp.sum(1) without keepdim broadcasts along the wrong axis",
        "feedback": "keepdim",
        "source": '''
            def softmax(X):
                X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
                return X_exp / X_exp.sum(1)
        ''',
    },
    "softmax_forbidden": {
        "why": "calls torch.softmax",
        "feedback": "not allowed",
        "source": '''
            def softmax(X):
                return torch.softmax(X, dim=1)
        ''',
    },
    "softmax_nn_module": {
        "why": "uses nn.Softmax",
        "feedback": "not allowed",
        "source": '''
            def softmax(X):
                return torch.nn.Softmax(dim=1)(X)
        ''',
    },
    # ------------------------------------------------------------------ losses
    "cross_entropy_column_gather": {
        "why": "y_hat[:, y] picks whole columns: an (n, n) matrix",
        "feedback": "y_hat[torch.arange(n), y]",
        "source": '''
            def cross_entropy(y_hat, y):
                return -torch.log(y_hat[:, y])
        ''',
    },
    "cross_entropy_mean": {
        "why": "reduces to the mean instead of one loss per example",
        "feedback": "one loss per example",
        "source": '''
            def cross_entropy(y_hat, y):
                return -torch.log(y_hat[range(len(y_hat)), y]).mean()
        ''',
    },
    "ce_logits_log_naive_softmax": {
        "why": "log of the seed's naive softmax: NaN from exp(89)",
        "feedback": "overflow",
        "source": '''
            def cross_entropy_logits(O, y):
                O_exp = torch.exp(O)
                P = O_exp / O_exp.sum(1, keepdim=True)
                return -torch.log(P[range(len(P)), y])
        ''',
    },
    "ce_logits_log_of_softmax": {
        "why": "log of the (stable) softmax: a probability that underflows to 0 gives inf",
        "feedback": "log-sum-exp",
        "source": '''
            def cross_entropy_logits(O, y):
                return cross_entropy(softmax(O), y)
        ''',
    },
    "ce_logits_column_gather": {
        "why": "O[:, y] gather: (n, n)",
        "feedback": "(n, n)",
        "source": '''
            def cross_entropy_logits(O, y):
                m = O.max(dim=1, keepdim=True).values
                lse = m + torch.log(torch.exp(O - m).sum(dim=1, keepdim=True))
                return lse - O[:, y]
        ''',
    },
    "ce_logits_forbidden": {
        "why": "calls F.cross_entropy",
        "feedback": "not allowed",
        "source": '''
            def cross_entropy_logits(O, y):
                return torch.nn.functional.cross_entropy(O, y, reduction="none")
        ''',
    },
    "ce_grad_sign": {
        "why": "one_hot(y) - softmax(O)",
        "feedback": "not the reverse",
        "source": '''
            def ce_grad_logits(O, y):
                return one_hot(y, O.shape[1]) - softmax(O)
        ''',
    },
    "ce_grad_mean": {
        "why": "divides by n (the gradient of the mean loss)",
        "feedback": "no 1/n",
        "source": '''
            def ce_grad_logits(O, y):
                return (softmax(O) - one_hot(y, O.shape[1])) / O.shape[0]
        ''',
    },
    "ce_grad_autograd": {
        "why": "uses autograd, which the exercise asks to derive by hand",
        "feedback": "not allowed",
        "source": '''
            def ce_grad_logits(O, y):
                O = O.detach().clone().requires_grad_(True)
                cross_entropy_logits(O, y).sum().backward()
                return O.grad
        ''',
    },
    # ------------------------------------------------------------------ accuracy, Accumulator
    "accuracy_fraction": {
        "why": "returns the fraction instead of the count",
        "feedback": "a count, not a fraction",
        "source": '''
            def accuracy(y_hat, y):
                if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                    y_hat = y_hat.argmax(axis=1)
                return float((y_hat.type(y.dtype) == y).float().mean())
        ''',
    },
    "accuracy_tensor": {
        "why": "returns a 0-d tensor instead of a Python float",
        "feedback": "float(",
        "source": '''
            def accuracy(y_hat, y):
                if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                    y_hat = y_hat.argmax(axis=1)
                return (y_hat.type(y.dtype) == y).sum()
        ''',
    },
    "accumulator_overwrites": {
        "why": "add replaces the sums instead of adding to them",
        "feedback": "running sums",
        "source": '''
            class Accumulator:
                def __init__(self, n):
                    self.data = [0.0] * n
                def add(self, *args):
                    self.data = [float(b) for b in args]
                def reset(self):
                    self.data = [0.0] * len(self.data)
                def __getitem__(self, idx):
                    return self.data[idx]
        ''',
    },
    # ------------------------------------------------------------------ evaluate_accuracy
    "eval_mean_of_batches": {
        "why": "the mean of per-batch accuracies (wrong when the last batch is smaller)",
        "feedback": "last batch is smaller",
        "source": '''
            def evaluate_accuracy(net, data_iter):
                if isinstance(net, torch.nn.Module):
                    net.eval()
                accs = []
                with torch.no_grad():
                    for X, y in data_iter:
                        accs.append(accuracy(net(X), y) / y.numel())
                return sum(accs) / len(accs)
        ''',
    },
    "eval_no_eval_mode": {
        "why": "forgets net.eval(): Dropout stays on",
        "feedback": "net.eval()",
        "source": '''
            def evaluate_accuracy(net, data_iter):
                metric = Accumulator(2)
                with torch.no_grad():
                    for X, y in data_iter:
                        metric.add(accuracy(net(X), y), y.numel())
                return metric[0] / metric[1]
        ''',
    },
    "eval_no_no_grad": {
        "why": "calls eval() but records the graph (S:L256's comment taken at its word)",
        "feedback": "no_grad",
        "source": '''
            def evaluate_accuracy(net, data_iter):
                if isinstance(net, torch.nn.Module):
                    net.eval()
                metric = Accumulator(2)
                for X, y in data_iter:
                    metric.add(accuracy(net(X), y), y.numel())
                return metric[0] / metric[1]
        ''',
    },
    # ------------------------------------------------------------------ train_epoch_ch3, train_ch3
    "train_epoch_unweighted": {
        "why": "averages the per-batch means",
        "feedback": "means of per-batch means",
        "source": '''
            def train_epoch_ch3(net, train_iter, loss, updater):
                if isinstance(net, torch.nn.Module):
                    net.train()
                losses, accs = [], []
                for X, y in train_iter:
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.mean().backward()
                        updater.step()
                    else:
                        l.sum().backward()
                        updater(X.shape[0])
                    losses.append(float(l.mean()))
                    accs.append(accuracy(y_hat, y) / y.numel())
                return sum(losses) / len(losses), sum(accs) / len(accs)
        ''',
    },
    "train_epoch_optimizer_sum": {
        "why": "l.sum().backward() with a torch.optim optimizer",
        "feedback": "l.mean().backward()",
        "source": '''
            def train_epoch_ch3(net, train_iter, loss, updater):
                if isinstance(net, torch.nn.Module):
                    net.train()
                metric = Accumulator(3)
                for X, y in train_iter:
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.sum().backward()
                        updater.step()
                    else:
                        l.sum().backward()
                        updater(X.shape[0])
                    metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
                return metric[0] / metric[2], metric[1] / metric[2]
        ''',
    },
    "train_epoch_custom_mean": {
        "why": "l.mean().backward() with the custom updater: divides by the batch size twice",
        "feedback": "divides twice",
        "source": '''
            def train_epoch_ch3(net, train_iter, loss, updater):
                if isinstance(net, torch.nn.Module):
                    net.train()
                metric = Accumulator(3)
                for X, y in train_iter:
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.mean().backward()
                        updater.step()
                    else:
                        l.mean().backward()
                        updater(X.shape[0])
                    metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
                return metric[0] / metric[2], metric[1] / metric[2]
        ''',
    },
    "train_epoch_no_train_mode": {
        "why": "never calls net.train() (the net stays in eval mode after evaluate_accuracy)",
        "feedback": "net.train()",
        "source": '''
            def train_epoch_ch3(net, train_iter, loss, updater):
                metric = Accumulator(3)
                for X, y in train_iter:
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.mean().backward()
                        updater.step()
                    else:
                        l.sum().backward()
                        updater(X.shape[0])
                    metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
                return metric[0] / metric[2], metric[1] / metric[2]
        ''',
    },
    "train_ch3_epoch_plus_2": {
        "why": "the seed's S:L303: animator.add(epoch + 2, ...)",
        "feedback": "epoch + 2",
        "source": '''
            def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater, animator=None):
                history = {"train_loss": [], "train_acc": [], "test_acc": []}
                for epoch in range(num_epochs):
                    train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
                    test_acc = evaluate_accuracy(net, test_iter)
                    if animator is not None:
                        animator.add(epoch + 2, train_metrics + (test_acc,))
                    train_loss, train_acc = train_metrics
                    history["train_loss"].append(train_loss)
                    history["train_acc"].append(train_acc)
                    history["test_acc"].append(test_acc)
                return history
        ''',
    },
    "train_ch3_last_epoch_only": {
        "why": "returns the last epoch's numbers instead of the per-epoch history",
        "feedback": "one entry per epoch",
        "source": '''
            def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater, animator=None):
                for epoch in range(num_epochs):
                    train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
                    test_acc = evaluate_accuracy(net, test_iter)
                    if animator is not None:
                        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
                return {"train_loss": [train_loss], "train_acc": [train_acc], "test_acc": [test_acc]}
        ''',
    },
    # ------------------------------------------------------------------ Animator
    "animator_no_broadcast": {
        "why": "add(x, y) without broadcasting a scalar x",
        "feedback": "x = [x] * n",
        "source": '''
            class Animator(Animator):
                def add(self, x, y):
                    if not hasattr(y, "__len__"):
                        y = [y]
                    n = len(y)
                    if not self.X:
                        self.X = [[] for _ in range(n)]
                        self.Y = [[] for _ in range(n)]
                    for i, (a, b) in enumerate(zip(x, y)):
                        if a is not None and b is not None:
                            self.X[i].append(a)
                            self.Y[i].append(b)
        ''',
    },
    "animator_keeps_none": {
        "why": "appends None values instead of skipping them",
        "feedback": "skip a pair",
        "source": '''
            class Animator(Animator):
                def add(self, x, y):
                    if not hasattr(y, "__len__"):
                        y = [y]
                    n = len(y)
                    if not hasattr(x, "__len__"):
                        x = [x] * n
                    if not self.X:
                        self.X = [[] for _ in range(n)]
                        self.Y = [[] for _ in range(n)]
                    for i, (a, b) in enumerate(zip(x, y)):
                        self.X[i].append(a)
                        self.Y[i].append(b)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "softmax_logsumexp_by_hand": '''
        def softmax(X):
            m = X.max(dim=1, keepdim=True).values
            lse = m + torch.log(torch.exp(X - m).sum(dim=1, keepdim=True))
            return torch.exp(X - lse)
    ''',
    "softmax_reciprocal_and_loop": '''
        def softmax(X):
            rows = []
            for row in X:
                e = torch.exp(row - torch.max(row))
                rows.append(e * (1.0 / e.sum()))
            return torch.stack(rows)
    ''',
    "float64_inside": '''
        def softmax(X):
            Z = X.double()
            Z = torch.exp(Z - Z.amax(dim=1, keepdim=True))
            return (Z / Z.sum(dim=1, keepdim=True)).to(X.dtype)

        def cross_entropy_logits(O, y):
            Z = O.double()
            m = Z.amax(dim=1, keepdim=True)
            lse = (m + torch.log(torch.exp(Z - m).sum(dim=1, keepdim=True))).squeeze(1)
            return (lse - Z.gather(1, y.reshape(-1, 1)).squeeze(1)).to(O.dtype)

        def ce_grad_logits(O, y):
            return (softmax(O.double()) - one_hot(y, O.shape[1]).double()).to(O.dtype)
    ''',
    "gather_and_scatter": '''
        def one_hot(y, num_classes):
            if bool((y < 0).any()) or bool((y >= num_classes).any()):
                raise ValueError(f"labels outside [0, {num_classes})")
            return torch.zeros(y.shape[0], num_classes, device=y.device).scatter_(1, y.reshape(-1, 1), 1.0)

        def cross_entropy(y_hat, y):
            return -torch.log(y_hat.gather(1, y.unsqueeze(1))).squeeze(1)

        def cross_entropy_logits(O, y):
            m = O.max(dim=1, keepdim=True).values
            lse = m + torch.log(torch.exp(O - m).sum(dim=1, keepdim=True))
            return (lse - O.gather(1, y.unsqueeze(1))).squeeze(1)

        def ce_grad_logits(O, y):
            m = O.max(dim=1, keepdim=True).values
            lse = m + torch.log(torch.exp(O - m).sum(dim=1, keepdim=True))
            return torch.exp(O - lse) - (y.reshape(-1, 1) == torch.arange(O.shape[1], device=O.device)).to(O.dtype)
    ''',
    "one_hot_eye_rows": '''
        def one_hot(y, num_classes):
            if y.min() < 0 or y.max() >= num_classes:
                raise ValueError("label out of range")
            return torch.eye(num_classes, device=y.device)[y]
    ''',
    "loops_and_numpy": '''
        import numpy as np

        def accuracy(y_hat, y):
            if y_hat.dim() == 2:
                preds = [max(range(len(row)), key=lambda j: float(row[j])) for row in y_hat]
            else:
                preds = [int(v) for v in y_hat]
            count = 0
            for p, t in zip(preds, y.tolist()):
                if p == t:
                    count += 1
            return float(count)

        class Accumulator:
            def __init__(self, n):
                self.data = np.zeros(n)

            def add(self, *args):
                self.data = self.data + np.array([float(a) for a in args])

            def reset(self):
                self.data[:] = 0

            def __getitem__(self, idx):
                return self.data[idx]
    ''',
    "seed_code_d2l": '''
        def accuracy(y_hat, y):
            """计算预测正确的数量"""
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis = 1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())

        def evaluate_accuracy(net, data_iter):
            """计算在指定数据集上模型的精度"""
            if isinstance(net, torch.nn.Module):
                net.eval()
            metric = Accumulator(2)
            with torch.no_grad():
                for X, y in data_iter:
                    metric.add(accuracy(net(X), y), y.numel())
            return metric[0] / metric[1]

        class Accumulator:
            def __init__(self, n):
                self.data = [0.0] * n
            def add(self, *args):
                self.data = [a + float(b) for a, b in zip(self.data, args)]
            def reset(self):
                self.data = [0.0] * len(self.data)
            def __getitem__(self, idx):
                return self.data[idx]

        def train_epoch_ch3(net, train_iter, loss, updater):
            """训练模型一轮"""
            if isinstance(net, torch.nn.Module):
                net.train()
            metric = Accumulator(3)
            for X, y in train_iter:
                y_hat = net(X)
                l = loss(y_hat, y)
                if isinstance(updater, torch.optim.Optimizer):
                    updater.zero_grad()
                    l.mean().backward()
                    updater.step()
                else:
                    l.sum().backward()
                    updater(X.shape[0])
                metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
            return metric[0] / metric[2], metric[1] / metric[2]

        def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater, animator=None):
            """训练模型多轮"""
            history = {"train_loss": [], "train_acc": [], "test_acc": []}
            for epoch in range(num_epochs):
                train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
                test_acc = evaluate_accuracy(net, test_iter)
                if animator is not None:
                    animator.add(epoch + 1, train_metrics + (test_acc,))
                for key, value in zip(history, train_metrics + (test_acc,)):
                    history[key].append(value)
            return history
    ''',
    "inference_mode_and_int_counts": '''
        def evaluate_accuracy(net, data_iter):
            if isinstance(net, torch.nn.Module):
                net.eval()
            correct = total = 0
            with torch.inference_mode():
                for X, y in data_iter:
                    correct += int(accuracy(net(X), y))
                    total += len(y)
            return correct / total

        def train_epoch_ch3(net, train_iter, loss, updater):
            if isinstance(net, torch.nn.Module):
                net.train()
            loss_sum = torch.zeros((), dtype=torch.float64)
            correct = total = 0
            for X, y in train_iter:
                y_hat = net(X)
                l = loss(y_hat, y)
                if isinstance(updater, torch.optim.Optimizer):
                    updater.zero_grad()
                    l.mean().backward()
                    updater.step()
                else:
                    l.sum().backward()
                    updater(len(y))
                loss_sum += l.detach().double().sum()
                correct += int(accuracy(y_hat.detach(), y))
                total += len(y)
            return loss_sum.item() / total, correct / total
    ''',
    "animator_draws_eagerly": '''
        class Animator:
            """d2l's Animator: a figure made in __init__ and redrawn on every add (without pyplot/IPython)."""
            def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale="linear",
                         yscale="linear", fmts=("-", "m--", "g-.", "r:"), nrows=1, ncols=1, figsize=(3.5, 2.5)):
                from matplotlib.figure import Figure
                if legend is None:
                    legend = []
                self.fig = Figure(figsize=figsize)
                self.axes = self.fig.subplots(nrows, ncols)
                if nrows * ncols == 1:
                    self.axes = [self.axes, ]
                def config_axes():
                    ax = self.axes[0]
                    ax.set_xlabel(xlabel)
                    ax.set_ylabel(ylabel)
                    ax.set_xscale(xscale)
                    ax.set_yscale(yscale)
                    ax.set_xlim(xlim)
                    ax.set_ylim(ylim)
                    if legend:
                        ax.legend(legend)
                    ax.grid()
                self.config_axes = config_axes
                self.X, self.Y, self.fmts = None, None, fmts

            def add(self, x, y):
                if not hasattr(y, "__len__"):
                    y = [y]
                n = len(y)
                if not hasattr(x, "__len__"):
                    x = [x] * n
                if not self.X:
                    self.X = [[] for _ in range(n)]
                if not self.Y:
                    self.Y = [[] for _ in range(n)]
                for i, (a, b) in enumerate(zip(x, y)):
                    if a is not None and b is not None:
                        self.X[i].append(a)
                        self.Y[i].append(b)
                self.axes[0].cla()
                for x, y, fmt in zip(self.X, self.Y, self.fmts):
                    self.axes[0].plot(x, y, fmt)
                self.config_axes()

            def save(self, path):
                self.fig.savefig(path)
    ''',
}
