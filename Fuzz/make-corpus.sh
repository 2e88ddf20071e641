#!/usr/bin/env bash
# Rebuilds the fuzz targets' seed corpus, Fuzz/Corpus/<target>/ (replacing it):
#
#     Fuzz/make-corpus.sh
#
# Fuzz/MakeCorpus.swift (run through Scripts/run-script.sh on a debug build of the package) writes
# slices of the real data files, synthetic N-MNIST and AEDAT 2.0 recordings, safetensors files
# and network specs; then `stbp train` trains two tiny networks for one epoch on synthetic N-MNIST
# data and its checkpoints become the checkpoint loader's seeds. Uses ../shared/data (real
# scikit-learn digits and CIFAR-10 records) when present. Keep the corpus small (well under 2 MB).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/Fuzz/Corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

STBP_CONFIGURATION=debug "$root/Scripts/run-script.sh" "$root/Fuzz/MakeCorpus.swift" "$root" "$work/corpus" \
    "$work/nmnist"

swift build --package-path "$root" --product stbp >&2
bin="$(swift build --package-path "$root" --show-bin-path)"
train() {
    local name="$1"
    shift
    "$bin/stbp" train --dataset nmnist --data "$work/nmnist" --cache "$work/cache" --epochs 1 --batch-size 5 \
        --time-steps 2 --threads 1 --seed 1 --log-every 1000 --output "$work/$name" "$@" >/dev/null
    cp "$work/$name/checkpoint-last.safetensors" "$work/corpus/FuzzCheckpoint/stbp-train-$name.safetensors"
}
train adam --model 2C3-AP4-10 --optimizer adam
train sgd --model 2C5s4-AP2-NN-8FC-Voting2 --optimizer sgd --momentum 0.9

rm -rf "$corpus"
mv "$work/corpus" "$corpus"
echo "make-corpus.sh: $(find "$corpus" -type f | wc -l) files, $(du -sh "$corpus" | cut -f1) in $corpus"
for folder in "$corpus"/*/; do
    echo "  $(basename "$folder"): $(find "$folder" -type f | wc -l) files, $(du -sh "$folder" | cut -f1)"
done
