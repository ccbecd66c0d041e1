"""Graders for papers/llama2.py (RMSNorm, SwiGLU, RoPE, grouped-query attention, the KV cache, the decoder block).

Oracles (never the learner's own functions):
* ``F.rms_norm(x, (d,), weight, eps)`` (always with eps: ``nn.RMSNorm``'s default eps is machine epsilon) in float64;
* Meta's ``FeedForward`` arithmetic for ``ffn_hidden``; ``F.linear`` + ``F.silu`` in float64 for ``swiglu``;
* the exact angles m·theta^(−2i/dim) in float64 for ``precompute_freqs_cis``; Meta's complex formulation
  (``view_as_complex(x.reshape(..., D/2, 2)) * freqs_cis``) in complex128 for ``apply_rope``;
* ``torch.repeat_interleave`` for ``repeat_kv``; ``hstack([zeros, triu(full(-inf), 1)])`` for ``causal_mask``;
* ``F.scaled_dot_product_attention(..., enable_gqa=True)`` in float64 for ``gqa_attention`` (``enable_gqa`` groups
  exactly like ``repeat_interleave``);
* for ``Attention`` and ``TransformerBlock``: a no-cache float64 re-computation from the four (nine) weights the
  grader loads into the learner's module, and the learner's own full forward pass (incremental decoding and
  chunked prefill must reproduce it).

Inputs come from seeded generators (hypothesis draws the shapes and seeds); weights N(0, 1/fan_in) so that the
activations stay O(1). Big models (FeedForward(4096), FeedForward(8192, 4096, 1.3)) are built on ``meta``.
Modules run under ``torch.no_grad()`` through tests/shippable_papers_llama2.py (the contract's KV-cache rule).

Tolerances (Clarification 1): float32 results atol 1e-6·(1 + max|want|)·k (k = 4 for RMSNorm/RoPE, 10 for SwiGLU,
attention and blocks) plus rtol 1e-5 (1e-4 through attention); float64 results 1e-12 (1e-10 through attention, the
KV-cache module and the block); the RoPE table within 1e-6 + 2e-7·end of the exact angles (float32 angles as Meta
computes them and float64 angles cast to complex64 both pass). Incremental decoding vs the full forward pass: the
same tolerance as the oracle comparison (another summation order may differ in the last bits).

Hints are float64 re-computations of the classic mistakes (LayerNorm's centring, eps outside the root, the gate on
the wrong branch, rotate_half pairing, the conjugate rotation, x.repeat tiling, softmax over the queries, the cache
written but not read, post-norm, …); each is shown only when the learner's result matches that mistake.
"""
import functools
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings, strategies as st

from grader.check import Hint, expect, expect_close, expect_equal, expect_raises, expect_tensor, fail, run_beside
from tests import shippable_nets as netprobes
from tests import shippable_papers_llama2 as ship
from tests.helpers import call, gen, near
from tests.nets import load_weights
from tests.strategies import seeds

F32, F64 = torch.float32, torch.float64
ERRORS = (RuntimeError, IndexError, TypeError, ValueError, AttributeError, KeyError)


def _normal(shape, seed, dtype=F32, scale=1.0, mean=0.0):
    return (torch.randn(shape, generator=gen(seed), dtype=F64) * scale + mean).to(dtype)


def _pinned(hints, got, want=None):
    """The hints, judged on the whole result ``got`` (for checks that show a slice or a derived quantity)."""
    return [Hint(h.text, when=lambda g, w, h=h: h.applies(got, want)) if isinstance(h, Hint) else h for h in hints]


def _atol(want, k=4.0):
    w = want.detach().double().abs()
    w = w[w.isfinite()]
    return 1e-6 * k * (1.0 + (float(w.max()) if w.numel() else 0.0))


# ================================================================================================ oracles
def _rms_oracle(x, w, eps):
    return F.rms_norm(x.double(), (x.shape[-1],), w.double(), eps)


def _ffn_oracle(dim, multiple_of=256, mult=None):
    hidden = int(2 * (4 * dim) / 3)
    if mult is not None:
        hidden = int(mult * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def _swiglu_oracle(x, w1, w2, w3, act=F.silu, gate_on_up=False):
    x, w1, w2, w3 = (t.double() for t in (x, w1, w2, w3))
    a, b = F.linear(x, w1), F.linear(x, w3)
    return F.linear(a * act(b) if gate_on_up else act(a) * b, w2)


def _angles(dim, end, theta=10000.0, two=2.0, first=0):
    inv = theta ** (-(two * torch.arange(dim // 2, dtype=F64)) / dim)
    return torch.outer(torch.arange(first, first + end, dtype=F64), inv)       # (end, dim/2)


def _table(dim, end, theta=10000.0):
    """The exact rotary table, complex64 (float64 angles cast down)."""
    a = _angles(dim, end, theta)
    return torch.polar(torch.ones_like(a), a).to(torch.complex64)


def _rope_oracle(x, fc, conj=False, over_heads=False):
    """Meta's apply_rotary_emb in complex128 (``over_heads``: the table broadcast over axis 2, a (B, H, T, D)
    layout assumed; ``conj``: the clockwise rotation)."""
    B, T, H, D = x.shape
    xc = torch.view_as_complex(x.double().reshape(B, T, H, D // 2, 2).contiguous())
    f = fc.to(torch.complex128)
    f = f.conj() if conj else f
    f = f.reshape(1, 1, T, D // 2) if over_heads else f.reshape(1, T, 1, D // 2)
    return torch.view_as_real(xc * f).reshape(B, T, H, D)


def _rope_halves(x, fc):
    """Hugging Face's rotate_half pairing (i, i + D/2)."""
    B, T, H, D = x.shape
    x = x.double()
    f = fc.to(torch.complex128).reshape(1, T, 1, D // 2)
    cos, sin = torch.cat([f.real, f.real], -1), torch.cat([f.imag, f.imag], -1)
    rot = torch.cat([-x[..., D // 2:], x[..., :D // 2]], -1)
    return x * cos + rot * sin


def _causal(T, start_pos=0, dtype=F32):
    return torch.hstack([torch.zeros(T, start_pos, dtype=dtype),
                         torch.triu(torch.full((T, T), float("-inf"), dtype=dtype), 1)])


def _sdpa(q, k, v, mask=None, scale=None, tile=False):
    """F.scaled_dot_product_attention in float64 in Meta's layout; ``tile``: KV heads tiled (x.repeat)."""
    q, k, v = (t.double().transpose(1, 2) for t in (q, k, v))
    m = None if mask is None else mask.double()
    if tile:
        r = q.shape[1] // k.shape[1]
        k, v = k.repeat(1, r, 1, 1), v.repeat(1, r, 1, 1)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=scale, enable_gqa=True).transpose(1, 2)


def _attn_softmax_queries(q, k, v, mask=None):
    """Attention with the softmax over the queries (dim −2): the classic axis mistake."""
    q, k, v = (t.double().transpose(1, 2) for t in (q, k, v))
    r = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(r, 1), v.repeat_interleave(r, 1)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s + mask.double()
    return (torch.softmax(s, dim=-2).nan_to_num(0.0) @ v).transpose(1, 2)


def _attention_oracle(W, x, n_heads, n_kv, fc, mask, rope_v=False, no_rope_k=False, halves=False, tile=False):
    """Llama 2's attention without a cache, float64, from the weights W (state_dict keys wq/wk/wv/wo.weight);
    ``halves``, ``tile``: with rotate_half RoPE or tiled KV heads (for the hints)."""
    B, T, dim = x.shape
    hd = dim // n_heads
    x = x.double()
    q = F.linear(x, W["wq.weight"].double()).view(B, T, n_heads, hd)
    k = F.linear(x, W["wk.weight"].double()).view(B, T, n_kv, hd)
    v = F.linear(x, W["wv.weight"].double()).view(B, T, n_kv, hd)
    rope = _rope_halves if halves else _rope_oracle
    q = rope(q, fc)
    k = k if no_rope_k else rope(k, fc)
    if rope_v:
        v = rope(v, fc)
    o = _sdpa(q, k, v, mask, tile=tile)
    return F.linear(o.reshape(B, T, n_heads * hd), W["wo.weight"].double())


def _ffn_apply(W, x, prefix="feed_forward."):
    return _swiglu_oracle(x, W[prefix + "w1.weight"], W[prefix + "w2.weight"], W[prefix + "w3.weight"])


def _block_oracle(W, x, n_heads, n_kv, fc, mask, eps, variant=None):
    """The pre-norm block in float64; ``variant`` re-computes a classic mistake for the hints."""
    d = x.shape[-1]
    x = x.double()
    A = {k.removeprefix("attention."): v for k, v in W.items() if k.startswith("attention.")}
    an, fn = W["attention_norm.weight"].double(), W["ffn_norm.weight"].double()

    def att(z):
        return _attention_oracle(A, z, n_heads, n_kv, fc, mask)

    def norm(z, w):
        return F.rms_norm(z, (d,), w, eps)
    if variant == "post_norm":
        h = norm(x + att(x), an)
        return norm(h + _ffn_apply(W, h), fn)
    h = x + att(norm(x, an))
    if variant == "ffn_norm_x":
        return h + _ffn_apply(W, norm(x, fn))
    if variant == "no_attention_residual":
        h = att(norm(x, an))
    if variant == "no_ffn_residual":
        return _ffn_apply(W, norm(h, fn))
    return h + _ffn_apply(W, norm(h, fn))


# ================================================================================================ weights
def _linear_weight(out_f, in_f, seed):
    return _normal((out_f, in_f), seed, F64, scale=1.0 / math.sqrt(in_f))


def _attention_weights(dim, n_heads, n_kv, seed):
    hd = dim // n_heads
    return {"wq.weight": _linear_weight(n_heads * hd, dim, seed),
            "wk.weight": _linear_weight(n_kv * hd, dim, seed + 1),
            "wv.weight": _linear_weight(n_kv * hd, dim, seed + 2),
            "wo.weight": _linear_weight(dim, n_heads * hd, seed + 3)}


def _ffn_weights(dim, hidden, seed, prefix=""):
    return {prefix + "w1.weight": _linear_weight(hidden, dim, seed),
            prefix + "w2.weight": _linear_weight(dim, hidden, seed + 1),
            prefix + "w3.weight": _linear_weight(hidden, dim, seed + 2)}


def _block_weights(dim, n_heads, n_kv, hidden, seed):
    W = {"attention." + k: v for k, v in _attention_weights(dim, n_heads, n_kv, seed).items()}
    W.update(_ffn_weights(dim, hidden, seed + 10, prefix="feed_forward."))
    g = gen(seed + 20)
    W["attention_norm.weight"] = 0.5 + torch.rand(dim, generator=g, dtype=F64)
    W["ffn_norm.weight"] = 0.5 + torch.rand(dim, generator=g, dtype=F64)
    return W


def _build(kata, name, *args, **kwargs):
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return call(getattr(kata, name), *args, prop=f"{name}({shown}) builds the module",
                inputs={"call": f"{name}({shown})"}, expected="a module", **kwargs)


def _run(kata, net, steps, prop, inputs, hints=()):
    """The module's outputs for a sequence of (x, start_pos, freqs_cis, mask) calls, under torch.no_grad()."""
    return call(run_beside, kata, ship.run_steps, net, steps, prop=prop, inputs=inputs, hints=hints,
                expected="the module's outputs")


# ================================================================================================ ffn_hidden
FLOOR_HINT = "round **up** to a multiple of multiple_of: multiple_of · ⌈h / multiple_of⌉ (floor gives 10752 for 4096)."
MULT_HINT = "ffn_dim_multiplier was ignored (that is Llama 1's formula): when it is given, h = int(multiplier · h) " \
            "before the rounding."
TWO_THIRDS_HINT = "SwiGLU has three matrices, so Meta takes 2/3 of the usual 4·dim first: h = int(2 · (4·dim) / 3)."


def _ffn_hints(dim, multiple_of, mult):
    def ceil_to(h):
        return multiple_of * ((h + multiple_of - 1) // multiple_of)
    h = int(2 * (4 * dim) / 3)
    hm = int(mult * h) if mult is not None else h
    floor = multiple_of * (hm // multiple_of)
    return [
        Hint("return a Python int (int(...)), not a float or a tensor.",
             when=lambda g, w: not (type(g) is int)),
        Hint(FLOOR_HINT, when=lambda g, w: g == floor and g != w),
        Hint(MULT_HINT, when=lambda g, w: mult is not None and g == ceil_to(h) and g != w),
        Hint(TWO_THIRDS_HINT, when=lambda g, w: g in (ceil_to(4 * dim), ceil_to(int((mult or 1) * 4 * dim)))
             and g != w),
        Hint("the order is Meta's: int() after the 2/3, int() after the multiplier, the rounding up last.",
             when=lambda g, w: mult is not None and g in (int(mult * ceil_to(h)), ceil_to(int(mult * 8 * dim / 3)))
             and g != w),
    ]


@pytest.mark.core("ffn_hidden")
def test_ffn_hidden_llama2_widths(kata):
    """ffn_hidden gives Llama 2's widths: 4096 → 11008 (7B), 5120 → 13824 (13B), (8192, 4096, 1.3) → 28672 (70B)"""
    for args, want in [((4096, 256, None), 11008), ((5120, 256, None), 13824), ((8192, 4096, 1.3), 28672),
                       ((32, 16, None), 96), ((24, 32, 1.5), 96), ((100, 1, None), 266)]:
        inputs = {"dim": args[0], "multiple_of": args[1], "ffn_dim_multiplier": args[2]}
        got = call(kata.ffn_hidden, *args, prop="ffn_hidden(dim, multiple_of, ffn_dim_multiplier)", inputs=inputs)
        expect(type(got) is int and got == want, "ffn_hidden = ⌈int(mult · int(2·4·dim/3)) / multiple_of⌉ · "
               "multiple_of (Meta's FeedForward arithmetic)", inputs=inputs, expected=want, got=got,
               hints=_ffn_hints(*args))


@settings(max_examples=15)
@given(dim=st.integers(1, 6000), multiple_of=st.sampled_from([1, 8, 64, 256, 1024, 4096]),
       mult=st.sampled_from([None, 0.75, 1.0, 1.3, 2.0]))
@example(dim=4096, multiple_of=256, mult=None)
@example(dim=5000, multiple_of=4096, mult=1.3)
def test_ffn_hidden_formula(kata, dim, multiple_of, mult):
    """ffn_hidden is a Python int, a multiple of multiple_of, equal to Meta's formula for every dim ≤ 6000"""
    inputs = {"dim": dim, "multiple_of": multiple_of, "ffn_dim_multiplier": mult}
    got = call(kata.ffn_hidden, dim, multiple_of, mult, prop="ffn_hidden(dim, multiple_of, ffn_dim_multiplier)",
               inputs=inputs)
    want = _ffn_oracle(dim, multiple_of, mult)
    hints = _ffn_hints(dim, multiple_of, mult)
    expect(type(got) is int, "ffn_hidden returns a Python int", inputs=inputs, expected=want,
           got=f"{type(got).__name__}: {got!r}", hints=hints)
    expect(got % multiple_of == 0, "ffn_hidden is a multiple of multiple_of", inputs=inputs, expected=want, got=got,
           hints=hints)
    expect_equal(got, want, "ffn_hidden equals Meta's formula", inputs=inputs, hints=hints)


def test_ffn_hidden_multiple_of_one(kata):
    """with multiple_of = 1 there is no rounding: ffn_hidden(dim, 1) = int(8·dim/3)"""
    for dim in (1, 2, 3, 7, 100, 4096):
        inputs = {"dim": dim, "multiple_of": 1}
        got = call(kata.ffn_hidden, dim, 1, prop="ffn_hidden(dim, 1)", inputs=inputs)
        expect_equal(got, int(8 * dim / 3), "ffn_hidden(dim, 1) = int(8·dim/3)", inputs=inputs,
                     hints=_ffn_hints(dim, 1, None))


# ================================================================================================ causal_mask
def _mask_hints(T, sp):
    return [
        Hint("the diagonal is masked too: a query may attend to its own position (j = start_pos + i): use "
             "triu(..., diagonal=1) (row 0 all −inf makes the softmax NaN).",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.shape == w.shape
             and bool(torch.equal(g.float(), torch.hstack([torch.zeros(T, sp), torch.triu(
                 torch.full((T, T), float("-inf")), 0)])))),
        Hint("start_pos was ignored: the mask of a chunk after start_pos cached positions has shape "
             "(seqlen, start_pos + seqlen), the first start_pos columns all 0 (Meta's original square "
             "triu(…, diagonal=start_pos + 1) is the wrong shape).",
             when=lambda g, w: sp > 0 and isinstance(g, torch.Tensor) and tuple(g.shape) == (T, T)),
        Hint("use exactly float('-inf') for hidden positions (not −1e9 or finfo.min), and 0 elsewhere: an additive "
             "float mask.", when=lambda g, w: isinstance(g, torch.Tensor) and g.is_floating_point()
             and g.shape == w.shape and bool(((g < -1e3) & g.isfinite()).any())),
        Hint("the mask is additive and float (0 = attend, −inf = hidden), not boolean.",
             when=lambda g, w: isinstance(g, torch.Tensor) and g.dtype == torch.bool),
    ]


@pytest.mark.core("causal_mask")
def test_causal_mask_matches_meta(kata):
    """causal_mask(seqlen, start_pos) = hstack([zeros(seqlen, start_pos), triu(full(−inf), 1)]) (Meta's fix)"""
    for T, sp in [(1, 0), (4, 0), (3, 2), (5, 3), (2, 6), (6, 1)]:
        inputs = {"seqlen": T, "start_pos": sp}
        want = _causal(T, sp)
        got = call(kata.causal_mask, T, sp, prop="causal_mask(seqlen, start_pos)", inputs=inputs)
        hints = _mask_hints(T, sp)
        expect_tensor(got, "causal_mask(seqlen, start_pos) has shape (seqlen, start_pos + seqlen)", inputs=inputs,
                      shape=(T, sp + T), dtype=F32, hints=hints, hint_expected=want)
        expect_equal(got, want, "causal_mask[i, j] = 0 if j ≤ start_pos + i else −inf", inputs=inputs, hints=hints)


@settings(max_examples=8)
@given(T=st.integers(1, 9), sp=st.integers(0, 9))
def test_causal_mask_rows(kata, T, sp):
    """row i of causal_mask(seqlen, start_pos) has start_pos + i + 1 zeros then −inf; the last row is all 0"""
    inputs = {"seqlen": T, "start_pos": sp}
    got = call(kata.causal_mask, T, sp, prop="causal_mask(seqlen, start_pos)", inputs=inputs)
    hints = _mask_hints(T, sp)
    expect_tensor(got, "causal_mask has shape (seqlen, start_pos + seqlen)", inputs=inputs, shape=(T, sp + T),
                  hints=hints, hint_expected=_causal(T, sp))
    zeros = [int((row == 0).sum()) for row in got]
    expect(zeros == [sp + i + 1 for i in range(T)], "row i has start_pos + i + 1 zeros (keys up to its position)",
           inputs=inputs, expected=[sp + i + 1 for i in range(T)], got=zeros, hints=hints)
    expect(bool(((got == 0) | (got == float("-inf"))).all()), "every entry is 0 or −inf", inputs=inputs,
           expected="0 and -inf only", got=got, hints=hints)
    expect(bool((got[-1] == 0).all()) and bool((got[:, :sp] == 0).all()),
           "the last row and the first start_pos columns are all 0", inputs=inputs, expected=_causal(T, sp), got=got,
           hints=hints)


def test_causal_mask_dtype_and_device(kata):
    """causal_mask honours dtype= and device= (float64, float16, and the meta device)"""
    for dtype in (F64, torch.float16):
        inputs = {"seqlen": 3, "start_pos": 2, "dtype": dtype}
        got = call(kata.causal_mask, 3, 2, dtype=dtype, prop="causal_mask(3, 2, dtype=dtype)", inputs=inputs)
        expect_tensor(got, "causal_mask(..., dtype=dtype) returns that dtype", inputs=inputs, shape=(3, 5),
                      dtype=dtype, hints=["build both parts with dtype=dtype (torch.full(..., dtype=dtype), "
                                          "torch.zeros(..., dtype=dtype))."])
        expect_equal(got, _causal(3, 2, dtype), "causal_mask(3, 2, dtype=dtype) has the right values", inputs=inputs,
                     hints=_mask_hints(3, 2))
    inputs = {"seqlen": 4, "start_pos": 1, "device": "meta"}
    got = call(kata.causal_mask, 4, 1, device="meta", prop="causal_mask(4, 1, device='meta')", inputs=inputs)
    expect(isinstance(got, torch.Tensor) and got.device.type == "meta" and tuple(got.shape) == (4, 5),
           "causal_mask(..., device='meta') builds the mask on that device", inputs=inputs,
           expected="a (4, 5) tensor on meta", got=f"{getattr(got, 'device', type(got).__name__)}",
           hints=["pass device=device to every tensor you create (torch.full, torch.zeros, torch.triu keeps it)."])


# ================================================================================================ precompute_freqs_cis
def _freqs_hints(dim, end, theta):
    def as_angles(g):
        return torch.angle(g.detach().to(torch.complex128))

    def matches(other):
        o = torch.remainder(other + math.pi, 2 * math.pi) - math.pi
        return lambda g, w: isinstance(g, torch.Tensor) and g.is_complex() and g.shape == w.shape \
            and near(as_angles(g), o, 1e-3)
    return [
        Hint("the exponent is −2i/dim (θ_i = theta^(−2i/dim), i = 0 … dim/2 − 1): arange(0, dim, 2) / dim, not "
             "arange(dim/2) / dim.", when=matches(_angles(dim, end, theta, two=1.0))),
        Hint("positions start at 0 (row 0 is all ones: position 0 is not rotated): torch.arange(end).",
             when=matches(_angles(dim, end, theta, first=1))),
        Hint("the table is complex, shape (end, dim // 2): one unit complex number e^{i·m·θ_i} per pair "
             "(torch.polar(torch.ones_like(angles), angles)); a real (end, dim) cos/sin cache is Hugging Face's "
             "layout.", when=lambda g, w: isinstance(g, torch.Tensor) and (not g.is_complex()
                                                                          or tuple(g.shape) != tuple(w.shape))),
        Hint("the rotation is counter-clockwise, e^{+i·m·θ}: positive angles.", when=matches(-_angles(dim, end, theta))),
        Hint("theta is an argument: use it instead of a hard-coded 10000.",
             when=lambda g, w: theta != 10000.0 and matches(_angles(dim, end, 10000.0))(g, w)),
    ]


@functools.lru_cache(maxsize=8)
def _exact_table(dim, end, theta):
    """The exact table in complex128 (cached: the 4096-row example is checked once per variant in the self-check;
    never passed into learner code)."""
    a = _angles(dim, end, theta)
    return torch.polar(torch.ones_like(a), a)


def _check_table(got, dim, end, theta, inputs, prop):
    exact = _exact_table(dim, end, theta)
    want = exact.to(torch.complex64)
    hints = _freqs_hints(dim, end, theta)
    expect_tensor(got, f"{prop} is a complex64 tensor of shape (end, dim // 2)", inputs=inputs,
                  shape=(end, dim // 2), dtype=torch.complex64, hints=hints, hint_expected=want)
    err = float((got.to(torch.complex128) - exact).abs().max()) if got.numel() else 0.0
    tol = 1e-6 + 2e-7 * end
    expect(err <= tol, f"{prop}[m, i] = exp(i·m·theta^(−2i/dim))", inputs=inputs, expected=want, got=got,
           detail=f"largest |got − exact| = {err:.3g} > tolerance {tol:.3g}", hints=hints)


@pytest.mark.core("precompute_freqs_cis")
@settings(max_examples=4)
@given(dim=st.sampled_from([2, 4, 6, 8, 16, 32]), end=st.integers(1, 40),
       theta=st.sampled_from([10000.0, 500000.0, 100.0]))
@example(dim=8, end=5, theta=10000.0)
@example(dim=128, end=4096, theta=10000.0)
@example(dim=128, end=64, theta=500000.0)
def test_freqs_table_matches_exact_angles(kata, dim, end, theta):
    """precompute_freqs_cis(dim, end, theta)[m, i] = exp(i·m·θ_i), θ_i = theta^(−2i/dim), complex64 (end, dim/2)"""
    inputs = {"dim": dim, "end": end, "theta": theta}
    got = call(kata.precompute_freqs_cis, dim, end, theta, prop="precompute_freqs_cis(dim, end, theta)",
               inputs=inputs, hints=_freqs_hints(dim, end, theta))
    _check_table(got, dim, end, theta, inputs, "precompute_freqs_cis(dim, end, theta)")


def test_freqs_table_odd_dim_raises(kata):
    """precompute_freqs_cis raises ValueError for an odd dim (features are rotated in pairs)"""
    for dim in (1, 3, 7):
        with expect_raises(ValueError, "precompute_freqs_cis(dim, end) with an odd dim raises ValueError",
                           inputs={"dim": dim, "end": 4},
                           hints=["check `if dim % 2: raise ValueError(...)` before building the table."]):
            kata.precompute_freqs_cis(dim, 4)


def test_freqs_table_properties(kata):
    """the table has |entries| = 1, row 0 all ones, column 0 = e^{im}, and table[m]·table[n] = table[m + n]"""
    dim, end = 8, 12
    inputs = {"dim": dim, "end": end}
    got = call(kata.precompute_freqs_cis, dim, end, prop="precompute_freqs_cis(8, 12)", inputs=inputs)
    hints = _freqs_hints(dim, end, 10000.0)
    expect_tensor(got, "precompute_freqs_cis(8, 12) has shape (12, 4), complex", inputs=inputs, shape=(end, dim // 2),
                  hints=hints, hint_expected=_table(dim, end))
    g = got.to(torch.complex128)
    expect_close(g.abs(), torch.ones(end, dim // 2, dtype=F64), "every entry has modulus 1 (a pure rotation)",
                 inputs=inputs, atol=1e-6, rtol=0, hints=hints)
    expect_close(torch.view_as_real(g[0]), torch.view_as_real(torch.ones(dim // 2, dtype=torch.complex128)),
                 "row 0 is all ones (position 0 is not rotated)", inputs=inputs, atol=1e-7, rtol=0, hints=hints)
    m = torch.arange(end, dtype=F64)
    expect_close(torch.view_as_real(g[:, 0]), torch.view_as_real(torch.polar(torch.ones_like(m), m)),
                 "column 0 is e^{i·m} (θ_0 = 1: one radian per position)", inputs=inputs, atol=1e-6, rtol=0,
                 hints=hints)
    expect_close(torch.view_as_real(g[3] * g[5]), torch.view_as_real(g[8]),
                 "table[m]·table[n] = table[m + n] (rotations add their angles)", inputs=inputs, atol=1e-5, rtol=0,
                 hints=hints)


def test_freqs_table_on_device(kata):
    """precompute_freqs_cis(..., device='meta') builds the table on that device"""
    inputs = {"dim": 8, "end": 6, "device": "meta"}
    got = call(kata.precompute_freqs_cis, 8, 6, device="meta", prop="precompute_freqs_cis(8, 6, device='meta')",
               inputs=inputs)
    expect(isinstance(got, torch.Tensor) and got.device.type == "meta" and tuple(got.shape) == (6, 4)
           and got.dtype == torch.complex64, "precompute_freqs_cis(..., device=device) builds the complex64 table "
           "there", inputs=inputs, expected="a (6, 4) complex64 tensor on meta",
           got=f"{tuple(got.shape)} {got.dtype} on {got.device}" if isinstance(got, torch.Tensor) else repr(got),
           hints=["create the aranges with device=device (torch.arange(0, dim, 2, device=device)); everything "
                  "computed from them stays there."])


# ================================================================================================ rms_norm
def _rms_hints(x, w, eps):
    x64, w64 = x.double(), w.double()
    ms = x64.pow(2).mean(-1, keepdim=True)
    alts = {
        "centred": F.layer_norm(x64, (x.shape[-1],), w64, None, eps),
        "outside": x64 / (ms.sqrt() + eps) * w64,
        "sum": x64 / (x64.pow(2).sum(-1, keepdim=True) + eps).sqrt() * w64,
        "noweight": x64 / (ms + eps).sqrt(),
    }

    def like(key):
        return lambda g, want: near(g, alts[key], 1e-4 * (1 + float(alts[key].abs().max())))
    return [
        Hint("you subtracted the mean: that is LayerNorm. RMSNorm only rescales, y = x / √(mean(x²) + eps) · weight "
             "(no centring, no bias).", when=like("centred")),
        Hint("eps belongs inside the square root: √(mean(x²) + eps), not √mean(x²) + eps.", when=like("outside")),
        Hint("that divides by the L2 norm (a sum of squares): RMS uses the **mean** of the squares over the last "
             "dimension, so a row of d ones stays ones.", when=like("sum")),
        Hint("the result is not multiplied by weight (the learned gain g_i of eq. 4).",
             when=lambda g, want: not bool((w == 1).all()) and like("noweight")(g, want)),
        Hint("normalise over the last dimension only (dim=-1, keepdim=True).",
             when=lambda g, want: x.dim() > 1 and near(g, F.rms_norm(x64.transpose(0, -1), (x.shape[0],), None,
                                                                     eps).transpose(0, -1) * w64, 1e-4)),
    ]


def _rms(kata, x, w, eps, prop, inputs, hints=()):
    return call(kata.rms_norm, x, w, eps, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core("rms_norm")
@settings(max_examples=6)
@given(lead=st.lists(st.integers(1, 3), min_size=1, max_size=2), d=st.integers(1, 8), seed=seeds(),
       eps=st.sampled_from([1e-5, 1e-2, 1e-6, 0.1]), offset=st.sampled_from([0.0, 1.5, -3.0]))
@example(lead=[2], d=4, seed=0, eps=1e-5, offset=2.0)
@example(lead=[3, 2], d=8, seed=1, eps=1e-2, offset=-1.0)
def test_rms_norm_matches_F_rms_norm(kata, lead, d, seed, eps, offset):
    """rms_norm(x, weight, eps) = x / √(mean(x², −1) + eps) · weight, equal to F.rms_norm (rows with non-zero mean)"""
    x = _normal((*lead, d), seed, mean=offset)
    w = _normal((d,), seed + 1, scale=0.5, mean=1.0)
    inputs = {"x": x, "weight": w, "eps": eps}
    hints = _rms_hints(x, w, eps)
    prop = "rms_norm(x, weight, eps) = F.rms_norm(x, (d,), weight, eps)"
    got = _rms(kata, x, w, eps, prop, inputs, hints)
    want = _rms_oracle(x, w, eps)
    expect_close(got, want, prop, inputs=inputs, atol=_atol(want), rtol=1e-5, hints=hints)


def test_rms_norm_eps_inside_the_root(kata):
    """on tiny rows (mean x² ≈ 1e-6) with eps = 1e-2, rms_norm equals the oracle: eps sits inside the square root"""
    for seed in (3, 4):
        x = _normal((3, 6), seed, scale=1e-3)
        w = _normal((6,), seed + 1, scale=0.3, mean=1.0)
        inputs = {"x": x, "weight": w, "eps": 1e-2}
        hints = _rms_hints(x, w, 1e-2)
        got = _rms(kata, x, w, 1e-2, "rms_norm on tiny rows", inputs, hints)
        want = _rms_oracle(x, w, 1e-2)
        expect_close(got, want, "rms_norm(x, weight, 1e-2) on rows with mean x² ≈ 1e-6", inputs=inputs,
                     atol=_atol(want) * 1e-2, rtol=1e-5, hints=hints)


@settings(max_examples=4)
@given(d=st.integers(1, 8), seed=seeds(), c=st.sampled_from([0.25, 4.0, 3.7, 1000.0]))
@example(d=4, seed=0, c=8.0)
def test_rms_norm_scale_invariant_with_unit_rms(kata, d, seed, c):
    """with eps = 0: rms_norm(c·x) = rms_norm(x) for c > 0, and with weight 1 every row has unit RMS"""
    x = _normal((3, d), seed, mean=0.5)
    ones = torch.ones(d)
    inputs = {"x": x, "c": c, "weight": ones, "eps": 0.0}
    hints = _rms_hints(x, ones, 0.0)
    prop = "rms_norm(c·x, 1, 0) = rms_norm(x, 1, 0)"
    a = _rms(kata, x, ones, 0.0, prop, inputs, hints)
    b = _rms(kata, x * c, ones, 0.0, prop, inputs, _rms_hints(x * c, ones, 0.0))
    expect_close(b, a, "RMSNorm is scale-invariant: rms_norm(c·x) = rms_norm(x) for c > 0 (eps = 0)", inputs=inputs,
                 atol=4e-6, rtol=1e-5, hints=hints)
    expect_close(a.double().pow(2).mean(-1), torch.ones(3, dtype=F64),
                 "with weight 1 and eps = 0 every row of rms_norm(x) has mean square 1", inputs=inputs, atol=1e-5,
                 rtol=0, hints=hints)


def test_rms_norm_float64_and_last_dim_only(kata):
    """float64 stays float64 (to 1e-12), and a (B, T, d) input is normalised over d only"""
    x = _normal((2, 3, 5), 11, F64, mean=0.7)
    w = _normal((5,), 12, F64, scale=0.5, mean=1.0)
    inputs = {"x": x, "weight": w, "eps": 1e-5}
    hints = _rms_hints(x, w, 1e-5) + [Hint(
        "float64 is computed in float64: upcast only dtypes below float32 (torch.promote_types(x.dtype, "
        "torch.float32)); Meta's x.float() … type_as(x) rounds a float64 x to float32.",
        when=lambda g, want: near(g, want, 1e-5))]
    got = _rms(kata, x, w, 1e-5, "rms_norm on float64", inputs, hints)
    want = _rms_oracle(x, w, 1e-5)
    expect_tensor(got, "rms_norm(x float64) is float64 of x's shape", inputs=inputs, shape=x.shape, dtype=F64,
                  hints=hints)
    expect_close(got, want, "rms_norm in float64 equals F.rms_norm to 1e-12", inputs=inputs, atol=1e-12, rtol=1e-12,
                 hints=hints)


def test_rms_norm_half_precision_normalises_in_float32(kata):
    """a float16 x with entries ~300 (x² overflows float16) is normalised in float32 and returned as float16"""
    x = (200 + 200 * torch.rand(2, 6, generator=gen(5))).to(torch.float16)
    w = torch.ones(6, dtype=torch.float16)
    inputs = {"x": x, "weight": w, "eps": 1e-5}
    hint = Hint("x² overflows float16 (max 65504): normalise in at least float32 — x.float() (or "
                "x.to(torch.promote_types(x.dtype, torch.float32))) — then cast back with .to(x.dtype) before the "
                "weight (Meta: self._norm(x.float()).type_as(x) * self.weight).",
                when=lambda g, want: isinstance(g, torch.Tensor) and not near(g, want, 5e-3))
    got = _rms(kata, x, w, 1e-5, "rms_norm on float16", inputs, [hint])
    want = _rms_oracle(x.float(), w.float(), 1e-5)
    expect_tensor(got, "rms_norm(float16 x, float16 weight) is float16", inputs=inputs, shape=x.shape,
                  dtype=torch.float16, hints=[hint])
    expect_close(got, want, "rms_norm of a float16 x with large entries is right (to float16 precision)",
                 inputs=inputs, atol=2e-3, rtol=2e-3, hints=[hint])


# ================================================================================================ RMSNorm
@pytest.mark.core("RMSNorm")
def test_RMSNorm_layer_matches_oracle(kata):
    """RMSNorm(dim, eps) has one parameter `weight` = ones(dim), and forward = rms_norm(x, weight, eps)"""
    for dim, eps, seed in [(4, 1e-5, 1), (6, 1e-2, 2), (1, 1e-5, 3), (8, 0.1, 4)]:
        net = _build(kata, "RMSNorm", dim, eps=eps)
        inputs = {"layer": f"RMSNorm({dim}, eps={eps})"}
        shapes = run_beside(kata, netprobes.parameter_shapes, net)
        expect(shapes == [("weight", (dim,))], "RMSNorm has exactly one parameter, weight, of shape (dim,)",
               inputs=inputs, expected=[("weight", (dim,))], got=shapes,
               hints=["self.weight = nn.Parameter(torch.ones(dim)); no bias."])
        w0 = net.weight.detach()
        expect_equal(w0.float(), torch.ones(dim), "RMSNorm's weight starts at ones(dim)", inputs=inputs)
        x = _normal((2, 3, dim), seed, mean=0.5)
        w = _normal((dim,), seed + 1, F64, scale=0.4, mean=1.0)
        load_weights(kata, net, {"weight": w}, "RMSNorm's state_dict is {'weight'}", inputs=inputs)
        inputs = {**inputs, "weight (loaded)": w.float(), "x": x}
        hints = _rms_hints(x, w.float(), eps) + [Hint(
            "the layer's eps is not used: pass self.eps on to rms_norm.",
            when=lambda g, want: any(near(g, _rms_oracle(x, w, e), 1e-4) for e in (1e-5, 1e-6)))]
        got = call(net, x, prop="RMSNorm(dim, eps)(x)", inputs=inputs, hints=hints)
        want = _rms_oracle(x, w.float(), eps)
        expect_close(got, want, "RMSNorm(dim, eps)(x) = rms_norm(x, weight, eps)", inputs=inputs, atol=_atol(want),
                     rtol=1e-5, hints=hints)


def test_RMSNorm_default_eps(kata):
    """RMSNorm(dim) uses eps = 1e-5 by default (Llama 2's norm_eps; not Meta's class default 1e-6)"""
    net = _build(kata, "RMSNorm", 6)
    x = _normal((2, 6), 7, scale=3e-3)
    inputs = {"layer": "RMSNorm(6)", "x": x}
    hint = Hint("the default is eps = 1e-5 (Llama 2's ModelArgs.norm_eps): def __init__(self, dim, eps=1e-5).",
                when=lambda g, want: not near(g, want, 1e-4))
    got = call(net, x, prop="RMSNorm(6)(x)", inputs=inputs)
    want = _rms_oracle(x, torch.ones(6), 1e-5)
    expect_close(got, want, "RMSNorm(6)(x) on rows with mean x² ≈ 1e-5 uses eps = 1e-5", inputs=inputs, atol=1e-5,
                 rtol=1e-5, hints=[hint])


# ================================================================================================ swiglu
def _swiglu_hints(x, w1, w2, w3):
    alts = {"up": _swiglu_oracle(x, w1, w2, w3, gate_on_up=True),
            "sigmoid": _swiglu_oracle(x, w1, w2, w3, act=torch.sigmoid),
            "relu": _swiglu_oracle(x, w1, w2, w3, act=F.relu),
            "gelu": _swiglu_oracle(x, w1, w2, w3, act=F.gelu),
            "none": _swiglu_oracle(x, w1, w2, w3, act=lambda a: a),
            "swap": _swiglu_oracle(x, w3, w2, w1)}

    def like(key):
        return lambda g, w: near(g, alts[key], 1e-4 * (1 + float(alts[key].abs().max())))
    return [
        Hint("the SiLU gate is on the w3 branch: Meta's order is w2(F.silu(w1(x)) * w3(x)) — w1 is the gate.",
             when=lambda g, w: like("up")(g, w) or like("swap")(g, w)),
        Hint("that is the original GLU's sigmoid gate; SwiGLU gates with SiLU (Swish): silu(a) = a·σ(a).",
             when=like("sigmoid")),
        Hint("the gate is SiLU (a·σ(a)), not ReLU (that is ReGLU).", when=like("relu")),
        Hint("the gate is SiLU (a·σ(a)), not GELU (that is GEGLU).", when=like("gelu")),
        Hint("the gate branch needs its activation: F.silu(x w1ᵀ) (without it the layer is bilinear).",
             when=like("none")),
        Hint("weights are in nn.Linear's (out, in) layout: x w1ᵀ is F.linear(x, w1) (or x @ w1.T).",
             when=lambda g, w: isinstance(g, str) and ("shapes cannot be multiplied" in g or "mat1" in g)),
    ]


def _swiglu_case(lead, dim, hidden, seed, dtype=F32):
    x = _normal((*lead, dim), seed, dtype)
    w1 = _normal((hidden, dim), seed + 1, dtype, scale=1 / math.sqrt(dim))
    w2 = _normal((dim, hidden), seed + 2, dtype, scale=1 / math.sqrt(hidden))
    w3 = _normal((hidden, dim), seed + 3, dtype, scale=1 / math.sqrt(dim))
    return x, w1, w2, w3


def _swiglu(kata, x, w1, w2, w3, prop, inputs, hints=()):
    return call(kata.swiglu, x, w1, w2, w3, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core("swiglu")
@settings(max_examples=5)
@given(lead=st.lists(st.integers(1, 3), min_size=1, max_size=2), dim=st.integers(1, 8), hidden=st.integers(1, 12),
       seed=seeds())
@example(lead=[2], dim=4, hidden=6, seed=0)
@example(lead=[2, 3], dim=8, hidden=12, seed=1)
def test_swiglu_matches_meta(kata, lead, dim, hidden, seed):
    """swiglu(x, w1, w2, w3) = (silu(x w1ᵀ) ⊙ x w3ᵀ) w2ᵀ — Meta's w2(F.silu(w1(x)) * w3(x))"""
    x, w1, w2, w3 = _swiglu_case(lead, dim, hidden, seed)
    inputs = {"x": x, "w1": w1, "w2": w2, "w3": w3}
    hints = _swiglu_hints(x, w1, w2, w3)
    prop = "swiglu(x, w1, w2, w3) = F.linear(F.silu(F.linear(x, w1)) * F.linear(x, w3), w2)"
    got = _swiglu(kata, x, w1, w2, w3, prop, inputs, hints)
    want = _swiglu_oracle(x, w1, w2, w3)
    expect_close(got, want, prop, inputs=inputs, atol=_atol(want, 10), rtol=1e-5, hints=hints)


def test_swiglu_linear_in_w3_and_w2_not_w1(kata):
    """swiglu is linear in w3 and in w2 (w3 = 0 gives 0) but not in w1 (the gate goes through SiLU)"""
    x, w1, w2, w3 = _swiglu_case([3], 5, 7, 21)
    _, _, w2b, w3b = _swiglu_case([3], 5, 7, 22)
    inputs = {"x": x, "w1": w1, "w2": w2, "w3": w3}
    hints = _swiglu_hints(x, w1, w2, w3)
    base = _swiglu(kata, x, w1, w2, w3, "swiglu(x, w1, w2, w3)", inputs, hints)
    tol = _atol(base.detach(), 20) if isinstance(base, torch.Tensor) else 1e-4
    both = _swiglu(kata, x, w1, w2, 2 * w3 - w3b, "swiglu with w3 = 2·w3 − w3'", inputs, hints)
    other = _swiglu(kata, x, w1, w2, w3b, "swiglu with w3'", inputs, hints)
    expect_close(both, 2 * base.double() - other.double(), "swiglu is linear in w3: f(2·w3 − w3') = 2·f(w3) − f(w3')",
                 inputs={**inputs, "w3'": w3b}, atol=tol, rtol=1e-5, hints=hints)
    both = _swiglu(kata, x, w1, 3 * w2 + w2b, w3, "swiglu with w2 = 3·w2 + w2'", inputs, hints)
    other = _swiglu(kata, x, w1, w2b, w3, "swiglu with w2'", inputs, hints)
    expect_close(both, 3 * base.double() + other.double(), "swiglu is linear in w2: f(3·w2 + w2') = 3·f(w2) + f(w2')",
                 inputs={**inputs, "w2'": w2b}, atol=tol, rtol=1e-5, hints=hints)
    zero = _swiglu(kata, x, w1, w2, torch.zeros_like(w3), "swiglu with w3 = 0", inputs, hints)
    expect_close(zero, torch.zeros(3, 5, dtype=F64), "w3 = 0 gives 0 (the up branch multiplies the gate)",
                 inputs=inputs, atol=1e-7, rtol=0, hints=hints)
    doubled = _swiglu(kata, x, 2 * w1, w2, w3, "swiglu with w1 doubled", inputs, hints)
    expect(not near(doubled, 2 * base.double(), 1e-3), "swiglu is not linear in w1: the gate goes through SiLU",
           inputs=inputs, expected="f(2·w1) ≠ 2·f(w1)", got="f(2·w1) = 2·f(w1)", hints=hints)


def test_swiglu_float64_and_a_single_vector(kata):
    """swiglu keeps float64 (to 1e-12) and accepts a single vector x of shape (dim,)"""
    x, w1, w2, w3 = _swiglu_case([2, 3], 6, 10, 31, F64)
    inputs = {"x": x, "w1": w1, "w2": w2, "w3": w3}
    hints = _swiglu_hints(x, w1, w2, w3)
    got = _swiglu(kata, x, w1, w2, w3, "swiglu in float64", inputs, hints)
    want = _swiglu_oracle(x, w1, w2, w3)
    expect_tensor(got, "swiglu(float64 x) is float64 of shape (..., dim)", inputs=inputs, shape=(2, 3, 6), dtype=F64)
    expect_close(got, want, "swiglu in float64 equals the oracle to 1e-12", inputs=inputs, atol=1e-12, rtol=1e-12,
                 hints=hints)
    x1 = x[0, 0].float()
    w1f, w2f, w3f = w1.float(), w2.float(), w3.float()
    inputs = {"x": x1, "w1": w1f, "w2": w2f, "w3": w3f}
    got = _swiglu(kata, x1, w1f, w2f, w3f, "swiglu on x of shape (dim,)", inputs, hints)
    want = _swiglu_oracle(x1, w1f, w2f, w3f)
    expect_close(got, want, "swiglu(x (dim,)) has shape (dim,): leading dimensions pass through", inputs=inputs,
                 atol=_atol(want, 10), rtol=1e-5, hints=hints)


# ================================================================================================ FeedForward
FFN_CASES = [(16, 16, None), (24, 32, 1.5), (10, 1, None), (8, 8, 0.75)]


@pytest.mark.core("FeedForward")
def test_feedforward_matches_swiglu(kata):
    """FeedForward(dim, multiple_of, ffn_dim_multiplier)(x) = swiglu(x, w1, w2, w3) with its own weights"""
    for k, (dim, mo, mult) in enumerate(FFN_CASES):
        hidden = _ffn_oracle(dim, mo, mult)
        net = _build(kata, "FeedForward", dim, mo, mult)
        inputs = {"layer": f"FeedForward({dim}, {mo}, {mult})", "hidden (ffn_hidden)": hidden}
        W = _ffn_weights(dim, hidden, 40 + 5 * k)
        load_weights(kata, net, W, "FeedForward's state_dict keys are w1.weight, w2.weight, w3.weight with "
                     "shapes (hidden, dim), (dim, hidden), (hidden, dim)", inputs=inputs)
        x = _normal((2, 3, dim), 60 + k)
        inputs["x"] = x
        W32 = {k_: v.float() for k_, v in W.items()}
        hints = _swiglu_hints(x, W32["w1.weight"], W32["w2.weight"], W32["w3.weight"])
        got = call(net, x, prop="FeedForward(...)(x)", inputs=inputs, hints=hints)
        want = _ffn_apply(W32, x, prefix="")
        expect_close(got, want, "FeedForward(...)(x) = w2(silu(w1(x)) * w3(x))", inputs=inputs,
                     atol=_atol(want, 10), rtol=1e-5, hints=hints)


def test_feedforward_weights(kata):
    """FeedForward has exactly w1.weight (hidden, dim), w2.weight (dim, hidden), w3.weight (hidden, dim), no biases"""
    for dim, mo, mult in FFN_CASES[:2]:
        hidden = _ffn_oracle(dim, mo, mult)
        net = _build(kata, "FeedForward", dim, mo, mult)
        inputs = {"layer": f"FeedForward({dim}, {mo}, {mult})"}
        got = run_beside(kata, netprobes.state_keys, net)
        want = [("w1.weight", (hidden, dim)), ("w2.weight", (dim, hidden)), ("w3.weight", (hidden, dim))]
        expect(sorted(got) == sorted(want), "FeedForward's state_dict is exactly w1.weight, w2.weight, w3.weight",
               inputs=inputs, expected=want, got=got,
               hints=[Hint("Llama's linear layers have no bias: nn.Linear(..., bias=False).",
                           when=lambda g, w: any(k.endswith("bias") for k, _ in g)),
                      Hint("the width is ffn_hidden(dim, multiple_of, ffn_dim_multiplier) — pass all three on.",
                           when=lambda g, w: [k for k, _ in g] == [k for k, _ in w]),
                      Hint("Meta's names: w1 (gate), w2 (down), w3 (up).",
                           when=lambda g, w: sorted(k for k, _ in g) != sorted(k for k, _ in w))])


def test_feedforward_llama2_sizes_on_meta(kata):
    """FeedForward(4096) has w1 (11008, 4096) and FeedForward(8192, 4096, 1.3) w1 (28672, 8192) (built on meta)"""
    for args, hidden, dim in [((4096,), 11008, 4096), ((8192, 4096, 1.3), 28672, 8192), ((5120,), 13824, 5120)]:
        shown = ", ".join(map(repr, args))
        inputs = {"layer": f"FeedForward({shown}) under `with torch.device('meta')`"}
        net = call(run_beside, kata, netprobes.build_on, "meta", kata.FeedForward, *args,
                   prop=f"FeedForward({shown}) builds on the meta device", inputs=inputs)
        got = dict(run_beside(kata, netprobes.parameter_shapes, net))
        want = {"w1.weight": (hidden, dim), "w2.weight": (dim, hidden), "w3.weight": (hidden, dim)}
        expect(got == want, f"FeedForward({shown}) has Llama 2's width {hidden}", inputs=inputs, expected=want,
               got=got, hints=[Hint(FLOOR_HINT, when=lambda g, w: g.get("w1.weight", (0,))[0] == 10752),
                               Hint(MULT_HINT, when=lambda g, w: g.get("w1.weight", (0,))[0] == 24576),
                               Hint(TWO_THIRDS_HINT, when=lambda g, w: g.get("w1.weight", (0,))[0] == 4 * dim)])


# ================================================================================================ apply_rope
def _rope_hints(x, fc):
    B, T, H, D = x.shape
    alts = {"halves": _rope_halves(x, fc), "conj": _rope_oracle(x, fc, conj=True)}
    if H == T:
        alts["heads"] = _rope_oracle(x, fc, over_heads=True)

    def like(key):
        return lambda g, w: key in alts and near(g, alts[key], 1e-4 * (1 + float(x.abs().max())))
    return [
        Hint("the pairs are interleaved, (x[..., 2i], x[..., 2i+1]) — Meta's layout — not the halves (i, i + D/2) "
             "of Hugging Face's rotate_half: view x as complex with x.reshape(..., D // 2, 2).",
             when=like("halves")),
        Hint("the rotation goes the wrong way (clockwise): multiply by freqs_cis itself, not its conjugate — the "
             "pair (a, b) becomes (a·cos − b·sin, a·sin + b·cos).", when=like("conj")),
        Hint("the table varies along the positions (axis 1 of (B, T, H, D)) and is shared by the heads: reshape it "
             "to (1, T, 1, D/2), not (1, 1, T, D/2) (that assumes a (B, H, T, D) layout).",
             when=lambda g, w: like("heads")(g, w) or (isinstance(g, str) and "must match" in g)),
    ]


def _rope(kata, x, fc, prop, inputs, hints=()):
    return call(kata.apply_rope, x, fc, prop=prop, inputs=inputs, hints=hints)


@pytest.mark.core("apply_rope")
@settings(max_examples=5)
@given(B=st.integers(1, 2), T=st.integers(1, 6), H=st.integers(1, 4), half=st.integers(1, 4), sp=st.integers(0, 5),
       seed=seeds())
@example(B=2, T=3, H=3, half=4, sp=0, seed=0)
@example(B=1, T=5, H=2, half=2, sp=4, seed=1)
@example(B=2, T=4, H=4, half=3, sp=2, seed=2)
def test_apply_rope_matches_meta(kata, B, T, H, half, sp, seed):
    """apply_rope(x, table[start:start+T]) = Meta's view_as_complex(x.reshape(..., D/2, 2)) · freqs_cis (complex128)"""
    D = 2 * half
    x = _normal((B, T, H, D), seed)
    fc = _table(D, sp + T)[sp:]
    inputs = {"x (B, T, H, D)": x, "freqs_cis": f"precompute_freqs_cis({D}, {sp + T})[{sp}:]"}
    hints = _rope_hints(x, fc)
    prop = "apply_rope(x, freqs_cis) turns the pair (x[2i], x[2i+1]) at position t by the angle of freqs_cis[t, i]"
    got = _rope(kata, x, fc, prop, inputs, hints)
    want = _rope_oracle(x, fc)
    expect_tensor(got, "apply_rope returns x's shape and dtype", inputs=inputs, shape=x.shape, dtype=F32, hints=hints)
    expect_close(got, want, prop, inputs=inputs, atol=_atol(want), rtol=1e-5, hints=hints)


def test_apply_rope_keeps_pairs_and_turns_counter_clockwise(kata):
    """a vector on the pair (2i, 2i+1) stays on it, and position 1 turns e₀ into (cos 1, sin 1, 0, …)"""
    D, T = 8, 3
    fc = _table(D, T)
    for i in range(D // 2):
        x = torch.zeros(1, T, 1, D)
        x[..., 2 * i] = 1.0
        x[..., 2 * i + 1] = 0.5
        inputs = {"x": f"(1, {T}, 1, {D}) zeros with x[..., {2 * i}] = 1, x[..., {2 * i + 1}] = 0.5",
                  "freqs_cis": f"precompute_freqs_cis({D}, {T})"}
        hints = _rope_hints(x, fc)
        got = _rope(kata, x, fc, "apply_rope on a vector supported on one pair", inputs, hints)
        expect_tensor(got, "apply_rope returns x's shape", inputs=inputs, shape=x.shape, hints=hints)
        off = [j for j in range(D) if j not in (2 * i, 2 * i + 1)]
        expect(bool((got[..., off].abs() <= 1e-6).all()), f"a vector on the pair ({2 * i}, {2 * i + 1}) stays on "
               "that pair (RoPE turns adjacent features together)", inputs=inputs,
               expected=_rope_oracle(x, fc)[0, :, 0], got=got[0, :, 0], hints=_pinned(hints, got))
    x = torch.zeros(1, 2, 1, D)
    x[0, 1, 0, 0] = 1.0
    inputs = {"x": "e₀ at position 1 (shape (1, 2, 1, 8))", "freqs_cis": f"precompute_freqs_cis({D}, 2)"}
    hints = _rope_hints(x, _table(D, 2))
    got = _rope(kata, x, _table(D, 2), "apply_rope(e₀ at position 1)", inputs, hints)
    expect_tensor(got, "apply_rope returns x's shape", inputs=inputs, shape=x.shape, hints=hints)
    want = torch.zeros(D, dtype=F64)
    want[0], want[1] = math.cos(1.0), math.sin(1.0)
    expect_close(got[0, 1, 0], want, "position 1 turns e₀ into (cos 1, sin 1, 0, …): counter-clockwise",
                 inputs=inputs, atol=1e-6, rtol=0, hints=_pinned(hints, got))


@settings(max_examples=4)
@given(T=st.integers(2, 6), half=st.integers(1, 4), seed=seeds())
@example(T=4, half=4, seed=3)
def test_apply_rope_is_a_rotation(kata, T, half, seed):
    """apply_rope leaves position 0 unchanged and keeps the norm of every pair (x[2i], x[2i+1])"""
    D = 2 * half
    x = _normal((2, T, 3, D), seed)
    fc = _table(D, T)
    inputs = {"x": x, "freqs_cis": f"precompute_freqs_cis({D}, {T})"}
    hints = _rope_hints(x, fc)
    got = _rope(kata, x, fc, "apply_rope(x, freqs_cis)", inputs, hints)
    expect_tensor(got, "apply_rope returns x's shape", inputs=inputs, shape=x.shape, hints=hints)
    hints = _pinned(hints, got)
    expect_close(got[:, 0], x[:, 0], "position 0 is not rotated (table row 0 is all ones)", inputs=inputs,
                 atol=_atol(x), rtol=1e-5, hints=hints)
    pairs = lambda t: t.double().reshape(2, T, 3, half, 2).pow(2).sum(-1)   # noqa: E731
    expect_close(pairs(got), pairs(x), "the norm of every pair (x[2i], x[2i+1]) is preserved", inputs=inputs,
                 atol=_atol(x) * 10, rtol=1e-5, hints=hints)


def test_apply_rope_scores_depend_on_relative_position(kata):
    """⟨R_m q, R_n k⟩ depends only on m − n (q and k the same vectors at every position)"""
    D, T = 8, 6
    q, k = _normal((D,), 71), _normal((D,), 72)
    fc = _table(D, T)
    xq, xk = q.expand(1, T, 1, D).clone(), k.expand(1, T, 1, D).clone()
    inputs = {"q": q, "k": k, "positions": f"0 … {T - 1}"}
    rq = _rope(kata, xq, fc, "apply_rope(q at every position)", inputs, _rope_hints(xq, fc))
    rk = _rope(kata, xk, fc, "apply_rope(k at every position)", inputs, _rope_hints(xk, fc))
    expect_tensor(rq, "apply_rope returns x's shape", inputs=inputs, shape=xq.shape)
    S = rq[0, :, 0].double() @ rk[0, :, 0].double().T           # (T, T): S[m, n] = ⟨R_m q, R_n k⟩
    expect_close(S[1:, 1:], S[:-1, :-1], "⟨R_m q, R_n k⟩ = ⟨R_{m+1} q, R_{n+1} k⟩ (only m − n matters)",
                 inputs=inputs, atol=1e-5, rtol=1e-5, hints=_rope_hints(xq, fc))
    expect(not near(S[0, 1], S[0, 0], 1e-3), "the score does change with m − n", inputs=inputs,
           expected="⟨R_0 q, R_1 k⟩ ≠ ⟨R_0 q, R_0 k⟩", got=float(S[0, 1]),
           hints=["the table must rotate each position by its own angle: row t of freqs_cis for position t."])


def test_apply_rope_float64(kata):
    """apply_rope on float64 x rotates in float64 (the complex64 table upcast), to 1e-12"""
    x = _normal((2, 4, 3, 8), 81, F64)
    fc = _table(8, 4)
    inputs = {"x": x, "freqs_cis": "precompute_freqs_cis(8, 4) (complex64)"}
    hints = _rope_hints(x, fc) + [Hint(
        "float64 x is rotated in float64: upcast the table to complex128 (or its cos/sin to float64) instead of "
        "casting x down to float32 (Meta's x.float()).", when=lambda g, w: near(g, w, 1e-5))]
    got = _rope(kata, x, fc, "apply_rope on float64", inputs, hints)
    want = _rope_oracle(x, fc)
    expect_tensor(got, "apply_rope(float64 x) is float64", inputs=inputs, shape=x.shape, dtype=F64, hints=hints)
    expect_close(got, want, "apply_rope in float64 equals the oracle to 1e-12", inputs=inputs, atol=1e-12,
                 rtol=1e-12, hints=hints)


# ================================================================================================ repeat_kv
def _repeat_hints(x, n):
    B, T, n_kv, D = x.shape
    return [
        Hint("x.repeat tiles the heads (0, 1, 0, 1, …: head h gets h % n_kv); query head h needs KV head h // n_rep "
             "(0, 0, 1, 1, …): torch.repeat_interleave(x, n_rep, dim=2).",
             when=lambda g, w: n_kv > 1 and n > 1 and near(g, x.repeat(1, 1, n, 1), 1e-6)),
        Hint("repeat along the head axis (dim 2), not along the positions.",
             when=lambda g, w: isinstance(g, torch.Tensor) and n > 1 and tuple(g.shape) in ((B, T * n, n_kv, D),
                                                                                        (B * n, T, n_kv, D))),
        Hint("the output has n_kv · n_rep heads: (B, T, n_kv · n_rep, D).",
             when=lambda g, w: isinstance(g, torch.Tensor) and tuple(g.shape) != tuple(w.shape)),
    ]


@pytest.mark.core("repeat_kv")
@settings(max_examples=5)
@given(B=st.integers(1, 2), T=st.integers(1, 4), n_kv=st.integers(1, 3), n=st.integers(1, 3), D=st.integers(1, 4),
       seed=seeds())
@example(B=1, T=2, n_kv=2, n=3, D=2, seed=0)
@example(B=2, T=3, n_kv=3, n=2, D=4, seed=1)
def test_repeat_kv_matches_repeat_interleave(kata, B, T, n_kv, n, D, seed):
    """repeat_kv(x, n_rep) = torch.repeat_interleave(x, n_rep, dim=2): output head h is input head h // n_rep"""
    x = _normal((B, T, n_kv, D), seed)
    inputs = {"x (B, T, n_kv, D)": x, "n_rep": n}
    hints = _repeat_hints(x, n)
    got = call(kata.repeat_kv, x, n, prop="repeat_kv(x, n_rep)", inputs=inputs, hints=hints)
    want = torch.repeat_interleave(x, n, dim=2)
    expect_close(got, want, "repeat_kv(x, n_rep)[:, :, h] = x[:, :, h // n_rep]", inputs=inputs, atol=0, rtol=0,
                 hints=hints)


def test_repeat_kv_heads_are_grouped(kata):
    """repeat_kv with heads numbered 0, 1, 2 and n_rep = 2 gives heads 0, 0, 1, 1, 2, 2 (side by side)"""
    x = torch.arange(3.0).reshape(1, 1, 3, 1).expand(2, 2, 3, 1).clone()
    inputs = {"x": "x[b, t, h, 0] = h for h = 0, 1, 2", "n_rep": 2}
    hints = _repeat_hints(x, 2)
    got = call(kata.repeat_kv, x, 2, prop="repeat_kv(x, 2)", inputs=inputs, hints=hints)
    expect_tensor(got, "repeat_kv(x, 2) has shape (B, T, 6, D)", inputs=inputs, shape=(2, 2, 6, 1), hints=hints,
                  hint_expected=torch.zeros(2, 2, 6, 1))
    expect_equal(got[0, 0, :, 0].tolist(), [0.0, 0.0, 1.0, 1.0, 2.0, 2.0], "the heads come out as 0, 0, 1, 1, 2, 2",
                 inputs=inputs, hints=hints)
    same = call(kata.repeat_kv, x, 1, prop="repeat_kv(x, 1)", inputs={**inputs, "n_rep": 1})
    expect_equal(same, x, "repeat_kv(x, 1) is x (or an equal copy)", inputs={**inputs, "n_rep": 1})


# ================================================================================================ gqa_attention
def _gqa_hints(q, k, v, mask):
    D = q.shape[-1]
    alts = {"tile": _sdpa(q, k, v, mask, tile=True), "scale": _sdpa(q, k, v, mask, scale=1.0 / D),
            "noscale": _sdpa(q, k, v, mask, scale=1.0), "queries": _attn_softmax_queries(q, k, v, mask)}
    if mask is not None:
        alts["nomask"] = _sdpa(q, k, v, None)
    r = q.shape[2] // k.shape[2]

    def like(key):
        return lambda g, w: key in alts and not near(w, alts[key], 1e-6) and near(g, alts[key], 1e-4)
    return [
        Hint("the KV heads are tiled (x.repeat: query head h reads KV head h % H_kv); GQA groups neighbouring "
             "query heads: head h reads KV head h // (H/H_kv) — repeat_kv / repeat_interleave along the head axis.",
             when=lambda g, w: r > 1 and like("tile")(g, w)),
        Hint("scale the scores by 1/√D (head_dim ** -0.5), not 1/D.", when=like("scale")),
        Hint("the scores are divided by √D: q·kᵀ / √D.", when=like("noscale")),
        Hint("softmax over the keys (the last axis, S), not over the queries: each query's weights sum to 1.",
             when=like("queries")),
        Hint("the mask was not used: add it to the scores before the softmax (scores + mask).", when=like("nomask")),
        Hint("xq is (B, T, H, D): transpose to (B, H, T, D) for the matmul and back at the end.",
             when=lambda g, w: isinstance(g, torch.Tensor) and tuple(g.shape) != tuple(w.shape)),
    ]


def _gqa_case(B, T, S, H, H_kv, D, seed, dtype=F32):
    return (_normal((B, T, H, D), seed, dtype), _normal((B, S, H_kv, D), seed + 1, dtype),
            _normal((B, S, H_kv, D), seed + 2, dtype))


def _gqa(kata, q, k, v, mask, prop, inputs, hints=()):
    return call(kata.gqa_attention, q, k, v, mask, prop=prop, inputs=inputs, hints=hints)


GQA_CASES = [  # (B, T, S, H, H_kv, mask kind)
    (2, 4, 4, 6, 2, "causal"), (1, 3, 3, 6, 3, "none"), (2, 5, 5, 6, 1, "causal"), (2, 4, 4, 6, 6, "random"),
    (1, 3, 7, 4, 2, "prefix"), (2, 2, 5, 4, 4, "batch"), (3, 1, 6, 4, 1, "none"),
]


def _mask_for(kind, B, T, S, seed):
    if kind == "none":
        return None
    if kind == "causal":
        return _causal(T)
    if kind == "prefix":
        return _causal(T, S - T)
    m = torch.where(torch.rand((B, 1, T, S) if kind == "batch" else (T, S), generator=gen(seed)) < 0.3,
                    float("-inf"), 0.0) + _normal((T, S), seed + 1)
    m[..., 0] = 0.0                      # at least one finite entry per row
    return m


@pytest.mark.core("gqa_attention")
@settings(max_examples=4)
@given(case=st.sampled_from(GQA_CASES), D=st.sampled_from([2, 4, 8]), seed=seeds())
@example(case=GQA_CASES[0], D=4, seed=0)
@example(case=GQA_CASES[3], D=8, seed=1)
@example(case=GQA_CASES[4], D=4, seed=2)
def test_gqa_attention_matches_sdpa(kata, case, D, seed):
    """gqa_attention equals F.scaled_dot_product_attention(..., enable_gqa=True) for H_kv ∈ {1, H/3, H/2, H}"""
    B, T, S, H, H_kv, kind = case
    q, k, v = _gqa_case(B, T, S, H, H_kv, D, seed)
    mask = _mask_for(kind, B, T, S, seed + 5)
    inputs = {"xq (B, T, H, D)": q, "xk (B, S, H_kv, D)": k, "xv": v, "mask": mask if mask is not None else None}
    hints = _gqa_hints(q, k, v, mask)
    prop = "gqa_attention(xq, xk, xv, mask) = softmax(q·kᵀ/√D + mask)·v, query head h reading KV head h // (H/H_kv)"
    got = _gqa(kata, q, k, v, mask, prop, inputs, hints)
    want = _sdpa(q, k, v, mask)
    expect_tensor(got, "gqa_attention returns (B, T, H, D) in xq's dtype", inputs=inputs, shape=q.shape, dtype=F32,
                  hints=hints, hint_expected=want)
    expect_close(got, want, prop, inputs=inputs, atol=_atol(want, 10), rtol=1e-4, hints=hints)


def test_gqa_attention_rejects_ungroupable_heads(kata):
    """gqa_attention raises ValueError when H is not a multiple of H_kv"""
    for H, H_kv in ((6, 4), (5, 2), (3, 2)):
        q, k, v = _gqa_case(1, 2, 2, H, H_kv, 4, 3)
        with expect_raises(ValueError, "gqa_attention with H not a multiple of H_kv raises ValueError",
                           inputs={"H": H, "H_kv": H_kv},
                           hints=["check `if H % H_kv: raise ValueError(...)` before grouping the heads."]):
            kata.gqa_attention(q, k, v)


def test_gqa_attention_equals_mha_on_repeated_kv(kata):
    """gqa_attention(xq, xk, xv) = gqa_attention(xq, repeat_kv(xk, r), repeat_kv(xv, r)), and H_kv = H is MHA"""
    q, k, v = _gqa_case(2, 4, 4, 6, 2, 4, 91)
    mask = _causal(4)
    inputs = {"xq": q, "xk": k, "xv": v, "mask": mask}
    hints = _gqa_hints(q, k, v, mask)
    a = _gqa(kata, q, k, v, mask, "gqa_attention(xq, xk, xv, mask)", inputs, hints)
    kk = call(kata.repeat_kv, k, 3, prop="repeat_kv(xk, 3)", inputs=inputs)
    vv = call(kata.repeat_kv, v, 3, prop="repeat_kv(xv, 3)", inputs=inputs)
    b = _gqa(kata, q, kk, vv, mask, "gqa_attention(xq, repeat_kv(xk, 3), repeat_kv(xv, 3), mask)", inputs, hints)
    expect_close(a, b, "grouped attention = multi-head attention on the repeated keys and values", inputs=inputs,
                 atol=1e-5, rtol=1e-5, hints=hints)
    expect_close(b, _sdpa(q, torch.repeat_interleave(k, 3, 2), torch.repeat_interleave(v, 3, 2), mask),
                 "H_kv = H is ordinary multi-head attention", inputs=inputs, atol=1e-5, rtol=1e-4, hints=hints)


def test_gqa_attention_is_causal_and_convex(kata):
    """with the causal mask, keys/values after a query do not affect it; each output is a mix of the value rows"""
    q, k, v = _gqa_case(2, 6, 6, 4, 2, 4, 101)
    mask = _causal(6)
    inputs = {"xq": q, "xk": k, "xv": v, "mask": "causal_mask(6)"}
    hints = _gqa_hints(q, k, v, mask)
    base = _gqa(kata, q, k, v, mask, "gqa_attention(xq, xk, xv, causal mask)", inputs, hints)
    expect_tensor(base, "gqa_attention returns (B, T, H, D)", inputs=inputs, shape=q.shape, hints=hints)
    k2, v2 = k.clone(), v.clone()
    k2[:, 3:] = _normal((2, 3, 2, 4), 105) * 5
    v2[:, 3:] = _normal((2, 3, 2, 4), 106) * 5
    moved = _gqa(kata, q, k2, v2, mask, "gqa_attention with keys/values at positions ≥ 3 changed", inputs, hints)
    expect_close(moved[:, :3], base[:, :3], "queries 0 … 2 do not see keys or values at positions 3 … 5 (causal)",
                 inputs=inputs, atol=1e-6, rtol=1e-6,
                 hints=hints + ["add the mask to the scores before the softmax: exp(−inf) = 0 removes those keys."])
    vr = torch.repeat_interleave(v, 2, dim=2).double()              # (B, S, H, D): the values each head reads
    lo = torch.stack([vr[:, :t + 1].min(1).values for t in range(6)], 1)
    hi = torch.stack([vr[:, :t + 1].max(1).values for t in range(6)], 1)
    g = base.double()
    ok = bool(((g >= lo - 1e-5) & (g <= hi + 1e-5)).all())
    expect(ok, "each output is a convex combination of the value rows it may see (weights ≥ 0 summing to 1)",
           inputs=inputs, expected="outputs between the smallest and largest visible values", got=base, hints=hints)


def test_gqa_attention_float64(kata):
    """gqa_attention keeps float64 (to 1e-10)"""
    q, k, v = _gqa_case(2, 5, 5, 6, 2, 4, 111, F64)
    mask = _causal(5, dtype=F64)
    inputs = {"xq": q, "xk": k, "xv": v, "mask": "causal_mask(5, dtype=torch.float64)"}
    hints = _gqa_hints(q, k, v, mask) + [Hint(
        "float64 is computed in float64: upcast only below float32 for the softmax "
        "(scores.to(torch.promote_types(scores.dtype, torch.float32))), never down to float32.",
        when=lambda g, w: near(g, w, 1e-5))]
    got = _gqa(kata, q, k, v, mask, "gqa_attention in float64", inputs, hints)
    want = _sdpa(q, k, v, mask)
    expect_tensor(got, "gqa_attention(float64) is float64", inputs=inputs, shape=q.shape, dtype=F64, hints=hints)
    expect_close(got, want, "gqa_attention in float64 equals the oracle to 1e-10", inputs=inputs, atol=1e-10,
                 rtol=1e-10, hints=hints)


# ================================================================================================ Attention
ATT_CASES = [  # (dim, n_heads, n_kv_heads or None, B, T)
    (16, 4, 2, 2, 5), (24, 6, 3, 1, 4), (16, 4, None, 2, 3), (12, 3, 1, 3, 4), (32, 4, 2, 1, 7),
]


def _attention_setup(kata, dim, n_heads, n_kv, seed, dtype=None, **kw):
    net = _build(kata, "Attention", dim, n_heads, n_kv, **kw)
    if dtype is not None:
        net = net.to(dtype)
    kv = n_heads if n_kv is None else n_kv
    W = _attention_weights(dim, n_heads, kv, seed)
    inputs = {"layer": f"Attention({dim}, {n_heads}, {n_kv})"}
    load_weights(kata, net, W, "Attention's state_dict is exactly wq.weight, wk.weight, wv.weight, wo.weight",
                 inputs=inputs, hints=["the KV cache must not be in state_dict(): register_buffer(..., "
                                       "persistent=False) or a plain tensor attribute."])
    return net, W, kv, inputs


ROPE_V_HINT = "RoPE turns the queries and keys only: the values are not rotated."
NO_ROPE_K_HINT = "apply RoPE to the keys too (before they go into the cache)."


def _attention_hints(W, x, n_heads, kv, fc, mask):
    alts = {"rope_v": _attention_oracle(W, x, n_heads, kv, fc, mask, rope_v=True),
            "no_rope_k": _attention_oracle(W, x, n_heads, kv, fc, mask, no_rope_k=True),
            "halves": _attention_oracle(W, x, n_heads, kv, fc, mask, halves=True)}
    if kv not in (1, n_heads):
        alts["tile"] = _attention_oracle(W, x, n_heads, kv, fc, mask, tile=True)

    def like(key):
        return lambda g, w: key in alts and near(g, alts[key], 1e-4)
    return [Hint(ROPE_V_HINT, when=like("rope_v")), Hint(NO_ROPE_K_HINT, when=like("no_rope_k")),
            Hint("this is Llama 2's attention with RoPE on the halves (i, i + D/2): your apply_rope pairs the wrong "
                 "features (its own tests show how to fix it).", when=like("halves")),
            Hint("this is Llama 2's attention with the KV heads tiled (query head h reading KV head h % H_kv): fix "
                 "repeat_kv / gqa_attention first (their own tests show how).", when=like("tile")),
            Hint("the projections are (B, T, H·hd): view them as (B, T, H, hd) (Meta's layout) before RoPE and the "
                 "attention, and merge the heads back with .reshape(B, T, H·hd) before wo.",
                 when=lambda g, w: isinstance(g, str) and ("shape" in g or "size" in g))]


@pytest.mark.core("Attention")
def test_attention_full_forward_matches_oracle(kata):
    """Attention(dim, n_heads, n_kv)(x, 0, freqs_cis, causal_mask(T)) equals Llama 2's attention (no cache) in float64"""
    for k, (dim, n_heads, n_kv, B, T) in enumerate(ATT_CASES):
        net, W, kv, inputs = _attention_setup(kata, dim, n_heads, n_kv, 200 + 10 * k)
        hd = dim // n_heads
        x = _normal((B, T, dim), 300 + k)
        fc = _table(hd, T)
        mask = _causal(T)
        inputs = {**inputs, "x": x, "start_pos": 0, "freqs_cis": f"precompute_freqs_cis({hd}, {T})",
                  "mask": "causal_mask(T)"}
        hints = _attention_hints(W, x, n_heads, kv, fc, mask)
        prop = "Attention(x, 0, freqs_cis, causal_mask(T)) = wo(gqa_attention(rope(wq x), rope(wk x), wv x, mask))"
        got = _run(kata, net, [(x, 0, fc, mask)], prop, inputs, hints)[0]
        want = _attention_oracle(W, x, n_heads, kv, fc, mask)
        expect_tensor(got, "Attention returns (B, T, dim)", inputs=inputs, shape=(B, T, dim), dtype=F32, hints=hints)
        expect_close(got, want, prop, inputs=inputs, atol=_atol(want, 10), rtol=1e-4, hints=hints)


def test_attention_weights_and_cache_layout(kata):
    """Attention has four bias-free projections wq (H·hd, dim), wk, wv (H_kv·hd, dim), wo (dim, H·hd); no cache in state_dict"""
    for dim, n_heads, n_kv in ((16, 4, 2), (24, 6, None)):
        net = _build(kata, "Attention", dim, n_heads, n_kv)
        kv = n_heads if n_kv is None else n_kv
        hd = dim // n_heads
        inputs = {"layer": f"Attention({dim}, {n_heads}, {n_kv})"}
        got = run_beside(kata, netprobes.state_keys, net)
        want = [("wq.weight", (n_heads * hd, dim)), ("wk.weight", (kv * hd, dim)), ("wv.weight", (kv * hd, dim)),
                ("wo.weight", (dim, n_heads * hd))]
        expect(sorted(got) == sorted(want), "Attention's state_dict is exactly the four projection weights",
               inputs=inputs, expected=want, got=got,
               hints=[Hint("the projections have no bias: nn.Linear(..., bias=False).",
                           when=lambda g, w: any(k.endswith("bias") for k, _ in g)),
                      Hint("the KV cache is not a weight: register_buffer(..., persistent=False) or a plain "
                           "attribute keeps it out of state_dict().",
                           when=lambda g, w: any("cache" in k or len(s) == 4 for k, s in g)),
                      Hint("n_kv_heads=None means n_heads; wk and wv map dim → n_kv_heads·head_dim.",
                           when=lambda g, w: sorted(k for k, _ in g) == sorted(k for k, _ in w))])


def _incremental_hints(W, x, n_heads, kv, table, chunks, learner_full=None, full=None):
    """Hints for decoding with the cache: each chunk attending only to itself (the cache written but not read), or
    positions after the first chunk wrong although the learner's full pass is right (the cache indexed wrongly)."""
    own, t0 = [], 0
    for n in chunks:
        own.append(_attention_oracle(W, x[:, t0:t0 + n], n_heads, kv, table[t0:t0 + n], _causal(n)))
        t0 += n
    own = torch.cat(own, 1)
    full_ok = learner_full is None or (full is not None and near(learner_full, full, 1e-4))
    return [Hint("only the current chunk is attended to: the cache is written but not read. Attend over "
                 "self.cache_k[:B, :start_pos + T] and self.cache_v[:B, :start_pos + T] (all cached positions).",
                 when=lambda g, w: near(g, own, 1e-4)),
            Hint("your full pass is right but decoding is not: write k and v at positions [start_pos, "
                 "start_pos + T) of the cache (not at 0) and attend over [0, start_pos + T).",
                 when=lambda g, w: full_ok and learner_full is not None and isinstance(g, torch.Tensor)
                 and not near(g, own, 1e-4)),
            Hint("your full forward pass (start_pos 0, causal mask) already differs from the oracle: fix that "
                 "first (the test of the full forward pass shows how).", when=lambda g, w: not full_ok)]


def test_attention_incremental_decoding_equals_full_forward(kata):
    """decoding token by token (T = 1, start_pos = t, mask None) gives the full forward pass, token for token"""
    for k, (dim, n_heads, n_kv, B, T) in enumerate(ATT_CASES[:3]):
        net, W, kv, inputs = _attention_setup(kata, dim, n_heads, n_kv, 400 + 10 * k)
        hd = dim // n_heads
        x = _normal((B, T, dim), 500 + k)
        table = _table(hd, T)
        inputs = {**inputs, "x": x, "steps": f"t = 0 … {T - 1}: forward(x[:, t:t+1], t, freqs_cis[t:t+1], None)"}
        outs = _run(kata, net, [(x, 0, table, _causal(T))] + [(x[:, t:t + 1], t, table[t:t + 1], None)
                                                                for t in range(T)],
                    "Attention decoding one token at a time", inputs)
        full = _attention_oracle(W, x, n_heads, kv, table, _causal(T))
        bad = [o for o in outs if not isinstance(o, torch.Tensor)]
        expect(not bad, "each forward call returns a tensor", inputs=inputs, expected="tensors", got=bad[:1])
        got = torch.cat(outs[1:], 1)
        expect_close(got, full, "incremental decoding with the KV cache = the full causal forward pass",
                     inputs=inputs, atol=_atol(full, 10), rtol=1e-4,
                     hints=_incremental_hints(W, x, n_heads, kv, table, [1] * T, outs[0], full))


def test_attention_chunked_prefill(kata):
    """3 tokens, then 4 more with causal_mask(4, 3), equal the full forward pass over the 7 tokens"""
    dim, n_heads, n_kv, B, T = 16, 4, 2, 2, 7
    net, W, kv, inputs = _attention_setup(kata, dim, n_heads, n_kv, 600)
    x = _normal((B, T, dim), 601)
    table = _table(4, T)
    inputs = {**inputs, "x": x, "calls": "forward(x[:, :3], 0, freqs_cis[:3], causal_mask(3)), then "
                                        "forward(x[:, 3:], 3, freqs_cis[3:7], causal_mask(4, 3))"}
    outs = _run(kata, net, [(x, 0, table, _causal(T)), (x[:, :3], 0, table[:3], _causal(3)),
                            (x[:, 3:], 3, table[3:], _causal(4, 3))], "Attention with a chunked prefill", inputs)
    full = _attention_oracle(W, x, n_heads, kv, table, _causal(T))
    got = torch.cat(outs[1:], 1) if all(isinstance(o, torch.Tensor) for o in outs) else outs
    expect_close(got, full, "a prefill in two chunks = the full forward pass", inputs=inputs, atol=_atol(full, 10),
                 rtol=1e-4, hints=_incremental_hints(W, x, n_heads, kv, table, [3, 4], outs[0], full))


def test_attention_start_pos_zero_starts_a_new_sequence(kata):
    """after one sequence, a call with start_pos = 0 starts a new one"""
    dim, n_heads, n_kv = 16, 4, 2
    net, W, kv, inputs = _attention_setup(kata, dim, n_heads, n_kv, 700)
    a, b = _normal((2, 6, dim), 701), _normal((2, 4, dim), 702)
    table = _table(4, 6)
    inputs = {**inputs, "calls": "sequence A (B = 2, T = 6) token by token, then sequence B (B = 2, T = 4) from "
                                "start_pos = 0, in full and token by token"}
    hint = Hint("start_pos = 0 starts a new sequence: write the cache at [start_pos, start_pos + T) and read "
                "[0, start_pos + T) — never append to what an earlier sequence left.")
    steps = [(a[:, t:t + 1], t, table[t:t + 1], None) for t in range(6)]
    steps += [(b, 0, table[:4], _causal(4))] + [(b[:, t:t + 1], t, table[t:t + 1], None) for t in range(4)]
    outs = _run(kata, net, steps, "Attention on two sequences", inputs, [hint])
    want = _attention_oracle(W, b, n_heads, kv, table[:4], _causal(4))
    expect_close(outs[6], want, "sequence B's full pass ignores sequence A", inputs=inputs, atol=_atol(want, 10),
                 rtol=1e-4, hints=[hint])
    expect_close(torch.cat(outs[7:], 1), want, "sequence B decoded token by token ignores sequence A",
                 inputs=inputs, atol=_atol(want, 10), rtol=1e-4, hints=[hint])


def test_attention_float64(kata):
    """after .to(torch.float64) the layer (its cache included) runs in float64, to 1e-10"""
    dim, n_heads, n_kv, B, T = 16, 4, 2, 2, 5
    net, W, kv, inputs = _attention_setup(kata, dim, n_heads, n_kv, 800, dtype=F64)
    x = _normal((B, T, dim), 801, F64)
    table = _table(4, T)
    inputs = {**inputs, "dtype": "module.to(torch.float64), x float64", "x": x}
    hints = [Hint("the cache must follow the module's dtype: a non-persistent buffer moves with .to(), or convert "
                  "it in forward (self.cache_k = self.cache_k.to(xk)).",
                  when=lambda g, w: isinstance(g, str) and ("dtype" in g or "Double" in g or "Float" in g)),
             Hint("float64 is computed in float64: upcast only below float32 (RoPE and the softmax), never down.",
                  when=lambda g, w: near(g, w, 1e-5))]
    outs = _run(kata, net, [(x, 0, table, _causal(T, dtype=F64))] + [(x[:, t:t + 1], t, table[t:t + 1], None)
                                                                   for t in range(T)],
                "Attention in float64", inputs, hints)
    want = _attention_oracle(W, x, n_heads, kv, table, _causal(T))
    expect_tensor(outs[0], "the float64 layer returns float64", inputs=inputs, shape=(B, T, dim), dtype=F64,
                  hints=hints)
    expect_close(outs[0], want, "Attention in float64 equals the oracle to 1e-10", inputs=inputs, atol=1e-10,
                 rtol=1e-10, hints=hints)
    expect_close(torch.cat(outs[1:], 1), want, "incremental decoding in float64 equals the oracle to 1e-10",
                 inputs=inputs, atol=1e-10, rtol=1e-10, hints=hints)


def test_attention_on_meta(kata):
    """an Attention built on the meta device runs on meta inputs (nothing is allocated on the CPU)"""
    inputs = {"layer": "Attention(16, 4, 2) built under `with torch.device('meta')`", "x": "(2, 3, 16) on meta"}
    got = call(run_beside, kata, ship.meta_forward, kata.Attention, (16, 4, 2), {}, (2, 3, 16), 4,
               prop="Attention on meta", inputs=inputs,
               hints=["create the cache with torch.zeros(...) without device= (the default device), or as a "
                      "buffer: it then follows the module."])
    expect(got == ((2, 3, 16), "meta", "float32"), "Attention on meta returns a (B, T, dim) meta tensor",
           inputs=inputs, expected=((2, 3, 16), "meta", "float32"), got=got)


# ================================================================================================ TransformerBlock
BLOCK_CASES = [  # (dim, n_heads, n_kv, multiple_of, ffn_dim_multiplier, norm_eps, B, T)
    (16, 4, 2, 16, None, 1e-5, 2, 5), (24, 6, 3, 32, 1.5, 1e-2, 1, 4), (16, 4, None, 8, None, 1e-5, 2, 3),
]


def _block_setup(kata, case, seed):
    dim, n_heads, n_kv, mo, mult, eps = case[:6]
    net = _build(kata, "TransformerBlock", dim, n_heads, n_kv, mo, mult, eps)
    kv = n_heads if n_kv is None else n_kv
    hidden = _ffn_oracle(dim, mo, mult)
    W = _block_weights(dim, n_heads, kv, hidden, seed)
    inputs = {"block": f"TransformerBlock({dim}, {n_heads}, {n_kv}, multiple_of={mo}, ffn_dim_multiplier={mult}, "
                       f"norm_eps={eps})"}
    load_weights(kata, net, W, "TransformerBlock's state_dict has Meta's nine keys (attention.wq.weight, …, "
                 "feed_forward.w1.weight, …, attention_norm.weight, ffn_norm.weight)", inputs=inputs)
    return net, W, kv, inputs


def _block_hints(W, x, n_heads, kv, fc, mask, eps):
    alts = {v: _block_oracle(W, x, n_heads, kv, fc, mask, eps, variant=v)
            for v in ("post_norm", "ffn_norm_x", "no_attention_residual", "no_ffn_residual")}
    alts["eps"] = _block_oracle(W, x, n_heads, kv, fc, mask, 1e-5 if eps != 1e-5 else 1e-6)

    def like(key):
        return lambda g, w: near(g, alts[key], 1e-4)
    return [
        Hint("Llama 2 is pre-norm: normalise the input of each sub-layer, not the sum — h = x + "
             "attention(attention_norm(x), …), out = h + feed_forward(ffn_norm(h)).", when=like("post_norm")),
        Hint("the feed-forward reads ffn_norm(h), the normalised output of the attention's residual, not "
             "ffn_norm(x).", when=like("ffn_norm_x")),
        Hint("a residual connection is missing: h = x + attention(...) and out = h + feed_forward(...).",
             when=lambda g, w: like("no_attention_residual")(g, w) or like("no_ffn_residual")(g, w)),
        Hint("pass norm_eps on to both RMSNorm layers (RMSNorm(dim, eps=norm_eps)).", when=like("eps")),
        "the block only combines your RMSNorm, Attention and FeedForward: when one of their tests fails too, fix "
        "that part first.",
    ]


@pytest.mark.core("TransformerBlock")
def test_block_matches_oracle(kata):
    """TransformerBlock(x, 0, freqs_cis, causal_mask(T)) = h + FFN(RMSNorm(h)), h = x + Attention(RMSNorm(x))"""
    for k, case in enumerate(BLOCK_CASES):
        dim, n_heads, _, _, _, eps, B, T = case
        net, W, kv, inputs = _block_setup(kata, case, 900 + 30 * k)
        hd = dim // n_heads
        x = _normal((B, T, dim), 1000 + k)
        fc, mask = _table(hd, T), _causal(T)
        inputs = {**inputs, "x": x, "start_pos": 0, "mask": "causal_mask(T)", "norm weights": "random (loaded)"}
        hints = _block_hints(W, x, n_heads, kv, fc, mask, eps)
        prop = "TransformerBlock = pre-norm attention and feed-forward with residuals (Meta's forward)"
        got = _run(kata, net, [(x, 0, fc, mask)], prop, inputs, hints)[0]
        want = _block_oracle(W, x, n_heads, kv, fc, mask, eps)
        expect_tensor(got, "TransformerBlock returns (B, T, dim)", inputs=inputs, shape=(B, T, dim), dtype=F32,
                      hints=hints)
        expect_close(got, want, prop, inputs=inputs, atol=_atol(want, 10), rtol=1e-4, hints=hints)


def test_block_state_dict_keys(kata):
    """TransformerBlock's state_dict has exactly Meta's nine keys with the right shapes"""
    dim, n_heads, n_kv, mo, mult = 24, 6, 3, 32, 1.5
    net = _build(kata, "TransformerBlock", dim, n_heads, n_kv, mo, mult)
    hidden = _ffn_oracle(dim, mo, mult)
    inputs = {"block": f"TransformerBlock({dim}, {n_heads}, {n_kv}, {mo}, {mult})"}
    got = run_beside(kata, netprobes.state_keys, net)
    hd = dim // n_heads
    want = [("attention.wq.weight", (dim, dim)), ("attention.wk.weight", (n_kv * hd, dim)),
            ("attention.wv.weight", (n_kv * hd, dim)), ("attention.wo.weight", (dim, dim)),
            ("feed_forward.w1.weight", (hidden, dim)), ("feed_forward.w2.weight", (dim, hidden)),
            ("feed_forward.w3.weight", (hidden, dim)), ("attention_norm.weight", (dim,)), ("ffn_norm.weight", (dim,))]
    expect(sorted(got) == sorted(want), "the nine state_dict keys of Meta's TransformerBlock", inputs=inputs,
           expected=want, got=got,
           hints=[Hint("use Meta's names for the children: attention, feed_forward, attention_norm, ffn_norm.",
                       when=lambda g, w: sorted(k for k, _ in g) != sorted(k for k, _ in w)),
                  Hint("pass multiple_of and ffn_dim_multiplier on to FeedForward.",
                       when=lambda g, w: sorted(k for k, _ in g) == sorted(k for k, _ in w))])


def test_block_incremental_decoding_equals_full_forward(kata):
    """decoding through the block token by token equals its full forward pass"""
    case = BLOCK_CASES[1]
    dim, n_heads, _, _, _, eps, B, T = case
    net, W, kv, inputs = _block_setup(kata, case, 1100)
    x = _normal((B, T, dim), 1101)
    table = _table(dim // n_heads, T)
    inputs = {**inputs, "x": x, "steps": f"t = 0 … {T - 1}: forward(x[:, t:t+1], t, freqs_cis[t:t+1], None)"}
    outs = _run(kata, net, [(x[:, t:t + 1], t, table[t:t + 1], None) for t in range(T)],
                "TransformerBlock decoding one token at a time", inputs)
    want = _block_oracle(W, x, n_heads, kv, table, _causal(T), eps)
    got = torch.cat(outs, 1) if all(isinstance(o, torch.Tensor) for o in outs) else outs
    expect_close(got, want, "incremental decoding through the block = the full forward pass", inputs=inputs,
                 atol=_atol(want, 10), rtol=1e-4,
                 hints=["pass start_pos, freqs_cis and mask on to self.attention unchanged."])


# ================================================================================================ conventions, explicitly
def test_pure_functions_leave_their_inputs_unchanged(kata):
    """rms_norm, swiglu, apply_rope, repeat_kv and gqa_attention leave the tensors they are given unchanged"""
    x = _normal((2, 3, 8), 1201, mean=0.5)
    w = _normal((8,), 1202, scale=0.5, mean=1.0)
    xs, w1, w2, w3 = _swiglu_case([2, 3], 8, 12, 1203)
    xr = _normal((2, 4, 3, 8), 1207)
    fc = _table(8, 4)
    q, k, v = _gqa_case(2, 4, 4, 6, 2, 4, 1208)
    mask = _causal(4)
    cases = [("rms_norm", (x, w, 1e-5), ("x", "weight")), ("swiglu", (xs, w1, w2, w3), ("x", "w1", "w2", "w3")),
             ("apply_rope", (xr, fc), ("x", "freqs_cis")), ("repeat_kv", (k, 3), ("x",)),
             ("gqa_attention", (q, k, v, mask), ("xq", "xk", "xv", "mask"))]
    for name, args, names in cases:
        before = [a.clone() for a in args if isinstance(a, torch.Tensor)]
        call(getattr(kata, name), *args, prop=f"{name}(...)", inputs=dict(zip(names, args)))
        for label, now, was in zip(names, [a for a in args if isinstance(a, torch.Tensor)], before):
            expect(now.shape == was.shape and bool(torch.equal(now, was)), f"{name} leaves {label} unchanged",
                   inputs={label: was}, expected=f"{label} as it was", got=now,
                   hints=["compute new tensors (x * r, x.to(...), x.reshape(...)); an in-place operation (*=, "
                          "mul_, a slice assignment) on an input or on a view of it changes the caller's tensor."])


_META_HINT = Hint("make every new tensor on the input's device (torch.zeros(..., device=x.device), x.new_zeros, "
                  "torch.zeros_like(x)) and cast tables with .to(x.device) — a bare torch.zeros/torch.tensor/torch.arange "
                  "lands on the CPU; .item(), float() or .tolist() cannot read a meta tensor (it has no data).",
                  when=lambda g, w: g != w)


def test_pure_functions_meta_in_meta_out(kata):
    """on meta tensors (the graders' stand-in for a GPU) rms_norm, apply_rope, repeat_kv, gqa_attention stay on meta"""
    cases = [
        ("rms_norm", [("tensor", (2, 3, 8), "float32"), ("tensor", (8,), "float32"), ("value", 1e-5)], (2, 3, 8),
         "float32"),
        ("rms_norm", [("tensor", (4, 6), "float64"), ("tensor", (6,), "float64"), ("value", 1e-5)], (4, 6),
         "float64"),
        ("apply_rope", [("tensor", (2, 5, 3, 8), "float32"), ("tensor", (5, 4), "complex64")], (2, 5, 3, 8),
         "float32"),
        ("repeat_kv", [("tensor", (2, 5, 2, 4), "float32"), ("value", 3)], (2, 5, 6, 4), "float32"),
        ("gqa_attention", [("tensor", (2, 4, 6, 4), "float32"), ("tensor", (2, 7, 2, 4), "float32"),
                           ("tensor", (2, 7, 2, 4), "float32"), ("tensor", (4, 7), "float32")], (2, 4, 6, 4),
         "float32"),
    ]
    for name, specs, shape, dtype in cases:
        inputs = {"call": f"{name}(" + ", ".join(f"a meta tensor {tuple(s[1])} {s[2]}" if s[0] == "tensor"
                                                 else repr(s[1]) for s in specs) + ")"}
        got = run_beside(kata, ship.call_on_meta, getattr(kata, name), specs)
        want = (shape, dtype, "meta")
        if isinstance(got, str) and got.startswith(("NotImplementedError", "RuntimeError")) and (
                "Cannot copy out of meta tensor" in got or "cannot be called on meta tensors" in got):
            continue   # needs the data on the host: not a device bug (the contract's Clarification 2), no verdict
        expect(got == want, f"{name} on meta tensors returns a {dtype} meta tensor of shape {shape}", inputs=inputs,
               expected=want, got=got, detail="(shape, dtype, device) of the result", hints=[_META_HINT])
