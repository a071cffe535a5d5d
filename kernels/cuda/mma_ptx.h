// Tensor-core and async-copy helpers for the v3 convolution (kernels/cuda/conv2d_mma.cu):
// thin wrappers over the PTX instructions of sm_80+, one per instruction, with the fragment
// layouts written down once here. (Written for issue 9 before the shared kernels/cuda/mma.h
// existed; the fragment layouts are the PTX ISA's, "Matrix Fragments for mma.m16n8k8/k16".)
//
// Lane roles in a warp: g = lane / 4 (the "group", 0..7), t = lane % 4 (thread in group).
//   mma.m16n8k8 TF32   A (16x8, row-major):  a0 (g, t)  a1 (g+8, t)  a2 (g, t+4)  a3 (g+8, t+4)
//                      B (8x8, col-major):   b0 (k=t, n=g)           b1 (k=t+4, n=g)
//   mma.m16n8k16 BF16  A (16x16, row-major): a0 (g, 2t..2t+1)   a1 (g+8, 2t..2t+1)
//                                            a2 (g, 2t+8..+9)   a3 (g+8, 2t+8..+9)   (2 bf16 per reg,
//                                            the lower column in the low half)
//                      B (16x8, col-major):  b0 (k=2t..2t+1, n=g)   b1 (k=2t+8..+9, n=g)
//   accumulator C/D    (16x8 f32):           c0 (g, 2t) c1 (g, 2t+1) c2 (g+8, 2t) c3 (g+8, 2t+1)
//
// In the emulated build (TL_EMULATE_CUDA) the same functions are plain C++: the warp's
// fragments are gathered with the emulator's warp exchange and multiplied in float, and
// cp.async is a synchronous copy.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(TL_EMULATE_CUDA)
#include "kernels/emulator/emulator.h"
#endif

namespace tl::cuda::ptx {

// 16-byte asynchronous global -> shared copy; writes 16 zero bytes instead when !valid
// (the "zfill" form: src-size 0 reads nothing, so `src` need not point at real data).
__device__ __forceinline__ void cp_async_16(void* smem_dst, const void* gmem_src, bool valid) {
#if defined(TL_EMULATE_CUDA)
  if (valid)
    std::memcpy(smem_dst, gmem_src, 16);
  else
    std::memset(smem_dst, 0, 16);
#else
  const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem_dst));
  const int src_bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(gmem_src), "r"(src_bytes));
#endif
}

// Closes the group of cp.async issued since the last commit.
__device__ __forceinline__ void cp_async_commit() {
#if !defined(TL_EMULATE_CUDA)
  asm volatile("cp.async.commit_group;\n" ::);
#endif
}

// Waits until at most `kPending` committed groups are still in flight.
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
#if !defined(TL_EMULATE_CUDA)
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
#endif
}

// float -> TF32 (round to nearest, ties away), returned as the 32-bit register mma reads.
__device__ __forceinline__ uint32_t to_tf32(float x) {
#if defined(TL_EMULATE_CUDA)
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;  // keep 10 mantissa bits
  return u;
#else
  uint32_t out;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(out) : "f"(x));
  return out;
#endif
}

#if defined(TL_EMULATE_CUDA)
namespace emulated {

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline float bf16_half(uint32_t reg, int half) { return bits_to_float(half ? (reg & 0xffff0000u) : (reg << 16)); }

struct Fragments {
  uint32_t a[4], b[2];
};

// d += A B for one warp; `k` is 8 (TF32) or 16 (BF16).
inline void mma(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], int k) {
  const Fragments mine{{a[0], a[1], a[2], a[3]}, {b[0], b[1]}};
  Fragments all[32];
  tl::emu::warp_exchange(0xffffffffu, &mine, sizeof mine, all);
  const int lane = static_cast<int>(threadIdx.x % 32), g = lane / 4, t = lane % 4;
  auto a_at = [&](int row, int col) {
    if (k == 8) return bits_to_float(all[(row % 8) * 4 + col % 4].a[(row >= 8) + 2 * (col >= 4)]);
    return bf16_half(all[(row % 8) * 4 + (col % 8) / 2].a[(row >= 8) + 2 * (col >= 8)], col % 2);
  };
  auto b_at = [&](int kk, int n) {
    if (k == 8) return bits_to_float(all[n * 4 + kk % 4].b[kk >= 4]);
    return bf16_half(all[n * 4 + (kk % 8) / 2].b[kk >= 8], kk % 2);
  };
  for (int i = 0; i < 4; ++i) {
    const int row = g + 8 * (i / 2), col = 2 * t + i % 2;
    float acc = d[i];
    for (int kk = 0; kk < k; ++kk) acc += a_at(row, kk) * b_at(kk, col);
    d[i] = acc;
  }
}

}  // namespace emulated
#endif

// d (16x8 f32) += a (16x8 TF32) * b (8x8 TF32), one warp, fragments as in the header.
__device__ __forceinline__ void mma_tf32_m16n8k8(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#if defined(TL_EMULATE_CUDA)
  emulated::mma(d, a, b, 8);
#else
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

// d (16x8 f32) += a (16x16 BF16) * b (16x8 BF16), one warp, fragments as in the header.
__device__ __forceinline__ void mma_bf16_m16n8k16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#if defined(TL_EMULATE_CUDA)
  emulated::mma(d, a, b, 16);
#else
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

}  // namespace tl::cuda::ptx
