"""Runs kernpool-info (plain, --json, --help, bad options, --load) and checks
what it prints against what this process knows.

usage: kernpool_info_check.py KERNPOOL_INFO THREADED_OPENBLAS
"""
import json
import os
import subprocess
import sys

tool, openblas = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAILED:", what)


def run(*args, **env):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("KERNPOOL_", "OPENBLAS_", "OMP_"))}
    e.update(env)
    p = subprocess.run([tool, *args], env=e, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def run_json(*args, **env):
    rc, out, err = run("--json", *args, **env)
    check(rc == 0, f"--json {args} exits 0 (got {rc}: {err})")
    return json.loads(out)  # must be valid JSON


rc, out, _ = run("--help")
check(rc == 0 and out.startswith("usage: kernpool-info"), "--help prints the usage")
rc, _, err = run("--bogus")
check(rc == 2 and "unknown" in err, "an unknown option exits 2")
rc, _, err = run("--workers", "x")
check(rc == 2, "--workers wants an integer")
rc, _, err = run("--load", "/nonexistent/libnothing.so")
check(rc == 1 and "cannot load" in err, "--load of a missing library exits 1")

# Plain text.
rc, out, _ = run(KERNPOOL_CPU_BUDGET="3")
print(out)
check(rc == 0, "plain run exits 0")
for line in ("CPU budget            3 (env)", "KERNPOOL_CPU_BUDGET 3", "default workers       1",
             "foreign pools         0", "warnings              0"):
    check(line in out, f"plain output has '{line}'")
check(("GEMM engine           native, AVX-512 kernels" in out) != ("GEMM engine           openblas, " in out),
      "plain output names GEMM's engine")

# JSON, nothing loaded.
d = run_json(KERNPOOL_CPU_BUDGET="3", KERNPOOL_WORKERS="2")
print(json.dumps(d, indent=1))
b = d["cpu_budget"]
check(b["value"] == 3 and b["source"] == "env" and b["env"]["KERNPOOL_CPU_BUDGET"] == 3,
      "the budget comes from KERNPOOL_CPU_BUDGET")
check(b["affinity"]["cpus"] == len(os.sched_getaffinity(0)), "affinity CPUs match this process")
check(1 <= b["affinity"]["cores"] <= b["affinity"]["cpus"], "cores within the CPUs")
check(b["hwloc"]["pus"] >= b["affinity"]["cpus"], "hwloc sees every CPU of the mask")
check(isinstance(b["affinity"]["list"], str) and b["affinity"]["list"][0].isdigit(),
      "the mask as a CPU list")
check(d["workers"] == {"default": 2, "source": "env", "env_malformed": False, "all": 3},
      "workers from KERNPOOL_WORKERS")
check(d["isa"]["selected"] in ("portable", "avx2", "avx512") and d["isa"]["env"] is None,
      "the SIMD path")
check(d["gemm"]["engine"] == ("native" if d["isa"]["selected"] == "avx512" else "openblas")
      and d["gemm"]["threads"] == 1, "GEMM's engine")
check(d["pool"]["threads_max"] == 2 and d["pool"]["threads_alive"] == 0, "the pool's state")
check(d["foreign_pools"] == [] and d["warnings"] == [], "no foreign pool in a fresh process")

d = run_json(KERNPOOL_ISA="portable", KERNPOOL_CPU_BUDGET="x")
check(d["isa"]["selected"] == "portable" and d["isa"]["env"] == "portable"
      and not d["isa"]["env_malformed"], "KERNPOOL_ISA=portable")
check(d["cpu_budget"]["source"] == "detected" and d["cpu_budget"]["env"]["malformed"],
      "a malformed KERNPOOL_CPU_BUDGET is reported and ignored")
d = run_json(KERNPOOL_ISA="sse9")
check(d["isa"]["env_malformed"] and d["isa"]["selected"] == d["isa"]["supported"],
      "a malformed KERNPOOL_ISA is reported and ignored")

# Foreign pools: the threaded OpenBLAS told to take 2 threads (it takes no
# more than the CPUs it sees) on a budget of 1, then two OpenMP runtimes.
if os.path.exists(openblas):
    d = run_json("--load", openblas, "--workers", "-1", KERNPOOL_CPU_BUDGET="1",
                 OPENBLAS_NUM_THREADS="2")
    pools = d["foreign_pools"]
    check(len(pools) == 1 and pools[0]["name"] == "openblas" and pools[0]["path"] == openblas,
          "the loaded OpenBLAS is found")
    threads = min(2, os.cpu_count())
    check(pools[0]["threads"] == threads and pools[0]["threading"] == "pthreads"
          and pools[0]["version"].startswith("0."), "its threads, threading and version")
    kinds = [w["kind"] for w in d["warnings"]]
    check(("oversubscribed" in kinds) == (threads > 1), "more threads than the budget warn")
    rc, out, _ = run("--load", openblas, OPENBLAS_NUM_THREADS="1")
    check(rc == 0 and "openblas" in out and openblas in out, "plain output lists it")
else:
    print("not checked: --load of the threaded OpenBLAS (not installed)")

d = run_json("--load", "libgomp.so.1", "--load", "libomp.so.5", OMP_NUM_THREADS="1")
names = sorted(p["name"] for p in d["foreign_pools"])
check(names == ["libgomp", "libomp"], f"libgomp and libomp found (got {names})")
mix = [w for w in d["warnings"] if w["kind"] == "openmp_mix"]
check(len(mix) == 1 and mix[0]["pool"] is None, "two OpenMP runtimes warn once")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
