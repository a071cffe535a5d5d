// Convolution v3: implicit GEMM on tensor cores (TF32 or BF16 mma.sync, FP32 accumulation),
// with a 3-stage cp.async pipeline.
//
// Same GEMM view as v2: y (M = N*P*Q, K) = A (M, R*S*C) x B (R*S*C, K), A gathered from x on
// the fly, B = w: (K, R*S*C) read transposed. What changes:
//   * Math: a warp issues mma.sync, which multiplies a 16x8 (TF32) or 16x16 (BF16) slice of A
//     by an 8x8 / 16x8 slice of B in one instruction on the tensor cores; kernels/cuda/mma.h
//     gives the fragment layouts (and emulates them in the host build). Accumulators stay FP32.
//   * Tiles: a block of 8 warps owns 128 (pixels) x 64 (channels) of y; warps form a 4 x 2
//     grid, each owning 32 x 32 = 2 x 4 mma tiles (32 FP32 accumulators per thread). The
//     reduction advances 64 bytes per step (16 TF32 or 32 BF16 values of kk).
//   * Loads: 16-byte cp.async copies global -> shared that bypass registers and run while the
//     tensor cores work on an earlier stage: 3 stages in flight (issue stage i+2, compute i).
//     A 16-byte chunk is 4 floats / 8 bf16 consecutive channels of one input pixel, so C must
//     be a multiple of 4 / 8 (every ResNet conv but the 3-channel stem, which takes v2); taps in
//     the padding and rows past M are zero-filled by the copy itself (src-size 0).
//   * Fragments are read from shared memory with ldmatrix.x4 (four 8x8 16-bit matrices per
//     instruction, which is also the TF32 fragment when read as 32-bit words).
//   * Shared rows are padded from 64 to 80 bytes: the 8 row addresses of one ldmatrix matrix
//     (stride 80) then fall in 8 different 16-byte bank groups, so the loads are conflict-free.
// BF16 reads x and w already converted to bf16 (conv2d.h); TF32 reads the float tensors and
// rounds each fragment value with cvt.rna.tf32.
// Cost: 2*M*K*R*S*C flops on tensor cores; global loads ~ M*K*R*S*C*(1/64 + 1/128) elements.
// Layout: x (N, H, W, C), w (K, R, S, C), y (N, P, Q, K) == (M, K) row-major, all contiguous.
#include <cstdint>

#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/mma.h"

namespace tl::cuda {
namespace {

constexpr int kTileM = 128, kTileN = 64, kStages = 3;
constexpr int kWarpsM = 4, kWarpsN = 2, kThreads = 32 * kWarpsM * kWarpsN;
constexpr int kWarpTilesM = kTileM / kWarpsM / 16;  // m16 tiles per warp: 2
constexpr int kWarpTilesN = kTileN / kWarpsN / 8;   // n8 tiles per warp: 4
constexpr int kChunkBytes = 16, kChunksPerRow = 4;  // 64 bytes of kk per stage and row
constexpr int kRowBytes = kChunkBytes * kChunksPerRow + 16;  // +16: conflict-free fragment loads
constexpr int kStageBytes = (kTileM + kTileN) * kRowBytes;
static_assert(kThreads == 256, "the loaders below give each thread 2 A chunks and 1 B chunk");
static_assert(kTileM * kChunksPerRow == 2 * kThreads && kTileN * kChunksPerRow == kThreads, "loader split");
static_assert(kStages * kStageBytes <= 48 * 1024, "static shared memory is limited to 48 KiB");

template <Precision kP>
struct MmaTraits;
template <>
struct MmaTraits<Precision::tf32> {
  static constexpr int kElemBytes = 4, kMmaK = 8;
};
template <>
struct MmaTraits<Precision::bf16> {
  static constexpr int kElemBytes = 2, kMmaK = 16;
};

template <Precision kP>
__global__ void __launch_bounds__(kThreads, 2)
    conv2d_mma_kernel(Conv2dShape s, const unsigned char* __restrict__ x, const unsigned char* __restrict__ w,
                      float* __restrict__ y, ConvEpilogue e) {
  using Traits = MmaTraits<kP>;
  constexpr int kElem = Traits::kElemBytes;
  constexpr int kVec = kChunkBytes / kElem;                   // elements of kk per chunk
  constexpr int kTileK = kChunksPerRow * kVec;                // elements of kk per stage
  __shared__ __align__(16) unsigned char smem[kStages][kStageBytes];  // per stage: A rows, then B rows

  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int g = lane / 4, t = lane % 4;
  const int warp_m = warp % kWarpsM, warp_n = warp / kWarpsM;
  const int64_t m0 = int64_t{blockIdx.x} * kTileM, n0 = int64_t{blockIdx.y} * kTileN;
  const int64_t P = s.out_h(), Q = s.out_w(), M = s.gemm_m(), RSC = s.gemm_k();

  // This thread's copies: chunk column `cc` of A rows a_row[0..1] and of B row b_row.
  const int cc = tid % kChunksPerRow;
  int a_row[2], a_ih0[2], a_iw0[2];
  int64_t a_image[2];
#pragma unroll
  for (int j = 0; j < 2; ++j) {
    a_row[j] = tid / kChunksPerRow + j * (kThreads / kChunksPerRow);
    const int64_t m = m0 + a_row[j];
    const int64_t q = m % Q, p = (m / Q) % P, n = m / (P * Q);
    a_image[j] = n * s.h * s.w;
    a_ih0[j] = m < M ? static_cast<int>(p * s.stride - s.padding) : -(1 << 30);  // past M: all padding
    a_iw0[j] = static_cast<int>(q * s.stride - s.padding);
  }
  const int b_row = tid / kChunksPerRow;
  const bool b_row_valid = n0 + b_row < s.k;
  const unsigned char* b_src_row = w + (b_row_valid ? (n0 + b_row) * RSC * kElem : 0);

  const int64_t k_tiles = (RSC + kTileK - 1) / kTileK;
  const int channels = static_cast<int>(s.c), kernel_s = static_cast<int>(s.s);
  auto load_stage = [&](int stage, int64_t k_tile) {
    unsigned char* base = smem[stage];
    // 32-bit index math: R*S*C is small (4608 in ResNet-50), checked by the launcher.
    const int kk = static_cast<int>(k_tile) * kTileK + cc * kVec;
    const bool kk_valid = kk < RSC;
    // C % kVec == 0, so the chunk's kVec channels all belong to tap (r, ts) of one pixel.
    const int c = kk % channels, rs = kk / channels;
    const int r = rs / kernel_s, ts = rs % kernel_s;
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const int64_t ih = a_ih0[j] + r, iw = a_iw0[j] + ts;
      const bool valid = kk_valid && ih >= 0 && ih < s.h && iw >= 0 && iw < s.w;
      const unsigned char* src = valid ? x + ((a_image[j] + ih * s.w + iw) * s.c + c) * kElem : x;
      mma::cp_async_16(base + a_row[j] * kRowBytes + cc * kChunkBytes, src, valid ? kChunkBytes : 0);
    }
    const bool b_valid = kk_valid && b_row_valid;
    mma::cp_async_16(base + (kTileM + b_row) * kRowBytes + cc * kChunkBytes, b_valid ? b_src_row + kk * kElem : w,
                     b_valid ? kChunkBytes : 0);
  };

  float acc[kWarpTilesM][kWarpTilesN][4] = {};

  // Prologue: stages 0 .. kStages-2 in flight. Every iteration commits exactly one group (maybe
  // empty), so "wait until at most kStages-2 groups are pending" always means "k_tile has landed".
  for (int st = 0; st < kStages - 1; ++st) {
    if (st < k_tiles) load_stage(st, st);
    mma::cp_async_commit();
  }
  for (int64_t k_tile = 0; k_tile < k_tiles; ++k_tile) {
    mma::cp_async_wait<kStages - 2>();
    // Two jobs: this thread's copies of k_tile are visible to all, and every warp has finished
    // computing on the stage the prefetch below overwrites (it held k_tile - 1).
    __syncthreads();
    const int64_t next = k_tile + kStages - 1;
    if (next < k_tiles) load_stage(static_cast<int>(next % kStages), next);
    mma::cp_async_commit();

    const unsigned char* stage = smem[k_tile % kStages];
    const unsigned char* a_tile = stage;
    const unsigned char* b_tile = stage + kTileM * kRowBytes;
    // Fragments come from shared memory by ldmatrix.x4: four 8x8 matrices of 16-bit values
    // (8 rows x 16 bytes each), lane l giving the address of row l % 8 of matrix l / 8 and
    // receiving, in register i, row l / 4 and bytes 4*(l % 4) .. +3 of matrix i. Read as 32-bit
    // words that is exactly the mma fragment of both precisions: BF16 pairs (row g, columns
    // 2t, 2t+1), or one TF32 value (row g, column t). A k-step is 32 bytes of a row (8 TF32 or
    // 16 BF16 values), i.e. two 16-byte chunks.
    const int lane_row = lane % 8, lane_matrix = lane / 8;
#pragma unroll
    for (int ks = 0; ks < kTileK / Traits::kMmaK; ++ks) {
      uint32_t a[kWarpTilesM][4], b[kWarpTilesN][2];
      // A, per m16 tile: matrices (rows 0-7, chunk 0), (rows 8-15, chunk 0), (rows 0-7, chunk 1),
      // (rows 8-15, chunk 1) = registers a0, a1, a2, a3.
#pragma unroll
      for (int mt = 0; mt < kWarpTilesM; ++mt) {
        const int row = warp_m * 32 + mt * 16 + (lane_matrix % 2) * 8 + lane_row;
        const int chunk = ks * 2 + lane_matrix / 2;
        mma::ldmatrix_x4(a[mt], a_tile + row * kRowBytes + chunk * kChunkBytes);
      }
      // B (rows = output channels), per pair of n8 tiles: matrices (tile 0, chunk 0), (tile 0,
      // chunk 1), (tile 1, chunk 0), (tile 1, chunk 1) = b0, b1 of tile 0, then of tile 1.
#pragma unroll
      for (int pair = 0; pair < kWarpTilesN / 2; ++pair) {
        const int row = warp_n * 32 + (pair * 2 + lane_matrix / 2) * 8 + lane_row;
        const int chunk = ks * 2 + lane_matrix % 2;
        uint32_t r[4];
        mma::ldmatrix_x4(r, b_tile + row * kRowBytes + chunk * kChunkBytes);
        b[2 * pair][0] = r[0], b[2 * pair][1] = r[1], b[2 * pair + 1][0] = r[2], b[2 * pair + 1][1] = r[3];
      }
      if constexpr (kP == Precision::tf32) {  // round the float bits to TF32
#pragma unroll
        for (int mt = 0; mt < kWarpTilesM; ++mt)
#pragma unroll
          for (int i = 0; i < 4; ++i) a[mt][i] = mma::to_tf32(__uint_as_float(a[mt][i]));
#pragma unroll
        for (int nt = 0; nt < kWarpTilesN; ++nt)
#pragma unroll
          for (int i = 0; i < 2; ++i) b[nt][i] = mma::to_tf32(__uint_as_float(b[nt][i]));
      }
#pragma unroll
      for (int mt = 0; mt < kWarpTilesM; ++mt)
#pragma unroll
        for (int nt = 0; nt < kWarpTilesN; ++nt) {
          if constexpr (kP == Precision::tf32)
            mma::mma_m16n8k8_tf32(acc[mt][nt], a[mt], b[nt], acc[mt][nt]);
          else
            mma::mma_m16n8k16_bf16(acc[mt][nt], a[mt], b[nt], acc[mt][nt]);
        }
    }
  }
  mma::cp_async_wait<0>();  // no copy may still target shared memory when the block exits

#pragma unroll
  for (int mt = 0; mt < kWarpTilesM; ++mt)
#pragma unroll
    for (int nt = 0; nt < kWarpTilesN; ++nt)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int64_t m = m0 + warp_m * 32 + mt * 16 + g + 8 * (i / 2);
        const int64_t kout = n0 + warp_n * 32 + nt * 8 + 2 * t + i % 2;
        if (m < M && kout < s.k) {
          const int64_t out = m * s.k + kout;
          y[out] = e.apply(acc[mt][nt][i], kout, out);
        }
      }
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

}  // namespace

bool conv2d_mma_supports(const Conv2dShape& s, Precision precision) {
  if (precision == Precision::tf32) return s.c % 4 == 0;
  if (precision == Precision::bf16) return s.c % 8 == 0;
  return false;
}

void conv2d_mma(const Conv2dShape& s, const ConvOperands& op, const ConvEpilogue& e, Precision precision,
                cudaStream_t stream) {
  TL_CHECK(s.valid(), "conv2d_mma: invalid shape");
  TL_CHECK(conv2d_mma_supports(s, precision), "conv2d_mma: needs tf32 with C % 4 == 0 or bf16 with C % 8 == 0, got "
                                                  << precision_name(precision) << " with C=" << s.c);
  TL_CHECK(s.h + 2 * s.padding < (1 << 30) && s.w + 2 * s.padding < (1 << 30) && s.gemm_k() < (1 << 30),
           "conv2d_mma: image or window too large");
  TL_CHECK(s.k <= 65535LL * kTileN && (s.gemm_m() + kTileM - 1) / kTileM <= 0x7fffffffLL,
           "conv2d_mma: problem exceeds the grid limits (M=" << s.gemm_m() << ", K=" << s.k << ")");
  const dim3 grid(blocks_for(s.gemm_m(), kTileM), blocks_for(s.k, kTileN));
  if (precision == Precision::tf32) {
    TL_CHECK(aligned16(op.x) && aligned16(op.w), "conv2d_mma: x and w must be 16-byte aligned");
    launch(conv2d_mma_kernel<Precision::tf32>, grid, dim3(kThreads), 0, stream, s,
           reinterpret_cast<const unsigned char*>(op.x), reinterpret_cast<const unsigned char*>(op.w), op.y, e);
  } else {
    TL_CHECK(op.x_bf16 && op.w_bf16, "conv2d_mma: bf16 needs x_bf16 and w_bf16");
    TL_CHECK(aligned16(op.x_bf16) && aligned16(op.w_bf16), "conv2d_mma: x_bf16 and w_bf16 must be 16-byte aligned");
    launch(conv2d_mma_kernel<Precision::bf16>, grid, dim3(kThreads), 0, stream, s,
           reinterpret_cast<const unsigned char*>(op.x_bf16), reinterpret_cast<const unsigned char*>(op.w_bf16), op.y,
           e);
  }
}

}  // namespace tl::cuda
