"""Deadlines of in-process grading, on every OS, and global torch state kept across a test.

POSIX: SIGALRM. Where there is none (Windows), or with KATAS_TIMER=thread (how the test suite runs the Windows path on
Linux): a watchdog thread raises the same KataTimeout in the test's thread (PyThreadState_SetAsyncExc). Both stop
Python code between two bytecodes; neither interrupts one long call into C, which the sandbox's SIGKILL does.
"""
from __future__ import annotations

import contextlib

from grader.seam import KataTimeout, SessionState, timeout_message


def time_limit(seconds: float | None, st: SessionState):
    """The practice-mode deadline of one test (after one deadline fired in the session: 2 s at most)."""
    import os
    import signal
    import threading
    if not seconds:
        return contextlib.nullcontext()
    if st.timed_out:
        seconds = min(seconds, 2.0)
    use_thread = (os.environ.get("KATAS_TIMER") == "thread" or not hasattr(signal, "setitimer")
                  or threading.current_thread() is not threading.main_thread())
    return thread_limit(seconds, st) if use_thread else alarm_limit(seconds, st)


@contextlib.contextmanager
def alarm_limit(seconds, st: SessionState):
    import signal

    def on_alarm(signum, frame):
        st.timed_out = True
        raise KataTimeout(timeout_message(seconds))
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def thread_limit(seconds, st: SessionState):
    message = timeout_message(seconds)
    # raised by class (the C API cannot pass arguments): a KataTimeout that knows its message
    timeout_cls = type("KataTimeout", (KataTimeout,), {"__init__": lambda self, *a: KataTimeout.__init__(self, message),
                                                      "__module__": KataTimeout.__module__})

    def timed_out(_):
        st.timed_out = True
    return raise_from_watchdog(timeout_cls, every=seconds, poll=lambda: True, on_fire=timed_out,
                               name="katas-deadline")


class _Withdrawn(BaseException):
    """Raised in a test's thread and caught at once: how a watchdog's exception, if still pending, is taken back."""


def _async_raise(thread_id: int, cls) -> None:
    import ctypes
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(cls))


def _withdraw(thread_id: int) -> None:
    """Take back a watchdog's exception that may still be pending in this thread (the test returned just as the
    watchdog fired), by replacing it with _Withdrawn and taking delivery of that here. Never
    PyThreadState_SetAsyncExc(id, NULL): on CPython 3.11 that leaves the interpreter's async-exception flag set
    (only a delivery clears it), and the next call made under a trace function then loops forever on its first
    instruction (a later test hung that way). Delivery happens at the first bytecode boundary: the loop only
    bounds the wait."""
    try:
        _async_raise(thread_id, _Withdrawn)
        for _ in range(1_000_000):
            pass
    except _Withdrawn:
        pass


@contextlib.contextmanager
def raise_from_watchdog(cls, *, every: float, poll, on_fire, name: str):
    """Watch the calling thread from another one: every ``every`` s it calls ``poll()``; the first truthy answer is
    passed to ``on_fire`` and ``cls`` is raised in the watched thread at its next bytecode
    (PyThreadState_SetAsyncExc), unless the block ended first. The deadline on Windows and the memory watchdog on
    macOS are both this. Nothing is left pending when the block ends: a raise that lost the race is withdrawn."""
    import threading
    target = threading.get_ident()
    done, lock, fired = threading.Event(), threading.Lock(), []

    def watch():
        while not done.wait(every):
            verdict = poll()
            if verdict:
                with lock:
                    if not done.is_set():
                        on_fire(verdict)
                        fired.append(True)
                        _async_raise(target, cls)
                return
    threading.Thread(target=watch, name=name, daemon=True).start()
    try:
        yield
    finally:
        with lock:
            done.set()
        if fired:
            _withdraw(target)


@contextlib.contextmanager
def torch_state_kept():
    """Global torch state as it was before the test, whatever learner code did or a deadline interrupted (a timeout
    inside ``with torch.no_grad():`` left autograd off for the rest of an nbgrader kernel)."""
    import torch
    grad, dtype, threads = torch.is_grad_enabled(), torch.get_default_dtype(), torch.get_num_threads()
    try:
        yield
    finally:
        torch.set_grad_enabled(grad)
        if torch.get_default_dtype() != dtype:
            torch.set_default_dtype(dtype)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def _address_space() -> int | None:
    """This process's virtual address space now, in bytes (Linux: /proc/self/statm); None where unknown."""
    import os
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def memory_method() -> str:
    """How practice mode limits memory here: "rlimit" (Linux: RLIMIT_AS, an allocation over the limit fails at
    once), "job" (Windows: a Job object's per-process commit limit, the same), "watchdog" (macOS, whose kernel
    ignores RLIMIT_AS: a thread that samples the process's memory and stops the test once it is over the limit).
    KATAS_MEMLIMIT=watchdog (or job, rlimit) chooses one: the test suite runs the watchdog on Linux that way."""
    import os
    import sys
    forced = os.environ.get("KATAS_MEMLIMIT", "").strip().lower()
    if forced in ("rlimit", "job", "watchdog"):
        return forced
    if sys.platform == "win32":
        return "job"
    if sys.platform.startswith("linux"):
        return "rlimit"
    return "watchdog"


@contextlib.contextmanager
def memory_limit(mib: int | None):
    """Practice mode: the test may grow this process by ``mib`` MiB at most, restored afterwards, so that a runaway
    allocation gets the memory limit's own message instead of swapping until the deadline. On Linux and Windows an
    allocation over the limit fails at once (MemoryError; torch: "can't allocate memory" / "not enough memory");
    on macOS the watchdog stops the test at the next Python bytecode after the process went over the limit (one
    call into C that allocates far more than the machine has is not stopped before it returns). Grading for marks
    limits the sandbox's worker instead."""
    if not mib:
        yield
        return
    how = memory_method()
    limit = {"rlimit": _rlimit_limit, "job": _job_limit}.get(how, _watchdog_limit)
    with limit(mib):
        yield


@contextlib.contextmanager
def _hard_limit(set_limit, mib: int):
    """A limit the OS enforces: ``set_limit(mib)`` sets it and returns how to lift it, or None where it cannot be
    set here (no resource module, no /proc, no Job object): then the watchdog limits instead."""
    lift = set_limit(mib)
    if lift is None:
        with _watchdog_limit(mib):
            yield
        return
    try:
        yield
    finally:
        lift()


def _rlimit_limit(mib: int):
    """Linux: RLIMIT_AS (soft limit only) at the address space now + mib."""
    return _hard_limit(_set_rlimit, mib)


def _set_rlimit(mib: int):
    try:
        import resource
    except ImportError:
        return None
    now = _address_space()
    if now is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = now + (mib << 20)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError):
        return None
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# ------------------------------------------------------------------------------ Windows: a Job object's limit
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x100
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9   # the JOBOBJECTINFOCLASS value


def _win_structs():
    import ctypes

    class IoCounters(ctypes.Structure):
        _fields_ = [(n, ctypes.c_ulonglong) for n in ("ReadOperationCount", "WriteOperationCount",
                                                     "OtherOperationCount", "ReadTransferCount",
                                                     "WriteTransferCount", "OtherTransferCount")]

    class BasicLimits(ctypes.Structure):      # JOBOBJECT_BASIC_LIMIT_INFORMATION
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", ctypes.c_uint32), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", ctypes.c_uint32),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", ctypes.c_uint32),
                    ("SchedulingClass", ctypes.c_uint32)]

    class ExtendedLimits(ctypes.Structure):   # JOBOBJECT_EXTENDED_LIMIT_INFORMATION
        _fields_ = [("BasicLimitInformation", BasicLimits), ("IoInfo", IoCounters),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

    class MemoryCounters(ctypes.Structure):   # PROCESS_MEMORY_COUNTERS_EX
        _fields_ = [("cb", ctypes.c_uint32), ("PageFaultCount", ctypes.c_uint32)] + [
            (n, ctypes.c_size_t) for n in ("PeakWorkingSetSize", "WorkingSetSize", "QuotaPeakPagedPoolUsage",
                                           "QuotaPagedPoolUsage", "QuotaPeakNonPagedPoolUsage",
                                           "QuotaNonPagedPoolUsage", "PagefileUsage", "PeakPagefileUsage",
                                           "PrivateUsage")]
    return ExtendedLimits, MemoryCounters


_JOB: dict = {}     # the process's one Job object (a process cannot leave a job: it is made once, its limit lifted)


def _kernel32():
    import ctypes
    k = ctypes.WinDLL("kernel32", use_last_error=True)
    k.CreateJobObjectW.restype = ctypes.c_void_p
    k.CreateJobObjectW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p]
    k.GetCurrentProcess.restype = ctypes.c_void_p
    k.GetCurrentProcess.argtypes = []
    k.AssignProcessToJobObject.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    k.SetInformationJobObject.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32]
    k.K32GetProcessMemoryInfo.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32]
    return k


def _private_bytes(k, MemoryCounters) -> int | None:
    import ctypes
    c = MemoryCounters()
    c.cb = ctypes.sizeof(c)
    if not k.K32GetProcessMemoryInfo(k.GetCurrentProcess(), ctypes.byref(c), c.cb):
        return None
    return int(c.PrivateUsage)


def _set_job_limit(k, job, ExtendedLimits, limit_bytes: int | None) -> bool:
    import ctypes
    info = ExtendedLimits()
    if limit_bytes is not None:
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_PROCESS_MEMORY
        info.ProcessMemoryLimit = limit_bytes
    return bool(k.SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(info),
                                          ctypes.sizeof(info)))


def _job_limit(mib: int, kernel32=None):
    """Windows: the process's committed memory may grow by mib (a Job object's JOB_OBJECT_LIMIT_PROCESS_MEMORY,
    lifted after the test: the job stays, unlimited). Where a job cannot be made or assigned, the watchdog."""
    return _hard_limit(lambda m: _set_job(m, kernel32), mib)


def _set_job(mib: int, kernel32=None):
    try:
        ExtendedLimits, MemoryCounters = _win_structs()
        k = kernel32 if kernel32 is not None else _kernel32()
        cache = _JOB if kernel32 is None else {}       # (a stand-in kernel32, in the tests, gets its own job)
        if "job" not in cache:
            job = k.CreateJobObjectW(None, None)
            if not job or not k.AssignProcessToJobObject(job, k.GetCurrentProcess()):
                return None
            cache["job"] = job
        job = cache["job"]
        now = _private_bytes(k, MemoryCounters)
        if now is None or not _set_job_limit(k, job, ExtendedLimits, now + (mib << 20)):
            return None
    except Exception:  # noqa: BLE001 - no Job object here (not Windows, no kernel32): the watchdog instead
        return None
    return lambda: _set_job_limit(k, job, ExtendedLimits, None)


# ------------------------------------------------------------------------------ elsewhere: a watchdog thread
def resident_bytes() -> int | None:
    """This process's memory now, as the watchdog samples it: resident set (Linux /proc, psutil where installed),
    private commit (Windows), else the peak resident set (getrusage: macOS reports bytes, Linux KiB)."""
    import os
    import sys
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError, IndexError):
        pass
    try:
        import psutil
        return int(psutil.Process().memory_info().rss)
    except Exception:  # noqa: BLE001 - not installed, or not allowed
        pass
    if sys.platform == "win32":
        try:
            ExtendedLimits, MemoryCounters = _win_structs()
            return _private_bytes(_kernel32(), MemoryCounters)
        except Exception:  # noqa: BLE001
            return None
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak) if sys.platform == "darwin" else int(peak) * 1024
    except Exception:  # noqa: BLE001
        return None


class KataMemoryLimit(BaseException):
    """The watchdog's verdict: the process grew by more than the test may use (``grown`` bytes). A BaseException,
    as KataTimeout is: neither learner code's ``except Exception`` nor hypothesis's shrinking (which would allocate
    it again and again) catches it."""
    grown = 0


@contextlib.contextmanager
def _watchdog_limit(mib: int, interval: float = 0.02):
    """A thread samples the process's memory every ``interval`` s; once it grew by more than mib during the test,
    KataMemoryLimit is raised in the test's thread (at the next bytecode, as the Windows deadline is)."""
    start = resident_bytes()
    if start is None:
        yield
        return
    budget = mib << 20
    cls = type("KataMemoryLimit", (KataMemoryLimit,), {"__module__": KataMemoryLimit.__module__})

    def grown():
        now = resident_bytes()
        return now - start if now is not None and now - start > budget else 0

    def record(by):
        cls.grown = by
    with raise_from_watchdog(cls, every=interval, poll=grown, on_fire=record, name="katas-memory"):
        yield


def is_out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or torch's allocator failing ("can't allocate memory")."""
    return isinstance(exc, (MemoryError, KataMemoryLimit)) or (isinstance(exc, RuntimeError) and (
        "can't allocate memory" in str(exc) or "not enough memory" in str(exc)))  # torch on Linux / on Windows


def memory_message(exc: BaseException, mib: int | None) -> str:
    import re
    from grader.i18n import N_
    m = re.search(r"tried to allocate (\d+) bytes", str(exc))
    # the one allocation that failed, when it is large (a small one only found the limit reached by others)
    tried = N_(f" (it tried to allocate {int(m.group(1)) / 2**30:.1f} GiB at once)") \
        if m and int(m.group(1)) >= 2**30 // 10 else ""
    if isinstance(exc, KataMemoryLimit) and exc.grown:
        tried = N_(f" (it grew by {exc.grown / 2**30:.1f} GiB during the test)")
    limit = f"{mib / 1024:g} GiB" if mib else N_("the memory limit")
    return N_(f"memory limit: your code ran out of memory{tried}; a test may use {limit} (--katas-memory). Look for a "
              f"tensor far larger than the inputs: an outer product or broadcast that should have been a sum, a "
              f"list that grows without bound, a copy per loop iteration")
