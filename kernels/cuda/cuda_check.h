// One checking macro per NVIDIA library. Each names the failing call, file and line and
// throws tl::Error; every CUDA API call and every kernel launch in tl goes through them.
//   TL_CUDA_CHECK(cudaMalloc(&p, n));
//   TL_CUDA_CHECK_LAUNCH();                 // after kernel<<<...>>>
//   TL_CUBLAS_CHECK(cublasSgemm(...));
//   TL_CUDNN_CHECK(cudnnConvolutionForward(...));
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/error.h"

#define TL_CUDA_CHECK(call)                                                                   \
  do {                                                                                        \
    const cudaError_t tl_cuda_status_ = (call);                                               \
    if (tl_cuda_status_ != cudaSuccess)                                                       \
      ::tl::detail::throw_error(std::string("CUDA error ") + cudaGetErrorName(tl_cuda_status_) + \
                                    " (" + cudaGetErrorString(tl_cuda_status_) + ") in " #call, \
                                __FILE__, __LINE__);                                          \
  } while (0)

// A launch reports configuration errors (too many threads, too much shared memory) only
// through cudaGetLastError; faults inside the kernel surface at the next sync point.
#define TL_CUDA_CHECK_LAUNCH() TL_CUDA_CHECK(cudaGetLastError())
