"""The twelve learning-rate schedules · 学习率调度器:十二种学习率衰减方法

d2l-zh §11.11 (学习率调度器). The learner's notes list twelve decay methods (分段常数衰减, 指数衰减, 自然指数衰减,
多项式衰减, 间隔衰减, 多间隔衰减, 逆时间衰减, Lambda衰减, 余弦衰减, 诺姆衰减, loss自适应衰减, 线性学习率热身) and, in the
epoch advice, three adjustment strategies ("按步数调整, 按指数调整, 余弦退火调整").

The story. The notes say why schedules exist: "在训练网络的前期过程中,会选取一个相对较大的学习率以加快网络的收敛速度。
而随着迭代优化的次数增多,逐步减小学习率,以保证最终收敛至全局最优解,而不是在其附近震荡". With noisy gradients a constant
step never settles: SGD on ½x² with unit gradient noise and lr 0.5 keeps E[x²] at lr/(2 − lr) = 1/3 forever, while
a cosine or step schedule that starts at the same 0.5 ends twenty times closer. The twelve names of the list are, name
for name, the schedulers of PaddlePaddle's ``paddle.optimizer.lr``; PyTorch has most of them under other names
(``ExponentialLR``, ``StepLR``, ``MultiStepLR``, ``LambdaLR``, ``CosineAnnealingLR``, ``PolynomialLR``, ``LinearLR``,
``ReduceLROnPlateau``). Writing each one from its formula, as a function of the step index, makes the differences
between the libraries (and every off-by-one at a boundary) visible.

Conventions of this kata (decisions where two reasonable conventions differ):

* **Step index.** Every schedule is a stateless function of ``t``, the number of scheduler steps already taken
  (an int ≥ 0; PyTorch's and Paddle's ``last_epoch``). ``t = 0`` gives the initial learning rate (except Noam: 0.0,
  and the warmup ramp: start_lr). A PyTorch scheduler after k ``step()`` calls, and Paddle's ``last_epoch = k``,
  give lr(k). In a loop: ``for t in range(num_steps): lr = schedule(t, ...); update(lr)``.
* **Boundaries.** The next value applies **at** a boundary: at t == boundary, at t == milestone, at t == k·step_size.
* **Return values are Python floats**, computed in float64 (the ``math`` module). A float32 tensor drifts past the
  graders' 1e-6 relative tolerance at large t; a tensor is not a float.
* Formulas are Paddle's (written out in each docstring), except ReduceOnPlateau, which is PyTorch's
  ``ReduceLROnPlateau`` step for step.

Forbidden everywhere in this module: ``torch.optim`` (which holds ``lr_scheduler``), and the packages ``paddle``,
``transformers`` and ``timm``: write each schedule from its formula; the graders compare it with the library
schedulers.
"""
import math


def piecewise_decay(t, boundaries, values):
    """Piecewise-constant decay (分段常数衰减, Paddle's ``PiecewiseDecay``).

        lr(t) = values[i]   for boundaries[i-1] <= t < boundaries[i]
                            (values[0] before the first boundary, values[-1] from the last one on)

    So ``piecewise_decay(3, [3, 6, 9], [0.1, 0.2, 0.3, 0.4]) == 0.2``: the next value applies **at** the boundary.

    Args:
        t: the step index, an int ≥ 0.
        boundaries: strictly increasing ints (graders pass no others).
        values: the rates, one more than there are boundaries.

    Returns:
        a Python float.

    Raises:
        ValueError: unless ``len(values) == len(boundaries) + 1``.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    if len(values) != len(boundaries) + 1:
        raise ValueError(f"piecewise_decay needs len(values) == len(boundaries) + 1, got {len(values)} values "
                         f"for {len(boundaries)} boundaries")
    i = sum(1 for b in boundaries if b <= t)     # boundaries already reached
    return float(values[i])
    ### END SOLUTION


def exponential_decay(t, learning_rate, gamma):
    """Exponential decay (指数衰减, Paddle's ``ExponentialDecay``, PyTorch's ``ExponentialLR``).

        lr(t) = learning_rate · γᵗ

    Returns a Python float. Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    return float(learning_rate * gamma ** t)
    ### END SOLUTION


def natural_exp_decay(t, learning_rate, gamma):
    """Natural exponential decay (自然指数衰减, Paddle's ``NaturalExpDecay``).

        lr(t) = learning_rate · e^(−γ·t)

    (PyTorch's ``ExponentialLR`` with factor e^(−γ) gives the same curve.) Returns a Python float.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    return float(learning_rate * math.exp(-gamma * t))
    ### END SOLUTION


def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0001, power=1.0, cycle=False):
    """Polynomial decay (多项式衰减, Paddle's ``PolynomialDecay``).

        lr(t) = (learning_rate − end_lr) · (1 − t' / period)^power + end_lr

    * without ``cycle``: t' = min(t, decay_steps), period = decay_steps — the rate reaches end_lr at
      t = decay_steps and stays there;
    * with ``cycle``: t' = t and period = decay_steps · ⌈t / decay_steps⌉ for t > 0, period = decay_steps at t = 0.
      So lr(k·decay_steps) = end_lr, and at k·decay_steps + 1 a new, longer cycle starts (period
      decay_steps·(k + 1)): the rate jumps up again and decays more slowly.

    With end_lr = 0 and no cycle this is PyTorch's ``PolynomialLR(total_iters=decay_steps, power=power)``.
    The default end_lr is Paddle's 0.0001. Returns a Python float.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    if cycle:
        periods = math.ceil(t / decay_steps) if t > 0 else 1
        period, step = decay_steps * periods, t
    else:
        period, step = decay_steps, min(t, decay_steps)
    return float((learning_rate - end_lr) * (1 - step / period) ** power + end_lr)
    ### END SOLUTION


def step_decay(t, learning_rate, step_size, gamma=0.1):
    """Step decay (间隔衰减, Paddle's ``StepDecay``, PyTorch's ``StepLR``): multiply by γ every step_size steps.

        lr(t) = learning_rate · γ^⌊t / step_size⌋

    γ is applied at t = step_size, 2·step_size, … (at the boundary, not one step later). Returns a Python float.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    return float(learning_rate * gamma ** (t // step_size))
    ### END SOLUTION


def multistep_decay(t, learning_rate, milestones, gamma=0.1):
    """Multi-step decay (多间隔衰减, Paddle's ``MultiStepDecay``, PyTorch's ``MultiStepLR``).

        lr(t) = learning_rate · γ^#{m ∈ milestones : m ≤ t}

    Milestones are strictly increasing ints (graders pass no others); γ is applied at t == milestone.
    Returns a Python float.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    passed = sum(1 for m in milestones if m <= t)
    return float(learning_rate * gamma ** passed)
    ### END SOLUTION


def inverse_time_decay(t, learning_rate, gamma):
    """Inverse time decay (逆时间衰减, Paddle's ``InverseTimeDecay``).

        lr(t) = learning_rate / (1 + γ·t)

    Returns a Python float. Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    return float(learning_rate / (1 + gamma * t))
    ### END SOLUTION


def lambda_decay(t, learning_rate, lr_lambda):
    """Lambda decay (Lambda衰减, Paddle's ``LambdaDecay``, PyTorch's ``LambdaLR``): a factor you supply.

        lr(t) = learning_rate · lr_lambda(t)

    ``lr_lambda`` is any callable from the step index to a number (e.g. ``lambda t: 0.95 ** t``); call it once,
    at t. Returns a Python float. Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    return float(learning_rate * lr_lambda(t))
    ### END SOLUTION


def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
    """Cosine annealing (余弦衰减 / 余弦退火, Paddle's ``CosineAnnealingDecay``, PyTorch's ``CosineAnnealingLR``;
    d2l §11.11's ``CosineScheduler`` without warmup).

        lr(t) = η_min + (learning_rate − η_min) · (1 + cos(π·t / T_max)) / 2

    lr(0) = learning_rate, lr(T_max) = η_min, and lr(t) + lr(T_max − t) = learning_rate + η_min.
    **After T_max the same formula continues** (the rate rises again: period 2·T_max), as PyTorch and Paddle do;
    d2l's CosineScheduler holds final_lr after max_update — that hold is not this schedule.
    Returns a Python float. Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    return float(eta_min + (learning_rate - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2)
    ### END SOLUTION


def noam_decay(t, d_model, warmup_steps, learning_rate=1.0):
    """Noam decay (诺姆衰减, Paddle's ``NoamDecay``; the Transformer's schedule, Vaswani et al. 2017).

        lr(t) = learning_rate · d_model^(−½) · min(t^(−½), t · warmup_steps^(−1.5))     for t ≥ 1
        lr(0) = 0.0

    It rises linearly for warmup_steps steps, peaks at t = warmup_steps with
    learning_rate·(d_model·warmup_steps)^(−½), then decays like t^(−½). At t = 0 the rate is 0.0 (Paddle:
    min(1, 0)); t^(−½) does not exist there. Returns a Python float.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    if t == 0:
        return 0.0
    return float(learning_rate * d_model ** -0.5 * min(t ** -0.5, t * warmup_steps ** -1.5))
    ### END SOLUTION


def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
    """Linear warmup (线性学习率热身, Paddle's ``LinearWarmup``): a linear ramp, then another schedule.

        t < warmup_steps:   lr(t) = start_lr + (end_lr − start_lr) · t / warmup_steps
        t ≥ warmup_steps:   lr(t) = learning_rate(t − warmup_steps)   if learning_rate is callable
                                    float(learning_rate)              otherwise

    lr(0) = start_lr; the ramp itself never returns end_lr (it reaches it only in the limit), and
    lr(warmup_steps) is the wrapped schedule's lr(0): the wrapped schedule starts at its own step 0 when the ramp
    ends. ``warmup_steps = 0`` means no ramp. ``learning_rate`` may be a number or any callable of one step index
    (one of the functions above through a lambda or ``functools.partial``). d2l §11.11's
    ``CosineScheduler(max_update=T, base_lr, final_lr, warmup_steps=w, warmup_begin_lr)`` is
    ``linear_warmup(t, lambda s: cosine_annealing_decay(s, base_lr, T − w, final_lr), w, warmup_begin_lr, base_lr)``
    for t ≤ T. Returns a Python float.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm``.
    """
    ### BEGIN SOLUTION
    if t < warmup_steps:
        return float(start_lr + (end_lr - start_lr) * t / warmup_steps)
    if callable(learning_rate):
        return float(learning_rate(t - warmup_steps))
    return float(learning_rate)
    ### END SOLUTION


class ReduceOnPlateau:
    """Reduce the rate when a metric stops improving (loss自适应衰减) — PyTorch's ``ReduceLROnPlateau`` for one
    parameter group, step for step.

    ``ReduceOnPlateau(learning_rate, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
    cooldown=0, min_lr=0.0, eps=1e-8)``

    * ``lr``: the current rate (``learning_rate`` before any step; afterwards the value the last ``step``
      returned).
    * ``step(metric)`` (a float or a 0-d tensor; call it once per epoch) returns the rate for the next epoch:

      1. **better?** "min"/"rel": metric < best·(1 − threshold); "min"/"abs": metric < best − threshold;
         "max"/"rel": metric > best·(1 + threshold); "max"/"abs": metric > best + threshold. Strict: a tie with
         the threshold line is not an improvement. ``best`` starts at +inf ("min") or −inf ("max").
      2. A better metric becomes ``best`` and zeroes the count of bad epochs; otherwise the count grows by one.
      3. During a cooldown (cooldown counter > 0) the counter is decremented and the bad-epoch count is zeroed;
         ``best`` is still updated during the cooldown (this is where Paddle's rule differs).
      4. When the count of bad epochs **exceeds** ``patience`` (PyTorch; ``ch4/early_stopping`` stops as soon as
         it reaches patience — the two conventions differ by one), new = max(lr·factor, min_lr) replaces lr if
         lr − new > eps (a smaller reduction is not applied); then the cooldown counter becomes ``cooldown`` and the
         bad-epoch count 0.

    Example: patience 1, cooldown 2, factor 0.5, lr 1 and the metrics [5, 5, 5, 1, 1, 3, 3, 3, 3, 3] give the
    rates [1, 1, .5, .5, .5, .5, .25, .25, .25, .25].

    Raises ``ValueError`` for a mode other than "min"/"max", a threshold_mode other than "rel"/"abs", and
    factor ≥ 1. The graders use positive metrics only (losses, accuracies).

    Forbidden: ``torch.optim`` (``ReduceLROnPlateau`` is what the graders compare you with), ``paddle``,
    ``transformers``, ``timm``.
    """

    def __init__(self, learning_rate, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        ### BEGIN SOLUTION
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if factor >= 1.0:
            raise ValueError(f"factor must be < 1, got {factor}")
        self.lr = float(learning_rate)
        self.mode, self.factor, self.patience = mode, float(factor), patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, float(min_lr), eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        ### END SOLUTION

    def _is_better(self, a):
        ### BEGIN SOLUTION
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < self.best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < self.best - self.threshold
        if self.threshold_mode == "rel":
            return a > self.best * (1.0 + self.threshold)
        return a > self.best + self.threshold
        ### END SOLUTION

    def step(self, metric):
        ### BEGIN SOLUTION
        current = float(metric)
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
        ### END SOLUTION


def plot_schedule(lr_at, num_steps, path, title=None):
    """Draw a schedule and save it as a PNG (d2l §11.11 plots every scheduler it defines).

    * Evaluate ``lr_at(t)`` exactly once for each t = 0, 1, …, num_steps − 1, in that order (``lr_at`` may be a
      ``functools.partial`` of a schedule above, a lambda, or anything callable with one step index).
    * Draw the curve (x = t, y = lr) with matplotlib, headless: a bare ``matplotlib.figure.Figure`` (or the Agg
      backend), an optional ``title``, and save it as a PNG at ``path`` (a str or a ``pathlib.Path``).
    * Leave no pyplot figure open (a ``Figure()`` never registers with pyplot; with ``plt.figure()`` call
      ``plt.close(fig)``). Import matplotlib inside the function: it costs ~0.3 s and the other schedules don't
      need it.

    Returns:
        the list of the num_steps values plotted (Python floats), in order.

    Forbidden: ``torch.optim``, ``paddle``, ``transformers``, ``timm`` (plot your own schedules with matplotlib).
    """
    ### BEGIN SOLUTION
    from matplotlib.figure import Figure
    values = [float(lr_at(t)) for t in range(num_steps)]
    fig = Figure(figsize=(4, 2.5), layout="tight")
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(list(range(num_steps)), values)
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate")
    if title is not None:
        ax.set_title(title)
    fig.savefig(str(path), format="png")
    return values
    ### END SOLUTION
