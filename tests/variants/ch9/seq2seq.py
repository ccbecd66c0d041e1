"""Recorded buggy variants and correct alternatives of ch9/seq2seq.py.

Each entry's source is appended to the reference solution, so it replaces the functions or classes it defines.
"feedback" is a substring the failure output must contain (case-insensitive).
"""
import textwrap

MUTANTS = {
    # ------------------------------------------------------------------ preprocess_nmt
    "preprocess_no_lower": {
        "why": "forgets to lower-case",
        "feedback": "lower-case the text",
        "source": '''
            def preprocess_nmt(text):
                text = text.replace("\\u202f", " ").replace("\\xa0", " ")
                return "".join(" " + c if i > 0 and c in ",.!?" and text[i - 1] != " " else c
                               for i, c in enumerate(text))
        ''',
    },
    "preprocess_space_at_start": {
        "why": "inserts a space before punctuation at position 0 (text[-1] is compared)",
        "feedback": "very first character",
        "source": '''
            def preprocess_nmt(text):
                text = text.replace("\\u202f", " ").replace("\\xa0", " ").lower()
                return "".join(" " + c if c in ",.!?" and text[i - 1] != " " else c for i, c in enumerate(text))
        ''',
    },
    "preprocess_always_space": {
        "why": "inserts a space before every punctuation mark, also after a space",
        "feedback": "previous character is not already a space",
        "source": '''
            def preprocess_nmt(text):
                text = text.replace("\\u202f", " ").replace("\\xa0", " ").lower()
                return "".join(" " + c if i > 0 and c in ",.!?" else c for i, c in enumerate(text))
        ''',
    },
    "preprocess_one_nbsp": {
        "why": "replaces only '\\xa0', not the narrow no-break space '\\u202f'",
        "feedback": "narrow no-break space",
        "source": '''
            def preprocess_nmt(text):
                text = text.replace("\\xa0", " ").lower()
                return "".join(" " + c if i > 0 and c in ",.!?" and text[i - 1] != " " else c
                               for i, c in enumerate(text))
        ''',
    },
    # ------------------------------------------------------------------ tokenize_nmt
    "tokenize_book_off_by_one": {
        "why": "the book's `i > num_examples`: reads num_examples + 1 lines",
        "feedback": "reads k + 1",
        "source": '''
            def tokenize_nmt(text, num_examples=None):
                source, target = [], []
                for i, line in enumerate(text.split("\\n")):
                    if num_examples and i > num_examples:
                        break
                    parts = line.split("\\t")
                    if len(parts) == 2:
                        source.append(parts[0].split(" "))
                        target.append(parts[1].split(" "))
                return source, target
        ''',
    },
    "tokenize_counts_pairs": {
        "why": "num_examples counts the pairs kept, not the lines read",
        "feedback": "not the pairs you kept",
        "source": '''
            def tokenize_nmt(text, num_examples=None):
                source, target = [], []
                for line in text.split("\\n"):
                    if num_examples is not None and len(source) >= num_examples:
                        break
                    parts = line.split("\\t")
                    if len(parts) == 2:
                        source.append(parts[0].split(" "))
                        target.append(parts[1].split(" "))
                return source, target
        ''',
    },
    "tokenize_split_whitespace": {
        "why": "split() instead of split(' '): runs of spaces collapse",
        "feedback": "split(' ')",
        "source": '''
            def tokenize_nmt(text, num_examples=None):
                source, target = [], []
                for i, line in enumerate(text.split("\\n")):
                    if num_examples is not None and i >= num_examples:
                        break
                    parts = line.split("\\t")
                    if len(parts) == 2:
                        source.append(parts[0].split())
                        target.append(parts[1].split())
                return source, target
        ''',
    },
    "tokenize_two_tabs": {
        "why": "keeps lines with two or more tabs (their first two fields)",
        "feedback": "exactly one tab",
        "source": '''
            def tokenize_nmt(text, num_examples=None):
                source, target = [], []
                for i, line in enumerate(text.split("\\n")):
                    if num_examples is not None and i >= num_examples:
                        break
                    parts = line.split("\\t")
                    if len(parts) >= 2:
                        source.append(parts[0].split(" "))
                        target.append(parts[1].split(" "))
                return source, target
        ''',
    },
    # ------------------------------------------------------------------ truncate_pad
    "truncate_pad_in_place": {
        "why": "extends the caller's list in place and returns it",
        "feedback": "unchanged",
        "source": '''
            def truncate_pad(line, num_steps, padding_token):
                if len(line) > num_steps:
                    del line[num_steps:]
                else:
                    line.extend([padding_token] * (num_steps - len(line)))
                return line
        ''',
    },
    "truncate_pad_returns_line": {
        "why": "returns the line itself when it already has num_steps entries",
        "feedback": "new list",
        "source": '''
            def truncate_pad(line, num_steps, padding_token):
                if len(line) == num_steps:
                    return line
                if len(line) > num_steps:
                    return line[:num_steps]
                return line + [padding_token] * (num_steps - len(line))
        ''',
    },
    "truncate_pad_front": {
        "why": "pads at the front",
        "feedback": "pad at the end",
        "source": '''
            def truncate_pad(line, num_steps, padding_token):
                if len(line) > num_steps:
                    return line[:num_steps]
                return [padding_token] * (num_steps - len(line)) + line
        ''',
    },
    "truncate_keeps_last": {
        "why": "a long line keeps its last num_steps entries",
        "feedback": "first* num_steps",
        "source": '''
            def truncate_pad(line, num_steps, padding_token):
                if len(line) > num_steps:
                    return line[-num_steps:]
                return line + [padding_token] * (num_steps - len(line))
        ''',
    },
    "truncate_off_by_one": {
        "why": "truncates to num_steps - 1 entries",
        "feedback": "exactly num_steps",
        "source": '''
            def truncate_pad(line, num_steps, padding_token):
                if len(line) >= num_steps:
                    return line[:num_steps - 1]
                return line + [padding_token] * (num_steps - len(line))
        ''',
    },
    # ------------------------------------------------------------------ build_array_nmt
    "build_no_eos": {
        "why": "forgets to append <eos>",
        "feedback": "append <eos>",
        "source": '''
            def build_array_nmt(lines, vocab, num_steps):
                rows = [vocab[line] for line in lines]
                array = torch.tensor([truncate_pad(r, num_steps, vocab["<pad>"]) for r in rows],
                                     dtype=torch.int64).reshape(len(rows), num_steps)
                return array, torch.tensor([min(len(r), num_steps) for r in rows], dtype=torch.int64)
        ''',
    },
    "build_valid_len_uncapped": {
        "why": "valid_len = len(line) + 1 without the cap at num_steps",
        "feedback": "capped at num_steps",
        "source": '''
            def build_array_nmt(lines, vocab, num_steps):
                rows = [vocab[line] + [vocab["<eos>"]] for line in lines]
                array = torch.tensor([truncate_pad(r, num_steps, vocab["<pad>"]) for r in rows],
                                     dtype=torch.int64).reshape(len(rows), num_steps)
                return array, torch.tensor([len(r) for r in rows], dtype=torch.int64)
        ''',
    },
    "build_pad_with_unk": {
        "why": "pads with index 0 (<unk>) instead of vocab['<pad>']",
        "feedback": "vocab['<pad>']",
        "source": '''
            def build_array_nmt(lines, vocab, num_steps):
                rows = [vocab[line] + [vocab["<eos>"]] for line in lines]
                array = torch.tensor([truncate_pad(r, num_steps, 0) for r in rows],
                                     dtype=torch.int64).reshape(len(rows), num_steps)
                return array, torch.tensor([min(len(r), num_steps) for r in rows], dtype=torch.int64)
        ''',
    },
    "build_keeps_eos": {
        "why": "truncates first, then appends <eos> (a long line keeps its <eos>)",
        "feedback": "append <eos> first",
        "source": '''
            def build_array_nmt(lines, vocab, num_steps):
                rows = [vocab[line][:num_steps - 1] + [vocab["<eos>"]] for line in lines]
                array = torch.tensor([truncate_pad(r, num_steps, vocab["<pad>"]) for r in rows],
                                     dtype=torch.int64).reshape(len(rows), num_steps)
                return array, torch.tensor([len(r) for r in rows], dtype=torch.int64)
        ''',
    },
    "build_int32_valid_len": {
        "why": "the book's int32 valid_len",
        "feedback": "int64",
        "source": '''
            def build_array_nmt(lines, vocab, num_steps):
                rows = [vocab[line] + [vocab["<eos>"]] for line in lines]
                array = torch.tensor([truncate_pad(r, num_steps, vocab["<pad>"]) for r in rows],
                                     dtype=torch.int64).reshape(len(rows), num_steps)
                valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1).type(torch.int32)
                return array, valid_len
        ''',
    },
    # ------------------------------------------------------------------ sequence_mask
    "mask_book_in_place": {
        "why": "the book's sequence_mask: writes into X and returns it",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def sequence_mask(X, valid_len, value=0):
                maxlen = X.size(1)
                mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
                X[~mask] = value
                return X
        ''',
    },
    "mask_off_by_one": {
        "why": "keeps j <= valid_len",
        "feedback": "strictly less",
        "source": '''
            def sequence_mask(X, valid_len, value=0):
                keep = torch.arange(X.shape[1], device=X.device)[None, :] <= valid_len[:, None]
                keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
                return X.masked_fill(~keep, value)
        ''',
    },
    "mask_ignores_value": {
        "why": "always writes 0",
        "feedback": "use `value`",
        "source": '''
            def sequence_mask(X, valid_len, value=0):
                keep = torch.arange(X.shape[1], device=X.device)[None, :] < valid_len[:, None]
                keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
                return X * keep
        ''',
    },
    "mask_2d_only": {
        "why": "torch.where with the (B, T) mask: breaks for rank > 2",
        "feedback": "trailing",
        "source": '''
            def sequence_mask(X, valid_len, value=0):
                keep = torch.arange(X.shape[1], device=X.device)[None, :] < valid_len[:, None]
                return torch.where(keep, X, torch.tensor(value, dtype=X.dtype, device=X.device))
        ''',
    },
    "mask_changes_dtype": {
        "why": "X * keep + value * ~keep: an integer X comes back as float for a float value",
        "feedback": "dtype",
        "source": '''
            def sequence_mask(X, valid_len, value=0):
                keep = torch.arange(X.shape[1], device=X.device)[None, :] < valid_len[:, None]
                keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
                return X * keep + float(value) * (~keep)
        ''',
    },
    "mask_cpu_positions": {
        "why": "torch.arange(T) without device=: fails for tensors on another device",
        "feedback": "device=X.device",
        "source": '''
            def sequence_mask(X, valid_len, value=0):
                keep = torch.arange(X.shape[1])[None, :] < valid_len[:, None]
                keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
                return X.masked_fill(~keep, value)
        ''',
    },
    # ------------------------------------------------------------------ masked_softmax_ce
    "ce_divides_by_valid_len": {
        "why": "divides the masked sum by valid_len instead of taking the mean over T",
        "feedback": "do not divide by valid_len",
        "source": '''
            def masked_softmax_ce(pred, label, valid_len):
                ce = F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
                weights = sequence_mask(torch.ones_like(ce), valid_len)
                return (ce * weights).sum(dim=1) / valid_len
        ''',
    },
    "ce_no_mask": {
        "why": "plain mean of the per-position cross-entropy (padding counted)",
        "feedback": "the padding counts",
        "source": '''
            def masked_softmax_ce(pred, label, valid_len):
                return F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none").mean(dim=1)
        ''',
    },
    "ce_sum": {
        "why": "sums over T instead of the mean",
        "feedback": "that is the sum over positions",
        "source": '''
            def masked_softmax_ce(pred, label, valid_len):
                ce = F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
                return (ce * sequence_mask(torch.ones_like(ce), valid_len)).sum(dim=1)
        ''',
    },
    "ce_masks_logits": {
        "why": "masks the logits instead of the per-position losses",
        "feedback": "mask the per-position losses, not the logits",
        "source": '''
            def masked_softmax_ce(pred, label, valid_len):
                pred = sequence_mask(pred, valid_len)
                return F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none").mean(dim=1)
        ''',
    },
    # ------------------------------------------------------------------ Seq2SeqEncoder
    "encoder_no_permute": {
        "why": "feeds the GRU batch-first embeddings (time and batch swapped)",
        "feedback": "time-major",
        "source": '''
            class Seq2SeqEncoder(Seq2SeqEncoder):
                def forward(self, X, *args):
                    return self.rnn(self.embedding(X))
        ''',
    },
    "encoder_no_dropout": {
        "why": "forgets to pass dropout to the GRU",
        "feedback": "pass dropout to the GRU",
        "source": '''
            class Seq2SeqEncoder(Seq2SeqEncoder):
                def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                    nn.Module.__init__(self)
                    self.embedding = nn.Embedding(vocab_size, embed_size)
                    self.rnn = nn.GRU(embed_size, num_hiddens, num_layers)
        ''',
    },
    "encoder_reversed_input": {
        "why": "reads the source backwards (X.flip(1)) — not the book's encoder",
        "feedback": "the encoder's outputs",
        "source": '''
            class Seq2SeqEncoder(Seq2SeqEncoder):
                def forward(self, X, *args):
                    return self.rnn(self.embedding(X.flip(1)).permute(1, 0, 2))
        ''',
    },
    # ------------------------------------------------------------------ Seq2SeqDecoder
    "decoder_d2l_zh": {
        "why": "the d2l-zh decoder: context = state[-1] of the state passed in (drifts during prediction)",
        "feedback": "d2l-zh",
        "source": '''
            class Seq2SeqDecoder(Seq2SeqDecoder):
                def init_state(self, enc_outputs, *args):
                    return enc_outputs[1]

                def forward(self, X, state):
                    X = self.embedding(X).permute(1, 0, 2)
                    context = state[-1].repeat(X.shape[0], 1, 1)
                    output, state = self.rnn(torch.cat((X, context), 2), state)
                    return self.dense(output).permute(1, 0, 2), state
        ''',
    },
    "decoder_first_layer_context": {
        "why": "the context is the encoder's first layer's final state (state[0])",
        "feedback": "*last* layer",
        "source": '''
            class Seq2SeqDecoder(Seq2SeqDecoder):
                def init_state(self, enc_outputs, *args):
                    return enc_outputs[1], enc_outputs[1][0]
        ''',
    },
    "decoder_context_first": {
        "why": "concatenates [context, embedding] instead of [embedding, context]",
        "feedback": "in that order",
        "source": '''
            class Seq2SeqDecoder(Seq2SeqDecoder):
                def forward(self, X, state):
                    hidden, context = state
                    X = self.embedding(X).permute(1, 0, 2)
                    ctx = context.unsqueeze(0).expand(X.shape[0], -1, -1)
                    outputs, hidden = self.rnn(torch.cat((ctx, X), dim=2), hidden)
                    return self.dense(outputs).permute(1, 0, 2), (hidden, context)
        ''',
    },
    "decoder_time_major_logits": {
        "why": "returns the logits time-major (T, B, V)",
        "feedback": "batch-first",
        "source": '''
            class Seq2SeqDecoder(Seq2SeqDecoder):
                def forward(self, X, state):
                    hidden, context = state
                    X = self.embedding(X).permute(1, 0, 2)
                    ctx = context.unsqueeze(0).expand(X.shape[0], -1, -1)
                    outputs, hidden = self.rnn(torch.cat((X, ctx), dim=2), hidden)
                    return self.dense(outputs), (hidden, context)
        ''',
    },
    "decoder_no_context": {
        "why": "no context: the GRU reads the embedding only (nn.GRU(embed_size, ...))",
        "feedback": "embed_size + num_hiddens",
        "source": '''
            class Seq2SeqDecoder(nn.Module):
                def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                    super().__init__()
                    self.embedding = nn.Embedding(vocab_size, embed_size)
                    self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)
                    self.dense = nn.Linear(num_hiddens, vocab_size)

                def init_state(self, enc_outputs, *args):
                    return enc_outputs[1]

                def forward(self, X, state):
                    out, state = self.rnn(self.embedding(X).permute(1, 0, 2), state)
                    return self.dense(out).permute(1, 0, 2), state
        ''',
    },
    "decoder_stale_hidden": {
        "why": "returns the state it was given instead of the GRU's new hidden state",
        "feedback": "return the GRU's new hidden state",
        "source": '''
            class Seq2SeqDecoder(Seq2SeqDecoder):
                def forward(self, X, state):
                    hidden, context = state
                    X = self.embedding(X).permute(1, 0, 2)
                    ctx = context.unsqueeze(0).expand(X.shape[0], -1, -1)
                    outputs, _ = self.rnn(torch.cat((X, ctx), dim=2), hidden)
                    return self.dense(outputs).permute(1, 0, 2), (hidden, context)
        ''',
    },
    # ------------------------------------------------------------------ EncoderDecoder
    "encdec_drops_args": {
        "why": "does not pass *args to the encoder and init_state",
        "feedback": "pass the extra arguments",
        "source": '''
            class EncoderDecoder(EncoderDecoder):
                def forward(self, enc_X, dec_X, *args):
                    return self.decoder(dec_X, self.decoder.init_state(self.encoder(enc_X)))
        ''',
    },
    "encdec_plain_attributes": {
        "why": "stores the parts in a plain dict: nothing registered (parameters invisible to the optimizer)",
        "feedback": "super().__init__() first",
        "source": '''
            class EncoderDecoder(nn.Module):
                def __init__(self, encoder, decoder):
                    super().__init__()
                    self.parts = {"encoder": encoder, "decoder": decoder}

                @property
                def encoder(self):
                    return self.parts["encoder"]

                @property
                def decoder(self):
                    return self.parts["decoder"]

                def forward(self, enc_X, dec_X, *args):
                    enc_outputs = self.encoder(enc_X, *args)
                    return self.decoder(dec_X, self.decoder.init_state(enc_outputs, *args))
        ''',
    },
    "encdec_state_only": {
        "why": "hands init_state the encoder's state instead of its whole output",
        "feedback": "state = self.decoder.init_state(enc_outputs, *args)",
        "source": '''
            class EncoderDecoder(EncoderDecoder):
                def forward(self, enc_X, dec_X, *args):
                    enc_outputs = self.encoder(enc_X, *args)
                    return self.decoder(dec_X, self.decoder.init_state(enc_outputs[1], *args))
        ''',
    },
    # ------------------------------------------------------------------ train_seq2seq
    "train_unshifted": {
        "why": "feeds the decoder Y itself (no <bos>, no shift)",
        "feedback": "must be shifted",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, shift=False)
        ''',
    },
    "train_no_clipping": {
        "why": "no gradient clipping",
        "feedback": "clip the gradients between backward() and step()",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, clip="none")
        ''',
    },
    "train_per_tensor_clipping": {
        "why": "clips each gradient tensor to norm 1 separately",
        "feedback": "*global* norm",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, clip="per_tensor")
        ''',
    },
    "train_clip_after_step": {
        "why": "clips after optimizer.step() (too late)",
        "feedback": "between backward() and step()",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, clip="after")
        ''',
    },
    "train_no_zero_grad": {
        "why": "never zeroes the gradients: they accumulate over the batches",
        "feedback": "zero the gradients",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, zero=False)
        ''',
    },
    "train_mean_loss": {
        "why": "back-propagates l.mean() instead of l.sum()",
        "feedback": "l.sum()",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, reduce="mean")
        ''',
    },
    "train_mean_of_batch_figures": {
        "why": "the epoch figure is a mean of per-batch l.sum() / Y_valid_len.sum()",
        "feedback": "a mean of per-batch figures",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, figure="batch_mean")
        ''',
    },
    "train_figure_per_sequence": {
        "why": "the epoch figure divides by the number of sequences",
        "feedback": "number of sequences",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, figure="per_seq")
        ''',
    },
    "train_bos_hardcoded": {
        "why": "<bos> hard-coded as index 2 (the book's vocabulary order)",
        "feedback": "tgt_vocab['<bos>']",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, bos=2)
        ''',
    },
    "train_global_rng_init": {
        "why": "Xavier init from the global RNG (generator ignored)",
        "feedback": "generator=generator",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, None)
        ''',
    },
    "train_xavier_normal": {
        "why": "xavier_normal_ instead of xavier_uniform_",
        "feedback": "xavier_normal_",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, init="normal")
        ''',
    },
    "train_linear_init_only": {
        "why": "re-initialises the Linear layers only (the GRU keeps its weights)",
        "feedback": "xavier_uniform_(weight, generator=generator)",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, init="linear")
        ''',
    },
    "train_no_train_mode": {
        "why": "never calls net.train()",
        "feedback": "net.train()",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, train_mode=False)
        ''',
    },
    "train_sgd": {
        "why": "torch.optim.SGD instead of Adam",
        "feedback": "torch.optim.Adam",
        "source": '''
            def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
                return _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, opt="sgd")
        ''',
    },
    # ------------------------------------------------------------------ predict_seq2seq
    "predict_no_eval": {
        "why": "forgets net.eval()",
        "feedback": "net.eval()",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, eval_mode=False)
        ''',
    },
    "predict_keeps_eos": {
        "why": "appends <eos> to the output before stopping",
        "feedback": "leave it out of the translation",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, keep_eos=True)
        ''',
    },
    "predict_never_stops": {
        "why": "ignores <eos>: always decodes num_steps tokens (and drops the <eos> tokens)",
        "feedback": "stop as soon as",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, stop=False)
        ''',
    },
    "predict_feeds_bos": {
        "why": "feeds <bos> at every step instead of the previous prediction",
        "feedback": "its own prediction",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, feed="bos")
        ''',
    },
    "predict_initial_state": {
        "why": "passes init_state's state at every step (the returned state is dropped)",
        "feedback": "keep the returned state",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, carry=False)
        ''',
    },
    "predict_no_source_eos": {
        "why": "the source gets no <eos> and enc_valid_len = len(tokens)",
        "feedback": "append <eos> to the source",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, src_eos=False)
        ''',
    },
    "predict_no_lower": {
        "why": "looks the source up without lower-casing it",
        "feedback": "lower-case the source",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, lower=False)
        ''',
    },
    "predict_no_valid_len": {
        "why": "calls net.encoder(enc_X) and init_state(enc_outputs) without enc_valid_len",
        "feedback": "enc_valid_len",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, pass_len=False)
        ''',
    },
    "predict_one_step_short": {
        "why": "range(num_steps - 1): one token short when no <eos> comes",
        "feedback": "decode at most num_steps",
        "source": '''
            def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                                save_attention_weights=False):
                return _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps - 1, device, pad_to=num_steps)
        ''',
    },
}

# helpers shared by the train_seq2seq / predict_seq2seq mutants (appended before each of those mutants' source)
_HELPERS = '''
def _loop(net, data_iter, lr, num_epochs, tgt_vocab, device, generator, clip="global", zero=True, reduce="sum",
          figure="tokens", bos=None, init="uniform", train_mode=True, opt="adam", shift=True):
    def xavier(m):
        fn = nn.init.xavier_normal_ if init == "normal" else nn.init.xavier_uniform_
        if isinstance(m, nn.Linear):
            fn(m.weight, generator=generator)
        if isinstance(m, nn.GRU) and init != "linear":
            for name, p in m.named_parameters():
                if name.startswith("weight"):
                    fn(p, generator=generator)
    net.apply(xavier)
    net.to(device)
    optimizer = (torch.optim.SGD(net.parameters(), lr=lr) if opt == "sgd"
                 else torch.optim.Adam(net.parameters(), lr=lr))
    if train_mode:
        net.train()
    hist = []
    for _ in range(num_epochs):
        s, n, figs = 0.0, 0, []
        for X, Xv, Y, Yv in data_iter:
            if zero:
                optimizer.zero_grad()
            b = tgt_vocab["<bos>"] if bos is None else bos
            dec_input = torch.cat([torch.full((Y.shape[0], 1), b, dtype=Y.dtype), Y[:, :-1]], 1) if shift else Y
            Y_hat, _ = net(X, dec_input, Xv)
            l = masked_softmax_ce(Y_hat, Y, Yv)
            (l.mean() if reduce == "mean" else l.sum()).backward()
            if clip == "global":
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            elif clip == "per_tensor":
                for p in net.parameters():
                    if p.grad is not None:
                        nn.utils.clip_grad_norm_([p], 1.0)
            optimizer.step()
            if clip == "after":
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            s += float(l.detach().sum())
            n += int(Yv.sum())
            figs.append(float(l.detach().sum()) / int(Yv.sum()))
            if figure == "per_seq":
                n += len(Yv) - int(Yv.sum())
        hist.append(sum(figs) / len(figs) if figure == "batch_mean" else s / n)
    return hist


def _predict(net, src_sentence, src_vocab, tgt_vocab, num_steps, device, eval_mode=True, keep_eos=False, stop=True,
             feed="own", carry=True, src_eos=True, lower=True, pass_len=True, pad_to=None):
    if eval_mode:
        net.eval()
    words = (src_sentence.lower() if lower else src_sentence).split(" ")
    src_tokens = src_vocab[words] + ([src_vocab["<eos>"]] if src_eos else [])
    enc_valid_len = torch.tensor([len(src_tokens)], device=device)
    src_tokens = truncate_pad(src_tokens, pad_to or num_steps, src_vocab["<pad>"])
    enc_X = torch.tensor(src_tokens, dtype=torch.long, device=device).unsqueeze(0)
    extra = (enc_valid_len,) if pass_len else ()
    enc_outputs = net.encoder(enc_X, *extra)
    state0 = dec_state = net.decoder.init_state(enc_outputs, *extra)
    bos = torch.tensor([[tgt_vocab["<bos>"]]], dtype=torch.long, device=device)
    dec_X = bos
    out = []
    for _ in range(num_steps):
        Y, new_state = net.decoder(dec_X, dec_state)
        dec_state = new_state if carry else state0
        dec_X = bos if feed == "bos" else Y.argmax(dim=2)
        pred = int(Y.argmax(dim=2).item())
        if pred == tgt_vocab["<eos>"]:
            if keep_eos:
                out.append(pred)
            if stop:
                break
            continue
        out.append(pred)
    return " ".join(tgt_vocab.to_tokens(out)), []
'''

for _name, _m in MUTANTS.items():
    if _name.startswith(("train_", "predict_")):
        _m["source"] = _HELPERS + textwrap.dedent(_m["source"])

ALTERNATIVES = {
    # the book's code (d2l-zh §9.5-9.7), adapted only where the contract's Clarifications differ:
    # tokenize_nmt reads exactly num_examples lines; valid_len int64; sequence_mask out of place; the decoder's
    # context fixed (kept in the state); train_seq2seq takes a generator and returns the figures; no Animator.
    "book": '''
        def preprocess_nmt(text):
            def no_space(char, prev_char):
                return char in set(',.!?') and prev_char != ' '
            text = text.replace('\\u202f', ' ').replace('\\xa0', ' ').lower()
            out = [' ' + char if i > 0 and no_space(char, text[i - 1]) else char
                   for i, char in enumerate(text)]
            return ''.join(out)

        def tokenize_nmt(text, num_examples=None):
            source, target = [], []
            for i, line in enumerate(text.split('\\n')):
                if num_examples is not None and i >= num_examples:
                    break
                parts = line.split('\\t')
                if len(parts) == 2:
                    source.append(parts[0].split(' '))
                    target.append(parts[1].split(' '))
            return source, target

        def truncate_pad(line, num_steps, padding_token):
            if len(line) > num_steps:
                return line[:num_steps]
            return line + [padding_token] * (num_steps - len(line))

        def build_array_nmt(lines, vocab, num_steps):
            lines = [vocab[l] for l in lines]
            lines = [l + [vocab['<eos>']] for l in lines]
            array = torch.tensor([truncate_pad(l, num_steps, vocab['<pad>']) for l in lines],
                                 dtype=torch.int64).reshape(len(lines), num_steps)
            valid_len = (array != vocab['<pad>']).type(torch.int64).sum(1)
            return array, valid_len

        def sequence_mask(X, valid_len, value=0):
            X = X.clone()
            maxlen = X.size(1)
            mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
            X[~mask] = value
            return X

        class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
            def forward(self, pred, label, valid_len):
                weights = torch.ones_like(label)
                weights = sequence_mask(weights, valid_len)
                self.reduction = 'none'
                unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(pred.permute(0, 2, 1), label)
                weighted_loss = (unweighted_loss * weights).mean(dim=1)
                return weighted_loss

        def masked_softmax_ce(pred, label, valid_len):
            return MaskedSoftmaxCELoss()(pred, label, valid_len)

        class Seq2SeqEncoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
                super(Seq2SeqEncoder, self).__init__(**kwargs)
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

            def forward(self, X, *args):
                X = self.embedding(X)
                X = X.permute(1, 0, 2)
                output, state = self.rnn(X)
                return output, state

        class Seq2SeqDecoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
                super(Seq2SeqDecoder, self).__init__(**kwargs)
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
                self.dense = nn.Linear(num_hiddens, vocab_size)

            def init_state(self, enc_outputs, *args):
                return enc_outputs[1], enc_outputs[1][-1]

            def forward(self, X, state):
                state, context = state
                X = self.embedding(X).permute(1, 0, 2)
                context_rep = context.repeat(X.shape[0], 1, 1)
                X_and_context = torch.cat((X, context_rep), 2)
                output, state = self.rnn(X_and_context, state)
                output = self.dense(output).permute(1, 0, 2)
                return output, (state, context)

        class EncoderDecoder(nn.Module):
            def __init__(self, encoder, decoder, **kwargs):
                super(EncoderDecoder, self).__init__(**kwargs)
                self.encoder = encoder
                self.decoder = decoder

            def forward(self, enc_X, dec_X, *args):
                enc_outputs = self.encoder(enc_X, *args)
                dec_state = self.decoder.init_state(enc_outputs, *args)
                return self.decoder(dec_X, dec_state)

        def grad_clipping(net, theta):
            params = [p for p in net.parameters() if p.requires_grad]
            norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params if p.grad is not None))
            if norm > theta:
                for param in params:
                    if param.grad is not None:
                        param.grad[:] *= theta / norm

        def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
            def xavier_init_weights(m):
                if type(m) == nn.Linear:
                    nn.init.xavier_uniform_(m.weight, generator=generator)
                if type(m) == nn.GRU:
                    for param in m._flat_weights_names:
                        if "weight" in param:
                            nn.init.xavier_uniform_(m._parameters[param], generator=generator)

            net.apply(xavier_init_weights)
            net.to(device)
            optimizer = torch.optim.Adam(net.parameters(), lr=lr)
            loss = MaskedSoftmaxCELoss()
            net.train()
            history = []
            for epoch in range(num_epochs):
                metric = [0.0, 0.0]
                for batch in data_iter:
                    optimizer.zero_grad()
                    X, X_valid_len, Y, Y_valid_len = [x.to(device) for x in batch]
                    bos = torch.tensor([tgt_vocab['<bos>']] * Y.shape[0], device=device).reshape(-1, 1)
                    dec_input = torch.cat([bos, Y[:, :-1]], 1)
                    Y_hat, _ = net(X, dec_input, X_valid_len)
                    l = loss(Y_hat, Y, Y_valid_len)
                    l.sum().backward()
                    grad_clipping(net, 1)
                    num_tokens = Y_valid_len.sum()
                    optimizer.step()
                    with torch.no_grad():
                        metric[0] += float(l.sum())
                        metric[1] += float(num_tokens)
                history.append(metric[0] / metric[1])
            return history

        def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                            save_attention_weights=False):
            net.eval()
            src_tokens = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
            enc_valid_len = torch.tensor([len(src_tokens)], device=device)
            src_tokens = truncate_pad(src_tokens, num_steps, src_vocab['<pad>'])
            enc_X = torch.unsqueeze(torch.tensor(src_tokens, dtype=torch.long, device=device), dim=0)
            enc_outputs = net.encoder(enc_X, enc_valid_len)
            dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
            dec_X = torch.unsqueeze(torch.tensor([tgt_vocab['<bos>']], dtype=torch.long, device=device), dim=0)
            output_seq, attention_weight_seq = [], []
            for _ in range(num_steps):
                Y, dec_state = net.decoder(dec_X, dec_state)
                dec_X = Y.argmax(dim=2)
                pred = dec_X.squeeze(dim=0).type(torch.int32).item()
                if save_attention_weights:
                    attention_weight_seq.append(net.decoder.attention_weights)
                if pred == tgt_vocab['<eos>']:
                    break
                output_seq.append(pred)
            return ' '.join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq
    ''',
    # d2l-en 1.0's decoder state [enc_outputs, hidden] (context = enc_outputs[0][-1]), a batch-first encoder GRU,
    # and loops / torch.where elsewhere
    "d2l_en_state_and_loops": '''
        import re as _re

        def preprocess_nmt(text):
            text = text.replace('\\u202f', ' ').replace('\\xa0', ' ').lower()
            return _re.sub(r'(?<=[^ ])([,.!?])', r' \\1', text)

        def tokenize_nmt(text, num_examples=None):
            lines = text.split('\\n')
            if num_examples is not None:
                lines = lines[:num_examples]
            pairs = [line.split('\\t') for line in lines if line.count('\\t') == 1]
            return [p[0].split(' ') for p in pairs], [p[1].split(' ') for p in pairs]

        def truncate_pad(line, num_steps, padding_token):
            out = []
            for i in range(num_steps):
                out.append(line[i] if i < len(line) else padding_token)
            return out

        def build_array_nmt(lines, vocab, num_steps):
            n = len(lines)
            array = torch.full((n, num_steps), vocab['<pad>'], dtype=torch.int64)
            valid_len = torch.zeros(n, dtype=torch.int64)
            for i, line in enumerate(lines):
                ids = (vocab[line] + [vocab['<eos>']])[:num_steps]
                array[i, :len(ids)] = torch.tensor(ids, dtype=torch.int64)
                valid_len[i] = len(ids)
            return array, valid_len

        def sequence_mask(X, valid_len, value=0):
            pos = torch.arange(X.shape[1], device=X.device).reshape((1, -1) + (1,) * (X.dim() - 2))
            lens = valid_len.reshape((-1, 1) + (1,) * (X.dim() - 2))
            return torch.where(pos < lens, X, torch.as_tensor(value, dtype=X.dtype, device=X.device))

        def masked_softmax_ce(pred, label, valid_len):
            logp = pred.double().log_softmax(dim=-1)
            ce = -logp.gather(-1, label.unsqueeze(-1)).squeeze(-1)
            mask = torch.arange(pred.shape[1], device=pred.device)[None, :] < valid_len[:, None]
            return torch.where(mask, ce, torch.zeros_like(ce)).mean(dim=1).to(pred.dtype)

        class Seq2SeqEncoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout, batch_first=True)

            def forward(self, X, *args):
                outputs, state = self.rnn(self.embedding(X))
                return outputs.transpose(0, 1), state

        class Seq2SeqDecoder(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
                self.dense = nn.Linear(num_hiddens, vocab_size)

            def init_state(self, enc_all_outputs, *args):
                return enc_all_outputs

            def forward(self, X, state):
                embs = self.embedding(X.t().type(torch.int32))
                enc_output, hidden_state = state
                context = enc_output[-1]
                context = context.repeat(embs.shape[0], 1, 1)
                embs_and_context = torch.cat((embs, context), -1)
                outputs, hidden_state = self.rnn(embs_and_context, hidden_state)
                outputs = self.dense(outputs).swapaxes(0, 1)
                return outputs, [enc_output, hidden_state]

        class EncoderDecoder(nn.Module):
            def __init__(self, encoder, decoder):
                super().__init__()
                self.add_module("encoder", encoder)
                self.add_module("decoder", decoder)

            def forward(self, enc_X, dec_X, *args):
                return self.decoder(dec_X, self.decoder.init_state(self.encoder(enc_X, *args), *args))

        def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device, generator=None):
            for m in net.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight, generator=generator)
                elif isinstance(m, nn.GRU):
                    for name, p in m.named_parameters():
                        if "weight" in name:
                            nn.init.xavier_uniform_(p, generator=generator)
            net.to(device)
            optimizer = torch.optim.Adam(net.parameters(), lr=lr)
            net.train()
            out = []
            for _ in range(num_epochs):
                total = torch.zeros((), dtype=torch.float64)
                tokens = 0
                for X, X_valid_len, Y, Y_valid_len in data_iter:
                    X, X_valid_len, Y, Y_valid_len = X.to(device), X_valid_len.to(device), Y.to(device), \\
                        Y_valid_len.to(device)
                    dec_input = torch.cat([torch.full_like(Y[:, :1], tgt_vocab['<bos>']), Y[:, :-1]], dim=1)
                    Y_hat, _ = net(X, dec_input, X_valid_len)
                    l = masked_softmax_ce(Y_hat, Y, Y_valid_len)
                    optimizer.zero_grad(set_to_none=False)
                    l.sum().backward()
                    grads = [p.grad for p in net.parameters() if p.grad is not None]
                    norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
                    if norm > 1:
                        for g in grads:
                            g.mul_(float(1 / norm))
                    optimizer.step()
                    total += l.detach().double().sum()
                    tokens += int(Y_valid_len.sum())
                out.append(float(total) / tokens)
            return out

        def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps, device,
                            save_attention_weights=False):
            net.eval()
            with torch.no_grad():
                tokens = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
                enc_valid_len = torch.tensor([len(tokens)], device=device)
                enc_X = torch.tensor([truncate_pad(tokens, num_steps, src_vocab['<pad>'])], dtype=torch.long,
                                     device=device)
                enc_outputs = net.encoder(enc_X, enc_valid_len)
                state = net.decoder.init_state(enc_outputs, enc_valid_len)
                dec_X = torch.tensor([[tgt_vocab['<bos>']]], dtype=torch.long, device=device)
                outputs, weights = [], []
                while len(outputs) < num_steps:
                    Y, state = net.decoder(dec_X, state)
                    dec_X = Y.argmax(dim=2)
                    tok = int(dec_X[0, 0])
                    if save_attention_weights:
                        weights.append(net.decoder.attention_weights)
                    if tok == tgt_vocab['<eos>']:
                        break
                    outputs.append(tok)
            return ' '.join(tgt_vocab.to_tokens(outputs)), weights
    ''',
}
