"""Generates the torchvision-layout ResNet fixtures of tests/data/resnet/.

    /work/venv/bin/python tools/gen_torchvision_fixtures.py [--out tests/data/resnet]

For a basic-block net (resnet18 structure, width 8) and a bottleneck net (resnet50 structure,
width 4), both torchvision's own modules (tools/torchvision_resnet.py) with seeded random
weights and non-trivial BN statistics, in eval mode:
  <name>.h5      the weights, written by tools/tl_weights_h5.py (the layout tl reads)
  <name>_ref.h5  input (N, H, W, 3) NHWC; features (N, C); logits (N, classes); activations
                 stem, maxpool, layer1..layer4 and layer2.0 (N, H, W, C) NHWC.
The reference is computed in float64 from the float32 weights (the model cast to double), so
it is the exact answer the float32 engine is compared against.
"""
import argparse
import os

import h5py
import numpy as np
import torch

from torchvision_resnet import randomize_batchnorm, resnet_of_width
from tl_weights_h5 import write_torchvision_h5

CASES = [  # name, depth, width, classes, seed
    ("resnet18_w8", 18, 8, 10, 18),
    ("resnet50_w4", 50, 4, 7, 50),
]
INPUT_SHAPE = (2, 3, 57, 61)  # odd sizes: every padding and stride edge is exercised
CAPTURE = ["stem", "maxpool", "layer1", "layer2", "layer3", "layer4", "layer2.0"]


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32)


def generate(out_dir, name, depth, width, classes, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = resnet_of_width(depth, width, classes)
    randomize_batchnorm(model, gen)
    model.fc.bias.data.uniform_(-0.5, 0.5, generator=gen)
    model.eval()
    class_names = [f"class_{i}" for i in range(classes)] if depth == 18 else None
    write_torchvision_h5(model.state_dict(), os.path.join(out_dir, name + ".h5"), f"resnet{depth}",
                         class_names=class_names, input_size=224 if depth == 18 else None)

    x = torch.randn(INPUT_SHAPE, generator=gen)
    model = model.double()
    acts = {}
    modules = {"stem": model.relu, "maxpool": model.maxpool, "layer1": model.layer1, "layer2": model.layer2,
               "layer3": model.layer3, "layer4": model.layer4, "layer2.0": model.layer2[0]}
    for key, module in modules.items():
        module.register_forward_hook(lambda m, i, o, key=key: acts.setdefault(key, o.clone()))
    with torch.no_grad():
        logits = model(x.double())
        features = torch.flatten(model.avgpool(acts["layer4"]), 1)
    with h5py.File(os.path.join(out_dir, name + "_ref.h5"), "w") as f:
        f.create_dataset("input", data=nhwc(x))
        f.create_dataset("features", data=features.numpy().astype(np.float32))
        f.create_dataset("logits", data=logits.numpy().astype(np.float32))
        for key in CAPTURE:
            f.create_dataset("activations/" + key, data=nhwc(acts[key]))
        f.attrs["architecture"] = f"resnet{depth}"
        f.attrs["width"] = width
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, features {tuple(features.shape)}, "
          f"logits {tuple(logits.shape)}, layer4 max {acts['layer4'].abs().max().item():.3g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data", "resnet"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    for case in CASES:
        generate(args.out, *case)


if __name__ == "__main__":
    main()
