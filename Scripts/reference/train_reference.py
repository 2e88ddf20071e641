"""Trains a spec network on MNIST in PyTorch with `stbp train`'s recipe; one JSON line per epoch.

    python3 Scripts/reference/train_reference.py --data ../shared/data/mnist --epochs 3 --seed 0 \
        [--train-limit 10000] [--test-limit N] [--threads 2]

The network is Scripts/reference/stbp_reference.py's SpikingNetwork (Docs/Semantics.md), and
the recipe is `stbp train`'s default: spec 32C3-AP2-32C3-AP2-128FC-10, T 8, direct input
(pixels / 255 at every step), decay 0.2, threshold 0.5, rectangular surrogate of width 1, MSE on
the mean spike count, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8), constant rate, batch 100 with
the last partial batch kept, a new shuffle every epoch, the first --train-limit training images
and the first --test-limit test images. What differs from swift-stbp is the random numbers
only: PyTorch's default initialisation (uniform +-1/sqrt(fan-in) for weights and biases, as
`--weight-init default`) and its own shuffles drawn from --seed.

Each line: {"framework": "pytorch", "seed", "epoch", "train_loss", "train_accuracy",
"test_loss", "test_accuracy", "seconds"}.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stbp_reference import SpikingNetwork  # noqa: E402


def read_idx(folder, stem):
    """The IDX file `stem` (gzipped or not) in `folder` as a uint8 tensor of its declared shape."""
    for name, opener in ((stem + ".gz", gzip.open), (stem, open)):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with opener(path, "rb") as file:
                data = file.read()
            break
    else:
        raise SystemExit(f"{folder}: neither {stem} nor {stem}.gz exists")
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 8:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    rank = data[3]
    shape = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    body = data[4 + 4 * rank:]
    count = 1
    for n in shape:
        count *= n
    if len(body) != count:
        raise SystemExit(f"{path}: {len(body)} bytes of values, the header declares {count}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(shape)


def load_mnist(folder, train_limit, test_limit):
    """(train images [N, 1, 28, 28] in [0, 1], train labels, test images, test labels)."""
    parts = []
    for prefix, limit in (("train", train_limit), ("t10k", test_limit)):
        images = read_idx(folder, f"{prefix}-images-idx3-ubyte")
        labels = read_idx(folder, f"{prefix}-labels-idx1-ubyte")
        if limit is not None:
            images, labels = images[:limit], labels[:limit]
        parts += [images.unsqueeze(1).float() / 255, labels.long()]
    return parts


def evaluate(model, images, labels, batch_size, time_steps):
    """(mean loss per sample, accuracy) over the set, in batches, without gradients."""
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            x, y = images[start:start + batch_size], labels[start:start + batch_size]
            readout = model(x, time_steps)
            loss_sum += model.loss(readout, y).item() * len(y)
            correct += (readout.argmax(dim=1) == y).sum().item()
    return loss_sum / len(labels), correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder of MNIST's four IDX files")
    parser.add_argument("--model", default="32C3-AP2-32C3-AP2-128FC-10")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--time-steps", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--train-limit", type=int)
    parser.add_argument("--test-limit", type=int)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    for name in ("epochs", "batch_size", "time_steps", "threads", "train_limit", "test_limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y, test_x, test_y = load_mnist(args.data, args.train_limit, args.test_limit)
    model = SpikingNetwork(args.model, (1, 28, 28), seed=args.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.999),
                                 eps=1e-8)
    shuffle = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start, loss_sum, correct = time.perf_counter(), 0.0, 0
        order = torch.randperm(len(train_y), generator=shuffle)
        for first in range(0, len(order), args.batch_size):
            batch = order[first:first + args.batch_size]
            x, y = train_x[batch], train_y[batch]
            optimizer.zero_grad()
            readout = model(x, args.time_steps)
            loss = model.loss(readout, y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(y)
            correct += (readout.argmax(dim=1) == y).sum().item()
        seconds = time.perf_counter() - start
        test_loss, test_accuracy = evaluate(model, test_x, test_y, args.batch_size, args.time_steps)
        print(json.dumps({
            "framework": "pytorch", "seed": args.seed, "epoch": epoch,
            "train_loss": loss_sum / len(train_y), "train_accuracy": correct / len(train_y),
            "test_loss": test_loss, "test_accuracy": test_accuracy, "seconds": seconds,
        }), flush=True)


if __name__ == "__main__":
    main()
