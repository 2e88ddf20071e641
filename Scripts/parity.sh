#!/usr/bin/env bash
# Trains the same network with the same recipe in swift-stbp and in PyTorch over several seeds
# and prints both test-accuracy curves with their means and spreads per epoch
# (Scripts/reference/parity_table.py; exit status 1 when the means of an epoch differ by more
# than the spread of the seeds).
#
#   Scripts/parity.sh [--data DIR] [--epochs 3] [--seeds 0,1,2] [--train-limit N]
#                     [--test-limit N] [--threads N] [--output DIR]
#
# The recipe is `stbp train`'s default on MNIST (32C3-AP2-32C3-AP2-128FC-10, T 8, direct
# input, Adam 1e-3, batch 100, MSE); the PyTorch side is Scripts/reference/train_reference.py,
# which needs python3 with torch. The runs go one after another, each with --threads threads.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data/mnist"
epochs=3 seeds=0,1,2 threads="$(nproc)" output=runs/parity train_limit="" test_limit=""
while [ $# -gt 0 ]; do
    case "$1" in
        --data) data="$2"; shift 2 ;;
        --epochs) epochs="$2"; shift 2 ;;
        --seeds) seeds="$2"; shift 2 ;;
        --train-limit) train_limit="$2"; shift 2 ;;
        --test-limit) test_limit="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --output) output="$2"; shift 2 ;;
        *) echo "parity.sh: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done
[ -d "$data" ] || { echo "parity.sh: --data $data is not a folder of MNIST's IDX files" >&2; exit 2; }
limits=()
[ -n "$train_limit" ] && limits+=(--train-limit "$train_limit")
[ -n "$test_limit" ] && limits+=(--test-limit "$test_limit")

swift build -c release --product stbp --package-path "$root" >&2
stbp="$(swift build -c release --show-bin-path --package-path "$root")/stbp"
mkdir -p "$output"
for seed in ${seeds//,/ }; do
    echo "swift-stbp, seed $seed" >&2
    "$stbp" train --data "$data" --epochs "$epochs" --seed "$seed" --threads "$threads" "${limits[@]}" \
        --output "$output/swift-seed-$seed" --overwrite --log-every 1000000 >&2
    echo "PyTorch, seed $seed" >&2
    python3 "$root/Scripts/reference/train_reference.py" --data "$data" --epochs "$epochs" --seed "$seed" \
        --threads "$threads" "${limits[@]}" > "$output/pytorch-seed-$seed.jsonl.partial"
    mv "$output/pytorch-seed-$seed.jsonl.partial" "$output/pytorch-seed-$seed.jsonl"
done
python3 "$root/Scripts/reference/parity_table.py" "$output"
