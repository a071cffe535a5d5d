"""Writes tests/data/fuzz_regressions/: small hostile inputs that crashed or misbehaved in tl's
loaders before their fix (see README "Threat model"). tests/loaders/test_fuzz_regressions.cpp
loads each and expects a clean tl::Error. Inputs found by scripts/fuzz.sh are added by hand
(copied from build-fuzz/artifacts/); this script writes the hand-made ones.

    /work/venv/bin/python tools/gen_fuzz_regressions.py
"""
import io
import os
import struct

import h5py
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "fuzz_regressions")


def out(harness, name):
    os.makedirs(os.path.join(ROOT, harness), exist_ok=True)
    return os.path.join(ROOT, harness, name)


def idx(dims, data=b""):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


# IDX: four sizes of 2^32 - 1 (the element count overflowed int64: undefined behaviour), and a
# plain file whose header promises 4 GiB (allocated before reading).
open(out("idx", "count_overflows_int64.idx"), "wb").write(idx([0xFFFFFFFF] * 4))
open(out("idx", "promises_4gib.idx"), "wb").write(idx([0xFFFFFFFF], b"\x01\x02\x03"))

# Image: 1 x 100000 pixels decodes within the pixel limit, but its shorter side resized to 256
# asked for 256 x 25,600,000 pixels (and cast an out-of-range double to int).
buf = io.BytesIO()
Image.fromarray(np.zeros((1, 100000, 3), np.uint8)).save(buf, format="PNG", optimize=True)
open(out("image", "thin_1x100000.png"), "wb").write(buf.getvalue())


def h5(path):
    return h5py.File(path, "w", libver="earliest", track_order=False)


# Keras: a block number past int's range: std::stoi threw std::out_of_range (not a tl::Error).
with h5(out("weights_keras", "block_number_overflow.h5")) as f:
    f.attrs["layer_names"] = np.array([b"conv1_conv", b"conv2_block99999999999_1_conv"])
    for layer in ["conv1_conv", "conv2_block99999999999_1_conv"]:
        g = f.create_group(layer)
        g.attrs["weight_names"] = np.array([f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()])
        g.create_dataset(f"{layer}/kernel:0", data=np.zeros((1, 1, 3, 2), np.float32))
        g.create_dataset(f"{layer}/bias:0", data=np.zeros((2,), np.float32))

# torchvision: conv1.weight declares 2^24 output channels (no data stored): the skeleton of
# that ResNet (~10 GB) was allocated before any dataset was read.
with h5(out("weights_torchvision", "stem_width_2_24.h5")) as f:
    f.attrs["source"] = "torchvision"
    f.create_dataset("conv1.weight", shape=(1 << 24, 3, 7, 7), dtype=np.float32, chunks=(1, 3, 7, 7))
    for s, width in enumerate([1, 2, 4, 8]):
        for b in range(2):
            f.create_dataset(f"layer{s + 1}.{b}.conv1.weight", data=np.zeros((width, 1, 3, 3), np.float32))
            f.create_dataset(f"layer{s + 1}.{b}.conv2.weight", data=np.zeros((width, width, 3, 3), np.float32))

# Head checkpoint: in_features = 1e300 (cast to int64: undefined behaviour; then the head's
# parameters were allocated from it).
with h5(out("head_checkpoint", "in_features_1e300.h5")) as f:
    f.attrs["format"] = "tl-head-checkpoint"
    f.attrs["format_version"] = 1.0
    f.attrs["head_kind"] = "linear"
    f.attrs["in_features"] = 1e300
    f.attrs["hidden"] = 0.0
    f.attrs["num_classes"] = 3.0
    f.attrs["dropout"] = 0.0
