"""Recorded buggy variants of ch5/init.py: each must be rejected by at least one grader.

Each entry replaces functions of the reference solution. "feedback" (optional) must appear in the failure output.
"""
MUTANTS = {
    # ------------------------------------------------------------------ the catalogue's bugs
    "xavier_fan_in_only": {
        "why": "Xavier with fan_in twice: Var = gain²/fan_in",
        "feedback": "fan_in used twice",
        "source": '''
            def xavier_uniform_(t, gain=1.0, generator=None):
                fan_in, fan_out = fan_in_and_fan_out(t)
                a = gain * math.sqrt(3.0 / fan_in)
                return uniform_(t, -a, a, generator=generator)
        ''',
    },
    "xavier_sqrt3_bound": {
        "why": "a = gain·√(3/(fan_in + fan_out)): half the Xavier variance",
        "feedback": "not √3",
        "source": '''
            def xavier_uniform_(t, gain=1.0, generator=None):
                fan_in, fan_out = fan_in_and_fan_out(t)
                a = gain * math.sqrt(3.0 / (fan_in + fan_out))
                return uniform_(t, -a, a, generator=generator)
        ''',
    },
    "normal_std_squared": {
        "why": "S:L87's N(mean, std) read as N(mean, σ²) the other way round: passes std² as the std",
        "feedback": "already is a standard deviation",
        "source": '''
            def normal_(t, mean=0.0, std=1.0, generator=None):
                with torch.no_grad():
                    t.normal_(mean, std ** 2, generator=generator)
                return t
        ''',
    },
    "normal_sqrt_std": {
        "why": "treats the std argument as a variance: draws with √std",
        "feedback": "treated the argument as a variance",
        "source": '''
            def normal_(t, mean=0.0, std=1.0, generator=None):
                with torch.no_grad():
                    t.normal_(mean, math.sqrt(std), generator=generator)
                return t
        ''',
    },
    "xavier_normal_variance_as_std": {
        "why": "std = 2·gain²/(fan_in + fan_out): the variance passed as the std",
        "feedback": "the std is its square root",
        "source": '''
            def xavier_normal_(t, gain=1.0, generator=None):
                fan_in, fan_out = fan_in_and_fan_out(t)
                return normal_(t, 0.0, 2.0 * gain ** 2 / (fan_in + fan_out), generator=generator)
        ''',
    },
    "returns_new_tensor": {
        "why": "builds and returns a new tensor; t is left as it was",
        "feedback": "built a new tensor",
        "source": '''
            def xavier_uniform_(t, gain=1.0, generator=None):
                fan_in, fan_out = fan_in_and_fan_out(t)
                a = gain * math.sqrt(6.0 / (fan_in + fan_out))
                return torch.empty(t.shape).uniform_(-a, a, generator=generator)
        ''',
    },
    "returns_t_data": {
        "why": "d2l's `.data.normal_` returned: fills t but returns t.data, another tensor object",
        "feedback": "end with `return t`",
        "source": '''
            def normal_(t, mean=0.0, std=1.0, generator=None):
                return t.data.normal_(mean, std, generator=generator)
        ''',
    },
    "fans_no_receptive_field": {
        "why": "fan_in = size(1), fan_out = size(0), also for conv weights",
        "feedback": "receptive field",
        "source": '''
            def fan_in_and_fan_out(t):
                if t.dim() < 2:
                    raise ValueError("need 2 dims")
                return t.shape[1], t.shape[0]
        ''',
    },
    "xavier_ignores_receptive_field": {
        "why": "the fans are right, but xavier_uniform_ takes them from size(1) and size(0) (the issue's done-when)",
        "feedback": "as if it had no receptive field",
        "source": '''
            def xavier_uniform_(t, gain=1.0, generator=None):
                fan_out, fan_in = t.shape[0], t.shape[1]
                a = gain * math.sqrt(6.0 / (fan_in + fan_out))
                return uniform_(t, -a, a, generator=generator)
        ''',
    },
    "uniform_ignores_generator": {
        "why": "draws from the global RNG",
        "feedback": "generator=generator",
        "source": '''
            def uniform_(t, a=0.0, b=1.0, generator=None):
                with torch.no_grad():
                    t.uniform_(a, b)
                return t
        ''',
    },
    "xavier_normal_drops_generator": {
        "why": "forgets to pass the generator on to normal_",
        "feedback": "generator=generator",
        "source": '''
            def xavier_normal_(t, gain=1.0, generator=None):
                fan_in, fan_out = fan_in_and_fan_out(t)
                return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
        ''',
    },
    "fresh_generator_when_none": {
        "why": "generator=None replaced by a fresh torch.Generator(): always the same values, global seed ignored",
        "feedback": "fresh torch.Generator()",
        "source": '''
            def kaiming_normal_(t, generator=None):
                if generator is None:
                    generator = torch.Generator()
                fan_in, _ = fan_in_and_fan_out(t)
                return normal_(t, 0.0, math.sqrt(2.0 / fan_in), generator=generator)
        ''',
    },
    # ------------------------------------------------------------------ Kaiming
    "kaiming_fan_out": {
        "why": "std √(2/fan_out)",
        "feedback": "2/fan_out",
        "source": '''
            def kaiming_normal_(t, generator=None):
                _, fan_out = fan_in_and_fan_out(t)
                return normal_(t, 0.0, math.sqrt(2.0 / fan_out), generator=generator)
        ''',
    },
    "kaiming_without_relu_gain": {
        "why": "std √(1/fan_in): LeCun, not He",
        "feedback": "ReLU zeroes half",
        "source": '''
            def kaiming_normal_(t, generator=None):
                fan_in, _ = fan_in_and_fan_out(t)
                return normal_(t, 0.0, math.sqrt(1.0 / fan_in), generator=generator)
        ''',
    },
    # ------------------------------------------------------------------ fans
    "fans_swapped": {
        "why": "fan_in from size(0): thinks weights are (in, out) as in d2l's from-scratch W",
        "feedback": "swapped",
        "source": '''
            def fan_in_and_fan_out(t):
                if t.dim() < 2:
                    raise ValueError("need 2 dims")
                receptive = math.prod(t.shape[2:])
                return t.shape[0] * receptive, t.shape[1] * receptive
        ''',
    },
    "fans_of_a_vector": {
        "why": "no ValueError: a 1-d tensor gets fan_in = fan_out = its length",
        "feedback": "ValueError",
        "source": '''
            def fan_in_and_fan_out(t):
                if t.dim() < 2:
                    return t.numel(), t.numel()
                receptive = math.prod(t.shape[2:])
                return t.shape[1] * receptive, t.shape[0] * receptive
        ''',
    },
    "fans_are_tensors": {
        "why": "the receptive field as torch.tensor(shape).prod(): the fans are 0-d tensors",
        "feedback": "Python ints",
        "source": '''
            def fan_in_and_fan_out(t):
                if t.dim() < 2:
                    raise ValueError("need 2 dims")
                receptive = torch.tensor(t.shape[2:]).prod()
                return t.shape[1] * receptive, t.shape[0] * receptive
        ''',
    },
    # ------------------------------------------------------------------ in place
    "no_no_grad": {
        "why": "fills a parameter that requires grad without torch.no_grad(): autograd error",
        "feedback": "torch.no_grad()",
        "source": '''
            def uniform_(t, a=0.0, b=1.0, generator=None):
                t.uniform_(a, b, generator=generator)
                return t
        ''',
    },
    "data_assignment_float32": {
        "why": "t.data = a float32 tensor: a float64 t becomes float32",
        "feedback": "t.data = new_tensor",
        "source": '''
            def uniform_(t, a=0.0, b=1.0, generator=None):
                t.data = a + (b - a) * torch.rand(t.shape, generator=generator)
                return t
        ''',
    },
    "uniform_a_plus_b_u": {
        "why": "a + b·U(0, 1) instead of a + (b − a)·U(0, 1)",
        "feedback": "a + (b − a)",
        "source": '''
            def uniform_(t, a=0.0, b=1.0, generator=None):
                with torch.no_grad():
                    t.copy_(a + b * torch.rand(t.shape, generator=generator))
                return t
        ''',
    },
    "normal_mean_std_swapped": {
        "why": "calls Tensor.normal_(std, mean)",
        "feedback": "swapped",
        "source": '''
            def normal_(t, mean=0.0, std=1.0, generator=None):
                with torch.no_grad():
                    t.normal_(std, mean, generator=generator)
                return t
        ''',
    },
    "xavier_normal_is_uniform": {
        "why": "xavier_normal_ draws from a uniform of the right variance",
        "feedback": "no draw beyond 2σ",
        "source": '''
            def xavier_normal_(t, gain=1.0, generator=None):
                return xavier_uniform_(t, gain, generator=generator)
        ''',
    },
    # ------------------------------------------------------------------ init_weights
    "init_weights_touches_everything": {
        "why": "hasattr(m, 'weight'): BatchNorm, LayerNorm and Embedding get Xavier too",
        "feedback": "hasattr(m, 'weight')",
        "source": '''
            def init_weights(m, generator=None):
                if getattr(m, "weight", None) is not None and m.weight.dim() >= 2:
                    xavier_uniform_(m.weight, generator=generator)
                if getattr(m, "bias", None) is not None:
                    constant_(m.bias, 0.0)
        ''',
    },
    "init_weights_keeps_biases": {
        "why": "initialises the weights only",
        "feedback": "constant_(m.bias, 0)",
        "source": '''
            def init_weights(m, generator=None):
                if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
                    xavier_uniform_(m.weight, generator=generator)
        ''',
    },
    "init_weights_normal": {
        "why": "Xavier-normal instead of Xavier-uniform (same variance, unbounded)",
        "feedback": "not bounded",
        "source": '''
            def init_weights(m, generator=None):
                if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
                    xavier_normal_(m.weight, generator=generator)
                    if m.bias is not None:
                        constant_(m.bias, 0.0)
        ''',
    },
    "init_weights_linear_and_conv2d_only": {
        "why": "d2l's `type(m) == nn.Linear or type(m) == nn.Conv2d`: Conv1d/Conv3d left out",
        "feedback": "nn.Conv3d",
        "source": '''
            def init_weights(m, generator=None):
                if type(m) == nn.Linear or type(m) == nn.Conv2d:
                    xavier_uniform_(m.weight, generator=generator)
                    if m.bias is not None:
                        constant_(m.bias, 0.0)
        ''',
    },
    "init_weights_drops_generator": {
        "why": "calls xavier_uniform_(m.weight) without the generator",
        "feedback": "pass the generator on",
        "source": '''
            def init_weights(m, generator=None):
                if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
                    xavier_uniform_(m.weight)
                    if m.bias is not None:
                        constant_(m.bias, 0.0)
        ''',
    },
    "forbidden_nn_init": {
        "why": "calls torch.nn.init.xavier_uniform_",
        "feedback": "not allowed",
        "source": '''
            def xavier_uniform_(t, gain=1.0, generator=None):
                return torch.nn.init.xavier_uniform_(t, gain=gain, generator=generator)
        ''',
    },
}

# Correct implementations written differently: every grader must accept them.
ALTERNATIVES = {
    "rand_copy_and_loops": '''
        def uniform_(t, a=0.0, b=1.0, generator=None):
            u = torch.rand(t.shape, generator=generator, dtype=t.dtype, device=t.device)
            with torch.no_grad():
                t.copy_(a + (b - a) * u)
            return t

        def normal_(t, mean=0.0, std=1.0, generator=None):
            z = torch.randn(t.shape, generator=generator, dtype=t.dtype, device=t.device)
            with torch.no_grad():
                t.copy_(z * std + mean)
            return t

        def constant_(t, val):
            with torch.no_grad():
                t.copy_(torch.full_like(t, val))
            return t

        def fan_in_and_fan_out(t):
            if len(t.shape) < 2:
                raise ValueError("a weight needs at least 2 dimensions")
            receptive = 1
            for k in t.shape[2:]:
                receptive *= k
            return int(t.size(1) * receptive), int(t.size(0) * receptive)

        def xavier_uniform_(t, gain=1.0, generator=None):
            fan_in, fan_out = fan_in_and_fan_out(t)
            var = 2.0 * gain * gain / (fan_in + fan_out)
            bound = math.sqrt(3.0 * var)
            return uniform_(t, -bound, bound, generator)
    ''',
    "d2l_data_style_box_muller_float64": '''
        def uniform_(t, a=0.0, b=1.0, generator=None):
            t.data.uniform_(a, b, generator=generator)
            return t

        def normal_(t, mean=0.0, std=1.0, generator=None):
            # Box–Muller in float64 from two uniforms of the generator
            u1 = 1.0 - torch.rand(t.shape, generator=generator, dtype=torch.float64)
            u2 = torch.rand(t.shape, generator=generator, dtype=torch.float64)
            z = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2 * math.pi * u2)
            t.data.copy_(mean + std * z)
            return t

        def constant_(t, val):
            t.data.fill_(val)
            return t

        def fan_in_and_fan_out(t):
            if t.ndim < 2:
                raise ValueError(f"shape {tuple(t.shape)}: fewer than 2 dimensions")
            receptive = t[0][0].numel()
            return t.shape[1] * receptive, t.shape[0] * receptive

        def xavier_normal_(t, gain=1.0, generator=None):
            fan_in, fan_out = fan_in_and_fan_out(t)
            return normal_(t, 0.0, gain * (2.0 / (fan_in + fan_out)) ** 0.5, generator)

        def kaiming_normal_(t, generator=None):
            fan_in = fan_in_and_fan_out(t)[0]
            return normal_(t, std=(2 / fan_in) ** 0.5, generator=generator)

        def init_weights(m, generator=None):
            if type(m) in (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d):
                xavier_uniform_(m.weight, generator=generator)
                if m.bias is not None:
                    m.bias.data.zero_()
    ''',
}
