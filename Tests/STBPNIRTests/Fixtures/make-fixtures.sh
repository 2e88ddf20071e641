#!/usr/bin/env bash
# Writes the NIR fixtures of STBPNIRTests: stbp-written.nir with `stbp export` (a spec network
# with its seed-0 initial weights), then make_fixtures.py (snnTorch's side and the hostile files).
# Needs Python with nir, snntorch, nirtorch, torch and h5py:
#     python3 -m venv /tmp/nir-venv && /tmp/nir-venv/bin/pip install nir snntorch nirtorch torch h5py
#     Tests/STBPNIRTests/Fixtures/make-fixtures.sh /tmp/nir-venv/bin/python
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
python="${1:-python3}"
swift build --package-path "$root" --product stbp
"$root/.build/debug/stbp" export --model 4C3-AP2-10 --input-shape 1x8x8 --seed 3 --decay 0.6 --threshold 0.25 \
    --output "$here/stbp-written.nir"
"$python" "$here/make_fixtures.py"
