#!/usr/bin/env bash
# The whole comparison of Docs/Performance.md in one command: builds the release binary, then
# runs Benchmarks/compare.py for training steps (with the one-thread scaling) and for
# evaluation, every configuration, 2 threads. Extra arguments go to both compare.py runs:
#
#     Benchmarks/compare.sh [--configs mnist,cifar10] [--threads N] [--iterations K] [--firing-rate R] [--json]
#
# Needs PyTorch (Benchmarks/README.md). Nothing else should run on the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product stbp >&2
binary="$(swift build -c release --show-bin-path)/stbp"
echo "== training step"
python3 Benchmarks/compare.py --stbp "$binary" --scaling "$@"
echo "== evaluation (no tape; PyTorch under torch.no_grad())"
python3 Benchmarks/compare.py --stbp "$binary" --evaluate "$@"
