// Dispatch of convolution, pooling and linear: checks shapes, dtypes and devices, then runs
// the CPU reference (kernels/cpu/conv2d, pool) or, for CUDA tensors, our kernels
// (kernels/cuda/conv2d.h, pool.h, gemm.h) or the vendor ones (cuDNN, cuBLAS) per KernelLib.
#include "engine/ops.h"
#include "engine/stream.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/pool.h"

#if TL_HAS_CUDA
#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/pool.h"
#endif

namespace tl {
namespace {

void require_f32_rank(const Tensor& t, const char* op, const char* name, int rank) {
  TL_CHECK(t.defined(), op << ": " << name << " is undefined");
  TL_CHECK(t.dtype() == DType::f32, op << ": " << name << " must be f32, got " << dtype_name(t.dtype()));
  TL_CHECK(t.rank() == rank, op << ": " << name << " must have rank " << rank << ", got " << t.shape().str());
}

void require_same_device(const Tensor& a, const Tensor& b, const char* op) {
  TL_CHECK(a.device() == b.device(), op << ": inputs on different devices, " << a.device() << " vs " << b.device());
}

#if !TL_HAS_CUDA
[[noreturn]] void no_cuda(const char* op) { TL_FAIL(op << ": this build has no CUDA backend"); }
#endif

}  // namespace

Tensor to_bf16(const Tensor& x) {
  TL_CHECK(x.defined() && x.dtype() == DType::f32, "to_bf16: expects an f32 tensor, got "
                                                       << (x.defined() ? dtype_name(x.dtype()) : "undefined"));
  Tensor y = Tensor::empty(x.shape(), DType::bf16, x.device());
  if (x.device().is_cpu()) {
    const float* in = x.data<float>();
    bf16* out = y.data<bf16>();
    for (int64_t i = 0; i < x.numel(); ++i) out[i] = bf16::from_float(in[i]);
    return y;
  }
#if TL_HAS_CUDA
  ScopedDevice scope(x.device());
  cuda::convert_to_bf16(x.data<float>(), y.data<bf16>(), x.numel(), stream_for(x.device()));
  return y;
#else
  no_cuda("to_bf16");
#endif
}

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
  if (options.weight_bf16.defined()) {
    TL_CHECK(options.weight_bf16.dtype() == DType::bf16 && options.weight_bf16.shape() == w.shape() &&
                 options.weight_bf16.device() == w.device(),
             "conv2d: weight_bf16 must be a bf16 copy of w " << w.shape().str() << " on " << w.device() << ", got "
                                                             << options.weight_bf16.summary(0));
  }
  Tensor y = Tensor::empty(out_shape, DType::f32, x.device());
  if (bias.defined()) e.bias = bias.data<float>();
  if (residual.defined()) e.residual = residual.data<float>();
  if (x.device().is_cpu()) {
    cpu::conv2d(s, x.data<float>(), w.data<float>(), y.data<float>(), e);
    return y;
  }
#if TL_HAS_CUDA
  ScopedDevice scope(x.device());
  const auto stream = stream_for(x.device());
  cuda::ConvOperands op;
  op.x = x.data<float>();
  op.w = w.data<float>();
  op.y = y.data<float>();
  Tensor x16, w16, x_padded, w_padded;  // live until the end of the call; the allocator is stream-ordered
  Conv2dShape run = s;
  const int64_t vec = options.precision == Precision::bf16 ? 8 : 4;  // channels per 16-byte chunk
  if (options.precision != Precision::fp32 && s.c < vec) {
    // Few channels (the 3-channel stem): zero-pad them to one 16-byte chunk so the tensor-core
    // kernel (or cuDNN's) runs; the zeros add nothing to the sums. Costs a copy of x.
    run.c = vec;
    const int64_t pixels = s.n * s.h * s.w, taps = s.k * s.r * s.s;
    if (options.precision == Precision::bf16) {
      x16 = Tensor::empty({s.n, s.h, s.w, vec}, DType::bf16, x.device());
      w16 = Tensor::empty({s.k, s.r, s.s, vec}, DType::bf16, x.device());
      cuda::pad_channels_to_bf16(x.data<float>(), x16.data<bf16>(), pixels, s.c, vec, stream);
      cuda::pad_channels_to_bf16(w.data<float>(), w16.data<bf16>(), taps, s.c, vec, stream);
    } else {
      x_padded = Tensor::empty({s.n, s.h, s.w, vec}, DType::f32, x.device());
      w_padded = Tensor::empty({s.k, s.r, s.s, vec}, DType::f32, x.device());
      cuda::pad_channels(x.data<float>(), x_padded.data<float>(), pixels, s.c, vec, stream);
      cuda::pad_channels(w.data<float>(), w_padded.data<float>(), taps, s.c, vec, stream);
      op.x = x_padded.data<float>();
      op.w = w_padded.data<float>();
    }
  } else if (cuda::conv2d_uses_bf16(s, options.precision)) {
    x16 = to_bf16(x);
    w16 = options.weight_bf16.defined() ? options.weight_bf16 : to_bf16(w);
  }
  if (x16.defined()) {
    op.x_bf16 = x16.data<bf16>();
    op.w_bf16 = w16.data<bf16>();
  }
  if (options.lib == KernelLib::vendor)
    cuda::conv2d_cudnn(run, op, e, options.precision, stream);
  else
    cuda::conv2d(run, op, e, options.precision, stream);
  return y;
#else
  no_cuda("conv2d");
#endif
}

Tensor max_pool2d(const Tensor& x, int kernel, int stride, int padding) {
  require_f32_rank(x, "max_pool2d", "x (N, H, W, C)", 4);
  Pool2dShape s;
  s.n = x.dim(0), s.h = x.dim(1), s.w = x.dim(2), s.c = x.dim(3);
  s.kernel = kernel, s.stride = stride, s.padding = padding;
  TL_CHECK(s.valid(), "max_pool2d: window " << kernel << "x" << kernel << " stride " << stride << " padding "
                                            << padding << " does not fit input " << x.shape().str()
                                            << " (padding must be at most kernel/2)");
  Tensor y = Tensor::empty({s.n, s.out_h(), s.out_w(), s.c}, DType::f32, x.device());
  if (x.device().is_cpu()) {
    cpu::max_pool2d(s, x.data<float>(), y.data<float>());
    return y;
  }
#if TL_HAS_CUDA
  ScopedDevice scope(x.device());
  cuda::max_pool2d(s, x.data<float>(), y.data<float>(), stream_for(x.device()));
  return y;
#else
  no_cuda("max_pool2d");
#endif
}

Tensor global_avg_pool(const Tensor& x) {
  require_f32_rank(x, "global_avg_pool", "x (N, H, W, C)", 4);
  TL_CHECK(x.dim(1) * x.dim(2) > 0, "global_avg_pool: empty spatial extent " << x.shape().str());
  Tensor y = Tensor::empty({x.dim(0), x.dim(3)}, DType::f32, x.device());
  if (x.device().is_cpu()) {
    cpu::global_avg_pool(x.dim(0), x.dim(1) * x.dim(2), x.dim(3), x.data<float>(), y.data<float>());
    return y;
  }
#if TL_HAS_CUDA
  ScopedDevice scope(x.device());
  cuda::global_avg_pool(x.dim(0), x.dim(1) * x.dim(2), x.dim(3), x.data<float>(), y.data<float>(),
                        stream_for(x.device()));
  return y;
#else
  no_cuda("global_avg_pool");
#endif
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias, KernelLib lib) {
  require_f32_rank(x, "linear", "x (N, I)", 2);
  require_f32_rank(w, "linear", "w (O, I)", 2);
  require_same_device(x, w, "linear");
  TL_CHECK(w.dim(1) == x.dim(1), "linear: x " << x.shape().str() << " has " << x.dim(1) << " features, w "
                                              << w.shape().str() << " expects " << w.dim(1));
  if (bias.defined()) {
    require_f32_rank(bias, "linear", "bias (O)", 1);
    require_same_device(x, bias, "linear");
    TL_CHECK(bias.dim(0) == w.dim(0), "linear: bias " << bias.shape().str() << ", expected (" << w.dim(0) << ")");
  }
  if (x.device().is_cuda()) {
#if TL_HAS_CUDA
    // y (N, O) = x (N, I) w^T (w stored (O, I)), bias fused per column.
    Tensor y = Tensor::empty({x.dim(0), w.dim(0)}, DType::f32, x.device());
    GemmShape g;
    g.m = x.dim(0);
    g.n = w.dim(0);
    g.k = x.dim(1);
    g.trans_b = true;
    ConvEpilogue e;
    if (bias.defined()) e.bias = bias.data<float>();
    ScopedDevice scope(x.device());
    const auto stream = stream_for(x.device());
    if (lib == KernelLib::vendor) {
      cuda::gemm_cublas(g, x.data<float>(), w.data<float>(), y.data<float>(), stream);
      cuda::apply_epilogue(y.data<float>(), g.m, g.n, e, stream);
    } else {
      cuda::gemm_epilogue(g, x.data<float>(), w.data<float>(), y.data<float>(), e, stream);
    }
    return y;
#else
    no_cuda("linear");
#endif
  }
  Tensor y = matmul(x, w, false, true);  // (N, I) x (O, I)^T
  if (bias.defined()) {
    float* out = y.data<float>();
    const float* b = bias.data<float>();
    const int64_t rows = y.dim(0), cols = y.dim(1);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) out[i * cols + j] += b[j];
  }
  return y;
}

}  // namespace tl
