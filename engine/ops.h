// The op layer: checks tensors (dtype, shape, device) and dispatches to a backend.
// An op runs on the device of its inputs; all inputs must be on the same device.
//
//   CPU  -> kernels/cpu   (the reference)
//   CUDA -> kernels/cuda  (ours, or the vendor baseline when KernelLib::vendor is asked for)
#pragma once

#include "engine/tensor.h"

namespace tl {

// Which implementation a CUDA op uses: our kernels or NVIDIA's (cuBLAS / cuDNN) baseline.
enum class KernelLib { ours, vendor };
KernelLib parse_kernel_lib(const std::string& name);  // "ours" | "cudnn" | "cublas" | "vendor"

void fill(Tensor& t, float value);                 // t: any shape, f32
Tensor add(const Tensor& a, const Tensor& b);      // same shape, f32
Tensor relu(const Tensor& x);                      // f32

// c (M, N) = alpha * op(a) op(b) + beta * c, all f32 rank-2 on one device.
// op(a) is a (M, K), or a^T when trans_a with a stored (K, M); likewise b (K, N) / (N, K).
void gemm(const Tensor& a, const Tensor& b, Tensor& c, bool trans_a = false, bool trans_b = false,
          float alpha = 1.0f, float beta = 0.0f, KernelLib lib = KernelLib::ours);
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false,
              KernelLib lib = KernelLib::ours);

}  // namespace tl
