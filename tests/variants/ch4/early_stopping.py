"""Recorded buggy variants of ch4/early_stopping.py: each must be rejected by at least one grader.

Each entry replaces functions (here: the class) of the reference solution. "feedback" (optional) must appear in the
failure output.
"""

# The correct class, with one marked line changed in each mutant (kept short: a template filled per mutant).
_TEMPLATE = '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        if mode not in ("min", "max"):
            raise ValueError(mode)
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best = {BEST}
        self.best_epoch = -1
        self.best_state = None
        self.epoch = {EPOCH0}
        self.num_bad = 0

    def step(self, metric, state_dict=None):
        self.epoch += 1
        metric = float(metric)
        if self.mode == "min":
            improved = {IMPROVED_MIN}
        else:
            improved = {IMPROVED_MAX}
        if improved:
            self.best, self.best_epoch = metric, self.epoch
            self.best_state = {COPY}
            {RESET}
        else:
            self.num_bad += 1
        {SAVE_ALWAYS}
        return {STOP}
'''
_OK = dict(BEST='math.inf if mode == "min" else -math.inf', EPOCH0="-1",
           IMPROVED_MIN="metric < self.best - self.min_delta", IMPROVED_MAX="metric > self.best + self.min_delta",
           COPY="copy.deepcopy(state_dict)", RESET="self.num_bad = 0", SAVE_ALWAYS="pass",
           STOP="self.num_bad >= self.patience")


def _variant(**changes):
    return _TEMPLATE.format(**{**_OK, **changes})


MUTANTS = {
    "non_strict_improvement": {
        "why": "metric <= best − min_delta: a tie counts as an improvement, so a plateau never stops",
        "feedback": "strict",
        "source": _variant(IMPROVED_MIN="metric <= self.best - self.min_delta",
                           IMPROVED_MAX="metric >= self.best + self.min_delta"),
    },
    "counter_not_reset": {
        "why": "never resets the counter on improvement: counts all bad epochs, not consecutive ones",
        "feedback": "consecutive",
        "source": _variant(RESET="pass"),
    },
    "one_based_epochs": {
        "why": "the first step is epoch 1",
        "feedback": "count from 0",
        "source": _variant(EPOCH0="0"),
    },
    "shallow_copy": {
        "why": "dict(state_dict): the saved tensors are the live ones",
        "feedback": "deepcopy",
        "source": _variant(COPY="dict(state_dict) if state_dict is not None else None"),
    },
    "no_copy": {
        "why": "keeps a reference to the state_dict itself",
        "feedback": "deep copy",
        "source": _variant(COPY="state_dict"),
    },
    "off_by_one_stop": {
        "why": "stops when the counter exceeds patience (one epoch late)",
        "feedback": "reaches patience",
        "source": _variant(STOP="self.num_bad > self.patience"),
    },
    "mode_max_ignored": {
        "why": "always minimises: mode 'max' behaves like 'min'",
        "feedback": "higher is better",
        "source": _variant(BEST="math.inf", IMPROVED_MAX="metric < self.best - self.min_delta"),
    },
    "min_delta_ignored": {
        "why": "any strict improvement counts, however small",
        "feedback": "more than min_delta",
        "source": _variant(IMPROVED_MIN="metric < self.best", IMPROVED_MAX="metric > self.best"),
    },
    "state_saved_every_step": {
        "why": "saves the state at every step, not only at the best one",
        "feedback": "only when the metric improves",
        "source": _variant(SAVE_ALWAYS="self.best_state = copy.deepcopy(state_dict)"),
    },
    "best_shifted_by_delta": {
        "why": "stores best − min_delta as the new best",
        "feedback": "the metric itself",
        "source": _variant(IMPROVED_MIN="metric < self.best - self.min_delta",
                           RESET="self.num_bad = 0; self.best = metric - self.min_delta if self.mode == 'min' "
                                 "else metric + self.min_delta"),
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # a sign flip turns "max" into "min"; the counter is the distance to the best epoch; tensors cloned per key.
    "sign_flip_and_distance": '''
        class EarlyStopping:
            def __init__(self, patience, min_delta=0.0, mode="min"):
                if mode == "min":
                    self.sign = 1.0
                elif mode == "max":
                    self.sign = -1.0
                else:
                    raise ValueError(f"unknown mode {mode}")
                self.patience, self.min_delta = patience, min_delta
                self.best = self.sign * float("inf")
                self.best_epoch = -1
                self.best_state = None
                self.steps = 0

            def step(self, metric, state_dict=None):
                epoch = self.steps
                self.steps += 1
                if self.sign * metric < self.sign * self.best - self.min_delta:
                    self.best, self.best_epoch = float(metric), epoch
                    self.best_state = (None if state_dict is None else
                                       {k: v.detach().clone() for k, v in state_dict.items()})
                return epoch - self.best_epoch >= self.patience
    ''',
    # keeps the whole history and recomputes; "best − metric > min_delta" form of the comparison.
    "history": '''
        class EarlyStopping:
            def __init__(self, patience, min_delta=0.0, mode="min"):
                assert_mode = {"min": True, "max": True}
                if mode not in assert_mode:
                    raise ValueError("mode")
                self.patience, self.min_delta, self.mode = patience, min_delta, mode
                self.history = []
                self.best_state = None

            @property
            def best(self):
                if not self.history:
                    return float("inf") if self.mode == "min" else float("-inf")
                return self.history[self.best_epoch]

            @property
            def best_epoch(self):
                best_i, best = -1, None
                for i, m in enumerate(self.history):
                    if best is None or self._better(m, best):
                        best_i, best = i, m
                return best_i

            def _better(self, m, best):
                if self.mode == "min":
                    return best - m > self.min_delta
                return m - best > self.min_delta

            def step(self, metric, state_dict=None):
                before = self.best_epoch
                self.history.append(float(metric))
                if self.best_epoch != before:
                    self.best_state = copy.deepcopy(state_dict)
                return len(self.history) - 1 - self.best_epoch >= self.patience
    ''',
}
