// TL_CUBLAS_CHECK: names the failing cuBLAS call, file and line in a tl::Error.
#pragma once

#include <cublas_v2.h>

#include "kernels/common/error.h"

#if defined(TL_EMULATE_CUDA)
// The emulated build has no cuBLAS: the call is not compiled, and reaching it throws.
#define TL_CUBLAS_CHECK(call) \
  ::tl::detail::throw_error("cuBLAS is not available in the emulated CUDA build: " #call, __FILE__, __LINE__)
#else
#define TL_CUBLAS_CHECK(call)                                                                 \
  do {                                                                                        \
    const cublasStatus_t tl_cublas_status_ = (call);                                          \
    if (tl_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                           \
      ::tl::detail::throw_error(std::string("cuBLAS error ") +                                \
                                    cublasGetStatusString(tl_cublas_status_) + " in " #call,  \
                                __FILE__, __LINE__);                                          \
  } while (0)
#endif
