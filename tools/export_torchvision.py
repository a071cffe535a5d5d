"""Exports a torchvision ResNet as tl's torchvision-layout HDF5 weights file.

    python tools/export_torchvision.py --arch resnet50 --out resnet50.h5            # pretrained (internet)
    python tools/export_torchvision.py --arch resnet18 --out r18.h5 --random        # offline, random init
    python tools/export_torchvision.py --arch resnet18 --out r18w16.h5 --random --width 16 --num-classes 10

Pretrained weights come from torchvision's weights API (IMAGENET1K_V1 unless --weights names
another enum member, e.g. IMAGENET1K_V2); they carry the 1000 ImageNet class names and the
224 crop. --random writes torchvision's own initialisation (seeded) with randomised BN
statistics, so that no download is needed; --width builds a reduced-width net (random only).
Check the result with `tl info OUT.h5`.
"""
import argparse

import torch
import torchvision

from torchvision_resnet import randomize_batchnorm, resnet_of_width
from tl_weights_h5 import write_torchvision_h5

ARCHS = {"resnet18": 18, "resnet34": 34, "resnet50": 50, "resnet101": 101, "resnet152": 152}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=sorted(ARCHS, key=ARCHS.get))
    parser.add_argument("--out", required=True, help="the .h5 file to write")
    parser.add_argument("--random", action="store_true", help="random weights, no download")
    parser.add_argument("--weights", default="IMAGENET1K_V1", help="torchvision weights enum member")
    parser.add_argument("--width", type=int, default=64, help="base width (random only; 64 = torchvision's)")
    parser.add_argument("--num-classes", type=int, default=1000, help="classes of the head (random only)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if args.random:
        torch.manual_seed(args.seed)
        model = resnet_of_width(ARCHS[args.arch], args.width, args.num_classes)
        randomize_batchnorm(model, torch.Generator().manual_seed(args.seed))
        class_names, input_size = None, None
    else:
        if args.width != 64 or args.num_classes != 1000:
            parser.error("--width and --num-classes apply to --random only")
        enum = torchvision.models.get_model_weights(args.arch)
        weights = enum[args.weights]
        model = torchvision.models.get_model(args.arch, weights=weights)
        class_names = weights.meta.get("categories")
        input_size = weights.transforms().crop_size[0]
    model.eval()
    write_torchvision_h5(model.state_dict(), args.out, args.arch, class_names=class_names, input_size=input_size)
    print(f"wrote {args.out}: {args.arch}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"{'random' if args.random else args.weights}")


if __name__ == "__main__":
    main()
