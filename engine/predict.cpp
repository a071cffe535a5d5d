#include "engine/predict.h"

#include <algorithm>
#include <numeric>

#include "engine/ops_training.h"

namespace tl {

std::vector<std::vector<ClassProbability>> top_k_from_logits(const Tensor& logits, int k) {
  TL_CHECK(k > 0, "top-k: k must be positive, got " << k);
  const Tensor probs = softmax(logits.to(Device::cpu()));  // probs: (N, C)
  const int64_t n = probs.dim(0), c = probs.dim(1);
  const float* p = probs.data<float>();
  const int64_t kept = std::min<int64_t>(k, c);
  std::vector<std::vector<ClassProbability>> out(static_cast<size_t>(n));
  std::vector<int32_t> order(static_cast<size_t>(c));
  for (int64_t i = 0; i < n; ++i) {
    const float* row = p + i * c;
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + kept, order.end(),
                      [&](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    for (int64_t j = 0; j < kept; ++j) out[i].push_back({order[j], row[order[j]]});
  }
  return out;
}

std::vector<std::vector<ClassProbability>> predict_top_k(Head& head, const Tensor& features, int k) {
  return top_k_from_logits(head.forward(features, false), k);
}

}  // namespace tl
