// Dispatch of convolution, pooling and linear: checks shapes and dtypes, then runs the CPU
// reference (kernels/cpu/conv2d, pool). CUDA versions come with the CUDA forward pass.
#include "engine/ops.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/pool.h"

namespace tl {
namespace {

void require_f32_rank(const Tensor& t, const char* op, const char* name, int rank) {
  TL_CHECK(t.defined(), op << ": " << name << " is undefined");
  TL_CHECK(t.dtype() == DType::f32, op << ": " << name << " must be f32, got " << dtype_name(t.dtype()));
  TL_CHECK(t.rank() == rank, op << ": " << name << " must have rank " << rank << ", got " << t.shape().str());
}

void require_cpu(const Tensor& t, const char* op) {
  TL_CHECK(!t.device().is_cuda(), op << ": not implemented on CUDA yet (tensor on " << t.device()
                                     << "); move the tensors to the CPU");
}

void require_same_device(const Tensor& a, const Tensor& b, const char* op) {
  TL_CHECK(a.device() == b.device(), op << ": inputs on different devices, " << a.device() << " vs " << b.device());
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dOptions& options,
              const Tensor& residual) {
  require_f32_rank(x, "conv2d", "x (N, H, W, C)", 4);
  require_f32_rank(w, "conv2d", "w (K, R, S, C)", 4);
  require_same_device(x, w, "conv2d");
  Conv2dShape s;
  s.n = x.dim(0), s.h = x.dim(1), s.w = x.dim(2), s.c = x.dim(3);
  s.k = w.dim(0), s.r = w.dim(1), s.s = w.dim(2);
  s.stride = options.stride, s.padding = options.padding;
  TL_CHECK(w.dim(3) == s.c, "conv2d: x has " << s.c << " channels but w " << w.shape().str() << " expects " << w.dim(3));
  TL_CHECK(s.valid(), "conv2d: kernel " << s.r << "x" << s.s << " stride " << s.stride << " padding " << s.padding
                                        << " does not fit input " << x.shape().str());
  ConvEpilogue e;
  e.relu = options.relu;
  if (bias.defined()) {
    require_f32_rank(bias, "conv2d", "bias (K)", 1);
    require_same_device(x, bias, "conv2d");
    TL_CHECK(bias.dim(0) == s.k, "conv2d: bias " << bias.shape().str() << ", expected (" << s.k << ")");
  }
  const Shape out_shape{s.n, s.out_h(), s.out_w(), s.k};
  if (residual.defined()) {
    require_f32_rank(residual, "conv2d", "residual (N, P, Q, K)", 4);
    require_same_device(x, residual, "conv2d");
    TL_CHECK(residual.shape() == out_shape,
             "conv2d: residual " << residual.shape().str() << ", expected the output shape " << out_shape.str());
  }
  require_cpu(x, "conv2d");
  Tensor y = Tensor::empty(out_shape, DType::f32, x.device());
  if (bias.defined()) e.bias = bias.data<float>();
  if (residual.defined()) e.residual = residual.data<float>();
  cpu::conv2d(s, x.data<float>(), w.data<float>(), y.data<float>(), e);
  return y;
}

Tensor max_pool2d(const Tensor& x, int kernel, int stride, int padding) {
  require_f32_rank(x, "max_pool2d", "x (N, H, W, C)", 4);
  Pool2dShape s;
  s.n = x.dim(0), s.h = x.dim(1), s.w = x.dim(2), s.c = x.dim(3);
  s.kernel = kernel, s.stride = stride, s.padding = padding;
  TL_CHECK(s.valid(), "max_pool2d: window " << kernel << "x" << kernel << " stride " << stride << " padding "
                                            << padding << " does not fit input " << x.shape().str()
                                            << " (padding must be at most kernel/2)");
  require_cpu(x, "max_pool2d");
  Tensor y = Tensor::empty({s.n, s.out_h(), s.out_w(), s.c}, DType::f32, x.device());
  cpu::max_pool2d(s, x.data<float>(), y.data<float>());
  return y;
}

Tensor global_avg_pool(const Tensor& x) {
  require_f32_rank(x, "global_avg_pool", "x (N, H, W, C)", 4);
  TL_CHECK(x.dim(1) * x.dim(2) > 0, "global_avg_pool: empty spatial extent " << x.shape().str());
  require_cpu(x, "global_avg_pool");
  Tensor y = Tensor::empty({x.dim(0), x.dim(3)}, DType::f32, x.device());
  cpu::global_avg_pool(x.dim(0), x.dim(1) * x.dim(2), x.dim(3), x.data<float>(), y.data<float>());
  return y;
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  require_f32_rank(x, "linear", "x (N, I)", 2);
  require_f32_rank(w, "linear", "w (O, I)", 2);
  require_same_device(x, w, "linear");
  TL_CHECK(w.dim(1) == x.dim(1), "linear: x " << x.shape().str() << " has " << x.dim(1) << " features, w "
                                              << w.shape().str() << " expects " << w.dim(1));
  require_cpu(x, "linear");
  Tensor y = matmul(x, w, false, true);  // (N, I) x (O, I)^T
  if (bias.defined()) {
    require_f32_rank(bias, "linear", "bias (O)", 1);
    TL_CHECK(bias.dim(0) == w.dim(0), "linear: bias " << bias.shape().str() << ", expected (" << w.dim(0) << ")");
    float* out = y.data<float>();
    const float* b = bias.data<float>();
    const int64_t rows = y.dim(0), cols = y.dim(1);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) out[i * cols + j] += b[j];
  }
  return y;
}

}  // namespace tl
