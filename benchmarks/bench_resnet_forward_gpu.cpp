// bench_resnet_forward_gpu: frozen ResNet-50 forward (224x224, random weights, BN folded),
// images/s of our kernels vs the cuDNN/cuBLAS backend, per precision, on one GPU in one run.
// Weights are uploaded once (to_device); the input batch is on the device before timing, so
// this measures the network, not the upload. Validation first: ours vs cuDNN features, max
// error relative to max |features|. Median of --repeats full forwards timed with CUDA events.
// tools/bench_torch_resnet50.py is the PyTorch side (same batch, precision, channels_last).
//   bench_resnet_forward_gpu [--batch 64] [--precision bf16,tf32,fp32] [--repeats 5]
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "benchmarks/compare.h"
#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "engine/stream.h"
#include "tests/common/random.h"

#if TL_HAS_CUDA
#include "benchmarks/gpu_timing.h"
#endif

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

#if TL_HAS_CUDA

void run(int64_t batch, const std::vector<tl::Precision>& precisions, int repeats) {
  const tl::Device gpu = tl::Device::cuda(0);
  tl::ResNet net = tl::build_resnet(tl::ResNetSpec::standard(50));
  tl::init_random(net, 1);
  const tl::Tensor x = tl::Tensor::from_vector(
      tl::test::random_floats(static_cast<size_t>(batch * 224 * 224 * 3), 7), {batch, 224, 224, 3}).to(gpu);
  const auto stream = tl::stream_for(gpu);
  std::printf("GPU %s\n", tl::cuda_status().description.c_str());
  std::printf("ResNet-50 frozen forward, batch %lld, 224x224, median of %d\n", static_cast<long long>(batch), repeats);
  std::printf("%5s %12s %12s %7s %10s\n", "prec", "ours img/s", "cuDNN img/s", "ratio", "max diff");
  for (tl::Precision p : precisions) {
    const tl::ResNet on_gpu = tl::to_device(net, gpu, p);
    tl::ForwardOptions options;
    options.precision = p;
    tl::ForwardOptions vendor = options;
    vendor.lib = tl::KernelLib::vendor;
    const double diff = tl::bench::max_relative_difference(tl::forward(on_gpu, x, options).features.to_vector<float>(),
                                     tl::forward(on_gpu, x, vendor).features.to_vector<float>());
    const double t_ours = tl::bench::median_gpu_seconds([&] { tl::forward(on_gpu, x, options); }, repeats, stream);
    const double t_cudnn = tl::bench::median_gpu_seconds([&] { tl::forward(on_gpu, x, vendor); }, repeats, stream);
    const double limit = p == tl::Precision::fp32 ? 1e-3 : (p == tl::Precision::tf32 ? 2e-2 : 1e-1);
    std::printf("%5s %12.1f %12.1f %7.2f %10.2e%s\n", tl::precision_name(p), batch / t_ours, batch / t_cudnn,
                t_cudnn / t_ours, diff, diff > limit ? "  VALIDATION FAILED" : "");
    std::fflush(stdout);
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  int64_t batch = 64;
  int repeats = 5;
  std::vector<tl::Precision> precisions{tl::Precision::bf16, tl::Precision::tf32, tl::Precision::fp32};
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (arg == "--batch" && has_value) {
        batch = std::stoll(argv[++i]);
      } else if (arg == "--repeats" && has_value) {
        repeats = std::stoi(argv[++i]);
      } else if (arg == "--precision" && has_value) {
        precisions.clear();
        for (const std::string& p : split(argv[++i])) precisions.push_back(tl::parse_precision(p));
      } else {
        std::fprintf(stderr, "usage: bench_resnet_forward_gpu [--batch N] [--precision bf16,tf32,fp32] [--repeats N]\n");
        return 2;
      }
    }
    if (!tl::cuda_available()) {
      std::printf("bench_resnet_forward_gpu: skipped, %s\n", tl::cuda_status_line().c_str());
      return 0;
    }
#if TL_HAS_CUDA
    run(batch, precisions, repeats);
#endif
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_resnet_forward_gpu: %s\n", e.what());
    return 1;
  }
  return 0;
}
