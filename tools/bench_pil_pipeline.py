#!/usr/bin/env python3
"""The peer of benchmarks/bench_image_pipeline.cpp: PIL + torchvision on the same JPEGs.

Measures images/s of
  decode             Image.open(f).convert("RGB") (bytes already in memory), 1 process
  decode+resize+crop + transforms.Resize(256) + CenterCrop(224) + np.asarray, 1 process
  DataLoader, W      torchvision ImageFolder + DataLoader(batch 32, num_workers=W), W = 1, 2
                     (W worker processes, the usual way PyTorch parallelises decoding)
Median of 3 after a warm-up. Run after bench_image_pipeline, which writes the files:
  /work/venv/bin/python tools/bench_pil_pipeline.py [/tmp/tl_bench_images]
"""
import io
import os
import statistics
import sys
import time

import numpy as np
import torch
from PIL import Image
from torchvision import datasets, transforms


def median_seconds(fn, repeats=3):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    root = os.path.join(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tl_bench_images", "images")
    torch.set_num_threads(1)
    paths = sorted(os.path.join(root, "all", f) for f in os.listdir(os.path.join(root, "all")))
    blobs = [open(p, "rb").read() for p in paths]
    n = len(blobs)
    eval_tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    print(f"PIL {Image.__version__}, torchvision {__import__('torchvision').__version__}: {n} JPEGs from {root}")

    def line(what, seconds):
        print(f"  {what:<34} {n / seconds:9.1f} images/s  ({1e3 * seconds / n:.2f} ms/image)")

    line("decode (1 process)", median_seconds(lambda: [Image.open(io.BytesIO(b)).convert("RGB") for b in blobs]))
    line("decode+resize+crop (1 process)", median_seconds(
        lambda: [np.asarray(eval_tf(Image.open(io.BytesIO(b)).convert("RGB"))) for b in blobs]))
    to_u8 = transforms.Compose([eval_tf, transforms.PILToTensor()])
    folder = datasets.ImageFolder(root, transform=to_u8)
    for workers in (1, 2):
        loader = torch.utils.data.DataLoader(folder, batch_size=32, num_workers=workers, persistent_workers=False)
        line(f"DataLoader epoch ({workers} worker{'s' if workers > 1 else ''})",
             median_seconds(lambda: [None for _ in loader]))


if __name__ == "__main__":
    main()
