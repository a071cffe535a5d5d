// Kernels written for testing the SIMT emulator and the tensor-core helpers (kernels/cuda/mma.h).
// They run on a real GPU in tl_tests (CUDA builds) and on the emulator in tl_tests_emulated,
// so the GPU validates what the emulator is checked against. All pointers are device memory.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tl::test_kernels {

// A textbook 16x16 shared-memory tiled matmul, C (m, n) = A (m, k) B (k, n), row-major, with
// planted bugs for showing that the emulated tests catch them.
enum class PlantedBug {
  none,
  tile_edge_off_by_one,  // the K loop counts k / 16 tiles, dropping the ragged last tile
  missing_first_sync,    // no __syncthreads between staging the tiles and reading them
  missing_second_sync,   // no __syncthreads between reading the tiles and restaging them
};
void tiled_matmul(const float* a, const float* b, float* c, int m, int n, int k, PlantedBug bug,
                  cudaStream_t stream);

// Per warp of x (n a multiple of 32, blocks of 64 threads): inclusive scan with __shfl_up_sync,
// warp sum with __shfl_xor_sync, the sum of the first 8 lanes' values broadcast with
// __shfl_sync(width 8) from lane 0 of each group of 8, __ballot_sync of x > 0, and per block of
// 64 the count of x > 0 from __syncthreads_count.
void warp_ops(const float* x, float* scan, float* xor_sum, float* group_first, unsigned* ballot,
              int* block_positives, int n, cudaStream_t stream);

// bins[v[i]] += 1 with atomicAdd; float total += x[i] with atomicAdd on float.
void histogram(const int* v, int n, unsigned* bins, const float* x, float* total, cudaStream_t stream);

// y = x reversed within each block of `block` elements, through dynamic shared memory
// (declared `extern __shared__`).
void reverse_blocks(const float* x, float* y, int n, int block, cudaStream_t stream);

// One warp: D (16, 8) = A (16, 8) B (8, 8) + C with mma.m16n8k8 TF32 (inputs rounded by to_tf32).
void mma_tf32(const float* a, const float* b, const float* c, float* d, cudaStream_t stream);
// One warp: D (16, 8) = A (16, 16) B (16, 8) + C with mma.m16n8k16 BF16; a, b hold bf16 bits.
// A and B reach registers through cp.async -> shared memory -> ldmatrix (x4 for A; for B,
// x2 on a transposed copy when `b_trans_in_smem`, else x2.trans on B as stored).
void mma_bf16(const uint16_t* a, const uint16_t* b, const float* c, float* d, bool b_via_trans,
              cudaStream_t stream);

// Emulator-only behaviours (undefined or fatal on a GPU):
// a kernel whose warps split between __syncthreads and __syncwarp (a deadlock),
void divergent_barrier(cudaStream_t stream);
// a kernel calling __trap(),
void trap(cudaStream_t stream);
// and cp.async data read with (wait = true) or without waiting for it: out (32) = in (32).
void cp_async_copy(const float* in, float* out, bool wait, cudaStream_t stream);

// A launch with 2048 threads per block: an invalid configuration everywhere.
void oversized_block(cudaStream_t stream);

// y (n <= 16384) = x reversed through 64 KiB of dynamic shared memory, more than the default
// 48 KiB limit: allowed only after raising the kernel's limit with cudaFuncSetAttribute
// (reached through tl::dynamic_shared<float>()).
void reverse_with_64k_smem(const float* x, float* y, int n, bool raise_limit, cudaStream_t stream);

}  // namespace tl::test_kernels
