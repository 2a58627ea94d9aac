#!/usr/bin/env bash
# The main job on the embedded default: set up, train a small real model on Fashion-MNIST under a new
# model ID (logs in ./logs/<id>/, the run in the local registry), show the registry's table, and open the
# desktop app on the same registry when there is a display.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
./build/src/companion/jikken train --model convnet --epochs 1 --train-limit 5000 --test-limit 2000 \
    --memo "quickstart: ConvNet, 5,000 Fashion-MNIST images, one epoch"
./build/src/companion/jikken ls
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    ./build/src/app/jikken-desktop
else
    echo "(no display: the desktop app, build/src/app/jikken-desktop, opens this registry where there is one)"
fi
