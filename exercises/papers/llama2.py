# Generated from solutions/papers/llama2.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""Llama 2: RMSNorm, SwiGLU, rotary embeddings, grouped-query attention and the KV cache · Llama 2 论文:RMSNorm、SwiGLU、旋转位置编码、分组查询注意力与KV缓存

Paper: Touvron et al. 2023, *Llama 2: Open Foundation and Fine-Tuned Chat Models* (arXiv:2307.09288), with Meta's
released reference code ``llama/model.py``. The learner's notes list it under "论文阅读" (paper reading) as
"Llama2论文"; this kata reads it with a pen in hand: one function per sentence of the architecture.

A guided reading · 导读
------------------------
§2.2 of the paper (Training Details) describes the whole architecture in two sentences: "We use the standard
transformer architecture, apply pre-normalization using RMSNorm, use the SwiGLU activation function, and rotary
positional embeddings (RoPE). The primary architectural differences from Llama 1 include increased context length
and grouped-query attention (GQA)." 论文 §2.2 用两句话交代了全部结构:标准 Transformer、RMSNorm 预归一化、SwiGLU
激活、旋转位置编码;与 Llama 1 相比只多了更长的上下文和分组查询注意力(GQA)。Table 1 lists which models use GQA
(34B and 70B) and Appendix A.2.1 explains why (the KV cache at inference). Each of those words is one function of
this kata, and together they make one decoder layer of the model. Read the paper's sentence, then the cited
equation, then write the function · 先读论文原句,再读所引公式,然后写函数:

1. ``rms_norm`` / ``RMSNorm`` — "pre-normalization using RMSNorm" (§2.2), from Zhang & Sennrich 2019, eq. (4):
   ā_i = a_i / RMS(a) · g_i, RMS(a) = √(1/n Σ_j a_j² + ε). LayerNorm without the re-centring: no mean, no bias;
   the paper's claim is that re-scaling alone is what stabilises training. 均方根归一化(Zhang & Sennrich 2019 式 4):
   只按均方根缩放,不减均值、没有偏置;ε 在根号里面。
2. ``ffn_hidden`` / ``swiglu`` / ``FeedForward`` — "use the SwiGLU activation function" (§2.2), from Shazeer 2020,
   *GLU Variants Improve Transformer*, eq. (6): FFN_SwiGLU(x) = (Swish₁(xW) ⊗ xV) W₂ — the gate xW goes through
   Swish (= SiLU), the other branch xV is linear. Three matrices instead of two, so the hidden width is cut to 2/3 of
   4·dim to keep the parameter count (Llama 1 paper, §2.2); Meta rounds it up to a multiple of ``multiple_of`` and, for
   the 70B model with GQA, widens it by ``ffn_dim_multiplier`` = 1.3 to win back the parameters the shared keys and
   values saved (4096 → 11008, 8192 → 28672). 门控前馈网络(Shazeer 2020 式 6):门控分支过 SiLU,另一支是线性的;
   三个矩阵,所以隐藏宽度取 4·dim 的 2/3,再向上取整到 multiple_of 的倍数。
3. ``precompute_freqs_cis`` / ``apply_rope`` — "rotary positional embeddings (RoPE)" (§2.2), from Su et al. 2021,
   *RoFormer*, §3.2 (eq. 12-16, θ_i = 10000^(−2(i−1)/d) in the paper's 1-based numbering) and the efficient form
   §3.4.2 (eq. 34): the pair (x_{2i}, x_{2i+1}) of a query or key at position m is turned by the angle m·θ_i. A
   rotation keeps lengths, and ⟨R_m q, R_n k⟩ = ⟨q, R_{n−m} k⟩ depends only on m − n: relative position falls out
   of absolute rotations (RoFormer eq. 16). 旋转位置编码(RoFormer 式 12-16、式 34):位置 m 上每对相邻分量旋转
   m·θ_i;旋转不改变长度,内积只依赖相对位置 m − n。
4. ``repeat_kv`` / ``gqa_attention`` — "grouped-query attention (GQA)" (§2.2, Table 1), from Ainslie et al. 2023,
   *GQA*, §2.2: the H query heads are split into H_kv groups, each group shares one key head and one value head
   (H_kv = H is multi-head attention, H_kv = 1 is multi-query attention, Shazeer 2019); the attention itself is
   Vaswani et al. 2017's eq. (1), softmax(QKᵀ/√d_k)V. 分组查询注意力(GQA §2.2):H 个查询头分成 H_kv 组,相邻的
   查询头共用一个键头和值头;注意力本身仍是 softmax(QKᵀ/√d_k)V。
5. ``causal_mask`` / ``Attention`` — the KV cache of Appendix A.2.1: "A standard practice for autoregressive
   decoding is to cache the key (K) and value (V) pairs for the previous tokens in the sequence, speeding up
   attention computation." GQA shrinks exactly that cache by H/H_kv; the causal mask lets a chunk of new tokens see
   every cached position and the earlier tokens of its own chunk. KV 缓存(附录 A.2.1):自回归解码时缓存已生成词元
   的键和值;GQA 让缓存缩小 H/H_kv 倍;因果掩码让新的一段词元看到全部缓存位置和本段中更早的词元。
6. ``TransformerBlock`` — "pre-normalization" (§2.2; Llama 1 paper §2.2, after GPT-3): every sub-layer normalises
   its *input*, the residual stream itself is never normalised: h = x + Attention(RMSNorm(x)),
   out = h + FFN(RMSNorm(h)). 预归一化的残差块:每个子层先归一化自己的输入,残差主干本身不做归一化。

What you should understand after passing · 通过之后你应该明白
  * why RMSNorm is scale-invariant and why ε must sit inside the root (tiny activations, eps = 1e-2);
    RMSNorm 为什么对缩放不变,ε 为什么必须在根号里;
  * where Llama 2's odd widths 11008, 13824 and 28672 come from; Llama 2 那些奇怪的宽度从哪里来;
  * that RoPE pairs *adjacent* features in Meta's layout (Hugging Face pairs i with i + D/2 and permutes the wq/wk
    rows to compensate), turns them counter-clockwise, and why only m − n survives in q·k;
    Meta 的 RoPE 把相邻分量配成一对、逆时针旋转,以及为什么 q·k 只剩下 m − n;
  * that GQA is "repeat each KV head n_rep times, side by side" (heads 0, 0, 1, 1, … for n_rep = 2), and that it
    changes nothing but the memory of the cache; GQA 就是"每个键值头并排重复 n_rep 次",它只改变缓存的大小;
  * that decoding one token at a time with a cache gives exactly the full causal forward pass.
    带缓存逐个词元解码,结果与完整的因果前向传播完全相同。

Conventions (the contract's Clarifications)
  * Layout is Meta's: activations (B, T, dim), per-head tensors (B, T, H, D) = (batch, position, head, head_dim);
    weights in ``nn.Linear``'s (out, in) layout, no biases anywhere.
  * Float32 in → float32 out; float64 stays float64 everywhere (graded to 1e-12, 1e-10 through attention), so a
    literal port of Meta's ``x.float() … type_as(x)`` is not enough for float64: compute in *at least* float32.
  * Masks are additive float masks: 0 = attend, exactly −inf = hidden, shape (T, start_pos + T).
  * Results on the inputs' device (the graders also run the pure functions on ``meta`` tensors); inputs are never
    modified. Nothing here is random.

Forbidden (the whole module): ``rms_norm`` (``F.rms_norm``, ``torch.rms_norm``), ``nn.RMSNorm``,
``scaled_dot_product_attention``, ``nn.MultiheadAttention``, ``F.multi_head_attention_forward``,
``torch.nn.attention`` (flex attention), ``nn.TransformerEncoderLayer``, ``nn.TransformerDecoderLayer`` — they are
the graders' oracles. Allowed: ``F.silu``, ``F.linear``, ``softmax``, ``torch.polar``, ``view_as_complex``,
``view_as_real``, ``repeat_interleave``, ``einsum``, ``torch.linalg.vector_norm``.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


# ================================================================================================ RMSNorm (§2.2)
def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Root-mean-square layer normalisation (Zhang & Sennrich 2019, eq. 4; Llama 2 §2.2 "pre-normalization using
    RMSNorm")::

        y = x / √(mean(x², dim=−1) + eps) · weight          # x (..., d), weight (d,) -> y (..., d)

    * Normalises over the **last** dimension only; any number of leading dimensions (a (B, T, d) activation is
      normalised per token). d = 1 works.
    * No centring (that would be LayerNorm), no bias; eps sits **inside** the square root (it protects a row whose
      mean square is tiny, e.g. 1e-6 with eps = 1e-2).
    * Precision: normalise in at least float32 — a float16/bfloat16 x is normalised in float32 and cast back to x's
      dtype before the weight multiplies it (Meta's ``self._norm(x.float()).type_as(x) * self.weight``); float32
      stays float32 and float64 stays float64 (graded to 1e-12).
    * eps = 1e-5 by default (Llama 2's ``norm_eps``; Meta's class default is 1e-6, ``nn.RMSNorm``'s is machine
      epsilon).
    * x is not modified; the result lives on x's device.

    Forbidden: ``F.rms_norm`` / ``torch.rms_norm`` and ``nn.RMSNorm`` (the graders compare you with them).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.rms_norm: not implemented yet - replace this line with your code")


class RMSNorm(nn.Module):
    """The RMSNorm layer of Llama 2 (§2.2; Zhang & Sennrich 2019, eq. 4 with its gain g): ``RMSNorm(dim, eps=1e-5)``.

    * One parameter, ``weight`` = ``torch.ones(dim)`` (an ``nn.Parameter``, the gain g of eq. 4); no bias.
    * Keeps ``eps`` as ``self.eps``; ``forward(x) = rms_norm(x, self.weight, self.eps)`` with your own ``rms_norm``.

    Forbidden: ``nn.RMSNorm`` and ``F.rms_norm`` (to wrap, or to inherit from).
    """

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        raise NotImplementedError("KATA-STUB papers.llama2.RMSNorm.__init__: not implemented yet - replace this line with your code")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB papers.llama2.RMSNorm.forward: not implemented yet - replace this line with your code")


# ================================================================================================ SwiGLU (§2.2)
def ffn_hidden(dim: int, multiple_of: int = 256, ffn_dim_multiplier: float | None = None) -> int:
    """The hidden width of Llama 2's SwiGLU feed-forward layer (Llama 1 paper §2.2: "a dimension of 2/3·4d instead
    of 4d"; Llama 2 Table 1 and Meta's ``ModelArgs`` for the multiplier), exactly as Meta's ``FeedForward``
    computes it when the model builds it with ``hidden_dim = 4 * dim``::

        h = int(2 · (4·dim) / 3)              # SwiGLU has 3 matrices: 2/3 of the usual 4·dim keeps the parameters
        h = int(ffn_dim_multiplier · h)       # only if a multiplier is given (70B: 1.3)
        h = the smallest multiple of multiple_of that is ≥ h

    Returns a Python ``int``. The order matters (Clarification 12): int() after the 2/3 and after the multiplier,
    and the rounding comes last. Llama 2: (4096, 256) → 11008 (7B), (5120, 256) → 13824 (13B),
    (8192, 4096, 1.3) → 28672 (70B); with ``multiple_of=1`` it is int(8·dim/3).

    Forbidden: nothing beyond the module-wide list (this is integer arithmetic).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.ffn_hidden: not implemented yet - replace this line with your code")


def swiglu(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor, w3: torch.Tensor) -> torch.Tensor:
    """The SwiGLU feed-forward function (Shazeer 2020, eq. 6; Meta's ``w2(F.silu(w1(x)) * w3(x))``)::

        gate = silu(x w1ᵀ)            # (..., hidden)   silu(a) = a·σ(a) (= Swish with β = 1)
        up   = x w3ᵀ                  # (..., hidden)
        out  = (gate ⊙ up) w2ᵀ        # (..., dim)

    Shapes: x (..., dim), w1 and w3 (hidden, dim), w2 (dim, hidden) — ``nn.Linear``'s (out, in) layout; any
    leading dimensions pass through. Argument order and names are Meta's (Clarification 13): w1 = the gate (it is
    the one that goes through SiLU), w3 = "up", w2 = "down". So the result is linear in w3 and in w2, not in w1.
    Same dtype and device as x.

    Forbidden: the module-wide list (``F.silu`` and ``F.linear`` are fine).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.swiglu: not implemented yet - replace this line with your code")


class FeedForward(nn.Module):
    """Llama 2's feed-forward block (§2.2 "the SwiGLU activation function"; Shazeer 2020, eq. 6):
    ``FeedForward(dim, multiple_of=256, ffn_dim_multiplier=None)``.

    * ``w1``, ``w2``, ``w3``: bias-free ``nn.Linear`` layers with hidden = ``ffn_hidden(dim, multiple_of,
      ffn_dim_multiplier)``: w1 and w3 map dim → hidden, w2 maps hidden → dim. ``state_dict()`` keys are exactly
      ``w1.weight``, ``w2.weight``, ``w3.weight``.
    * ``forward(x) = swiglu(x, w1.weight, w2.weight, w3.weight)``, x (..., dim) → (..., dim).
    * Unlike Meta's class (which takes hidden_dim = 4·dim and does the arithmetic inside), this one takes ``dim``
      (Clarification 12). ``FeedForward(4096)`` has w1 of shape (11008, 4096) and ``FeedForward(8192, 4096, 1.3)``
      (28672, 8192): the graders build them on the ``meta`` device, so don't allocate anything yourself.

    Forbidden: the module-wide list.
    """

    def __init__(self, dim: int, multiple_of: int = 256, ffn_dim_multiplier: float | None = None):
        super().__init__()
        raise NotImplementedError("KATA-STUB papers.llama2.FeedForward.__init__: not implemented yet - replace this line with your code")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB papers.llama2.FeedForward.forward: not implemented yet - replace this line with your code")


# ================================================================================================ RoPE (§2.2)
def precompute_freqs_cis(dim: int, end: int, theta: float = 10000.0, device=None) -> torch.Tensor:
    """The rotary table (Meta's ``precompute_freqs_cis``; RoFormer eq. 15): a complex64 tensor of shape
    (end, dim // 2) with

        table[m, i] = exp(i · m · θ_i),   θ_i = theta^(−2i/dim),   i = 0 … dim/2 − 1,  m = 0 … end − 1

    (the i in the exponent is the imaginary unit; the other i is the pair index). Row m holds the unit complex
    numbers that turn position m's pairs; row 0 is all ones (position 0 is not rotated), column 0 turns by one
    radian per position, the last column almost not at all.

    * ``dim`` is the head dimension; an odd ``dim`` raises ``ValueError`` (features come in pairs).
    * Positions start at 0; ``theta`` is an argument (Llama 2 uses 10000; later models 500000).
    * Built on ``device`` (None: the default device) — the graders call it with ``device="meta"``.
    * Angles may be computed in float32 (Meta) or float64 and cast down: both pass (graded within
      1e-6 + 2e-7·end of the exact angles, Clarification 1).

    Forbidden: the module-wide list (``torch.polar`` is fine).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.precompute_freqs_cis: not implemented yet - replace this line with your code")


def apply_rope(x: torch.Tensor, freqs_cis: torch.Tensor) -> torch.Tensor:
    """Rotary position embedding of queries or keys (RoFormer §3.4.2, eq. 34; Meta's ``apply_rotary_emb``).

    x (B, T, H, D) float, freqs_cis (T, D/2) complex: exactly the rows of x's positions (the caller passes
    ``table[start_pos : start_pos + T]``). At position t the pair (a, b) = (x[..., 2i], x[..., 2i+1]) becomes

        (a·cos φ − b·sin φ,  a·sin φ + b·cos φ),   φ = angle of freqs_cis[t, i]

    i.e. the complex number a + ib multiplied by freqs_cis[t, i]: a counter-clockwise turn (Clarification 6).

    * Pairs are **interleaved**: features 2i and 2i+1 (Meta's layout, Clarification 5) — not the halves i and
      i + D/2 of Hugging Face's ``rotate_half``.
    * The table varies along T (axis 1) and is the same for every batch element and head.
    * Returns x's shape and dtype. Rotate in float32 for float32/float16/bfloat16 x and in float64 for float64 x
      (the complex64 table upcast), Clarification 7.
    * x is not modified; the result lives on x's device.

    Forbidden: the module-wide list (``view_as_complex`` / ``view_as_real`` are fine, and so is cos/sin on pairs).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.apply_rope: not implemented yet - replace this line with your code")


# ================================================================================================ GQA (§2.2, A.2.1)
def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """Share each key/value head among ``n_rep`` query heads (GQA, Ainslie et al. 2023 §2.2, Figure 2: "each group
    shares a single key head and value head"; Meta's ``repeat_kv``)::

        x (B, T, n_kv, D)  ->  (B, T, n_kv · n_rep, D),   output head h = input head h // n_rep

    Each KV head is repeated ``n_rep`` times **side by side** (heads 0, 0, 1, 1, … for n_rep = 2), so that query
    heads h = g·n_rep … (g+1)·n_rep − 1 form group g (Clarification 10). Only the head axis (2) grows. With
    n_rep = 1 it may return x itself. Same dtype and device as x; x is not modified.

    Forbidden: the module-wide list (``repeat_interleave``, ``expand`` + ``reshape`` are fine).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.repeat_kv: not implemented yet - replace this line with your code")


def causal_mask(seqlen: int, start_pos: int = 0, device=None, dtype=torch.float32) -> torch.Tensor:
    """The additive causal mask of a decoder (Vaswani et al. 2017 §3.2.3, "masking out (setting to −∞) all values in
    the input of the softmax which correspond to illegal connections"), for a chunk of ``seqlen`` queries after
    ``start_pos`` cached positions (Llama 2 Appendix A.2.1's KV cache): shape (seqlen, start_pos + seqlen),
    ``dtype`` on ``device``::

        mask[i, j] = 0      if j ≤ start_pos + i      (key j is at or before query i's absolute position)
                     −inf   otherwise

    Row i is the query at absolute position start_pos + i; the first start_pos columns are the cached keys, all
    visible; the last row is all 0. Entries are exactly ``-inf`` (not −1e9 or finfo.min) and 0, float (not
    boolean: boolean masks mean opposite things even inside PyTorch), Clarification 9. This is Meta's later fix,
    ``hstack([zeros(seqlen, start_pos), triu(full(-inf), 1)])``.

    Forbidden: the module-wide list.
    """
    raise NotImplementedError("KATA-STUB papers.llama2.causal_mask: not implemented yet - replace this line with your code")


def gqa_attention(xq: torch.Tensor, xk: torch.Tensor, xv: torch.Tensor, mask: torch.Tensor | None = None
                  ) -> torch.Tensor:
    """Scaled dot-product attention (Vaswani et al. 2017, eq. 1) with grouped-query heads (GQA, Ainslie et al. 2023
    §2.2; Llama 2 §2.2 and Table 1), in Meta's layout::

        xq (B, T, H, D), xk and xv (B, S, H_kv, D)  ->  (B, T, H, D)
        scores[b, h, t, s] = q[b, t, h] · k[b, s, h // (H/H_kv)] / √D  (+ mask)
        out[b, t, h]       = Σ_s softmax_s(scores[b, h, t, :]) · v[b, s, h // (H/H_kv)]

    * Query head h reads KV head h // (H/H_kv) (``repeat_kv``'s grouping, Clarification 10). H not a multiple of
      H_kv raises ``ValueError``. H_kv = H is ordinary multi-head attention, H_kv = 1 multi-query attention.
    * ``mask``: None or an additive float mask broadcastable to (B, H, T, S) (e.g. ``causal_mask``'s (T, S));
      every row has at least one finite entry.
    * The softmax runs over the keys (S), in at least float32 (float16 scores are upcast); the output has xq's
      dtype (float64 stays float64, graded to 1e-10) and lives on xq's device.

    Forbidden: ``F.scaled_dot_product_attention``, ``nn.MultiheadAttention``, ``F.multi_head_attention_forward``,
    ``torch.nn.attention`` (write the attention yourself; ``softmax``, ``einsum`` and ``matmul`` are fine).
    """
    raise NotImplementedError("KATA-STUB papers.llama2.gqa_attention: not implemented yet - replace this line with your code")


class Attention(nn.Module):
    """Llama 2's attention layer with a KV cache (§2.2 GQA and RoPE; Appendix A.2.1 "cache the key (K) and value
    (V) pairs for the previous tokens"):
    ``Attention(dim, n_heads, n_kv_heads=None, max_batch_size=4, max_seq_len=64)``.

    * hd = dim // n_heads; n_kv_heads None means n_heads (multi-head attention). Four bias-free ``nn.Linear``
      layers: ``wq`` dim → n_heads·hd, ``wk`` and ``wv`` dim → n_kv·hd, ``wo`` n_heads·hd → dim.
      ``state_dict()`` holds exactly ``wq.weight``, ``wk.weight``, ``wv.weight``, ``wo.weight``.
    * The cache: keys and values of shape (max_batch_size, max_seq_len, n_kv, hd), not in ``state_dict()`` (a
      non-persistent buffer or a plain attribute), following the module's and the input's device and dtype (after
      ``.to(torch.float64)`` the layer runs in float64).
    * ``forward(x, start_pos, freqs_cis, mask=None)``, x (B, T, dim) with B ≤ max_batch_size and start_pos + T ≤
      max_seq_len, freqs_cis (T, hd/2) the table rows of positions start_pos … start_pos + T − 1, mask None or an
      additive mask of shape (T, start_pos + T) (``causal_mask(T, start_pos)``):

        1. q, k, v = wq(x), wk(x), wv(x), viewed as (B, T, H, hd), (B, T, n_kv, hd), (B, T, n_kv, hd);
        2. RoPE on q and k (not on v) with ``apply_rope``;
        3. write k and v into the cache at positions [start_pos, start_pos + T);
        4. attend with ``gqa_attention`` over **all** cached positions [0, start_pos + T);
        5. merge the heads to (B, T, n_heads·hd) and apply ``wo``.

      A call with start_pos = 0 starts a new sequence. Decoding token by token (T = 1, start_pos = t, mask None)
      gives exactly the full forward pass (start_pos = 0, ``causal_mask(T)``). The graders call it under
      ``torch.no_grad()`` (Clarification 14).

    Forbidden: the module-wide list (build it on your own ``apply_rope`` and ``gqa_attention``).
    """

    def __init__(self, dim: int, n_heads: int, n_kv_heads: int | None = None, max_batch_size: int = 4,
                 max_seq_len: int = 64):
        super().__init__()
        raise NotImplementedError("KATA-STUB papers.llama2.Attention.__init__: not implemented yet - replace this line with your code")

    def forward(self, x: torch.Tensor, start_pos: int, freqs_cis: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB papers.llama2.Attention.forward: not implemented yet - replace this line with your code")


class TransformerBlock(nn.Module):
    """One Llama 2 decoder layer (§2.2 "the standard transformer architecture, apply pre-normalization using
    RMSNorm"):
    ``TransformerBlock(dim, n_heads, n_kv_heads=None, multiple_of=256, ffn_dim_multiplier=None, norm_eps=1e-5,
    max_batch_size=4, max_seq_len=64)``::

        h   = x + attention(attention_norm(x), start_pos, freqs_cis, mask)
        out = h + feed_forward(ffn_norm(h))

    * Children with Meta's names: ``attention`` (your ``Attention``), ``feed_forward`` (your ``FeedForward``),
      ``attention_norm`` and ``ffn_norm`` (your ``RMSNorm(dim, eps=norm_eps)``). Nine ``state_dict()`` keys:
      ``attention.w{q,k,v,o}.weight``, ``feed_forward.w{1,2,3}.weight``, ``attention_norm.weight``,
      ``ffn_norm.weight``.
    * ``forward(x, start_pos, freqs_cis, mask=None)`` as ``Attention.forward``; x (B, T, dim) → (B, T, dim).
      Incremental decoding through the block equals its full forward pass.

    Forbidden: the module-wide list (``nn.TransformerEncoderLayer`` / ``nn.TransformerDecoderLayer`` among them).
    """

    def __init__(self, dim: int, n_heads: int, n_kv_heads: int | None = None, multiple_of: int = 256,
                 ffn_dim_multiplier: float | None = None, norm_eps: float = 1e-5, max_batch_size: int = 4,
                 max_seq_len: int = 64):
        super().__init__()
        raise NotImplementedError("KATA-STUB papers.llama2.TransformerBlock.__init__: not implemented yet - replace this line with your code")

    def forward(self, x: torch.Tensor, start_pos: int, freqs_cis: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError("KATA-STUB papers.llama2.TransformerBlock.forward: not implemented yet - replace this line with your code")
