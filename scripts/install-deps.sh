#!/usr/bin/env bash
# Installs the Debian packages kernpool needs, only those missing. Needs root
# (or sudo) when something is missing.
#   scripts/install-deps.sh          build, demo and test suite
#   scripts/install-deps.sh bench    the above and the benchmark peers
set -euo pipefail

packages=(
  build-essential cmake pkg-config binutils   # compiler, build, nm/readelf
  libhwloc-dev                                # physical cores for the CPU budget
  libopenblas-serial-dev                      # GEMM's engine, single-threaded
  libcmocka-dev                               # unit tests
  python3-numpy                               # reference results at test time
  clang-format                                # the format check in the test suite
  libpcg-cpp-dev librandom123-dev             # RNG oracles: pcg-cpp (PCG64), Random123 (Philox)
  dieharder                                   # RNG cross-stream independence
  python3-dev python3-pytest                  # the Python module (python/) and its tests
  libopenblas0-pthread libgomp1 libomp5-14    # foreign pools the tests load with dlopen
  libblis4-pthread                            # BLIS, one more foreign pool for the tests
)
if [ "${1:-}" = bench ]; then
  packages+=(
    libbenchmark-dev                          # Google Benchmark, the harness
    libopenblas-pthread-dev                   # threaded OpenBLAS, a peer in its own process
    libfftw3-dev                              # FFTW 3, the FFT peer (GPL: bench only)
    python3-scipy                             # scipy.fft, an FFT peer
    python3-matplotlib                        # plots
  )
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
