#!/usr/bin/python3
"""The numpy and scipy peers of kernpool's FFT (bench/fft.c), same names and shapes.

    numpy/<kind>/n:N/workers:1            numpy.fft on one thread (it has no workers)
    scipy/<kind>/n:N/workers:W            scipy.fft with workers=W
    .../<kind>/batch:B/n:N/workers:W      B transforms of length N: a (B, N) array,
                                          transformed along its last axis
    .../<kind>/rows:R/n:N/workers:W       one 2-D transform of an (R, N) array

    kind       numpy                          scipy
    c2c        numpy.fft.fft(x)               scipy.fft.fft(x, workers=W)
    r2c        numpy.fft.rfft(x)              scipy.fft.rfft(x, workers=W)
    c2c_float  numpy.fft.fft(x), x complex64  scipy.fft.fft(x, workers=W), x complex64
    r2c_float  numpy.fft.rfft(x), x float32   scipy.fft.rfft(x, workers=W), x float32
    (fft2 / rfft2 for the 2-D shape; the batch uses the 1-D calls on the 2-D array)

numpy 1.24's numpy.fft is pocketfft's C version: double precision only (a
float32 input is converted to complex128 and the result is complex128) and a
new plan on every call. scipy.fft is pocketfft's C++ version: single and
double precision, a cache of recent plans, and `workers` threads that split
the lines of a multi-dimensional array (one 1-D transform runs on one
thread). Both allocate their result on every call (neither has out=), which
is what a Python user pays.

Every figure carries benchFFT's nominal operation count of one call as
"flops" (5 N log2 N complex, 2.5 N log2 N real, N the points of one
transform, times B for a batch), like kernpool-bench-fft.

Method, as bench/peer_numpy.py: for each call and shape a warm-up of
--warmup seconds (at least one call), then --repetitions repetitions, each
the mean time of k back-to-back calls, k chosen so that a repetition lasts at
least --min-time seconds; the report takes the best. Writes Google
Benchmark's JSON shape (context + benchmarks).

Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy):
    /usr/bin/python3 bench/peer_numpy_fft.py --json out.json [--sizes 1024,1009]
"""
import argparse
import datetime
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.fft

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_numpy import measure, numpy_facts, parse_size  # noqa: E402

KINDS = ["c2c", "r2c", "c2c_float", "r2c_float"]
DEFAULT_SIZES = ",".join([f"2^{e}" for e in range(4, 23)] + ["1000", "1009", "100000",
                                                              "1000003"])


def parse_shape(text):
    """'256x4096' -> (256, 4096); '' -> None."""
    if not text:
        return None
    a, _, b = text.partition("x")
    return parse_size(a), parse_size(b)


def nominal_flops(kind, n, outer, shape):
    points = n * (outer if shape == "rows" else 1)
    one = (2.5 if kind.startswith("r2c") else 5.0) * points * math.log2(points)
    return one * (outer if shape == "batch" else 1)


def make_input(kind, count):
    """count values in [-0.5, 0.5), complex for c2c, of the kind's precision."""
    rng = np.random.default_rng(1)
    single = kind.endswith("_float")
    real = np.float32 if single else np.float64
    if kind.startswith("r2c"):
        return (rng.random(count, dtype=real) - real(0.5))
    x = np.empty(count, np.complex64 if single else np.complex128)
    x.real = rng.random(count, dtype=real) - real(0.5)
    x.imag = rng.random(count, dtype=real) - real(0.5)
    return x


def call(lib, kind, shape, workers):
    """(function of x, text of the call) for one library, kind and shape."""
    real = kind.startswith("r2c")
    if lib == "numpy":
        fn = {(False, False): np.fft.fft, (True, False): np.fft.rfft,
              (False, True): np.fft.fft2, (True, True): np.fft.rfft2}[(real, shape == "rows")]
        return fn, f"numpy.fft.{fn.__name__}(x)"
    fn = {(False, False): scipy.fft.fft, (True, False): scipy.fft.rfft,
          (False, True): scipy.fft.fft2, (True, True): scipy.fft.rfft2}[(real, shape == "rows")]
    return (lambda x: fn(x, workers=workers)), f"scipy.fft.{fn.__name__}(x, workers={workers})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="output file")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="1-D lengths; empty: none")
    ap.add_argument("--kinds", default="c2c,r2c")
    ap.add_argument("--libs", default="numpy,scipy")
    ap.add_argument("--workers", default="1,2", help="scipy's workers values")
    ap.add_argument("--batch", default="256x4096", help="BxN; empty: none")
    ap.add_argument("--grid", default="2048x2048", help="RxN; empty: none")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.1, help="seconds per repetition")
    ap.add_argument("--warmup", type=float, default=0.05, help="seconds")
    args = ap.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    kinds = [k for k in args.kinds.split(",") if k]
    libs = [lib for lib in args.libs.split(",") if lib]
    workers = [int(w) for w in args.workers.split(",") if w]
    for k in kinds:
        if k not in KINDS:
            ap.error(f"unknown kind {k}")
    for lib in libs:
        if lib not in ("numpy", "scipy"):
            ap.error(f"unknown library {lib}")

    # (shape word, outer, n): 1-D lengths first, size by size as the C
    # program runs, so that the figures a ratio compares lie close in time.
    cases = [("", 1, n) for n in sizes]
    if parse_shape(args.batch):
        cases.append(("batch",) + parse_shape(args.batch))
    if parse_shape(args.grid):
        cases.append(("rows",) + parse_shape(args.grid))

    benchmarks = []
    for shape, outer, n in cases:
        for kind in kinds:
            x = make_input(kind, outer * n)
            if shape:
                x = x.reshape(outer, n)
            flops = nominal_flops(kind, n, outer, shape)
            prefix = f"{shape}:{outer}/" if shape else ""
            runs = [(lib, w) for lib in libs for w in ([1] if lib == "numpy" else workers)]
            for lib, w in runs:
                fn, text = call(lib, kind, shape, w)
                times, k = measure(lambda a, _b: fn(a), x, None, args.warmup, args.min_time,
                                   args.repetitions)
                name = f"{lib}/{kind}/{prefix}n:{n}/workers:{w}"
                for r, ns in enumerate(times):
                    benchmarks.append({
                        "name": name, "run_name": name, "run_type": "iteration",
                        "repetitions": args.repetitions, "repetition_index": r,
                        "iterations": k, "real_time": ns, "cpu_time": ns, "time_unit": "ns",
                        "bytes_per_second": x.nbytes / (ns * 1e-9),
                        "items_per_second": outer * n / (ns * 1e-9),
                        "flops": flops, "threads": w, "call": text,
                    })
                print(f"{name:44s} {min(times):14.1f} ns  ({text})", file=sys.stderr)
            del x

    facts = numpy_facts()
    facts.pop("numpy_show_config", None)  # BLAS plays no part here
    context = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "executable": os.path.abspath(__file__),
        "method": f"best of {args.repetitions} repetitions, each >= {args.min_time} s of "
                  f"back-to-back calls, after a {args.warmup} s warm-up",
        "load_avg": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "scipy_version": scipy.__version__,
        "numpy_fft_backend": "numpy.fft: pocketfft (C), double precision, a plan per call",
        "scipy_fft_backend": "scipy.fft: pocketfft (C++), single and double precision, a plan "
                             "cache, workers threads split the lines",
    }
    context.update(facts)
    with open(args.json, "w") as f:
        json.dump({"context": context, "benchmarks": benchmarks}, f, indent=1)


if __name__ == "__main__":
    main()
