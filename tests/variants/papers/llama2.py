"""Recorded buggy variants of papers/llama2.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ rms_norm
    "rms_centred": {
        "why": "subtracts the mean first: LayerNorm without a bias",
        "feedback": "LayerNorm",
        "source": '''
            def rms_norm(x, weight, eps=1e-5):
                xc = x - x.mean(-1, keepdim=True)
                return xc * torch.rsqrt(xc.pow(2).mean(-1, keepdim=True) + eps) * weight
        ''',
    },
    "rms_eps_outside_root": {
        "why": "x / (sqrt(mean x²) + eps)",
        "feedback": "inside the square root",
        "source": '''
            def rms_norm(x, weight, eps=1e-5):
                return x / (x.pow(2).mean(-1, keepdim=True).sqrt() + eps) * weight
        ''',
    },
    "rms_sum_of_squares": {
        "why": "sum instead of mean: divides by the L2 norm (√d too small)",
        "feedback": "L2 norm",
        "source": '''
            def rms_norm(x, weight, eps=1e-5):
                return x * torch.rsqrt(x.pow(2).sum(-1, keepdim=True) + eps) * weight
        ''',
    },
    "rms_no_weight": {
        "why": "forgets the gain",
        "feedback": "not multiplied by weight",
        "source": '''
            def rms_norm(x, weight, eps=1e-5):
                return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        ''',
    },
    "rms_in_input_dtype": {
        "why": "normalises in x's own dtype: float16 x² overflows",
        "feedback": "overflows float16",
        "source": '''
            def rms_norm(x, weight, eps=1e-5):
                return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight
        ''',
    },
    "rms_meta_literal_float": {
        "why": "Meta's x.float() … type_as(x): float64 rounded through float32",
        "feedback": "float64 is computed in float64",
        "source": '''
            def rms_norm(x, weight, eps=1e-5):
                xf = x.float()
                return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).type_as(x) * weight
        ''',
    },
    # ------------------------------------------------------------------ RMSNorm
    "RMSNorm_eps_not_passed": {
        "why": "stores eps but calls rms_norm with its default",
        "feedback": "eps is not used",
        "source": '''
            class RMSNorm(RMSNorm):
                def forward(self, x):
                    return rms_norm(x, self.weight)
        ''',
    },
    "RMSNorm_meta_default_eps": {
        "why": "Meta's class default eps = 1e-6",
        "feedback": "the default is eps = 1e-5",
        "source": '''
            class RMSNorm(RMSNorm):
                def __init__(self, dim, eps=1e-6):
                    super().__init__(dim, eps)
        ''',
    },
    "RMSNorm_weight_not_a_parameter": {
        "why": "self.weight = torch.ones(dim): no parameter at all",
        "feedback": "nn.Parameter(torch.ones(dim))",
        "source": '''
            class RMSNorm(nn.Module):
                def __init__(self, dim, eps=1e-5):
                    super().__init__()
                    self.eps = eps
                    self.weight = torch.ones(dim)

                def forward(self, x):
                    return rms_norm(x, self.weight, self.eps)
        ''',
    },
    "RMSNorm_with_bias": {
        "why": "adds a LayerNorm-style bias parameter",
        "feedback": "no bias",
        "source": '''
            class RMSNorm(RMSNorm):
                def __init__(self, dim, eps=1e-5):
                    super().__init__(dim, eps)
                    self.bias = nn.Parameter(torch.zeros(dim))

                def forward(self, x):
                    return rms_norm(x, self.weight, self.eps) + self.bias
        ''',
    },
    # ------------------------------------------------------------------ ffn_hidden
    "ffn_floor": {
        "why": "rounds down to the multiple (10752 for 7B)",
        "feedback": "floor gives 10752",
        "source": '''
            def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
                hidden = int(2 * (4 * dim) / 3)
                if ffn_dim_multiplier is not None:
                    hidden = int(ffn_dim_multiplier * hidden)
                return multiple_of * (hidden // multiple_of)
        ''',
    },
    "ffn_multiplier_ignored": {
        "why": "Llama 1's formula: 24576 for the 70B model",
        "feedback": "Llama 1's formula",
        "source": '''
            def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
                hidden = int(2 * (4 * dim) / 3)
                return multiple_of * ((hidden + multiple_of - 1) // multiple_of)
        ''',
    },
    "ffn_no_two_thirds": {
        "why": "keeps 4·dim (16384 for 7B)",
        "feedback": "2/3 of the usual",
        "source": '''
            def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
                hidden = 4 * dim
                if ffn_dim_multiplier is not None:
                    hidden = int(ffn_dim_multiplier * hidden)
                return multiple_of * ((hidden + multiple_of - 1) // multiple_of)
        ''',
    },
    "ffn_multiplier_after_rounding": {
        "why": "rounds first, then multiplies (not a multiple of multiple_of any more)",
        "feedback": "the order is Meta's",
        "source": '''
            def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
                hidden = int(2 * (4 * dim) / 3)
                hidden = multiple_of * ((hidden + multiple_of - 1) // multiple_of)
                if ffn_dim_multiplier is not None:
                    hidden = int(ffn_dim_multiplier * hidden)
                return hidden
        ''',
    },
    "ffn_returns_float": {
        "why": "math.ceil on a float, times a float: 11008.0",
        "feedback": "Python int",
        "source": '''
            def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
                hidden = int(2 * (4 * dim) / 3)
                if ffn_dim_multiplier is not None:
                    hidden = int(ffn_dim_multiplier * hidden)
                return float(multiple_of * math.ceil(hidden / multiple_of))
        ''',
    },
    # ------------------------------------------------------------------ swiglu
    "swiglu_gate_on_w3": {
        "why": "SiLU on the up branch: w2(w1(x) * silu(w3(x)))",
        "feedback": "gate is on the w3 branch",
        "source": '''
            def swiglu(x, w1, w2, w3):
                return F.linear(F.linear(x, w1) * F.silu(F.linear(x, w3)), w2)
        ''',
    },
    "swiglu_sigmoid_gate": {
        "why": "the original GLU: σ(x w1ᵀ) ⊙ x w3ᵀ",
        "feedback": "original GLU",
        "source": '''
            def swiglu(x, w1, w2, w3):
                return F.linear(torch.sigmoid(F.linear(x, w1)) * F.linear(x, w3), w2)
        ''',
    },
    "swiglu_relu_gate": {
        "why": "ReGLU",
        "feedback": "ReGLU",
        "source": '''
            def swiglu(x, w1, w2, w3):
                return F.linear(F.relu(F.linear(x, w1)) * F.linear(x, w3), w2)
        ''',
    },
    "swiglu_gelu_gate": {
        "why": "GEGLU",
        "feedback": "GEGLU",
        "source": '''
            def swiglu(x, w1, w2, w3):
                return F.linear(F.gelu(F.linear(x, w1)) * F.linear(x, w3), w2)
        ''',
    },
    "swiglu_no_activation": {
        "why": "the bilinear layer: no SiLU at all",
        "feedback": "bilinear",
        "source": '''
            def swiglu(x, w1, w2, w3):
                return F.linear(F.linear(x, w1) * F.linear(x, w3), w2)
        ''',
    },
    # ------------------------------------------------------------------ FeedForward
    "ffn_block_with_bias": {
        "why": "nn.Linear with its default bias=True",
        "feedback": "no bias",
        "source": '''
            class FeedForward(nn.Module):
                def __init__(self, dim, multiple_of=256, ffn_dim_multiplier=None):
                    super().__init__()
                    hidden = ffn_hidden(dim, multiple_of, ffn_dim_multiplier)
                    self.w1 = nn.Linear(dim, hidden)
                    self.w2 = nn.Linear(hidden, dim)
                    self.w3 = nn.Linear(dim, hidden)

                def forward(self, x):
                    return self.w2(F.silu(self.w1(x)) * self.w3(x))
        ''',
    },
    "ffn_block_width_4dim": {
        "why": "the classic Transformer width 4·dim",
        "feedback": "2/3 of the usual",
        "source": '''
            class FeedForward(FeedForward):
                def __init__(self, dim, multiple_of=256, ffn_dim_multiplier=None):
                    nn.Module.__init__(self)
                    self.w1 = nn.Linear(dim, 4 * dim, bias=False)
                    self.w2 = nn.Linear(4 * dim, dim, bias=False)
                    self.w3 = nn.Linear(dim, 4 * dim, bias=False)
        ''',
    },
    "ffn_block_multiplier_dropped": {
        "why": "does not pass ffn_dim_multiplier on to ffn_hidden",
        "feedback": "Llama 1's formula",
        "source": '''
            class FeedForward(FeedForward):
                def __init__(self, dim, multiple_of=256, ffn_dim_multiplier=None):
                    super().__init__(dim, multiple_of, None)
        ''',
    },
    "ffn_block_hf_names": {
        "why": "Hugging Face's gate_proj / up_proj / down_proj names",
        "feedback": "Meta's names",
        "source": '''
            class FeedForward(nn.Module):
                def __init__(self, dim, multiple_of=256, ffn_dim_multiplier=None):
                    super().__init__()
                    hidden = ffn_hidden(dim, multiple_of, ffn_dim_multiplier)
                    self.gate_proj = nn.Linear(dim, hidden, bias=False)
                    self.down_proj = nn.Linear(hidden, dim, bias=False)
                    self.up_proj = nn.Linear(dim, hidden, bias=False)

                def forward(self, x):
                    return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))
        ''',
    },
    # ------------------------------------------------------------------ precompute_freqs_cis
    "freqs_exponent_without_two": {
        "why": "θ_i = theta^(−i/dim)",
        "feedback": "arange(0, dim, 2) / dim",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                if dim % 2:
                    raise ValueError("odd dim")
                inv = 1.0 / (theta ** (torch.arange(dim // 2, device=device).float() / dim))
                angles = torch.outer(torch.arange(end, device=device).float(), inv)
                return torch.polar(torch.ones_like(angles), angles)
        ''',
    },
    "freqs_positions_from_one": {
        "why": "positions 1 … end",
        "feedback": "positions start at 0",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                if dim % 2:
                    raise ValueError("odd dim")
                inv = 1.0 / (theta ** (torch.arange(0, dim, 2, device=device).float() / dim))
                angles = torch.outer(torch.arange(1, end + 1, device=device).float(), inv)
                return torch.polar(torch.ones_like(angles), angles)
        ''',
    },
    "freqs_real_cos_sin_cache": {
        "why": "Hugging Face's (end, dim) cache with duplicated halves, real",
        "feedback": "real (end, dim) cos/sin cache",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                if dim % 2:
                    raise ValueError("odd dim")
                inv = 1.0 / (theta ** (torch.arange(0, dim, 2, device=device).float() / dim))
                angles = torch.outer(torch.arange(end, device=device).float(), inv)
                return torch.cat([angles, angles], dim=-1).cos()
        ''',
    },
    "freqs_conjugate": {
        "why": "e^{−imθ}: the clockwise table",
        "feedback": "counter-clockwise",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                if dim % 2:
                    raise ValueError("odd dim")
                inv = 1.0 / (theta ** (torch.arange(0, dim, 2, device=device).float() / dim))
                angles = torch.outer(torch.arange(end, device=device).float(), inv)
                return torch.polar(torch.ones_like(angles), -angles)
        ''',
    },
    "freqs_odd_dim_accepted": {
        "why": "no check: an odd dim silently drops the last feature",
        "feedback": "dim % 2",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                inv = 1.0 / (theta ** (torch.arange(0, dim, 2, device=device)[: dim // 2].float() / dim))
                angles = torch.outer(torch.arange(end, device=device).float(), inv)
                return torch.polar(torch.ones_like(angles), angles)
        ''',
    },
    "freqs_device_ignored": {
        "why": "Meta's function has no device argument: built on the CPU",
        "feedback": "device=device",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                if dim % 2:
                    raise ValueError("odd dim")
                inv = 1.0 / (theta ** (torch.arange(0, dim, 2, device="cpu").float() / dim))
                angles = torch.outer(torch.arange(end, device="cpu").float(), inv)
                return torch.polar(torch.ones_like(angles), angles)
        ''',
    },
    "freqs_theta_hard_coded": {
        "why": "10000 written in, theta ignored",
        "feedback": "theta is an argument",
        "source": '''
            def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
                if dim % 2:
                    raise ValueError("odd dim")
                inv = 1.0 / (10000.0 ** (torch.arange(0, dim, 2, device=device).float() / dim))
                angles = torch.outer(torch.arange(end, device=device).float(), inv)
                return torch.polar(torch.ones_like(angles), angles)
        ''',
    },
    # ------------------------------------------------------------------ apply_rope
    "rope_rotate_half": {
        "why": "Hugging Face's pairing (i, i + D/2)",
        "feedback": "rotate_half",
        "source": '''
            def apply_rope(x, freqs_cis):
                B, T, H, D = x.shape
                f = freqs_cis.reshape(1, T, 1, D // 2)
                cos = torch.cat([f.real, f.real], -1).to(x.dtype)
                sin = torch.cat([f.imag, f.imag], -1).to(x.dtype)
                rot = torch.cat([-x[..., D // 2:], x[..., :D // 2]], -1)
                return x * cos + rot * sin
        ''',
    },
    "rope_conjugate": {
        "why": "multiplies by the conjugate: the clockwise rotation",
        "feedback": "wrong way (clockwise)",
        "source": '''
            def apply_rope(x, freqs_cis):
                B, T, H, D = x.shape
                xc = torch.view_as_complex(x.float().reshape(B, T, H, D // 2, 2).contiguous())
                out = torch.view_as_real(xc * freqs_cis.conj().reshape(1, T, 1, D // 2))
                return out.reshape(B, T, H, D).to(x.dtype)
        ''',
    },
    "rope_table_over_heads": {
        "why": "the table broadcast as (1, 1, T, D/2): a (B, H, T, D) layout assumed",
        "feedback": "(1, T, 1, D/2)",
        "source": '''
            def apply_rope(x, freqs_cis):
                B, T, H, D = x.shape
                xc = torch.view_as_complex(x.to(torch.promote_types(x.dtype, torch.float32))
                                           .reshape(B, T, H, D // 2, 2).contiguous())
                f = freqs_cis.to(torch.complex128 if x.dtype == torch.float64 else torch.complex64)
                out = torch.view_as_real(xc * f.reshape(1, 1, T, D // 2))
                return out.reshape(B, T, H, D).to(x.dtype)
        ''',
    },
    "rope_meta_literal_float": {
        "why": "Meta's xq.float(): float64 rotated in float32",
        "feedback": "casting x down",
        "source": '''
            def apply_rope(x, freqs_cis):
                B, T, H, D = x.shape
                xc = torch.view_as_complex(x.float().reshape(B, T, H, D // 2, 2))
                out = torch.view_as_real(xc * freqs_cis.reshape(1, T, 1, D // 2)).flatten(3)
                return out.type_as(x)
        ''',
    },
    # ------------------------------------------------------------------ repeat_kv
    "repeat_kv_tiles": {
        "why": "x.repeat: head h gets KV head h % n_kv",
        "feedback": "x.repeat tiles",
        "source": '''
            def repeat_kv(x, n_rep):
                return x.repeat(1, 1, n_rep, 1)
        ''',
    },
    "repeat_kv_along_time": {
        "why": "repeats along T",
        "feedback": "along the head axis",
        "source": '''
            def repeat_kv(x, n_rep):
                return torch.repeat_interleave(x, n_rep, dim=1)
        ''',
    },
    "repeat_kv_along_head_dim": {
        "why": "repeats along D",
        "feedback": "n_kv · n_rep heads",
        "source": '''
            def repeat_kv(x, n_rep):
                return torch.repeat_interleave(x, n_rep, dim=3)
        ''',
    },
    # ------------------------------------------------------------------ causal_mask
    "mask_diagonal_masked": {
        "why": "triu(…, 0): a query cannot see itself (row 0 all −inf)",
        "feedback": "diagonal is masked",
        "source": '''
            def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
                full = torch.full((seqlen, start_pos + seqlen), float("-inf"), device=device, dtype=dtype)
                return torch.triu(full, diagonal=start_pos)
        ''',
    },
    "mask_square_meta_original": {
        "why": "Meta's original square triu(full((T, T)), start_pos + 1)",
        "feedback": "start_pos was ignored",
        "source": '''
            def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
                full = torch.full((seqlen, seqlen), float("-inf"), device=device, dtype=dtype)
                return torch.triu(full, diagonal=start_pos + 1)
        ''',
    },
    "mask_large_negative": {
        "why": "−1e9 instead of −inf",
        "feedback": "exactly float('-inf')",
        "source": '''
            def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
                full = torch.full((seqlen, start_pos + seqlen), -1e9, device=device, dtype=dtype)
                return torch.triu(full, diagonal=start_pos + 1)
        ''',
    },
    "mask_boolean": {
        "why": "a boolean mask (True = hidden)",
        "feedback": "not boolean",
        "source": '''
            def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
                full = torch.ones((seqlen, start_pos + seqlen), device=device, dtype=torch.bool)
                return torch.triu(full, diagonal=start_pos + 1)
        ''',
    },
    "mask_dtype_ignored": {
        "why": "always float32",
        "feedback": "dtype=dtype",
        "source": '''
            def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
                full = torch.full((seqlen, start_pos + seqlen), float("-inf"), device=device)
                return torch.triu(full, diagonal=start_pos + 1)
        ''',
    },
    # ------------------------------------------------------------------ gqa_attention
    "gqa_tiled_heads": {
        "why": "x.repeat on the KV heads: query head h reads head h % H_kv",
        "feedback": "tiled",
        "source": '''
            def gqa_attention(xq, xk, xv, mask=None):
                B, T, H, D = xq.shape
                H_kv = xk.shape[2]
                if H % H_kv:
                    raise ValueError("heads")
                k = xk.repeat(1, 1, H // H_kv, 1).transpose(1, 2)
                v = xv.repeat(1, 1, H // H_kv, 1).transpose(1, 2)
                s = xq.transpose(1, 2) @ k.transpose(-2, -1) / math.sqrt(D)
                if mask is not None:
                    s = s + mask
                p = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), -1).to(xq.dtype)
                return (p @ v).transpose(1, 2)
        ''',
    },
    "gqa_scale_one_over_d": {
        "why": "divides the scores by D",
        "feedback": "not 1/D",
        "source": '''
            def gqa_attention(xq, xk, xv, mask=None):
                B, T, H, D = xq.shape
                H_kv = xk.shape[2]
                if H % H_kv:
                    raise ValueError("heads")
                k = repeat_kv(xk, H // H_kv).transpose(1, 2)
                v = repeat_kv(xv, H // H_kv).transpose(1, 2)
                s = xq.transpose(1, 2) @ k.transpose(-2, -1) / D
                if mask is not None:
                    s = s + mask
                p = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), -1).to(xq.dtype)
                return (p @ v).transpose(1, 2)
        ''',
    },
    "gqa_softmax_over_queries": {
        "why": "softmax(dim=-2)",
        "feedback": "not over the queries",
        "source": '''
            def gqa_attention(xq, xk, xv, mask=None):
                B, T, H, D = xq.shape
                H_kv = xk.shape[2]
                if H % H_kv:
                    raise ValueError("heads")
                k = repeat_kv(xk, H // H_kv).transpose(1, 2)
                v = repeat_kv(xv, H // H_kv).transpose(1, 2)
                s = xq.transpose(1, 2) @ k.transpose(-2, -1) / math.sqrt(D)
                if mask is not None:
                    s = s + mask
                p = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), -2).to(xq.dtype)
                return (p.nan_to_num(0.0) @ v).transpose(1, 2)
        ''',
    },
    "gqa_no_value_error": {
        "why": "no check: H not a multiple of H_kv ends in a shape error deep inside",
        "feedback": "H % H_kv",
        "source": '''
            def gqa_attention(xq, xk, xv, mask=None):
                B, T, H, D = xq.shape
                n_rep = H // xk.shape[2]
                k = repeat_kv(xk, n_rep).transpose(1, 2)
                v = repeat_kv(xv, n_rep).transpose(1, 2)
                s = xq.transpose(1, 2) @ k.transpose(-2, -1) / math.sqrt(D)
                if mask is not None:
                    s = s + mask
                p = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), -1).to(xq.dtype)
                return (p @ v).transpose(1, 2)
        ''',
    },
    "gqa_mask_ignored": {
        "why": "never adds the mask",
        "feedback": "mask was not used",
        "source": '''
            def gqa_attention(xq, xk, xv, mask=None):
                B, T, H, D = xq.shape
                H_kv = xk.shape[2]
                if H % H_kv:
                    raise ValueError("heads")
                k = repeat_kv(xk, H // H_kv).transpose(1, 2)
                v = repeat_kv(xv, H // H_kv).transpose(1, 2)
                s = xq.transpose(1, 2) @ k.transpose(-2, -1) / math.sqrt(D)
                p = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), -1).to(xq.dtype)
                return (p @ v).transpose(1, 2)
        ''',
    },
    "gqa_softmax_always_float32": {
        "why": "Meta's scores.float() … type_as: float64 rounded through float32",
        "feedback": "never down to float32",
        "source": '''
            def gqa_attention(xq, xk, xv, mask=None):
                B, T, H, D = xq.shape
                H_kv = xk.shape[2]
                if H % H_kv:
                    raise ValueError("heads")
                k = repeat_kv(xk, H // H_kv).transpose(1, 2)
                v = repeat_kv(xv, H // H_kv).transpose(1, 2)
                s = xq.transpose(1, 2) @ k.transpose(-2, -1) / math.sqrt(D)
                if mask is not None:
                    s = s + mask
                p = torch.softmax(s.float(), -1).type_as(xq)
                return (p @ v).transpose(1, 2)
        ''',
    },
    # ------------------------------------------------------------------ Attention
    "attention_cache_not_read": {
        "why": "writes the cache but attends only over the current chunk",
        "feedback": "written but not read",
        "source": '''
            class Attention(Attention):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    B, T, _ = x.shape
                    xq = self.wq(x).view(B, T, self.n_heads, self.head_dim)
                    xk = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xv = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xq, xk = apply_rope(xq, freqs_cis), apply_rope(xk, freqs_cis)
                    self.cache_k[:B, start_pos:start_pos + T] = xk
                    self.cache_v[:B, start_pos:start_pos + T] = xv
                    m = None if mask is None else mask[:, -T:]
                    out = gqa_attention(xq, xk, xv, m)
                    return self.wo(out.reshape(B, T, -1))
        ''',
    },
    "attention_cache_at_zero": {
        "why": "writes the cache at position 0 whatever start_pos",
        "feedback": "not at 0",
        "source": '''
            class Attention(Attention):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    B, T, _ = x.shape
                    xq = self.wq(x).view(B, T, self.n_heads, self.head_dim)
                    xk = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xv = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xq, xk = apply_rope(xq, freqs_cis), apply_rope(xk, freqs_cis)
                    self.cache_k[:B, :T] = xk
                    self.cache_v[:B, :T] = xv
                    out = gqa_attention(xq, self.cache_k[:B, :start_pos + T], self.cache_v[:B, :start_pos + T], mask)
                    return self.wo(out.reshape(B, T, -1))
        ''',
    },
    "attention_rope_on_values": {
        "why": "rotates the values as well",
        "feedback": "values are not rotated",
        "source": '''
            class Attention(Attention):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    B, T, _ = x.shape
                    xq = self.wq(x).view(B, T, self.n_heads, self.head_dim)
                    xk = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xv = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xq, xk, xv = apply_rope(xq, freqs_cis), apply_rope(xk, freqs_cis), apply_rope(xv, freqs_cis)
                    self.cache_k[:B, start_pos:start_pos + T] = xk
                    self.cache_v[:B, start_pos:start_pos + T] = xv
                    out = gqa_attention(xq, self.cache_k[:B, :start_pos + T], self.cache_v[:B, :start_pos + T], mask)
                    return self.wo(out.reshape(B, T, -1))
        ''',
    },
    "attention_no_rope_on_keys": {
        "why": "rotates the queries only",
        "feedback": "keys too",
        "source": '''
            class Attention(Attention):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    B, T, _ = x.shape
                    xq = self.wq(x).view(B, T, self.n_heads, self.head_dim)
                    xk = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xv = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xq = apply_rope(xq, freqs_cis)
                    self.cache_k[:B, start_pos:start_pos + T] = xk
                    self.cache_v[:B, start_pos:start_pos + T] = xv
                    out = gqa_attention(xq, self.cache_k[:B, :start_pos + T], self.cache_v[:B, :start_pos + T], mask)
                    return self.wo(out.reshape(B, T, -1))
        ''',
    },
    "attention_cache_appends": {
        "why": "keeps lists and concatenates: start_pos ignored, sequences never reset",
        "feedback": "never append",
        "source": '''
            class Attention(Attention):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    B, T, _ = x.shape
                    xq = self.wq(x).view(B, T, self.n_heads, self.head_dim)
                    xk = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xv = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xq, xk = apply_rope(xq, freqs_cis), apply_rope(xk, freqs_cis)
                    if not hasattr(self, "_keys") or self._keys.shape[0] != B:   # a new batch: start afresh
                        self._keys, self._values = xk[:, :0], xv[:, :0]
                    self._keys = torch.cat([self._keys, xk], 1)
                    self._values = torch.cat([self._values, xv], 1)
                    S = self._keys.shape[1]
                    m = None if mask is None else torch.cat([mask.new_zeros(T, S - mask.shape[1]), mask], 1)
                    out = gqa_attention(xq, self._keys, self._values, m)
                    return self.wo(out.reshape(B, T, -1))
        ''',
    },
    "attention_with_bias": {
        "why": "nn.Linear's default bias=True on the projections",
        "feedback": "no bias",
        "source": '''
            class Attention(Attention):
                def __init__(self, dim, n_heads, n_kv_heads=None, max_batch_size=4, max_seq_len=64):
                    super().__init__(dim, n_heads, n_kv_heads, max_batch_size, max_seq_len)
                    self.wq = nn.Linear(dim, n_heads * self.head_dim)
                    self.wk = nn.Linear(dim, self.n_kv_heads * self.head_dim)
                    self.wv = nn.Linear(dim, self.n_kv_heads * self.head_dim)
                    self.wo = nn.Linear(n_heads * self.head_dim, dim)
        ''',
    },
    "attention_cache_in_state_dict": {
        "why": "persistent buffers: the cache lands in state_dict()",
        "feedback": "persistent=False",
        "source": '''
            class Attention(Attention):
                def __init__(self, dim, n_heads, n_kv_heads=None, max_batch_size=4, max_seq_len=64):
                    super().__init__(dim, n_heads, n_kv_heads, max_batch_size, max_seq_len)
                    shape = (max_batch_size, max_seq_len, self.n_kv_heads, self.head_dim)
                    del self.cache_k, self.cache_v
                    self.register_buffer("cache_k", torch.zeros(shape))
                    self.register_buffer("cache_v", torch.zeros(shape))
        ''',
    },
    "attention_cache_float32_forever": {
        "why": "a plain float32 attribute cache that never follows the module's dtype",
        "feedback": "follow the module's dtype",
        "source": '''
            class Attention(Attention):
                def __init__(self, dim, n_heads, n_kv_heads=None, max_batch_size=4, max_seq_len=64):
                    super().__init__(dim, n_heads, n_kv_heads, max_batch_size, max_seq_len)
                    shape = (max_batch_size, max_seq_len, self.n_kv_heads, self.head_dim)
                    del self.cache_k, self.cache_v
                    self.ck = torch.zeros(shape)
                    self.cv = torch.zeros(shape)

                def forward(self, x, start_pos, freqs_cis, mask=None):
                    B, T, _ = x.shape
                    xq = self.wq(x).view(B, T, self.n_heads, self.head_dim)
                    xk = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xv = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
                    xq, xk = apply_rope(xq, freqs_cis), apply_rope(xk, freqs_cis)
                    self.ck[:B, start_pos:start_pos + T] = xk
                    self.cv[:B, start_pos:start_pos + T] = xv
                    out = gqa_attention(xq, self.ck[:B, :start_pos + T], self.cv[:B, :start_pos + T], mask)
                    return self.wo(out.reshape(B, T, -1))
        ''',
    },
    # ------------------------------------------------------------------ TransformerBlock
    "block_post_norm": {
        "why": "normalises after each residual add (the original Transformer)",
        "feedback": "pre-norm",
        "source": '''
            class TransformerBlock(TransformerBlock):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    h = self.attention_norm(x + self.attention(x, start_pos, freqs_cis, mask))
                    return self.ffn_norm(h + self.feed_forward(h))
        ''',
    },
    "block_ffn_norm_of_x": {
        "why": "ffn_norm(x) instead of ffn_norm(h)",
        "feedback": "not ffn_norm(x)",
        "source": '''
            class TransformerBlock(TransformerBlock):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    h = x + self.attention(self.attention_norm(x), start_pos, freqs_cis, mask)
                    return h + self.feed_forward(self.ffn_norm(x))
        ''',
    },
    "block_missing_residual": {
        "why": "out = feed_forward(ffn_norm(h)) without + h",
        "feedback": "residual connection is missing",
        "source": '''
            class TransformerBlock(TransformerBlock):
                def forward(self, x, start_pos, freqs_cis, mask=None):
                    h = x + self.attention(self.attention_norm(x), start_pos, freqs_cis, mask)
                    return self.feed_forward(self.ffn_norm(h))
        ''',
    },
    "block_norm_eps_ignored": {
        "why": "RMSNorm(dim) with its default eps whatever norm_eps",
        "feedback": "pass norm_eps on",
        "source": '''
            class TransformerBlock(TransformerBlock):
                def __init__(self, dim, n_heads, n_kv_heads=None, multiple_of=256, ffn_dim_multiplier=None,
                             norm_eps=1e-5, max_batch_size=4, max_seq_len=64):
                    super().__init__(dim, n_heads, n_kv_heads, multiple_of, ffn_dim_multiplier, norm_eps,
                                     max_batch_size, max_seq_len)
                    self.attention_norm = RMSNorm(dim)
                    self.ffn_norm = RMSNorm(dim)
        ''',
    },
    "block_ffn_args_dropped": {
        "why": "FeedForward(dim): multiple_of and ffn_dim_multiplier not passed on",
        "feedback": "pass multiple_of and ffn_dim_multiplier",
        "source": '''
            class TransformerBlock(TransformerBlock):
                def __init__(self, dim, n_heads, n_kv_heads=None, multiple_of=256, ffn_dim_multiplier=None,
                             norm_eps=1e-5, max_batch_size=4, max_seq_len=64):
                    super().__init__(dim, n_heads, n_kv_heads, multiple_of, ffn_dim_multiplier, norm_eps,
                                     max_batch_size, max_seq_len)
                    self.feed_forward = FeedForward(dim)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # Meta's llama/model.py, adapted only where the contract's Clarifications differ: float64 is not rounded through
    # float32 (upcast only below float32), FeedForward takes dim, precompute_freqs_cis raises on an odd dim and takes
    # a device, the mask is Meta's later hstack fix, and the KV cache is a plain attribute moved with .to(xq).
    "meta_reference": '''
        def rms_norm(x, weight, eps=1e-5):
            def _norm(x):
                return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
            up = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
            return _norm(up).type_as(x) * weight

        class RMSNorm(torch.nn.Module):
            def __init__(self, dim, eps=1e-5):
                super().__init__()
                self.eps = eps
                self.weight = nn.Parameter(torch.ones(dim))

            def forward(self, x):
                return rms_norm(x, self.weight, self.eps)

        def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
            hidden_dim = 4 * dim
            hidden_dim = int(2 * hidden_dim / 3)
            if ffn_dim_multiplier is not None:
                hidden_dim = int(ffn_dim_multiplier * hidden_dim)
            hidden_dim = multiple_of * ((hidden_dim + multiple_of - 1) // multiple_of)
            return hidden_dim

        def swiglu(x, w1, w2, w3):
            return F.linear(F.silu(F.linear(x, w1)) * F.linear(x, w3), w2)

        class FeedForward(nn.Module):
            def __init__(self, dim, multiple_of=256, ffn_dim_multiplier=None):
                super().__init__()
                hidden_dim = ffn_hidden(dim, multiple_of, ffn_dim_multiplier)
                self.w1 = nn.Linear(dim, hidden_dim, bias=False)
                self.w2 = nn.Linear(hidden_dim, dim, bias=False)
                self.w3 = nn.Linear(dim, hidden_dim, bias=False)

            def forward(self, x):
                return self.w2(F.silu(self.w1(x)) * self.w3(x))

        def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
            if dim % 2 != 0:
                raise ValueError("dim must be even")
            freqs = 1.0 / (theta ** (torch.arange(0, dim, 2, device=device)[: (dim // 2)].float() / dim))
            t = torch.arange(end, device=freqs.device)
            freqs = torch.outer(t, freqs).float()
            freqs_cis = torch.polar(torch.ones_like(freqs), freqs)  # complex64
            return freqs_cis

        def reshape_for_broadcast(freqs_cis, x):
            ndim = x.ndim
            assert 0 <= 1 < ndim
            assert freqs_cis.shape == (x.shape[1], x.shape[-1])
            shape = [d if i == 1 or i == ndim - 1 else 1 for i, d in enumerate(x.shape)]
            return freqs_cis.view(*shape)

        def apply_rope(x, freqs_cis):
            up = x.double() if x.dtype == torch.float64 else x.float()
            x_ = torch.view_as_complex(up.reshape(*x.shape[:-1], -1, 2))
            f = reshape_for_broadcast(freqs_cis, x_).to(x_.dtype)
            return torch.view_as_real(x_ * f).flatten(3).type_as(x)

        def repeat_kv(x, n_rep):
            """torch.repeat_interleave(x, dim=2, repeats=n_rep)"""
            bs, slen, n_kv_heads, head_dim = x.shape
            if n_rep == 1:
                return x
            return (
                x[:, :, :, None, :]
                .expand(bs, slen, n_kv_heads, n_rep, head_dim)
                .reshape(bs, slen, n_kv_heads * n_rep, head_dim)
            )

        def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
            mask = torch.full((seqlen, seqlen), float("-inf"), device=device)
            mask = torch.triu(mask, diagonal=1)
            return torch.hstack([torch.zeros((seqlen, start_pos), device=device), mask]).to(dtype)

        def gqa_attention(xq, xk, xv, mask=None):
            n_heads, n_kv = xq.shape[2], xk.shape[2]
            if n_heads % n_kv != 0:
                raise ValueError("n_heads must be a multiple of n_kv_heads")
            head_dim = xq.shape[-1]
            keys = repeat_kv(xk, n_heads // n_kv)
            values = repeat_kv(xv, n_heads // n_kv)
            xq = xq.transpose(1, 2)
            keys = keys.transpose(1, 2)
            values = values.transpose(1, 2)
            scores = torch.matmul(xq, keys.transpose(2, 3)) / math.sqrt(head_dim)
            if mask is not None:
                scores = scores + mask
            up = scores.double() if scores.dtype == torch.float64 else scores.float()
            scores = F.softmax(up, dim=-1).type_as(xq)
            output = torch.matmul(scores, values)
            return output.transpose(1, 2)

        class Attention(nn.Module):
            def __init__(self, dim, n_heads, n_kv_heads=None, max_batch_size=4, max_seq_len=64):
                super().__init__()
                self.n_kv_heads = n_heads if n_kv_heads is None else n_kv_heads
                self.n_local_heads = n_heads
                self.n_local_kv_heads = self.n_kv_heads
                self.n_rep = self.n_local_heads // self.n_local_kv_heads
                self.head_dim = dim // n_heads
                self.wq = nn.Linear(dim, n_heads * self.head_dim, bias=False)
                self.wk = nn.Linear(dim, self.n_kv_heads * self.head_dim, bias=False)
                self.wv = nn.Linear(dim, self.n_kv_heads * self.head_dim, bias=False)
                self.wo = nn.Linear(n_heads * self.head_dim, dim, bias=False)
                self.cache_k = torch.zeros((max_batch_size, max_seq_len, self.n_local_kv_heads, self.head_dim))
                self.cache_v = torch.zeros((max_batch_size, max_seq_len, self.n_local_kv_heads, self.head_dim))

            def forward(self, x, start_pos, freqs_cis, mask=None):
                bsz, seqlen, _ = x.shape
                xq, xk, xv = self.wq(x), self.wk(x), self.wv(x)
                xq = xq.view(bsz, seqlen, self.n_local_heads, self.head_dim)
                xk = xk.view(bsz, seqlen, self.n_local_kv_heads, self.head_dim)
                xv = xv.view(bsz, seqlen, self.n_local_kv_heads, self.head_dim)
                xq, xk = apply_rope(xq, freqs_cis), apply_rope(xk, freqs_cis)
                self.cache_k = self.cache_k.to(xq)
                self.cache_v = self.cache_v.to(xq)
                self.cache_k[:bsz, start_pos: start_pos + seqlen] = xk
                self.cache_v[:bsz, start_pos: start_pos + seqlen] = xv
                keys = self.cache_k[:bsz, : start_pos + seqlen]
                values = self.cache_v[:bsz, : start_pos + seqlen]
                output = gqa_attention(xq, keys, values, mask)
                output = output.contiguous().view(bsz, seqlen, -1)
                return self.wo(output)

        class TransformerBlock(nn.Module):
            def __init__(self, dim, n_heads, n_kv_heads=None, multiple_of=256, ffn_dim_multiplier=None,
                         norm_eps=1e-5, max_batch_size=4, max_seq_len=64):
                super().__init__()
                self.n_heads = n_heads
                self.dim = dim
                self.head_dim = dim // n_heads
                self.attention = Attention(dim, n_heads, n_kv_heads, max_batch_size, max_seq_len)
                self.feed_forward = FeedForward(dim=dim, multiple_of=multiple_of,
                                                ffn_dim_multiplier=ffn_dim_multiplier)
                self.attention_norm = RMSNorm(dim, eps=norm_eps)
                self.ffn_norm = RMSNorm(dim, eps=norm_eps)

            def forward(self, x, start_pos, freqs_cis, mask=None):
                h = x + self.attention(self.attention_norm(x), start_pos, freqs_cis, mask)
                out = h + self.feed_forward(self.ffn_norm(h))
                return out
    ''',
    # cos/sin on pairs instead of complex numbers, float64 angles, einsum with grouped queries (no repeat at all),
    # vector_norm for the RMS, a comparison-built mask, math.ceil, a cache allocated lazily on first use.
    "cos_sin_einsum": '''
        def rms_norm(x, weight, eps=1e-5):
            d = x.shape[-1]
            xf = x.to(torch.promote_types(x.dtype, torch.float32))
            rms = torch.sqrt(torch.linalg.vector_norm(xf, dim=-1, keepdim=True) ** 2 / d + eps)
            return (xf / rms).to(x.dtype) * weight

        class RMSNorm(nn.Module):
            def __init__(self, dim, eps=1e-5):
                super().__init__()
                self.register_parameter("weight", nn.Parameter(torch.ones(dim)))
                self.eps = float(eps)

            def forward(self, x):
                return rms_norm(x, self.weight, eps=self.eps)

        def ffn_hidden(dim, multiple_of=256, ffn_dim_multiplier=None):
            h = int(8 * dim / 3)
            if ffn_dim_multiplier is not None:
                h = int(ffn_dim_multiplier * h)
            return int(math.ceil(h / multiple_of)) * multiple_of

        def swiglu(x, w1, w2, w3):
            a = x @ w1.T
            return ((a * torch.sigmoid(a)) * (x @ w3.T)) @ w2.T

        class FeedForward(nn.Module):
            def __init__(self, dim, multiple_of=256, ffn_dim_multiplier=None):
                super().__init__()
                h = ffn_hidden(dim, multiple_of=multiple_of, ffn_dim_multiplier=ffn_dim_multiplier)
                self.w1, self.w2, self.w3 = (nn.Linear(dim, h, bias=False), nn.Linear(h, dim, bias=False),
                                             nn.Linear(dim, h, bias=False))

            def forward(self, x):
                return swiglu(x, self.w1.weight, self.w2.weight, self.w3.weight)

        def precompute_freqs_cis(dim, end, theta=10000.0, device=None):
            if dim % 2 == 1:
                raise ValueError(f"odd head dimension {dim}")
            i = torch.arange(dim // 2, dtype=torch.float64, device=device)
            m = torch.arange(end, dtype=torch.float64, device=device)
            ang = m[:, None] * torch.exp(-(2.0 * i / dim) * math.log(theta))[None, :]
            return torch.complex(torch.cos(ang), torch.sin(ang)).to(torch.complex64)

        def apply_rope(x, freqs_cis):
            wide = torch.promote_types(x.dtype, torch.float32)
            real = torch.float64 if wide == torch.float64 else torch.float32
            cos = freqs_cis.real.to(real)[None, :, None, :]          # (1, T, 1, D/2)
            sin = freqs_cis.imag.to(real)[None, :, None, :]
            a, b = x[..., 0::2].to(real), x[..., 1::2].to(real)     # (B, T, H, D/2)
            out = torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1)
            return out.flatten(-2).to(x.dtype)

        def repeat_kv(x, n_rep):
            return torch.repeat_interleave(x, n_rep, dim=2)

        def causal_mask(seqlen, start_pos=0, device=None, dtype=torch.float32):
            i = torch.arange(seqlen, device=device)[:, None] + start_pos
            j = torch.arange(start_pos + seqlen, device=device)[None, :]
            zero = torch.zeros((), device=device, dtype=dtype)
            return torch.where(j > i, torch.full((), float("-inf"), device=device, dtype=dtype), zero)

        def gqa_attention(xq, xk, xv, mask=None):
            B, T, H, D = xq.shape
            S, G = xk.shape[1], xk.shape[2]
            if H % G != 0:
                raise ValueError(f"{H} heads in {G} groups")
            q = xq.reshape(B, T, G, H // G, D)                          # heads g·r … g·r + r − 1 share KV head g
            s = torch.einsum("btgrd,bsgd->bgrts", q, xk) * D ** -0.5    # (B, G, r, T, S)
            s = s.reshape(B, H, T, S)
            if mask is not None:
                s = s + mask
            p = torch.softmax(s.to(torch.promote_types(s.dtype, torch.float32)), dim=-1).to(xq.dtype)
            out = torch.einsum("bgrts,bsgd->btgrd", p.reshape(B, G, H // G, T, S), xv)
            return out.reshape(B, T, H, D)

        class Attention(nn.Module):
            def __init__(self, dim, n_heads, n_kv_heads=None, max_batch_size=4, max_seq_len=64):
                super().__init__()
                self.h, self.kv = n_heads, n_kv_heads or n_heads
                self.hd = dim // n_heads
                self.limits = (max_batch_size, max_seq_len)
                self.wq = nn.Linear(dim, self.h * self.hd, bias=False)
                self.wk = nn.Linear(dim, self.kv * self.hd, bias=False)
                self.wv = nn.Linear(dim, self.kv * self.hd, bias=False)
                self.wo = nn.Linear(self.h * self.hd, dim, bias=False)
                self.k_cache = self.v_cache = None

            def forward(self, x, start_pos, freqs_cis, mask=None):
                B, T, _ = x.shape
                q = apply_rope(self.wq(x).reshape(B, T, self.h, self.hd), freqs_cis)
                k = apply_rope(self.wk(x).reshape(B, T, self.kv, self.hd), freqs_cis)
                v = self.wv(x).reshape(B, T, self.kv, self.hd)
                if self.k_cache is None or self.k_cache.dtype != k.dtype or self.k_cache.device != k.device:
                    self.k_cache = k.new_zeros((*self.limits, self.kv, self.hd))
                    self.v_cache = v.new_zeros((*self.limits, self.kv, self.hd))
                self.k_cache[:B, start_pos:start_pos + T] = k
                self.v_cache[:B, start_pos:start_pos + T] = v
                out = gqa_attention(q, self.k_cache[:B, :start_pos + T], self.v_cache[:B, :start_pos + T], mask)
                return self.wo(out.flatten(2))

        class TransformerBlock(nn.Module):
            def __init__(self, dim, n_heads, n_kv_heads=None, multiple_of=256, ffn_dim_multiplier=None,
                         norm_eps=1e-5, max_batch_size=4, max_seq_len=64):
                super().__init__()
                self.attention = Attention(dim, n_heads, n_kv_heads, max_batch_size=max_batch_size,
                                           max_seq_len=max_seq_len)
                self.feed_forward = FeedForward(dim, multiple_of, ffn_dim_multiplier)
                self.attention_norm = RMSNorm(dim, norm_eps)
                self.ffn_norm = RMSNorm(dim, norm_eps)

            def forward(self, x, start_pos, freqs_cis, mask=None):
                h = self.attention(self.attention_norm(x), start_pos, freqs_cis, mask) + x
                return self.feed_forward(self.ffn_norm(h)) + h
    ''',
}
