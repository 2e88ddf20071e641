"""Runs the Swift and PyTorch benchmarks one after another and prints a comparison table.

    python3 Benchmarks/compare.py [--stbp .build/release/stbp] [--configs mnist,cifar10]
                                  [--threads 2] [--iterations K] [--json]

For each configuration it runs, each in its own process: `stbp bench --config NAME
--threads N --json`, then Benchmarks/pytorch_bench.py in the "time" and in the "layer"
order. --iterations, when given, is passed to all three; otherwise each uses its default.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYTORCH_BENCH = os.path.join(HERE, "pytorch_bench.py")
CONFIGS = ("mnist", "nmnist", "cifar10")
ORDERS = ("time", "layer")


def run_json(command):
    """Runs a benchmark process and returns the last JSON object it printed on stdout."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"{' '.join(command)} printed no JSON object:\n{result.stdout}")
    return json.loads(lines[-1])


def compare(config, args):
    """One table row: the Swift run and both PyTorch orders of one configuration."""
    common = ["--config", config, "--threads", str(args.threads)]
    if args.iterations is not None:
        common += ["--iterations", str(args.iterations)]
    swift = run_json([args.stbp, "bench", *common, "--json"])
    torch_runs = {order: run_json([sys.executable, PYTORCH_BENCH, *common, "--order", order])
                  for order in ORDERS}
    fastest = min(run["median_step_seconds"] for run in torch_runs.values())
    return {
        "config": config,
        "threads": args.threads,
        "swift_step_seconds": swift["median_step_seconds"],
        "pytorch_time_order_step_seconds": torch_runs["time"]["median_step_seconds"],
        "pytorch_layer_order_step_seconds": torch_runs["layer"]["median_step_seconds"],
        "speedup_vs_fastest_pytorch": fastest / swift["median_step_seconds"],
        "swift_sgemm_fraction": swift.get("sgemm_fraction"),
        "swift_peak_rss_mb": swift["peak_rss_mb"],
        "pytorch_time_order_peak_rss_mb": torch_runs["time"]["peak_rss_mb"],
        "pytorch_layer_order_peak_rss_mb": torch_runs["layer"]["peak_rss_mb"],
        "runs": [swift, *torch_runs.values()],
    }


def print_table(rows):
    header = ("config", "swift s", "torch time s", "torch layer s", "speed-up",
              "sgemm frac", "swift MB", "time MB", "layer MB")
    print(("{:<8} " + "{:>13} " * (len(header) - 1)).format(*header))
    for r in rows:
        fraction = r["swift_sgemm_fraction"]
        print(f"{r['config']:<8} {r['swift_step_seconds']:13.4f} "
              f"{r['pytorch_time_order_step_seconds']:13.4f} "
              f"{r['pytorch_layer_order_step_seconds']:13.4f} "
              f"{r['speedup_vs_fastest_pytorch']:12.2f}x "
              f"{'n/a' if fraction is None else f'{fraction:.2f}':>13} "
              f"{r['swift_peak_rss_mb']:13.0f} {r['pytorch_time_order_peak_rss_mb']:13.0f} "
              f"{r['pytorch_layer_order_peak_rss_mb']:13.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stbp", default=".build/release/stbp", help="the Swift binary")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated subset of {','.join(CONFIGS)}")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configs {unknown}; expected a subset of {list(CONFIGS)}")
    if not os.access(args.stbp, os.X_OK):
        print(f"compare.py: no Swift binary at {args.stbp} (swift build -c release, or --stbp)",
              file=sys.stderr)
        sys.exit(1)

    rows = [compare(config, args) for config in configs]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
