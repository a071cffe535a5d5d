// CPU pooling. Max pool: N*P*Q*C*k*k comparisons; global average pool: N*H*W*C adds. Both
// memory-bound; OpenMP splits the output rows (n, p) / images across threads. The innermost
// loop runs along C, which is contiguous in NHWC.
#include "kernels/cpu/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/common/error.h"

namespace tl::cpu {

void max_pool2d(const Pool2dShape& s, const float* x, float* y) {
  TL_CHECK(s.valid(), "max_pool2d: invalid window (H " << s.h << ", W " << s.w << ", kernel " << s.kernel
                                                       << ", stride " << s.stride << ", padding " << s.padding << ")");
  const int64_t P = s.out_h(), Q = s.out_w();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t p = 0; p < P; ++p)
      for (int64_t q = 0; q < Q; ++q) {
        float* out = y + ((n * P + p) * Q + q) * s.c;
        std::fill(out, out + s.c, -std::numeric_limits<float>::infinity());
        // Only real cells are visited: padding never wins.
        const int64_t h0 = std::max<int64_t>(0, p * s.stride - s.padding);
        const int64_t h1 = std::min(s.h, p * s.stride - s.padding + s.kernel);
        const int64_t w0 = std::max<int64_t>(0, q * s.stride - s.padding);
        const int64_t w1 = std::min(s.w, q * s.stride - s.padding + s.kernel);
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) {
            const float* in = x + ((n * s.h + ih) * s.w + iw) * s.c;
            for (int64_t c = 0; c < s.c; ++c) out[c] = std::max(out[c], in[c]);
          }
      }
}

void global_avg_pool(int64_t n, int64_t hw, int64_t c, const float* x, float* y) {
  TL_CHECK(n >= 0 && hw > 0 && c >= 0, "global_avg_pool: empty spatial extent");
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> sum(static_cast<size_t>(c), 0.0);  // float64: no drift over large H*W
    for (int64_t j = 0; j < hw; ++j) {
      const float* in = x + (i * hw + j) * c;
      for (int64_t k = 0; k < c; ++k) sum[k] += in[k];
    }
    for (int64_t k = 0; k < c; ++k) y[i * c + k] = static_cast<float>(sum[k] / static_cast<double>(hw));
  }
}

}  // namespace tl::cpu
