// CPU reference elementwise ops. Each is one pass over n floats: n loads (2n for add),
// n stores, memory-bound; OpenMP splits the range statically across threads.
#include "kernels/cpu/elementwise.h"

#include "kernels/common/elementwise_math.h"
#include "kernels/cpu/threads.h"

namespace tl::cpu {

void fill(float* y, int64_t n, float value) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) y[i] = value;
}

void add(const float* a, const float* b, float* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) y[i] = math::add(a[i], b[i]);
}

void relu(const float* x, float* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) y[i] = math::relu(x[i]);
}

}  // namespace tl::cpu
