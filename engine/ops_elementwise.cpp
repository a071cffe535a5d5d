// Dispatch of the elementwise ops (fill, add, relu).
#include "engine/ops.h"
#include "engine/stream.h"
#include "kernels/cpu/elementwise.h"

#if TL_HAS_CUDA
#include "kernels/cuda/elementwise.h"
#endif

namespace tl {
namespace {

void require_f32(const Tensor& t, const char* op, const char* name) {
  TL_CHECK(t.defined(), op << ": " << name << " is undefined");
  TL_CHECK(t.dtype() == DType::f32, op << ": " << name << " must be f32, got " << dtype_name(t.dtype()));
}

void require_same(const Tensor& a, const Tensor& b, const char* op) {
  TL_CHECK(a.shape() == b.shape(), op << ": shapes differ, " << a.shape().str() << " vs " << b.shape().str());
  TL_CHECK(a.device() == b.device(), op << ": inputs on different devices, " << a.device() << " vs " << b.device());
}

}  // namespace

KernelLib parse_kernel_lib(const std::string& name) {
  if (name == "ours") return KernelLib::ours;
  if (name == "vendor" || name == "cudnn" || name == "cublas") return KernelLib::vendor;
  TL_FAIL("unknown kernel library '" << name << "' (expected ours or cudnn)");
}

void fill(Tensor& t, float value) {
  require_f32(t, "fill", "t");
  if (t.device().is_cpu()) return cpu::fill(t.data<float>(), t.numel(), value);
#if TL_HAS_CUDA
  ScopedDevice scope(t.device());
  cuda::fill(t.data<float>(), t.numel(), value, stream_for(t.device()));
#endif
}

Tensor add(const Tensor& a, const Tensor& b) {
  require_f32(a, "add", "a");
  require_f32(b, "add", "b");
  require_same(a, b, "add");
  Tensor y = Tensor::empty(a.shape(), DType::f32, a.device());
  if (a.device().is_cpu()) {
    cpu::add(a.data<float>(), b.data<float>(), y.data<float>(), a.numel());
  } else {
#if TL_HAS_CUDA
    ScopedDevice scope(a.device());
    cuda::add(a.data<float>(), b.data<float>(), y.data<float>(), a.numel(), stream_for(a.device()));
#endif
  }
  return y;
}

Tensor relu(const Tensor& x) {
  require_f32(x, "relu", "x");
  Tensor y = Tensor::empty(x.shape(), DType::f32, x.device());
  if (x.device().is_cpu()) {
    cpu::relu(x.data<float>(), y.data<float>(), x.numel());
  } else {
#if TL_HAS_CUDA
    ScopedDevice scope(x.device());
    cuda::relu(x.data<float>(), y.data<float>(), x.numel(), stream_for(x.device()));
#endif
  }
  return y;
}

}  // namespace tl
