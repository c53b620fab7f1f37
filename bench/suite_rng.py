"""The rng suite of bench/run.py: kernpool's random fills beside numpy.

    kernpool-bench-rng        (bench/rng.c) every fill at workers 1 and 2
    bench/peer_numpy_rng.py   numpy's Generator on one thread, and numpy's
                              documented thread-pool pattern at 2 threads

Every program runs once a round, the rounds one after another, and the
report takes the best repetition over all rounds, so that a slow stretch of a
shared machine does not fall on one side only. bench/report_rng.py writes
rng.md and rng.png from the merged raw results.
"""

# What each mode measures. quick stops at 1e7 values (80 MB) so that all the
# suites together stay within a couple of minutes; full goes to 1e8 (800 MB).
MODES = {
    "quick": {
        "sizes": "1e3,1e4,1e5,1e6,1e7",
        "kernels": "raw,random,integers32,integers64,normal,exponential",
        "bitgens": "pcg64dxsm,philox", "bitgen_kernels": "random",
        "workers": "1,2", "numpy_threads": "2",
        "rounds": 1, "repetitions": 2, "min_time": 0.01, "warmup": 0.01,
    },
    "full": {
        "sizes": "1e3,1e4,1e5,1e6,1e7,1e8",
        "kernels": "raw,random,integers32,integers64,normal,exponential",
        "bitgens": "pcg64dxsm,philox", "bitgen_kernels": "random",
        "workers": "1,2", "numpy_threads": "2",
        "rounds": 3, "repetitions": 3, "min_time": 0.05, "warmup": 0.05,
    },
}


def run(r, s):
    """r: bench/run.py's Runner; s: MODES[mode]."""
    reps = s["repetitions"]
    for rnd in range(1, s["rounds"] + 1):
        tag = f"round {rnd}"
        r.gbench(f"kernpool random fills, {tag}", "kernpool-bench-rng",
                 [f"--sizes={s['sizes']}", f"--kernels={s['kernels']}",
                  f"--bitgens={s['bitgens']}", f"--bitgen-kernels={s['bitgen_kernels']}",
                  f"--workers={s['workers']}"], {}, reps, s["min_time"])
        r.numpy(f"numpy random fills, {tag}",
                [f"--sizes={s['sizes']}", f"--kernels={s['kernels']}",
                 f"--bitgens={s['bitgens']}", f"--bitgen-kernels={s['bitgen_kernels']}",
                 f"--threads={s['numpy_threads']}", f"--repetitions={reps}",
                 f"--min-time={s['min_time']}", f"--warmup={s['warmup']}"],
                {}, script="peer_numpy_rng.py")


def method_text(s):
    return (f"best of {s['rounds'] * s['repetitions']} repetitions: both programs run once "
            f"in each of {s['rounds']} round(s), one after another, with {s['repetitions']} "
            f"repetitions a round; a repetition is the mean time of back-to-back calls over at "
            f"least {s['min_time']} s; a warm-up of {s['warmup']} s (at least one call) comes "
            f"before each program's first repetition of a size; wall-clock time")
