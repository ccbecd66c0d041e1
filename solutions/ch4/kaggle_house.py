"""Kaggle house prices: preprocessing and k-fold · 实战Kaggle比赛:预测房价

d2l-zh §4.10 (实战Kaggle比赛:预测房价). The notes "Kaggle比赛" and the notes "预处理技巧:1. 缺失值替换为平均值。
2. 将特征重新缩放到零均值和单位方差来标准化数据(x-均值除以方差)3. 对于离散的分类,可以使用one-hot编码".

The story. The seed's three preprocessing tricks are exactly d2l's, with one slip worth a kata: standardising divides
by the **standard deviation**, not the variance ("除以方差" — 方差 is σ², 标准差 is σ). x ↦ (x − μ)/σ gives mean 0 and
variance 1 ("零均值和单位方差" is right: unit variance *and* unit standard deviation, since √1 = 1); (x − μ)/σ² has
standard deviation 1/σ, which is not 1 unless σ = 1. The order matters too: standardise first, *then* replace the
missing values by 0 — after standardising, 0 *is* the mean, so that is trick 1 for free. Filling first (with 0, or
even with the mean) changes the mean and shrinks the standard deviation of the column you then standardise.

The competition's loss is the RMSE of log prices, which treats a $10k error on a $100k house like a $100k error on
a $1M one; and k-fold cross-validation picks hyper-parameters on ~1460 rows. d2l's `get_k_fold_data` uses
fold_size = n // k and silently drops the last n mod k rows; here the folds are `torch.tensor_split`'s, so every
row is used.

A pandas note. d2l finds the numeric columns with `all_features.dtypes[all_features.dtypes != 'object']`. Since
pandas 3 text columns have the dtype "str" (a StringDtype), not "object", so that test calls them numeric and the
standardisation crashes on strings. Ask pandas instead: `pd.api.types.is_numeric_dtype(dtype)` works on pandas 2
and 3, for every string dtype.
"""
import numpy as np
import pandas as pd
import torch


def preprocess(train_df: pd.DataFrame, test_df: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
    """The d2l 4.10 features: standardised numeric columns, then one-hot categoricals with a NaN indicator.

    Steps, on the concatenation of train (without ``Id`` and ``SalePrice``) and test (without ``Id``):

    1. numeric columns (``pd.api.types.is_numeric_dtype``): x ↦ (x − mean) / std, with the mean and the standard
       deviation of the column over train **and** test rows together, ignoring missing values; std is pandas'
       default ``Series.std()`` (ddof = 1);
    2. then missing numeric values ↦ 0 (the mean, after step 1);
    3. the other (text) columns: ``pd.get_dummies(all_features, dummy_na=True)`` — one 0/1 column per category,
       in sorted order, plus one for "missing", for every text column (also when nothing is missing).

    Output columns: the numeric columns in their original order, then the dummy columns (that is get_dummies'
    order). The first len(train_df) rows are the training features, the rest the test features.

    Args:
        train_df: the raw training frame: an ``Id`` column, feature columns, and ``SalePrice``.
        test_df: the raw test frame: ``Id`` and the same feature columns (no ``SalePrice``).

    Returns:
        (train_features (n_train, F), test_features (n_test, F)), float32 tensors without NaN.

    Do not modify the frames you are given (``drop`` returns a new frame; ``inplace=True`` would not). Compute in
    float64 (pandas does) and convert to float32 at the end. ``get_dummies`` returns bool columns, and a frame mixing
    floats and bools gives an *object* array from ``.values``: use ``.to_numpy(dtype=np.float32)`` (or
    ``astype``) before ``torch.tensor``.
    """
    ### BEGIN SOLUTION
    all_features = pd.concat((train_df.drop(columns=["Id", "SalePrice"]), test_df.drop(columns=["Id"])))
    numeric = [c for c in all_features.columns if pd.api.types.is_numeric_dtype(all_features[c].dtype)]
    all_features[numeric] = all_features[numeric].apply(lambda x: (x - x.mean()) / x.std())
    all_features[numeric] = all_features[numeric].fillna(0)
    all_features = pd.get_dummies(all_features, dummy_na=True)
    values = torch.tensor(all_features.to_numpy(dtype=np.float32))   # (n_train + n_test, F)
    n_train = train_df.shape[0]
    return values[:n_train], values[n_train:]
    ### END SOLUTION


def log_rmse(preds: torch.Tensor, labels: torch.Tensor) -> float:
    """Root-mean-squared error of the logarithms, the competition's metric, as a Python float:

        sqrt( mean( (log max(ŷ, 1) − log y)² ) )

    Predictions below 1 are clamped to 1 first (a model may predict 0 or a negative price early in training, and
    log of those is −inf or NaN). ``preds`` and ``labels`` have the same shape, e.g. (n, 1); labels are > 0.
    """
    ### BEGIN SOLUTION
    clipped = torch.clamp(preds, min=1.0)
    return torch.sqrt(((torch.log(clipped) - torch.log(labels)) ** 2).mean()).item()
    ### END SOLUTION


def get_k_fold_data(k: int, i: int, X: torch.Tensor, y: torch.Tensor):
    """Fold i of k-fold cross-validation: (X_train, y_train, X_valid, y_valid).

    The folds are ``torch.tensor_split(torch.arange(n), k)``: k consecutive blocks of rows whose sizes differ by at
    most one (the first n mod k folds have one row more), so every row is in exactly one fold. Fold i is the
    validation set; the other folds, concatenated **in their original order**, are the training set. (d2l uses
    fold_size = n // k and drops the last n mod k rows: don't.)

    Args:
        k: the number of folds, 2 ≤ k ≤ n.
        i: the validation fold, 0 ≤ i < k.
        X: (n, ...) features; y: (n, ...) labels (same first dimension).
    """
    ### BEGIN SOLUTION
    folds = torch.tensor_split(torch.arange(X.shape[0], device=X.device), k)   # k index blocks
    valid = folds[i]
    train = torch.cat([f for j, f in enumerate(folds) if j != i])
    return X[train], y[train], X[valid], y[valid]
    ### END SOLUTION
