"""Grading apart from the learner's code: the trusted side of the sandbox (see docs/SANDBOX.md).

With ``--katas-sandbox`` the ``kata`` fixture returns a :class:`RemoteKata` instead of the module itself: every
call, attribute access or iteration a grader makes on learner code is a request to one worker process per grading
session (grader/runtime/worker.py), started isolated and locked in (Landlock, no network, rlimits). Arguments are pickled
into the worker (trusted -> untrusted); results come back as plain data (grader/runtime/wire.py) and pass/fail is decided
here. Learner objects that are not data stay in the worker and are reached through :class:`RemoteObject` handles.
Tensors that carry a graph in the worker come back wrapped in an autograd node whose backward asks the worker for
the vector-Jacobian product, so graders can call ``.backward()`` as before.

Time: each test has a deadline (``--katas-timeout``); a call still running at the deadline gets the worker killed
(SIGKILL to its process group: nothing to catch) and the test fails with KataTimeout. A worker that dies (exit,
os._exit, a signal, the memory limit) fails the test that was running; the next test gets a fresh worker. A module
whose code killed or stalled the worker twice is not run again in that session (its remaining tests fail at once).
"""
from __future__ import annotations

import gc
import io
import os
import pickle
import shutil
import signal
import subprocess
import sys
import importlib
import tempfile
import time
import types
import weakref
from pathlib import Path

import torch

from grader import ROOT, loader, seam
from grader.runtime import learner, wire
from grader.seam import GraderBug, KataTimeout, NotStarted, WorkerDied, timeout_message  # noqa: F401

# the grader-side modules the worker imports: tests/data.py and every tests/shippable*.py (objects graders pass into
# learner code; tests/shippable.py, plus one file per topic such as tests/shippable_nets.py)
SHIPPED = (("tests.data", "tests_data.py", ROOT / "tests" / "data.py"),) + tuple(
    (f"tests.{p.stem}", f"tests_{p.stem}.py", p) for p in sorted((ROOT / "tests").glob("shippable*.py")))
SHIPPABLE_MODULES = tuple(name for name, _, _ in SHIPPED if name != "tests.data")
ALLOWED_GLOBALS = ("builtins", "copyreg", "collections", "fractions", "decimal", "math", "functools", "operator",
                   "numpy", "pandas", "torch", "_codecs", "grader.wire", "grader.runtime.wire", "tests.data",
                   "tests.shippable", "datetime", "enum", "types", "re", "_operator", "_collections")


class SandboxError(Exception):
    """The sandbox could not start (not the learner's fault)."""


def _grader_bug(msg):
    return GraderBug(msg)


# ------------------------------------------------------------------------------------------------ the process
class WorkerProcess:
    def __init__(self, scratch: Path, *, memory: int, cpu: int, fsize: int, landlock: bool = True,
                 rw_root: Path | None = None, extra_rw: list[str] = ()):
        self.scratch = scratch
        lib = scratch / "lib"
        lib.mkdir(parents=True, exist_ok=True)
        for d in ("home", "tmp", "mpl"):
            (scratch / d).mkdir(exist_ok=True)
        for f in sorted((ROOT / "grader" / "runtime").glob("*.py")):   # the learner-side runtime, as it is
            shutil.copyfile(f, lib / f.name)
        shipped = []
        for name, fname, src in SHIPPED:
            if src.exists():
                shutil.copyfile(src, lib / fname)
                shipped.append((name, fname))
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch / "home"), "TMPDIR": str(scratch / "tmp"),
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(scratch / "mpl"),
               "CUDA_VISIBLE_DEVICES": ""}
        self.log = open(scratch / "worker-output.txt", "wb")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", str(lib / "worker.py"), str(req_r), str(rep_w)],
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=str(scratch),
                close_fds=True, pass_fds=(req_r, rep_w), start_new_session=True)
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.wfd, self.reader = req_w, wire.FrameReader(rep_r)
        import sysconfig
        root, prefix = ROOT.resolve(), Path(sys.prefix).resolve()
        candidates = [Path(p) for p in sys.path if p] + [Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")]
        sys_path = []
        for p in candidates:
            try:
                r = p.resolve()
            except OSError:
                continue
            if not r.is_dir() or (r.is_relative_to(root) and not r.is_relative_to(prefix)):
                continue   # never the repository (solutions/, tests/, grader/): only the Python installation
            if str(r) not in sys_path:
                sys_path.append(str(r))
        read_paths = ["/usr", "/lib", "/lib64", "/bin", "/etc", "/proc", "/sys", "/dev/urandom", "/dev/random",
                      "/dev/zero", sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent)]
        read_paths += sys_path
        rw_paths = [str(rw_root or scratch), "/dev/null", "/dev/shm", *extra_rw]
        cfg = {"sys_path": sys_path, "shipped": shipped, "read_paths": read_paths, "rw_paths": rw_paths,
               "memory": memory, "cpu": cpu, "fsize": fsize, "cwd": str(scratch / "home"),
               "landlock": landlock, "profile": bool(os.environ.get("KATAS_WORKER_PROFILE"))}
        self.ready = None
        try:
            wire.write_frame(self.wfd, cfg)
        except OSError:
            pass
        self.cfg = cfg

    cpu_spent: float | None = None   # set when killed: what cpu_seconds() read last

    def handshake(self, timeout: float = 120.0) -> dict:
        if self.ready is None:
            try:
                header, _ = self.reader.read(time.monotonic() + timeout)
            except (EOFError, TimeoutError, wire.WireError) as e:
                self.kill()
                raise SandboxError(f"the grading worker did not start ({type(e).__name__}); its output:\n"
                                   + self.output()[-2000:]) from None
            self.ready = header
        return self.ready

    def output(self) -> str:
        try:
            return (self.scratch / "worker-output.txt").read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the worker's processes have used so far, read from /proc (0 elsewhere): its
        PID-namespace child is never reaped by anyone who counts, so rusage of the grading process misses it."""
        def tree(pid):
            yield pid
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    for child in f.read().split():
                        yield from tree(int(child))
            except OSError:
                return
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        total = 0
        for pid in tree(self.proc.pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15])   # utime, stime, cutime, cstime
            except (OSError, IndexError, ValueError):
                pass
        return total / ticks

    def kill(self):
        if self.cpu_spent is None:
            self.cpu_spent = self.cpu_seconds()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self.wfd, self.reader.fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.wfd = self.reader.fd = -1
        try:
            self.log.close()
        except OSError:
            pass

    def exit_description(self) -> str:
        try:
            code = self.proc.wait(2)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code is None:
            return "stopped answering"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            hint = {"SIGKILL": " (the memory limit, or killed)", "SIGXCPU": " (the CPU-time limit)",
                    "SIGSEGV": " (a crash)"}.get(name, "")
            return f"was killed by {name}{hint}"
        return f"exited with code {code}"

    seq = 0

    def request(self, header: dict, buffers=(), deadline: float | None = None) -> tuple[dict, list[bytes]]:
        self.seq += 1
        header = {**header, "seq": self.seq}
        try:
            wire.write_frame(self.wfd, header, list(buffers))
            reply, bufs = self.reader.read(deadline)
            if reply.get("seq") != self.seq:   # something in the worker wrote into the reply pipe itself
                raise wire.WireError("a reply out of sequence")
            return reply, bufs
        except TimeoutError:
            raise
        except (EOFError, BrokenPipeError, OSError) as e:
            raise EOFError(str(e)) from None


# ------------------------------------------------------------------------------------------------ the session
class Sandbox:
    """One per grading session: the worker, the modules loaded in it, what went wrong so far."""

    def __init__(self, scratch: Path | None = None, *, timeout: float = 30.0, memory: int = 4 << 30,
                 cpu: int = 900, fsize: int = 64 << 20, extra_rw: list[str] = ()):
        self.own_scratch = scratch is None
        self.scratch = Path(scratch or tempfile.mkdtemp(prefix="katas-sandbox-"))
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.limits = dict(memory=memory, cpu=cpu, fsize=fsize, extra_rw=list(extra_rw))
        self.timeout = timeout
        self.timed_out = False
        self.worker: WorkerProcess | None = None
        self.generation = 0
        self.loaded: dict[str, tuple[int, dict]] = {}      # relpath -> (generation, module handle info)
        self.broken: dict[str, str] = {}                   # relpath -> why its tests fail at once
        self.unimportable: set[str] = set()                # of those, the modules that cannot be imported
        self.strikes: dict[str, int] = {}
        self.deadline: float | None = None
        self.seed = 0
        self.info: dict = {}
        self.retired_cpu = 0.0        # CPU seconds of the workers that were replaced

    def worker_cpu_seconds(self) -> float:
        """CPU seconds all this session's workers have used (benchmark: the sandbox's cost, measured whole)."""
        w = self.worker
        if w is None:
            return self.retired_cpu
        return self.retired_cpu + (w.cpu_seconds() if w.cpu_spent is None else w.cpu_spent)

    # -- process
    def start(self):
        if self.worker is None or not self.worker.alive():
            if self.worker is not None:
                self.worker.kill()
                self.retired_cpu += self.worker.cpu_spent or 0.0
            self.generation += 1
            self.worker = WorkerProcess(self.scratch / f"w{self.generation}", rw_root=self.scratch, **self.limits)
            _RNG_SYNCED.clear()
            self.clear_mirrors()
            self.loaded.clear()
        return self.worker

    def ensure(self) -> WorkerProcess:
        w = self.start()
        ready = w.handshake()
        self.info = ready.get("sandbox", {})
        return w

    def close(self):
        if self.worker is not None:
            if self.worker.cfg.get("profile"):   # let it write its profile (it stops when the pipe closes)
                try:
                    wfd, self.worker.wfd = self.worker.wfd, -1
                    os.close(wfd)
                    self.worker.proc.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self.worker.kill()
            self.worker = None
        if self.own_scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _strike(self, module: str | None, why: str):
        if module:
            self.strikes[module] = self.strikes.get(module, 0) + 1
            if self.strikes[module] >= 2:
                self.broken[module] = (f"not run: your code in {module.split('@')[0]} stopped the grading worker twice "
                                       f"(last time: {why}); the remaining tests of this module fail without "
                                       f"running it again.")

    def rpc(self, header: dict, buffers=(), *, module: str | None = None, what: str = "your code",
            timeout: float | None = None) -> tuple[dict, list[bytes]]:
        if module in self.broken:
            raise WorkerDied(self.broken[module])
        w = self.ensure()
        rel = self.__dict__.get("released")
        if rel:
            header = {**header, "release": rel[:]}
            rel.clear()
        now = time.monotonic()
        limit = self.deadline if self.deadline is not None else now + self.timeout
        if timeout is not None:
            limit = min(limit, now + timeout)
        try:
            return w.request(header, buffers, max(limit, now + 0.05))
        except TimeoutError:
            w.kill()
            self.timed_out = True
            secs = max(0.0, limit - (self.deadline_start or now)) if self.deadline is not None else self.timeout
            self._strike(module, "it did not return in time")
            raise KataTimeout(timeout_message(secs, what)) from None
        except (EOFError, wire.WireError) as e:
            how = w.exit_description() if isinstance(e, EOFError) else f"sent malformed data ({e})"
            w.kill()
            self._strike(module, f"the worker {how}")
            raise WorkerDied(f"{what} ended the grading process: it {how}. Your code must return normally: no "
                             f"sys.exit/os._exit, no unbounded memory.") from None

    deadline_start: float | None = None
    released: list

    # -- mirrors: the grader's tensors the worker holds copies of, kept in step both ways within a test
    def mirror_key(self, t: torch.Tensor) -> int | None:
        key = self.__dict__.setdefault("mirror_ids", {}).get(id(t))
        if key is not None:
            ref = self.mirrors.get(key)
            if ref is not None and ref() is t:
                return key
        return None

    def new_mirror(self, t: torch.Tensor) -> int:
        self.__dict__.setdefault("mirrors", {})
        self.__dict__.setdefault("mirror_ids", {})
        self.__dict__.setdefault("msnap", {})
        self.next_mirror = getattr(self, "next_mirror", 0) + 1
        key = self.next_mirror
        self.mirrors[key] = weakref.ref(t)
        self.mirror_ids[id(t)] = key
        self.msnap[key] = _tsnap(t)
        weakref.finalize(t, self._drop_mirror, self.generation, key, id(t))
        return key

    def _drop_mirror(self, generation, key, tid):
        # runs from the garbage collector, possibly in the middle of a loop over the tables: only note it here
        if generation == self.generation:
            self.__dict__.setdefault("pending_drops", []).append((key, tid))

    def _process_drops(self):
        pending = self.__dict__.get("pending_drops")
        while pending:
            key, tid = pending.pop()
            if key not in self.__dict__.get("mirrors", {}):
                continue
            self.mirrors.pop(key, None)
            self.msnap.pop(key, None)
            if self.mirror_ids.get(tid) == key:
                del self.mirror_ids[tid]
            self.__dict__.setdefault("dropped", []).append(key)

    def mirror(self, key) -> torch.Tensor:
        ref = self.__dict__.get("mirrors", {}).get(key) if type(key) is int else None
        t = ref() if ref is not None else None
        if t is None:
            raise wire.WireError("bad tensor reference")
        return t

    def clear_mirrors(self):
        for name in ("mirrors", "mirror_ids", "msnap"):
            self.__dict__[name] = {}
        self.__dict__["dropped"] = []
        self.__dict__["pending_drops"] = []

    def mirror_updates(self, buffers: list) -> list:
        """What the grader changed in tensors it shipped before (plain data for the worker to apply)."""
        out = []
        self._process_drops()
        mirrors = self.__dict__.get("mirrors", {})
        gc_was = gc.isenabled()
        gc.disable()        # no finalizer may run while the table is copied
        try:
            items = list(mirrors.items())
        finally:
            if gc_was:
                gc.enable()
        for key, ref in items:
            t = ref()
            if t is None:
                continue
            now = _tsnap(t)
            before = self.msnap[key]
            if now == before:
                continue
            u = {"key": key, "rg": bool(t.requires_grad)}
            if now[:4] != before[:4]:
                buffers.append(wire.tensor_bytes(t))
                u["data"] = {"t": {**wire.tensor_meta(t.detach()), "buf": len(buffers) - 1}}
            if now[5:] != before[5:]:
                if t.grad is None:
                    u["grad"] = None
                else:
                    buffers.append(wire.tensor_bytes(t.grad))
                    u["grad"] = {"t": {**wire.tensor_meta(t.grad), "buf": len(buffers) - 1}}
            out.append(u)
            self.msnap[key] = now
        return out

    def apply_mirror_changes(self, items, bufs, plain):
        """Apply what the learner's code changed in the grader's tensors (plain data) to the originals."""
        for item in items or ():
            t = self.mirror(item.get("key"))
            if "data" in item:
                new = plain(item["data"], bufs)
                if not isinstance(new, torch.Tensor):
                    raise wire.WireError("bad tensor update")
                with torch.no_grad():
                    if new.shape == t.shape and new.dtype == t.dtype:
                        t.copy_(new)
                    else:
                        t.data = new
            if "grad" in item and t.is_leaf:
                g = None if item["grad"] is None else plain(item["grad"], bufs)
                if g is not None and not isinstance(g, torch.Tensor):
                    raise wire.WireError("bad grad update")
                try:
                    t.grad = g
                except RuntimeError:
                    t.grad = None
            rg = bool(item.get("rg"))
            if t.is_leaf and rg != t.requires_grad and (t.is_floating_point() or t.is_complex() or not rg):
                t.requires_grad_(rg)
            self.msnap[item["key"]] = _tsnap(t)

    def release(self, generation: int, hid: int):
        if generation == self.generation:
            self.__dict__.setdefault("released", []).append(hid)

    def begin_test(self, seed: int = 0, budget: float | None = None):
        budget = self.timeout if budget is None else budget
        if self.timed_out:
            budget = min(budget, 2.0)
        self.deadline_start = time.monotonic()
        self.deadline = self.deadline_start + budget if budget else None
        self.clear_mirrors()      # the worker forgets its copies too (the seed request)
        if self.worker is not None and self.worker.alive() and self.worker.ready is not None:
            try:
                self.worker.request({"op": "seed", "seed": seed}, (), time.monotonic() + 10)
            except (TimeoutError, EOFError, wire.WireError):
                self.worker.kill()

    def end_test(self):
        self.deadline = None
        self.deadline_start = None

    # -- modules
    def module(self, relpath: str, source: str, filename: str, forbid: dict | None, why: dict | None):
        """The handle info of the learner's module in the current worker (loaded on demand)."""
        from grader.seam import IMPORT_ERROR, LearnerImportError
        if relpath in self.broken:   # an import error stays one, as in-process: the same feedback, shown once
            raise (LearnerImportError if relpath in self.unimportable else WorkerDied)(self.broken[relpath])
        w = self.ensure()
        got = self.loaded.get(relpath)
        if got and got[0] == self.generation:
            return got[1]
        try:
            header, bufs = self.rpc({"op": "load", "module": relpath, "source": source, "filename": filename,
                                     "forbid": forbid, "why": why}, module=relpath,
                                    what=f"importing your {Path(relpath.split('@')[0]).name}",
                                    timeout=max(self.timeout, 10.0))
        except WorkerDied as e:
            self.broken[relpath] = str(e)
            raise
        if "import_error" in header:
            msg = str(header["import_error"])[:4000]
            self.broken[relpath] = msg
            self.unimportable.add(relpath)
            raise LearnerImportError(msg)
        if "exc" in header:
            raise LearnerImportError(f"{IMPORT_ERROR}{Path(relpath.split('@')[0]).name}: "
                                     f"{header['exc'].get('msg')}")
        info = header["ok"]["ref"]
        self.loaded[relpath] = (self.generation, info)
        del w
        return info

    # -- calls
    def invoke(self, handle: "RemoteObject", what: str, args=(), kwargs=None, *, label: str | None = None):
        kwargs = kwargs or {}
        if what == "call" and handle._kata_id != -1 and not str(handle._kata_info.get("type", "")).startswith("torch."):
            # learner code (not a grader's probe, nor a torch layer such as nn.ReLU(inplace=True)): the conventions
            from grader import conventions
            info = handle._kata_info
            name = label or handle._kata_label
            is_function = info.get("type") == "builtins.function" and not info.get("isclass")
            key = str(info.get("name")) if is_function and isinstance(info.get("name"), str) else name
            params = info.get("params")
            names = [p for p in params if isinstance(p, str)] if isinstance(params, list) else None
            return conventions.graded_call(
                handle._kata_module.split("@")[0], key,
                lambda *a, **k: self._invoke(handle, what, a, k, label=label), tuple(args), dict(kwargs),
                function=is_function, names=names)
        return self._invoke(handle, what, args, kwargs, label=label)

    def _invoke(self, handle: "RemoteObject", what: str, args=(), kwargs=None, *, label: str | None = None):
        kwargs = kwargs or {}
        gen, hid, module = handle._kata_gen, handle._kata_id, handle._kata_module
        if gen != self.generation or self.worker is None or not self.worker.alive():
            raise WorkerDied(f"{handle._kata_label} was lost: an earlier call of your code ended the grading "
                             f"process, and objects living there are gone with it.")
        ship = Shipment(self)
        updates = self.mirror_updates(ship.buffers)
        blob = ship.pickle((tuple(args), dict(kwargs))) if (args or kwargs) else None
        header = {"op": "invoke", "obj": hid, "what": what, "module": module, "meta": ship.meta,
                  "updates": updates, "drop_mirrors": self.__dict__.get("dropped", [])[:],
                  "grad": torch.is_grad_enabled(), "default_dtype": str(torch.get_default_dtype()).split(".")[-1]}
        buffers = list(ship.buffers)
        if blob is not None:
            header["args"] = len(buffers)
            buffers.append(blob)
        header["rng"] = _rng_state(buffers)
        name = label or handle._kata_label
        reply, bufs = self.rpc(header, buffers, module=module, what=f"your `{name}`")
        try:
            _set_rng_state(reply.get("rng"), bufs)
        except (wire.WireError, ValueError, TypeError, RuntimeError, IndexError):
            pass
        self.__dict__["dropped"] = []
        if "exc" in reply:
            try:
                self.apply_mirror_changes((reply.get("sync") or {}).get("tensors"), bufs, ship._plain)
            except wire.WireError:
                pass
            raise _remote_exception(reply["exc"], name)
        try:
            ship.apply(reply.get("sync") or {}, bufs)
            for item in (reply.get("sync") or {}).get("lists", []):
                k = item.get("k")
                target = args[k] if type(k) is int and 0 <= k < len(args) else kwargs.get(k) if isinstance(k, str) \
                    else None
                if type(target) is list:
                    target[:] = ship.decode(item.get("items"), bufs, module=module, label=name)
            return ship.decode(reply.get("ok"), bufs, module=module, label=name)
        except wire.WireError as e:
            raise _remote_exception({"type": "ValueError", "mro": ["ValueError"],
                                     "msg": f"returned something that is not plain data: {e}", "frames": []},
                                    name) from None

    def backward(self, hid: int, grad: torch.Tensor, idx: list[int], module: str | None):
        enc_bufs = [wire.tensor_bytes(grad)]
        node = {"t": {**wire.tensor_meta(grad), "buf": 0}}
        reply, bufs = self.rpc({"op": "backward", "hid": hid, "idx": idx, "grad": node}, enc_bufs,
                               module=module, what="the backward pass through your code")
        if "exc" in reply:
            raise _remote_exception(reply["exc"], "backward")
        out = wire.decode(reply["ok"], bufs)
        if not (isinstance(out, list) and len(out) == len(idx)):
            raise wire.WireError("malformed gradients")
        return out


_RNG_SYNCED: dict = {}   # the global RNG states as last exchanged with the worker (only changes travel)


def _rng_now() -> dict:
    return wire.rng_now(_RNG_SYNCED)


def _rng_state(buffers: list) -> dict:
    """The grader's global RNGs travel with every call (those that changed since the last exchange), so learner
    code that draws from the global RNG (torch, random, numpy) behaves as it would in this process:
    torch.manual_seed here makes it reproducible."""
    now = _rng_now()
    out = wire.rng_changes(now, _RNG_SYNCED, lambda b: buffers.append(b) or len(buffers) - 1)
    _RNG_SYNCED.update(now)
    return out


def _set_rng_state(node, bufs):
    """Take back the global RNG states the worker changed (plain data, validated): _RNG_SYNCED holds this process's
    states as sent with the call; what the worker changed replaces them here and there."""
    _RNG_SYNCED.update(wire.rng_apply(node, bufs))


# ------------------------------------------------------------------------------------------------ shipping
class _ShipPickler(pickle.Pickler):
    """Pickles a call's arguments: tensors, generators and handles by persistent id, modules and shippable objects
    tracked. A module-level class (one made per call would live on in a reference cycle, and with it every tensor
    of the call and the worker's copies of them, until the next garbage collection)."""

    def __init__(self, file, ship: "Shipment"):
        super().__init__(file, protocol=4)
        self.ship = ship

    def persistent_id(self, o):
        ship = self.ship
        if isinstance(o, RemoteObject):
            if o._kata_gen != ship.sandbox.generation:
                raise WorkerDied(f"{o._kata_label} was lost when an earlier call ended the grading process")
            return ("r", o._kata_id)
        if isinstance(o, torch.Tensor):
            return ship._tensor(o)
        if isinstance(o, torch.Generator):
            i = ship._gen_ids.get(id(o))
            if i is None:
                i = ship._gen_ids[id(o)] = len(ship.gens)
                ship.gens.append(o)
                st = o.get_state()
                ship.meta["gens"].append({**wire.tensor_meta(st), "buf": len(ship.buffers)})
                ship.buffers.append(wire.tensor_bytes(st))
            return ("g", i)
        return None

    def reducer_override(self, o):
        ship = self.ship
        if isinstance(o, (type, types.FunctionType, types.BuiltinFunctionType)):
            mod = getattr(o, "__module__", None) or ""
            if not mod.startswith(ALLOWED_GLOBALS):
                raise _grader_bug(
                    f"a grader passes {getattr(o, '__qualname__', o)!r} (from {mod}) into learner code; "
                    f"the sandboxed worker cannot import {mod}: move it to tests/shippable.py")
            return NotImplemented
        if isinstance(o, torch.nn.Module) or type(o).__module__ in SHIPPABLE_MODULES + ("tests.data",):
            rv = o.__reduce_ex__(4)
            if not isinstance(rv, tuple):
                return NotImplemented
            j = len(ship.tracked)
            ship.tracked.append(o)
            ship._keep.append(rv)
            return (wire._tracked, (j, rv[0], rv[1])) + tuple(rv[2:])
        return NotImplemented


class Shipment:
    """The arguments of one call: pickled with tensors, generators and handles beside the pickle, and the
    originals kept so that changes the learner's code made in place can be applied to them afterwards."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.meta = {"tensors": [], "gens": []}
        self.buffers: list[bytes] = []
        self.tensors: list[torch.Tensor] = []
        self._tensor_ids: dict[int, int] = {}
        self.gens: list[torch.Generator] = []
        self._gen_ids: dict[int, int] = {}
        self.tracked: list = []
        self._keep: list = []
        self._pids: list = []

    def _tensor(self, t: torch.Tensor) -> tuple:
        """The persistent id of a tensor argument: ("m", key, i) if the worker already holds a copy (a mirror, kept
        in step), else ("t", i) with its bytes shipped and a new mirror key."""
        i = self._tensor_ids.get(id(t))
        if i is not None:
            return self._pids[i]
        i = len(self.tensors)
        self._tensor_ids[id(t)] = i
        self.tensors.append(t)
        key = self.sandbox.mirror_key(t)
        if key is not None:
            self.meta["tensors"].append(None)
            pid = ("m", key, i)
        else:
            key = self.sandbox.new_mirror(t)
            m = {**wire.tensor_meta(t.detach()), "buf": len(self.buffers), "key": key}
            self.buffers.append(wire.tensor_bytes(t))
            self.meta["tensors"].append(m)
            if t.requires_grad:
                m["rg"] = True
            if isinstance(t, torch.nn.Parameter):
                m["param"] = True
            if t.is_leaf and t.grad is not None:
                g = t.grad
                m["grad"] = len(self.meta["tensors"])
                self.meta["tensors"].append({**wire.tensor_meta(g), "buf": len(self.buffers)})
                self.buffers.append(wire.tensor_bytes(g))
                self.tensors.append(None)
                self._pids.append(None)
            pid = ("t", i)
        while len(self._pids) <= i:
            self._pids.append(None)
        self._pids[i] = pid
        return pid

    def pickle(self, obj) -> bytes:
        buf = io.BytesIO()
        _ShipPickler(buf, self).dump(obj)
        return buf.getvalue()

    # -- after the call
    def _plain(self, node, bufs):
        def handle(info):
            if info["kind"] == "mirror":
                return self.sandbox.mirror(info["id"])
            if info["kind"] == "tracked":
                return self._tracked_obj(info["id"])
            raise wire.WireError("a handle where plain data was expected")
        return wire.decode(node, bufs, handle, _plain_tensor)

    def _tracked_obj(self, j):
        if type(j) is not int or not 0 <= j < len(self.tracked):
            raise wire.WireError("bad object reference")
        return self.tracked[j]

    def apply(self, sync: dict, bufs):
        """Apply what the learner's code changed in place (plain data) to the grader's originals."""
        self.sandbox.apply_mirror_changes(sync.get("tensors", []), bufs, self._plain)
        for item in sync.get("gens", []):
            i = item.get("i")
            if type(i) is not int or not 0 <= i < len(self.gens):
                raise wire.WireError("bad generator reference")
            st = self._plain(item["state"], bufs)
            try:
                self.gens[i].set_state(st)
            except (RuntimeError, TypeError):
                raise wire.WireError("bad generator state") from None
        for item in sync.get("tracked", []):
            o = self._tracked_obj(item.get("j"))
            if isinstance(o, torch.nn.Module):
                o.training = bool(item.get("training", o.training))
                for k, node in (item.get("dict") or {}).items():
                    if k.startswith("_") or k == "training" or k in o._modules or k in o._parameters:
                        continue
                    try:
                        val = self._plain(node, bufs)
                    except wire.WireError:
                        continue
                    if isinstance(val, (torch.nn.Module, torch.nn.Parameter)):
                        continue
                    vars(o)[k] = val
                for key, table in (("params", o._parameters), ("buffers", o._buffers)):
                    for name, node in (item.get(key) or {}).items():
                        val = self._plain(node, bufs)
                        if val is None or isinstance(val, torch.Tensor):
                            if key == "params" and val is not None and not isinstance(val, torch.nn.Parameter):
                                val = torch.nn.Parameter(val, requires_grad=val.requires_grad)
                            table[name] = val
            else:
                for k, node in (item.get("dict") or {}).items():
                    try:
                        val = self._plain(node, bufs)
                    except wire.WireError:
                        continue
                    try:
                        vars(o)[k] = val
                    except TypeError:
                        pass

    def decode(self, node, bufs, *, module, label):
        sandbox = self.sandbox
        ship = self

        def handle(info):
            kind = info["kind"]
            if kind == "mirror":
                return sandbox.mirror(info["id"])
            if kind == "tracked":
                return ship._tracked_obj(info["id"])
            return RemoteObject._make(sandbox, info, module, label)

        def tensor(info, t):
            t = _plain_tensor(info, t)
            if info.get("bridge") is not None and (t.is_floating_point() or t.is_complex()):
                idx = [i for i, x in enumerate(ship.tensors) if x is not None and x.requires_grad]
                inputs = [ship.tensors[i] for i in idx] or [torch.zeros((), requires_grad=True)]
                t = _Bridge.apply(_BridgeCtx(sandbox, int(info["bridge"]), idx, module), t, *inputs)
            return t
        return wire.decode(node, bufs, handle, tensor)


_tsnap = learner.tensor_snapshot


def _plain_tensor(info, t):
    if info.get("grad") is not None:
        g = info["grad"]
        if g.shape != t.shape or g.dtype != t.dtype:
            raise wire.WireError("a .grad whose shape or dtype differs from its tensor")
    rg = bool(info.get("rg")) and (t.is_floating_point() or t.is_complex())
    if info.get("param"):
        t = torch.nn.Parameter(t, requires_grad=rg)
    elif rg and info.get("bridge") is None:
        t.requires_grad_(True)
    if info.get("grad") is not None:
        t.grad = info["grad"]
    return t


class _BridgeCtx:
    def __init__(self, sandbox, hid, idx, module):
        self.sandbox, self.hid, self.idx, self.module = sandbox, hid, idx, module


class _Bridge(torch.autograd.Function):
    """A tensor computed in the worker: backward asks the worker for the gradients of the call's inputs."""

    @staticmethod
    def forward(ctx, bctx, value, *inputs):
        ctx.bctx = bctx
        ctx.n = len(inputs)
        ctx.shapes = [(x.shape, x.dtype) for x in inputs]
        return value.clone()

    @staticmethod
    def backward(ctx, grad):
        b = ctx.bctx
        grads = [None] * ctx.n
        if b.idx:
            got = b.sandbox.backward(b.hid, grad.detach().contiguous(), b.idx, b.module)
            for k, g in enumerate(got):
                shape, dtype = ctx.shapes[k]
                if g is not None:
                    if not isinstance(g, torch.Tensor) or g.shape != shape:
                        raise wire.WireError("the worker sent a gradient of the wrong shape")
                    grads[k] = g.to(dtype)
        else:
            b.sandbox.backward(b.hid, grad.detach().contiguous(), [], b.module)
        return (None, None, *grads)


# ------------------------------------------------------------------------------------------------ exceptions
_SAFE = {c.__name__: c for c in (
    ValueError, TypeError, IndexError, KeyError, AttributeError, RuntimeError, NotImplementedError,
    ZeroDivisionError, OverflowError, ArithmeticError, LookupError, AssertionError, MemoryError, RecursionError,
    NameError, UnboundLocalError, ImportError, ModuleNotFoundError, FileNotFoundError, PermissionError, OSError,
    FloatingPointError, UnicodeError, ReferenceError, EOFError, Exception)}
_MADE: dict[tuple[str, str], type] = {}


def _shippable_exception(info):
    """An exception class of tests/shippable.py raised in the worker (a grader's stand-in raised it): rebuilt here
    from its plain-data arguments, so that graders can catch it by class."""
    qual = info.get("qualname")
    if not isinstance(qual, str) or qual.rsplit(".", 1)[0] not in SHIPPABLE_MODULES:
        return None
    try:
        shippable = importlib.import_module(qual.rsplit(".", 1)[0])
    except ImportError:
        return None
    cls = getattr(shippable, qual.rsplit(".", 1)[-1], None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        return None
    try:
        args = wire.decode(info.get("args"), []) if info.get("args") is not None else ()
        attrs = wire.decode(info.get("attrs"), []) if info.get("attrs") is not None else {}
        e = cls.__new__(cls)
        e.args = tuple(args) if isinstance(args, (list, tuple)) else ()
        if isinstance(attrs, dict):
            e.__dict__.update({k: v for k, v in attrs.items() if isinstance(k, str)})
        return e
    except Exception:  # noqa: BLE001
        return None


class LearnerExit(Exception):
    """The learner's code raised SystemExit/KeyboardInterrupt/GeneratorExit (reported as an error, not obeyed)."""


def _remote_exception(info: dict, call: str | None) -> BaseException:
    from grader.forbid import ForbiddenCall
    if not isinstance(info, dict):
        info = {}
    msg = str(info.get("msg", ""))[:4000]
    kind = info.get("kind")
    if kind == "notstarted":
        return NotStarted(msg)
    if kind == "forbidden":
        e = ForbiddenCall(msg)
    elif kind == "stop":
        e = StopIteration()
    elif _shippable_exception(info) is not None:
        e = _shippable_exception(info)
    else:
        name = "".join(ch for ch in str(info.get("type", "Exception")) if ch.isalnum() or ch == "_")[:80] or "Error"
        mro = [str(m) for m in info.get("mro", []) if isinstance(m, str)]
        if any(m in ("SystemExit", "KeyboardInterrupt", "GeneratorExit") for m in mro[:1]):
            e = LearnerExit(f"{name}({msg}) — your code tried to stop the program; a function must return "
                            f"or raise an exception instead")
            name = "LearnerExit"
        else:
            base = next((_SAFE[m] for m in mro if m in _SAFE), Exception)
            cls = base
            if name != base.__name__:
                cls = _MADE.get((name, base.__name__))
                if cls is None:
                    cls = _MADE[(name, base.__name__)] = type(name, (base,), {"__module__": "learner"})
            try:
                e = cls(msg)
            except Exception:  # noqa: BLE001
                e = RuntimeError(msg)
    frames = []
    for f in info.get("frames") or []:
        if isinstance(f, list) and len(f) == 4:
            fn, line, func, text = (str(f[0]), f[1], str(f[2]), str(f[3]))
            frames.append(f"  {loader.shown_path(fn)}, line {line}, in {func}\n      {text}".rstrip())
    e._kata_frames = frames
    if call:
        e._kata_call = call
    return e


# ------------------------------------------------------------------------------------------------ proxies
class RemoteObject(seam.Remote):
    """A learner object living in the worker. Calls, attributes, iteration, len/[]/in go to the worker and come
    back as plain data (or more handles). Equality is identity and truth is True: a learner object's own
    ``__eq__``/``__bool__`` never decide anything here."""

    __slots__ = ("_kata_sb", "_kata_id", "_kata_gen", "_kata_info", "_kata_module", "_kata_label", "__weakref__")

    @classmethod
    def _make(cls, sandbox, info, module, label, owned=True):
        o = object.__new__(cls)
        object.__setattr__(o, "_kata_sb", sandbox)
        object.__setattr__(o, "_kata_id", int(info["id"]))
        object.__setattr__(o, "_kata_gen", sandbox.generation)
        object.__setattr__(o, "_kata_info", info)
        object.__setattr__(o, "_kata_module", module)
        name = info.get("name")
        object.__setattr__(o, "_kata_label", str(name) if isinstance(name, str) else f"{label}(…)")
        if owned and int(info["id"]) > 0:   # the worker may drop the object once the grader holds no handle to it
            weakref.finalize(o, sandbox.release, sandbox.generation, int(info["id"]))
        return o

    @property
    def _kata_mro(self) -> list[str]:
        return [str(m) for m in self._kata_info.get("mro", [])]

    @property
    def _kata_type(self) -> str:
        return str(self._kata_info.get("type", "?"))

    def _kata_isinstance(self, cls) -> bool:
        want = f"{cls.__module__}.{cls.__qualname__}"
        return not self._kata_info.get("isclass") and want in self._kata_mro

    def _kata_issubclass(self, cls) -> bool:
        want = f"{cls.__module__}.{cls.__qualname__}"
        return bool(self._kata_info.get("isclass")) and want in self._kata_mro

    def _inv(self, what, *args, label=None, **kwargs):
        return self._kata_sb.invoke(self, what, args, kwargs, label=label)

    def __getattr__(self, name):
        if name in ("__name__", "__qualname__") and isinstance(self._kata_info.get("name"), str):
            return self._kata_info["name"]
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        out = self._inv("getattr", name, label=f"{self._kata_label}.{name}")
        if isinstance(out, RemoteObject) and out._kata_info.get("name") == name:
            object.__setattr__(out, "_kata_label", f"{self._kata_label}.{name}"
                               if not self._kata_info.get("name") or self._kata_info.get("isclass")
                               else name)
        return out

    def __setattr__(self, name, value):
        self._inv("setattr", name, value)

    def __call__(self, *args, **kwargs):
        return self._inv("call", *args, **kwargs)

    def __iter__(self):
        it = self._inv("iter")
        if not isinstance(it, RemoteObject):
            return iter(it)
        return _RemoteIterator(it)

    def __len__(self):
        n = self._inv("len")
        if type(n) is not int or n < 0:
            raise TypeError(f"len() of your object returned {n!r}")
        return n

    def __getitem__(self, key):
        return self._inv("getitem", key)

    def __setitem__(self, key, value):
        self._inv("setitem", key, value)

    def __contains__(self, x):
        return bool(self._inv("contains", x) is True)

    def __float__(self):
        v = self._inv("float")
        if type(v) is not float:
            raise TypeError("float() of your object did not give a float")
        return v

    def __int__(self):
        v = self._inv("int")
        if type(v) is not int:
            raise TypeError("int() of your object did not give an int")
        return v

    def __index__(self):
        v = self._inv("index")
        if type(v) is not int:
            raise TypeError("your object is not an index")
        return v

    def __bool__(self):
        return True

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        try:
            r = self._kata_sb.invoke(self, "repr", (), {}) if self._kata_sb.worker is not None else None
        except BaseException:  # noqa: BLE001  (feedback must not fail because a repr did)
            r = None
        if isinstance(r, str):
            return r[:300]
        return f"<{self._kata_type.rsplit('.', 1)[-1]} object>"

    __str__ = __repr__

    def __dir__(self):
        out = self._inv("dir")
        return [x for x in out if isinstance(x, str)] if isinstance(out, list) else []

    def __reduce__(self):
        raise TypeError("a learner object cannot be pickled by the grader")


class _RemoteIterator:
    def __init__(self, it: RemoteObject):
        self.it = it

    def __iter__(self):
        return self

    def __next__(self):
        return self.it._inv("next")


class RemoteKata(seam.RemoteModule):
    """What a grader sees of the learner's module when it runs in the sandbox (same interface as KataModule)."""

    def __init__(self, sandbox: Sandbox, relpath: str, source: str, filename: str, variant: str,
                 violations: dict, forbid: dict | None, why: dict | None, tree: str):
        d = object.__setattr__
        d(self, "_sb", sandbox)
        d(self, "_relpath", relpath)
        d(self, "_key", relpath if variant in ("source", "solution") else f"{relpath}@{variant}")
        d(self, "_source", source)
        d(self, "_filename", filename)
        d(self, "_variant", variant)
        d(self, "_violations", violations)
        d(self, "_forbid", forbid)
        d(self, "_why", why)
        d(self, "_tree", tree)

    def _handle(self) -> RemoteObject:
        info = self._sb.module(self._key, self._source, self._filename, self._forbid, self._why)
        return RemoteObject._make(self._sb, info, self._key, self._relpath, owned=False)

    def __getattr__(self, name):
        from grader.forbid import ForbiddenCall
        if name.startswith("__") and name.endswith("__") or name.startswith("hypothesis_internal"):
            # hypothesis probes every argument of a test (`hypothesis_internal_is_this_a_mock_check`): answered
            # here, not by a round trip that would load the learner's module, count as a use of a learner name,
            # and, on a starved machine, run into the test's deadline labelled with the probe's name (session 10)
            raise AttributeError(name)
        self.__dict__.setdefault("_used", set()).add(name)   # what the current test reaches (scoring.gate)
        if name in self._violations:
            raise ForbiddenCall("\n".join(self._violations[name]))
        cache = self.__dict__.setdefault("_cache", {})
        hit = cache.get(name)
        if hit is not None and hit._kata_gen == self._sb.generation and self._key not in self._sb.broken:
            return hit
        mod = self._handle()
        try:
            out = mod._inv("getattr", name, label=name)
        except AttributeError:
            from grader.check import fail_if_catalogued
            fail_if_catalogued(self._relpath, name)
            raise
        if isinstance(out, RemoteObject):
            object.__setattr__(out, "_kata_label", name)
            if out._kata_info.get("isclass") or out._kata_info.get("type") == "builtins.function":
                cache[name] = out   # functions and classes: one lookup per worker
        return out

    def _run(self, fn, *args, **kwargs):
        """fn(*args, **kwargs) inside the worker (fn: a function or class of tests/shippable.py)."""
        self._handle()
        apply = RemoteObject._make(self._sb, {"id": -1, "type": "builtins.function", "name": "apply"},
                                   self._key, getattr(fn, "__name__", "probe"))
        return self._sb.invoke(apply, "call", (fn, *args), kwargs, label=getattr(args[0], "_kata_label", None)
                               if args else None)

    def __repr__(self):
        return f"<kata {self._relpath} ({self._variant}, sandboxed)>"
