#!/usr/bin/env bash
# Runs a benchmark comparison and writes its reports into docs/benchmarks/:
# raw JSON, Markdown tables of ratios (kernpool / peer) and PNG plots.
#   scripts/bench.sh quick   a few minutes; writes docs/benchmarks/quick/
#   scripts/bench.sh full    longer, more repetitions; writes docs/benchmarks/
# Extra arguments go to bench/run.py, e.g. --suites reduce,fft (the default:
# reduce,forkjoin,rng,gemm,fft) or --out DIR.
# Installs the benchmark peers first if missing (scripts/install-deps.sh bench).
# Benchmarks want a quiet machine: the reports record the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-quick}
case "$mode" in
  quick | full) shift || true ;;
  *)
    echo "usage: scripts/bench.sh quick|full [bench/run.py options]" >&2
    exit 2
    ;;
esac
scripts/install-deps.sh bench

build=${KP_BENCH_BUILD_DIR:-build-bench}
jobs=${KP_BENCH_JOBS:-2}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKP_BUILD_TESTS=OFF -DKP_BUILD_BENCH=ON \
  >/dev/null
# Programs whose dependency is missing are skipped by bench/CMakeLists.txt,
# and then by the driver.
cmake --build "$build" -j "$jobs"
exec /usr/bin/python3 bench/run.py "$mode" --build "$build" "$@"
