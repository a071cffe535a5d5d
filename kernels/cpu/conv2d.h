// CPU 2-D convolution, NHWC x KRSC -> NPQK, with the fused epilogue (bias, residual, ReLU).
// See kernels/common/conv_shape.h for the layouts.
#pragma once

#include "kernels/common/conv_shape.h"

namespace tl::cpu {

// The fast path: im2col by row blocks + OpenBLAS SGEMM (a 1x1 stride-1 conv is one GEMM),
// then the epilogue while the block is in cache. Multithreaded.
//   x: (N, H, W, C), w: (K, R, S, C), y: (N, P, Q, K) (must not alias x or the residual)
void conv2d(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& epilogue = {});

// The naive 7-loop reference (float64 accumulation), for tests only: slow and obviously right.
void conv2d_direct(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& epilogue = {});

}  // namespace tl::cpu
