"""The wire between the grading process (trusted) and the worker that runs learner code (untrusted).

Used on both sides; imports only the standard library and torch (the worker loads a copy of this file).

A frame is ``<u32 header length><u32 buffer count><header JSON>`` then, per buffer, ``<u64 length><bytes>``.

* Worker -> grader: **plain data only**. The header is JSON; tensors travel as (dtype, shape, raw bytes). The
  grader decodes with :func:`decode`, which builds nothing but None/bool/int/float/str/bytes, lists, tuples, dicts,
  sets, Fractions, torch dtypes/sizes and fresh torch tensors (validated: dtype from an allow-list, byte count ==
  numel × item size). Anything else the learner's code returns stays in the worker and comes back as a *handle*
  (an id and some type names), never as an object. Nothing the worker sends is unpickled or executed.
* Grader -> worker: the arguments of a call are pickled (the grader is the trusted side; the worker may unpickle
  what the grader sends). Tensors, torch Generators and handles travel beside the pickle (persistent ids), so that
  after the call the worker can report what the learner's code changed in place (values, ``.grad``, generator
  state, module modes, attributes) and the grader applies those changes — again as plain data — to its originals.
"""
from __future__ import annotations

import ctypes
import json
import re
import struct
from fractions import Fraction

import torch

MAX_FRAME = 512 * 2**20          # a worker frame larger than this is refused (the learner's fault)
MAX_DEPTH = 64                   # nesting of containers in a decoded value
MAX_NUMEL = 2**28

DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool)}


class WireError(Exception):
    """A malformed frame or value (from the worker: the learner's process sent something that is not plain data)."""


# ------------------------------------------------------------------------------------------------ framing
def write_frame(fd: int, header: dict, buffers: list[bytes] = ()) -> None:
    import os
    head = json.dumps(header, allow_nan=True, separators=(",", ":")).encode()
    parts = [struct.pack("<II", len(head), len(buffers)), head]
    for b in buffers:
        parts.append(struct.pack("<Q", len(b)))
        parts.append(b)
    data = b"".join(parts)
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class FrameReader:
    """Reads frames from a file descriptor; ``deadline`` (time.monotonic) bounds the wait (TimeoutError)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buf = bytearray()

    def _fill(self, n: int, deadline: float | None) -> None:
        import os
        import select
        import time
        while len(self.buf) < n:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                ready, _, _ = select.select([self.fd], [], [], left)
                if not ready:
                    raise TimeoutError
            chunk = os.read(self.fd, max(1 << 16, min(n - len(self.buf), 1 << 24)))
            if not chunk:
                raise EOFError
            self.buf += chunk

    def _take(self, n: int, deadline) -> bytes:
        self._fill(n, deadline)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read(self, deadline: float | None = None) -> tuple[dict, list[bytes]]:
        hlen, nbuf = struct.unpack("<II", self._take(8, deadline))
        if hlen > MAX_FRAME or nbuf > 1_000_000:
            raise WireError(f"frame too large ({hlen} bytes of header, {nbuf} buffers)")
        try:
            header = json.loads(self._take(hlen, deadline))
        except (ValueError, RecursionError) as e:
            raise WireError(f"malformed frame: {e}") from None
        buffers, total = [], hlen
        for _ in range(nbuf):
            (blen,) = struct.unpack("<Q", self._take(8, deadline))
            total += blen
            if total > MAX_FRAME:
                raise WireError(f"frame too large (over {MAX_FRAME >> 20} MiB)")
            buffers.append(self._take(blen, deadline))
        if not isinstance(header, dict):
            raise WireError("malformed frame: header is not an object")
        return header, buffers


# ------------------------------------------------------------------------------------------------ RNG states
_MT: dict = {}


def mt19937_raw(np):
    """numpy's global MT19937 state (key and position) read in place: 0.5 µs where np.random.get_state takes 40.
    Equal raw states and no cached Gaussian mean an unchanged state (drawing moves the position; only using a cached
    Gaussian does not, which is why a cached one makes callers read the full state). None: not available."""
    try:
        bg = np.random.mtrand._rand._bit_generator
        if _MT.get("bg") is not bg:
            _MT.clear()
            _MT["bg"] = bg
            _MT["addr"] = bg.ctypes.state_address if type(bg).__name__ == "MT19937" else None
        addr = _MT["addr"]
        return ctypes.string_at(addr, 624 * 4 + 4) if addr else None
    except Exception:  # noqa: BLE001
        return None


def rng_now(last: dict) -> dict:
    """The global RNG states (torch, random, numpy) as compared and exchanged by both ends of the sandbox; ``last``
    is this end's record of the last exchange (numpy's full state is only read when it may have changed)."""
    import random
    import sys
    out = {"torch": tensor_bytes(torch.default_generator.get_state()), "py": random.getstate()[1]}
    np = sys.modules.get("numpy")
    if np is not None:
        raw, before = mt19937_raw(np), last.get("np")
        if raw is not None and before is not None and raw == last.get("np_raw") and before[2] == 0:
            out["np"] = before
        else:
            _, keys, pos, has_gauss, cached = np.random.get_state()
            out["np"] = (keys.tobytes(), int(pos), int(has_gauss), float(cached))
        out["np_raw"] = raw
    return out


def rng_changes(now: dict, last: dict, add_buffer) -> dict:
    """The global RNG states of ``now`` that differ from ``last``, as plain data (torch's state in a buffer that
    ``add_buffer(bytes)`` appends, returning its index). Both ends of the sandbox send their changes this way."""
    out = {}
    if now["torch"] != last.get("torch"):
        out["torch"] = {"dtype": "uint8", "shape": [len(now["torch"])], "buf": add_buffer(now["torch"])}
    if now["py"] != last.get("py"):
        out["py"] = [int(x) for x in now["py"]]
    if "np" in now and now["np"] != last.get("np"):
        keys, pos, has_gauss, cached = now["np"]
        out["np"] = [list(struct.unpack(f"={len(keys) // 4}I", keys)), pos, has_gauss, cached]
    return out


def rng_apply(node, bufs) -> dict:
    """Set the global RNG states a peer changed (``rng_changes``' output; validated, it may come from learner
    code) and return them as ``rng_now`` would read them now (set then get gives back the same values: no re-read)."""
    import random
    import sys
    applied: dict = {}
    if not isinstance(node, dict):
        return applied
    t = node.get("torch")
    if isinstance(t, dict):
        raw = bufs[t["buf"]] if type(t.get("buf")) is int and 0 <= t["buf"] < len(bufs) else b""
        st = tensor_from(t, raw)
        torch.default_generator.set_state(st)
        applied["torch"] = tensor_bytes(st)
    py = node.get("py")
    if isinstance(py, list) and len(py) == 625 and all(type(x) is int and 0 <= x < 2**32 for x in py):
        random.setstate((3, tuple(py), None))
        applied["py"] = tuple(py)
    np = sys.modules.get("numpy")
    npst = node.get("np")
    if np is not None and isinstance(npst, list) and len(npst) == 4 and isinstance(npst[0], list) \
            and len(npst[0]) == 624 and all(type(x) is int and 0 <= x < 2**32 for x in npst[0]):
        keys = np.array(npst[0], dtype=np.uint32)
        np.random.set_state(("MT19937", keys, int(npst[1]), int(npst[2]), float(npst[3])))
        applied["np"] = (keys.tobytes(), int(npst[1]), int(npst[2]), float(npst[3]))
        applied["np_raw"] = mt19937_raw(np)
    return applied


# ------------------------------------------------------------------------------------------------ tensors
_WIRE_DTYPES = frozenset(DTYPES.values())


def in_place_span(t: torch.Tensor) -> tuple[int, int] | None:
    """(address, byte count) of a tensor's values where they lie, when those bytes are its C-order values (a CPU,
    strided, contiguous tensor of a wire dtype, no conj/neg bit); None otherwise. ``t``: a plain torch.Tensor."""
    if t.dtype in _WIRE_DTYPES and t.device.type == "cpu" and t.layout == torch.strided \
            and t.is_contiguous() and not (t.is_conj() or t.is_neg()):
        return t.data_ptr(), t.numel() * t.element_size()
    return None


def tensor_bytes(t: torch.Tensor) -> bytes:
    """The values of a tensor as C-order bytes (what tensor_from reads back); none for a meta tensor."""
    return tensor_bytes_at(t, where=False)[0]


def tensor_bytes_at(t: torch.Tensor, where: bool = True) -> tuple[bytes, tuple | None]:
    """tensor_bytes, and where they were read when read in place: (address, shape, strides, dtype, byte count),
    else None. While a tensor keeps that address, shape, strides and dtype, those bytes are still its values.
    ``where=False`` (tensor_bytes, on every call's hot path): the bytes only."""
    src = torch.Tensor.detach(t)
    if src.device.type == "meta":
        return b"", None
    if type(src) is not torch.Tensor:   # a subclass (a learner's, in the worker): its overrides never run here
        src = torch.Tensor.as_subclass(src, torch.Tensor)
    span = in_place_span(src)
    if span is not None:
        # fast path (about 1 µs): the bytes read in place. Not through .numpy(), which would leave the tensor's
        # storage shared with numpy and no longer resizable (a learner's out= or resize_ would then fail)
        data = ctypes.string_at(*span) if span[1] else b""
        return data, ((span[0], tuple(src.shape), src.stride(), src.dtype, span[1]) if where else None)
    return _bytes_read_out(src), None


def _bytes_read_out(src: torch.Tensor) -> bytes:
    src = src.cpu()
    flat = torch.empty(src.numel(), dtype=torch.uint8 if src.dtype == torch.bool else src.dtype)
    flat.copy_(src.reshape(-1))   # a fresh dense copy: a "contiguous" view may still have odd strides
    return flat.view(torch.uint8).numpy().tobytes()


def tensor_meta(t: torch.Tensor) -> dict:
    out = {"dtype": str(t.dtype).removeprefix("torch."), "shape": [int(s) for s in t.shape]}
    if t.device.type != "cpu":   # the device travels too: meta tensors (no bytes), or an accelerator's
        out["device"] = str(t.device)
    return out


def _device_of(meta: dict):
    """The device a received tensor is made on: meta, an available accelerator, else the CPU."""
    dev = meta.get("device")
    if dev is None:
        return None
    if not (isinstance(dev, str) and _DEVICE.fullmatch(dev)):
        raise WireError(f"bad tensor device {str(dev)[:40]!r}")
    if dev == "meta":
        return torch.device("meta")
    try:
        d = torch.device(dev)
        if d.type == "cuda" and torch.cuda.is_available() and (d.index or 0) < torch.cuda.device_count():
            return d
    except (RuntimeError, ValueError):
        pass
    return None


def tensor_from(meta: dict, raw: bytes) -> torch.Tensor:
    """A fresh tensor from (dtype, shape, bytes), validated (never trusts the sender)."""
    dtype = DTYPES.get(meta.get("dtype")) if isinstance(meta.get("dtype"), str) else None
    shape = meta.get("shape")
    if dtype is None:
        raise WireError(f"unsupported tensor dtype {meta.get('dtype')!r}")
    if not (isinstance(shape, list) and len(shape) <= 16
            and all(type(s) is int and 0 <= s <= MAX_NUMEL for s in shape)):
        raise WireError(f"bad tensor shape {shape!r}")
    numel = 1
    for s in shape:
        numel *= s
    item = dtype.itemsize
    device = _device_of(meta)
    if device is not None and device.type == "meta":
        if numel > MAX_NUMEL or len(raw):
            raise WireError(f"a meta tensor of shape {shape} with data")
        return torch.empty(shape, dtype=dtype, device="meta")
    if device is not None:
        return tensor_from({k: v for k, v in meta.items() if k != "device"}, raw).to(device)
    if numel > MAX_NUMEL or len(raw) != numel * item:
        raise WireError(f"tensor of shape {shape} and dtype {meta['dtype']} cannot hold {len(raw)} bytes")
    if numel == 0:
        return torch.empty(shape, dtype=dtype)
    if dtype == torch.bool:   # any byte other than 0 is True (never an invalid bool)
        return torch.frombuffer(bytearray(raw), dtype=torch.uint8).to(torch.bool).reshape(shape)
    out = torch.empty(shape, dtype=dtype)   # fresh and contiguous: exactly len(raw) bytes, checked above
    ctypes.memmove(out.data_ptr(), raw if isinstance(raw, bytes) else bytes(raw), len(raw))
    return out


# ------------------------------------------------------------------------------------------------ plain data
def decode(node, buffers: list[bytes], make_handle=None, make_tensor=None, depth: int = 0):
    """Plain data from a worker header node. ``make_handle(info)`` turns a handle into a proxy;
    ``make_tensor(info, tensor)`` may post-process a tensor (grads, autograd bridges, originals)."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if node is None or type(node) in (bool, int, float, str):
        return node
    if isinstance(node, list):
        raise WireError("untagged list")
    if not isinstance(node, dict) or len(node) != 1:
        raise WireError(f"malformed value {str(node)[:80]}")
    (tag, v), = node.items()
    d = depth + 1
    if tag == "L":
        return [decode(x, buffers, make_handle, make_tensor, d) for x in _list(v)]
    if tag == "T":
        return tuple(decode(x, buffers, make_handle, make_tensor, d) for x in _list(v))
    if tag == "S":
        return {decode(x, buffers, make_handle, make_tensor, d) for x in _list(v)}
    if tag == "D":
        out = {}
        for pair in _list(v):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise WireError("malformed dict item")
            out[decode(pair[0], buffers, make_handle, make_tensor, d)] = decode(
                pair[1], buffers, make_handle, make_tensor, d)
        return out
    if tag == "F":
        n, m = _list(v)
        if type(n) is not int or type(m) is not int or m == 0:
            raise WireError("malformed Fraction")
        return Fraction(n, m)
    if tag == "B":
        return bytes(_buffer(v, buffers))
    if tag == "NT":
        name, fields, items = _list(v)
        items = [decode(x, buffers, make_handle, make_tensor, d) for x in _list(items)]
        cls = _namedtuple(name, fields, len(items))
        return cls(*items) if cls is not None else tuple(items)
    if tag == "C":
        re_, im = (decode(x, buffers, None, None, d) for x in _list(v))
        if not all(type(x) in (int, float) for x in (re_, im)):
            raise WireError("malformed complex")
        return complex(re_, im)
    if tag == "range":
        a, b, c = _list(v)
        if not all(type(x) is int for x in (a, b, c)) or c == 0:
            raise WireError("malformed range")
        return range(a, b, c)
    if tag == "slice":
        parts = [decode(x, buffers, None, None, d) for x in _list(v)]
        if len(parts) != 3 or not all(x is None or type(x) in (int, float) for x in parts):
            raise WireError("malformed slice")
        return slice(*parts)
    if tag == "E":
        return Ellipsis
    if tag == "device":
        if not (isinstance(v, str) and _DEVICE.fullmatch(v)):
            raise WireError(f"unsupported device {str(v)[:40]!r}")
        return torch.device(v)
    if tag == "f":   # floats JSON cannot spell
        return {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}[v]
    if tag == "dtype":
        if v not in DTYPES:
            raise WireError(f"unsupported dtype {v!r}")
        return DTYPES[v]
    if tag == "size":
        return torch.Size([int(s) for s in _list(v) if type(s) is int])
    if tag == "t":
        if not isinstance(v, dict):
            raise WireError("malformed tensor")
        t = tensor_from(v, _buffer(v.get("buf"), buffers))
        if v.get("grad") is not None:
            v = dict(v)
            v["grad"] = decode(v["grad"], buffers, None, None, d)
            if not isinstance(v["grad"], torch.Tensor):
                raise WireError("malformed grad")
        return make_tensor(v, t) if make_tensor else t
    if tag == "ndarray":
        import numpy as np
        t = tensor_from(v, _buffer(v.get("buf"), buffers))
        return np.asarray(t.numpy())
    if tag in ("ref", "mirror", "tracked"):
        if make_handle is None:
            raise WireError(f"unexpected {tag}")
        return make_handle({"kind": tag, **v} if isinstance(v, dict) else {"kind": tag, "id": v})
    raise WireError(f"unknown tag {tag!r}")


_DEVICE = re.compile(r"(cpu|cuda|mps|meta|xpu)(:[0-9]{1,3})?")
_NAMEDTUPLES: dict = {}


def _namedtuple(name, fields, n: int):
    """A namedtuple class with the learner's type name and field names (validated identifiers; made once), or None
    (then a plain tuple stands in)."""
    import collections
    import keyword
    fields = _list(fields)
    ok = lambda s: isinstance(s, str) and s.isidentifier() and not keyword.iskeyword(s) and len(s) <= 64  # noqa: E731
    if not (ok(name) and len(fields) == n <= 64 and all(ok(f) and not f.startswith("_") for f in fields)
            and len(set(fields)) == n):
        return None
    key = (name, tuple(fields))
    cls = _NAMEDTUPLES.get(key)
    if cls is None and len(_NAMEDTUPLES) < 256:
        cls = _NAMEDTUPLES[key] = collections.namedtuple(name, fields, module="learner")
    return cls


def _list(v):
    if not isinstance(v, list):
        raise WireError("malformed value")
    return v


def _buffer(i, buffers):
    if type(i) is not int or not 0 <= i < len(buffers):
        raise WireError("bad buffer index")
    return buffers[i]


def encode_float(x: float):
    if x != x:
        return {"f": "nan"}
    if x in (float("inf"), float("-inf")):
        return {"f": "inf" if x > 0 else "-inf"}
    return x


# ------------------------------------------------------------------------------------------------ shipping
# Objects the grader ships (pickles) into the worker and wants to see changed in place afterwards go through
# these reconstructors: the worker records them by index.
TRACKED: list = []


def _tracked(i, func, args):
    obj = func(*args)
    while len(TRACKED) <= i:
        TRACKED.append(None)
    TRACKED[i] = obj
    return obj
