"""Recorded buggy variants of ch6/pooling.py: each must be rejected by at least one grader.

Each entry replaces pool2d of the reference solution. Most are the reference with one line changed (``_variant``
below makes the change explicit and fails loudly if the line it replaces is not there). "feedback" must appear in
the failure output.
"""
_REFERENCE = '''
    def pool2d(X, pool_size, mode="max", padding=0, stride=None):
        if mode not in ("max", "avg"):
            raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
        ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)
        pad_h, pad_w = (padding, padding) if isinstance(padding, int) else tuple(padding)
        if stride is None:
            sh, sw = ph, pw
        else:
            sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
        h, w = X.shape[-2:]
        oh = (h + 2 * pad_h - ph) // sh + 1
        ow = (w + 2 * pad_w - pw) // sw + 1
        fill = float("-inf") if mode == "max" else 0.0
        Xp = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=fill)
        cells = [Xp[..., a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]
                 for a in range(ph) for b in range(pw)]
        stacked = torch.stack(cells)
        return stacked.amax(dim=0) if mode == "max" else stacked.mean(dim=0)
'''


def _variant(*changes):
    src = _REFERENCE
    for old, new in changes:
        if old not in src:
            raise ValueError(f"variant: {old!r} is not in the reference")
        src = src.replace(old, new)
    return src


MUTANTS = {
    "stride_defaults_to_1": {
        "why": "the book's §6.5.1 loop: stride 1 when none is given",
        "feedback": "stride=None means stride = pool_size",
        "source": _variant(("sh, sw = ph, pw", "sh, sw = 1, 1")),
    },
    "max_pads_with_zeros": {
        "why": "F.pad's default value 0 for max pooling too: a padded 0 beats negative borders",
        "feedback": "pad with −inf",
        "source": _variant(('fill = float("-inf") if mode == "max" else 0.0', "fill = 0.0")),
    },
    "avg_excludes_padding": {
        "why": "divides border windows by the number of real cells (count_include_pad=False)",
        "feedback": "divides every window by ph·pw",
        "source": _variant(("return stacked.amax(dim=0) if mode == \"max\" else stacked.mean(dim=0)",
                            "if mode == 'max':\n"
                            "            return stacked.amax(dim=0)\n"
                            "        ones = F.pad(torch.ones_like(X), (pad_w, pad_w, pad_h, pad_h))\n"
                            "        count = torch.stack([ones[..., a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]\n"
                            "                             for a in range(ph) for b in range(pw)]).sum(dim=0)\n"
                            "        return stacked.sum(dim=0) / count")),
    },
    "ceil_mode": {
        "why": "rounds the output size up and keeps the partial windows at the edge",
        "feedback": "rounded down",
        "source": '''
            def pool2d(X, pool_size, mode="max", padding=0, stride=None):
                if mode not in ("max", "avg"):
                    raise ValueError("mode")
                ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)
                pad_h, pad_w = (padding, padding) if isinstance(padding, int) else tuple(padding)
                sh, sw = (ph, pw) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
                h, w = X.shape[-2:]
                oh = math.ceil((h + 2 * pad_h - ph) / sh) + 1
                ow = math.ceil((w + 2 * pad_w - pw) / sw) + 1
                fill = float("-inf") if mode == "max" else 0.0
                Xp = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=fill)
                Y = X.new_zeros(X.shape[:-2] + (oh, ow))
                for i in range(oh):
                    for j in range(ow):
                        win = Xp[..., i * sh:i * sh + ph, j * sw:j * sw + pw]
                        Y[..., i, j] = win.amax(dim=(-2, -1)) if mode == "max" else win.mean(dim=(-2, -1))
                return Y

            import math
        ''',
    },
    "padding_on_one_side": {
        "why": "pads p rows/columns on one side only (n + p instead of n + 2p)",
        "feedback": "the padded size is h + 2p",
        "source": _variant(("oh = (h + 2 * pad_h - ph) // sh + 1", "oh = (h + pad_h - ph) // sh + 1"),
                           ("ow = (w + 2 * pad_w - pw) // sw + 1", "ow = (w + pad_w - pw) // sw + 1"),
                           ("(pad_w, pad_w, pad_h, pad_h), value=fill", "(0, pad_w, 0, pad_h), value=fill")),
    },
    "all_padding_on_one_side": {
        "why": "F.pad(X, (0, 2p_w, 0, 2p_h)): the right size, every window shifted",
        "feedback": "your windows are shifted",
        "source": _variant(("(pad_w, pad_w, pad_h, pad_h), value=fill", "(0, 2 * pad_w, 0, 2 * pad_h), value=fill")),
    },
    "f_pad_pairs_swapped": {
        "why": "F.pad(X, (p_h, p_h, p_w, p_w)): F.pad starts with the last dimension",
        "feedback": "F.pad's pad tuple starts with the last dimension",
        "source": _variant(("oh = (h + 2 * pad_h - ph) // sh + 1", "oh = (h + 2 * pad_w - ph) // sh + 1"),
                           ("ow = (w + 2 * pad_w - pw) // sw + 1", "ow = (w + 2 * pad_h - pw) // sw + 1"),
                           ("(pad_w, pad_w, pad_h, pad_h), value=fill", "(pad_h, pad_h, pad_w, pad_w), value=fill")),
    },
    "window_pair_swapped": {
        "why": "pw, ph = pool_size: the window's height and width swapped",
        "feedback": "pool_size = (ph, pw) is (height, width)",
        "source": _variant(("ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)",
                            "pw, ph = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)")),
    },
    "book_loop_first_two_dims": {
        "why": "the book's loop over X.shape[0], X.shape[1] (fine for 2-D X only), with padding and stride added",
        "feedback": "pool over the last two dims",
        "source": '''
            def pool2d(X, pool_size, mode="max", padding=0, stride=None):
                if mode not in ("max", "avg"):
                    raise ValueError("mode")
                p_h, p_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
                pad_h, pad_w = (padding, padding) if isinstance(padding, int) else padding
                s_h, s_w = (p_h, p_w) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
                fill = float("-inf") if mode == "max" else 0.0
                X = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=fill)
                Y = X.new_zeros(((X.shape[0] - p_h) // s_h + 1, (X.shape[1] - p_w) // s_w + 1))
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        win = X[i * s_h: i * s_h + p_h, j * s_w: j * s_w + p_w]
                        Y[i, j] = win.max() if mode == "max" else win.mean()
                return Y
        ''',
    },
    "returns_view_for_1x1": {
        "why": "a shortcut for 1×1 windows that returns a strided view of X (aliases the input)",
        "feedback": "Return a copy",
        "source": _variant(("        fill = float(", "        if ph == pw == 1 and pad_h == pad_w == 0:\n"
                                                    "            return X[..., ::sh, ::sw]\n"
                                                    "        fill = float(")),
    },
    "no_mode_check": {
        "why": "if/else: every mode that is not 'max' silently averages",
        "feedback": "raise ValueError",
        "source": _variant(('''        if mode not in ("max", "avg"):
            raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
''', "")),
    },
    "avg_divides_input_in_place": {
        "why": "X /= ph * pw before summing: the caller's X is changed",
        "feedback": "leaves X unchanged",
        "source": _variant(("        fill = float(", "        if mode == 'avg':\n"
                                                    "            X /= ph * pw\n"
                                                    "        fill = float("),
                           ("else stacked.mean(dim=0)", "else stacked.sum(dim=0)")),
    },
    "cpu_float32_output": {
        "why": "Y = torch.zeros(...) then filled: float32 on the CPU whatever X is",
        "feedback": "allocate with X's dtype and device",
        "source": _variant(("return stacked.amax(dim=0) if mode == \"max\" else stacked.mean(dim=0)",
                            "Y = torch.zeros(stacked.shape[1:])\n"
                            "        Y[...] = stacked.amax(dim=0) if mode == 'max' else stacked.mean(dim=0)\n"
                            "        return Y")),
    },
    "uses_max_pool2d": {
        "why": "the forbidden shortcut F.max_pool2d",
        "feedback": "not allowed",
        "source": '''
            def pool2d(X, pool_size, mode="max", padding=0, stride=None):
                if mode not in ("max", "avg"):
                    raise ValueError("mode")
                stride = pool_size if stride is None else stride
                shape = X.shape
                X4 = X.reshape(-1, 1, *shape[-2:])
                if mode == "max":
                    Y = F.max_pool2d(X4, pool_size, stride, padding)
                else:
                    Y = F.avg_pool2d(X4, pool_size, stride, padding)
                return Y.reshape(*shape[:-2], *Y.shape[-2:])
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §6.5.1's loop (PyTorch tab), adapted only where the Clarifications differ: default stride = window,
    # padding (−inf for max, zeros for avg, both sides), leading dims, X's dtype and device.
    "d2l_book_loop": '''
        def pool2d(X, pool_size, mode='max', padding=0, stride=None):
            if mode not in ('max', 'avg'):
                raise ValueError(f"unknown mode {mode}")
            p_h, p_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
            pad_h, pad_w = (padding, padding) if isinstance(padding, int) else padding
            if stride is None:
                stride = (p_h, p_w)
            s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
            X = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=float('-inf') if mode == 'max' else 0.0)
            H, W = X.shape[-2], X.shape[-1]
            Y = X.new_zeros(X.shape[:-2] + ((H - p_h) // s_h + 1, (W - p_w) // s_w + 1))
            for i in range(Y.shape[-2]):
                for j in range(Y.shape[-1]):
                    window = X[..., i * s_h: i * s_h + p_h, j * s_w: j * s_w + p_w]
                    if mode == 'max':
                        Y[..., i, j] = window.amax(dim=(-2, -1))
                    elif mode == 'avg':
                        Y[..., i, j] = window.mean(dim=(-2, -1))
            return Y
    ''',
    # windows as a strided view of the padded input (as_strided), reduced in one call each
    "as_strided_windows": '''
        def pool2d(X, pool_size, mode="max", padding=0, stride=None):
            def two(v):
                return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))
            if mode != "max" and mode != "avg":
                raise ValueError("mode must be 'max' or 'avg'")
            (ph, pw), (qh, qw) = two(pool_size), two(padding)
            sh, sw = (ph, pw) if stride is None else two(stride)
            lead = X.shape[:-2]
            Xp = X.new_full(lead + (X.shape[-2] + 2 * qh, X.shape[-1] + 2 * qw),
                            float("-inf") if mode == "max" else 0.0)
            Xp[..., qh:qh + X.shape[-2], qw:qw + X.shape[-1]] = X
            Xp = Xp.reshape(-1, Xp.shape[-2], Xp.shape[-1]).contiguous()
            n, H, W = Xp.shape
            oh, ow = (H - ph) // sh + 1, (W - pw) // sw + 1
            win = Xp.as_strided((n, oh, ow, ph, pw), (H * W, sh * W, sw, W, 1))
            Y = win.amax(dim=(-2, -1)) if mode == "max" else win.sum(dim=(-2, -1)) / (ph * pw)
            return Y.reshape(lead + (oh, ow))
    ''',
    # float64 internals, a running torch.maximum / sum over the window offsets, cast back at the end
    "float64_running_reduce": '''
        def pool2d(X, pool_size, mode="max", padding=0, stride=None):
            if mode == "max":
                fill, combine = float("-inf"), torch.maximum
            elif mode == "avg":
                fill, combine = 0.0, torch.add
            else:
                raise ValueError(mode)
            ph, pw = (pool_size,) * 2 if isinstance(pool_size, int) else pool_size
            qh, qw = (padding,) * 2 if isinstance(padding, int) else padding
            sh, sw = (ph, pw) if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
            Xp = F.pad(X.to(torch.float64), [qw, qw, qh, qh], mode="constant", value=fill)
            oh = (Xp.shape[-2] - ph) // sh + 1
            ow = (Xp.shape[-1] - pw) // sw + 1
            acc = None
            for a in range(ph):
                for b in range(pw):
                    cell = Xp[..., a::sh, b::sw][..., :oh, :ow]
                    acc = cell.clone() if acc is None else combine(acc, cell)
            if mode == "avg":
                acc = acc / (ph * pw)
            return acc.to(X.dtype)
    ''',
}
