// CPU convolution. Cost: 2*N*P*Q*K*R*S*C flops.
//
// conv2d() lowers the convolution to GEMM (im2col): output pixels are the M rows, the
// (r, s, c) window the reduction K, output channels the N columns:
//   y (M = N*P*Q, K) = col (M, R*S*C) x w^T      w: (K, R*S*C) as stored (KRSC is row-major)
// The col matrix of a whole batch can be large (the ResNet-50 stem at batch 16: 118 MB), so M
// is cut into chunks of rows, at least one per thread. Each OpenMP thread takes a chunk and
// does all of it: build its col rows, one single-threaded OpenBLAS SGEMM, the epilogue while
// the rows are still in cache. OpenBLAS runs single-threaded meanwhile: its own thread pool
// and OpenMP's, both spin-waiting on the same cores, made the forward 8x slower.
// A 1x1 stride-1 unpadded conv needs no col matrix: x (N*H*W, C) already is it.
//
// conv2d_direct() is the 7-loop definition with a float64 accumulator, for tests.
#include "kernels/cpu/conv2d.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/common/error.h"
#include "kernels/common/gemm_shape.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/threads.h"

namespace tl::cpu {
namespace {

// At most 1 MB of col rows per chunk (L2 holds it), at least 16 rows.
constexpr int64_t kColChunkFloats = int64_t{1} << 18;

// col rows [m0, m1) of the im2col matrix: row m = (n, p, q) holds x's (R, S, C) window, zeros
// where the window hangs over the padding.
void im2col_rows(const Conv2dShape& s, const float* x, int64_t m0, int64_t m1, float* col) {
  const int64_t P = s.out_h(), Q = s.out_w(), row_len = s.gemm_k();
  for (int64_t m = m0; m < m1; ++m) {
    const int64_t n = m / (P * Q), p = (m / Q) % P, q = m % Q;
    float* dst = col + (m - m0) * row_len;
    for (int64_t r = 0; r < s.r; ++r) {
      const int64_t ih = p * s.stride - s.padding + r;
      for (int64_t t = 0; t < s.s; ++t, dst += s.c) {
        const int64_t iw = q * s.stride - s.padding + t;
        if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w)
          std::memset(dst, 0, static_cast<size_t>(s.c) * sizeof(float));
        else
          std::memcpy(dst, x + ((n * s.h + ih) * s.w + iw) * s.c, static_cast<size_t>(s.c) * sizeof(float));
      }
    }
  }
}

void apply_epilogue_rows(const ConvEpilogue& e, int64_t k_count, int64_t m0, int64_t m1, float* y) {
  if (!e.bias && !e.residual && !e.relu) return;
  for (int64_t m = m0; m < m1; ++m) {
    float* row = y + m * k_count;
    for (int64_t k = 0; k < k_count; ++k) row[k] = e.apply(row[k], k, m * k_count + k);
  }
}

}  // namespace

void conv2d(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& epilogue) {
  TL_CHECK(s.valid(), "conv2d: invalid shape (N " << s.n << ", H " << s.h << ", W " << s.w << ", C " << s.c << ", K "
                                                  << s.k << ", R " << s.r << ", S " << s.s << ", stride " << s.stride
                                                  << ", padding " << s.padding << ")");
  const int64_t M = s.gemm_m(), row_len = s.gemm_k();
  const bool pointwise = s.is_pointwise();
  const int64_t threads = num_threads();
  const int64_t per_thread = (M + threads - 1) / threads;
  const int64_t chunk_rows = std::max<int64_t>(1, std::min(per_thread, std::max<int64_t>(16, kColChunkFloats / row_len)));
  const int64_t chunks = (M + chunk_rows - 1) / chunk_rows;
  SingleThreadedBlas single_threaded_blas;
#pragma omp parallel
  {
    std::vector<float> col(pointwise ? 0 : static_cast<size_t>(chunk_rows * row_len));
#pragma omp for schedule(dynamic)
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      const int64_t m0 = chunk * chunk_rows, m1 = std::min(M, m0 + chunk_rows);
      const float* a = x + m0 * s.c;  // pointwise: x's rows are the col rows
      if (!pointwise) {
        im2col_rows(s, x, m0, m1, col.data());
        a = col.data();
      }
      GemmShape g;
      g.m = m1 - m0;
      g.n = s.k;
      g.k = row_len;
      g.trans_b = true;  // w is stored (K, R*S*C)
      gemm(g, a, w, y + m0 * s.k);
      apply_epilogue_rows(epilogue, s.k, m0, m1, y);
    }
  }
}

void conv2d_direct(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& epilogue) {
  TL_CHECK(s.valid(), "conv2d_direct: invalid shape");
  const int64_t P = s.out_h(), Q = s.out_w();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t p = 0; p < P; ++p)
      for (int64_t q = 0; q < Q; ++q)
        for (int64_t k = 0; k < s.k; ++k) {
          double acc = 0;
          for (int64_t r = 0; r < s.r; ++r)
            for (int64_t t = 0; t < s.s; ++t) {
              const int64_t ih = p * s.stride - s.padding + r, iw = q * s.stride - s.padding + t;
              if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;
              for (int64_t c = 0; c < s.c; ++c)
                acc += static_cast<double>(x[((n * s.h + ih) * s.w + iw) * s.c + c]) *
                       static_cast<double>(w[((k * s.r + r) * s.s + t) * s.c + c]);
            }
          const int64_t i = ((n * P + p) * Q + q) * s.k + k;
          y[i] = epilogue.apply(static_cast<float>(acc), k, i);
        }
}

}  // namespace tl::cpu
