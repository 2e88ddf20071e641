"""The event-driven kernels against the dense path over firing rates, in one run.

    python3 Benchmarks/spike_kernels.py [--stbp .build/release/stbp] [--configs nmnist,cifar10,mnist]
                                        [--rates 0.01,0.02,0.05,0.1,0.2,0.5] [--threads 2] [--iterations K]

For each configuration and firing rate it runs `stbp bench --config NAME --firing-rate R
--against-dense`, which times every step twice in one process, on the cost model's path
(`--spike-kernels auto`) and on the dense path (`--spike-kernels dense`: spikes kept as Float32,
dense passes, the path before the event-driven kernels), in alternating order; then, at the
rate 0.05, one run of each path alone for its peak memory. It prints two Markdown tables: step
times (median and minimum of each path, and the ratios dense / auto of both) and memory.
"""

import argparse
import json
import subprocess
import sys


def bench(stbp, config, rate, threads, iterations, extra):
    """`stbp bench --json` of one configuration and rate."""
    command = [stbp, "bench", "--config", config, "--firing-rate", str(rate), "--threads", str(threads), "--json",
               "--iterations", str(iterations), *extra]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stbp", default=".build/release/stbp")
    parser.add_argument("--configs", default="nmnist,cifar10,mnist")
    parser.add_argument("--rates", default="0.01,0.02,0.05,0.1,0.2,0.5")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=6)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    if any(not 0 < r < 1 for r in rates):
        parser.error(f"--rates must lie between 0 and 1, got {args.rates}")
    configs = args.configs.split(",")
    print("| config | rate | dense s (median / min) | auto s (median / min) | dense / auto (median / min) | "
          "spike-fed input densities |")
    print("|---|---|---|---|---|---|")
    for config in configs:
        for rate in rates:
            r = bench(args.stbp, config, rate, args.threads, args.iterations, ["--against-dense"])
            dense, dense_min = r["dense_median_step_seconds"], r["dense_min_step_seconds"]
            auto, auto_min = r["median_step_seconds"], r["min_step_seconds"]
            densities = ", ".join(f"{layer['input_density']:.3f}" for layer in r.get("layers", [])
                                  if layer.get("input") == "spikes" and layer.get("input_density") is not None)
            print(f"| {config} | {rate:g} | {dense:.3f} / {dense_min:.3f} | {auto:.3f} / {auto_min:.3f} | "
                  f"{dense / auto:.2f}x / {dense_min / auto_min:.2f}x | {densities} |", flush=True)
    print()
    print("| config | dense MB | auto MB | saved |")
    print("|---|---|---|---|")
    for config in configs:
        peaks = {k: bench(args.stbp, config, 0.05, args.threads, 1, ["--spike-kernels", k])["peak_rss_mb"]
                 for k in ("dense", "auto")}
        print(f"| {config} | {peaks['dense']:.0f} | {peaks['auto']:.0f} | "
              f"{100 * (1 - peaks['auto'] / peaks['dense']):.0f}% |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
