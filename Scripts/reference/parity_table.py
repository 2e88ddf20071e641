"""Prints swift-stbp's and PyTorch's test-accuracy curves over seeds, side by side.

    python3 Scripts/reference/parity_table.py RUNS_FOLDER [--markdown]

RUNS_FOLDER (written by Scripts/parity.sh) holds swift-seed-<s>/metrics.jsonl (stbp train run
folders) and pytorch-seed-<s>.jsonl (Scripts/reference/train_reference.py's output). For each
epoch: each framework's mean test accuracy, standard deviation and range over its seeds, the
difference of the means, and whether it lies within the spread of the seeds (the larger of
the two ranges). Exits 1 when some epoch's means differ by more than that.
"""

import argparse
import glob
import json
import os
import re
import statistics


def curves(folder):
    """{"swift": {seed: {epoch: accuracy}}, "pytorch": {...}}: each run's epoch records (stbp
    train's metrics.jsonl also holds step records, which are skipped)."""
    result = {}
    for framework, pattern in (("swift", os.path.join("swift-seed-*", "metrics.jsonl")),
                               ("pytorch", "pytorch-seed-*.jsonl")):
        result[framework] = {}
        for path in glob.glob(os.path.join(folder, pattern)):
            seed = int(re.search(framework + r"-seed-(\d+)", path).group(1))
            with open(path) as file:
                records = [json.loads(line) for line in file if line.strip()]
            result[framework][seed] = {int(r["epoch"]): r["test_accuracy"]
                                       for r in records if r.get("kind", "epoch") == "epoch"}
    return result


def summary(values):
    """(mean, standard deviation, min, max) in percent."""
    percent = [100 * v for v in values]
    sd = statistics.stdev(percent) if len(percent) > 1 else 0.0
    return statistics.mean(percent), sd, min(percent), max(percent)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args()
    runs = curves(args.folder)
    if not runs["swift"] or not runs["pytorch"]:
        raise SystemExit(f"{args.folder}: needs swift-seed-*/metrics.jsonl and pytorch-seed-*.jsonl")
    epochs = sorted(set.intersection(*(set(c) for f in runs.values() for c in f.values())))
    if not epochs:
        raise SystemExit(f"{args.folder}: no epoch that every run finished")
    seeds = {f: sorted(runs[f]) for f in runs}
    print(f"seeds: swift-stbp {seeds['swift']}, PyTorch {seeds['pytorch']}; test accuracy in %, "
          "mean ± standard deviation [min, max]")
    header = ["epoch", "swift-stbp", "PyTorch", "difference", "spread", "within"]
    if args.markdown:
        print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    else:
        print(f"{header[0]:>5}  {header[1]:<32}{header[2]:<32}{header[3]:>10}{header[4]:>8}  {header[5]}")
    all_within = True
    for epoch in epochs:
        s = summary([runs["swift"][seed][epoch] for seed in seeds["swift"]])
        p = summary([runs["pytorch"][seed][epoch] for seed in seeds["pytorch"]])
        difference, spread = s[0] - p[0], max(s[3] - s[2], p[3] - p[2])
        within = abs(difference) <= spread
        all_within &= within
        cells = [f"{m:.2f} ± {sd:.2f} [{lo:.2f}, {hi:.2f}]" for m, sd, lo, hi in (s, p)]
        if args.markdown:
            print(f"| {epoch} | {cells[0]} | {cells[1]} | {difference:+.2f} | {spread:.2f} | "
                  f"{'yes' if within else 'no'} |")
        else:
            print(f"{epoch:>5}  {cells[0]:<32}{cells[1]:<32}{difference:>+10.2f}{spread:>8.2f}  "
                  f"{'yes' if within else 'NO'}")
    raise SystemExit(0 if all_within else 1)


if __name__ == "__main__":
    main()
