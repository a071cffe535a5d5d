#include "engine/trainer.h"

#include <algorithm>
#include <climits>
#include <numeric>

#include "engine/random.h"

namespace tl {
namespace {

void check_data(const LabeledFeatures& data, const Head& head, const char* which) {
  TL_CHECK(data.features.defined() && data.labels.defined(), "train_head: " << which << " set is empty");
  TL_CHECK(data.features.rank() == 2 && data.features.dim(1) == head.config().in_features,
           "train_head: " << which << " features must be (N, " << head.config().in_features << "), got "
                          << data.features.shape().str());
  TL_CHECK(data.labels.device() == data.features.device() && data.features.device() == head.device(),
           "train_head: " << which << " features are on " << data.features.device() << ", labels on "
                          << data.labels.device() << ", the head on " << head.device()
                          << "; move them to one device (Head::to, Tensor::to)");
  TL_CHECK(data.labels.dtype() == DType::i32 && data.labels.shape() == Shape({data.features.dim(0)}),
           "train_head: " << which << " labels must be i32 (" << data.features.dim(0) << "), got "
                          << dtype_name(data.labels.dtype()) << " " << data.labels.shape().str());
  TL_CHECK(data.size() > 0, "train_head: " << which << " set has no samples");
}

std::vector<Tensor> snapshot(Head& head) {
  std::vector<Tensor> copies;
  for (const Parameter& p : head.parameters()) copies.push_back(p.value.clone());
  return copies;
}

void restore(Head& head, const std::vector<Tensor>& copies) {
  auto params = head.parameters();
  for (size_t i = 0; i < params.size(); ++i) params[i].value.copy_from(copies[i]);
}

}  // namespace

Metrics evaluate_head(Head& head, const LabeledFeatures& data, const CrossEntropyOptions& loss,
                      int64_t batch_size) {
  TL_CHECK(batch_size > 0, "evaluate_head: batch size must be positive, got " << batch_size);
  MetricsAccumulator acc(head.config().num_classes);
  for (int64_t begin = 0; begin < data.size(); begin += batch_size) {
    const int64_t end = std::min(data.size(), begin + batch_size);
    const Tensor labels = data.labels.slice(begin, end);
    const Tensor logits = head.forward(data.features.slice(begin, end), false);
    acc.add_batch(logits, labels, softmax_cross_entropy_pending(logits, labels, loss));
  }
  return acc.result();
}

TrainResult train_head(Head& head, const LabeledFeatures& train, const LabeledFeatures* val,
                       const TrainConfig& config, const std::function<void(const EpochRecord&)>& on_epoch) {
  return train_head(head, EpochFeatures([&](int) { return train; }), val, config, on_epoch);
}

TrainResult train_head(Head& head, const EpochFeatures& train_of_epoch, const LabeledFeatures* val,
                       const TrainConfig& config, const std::function<void(const EpochRecord&)>& on_epoch) {
  if (val != nullptr) check_data(*val, head, "validation");
  TL_CHECK(config.epochs > 0, "train_head: epochs must be positive, got " << config.epochs);
  TL_CHECK(config.batch_size > 0, "train_head: batch size must be positive, got " << config.batch_size);

  Optimizer optimizer(config.optimizer, head.parameters());
  BestEpochTracker tracker(config.early_stopping_patience);
  Rng rng(config.seed);
  TrainResult result;
  std::vector<Tensor> best_parameters;
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    const LabeledFeatures train = train_of_epoch(epoch);
    check_data(train, head, "training");
    const int64_t n = train.size();
    EpochRecord record;
    record.epoch = epoch;
    record.lr = config.schedule.lr_at(config.optimizer.lr, epoch, config.epochs);
    std::vector<int64_t> order(static_cast<size_t>(n));
    if (config.shuffle) {
      order = rng.permutation(n);
    } else {
      std::iota(order.begin(), order.end(), 0);
    }
    // The epoch's order goes where the features are once; each batch then gathers its rows
    // there (on a GPU without a host round trip).
    TL_CHECK(n <= INT32_MAX, "train_head: " << n << " training rows, more than 2^31 - 1");
    const Tensor order_on_device =
        Tensor::from_vector(std::vector<int32_t>(order.begin(), order.end()), {n}, train.features.device());
    MetricsAccumulator acc(head.config().num_classes);
    for (int64_t begin = 0; begin < n; begin += config.batch_size) {
      const int64_t end = std::min(n, begin + config.batch_size);
      const Tensor rows = order_on_device.slice(begin, end);
      const Tensor x = gather_rows(train.features, rows);  // x: (B, F)
      const Tensor y = gather_rows(train.labels, rows);    // y: (B)
      const Tensor logits = head.forward(x, true);
      Tensor dlogits;
      const PendingLoss loss = softmax_cross_entropy_pending(logits, y, config.loss, &dlogits);
      head.backward(dlogits);
      optimizer.step(record.lr);
      acc.add_batch(logits, y, loss);  // on a GPU: read back at the end of the epoch
    }
    record.train = acc.result();
    if (val != nullptr) record.val = evaluate_head(head, *val, config.loss);
    const double score = val != nullptr ? record.val->top1 : record.train.top1;
    record.best = tracker.update(epoch, score);
    if (record.best && config.restore_best) best_parameters = snapshot(head);
    result.epochs.push_back(record);
    if (on_epoch) on_epoch(result.epochs.back());
    if (tracker.should_stop()) {
      result.stopped_early = epoch + 1 < config.epochs;
      break;
    }
  }
  result.best_epoch = tracker.best_epoch();
  result.best_score = tracker.best_score();
  if (config.restore_best && !best_parameters.empty()) restore(head, best_parameters);
  return result;
}

}  // namespace tl
