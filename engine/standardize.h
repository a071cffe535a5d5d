// Feature standardization for head training: z = (x - mean) / std per feature column, with
// the statistics of the training features. Backbone features differ in scale by orders of
// magnitude between channels (and between stages, with multi-stage features); standardized,
// every feature starts on an equal footing for the head's optimizer.
//
// A trained head is then folded back to raw features, so a checkpoint needs no statistics:
// for the first linear layer y = W z + b with z = (x - mean) / std,
//   y = W' x + b',  W'[o][i] = W[o][i] / std[i],  b'[o] = b[o] - sum_i W'[o][i] mean[i]
// (computed in double). Cost: O(N F) to fit and apply, O(O F) to fold.
#pragma once

#include <vector>

#include "engine/head.h"
#include "engine/tensor.h"

namespace tl {

struct Standardization {
  std::vector<double> mean, std;  // per feature column; std includes the epsilon below

  // Statistics of the rows of x (N, F) f32 on the CPU (population std, + 1e-6 so that a
  // constant column maps to 0 instead of dividing by zero). N must be positive.
  static Standardization fit(const Tensor& x);
  // (x - mean) / std for x (N, F) f32 on the CPU, as a new tensor.
  Tensor apply(const Tensor& x) const;
  // Rewrites `head` (trained on apply()'d features) to take raw features: same logits.
  void fold_into(Head& head) const;
};

}  // namespace tl
