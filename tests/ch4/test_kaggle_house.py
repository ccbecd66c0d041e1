"""Graders for ch4/kaggle_house.py (preprocess, log_rmse, get_k_fold_data).

preprocess is graded on hypothesis-generated raw Kaggle-like frames (`house_frames`): an ``Id`` column, numeric
columns (int64, and float64 with missing values), text columns with missing values in each of pandas' text dtypes
(the default — "str" on pandas 3, object on pandas 2 —, explicit object, and "string"), and ``SalePrice`` in train.
The oracle (`reference_features`) is written from the frame's recipe, without pandas: numpy nanmean / ddof=1 std
per numeric column, and one-hot columns for the sorted categories plus a missing indicator per text column.
Standardised values are O(√n) ≤ 4 and computed in float64 before the float32 cast: atol 1e-5, rtol 1e-5 (ddof = 0
would be off by ≥ 1.3 %, the variance by a factor σ).

log_rmse: a float64 oracle, rtol 1e-5 (float32 logs of prices up to 1e6 lose ~1e-7 relative). get_k_fold_data: the
rows carry their own index, so every output is compared exactly with the tensor_split oracle.

pandas is imported lazily (first use), so collecting this module costs nothing; the learner's module imports it anyway.
"""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_tensor, fail, run_beside
from tests.shippable import call_describing_frames, describe_frame

NUMERIC_NAMES = ["LotFrontage", "LotArea", "OverallQual", "YearBuilt", "MasVnrArea", "GarageArea"]
TEXT_NAMES = ["MSZoning", "Street", "Alley", "LotShape", "Utilities"]
LEVELS = ["RL", "RM", "FV", "Grvl", "Pave", "C (all)", "IR1", "Reg"]
TEXT_DTYPES = ["default", "object", "string"]


class HouseFrames:
    """A drawn train/test pair and its recipe (what each column is), with the trusted expected features."""

    def __init__(self, n_train, columns, sale_price):
        self.n_train, self.columns, self.sale_price = n_train, columns, sale_price

    @property
    def n(self):
        return len(self.columns[0][2])

    def frames(self):
        import pandas as pd
        n, n_tr = self.n, self.n_train
        data = {"Id": pd.Series(np.arange(1, n + 1), dtype="int64")}
        for name, kind, values, dtype in self.columns:
            if kind == "num":
                data[name] = pd.Series([np.nan if v is None else v for v in values],
                                       dtype="int64" if dtype == "int" else "float64")
            else:
                s = pd.Series(values) if dtype == "default" else pd.Series(values, dtype=dtype)
                data[name] = s
        full = pd.DataFrame(data)
        train = full.iloc[:n_tr].reset_index(drop=True)
        train["SalePrice"] = pd.Series(self.sale_price, dtype="int64")
        test = full.iloc[n_tr:].reset_index(drop=True)
        return train, test

    def numeric(self):
        return [c for c in self.columns if c[1] == "num"]

    def text(self):
        return [c for c in self.columns if c[1] == "txt"]

    def n_features(self):
        return len(self.numeric()) + sum(len({v for v in c[2] if v is not None}) + 1 for c in self.text())

    def describe(self):
        parts = []
        for name, kind, values, dtype in self.columns:
            parts.append(f"{name} ({'numeric, ' + dtype if kind == 'num' else 'text, dtype ' + dtype}): "
                         f"{['NaN' if v is None else v for v in values]}")
        return "; ".join(parts)

    def __repr__(self):
        return (f"{self.n_train} train + {self.n - self.n_train} test rows; {self.describe()}; "
                f"SalePrice {self.sale_price}")


def reference_features(hf, **mistakes):
    """The expected (n, F) float64 matrix, built from the recipe with numpy. The keyword arguments describe
    known mistakes (for hints): std ** power, ddof, train statistics, filling before standardising."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")          # a mistaken reference may take the mean of nothing
        return _reference_features(hf, **mistakes)


def _reference_features(hf, *, std_ddof=1, power=1, train_only=False, fill_first=None):
    n_tr = hf.n_train
    cols = []
    for name, kind, values, dtype in hf.numeric():
        x = np.array([np.nan if v is None else float(v) for v in values])
        if fill_first == "zero":
            x = np.where(np.isnan(x), 0.0, x)
        stats = x[:n_tr] if train_only else x
        ok = stats[~np.isnan(stats)]
        m = ok.mean()
        if fill_first == "mean":
            x = np.where(np.isnan(x), m, x)
            ok = (x[:n_tr] if train_only else x)
        s = np.sqrt(((ok - m) ** 2).sum() / (len(ok) - std_ddof))
        z = (x - m) / s ** power
        cols.append(np.where(np.isnan(z), 0.0, z))
    for name, kind, values, dtype in hf.text():
        for level in sorted({v for v in values if v is not None}):
            cols.append(np.array([1.0 if v == level else 0.0 for v in values]))
        cols.append(np.array([1.0 if v is None else 0.0 for v in values]))
    return torch.tensor(np.stack(cols, axis=1), dtype=torch.float64)


@st.composite
def house_frames(draw, max_train=8, max_test=5):
    """Raw Kaggle-like frames (as a HouseFrames recipe). Every numeric column has ≥ 2 distinct present values
    (so its std is > 0); the first numeric column is float64 with at least one missing value."""
    n_tr = draw(st.integers(2, max_train), label="n_train")
    n_te = draw(st.integers(1, max_test), label="n_test")
    n = n_tr + n_te
    n_num = draw(st.integers(1, 3))
    n_txt = draw(st.integers(0, 3))
    kinds = draw(st.permutations(["num"] * n_num + ["txt"] * n_txt))
    num_names = iter(draw(st.permutations(NUMERIC_NAMES)))
    txt_names = iter(draw(st.permutations(TEXT_NAMES)))
    columns, first_num = [], True
    for kind in kinds:
        if kind == "num":
            as_int = not first_num and draw(st.booleans())
            raw = draw(st.lists(st.integers(-40, 2000), min_size=n, max_size=n))
            a, b = draw(st.permutations(range(n)))[:2]       # two rows that stay present and differ
            raw[b] = raw[a] + draw(st.integers(1, 60))
            if as_int:
                values = raw
            else:
                scale = draw(st.sampled_from([1, 4]))            # integers, or quarters (exact in binary)
                missing = draw(st.lists(st.booleans(), min_size=n, max_size=n))
                if first_num:
                    missing[next(j for j in range(n) if j not in (a, b))] = True
                values = [None if missing[j] and j not in (a, b) else raw[j] / scale for j in range(n)]
            columns.append((next(num_names), "num", values, "int" if as_int else "float"))
            first_num = False
        else:
            levels = draw(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=4, unique=True))
            values = draw(st.lists(st.sampled_from(levels + [None]), min_size=n, max_size=n))
            columns.append((next(txt_names), "txt", values, draw(st.sampled_from(TEXT_DTYPES))))
    price = draw(st.lists(st.integers(30_000, 700_000), min_size=n_tr, max_size=n_tr))
    return HouseFrames(n_tr, columns, price)


EXAMPLE_FRAMES = HouseFrames(3, [
    ("LotFrontage", "num", [65.0, None, 68.0, 60.0, None], "float"),
    ("MSZoning", "txt", ["RL", "RM", None, "RL", "FV"], "default"),
    ("LotArea", "num", [8450, 9600, 11250, 9550, 14260], "int"),
    ("Alley", "txt", [None, "Pave", "Grvl", None, None], "string"),
    ("Street", "txt", ["Pave", "Pave", None, "Grvl", "Pave"], "object"),
], [208500, 181500, 223500])


# ----------------------------------------------------------------------------------------------- helpers
def _t(g):
    return g.detach().double() if isinstance(g, torch.Tensor) else None


def _near(g, ref, tol=1e-4):
    g = _t(g)
    return g is not None and g.shape == ref.shape and bool(((g - ref).abs() <= tol * (1 + ref.abs())).all())


def _run_preprocess(kata, hf, prop, hints=()):
    train, test = hf.frames()
    inputs = {"frames": hf}
    try:   # in the learner's process (the sandboxed worker, or here), which reports how the frames look afterwards
        out, after = run_beside(kata, call_describing_frames, kata.preprocess, train, test)
    except (TypeError, ValueError, KeyError, RuntimeError) as e:
        hint = Hint("a text column was treated as a number. d2l's `dtypes != 'object'` misses pandas' string dtypes "
                    "(\"str\", the default for text since pandas 3, and \"string\"): select the numeric columns with "
                    "pd.api.types.is_numeric_dtype(dtype) (or select_dtypes(include='number')).",
                    when=lambda g, w: isinstance(g, str) and g.startswith("TypeError") and "str" in g)
        obj = Hint("get_dummies returns bool columns, and a frame mixing floats and bools gives an object array from "
                   ".values, which torch.tensor refuses: convert with all_features.to_numpy(dtype=np.float32) (or "
                   ".astype(np.float32)) first.", when=lambda g, w: isinstance(g, str) and "object_" in g)
        fail(prop, inputs=inputs, expected="two float32 tensors", got=f"{type(e).__name__}: {e}",
             hints=[hint, obj, *hints])
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(prop, inputs=inputs, expected="a pair (train_features, test_features)", got=out)
    return after[0], after[1], out


def _shape_hints(hf):
    F = hf.n_features()
    n_txt = len(hf.text())

    def width(g):
        return g.shape[1] if isinstance(g, torch.Tensor) and g.dim() == 2 else None

    return [
        Hint("one column too many: is `Id` still there? Drop it from both frames (it is a row number, not a "
             "feature), and drop `SalePrice` from train (it is the label).",
             when=lambda g, w: width(g) == F + 1),
        Hint(f"{n_txt} column(s) short: every text column gets a \"missing\" indicator column, also when nothing is "
             "missing: pd.get_dummies(all_features, dummy_na=True).",
             when=lambda g, w: n_txt > 0 and width(g) == F - n_txt),
        Hint("concatenate train (without Id and SalePrice) and test (without Id) before get_dummies, so that both "
             "get the same columns — and split the rows back with the number of training rows.",
             when=lambda g, w: width(g) is not None and width(g) not in (F + 1, F - n_txt)),
    ]


def _value_hints(hf, want):
    """Hints for the standardisation mistakes; each builds its mistaken reference only when a test has failed."""
    n_num = len(hf.numeric())
    mistakes = [
        ("the numeric columns are divided by the variance: (x − mean)/σ² has standard deviation 1/σ, not 1. "
         "Divide by the standard deviation x.std() (the seed says 除以方差 — a slip: 标准差, not 方差).",
         dict(power=2)),
        ("the mean and std come from the training rows only: d2l standardises over train and test together "
         "(the test features are available, only their labels are not).", dict(train_only=True)),
        ("std with ddof=0 (np.std's default, or unbiased=False): use pandas' Series.std(), ddof=1.",
         dict(std_ddof=0)),
        ("missing values were filled before standardising, so the filler values took part in the mean and std. "
         "Standardise first (mean and std skip NaN), then fillna(0): after standardising 0 is the mean.",
         dict(fill_first="zero")),
        ("missing values were filled with the mean before standardising: that shrinks the std (the filled rows "
         "count with deviation 0). Standardise first, then fillna(0).", dict(fill_first="mean")),
    ]

    def made(kwargs):
        def when(g, w):
            if not (isinstance(g, torch.Tensor) and g.dim() == 2 and g.shape[0] == hf.n):
                return False
            ref = reference_features(hf, **kwargs)[:, :n_num]
            return _near(g[:, :n_num], ref, 1e-4) and not _near(want[:, :n_num], ref, 1e-9)
        return when

    return [Hint(text, when=made(kwargs)) for text, kwargs in mistakes]


def _together(out):
    a, b = out
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dim() == 2 and b.dim() == 2 \
            and a.shape[1] == b.shape[1]:
        return torch.cat([a, b])
    return a


# ----------------------------------------------------------------------------------------------- preprocess
@pytest.mark.core("preprocess")
@settings(max_examples=15)
@given(hf=house_frames())
@example(hf=EXAMPLE_FRAMES)
def test_preprocess_matches_reference(kata, hf):
    """preprocess gives d2l's features: standardised numeric columns (NaN → 0), then one-hot text columns with a missing indicator"""
    prop = "preprocess(train, test) = the d2l 4.10 features (numeric standardised over train+test, then dummies)"
    want = reference_features(hf)
    train, test, out = _run_preprocess(kata, hf, prop)
    n_tr, F = hf.n_train, want.shape[1]
    inputs = {"frames": hf}
    for part, rows, name in ((out[0], n_tr, "train_features"), (out[1], hf.n - n_tr, "test_features")):
        expect_tensor(part, f"{name} is a float32 tensor of shape ({rows}, {F})", inputs=inputs, shape=(rows, F),
                      dtype=torch.float32, hints=_shape_hints(hf))
    got = torch.cat(out)
    expect(not bool(got.isnan().any()), "the features contain no NaN (missing numbers become 0 after standardising)",
           inputs=inputs, expected="no NaN", got=got,
           hints=["fill the missing numeric values with 0 after standardising: all_features[numeric].fillna(0)."])
    expect_close(got, want, prop, inputs=inputs, atol=1e-5, rtol=1e-5, hints=_value_hints(hf, want) + [
        Hint("the columns are in a different order: the numeric columns first, in their original order, then "
             "get_dummies' columns (its categories are sorted, the missing indicator last).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape
             and not _near(g, w) and _near(g.sort(dim=1).values, w.sort(dim=1).values, 1e-4))])


@settings(max_examples=10)
@given(hf=house_frames())
@example(hf=EXAMPLE_FRAMES)
def test_numeric_standardised_and_text_one_hot(kata, hf):
    """numeric columns have mean 0 and std 1 over their present values (0 where missing); each text column becomes 0/1 columns with one 1 per row, the last marking missing values"""
    train, test, out = _run_preprocess(kata, hf, "preprocess runs")
    inputs = {"frames": hf}
    got = _together(out)
    expect_tensor(got, "preprocess returns float32 tensors with one column per feature", inputs=inputs,
                  shape=(hf.n, hf.n_features()), hints=_shape_hints(hf))
    want = reference_features(hf)
    hints = _value_hints(hf, want)
    for j, (name, _, values, _) in enumerate(hf.numeric()):
        present = torch.tensor([v is not None for v in values])
        col = got[:, j].double()
        x = col[present]
        mean, std = float(x.mean()), float(x.std())
        expect(abs(mean) < 1e-5 and abs(std - 1) < 1e-5,
               f"numeric column {name!r} (output column {j}) has mean 0 and std 1 (ddof=1) over its present values",
               inputs=inputs, expected="mean 0, std 1", got=f"mean {mean:.6g}, std {std:.6g}",
               hints=[Hint(h.text, when=lambda g, w, h=h: h.applies(got, want)) for h in hints])
        if not bool(present.all()):
            expect(bool((col[~present] == 0).all()), f"missing values of {name!r} become 0 (the mean, after "
                   "standardising)", inputs=inputs, expected="0 where the value was missing",
                   got=col[~present])
    start = len(hf.numeric())
    for name, _, values, _ in hf.text():
        width = len({v for v in values if v is not None}) + 1
        block = got[:, start:start + width]
        expect(bool(((block == 0) | (block == 1)).all()) and bool((block.sum(dim=1) == 1).all()),
               f"the dummy block of {name!r} (columns {start}…{start + width - 1}) has exactly one 1 per row",
               inputs=inputs, expected="rows of 0s with a single 1", got=block)
        missing = torch.tensor([1.0 if v is None else 0.0 for v in values])
        expect_equal(block[:, -1].double(), missing.double(),
                     f"the last column of {name!r}'s block is 1 exactly where the value is missing (dummy_na=True)",
                     inputs=inputs)
        start += width


@settings(max_examples=3)
@given(hf=house_frames())
@example(hf=EXAMPLE_FRAMES)
def test_preprocess_leaves_frames_unchanged(kata, hf):
    """preprocess does not modify the frames it is given"""
    import pandas as pd
    train, test, _ = _run_preprocess(kata, hf, "preprocess runs")   # described as (columns, dtypes, csv)
    want_train, want_test = (describe_frame(f) for f in hf.frames())
    for got, want, name in ((train, want_train, "train_df"), (test, want_test, "test_df")):
        expect(got == want, f"preprocess leaves {name} unchanged", inputs={"frames": hf},
               expected=f"{name} with columns {list(want[0])}", got=f"columns {list(got[0])}",
               hints=["work on new frames: df.drop(columns=[...]) returns a copy; drop(..., inplace=True) or "
                      "assigning into train_df changes the caller's data."])


# ----------------------------------------------------------------------------------------------- log_rmse
def _log_rmse_oracle(preds, labels):
    p = preds.double().clamp(min=1.0)
    return math.sqrt(float(((p.log() - labels.double().log()) ** 2).mean()))


@st.composite
def preds_and_labels(draw):
    n = draw(st.integers(1, 8))
    shape = draw(st.sampled_from([(n, 1), (n,)]))
    labels = draw(st.lists(st.integers(10_000, 1_000_000), min_size=n, max_size=n))
    preds = draw(st.lists(st.one_of(st.integers(10_000, 1_000_000), st.integers(-1000, 3)), min_size=n, max_size=n))
    return (torch.tensor(preds, dtype=torch.float32).reshape(shape),
            torch.tensor(labels, dtype=torch.float32).reshape(shape))


def _log_rmse_hints(preds, labels):
    p, y = preds.double(), labels.double()
    raws = [math.sqrt(float(((q - y) ** 2).mean())) for q in (p, p.clamp(min=1.0))]
    return [
        Hint("clamp the predictions to at least 1 before the log (torch.clamp(preds, 1, float('inf'))): log of 0 "
             "is −inf and log of a negative number is NaN.",
             when=lambda g, w: isinstance(g, float) and not math.isfinite(g)),
        Hint("that is the RMSE of the prices themselves: take the logs first, sqrt(mean((log ŷ − log y)²)) — "
             "a relative error, the same for a cheap and an expensive house.",
             when=lambda g, w: isinstance(g, (int, float)) and any(abs(g - r) <= 1e-4 * (1 + r) for r in raws)),
        Hint("return a Python float: rmse.item().",
             when=lambda g, w: isinstance(g, torch.Tensor) or (isinstance(g, str) and "Tensor" in g)),
    ]


@pytest.mark.core("log_rmse")
@settings(max_examples=25)
@given(pl=preds_and_labels())
@example(pl=(torch.tensor([[200000.0], [0.0], [-50.0]]), torch.tensor([[180000.0], [120000.0], [90000.0]])))
@example(pl=(torch.tensor([150000.0, 300000.0]), torch.tensor([100000.0, 300000.0])))
def test_log_rmse_matches_formula(kata, pl):
    """log_rmse = sqrt(mean((log max(ŷ, 1) − log y)²)) as a Python float, also for predictions ≤ 0"""
    preds, labels = pl
    inputs = {"preds": preds, "labels": labels}
    prop = "log_rmse(preds, labels) = sqrt(mean((log clamp(preds, 1) − log labels)²))"
    hints = _log_rmse_hints(preds, labels)
    got = kata.log_rmse(preds.clone(), labels.clone())
    if not isinstance(got, float):
        fail("log_rmse returns a Python float", inputs=inputs, expected="a float",
             got=f"{type(got).__name__}: {got!r}", hints=hints, hint_got=got)
    expect_close(got, _log_rmse_oracle(preds, labels), prop, inputs=inputs, atol=1e-6, rtol=1e-5, hints=hints)


# ----------------------------------------------------------------------------------------------- k-fold
def _k_fold_oracle(k, i, X, y):
    folds = torch.tensor_split(torch.arange(X.shape[0]), k)
    train = torch.cat([f for j, f in enumerate(folds) if j != i])
    return X[train], y[train], X[folds[i]], y[folds[i]]


def _rows(X):
    """The row numbers of X (the graders' X has X[r, 0] = 10·r)."""
    return [int(v) // 10 for v in X[:, 0].tolist()] if isinstance(X, torch.Tensor) and X.dim() == 2 else X


def _kfold_call(kata, k, i, X, y, inputs):
    out = kata.get_k_fold_data(k, i, X.clone(), y.clone())
    if not (isinstance(out, tuple) and len(out) == 4):
        fail("get_k_fold_data returns (X_train, y_train, X_valid, y_valid)", inputs=inputs,
             expected="a tuple of 4 tensors", got=out)
    return out


def _data(n, d=2):
    X = (10 * torch.arange(n, dtype=torch.float32)).reshape(n, 1) + torch.arange(d, dtype=torch.float32)  # (n, d)
    y = 10 * torch.arange(n, dtype=torch.float32).reshape(n, 1) + 0.5
    return X, y


@settings(max_examples=20)
@given(n=st.integers(2, 23), data=st.data())
@example(n=10, data=None)
@example(n=23, data=None)
def test_folds_partition_the_rows(kata, n, data):
    """the k validation folds partition the rows: every row in exactly one, sizes differing by at most one"""
    k = 4 if data is None else data.draw(st.integers(2, min(n, 7)), label="k")
    X, y = _data(n)
    inputs = {"n": n, "k": k}
    valid_rows, sizes = [], []
    for i in range(k):
        _, _, Xv, _ = _kfold_call(kata, k, i, X, y, {**inputs, "i": i})
        expect_tensor(Xv, "X_valid is a tensor", inputs={**inputs, "i": i})
        valid_rows += _rows(Xv)
        sizes.append(Xv.shape[0])
    expect(sorted(valid_rows) == list(range(n)),
           "over i = 0…k−1 the validation folds contain every row exactly once", inputs=inputs,
           expected=f"rows 0…{n - 1} once each", got=f"rows {sorted(valid_rows)} (fold sizes {sizes})",
           hints=[Hint(f"rows {sorted(set(range(n)) - set(valid_rows))} are in no fold: fold_size = n // k drops the "
                       "last n mod k rows (d2l's version). Use torch.tensor_split(torch.arange(n), k).",
                       when=lambda g, w: len(valid_rows) < n)])
    expect(max(sizes) - min(sizes) <= 1, "fold sizes differ by at most one (torch.tensor_split's folds)",
           inputs=inputs, expected=[len(f) for f in torch.tensor_split(torch.arange(n), k)], got=sizes,
           hints=["give the n mod k extra rows to the first folds, one each: torch.tensor_split(torch.arange(n), k) "
                  "does exactly that."])


@pytest.mark.core("get_k_fold_data")
@settings(max_examples=20)
@given(n=st.integers(2, 23), data=st.data())
@example(n=10, data=None)
def test_k_fold_matches_tensor_split(kata, n, data):
    """fold i is the i-th block of torch.tensor_split(arange(n), k); the training rows are the others, in order"""
    if data is None:
        k, i = 3, 1
    else:
        k = data.draw(st.integers(2, min(n, 7)), label="k")
        i = data.draw(st.integers(0, k - 1), label="i")
    X, y = _data(n)
    inputs = {"k": k, "i": i, "X (row r is [10r, 10r+1])": X, "y (row r is 10r + 0.5)": y}
    want = _k_fold_oracle(k, i, X, y)
    got = _kfold_call(kata, k, i, X, y, inputs)
    folds = [f.tolist() for f in torch.tensor_split(torch.arange(n), k)]
    names = ("X_train", "y_train", "X_valid", "y_valid")
    off = Hint(f"your validation rows are another fold's: fold i (0-based) of {folds} is the validation set.",
               when=lambda g, w: isinstance(g, torch.Tensor) and _rows(g) in [f for f in folds if f != folds[i]])
    order = Hint("the training rows must keep their original order: concatenate the folds before fold i, then "
                 "those after it.",
                 when=lambda g, w: isinstance(g, torch.Tensor) and isinstance(w, torch.Tensor)
                 and sorted(_rows(g)) == sorted(_rows(w)) and _rows(g) != _rows(w))
    sizes = Hint(f"fold {i} of k = {k} is rows {folds[i]}: torch.tensor_split(torch.arange(n), k) gives the first "
                 f"n mod k = {n % k} folds one extra row each (the folds are {folds}).",
                 when=lambda g, w: isinstance(g, torch.Tensor) and g.dim() == 2 and _rows(g) != folds[i]
                 and _rows(g) not in folds)
    for name, g, w in sorted(zip(names, got, want), key=lambda t: "valid" not in t[0]):   # X_valid first
        if name.startswith("y"):
            continue
        expect_equal(g, w, f"{name} = the rows {'of fold i' if 'valid' in name else 'outside fold i, in order'}",
                     inputs=inputs, hints=[off, order] + ([sizes] if "valid" in name else []))
    for name, g, w in zip(names, got, want):
        expect_equal(g, w, f"{name} holds the labels of the same rows as {name.replace('y_', 'X_')}",
                     inputs=inputs)
