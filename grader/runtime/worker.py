"""The sandboxed worker: runs the learner's code for the grading process, apart from the graders.

Started by grader/sandbox.py as ``python -I -S -B <scratch>/lib/worker.py`` with a clean environment, its own
process group and session, fds 3 (requests in) and 4 (replies out). It imports only the standard library, torch
and the copy of its own directory (grader/runtime/: wire, guard, learner — the learner-side runtime, the same code
the grading process uses) and of the shippable test modules that the grader put beside it — never the rest of
``grader`` or the graders' ``tests`` — then locks itself in before it reads any learner code:

* a new user and network namespace (no network: only a loopback that is down), where the kernel allows;
* Landlock (Linux >= 5.13): read-only access to the Python installation and system libraries, read-write access to
  its scratch directory only (so no ``solutions/``, no ``tests/``, no other submission, no results file); from ABI 4
  no TCP bind/connect, from ABI 6 no signals to (and no abstract sockets of) processes outside the sandbox;
* rlimits: address space, CPU seconds, file size, open files, no core dumps; PR_SET_PDEATHSIG so it dies with the
  grader.

Whatever it sends back is plain data (see grader/runtime/wire.py); the grader decides pass/fail. Nothing here is trusted:
learner code can change any of it at run time, which only changes the data the grader receives.
"""
import ctypes
import linecache
import os
import pickle
import sys
import types

REQ_FD, REP_FD = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (3, 4)
LEARNER_FILES: set = set()
OBJECTS: dict = {}          # handle id -> object living here (learner objects, module objects)
BRIDGES: dict = {}          # bridge id -> (tensor with a graph, call id)
CALLS: dict = {}            # call id -> Ship (the tensors the grader sent with that call)
MODULES: dict = {}          # relpath -> (module, rules)
STATE = {"next": 1, "init": None}
SANDBOX = {}


def _new_id():
    STATE["next"] += 1
    return STATE["next"]


# ------------------------------------------------------------------------------------------------ lock-in
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def unshare_net() -> tuple[bool, bool]:
    """New user + network namespace (no network) and, where the kernel allows, a new PID namespace: the worker then
    forks, the child runs as PID 1 of the namespace and the parent only waits for it. When PID 1 ends (the grader
    kills the worker's process group, or the parent dies: PDEATHSIG), the kernel kills every process in the
    namespace, so nothing the learner's code started — a fork that left the process group with setsid and sleeps
    — outlives the grading. Must run before any thread exists. Returns (netns, pidns)."""
    if not sys.platform.startswith("linux"):
        return False, False
    CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID = 0x10000000, 0x40000000, 0x20000000
    try:
        libc = _libc()
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) != 0:
            return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0, False
    except Exception:  # noqa: BLE001
        return False, False
    pid = os.fork()
    if pid:   # the parent: wait for PID 1 of the namespace and end as it ended
        libc.prctl(1, 9, 0, 0, 0)                              # PR_SET_PDEATHSIG, SIGKILL: dies with the grader
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
            except ChildProcessError:
                os._exit(70)
        if os.WIFSIGNALED(status):
            import signal
            sig = os.WTERMSIG(status)
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)
    libc.prctl(1, 9, 0, 0, 0)                                  # PID 1 dies with the parent
    return True, True


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


def landlock(read_paths, rw_paths) -> int:
    """Restrict this process (and its children) to the given paths. Returns the Landlock ABI used (0: none)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))   # LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        return 0
    fs = (1 << 13) - 1
    if abi >= 2:
        fs |= 1 << 13
    if abi >= 3:
        fs |= 1 << 14
    if abi >= 5:
        fs |= 1 << 15
    attr = _RulesetAttr(fs, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    rfd = libc.syscall(444, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if rfd < 0:
        return 0
    file_bits = 1 | 2 | 4 | (1 << 14 if abi >= 3 else 0) | (1 << 15 if abi >= 5 else 0)
    read = 1 | 4 | 8       # EXECUTE | READ_FILE | READ_DIR

    def allow(path, access):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            if not os.path.isdir(path):
                access &= file_bits
            rule = _PathBeneath(access, fd)
            libc.syscall(445, ctypes.c_int(rfd), ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0))
        finally:
            os.close(fd)
    for p in read_paths:
        allow(p, read)
    for p in rw_paths:
        allow(p, fs)
    libc.prctl(38, 1, 0, 0, 0)                                 # PR_SET_NO_NEW_PRIVS
    ok = libc.syscall(446, ctypes.c_int(rfd), ctypes.c_uint32(0)) == 0
    os.close(rfd)
    return abi if ok else 0


def set_limits(cfg) -> dict:
    import resource
    out = {}

    def lim(which, soft, hard=None):
        try:
            resource.setrlimit(which, (soft, soft if hard is None else hard))
            return True
        except (ValueError, OSError):
            return False
    lim(resource.RLIMIT_CORE, 0)
    out["fsize"] = lim(resource.RLIMIT_FSIZE, cfg["fsize"])
    out["nofile"] = lim(resource.RLIMIT_NOFILE, 1024)
    out["cpu"] = lim(resource.RLIMIT_CPU, cfg["cpu"], cfg["cpu"] + 5)
    try:
        with open("/proc/self/status") as f:
            vm = int(f.read().split("VmSize:")[1].split()[0]) * 1024
    except (OSError, IndexError, ValueError):
        vm = 0
    out["as"] = lim(resource.RLIMIT_AS, vm + cfg["memory"]) if vm else False
    try:
        _libc().prctl(1, 9, 0, 0, 0)                           # PR_SET_PDEATHSIG, SIGKILL
    except Exception:  # noqa: BLE001
        pass
    return out


def _read_init(fd) -> dict:
    """The first frame (the configuration), read without torch: sys.path is not set up yet."""
    import json
    import struct
    buf = b""

    def take(n):
        nonlocal buf
        while len(buf) < n:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                os._exit(3)
            buf += chunk
        out, buf = buf[:n], buf[n:]
        return out
    hlen, nbuf = struct.unpack("<II", take(8))
    cfg = json.loads(take(hlen))
    for _ in range(nbuf):
        (n,) = struct.unpack("<Q", take(8))
        take(n)
    return cfg


def bootstrap():
    net, pidns = unshare_net()
    lib = os.path.dirname(os.path.abspath(__file__))
    cfg = _read_init(REQ_FD)
    STATE["init"] = cfg
    sys.path[:] = [p for p in cfg["sys_path"]]
    # this directory is the package grader.runtime, as in the grading process (grader.wire: its public alias)
    grader_pkg = types.ModuleType("grader")
    grader_pkg.__path__ = []
    runtime_pkg = types.ModuleType("grader.runtime")
    runtime_pkg.__path__ = [lib]
    sys.modules["grader"], sys.modules["grader.runtime"] = grader_pkg, runtime_pkg
    grader_pkg.runtime = runtime_pkg
    from grader.runtime import wire as _wire_boot
    sys.modules["grader.wire"] = grader_pkg.wire = _wire_boot
    reader = _wire_boot.FrameReader(REQ_FD)
    import torch  # noqa: F401
    from grader.runtime import guard as _guard_mod
    from grader.runtime import learner  # noqa: F401
    sys.modules["grader.guard"] = grader_pkg.guard = _guard_mod
    _guard_mod.warm_meta()  # outside every deadline (the graders re-run calls on meta: conventions.py)
    torch.set_num_threads(1)
    import numpy  # noqa: F401
    tests_pkg = types.ModuleType("tests")
    tests_pkg.__path__ = []
    sys.modules["tests"] = tests_pkg
    for name, fname in cfg["shipped"]:
        mod = types.ModuleType(name)
        mod.__file__ = os.path.join(lib, fname)
        sys.modules[name] = mod
        with open(mod.__file__, encoding="utf-8") as f:
            exec(compile(f.read(), mod.__file__, "exec"), mod.__dict__)
        setattr(tests_pkg, name.split(".")[-1], mod)
    SANDBOX["netns"] = net
    SANDBOX["pidns"] = pidns
    SANDBOX["landlock"] = landlock(cfg["read_paths"], cfg["rw_paths"]) if cfg.get("landlock", True) else 0
    SANDBOX["limits"] = set_limits(cfg)
    os.chdir(cfg["cwd"])
    return reader


# ------------------------------------------------------------------------------------------------ encoding
def _qual(c) -> str:
    try:
        return f"{c.__module__}.{c.__qualname__}"
    except Exception:  # noqa: BLE001
        return "?"


class Encoder:
    """Plain data for the grader; learner objects become handles."""

    def __init__(self, ship=None, cid=None):
        import torch
        self.torch = torch
        self.buffers = []
        self.ship = ship
        self.cid = cid

    def buf(self, b: bytes) -> int:
        self.buffers.append(b)
        return len(self.buffers) - 1

    def tensor(self, t, bridge=True):
        from grader.runtime import wire
        torch = self.torch
        data = torch.Tensor.detach(t)
        info = wire.tensor_meta(data)
        if info["dtype"] not in wire.DTYPES:
            data = data.double() if data.is_floating_point() else data.long()
            info = wire.tensor_meta(data)
        info["buf"] = self.buf(wire.tensor_bytes(data))
        if t.requires_grad:
            info["rg"] = True
            if t.grad_fn is not None and bridge:
                hid = _new_id()
                BRIDGES[hid] = (t, self.cid)
                info["bridge"] = hid
        if isinstance(t, torch.nn.Parameter):
            info["param"] = True
        if t.is_leaf and t.grad is not None:
            info["grad"] = {"t": self.tensor(t.grad, bridge=False)}
        return info

    def enc(self, o, depth=0, data_only=False):
        from fractions import Fraction

        from grader.runtime import wire
        torch = self.torch
        if depth > 60:
            raise ValueError("the value is nested too deeply to send back")
        t = type(o)
        if o is None or t is bool or t is str or t is int:
            return o
        if t is float:
            return wire.encode_float(o)
        if self.ship is not None:
            ref = self.ship.ref_of(o)
            if ref is not None:
                return ref
        elif isinstance(o, self.torch.Tensor) and MIRROR_IDS.get(id(o)) is not None \
                and MIRRORS.get(MIRROR_IDS[id(o)]) is o:
            return {"mirror": MIRROR_IDS[id(o)]}
        d = depth + 1
        if isinstance(o, torch.Tensor):
            return {"t": self.tensor(o)}
        if isinstance(o, torch.Size):
            return {"size": [int(s) for s in o]}
        if t is list or (isinstance(o, list) and not data_only):
            return {"L": [self.enc(x, d, data_only) for x in list.__iter__(o)]}
        if isinstance(o, tuple):
            items = [self.enc(x, d, data_only) for x in tuple.__iter__(o)]
            fields = getattr(t, "_fields", None)
            if type(fields) is tuple and len(fields) == len(items) and all(type(f) is str for f in fields):
                return {"NT": [str(t.__name__), list(fields), items]}   # a namedtuple: its fields by name too
            return {"T": items}
        if isinstance(o, dict):
            return {"D": [[self.enc(k, d, data_only), self.enc(v, d, data_only)] for k, v in dict.items(o)]}
        if isinstance(o, (set, frozenset)):
            return {"S": [self.enc(x, d, data_only) for x in o]}
        if isinstance(o, bool):
            return bool(o)
        if isinstance(o, int):
            return int(o)
        if isinstance(o, float):
            return wire.encode_float(float(o))
        if isinstance(o, str):
            return str(o)
        if isinstance(o, Fraction):
            return {"F": [int(o.numerator), int(o.denominator)]}
        if isinstance(o, complex):
            return {"C": [wire.encode_float(float(o.real)), wire.encode_float(float(o.imag))]}
        if isinstance(o, range):
            return {"range": [int(o.start), int(o.stop), int(o.step)]}
        if isinstance(o, slice):
            return {"slice": [self.enc(x, d, True) for x in (o.start, o.stop, o.step)]}
        if o is Ellipsis:
            return {"E": 0}
        if isinstance(o, torch.device):
            return {"device": str(o)}
        if isinstance(o, (bytes, bytearray)):
            return {"B": self.buf(bytes(o))}
        if isinstance(o, torch.dtype):
            return {"dtype": str(o).removeprefix("torch.")}
        np = sys.modules.get("numpy")
        if np is not None:
            if isinstance(o, np.ndarray) and o.dtype.kind in "biufc":
                info = {"t": self.tensor(torch.from_numpy(np.ascontiguousarray(o)), bridge=False)}
                return {"ndarray": info["t"]}
            if isinstance(o, np.generic) and o.dtype.kind in "biufc":
                return self.enc(o.item(), d, data_only)
        if data_only:
            raise TypeError("not plain data")
        return {"ref": self.handle(o)}

    def handle(self, o) -> dict:
        hid = _new_id()
        OBJECTS[hid] = o
        cls = o if isinstance(o, type) else type(o)
        info = {"id": hid, "type": _qual(type(o)), "mro": [_qual(c) for c in getattr(cls, "__mro__", ())][:32],
                "callable": callable(o), "isclass": isinstance(o, type)}
        if isinstance(o, (type, types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
            info["name"] = str(getattr(o, "__name__", "?"))
        fn = getattr(o, "__func__", o)
        code = getattr(fn, "__code__", None) if isinstance(fn, types.FunctionType) else None
        if code is not None:   # the positional parameter names (for the grader's messages only)
            names = list(code.co_varnames[:code.co_argcount])
            info["params"] = [str(n)[:40] for n in (names[1:] if isinstance(o, types.MethodType) else names)][:16]
        return info


# ------------------------------------------------------------------------------------------------ shipping
MIRRORS: dict = {}      # key -> tensor: the worker's copy of a grader tensor (kept in step with the original)
MIRROR_IDS: dict = {}   # id(tensor) -> key
MSNAP: dict = {}        # key -> (snapshot, data bytes, grad bytes, data place, grad place) as last exchanged


def _bytes_changed(t, place, then: bytes, *, located: bool = False) -> bool:
    """Did the values of ``t`` change since they were ``then``? A write through ``x.data`` or numpy leaves the
    version counter alone, so the bytes decide. While the tensor lies where they were read (``place``, from
    wire.tensor_bytes_at: address, shape, strides, dtype), they are compared there, without reading the tensor out
    again (most mirrors, after most calls). ``located``: address, shape and dtype are known to be unchanged (the
    snapshot said so): only the strides are left to check."""
    from grader.runtime import wire
    if place is not None:
        ptr, shape, stride, dtype, n = place
        if t.stride() == stride and (located or (t.data_ptr() == ptr and t.dtype == dtype and t.shape == shape)):
            return bool(n) and ctypes.string_at(ptr, n) != then
    return wire.tensor_bytes(t) != then


def _record(key, t):
    """What mirror_changes compares with later: the snapshot, the bytes of the values and the .grad, and where
    they were read."""
    from grader.runtime import wire
    g = t.grad
    raw, place = wire.tensor_bytes_at(t)
    graw, gplace = wire.tensor_bytes_at(g) if g is not None else (None, None)
    MSNAP[key] = (_snap(t), raw, graw, place, gplace)


def _register_mirror(key, t):
    MIRRORS[key] = t
    MIRROR_IDS[id(t)] = key
    _record(key, t)


def apply_updates(updates, bufs):
    """The grader changed some of its tensors since they were shipped: change the copies here the same way."""
    import torch

    from grader.runtime import wire
    for u in updates or ():
        t = MIRRORS.get(u.get("key"))
        if t is None:
            continue
        if "data" in u:
            new = wire.decode(u["data"], bufs)
            with torch.no_grad():
                if new.shape == t.shape and new.dtype == t.dtype:
                    torch.Tensor.copy_(t, new)
                else:
                    t.data = new
        if "grad" in u and t.is_leaf:
            t.grad = None if u["grad"] is None else wire.decode(u["grad"], bufs)
        if t.is_leaf and bool(u.get("rg")) != t.requires_grad and (t.is_floating_point() or not u.get("rg")):
            t.requires_grad_(bool(u.get("rg")))
        _record(u["key"], t)


class _ShipUnpickler(pickle.Unpickler):
    def __init__(self, file, ship):
        super().__init__(file)
        self.ship = ship

    def persistent_load(self, pid):
        return self.ship.persistent(pid)


class Ship:
    """The tensors (mirrors), generators and tracked objects that arrived with one call."""

    def __init__(self, meta, buffers):
        self.meta, self.buffers = meta, buffers
        self.tensors, self.gens, self.gen_before = {}, {}, {}
        self.tracked = []
        self.ids = {}

    def load(self, blob):
        import io

        from grader.runtime import wire
        wire.TRACKED.clear()
        out = _ShipUnpickler(io.BytesIO(blob), self).load()
        self.tracked = list(wire.TRACKED)
        wire.TRACKED.clear()
        for j, o in enumerate(self.tracked):
            self.ids[id(o)] = {"tracked": j}
        return out

    def persistent(self, pid):
        import torch

        from grader.runtime import wire
        kind, i = pid[0], pid[1]
        if kind == "t":
            if i not in self.tensors:
                m = self.meta["tensors"][i]
                t = wire.tensor_from(m, self.buffers[m["buf"]])
                if m.get("rg"):
                    t.requires_grad_(True)
                if m.get("param"):
                    t = torch.nn.Parameter(t, requires_grad=bool(m.get("rg")))
                if m.get("grad") is not None:
                    g = self.meta["tensors"][m["grad"]]
                    t.grad = wire.tensor_from(g, self.buffers[g["buf"]])
                self.tensors[i] = t
                _register_mirror(m["key"], t)
            return self.tensors[i]
        if kind == "m":
            t = MIRRORS.get(pid[1])
            if t is None:
                raise ReferenceError("a tensor from an earlier call is gone")
            self.tensors[pid[2]] = t
            return t
        if kind == "g":
            if i not in self.gens:
                m = self.meta["gens"][i]
                g = torch.Generator()
                g.set_state(wire.tensor_from(m, self.buffers[m["buf"]]))
                self.gens[i] = g
                self.gen_before[i] = bytes(self.buffers[m["buf"]])
            return self.gens[i]
        if kind == "r":
            if i not in OBJECTS:
                raise ReferenceError("an object from an earlier call is gone (the worker was restarted)")
            return OBJECTS[i]
        raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")

    def ref_of(self, o):
        key = MIRROR_IDS.get(id(o))
        if key is not None and MIRRORS.get(key) is o:
            return {"mirror": key}
        r = self.ids.get(id(o))
        if r is None:
            return None
        if "tracked" in r and self.tracked[r["tracked"]] is not o:
            return None
        return r

    def changes(self, enc: "Encoder") -> dict:
        import torch

        from grader.runtime import wire
        out = {"tensors": [], "gens": [], "tracked": []}
        out["tensors"] = mirror_changes(enc)
        for i, g in self.gens.items():
            st = g.get_state()
            if wire.tensor_bytes(st) != self.gen_before[i]:
                out["gens"].append({"i": i, "state": {"t": enc.tensor(st, bridge=False)}})
        for j, o in enumerate(self.tracked):
            if isinstance(o, torch.nn.Module):
                item = {"j": j, "training": bool(o.training), "params": {}, "buffers": {}, "dict": {}}
                for k, v in list(vars(o).items()):
                    if not str(k).startswith("_") and k != "training":
                        try:
                            item["dict"][str(k)] = enc.enc(v, data_only=True)
                        except Exception:  # noqa: BLE001
                            pass
                for key, table in (("params", o._parameters), ("buffers", o._buffers)):
                    for name, p in list(table.items()):
                        if p is None or self.ref_of(p) is None:
                            try:
                                item[key][str(name)] = enc.enc(p, data_only=True)
                            except Exception:  # noqa: BLE001
                                pass
                out["tracked"].append(item)
            else:
                state = {}
                for k, v in list(getattr(o, "__dict__", {}).items()):
                    try:
                        state[str(k)] = enc.enc(v, data_only=True)
                    except Exception:  # noqa: BLE001
                        continue
                out["tracked"].append({"j": j, "dict": state})
        return out


def mirror_changes(enc) -> list:
    """What the learner's code changed in the grader's tensors (values — byte-compared, so x.data.fill_() counts —,
    .grad, requires_grad), for every tensor the grader has shipped and still holds."""
    import torch
    out = []
    for key, t in list(MIRRORS.items()):
        snap, data, grad, place, grad_place = MSNAP[key]
        now = _snap(t)
        data_changed = now[:4] != snap[:4] or _bytes_changed(t, place, data, located=True)
        grad_changed = now[5:] != snap[5:] or (
            t.grad is not None and grad is not None and _bytes_changed(t.grad, grad_place, grad))
        if not (data_changed or grad_changed or now[4] != snap[4]):
            continue
        item = {"key": key, "rg": bool(t.requires_grad)}
        if data_changed:
            item["data"] = {"t": enc.tensor(torch.Tensor.detach(t), bridge=False)}
        if grad_changed:
            item["grad"] = None if t.grad is None else {"t": enc.tensor(t.grad, bridge=False)}
        out.append(item)
        _record(key, t)
    return out


def _snap(t):
    from grader.runtime import learner
    return learner.tensor_snapshot(t)


# ------------------------------------------------------------------------------------------------ learner code
def _learner_frames(tb) -> list:
    from grader.runtime import learner
    return [list(f) for f in learner.learner_frames(tb, LEARNER_FILES)][-8:]


def _describe_exception(e: BaseException, call=None) -> dict:
    from grader.runtime import learner
    msg = _safe_str(e)
    frames = _learner_frames(e.__traceback__)
    info = {"type": type(e).__name__[:80], "mro": [c.__name__ for c in type(e).__mro__][:16], "msg": msg,
            "frames": frames, "qualname": _qual(type(e))}
    try:
        info["args"] = Encoder().enc(tuple(e.args), data_only=True) if len(e.args) <= 8 else None
        info["attrs"] = Encoder().enc({str(k): v for k, v in vars(e).items()}, data_only=True)
    except BaseException:  # noqa: BLE001
        pass
    if isinstance(e, StopIteration):
        info["kind"] = "stop"
    elif learner.stub_message(e, LEARNER_FILES) is not None:
        info["kind"] = "notstarted"
        info["msg"] = learner.stub_message(e, LEARNER_FILES)
    elif type(e).__name__ == "ForbiddenCall":
        info["kind"] = "forbidden"
    return info


def _safe_str(e) -> str:
    from grader.runtime import learner
    return learner.safe_str(e)


def _describe_import_error(e: BaseException, filename: str) -> str:
    from grader.runtime import learner
    return learner.import_error_text(e, filename)


def _mark_stub_methods(mod):
    from grader.runtime import learner
    learner.mark_stub_methods(mod, LEARNER_FILES, NotImplementedError)


def _guard(rules):
    """The forbidden-call guard of grader/runtime/guard.py (the copy beside this file), for one module's rules. Best effort:
    learner code could switch it off here; the grader's static scan is the trusted check."""
    from grader.runtime import guard
    shippable = frozenset(getattr(m, "__file__", None) for name, m in list(sys.modules.items())
                          if name.startswith("tests.shippable"))
    frames = guard.Frames(LEARNER_FILES, shippable, frozenset({os.path.abspath(__file__)}))

    def seam_key(frame):
        obj = frame.f_locals.get("o", frame.f_locals.get("obj"))
        return getattr(obj, "__name__", None)
    return guard.Guard(rules, frames, seam_key=seam_key)


# ------------------------------------------------------------------------------------------------ operations
def op_load(req, bufs):
    rel, source, filename = req["module"], req["source"], req["filename"]
    name = "_kata.sandbox." + "".join(c if c.isalnum() else "_" for c in rel)
    mod = types.ModuleType(name)
    mod.__file__ = filename
    sys.modules[name] = mod
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    LEARNER_FILES.add(filename)
    if source.startswith("# katas:notebook\n"):
        # a notebook: cells run one by one, as a kernel runs them (a failing cell does not stop the others);
        # each cell is compiled at its own line of the combined source, so tracebacks point at the right line
        lines = source.splitlines(keepends=True)
        starts = [i for i, ln in enumerate(lines) if ln.startswith("# katas:cell ")] + [len(lines)]
        for a, b in zip(starts, starts[1:]):
            try:
                exec(compile("\n" * a + "".join(lines[a:b]), filename, "exec"), mod.__dict__)
            except BaseException:  # noqa: BLE001
                pass
    else:
        try:
            exec(compile(source, filename, "exec"), mod.__dict__)
        except BaseException as e:  # noqa: BLE001  (SystemExit at import too)
            sys.modules.pop(name, None)
            return {"import_error": _describe_import_error(e, filename)}, []
    _mark_stub_methods(mod)
    if req.get("forbid"):
        from grader.runtime import guard
        rules = {"rules": guard.Rules(req.get("forbid") or {}, req.get("why") or {})}
    else:
        rules = None
    MODULES[rel] = (mod, rules)
    enc = Encoder()
    return {"ok": enc.enc(mod)}, enc.buffers


_ACTIONS = {
    "call": lambda o, a, k: o(*a, **k),
    "getattr": lambda o, a, k: getattr(o, a[0]),
    "setattr": lambda o, a, k: setattr(o, a[0], a[1]),
    "iter": lambda o, a, k: iter(o),
    "next": lambda o, a, k: next(o),
    "len": lambda o, a, k: len(o),
    "getitem": lambda o, a, k: o[a[0]],
    "setitem": lambda o, a, k: o.__setitem__(a[0], a[1]),
    "contains": lambda o, a, k: a[0] in o,
    "repr": lambda o, a, k: repr(o)[:2000],
    "str": lambda o, a, k: str(o)[:2000],
    "float": lambda o, a, k: float(o),
    "int": lambda o, a, k: int(o),
    "index": lambda o, a, k: o.__index__(),
    "dir": lambda o, a, k: sorted(str(n) for n in dir(o))[:500],
}


def _apply(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def op_invoke(req, bufs):
    import contextlib

    import torch
    obj = _apply if req["obj"] == -1 else OBJECTS.get(req["obj"])
    if obj is None and req["obj"] not in OBJECTS:
        raise ReferenceError("this object is gone (the grading worker was restarted after an earlier crash)")
    cid = _new_id()
    apply_updates(req.get("updates"), bufs)
    for key in req.get("drop_mirrors") or ():
        t = MIRRORS.pop(key, None)
        MSNAP.pop(key, None)
        if t is not None and MIRROR_IDS.get(id(t)) == key:
            del MIRROR_IDS[id(t)]
    ship = Ship(req["meta"], bufs)
    args, kwargs = ship.load(bufs[req["args"]]) if req.get("args") is not None else ((), {})
    CALLS[cid] = ship
    # lists passed as arguments: the learner's code may replace their items (params[i] = ...), which the grader
    # must see in its own list afterwards
    lists = [(k, v, list(v)) for k, v in list(enumerate(args)) + list(kwargs.items()) if type(v) is list]
    rules = MODULES.get(req.get("module"), (None, None))[1]
    if rules and "guard" not in rules:
        rules["guard"] = _guard(rules["rules"])   # one per module
    guard = rules["guard"] if rules else contextlib.nullcontext()
    torch.set_default_dtype(getattr(torch, req.get("default_dtype", "float32")))
    _set_rng(req.get("rng"), bufs)
    try:
        with torch.set_grad_enabled(bool(req.get("grad", True))):
            with guard, (guard.watch() if rules else contextlib.nullcontext()):
                result = _ACTIONS[req["what"]](obj, args, kwargs)
    except BaseException as e:  # noqa: BLE001
        enc = Encoder()
        try:
            with torch._C.DisableTorchFunctionSubclass():
                changed = mirror_changes(enc)
        except Exception:  # noqa: BLE001
            changed = []
        return {"exc": _describe_exception(e), "rng": _get_rng(enc), "sync": {"tensors": changed}}, enc.buffers
    with torch._C.DisableTorchFunctionSubclass():
        enc = Encoder(ship, cid)
        out = enc.enc(result)
        sync = ship.changes(enc)
        sync["lists"] = []
        for k, lst, items in lists:
            if len(lst) != len(items) or any(a is not b for a, b in zip(lst, items)):
                try:
                    sync["lists"].append({"k": k, "items": enc.enc(list(lst))})
                except Exception:  # noqa: BLE001
                    pass
        rng = _get_rng(enc)
    return {"ok": out, "sync": sync, "rng": rng}, enc.buffers


_RNG_LAST: dict = {}


def _rng_now():
    from grader.runtime import wire
    return wire.rng_now(_RNG_LAST)


def _set_rng(node, bufs):
    """Take the grader's global RNG states (only those that changed since the last exchange travel)."""
    from grader.runtime import wire
    last = wire.rng_apply(node or {}, bufs)
    if _RNG_LAST:   # the states as of the end of the last call, with what the grader changed since (no re-read)
        _RNG_LAST.update(last)
    else:           # stale (a module was imported, a backward pass ran, ...): read them
        _RNG_LAST.update(_rng_now())


def _get_rng(enc):
    """The global RNG states this call changed, to hand back."""
    from grader.runtime import wire
    try:
        now = _rng_now()
    except Exception:  # noqa: BLE001
        return {}
    out = wire.rng_changes(now, _RNG_LAST, enc.buf)
    _RNG_LAST.clear()
    _RNG_LAST.update(now)
    return out


def op_backward(req, bufs):
    import torch

    from grader.runtime import wire
    out, cid = BRIDGES[req["hid"]]
    ship = CALLS[cid]
    ins = [ship.tensors[i] for i in req["idx"]]
    g = wire.decode(req["grad"], bufs)
    saved = [t.grad for t in ins]
    for t in ins:
        t.grad = None
    try:
        torch.autograd.backward([out], [g.to(out.dtype)], retain_graph=True)
        grads = [t.grad for t in ins]
    finally:
        for t, s in zip(ins, saved):
            t.grad = s
    enc = Encoder()
    return {"ok": {"L": [None if x is None else {"t": enc.tensor(x, bridge=False)} for x in grads]}}, enc.buffers


def op_seed(req, bufs):
    import random

    import torch
    torch.default_generator.manual_seed(int(req["seed"]))
    random.seed(int(req["seed"]))
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed(int(req["seed"]))
    BRIDGES.clear()
    CALLS.clear()
    MIRRORS.clear()
    MIRROR_IDS.clear()
    MSNAP.clear()
    return {"ok": None}, []


OPS = {"load": op_load, "invoke": op_invoke, "backward": op_backward, "seed": op_seed,
       "ping": lambda req, bufs: ({"ok": None}, [])}


def main():
    reader = bootstrap()
    from grader.runtime import wire
    prof = None
    if STATE["init"].get("profile"):   # a maintainer's tool (KATAS_WORKER_PROFILE=1): a cProfile of this worker,
        import cProfile                # written into its home directory when the grader closes the pipe
        prof = cProfile.Profile()
        prof.enable()
    wire.write_frame(REP_FD, {"ready": True, "sandbox": SANDBOX, "pid": os.getpid()})
    while True:
        try:
            req, bufs = reader.read()
        except EOFError:
            if prof is not None:
                prof.disable()
                prof.dump_stats(f"worker-{os.getpid()}.prof")
            os._exit(0)
        for hid in req.get("release") or ():
            OBJECTS.pop(hid, None)
        if req.get("op") != "invoke":
            _RNG_LAST.clear()   # this op may draw from the RNGs outside any exchange: re-read them next time
        try:
            header, out = OPS[req["op"]](req, bufs)
        except BaseException as e:  # noqa: BLE001  (SystemExit, KeyboardInterrupt: the learner's, reported)
            header, out = {"exc": _describe_exception(e)}, []
        header["seq"] = req.get("seq")
        try:
            wire.write_frame(REP_FD, header, out)
        except BaseException as e:  # noqa: BLE001
            wire.write_frame(REP_FD, {"exc": {"type": "WireError", "mro": ["Exception"],
                                              "msg": f"could not send the result back: {_safe_str(e)}",
                                              "frames": []}, "seq": req.get("seq")})


if __name__ == "__main__":
    main()
