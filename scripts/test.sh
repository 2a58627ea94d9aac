#!/usr/bin/env bash
# Set up, build and run every test (Qt Test suites through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests start their own PostgreSQL clusters (postgresql is in the base set) and drive headless Chromium.
bash scripts/setup-debian.sh chromium xvfb xauth fonts-dejavu-core openssh-server openssh-client tmux slurm-wlm munge
cd build
ctest --output-on-failure --timeout 900
