#!/usr/bin/env bash
# Data-parallel scaling of the paper's three configurations on this machine, in one run: builds
# stbp in release with the MPI trait (into .build-mpi), then for mnist, nmnist and cifar10 times
# training steps (`stbp bench`, synthetic data, the global batch of each configuration) on
#   1 rank x 1 thread, 1 rank x 2 threads, and 2 ranks x 1 thread (mpirun -np 2, loopback TCP),
# and prints a table: step times, the gradient bytes summed per step, the time of that sum alone
# and the part the backward pass did not hide, and the scaling efficiencies
#   threads: t(1x1) / (2 t(1x2))      ranks: t(1x1) / (2 t(2x1)).
# Needs Open MPI (Scripts/setup.sh --mpi). Options: --iterations N (timed steps, default: the
# configuration's), --configs "mnist nmnist cifar10".
set -euo pipefail
cd "$(dirname "$0")/.."

iterations=()
configs="mnist nmnist cifar10"
while [ $# -gt 0 ]; do
    case "$1" in
        --iterations) iterations=(--iterations "$2"); shift 2 ;;
        --configs) configs="$2"; shift 2 ;;
        *) echo "distributed.sh: unknown option $1 (expected --iterations N, --configs \"...\")" >&2; exit 2 ;;
    esac
done

swift build -c release --traits MPI --scratch-path .build-mpi >&2
stbp=.build-mpi/release/stbp
mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl self,tcp)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for config in $configs; do
    echo "== $config" >&2
    echo "{\"layout\": \"1x1\", \"report\": $("$stbp" bench --config "$config" --threads 1 "${iterations[@]}" --json)}" >>"$results"
    echo "{\"layout\": \"1x2\", \"report\": $("$stbp" bench --config "$config" --threads 2 "${iterations[@]}" --json)}" >>"$results"
    echo "{\"layout\": \"2x1\", \"report\": $("${mpirun[@]}" -np 2 "$stbp" bench --config "$config" --threads 1 "${iterations[@]}" --json)}" >>"$results"
done
python3 - "$results" <<'PYTHON'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    entry = json.loads(line)
    rows.setdefault(entry["report"]["config"], {})[entry["layout"]] = entry["report"]
print("| config | batch | 1 rank x 1 thread (s) | 1 rank x 2 threads (s) | 2 ranks x 1 thread (s) "
      "| bytes per step | allreduce alone (s) | not hidden (s) | thread efficiency | rank efficiency |")
print("|---|---|---|---|---|---|---|---|---|---|")
for config, r in rows.items():
    one, threads, ranks = r["1x1"], r["1x2"], r["2x1"]
    t1, t2, tr = one["median_step_seconds"], threads["median_step_seconds"], ranks["median_step_seconds"]
    print(f"| {config} | {one['batch_size']} | {t1:.3f} | {t2:.3f} | {tr:.3f} | {ranks['bytes_per_step']:,} "
          f"| {ranks['allreduce_seconds']:.4f} | {ranks['exposed_wait_seconds']:.4f} "
          f"| {t1 / (2 * t2):.2f} | {t1 / (2 * tr):.2f} |")
PYTHON
