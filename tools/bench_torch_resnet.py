"""The PyTorch CPU baseline of benchmarks/bench_resnet_forward.cpp: torchvision ResNet-18 and
ResNet-50 forward at 224x224, random weights, eval mode, float32, batch 1 and 16, same threads.

    /work/venv/bin/python tools/bench_torch_resnet.py [--threads 2] [--quick]

Reports the median over repeats after one warm-up, in NCHW (PyTorch's default) and
channels_last (NHWC, like tl), with the same FLOP count as tl's benchmark.
"""
import argparse
import os
import statistics
import time

import torch
import torchvision


def flops(model, x):
    total = 0

    def conv_hook(m, i, o):
        nonlocal total
        total += 2 * o.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups

    def fc_hook(m, i, o):
        nonlocal total
        total += 2 * o.numel() * m.in_features

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    hooks += [m.register_forward_hook(fc_hook) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.inference_mode():
        model(x)
    for h in hooks:
        h.remove()
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"PyTorch {torch.__version__} CPU forward, {torch.get_num_threads()} threads")
    print(f"  {'net':9} {'layout':13} {'batch':>5} {'ms/batch':>10} {'images/s':>10} {'GFLOP/s':>10} {'GF/cpu-s':>10}")
    for arch in ("resnet18", "resnet50"):
        model = getattr(torchvision.models, arch)().eval()
        for batch in (1, 16):
            x = torch.randn(batch, 3, 224, 224)
            n_flops = flops(model, x)
            repeats = 1 if args.quick else (10 if batch == 1 else (3 if arch == "resnet50" else 5))
            for layout, fmt in (("NCHW", torch.contiguous_format), ("channels_last", torch.channels_last)):
                m = model.to(memory_format=fmt)
                xi = x.to(memory_format=fmt)
                times = []
                cpu0 = time.process_time()  # CPU time of all threads, as tl's GF/cpu-s
                with torch.inference_mode():
                    m(xi)  # warm-up
                    for _ in range(repeats):
                        t0 = time.perf_counter()
                        m(xi)
                        times.append(time.perf_counter() - t0)
                cpu = (time.process_time() - cpu0) / (repeats + 1)
                s = statistics.median(times)
                print(f"  {arch:9} {layout:13} {batch:5d} {s * 1e3:10.1f} {batch / s:10.1f} {n_flops / s * 1e-9:10.1f}"
                      f" {n_flops / cpu * 1e-9:10.1f}")


if __name__ == "__main__":
    main()
