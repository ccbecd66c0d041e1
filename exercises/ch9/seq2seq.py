# Generated from solutions/ch9/seq2seq.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Encoder-decoder sequence to sequence learning · 序列到序列学习(seq2seq)

d2l-zh §9.5 (机器翻译与数据集: preprocessing, tokenising, truncating and padding, the arrays with their valid
lengths), §9.6 (编码器-解码器架构: ``EncoderDecoder``) and §9.7 (序列到序列学习: the GRU encoder and decoder, the
masked loss, training with teacher forcing, greedy prediction).

The story. Machine translation is the first task of the course whose input and output are both sequences of
*different* lengths ("序列转换 sequence transduction"). The encoder-decoder answer: an encoder reads the whole
source and squeezes it into a state; a decoder, started from that state, writes the target one token at a time,
each step fed the previous token. Everything around the two networks exists because sequences have lengths:
``<eos>`` marks the end, ``<pad>`` fills a minibatch to ``num_steps``, ``valid_len`` says how many tokens are real,
and the loss must not count the padding (``sequence_mask``). Training feeds the decoder the *true* previous token
(teacher forcing: ``<bos>`` followed by the target shifted by one); prediction feeds it its own guess.

Three places where a small slip silently ruins the model, and which this kata grades:

* the decoder input must be shifted (``[<bos>, Y[:, :-1]]``): fed Y itself, the decoder learns to copy its
  input and predicts garbage;
* the context (the encoder's final state, concatenated to every decoder input) must stay **the same at every
  decoding step**. d2l-zh's decoder recomputes it from whatever state it is given, ``state[-1]``: in one call over
  the whole target (training) that is the encoder's state, but in prediction, called one step at a time, it becomes
  the decoder's own previous hidden state — the model is trained on one input distribution and tested on another;
* the book writes ``sequence_mask`` into its input (``X[~mask] = value``); here it returns a new tensor.

The graders check the model on a small task it can learn in a couple of seconds: reverse a sequence of four words.
"""
import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------------------------- the data
def preprocess_nmt(text: str) -> str:
    """The book's preprocessing of the English-French text (d2l §9.5.1).

    1. the non-breaking spaces ``'\\u202f'`` and ``'\\xa0'`` become ordinary spaces ``' '``;
    2. the text is lower-cased (``str.lower``);
    3. a space is inserted before each of ``, . ! ?`` whose previous character (in the text after steps 1-2) is not
       a space — never before the very first character (position 0 has no previous character).

    Nothing else changes: tabs, newlines and runs of spaces stay as they are. Example::

        preprocess_nmt("Go.\\tVa !")  ==  "go .\\tva !"

    Forbidden: the ``d2l`` package and ``torchtext`` — the book's functions are the exercise.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.preprocess_nmt: not implemented yet - replace this line with your code")


def tokenize_nmt(text: str, num_examples: int | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """Word tokens of the tab-separated sentence pairs (d2l §9.5.2): ``(source, target)``.

    * Lines are ``text.split('\\n')``. Only the **first** ``num_examples`` lines are read (all when None); they are
      counted whether or not they hold a pair. (The book's ``i > num_examples`` reads one line more: here
      ``num_examples=k`` reads exactly k lines.)
    * A line with exactly one tab is a pair: ``source.append(left.split(' '))``, ``target.append(right.split(' '))``
      — ``split(' ')``, so two spaces in a row give an empty token ``''``, as in the book. Other lines (no tab, or
      two or more) are skipped.

    Forbidden: the ``d2l`` package and ``torchtext``.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.tokenize_nmt: not implemented yet - replace this line with your code")


def truncate_pad(line: list, num_steps: int, padding_token) -> list:
    """Cut or fill a token (or index) list to exactly ``num_steps`` entries (d2l §9.5.4).

    Longer lines keep their **first** num_steps entries; shorter ones get ``padding_token`` appended at the end.
    Returns a **new** list in every case (``line`` itself is never modified, not even when it already has length
    num_steps).

    Forbidden: the ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.truncate_pad: not implemented yet - replace this line with your code")


def build_array_nmt(lines: list[list[str]], vocab, num_steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token lines → a padded index array and the valid lengths (d2l §9.5.4)::

        row i = truncate_pad(vocab[lines[i]] + [vocab['<eos>']], num_steps, vocab['<pad>'])   # array (n, T) int64
        valid_len[i] = min(len(lines[i]) + 1, num_steps)                                       # (n,) int64

    ``valid_len`` counts the real tokens **including** ``<eos>``; when a line is too long, ``<eos>`` is cut off
    with the rest (as in the book) and valid_len is num_steps. Both tensors are int64 on the CPU (the book's
    valid_len is int32: here int64). ``vocab`` is only used as ``vocab[token]`` and ``vocab[list_of_tokens]``
    (the graders pass their own small vocabulary).

    Forbidden: the ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.build_array_nmt: not implemented yet - replace this line with your code")


# ----------------------------------------------------------------------------------------------- the loss
def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value=0) -> torch.Tensor:
    """Positions past each sequence's valid length set to ``value`` (d2l §9.7.2)::

        out[i, j, ...] = value       if j >= valid_len[i]
                       = X[i, j, ...] otherwise

    X has shape (B, T, ...) — any rank ≥ 2; the mask runs along dim 1 and covers every trailing entry. valid_len
    is a 1-D tensor (B,) of an integer or floating dtype (on X's device). The result has X's shape, dtype and
    device (``value`` is converted to X's dtype).

    Returns **a new tensor**; X is not modified. (The book writes ``X[~mask] = value`` into its argument and returns
    it: here that is a mistake — the project's rule is that inputs are never mutated.)

    Forbidden: the ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.sequence_mask: not implemented yet - replace this line with your code")


def masked_softmax_ce(pred: torch.Tensor, label: torch.Tensor, valid_len: torch.Tensor) -> torch.Tensor:
    """d2l's ``MaskedSoftmaxCELoss`` as a function (d2l §9.7.2): one loss per sequence, (B,)::

        ce[i, t]  = −log softmax(pred[i, t])[label[i, t]]             # (B, T)
        loss[i]   = (1 / T) · Σ_t ce[i, t] · [t < valid_len[i]]       # (B,)

    pred (B, T, V) float logits, label (B, T) int64, valid_len (B,). The mean runs over **all T positions**, the
    masked ones counting 0 (d2l's convention; it is *not* divided by valid_len). What lies under the mask (logits
    and labels at t ≥ valid_len[i]) cannot change the loss, and its gradient there is exactly 0; a sequence with
    valid_len 0 has loss 0. Result in pred's dtype, on pred's device; nothing is modified.

    Forbidden: the ``d2l`` package. (``F.cross_entropy`` with ``reduction='none'`` is the tool here.)
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.masked_softmax_ce: not implemented yet - replace this line with your code")


# ----------------------------------------------------------------------------------------------- the networks
class Seq2SeqEncoder(nn.Module):
    """The book's GRU encoder (d2l §9.7.1).

    Attributes: ``embedding = nn.Embedding(vocab_size, embed_size)`` and
    ``rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)`` (time-major, batch_first=False).

    ``forward(X, *args)``: X (B, T) int64 token indices → ``(outputs, state)`` with outputs (T, B, num_hiddens)
    (the last layer's hidden state at every step) and state (num_layers, B, num_hiddens) (every layer's final
    state); the GRU starts from zeros. Extra arguments (the book passes ``X_valid_len``) are accepted and ignored.

    Forbidden: the ``d2l`` package.
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch9.seq2seq.Seq2SeqEncoder.__init__: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor, *args):
        raise NotImplementedError("KATA-STUB ch9.seq2seq.Seq2SeqEncoder.forward: not implemented yet - replace this line with your code")


class Seq2SeqDecoder(nn.Module):
    """The GRU decoder with a fixed context (d2l §9.7.1, with the context kept fixed; see below).

    Attributes: ``embedding = nn.Embedding(vocab_size, embed_size)``,
    ``rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)`` and
    ``dense = nn.Linear(num_hiddens, vocab_size)``.

    * ``init_state(enc_outputs, *args)``: enc_outputs is the encoder's ``(outputs, state)``. The decoder's GRU
      starts from the encoder's state (L, B, h), and the **context** c = the encoder's last-layer final state
      (B, h) is fixed for the whole decoding. The decoder's state is yours to design (e.g. ``(hidden, context)``,
      or d2l-en 1.0's ``[enc_outputs, hidden]``); the graders treat it as opaque and only pass it back.
    * ``forward(X, state)``: X (B, T) int64 → ``(logits, new_state)``, logits (B, T, vocab_size) batch-first.
      At every step t the GRU's input is ``[embedding(X[:, t]), c]`` (embedding first, then the context, on the
      last axis); the logits are ``dense`` of the GRU's last-layer outputs.

    Because the context is fixed, decoding a target in one call equals decoding it one token at a time, each call
    given the state the previous one returned — which is how ``predict_seq2seq`` uses it. (d2l-zh's decoder reads
    the context from ``state[-1]`` of whatever state it is given: after the first step that is the decoder's own
    hidden state, not the encoder's.)

    Forbidden: the ``d2l`` package.
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch9.seq2seq.Seq2SeqDecoder.__init__: not implemented yet - replace this line with your code")

    def init_state(self, enc_outputs, *args):
        raise NotImplementedError("KATA-STUB ch9.seq2seq.Seq2SeqDecoder.init_state: not implemented yet - replace this line with your code")

    def forward(self, X: torch.Tensor, state):
        raise NotImplementedError("KATA-STUB ch9.seq2seq.Seq2SeqDecoder.forward: not implemented yet - replace this line with your code")


class EncoderDecoder(nn.Module):
    """The encoder-decoder architecture (d2l §9.6.3): attributes ``encoder`` and ``decoder``;

        forward(enc_X, dec_X, *args) = decoder(dec_X, decoder.init_state(encoder(enc_X, *args), *args))

    returning whatever the decoder returns (here ``(logits, state)``). The extra arguments (the book's
    ``X_valid_len``) are passed to both the encoder and ``init_state``.

    Forbidden: the ``d2l`` package.
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        raise NotImplementedError("KATA-STUB ch9.seq2seq.EncoderDecoder.__init__: not implemented yet - replace this line with your code")

    def forward(self, enc_X: torch.Tensor, dec_X: torch.Tensor, *args):
        raise NotImplementedError("KATA-STUB ch9.seq2seq.EncoderDecoder.forward: not implemented yet - replace this line with your code")


# ----------------------------------------------------------------------------------------------- train, predict
def train_seq2seq(net: nn.Module, data_iter, lr: float, num_epochs: int, tgt_vocab, device,
                  generator: torch.Generator | None = None) -> list[float]:
    """The book's training loop (d2l §9.7.3); returns the loss figure of every epoch.

    1. Xavier-uniform initialisation, drawn from ``generator``, of the ``weight`` of every ``nn.Linear`` module
       of ``net`` and of every weight matrix of every ``nn.GRU`` (its parameters named ``weight_ih_l…`` /
       ``weight_hh_l…``); nothing else is re-initialised. (``nn.init.xavier_uniform_`` takes ``generator=``.)
       Then ``net.to(device)``, ``torch.optim.Adam(net.parameters(), lr=lr)`` and ``net.train()``.
    2. For each batch ``(X, X_valid_len, Y, Y_valid_len)`` of ``data_iter`` (moved to ``device``):
       teacher forcing — the decoder input is ``<bos>`` followed by Y without its last token,
       ``dec_input = [tgt_vocab['<bos>'], Y[:, :-1]]`` (B, T); ``Y_hat, _ = net(X, dec_input, X_valid_len)``;
       ``l = masked_softmax_ce(Y_hat, Y, Y_valid_len)`` (B,); ``l.sum().backward()``; clip the **global** L2 norm
       of all gradients to 1; ``optimizer.step()`` (gradients zeroed before each backward). One forward pass, one
       backward pass and one optimizer step per batch; the data are iterated once per epoch.
    3. The figure of an epoch is d2l's printed one: Σ over its batches of ``l.sum()`` divided by Σ of
       ``Y_valid_len`` (a Python float). Printing is optional.

    ``torch.optim`` and ``torch.nn.utils.clip_grad_norm_`` are the tools here (d2l's ``grad_clipping`` does the same).

    Forbidden: the ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.train_seq2seq: not implemented yet - replace this line with your code")


def predict_seq2seq(net: nn.Module, src_sentence: str, src_vocab, tgt_vocab, num_steps: int, device,
                    save_attention_weights: bool = False) -> tuple[str, list]:
    """The book's greedy prediction (d2l §9.7.4): ``(translation, attention_weights)``.

    1. ``net.eval()``.
    2. Source tokens ``src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]``;
       ``enc_valid_len = torch.tensor([len(tokens)])`` (counted before truncation, as the book; graded only where
       that is ≤ num_steps); the tokens truncated/padded to num_steps with ``src_vocab['<pad>']``; ``enc_X`` of
       shape (1, num_steps) int64 on ``device``.
    3. ``enc_outputs = net.encoder(enc_X, enc_valid_len)``;
       ``state = net.decoder.init_state(enc_outputs, enc_valid_len)``.
    4. Greedy decoding: the first decoder input is ``[[tgt_vocab['<bos>']]]`` (1, 1); at each step
       ``Y, state = net.decoder(dec_X, state)`` and the next input is the argmax of Y, (1, 1). Stop when that token
       is ``<eos>`` (it is not part of the output) or after num_steps tokens (num_steps decoder calls at most).
    5. The translation is ``' '.join(tgt_vocab.to_tokens(predicted))``. The list holds the decoder's
       ``attention_weights`` of each step when ``save_attention_weights`` (ch10's decoders); otherwise it is empty.

    Forbidden: the ``d2l`` package.
    """
    raise NotImplementedError("KATA-STUB ch9.seq2seq.predict_seq2seq: not implemented yet - replace this line with your code")
