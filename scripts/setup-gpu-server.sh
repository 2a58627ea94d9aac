#!/usr/bin/env bash
# Builds the companion `jikken` on a GPU server against the official libtorch with CUDA: the one inside
# PyTorch's Python package (default), or an unpacked libtorch zip. Debian 12, Ubuntu 24.04, Ubuntu 22.04.
#
#   scripts/setup-gpu-server.sh                     libtorch of python3's torch package
#   scripts/setup-gpu-server.sh --python PYTHON     ... of another Python (a venv, conda: .../bin/python)
#   scripts/setup-gpu-server.sh --libtorch DIR      an unpacked libtorch zip (cxx11 ABI)
#   scripts/setup-gpu-server.sh --no-install        build only; install nothing with apt-get
#   scripts/setup-gpu-server.sh --tests             also the companion's test suites (training, optimizers,
#                                                   spec, CLI), and refuse a build without CUDA graphs
#   scripts/setup-gpu-server.sh --build-dir DIR     build in DIR instead of build-gpu/
#
# TORCH_CUDA_ARCH_LIST, when set, names the GPUs to build for (9.0 for H100/H200); else this machine's.
#
# The companion goes to build-gpu/src/companion/jikken; `jikken install HOST` from there ships it, its
# CUDA libraries included, to other servers of the same kind. The desktop app is not built here.
set -euo pipefail
cd "$(dirname "$0")/.."

python=python3 libtorch="" install=1 tests=0 build_dir=build-gpu
while [ $# -gt 0 ]; do
    case "$1" in
        --tests) tests=1; shift ;;
        --build-dir) build_dir=${2:?--build-dir needs a folder}; shift 2 ;;
        --python) python=${2:?--python needs a Python}; shift 2 ;;
        --libtorch) libtorch=${2:?--libtorch needs a folder}; shift 2 ;;
        --no-install) install=0; shift ;;
        *) echo "setup-gpu-server.sh: unknown option \"$1\" (--python, --libtorch, --no-install, --tests, --build-dir)" >&2
           exit 2 ;;
    esac
done
fail() { echo "setup-gpu-server.sh: $*" >&2; exit 1; }

. /etc/os-release
release="${ID:-unknown}-${VERSION_ID:-unknown}"
# The companion's build: Qt Core/Network/Sql/HttpServer 6.4 or newer, protobuf, CLI11, SQLite, libpq, zlib.
packages=(build-essential cmake ninja-build pkg-config protobuf-compiler libprotobuf-dev zlib1g-dev libsqlite3-dev
          libpq-dev libcli11-dev)
qt_prefix=""
case "$release" in
    debian-12 | ubuntu-24.04)
        # Both ship Qt 6.4.2.
        packages+=(qt6-base-dev qt6-httpserver-dev qt6-websockets-dev libqt6sql6-sqlite libqt6sql6-psql) ;;
    ubuntu-22.04)
        # Ubuntu 22.04's Qt is 6.2, without Qt HttpServer: Qt 6.4 comes from Qt's own archive (aqtinstall)
        # into ~/.local/share/jikken/qt, once.
        packages+=(python3-pip libgl-dev libxkbcommon-dev libpq5)
        qt_prefix="$HOME/.local/share/jikken/qt/6.4.3/gcc_64" ;;
    *) fail "$PRETTY_NAME is not one this script knows (Debian 12, Ubuntu 22.04, 24.04); install Qt 6.4+ (Core, Network, Sql, HttpServer), protobuf, CLI11 and SQLite, then: cmake --preset gpu-server" ;;
esac

if [ $install -eq 1 ]; then
    bash scripts/install-packages.sh "${packages[@]}"
    if [ -n "$qt_prefix" ] && [ ! -d "$qt_prefix" ]; then
        python3 -m pip install --user --quiet aqtinstall
        python3 -m aqt install-qt linux desktop 6.4.3 gcc_64 -m qthttpserver qtwebsockets \
            -O "$HOME/.local/share/jikken/qt"
    fi
fi

# libtorch: say what is wrong before CMake does, in one line.
if [ -n "$libtorch" ]; then
    [ -d "$libtorch" ] || fail "$libtorch is not a folder"
    torch_option=(-DJIKKEN_LIBTORCH="$(cd "$libtorch" && pwd)")
else
    version=$("$python" -W ignore -c 'import torch; print(torch.__version__, torch.version.cuda or "cpu")' 2>/dev/null) ||
        fail "$python cannot import torch (pip install torch, or --python PATH, or --libtorch DIR)"
    echo "libtorch of PyTorch $version ($python)"
    torch_option=(-DJIKKEN_LIBTORCH=python -DJIKKEN_PYTHON="$python")
fi
# PyTorch's CMake config looks for the CUDA toolkit (nvcc) of a CUDA build.
if ! command -v nvcc > /dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
    export PATH="/usr/local/cuda/bin:$PATH"
fi
command -v nvcc > /dev/null || echo "setup-gpu-server.sh: no nvcc found; a CUDA libtorch's CMake config needs the CUDA toolkit (/usr/local/cuda)" >&2
# Build for this machine's GPUs only (faster, and no guessing by TorchConfig).
arch_option=()
if [ -n "${TORCH_CUDA_ARCH_LIST:-}" ]; then
    arch_option=(-DTORCH_CUDA_ARCH_LIST="$TORCH_CUDA_ARCH_LIST")
elif capability=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | sort -u | paste -sd';'); then
    [ -z "$capability" ] || arch_option=(-DTORCH_CUDA_ARCH_LIST="$capability")
fi
# With the tests: the companion's suites that need no device, and a configure that fails where a probe
# would leave CUDA graphs out (a GPU build without them is not one).
targets=(jikken)
test_options=()
if [ $tests -eq 1 ]; then
    targets+=(TestOptimizers TestLibtorchBuild TestTraining TestRunSpec TestCli)
    test_options=(-DJIKKEN_BUILD_TESTS=ON -DJIKKEN_REQUIRE_GPU_FEATURES=ON)
fi

cmake --preset gpu-server -B "$build_dir" "${torch_option[@]}" "${arch_option[@]}" "${test_options[@]}" \
    ${qt_prefix:+-DCMAKE_PREFIX_PATH="$qt_prefix"} -DJIKKEN_WERROR="${JIKKEN_WERROR:-OFF}"
cmake --build "$build_dir" --parallel "${JIKKEN_BUILD_JOBS:-$(nproc)}" --target "${targets[@]}"
"$build_dir/src/companion/jikken" --version
echo "built $build_dir/src/companion/jikken; try: $build_dir/src/companion/jikken train --device cuda --epochs 1"
