"""Recorded buggy variants of ch8/language_models.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ ngram_freqs
    "ngram_bare_unigrams": {
        "why": "n = 1 special-cased: the table holds the tokens themselves, not 1-tuples",
        "feedback": "1-tuples",
        "source": '''
            def ngram_freqs(tokens, n):
                grams = list(tokens) if n == 1 else list(zip(*[tokens[i:] for i in range(n)]))
                return sorted(collections.Counter(grams).items(), key=lambda x: x[1], reverse=True)
        ''',
    },
    "ngram_disjoint": {
        "why": "non-overlapping n-grams (step n)",
        "feedback": "the n-grams overlap",
        "source": '''
            def ngram_freqs(tokens, n):
                grams = [tuple(tokens[t:t + n]) for t in range(0, len(tokens) - n + 1, n)]
                return sorted(collections.Counter(grams).items(), key=lambda x: x[1], reverse=True)
        ''',
    },
    "ngram_missing_last": {
        "why": "range(len(tokens) - n): the last n-gram is lost",
        "feedback": "the last one starts at len(tokens) − n",
        "source": '''
            def ngram_freqs(tokens, n):
                grams = [tuple(tokens[t:t + n]) for t in range(len(tokens) - n)]
                return sorted(collections.Counter(grams).items(), key=lambda x: x[1], reverse=True)
        ''',
    },
    "ngram_wraparound": {
        "why": "wraps around: the stream is read as a circle",
        "feedback": "no wrap-around",
        "source": '''
            def ngram_freqs(tokens, n):
                if len(tokens) < n:
                    return []
                ring = list(tokens) + list(tokens[:n - 1])
                grams = [tuple(ring[t:t + n]) for t in range(len(tokens))]
                return sorted(collections.Counter(grams).items(), key=lambda x: x[1], reverse=True)
        ''',
    },
    "ngram_ties_by_set": {
        "why": "unique n-grams from set(), sorted by count: ties in hash order",
        "feedback": "hash/set",
        "source": '''
            def ngram_freqs(tokens, n):
                grams = list(zip(*[tokens[i:] for i in range(n)]))
                counter = collections.Counter(grams)
                return [(g, counter[g]) for g in sorted(set(grams), key=lambda g: counter[g], reverse=True)]
        ''',
    },
    "ngram_ascending": {
        "why": "sorted by ascending count",
        "feedback": "DESCENDING count",
        "source": '''
            def ngram_freqs(tokens, n):
                grams = list(zip(*[tokens[i:] for i in range(n)]))
                return sorted(collections.Counter(grams).items(), key=lambda x: x[1])
        ''',
    },
    "ngram_uses_nltk": {
        "why": "nltk.ngrams (forbidden)",
        "feedback": "not allowed",
        "source": '''
            import nltk
            def ngram_freqs(tokens, n):
                grams = list(nltk.ngrams(tokens, n))
                return sorted(collections.Counter(grams).items(), key=lambda x: x[1], reverse=True)
        ''',
    },
    # ------------------------------------------------------------------ fit_zipf
    "zipf_log10": {
        "why": "log10 instead of the natural logarithm: the same slope, c divided by ln 10",
        "feedback": "natural logarithms",
        "source": '''
            def fit_zipf(freqs):
                f = torch.as_tensor(freqs, dtype=torch.float64).reshape(-1)
                f = f[f > 0].sort(descending=True).values
                u = torch.log10(torch.arange(1, f.numel() + 1, dtype=torch.float64))
                v = torch.log10(f)
                du, dv = u - u.mean(), v - v.mean()
                slope = float((du * dv).sum() / (du * du).sum())
                return -slope, float(v.mean()) - slope * float(u.mean())
        ''',
    },
    "zipf_slope_sign": {
        "why": "returns the slope itself as alpha",
        "feedback": "MINUS the slope",
        "source": '''
            _fit = fit_zipf
            def fit_zipf(freqs):
                alpha, c = _fit(freqs)
                return -alpha, c
        ''',
    },
    "zipf_unsorted": {
        "why": "ranks given in input order (no sort)",
        "feedback": "sort the frequencies in descending order",
        "source": '''
            def fit_zipf(freqs):
                f = torch.as_tensor(freqs, dtype=torch.float64).reshape(-1)
                f = f[f > 0]
                u = torch.log(torch.arange(1, f.numel() + 1, dtype=torch.float64))
                v = torch.log(f)
                du, dv = u - u.mean(), v - v.mean()
                slope = float((du * dv).sum() / (du * du).sum())
                return -slope, float(v.mean()) - slope * float(u.mean())
        ''',
    },
    "zipf_rank_from_zero": {
        "why": "ranks 0 … N−1: ln 0 = −inf",
        "feedback": "NaN or inf",
        "source": '''
            def fit_zipf(freqs):
                f = torch.as_tensor(freqs, dtype=torch.float64).reshape(-1)
                f = f[f > 0].sort(descending=True).values
                u = torch.log(torch.arange(0, f.numel(), dtype=torch.float64))
                v = torch.log(f)
                du, dv = u - u.mean(), v - v.mean()
                slope = float((du * dv).sum() / (du * du).sum())
                return -slope, float(v.mean()) - slope * float(u.mean())
        ''',
    },
    "zipf_keeps_zeros": {
        "why": "zero frequencies are not left out: ln 0 = −inf",
        "feedback": "zero frequencies are left out",
        "source": '''
            def fit_zipf(freqs):
                f = torch.as_tensor(freqs, dtype=torch.float64).reshape(-1).sort(descending=True).values
                u = torch.log(torch.arange(1, f.numel() + 1, dtype=torch.float64))
                v = torch.log(f)
                du, dv = u - u.mean(), v - v.mean()
                slope = float((du * dv).sum() / (du * du).sum())
                return -slope, float(v.mean()) - slope * float(u.mean())
        ''',
    },
    "zipf_swapped_regression": {
        "why": "regresses ln i on ln n and inverts the line",
        "feedback": "regress ln n_i (the response) on ln i",
        "source": '''
            def fit_zipf(freqs):
                f = torch.as_tensor(freqs, dtype=torch.float64).reshape(-1)
                f = f[f > 0].sort(descending=True).values
                u = torch.log(torch.arange(1, f.numel() + 1, dtype=torch.float64))
                v = torch.log(f)
                du, dv = u - u.mean(), v - v.mean()
                s = float((du * dv).sum() / (dv * dv).sum())          # ln i = s ln n + c'
                c_prime = float(u.mean()) - s * float(v.mean())
                return -1.0 / s, -c_prime / s
        ''',
    },
    "zipf_float32": {
        "why": "computes in float32",
        "feedback": "compute the logarithms and sums in float64",
        "source": '''
            def fit_zipf(freqs):
                f = torch.as_tensor(freqs, dtype=torch.float32).reshape(-1)
                f = f[f > 0].sort(descending=True).values
                u = torch.log(torch.arange(1, f.numel() + 1, dtype=torch.float32))
                v = torch.log(f)
                du, dv = u - u.mean(), v - v.mean()
                slope = float((du * dv).sum() / (du * du).sum())
                return -slope, float(v.mean()) - slope * float(u.mean())
        ''',
    },
    "zipf_returns_tensors": {
        "why": "returns 0-d tensors instead of Python floats",
        "feedback": "Python floats",
        "source": '''
            _fit = fit_zipf
            def fit_zipf(freqs):
                alpha, c = _fit(freqs)
                return torch.tensor(alpha, dtype=torch.float64), torch.tensor(c, dtype=torch.float64)
        ''',
    },
    "zipf_polyfit": {
        "why": "numpy.polyfit (forbidden)",
        "feedback": "not allowed",
        "source": '''
            import numpy as np
            def fit_zipf(freqs):
                f = np.sort(np.asarray([x for x in freqs if x > 0], dtype=float))[::-1]
                slope, c = np.polyfit(np.log(np.arange(1, len(f) + 1)), np.log(f), 1)
                return -float(slope), float(c)
        ''',
    },
    # ------------------------------------------------------------------ counts
    "unigram_index_assign": {
        "why": "counts[x] += 1 with an index tensor: a repeated index counts once",
        "feedback": "must count every time",
        "source": '''
            def unigram_counts(corpus, vocab_size):
                x = torch.as_tensor(corpus, dtype=torch.int64)
                counts = torch.zeros(vocab_size, dtype=torch.int64, device=x.device)
                counts[x] += 1
                return counts
        ''',
    },
    "unigram_bincount_no_minlength": {
        "why": "torch.bincount without minlength: the length is max(corpus) + 1",
        "feedback": "minlength=vocab_size",
        "source": '''
            def unigram_counts(corpus, vocab_size):
                return torch.bincount(torch.as_tensor(corpus, dtype=torch.int64))
        ''',
    },
    "unigram_float": {
        "why": "counts in a float tensor",
        "feedback": "counts are int64",
        "source": '''
            def unigram_counts(corpus, vocab_size):
                x = torch.as_tensor(corpus, dtype=torch.int64)
                counts = torch.zeros(vocab_size)
                counts.index_add_(0, x, torch.ones(x.numel()))
                return counts
        ''',
    },
    "bigram_index_assign": {
        "why": "C[a, b] += 1 with index tensors: a repeated pair counts once",
        "feedback": "must count every time",
        "source": '''
            def bigram_counts(corpus, vocab_size):
                x = torch.as_tensor(corpus, dtype=torch.int64)
                C = torch.zeros((vocab_size, vocab_size), dtype=torch.int64, device=x.device)
                C[x[:-1], x[1:]] += 1
                return C
        ''',
    },
    "bigram_transposed": {
        "why": "rows = the next token, columns = the first one",
        "feedback": "transposed",
        "source": '''
            _bc = bigram_counts
            def bigram_counts(corpus, vocab_size):
                return _bc(corpus, vocab_size).T.contiguous()
        ''',
    },
    "bigram_wraparound": {
        "why": "torch.roll pairs the last token with the first",
        "feedback": "no wrap-around",
        "source": '''
            def bigram_counts(corpus, vocab_size):
                x = torch.as_tensor(corpus, dtype=torch.int64)
                C = torch.zeros((vocab_size, vocab_size), dtype=torch.int64, device=x.device)
                C.index_put_((x, torch.roll(x, -1)), torch.ones_like(x), accumulate=True)
                return C
        ''',
    },
    # ------------------------------------------------------------------ Laplace
    "unigram_eps_not_divided": {
        "why": "(n(x) + eps1) / (n + eps1): eps1 not divided by m, the estimate does not sum to 1",
        "feedback": "each of the m words gets ε₁/m",
        "source": '''
            def laplace_unigram(counts, eps1):
                c = counts.to(torch.float64)
                return (c + eps1) / (c.sum() + eps1)
        ''',
    },
    "unigram_denominator_m_eps": {
        "why": "(n(x) + eps1/m) / (n + m·eps1)",
        "feedback": "the denominator is n + ε₁",
        "source": '''
            def laplace_unigram(counts, eps1):
                c = counts.to(torch.float64)
                m = c.shape[0]
                return (c + eps1 / m) / (c.sum() + m * eps1)
        ''',
    },
    "unigram_float32": {
        "why": "float32 probabilities",
        "feedback": "return float64 probabilities",
        "source": '''
            def laplace_unigram(counts, eps1):
                c = counts.float()
                return (c + eps1 / c.shape[0]) / (c.sum() + eps1)
        ''',
    },
    "unigram_cpu_tensor": {
        "why": "rebuilds the counts with torch.tensor(counts.tolist()): always on the CPU",
        "feedback": "meta in → meta out",
        "source": '''
            def laplace_unigram(counts, eps1):
                c = torch.tensor(counts.tolist(), dtype=torch.float64)
                return (c + eps1 / c.shape[0]) / (c.sum() + eps1)
        ''',
    },
    "bigram_column_sums": {
        "why": "n(x) from the column sums of the pair counts",
        "feedback": "ROW sum",
        "source": '''
            def laplace_bigram(pair_counts, unigram_probs, eps2):
                C = pair_counts.to(torch.float64)
                n_x = C.sum(dim=0)[:, None]
                return (C + eps2 * unigram_probs.to(torch.float64)) / (n_x + eps2)
        ''',
    },
    "bigram_no_keepdim": {
        "why": "C.sum(dim=1) without keepdim: column j divided by row j's sum",
        "feedback": "keepdim",
        "source": '''
            def laplace_bigram(pair_counts, unigram_probs, eps2):
                C = pair_counts.to(torch.float64)
                return (C + eps2 * unigram_probs.to(torch.float64)) / (C.sum(dim=1) + eps2)
        ''',
    },
    "bigram_context_prob": {
        "why": "eps2·P(x) of the context (P[:, None]) instead of P(x')",
        "feedback": "the probability of the NEXT token",
        "source": '''
            def laplace_bigram(pair_counts, unigram_probs, eps2):
                C = pair_counts.to(torch.float64)
                P = unigram_probs.to(torch.float64)
                return (C + eps2 * P[:, None]) / (C.sum(dim=1, keepdim=True) + eps2)
        ''',
    },
    "bigram_eps_over_m": {
        "why": "adds eps2/m like the unigram estimate instead of eps2·P(x')",
        "feedback": "not ε₂/m",
        "source": '''
            def laplace_bigram(pair_counts, unigram_probs, eps2):
                C = pair_counts.to(torch.float64)
                m = C.shape[0]
                return (C + eps2 / m) / (C.sum(dim=1, keepdim=True) + eps2)
        ''',
    },
    # ------------------------------------------------------------------ seq_data_iter_random
    "random_book_global_random": {
        "why": "the book's code as it is: Python's global random for the offset and the shuffle",
        "feedback": "draw every random number from `generator`",
        "source": '''
            import random
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = list(corpus.tolist() if isinstance(corpus, torch.Tensor) else corpus)
                corpus = corpus[random.randint(0, num_steps - 1):]
                num_subseqs = (len(corpus) - 1) // num_steps
                initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
                random.shuffle(initial_indices)
                def data(pos):
                    return corpus[pos: pos + num_steps]
                num_batches = num_subseqs // batch_size
                for i in range(0, batch_size * num_batches, batch_size):
                    initial_indices_per_batch = initial_indices[i: i + batch_size]
                    X = [data(j) for j in initial_indices_per_batch]
                    Y = [data(j + 1) for j in initial_indices_per_batch]
                    yield torch.tensor(X), torch.tensor(Y)
        ''',
    },
    "random_not_shuffled": {
        "why": "the windows in corpus order",
        "feedback": "shuffle the window starts",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                corpus = corpus[offset:]
                num_subseqs = max(0, (corpus.numel() - 1) // num_steps)
                starts = [j * num_steps for j in range(num_subseqs)]
                for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                    batch = starts[i: i + batch_size]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    "random_overlapping_windows": {
        "why": "a random start for every window (overlapping, with repeats)",
        "feedback": "draw ONE offset per epoch",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                num_subseqs = max(0, (corpus.numel() - 1) // num_steps)
                for _ in range(num_subseqs // batch_size):
                    starts = torch.randint(0, corpus.numel() - num_steps, (batch_size,), generator=generator)
                    yield (torch.stack([corpus[s: s + num_steps] for s in starts.tolist()]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in starts.tolist()]))
        ''',
    },
    "random_partial_last_batch": {
        "why": "yields the leftover windows as a smaller last batch",
        "feedback": "full batches only",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                corpus = corpus[offset:]
                num_subseqs = max(0, (corpus.numel() - 1) // num_steps)
                starts = [j * num_steps for j in torch.randperm(num_subseqs, generator=generator).tolist()]
                for i in range(0, num_subseqs, batch_size):
                    batch = starts[i: i + batch_size]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    "random_offset_exclusive": {
        "why": "random.randint(0, num_steps - 1) translated to torch.randint(0, num_steps - 1): never num_steps - 1",
        "feedback": "torch.randint(low, high) excludes high",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, max(1, num_steps - 1), (1,), generator=generator))
                corpus = corpus[offset:]
                num_subseqs = max(0, (corpus.numel() - 1) // num_steps)
                starts = [j * num_steps for j in torch.randperm(num_subseqs, generator=generator).tolist()]
                for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                    batch = starts[i: i + batch_size]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    "random_offset_inclusive": {
        "why": "offset in 0 … num_steps (the sequential iterator's book bug, here)",
        "feedback": "the offset reached num_steps",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps + 1, (1,), generator=generator))
                corpus = corpus[offset:]
                num_subseqs = max(0, (corpus.numel() - 1) // num_steps)
                starts = [j * num_steps for j in torch.randperm(num_subseqs, generator=generator).tolist()]
                for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                    batch = starts[i: i + batch_size]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    "random_block_shuffle": {
        "why": "shuffles the batches of neighbouring windows, not the windows",
        "feedback": "shuffling whole batches",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                corpus = corpus[offset:]
                num_subseqs = max(0, (corpus.numel() - 1) // num_steps)
                num_batches = num_subseqs // batch_size
                for b in torch.randperm(num_batches, generator=generator).tolist():
                    batch = [(b * batch_size + r) * num_steps for r in range(batch_size)]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    "random_drops_corpus_tail": {
        "why": "makes windows only for the full batches, then shuffles: the last windows of the corpus never appear",
        "feedback": "every window of the grid can be drawn",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                corpus = corpus[offset:]
                num_batches = max(0, (corpus.numel() - 1) // num_steps) // batch_size
                k = num_batches * batch_size
                starts = [j * num_steps for j in torch.randperm(k, generator=generator).tolist()]
                for i in range(0, k, batch_size):
                    batch = starts[i: i + batch_size]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    "random_no_label_room": {
        "why": "num_subseqs = (n − offset) // num_steps: the last window's labels run past the end",
        "feedback": "the labels need one more token",
        "source": '''
            def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                corpus = corpus[offset:]
                num_subseqs = corpus.numel() // num_steps
                starts = [j * num_steps for j in torch.randperm(num_subseqs, generator=generator).tolist()]
                for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
                    batch = starts[i: i + batch_size]
                    yield (torch.stack([corpus[s: s + num_steps] for s in batch]),
                           torch.stack([corpus[s + 1: s + 1 + num_steps] for s in batch]))
        ''',
    },
    # ------------------------------------------------------------------ seq_data_iter_sequential
    "sequential_book_offset": {
        "why": "the book's random.randint(0, num_steps) (from the generator): the offset can be num_steps",
        "feedback": "includes num_steps",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps + 1, (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_interleaved": {
        "why": "Xs.reshape(-1, batch_size).T: token t goes to row t % batch_size",
        "feedback": "interleaves the tokens over the rows",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(-1, batch_size).T
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(-1, batch_size).T
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_book_global_random": {
        "why": "the book's code as it is: Python's random.randint(0, num_steps)",
        "feedback": "draw every random number from `generator`",
        "source": '''
            import random
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                offset = random.randint(0, num_steps)
                num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
                Xs = torch.tensor(list(corpus[offset: offset + num_tokens]))
                Ys = torch.tensor(list(corpus[offset + 1: offset + 1 + num_tokens]))
                Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
                num_batches = Xs.shape[1] // num_steps
                for i in range(0, num_steps * num_batches, num_steps):
                    X = Xs[:, i: i + num_steps]
                    Y = Ys[:, i: i + num_steps]
                    yield X, Y
        ''',
    },
    "sequential_global_torch_rng": {
        "why": "torch.randint without generator=: the global RNG",
        "feedback": "draw every random number from `generator`",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,)))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_no_offset": {
        "why": "always starts at 0",
        "feedback": "the offset must be random",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                num_tokens = max(0, (corpus.numel() - 1) // batch_size) * batch_size
                Xs = corpus[:num_tokens].reshape(batch_size, -1)
                Ys = corpus[1:1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_offset_exclusive": {
        "why": "torch.randint(0, num_steps - 1): the offset never reaches num_steps - 1",
        "feedback": "torch.randint(low, high) excludes high",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, max(1, num_steps - 1), (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_partial_last": {
        "why": "range(0, Xs.shape[1], num_steps): a narrower last batch",
        "feedback": "full windows only",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, Xs.shape[1], num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_labels_not_shifted": {
        "why": "Ys cut from the same positions as Xs",
        "feedback": "Y is X shifted by one token",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Xs[:, i: i + num_steps].clone()
        ''',
    },
    "sequential_no_label_room": {
        "why": "num_tokens from n − offset (no −1): the labels are one token short",
        "feedback": "the labels need one more token",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, num_steps * (Xs.shape[1] // num_steps), num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
    "sequential_last_batch_missing": {
        "why": "range(0, Xs.shape[1] - num_steps, num_steps): the last full batch is lost",
        "feedback": "the last batch is missing",
        "source": '''
            def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
                corpus = torch.as_tensor(corpus, dtype=torch.int64)
                offset = int(torch.randint(0, num_steps, (1,), generator=generator))
                num_tokens = max(0, (corpus.numel() - offset - 1) // batch_size) * batch_size
                Xs = corpus[offset: offset + num_tokens].reshape(batch_size, -1)
                Ys = corpus[offset + 1: offset + 1 + num_tokens].reshape(batch_size, -1)
                for i in range(0, Xs.shape[1] - num_steps, num_steps):
                    yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
        ''',
    },
}

ALTERNATIVES = {
    # The book's code (d2l-zh §8.3), adapted only where the contract's Clarifications differ: the n-gram tables as
    # the book gets them from Vocab(...).token_freqs (a stable sort of a Counter), the Laplace formulas of §8.3.1,
    # and the two iterators with `generator` draws instead of Python's random (offset 0 … num_steps − 1 in both;
    # a tensor corpus is read as a list, since d2l.tensor(X) needs lists). fit_zipf is not in the book (it only
    # plots the law); here it is the textbook least-squares formula in plain Python.
    "book": '''
        import math
        import random

        def ngram_freqs(tokens, n):
            ngram_tokens = [t for t in zip(*[tokens[i:] for i in range(n)])]
            counter = collections.Counter(ngram_tokens)
            return sorted(counter.items(), key=lambda x: x[1], reverse=True)

        def fit_zipf(freqs):
            freqs = sorted([float(f) for f in freqs if f > 0], reverse=True)
            x = [math.log(i + 1) for i in range(len(freqs))]
            y = [math.log(f) for f in freqs]
            xm, ym = sum(x) / len(x), sum(y) / len(y)
            slope = sum((a - xm) * (b - ym) for a, b in zip(x, y)) / sum((a - xm) ** 2 for a in x)
            return -slope, ym - slope * xm

        def unigram_counts(corpus, vocab_size):
            counter = collections.Counter(int(x) for x in corpus)
            return torch.tensor([counter[x] for x in range(vocab_size)], dtype=torch.int64)

        def bigram_counts(corpus, vocab_size):
            corpus = [int(x) for x in corpus]
            bigram_tokens = [pair for pair in zip(corpus[:-1], corpus[1:])]
            counter = collections.Counter(bigram_tokens)
            return torch.tensor([[counter[(a, b)] for b in range(vocab_size)] for a in range(vocab_size)],
                                dtype=torch.int64).reshape(vocab_size, vocab_size)

        def laplace_unigram(counts, eps1):
            n = counts.sum().to(torch.float64)
            m = counts.shape[0]
            return (counts.to(torch.float64) + eps1 / m) / (n + eps1)

        def laplace_bigram(pair_counts, unigram_probs, eps2):
            n_x = pair_counts.sum(1, keepdim=True).to(torch.float64)
            return (pair_counts.to(torch.float64) + eps2 * unigram_probs.to(torch.float64)) / (n_x + eps2)

        def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
            """使用随机抽样生成一个小批量子序列"""
            if isinstance(corpus, torch.Tensor):
                corpus = corpus.tolist()
            # 从随机偏移量开始对序列进行分区，随机范围包括num_steps-1
            corpus = corpus[torch.randint(0, num_steps, (1,), generator=generator).item():]
            # 减去1，是因为我们需要考虑标签
            num_subseqs = (len(corpus) - 1) // num_steps
            # 长度为num_steps的子序列的起始索引
            initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
            # 在随机抽样的迭代过程中，来自两个相邻的、随机的、小批量中的子序列不一定在原始序列上相邻
            initial_indices = [initial_indices[i]
                               for i in torch.randperm(len(initial_indices), generator=generator).tolist()]
            def data(pos):
                # 返回从pos位置开始的长度为num_steps的序列
                return corpus[pos: pos + num_steps]
            num_batches = num_subseqs // batch_size
            for i in range(0, batch_size * num_batches, batch_size):
                # 在这里，initial_indices包含子序列的随机起始索引
                initial_indices_per_batch = initial_indices[i: i + batch_size]
                X = [data(j) for j in initial_indices_per_batch]
                Y = [data(j + 1) for j in initial_indices_per_batch]
                yield torch.tensor(X), torch.tensor(Y)

        def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
            """使用顺序分区生成一个小批量子序列"""
            if isinstance(corpus, torch.Tensor):
                corpus = corpus.tolist()
            # 从随机偏移量开始划分序列
            offset = torch.randint(0, num_steps, (1,), generator=generator).item()
            num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
            Xs = torch.tensor(corpus[offset: offset + num_tokens], dtype=torch.int64)
            Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens], dtype=torch.int64)
            Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
            num_batches = Xs.shape[1] // num_steps
            for i in range(0, num_steps * num_batches, num_steps):
                X = Xs[:, i: i + num_steps]
                Y = Ys[:, i: i + num_steps]
                yield X, Y
    ''',
    # Vectorised: bincount for the counts, the normal equations summed with math.fsum for Zipf, explicit index
    # keys for the n-gram order, unfold/as_strided windows, one float draw scaled to the offset.
    "vectorised": '''
        import math

        def ngram_freqs(tokens, n):
            grams = [tuple(tokens[t:t + n]) for t in range(len(tokens) - n + 1)]
            first, counts = {}, {}
            for i, g in enumerate(grams):
                first.setdefault(g, i)
                counts[g] = counts.get(g, 0) + 1
            return [(g, counts[g]) for g in sorted(counts, key=lambda g: (-counts[g], first[g]))]

        def fit_zipf(freqs):
            vals = sorted((float(f) for f in freqs if f > 0), reverse=True)
            N = len(vals)
            u = [math.log(i) for i in range(1, N + 1)]
            v = [math.log(f) for f in vals]
            su, sv = math.fsum(u), math.fsum(v)
            suu = math.fsum(a * a for a in u)
            suv = math.fsum(a * b for a, b in zip(u, v))
            slope = (N * suv - su * sv) / (N * suu - su * su)
            return -slope, (sv - slope * su) / N

        def unigram_counts(corpus, vocab_size):
            x = torch.as_tensor(corpus, dtype=torch.int64)
            return torch.bincount(x, minlength=vocab_size)

        def bigram_counts(corpus, vocab_size):
            x = torch.as_tensor(corpus, dtype=torch.int64)
            if x.numel() < 2:
                return torch.zeros((vocab_size, vocab_size), dtype=torch.int64, device=x.device)
            flat = torch.bincount(x[:-1] * vocab_size + x[1:], minlength=vocab_size * vocab_size)
            return flat.reshape(vocab_size, vocab_size)

        def laplace_unigram(counts, eps1):
            c = counts.double()
            return c.add(eps1 / len(c)).div(c.sum().add(eps1))

        def laplace_bigram(pair_counts, unigram_probs, eps2):
            C = pair_counts.double()
            smoothed = torch.add(C, unigram_probs.double().expand_as(C), alpha=eps2)
            return smoothed / (C.sum(dim=-1, keepdim=True) + eps2)

        def seq_data_iter_random(corpus, batch_size, num_steps, generator=None):
            c = torch.as_tensor(corpus, dtype=torch.int64)
            offset = int(torch.rand((), generator=generator, dtype=torch.float64) * num_steps)
            c = c[offset:]
            k = max(0, (c.numel() - 1) // num_steps)
            if k == 0:
                return
            windows = c[: k * num_steps + 1].unfold(0, num_steps + 1, num_steps)     # (k, T + 1)
            windows = windows[torch.randperm(k, generator=generator)]
            for b in range(k // batch_size):
                w = windows[b * batch_size: (b + 1) * batch_size]
                yield w[:, :-1].contiguous(), w[:, 1:].contiguous()

        def seq_data_iter_sequential(corpus, batch_size, num_steps, generator=None):
            c = torch.as_tensor(corpus, dtype=torch.int64)
            offset = int(torch.rand((), generator=generator, dtype=torch.float64) * num_steps)
            L = max(0, (c.numel() - offset - 1) // batch_size)
            XY = torch.stack([c[offset: offset + batch_size * L], c[offset + 1: offset + 1 + batch_size * L]])
            XY = XY.reshape(2, batch_size, L)
            for i in range(L // num_steps):
                block = XY[:, :, i * num_steps: (i + 1) * num_steps]
                yield block[0], block[1]
    ''',
}
