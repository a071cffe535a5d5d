// CUDA row gather: y[i, :] = x[indices[i], :], for assembling shuffled mini-batches on the
// device (the CPU reference is kernels/cpu/gather.h).
//   x: (R, D) rows of `row_bytes`   indices: (N) i32   y: (N, D); any element size.
// An index outside [0, R) is never read through: its output row is filled with 0xFF bytes
// (NaN as float32, -1 as int32), which the loss then reports (a NaN loss, a label outside
// [0, C)) instead of training on another row.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tl::cuda {

void gather_rows(const void* x, int64_t rows, const int32_t* indices, void* y, int64_t n, int64_t row_bytes,
                 cudaStream_t stream);

}  // namespace tl::cuda
