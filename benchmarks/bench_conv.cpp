// bench_conv: every distinct convolution shape of ResNet-50 (torchvision v1.5, 224x224), ours
// vs cuDNN, per precision, at batch 64 and 256.
//   ours  = tl::cuda::conv2d (v3 tensor cores for tf32/bf16, 1x1 GEMM or v2 for fp32)
//   cuDNN = tl::cuda::conv2d_cudnn (cudnnFind'd algorithm, cached; same signature)
// Both run with the ResNet epilogue (bias + ReLU fused in ours; a separate pass after cuDNN's
// convolution, see kernels/cuda/cudnn_conv.cpp). BF16 inputs are converted once, untimed.
// These are the kernel-level entry points: the 3-channel stem runs in FP32 on both sides for
// tf32/bf16 (the conv2d op pads it to 4/8 channels for tensor cores; bench_resnet_forward_gpu
// measures that path).
// Each case is validated (ours vs cuDNN, max error relative to max |y|) before it is timed
// with CUDA events: warm-up, median of --repeats. ratio = cuDNN time / our time (>1: ours
// faster; issue 9's target is >= 0.8 in bf16). A time budget keeps the run inside the GPU
// check's step limit: cases not started before it runs out are listed as skipped.
//   bench_conv [--batch 64,256] [--precision bf16,tf32,fp32] [--repeats 10] [--budget-s 90]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "benchmarks/compare.h"
#include "engine/device.h"
#include "kernels/common/conv_shape.h"
#include "kernels/common/precision.h"

#if TL_HAS_CUDA
#include "benchmarks/gpu_timing.h"
#include "kernels/cuda/conv2d.h"
#endif

namespace {

struct ConvLayer {
  int64_t hw, c, k, r, stride;
  const char* where;
};

// The 23 distinct convolutions of ResNet-50 at 224x224 (input spatial size hw x hw).
const ConvLayer kResNet50[] = {
    {224, 3, 64, 7, 2, "stem"},
    {56, 64, 64, 1, 1, "layer1 1x1 reduce"},     {56, 64, 64, 3, 1, "layer1 3x3"},
    {56, 64, 256, 1, 1, "layer1 1x1 expand/proj"}, {56, 256, 64, 1, 1, "layer1 1x1 reduce"},
    {56, 256, 128, 1, 1, "layer2.0 1x1 reduce"}, {56, 128, 128, 3, 2, "layer2.0 3x3/2"},
    {28, 128, 512, 1, 1, "layer2 1x1 expand"},   {56, 256, 512, 1, 2, "layer2.0 proj/2"},
    {28, 512, 128, 1, 1, "layer2 1x1 reduce"},   {28, 128, 128, 3, 1, "layer2 3x3"},
    {28, 512, 256, 1, 1, "layer3.0 1x1 reduce"}, {28, 256, 256, 3, 2, "layer3.0 3x3/2"},
    {14, 256, 1024, 1, 1, "layer3 1x1 expand"},  {28, 512, 1024, 1, 2, "layer3.0 proj/2"},
    {14, 1024, 256, 1, 1, "layer3 1x1 reduce"},  {14, 256, 256, 3, 1, "layer3 3x3"},
    {14, 1024, 512, 1, 1, "layer4.0 1x1 reduce"}, {14, 512, 512, 3, 2, "layer4.0 3x3/2"},
    {7, 512, 2048, 1, 1, "layer4 1x1 expand"},   {14, 1024, 2048, 1, 2, "layer4.0 proj/2"},
    {7, 2048, 512, 1, 1, "layer4 1x1 reduce"},   {7, 512, 512, 3, 1, "layer4 3x3"},
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

#if TL_HAS_CUDA
// A device buffer for the benchmark's lifetime of one case.
struct DeviceBuffer {
  void* p = nullptr;
  explicit DeviceBuffer(size_t bytes) { TL_CUDA_CHECK(cudaMalloc(&p, bytes)); }
  ~DeviceBuffer() { cudaFree(p); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <typename T>
  T* as() const { return static_cast<T*>(p); }
};

// Deterministic pseudo-random values in [-1, 1), written on the host once per buffer.
void fill_random(float* device, int64_t n, uint32_t seed) {
  std::vector<float> host(static_cast<size_t>(n));
  uint32_t state = seed * 2654435761u + 1;
  for (float& v : host) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  TL_CUDA_CHECK(cudaMemcpy(device, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice));
}

double max_rel_diff(const float* a_dev, const float* b_dev, int64_t n) {
  std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
  TL_CUDA_CHECK(cudaMemcpy(a.data(), a_dev, a.size() * sizeof(float), cudaMemcpyDeviceToHost));
  TL_CUDA_CHECK(cudaMemcpy(b.data(), b_dev, b.size() * sizeof(float), cudaMemcpyDeviceToHost));
  return tl::bench::max_relative_difference(a, b);
}

// Ours vs cuDNN may differ by both sides' rounding; relative to max |y|.
double validation_limit(tl::Precision p) {
  return p == tl::Precision::fp32 ? 1e-4 : (p == tl::Precision::tf32 ? 5e-3 : 3e-2);
}

void run(const std::vector<int64_t>& batches, const std::vector<tl::Precision>& precisions, int repeats,
         double budget_s) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  cudaStream_t stream = nullptr;  // the legacy default stream; both sides use it
  std::printf("GPU %s\n", tl::cuda_status().description.c_str());
  std::printf("ResNet-50 convolutions, epilogue bias+ReLU; times are medians of %d; ratio = cuDNN / ours\n", repeats);
  std::printf("%5s %5s  %-24s %4s %5s %5s %3s %2s %9s %9s %8s %8s %6s\n", "batch", "prec", "layer", "HW", "C", "K",
              "R", "s", "ours ms", "cuDNN ms", "ours TF", "cuDNN TF", "ratio");
  int skipped = 0;
  for (int64_t batch : batches)
    for (tl::Precision p : precisions)
      for (const ConvLayer& l : kResNet50) {
        if (std::chrono::duration<double>(Clock::now() - t0).count() > budget_s) {
          ++skipped;
          continue;
        }
        try {
          tl::Conv2dShape s;
          s.n = batch, s.h = l.hw, s.w = l.hw, s.c = l.c, s.k = l.k, s.r = l.r, s.s = l.r, s.stride = l.stride;
          s.padding = l.r / 2;
          const int64_t nx = s.n * s.h * s.w * s.c, nw = s.k * s.r * s.s * s.c, ny = s.gemm_m() * s.k;
          DeviceBuffer x(nx * 4), w(nw * 4), bias(s.k * 4), y_ours(ny * 4), y_cudnn(ny * 4), x16(nx * 2), w16(nw * 2);
          fill_random(x.as<float>(), nx, 1);
          fill_random(w.as<float>(), nw, 2);
          fill_random(bias.as<float>(), s.k, 3);
          tl::cuda::convert_to_bf16(x.as<float>(), x16.as<tl::bf16>(), nx, stream);
          tl::cuda::convert_to_bf16(w.as<float>(), w16.as<tl::bf16>(), nw, stream);
          tl::ConvEpilogue e;
          e.bias = bias.as<float>();
          e.relu = true;
          tl::cuda::ConvOperands ours{x.as<float>(), w.as<float>(), x16.as<tl::bf16>(), w16.as<tl::bf16>(),
                                      y_ours.as<float>()};
          tl::cuda::ConvOperands theirs = ours;
          theirs.y = y_cudnn.as<float>();
          tl::cuda::conv2d(s, ours, e, p, stream);
          tl::cuda::conv2d_cudnn(s, theirs, e, p, stream);
          TL_CUDA_CHECK(cudaStreamSynchronize(stream));
          const double diff = max_rel_diff(y_ours.as<float>(), y_cudnn.as<float>(), ny);
          const double t_ours = tl::bench::median_gpu_seconds([&] { tl::cuda::conv2d(s, ours, e, p, stream); }, repeats,
                                                              stream);
          const double t_cudnn = tl::bench::median_gpu_seconds(
              [&] { tl::cuda::conv2d_cudnn(s, theirs, e, p, stream); }, repeats, stream);
          std::printf("%5lld %5s  %-24s %4lld %5lld %5lld %3lld %2lld %9.3f %9.3f %8.1f %8.1f %6.2f%s\n",
                      static_cast<long long>(batch), tl::precision_name(p), l.where, static_cast<long long>(l.hw),
                      static_cast<long long>(l.c), static_cast<long long>(l.k), static_cast<long long>(l.r),
                      static_cast<long long>(l.stride), t_ours * 1e3, t_cudnn * 1e3, s.flops() / t_ours * 1e-12,
                      s.flops() / t_cudnn * 1e-12, t_cudnn / t_ours,
                      diff > validation_limit(p) ? "  VALIDATION FAILED" : "");
          std::fflush(stdout);
        } catch (const std::exception& e) {  // one failing case must not hide the others
          std::printf("%5lld %5s  %-24s FAILED: %s\n", static_cast<long long>(batch), tl::precision_name(p), l.where,
                      e.what());
          std::fflush(stdout);
        }
      }
  if (skipped) std::printf("budget of %.0f s reached: %d cases skipped\n", budget_s, skipped);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> batches{64, 256};
  std::vector<tl::Precision> precisions{tl::Precision::bf16, tl::Precision::tf32, tl::Precision::fp32};
  int repeats = 10;
  double budget_s = 90;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (arg == "--batch" && has_value) {
        batches.clear();
        for (const std::string& b : split(argv[++i])) batches.push_back(std::stoll(b));
      } else if (arg == "--precision" && has_value) {
        precisions.clear();
        for (const std::string& p : split(argv[++i])) precisions.push_back(tl::parse_precision(p));
      } else if (arg == "--repeats" && has_value) {
        repeats = std::stoi(argv[++i]);
      } else if (arg == "--budget-s" && has_value) {
        budget_s = std::stod(argv[++i]);
      } else {
        std::fprintf(stderr, "usage: bench_conv [--batch 64,256] [--precision bf16,tf32,fp32] [--repeats N] [--budget-s S]\n");
        return 2;
      }
    }
    if (!tl::cuda_available()) {
      std::printf("bench_conv: skipped, %s\n", tl::cuda_status_line().c_str());
      return 0;
    }
#if TL_HAS_CUDA
    run(batches, precisions, repeats, budget_s);
#endif
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_conv: %s\n", e.what());
    return 1;
  }
  return 0;
}
