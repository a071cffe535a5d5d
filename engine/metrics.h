// Classification metrics of a head: loss, top-1 / top-5 accuracy, per-class accuracy and the
// confusion matrix, accumulated over mini-batches; and the best-epoch / early-stopping tracker.
//   logits: (N, C) f32   labels: (N) i32
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "engine/ops_training.h"
#include "engine/tensor.h"

namespace tl {

// Rows: true class, columns: predicted class (the arg-max, lowest index on ties).
class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t num_classes = 0);
  void add(int32_t true_class, int32_t predicted_class);
  int64_t at(int32_t true_class, int32_t predicted_class) const;
  int64_t num_classes() const { return num_classes_; }
  int64_t total() const;
  double accuracy() const;                         // trace / total; 0 when empty
  std::vector<double> per_class_accuracy() const;  // row diagonal / row sum; NaN for a class with no samples

 private:
  int64_t num_classes_;
  std::vector<int64_t> counts_;  // (C, C) row-major
};

// True when the label is among the k largest logits of the row: fewer than k logits are
// strictly greater than the label's (ties count in the label's favour).
bool in_top_k(const float* logits_row, int64_t num_classes, int32_t label, int k);

struct Metrics {
  double loss = 0;            // mean over the samples (each batch's mean loss weighted by its size)
  double top1 = 0, top5 = 0;  // fractions in [0, 1]; top-5 is top-min(5, C)
  int64_t count = 0;
  std::vector<double> per_class_accuracy;
  ConfusionMatrix confusion;
};

class MetricsAccumulator {
 public:
  explicit MetricsAccumulator(int64_t num_classes);
  void add_batch(const Tensor& logits, const Tensor& labels, float batch_mean_loss);
  // On a GPU: arg-max and top-5 are queued on the device and read back, with the loss, only by
  // result(), so adding a batch never waits for the device. On the CPU: the same as above.
  void add_batch(const Tensor& logits, const Tensor& labels, const PendingLoss& batch_mean_loss);
  Metrics result();

 private:
  struct PendingBatch {  // a GPU batch whose results are still on the device
    Tensor predicted, top5, labels;
    PendingLoss loss;
  };
  void read_pending();
  void add_host_batch(const Tensor& logits, const Tensor& labels, float batch_mean_loss);

  ConfusionMatrix confusion_;
  double loss_sum_ = 0;
  int64_t top5_correct_ = 0, count_ = 0;
  std::vector<PendingBatch> pending_;
};

// Keeps the best epoch by a score (validation top-1); early stopping after `patience` epochs
// without a strict improvement (patience 0: never stop).
class BestEpochTracker {
 public:
  explicit BestEpochTracker(int patience = 0) : patience_(patience) {}
  bool update(int epoch, double score);  // true when this epoch is the new best
  int best_epoch() const { return best_epoch_; }
  double best_score() const { return best_score_; }
  bool should_stop() const { return patience_ > 0 && epochs_since_best_ >= patience_; }

 private:
  int patience_;
  int best_epoch_ = -1;
  double best_score_ = -std::numeric_limits<double>::infinity();
  int epochs_since_best_ = 0;
};

}  // namespace tl
