#!/usr/bin/env bash
# The GPU path on a machine without a GPU: the companion built, linked and tested against PyTorch's own
# libtorch with CUDA (PyPI's torch, the one users install), beside the Debian build scripts/test.sh makes.
#
#   scripts/test-gpu-build.sh         needs the CUDA toolkit (nvcc) and PyPI; says why not and exits 0 without
#
# The torch package is pinned (JIKKEN_GPU_TORCH) and kept in a virtual environment under build/, one per
# version, so a second run downloads nothing. The build (build/gpu-torch-VERSION) is the one
# scripts/setup-gpu-server.sh makes, with the companion's test suites, for H100/H200 (TORCH_CUDA_ARCH_LIST
# 9.0), and must have CUDA graphs and fused Adam compiled in; then the suites that need no device run, and
# bench/gpu.sh's rows up to where they need a device.
set -euo pipefail
cd "$(dirname "$0")/.."
torch_version=${JIKKEN_GPU_TORCH:-2.11.0}
venv=build/torch-$torch_version
build_dir=build/gpu-torch-$torch_version
say() { echo "test-gpu-build: $*"; }

if ! command -v nvcc > /dev/null; then
    [ -x /usr/local/cuda/bin/nvcc ] || { say "no CUDA toolkit (nvcc): the PyPI libtorch build is not checked here"; exit 0; }
    export PATH="/usr/local/cuda/bin:$PATH"
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch" 2> /dev/null; then
    # Debian's python3 makes virtual environments with python3-venv; another python3 on PATH may have it.
    python3 -m venv --help > /dev/null 2>&1 || bash scripts/install-packages.sh python3-venv
    rm -rf "$venv"
    python3 -m venv "$venv"
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "torch==$torch_version"; then
        say "cannot install torch==$torch_version from PyPI: the PyPI libtorch build is not checked here"
        rm -rf "$venv"
        exit 0
    fi
fi
say "torch $("$venv/bin/python" -W ignore -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)') in $venv ($(du -sh "$venv" | cut -f1))"

TORCH_CUDA_ARCH_LIST=9.0 bash scripts/setup-gpu-server.sh --python "$venv/bin/python" --no-install --tests \
    --build-dir "$build_dir" | tee "$build_dir.log"
# The companion loads libtorch_cuda (linked, not only found), and says what it has.
readelf -d "$build_dir/src/companion/jikken" | grep -q 'libtorch_cuda\.so' ||
    { say "jikken is not linked against libtorch_cuda"; exit 1; }
version=$("$build_dir/src/companion/jikken" --version)
for feature in "CUDA graphs: yes" "fused Adam: yes" "libtorch $torch_version, CUDA " "data-parallel ranks: NCCL"; do
    grep -qF "$feature" <<< "$version" || { say "jikken --version lacks \"$feature\": $version"; exit 1; }
done
(cd "$build_dir" && ctest --output-on-failure --timeout 900 -R '^(TestOptimizers|TestLibtorchBuild|TestTraining|TestRunSpec|TestCli)$')

# bench/gpu.sh as a GPU session would run it, up to where each row needs the device.
data=$(mktemp -d); trap 'rm -rf "$data"' EXIT
ln -s /usr/share/datasets/fashion-mnist "$data/FashionMNIST"
JIKKEN="$PWD/$build_dir/src/companion/jikken" PYTHON="$PWD/$venv/bin/python" DATA="$data" GPU_BENCH_DRY=1 \
    RESULTS="$data/results" bash bench/gpu.sh 1
