"""The practice-mode memory limit's Windows path (a Job object), run here against a stand-in kernel32 that records
what the limit asks Windows for: the structure Windows reads, the limit set before the test and lifted after it,
and the watchdog when no job can be made; and the two watchdogs (the Windows deadline, the macOS memory limit),
in a subprocess of their own, followed by a traced call that must still return. (test_e2e runs the Linux and the
watchdog paths end to end.)"""
import ctypes
import subprocess
import sys
import textwrap

import pytest

from grader import deadline


class FakeKernel32:
    """CreateJobObjectW, AssignProcessToJobObject, GetCurrentProcess, K32GetProcessMemoryInfo and
    SetInformationJobObject as Windows documents them, recording each limit set."""

    def __init__(self, private=300 << 20, assign_ok=True):
        self.private, self.assign_ok = private, assign_ok
        self.limits = []        # (job, info class, LimitFlags, ProcessMemoryLimit, size passed)
        self.assigned = []

    def CreateJobObjectW(self, attrs, name):
        return 0x1234

    def GetCurrentProcess(self):
        return -1 & 0xFFFFFFFFFFFFFFFF

    def AssignProcessToJobObject(self, job, process):
        self.assigned.append((job, process))
        return 1 if self.assign_ok else 0

    def K32GetProcessMemoryInfo(self, process, counters_ref, cb):
        counters = counters_ref._obj
        assert cb == ctypes.sizeof(counters) and counters.cb == cb
        counters.PrivateUsage = self.private
        return 1

    def SetInformationJobObject(self, job, info_class, info_ref, size):
        info = info_ref._obj
        self.limits.append((job, info_class, info.BasicLimitInformation.LimitFlags, info.ProcessMemoryLimit, size))
        return 1


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="the sizes Windows x64 expects")
def test_the_structures_have_the_sizes_windows_x64_reads():
    extended, counters = deadline._win_structs()
    assert ctypes.sizeof(extended) == 144        # JOBOBJECT_EXTENDED_LIMIT_INFORMATION on x64
    assert extended.ProcessMemoryLimit.offset == 112
    assert ctypes.sizeof(counters) == 80         # PROCESS_MEMORY_COUNTERS_EX on x64


def test_the_job_limit_is_the_commit_now_plus_the_budget_and_is_lifted_afterwards():
    k = FakeKernel32()
    with deadline._job_limit(256, kernel32=k):
        assert len(k.limits) == 1
        job, info_class, flags, limit, size = k.limits[0]
        assert (job, info_class, flags) == (0x1234, 9, 0x100)     # JOB_OBJECT_LIMIT_PROCESS_MEMORY
        assert limit == (300 << 20) + (256 << 20)
        assert size == ctypes.sizeof(deadline._win_structs()[0])
    assert k.assigned and k.assigned[0][0] == 0x1234
    assert k.limits[-1][2] == 0 and len(k.limits) == 2        # lifted: no flags


def test_the_limit_is_lifted_when_the_test_raises():
    k = FakeKernel32()
    with pytest.raises(MemoryError), deadline._job_limit(64, kernel32=k):
        raise MemoryError("not enough memory: you tried to allocate 8589934592 bytes.")
    assert [flags for _, _, flags, _, _ in k.limits] == [0x100, 0]


WATCHDOGS = textwrap.dedent("""
    import sys, threading
    import torch
    from grader import deadline
    from grader.seam import KataTimeout, SessionState
    from tests.engine.test_memory_limit import FakeKernel32

    # the Windows deadline stops an endless loop
    st = SessionState()
    try:
        with deadline.thread_limit(0.2, st):
            x = 0
            while True:
                x += 1
    except KataTimeout as e:
        assert st.timed_out and "0.2" in str(e), (st.timed_out, str(e))
    else:
        raise AssertionError("the thread deadline did not fire")

    # the memory watchdog stops Python code that keeps growing
    xs = []
    try:
        with deadline._watchdog_limit(64, interval=0.01):
            for _ in range(10_000):      # 40 GB if never stopped
                xs.append(torch.ones(1_000_000))
    except deadline.KataMemoryLimit as e:
        grown, exc = e.grown, e
    else:
        raise AssertionError("the memory watchdog did not fire")
    del xs
    assert 64 << 20 < grown < 1 << 30, grown
    assert deadline.is_out_of_memory(exc) and "(it grew by" in deadline.memory_message(exc, 64)

    # without a Job object, the watchdog limits instead
    k = FakeKernel32(assign_ok=False)
    with deadline._job_limit(64, kernel32=k):
        seen = [t.name for t in threading.enumerate()]
    assert not k.limits and "katas-memory" in seen, seen

    # a block that ends before its watchdog fires: nothing raised afterwards
    with deadline.thread_limit(5, SessionState()):
        pass
    for _ in range(100_000):
        pass

    # after all of that, a call under a trace function returns (CPython 3.11 looped forever on its first
    # instruction once PyThreadState_SetAsyncExc(id, NULL) had left the async-exception flag set)
    def traced():
        return 42
    sys.settrace(lambda *a: None)
    try:
        assert traced() == 42
    finally:
        sys.settrace(None)
    print("watchdogs ok")
""")


def test_the_watchdogs_stop_the_code_and_leave_nothing_behind():
    """thread_limit and the memory watchdog each stop their test, then later code, traced, still runs: in a
    subprocess, so that an exception raised into the wrong place cannot reach this test run."""
    from grader import ROOT
    try:
        r = subprocess.run([sys.executable, "-c", WATCHDOGS], cwd=ROOT, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the watchdog script hung (60 s): a watchdog left something behind\n{e.stdout}{e.stderr}")
    assert r.returncode == 0 and "watchdogs ok" in r.stdout, r.stdout[-2000:] + r.stderr[-4000:]


def test_torch_out_of_memory_messages_of_linux_and_windows_are_recognised():
    linux = RuntimeError("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: "
                         "you tried to allocate 4000000000 bytes. Error code 12 (Cannot allocate memory)")
    windows = RuntimeError("[enforce fail at alloc_cpu.cpp:121] data. DefaultCPUAllocator: not enough memory: "
                           "you tried to allocate 4000000000 bytes.")
    for exc in (linux, windows):
        assert deadline.is_out_of_memory(exc)
        assert "(it tried to allocate 3.7 GiB at once)" in deadline.memory_message(exc, 2048)
    assert not deadline.is_out_of_memory(RuntimeError("shape mismatch"))
    small = RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 4000000 bytes.")
    assert "tried to allocate" not in deadline.memory_message(small, 256)   # a small one found the limit reached


def test_the_method_follows_the_platform_unless_chosen(monkeypatch):
    import sys
    monkeypatch.delenv("KATAS_MEMLIMIT", raising=False)
    for platform, want in (("win32", "job"), ("linux", "rlimit"), ("darwin", "watchdog")):
        monkeypatch.setattr(sys, "platform", platform)
        assert deadline.memory_method() == want
    monkeypatch.setenv("KATAS_MEMLIMIT", "watchdog")
    assert deadline.memory_method() == "watchdog"
