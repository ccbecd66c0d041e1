"""Recorded buggy variants of papers/naturalspeech2.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ rvq_encode
    "enc_quantises_the_input": {
        "why": "every stage quantises z instead of the residual",
        "feedback": "quantise the RESIDUAL",
        "source": '''
            def rvq_encode(z, codebooks):
                codes = []
                for e in codebooks:
                    dist = ((z[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    codes.append(dist.argmin(dim=1))
                return torch.stack(codes, dim=1)
        ''',
    },
    "enc_residual_not_accumulated": {
        "why": "r_j = z − e_{j,c_j}: right for R ≤ 2 only",
        "feedback": "not accumulated",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    dist = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    c = dist.argmin(dim=1)
                    codes.append(c)
                    residual = z - e[c]
                return torch.stack(codes, dim=1)
        ''',
    },
    "enc_dot_product": {
        "why": "argmax r·e: right only for equal-norm codewords",
        "feedback": "same norm",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    c = (residual @ e.T).argmax(dim=1)
                    codes.append(c)
                    residual = residual - e[c]
                return torch.stack(codes, dim=1)
        ''',
    },
    "enc_farthest": {
        "why": "argmax of the distance",
        "feedback": "farthest",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    c = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1).argmax(dim=1)
                    codes.append(c)
                    residual = residual - e[c]
                return torch.stack(codes, dim=1)
        ''',
    },
    "enc_ties_to_last": {
        "why": "a loop with <= keeps the last of equal distances",
        "feedback": "lowest index",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    dist = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    K = dist.shape[1]
                    c = K - 1 - dist.flip(1).argmin(dim=1)
                    codes.append(c)
                    residual = residual - e[c]
                return torch.stack(codes, dim=1)
        ''',
    },
    "enc_codes_transposed": {
        "why": "stacks the codes along dim 0: (R, N)",
        "feedback": "one row per frame",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    c = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1).argmin(dim=1)
                    codes.append(c)
                    residual = residual - e[c]
                return torch.stack(codes, dim=0)
        ''',
    },
    "enc_int32_codes": {
        "why": "codes converted to int32",
        "feedback": "int64",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    c = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1).argmin(dim=1)
                    codes.append(c)
                    residual = residual - e[c]
                return torch.stack(codes, dim=1).int()
        ''',
    },
    "enc_forbidden_cdist": {
        "why": "the forbidden shortcut torch.cdist",
        "feedback": "not allowed",
        "source": '''
            def rvq_encode(z, codebooks):
                residual = z
                codes = []
                for e in codebooks:
                    c = torch.cdist(residual, e).argmin(dim=1)
                    codes.append(c)
                    residual = residual - e[c]
                return torch.stack(codes, dim=1)
        ''',
    },
    # ------------------------------------------------------------------ rvq_decode
    "dec_codebook_zero": {
        "why": "codebook 0 for every column",
        "feedback": "not codebook 0",
        "source": '''
            def rvq_decode(codes, codebooks):
                R, K, D = codebooks.shape
                q = codes.shape[1]
                if q > R:
                    raise ValueError("q > R")
                z_q = codebooks.new_zeros(codes.shape[0], D)
                for j in range(q):
                    z_q = z_q + codebooks[0][codes[:, j]]
                return z_q
        ''',
    },
    "dec_mean": {
        "why": "mean of the codewords instead of their sum",
        "feedback": "not their mean",
        "source": '''
            def rvq_decode(codes, codebooks):
                R, K, D = codebooks.shape
                q = codes.shape[1]
                if q > R:
                    raise ValueError("q > R")
                return torch.stack([codebooks[j][codes[:, j]] for j in range(q)], dim=1).mean(1)
        ''',
    },
    "dec_all_codebooks": {
        "why": "reads all R codebooks whatever q",
        "feedback": "the first q codebooks",
        "source": '''
            def rvq_decode(codes, codebooks):
                R, K, D = codebooks.shape
                if codes.shape[1] > R:
                    raise ValueError("q > R")
                z_q = codebooks.new_zeros(codes.shape[0], D)
                for j in range(R):
                    z_q = z_q + codebooks[j][codes[:, j]]
                return z_q
        ''',
    },
    "dec_no_check": {
        "why": "q > R not rejected (an IndexError, or silently wrong)",
        "feedback": "ValueError",
        "source": '''
            def rvq_decode(codes, codebooks):
                D = codebooks.shape[2]
                z_q = codebooks.new_zeros(codes.shape[0], D)
                for j in range(codes.shape[1]):
                    z_q = z_q + codebooks[j][codes[:, j]]
                return z_q
        ''',
    },
    # ------------------------------------------------------------------ rvq_straight_through
    "st_backwards": {
        "why": "quantised + (z − quantised).detach(): the value of z, gradient to the codebooks",
        "feedback": "written backwards",
        "source": '''
            def rvq_straight_through(z, codebooks):
                codes = rvq_encode(z.detach(), codebooks.detach())
                quantized = rvq_decode(codes, codebooks)
                z_q = quantized + (z - quantized).detach()
                residual, losses = z, []
                for j in range(codebooks.shape[0]):
                    e = codebooks[j].detach()[codes[:, j]]
                    losses.append(((residual - e) ** 2).mean())
                    residual = residual - e
                return z_q, codes, torch.stack(losses).mean()
        ''',
    },
    "st_detached": {
        "why": "z_q = quantised.detach(): the right value and no gradient at all",
        "feedback": "gives the encoder no gradient",
        "source": '''
            def rvq_straight_through(z, codebooks):
                codes = rvq_encode(z.detach(), codebooks.detach())
                z_q = rvq_decode(codes, codebooks).detach()
                residual, losses = z, []
                for j in range(codebooks.shape[0]):
                    e = codebooks[j].detach()[codes[:, j]]
                    losses.append(((residual - e) ** 2).mean())
                    residual = residual - e
                return z_q, codes, torch.stack(losses).mean()
        ''',
    },
    "st_commitment_not_detached": {
        "why": "the codewords are not detached in the commitment loss: it trains the codebooks too",
        "feedback": "detach the codewords in the commitment loss",
        "source": '''
            def rvq_straight_through(z, codebooks):
                codes = rvq_encode(z.detach(), codebooks.detach())
                quantized = rvq_decode(codes, codebooks.detach())
                z_q = z + (quantized - z).detach()
                residual, losses = z, []
                for j in range(codebooks.shape[0]):
                    e = codebooks[j][codes[:, j]]
                    losses.append(((residual - e) ** 2).mean())
                    residual = residual - e
                return z_q, codes, torch.stack(losses).mean()
        ''',
    },
    "st_commitment_encodec_residuals": {
        "why": "each stage's residual minus its straight-through output (EnCodec's layer loop): later stages lose "
               "their gradient to z",
        "feedback": "cuts the gradient of every later stage",
        "source": '''
            def rvq_straight_through(z, codebooks):
                cb = codebooks.detach()
                codes = rvq_encode(z.detach(), cb)
                residual, losses, z_q = z, [], 0.0
                for j in range(cb.shape[0]):
                    e = cb[j][codes[:, j]]
                    losses.append(F.mse_loss(e, residual))
                    q_st = residual + (e - residual).detach()
                    residual = residual - q_st
                    z_q = z_q + q_st
                return z_q, codes, torch.stack(losses).mean()
        ''',
    },
    "st_commitment_final_residual": {
        "why": "commitment = mean((z − z_q)²): only the last residual, not the per-stage average",
        "feedback": "not only the final residual",
        "source": '''
            def rvq_straight_through(z, codebooks):
                cb = codebooks.detach()
                codes = rvq_encode(z.detach(), cb)
                quantized = rvq_decode(codes, cb)
                z_q = z + (quantized - z).detach()
                return z_q, codes, ((z - quantized) ** 2).mean()
        ''',
    },
    "st_commitment_summed": {
        "why": "sum of the per-stage terms instead of their mean",
        "feedback": "not their sum",
        "source": '''
            def rvq_straight_through(z, codebooks):
                cb = codebooks.detach()
                codes = rvq_encode(z.detach(), cb)
                quantized = rvq_decode(codes, cb)
                z_q = z + (quantized - z).detach()
                residual, losses = z, []
                for j in range(cb.shape[0]):
                    e = cb[j][codes[:, j]]
                    losses.append(((residual - e) ** 2).mean())
                    residual = residual - e
                return z_q, codes, torch.stack(losses).sum()
        ''',
    },
    # ------------------------------------------------------------------ rvq_ce_loss
    "ce_plus_distance": {
        "why": "+distance as logits: far codewords get the probability",
        "feedback": "MINUS the squared distance",
        "source": '''
            def rvq_ce_loss(z_hat, codes, codebooks):
                residual, losses = z_hat, []
                for j in range(codes.shape[1]):
                    e = codebooks[j]
                    logits = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    losses.append(F.cross_entropy(logits, codes[:, j]))
                    residual = residual - e[codes[:, j]]
                return torch.stack(losses).mean()
        ''',
    },
    "ce_own_codes": {
        "why": "the residual from ẑ's own argmin codes instead of the ground truth",
        "feedback": "GROUND-TRUTH embeddings",
        "source": '''
            def rvq_ce_loss(z_hat, codes, codebooks):
                residual, losses = z_hat, []
                for j in range(codes.shape[1]):
                    e = codebooks[j]
                    logits = -((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    losses.append(F.cross_entropy(logits, codes[:, j]))
                    residual = residual - e[logits.argmax(dim=1)]
                return torch.stack(losses).mean()
        ''',
    },
    "ce_sum_over_quantizers": {
        "why": "the sum over quantizers instead of the mean",
        "feedback": "not the sum",
        "source": '''
            def rvq_ce_loss(z_hat, codes, codebooks):
                residual, losses = z_hat, []
                for j in range(codes.shape[1]):
                    e = codebooks[j]
                    logits = -((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    losses.append(F.cross_entropy(logits, codes[:, j]))
                    residual = residual - e[codes[:, j]]
                return torch.stack(losses).sum()
        ''',
    },
    "ce_no_residual": {
        "why": "every quantizer scores ẑ itself",
        "feedback": "not ẑ itself",
        "source": '''
            def rvq_ce_loss(z_hat, codes, codebooks):
                losses = []
                for j in range(codes.shape[1]):
                    e = codebooks[j]
                    logits = -((z_hat[:, None, :] - e[None, :, :]) ** 2).sum(-1)
                    losses.append(F.cross_entropy(logits, codes[:, j]))
                return torch.stack(losses).mean()
        ''',
    },
    "ce_l2_not_squared": {
        "why": "minus the L2 distance (not squared) as logits",
        "feedback": "SQUARED distance",
        "source": '''
            def rvq_ce_loss(z_hat, codes, codebooks):
                residual, losses = z_hat, []
                for j in range(codes.shape[1]):
                    e = codebooks[j]
                    logits = -((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1).sqrt()
                    losses.append(F.cross_entropy(logits, codes[:, j]))
                    residual = residual - e[codes[:, j]]
                return torch.stack(losses).mean()
        ''',
    },
    # ------------------------------------------------------------------ ema_codebook_update
    "ema_decay_swapped": {
        "why": "decay on the new statistics: n ← (1 − decay)·n + decay·count",
        "feedback": "decay multiplies the OLD statistics",
        "source": '''
            def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
                K = codebook.shape[0]
                counts = ema_count.new_zeros(K).index_add_(0, codes, x.new_ones(codes.shape[0]))
                sums = ema_sum.new_zeros(ema_sum.shape).index_add_(0, codes, x)
                new_count = (1 - decay) * ema_count + decay * counts
                new_sum = (1 - decay) * ema_sum + decay * sums
                total = new_count.sum()
                smoothed = (new_count + eps) / (total + K * eps) * total
                return new_sum / smoothed[:, None], new_count, new_sum
        ''',
    },
    "ema_no_smoothing": {
        "why": "e = m / n: 0/0 for a code with no count",
        "feedback": "smooth the counts before dividing",
        "source": '''
            def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
                K = codebook.shape[0]
                counts = ema_count.new_zeros(K).index_add_(0, codes, x.new_ones(codes.shape[0]))
                sums = ema_sum.new_zeros(ema_sum.shape).index_add_(0, codes, x)
                new_count = decay * ema_count + (1 - decay) * counts
                new_sum = decay * ema_sum + (1 - decay) * sums
                return new_sum / new_count[:, None], new_count, new_sum
        ''',
    },
    "ema_eps_not_renormalised": {
        "why": "e = m / (n + eps): the Laplace smoothing without its renormalisation",
        "feedback": "renormalises",
        "source": '''
            def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
                K = codebook.shape[0]
                counts = ema_count.new_zeros(K).index_add_(0, codes, x.new_ones(codes.shape[0]))
                sums = ema_sum.new_zeros(ema_sum.shape).index_add_(0, codes, x)
                new_count = decay * ema_count + (1 - decay) * counts
                new_sum = decay * ema_sum + (1 - decay) * sums
                return new_sum / (new_count + eps)[:, None], new_count, new_sum
        ''',
    },
    "ema_bincount_without_minlength": {
        "why": "bincount(codes) is shorter than K when the highest codes are unused",
        "feedback": "minlength",
        "source": '''
            def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
                K = codebook.shape[0]
                counts = torch.bincount(codes).to(ema_count.dtype)
                sums = torch.stack([x[codes == k].sum(0) for k in range(counts.shape[0])])
                new_count = decay * ema_count + (1 - decay) * counts
                new_sum = decay * ema_sum + (1 - decay) * sums
                total = new_count.sum()
                smoothed = (new_count + eps) / (total + K * eps) * total
                return new_sum / smoothed[:, None], new_count, new_sum
        ''',
    },
    "ema_in_place": {
        "why": "updates ema_count and ema_sum in place (mul_/add_) and returns them",
        "feedback": "unchanged",
        "source": '''
            def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
                K = codebook.shape[0]
                counts = ema_count.new_zeros(K).index_add_(0, codes, x.new_ones(codes.shape[0]))
                sums = ema_sum.new_zeros(ema_sum.shape).index_add_(0, codes, x)
                ema_count.mul_(decay).add_(counts, alpha=1 - decay)
                ema_sum.mul_(decay).add_(sums, alpha=1 - decay)
                total = ema_count.sum()
                smoothed = (ema_count + eps) / (total + K * eps) * total
                return ema_sum / smoothed[:, None], ema_count, ema_sum
        ''',
    },
    "ema_batch_only": {
        "why": "the codebook from this batch's sums and counts alone (the running statistics ignored)",
        "feedback": "follows the EMA formulas",
        "source": '''
            def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
                K = codebook.shape[0]
                counts = ema_count.new_zeros(K).index_add_(0, codes, x.new_ones(codes.shape[0]))
                sums = ema_sum.new_zeros(ema_sum.shape).index_add_(0, codes, x)
                new_count = decay * ema_count + (1 - decay) * counts
                new_sum = decay * ema_sum + (1 - decay) * sums
                total = counts.sum()
                smoothed = (counts + eps) / (total + K * eps) * total
                return sums / smoothed[:, None], new_count, new_sum
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # EnCodec's quantization/core_vq.py (EuclideanCodebook.quantize/dequantize/expire-free forward,
    # ResidualVectorQuantization, laplace_smoothing, ema_inplace), adapted only where the contract's Clarifications
    # differ: functions instead of modules, the EMA state cloned instead of updated in place, no dead-code
    # replacement, the commitment residuals built from detached codewords (EnCodec subtracts each layer's
    # straight-through output, which cuts later layers' gradient), and the CE-RVQ loss of NaturalSpeech 2 §3.2.
    "encodec_reference": '''
        def laplace_smoothing(x, n_categories, epsilon=1e-5):
            return (x + epsilon) / (x.sum() + n_categories * epsilon)

        def ema_inplace(moving_avg, new, decay):
            moving_avg.data.mul_(decay).add_(new, alpha=(1 - decay))

        def _quantize(x, embed):
            embed = embed.t()
            dist = -(x.pow(2).sum(1, keepdim=True) - 2 * x @ embed + embed.pow(2).sum(0, keepdim=True))
            return dist.max(dim=-1).indices

        def rvq_encode(z, codebooks):
            residual = z
            all_indices = []
            for layer in codebooks:
                indices = _quantize(residual, layer)
                quantized = F.embedding(indices, layer)
                residual = residual - quantized
                all_indices.append(indices)
            return torch.stack(all_indices).t()

        def rvq_decode(codes, codebooks):
            if codes.shape[1] > codebooks.shape[0]:
                raise ValueError("more code columns than quantizers")
            quantized_out = codebooks.new_zeros(codes.shape[0], codebooks.shape[2])
            for i, indices in enumerate(codes.t()):
                quantized_out = quantized_out + F.embedding(indices, codebooks[i])
            return quantized_out

        def rvq_straight_through(z, codebooks):
            cb = codebooks.detach()
            codes = rvq_encode(z.detach(), cb)
            residual, quantized_out, losses = z, 0.0, []
            for i, layer in enumerate(cb):
                quantize = F.embedding(codes[:, i], layer)
                losses.append(F.mse_loss(quantize.detach(), residual))
                quantized_out = quantized_out + quantize
                residual = residual - quantize
            z_q = z + (quantized_out - z).detach()
            return z_q, codes, torch.stack(losses).mean()

        def rvq_ce_loss(z_hat, codes, codebooks):
            residual, losses = z_hat, []
            for j in range(codes.shape[1]):
                embed = codebooks[j].t()
                dist = -(residual.pow(2).sum(1, keepdim=True) - 2 * residual @ embed
                         + embed.pow(2).sum(0, keepdim=True))
                losses.append(F.cross_entropy(dist, codes[:, j]))
                residual = residual - F.embedding(codes[:, j], codebooks[j])
            return torch.stack(losses).mean()

        def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
            cluster_size, embed_avg = ema_count.clone(), ema_sum.clone()
            codebook_size = codebook.shape[0]
            embed_onehot = F.one_hot(codes, codebook_size).type(x.dtype)
            ema_inplace(cluster_size, embed_onehot.sum(0), decay)
            embed_sum = x.t() @ embed_onehot
            ema_inplace(embed_avg, embed_sum.t(), decay)
            cluster_size_s = laplace_smoothing(cluster_size, codebook_size, eps) * cluster_size.sum()
            embed_normalized = embed_avg / cluster_size_s.unsqueeze(1)
            return embed_normalized, cluster_size, embed_avg
    ''',
    # Loops and float64 internals: per frame and per codeword, explicit ‖r‖² − 2 r·e + ‖e‖² in float64 (exact on
    # the graders' small-integer ties), results cast back to the inputs' dtype.
    "float64_loops": '''
        def rvq_encode(z, codebooks):
            r = z.double()
            cbd = codebooks.double()
            codes = torch.zeros(z.shape[0], codebooks.shape[0], dtype=torch.int64, device=z.device)
            for j in range(cbd.shape[0]):
                e = cbd[j]
                d = (r * r).sum(1, keepdim=True) - 2 * r @ e.T + (e * e).sum(1)[None, :]
                c = torch.argmin(d, dim=1)
                codes[:, j] = c
                r = r - e[c]
            return codes

        def rvq_decode(codes, codebooks):
            N, q = codes.shape
            if q > codebooks.shape[0]:
                raise ValueError(f"q = {q} > R = {codebooks.shape[0]}")
            out = torch.zeros(N, codebooks.shape[2], dtype=torch.float64, device=codebooks.device)
            for j in range(q):
                out += codebooks[j].double()[codes[:, j]]
            return out.to(codebooks.dtype)

        def rvq_straight_through(z, codebooks):
            codes = rvq_encode(z.detach(), codebooks.detach())
            quantized = rvq_decode(codes, codebooks.detach())
            z_q = quantized + (z - z.detach())
            r = z.double()
            total = 0.0
            R = codebooks.shape[0]
            for j in range(R):
                e = codebooks[j].detach().double()[codes[:, j]]
                total = total + ((r - e) ** 2).mean()
                r = r - e
            return z_q, codes, (total / R).to(z.dtype)

        def rvq_ce_loss(z_hat, codes, codebooks):
            r = z_hat.double()
            cbd = codebooks.double()
            total = 0.0
            q = codes.shape[1]
            for j in range(q):
                d = ((r[:, None, :] - cbd[j][None, :, :]) ** 2).sum(-1)
                logp = torch.log_softmax(-d, dim=1)
                total = total - logp.gather(1, codes[:, j:j + 1]).mean()
                r = r - cbd[j][codes[:, j]]
            return (total / q).to(z_hat.dtype)

        def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
            K = codebook.shape[0]
            xd = x.double()
            counts = torch.zeros(K, dtype=torch.float64, device=x.device)
            sums = torch.zeros(ema_sum.shape, dtype=torch.float64, device=x.device)
            for n in range(x.shape[0]):
                k = int(codes[n])
                counts[k] += 1.0
                sums[k] += xd[n]
            n_k = decay * ema_count.double() + (1 - decay) * counts
            m_k = decay * ema_sum.double() + (1 - decay) * sums
            total = n_k.sum()
            smoothed = (n_k + eps) / (total + K * eps) * total
            dt = codebook.dtype
            return (m_k / smoothed[:, None]).to(dt), n_k.to(ema_count.dtype), m_k.to(ema_sum.dtype)
    ''',
    # Vectorised in other ways: einsum distances and a single gather over all codebooks, F.embedding on the
    # flattened codebooks, log_softmax for the cross-entropy, scatter_add_ and bincount(minlength) for the EMA.
    "vectorised_other_forms": '''
        def rvq_encode(z, codebooks):
            residual = z
            codes = []
            for j in range(codebooks.shape[0]):
                e = codebooks[j]
                diff = residual[:, None, :] - e[None, :, :]
                c = torch.einsum("nkd,nkd->nk", diff, diff).argmin(dim=-1)
                codes.append(c)
                residual = residual - torch.index_select(e, 0, c)
            return torch.stack(codes, dim=-1)

        def rvq_decode(codes, codebooks):
            R, K, D = codebooks.shape
            q = codes.shape[1]
            if q > R:
                raise ValueError("rvq_decode: q must be at most R")
            offsets = torch.arange(q, device=codes.device) * K
            return F.embedding(codes + offsets, codebooks.reshape(R * K, D)).sum(dim=1)

        def rvq_straight_through(z, codebooks):
            cb = codebooks.detach()
            codes = rvq_encode(z.detach(), cb)
            R = cb.shape[0]
            picked = cb[torch.arange(R, device=codes.device)[None, :], codes]          # (N, R, D)
            z_q = z + (picked.sum(1) - z).detach()
            before = torch.cat([torch.zeros_like(picked[:, :1]), picked.cumsum(1)[:, :-1]], dim=1)
            residuals = z[:, None, :] - before                                         # r_{j−1}
            commitment = ((residuals - picked) ** 2).mean(dim=(0, 2)).mean()
            return z_q, codes, commitment

        def rvq_ce_loss(z_hat, codes, codebooks):
            q = codes.shape[1]
            picked = codebooks[torch.arange(q, device=codes.device)[None, :], codes]   # (N, q, D)
            before = torch.cat([torch.zeros_like(picked[:, :1]), picked.cumsum(1)[:, :-1]], dim=1)
            residuals = z_hat[:, None, :] - before                                     # (N, q, D)
            diff = residuals[:, :, None, :] - codebooks[:q][None]                      # (N, q, K, D)
            logp = torch.log_softmax(-(diff ** 2).sum(-1), dim=-1)                     # (N, q, K)
            return -logp.gather(-1, codes[..., None]).mean()

        def ema_codebook_update(codebook, ema_count, ema_sum, x, codes, decay=0.99, eps=1e-5):
            K, D = codebook.shape
            counts = torch.bincount(codes, minlength=K).to(ema_count.dtype)
            sums = torch.zeros_like(ema_sum).scatter_add_(0, codes[:, None].expand(-1, D), x)
            new_count = torch.lerp(counts, ema_count, decay)
            new_sum = torch.lerp(sums, ema_sum, decay)
            total = new_count.sum()
            smoothed = total * (new_count + eps) / (total + K * eps)
            return new_sum / smoothed.unsqueeze(-1), new_count, new_sum
    ''',
}
