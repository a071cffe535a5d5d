// bench_head_training_gpu: one head-training epoch from cached features on the GPU: our
// kernels (GEMM, softmax cross-entropy, optimizer, gather) against the same epoch with cuBLAS
// GEMMs in the linear layers, and against tl's CPU path (OpenBLAS, all cores) in the same run.
//
// The features are cached ResNet-50-sized rows (N, 2048) already on the device, as `tl train
// --device cuda` holds them; random values, random labels over K classes. Each epoch shuffles,
// gathers its batches on the device, and reads the loss back once per batch. Validation
// before timing: one unshuffled epoch from the same initial head must give the same parameters
// with our GEMMs, with cuBLAS, and on the CPU (on the first --check rows), within float32 GEMM
// rounding (relative 1e-3 of the largest parameter after the epoch).
//
//   bench_head_training_gpu [--rows N] [--features F] [--classes K] [--batch B] [--repeats R]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "benchmarks/compare.h"
#include "benchmarks/timing.h"
#include "engine/head.h"
#include "engine/stream.h"
#include "engine/trainer.h"
#include "kernels/cpu/threads.h"
#include "tests/common/random.h"

namespace {

struct Setup {
  int64_t rows = 50000, features = 2048, classes = 100, batch = 256, check = 2048;
  int repeats = 5;
};

tl::LabeledFeatures random_set(const Setup& s, tl::Device device) {
  std::vector<int32_t> labels(static_cast<size_t>(s.rows));
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int32_t>((i * 7919) % s.classes);
  return {tl::Tensor::from_vector(tl::test::random_floats(static_cast<size_t>(s.rows * s.features), 3, 0.0f, 2.0f),
                                  {s.rows, s.features}).to(device),
          tl::Tensor::from_vector(labels, {s.rows}).to(device)};
}

tl::TrainConfig one_epoch(const Setup& s, bool shuffle) {
  tl::TrainConfig config;
  config.epochs = 1;
  config.batch_size = s.batch;
  config.shuffle = shuffle;
  config.optimizer = tl::OptimizerConfig::sgd(0.01f, 0.9f, 1e-4f);
  return config;
}

std::vector<float> parameters_of(tl::Head& head) {
  std::vector<float> all;
  for (const tl::Parameter& p : head.parameters()) {
    const std::vector<float> v = p.value.to(tl::Device::cpu()).to_vector<float>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

// The head after one unshuffled epoch on `data` (fresh head from the config's seed).
std::vector<float> trained(const tl::HeadConfig& hc, const tl::LabeledFeatures& data, const Setup& s,
                           tl::KernelLib lib) {
  tl::Head head(hc);
  head.to(data.features.device());
  head.set_kernel_lib(lib);
  tl::train_head(head, data, nullptr, one_epoch(s, false));
  return parameters_of(head);
}

void run(const Setup& s) {
  const tl::Device gpu = tl::Device::cuda(0), cpu = tl::Device::cpu();
  std::printf("GPU %s; CPU path: %d threads\n", tl::cuda_status().description.c_str(), tl::cpu::num_threads());
  std::printf("one head epoch from cached features: %lld rows x %lld features, %lld classes, batch %lld, "
              "SGD momentum, median of %d\n",
              static_cast<long long>(s.rows), static_cast<long long>(s.features), static_cast<long long>(s.classes),
              static_cast<long long>(s.batch), s.repeats);
  const tl::LabeledFeatures on_gpu = random_set(s, gpu);
  const tl::LabeledFeatures on_cpu = random_set(s, cpu);
  Setup check = s;
  check.rows = std::min(s.check, s.rows);
  const tl::LabeledFeatures check_cpu{on_cpu.features.slice(0, check.rows), on_cpu.labels.slice(0, check.rows)};
  const tl::LabeledFeatures check_gpu{on_gpu.features.slice(0, check.rows), on_gpu.labels.slice(0, check.rows)};
  std::printf("%6s %12s %12s %12s %8s %9s %10s %10s\n", "head", "ours ms", "cuBLAS ms", "CPU ms", "cuBLAS/",
              "CPU/ours", "diff vs", "diff vs");
  std::printf("%6s %12s %12s %12s %8s %9s %10s %10s\n", "", "", "", "", "ours", "", "cuBLAS", "CPU");
  for (const tl::HeadKind kind : {tl::HeadKind::linear, tl::HeadKind::mlp}) {
    tl::HeadConfig hc;
    hc.kind = kind, hc.in_features = s.features, hc.hidden = 512, hc.num_classes = s.classes, hc.seed = 1;
    const std::vector<float> ours = trained(hc, check_gpu, check, tl::KernelLib::ours);
    const double diff_cublas = tl::bench::max_relative_difference(trained(hc, check_gpu, check, tl::KernelLib::vendor), ours);
    const double diff_cpu = tl::bench::max_relative_difference(trained(hc, check_cpu, check, tl::KernelLib::ours), ours);

    auto epoch_seconds = [&](const tl::LabeledFeatures& data, tl::KernelLib lib, int repeats) {
      tl::Head head(hc);
      head.to(data.features.device());
      head.set_kernel_lib(lib);
      return tl::bench::median_seconds(
          [&] {
            tl::train_head(head, data, nullptr, one_epoch(s, true));
            tl::synchronize(data.features.device());
          },
          repeats);
    };
    const double t_ours = epoch_seconds(on_gpu, tl::KernelLib::ours, s.repeats);
    const double t_cublas = epoch_seconds(on_gpu, tl::KernelLib::vendor, s.repeats);
    const double t_cpu = epoch_seconds(on_cpu, tl::KernelLib::ours, 1);
    const bool ok = diff_cublas < 1e-3 && diff_cpu < 1e-3;
    std::printf("%6s %12.1f %12.1f %12.1f %8.2f %9.1f %10.1e %10.1e%s\n", kind == tl::HeadKind::linear ? "linear" : "mlp",
                t_ours * 1e3, t_cublas * 1e3, t_cpu * 1e3, t_cublas / t_ours, t_cpu / t_ours, diff_cublas, diff_cpu,
                ok ? "" : "  VALIDATION FAILED");
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Setup s;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (arg == "--rows" && has_value) {
        s.rows = std::stoll(argv[++i]);
      } else if (arg == "--features" && has_value) {
        s.features = std::stoll(argv[++i]);
      } else if (arg == "--classes" && has_value) {
        s.classes = std::stoll(argv[++i]);
      } else if (arg == "--batch" && has_value) {
        s.batch = std::stoll(argv[++i]);
      } else if (arg == "--repeats" && has_value) {
        s.repeats = std::stoi(argv[++i]);
      } else {
        std::fprintf(stderr,
                     "usage: bench_head_training_gpu [--rows N] [--features F] [--classes K] [--batch B] "
                     "[--repeats R]\n");
        return 2;
      }
    }
    if (!tl::cuda_available()) {
      std::printf("bench_head_training_gpu: skipped, %s\n", tl::cuda_status_line().c_str());
      return 0;
    }
    run(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_head_training_gpu: %s\n", e.what());
    return 1;
  }
  return 0;
}
