// TL_CUDNN_CHECK: names the failing cuDNN call, file and line in a tl::Error.
#pragma once

#include <cudnn.h>

#include "kernels/common/error.h"

#if defined(TL_EMULATE_CUDA)
// The emulated build has no cuDNN: the call is not compiled, and reaching it throws.
#define TL_CUDNN_CHECK(call) \
  ::tl::detail::throw_error("cuDNN is not available in the emulated CUDA build: " #call, __FILE__, __LINE__)
#else
#define TL_CUDNN_CHECK(call)                                                                  \
  do {                                                                                        \
    const cudnnStatus_t tl_cudnn_status_ = (call);                                            \
    if (tl_cudnn_status_ != CUDNN_STATUS_SUCCESS)                                             \
      ::tl::detail::throw_error(std::string("cuDNN error ") +                                 \
                                    cudnnGetErrorString(tl_cudnn_status_) + " in " #call,     \
                                __FILE__, __LINE__);                                          \
  } while (0)
#endif
