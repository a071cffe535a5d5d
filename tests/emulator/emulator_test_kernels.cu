// Test kernels for the SIMT emulator and the tensor-core helpers; see emulator_test_kernels.h.
#include "kernels/cuda/launch.h"
#include "kernels/cuda/mma.h"
#include "kernels/cuda/shared_memory.h"
#include "tests/emulator/emulator_test_kernels.h"

namespace tl::test_kernels {
namespace {

namespace mma = tl::cuda::mma;

constexpr int kTile = 16;
constexpr unsigned kFullMask = 0xffffffffu;

// Block (16, 16) computes one 16x16 tile of C; each thread one element.
template <PlantedBug kBug>
__global__ void tiled_matmul_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                    float* __restrict__ c, int m, int n, int k) {
  __shared__ float a_tile[kTile][kTile];
  __shared__ float b_tile[kTile][kTile];
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  const int row = static_cast<int>(blockIdx.y) * kTile + ty, col = static_cast<int>(blockIdx.x) * kTile + tx;
  const int tiles = kBug == PlantedBug::tile_edge_off_by_one ? k / kTile : (k + kTile - 1) / kTile;
  float acc = 0.0f;
  for (int t = 0; t < tiles; ++t) {
    const int ka = t * kTile + tx, kb = t * kTile + ty;
    a_tile[ty][tx] = row < m && ka < k ? a[row * k + ka] : 0.0f;
    b_tile[ty][tx] = kb < k && col < n ? b[kb * n + col] : 0.0f;
    if constexpr (kBug != PlantedBug::missing_first_sync) __syncthreads();
    for (int p = 0; p < kTile; ++p) acc += a_tile[ty][p] * b_tile[p][tx];
    if constexpr (kBug != PlantedBug::missing_second_sync) __syncthreads();
  }
  if (row < m && col < n) c[row * n + col] = acc;
}

__global__ void warp_ops_kernel(const float* x, float* scan, float* xor_sum, float* group_first,
                                unsigned* ballot, int* block_positives) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  const int lane = static_cast<int>(threadIdx.x % 32);
  const float v = x[i];
  float s = v;
  for (int offset = 1; offset < 32; offset *= 2) {
    const float up = __shfl_up_sync(kFullMask, s, offset);
    if (lane >= offset) s += up;
  }
  scan[i] = s;
  float total = v;
  for (int offset = 16; offset > 0; offset /= 2) total += __shfl_xor_sync(kFullMask, total, offset);
  xor_sum[i] = total;
  group_first[i] = __shfl_sync(kFullMask, v, 0, 8);
  const unsigned bits = __ballot_sync(kFullMask, v > 0.0f);
  if (lane == 0) ballot[i / 32] = bits;
  const int positives = __syncthreads_count(v > 0.0f);
  if (threadIdx.x == 0) block_positives[blockIdx.x] = positives;
}

__global__ void histogram_kernel(const int* v, int n, unsigned* bins, const float* x, float* total) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) atomicAdd(&bins[v[i]], 1u);
  float sum = i < n ? x[i] : 0.0f;  // every lane takes part in the shuffles
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_down_sync(kFullMask, sum, offset);
  if (threadIdx.x % 32 == 0) atomicAdd(total, sum);
}

__global__ void reverse_blocks_kernel(const float* x, float* y, int n) {
  extern __shared__ __align__(16) float staged[];  // the plain CUDA spelling works on both
  const int base = static_cast<int>(blockIdx.x * blockDim.x), t = static_cast<int>(threadIdx.x);
  const int last = min(static_cast<int>(blockDim.x), n - base) - 1;
  if (t <= last) staged[t] = x[base + t];
  __syncthreads();
  if (t <= last) y[base + t] = staged[last - t];
}

__global__ void mma_tf32_kernel(const float* a, const float* b, const float* c, float* d) {
  const int lane = static_cast<int>(threadIdx.x);
  uint32_t af[4], bf[2];
  float cf[4], df[4];
  for (int r = 0; r < 4; ++r)
    af[r] = mma::to_tf32(a[mma::tf32_a_row(lane, r) * 8 + mma::tf32_a_col(lane, r)]);
  for (int r = 0; r < 2; ++r)
    bf[r] = mma::to_tf32(b[mma::tf32_b_row(lane, r) * 8 + mma::tf32_b_col(lane, r)]);
  for (int r = 0; r < 4; ++r) cf[r] = c[mma::c_row(lane, r) * 8 + mma::c_col(lane, r)];
  mma::mma_m16n8k8_tf32(df, af, bf, cf);
  for (int r = 0; r < 4; ++r) d[mma::c_row(lane, r) * 8 + mma::c_col(lane, r)] = df[r];
}

template <bool kBViaTrans>
__global__ void mma_bf16_kernel(const uint16_t* a, const uint16_t* b, const float* c, float* d) {
  __shared__ __align__(16) uint16_t a_s[16][16];  // A (16, 16) as stored
  __shared__ __align__(16) uint16_t b_s[16][16];  // B (16, 8) as stored, or its transpose (8, 16)
  const int lane = static_cast<int>(threadIdx.x);
  // A: 512 bytes = 32 chunks of 16 bytes, one per lane, asynchronously.
  mma::cp_async_16(&a_s[lane / 2][8 * (lane % 2)], a + 8 * lane);
  if (kBViaTrans) {
    if (lane < 16) mma::cp_async_16(&b_s[lane][0], b + 8 * lane);  // row k of B: 8 bf16
  } else {
    for (int e = lane; e < 128; e += 32) b_s[e % 8][e / 8] = b[e];  // b_s[n][k] = B[k][n]
  }
  mma::cp_async_commit();
  mma::cp_async_wait<0>();
  __syncthreads();

  uint32_t af[4], bf[2];
  float cf[4], df[4];
  // A: matrices (rows 0-7, k 0-7), (rows 8-15, k 0-7), (rows 0-7, k 8-15), (rows 8-15, k 8-15).
  const int m = lane / 8, i = lane % 8;
  mma::ldmatrix_x4(af, &a_s[i + 8 * (m % 2)][8 * (m / 2)]);
  if (kBViaTrans)
    mma::ldmatrix_x2_trans(bf, &b_s[i + 8 * (m % 2)][0]);  // matrices: k 0-7 and k 8-15 of B
  else
    mma::ldmatrix_x2(bf, &b_s[i][8 * (m % 2)]);  // matrices: k 0-7 and k 8-15 of B^T
  for (int r = 0; r < 4; ++r) cf[r] = c[mma::c_row(lane, r) * 8 + mma::c_col(lane, r)];
  mma::mma_m16n8k16_bf16(df, af, bf, cf);
  for (int r = 0; r < 4; ++r) d[mma::c_row(lane, r) * 8 + mma::c_col(lane, r)] = df[r];
}

__global__ void divergent_barrier_kernel() {
  if (threadIdx.x < 16)
    __syncwarp();
  else
    __syncthreads();
}

__global__ void trap_kernel() {
  if (threadIdx.x == 3) __trap();
  __syncthreads();
}

__global__ void cp_async_copy_kernel(const float* in, float* out, bool wait) {
  __shared__ __align__(16) float staged[32];
  const int t = static_cast<int>(threadIdx.x);  // 8 threads, 4 floats each
  for (int j = 0; j < 4; ++j) staged[4 * t + j] = -1.0f;
  __syncthreads();
  mma::cp_async_16(&staged[4 * t], in + 4 * t);
  mma::cp_async_commit();
  if (wait) mma::cp_async_wait<0>();
  __syncthreads();
  for (int j = 0; j < 4; ++j) out[4 * t + j] = staged[4 * t + j];
}

__global__ void empty_kernel() {}

constexpr int kBigSmemFloats = 16384;  // 64 KiB

// One block of 1024 threads reverses n <= 16384 floats through 64 KiB of dynamic shared memory.
__global__ void reverse_64k_kernel(const float* x, float* y, int n) {
  float* staged = dynamic_shared<float>();
  for (int i = static_cast<int>(threadIdx.x); i < n; i += static_cast<int>(blockDim.x)) staged[i] = x[i];
  __syncthreads();
  for (int i = static_cast<int>(threadIdx.x); i < n; i += static_cast<int>(blockDim.x))
    y[i] = staged[n - 1 - i];
}

}  // namespace

void tiled_matmul(const float* a, const float* b, float* c, int m, int n, int k, PlantedBug bug,
                  cudaStream_t stream) {
  const dim3 grid(blocks_for(n, kTile), blocks_for(m, kTile)), block(kTile, kTile);
  switch (bug) {
    case PlantedBug::none:
      return launch(tiled_matmul_kernel<PlantedBug::none>, grid, block, 0, stream, a, b, c, m, n, k);
    case PlantedBug::tile_edge_off_by_one:
      return launch(tiled_matmul_kernel<PlantedBug::tile_edge_off_by_one>, grid, block, 0, stream, a, b, c, m,
                    n, k);
    case PlantedBug::missing_first_sync:
      return launch(tiled_matmul_kernel<PlantedBug::missing_first_sync>, grid, block, 0, stream, a, b, c, m,
                    n, k);
    case PlantedBug::missing_second_sync:
      return launch(tiled_matmul_kernel<PlantedBug::missing_second_sync>, grid, block, 0, stream, a, b, c, m,
                    n, k);
  }
}

void warp_ops(const float* x, float* scan, float* xor_sum, float* group_first, unsigned* ballot,
              int* block_positives, int n, cudaStream_t stream) {
  TL_CHECK(n % 64 == 0, "warp_ops: n=" << n << " must be a multiple of 64");
  launch(warp_ops_kernel, dim3(static_cast<unsigned>(n / 64)), dim3(64), 0, stream, x, scan, xor_sum,
         group_first, ballot, block_positives);
}

void histogram(const int* v, int n, unsigned* bins, const float* x, float* total, cudaStream_t stream) {
  launch(histogram_kernel, dim3(blocks_for(n, 128)), dim3(128), 0, stream, v, n, bins, x, total);
}

void reverse_blocks(const float* x, float* y, int n, int block, cudaStream_t stream) {
  launch(reverse_blocks_kernel, dim3(blocks_for(n, static_cast<unsigned>(block))),
         dim3(static_cast<unsigned>(block)), static_cast<size_t>(block) * sizeof(float), stream, x, y, n);
}

void mma_tf32(const float* a, const float* b, const float* c, float* d, cudaStream_t stream) {
  launch(mma_tf32_kernel, dim3(1), dim3(32), 0, stream, a, b, c, d);
}

void mma_bf16(const uint16_t* a, const uint16_t* b, const float* c, float* d, bool b_via_trans,
              cudaStream_t stream) {
  if (b_via_trans)
    launch(mma_bf16_kernel<true>, dim3(1), dim3(32), 0, stream, a, b, c, d);
  else
    launch(mma_bf16_kernel<false>, dim3(1), dim3(32), 0, stream, a, b, c, d);
}

void divergent_barrier(cudaStream_t stream) {
  launch(divergent_barrier_kernel, dim3(1), dim3(64), 0, stream);
}
void trap(cudaStream_t stream) { launch(trap_kernel, dim3(1), dim3(32), 0, stream); }
void cp_async_copy(const float* in, float* out, bool wait, cudaStream_t stream) {
  launch(cp_async_copy_kernel, dim3(1), dim3(8), 0, stream, in, out, wait);
}
void oversized_block(cudaStream_t stream) { launch(empty_kernel, dim3(1), dim3(2048), 0, stream); }

void reverse_with_64k_smem(const float* x, float* y, int n, bool raise_limit, cudaStream_t stream) {
  TL_CHECK(n <= kBigSmemFloats, "reverse_with_64k_smem: n=" << n << " exceeds " << kBigSmemFloats);
  constexpr size_t kBytes = kBigSmemFloats * sizeof(float);
  const int limit = raise_limit ? static_cast<int>(kBytes) : 48 << 10;
  TL_CUDA_CHECK(cudaFuncSetAttribute(reverse_64k_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, limit));
  launch(reverse_64k_kernel, dim3(1), dim3(1024), kBytes, stream, x, y, n);
}

}  // namespace tl::test_kernels
