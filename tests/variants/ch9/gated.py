"""Recorded variants of ch9/gated.py: MUTANTS (realistic mistakes; each must be rejected by at least one grader, with
the "feedback" substring in the failure output) and ALTERNATIVES (correct code written differently; every grader
must accept them).

Each entry is appended to the reference solution, so it replaces the named functions and may use the solution's
imports and other functions.
"""
MUTANTS = {
    # ------------------------------------------------------------------ gru_cell
    "gru_update_gate_reversed": {
        "why": "H' = z ⊙ n + (1 − z) ⊙ H: the update gate mixed the wrong way round",
        "feedback": "mixed the wrong way round",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                i_r, i_z, i_n = (X @ W_ih.T + b_ih).chunk(3, dim=1)
                h_r, h_z, h_n = (H @ W_hh.T + b_hh).chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + r * h_n)
                return z * n + (1 - z) * H
        ''',
    },
    "gru_cho_candidate": {
        "why": "the d2l/Cho candidate: the reset gate applied to H before the product, tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)",
        "feedback": "d2l/Cho candidate",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                h = H.shape[1]
                i_r, i_z, i_n = (X @ W_ih.T + b_ih).chunk(3, dim=1)
                h_r, h_z, _ = (H @ W_hh.T + b_hh).chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + (r * H) @ W_hh[2 * h:].T + b_hh[2 * h:])
                return (1 - z) * n + z * H
        ''',
    },
    "gru_gates_zr_order": {
        "why": "reads the blocks as (z, r, n) (the book's parameter order W_xz before W_xr)",
        "feedback": "gates are swapped",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                i_z, i_r, i_n = (X @ W_ih.T + b_ih).chunk(3, dim=1)
                h_z, h_r, h_n = (H @ W_hh.T + b_hh).chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + r * h_n)
                return (1 - z) * n + z * H
        ''',
    },
    "gru_bias_outside_reset": {
        "why": "n = tanh(W_in x + b_in + b_hn + r ⊙ (W_hn h)): b_hn not multiplied by the reset gate",
        "feedback": "b_hn sits outside the reset gate",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                h = H.shape[1]
                i_r, i_z, i_n = (X @ W_ih.T + b_ih).chunk(3, dim=1)
                h_r, h_z, _ = (H @ W_hh.T + b_hh).chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + b_hh[2 * h:] + r * (H @ W_hh[2 * h:].T))
                return (1 - z) * n + z * H
        ''',
    },
    "gru_reset_gate_unused": {
        "why": "n = tanh(W_in x + b_in + W_hn h + b_hn): r is computed but never applied",
        "feedback": "reset gate is not used",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                i_r, i_z, i_n = (X @ W_ih.T + b_ih).chunk(3, dim=1)
                h_r, h_z, h_n = (H @ W_hh.T + b_hh).chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + h_n)
                return (1 - z) * n + z * H
        ''',
    },
    "gru_weights_not_transposed": {
        "why": "X @ W_ih (the book's (d, h) layout) on PyTorch's (3h, d) weights",
        "feedback": "X @ W_ih.T",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                i_r, i_z, i_n = (X @ W_ih + b_ih).chunk(3, dim=1)
                h_r, h_z, h_n = (H @ W_hh + b_hh).chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + r * h_n)
                return (1 - z) * n + z * H
        ''',
    },
    "gru_cell_uses_torch_gru_cell": {
        "why": "calls torch.gru_cell (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
                return torch.gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
        ''',
    },
    # ------------------------------------------------------------------ lstm_cell
    "lstm_d2l_gate_order": {
        "why": "reads the blocks in d2l's parameter order (i, f, o, g)",
        "feedback": "d2l's parameter order",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                H, C = state
                i, f, o, g = (X @ W_ih.T + b_ih + H @ W_hh.T + b_hh).chunk(4, dim=1)
                i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
                C = f * C + i * g
                return o * torch.tanh(C), C
        ''',
    },
    "lstm_forget_input_swapped": {
        "why": "reads the blocks as (f, i, g, o)",
        "feedback": "input and forget gates swapped",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                H, C = state
                f, i, g, o = (X @ W_ih.T + b_ih + H @ W_hh.T + b_hh).chunk(4, dim=1)
                i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
                C = f * C + i * g
                return o * torch.tanh(C), C
        ''',
    },
    "lstm_old_cell_in_H": {
        "why": "H' = o ⊙ tanh(C) with the old memory cell",
        "feedback": "old memory cell",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                H, C = state
                i, f, g, o = (X @ W_ih.T + b_ih + H @ W_hh.T + b_hh).chunk(4, dim=1)
                i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
                C_new = f * C + i * g
                return o * torch.tanh(C), C_new
        ''',
    },
    "lstm_candidate_without_tanh": {
        "why": "C' = f ⊙ C + i ⊙ g with g not passed through tanh",
        "feedback": "through tanh",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                H, C = state
                i, f, g, o = (X @ W_ih.T + b_ih + H @ W_hh.T + b_hh).chunk(4, dim=1)
                i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
                C = f * C + i * g
                return o * torch.tanh(C), C
        ''',
    },
    "lstm_no_tanh_on_new_cell": {
        "why": "H' = o ⊙ C' (tanh forgotten on the memory cell)",
        "feedback": "tanh is missing on the memory cell",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                H, C = state
                i, f, g, o = (X @ W_ih.T + b_ih + H @ W_hh.T + b_hh).chunk(4, dim=1)
                i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
                C = f * C + i * g
                return o * C, C
        ''',
    },
    "lstm_cell_updates_C_in_place": {
        "why": "C.mul_(f).add_(i * g): the caller's memory cell is overwritten",
        "feedback": "changed its input state[1] in place",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                H, C = state
                i, f, g, o = (X @ W_ih.T + b_ih + H @ W_hh.T + b_hh).chunk(4, dim=1)
                i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
                C = C.mul_(f).add_(i * g)
                return o * torch.tanh(C), C
        ''',
    },
    "lstm_cell_uses_nn_lstmcell": {
        "why": "wraps nn.LSTMCell (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
                cell = torch.nn.LSTMCell(X.shape[1], W_hh.shape[1], dtype=X.dtype, device=X.device)
                cell.weight_ih.data, cell.weight_hh.data = W_ih, W_hh
                cell.bias_ih.data, cell.bias_hh.data = b_ih, b_hh
                return cell(X, state)
        ''',
    },
    # ------------------------------------------------------------------ gru
    "gru_state_not_carried": {
        "why": "every step from the initial state: gru_cell(X, H0) inside the loop, H never reassigned",
        "feedback": "carry the state along",
        "source": '''
            def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
                if H is None:
                    H = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                outputs = [gru_cell(X, H, W_ih, W_hh, b_ih, b_hh) for X in inputs]
                return torch.stack(outputs), outputs[-1]
        ''',
    },
    "gru_outputs_concatenated": {
        "why": "torch.cat(outputs, dim=0) (the ch8 scratch rnn's (T·B, ·) layout) instead of stacking",
        "feedback": "torch.stack",
        "source": '''
            def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
                if H is None:
                    H = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                outputs = []
                for X in inputs:
                    H = gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.cat(outputs, dim=0), H
        ''',
    },
    "gru_outputs_before_step": {
        "why": "appends the state before updating it: outputs = [H_0, …, H_{T-1}]",
        "feedback": "after** step t",
        "source": '''
            def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
                if H is None:
                    H = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                outputs = []
                for X in inputs:
                    outputs.append(H)
                    H = gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
                return torch.stack(outputs), H
        ''',
    },
    "gru_zero_state_on_default_device": {
        "why": "torch.zeros(B, h) for a None state: float32 on the CPU whatever the inputs are",
        "feedback": "device=inputs.device",
        "source": '''
            def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
                if H is None:
                    H = torch.zeros(inputs.shape[1], W_hh.shape[1])
                outputs = []
                for X in inputs:
                    H = gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), H
        ''',
    },
    "gru_final_state_like_nn_gru": {
        "why": "returns H_T as (1, B, h), nn.GRU's layout",
        "feedback": "cell's shape (B, h)",
        "source": '''
            def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
                if H is None:
                    H = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                outputs = []
                for X in inputs:
                    H = gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), H[None]
        ''',
    },
    "gru_uses_nn_grucell": {
        "why": "runs nn.GRUCell over time (forbidden in gru)",
        "feedback": "not allowed",
        "source": '''
            def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
                if H is None:
                    H = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                outputs = []
                for X in inputs:
                    H = torch.gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), H
        ''',
    },
    # ------------------------------------------------------------------ lstm
    "lstm_outputs_are_memory_cells": {
        "why": "collects C_t instead of H_t",
        "feedback": "not the memory cells",
        "source": '''
            def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
                if state is None:
                    z = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                    state = (z, z)
                H, C = state
                outputs = []
                for X in inputs:
                    H, C = lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh)
                    outputs.append(C)
                return torch.stack(outputs), (H, C)
        ''',
    },
    "lstm_final_state_swapped": {
        "why": "returns (C_T, H_T)",
        "feedback": "(H_T, C_T)",
        "source": '''
            def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
                if state is None:
                    z = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                    state = (z, z)
                H, C = state
                outputs = []
                for X in inputs:
                    H, C = lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), (C, H)
        ''',
    },
    "lstm_memory_not_carried": {
        "why": "keeps only H from each step: every step starts from the initial memory cell",
        "feedback": "memory cell is not carried",
        "source": '''
            def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
                if state is None:
                    z = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                    state = (z, z)
                H, C = state
                outputs = []
                for X in inputs:
                    H, C_last = lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), (H, C_last)
        ''',
    },
    "lstm_zero_state_on_default_device": {
        "why": "torch.zeros(B, h) for a None state: float32 on the CPU",
        "feedback": "device=inputs.device",
        "source": '''
            def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
                if state is None:
                    state = (torch.zeros(inputs.shape[1], W_hh.shape[1]), torch.zeros(inputs.shape[1], W_hh.shape[1]))
                H, C = state
                outputs = []
                for X in inputs:
                    H, C = lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), (H, C)
        ''',
    },
    "lstm_uses_torch_lstm_cell": {
        "why": "runs torch.lstm_cell over time (forbidden in lstm)",
        "feedback": "not allowed",
        "source": '''
            def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
                if state is None:
                    z = torch.zeros(inputs.shape[1], W_hh.shape[1], dtype=inputs.dtype, device=inputs.device)
                    state = (z, z)
                H, C = state
                outputs = []
                for X in inputs:
                    H, C = torch.lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh)
                    outputs.append(H)
                return torch.stack(outputs), (H, C)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l §9.1-9.2's code (separate matrices X @ W_xz, …), on slices of the stacked weights; the GRU candidate
    # adapted to PyTorch's form (the contract's convention), the LSTM blocks read in PyTorch's order.
    "d2l_book_style": '''
        def _three(W_ih, W_hh, b_ih, b_hh, k, h):
            """(W_x·, W_h·, b_x·, b_h·) of block k in the book's (in, out) layout."""
            rows = slice(k * h, (k + 1) * h)
            return W_ih[rows].T, W_hh[rows].T, b_ih[rows], b_hh[rows]

        def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
            h = W_hh.shape[1]
            W_xr, W_hr, b_xr, b_hr = _three(W_ih, W_hh, b_ih, b_hh, 0, h)   # 重置门参数
            W_xz, W_hz, b_xz, b_hz = _three(W_ih, W_hh, b_ih, b_hh, 1, h)   # 更新门参数
            W_xh, W_hh_, b_xh, b_hh_ = _three(W_ih, W_hh, b_ih, b_hh, 2, h)  # 候选隐状态参数
            Z = torch.sigmoid((X @ W_xz) + b_xz + (H @ W_hz) + b_hz)
            R = torch.sigmoid((X @ W_xr) + b_xr + (H @ W_hr) + b_hr)
            H_tilda = torch.tanh((X @ W_xh) + b_xh + R * ((H @ W_hh_) + b_hh_))
            return Z * H + (1 - Z) * H_tilda

        def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
            h = W_hh.shape[1]
            (H, C) = state
            W_xi, W_hi, b_xi, b_hi = _three(W_ih, W_hh, b_ih, b_hh, 0, h)   # 输入门参数
            W_xf, W_hf, b_xf, b_hf = _three(W_ih, W_hh, b_ih, b_hh, 1, h)   # 遗忘门参数
            W_xc, W_hc, b_xc, b_hc = _three(W_ih, W_hh, b_ih, b_hh, 2, h)   # 候选记忆元参数
            W_xo, W_ho, b_xo, b_ho = _three(W_ih, W_hh, b_ih, b_hh, 3, h)   # 输出门参数
            I = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_xi + b_hi)
            F = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_xf + b_hf)
            O = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_xo + b_ho)
            C_tilda = torch.tanh((X @ W_xc) + (H @ W_hc) + b_xc + b_hc)
            C = F * C + I * C_tilda
            H = O * torch.tanh(C)
            return H, C

        def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
            if H is None:
                H = torch.zeros((inputs.shape[1], W_hh.shape[1]), dtype=inputs.dtype, device=inputs.device)
            outputs = []
            for X in inputs:
                H = gru_cell(X, H, W_ih, W_hh, b_ih, b_hh)
                outputs.append(H)
            return torch.stack(outputs, dim=0), H

        def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
            if state is None:
                state = (torch.zeros((inputs.shape[1], W_hh.shape[1]), dtype=inputs.dtype, device=inputs.device),
                         torch.zeros((inputs.shape[1], W_hh.shape[1]), dtype=inputs.dtype, device=inputs.device))
            (H, C) = state
            outputs = []
            for X in inputs:
                H, C = lstm_cell(X, (H, C), W_ih, W_hh, b_ih, b_hh)
                outputs.append(H)
            return torch.stack(outputs, dim=0), (H, C)
    ''',
    # float64 internals with einsum; the sequences project every time step's input at once and write into a
    # preallocated output tensor; states from new_zeros.
    "float64_einsum_preallocated": '''
        def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
            x, hh = X.double(), H.double()
            gi = torch.einsum("bd,gd->bg", x, W_ih.double()) + b_ih.double()
            gh = torch.einsum("bh,gh->bg", hh, W_hh.double()) + b_hh.double()
            h = hh.shape[1]
            r = 1 / (1 + torch.exp(-(gi[:, :h] + gh[:, :h])))
            z = 1 / (1 + torch.exp(-(gi[:, h:2 * h] + gh[:, h:2 * h])))
            n = torch.tanh(gi[:, 2 * h:] + r * gh[:, 2 * h:])
            return (n + z * (hh - n)).to(X.dtype)

        def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
            H, C = state
            g4 = (torch.einsum("bd,gd->bg", X.double(), W_ih.double())
                  + torch.einsum("bh,gh->bg", H.double(), W_hh.double()) + (b_ih.double() + b_hh.double()))
            h = H.shape[1]
            i, f, g, o = (g4[:, k * h:(k + 1) * h] for k in range(4))
            C2 = torch.sigmoid(f) * C.double() + torch.sigmoid(i) * torch.tanh(g)
            return (torch.sigmoid(o) * torch.tanh(C2)).to(X.dtype), C2.to(X.dtype)

        def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
            T, B, _ = inputs.shape
            h = W_hh.shape[1]
            if H is None:
                H = inputs.new_zeros(B, h)
            out = inputs.new_empty(T, B, h)
            for t in range(T):
                H = gru_cell(inputs[t], H, W_ih, W_hh, b_ih, b_hh)
                out[t] = H
            return out, H

        def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
            T, B, _ = inputs.shape
            h = W_hh.shape[1]
            H, C = state if state is not None else (inputs.new_zeros(B, h), inputs.new_zeros(B, h))
            out = inputs.new_empty(T, B, h)
            for t in range(T):
                H, C = lstm_cell(inputs[t], (H, C), W_ih, W_hh, b_ih, b_hh)
                out[t] = H
            return out, (H, C)
    ''',
    # the input projections of all steps in one matmul (as cuDNN does), then the recurrence; F.linear for the
    # hidden side.
    "projected_inputs": '''
        import torch.nn.functional as F

        def gru_cell(X, H, W_ih, W_hh, b_ih, b_hh):
            return _gru_step(F.linear(X, W_ih, b_ih), H, W_hh, b_hh)

        def _gru_step(gi, H, W_hh, b_hh):
            gh = F.linear(H, W_hh, b_hh)
            r, z, _ = torch.sigmoid(gi + gh).chunk(3, 1)
            n = torch.tanh(gi.chunk(3, 1)[2] + r * gh.chunk(3, 1)[2])
            return torch.lerp(n, H, z)

        def lstm_cell(X, state, W_ih, W_hh, b_ih, b_hh):
            return _lstm_step(F.linear(X, W_ih, b_ih), state, W_hh, b_hh)

        def _lstm_step(gi, state, W_hh, b_hh):
            H, C = state
            i, f, g, o = (gi + F.linear(H, W_hh, b_hh)).chunk(4, 1)
            C = torch.addcmul(torch.sigmoid(f) * C, torch.sigmoid(i), torch.tanh(g))
            return torch.sigmoid(o) * torch.tanh(C), C

        def gru(inputs, H, W_ih, W_hh, b_ih, b_hh):
            G = F.linear(inputs, W_ih, b_ih)                                 # (T, B, 3h)
            H = torch.zeros_like(G[0, :, :W_hh.shape[1]]) if H is None else H
            outs = []
            for t in range(G.shape[0]):
                H = _gru_step(G[t], H, W_hh, b_hh)
                outs.append(H)
            return torch.stack(outs), outs[-1]

        def lstm(inputs, state, W_ih, W_hh, b_ih, b_hh):
            G = F.linear(inputs, W_ih, b_ih)                                 # (T, B, 4h)
            if state is None:
                z = torch.zeros_like(G[0, :, :W_hh.shape[1]])
                state = (z, z.clone())
            outs = []
            for t in range(G.shape[0]):
                state = _lstm_step(G[t], state, W_hh, b_hh)
                outs.append(state[0])
            return torch.stack(outs), tuple(state)
    ''',
}
