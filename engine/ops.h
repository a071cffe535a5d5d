// The op layer: checks tensors (dtype, shape, device) and dispatches to a backend.
// An op runs on the device of its inputs; all inputs must be on the same device.
//
//   CPU  -> kernels/cpu   (the reference)
//   CUDA -> kernels/cuda  (ours, or the vendor baseline when KernelLib::vendor is asked for)
#pragma once

#include <vector>

#include "engine/tensor.h"
#include "kernels/common/precision.h"

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

// x converted to bf16 (round to nearest even), same shape and device; x must be f32.
Tensor to_bf16(const Tensor& x);

// Convolution and pooling (engine/ops_conv.cpp): CPU reference, or on CUDA our kernels
// (kernels/cuda/conv2d.h) or cuDNN, per `lib`.
struct Conv2dOptions {
  int stride = 1, padding = 0;
  bool relu = false;  // fused after bias and residual
  // CUDA only (the CPU always computes in fp32): arithmetic and implementation.
  Precision precision = Precision::fp32;
  KernelLib lib = KernelLib::ours;
  // Optional bf16 copy of w (same shape and device), made once per model (to_bf16) and used
  // when precision is bf16; without it w is converted on every call.
  Tensor weight_bf16;
};
// y: (N, P, Q, K) = conv(x: (N, H, W, C), w: (K, R, S, C)) + bias: (K) [+ residual: (N, P, Q, K)],
// then ReLU when asked. `bias` and `residual` may be undefined Tensors (none).
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dOptions& options,
              const Tensor& residual = Tensor());
// y: (N, P, Q, C) = k x k max over x: (N, H, W, C); padded cells never win.
Tensor max_pool2d(const Tensor& x, int kernel, int stride, int padding);
// y: (N, C) = mean of x: (N, H, W, C) over H and W.
Tensor global_avg_pool(const Tensor& x);
// y: (N, O) = x: (N, I) w^T + bias, with w: (O, I) (PyTorch's nn.Linear layout), bias (O) or undefined.
// On CUDA: our GEMM with the bias fused (KernelLib::ours) or cuBLAS plus a bias pass (vendor).
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias, KernelLib lib = KernelLib::ours);
// y: (N, sum C_i) = the matrices (N, C_i) side by side, in order (same dtype and device).
Tensor concat_columns(const std::vector<Tensor>& parts);

}  // namespace tl
