"""Recorded variants of ch8/rnn_scratch.py: MUTANTS (realistic mistakes; each must be rejected by at least one
grader, with the "feedback" substring in the failure output) and ALTERNATIVES (correct code written differently;
every grader must accept them).

Each entry is appended to the reference solution, so it replaces the named functions and may use the solution's
imports and other functions.
"""
MUTANTS = {
    # ------------------------------------------------------------------ perplexity
    "perplexity_without_exp": {
        "why": "returns the mean cross-entropy",
        "feedback": "is its exponential",
        "source": '''
            def perplexity(logits, y):
                return float(F.cross_entropy(logits, y))
        ''',
    },
    "perplexity_exp_of_sum": {
        "why": "exp of the summed loss",
        "feedback": "mean over the n tokens",
        "source": '''
            def perplexity(logits, y):
                return math.exp(float(F.cross_entropy(logits, y, reduction="sum")))
        ''',
    },
    "perplexity_mean_of_exps": {
        "why": "mean of exp(per-token loss)",
        "feedback": "not the arithmetic mean of 1/p",
        "source": '''
            def perplexity(logits, y):
                return float(F.cross_entropy(logits, y, reduction="none").exp().mean())
        ''',
    },
    "perplexity_base_two": {
        "why": "2 ** mean CE (bits formula on a loss in nats)",
        "feedback": "in nats",
        "source": '''
            def perplexity(logits, y):
                return 2.0 ** float(F.cross_entropy(logits, y))
        ''',
    },
    # ------------------------------------------------------------------ get_params
    "get_params_nn_linear_layout": {
        "why": "W_xh (h, V) and W_hq (V, h), nn.Linear's (out, in) layout",
        "feedback": "X @ W",
        "source": '''
            def get_params(vocab_size, num_hiddens, device=None, generator=None):
                def normal(shape):
                    return torch.randn(size=shape, device=device, generator=generator) * 0.01
                params = [normal((num_hiddens, vocab_size)), normal((num_hiddens, num_hiddens)),
                          torch.zeros(num_hiddens, device=device), normal((vocab_size, num_hiddens)),
                          torch.zeros(vocab_size, device=device)]
                for p in params:
                    p.requires_grad_(True)
                return params
        ''',
    },
    "get_params_not_leaves": {
        "why": "torch.randn(..., requires_grad=True) * 0.01: the weights are not leaves",
        "feedback": "is not a leaf",
        "source": '''
            def get_params(vocab_size, num_hiddens, device=None, generator=None):
                def normal(shape):
                    return torch.randn(size=shape, device=device, generator=generator, requires_grad=True) * 0.01
                return [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                        torch.zeros(num_hiddens, device=device, requires_grad=True),
                        normal((num_hiddens, vocab_size)), torch.zeros(vocab_size, device=device, requires_grad=True)]
        ''',
    },
    "get_params_global_rng": {
        "why": "ignores the generator (the book's code)",
        "feedback": "draw with the generator",
        "source": '''
            def get_params(vocab_size, num_hiddens, device=None, generator=None):
                def normal(shape):
                    return torch.randn(size=shape, device=device) * 0.01
                params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                          torch.zeros(num_hiddens, device=device), normal((num_hiddens, vocab_size)),
                          torch.zeros(vocab_size, device=device)]
                for p in params:
                    p.requires_grad_(True)
                return params
        ''',
    },
    "get_params_uniform": {
        "why": "torch.rand instead of torch.randn",
        "feedback": "torch.rand draws from U(0, 1)",
        "source": '''
            def get_params(vocab_size, num_hiddens, device=None, generator=None):
                def normal(shape):
                    return torch.rand(size=shape, device=device, generator=generator) * 0.01
                params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                          torch.zeros(num_hiddens, device=device), normal((num_hiddens, vocab_size)),
                          torch.zeros(vocab_size, device=device)]
                for p in params:
                    p.requires_grad_(True)
                return params
        ''',
    },
    "get_params_std_0_1": {
        "why": "0.01 read as the variance: std 0.1",
        "feedback": "0.01 is the standard deviation",
        "source": '''
            def get_params(vocab_size, num_hiddens, device=None, generator=None):
                def normal(shape):
                    return torch.randn(size=shape, device=device, generator=generator) * math.sqrt(0.01)
                params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                          torch.zeros(num_hiddens, device=device), normal((num_hiddens, vocab_size)),
                          torch.zeros(vocab_size, device=device)]
                for p in params:
                    p.requires_grad_(True)
                return params
        ''',
    },
    "get_params_biases_on_default_device": {
        "why": "torch.zeros(h) without device=",
        "feedback": "create every tensor on `device`",
        "source": '''
            def get_params(vocab_size, num_hiddens, device=None, generator=None):
                def normal(shape):
                    return torch.randn(size=shape, device=device, generator=generator) * 0.01
                params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                          torch.zeros(num_hiddens), normal((num_hiddens, vocab_size)), torch.zeros(vocab_size)]
                for p in params:
                    p.requires_grad_(True)
                return params
        ''',
    },
    # ------------------------------------------------------------------ init_rnn_state
    "init_state_not_a_tuple": {
        "why": "returns the zeros tensor itself, not (H,)",
        "feedback": "1-tuple",
        "source": '''
            def init_rnn_state(batch_size, num_hiddens, device=None):
                return torch.zeros((batch_size, num_hiddens), device=device)
        ''',
    },
    "init_state_on_default_device": {
        "why": "ignores device",
        "feedback": "on the device you are given",
        "source": '''
            def init_rnn_state(batch_size, num_hiddens, device=None):
                return (torch.zeros((batch_size, num_hiddens)),)
        ''',
    },
    # ------------------------------------------------------------------ rnn
    "rnn_outputs_stacked": {
        "why": "torch.stack(outputs): (T, B, V) instead of (T·B, V)",
        "feedback": "not stacked into (T, B, V)",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H, = state
                outputs = []
                for X in inputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    outputs.append(H @ W_hq + b_q)
                return torch.stack(outputs), (H,)
        ''',
    },
    "rnn_batch_major_rows": {
        "why": "stacks on dim 1 and flattens: row b·T + t",
        "feedback": "batch-major order",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H, = state
                outputs = []
                for X in inputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    outputs.append(H @ W_hq + b_q)
                Y = torch.stack(outputs, dim=1)
                return Y.reshape(-1, Y.shape[-1]), (H,)
        ''',
    },
    "rnn_state_not_carried": {
        "why": "every step from the initial state",
        "feedback": "every step starts from the initial state",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H0, = state
                outputs = []
                for X in inputs:
                    H = torch.tanh(X @ W_xh + H0 @ W_hh + b_h)
                    outputs.append(H @ W_hq + b_q)
                return torch.cat(outputs, dim=0), (H,)
        ''',
    },
    "rnn_output_from_old_state": {
        "why": "Y computed from H before the update",
        "feedback": "state before the update",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H, = state
                outputs = []
                for X in inputs:
                    outputs.append(H @ W_hq + b_q)
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                return torch.cat(outputs, dim=0), (H,)
        ''',
    },
    "rnn_state_returned_bare": {
        "why": "returns H instead of (H,)",
        "feedback": "as a 1-tuple (H,)",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H, = state
                outputs = []
                for X in inputs:
                    H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    outputs.append(H @ W_hq + b_q)
                return torch.cat(outputs, dim=0), H
        ''',
    },
    "rnn_writes_into_the_state": {
        "why": "H[:] = … updates the caller's state tensor in place",
        "feedback": "changed its input state[0] in place",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H, = state
                outputs = []
                for X in inputs:
                    H_new = torch.tanh(X @ W_xh + H @ W_hh + b_h)
                    outputs.append(H_new @ W_hq + b_q)
                    with torch.no_grad():
                        H[:] = H_new
                    H = H_new
                return torch.cat(outputs, dim=0), (H,)
        ''',
    },
    "rnn_uses_nn_rnn_cell": {
        "why": "torch.rnn_tanh_cell (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def rnn(inputs, state, params):
                W_xh, W_hh, b_h, W_hq, b_q = params
                H, = state
                outputs = []
                for X in inputs:
                    H = torch.rnn_tanh_cell(X, H, W_xh.T, W_hh.T, b_h, None)
                    outputs.append(H @ W_hq + b_q)
                return torch.cat(outputs, dim=0), (H,)
        ''',
    },
    # ------------------------------------------------------------------ RNNModelScratch
    "model_one_hot_of_X": {
        "why": "F.one_hot(X, V) instead of X.T: batch-major (B, T, V) inputs",
        "feedback": "encode the transpose X.T",
        "source": '''
            class RNNModelScratch(RNNModelScratch):
                def __call__(self, X, state):
                    X = F.one_hot(X, self.vocab_size).type(torch.float32)
                    return self.forward_fn(X, state, self.params)
        ''',
    },
    "model_one_hot_int64": {
        "why": "forgets .type(torch.float32)",
        "feedback": "float32",
        "source": '''
            class RNNModelScratch(RNNModelScratch):
                def __call__(self, X, state):
                    return self.forward_fn(F.one_hot(X.T, self.vocab_size), state, self.params)
        ''',
    },
    "model_one_hot_without_num_classes": {
        "why": "F.one_hot(X.T): the width is max(X) + 1",
        "feedback": "number of classes",
        "source": '''
            class RNNModelScratch(RNNModelScratch):
                def __call__(self, X, state):
                    return self.forward_fn(F.one_hot(X.T).type(torch.float32), state, self.params)
        ''',
    },
    "model_generator_not_passed": {
        "why": "get_params(vocab_size, num_hiddens, device): the generator is dropped",
        "feedback": "pass the generator on",
        "source": '''
            class RNNModelScratch(RNNModelScratch):
                def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn,
                             generator=None):
                    self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
                    self.params = get_params(vocab_size, num_hiddens, device)
                    self.init_state, self.forward_fn = init_state, forward_fn
        ''',
    },
    # ------------------------------------------------------------------ grad_clipping
    "clip_per_tensor": {
        "why": "each gradient clipped by its own norm",
        "feedback": "one **global** norm",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                for p in params:
                    if p.grad is None:
                        continue
                    norm = torch.sqrt(torch.sum(p.grad ** 2))
                    if norm > theta:
                        p.grad[:] *= theta / norm
        ''',
    },
    "clip_counts_frozen_parameters": {
        "why": "net.parameters() without the requires_grad filter",
        "feedback": "frozen parameter was counted",
        "source": '''
            def grad_clipping(net, theta):
                params = list(net.parameters()) if isinstance(net, nn.Module) else net.params
                params = [p for p in params if p.grad is not None]
                norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
                if norm > theta:
                    for p in params:
                        p.grad[:] *= theta / norm
        ''',
    },
    "clip_crashes_on_missing_grad": {
        "why": "the book's code: p.grad ** 2 with p.grad None raises",
        "feedback": ".grad is None",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
                if norm > theta:
                    for p in params:
                        p.grad[:] *= theta / norm
        ''',
    },
    "clip_always_rescales": {
        "why": "rescales to norm θ even when g < θ",
        "feedback": "only clip when the norm exceeds",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                params = [p for p in params if p.grad is not None]
                norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
                for p in params:
                    p.grad[:] *= theta / norm
        ''',
    },
    "clip_rebinds_a_local": {
        "why": "g = p.grad; g = g * θ/norm: nothing changes",
        "feedback": "the gradients did not change",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                params = [p for p in params if p.grad is not None]
                norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
                if norm > theta:
                    for p in params:
                        g = p.grad
                        g = g * (theta / norm)
        ''',
    },
    "clip_by_value": {
        "why": "clamps each entry to [-θ, θ]",
        "feedback": "clamps each gradient entry",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                for p in params:
                    if p.grad is not None:
                        p.grad.clamp_(-theta, theta)
        ''',
    },
    "clip_with_torch": {
        "why": "torch.nn.utils.clip_grad_norm_ (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                torch.nn.utils.clip_grad_norm_([p for p in params if p.grad is not None], theta)
        ''',
    },
    # ------------------------------------------------------------------ predict_ch8
    "predict_warmup_drops_the_state": {
        "why": "net(get_input(), state) in the warm-up without keeping the new state",
        "feedback": "does not keep the state it returns",
        "source": '''
            def predict_ch8(prefix, num_preds, net, vocab, device):
                state = net.begin_state(batch_size=1, device=device)
                outputs = [vocab[prefix[0]]]
                get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
                for y in prefix[1:]:
                    net(get_input(), state)
                    outputs.append(vocab[y])
                for _ in range(num_preds):
                    y, state = net(get_input(), state)
                    outputs.append(int(y.argmax(dim=1).reshape(1)))
                return ''.join([vocab.idx_to_token[i] for i in outputs])
        ''',
    },
    "predict_warmup_on_whole_prefix": {
        "why": "for y in prefix: the first character is fed twice",
        "feedback": "prefix[1:]",
        "source": '''
            def predict_ch8(prefix, num_preds, net, vocab, device):
                state = net.begin_state(batch_size=1, device=device)
                outputs = [vocab[prefix[0]]]
                get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
                for y in prefix:
                    _, state = net(get_input(), state)
                    outputs.append(vocab[y])
                for _ in range(num_preds):
                    y, state = net(get_input(), state)
                    outputs.append(int(y.argmax(dim=1).reshape(1)))
                return ''.join([vocab.idx_to_token[i] for i in outputs])
        ''',
    },
    "predict_returns_only_the_predictions": {
        "why": "returns the generated tokens without the prefix",
        "feedback": "return the prefix followed by the predictions",
        "source": '''
            def predict_ch8(prefix, num_preds, net, vocab, device):
                state = net.begin_state(batch_size=1, device=device)
                outputs = [vocab[prefix[0]]]
                get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
                for y in prefix[1:]:
                    _, state = net(get_input(), state)
                    outputs.append(vocab[y])
                for _ in range(num_preds):
                    y, state = net(get_input(), state)
                    outputs.append(int(y.argmax(dim=1).reshape(1)))
                return ''.join([vocab.idx_to_token[i] for i in outputs[len(prefix):]])
        ''',
    },
    "predict_fresh_state_per_prediction": {
        "why": "begin_state inside the prediction loop",
        "feedback": "never inside them",
        "source": '''
            def predict_ch8(prefix, num_preds, net, vocab, device):
                state = net.begin_state(batch_size=1, device=device)
                outputs = [vocab[prefix[0]]]
                get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
                for y in prefix[1:]:
                    _, state = net(get_input(), state)
                    outputs.append(vocab[y])
                for _ in range(num_preds):
                    state = net.begin_state(batch_size=1, device=device)
                    y, state = net(get_input(), state)
                    outputs.append(int(y.argmax(dim=1).reshape(1)))
                return ''.join([vocab.idx_to_token[i] for i in outputs])
        ''',
    },
    # ------------------------------------------------------------------ train_epoch_ch8
    "epoch_state_not_detached": {
        "why": "the carried state keeps the previous batch's graph (backward through it a second time)",
        "feedback": "detach it before the next batch",
        "source": '''
            _solution_train_epoch = train_epoch_ch8

            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        grad_clipping(net, 1)
                        updater.step()
                    else:
                        l.backward()
                        grad_clipping(net, 1)
                        updater(batch_size=1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_batch_major_labels": {
        "why": "labels Y.reshape(-1) (batch-major) for time-major outputs",
        "feedback": "labels are Y.T.reshape(-1)",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        grad_clipping(net, 1)
                        updater.step()
                    else:
                        l.backward()
                        grad_clipping(net, 1)
                        updater(batch_size=1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_mean_of_batch_perplexities": {
        "why": "averages exp(l) over the batches",
        "feedback": "mean of the per-batch perplexities",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                ppls, n = [], 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        grad_clipping(net, 1)
                        updater.step()
                    else:
                        l.backward()
                        grad_clipping(net, 1)
                        updater(batch_size=1)
                    ppls.append(math.exp(float(l.detach())))
                    n += y.numel()
                return sum(ppls) / len(ppls), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_unweighted_batch_means": {
        "why": "exp of the mean of the batch losses, every batch weighted alike",
        "feedback": "weighted by its number of tokens",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                losses, n = [], 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        grad_clipping(net, 1)
                        updater.step()
                    else:
                        l.backward()
                        grad_clipping(net, 1)
                        updater(batch_size=1)
                    losses.append(float(l.detach()))
                    n += y.numel()
                return math.exp(sum(losses) / len(losses)), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_state_reset_every_batch": {
        "why": "begin_state at every batch even with sequential sampling",
        "feedback": "the state carries over",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                start = time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    state = net.begin_state(batch_size=X.shape[0], device=device)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        grad_clipping(net, 1)
                        updater.step()
                    else:
                        l.backward()
                        grad_clipping(net, 1)
                        updater(batch_size=1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_clips_after_the_update": {
        "why": "grad_clipping after updater(): the update used the raw gradient",
        "feedback": "the updater saw the raw gradients",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        updater.step()
                        grad_clipping(net, 1)
                    else:
                        l.backward()
                        updater(batch_size=1)
                        grad_clipping(net, 1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_updater_gets_the_token_count": {
        "why": "updater(batch_size=y.numel()) on a loss that is already a mean",
        "feedback": "updater(batch_size=1)",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        grad_clipping(net, 1)
                        updater.step()
                    else:
                        l.backward()
                        grad_clipping(net, 1)
                        updater(batch_size=y.numel())
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_optimizer_never_zeroed": {
        "why": "no updater.zero_grad(): gradients accumulate across batches",
        "feedback": "zero_grad",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    l.backward()
                    grad_clipping(net, 1)
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.step()
                    else:
                        updater(batch_size=1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    "epoch_uses_clip_grad_norm": {
        "why": "torch.nn.utils.clip_grad_norm_ instead of the own grad_clipping (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                params = list(net.parameters()) if isinstance(net, nn.Module) else net.params
                for X, Y in train_iter:
                    if state is None or use_random_iter:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                    l.backward()
                    torch.nn.utils.clip_grad_norm_(params, 1)
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.step()
                    else:
                        updater(batch_size=1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
        ''',
    },
    # ------------------------------------------------------------------ train_ch8
    "train_ch8_returns_the_last_perplexity": {
        "why": "returns the final perplexity instead of the per-epoch list",
        "feedback": "list of per-epoch perplexities",
        "source": '''
            def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
                loss = nn.CrossEntropyLoss()
                if isinstance(net, nn.Module):
                    updater = torch.optim.SGD(net.parameters(), lr)
                else:
                    updater = lambda batch_size: sgd(net.params, lr, batch_size)
                for epoch in range(num_epochs):
                    ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
                return ppl
        ''',
    },
    "train_ch8_scratch_updater_for_modules": {
        "why": "always the scratch sgd updater: an nn.Module has no .params",
        "feedback": "torch.optim.SGD(net.parameters(), lr)",
        "source": '''
            def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
                loss = nn.CrossEntropyLoss()
                updater = lambda batch_size: sgd(net.params, lr, batch_size)
                history = []
                for epoch in range(num_epochs):
                    ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
                    history.append(ppl)
                return history
        ''',
    },
}

def _epoch_src(detach, clip=True, fresh="state is None or use_random_iter"):
    """A train_epoch_ch8 with one line changed: the detaching code, the clipping call, the reset condition."""
    return ('''
            def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
                state, start = None, time.perf_counter()
                total, n = 0.0, 0
                for X, Y in train_iter:
                    if %s:
                        state = net.begin_state(batch_size=X.shape[0], device=device)
                    else:
                        %s
                    y = Y.T.reshape(-1)
                    X, y = X.to(device), y.to(device)
                    y_hat, state = net(X, state)
                    l = loss(y_hat, y.long()).mean()
                    if isinstance(updater, torch.optim.Optimizer):
                        updater.zero_grad()
                        l.backward()
                        %s
                        updater.step()
                    else:
                        l.backward()
                        %s
                        updater(batch_size=1)
                    total += float(l.detach()) * y.numel()
                    n += y.numel()
                return math.exp(total / n), n / max(time.perf_counter() - start, 1e-9)
    ''' % (fresh, detach, "grad_clipping(net, 1)" if clip else "pass", "grad_clipping(net, 1)" if clip else "pass"))


_GOOD_DETACH = "state = state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)"

MUTANTS.update({
    "perplexity_softmax_over_the_batch": {
        "why": "log_softmax over dim 0 (the tokens) instead of the vocabulary",
        "feedback": "softmax over the wrong axis",
        "source": '''
            def perplexity(logits, y):
                logp = torch.log_softmax(logits, dim=0)
                return math.exp(float(-logp[torch.arange(len(y)), y].mean()))
        ''',
    },
    "clip_sum_of_norms": {
        "why": "g = Σ_p ‖p.grad‖ (the tensors' norms added) instead of sqrt(Σ_p ‖p.grad‖²)",
        "feedback": "sum of *squares*",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                params = [p for p in params if p.grad is not None]
                if not params:
                    return
                norm = sum(torch.linalg.vector_norm(p.grad) for p in params)
                if norm > theta:
                    for p in params:
                        p.grad[:] *= theta / norm
        ''',
    },
    "clip_without_sqrt": {
        "why": "g = Σ_p Σ p.grad² (the square root forgotten)",
        "feedback": "square root is missing",
        "source": '''
            def grad_clipping(net, theta):
                params = [p for p in net.parameters() if p.requires_grad] if isinstance(net, nn.Module) \\
                    else net.params
                params = [p for p in params if p.grad is not None]
                if not params:
                    return
                norm = sum(torch.sum(p.grad ** 2) for p in params)
                if norm > theta:
                    for p in params:
                        p.grad[:] *= theta / norm
        ''',
    },
    "epoch_detach_rebinds_a_local": {
        "why": "`for s in state: s = s.detach()`: a rebound loop variable, the state keeps its graph",
        "feedback": "detach it before the next batch",
        "source": _epoch_src("for s in state:\n                            s = s.detach()"),
    },
    "epoch_detach_assumes_a_tuple": {
        "why": "`for s in state: s.detach_()` also for nn.GRU's tensor state (its rows are views)",
        "feedback": "walks over its rows",
        "source": _epoch_src("for s in state:\n                            s.detach_()"),
    },
    "epoch_no_clipping": {
        "why": "no gradient clipping at all",
        "feedback": "the updater saw the raw gradients",
        "source": _epoch_src(_GOOD_DETACH, clip=False),
    },
    "epoch_ignores_random_iter": {
        "why": "a fresh state only at the first batch, also with random sampling",
        "feedback": "start every batch from net.begin_state",
        "source": _epoch_src(_GOOD_DETACH, fresh="state is None"),
    },
})

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §8.5's code, as printed in the book (with its Timer and Accumulator written inline, the generator passed
    # through, and the two Clarifications: parameters without .grad skipped, the per-epoch perplexities returned).
    "d2l_book_code": '''
        class Timer:
            def __init__(self):
                self.tik = time.time()

            def stop(self):
                return max(time.time() - self.tik, 1e-9)

        class Accumulator:
            def __init__(self, n):
                self.data = [0.0] * n

            def add(self, *args):
                self.data = [a + float(b) for a, b in zip(self.data, args)]

            def __getitem__(self, idx):
                return self.data[idx]

        def perplexity(logits, y):
            return math.exp(nn.CrossEntropyLoss()(logits, y).item())

        def get_params(vocab_size, num_hiddens, device=None, generator=None):
            num_inputs = num_outputs = vocab_size

            def normal(shape):
                return torch.randn(size=shape, device=device, generator=generator) * 0.01

            # 隐藏层参数
            W_xh = normal((num_inputs, num_hiddens))
            W_hh = normal((num_hiddens, num_hiddens))
            b_h = torch.zeros(num_hiddens, device=device)
            # 输出层参数
            W_hq = normal((num_hiddens, num_outputs))
            b_q = torch.zeros(num_outputs, device=device)
            # 附加梯度
            params = [W_xh, W_hh, b_h, W_hq, b_q]
            for param in params:
                param.requires_grad_(True)
            return params

        def init_rnn_state(batch_size, num_hiddens, device=None):
            return (torch.zeros((batch_size, num_hiddens), device=device), )

        def rnn(inputs, state, params):
            # inputs的形状：(时间步数量，批量大小，词表大小)
            W_xh, W_hh, b_h, W_hq, b_q = params
            H, = state
            outputs = []
            # X的形状：(批量大小，词表大小)
            for X in inputs:
                H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
                Y = torch.mm(H, W_hq) + b_q
                outputs.append(Y)
            return torch.cat(outputs, dim=0), (H,)

        class RNNModelScratch:
            """从零开始实现的循环神经网络模型"""
            def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn, generator=None):
                self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
                self.params = get_params(vocab_size, num_hiddens, device, generator)
                self.init_state, self.forward_fn = init_state, forward_fn

            def __call__(self, X, state):
                X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
                return self.forward_fn(X, state, self.params)

            def begin_state(self, batch_size, device):
                return self.init_state(batch_size, self.num_hiddens, device)

        def predict_ch8(prefix, num_preds, net, vocab, device):
            """在prefix后面生成新字符"""
            state = net.begin_state(batch_size=1, device=device)
            outputs = [vocab[prefix[0]]]
            get_input = lambda: torch.reshape(torch.tensor([outputs[-1]], device=device), (1, 1))
            for y in prefix[1:]:  # 预热期
                _, state = net(get_input(), state)
                outputs.append(vocab[y])
            for _ in range(num_preds):  # 预测num_preds步
                y, state = net(get_input(), state)
                outputs.append(int(y.argmax(dim=1).reshape(1)))
            return ''.join([vocab.idx_to_token[i] for i in outputs])

        def grad_clipping(net, theta):
            """裁剪梯度"""
            if isinstance(net, nn.Module):
                params = [p for p in net.parameters() if p.requires_grad]
            else:
                params = net.params
            params = [p for p in params if p.grad is not None]
            if not params:
                return
            norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
            if norm > theta:
                for param in params:
                    param.grad[:] *= theta / norm

        def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
            """训练网络一个迭代周期（定义见第8章）"""
            state, timer = None, Timer()
            metric = Accumulator(2)  # 训练损失之和,词元数量
            for X, Y in train_iter:
                if state is None or use_random_iter:
                    # 在第一次迭代或使用随机抽样时初始化state
                    state = net.begin_state(batch_size=X.shape[0], device=device)
                else:
                    if isinstance(net, nn.Module) and not isinstance(state, tuple):
                        # state对于nn.GRU是个张量
                        state.detach_()
                    else:
                        # state对于nn.LSTM或对于我们从零开始实现的模型是个张量
                        for s in state:
                            s.detach_()
                y = Y.T.reshape(-1)
                X, y = X.to(device), y.to(device)
                y_hat, state = net(X, state)
                l = loss(y_hat, y.long()).mean()
                if isinstance(updater, torch.optim.Optimizer):
                    updater.zero_grad()
                    l.backward()
                    grad_clipping(net, 1)
                    updater.step()
                else:
                    l.backward()
                    grad_clipping(net, 1)
                    # 因为已经调用了mean函数
                    updater(batch_size=1)
                metric.add(l.detach() * y.numel(), y.numel())
            return math.exp(metric[0] / metric[1]), metric[1] / timer.stop()

        def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
            """训练模型（定义见第8章）"""
            loss = nn.CrossEntropyLoss()
            # 初始化
            if isinstance(net, nn.Module):
                updater = torch.optim.SGD(net.parameters(), lr)
            else:
                updater = lambda batch_size: sgd(net.params, lr, batch_size)
            history = []
            # 训练和预测
            for epoch in range(num_epochs):
                ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
                history.append(ppl)
            return history
    ''',
    # Written differently: float64 log-softmax perplexity; torch.normal draws; the input projections of all steps in
    # one matmul and outputs via stack + reshape; one-hot by indexing an identity matrix; torch's clip factor
    # θ/(g + 1e-6) with vector_norm; the state rebuilt instead of detached in place; the optimizer's gradients zeroed
    # after each step instead of before each backward.
    "vectorised_and_rebuilt_state": '''
        def perplexity(logits, y):
            logp = torch.log_softmax(logits.double(), dim=1)
            nll = -logp.gather(1, y.reshape(-1, 1)).mean()
            return float(torch.exp(nll))

        def get_params(vocab_size, num_hiddens, device=None, generator=None):
            shapes = [(vocab_size, num_hiddens), (num_hiddens, num_hiddens), None, (num_hiddens, vocab_size), None]
            out = []
            for s, zeros in zip(shapes, [None, None, num_hiddens, None, vocab_size]):
                if s is None:
                    t = torch.zeros(zeros, device=device)
                else:
                    t = torch.normal(0.0, 0.01, size=s, generator=generator, device=device)
                out.append(t.requires_grad_())
            return out

        def init_rnn_state(batch_size, num_hiddens, device=None):
            return tuple([torch.zeros(batch_size, num_hiddens, device=device)])

        def rnn(inputs, state, params):
            W_xh, W_hh, b_h, W_hq, b_q = params
            XW = inputs @ W_xh + b_h                        # (T, B, h): every step's input side at once
            H = state[0]
            hs = []
            for t in range(inputs.shape[0]):
                H = torch.tanh(XW[t] + H @ W_hh)
                hs.append(H)
            Hs = torch.stack(hs)                            # (T, B, h)
            Y = Hs @ W_hq + b_q                             # (T, B, V)
            return Y.reshape(-1, Y.shape[-1]), (H,)

        class RNNModelScratch:
            def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn, generator=None):
                self.vocab_size = vocab_size
                self.num_hiddens = num_hiddens
                self.params = get_params(vocab_size, num_hiddens, device, generator=generator)
                self.init_state = init_state
                self.forward_fn = forward_fn

            def __call__(self, X, state):
                eye = torch.eye(self.vocab_size, dtype=torch.float32, device=X.device)
                return self.forward_fn(eye[X.T], state, self.params)

            def begin_state(self, batch_size, device):
                return self.init_state(batch_size, self.num_hiddens, device)

        def grad_clipping(net, theta):
            cands = net.parameters() if isinstance(net, nn.Module) else net.params
            grads = [p.grad for p in cands if p.requires_grad and p.grad is not None]
            if not grads:
                return
            total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
            coef = theta / (total + 1e-6)
            if coef < 1:
                for g in grads:
                    g.mul_(coef)

        def predict_ch8(prefix, num_preds, net, vocab, device):
            state = net.begin_state(batch_size=1, device=device)
            ids = vocab[list(prefix)]
            token = ids[0]
            for nxt in ids[1:]:
                _, state = net(torch.full((1, 1), token, dtype=torch.int64, device=device), state)
                token = nxt
            out = []
            for _ in range(num_preds):
                y, state = net(torch.full((1, 1), token, dtype=torch.int64, device=device), state)
                token = int(y[0].argmax())
                out.append(token)
            return prefix + ''.join(vocab.to_tokens(out))

        def _detached(state):
            if isinstance(state, torch.Tensor):
                return state.detach()
            return type(state)(s.detach() for s in state)

        def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
            t0 = time.perf_counter()
            loss_sum = torch.zeros((), dtype=torch.float64)
            tokens = 0
            state = None
            is_opt = isinstance(updater, torch.optim.Optimizer)
            for X, Y in train_iter:
                state = net.begin_state(batch_size=X.shape[0], device=device) if (state is None or use_random_iter) \\
                    else _detached(state)
                labels = Y.T.flatten().to(device)
                y_hat, state = net(X.to(device), state)
                l = loss(y_hat, labels).mean()
                l.backward()
                grad_clipping(net, 1)
                if is_opt:
                    updater.step()
                    updater.zero_grad()        # zeroed after each step (the gradients start empty)
                else:
                    updater(batch_size=1)
                loss_sum += l.detach().double().cpu() * labels.numel()
                tokens += labels.numel()
            return float(torch.exp(loss_sum / tokens)), tokens / max(time.perf_counter() - t0, 1e-9)

        def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False):
            loss = nn.CrossEntropyLoss()
            if isinstance(net, nn.Module):
                updater = torch.optim.SGD(net.parameters(), lr=lr)
            else:
                def updater(batch_size):
                    sgd(net.params, lr, batch_size)
            return [train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)[0]
                    for _ in range(num_epochs)]
    ''',
}
