#!/usr/bin/env python3
"""PyTorch baseline for bench_resnet_forward_gpu: torchvision resnet50 (random weights, eval,
channels_last) forward images/s on the GPU, per precision, same batch and 224x224 input.

  fp32: TF32 disabled (torch.backends.cudnn.allow_tf32 = matmul.allow_tf32 = False)
  tf32: TF32 enabled for convolutions and matmuls
  bf16: torch.autocast(dtype=torch.bfloat16) (BF16 inputs, FP32 accumulation)

Timed with CUDA events, warm-up first, median of --repeats (eager mode, no torch.compile).
Prints one line per precision; exits 0 with a "skipped" line when no GPU is available.

  python3 tools/bench_torch_resnet50.py [--batch 64] [--precision bf16,tf32,fp32] [--repeats 5]
"""
import argparse
import statistics
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--precision", default="bf16,tf32,fp32")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import torch
    import torchvision

    if not torch.cuda.is_available():
        print("bench_torch_resnet50: skipped, no CUDA GPU visible to PyTorch")
        return 0
    torch.manual_seed(0)
    device = torch.device("cuda")
    model = torchvision.models.resnet50(weights=None).eval().to(device, memory_format=torch.channels_last)
    x = torch.randn(args.batch, 3, 224, 224, device=device).to(memory_format=torch.channels_last)
    torch.backends.cudnn.benchmark = True
    print(f"GPU {torch.cuda.get_device_name()} torch {torch.__version__} cuDNN {torch.backends.cudnn.version()}")
    print(f"torchvision resnet50 eval, channels_last, batch {args.batch}, 224x224, median of {args.repeats}")
    print(f"{'prec':>5} {'torch img/s':>12}")
    for precision in args.precision.split(","):
        if precision not in ("fp32", "tf32", "bf16"):
            print(f"unknown precision {precision}", file=sys.stderr)
            return 2
        tf32 = precision == "tf32"
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32

        def forward():
            with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=precision == "bf16"):
                return model(x)

        for _ in range(3):
            forward()
        torch.cuda.synchronize()
        times = []
        for _ in range(args.repeats):
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            forward()
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop) / 1e3)
        print(f"{precision:>5} {args.batch / statistics.median(times):12.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
