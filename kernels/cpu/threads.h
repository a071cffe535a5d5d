// Thread count of the CPU backend: one setting for our OpenMP loops and for OpenBLAS.
#pragma once

namespace tl::cpu {

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
