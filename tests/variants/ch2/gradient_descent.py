"""Recorded buggy variants of ch2/gradient_descent.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    "gradient_ascent": {
        "why": "x + lr·∇f: climbs the loss",
        "feedback": "ascent",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                x = x0.clone()
                traj = [x]
                for _ in range(steps):
                    x = x + lr * grad(x)
                    traj.append(x)
                return torch.stack(traj)
        ''',
    },
    "misses_x0": {
        "why": "off by one: records only the updated points (steps rows, x0 missing)",
        "feedback": "rows",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                x = x0.clone()
                traj = []
                for _ in range(steps):
                    x = x - lr * grad(x)
                    traj.append(x)
                return torch.stack(traj) if traj else x0.clone()[None][:0]
        ''',
    },
    "one_step_too_many": {
        "why": "off by one: range(steps + 1) updates, so steps + 2 rows",
        "feedback": "rows",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                x = x0.clone()
                traj = [x]
                for _ in range(steps + 1):
                    x = x - lr * grad(x)
                    traj.append(x)
                return torch.stack(traj)
        ''',
    },
    "mutates_x0": {
        "why": "x = x0 then x -= …: the caller's x0 changes (rows are copies, so the trajectory is right)",
        "feedback": "changed its input x0 in place",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                x = x0
                traj = [x.clone()]
                for _ in range(steps):
                    x -= lr * grad(x)
                    traj.append(x.clone())
                return torch.stack(traj)
        ''',
    },
    "in_place_aliasing": {
        "why": "stores x and then updates it in place: every stored row is the same tensor",
        "feedback": "same tensor",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                x = x0.clone()
                traj = [x0.clone()]
                for _ in range(steps):
                    x -= lr * grad(x)
                    traj.append(x)
                return torch.stack(traj)
        ''',
    },
    "gradient_at_x0_only": {
        "why": "evaluates the gradient once, before the loop",
        "feedback": "current iterate",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                g = grad(x0)
                traj = [x0.clone()]
                for t in range(steps):
                    traj.append(traj[-1] - lr * g)
                return torch.stack(traj)
        ''',
    },
    "starts_at_x1": {
        "why": "updates before recording: row 0 is x_1, and x0 is never stored",
        "feedback": "row 0",
        "source": '''
            def gradient_descent(grad, x0, lr, steps):
                x = x0.clone()
                traj = []
                for _ in range(steps + 1):
                    x = x - lr * grad(x)
                    traj.append(x)
                return torch.stack(traj)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "preallocated_float64_inside": '''
        def gradient_descent(grad, x0, lr, steps):
            out = torch.empty(steps + 1, x0.shape[0], dtype=torch.float64, device=x0.device)
            out[0] = x0
            for t in range(steps):
                out[t + 1] = out[t] - lr * grad(out[t].clone())
            return out.to(x0.dtype)
    ''',
    "d2l_style_list": '''
        def gradient_descent(grad, x0, lr, steps):
            # d2l §11.3 train_2d style: keep a list of points, detach from anything upstream
            x = x0.detach().clone()
            results = [x.clone()]
            for i in range(steps):
                g = grad(x)
                x = x - lr * g
                results.append(x.clone())
            return torch.stack(results, dim=0)
    ''',
}
