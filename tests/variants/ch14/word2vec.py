"""Recorded buggy variants of ch14/word2vec.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
The train_word2vec variants are the reference's own function with one line changed (read from the solution file
here, so that they follow it).
"""
from pathlib import Path

_SOLUTION = (Path(__file__).resolve().parents[3] / "solutions" / "ch14" / "word2vec.py").read_text(encoding="utf-8")
_TRAIN = _SOLUTION[_SOLUTION.index("def train_word2vec("):]


def _train_with(old: str, new: str) -> str:
    """The reference train_word2vec with ``old`` replaced by ``new`` (which must occur in it)."""
    assert old in _TRAIN, old
    return _TRAIN.replace(old, new)


MUTANTS = {
    # ------------------------------------------------------------------ keep_prob
    "keep_unclipped": {
        "why": "√(t / f) without min(1, ·): rare words get 'probabilities' above 1",
        "feedback": "at most 1",
        "source": '''
            def keep_prob(counts, t=1e-4):
                c = counts.to(torch.float64)
                keep = torch.where(c > 0, torch.sqrt(t * c.sum() / c), torch.ones_like(c))
                return keep.to(torch.float32)
        ''',
    },
    "keep_discard_probability": {
        "why": "returns the paper's discard probability 1 − √(t / f)",
        "feedback": "discarding",
        "source": '''
            def keep_prob(counts, t=1e-4):
                c = counts.to(torch.float64)
                keep = torch.where(c > 0, 1 - torch.sqrt(t * c.sum() / c).clamp(max=1.0), torch.ones_like(c))
                return keep.to(torch.float32)
        ''',
    },
    "keep_raw_count": {
        "why": "f(w) = count(w) instead of count / total",
        "feedback": "relative frequency",
        "source": '''
            def keep_prob(counts, t=1e-4):
                c = counts.to(torch.float64)
                keep = torch.where(c > 0, torch.sqrt(t / c).clamp(max=1.0), torch.ones_like(c))
                return keep.to(torch.float32)
        ''',
    },
    "keep_no_square_root": {
        "why": "t / f instead of √(t / f)",
        "feedback": "square root",
        "source": '''
            def keep_prob(counts, t=1e-4):
                c = counts.to(torch.float64)
                keep = torch.where(c > 0, (t * c.sum() / c).clamp(max=1.0), torch.ones_like(c))
                return keep.to(torch.float32)
        ''',
    },
    "keep_float64_result": {
        "why": "returns the float64 working copy",
        "feedback": "float32 for integer counts",
        "source": '''
            def keep_prob(counts, t=1e-4):
                c = counts.to(torch.float64)
                return torch.where(c > 0, torch.sqrt(t * c.sum() / c).clamp(max=1.0), torch.ones_like(c))
        ''',
    },
    # ------------------------------------------------------------------ subsample
    "subsample_python_random": {
        "why": "d2l's random.uniform(0, 1) < sqrt(t / f): the global RNG, not the generator",
        "feedback": "not random.uniform",
        "source": '''
            import random

            def subsample(corpus, t=1e-4, generator=None):
                from collections import Counter
                counter = Counter(tok for line in corpus for tok in line)
                num_tokens = sum(counter.values())

                def keep(token):
                    return random.uniform(0, 1) < math.sqrt(t / counter[token] * num_tokens)
                return [[tok for tok in line if keep(tok)] for line in corpus]
        ''',
    },
    "subsample_one_coin_per_word_type": {
        "why": "decides once per word type: a word is kept everywhere or nowhere",
        "feedback": "one coin per occurrence",
        "source": '''
            def subsample(corpus, t=1e-4, generator=None):
                tokens = [tok for line in corpus for tok in line]
                if not tokens:
                    return [[] for _ in corpus]
                counts = torch.bincount(torch.tensor(tokens))
                kept = (torch.rand(len(counts), generator=generator) < keep_prob(counts, t)).tolist()
                return [[tok for tok in line if kept[tok]] for line in corpus]
        ''',
    },
    "subsample_drops_empty_lines": {
        "why": "leaves out the sentences that end up empty",
        "feedback": "one list per sentence",
        "source": '''
            _subsample = subsample

            def subsample(corpus, t=1e-4, generator=None):
                return [line for line in _subsample(corpus, t, generator) if line]
        ''',
    },
    "subsample_counts_per_sentence": {
        "why": "relative frequencies computed within each sentence, not over the corpus",
        "feedback": "over the whole corpus",
        "source": '''
            def subsample(corpus, t=1e-4, generator=None):
                out = []
                for line in corpus:
                    if not line:
                        out.append([])
                        continue
                    flat = torch.tensor(line)
                    p = keep_prob(torch.bincount(flat), t).double()[flat]
                    kept = (torch.rand(len(line), generator=generator, dtype=torch.float64) < p).tolist()
                    out.append([tok for tok, k in zip(line, kept) if k])
                return out
        ''',
    },
    # ------------------------------------------------------------------ get_centers_and_contexts
    "contexts_python_random": {
        "why": "d2l's random.randint(1, max_window_size): the global RNG",
        "feedback": "not random.randint",
        "source": '''
            import random

            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    if len(line) < 2:
                        continue
                    centers += line
                    for i in range(len(line)):
                        window_size = random.randint(1, max_window_size)
                        indices = list(range(max(0, i - window_size), min(len(line), i + 1 + window_size)))
                        indices.remove(i)
                        contexts.append([line[idx] for idx in indices])
                return centers, contexts
        ''',
    },
    "contexts_fixed_window": {
        "why": "always w = max_window_size",
        "feedback": "fresh window size",
        "source": '''
            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    if len(line) < 2:
                        continue
                    centers += list(line)
                    for i in range(len(line)):
                        w = max_window_size
                        contexts.append([line[j] for j in range(max(0, i - w), min(len(line), i + 1 + w)) if j != i])
                return centers, contexts
        ''',
    },
    "contexts_one_window_per_sentence": {
        "why": "draws w once per sentence",
        "feedback": "not one per sentence",
        "source": '''
            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    if len(line) < 2:
                        continue
                    centers += list(line)
                    w = int(torch.randint(1, max_window_size + 1, (1,), generator=generator))
                    for i in range(len(line)):
                        contexts.append([line[j] for j in range(max(0, i - w), min(len(line), i + 1 + w)) if j != i])
                return centers, contexts
        ''',
    },
    "contexts_randint_exclusive": {
        "why": "torch.randint(1, max_window_size): the upper bound is exclusive",
        "feedback": "upper bound is exclusive",
        "source": '''
            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    if len(line) < 2:
                        continue
                    centers += list(line)
                    windows = torch.randint(1, max_window_size, (len(line),), generator=generator).tolist()
                    for i, w in enumerate(windows):
                        contexts.append([line[j] for j in range(max(0, i - w), min(len(line), i + 1 + w)) if j != i])
                return centers, contexts
        ''',
    },
    "contexts_include_centre": {
        "why": "the window keeps position i",
        "feedback": "centre itself is not one of its context words",
        "source": '''
            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    if len(line) < 2:
                        continue
                    centers += list(line)
                    windows = torch.randint(1, max_window_size + 1, (len(line),), generator=generator).tolist()
                    for i, w in enumerate(windows):
                        contexts.append(line[max(0, i - w):i + w + 1])
                return centers, contexts
        ''',
    },
    "contexts_short_lines_kept": {
        "why": "no skip of sentences with fewer than 2 tokens (a centre with no context)",
        "feedback": "fewer than 2 tokens",
        "source": '''
            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    centers += list(line)
                    windows = torch.randint(1, max_window_size + 1, (len(line),), generator=generator).tolist()
                    for i, w in enumerate(windows):
                        contexts.append([line[j] for j in range(max(0, i - w), min(len(line), i + 1 + w)) if j != i])
                return centers, contexts
        ''',
    },
    "contexts_slice_not_clipped": {
        "why": "line[i − w:i] with a negative start: the left context vanishes near the start",
        "feedback": "clipped at both sentence ends",
        "source": '''
            def get_centers_and_contexts(corpus, max_window_size, generator=None):
                centers, contexts = [], []
                for line in corpus:
                    if len(line) < 2:
                        continue
                    centers += list(line)
                    windows = torch.randint(1, max_window_size + 1, (len(line),), generator=generator).tolist()
                    for i, w in enumerate(windows):
                        contexts.append(list(line[i - w:i]) + list(line[i + 1:i + 1 + w]))
                return centers, contexts
        ''',
    },
    # ------------------------------------------------------------------ NegativeSampler
    "sampler_plain_counts": {
        "why": "P(w) ∝ count(w): the 0.75 power forgotten",
        "feedback": "counts ** 0.75",
        "source": '''
            class NegativeSampler(NegativeSampler):
                def __init__(self, counts, power=0.75, generator=None):
                    c = torch.as_tensor(counts).to(torch.float64)
                    self.probs = c / c.sum()
                    self.generator = generator
        ''',
    },
    "sampler_global_rng": {
        "why": "torch.multinomial without generator=",
        "feedback": "generator=self.generator",
        "source": '''
            class NegativeSampler(NegativeSampler):
                def sample(self, num):
                    return torch.multinomial(self.probs, num, replacement=True)
        ''',
    },
    "sampler_not_normalised": {
        "why": "probs = counts ** 0.75 (multinomial does not mind, the attribute is wrong)",
        "feedback": "normalise",
        "source": '''
            class NegativeSampler(NegativeSampler):
                def __init__(self, counts, power=0.75, generator=None):
                    self.probs = torch.as_tensor(counts).to(torch.float64) ** power
                    self.generator = generator
        ''',
    },
    "sampler_float32_probs": {
        "why": "probs kept in float32",
        "feedback": "probs is float64",
        "source": '''
            class NegativeSampler(NegativeSampler):
                def __init__(self, counts, power=0.75, generator=None):
                    w = torch.as_tensor(counts).float() ** power
                    self.probs = w / w.sum()
                    self.generator = generator
        ''',
    },
    "sampler_without_replacement": {
        "why": "torch.multinomial's default replacement=False",
        "feedback": "with replacement",
        "source": '''
            class NegativeSampler(NegativeSampler):
                def sample(self, num):
                    return torch.multinomial(self.probs, num, generator=self.generator)
        ''',
    },
    # ------------------------------------------------------------------ get_negatives
    "negatives_k_per_centre": {
        "why": "K noise words per centre instead of K per context word",
        "feedback": "K per context word",
        "source": '''
            def get_negatives(all_contexts, sampler, K):
                out = []
                for contexts in all_contexts:
                    negatives = []
                    while len(negatives) < K:
                        neg = int(sampler.sample(1)[0])
                        if neg not in contexts:
                            negatives.append(neg)
                    out.append(negatives)
                return out
        ''',
    },
    "negatives_context_words_kept": {
        "why": "no rejection: context words appear among the noise words",
        "feedback": "must not be context words",
        "source": '''
            def get_negatives(all_contexts, sampler, K):
                return [sampler.sample(len(contexts) * K).tolist() for contexts in all_contexts]
        ''',
    },
    "negatives_filtered_not_redrawn": {
        "why": "draws len(contexts)·K ids and drops the context words without drawing again",
        "feedback": "drawn again",
        "source": '''
            def get_negatives(all_contexts, sampler, K):
                out = []
                for contexts in all_contexts:
                    drawn = sampler.sample(len(contexts) * K).tolist()
                    out.append([x for x in drawn if x not in contexts])
                return out
        ''',
    },
    "negatives_own_multinomial": {
        "why": "reads sampler.probs and draws with torch.multinomial on the global RNG",
        "feedback": "sampler you are given",
        "source": '''
            def get_negatives(all_contexts, sampler, K):
                out = []
                for contexts in all_contexts:
                    negatives = []
                    while len(negatives) < len(contexts) * K:
                        neg = int(torch.multinomial(sampler.probs, 1)[0])
                        if neg not in contexts:
                            negatives.append(neg)
                    out.append(negatives)
                return out
        ''',
    },
    "negatives_shift_instead_of_redraw": {
        "why": "a context word drawn is replaced by the next id instead of a new draw",
        "feedback": "redrawn",
        "source": '''
            def get_negatives(all_contexts, sampler, K):
                V = len(sampler.probs)
                out = []
                for contexts in all_contexts:
                    negatives = []
                    for neg in sampler.sample(len(contexts) * K).tolist():
                        while neg in contexts or float(sampler.probs[neg]) == 0:
                            neg = (neg + 1) % V
                        negatives.append(neg)
                    out.append(negatives)
                return out
        ''',
    },
    # ------------------------------------------------------------------ sgns_loss
    "sgns_noise_sign": {
        "why": "−log σ(u_k·v_c) for the noise words: the sign inside the sigmoid forgotten",
        "feedback": "must score *low*",
        "source": '''
            def sgns_loss(v_c, u_o, u_neg):
                pos = (u_o * v_c).sum(-1)
                neg = (u_neg * v_c.unsqueeze(1)).sum(-1)
                zero = torch.zeros((), dtype=pos.dtype, device=pos.device)
                return torch.logaddexp(zero, -pos) + torch.logaddexp(zero, -neg).sum(-1)
        ''',
    },
    "sgns_log_of_sigmoid": {
        "why": "−log(sigmoid(x)): −inf once sigmoid underflows",
        "feedback": "overflows",
        "source": '''
            def sgns_loss(v_c, u_o, u_neg):
                pos = (u_o * v_c).sum(-1)
                neg = (u_neg * v_c.unsqueeze(1)).sum(-1)
                return -torch.log(torch.sigmoid(pos)) - torch.log(torch.sigmoid(-neg)).sum(-1)
        ''',
    },
    "sgns_naive_log1p_exp": {
        "why": "log1p(exp(−x)): exp overflows for x below −88",
        "feedback": "overflows",
        "source": '''
            def sgns_loss(v_c, u_o, u_neg):
                pos = (u_o * v_c).sum(-1)
                neg = (u_neg * v_c.unsqueeze(1)).sum(-1)
                return torch.log1p(torch.exp(-pos)) + torch.log1p(torch.exp(neg)).sum(-1)
        ''',
    },
    "sgns_mean_over_noise": {
        "why": "averages the K noise terms",
        "feedback": "sum the K noise terms",
        "source": '''
            def sgns_loss(v_c, u_o, u_neg):
                pos = (u_o * v_c).sum(-1)
                neg = (u_neg * v_c.unsqueeze(1)).sum(-1)
                zero = torch.zeros((), dtype=pos.dtype, device=pos.device)
                return torch.logaddexp(zero, -pos) + torch.logaddexp(zero, neg).mean(-1)
        ''',
    },
    "sgns_reduced": {
        "why": "returns the batch mean",
        "feedback": "one loss per pair",
        "source": '''
            _sgns_loss = sgns_loss

            def sgns_loss(v_c, u_o, u_neg):
                return _sgns_loss(v_c, u_o, u_neg).mean()
        ''',
    },
    "sgns_no_positive_term": {
        "why": "only the noise words' term",
        "feedback": "positive term",
        "source": '''
            def sgns_loss(v_c, u_o, u_neg):
                neg = (u_neg * v_c.unsqueeze(1)).sum(-1)
                return torch.logaddexp(torch.zeros((), dtype=neg.dtype, device=neg.device), neg).sum(-1)
        ''',
    },
    "sgns_detached": {
        "why": "computes on detached copies: no gradient reaches the tables",
        "feedback": "autograd history",
        "source": '''
            _sgns_loss = sgns_loss

            def sgns_loss(v_c, u_o, u_neg):
                return _sgns_loss(v_c.detach(), u_o.detach(), u_neg.detach())
        ''',
    },
    # ------------------------------------------------------------------ train_word2vec
    "train_noise_from_centre_table": {
        "why": "the noise words' vectors are looked up in the centre table V",
        "feedback": "context table U (like u_o)",
        "source": _train_with("U[n_ids[idx]]", "V[n_ids[idx]]"),
    },
    "train_embedding_default_init": {
        "why": "nn.Embedding's N(0, 1) start (generator-driven here)",
        "feedback": "start both tables small",
        "source": _train_with("((2 * torch.rand(vocab_size, embed_size, generator=generator) - 1) * a)",
                              "torch.randn(vocab_size, embed_size, generator=generator)"),
    },
    "train_positive_pairs_only": {
        "why": "a loss of its own without noise words (clusters this corpus perfectly)",
        "feedback": "this module's sgns_loss",
        "source": _train_with("loss = sgns_loss(V[c_ids[idx]], U[o_ids[idx]], U[n_ids[idx]]).mean()",
                              "loss = torch.logaddexp(torch.zeros(()), -(V[c_ids[idx]] * U[o_ids[idx]]).sum(-1)).mean()"),
    },
    "train_returns_context_table": {
        "why": "returns U instead of V",
        "feedback": "not the context table U",
        "source": _train_with("return V.detach().clone()", "return U.detach().clone()"),
    },
    "train_shuffle_on_global_rng": {
        "why": "torch.randperm without generator=",
        "feedback": "torch.randperm(n, generator=generator)",
        "source": _train_with("torch.randperm(len(c_ids), generator=generator)", "torch.randperm(len(c_ids))"),
    },
    "train_num_noise_words_ignored": {
        "why": "always 5 noise words",
        "feedback": "pass embed_size and num_noise_words on",
        "source": _train_with("K = num_noise_words", "K = 5"),
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §14.3-14.4's code, adapted only where the contract's Clarifications differ: the generator instead of
    # Python's random (a RandomGenerator cache filled with torch.multinomial), keep probabilities clipped, noise
    # ids 0 … V−1 with count 0 excluded, nn.Embedding tables initialised with xavier_uniform_(generator=...), one
    # training example per (centre, context) pair and a stable −log σ instead of the BCE-with-logits loss.
    "d2l_book": '''
        from collections import Counter
        from torch import nn

        def keep_prob(counts, t=1e-4):
            num_tokens = float(counts.sum())
            c = counts.double()
            p = torch.sqrt(t / (c / num_tokens))
            return torch.where(c == 0, torch.ones_like(c), torch.clamp(p, max=1.0)).to(
                counts.dtype if counts.is_floating_point() else torch.float32)

        def subsample(corpus, t=1e-4, generator=None):
            counter = Counter(tok for line in corpus for tok in line)
            num_tokens = sum(counter.values())

            def keep(token):
                return float(torch.rand((), generator=generator)) < math.sqrt(t / counter[token] * num_tokens)
            return [[token for token in line if keep(token)] for line in corpus]

        def get_centers_and_contexts(corpus, max_window_size, generator=None):
            centers, contexts = [], []
            for line in corpus:
                if len(line) < 2:
                    continue
                centers += line
                for i in range(len(line)):
                    window_size = int(torch.randint(1, max_window_size + 1, (), generator=generator))
                    indices = list(range(max(0, i - window_size), min(len(line), i + 1 + window_size)))
                    indices.remove(i)
                    contexts.append([line[idx] for idx in indices])
            return centers, contexts

        class RandomGenerator:
            """Draws from the sampler in chunks of 10000 (d2l's cache)."""
            def __init__(self, sampler):
                self.sampler = sampler
                self.candidates = []
                self.i = 0

            def draw(self):
                if self.i == len(self.candidates):
                    self.candidates = self.sampler.sample(10000).tolist()
                    self.i = 0
                self.i += 1
                return self.candidates[self.i - 1]

        class NegativeSampler:
            def __init__(self, counts, power=0.75, generator=None):
                counts = torch.as_tensor(counts)
                sampling_weights = [float(c) ** power if c > 0 else 0.0 for c in counts.tolist()]
                total = sum(sampling_weights)
                self.probs = torch.tensor([w / total for w in sampling_weights], dtype=torch.float64,
                                          device=counts.device)
                self.generator = generator

            def sample(self, num):
                if num == 0:
                    return torch.zeros(0, dtype=torch.long)
                return torch.multinomial(self.probs, num, True, generator=self.generator)

        def get_negatives(all_contexts, sampler, K):
            all_negatives, generator = [], RandomGenerator(sampler)
            for contexts in all_contexts:
                negatives = []
                while len(negatives) < len(contexts) * K:
                    neg = generator.draw()
                    if neg not in contexts:
                        negatives.append(neg)
                all_negatives.append(negatives)
            return all_negatives

        def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
            v = embed_v(center)
            u = embed_u(contexts_and_negatives)
            return torch.bmm(v, u.permute(0, 2, 1))

        def sgns_loss(v_c, u_o, u_neg):
            u = torch.cat([u_o.unsqueeze(1), u_neg], dim=1)             # (b, 1 + K, d)
            pred = torch.bmm(v_c.unsqueeze(1), u.permute(0, 2, 1))[:, 0]   # (b, 1 + K)
            label = torch.zeros_like(pred)
            label[:, 0] = 1
            signed = torch.where(label == 1, pred, -pred)
            out = torch.clamp(-signed, min=0) + torch.log1p(torch.exp(-signed.abs()))
            return out.sum(dim=1)

        def train_word2vec(corpus, vocab_size, embed_size=16, max_window_size=2, num_noise_words=5, num_epochs=5,
                           lr=0.01, batch_size=128, generator=None):
            counter = Counter(tok for line in corpus for tok in line)
            counts = torch.tensor([counter[i] for i in range(vocab_size)])
            all_centers, all_contexts = get_centers_and_contexts(corpus, max_window_size, generator)
            all_negatives = get_negatives(all_contexts, NegativeSampler(counts, generator=generator),
                                          num_noise_words)
            data = [(c, o, neg[j * num_noise_words:(j + 1) * num_noise_words])
                    for c, ctx, neg in zip(all_centers, all_contexts, all_negatives) for j, o in enumerate(ctx)]
            net = nn.Sequential(nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size),
                                nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size))

            def init_weights(m):
                if type(m) == nn.Embedding:
                    nn.init.xavier_uniform_(m.weight, generator=generator)
            net.apply(init_weights)
            optimizer = torch.optim.Adam(net.parameters(), lr=lr)
            for epoch in range(num_epochs):
                order = torch.randperm(len(data), generator=generator).tolist()
                for i in range(0, len(data), batch_size):
                    batch = [data[j] for j in order[i:i + batch_size]]
                    center = torch.tensor([[c] for c, _, _ in batch])
                    contexts_negatives = torch.tensor([[o] + n for _, o, n in batch])
                    optimizer.zero_grad()
                    v = net[0](center)[:, 0]
                    u = net[1](contexts_negatives)
                    l = sgns_loss(v, u[:, 0], u[:, 1:])
                    l.mean().backward()
                    optimizer.step()
            return net[0].weight.data.clone()
    ''',
    # float64 internals, inverse-CDF sampling with searchsorted, vectorised windows, chunked rejection, a
    # bmm-based loss with logaddexp written as max + log1p, F.embedding lookups and a float64 Adam-free check of
    # nothing: the same contract in another style.
    "vectorised": '''
        import torch.nn.functional as F

        def keep_prob(counts, t=1e-4):
            f = counts.double() / counts.double().sum()
            keep = torch.minimum(torch.sqrt(t / f), torch.ones_like(f))
            keep = torch.nan_to_num(keep, nan=1.0, posinf=1.0)
            return keep.to(counts.dtype if counts.is_floating_point() else torch.float32)

        def subsample(corpus, t=1e-4, generator=None):
            lengths = [len(line) for line in corpus]
            flat = torch.tensor([tok for line in corpus for tok in line], dtype=torch.long)
            if flat.numel() == 0:
                return [[] for _ in corpus]
            u = torch.rand(flat.numel(), generator=generator)
            mask = u.double() < keep_prob(torch.bincount(flat), t).double()[flat]
            out = []
            for part, m in zip(torch.split(flat, lengths), torch.split(mask, lengths)):
                out.append(part[m].tolist())
            return out

        def get_centers_and_contexts(corpus, max_window_size, generator=None):
            centers, contexts = [], []
            for line in corpus:
                n = len(line)
                if n < 2:
                    continue
                w = torch.randint(max_window_size, (n,), generator=generator) + 1      # 1 … max
                pos = torch.arange(n)
                dist = (pos[None, :] - pos[:, None]).abs()                              # (n, n)
                inside = (dist <= w[:, None]) & (dist > 0)
                t = torch.tensor(line)
                centers.extend(t.tolist())
                contexts.extend(t[row].tolist() for row in inside)
            return centers, contexts

        class NegativeSampler:
            def __init__(self, counts, power=0.75, generator=None):
                c = torch.as_tensor(counts, dtype=torch.float64)
                w = torch.zeros_like(c)
                w[c > 0] = c[c > 0].pow(power)
                self.probs = w.div(w.sum())
                self._cdf = torch.cumsum(self.probs, 0)
                self.generator = generator

            def sample(self, num):
                u = torch.rand(num, generator=self.generator, dtype=torch.float64) * self._cdf[-1]
                ids = torch.searchsorted(self._cdf, u, right=True)
                return ids.clamp(max=len(self.probs) - 1).to(torch.int64)

        def get_negatives(all_contexts, sampler, K):
            result = []
            for contexts in all_contexts:
                need = len(contexts) * K
                banned = torch.tensor(sorted(set(contexts)), dtype=torch.long)
                got = torch.zeros(0, dtype=torch.long)
                while got.numel() < need:
                    draw = sampler.sample(max(2 * need, 8))
                    got = torch.cat([got, draw[~torch.isin(draw, banned)]])
                result.append(got[:need].tolist())
            return result

        def sgns_loss(v_c, u_o, u_neg):
            u = torch.cat([u_o[:, None, :], -u_neg], dim=1)          # (b, 1 + K, d): the signs of the §14.2.1 loss
            x = torch.bmm(u, v_c[:, :, None])[..., 0]                 # (b, 1 + K)
            return (torch.clamp(-x, min=0) + torch.log1p(torch.exp(-x.abs()))).sum(-1)

        def train_word2vec(corpus, vocab_size, embed_size=16, max_window_size=2, num_noise_words=5, num_epochs=5,
                           lr=0.01, batch_size=128, generator=None):
            counts = torch.zeros(vocab_size, dtype=torch.long)
            for line in corpus:
                if line:
                    counts.index_add_(0, torch.tensor(line), torch.ones(len(line), dtype=torch.long))
            centers, contexts = get_centers_and_contexts(corpus, max_window_size, generator=generator)
            negatives = get_negatives(contexts, NegativeSampler(counts, 0.75, generator), num_noise_words)
            lens = torch.tensor([len(c) for c in contexts])
            c_ids = torch.repeat_interleave(torch.tensor(centers), lens)
            o_ids = torch.tensor([o for ctx in contexts for o in ctx])
            n_ids = torch.tensor([x for neg in negatives for x in neg]).view(-1, num_noise_words)
            bound = (6.0 / (vocab_size + embed_size)) ** 0.5
            tables = torch.empty(2, vocab_size, embed_size).uniform_(-bound, bound, generator=generator)
            V = torch.nn.Parameter(tables[0].clone())
            U = torch.nn.Parameter(tables[1].clone())
            opt = torch.optim.Adam([V, U], lr=lr)
            n = c_ids.numel()
            for _ in range(num_epochs):
                perm = torch.randperm(n, generator=generator)
                for idx in perm.split(batch_size):
                    opt.zero_grad()
                    sgns_loss(F.embedding(c_ids[idx], V), F.embedding(o_ids[idx], U),
                              F.embedding(n_ids[idx], U)).mean().backward()
                    opt.step()
            return V.detach().clone()
    ''',
}
