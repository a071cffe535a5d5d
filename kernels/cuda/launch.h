// tl::launch: the one way tl starts a kernel.
//
//   tl::launch(my_kernel, grid, block, smem_bytes, stream, args...);
//
// Under nvcc this is `my_kernel<<<grid, block, smem_bytes, stream>>>(args...)` followed by
// the launch check. In the emulated build (TL_EMULATE_CUDA, kernels/emulator/) the same call
// runs the kernel on the host SIMT emulator; keeping every launch behind this helper is what
// lets the kernels compile unchanged for both.
#pragma once

#include <cuda_runtime_api.h>

#include <utility>

#include "kernels/cuda/cuda_check.h"

#if defined(TL_EMULATE_CUDA)
#include "kernels/emulator/emulator.h"
#endif

namespace tl {

template <typename... KernelArgs, typename... Args>
void launch(void (*kernel)(KernelArgs...), dim3 grid, dim3 block, size_t smem_bytes,
            cudaStream_t stream, Args&&... args) {
#if defined(TL_EMULATE_CUDA)
  // Each emulated thread calls the kernel with its own copies of the arguments, as on the GPU.
  emu::launch(reinterpret_cast<const void*>(kernel), grid, block, smem_bytes, stream,
              [&] { kernel(static_cast<KernelArgs>(args)...); });
#else
  kernel<<<grid, block, smem_bytes, stream>>>(static_cast<KernelArgs>(std::forward<Args>(args))...);
#endif
  TL_CUDA_CHECK_LAUNCH();
}

// Number of blocks of `block_size` threads covering `n` items.
inline unsigned int blocks_for(long long n, unsigned int block_size) {
  return static_cast<unsigned int>((n + block_size - 1) / block_size);
}

}  // namespace tl
