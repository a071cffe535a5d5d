// TL_CUBLAS_CHECK: names the failing cuBLAS call, file and line in a tl::Error.
#pragma once

#include <cublas_v2.h>

#include "kernels/common/error.h"

#define TL_CUBLAS_CHECK(call)                                                                 \
  do {                                                                                        \
    const cublasStatus_t tl_cublas_status_ = (call);                                          \
    if (tl_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                           \
      ::tl::detail::throw_error(std::string("cuBLAS error ") +                                \
                                    cublasGetStatusString(tl_cublas_status_) + " in " #call,  \
                                __FILE__, __LINE__);                                          \
  } while (0)
