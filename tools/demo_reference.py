"""The PyTorch reference for what `tl demo` shows: transfer of the demo backbone from the five
SOURCE classes to the five TARGET classes of Fashion-MNIST (Sandal, Shirt, Sneaker, Bag,
Ankle boot) with few labels per class, next to two baselines trained on the same labels.

    /work/venv/bin/python tools/demo_reference.py [--weights tests/data/demo/fashion_source_resnet18.h5]

Methods (each a linear head = one nn.Linear trained with softmax cross-entropy):
  transfer      frozen pretrained backbone -> the globally average-pooled outputs of layer2,
                layer3 and layer4 side by side (N, 32 + 64 + 128 = 224; --features) -> linear head
  random init   the same architecture with random weights (torchvision init, BN at its
                initial running statistics: mean 0, var 1) as a frozen feature extractor
  raw pixels    the normalized network input, flattened (N, 3*32*32) -> linear head
Labels: 10, 50 and all (6000) per class, drawn from the target training split with a seeded
generator (tools/fashion_mnist.py sample_per_class); evaluated on the full target test split
(5000 images). Head recipe: AdamW lr 1e-3, weight decay 1e-4, batch 32, zero-initialised
weights, epochs = EPOCHS[labels per class]; features are standardized with the mean and std of
the labelled training features (per dimension), as tl's head trainer is told to do too.
The table is written to tools/demo_reference.log: the draw with seed 0, and mean +- std over
five draws (seeds 0-4) to show how much a single draw of 10 labels can move.
"""
import argparse
import copy
import os
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist as fm  # noqa: E402
from demo_resnet import ReducedResNet18  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCHS = {10: 100, 50: 40, None: 5}
LABELS = [10, 50, None]


def load_backbone(path):
    with h5py.File(path, "r") as f:
        state = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                state[name.replace("/", ".")] = torch.from_numpy(obj[()])
        f.visititems(visit)
    widths = [state[f"layer{i}.0.conv1.weight"].shape[0] for i in range(1, 5)]
    model = ReducedResNet18(widths=widths, num_classes=state["fc.weight"].shape[0])
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert all(k.endswith("num_batches_tracked") for k in missing) and not unexpected, (missing, unexpected)
    return model.eval(), widths


@torch.no_grad()
def extract(model, x, stages, batch=1000):
    model.eval()
    return torch.cat([model.pooled_features(x[i:i + batch], stages) for i in range(0, len(x), batch)])


def parse_stages(text):
    """"layer2+layer3+layer4" -> (2, 3, 4), as tl's --features."""
    return tuple(int(item.replace("layer", "")) for item in text.split("+"))


def train_linear_head(features, labels, epochs, seed, num_classes=5, batch=32, lr=1e-3):
    """features: (N, D) -> (head, mean, std). AdamW on softmax cross-entropy."""
    mean, std = features.mean(0), features.std(0, unbiased=False) + 1e-6
    z = (features - mean) / std
    generator = torch.Generator().manual_seed(seed)
    head = torch.nn.Linear(features.shape[1], num_classes)
    torch.nn.init.zeros_(head.weight)
    torch.nn.init.zeros_(head.bias)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        order = torch.randperm(len(z), generator=generator)
        for i in range(0, len(z), batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(head(z[idx]), labels[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return head, mean, std


@torch.no_grad()
def evaluate(head, mean, std, features, labels):
    return (head((features - mean) / std).argmax(1) == labels).float().mean().item()


@torch.no_grad()
def write_reference_batch(path, model, count=8):
    """A fixture for tl's tests: the first `count` images of the Fashion-MNIST test split (source
    and target classes as they come), every stage of the demo's input transform, and the
    backbone's pooled features (layer4, and layer1..3 each alone) and 5-way source logits
    computed by PyTorch in float64."""
    images, labels = fm.load_split("t10k")
    images, labels = images[:count], labels[:count]
    resized = fm.resize_uint8(images, fm.INPUT_SIZE)
    x = fm.to_network_input(resized)  # (N, 3, S, S) float32
    reference = copy.deepcopy(model).double().eval()
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=images)                    # (N, 28, 28) uint8, as in the IDX file
        f.create_dataset("labels", data=labels.astype(np.int32))   # original labels 0..9
        f.create_dataset("resized", data=resized)                  # (N, S, S) uint8, PIL bilinear
        f.create_dataset("input", data=x.permute(0, 2, 3, 1).contiguous().numpy())  # (N, S, S, 3) f32 normalized
        f.create_dataset("features", data=reference.features(x.double()).float().numpy())  # (N, C)
        for stage in (1, 2, 3):  # each earlier stage pooled alone (N, C_stage), for multi-stage features
            f.create_dataset(f"features_layer{stage}",
                             data=reference.pooled_features(x.double(), (stage,)).float().numpy())
        f.create_dataset("logits", data=reference(x.double()).float().numpy())             # (N, 5)
        f.attrs["weights"] = "tests/data/demo/fashion_source_resnet18.h5"
        f.attrs["generator"] = "tools/demo_reference.py"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", default=os.path.join(REPO, "tests/data/demo/fashion_source_resnet18.h5"))
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-out", default=os.path.join(REPO, "tests/data/demo/fashion_reference_batch.h5"))
    parser.add_argument("--log", default=os.path.join(REPO, "tools/demo_reference.log"))
    parser.add_argument("--input-size", type=int, default=fm.INPUT_SIZE)
    parser.add_argument("--features", default="layer2+layer3+layer4",
                        help="pooled stages of the backbones, as tl demo --features")
    args = parser.parse_args()
    stages = parse_stages(args.features)
    fm.INPUT_SIZE = args.input_size
    torch.set_num_threads(args.threads)
    start = time.time()
    lines = []

    def log(line):
        print(line, flush=True)
        lines.append(line)

    train_images, train_labels = fm.select_classes(*fm.load_split("train"), fm.TARGET_CLASSES)
    test_images, test_labels = fm.select_classes(*fm.load_split("t10k"), fm.TARGET_CLASSES)
    x_train = fm.to_network_input(fm.resize_uint8(train_images, fm.INPUT_SIZE))
    x_test = fm.to_network_input(fm.resize_uint8(test_images, fm.INPUT_SIZE))
    y_train, y_test = torch.from_numpy(train_labels), torch.from_numpy(test_labels)

    pretrained, widths = load_backbone(args.weights)
    write_reference_batch(args.batch_out, pretrained)
    torch.manual_seed(0)
    random_init = ReducedResNet18(widths=widths, num_classes=5).eval()
    features = {
        "transfer (pretrained, frozen)": (extract(pretrained, x_train, stages), extract(pretrained, x_test, stages)),
        "random-init backbone (frozen)": (extract(random_init, x_train, stages), extract(random_init, x_test, stages)),
        "raw pixels": (x_train.flatten(1), x_test.flatten(1)),
    }
    log(f"# tools/demo_reference.py --weights {os.path.relpath(args.weights, REPO)} --features {args.features}")
    log(f"target classes: {[fm.CLASS_NAMES[c] for c in fm.TARGET_CLASSES]}; "
        f"train pool {len(x_train)}, test {len(x_test)}; widths {widths}")
    log(f"head: linear, standardized features, AdamW lr 1e-3 wd 1e-4, batch 32, epochs {EPOCHS}")
    header = f"{'method':<32}" + "".join(f"{('all' if k is None else str(k)) + ' /class':>22}" for k in LABELS)
    log("test accuracy on the 5000 target test images: seed-0 draw [mean +- std over "
        f"{args.draws} draws]")
    log(header)
    for name, (f_train, f_test) in features.items():
        cells = []
        for per_class in LABELS:
            accs = []
            for draw in range(args.draws if per_class is not None else 1):
                idx = torch.from_numpy(fm.sample_per_class(train_labels, per_class, seed=draw))
                head, mean, std = train_linear_head(f_train[idx], y_train[idx], EPOCHS[per_class], seed=draw)
                accs.append(evaluate(head, mean, std, f_test, y_test))
            cell = f"{accs[0]:.3f}" + (f" [{np.mean(accs):.3f}+-{np.std(accs):.3f}]" if len(accs) > 1 else "")
            cells.append(cell)
        log(f"{name:<32}" + "".join(f"{c:>22}" for c in cells))
    log(f"total time {time.time() - start:.0f} s")
    with open(args.log, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
