#!/usr/bin/python3
"""Writes the Markdown reports and plots from a merged raw JSON file.

    bench/report.py docs/benchmarks/reductions.json [OUT_DIR]

bench/run.py calls write() after measuring; run this by hand to redo the
reports from the raw results without measuring again. Ratios are always
kernpool / peer of throughput, so a ratio above 1 means kernpool is faster.
"""
import collections
import json
import math
import os
import sys
import textwrap

GB = 1e9


def parse_name(name):
    """'kernpool/dsum/n:1000/workers:2/real_time' -> (['kernpool', 'dsum'], {'n': 1000, ...})."""
    words, args = [], {}
    for part in name.split("/"):
        if ":" in part:
            k, _, v = part.partition(":")
            try:
                args[k] = int(v)
            except ValueError:
                args[k] = v
        elif part not in ("real_time",):
            words.append(part)
    return words, args


UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class Series:
    """The repetitions of one benchmark: best time, best rates and spread."""

    def __init__(self):
        self.times, self.bps, self.ips = [], [], []
        self.threads = None
        self.extra = {}

    def add(self, b):
        t = b["real_time"] * UNIT[b.get("time_unit", "ns")]
        self.times.append(t)
        self.bps.append(b.get("bytes_per_second", 0.0))
        self.ips.append(b.get("items_per_second", 0.0))
        if "threads" in b and self.threads is None:
            self.threads = int(b["threads"])
        if "call" in b:
            self.extra["call"] = b["call"]

    @property
    def best(self):
        return min(self.times)

    @property
    def gbs(self):
        return max(self.bps) / GB

    @property
    def geps(self):
        return max(self.ips) / GB

    @property
    def spread(self):
        """(slowest - fastest) / fastest over the repetitions."""
        return max(self.times) / min(self.times) - 1


def iterations(run):
    for b in run["result"].get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        yield b


def fmt(x, digits=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


def fmt_n(n):
    e = math.log10(n)
    if abs(e - round(e)) < 1e-9 and n >= 1000:
        return f"1e{int(round(e))}"
    l2 = math.log2(n)
    if abs(l2 - round(l2)) < 1e-9:
        return f"2^{int(round(l2))}"
    return str(n)


# --------------------------------------------------------------- reductions


def openblas_peer(run):
    ctx = run["result"]["context"]
    core = ctx.get("openblas_corename", "?")
    change = run.get("environment_changes", {})
    if "OPENBLAS_CORETYPE" in change:
        how = ("own pick, OPENBLAS_CORETYPE unset" if change["OPENBLAS_CORETYPE"] is None
               else f"OPENBLAS_CORETYPE={change['OPENBLAS_CORETYPE']}")
    else:
        env = ctx.get("openblas_coretype_env", "")
        how = f"OPENBLAS_CORETYPE={env} from the environment" if env else "own pick"
    return f"OpenBLAS {core}", how, ctx


def collect_reduce(raw):
    """series[(source, kernel)][(n, threads-or-workers)] -> Series, plus facts per source."""
    series = collections.defaultdict(lambda: collections.defaultdict(Series))
    facts = {}
    kp_context = None
    for run in raw["runs"]:
        ctx = run["result"].get("context", {})
        for b in iterations(run):
            words, args = parse_name(b.get("run_name", b["name"]))
            if words[0] == "openblas":
                source, how, octx = openblas_peer(run)
                facts[source] = {"how": how, "config": octx.get("openblas_config", ""),
                                 "library": octx.get("openblas_library", "")}
                kernel = words[1]
            elif words[0] == "numpy":
                source, kernel = "numpy", words[1]
                facts["numpy"] = ctx
            elif words[0] == "kernpool":
                isa = run.get("environment_changes", {}).get("KERNPOOL_ISA")
                source, kernel = ("kernpool", words[1]) if not isa else (f"isa:{isa}", words[1])
                if not isa:
                    kp_context = ctx
            elif words[0] == "stream":
                source, kernel = ("read_wide" if words[1] == "read_wide" else "read_sse2"), "read"
            elif words[0] == "sweep":
                source, kernel = "sweep", words[2]
            else:
                continue
            s = series[(source, kernel)][(args["n"], args.get("workers", 0))]
            s.add(b)
            if "threads" in b:
                s.threads = int(b["threads"])
    # The memory read figure: the faster of the two read loops.
    for key in set(series.get(("read_sse2", "read"), {})) | set(series.get(("read_wide", "read"),
                                                                           {})):
        cands = [series[(src, "read")][key] for src in ("read_sse2", "read_wide")
                 if key in series.get((src, "read"), {})]
        series[("read", "read")][key] = max(cands, key=lambda c: c.gbs)
    return series, facts, kp_context


READ_NAMES = {"read_sse2": "read SSE2", "read_wide": "read wide"}


def by_threads(table, n, threads):
    """The series of a peer table at size n run with `threads` threads."""
    for (m, w), s in table.items():
        if m == n and (s.threads if s.threads is not None else w) == threads:
            return s
    return None


def numpy_series(series, kernel, n, threads):
    table = series.get(("numpy", kernel), {})
    s = table.get((n, threads))
    if s is None and table:
        # a run at another BLAS thread count (numpy.sum is serial anyway)
        cands = [v for (m, w), v in table.items() if m == n]
        s = cands[-1] if cands else None
    return s


def ratio(a, b):
    return a.gbs / b.gbs if a is not None and b is not None and b.gbs > 0 else None


def write_reduce(raw, out, name):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    meta = raw["meta"]
    series, facts, kpctx = collect_reduce(raw)
    kernels = [k for k in ("dsum", "ddot", "dasum", "dnrm2", "ssum", "sdot", "sasum", "snrm2")
               if ("kernpool", k) in series]
    openblas = sorted({src for (src, _k) in series if src.startswith("OpenBLAS")},
                      key=lambda p: (not facts[p]["how"].endswith("environment"), p))
    npf = facts.get("numpy", {})
    budget = int(kpctx.get("kernpool_cpu_budget", "0")) if kpctx else 0
    reps = meta["settings"]["repetitions"] * meta["settings"].get("rounds", 1)
    lines = []
    w = lines.append

    # ---- header: what, when, where, how
    w("# Reductions: kernpool beside its peers")
    w("")
    w(f"Measured {meta['date']} by `{meta['command']}` ({meta['mode']} mode, "
      f"{meta['seconds']:.0f} s; sources in `bench/`). Generated by `bench/report.py` from "
      f"`{name}.json`, which holds every raw result.")
    w("")
    w(f"- **Machine**: {meta['cpu']}; {meta['cpus_allowed']} CPUs allowed; SIMD flags "
      f"{meta['cpu_flags_simd']}. Linux {meta['kernel']}, {meta['compiler']}; transparent "
      f"huge pages `{meta['transparent_hugepage']}` (every program advises its arrays into "
      f"huge pages, as numpy does). kernpool {kpctx.get('kernpool_version', '?') if kpctx else '?'}"
      f" at commit `{meta['git_commit']}`, CPU budget {budget}, built with "
      f"`{kpctx.get('c_flags', '?') if kpctx else '?'}` (no -march); kernels chosen at run "
      f"time ({kp_isa(meta)}). {line_move_text(meta)}{python_malloc_text(meta, raw)}")
    w(f"- **Method**: {meta['method']}. Sizes {meta['settings']['sizes']} elements; every "
      f"program reads a prefix of one array allocated at the largest size, so sizes that fit "
      f"a cache are measured in that cache. Throughput is bytes of input read per second "
      f"(GB = 1e9 bytes; a dot product reads two vectors) and elements per second. "
      f"Ratios are kernpool / peer of throughput (above 1: kernpool is faster), against the "
      f"peer at the same thread count; workers = -1 is {budget} threads here.")
    w(f"- **Noise**: {noise_text(raw)[0]} Load average {meta['load_avg_start']} at the "
      f"start, {meta['load_avg_end']} at the end. The spread column is "
      f"(slowest - fastest) / fastest over the {reps} repetitions.")
    w("")
    w("Peers, and the kernel each ran:")
    w("")
    w("| peer | what runs | how it was chosen |")
    w("|---|---|---|")
    w("| memory read | `bench/stream.c`: a C loop with 16 accumulators, built twice without "
      "-march: SSE2 (the x86-64 baseline, -O3) and the widest SIMD the CPU offers "
      "(`target_clones` ifunc: AVX-512 here); split by `kp_parallel_for` at 1 and 2 threads "
      "in kernpool's process, same arrays. The figure is the faster of the two | the "
      "physical limit for arrays beyond the caches; in cache it is just another loop |")
    for p in openblas:
        f = facts[p]
        w(f"| {p} | `cblas_?dot`, `?asum`, `?nrm2`, `?sum` of `{os.path.basename(f['library'])}` "
          f"(pthread variant; `{f['config']}`), own process per thread count "
          f"(OPENBLAS_NUM_THREADS) | {f['how']} |")
    if npf:
        blas = os.path.basename(npf.get("blas_library", "?"))
        top = (npf.get("numpy_cpu_dispatch") or "?").split()[-1]
        w(f"| numpy {npf.get('numpy_version', '?')} | `numpy.sum(x)` (numpy's own pairwise sum; "
          f"its SIMD dispatch reaches {top} on this CPU), "
          f"`numpy.dot(x, y)` and `numpy.linalg.norm(x)` (= sqrt(x.dot(x)): BLAS ddot, no "
          f"overflow guard) through `{blas}` ({npf.get('blas_openblas_corename', '?')} kernels), "
          f"`numpy.abs(x).sum()` (temporary array); Python {npf.get('python_version', '?')} "
          f"`/usr/bin/python3`, one call per loop pass | BLAS threads set by "
          f"OPENBLAS_NUM_THREADS (1 and 2); numpy.sum is serial |")
    w("")

    # ---- targets
    w("## Targets")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    targets = evaluate_targets(series, kernels, openblas, budget)
    for t in targets:
        w(f"| {t[0]} | {t[1]} | {t[2]} |")
    w("")

    # ---- per kernel
    w("## Ratios kernpool / peer, per size and workers")
    w("")
    for k in kernels:
        kp = series[("kernpool", k)]
        head = ["n", "workers", "threads", "kernpool GB/s", "Gelem/s", "spread", "vs read"]
        head += [f"vs {p}" for p in openblas] + ["vs numpy"]
        call = next((s.extra.get("call") for s in series.get(("numpy", k), {}).values()), "")
        w(f"### kp_{k}" + (f" (numpy: `{call}`)" if call else ""))
        w("")
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        for (n, wk), s in sorted(kp.items(), key=lambda i: (i[0][0], i[0][1] % 1000)):
            t = s.threads
            row = [fmt_n(n), str(wk), str(t), fmt(s.gbs, 1), fmt(s.geps, 2),
                   f"{100 * s.spread:.0f}%",
                   fmt(ratio(s, by_threads(series.get(("read", "read"), {}), n, t)))]
            for p in openblas:
                row.append(fmt(ratio(s, by_threads(series.get((p, k), {}), n, t))))
            row.append(fmt(ratio(s, numpy_series(series, k, n, t))))
            w("| " + " | ".join(row) + " |")
        w("")

    # ---- absolute figures of the peers
    w("## Peers' throughput (GB/s), same run")
    w("")
    for k in kernels:
        cols = [("read_sse2", "read", 1), ("read_sse2", "read", 2), ("read_wide", "read", 1),
                ("read_wide", "read", 2)]
        for p in openblas:
            cols += [(p, k, 1), (p, k, 2)]
        head = ["n", "kernpool 1", "kernpool 2"] + [
            f"{READ_NAMES.get(src, src)} {t}" for src, _k, t in cols] + ["numpy (BLAS 1t)"]
        w(f"### {k}")
        w("")
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        for n in sorted({n for (n, _w) in series[("kernpool", k)]}):
            row = [fmt_n(n)]
            for t in (1, 2):
                row.append(fmt(getattr(by_threads(series[("kernpool", k)], n, t), "gbs", None), 1))
            for src, kk, t in cols:
                s = by_threads(series.get((src, kk), {}), n, t)
                row.append(fmt(s.gbs if s else None, 1))
            s = numpy_series(series, k, n, 1)
            row.append(fmt(s.gbs if s else None, 2))
            w("| " + " | ".join(row) + " |")
        w("")

    # ---- workers scaling and crossover
    w("## Workers: 2 against 1")
    w("")
    w("Throughput at workers = 2 / workers = 1 (below 1: two threads were slower; "
      "'noise' when the gap is within the larger spread of the two).")
    w("")
    sizes = sorted({n for k in kernels for (n, _w) in series[("kernpool", k)]})
    w("| kernel | " + " | ".join(fmt_n(n) for n in sizes) + " |")
    w("|---|" + "---|" * len(sizes))
    for k in kernels:
        row = [k]
        for n in sizes:
            a = series[("kernpool", k)].get((n, 1))
            b = series[("kernpool", k)].get((n, 2))
            row.append(scaling_cell(a, b))
        w("| " + " | ".join(row) + " |")
    w("")
    order = ["portable", "avx2", "avx512"]
    isas = sorted({src[4:] for (src, _k) in series if src.startswith("isa:")},
                  key=lambda i: order.index(i) if i in order else len(order))
    if isas:
        w("## kernpool by instruction set, workers = 1")
        w("")
        w("The same program run again with `KERNPOOL_ISA` capping the kernels' instruction "
          f"set, in processes of their own after the main one; 'default' is the main run "
          f"({kp_isa(meta)}). GB/s.")
        w("")
        w("| kernel | n | " + " | ".join(isas) + " | default |")
        w("|---|---|" + "---|" * (len(isas) + 1))
        for k in kernels:
            for n in sorted({n for (src, kk) in series if src.startswith("isa:") and kk == k
                             for (n, _w) in series[(src, kk)]}):
                row = [k, fmt_n(n)]
                for isa in isas + [None]:
                    src = f"isa:{isa}" if isa else "kernpool"
                    s2 = series.get((src, k), {}).get((n, 1))
                    row.append(fmt(s2.gbs if s2 else None, 1))
                w("| " + " | ".join(row) + " |")
        w("")
    sweep = series.get(("sweep", "dsum"))
    if sweep:
        w("## Crossover: where workers = 2 starts beating workers = 1 (kp_dsum)")
        w("")
        xs = sorted({n for (n, _w) in sweep})
        cross, table = crossover(sweep, xs)
        w(cross)
        w("")
        w("| n | bytes | workers=1 GB/s | workers=2 GB/s | 2 / 1 |")
        w("|---|---|---|---|---|")
        for n, a, b in table:
            w(f"| {n} | {fmt_bytes(8 * n)} | {fmt(a.gbs, 1)} | {fmt(b.gbs, 1)} | "
              f"{scaling_cell(a, b)} |")
        w("")

    # ---- plots
    pngs = plot_reduce(plt, series, kernels, openblas, meta, kpctx, facts, out, name)
    w("## Plots")
    w("")
    for p in pngs:
        w(f"![{os.path.basename(p)}]({os.path.basename(p)})")
        w("")
    w("## Notes")
    w("")
    w(notes_text(meta, raw, series))
    w("")
    path = os.path.join(out, f"{name}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return [path] + pngs


def kp_isa(meta):
    """The instruction set kernpool's kernels used by default, by the header's rule."""
    isa = meta.get("environment", {}).get("KERNPOOL_ISA")
    if isa:
        return f"KERNPOOL_ISA={isa}"
    flags = meta.get("cpu_flags_simd", "").split()
    best = "avx512" if "avx512f" in flags else "avx2" if "avx2" in flags else "portable"
    return f"KERNPOOL_ISA unset: the widest the CPU offers, {best} here"


def python_malloc_text(meta, raw):
    """A sentence on page faults and the Python peers' allocator settings."""
    used = sorted({r["environment_changes"].get("GLIBC_TUNABLES") for r in raw["runs"]
                   if r["command"] and r["command"][0].endswith("python3")} - {None})
    fault = meta.get("page_fault_us")
    text = (f"First touch of a fresh 4 KiB page cost {fault} us here (measured at the start). "
            if fault is not None else "")
    if used:
        text += (f"The Python peers ran with `GLIBC_TUNABLES={'`, `'.join(used)}`: an array "
                 "numpy allocates on every call reuses the memory the call before freed instead "
                 "of fresh pages, so their times are numpy's work, not this machine's page "
                 "faults (kernpool's programs and the C peers allocate before timing).")
    return text


def line_move_text(meta):
    """A sentence on how far apart the first two CPUs were (bench/pingpong.c)."""
    if "line_move_ns_start" not in meta and "line_move_ns_end" not in meta:
        return ""  # a report from before the figure was recorded
    a, b = meta.get("line_move_ns_start"), meta.get("line_move_ns_end")
    if a is None and b is None:
        return ("How far apart the first two CPUs are was not measured (one CPU allowed, or "
                "`kernpool-bench-pingpong` missing or failed). ")
    when = (f"{a:.0f} ns at the start and {b:.0f} ns at the end" if a is not None and b is not None
            else f"{a if a is not None else b:.0f} ns at the {'start' if a is not None else 'end'}")
    return (f"A cache line took {when} to move one way between the first two CPUs "
            "(`kernpool-bench-pingpong`: two pinned threads hand it back and forth, best of 5 "
            "rounds of 100000 round trips or 0.2 s, pingpong.c's ROUNDS, default and ROUND_NS); "
            "tens of ns where the two share a cache, "
            "hundreds where they do not, and every thread that hands data to another pays it, "
            "so threaded results at small sizes follow it. ")


def fmt_bytes(b):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b} B"


def scaling_cell(a, b):
    if a is None or b is None:
        return "–"
    r = b.gbs / a.gbs
    text = f"{r:.2f}"
    if r < 1:
        noise = max(a.spread, b.spread)
        text += " (noise)" if 1 / r - 1 <= noise else " **slower**"
    return text


def crossover(sweep, xs):
    table = [(n, sweep.get((n, 1)), sweep.get((n, 2))) for n in xs]
    table = [(n, a, b) for n, a, b in table if a is not None and b is not None]
    margin = 1.05
    first = next((n for n, a, b in table if b.gbs > margin * a.gbs), None)
    stays = None
    for i in range(len(table)):
        if all(b.gbs > margin * a.gbs for _n, a, b in table[i:]):
            stays = table[i][0]
            break
    if first is None:
        text = (f"Workers = 2 never beat workers = 1 by more than 5% between {xs[0]} and "
                f"{xs[-1]} elements.")
    else:
        text = (f"Workers = 2 first beats workers = 1 by more than 5% at n = {first} "
                f"({fmt_bytes(8 * first)})")
        text += (f", and stays ahead from n = {stays} ({fmt_bytes(8 * stays)}) on."
                 if stays is not None else ", but not at every larger size.")
    text += (" Below the reductions' inline threshold both settings run the same serial "
             "code, so their ratio there is 1 within noise.")
    return text, table


def evaluate_targets(series, kernels, openblas, budget):
    out = []
    kp = series.get(("kernpool", "dsum"), {})
    read = series.get(("read", "read"), {})
    s = kp.get((100000000, -1))
    peak = max((v.gbs for (n, _w), v in read.items() if n == 100000000), default=None)
    if s is not None and peak:
        r = s.gbs / peak
        out.append(("kp_dsum, 1e8 doubles, workers = -1: >= 90% of the memory read figure",
                    f"{s.gbs:.1f} GB/s = {100 * r:.0f}% of {peak:.1f} GB/s",
                    "met" if r >= 0.9 else "**not met**"))
        npy = numpy_series(series, "dsum", 100000000, 1)
        if npy is not None:
            out.append(("kp_dsum, 1e8, workers = -1 vs numpy.sum (about 2.3x expected)",
                        f"{s.gbs / npy.gbs:.2f}x ({s.gbs:.1f} vs {npy.gbs:.1f} GB/s)", "info"))
    worst = None
    for n in (1000, 10000, 100000, 1000000):
        a, b = kp.get((n, 1)), numpy_series(series, "dsum", n, 1)
        if a is not None and b is not None:
            r = a.gbs / b.gbs
            worst = (r, n) if worst is None or r < worst[0] else worst
    if worst is not None:
        out.append(("kp_dsum, 1e3 to 1e6, workers = 1: >= 2x numpy.sum",
                    f"lowest {worst[0]:.2f}x (at n = {fmt_n(worst[1])})",
                    "met" if worst[0] >= 2 else "**not met**"))
    dot = series.get(("kernpool", "ddot"), {})
    for p in openblas:
        peer = series.get((p, "ddot"), {})
        worst = None
        for (n, wk), s2 in dot.items():
            if wk != -1:
                continue
            o = by_threads(peer, n, s2.threads)
            if o is None:
                continue
            r = s2.gbs / o.gbs
            worst = (r, n) if worst is None or r < worst[0] else worst
        if worst is not None:
            out.append((f"kp_ddot (workers = -1) >= threaded {p} ddot ({budget} threads), "
                        "every size",
                        f"lowest {worst[0]:.2f}x (at n = {fmt_n(worst[1])})",
                        "met" if worst[0] >= 1 else "**not met**"))
    slower, noisy = [], []
    for k in kernels:
        t = series[("kernpool", k)]
        for (n, wk), a in t.items():
            b = t.get((n, 2))
            if wk != 1 or b is None:
                continue
            r = b.gbs / a.gbs
            if r < 1:
                (noisy if 1 / r - 1 <= max(a.spread, b.spread) else slower).append(
                    f"{k} {fmt_n(n)} ({r:.2f})")
    verdict = "met" if not slower else "**not met**"
    text = ("slower: " + ", ".join(slower)) if slower else "never slower beyond noise"
    if noisy:
        text += "; within noise: " + ", ".join(noisy)
    out.append(("workers = 2 never slower than workers = 1, any kernel and size", text, verdict))
    return out


def noise(raw):
    """(share of the CPUs other processes used over the whole suite, worst run, its label)."""
    runs = [r for r in raw["runs"] if "other_cpu_share" in r]
    if not runs:
        return None
    wall = sum(r["seconds"] for r in runs)
    mean = sum(r["other_cpu_share"] * r["seconds"] for r in runs) / wall
    worst = max(runs, key=lambda r: r["other_cpu_share"])
    return mean, worst["other_cpu_share"], worst["label"]


def noise_text(raw):
    n = noise(raw)
    if n is None:
        return "", False
    mean, worst, label = n
    text = (f"Other processes used {100 * mean:.1f}% of the machine's CPU time while the "
            f"programs ran (at most {100 * worst:.1f}%, during \"{label}\").")
    if mean > 0.05:
        text += (" **The machine was not quiet**: figures, above all the 2-thread ones, "
                 "may be lower than on an idle machine.")
    elif worst > 0.15:
        text += (" Mostly quiet: other work ran beside some programs, which also ran in other "
                 "rounds or sessions; the best repetition is reported, but the spread column "
                 "shows the disturbance.")
    return text, mean > 0.05
def notes_text(meta, raw, series):
    text = "- " + (noise_text(raw)[0] or "The noise of the machine was not recorded.")
    text += ("\n- Each program is a separate process: OpenBLAS's threaded library never shares "
             "a process with kernpool, and numpy loads its own BLAS (Debian's alternatives "
             "choose which; its path is recorded above).")
    big = 100000000
    read = max((v.gbs for (n, _w), v in series.get(("read", "read"), {}).items() if n == big),
               default=None)
    kp = max((v.gbs for (n, _w), v in series.get(("kernpool", "dsum"), {}).items() if n == big),
             default=None)
    if read and kp and kp > 1.03 * read:
        text += (f"\n- kp_dsum read 1e8 doubles faster than the read loops ({kp:.1f} against "
                 f"{read:.1f} GB/s): in this run the loops (measured just before it) fell "
                 "short of the machine's read bandwidth, or the bandwidth drifted between the "
                 "two, so the 90% target is measured against a lower bound of it.")
    small = series.get(("numpy", "dsum"), {})
    t = min((v.best for (n, _w), v in small.items() if n == 1000), default=None)
    if t is not None:
        text += (f"\n- numpy at small sizes mostly measures the cost of a Python call: "
                 f"numpy.sum of 1e3 doubles took {t * 1e6:.2f} us, of which the summing itself "
                 "is a small part.")
    text += ("\n- Peers run in their own processes one after another, so a ratio compares "
             "figures taken seconds to minutes apart; memory bandwidth on a shared host drifts "
             "over such spans, which the spread column does not show.")
    text += ("\n- Google Benchmark (Debian's libbenchmark 1.7.1) warns that it was built as "
             "DEBUG; only its own bookkeeping between timed loops is affected.")
    return text


def plot_reduce(plt, series, kernels, openblas, meta, kpctx, facts, out, name):
    footer = (f"{meta['cpu']} | {meta['date']} | kernpool "
              f"{kpctx.get('kernpool_version', '?') if kpctx else '?'} {meta['git_commit']} | "
              "peers: " + ", ".join(f"{p} ({facts[p]['how']})" for p in openblas) +
              ", numpy " + facts.get("numpy", {}).get("numpy_version", "?") +
              f"\nmethod: {meta['method']}")
    footer = "\n".join(textwrap.fill(line, 260) for line in footer.split("\n"))
    pngs = []
    groups = [("size", [k for k in kernels if k.startswith("d")]),
              ("size-float", [k for k in kernels if k.startswith("s")])]
    styles = {1: "-", 2: "--", -1: ":"}
    for suffix, ks in groups:
        if not ks:
            continue
        fig, axes = plt.subplots(2, 2, figsize=(13, 9), squeeze=False)
        for ax, k in zip(axes.flat, ks):
            for (src, colour) in [("kernpool", "C0")]:
                for wk in (1, 2, -1):
                    pts = sorted((n, s.gbs) for (n, w2), s in series[(src, k)].items() if w2 == wk)
                    if pts:
                        ax.plot(*zip(*pts), styles[wk], color=colour, marker="o", lw=2,
                                label=f"kernpool workers={wk}")
            for t in (1, 2):
                pts = sorted((n, s.gbs) for (n, w2), s in series.get(("read", "read"), {}).items()
                             if s.threads == t)
                if pts:
                    ax.plot(*zip(*pts), styles[t], color="grey", label=f"memory read {t}t")
            for i, p in enumerate(openblas):
                for t in (1, 2):
                    pts = sorted((n, s.gbs) for (n, w2), s in series.get((p, k), {}).items()
                                 if s.threads == t)
                    if pts:
                        ax.plot(*zip(*pts), styles[t], color=f"C{i + 1}", marker=".",
                                label=f"{p} {t}t")
            seen = set()
            for (n, w2), s in sorted(series.get(("numpy", k), {}).items()):
                seen.add(w2)
            for j, w2 in enumerate(sorted(seen)):
                pts = sorted((n, s.gbs) for (n, w3), s in series[("numpy", k)].items() if w3 == w2)
                ax.plot(*zip(*pts), styles.get(j + 1, "-"), color="C5", marker="x",
                        label=f"numpy (BLAS {w2}t)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"kp_{k}")
            ax.set_xlabel("n (elements)")
            ax.set_ylabel("GB/s of input read")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=6, ncol=2)
        for ax in list(axes.flat)[len(ks):]:
            ax.set_visible(False)
        fig.suptitle("Reductions: throughput against size, kernpool beside its peers")
        fig.text(0.01, 0.005, footer, fontsize=6, va="bottom")
        fig.tight_layout(rect=(0, 0.05, 1, 0.97))
        path = os.path.join(out, f"{name}-{suffix}.png")
        fig.savefig(path, dpi=90, metadata={"Description": footer})
        plt.close(fig)
        pngs.append(path)

    # throughput against threads, for the larger sizes
    fig, axes = plt.subplots(2, 2, figsize=(13, 9), squeeze=False)
    for ax, k in zip(axes.flat, [k for k in kernels if k.startswith("d")]):
        sizes = sorted({n for (n, _w) in series[("kernpool", k)] if n >= 100000})
        for i, n in enumerate(sizes):
            pts = sorted({s.threads: s.gbs for (m, _w), s in series[("kernpool", k)].items()
                          if m == n}.items())
            ax.plot(*zip(*pts), "-o", color=f"C{i}", lw=2, label=f"kernpool n={fmt_n(n)}")
            if openblas:
                pts = sorted({s.threads: s.gbs for (m, _w), s in
                              series.get((openblas[0], k), {}).items() if m == n}.items())
                if pts:
                    ax.plot(*zip(*pts), ":x", color=f"C{i}", label=f"{openblas[0]} n={fmt_n(n)}")
            pts = sorted({s.threads: s.gbs for (m, _w), s in
                          series.get(("read", "read"), {}).items() if m == n}.items())
            if pts:
                ax.plot(*zip(*pts), "--", color=f"C{i}", alpha=0.5,
                        label=f"memory read n={fmt_n(n)}")
        ax.set_xticks([1, 2])
        ax.set_xlabel("threads (workers = 1, 2; -1 is 2 here)")
        ax.set_ylabel("GB/s of input read")
        ax.set_ylim(bottom=0)
        ax.set_title(f"kp_{k}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6, ncol=2)
    fig.suptitle("Reductions: throughput against threads")
    fig.text(0.01, 0.005, footer, fontsize=6, va="bottom")
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    path = os.path.join(out, f"{name}-workers.png")
    fig.savefig(path, dpi=90, metadata={"Description": footer})
    plt.close(fig)
    pngs.append(path)

    sweep = series.get(("sweep", "dsum"))
    if sweep:
        fig, ax = plt.subplots(figsize=(9, 5))
        for wk in (1, 2):
            pts = sorted((n, s.gbs) for (n, w2), s in sweep.items() if w2 == wk)
            ax.plot(*zip(*pts), styles[wk], marker="o", label=f"kp_dsum workers={wk}")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("n (elements)")
        ax.set_ylabel("GB/s of input read")
        ax.set_title("kp_dsum: where two workers start to pay")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.text(0.01, 0.005, footer, fontsize=3.5, va="bottom")
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        path = os.path.join(out, f"{name}-crossover.png")
        fig.savefig(path, dpi=90, metadata={"Description": footer})
        plt.close(fig)
        pngs.append(path)
    return pngs


# ----------------------------------------------------------------- fork-join


def write_forkjoin(raw, out, name):
    meta = raw["meta"]
    figures = ["kernpool/empty/workers:2", "kernpool/delay/workers:2", "kernpool/empty/workers:1",
               "openmp/empty/threads:2", "openmp/delay/threads:2", "reference/delay"]
    best = collections.defaultdict(dict)          # policy -> figure -> seconds
    sessions = collections.defaultdict(lambda: collections.defaultdict(list))
    ctx = {}
    for run in raw["runs"]:
        policy = run.get("omp_wait_policy", "default")
        ctx = run["result"].get("context", ctx)
        per_run = {}
        for b in iterations(run):
            words, args = parse_name(b.get("run_name", b["name"]))
            key = "/".join(words[1:]) + "".join(f"/{k}:{v}" for k, v in args.items()
                                                if k != "iterations")
            t = b["real_time"] * UNIT[b.get("time_unit", "ns")]
            per_run[key] = min(t, per_run.get(key, t))
            best[policy][key] = min(t, best[policy].get(key, t))
        for key, t in per_run.items():
            sessions[policy][key].append(t)
    rows = []
    us = 1e6
    for policy in [p for p in ("default", "active", "passive") if p in best]:
        b = best[policy]
        d = b.get("reference/delay")
        if d is None or any(f not in b for f in figures):
            continue
        kp_over = b["kernpool/delay/workers:2"] - d
        omp_over = b["openmp/delay/threads:2"] - d
        rows.append((policy, d, b, kp_over, omp_over))

    lines = []
    w = lines.append
    w("# Fork-join overhead: kp_parallel_for beside OpenMP")
    w("")
    w(f"Measured {meta['date']} by `{meta['command']}` ({meta['mode']} mode) through the "
      f"benchmark harness (source: `bench/forkjoin.c`, driver `bench/run.py`), once per "
      f"`OMP_WAIT_POLICY`. Generated by `bench/report.py` from `{name}.json` (every raw result).")
    w("")
    w(f"- Machine: {meta['cpu']}, {meta['cpus_allowed']} CPUs allowed; SIMD flags "
      f"{meta['cpu_flags_simd']}. Linux {meta['kernel']}, {meta['compiler']}; libgomp of the "
      f"same gcc (the OpenMP peer). kernpool {ctx.get('kernpool_version', '?')} at commit "
      f"`{meta['git_commit']}`. {line_move_text(meta)}".rstrip())
    w("- kernpool: `kp_parallel_for(2, 1, body, ctx, 2)`, default `KERNPOOL_SPIN_US` (50).")
    w("- OpenMP: `#pragma omp parallel for num_threads(2) schedule(static)` over 2 indices.")
    w(f"- Method: {meta['method']}. Each process runs one runtime only "
      "(`--benchmark_filter`), so one runtime's spinning threads never take a core from the "
      "other; the reference delay runs in a process of its own too.")
    delay = f"about {us * rows[0][1]:.2f} us here" if rows else "fixed"
    w("- Two shapes. **empty**: the body does nothing; time per region. A pool "
      "whose caller takes both indices when the helper is late looks good here. "
      f"**delay**: each index runs a fixed delay D ({delay}); overhead = time per region - D "
      "(the EPCC syncbench method). Both threads must take part for the overhead to stay "
      "below D, so this is the fairer figure.")
    w(f"- Noise: {noise_text(raw)[0]} Load average {meta['load_avg_start']} at the start, "
      f"{meta['load_avg_end']} at the end.")
    w("")
    w("| OpenMP wait policy | shape | kernpool | OpenMP | kernpool / OpenMP |")
    w("|---|---|---|---|---|")
    for policy, d, b, kp_over, omp_over in rows:
        ke, oe = b["kernpool/empty/workers:2"], b["openmp/empty/threads:2"]
        w(f"| {policy} | empty region | {us * ke:.3f} us | {us * oe:.3f} us | {ke / oe:.2f} |")
        w(f"| {policy} | overhead with delay | {us * kp_over:.3f} us | {us * omp_over:.3f} us | "
          f"**{kp_over / omp_over:.2f}** |")
    w("")
    if rows:
        serial = min(r[2]["kernpool/empty/workers:1"] for r in rows)
        w(f"A call with workers = 1 costs {us * serial:.3f} us (inline, no lock).")
        w("")
        met = all(kp_over <= 0.5 * omp_over for _p, _d, _b, kp_over, omp_over in rows)
        w("Target: kernpool's overhead <= 0.5x libgomp's in the same run. " +
          ("Met in every shape and policy." if met else "**Not met** in every policy (see the "
                                                        "bold ratios)."))
        w("")
        # run-to-run: the best of each process, per policy
        spans = []
        for policy, d, _b, _k, _o in rows:
            ks = [t - d for t in sessions[policy]["kernpool/delay/workers:2"]]
            os_ = [t - d for t in sessions[policy]["openmp/delay/threads:2"]]
            es = sessions[policy]["kernpool/empty/workers:2"]
            spans.append(f"{policy}: kernpool {us * min(ks):.2f} to {us * max(ks):.2f} us, "
                         f"libgomp {us * min(os_):.2f} to {us * max(os_):.2f} us "
                         f"(kernpool empty region {us * min(es):.2f} to {us * max(es):.2f} us)")
        w("Process to process (the best of each process, overhead with delay): " +
          "; ".join(spans) + ". The empty-region figure for kernpool varies most because it "
          "depends on how often the caller runs both indices itself.")
        w("")
    w("Raw results: " + f"`{name}.json`.")
    w("")
    path = os.path.join(out, f"{name}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return [path]


def write(raw, out, name):
    if raw["meta"]["suite"] == "rng":
        import report_rng  # bench/report_rng.py
        return report_rng.write(raw, out, name)
    if raw["meta"]["suite"] == "gemm":
        import report_gemm  # bench/report_gemm.py

        return report_gemm.write(raw, out, name)
    if raw["meta"]["suite"] == "fft":
        import report_fft  # bench/report_fft.py

        return report_fft.write(raw, out, name)
    if raw["meta"]["suite"] == "forkjoin":
        return write_forkjoin(raw, out, name)
    return write_reduce(raw, out, name)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        raw = json.load(f)
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(sys.argv[1]))
    name = os.path.splitext(os.path.basename(sys.argv[1]))[0]
    for p in write(raw, out, name):
        print(f"wrote {p}", file=sys.stderr)


if __name__ == "__main__":
    main()
