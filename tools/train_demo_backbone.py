"""Trains and exports the demo backbone: a ResNet-18 at reduced width (16/32/64/128 channels,
torchvision structure and key names; see tools/demo_resnet.py) pretrained on the five SOURCE
classes of Fashion-MNIST (T-shirt/top, Trouser, Pullover, Dress, Coat).

    /work/venv/bin/python tools/train_demo_backbone.py            # writes the .h5 and the log

Output: tests/data/demo/fashion_source_resnet18.h5 (tools/tl_weights_h5.py layout, root
attributes architecture="resnet18", preprocessing="torchvision", num_classes=5,
class_names=[5 source classes], input_size=32) and tools/train_demo_backbone.log.

Input transform (tools/fashion_mnist.py): 28x28 uint8 -> PIL bilinear resize to 32x32 uint8
-> grayscale replicated to RGB -> /255 -> torchvision mean/std. Training augmentation: random
horizontal flip and a random shift of up to 2 pixels (zero-padded in normalized space).
Optimiser: SGD momentum 0.9, nesterov, lr 0.1 with a one-cycle schedule, weight decay 5e-5,
batch 128, 3 epochs, no label smoothing (smoothing and long training collapse the features onto
the five source classes and transfer worse; see docs/DEMO.md). CPU, 2 threads, seed 0; the run
is deterministic (a rerun reproduces the log). --rotation-weight adds a self-supervised
rotation-prediction loss on the same source images (tried; it did not help here).

Result (tools/train_demo_backbone.log): source-class test accuracy 0.9128 on the 5000 source
test images; 702,741 parameters, 2.9 MB file; 23 s on 2 idle cores (about 400 s when the
shared 2-core machine ran at a load average of ~130-300).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist as fm  # noqa: E402
from demo_resnet import ReducedResNet18  # noqa: E402
from tl_weights_h5 import write_torchvision_h5  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def augment(x, generator):
    """x: (N, 3, S, S) normalized. Random horizontal flip and shift by up to 2 pixels."""
    n, _, s, _ = x.shape
    flip = torch.rand(n, generator=generator) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = F.pad(x, (2, 2, 2, 2))
    dx = torch.randint(0, 5, (n,), generator=generator)
    dy = torch.randint(0, 5, (n,), generator=generator)
    rows = dy[:, None] + torch.arange(s)[None, :]  # (N, S)
    cols = dx[:, None] + torch.arange(s)[None, :]  # (N, S)
    out = padded[torch.arange(n)[:, None, None], :, rows[:, :, None], cols[:, None, :]]  # (N, S, S, 3)
    return out.permute(0, 3, 1, 2).contiguous()


@torch.no_grad()
def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--widths", type=int, nargs=4, default=[16, 32, 64, 128])
    parser.add_argument("--weight-decay", type=float, default=5e-5)
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--rotation-weight", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(REPO, "tests/data/demo/fashion_source_resnet18.h5"))
    parser.add_argument("--log", default=os.path.join(REPO, "tools/train_demo_backbone.log"))
    parser.add_argument("--input-size", type=int, default=fm.INPUT_SIZE)
    args = parser.parse_args()
    fm.INPUT_SIZE = args.input_size

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    log_lines = []

    def log(line):
        print(line, flush=True)
        log_lines.append(line)

    start = time.time()
    train_images, train_labels = fm.select_classes(*fm.load_split("train"), fm.SOURCE_CLASSES)
    test_images, test_labels = fm.select_classes(*fm.load_split("t10k"), fm.SOURCE_CLASSES)
    x_train = fm.to_network_input(fm.resize_uint8(train_images, fm.INPUT_SIZE))
    x_test = fm.to_network_input(fm.resize_uint8(test_images, fm.INPUT_SIZE))
    y_train = torch.from_numpy(train_labels)
    y_test = torch.from_numpy(test_labels)
    log(f"# tools/train_demo_backbone.py {' '.join(sys.argv[1:])}")
    log(f"torch {torch.__version__}, {args.threads} CPU threads, seed {args.seed}")
    log(f"source classes: {[fm.CLASS_NAMES[c] for c in fm.SOURCE_CLASSES]}")
    log(f"train {len(x_train)} images, test {len(x_test)} images, input 3x{fm.INPUT_SIZE}x{fm.INPUT_SIZE}")

    model = ReducedResNet18(widths=args.widths, num_classes=len(fm.SOURCE_CLASSES))
    log(f"ReducedResNet18 widths {args.widths}: {sum(p.numel() for p in model.parameters())} parameters")
    rotation_head = torch.nn.Linear(args.widths[3], 4)
    params = list(model.parameters()) + (list(rotation_head.parameters()) if args.rotation_weight > 0 else [])
    optimizer = torch.optim.SGD(params, lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.weight_decay)
    steps_per_epoch = (len(x_train) + args.batch - 1) // args.batch
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=steps_per_epoch)
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        order = torch.randperm(len(x_train), generator=generator)
        total_loss, total_correct = 0.0, 0
        for i in range(0, len(x_train), args.batch):
            idx = order[i:i + args.batch]
            xb, yb = augment(x_train[idx], generator), y_train[idx]
            if args.rotation_weight > 0:
                # self-supervision on the same source images: predict a random rotation (0/90/180/270)
                k = torch.randint(0, 4, (len(idx),), generator=generator)
                xr = xb.clone()
                for quarter_turns in range(1, 4):
                    mask = k == quarter_turns
                    xr[mask] = torch.rot90(xb[mask], quarter_turns, dims=(2, 3))
                features = model.features(torch.cat([xb, xr]))
                logits = model.fc(features[:len(idx)])
                loss = F.cross_entropy(logits, yb, label_smoothing=args.label_smoothing) + \
                    args.rotation_weight * F.cross_entropy(rotation_head(features[len(idx):]), k)
            else:
                logits = model(xb)
                loss = F.cross_entropy(logits, yb, label_smoothing=args.label_smoothing)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item() * len(idx)
            total_correct += (logits.argmax(1) == yb).sum().item()
        test_acc = accuracy(model, x_test, y_test)
        log(f"epoch {epoch + 1}/{args.epochs}: train loss {total_loss / len(x_train):.4f} "
            f"train acc {total_correct / len(x_train):.4f} test acc {test_acc:.4f} ({time.time() - t0:.0f} s)")

    final_acc = accuracy(model, x_test, y_test)
    log(f"final source-class test accuracy: {final_acc:.4f} ({len(x_test)} images)")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    write_torchvision_h5(model.state_dict(), args.out, "resnet18",
                         class_names=[fm.CLASS_NAMES[c] for c in fm.SOURCE_CLASSES], input_size=fm.INPUT_SIZE)
    log(f"wrote {os.path.relpath(args.out, REPO)} ({os.path.getsize(args.out)} bytes)")
    log(f"total time {time.time() - start:.0f} s")
    with open(args.log, "w") as f:
        f.write("\n".join(log_lines) + "\n")


if __name__ == "__main__":
    main()
