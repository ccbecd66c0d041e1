"""Recorded buggy variants of papers/instructgpt.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ rm_loss
    "rm_sign_flipped": {
        "why": "−log σ(r_rejected − r_chosen): trains the RM to prefer the rejected response",
        "feedback": "the sign is flipped",
        "source": '''
            def rm_loss(r_chosen, r_rejected):
                d = r_rejected - r_chosen
                return torch.logaddexp(torch.zeros_like(d), -d).mean()
        ''',
    },
    "rm_naive_log_sigmoid": {
        "why": "−log(sigmoid(d)): sigmoid underflows to 0 for d ≲ −104, the loss is inf",
        "feedback": "stable form",
        "source": '''
            def rm_loss(r_chosen, r_rejected):
                return -torch.log(torch.sigmoid(r_chosen - r_rejected)).mean()
        ''',
    },
    "rm_naive_log1p_exp": {
        "why": "log(1 + exp(−d)): exp overflows for d < −88",
        "feedback": "overflows",
        "source": '''
            def rm_loss(r_chosen, r_rejected):
                return torch.log(1 + torch.exp(-(r_chosen - r_rejected))).mean()
        ''',
    },
    "rm_sum": {
        "why": "sum instead of mean over the comparisons",
        "feedback": "not .sum()",
        "source": '''
            def rm_loss(r_chosen, r_rejected):
                d = r_chosen - r_rejected
                return torch.logaddexp(torch.zeros_like(d), -d).sum()
        ''',
    },
    "rm_missing_minus": {
        "why": "mean(log σ(d)): the log-likelihood, not its negation",
        "feedback": "minus sign",
        "source": '''
            def rm_loss(r_chosen, r_rejected):
                d = r_chosen - r_rejected
                return -torch.logaddexp(torch.zeros_like(d), -d).mean()
        ''',
    },
    "rm_forbidden_logsigmoid": {
        "why": "the forbidden shortcut F.logsigmoid",
        "feedback": "not allowed",
        "source": '''
            def rm_loss(r_chosen, r_rejected):
                return -torch.nn.functional.logsigmoid(r_chosen - r_rejected).mean()
        ''',
    },
    # ------------------------------------------------------------------ rm_loss_from_ranking
    "rank_all_ordered_pairs": {
        "why": "every ordered pair i ≠ j: each comparison once forwards, once reversed",
        "feedback": "every ordered pair",
        "source": '''
            def rm_loss_from_ranking(rewards, ranking):
                B, K = rewards.shape
                if K < 2:
                    raise ValueError("K < 2")
                ordered = rewards.gather(1, ranking)
                d = ordered[:, :, None] - ordered[:, None, :]
                off = ~torch.eye(K, dtype=torch.bool, device=rewards.device)
                return torch.logaddexp(torch.zeros_like(d), -d)[:, off].mean()
        ''',
    },
    "rank_adjacent_only": {
        "why": "only (i, i + 1): K − 1 comparisons instead of C(K,2)",
        "feedback": "adjacent",
        "source": '''
            def rm_loss_from_ranking(rewards, ranking):
                B, K = rewards.shape
                if K < 2:
                    raise ValueError("K < 2")
                ordered = rewards.gather(1, ranking)
                d = ordered[:, :-1] - ordered[:, 1:]
                return torch.logaddexp(torch.zeros_like(d), -d).mean()
        ''',
    },
    "rank_read_as_ranks": {
        "why": "ranking[b, k] read as the rank of response k (the inverse permutation)",
        "feedback": "ranking is an ORDER",
        "source": '''
            def rm_loss_from_ranking(rewards, ranking):
                B, K = rewards.shape
                if K < 2:
                    raise ValueError("K < 2")
                loss = rewards.new_zeros(())
                for b in range(B):
                    for i in range(K):
                        for j in range(K):
                            if ranking[b, i] < ranking[b, j]:      # response i ranked above response j
                                d = rewards[b, i] - rewards[b, j]
                                loss = loss + torch.logaddexp(torch.zeros_like(d), -d)
                return loss / (B * K * (K - 1) / 2)
        ''',
    },
    "rank_ignores_ranking": {
        "why": "assumes the rewards are already sorted best → worst",
        "feedback": "ranking was ignored",
        "source": '''
            def rm_loss_from_ranking(rewards, ranking):
                B, K = rewards.shape
                if K < 2:
                    raise ValueError("K < 2")
                i, j = torch.triu_indices(K, K, offset=1, device=rewards.device)
                d = rewards[:, i] - rewards[:, j]
                return torch.logaddexp(torch.zeros_like(d), -d).mean()
        ''',
    },
    "rank_no_normalisation": {
        "why": "sums the C(K,2) comparisons of a prompt without the paper's 1/C(K,2)",
        "feedback": "normalise each prompt's sum by C(K,2)",
        "source": '''
            def rm_loss_from_ranking(rewards, ranking):
                B, K = rewards.shape
                if K < 2:
                    raise ValueError("K < 2")
                ordered = rewards.gather(1, ranking)
                i, j = torch.triu_indices(K, K, offset=1, device=rewards.device)
                d = ordered[:, i] - ordered[:, j]
                return torch.logaddexp(torch.zeros_like(d), -d).sum(1).mean()
        ''',
    },
    "rank_no_K_check": {
        "why": "K = 1 gives the mean of no pairs (NaN) instead of a ValueError",
        "feedback": "ValueError",
        "source": '''
            def rm_loss_from_ranking(rewards, ranking):
                B, K = rewards.shape
                ordered = rewards.gather(1, ranking)
                i, j = torch.triu_indices(K, K, offset=1, device=rewards.device)
                d = ordered[:, i] - ordered[:, j]
                return torch.logaddexp(torch.zeros_like(d), -d).mean()
        ''',
    },
    # ------------------------------------------------------------------ token_logprobs
    "tok_shift_reversed": {
        "why": "logits[:, 1:] scoring tokens[:, :-1]: the shift the wrong way round",
        "feedback": "wrong way round",
        "source": '''
            def token_logprobs(logits, tokens):
                logp = torch.log_softmax(logits[:, 1:], dim=-1)
                return logp.gather(-1, tokens[:, :-1].unsqueeze(-1)).squeeze(-1)
        ''',
    },
    "tok_no_shift": {
        "why": "logits at t score token t (then drops the last column)",
        "feedback": "no shift",
        "source": '''
            def token_logprobs(logits, tokens):
                logp = torch.log_softmax(logits, dim=-1)
                return logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)[:, :-1]
        ''',
    },
    "tok_log_of_softmax": {
        "why": "log(softmax(x)): −inf once a probability underflows (|logits| ~ 1e4)",
        "feedback": "log_softmax",
        "source": '''
            def token_logprobs(logits, tokens):
                p = torch.softmax(logits[:, :-1], dim=-1)
                return torch.log(p.gather(-1, tokens[:, 1:].unsqueeze(-1)).squeeze(-1))
        ''',
    },
    "tok_softmax_over_time": {
        "why": "log_softmax over dim 1 (the time axis) instead of the vocabulary",
        "feedback": "over the vocabulary",
        "source": '''
            def token_logprobs(logits, tokens):
                logp = torch.log_softmax(logits[:, :-1], dim=1)
                return logp.gather(-1, tokens[:, 1:].unsqueeze(-1)).squeeze(-1)
        ''',
    },
    "tok_keeps_T_columns": {
        "why": "scores every position (pads the last with 0): (B, T) instead of (B, T − 1)",
        "feedback": "T − 1 columns",
        "source": '''
            def token_logprobs(logits, tokens):
                logp = torch.log_softmax(logits[:, :-1], dim=-1)
                out = logp.gather(-1, tokens[:, 1:].unsqueeze(-1)).squeeze(-1)
                return torch.cat([out, out.new_zeros(out.shape[0], 1)], dim=1)
        ''',
    },
    # ------------------------------------------------------------------ per_token_rewards
    "ptr_ratio_reversed": {
        "why": "−β (log π_SFT − log π_RL): rewards the policy for drifting away",
        "feedback": "log ratio is reversed",
        "source": '''
            def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
                B, T = mask.shape
                positions = torch.arange(T, device=mask.device)
                last = torch.where(mask, positions, -1).amax(dim=1)
                kl = torch.where(mask, -kl_coef * (ref_logprobs - logprobs), 0.0)
                return kl + torch.where(positions[None, :] == last[:, None], score[:, None], 0.0)
        ''',
    },
    "ptr_score_last_column": {
        "why": "the score at column T − 1 whatever the padding",
        "feedback": "not at column T − 1",
        "source": '''
            def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
                r = torch.where(mask, -kl_coef * (logprobs - ref_logprobs), 0.0)
                return torch.cat([r[:, :-1], r[:, -1:] + score[:, None]], dim=1)
        ''',
    },
    "ptr_kl_everywhere": {
        "why": "the KL penalty charged on prompt and padding positions too",
        "feedback": "response tokens only",
        "source": '''
            def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
                B, T = mask.shape
                positions = torch.arange(T, device=mask.device)
                last = torch.where(mask, positions, -1).amax(dim=1)
                kl = -kl_coef * (logprobs - ref_logprobs)
                return kl + torch.where(positions[None, :] == last[:, None], score[:, None], 0.0)
        ''',
    },
    "ptr_score_at_count": {
        "why": "last index = mask.sum() − 1: right only when the response starts at column 0",
        "feedback": "mask.sum() − 1",
        "source": '''
            def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
                r = torch.where(mask, -kl_coef * (logprobs - ref_logprobs), 0.0)
                last = mask.sum(dim=1) - 1
                return r.scatter_add(1, last[:, None], score[:, None].to(r.dtype))
        ''',
    },
    "ptr_score_every_token": {
        "why": "the score added at every response token",
        "feedback": "paid once",
        "source": '''
            def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
                return torch.where(mask, -kl_coef * (logprobs - ref_logprobs) + score[:, None], 0.0)
        ''',
    },
    # ------------------------------------------------------------------ gae_advantages
    "gae_no_lambda": {
        "why": "A_t = δ_t + γ A_{t+1}: λ dropped",
        "feedback": "λ was dropped",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                B, T = rewards.shape
                next_value = torch.zeros_like(rewards[:, 0])
                next_adv = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in reversed(range(T)):
                    valid = mask[:, t]
                    delta = rewards[:, t] + gamma * next_value - values[:, t]
                    adv = torch.where(valid, delta + gamma * next_adv, 0.0)
                    advs.append(adv)
                    next_value = torch.where(valid, values[:, t], 0.0)
                    next_adv = adv
                advantages = torch.stack(advs[::-1], dim=1)
                return advantages, torch.where(mask, advantages + values, 0.0)
        ''',
    },
    "gae_bootstrap_padding": {
        "why": "V_{t+1} read from the padded position after the last valid token",
        "feedback": "never the value of a padded position",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                B, T = rewards.shape
                next_adv = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in reversed(range(T)):
                    next_value = values[:, t + 1] if t + 1 < T else torch.zeros_like(rewards[:, 0])
                    delta = rewards[:, t] + gamma * next_value - values[:, t]
                    adv = torch.where(mask[:, t], delta + gamma * lam * next_adv, 0.0)
                    advs.append(adv)
                    next_adv = adv
                advantages = torch.stack(advs[::-1], dim=1)
                return advantages, torch.where(mask, advantages + values, 0.0)
        ''',
    },
    "gae_forward": {
        "why": "the recursion run forwards: A_t = δ_t + γλ A_{t−1}",
        "feedback": "GAE runs backwards",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                B, T = rewards.shape
                v = torch.where(mask, values, 0.0)
                nxt = torch.cat([v[:, 1:], torch.zeros_like(v[:, :1])], dim=1)
                delta = rewards + gamma * nxt - values
                prev = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in range(T):
                    prev = torch.where(mask[:, t], delta[:, t] + gamma * lam * prev, 0.0)
                    advs.append(prev)
                advantages = torch.stack(advs, dim=1)
                return advantages, torch.where(mask, advantages + values, 0.0)
        ''',
    },
    "gae_no_gamma_in_delta": {
        "why": "δ_t = r_t + V_{t+1} − V_t: the next value not discounted",
        "feedback": "discounted by γ too",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                B, T = rewards.shape
                next_value = torch.zeros_like(rewards[:, 0])
                next_adv = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in reversed(range(T)):
                    valid = mask[:, t]
                    delta = rewards[:, t] + next_value - values[:, t]
                    adv = torch.where(valid, delta + gamma * lam * next_adv, 0.0)
                    advs.append(adv)
                    next_value = torch.where(valid, values[:, t], 0.0)
                    next_adv = adv
                advantages = torch.stack(advs[::-1], dim=1)
                return advantages, torch.where(mask, advantages + values, 0.0)
        ''',
    },
    "gae_returns_are_advantages": {
        "why": "returns = advantages (the value target without + V)",
        "feedback": "returns = advantages + values",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                B, T = rewards.shape
                next_value = torch.zeros_like(rewards[:, 0])
                next_adv = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in reversed(range(T)):
                    valid = mask[:, t]
                    delta = rewards[:, t] + gamma * next_value - values[:, t]
                    adv = torch.where(valid, delta + gamma * lam * next_adv, 0.0)
                    advs.append(adv)
                    next_value = torch.where(valid, values[:, t], 0.0)
                    next_adv = adv
                advantages = torch.stack(advs[::-1], dim=1)
                return advantages, advantages.clone()
        ''',
    },
    "gae_returns_unmasked": {
        "why": "returns = A + V everywhere: the padded values leak into the targets",
        "feedback": "returns are 0 at masked positions",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                B, T = rewards.shape
                next_value = torch.zeros_like(rewards[:, 0])
                next_adv = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in reversed(range(T)):
                    valid = mask[:, t]
                    delta = rewards[:, t] + gamma * next_value - values[:, t]
                    adv = torch.where(valid, delta + gamma * lam * next_adv, 0.0)
                    advs.append(adv)
                    next_value = torch.where(valid, values[:, t], 0.0)
                    next_adv = adv
                advantages = torch.stack(advs[::-1], dim=1)
                return advantages, advantages + values
        ''',
    },
    "gae_masks_inputs_in_place": {
        "why": "zeroes the padded rewards and values in place before the (otherwise right) recursion",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
                rewards.masked_fill_(~mask, 0.0)
                values.masked_fill_(~mask, 0.0)
                B, T = rewards.shape
                lastgaelam = torch.zeros_like(rewards[:, 0])
                advs = []
                for t in reversed(range(T)):
                    nextvalues = values[:, t + 1] if t < T - 1 else torch.zeros_like(rewards[:, 0])
                    delta = rewards[:, t] + gamma * nextvalues - values[:, t]
                    lastgaelam = delta + gamma * lam * lastgaelam
                    advs.append(lastgaelam)
                advantages = torch.stack(advs[::-1], dim=1) * mask
                return advantages, (advantages + values) * mask
        ''',
    },
    # ------------------------------------------------------------------ ppo_clip_loss
    "ppo_max": {
        "why": "max instead of min (the sign mix-up for negative advantages)",
        "feedback": "max instead of min",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs - old_logprobs)
                s1 = ratio * advantages
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                return -torch.where(mask, torch.maximum(s1, s2), 0.0).sum() / mask.sum()
        ''',
    },
    "ppo_clipped_only": {
        "why": "the clipped term without the min",
        "feedback": "the clipped term alone",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs - old_logprobs)
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                return -torch.where(mask, s2, 0.0).sum() / mask.sum()
        ''',
    },
    "ppo_ratio_inverted": {
        "why": "ρ = exp(old − new)",
        "feedback": "the ratio is inverted",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(old_logprobs - logprobs)
                s1 = ratio * advantages
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                return -torch.where(mask, torch.minimum(s1, s2), 0.0).sum() / mask.sum()
        ''',
    },
    "ppo_clips_the_loss": {
        "why": "clips the product ρ·A (the objective) instead of the ratio ρ",
        "feedback": "clip the probability RATIO",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs - old_logprobs)
                s1 = ratio * advantages
                s2 = torch.clamp(s1, 1 - clip_eps, 1 + clip_eps)
                return -torch.where(mask, torch.minimum(s1, s2), 0.0).sum() / mask.sum()
        ''',
    },
    "ppo_per_sequence_mean": {
        "why": "mean of per-sequence token means instead of the mean over all valid tokens",
        "feedback": "not a mean of per-sequence means",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs - old_logprobs)
                s1 = ratio * advantages
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                obj = torch.where(mask, torch.minimum(s1, s2), 0.0)
                return -(obj.sum(1) / mask.sum(1)).mean()
        ''',
    },
    "ppo_mean_over_all_positions": {
        "why": "divides by B·T: masked positions counted",
        "feedback": "not by B·T",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs - old_logprobs)
                s1 = ratio * advantages
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                return -torch.where(mask, torch.minimum(s1, s2), 0.0).mean()
        ''',
    },
    "ppo_not_negated": {
        "why": "returns the surrogate objective (to maximise) instead of the loss",
        "feedback": "loss to minimise",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs - old_logprobs)
                s1 = ratio * advantages
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                return torch.where(mask, torch.minimum(s1, s2), 0.0).sum() / mask.sum()
        ''',
    },
    "ppo_ratio_detached": {
        "why": "computes the ratio from detached log-probs: the right value and no gradient",
        "feedback": "autograd graph",
        "source": '''
            def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
                ratio = torch.exp(logprobs.detach() - old_logprobs)
                s1 = ratio * advantages
                s2 = ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages
                return -torch.where(mask, torch.minimum(s1, s2), 0.0).sum() / mask.sum()
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # The reference code of the RLHF papers' lineage, adapted only where the contract's Clarifications differ:
    # Hugging Face trl's RewardTrainer (−logsigmoid(r_w − r_l).mean(), the forbidden logsigmoid written as
    # −(max(−d, 0) + log1p(exp(−|d|)))), trl's logprobs_from_logits(logits[:, :-1], tokens[:, 1:]),
    # PPOTrainer.compute_rewards (kl = logprob − ref_logprob, −β·kl, score added at mask.nonzero()[−1]; the KL
    # masked as Clarification 18 asks), compute_advantages (lastgaelam over reversed(range(gen_len)) with
    # values·mask and rewards·mask; no whitening) and the policy loss max(−A·ρ, −A·clip(ρ)) with masked_mean.
    "trl_reference": '''
        def rm_loss(r_chosen, r_rejected):
            d = r_chosen - r_rejected
            return (torch.clamp(-d, min=0) + torch.log1p(torch.exp(-d.abs()))).mean()

        def rm_loss_from_ranking(rewards, ranking):
            import itertools
            B, K = rewards.shape
            if K < 2:
                raise ValueError("need at least two responses per prompt")
            chosen, rejected = [], []
            for i, j in itertools.combinations(range(K), 2):
                chosen.append(rewards.gather(1, ranking[:, i:i + 1]))
                rejected.append(rewards.gather(1, ranking[:, j:j + 1]))
            return rm_loss(torch.cat(chosen, 1), torch.cat(rejected, 1))

        F = torch.nn.functional

        def logprobs_from_logits(logits, labels):
            logp = F.log_softmax(logits, dim=2)
            return torch.gather(logp, 2, labels.unsqueeze(2)).squeeze(-1)

        def token_logprobs(logits, tokens):
            return logprobs_from_logits(logits[:, :-1, :], tokens[:, 1:])

        def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
            rewards = []
            for s, logprob, ref_logprob, m in zip(score, logprobs, ref_logprobs, mask):
                kl = logprob - ref_logprob
                non_score_reward = -kl_coef * kl * m
                reward = non_score_reward.clone()
                last_non_masked_index = m.nonzero()[-1]
                reward[last_non_masked_index] += s
                rewards.append(reward)
            return torch.stack(rewards)

        def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
            lastgaelam = 0
            advantages_reversed = []
            gen_len = rewards.shape[-1]
            values = values * mask
            rewards = rewards * mask
            for t in reversed(range(gen_len)):
                nextvalues = values[:, t + 1] if t < gen_len - 1 else 0.0
                delta = rewards[:, t] + gamma * nextvalues - values[:, t]
                lastgaelam = delta + gamma * lam * lastgaelam
                advantages_reversed.append(lastgaelam)
            advantages = torch.stack(advantages_reversed[::-1]).transpose(0, 1)
            returns = advantages + values
            return advantages * mask, returns * mask

        def masked_mean(values, mask):
            return (values * mask).sum() / mask.sum()

        def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
            ratio = torch.exp(logprobs - old_logprobs)
            pg_losses = -advantages * ratio
            pg_losses2 = -advantages * torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps)
            return masked_mean(torch.max(pg_losses, pg_losses2), mask)
    ''',
    # Loops and float64 internals: Python loops over prompts, pairs, rows and tokens, computed in float64 and
    # cast back to the inputs' dtype at the end (boolean indexing and .tolist() on the host are allowed).
    "float64_loops": '''
        def _nls(d):                                   # −log σ(d), float64
            return torch.logaddexp(torch.zeros_like(d), -d)

        def rm_loss(r_chosen, r_rejected):
            d = r_chosen.double() - r_rejected.double()
            return _nls(d).mean().to(r_chosen.dtype)

        def rm_loss_from_ranking(rewards, ranking):
            B, K = rewards.shape
            if K < 2:
                raise ValueError(f"K = {K} < 2")
            r = rewards.double()
            per_prompt = []
            for b in range(B):
                order = ranking[b].tolist()
                terms = [_nls(r[b, order[i]] - r[b, order[j]]) for i in range(K) for j in range(i + 1, K)]
                per_prompt.append(torch.stack(terms).mean())
            return torch.stack(per_prompt).mean().to(rewards.dtype)

        def token_logprobs(logits, tokens):
            x = logits.double()
            lse = torch.logsumexp(x, dim=-1)                              # (B, T)
            B, T, V = x.shape
            rows = []
            for b in range(B):
                rows.append(torch.stack([x[b, t, tokens[b, t + 1]] - lse[b, t] for t in range(T - 1)])
                            if T > 1 else x.new_zeros(0))
            return torch.stack(rows).to(logits.dtype)

        def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
            out = torch.zeros(mask.shape, dtype=torch.float64, device=logprobs.device)
            lp, ref = logprobs.double(), ref_logprobs.double()
            for b in range(mask.shape[0]):
                idx = mask[b].nonzero().flatten().tolist()
                for t in idx:
                    out[b, t] = -kl_coef * (lp[b, t] - ref[b, t])
                out[b, idx[-1]] += score[b].double()
            return out.to(logprobs.dtype)

        def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
            r, v = rewards.double(), values.double()
            adv = torch.zeros_like(r)
            for b in range(r.shape[0]):
                L = int(mask[b].sum())
                a = 0.0
                for t in range(L - 1, -1, -1):
                    nv = v[b, t + 1] if t + 1 < L else 0.0
                    a = r[b, t] + gamma * nv - v[b, t] + gamma * lam * a
                    adv[b, t] = a
            ret = torch.where(mask, adv + v, 0.0)
            return adv.to(rewards.dtype), ret.to(rewards.dtype)

        def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
            lp, old, A = logprobs[mask].double(), old_logprobs[mask].double(), advantages[mask].double()
            ratio = (lp - old).exp()
            obj = torch.min(ratio * A, torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * A)
            return (-obj.mean()).to(logprobs.dtype)
    ''',
    # Vectorised in other ways: relu/abs stable form, gather + logsumexp, scatter for the score, GAE as a
    # discounted triangular matrix product, the clip written as where(...) on the ratio.
    "vectorised_other_forms": '''
        def rm_loss(r_chosen, r_rejected):
            d = r_chosen - r_rejected
            return (torch.relu(-d) + torch.log1p(torch.exp(-d.abs()))).mean()

        def rm_loss_from_ranking(rewards, ranking):
            B, K = rewards.shape
            if K < 2:
                raise ValueError("rm_loss_from_ranking needs K >= 2")
            ordered = torch.take_along_dim(rewards, ranking, dim=1)          # (B, K)
            d = ordered[:, :, None] - ordered[:, None, :]                    # d[b, i, j] = o_i − o_j
            upper = torch.ones(K, K, dtype=torch.bool, device=rewards.device).triu(1)
            nls = torch.maximum(-d, torch.zeros_like(d)) + torch.log1p(torch.exp(-d.abs()))
            return (nls * upper).sum() / (B * upper.sum())

        def token_logprobs(logits, tokens):
            x = logits[:, :-1]
            picked = torch.take_along_dim(x, tokens[:, 1:, None], dim=-1)[..., 0]
            return picked - torch.logsumexp(x, dim=-1)

        def per_token_rewards(score, logprobs, ref_logprobs, mask, kl_coef):
            B, T = mask.shape
            rev = mask.flip(1).to(torch.int64).argmax(dim=1)                 # first True from the right
            last = T - 1 - rev
            r = (-kl_coef) * (logprobs - ref_logprobs) * mask
            return r.scatter_add(1, last[:, None], score[:, None].to(r.dtype))

        def gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95):
            B, T = rewards.shape
            m = mask.to(rewards.dtype)
            v = values * m
            nxt = torch.cat([v[:, 1:], torch.zeros_like(v[:, :1])], dim=1)
            delta = (rewards + gamma * nxt - v) * m                          # (B, T)
            t = torch.arange(T, device=rewards.device)
            power = (t[None, :] - t[:, None]).clamp(min=0).to(rewards.dtype)  # s − t
            W = torch.where(t[None, :] >= t[:, None], (gamma * lam) ** power, torch.zeros_like(power))
            adv = (delta @ W.T) * m                                          # A_t = Σ_s (γλ)^{s−t} δ_s
            return adv, (adv + v) * m

        def ppo_clip_loss(logprobs, old_logprobs, advantages, mask, clip_eps=0.2):
            ratio = torch.exp(logprobs - old_logprobs)
            low, high = 1 - clip_eps, 1 + clip_eps
            clipped = torch.where(ratio > high, torch.full_like(ratio, high),
                                  torch.where(ratio < low, torch.full_like(ratio, low), ratio))
            obj = torch.min(ratio * advantages, clipped * advantages)
            m = mask.to(obj.dtype)
            return -(obj * m).sum() / m.sum()
    ''',
}
