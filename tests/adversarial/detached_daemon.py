"""Leave a process behind: fork, leave the worker's process group (setsid), fork again and sleep. Killing the
worker's group misses it, and it sleeps, so the CPU limit never fires; it would outlive the grading (and could, for
example, rewrite a later submission's files). The worker's PID namespace ends it with the worker."""
import ctypes
import os
import time


def _daemon():
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, b"katas-daemon", 0, 0, 0)   # PR_SET_NAME: how the test finds it
                time.sleep(900)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


_daemon()


def numerical_grad(f, x, h=1e-5):
    x += 1
    return x
