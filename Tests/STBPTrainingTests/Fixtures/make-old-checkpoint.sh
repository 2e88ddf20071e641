#!/usr/bin/env bash
# Writes the fixtures of OldCheckpointTests with the `stbp` tool of commit 878fd60, the last one
# before networks became compositions of layers (the spec's conv and dense tokens then held their
# LIF neurons; parameters were already named layers.<token index>.weight/bias):
#
#   checkpoint-878fd60.safetensors        a 2-epoch run of 4C3-AP2-NN-D0.2-12FC-Voting2 on 200 images
#                                         of the bundled MNIST subset (parameters, Adam state, progress)
#   checkpoint-878fd60-batch.safetensors  the first 6 test images ("input" [6, 1, 28, 28]) and "labels"
#   checkpoint-878fd60-grad.safetensors   that commit's `stbp grad` of the batch with the checkpoint's
#                                         weights: "loss", "output" and "grad.layers.<i>.<name>"
#
#     Tests/STBPTrainingTests/Fixtures/make-old-checkpoint.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
fixtures="$root/Tests/STBPTrainingTests/Fixtures"
scratch="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$scratch/old" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
git -C "$root" worktree add --detach "$scratch/old" 878fd60 >/dev/null
swift build --package-path "$scratch/old" --product stbp >&2
stbp="$scratch/old/.build/debug/stbp"
"$stbp" train --dataset mnist --data "$root/Examples/Data/mnist-subset" --train-limit 200 --test-limit 50 \
    --model 4C3-AP2-NN-D0.2-12FC-Voting2 --epochs 2 --batch-size 20 --time-steps 4 --threshold 0.3 \
    --learning-rate 0.005 --threads 1 --output "$scratch/run"
python3 - "$root/Examples/Data/mnist-subset" "$scratch/batch.safetensors" <<'PY'
import gzip, json, struct, sys
import numpy as np
folder, out = sys.argv[1], sys.argv[2]
n = 6
images = gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz").read()
labels = gzip.open(f"{folder}/t10k-labels-idx1-ubyte.gz").read()
x = np.frombuffer(images[16:16 + n * 784], dtype=np.uint8).astype(np.float32).reshape(n, 1, 28, 28) / 255
y = np.frombuffer(labels[8:8 + n], dtype=np.uint8).astype(np.int64)
header, blobs, offset = {}, [], 0
for name, dtype, array in [("input", "F32", x), ("labels", "I64", y)]:
    data = array.tobytes()
    header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    blobs.append(data)
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(out, "wb").write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
PY
"$stbp" grad --model 4C3-AP2-NN-D0.2-12FC-Voting2 --threshold 0.3 --time-steps 4 \
    --input "$scratch/batch.safetensors" --weights "$scratch/run/checkpoint-last.safetensors" \
    --output "$scratch/grad.safetensors"
cp "$scratch/run/checkpoint-last.safetensors" "$fixtures/checkpoint-878fd60.safetensors"
cp "$scratch/batch.safetensors" "$fixtures/checkpoint-878fd60-batch.safetensors"
cp "$scratch/grad.safetensors" "$fixtures/checkpoint-878fd60-grad.safetensors"
