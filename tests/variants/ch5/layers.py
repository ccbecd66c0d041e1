"""Recorded buggy variants of ch5/layers.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ MySequential
    "plain_list": {
        "why": "keeps the blocks in a Python list: parameters() is empty",
        "feedback": "not registered",
        "source": '''
            class MySequential(nn.Module):
                def __init__(self, *blocks):
                    super().__init__()
                    self.blocks = list(blocks)

                def forward(self, X):
                    for block in self.blocks:
                        X = block(X)
                    return X

                def __getitem__(self, idx):
                    return self.blocks[idx]

                def __len__(self):
                    return len(self.blocks)
        ''',
    },
    "reversed_order": {
        "why": "runs the blocks last to first",
        "feedback": "reverse order",
        "source": '''
            class MySequential(MySequential):
                def forward(self, X):
                    for block in reversed(list(self._modules.values())):
                        X = block(X)
                    return X
        ''',
    },
    "negative_index_broken": {
        "why": "looks the block up by name: net[-1] raises KeyError",
        "feedback": "negative index",
        "source": '''
            class MySequential(MySequential):
                def __getitem__(self, idx):
                    return self._modules[str(idx)]
        ''',
    },
    "index_past_end_wraps": {
        "why": "idx % len(self): net[len] returns the first block instead of raising IndexError",
        "feedback": "IndexError",
        "source": '''
            class MySequential(MySequential):
                def __getitem__(self, idx):
                    return list(self._modules.values())[idx % len(self)]
        ''',
    },
    "wraps_nn_sequential": {
        "why": "wraps nn.Sequential (forbidden)",
        "feedback": "not allowed",
        "source": '''
            class MySequential(nn.Module):
                def __init__(self, *blocks):
                    super().__init__()
                    self.net = nn.Sequential(*blocks)

                def forward(self, X):
                    return self.net(X)

                def __getitem__(self, idx):
                    return self.net[idx]

                def __len__(self):
                    return len(self.net)
        ''',
    },
    "inherits_nn_sequential": {
        "why": "class MySequential(nn.Sequential): everything inherited (forbidden; the static scan misses bases)",
        "feedback": "not allowed",
        "source": '''
            class MySequential(nn.Sequential):
                pass
        ''',
    },
    # ------------------------------------------------------------------ count_parameters
    "count_includes_frozen": {
        "why": "forgets the requires_grad filter",
        "feedback": "frozen parameters",
        "source": '''
            def count_parameters(net):
                return sum(p.numel() for p in net.parameters())
        ''',
    },
    "count_tensors": {
        "why": "counts parameter tensors, not their elements",
        "feedback": "count elements",
        "source": '''
            def count_parameters(net):
                return len([p for p in net.parameters() if p.requires_grad])
        ''',
    },
    "count_state_dict": {
        "why": "sums the state_dict: buffers counted, shared weights twice",
        "feedback": "state_dict() also holds buffers",
        "source": '''
            def count_parameters(net):
                return sum(v.numel() for k, v in net.state_dict().items() if "num_batches" not in k)
        ''',
    },
    "count_per_layer": {
        "why": "loops over the layers: a shared layer is counted twice",
        "feedback": "count it once",
        "source": '''
            def count_parameters(net):
                total = 0
                for layer in net:
                    total += sum(p.numel() for p in layer.parameters() if p.requires_grad)
                return total
        ''',
    },
    "count_returns_tensor": {
        "why": "returns a 0-d tensor",
        "feedback": "Python int",
        "source": '''
            def count_parameters(net):
                return torch.tensor([p.numel() for p in net.parameters() if p.requires_grad]).sum()
        ''',
    },
    # ------------------------------------------------------------------ CenteredLayer
    "centered_per_row": {
        "why": "subtracts each row's mean",
        "feedback": "each row's mean",
        "source": '''
            class CenteredLayer(nn.Module):
                def forward(self, X):
                    return X - X.mean(dim=-1, keepdim=True)
        ''',
    },
    "centered_per_column": {
        "why": "subtracts each column's mean",
        "feedback": "each column's mean",
        "source": '''
            class CenteredLayer(nn.Module):
                def forward(self, X):
                    return X - X.mean(dim=0)
        ''',
    },
    # ------------------------------------------------------------------ MyLinear
    "mylinear_no_relu": {
        "why": "forgets the ReLU",
        "feedback": "apply the ReLU",
        "source": '''
            class MyLinear(MyLinear):
                def forward(self, X):
                    return X @ self.weight + self.bias
        ''',
    },
    "mylinear_weight_out_in": {
        "why": "nn.Linear's layout (units, in_units) with X @ W.T",
        "feedback": "(in_units, units)",
        "source": '''
            class MyLinear(nn.Module):
                def __init__(self, in_units, units):
                    super().__init__()
                    self.weight = nn.Parameter(torch.randn(units, in_units))
                    self.bias = nn.Parameter(torch.randn(units))

                def forward(self, X):
                    return F.relu(X @ self.weight.T + self.bias)
        ''',
    },
    "mylinear_bias_plain_tensor": {
        "why": "bias is a plain tensor attribute, not an nn.Parameter",
        "feedback": "nn.Parameter",
        "source": '''
            class MyLinear(nn.Module):
                def __init__(self, in_units, units):
                    super().__init__()
                    self.weight = nn.Parameter(torch.randn(in_units, units))
                    self.bias = torch.randn(units)

                def forward(self, X):
                    return F.relu(X @ self.weight + self.bias)
        ''',
    },
    "mylinear_d2l_data": {
        "why": "d2l's book code: forward uses weight.data and bias.data, so no gradients",
        "feedback": "cut the graph",
        "source": '''
            class MyLinear(MyLinear):
                def forward(self, X):
                    linear = torch.matmul(X, self.weight.data) + self.bias.data
                    return F.relu(linear)
        ''',
    },
    "mylinear_rand": {
        "why": "torch.rand (U(0, 1)) instead of torch.randn",
        "feedback": "torch.randn",
        "source": '''
            class MyLinear(MyLinear):
                def __init__(self, in_units, units):
                    nn.Module.__init__(self)
                    self.weight = nn.Parameter(torch.rand(in_units, units))
                    self.bias = nn.Parameter(torch.rand(units))
        ''',
    },
    "mylinear_uses_f_linear": {
        "why": "F.linear (forbidden)",
        "feedback": "not allowed",
        "source": '''
            class MyLinear(MyLinear):
                def forward(self, X):
                    return F.relu(F.linear(X, self.weight.T, self.bias))
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "d2l_book_style": '''
        class MySequential(nn.Module):
            def __init__(self, *args):
                super().__init__()
                for idx, module in enumerate(args):
                    # module是Module子类的一个实例, 保存在'Module'类的成员变量_modules中 (d2l 5.1)
                    self._modules[str(idx)] = module

            def forward(self, X):
                for block in self._modules.values():
                    X = block(X)
                return X

            def __getitem__(self, idx):
                if not -len(self) <= idx < len(self):
                    raise IndexError(f"index {idx} is out of range")
                return self._modules[str(idx % len(self))]

            def __len__(self):
                return len(self._modules)

        def count_parameters(net):
            return sum(p.numel() for name, p in net.named_parameters() if p.requires_grad)

        class CenteredLayer(nn.Module):
            def __init__(self):
                super().__init__()

            def forward(self, X):
                return X - X.mean()

        class MyLinear(nn.Module):
            def __init__(self, in_units, units):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(in_units, units))
                self.bias = nn.Parameter(torch.randn(units,))

            def forward(self, X):
                linear = torch.matmul(X, self.weight) + self.bias
                return F.relu(linear)
    ''',
    "setattr_float64_and_clamp": '''
        class MySequential(nn.Module):
            def __init__(self, *blocks):
                super().__init__()
                for i, b in enumerate(blocks):
                    setattr(self, str(i), b)

            def forward(self, X):
                out = X
                for i in range(len(self)):
                    out = getattr(self, str(i))(out)
                return out

            def __getitem__(self, idx):
                return list(self.children())[idx]

            def __len__(self):
                return sum(1 for _ in self.children())

        def count_parameters(net):
            total = 0
            seen = set()
            for m in net.modules():
                for p in m.parameters(recurse=False):
                    if id(p) not in seen and p.requires_grad:
                        seen.add(id(p))
                        total += int(torch.tensor(p.shape).prod())
            return total

        class CenteredLayer(nn.Module):
            def forward(self, X):
                return (X.double() - X.double().sum() / X.numel()).to(X.dtype)

        class MyLinear(nn.Module):
            def __init__(self, in_units, units):
                super().__init__()
                self.register_parameter("weight", nn.Parameter(torch.normal(0.0, 1.0, size=(in_units, units))))
                self.register_parameter("bias", nn.Parameter(torch.randn(units)))

            def forward(self, X):
                return torch.clamp(torch.mm(X, self.weight) + self.bias, min=0)
    ''',
}
