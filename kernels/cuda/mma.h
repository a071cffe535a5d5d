// Tensor-core and async-copy building blocks: mma.sync, ldmatrix, cp.async.
//
// Each helper is one PTX instruction under nvcc (sm_80 and later) and an emulation that follows
// the PTX ISA's register-fragment layouts in the emulated build (TL_EMULATE_CUDA), so that a
// tensor-core kernel written with these helpers runs unchanged on the host emulator. Kernels
// use these helpers instead of writing the inline PTX themselves.
//
// Fragment layouts ("Matrix Fragments for mma.m16n8k8 / mma.m16n8k16" in the PTX ISA). In a
// warp, lane = g * 4 + t: g = lane / 4 is the groupID, t = lane % 4 the threadID_in_group.
//   m16n8k8 tf32   A (16x8):  a[r] = A[g + 8*(r%2)][t + 4*(r/2)]                    r = 0..3
//                  B (8x8):   b[r] = B[t + 4*r][g]                                   r = 0..1
//   m16n8k16 bf16  A (16x16): a[r] = A[g + 8*(r%2)][2*(t + 4*(r/2)) + {0, 1}]        r = 0..3
//                  B (16x8):  b[r] = B[2*(t + 4*r) + {0, 1}][g]                      r = 0..1
//                  (two bf16 per register, the lower k in the low 16 bits)
//   C, D (16x8 float, both):  c[r] = C[g + 8*(r/2)][2*t + r%2]                       r = 0..3
// ldmatrix .m8n8 .b16: lanes 8i..8i+7 give the row addresses of matrix i; register i of lane l
// receives row l/4, columns 2*(l%4) and 2*(l%4)+1 of matrix i (with .trans: the transpose).
// The *_row/_col functions below spell the layouts out for kernels and tests.
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"

#if defined(TL_EMULATE_CUDA)
#include <bit>
#include <cstring>

#include "kernels/emulator/device.h"
#endif

namespace tl::cuda::mma {

// ---- fragment layouts: which element of the matrix register r of `lane` holds ----
TL_HD int tf32_a_row(int lane, int r) { return lane / 4 + 8 * (r % 2); }
TL_HD int tf32_a_col(int lane, int r) { return lane % 4 + 4 * (r / 2); }
TL_HD int tf32_b_row(int lane, int r) { return lane % 4 + 4 * r; }
TL_HD int tf32_b_col(int lane, int /*r*/) { return lane / 4; }
// bf16: element h (0 = low half, 1 = high half) of register r.
TL_HD int bf16_a_row(int lane, int r) { return lane / 4 + 8 * (r % 2); }
TL_HD int bf16_a_col(int lane, int r, int h) { return 2 * (lane % 4 + 4 * (r / 2)) + h; }
TL_HD int bf16_b_row(int lane, int r, int h) { return 2 * (lane % 4 + 4 * r) + h; }
TL_HD int bf16_b_col(int lane, int /*r*/) { return lane / 4; }
TL_HD int c_row(int lane, int r) { return lane / 4 + 8 * (r / 2); }
TL_HD int c_col(int lane, int r) { return 2 * (lane % 4) + r % 2; }

#if defined(TL_EMULATE_CUDA)
namespace emulated {

inline int lane() {
  return static_cast<int>((threadIdx.x + threadIdx.y * blockDim.x + threadIdx.z * blockDim.x * blockDim.y) %
                          32u);
}
inline float tf32_value(uint32_t bits) { return std::bit_cast<float>(bits & 0xffffe000u); }  // top 19 bits
inline float bf16_value(uint32_t reg, int h) {
  return std::bit_cast<float>((reg >> (16 * h) & 0xffffu) << 16);
}

// One warp-wide exchange of every lane's fragments, then each lane computes its own D entries.
struct Fragments {
  uint32_t a[4];
  uint32_t b[2];
  float c[4];
};

// The fragment placement is spelled out here straight from the PTX ISA's figures, apart from
// the *_row/_col helpers above, so that tests written with the helpers check one against the other.
template <bool kBf16>
void mma_m16n8(float d[4], const uint32_t a[4], const uint32_t b[2], const float c[4]) {
  constexpr int kK = kBf16 ? 16 : 8;
  Fragments mine;
  std::memcpy(mine.a, a, sizeof mine.a);
  std::memcpy(mine.b, b, sizeof mine.b);
  std::memcpy(mine.c, c, sizeof mine.c);
  Fragments all[32];
  tl::emu::warp_exchange(0xffffffffu, &mine, sizeof mine, all);
  float A[16][kK], B[kK][8], C[16][8];
  for (int l = 0; l < 32; ++l) {
    const int g = l / 4, t = l % 4;  // groupID, threadID_in_group
    const Fragments& f = all[l];
    C[g][2 * t] = f.c[0], C[g][2 * t + 1] = f.c[1], C[g + 8][2 * t] = f.c[2], C[g + 8][2 * t + 1] = f.c[3];
    if constexpr (kBf16) {
      for (int h = 0; h < 2; ++h) {
        A[g][2 * t + h] = bf16_value(f.a[0], h), A[g + 8][2 * t + h] = bf16_value(f.a[1], h);
        A[g][2 * t + 8 + h] = bf16_value(f.a[2], h), A[g + 8][2 * t + 8 + h] = bf16_value(f.a[3], h);
        B[2 * t + h][g] = bf16_value(f.b[0], h), B[2 * t + 8 + h][g] = bf16_value(f.b[1], h);
      }
    } else {
      A[g][t] = tf32_value(f.a[0]), A[g + 8][t] = tf32_value(f.a[1]);
      A[g][t + 4] = tf32_value(f.a[2]), A[g + 8][t + 4] = tf32_value(f.a[3]);
      B[t][g] = tf32_value(f.b[0]), B[t + 4][g] = tf32_value(f.b[1]);
    }
  }
  const int g = lane() / 4, t = lane() % 4;
  const int rows[4] = {g, g, g + 8, g + 8}, cols[4] = {2 * t, 2 * t + 1, 2 * t, 2 * t + 1};
  for (int r = 0; r < 4; ++r) {
    float acc = C[rows[r]][cols[r]];
    for (int p = 0; p < kK; ++p)
      acc += A[rows[r]][p] * B[p][cols[r]];  // tf32/bf16 products are exact in float
    d[r] = acc;
  }
}

template <int kMatrices, bool kTrans>
void ldmatrix(uint32_t* regs, const void* row_address) {
  const uint64_t mine = reinterpret_cast<uintptr_t>(row_address);
  uint64_t rows[32];
  tl::emu::warp_exchange(0xffffffffu, &mine, sizeof mine, rows);
  const int l = lane();
  auto element = [&](int matrix, int row, int col) {
    uint16_t v;
    std::memcpy(&v, reinterpret_cast<const unsigned char*>(rows[matrix * 8 + row]) + 2 * col, 2);
    return static_cast<uint32_t>(v);
  };
  for (int m = 0; m < kMatrices; ++m) {
    const int r = kTrans ? 2 * (l % 4) : l / 4, c = kTrans ? l / 4 : 2 * (l % 4);
    regs[m] = kTrans ? element(m, r, c) | element(m, r + 1, c) << 16
                     : element(m, r, c) | element(m, r, c + 1) << 16;
  }
}

}  // namespace emulated
#endif

// D = A * B + C on tensor cores, TF32 inputs (use to_tf32 first), float accumulation.
__device__ __forceinline__ void mma_m16n8k8_tf32(float d[4], const uint32_t a[4], const uint32_t b[2],
                                                 const float c[4]) {
#if defined(TL_EMULATE_CUDA)
  emulated::mma_m16n8<false>(d, a, b, c);
#elif defined(__CUDA_ARCH__)
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%10,%11,%12,%13};\n"
      : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]),
        "f"(c[3]));
#endif
}

// D = A * B + C on tensor cores, BF16 inputs (two per register), float accumulation.
__device__ __forceinline__ void mma_m16n8k16_bf16(float d[4], const uint32_t a[4], const uint32_t b[2],
                                                  const float c[4]) {
#if defined(TL_EMULATE_CUDA)
  emulated::mma_m16n8<true>(d, a, b, c);
#elif defined(__CUDA_ARCH__)
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%10,%11,%12,%13};\n"
      : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]),
        "f"(c[3]));
#endif
}

// float -> tf32 bit pattern, rounded to nearest, ties away from zero (cvt.rna.tf32.f32).
__device__ __forceinline__ uint32_t to_tf32(float x) {
#if defined(TL_EMULATE_CUDA)
  const uint32_t u = std::bit_cast<uint32_t>(x);
  if ((u & 0x7f800000u) == 0x7f800000u) return u;  // Inf, NaN: unchanged
  return (u + 0x1000u) & 0xffffe000u;
#elif defined(__CUDA_ARCH__)
  uint32_t out;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(out) : "f"(x));
  return out;
#else
  return 0;
#endif
}

// ldmatrix.sync.aligned.m8n8.{x1,x2,x4}[.trans].shared.b16: `row` is this lane's row address
// (lanes 0-7 for matrix 0, 8-15 for matrix 1, ...), in shared memory, 16-byte aligned.
#if defined(TL_EMULATE_CUDA)
#define TL_LDMATRIX(name, n, trans, ptx)                                 \
  __device__ __forceinline__ void name(uint32_t r[n], const void* row) { \
    emulated::ldmatrix<n, trans>(r, row);                                \
  }
#else
#define TL_LDMATRIX(name, n, trans, ptx) TL_LDMATRIX_##n(name, ptx)
#endif
#define TL_LDMATRIX_1(name, ptx)                                             \
  __device__ __forceinline__ void name(uint32_t r[1], const void* row) {     \
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row)); \
    asm volatile(ptx " {%0}, [%1];\n" : "=r"(r[0]) : "r"(s));                \
  }
#define TL_LDMATRIX_2(name, ptx)                                             \
  __device__ __forceinline__ void name(uint32_t r[2], const void* row) {     \
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row)); \
    asm volatile(ptx " {%0,%1}, [%2];\n" : "=r"(r[0]), "=r"(r[1]) : "r"(s)); \
  }
#define TL_LDMATRIX_4(name, ptx)                                                                           \
  __device__ __forceinline__ void name(uint32_t r[4], const void* row) {                                   \
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row));                               \
    asm volatile(ptx " {%0,%1,%2,%3}, [%4];\n" : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(s)); \
  }
TL_LDMATRIX(ldmatrix_x1, 1, false, "ldmatrix.sync.aligned.m8n8.x1.shared.b16")
TL_LDMATRIX(ldmatrix_x2, 2, false, "ldmatrix.sync.aligned.m8n8.x2.shared.b16")
TL_LDMATRIX(ldmatrix_x4, 4, false, "ldmatrix.sync.aligned.m8n8.x4.shared.b16")
TL_LDMATRIX(ldmatrix_x1_trans, 1, true, "ldmatrix.sync.aligned.m8n8.x1.trans.shared.b16")
TL_LDMATRIX(ldmatrix_x2_trans, 2, true, "ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16")
TL_LDMATRIX(ldmatrix_x4_trans, 4, true, "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16")
#undef TL_LDMATRIX
#undef TL_LDMATRIX_1
#undef TL_LDMATRIX_2
#undef TL_LDMATRIX_4

// cp.async.cg.shared.global: copies 16 bytes global -> shared without holding registers;
// `src_bytes` < 16 reads only that many and zero-fills the rest (0 for an out-of-range tile).
// Complete only after cp_async_commit() and a cp_async_wait<N>() that covers its group.
// (The emulator performs the copy at that wait, so reading the data earlier shows stale bytes.)
__device__ __forceinline__ void cp_async_16(void* smem, const void* gmem, int src_bytes = 16) {
#if defined(TL_EMULATE_CUDA)
  tl::emu::cp_async_enqueue(smem, gmem, 16, static_cast<size_t>(src_bytes));
#elif defined(__CUDA_ARCH__)
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(src_bytes));
#endif
}

// Closes the group of cp.async issued by this thread since the last commit.
__device__ __forceinline__ void cp_async_commit() {
#if defined(TL_EMULATE_CUDA)
  tl::emu::cp_async_commit();
#elif defined(__CUDA_ARCH__)
  asm volatile("cp.async.commit_group;\n" ::);
#endif
}

// Waits until at most kPending of this thread's committed groups are still in flight. Other
// threads' copies need a __syncthreads() after the wait before they are visible.
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
#if defined(TL_EMULATE_CUDA)
  tl::emu::cp_async_wait_groups(kPending);
#elif defined(__CUDA_ARCH__)
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
#endif
}

}  // namespace tl::cuda::mma
