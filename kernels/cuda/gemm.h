// CUDA GEMM on row-major float32 device buffers (see GemmShape). Both functions have the
// same signature so that tests and benchmarks can put ours against cuBLAS directly.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/conv_shape.h"
#include "kernels/common/gemm_shape.h"

namespace tl::cuda {

// Ours: shared-memory tiled SGEMM (kernels/cuda/gemm.cu).
void gemm(const GemmShape& s, const float* a, const float* b, float* c, cudaStream_t stream);

// Ours with a fused epilogue on C (M, N): c = e.apply(alpha*ab + beta*c, column, flat index):
// bias per column, residual (M, N), ReLU. The 1x1 stride-1 convolution and linear layers.
void gemm_epilogue(const GemmShape& s, const float* a, const float* b, float* c, const ConvEpilogue& e,
                   cudaStream_t stream);

// Baseline: cuBLAS cublasSgemm with TF32 tensor cores disabled (kernels/cuda/cublas_gemm.cpp).
void gemm_cublas(const GemmShape& s, const float* a, const float* b, float* c, cudaStream_t stream);

}  // namespace tl::cuda
