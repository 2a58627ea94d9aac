#!/usr/bin/env bash
# Installs what Jikken needs on Debian 12 (idempotent: apt-get skips what is there) and builds it in build/.
#
#   setup-debian.sh [--tests]                    install and build the companion and the app (with --tests:
#                                                also what the tests run, and build everything)
#   setup-debian.sh --print-packages [--tests]   print the package list, one per line, and change nothing
#
# This file is the one list of packages: scripts/test.sh and CI's install-closure check read it from here.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the build and the main job use.
build_packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-httpserver-dev qt6-websockets-dev
    libqt6opengl6-dev libxkbcommon-dev libqt6sql6-sqlite libqt6sql6-psql qtkeychain-qt6-dev
    libprotobuf-dev protobuf-compiler zlib1g-dev libsqlite3-dev libpq-dev
    libtorch-dev libgloo-dev libcli11-dev
    dataset-fashion-mnist python3-torch
)
# What the tests run besides the build: servers they start on loopback, a headless browser, an X server,
# a Secret Service for the keychain, clang with libFuzzer for the fuzz targets, LaTeX for the pivot tables,
# systemd to read the agent's unit.
# scripts/check-test-programs names the program each one provides.
test_packages=(
    postgresql chromium xvfb xauth fonts-dejavu-core openssh-server openssh-client tmux slurm-wlm munge
    gnome-keyring dbus-daemon libsecret-tools
    clang libclang-rt-14-dev
    texlive-latex-base poppler-utils systemd iproute2
)

with_tests=0 print=0
for arg in "$@"; do
    case "$arg" in
        --tests) with_tests=1 ;;
        --print-packages) print=1 ;;
        *) echo "setup-debian.sh: unknown option \"$arg\" (--tests, --print-packages)" >&2; exit 2 ;;
    esac
done
packages=("${build_packages[@]}")
[ $with_tests -eq 0 ] || packages+=("${test_packages[@]}")
if [ $print -eq 1 ]; then
    printf '%s\n' "${packages[@]}"
    exit 0
fi

bash scripts/install-packages.sh "${packages[@]}"

# JIKKEN_WERROR=ON (CI sets it) makes any warning an error.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJIKKEN_WERROR="${JIKKEN_WERROR:-OFF}"
# Each torch translation unit needs ~1.5 GB of memory to compile; two jobs fit any machine we target.
# Without --tests only what the main job runs is built (the companion and the app): the test suites and
# benchmarks were most of a newcomer's first build.
targets=()
[ $with_tests -eq 1 ] || targets=(--target jikken jikken-desktop)
cmake --build build --parallel "${JIKKEN_BUILD_JOBS:-$(nproc)}" "${targets[@]}"
