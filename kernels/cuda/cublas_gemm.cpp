// cuBLAS baseline behind the same signature as our SGEMM. cuBLAS is column-major: a
// row-major C (M, N) is a column-major C^T (N, M), so we ask for C^T = op(B)^T op(A)^T,
// i.e. call cublasSgemm with the operands swapped. Tensor-core TF32 is turned off so that
// the baseline computes in true FP32, like our kernel.
#include <cublas_v2.h>

#include <map>

#include "kernels/cuda/cublas_check.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/gemm.h"

namespace tl::cuda {
namespace {

// One cuBLAS handle per (thread, device), created on first use and destroyed at thread exit.
class CublasHandles {
 public:
  ~CublasHandles() {
    for (auto& [device, handle] : handles_) cublasDestroy(handle);  // errors at exit are moot
  }
  cublasHandle_t get() {
    int device = 0;
    TL_CUDA_CHECK(cudaGetDevice(&device));
    auto it = handles_.find(device);
    if (it != handles_.end()) return it->second;
    cublasHandle_t handle = nullptr;
    TL_CUBLAS_CHECK(cublasCreate(&handle));
    TL_CUBLAS_CHECK(cublasSetMathMode(handle, CUBLAS_PEDANTIC_MATH));
    handles_[device] = handle;
    return handle;
  }

 private:
  std::map<int, cublasHandle_t> handles_;
};

cublasHandle_t cublas_handle() {
  thread_local CublasHandles handles;
  return handles.get();
}

}  // namespace

void gemm_cublas(const GemmShape& s, const float* a, const float* b, float* c, cudaStream_t stream) {
  if (s.m == 0 || s.n == 0) return;
  cublasHandle_t handle = cublas_handle();
  TL_CUBLAS_CHECK(cublasSetStream(handle, stream));
  TL_CUBLAS_CHECK(cublasSgemm(handle, s.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                              s.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(s.n),
                              static_cast<int>(s.m), static_cast<int>(s.k), &s.alpha, b,
                              static_cast<int>(s.ldb()), a, static_cast<int>(s.lda()), &s.beta, c,
                              static_cast<int>(s.ldc())));
}

}  // namespace tl::cuda
