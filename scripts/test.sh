#!/usr/bin/env bash
# Set up, build and run every test (Qt Test suites through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cd build
ctest --output-on-failure --timeout 900
