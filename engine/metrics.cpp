#include "engine/metrics.h"
#include "engine/stream.h"

#if TL_HAS_CUDA
#include "kernels/cuda/training.h"
#endif

#include <algorithm>
#include <cmath>

namespace tl {

ConfusionMatrix::ConfusionMatrix(int64_t num_classes)
    : num_classes_(num_classes), counts_(static_cast<size_t>(num_classes * num_classes), 0) {
  TL_CHECK(num_classes >= 0, "confusion matrix: negative class count " << num_classes);
}

void ConfusionMatrix::add(int32_t true_class, int32_t predicted_class) {
  TL_CHECK(
      true_class >= 0 && true_class < num_classes_ && predicted_class >= 0 && predicted_class < num_classes_,
      "confusion matrix: class (" << true_class << ", " << predicted_class << ") outside [0, " << num_classes_
                                  << ")");
  ++counts_[static_cast<size_t>(true_class * num_classes_ + predicted_class)];
}

int64_t ConfusionMatrix::at(int32_t true_class, int32_t predicted_class) const {
  TL_CHECK(
      true_class >= 0 && true_class < num_classes_ && predicted_class >= 0 && predicted_class < num_classes_,
      "confusion matrix: class (" << true_class << ", " << predicted_class << ") outside [0, " << num_classes_
                                  << ")");
  return counts_[static_cast<size_t>(true_class * num_classes_ + predicted_class)];
}

int64_t ConfusionMatrix::total() const {
  int64_t sum = 0;
  for (int64_t c : counts_) sum += c;
  return sum;
}

double ConfusionMatrix::accuracy() const {
  int64_t diagonal = 0;
  for (int64_t k = 0; k < num_classes_; ++k) diagonal += counts_[static_cast<size_t>(k * num_classes_ + k)];
  const int64_t n = total();
  return n == 0 ? 0.0 : static_cast<double>(diagonal) / static_cast<double>(n);
}

std::vector<double> ConfusionMatrix::per_class_accuracy() const {
  std::vector<double> out(static_cast<size_t>(num_classes_));
  for (int64_t t = 0; t < num_classes_; ++t) {
    int64_t row = 0;
    for (int64_t p = 0; p < num_classes_; ++p) row += counts_[static_cast<size_t>(t * num_classes_ + p)];
    out[t] = row == 0 ? std::nan("")
                      : static_cast<double>(counts_[static_cast<size_t>(t * num_classes_ + t)]) /
                            static_cast<double>(row);
  }
  return out;
}

bool in_top_k(const float* logits_row, int64_t num_classes, int32_t label, int k) {
  const float own = logits_row[label];
  int64_t greater = 0;
  for (int64_t c = 0; c < num_classes; ++c) greater += logits_row[c] > own;
  return greater < k;
}

MetricsAccumulator::MetricsAccumulator(int64_t num_classes) : confusion_(num_classes) {}

namespace {

void check_batch(const Tensor& logits, const Tensor& labels, int64_t num_classes) {
  TL_CHECK(logits.rank() == 2 && logits.dim(1) == num_classes,
           "metrics: logits must be (N, " << num_classes << "), got " << logits.shape().str());
  TL_CHECK(labels.shape() == Shape({logits.dim(0)}),
           "metrics: labels " << labels.shape().str() << " for logits " << logits.shape().str());
  TL_CHECK(labels.device() == logits.device(), "metrics: labels on " << labels.device() << ", logits on " << logits.device());
}

}  // namespace

void MetricsAccumulator::add_batch(const Tensor& logits, const Tensor& labels, const PendingLoss& batch_mean_loss) {
  check_batch(logits, labels, confusion_.num_classes());
#if TL_HAS_CUDA
  if (logits.device().is_cuda()) {  // arg-max and top-5 on the GPU; 5 bytes per row come back later
    const int64_t n = logits.dim(0);
    PendingBatch batch{Tensor::empty({n}, DType::i32, logits.device()), Tensor::empty({n}, DType::u8, logits.device()),
                       labels, batch_mean_loss};
    {
      ScopedDevice scope(logits.device());
      cuda::classify_rows(logits.data<float>(), labels.data<int32_t>(), n, logits.dim(1), 5,
                          batch.predicted.data<int32_t>(), batch.top5.data<uint8_t>(), stream_for(logits.device()));
    }
    pending_.push_back(std::move(batch));
    return;
  }
#endif
  add_host_batch(logits, labels, batch_mean_loss.value());
}

void MetricsAccumulator::read_pending() {
  for (const PendingBatch& batch : pending_) {
    const float loss = batch.loss.value();  // first: it reports bad labels (tl::Error)
    const auto p = batch.predicted.to_vector<int32_t>();
    const auto in5 = batch.top5.to_vector<uint8_t>();
    const auto y = batch.labels.to_vector<int32_t>();
    const auto n = static_cast<int64_t>(y.size());
    for (int64_t i = 0; i < n; ++i) {
      confusion_.add(y[i], p[i]);
      top5_correct_ += in5[i];
    }
    loss_sum_ += static_cast<double>(loss) * static_cast<double>(n);
    count_ += n;
  }
  pending_.clear();
}

void MetricsAccumulator::add_batch(const Tensor& logits, const Tensor& labels, float batch_mean_loss) {
  add_batch(logits, labels, PendingLoss(batch_mean_loss));
}

void MetricsAccumulator::add_host_batch(const Tensor& logits, const Tensor& labels, float batch_mean_loss) {
  const Tensor z_host = logits.to(Device::cpu());
  const auto y = labels.to_vector<int32_t>();
  const float* z = z_host.data<float>();
  const int64_t n = logits.dim(0), c = logits.dim(1);
  for (int64_t i = 0; i < n; ++i) {
    const float* row = z + i * c;
    const int32_t predicted = static_cast<int32_t>(std::max_element(row, row + c) - row);
    confusion_.add(y[i], predicted);
    top5_correct_ += in_top_k(row, c, y[i], 5);
  }
  loss_sum_ += static_cast<double>(batch_mean_loss) * static_cast<double>(n);
  count_ += n;
}

Metrics MetricsAccumulator::result() {
  read_pending();
  Metrics m;
  m.count = count_;
  m.loss = count_ == 0 ? 0.0 : loss_sum_ / static_cast<double>(count_);
  m.top1 = confusion_.accuracy();
  m.top5 = count_ == 0 ? 0.0 : static_cast<double>(top5_correct_) / static_cast<double>(count_);
  m.per_class_accuracy = confusion_.per_class_accuracy();
  m.confusion = confusion_;
  return m;
}

bool BestEpochTracker::update(int epoch, double score) {
  if (score > best_score_) {
    best_score_ = score;
    best_epoch_ = epoch;
    epochs_since_best_ = 0;
    return true;
  }
  ++epochs_since_best_;
  return false;
}

}  // namespace tl
