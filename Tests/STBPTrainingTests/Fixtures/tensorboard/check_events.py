#!/usr/bin/env python3
"""Reads the TensorBoard event files of `stbp train --tensorboard` with TensorBoard's own reader
and checks them against the run's metrics.jsonl and checkpoints.

    python3 check_events.py RUN_FOLDER [EVENTS_FOLDER]

RUN_FOLDER holds metrics.jsonl (and, with --keep-epoch-checkpoints, checkpoint-epoch-NNN.safetensors);
EVENTS_FOLDER (RUN_FOLDER when not given) holds the event files. Needs the tensorboard package
(pip install tensorboard; numpy comes with it). Prints what it checked; exits 1 listing every failure.

1. Each event file, read with tensorboard's record reader (which checks the masked CRC-32C of every
   length and record), is read to its last byte; its first event is file_version "brain.Event:2",
   every other one a summary of one value, a scalar or a histogram.
2. The scalars (EventAccumulator over the folder, all files merged, nothing sampled away): every
   number of a metrics.jsonl record is there once, as <kind>/<key> at the record's step (step
   records: loss, accuracy, learning_rate, samples_per_second, firing_rate.<layer>; epoch records:
   train_loss, train_accuracy, test_loss, test_accuracy, samples_per_second, learning_rate,
   firing_rate.<layer>), equal to it as a 32-bit float; and there is no other scalar.
3. The histograms: at each epoch record's step, once each, weights/<parameter> of the same
   parameters every epoch and firing_rates/<layer> of the layers whose firing_rate.<layer> the
   epoch record holds; in each, the bucket counts add up to num, the limits increase and the last
   one is max. Weights: num, min, max, sum, sum_squares and the bucket counts equal those computed
   here from checkpoint-epoch-NNN.safetensors, when the run kept it. Firing rates: in [0, 1], and
   their mean (sum / num) is the epoch's test firing_rate.<layer> within 1e-5, as it is when the test
   set has at most 1,000 samples in whole batches (the histogram's neurons saw the whole test set).
"""

import json
import math
import os
import struct
import sys

import numpy as np
from tensorboard.backend.event_processing import event_accumulator, event_file_loader
from tensorboard.compat.proto import event_pb2

STEP_KEYS = ["loss", "accuracy", "learning_rate", "samples_per_second"]
EPOCH_KEYS = ["train_loss", "train_accuracy", "test_loss", "test_accuracy", "samples_per_second", "learning_rate"]

failures = []


def fail(message):
    failures.append(message)


def float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def metrics(run):
    with open(os.path.join(run, "metrics.jsonl")) as file:
        return [json.loads(line) for line in file if line.strip()]


def expected_scalars(records):
    """{(tag, step): value} of every number the metrics log holds."""
    expected = {}
    for record in records:
        keys = STEP_KEYS if record["kind"] == "step" else EPOCH_KEYS
        keys = keys + sorted(key for key in record if key.startswith("firing_rate."))
        for key in keys:
            if key in record:
                tag = "%s/%s" % (record["kind"], key)
                if (tag, record["step"]) in expected:
                    fail("metrics.jsonl holds %s at step %d twice" % (tag, record["step"]))
                expected[(tag, int(record["step"]))] = float(record[key])
    return expected


def check_files(events):
    """Check 1; returns the event files."""
    files = sorted(name for name in os.listdir(events) if name.startswith("events.out.tfevents."))
    if not files:
        fail("no event file in %s" % events)
    for name in files:
        path = os.path.join(events, name)
        raw = list(event_file_loader.RawEventFileLoader(path).Load())
        read = sum(len(record) + 16 for record in raw)
        if read != os.path.getsize(path):
            fail("%s: the reader stopped after %d of %d bytes" % (name, read, os.path.getsize(path)))
        parsed = [event_pb2.Event.FromString(record) for record in raw]
        if not parsed or parsed[0].file_version != "brain.Event:2":
            fail("%s: the first event is not file_version brain.Event:2" % name)
        for event in parsed[1:]:
            if not event.HasField("summary") or len(event.summary.value) != 1:
                fail("%s: event at step %d is not a summary of one value" % (name, event.step))
            elif event.summary.value[0].WhichOneof("value") not in ("simple_value", "histo"):
                fail("%s: %s is neither a scalar nor a histogram" % (name, event.summary.value[0].tag))
        print("%s: %d events, %d bytes, every record's CRC-32C checked" % (name, len(parsed), read))
    return files


def check_scalars(accumulator, records):
    expected = expected_scalars(records)
    seen = {}
    for tag in accumulator.Tags()["scalars"]:
        for event in accumulator.Scalars(tag):
            key = (tag, event.step)
            if key in seen:
                fail("%s at step %d is written twice" % key)
            seen[key] = event.value
    for key in sorted(set(expected) - set(seen)):
        fail("%s at step %d is in metrics.jsonl but not in the event files" % key)
    for key in sorted(set(seen) - set(expected)):
        fail("%s at step %d is in the event files but not in metrics.jsonl" % key)
    for key in sorted(set(seen) & set(expected)):
        if seen[key] != float32(expected[key]) and not (math.isnan(seen[key]) and math.isnan(expected[key])):
            fail("%s at step %d: %r in the event files, %r in metrics.jsonl" % (key + (seen[key], expected[key])))
    print("scalars: %d tags, %d values compared with metrics.jsonl" % (len({t for t, _ in seen}), len(seen)))


def read_safetensors(path):
    with open(path, "rb") as file:
        data = file.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__" or name.startswith("optimizer.") or entry["dtype"] != "F32":
            continue
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + length + start : 8 + length + end], dtype="<f4")
    return tensors


def bucket_counts(values, histogram):
    """The writer's buckets: equal width between min and max, right-closed."""
    count = len(histogram.bucket)
    if count == 1:
        return [float(len(values))]
    width = (histogram.max - histogram.min) / count
    index = np.ceil((values - histogram.min) / width).astype(np.int64) - 1
    return np.bincount(np.clip(index, 0, count - 1), minlength=count).astype(float).tolist()


def check_histogram(tag, step, histogram):
    if sum(histogram.bucket) != histogram.num:
        fail("%s at step %d: the buckets hold %g values, num is %g" % (tag, step, sum(histogram.bucket), histogram.num))
    limits = list(histogram.bucket_limit)
    if limits != sorted(limits) or not limits or limits[-1] != histogram.max or histogram.min > histogram.max:
        fail("%s at step %d: limits %r do not rise to max %g from min %g" % (tag, step, limits, histogram.max, histogram.min))


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check_histograms(accumulator, records, run):
    epochs = [record for record in records if record["kind"] == "epoch"]
    by_tag = {}
    for tag in accumulator.Tags()["histograms"]:
        for event in accumulator.Histograms(tag):
            by_tag.setdefault(tag, []).append(event)
            check_histogram(tag, event.step, event.histogram_value)
    steps = [int(record["step"]) for record in epochs]
    weights = sorted(tag for tag in by_tag if tag.startswith("weights/"))
    if not weights:
        fail("no weights/ histogram")
    for tag, events in by_tag.items():
        if [event.step for event in events] != steps:
            fail("%s is at steps %r, the epochs end at %r" % (tag, [event.step for event in events], steps))
    compared = 0
    for record in epochs:
        step = int(record["step"])
        layers = sorted(key[len("firing_rate.") :] for key in record if key.startswith("firing_rate."))
        rate_tags = sorted(tag for tag in by_tag if tag.startswith("firing_rates/"))
        if rate_tags != sorted("firing_rates/" + layer for layer in layers):
            fail("epoch %d: firing-rate histograms %r, test firing rates of %r" % (record["epoch"], rate_tags, layers))
        for layer in layers:
            for event in by_tag.get("firing_rates/" + layer, []):
                if event.step != step:
                    continue
                h = event.histogram_value
                if h.min < 0 or h.max > 1 or h.num < 1:
                    fail("firing_rates/%s at step %d: [%g, %g] over %g neurons" % (layer, step, h.min, h.max, h.num))
                elif abs(h.sum / h.num - record["firing_rate." + layer]) > 1e-5:
                    fail(
                        "firing_rates/%s at step %d: mean %r, the test set's rate %r"
                        % (layer, step, h.sum / h.num, record["firing_rate." + layer])
                    )
        checkpoint = os.path.join(run, "checkpoint-epoch-%03d.safetensors" % record["epoch"])
        if not os.path.exists(checkpoint):
            continue
        tensors = read_safetensors(checkpoint)
        if sorted("weights/" + name for name in tensors) != weights:
            fail("epoch %d: weight histograms %r, checkpoint tensors %r" % (record["epoch"], weights, sorted(tensors)))
        for name, values in tensors.items():
            events = [event for event in by_tag.get("weights/" + name, []) if event.step == step]
            if len(events) != 1:
                continue
            h = events[0].histogram_value
            values = values.astype(np.float64)
            want = (len(values), values.min(), values.max(), values.sum(), (values * values).sum())
            got = (h.num, h.min, h.max, h.sum, h.sum_squares)
            if not all(close(a, b) for a, b in zip(got, want)):
                fail("weights/%s at step %d: num, min, max, sum, sum_squares %r, the checkpoint's %r" % (name, step, got, want))
            elif list(h.bucket) != bucket_counts(values, h):
                fail("weights/%s at step %d: buckets %r, the checkpoint's %r" % (name, step, list(h.bucket), bucket_counts(values, h)))
            compared += 1
    print(
        "histograms: %d tags at %d epochs' steps; %d weight histograms compared with their checkpoint's tensors"
        % (len(by_tag), len(steps), compared)
    )


def main(arguments):
    if len(arguments) not in (1, 2):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    run = arguments[0]
    events = arguments[1] if len(arguments) == 2 else run
    records = metrics(run)
    check_files(events)
    accumulator = event_accumulator.EventAccumulator(
        events, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0}
    )
    accumulator.Reload()
    check_scalars(accumulator, records)
    check_histograms(accumulator, records, run)
    if failures:
        print("%d failures:" % len(failures))
        for failure in failures:
            print("  " + failure)
        return 1
    print("OK: TensorBoard reads the event files, and they hold what metrics.jsonl and the checkpoints hold.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
