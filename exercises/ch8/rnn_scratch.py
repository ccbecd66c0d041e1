# Generated from solutions/ch8/rnn_scratch.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Recurrent neural networks from scratch · 循环神经网络的从零开始实现

d2l-zh §8.4 (循环神经网络: hidden state, perplexity), §8.5 (循环神经网络的从零开始实现). Seed notes: perplexity is
"常用于评估语言模型的质量"; the hidden state "捕获并保留了序列直到其当前时间步的历史信息, 就如当前时间步中神经网络的状态或记忆";
"训练不足的模型是无法正确地拟合数据的"; and because an RNN feeds each step's result into the next, "在梯度更新时, 链条非常长,
很容易梯度爆炸或梯度消失, 有一些解决的方法, 例如梯度截断".

The story. A character-level language model reads a sequence one token at a time and keeps what it has seen in a
hidden state H; from H it predicts the next token. This module is the whole pipeline of the book's chapter:

* :func:`get_params`, :func:`init_rnn_state` and :func:`rnn` — the model: H_t = tanh(X_t W_xh + H_{t−1} W_hh + b_h),
  O_t = H_t W_hq + b_q, time-major (inputs (T, B, V), one-hot tokens).
* :class:`RNNModelScratch` — wraps them; it takes token batches (B, T) as the iterators yield them and one-hot
  encodes their **transpose**, so that time comes first.
* :func:`perplexity` — exp of the mean cross-entropy: the effective number of choices per token (V for a model that
  knows nothing, 1 for a perfect one).
* :func:`grad_clipping` — the remedy of the notes: the gradient flows back through the whole chain of time steps,
  so it can explode; rescale it whenever its global norm exceeds θ.
* :func:`predict_ch8`, :func:`train_epoch_ch8`, :func:`train_ch8` — warm the state up on a prefix and generate;
  train with truncated backpropagation through time: the state carries over from one batch to the next (sequential
  sampling), but its graph is cut (``detach``) so that each backward pass stays one batch long.

Shared conventions: float32 tensors; work on the device you are given (``device=``) or the inputs' device; nothing
given is modified unless the name says so (``sgd`` and ``grad_clipping`` update gradients and parameters in place).
The module ships ch3's :func:`sgd`, which you need not write.
"""
import math
import time

import torch
import torch.nn.functional as F
from torch import nn


# ------------------------------------------------------------------------------------------------ helper (given)
def sgd(params, lr, batch_size):
    """Minibatch SGD, in place (ch3's): p −= lr·p.grad / batch_size for every parameter, then its grad is zeroed."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# ------------------------------------------------------------------------------------------------ the exercise
def perplexity(logits: torch.Tensor, y: torch.Tensor) -> float:
    """The perplexity of predictions ``logits`` (n, V) for the tokens ``y`` (int64, (n,)), a Python float::

        perplexity = exp( (1/n) Σ_i −log softmax(logits_i)[y_i] )       (exp of the mean cross-entropy)

    Uniform logits give exactly V; a model that puts (almost) all its probability on the right token gives 1.
    Compute the cross-entropy from the logits in a numerically stable way (``F.cross_entropy`` is fine here).

    Forbidden: the ``d2l`` package (as in every ch8-ch9 kata).
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.perplexity: not implemented yet - replace this line with your code")


def get_params(vocab_size: int, num_hiddens: int, device=None, generator=None) -> list:
    """The scratch RNN's parameters (d2l §8.5.2), in d2l's ``X @ W`` layout and in this order::

        W_xh (V, h), W_hh (h, h), b_h (h,), W_hq (h, V), b_q (V,)        V = vocab_size, h = num_hiddens

    * The three weight matrices are drawn from 0.01·N(0, 1) (``torch.randn(..., generator=generator,
      device=device) * 0.01``); every draw comes from ``generator`` (None: the global RNG, as the book). Two calls
      with identically seeded generators give identical parameters.
    * The two biases are zeros.
    * All five are float32 **leaf** tensors on ``device`` with ``requires_grad=True`` (so that ``backward`` fills
      their ``.grad`` and an update can change them in place). ``device=None`` means the default device.
      (A generator must live on the device it draws for: torch's rule.)

    Forbidden: the ``d2l`` package (as in every ch8-ch9 kata).
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.get_params: not implemented yet - replace this line with your code")


def init_rnn_state(batch_size: int, num_hiddens: int, device=None) -> tuple:
    """The initial state of the scratch RNN: a **1-tuple** ``(H,)`` with H = zeros (batch_size, num_hiddens),
    float32, on ``device`` (None: the default device). A tuple, so that the LSTM's (H, C) fits the same code.

    Forbidden: the ``d2l`` package (as in every ch8-ch9 kata).
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.init_rnn_state: not implemented yet - replace this line with your code")


def rnn(inputs: torch.Tensor, state: tuple, params: list) -> tuple:
    """The scratch RNN over a whole sequence (d2l §8.5.3). ``inputs`` (T, B, V) is time-major (one-hot tokens, or
    any float inputs), ``state`` the 1-tuple ``(H,)`` with H (B, h), ``params`` the five tensors of
    :func:`get_params`::

        for t = 0 … T−1:   H = tanh(X_t W_xh + H W_hh + b_h)            # (B, h)
                           Y_t = H W_hq + b_q                           # (B, V)
        outputs = [Y_0; Y_1; …; Y_{T−1}]  concatenated along dim 0      # (T·B, V): row t·B + b

    Returns ``(outputs, (H_T,))`` — the outputs of all time steps stacked on top of each other (time-major rows,
    the layout ``Y.T.reshape(-1)`` labels match) and the final state, again as a 1-tuple. The state you are given is
    not modified (compute new tensors); float64 in → float64 out.

    Forbidden: ``nn.RNN``, ``nn.RNNCell``, ``nn.GRU``, ``nn.LSTM``, ``torch.rnn_tanh``, ``torch.rnn_tanh_cell``,
    ``torch.rnn_relu``, the ``d2l`` package (the recurrence is the exercise; ``nn.RNN`` is what the graders
    compare you with).
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.rnn: not implemented yet - replace this line with your code")


class RNNModelScratch:
    """A recurrent model from scratch (d2l §8.5.3): it holds the parameters and the functions of the model.

    ``RNNModelScratch(vocab_size, num_hiddens, device, get_params, init_state, forward_fn, generator=None)``:

    * stores ``vocab_size`` and ``num_hiddens`` (attributes of those names), ``init_state`` and ``forward_fn``,
      and creates ``self.params = get_params(vocab_size, num_hiddens, device, generator)`` (pass the generator
      on: the model is then reproducible);
    * ``model(X, state)`` with X a batch of token indices (B, T) (int64, batch-first, as the iterators yield them):
      one-hot encode the **transpose** X.T, so that time comes first — ``F.one_hot(X.T, vocab_size)`` of shape
      (T, B, V) — convert it to float32, and return ``forward_fn(inputs, state, self.params)`` (whatever it
      returns: for :func:`rnn`, outputs (T·B, V) and the new state);
    * ``model.begin_state(batch_size, device)`` returns ``init_state(batch_size, num_hiddens, device)``.

    Forbidden: the ``d2l`` package (``F.one_hot`` is fine here).
    """

    def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn, generator=None):
        raise NotImplementedError("KATA-STUB ch8.rnn_scratch.RNNModelScratch.__init__: not implemented yet - replace this line with your code")

    def __call__(self, X, state):
        raise NotImplementedError("KATA-STUB ch8.rnn_scratch.RNNModelScratch.__call__: not implemented yet - replace this line with your code")

    def begin_state(self, batch_size, device):
        raise NotImplementedError("KATA-STUB ch8.rnn_scratch.RNNModelScratch.begin_state: not implemented yet - replace this line with your code")


def grad_clipping(net, theta: float) -> None:
    """Gradient clipping (d2l §8.5.5), in place: with g the **global** L2 norm of all the gradients taken together,

        g = sqrt( Σ_p ‖p.grad‖² ),     and if g > θ:  p.grad ← p.grad · θ / g   for every p

    (nothing changes when g ≤ θ). After clipping the global norm is θ; the direction of the whole gradient is kept.

    * ``net`` is an ``nn.Module`` — use its parameters that have ``requires_grad`` (frozen ones are neither counted
      nor changed) — or a scratch model with a list ``net.params``.
    * Parameters whose ``.grad`` is None are skipped; when none has a gradient, nothing happens.
    * Returns None. Scale the gradients in place (``p.grad.mul_(...)``, ``p.grad[:] *= ...``) or assign new ones.
    * PyTorch's variant θ / (g + 1e-6) is also accepted.

    Forbidden: ``torch.nn.utils.clip_grad_norm_`` (and ``clip_grad_norm``, ``clip_grad_value_``, ``get_total_norm``,
    ``clip_grads_with_norm_``) and the ``d2l`` package — the graders compare you with ``clip_grad_norm_``.
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.grad_clipping: not implemented yet - replace this line with your code")


def predict_ch8(prefix: str, num_preds: int, net, vocab, device) -> str:
    """Generate ``num_preds`` tokens after ``prefix`` (d2l §8.5.4) and return ``prefix`` + the generated tokens.

    1. One state for the whole generation: ``state = net.begin_state(batch_size=1, device=device)``.
    2. Warm-up: ``outputs = [vocab[prefix[0]]]``; for every further character y of the prefix, feed the **last**
       token of ``outputs`` as a (1, 1) int64 tensor on ``device`` — ``net(X, state)`` returns (predictions,
       new state); keep the new state, ignore the predictions — and append ``vocab[y]``.
    3. Prediction: ``num_preds`` times, feed the last token the same way, take the index of the largest score
       (``int(y.argmax(dim=1).reshape(1))``, greedy) and append it.
    4. Return ``''.join(vocab.idx_to_token[i] for i in outputs)``.

    So ``net`` is called exactly ``len(prefix) − 1 + num_preds`` times, and each call continues from the state the
    previous call returned. ``prefix`` has at least one character; graders only use prefixes whose characters are in
    the vocabulary. ``vocab`` offers ``vocab[token]``, ``vocab[list_of_tokens]``, ``vocab.idx_to_token[i]`` and
    ``vocab.to_tokens(indices)``; use only those.

    Forbidden: the ``d2l`` package (as in every ch8-ch9 kata).
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.predict_ch8: not implemented yet - replace this line with your code")


def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter) -> tuple:
    """One epoch of training (d2l §8.5.6); returns ``(perplexity, tokens_per_second)``, two Python floats.

    For each batch (X, Y) of ``train_iter`` (both int64 (B, T), batch-first; Y is X shifted by one token):

    1. **State.** At the first batch — and at every batch when ``use_random_iter`` (random sampling: consecutive
       batches are unrelated) — start from ``net.begin_state(batch_size=X.shape[0], device=device)``. Otherwise
       (sequential sampling) keep the state the previous batch returned, but **detach** it from the previous
       batch's graph first: the values carry over, the graph does not, so each backward pass covers one batch
       (truncated backpropagation through time). The state is a tuple of tensors (scratch models, nn.LSTM) or a
       single tensor (nn.GRU, nn.RNN): handle both (in place with ``detach_()``, or by rebuilding it).
    2. **Labels.** The net's outputs are time-major, (T·B, V) with row t·B + b, so the labels are ``Y.T.reshape(-1)``.
       Move X and the labels to ``device``.
    3. ``y_hat, state = net(X, state)``; ``l = loss(y_hat, labels).mean()`` (``loss`` is ``nn.CrossEntropyLoss()``).
    4. **Update.** If ``updater`` is a ``torch.optim.Optimizer``: ``updater.zero_grad()``, ``l.backward()``,
       ``grad_clipping(net, 1)``, ``updater.step()``. Otherwise (a scratch updater, a function of the batch size):
       ``l.backward()``, ``grad_clipping(net, 1)``, ``updater(batch_size=1)`` (1 because l is already a mean).
       Clipping sits between the backward pass and the update.
    5. Accumulate l × (number of labels) and the number of labels.

    perplexity = exp(Σ l·n / Σ n) — the exp of the **token-weighted mean loss of the whole epoch** (not a mean of
    per-batch perplexities); tokens_per_second = Σ n / elapsed seconds (``time.perf_counter``).

    Forbidden: ``torch.nn.utils.clip_grad_norm_`` and its relatives (use your own :func:`grad_clipping`), the
    ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.train_epoch_ch8: not implemented yet - replace this line with your code")


def train_ch8(net, train_iter, vocab, lr, num_epochs, device, use_random_iter=False) -> list:
    """Train ``net`` for ``num_epochs`` epochs (d2l §8.5.6) and return the list of the epochs' training perplexities
    (what :func:`train_epoch_ch8` returns first), one Python float per epoch.

    * The loss is ``nn.CrossEntropyLoss()``.
    * The updater: for an ``nn.Module``, ``torch.optim.SGD(net.parameters(), lr)``; for a scratch model, a function
      of the batch size that calls :func:`sgd` on ``net.params`` with learning rate ``lr`` (the book's
      ``lambda batch_size: sgd(net.params, lr, batch_size)``).
    * Each epoch is one call of :func:`train_epoch_ch8` with the same ``train_iter``, ``device`` and
      ``use_random_iter``.
    * Printing or plotting (the book prints a prediction every 10 epochs with :func:`predict_ch8`) is optional; the
      graders' vocabularies need not contain "time traveller", so predict only if you want to, on tokens of
      ``vocab``.

    Forbidden: ``torch.nn.utils.clip_grad_norm_`` and its relatives, the ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch8.rnn_scratch.train_ch8: not implemented yet - replace this line with your code")
