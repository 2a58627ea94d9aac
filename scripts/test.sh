#!/usr/bin/env bash
# Set up, build and run every test (Qt Test suites through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests start their own PostgreSQL clusters, sshd, Slurm, Secret Service and drive headless Chromium.
bash scripts/setup-debian.sh --tests

# A machine with leftovers hides a missing install step: what the build used and what the tests run must
# come from the set-up's own lists.
mapfile -t build_packages < <(bash scripts/setup-debian.sh --print-packages)
mapfile -t test_packages < <(bash scripts/setup-debian.sh --print-packages --tests)
bash scripts/check-install-closure build "${build_packages[@]}"
bash scripts/check-test-programs "${test_packages[@]}"

(cd build && ctest --output-on-failure --timeout 900)

# Every parser that takes bytes from outside, fuzzed for 30 s each (clang, ASan + UBSan).
bash scripts/fuzz.sh 30

# Where the CUDA toolkit and PyPI are (this project's CI machines), the companion again against PyPI's
# torch, libtorch with CUDA, as GPU servers build it; its tests that need no device run against it.
bash scripts/test-gpu-build.sh
