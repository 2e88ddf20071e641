#!/usr/bin/env bash
# Runs a Swift script that does `import STBP`:
#
#     Scripts/run-script.sh path/to/script.swift [arguments...]
#
# It builds the shared library product STBPDynamic (release by default; set
# STBP_CONFIGURATION=debug for a faster build, STBP_SCRATCH_PATH for another build folder), then
# runs the script with the Swift interpreter pointed at the built modules, the C module maps and
# OpenBLAS's headers. With STBP_TYPECHECK=1 it only type-checks the script (swiftc -typecheck).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
script="$1"
shift
options=(-c "${STBP_CONFIGURATION:-release}" --package-path "$root")
if [ -n "${STBP_SCRATCH_PATH:-}" ]; then options+=(--scratch-path "$STBP_SCRATCH_PATH"); fi
swift build "${options[@]}" --product STBPDynamic >&2
build="$(swift build "${options[@]}" --show-bin-path)"
flags=(
    -I "$build/Modules" -I "$build"
    -Xcc -fmodule-map-file="$root/Modules/COpenBLAS/module.modulemap"
    -Xcc -fmodule-map-file="$root/Modules/CZlib/module.modulemap"
    -Xcc -fmodule-map-file="$root/Modules/CHDF5/module.modulemap"
)
for include in $(pkg-config --cflags-only-I openblas hdf5); do flags+=(-Xcc "$include"); done
if [ -n "${STBP_TYPECHECK:-}" ]; then exec swiftc -typecheck "${flags[@]}" "$script"; fi
exec swift "${flags[@]}" \
    -L "$build" -lSTBPDynamic -Xlinker -rpath -Xlinker "$build" \
    "$script" "$@"
