// bench_resnet_forward: the frozen ResNet-18 / ResNet-50 forward at 224x224 on the CPU
// (full width, random weights in memory), batch 1 and 16: images/s, GFLOP/s and the fraction
// of the machine's FP32 FMA peak. The baseline, PyTorch on the same machine and threads, is
// tools/bench_torch_resnet.py, run right after this in the same shell:
//   build/bin/bench_resnet_forward && /work/venv/bin/python tools/bench_torch_resnet.py
//
// Peak = cores x clock x 2 AVX-512 FMA units x 16 float lanes x 2 flops, with the clock from
// /proc/cpuinfo ("cpu MHz": in a VM the nominal TSC frequency; turbo may run above it). The
// clock is also measured (a chain of dependent integer multiplies, 3 cycles each) and printed
// as a check: on a shared machine it comes out low, which is why it is not used for the peak.
// Before timing, the forward is validated at 64x64 against a reference forward built from the
// direct 7-loop convolution (float64 accumulation).
//   bench_resnet_forward [--threads N] [--quick]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "benchmarks/timing.h"
#include "engine/ops.h"
#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/threads.h"
#include "tests/common/random.h"

namespace {

using namespace tl;

// GHz from a chain of dependent integer multiplies (latency 3 cycles on every Intel core
// since Nehalem), 8 per loop iteration; the best of 20 short runs, so that a time slice lost
// to another process does not count. (A chain of adds is no clock: recent cores fold
// add-immediate chains at rename and retire several per cycle.)
double measured_ghz() {
  const int64_t iterations = 1'000'000;
  double best = 0;
  for (int run = 0; run < 20; ++run) {
    uint64_t x = 1;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i)
      asm volatile("imul $3, %0, %0\n\timul $3, %0, %0\n\timul $3, %0, %0\n\timul $3, %0, %0\n\t"
                   "imul $3, %0, %0\n\timul $3, %0, %0\n\timul $3, %0, %0\n\timul $3, %0, %0"
                   : "+r"(x));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 3.0 * 8.0 * static_cast<double>(iterations) / s * 1e-9);
  }
  return best;
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double cpuinfo_ghz() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("cpu MHz", 0) == 0) return std::stod(line.substr(line.find(':') + 1)) * 1e-3;
  return 0;
}

// Forward FLOPs (2 per multiply-add) of every conv and the fc, for an h x w input.
double forward_flops(const ResNet& net, int64_t n, int64_t h, int64_t w) {
  double flops = 0;
  auto conv = [&](const ConvUnit& u, int64_t& hh, int64_t& ww) {
    Conv2dShape s;
    s.n = n, s.h = hh, s.w = ww, s.c = u.in_channels, s.k = u.out_channels, s.r = s.s = u.kernel;
    s.stride = u.stride, s.padding = u.padding;
    flops += s.flops();
    hh = s.out_h(), ww = s.out_w();
  };
  conv(net.stem, h, w);
  h = (h + 2 * net.maxpool_padding - net.maxpool_kernel) / net.maxpool_stride + 1;
  w = (w + 2 * net.maxpool_padding - net.maxpool_kernel) / net.maxpool_stride + 1;
  for (const auto& stage : net.stages)
    for (const ResidualBlock& b : stage) {
      int64_t sh = h, sw = w;
      if (b.shortcut) conv(*b.shortcut, sh, sw);
      for (const ConvUnit& u : b.convs) conv(u, h, w);
    }
  return flops + 2.0 * static_cast<double>(n * net.feature_dim * net.num_classes);
}

// The reference forward: same graph, direct convolution.
Tensor direct_conv(const ConvUnit& u, const Tensor& x, bool relu, const Tensor& residual = Tensor()) {
  Conv2dShape s;
  s.n = x.dim(0), s.h = x.dim(1), s.w = x.dim(2), s.c = x.dim(3), s.k = u.out_channels, s.r = s.s = u.kernel;
  s.stride = u.stride, s.padding = u.padding;
  Tensor y = Tensor::empty({s.n, s.out_h(), s.out_w(), s.k}, DType::f32);
  cpu::conv2d_direct(s, x.data<float>(), u.folded_weight.data<float>(), y.data<float>(),
                     {u.folded_bias.data<float>(), residual.defined() ? residual.data<float>() : nullptr, relu});
  return y;
}

Tensor reference_features(const ResNet& net, const Tensor& x) {
  Tensor y = max_pool2d(direct_conv(net.stem, x, true), 3, 2, 1);
  for (const auto& stage : net.stages)
    for (const ResidualBlock& b : stage) {
      const Tensor shortcut = b.shortcut ? direct_conv(*b.shortcut, y, false) : y;
      Tensor t = y;
      for (size_t i = 0; i + 1 < b.convs.size(); ++i) t = direct_conv(b.convs[i], t, true);
      y = direct_conv(b.convs.back(), t, true, shortcut);
    }
  return global_avg_pool(y);
}

bool validate(const ResNet& net) {
  const Tensor x = Tensor::from_vector(test::random_floats(64 * 64 * 3, 7), {1, 64, 64, 3});
  const std::vector<float> ours = forward(net, x).features.to_vector<float>();
  const std::vector<float> ref = reference_features(net, x).to_vector<float>();
  double worst = 0, scale = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::fabs(ours[i] - ref[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(ref[i])));
  }
  const bool ok = worst <= 1e-4 * scale;
  std::printf("  validate %-9s at 64x64 vs direct conv: max abs err %.2e of max %.2e: %s\n", net.architecture.c_str(),
              worst, scale, ok ? "ok" : "FAILED");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    if (!std::strcmp(argv[i], "--quick")) quick = true;
  }
  cpu::set_num_threads(threads);
  const int cores = cpu::num_threads();
  const double ghz = measured_ghz(), nominal = cpuinfo_ghz();
  const double clock = nominal > 0 ? nominal : ghz;
  const double peak = cores * clock * 2 * 16 * 2;  // GFLOP/s
  std::printf("CPU forward, %d threads; clock /proc/cpuinfo %.2f GHz (measured %.2f GHz);\n"
              "FP32 peak %d cores x %.2f GHz x 2 FMA units x 16 lanes x 2 = %.0f GFLOP/s\n",
              cores, nominal, ghz, cores, clock, peak);

  bool all_ok = true;
  // GF/cpu-s: FLOPs per second of CPU time the process got (all threads). On a shared machine
  // this is the per-core efficiency whatever the other processes take (spin-waits count too).
  std::printf("  %-9s %5s %10s %10s %10s %8s %10s\n", "net", "batch", "ms/batch", "images/s", "GFLOP/s", "% peak",
              "GF/cpu-s");
  for (int depth : {18, 50}) {
    ResNet net = build_resnet(ResNetSpec::standard(depth));
    init_random(net, static_cast<uint64_t>(depth));
    all_ok = validate(net) && all_ok;
    for (int batch : {1, 16}) {
      const Tensor x =
          Tensor::from_vector(test::random_floats(static_cast<size_t>(batch) * 224 * 224 * 3, 1), {batch, 224, 224, 3});
      const int repeats = quick ? 1 : (batch == 1 ? 10 : (depth == 50 ? 3 : 5));
      const double cpu0 = process_cpu_seconds();
      const double s = bench::median_seconds([&] { forward(net, x); }, repeats);
      const double cpu_per_run = (process_cpu_seconds() - cpu0) / (repeats + 1);  // + the warm-up
      const double flops = forward_flops(net, batch, 224, 224);
      const double gflops = flops / s * 1e-9;
      std::printf("  %-9s %5d %10.1f %10.1f %10.1f %7.1f%% %10.1f\n", net.architecture.c_str(), batch, s * 1e3,
                  batch / s, gflops, 100.0 * gflops / peak, flops / cpu_per_run * 1e-9);
    }
  }
  return all_ok ? 0 : 1;
}
