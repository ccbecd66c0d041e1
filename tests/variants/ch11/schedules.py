"""Recorded buggy variants of ch11/schedules.py: each must be rejected by at least one grader.

Each entry replaces functions (or the class) of the reference solution. "feedback" must appear in the failure output.
The contract's Bugs (``<=`` at piecewise boundaries, cosine without η_min or held after T_max, Noam's t^(−½) at
t = 0, plateau with ≥ patience) and the classic off-by-ones at every boundary.
"""

# ReduceOnPlateau with one marked piece changed per mutant.
_PLATEAU = '''
class ReduceOnPlateau:
    def __init__(self, learning_rate, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        {VALIDATE}
        self.lr = float(learning_rate)
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, {TMODE}
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def _is_better(self, a):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a {LT} self.best * (1.0 - self.threshold)
        if self.mode == "min":
            return a {LT} self.best - self.threshold
        if self.threshold_mode == "rel":
            return a {GT} self.best * (1.0 + self.threshold)
        return a {GT} self.best + self.threshold

    def step(self, metric):
        current = float(metric)
        {PADDLE}
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs {EXCEEDS} self.patience:
            new_lr = {NEW}
            if {APPLY}:
                self.lr = new_lr
            self.cooldown_counter = {COOL}
            {RESET}
        return self.lr
'''
_PLATEAU_OK = dict(
    VALIDATE='''if mode not in ("min", "max") or threshold_mode not in ("rel", "abs") or factor >= 1.0:
            raise ValueError("bad argument")''',
    TMODE="threshold_mode", LT="<", GT=">", PADDLE="pass", EXCEEDS=">", NEW="max(self.lr * self.factor, self.min_lr)",
    APPLY="self.lr - new_lr > self.eps", COOL="self.cooldown", RESET="self.num_bad_epochs = 0")


def _plateau(**changes):
    return _PLATEAU.format(**{**_PLATEAU_OK, **changes})


MUTANTS = {
    # ------------------------------------------------------------------ piecewise_decay
    "piecewise_le_boundary": {
        "why": "the contract's Bug: t <= boundary keeps the earlier value, one step late at every boundary",
        "feedback": "at the boundary",
        "source": '''
            def piecewise_decay(t, boundaries, values):
                if len(values) != len(boundaries) + 1:
                    raise ValueError("lengths")
                for i, b in enumerate(boundaries):
                    if t <= b:
                        return float(values[i])
                return float(values[-1])
        ''',
    },
    "piecewise_bisect_left": {
        "why": "bisect.bisect_left counts the boundaries b < t: the same one-step-late switch, another spelling",
        "feedback": "b <= t",
        "source": '''
            def piecewise_decay(t, boundaries, values):
                import bisect
                if len(values) != len(boundaries) + 1:
                    raise ValueError("lengths")
                return float(values[bisect.bisect_left(boundaries, t)])
        ''',
    },
    "piecewise_no_validation": {
        "why": "no length check: a missing value gives an IndexError much later, an extra one is ignored",
        "feedback": "ValueError",
        "source": '''
            def piecewise_decay(t, boundaries, values):
                i = sum(1 for b in boundaries if b <= t)
                return float(values[min(i, len(values) - 1)])
        ''',
    },
    # ------------------------------------------------------------------ exponential / natural
    "exponential_one_based": {
        "why": "gamma ** (t + 1): the first step already decayed",
        "feedback": "t = 0 is the initial rate",
        "source": '''
            def exponential_decay(t, learning_rate, gamma):
                return float(learning_rate * gamma ** (t + 1))
        ''',
    },
    "exponential_as_natural": {
        "why": "writes e^(−γt) for the plain exponential decay",
        "feedback": "natural_exp_decay",
        "source": '''
            def exponential_decay(t, learning_rate, gamma):
                return float(learning_rate * math.exp(-gamma * t))
        ''',
    },
    "exponential_float32_tensor": {
        "why": "computes with a float32 tensor and returns it: not a Python float, and drifts at large t",
        "feedback": "Python float",
        "source": '''
            def exponential_decay(t, learning_rate, gamma):
                import torch
                return torch.tensor(learning_rate) * torch.tensor(gamma) ** t
        ''',
    },
    "natural_as_exponential": {
        "why": "lr · γᵗ for the natural exponential decay",
        "feedback": "math.exp(-gamma * t)",
        "source": '''
            def natural_exp_decay(t, learning_rate, gamma):
                return float(learning_rate * gamma ** t)
        ''',
    },
    "natural_wrong_sign": {
        "why": "e^(+γt): the rate grows",
        "feedback": "exponent is negative",
        "source": '''
            def natural_exp_decay(t, learning_rate, gamma):
                return float(learning_rate * math.exp(gamma * t))
        ''',
    },
    "natural_one_based": {
        "why": "e^(−γ(t+1))",
        "feedback": "initial rate",
        "source": '''
            def natural_exp_decay(t, learning_rate, gamma):
                return float(learning_rate * math.exp(-gamma * (t + 1)))
        ''',
    },
    # ------------------------------------------------------------------ polynomial
    "polynomial_no_clamp": {
        "why": "t not clamped at decay_steps: the curve goes below end_lr (or complex) after decay_steps",
        "feedback": "clamp",
        "source": '''
            def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0001, power=1.0, cycle=False):
                period = decay_steps * (math.ceil(t / decay_steps) if t > 0 else 1) if cycle else decay_steps
                return float((learning_rate - end_lr) * (1 - t / period) ** power + end_lr)
        ''',
    },
    "polynomial_cycle_floor": {
        "why": "period = decay_steps·(⌊t/decay_steps⌋ + 1): the new cycle starts at k·decay_steps, not k·decay_steps + 1",
        "feedback": "math.ceil",
        "source": '''
            def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0001, power=1.0, cycle=False):
                if cycle:
                    period, step = decay_steps * (t // decay_steps + 1), t
                else:
                    period, step = decay_steps, min(t, decay_steps)
                return float((learning_rate - end_lr) * (1 - step / period) ** power + end_lr)
        ''',
    },
    "polynomial_cycle_zero_division": {
        "why": "period = decay_steps·⌈t/decay_steps⌉ also at t = 0: ZeroDivisionError",
        "feedback": "period = decay_steps at t = 0",
        "source": '''
            def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0001, power=1.0, cycle=False):
                if cycle:
                    period, step = decay_steps * math.ceil(t / decay_steps), t
                else:
                    period, step = decay_steps, min(t, decay_steps)
                return float((learning_rate - end_lr) * (1 - step / period) ** power + end_lr)
        ''',
    },
    "polynomial_end_lr_ignored": {
        "why": "lr·(1 − t/T)^p: the curve ends at 0 whatever end_lr is",
        "feedback": "ends at end_lr",
        "source": '''
            def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0001, power=1.0, cycle=False):
                if cycle:
                    period, step = decay_steps * (math.ceil(t / decay_steps) if t > 0 else 1), t
                else:
                    period, step = decay_steps, min(t, decay_steps)
                return float(learning_rate * (1 - step / period) ** power)
        ''',
    },
    "polynomial_default_end_lr_zero": {
        "why": "end_lr defaults to 0.0 (PyTorch's PolynomialLR) instead of Paddle's 0.0001",
        "feedback": "0.0001",
        "source": '''
            def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0, power=1.0, cycle=False):
                if cycle:
                    period, step = decay_steps * (math.ceil(t / decay_steps) if t > 0 else 1), t
                else:
                    period, step = decay_steps, min(t, decay_steps)
                return float((learning_rate - end_lr) * (1 - step / period) ** power + end_lr)
        ''',
    },
    # ------------------------------------------------------------------ step / multistep
    "step_one_early": {
        "why": "(t + 1) // step_size: γ applied one step before the boundary",
        "feedback": "one step early",
        "source": '''
            def step_decay(t, learning_rate, step_size, gamma=0.1):
                return float(learning_rate * gamma ** ((t + 1) // step_size))
        ''',
    },
    "step_no_floor": {
        "why": "t / step_size: a smooth exponential, not a staircase",
        "feedback": "staircase",
        "source": '''
            def step_decay(t, learning_rate, step_size, gamma=0.1):
                return float(learning_rate * gamma ** (t / step_size))
        ''',
    },
    "step_default_gamma": {
        "why": "gamma defaults to 0.5",
        "feedback": "default gamma",
        "source": '''
            def step_decay(t, learning_rate, step_size, gamma=0.5):
                return float(learning_rate * gamma ** (t // step_size))
        ''',
    },
    "multistep_late": {
        "why": "counts the milestones m < t: γ applied one step late",
        "feedback": "m <= t",
        "source": '''
            def multistep_decay(t, learning_rate, milestones, gamma=0.1):
                return float(learning_rate * gamma ** sum(1 for m in milestones if m < t))
        ''',
    },
    "multistep_stateful_d2l": {
        "why": "d2l's MultiFactorScheduler made a function: state kept between calls (right only for t = 0, 1, 2, … "
               "in order)",
        "feedback": "stateless",
        "source": '''
            _MULTI = {}

            def multistep_decay(t, learning_rate, milestones, gamma=0.1):
                key = (learning_rate, tuple(milestones), gamma)
                if t == 0 or key not in _MULTI:
                    _MULTI[key] = learning_rate
                if t in milestones:
                    _MULTI[key] = _MULTI[key] * gamma
                return float(_MULTI[key])
        ''',
    },
    "multistep_ignores_gamma_default": {
        "why": "gamma defaults to 0.5",
        "feedback": "default gamma",
        "source": '''
            def multistep_decay(t, learning_rate, milestones, gamma=0.5):
                return float(learning_rate * gamma ** sum(1 for m in milestones if m <= t))
        ''',
    },
    # ------------------------------------------------------------------ inverse time
    "inverse_time_power": {
        "why": "lr / (1 + γ)ᵗ: an exponential decay",
        "feedback": "1 + gamma * t",
        "source": '''
            def inverse_time_decay(t, learning_rate, gamma):
                return float(learning_rate / (1 + gamma) ** t)
        ''',
    },
    "inverse_time_one_based": {
        "why": "lr / (1 + γ(t + 1))",
        "feedback": "t itself",
        "source": '''
            def inverse_time_decay(t, learning_rate, gamma):
                return float(learning_rate / (1 + gamma * (t + 1)))
        ''',
    },
    "inverse_time_precedence": {
        "why": "learning_rate / 1 + gamma * t: an operator-precedence slip, the rate grows",
        "feedback": "InverseTimeDecay",
        "source": '''
            def inverse_time_decay(t, learning_rate, gamma):
                return float(learning_rate / 1 + gamma * t)
        ''',
    },
    # ------------------------------------------------------------------ lambda
    "lambda_without_lr": {
        "why": "returns lr_lambda(t), forgetting that it is a factor",
        "feedback": "factor",
        "source": '''
            def lambda_decay(t, learning_rate, lr_lambda):
                return float(lr_lambda(t))
        ''',
    },
    "lambda_one_based": {
        "why": "lr_lambda(t + 1)",
        "feedback": "at t itself",
        "source": '''
            def lambda_decay(t, learning_rate, lr_lambda):
                return float(learning_rate * lr_lambda(t + 1))
        ''',
    },
    "lambda_returns_tensor": {
        "why": "wraps the value in a tensor",
        "feedback": "Python float",
        "source": '''
            def lambda_decay(t, learning_rate, lr_lambda):
                import torch
                return torch.tensor(learning_rate * lr_lambda(t), dtype=torch.float64)
        ''',
    },
    # ------------------------------------------------------------------ cosine
    "cosine_no_eta_min": {
        "why": "the contract's Bug: lr·(1 + cos)/2, ending at 0 whatever eta_min is",
        "feedback": "eta_min",
        "source": '''
            def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
                return float(learning_rate * (1 + math.cos(math.pi * t / T_max)) / 2)
        ''',
    },
    "cosine_held_after_T_max": {
        "why": "the contract's Bug: d2l's CosineScheduler holds final_lr after max_update",
        "feedback": "after T_max",
        "source": '''
            def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
                if t > T_max:
                    return float(eta_min)
                return float(eta_min + (learning_rate - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2)
        ''',
    },
    "cosine_no_pi": {
        "why": "cos(t / T_max): the angle without π",
        "feedback": "math.pi",
        "source": '''
            def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
                return float(eta_min + (learning_rate - eta_min) * (1 + math.cos(t / T_max)) / 2)
        ''',
    },
    "cosine_forbidden_torch_scheduler": {
        "why": "drives torch's CosineAnnealingLR instead of writing the formula",
        "feedback": "not allowed",
        "source": '''
            def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
                import torch
                opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=learning_rate)
                sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)
                for _ in range(t):
                    opt.step()
                    sched.step()
                return float(opt.param_groups[0]["lr"])
        ''',
    },
    # ------------------------------------------------------------------ noam
    "noam_zero_division": {
        "why": "the contract's Bug: t ** -0.5 at t = 0",
        "feedback": "t ** -0.5 divides by zero",
        "source": '''
            def noam_decay(t, d_model, warmup_steps, learning_rate=1.0):
                return float(learning_rate * d_model ** -0.5 * min(t ** -0.5, t * warmup_steps ** -1.5))
        ''',
    },
    "noam_warmup_power": {
        "why": "warmup_steps ** -0.5 in the warmup branch",
        "feedback": "warmup_steps ** -1.5",
        "source": '''
            def noam_decay(t, d_model, warmup_steps, learning_rate=1.0):
                if t == 0:
                    return 0.0
                return float(learning_rate * d_model ** -0.5 * min(t ** -0.5, t * warmup_steps ** -0.5))
        ''',
    },
    "noam_no_d_model": {
        "why": "forgets the d_model^(−½) factor",
        "feedback": "d_model ** -0.5",
        "source": '''
            def noam_decay(t, d_model, warmup_steps, learning_rate=1.0):
                if t == 0:
                    return 0.0
                return float(learning_rate * min(t ** -0.5, t * warmup_steps ** -1.5))
        ''',
    },
    # ------------------------------------------------------------------ linear_warmup
    "warmup_off_by_one": {
        "why": "(t + 1)/warmup_steps: the ramp starts one step ahead and reaches end_lr at warmup_steps − 1",
        "feedback": "lr(0) = start_lr",
        "source": '''
            def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
                if t < warmup_steps:
                    return float(start_lr + (end_lr - start_lr) * (t + 1) / warmup_steps)
                if callable(learning_rate):
                    return float(learning_rate(t - warmup_steps))
                return float(learning_rate)
        ''',
    },
    "warmup_wrapped_called_at_t": {
        "why": "learning_rate(t) instead of learning_rate(t − warmup_steps)",
        "feedback": "t − warmup_steps",
        "source": '''
            def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
                if t < warmup_steps:
                    return float(start_lr + (end_lr - start_lr) * t / warmup_steps)
                if callable(learning_rate):
                    return float(learning_rate(t))
                return float(learning_rate)
        ''',
    },
    "warmup_le": {
        "why": "t <= warmup_steps: the ramp returns end_lr at t = warmup_steps",
        "feedback": "t < warmup_steps only",
        "source": '''
            def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
                if warmup_steps > 0 and t <= warmup_steps:
                    return float(start_lr + (end_lr - start_lr) * t / warmup_steps)
                if callable(learning_rate):
                    return float(learning_rate(t - warmup_steps))
                return float(learning_rate)
        ''',
    },
    "warmup_zero_steps_divides": {
        "why": "computes t / warmup_steps before the branch: ZeroDivisionError for warmup_steps = 0",
        "feedback": "warmup_steps = 0",
        "source": '''
            def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
                frac = t / warmup_steps
                if frac < 1:
                    return float(start_lr + (end_lr - start_lr) * frac)
                if callable(learning_rate):
                    return float(learning_rate(t - warmup_steps))
                return float(learning_rate)
        ''',
    },
    # ------------------------------------------------------------------ ReduceOnPlateau
    "plateau_ge_patience": {
        "why": "the contract's Bug: reduces when the bad-epoch count reaches patience (ch4's EarlyStopping rule)",
        "feedback": "EXCEEDS patience",
        "source": _plateau(EXCEEDS=">="),
    },
    "plateau_paddle_cooldown": {
        "why": "Paddle's rule: the whole step is skipped during cooldown, best frozen",
        "feedback": "Paddle's rule",
        "source": _plateau(PADDLE='''if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            return self.lr'''),
    },
    "plateau_non_strict": {
        "why": "<= / >=: a tie with the threshold line counts as an improvement",
        "feedback": "strict",
        "source": _plateau(LT="<=", GT=">="),
    },
    "plateau_no_eps": {
        "why": "applies reductions smaller than eps",
        "feedback": "eps",
        "source": _plateau(APPLY="True"),
    },
    "plateau_no_min_lr": {
        "why": "min_lr ignored",
        "feedback": "min_lr",
        "source": _plateau(NEW="self.lr * self.factor"),
    },
    "plateau_count_kept": {
        "why": "the bad-epoch count is not reset after a reduction",
        "feedback": "back to 0",
        "source": _plateau(RESET="pass"),
    },
    "plateau_no_cooldown": {
        "why": "cooldown ignored",
        "feedback": "wait `cooldown` epochs",
        "source": _plateau(COOL="0"),
    },
    "plateau_threshold_mode_ignored": {
        "why": "always the relative threshold",
        "feedback": "threshold_mode 'abs'",
        "source": _plateau(TMODE='"rel"'),
    },
    "plateau_no_validation": {
        "why": "accepts any mode, threshold_mode and factor",
        "feedback": "ValueError",
        "source": _plateau(VALIDATE="pass"),
    },
    # ------------------------------------------------------------------ plot_schedule
    "plot_pyplot_left_open": {
        "why": "plt.figure() and plt.savefig without plt.close: the figure stays open",
        "feedback": "no pyplot figure open",
        "source": '''
            def plot_schedule(lr_at, num_steps, path, title=None):
                import matplotlib
                matplotlib.use("Agg")
                import matplotlib.pyplot as plt
                values = [float(lr_at(t)) for t in range(num_steps)]
                plt.figure(figsize=(4, 2.5))
                plt.plot(range(num_steps), values)
                if title is not None:
                    plt.title(title)
                plt.savefig(str(path), format="png")
                return values
        ''',
    },
    "plot_from_one": {
        "why": "evaluates t = 1 … num_steps",
        "feedback": "start at t = 0",
        "source": '''
            def plot_schedule(lr_at, num_steps, path, title=None):
                from matplotlib.figure import Figure
                values = [float(lr_at(t)) for t in range(1, num_steps + 1)]
                fig = Figure()
                fig.add_subplot(1, 1, 1).plot(range(1, num_steps + 1), values)
                fig.savefig(str(path), format="png")
                return values
        ''',
    },
    "plot_evaluates_twice": {
        "why": "calls lr_at twice per step (once to plot, once to return)",
        "feedback": "evaluate each step once",
        "source": '''
            def plot_schedule(lr_at, num_steps, path, title=None):
                from matplotlib.figure import Figure
                fig = Figure()
                fig.add_subplot(1, 1, 1).plot(range(num_steps), [lr_at(t) for t in range(num_steps)])
                fig.savefig(str(path), format="png")
                return [float(lr_at(t)) for t in range(num_steps)]
        ''',
    },
    "plot_svg": {
        "why": "saves an SVG under the given name",
        "feedback": "PNG signature",
        "source": '''
            def plot_schedule(lr_at, num_steps, path, title=None):
                from matplotlib.figure import Figure
                values = [float(lr_at(t)) for t in range(num_steps)]
                fig = Figure()
                fig.add_subplot(1, 1, 1).plot(range(num_steps), values)
                fig.savefig(str(path), format="svg")
                return values
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §11.11's own code, adapted where the contract differs: the CosineScheduler's formula (without the hold after
    # max_update, Clarification 5) and its warmup ramp; MultiFactorScheduler made stateless (count the milestones);
    # FactorScheduler's factor per step is the exponential decay (without its stop_factor_lr floor).
    "d2l_book": '''
        class CosineScheduler:
            def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
                self.base_lr_orig = base_lr
                self.max_update = max_update
                self.final_lr = final_lr
                self.warmup_steps = warmup_steps
                self.warmup_begin_lr = warmup_begin_lr
                self.max_steps = self.max_update - self.warmup_steps

            def get_warmup_lr(self, epoch):
                increase = (self.base_lr_orig - self.warmup_begin_lr) * float(epoch) / float(self.warmup_steps)
                return self.warmup_begin_lr + increase

            def __call__(self, epoch):
                if epoch < self.warmup_steps:
                    return self.get_warmup_lr(epoch)
                # d2l holds final_lr after max_update; this kata's cosine continues (Clarification 5)
                self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (1 + math.cos(
                    math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
                return self.base_lr

        def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
            return float(CosineScheduler(max_update=T_max, base_lr=learning_rate, final_lr=eta_min)(t))

        def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
            if t < warmup_steps:
                book = CosineScheduler(max_update=warmup_steps + 1, base_lr=end_lr, warmup_steps=warmup_steps,
                                       warmup_begin_lr=start_lr)
                return float(book.get_warmup_lr(t))
            return float(learning_rate(t - warmup_steps)) if callable(learning_rate) else float(learning_rate)

        def multistep_decay(t, learning_rate, milestones, gamma=0.1):
            base_lr = learning_rate
            for epoch in milestones:          # MultiFactorScheduler: base_lr *= factor at each step in `step`
                if epoch <= t:
                    base_lr = base_lr * gamma
            return float(base_lr)

        def exponential_decay(t, learning_rate, gamma):
            base_lr = learning_rate
            for _ in range(t):                # FactorScheduler: base_lr = base_lr * factor on every update
                base_lr = base_lr * gamma
            return float(base_lr)
    ''',
    # numpy float64 arithmetic throughout (numpy.float64 is a float), bisect for the boundaries, Paddle-style loops,
    # ReduceOnPlateau with a sign flip for "max" and the threshold line computed once.
    "numpy_bisect_signflip": '''
        import bisect as _bisect
        import numpy as _np

        def piecewise_decay(t, boundaries, values):
            if len(values) - len(boundaries) != 1:
                raise ValueError("need one more value than boundaries")
            return _np.float64(values[_bisect.bisect_right(list(boundaries), t)])

        def exponential_decay(t, learning_rate, gamma):
            return _np.float64(learning_rate) * _np.power(_np.float64(gamma), t)

        def natural_exp_decay(t, learning_rate, gamma):
            return _np.float64(learning_rate) * _np.exp(-_np.float64(gamma) * t)

        def polynomial_decay(t, learning_rate, decay_steps, end_lr=0.0001, power=1.0, cycle=False):
            if cycle:
                div = _np.ceil(t / decay_steps)
                period = decay_steps * (div if t != 0 else 1.0)
                frac = t / period
            else:
                frac = min(t, decay_steps) / decay_steps
            return _np.float64((learning_rate - end_lr) * _np.power(1.0 - frac, power) + end_lr)

        def step_decay(t, learning_rate, step_size, gamma=0.1):
            return _np.float64(learning_rate) * _np.float64(gamma) ** (t // step_size)

        def multistep_decay(t, learning_rate, milestones, gamma=0.1):
            for i, m in enumerate(milestones):
                if t < m:
                    return _np.float64(learning_rate * gamma ** i)
            return _np.float64(learning_rate * gamma ** len(milestones))

        def inverse_time_decay(t, learning_rate, gamma):
            return _np.float64(learning_rate) / (1.0 + _np.float64(gamma) * t)

        def cosine_annealing_decay(t, learning_rate, T_max, eta_min=0.0):
            return _np.float64(eta_min) + 0.5 * (learning_rate - eta_min) * (1.0 + _np.cos(_np.pi * t / T_max))

        def noam_decay(t, d_model, warmup_steps, learning_rate=1.0):
            a = 1.0 if t == 0 else t ** -0.5
            b = warmup_steps ** -1.5 * t
            return _np.float64(learning_rate * (d_model ** -0.5) * min(a, b))

        def linear_warmup(t, learning_rate, warmup_steps, start_lr, end_lr):
            if t >= warmup_steps:
                return _np.float64(learning_rate(t - warmup_steps) if callable(learning_rate) else learning_rate)
            return _np.float64((end_lr - start_lr) * float(t) / float(warmup_steps) + start_lr)

        class ReduceOnPlateau:
            def __init__(self, learning_rate, mode="min", factor=0.1, patience=10, threshold=1e-4,
                         threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
                if mode not in {"min", "max"} or threshold_mode not in {"rel", "abs"}:
                    raise ValueError("unknown mode")
                if not factor < 1.0:
                    raise ValueError("factor must be < 1")
                self.lr, self.mode, self.factor, self.patience = float(learning_rate), mode, factor, patience
                self.threshold, self.threshold_mode, self.cooldown = threshold, threshold_mode, cooldown
                self.min_lr, self.eps = min_lr, eps
                self.best, self.bad, self.cool = None, 0, 0

            def _line(self):
                if self.threshold_mode == "rel":
                    return self.best * (1.0 - self.threshold if self.mode == "min" else 1.0 + self.threshold)
                return self.best - self.threshold if self.mode == "min" else self.best + self.threshold

            def step(self, metric):
                x = float(metric)
                sign = 1.0 if self.mode == "min" else -1.0
                better = self.best is None or sign * x < sign * self._line()
                if better:
                    self.best, self.bad = x, 0
                else:
                    self.bad += 1
                if self.cool:
                    self.cool, self.bad = self.cool - 1, 0
                if self.bad > self.patience:
                    candidate = self.lr * self.factor
                    if candidate < self.min_lr:
                        candidate = self.min_lr
                    if self.lr - candidate > self.eps:
                        self.lr = candidate
                    self.cool, self.bad = self.cooldown, 0
                return self.lr

        def plot_schedule(lr_at, num_steps, path, title=None):
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            ts = _np.arange(num_steps)
            values = []
            for t in range(num_steps):
                values.append(float(lr_at(t)))
            fig, ax = plt.subplots(figsize=(3.5, 2.5))
            try:
                ax.plot(ts, values, "-")
                ax.set_yscale("linear")
                if title:
                    ax.set_title(title)
                fig.savefig(path)
            finally:
                plt.close(fig)
            return values
    ''',
}
