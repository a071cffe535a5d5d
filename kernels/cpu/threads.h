// Thread count of the CPU backend: one setting for our OpenMP loops and for OpenBLAS.
#pragma once

namespace tl::cpu {

// Element-wise loops shorter than this run on the calling thread (`#pragma omp parallel for
// if (n >= kMinParallelElements)`): waking the OpenMP team costs more than such a loop, and a
// team that then spins idle takes the cores from OpenBLAS's own threads in the GEMM that
// usually follows (measured: a linear-head epoch of 8 batches of 256 x 512 on 2 cores took
// 129 ms with every small loop parallel, 2-3 ms without).
constexpr long long kMinParallelElements = 1 << 15;
// The same for row copies (gather), in bytes.
constexpr long long kMinParallelCopyBytes = 1 << 22;

void set_num_threads(int n);  // n <= 0 means "all cores"
int num_threads();

// Runs OpenBLAS single-threaded for the scope, for BLAS calls made from inside our own OpenMP
// regions (one GEMM per thread): two thread pools on the same cores would spin against each
// other. Restores num_threads() at the end.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
};

}  // namespace tl::cpu
