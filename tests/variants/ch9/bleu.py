"""Recorded buggy variants of ch9/bleu.py: each must be rejected by at least one grader, with its feedback.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    "no_clipping": {
        "why": "every predicted n-gram found in the label counts, however often it occurs there",
        "feedback": "clip the counts",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    label_grams = {tuple(L[i:i + n]) for i in range(len(L) - n + 1)}
                    matches = sum(tuple(P[i:i + n]) in label_grams for i in range(len(P) - n + 1))
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "brevity_penalty_inverted": {
        "why": "exp(min(0, 1 − len_pred / len_label)): punishes long predictions instead of short ones",
        "feedback": "brevity penalty is inverted",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(P) / len(L))) if L else 1.0
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    matches = 0
                    for i in range(len(P) - n + 1):
                        g = tuple(P[i:i + n])
                        if counts[g] > 0:
                            matches += 1
                            counts[g] -= 1
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "equal_weights": {
        "why": "weights 1/k for every n (a geometric mean), not d2l's 1/2^n",
        "feedback": "not equal weights 1/k",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    matches = 0
                    for i in range(len(P) - n + 1):
                        g = tuple(P[i:i + n])
                        if counts[g] > 0:
                            matches += 1
                            counts[g] -= 1
                    score *= (matches / (len(P) - n + 1)) ** (1 / k)
                return score
        ''',
    },
    "paper_weights": {
        "why": "weights 1/n (the original paper's text, misread), not d2l's 1/2^n",
        "feedback": "not the original paper's 1/n",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    matches = 0
                    for i in range(len(P) - n + 1):
                        g = tuple(P[i:i + n])
                        if counts[g] > 0:
                            matches += 1
                            counts[g] -= 1
                    score *= (matches / (len(P) - n + 1)) ** (1 / n)
                return score
        ''',
    },
    "book_zero_division": {
        "why": "the book's code verbatim: ZeroDivisionError when len_pred < k, and '' is one empty token",
        "feedback": "fewer than k tokens",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
                len_pred, len_label = len(pred_tokens), len(label_tokens)
                score = math.exp(min(0, 1 - len_label / len_pred))
                for n in range(1, k + 1):
                    num_matches, label_subs = 0, collections.defaultdict(int)
                    for i in range(len_label - n + 1):
                        label_subs[' '.join(label_tokens[i: i + n])] += 1
                    for i in range(len_pred - n + 1):
                        if label_subs[' '.join(pred_tokens[i: i + n])] > 0:
                            num_matches += 1
                            label_subs[' '.join(pred_tokens[i: i + n])] -= 1
                    score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
                return score
        ''',
    },
    "book_empty_is_a_token": {
        "why": "the book's code with the length check, but ''.split(' ') = [''] is one token (bleu('', '', 1) = 1)",
        "feedback": "no tokens",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
                len_pred, len_label = len(pred_tokens), len(label_tokens)
                if len_pred < k:
                    return 0.0
                score = math.exp(min(0, 1 - len_label / len_pred))
                for n in range(1, k + 1):
                    num_matches, label_subs = 0, collections.defaultdict(int)
                    for i in range(len_label - n + 1):
                        label_subs[' '.join(label_tokens[i: i + n])] += 1
                    for i in range(len_pred - n + 1):
                        if label_subs[' '.join(pred_tokens[i: i + n])] > 0:
                            num_matches += 1
                            label_subs[' '.join(pred_tokens[i: i + n])] -= 1
                    score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
                return score
        ''',
    },
    "no_brevity_penalty": {
        "why": "the product of the precisions only",
        "feedback": "brevity penalty exp(min(0, 1 − len_label / len_pred)) is missing",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = 1.0
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    pc = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                    matches = sum(min(c, counts[g]) for g, c in pc.items())
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "penalty_without_min": {
        "why": "exp(1 − len_label / len_pred) without the min: long predictions get a bonus",
        "feedback": "never exceed 1",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(1 - len(L) / len(P))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    pc = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                    matches = sum(min(c, counts[g]) for g, c in pc.items())
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "recall_denominator": {
        "why": "p_n divided by the label's number of n-grams",
        "feedback": "number of n-grams of the *prediction*",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    pc = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                    matches = sum(min(c, counts[g]) for g, c in pc.items())
                    score *= (matches / max(1, len(L) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "joined_key_without_separator": {
        "why": "n-grams keyed by ''.join(tokens): ('ab', 'c') collides with ('a', 'bc')",
        "feedback": "compared as tuples of tokens",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    counts = collections.defaultdict(int)
                    for i in range(len(L) - n + 1):
                        counts[''.join(L[i:i + n])] += 1
                    matches = 0
                    for i in range(len(P) - n + 1):
                        g = ''.join(P[i:i + n])
                        if counts[g] > 0:
                            matches += 1
                            counts[g] -= 1
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "split_on_whitespace_runs": {
        "why": "str.split() instead of split(' '): runs of spaces merged",
        "feedback": "s.split(' ')",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P, L = pred_seq.split(), label_seq.split()
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    pc = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                    matches = sum(min(c, counts[g]) for g, c in pc.items())
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "distinct_ngrams": {
        "why": "each distinct predicted n-gram counted once (a set), even when it occurs twice in both",
        "feedback": "each distinct n-gram once",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    label_grams = {tuple(L[i:i + n]) for i in range(len(L) - n + 1)}
                    pred_grams = {tuple(P[i:i + n]) for i in range(len(P) - n + 1)}
                    score *= (len(pred_grams & label_grams) / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "orders_up_to_k_minus_1": {
        "why": "range(1, k): the k-gram precision is left out",
        "feedback": "including n = k",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    pc = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                    matches = sum(min(c, counts[g]) for g, c in pc.items())
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "last_ngram_missing": {
        "why": "range(len_pred − n) over the prediction: its last n-gram is never matched",
        "feedback": "last n-gram of the prediction is missing",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return 0.0
                score = math.exp(min(0, 1 - len(L) / len(P)))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    matches = 0
                    for i in range(len(P) - n):
                        g = tuple(P[i:i + n])
                        if counts[g] > 0:
                            matches += 1
                            counts[g] -= 1
                    score *= (matches / (len(P) - n + 1)) ** (0.5 ** n)
                return score
        ''',
    },
    "returns_a_fraction": {
        "why": "exact arithmetic kept to the end: a Fraction (when every factor is rational) instead of a float",
        "feedback": "Python float",
        "source": '''
            def bleu(pred_seq, label_seq, k):
                from fractions import Fraction
                P = pred_seq.split(' ') if pred_seq else []
                L = label_seq.split(' ') if label_seq else []
                if len(P) < k:
                    return Fraction(0)
                score = Fraction(1) if len(L) <= len(P) else math.exp(1 - len(L) / len(P))
                for n in range(1, k + 1):
                    counts = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                    pc = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                    p = Fraction(sum(min(c, counts[g]) for g, c in pc.items()), len(P) - n + 1)
                    score = score * p if p in (0, 1) else score * float(p) ** (0.5 ** n)
                return score
        ''',
    },
}

ALTERNATIVES = {
    # d2l §9.7.4's code (PyTorch tab), adapted only where the Clarifications differ: '' has no tokens, and a
    # prediction with fewer than k tokens scores 0.0 instead of dividing by zero. Its ' '.join key is injective for
    # n-grams of one length (tokens contain no space), so it compares n-grams exactly as tuples do.
    "d2l_book_code": '''
        def bleu(pred_seq, label_seq, k):
            pred_tokens = pred_seq.split(' ') if pred_seq else []
            label_tokens = label_seq.split(' ') if label_seq else []
            len_pred, len_label = len(pred_tokens), len(label_tokens)
            if len_pred < k:
                return 0.0
            score = math.exp(min(0, 1 - len_label / len_pred))
            for n in range(1, k + 1):
                num_matches, label_subs = 0, collections.defaultdict(int)
                for i in range(len_label - n + 1):
                    label_subs[' '.join(label_tokens[i: i + n])] += 1
                for i in range(len_pred - n + 1):
                    if label_subs[' '.join(pred_tokens[i: i + n])] > 0:
                        num_matches += 1
                        label_subs[' '.join(pred_tokens[i: i + n])] -= 1
                score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
            return score
    ''',
    # Counter intersection (min of counts) and the score as exp of a weighted sum of logs
    "counter_intersection_logs": '''
        def bleu(pred_seq, label_seq, k):
            P = pred_seq.split(' ') if pred_seq != '' else []
            L = label_seq.split(' ') if label_seq != '' else []
            if len(P) < k:
                return 0.0
            log_score = min(0.0, 1.0 - len(L) / len(P))
            for n in range(1, k + 1):
                grams = lambda T: collections.Counter(zip(*(T[j:] for j in range(n))))
                matches = sum((grams(P) & grams(L)).values())
                if matches == 0:
                    return 0.0
                log_score += 0.5 ** n * math.log(matches / (len(P) - n + 1))
            return math.exp(log_score)
    ''',
    # exact rational precisions, converted once at the end
    "fractions_then_float": '''
        def bleu(pred_seq, label_seq, k):
            from fractions import Fraction
            P = [] if not pred_seq else pred_seq.split(' ')
            L = [] if not label_seq else label_seq.split(' ')
            if len(P) < k:
                return 0.0
            ps = []
            for n in range(1, k + 1):
                lab = collections.Counter(tuple(L[i:i + n]) for i in range(len(L) - n + 1))
                prd = collections.Counter(tuple(P[i:i + n]) for i in range(len(P) - n + 1))
                ps.append(Fraction(sum(min(c, lab[g]) for g, c in prd.items()), len(P) - n + 1))
            out = math.exp(min(0, 1 - Fraction(len(L), len(P))))
            for n, p in enumerate(ps, start=1):
                out *= float(p) ** (2.0 ** -n)
            return float(out)
    ''',
}
