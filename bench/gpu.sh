#!/usr/bin/env bash
# GPU training speed (issue 14): `jikken train` beside Python PyTorch (bench/python_baseline.py, a measured
# anchor, not product code) on the same card and the same two CPU cores, printed as one table.
#
#   bench/gpu.sh [EPOCHS]     (default 3; the first epoch warms up and is left out of the rates)
#
# Run from the project root on the GPU machine, with .gpu/ prepared as ../shared/gpu/README.md says
# (Debian's Qt in .gpu/qtprefix.tar.xz, Fashion-MNIST's four .gz files in .gpu/data/FashionMNIST/, the
# project in .gpu/jikken): it builds `jikken` against the machine's PyTorch libtorch first. With
# JIKKEN=/path/to/jikken it skips the build. Logs go to $RESULTS (default /tmp/jikken-gpu-bench).
#
# GPU_BENCH_DRY=1 (CI, on a machine without a GPU): every row runs up to where it needs the device, and
# must stop there: jikken with its device refusal (so every flag and spec check passed), Python with CUDA's
# missing driver. DATA (a folder holding FashionMNIST/) and PYTHON (default python3) may be given.
set -u
EPOCHS=${1:-3}
G=$PWD/.gpu; P=/opt/qp; B=/tmp/jb; O=${RESULTS:-/tmp/jikken-gpu-bench}; mkdir -p "$O"
CORES=${CORES:-0,1} # both contenders on the same cores, or the Python numbers swing
DATA=${DATA:-$G/data}
PYTHON=${PYTHON:-python3}
DRY=${GPU_BENCH_DRY:-0}
rm -f "$O/dry-failures"

if [ -z "${JIKKEN:-}" ]; then
    [ -d $P/usr ] || { mkdir -p $P && tar -xJf "$G/qtprefix.tar.xz" -C $P; }
    export LD_LIBRARY_PATH=$P/usr/lib/x86_64-linux-gnu:$P/lib/x86_64-linux-gnu
    export QT_PLUGIN_PATH=$P/usr/lib/x86_64-linux-gnu/qt6/plugins
    TD=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
    Z=$(ls /usr/lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libz.so.1 2>/dev/null | head -1)
    cmake -S "$G/jikken" -B $B -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIKKEN_BUILD_APP=OFF -DJIKKEN_BUILD_TESTS=OFF \
        -DJIKKEN_BUILD_BENCH=OFF -DCMAKE_PREFIX_PATH="$P/usr;$TD" -DTORCH_CUDA_ARCH_LIST=9.0 \
        -DProtobuf_PROTOC_EXECUTABLE=$P/usr/bin/protoc -DProtobuf_INCLUDE_DIR=$P/usr/include \
        -DProtobuf_LIBRARY=$P/usr/lib/x86_64-linux-gnu/libprotobuf.so -DSQLite3_INCLUDE_DIR=$P/usr/include \
        -DSQLite3_LIBRARY=$P/usr/lib/x86_64-linux-gnu/libsqlite3.so -DZLIB_INCLUDE_DIR=$P/usr/include \
        -DZLIB_LIBRARY="$Z" > "$O/configure.log" 2>&1 || { echo "configure failed: $O/configure.log"; exit 1; }
    cmake --build $B --target jikken -j"$(nproc)" > "$O/build.log" 2>&1 || { echo "build failed: $O/build.log"; exit 1; }
    JIKKEN=$(find $B -type f -name jikken -perm -u+x | head -1)
fi
export JIKKEN_HOME=$O/home

# Mean images/s of the epochs after the first, from jikken's "epoch N/M … X img/s" lines or the
# baseline's JSON lines.
rate() { awk -v skip=1 '{ for (i = 1; i < NF; i++) if ($(i + 1) == "img/s") v = $i;
                          if (match($0, /"images_per_s": [0-9.]+/)) v = substr($0, RSTART + 16, RLENGTH - 16);
                          if (v != "") { n++; if (n > skip) { s += v; k++ } v = "" } }
                        END { if (k) printf "%.0f", s / k; else printf "-" }'; }

jikken() { # MODEL OPTIMIZER LR BATCH LABEL [SPEC FLAGS…]
    local model=$1 optimizer=$2 lr=$3 batch=$4 label=$5
    shift 5
    taskset -c "$CORES" "$JIKKEN" train --data-root "$DATA" --device cuda --log-root "$O/logs" --threads 2 \
        --model "$model" --optimizer "$optimizer" --lr "$lr" --batch-size "$batch" --epochs "$EPOCHS" "$@" \
        $([ "$optimizer" = sgd ] && echo --momentum 0.9 --weight-decay 5e-4) 2> "$O/jikken-$model-$label.log" >/dev/null
    if [ "$DRY" = 1 ]; then
        grep -q "requested, but this libtorch has no usable CUDA" "$O/jikken-$model-$label.log" ||
            echo "jikken $model $label: $(tail -1 "$O/jikken-$model-$label.log")" >> "$O/dry-failures"
        echo "stopped-at-device -"
        return
    fi
    echo "$(tr '\r' '\n' < "$O/jikken-$model-$label.log" | grep '^epoch ' | rate)" \
        "$(tr '\r' '\n' < "$O/jikken-$model-$label.log" | grep '^epoch .* error ' | tail -1 |
           awk '{ for (i = 1; i < NF; i++) if ($i == "error") print $(i + 1) }')"
}
python() { # MODEL OPTIMIZER LR BATCH VARIANT
    taskset -c "$CORES" "$PYTHON" bench/python_baseline.py "$DATA/FashionMNIST" "$1" "$EPOCHS" "$4" "$2" "$3" "$5" \
        > "$O/python-$1-$5.log" 2>&1
    if [ "$DRY" = 1 ]; then
        grep -qE "NVIDIA driver|no CUDA GPUs|CUDA driver" "$O/python-$1-$5.log" ||
            echo "python $1 $5: $(tail -1 "$O/python-$1-$5.log")" >> "$O/dry-failures"
        echo "stopped-at-device -"
        return
    fi
    echo "$(rate < "$O/python-$1-$5.log")" "$(grep -o '"test_accuracy": [0-9.]*' "$O/python-$1-$5.log" |
                                              awk '{ printf "%.4f", 1 - $2 }')"
}

# A row: the job, then "IMAGES_PER_S TEST_ERROR" as jikken() or python() print them, then the ratio.
cells() { printf '| %-64s | %9s | %10s | %6s |\n' "$@"; }
row() { local rate error; read -r rate error <<< "$2"; cells "$1" "${rate:--}" "${error:--}" "$3"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'; }

[ "$DRY" = 1 ] && echo "GPU: none (GPU_BENCH_DRY: each row must stop where it needs the device)" ||
    echo "GPU: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1); cores $CORES; $EPOCHS epochs, the first left out"
cells "job (images/s: mean of epochs 2..$EPOCHS)" "img/s" "test error" "vs plain"
cells "----" "----" "----" "----"
for case in "convnet adam 0.001 64" "resnet18 sgd 0.05 128"; do
    set -- $case
    base=$(python "$1" "$2" "$3" "$4" plain)
    row "$1 b$4 $2: Python PyTorch, plain (fp32, foreach)" "$base" "1.00x"
    tuned=$(python "$1" "$2" "$3" "$4" tuned)
    row "$1 b$4 $2: Python PyTorch, tuned (bf16, channels-last)" "$tuned" "$(ratio "$tuned" "$base")"
    r=$(jikken "$1" "$2" "$3" "$4" per-parameter --optimizer-step per-parameter --cuda-graphs off)
    row "$1 b$4 $2: jikken train, per-parameter optimizer step" "$r" "$(ratio "$r" "$base")"
    for graphs in off on; do
        r=$(jikken "$1" "$2" "$3" "$4" "graphs-$graphs" --optimizer-step multi-tensor --cuda-graphs $graphs)
        row "$1 b$4 $2: jikken train, multi-tensor step, CUDA graphs $graphs" "$r" "$(ratio "$r" "$base")"
    done
    for graphs in off on; do
        r=$(jikken "$1" "$2" "$3" "$4" "tuned-graphs-$graphs" --optimizer-step multi-tensor --precision bf16 \
            --memory-format channels-last --cudnn-benchmark on --cuda-graphs $graphs)
        row "$1 b$4 $2: jikken train, bf16 + channels-last, graphs $graphs (vs tuned)" "$r" "$(ratio "$r" "$tuned")"
    done
    r=$(jikken "$1" "$2" "$3" "$4" fp16 --optimizer-step multi-tensor --precision fp16 \
        --memory-format channels-last --cudnn-benchmark on)
    row "$1 b$4 $2: jikken train, fp16 + loss scaling (vs tuned)" "$r" "$(ratio "$r" "$tuned")"
done
echo "logs: $O"
if [ -f "$O/dry-failures" ]; then
    echo "gpu.sh: these rows failed before they needed a device:" >&2
    cat "$O/dry-failures" >&2
    exit 1
fi
