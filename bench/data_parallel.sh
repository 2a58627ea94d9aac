#!/usr/bin/env bash
# Issue 36: data-parallel training's images/s for 1, 2 and 4 ranks, `jikken train --nproc N` beside PyTorch's
# own DDP (bench/ddp_baseline.py, each rank started as torchrun starts it) with the same network (convnet), per-rank batch and images, in the
# same run. On this machine: CPU ranks with Gloo (Debian's libtorch and python3-torch 1.13); the cores are
# shared out among the ranks, so N ranks have the cores 1 rank has: "kept" is images/s with N ranks over
# images/s with 1 (1.00: nothing lost to the ranks' exchanges). On a machine with a GPU a rank, efficiency
# is images/s with N ranks / (N × images/s with 1).
#
#   bash bench/data_parallel.sh [TRAIN_IMAGES] [BATCH]     (build/ must hold a built jikken)
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-12800}
batch=${2:-64}
jikken=${JIKKEN:-build/src/companion/jikken}
python=${PYTHON:-/usr/bin/python3}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s /usr/share/datasets/fashion-mnist "$work/FashionMNIST"

jikken_rate() { # ranks -> images/s of the epoch, as rank 0's epoch line says it
    local ranks=$1 threads=$(( cores / $1 > 0 ? cores / $1 : 1 ))
    JIKKEN_HOME="$work/home" "$jikken" --registry "$work/registry.sqlite" train --model convnet --optimizer sgd \
        --lr 0.05 --epochs 1 --batch-size "$batch" --train-limit "$images" --test-limit 1000 --device cpu \
        --threads "$threads" --nproc "$ranks" --data-root "$work" --log-root "$work/logs" 2>&1 >/dev/null |
        grep -o '[0-9]* img/s  0:' | tail -1 | cut -d' ' -f1
}
ddp_rate() { # the environment torchrun gives each rank (Debian's torchrun 1.13 fails under Python 3.11:
    # its elastic agent's to_map gets None for the redirects), and init_process_group("gloo") reads it
    local ranks=$1 threads=$(( cores / $1 > 0 ? cores / $1 : 1 )) port=$(( 20000 + RANDOM % 20000 )) pids=()
    for (( rank = 0; rank < ranks; ++rank )); do
        MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=$rank LOCAL_RANK=$rank WORLD_SIZE=$ranks \
            OMP_NUM_THREADS=$threads "$python" bench/ddp_baseline.py /usr/share/datasets/fashion-mnist "$images" \
            "$batch" "$threads" > "$work/ddp-$rank.json" 2>/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    "$python" -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["images_per_second"]))' "$work/ddp-0.json"
}

echo "convnet, Fashion-MNIST, $images training images, batch $batch a rank, $cores cores, Gloo on the CPU"
printf '| ranks | jikken img/s | kept | PyTorch DDP img/s | kept | jikken / DDP |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for ranks in 1 2 4; do
    j=$(jikken_rate "$ranks")
    d=$(ddp_rate "$ranks")
    [ "$ranks" = 1 ] && { j1=$j; d1=$d; }
    awk -v n="$ranks" -v j="$j" -v d="$d" -v j1="$j1" -v d1="$d1" 'BEGIN {
        printf "| %d | %d | %.2f | %d | %.2f | %.2f |\n", n, j, j / j1, d, d / d1, j / d }'
done
