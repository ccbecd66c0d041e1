"""Recorded buggy variants of ch9/beam_search.py: each must be rejected by at least one grader, with its feedback.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ sequence_score
    "score_without_bos": {
        "why": "the prefixes passed to logp_fn lack bos: logp_fn(tokens[:t])",
        "feedback": "starts with bos",
        "source": '''
            def sequence_score(logp_fn, bos, tokens, alpha=0.75):
                total = 0.0
                for t, y in enumerate(tokens):
                    total += float(logp_fn(list(tokens[:t]))[y])
                return total / len(tokens) ** alpha
        ''',
    },
    "score_shifted_prefix": {
        "why": "y_t scored from a prefix that already contains it: logp_fn([bos] + tokens[:t + 1])",
        "feedback": "*before* it",
        "source": '''
            def sequence_score(logp_fn, bos, tokens, alpha=0.75):
                total = 0.0
                for t, y in enumerate(tokens):
                    total += float(logp_fn([bos] + list(tokens[:t + 1]))[y])
                return total / len(tokens) ** alpha
        ''',
    },
    "score_times_alpha": {
        "why": "divided by L · alpha instead of L ** alpha",
        "feedback": "L ** alpha",
        "source": '''
            def sequence_score(logp_fn, bos, tokens, alpha=0.75):
                total = 0.0
                for t, y in enumerate(tokens):
                    total += float(logp_fn([bos] + list(tokens[:t]))[y])
                return total / (len(tokens) * alpha) if alpha else total
        ''',
    },
    "score_unnormalised": {
        "why": "the raw log-probability, never divided by L ** alpha",
        "feedback": "raw log-probability",
        "source": '''
            def sequence_score(logp_fn, bos, tokens, alpha=0.75):
                total = 0.0
                for t, y in enumerate(tokens):
                    total += float(logp_fn([bos] + list(tokens[:t]))[y])
                return total
        ''',
    },
    "score_L_without_eos": {
        "why": "L = number of tokens before a final <eos> (guessed from the last token being the most common one)",
        "feedback": "L counts the final <eos>",
        "source": '''
            def sequence_score(logp_fn, bos, tokens, alpha=0.75):
                total = 0.0
                for t, y in enumerate(tokens):
                    total += float(logp_fn([bos] + list(tokens[:t]))[y])
                L = len(tokens) - 1 if len(tokens) > 1 else 1
                return total / L ** alpha
        ''',
    },
    # ------------------------------------------------------------------ greedy_search
    "greedy_drops_eos": {
        "why": "the book's predict_seq2seq: breaks before appending <eos> (not in the tokens nor in L)",
        "feedback": "stops *after* producing <eos>",
        "source": '''
            def greedy_search(logp_fn, bos, eos, max_len, alpha=0.75):
                tokens, logp = [], 0.0
                for _ in range(max_len):
                    lp = logp_fn([bos] + tokens)
                    y = int(lp.argmax())
                    if y == eos:
                        break
                    tokens.append(y)
                    logp += float(lp[y])
                if not tokens:
                    return [eos], float(logp_fn([bos])[eos])
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "greedy_ignores_eos": {
        "why": "runs to max_len whatever it produces",
        "feedback": "stop right after it produces <eos>",
        "source": '''
            def greedy_search(logp_fn, bos, eos, max_len, alpha=0.75):
                tokens, logp = [], 0.0
                for _ in range(max_len):
                    lp = logp_fn([bos] + tokens)
                    y = int(lp.argmax())
                    tokens.append(y)
                    logp += float(lp[y])
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "greedy_raw_score": {
        "why": "returns the raw log-probability as the score",
        "feedback": "not the raw log-probability",
        "source": '''
            def greedy_search(logp_fn, bos, eos, max_len, alpha=0.75):
                tokens, logp = [], 0.0
                while len(tokens) < max_len:
                    lp = logp_fn([bos] + tokens)
                    y = int(lp.argmax())
                    tokens.append(y)
                    logp += float(lp[y])
                    if y == eos:
                        break
                return tokens, logp
        ''',
    },
    "greedy_one_short": {
        "why": "range(max_len - 1): sequences stop one token early",
        "feedback": "one token early",
        "source": '''
            def greedy_search(logp_fn, bos, eos, max_len, alpha=0.75):
                tokens, logp = [], 0.0
                for _ in range(max(1, max_len - 1)):
                    lp = logp_fn([bos] + tokens)
                    y = int(lp.argmax())
                    tokens.append(y)
                    logp += float(lp[y])
                    if y == eos:
                        break
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    # ------------------------------------------------------------------ exhaustive_search
    "exhaustive_every_prefix": {
        "why": "every prefix is a candidate (the book's figure read literally)",
        "feedback": "a prefix that has not ended is not a candidate",
        "source": '''
            def exhaustive_search(logp_fn, bos, eos, max_len, alpha=0.75):
                best = (None, -math.inf)
                stack = [([], 0.0)]
                while stack:
                    prefix, s = stack.pop()
                    lp = logp_fn([bos] + prefix).tolist()
                    for y, l in enumerate(lp):
                        seq, t = prefix + [y], s + l
                        score = t / len(seq) ** alpha
                        if best[0] is None or score > best[1]:
                            best = (seq, score)
                        if y != eos and len(seq) < max_len:
                            stack.append((seq, t))
                return best
        ''',
    },
    "exhaustive_eos_ordinary": {
        "why": "all |V|^max_len sequences of max_len tokens, <eos> an ordinary token",
        "feedback": "nothing follows an <eos>",
        "source": '''
            def exhaustive_search(logp_fn, bos, eos, max_len, alpha=0.75):
                import itertools
                best = (None, -math.inf)
                V = logp_fn([bos]).shape[0]
                for seq in itertools.product(range(V), repeat=max_len):
                    seq = list(seq)
                    s = sum(float(logp_fn([bos] + seq[:t])[y]) for t, y in enumerate(seq))
                    if best[0] is None or s / len(seq) ** alpha > best[1]:
                        best = (seq, s / len(seq) ** alpha)
                return best
        ''',
    },
    "exhaustive_raw_choice": {
        "why": "the best candidate chosen by raw log P (the score returned is then normalised)",
        "feedback": "not by raw log P",
        "source": '''
            def exhaustive_search(logp_fn, bos, eos, max_len, alpha=0.75):
                cands = []
                def visit(prefix, s):
                    lp = logp_fn([bos] + prefix).tolist()
                    for y, l in enumerate(lp):
                        seq, t = prefix + [y], s + l
                        if y == eos or len(seq) == max_len:
                            cands.append((seq, t))
                        else:
                            visit(seq, t)
                visit([], 0.0)
                seq, s = max(cands, key=lambda c: c[1])
                return seq, s / len(seq) ** alpha
        ''',
    },
    "exhaustive_L_without_eos": {
        "why": "L = tokens before the <eos> in the choice (max(1, ·) to avoid 0)",
        "feedback": "L counts the final <eos>",
        "source": '''
            def exhaustive_search(logp_fn, bos, eos, max_len, alpha=0.75):
                cands = []
                def visit(prefix, s):
                    lp = logp_fn([bos] + prefix).tolist()
                    for y, l in enumerate(lp):
                        seq, t = prefix + [y], s + l
                        if y == eos or len(seq) == max_len:
                            cands.append((seq, t))
                        else:
                            visit(seq, t)
                visit([], 0.0)
                def length(seq):
                    return max(1, len(seq) - (seq[-1] == eos))
                seq, s = max(cands, key=lambda c: c[1] / length(c[0]) ** alpha)
                return seq, s / length(seq) ** alpha
        ''',
    },
    # ------------------------------------------------------------------ beam_search
    "beam_eos_ordinary": {
        "why": "<eos> treated as an ordinary token: hypotheses finish only at max_len",
        "feedback": "<eos> is not an ordinary token",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                beam = [([], 0.0)]
                for _ in range(max_len):
                    ext = []
                    for tokens, logp in beam:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    beam = sorted(ext, key=lambda e: e[1], reverse=True)[:beam_size]
                tokens, logp = max(beam, key=lambda b: b[1] / len(b[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_final_raw": {
        "why": "the final choice by raw log P (favours short hypotheses)",
        "feedback": "not by raw log P",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    ext.sort(key=lambda e: e[1], reverse=True)
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append((tokens, logp))
                tokens, logp = max(finished, key=lambda f: f[1])
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_L_without_eos": {
        "why": "L without the final <eos> (max(1, ·) to avoid dividing by 0)",
        "feedback": "L counts the final <eos>",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    ext.sort(key=lambda e: e[1], reverse=True)
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append((tokens, logp))
                def length(tokens):
                    return max(1, len(tokens) - (tokens[-1] == eos))
                tokens, logp = max(finished, key=lambda f: f[1] / length(f[0]) ** alpha)
                return tokens, logp / length(tokens) ** alpha
        ''',
    },
    "beam_raw_score_returned": {
        "why": "the right hypothesis, but its raw log P returned as the score",
        "feedback": "not its raw log P",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    ext.sort(key=lambda e: e[1], reverse=True)
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append((tokens, logp))
                return max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)
        ''',
    },
    "beam_finished_in_pool_normalised": {
        "why": "finished hypotheses stay in the beam and compete for slots, all ranked by log P / L^alpha",
        "feedback": "leave the beam at once",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                def done(tokens):
                    return bool(tokens) and (tokens[-1] == eos or len(tokens) == max_len)
                beam = [([], 0.0)]
                for _ in range(max_len):
                    pool = []
                    for tokens, logp in beam:
                        if done(tokens):
                            pool.append((tokens, logp))
                        else:
                            lp = logp_fn([bos] + tokens).tolist()
                            pool.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    beam = sorted(pool, key=lambda b: b[1] / len(b[0]) ** alpha, reverse=True)[:beam_size]
                    if all(done(t) for t, _ in beam):
                        break
                tokens, logp = max(beam, key=lambda b: b[1] / len(b[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_finished_in_pool_raw": {
        "why": "finished hypotheses stay in the beam and compete for slots by raw log P",
        "feedback": "leave the beam at once",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                def done(tokens):
                    return bool(tokens) and (tokens[-1] == eos or len(tokens) == max_len)
                beam = [([], 0.0)]
                for _ in range(max_len):
                    pool = []
                    for tokens, logp in beam:
                        if done(tokens):
                            pool.append((tokens, logp))
                        else:
                            lp = logp_fn([bos] + tokens).tolist()
                            pool.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    beam = sorted(pool, key=lambda b: b[1], reverse=True)[:beam_size]
                    if all(done(t) for t, _ in beam):
                        break
                tokens, logp = max(beam, key=lambda b: b[1] / len(b[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_finished_replaced": {
        "why": "finished = the ones of this step (= instead of +=): only the last step's hypotheses compete",
        "feedback": "keep every finished hypothesis of every step",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    kept = sorted(ext, key=lambda e: e[1], reverse=True)[:beam_size]
                    live = [(t, s) for t, s in kept if t[-1] != eos and len(t) < max_len]
                    finished = [(t, s) for t, s in kept if t[-1] == eos or len(t) == max_len]
                tokens, logp = max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_unsorted_merge": {
        "why": "each hypothesis keeps its own beam_size best extensions; the merged list is cut without sorting",
        "feedback": "among *all* live hypotheses",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens)
                        values, ids = lp.topk(min(beam_size, lp.shape[0]))
                        ext.extend((tokens + [int(y)], logp + float(v)) for v, y in zip(values, ids))
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append((tokens, logp))
                tokens, logp = max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_stops_at_first_finished": {
        "why": "returns as soon as one hypothesis has finished",
        "feedback": "stop only when no hypothesis is live",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live and not finished:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    ext.sort(key=lambda e: e[1], reverse=True)
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append((tokens, logp))
                tokens, logp = max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_prefix_candidates": {
        "why": "every hypothesis that was ever in the beam is a candidate (the book's figure read literally)",
        "feedback": "merely stayed in the beam",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, seen = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    kept = sorted(ext, key=lambda e: e[1], reverse=True)[:beam_size]
                    seen.extend(kept)
                    live = [(t, s) for t, s in kept if t[-1] != eos and len(t) < max_len]
                tokens, logp = max(seen, key=lambda f: f[1] / len(f[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_one_short": {
        "why": "a hypothesis is finished at max_len - 1 tokens",
        "feedback": "not max_len − 1",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn([bos] + tokens).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    ext.sort(key=lambda e: e[1], reverse=True)
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        done = tokens[-1] == eos or len(tokens) >= max(1, max_len - 1)
                        (finished if done else live).append((tokens, logp))
                tokens, logp = max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
    "beam_rescores_every_extension": {
        "why": "right answer, but every extension rescored from scratch with sequence_score (V·len calls each)",
        "feedback": "once per live hypothesis per step",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [[]], []
                V = logp_fn([bos]).shape[0]
                while live:
                    ext = [tokens + [y] for tokens in live for y in range(V)]
                    ext.sort(key=lambda t: sequence_score(logp_fn, bos, t, 0.0), reverse=True)
                    live = []
                    for tokens in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append(tokens)
                best = max(finished, key=lambda t: sequence_score(logp_fn, bos, t, alpha))
                return best, sequence_score(logp_fn, bos, best, alpha)
        ''',
    },
    "beam_without_bos": {
        "why": "the prefixes passed to logp_fn are the generated tokens only (no bos)",
        "feedback": "prefix = [bos] + the tokens generated so far",
        "source": '''
            def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
                live, finished = [([], 0.0)], []
                while live:
                    ext = []
                    for tokens, logp in live:
                        lp = logp_fn(tokens if tokens else [bos]).tolist()
                        ext.extend((tokens + [y], logp + l) for y, l in enumerate(lp))
                    ext.sort(key=lambda e: e[1], reverse=True)
                    live = []
                    for tokens, logp in ext[:beam_size]:
                        (finished if tokens[-1] == eos or len(tokens) == max_len else live).append((tokens, logp))
                tokens, logp = max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)
                return tokens, logp / len(tokens) ** alpha
        ''',
    },
}

ALTERNATIVES = {
    # The book has no code for §9.8; its greedy loop is predict_seq2seq's (§9.7.3): argmax, stop at <eos>. Adapted
    # to the contract: a logp_fn instead of the decoder, the <eos> kept in the tokens, the normalised score.
    "d2l_predict_loop_greedy_and_vectorised_beam": '''
        def greedy_search(logp_fn, bos, eos, max_len, alpha=0.75):
            output_seq, total = [], 0.0
            dec_X = bos
            for _ in range(max_len):
                Y = logp_fn([bos] + output_seq)
                dec_X = Y.argmax(dim=0)
                pred = dec_X.item()
                total = total + Y[pred]
                output_seq.append(pred)
                if pred == eos:
                    break
            return output_seq, float(total) / len(output_seq) ** alpha

        def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
            # the beam as tensors: (n, t) token ids and (n,) log-probabilities; one topk over n·V extensions
            hyps = torch.zeros((1, 0), dtype=torch.long)
            scores = torch.zeros(1, dtype=torch.float64)
            done_tokens, done_scores = [], []
            for t in range(max_len):
                rows = torch.stack([logp_fn([bos] + h.tolist()).to(torch.float64) for h in hyps])   # (n, V)
                V = rows.shape[1]
                flat = (scores[:, None] + rows).reshape(-1)                                          # (n·V,)
                top = flat.topk(min(beam_size, flat.numel()))
                parents, ys = top.indices // V, top.indices % V
                new = torch.cat([hyps[parents], ys[:, None]], dim=1)                                 # (k, t+1)
                ended = (ys == eos) | (t + 1 == max_len)
                for i in ended.nonzero().flatten().tolist():
                    done_tokens.append(new[i].tolist())
                    done_scores.append(float(top.values[i]))
                keep = ~ended
                hyps, scores = new[keep], top.values[keep]
                if hyps.shape[0] == 0:
                    break
            normed = [s / len(tk) ** alpha for tk, s in zip(done_tokens, done_scores)]
            best = max(range(len(normed)), key=normed.__getitem__)
            return done_tokens[best], normed[best]
    ''',
    # a heap of live hypotheses, exhaustive search as a product over all sequences cut at their first <eos>, and the
    # winner rescored with sequence_score (within the call budget)
    "heapq_product_rescore": '''
        def exhaustive_search(logp_fn, bos, eos, max_len, alpha=0.75):
            import itertools
            V = logp_fn([bos]).shape[0]
            seen, best = set(), None
            for seq in itertools.product(range(V), repeat=max_len):
                seq = list(seq)
                if eos in seq:
                    seq = seq[:seq.index(eos) + 1]
                if tuple(seq) in seen:
                    continue
                seen.add(tuple(seq))
                s = sequence_score(logp_fn, bos, seq, alpha)
                if best is None or s > best[1]:
                    best = (seq, s)
            return best

        def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
            import heapq
            live, finished = [(0.0, ())], []
            while live:
                ext = []
                for logp, tokens in live:
                    row = logp_fn([bos, *tokens])
                    ext.extend((logp + float(v), tokens + (y,)) for y, v in enumerate(row))
                live = []
                for logp, tokens in heapq.nlargest(beam_size, ext, key=lambda e: e[0]):
                    if tokens[-1] == eos or len(tokens) == max_len:
                        finished.append((logp / len(tokens) ** alpha, tokens))
                    else:
                        live.append((logp, tokens))
            _, best = max(finished)
            best = list(best)
            return best, sequence_score(logp_fn, bos, best, alpha)
    ''',
    # sequence_score in log space with torch, summing a tensor of gathered log-probabilities
    "tensor_sum_score": '''
        def sequence_score(logp_fn, bos, tokens, alpha=0.75):
            rows = torch.stack([logp_fn([bos] + list(tokens[:t])) for t in range(len(tokens))])     # (L, V)
            picked = rows.gather(1, torch.tensor(list(tokens)).reshape(-1, 1))                     # (L, 1)
            return (picked.sum() / len(tokens) ** alpha).item()
    ''',
}
