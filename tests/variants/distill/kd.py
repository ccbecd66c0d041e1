"""Recorded buggy variants of distill/kd.py (each must be rejected, with its feedback) and correct alternatives (each
must pass every grader)."""

_TRAIN_HEAD = '''
            def train_student(student, teacher, X, y, T=4.0, alpha=0.9, num_epochs=30, lr=0.01, batch_size=64,
                              generator=None):
'''

MUTANTS = {
    # ---------------------------------------------------------------- soft_targets
    "soft_targets_no_temperature": {
        "why": "forgets to divide by T",
        "feedback": "divide the logits by T",
        "source": '''
            def soft_targets(logits, T=1.0):
                if T <= 0:
                    raise ValueError(T)
                return torch.softmax(logits, dim=1)
        ''',
    },
    "soft_targets_times_T": {
        "why": "multiplies the logits by T (sharpens instead of softening)",
        "feedback": "do not multiply",
        "source": '''
            def soft_targets(logits, T=1.0):
                if T <= 0:
                    raise ValueError(T)
                return torch.softmax(logits * T, dim=1)
        ''',
    },
    "soft_targets_naive_exp": {
        "why": "exp without subtracting the row max: overflows at 1e4",
        "feedback": "subtract each row's maximum",
        "source": '''
            def soft_targets(logits, T=1.0):
                if T <= 0:
                    raise ValueError(T)
                e = torch.exp(logits / T)
                return e / e.sum(dim=1, keepdim=True)
        ''',
    },
    "soft_targets_columns": {
        "why": "normalises along dim 0",
        "feedback": "normalise each row",
        "source": '''
            def soft_targets(logits, T=1.0):
                if T <= 0:
                    raise ValueError(T)
                return torch.softmax(logits / T, dim=0)
        ''',
    },
    "soft_targets_no_check": {
        "why": "T <= 0 not rejected (negative T silently inverts the ranking)",
        "feedback": "ValueError",
        "source": '''
            def soft_targets(logits, T=1.0):
                return torch.softmax(logits / T, dim=1)
        ''',
    },
    # ---------------------------------------------------------------- kd_loss
    "kl_mean_reduction": {
        "why": "kl_div's reduction='mean' written out: divides by b·C (C times too small)",
        "feedback": "reduction='mean'",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits.detach() / T, dim=1)
                kl = (log_p_t.exp() * (log_p_t - log_p_s)).mean()
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "no_T_squared": {
        "why": "the soft term without T²",
        "feedback": "lacks its factor T²",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits.detach() / T, dim=1)
                kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean()
                return alpha * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "kl_reversed": {
        "why": "KL(p_s ‖ p_t) instead of KL(p_t ‖ p_s)",
        "feedback": "the KL divergence is reversed",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits.detach() / T, dim=1)
                kl = (log_p_s.exp() * (log_p_s - log_p_t)).sum(dim=1).mean()
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "teacher_not_detached": {
        "why": "teacher logits not detached: gradients flow into the teacher",
        "feedback": "detach",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits / T, dim=1)
                kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean()
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "hinton_soft_cross_entropy": {
        "why": "−Σ p_t·log p_s (the soft cross-entropy): the KL's gradient, not its value",
        "feedback": "soft cross-entropy",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                p_t = F.softmax(teacher_logits.detach() / T, dim=1)
                soft = -(p_t * log_p_s).sum(dim=1).mean()
                return alpha * T ** 2 * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "teacher_not_softened": {
        "why": "the soft targets at T = 1 (softmax(teacher)) against the student at T",
        "feedback": "softened with the same temperature",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits.detach(), dim=1)
                kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean()
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "alpha_on_the_wrong_term": {
        "why": "(1 − α)·T²·KL + α·CE",
        "feedback": "you swapped the weights",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits.detach() / T, dim=1)
                kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean()
                return (1 - alpha) * T ** 2 * kl + alpha * F.cross_entropy(student_logits, labels)
        ''',
    },
    "ce_at_temperature": {
        "why": "the hard-label cross-entropy of student_logits / T",
        "feedback": "taken at T = 1",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                log_p_s = F.log_softmax(student_logits / T, dim=1)
                log_p_t = F.log_softmax(teacher_logits.detach() / T, dim=1)
                kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean()
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits / T, labels)
        ''',
    },
    "log_of_softmax": {
        "why": "torch.log(softmax(...)): −inf, then NaN, for logits of magnitude 1e3",
        "feedback": "F.log_softmax",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                p_s = torch.softmax(student_logits / T, dim=1)
                p_t = torch.softmax(teacher_logits.detach() / T, dim=1)
                kl = (p_t * (torch.log(p_t) - torch.log(p_s))).sum(dim=1).mean()
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    "uses_kl_div": {
        "why": "the forbidden F.kl_div (even with the right reduction)",
        "feedback": "not allowed",
        "source": '''
            def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
                kl = F.kl_div(F.log_softmax(student_logits / T, dim=1),
                              F.softmax(teacher_logits.detach() / T, dim=1), reduction="batchmean")
                return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
        ''',
    },
    # ---------------------------------------------------------------- train_student
    "teacher_left_in_train_mode": {
        "why": "never calls teacher.eval(): dropout noise in the soft targets",
        "feedback": "teacher.eval()",
        "source": _TRAIN_HEAD + '''
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "teacher_with_autograd": {
        "why": "teacher run with autograd on (no torch.no_grad())",
        "feedback": "torch.no_grad()",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher(X[idx]), y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "teacher_trained_too": {
        "why": "teacher not detached and optimised together with the student",
        "feedback": "optimise the student only",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                opt = torch.optim.Adam(list(student.parameters()) + list(teacher.parameters()), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        t = teacher(X[idx])
                        log_p_s = F.log_softmax(student(X[idx]) / T, dim=1)
                        log_p_t = F.log_softmax(t / T, dim=1)
                        kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1).mean()
                        loss = alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student(X[idx]), y[idx])
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "T_and_alpha_not_passed": {
        "why": "kd_loss called with its defaults (T = 4, α = 0.9) whatever train_student was given",
        "feedback": "pass train_student's T",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx])
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "unweighted_batch_mean": {
        "why": "the history is the mean of the batch losses (the last, smaller batch weighs as much as a full one)",
        "feedback": "weight each batch's mean loss by its size",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    losses = []
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        losses.append(float(loss.detach()))
                    history.append(sum(losses) / len(losses))
                return history
        ''',
    },
    "no_zero_grad": {
        "why": "gradients accumulate across steps",
        "feedback": "zero_grad",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "lr_ignored": {
        "why": "Adam with its default lr (1e-3)",
        "feedback": "the lr you are given",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters())
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "global_rng_shuffle": {
        "why": "shuffles with the global RNG",
        "feedback": "generator",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    perm = torch.randperm(n).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "no_shuffle": {
        "why": "the same batches in the same order every epoch",
        "feedback": "different results",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                for _ in range(num_epochs):
                    student.train()
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = torch.arange(i, min(i + batch_size, n), device=X.device)
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                return history
        ''',
    },
    "student_evaluated_in_eval_mode": {
        "why": "evaluates the student with eval() after each epoch and never switches back to train()",
        "feedback": "student.train()",
        "source": _TRAIN_HEAD + '''
                teacher.eval()
                with torch.no_grad():
                    teacher_logits = teacher(X)
                opt = torch.optim.Adam(student.parameters(), lr=lr)
                n, history = len(y), []
                student.train()
                for _ in range(num_epochs):
                    perm = torch.randperm(n, generator=generator).to(X.device)
                    total = 0.0
                    for i in range(0, n, batch_size):
                        idx = perm[i:i + batch_size]
                        loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
                        opt.zero_grad(); loss.backward(); opt.step()
                        total += float(loss.detach()) * len(idx)
                    history.append(total / n)
                    student.eval()
                    with torch.no_grad():
                        student(X[:1])
                return history
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # The PyTorch tutorial's distillation code ("Knowledge Distillation Tutorial", train_knowledge_distillation),
    # adapted where this kata's contract differs: the teacher's log-probabilities from log_softmax (the tutorial's
    # soft_targets.log() is -inf, hence NaN, once a probability underflows), a generator-driven permutation instead
    # of a DataLoader, the example-weighted epoch loss instead of running_loss / len(train_loader), T² · KL with the
    # weights α and 1 − α, and no printing.
    "pytorch_tutorial": '''
        def soft_targets(logits, T=1.0):
            if T <= 0:
                raise ValueError("T must be positive")
            return torch.nn.functional.softmax(logits / T, dim=-1)

        def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
            soft_targets_ = torch.nn.functional.softmax(teacher_logits.detach() / T, dim=-1)
            soft_log_targets = torch.nn.functional.log_softmax(teacher_logits.detach() / T, dim=-1)
            soft_prob = torch.nn.functional.log_softmax(student_logits / T, dim=-1)
            soft_targets_loss = torch.sum(soft_targets_ * (soft_log_targets - soft_prob)) / soft_prob.size()[0] * (T ** 2)
            label_loss = torch.nn.CrossEntropyLoss()(student_logits, labels)
            return alpha * soft_targets_loss + (1 - alpha) * label_loss

        def train_student(student, teacher, X, y, T=4.0, alpha=0.9, num_epochs=30, lr=0.01, batch_size=64,
                          generator=None):
            optimizer = torch.optim.Adam(student.parameters(), lr=lr)
            teacher.eval()
            student.train()
            history = []
            for epoch in range(num_epochs):
                running_loss = 0.0
                order = torch.randperm(len(X), generator=generator).to(X.device)
                for start in range(0, len(X), batch_size):
                    batch = order[start:start + batch_size]
                    inputs, labels = X[batch], y[batch]
                    optimizer.zero_grad()
                    with torch.no_grad():
                        teacher_logits = teacher(inputs)
                    student_logits = student(inputs)
                    loss = kd_loss(student_logits, teacher_logits, labels, T, alpha)
                    loss.backward()
                    optimizer.step()
                    running_loss += loss.item() * len(batch)
                history.append(running_loss / len(X))
            return history
    ''',
    # KL = soft cross-entropy − teacher entropy (Hinton's form with the entropy subtracted), float64 internals, and
    # logsumexp-based soft targets; teacher logits computed per batch, batches as a tensor_split of the permutation
    "cross_entropy_minus_entropy_float64": '''
        def soft_targets(logits, T=1.0):
            if not (T > 0):
                raise ValueError(f"bad temperature {T}")
            z = logits.to(torch.float64) / T
            return torch.exp(z - torch.logsumexp(z, dim=1, keepdim=True)).to(logits.dtype)

        def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
            s = student_logits.to(torch.float64)
            t = teacher_logits.detach().to(torch.float64)
            log_q = s / T - torch.logsumexp(s / T, dim=1, keepdim=True)
            log_p = t / T - torch.logsumexp(t / T, dim=1, keepdim=True)
            p = log_p.exp()
            soft_ce = -(p * log_q).sum() / s.shape[0]
            entropy = -torch.xlogy(p, p).sum() / s.shape[0]
            log_q1 = s - torch.logsumexp(s, dim=1, keepdim=True)
            ce = -log_q1.gather(1, labels.reshape(-1, 1)).mean()
            return (alpha * T * T * (soft_ce - entropy) + (1 - alpha) * ce).to(student_logits.dtype)

        def train_student(student, teacher, X, y, T=4.0, alpha=0.9, num_epochs=30, lr=0.01, batch_size=64,
                          generator=None):
            teacher.train(False)
            opt = torch.optim.Adam(student.parameters(), lr=lr)
            n = X.shape[0]
            history = []
            for epoch in range(num_epochs):
                student.train(True)
                perm = torch.randperm(n, generator=generator)
                total, seen = 0.0, 0
                for idx in torch.split(perm, batch_size):
                    idx = idx.to(X.device)
                    with torch.no_grad():
                        t = teacher(X[idx])
                    loss = kd_loss(student(X[idx]), t, y[idx], T=T, alpha=alpha)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    total += loss.item() * idx.numel()
                    seen += idx.numel()
                history.append(total / seen)
            return history
    ''',
}
