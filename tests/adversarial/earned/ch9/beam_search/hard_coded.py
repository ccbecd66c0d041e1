"""Searches that never search: `[eos]` whatever the model says, with a score that agrees with the module's own
sequence_score (so "the returned score is the sequence's score" holds within the module) — a valid sequence of the
right form, never the best one; and a sequence_score that only counts tokens."""


def sequence_score(logp_fn, bos, tokens, alpha=0.75):
    return -float(len(tokens)) ** (1 - alpha)


def _fixed(logp_fn, bos, eos, max_len, alpha):
    tokens = [eos]
    return tokens, sequence_score(logp_fn, bos, tokens, alpha)


def greedy_search(logp_fn, bos, eos, max_len, alpha=0.75):
    return _fixed(logp_fn, bos, eos, max_len, alpha)


def exhaustive_search(logp_fn, bos, eos, max_len, alpha=0.75):
    return _fixed(logp_fn, bos, eos, max_len, alpha)


def beam_search(logp_fn, bos, eos, beam_size, max_len, alpha=0.75):
    return _fixed(logp_fn, bos, eos, max_len, alpha)
