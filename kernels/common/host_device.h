// TL_HD marks math shared by the CPU reference and the CUDA kernels: it compiles as
// `__host__ __device__` under nvcc and as plain inline C++ everywhere else.
#pragma once

#if defined(__CUDACC__)
#define TL_HD __host__ __device__ __forceinline__
#else
#define TL_HD inline
#endif
