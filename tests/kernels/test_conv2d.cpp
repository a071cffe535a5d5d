// CPU convolution: the direct 7-loop reference against hand-worked values, and the fast
// im2col + BLAS path against the direct reference on awkward sizes, with every epilogue.
#include <gtest/gtest.h>

#include <ostream>

#include <cmath>
#include <limits>

#include "engine/ops.h"
#include "kernels/cpu/conv2d.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

TEST(CpuConv2d, DirectHandWorked) {
  // x: 1 image 3x3, 1 channel = 1..9; w: one 2x2 kernel [[1, 0], [0, -1]], stride 1, pad 0.
  // y[p][q] = x[p][q] - x[p+1][q+1] = -4 everywhere; + bias 1; residual {0, 10, 0, 0}; ReLU.
  Conv2dShape s;
  s.h = 3, s.w = 3, s.c = 1, s.k = 1, s.r = 2, s.s = 2;
  const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float w[4] = {1, 0, 0, -1};
  float y[4];
  cpu::conv2d_direct(s, x, w, y);
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{-4, -4, -4, -4}));
  const float bias[1] = {1};
  const float residual[4] = {0, 10, 0, 0};
  cpu::conv2d_direct(s, x, w, y, {bias, residual, true});
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{0, 7, 0, 0}));
  // Padding 1, stride 2: output 2x2, the corner (0, 0) sees only x[0][0] under w[1][1]: -1.
  s.padding = 1, s.stride = 2;
  EXPECT_EQ(s.out_h(), 2);
  cpu::conv2d_direct(s, x, w, y);
  // Window rows/cols start at 2p-1 / 2q-1: (0,1) -> -x[0][2] = -3; (1,0) -> -x[2][0] = -7;
  // (1,1) -> x[1][1] - x[2][2] = 5 - 9.
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{-1, -3, -7, 5 - 9}));
}

struct ConvCase {
  int n, h, w, c, k, r, stride, padding;
};

// Readable test names (the default prints the struct's bytes).
void PrintTo(const ConvCase& c, std::ostream* os) {
  *os << "N" << c.n << "_H" << c.h << "_W" << c.w << "_C" << c.c << "_K" << c.k << "_R" << c.r << "_s" << c.stride
      << "_p" << c.padding;
}

class CpuConv2dFast : public ::testing::TestWithParam<ConvCase> {};

TEST_P(CpuConv2dFast, MatchesDirectWithEpilogues) {
  const ConvCase cc = GetParam();
  Conv2dShape s;
  s.n = cc.n, s.h = cc.h, s.w = cc.w, s.c = cc.c, s.k = cc.k, s.r = cc.r, s.s = cc.r;
  s.stride = cc.stride, s.padding = cc.padding;
  const auto x = test::random_floats(static_cast<size_t>(s.n * s.h * s.w * s.c), 1);
  const auto w = test::random_floats(static_cast<size_t>(s.k * s.gemm_k()), 2);
  const auto bias = test::random_floats(static_cast<size_t>(s.k), 3);
  const size_t out = static_cast<size_t>(s.gemm_m() * s.k);
  const auto residual = test::random_floats(out, 4);
  // float32 dot products of length R*S*C over [-1, 1] inputs: rounding ~ sqrt(len) * 2^-24 * len;
  // atol 1e-6 * len covers it with margin (the direct reference accumulates in float64).
  const double len = static_cast<double>(s.gemm_k());
  const Tolerance tol{1e-6 * len, 1e-5};
  const ConvEpilogue epilogues[] = {{}, {bias.data(), nullptr, false}, {bias.data(), residual.data(), true}};
  for (const ConvEpilogue& e : epilogues) {
    std::vector<float> expected(out), actual(out, std::numeric_limits<float>::quiet_NaN());  // poisoned
    cpu::conv2d_direct(s, x.data(), w.data(), expected.data(), e);
    cpu::conv2d(s, x.data(), w.data(), actual.data(), e);
    EXPECT_TRUE(all_close(actual, expected, tol)) << "bias " << (e.bias != nullptr) << " residual "
                                                  << (e.residual != nullptr) << " relu " << e.relu;
  }
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, CpuConv2dFast,
                         ::testing::Values(ConvCase{1, 5, 7, 3, 4, 3, 1, 1},    // 3x3 same
                                           ConvCase{2, 9, 11, 5, 7, 3, 2, 1},   // 3x3 stride 2
                                           ConvCase{2, 13, 10, 3, 6, 7, 2, 3},  // the stem's 7x7/2 pad 3
                                           ConvCase{3, 6, 5, 17, 9, 1, 1, 0},   // 1x1: a plain GEMM
                                           ConvCase{2, 7, 9, 8, 16, 1, 2, 0},   // 1x1 stride 2 shortcut
                                           ConvCase{1, 4, 4, 2, 3, 4, 3, 2},    // even kernel, odd stride
                                           ConvCase{1, 70, 90, 64, 3, 3, 1, 1}  // several im2col blocks
                                           ));

TEST(CpuConv2dOp, ChecksShapesAndFitsTheOutput) {
  const Tensor x = Tensor::zeros({2, 8, 8, 3}, DType::f32);
  const Tensor w = Tensor::zeros({4, 3, 3, 3}, DType::f32);
  Conv2dOptions o;
  o.stride = 2, o.padding = 1;
  EXPECT_EQ(conv2d(x, w, Tensor(), o).shape(), (Shape{2, 4, 4, 4}));
  EXPECT_THROW(conv2d(x, Tensor::zeros({4, 3, 3, 2}, DType::f32), Tensor(), o), Error);  // C mismatch
  EXPECT_THROW(conv2d(x, w, Tensor::zeros({5}, DType::f32), o), Error);                  // bias size
  EXPECT_THROW(conv2d(x, w, Tensor(), o, Tensor::zeros({2, 8, 8, 4}, DType::f32)), Error);  // residual shape
  EXPECT_THROW(conv2d(Tensor::zeros({2, 8, 8, 3}, DType::i32), w, Tensor(), o), Error);  // dtype
  EXPECT_THROW(conv2d(Tensor::zeros({2, 1, 1, 3}, DType::f32), Tensor::zeros({4, 5, 5, 3}, DType::f32), Tensor(), {}),
               Error);  // kernel larger than the input
}

TEST(CpuLinear, HandWorked) {
  // x (1, 2) = [1, 2]; w (3, 2) = [[1, 0], [0, 1], [1, 1]]; b = [0.5, 0, -1] -> [1.5, 2, 2]
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 2}, {1, 2});
  const Tensor w = Tensor::from_vector(std::vector<float>{1, 0, 0, 1, 1, 1}, {3, 2});
  const Tensor b = Tensor::from_vector(std::vector<float>{0.5f, 0, -1}, {3});
  EXPECT_EQ(linear(x, w, b).to_vector<float>(), (std::vector<float>{1.5f, 2, 2}));
  EXPECT_THROW(linear(x, Tensor::zeros({3, 3}, DType::f32), b), Error);
}

}  // namespace
}  // namespace tl
