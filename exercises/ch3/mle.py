# Generated from solutions/ch3/mle.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Maximum likelihood and the losses it gives · 最大似然估计与损失函数

d2l-zh §3.1.3 (正态分布与平方损失) and §3.4.5 (softmax 的对数似然); the study notes' "最大似然估计与损失函数" and
"softmax损失函数".

The story. The two losses of chapter 3 are not arbitrary choices: each is a negative log-likelihood. If the noise
of a regression is Gaussian, y = ŷ + ε with ε ~ N(0, σ²), then −log p(y | ŷ) = ½·log(2πσ²) + (y − ŷ)²/(2σ²):
for a fixed σ this is the squared loss, scaled by 1/σ² and shifted by a constant, so it has the same minimiser —
"在高斯噪声的假设下，最小化均方误差等价于对线性模型的极大似然估计" (d2l-zh §3.1.3). If the model outputs class
probabilities, −log P(y | x) = −log ŷ_y is the cross-entropy of the softmax section. And when the data are a plain
sample, the likelihood is maximised in closed form: the sample mean and the **biased** standard deviation for a
Gaussian, the relative frequencies for a categorical distribution. This kata writes the two negative
log-likelihoods (the full ones, constant included, so their values are graded, not only their minimisers) and the
two closed-form estimators.

Conventions (this kata): σ is a **standard deviation** everywhere (the notes write N(mean, std)), so the variance
is σ². Losses reduce by the mean over the examples and return a 0-d tensor of the predictions' dtype; the
estimators return float64. No function changes its inputs.

Forbidden in every function: ``F.gaussian_nll_loss``, ``F.nll_loss``, ``F.cross_entropy`` (and their ``nn``
classes) and ``torch.distributions`` — they are what the graders compare you with.
"""
import math

import torch


def gaussian_nll(y_hat: torch.Tensor, y: torch.Tensor, sigma=1.0) -> torch.Tensor:
    """The mean negative log-likelihood of the targets y under N(ŷ, σ²) (d2l-zh §3.1.3)::

        gaussian_nll = mean_i( ½·log(2πσ²) + (y_i − ŷ_i)² / (2σ²) )

    For a fixed σ this is (1/σ²)·(½·MSE) plus a constant: its gradient in ŷ is the squared loss's gradient divided
    by σ², and it has the same minimiser (the least-squares solution). The constant ½·log(2πσ²) does not move the
    minimiser but it is part of the negative log-likelihood, and the value is graded: keep it.

    Args:
        y_hat: predictions, a float tensor of any shape, e.g. (n,) or (n, 1).
        y: targets with as many elements as ``y_hat``; reshape it to ``y_hat``'s shape first (the ch3
            ``squared_loss`` rule: (n, 1) − (n,) would broadcast to an (n, n) matrix).
        sigma: the noise's **standard deviation** σ > 0, a Python float or a 0-d tensor (its square is the
            variance).

    Returns:
        a 0-d tensor of ``y_hat``'s dtype on ``y_hat``'s device (also when ``sigma`` is a tensor of another dtype),
        differentiable in ``y_hat``.

    Forbidden: ``F.gaussian_nll_loss`` / ``nn.GaussianNLLLoss``, ``nll_loss``, ``cross_entropy`` and
    ``torch.distributions`` (``Normal(...).log_prob``): write the formula.
    """
    raise NotImplementedError("KATA-STUB ch3.mle.gaussian_nll: not implemented yet - replace this line with your code")


def categorical_nll(probs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean negative log-likelihood of the labels under predicted class probabilities (d2l-zh §3.4.5)::

        categorical_nll = mean_i( −log probs[i, y_i] )

    This is the mean of ch3's ``cross_entropy`` (the one-hot cross-entropy −Σ_j y_ij·log ŷ_ij keeps only the term
    of the true class). It is 0 exactly when every probs[i, y_i] = 1, and +inf as soon as one of them is 0.

    Args:
        probs: probabilities, shape (n, q), each row summing to 1 (entries may be as small as 1e-20, or exactly 0).
        y: int64 labels, shape (n,), in [0, q).

    Returns:
        a 0-d tensor of ``probs``' dtype: finite for probabilities down to 1e-20 (−log 1e-20 ≈ 46.05), inf when a
        label's probability is exactly 0. Take the log of the probabilities exactly as given: adding a small
        constant or clamping changes the value (it is no longer the likelihood).

    Pick one entry per row (one probability per example), not a column per label.

    Forbidden: ``F.nll_loss``, ``F.cross_entropy``, ``F.gaussian_nll_loss`` (and their ``nn`` classes) and
    ``torch.distributions`` (``Categorical(...).log_prob``).
    """
    raise NotImplementedError("KATA-STUB ch3.mle.categorical_nll: not implemented yet - replace this line with your code")


def mle_gaussian(x: torch.Tensor):
    """Closed-form maximum-likelihood estimates (μ̂, σ̂) of a Gaussian from a 1-D sample x_1 … x_n::

        μ̂ = (1/n)·Σ x_i
        σ̂ = sqrt( (1/n)·Σ (x_i − μ̂)² )          # the biased (ddof = 0) standard deviation

    Setting the derivatives of Σ_i [½·log(2πσ²) + (x_i − μ)²/(2σ²)] to zero gives exactly these: the likelihood
    is maximised by dividing by n, not by n − 1 (the unbiased estimator of the variance is *not* the MLE). σ̂ is a
    standard deviation, not a variance.

    Args:
        x: a 1-D float tensor (n,), n ≥ 1 (float64 in the graders); it is not modified.

    Returns:
        (mu, sigma): two float64 0-d tensors on x's device (computed in float64 whatever x's dtype). For n = 1,
        σ̂ = 0.

    Forbidden: ``torch.distributions``, ``gaussian_nll_loss``, ``nll_loss``, ``cross_entropy``: derive the
    estimates yourself (``mean``, ``sum``, ``sqrt`` … are fine).
    """
    raise NotImplementedError("KATA-STUB ch3.mle.mle_gaussian: not implemented yet - replace this line with your code")


def mle_categorical(counts: torch.Tensor) -> torch.Tensor:
    """The maximum-likelihood estimate of a categorical distribution from class counts::

        p̂_j = counts_j / Σ_k counts_k

    (maximise Σ_j counts_j·log p_j subject to Σ_j p_j = 1: a Lagrange multiplier gives p_j ∝ counts_j). A class
    never seen gets probability exactly 0 — that is what the likelihood wants. Smoothing (adding pseudo-counts, as
    ch8's language models do on purpose) gives a different, non-maximum-likelihood estimate.

    Args:
        counts: (q,) non-negative counts (int64 or float), with a positive total.

    Returns:
        (q,) float64 tensor on counts' device, summing to 1.

    Forbidden: ``torch.distributions``, ``gaussian_nll_loss``, ``nll_loss``, ``cross_entropy``.
    """
    raise NotImplementedError("KATA-STUB ch3.mle.mle_categorical: not implemented yet - replace this line with your code")
