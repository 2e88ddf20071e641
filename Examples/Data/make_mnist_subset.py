"""Writes mnist-subset/: the first 6000 training and the first 1000 test images of MNIST as
gzipped IDX files, for the quick start. Run from the repository root:

    python3 Examples/Data/make_mnist_subset.py [../shared/data/mnist]
"""
import gzip
import os
import struct
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "data", "mnist")
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist-subset")
COUNTS = {"train": 6000, "t10k": 1000}


def subset(name, count):
    """The IDX file `name` cut to its first `count` items (header rewritten)."""
    with gzip.open(os.path.join(SOURCE, name + ".gz"), "rb") as f:
        data = f.read()
    magic, items = struct.unpack(">II", data[:8])
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    item_size = 1
    for extent in shape[1:]:
        item_size *= extent
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * dims, count, *shape[1:])
    body = data[4 + 4 * dims:4 + 4 * dims + count * item_size]
    assert len(body) == count * item_size and items >= count
    return header + body


os.makedirs(TARGET, exist_ok=True)
for stem, count in COUNTS.items():
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        name = f"{stem}-{kind}"
        # mtime=0 keeps the gzip bytes identical on every run.
        with open(os.path.join(TARGET, name + ".gz"), "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
                f.write(subset(name, count))
        print(name + ".gz", count)
