// CPU reference ops against hand-worked values and a float64 GEMM.
#include <gtest/gtest.h>

#include "engine/ops.h"
#include "kernels/cpu/gemm.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

TEST(CpuOps, FillAddRelu) {
  Tensor t = Tensor::empty({3}, DType::f32);
  fill(t, 2.5f);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{2.5f, 2.5f, 2.5f}));
  const Tensor a = Tensor::from_vector(std::vector<float>{1, -2, 3}, {3});
  EXPECT_EQ(add(a, t).to_vector<float>(), (std::vector<float>{3.5f, 0.5f, 5.5f}));
  EXPECT_EQ(relu(a).to_vector<float>(), (std::vector<float>{1, 0, 3}));
  EXPECT_THROW(add(a, Tensor::zeros({4}, DType::f32)), Error);
  EXPECT_THROW(relu(Tensor::zeros({3}, DType::i32)), Error);
}

TEST(CpuOps, MatmulHandWorked) {
  // [[1 2 3] [4 5 6]] x [[1 0] [0 1] [1 1]] = [[4 5] [10 11]]
  const Tensor a = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector(std::vector<float>{1, 0, 0, 1, 1, 1}, {3, 2});
  EXPECT_EQ(matmul(a, b).to_vector<float>(), (std::vector<float>{4, 5, 10, 11}));
  EXPECT_THROW(matmul(a, a), Error);
}

// float64 reference of C = alpha op(A) op(B) + beta C.
std::vector<double> gemm_reference(const GemmShape& s, const std::vector<float>& a, const std::vector<float>& b,
                                   const std::vector<float>& c) {
  std::vector<double> out(static_cast<size_t>(s.m * s.n));
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t j = 0; j < s.n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < s.k; ++p) {
        const double av = s.trans_a ? a[p * s.m + i] : a[i * s.k + p];
        const double bv = s.trans_b ? b[j * s.k + p] : b[p * s.n + j];
        acc += av * bv;
      }
      out[i * s.n + j] = s.alpha * acc + s.beta * c[i * s.n + j];
    }
  return out;
}

class CpuGemm : public ::testing::TestWithParam<std::tuple<int, int, int, bool, bool>> {};

TEST_P(CpuGemm, MatchesFloat64ForBlasAndBlocked) {
  const auto [m, n, k, ta, tb] = GetParam();
  GemmShape s{m, n, k, ta, tb, 0.75f, 0.5f};
  const auto a = test::random_floats(static_cast<size_t>(m * k), 1);
  const auto b = test::random_floats(static_cast<size_t>(k * n), 2);
  const auto c0 = test::random_floats(static_cast<size_t>(m * n), 3);
  const auto expected = gemm_reference(s, a, b, c0);
  // A float32 dot product of length k with inputs in [-1, 1] has a rounding error of about
  // sqrt(k) * 2^-24 relative to sum |a||b| <= k; atol 1e-5 covers k up to ~300 with margin.
  const Tolerance tol{1e-5, 1e-5};
  auto c = c0;
  cpu::gemm(s, a.data(), b.data(), c.data());
  EXPECT_TRUE(all_close(c, expected, tol)) << "OpenBLAS";
  c = c0;
  cpu::gemm_blocked(s, a.data(), b.data(), c.data());
  EXPECT_TRUE(all_close(c, expected, tol)) << "blocked";
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, CpuGemm,
                         ::testing::Values(std::make_tuple(1, 1, 1, false, false), std::make_tuple(7, 13, 5, false, false),
                                           std::make_tuple(65, 67, 129, true, false),
                                           std::make_tuple(33, 100, 257, false, true),
                                           std::make_tuple(130, 3, 70, true, true)));

}  // namespace
}  // namespace tl
