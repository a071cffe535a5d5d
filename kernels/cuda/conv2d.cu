// Convolution dispatch (ours) and the two small helper kernels around it:
//   convert_to_bf16: dst = bf16(src), one thread per element; 6 bytes moved per element.
//   pad_channels(_to_bf16): (rows, c) -> (rows, c_padded) with zeros, one thread per output.
//   apply_epilogue_from_bf16: the same, reading a bf16 result (cuDNN's BF16 output).
//   apply_epilogue:  the ConvEpilogue as its own pass over y (the cuDNN baseline's epilogue),
//                    one thread per element; 8-12 bytes moved per element.
// Which kernel conv2d() runs:
//   fp32            1x1 stride-1 unpadded -> gemm_epilogue (x is already the (N*H*W, C) matrix)
//                   otherwise             -> v2 conv2d_tiled
//   tf32 / bf16     C % 4 / C % 8 == 0    -> v3 conv2d_mma (tensor cores)
//                   and 16-byte aligned
//                   otherwise (the stem)  -> v2 conv2d_tiled, in FP32
#include <cstdint>

#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/launch.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void convert_to_bf16_kernel(const float* __restrict__ src, bf16* __restrict__ dst, int64_t n) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n) dst[i] = bf16::from_float(src[i]);
}

template <typename T>
__global__ void pad_channels_kernel(const float* __restrict__ src, T* __restrict__ dst, int64_t total, int64_t c,
                                    int64_t c_padded) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;  // flat index into dst
  if (i >= total) return;
  const int64_t row = i / c_padded, channel = i % c_padded;
  const float v = channel < c ? src[row * c + channel] : 0.0f;
  if constexpr (sizeof(T) == 2)
    dst[i] = bf16::from_float(v);
  else
    dst[i] = v;
}

__global__ void apply_epilogue_kernel(float* __restrict__ y, int64_t total, int64_t k, ConvEpilogue e) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < total) y[i] = e.apply(y[i], i % k, i);
}

__global__ void epilogue_from_bf16_kernel(const bf16* __restrict__ src, float* __restrict__ y, int64_t total,
                                          int64_t k, ConvEpilogue e) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < total) y[i] = e.apply(src[i].to_float(), i % k, i);
}

void check_grid(int64_t n, const char* what) {
  TL_CHECK((n + kThreads - 1) / kThreads <= 0x7fffffffLL, what << ": " << n << " elements exceed one grid");
}

// v3 copies 16-byte chunks: its operands must start on 16 bytes (a fresh allocation does; a
// view into a batch may not, and then v2 runs instead).
bool mma_operands_aligned(const ConvOperands& op, Precision precision) {
  auto aligned = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
  return precision == Precision::bf16 ? aligned(op.x_bf16) && aligned(op.w_bf16) : aligned(op.x) && aligned(op.w);
}

}  // namespace

bool conv2d_uses_bf16(const Conv2dShape& s, Precision precision) {
  return precision == Precision::bf16 && conv2d_mma_supports(s, precision);
}

void conv2d(const Conv2dShape& s, const ConvOperands& op, const ConvEpilogue& e, Precision precision,
            cudaStream_t stream) {
  TL_CHECK(s.valid(), "conv2d: invalid shape");
  if (precision != Precision::fp32 && conv2d_mma_supports(s, precision) && mma_operands_aligned(op, precision))
    return conv2d_mma(s, op, e, precision, stream);
  if (s.is_pointwise()) {
    GemmShape g;  // y (N*H*W, K) = x (N*H*W, C) w^T, w stored (K, C)
    g.m = s.gemm_m();
    g.n = s.k;
    g.k = s.c;
    g.trans_b = true;
    return gemm_epilogue(g, op.x, op.w, op.y, e, stream);
  }
  conv2d_tiled(s, op.x, op.w, op.y, e, stream);
}

void pad_channels(const float* src, float* dst, int64_t rows, int64_t c, int64_t c_padded, cudaStream_t stream) {
  TL_CHECK(c_padded >= c, "pad_channels: " << c << " channels do not fit in " << c_padded);
  const int64_t total = rows * c_padded;
  if (total == 0) return;
  check_grid(total, "pad_channels");
  launch(pad_channels_kernel<float>, dim3(blocks_for(total, kThreads)), dim3(kThreads), 0, stream, src, dst, total, c,
         c_padded);
}

void pad_channels_to_bf16(const float* src, bf16* dst, int64_t rows, int64_t c, int64_t c_padded,
                          cudaStream_t stream) {
  TL_CHECK(c_padded >= c, "pad_channels_to_bf16: " << c << " channels do not fit in " << c_padded);
  const int64_t total = rows * c_padded;
  if (total == 0) return;
  check_grid(total, "pad_channels_to_bf16");
  launch(pad_channels_kernel<bf16>, dim3(blocks_for(total, kThreads)), dim3(kThreads), 0, stream, src, dst, total, c,
         c_padded);
}

void convert_to_bf16(const float* src, bf16* dst, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  check_grid(n, "convert_to_bf16");
  launch(convert_to_bf16_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, src, dst, n);
}

void apply_epilogue(float* y, int64_t m, int64_t k, const ConvEpilogue& e, cudaStream_t stream) {
  if (!e.bias && !e.residual && !e.relu) return;
  if (m * k == 0) return;
  check_grid(m * k, "apply_epilogue");
  launch(apply_epilogue_kernel, dim3(blocks_for(m * k, kThreads)), dim3(kThreads), 0, stream, y, m * k, k, e);
}

}  // namespace tl::cuda

namespace tl::cuda {

void apply_epilogue_from_bf16(const bf16* src, float* y, int64_t m, int64_t k, const ConvEpilogue& e,
                              cudaStream_t stream) {
  if (m * k == 0) return;
  check_grid(m * k, "apply_epilogue_from_bf16");
  launch(epilogue_from_bf16_kernel, dim3(blocks_for(m * k, kThreads)), dim3(kThreads), 0, stream, src, y, m * k, k,
         e);
}

}  // namespace tl::cuda
