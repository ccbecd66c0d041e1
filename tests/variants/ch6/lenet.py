"""Recorded variants of ch6/lenet.py: MUTANTS (realistic mistakes; each must be rejected by at least one grader, with
the "feedback" substring in the failure output) and ALTERNATIVES (correct code written differently; every grader
must accept them).

Each entry is appended to the reference solution, so it replaces the named functions and may use the solution's
imports (torch, nn) and helpers (accuracy, Accumulator, the other functions).
"""

# the reference's train_ch6 body with one line changed is the usual shape of a mutant: kept readable here
_TRAIN = '''
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, animator=None, generator=None):
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            {init}
    net.apply(init_weights)
    net.to({device})
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss({reduction})
    history = {{"train_loss": [], "train_acc": [], "test_acc": []}}
    {train_once}
    for epoch in range(num_epochs):
        metric = Accumulator(3)
        {train_each}
        for X, y in train_iter:
            X, y = X.to({device}), y.to({device})
            y_hat = net(X)
            l = loss(y_hat, y)
            {zero_grad}
            l.backward()
            optimizer.step()
            {after_step}
            with torch.no_grad():
                metric.add({loss_term}, accuracy(y_hat, y), X.shape[0])
        train_loss, train_acc = metric[0] / metric[2], metric[1] / metric[2]
        test_acc = {evaluate}
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_acc"].append(test_acc)
        if animator is not None:
            animator.add({x}, (train_loss, train_acc, test_acc))
    return history
'''
_DEFAULTS = dict(init="nn.init.xavier_uniform_(m.weight, generator=generator)", device="device", reduction="",
                 train_once="", train_each="net.train()", zero_grad="optimizer.zero_grad()", after_step="",
                 loss_term="l * X.shape[0]", evaluate="evaluate_accuracy_gpu(net, test_iter)", x="epoch + 1")


def _train(**changes):
    return _TRAIN.format(**{**_DEFAULTS, **changes})


MUTANTS = {
    # ------------------------------------------------------------------ LeNet
    "lenet_no_padding": {
        "why": "the first convolution without padding=2: 24×24 maps, Flatten gives 256 ≠ 400 (a shape error)",
        "feedback": "padding=2",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
        ''',
    },
    "lenet_no_padding_linear_256": {
        "why": "no padding=2, and the first Linear shrunk to 256 inputs to make it run: 44,426 parameters",
        "feedback": "padding=2",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.Linear(16 * 4 * 4, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
        ''',
    },
    "lenet_modern": {
        "why": "the 'modern' LeNet: ReLU and MaxPool2d (same shapes and parameter count, another function)",
        "feedback": "modern",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        ''',
    },
    "lenet_maxpool": {
        "why": "sigmoids kept, but max pooling instead of the book's average pooling",
        "feedback": "nn.AvgPool2d(kernel_size=2, stride=2)",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
        ''',
    },
    "lenet_missing_sigmoid": {
        "why": "no Sigmoid between Linear(120, 84) and Linear(84, 10): 11 layers",
        "feedback": "Sigmoid after the first two Linear layers",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Linear(84, 10))
        ''',
    },
    "lenet_final_sigmoid": {
        "why": "a Sigmoid after the output layer: the scores are squashed into (0, 1)",
        "feedback": "none after the last one",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10),
                    nn.Sigmoid())
        ''',
    },
    "lenet_lazy": {
        "why": "nn.LazyLinear (d2l-en's style): no parameters until the first forward pass",
        "feedback": "no lazy layers",
        "source": '''
            def LeNet():
                return nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Flatten(),
                    nn.LazyLinear(120), nn.Sigmoid(), nn.LazyLinear(84), nn.Sigmoid(), nn.LazyLinear(10))
        ''',
    },
    "lenet_nested": {
        "why": "the layers grouped into a features and a classifier block: state_dict keys '0.0.weight', …",
        "feedback": "nested blocks",
        "source": '''
            def LeNet():
                features = nn.Sequential(
                    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2))
                classifier = nn.Sequential(
                    nn.Flatten(),
                    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
                return nn.Sequential(features, classifier)
        ''',
    },
    # ------------------------------------------------------------------ evaluate_accuracy_gpu
    "eval_mean_of_batches": {
        "why": "the mean of per-batch accuracies (wrong when the last batch is smaller)",
        "feedback": "the last batch is smaller",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                if isinstance(net, nn.Module):
                    net.eval()
                    if device is None:
                        device = next(iter(net.parameters())).device
                accs = []
                with torch.no_grad():
                    for X, y in data_iter:
                        X, y = X.to(device), y.to(device)
                        accs.append(accuracy(net(X), y) / y.numel())
                return sum(accs) / len(accs)
        ''',
    },
    "eval_no_eval": {
        "why": "forgets net.eval(): Dropout stays on while evaluating",
        "feedback": "net.eval()",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                if isinstance(net, nn.Module) and device is None:
                    device = next(iter(net.parameters())).device
                metric = Accumulator(2)
                with torch.no_grad():
                    for X, y in data_iter:
                        X, y = X.to(device), y.to(device)
                        metric.add(accuracy(net(X), y), y.numel())
                return metric[0] / metric[1]
        ''',
    },
    "eval_no_no_grad": {
        "why": "eval() but no torch.no_grad(): autograd records a graph for every batch",
        "feedback": "no_grad",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                if isinstance(net, nn.Module):
                    net.eval()
                    if device is None:
                        device = next(iter(net.parameters())).device
                metric = Accumulator(2)
                for X, y in data_iter:
                    X, y = X.to(device), y.to(device)
                    metric.add(accuracy(net(X), y), y.numel())
                return metric[0] / metric[1]
        ''',
    },
    "eval_hardcoded_cuda": {
        "why": "device None → 'cuda' (d2l.try_gpu() style) instead of the net's own device",
        "feedback": "never hard-code",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                if isinstance(net, nn.Module):
                    net.eval()
                if device is None:
                    device = torch.device("cuda")
                metric = Accumulator(2)
                with torch.no_grad():
                    for X, y in data_iter:
                        X, y = X.to(device), y.to(device)
                        metric.add(accuracy(net(X), y), y.numel())
                return metric[0] / metric[1]
        ''',
    },
    "eval_count": {
        "why": "returns the number of correct predictions instead of the fraction",
        "feedback": "divide it by the number of examples",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                if isinstance(net, nn.Module):
                    net.eval()
                    if device is None:
                        device = next(iter(net.parameters())).device
                correct = 0.0
                with torch.no_grad():
                    for X, y in data_iter:
                        X, y = X.to(device), y.to(device)
                        correct += accuracy(net(X), y)
                return correct
        ''',
    },
    "eval_tensor": {
        "why": "sums the comparisons as tensors: returns a 0-d tensor, not a Python float",
        "feedback": "Python float",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                if isinstance(net, nn.Module):
                    net.eval()
                    if device is None:
                        device = next(iter(net.parameters())).device
                correct, total = torch.tensor(0.0), 0
                with torch.no_grad():
                    for X, y in data_iter:
                        X, y = X.to(device), y.to(device)
                        correct = correct + (net(X).argmax(1) == y).sum()
                        total += y.numel()
                return correct / total
        ''',
    },
    "eval_plain_function_crash": {
        "why": "asks every net for its parameters: a plain function raises AttributeError",
        "feedback": "a plain function has no .parameters()",
        "source": '''
            def evaluate_accuracy_gpu(net, data_iter, device=None):
                net.eval() if isinstance(net, nn.Module) else None
                if device is None:
                    device = next(iter(net.parameters())).device
                metric = Accumulator(2)
                with torch.no_grad():
                    for X, y in data_iter:
                        X, y = X.to(device), y.to(device)
                        metric.add(accuracy(net(X), y), y.numel())
                return metric[0] / metric[1]
        ''',
    },
    # ------------------------------------------------------------------ train_ch6
    "train_no_zero_grad": {
        "why": "never clears the gradients: every step adds all the previous ones",
        "feedback": "optimizer.zero_grad()",
        "source": _train(zero_grad="pass"),
    },
    "train_mode_once": {
        "why": "net.train() once before the loop: from epoch 2 on it trains in eval mode (Dropout/BatchNorm off)",
        "feedback": "inside the epoch loop",
        "source": _train(train_once="net.train()", train_each="pass"),
    },
    "train_init_linear_only": {
        "why": "the ch3/ch4 init helper: only nn.Linear weights are re-initialised",
        "feedback": "nn.Conv2d layers too",
        "source": _train().replace("if type(m) == nn.Linear or type(m) == nn.Conv2d:", "if type(m) == nn.Linear:"),
    },
    "train_init_global_rng": {
        "why": "the book's nn.init.xavier_uniform_(m.weight): the global RNG, not the generator",
        "feedback": "generator=generator",
        "source": _train(init="nn.init.xavier_uniform_(m.weight)"),
    },
    "train_init_zero_bias": {
        "why": "ch5's init_weights: also zeroes the biases",
        "feedback": "leave m.bias alone",
        "source": _train(init="nn.init.xavier_uniform_(m.weight, generator=generator); nn.init.zeros_(m.bias)"),
    },
    "train_init_xavier_normal": {
        "why": "Xavier-normal instead of Xavier-uniform",
        "feedback": "xavier_normal_",
        "source": _train(init="nn.init.xavier_normal_(m.weight, generator=generator)"),
    },
    "train_init_default": {
        "why": "PyTorch's default weight init redrawn (kaiming_uniform_ with a = √5, U(±1/√fan_in)): too narrow",
        "feedback": "too narrow",
        "source": _train(init="nn.init.kaiming_uniform_(m.weight, a=5 ** 0.5, generator=generator)"),
    },
    "train_no_init": {
        "why": "no re-initialisation at all",
        "feedback": "start with the book's init",
        "source": _train().replace("net.apply(init_weights)", "pass"),
    },
    "train_summed_loss": {
        "why": "nn.CrossEntropyLoss(reduction='sum'): SGD on the summed loss, steps batch-size times too large",
        "feedback": "summed loss",
        "source": _train(reduction="reduction='sum'", loss_term="l"),
    },
    "train_loss_unweighted": {
        "why": "the epoch loss is the mean of the per-batch mean losses",
        "feedback": "mean of the per-batch mean losses",
        "source": _train(loss_term="l").replace(
            "train_loss, train_acc = metric[0] / metric[2], metric[1] / metric[2]",
            "train_loss, train_acc = metric[0] / len(train_iter), metric[1] / metric[2]"),
    },
    "train_loss_not_scaled": {
        "why": "metric.add(l, ...): the batch's mean loss is added without its size, then divided by the examples",
        "feedback": "batch-size times",
        "source": _train(loss_term="l"),
    },
    "train_acc_after_step": {
        "why": "counts the correct predictions of a new forward pass after the update",
        "feedback": "same forward pass",
        "source": _train(after_step="y_hat = net(X)"),
    },
    "train_animator_epoch": {
        "why": "animator.add(epoch, ...): epoch k plotted at x = k",
        "feedback": "x = k + 1",
        "source": _train(x="epoch"),
    },
    "train_eval_in_train_mode": {
        "why": "a hand-written test loop without net.eval() or no_grad",
        "feedback": "it calls net.eval()",
        "source": _train(evaluate="sum(accuracy(net(Xt), yt) for Xt, yt in test_iter) / "
                                  "sum(len(yt) for _, yt in test_iter)"),
    },
    "train_hardcoded_cuda": {
        "why": "trains on torch.device('cuda') whatever device it is given",
        "feedback": "never hard-code",
        "source": _train(device="torch.device('cuda')"),
    },
    "train_test_acc_on_train_set": {
        "why": "evaluates on the training loader",
        "feedback": "on the test loader",
        "source": _train(evaluate="evaluate_accuracy_gpu(net, train_iter)"),
    },
}

ALTERNATIVES = {
    # d2l §6.6's own code (PyTorch tab). Adapted where the contract differs: the animator is passed in (the book
    # builds a d2l.Animator) and may be None; its in-epoch points every max(1, num_batches // 5) batches (the book's
    # num_batches // 5 is 0 for fewer than 5 batches: modulo by zero); the generator goes to xavier_uniform_; the
    # history is returned; d2l.size(y) is y.numel(); no d2l.Timer.
    "book": '''
        def LeNet():
            net = nn.Sequential(
                nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
                nn.AvgPool2d(kernel_size=2, stride=2),
                nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
                nn.AvgPool2d(kernel_size=2, stride=2),
                nn.Flatten(),
                nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
                nn.Linear(120, 84), nn.Sigmoid(),
                nn.Linear(84, 10))
            return net

        def evaluate_accuracy_gpu(net, data_iter, device=None): #@save
            """使用GPU计算模型在数据集上的精度"""
            if isinstance(net, nn.Module):
                net.eval()  # 设置为评估模式
                if not device:
                    device = next(iter(net.parameters())).device
            # 正确预测的数量，总预测的数量
            metric = Accumulator(2)
            with torch.no_grad():
                for X, y in data_iter:
                    if isinstance(X, list):
                        # BERT微调所需的（之后将介绍）
                        X = [x.to(device) for x in X]
                    else:
                        X = X.to(device)
                    y = y.to(device)
                    metric.add(accuracy(net(X), y), y.numel())
            return metric[0] / metric[1]

        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, animator=None, generator=None):
            """用GPU训练模型(在第六章定义)"""
            def init_weights(m):
                if type(m) == nn.Linear or type(m) == nn.Conv2d:
                    nn.init.xavier_uniform_(m.weight, generator=generator)
            net.apply(init_weights)
            print('training on', device)
            net.to(device)
            optimizer = torch.optim.SGD(net.parameters(), lr=lr)
            loss = nn.CrossEntropyLoss()
            num_batches = len(train_iter)
            history = {"train_loss": [], "train_acc": [], "test_acc": []}
            for epoch in range(num_epochs):
                # 训练损失之和，训练准确率之和，样本数
                metric = Accumulator(3)
                net.train()
                for i, (X, y) in enumerate(train_iter):
                    optimizer.zero_grad()
                    X, y = X.to(device), y.to(device)
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    l.backward()
                    optimizer.step()
                    with torch.no_grad():
                        metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
                    train_l = metric[0] / metric[2]
                    train_acc = metric[1] / metric[2]
                    if animator is not None and ((i + 1) % max(1, num_batches // 5) == 0 or i == num_batches - 1):
                        animator.add(epoch + (i + 1) / num_batches,
                                     (train_l, train_acc, None))
                test_acc = evaluate_accuracy_gpu(net, test_iter)
                if animator is not None:
                    animator.add(epoch + 1, (None, None, test_acc))
                history["train_loss"].append(train_l)
                history["train_acc"].append(train_acc)
                history["test_acc"].append(test_acc)
            if num_epochs:
                print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, '
                      f'test acc {test_acc:.3f}')
            return history
    ''',
    # a Sequential subclass built with a loop; counting with integers under inference_mode; a hand-written SGD step
    # (no torch.optim), F.cross_entropy, the modules walked with isinstance, float64 bookkeeping, a torch.device.
    "subclass_handwritten_sgd": '''
        class LeNet(nn.Sequential):
            def __init__(self):
                layers = []
                for c_in, c_out, pad in ((1, 6, 2), (6, 16, 0)):
                    layers += [nn.Conv2d(c_in, c_out, kernel_size=5, padding=pad), nn.Sigmoid(),
                               nn.AvgPool2d(2)]
                layers.append(nn.Flatten())
                for n_in, n_out in ((400, 120), (120, 84)):
                    layers += [nn.Linear(n_in, n_out), nn.Sigmoid()]
                layers.append(nn.Linear(84, 10))
                super().__init__(*layers)

        def evaluate_accuracy_gpu(net, data_iter, device=None):
            if isinstance(net, nn.Module):
                net.eval()
                if device is None:
                    device = next(net.parameters()).device
            correct = total = 0
            with torch.inference_mode():
                for X, y in data_iter:
                    if device is not None:
                        X, y = X.to(device), y.to(device)
                    correct += int((net(X).argmax(dim=1) == y).sum().item())
                    total += int(y.shape[0])
            return correct / total

        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, animator=None, generator=None):
            device = torch.device(device)
            for m in net.modules():
                if isinstance(m, (nn.Linear, nn.Conv2d)):
                    fan_in = m.weight.shape[1] * m.weight[0, 0].numel()
                    fan_out = m.weight.shape[0] * m.weight[0, 0].numel()
                    a = (6.0 / (fan_in + fan_out)) ** 0.5
                    with torch.no_grad():
                        u = torch.rand(m.weight.shape, generator=generator, dtype=torch.float64)
                        m.weight.copy_((2 * u - 1) * a)
            net = net.to(device)
            params = [p for p in net.parameters() if p.requires_grad]
            history = {"train_loss": [], "train_acc": [], "test_acc": []}
            for epoch in range(num_epochs):
                net.train()
                loss_sum, correct, n = 0.0, 0, 0
                for X, y in train_iter:
                    X, y = X.to(device), y.to(device)
                    y_hat = net(X)
                    l = torch.nn.functional.cross_entropy(y_hat, y)
                    for p in params:
                        p.grad = None
                    l.backward()
                    with torch.no_grad():
                        for p in params:
                            p.sub_(lr * p.grad)
                    loss_sum += float(l.detach().double()) * y.numel()
                    correct += int((y_hat.argmax(dim=1) == y).sum())
                    n += y.numel()
                history["train_loss"].append(loss_sum / n)
                history["train_acc"].append(correct / n)
                history["test_acc"].append(evaluate_accuracy_gpu(net, test_iter, device))
                if animator is not None:
                    animator.add([epoch + 1] * 3,
                                 [history[k][-1] for k in ("train_loss", "train_acc", "test_acc")])
            return history
    ''',
    # blocks from a helper; per-example losses averaged by hand; zero_grad(set_to_none=False) before the forward;
    # the accuracy counted in a float32 tensor and divided in float32 (rounding ~1e-8).
    "helper_blocks_per_example_loss": '''
        def evaluate_accuracy_gpu(net, data_iter, device=None):
            if isinstance(net, nn.Module):
                net.eval()
                device = device or next(net.parameters()).device
            correct, n = torch.zeros(()), torch.zeros(())
            with torch.no_grad():
                for X, y in data_iter:
                    X, y = X.to(device) if device else X, y.to(device) if device else y
                    correct += (net(X).argmax(dim=-1) == y).float().sum().cpu()
                    n += y.shape[0]
            return (correct / n).item()

        def _stage(c_in, c_out, padding):
            return [nn.Conv2d(c_in, c_out, 5, padding=padding), nn.Sigmoid(), nn.AvgPool2d(2, stride=2)]

        def LeNet():
            return nn.Sequential(*_stage(1, 6, 2), *_stage(6, 16, 0), nn.Flatten(start_dim=1),
                                 nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                                 nn.Linear(84, 10))

        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, animator=None, generator=None):
            for m in net.modules():
                if type(m) in (nn.Linear, nn.Conv2d):
                    nn.init.xavier_uniform_(m.weight, gain=1.0, generator=generator)
            net.to(device)
            optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.0)
            per_example = nn.CrossEntropyLoss(reduction="none")
            history = {"train_loss": [], "train_acc": [], "test_acc": []}
            for epoch in range(num_epochs):
                net.train()
                metric = Accumulator(3)
                for X, y in train_iter:
                    X, y = X.to(device), y.to(device)
                    optimizer.zero_grad(set_to_none=False)
                    y_hat = net(X)
                    ls = per_example(y_hat, y)              # (b,)
                    ls.mean().backward()
                    optimizer.step()
                    metric.add(ls.detach().sum(), accuracy(y_hat.detach(), y), y.numel())
                history["train_loss"].append(metric[0] / metric[2])
                history["train_acc"].append(metric[1] / metric[2])
                history["test_acc"].append(evaluate_accuracy_gpu(net, test_iter))
                if animator is not None:
                    animator.add(epoch + 1, tuple(history[k][-1] for k in history))
            return history
    ''',
}
