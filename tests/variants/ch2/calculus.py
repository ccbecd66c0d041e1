"""Recorded buggy variants of ch2/calculus.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    "forward_difference": {
        "why": "forward difference: O(h) error",
        "feedback": "central difference",
        "source": '''
            def numerical_grad(f, x, h=1e-5):
                x = x.detach().to(torch.float64)
                grad = torch.empty_like(x)
                fx = float(f(x))
                for i in range(x.numel()):
                    e = torch.zeros_like(x)
                    e[i] = h
                    grad[i] = (float(f(x + e)) - fx) / h
                return grad
        ''',
    },
    "divides_by_h": {
        "why": "central difference divided by h instead of 2h: twice the gradient",
        "feedback": "divide it by 2h",
        "source": '''
            def numerical_grad(f, x, h=1e-5):
                x = x.detach().to(torch.float64)
                grad = torch.empty_like(x)
                for i in range(x.numel()):
                    e = torch.zeros_like(x)
                    e[i] = h
                    grad[i] = (float(f(x + e)) - float(f(x - e))) / h
                return grad
        ''',
    },
    "perturbs_x_in_place": {
        "why": "x[i] += h ... and never restored",
        "feedback": "unchanged",
        "source": '''
            def numerical_grad(f, x, h=1e-5):
                grad = torch.empty_like(x)
                for i in range(x.numel()):
                    x[i] += h
                    fp = float(f(x))
                    x[i] -= 2 * h
                    fm = float(f(x))
                    grad[i] = (fp - fm) / (2 * h)
                return grad
        ''',
    },
    "float32": {
        "why": "computes in float32 with h = 1e-5",
        "feedback": "float32",
        "source": '''
            def numerical_grad(f, x, h=1e-5):
                x = x.detach().to(torch.float32)
                grad = torch.empty_like(x)
                for i in range(x.numel()):
                    e = torch.zeros_like(x)
                    e[i] = h
                    grad[i] = (f(x + e) - f(x - e)) / (2 * h)
                return grad
        ''',
    },
    "uses_autograd": {
        "why": "calls autograd, which this exercise exists to check",
        "feedback": "not allowed",
        "source": '''
            def numerical_grad(f, x, h=1e-5):
                x = x.detach().clone().requires_grad_(True)
                f(x).backward()
                return x.grad
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "restore_in_place": '''
        def numerical_grad(f, x, h=1e-5):
            g = torch.zeros(x.shape, dtype=torch.float64)
            for i in range(len(x)):
                old = x[i].item()
                x[i] = old + h
                fp = f(x)
                x[i] = old - h
                fm = f(x)
                x[i] = old
                g[i] = (fp - fm) / (2 * h)
            return g
    ''',
    "vectorised_basis": '''
        def numerical_grad(f, x, h=1e-5):
            E = torch.eye(x.numel(), dtype=torch.float64) * h
            x64 = x.double()
            return torch.stack([(f(x64 + e) - f(x64 - e)) / (2 * h) for e in E]).reshape(x.shape)
    ''',
}
