// Prediction: logits (or a head on features) -> the top-k classes of each row with their
// softmax probabilities, most probable first (lower class index first on ties).
//   logits: (N, C)   features: (N, F)
#pragma once

#include <cstdint>
#include <vector>

#include "engine/head.h"

namespace tl {

struct ClassProbability {
  int32_t class_index = 0;
  float probability = 0;
};

std::vector<std::vector<ClassProbability>> top_k_from_logits(const Tensor& logits, int k);
std::vector<std::vector<ClassProbability>> predict_top_k(Head& head, const Tensor& features, int k);

}  // namespace tl
