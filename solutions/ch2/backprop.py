"""Backpropagation by hand through a 2-layer MLP · 手动反向传播:两层多层感知机

d2l-zh §4.7 (前向传播、反向传播和计算图), with the softmax cross-entropy of §3.4/§3.6.
The notes: "理论基础:求导、反向传播、梯度下降、线性代数".

``loss.backward()`` does this for you in every later chapter. Doing it once by hand shows what the computational
graph of §4.7 stores and why: the forward pass keeps H_pre for the ReLU, the backward pass walks the chain rule from
the loss back to W1, and every gradient has exactly the shape of its parameter. The graders compare you with
autograd — including at the awkward points where a pre-activation is exactly 0.
"""
import torch


def mlp_forward_backward(X: torch.Tensor, y: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor,
                         W2: torch.Tensor, b2: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Loss and gradients of a 2-layer ReLU MLP with mean softmax cross-entropy, computed by hand.

    Forward (n examples, d inputs, h hidden units, q classes)::

        H_pre = X W1 + b1                      # (n, h)
        H     = ReLU(H_pre) = max(H_pre, 0)    # (n, h)
        O     = H W2 + b2                      # (n, q)  the logits
        L     = (1/n) Σ_i −log softmax(O_i)[y_i]

    Backward (the chain rule, from L back to W1)::

        dO     = (softmax(O) − one_hot(y)) / n      # (n, q)  each row sums to 0
        dW2    = Hᵀ dO                              # (h, q)
        db2    = Σ_i dO_i   (column sums)           # (q,)
        dH     = dO W2ᵀ                             # (n, h)
        dH_pre = dH ⊙ 1[H_pre > 0]                  # (n, h)  the ReLU passes gradient only where it was active
        dW1    = Xᵀ dH_pre                          # (d, h)
        db1    = Σ_i dH_pre_i   (column sums)       # (h,)

    Args:
        X: (n, d) inputs. y: (n,) int64 labels in [0, q). W1: (d, h), b1: (h,), W2: (h, q), b2: (q,).
            Floating tensors are all float32 or all float64 (the graders use float64 to compare with autograd
            tightly, and float32 for the large-logit check); compute in that dtype.

    Returns:
        ``(loss, grads)``: ``loss`` a 0-d tensor, ``grads`` a dict with exactly the keys ``"W1", "b1", "W2", "b2"``,
        each of the same shape (and dtype) as its parameter. The inputs are not modified.

    Conventions:
        * At H_pre == 0 the ReLU's derivative is taken as **0** (as PyTorch's autograd does), so the mask is
          ``H_pre > 0`` (equivalently ``H > 0``) — not ``>= 0``.
        * The softmax must be computed stably (subtract each row's max before ``exp``): the graders use logits of
          a few hundred in float32, where a naive ``exp`` overflows.

    Forbidden: ``backward``, ``torch.autograd``, ``torch.func`` — autograd is what the graders check you with.
    """
    ### BEGIN SOLUTION
    n = X.shape[0]
    H_pre = X @ W1 + b1                                   # (n, h)
    H = H_pre.clamp(min=0)                                # (n, h)
    O = H @ W2 + b2                                       # (n, q)
    O_shift = O - O.max(dim=1, keepdim=True).values       # (n, q)  ≤ 0: exp cannot overflow
    log_Z = torch.log(torch.exp(O_shift).sum(dim=1, keepdim=True))  # (n, 1)
    log_P = O_shift - log_Z                               # (n, q)  log softmax
    rows = torch.arange(n, device=X.device)
    loss = -log_P[rows, y].mean()

    dO = torch.exp(log_P)                                 # (n, q)  softmax(O)
    dO[rows, y] -= 1
    dO = dO / n
    dW2 = H.T @ dO                                        # (h, q)
    db2 = dO.sum(dim=0)                                   # (q,)
    dH = dO @ W2.T                                        # (n, h)
    dH_pre = dH * (H_pre > 0)                             # (n, h)
    dW1 = X.T @ dH_pre                                    # (d, h)
    db1 = dH_pre.sum(dim=0)                               # (h,)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    ### END SOLUTION
