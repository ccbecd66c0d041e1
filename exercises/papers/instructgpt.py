# Generated from solutions/papers/instructgpt.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""InstructGPT: reward-model losses, KL-shaped rewards, GAE and PPO-clip · InstructGPT 论文:奖励模型排序损失、KL惩罚奖励、GAE与PPO裁剪

Paper: Ouyang et al. 2022, *Training language models to follow instructions with human feedback* (InstructGPT,
arXiv:2203.02155), with PPO from Schulman et al. 2017 (*Proximal Policy Optimization Algorithms*, arXiv:1707.06347)
and GAE from Schulman et al. 2016 (*High-Dimensional Continuous Control Using Generalized Advantage Estimation*).
Seed notes: "论文阅读" (paper reading) and "InstructGPT论文".

A guided reading · 导读
------------------------
InstructGPT is three training stages (Figure 2 of the paper): (1) supervised fine-tuning (SFT) on labeller
demonstrations, (2) a reward model (RM) trained on labellers' *rankings* of model outputs, (3) reinforcement learning
of the SFT policy against that RM with PPO. 论文图 2 把方法分成三步:监督微调、用人工排序训练奖励模型、用 PPO
针对奖励模型做强化学习。Stage 1 is ordinary next-token cross-entropy; this kata is stages 2 and 3, one function per
equation:

1. ``rm_loss`` — §3.5 "Reward modeling (RM)", eq. (1): for a prompt x with a preferred response y_w and a rejected
   one y_l, loss = −log σ(r_θ(x, y_w) − r_θ(x, y_l)). The reward is only defined up to a constant: the loss sees the
   *difference* of two scores (a Bradley–Terry model of the labeller's choice). 奖励模型的成对损失:只看两个分数之差,
   被选中的回答分数要更高。
2. ``rm_loss_from_ranking`` — the same eq. (1) with its 1/C(K,2): "labelers rank K = 4 … 9 responses; this produces
   C(K,2) comparisons for each prompt … we train on all C(K,2) comparisons from each prompt as a single batch
   element" (so the comparisons of one prompt, which are strongly correlated, do not overfit the RM). 一次排序
   K 个回答得到 C(K,2) 个比较,全部放进同一个批元素,并除以 C(K,2)。
3. ``token_logprobs`` — a language model scores a response through the chain rule,
   log π(y | x) = Σ_t log π(y_t | x, y_<t); the logits at position t predict token t + 1. Every RL quantity below
   (the KL penalty, the PPO ratio) is built from these per-token log-probabilities. 语言模型的逐词元对数概率:
   第 t 个位置的 logits 预测第 t+1 个词元。
4. ``per_token_rewards`` — §3.5 "Reinforcement learning (RL)", eq. (2): objective = E[r_θ(x, y) − β log(π_RL(y|x) /
   π_SFT(y|x))]; "we add a per-token KL penalty from the SFT model at each token to mitigate over-optimization of
   the reward model". The sequence-level penalty becomes −β(log π_RL − log π_SFT) at every response token and the
   RM score is paid once, at the last token. (The paper's PPO-ptx also mixes in pretraining gradients, γ in eq. 2;
   not part of this kata.) 每个回答词元扣 β·对数比,最后一个词元再加奖励模型的分数。
5. ``gae_advantages`` — PPO paper §5, eqs. (11)–(12) (GAE, Schulman et al. 2016, eq. 16):
   δ_t = r_t + γV(s_{t+1}) − V(s_t), Â_t = δ_t + (γλ)δ_{t+1} + … — computed backwards as Â_t = δ_t + γλÂ_{t+1}.
   λ trades bias (λ = 0: one-step TD) against variance (λ = 1: Monte Carlo). 广义优势估计:从后往前递推。
6. ``ppo_clip_loss`` — PPO paper §3, eq. (7): L^CLIP = Ê_t[min(ρ_t Â_t, clip(ρ_t, 1−ε, 1+ε) Â_t)],
   ρ_t = π(a_t|s_t)/π_old(a_t|s_t). The min makes the objective a pessimistic lower bound: moving the ratio outside
   [1−ε, 1+ε] in the direction the advantage favours earns nothing more (zero gradient), moving it the wrong way is
   still fully punished. PPO 裁剪目标:裁剪的是概率比 ρ,再与未裁剪项取 min,形成悲观下界。

What you should understand after passing · 通过之后你应该明白
  * why the RM loss only sees reward differences, why it must be written stably (−log σ(d) for d = −2·10⁴), and
    which sign makes the chosen response win;
  * how one ranking of K responses becomes C(K,2) comparisons, and why ``ranking`` is an *order*, not a rank;
  * that the logits at t score token t + 1 (the shift), and that log-probabilities come from log_softmax, not
    log(softmax);
  * how the sequence-level KL term of eq. (2) becomes per-token rewards, and where the RM score goes;
  * GAE as a backward recursion that stops at the end of the response (no bootstrap from padding);
  * that PPO clips the *ratio*, takes the min with the unclipped term, and where its gradient is exactly zero.

Conventions (the contract's Clarifications)
  * All functions are pure: inputs are never modified; results live on the inputs' device and have their float
    dtype (float32 in → float32 out, float64 stays float64 and is graded to 1e-12).
  * Masks are bool (B, T), True = a response token that counts (prompt positions before it and padding after it
    are False). Values at False positions never matter.
  * Reductions are means: over all comparisons for the RM losses (Clarification 15), over all valid tokens of the
    batch for PPO (Clarification 17, not a per-sequence mean). Losses are 0-d tensors, to be minimised.
  * Host computation (Python loops, ``.tolist()``, boolean indexing) is allowed; nothing here is random.

Forbidden (the whole module): ``logsigmoid``, ``softplus``, ``binary_cross_entropy_with_logits``,
``binary_cross_entropy``, ``soft_margin_loss`` and their ``nn`` classes (``nn.LogSigmoid``, ``nn.Softplus``,
``nn.BCEWithLogitsLoss``, ``nn.BCELoss``, ``nn.SoftMarginLoss``) — write the stable −log σ(d) yourself
(``torch.logaddexp(0, −d)`` or ``max(−d, 0) + log1p(exp(−|d|))``, as in ch3). ``log_softmax``, ``logsumexp`` and
``cross_entropy`` are fine in ``token_logprobs``.
"""
import torch


# ================================================================================================ reward model (§3.5)
def rm_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """The reward model's pairwise loss (InstructGPT §3.5, eq. 1), averaged over the comparisons::

        d    = r_chosen − r_rejected          # any shape, both the same; one entry = one comparison
        loss = mean(−log σ(d))                # 0-d

    −log σ(d) = log(1 + e^{−d}): ≈ 0 when the chosen response scores much higher, ≈ −d when it scores much lower,
    log 2 at a tie. Adding a constant to both rewards changes nothing.

    * Stable for |d| ≤ 2·10⁴ in float32: log(1/(1 + e^{−d})) overflows to inf once e^{−d} does (d below −88).
    * Returns a 0-d tensor of the inputs' dtype and device, differentiable: ∂loss/∂r_chosen = −σ(−d)/N.
    * Gradients are graded away from exact ties (|d| > 10⁻³), where autograd of a max/|d| form picks one side.

    Forbidden: ``logsigmoid``, ``softplus``, ``binary_cross_entropy(_with_logits)``, ``soft_margin_loss`` and their
    ``nn`` classes (``torch.logaddexp`` and ``log1p`` are fine).
    """
    raise NotImplementedError("KATA-STUB papers.instructgpt.rm_loss: not implemented yet - replace this line with your code")


def rm_loss_from_ranking(rewards: torch.Tensor, ranking: torch.Tensor) -> torch.Tensor:
    """The RM loss of one labeller ranking of K responses per prompt (§3.5, eq. 1 with its 1/C(K,2))::

        # rewards (B, K): r_θ(x_b, y_{b,k});  ranking (B, K) int64: ranking[b] = response indices, best first
        loss = (1/B) Σ_b (1/C(K,2)) Σ_{i<j} −log σ(r[b, ranking[b, i]] − r[b, ranking[b, j]])

    Every one of the C(K,2) comparisons "response at place i beats response at place j" for i < j counts once, all
    comparisons of a prompt in one batch element — the same as the mean over all B·C(K,2) pairs (Clarification 15).

    * ``ranking`` is an **order** (Clarification 16): ranking[b, 0] is the index of prompt b's best response,
      ranking[b, K−1] the worst's — not the rank of response 0, 1, ….
    * K = 2 is ``rm_loss``; relabelling the responses (permuting the columns of rewards and renaming the indices in
      ranking alike) changes nothing; adding a constant per prompt changes nothing.
    * K < 2 → ``ValueError`` (no comparison to learn from).
    * Returns a 0-d tensor of the rewards' dtype and device; stable like ``rm_loss``.

    Forbidden: as ``rm_loss``.
    """
    raise NotImplementedError("KATA-STUB papers.instructgpt.rm_loss_from_ranking: not implemented yet - replace this line with your code")


# ================================================================================================ the policy's log-probs
def token_logprobs(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Per-token log-probabilities of a sequence under a causal language model::

        # logits (B, T, V): the model's output at each position;  tokens (B, T) int64: the sequence it read
        out[b, t] = log softmax(logits[b, t])[tokens[b, t + 1]]      # out (B, T − 1), t = 0 … T − 2

    The logits at position t predict token t + 1 (Clarification 20): the logits at the last position and the first
    token are never scored, so the output has T − 1 columns. Summing a response's entries gives log π(y | x).

    * Finite for |logits| ≤ 10⁴ (log of a softmax that underflowed is −inf; compute the log-probabilities directly).
    * The logits' dtype and device; float64 stays float64.

    Forbidden: the module-wide list (``log_softmax``, ``logsumexp``, ``cross_entropy`` and ``gather`` are fine —
    the point here is the shift).
    """
    raise NotImplementedError("KATA-STUB papers.instructgpt.token_logprobs: not implemented yet - replace this line with your code")


# ================================================================================================ RL reward (§3.5, eq. 2)
def per_token_rewards(score: torch.Tensor, logprobs: torch.Tensor, ref_logprobs: torch.Tensor, mask: torch.Tensor,
                      kl_coef: float) -> torch.Tensor:
    """The per-token form of InstructGPT's RL reward r_θ(x, y) − β log(π_RL(y|x) / π_SFT(y|x)) (§3.5, eq. 2)::

        # score (B,): the RM's r_θ(x, y);  logprobs, ref_logprobs (B, T): log π_RL and log π_SFT of each token
        # mask (B, T) bool: True = a response token;  kl_coef = β
        r[b, t] = −β (logprobs[b, t] − ref_logprobs[b, t])      where mask[b, t]
                + score[b]                                       at t = the last response token of row b
                  0                                              where not mask[b, t]

    Summed over a row this is exactly the sequence-level objective: Σ_t r_t = score − β Σ_mask (log π − log π_ref)
    (Clarification 18: the per-token log ratio is a single-sample KL estimate).

    * Any mask pattern: prompt positions (False) before the response, padding (False) after it; at least one True per
      row. "The last response token" is the largest t with mask True — not necessarily column T − 1.
    * Values of logprobs / ref_logprobs at False positions do not matter; the result there is exactly 0.
    * β = ``kl_coef`` is required (no default); β = 0 leaves the score alone.
    * Returns (B, T) in the log-probs' dtype and device.

    Forbidden: the module-wide list.
    """
    raise NotImplementedError("KATA-STUB papers.instructgpt.per_token_rewards: not implemented yet - replace this line with your code")


# ================================================================================================ GAE (PPO eqs. 11-12)
def gae_advantages(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float = 1.0,
                   lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation (PPO paper eqs. 11–12; GAE paper eq. 16), backwards over each row::

        # rewards, values (B, T);  mask (B, T) bool, each row a prefix True … True, False … False (≥ 1 True)
        V_t   = values[:, t] while mask, and V = 0 after the last valid token (the episode ends there)
        δ_t   = r_t + γ V_{t+1} − V_t
        A_t   = δ_t + γ λ A_{t+1}                               # A = 0 after the last valid token
        returns = A + V                                         # the value function's regression target

    * Returns ``(advantages, returns)``, both (B, T), exactly 0 at masked positions; rewards and values at masked
      positions do not matter (never bootstrap from a padded value, Clarification 19).
    * γ = λ = 1 gives Monte Carlo: A_t = Σ_{s≥t} r_s − V_t; λ = 0 gives one-step TD: A_t = δ_t.
    * Defaults γ = 1, λ = 0.95 (common RLHF choices). The rewards' dtype and device.

    Forbidden: the module-wide list.
    """
    raise NotImplementedError("KATA-STUB papers.instructgpt.gae_advantages: not implemented yet - replace this line with your code")


# ================================================================================================ PPO-clip (PPO eq. 7)
def ppo_clip_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor, mask: torch.Tensor,
                  clip_eps: float = 0.2) -> torch.Tensor:
    """PPO's clipped surrogate (PPO paper eq. 7), negated into a loss to minimise::

        # logprobs (B, T): log π_θ (with grad);  old_logprobs, advantages (B, T): constants;  mask (B, T) bool
        ρ    = exp(logprobs − old_logprobs)                     # the probability ratio π_θ / π_old
        loss = − Σ_mask min(ρ A, clip(ρ, 1 − ε, 1 + ε) A) / Σ mask          # 0-d

    * The mean is over all valid tokens of the batch (Clarification 17), not a mean of per-sequence means.
    * At ρ = 1 the loss is −mean(A) and its gradient −A/n: the plain policy gradient. With A > 0 and ρ > 1 + ε, or
      A < 0 and ρ < 1 − ε, the gradient is exactly 0 (nothing more to gain); with A > 0 and ρ < 1 − ε, or A < 0 and
      ρ > 1 + ε, the unclipped term is the smaller one and keeps its full gradient (the pessimistic bound).
    * ε = ``clip_eps`` = 0.2 as in the PPO paper. Values at masked positions do not matter.
    * Old log-probs and advantages are constants (callers pass them without grad). The logprobs' dtype and device.

    Forbidden: the module-wide list.
    """
    raise NotImplementedError("KATA-STUB papers.instructgpt.ppo_clip_loss: not implemented yet - replace this line with your code")
