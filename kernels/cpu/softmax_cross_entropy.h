// CPU softmax and softmax cross-entropy over the rows of a logits matrix.
//   logits: (N, C)   labels: (N) int32 in [0, C)   class_weights: (C) or null
//
// The loss is PyTorch's F.cross_entropy(logits, labels, weight=w, label_smoothing=eps) with
// reduction "mean":
//   logp[i, c] = z[i, c] - logsumexp(z[i, :])                (stable: max subtracted)
//   W          = sum_i w[y_i]                                  (N without weights)
//   loss       = (1 - eps) * sum_i -w[y_i] logp[i, y_i] / W
//              + (eps / C) * sum_i sum_c -w[c] logp[i, c] / W
// and its gradient, with p = softmax(z) and S = sum_c w[c]:
//   dz[i, c]   = ((1 - eps) w[y_i] (p[i, c] - [c == y_i]) + (eps / C) (S p[i, c] - w[c])) / W
//
// Templated on the float type so that the float64 instantiation can be checked against
// finite differences and the float32 one against it.
#pragma once

#include <cstdint>

namespace tl::cpu {

// Returns the loss; writes dlogits (N, C) when it is not null. Labels must be in range and
// W must be positive (the op layer checks both).
template <typename T>
T softmax_cross_entropy(const T* logits, const int32_t* labels, const T* class_weights, int64_t n, int64_t c,
                        T label_smoothing, T* dlogits);

// probs (N, C) = softmax of each row of logits (N, C).
template <typename T>
void softmax_rows(const T* logits, T* probs, int64_t n, int64_t c);

}  // namespace tl::cpu
