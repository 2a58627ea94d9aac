#!/usr/bin/env bash
# JIKKEN_LIBTORCH picks the libtorch the companion builds against (cmake/JikkenLibtorch.cmake): a folder
# (here Debian's prefix, /usr), `python` (Debian's python3-torch has no CMake config: a one-line error),
# and a folder with no libtorch (a one-line error naming it). Configure only; no build.
set -u
source_dir=${1:?usage: libtorch-choice-test.sh SOURCE_DIR}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
failures=0
configure() { # NAME ARGS...: configures the companion alone into $work/NAME; its output in $work/NAME.log
    local name=$1; shift
    cmake -S "$source_dir" -B "$work/$name" -G Ninja -DJIKKEN_BUILD_APP=OFF -DJIKKEN_BUILD_TESTS=OFF \
        -DJIKKEN_BUILD_BENCH=OFF "$@" > "$work/$name.log" 2>&1
}
expect() { # CONDITION MESSAGE
    if eval "$1"; then echo "ok: $2"; else echo "FAIL: $2"; failures=$((failures + 1)); fi
}

configure folder -DJIKKEN_LIBTORCH=/usr; status=$?
expect "[ $status -eq 0 ]" "JIKKEN_LIBTORCH=/usr configures"
expect "grep -q 'libtorch 1\.13\.[0-9]* from /usr/lib/x86_64-linux-gnu/cmake/Torch' '$work/folder.log'" \
    "and finds Debian's libtorch there"

configure python -DJIKKEN_LIBTORCH=python -DJIKKEN_PYTHON=/usr/bin/python3; status=$?
expect "[ $status -ne 0 ]" "JIKKEN_LIBTORCH=python with a torch package that has no CMake config fails"
expect "grep -q 'JIKKEN_LIBTORCH=python: /usr/bin/python3 has no usable torch package' '$work/python.log'" \
    "and says which Python and what to do"

expect "grep -q 'Jikken GPU path: libtorch CUDA OFF, CUDA graphs OFF' '$work/folder.log'" \
    "and says the GPU path it gets (none from a CPU libtorch)"

# A GPU build that requires its features refuses a libtorch that would leave them out, instead of building
# without them (CI's PyPI build sets it; a probe quietly turning CUDA graphs off there is a failure).
configure required -DJIKKEN_LIBTORCH=/usr -DJIKKEN_REQUIRE_GPU_FEATURES=ON; status=$?
expect "[ $status -ne 0 ]" "JIKKEN_REQUIRE_GPU_FEATURES with a CPU libtorch fails"
expect "grep -q 'JIKKEN_REQUIRE_GPU_FEATURES: this libtorch (1\.13' '$work/required.log'" "and says what is missing"

configure nothing -DJIKKEN_LIBTORCH="$work"; status=$?
expect "[ $status -ne 0 ]" "a folder without libtorch fails"
expect "grep -q 'holds no libtorch' '$work/nothing.log'" "and names the folder"

[ $failures -eq 0 ] || { for log in "$work"/*.log; do echo "--- $log"; tail -20 "$log"; done; exit 1; }
