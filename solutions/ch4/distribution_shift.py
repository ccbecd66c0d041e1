"""Correcting covariate and label shift · 协变量偏移与标签偏移的纠正

d2l-zh §4.9 (环境和分布偏移), §4.9.3 (分布偏移纠正). The notes: "分布偏移(训练数据与测试数据分布不同 …),
均有对应解决方法(书里的公式没看懂)" — the learner did not follow the book's formulas. This kata derives them, and then
you implement them.

Notation. Training examples come from q (train), test examples from p (test). We want the risk under p but only
have labelled data from q. For any function f,

    E_p[f(x)] = ∫ f(x) p(x) dx = ∫ f(x) (p(x)/q(x)) q(x) dx = E_q[β(x) f(x)],     β(x) = p(x)/q(x),

so training with each example's loss multiplied by β(x_i) minimises (an estimate of) the test risk. Everything is
about estimating β. Two facts follow from the definition and are worth remembering: β ≥ 0, and E_q[β] = 1
(∫ (p/q) q = ∫ p = 1) — reweighting does not change the total weight, only where it sits.

**Covariate shift** (p(x) ≠ q(x), the same P(y|x)). We never know p or q, but we can *tell them apart*: stack the
n_tr training inputs (label z = 0) and the n_te test inputs (label z = 1) and fit a classifier. In the stacked
sample a point x comes from the test set with probability

    P(z=1 | x) = n_te·p(x) / (n_te·p(x) + n_tr·q(x))                                   (Bayes' rule)

so the odds are

    P(z=1 | x) / P(z=0 | x) = (n_te/n_tr) · p(x)/q(x).

Logistic regression models the log-odds (the logit) as h(x) = w·x + b, i.e. P(z=1|x) = σ(h(x)) and
σ(h)/(1 − σ(h)) = exp(h). Put the two together:

    exp(h(x)) = (n_te/n_tr) · β(x)      ⇒      β(x) = exp(h(x)) · n_tr / n_te.

d2l writes β = exp(h(x)) (its §4.9.3.2): that is the special case n_tr = n_te, where the prior odds are 1. With
unequal sizes the intercept b absorbs log(n_te/n_tr) and you must undo it — hence the factor n_tr/n_te. (The
intercept also matters for a second reason: for two Gaussians with equal variance log p/q is *affine*, e.g.
q = N(0,1), p = N(1,1) gives log β(x) = x − ½; without b the model cannot even represent it.) Large weights come from
points that look much more like test than train; clipping β at a constant trades a little bias for much less variance.

**Label shift** (p(y) ≠ q(y), the same P(x|y)). Train any classifier f on the training data and measure on held-out
training data its confusion matrix, as *conditional* probabilities

    C[i, j] = P(f(x) = i | y = j)           (column j: what f predicts for class j; every column sums to 1).

Because P(x|y) does not change, neither does C. On the unlabelled test set we can count μ[i] = P_test(f(x) = i),
and by the law of total probability

    μ[i] = Σ_j P(f(x)=i | y=j) · p(y=j)      i.e.      μ = C · p.

Solve this k×k linear system for p (the test label distribution); then β_j = p(y=j) / q(y=j). d2l §4.9.3.3
describes C's cells as "fractions of all predictions" — that is the *joint* P(ŷ=i, y=j) = C[i, j]·q_j, and solving
the joint system C_joint·x = μ gives x = p/q = β directly, not p. Mixing up the two (solving with one and
interpreting the result as the other) divides by q once too often or not at all.
"""
import torch


def covariate_weights(X_train: torch.Tensor, X_test: torch.Tensor, clip: float | None = None) -> torch.Tensor:
    """Importance weights β(x_i) = p(x_i)/q(x_i) for the training examples, by logistic regression.

    Fit a logistic regression *with an intercept* that tells test inputs (label 1) from training inputs (label 0)
    on the stacked data; with h(x) = w·x + b its logit,

        β(x) = exp(h(x)) · n_train / n_test,          then β = min(β, clip) when ``clip`` is given.

    Args:
        X_train: (n_train, d) float tensor, inputs drawn from q.
        X_test: (n_test, d) float tensor, inputs drawn from p.
        clip: an upper bound for the weights, or None.

    Returns:
        (n_train,) tensor of weights ≥ 0 in X_train's dtype: β for each *training* example.

    Any reasonable full-batch fit works: Newton's method (below, a handful of iterations in float64), or plain
    gradient descent until convergence (start from zeros; standardising the features first makes it fast). It
    must be deterministic: start from zeros, no random initialisation, no mini-batch shuffling. Do not modify the
    inputs. If the two samples are perfectly separable the maximum-likelihood fit does not exist (the weights grow
    without bound); the graders never do that to you.

    Forbidden: scikit-learn and scipy — fit it yourself with torch.
    """
    ### BEGIN SOLUTION
    n_tr, n_te = X_train.shape[0], X_test.shape[0]
    X = torch.cat([X_train, X_test]).to(torch.float64)                      # (n, d)
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype, device=X.device)], dim=1)   # (n, d+1): intercept
    z = torch.cat([torch.zeros(n_tr), torch.ones(n_te)]).to(A)              # (n,) 1 = test
    theta = torch.zeros(A.shape[1], dtype=A.dtype, device=A.device)         # (d+1,) = (w, b)
    for _ in range(50):                                                     # Newton: θ ← θ − H⁻¹ ∇
        s = torch.sigmoid(A @ theta)                                        # (n,)
        grad = A.T @ (s - z)                                                # (d+1,)
        hess = (A * (s * (1 - s))[:, None]).T @ A                           # (d+1, d+1)
        step = torch.linalg.lstsq(hess, grad[:, None]).solution[:, 0]       # lstsq: fine if hess is singular
        theta = theta - step
        if float(step.abs().max()) < 1e-10:
            break
    h = A[:n_tr] @ theta                                                    # (n_tr,) logits of the training rows
    beta = torch.exp(h) * (n_tr / n_te)
    if clip is not None:
        beta = beta.clamp(max=clip)
    return beta.to(X_train.dtype)
    ### END SOLUTION


def label_shift_weights(C: torch.Tensor, mu_pred: torch.Tensor, q_y: torch.Tensor) -> torch.Tensor:
    """Label-shift weights β_j = p(y=j) / q(y=j), from the confusion matrix and the test predictions.

    Solve C · p = μ for p, then β = p / q:

        C[i, j] = P(ŷ = i | y = j)      (k, k), conditional: **every column sums to 1**
        μ[i]    = P_test(ŷ = i)          (k,)  the distribution of the classifier's predictions on the test set
        q[j]    = P_train(y = j)         (k,)  the training label distribution

    Args:
        C: (k, k) float tensor, column-stochastic, invertible.
        mu_pred: (k,) float tensor.
        q_y: (k,) float tensor with positive entries.

    Returns:
        (k,) tensor β in mu_pred's dtype.

    Solve the system (``torch.linalg.solve``, or lstsq); do not clip: with an estimated C the solution p can have
    small negative entries, and what to do about them is a separate decision (the graders give you exact, consistent
    data, where p > 0). Note the orientation: rows of C index the *prediction*, columns the *true* label, so
    μ = C·p, not Cᵀ·p. Do not modify the inputs.
    """
    ### BEGIN SOLUTION
    C64, mu64, q64 = C.to(torch.float64), mu_pred.to(torch.float64), q_y.to(torch.float64)
    p = torch.linalg.solve(C64, mu64)            # (k,) the test label distribution
    return (p / q64).to(mu_pred.dtype)
    ### END SOLUTION
