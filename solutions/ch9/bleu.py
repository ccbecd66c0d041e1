"""BLEU · 预测序列的评估:BLEU

d2l-zh §9.7.4 (预测序列的评估). The learner's note: "解码器最后挂一个全连接层用来评估结果,算概率。常见的评估方法BLEU。"

The story. A translation model is trained on cross-entropy, but what we care about is whether its output reads like
the reference. BLEU (bilingual evaluation understudy) scores that by counting how many of the predicted n-grams also
occur in the label, for n = 1..k. Three details make it a real metric rather than a toy, and each is a classic bug:

* **clipping** — a predicted n-gram only matches as many times as it occurs in the label, otherwise
  "the the the the" would score perfectly against "the cat";
* the **brevity penalty** exp(min(0, 1 − len_label / len_pred)) — precision alone rewards saying almost nothing, so
  short predictions are punished (and long ones are not: precision already punishes their extra n-grams);
* the **weights** 1/2^n — d2l's choice, which gives long n-grams (harder to match) more weight:
  p_n^(1/2^n) grows with n for a fixed p_n. (The original paper's geometric mean uses 1/n.)

The book's code also divides by zero when the prediction has fewer than k tokens (it has no n-gram of length k);
this kata returns 0.0 there, as the project's catalogue decided.
"""
import collections
import math


def bleu(pred_seq: str, label_seq: str, k: int) -> float:
    """d2l's BLEU score of a predicted sequence against one label sequence.

        BLEU = exp(min(0, 1 − len_label / len_pred)) · Π_{n=1..k} p_n^(1/2^n)

        p_n  = (clipped number of matching n-grams) / (len_pred − n + 1)

    where "clipped" means: each n-gram of the prediction can be matched at most as many times as that n-gram
    occurs in the label (with the label's count used up match by match). The book's example: label
    "A B C D E F", prediction "A B B C D" give p_1 = 4/5, p_2 = 3/4, p_3 = 1/3, p_4 = 0.

    Args:
        pred_seq: the prediction, tokens separated by single spaces.
        label_seq: the label (reference), tokens separated by single spaces.
        k: the longest n-gram order used, k ≥ 1.

    Returns:
        a Python float in [0, 1].

    Conventions (the catalogue's Clarifications):
        * tokens are ``s.split(' ')`` — one space separates two tokens, so "a  b" has three tokens
          ('a', '', 'b'); the empty string ``''`` has **no** tokens (not one empty token);
        * n-grams are compared as tuples of tokens (tokens may be several characters long: "ab c" and "a bc" are
          different bigrams);
        * the prediction has fewer than k tokens → 0.0 (no k-gram exists, so p_k would be 0/0: the book's code
          raises ZeroDivisionError here);
        * the brevity penalty only punishes predictions shorter than the label; a prediction longer than the label
          gets factor 1;
        * the weights 1/2^n do not sum to 1 (d2l's formula, not the paper's 1/n);
        * identical sequences score 1.0; an empty label gives 0.0 (nothing can match).

    Forbidden: the nltk, sacrebleu, torchmetrics, evaluate and d2l packages (nltk's sentence_bleu is what the
    graders compare you with).
    """
    ### BEGIN SOLUTION
    pred_tokens = pred_seq.split(' ') if pred_seq else []
    label_tokens = label_seq.split(' ') if label_seq else []
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if len_pred < k:
        return 0.0
    score = math.exp(min(0.0, 1.0 - len_label / len_pred))
    for n in range(1, k + 1):
        label_counts = collections.Counter(tuple(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        num_matches = 0
        for i in range(len_pred - n + 1):
            gram = tuple(pred_tokens[i:i + n])
            if label_counts[gram] > 0:
                num_matches += 1
                label_counts[gram] -= 1
        score *= (num_matches / (len_pred - n + 1)) ** (0.5 ** n)
    return float(score)
    ### END SOLUTION
