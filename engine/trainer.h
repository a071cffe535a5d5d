// Training a head on a feature matrix: epochs of shuffled mini-batches, the loss and its
// backward, an optimizer step per batch with the learning rate of the epoch's schedule,
// metrics per epoch on the training and (optional) validation sets, the best epoch kept
// (by validation top-1, or training top-1 without a validation set), optional early stopping.
//   features: (N, F) f32   labels: (N) i32, on the head's device (CPU or GPU: every step of a
//   batch then runs there, the rows gathered on the device; losses and metrics stay on the
//   device until the epoch's end, so the host never waits inside the epoch)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "engine/head.h"
#include "engine/lr_schedule.h"
#include "engine/metrics.h"
#include "engine/ops_training.h"
#include "engine/optimizer.h"

namespace tl {

struct LabeledFeatures {
  Tensor features;  // (N, F) f32
  Tensor labels;    // (N) i32
  int64_t size() const { return features.defined() ? features.dim(0) : 0; }
};

struct TrainConfig {
  int epochs = 10;
  int64_t batch_size = 32;
  bool shuffle = true;
  uint64_t seed = 0;  // shuffling; epoch e uses the permutation drawn after those of epochs < e
  OptimizerConfig optimizer;
  LrSchedule schedule;
  CrossEntropyOptions loss;
  int early_stopping_patience = 0;  // 0: off
  bool restore_best = true;         // leave the head with the best epoch's parameters
};

struct EpochRecord {
  int epoch = 0;
  float lr = 0;
  Metrics train;               // over the epoch's batches, in training mode (dropout on)
  std::optional<Metrics> val;  // in evaluation mode
  bool best = false;           // this epoch is the best so far
};

struct TrainResult {
  std::vector<EpochRecord> epochs;
  int best_epoch = -1;
  double best_score = 0;  // top-1 of the best epoch (validation if given)
  bool stopped_early = false;
};

// Trains `head` in place. `on_epoch` (optional) sees each epoch's record as it finishes.
TrainResult train_head(Head& head, const LabeledFeatures& train, const LabeledFeatures* val,
                       const TrainConfig& config,
                       const std::function<void(const EpochRecord&)>& on_epoch = {});

// The training features of each epoch, for augmentation: features recomputed every epoch
// (the backbone runs on freshly augmented images), or view epoch % K of K cached views.
using EpochFeatures = std::function<LabeledFeatures(int epoch)>;
TrainResult train_head(Head& head, const EpochFeatures& train, const LabeledFeatures* val,
                       const TrainConfig& config,
                       const std::function<void(const EpochRecord&)>& on_epoch = {});

// Metrics of `head` in evaluation mode over a feature set, in batches.
Metrics evaluate_head(Head& head, const LabeledFeatures& data, const CrossEntropyOptions& loss,
                      int64_t batch_size = 256);

}  // namespace tl
