"""Runs the Swift and PyTorch benchmarks one after another and prints a comparison table.

    python3 Benchmarks/compare.py [--stbp .build/release/stbp] [--configs mnist,cifar10]
                                  [--threads 2] [--iterations K] [--evaluate] [--scaling]
                                  [--firing-rate R] [--json]

For each configuration it runs, each in its own process: `stbp bench --config NAME
--threads N --json`, then Benchmarks/pytorch_bench.py in the "time" and in the "layer"
order. --iterations, when given, is passed to all three; otherwise each uses its default.
--evaluate times inference alone on both sides (PyTorch under torch.no_grad()). --scaling
also runs the Swift benchmark with one thread and reports how much faster N threads are.
--firing-rate R goes to `stbp bench` alone, which then scales each spiking layer's synapses so
that it fires at about R before timing; PyTorch's dense step does the same work at any
density, so its network is left as initialised. With it, the Swift benchmark also runs with
`--against-dense`, timing each step on the dense path of spike-fed convolutions too (the path
before the event-driven kernels: spikes kept as Float32, dense passes), alternating in one
process, so that the table gives the event-driven kernels' gain; that run's peak memory is the
dense path's (it uses more), the first run's the cost model's path.
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
    def common(threads):
        options = ["--config", config, "--threads", str(threads)]
        if args.iterations is not None:
            options += ["--iterations", str(args.iterations)]
        if args.evaluate:
            options += ["--evaluate"]
        return options

    swift_only = [] if args.firing_rate is None else ["--firing-rate", str(args.firing_rate)]
    swift = run_json([args.stbp, "bench", *common(args.threads), *swift_only, "--json"])
    torch_runs = {order: run_json([sys.executable, PYTORCH_BENCH, *common(args.threads), "--order", order])
                  for order in ORDERS}
    dense = None
    if args.firing_rate is not None:
        dense = run_json([args.stbp, "bench", *common(args.threads), *swift_only, "--against-dense", "--json"])
    step = swift["median_step_seconds"]
    row = {
        "config": config,
        "mode": swift["mode"],
        "threads": args.threads,
        "swift_step_seconds": step,
        "pytorch_time_order_step_seconds": torch_runs["time"]["median_step_seconds"],
        "pytorch_layer_order_step_seconds": torch_runs["layer"]["median_step_seconds"],
        "speedup_vs_time_order": torch_runs["time"]["median_step_seconds"] / step,
        "speedup_vs_layer_order": torch_runs["layer"]["median_step_seconds"] / step,
        "speedup_vs_fastest_pytorch": min(r["median_step_seconds"] for r in torch_runs.values()) / step,
        "swift_sgemm_fraction": swift.get("sgemm_fraction"),
        "swift_sgemm_gflops": swift.get("sgemm_gflops"),
        "swift_blas_core": swift.get("blas_core"),
        "swift_peak_rss_mb": swift["peak_rss_mb"],
        "swift_firing_rate_target": swift.get("firing_rate_target"),
        "swift_layers": swift.get("layers", []),
        "pytorch_time_order_peak_rss_mb": torch_runs["time"]["peak_rss_mb"],
        "pytorch_layer_order_peak_rss_mb": torch_runs["layer"]["peak_rss_mb"],
        "runs": [swift, *torch_runs.values()],
    }
    if dense is not None:
        row["swift_alternating_step_seconds"] = dense["median_step_seconds"]
        row["swift_dense_step_seconds"] = dense["dense_median_step_seconds"]
        row["swift_dense_peak_rss_mb"] = dense["peak_rss_mb"]
        row["event_speedup"] = dense["dense_median_step_seconds"] / dense["median_step_seconds"]
        row["event_memory_saving"] = 1 - swift["peak_rss_mb"] / dense["peak_rss_mb"]
        row["runs"].append(dense)
    if args.scaling:
        single = run_json([args.stbp, "bench", *common(1), *swift_only, "--json"])
        row["swift_one_thread_step_seconds"] = single["median_step_seconds"]
        row["thread_speedup"] = single["median_step_seconds"] / step
        row["runs"].append(single)
    return row


def describe_layer(layer):
    """A spiking layer of `stbp bench --json` as "label: input density / firing rate"."""
    density = layer.get("input_density")
    return f"{layer['label']}: {'-' if density is None else f'{density:.3f}'} / {layer['firing_rate']:.3f}"


def print_table(rows, scaling):
    header = ["config", "mode", "swift s", "torch time s", "torch layer s", "vs time", "vs layer",
              "sgemm frac", "swift MB", "time MB", "layer MB"]
    if scaling:
        header += ["1 thread s", "N vs 1"]
    print("{:<8} {:<8} ".format(*header[:2]) + " ".join(f"{h:>13}" for h in header[2:]))
    for r in rows:
        fraction = r["swift_sgemm_fraction"]
        cells = [
            f"{r['swift_step_seconds']:13.4f}",
            f"{r['pytorch_time_order_step_seconds']:13.4f}",
            f"{r['pytorch_layer_order_step_seconds']:13.4f}",
            f"{r['speedup_vs_time_order']:12.2f}x",
            f"{r['speedup_vs_layer_order']:12.2f}x",
            f"{'n/a' if fraction is None else f'{fraction:.2f}':>13}",
            f"{r['swift_peak_rss_mb']:13.0f}",
            f"{r['pytorch_time_order_peak_rss_mb']:13.0f}",
            f"{r['pytorch_layer_order_peak_rss_mb']:13.0f}",
        ]
        if scaling:
            cells += [f"{r['swift_one_thread_step_seconds']:13.4f}", f"{r['thread_speedup']:12.2f}x"]
        print(f"{r['config']:<8} {r['mode']:<8} " + " ".join(cells))
    cores = {r["swift_blas_core"] for r in rows}
    rates = ", ".join(f"{r['config']} {r['swift_sgemm_gflops']:.0f}" for r in rows)
    print(f"threads {rows[0]['threads']}; OpenBLAS core {', '.join(sorted(cores))}; "
          f"same-run sgemm GFLOP/s: {rates}")
    for r in rows:
        layers = ", ".join(describe_layer(layer) for layer in r["swift_layers"])
        print(f"{r['config']}: swift layers (label: input density / firing rate): {layers}")
    for r in rows:
        if "event_speedup" in r:
            print(f"{r['config']}: spike kernels auto against dense, alternating in one process: "
                  f"{r['swift_alternating_step_seconds']:.4f} s against {r['swift_dense_step_seconds']:.4f} s, "
                  f"{r['event_speedup']:.2f}x faster; peak memory {r['swift_peak_rss_mb']:.0f} MB against "
                  f"{r['swift_dense_peak_rss_mb']:.0f} MB, {100 * r['event_memory_saving']:.0f}% less")
    target = rows[0]["swift_firing_rate_target"]
    if target is not None:
        print(f"swift layers calibrated to fire at {target}; PyTorch's dense step does the same work at "
              "any density, its network is left as initialised")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stbp", default=".build/release/stbp", help="the Swift binary")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated subset of {','.join(CONFIGS)}")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int)
    parser.add_argument("--evaluate", action="store_true", help="time inference alone")
    parser.add_argument("--scaling", action="store_true",
                        help="also time Swift with one thread and report the speed-up")
    parser.add_argument("--firing-rate", type=float,
                        help="calibrate the Swift network's spiking layers to this rate (stbp bench --firing-rate)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configs {unknown}; expected a subset of {list(CONFIGS)}")
    if args.firing_rate is not None and not 0 < args.firing_rate < 1:
        parser.error(f"--firing-rate must lie between 0 and 1, got {args.firing_rate}")
    if not os.access(args.stbp, os.X_OK):
        print(f"compare.py: no Swift binary at {args.stbp} (swift build -c release, or --stbp)",
              file=sys.stderr)
        sys.exit(1)

    rows = [compare(config, args) for config in configs]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print_table(rows, args.scaling)


if __name__ == "__main__":
    main()
