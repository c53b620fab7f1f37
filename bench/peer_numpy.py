#!/usr/bin/python3
"""The numpy peer: what a Python user gets for the reductions kernpool offers.

Writes a JSON file shaped like Google Benchmark's (context + benchmarks, one
entry per measured repetition), so bench/report.py reads it like the others:

    numpy/dsum   numpy.sum(x)              numpy's own pairwise sum loop
    numpy/ddot   numpy.dot(x, y)           cblas_ddot of the BLAS numpy loaded
    numpy/dnrm2  numpy.linalg.norm(x)      sqrt(x.dot(x)): BLAS ddot again
    numpy/dasum  numpy.abs(x).sum()        a temporary array, then the sum
    numpy/s...   the same on float32 arrays

Method: for each call and size, a warm-up of --warmup seconds (at least one
call), then --repetitions repetitions, each the mean time of k back-to-back
calls, k chosen so a repetition lasts at least --min-time seconds. The report
takes the best repetition. The arrays are allocated once at the largest size
(numpy advises huge pages for them); each size uses a prefix, as the C
programs do. The Python loop costs a few tens of nanoseconds a call and is
part of the figure, as it is of every numpy call a user makes.

"workers" in the names is the thread count of numpy's BLAS (set it with
OPENBLAS_NUM_THREADS); numpy.sum and numpy.abs(x).sum() are always serial.

Run with Debian's /usr/bin/python3 (python3-numpy):
    /usr/bin/python3 bench/peer_numpy.py --json out.json [--sizes 1e3,1e6]
"""
import argparse
import ctypes
import datetime
import io
import json
import os
import platform
import sys
import time
from contextlib import redirect_stdout

import numpy as np

CALLS = {
    "sum": ("numpy.sum(x)", lambda x, y: np.sum(x)),
    "dot": ("numpy.dot(x, y)", lambda x, y: np.dot(x, y)),
    "nrm2": ("numpy.linalg.norm(x)", lambda x, y: np.linalg.norm(x)),
    "asum": ("numpy.abs(x).sum()", lambda x, y: np.abs(x).sum()),
}
KERNELS = ["dsum", "ddot", "dasum", "dnrm2", "ssum", "sdot", "sasum", "snrm2"]


def parse_size(text):
    text = text.strip()
    if text.startswith("2^"):
        return 2 ** int(text[2:])
    value = float(text)
    if value != int(value) or value < 1:
        raise ValueError(text)
    return int(value)


def blas_library():
    """Path of the BLAS numpy really loaded, from this process's maps."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if "/" in line else ""
            name = os.path.basename(path)
            if name.startswith(("libblas", "libopenblas", "libcblas", "libmkl", "libblis")):
                return os.path.realpath(path)
    return ""


def openblas_facts(path):
    """corename, config and thread count if the BLAS is OpenBLAS, else {}."""
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {
            "blas_openblas_corename": lib.openblas_get_corename().decode(),
            "blas_openblas_config": lib.openblas_get_config().decode(),
            "blas_openblas_num_threads": str(lib.openblas_get_num_threads()),
        }
    except (OSError, AttributeError):
        return {}


def numpy_facts():
    facts = {
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "python_executable": sys.executable,
    }
    show = io.StringIO()
    with redirect_stdout(show):
        np.show_config()
    facts["numpy_show_config"] = show.getvalue()
    try:
        from numpy.core._multiarray_umath import (__cpu_baseline__, __cpu_dispatch__,
                                                  __cpu_features__)
        facts["numpy_cpu_baseline"] = " ".join(__cpu_baseline__)
        facts["numpy_cpu_dispatch"] = " ".join(d for d in __cpu_dispatch__
                                               if __cpu_features__.get(d))
    except ImportError:
        pass
    path = blas_library()
    facts["blas_library"] = path
    facts.update(openblas_facts(path) if path else {})
    facts["openblas_coretype_env"] = os.environ.get("OPENBLAS_CORETYPE", "")
    return facts


def measure(fn, x, y, warmup, min_time, repetitions):
    """Mean seconds per call of each repetition, and the calls per repetition."""
    start = time.perf_counter()
    calls = 0
    while True:
        fn(x, y)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= warmup:
            break
    per_call = elapsed / calls
    k = max(1, int(min_time / per_call) + 1)
    times = []
    for _ in range(repetitions):
        t0 = time.perf_counter_ns()
        for _ in range(k):
            fn(x, y)
        times.append((time.perf_counter_ns() - t0) / k)
    return times, k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="output file")
    ap.add_argument("--sizes", default="1e3,1e4,1e5,1e6,1e7,1e8")
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.1, help="seconds per repetition")
    ap.add_argument("--warmup", type=float, default=0.05, help="seconds")
    args = ap.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    kernels = args.kernels.split(",")
    for k in kernels:
        if k not in KERNELS:
            ap.error(f"unknown kernel {k}")

    facts = numpy_facts()
    threads = int(facts.get("blas_openblas_num_threads", "1"))
    cap = max(sizes)
    rng = np.random.default_rng(1)
    arrays = {}
    if any(k.startswith("d") for k in kernels):
        arrays["d"] = (rng.random(cap) - 0.5, rng.random(cap) - 0.5)
    if any(k.startswith("s") for k in kernels):
        arrays["s"] = ((rng.random(cap, dtype=np.float32) - np.float32(0.5)),
                       (rng.random(cap, dtype=np.float32) - np.float32(0.5)))

    benchmarks = []
    for kernel in kernels:
        call, fn = CALLS[kernel[1:]]
        x, y = arrays[kernel[0]]
        inputs = 2 if kernel.endswith("dot") else 1
        for n in sizes:
            xn, yn = x[:n], y[:n]
            times, k = measure(fn, xn, yn, args.warmup, args.min_time, args.repetitions)
            name = f"numpy/{kernel}/n:{n}/workers:{threads}"
            for r, ns in enumerate(times):
                benchmarks.append({
                    "name": name, "run_name": name, "run_type": "iteration",
                    "repetitions": args.repetitions, "repetition_index": r,
                    "iterations": k, "real_time": ns, "cpu_time": ns, "time_unit": "ns",
                    "bytes_per_second": n * inputs * x.itemsize / (ns * 1e-9),
                    "items_per_second": n / (ns * 1e-9),
                    "threads": threads if kernel[1:] in ("dot", "nrm2") else 1,
                    "call": call,
                })
            print(f"{name:40s} {min(times):14.1f} ns  ({call})", file=sys.stderr)

    context = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "executable": os.path.abspath(__file__),
        "method": f"best of {args.repetitions} repetitions, each >= {args.min_time} s of "
                  f"back-to-back calls, after a {args.warmup} s warm-up",
        "load_avg": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }
    context.update(facts)
    with open(args.json, "w") as f:
        json.dump({"context": context, "benchmarks": benchmarks}, f, indent=1)


if __name__ == "__main__":
    main()
