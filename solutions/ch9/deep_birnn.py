"""Deep and bidirectional recurrent networks · 深度循环神经网络与双向循环神经网络

d2l-zh §9.3 (深度循环神经网络), §9.4 (双向循环神经网络). Seed notes: a deep RNN is "有很多隐藏层的循环神经网络", and a
bidirectional RNN "可以拿后面的序列预测前面的序列".

The story. The book builds both networks with one argument each — ``nn.LSTM(num_inputs, num_hiddens, num_layers,
bidirectional=True)`` — and never shows the wiring. This kata opens ``nn.GRU``: from nothing but GRU cells and
``nn.GRU``'s own parameter dictionary, compute exactly what ``nn.GRU(d, h, num_layers, bidirectional=...)``
computes. Three ideas make up the wiring:

* **Stacking.** Layer l's input sequence is layer l − 1's output sequence (layer 0 reads X), so every layer
  keeps its own hidden state and the top layer's outputs are the network's outputs.
* **Two directions.** A bidirectional layer runs two independent GRUs over the same input: one forward in time,
  one backward (t = T−1 … 0) with its own weights. At every time step the two hidden states are concatenated,
  so that the output at t summarises both x_{≤t} (forward half) and x_{≥t} (backward half) — "use the later part
  of the sequence to predict the earlier".
* **Bookkeeping.** Which weights belong to which layer and direction, how many features the next layer reads, and
  in which order the final states are returned: exactly ``nn.GRU``'s conventions, so that its state dict loads.

This is also why a bidirectional RNN cannot be used to generate text left to right (the book's warning, §9.4.2):
the backward half at t has already read the future.
"""
import torch


def deep_birnn(X: torch.Tensor, params: dict, num_layers: int, bidirectional: bool = True, H0=None) -> tuple:
    """What ``nn.GRU(d, h, num_layers, bidirectional=bidirectional)`` computes, wired from GRU cells.

    Args:
        X: the input sequence, time-major, shape (T, B, d), T ≥ 1.
        params: ``nn.GRU``'s parameters by name (``dict(gru.named_parameters())`` is a valid argument). For layer
            k = 0 … num_layers − 1 and the forward direction::

                weight_ih_l{k} (3h, d_k)   weight_hh_l{k} (3h, h)   bias_ih_l{k} (3h,)   bias_hh_l{k} (3h,)

            and the same names with the suffix ``_reverse`` for the backward direction. d_0 = d; for k > 0 the
            layer reads the previous layer's whole output, d_k = D·h (D = 2 directions when bidirectional, else 1).
            Each block of rows is in PyTorch's GRU order (r, z, n). The bias keys are **absent** when the GRU was
            built with ``bias=False``: then there are no biases at all.
        num_layers: L ≥ 1.
        bidirectional: D = 2 if True, else 1 (then there are no ``_reverse`` keys, and none are read).
        H0: the initial states, shape (L·D, B, h), ordered layer-major as nn.GRU's:
            [layer 0 forward, layer 0 backward, layer 1 forward, …]; None means zeros (with X's dtype and device).

    Returns:
        ``(Y, H_n)``: Y (T, B, D·h) is the **last** layer's output, ``Y[t] = [forward_t, backward_t]`` (forward
        half first), in time order; H_n (L·D, B, h) holds every layer's and direction's final state, in H0's order.
        The backward direction's final state is its state after reading x_0, i.e. its output at t = 0.

    Conventions: the GRU step is PyTorch's (``nn.GRUCell``); no dropout between layers; float32 in → float32 out,
    float64 in → float64 out, results on X's device (meta in → meta out); nothing given is modified.

    Forbidden: ``nn.GRU``, ``nn.RNN``, ``nn.LSTM``, ``torch.gru``, ``torch.lstm``, ``torch.rnn_tanh``,
    ``torch.rnn_relu`` and ``torch.nn.utils.rnn`` (the wiring is the exercise). Allowed: ``nn.GRUCell`` and
    ``torch.gru_cell`` (the cell was ch9/gated's exercise), or your own cell.
    """
    ### BEGIN SOLUTION
    D = 2 if bidirectional else 1
    T, B = X.shape[0], X.shape[1]
    h = params["weight_hh_l0"].shape[1]
    if H0 is None:
        H0 = torch.zeros(num_layers * D, B, h, dtype=X.dtype, device=X.device)     # (L·D, B, h)
    layer_input = X                                                                 # (T, B, d) then (T, B, D·h)
    finals = []
    for layer in range(num_layers):
        outputs = []
        for direction, suffix in enumerate(("", "_reverse")[:D]):
            W = [params.get(f"{name}_l{layer}{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            H = H0[layer * D + direction]                                           # (B, h)
            steps = range(T) if direction == 0 else range(T - 1, -1, -1)
            ys = [None] * T
            for t in steps:
                H = torch.gru_cell(layer_input[t], H, *W)                           # (B, h)
                ys[t] = H                                                           # stored at its own time step
            outputs.append(torch.stack(ys))                                         # (T, B, h)
            finals.append(H)              # forward: after x_{T-1}; backward: after x_0
        layer_input = torch.cat(outputs, dim=2)                                     # (T, B, D·h)
    return layer_input, torch.stack(finals)                                         # (T, B, D·h), (L·D, B, h)
    ### END SOLUTION


def gru_num_params(input_size: int, hidden_size: int, num_layers: int = 1, bidirectional: bool = False,
                   bias: bool = True) -> int:
    """The number of parameters of ``nn.GRU(input_size, hidden_size, num_layers, bias=bias,
    bidirectional=bidirectional)``, counted from the shapes (a Python int).

    Per layer and direction: ``weight_ih`` (3h, d_k) and ``weight_hh`` (3h, h), plus, with ``bias``, the two bias
    vectors ``bias_ih`` and ``bias_hh`` of 3h each. The layer input size d_k is ``input_size`` for layer 0 and
    the previous layer's output size for the layers above (which depends on the number of directions).
    Example: ``nn.GRU(10, 20)`` has 3·20·(10 + 20) + 6·20 = 1,920 parameters.

    Forbidden: ``nn.GRU`` and ``nn.RNNBase`` (build nothing; count).
    """
    ### BEGIN SOLUTION
    D = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        d_in = input_size if layer == 0 else D * hidden_size
        per_direction = 3 * hidden_size * (d_in + hidden_size) + (6 * hidden_size if bias else 0)
        total += D * per_direction
    return total
    ### END SOLUTION
