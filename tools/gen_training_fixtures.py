#!/usr/bin/env python3
"""Generates the head-training fixtures in tests/data/training/ (seeded, deterministic).

  loss.h5          logits, labels, class weights; PyTorch's F.cross_entropy loss and its
                   gradient (float64) for plain / label smoothing / class weights / both.
  trajectories.h5  one group per case: features, labels, the initial head, PyTorch's loss at
                   every optimizer step (float32 training, as tl) and the final weights.
                   Batches are taken in order without shuffling: step s uses rows
                   [(s mod (N/B)) * B, +B). Dropout is 0 so the run is deterministic.
  schedules.h5     learning rates of StepLR, CosineAnnealingLR and LinearLR warmup followed
                   by cosine (SequentialLR), one value per epoch.
  xxh64.h5         XXH64 (seed 0) of byte strings b[i] = (7 i + 3) mod 256 of several lengths.

Run: /work/venv/bin/python tools/gen_training_fixtures.py
"""
import os

import h5py
import numpy as np
import torch
import torch.nn.functional as F
import xxhash

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "training")


def write_loss(path):
    g = torch.Generator().manual_seed(1)
    n, c = 7, 5
    logits = (torch.randn(n, c, generator=g) * 3).float()
    logits[0, 2] = 60.0  # a large logit: the naive exp would overflow float32 at ~88, lse must not
    labels = torch.tensor([2, 0, 4, 1, 1, 3, 2], dtype=torch.int64)
    weights = torch.tensor([0.5, 2.0, 1.0, 0.25, 3.0], dtype=torch.float64)
    with h5py.File(path, "w") as f:
        f["logits"] = logits.numpy()
        f["labels"] = labels.numpy().astype(np.int32)
        f["class_weights"] = weights.float().numpy()
        for name, smoothing, w in [("plain", 0.0, None), ("smoothing", 0.1, None), ("weighted", 0.0, weights),
                                   ("both", 0.2, weights)]:
            z = logits.double().clone().requires_grad_(True)
            loss = F.cross_entropy(z, labels, weight=w, label_smoothing=smoothing)
            loss.backward()
            grp = f.create_group(name)
            grp.attrs["label_smoothing"] = smoothing
            grp.attrs["weighted"] = int(w is not None)
            grp["loss"] = np.array([loss.item()], dtype=np.float64)
            grp["grad"] = z.grad.numpy()


def make_head(kind, features, hidden, classes):
    if kind == "linear":
        return torch.nn.Sequential(torch.nn.Linear(features, classes))
    return torch.nn.Sequential(torch.nn.Linear(features, hidden), torch.nn.ReLU(), torch.nn.Dropout(0.0),
                               torch.nn.Linear(hidden, classes))


def write_trajectories(path):
    n, feat, classes, hidden, batch, steps = 48, 20, 5, 16, 16, 30
    cases = [
        # name, head, optimizer, opt kwargs, label smoothing, class weights
        ("linear_sgd", "linear", "sgd", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3), 0.1, True),
        ("linear_adamw", "linear", "adamw", dict(lr=1e-2, weight_decay=0.01), 0.0, False),
        ("mlp_sgd", "mlp", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4), 0.0, False),
        ("mlp_adamw", "mlp", "adamw", dict(lr=5e-3, weight_decay=0.05, betas=(0.9, 0.99)), 0.1, True),
    ]
    with h5py.File(path, "w") as f:
        for i, (name, kind, opt_name, kw, smoothing, weighted) in enumerate(cases):
            torch.manual_seed(100 + i)
            x = torch.randn(n, feat)
            y = torch.randint(0, classes, (n,))
            w = torch.tensor([1.0, 0.5, 2.0, 1.5, 0.75]) if weighted else None
            head = make_head(kind, feat, hidden, classes)
            grp = f.create_group(name)
            grp["features"] = x.numpy()
            grp["labels"] = y.numpy().astype(np.int32)
            if weighted:
                grp["class_weights"] = w.numpy()
            init = grp.create_group("initial")
            for key, value in head.state_dict().items():
                init[key] = value.numpy()
            grp.attrs.update(dict(head=kind, in_features=feat, hidden=hidden, num_classes=classes, batch_size=batch,
                                  steps=steps, optimizer=opt_name, label_smoothing=smoothing,
                                  lr=kw["lr"], weight_decay=kw["weight_decay"], momentum=kw.get("momentum", 0.0),
                                  nesterov=int(kw.get("nesterov", False)),
                                  beta1=kw.get("betas", (0.9, 0.999))[0], beta2=kw.get("betas", (0.9, 0.999))[1],
                                  eps=1e-8))
            opt = (torch.optim.SGD if opt_name == "sgd" else torch.optim.AdamW)(head.parameters(), **kw)
            losses = []
            for s in range(steps):
                b = s % (n // batch)
                xb, yb = x[b * batch:(b + 1) * batch], y[b * batch:(b + 1) * batch]
                opt.zero_grad()
                loss = F.cross_entropy(head(xb), yb, weight=w, label_smoothing=smoothing)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            grp["losses"] = np.array(losses, dtype=np.float64)
            final = grp.create_group("final")
            for key, value in head.state_dict().items():
                final[key] = value.numpy()


def write_schedules(path):
    epochs, base = 20, 0.1

    def run(make):
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=base)
        sched = make(opt)
        lrs = []
        for _ in range(epochs):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return np.array(lrs, dtype=np.float64)

    lr = torch.optim.lr_scheduler
    with h5py.File(path, "w") as f:
        f.attrs["base_lr"] = base
        f.attrs["epochs"] = epochs
        f["step_7_0.1"] = run(lambda o: lr.StepLR(o, 7, 0.1))
        f["cosine_tmax_10_etamin_0.001"] = run(lambda o: lr.CosineAnnealingLR(o, T_max=10, eta_min=0.001))
        f["warmup_3_0.25_cosine_17"] = run(lambda o: lr.SequentialLR(
            o, [lr.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3), lr.CosineAnnealingLR(o, T_max=17)],
            milestones=[3]))


def write_xxh64(path):
    lengths = [0, 1, 3, 4, 7, 8, 15, 31, 32, 33, 63, 64, 100, 1000, 4099]
    digests = []
    for n in lengths:
        data = bytes(((7 * i + 3) % 256) for i in range(n))
        digests.append(xxhash.xxh64(data, seed=0).hexdigest())
    with h5py.File(path, "w") as f:
        f["lengths"] = np.array(lengths, dtype=np.int32)
        f["digests"] = np.array(digests, dtype=h5py.string_dtype())


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_loss(os.path.join(OUT, "loss.h5"))
    write_trajectories(os.path.join(OUT, "trajectories.h5"))
    write_schedules(os.path.join(OUT, "schedules.h5"))
    write_xxh64(os.path.join(OUT, "xxh64.h5"))
    print("wrote", sorted(os.listdir(OUT)))
