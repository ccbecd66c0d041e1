"""Objects the graders of ch9/seq2seq.py pass into learner code: a small vocabulary, a minibatch iterator over the
four arrays of a translation data set, stand-in networks that record how they are called, and probes that run a
learner function beside them and return what they saw as plain data. They run where the learner's code runs (the
sandboxed worker, or the grading process). Visible to learners; no oracle lives here (what a recorded value is
compared with is computed in tests/ch9/test_seq2seq.py).

Imports: the standard library and torch only. Everything is module-level, so it pickles by reference.
"""
from __future__ import annotations

import torch
from torch import nn


# ------------------------------------------------------------------------------------------------ data
class Vocabulary:
    """A fixed vocabulary: index i is ``tokens[i]``; unknown tokens map to 0 (``<unk>``). Only the interface the
    ch8-ch9 contract promises: ``vocab[token]``, ``vocab[list]``, ``idx_to_token``, ``to_tokens``, ``len``."""

    def __init__(self, tokens):
        self.idx_to_token = list(tokens)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if isinstance(tokens, (list, tuple)):
            return [self.__getitem__(t) for t in tokens]
        return self.token_to_idx.get(tokens, 0)

    def to_tokens(self, indices):
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[int(i)] for i in indices]
        return self.idx_to_token[int(indices)]

    @property
    def unk(self):
        return 0

    def __repr__(self):
        return f"Vocabulary({self.idx_to_token})"


class Seq2SeqBatches:
    """Minibatches ``(X, X_valid_len, Y, Y_valid_len)`` over four arrays, like the book's ``load_array``; shuffled
    from a generator seeded with ``seed`` (one generator for the iterator's life: every epoch another order).
    With ``record``, every yielded batch is kept in ``yielded`` (copies)."""

    def __init__(self, X, X_valid_len, Y, Y_valid_len, batch_size, shuffle=False, seed=0, record=False):
        self.arrays = (X, X_valid_len, Y, Y_valid_len)
        self.batch_size, self.shuffle, self.record = batch_size, shuffle, record
        self.g = torch.Generator().manual_seed(seed)
        self.yielded = []

    def __iter__(self):
        n = len(self.arrays[0])
        idx = torch.randperm(n, generator=self.g) if self.shuffle else torch.arange(n)
        for i in range(0, n, self.batch_size):
            j = idx[i:i + self.batch_size]
            batch = tuple(a[j] for a in self.arrays)
            if self.record:
                self.yielded.append(tuple(b.clone() for b in batch))
            yield batch

    def __len__(self):
        return (len(self.arrays[0]) + self.batch_size - 1) // self.batch_size

    def __repr__(self):
        return (f"minibatches (X, X_valid_len, Y, Y_valid_len) of {len(self.arrays[0])} pairs, batch size "
                f"{self.batch_size}")


def _copy(v):
    if isinstance(v, torch.Tensor):
        return v.detach().clone()
    if isinstance(v, (list, tuple)):
        return type(v)(_copy(x) for x in v)
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    return repr(v)


# ------------------------------------------------------------------------------------------------ train_seq2seq
class TeacherForcingProbe(nn.Module):
    """A stand-in for an encoder-decoder, called as ``net(X, dec_X, *args) -> (logits (B, T, V), state)``.

    Not a seq2seq model of the book's kind (that is the exercise): the source's mean embedding starts a GRU that
    reads the decoder input, a Linear gives the logits. It holds an ``nn.GRU`` and an ``nn.Linear`` so that
    ``train_seq2seq`` re-initialises them. Its weights are set from ``seed`` (deliberately not Xavier-like). Every
    forward pass appends to ``calls`` a dict: training mode, autograd on, X, dec_X, the extra arguments and the
    logits (copies); the first two passes also keep a copy of every parameter (``params``)."""

    def __init__(self, src_vocab_size, tgt_vocab_size, num_hiddens=8, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.src_embedding = nn.Embedding(src_vocab_size, num_hiddens)
        self.embedding = nn.Embedding(tgt_vocab_size, num_hiddens)
        self.rnn = nn.GRU(num_hiddens, num_hiddens)
        self.dense = nn.Linear(num_hiddens, tgt_vocab_size)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.6)
        self.calls = []

    def forward(self, X, dec_X, *args):
        h0 = torch.tanh(self.src_embedding(X).mean(dim=1)).unsqueeze(0)     # (1, B, h)
        out, state = self.rnn(self.embedding(dec_X).permute(1, 0, 2), h0)   # (T, B, h)
        logits = self.dense(out).permute(1, 0, 2)                           # (B, T, V)
        call = {"training": bool(self.training), "grad": bool(torch.is_grad_enabled()), "X": _copy(X),
                "dec_X": _copy(dec_X), "args": _copy(list(args)), "logits": _copy(logits)}
        if len(self.calls) < 2:
            call["params"] = {name: p.detach().clone() for name, p in self.named_parameters()}
        self.calls.append(call)
        return logits, state


def train_and_watch(train_fn, net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
    """``train_fn(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=generator)`` while watching:

    * every backward pass: the raw gradient of each parameter (a hook on each parameter, before accumulation);
    * every ``torch.optim`` step (a global step pre-hook): each parameter's ``.grad`` as the optimizer sees it.

    Returns ``{"result", "calls" (the net's records), "yielded" (the iterator's batches), "backwards"
    (per backward: {name: squared norm of the raw gradient}), "steps" (per step: the number of backward passes
    before it and {name: squared norm of .grad}), "first_raw", "first_step" (the raw gradients of the first
    backward, the gradients at the first step: {name: tensor})}``."""
    names = {id(p): name for name, p in net.named_parameters()}
    backwards, steps, first = [], [], {}
    current = {}

    def grad_hook(name):
        def hook(grad):
            if not current.get("open"):
                current.clear()
                current["open"] = True
                backwards.append({})
            backwards[-1][name] = backwards[-1].get(name, 0.0) + float(grad.detach().double().pow(2).sum())
            if len(backwards) == 1:
                first.setdefault("raw", {})
                prev = first["raw"].get(name)
                first["raw"][name] = grad.detach().clone() if prev is None else prev + grad.detach()
            return None
        return hook

    def step_hook(optimizer, args, kwargs):
        current["open"] = False
        seen = {}
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    seen[names.get(id(p), f"parameter {len(seen)}")] = float(p.grad.detach().double().pow(2).sum())
        if not steps:
            first["step"] = {names.get(id(p), "?"): p.grad.detach().clone()
                             for group in optimizer.param_groups for p in group["params"] if p.grad is not None}
        steps.append({"backwards": len(backwards), "sq": seen})

    handles = [p.register_hook(grad_hook(name)) for name, p in net.named_parameters()]
    from torch.optim.optimizer import register_optimizer_step_pre_hook
    handles.append(register_optimizer_step_pre_hook(step_hook))
    try:
        result = train_fn(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=generator)
    finally:
        for h in handles:
            h.remove()
    return {"result": _copy(result) if isinstance(result, (list, tuple)) else repr(result),
            "result_type": type(result).__name__,
            "item_types": [type(v).__name__ for v in result] if isinstance(result, (list, tuple)) else [],
            "calls": list(net.calls), "yielded": list(getattr(data_iter, "yielded", [])),
            "backwards": backwards, "steps": steps, "first_raw": first.get("raw", {}),
            "first_step": first.get("step", {})}


def train_losses(train_fn, net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
    """The figures ``train_fn`` returns, as a list of Python floats (non-numbers as their repr)."""
    out = train_fn(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=generator)
    if not isinstance(out, (list, tuple)):
        return repr(out)
    res = []
    for v in out:
        try:
            res.append(float(v))
        except (TypeError, ValueError, RuntimeError):
            res.append(repr(v))
    return res


# ------------------------------------------------------------------------------------------------ EncoderDecoder
class StubEncoder(nn.Module):
    """``forward(X, *args) -> (X as float · scale + number of extra args, X.sum(1) as float)``; one parameter
    (``scale``), so that a container that registers it exposes it. Records its calls' extra arguments."""

    def __init__(self, scale=2.0):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(float(scale)))
        self.calls = []

    def forward(self, X, *args):
        self.calls.append(_copy(list(args)))
        return X.float() * self.scale + len(args), X.sum(dim=1).float()


class StubDecoder(nn.Module):
    """``init_state(enc_outputs, *args) = enc_outputs[1] · 10 + (sum of the tensor args)``;
    ``forward(X, state) -> (X as float + state[:, None] · offset, state + 1)``."""

    def __init__(self, offset=0.5):
        super().__init__()
        self.offset = nn.Parameter(torch.tensor(float(offset)))
        self.init_calls = []

    def init_state(self, enc_outputs, *args):
        self.init_calls.append(_copy(list(args)))
        extra = sum(float(a.sum()) for a in args if isinstance(a, torch.Tensor))
        return enc_outputs[1] * 10 + extra

    def forward(self, X, state):
        return X.float() + state[:, None] * self.offset, state + 1


# ------------------------------------------------------------------------------------------------ predict_seq2seq
class ScriptedEncoder(nn.Module):
    """Records every call (training mode, X, extra args); returns (X as float (1, T) scaled, X.sum()) — a pair,
    like an encoder's (outputs, state)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(1.5))
        self.calls = []

    def forward(self, X, *args):
        self.calls.append({"training": bool(self.training), "X": _copy(X), "args": _copy(list(args))})
        return X.float() * self.w, X.sum()


class ScriptedDecoder(nn.Module):
    """A decoder that follows a script: its state is the step number s (an int64 tensor of shape (1,)); called on
    the expected input (``bos`` at s = 0, ``script[s − 1]`` after), it predicts ``script[s]``; on any other input
    it predicts ``wrong``. Logits (1, 1, V) with the predicted token far ahead of the rest; records every call
    (training mode, X, the state it was given) and what ``init_state`` received."""

    def __init__(self, vocab_size, bos, script, wrong=0):
        super().__init__()
        self.vocab_size, self.bos, self.script, self.wrong = vocab_size, bos, list(script), wrong
        self.w = nn.Parameter(torch.tensor(1.0))
        self.calls, self.init_calls = [], []

    def init_state(self, enc_outputs, *args):
        self.init_calls.append({"enc_outputs": _copy(enc_outputs), "args": _copy(list(args))})
        return torch.zeros(1, dtype=torch.int64)

    def forward(self, X, state):
        self.calls.append({"training": bool(self.training), "X": _copy(X), "state": _copy(state)})
        s = int(state.reshape(-1)[0]) if isinstance(state, torch.Tensor) and state.numel() else -1
        expected = self.bos if s == 0 else (self.script[s - 1] if 0 < s <= len(self.script) else None)
        ok = isinstance(X, torch.Tensor) and X.numel() == 1 and expected is not None and int(X.reshape(-1)[0]) == expected
        nxt = self.script[s] if ok and 0 <= s < len(self.script) else self.wrong
        logits = torch.linspace(-1.0, 1.0, self.vocab_size).reshape(1, 1, -1) * self.w.detach()
        logits = logits.clone()
        logits[0, 0, nxt] = 10.0
        return logits.to(X.device) if isinstance(X, torch.Tensor) else logits, state + 1


class ScriptedSeq2Seq(nn.Module):
    """``encoder`` and ``decoder`` as above (predict_seq2seq only uses those two)."""

    def __init__(self, vocab_size, bos, script, wrong=0):
        super().__init__()
        self.encoder = ScriptedEncoder()
        self.decoder = ScriptedDecoder(vocab_size, bos, script, wrong)


def predict_and_watch(predict_fn, net, src_sentence, src_vocab, tgt_vocab, num_steps, device):
    """``predict_fn(net, src_sentence, src_vocab, tgt_vocab, num_steps, device)`` on a ScriptedSeq2Seq; returns
    ``{"result", "encoder" (its calls), "init" (init_state's calls), "decoder" (the decoder's calls),
    "training" (the net's mode afterwards)}``."""
    result = predict_fn(net, src_sentence, src_vocab, tgt_vocab, num_steps, device)
    return {"result": _copy(result) if isinstance(result, (tuple, list)) else repr(result),
            "result_type": type(result).__name__,
            "encoder": list(net.encoder.calls), "init": list(net.decoder.init_calls),
            "decoder": list(net.decoder.calls), "training": bool(net.training)}


# ------------------------------------------------------------------------------------------------ small probes
def call_watching_list(fn, line, *args):
    """``fn(line, *args)``; returns (result, line afterwards, whether the result is ``line`` itself)."""
    before = list(line)
    out = fn(line, *args)
    return out, list(line), out is line, before


def call_watching_tensor(fn, X, *args, **kwargs):
    """``fn(X, *args, **kwargs)``; returns (result, whether the result shares X's memory)."""
    out = fn(X, *args, **kwargs)
    shares = False
    if isinstance(out, torch.Tensor) and out.numel() and X.numel():
        try:
            shares = out.untyped_storage().data_ptr() == X.untyped_storage().data_ptr()
        except RuntimeError:
            shares = False
    return out, shares


def _describe(v):
    if isinstance(v, torch.Tensor):
        return ("tensor", tuple(v.shape), str(v.dtype), v.device.type)
    if isinstance(v, (list, tuple)):
        return tuple(_describe(x) for x in v)
    return type(v).__name__


def forward_on_meta(encoder_cls, decoder_cls, encdec_cls, vocab_size, embed_size, num_hiddens, num_layers, B, T_src,
                    T_tgt):
    """Build the encoder, the decoder and the EncoderDecoder on the meta device and run them on meta token batches
    (nothing is computed); returns the descriptions (shape, dtype, device) of what they returned: the encoder's
    output, the decoder's logits and the EncoderDecoder's logits (or "ExceptionType: message")."""
    out = {}
    try:
        with torch.device("meta"):
            enc = encoder_cls(vocab_size, embed_size, num_hiddens, num_layers)
            dec = decoder_cls(vocab_size, embed_size, num_hiddens, num_layers)
            net = encdec_cls(enc, dec) if encdec_cls is not None else None
        X = torch.zeros(B, T_src, dtype=torch.int64, device="meta")
        Y = torch.zeros(B, T_tgt, dtype=torch.int64, device="meta")
        enc_out = enc(X)
        out["encoder"] = _describe(enc_out)
        logits = dec(Y, dec.init_state(enc_out))
        out["decoder"] = _describe(logits[0] if isinstance(logits, (tuple, list)) else logits)
        if encdec_cls is not None:
            both = net(X, Y[:, :1])
            out["net"] = _describe(both[0] if isinstance(both, (tuple, list)) else both)
    except Exception as e:  # noqa: BLE001 - reported as data
        out["error"] = f"{type(e).__name__}: {str(e)[:300]}"
    return out


def module_summary(net) -> dict:
    """{child name: (type name, {size hyper-parameters})} of the top-level children (nn.Embedding, nn.GRU,
    nn.Linear sizes), and the number of trainable parameter elements under "count"."""
    keys = ("num_embeddings", "embedding_dim", "input_size", "hidden_size", "num_layers", "dropout",
            "bidirectional", "in_features", "out_features")
    out = {}
    for name, child in net.named_children():
        own = vars(child)
        out[name] = (type(child).__name__, {k: own[k] for k in keys if k in own})
    return {"children": out, "count": sum(p.numel() for p in net.parameters() if p.requires_grad)}


def _unwrapped(fn):
    """In the grading process a learner function arrives wrapped (grader.plugin.LearnerFunction), whose self-check
    insists that every argument pickle by reference — which a learner's own network cannot, although it is no
    grader object. Here, beside the learner's code, the plain function is called (in the sandboxed worker the
    function is not wrapped)."""
    return fn.__wrapped__ if type(fn).__name__ == "LearnerFunction" else fn


def train_and_translate(train_fn, predict_fn, net, data_iter, lr, num_epochs, tgt_vocab, device, generator,
                        sources, src_vocab, num_steps):
    """``train_fn(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=generator)``, then
    ``predict_fn(net, source, src_vocab, tgt_vocab, num_steps, device)`` for every source; returns (the training
    figures, [the translations (or the repr of what came back)])."""
    train_fn, predict_fn = _unwrapped(train_fn), _unwrapped(predict_fn)
    history = train_fn(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=generator)
    out = []
    for src in sources:
        got = predict_fn(net, src, src_vocab, tgt_vocab, num_steps, device)
        out.append(got[0] if isinstance(got, (tuple, list)) and got and isinstance(got[0], str) else repr(got))
    return _copy(history) if isinstance(history, (list, tuple)) else repr(history), out
