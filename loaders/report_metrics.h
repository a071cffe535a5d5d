// Per-epoch training metrics, as `tl train` records them in its run folder: metrics.csv and
// metrics.json, written after every epoch so that an interrupted run keeps what it did.
//
//   metrics.csv:  epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds
//                 1,0.6931,0.5120,0.6012,0.7000,1.25      (an empty field: no validation set)
//   metrics.json: {"epochs": [{"epoch": 1, "train_loss": 0.6931, ..., "val_loss": null, ...}]}
#pragma once

#include <string>
#include <vector>

namespace tl {

struct EpochMetrics {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0;
  double val_loss = 0, val_accuracy = 0;  // NaN when there is no validation set
  double seconds = 0;                     // wall time of the epoch
  bool has_validation() const;
};

void write_metrics_csv(const std::string& path, const std::vector<EpochMetrics>& epochs);
void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& epochs);
// Read them back (tests, resuming); tl::Error naming the file and line on malformed input.
std::vector<EpochMetrics> read_metrics_csv(const std::string& path);
std::vector<EpochMetrics> read_metrics_json(const std::string& path);

}  // namespace tl
