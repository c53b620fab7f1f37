#!/usr/bin/python3
"""The report of the rng suite: rng.md and rng.png from the merged rng.json.

bench/report.py's write() hands rng results here; to redo the report from
the raw results without measuring again:

    bench/report.py docs/benchmarks/rng.json

Ratios are kernpool / numpy of throughput (values per second), so a ratio
above 1 means kernpool is faster. "speedup" is kernpool's throughput at
workers = 2 over its own at workers = 1.
"""
import collections
import os
import textwrap

from report import (Series, fmt, fmt_n, iterations, kp_isa, line_move_text, noise_text,
                    parse_name, python_malloc_text)

KERNELS = ["raw", "random", "integers32", "integers64", "normal", "exponential"]
BITGENS = ["pcg64", "pcg64dxsm", "philox"]
BITGEN_NAMES = {"pcg64": "PCG64", "pcg64dxsm": "PCG64DXSM", "philox": "Philox"}
TITLES = {
    "raw": "raw 64-bit words",
    "random": "random doubles in [0, 1)",
    "integers32": "integers in [0, 1000) (32-bit path)",
    "integers64": "integers in [0, 10^12) (64-bit path)",
    "normal": "standard normal",
    "exponential": "standard exponential",
}
KP_CALLS = {
    "raw": "kp_random_raw",
    "random": "kp_random",
    "integers32": "kp_integers(0, 1000)",
    "integers64": "kp_integers(0, 10^12)",
    "normal": "kp_standard_normal",
    "exponential": "kp_standard_exponential",
}
# The targets: >= 2x numpy per core for these, and a 2-worker
# speedup of >= 1.8 for n >= 1e6 (for every kernel).
PER_CORE_KERNELS = ["random", "integers32", "integers64", "normal"]
PER_CORE_TARGET = 2.0
SPEEDUP_TARGET = 1.8
SPEEDUP_FROM = 1000000
M = 1e6


def collect(raw):
    """series[(source, bitgen, kernel)][(n, workers)] -> Series; contexts per source.
    source: kernpool, numpy (one thread) or numpy_threads; ('numpy', '', 'alloc')
    is numpy's allocation figure."""
    series = collections.defaultdict(lambda: collections.defaultdict(Series))
    ctx = {}
    for run in raw["runs"]:
        c = run["result"].get("context", {})
        for b in iterations(run):
            words, args = parse_name(b.get("run_name", b["name"]))
            if words[0] not in ("kernpool", "numpy", "numpy_threads"):
                continue
            ctx.setdefault(words[0], c)
            if len(words) == 2:  # numpy/alloc
                key = (words[0], "", words[1])
            else:
                key = (words[0], words[1], words[2])
            s = series[key][(args["n"], args.get("workers", 1))]
            s.add(b)
            if "threads" in b:
                s.threads = int(b["threads"])
    return series, ctx


def mvals(s):
    """Millions of values per second, or None."""
    return None if s is None else s.geps * 1e9 / M


def ratio(a, b):
    if a is None or b is None or b.geps <= 0:
        return None
    return a.geps / b.geps


def speedup(series, bitgen, kernel, n):
    t = series.get(("kernpool", bitgen, kernel), {})
    return ratio(t.get((n, 2)), t.get((n, 1)))


def numpy_one(series, bitgen, kernel, n):
    return series.get(("numpy", bitgen, kernel), {}).get((n, 1))


def numpy_threads(series, bitgen, kernel, n, threads=2):
    return series.get(("numpy_threads", bitgen, kernel), {}).get((n, threads))


def mark(r, target):
    """A ratio, bold when it misses its target."""
    if r is None:
        return "–"
    return f"{r:.2f}" if r >= target else f"**{r:.2f}**"


def sizes_of(series):
    return sorted({n for (src, _b, _k), t in series.items() if src == "kernpool" for (n, _w) in t})


def targets(series, sizes):
    rows = []
    for k in PER_CORE_KERNELS:
        pts = [(ratio(series[("kernpool", "pcg64", k)].get((n, 1)),
                      numpy_one(series, "pcg64", k, n)), n) for n in sizes]
        pts = [(r, n) for r, n in pts if r is not None]
        if not pts:
            continue
        low, at = min(pts)
        high, at_high = max(pts)
        missed = [fmt_n(n) for r, n in pts if r < PER_CORE_TARGET]
        text = f"{low:.2f}x (n = {fmt_n(at)}) to {high:.2f}x (n = {fmt_n(at_high)})"
        verdict = "met" if not missed else (
            "**not met** at every size" if len(missed) == len(pts)
            else "**not met** at n = " + ", ".join(missed))
        rows.append((f"{KP_CALLS[k]}, workers = 1: >= {PER_CORE_TARGET:g}x numpy (PCG64), "
                     "every size", text, verdict))
    big = [n for n in sizes if n >= SPEEDUP_FROM]
    for k in KERNELS:
        pts = [(speedup(series, "pcg64", k, n), n) for n in big]
        pts = [(r, n) for r, n in pts if r is not None]
        if not pts:
            continue
        low, at = min(pts)
        missed = [fmt_n(n) for r, n in pts if r < SPEEDUP_TARGET]
        verdict = "met" if not missed else "**not met** at n = " + ", ".join(missed)
        rows.append((f"{KP_CALLS[k]}: speedup at workers = 2 >= {SPEEDUP_TARGET}, "
                     f"n >= {fmt_n(SPEEDUP_FROM)}",
                     f"lowest {low:.2f} (n = {fmt_n(at)})", verdict))
    return rows


def write(raw, out, name):
    meta = raw["meta"]
    s = meta["settings"]
    series, ctx = collect(raw)
    kp = ctx.get("kernpool", {})
    npc = ctx.get("numpy", {})
    sizes = sizes_of(series)
    kernels = [k for k in KERNELS if ("kernpool", "pcg64", k) in series]
    others = [b for b in BITGENS[1:] if any(src == "kernpool" and bg == b
                                            for (src, bg, _k) in series)]
    other_kernels = [k for k in KERNELS if any(("kernpool", b, k) in series for b in others)]
    reps = s["repetitions"] * s.get("rounds", 1)
    threads = int(str(s.get("numpy_threads", "2")).split(",")[0] or 2)
    lines = []
    w = lines.append

    w("# Random fills: kernpool beside numpy")
    w("")
    w(f"Measured {meta['date']} by `{meta['command']}`, suite rng ({meta['mode']} mode, "
      f"{meta['seconds']:.0f} s; sources `bench/rng.c`, `bench/peer_numpy_rng.py`, "
      f"`bench/suite_rng.py`). Generated by `bench/report_rng.py` from `{name}.json`, which "
      "holds every raw result.")
    w("")
    w(f"- **Machine**: {meta['cpu']}; {meta['cpus_allowed']} CPUs allowed; SIMD flags "
      f"{meta['cpu_flags_simd']}. Linux {meta['kernel']}, {meta['compiler']}. kernpool "
      f"{kp.get('kernpool_version', '?')} at commit `{meta['git_commit']}`, CPU budget "
      f"{kp.get('kernpool_cpu_budget', '?')}, built with `{kp.get('c_flags', '?')}` (no "
      f"-march; {kp_isa(meta)}, the pool reports `{kp.get('kernpool_isa_selected', '?')}`). "
      f"{line_move_text(meta)}{python_malloc_text(meta, raw)}")
    w(f"- **Method**: {meta['method']}. Sizes {s['sizes']} values; every program writes a "
      "prefix of one output array allocated (and written once) at the largest size, so "
      "sizes that fit a cache are written into that cache. Each benchmark keeps one "
      "generator for all its calls. Throughput is values per second (8 bytes each: every "
      "output is a uint64, int64 or double). Ratios are kernpool / numpy of throughput "
      "(above 1: kernpool is faster).")
    w(f"- **Noise**: {noise_text(raw)[0]} Load average {meta['load_avg_start']} at the start, "
      f"{meta['load_avg_end']} at the end. The spread is (slowest - fastest) / fastest over "
      f"the {reps} repetitions.")
    w("")
    w("What each side ran:")
    w("")
    w("| side | generators | calls |")
    w("|---|---|---|")
    w(f"| kernpool {kp.get('kernpool_version', '?')}, `kernpool-bench-rng` | "
      f"{kp.get('rng_bitgens', '?')} | " + ", ".join(
          f"`{KP_CALLS[k]}`" for k in kernels) + f" at workers 1 and 2 (fills cut into "
      f"blocks of {kp.get('kernpool_rng_block', '?')} values; smaller fills run on the "
      "caller) |")
    if npc:
        calls = {}
        for (src, _b, k), t in series.items():
            if src == "numpy" and k != "alloc":
                calls[k] = next(iter(t.values())).extra.get("call", "?")
        w(f"| numpy {npc.get('numpy_version', '?')}, Python {npc.get('python_version', '?')} "
          f"`/usr/bin/python3`, one thread | {npc.get('numpy_bit_generators', '?')} | " +
          ", ".join(f"`{calls[k]}`" for k in kernels if k in calls) +
          "; one call per loop pass. `random_raw` and `integers` have no `out=` in numpy "
          "1.24, so they allocate their result on every call |")
        w(f"| numpy, {threads} threads | the same generator type, {threads} of them from "
          "`SeedSequence(12345).spawn(T)` | numpy's documented pattern "
          "(doc/source/reference/random/multithreading.rst): a long-lived "
          f"`ThreadPoolExecutor({threads})`, each thread fills one chunk of "
          "ceil(n / T) values of one array with `out=`; numpy releases the GIL inside a "
          "fill. For `random_raw` and `integers` (no `out=`) each thread's result is copied "
          "into its chunk |")
    w("")

    w("## Targets (from the RNG issue)")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for t in targets(series, sizes):
        w(f"| {t[0]} | {t[1]} | {t[2]} |")
    w("")

    w("## Ratios kernpool / numpy, PCG64, per size")
    w("")
    w(f"workers = 1 against numpy on one thread (per core; target {PER_CORE_TARGET:g}x for "
      "random, integers and normal: bold below it); workers = 2 against numpy on one "
      f"thread, and against numpy's {threads}-thread pattern.")
    w("")
    head = ["kernel", "kernpool", "numpy"] + [fmt_n(n) for n in sizes]
    w("| " + " | ".join(head) + " |")
    w("|" + "---|" * len(head))
    for k in kernels:
        kt = series[("kernpool", "pcg64", k)]
        target = PER_CORE_TARGET if k in PER_CORE_KERNELS else 0
        w("| " + " | ".join([k, "workers = 1", "1 thread"] + [
            mark(ratio(kt.get((n, 1)), numpy_one(series, "pcg64", k, n)), target)
            for n in sizes]) + " |")
        w("| " + " | ".join(["", "workers = 2", "1 thread"] + [
            fmt(ratio(kt.get((n, 2)), numpy_one(series, "pcg64", k, n))) for n in sizes]) + " |")
        w("| " + " | ".join(["", "workers = 2", f"{threads} threads"] + [
            fmt(ratio(kt.get((n, 2)), numpy_threads(series, "pcg64", k, n, threads)))
            for n in sizes]) + " |")
    w("")

    w("## Speedup at workers = 2")
    w("")
    w(f"kernpool's throughput at workers = 2 over workers = 1 (target {SPEEDUP_TARGET} from "
      f"n = {fmt_n(SPEEDUP_FROM)}: bold below it there); beside it numpy's "
      f"{threads}-thread pattern over numpy on one thread. Below one block "
      f"({kp.get('kernpool_rng_block', '?')} values) kernpool runs on the caller, so 1.00 "
      "within noise is expected there.")
    w("")
    head = ["kernel", "who"] + [fmt_n(n) for n in sizes]
    w("| " + " | ".join(head) + " |")
    w("|" + "---|" * len(head))
    for k in kernels:
        row = [k, "kernpool 2 / 1"]
        for n in sizes:
            r = speedup(series, "pcg64", k, n)
            row.append(mark(r, SPEEDUP_TARGET) if n >= SPEEDUP_FROM else fmt(r))
        w("| " + " | ".join(row) + " |")
        w("| " + " | ".join(["", f"numpy {threads}t / 1t"] + [
            fmt(ratio(numpy_threads(series, "pcg64", k, n, threads),
                      numpy_one(series, "pcg64", k, n))) for n in sizes]) + " |")
    w("")

    if others:
        w("## Other bit generators")
        w("")
        w("kernpool / numpy with the same generator, workers = 1 and 2 against numpy on "
          "one thread; and kernpool's speedup at workers = 2.")
        w("")
        head = ["generator", "kernel", "figure"] + [fmt_n(n) for n in sizes]
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        for b in ["pcg64"] + others:
            for k in other_kernels:
                kt = series.get(("kernpool", b, k), {})
                if not kt:
                    continue
                w("| " + " | ".join([BITGEN_NAMES[b], k, "workers = 1 / numpy"] + [
                    fmt(ratio(kt.get((n, 1)), numpy_one(series, b, k, n))) for n in sizes]) +
                  " |")
                w("| " + " | ".join(["", "", "workers = 2 / numpy"] + [
                    fmt(ratio(kt.get((n, 2)), numpy_one(series, b, k, n))) for n in sizes]) +
                  " |")
                w("| " + " | ".join(["", "", "speedup 2 / 1"] + [
                    fmt(speedup(series, b, k, n)) for n in sizes]) + " |")
        w("")

    w("## Throughput, millions of values per second")
    w("")
    for b in ["pcg64"] + others:
        for k in (kernels if b == "pcg64" else other_kernels):
            kt = series.get(("kernpool", b, k), {})
            if not kt:
                continue
            has_mt = ("numpy_threads", b, k) in series
            head = ["n", "kernpool w=1", "spread", "kernpool w=2", "spread", "numpy 1t", "spread"]
            if has_mt:
                head += [f"numpy {threads}t", "spread"]
            w(f"### {BITGEN_NAMES[b]}: {TITLES[k]}")
            w("")
            w("| " + " | ".join(head) + " |")
            w("|" + "---|" * len(head))
            for n in sizes:
                cells = [kt.get((n, 1)), kt.get((n, 2)), numpy_one(series, b, k, n)]
                if has_mt:
                    cells.append(numpy_threads(series, b, k, n, threads))
                row = [fmt_n(n)]
                for c in cells:
                    row += [fmt(mvals(c), 0), "–" if c is None else f"{100 * c.spread:.0f}%"]
                w("| " + " | ".join(row) + " |")
            w("")

    alloc = series.get(("numpy", "", "alloc"), {})
    if alloc:
        w("## What numpy's fresh output array costs")
        w("")
        w("`numpy/alloc`: `np.empty(n, int64)` with one write per 4 KiB page, i.e. the "
          "allocation and its page faults without the values. Its share of the time of "
          "numpy's allocating calls (random_raw, integers) on one thread:")
        w("")
        head = ["n", "alloc (us)"] + [f"share of {k}" for k in ("raw", "integers32", "integers64")
                                      if ("numpy", "pcg64", k) in series]
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        for n in sizes:
            a = alloc.get((n, 1))
            if a is None:
                continue
            row = [fmt_n(n), fmt(a.best * 1e6, 1)]
            for k in ("raw", "integers32", "integers64"):
                if ("numpy", "pcg64", k) not in series:
                    continue
                c = numpy_one(series, "pcg64", k, n)
                row.append("–" if c is None else f"{100 * a.best / c.best:.0f}%")
            w("| " + " | ".join(row) + " |")
        w("")

    png = plot(series, kernels, others, other_kernels, sizes, threads, meta, kp, npc, out, name)
    w("## Plot")
    w("")
    w(f"![{os.path.basename(png)}]({os.path.basename(png)})")
    w("")
    w("## Notes")
    w("")
    w("- " + (noise_text(raw)[0] or "The noise of the machine was not recorded."))
    w("- kernpool's exact fills (raw, random) give numpy's own stream, so the two sides "
      "compute the same values. Its integers, normal and exponential fills are substream "
      "fills (block j draws from the generator advanced by j * 2^64): the same bits for "
      "any workers, numpy's stream only within the first block, and for normal and "
      "exponential kernpool's own ziggurat tables; the distributions are numpy's.")
    w("- At 1e3 values numpy's figure is mostly the cost of a Python call; kernpool's is a "
      "C call. That is what a Python user pays; an extension module calling kernpool pays "
      "its own call overhead on top.")
    w("- numpy's `random_raw` calls the bit generator through a function pointer per value "
      "and allocates its result; it is numpy's only bulk raw-bits call.")
    w("- The two sides run as separate processes one after another in each round; the best "
      "over all rounds is reported.")
    w("- Google Benchmark (Debian's libbenchmark 1.7.1) warns that it was built as DEBUG; "
      "only its own bookkeeping between timed loops is affected.")
    w("")
    path = os.path.join(out, f"{name}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return [path, png]


def plot(series, kernels, others, other_kernels, sizes, threads, meta, kp, npc, out, name):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    footer = (f"{meta['cpu']} | {meta['date']} | kernpool {kp.get('kernpool_version', '?')} "
              f"{meta['git_commit']} | numpy {npc.get('numpy_version', '?')}\n"
              f"method: {meta['method']}")
    footer = "\n".join(textwrap.fill(line, 240) for line in footer.split("\n"))
    panels = len(kernels) + (1 if others else 0) + 1
    cols = 4
    rows = (panels + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(17, 4.6 * rows), squeeze=False)
    flat = list(axes.flat)

    def line(ax, table, wk, style, colour, label, marker="o"):
        pts = sorted((n, mvals(v)) for (n, w2), v in table.items() if w2 == wk)
        if pts:
            ax.plot(*zip(*pts), style, color=colour, marker=marker, label=label)

    for ax, k in zip(flat, kernels):
        line(ax, series[("kernpool", "pcg64", k)], 1, "-", "C0", "kernpool workers=1")
        line(ax, series[("kernpool", "pcg64", k)], 2, "--", "C0", "kernpool workers=2")
        line(ax, series.get(("numpy", "pcg64", k), {}), 1, "-", "C3", "numpy 1 thread", "x")
        line(ax, series.get(("numpy_threads", "pcg64", k), {}), threads, "--", "C3",
             f"numpy {threads} threads (thread pool)", "x")
        ax.set_title(f"PCG64: {TITLES[k]}", fontsize=9)
    i = len(kernels)
    if others:
        ax = flat[i]
        i += 1
        for j, b in enumerate(["pcg64"] + others):
            for k in other_kernels:
                line(ax, series.get(("kernpool", b, k), {}), 1, "-", f"C{j}",
                     f"kernpool {BITGEN_NAMES[b]} {k}")
                line(ax, series.get(("numpy", b, k), {}), 1, ":", f"C{j}",
                     f"numpy {BITGEN_NAMES[b]} {k}", "x")
        ax.set_title("bit generators, one thread", fontsize=9)
    for ax in flat[:i]:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (values)")
        ax.set_ylabel("million values / s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    ax = flat[i]
    for j, k in enumerate(kernels):
        pts = [(n, speedup(series, "pcg64", k, n)) for n in sizes]
        pts = [(n, r) for n, r in pts if r is not None]
        if pts:
            ax.plot(*zip(*pts), "-o", color=f"C{j}", label=f"kernpool {k}")
        pts = [(n, ratio(numpy_threads(series, "pcg64", k, n, threads),
                         numpy_one(series, "pcg64", k, n))) for n in sizes]
        pts = [(n, r) for n, r in pts if r is not None]
        if pts:
            ax.plot(*zip(*pts), ":x", color=f"C{j}", alpha=0.6, label=f"numpy {k}")
    ax.axhline(SPEEDUP_TARGET, color="grey", lw=1, ls="--", label=f"target {SPEEDUP_TARGET}")
    ax.set_xscale("log")
    top = max([r for k in kernels for n in sizes
               for r in (speedup(series, "pcg64", k, n),) if r is not None] + [2.0])
    ax.set_ylim(0, top + 0.2)
    ax.set_xlabel("n (values)")
    ax.set_ylabel("2 threads / 1 thread")
    ax.set_title("speedup with 2 workers / threads (PCG64)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=5, ncol=2)
    for ax in flat[i + 1:]:
        ax.set_visible(False)
    fig.suptitle("Random fills: throughput against size, kernpool beside numpy")
    fig.text(0.01, 0.005, footer, fontsize=6, va="bottom")
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    path = os.path.join(out, f"{name}.png")
    fig.savefig(path, dpi=90, metadata={"Description": footer})
    plt.close(fig)
    return path
