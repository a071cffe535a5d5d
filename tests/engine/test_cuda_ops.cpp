// CUDA ops against the CPU reference: random inputs of awkward sizes, outputs poisoned
// (NaN-filled) before each run so that an element the kernel forgets to write fails.
// Skipped, with the reason, where no GPU is usable.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/cuda_allocator.h"
#include "engine/ops.h"
#include "engine/stream.h"
#include "kernels/cpu/gemm.h"
#include "tests/common/gpu.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

Tensor poisoned(const Shape& shape, Device device) {
  Tensor t = Tensor::empty(shape, DType::f32, device);
  fill(t, NAN);
  return t;
}

TEST(CudaOps, ElementwiseMatchesCpu) {
  TL_REQUIRE_GPU();
  const Device gpu = Device::cuda(0);
  // On the emulator every CUDA thread is an OS thread: the large case there still spans
  // several hundred blocks.
  for (int64_t n : {int64_t{1}, int64_t{255}, int64_t{257}, test::emulated() ? int64_t{100003} : int64_t{1000003}}) {
    const auto av = test::random_floats(static_cast<size_t>(n), 11);
    const auto bv = test::random_floats(static_cast<size_t>(n), 12);
    const Tensor a = Tensor::from_vector(av, {n}), b = Tensor::from_vector(bv, {n});
    const Tensor ga = a.to(gpu), gb = b.to(gpu);
    EXPECT_TRUE(all_close(add(ga, gb).to_vector<float>(), add(a, b).to_vector<float>(), Tolerance{0, 0})) << n;
    EXPECT_TRUE(all_close(relu(ga).to_vector<float>(), relu(a).to_vector<float>(), Tolerance{0, 0})) << n;
    Tensor f = poisoned({n}, gpu);
    fill(f, 3.0f);
    EXPECT_TRUE(all_close(f.to_vector<float>(), std::vector<float>(static_cast<size_t>(n), 3.0f), Tolerance{0, 0}));
  }
}

class CudaGemm : public ::testing::TestWithParam<std::tuple<int, int, int, bool, bool>> {
 protected:
  // Runs gemm with `lib` on the GPU and compares with the CPU (OpenBLAS) result.
  void check(KernelLib lib) {
    const auto [m, n, k, ta, tb] = GetParam();
    const Device gpu = Device::cuda(0);
    const Tensor a = Tensor::from_vector(test::random_floats(static_cast<size_t>(m * k), 21),
                                         ta ? Shape{k, m} : Shape{m, k});
    const Tensor b = Tensor::from_vector(test::random_floats(static_cast<size_t>(k * n), 22),
                                         tb ? Shape{n, k} : Shape{k, n});
    const Tensor expected = matmul(a, b, ta, tb);
    // Summation order differs from OpenBLAS: errors ~ sqrt(k) * 2^-24 * k for inputs in [-1, 1].
    const Tolerance tol{1e-5 * std::sqrt(static_cast<double>(k)), 1e-5};
    Tensor c = poisoned({m, n}, gpu);
    gemm(a.to(gpu), b.to(gpu), c, ta, tb, 1.0f, 0.0f, lib);
    EXPECT_TRUE(all_close(c.to_vector<float>(), expected.to_vector<float>(), tol));
  }
};

TEST_P(CudaGemm, OursMatchesCpu) {
  TL_REQUIRE_GPU();
  check(KernelLib::ours);
}

TEST_P(CudaGemm, CublasMatchesCpu) {
  TL_REQUIRE_GPU();
  TL_REQUIRE_VENDOR_LIBS();
  check(KernelLib::vendor);
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, CudaGemm,
                         ::testing::Values(std::make_tuple(1, 1, 1, false, false), std::make_tuple(63, 65, 17, false, false),
                                           std::make_tuple(129, 97, 300, true, false),
                                           std::make_tuple(200, 31, 64, false, true),
                                           std::make_tuple(17, 513, 33, true, true)));

TEST(CudaAllocator, ReusesFreedBlocksAndTracksPeak) {
  TL_REQUIRE_GPU();
  CudaCachingAllocator& alloc = CudaCachingAllocator::for_device(0);
  alloc.empty_cache();
  alloc.reset_peak();
  const MemoryStats before = alloc.stats();
  void* first = nullptr;
  {
    Tensor t = Tensor::empty({1 << 20}, DType::f32, Device::cuda(0));
    first = t.raw_data();
    EXPECT_EQ(alloc.stats().current_bytes, before.current_bytes + (4u << 20));
  }
  EXPECT_EQ(alloc.stats().current_bytes, before.current_bytes);
  Tensor again = Tensor::empty({1 << 20}, DType::f32, Device::cuda(0));
  EXPECT_EQ(again.raw_data(), first) << "a freed block of the same size is reused";
  EXPECT_EQ(alloc.stats().peak_bytes, before.current_bytes + (4u << 20));
}

}  // namespace
}  // namespace tl
