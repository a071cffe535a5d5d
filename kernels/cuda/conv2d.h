// CUDA 2-D convolution, NHWC x KRSC -> NPQK with the fused epilogue (bias, residual, ReLU);
// layouts in kernels/common/conv_shape.h. All pointers are device pointers, work is queued
// on `stream`. A teaching progression, each version in its own file:
//   v1 conv2d_direct  (conv2d_direct.cu) one thread per output element, straight from the definition
//   v2 conv2d_tiled   (conv2d_tiled.cu)  implicit GEMM, shared-memory tiles, FP32 FFMA
//   v3 conv2d_mma     (conv2d_mma.cu)    implicit GEMM on tensor cores (TF32 or BF16 mma.sync,
//                                        FP32 accumulation), 3-stage cp.async pipeline
//   1x1 stride-1 fast path: a plain GEMM with the epilogue (gemm_epilogue in gemm.h)
// conv2d() picks among them by precision and shape; conv2d_cudnn() is the baseline behind the
// same signature (cudnn_conv.cpp).
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/bf16.h"
#include "kernels/common/conv_shape.h"
#include "kernels/common/precision.h"

namespace tl::cuda {

// The operands of one convolution. x and w are always given in f32; the BF16 path reads
// x_bf16 and w_bf16 instead (same layouts), which the caller converts beforehand (weights once
// per model, activations per call with convert_to_bf16), so the kernels stay pure.
struct ConvOperands {
  const float* x = nullptr;       // (N, H, W, C)
  const float* w = nullptr;       // (K, R, S, C)
  const bf16* x_bf16 = nullptr;   // (N, H, W, C), needed for Precision::bf16 on tensor cores
  const bf16* w_bf16 = nullptr;   // (K, R, S, C), likewise
  float* y = nullptr;             // (N, P, Q, K); must not alias x or the residual
};

// Ours: the fastest of our kernels for this precision and shape. fp32 -> 1x1 GEMM or v2;
// tf32/bf16 -> v3 when conv2d_mma_supports(), else v2 (FP32, which is at least as accurate).
void conv2d(const Conv2dShape& s, const ConvOperands& op, const ConvEpilogue& e, Precision precision,
            cudaStream_t stream);

// Whether conv2d() needs x_bf16 / w_bf16 for this shape at this precision.
bool conv2d_uses_bf16(const Conv2dShape& s, Precision precision);

// The individual versions (tests and benchmarks call them directly).
void conv2d_direct(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& e,
                   cudaStream_t stream);
void conv2d_tiled(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& e,
                  cudaStream_t stream);
// v3 needs C a multiple of 4 (tf32) or 8 (bf16), so 16-byte copies never straddle two input
// pixels, and 16-byte aligned x and w. Precision must be tf32 or bf16.
bool conv2d_mma_supports(const Conv2dShape& s, Precision precision);
void conv2d_mma(const Conv2dShape& s, const ConvOperands& op, const ConvEpilogue& e, Precision precision,
                cudaStream_t stream);

// Baseline: cuDNN (NHWC, KRSC filters), algorithm found once per shape and precision and cached.
void conv2d_cudnn(const Conv2dShape& s, const ConvOperands& op, const ConvEpilogue& e, Precision precision,
                  cudaStream_t stream);

// The rows of src: (rows, c) copied into dst: (rows, c_padded), zeros in the new channels;
// lets a 3-channel input (the stem) run on v3, which needs C % 4 (tf32) / C % 8 (bf16) == 0.
void pad_channels(const float* src, float* dst, int64_t rows, int64_t c, int64_t c_padded, cudaStream_t stream);
void pad_channels_to_bf16(const float* src, bf16* dst, int64_t rows, int64_t c, int64_t c_padded,
                          cudaStream_t stream);

// dst[i] = bf16(src[i]), round to nearest even; n elements.
void convert_to_bf16(const float* src, bf16* dst, int64_t n, cudaStream_t stream);

// y[i] = e.apply(y[i], i % k, i) over y: (M, k): the epilogue as a separate pass (cuDNN path).
void apply_epilogue(float* y, int64_t m, int64_t k, const ConvEpilogue& e, cudaStream_t stream);

// y[i] = e.apply(float(src[i]), i % k, i) over (M, k): widening plus the epilogue (cuDNN bf16 path).
void apply_epilogue_from_bf16(const bf16* src, float* y, int64_t m, int64_t k, const ConvEpilogue& e,
                              cudaStream_t stream);

}  // namespace tl::cuda
