// Conv2dShape: one 2-D convolution problem, shared by every convolution backend (the CPU
// reference, our CUDA kernels, cuDNN). Dimension letters used throughout tl:
//   x: (N, H, W, C)   input activations, channels-last
//   w: (K, R, S, C)   weights: K output channels, R x S kernel, C input channels
//   y: (N, P, Q, K)   output, P = (H + 2*pad - R) / stride + 1, Q likewise from W and S
// Square stride and symmetric zero padding (all ResNets need).
//
// ConvEpilogue: what is fused after the sum over (R, S, C), in this order:
//   y = acc + bias[k]            (when bias)
//   y = y + residual[n, p, q, k] (when residual: a (N, P, Q, K) tensor, e.g. a ResNet shortcut)
//   y = max(y, 0)                (when relu)
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"

namespace tl {

struct Conv2dShape {
  int64_t n = 1, h = 1, w = 1, c = 1;  // input (N, H, W, C)
  int64_t k = 1, r = 1, s = 1;         // weights (K, R, S, C)
  int64_t stride = 1, padding = 0;

  TL_HD int64_t out_h() const { return (h + 2 * padding - r) / stride + 1; }  // P
  TL_HD int64_t out_w() const { return (w + 2 * padding - s) / stride + 1; }  // Q
  TL_HD int64_t gemm_m() const { return n * out_h() * out_w(); }              // output pixels
  TL_HD int64_t gemm_k() const { return r * s * c; }                           // reduction length
  TL_HD bool is_pointwise() const { return r == 1 && s == 1 && stride == 1 && padding == 0; }
  // 2 flops (multiply + add) per weight per output pixel.
  double flops() const { return 2.0 * static_cast<double>(gemm_m()) * static_cast<double>(k) * static_cast<double>(gemm_k()); }
  bool valid() const {
    return n > 0 && h > 0 && w > 0 && c > 0 && k > 0 && r > 0 && s > 0 && stride > 0 && padding >= 0 &&
           h + 2 * padding >= r && w + 2 * padding >= s;
  }
};

struct ConvEpilogue {
  const float* bias = nullptr;      // (K), or null
  const float* residual = nullptr;  // (N, P, Q, K), or null
  bool relu = false;

  // The fused output of accumulator `acc` at channel `k` and flat output index `i` of (N, P, Q, K).
  TL_HD float apply(float acc, int64_t k, int64_t i) const {
    if (bias) acc += bias[k];
    if (residual) acc += residual[i];
    return relu ? (acc > 0.0f ? acc : 0.0f) : acc;
  }
};

// A 2-D pooling window over (N, H, W, C): k x k, square stride, symmetric padding.
struct Pool2dShape {
  int64_t n = 1, h = 1, w = 1, c = 1;
  int64_t kernel = 1, stride = 1, padding = 0;
  TL_HD int64_t out_h() const { return (h + 2 * padding - kernel) / stride + 1; }
  TL_HD int64_t out_w() const { return (w + 2 * padding - kernel) / stride + 1; }
  // PyTorch's rule: padding at most half the kernel, so every window holds a real cell.
  bool valid() const {
    return n > 0 && h > 0 && w > 0 && c > 0 && kernel > 0 && stride > 0 && padding >= 0 && 2 * padding <= kernel &&
           h + 2 * padding >= kernel && w + 2 * padding >= kernel;
  }
};

}  // namespace tl
