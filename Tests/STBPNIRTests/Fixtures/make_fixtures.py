"""Writes the NIR fixtures of STBPNIRTests (run through make-fixtures.sh, which writes
stbp-written.nir first with `stbp export`). Needs nir, snntorch, nirtorch, torch and h5py
(PyPI); it is not a dependency of the package or its tests.

- snntorch-written.nir: a small convolutional network built in snnTorch (Leaky neurons, reset
  to zero, one beta and threshold per neuron) and exported by snntorch.export_nir, and
  snntorch-spikes.safetensors: fixed input frames and the spikes of its two LIF layers, run in
  snnTorch one sample at a time.
- stbp-written-spikes.safetensors: the spikes of stbp-written.nir (read with nir.read and run
  by snntorch.import_nir) on the same frames, for the Swift test to compare with its own.
- hostile-*.nir: files that must be refused with an error naming the node and field.
"""
import json
import struct
import sys
from pathlib import Path

import h5py
import nir
import numpy as np
import snntorch as snn
import torch
from snntorch.export_nir import export_to_nir
from snntorch.import_nir import import_from_nir

HERE = Path(__file__).parent
T, N = 6, 4


def save_safetensors(path, tensors):
    """The safetensors format by hand: an 8-byte header length, a JSON header, raw float32 data."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def run(net, frames, lif_modules):
    """Runs `net` one sample at a time over the T frames; the spikes of each LIF module [T, N, ...]."""
    recorded = {name: [] for name in lif_modules}
    hooks = [module.register_forward_hook(lambda m, i, o, name=name: recorded[name].append(o[0] if isinstance(o, tuple) else o))
             for name, module in lif_modules.items()]
    for n in range(frames.shape[1]):
        for module in net.modules():
            if hasattr(module, "reset_hidden"):
                module.reset_hidden()
            if isinstance(module, snn.SpikingNeuron):
                module.init_leaky() if hasattr(module, "init_leaky") else None
        for t in range(frames.shape[0]):
            net(frames[t, n])
    for hook in hooks:
        hook.remove()
    return {name: torch.stack(steps).reshape(N, T, *steps[0].shape).transpose(0, 1).detach().numpy()
            for name, steps in recorded.items()}


def snntorch_network():
    torch.manual_seed(1)

    def leaky(shape, beta, threshold, output=False):
        return snn.Leaky(beta=torch.full(shape, beta), threshold=torch.full(shape, threshold),
                         reset_mechanism="zero", init_hidden=True, output=output)

    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), leaky((4, 8, 8), 0.5, 0.3),
        torch.nn.AvgPool2d(2),
        torch.nn.Flatten(start_dim=0), torch.nn.Linear(4 * 4 * 4, 10), leaky((10,), 0.8, 0.2, output=True))
    with torch.no_grad():
        net[0].weight.mul_(3)
        net[4].weight.mul_(4)
    return net


def main():
    generator = torch.Generator().manual_seed(2)
    frames = torch.rand(T, N, 1, 8, 8, generator=generator)

    net = snntorch_network()
    graph = export_to_nir(net, torch.randn(1, 8, 8))
    nir.write(HERE / "snntorch-written.nir", graph)
    spikes = run(net, frames, {"1": net[1], "5": net[5]})
    save_safetensors(HERE / "snntorch-spikes.safetensors", {"frames": frames.numpy(), **{f"spikes.{k}": v for k, v in spikes.items()}})

    ours = import_from_nir(nir.read(HERE / "stbp-written.nir"))
    lifs = {name: module for name, module in ours.named_modules() if isinstance(module, snn.Leaky)}
    spikes = run(ours, frames, lifs)
    save_safetensors(HERE / "stbp-written-spikes.safetensors", {f"spikes.{k}": v for k, v in spikes.items()})
    print("snnTorch ran stbp-written.nir's LIF layers:", sorted(lifs))

    write_hostile_files()


def write_hostile_files():
    def graph_file(name, edit):
        with h5py.File(HERE / f"hostile-{name}.nir", "w") as f:
            f.create_dataset("version", data="1.0.8", dtype=h5py.string_dtype())
            node = f.create_group("node")
            node.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
            nodes = node.create_group("nodes")
            for key, shape in (("input", [4]), ("output", [2])):
                group = nodes.create_group(key)
                group.create_dataset("type", data=key.capitalize(), dtype=h5py.string_dtype())
                group.create_dataset("shape", data=np.array(shape))
            affine = nodes.create_group("fc")
            affine.create_dataset("type", data="Affine", dtype=h5py.string_dtype())
            affine.create_dataset("weight", data=np.ones((2, 4), dtype=np.float32))
            affine.create_dataset("bias", data=np.zeros(2, dtype=np.float32))
            edges = [("input", "fc"), ("fc", "output")]
            edits = edit(nodes, edges)
            node.create_dataset("edges", data=np.array(edits or edges, dtype=h5py.string_dtype()))

    graph_file("valid", lambda nodes, edges: None)
    graph_file("missing-field", lambda nodes, edges: nodes["fc"].__delitem__("bias"))
    graph_file("wrong-shape", lambda nodes, edges: (nodes["fc"].__delitem__("bias"),
                                                      nodes["fc"].create_dataset("bias", data=np.zeros(3, np.float32)))[0])
    graph_file("unknown-edge", lambda nodes, edges: edges + [("fc", "nowhere")])
    graph_file("cycle", lambda nodes, edges: edges + [("fc", "fc")])
    graph_file("unknown-type", lambda nodes, edges: (nodes["fc"].__delitem__("type"),
                                                       nodes["fc"].create_dataset("type", data="CubaLIF", dtype=h5py.string_dtype()))[0])

    def huge(nodes, edges):
        del nodes["fc"]["weight"]
        # Declared 2^20 x 2^10 values, chunked and never written: a few bytes on disk.
        nodes["fc"].create_dataset("weight", shape=(1 << 20, 1 << 10), dtype=np.float32, chunks=(1024, 1024), compression="gzip")
    graph_file("huge", huge)
    (HERE / "hostile-not-hdf5.nir").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(200)))


if __name__ == "__main__":
    sys.exit(main())
