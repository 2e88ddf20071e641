"""Times PyTorch training steps of the paper's networks; prints one JSON object per run.

    python3 Benchmarks/pytorch_bench.py --config mnist --order layer --threads 2
    python3 Benchmarks/pytorch_bench.py --config custom --model 8C3-AP2-10 \
        --input-shape 1x28x28 --time-steps 4 --batch-size 32 [--events] [--evaluate]

The network is the reference model of Scripts/reference/stbp_reference.py, so the semantics
are those of Docs/Semantics.md. A training step is forward, MSE loss, backward and an SGD
update (momentum 0.9, lr 0.01); --evaluate times the forward pass alone under no_grad.
Orders: "time" is the paper's loop (for t: for each layer: mem_update on state tensors),
"layer" runs each conv/dense layer over all T*N samples at once and only LIF loops over t.
Run one configuration per process: peak_rss_mb is the process's peak resident memory.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "Scripts", "reference"))
from stbp_reference import SpikingNetwork, parse_shape, random_batch  # noqa: E402

EVENT_DENSITY = 0.1         # fraction of ones in generated event frames
LEARNING_RATE, MOMENTUM = 0.01, 0.9
CUSTOM_ITERATIONS = 10      # timed steps of --config custom without --iterations

CONFIGS = {
    "mnist": dict(spec="32C3-AP2-32C3-AP2-128FC-10", input_shape=(1, 28, 28),
                  time_steps=8, batch_size=100, events=False, iterations=10),
    "nmnist": dict(spec="128C3-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting",
                   input_shape=(2, 34, 34), time_steps=10, batch_size=16, events=True,
                   iterations=3),
    "cifar10": dict(spec="128C3-256C3-AP2-512C3-AP2-1024C3-512C3-1024FC-512FC-Voting",
                    input_shape=(3, 32, 32), time_steps=8, batch_size=16, events=False,
                    iterations=3),
}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, choices=[*CONFIGS, "custom"])
    parser.add_argument("--order", choices=("time", "layer"), default="layer")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--iterations", type=int, help="timed steps (default per config)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first")
    parser.add_argument("--evaluate", action="store_true", help="forward only, no_grad")
    parser.add_argument("--seed", type=int, default=0)
    custom = parser.add_argument_group("custom configuration (or overrides)")
    custom.add_argument("--model", help="network spec, e.g. 32C3-AP2-10")
    custom.add_argument("--input-shape", type=parse_shape, help="CxHxW")
    custom.add_argument("--time-steps", type=int)
    custom.add_argument("--batch-size", type=int)
    custom.add_argument("--events", action="store_true", help="binary frames [T, N, C, H, W]")
    args = parser.parse_args()

    config = dict(CONFIGS.get(args.config, dict(iterations=CUSTOM_ITERATIONS, events=False)))
    for key, value in (("spec", args.model), ("input_shape", args.input_shape),
                       ("time_steps", args.time_steps), ("batch_size", args.batch_size),
                       ("iterations", args.iterations)):
        if value is not None:
            config[key] = value
    config["events"] = config["events"] or args.events
    missing = [k for k in ("spec", "input_shape", "time_steps", "batch_size") if k not in config]
    if missing:
        parser.error(f"--config custom needs --model, --input-shape, --time-steps and "
                     f"--batch-size (missing {', '.join(missing)})")
    return args, config


def main():
    args, config = parse_arguments()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = SpikingNetwork(config["spec"], config["input_shape"])
    steps = config["time_steps"]
    x, labels = random_batch(config["input_shape"], config["batch_size"], steps, model.classes,
                             EVENT_DENSITY if config["events"] else None)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)

    def train_step():
        optimizer.zero_grad()
        model.loss(model(x, steps, args.order), labels).backward()
        optimizer.step()

    def evaluate_step():
        with torch.no_grad():
            model(x, steps, args.order)

    step = evaluate_step if args.evaluate else train_step
    model.train(not args.evaluate)
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(config["iterations"]):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)

    median = statistics.median(times)
    macs = model.macs_per_sample_step()
    passes = 1 if args.evaluate else 3          # forward; or forward + two backward GEMMs
    print(json.dumps({
        "framework": "pytorch",
        "config": args.config,
        "spec": config["spec"],
        "order": args.order,
        "mode": "evaluate" if args.evaluate else "train",
        "threads": args.threads,
        "batch_size": config["batch_size"],
        "time_steps": steps,
        "iterations": config["iterations"],
        "median_step_seconds": median,
        "min_step_seconds": min(times),
        "samples_per_second": config["batch_size"] / median,
        "macs_per_sample_step": macs,
        "gflops": 2 * macs * steps * config["batch_size"] * passes / median / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch_version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
