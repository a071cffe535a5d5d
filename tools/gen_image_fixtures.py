#!/usr/bin/env python3
"""Fixtures of tl's image pipeline, written by PIL and torchvision (the reference).

Writes to tests/data/images/:
  small images of odd sizes in every form tl decodes (RGB/grayscale/palette/RGBA/16-bit
  PNG, baseline and progressive JPEG, BMP), two files of formats tl rejects (GIF, TIFF),
  and reference.h5 with what PIL/torchvision make of them:
    decoded/<file>                 Image.open(f).convert("RGB")             uint8 (H, W, 3)
    resize/<file>/<h>x<w>          transforms.Resize((h, w)) (PIL bilinear)  uint8
    resize_short/<file>/<s>        transforms.Resize(s)                      uint8
    center_crop/<file>/<h>x<w>     transforms.CenterCrop((h, w))             uint8
    eval/<file>/<r>_<c>            Resize(r) + CenterCrop(c)                 uint8
    resized_crop/<file>            F.resized_crop(img, top, left, height, width, [19, 23]), box in attrs
    random_resized_crop_fallback   RandomResizedCrop(16) on wide_300x8.png (always the fallback)
    normalize/<preset>             float32 (H, W, 3) from eval/rgb_97x61.png/40_32:
        torchvision: ToTensor + Normalize(ImageNet mean/std)
        custom     : ToTensor + Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3])
        caffe      : Keras imagenet_utils "caffe" mode: RGB->BGR, minus BGR mean (float32)
        tf         : Keras "tf" mode: x / 127.5 - 1 (float32)

Run: /work/venv/bin/python tools/gen_image_fixtures.py   (seeded: the same files every run)
"""
import os
import struct
import zlib

import h5py
import numpy as np
import torch
from PIL import Image
from torchvision import transforms
from torchvision.transforms import functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "images")
rng = np.random.default_rng(1234)


def pattern(h, w, channels=3):
    """Smooth gradients, a sharp-edged disc and some noise: exercises the resize filter."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = [128 + 100 * np.sin(x / (3 + c) + y / (5 + 2 * c)) for c in range(channels)]
    img = np.stack(base, axis=-1)
    disc = (x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(h, w) * 0.25) ** 2
    img[disc] = 255 - img[disc]
    img += rng.normal(0, 12, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_png16(path, rgb16):
    """A 16-bit RGB PNG (PIL cannot write one), written chunk by chunk."""
    h, w, _ = rgb16.shape
    raw = b"".join(b"\x00" + rgb16[r].astype(">u2").tobytes() for r in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def make_images():
    os.makedirs(OUT, exist_ok=True)
    Image.fromarray(pattern(61, 97)).save(f"{OUT}/rgb_97x61.png")
    Image.fromarray(pattern(71, 45, 1)[..., 0], "L").save(f"{OUT}/gray_45x71.png")
    pal = Image.fromarray(pattern(37, 53)).quantize(colors=16)
    pal.info["transparency"] = 3  # one palette entry transparent: convert("RGB") ignores it
    pal.save(f"{OUT}/palette_53x37.png", transparency=3)
    rgba = np.concatenate([pattern(57, 39), rng.integers(0, 256, (57, 39, 1), dtype=np.uint8)], axis=-1)
    Image.fromarray(rgba, "RGBA").save(f"{OUT}/rgba_39x57.png")
    write_png16(f"{OUT}/rgb16_31x23.png", pattern(23, 31).astype(np.uint16) * 257 + rng.integers(0, 257, (23, 31, 3)))
    Image.fromarray(pattern(8, 300)).save(f"{OUT}/wide_300x8.png")
    jpg = Image.fromarray(pattern(67, 83))
    jpg.save(f"{OUT}/baseline_83x67.jpg", quality=90)
    jpg.save(f"{OUT}/progressive_83x67.jpg", quality=90, progressive=True)
    Image.fromarray(pattern(29, 35)).save(f"{OUT}/rgb_35x29.bmp")
    Image.fromarray(pattern(9, 11)).save(f"{OUT}/unsupported.gif")
    Image.fromarray(pattern(9, 11)).save(f"{OUT}/unsupported.tif")


def arr(img):
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def put(h5, name, data):
    big = data.nbytes > 8192  # chunked + gzip only pays off for the larger arrays
    h5.create_dataset(name, data=data, **({"compression": "gzip", "compression_opts": 9} if big else {}))


def make_references():
    files = ["rgb_97x61.png", "gray_45x71.png", "palette_53x37.png", "rgba_39x57.png", "rgb16_31x23.png",
             "wide_300x8.png", "baseline_83x67.jpg", "progressive_83x67.jpg", "rgb_35x29.bmp"]
    pngs = [f for f in files if f.endswith((".png", ".bmp"))]
    with h5py.File(f"{OUT}/reference.h5", "w") as h5:
        h5.attrs["generator"] = "tools/gen_image_fixtures.py"
        h5.attrs["torchvision"] = __import__("torchvision").__version__
        h5.attrs["pillow"] = Image.__version__
        for f in files:
            put(h5, f"decoded/{f}", arr(Image.open(f"{OUT}/{f}")))
        for f in pngs:
            img = Image.open(f"{OUT}/{f}").convert("RGB")
            h, w = img.height, img.width
            q = h // 4  # Pillow 13 runs the vertical pass first iff h - oh > 2 * (w - ow): a tie and one past it
            for size in [(h // 3, w // 2), (2 * h + 1, w + 7), (h, w // 3 + 1), (h // 4 + 1, w), (1, 1), (h - 1, w - 1),
                         (h - 2 * q, w - q), (h - 2 * q - 1, w - q)]:
                put(h5, f"resize/{f}/{size[0]}x{size[1]}", arr(transforms.Resize(size)(img)))
            for s in [5, 16] if f.startswith("wide") else [5, 16, 40]:  # wide: 40 would be 40x1500
                put(h5, f"resize_short/{f}/{s}", arr(transforms.Resize(s)(img)))
            for size in [(30, 30), (31, 31), (h - 7, w - 4), (h + 19, w + 4), (h + 1, w - 1)]:
                put(h5, f"center_crop/{f}/{size[0]}x{size[1]}", arr(transforms.CenterCrop(size)(img)))
            for r, c in [(40, 32), (17, 16)]:
                put(h5, f"eval/{f}/{r}_{c}", arr(transforms.Compose([transforms.Resize(r), transforms.CenterCrop(c)])(img)))
            box = (h // 5, w // 7, max(1, h // 2), max(1, w // 3))
            put(h5, f"resized_crop/{f}", arr(F.resized_crop(img, *box, [19, 23])))
            for key, value in zip(["top", "left", "height", "width"], box):
                h5[f"resized_crop/{f}"].attrs[key] = value
        # The standard 256/224 evaluation transform on two images (enlarging both).
        for f in ["rgb_97x61.png"]:
            img = Image.open(f"{OUT}/{f}").convert("RGB")
            put(h5, f"eval/{f}/256_224", arr(transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])(img)))
        wide = Image.open(f"{OUT}/wide_300x8.png").convert("RGB")
        torch.manual_seed(0)
        put(h5, "random_resized_crop_fallback", arr(transforms.RandomResizedCrop(16)(wide)))

        crop = h5["eval/rgb_97x61.png/40_32"][()]
        tensor = transforms.ToTensor()(Image.fromarray(crop))  # (3, H, W) float32 in [0, 1]
        hwc = lambda t: t.permute(1, 2, 0).contiguous().numpy()
        tv = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])(tensor)
        custom = transforms.Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3])(tensor)
        x = crop.astype(np.float32)
        caffe = x[..., ::-1] - np.array([103.939, 116.779, 123.68], dtype=np.float32)
        tf = x / np.float32(127.5) - np.float32(1.0)
        for name, value in [("torchvision", hwc(tv)), ("custom", hwc(custom)), ("caffe", caffe), ("tf", tf)]:
            put(h5, f"normalize/{name}", np.ascontiguousarray(value, dtype=np.float32))


if __name__ == "__main__":
    make_images()
    make_references()
    print("wrote", OUT)
