// CPU softmax cross-entropy: one pass per row for max and log-sum-exp, one for the loss
// terms and one for the gradient; O(N*C) work, rows in parallel.
#include "kernels/cpu/softmax_cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/threads.h"

namespace tl::cpu {
namespace {

template <typename T>
T row_logsumexp(const T* z, int64_t c) {
  T m = z[0];
  for (int64_t j = 1; j < c; ++j) m = std::max(m, z[j]);
  T sum = 0;
  for (int64_t j = 0; j < c; ++j) sum += std::exp(z[j] - m);
  return m + std::log(sum);
}

}  // namespace

template <typename T>
T softmax_cross_entropy(const T* logits, const int32_t* labels, const T* class_weights, int64_t n, int64_t c,
                        T label_smoothing, T* dlogits) {
  auto weight = [&](int64_t k) { return class_weights ? class_weights[k] : T(1); };
  T weight_total = 0;  // W
  for (int64_t i = 0; i < n; ++i) weight_total += weight(labels[i]);
  T class_weight_sum = 0;  // S
  for (int64_t k = 0; k < c; ++k) class_weight_sum += weight(k);
  const T eps = label_smoothing;
  const T smooth = eps / static_cast<T>(c);

  std::vector<T> nll(static_cast<size_t>(n)), smooth_terms(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) if (n * c >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    const T* z = logits + i * c;
    const T lse = row_logsumexp(z, c);
    const int32_t y = labels[i];
    nll[i] = -weight(y) * (z[y] - lse);
    T s = 0;
    for (int64_t k = 0; k < c; ++k) s -= weight(k) * (z[k] - lse);
    smooth_terms[i] = s;
    if (dlogits != nullptr) {
      T* dz = dlogits + i * c;
      for (int64_t k = 0; k < c; ++k) {
        const T p = std::exp(z[k] - lse);
        const T hard = (1 - eps) * weight(y) * (p - (k == y ? T(1) : T(0)));
        dz[k] = (hard + smooth * (class_weight_sum * p - weight(k))) / weight_total;
      }
    }
  }
  T nll_sum = 0, smooth_sum = 0;
  for (int64_t i = 0; i < n; ++i) nll_sum += nll[i], smooth_sum += smooth_terms[i];
  return (1 - eps) * nll_sum / weight_total + smooth * smooth_sum / weight_total;
}

template <typename T>
void softmax_rows(const T* logits, T* probs, int64_t n, int64_t c) {
#pragma omp parallel for schedule(static) if (n * c >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    const T lse = row_logsumexp(logits + i * c, c);
    for (int64_t k = 0; k < c; ++k) probs[i * c + k] = std::exp(logits[i * c + k] - lse);
  }
}

template float softmax_cross_entropy<float>(const float*, const int32_t*, const float*, int64_t, int64_t,
                                            float, float*);
template double softmax_cross_entropy<double>(const double*, const int32_t*, const double*, int64_t, int64_t,
                                              double, double*);
template void softmax_rows<float>(const float*, float*, int64_t, int64_t);
template void softmax_rows<double>(const double*, double*, int64_t, int64_t);

}  // namespace tl::cpu
