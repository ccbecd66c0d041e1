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


@contextlib.contextmanager
def thread_limit(seconds, st: SessionState):
    import ctypes
    import threading
    message = timeout_message(seconds)
    # raised by class (the C API cannot pass arguments): a KataTimeout that knows its message
    timeout_cls = type("KataTimeout", (KataTimeout,), {"__init__": lambda self, *a: KataTimeout.__init__(self, message),
                                                      "__module__": KataTimeout.__module__})
    target = ctypes.c_ulong(threading.get_ident())
    done, lock, fired = threading.Event(), threading.Lock(), []

    def watchdog():
        if done.wait(seconds):
            return
        with lock:
            if not done.is_set():
                st.timed_out = True
                fired.append(True)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(timeout_cls))
    threading.Thread(target=watchdog, name="katas-deadline", daemon=True).start()
    try:
        yield
    finally:
        with lock:
            done.set()
            if fired:   # raised already, or still pending if the code returned just then: never deliver it later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)


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


@contextlib.contextmanager
def memory_limit(mib: int | None):
    """Practice mode: the test may grow this process's address space by ``mib`` MiB at most (RLIMIT_AS, soft limit
    only, restored afterwards), so a runaway allocation fails at once with MemoryError (torch: "can't allocate
    memory") instead of swapping until the deadline. Linux; elsewhere (no /proc, Windows) there is no practice
    limit and the sandbox's limit applies when grading for marks."""
    try:
        import resource
    except ImportError:
        yield
        return
    now = _address_space()
    if not mib or now is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = now + (mib << 20)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def is_out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or torch's allocator failing ("can't allocate memory")."""
    return isinstance(exc, MemoryError) or (isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))


def memory_message(exc: BaseException, mib: int | None) -> str:
    import re
    from grader.i18n import N_
    m = re.search(r"tried to allocate (\d+) bytes", str(exc))
    tried = N_(f" (it tried to allocate {int(m.group(1)) / 2**30:.1f} GiB at once)") if m else ""
    limit = f"{mib / 1024:g} GiB" if mib else N_("the memory limit")
    return N_(f"memory limit: your code ran out of memory{tried}; a test may use {limit} (--katas-memory). Look for a "
              f"tensor far larger than the inputs: an outer product or broadcast that should have been a sum, a "
              f"list that grows without bound, a copy per loop iteration")
