#!/usr/bin/env bash
# Installs what Jikken needs on Debian 12 (idempotent: apt-get skips what is there) and builds it in build/.
# Arguments name more packages to install (the tests add chromium for the phone page).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libxkbcommon-dev qt6-httpserver-dev libqt6sql6-sqlite libqt6sql6-psql postgresql
    libprotobuf-dev protobuf-compiler zlib1g-dev libsqlite3-dev
    libtorch-dev libcli11-dev
    dataset-fashion-mnist python3-torch
    "$@"
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Each torch translation unit needs ~1.5 GB of memory to compile; two jobs fit any machine we target.
cmake --build build --parallel "${JIKKEN_BUILD_JOBS:-$(nproc)}"
