"""Recorded buggy variants of ch4/kaggle_house.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""


def _preprocess(standardise, numeric="pd.api.types.is_numeric_dtype(all_features[c].dtype)", before="",
                dummies="pd.get_dummies(all_features, dummy_na=True)", drop_train='["Id", "SalePrice"]',
                drop_test='["Id"]'):
    """A preprocess with one step swapped for a buggy one."""
    return f'''
def preprocess(train_df, test_df):
    all_features = pd.concat((train_df.drop(columns={drop_train}), test_df.drop(columns={drop_test})))
    numeric = [c for c in all_features.columns if {numeric}]
{before}    all_features[numeric] = all_features[numeric].apply({standardise})
    all_features[numeric] = all_features[numeric].fillna(0)
    all_features = {dummies}
    values = torch.tensor(all_features.to_numpy(dtype=np.float32))
    n_train = train_df.shape[0]
    return values[:n_train], values[n_train:]
'''


GOOD = "lambda x: (x - x.mean()) / x.std()"

MUTANTS = {
    # ------------------------------------------------------------------ preprocess
    "divides_by_variance": {
        "why": "the seed's S:L10 \"x-均值除以方差\": (x − mean) / variance",
        "feedback": "variance",
        "source": _preprocess("lambda x: (x - x.mean()) / x.var()"),
    },
    "fills_before_standardising": {
        "why": "fillna(0) first, so the zeros take part in the mean and the std",
        "feedback": "standardise first",
        "source": _preprocess(GOOD, before="    all_features[numeric] = all_features[numeric].fillna(0)\n"),
    },
    "fills_mean_before_standardising": {
        "why": "fills with the mean first: the mean survives but the std shrinks",
        "feedback": "shrinks the std",
        "source": _preprocess(GOOD, before="    all_features[numeric] = all_features[numeric].fillna("
                                           "all_features[numeric].mean())\n"),
    },
    "train_statistics_only": {
        "why": "standardises with the mean and std of the training rows only",
        "feedback": "training rows only",
        "source": '''
            def preprocess(train_df, test_df):
                all_features = pd.concat((train_df.drop(columns=["Id", "SalePrice"]), test_df.drop(columns=["Id"])))
                numeric = [c for c in all_features.columns if pd.api.types.is_numeric_dtype(all_features[c])]
                n_train = train_df.shape[0]
                mean = all_features[numeric].iloc[:n_train].mean()
                std = all_features[numeric].iloc[:n_train].std()
                all_features[numeric] = ((all_features[numeric] - mean) / std).fillna(0)
                all_features = pd.get_dummies(all_features, dummy_na=True)
                values = torch.tensor(all_features.to_numpy(dtype=np.float32))
                return values[:n_train], values[n_train:]
        ''',
    },
    "ddof_zero": {
        "why": "the population std (numpy's default ddof=0)",
        "feedback": "ddof=1",
        "source": _preprocess("lambda x: (x - x.mean()) / x.std(ddof=0)"),
    },
    "no_dummy_na": {
        "why": "pd.get_dummies without dummy_na=True: no missing indicator",
        "feedback": "dummy_na=True",
        "source": _preprocess(GOOD, dummies="pd.get_dummies(all_features)"),
    },
    "keeps_id": {
        "why": "forgets to drop Id, which is then standardised as a feature",
        "feedback": "`Id`",
        "source": _preprocess(GOOD, drop_train='["SalePrice"]', drop_test="[]"),
    },
    "object_dtype_check": {
        "why": "d2l's `dtypes != 'object'`: on pandas 3 (dtype \"str\") and for \"string\" columns text is "
               "taken for numbers",
        "feedback": "is_numeric_dtype",
        "source": '''
            def preprocess(train_df, test_df):
                all_features = pd.concat((train_df.iloc[:, 1:-1], test_df.iloc[:, 1:]))
                numeric_features = all_features.dtypes[all_features.dtypes != 'object'].index
                all_features[numeric_features] = all_features[numeric_features].apply(
                    lambda x: (x - x.mean()) / (x.std()))
                all_features[numeric_features] = all_features[numeric_features].fillna(0)
                all_features = pd.get_dummies(all_features, dummy_na=True)
                n_train = train_df.shape[0]
                values = all_features.to_numpy(dtype=np.float32)
                return torch.tensor(values[:n_train]), torch.tensor(values[n_train:])
        ''',
    },
    "drops_in_place": {
        "why": "train_df.drop(..., inplace=True) changes the caller's frames",
        "feedback": "unchanged",
        "source": '''
            def preprocess(train_df, test_df):
                train_df.drop(columns=["Id", "SalePrice"], inplace=True)
                test_df.drop(columns=["Id"], inplace=True)
                all_features = pd.concat((train_df, test_df))
                numeric = [c for c in all_features.columns if pd.api.types.is_numeric_dtype(all_features[c])]
                all_features[numeric] = all_features[numeric].apply(lambda x: (x - x.mean()) / x.std()).fillna(0)
                all_features = pd.get_dummies(all_features, dummy_na=True)
                values = torch.tensor(all_features.to_numpy(dtype=np.float32))
                return values[:len(train_df)], values[len(train_df):]
        ''',
    },
    # ------------------------------------------------------------------ log_rmse
    "log_rmse_no_clamp": {
        "why": "log of the raw predictions: NaN for negative ones, −inf for 0",
        "feedback": "clamp",
        "source": '''
            def log_rmse(preds, labels):
                return torch.sqrt(((torch.log(preds) - torch.log(labels)) ** 2).mean()).item()
        ''',
    },
    "log_rmse_without_logs": {
        "why": "the plain RMSE of the prices",
        "feedback": "logs first",
        "source": '''
            def log_rmse(preds, labels):
                clipped = torch.clamp(preds, 1, float("inf"))
                return torch.sqrt(((clipped - labels) ** 2).mean()).item()
        ''',
    },
    "log_rmse_returns_tensor": {
        "why": "returns the 0-d tensor instead of a float",
        "feedback": ".item()",
        "source": '''
            def log_rmse(preds, labels):
                clipped = torch.clamp(preds, 1, float("inf"))
                return torch.sqrt(((torch.log(clipped) - torch.log(labels)) ** 2).mean())
        ''',
    },
    # ------------------------------------------------------------------ get_k_fold_data
    "d2l_fold_size": {
        "why": "d2l's fold_size = n // k: the last n mod k rows are in no fold",
        "feedback": "n // k",
        "source": '''
            def get_k_fold_data(k, i, X, y):
                fold_size = X.shape[0] // k
                X_train, y_train = None, None
                for j in range(k):
                    idx = slice(j * fold_size, (j + 1) * fold_size)
                    X_part, y_part = X[idx, :], y[idx]
                    if j == i:
                        X_valid, y_valid = X_part, y_part
                    elif X_train is None:
                        X_train, y_train = X_part, y_part
                    else:
                        X_train = torch.cat([X_train, X_part], 0)
                        y_train = torch.cat([y_train, y_part], 0)
                return X_train, y_train, X_valid, y_valid
        ''',
    },
    "last_fold_takes_remainder": {
        "why": "fold_size = n // k, and the last fold takes the n mod k extra rows",
        "feedback": "at most one",
        "source": '''
            def get_k_fold_data(k, i, X, y):
                n = X.shape[0]
                size = n // k
                start, stop = i * size, (n if i == k - 1 else (i + 1) * size)
                rest = torch.cat([torch.arange(0, start), torch.arange(stop, n)])
                return X[rest], y[rest], X[start:stop], y[start:stop]
        ''',
    },
    "fold_off_by_one": {
        "why": "treats i as 1-based: validates on fold i − 1",
        "feedback": "another fold",
        "source": '''
            def get_k_fold_data(k, i, X, y):
                folds = torch.tensor_split(torch.arange(X.shape[0]), k)
                valid = folds[i - 1]
                train = torch.cat([f for j, f in enumerate(folds) if j != i - 1 and j - k != i - 1])
                return X[train], y[train], X[valid], y[valid]
        ''',
    },
    "train_rows_reordered": {
        "why": "training rows = the folds after i, then those before it",
        "feedback": "original order",
        "source": '''
            def get_k_fold_data(k, i, X, y):
                folds = torch.tensor_split(torch.arange(X.shape[0]), k)
                train = torch.cat(list(folds[i + 1:]) + list(folds[:i]))
                return X[train], y[train], X[folds[i]], y[folds[i]]
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # column by column with numpy; dummies built by hand in get_dummies' order
    "numpy_by_hand": '''
        def preprocess(train_df, test_df):
            feats = pd.concat([train_df.drop(columns=["Id", "SalePrice"]), test_df.drop(columns="Id")],
                              ignore_index=True)
            num_cols, dummy_cols = [], []
            for name in feats.columns:
                col = feats[name]
                if pd.api.types.is_numeric_dtype(col.dtype):
                    x = col.to_numpy(dtype=np.float64)
                    z = (x - np.nanmean(x)) / np.nanstd(x, ddof=1)
                    num_cols.append(np.nan_to_num(z, nan=0.0))
                else:
                    missing = col.isna().to_numpy()
                    for level in sorted(col[~missing].unique()):
                        dummy_cols.append((col == level).fillna(False).to_numpy(dtype=np.float64))
                    dummy_cols.append(missing.astype(np.float64))
            M = torch.from_numpy(np.stack(num_cols + dummy_cols, axis=1)).float()
            return M[:len(train_df)], M[len(train_df):]
    ''',
    # d2l's code with the dtype test replaced by select_dtypes; the standardisation in torch (float64)
    "select_dtypes_torch_stats": '''
        def preprocess(train_df, test_df):
            all_features = pd.concat((train_df.iloc[:, 1:-1], test_df.iloc[:, 1:]))
            numeric = all_features.select_dtypes(include="number").columns
            x = torch.tensor(all_features[numeric].to_numpy(dtype=np.float64))
            present = ~x.isnan()
            cnt = present.sum(0)
            mean = torch.where(present, x, 0.0).sum(0) / cnt
            var = (torch.where(present, x - mean, 0.0) ** 2).sum(0) / (cnt - 1)
            z = torch.where(present, (x - mean) / var.sqrt(), 0.0)
            text = all_features.drop(columns=numeric)
            parts = [z]
            if text.shape[1]:      # get_dummies of a frame without columns raises "No objects to concatenate"
                parts.append(torch.tensor(pd.get_dummies(text, dummy_na=True).to_numpy(dtype=np.float64)))
            out = torch.cat(parts, dim=1)
            n_train = len(train_df)
            return out[:n_train].to(torch.float32), out[n_train:].to(torch.float32)
    ''',
    "log_rmse_mse_loss": '''
        def log_rmse(preds, labels):
            loss = torch.nn.MSELoss()
            clipped_preds = torch.clamp(preds, 1, float("inf"))
            rmse = torch.sqrt(loss(torch.log(clipped_preds), torch.log(labels)))
            return rmse.item()
    ''',
    "log_rmse_float64_math": '''
        def log_rmse(preds, labels):
            import math
            d = [math.log(max(float(p), 1.0)) - math.log(float(t))
                 for p, t in zip(preds.reshape(-1), labels.reshape(-1))]
            return math.sqrt(sum(v * v for v in d) / len(d))
    ''',
    "k_fold_manual_sizes": '''
        def get_k_fold_data(k, i, X, y):
            n = X.shape[0]
            sizes = [n // k + (1 if j < n % k else 0) for j in range(k)]
            start = sum(sizes[:i])
            stop = start + sizes[i]
            mask = torch.ones(n, dtype=torch.bool)
            mask[start:stop] = False
            return X[mask], y[mask], X[start:stop], y[start:stop]
    ''',
    "k_fold_array_split": '''
        def get_k_fold_data(k, i, X, y):
            folds = np.array_split(np.arange(X.shape[0]), k)
            train = np.concatenate([f for j, f in enumerate(folds) if j != i])
            return X[torch.from_numpy(train)], y[torch.from_numpy(train)], X[torch.from_numpy(folds[i])], \\
                y[torch.from_numpy(folds[i])]
    ''',
}
