"""The fft suite of bench/run.py: kernpool's FFT beside FFTW, numpy and scipy.

    kernpool-bench-fft --sources=kernpool        (bench/fft.c) plans made once,
                                                 executed at workers 1 and 2
    kernpool-bench-fft --sources=fftw_estimate   FFTW 3, FFTW_ESTIMATE, 1 and 2 threads
    kernpool-bench-fft --sources=fftw_measure    FFTW 3, FFTW_MEASURE, 1 and 2 threads,
                                                 each plan's search bounded by
                                                 fftw_set_timelimit(measure_limit)
    bench/peer_numpy_fft.py                      numpy.fft; scipy.fft at workers 1 and 2

Each of the four is its own process, so FFTW's threads (started by
fftw_init_threads, kept for later plans) and kernpool's pool never share
one, as no two thread pools do anywhere in bench/
(docs/benchmarks/README.md). The FFTW processes write every plan they made (FFTW's own
description, with the seconds it took) to a file that is kept with the run's
raw results: which codelets, which SIMD, whether MEASURE ran out of time.

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


# What each mode measures. quick keeps every kind of length but skips 2^22
# and 1000003, and bounds FFTW_MEASURE's planning to a second a plan, so the
# suite ends within about three minutes on two cores; full runs the issue's
# whole list (and single precision) in two rounds.
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
        "measure_limit": 20.0,
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
            f"by fftw_set_timelimit({s['measure_limit']:g} s) a plan); out of place; "
            f"wall-clock time")
