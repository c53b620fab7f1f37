#!/usr/bin/python3
"""The numpy peer of kernpool's random fills (bench/rng.c), in two shapes.

    numpy/<bitgen>/<kernel>/n:N/workers:1          one Generator, one thread
    numpy_threads/<bitgen>/<kernel>/n:N/workers:T  numpy's documented pattern for
        multithreaded generation (doc/source/reference/random/multithreading.rst):
        T Generators seeded from SeedSequence(seed).spawn(T) fill consecutive
        chunks of one array from a long-lived ThreadPoolExecutor(T); numpy
        releases the GIL inside each fill
    numpy/alloc/n:N/workers:1   np.empty(N, int64) with one write per 4 KiB page:
        what a fresh output array costs the kernels below that allocate one

    kernel       call                                     output
    raw          bit_generator.random_raw(N)              new uint64 array
    random       Generator.random(out=x[:N])              given array
    integers32   Generator.integers(0, 1000, N)           new int64 array (32-bit path)
    integers64   Generator.integers(0, 10**12, N)         new int64 array (64-bit path)
    normal       Generator.standard_normal(out=x[:N])     given array
    exponential  Generator.standard_exponential(out=x[:N]) given array

raw and integers have no out= parameter in numpy 1.24, so each call allocates
its result (numpy advises arrays of 4 MiB or more into huge pages; the pages
are faulted in during the fill); the threaded shape copies each thread's
chunk into the shared array, as a user of that pattern must.

Method, as bench/peer_numpy.py: for each call and size a warm-up of --warmup
seconds (at least one call), then --repetitions repetitions, each the mean
time of k back-to-back calls, k chosen so that a repetition lasts at least
--min-time seconds; the report takes the best. Writes Google Benchmark's JSON
shape (context + benchmarks).

Run with Debian's /usr/bin/python3 (python3-numpy):
    /usr/bin/python3 bench/peer_numpy_rng.py --json out.json [--sizes 1e3,1e6]
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_numpy import measure, numpy_facts, parse_size  # noqa: E402

KERNELS = ["raw", "random", "integers32", "integers64", "normal", "exponential"]
BITGENS = {"pcg64": np.random.PCG64, "pcg64dxsm": np.random.PCG64DXSM,
           "philox": np.random.Philox}
SEED = 12345
INT32_HIGH = 1000
INT64_HIGH = 10**12

CALLS = {
    "raw": "bit_generator.random_raw(n)",
    "random": "Generator.random(out=x[:n])",
    "integers32": f"Generator.integers(0, {INT32_HIGH}, n)",
    "integers64": "Generator.integers(0, 10**12, n)",
    "normal": "Generator.standard_normal(out=x[:n])",
    "exponential": "Generator.standard_exponential(out=x[:n])",
}


def filler(kernel, gen, views):
    """fill(first, last): the kernel's values for x[first:last] from gen."""
    u64, f64, i64 = views
    if kernel == "raw":
        bits = gen.bit_generator
        return lambda a, b: bits.random_raw(b - a), u64
    if kernel == "random":
        return lambda a, b: gen.random(out=f64[a:b]), None
    if kernel == "integers32":
        return lambda a, b: gen.integers(0, INT32_HIGH, b - a), i64
    if kernel == "integers64":
        return lambda a, b: gen.integers(0, INT64_HIGH, b - a), i64
    if kernel == "normal":
        return lambda a, b: gen.standard_normal(out=f64[a:b]), None
    if kernel == "exponential":
        return lambda a, b: gen.standard_exponential(out=f64[a:b]), None
    raise ValueError(kernel)


class Threaded:
    """multithreading.rst's MultithreadedRNG, one kernel: threads Generators
    from SeedSequence(SEED).spawn(threads), each filling one chunk of
    ceil(n / threads) values. Kernels without out= copy their chunk in."""

    def __init__(self, kernel, bitgen, views, threads, executor):
        seq = np.random.SeedSequence(SEED)
        self.fills = [filler(kernel, np.random.Generator(BITGENS[bitgen](s)), views)
                      for s in seq.spawn(threads)]
        self.threads = threads
        self.executor = executor

    def fill(self, n):
        step = -(-n // self.threads)

        def one(i):
            fn, target = self.fills[i]
            a, b = i * step, min(n, (i + 1) * step)
            if a >= b:
                return
            if target is None:
                fn(a, b)
            else:
                target[a:b] = fn(a, b)

        futures = [self.executor.submit(one, i) for i in range(self.threads)]
        concurrent.futures.wait(futures)
        for f in futures:
            f.result()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="output file")
    ap.add_argument("--sizes", default="1e3,1e4,1e5,1e6,1e7,1e8")
    ap.add_argument("--kernels", default=",".join(KERNELS), help="run with PCG64")
    ap.add_argument("--bitgens", default="pcg64dxsm,philox", help="other generators")
    ap.add_argument("--bitgen-kernels", default="random", help="kernels run with those")
    ap.add_argument("--threads", default="2",
                    help="thread counts of the threaded shape (PCG64 kernels; empty: none)")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.1, help="seconds per repetition")
    ap.add_argument("--warmup", type=float, default=0.05, help="seconds")
    args = ap.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]

    def names(text, allowed):
        out = [k for k in text.split(",") if k]
        for k in out:
            if k not in allowed:
                ap.error(f"unknown name {k}")
        return out

    kernels = names(args.kernels, KERNELS)
    others = [b for b in names(args.bitgens, BITGENS) if b != "pcg64"]
    other_kernels = names(args.bitgen_kernels, KERNELS)
    threads = [int(t) for t in args.threads.split(",") if t]
    runs = [("pcg64", k) for k in kernels] + [(b, k) for b in others for k in other_kernels]

    cap = max(sizes)
    buf = np.empty(cap * 8, dtype=np.uint8)  # numpy advises it into huge pages
    buf[:] = 0                               # and the pages are faulted in here
    views = (buf.view(np.uint64), buf.view(np.float64), buf.view(np.int64))
    executors = {t: concurrent.futures.ThreadPoolExecutor(t) for t in threads}

    benchmarks = []

    def record(name, n, times, k, nthreads, call):
        for r, ns in enumerate(times):
            benchmarks.append({
                "name": name, "run_name": name, "run_type": "iteration",
                "repetitions": args.repetitions, "repetition_index": r,
                "iterations": k, "real_time": ns, "cpu_time": ns, "time_unit": "ns",
                "bytes_per_second": 8 * n / (ns * 1e-9),
                "items_per_second": n / (ns * 1e-9),
                "threads": nthreads, "call": call,
            })
        print(f"{name:48s} {min(times):14.1f} ns  ({call})", file=sys.stderr)

    def run(name, n, fn, nthreads, call):
        times, k = measure(lambda _x, _y: fn(), None, None, args.warmup, args.min_time,
                           args.repetitions)
        record(name, n, times, k, nthreads, call)

    # Size by size, as the C program runs, so that the figures a ratio
    # compares lie close in time.
    for n in sizes:
        if any(k in ("raw", "integers32", "integers64") for _b, k in runs):
            def alloc(n=n):
                np.empty(n, np.int64)[::512] = 0
            run(f"numpy/alloc/n:{n}/workers:1", n, alloc, 1,
                "np.empty(n, int64)[::512] = 0")
        for bitgen, kernel in runs:
            gen = np.random.Generator(BITGENS[bitgen](SEED))
            fn, _target = filler(kernel, gen, views)
            run(f"numpy/{bitgen}/{kernel}/n:{n}/workers:1", n, lambda: fn(0, n), 1,
                CALLS[kernel])
            if bitgen != "pcg64":
                continue
            for t in threads:
                mt = Threaded(kernel, bitgen, views, t, executors[t])
                run(f"numpy_threads/{bitgen}/{kernel}/n:{n}/workers:{t}", n,
                    lambda: mt.fill(n), t,
                    f"{t} threads x {CALLS[kernel]} on chunks (multithreading.rst)")
    for ex in executors.values():
        ex.shutdown()

    facts = numpy_facts()
    facts.pop("numpy_show_config", None)  # BLAS plays no part here
    context = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "executable": os.path.abspath(__file__),
        "method": f"best of {args.repetitions} repetitions, each >= {args.min_time} s of "
                  f"back-to-back calls, after a {args.warmup} s warm-up",
        "load_avg": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "numpy_bit_generators": ", ".join(
            f"{b} = numpy.random.{BITGENS[b].__name__}({SEED})"
            for b in ["pcg64"] + others) + "; threaded shape: "
            f"{BITGENS['pcg64'].__name__}(SeedSequence({SEED}).spawn(T)[i])",
    }
    context.update(facts)
    with open(args.json, "w") as f:
        json.dump({"context": context, "benchmarks": benchmarks}, f, indent=1)


if __name__ == "__main__":
    main()
