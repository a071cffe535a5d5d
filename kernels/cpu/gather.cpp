// CPU row gather: N row copies of D elements; memory-bound.
#include "kernels/cpu/gather.h"

#include <cstring>

namespace tl::cpu {

void gather_rows(const void* x, const int64_t* indices, void* y, int64_t n, int64_t row_bytes) {
  const auto* src = static_cast<const unsigned char*>(x);
  auto* dst = static_cast<unsigned char*>(y);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(dst + i * row_bytes, src + indices[i] * row_bytes, static_cast<size_t>(row_bytes));
}

}  // namespace tl::cpu
