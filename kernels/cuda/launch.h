// tl::launch: the one way tl starts a kernel.
//
//   tl::launch(my_kernel, grid, block, smem_bytes, stream, args...);
//
// Under nvcc this is `my_kernel<<<grid, block, smem_bytes, stream>>>(args...)` followed by
// the launch check. Keeping every launch behind this helper lets the same kernel source be
// compiled differently (e.g. for a host emulator) without touching the kernels.
#pragma once

#include <cuda_runtime_api.h>

#include <utility>

#include "kernels/cuda/cuda_check.h"

namespace tl {

template <typename... KernelArgs, typename... Args>
void launch(void (*kernel)(KernelArgs...), dim3 grid, dim3 block, size_t smem_bytes,
            cudaStream_t stream, Args&&... args) {
  kernel<<<grid, block, smem_bytes, stream>>>(static_cast<KernelArgs>(std::forward<Args>(args))...);
  TL_CUDA_CHECK_LAUNCH();
}

// Number of blocks of `block_size` threads covering `n` items.
inline unsigned int blocks_for(long long n, unsigned int block_size) {
  return static_cast<unsigned int>((n + block_size - 1) / block_size);
}

}  // namespace tl
