"""The fft suite of bench/run.py: kernpool's FFT beside FFTW, numpy and scipy.

    kernpool-bench-fft --sources=kernpool        (bench/fft.c) plans made once,
                                                 executed at workers 1 and 2
    kernpool-bench-fft --sources=fftw_estimate   FFTW 3, FFTW_ESTIMATE, 1 and 2 threads
    kernpool-bench-fft --sources=fftw_measure    FFTW 3, FFTW_MEASURE, 1 and 2 threads,
                                                 each plan's search bounded by
                                                 fftw_set_timelimit(measure_limit)
    bench/peer_numpy_fft.py                      numpy.fft; scipy.fft at workers 1 and 2

Each of the four is its own process, as every peer in bench/ is
(docs/benchmarks/README.md: no two thread pools share a process). For the
FFT this costs little and is a choice of hygiene more than a necessity:
FFTW's threads, started on a plan's first run and kept, wait in sem_wait
between runs (FFTW's threads/threads.c), and kernpool's helpers spin for at
most kp_pool_info's spin_us (50 us) after a call, so in one process the two
would rarely meet. A check on the busy 2-core development machine (kernpool
c2c at 2^10, 2^16, 2^20 and the 256 x 4096 batch, workers 1 and 2, best of
10, alone and in one process beside both FFTW sources) found the shared
figures 0.80-1.10x the lone ones, no direction beyond that machine's noise.
`kernpool-bench-fft --sources=kernpool,fftw_estimate,fftw_measure` repeats it.

The FFTW processes write every plan they made (FFTW's own description, with
the seconds it took) to a file kept with the run's raw results: which
codelets, which SIMD, whether MEASURE ran out of time. FFTW_MEASURE keeps
its wisdom in a file across rounds, so round 1 plans (bounded by
measure_limit a plan) and later rounds time the same plans, as an FFTW user
with saved wisdom would.

Every program runs once a round, the rounds one after another, and the
report takes the best repetition over all rounds. bench/report_fft.py writes
fft.md and the plots from the merged raw results.
"""
import os

POW2 = [2**e for e in range(4, 23)]
POW3 = [3**e for e in range(2, 14)]      # 9 .. 1594323
POW5 = [5**e for e in range(2, 10)]      # 25 .. 1953125
OTHERS = [1000, 1009, 100000, 1000003]   # 1009 and 1000003 are prime


def size_list(sizes):
    return ",".join(str(n) for n in sorted(set(sizes)))


# What each mode measures. quick keeps every kind of length (2^4 .. 2^22 in
# steps of 4x, 3^k, 5^k, 1000, 100000, the prime 1009; not 1000003) and
# bounds FFTW_MEASURE to a second a plan, so the suite ends within about
# three minutes on two cores; full runs the whole list and single
# precision in two rounds (an estimate from the quick run: 30 to 50 minutes
# on two cores, up to half of it FFTW_MEASURE planning in the first round).
MODES = {
    "quick": {
        "sizes": size_list(POW2[::2] + [3**4, 3**8, 3**12, 5**3, 5**6, 1000, 1009, 100000]),
        "kinds": "c2c,r2c",
        "workers": "1,2",
        "batch": "256x4096", "grid": "2048x2048",
        "measure_limit": 1.0,
        "rounds": 1, "repetitions": 2, "min_time": 0.01, "warmup": 0.01,
    },
    "full": {
        "sizes": size_list(POW2 + POW3 + POW5 + OTHERS),
        "kinds": "c2c,r2c,c2c_float,r2c_float",
        "workers": "1,2",
        "batch": "256x4096", "grid": "2048x2048",
        "measure_limit": 10.0,
        "rounds": 2, "repetitions": 3, "min_time": 0.05, "warmup": 0.05,
    },
}

SOURCES = [("kernpool", "kernpool FFT"), ("fftw_estimate", "FFTW_ESTIMATE"),
           ("fftw_measure", "FFTW_MEASURE")]


def read_plans(path):
    """{benchmark name: {"plan_s": seconds, "plan": FFTW's text}} from a --plans file."""
    plans = {}
    if not os.path.exists(path):
        return plans
    with open(path) as f:
        for line in f:
            name, seconds, text = line.rstrip("\n").split("\t", 2)
            plans[name] = {"plan_s": float(seconds), "plan": text}
    return plans


def run(r, s):
    """r: bench/run.py's Runner; s: MODES[mode]."""
    reps = s["repetitions"]
    common = [f"--sizes={s['sizes']}", f"--kinds={s['kinds']}", f"--workers={s['workers']}",
              f"--batch={s['batch']}", f"--grid={s['grid']}"]
    for rnd in range(1, s["rounds"] + 1):
        tag = f"round {rnd}"
        for source, what in SOURCES:
            args = common + [f"--sources={source}"]
            plans = None
            if source.startswith("fftw"):
                plans = os.path.join(r.tmp, f"plans-{source}-{rnd}.txt")
                args += [f"--measure-limit={s['measure_limit']}", f"--plans={plans}"]
            if source == "fftw_measure":
                args.append(f"--wisdom={os.path.join(r.tmp, 'fftw-wisdom')}")
            res = r.gbench(f"{what}, {tag}", "kernpool-bench-fft", args, {}, reps, s["min_time"])
            if res is not None and plans is not None:
                r.runs[-1]["fftw_plans"] = read_plans(plans)
        r.numpy(f"numpy.fft and scipy.fft, {tag}",
                [f"--sizes={s['sizes']}", f"--kinds={s['kinds']}", f"--workers={s['workers']}",
                 f"--batch={s['batch']}", f"--grid={s['grid']}", f"--repetitions={reps}",
                 f"--min-time={s['min_time']}", f"--warmup={s['warmup']}"],
                {}, script="peer_numpy_fft.py")


def method_text(s):
    return (f"best of {s['rounds'] * s['repetitions']} repetitions: every program runs once "
            f"in each of {s['rounds']} round(s), one after another, with {s['repetitions']} "
            f"repetitions a round; a repetition is the mean time of back-to-back transforms "
            f"over at least {s['min_time']} s (at least one); a warm-up of {s['warmup']} s (at "
            f"least one transform) comes before each program's first repetition of a shape; "
            f"plans are made before the warm-up and never timed (FFTW_MEASURE's search bounded "
            f"by fftw_set_timelimit({s['measure_limit']:g} s) a plan, its wisdom kept from "
            f"round to round); out of place; "
            f"wall-clock time")
