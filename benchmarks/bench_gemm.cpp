// bench_gemm: SGEMM GFLOP/s at several square and ResNet-like sizes.
//   CPU: our blocked loop vs OpenBLAS (the baseline), ratio = ours / OpenBLAS.
//   GPU: our tiled SGEMM vs cuBLAS (FP32, no TF32), timed with CUDA events, median of 20.
// Each case is validated against the baseline before it is timed.
//   bench_gemm [--cpu-only] [--threads N]
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "benchmarks/compare.h"
#include "benchmarks/timing.h"
#include "engine/device.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/threads.h"
#include "tests/common/random.h"

#if TL_HAS_CUDA
#include <cuda_runtime.h>

#include "benchmarks/gpu_timing.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/gemm.h"
#endif

namespace {

struct Case {
  int m, n, k;
  const char* what;
};

const Case kCases[] = {{256, 256, 256, "square"},       {512, 512, 512, "square"},
                       {1024, 1024, 1024, "square"},    {2048, 2048, 2048, "square"},
                       {3136, 64, 576, "resnet 3x3 c64 56x56 (N=1)"}, {784, 512, 128, "resnet 1x1 c128->512 28x28"},
                       {64, 1000, 2048, "fc head, batch 64"}};

void bench_cpu() {
  std::printf("CPU (%d threads): ours = cache-blocked loop, baseline = OpenBLAS\n", tl::cpu::num_threads());
  std::printf("  %-30s %8s %8s %8s %12s %12s %7s\n", "case", "M", "N", "K", "ours GF/s", "BLAS GF/s", "ratio");
  for (const Case& c : kCases) {
    const tl::GemmShape s{c.m, c.n, c.k};
    const auto a = tl::test::random_floats(static_cast<size_t>(c.m) * c.k, 1);
    const auto b = tl::test::random_floats(static_cast<size_t>(c.k) * c.n, 2);
    std::vector<float> ours(static_cast<size_t>(c.m) * c.n), blas(ours.size());
    tl::cpu::gemm(s, a.data(), b.data(), blas.data());
    tl::cpu::gemm_blocked(s, a.data(), b.data(), ours.data());
    if (tl::bench::max_relative_difference(ours, blas) > 1e-5) std::printf("  VALIDATION FAILED for %s\n", c.what);
    const int repeats = s.flops() > 4e9 ? 3 : 10;
    const double t_ours = tl::bench::median_seconds([&] { tl::cpu::gemm_blocked(s, a.data(), b.data(), ours.data()); }, repeats);
    const double t_blas = tl::bench::median_seconds([&] { tl::cpu::gemm(s, a.data(), b.data(), blas.data()); }, repeats);
    std::printf("  %-30s %8d %8d %8d %12.1f %12.1f %7.2f\n", c.what, c.m, c.n, c.k, s.flops() / t_ours * 1e-9,
                s.flops() / t_blas * 1e-9, t_blas / t_ours);
  }
}

#if TL_HAS_CUDA
void bench_gpu() {
  std::printf("GPU %s: ours = tiled SGEMM, baseline = cuBLAS FP32\n", tl::cuda_status().description.c_str());
  std::printf("  %-30s %8s %8s %8s %12s %12s %7s\n", "case", "M", "N", "K", "ours GF/s", "cuBLAS GF/s", "ratio");
  for (const Case& c : kCases) {
    const tl::GemmShape s{c.m, c.n, c.k};
    const size_t na = static_cast<size_t>(c.m) * c.k, nb = static_cast<size_t>(c.k) * c.n, nc = static_cast<size_t>(c.m) * c.n;
    const auto a = tl::test::random_floats(na, 1), b = tl::test::random_floats(nb, 2);
    float *da, *db, *dc_ours, *dc_blas;
    TL_CUDA_CHECK(cudaMalloc(&da, na * 4));
    TL_CUDA_CHECK(cudaMalloc(&db, nb * 4));
    TL_CUDA_CHECK(cudaMalloc(&dc_ours, nc * 4));
    TL_CUDA_CHECK(cudaMalloc(&dc_blas, nc * 4));
    TL_CUDA_CHECK(cudaMemcpy(da, a.data(), na * 4, cudaMemcpyHostToDevice));
    TL_CUDA_CHECK(cudaMemcpy(db, b.data(), nb * 4, cudaMemcpyHostToDevice));
    tl::cuda::gemm(s, da, db, dc_ours, nullptr);
    tl::cuda::gemm_cublas(s, da, db, dc_blas, nullptr);
    std::vector<float> ours(nc), blas(nc);
    TL_CUDA_CHECK(cudaMemcpy(ours.data(), dc_ours, nc * 4, cudaMemcpyDeviceToHost));
    TL_CUDA_CHECK(cudaMemcpy(blas.data(), dc_blas, nc * 4, cudaMemcpyDeviceToHost));
    if (tl::bench::max_relative_difference(ours, blas) > 1e-5) std::printf("  VALIDATION FAILED for %s\n", c.what);
    const double t_ours = tl::bench::median_gpu_seconds([&] { tl::cuda::gemm(s, da, db, dc_ours, nullptr); }, 20, nullptr);
    const double t_blas = tl::bench::median_gpu_seconds([&] { tl::cuda::gemm_cublas(s, da, db, dc_blas, nullptr); }, 20, nullptr);
    std::printf("  %-30s %8d %8d %8d %12.1f %12.1f %7.2f\n", c.what, c.m, c.n, c.k, s.flops() / t_ours * 1e-9,
                s.flops() / t_blas * 1e-9, t_blas / t_ours);
    for (float* p : {da, db, dc_ours, dc_blas}) TL_CUDA_CHECK(cudaFree(p));
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  bool cpu_only = false;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--cpu-only") == 0) cpu_only = true;
    else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::stoi(argv[++i]);
    else { std::fprintf(stderr, "usage: bench_gemm [--cpu-only] [--threads N]\n"); return 2; }
  }
  try {
    tl::cpu::set_num_threads(threads);
    bench_cpu();
#if TL_HAS_CUDA
    if (!cpu_only && tl::cuda_available()) bench_gpu();
#endif
    if (!cpu_only && !tl::cuda_available()) std::printf("%s: GPU part skipped\n", tl::cuda_status_line().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_gemm: %s\n", e.what());
    return 1;
  }
  return 0;
}
