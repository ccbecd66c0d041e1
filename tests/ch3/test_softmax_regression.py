"""Graders for ch3/softmax_regression.py.

Oracles: torch.softmax and F.cross_entropy evaluated in float64, F.one_hot, autograd (torch.autograd.grad), and
small replicas of d2l's training loop written here (run on a deep copy of the same net). Training check: softmax
regression from scratch, built from the learner's softmax / cross_entropy / train_ch3, on the digits (tests/data.py).
Speed: the whole module runs in well under a second; matplotlib is touched by one test only.
"""
import ast
import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st
from torch import nn

from grader.check import (Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail, keep_curves,
                          labelled, scale_atol)
from tests.data import Batches
from tests.shippable import (DropoutNet, LearnerFunction, LinearNet, LinearScores, RecordingAnimator, SGDUpdater,
                             ScratchSoftmaxNet, TinySGD, identity_net)
from tests.strategies import dyadic_tensors, labels, logits_and_labels, matrices, shapes
from tests.helpers import standardized_digits as _standardized_digits

# Everything handed to learner code (nets, losses, updaters, animators, data) is a module-level class or function of
# tests/shippable.py or tests/data.py (picklable by reference into the worker), or a torch object.


# ----------------------------------------------------------------------------------------------- helpers
def _call(fn, *args, prop, inputs, hints=()):
    """Call learner code; a RuntimeError/IndexError (a shape mistake, usually) becomes a failure with hints."""
    try:
        return fn(*args)
    except (RuntimeError, IndexError) as e:
        fail(prop, inputs=inputs, expected="a result", got=f"{type(e).__name__}: {e}", hints=hints)


def _nonfinite(got):
    return isinstance(got, torch.Tensor) and not bool(got.detach().isfinite().all())


def _close(a, b, tol=1e-4):
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape
            and bool(((a.detach().double() - b.detach().double()).abs() <= tol).all()))


def _softmax_hints(X):
    """Hints for the classic softmax mistakes, each shown only when its symptom is present."""
    X64 = X.double()
    row_max = X64.max(dim=1, keepdim=True).values
    E = torch.exp(X64 - row_max)

    def naive_overflow(got, want):
        rows = (X64.max(dim=1).values > 88.0)
        return _nonfinite(got) and bool((~got.detach().isfinite()).any(dim=1)[rows].any()) if rows.any() else False

    def global_max(got, want):
        far = (row_max.squeeze(1) < X64.max() - 80.0)
        if not far.any() or not isinstance(got, torch.Tensor) or got.dim() != 2:
            return False
        g = got.detach().double()[far]
        return bool((~g.isfinite()).any() or (g.sum(dim=1) < 0.5).any())

    def dim0(got, want):
        return (isinstance(got, torch.Tensor) and got.shape == X.shape
                and _close(got.sum(dim=0), torch.ones(X.shape[1]), 1e-4)
                and not _close(got.sum(dim=1), torch.ones(X.shape[0]), 1e-4))

    def no_keepdim(got, want):
        if isinstance(got, str):
            return "must match" in got or "size of tensor" in got
        return X.shape[0] == X.shape[1] and _close(got, E / E.sum(dim=1), 1e-4) and not _close(got, want, 1e-4)

    return [
        Hint("X_exp.sum(1) has shape (n,), which broadcasts along the wrong axis (it divides column j by row j's "
             "sum). Keep the summed axis: X_exp.sum(dim=1, keepdim=True) has shape (n, 1).", when=no_keepdim),
        Hint("overflow: in float32 exp(89) = inf, and inf/inf = NaN. Subtract each row's max before exp: "
             "softmax(X) = softmax(X − c) for any constant c per row (softmax is shift-invariant), and with "
             "c = the row max every exponent is ≤ 0, so exp cannot overflow.", when=naive_overflow),
        Hint("a row far below the largest entry of the whole matrix underflows: exp(−1000) = 0 in float32 and "
             "0/0 = NaN. Subtract each row's own max (X.max(dim=1, keepdim=True).values), not one global max.",
             when=global_max),
        Hint("your columns sum to 1, not your rows: each row is one example, so normalise over dim=1.", when=dim0),
    ]


# ----------------------------------------------------------------------------------------------- one_hot
@pytest.mark.core("one_hot")
@settings(max_examples=10)
@given(n=st.integers(1, 6), q=st.integers(1, 6), data=st.data())
def test_one_hot_matches_torch(kata, n, q, data):
    """one_hot(y, q) is the (n, q) float32 matrix with a single 1 per row, in column y[i]"""
    y = data.draw(labels(n, q), label="y")
    got = kata.one_hot(y.clone(), q)
    want = F.one_hot(y, q).to(torch.float32)
    inputs = {"y": y, "num_classes": q}
    expect_tensor(got, "one_hot returns an (n, num_classes) float32 tensor", inputs=inputs, shape=(n, q),
                  dtype=torch.float32,
                  hints=[Hint("build it as float32 (torch.zeros(n, q) is float32 by default; or .float() at the "
                              "end): it is multiplied with float32 probabilities.",
                              when=lambda g, w: isinstance(got, torch.Tensor) and got.dtype != torch.float32)])
    expect_equal(got, want, "one_hot(y, q)[i, j] = 1 if j == y[i] else 0", inputs=inputs)


def test_one_hot_rejects_out_of_range_labels(kata):
    """one_hot raises ValueError for a label < 0 or ≥ num_classes"""
    hint = Hint("check the labels before indexing: y[i] < 0 or y[i] ≥ num_classes must raise ValueError (a "
                "negative index silently wraps to the last column, and one ≥ q raises IndexError).")
    for y, q in [([0, -1], 3), ([3], 3), ([1, 2, 7], 4), ([-5], 10)]:
        y = torch.tensor(y)
        with expect_raises(ValueError, "one_hot raises ValueError for a label outside [0, num_classes)",
                           inputs={"y": y, "num_classes": q}, hints=[hint]):
            kata.one_hot(y, q)


# ----------------------------------------------------------------------------------------------- softmax
@pytest.mark.core("softmax")
@settings(max_examples=15)
@given(X=matrices(1, 5, torch.float32, -20.0, 20.0))
@example(X=torch.tensor([[89.0, 0.0, -1.0]]))
@example(X=torch.tensor([[0.0, -1000.0], [1000.0, 999.0]]))
@example(X=torch.tensor([[1.0, 2.0], [0.0, 4.0]]))
@example(X=torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]]))
@example(X=torch.tensor([[-1000.0, -999.0, -1001.0]]))                 # a row of very negative logits only
def test_softmax_matches_torch(kata, X):
    """softmax(X) equals torch.softmax(X, dim=1), also for large entries"""
    inputs = {"X": X}
    prop = "softmax(X)[i, j] = exp(X[i, j]) / Σ_k exp(X[i, k])  (rows are examples)"
    hints = _softmax_hints(X)
    got = _call(kata.softmax, X.clone(), prop=prop, inputs=inputs, hints=hints)
    want = torch.softmax(X.double(), dim=1)
    expect_close(got, want, prop, inputs=inputs, atol=scale_atol(X), rtol=1e-5, hints=hints)


@settings(max_examples=10)
@given(X=matrices(1, 5, torch.float32, -1e4, 1e4))
@example(X=torch.tensor([[89.0, 0.0]]))
@example(X=torch.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]]))
def test_softmax_rows_are_probabilities_for_large_inputs(kata, X):
    """for |X| ≤ 1e4 in float32 every entry of softmax(X) is finite, in [0, 1], and each row sums to 1"""
    inputs = {"X": X}
    hints = _softmax_hints(X)
    prop = "softmax(X) is finite and each row sums to 1, for any |X| ≤ 1e4"
    got = _call(kata.softmax, X.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, hints=hints)
    expect(bool(got.isfinite().all()), prop, inputs=inputs, expected="finite values", got=got, hints=hints)
    expect(bool(((got >= 0) & (got <= 1)).all()), "softmax(X) entries lie in [0, 1]", inputs=inputs,
           expected="entries in [0, 1]", got=got, hints=hints)
    # a correct float32 formula may be off by a few ulps of max|X| here (exp(X − logsumexp) is)
    expect_close(got.sum(dim=1), torch.ones(X.shape[0]), "each row of softmax(X) sums to 1", inputs=inputs,
                 atol=max(1e-5, scale_atol(X)), rtol=0, hints=hints)


@settings(max_examples=10)
@given(X=dyadic_tensors(shapes(2, 1, 5), torch.float32, max_abs=20, denom=4),
       data=st.data())
@example(X=torch.tensor([[0.0, 1.0], [2.0, -3.0]]), data=None)
def test_softmax_is_shift_invariant_per_row(kata, X, data):
    """adding a constant to a row does not change that row's softmax"""
    if data is None:
        c = torch.tensor([[100.0], [-7.0]])
    else:
        c = torch.tensor(data.draw(st.lists(st.integers(-100, 100), min_size=X.shape[0], max_size=X.shape[0]),
                                   label="c"), dtype=torch.float32).reshape(-1, 1)
    inputs = {"X": X, "c (added to each row)": c}
    hints = _softmax_hints(X + c)
    prop = "softmax(X + c) = softmax(X) for a constant c per row"
    base = _call(kata.softmax, X.clone(), prop=prop, inputs=inputs, hints=_softmax_hints(X))
    got = _call(kata.softmax, X + c, prop=prop, inputs=inputs, hints=hints)
    with labelled("your softmax(X)", "your softmax(X + c)"):   # both are the learner's: neither is "expected"
        expect_close(got, base, prop, inputs=inputs, atol=scale_atol(X + c), rtol=1e-5, hints=hints)


@settings(max_examples=8)
@given(n=st.integers(1, 4), q=st.integers(2, 5), data=st.data())
def test_softmax_preserves_argmax(kata, n, q, data):
    """the largest logit of each row gets the largest probability"""
    rows = data.draw(st.lists(st.lists(st.integers(-30, 30), min_size=q, max_size=q, unique=True), min_size=n,
                              max_size=n), label="X")
    X = torch.tensor(rows, dtype=torch.float32)   # distinct integers per row: no ties
    inputs = {"X": X}
    hints = _softmax_hints(X)
    prop = "argmax of each row of softmax(X) = argmax of that row of X"
    got = _call(kata.softmax, X.clone(), prop=prop, inputs=inputs, hints=hints)
    expect_tensor(got, prop, inputs=inputs, shape=X.shape, hints=hints)
    expect_equal(got.argmax(dim=1), X.argmax(dim=1), prop, inputs=inputs, hints=hints)


# ----------------------------------------------------------------------------------------------- losses
def _shape(g):
    """The shape of a result, also from expect_tensor's "shape (2, 2)" message (hints see that string)."""
    if isinstance(g, torch.Tensor):
        return tuple(g.shape)
    if isinstance(g, str) and g.startswith("shape ("):
        try:
            return tuple(ast.literal_eval(g[len("shape "):]))
        except (ValueError, SyntaxError):
            return None
    return None


def _gather_hint(n, name):
    return Hint(f"{name}[:, y] picks a whole column for every label, an (n, n) matrix; pick one entry per row: "
                f"{name}[torch.arange(n), y] (or {name}[range(n), y]).",
                when=lambda g, w: _shape(g) == (n, n))


REDUCED_HINT = Hint("return one loss per example, shape (n,): do not sum or average (the training loop does that).",
                    when=lambda g, w: _shape(g) == ())


@pytest.mark.core("cross_entropy")
@settings(max_examples=10)
@given(Oy=logits_and_labels(max_n=5, max_q=5, min_value=-8.0, max_value=8.0))
@example(Oy=(torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]), torch.tensor([2, 0])))
def test_cross_entropy_is_minus_log_of_label_probability(kata, Oy):
    """cross_entropy(y_hat, y)[i] = −log y_hat[i, y[i]], one loss per example"""
    O, y = Oy
    P = torch.softmax(O, dim=1)
    inputs = {"y_hat": P, "y": y}
    prop = "cross_entropy(y_hat, y)[i] = −log y_hat[i, y[i]]"
    hints = [_gather_hint(len(y), "y_hat"), REDUCED_HINT]
    got = _call(kata.cross_entropy, P.clone(), y.clone(), prop=prop, inputs=inputs, hints=hints)
    want = -torch.log(P.double()[torch.arange(len(y)), y])
    expect_close(got, want, prop, inputs=inputs, atol=1e-5, rtol=1e-5, hints=hints)


def _lse_hints(O):
    def has(g, what):
        return isinstance(g, torch.Tensor) and bool(getattr(g.detach(), what)().any())

    return [
        Hint("NaN from overflow: exp(O) is inf for logits above ~88.7 in float32 (exp(89) = inf), and inf/inf = "
             "NaN. Never exponentiate raw logits: use log-sum-exp, ℓ_i = (m_i − O[i, y_i]) + log Σ_k "
             "exp(O[i, k] − m_i) with m_i the row max.", when=lambda g, w: has(g, "isnan")),
        Hint("inf: a probability became 0 (exp(−1000) = 0 in float32, or 1/inf = 0 after an overflow) and "
             "log(0) = −inf. Never take the log of a probability; use log-sum-exp: ℓ_i = (m_i − O[i, y_i]) + "
             "log Σ_k exp(O[i, k] − m_i) with m_i the row max.",
             when=lambda g, w: has(g, "isinf") and not has(g, "isnan")),
        REDUCED_HINT,
    ]


_BIG = logits_and_labels(max_n=4, max_q=4, min_value=-1e4, max_value=1e4)


@pytest.mark.core("cross_entropy_logits")
@settings(max_examples=15)
@given(Oy=logits_and_labels(max_n=5, max_q=5, min_value=-20.0, max_value=20.0) | _BIG)
@example(Oy=(torch.tensor([[89.0, 0.0, 1.0]]), torch.tensor([0])))
@example(Oy=(torch.tensor([[0.0, 1000.0]]), torch.tensor([0])))
@example(Oy=(torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), torch.tensor([1, 0])))
@example(Oy=(torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]), torch.tensor([2, 0])))
@example(Oy=(torch.tensor([[-1e4, -1e4 + 2.0, -1e4 - 1.0]]), torch.tensor([1])))   # very negative logits only
@example(Oy=(torch.tensor([[1e4, 0.0], [-1e4, -1e4 + 3.0]]), torch.tensor([0, 1])))  # one big row, one very low row
def test_cross_entropy_logits_matches_torch(kata, Oy):
    """cross_entropy_logits(O, y) equals F.cross_entropy(O, y, reduction='none'), finite for |O| ≤ 1e4"""
    O, y = Oy
    inputs = {"O": O, "y": y}
    prop = "cross_entropy_logits(O, y)[i] = logsumexp(O[i]) − O[i, y[i]]"
    hints = _lse_hints(O) + [_gather_hint(len(y), "O")]
    got = _call(kata.cross_entropy_logits, O.clone(), y.clone(), prop=prop, inputs=inputs, hints=hints)
    want = F.cross_entropy(O.double(), y, reduction="none") + 0.0   # + 0.0 turns −0 into 0
    # float32 rounding of logits of size |O| is ~|O|·6e-8: compare relative to the logits' scale
    expect_close(got, want, prop, inputs=inputs, atol=scale_atol(O), rtol=1e-5, hints=hints)


def _grad_hints(n):
    return [
        Hint("the gradient is softmax(O) − one_hot(y) (probability minus target), not the reverse.",
             when=lambda g, w: _close(g, -w, 1e-4)),
        Hint("no 1/n: ℓ_i depends on row i of O only, so row i of the gradient is softmax(O_i) − one_hot(y_i).",
             when=lambda g, w: n > 1 and _close(g, w / n, 1e-4)),
        Hint("non-finite values: use the stable softmax (subtract the row max) inside.",
             when=lambda g, w: _nonfinite(g)),
    ]


@pytest.mark.core("ce_grad_logits")
@settings(max_examples=12)
@given(Oy=logits_and_labels(max_n=5, max_q=5, min_value=-20.0, max_value=20.0) | _BIG)
@example(Oy=(torch.tensor([[89.0, 0.0], [1.0, 2.0]]), torch.tensor([0, 0])))
@example(Oy=(torch.tensor([[0.5, 2.0, -1.0], [1.0, 0.0, 3.0]]), torch.tensor([2, 0])))
def test_ce_grad_logits_matches_autograd(kata, Oy):
    """ce_grad_logits(O, y) equals autograd's gradient of Σ_i ℓ_i: softmax(O) − one_hot(y)"""
    O, y = Oy
    inputs = {"O": O, "y": y}
    prop = "ce_grad_logits(O, y) = ∂(Σ_i ℓ_i)/∂O = softmax(O) − one_hot(y)"
    hints = _grad_hints(len(y))
    got = _call(kata.ce_grad_logits, O.clone(), y.clone(), prop=prop, inputs=inputs, hints=hints)
    O64 = O.double().requires_grad_(True)
    (want,) = torch.autograd.grad(F.cross_entropy(O64, y, reduction="sum"), O64)
    expect_close(got, want, prop, inputs=inputs, atol=scale_atol(O), rtol=1e-5, hints=hints)


# ----------------------------------------------------------------------------------------------- accuracy
@pytest.mark.core("accuracy")
@settings(max_examples=10)
@given(n=st.integers(1, 6), q=st.integers(2, 5), data=st.data())
@example(n=4, q=3, data=None)
def test_accuracy_counts_correct_predictions(kata, n, q, data):
    """accuracy(y_hat, y) is the number (not the fraction) of correct predictions, as a Python float"""
    if data is None:
        scores = torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.5, 0.3, 0.2]])
        y = torch.tensor([1, 0, 0, 1])
    else:
        perms = data.draw(st.lists(st.permutations(range(q)), min_size=n, max_size=n), label="score rows")
        scores = torch.tensor(perms, dtype=torch.float32) / q   # distinct scores per row: no ties
        y = data.draw(labels(n, q), label="y")
    want = float((scores.argmax(dim=1) == y).sum())
    hints = [Hint("a count, not a fraction: d2l sums the counts over batches and divides by the number of "
                  "examples at the end.", when=lambda g, w: isinstance(g, (int, float)) and w > 0
                  and abs(g - w / n) < 1e-9 and n > 1),
             Hint("return a Python number: float(...) of the count, not a tensor.",
                  when=lambda g, w: isinstance(g, torch.Tensor) or str(g).startswith("Tensor"))]
    for y_hat, what in [(scores, "scores (n, q): predicted class = argmax of each row"),
                        (scores.argmax(dim=1).to(torch.float32), "predicted labels (n,)")]:
        inputs = {"y_hat": y_hat, "y": y}
        got = kata.accuracy(y_hat.clone(), y.clone())
        prop = f"accuracy(y_hat, y) counts the correct predictions, y_hat = {what}"
        expect(isinstance(got, (int, float)) and not isinstance(got, bool), prop, inputs=inputs,
               expected=f"a Python float: {want}", got=f"{type(got).__name__}: {got!r}", hints=hints)
        expect_close(got, want, prop, inputs=inputs, atol=0, rtol=0, hints=hints)


ACCUMULATOR_CASES = [
    [[3]],
    [[1, 0.5], [2, 0.25], [torch.tensor(4.0), torch.tensor(0.125)]],
    [[1.5, -2, 10], [0.5, 7, torch.tensor(-2.5)], [-3, 0.25, 1], [1, 1, 1]],
    [[torch.tensor(2), 0.75], [-1, torch.tensor(-0.75)]],
]


@pytest.mark.core("Accumulator")
def test_accumulator_sums_and_resets(kata):
    """Accumulator(n).add(*args) keeps n running sums; acc[i] reads one; reset() sets them to 0"""
    # not a hypothesis test: a stub class raises NotImplementedError from __init__, which hypothesis would shrink
    for rows in ACCUMULATOR_CASES:   # ints, floats and 0-d tensors; dyadic, so every order of summation is exact
        n = len(rows[0])
        acc = kata.Accumulator(n)
        sums = [0.0] * n
        for row in rows:
            acc.add(*row)
            sums = [s + float(v) for s, v in zip(sums, row)]
        hint = Hint("add must add to the running sums (self.data[i] + float(args[i])), not replace them.",
                    when=lambda g, w: len(rows) > 1)
        for i in range(n):
            expect_close(acc[i], sums[i], f"after {len(rows)} add() calls, acc[{i}] is the sum of the values added",
                         inputs={"adds": rows}, atol=0, rtol=0, hints=[hint])
        acc.reset()
        for i in range(n):
            expect_close(acc[i], 0.0, f"after reset(), acc[{i}] is 0", inputs={"adds": rows}, atol=0, rtol=0)
        acc.add(*rows[0])
        for i in range(n):
            expect_close(acc[i], float(rows[0][i]), f"after reset() and one add(), acc[{i}] is the value added",
                         inputs={"adds": rows[0]}, atol=0, rtol=0)


# ----------------------------------------------------------------------------------------------- evaluation
def _per_batch_mean(scores, y, batch_size):
    accs = [float((scores[i:i + batch_size].argmax(1) == y[i:i + batch_size]).float().mean())
            for i in range(0, len(y), batch_size)]
    return sum(accs) / len(accs)


@pytest.mark.core("evaluate_accuracy")
@settings(max_examples=8)
@given(n=st.integers(3, 9), data=st.data())
@example(n=5, data=None)
def test_evaluate_accuracy_counts_over_all_examples(kata, n, data):
    """evaluate_accuracy is (total correct) / (total examples), also when the last batch is smaller"""
    q = 3
    if data is None:
        scores = torch.tensor([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0]])
        y, batch_size = torch.tensor([0, 1, 2, 0, 2]), 4
    else:
        perms = data.draw(st.lists(st.permutations(range(q)), min_size=n, max_size=n), label="score rows")
        scores = torch.tensor(perms, dtype=torch.float32)
        y = data.draw(labels(n, q), label="y")
        batch_size = data.draw(st.integers(2, n - 1), label="batch_size")
    want = float((scores.argmax(1) == y).sum()) / n
    inputs = {"scores (the net is the identity)": scores, "y": y, "batch_size": batch_size}
    batch_mean = _per_batch_mean(scores, y, batch_size)
    got = kata.evaluate_accuracy(identity_net, Batches(scores, y, batch_size))
    expect_close(got, want, "evaluate_accuracy = (total correct) / (total examples)", inputs=inputs, atol=1e-9,
                 rtol=0, hints=[Hint("that is the mean of the per-batch accuracies; the last batch is smaller, so "
                                     "it weighs too much. Sum the correct counts and the example counts "
                                     "(Accumulator(2)) and divide once at the end.",
                                     when=lambda g, w: abs(float(g) - batch_mean) < 1e-9)])


def test_evaluate_accuracy_uses_eval_mode_and_no_grad(kata):
    """evaluate_accuracy switches an nn.Module to eval mode and runs without recording gradients"""
    y = torch.tensor([0, 1, 2, 1, 0, 2, 2, 1])
    X = F.one_hot(y, 3).float() * 5 + 0.1 * torch.arange(3.0)   # argmax = y when dropout is off
    net = DropoutNet().train()
    inputs = {"net": "Dropout(p=0.99) then identity, currently in training mode", "X": X, "y": y}
    got = kata.evaluate_accuracy(net, Batches(X, y, 3))
    expect(len(net.calls) > 0 and not any(training for training, _ in net.calls),
           "evaluate_accuracy calls net.eval() before predicting (Dropout must be off)", inputs=inputs,
           expected="every forward pass in eval mode", got=f"training mode flags {[c[0] for c in net.calls]}",
           hints=["if isinstance(net, torch.nn.Module): net.eval() — in training mode Dropout(0.99) zeroes 99% of "
                  "the inputs, so the 'accuracy' is random."])
    expect(not any(grad for _, grad in net.calls),
           "evaluate_accuracy runs the net under torch.no_grad() (outputs have no grad_fn)", inputs=inputs,
           expected="autograd off in every forward pass", got=f"grad enabled flags {[c[1] for c in net.calls]}",
           hints=["wrap the loop in `with torch.no_grad():` — net.eval() changes Dropout/BatchNorm behaviour but "
                  "does not stop autograd from recording a graph (the notes' comment mixes the two up)."])
    expect_close(got, 1.0, "evaluate_accuracy of a net that is always right (in eval mode) is 1.0", inputs=inputs,
                 atol=1e-9, rtol=0)
    got2 = kata.evaluate_accuracy(net, Batches(X, y, 3))
    expect_close(got2, got, "evaluate_accuracy is deterministic even for a net with Dropout", inputs=inputs,
                 atol=0, rtol=0)


# ----------------------------------------------------------------------------------------------- training
# Per-example cross-entropy on logits (the graders' loss). A torch module rather than a function in tests/shippable.py,
# where it would be a ready-made cross_entropy_logits for learners to import.
ce_none = nn.CrossEntropyLoss(reduction="none")


def _toy_data(n=10, d=4, q=3, seed=1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = torch.randint(0, q, (n,), generator=g)
    return X, y


def _replica_epoch(net, batches, loss, updater, backward="auto", weighted=True):
    """The d2l epoch, written here (``backward`` = "mean" or "sum" replicates a known mistake)."""
    if isinstance(net, nn.Module):
        net.train()
    tot_l = tot_acc = tot_n = 0.0
    per_batch = []
    for X, y in batches:
        y_hat = net(X)
        l = loss(y_hat, y)
        optim = isinstance(updater, torch.optim.Optimizer)
        how = backward if backward != "auto" else ("mean" if optim else "sum")
        if optim:
            updater.zero_grad()
        (l.mean() if how == "mean" else l.sum()).backward()
        updater.step() if optim else updater(X.shape[0])
        acc = float((y_hat.argmax(1) == y).sum())
        tot_l, tot_acc, tot_n = tot_l + float(l.detach().sum()), tot_acc + acc, tot_n + len(y)
        per_batch.append((float(l.detach().mean()), acc / len(y)))
    if weighted:
        return tot_l / tot_n, tot_acc / tot_n
    return (sum(a for a, _ in per_batch) / len(per_batch), sum(b for _, b in per_batch) / len(per_batch))


def _params(net):
    if isinstance(net, nn.Module):
        return [p.detach().clone() for p in net.parameters()]
    return [net.W.detach().clone(), net.b.detach().clone()]


def _same_params(a, b, tol=1e-5):
    return all(torch.allclose(x, y, atol=tol, rtol=1e-5) for x, y in zip(a, b))


def _epoch_hints(mistakes, got_params, got_metrics):
    """Hints naming a known mistake when the learner's result matches its replica."""
    out = []
    for text, (params, metrics) in mistakes:
        match_p = params is not None and _same_params(got_params, params)
        match_m = metrics is not None and all(abs(float(g) - m) < 1e-5 for g, m in zip(got_metrics, metrics))
        if match_p or match_m:
            out.append(text)
    return out


@pytest.mark.core("train_epoch_ch3")
def test_train_epoch_with_optimizer(kata):
    """with a torch.optim optimizer: net.train(), l.mean().backward(), averages weighted by examples"""
    X, y = _toy_data()
    net = LinearNet(4, 3).eval()            # left in eval mode, as after an evaluate_accuracy
    loss = nn.CrossEntropyLoss(reduction="none")
    ref, as_sum, unweighted = copy.deepcopy(net), copy.deepcopy(net), copy.deepcopy(net)
    want = _replica_epoch(ref, Batches(X, y, 4), loss, TinySGD(ref.parameters(), lr=0.5))
    m_sum = _replica_epoch(as_sum, Batches(X, y, 4), loss, TinySGD(as_sum.parameters(), lr=0.5),
                           backward="sum")
    m_unw = _replica_epoch(unweighted, Batches(X, y, 4), loss, TinySGD(unweighted.parameters(), lr=0.5),
                           weighted=False)
    inputs = {"X": X, "y": y, "batch sizes": [4, 4, 2], "net": "nn.Linear(4, 3), in eval mode before the call",
              "loss": "nn.CrossEntropyLoss(reduction='none')", "updater": "SGD(lr=0.5), a torch.optim.Optimizer"}
    got = kata.train_epoch_ch3(net, Batches(X, y, 4), loss, TinySGD(net.parameters(), lr=0.5))
    expect(isinstance(got, tuple) and len(got) == 2, "train_epoch_ch3 returns (average loss, average accuracy)",
           inputs=inputs, expected="a pair of floats", got=got)
    expect(len(net.modes) > 0 and all(net.modes), "train_epoch_ch3 calls net.train() for an nn.Module",
           inputs=inputs, expected="every forward pass in training mode", got=f"training flags {net.modes}",
           hints=["if isinstance(net, torch.nn.Module): net.train() — evaluate_accuracy left it in eval mode."])
    hints = _epoch_hints([
        ("with a torch.optim optimizer, call l.mean().backward(): the optimizer's lr is meant for the mean loss "
         "(l.sum() makes every step batch_size times larger).", (_params(as_sum), None)),
        ("those are means of per-batch means; the last batch is smaller. Add float(l.sum()), the correct count and "
         "y.numel() to an Accumulator(3) and divide by the total number of examples.", (None, m_unw)),
    ], _params(net), got)
    expect(_same_params(_params(net), _params(ref)),
           "one epoch = zero_grad(); l.mean().backward(); step() on every batch", inputs=inputs,
           expected=_params(ref), got=_params(net), hints=hints)
    for k, name in enumerate(["average loss", "average accuracy"]):
        expect_close(got[k], want[k], f"train_epoch_ch3 returns the epoch's {name}, weighted by examples",
                     inputs=inputs, atol=1e-5, rtol=1e-5, hints=hints)


@pytest.mark.core("train_epoch_ch3")
def test_train_epoch_with_custom_updater(kata):
    """with a custom updater: l.sum().backward(), then updater(batch_size) for each batch"""
    X, y = _toy_data()
    net, ref, as_mean = LinearScores(4, 3), LinearScores(4, 3), LinearScores(4, 3)
    want = _replica_epoch(ref, Batches(X, y, 4), ce_none, SGDUpdater([ref.W, ref.b], 0.5))
    _replica_epoch(as_mean, Batches(X, y, 4), ce_none, SGDUpdater([as_mean.W, as_mean.b], 0.5), backward="mean")
    updater = SGDUpdater([net.W, net.b], 0.5)
    inputs = {"X": X, "y": y, "batch sizes": [4, 4, 2], "net": "X @ W + b (a plain callable, not an nn.Module)",
              "loss": "per-example cross-entropy", "updater": "d2l's sgd: p -= lr·p.grad/batch_size"}
    got = kata.train_epoch_ch3(net, Batches(X, y, 4), ce_none, updater)
    expect(isinstance(got, tuple) and len(got) == 2, "train_epoch_ch3 returns (average loss, average accuracy)",
           inputs=inputs, expected="a pair of floats", got=got)
    expect(updater.batch_sizes == [4, 4, 2], "the custom updater is called once per batch with that batch's size",
           inputs=inputs, expected=[4, 4, 2], got=updater.batch_sizes,
           hints=["call updater(X.shape[0]) after l.sum().backward(), once per batch."])
    hints = _epoch_hints([
        ("with a custom updater call l.sum().backward(): the updater divides by the batch size itself "
         "(l.mean() divides twice).", (_params(as_mean), None)),
    ], _params(net), got)
    expect(_same_params(_params(net), _params(ref)),
           "one epoch = l.sum().backward(); updater(batch_size) on every batch", inputs=inputs,
           expected=_params(ref), got=_params(net), hints=hints)
    for k, name in enumerate(["average loss", "average accuracy"]):
        expect_close(got[k], want[k], f"train_epoch_ch3 returns the epoch's {name}, weighted by examples",
                     inputs=inputs, atol=1e-5, rtol=1e-5, hints=hints)


@pytest.mark.core("train_ch3")
def test_train_ch3_history_and_animator(kata):
    """train_ch3 returns the per-epoch history and plots epoch k at x = k + 1"""
    X, y = _toy_data(n=10)
    Xt, yt = _toy_data(n=7, seed=2)
    net = LinearNet(4, 3)
    ref = copy.deepcopy(net)
    loss = nn.CrossEntropyLoss(reduction="none")
    want = {"train_loss": [], "train_acc": [], "test_acc": []}
    opt = TinySGD(ref.parameters(), lr=0.5)
    for _ in range(3):
        tl, ta = _replica_epoch(ref, Batches(X, y, 4), loss, opt)
        ref.eval()
        with torch.no_grad():
            test_acc = float((ref(Xt).argmax(1) == yt).sum()) / len(yt)
        for key, v in zip(want, (tl, ta, test_acc)):
            want[key].append(v)
    animator = RecordingAnimator()
    inputs = {"net": "nn.Linear(4, 3)", "train": "10 examples, batches of 4", "test": "7 examples, batches of 3",
              "num_epochs": 3, "updater": "SGD(lr=0.5), a torch.optim.Optimizer"}
    got = kata.train_ch3(net, Batches(X, y, 4), Batches(Xt, yt, 3), loss, 3,
                         TinySGD(net.parameters(), lr=0.5), animator=animator)
    expect(isinstance(got, dict) and set(got) >= set(want), "train_ch3 returns a dict with the keys "
           "'train_loss', 'train_acc', 'test_acc'", inputs=inputs, expected=sorted(want),
           got=sorted(got) if isinstance(got, dict) else got)
    for key in want:
        expect(len(got[key]) == 3, f"history['{key}'] has one entry per epoch", inputs=inputs,
               expected=3, got=len(got[key]))
        for k in range(3):
            expect_close(got[key][k], want[key][k], f"history['{key}'][{k}] is epoch {k}'s value", inputs=inputs,
                         atol=1e-5, rtol=1e-5)
    xs = [x for x, _ in animator.calls]
    expect(xs == [1, 2, 3], "train_ch3 calls animator.add(epoch + 1, (train_loss, train_acc, test_acc)) "
           "once per epoch", inputs=inputs, expected=[1, 2, 3], got=xs,
           hints=[Hint("epoch k (counting from 0) is plotted at x = k + 1; the seed's `epoch + 2` shifts "
                       "every point one epoch to the right.", when=lambda g, w: g == [2, 3, 4])])
    for k, (_, ys) in enumerate(animator.calls):
        row = (want["train_loss"][k], want["train_acc"][k], want["test_acc"][k])
        expect(len(ys) == 3 and all(abs(a - b) < 1e-5 for a, b in zip(ys, row)),
               "animator.add receives (train_loss, train_acc, test_acc) in that order", inputs=inputs,
               expected=row, got=ys)
    other = LinearNet(4, 3)
    ref = copy.deepcopy(other)
    plain = kata.train_ch3(other, Batches(X, y, 4), Batches(Xt, yt, 3), loss, 1, TinySGD(other.parameters(), lr=0.5))
    expect(isinstance(plain, dict), "train_ch3 works without an animator (animator=None)", inputs=inputs,
           expected="a history dict", got=plain)
    tl, ta = _replica_epoch(ref, Batches(X, y, 4), loss, TinySGD(ref.parameters(), lr=0.5))
    ref.eval()
    with torch.no_grad():
        test_acc = float((ref(Xt).argmax(1) == yt).sum()) / len(yt)
    inputs = {**inputs, "net": "another nn.Linear(4, 3)", "num_epochs": 1, "animator": None}
    for key, v in zip(("train_loss", "train_acc", "test_acc"), (tl, ta, test_acc)):
        expect(len(plain.get(key, ())) == 1, f"history['{key}'] has one entry per epoch (1 epoch)", inputs=inputs,
               expected=1, got=len(plain.get(key, ())))
        expect_close(plain[key][0], v, f"history['{key}'][0] is this run's epoch 0", inputs=inputs, atol=1e-5,
                     rtol=1e-5)


@pytest.mark.weight(2)
def test_softmax_regression_learns_digits(kata):
    """softmax regression from scratch (your softmax, cross_entropy, train_ch3) reaches ≥ 0.93 test accuracy"""
    X, y, Xt, yt = _standardized_digits()
    g = torch.Generator().manual_seed(0)
    W = torch.normal(0.0, 0.01, size=(64, 10), generator=g).requires_grad_(True)
    b = torch.zeros(10, requires_grad=True)
    net = ScratchSoftmaxNet(W, b, LearnerFunction(kata.softmax))
    inputs = {"data": "digits (8×8, standardised), 1348 train / 449 test", "net": "softmax(X W + b)",
              "loss": "your cross_entropy", "updater": "sgd, lr = 2.0, batch size 64", "num_epochs": 4}
    hist = kata.train_ch3(net, Batches(X, y, 64, shuffle=True), Batches(Xt, yt, 256), LearnerFunction(kata.cross_entropy), 4,
                          SGDUpdater([W, b], 2.0))
    final = hist["test_acc"][-1] if isinstance(hist, dict) and hist.get("test_acc") else None
    expect(final is not None and final >= 0.93, "softmax regression from scratch reaches ≥ 0.93 test accuracy on "
           "the digits", inputs=inputs, expected="≥ 0.93", got=hist,
           hints=[Hint("NaN losses: a softmax overflow or log(0); check softmax and cross_entropy first.",
                       when=lambda g, w: isinstance(g, dict) and any(v != v for v in g.get("train_loss", [])))])
    keep_curves("ch3_softmax_regression_training.png",
                "你的 train_ch3 在手写数字上的训练曲线 · your train_ch3's curves on the digits", hist)


# ----------------------------------------------------------------------------------------------- Animator
@pytest.mark.core("Animator")
def test_animator_records_series(kata):
    """Animator.add broadcasts a scalar x, skips None and keeps d2l's X and Y lists"""
    a = kata.Animator(xlabel="epoch", xlim=[1, 3], legend=["train loss", "train acc", "test acc"])
    calls = [(1, (0.9, None, 0.5)), (2, (0.7, 0.6, 0.55)), ([3, 3, 3], (0.5, 0.7, 0.6))]
    for x, ys in calls:
        try:
            a.add(x, ys)
        except TypeError as e:
            fail("Animator.add(x, y) accepts one number x for all the curves", inputs={"add calls": calls},
                 expected="x used for every curve", got=f"TypeError: {e}",
                 hints=["when x is a single number use it for every curve: if not hasattr(x, '__len__'): "
                        "x = [x] * n."])
    want_X, want_Y = [[1, 2, 3], [2, 3], [1, 2, 3]], [[0.9, 0.7, 0.5], [0.6, 0.7], [0.5, 0.55, 0.6]]
    inputs = {"add calls": calls}
    hints = [Hint("skip a pair whose x or y is None (append only when both are not None).",
                  when=lambda g, w: any(v is None for s in (a.X or []) + (a.Y or []) for v in s))]
    expect(list(map(list, a.X or [])) == want_X, "Animator.X[i] holds curve i's x values", inputs=inputs,
           expected=want_X, got=a.X, hints=hints)
    expect(list(map(list, a.Y or [])) == want_Y, "Animator.Y[i] holds curve i's y values", inputs=inputs,
           expected=want_Y, got=a.Y, hints=hints)
    b = kata.Animator()
    b.add(1, 0.25)
    b.add(2, 0.5)
    expect((b.X, b.Y) == ([[1, 2]], [[0.25, 0.5]]), "add(x, y) with one number y records a single curve",
           inputs={"add calls": [(1, 0.25), (2, 0.5)]}, expected=([[1, 2]], [[0.25, 0.5]]), got=(b.X, b.Y))


def test_animator_saves_png(kata, tmp_path):
    """Animator.save(path) writes a PNG of the curves (headless)"""
    a = kata.Animator(xlabel="epoch", legend=["train loss", "test acc"], figsize=(2, 1.5))
    for epoch in range(1, 4):
        a.add(epoch, (1.0 / epoch, 0.5 + 0.1 * epoch))
    path = tmp_path / "curves.png"
    a.save(str(path))
    head = path.read_bytes()[:8] if path.exists() else b""
    expect(head == b"\x89PNG\r\n\x1a\n", "save(path) writes a PNG file", inputs={"path": "curves.png"},
           expected="a file starting with the PNG signature", got=head or "no file",
           hints=["draw with matplotlib (from matplotlib.figure import Figure; fig = Figure(figsize=...)) and "
                  "fig.savefig(path, format='png'); no GUI backend is needed."])
