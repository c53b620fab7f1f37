#!/usr/bin/python3
"""Runs a benchmark comparison and writes its reports (scripts/bench.sh calls this).

    bench/run.py quick|full --build BUILD_DIR [--out DIR] [--suites reduce,forkjoin,rng,gemm,fft]

Suites:
  reduce    kernpool's reductions (kernpool-bench-reduce) beside, in the same
            run: the memory read loop (same process, same arrays), threaded
            OpenBLAS (kernpool-bench-openblas, one process per thread count
            and per OPENBLAS_CORETYPE) and numpy (bench/peer_numpy.py, one
            process per BLAS thread count). Writes reductions.{md,json} and
            reductions-*.png.
  gemm      kp_dgemm and kp_sgemm (kernpool-bench-gemm) at workers 1 and 2
            beside threaded OpenBLAS at 1 and 2 threads (kernpool-bench-openblas),
            square and rectangular (full mode: kp_zgemm and kp_cgemm square to
            1024 too), at the environment's OPENBLAS_CORETYPE and
            at SkylakeX (both kernpool's engine and the peer read it); the
            crossover sweep; the nested scenario. Writes gemm.{md,json} and
            gemm-*.png (bench/report_gemm.py).
  forkjoin  fork-join overhead of kp_parallel_for beside OpenMP
            (kernpool-bench-forkjoin, one runtime per process, sessions
            alternating), once per OMP_WAIT_POLICY. Writes forkjoin.{md,json}.
  rng       kernpool's random fills (kernpool-bench-rng) at workers 1 and 2
            beside numpy's Generator, alone and in numpy's thread-pool
            pattern (bench/peer_numpy_rng.py); see bench/suite_rng.py. Writes
            rng.{md,json,png}.
  fft       kernpool's c2c and r2c plans (kernpool-bench-fft) at workers 1 and
            2 beside FFTW 3 (ESTIMATE and MEASURE, 1 and 2 threads; the same
            program, in processes of its own) and numpy.fft / scipy.fft
            (bench/peer_numpy_fft.py); see bench/suite_fft.py. Writes
            fft.{md,json} and fft-*.png.

Default output: docs/benchmarks/ for full, docs/benchmarks/quick/ for quick.
Each program writes Google Benchmark's JSON; the raw results of all of them,
with the facts of the run (machine, method, environment, load), are merged
into one JSON file per suite, from which bench/report.py writes the rest.
"""
import argparse
import datetime
import json
import mmap
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import report  # noqa: E402  (bench/report.py)
import suite_fft  # noqa: E402  (bench/suite_fft.py)
import suite_rng  # noqa: E402  (bench/suite_rng.py)

# What each mode measures. Sizes are elements; workers as kernpool reads them.
MODES = {
    "quick": {
        "sizes": "1e3,1e4,1e5,1e6,1e7,1e8",
        "kernels": "dsum,ddot,dasum,dnrm2",
        "workers": "1,2,-1",
        "rounds": 2, "repetitions": 2, "min_time": 0.02, "warmup": 0.02,
        "sweep": "10,22,2", "sweep_min_time": 0.01,
        "coretypes": ["", "SkylakeX"],
        "numpy_threads": [1, 2],
        "isas": [],
        "forkjoin_sessions": 2,
        "gemm_sizes": "32,64,128,256,512,1024,2048",
        "gemm_types": "d",
        "gemm_complex": "",
        "gemm_sweep": "64,80,96,128,192,256,384,512",
        "gemm_rounds": 1,
    },
    "full": {
        "sizes": "1e3,1e4,1e5,1e6,1e7,1e8",
        "kernels": "dsum,ddot,dasum,dnrm2,ssum,sdot,sasum,snrm2",
        "workers": "1,2,-1",
        "rounds": 3, "repetitions": 3, "min_time": 0.05, "warmup": 0.05,
        "sweep": "10,22,4", "sweep_min_time": 0.02,
        "coretypes": ["", "SkylakeX", "auto"],
        "numpy_threads": [1, 2],
        "isas": ["portable", "avx2"],
        "forkjoin_sessions": 5,
        "gemm_sizes": "32,64,128,256,512,1024,2048,4096",
        "gemm_types": "d,s",
        "gemm_complex": "32,64,128,256,512,1024",
        "gemm_sweep": "64,80,96,128,160,192,224,256,320,384,448,512",
        "gemm_rounds": 2,
    },
}
# Suites kept in files of their own: MODES, run(r, settings), method_text(settings).
SUITES = {"rng": suite_rng, "fft": suite_fft}
FORKJOIN_ROUNDS_PER_SESSION = 3
OMP_POLICIES = ["default", "active", "passive"]

# Zen generations by AMD family/model (AMD's processor programming references).
AMD_FAMILIES = {23: "Zen / Zen 2", 25: "Zen 3 / Zen 4", 26: "Zen 5"}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def cpuinfo():
    facts = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" not in line:
                if facts:
                    break
                continue
            key, _, value = line.partition(":")
            facts.setdefault(key.strip(), value.strip())
    return facts


def machine_facts():
    info = cpuinfo()
    flags = info.get("flags", "").split()
    simd = [f for f in ("sse2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512cd",
                        "avx512bw", "avx512vl", "avx512_bf16") if f in flags]
    family = int(info.get("cpu family", "0") or 0)
    model = info.get("model name", "unknown")
    generation = AMD_FAMILIES.get(family) if info.get("vendor_id") == "AuthenticAMD" else None
    cpu = f"{model}, family {family} model {info.get('model', '?')}"
    if generation:
        cpu += f" ({generation})"
    thp = ""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().strip()
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpu_flags_simd": " ".join(simd),
        "cpus_online": os.cpu_count(),
        "cpus_allowed": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "compiler": sh("cc", "--version").splitlines()[0] if sh("cc", "--version") else "",
        "transparent_hugepage": thp,
        "page_fault_us": page_fault_us(),
        "git_commit": sh("git", "-C", ROOT, "describe", "--always", "--dirty"),
        "environment": {k: v for k, v in sorted(os.environ.items())
                        if k.startswith(("OPENBLAS_", "OMP_", "KERNPOOL_", "GOMP_", "GLIBC_"))},
    }


# glibc's allocator settings for the Python peers. numpy allocates its result
# (numpy.fft its plan and work space too) on every call; above glibc's
# dynamic mmap threshold each block is a fresh mapping whose pages fault in
# on first touch, so the cost depended on what the process had run before
# (r2c of 2^15 took 1.6 ms instead of 0.14 ms in one process), and where
# faults are dear (a virtual machine's can cost 10 us a page) it swamps the
# arithmetic (numpy.fft.fft of 2^15 points 2.5 ms instead of 0.25 ms). With
# blocks up to 32 MiB (glibc's largest threshold) taken from the heap, which
# is not trimmed, and larger ones advised into huge pages, each call reuses
# what the call before it freed: numpy's best case, the same in every run.
PYTHON_MALLOC = ("glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184:"
                 "glibc.malloc.hugetlb=1")


def page_fault_us(pages=4096, tries=3):
    """Microseconds to map, first touch and unmap one fresh 4 KiB page (the
    best of a few tries over `pages` pages, huge pages refused)."""
    best = None
    for _ in range(tries):
        t0 = time.perf_counter()
        m = mmap.mmap(-1, pages * 4096)
        if hasattr(mmap, "MADV_NOHUGEPAGE"):
            m.madvise(mmap.MADV_NOHUGEPAGE)
        for off in range(0, pages * 4096, 4096):
            m[off] = 1
        m.close()
        t = (time.perf_counter() - t0) / pages * 1e6
        best = t if best is None else min(best, t)
    return round(best, 2)


def line_move_ns(build):
    """A cache line's one-way time in ns between the first two allowed CPUs
    (kernpool-bench-pingpong), or None (one CPU, or no such program)."""
    exe = os.path.join(build, "bench", "kernpool-bench-pingpong")
    try:
        out = subprocess.run([exe], capture_output=True, text=True, check=True, timeout=60)
        return float(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def cpu_busy():
    """(busy, steal) CPU-seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / tick, steal / tick


def own_cpu():
    """CPU-seconds used by this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Runner:
    """Runs the programs, keeps every raw result and the order they ran in."""

    def __init__(self, build, tmp, settings):
        self.bench_dir = os.path.join(build, "bench")
        self.tmp = tmp
        self.s = settings
        self.runs = []
        self.count = 0

    def program(self, name):
        path = os.path.join(self.bench_dir, name)
        return path if os.access(path, os.X_OK) else None

    def gbench(self, label, name, args, env_changes, repetitions, min_time=None):
        """Runs a harness program; returns its parsed JSON (None if it failed)."""
        path = self.program(name)
        if path is None:
            print(f"skipped {label}: {name} was not built", file=sys.stderr)
            return None
        self.count += 1
        out = os.path.join(self.tmp, f"{self.count:03d}.json")
        cmd = [path, f"--benchmark_out={out}", "--benchmark_out_format=json",
               f"--benchmark_repetitions={repetitions}", f"--warmup={self.s['warmup']}"]
        if min_time is not None:
            cmd.append(f"--benchmark_min_time={min_time}")
        cmd += args
        return self._run(label, cmd, env_changes, out)

    def numpy(self, label, args, env_changes, script="peer_numpy.py"):
        self.count += 1
        out = os.path.join(self.tmp, f"{self.count:03d}.json")
        cmd = ["/usr/bin/python3", os.path.join(HERE, script), "--json", out] + args
        env = dict(env_changes)
        if "GLIBC_TUNABLES" not in os.environ:
            env.setdefault("GLIBC_TUNABLES", PYTHON_MALLOC)
        return self._run(label, cmd, env, out)

    def _run(self, label, cmd, env_changes, out):
        env = dict(os.environ)
        for k, v in env_changes.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        print(f"   {label}", file=sys.stderr, flush=True)
        before = load()
        busy0, steal0 = cpu_busy()
        own0 = own_cpu()
        t0 = time.time()
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, check=False)
        if done.returncode != 0 or not os.path.exists(out):
            print(f"   FAILED ({done.returncode}): {' '.join(cmd)}\n{done.stderr}", file=sys.stderr)
            return None
        with open(out) as f:
            result = json.load(f)
        # Keep every measured repetition; the aggregates (mean, median, ...)
        # are recomputed from them by the report.
        result["benchmarks"] = [b for b in result.get("benchmarks", [])
                                if b.get("run_type", "iteration") == "iteration"]
        wall = time.time() - t0
        busy1, steal1 = cpu_busy()
        other = max(0.0, (busy1 - busy0) - (own_cpu() - own0))
        shown = {k: v for k, v in env_changes.items()}
        self.runs.append({
            "label": label,
            "command": [os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd
                        if not c.startswith("--benchmark_out")],
            "environment_changes": shown,
            "seconds": round(wall, 2),
            # CPU time the rest of the machine used meanwhile, as a share of
            # all its CPUs: the noise this program ran under.
            "other_cpu_share": round(other / (wall * os.cpu_count()), 4),
            "steal_cpu_share": round((steal1 - steal0) / (wall * os.cpu_count()), 4),
            "load_avg_before": before,
            "load_avg_after": load(),
            "result": result,
        })
        return result


def run_reduce(r, s):
    """Every program once per round, the rounds one after another: the memory
    bandwidth of a shared host drifts over minutes, and the best of several
    rounds spread over the whole run is fair to every program alike."""
    reps = s["repetitions"]
    dkernels = ",".join(k for k in s["kernels"].split(",") if k.startswith("d"))
    for rnd in range(1, s["rounds"] + 1):
        tag = f"round {rnd}"
        r.gbench(f"kernpool reductions and memory read, {tag}", "kernpool-bench-reduce",
                 [f"--sizes={s['sizes']}", f"--kernels={s['kernels']}",
                  f"--workers={s['workers']}", "--stream-workers=1,2"], {}, reps, s["min_time"])
        r.gbench(f"kernpool crossover sweep, {tag}", "kernpool-bench-reduce",
                 ["--kernels=", "--stream-workers=", f"--sweep={s['sweep']}"], {}, reps,
                 s["sweep_min_time"])
        # kernpool on narrower instruction sets (KERNPOOL_ISA), one thread:
        # what the run-time choice of kernel is worth.
        for isa in s["isas"]:
            r.gbench(f"kernpool reductions, KERNPOOL_ISA={isa}, {tag}", "kernpool-bench-reduce",
                     [f"--sizes={s['sizes']}", f"--kernels={dkernels}", "--workers=1",
                      "--stream-workers="], {"KERNPOOL_ISA": isa}, reps, s["min_time"])
        # OpenBLAS: "" = the environment as it is (this machine sets
        # OPENBLAS_CORETYPE); "auto" = no OPENBLAS_CORETYPE, OpenBLAS's own pick.
        for core in s["coretypes"]:
            for threads in (1, 2):
                change = {"OPENBLAS_NUM_THREADS": str(threads)}
                if core == "auto":
                    change["OPENBLAS_CORETYPE"] = None
                elif core:
                    change["OPENBLAS_CORETYPE"] = core
                what = core or "environment's OPENBLAS_CORETYPE"
                r.gbench(f"OpenBLAS pthread, {what}, {threads} thread(s), {tag}",
                         "kernpool-bench-openblas",
                         [f"--sizes={s['sizes']}", f"--kernels={s['kernels']}"], change, reps,
                         s["min_time"])
        for threads in s["numpy_threads"]:
            r.numpy(f"numpy, BLAS threads {threads}, {tag}",
                    [f"--sizes={s['sizes']}", f"--kernels={s['kernels']}",
                     f"--repetitions={reps}", f"--min-time={max(s['min_time'], 0.02)}",
                     f"--warmup={s['warmup']}"],
                    {"OPENBLAS_NUM_THREADS": str(threads)})


def run_forkjoin(r, s):
    for policy in OMP_POLICIES:
        change = {"OMP_WAIT_POLICY": None if policy == "default" else policy}
        for session in range(s["forkjoin_sessions"]):
            for runtime in ("kernpool", "openmp", "reference"):
                res = r.gbench(f"fork-join {runtime}, OMP_WAIT_POLICY={policy}, "
                               f"session {session + 1}", "kernpool-bench-forkjoin",
                               [f"--benchmark_filter=^forkjoin/{runtime}/"], change,
                               FORKJOIN_ROUNDS_PER_SESSION)
                if res is not None:
                    r.runs[-1]["omp_wait_policy"] = policy


def run_gemm(r, s):
    """Every program once per round, kernpool and OpenBLAS alternating, at
    each kernel core; the best repetition over the rounds is reported."""
    reps = s["repetitions"]
    for rnd in range(1, s["gemm_rounds"] + 1):
        tag = f"round {rnd}"
        for core in ("", "SkylakeX"):
            change = {"OPENBLAS_CORETYPE": core} if core else {}
            what = core or "environment's OPENBLAS_CORETYPE"
            first = core == ""
            r.gbench(f"kernpool GEMM, {what}, {tag}", "kernpool-bench-gemm",
                     [f"--sizes={s['gemm_sizes']}", f"--types={s['gemm_types']}",
                      "--workers=1,2", "--rect=1", f"--nested={int(first)}",
                      f"--complex-sizes={s['gemm_complex']}",
                      f"--sweep={s['gemm_sweep'] if first else ''}"], change, reps, s["min_time"])
            for threads in (1, 2):
                tchange = dict(change, OPENBLAS_NUM_THREADS=str(threads))
                r.gbench(f"OpenBLAS pthread GEMM, {what}, {threads} thread(s), {tag}",
                         "kernpool-bench-openblas",
                         ["--sizes=1000", "--kernels=", f"--gemm={s['gemm_sizes']}",
                          f"--gemm-types={s['gemm_types']}", "--gemm-rect=1",
                          f"--gemm-complex={s['gemm_complex']}",
                          f"--nested={'1,2' if first else ''}"], tchange, reps, s["min_time"])


def peers(runs):
    """Which kernel each program ran, from what the programs recorded."""
    out = []
    for run in runs:
        ctx = run["result"].get("context", {})
        entry = {"label": re.sub(r", (session|round) \d+$", "", run["label"])}
        for key in ("openblas_corename", "openblas_config", "openblas_library", "numpy_version",
                    "blas_library", "blas_openblas_corename", "blas_openblas_num_threads",
                    "numpy_cpu_dispatch", "kernpool_version", "omp_wait_policy", "compiler",
                    "numpy_bit_generators", "rng_bitgens", "kernpool_engine",
                    "kernpool_engine_core", "fft_sources", "fftw_version",
                    "fftw_measure_limit_s", "scipy_version"):
            if key in ctx:
                entry[key] = ctx[key]
        if "KERNPOOL_ISA" in run["environment_changes"]:
            entry["kernpool_isa"] = run["environment_changes"]["KERNPOOL_ISA"]
        if entry not in out:
            out.append(entry)
    return out


def method_text(s, suite):
    if suite == "gemm":
        return (f"best of {s['gemm_rounds'] * s['repetitions']} repetitions: every program "
                f"runs once in each of {s['gemm_rounds']} rounds, with {s['repetitions']} "
                f"repetitions a round; a repetition is the mean time of back-to-back calls over "
                f"at least {s['min_time']} s (at least one call); a warm-up of {s['warmup']} s "
                f"(at least one call) comes first; wall-clock time; column-major, no "
                f"transposes, alpha = 1, beta = 0")
    if suite == "forkjoin":
        return (f"best of {s['forkjoin_sessions'] * FORKJOIN_ROUNDS_PER_SESSION} rounds of "
                f"20000 back-to-back regions: {s['forkjoin_sessions']} processes per runtime "
                f"and figure, alternating, each {FORKJOIN_ROUNDS_PER_SESSION} rounds after one "
                "warm-up round")
    return (f"best of {s['rounds'] * s['repetitions']} repetitions: every program runs once "
            f"in each of {s['rounds']} rounds, one after another, with {s['repetitions']} "
            f"repetitions a round; a repetition is the mean time of back-to-back calls over at "
            f"least {s['min_time']} s ({s['sweep_min_time']} s in the crossover sweep); a "
            f"warm-up of {s['warmup']} s (at least one call) comes before each program's "
            f"first repetition of a size; wall-clock time")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=sorted(MODES))
    ap.add_argument("--build", required=True, help="build directory (holds bench/)")
    ap.add_argument("--out", help="output directory")
    ap.add_argument("--suites", default="reduce,forkjoin,rng,gemm,fft")
    args = ap.parse_args()
    s = MODES[args.mode]
    out = args.out or os.path.join(ROOT, "docs", "benchmarks",
                                   "" if args.mode == "full" else "quick")
    os.makedirs(out, exist_ok=True)
    suites = args.suites.split(",")
    for suite in suites:
        if suite not in ("reduce", "forkjoin", "rng", "gemm", "fft"):
            ap.error(f"unknown suite {suite}")

    start = time.time()
    for suite in suites:
        settings = SUITES[suite].MODES[args.mode] if suite in SUITES else s
        with tempfile.TemporaryDirectory(prefix="kernpool-bench-") as tmp:
            r = Runner(args.build, tmp, settings)
            meta = {
                "suite": suite,
                "mode": args.mode,
                "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": f"scripts/bench.sh {args.mode}",
                "method": (SUITES[suite].method_text(settings) if suite in SUITES
                           else method_text(s, suite)),
                "settings": settings,
                "load_avg_start": load(),
                "line_move_ns_start": line_move_ns(args.build),
            }
            meta.update(machine_facts())
            t0 = time.time()
            {"reduce": run_reduce, "forkjoin": run_forkjoin, "rng": suite_rng.run,
             "gemm": run_gemm, "fft": suite_fft.run}[suite](r, settings)
            meta["load_avg_end"] = load()
            meta["line_move_ns_end"] = line_move_ns(args.build)
            meta["peers"] = peers(r.runs)
            meta["seconds"] = round(time.time() - t0, 1)
            raw = {"meta": meta, "runs": r.runs}
            name = {"reduce": "reductions", "forkjoin": "forkjoin", "rng": "rng", "gemm": "gemm",
                    "fft": "fft"}[suite]
            path = os.path.join(out, f"{name}.json")
            with open(path, "w") as f:
                json.dump(raw, f, indent=1)
            written = report.write(raw, out, name)
            for w in [path] + written:
                print(f"wrote {os.path.relpath(w, ROOT)}", file=sys.stderr)
    print(f"done in {time.time() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
