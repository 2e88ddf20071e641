"""Writes the PyTorch fixtures of the Swift tests: python3 Scripts/reference/make_fixtures.py

Each fixture is a small safetensors file in Tests/STBPNetworkTests/Fixtures/ (float32 tensors,
int64 labels, the configuration as string metadata); see the README there for the keys.
The generator checks, and asserts, that
- the "time" and "layer" evaluation orders agree (spikes exactly; readout, loss and
  gradients within RELATIVE_TOLERANCE of the largest magnitude),
- every LIF layer fires at a rate in [MIN_RATE, MAX_RATE] and every parameter gets a
  non-zero gradient,
- no membrane potential lies within MARGIN_FACTOR times the float32 rounding error of the
  potentials (measured against float64) of the threshold or, for the rectangular surrogate,
  of the rectangle's edges, so rounding in another implementation cannot flip a spike or a
  surrogate value. Seeds SEED, SEED + 1, ... are tried until a fixture meets this.
Weights start from PyTorch's default initialisation; each spiking layer's weight and bias
are then scaled by one gain (recorded in the metadata) that brings its firing rate near
TARGET_RATE, because with threshold 0.5 the default initialisation leaves deep layers silent.
"""

import copy
import json
import math
import os
import struct
import sys
from dataclasses import dataclass, field

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stbp_reference import (NEUNORM, NEUNORM_K, SPIKING_KINDS, SpikingNetwork,  # noqa: E402
                            random_batch)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT_DIR = os.path.join(ROOT, "Tests", "STBPNetworkTests", "Fixtures")

SEED, MAX_SEEDS = 0, 200
TARGET_RATE, MIN_RATE, MAX_RATE = 0.25, 0.05, 0.60
GAINS = [2 ** (k / 4) for k in range(25)]          # 1 ... 64, geometric
RELATIVE_TOLERANCE = 1e-5
MARGIN_FACTOR = 10
EVENT_DENSITY = 0.15                                 # fraction of ones in event frames
OPTIMIZER_STEPS = 5


@dataclass
class Fixture:
    name: str
    spec: str
    input_shape: tuple          # (C, H, W) of one sample
    time_steps: int
    batch_size: int
    events: bool = False        # binary frames [T, N, C, H, W] instead of static [N, C, H, W]
    options: dict = field(default_factory=dict)     # SpikingNetwork keyword arguments
    random_neunorm: bool = False                    # alpha ~ U(0.5, 1.5), beta ~ U(-0.1, 0.1)


FIXTURES = [
    Fixture("mnist_static", "32C3-AP2-32C3-AP2-128FC-10", (1, 8, 8), 4, 2),
    Fixture("events_voting", "8C3(Encoding)-AP2-16C3-AP2-32FC-Voting", (2, 16, 16), 6, 2,
            events=True, options={"classes": 10}),
    Fixture("multi_conv", "8C3-8C3-AP2-16C3-16C3s1p1-AP2-10", (3, 12, 12), 4, 2),
    Fixture("strided_pool", "8C5s2p1-AP3s2-16C3p0-10", (2, 16, 16), 5, 3),
    Fixture("neunorm", "8C3-NN-AP2-16C3-NN0.8-AP2-10", (2, 12, 12), 5, 2,
            random_neunorm=True),
    Fixture("detach_reset", "8C3-AP2-16FC-10", (1, 8, 8), 6, 3,
            options={"reset": "detached"}),
    *[Fixture(f"surrogate_{name}", "16FC-10", (1, 6, 6), 8, 4, options={"surrogate": name})
      for name in ("triangular", "sigmoid", "gaussian", "arctan")],
    Fixture("crossentropy", "8C3-AP2-16FC-10", (1, 8, 8), 5, 3,
            options={"loss": "crossentropy", "decay": 0.25, "threshold": 0.75}),
]

OPTIMIZER_FIXTURE = Fixture("optimizer_steps", "8C3-AP2-16FC-10", (1, 6, 6), 4, 4)
OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                              weight_decay=1e-3),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-3),
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
}
OPTIMIZER_HYPERPARAMETERS = ("lr", "momentum", "dampening", "nesterov", "betas", "eps",
                             "weight_decay")


# ---------------------------------------------------------------------------------------

def make_batch(fixture, classes):
    return random_batch(fixture.input_shape, fixture.batch_size, fixture.time_steps, classes,
                        EVENT_DENSITY if fixture.events else None)


def evaluate(model, x, labels, fixture, order):
    """One forward and backward pass: (Run with spikes and potentials, loss, {name: grad})."""
    model.zero_grad()
    run = model.run(x, fixture.time_steps, order=order, record=True)
    loss = model.loss(run.readout, labels)
    loss.backward()
    return run, loss.detach(), {k: p.grad.clone() for k, p in model.named_parameters()}


def relative_error(a, b):
    """max |a - b| over max |b| (largest magnitude), 0 when both are 0."""
    scale = b.abs().max().item()
    return 0.0 if scale == 0 else (a - b).abs().max().item() / scale


def firing_rates(run):
    return {i: s.mean().item() for i, s in run.spikes.items()}


def margin(model, run):
    """Smallest distance of a membrane potential to a point where a spike (or, for the
    rectangular surrogate, the surrogate's value) jumps."""
    edges = [model.threshold]
    if model.surrogate == "rectangular":
        edges += [model.threshold - model.surrogate_width / 2,
                  model.threshold + model.surrogate_width / 2]
    return min((u - e).abs().min().item() for u in run.potentials.values() for e in edges)


def float32_error(model, x, fixture):
    """Largest |u_float32 - u_float64| of the membrane potentials, same weights and input."""
    exact = copy.deepcopy(model).double().run(x.double(), fixture.time_steps, record=True)
    run = model.run(x, fixture.time_steps, record=True)
    return max((run.potentials[i].double() - exact.potentials[i]).abs().max().item()
               for i in run.potentials)


def calibrate(model, x, fixture):
    """Scales each spiking layer's weight and bias, in token order, by the gain of GAINS
    whose firing rate is nearest TARGET_RATE. Returns {token index: gain}."""
    gains = {}
    for tok in model.tokens:
        if tok.kind not in SPIKING_KINDS:
            continue
        layer = model.layers[str(tok.index)]
        weight, bias = layer.weight.detach().clone(), layer.bias.detach().clone()

        def rate(gain):
            with torch.no_grad():
                layer.weight.copy_(weight * gain)
                layer.bias.copy_(bias * gain)
                return model.run(x, fixture.time_steps, record=True).spikes[tok.index].mean()

        gains[tok.index] = min(GAINS, key=lambda g: abs(rate(g) - TARGET_RATE))
        rate(gains[tok.index])
    return gains


def build(fixture, seed):
    """Seeds torch, builds the model and a batch, and calibrates the weights."""
    torch.manual_seed(seed)
    model = SpikingNetwork(fixture.spec, fixture.input_shape, **fixture.options)
    if fixture.random_neunorm:
        with torch.no_grad():
            for tok in model.tokens:
                if tok.kind == NEUNORM:
                    model.layers[str(tok.index)].weight.uniform_(0.5, 1.5)
                    model.layers[str(tok.index)].bias.uniform_(-0.1, 0.1)
    x, labels = make_batch(fixture, model.classes)
    gains = calibrate(model, x, fixture)
    return model, x, labels, gains


def check(fixture, model, x, labels):
    """Runs both orders, asserts they agree and that the fixture exercises every layer.
    Returns (layer-order run, loss, grads, largest order difference)."""
    run, loss, grads = evaluate(model, x, labels, fixture, "layer")
    other, other_loss, other_grads = evaluate(model, x, labels, fixture, "time")
    for i in run.spikes:
        assert torch.equal(run.spikes[i], other.spikes[i]), f"{fixture.name}: spikes.{i}"
    pairs = [(run.readout, other.readout), (loss, other_loss)] + \
        [(grads[k], other_grads[k]) for k in grads]
    difference = max(relative_error(b, a) for a, b in pairs)
    assert difference <= RELATIVE_TOLERANCE, f"{fixture.name}: orders differ by {difference}"
    for i, rate in firing_rates(run).items():
        assert MIN_RATE <= rate <= MAX_RATE, f"{fixture.name}: token {i} fires at {rate:.3f}"
    for k, g in grads.items():
        assert g.abs().max() > 0, f"{fixture.name}: {k} has no gradient"
    return run, loss, grads, difference


def first_robust_seed(make, fixture):
    """make(fixture, seed) for the first seed from SEED on where it does not return None."""
    for seed in range(SEED, SEED + MAX_SEEDS):
        result = make(fixture, seed)
        if result is not None:
            return result
    raise RuntimeError(f"{fixture.name}: no seed in {MAX_SEEDS} keeps potentials clear of "
                       "the threshold; make the fixture smaller")


def metadata(fixture, model, gains, seed):
    """The configuration as strings."""
    meta = {
        "spec": fixture.spec,
        "input_shape": "x".join(map(str, fixture.input_shape)),
        "input_kind": "events" if fixture.events else "static",
        "time_steps": str(fixture.time_steps),
        "batch_size": str(fixture.batch_size),
        "decay": repr(model.decay),
        "threshold": repr(model.threshold),
        "surrogate": model.surrogate,
        "surrogate_width": repr(model.surrogate_width),
        "reset": model.reset,
        "loss": model.loss_kind,
        "classes": str(model.classes),
        "votes": str(model.votes),
        "dropout": "none",
        "seed": str(seed),
        "weight_gains": ",".join(f"{i}:{g:.6g}" for i, g in gains.items()),
        "generator": "Scripts/reference/make_fixtures.py",
        "torch_version": torch.__version__,
    }
    if any(tok.kind == NEUNORM for tok in model.tokens):
        meta["neunorm_k_default"] = repr(NEUNORM_K)
    return meta


def parameters(model, prefix=""):
    return {prefix + k: v.detach().clone() for k, v in model.state_dict().items()}


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save(fixture, tensors, meta):
    """Writes <name>.safetensors byte for byte reproducibly: the safetensors package orders
    metadata keys by hash, so its files would change on every run. Layout: u64 little-endian
    header size, JSON header (metadata sorted, tensors by name, padded with spaces to a
    multiple of 8), then the tensors' little-endian bytes. Returns the file size."""
    header, chunks, offset = {"__metadata__": dict(sorted(meta.items()))}, [], 0
    for name in sorted(tensors):
        tensor = tensors[name]
        array = tensor.contiguous().numpy()
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path = os.path.join(OUTPUT_DIR, fixture.name + ".safetensors")
    with open(path + ".tmp", "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    os.replace(path + ".tmp", path)
    written = load_file(path)
    assert written.keys() == tensors.keys() and \
        all(torch.equal(written[k], tensors[k]) for k in tensors), f"{path} reads back wrong"
    return os.path.getsize(path)


def make_fixture(fixture, seed):
    model, x, labels, gains = build(fixture, seed)
    run, loss, grads, difference = check(fixture, model, x, labels)
    required = MARGIN_FACTOR * float32_error(model, x, fixture)
    if margin(model, run) < required:
        return None
    tensors = {"input": x, "labels": labels, "loss": loss.reshape(1),
               "output": run.readout.detach(), **parameters(model)}
    tensors.update({f"grad.{k}": g for k, g in grads.items()})
    tensors.update({f"spikes.{i}": s.detach() for i, s in run.spikes.items()})
    size = save(fixture, tensors, metadata(fixture, model, gains, seed))
    return dict(name=fixture.name, seed=seed, size=size, loss=loss.item(),
                rates=firing_rates(run), margin=margin(model, run), required=required,
                difference=difference)


def train(model, init, batches, fixture, make_optimizer, order):
    """OPTIMIZER_STEPS steps from `init`, one per batch; returns (losses, smallest margin).
    Loss k is batch k's loss before update k."""
    model.load_state_dict(init)
    optimizer = make_optimizer(model.parameters())
    losses, margins = [], []
    for x, labels in batches:
        optimizer.zero_grad()
        run = model.run(x, fixture.time_steps, order=order, record=True)
        loss = model.loss(run.readout, labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        margins.append(margin(model, run))
    return torch.tensor(losses), min(margins)


def make_optimizer_fixture(fixture, seed):
    """Like make_fixture; the margin must hold at every step of every optimizer."""
    model, x, labels, gains = build(fixture, seed)
    run, _, _, difference = check(fixture, model, x, labels)
    required = MARGIN_FACTOR * float32_error(model, x, fixture)
    init = parameters(model)
    batches = [(x, labels)] + [make_batch(fixture, model.classes)
                               for _ in range(OPTIMIZER_STEPS - 1)]
    tensors = {f"init.{k}": v for k, v in init.items()}
    for k, (bx, bl) in enumerate(batches):
        tensors[f"batch.{k}.input"], tensors[f"batch.{k}.labels"] = bx, bl
    meta = metadata(fixture, model, gains, seed)
    meta["optimizer_steps"] = str(OPTIMIZER_STEPS)
    smallest_margin = math.inf
    for name, make_optimizer in OPTIMIZERS.items():
        losses, low = train(model, init, batches, fixture, make_optimizer, "layer")
        if low < required:
            return None
        final = parameters(model, f"{name}.")
        other_losses, _ = train(model, init, batches, fixture, make_optimizer, "time")
        pairs = [(losses, other_losses)] + [(final[k], v) for k, v in
                                            parameters(model, f"{name}.").items()]
        difference = max([difference] + [relative_error(b, a) for a, b in pairs])
        assert difference <= RELATIVE_TOLERANCE, f"{name}: orders differ by {difference}"
        smallest_margin = min(smallest_margin, low)
        tensors.update(final)
        tensors[f"{name}.losses"] = losses
        optimizer = make_optimizer(model.parameters())
        meta[f"{name}.class"] = type(optimizer).__name__
        for key in OPTIMIZER_HYPERPARAMETERS:
            if key in optimizer.defaults:
                value = optimizer.defaults[key]
                meta[f"{name}.{key}"] = ",".join(map(repr, value)) \
                    if isinstance(value, tuple) else repr(value).lower()
    size = save(fixture, tensors, meta)
    return dict(name=fixture.name, seed=seed, size=size, loss=tensors["sgd.losses"][0].item(),
                rates=firing_rates(run), margin=smallest_margin, required=required,
                difference=difference)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    rows = [first_robust_seed(make_fixture, f) for f in FIXTURES]
    rows.append(first_robust_seed(make_optimizer_fixture, OPTIMIZER_FIXTURE))
    print(f"{'fixture':20s} {'seed':>4s} {'KB':>6s} {'loss':>7s} {'margin':>8s} "
          f"{'needed':>8s} {'order diff':>10s}  firing rate per LIF token")
    for r in rows:
        rates = " ".join(f"{i}:{rate:.2f}" for i, rate in r["rates"].items())
        print(f"{r['name']:20s} {r['seed']:4d} {r['size'] / 1024:6.1f} {r['loss']:7.4f} "
              f"{r['margin']:8.1e} {r['required']:8.1e} {r['difference']:10.1e}  {rates}")
    print(f"wrote {len(rows)} fixtures to {os.path.relpath(OUTPUT_DIR, ROOT)}")


if __name__ == "__main__":
    main()
