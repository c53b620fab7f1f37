#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite four
# times, each build with warnings as errors: release, unoptimised debug (the
# code users step through; its stack frames, for one, differ), AddressSanitizer
# with UndefinedBehaviorSanitizer, and ThreadSanitizer. Exits non-zero if any
# fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
failed=()

# name, then the extra cmake arguments
run_suite() {
  local name=$1
  shift
  local dir="build-test-$name"
  echo "=== $name: configure and build"
  cmake -S . -B "$dir" -DKP_WERROR=ON -DKP_BUILD_BENCH=OFF "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "=== $name: ctest"
  if ! ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600; then
    failed+=("$name")
  fi
}

run_suite release -DCMAKE_BUILD_TYPE=Release
run_suite debug -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite asan-ubsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKP_SANITIZE=address,undefined
# ThreadSanitizer cannot follow threads started in a forked child unless told
# to try; the fork tests need exactly that.
TSAN_OPTIONS=die_after_fork=0:second_deadlock_stack=1 \
  run_suite tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKP_SANITIZE=thread

if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all four suites passed (release, debug, asan-ubsan, tsan)"
