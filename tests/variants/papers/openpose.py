"""Recorded buggy variants of papers/openpose.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" must appear in the failure output.
ALTERNATIVES are correct implementations written differently (every grader must accept them): ports of OpenPose's
own training and demo code (adapted only where the contract's Clarifications differ: exp(−d²/σ²), a max over
people, the paper's rectangle, no stride, the mean instead of the demo's heuristics), numpy on the host, float64
internals, per-pixel loops, a Hungarian algorithm and a brute force over assignments.
"""
MUTANTS = {
    # ------------------------------------------------------------------ confidence_map
    "cmap_sum_over_people": {
        "why": "adds the people's Gaussians: nearby peaks merge and exceed 1",
        "feedback": "maximum over people",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                kp = keypoints.reshape(-1, 2)
                xs = torch.arange(width, dtype=kp.dtype, device=kp.device)
                ys = torch.arange(height, dtype=kp.dtype, device=kp.device)
                d2 = (xs[None, None, :] - kp[:, 0, None, None]) ** 2 + (ys[None, :, None] - kp[:, 1, None, None]) ** 2
                g = torch.exp(-d2 / sigma ** 2)
                if visible is not None:
                    g = g * visible[:, None, None].to(g.dtype)
                return g.sum(0) + torch.zeros(height, width, dtype=kp.dtype, device=kp.device)
        ''',
    },
    "cmap_caffe_sum_and_clip": {
        "why": "OpenPose's training code: += each Gaussian, then clip at 1",
        "feedback": "clipped at 1",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                kp = keypoints.reshape(-1, 2)
                xs = torch.arange(width, dtype=kp.dtype, device=kp.device)
                ys = torch.arange(height, dtype=kp.dtype, device=kp.device)
                out = torch.zeros(height, width, dtype=kp.dtype, device=kp.device)
                for k in range(kp.shape[0]):
                    if visible is not None and not bool(visible[k]):
                        continue
                    d2 = (xs[None, :] - kp[k, 0]) ** 2 + (ys[:, None] - kp[k, 1]) ** 2
                    out = (out + torch.exp(-d2 / sigma ** 2)).clamp(max=1.0)
                return out
        ''',
    },
    "cmap_two_sigma_squared": {
        "why": "exp(−d²/(2σ²)), the training code's Gaussian",
        "feedback": "exp(−d²/(2σ²))",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                return _solution_confidence_map(keypoints, height, width, sigma * 2 ** 0.5, visible)
        ''',
    },
    "cmap_sigma_not_squared": {
        "why": "exp(−d²/σ)",
        "feedback": "not squared",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                return _solution_confidence_map(keypoints, height, width, sigma ** 0.5, visible)
        ''',
    },
    "cmap_xy_swapped": {
        "why": "keypoint read as (row, column)",
        "feedback": "x and y are swapped",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                return _solution_confidence_map(keypoints.flip(-1), height, width, sigma, visible)
        ''',
    },
    "cmap_half_pixel_offset": {
        "why": "pixel centres at c + 0.5",
        "feedback": "no +0.5 pixel-centre offset",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                return _solution_confidence_map(keypoints - 0.5, height, width, sigma, visible)
        ''',
    },
    "cmap_truncated_tail": {
        "why": "the training code's cut-off: exponent d²/(2σ²) > 4.6052 (1 %) set to 0",
        "feedback": "cut to 0",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                out = _solution_confidence_map(keypoints, height, width, sigma, visible)
                return torch.where(out < 0.01 ** 2, torch.zeros_like(out), out)
        ''',
    },
    "cmap_visible_ignored": {
        "why": "every keypoint drawn, visible or not",
        "feedback": "still leaves a peak",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                return _solution_confidence_map(keypoints, height, width, sigma)
        ''',
    },
    "cmap_amax_of_nothing": {
        "why": "max over an empty set of people raises",
        "feedback": "start from a map of zeros",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                kp = keypoints if visible is None else keypoints[visible]
                xs = torch.arange(width, dtype=kp.dtype, device=kp.device)
                ys = torch.arange(height, dtype=kp.dtype, device=kp.device)
                d2 = (xs[None, None, :] - kp[:, 0, None, None]) ** 2 + (ys[None, :, None] - kp[:, 1, None, None]) ** 2
                return torch.exp(-d2 / sigma ** 2).amax(0)
        ''',
    },
    "cmap_grid_on_cpu": {
        "why": "torch.arange(width) without device=: breaks on a GPU",
        "feedback": "device",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                xs = torch.arange(width, dtype=keypoints.dtype)
                ys = torch.arange(height, dtype=keypoints.dtype)
                kp = keypoints.reshape(-1, 2)
                d2 = (xs[None, None, :] - kp[:, 0, None, None]) ** 2 + (ys[None, :, None] - kp[:, 1, None, None]) ** 2
                g = torch.exp(-d2 / sigma ** 2)
                if visible is not None:
                    g = g * visible[:, None, None].to(g.dtype)
                return torch.cat([torch.zeros(1, height, width, dtype=g.dtype, device=g.device), g]).amax(0)
        ''',
    },
    "cmap_always_float32": {
        "why": "grid made in float32 whatever the keypoints' dtype",
        "feedback": "float64",
        "source": '''
            def confidence_map(keypoints, height, width, sigma, visible=None):
                return _solution_confidence_map(keypoints.float(), height, width, sigma, visible)
        ''',
    },
    # ------------------------------------------------------------------ paf_target
    "paf_not_normalised": {
        "why": "the field holds x_j2 − x_j1 instead of the unit vector",
        "feedback": "not normalised",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                x1, d = L[:, 0], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                valid = length > 0
                if visible is not None:
                    valid = valid & visible.to(torch.bool)
                v = d / torch.where(valid, length, torch.ones_like(length))[:, None]
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                vx, vy = v[:, 0, None, None], v[:, 1, None, None]
                along, across = vx * px + vy * py, -vy * px + vx * py
                on = (along >= 0) & (along <= length[:, None, None]) & (across.abs() <= limb_width)
                on = on & valid[:, None, None]
                total = (on[:, None].to(L.dtype) * d[:, :, None, None]).sum(0)
                return total / on.sum(0).clamp(min=1).to(L.dtype)
        ''',
    },
    "paf_sum_not_mean": {
        "why": "overlapping limbs added, not averaged",
        "feedback": "divide by n_c(p)",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                out = torch.zeros(2, height, width, dtype=limbs.dtype, device=limbs.device)
                for k in range(L.shape[0]):
                    if visible is not None and not bool(visible[k]):
                        continue
                    out = out + _solution_paf_target(L[k:k + 1], height, width, limb_width)
                return out
        ''',
    },
    "paf_mean_over_people": {
        "why": "divides by P instead of n_c(p)",
        "feedback": "number of people P",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                out = torch.zeros(2, height, width, dtype=limbs.dtype, device=limbs.device)
                for k in range(L.shape[0]):
                    if visible is not None and not bool(visible[k]):
                        continue
                    out = out + _solution_paf_target(L[k:k + 1], height, width, limb_width)
                return out / max(L.shape[0], 1)
        ''',
    },
    "paf_one_sided_width": {
        "why": "0 ≤ v⊥·(p − x_j1) ≤ σ_l: no absolute value",
        "feedback": "both sides",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2).to(limbs.dtype)
                x1, d = L[:, 0], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                valid = length > 0
                if visible is not None:
                    valid = valid & visible.to(torch.bool)
                v = d / torch.where(valid, length, torch.ones_like(length))[:, None]
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                vx, vy = v[:, 0, None, None], v[:, 1, None, None]
                along, across = vx * px + vy * py, -vy * px + vx * py
                on = (along >= 0) & (along <= length[:, None, None]) & (across >= 0) & (across <= limb_width)
                on = on & valid[:, None, None]
                total = (on[:, None].to(L.dtype) * v[:, :, None, None]).sum(0)
                return total / on.sum(0).clamp(min=1).to(L.dtype)
        ''',
    },
    "paf_channels_swapped": {
        "why": "channel 0 holds v_y",
        "feedback": "channel 0 is the x component",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                return _solution_paf_target(limbs, height, width, limb_width, visible).flip(0)
        ''',
    },
    "paf_training_code_box": {
        "why": "OpenPose's putVecMaps: a bounding box of the end points instead of the along-axis test",
        "feedback": "rectangle",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                x1, x2, d = L[:, 0], L[:, 1], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                valid = length > 0
                if visible is not None:
                    valid = valid & visible.to(torch.bool)
                v = d / torch.where(valid, length, torch.ones_like(length))[:, None]
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                across = -v[:, 1, None, None] * px + v[:, 0, None, None] * py
                lo, hi = torch.minimum(x1, x2) - limb_width, torch.maximum(x1, x2) + limb_width
                X, Y = xs[None, None, :], ys[None, :, None]
                box = (X >= lo[:, 0, None, None]) & (X <= hi[:, 0, None, None]) & \\
                      (Y >= lo[:, 1, None, None]) & (Y <= hi[:, 1, None, None])
                on = box & (across.abs() <= limb_width) & valid[:, None, None]
                total = (on[:, None].to(L.dtype) * v[:, :, None, None]).sum(0)
                return total / on.sum(0).clamp(min=1).to(L.dtype)
        ''',
    },
    "paf_capsule": {
        "why": "distance to the segment ≤ σ_l: rounded ends",
        "feedback": "rounded ends",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                x1, d = L[:, 0], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                valid = length > 0
                if visible is not None:
                    valid = valid & visible.to(torch.bool)
                v = d / torch.where(valid, length, torch.ones_like(length))[:, None]
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                vx, vy = v[:, 0, None, None], v[:, 1, None, None]
                t = torch.minimum((vx * px + vy * py).clamp(min=0), length[:, None, None])
                dist = ((px - t * vx) ** 2 + (py - t * vy) ** 2).sqrt()
                on = (dist <= limb_width) & valid[:, None, None]
                total = (on[:, None].to(L.dtype) * v[:, :, None, None]).sum(0)
                return total / on.sum(0).clamp(min=1).to(L.dtype)
        ''',
    },
    "paf_full_width": {
        "why": "limb_width read as the full width (σ_l/2 on each side)",
        "feedback": "half-width",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                return _solution_paf_target(limbs, height, width, limb_width / 2, visible)
        ''',
    },
    "paf_xy_swapped": {
        "why": "end points read as (row, column)",
        "feedback": "x and y are swapped",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                return _solution_paf_target(limbs.flip(-1), height, width, limb_width, visible)
        ''',
    },
    "paf_zero_length_nan": {
        "why": "divides by the norm of a zero-length limb: NaN",
        "feedback": "zero-length",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                x1, d = L[:, 0], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                v = d / length[:, None]
                keep = torch.ones_like(length, dtype=torch.bool) if visible is None else visible.to(torch.bool)
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                vx, vy = v[:, 0, None, None], v[:, 1, None, None]
                along, across = vx * px + vy * py, -vy * px + vx * py
                on = (along >= 0) & (along <= length[:, None, None]) & (across.abs() <= limb_width)
                on = on & keep[:, None, None]
                total = (on[:, None].to(L.dtype) * v[:, :, None, None]).sum(0)
                return total / on.sum(0).clamp(min=1).to(L.dtype)
        ''',
    },
    "paf_invalid_limbs_counted": {
        "why": "invisible and zero-length limbs are left out of the sum but still counted in n_c(p)",
        "feedback": "counted in n_c(p)",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                x1, d = L[:, 0], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                v = d / length.clamp(min=1e-12)[:, None]
                keep = torch.ones_like(length, dtype=torch.bool) if visible is None else visible.to(torch.bool)
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                vx, vy = v[:, 0, None, None], v[:, 1, None, None]
                along, across = vx * px + vy * py, -vy * px + vx * py
                on = (along >= 0) & (along <= length[:, None, None]) & (across.abs() <= limb_width)
                total = ((on & keep[:, None, None])[:, None].to(L.dtype) * v[:, :, None, None]).sum(0)
                return total / on.sum(0).clamp(min=1).to(L.dtype)
        ''',
    },
    "paf_divided_by_zero_count": {
        "why": "total / n_c(p) without guarding n_c(p) = 0: NaN off the limbs",
        "feedback": "max(n_c(p), 1)",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                L = limbs.reshape(-1, 2, 2)
                x1, d = L[:, 0], L[:, 1] - L[:, 0]
                length = d.norm(dim=1)
                valid = length > 0
                if visible is not None:
                    valid = valid & visible.to(torch.bool)
                v = d / torch.where(valid, length, torch.ones_like(length))[:, None]
                xs = torch.arange(width, dtype=L.dtype, device=L.device)
                ys = torch.arange(height, dtype=L.dtype, device=L.device)
                px, py = xs[None, None, :] - x1[:, 0, None, None], ys[None, :, None] - x1[:, 1, None, None]
                vx, vy = v[:, 0, None, None], v[:, 1, None, None]
                along, across = vx * px + vy * py, -vy * px + vx * py
                on = (along >= 0) & (along <= length[:, None, None]) & (across.abs() <= limb_width)
                on = on & valid[:, None, None]
                total = (on[:, None].to(L.dtype) * v[:, :, None, None]).sum(0)
                return total / on.sum(0).to(L.dtype)
        ''',
    },
    "paf_visible_ignored": {
        "why": "every limb drawn, visible or not",
        "feedback": "invisible limb",
        "source": '''
            def paf_target(limbs, height, width, limb_width, visible=None):
                return _solution_paf_target(limbs, height, width, limb_width)
        ''',
    },
    # ------------------------------------------------------------------ association_score
    "assoc_sum_not_mean": {
        "why": "sums the samples (the paper's 'summing'): n times the integral",
        "feedback": "MEAN",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                return _solution_association_score(paf, d1, d2, num_samples) * num_samples
        ''',
    },
    "assoc_not_normalised": {
        "why": "projects on d2 − d1 instead of the unit direction",
        "feedback": "UNIT direction",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                return _solution_association_score(paf, d1, d2, num_samples) * (d2 - d1).norm().to(paf.dtype)
        ''',
    },
    "assoc_truncated": {
        "why": ".long() without rounding: the pixel below-left, not the nearest",
        "feedback": "truncated",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                if num_samples < 2:
                    raise ValueError("num_samples must be at least 2")
                H, W = paf.shape[-2:]
                vec = (d2 - d1).to(paf.dtype)
                norm = vec.norm()
                unit = vec / norm if float(norm) > 0 else vec * 0
                u = torch.arange(num_samples, dtype=paf.dtype, device=paf.device) / (num_samples - 1)
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col = pts[:, 0].clamp(0, W - 1).long()
                row = pts[:, 1].clamp(0, H - 1).long()
                return (paf[:, row, col] * unit[:, None]).sum(0).mean()
        ''',
    },
    "assoc_xy_swapped": {
        "why": "paf[:, x, y]",
        "feedback": "paf[:, row, column] = paf[:, y, x]",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                if num_samples < 2:
                    raise ValueError("num_samples must be at least 2")
                H, W = paf.shape[-2:]
                vec = (d2 - d1).to(paf.dtype)
                norm = vec.norm()
                unit = vec / norm if float(norm) > 0 else vec * 0
                u = torch.arange(num_samples, dtype=paf.dtype, device=paf.device) / (num_samples - 1)
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col = pts[:, 0].round().clamp(0, W - 1).long()
                row = pts[:, 1].round().clamp(0, H - 1).long()
                return (paf[:, col, row] * unit[:, None]).sum(0).mean()
        ''',
    },
    "assoc_midpoints_only": {
        "why": "n interior samples, end points left out",
        "feedback": "both end points are samples",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                if num_samples < 2:
                    raise ValueError("num_samples must be at least 2")
                H, W = paf.shape[-2:]
                vec = (d2 - d1).to(paf.dtype)
                norm = vec.norm()
                unit = vec / norm if float(norm) > 0 else vec * 0
                u = torch.arange(1, num_samples + 1, dtype=paf.dtype, device=paf.device) / (num_samples + 1)
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col = pts[:, 0].round().clamp(0, W - 1).long()
                row = pts[:, 1].round().clamp(0, H - 1).long()
                return (paf[:, row, col] * unit[:, None]).sum(0).mean()
        ''',
    },
    "assoc_u_over_n": {
        "why": "u = i/n: the last sample stops short of d2",
        "feedback": "both end points are samples",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                if num_samples < 2:
                    raise ValueError("num_samples must be at least 2")
                H, W = paf.shape[-2:]
                vec = (d2 - d1).to(paf.dtype)
                norm = vec.norm()
                unit = vec / norm if float(norm) > 0 else vec * 0
                u = torch.arange(num_samples, dtype=paf.dtype, device=paf.device) / num_samples
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col = pts[:, 0].round().clamp(0, W - 1).long()
                row = pts[:, 1].round().clamp(0, H - 1).long()
                return (paf[:, row, col] * unit[:, None]).sum(0).mean()
        ''',
    },
    "assoc_demo_distance_prior": {
        "why": "the demo code's score_with_dist_prior (image height = the field's height)",
        "feedback": "no distance prior",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                score = _solution_association_score(paf, d1, d2, num_samples)
                norm = float((d2 - d1).double().norm())
                if norm == 0:
                    return score
                return score + min(0.5 * paf.shape[-2] / norm - 1, 0)
        ''',
    },
    "assoc_no_clamp": {
        "why": "rounded coordinates used as indices without clamping (negative ones wrap around)",
        "feedback": "clamp",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                if num_samples < 2:
                    raise ValueError("num_samples must be at least 2")
                vec = (d2 - d1).to(paf.dtype)
                norm = vec.norm()
                unit = vec / norm if float(norm) > 0 else vec * 0
                u = torch.arange(num_samples, dtype=paf.dtype, device=paf.device) / (num_samples - 1)
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col, row = pts[:, 0].round().long(), pts[:, 1].round().long()
                return (paf[:, row, col] * unit[:, None]).sum(0).mean()
        ''',
    },
    "assoc_same_point_nan": {
        "why": "d1 = d2: 0/0",
        "feedback": "no direction",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                if num_samples < 2:
                    raise ValueError("num_samples must be at least 2")
                H, W = paf.shape[-2:]
                vec = (d2 - d1).to(paf.dtype)
                unit = vec / vec.norm()
                u = torch.arange(num_samples, dtype=paf.dtype, device=paf.device) / (num_samples - 1)
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col = pts[:, 0].round().clamp(0, W - 1).long()
                row = pts[:, 1].round().clamp(0, H - 1).long()
                return (paf[:, row, col] * unit[:, None]).sum(0).mean()
        ''',
    },
    "assoc_no_value_error": {
        "why": "num_samples < 2 not checked",
        "feedback": "ValueError",
        "source": '''
            def association_score(paf, d1, d2, num_samples=10):
                H, W = paf.shape[-2:]
                vec = (d2 - d1).to(paf.dtype)
                norm = vec.norm()
                unit = vec / torch.where(norm > 0, norm, torch.ones_like(norm))
                u = torch.linspace(0, 1, max(num_samples, 1), dtype=paf.dtype, device=paf.device)
                pts = d1.to(paf.dtype)[None] + u[:, None] * vec[None]
                col = pts[:, 0].round().clamp(0, W - 1).long()
                row = pts[:, 1].round().clamp(0, H - 1).long()
                return (paf[:, row, col] * unit[:, None]).sum(0).mean()
        ''',
    },
    # ------------------------------------------------------------------ match_limbs
    "match_greedy": {
        "why": "the demo code: candidates sorted by score, taken while both ends are free",
        "feedback": "greedy",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                s = scores.tolist()
                cand = sorted(((s[i][j], i, j) for i in range(len(s)) for j in range(len(s[i]))
                               if s[i][j] > threshold), reverse=True)
                used_i, used_j, pairs = set(), set(), []
                for _, i, j in cand:
                    if i not in used_i and j not in used_j:
                        pairs.append((i, j))
                        used_i.add(i)
                        used_j.add(j)
                return torch.tensor(sorted(pairs), dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
    "match_complete_assignment": {
        "why": "the Hungarian algorithm's complete assignment kept: low and negative pairs included",
        "feedback": "complete assignment",
        "source": '''
            import itertools as _it

            def match_limbs(scores, threshold=0.0):
                s = scores.tolist()
                n1, n2 = scores.shape
                if n1 == 0 or n2 == 0:
                    return torch.zeros(0, 2, dtype=torch.int64, device=scores.device)
                best, best_pairs = None, []
                if n1 <= n2:
                    for perm in _it.permutations(range(n2), n1):
                        t = sum(s[i][j] for i, j in enumerate(perm))
                        if best is None or t > best:
                            best, best_pairs = t, [(i, j) for i, j in enumerate(perm)]
                else:
                    for perm in _it.permutations(range(n1), n2):
                        t = sum(s[i][j] for j, i in enumerate(perm))
                        if best is None or t > best:
                            best, best_pairs = t, [(i, j) for j, i in enumerate(perm)]
                return torch.tensor(sorted(best_pairs), dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
    "match_rowwise_argmax": {
        "why": "each candidate i takes its best j: a j can be used twice",
        "feedback": "used twice",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                pairs = []
                for i, row in enumerate(scores.tolist()):
                    if row:
                        j = max(range(len(row)), key=row.__getitem__)
                        if row[j] > threshold:
                            pairs.append((i, j))
                return torch.tensor(pairs, dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
    "match_threshold_not_strict": {
        "why": "s ≥ threshold connects",
        "feedback": "strict",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                nudge = torch.where(scores == threshold, torch.full_like(scores, 1e-9), torch.zeros_like(scores))
                return _solution_match_limbs(scores + nudge, threshold)
        ''',
    },
    "match_max_cardinality": {
        "why": "the most pairs first, then the best total among those",
        "feedback": "more pairs is not better",
        "source": '''
            import itertools as _it

            def match_limbs(scores, threshold=0.0):
                s = scores.tolist()
                n1, n2 = scores.shape
                best_key, best_pairs = (0, 0.0), []
                edges = [(i, j) for i in range(n1) for j in range(n2) if s[i][j] > threshold]
                for r in range(1, min(n1, n2) + 1):
                    for combo in _it.combinations(edges, r):
                        if len({i for i, _ in combo}) == r and len({j for _, j in combo}) == r:
                            key = (r, sum(s[i][j] for i, j in combo))
                            if key > best_key:
                                best_key, best_pairs = key, list(combo)
                return torch.tensor(sorted(best_pairs), dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
    "match_sorted_by_score": {
        "why": "pairs returned in order of score (as the demo's connection list), not by i",
        "feedback": "sorted by i",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                pairs = _solution_match_limbs(scores, threshold).tolist()
                s = scores.tolist()
                pairs.sort(key=lambda p: -s[p[0]][p[1]])
                return torch.tensor(pairs, dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
    "match_transposed_pairs": {
        "why": "solves the transposed problem when n2 > n1 and forgets to swap the pairs back",
        "feedback": "(row, column)",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                n1, n2 = scores.shape
                if n2 > n1:
                    return _solution_match_limbs(scores.T.contiguous(), threshold)
                return _solution_match_limbs(scores, threshold)
        ''',
    },
    "match_square_permutations_only": {
        "why": "brute force over permutations(range(n2), n1): nothing when n1 > n2",
        "feedback": "rectangular",
        "source": '''
            import itertools as _it

            def match_limbs(scores, threshold=0.0):
                s = scores.tolist()
                n1, n2 = scores.shape
                best, best_pairs = 0.0, []
                for perm in _it.permutations(range(n2), n1):
                    pairs = [(i, j) for i, j in enumerate(perm) if s[i][j] > threshold]
                    t = sum(s[i][j] for i, j in pairs)
                    if t > best:
                        best, best_pairs = t, pairs
                return torch.tensor(sorted(best_pairs), dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
    "match_empty_shape": {
        "why": "torch.tensor([]) of shape (0,) when nothing connects",
        "feedback": "(0, 2)",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                out = _solution_match_limbs(scores, threshold)
                return out if out.shape[0] else torch.tensor([], dtype=torch.int64, device=scores.device)
        ''',
    },
    "match_scipy": {
        "why": "the forbidden shortcut scipy.optimize.linear_sum_assignment",
        "feedback": "scipy",
        "source": '''
            def match_limbs(scores, threshold=0.0):
                from scipy.optimize import linear_sum_assignment
                s = scores.detach().cpu().double()
                w = torch.where(s > threshold, s, torch.zeros_like(s)).numpy()
                r, c = linear_sum_assignment(w, maximize=True)
                pairs = sorted((int(i), int(j)) for i, j in zip(r, c) if s[i, j] > threshold)
                return torch.tensor(pairs, dtype=torch.int64, device=scores.device).reshape(-1, 2)
        ''',
    },
}

# the solution's functions stay reachable under another name for the mutants that wrap them
_PRELUDE = '''
_solution_confidence_map = confidence_map
_solution_paf_target = paf_target
_solution_association_score = association_score
_solution_match_limbs = match_limbs
'''
for _m in MUTANTS.values():
    _m["source"] = _PRELUDE + __import__("textwrap").dedent(_m["source"])


ALTERNATIVES = {
    # ------------------------------------------------------------------ OpenPose's own code, adapted
    "openpose_training_code_gaussian": '''
        def confidence_map(keypoints, height, width, sigma, visible=None):
            # putGaussianMaps of OpenPose's training code (stride 1, no half-pixel start, no 1 % cut-off), with the
            # paper's exp(−d²/σ²) and eq. (7)'s max instead of the training code's "+= then clip at 1".
            import numpy as np
            kp = keypoints.detach().cpu().double().numpy().reshape(-1, 2)
            vis = [True] * len(kp) if visible is None else [bool(v) for v in visible.tolist()]
            xx, yy = np.meshgrid(np.arange(width), np.arange(height))
            accumulate_confid_map = np.zeros((height, width))
            for center, seen in zip(kp, vis):
                if not seen:
                    continue
                d2 = (xx - center[0]) ** 2 + (yy - center[1]) ** 2
                exponent = d2 / sigma / sigma
                accumulate_confid_map = np.maximum(accumulate_confid_map, np.exp(-exponent))
            dtype = keypoints.dtype if keypoints.is_floating_point() else torch.float32
            return torch.from_numpy(accumulate_confid_map).to(device=keypoints.device, dtype=dtype)
    ''',
    "openpose_training_code_vecmaps": '''
        def paf_target(limbs, height, width, limb_width, visible=None):
            # putVecMaps of OpenPose's training code (stride 1), with the paper's rectangle (eq. 9) over the whole
            # grid instead of the end points' bounding box, and a closed width test; the running mean with `count`
            # is the training code's.
            import numpy as np
            L = limbs.detach().cpu().double().numpy().reshape(-1, 2, 2)
            vis = [True] * len(L) if visible is None else [bool(v) for v in visible.tolist()]
            accumulate_vec_map = np.zeros((2, height, width))
            count = np.zeros((height, width))
            xx, yy = np.meshgrid(np.arange(width), np.arange(height))
            for (centerA, centerB), seen in zip(L, vis):
                limb_vec = centerB - centerA
                norm = np.linalg.norm(limb_vec)
                if norm == 0.0 or not seen:
                    continue
                limb_vec_unit = limb_vec / norm
                ba_x, ba_y = xx - centerA[0], yy - centerA[1]
                along = ba_x * limb_vec_unit[0] + ba_y * limb_vec_unit[1]
                across = np.abs(ba_x * limb_vec_unit[1] - ba_y * limb_vec_unit[0])
                mask = (across <= limb_width) & (along >= 0) & (along <= norm)
                vec_map = mask[None] * limb_vec_unit[:, None, None]
                accumulate_vec_map = accumulate_vec_map * count[None]
                accumulate_vec_map += vec_map
                count[mask] += 1
                accumulate_vec_map = accumulate_vec_map / np.maximum(count, 1)[None]
            dtype = limbs.dtype if limbs.is_floating_point() else torch.float32
            return torch.from_numpy(accumulate_vec_map).to(device=limbs.device, dtype=dtype)
    ''',
    "openpose_demo_code_integral": '''
        def association_score(paf, d1, d2, num_samples=10):
            # the demo's candidate scoring (np.linspace with both ends, Python's round), without its distance prior
            # and its "80 % of the samples above thre2" criterion, and with the samples clamped into the map.
            import math
            import numpy as np
            if num_samples < 2:
                raise ValueError("num_samples must be at least 2")
            score_mid = paf.detach().cpu().double().numpy()
            H, W = score_mid.shape[-2:]
            candA, candB = [float(v) for v in d1.tolist()], [float(v) for v in d2.tolist()]
            vec = np.subtract(candB, candA)
            norm = math.sqrt(vec[0] * vec[0] + vec[1] * vec[1])
            if norm == 0:
                return torch.zeros((), dtype=paf.dtype, device=paf.device)
            vec = np.divide(vec, norm)
            startend = list(zip(np.linspace(candA[0], candB[0], num=num_samples),
                                np.linspace(candA[1], candB[1], num=num_samples)))
            rows = [min(max(int(round(startend[I][1])), 0), H - 1) for I in range(len(startend))]
            cols = [min(max(int(round(startend[I][0])), 0), W - 1) for I in range(len(startend))]
            vec_x = np.array([score_mid[0, r, c] for r, c in zip(rows, cols)])
            vec_y = np.array([score_mid[1, r, c] for r, c in zip(rows, cols)])
            score_midpts = np.multiply(vec_x, vec[0]) + np.multiply(vec_y, vec[1])
            return torch.tensor(sum(score_midpts) / len(score_midpts), dtype=paf.dtype, device=paf.device)
    ''',
    "hungarian_algorithm": '''
        def match_limbs(scores, threshold=0.0):
            # the paper's Hungarian algorithm (Kuhn-Munkres with potentials, O(n³)) on the square matrix padded with
            # zeros, cost = −max(s, 0 where s ≤ threshold); pairs at or below the threshold are dropped afterwards.
            n1, n2 = scores.shape
            s = scores.detach().cpu().double().tolist()
            n = max(n1, n2)
            if n1 == 0 or n2 == 0:
                return torch.zeros(0, 2, dtype=torch.int64, device=scores.device)
            cost = [[-(s[i][j] if i < n1 and j < n2 and s[i][j] > threshold else 0.0) for j in range(n)]
                    for i in range(n)]
            INF = float("inf")
            u, v, p, way = [0.0] * (n + 1), [0.0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
            for i in range(1, n + 1):
                p[0], j0 = i, 0
                minv, used = [INF] * (n + 1), [False] * (n + 1)
                while True:
                    used[j0] = True
                    i0, delta, j1 = p[j0], INF, 0
                    for j in range(1, n + 1):
                        if not used[j]:
                            cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                            if cur < minv[j]:
                                minv[j], way[j] = cur, j0
                            if minv[j] < delta:
                                delta, j1 = minv[j], j
                    for j in range(n + 1):
                        if used[j]:
                            u[p[j]] += delta
                            v[j] -= delta
                        else:
                            minv[j] -= delta
                    j0 = j1
                    if p[j0] == 0:
                        break
                while True:
                    j1 = way[j0]
                    p[j0] = p[j1]
                    j0 = j1
                    if j0 == 0:
                        break
            pairs = sorted((p[j] - 1, j - 1) for j in range(1, n + 1)
                           if p[j] and p[j] - 1 < n1 and j - 1 < n2 and s[p[j] - 1][j - 1] > threshold)
            return torch.tensor(pairs, dtype=torch.int64, device=scores.device).reshape(-1, 2)
    ''',
    "brute_force_assignments": '''
        import itertools as _it

        def match_limbs(scores, threshold=0.0):
            # every injective assignment of the smaller side into the larger one, pairs ≤ threshold left out
            n1, n2 = scores.shape
            s = scores.tolist()
            best, best_pairs = 0.0, []
            if n1 <= n2:
                assignments = ([(i, j) for i, j in enumerate(perm)] for perm in _it.permutations(range(n2), n1))
            else:
                assignments = ([(i, j) for j, i in enumerate(perm)] for perm in _it.permutations(range(n1), n2))
            for cand in assignments:
                pairs = [(i, j) for i, j in cand if s[i][j] > threshold]
                t = sum(s[i][j] for i, j in pairs)
                if t > best:
                    best, best_pairs = t, pairs
            return torch.tensor(sorted(best_pairs), dtype=torch.int64, device=scores.device).reshape(-1, 2)
    ''',
    # ------------------------------------------------------------------ other styles
    "float64_internals_and_linspace": '''
        def confidence_map(keypoints, height, width, sigma, visible=None):
            kp = keypoints.double().reshape(-1, 2)
            if visible is not None:
                kp = kp[visible.to(torch.bool)]
            yy, xx = torch.meshgrid(torch.arange(height, dtype=torch.float64, device=kp.device),
                                    torch.arange(width, dtype=torch.float64, device=kp.device), indexing="ij")
            out = torch.zeros(height, width, dtype=torch.float64, device=kp.device)
            for x, y in kp:
                out = torch.maximum(out, torch.exp(-((xx - x) ** 2 + (yy - y) ** 2) / sigma ** 2))
            return out.to(keypoints.dtype)

        def association_score(paf, d1, d2, num_samples=10):
            if num_samples < 2:
                raise ValueError("need two samples at least")
            H, W = paf.shape[-2:]
            a, b = d1.double(), d2.double()
            xs = torch.linspace(float(a[0]), float(b[0]), num_samples, dtype=torch.float64, device=paf.device)
            ys = torch.linspace(float(a[1]), float(b[1]), num_samples, dtype=torch.float64, device=paf.device)
            vec = b - a
            norm = torch.linalg.vector_norm(vec)
            if float(norm) == 0.0:
                return paf.new_zeros(())
            flat = paf.double().reshape(2, -1)
            idx = ys.round().clamp(0, H - 1).long() * W + xs.round().clamp(0, W - 1).long()
            dots = torch.einsum("cn,c->n", flat[:, idx], (vec / norm).to(paf.device))
            return dots.mean().to(paf.dtype)
    ''',
    "per_pixel_loops": '''
        import math as _math

        def paf_target(limbs, height, width, limb_width, visible=None):
            L = limbs.double().tolist()
            vis = [True] * len(L) if visible is None else [bool(v) for v in visible.tolist()]
            field = [[[0.0] * width for _ in range(height)] for _ in range(2)]
            for r in range(height):
                for c in range(width):
                    sx = sy = 0.0
                    n = 0
                    for ((ax, ay), (bx, by)), seen in zip(L, vis):
                        dx, dy = bx - ax, by - ay
                        length = _math.hypot(dx, dy)
                        if not seen or length == 0:
                            continue
                        vx, vy = dx / length, dy / length
                        along = vx * (c - ax) + vy * (r - ay)
                        across = -vy * (c - ax) + vx * (r - ay)
                        if 0 <= along <= length and abs(across) <= limb_width:
                            sx, sy, n = sx + vx, sy + vy, n + 1
                    if n:
                        field[0][r][c], field[1][r][c] = sx / n, sy / n
            dtype = limbs.dtype if limbs.is_floating_point() else torch.float32
            return torch.tensor(field, dtype=dtype, device=limbs.device)

        def match_limbs(scores, threshold=0.0):
            # a plain recursion over the rows (no memo): fine for n ≤ 8
            s = scores.tolist()
            n1 = len(s)
            n2 = scores.shape[1]

            def go(i, free):
                if i == n1:
                    return 0.0, []
                best = go(i + 1, free)
                for j in free:
                    if s[i][j] > threshold:
                        t, rest = go(i + 1, free - {j})
                        if t + s[i][j] > best[0]:
                            best = (t + s[i][j], [(i, j)] + rest)
                return best
            if n1 > n2:
                flipped = match_limbs(scores.T.contiguous(), threshold).flip(1)
                order = torch.argsort(flipped[:, 0], stable=True) if flipped.numel() else None
                return flipped[order] if order is not None else flipped
            return torch.tensor(go(0, frozenset(range(n2)))[1], dtype=torch.int64,
                                device=scores.device).reshape(-1, 2)
    ''',
}
