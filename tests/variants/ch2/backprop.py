"""Recorded buggy variants of ch2/backprop.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
_FORWARD = '''
def _forward(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    H_pre = X @ W1 + b1
    H = H_pre.clamp(min=0)
    O = H @ W2 + b2
    O = O - O.max(dim=1, keepdim=True).values
    log_P = O - torch.log(torch.exp(O).sum(dim=1, keepdim=True))
    rows = torch.arange(n)
    loss = -log_P[rows, y].mean()
    Y = torch.zeros_like(O)
    Y[rows, y] = 1
    return n, H_pre, H, torch.exp(log_P), Y, loss
'''


def _variant(body):
    return _FORWARD + "\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n" + body


MUTANTS = {
    "missing_one_over_n": {
        "why": "dO = softmax − one_hot without the 1/n of the mean (the loss itself is the mean)",
        "feedback": "n times too large",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = P - Y
    dH_pre = (dO @ W2.T) * (H_pre > 0)
    return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "relu_mask_ge_zero": {
        "why": "ReLU mask H_pre >= 0: passes gradient at exactly 0, where autograd passes none",
        "feedback": "exactly 0",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T) * (H_pre >= 0)
    return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "relu_mask_from_H_ge_zero": {
        "why": "mask (H >= 0) on the activations: always true, so the ReLU is ignored on the way back",
        "feedback": "never negative",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T) * (H >= 0)
    return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "relu_applied_to_gradient": {
        "why": "dH_pre = relu(dH): the mask taken from the sign of the gradient instead of the forward pass",
        "feedback": "incoming gradient",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T).clamp(min=0)
    return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "transposed_weight_grads": {
        "why": "dW = dOᵀ H and dW1 = dH_preᵀ X: the transposes of the right gradients",
        "feedback": "transposed",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T) * (H_pre > 0)
    return loss, {"W1": dH_pre.T @ X, "b1": dH_pre.sum(0), "W2": dO.T @ H, "b2": dO.sum(0)}
'''),
    },
    "transposed_square_dW1": {
        "why": "dW1 computed as (Xᵀ dH_pre)ᵀ: the shape check passes only when d == h; the values do not",
        "feedback": "transpose",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T) * (H_pre > 0)
    dW1 = X.T @ dH_pre
    if dW1.shape[0] == dW1.shape[1]:
        dW1 = dW1.T
    return loss, {"W1": dW1, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "bias_grad_mean": {
        "why": "db = dO.mean(0): divides by n a second time",
        "feedback": "column sum",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T) * (H_pre > 0)
    return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.mean(0), "W2": H.T @ dO, "b2": dO.mean(0)}
'''),
    },
    "forgets_one_hot": {
        "why": "dO = softmax(O)/n: forgets to subtract the one-hot labels",
        "feedback": "one_hot",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = P / n
    dH_pre = (dO @ W2.T) * (H_pre > 0)
    return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "naive_softmax": {
        "why": "exp(O)/Σexp(O) without subtracting the row max: inf/NaN for logits in the hundreds (float32)",
        "feedback": "subtract each row's max",
        "source": '''
            def mlp_forward_backward(X, y, W1, b1, W2, b2):
                n = X.shape[0]
                H_pre = X @ W1 + b1
                H = torch.relu(H_pre)
                O = H @ W2 + b2
                E = torch.exp(O)
                P = E / E.sum(dim=1, keepdim=True)
                rows = torch.arange(n)
                loss = -torch.log(P[rows, y]).mean()
                dO = P.clone()
                dO[rows, y] -= 1
                dO = dO / n
                dH_pre = (dO @ W2.T) * (H_pre > 0)
                return loss, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
        ''',
    },
    "sum_loss": {
        "why": "reports the summed loss (grads right): the loss must be the mean like F.cross_entropy",
        "feedback": "mean over the batch",
        "source": _variant('''
    n, H_pre, H, P, Y, loss = _forward(X, y, W1, b1, W2, b2)
    dO = (P - Y) / n
    dH_pre = (dO @ W2.T) * (H_pre > 0)
    return loss * n, {"W1": X.T @ dH_pre, "b1": dH_pre.sum(0), "W2": H.T @ dO, "b2": dO.sum(0)}
'''),
    },
    "uses_autograd": {
        "why": "lets autograd do the backward pass",
        "feedback": "not allowed",
        "source": '''
            def mlp_forward_backward(X, y, W1, b1, W2, b2):
                params = [t.detach().clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
                O = torch.relu(X @ params[0] + params[1]) @ params[2] + params[3]
                loss = torch.nn.functional.cross_entropy(O, y)
                loss.backward()
                return loss.detach(), dict(zip(["W1", "b1", "W2", "b2"], [p.grad for p in params]))
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "float64_inside_and_library_forward": '''
        def mlp_forward_backward(X, y, W1, b1, W2, b2):
            dt = X.dtype
            X, W1, b1, W2, b2 = (t.double() for t in (X, W1, b1, W2, b2))
            n = X.shape[0]
            Z = torch.addmm(b1, X, W1)                          # (n, h)
            H = torch.relu(Z)
            O = torch.addmm(b2, H, W2)                          # (n, q)
            loss = torch.nn.functional.cross_entropy(O, y)      # the forward may use the library
            G = (torch.softmax(O, dim=1) - torch.nn.functional.one_hot(y, O.shape[1])) / n
            dZ = torch.where(H > 0, G @ W2.T, torch.zeros_like(H))
            grads = {"W1": X.T @ dZ, "b1": dZ.sum(0), "W2": H.T @ G, "b2": G.sum(0)}
            return loss.to(dt), {k: v.to(dt) for k, v in grads.items()}
    ''',
    "per_example_loop_logsumexp": '''
        def mlp_forward_backward(X, y, W1, b1, W2, b2):
            n = X.shape[0]
            gW1, gb1 = torch.zeros_like(W1), torch.zeros_like(b1)
            gW2, gb2 = torch.zeros_like(W2), torch.zeros_like(b2)
            total = torch.zeros((), dtype=X.dtype)
            for i in range(n):                                  # one example at a time, outer products
                x = X[i]
                z = x @ W1 + b1
                a = z * (z > 0)
                o = a @ W2 + b2
                lse = torch.logsumexp(o, dim=0)
                total = total + (lse - o[y[i]])
                g = torch.exp(o - lse)
                g[y[i]] = g[y[i]] - 1
                dz = (W2 @ g) * (z > 0)
                gW2 += torch.outer(a, g) / n
                gb2 += g / n
                gW1 += torch.outer(x, dz) / n
                gb1 += dz / n
            return total / n, {"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2}
    ''',
    "mask_from_H": '''
        def mlp_forward_backward(X, y, W1, b1, W2, b2):
            # d2l 4.7 style: H > 0 is the same mask as H_pre > 0
            n = len(y)
            H = torch.maximum(X @ W1 + b1, torch.zeros_like(b1))
            O = H @ W2 + b2
            m = O.max(1, keepdim=True)[0]
            P = torch.exp(O - m)
            P = P / P.sum(1, keepdim=True)
            loss = (m.squeeze(1) + torch.log(torch.exp(O - m).sum(1)) - O.gather(1, y[:, None]).squeeze(1)).mean()
            dO = (P - torch.eye(O.shape[1], dtype=O.dtype, device=O.device)[y]) * (1.0 / n)
            dH = (dO @ W2.T) * (H > 0).to(O.dtype)
            return loss, {"b2": dO.sum(0), "W2": H.T @ dO, "b1": dH.sum(0), "W1": X.T @ dH}
    ''',
}
