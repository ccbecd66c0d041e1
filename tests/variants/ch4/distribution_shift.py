"""Recorded buggy variants of ch4/distribution_shift.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
from textwrap import dedent

# A correct Newton fit, shared by several covariate mutants (they differ only in what they do with the logit).
_NEWTON = '''
    def _fit_logit(X_train, X_test, intercept=True):
        n_tr, n_te = X_train.shape[0], X_test.shape[0]
        A = torch.cat([X_train, X_test]).to(torch.float64)
        if intercept:
            A = torch.cat([A, torch.ones(A.shape[0], 1, dtype=A.dtype)], dim=1)
        z = torch.cat([torch.zeros(n_tr), torch.ones(n_te)]).to(A)
        theta = torch.zeros(A.shape[1], dtype=A.dtype)
        for _ in range(50):
            s = torch.sigmoid(A @ theta)
            hess = (A * (s * (1 - s))[:, None]).T @ A
            step = torch.linalg.lstsq(hess, (A.T @ (s - z))[:, None]).solution[:, 0]
            theta = theta - step
            if float(step.abs().max()) < 1e-10:
                break
        return A[:n_tr] @ theta
'''

MUTANTS = {
    # ------------------------------------------------------------------ covariate_weights
    "missing_size_ratio": {
        "why": "d2l's β = exp(h(x)), which assumes n_train = n_test",
        "feedback": "n_train / n_test",
        "source": dedent(_NEWTON) + dedent('''
            def covariate_weights(X_train, X_test, clip=None):
                beta = torch.exp(_fit_logit(X_train, X_test))
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta.to(X_train.dtype)
        '''),
    },
    "inverted_size_ratio": {
        "why": "multiplies by n_test/n_train instead of n_train/n_test",
        "feedback": "n_train / n_test",
        "source": dedent(_NEWTON) + dedent('''
            def covariate_weights(X_train, X_test, clip=None):
                beta = torch.exp(_fit_logit(X_train, X_test)) * X_test.shape[0] / X_train.shape[0]
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta.to(X_train.dtype)
        '''),
    },
    "no_intercept": {
        "why": "logistic regression without a bias: h(x) = w·x cannot represent log β = x − ½ + log(n_te/n_tr)",
        "feedback": "intercept",
        "source": dedent(_NEWTON) + dedent('''
            def covariate_weights(X_train, X_test, clip=None):
                n_tr, n_te = X_train.shape[0], X_test.shape[0]
                beta = torch.exp(_fit_logit(X_train, X_test, intercept=False)) * n_tr / n_te
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta.to(X_train.dtype)
        '''),
    },
    "exp_minus_h": {
        "why": "β = exp(−h(x)) (train labelled 1 and test 0, or the sign of the logit flipped): that is q/p",
        "feedback": "exp(h(x))",
        "source": dedent(_NEWTON) + dedent('''
            def covariate_weights(X_train, X_test, clip=None):
                n_tr, n_te = X_train.shape[0], X_test.shape[0]
                beta = torch.exp(-_fit_logit(X_train, X_test)) * n_tr / n_te
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta.to(X_train.dtype)
        '''),
    },
    "probability_not_odds": {
        "why": "uses the probability σ(h) = P(test | x) as the weight instead of the odds exp(h)",
        "feedback": "odds",
        "source": dedent(_NEWTON) + dedent('''
            def covariate_weights(X_train, X_test, clip=None):
                n_tr, n_te = X_train.shape[0], X_test.shape[0]
                beta = torch.sigmoid(_fit_logit(X_train, X_test)) * n_tr / n_te
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta.to(X_train.dtype)
        '''),
    },
    "clip_ignored": {
        "why": "never applies clip",
        "feedback": "min(β, clip)",
        "source": dedent(_NEWTON) + dedent('''
            def covariate_weights(X_train, X_test, clip=None):
                n_tr, n_te = X_train.shape[0], X_test.shape[0]
                return (torch.exp(_fit_logit(X_train, X_test)) * n_tr / n_te).float()
        '''),
    },
    "random_init_sgd": {
        "why": "random initial weights and shuffled mini-batches drawn from the global RNG: not deterministic",
        "feedback": "deterministic",
        "source": '''
            def covariate_weights(X_train, X_test, clip=None):
                n_tr, n_te = X_train.shape[0], X_test.shape[0]
                X = torch.cat([X_train, X_test]).float()
                y = torch.cat([torch.zeros(n_tr), torch.ones(n_te)])
                w = torch.randn(X.shape[1]) * 0.01
                b = torch.zeros(())
                for _ in range(3):
                    for idx in torch.randperm(len(y)).split(256):
                        s = torch.sigmoid(X[idx] @ w + b)
                        w = w - 0.5 * X[idx].T @ (s - y[idx]) / len(idx)
                        b = b - 0.5 * (s - y[idx]).mean()
                beta = torch.exp(X_train.float() @ w + b) * n_tr / n_te
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta
        ''',
    },
    "uses_sklearn": {
        "why": "calls scikit-learn's LogisticRegression",
        "feedback": "not allowed",
        "source": '''
            def covariate_weights(X_train, X_test, clip=None):
                from sklearn.linear_model import LogisticRegression
                n_tr, n_te = X_train.shape[0], X_test.shape[0]
                X = torch.cat([X_train, X_test]).numpy()
                z = [0] * n_tr + [1] * n_te
                clf = LogisticRegression(C=1e6).fit(X, z)
                beta = torch.exp(torch.tensor(clf.decision_function(X_train.numpy()))) * n_tr / n_te
                if clip is not None:
                    beta = beta.clamp(max=clip)
                return beta.to(X_train.dtype)
        ''',
    },
    # ------------------------------------------------------------------ label_shift_weights
    "transposed_confusion": {
        "why": "solves Cᵀ·p = μ (rows and columns of C mixed up)",
        "feedback": "μ = C·p",
        "source": '''
            def label_shift_weights(C, mu_pred, q_y):
                p = torch.linalg.solve(C.double().T, mu_pred.double())
                return (p / q_y.double()).to(mu_pred.dtype)
        ''',
    },
    "divides_by_q_twice": {
        "why": "builds the joint matrix C·diag(q), whose solution is already β, then divides by q again",
        "feedback": "already",
        "source": '''
            def label_shift_weights(C, mu_pred, q_y):
                joint = C.double() * q_y.double()[None, :]
                x = torch.linalg.solve(joint, mu_pred.double())
                return (x / q_y.double()).to(mu_pred.dtype)
        ''',
    },
    "returns_p_not_beta": {
        "why": "reads d2l's C as the joint distribution and takes the solution C⁻¹μ as β: with the conditional C "
               "that solution is p(y), the division by q is missing",
        "feedback": "divide",
        "source": '''
            def label_shift_weights(C, mu_pred, q_y):
                return torch.linalg.solve(C.double(), mu_pred.double()).to(mu_pred.dtype)
        ''',
    },
    "normalises_rows": {
        "why": "\"normalises\" C so that its rows sum to 1 (rows = predictions: the columns are what sum to 1)",
        "feedback": "columns",
        "source": '''
            def label_shift_weights(C, mu_pred, q_y):
                C = C.double() / C.double().sum(dim=1, keepdim=True)
                p = torch.linalg.solve(C, mu_pred.double())
                return (p / q_y.double()).to(mu_pred.dtype)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l-style: full-batch gradient descent in float32 on standardised features, from zeros, then undo the scaling
    # implicitly (the logit is the same function of x).
    "gradient_descent_float32": '''
        def covariate_weights(X_train, X_test, clip=None):
            n_tr, n_te = len(X_train), len(X_test)
            X = torch.cat([X_train, X_test]).float()
            dev = X.device
            mean, std = X.mean(dim=0), X.std(dim=0).clamp(min=1e-6)
            Xs = (X - mean) / std
            y = torch.cat([torch.zeros(n_tr, device=dev), torch.ones(n_te, device=dev)])
            w = torch.zeros(X.shape[1], device=dev)
            b = torch.zeros((), device=dev)
            for _ in range(300):
                err = torch.sigmoid(Xs @ w + b) - y
                w = w - 2.0 * (Xs.T @ err) / len(y)
                b = b - 2.0 * err.mean()
            beta = (torch.exp(Xs[:n_tr] @ w + b) * (n_tr / n_te)).to(X_train.dtype)
            return beta if clip is None else beta.clamp(max=float(clip))
    ''',
    # class-balanced logistic regression: weighting each class by 1/its size removes the prior odds, so the logit
    # is log p/q itself and β = exp(h) with no size ratio. Newton with autograd-free closed forms, in a loop.
    "balanced_weights_newton": '''
        def covariate_weights(X_train, X_test, clip=None):
            n_tr, n_te = X_train.shape[0], X_test.shape[0]
            dev = X_train.device
            A = torch.cat([torch.cat([X_train, X_test]).double(),
                           torch.ones(n_tr + n_te, 1, dtype=torch.float64, device=dev)], dim=1)
            z = torch.cat([torch.zeros(n_tr, device=dev), torch.ones(n_te, device=dev)]).double()
            c = torch.cat([torch.full((n_tr,), 1.0 / n_tr, device=dev),
                           torch.full((n_te,), 1.0 / n_te, device=dev)]).double()
            theta = torch.zeros(A.shape[1], dtype=torch.float64, device=dev)
            for _ in range(100):
                s = torch.sigmoid(A @ theta)
                g = A.T @ (c * (s - z))
                H = A.T @ (A * (c * s * (1 - s))[:, None])
                step = torch.linalg.pinv(H) @ g
                theta = theta - step
                if step.abs().max() < 1e-12:
                    break
            beta = torch.exp(A[:n_tr] @ theta)
            if clip is not None:
                beta = torch.where(beta > clip, torch.full_like(beta, clip), beta)
            return beta.to(X_train.dtype)
    ''',
    "solve_joint_system": '''
        def label_shift_weights(C, mu_pred, q_y):
            # the joint matrix J[i, j] = P(ŷ=i, y=j) = C[i, j]·q_j solves J·β = μ directly
            J = C.double() * q_y.double()[None, :]
            return torch.linalg.solve(J, mu_pred.double()).to(C.dtype)
    ''',
    "inverse_float32": '''
        def label_shift_weights(C, mu_pred, q_y):
            p = torch.linalg.inv(C.float()) @ mu_pred.float()
            return (p / q_y.float()).to(C.dtype)
    ''',
    "lstsq": '''
        def label_shift_weights(C, mu_pred, q_y):
            p = torch.linalg.lstsq(C, mu_pred.unsqueeze(1)).solution.squeeze(1)
            return p / q_y
    ''',
}
