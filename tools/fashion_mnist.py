"""Fashion-MNIST for the demo tools: the IDX reader, the source/target class split and the
exact input transform tl's demo reproduces.

Data: the Debian package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist/
{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (IDX: big-endian header, then uint8 data).

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat (SOURCE: pretraining),
         5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot (TARGET: transfer).

Input transform (tl reproduces it step by step):
  28x28 uint8 grayscale --PIL Image.resize((32, 32), BILINEAR)--> 32x32 uint8
  (an upscale, so no antialiasing: triangle filter of support 1, half-pixel centres, rounded
  to uint8) --replicate--> 32x32x3 RGB --/255, torchvision mean/std--> float (N, 3, 32, 32).
"""
import gzip
import struct

import numpy as np
import torch
from PIL import Image

DATA_DIR = "/usr/share/datasets/fashion-mnist"
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SOURCE_CLASSES = [0, 1, 2, 3, 4]
TARGET_CLASSES = [5, 6, 7, 8, 9]
INPUT_SIZE = 32
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def read_idx(path):
    """An IDX file as a numpy uint8 array of its stated shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype_code == 0x08, f"{path}: not a uint8 IDX file"
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    assert array.size == int(np.prod(shape)), f"{path}: size does not match header {shape}"
    return array.reshape(shape)


def load_split(split):
    """split: "train" | "t10k" -> images (N, 28, 28) uint8, labels (N) int64."""
    images = read_idx(f"{DATA_DIR}/{split}-images-idx3-ubyte.gz")
    labels = read_idx(f"{DATA_DIR}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return images, labels


def select_classes(images, labels, classes):
    """Keeps only `classes` and relabels them 0..len(classes)-1 in the given order."""
    mask = np.isin(labels, classes)
    remap = {c: i for i, c in enumerate(classes)}
    return images[mask], np.array([remap[int(l)] for l in labels[mask]], dtype=np.int64)


def resize_uint8(images, size=INPUT_SIZE):
    """(N, 28, 28) uint8 -> (N, size, size) uint8 with PIL bilinear, as tl reproduces it."""
    if size == images.shape[1]:
        return images.copy()
    out = np.empty((images.shape[0], size, size), dtype=np.uint8)
    for i, image in enumerate(images):
        out[i] = np.asarray(Image.fromarray(image, mode="L").resize((size, size), Image.BILINEAR))
    return out


def to_network_input(images_uint8):
    """(N, S, S) uint8 -> float32 tensor (N, 3, S, S), torchvision-normalized RGB."""
    x = images_uint8.astype(np.float32) / 255.0
    x = np.repeat(x[:, None, :, :], 3, axis=1)
    x = (x - MEAN[None, :, None, None]) / STD[None, :, None, None]
    return torch.from_numpy(np.ascontiguousarray(x))


def sample_per_class(labels, per_class, seed):
    """Indices of `per_class` examples of each label (all when per_class is None), seeded."""
    rng = np.random.default_rng(seed)
    chosen = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if per_class is not None:
            idx = rng.choice(idx, size=per_class, replace=False)
        chosen.append(np.sort(idx))
    return np.concatenate(chosen)
