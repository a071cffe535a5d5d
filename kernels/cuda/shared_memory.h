// tl::dynamic_shared<T>(): the block's dynamic shared memory (the `smem_bytes` of tl::launch).
//
//   float* tile = tl::dynamic_shared<float>();   // same as `extern __shared__ float tile[];`
//
// On the GPU this is the usual `extern __shared__` array, 16-byte aligned; on the emulator the
// block's buffer. Either spelling works in kernels (the emulated build rewrites one-line
// `extern __shared__` declarations); this one is typed and reads as a call.
#pragma once

#if defined(TL_EMULATE_CUDA)
#include "kernels/emulator/emulator.h"
#endif

namespace tl {

template <typename T>
__device__ __forceinline__ T* dynamic_shared() {
#if defined(TL_EMULATE_CUDA)
  return static_cast<T*>(emu::dynamic_shared_memory());
#else
  extern __shared__ __align__(16) unsigned char tl_dynamic_smem[];
  return reinterpret_cast<T*>(tl_dynamic_smem);
#endif
}

}  // namespace tl
