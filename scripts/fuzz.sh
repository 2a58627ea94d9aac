#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/: clang, ASan + UBSan) in build/fuzz and runs each from its seed
# corpus for SECONDS (default 30). A crash, a sanitizer report, a leak or a hang fails it; the input is kept
# under build/fuzz/findings/TARGET/ (make it a regression test). New inputs go to a scratch corpus: the seed
# corpus in the tree stays as committed. Prints, per target, executions and coverage.
#
#   fuzz.sh [SECONDS]          (bench/fuzz-long.sh: 600 s each)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DJIKKEN_FUZZ=ON \
    -DJIKKEN_BUILD_COMPANION=OFF -DJIKKEN_BUILD_APP=OFF -DJIKKEN_BUILD_TESTS=OFF -DJIKKEN_BUILD_BENCH=OFF > /dev/null
cmake --build build/fuzz --parallel "${JIKKEN_BUILD_JOBS:-$(nproc)}" --target fuzz_targets

scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
failed=0
printf '| %-14s | %12s | %8s | %8s | %-6s |\n' target executions exec/s coverage result
printf '|%s|%s|%s|%s|%s|\n' ---------------- -------------- ---------- ---------- --------
for seeds in fuzz/corpus/*/; do
    name=$(basename "$seeds")
    findings=build/fuzz/findings/$name/
    mkdir -p "$findings" "$scratch/$name"
    log=$scratch/$name.log
    result=ok
    # Qt keeps some memory for the life of the process (plugins, the application): not a leak of ours.
    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "build/fuzz/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$findings" "$scratch/$name" "$seeds" > "$log" 2>&1 || result=FAILED
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    printf '| %-14s | %12s | %8s | %8s | %-6s |\n' "$name" "${runs:-?}" "${speed:-?}" "${coverage:-?}" "$result"
    if [ "$result" != ok ]; then
        failed=1
        grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20 >&2 || tail -30 "$log" >&2
    fi
done
exit $failed
