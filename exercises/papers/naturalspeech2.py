# Generated from solutions/papers/naturalspeech2.py by `katas stubs`. This file is yours: write your answers in place
# of each `raise NotImplementedError(...)`. Regeneration never overwrites a file you have edited.
"""NaturalSpeech 2: residual vector quantisation · NaturalSpeech 2 论文:残差向量量化

Paper: Shen et al. 2023, *NaturalSpeech 2: Latent Diffusion Models are Natural and Zero-Shot Speech and Singing
Synthesizers* (arXiv:2304.09116), with the residual vector quantiser of SoundStream (Zeghidour et al. 2021,
§III-C, Algorithm 1) and EnCodec (Défossez et al. 2022), and the VQ-VAE (van den Oord et al. 2017) for the
straight-through estimator, the commitment loss and the EMA codebook update. Seed notes: "论文阅读" (paper reading)
and "Natural Speech2论文".

A guided reading · 导读
------------------------
NaturalSpeech 2 does not generate discrete tokens one by one (as VALL-E does); a neural audio codec turns speech
into a sequence of *continuous* latent frames z, and a diffusion model generates those frames non-autoregressively.
The codec still has a residual vector quantiser (RVQ): it makes the latent space compact during codec training,
and the diffusion model is regularised with the RVQ's codebooks. 论文不逐个生成离散词元,而是让扩散模型生成编解码器的
连续隐向量;残差向量量化器仍然存在:训练编解码器时用它压缩隐空间,训练扩散模型时用它的码本做正则。

1. ``rvq_encode`` — §3.1 (the codec: z = f_enc(x), {e_j}_{j=1}^R = f_rvq(z), z_q = Σ_j e_j, x = f_dec(z_q)) and
   SoundStream's Algorithm 1: quantiser j quantises the *residual* that the quantisers before it left,
   r_j = r_{j−1} − e_{j, c_j}, r_0 = z. Each stage refines the previous ones: a coarse-to-fine code, R numbers
   per frame. 每一级量化的是前几级留下的残差,而不是原始的 z。
2. ``rvq_decode`` — z_q = Σ_{j<q} e_{j, c_j}. Using only the first q code columns gives a coarser z_q at a lower
   bitrate (SoundStream's "quantizer dropout" trains for exactly this). 只用前 q 列码字就是更低的码率。
3. ``rvq_straight_through`` — the VQ-VAE's §3.2 training trick: argmin has no gradient, so "copy gradients from
   decoder input z_q(x) to encoder output z_e(x)" (the straight-through estimator, z + sg(z_q − z)), and pull the
   encoder towards its codewords with the commitment term β‖z_e − sg(e)‖² of VQ-VAE eq. (3), here per stage.
   直通估计:前向取量化值,反向把梯度原样传给 z;承诺损失让编码器靠近所选码字。
4. ``rvq_ce_loss`` — §3.2, the third term of the diffusion model's training loss, λ_ce-rvq·L_ce-rvq: for each
   quantiser j, the residual of the *predicted* latent ẑ after the ground-truth embeddings of quantisers 1 … j−1,
   a softmax over minus its distances to quantiser j's codewords, and the cross-entropy with the ground-truth
   code; L_ce-rvq is the mean over the quantisers. 预测隐向量减去真实码字得到残差,对码本距离做 softmax,
   与真实码字编号算交叉熵,再对各级取平均。
5. ``ema_codebook_update`` — VQ-VAE Appendix A.1, eqs. (6)–(8) (as SoundStream and EnCodec train their
   codebooks): each codeword moves to an exponential moving average of the frames assigned to it,
   N_k ← γN_k + (1 − γ)n_k, m_k ← γm_k + (1 − γ)Σ x, e_k = m_k / N_k — a running k-means, with EnCodec's Laplace
   smoothing so that an unused code never divides by zero. 用指数滑动平均更新码本:一种在线 k-means。

What you should understand after passing · 通过之后你应该明白
  * why each RVQ stage must quantise the residual (quantising z again R times just repeats the first stage), and
    what "coarse to fine" means for the code columns;
  * that the first q columns of the codes are a valid lower-bitrate code;
  * how z + sg(z_q − z) has z_q's value but the identity gradient, and where the gradient does (not) flow;
  * why the CE-RVQ residuals use the ground-truth embeddings, not ẑ's own nearest codewords;
  * how the EMA update is one step of k-means when decay = 0, and why the smoothing keeps unused codes finite.

Conventions (the contract's Clarifications)
  * Latent frames are rows: z (N, D); ``codebooks`` (R, K, D) = R quantisers of K codewords each; codes (N, R) or
    (N, q) int64 on the inputs' device (Clarification 32).
  * Distances are squared Euclidean, ‖r − e‖²; ties go to the lowest index (``argmin``'s first occurrence,
    Clarification 28). CE-RVQ logits are minus the **squared** distance (Clarification 29).
  * Float dtypes: float32 in → float32 out, float64 stays float64. Inputs are never modified (the EMA update
    returns new tensors). Results on the inputs' device (the graders also run ``rvq_encode`` / ``rvq_decode`` on
    ``meta`` tensors). Nothing here is random.

Forbidden (the whole module): ``cdist`` (write the squared distance yourself:
``((r[:, None] - e[None]) ** 2).sum(-1)`` or ‖r‖² − 2 r·eᵀ + ‖e‖²), and the libraries ``vector_quantize_pytorch``
and ``encodec``. Allowed: ``argmin``, ``F.embedding``, ``F.one_hot``, ``F.cross_entropy``, ``index_add_``,
``scatter_add_``, ``bincount``.
"""
import torch
import torch.nn.functional as F


# ================================================================================================ RVQ (§3.1)
def rvq_encode(z: torch.Tensor, codebooks: torch.Tensor) -> torch.Tensor:
    """Residual vector quantisation of latent frames (NaturalSpeech 2 §3.1; SoundStream Algorithm 1)::

        # z (N, D) latent frames;  codebooks (R, K, D): codebooks[j, k] = e_{j,k}
        r_0 = z
        c_j = argmin_k ‖r_{j−1} − e_{j,k}‖²            # (N,) one code per frame, j = 1 … R
        r_j = r_{j−1} − e_{j, c_j}                      # what is left for the next quantiser
        codes = [c_1, …, c_R]                           # (N, R) int64

    * Each stage quantises the **residual** left by the stages before it.
    * Squared Euclidean distance; ties go to the lowest index (``argmin`` returns the first minimum).
    * R = 1 is plain nearest-neighbour search; ``rvq_encode(z, codebooks[:q])`` is the first q columns of
      ``rvq_encode(z, codebooks)``; Σ_j e_{j, c_j} = z − r_R.
    * ‖r_j‖ is *not* non-increasing in general — only when every codebook contains the zero vector.
    * Returns int64 codes on z's device; z and codebooks are not modified.

    Forbidden: ``cdist`` (and the libraries ``vector_quantize_pytorch`` / ``encodec``).
    """
    raise NotImplementedError("KATA-STUB papers.naturalspeech2.rvq_encode: not implemented yet - replace this line with your code")


def rvq_decode(codes: torch.Tensor, codebooks: torch.Tensor) -> torch.Tensor:
    """The quantised latent of a (prefix of a) residual code::

        # codes (N, q) int64 with q ≤ R;  codebooks (R, K, D)
        z_q = Σ_{j<q} codebooks[j, codes[:, j]]         # (N, D)

    * Fewer columns = a lower bitrate: the first q columns decode with the first q codebooks; q = 0 gives zeros.
    * q > R → ``ValueError`` (more code columns than quantisers).
    * The codebooks' dtype and device.

    Forbidden: ``cdist`` (and the libraries ``vector_quantize_pytorch`` / ``encodec``). ``F.embedding`` and
    indexing are fine.
    """
    raise NotImplementedError("KATA-STUB papers.naturalspeech2.rvq_decode: not implemented yet - replace this line with your code")


# ================================================================================================ training the codec
def rvq_straight_through(z: torch.Tensor, codebooks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """RVQ inside a network: the straight-through estimator and the commitment loss (VQ-VAE §3.2, eq. 3)::

        codes = rvq_encode(z, codebooks)                # (N, R), no gradient
        z_q   = z + sg(rvq_decode(codes) − z)           # (N, D): value = the quantised latent, ∂z_q/∂z = I
        commitment_loss = (1/R) Σ_j mean((r_{j−1} − sg(e_{j, c_j}))²)        # 0-d
            with r_{j−1} = z − Σ_{i<j} sg(e_{i, c_i})

    sg = stop-gradient (``.detach()``). Returns ``(z_q, codes, commitment_loss)``.

    * z_q's value equals ``rvq_decode(codes, codebooks)`` up to one rounding (z + (z_q − z) may differ from z_q in
      the last bit, Clarification 30); its gradient goes to z unchanged, and nothing reaches the codebooks
      through z_q (in a codec they are trained by the EMA update below, or by their own codebook loss).
    * The commitment loss is unweighted (the caller multiplies it by β), averaged over frames, features and the
      R stages, built from detached codewords: its gradient reaches z only.

    Forbidden: ``cdist`` (and the libraries ``vector_quantize_pytorch`` / ``encodec``).
    """
    raise NotImplementedError("KATA-STUB papers.naturalspeech2.rvq_straight_through: not implemented yet - replace this line with your code")


# ================================================================================================ CE-RVQ (§3.2)
def rvq_ce_loss(z_hat: torch.Tensor, codes: torch.Tensor, codebooks: torch.Tensor) -> torch.Tensor:
    """NaturalSpeech 2's CE-RVQ regulariser of the diffusion model (§3.2, the λ_ce-rvq·L_ce-rvq term)::

        # z_hat (N, D): the predicted latent ẑ;  codes (N, q) int64: the ground-truth codes of the real latent
        residual_j = ẑ − Σ_{i<j} codebooks[i, codes[:, i]]         # ground-truth embeddings, not ẑ's own codes
        logits_j   = −‖residual_j − codebooks[j, k]‖²  over k       # (N, K)
        loss = (1/q) Σ_j mean_n CE(logits_j[n], codes[n, j])        # 0-d

    * Minus the **squared** distance as logits (Clarification 29: it ranks codewords exactly as the quantiser
      does); cross-entropy averaged over the N frames, then the mean over the q quantisers.
    * q = 1 is ``F.cross_entropy(−‖ẑ − e_{0,k}‖², codes[:, 0])``.
    * Differentiable in z_hat; the z_hat's dtype and device.

    Forbidden: ``cdist`` (and the libraries ``vector_quantize_pytorch`` / ``encodec``); ``F.cross_entropy`` is fine.
    """
    raise NotImplementedError("KATA-STUB papers.naturalspeech2.rvq_ce_loss: not implemented yet - replace this line with your code")


# ================================================================================================ EMA codebook (VQ-VAE A.1)
def ema_codebook_update(codebook: torch.Tensor, ema_count: torch.Tensor, ema_sum: torch.Tensor, x: torch.Tensor,
                        codes: torch.Tensor, decay: float = 0.99,
                        eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One exponential-moving-average codebook update (VQ-VAE Appendix A.1, eqs. 6–8; EnCodec's smoothing)::

        # codebook (K, D), ema_count (K,), ema_sum (K, D): the state;  x (N, D) frames, codes (N,) their codes
        count_k = #{n : codes[n] = k}                                  # (K,) also for unused k (0)
        n_k  ← decay · n_k + (1 − decay) · count_k                     # new_count (K,)
        m_k  ← decay · m_k + (1 − decay) · Σ_{codes[n] = k} x[n]        # new_sum (K, D)
        ñ_k  = (n_k + eps) / (Σ_k n_k + K·eps) · Σ_k n_k                # Laplace smoothing (never 0)
        e_k  = m_k / ñ_k                                               # new_codebook (K, D)

    Returns ``(new_codebook, new_count, new_sum)``: new tensors; the inputs are not modified (Clarification 31:
    no dead-code replacement). ``codebook`` itself only gives the shape, dtype and device (its old values are
    replaced).

    * decay = 0, eps = 0 and every code used: the codewords become the cluster means (one k-means step).
    * Σ new_count = decay · Σ ema_count + (1 − decay) · N.
    * Codes that no frame uses (also the highest indices) keep their row and stay finite.

    Forbidden: ``cdist`` (and the libraries ``vector_quantize_pytorch`` / ``encodec``). ``index_add_``,
    ``scatter_add_``, ``bincount`` and ``F.one_hot`` are fine.
    """
    raise NotImplementedError("KATA-STUB papers.naturalspeech2.ema_codebook_update: not implemented yet - replace this line with your code")
