"""Recorded buggy variants of ch13/augmentation.py (each must be rejected, with its feedback) and correct alternatives
(each must pass every grader)."""
MUTANTS = {
    # ---------------------------------------------------------------- hflip
    "hflip_up_down": {
        "why": "reverses the rows (an up–down flip)",
        "feedback": "up–down flip",
        "source": '''
            def hflip(X):
                H = X.shape[-2]
                return X[..., torch.arange(H - 1, -1, -1, device=X.device), :]
        ''',
    },
    "hflip_drops_a_column": {
        "why": "torch.arange(W − 1, 0, −1): the stop is exclusive, column 0 is lost",
        "feedback": "arange's stop is exclusive",
        "source": '''
            def hflip(X):
                W = X.shape[-1]
                return X[..., torch.arange(W - 1, 0, -1, device=X.device)]
        ''',
    },
    "hflip_in_place": {
        "why": "writes the mirror back into X",
        "feedback": "leaves its inputs unchanged",
        "source": '''
            def hflip(X):
                W = X.shape[-1]
                X[:] = X[..., torch.arange(W - 1, -1, -1, device=X.device)].clone()
                return X
        ''',
    },
    "hflip_torch_flip": {
        "why": "the forbidden torch.flip",
        "feedback": "not allowed",
        "source": '''
            def hflip(X):
                return torch.flip(X, dims=[-1])
        ''',
    },
    "hflip_fliplr_alias": {
        "why": "Tensor.flip through a method (forbidden however it is reached)",
        "feedback": "not allowed",
        "source": '''
            def hflip(X):
                return X.flip(3)
        ''',
    },
    # ---------------------------------------------------------------- random_hflip
    "one_coin_for_the_batch": {
        "why": "one coin for the whole batch",
        "feedback": "every image got the same coin",
        "source": '''
            def random_hflip(X, p=0.5, generator=None):
                if torch.rand(1, generator=generator).item() < p:
                    return hflip(X)
                return X.clone()
        ''',
    },
    "random_flip_up_down": {
        "why": "flips images up–down at random",
        "feedback": "flipped up–down",
        "source": '''
            def random_hflip(X, p=0.5, generator=None):
                N, H = X.shape[0], X.shape[-2]
                coins = (torch.rand(N, generator=generator) < p).to(X.device).reshape(N, 1, 1, 1)
                return torch.where(coins, X[..., torch.arange(H - 1, -1, -1, device=X.device), :], X)
        ''',
    },
    "random_hflip_global_rng": {
        "why": "coins from the global RNG",
        "feedback": "generator",
        "source": '''
            def random_hflip(X, p=0.5, generator=None):
                N = X.shape[0]
                coins = (torch.rand(N) < p).to(X.device).reshape(N, 1, 1, 1)
                return torch.where(coins, hflip(X), X)
        ''',
    },
    "flips_when_coin_above_p": {
        "why": "rand > p: flips with probability 1 − p",
        "feedback": "below",
        "source": '''
            def random_hflip(X, p=0.5, generator=None):
                N = X.shape[0]
                coins = (torch.rand(N, generator=generator) > p).to(X.device).reshape(N, 1, 1, 1)
                return torch.where(coins, hflip(X), X)
        ''',
    },
    "coin_per_pixel": {
        "why": "one coin per pixel: images become a mix of both",
        "feedback": "one coin per image",
        "source": '''
            def random_hflip(X, p=0.5, generator=None):
                coins = (torch.rand(X.shape, generator=generator) < p).to(X.device)
                return torch.where(coins, hflip(X), X)
        ''',
    },
    # ---------------------------------------------------------------- random_crop
    "last_offset_never_drawn": {
        "why": "randint(0, H + 2p − size): the high end is exclusive",
        "feedback": "the last offset is never drawn",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                if size < 1 or padding < 0 or size > H + 2 * padding or size > W + 2 * padding:
                    raise ValueError("window does not fit")
                Xp = F.pad(X, (padding, padding, padding, padding))
                i = torch.randint(0, max(H + 2 * padding - size, 1), (N,), generator=generator)
                j = torch.randint(0, max(W + 2 * padding - size, 1), (N,), generator=generator)
                return torch.stack([Xp[n, :, i[n]:i[n] + size, j[n]:j[n] + size] for n in range(N)])
        ''',
    },
    "one_offset_for_the_batch": {
        "why": "one offset for the whole batch",
        "feedback": "draw the offsets per image",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                if size < 1 or padding < 0 or size > H + 2 * padding or size > W + 2 * padding:
                    raise ValueError("window does not fit")
                Xp = F.pad(X, (padding, padding, padding, padding))
                i = int(torch.randint(0, H + 2 * padding - size + 1, (1,), generator=generator))
                j = int(torch.randint(0, W + 2 * padding - size + 1, (1,), generator=generator))
                return Xp[:, :, i:i + size, j:j + size]
        ''',
    },
    "padding_on_one_side": {
        "why": "pads only the bottom and the right (2·padding there)",
        "feedback": "pad all four sides",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                if size < 1 or padding < 0 or size > H + 2 * padding or size > W + 2 * padding:
                    raise ValueError("window does not fit")
                Xp = F.pad(X, (0, 2 * padding, 0, 2 * padding))
                i = torch.randint(0, H + 2 * padding - size + 1, (N,), generator=generator)
                j = torch.randint(0, W + 2 * padding - size + 1, (N,), generator=generator)
                return torch.stack([Xp[n, :, i[n]:i[n] + size, j[n]:j[n] + size] for n in range(N)])
        ''',
    },
    "padding_ignored": {
        "why": "never pads: windows of the unpadded image only",
        "feedback": "offsets below",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                if size < 1 or padding < 0 or size > H + 2 * padding or size > W + 2 * padding:
                    raise ValueError("window does not fit")
                hi, wi = max(H - size, 0) + 1, max(W - size, 0) + 1
                i = torch.randint(0, hi, (N,), generator=generator)
                j = torch.randint(0, wi, (N,), generator=generator)
                Xp = F.pad(X, (0, max(size - W, 0), 0, max(size - H, 0)))
                return torch.stack([Xp[n, :, i[n]:i[n] + size, j[n]:j[n] + size] for n in range(N)])
        ''',
    },
    "same_offset_for_rows_and_columns": {
        "why": "draws one number and uses it for both i and j (only the diagonal offsets)",
        "feedback": "never drawn",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                if size < 1 or padding < 0 or size > H + 2 * padding or size > W + 2 * padding:
                    raise ValueError("window does not fit")
                Xp = F.pad(X, (padding, padding, padding, padding))
                i = torch.randint(0, min(H, W) + 2 * padding - size + 1, (N,), generator=generator)
                return torch.stack([Xp[n, :, i[n]:i[n] + size, i[n]:i[n] + size] for n in range(N)])
        ''',
    },
    "no_fit_check": {
        "why": "no ValueError: torch.randint fails with a RuntimeError when the window does not fit",
        "feedback": "ValueError",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                Xp = F.pad(X, (padding, padding, padding, padding))
                i = torch.randint(0, H + 2 * padding - size + 1, (N,), generator=generator)
                j = torch.randint(0, W + 2 * padding - size + 1, (N,), generator=generator)
                return torch.stack([Xp[n, :, i[n]:i[n] + size, j[n]:j[n] + size] for n in range(N)])
        ''',
    },
    "random_crop_global_rng": {
        "why": "offsets from the global RNG",
        "feedback": "generator",
        "source": '''
            def random_crop(X, size, padding=0, generator=None):
                N, C, H, W = X.shape
                if size < 1 or padding < 0 or size > H + 2 * padding or size > W + 2 * padding:
                    raise ValueError("window does not fit")
                Xp = F.pad(X, (padding, padding, padding, padding))
                i = torch.randint(0, H + 2 * padding - size + 1, (N,))
                j = torch.randint(0, W + 2 * padding - size + 1, (N,))
                return torch.stack([Xp[n, :, i[n]:i[n] + size, j[n]:j[n] + size] for n in range(N)])
        ''',
    },
    # ---------------------------------------------------------------- color_jitter
    "no_clamp": {
        "why": "never clamps to [0, 1]",
        "feedback": "clamp the result",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(N, generator=generator)
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(N, generator=generator)
                Y = b.to(X.device).reshape(N, 1, 1, 1) * X
                c = c.to(X.device).reshape(N, 1, 1, 1)
                return c * Y + (1 - c) * Y.mean(dim=(1, 2, 3), keepdim=True)
        ''',
    },
    "one_factor_for_the_batch": {
        "why": "one brightness and one contrast factor for the whole batch",
        "feedback": "drawn per image",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(1, generator=generator).item()
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(1, generator=generator).item()
                Y = b * X
                return (c * Y + (1 - c) * Y.mean(dim=(1, 2, 3), keepdim=True)).clamp(0, 1)
        ''',
    },
    "contrast_around_one_half": {
        "why": "blends with 0.5 instead of the image's mean",
        "feedback": "not with 0.5",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(N, generator=generator)
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(N, generator=generator)
                Y = b.to(X.device).reshape(N, 1, 1, 1) * X
                c = c.to(X.device).reshape(N, 1, 1, 1)
                return (c * Y + (1 - c) * 0.5).clamp(0, 1)
        ''',
    },
    "luminance_grey_mean": {
        "why": "torchvision's luminance-weighted grey as the contrast centre",
        "feedback": "luminance-weighted grey",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(N, generator=generator)
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(N, generator=generator)
                Y = b.to(X.device).reshape(N, 1, 1, 1) * X
                c = c.to(X.device).reshape(N, 1, 1, 1)
                if Y.shape[1] == 3:
                    grey = 0.299 * Y[:, 0] + 0.587 * Y[:, 1] + 0.114 * Y[:, 2]
                    m = grey.mean(dim=(1, 2)).reshape(N, 1, 1, 1)
                else:
                    m = Y.mean(dim=(1, 2, 3), keepdim=True)
                return (c * Y + (1 - c) * m).clamp(0, 1)
        ''',
    },
    "per_channel_mean": {
        "why": "blends each channel with its own mean",
        "feedback": "each channel's own mean",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(N, generator=generator)
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(N, generator=generator)
                Y = b.to(X.device).reshape(N, 1, 1, 1) * X
                c = c.to(X.device).reshape(N, 1, 1, 1)
                return (c * Y + (1 - c) * Y.mean(dim=(2, 3), keepdim=True)).clamp(0, 1)
        ''',
    },
    "clamp_after_each_step": {
        "why": "clamps after the brightness step too (torchvision's adjust_brightness)",
        "feedback": "clamp once",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(N, generator=generator)
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(N, generator=generator)
                Y = (b.to(X.device).reshape(N, 1, 1, 1) * X).clamp(0, 1)
                c = c.to(X.device).reshape(N, 1, 1, 1)
                return (c * Y + (1 - c) * Y.mean(dim=(1, 2, 3), keepdim=True)).clamp(0, 1)
        ''',
    },
    "lower_end_below_zero": {
        "why": "b ~ U[1 − brightness, 1 + brightness] without max(0, ·): negative factors for brightness > 1",
        "feedback": "quarters",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = (1 - brightness) + 2 * brightness * torch.rand(N, generator=generator)
                c = (1 - contrast) + 2 * contrast * torch.rand(N, generator=generator)
                Y = b.to(X.device).reshape(N, 1, 1, 1) * X
                c = c.to(X.device).reshape(N, 1, 1, 1)
                return (c * Y + (1 - c) * Y.mean(dim=(1, 2, 3), keepdim=True)).clamp(0, 1)
        ''',
    },
    "mean_of_the_unscaled_image": {
        "why": "the contrast blend uses the mean of X, not of the brightness-scaled b·X",
        "feedback": "brightness-scaled image",
        "source": '''
            def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
                N = X.shape[0]
                b = max(0.0, 1 - brightness) + (1 + brightness - max(0.0, 1 - brightness)) * torch.rand(N, generator=generator)
                c = max(0.0, 1 - contrast) + (1 + contrast - max(0.0, 1 - contrast)) * torch.rand(N, generator=generator)
                Y = b.to(X.device).reshape(N, 1, 1, 1) * X
                c = c.to(X.device).reshape(N, 1, 1, 1)
                return (c * Y + (1 - c) * X.mean(dim=(1, 2, 3), keepdim=True)).clamp(0, 1)
        ''',
    },
    # ---------------------------------------------------------------- augment
    "augment_flips_whatever_flip_says": {
        "why": "ignores flip=False",
        "feedback": "no image may be mirrored",
        "source": '''
            def augment(X, padding=2, flip=True, generator=None):
                H, W = X.shape[-2:]
                if H != W:
                    raise ValueError("square images only")
                return random_hflip(random_crop(X, H, padding, generator=generator), 0.5, generator=generator)
        ''',
    },
    "augment_padding_not_passed": {
        "why": "random_crop(X, H) without the padding: the identity crop",
        "feedback": "the padding must be passed on",
        "source": '''
            def augment(X, padding=2, flip=True, generator=None):
                H, W = X.shape[-2:]
                if H != W:
                    raise ValueError("square images only")
                Y = random_crop(X, H, generator=generator)
                return random_hflip(Y, 0.5, generator=generator) if flip else Y
        ''',
    },
    "augment_default_padding_one": {
        "why": "padding defaults to 1",
        "feedback": "the default padding is 2",
        "source": '''
            def augment(X, padding=1, flip=True, generator=None):
                H, W = X.shape[-2:]
                if H != W:
                    raise ValueError("square images only")
                Y = random_crop(X, H, padding, generator=generator)
                return random_hflip(Y, 0.5, generator=generator) if flip else Y
        ''',
    },
    "augment_no_square_check": {
        "why": "non-square images accepted (cropped to H × H)",
        "feedback": "ValueError",
        "source": '''
            def augment(X, padding=2, flip=True, generator=None):
                H = X.shape[-2]
                Y = random_crop(X, H, padding, generator=generator) if H <= X.shape[-1] + 2 * padding else X.clone()
                return random_hflip(Y, 0.5, generator=generator) if flip else Y
        ''',
    },
    "augment_flip_global_rng": {
        "why": "the flip's coins from the global RNG (generator not passed on)",
        "feedback": "pass the generator on",
        "source": '''
            def augment(X, padding=2, flip=True, generator=None):
                H, W = X.shape[-2:]
                if H != W:
                    raise ValueError("square images only")
                Y = random_crop(X, H, padding, generator=generator)
                return random_hflip(Y, 0.5) if flip else Y
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # The book's pipeline (d2l-zh §13.1 uses torchvision.transforms.RandomHorizontalFlip, RandomCrop(size, padding),
    # ColorJitter(brightness, contrast)), written out the way torchvision does it — one image at a time, the
    # parameters drawn per image (RandomCrop.get_params: torch.randint(0, h − th + 1, size=(1,))), F.hflip as
    # indexing (torch.flip is forbidden here) — and adapted where this kata's contract differs from torchvision:
    # one clamp at the end (torchvision clamps after each step), the plain mean instead of a luminance grey, every
    # draw from the generator.
    "torchvision_style_per_image": '''
        def hflip(X):
            return X[..., list(range(X.shape[-1] - 1, -1, -1))]

        def random_hflip(X, p=0.5, generator=None):
            dev = generator.device if generator is not None else X.device
            out = []
            for img in X:
                if torch.rand(1, generator=generator, device=dev).item() < p:
                    img = hflip(img)
                out.append(img)
            return torch.stack(out)

        def _get_params(h, w, th, tw, generator, dev):
            i = torch.randint(0, h - th + 1, size=(1,), generator=generator, device=dev).item()
            j = torch.randint(0, w - tw + 1, size=(1,), generator=generator, device=dev).item()
            return i, j

        def random_crop(X, size, padding=0, generator=None):
            if size < 1 or padding < 0:
                raise ValueError("size must be positive and padding non-negative")
            if padding > 0:
                X = F.pad(X, [padding, padding, padding, padding], mode="constant", value=0.0)
            h, w = X.shape[-2:]
            if h < size or w < size:
                raise ValueError(f"Required crop size {(size, size)} is larger than input image size {(h, w)}")
            dev = generator.device if generator is not None else X.device
            crops = []
            for img in X:
                i, j = _get_params(h, w, size, size, generator, dev)
                crops.append(img[..., i:i + size, j:j + size])
            return torch.stack(crops)

        def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
            dev = generator.device if generator is not None else X.device
            out = []
            for img in X:
                b = torch.empty(1, device=dev).uniform_(max(0.0, 1 - brightness), 1 + brightness,
                                                        generator=generator).item()
                c = torch.empty(1, device=dev).uniform_(max(0.0, 1 - contrast), 1 + contrast,
                                                        generator=generator).item()
                img = img * b                          # adjust_brightness: _blend(img, zeros, b), clamp deferred
                mean = img.mean()                      # adjust_contrast: _blend(img, mean, c), plain mean here
                img = c * img + (1.0 - c) * mean
                out.append(img.clamp(0.0, 1.0))
            return torch.stack(out)

        def augment(X, padding=2, flip=True, generator=None):
            if X.shape[-1] != X.shape[-2]:
                raise ValueError("square images only")
            X = random_crop(X, X.shape[-1], padding, generator=generator)
            if flip:
                X = random_hflip(X, 0.5, generator=generator)
            return X
    ''',
    # index_select for the mirror, an arithmetic blend for the coin, unfold for the windows, float64 internals and
    # the m + c·(Y − m) form for the jitter
    "unfold_and_float64": '''
        def hflip(X):
            W = X.shape[-1]
            rev = (W - 1) - torch.arange(W, device=X.device)
            return torch.index_select(X, X.dim() - 1, rev)

        def random_hflip(X, p=0.5, generator=None):
            N = X.shape[0]
            dev = generator.device if generator is not None else X.device
            u = torch.rand(N, generator=generator, device=dev).to(X.device)
            mask = (u < p).to(X.dtype).view(N, *([1] * (X.dim() - 1)))
            return mask * hflip(X) + (1 - mask) * X

        def random_crop(X, size, padding=0, generator=None):
            N, C, H, W = X.shape
            Hp, Wp = H + 2 * padding, W + 2 * padding
            if not (1 <= size <= min(Hp, Wp)) or padding < 0:
                raise ValueError(f"cannot cut {size}x{size} from {Hp}x{Wp}")
            Xp = X.new_zeros(N, C, Hp, Wp)
            Xp[:, :, padding:padding + H, padding:padding + W] = X
            dev = generator.device if generator is not None else X.device
            i = torch.randint(Hp - size + 1, (N,), generator=generator, device=dev).to(X.device)
            j = torch.randint(Wp - size + 1, (N,), generator=generator, device=dev).to(X.device)
            win = Xp.unfold(2, size, 1).unfold(3, size, 1)          # (N, C, Hp − s + 1, Wp − s + 1, s, s)
            return win[torch.arange(N, device=X.device), :, i, j]

        def color_jitter(X, brightness=0.0, contrast=0.0, generator=None):
            N = X.shape[0]
            dev = generator.device if generator is not None else X.device
            lo_b, lo_c = max(0.0, 1.0 - brightness), max(0.0, 1.0 - contrast)
            b = torch.rand(N, generator=generator, device=dev, dtype=torch.float64) * (1 + brightness - lo_b) + lo_b
            c = torch.rand(N, generator=generator, device=dev, dtype=torch.float64) * (1 + contrast - lo_c) + lo_c
            Y = X.to(torch.float64) * b.to(X.device).view(N, 1, 1, 1)
            m = Y.flatten(1).mean(dim=1).view(N, 1, 1, 1)
            Y = m + c.to(X.device).view(N, 1, 1, 1) * (Y - m)
            return torch.clamp(Y, 0.0, 1.0).to(X.dtype)

        def augment(X, padding=2, flip=True, generator=None):
            N, C, H, W = X.shape
            if H != W:
                raise ValueError(f"augment needs square images, got {H}x{W}")
            Y = random_crop(X, W, padding=padding, generator=generator)
            return random_hflip(Y, generator=generator) if flip else Y
    ''',
}
