"""Threads, processes and the GIL: calls release the GIL, concurrent callers
never make the pool exceed budget - 1 threads, numpy's threaded OpenBLAS
adds no thread under kernpool's gemm, a forked child computes correctly, and
repeated calls (failing ones included) leak neither references nor memory."""
import gc
import multiprocessing
import queue
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest

import kernpool as kp
from conftest import ran_during, run_python, same_bits


def long_gemm():
    """Operands for a matmul of at least 0.2 s at workers = 1 (sized by a
    trial run, so the check does not depend on this CPU's speed)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((600, 2000)), rng.standard_normal((2000, 600))
    while True:
        t = time.monotonic()
        kp.matmul(a, b, workers=1)
        if time.monotonic() - t >= 0.2 or a.shape[1] >= 64000:
            return a, b
        a, b = np.hstack([a, a]), np.vstack([b, b])


def test_gil_check_detects_a_held_gil():
    # the negative control: list.sort runs in C holding the GIL throughout
    import random
    big = [random.random() for _ in range(1_000_000)]
    assert not ran_during(lambda: sorted(big), attempts=2)


def test_gil_released_during_gemm():
    a, b = long_gemm()
    assert ran_during(lambda: kp.matmul(a, b, workers=1))


def long_sum():
    """An array whose sum at workers = 1 takes at least 20 ms (sized by a
    trial run): the other thread has to be scheduled within half the call,
    and on a loaded machine that can take several milliseconds."""
    x = np.ones(1 << 24, np.float32)
    while True:
        t = time.monotonic()
        kp.sum(x, workers=1)
        if time.monotonic() - t >= 0.02 or x.size >= 1 << 27:
            return x
        x = np.ones(2 * x.size, np.float32)


def test_gil_released_during_rng_and_reductions():
    g = kp.Generator(0)
    assert ran_during(lambda: g.standard_normal(10_000_000, workers=1))
    x = long_sum()
    assert ran_during(lambda: kp.sum(x, workers=1))


def test_many_threads_never_exceed_the_budget():
    # A budget of 4 (read once per process, so in a child): pool threads are
    # named kernpool-N; 8 Python threads at workers = -1 must share at most 3.
    out = run_python("""
        import os, threading, numpy as np, kernpool as kp
        def pool_threads():
            n = 0
            for t in os.listdir('/proc/self/task'):
                try:
                    with open(f'/proc/self/task/{t}/comm') as f:
                        n += f.read().startswith('kernpool-')
                except FileNotFoundError:
                    pass
            return n
        rng = np.random.default_rng(1)
        a = rng.standard_normal((400, 400)); x = rng.standard_normal(3_000_000)
        ref = kp.matmul(a, a, workers=1)
        stop = False; most = [0]; bad = []
        def watch():
            while not stop:
                most[0] = max(most[0], pool_threads(), kp.pool_info()['threads_alive'])
        def work(i):
            g = kp.Generator(i)
            for _ in range(6):
                if kp.matmul(a, a, workers=-1).tobytes() != ref.tobytes(): bad.append(i)
                kp.sum(x, workers=-1); g.random(1_000_000, workers=-1)
        w = threading.Thread(target=watch); w.start()
        ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in ts: t.start()
        for t in ts: t.join()
        stop = True; w.join()
        print(kp.cpu_budget(), most[0], len(bad))
    """, env={"KERNPOOL_CPU_BUDGET": "4"})
    budget, most, bad = map(int, out.split())
    assert budget == 4
    assert 1 <= most <= budget - 1  # the pool was used, and never grew past its cap
    assert bad == 0


def test_numpy_openblas_adds_no_threads():
    # numpy's threaded OpenBLAS (libopenblas0-pthread) is loaded and has run;
    # during kernpool's gemm every new thread must be one of kernpool's.
    out = run_python("""
        import os, threading, numpy as np, kernpool as kp
        def threads():
            d = {}
            for t in os.listdir('/proc/self/task'):
                try:
                    with open(f'/proc/self/task/{t}/comm') as f: d[t] = f.read().strip()
                except FileNotFoundError:
                    pass
            return d
        a = np.random.default_rng(2).standard_normal((700, 700))
        np.dot(a, a)  # numpy's own BLAS starts its threads now, if it has any
        before = set(threads())
        stop = False; new = {}
        def watch():
            while not stop:
                for t, name in threads().items():
                    if t not in before: new[t] = name
        w = threading.Thread(target=watch); w.start()
        for _ in range(5): kp.matmul(a, a, workers=-1)
        stop = True; w.join()
        foreign = sorted(n for t, n in new.items() if not n.startswith('kernpool-')
                         and t != str(w.native_id))
        print(len(new), foreign)
    """, env={"KERNPOOL_CPU_BUDGET": "4"})
    n_new, foreign = out.split(" ", 1)
    assert int(n_new) >= 1  # the pool started threads: the watch saw them
    assert foreign.strip() == "[]"


def _child_compute(q):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((300, 300))
    x = rng.standard_normal(500_000)
    q.put((kp.matmul(a, a, workers=-1), kp.sum(x, workers=-1),
           kp.Generator(9).random(300_000, workers=-1), kp.get_workers()))


def test_forked_child_computes_correctly():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((300, 300))
    x = rng.standard_normal(500_000)
    with kp.set_workers(-1):  # threads alive in the parent when it forks
        ref = (kp.matmul(a, a), kp.sum(x), kp.Generator(9).random(300_000))
        ctx = multiprocessing.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=_child_compute, args=(q,))
        p.start()
        got = q.get(timeout=120)
        p.join(timeout=120)
    assert p.exitcode == 0
    assert all(same_bits(g, r) for g, r in zip(got[:3], ref))
    assert got[3] == -1  # the forking thread's default carries into the child


def _child_draw(g, q):
    q.put(g.random(5).tolist())


def test_forked_child_draws_from_a_generator_another_thread_was_filling():
    # The parent forks while a fill in another thread holds the generator's
    # lock; the child has no such thread, so its draw must not wait for it.
    g = kp.Generator(4)
    out = np.empty(1 << 20)
    while True:  # a fill of at least 0.2 s, sized by a trial run
        t = time.monotonic()
        g.standard_normal(out=out, workers=1)
        if time.monotonic() - t >= 0.2 or out.size >= 1 << 25:
            break
        out = np.empty(2 * out.size)
    filling = threading.Thread(target=lambda: g.standard_normal(out=out, workers=1))
    filling.start()
    time.sleep(0.02)
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_draw, args=(g, q))
    p.start()
    held = filling.is_alive()  # still filling after the fork: the lock was held
    try:
        got = q.get(timeout=20)
    except queue.Empty:
        got = None
    p.join(timeout=10)
    if p.exitcode is None:
        p.kill()
    filling.join()
    assert held
    assert got is not None and len(got) == 5


def test_no_leaks_on_success_and_failure_paths():
    a = np.ones((5, 4))
    b = np.ones((4, 3))
    x = np.ones(100)
    g = kp.Generator(1)
    calls = [
        lambda: kp.matmul(a, b), lambda: kp.gemm(a, b, np.ones((5, 3)), out=np.ones((5, 3))),
        lambda: kp.sum(x[::-2]), lambda: kp.minmax(x), lambda: kp.mean_var(x, 1),
        lambda: kp.dot(x, x), lambda: g.random(50), lambda: g.integers(0, 9, 5),
        lambda: g.state, lambda: g.spawn(2), lambda: pickle_round(g),
        lambda: kp.SeedSequence([1, 2**70]).spawn(2),
        # failures
        lambda: kp.matmul(a, a), lambda: kp.matmul(a, b, out=np.ones((5, 3), np.float32)),
        lambda: kp.sum(np.arange(3)), lambda: kp.minmax(x[:0]), lambda: kp.dot(x, x[:5]),
        lambda: g.integers(3, 3), lambda: g.uniform(0, np.inf, 2), lambda: g.uniform(1, 0, 2),
        lambda: setattr(g, "state", {"bit_generator": "PCG64"}),
        lambda: kp.SeedSequence(-1), lambda: kp.Generator(1, "nope"),
        lambda: kp.gemm(a, b, alpha="x"),
    ]

    def run_all():
        for c in calls:
            try:
                c()
            except (TypeError, ValueError, OverflowError):
                pass

    refs = [sys.getrefcount(o) for o in (a, b, x, g)]
    run_all()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            run_all()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert [sys.getrefcount(o) for o in (a, b, x, g)] == refs
    assert grown < 64 * 1024, f"{grown} bytes kept after 300 rounds"


def pickle_round(g):
    import pickle
    return pickle.loads(pickle.dumps(g))
