"""Graders for ch3/linear_regression.py. Oracles: torch.linalg.lstsq (float64), torch.optim.SGD, closed forms,
and statistics with ~5σ bounds for everything random (never draw-for-draw values)."""

import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, scale_atol
from tests.helpers import expect_generator_used, scramble_global_rng as _scramble_global_rng
from tests.strategies import floats, seeds, tensors
from tests.helpers import gen as _gen

TRUE_W = torch.tensor([2.0, -3.4])
TRUE_B = 4.2


def _seed_data(seed=42, n=1000):
    """The seed's data set, generated here (not by the learner's synthetic_data)."""
    g = _gen(seed)
    X = torch.randn(n, 2, generator=g)
    y = (X @ TRUE_W + TRUE_B + 0.01 * torch.randn(n, generator=g)).reshape(-1, 1)
    return X, y


GENERATOR_HINT = Hint("pass generator=generator to every random draw (torch.normal/torch.randn/torch.randperm "
                      "accept it); Python's random.shuffle and draws without it use the global RNG.")


# --------------------------------------------------------------------------------------------- synthetic_data
w_strategy = tensors(st.tuples(st.integers(1, 4)), torch.float32, -5, 5)


@given(w=w_strategy, b=floats(-5, 5), n=st.integers(1, 30), seed=seeds())
@settings(max_examples=15)
def test_synthetic_shapes(kata, w, b, n, seed):
    """synthetic_data returns X of shape (n, p) and y of shape (n, 1), float32"""
    X, y = kata.synthetic_data(w.clone(), b, n, generator=_gen(seed))
    inputs = {"w": w, "b": b, "num_examples": n}
    expect_tensor(X, "X has shape (num_examples, len(w))", inputs=inputs, shape=(n, len(w)), dtype=torch.float32)
    expect_tensor(y, "y is a column of shape (num_examples, 1)", inputs=inputs, shape=(n, 1), dtype=torch.float32,
                  hints=[Hint("return y.reshape((-1, 1)) as the notes do: labels are a column, so that they line "
                              "up with the (n, 1) predictions of linreg.",
                              when=lambda got, want: isinstance(got, torch.Tensor) and tuple(got.shape) == (n,))])


@pytest.mark.core("synthetic_data")
@given(w=w_strategy, b=floats(-5, 5), seed=seeds())
@example(w=TRUE_W, b=TRUE_B, seed=0)
@settings(max_examples=20)
def test_least_squares_recovers_w_b(kata, w, b, seed):
    """least squares on (X, y) recovers w and b (to 3e-3, about 9 standard errors)"""
    n = 1000
    X, y = kata.synthetic_data(w.clone(), b, n, generator=_gen(seed))
    expect_tensor(y, "y has shape (n, 1)", inputs={"w": w, "b": b}, shape=(n, 1))
    A = torch.cat([X.double(), torch.ones(n, 1, dtype=torch.float64)], 1)       # (n, p+1)
    coef = torch.linalg.lstsq(A, y.double()).solution.reshape(-1)              # (p+1,)
    want = torch.cat([w.double(), torch.tensor([b], dtype=torch.float64)])
    # coefficient standard error ≈ 0.01 / sqrt(n) ≈ 3.2e-4
    expect_close(coef, want, "the least-squares fit of y on [X, 1] gives back [w, b]",
                 inputs={"w": w, "b": b, "num_examples": n}, atol=3e-3, rtol=0,
                 hints=[Hint("y = X w + b (torch.matmul(X, w) + b), then add the noise.")])


@given(w=w_strategy, b=floats(-5, 5), seed=seeds())
@settings(max_examples=20)
def test_noise_std(kata, w, b, seed):
    """the noise y − (Xw + b) has mean ≈ 0 and standard deviation ≈ 0.01"""
    n = 1000
    X, y = kata.synthetic_data(w.clone(), b, n, generator=_gen(seed))
    expect_tensor(y, "y has shape (n, 1)", inputs={"w": w, "b": b}, shape=(n, 1))
    r = y.double().reshape(-1) - (X.double() @ w.double() + b)                 # (n,)
    std, mean = float(r.std()), float(r.mean())
    # sample std: relative standard error 1/sqrt(2n) ≈ 2.2 %, so ±15 % is ~6.7σ; mean: SE 3.2e-4
    expect(abs(std / 0.01 - 1) < 0.15 and abs(mean) < 2e-3,
           "the noise ε = y − (Xw + b) has mean ≈ 0 and standard deviation ≈ 0.01",
           inputs={"w": w, "b": b, "num_examples": n}, expected="mean ≈ 0 (±0.002), std ≈ 0.01 (±15 %)",
           got=f"mean {mean:.3g}, std {std:.3g}",
           hints=[Hint("0.01 is the standard deviation: torch.normal(0, 0.01, shape) or 0.01 * torch.randn(shape) "
                       "(0.01 ** 2 = 1e-4 is the variance).", when=lambda got, want: std < 0.005 or std > 0.05),
                  Hint("add the noise once, to y = X w + b, with mean 0.", when=lambda got, want: abs(mean) >= 2e-3)])


@given(p=st.integers(1, 4), seed=seeds())
@settings(max_examples=10)
def test_features_standard_normal(kata, p, seed):
    """the features X are drawn from the standard normal N(0, 1)"""
    n = 2000
    w = torch.linspace(-1, 1, p)
    X, _ = kata.synthetic_data(w, 0.5, n, generator=_gen(seed))
    expect_tensor(X, "X has shape (n, p)", inputs={"p": p}, shape=(n, p))
    mean, std = X.double().mean(0), X.double().std(0)                           # (p,), (p,)
    frac_neg = (X < 0).double().mean()
    # SE of a column mean 1/sqrt(n) ≈ 0.022; of the std 1/sqrt(2n) ≈ 0.016
    ok = bool((mean.abs() < 0.12).all() and ((std - 1).abs() < 0.09).all() and abs(float(frac_neg) - 0.5) < 0.06)
    expect(ok, "each column of X has mean ≈ 0 and standard deviation ≈ 1 (N(0, 1))", inputs={"p": p, "n": n},
           expected="mean 0 ± 0.12, std 1 ± 0.09", got=f"means {mean.tolist()}, stds {std.tolist()}",
           hints=[Hint("torch.rand is uniform on [0, 1); the standard normal is torch.normal(0, 1, shape) or "
                       "torch.randn(shape).", when=lambda got, want: bool(((mean - 0.5).abs() < 0.1).all()))])


@pytest.mark.core("synthetic_data")
@given(seed=seeds())
@settings(max_examples=5)
def test_synthetic_reproducible(kata, seed):
    """synthetic_data uses the generator: equal seeds give equal data, whatever the global RNG does"""
    w = torch.tensor([1.5, -2.0, 0.5])
    _scramble_global_rng(1)
    X1, y1 = kata.synthetic_data(w, 0.3, 50, generator=_gen(seed))
    _scramble_global_rng(2)
    X2, y2 = kata.synthetic_data(w, 0.3, 50, generator=_gen(seed))
    inputs = {"seed": seed, "w": w, "b": 0.3, "num_examples": 50}
    expect(torch.equal(X1, X2), "two calls with equally seeded generators give the same X", inputs=inputs,
           expected=X1, got=X2, hints=[GENERATOR_HINT])
    expect(torch.equal(y1, y2), "two calls with equally seeded generators give the same y (noise included)",
           inputs=inputs, expected=y1, got=y2, hints=[GENERATOR_HINT])
    X3, _ = kata.synthetic_data(w, 0.3, 50, generator=_gen(seed + 1))
    expect(not torch.equal(X1, X3), "different seeds give different data", inputs=inputs, expected="different X",
           got="the same X", hints=[GENERATOR_HINT])


def test_synthetic_leaves_w_unchanged(kata):
    """synthetic_data does not modify w"""
    w = torch.tensor([2.0, -3.4])
    kata.synthetic_data(w, 4.2, 10, generator=_gen(0))
    expect_equal(w, torch.tensor([2.0, -3.4]), "w is unchanged after synthetic_data", inputs={"w": "[2.0, -3.4]"})


# --------------------------------------------------------------------------------------------- data_iter
def _indexed(n, p=2):
    """features[i] = (i, -i, ...), labels[i] = 10 i (column): batches reveal which rows they hold."""
    idx = torch.arange(n, dtype=torch.float32)
    features = torch.stack([idx * (1 if j % 2 == 0 else -1) for j in range(p)], 1)    # (n, p)
    labels = (10 * idx).reshape(-1, 1)                                                 # (n, 1)
    return features, labels


def _epoch(kata, batch_size, features, labels, generator):
    batches = list(kata.data_iter(batch_size, features, labels, generator))
    for X, y in batches:
        if not (isinstance(X, torch.Tensor) and isinstance(y, torch.Tensor)):
            fail("data_iter yields pairs of tensors (X, y)", expected="(Tensor, Tensor)",
                 got=f"({type(X).__name__}, {type(y).__name__})")
    return batches


@pytest.mark.core("data_iter")
@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), seed=seeds())
@example(n=25, batch_size=10, seed=0)
@settings(max_examples=25)
def test_data_iter_covers_each_example_once(kata, n, batch_size, seed):
    """data_iter yields every example exactly once per epoch, in batches of batch_size (the last one may be smaller)"""
    features, labels = _indexed(n)
    batches = _epoch(kata, batch_size, features, labels, _gen(seed))
    inputs = {"batch_size": batch_size, "n": n}
    sizes = [len(X) for X, _ in batches]
    want_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    expect(sizes == want_sizes, "the batches have batch_size rows each, except a smaller last one",
           inputs=inputs, expected=want_sizes, got=sizes,
           hints=[Hint("keep the last, partial batch: loop i over range(0, n, batch_size) and slice "
                       "indices[i:i + batch_size].", when=lambda got, want: sum(got) < sum(want))])
    for X, y in batches:
        expect(X.shape[1:] == features.shape[1:] and y.shape[1:] == labels.shape[1:],
               "each batch keeps the shapes of the rows: X (b, p), y (b, 1)", inputs=inputs,
               expected=f"X (b, {features.shape[1]}), y (b, 1)", got=f"X {tuple(X.shape)}, y {tuple(y.shape)}")
        expect(torch.equal(y.reshape(-1), 10 * X[:, 0]), "features and labels of a row stay together",
               inputs=inputs, expected="labels[i] with features[i]", got=f"X = {X.tolist()}, y = {y.tolist()}",
               hints=["index features and labels with the same index tensor."])
    seen = torch.cat([X[:, 0] for X, _ in batches]).long().sort().values if batches else torch.empty(0).long()
    expect_equal(seen, torch.arange(n), "every row index appears exactly once per epoch", inputs=inputs,
                 hints=[Hint("shuffle a permutation of the indices (torch.randperm) instead of drawing random "
                             "indices with replacement.")])


def test_data_iter_is_shuffled(kata):
    """data_iter shuffles: with n = 50 the order is not 0, 1, 2, …, and different seeds give different orders"""
    features, labels = _indexed(50)
    orders = []
    for seed in range(5):
        order = torch.cat([X[:, 0] for X, _ in _epoch(kata, 7, features, labels, _gen(seed))]).long()
        expect(not torch.equal(order, torch.arange(50)), "the examples come in a shuffled order",
               inputs={"n": 50, "batch_size": 7, "seed": seed}, expected="a random permutation of 0..49",
               got=order.tolist(), hints=["shuffle the indices: torch.randperm(n, generator=generator)."])
        orders.append(order)
    expect(not all(torch.equal(orders[0], o) for o in orders[1:]), "different seeds give different orders",
           inputs={"n": 50, "batch_size": 7, "seeds": [0, 1, 2, 3, 4]}, expected="different orders",
           got=f"the same order {orders[0].tolist()} every time", hints=[GENERATOR_HINT])


def test_data_iter_shuffles_examples_not_blocks(kata):
    """the shuffle mixes single examples: two neighbours share a batch with probability (b−1)/(n−1), not always"""
    n, bs, trials = 20, 5, 100
    features, labels = _indexed(n)
    together = 0
    first_pos = []
    for seed in range(trials):
        batches = _epoch(kata, bs, features, labels, _gen(seed))
        order = torch.cat([X[:, 0] for X, _ in batches]).long().tolist()
        together += any(0 in X[:, 0].long().tolist() and 1 in X[:, 0].long().tolist() for X, _ in batches)
        first_pos.append(order.index(0) if 0 in order else -1)
    # P(rows 0 and 1 in one batch) = 4/19 ≈ 0.21: 21 ± 4.1 of 100; position of row 0 uniform on 0..19: mean 9.5 ± 0.58
    mean_pos = sum(first_pos) / trials
    expect(together < 45 and abs(mean_pos - 9.5) < 3.0,
           "over 100 epochs, rows 0 and 1 share a batch about 21 times and row 0's position averages 9.5",
           inputs={"n": n, "batch_size": bs, "seeds": "0..99"},
           expected="rows 0 and 1 together ≈ 21 times (< 45); mean position of row 0 ≈ 9.5 (± 3)",
           got=f"together {together} times; mean position of row 0 {mean_pos:.3g}",
           hints=["shuffle the individual indices (torch.randperm(n)) and then slice; shuffling only the order "
                  "of the batches, or only inside each batch, keeps neighbours together."])


@pytest.mark.core("data_iter")
@given(seed=seeds())
@settings(max_examples=5)
def test_data_iter_reproducible(kata, seed):
    """data_iter uses the generator: equal seeds give the same batches, whatever the global RNG does"""
    features, labels = _indexed(30)
    _scramble_global_rng(1)
    a = torch.cat([X[:, 0] for X, _ in _epoch(kata, 4, features, labels, _gen(seed))])
    _scramble_global_rng(2)
    b = torch.cat([X[:, 0] for X, _ in _epoch(kata, 4, features, labels, _gen(seed))])
    expect(torch.equal(a, b), "two epochs with equally seeded generators have the same order",
           inputs={"n": 30, "batch_size": 4, "seed": seed}, expected=a.long().tolist(), got=b.long().tolist(),
           hints=[Hint("d2l's random.shuffle(indices) ignores the generator: use "
                       "torch.randperm(n, generator=generator).")])
    _scramble_global_rng(1)
    c = torch.cat([X[:, 0] for X, _ in _epoch(kata, 4, features, labels, _gen(seed + 1))])
    expect(not torch.equal(a, c), "differently seeded generators give different orders",
           inputs={"n": 30, "batch_size": 4, "seeds": (seed, seed + 1)}, expected="two different orders",
           got=f"the same order twice: {a.long().tolist()}",
           hints=[Hint("every draw must come from `generator`; do not create or reseed a generator of your own.")])


def test_data_iter_accepts_1d_labels(kata):
    """data_iter works with labels of shape (n,) too"""
    features, labels = _indexed(13)
    labels = labels.reshape(-1)
    batches = _epoch(kata, 5, features, labels, _gen(3))
    got = sorted(int(v) for _, y in batches for v in y.reshape(-1))
    expect([tuple(y.shape) for _, y in batches] == [(5,), (5,), (3,)] and got == list(range(0, 130, 10)),
           "labels of shape (n,) come back in batches of shape (b,)", inputs={"n": 13, "batch_size": 5},
           expected="(5,), (5,), (3,)", got=[tuple(y.shape) for _, y in batches])


# --------------------------------------------------------------------------------------------- load_array
def _rows(batches, k):
    return torch.cat([batch[k] for batch in batches])


@pytest.mark.core("load_array")
@given(n=st.integers(1, 30), batch_size=st.integers(1, 8))
@settings(max_examples=15)
def test_load_array_eval_order(kata, n, batch_size):
    """load_array(..., is_train=False) yields the rows in their original order, in batches of batch_size"""
    features, labels = _indexed(n, 3)
    loader = kata.load_array((features, labels), batch_size, is_train=False)
    batches = list(loader)
    inputs = {"n": n, "batch_size": batch_size, "is_train": False}
    sizes = [len(batch[0]) for batch in batches]
    want_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    expect(sizes == want_sizes, "the batches have batch_size rows each, except a smaller last one", inputs=inputs,
           expected=want_sizes, got=sizes)
    expect(all(len(batch) == 2 for batch in batches), "each batch holds one tensor per data array (X, y)",
           inputs=inputs, expected=2, got=[len(batch) for batch in batches])
    expect_equal(_rows(batches, 0), features, "without shuffling the features come in their original order",
                 inputs=inputs, hints=[Hint("shuffle only when is_train: DataLoader(..., shuffle=is_train).")])
    expect_equal(_rows(batches, 1), labels, "without shuffling the labels come in their original order",
                 inputs=inputs)
    expect(len(loader) == len(want_sizes), "len(loader) is the number of batches", inputs=inputs,
           expected=len(want_sizes), got=len(loader))


def test_load_array_train_shuffles_each_epoch(kata):
    """load_array(..., is_train=True) shuffles, covers every row exactly once per epoch, and can be iterated again"""
    features, labels = _indexed(50)
    torch.manual_seed(0)
    loader = kata.load_array((features, labels), 8, is_train=True)
    inputs = {"n": 50, "batch_size": 8, "is_train": True}
    orders = []
    for epoch in range(2):
        batches = list(loader)
        expect(len(batches) == 7, f"epoch {epoch + 1} yields ⌈50 / 8⌉ = 7 batches", inputs=inputs, expected=7,
               got=len(batches), hints=[Hint("return the DataLoader itself, not iter(DataLoader): an iterator is "
                                             "used up after one epoch.", when=lambda got, want: got == 0),
                                        Hint("keep the last, partial batch (no drop_last).",
                                             when=lambda got, want: got == 6)])
        X, y = _rows(batches, 0), _rows(batches, 1)
        expect(torch.equal(y.reshape(-1), 10 * X[:, 0]), "features and labels of a row stay together",
               inputs=inputs, expected="labels[i] with features[i]", got="mismatched rows")
        expect_equal(X[:, 0].sort().values, features[:, 0], "every row appears exactly once per epoch", inputs=inputs)
        expect(not torch.equal(X, features), "with is_train=True the rows come shuffled", inputs=inputs,
               expected="a shuffled order", got="the original order 0, 1, 2, …",
               hints=["DataLoader(dataset, batch_size, shuffle=is_train)."])
        orders.append(X[:, 0])
    expect(not torch.equal(orders[0], orders[1]), "each epoch has a new order", inputs=inputs,
           expected="two different orders", got="the same order twice")


def test_load_array_three_arrays(kata):
    """load_array works with any number of arrays (TensorDataset(*data_arrays))"""
    a, b = _indexed(9, 2)
    c = torch.arange(9) * 3
    batches = list(kata.load_array((a, b, c), 4, is_train=False))
    expect([len(batch) for batch in batches] == [3, 3, 3], "each batch holds one tensor per array (three here)",
           inputs={"data_arrays": "(X (9, 2), y (9, 1), z (9,))", "batch_size": 4}, expected=[3, 3, 3],
           got=[len(batch) for batch in batches],
           hints=["unpack the tuple: data.TensorDataset(*data_arrays)."])
    expect_equal(_rows(batches, 2), c, "the third array comes back in order", inputs={"batch_size": 4})


# --------------------------------------------------------------------------------------------- linreg, loss
@pytest.mark.core("linreg")
@given(n=st.integers(1, 6), p=st.integers(1, 4), data=st.data())
@settings(max_examples=20)
def test_linreg(kata, n, p, data):
    """linreg(X, w, b) = X w + b, shape (n, 1)"""
    X = data.draw(tensors((n, p), torch.float32, -5, 5), label="X")
    w = data.draw(tensors((p, 1), torch.float32, -5, 5), label="w")
    b = data.draw(tensors((1,), torch.float32, -5, 5), label="b")
    got = kata.linreg(X, w, b)
    want = X.double() @ w.double() + b.double()
    expect_close(got, want, "linreg(X, w, b) = X w + b", inputs={"X": X, "w": w, "b": b},
                 atol=scale_atol(X, w, b, rel=1e-5) * p * 5, rtol=1e-5,
                 hints=[Hint("don't forget + b.", when=lambda got, want: got.shape == want.shape)])


def test_linreg_differentiable(kata):
    """linreg is differentiable in w and b: d(Σ Xw+b)/dw = Xᵀ1 and d/db = n"""
    X = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]])
    w = torch.tensor([[0.5], [-1.0]], requires_grad=True)
    b = torch.tensor([0.25], requires_grad=True)
    out = kata.linreg(X, w, b)
    expect(isinstance(out, torch.Tensor) and out.requires_grad, "the output of linreg depends on w and b",
           inputs={"X": X}, expected="a tensor with requires_grad=True", got=out,
           hints=["use w and b directly (no .detach(), no .data)."])
    out.sum().backward()
    expect_close(w.grad, X.sum(0).reshape(2, 1), "d(Σ linreg)/dw = Xᵀ 1", inputs={"X": X})
    expect_close(b.grad, torch.tensor([3.0]), "d(Σ linreg)/db = n", inputs={"X": X})


@st.composite
def _loss_pairs(draw):
    n = draw(st.integers(1, 6))
    y_hat = draw(tensors((n, 1), torch.float32, -10, 10))
    y = draw(tensors(draw(st.sampled_from([(n, 1), (n,)])), torch.float32, -10, 10))
    return y_hat, y


@pytest.mark.core("squared_loss")
@given(pair=_loss_pairs())
@example(pair=(torch.tensor([[1.0], [2.0], [4.0]]), torch.tensor([0.0, 2.0, 1.0])))
@settings(max_examples=25)
def test_squared_loss(kata, pair):
    """squared_loss(ŷ, y) = (ŷ − y)²/2 elementwise, shape (n, 1), for y of shape (n, 1) or (n,)"""
    y_hat, y = pair
    n = len(y_hat)
    got = kata.squared_loss(y_hat, y)
    want = (y_hat.double() - y.double().reshape(n, 1)) ** 2 / 2
    expect_tensor(got, "squared_loss(ŷ, y) has ŷ's shape (n, 1)", inputs={"y_hat": y_hat, "y": y},
                  shape=(n, 1), hints=[Hint("(n, 1) − (n,) broadcasts to an (n, n) matrix: use "
                                            "y.reshape(y_hat.shape).", when=lambda got, want: isinstance(got, torch.Tensor) and tuple(got.shape) == (n, n))])
    expect_close(got, want, "squared_loss(ŷ, y) = (ŷ − y)² / 2 elementwise, with y reshaped to ŷ's shape",
                 inputs={"y_hat": y_hat, "y": y}, atol=scale_atol(want, rel=1e-6), rtol=1e-5,
                 hints=[Hint("(n, 1) − (n,) broadcasts to an (n, n) matrix: use y.reshape(y_hat.shape).",
                             when=lambda got, want: isinstance(got, torch.Tensor) and got.dim() == 2
                             and got.shape[0] == got.shape[1] and got.shape[0] > 1),
                        Hint("the squared loss has a factor ½: (ŷ − y)² / 2.",
                             when=lambda got, want: isinstance(got, torch.Tensor) and got.shape == want.shape
                             and torch.allclose(got.double(), 2 * want, rtol=1e-4, atol=1e-4))])


# --------------------------------------------------------------------------------------------- sgd
def _summed_loss(params, X, y):
    w, b = params
    return (((X @ w + b) - y) ** 2 / 2).sum()


def _step_ratio(before, after, want):
    """The learner's step as a multiple of the right step (least squares), or None."""
    d_want = want - before
    d_got = after.detach().double() - before
    denom = float((d_want * d_want).sum())
    return float((d_got * d_want).sum()) / denom if denom > 0 else None


def _sgd_hints(ratio, batch_size, step):
    near = (lambda x: ratio is not None and abs(ratio - x) < 0.02 * max(1.0, abs(x)))
    return [
        Hint("the parameter did not change: `param = param - ...` only rebinds a local name. Update the tensor "
             "in place: `param -= lr * param.grad / batch_size` inside torch.no_grad().",
             when=lambda got, want: near(0.0)),
        Hint("the step is batch_size times too small: divide by batch_size once (p -= lr * p.grad / batch_size).",
             when=lambda got, want: batch_size > 1 and near(1 / batch_size)),
        Hint("the step is batch_size times too large: the gradient is of the summed loss, so divide by "
             "batch_size (p -= lr * p.grad / batch_size).", when=lambda got, want: batch_size > 1 and near(batch_size)),
        Hint("the step goes uphill: gradient descent subtracts lr · grad.", when=lambda got, want: near(-1.0)),
        Hint("step 1 was right but step 2 is not: the gradients were not cleared, and backward() adds into "
             ".grad (the notes' zero_grad).", when=lambda got, want: step == 2),
    ]


@pytest.mark.core("sgd")
@given(p=st.integers(1, 3), batch_size=st.integers(1, 12), lr=st.sampled_from([0.01, 0.03, 0.1, 0.5]),
       seed=seeds())
@example(p=2, batch_size=10, lr=0.03, seed=0)
@settings(max_examples=20)
def test_sgd_matches_torch_optim(kata, p, batch_size, lr, seed):
    """two sgd steps equal torch.optim.SGD(lr / batch_size) on the summed loss, and leave the grads cleared"""
    # The oracle is torch.optim.SGD's update p ← p − (lr / batch_size)·∇p written out, with ∇p from autograd
    # on the summed loss (torch.optim itself would import torch._dynamo: two seconds).
    g = _gen(seed)
    X, y = torch.randn(batch_size, p, generator=g), torch.randn(batch_size, 1, generator=g)
    w0, b0 = torch.randn(p, 1, generator=g), torch.randn(1, generator=g)
    ref = [w0.double(), b0.double()]
    mine = [w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)]
    handles = list(mine)
    inputs = {"lr": lr, "batch_size": batch_size, "w": w0, "b": b0}
    for step in (1, 2):
        r = [t.clone().requires_grad_(True) for t in ref]
        ref_grads = torch.autograd.grad(_summed_loss(r, X.double(), y.double()), r)
        before = [t.double() for t in ref]
        ref = [t - lr / batch_size * gr for t, gr in zip(ref, ref_grads)]
        _summed_loss(mine, X, y).backward()
        grads = [t.grad.clone() for t in mine]
        kata.sgd(mine, lr, batch_size)
        for name, h, m in zip("wb", handles, mine):
            expect(m is h and m.is_leaf and m.grad_fn is None and m.requires_grad,
                   f"sgd updates {name} in place: it stays the same leaf tensor with requires_grad=True",
                   inputs=inputs, expected="the same tensor object, a leaf (grad_fn None)",
                   got=f"{'a new tensor' if m is not h else 'the same tensor'} with grad_fn {m.grad_fn}",
                   hints=["write the update in place inside `with torch.no_grad():` (param -= lr * param.grad / "
                          "batch_size); `params[i] = p - ...` replaces the tensor with a new one that autograd "
                          "tracks, and the caller's w and b never change."])
        for name, m, want, old, gr in zip("wb", mine, ref, before, grads):
            ratio = _step_ratio(old, m, want)
            expect_close(m, want, f"after step {step}, {name} equals torch.optim.SGD(lr / batch_size)'s",
                         inputs={**inputs, f"{name}.grad before the step": gr},
                         atol=scale_atol(want, rel=1e-6) + 1e-6 * lr * float(gr.abs().max()), rtol=1e-5,
                         hints=_sgd_hints(ratio, batch_size, step))
            expect(m.grad is None or bool((m.grad == 0).all()),
                   f"after sgd, {name}.grad is zeroed (or None)", inputs=inputs, expected="zeros (or None)",
                   got=m.grad, hints=["after the update, p.grad.zero_(): the next backward() adds into .grad, "
                                      "which is what trainer.zero_grad() does in the notes."])


# --------------------------------------------------------------------------------------------- train_linreg
OTHER_W, OTHER_B = torch.tensor([-1.5, 0.7, 2.2]), -0.8


@pytest.mark.core("train_linreg")
def test_train_linreg_learns_other_weights(kata):
    """train_linreg learns any linear model: three features, w = [−1.5, 0.7, 2.2], b = −0.8, within 0.01"""
    g = _gen(99)
    X = torch.randn(1000, 3, generator=g)
    y = (X @ OTHER_W + OTHER_B + 0.01 * torch.randn(1000, generator=g)).reshape(-1, 1)
    inputs = {"features": "1000 × 3, N(0, 1)", "labels": "X [−1.5, 0.7, 2.2]ᵀ − 0.8 + N(0, 0.01²)", "lr": 0.03,
              "num_epochs": 3, "batch_size": 10}
    w, b = kata.train_linreg(X, y, lr=0.03, num_epochs=3, batch_size=10, generator=_gen(8))
    expect_tensor(w, "the trained w has shape (p, 1): one weight per feature", inputs=inputs, shape=(3, 1),
                  hints=["w has one row per feature: shape (features.shape[1], 1), not a hard-coded 2."])
    expect_tensor(b, "the trained b has shape (1,)", inputs=inputs, shape=(1,))
    expect_close(w.detach().reshape(-1), OTHER_W, "|ŵ − w| < 0.01 after 3 epochs", inputs=inputs, atol=0.01,
                 rtol=0, hints=["train on the features and labels you are given: the weights come from the data."])
    expect_close(b.detach().reshape(-1), torch.tensor([OTHER_B]), "|b̂ − b| < 0.01 after 3 epochs", inputs=inputs,
                 atol=0.01, rtol=0)


def test_train_linreg_recovers_seed_weights(kata):
    """train_linreg on the seed's data (w = [2, −3.4], b = 4.2) gets every weight within 0.01 in 3 epochs"""
    X, y = _seed_data()
    w, b = kata.train_linreg(X, y, lr=0.03, num_epochs=3, batch_size=10, generator=_gen(7))
    inputs = {"features": "1000 × 2, N(0, 1)", "labels": "X [2, −3.4]ᵀ + 4.2 + N(0, 0.01²)", "lr": 0.03,
              "num_epochs": 3, "batch_size": 10}
    expect_tensor(w, "the trained w has shape (2, 1)", inputs=inputs, shape=(2, 1),
                  hints=["initialise w with shape (p, 1), as d2l's torch.normal(0, 0.01, size=(2, 1))."])
    expect_tensor(b, "the trained b has shape (1,)", inputs=inputs, shape=(1,),
                  hints=["initialise b = torch.zeros(1, requires_grad=True)."])
    slow = Hint("the weights moved, but not far enough: is the step divided twice (l.mean() in the loop and "
                "/ batch_size in sgd)? Use l.sum().backward() with sgd's division.")
    expect_close(w.detach().reshape(-1), TRUE_W, "|ŵ − w| < 0.01 after 3 epochs", inputs=inputs, atol=0.01, rtol=0,
                 hints=[slow, Hint("NaN or huge weights: did sgd zero the gradients after each step?",
                                   when=lambda got, want: not bool(got.isfinite().all())
                                   or float(got.abs().max()) > 100)])
    expect_close(b.detach(), torch.tensor([TRUE_B]), "|b̂ − b| < 0.01 after 3 epochs", inputs=inputs, atol=0.01,
                 rtol=0, hints=[slow])
    expect(not w.requires_grad and not b.requires_grad, "train_linreg returns w and b detached",
           inputs=inputs, expected="requires_grad False", got=f"w.requires_grad {w.requires_grad}, "
           f"b.requires_grad {b.requires_grad}", hints=["return w.detach(), b.detach()."])


@pytest.mark.core("train_linreg")
def test_train_linreg_reproducible(kata):
    """train_linreg uses the generator: equal seeds give the same weights, other seeds other weights"""
    X, y = _seed_data(n=100)
    expect_generator_used(lambda g: kata.train_linreg(X, y, lr=0.03, num_epochs=1, batch_size=10, generator=g),
                          "train_linreg(..., generator=g)", inputs={"n": 100, "num_epochs": 1},
                          hints=["draw the initial w with generator=generator and pass the generator on to "
                                 "data_iter."])


def test_train_linreg_uses_lr_and_epochs(kata):
    """train_linreg follows lr and num_epochs: with lr = 0 the weights stay at their initial values"""
    X, y = _seed_data(n=50)
    w, b = kata.train_linreg(X, y, lr=0.0, num_epochs=2, batch_size=10, generator=_gen(3))
    inputs = {"n": 50, "lr": 0.0, "num_epochs": 2}
    expect_tensor(w, "w has shape (p, 1)", inputs=inputs, shape=(2, 1))
    expect_close(b, torch.zeros(1), "with lr = 0, b stays 0", inputs=inputs, atol=0, rtol=0,
                 hints=["start from b = torch.zeros(1) and scale every step by lr."])
    expect(float(w.detach().abs().max()) < 0.06, "with lr = 0, w stays at its N(0, 0.01²) initial values",
           inputs=inputs, expected="|w| < 0.06", got=w, hints=["initialise w ~ N(0, 0.01²): torch.normal(0, 0.01, "
                                                               "(p, 1), generator=generator)."])
