"""Objects the graders of ch8/rnn_scratch.py pass into learner code: a small vocabulary, token-batch iterators, fake
recurrent nets that record what they were given, recording updaters, parameter holders, the book's concise
``RNNModel``, echo functions for ``RNNModelScratch`` and probes. They run where the learner's code runs (the sandboxed
worker, or the grading process) and return or record plain data. Visible to learners; no oracle lives here (what a
record is compared with is computed in tests/ch8/test_rnn_scratch.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import math

import torch
from torch import nn

_STUB_MARK = "KATA-STUB"   # in every stub's NotImplementedError message (grader/stubgen.py)
META = "__meta__"          # ("__meta__", shape, dtype name): a tensor built on the meta device by a probe


# ------------------------------------------------------------------------------------------------ vocabulary, data
class TinyVocab:
    """A vocabulary with the interface the ch8-ch9 contract allows: ``vocab[token]`` (unknown → 0),
    ``vocab[list]``, ``idx_to_token``, ``to_tokens``, ``len``. Index 0 is ``<unk>``, then the given tokens."""

    def __init__(self, tokens):
        self.idx_to_token = ["<unk>"] + list(tokens)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, 0)
        return [self.__getitem__(t) for t in tokens]

    def to_tokens(self, indices):
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[indices]
        return [self.idx_to_token[i] for i in indices]

    @property
    def unk(self):
        return 0

    def __repr__(self):
        return f"a vocabulary of {len(self)} tokens ({''.join(self.idx_to_token[1:])!r} after <unk>)"


class SequentialBatches:
    """d2l's sequential partitioning (§8.3.4.2), re-iterable: every pass draws an offset in 0..num_steps-1 from its
    own generator (seed + pass number), lays the stream out as ``reshape(batch_size, -1)`` and yields (X, Y) int64
    (batch_size, num_steps), Y = X shifted by one token; row r of batch i+1 continues row r of batch i."""

    def __init__(self, corpus, batch_size, num_steps, seed=0):
        self.corpus = torch.as_tensor(corpus, dtype=torch.int64)
        self.batch_size, self.num_steps, self.seed, self.passes = batch_size, num_steps, seed, 0

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed + self.passes)
        self.passes += 1
        offset = int(torch.randint(0, self.num_steps, (1,), generator=g))
        B, T = self.batch_size, self.num_steps
        n = ((len(self.corpus) - offset - 1) // B) * B
        Xs = self.corpus[offset:offset + n].reshape(B, -1)
        Ys = self.corpus[offset + 1:offset + 1 + n].reshape(B, -1)
        for i in range(0, (Xs.shape[1] // T) * T, T):
            yield Xs[:, i:i + T], Ys[:, i:i + T]

    def __repr__(self):
        return (f"a sequential iterator over {len(self.corpus)} tokens (batch_size={self.batch_size}, "
                f"num_steps={self.num_steps})")


class ListBatches:
    """Yields the given (X, Y) pairs, in order, on every pass."""

    def __init__(self, batches):
        self.batches = [(X.clone(), Y.clone()) for X, Y in batches]

    def __iter__(self):
        for X, Y in self.batches:
            yield X.clone(), Y.clone()

    def __len__(self):
        return len(self.batches)

    def __repr__(self):
        shapes = ", ".join(f"{tuple(X.shape)}" for X, _ in self.batches)
        return f"{len(self.batches)} batches (X, Y) of shapes {shapes}"


# ------------------------------------------------------------------------------------------------ fake nets
def _record_state(state):
    """(values, has grad_fn?, requires grad?) of a state that is a tensor or a tuple/list of tensors."""
    parts = [state] if isinstance(state, torch.Tensor) else list(state) if isinstance(state, (tuple, list)) else []
    return {"values": [p.detach().clone() for p in parts if isinstance(p, torch.Tensor)],
            "grad_fn": [p.grad_fn is not None for p in parts if isinstance(p, torch.Tensor)],
            "requires_grad": [bool(p.requires_grad) for p in parts if isinstance(p, torch.Tensor)],
            "kind": "tensor" if isinstance(state, torch.Tensor) else type(state).__name__}


class RecordingScratchNet:
    """A scratch-style language model (``.params``, ``begin_state``, ``net(X, state)``) whose hidden state depends
    on its parameters (so an undetached state drags the previous batch's graph along), recording every call:

    * ``begin_calls``: (batch_size, device) of each ``begin_state`` call;
    * ``calls``: per ``net(X, state)`` call, X, the state received (values, grad_fn?, requires_grad?), the
      outputs (T·B, V) returned (detached copies) and the state returned.

    The model: H_t = tanh(W_x[x_t] + H_{t-1} W_h), outputs scale · H_t W_o, time-major rows as d2l's ``rnn``.
    ``tuple_state``: the state is ``(H,)`` (scratch models) or the tensor H itself (like nn.GRU)."""

    def __init__(self, vocab_size, num_hiddens=4, seed=0, scale=1.0, tuple_state=True, start=0.0):
        g = torch.Generator().manual_seed(seed)
        self.params = [(torch.randn(vocab_size, num_hiddens, generator=g) * 0.8).requires_grad_(True),
                       (torch.randn(num_hiddens, num_hiddens, generator=g) * 0.5).requires_grad_(True),
                       (torch.randn(num_hiddens, vocab_size, generator=g) * 1.0).requires_grad_(True)]
        self.vocab_size, self.num_hiddens, self.scale = vocab_size, num_hiddens, scale
        self.tuple_state, self.start = tuple_state, start
        self.begin_calls, self.calls = [], []

    def begin_state(self, batch_size, device=None):
        self.begin_calls.append((int(batch_size), str(device)))
        H = torch.full((batch_size, self.num_hiddens), float(self.start), device=device)
        return (H,) if self.tuple_state else H

    def __call__(self, X, state):
        rec = {"X": X.detach().clone(), "state": _record_state(state)}
        H = state[0] if isinstance(state, (tuple, list)) else state
        W_x, W_h, W_o = self.params
        outs = []
        for x in X.T:                                   # time-major
            H = torch.tanh(W_x[x] + H @ W_h)
            outs.append(self.scale * (H @ W_o))
        y_hat = torch.cat(outs, 0)                      # (T·B, V)
        new_state = (H,) if self.tuple_state else H
        rec["out"] = y_hat.detach().clone()
        rec["returned"] = _record_state(new_state)
        self.calls.append(rec)
        return y_hat, new_state

    def __repr__(self):
        return (f"a recording scratch language model (vocab {self.vocab_size}, hidden {self.num_hiddens}, state "
                f"{'(H,)' if self.tuple_state else 'a tensor'})")


class RecordingModuleNet(nn.Module):
    """The same model as an ``nn.Module`` (parameters ``W_x``, ``W_h``, ``W_o``) with a tensor state (like nn.GRU's),
    recording ``begin_calls`` and ``calls`` as :class:`RecordingScratchNet`."""

    def __init__(self, vocab_size, num_hiddens=4, seed=0, scale=1.0, start=0.0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.W_x = nn.Parameter(torch.randn(vocab_size, num_hiddens, generator=g) * 0.8)
        self.W_h = nn.Parameter(torch.randn(num_hiddens, num_hiddens, generator=g) * 0.5)
        self.W_o = nn.Parameter(torch.randn(num_hiddens, vocab_size, generator=g) * 1.0)
        self.vocab_size, self.num_hiddens, self.scale, self.start = vocab_size, num_hiddens, scale, start
        self.begin_calls, self.calls = [], []

    def begin_state(self, device=None, batch_size=1):
        self.begin_calls.append((int(batch_size), str(device)))
        return torch.full((batch_size, self.num_hiddens), float(self.start), device=device)

    def forward(self, X, state):
        rec = {"X": X.detach().clone(), "state": _record_state(state)}
        H = state
        outs = []
        for x in X.T:
            H = torch.tanh(self.W_x[x] + H @ self.W_h)
            outs.append(self.scale * (H @ self.W_o))
        y_hat = torch.cat(outs, 0)
        rec["out"] = y_hat.detach().clone()
        rec["returned"] = _record_state(H)
        self.calls.append(rec)
        return y_hat, H


class LinearScratchNet:
    """A scratch model with a single parameter w (shape (1,)) and no recurrence: outputs = scale · w · c_x, where
    c = (1, 0, …, 0) for every token, so the gradient of the loss wrt w has the same sign at every step and, with a
    large scale, a norm far above 1. ``begin_state`` gives a dummy (zeros (B, 1),)."""

    def __init__(self, vocab_size, scale=1000.0, w0=0.0):
        self.params = [torch.tensor([float(w0)], requires_grad=True)]
        self.vocab_size, self.scale = vocab_size, scale

    def begin_state(self, batch_size, device=None):
        return (torch.zeros((batch_size, 1), device=device),)

    def __call__(self, X, state):
        T, B = X.shape[1], X.shape[0]
        c = torch.zeros(self.vocab_size)
        c[1] = 1.0
        y_hat = (self.scale * self.params[0] * c).expand(T * B, self.vocab_size)
        return y_hat, state

    def __repr__(self):
        return f"a scratch model with one parameter w: outputs {self.scale:g}·w at token 1 (huge gradients)"


class CountingNet:
    """A fake model for predict_ch8 whose next token depends on both its input and its state: the state s (1, 1)
    becomes (a·s + x + 1) mod V and the scores favour token (b·x + 2·s + 1) mod V. Records ``begin_calls`` and, for
    every call, (X's shape, X's dtype, the token fed, the state received)."""

    def __init__(self, vocab_size, a=3, b=5):
        self.vocab_size, self.a, self.b = vocab_size, a, b
        self.begin_calls, self.calls = [], []

    def begin_state(self, batch_size, device=None):
        self.begin_calls.append((int(batch_size), str(device)))
        return (torch.zeros((batch_size, 1), device=device),)

    def __call__(self, X, state):
        s = state[0]
        x = int(X.reshape(-1)[0])
        s_val = int(round(float(s.reshape(-1)[0])))
        self.calls.append((tuple(X.shape), str(X.dtype).removeprefix("torch."), x, s_val))
        V = self.vocab_size
        target = (self.b * x + 2 * s_val + 1) % V
        scores = -0.01 * torch.arange(V, dtype=torch.float32, device=s.device)[None]   # (1, V), no ties
        scores[0, target] = 1.0
        new_s = torch.full_like(s, float((self.a * s_val + x + 1) % V))
        return scores, (new_s,)

    def __repr__(self):
        return f"a fake model over {self.vocab_size} tokens whose prediction depends on its input and its state"


# ------------------------------------------------------------------------------------------------ updaters, holders
def _global_norm(params):
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    return math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))


class RecordingUpdater:
    """A scratch updater ``updater(batch_size)``: records (batch_size, global gradient norm at the call), then does
    p −= lr·p.grad/batch_size and zeroes the gradients (d2l's sgd)."""

    def __init__(self, params, lr):
        self.params, self.lr, self.calls = list(params), lr, []

    def __call__(self, batch_size):
        self.calls.append((batch_size, _global_norm(self.params)))
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= self.lr * p.grad / batch_size
                    p.grad.zero_()

    def __repr__(self):
        return f"a scratch updater (sgd, lr={self.lr})"


class RecordingSGD(torch.optim.SGD):
    """A ``torch.optim.Optimizer`` (plain SGD) that records its events: "zero_grad", and ("step", global gradient
    norm at the step). Its methods are overridden (no super().__init__): the first real torch.optim use of a process
    imports torch._dynamo (~1 s)."""

    def __init__(self, params, lr):   # deliberately not super().__init__
        self.lr = lr
        self.defaults = {"lr": lr}
        self.param_groups = [{"params": list(params), "lr": lr}]
        self.state = {}
        self.events = []

    def __getstate__(self):
        return dict(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(state)

    def zero_grad(self, set_to_none=True):
        self.events.append("zero_grad")
        for p in self.param_groups[0]["params"]:
            p.grad = None

    @torch.no_grad()
    def step(self, closure=None):
        params = self.param_groups[0]["params"]
        self.events.append(("step", _global_norm(params)))
        for p in params:
            if p.grad is not None:
                p -= self.lr * p.grad

    def __repr__(self):
        return f"a torch.optim.SGD (lr={self.lr}) that records its calls"


class ParamHolder:
    """A scratch model's stand-in for grad_clipping: just ``.params`` (a list of tensors with gradients)."""

    def __init__(self, params):
        self.params = list(params)

    def __repr__(self):
        return f"an object with .params ({len(self.params)} tensors)"


# ------------------------------------------------------------------------------------------------ the book's concise model
class RNNModel(nn.Module):
    """d2l §8.6's concise model: an ``nn.RNN`` layer and a Linear output layer on the one-hot (T, B, V) inputs;
    state (1, B, h). Its parameters are redrawn U(−1/√h, 1/√h) (PyTorch's default for both layers) from ``seed``."""

    def __init__(self, rnn_layer, vocab_size, seed=0):
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
        g = torch.Generator().manual_seed(seed)
        bound = 1.0 / math.sqrt(self.num_hiddens)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * bound)

    def forward(self, inputs, state):
        X = nn.functional.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state

    def begin_state(self, device, batch_size=1):
        return torch.zeros((self.rnn.num_layers, batch_size, self.num_hiddens), device=device)


# ------------------------------------------------------------------------------------------------ RNNModelScratch echoes
def echo_get_params(vocab_size, num_hiddens, device=None, generator=None):
    """Stand-in for get_params that shows how it was called: [full((V, h), 2.0) on device, three draws from the
    generator (or -1s without one), (V, h) as floats]."""
    draws = torch.rand(3, generator=generator) if generator is not None else torch.full((3,), -1.0)
    return [torch.full((vocab_size, num_hiddens), 2.0, device=device), draws,
            torch.tensor([float(vocab_size), float(num_hiddens)])]


def echo_init_state(batch_size, num_hiddens, device=None):
    """Stand-in for init_rnn_state: (full((batch_size, num_hiddens), 7.0) on device,)."""
    return (torch.full((batch_size, num_hiddens), 7.0, device=device),)


def echo_forward(inputs, state, params):
    """Stand-in for rnn that returns what it was given: (inputs, (state, params))."""
    return inputs, (state, params)


# ------------------------------------------------------------------------------------------------ probes
def _passes_through(e: BaseException) -> bool:
    return type(e).__name__ in ("ForbiddenCall", "NotStarted", "KataFailure", "GraderBug") \
        or (isinstance(e, NotImplementedError) and _STUB_MARK in str(e))


def _raw(fn):
    return getattr(fn, "__wrapped__", fn)


def _build(spec):
    if isinstance(spec, tuple) and len(spec) == 3 and spec[0] == META:
        return torch.empty(tuple(spec[1]), dtype=getattr(torch, spec[2]), device="meta")
    if isinstance(spec, dict):
        return {k: _build(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return type(spec)(_build(s) for s in spec)
    return spec


def describe(value):
    """A result as data: a tensor as (shape, dtype name, device type, requires_grad, is_leaf), tuples and lists
    element-wise, anything else by its type name."""
    if isinstance(value, torch.Tensor):
        return (tuple(value.shape), str(value.dtype).removeprefix("torch."), value.device.type,
                bool(value.requires_grad), bool(value.is_leaf))
    if isinstance(value, (tuple, list)):
        return tuple(describe(v) for v in value)
    return f"not a tensor: {type(value).__name__}"


def train_scratch_model(model_cls, get_params, init_state, forward_fn, train_ch8, vocab_size, num_hiddens,
                        generator, train_iter, vocab, lr, num_epochs, device="cpu"):
    """Build ``model_cls(vocab_size, num_hiddens, device, get_params, init_state, forward_fn, generator)`` and train it
    with ``train_ch8(model, train_iter, vocab, lr, num_epochs, device)`` here, where the learner's code runs (the
    model is a learner object: it stays on this side). Returns what train_ch8 returned."""
    model = model_cls(vocab_size, num_hiddens, device, get_params, init_state, forward_fn, generator)
    return _raw(train_ch8)(model, train_iter, vocab, lr, num_epochs, device)


def call_described(fn, *specs):
    """``fn(*args)`` (meta tensors built from ``("__meta__", shape, dtype)`` specs), described with
    :func:`describe`, or "ExceptionType: message" when it raises."""
    args = [_build(s) for s in specs]
    try:
        out = _raw(fn)(*args)
    except Exception as e:  # noqa: BLE001 - reported as data
        if _passes_through(e):
            raise
        return f"{type(e).__name__}: {str(e)[:300]}"
    return describe(out)
