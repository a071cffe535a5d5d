// Dispatch of GEMM: CPU OpenBLAS, our CUDA SGEMM, or cuBLAS.
#include "engine/ops.h"
#include "engine/stream.h"
#include "kernels/cpu/gemm.h"

#if TL_HAS_CUDA
#include "kernels/cuda/gemm.h"
#endif

namespace tl {

void gemm(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a, bool trans_b, float alpha, float beta,
          KernelLib lib) {
  for (const Tensor* t : {&a, &b, static_cast<const Tensor*>(&c)}) {
    TL_CHECK(t->defined() && t->dtype() == DType::f32 && t->rank() == 2,
             "gemm: operands must be defined f32 matrices, got " << t->summary(0));
    TL_CHECK(t->device() == c.device(), "gemm: operands on different devices (" << t->device() << " vs "
                                                                                << c.device() << ")");
  }
  GemmShape s;
  s.trans_a = trans_a;
  s.trans_b = trans_b;
  s.m = trans_a ? a.dim(1) : a.dim(0);
  s.k = trans_a ? a.dim(0) : a.dim(1);
  s.n = trans_b ? b.dim(0) : b.dim(1);
  const int64_t k_of_b = trans_b ? b.dim(1) : b.dim(0);
  TL_CHECK(k_of_b == s.k, "gemm: inner dimensions differ, op(a) is (" << s.m << ", " << s.k << "), op(b) is ("
                                                                      << k_of_b << ", " << s.n << ")");
  TL_CHECK(c.dim(0) == s.m && c.dim(1) == s.n,
           "gemm: c is " << c.shape().str() << ", expected (" << s.m << ", " << s.n << ")");
  s.alpha = alpha;
  s.beta = beta;

  if (c.device().is_cpu()) return cpu::gemm(s, a.data<float>(), b.data<float>(), c.data<float>());
#if TL_HAS_CUDA
  ScopedDevice scope(c.device());
  if (lib == KernelLib::vendor)
    cuda::gemm_cublas(s, a.data<float>(), b.data<float>(), c.data<float>(), stream_for(c.device()));
  else
    cuda::gemm(s, a.data<float>(), b.data<float>(), c.data<float>(), stream_for(c.device()));
#else
  (void)lib;
#endif
}

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b, KernelLib lib) {
  TL_CHECK(a.rank() == 2 && b.rank() == 2, "matmul: expects matrices, got " << a.shape().str() << " and "
                                                                            << b.shape().str());
  Tensor c = Tensor::empty({trans_a ? a.dim(1) : a.dim(0), trans_b ? b.dim(0) : b.dim(1)}, DType::f32, a.device());
  gemm(a, b, c, trans_a, trans_b, 1.0f, 0.0f, lib);
  return c;
}

}  // namespace tl
