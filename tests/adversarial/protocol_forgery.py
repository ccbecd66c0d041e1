"""Write forged "all good" replies straight into the worker's reply pipe (every fd it can find), then hang."""
import json
import os
import struct


def _frame(header):
    head = json.dumps(header).encode()
    return struct.pack("<II", len(head), 0) + head


def numerical_grad(f, x, h=1e-5):
    fake = _frame({"ok": {"t": {"dtype": "float64", "shape": [0], "buf": 0}}})
    for fd in range(3, 64):
        try:
            os.write(fd, fake * 4)
        except OSError:
            pass
    x += 1
    return x
