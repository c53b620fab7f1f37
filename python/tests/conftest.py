"""Shared helpers for the kernpool module's tests.

Run with Debian's python3 on the build tree's module:
    PYTHONPATH=build/python /usr/bin/python3 -m pytest python/tests
"""
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import kernpool as kp

# workers values every kernel must give the same bits for; with the default
# budget of this machine some resolve alike, so ctest runs the suite again
# with KERNPOOL_CPU_BUDGET=8, where 2, 3 and -1 are three thread counts.
WORKERS = [1, 2, 3, -1]


def same_bits(a, b):
    """True when two results (scalars, tuples or arrays) are bit-identical."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def run_python(code, env=None, timeout=300):
    """Runs code in a fresh /usr/bin/python3 with this module importable and
    returns its stdout; fails the test with its output if it exits non-zero.
    For what is read once per process (the CPU budget) or needs a clean one."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        pytest.fail(f"child exited {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r.stdout


def ran_during(call, attempts=30):
    """Whether another Python thread ran while call() was inside kernpool.

    The other thread waits on an event (without the GIL), is released just
    before the call, and records when it first holds the GIL again. If the
    call kept the GIL, that cannot happen before the call returns, so a time
    in the first half of the call proves the GIL was released. A time before
    the call started (the OS was slow to start the call) proves nothing and
    the attempt is repeated, and so is one where the other thread was not
    scheduled in time (a loaded machine): a held GIL can never pass, so
    repeating costs no power to fail."""
    for _ in range(attempts):
        go = threading.Event()
        seen = []

        def other():
            go.wait()
            seen.append(time.monotonic())

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.01)  # let it block in wait()
        go.set()
        t0 = time.monotonic()
        call()
        t1 = time.monotonic()
        t.join()
        if t0 < seen[0] < t0 + 0.5 * (t1 - t0):
            return True
    return False


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)
