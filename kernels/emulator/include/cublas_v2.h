// Emulated build: cuBLAS is NOT emulated. This header only declares the handle and status
// types so that the baseline sources compile; TL_CUBLAS_CHECK (kernels/cuda/cublas_check.h)
// turns every checked cuBLAS call into a tl::Error saying so. Tests comparing against cuBLAS
// skip themselves in this build with TL_REQUIRE_VENDOR_LIBS() (tests/common/gpu.h).
#pragma once

struct cublasContext;
using cublasHandle_t = cublasContext*;
enum cublasStatus_t {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_NOT_SUPPORTED = 15
};
enum cublasOperation_t { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
enum cublasMath_t { CUBLAS_DEFAULT_MATH = 0, CUBLAS_PEDANTIC_MATH = 2, CUBLAS_TF32_TENSOR_OP_MATH = 3 };

inline cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  *handle = nullptr;
  return CUBLAS_STATUS_NOT_SUPPORTED;
}
inline cublasStatus_t cublasDestroy(cublasHandle_t) { return CUBLAS_STATUS_SUCCESS; }
inline const char* cublasGetStatusString(cublasStatus_t) {
  return "cuBLAS is not available in the emulated build";
}
