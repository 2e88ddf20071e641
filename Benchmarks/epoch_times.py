"""Times each of the paper's experiments at its recipe with `stbp bench` and predicts epochs.

    python3 Benchmarks/epoch_times.py [--stbp .build/release/stbp] [--only mnist,nmnist,...]
        [--iterations 3] [--server-cores 32] [--nodes 8] [--link-gbits 25] [--markdown]

For each experiment: one training step and one evaluation step at the recipe's batch and T
(2 threads, and 1 thread for the core-seconds of a step), then

    epoch on this machine  = ceil(train / batch) * train step (2 threads)
                             + ceil(test / batch) * evaluation step (2 threads)
    epoch on a server      = epoch here * 2 / cores: each core as productive as one of the two
                             here, i.e. the two-thread efficiency E = t1 / (2 t2) measured
                             here held up to every core (optimistic: memory bandwidth and
                             small per-core batches lower it)
    epoch on a cluster     = the server's epoch / nodes + the gradient sums per step:
                             steps * (2 (p-1)/p * S / W + 2 (p-1) * k * a)  (ring allreduce of
                             S bytes in k buckets of 4 MiB over p = nodes ranks, link W,
                             latency a = 20 us; Docs/Distributed.md), not hidden by the
                             backward pass (an upper bound); the global batch is nodes x the
                             recipe's, which changes the recipe (Docs/Distributed.md says how).

Benchmark inputs are synthetic (random images, or binary event frames with 10% ones), the
update is SGD: a real epoch also loads data and may differ by its activity; compare the
MNIST figure with a run's measured epoch (Docs/Reproducing.md does).
"""

import argparse
import json
import math
import subprocess

NMNIST_NET = "128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting"
CIFAR_NETS = {
    "small": "128C3(Encoding)-AP2-D0.5-256C3-AP2-D0.5-256FC-Voting",
    "middle": "128C3(Encoding)-AP2-D0.5-256C3-D0.5-512C3-AP2-D0.5-512FC-Voting",
    "large": "128C3(Encoding)-D0.5-256C3-AP2-D0.5-512C3-AP2-D0.5-1024C3-D0.5-512C3-D0.5-1024FC-D0.5-"
             "512FC-Voting",
}
# name: (spec, input shape, T, batch, event frames, training samples, test samples)
EXPERIMENTS = {
    "mnist": ("32C3-AP2-32C3-AP2-128FC-10", "1x28x28", 8, 100, False, 60000, 10000),
    "mnist-authors": ("32C3-AP2-32C3-AP2-128FC-10", "1x28x28", 20, 100, False, 60000, 10000),
    "nmnist": (NMNIST_NET, "2x34x34", 10, 32, True, 60000, 10000),
    "dvs-cifar10": (NMNIST_NET, "2x48x48", 10, 16, True, 9000, 1000),
    **{f"cifar10-{size}": (spec, "3x32x32", 8, 10, False, 50000, 10000)
       for size, spec in CIFAR_NETS.items()},
}
BUCKET_BYTES = 4 << 20
LATENCY = 20e-6


def bench(stbp, spec, shape, steps, batch, events, threads, iterations, evaluate):
    command = [stbp, "bench", "--model", spec, "--input-shape", shape, "--time-steps", str(steps),
               "--batch-size", str(batch), "--threads", str(threads), "--iterations",
               str(iterations), "--json"]
    if events:
        command.append("--events")
    if evaluate:
        command.append("--evaluate")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def parameter_bytes(stbp, spec, shape):
    """Float32 bytes of the network's parameters, from `stbp summary`'s total line."""
    output = subprocess.run([stbp, "summary", "--model", spec, "--input-shape", shape],
                            check=True, capture_output=True, text=True).stdout
    total = next(line for line in output.splitlines() if line.strip().startswith("total"))
    return 4 * int(total.split()[1].replace(",", ""))


def duration(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stbp", default=".build/release/stbp")
    parser.add_argument("--only", help="comma-separated experiments: " + ", ".join(EXPERIMENTS))
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--server-cores", type=int, default=32)
    parser.add_argument("--nodes", type=int, default=8)
    parser.add_argument("--link-gbits", type=float, default=25)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(EXPERIMENTS)
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiments {unknown}; expected some of {list(EXPERIMENTS)}")

    header = ["experiment", "batch", "T", "train step 2 thr (s)", "1 thr (s)", "E", "eval step (s)",
              "epoch here", f"{args.server_cores}-core server",
              f"{args.nodes} nodes x {args.server_cores} cores, {args.link_gbits:g} Gbit/s"]
    rows = []
    for name in names:
        spec, shape, steps, batch, events, train, test = EXPERIMENTS[name]
        two = bench(args.stbp, spec, shape, steps, batch, events, 2, args.iterations, False)
        one = bench(args.stbp, spec, shape, steps, batch, events, 1, args.iterations, False)
        evaluation = bench(args.stbp, spec, shape, steps, batch, events, 2, args.iterations, True)
        t2, t1, te = (r["median_step_seconds"] for r in (two, one, evaluation))
        train_steps, test_steps = math.ceil(train / batch), math.ceil(test / batch)
        here = train_steps * t2 + test_steps * te
        efficiency = t1 / (2 * t2)
        server = here * 2 / args.server_cores
        size, ranks = parameter_bytes(args.stbp, spec, shape), args.nodes
        buckets = max(1, math.ceil(size / BUCKET_BYTES))
        allreduce = 2 * (ranks - 1) / ranks * size / (args.link_gbits * 1e9 / 8) \
            + 2 * (ranks - 1) * buckets * LATENCY
        cluster = server / ranks + math.ceil(train_steps / ranks) * allreduce
        rows.append([name, str(batch), str(steps), f"{t2:.3f}", f"{t1:.3f}", f"{efficiency:.2f}", f"{te:.3f}",
                     duration(here), duration(server), duration(cluster)])
        print(json.dumps({"experiment": name, "train_step_2_threads": t2, "train_step_1_thread": t1,
                          "evaluate_step_2_threads": te, "two_thread_efficiency": efficiency,
                          "epoch_seconds_here": here, "epoch_seconds_server": server,
                          "epoch_seconds_cluster": cluster, "parameter_bytes": size,
                          "allreduce_seconds": allreduce, "sgemm_gflops": two["sgemm_gflops"]}),
              flush=True)
    if args.markdown:
        print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        for row in [header] + rows:
            print("  ".join(row))


if __name__ == "__main__":
    main()
