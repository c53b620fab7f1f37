#!/usr/bin/env bash
# Installs what is missing, builds kernpool and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DKP_BUILD_TESTS=OFF -DKP_BUILD_BENCH=OFF
cmake --build build -j "$(nproc)" --target kernpool-demo
build/tools/kernpool-demo
