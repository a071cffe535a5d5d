// CPU row gather: y[i, :] = x[indices[i], :], for assembling shuffled mini-batches.
//   x: (R, D)   indices: (N) in [0, R)   y: (N, D); any element size.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl::cpu {

void gather_rows(const void* x, const int64_t* indices, void* y, int64_t n, int64_t row_bytes);

}  // namespace tl::cpu
