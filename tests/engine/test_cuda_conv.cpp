// CUDA convolution against the CPU reference (cpu::conv2d_direct, float64 accumulation): every
// version (v1 direct, v2 tiled, 1x1 GEMM, v3 tensor cores in TF32 and BF16), the conv2d op's
// dispatch per precision, and cuDNN behind the same signature. Random inputs in [-1, 1] of
// awkward sizes (odd channels, batch 1, M and K not multiples of the tiles, reductions that end
// mid-tile), outputs poisoned (NaN) before each run so an unwritten element fails.
#include <gtest/gtest.h>

#include <ostream>

#include <cmath>
#include <string>

#include "engine/ops.h"
#include "engine/stream.h"
#include "kernels/cpu/conv2d.h"
#include "tests/common/gpu.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

#if TL_HAS_CUDA
#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/gemm.h"
#endif

namespace tl {
namespace {

using test::all_close;
using test::for_dot;
using test::Tolerance;

struct ConvCase {
  int64_t n, h, w, c, k, r, stride, padding;
  bool bias, residual, relu;
};

// Readable, deterministic test names (the default prints the struct's bytes, padding included).
void PrintTo(const ConvCase& c, std::ostream* os) {
  *os << "N" << c.n << "_H" << c.h << "_W" << c.w << "_C" << c.c << "_K" << c.k << "_R" << c.r << "_s" << c.stride
      << "_p" << c.padding << (c.bias ? "_bias" : "") << (c.residual ? "_res" : "") << (c.relu ? "_relu" : "");
}

std::string describe(const ConvCase& c) {
  return "N" + std::to_string(c.n) + " H" + std::to_string(c.h) + " W" + std::to_string(c.w) + " C" +
         std::to_string(c.c) + " K" + std::to_string(c.k) + " R" + std::to_string(c.r) + " stride " +
         std::to_string(c.stride) + " pad " + std::to_string(c.padding);
}

Conv2dShape shape_of(const ConvCase& c) {
  Conv2dShape s;
  s.n = c.n, s.h = c.h, s.w = c.w, s.c = c.c, s.k = c.k, s.r = c.r, s.s = c.r;
  s.stride = c.stride, s.padding = c.padding;
  return s;
}

// The problem on the host, with its float64-accumulated reference output.
struct Problem {
  Conv2dShape s;
  Tensor x, w, bias, residual;  // CPU
  std::vector<float> expected;

  explicit Problem(const ConvCase& c) : s(shape_of(c)) {
    const Shape out{s.n, s.out_h(), s.out_w(), s.k};
    x = Tensor::from_vector(test::random_floats(static_cast<size_t>(s.n * s.h * s.w * s.c), 101), {s.n, s.h, s.w, s.c});
    w = Tensor::from_vector(test::random_floats(static_cast<size_t>(s.k * s.r * s.s * s.c), 102), {s.k, s.r, s.s, s.c});
    if (c.bias) bias = Tensor::from_vector(test::random_floats(static_cast<size_t>(s.k), 103), {s.k});
    if (c.residual) residual = Tensor::from_vector(test::random_floats(static_cast<size_t>(out.numel()), 104), out);
    ConvEpilogue e;
    e.relu = c.relu;
    if (bias.defined()) e.bias = bias.data<float>();
    if (residual.defined()) e.residual = residual.data<float>();
    expected.resize(static_cast<size_t>(out.numel()));
    cpu::conv2d_direct(s, x.data<float>(), w.data<float>(), expected.data(), e);
  }
  Shape out_shape() const { return {s.n, s.out_h(), s.out_w(), s.k}; }
};

class CudaConv : public ::testing::TestWithParam<ConvCase> {};

#if TL_HAS_CUDA
// The problem's tensors on the GPU, and a fresh NaN-filled output for each run.
struct DeviceProblem {
  Tensor x, w, bias, residual, x16, w16;
  ConvEpilogue e;
  DeviceProblem(const Problem& p, bool relu) {
    const Device gpu = Device::cuda(0);
    x = p.x.to(gpu);
    w = p.w.to(gpu);
    x16 = to_bf16(x);
    w16 = to_bf16(w);
    e.relu = relu;
    if (p.bias.defined()) bias = p.bias.to(gpu), e.bias = bias.data<float>();
    if (p.residual.defined()) residual = p.residual.to(gpu), e.residual = residual.data<float>();
  }
  cuda::ConvOperands operands(Tensor& y) const {
    cuda::ConvOperands op;
    op.x = x.data<float>();
    op.w = w.data<float>();
    op.x_bf16 = x16.data<bf16>();
    op.w_bf16 = w16.data<bf16>();
    op.y = y.data<float>();
    return op;
  }
};

Tensor poisoned(const Shape& shape) {
  Tensor t = Tensor::empty(shape, DType::f32, Device::cuda(0));
  fill(t, NAN);
  return t;
}
#endif

TEST_P(CudaConv, EveryVersionMatchesCpu) {
  TL_REQUIRE_GPU();
#if TL_HAS_CUDA
  const ConvCase c = GetParam();
  const Problem p(c);
  const DeviceProblem d(p, c.relu);
  const auto stream = stream_for(Device::cuda(0));
  const int64_t length = p.s.gemm_k();
  auto check = [&](const char* version, Precision precision, auto&& run) {
    Tensor y = poisoned(p.out_shape());
    run(d.operands(y));
    EXPECT_TRUE(all_close(y.to_vector<float>(), p.expected, for_dot(precision, length)))
        << version << " " << precision_name(precision) << ", " << describe(c);
  };
  check("v1 direct", Precision::fp32,
        [&](const cuda::ConvOperands& op) { cuda::conv2d_direct(p.s, op.x, op.w, op.y, d.e, stream); });
  check("v2 tiled", Precision::fp32,
        [&](const cuda::ConvOperands& op) { cuda::conv2d_tiled(p.s, op.x, op.w, op.y, d.e, stream); });
  if (p.s.is_pointwise()) {
    check("1x1 gemm", Precision::fp32, [&](const cuda::ConvOperands& op) {
      GemmShape g;
      g.m = p.s.gemm_m(), g.n = p.s.k, g.k = p.s.c, g.trans_b = true;
      cuda::gemm_epilogue(g, op.x, op.w, op.y, d.e, stream);
    });
  }
  for (Precision precision : {Precision::tf32, Precision::bf16}) {
    if (!cuda::conv2d_mma_supports(p.s, precision)) continue;
    check("v3 mma", precision,
          [&](const cuda::ConvOperands& op) { cuda::conv2d_mma(p.s, op, d.e, precision, stream); });
  }
#endif
}

// The op picks a kernel per precision (falling back to FP32 v2 where v3 cannot run); either
// way the result must be within that precision's tolerance.
TEST_P(CudaConv, OpMatchesCpuAtEveryPrecision) {
  TL_REQUIRE_GPU();
  const ConvCase c = GetParam();
  const Problem p(c);
  const Device gpu = Device::cuda(0);
  const Tensor bias = p.bias.defined() ? p.bias.to(gpu) : Tensor();
  const Tensor residual = p.residual.defined() ? p.residual.to(gpu) : Tensor();
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    Conv2dOptions o;
    o.stride = static_cast<int>(c.stride), o.padding = static_cast<int>(c.padding), o.relu = c.relu;
    o.precision = precision;
    const Tensor y = conv2d(p.x.to(gpu), p.w.to(gpu), bias, o, residual);
    EXPECT_EQ(y.shape(), p.out_shape());
    EXPECT_TRUE(all_close(y.to_vector<float>(), p.expected, for_dot(precision, p.s.gemm_k())))
        << precision_name(precision) << ", " << describe(c);
  }
}

// cuDNN behind the same op, and ours against it (both within tolerance of the reference, so
// within twice the tolerance of each other).
TEST_P(CudaConv, CudnnMatchesCpuAndOurs) {
  TL_REQUIRE_GPU();
  TL_REQUIRE_VENDOR_LIBS();
  const ConvCase c = GetParam();
  const Problem p(c);
  const Device gpu = Device::cuda(0);
  const Tensor x = p.x.to(gpu), w = p.w.to(gpu), w16 = to_bf16(w);
  const Tensor bias = p.bias.defined() ? p.bias.to(gpu) : Tensor();
  const Tensor residual = p.residual.defined() ? p.residual.to(gpu) : Tensor();
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
    Conv2dOptions o;
    o.stride = static_cast<int>(c.stride), o.padding = static_cast<int>(c.padding), o.relu = c.relu;
    o.precision = precision;
    o.weight_bf16 = w16;
    const std::vector<float> ours = conv2d(x, w, bias, o, residual).to_vector<float>();
    o.lib = KernelLib::vendor;
    const std::vector<float> theirs = conv2d(x, w, bias, o, residual).to_vector<float>();
    const Tolerance tol = for_dot(precision, p.s.gemm_k());
    EXPECT_TRUE(all_close(theirs, p.expected, tol)) << "cuDNN " << precision_name(precision) << ", " << describe(c);
    EXPECT_TRUE(all_close(ours, theirs, Tolerance{2 * tol.atol, 2 * tol.rtol}))
        << "ours vs cuDNN " << precision_name(precision) << ", " << describe(c);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AwkwardShapes, CudaConv,
    ::testing::Values(ConvCase{1, 7, 9, 3, 5, 3, 1, 1, true, false, true},       // odd C: v3 cannot run
                      ConvCase{1, 23, 21, 3, 8, 7, 2, 3, true, false, true},     // the ResNet stem, 7x7/2
                      ConvCase{2, 11, 10, 16, 70, 3, 2, 1, true, true, true},    // 3x3/2, K past one tile
                      ConvCase{3, 9, 9, 24, 33, 1, 1, 0, true, true, false},     // 1x1: the GEMM path
                      ConvCase{2, 13, 13, 8, 16, 1, 2, 0, true, false, false},   // 1x1/2 projection shortcut
                      ConvCase{1, 5, 5, 40, 130, 3, 1, 1, false, true, true},    // R*S*C = 360 ends mid-tile
                      ConvCase{2, 17, 15, 8, 20, 3, 1, 1, true, true, true},     // M = 510: several M tiles
                      ConvCase{1, 1, 1, 64, 10, 1, 1, 0, true, false, false},    // one pixel
                      ConvCase{1, 4, 4, 4, 12, 3, 1, 1, true, false, true},      // C = 4: TF32 only
                      ConvCase{2, 12, 12, 32, 72, 3, 1, 1, true, true, true}));  // 3 x 2 v3 blocks, 9-18 k-steps

TEST(CudaConvErrors, BadArgumentsAreReported) {
  TL_REQUIRE_GPU();
  const Device gpu = Device::cuda(0);
  const Tensor x = Tensor::zeros({1, 5, 5, 8}, DType::f32, gpu);
  const Tensor w = Tensor::zeros({4, 3, 3, 8}, DType::f32, gpu);
  Conv2dOptions o;
  o.padding = 1;
  o.precision = Precision::bf16;
  o.weight_bf16 = Tensor::zeros({4, 3, 3, 8}, DType::f32, gpu);  // not bf16
  EXPECT_THROW(conv2d(x, w, Tensor(), o), Error);
  o.weight_bf16 = to_bf16(Tensor::zeros({4, 1, 1, 8}, DType::f32, gpu));  // wrong shape
  EXPECT_THROW(conv2d(x, w, Tensor(), o), Error);
  o.weight_bf16 = Tensor();
  EXPECT_THROW(conv2d(x.to(Device::cpu()), w, Tensor(), o), Error);  // mixed devices
#if TL_HAS_CUDA
  Conv2dShape s;
  s.n = 1, s.h = 5, s.w = 5, s.c = 3, s.k = 4, s.r = 3, s.s = 3, s.padding = 1;
  cuda::ConvOperands op;
  EXPECT_FALSE(cuda::conv2d_mma_supports(s, Precision::bf16));
  EXPECT_THROW(cuda::conv2d_mma(s, op, ConvEpilogue{}, Precision::bf16, stream_for(gpu)), Error);
  s.c = 8;
  EXPECT_THROW(cuda::conv2d_mma(s, op, ConvEpilogue{}, Precision::fp32, stream_for(gpu)), Error);
  EXPECT_THROW(cuda::conv2d_mma(s, op, ConvEpilogue{}, Precision::bf16, stream_for(gpu)), Error);  // no bf16 data
#endif
}

}  // namespace
}  // namespace tl
