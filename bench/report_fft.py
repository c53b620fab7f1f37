#!/usr/bin/python3
"""The report of the fft suite: fft.md, fft-size.png and fft-speedup.png from fft.json.

bench/report.py's write() hands fft results here; to redo the report from
the raw results without measuring again:

    bench/report.py docs/benchmarks/fft.json

The figure is benchFFT's "mflops": the nominal operation count of one call
(5 N log2 N for a complex transform of N points, 2.5 N log2 N for a real
one, times the batch) over the time in microseconds. All sides share the
count, so ratios are ratios of time: kernpool / peer above 1 means kernpool
is faster. "speedup" is a side's figure at 2 workers (threads) over its own
at 1.
"""
import collections
import math
import os
import re
import textwrap

from report import (Series, fmt, iterations, kp_isa, line_move_text, noise_text,
                    parse_name, python_malloc_text)

SOURCES = ["kernpool", "fftw_estimate", "fftw_measure", "numpy", "scipy"]
LABELS = {"kernpool": "kernpool", "fftw_estimate": "FFTW_ESTIMATE",
          "fftw_measure": "FFTW_MEASURE", "numpy": "numpy.fft", "scipy": "scipy.fft"}
COLOURS = {"kernpool": "C0", "fftw_estimate": "C1", "fftw_measure": "C2", "numpy": "C3",
           "scipy": "C4"}
KINDS = ["c2c", "r2c", "c2c_float", "r2c_float"]
TITLES = {"c2c": "complex double (c2c)", "r2c": "real double (r2c)",
          "c2c_float": "complex float (c2c)", "r2c_float": "real float (r2c)"}
ONE_D = ("", 1)

# The targets.
ESTIMATE_TARGET = 1.0   # workers = 1, power-of-two c2c, against FFTW_ESTIMATE on 1 thread
MEASURE_TARGET = 0.8    # the same against FFTW_MEASURE
NUMPY_TARGET = 3.0      # workers = 1 against numpy.fft, every length and shape
SPEEDUP_TARGET = 1.7    # workers = 2 over workers = 1, n >= 2^16, the batch and the 2-D case
SPEEDUP_FROM = 2**16


def collect(raw):
    """series[(source, kind, shape)][(n, workers)] -> Series, with shape ('', 1),
    ('batch', B) or ('rows', R); flops per (kind, shape, n); contexts and FFTW
    plans per source."""
    series = collections.defaultdict(lambda: collections.defaultdict(Series))
    flops, ctx = {}, {}
    plans = collections.defaultdict(dict)
    for run in raw["runs"]:
        c = run["result"].get("context", {})
        for b in iterations(run):
            words, args = parse_name(b.get("run_name", b["name"]))
            if len(words) != 2 or words[0] not in SOURCES:
                continue
            src, kind = words
            ctx.setdefault(src, c)
            shape = (("batch", args["batch"]) if "batch" in args else
                     ("rows", args["rows"]) if "rows" in args else ONE_D)
            series[(src, kind, shape)][(args["n"], args["workers"])].add(b)
            flops[(kind, shape, args["n"])] = b.get("flops", 0.0)
        for name, p in run.get("fftw_plans", {}).items():
            src = name.split("/")[0]
            plans[src].setdefault(name, []).append(p)
    return series, flops, ctx, plans


def get(series, src, kind, shape, n, w):
    return series.get((src, kind, shape), {}).get((n, w))


def ratio(a, b):
    """Throughput of a over b (b's time over a's), or None."""
    return None if a is None or b is None else b.best / a.best


def mflops(flops, kind, shape, n, s):
    return None if s is None else flops.get((kind, shape, n), 0.0) / s.best / 1e6


def slower_beyond_noise(a, b):
    """b (more workers) slower than a by more than the spread of either."""
    r = ratio(b, a)
    return r is not None and r < 1 and 1 / r - 1 > max(a.spread, b.spread)


def size_label(n):
    for base in (2, 3, 5):
        e = round(math.log(n, base))
        if n >= base ** 2 and base ** e == n:
            return f"{base}^{e}" if base == 2 else f"{base}^{e} = {n}"
    return f"{n} (prime)" if n in (1009, 1000003) else str(n)


def shape_label(shape, n):
    if shape[0] == "batch":
        return f"{shape[1]} x {n} batch"
    if shape[0] == "rows":
        return f"{shape[1]} x {n} 2-D"
    return size_label(n)


def points(series, kind):
    """(shape, n) of every kernpool figure of a kind: 1-D by length, then the others."""
    out = set()
    for (src, k, shape), t in series.items():
        if src == "kernpool" and k == kind:
            out |= {(shape, n) for (n, _w) in t}
    return sorted(out, key=lambda p: (p[0] != ONE_D, p[0], p[1]))


def mark(r, target):
    if r is None:
        return "–"
    return f"{r:.2f}" if target is None or r >= target else f"**{r:.2f}**"


def verdict_of(pts, target):
    """pts: [(ratio, label)]. (measured text, verdict)."""
    pts = [(r, lab) for r, lab in pts if r is not None]
    if not pts:
        return None
    low, high = min(pts), max(pts)
    missed = [lab for r, lab in pts if r < target]
    text = f"{low[0]:.2f}x ({low[1]}) to {high[0]:.2f}x ({high[1]})"
    if not missed:
        return text, "met"
    if len(missed) == len(pts):
        return text, "**not met** anywhere"
    return text, "**not met** at " + ", ".join(missed)


def targets(series, kinds):
    rows = []
    pow2 = [(shape, n) for shape, n in points(series, "c2c")
            if shape == ONE_D and n & (n - 1) == 0]
    for peer, target in (("fftw_estimate", ESTIMATE_TARGET), ("fftw_measure", MEASURE_TARGET)):
        v = verdict_of([(ratio(get(series, "kernpool", "c2c", s, n, 1),
                               get(series, peer, "c2c", s, n, 1)), size_label(n))
                        for s, n in pow2], target)
        if v:
            rows.append((f"c2c, power-of-two n, workers = 1: >= {target:g}x {LABELS[peer]} "
                         "(1 thread), every size", *v))
    for kind in [k for k in kinds if not k.endswith("_float")]:
        v = verdict_of([(ratio(get(series, "kernpool", kind, s, n, 1),
                               get(series, "numpy", kind, s, n, 1)), shape_label(s, n))
                        for s, n in points(series, kind)], NUMPY_TARGET)
        if v:
            rows.append((f"{kind}, workers = 1: >= {NUMPY_TARGET:g}x numpy.fft, every length "
                         "and shape", *v))
    for kind in kinds:
        big = [(s, n) for s, n in points(series, kind) if s != ONE_D or n >= SPEEDUP_FROM]
        v = verdict_of([(ratio(get(series, "kernpool", kind, s, n, 2),
                               get(series, "kernpool", kind, s, n, 1)), shape_label(s, n))
                        for s, n in big], SPEEDUP_TARGET)
        if v:
            rows.append((f"{kind}: workers = 2 >= {SPEEDUP_TARGET}x workers = 1 for n >= 2^16, "
                         "the batch and the 2-D transform", *v))
    slower, noisy = [], []
    for kind in kinds:
        for s, n in points(series, kind):
            a, b = get(series, "kernpool", kind, s, n, 1), get(series, "kernpool", kind, s, n, 2)
            r = ratio(b, a)
            if r is not None and r < 1:
                (slower if slower_beyond_noise(a, b) else noisy).append(
                    f"{kind} {shape_label(s, n)} ({r:.2f})")
    text = ("slower: " + ", ".join(slower)) if slower else "never slower beyond noise"
    if noisy:
        text += "; within noise: " + ", ".join(noisy)
    rows.append(("workers = 2 never slower than workers = 1, any kind, length or shape", text,
                 "met" if not slower else "**not met**"))
    return rows


def simd_of(text):
    """SIMD suffixes of the codelets a plan names ('scalar' for codelets without one)."""
    found = set()
    for codelet in re.findall(r'"([A-Za-z0-9_]+)"', text):
        m = re.search(r"_(sse2|avx_128_fma|avx2_128|avx2|avx512|avx|kcvi|neon|altivec|vsx)$",
                      codelet)
        found.add(m.group(1) if m else "scalar")
    return found


def plans_text(plans, limit):
    """One line per FFTW source: codelet SIMD seen, planning time, time limits hit."""
    out = []
    for src in ("fftw_estimate", "fftw_measure"):
        ps = plans.get(src, {})
        if not ps:
            continue
        every = [p for lst in ps.values() for p in lst]
        simd = collections.Counter(x for p in every for x in simd_of(p["plan"]))
        total = sum(p["plan_s"] for p in every)
        longest_name = max(ps, key=lambda k: max(p["plan_s"] for p in ps[k]))
        longest = max(p["plan_s"] for p in ps[longest_name])
        text = (f"{LABELS[src]}: {len(every)} plans; plans using " +
                ", ".join(f"{k} codelets: {v}" for k, v in simd.most_common()) +
                f"; planning took {total:.1f} s in all, at most {longest:.2f} s "
                f"(`{longest_name}`)")
        if src == "fftw_measure" and limit:
            # the limit is approximate: FFTW checks the clock between candidates
            hit = sorted({k for k, lst in ps.items() for p in lst if p["plan_s"] >= 0.95 * limit})
            shown = ", ".join(f"`{h}`" for h in hit[:6]) + (
                f" and {len(hit) - 6} more" if len(hit) > 6 else "")
            text += (f"; {len(hit)} plans reached the {limit:g} s limit ({shown}; FFTW widens "
                     "its search step by step and returns the best plan found when time runs "
                     "out)" if hit
                     else f"; no plan reached the {limit:g} s limit")
        out.append(text)
    return out


def write(raw, out, name):
    meta = raw["meta"]
    s = meta["settings"]
    series, flops, ctx, plans = collect(raw)
    kinds = [k for k in KINDS if any(key[:2] == ("kernpool", k) for key in series)]
    kp, fw, npc = ctx.get("kernpool", {}), ctx.get("fftw_measure", ctx.get("fftw_estimate", {})), \
        ctx.get("numpy", {})
    reps = s["repetitions"] * s.get("rounds", 1)
    lines = []
    w = lines.append

    w("# FFT: kernpool beside FFTW, numpy and scipy")
    w("")
    w(f"Measured {meta['date']} by `{meta['command']}`, suite fft ({meta['mode']} mode, "
      f"{meta['seconds']:.0f} s; sources `bench/fft.c`, `bench/peer_numpy_fft.py`, "
      f"`bench/suite_fft.py`). Generated by `bench/report_fft.py` from `{name}.json`, which "
      "holds every raw result and every FFTW plan.")
    w("")
    w(f"- **Machine**: {meta['cpu']}; {meta['cpus_allowed']} CPUs allowed; SIMD flags "
      f"{meta['cpu_flags_simd']}. Linux {meta['kernel']}, {meta['compiler']}. kernpool "
      f"{kp.get('kernpool_version', '?')} at commit `{meta['git_commit']}`, CPU budget "
      f"{kp.get('kernpool_cpu_budget', '?')}, built with `{kp.get('c_flags', '?')}` (no "
      f"-march; {kp_isa(meta)}, the pool reports `{kp.get('kernpool_isa_selected', '?')}`). "
      f"{line_move_text(meta)}{python_malloc_text(meta, raw)}")
    w(f"- **Method**: {meta['method']}. 1-D lengths {s['sizes']}; a batch of "
      f"{s['batch'].replace('x', ' transforms of length ')} (contiguous, distance = length) and "
      f"a {s['grid'].replace('x', ' x ')} 2-D transform (row-major), where given. The figure "
      "is benchFFT's mflops: 5 N log2 N / (time in us) for a complex transform of N points, "
      "2.5 N log2 N / time for a real one (N = all points of a 2-D transform; times the count "
      "of a batch). Ratios are kernpool / peer of that figure, i.e. the peer's time over "
      "kernpool's, at the same workers / threads and in the same run (above 1: kernpool is "
      "faster).")
    w(f"- **Noise**: {noise_text(raw)[0]} Load average {meta['load_avg_start']} at the start, "
      f"{meta['load_avg_end']} at the end. Spreads ((slowest - fastest) / fastest over the "
      f"{reps} repetitions) are in `{name}.json`.")
    w("")
    w("What each side ran (each its own process, one after another in every round):")
    w("")
    w("| side | planner / kernel | calls |")
    w("|---|---|---|")
    w(f"| kernpool {kp.get('kernpool_version', '?')}, `kernpool-bench-fft "
      "--sources=kernpool` | its own mixed-radix passes and Bluestein, chosen by its cost "
      f"model; pool reports `{kp.get('kernpool_isa_selected', '?')}` | one "
      "`kp_fft_plan_make` per shape (never timed), then `kp_fft_plan_execute(plan, in, out, "
      "workers)` at workers 1 and 2, out of place, norm backward (unscaled forward) |")
    if fw:
        w(f"| FFTW `{fw.get('fftw_version', '?')}` (Debian libfftw3), `kernpool-bench-fft "
          "--sources=fftw_estimate` and `--sources=fftw_measure` | FFTW_ESTIMATE; "
          "FFTW_MEASURE with `fftw_set_timelimit("
          f"{fw.get('fftw_measure_limit_s', '?')})` a plan; built with `{fw.get('fftw_cc', '?')}`"
          " | `fftw_init_threads()` at start; per shape `fftw_plan_with_nthreads(T)`, "
          "`fftw_plan_many_dft` / `fftw_plan_many_dft_r2c` (never timed), then "
          "`fftw_execute(plan)` at T = 1 and 2, out of place (`fftwf_*` in single "
          "precision) |")
    if npc:
        calls = sorted({v.extra.get("call", "?") for (src, _k, _s), t in series.items()
                        if src in ("numpy", "scipy") for v in t.values()})
        w(f"| numpy {npc.get('numpy_version', '?')} and scipy {npc.get('scipy_version', '?')}, "
          f"Python {npc.get('python_version', '?')} `/usr/bin/python3`, "
          "`bench/peer_numpy_fft.py` | numpy.fft: pocketfft (C), double only, a plan per call; "
          "scipy.fft: pocketfft (C++), a plan cache, `workers` threads split the lines of a "
          "multi-dimensional array | " + ", ".join(f"`{c}`" for c in calls) +
          "; each call allocates its result, on a warm heap (glibc's allocator keeps freed "
          "memory: `PYTHON_MALLOC` in `bench/run.py`) |")
    w("")
    for line in plans_text(plans, s.get("measure_limit")):
        w(f"- {line}.")
    w("")

    w("## Targets (from the FFT issue)")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for t in targets(series, kinds):
        w(f"| {t[0]} | {t[1]} | {t[2]} |")
    w("")

    for kind in kinds:
        pts = points(series, kind)
        w(f"## {TITLES[kind]}: kernpool / peer")
        w("")
        w("kernpool's mflops and its ratio to each peer at the same workers / threads (numpy "
          "has one thread only). Bold: below the issue's target (FFTW_ESTIMATE 1x and "
          f"FFTW_MEASURE {MEASURE_TARGET}x for power-of-two c2c, numpy {NUMPY_TARGET:g}x, "
          f"speedup {SPEEDUP_TARGET} from 2^16, or more workers slower beyond noise).")
        w("")
        head = ["n", "kp w=1 mflops", "/ ESTIMATE 1t", "/ MEASURE 1t", "/ numpy", "/ scipy w=1",
                "kp w=2 mflops", "/ ESTIMATE 2t", "/ MEASURE 2t", "/ scipy w=2", "speedup 2/1"]
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        for shape, n in pts:
            k1, k2 = (get(series, "kernpool", kind, shape, n, wk) for wk in (1, 2))
            pow2c2c = kind == "c2c" and shape == ONE_D and n & (n - 1) == 0
            sp = ratio(k2, k1)
            big = shape != ONE_D or n >= SPEEDUP_FROM
            sp_text = mark(sp, SPEEDUP_TARGET if big else None)
            if sp is not None and not big and k1 is not None and slower_beyond_noise(k1, k2):
                sp_text = f"**{sp:.2f}**"
            row = [shape_label(shape, n), fmt(mflops(flops, kind, shape, n, k1), 0),
                   mark(ratio(k1, get(series, "fftw_estimate", kind, shape, n, 1)),
                        ESTIMATE_TARGET if pow2c2c else None),
                   mark(ratio(k1, get(series, "fftw_measure", kind, shape, n, 1)),
                        MEASURE_TARGET if pow2c2c else None),
                   mark(ratio(k1, get(series, "numpy", kind, shape, n, 1)),
                        None if kind.endswith("_float") else NUMPY_TARGET),
                   fmt(ratio(k1, get(series, "scipy", kind, shape, n, 1))),
                   fmt(mflops(flops, kind, shape, n, k2), 0),
                   fmt(ratio(k2, get(series, "fftw_estimate", kind, shape, n, 2))),
                   fmt(ratio(k2, get(series, "fftw_measure", kind, shape, n, 2))),
                   fmt(ratio(k2, get(series, "scipy", kind, shape, n, 2))), sp_text]
            w("| " + " | ".join(row) + " |")
        w("")

    w("## mflops of every side")
    w("")
    w("benchFFT's figure for each side at 1 and 2 workers / threads (numpy.fft has no "
      "threads).")
    w("")
    for kind in kinds:
        w(f"### {TITLES[kind]}")
        w("")
        head = ["n"]
        for src in SOURCES:
            head += [f"{LABELS[src]} 1"] + ([] if src == "numpy" else [f"{LABELS[src]} 2"])
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        for shape, n in points(series, kind):
            row = [shape_label(shape, n)]
            for src in SOURCES:
                for wk in ((1,) if src == "numpy" else (1, 2)):
                    row.append(fmt(mflops(flops, kind, shape, n,
                                          get(series, src, kind, shape, n, wk)), 0))
            w("| " + " | ".join(row) + " |")
        w("")

    size_png, speed_png = plot(series, flops, kinds, meta, kp, fw, npc, out, name)
    w("## Plots")
    w("")
    w(f"![mflops against length]({os.path.basename(size_png)})")
    w("")
    w(f"![speedup with 2 workers]({os.path.basename(speed_png)})")
    w("")
    w("## Notes")
    w("")
    w("- " + (noise_text(raw)[0] or "The noise of the machine was not recorded."))
    w("- Processes: FFTW and kernpool run in the same program, `kernpool-bench-fft`, but in "
      "separate processes chosen with `--sources`, as every peer in `bench/` does. In one "
      "process they would rarely meet (FFTW's idle threads sleep in sem_wait; kernpool's "
      "helpers spin at most 50 us after a call), and a check found no difference beyond "
      "noise (`bench/suite_fft.py`); `--sources=kernpool,fftw_estimate,fftw_measure` runs all "
      "three in one process, size by size, to repeat it.")
    w("- Plans are made outside the timed loop and reused by every repetition (kernpool's "
      "plan, which does not depend on workers, also serves both workers values of a shape). "
      "FFTW_MEASURE overwrites the arrays while planning, so every program fills its input "
      "after planning. FFTW_MEASURE's wisdom is kept from round to round, so only the first "
      "round searches. The plans FFTW made are in the raw JSON (`fftw_plans` of each FFTW "
      "run), with their planning seconds.")
    w("- numpy.fft and scipy.fft allocate their output on every call and numpy.fft also makes "
      "its plan on every call: that is what a Python user pays, so their figures include it. "
      "At small n their figure is mostly the cost of a Python call.")
    if any(k.endswith("_float") for k in kinds):
        w("- Single precision: numpy.fft computes in double whatever its input (its float32 "
          "figure includes the conversion and gives complex128), so the numpy target is "
          "judged in double only; scipy.fft and FFTW compute in single precision.")
    w("- mflops is a nominal rate: it counts 5 N log2 N (2.5 N log2 N real) whatever the "
      "algorithm does, so for lengths with large prime factors (Bluestein, Rader) it is a "
      "measure of time, not of arithmetic.")
    w("- Google Benchmark (Debian's libbenchmark 1.7.1) warns that it was built as DEBUG; "
      "only its own bookkeeping between timed loops is affected.")
    w("")
    path = os.path.join(out, f"{name}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return [path, size_png, speed_png]


def plot(series, flops, kinds, meta, kp, fw, npc, out, name):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    footer = (f"{meta['cpu']} | {meta['date']} | kernpool {kp.get('kernpool_version', '?')} "
              f"{meta['git_commit']} | {fw.get('fftw_version', 'FFTW ?')} | numpy "
              f"{npc.get('numpy_version', '?')}, scipy {npc.get('scipy_version', '?')}\n"
              f"method: {meta['method']}")
    footer = "\n".join(textwrap.fill(line, 230) for line in footer.split("\n"))
    paths = []

    def finish(fig, title, suffix):
        fig.suptitle(title)
        fig.text(0.01, 0.005, footer, fontsize=6, va="bottom")
        fig.tight_layout(rect=(0, 0.07, 1, 0.96))
        path = os.path.join(out, f"{name}-{suffix}.png")
        fig.savefig(path, dpi=90, metadata={"Description": footer})
        plt.close(fig)
        paths.append(path)

    def one_d(src, kind, wk, value):
        """[(n, value)] of the 1-D figures, power-of-two lengths and the others apart."""
        t = series.get((src, kind, ONE_D), {})
        pts = sorted((n, value(t[(n, wk)], n)) for (n, w2) in t if w2 == wk)
        pts = [(n, v) for n, v in pts if v is not None]
        return ([p for p in pts if p[0] & (p[0] - 1) == 0],
                [p for p in pts if p[0] & (p[0] - 1) != 0])

    # mflops against length: one panel per kind, and the batch and 2-D bars
    cols = len(kinds) + 1
    fig, axes = plt.subplots(1, cols, figsize=(5.2 * cols, 5.2), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        for src in SOURCES:
            for wk, style in ((1, "-"), (2, "--")):
                pow2, other = one_d(src, kind, wk,
                                    lambda s, n, k=kind: mflops(flops, k, ONE_D, n, s))
                if pow2:
                    ax.plot(*zip(*pow2), style, color=COLOURS[src], marker="o", ms=3,
                            label=f"{LABELS[src]} {wk}")
                if other:
                    ax.plot(*zip(*other), "x" if wk == 1 else "+", color=COLOURS[src], ms=5)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("n (lines: powers of two; x / +: other lengths, 1 / 2 workers)")
        ax.set_ylabel("mflops (benchFFT)")
        ax.set_title(TITLES[kind], fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6, ncol=2)
    bar_panel(axes[0][-1], series, flops, kinds)
    finish(fig, "FFT: mflops against length (solid: 1 worker / thread, dashed: 2)", "size")

    # speedup at 2 workers / threads
    fig, axes = plt.subplots(1, cols, figsize=(5.2 * cols, 5.2), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        for src in ("kernpool", "fftw_estimate", "fftw_measure", "scipy"):
            t = series.get((src, kind, ONE_D), {})
            pow2, other = one_d(src, kind, 1, lambda s1, n, t=t: ratio(t.get((n, 2)), s1))
            if pow2:
                ax.plot(*zip(*pow2), "-o", ms=3, color=COLOURS[src], label=LABELS[src])
            if other:
                ax.plot(*zip(*other), "x", ms=5, color=COLOURS[src])
        ax.axhline(SPEEDUP_TARGET, color="grey", ls="--", lw=1, label=f"target {SPEEDUP_TARGET}")
        ax.axhline(1, color="black", lw=0.8)
        ax.axvline(SPEEDUP_FROM, color="grey", ls=":", lw=1)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.set_xlabel("n (lines: powers of two; x: other lengths)")
        ax.set_ylabel("2 workers / 1 worker")
        ax.set_title(TITLES[kind], fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    ax = axes[0][-1]
    shaped = shaped_cases(series, kinds)
    width = 0.8 / 4
    for i, src in enumerate(("kernpool", "fftw_estimate", "fftw_measure", "scipy")):
        xs, ys = [], []
        for j, (kind, shape, n) in enumerate(shaped):
            r = ratio(get(series, src, kind, shape, n, 2), get(series, src, kind, shape, n, 1))
            if r is not None:
                xs.append(j + (i - 1.5) * width)
                ys.append(r)
        ax.bar(xs, ys, width, color=COLOURS[src], label=LABELS[src])
    ax.axhline(SPEEDUP_TARGET, color="grey", ls="--", lw=1)
    ax.axhline(1, color="black", lw=0.8)
    shaped_axis(ax, shaped)
    ax.set_ylabel("2 workers / 1 worker")
    ax.set_title("batch and 2-D", fontsize=9)
    ax.legend(fontsize=6)
    finish(fig, "FFT: speedup with 2 workers / threads over 1", "speedup")
    return paths


def shaped_cases(series, kinds):
    """[(kind, shape, n)] of kernpool's batch and 2-D figures."""
    return [(kind, key[2], n) for kind in kinds for key, t in series.items()
            if key[0] == "kernpool" and key[1] == kind and key[2] != ONE_D
            for n in sorted({n for (n, _w) in t})]


def shaped_axis(ax, shaped):
    ax.set_xticks(range(len(shaped)))
    ax.set_xticklabels([f"{k}\n{shape_label(s, n)}" for k, s, n in shaped], fontsize=7)


def bar_panel(ax, series, flops, kinds):
    """mflops of the batch and 2-D shapes, every side, 1 and 2 workers."""
    shaped = shaped_cases(series, kinds)
    bars = [(src, wk) for src in SOURCES for wk in ((1,) if src == "numpy" else (1, 2))]
    width = 0.8 / len(bars)
    for i, (src, wk) in enumerate(bars):
        xs, ys = [], []
        for j, (kind, shape, n) in enumerate(shaped):
            v = mflops(flops, kind, shape, n, get(series, src, kind, shape, n, wk))
            if v is not None:
                xs.append(j + (i - (len(bars) - 1) / 2) * width)
                ys.append(v)
        ax.bar(xs, ys, width, color=COLOURS[src], alpha=1.0 if wk == 1 else 0.55,
               label=f"{LABELS[src]} {wk}")
    shaped_axis(ax, shaped)
    ax.set_ylabel("mflops (benchFFT)")
    ax.set_title("batch and 2-D (light: 2 workers / threads)", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
