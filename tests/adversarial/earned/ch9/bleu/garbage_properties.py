"""A score that satisfies BLEU's easy properties without counting n-grams: 1.0 for identical sequences, 0.0 for
an empty or too short prediction or an empty label, in [0, 1], the brevity penalty right — and the unigram overlap of
the token *sets* otherwise (no clipping, no n-grams beyond 1, no weights)."""
import math


def bleu(pred_seq, label_seq, k):
    pred = pred_seq.split(" ") if pred_seq else []
    label = label_seq.split(" ") if label_seq else []
    if len(pred) < k or not label:
        return 0.0
    if pred == label:
        return 1.0
    bp = math.exp(min(0.0, 1 - len(label) / len(pred)))
    return bp * len(set(pred) & set(label)) / len(set(pred) | set(label))
