"""Recorded variants of ch9/deep_birnn.py: MUTANTS (realistic mistakes; each must be rejected by at least one grader,
with the "feedback" substring in the failure output) and ALTERNATIVES (correct code written differently; every grader
must accept them).

Each entry is appended to the reference solution, so it replaces the named functions and may use the solution's
imports and other functions.
"""

# The solution's loop with one line changed is the shape of most mistakes below; _run_direction keeps them short.
_HELPERS = '''
            def _weights(params, layer, suffix):
                return [params.get(f"{n}_l{layer}{suffix}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
'''

MUTANTS = {
    # ------------------------------------------------------------------ deep_birnn
    "backward_outputs_not_flipped": {
        "why": "the backward direction's outputs are stacked in the order they were computed (t = T-1 first)",
        "feedback": "flip the list back",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = []
                        for t in (range(T) if k == 0 else reversed(range(T))):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys.append(H)
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "reverse_weights_forgotten": {
        "why": "the backward direction runs with the forward weights (no _reverse suffix)",
        "feedback": "_reverse",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k in range(D):
                        W = _weights(params, layer, "")
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "backward_reads_forwards": {
        "why": "both directions iterate t = 0..T-1 (the backward one with its own weights)",
        "feedback": "read the sequence from the end",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = []
                        for t in range(T):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys.append(H)
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "states_direction_major": {
        "why": "H0 and H_n ordered [all forward layers, then all backward layers]",
        "feedback": "layer-major",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp = X
                finals = [[None] * num_layers for _ in range(D)]
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[k * num_layers + layer]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals[k][layer] = H
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack([H for direction in finals for H in direction])
        ''',
    },
    "backward_final_state_at_last_step": {
        "why": "takes every direction's final state as its output at t = T-1 (for the backward one: its first step)",
        "feedback": "output at t = 0",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(outs[-1][-1])
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "halves_swapped": {
        "why": "Y = [backward, forward]",
        "feedback": "forward half comes first",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs[::-1], dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "backward_continues_forward_state": {
        "why": "one H per layer: the backward direction starts from the forward direction's final state",
        "feedback": "continues from the forward direction's final state",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    H = H0[layer * D]
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "final_states_of_top_layer_only": {
        "why": "H_n = the last layer's final states only, (D, B, h)",
        "feedback": "not only the top layer",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp = X
                for layer in range(num_layers):
                    outs, finals = [], []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "H0_ignored": {
        "why": "always starts from zeros",
        "feedback": "H0 is ignored",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = torch.zeros(B, h, dtype=X.dtype, device=X.device)
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "upper_layers_read_forward_half": {
        "why": "layer l > 0 reads only the forward direction's output (h features instead of 2h)",
        "feedback": "both directions concatenated",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    Y = torch.cat(outs, dim=2)
                    inp = outs[0]
                return Y, torch.stack(finals)
        ''',
    },
    "bias_keys_required": {
        "why": "params[...] for the biases: KeyError for a GRU built with bias=False",
        "feedback": "params.get",
        "source": '''
            def _weights(params, layer, suffix):
                return [params[f"{n}_l{layer}{suffix}"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "always_two_directions": {
        "why": "ignores bidirectional=False: looks up _reverse keys that do not exist",
        "feedback": "no _reverse keys",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * 2, B, h, dtype=X.dtype, device=X.device)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")):
                        W = [params[f"{n}_l{layer}{suffix}"] for n in ("weight_ih", "weight_hh")] + \\
                            [params.get(f"{n}_l{layer}{suffix}") for n in ("bias_ih", "bias_hh")]
                        H = H0[layer * 2 + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "zero_state_on_default_device": {
        "why": "torch.zeros(L·D, B, h) for H0 = None: float32 on the CPU whatever X is",
        "feedback": "X's dtype and device",
        "source": _HELPERS + '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                D = 2 if bidirectional else 1
                T, B = X.shape[0], X.shape[1]
                h = params["weight_hh_l0"].shape[1]
                if H0 is None:
                    H0 = torch.zeros(num_layers * D, B, h)
                inp, finals = X, []
                for layer in range(num_layers):
                    outs = []
                    for k, suffix in enumerate(("", "_reverse")[:D]):
                        W = _weights(params, layer, suffix)
                        H = H0[layer * D + k]
                        ys = [None] * T
                        for t in (range(T) if k == 0 else range(T - 1, -1, -1)):
                            H = torch.gru_cell(inp[t], H, *W)
                            ys[t] = H
                        outs.append(torch.stack(ys))
                        finals.append(H)
                    inp = torch.cat(outs, dim=2)
                return inp, torch.stack(finals)
        ''',
    },
    "uses_nn_gru": {
        "why": "loads the parameters into nn.GRU (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
                gru = torch.nn.GRU(X.shape[2], params["weight_hh_l0"].shape[1], num_layers,
                                   bias="bias_ih_l0" in params, bidirectional=bidirectional, dtype=X.dtype,
                                   device=X.device)
                gru.load_state_dict(params)
                return gru(X, H0)
        ''',
    },
    # ------------------------------------------------------------------ gru_num_params
    "count_upper_input_as_h": {
        "why": "layer l > 0 input counted as h (not D·h)",
        "feedback": "not D·h",
        "source": '''
            def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
                D = 2 if bidirectional else 1
                total = 0
                for layer in range(num_layers):
                    d_in = input_size if layer == 0 else hidden_size
                    total += D * (3 * hidden_size * (d_in + hidden_size) + (6 * hidden_size if bias else 0))
                return total
        ''',
    },
    "count_upper_input_as_input_size": {
        "why": "every layer counted with input_size inputs",
        "feedback": "only layer 0 reads X",
        "source": '''
            def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
                D = 2 if bidirectional else 1
                return num_layers * D * (3 * hidden_size * (input_size + hidden_size) + (6 * hidden_size if bias else 0))
        ''',
    },
    "count_one_bias_vector": {
        "why": "3h biases per layer and direction (one bias vector, as the book's GRU has)",
        "feedback": "bias_ih and bias_hh",
        "source": '''
            def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
                D = 2 if bidirectional else 1
                total = 0
                for layer in range(num_layers):
                    d_in = input_size if layer == 0 else D * hidden_size
                    total += D * (3 * hidden_size * (d_in + hidden_size) + (3 * hidden_size if bias else 0))
                return total
        ''',
    },
    "count_directions_forgotten": {
        "why": "no factor D: one set of weights per layer",
        "feedback": "directions are not counted",
        "source": '''
            def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
                D = 2 if bidirectional else 1
                total = 0
                for layer in range(num_layers):
                    d_in = input_size if layer == 0 else D * hidden_size
                    total += 3 * hidden_size * (d_in + hidden_size) + (6 * hidden_size if bias else 0)
                return total
        ''',
    },
    "count_bias_always": {
        "why": "ignores bias=False",
        "feedback": "bias=False",
        "source": '''
            def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
                D = 2 if bidirectional else 1
                total = 0
                for layer in range(num_layers):
                    d_in = input_size if layer == 0 else D * hidden_size
                    total += D * (3 * hidden_size * (d_in + hidden_size) + 6 * hidden_size)
                return total
        ''',
    },
    "count_with_nn_gru": {
        "why": "builds an nn.GRU and counts its parameters (forbidden)",
        "feedback": "not allowed",
        "source": '''
            def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
                net = torch.nn.GRU(input_size, hidden_size, num_layers, bias=bias, bidirectional=bidirectional)
                return sum(p.numel() for p in net.parameters())
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    # d2l-en 2.0's scratch classes (RNNScratch / BiRNNScratch / StackedRNNScratch, §10.3-10.4) as functions, with
    # a GRU cell written out in the book's gate names (PyTorch's candidate: the contract's convention) on slices of
    # nn.GRU's stacked weights; the backward direction runs over reversed(inputs) and is zipped back reversed.
    "d2l_scratch_classes_style": '''
        def _gru_step(X, H, W_ih, W_hh, b_ih, b_hh):
            h = W_hh.shape[1]
            gi = X @ W_ih.T if b_ih is None else X @ W_ih.T + b_ih
            gh = H @ W_hh.T if b_hh is None else H @ W_hh.T + b_hh
            R = torch.sigmoid(gi[:, :h] + gh[:, :h])
            Z = torch.sigmoid(gi[:, h:2 * h] + gh[:, h:2 * h])
            H_tilde = torch.tanh(gi[:, 2 * h:] + R * gh[:, 2 * h:])
            return Z * H + (1 - Z) * H_tilde

        def _rnn_scratch(inputs, H, W):
            outputs = []
            for X in inputs:
                H = _gru_step(X, H, *W)
                outputs.append(H)
            return outputs, H

        def _birnn_scratch(inputs, Hs, Wf, Wb):
            f_H, b_H = Hs
            f_outputs, f_H = _rnn_scratch(inputs, f_H, Wf)
            b_outputs, b_H = _rnn_scratch(reversed(inputs), b_H, Wb)
            outputs = [torch.cat((f, b), -1) for f, b in zip(f_outputs, reversed(b_outputs))]
            return outputs, (f_H, b_H)

        def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
            D = 2 if bidirectional else 1
            h = params["weight_hh_l0"].shape[1]
            if H0 is None:
                H0 = X.new_zeros((num_layers * D, X.shape[1], h))
            get = lambda layer, sfx: [params.get(f"{n}_l{layer}{sfx}")
                                      for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            outputs, Hs = list(X), []
            for i in range(num_layers):
                if bidirectional:
                    outputs, (f_H, b_H) = _birnn_scratch(outputs, (H0[2 * i], H0[2 * i + 1]), get(i, ""),
                                                         get(i, "_reverse"))
                    Hs += [f_H, b_H]
                else:
                    outputs, H = _rnn_scratch(outputs, H0[i], get(i, ""))
                    Hs.append(H)
            return torch.stack(outputs, 0), torch.stack(Hs, 0)

        def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
            D = 2 if bidirectional else 1
            shapes = []
            for layer in range(num_layers):
                d_in = input_size if layer == 0 else D * hidden_size
                for _ in range(D):
                    shapes += [(3 * hidden_size, d_in), (3 * hidden_size, hidden_size)]
                    if bias:
                        shapes += [(3 * hidden_size,), (3 * hidden_size,)]
            total = 0
            for s in shapes:
                n = 1
                for k in s:
                    n *= k
                total += n
            return total
    ''',
    # float64 internals; the input side of a whole direction in one F.linear; the backward direction runs on
    # X.flip(0) and its outputs are flipped back; states collected in a preallocated tensor; nn.GRUCell-free;
    # a closed-form count.
    "flip_and_project_float64": '''
        import torch.nn.functional as F

        def _direction(seq, H, W_ih, W_hh, b_ih, b_hh):
            gi_all = F.linear(seq, W_ih, b_ih)                              # (T, B, 3h)
            h = W_hh.shape[1]
            out = []
            for gi in gi_all:
                gh = F.linear(H, W_hh, b_hh)
                r = torch.sigmoid(gi[:, :h] + gh[:, :h])
                z = torch.sigmoid(gi[:, h:2 * h] + gh[:, h:2 * h])
                n = torch.tanh(gi[:, 2 * h:] + r * gh[:, 2 * h:])
                H = torch.lerp(n, H, z)
                out.append(H)
            return torch.stack(out), H

        def deep_birnn(X, params, num_layers, bidirectional=True, H0=None):
            D = 2 if bidirectional else 1
            T, B, _ = X.shape
            P = {k: v.double() for k, v in params.items()}
            h = P["weight_hh_l0"].shape[1]
            H0 = torch.zeros(num_layers * D, B, h, dtype=torch.float64, device=X.device) if H0 is None \\
                else H0.double()
            seq = X.double()
            H_n = torch.zeros(num_layers * D, B, h, dtype=torch.float64, device=X.device)
            for layer in range(num_layers):
                W = lambda sfx: [P.get(f"{n}_l{layer}{sfx}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                fwd, Hf = _direction(seq, H0[layer * D], *W(""))
                H_n = H_n.index_copy(0, torch.tensor([layer * D], device=X.device), Hf[None])
                if D == 2:
                    bwd, Hb = _direction(seq.flip(0), H0[layer * D + 1], *W("_reverse"))
                    H_n = H_n.index_copy(0, torch.tensor([layer * D + 1], device=X.device), Hb[None])
                    seq = torch.cat([fwd, bwd.flip(0)], dim=-1)
                else:
                    seq = fwd
            return seq.to(X.dtype), H_n.to(X.dtype)

        def gru_num_params(input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
            D, h = (2 if bidirectional else 1), hidden_size
            first = 3 * h * (input_size + h)
            upper = 3 * h * (D * h + h)
            return D * (first + (num_layers - 1) * upper) + (D * num_layers * 6 * h if bias else 0)
    ''',
}
