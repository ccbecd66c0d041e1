"""Early stopping · 早停法

d2l-zh §4.4 (模型选择、欠拟合和过拟合) and §5.5's early-stopping exercise. The notes ("早停技术是指在模型出现过拟合时
(测试集表现开始下降)停止训练").

Validation loss first falls, then rises again once the model starts to memorise its training set. Early stopping
watches that curve: it remembers the best epoch (and a copy of the weights at that epoch) and stops once the metric
has not improved for ``patience`` epochs in a row. Small details decide whether it does what you think: which epoch
counts as first, whether a tie is an improvement, and whether the "best weights" are a copy or a view of weights
that keep training.
"""
import copy
import math


class EarlyStopping:
    """Stop training when a validation metric has stopped improving.

    Usage::

        stopper = EarlyStopping(patience=3)
        for epoch in range(num_epochs):
            train_one_epoch(...)
            if stopper.step(val_loss, net.state_dict()):
                break
        net.load_state_dict(stopper.best_state)

    Args:
        patience: how many consecutive non-improving steps to tolerate (an int ≥ 1).
        min_delta: how much better than the best so far a metric must be to count as an improvement (≥ 0).
        mode: ``"min"`` (a loss: lower is better) or ``"max"`` (an accuracy: higher is better); anything else
            raises ``ValueError``.

    Attributes (before the first ``step``: ``best`` = +inf for "min", −inf for "max"; ``best_epoch`` = −1;
    ``best_state`` = None):
        best: the best metric so far (a Python float, the metric itself, not shifted by min_delta).
        best_epoch: the epoch of ``best``; epochs count the calls of ``step`` from **0** (the first call is epoch 0).
        best_state: a **deep copy** (``copy.deepcopy``) of the ``state_dict`` passed at the best epoch (None as long
            as no state_dict is passed; pass one at every step or never). A copy matters: ``net.state_dict()`` holds
            the live parameter tensors, which training keeps changing in place.
    """

    def __init__(self, patience: int, min_delta: float = 0.0, mode: str = "min"):
        ### BEGIN SOLUTION
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.best_state = None
        self.epoch = -1          # the epoch of the last step
        self.num_bad = 0         # consecutive steps without improvement
        ### END SOLUTION

    def step(self, metric: float, state_dict: dict | None = None) -> bool:
        """Record one epoch's metric; return True when training should stop.

        The metric improves on the best when it is **strictly** better by more than ``min_delta``::

            mode "min":  metric < best − min_delta
            mode "max":  metric > best + min_delta

        (so a tie is not an improvement, and the first finite metric always is). On an improvement ``best``,
        ``best_epoch`` and ``best_state`` are updated and the count of consecutive non-improving steps is reset to 0;
        otherwise the count grows by one. ``step`` returns True once that count reaches ``patience`` (with
        patience 2: improve, worse, worse → False, False, True).

        Args:
            metric: a Python float (or a 0-d tensor; convert it with ``float``).
            state_dict: optional, e.g. ``net.state_dict()``; deep-copied when the metric improves.
        """
        ### BEGIN SOLUTION
        self.epoch += 1
        metric = float(metric)
        if self.mode == "min":
            improved = metric < self.best - self.min_delta
        else:
            improved = metric > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch = metric, self.epoch
            self.best_state = copy.deepcopy(state_dict)
            self.num_bad = 0
        else:
            self.num_bad += 1
        return self.num_bad >= self.patience
        ### END SOLUTION
