// CUDA max pool, global average pool and linear against the CPU reference ops, on awkward
// sizes, outputs poisoned through the caching allocator before each run (a freed NaN-filled
// block of the same size is what the op's output gets next).
#include <gtest/gtest.h>

#include <ostream>

#include <cmath>

#include "engine/ops.h"
#include "tests/common/gpu.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

// Leaves a NaN-filled free block of `shape`'s size in the caching allocator.
void poison_next(const Shape& shape) {
  Tensor t = Tensor::empty(shape, DType::f32, Device::cuda(0));
  fill(t, NAN);
}

struct PoolCase {
  int64_t n, h, w, c;
  int kernel, stride, padding;
};

// Readable, deterministic test names (the default prints the struct's bytes, padding included).
void PrintTo(const PoolCase& c, std::ostream* os) {
  *os << "N" << c.n << "_H" << c.h << "_W" << c.w << "_C" << c.c << "_k" << c.kernel << "_s" << c.stride << "_p"
      << c.padding;
}

class CudaMaxPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(CudaMaxPool, MatchesCpuExactly) {
  TL_REQUIRE_GPU();
  const PoolCase p = GetParam();
  // All inputs negative: a padded cell counted as 0 would win at every border, so this checks
  // the -inf padding semantics.
  const size_t count = static_cast<size_t>(p.n * p.h * p.w * p.c);
  for (const auto& [lo, hi] : {std::pair{-1.0f, 1.0f}, std::pair{-2.0f, -1.0f}}) {
    const Tensor x = Tensor::from_vector(test::random_floats(count, 31, lo, hi), {p.n, p.h, p.w, p.c});
    const Tensor expected = max_pool2d(x, p.kernel, p.stride, p.padding);
    poison_next(expected.shape());
    const Tensor y = max_pool2d(x.to(Device::cuda(0)), p.kernel, p.stride, p.padding);
    EXPECT_EQ(y.shape(), expected.shape());
    // A max selects one of its inputs: bit-exact.
    EXPECT_TRUE(all_close(y.to_vector<float>(), expected.to_vector<float>(), Tolerance{0, 0}))
        << "kernel " << p.kernel << " stride " << p.stride << " padding " << p.padding << " range " << lo;
  }
}

INSTANTIATE_TEST_SUITE_P(AwkwardShapes, CudaMaxPool,
                         ::testing::Values(PoolCase{1, 7, 9, 5, 3, 2, 1},     // ResNet's 3x3/2 pad 1
                                           PoolCase{2, 112, 112, 8, 3, 2, 1},  // the real spatial size
                                           PoolCase{3, 5, 6, 3, 2, 2, 0}, PoolCase{1, 4, 4, 1, 3, 1, 1},
                                           PoolCase{2, 3, 3, 7, 1, 1, 0}));

TEST(CudaGlobalAvgPool, MatchesCpu) {
  TL_REQUIRE_GPU();
  for (const Shape& shape : {Shape{1, 7, 7, 3}, Shape{3, 5, 9, 130}, Shape{2, 1, 1, 17}, Shape{2, 56, 56, 4}}) {
    const Tensor x = Tensor::from_vector(test::random_floats(static_cast<size_t>(shape.numel()), 32), shape);
    const Tensor expected = global_avg_pool(x);  // float64 sums
    poison_next(expected.shape());
    const Tensor y = global_avg_pool(x.to(Device::cuda(0)));
    // A float32 sum of H*W values in [-1, 1]: error <= H*W * 2^-24 before the division by H*W.
    EXPECT_TRUE(all_close(y.to_vector<float>(), expected.to_vector<float>(), Tolerance{1e-6, 1e-5}))
        << shape.str();
  }
}

TEST(CudaLinear, OursAndCublasMatchCpu) {
  TL_REQUIRE_GPU();
  const Device gpu = Device::cuda(0);
  for (const auto& [n, in, out] : {std::tuple{1, 64, 10}, std::tuple{7, 130, 33}, std::tuple{65, 17, 3}}) {
    const Tensor x = Tensor::from_vector(test::random_floats(static_cast<size_t>(n * in), 41), {n, in});
    const Tensor w = Tensor::from_vector(test::random_floats(static_cast<size_t>(out * in), 42), {out, in});
    const Tensor b = Tensor::from_vector(test::random_floats(static_cast<size_t>(out), 43), {out});
    const std::vector<float> expected = linear(x, w, b).to_vector<float>();
    const Tolerance tol = test::for_dot(Precision::fp32, in);
    poison_next({n, out});
    EXPECT_TRUE(all_close(linear(x.to(gpu), w.to(gpu), b.to(gpu)).to_vector<float>(), expected, tol)) << "ours";
    poison_next({n, out});
    EXPECT_TRUE(all_close(linear(x.to(gpu), w.to(gpu), Tensor()).to_vector<float>(),
                          linear(x, w, Tensor()).to_vector<float>(), tol))
        << "ours, no bias";
  }
}

TEST(CudaLinear, CublasMatchesCpu) {
  TL_REQUIRE_GPU();
  TL_REQUIRE_VENDOR_LIBS();
  const Device gpu = Device::cuda(0);
  const Tensor x = Tensor::from_vector(test::random_floats(7 * 130, 44), {7, 130});
  const Tensor w = Tensor::from_vector(test::random_floats(33 * 130, 45), {33, 130});
  const Tensor b = Tensor::from_vector(test::random_floats(33, 46), {33});
  EXPECT_TRUE(all_close(linear(x.to(gpu), w.to(gpu), b.to(gpu), KernelLib::vendor).to_vector<float>(),
                        linear(x, w, b).to_vector<float>(), test::for_dot(Precision::fp32, 130)));
}

}  // namespace
}  // namespace tl
