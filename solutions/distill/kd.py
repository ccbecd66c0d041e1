"""Knowledge distillation · 模型蒸馏

Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network" (arXiv:1503.02531), §2 (distillation,
the temperature and the T² factor) — not a chapter of d2l-zh. The study notes put it in one sentence: "通过将教师
模型的输出(即软目标)作为学生模型的训练标签,并结合学生模型自身的训练数据(即硬目标),可以使学生模型更好地学习到教师模型的
知识" — the teacher's outputs (soft targets) are the student's labels, together with the data's own labels (hard
targets).

The story. A trained classifier knows more than its argmax: the probabilities it gives the *wrong* classes ("this 7
looks a little like a 1, not at all like a 6") are what Hinton et al. call dark knowledge. At temperature 1 they are
tiny and carry almost no gradient, so the teacher's logits z are softened, p = softmax(z / T) with T > 1, and the
student is trained to match those soft targets at the same temperature, alongside the usual hard labels:

    loss = α·T²·KL(p_teacher ‖ p_student) + (1 − α)·CE(student_logits, y)

Three details decide whether this works, and each is a classic mistake: the KL must be summed over the classes and
averaged over the batch (PyTorch's ``reduction='batchmean'``; its ``'mean'`` also divides by the number of classes);
the soft term is multiplied by T², because the gradients of softened targets scale like 1/T² (without the factor,
changing T silently changes the weight of the soft term); and the teacher is a constant — evaluated in ``eval()``
mode (its dropout off) without autograd, its parameters never updated.

What you should understand after passing: what soft targets are and why a temperature softens them; the KL divergence
written from its definition; why T² is there (the graders measure it: with α = 1 the gradient norm at T = 10 and
T = 20 is the same); and that distillation pulls the student's whole output distribution towards the teacher's — a
distilled student is much closer to its teacher (in KL) than the same student trained on the hard labels — even
where it does not beat the hard-label student in accuracy (on the small digits set used by the graders it does not).

Conventions (this kata): logits are (b, C) float tensors, labels (b,) int64; results keep the logits' dtype and
device; no function changes its inputs (``train_student`` trains the student it is given, which is its purpose,
and leaves the teacher exactly as it was apart from its ``eval()`` mode).
"""
import torch
import torch.nn.functional as F


def soft_targets(logits: torch.Tensor, T: float = 1.0) -> torch.Tensor:
    """The teacher's softened class probabilities, row by row::

        soft_targets(z, T)[i, j] = exp(z_ij / T) / Σ_k exp(z_ik / T)        # softmax(z / T) along dim 1

    T = 1 is the plain softmax; a larger T flattens the distribution (its entropy never falls as T grows) and keeps
    the argmax. Write it so that it stays finite for logits as large as ±1e4 (softmax is unchanged when a constant
    is subtracted from a row).

    Args:
        logits: (b, C) float tensor.
        T: the temperature, a positive Python number.

    Returns:
        (b, C) tensor of ``logits``' dtype and device; every row sums to 1.

    Raises:
        ValueError: if T <= 0 (there is no temperature 0 or below; T → 0 would be a one-hot argmax).
    """
    ### BEGIN SOLUTION
    if not T > 0:
        raise ValueError(f"the temperature T must be positive, got {T}")
    z = logits / T                                          # (b, C)
    z = z - z.amax(dim=1, keepdim=True)                     # (b, C): the largest entry of each row is 0
    e = torch.exp(z)                                        # (b, C), in (0, 1]
    return e / e.sum(dim=1, keepdim=True)                   # (b, C)
    ### END SOLUTION


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor, T: float = 4.0,
            alpha: float = 0.9) -> torch.Tensor:
    """The distillation loss of Hinton et al. (2015)::

        p_t = softmax(teacher_logits / T)                        # (b, C) the soft targets, a constant
        p_s = softmax(student_logits / T)                        # (b, C)
        KL  = (1/b)·Σ_i Σ_j p_t[i, j]·(log p_t[i, j] − log p_s[i, j])
        CE  = (1/b)·Σ_i −log softmax(student_logits)[i, labels_i]          # at T = 1
        kd_loss = α·T²·KL + (1 − α)·CE

    * The KL divergence KL(p_t ‖ p_s) is **summed over the classes and averaged over the batch** (what PyTorch
      calls ``reduction='batchmean'``), and the soft term is multiplied by T², so that its gradients keep the same
      size whatever the temperature.
    * α weights the soft term: α = 1 is pure distillation, α = 0 the plain cross-entropy with the labels.
    * The teacher's logits are constants: no gradient may reach them, even when they require grad (detach them).
    * Stable for logits of magnitude 1e3 at T = 1 and T = 4: work with log-probabilities (``F.log_softmax``), not
      with the log of probabilities that may have underflowed to 0.
    * The value is graded, not only the gradient: Hinton's "soft cross-entropy" −Σ p_t·log p_s has the same gradient
      but differs by the teacher's entropy, so it is not this loss.

    Args:
        student_logits: (b, C) float tensor (requires grad in training).
        teacher_logits: (b, C) float tensor of the same dtype.
        labels: (b,) int64 in [0, C).
        T: temperature > 0 (a Python number).
        alpha: weight of the soft term, in [0, 1].

    Returns:
        a 0-d tensor of the logits' dtype and device, differentiable in ``student_logits``.

    Forbidden: ``F.kl_div`` (every alias, ``torch.kl_div`` too) and ``nn.KLDivLoss``: write the KL divergence from
    its definition. ``F.log_softmax``, ``F.softmax`` and ``F.cross_entropy`` are fine.
    """
    ### BEGIN SOLUTION
    log_p_s = F.log_softmax(student_logits / T, dim=1)              # (b, C)
    log_p_t = F.log_softmax(teacher_logits.detach() / T, dim=1)     # (b, C): a constant
    p_t = log_p_t.exp()                                             # (b, C)
    kl = (p_t * (log_p_t - log_p_s)).sum(dim=1).mean()              # (): sum over classes, mean over the batch
    ce = F.cross_entropy(student_logits, labels)                    # (): T = 1, mean over the batch
    return alpha * T ** 2 * kl + (1 - alpha) * ce
    ### END SOLUTION


def train_student(student, teacher, X, y, T=4.0, alpha=0.9, num_epochs=30, lr=0.01, batch_size=64,
                  generator=None) -> list:
    """Train ``student`` to imitate ``teacher`` with this module's ``kd_loss`` (Hinton et al. 2015)::

        teacher.eval(); teacher logits without autograd (torch.no_grad())
        opt = torch.optim.Adam(student.parameters(), lr)
        for each epoch:
            student.train()
            for each minibatch B of a random permutation of the n examples (drawn with ``generator``):
                loss = kd_loss(student(X[B]), teacher_logits[B], y[B], T, alpha)
                opt.zero_grad(); loss.backward(); opt.step()
            history.append(Σ_B loss_B·|B| / n)                 # the example-weighted mean loss of the epoch

    * The teacher is a constant: put it in ``eval()`` mode (its dropout off; leave it there) and run it without
      autograd; its parameters never change and never get a ``.grad``. Computing its logits once, before the
      first epoch, is fine (in eval mode they do not change).
    * Only the student's parameters are optimised, with ``torch.optim.Adam(student.parameters(), lr=lr)``.
    * Minibatches: a fresh permutation ``torch.randperm(n, generator=generator)`` every epoch (drawn on the CPU, then
      moved to X's device), cut into batches of ``batch_size`` (the last one may be smaller).
    * Equally seeded generators and identical students give identical histories and identical trained students.

    Args:
        student, teacher: ``nn.Module`` classifiers mapping (b, d) inputs to (b, C) logits.
        X: (n, d) float inputs; y: (n,) int64 labels.
        T, alpha: as in ``kd_loss``.
        num_epochs, lr, batch_size: the training loop's settings.
        generator: a CPU ``torch.Generator`` for the shuffles (None: the global RNG).

    Returns:
        a list of ``num_epochs`` Python floats: the example-weighted mean training loss of each epoch.

    Forbidden: nothing beyond ``kd_loss``'s rule — use your own ``kd_loss`` (the graders check what it computes).
    """
    ### BEGIN SOLUTION
    teacher.eval()
    with torch.no_grad():
        teacher_logits = teacher(X)                                       # (n, C): constants
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    n = len(y)
    history = []
    for _ in range(num_epochs):
        student.train()
        perm = torch.randperm(n, generator=generator).to(X.device)        # (n,)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]                                  # (b,)
            loss = kd_loss(student(X[idx]), teacher_logits[idx], y[idx], T, alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        history.append(total / n)
    return history
    ### END SOLUTION
