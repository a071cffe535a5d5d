// BatchLoader: one epoch of batches from an ImageDataset, decoded and transformed on a pool
// of worker threads that run ahead of the consumer (prefetch) while it works on the
// previous batch.
//
//   BatchLoaderOptions options;  // batch_size 64, 2 threads, ...
//   BatchLoader loader(dataset, eval_transform(256, 224), options, epoch);
//   while (auto batch = loader.next()) { ... batch->images: (N, 224, 224, 3) u8 ... }
//
// Determinism: the sample order is 0..n-1, or a SeededRng shuffle of (seed, epoch); batch b
// always holds the samples order[b * batch_size ...], and each sample's augmentation seed is
// derive_seed(seed, epoch, sample index). So the batches are the same whatever the thread
// count or timing; only the moment they are ready varies.
// Threading: the workers take samples one at a time, in order, under a mutex (decode +
// transform run outside it), so all threads work on the first batch at once and then run
// ahead into the next ones, up to `prefetch_batches` batches beyond the one the consumer
// waits for. next() waits until every sample of its batch is done, copies them into the
// batch tensor and hands batches out strictly in order.
// Bad files: without skip_bad, the first bad sample's tl::Error (naming the file) is rethrown
// by next() for its batch. With skip_bad, it is reported on stderr, counted (skipped()), and
// its batch is one sample shorter; a batch left with no sample is skipped altogether.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/tensor.h"
#include "loaders/image_dataset.h"
#include "loaders/image_transform.h"

namespace tl {

struct BatchLoaderOptions {
  int batch_size = 64;
  int threads = 2;           // worker threads (>= 1)
  int prefetch_batches = 4;  // batches that may be ready or in flight ahead of the consumer
  bool shuffle = false;
  uint64_t seed = 0;
  bool skip_bad = false;
};

struct Batch {
  size_t index = 0;                // batch number within the epoch
  Tensor images;                   // (N, H, W, 3) u8 on the CPU
  std::vector<int32_t> labels;     // (N)
  std::vector<std::string> names;  // (N) paths or "<idx file>[i]"
};

class BatchLoader {
 public:
  BatchLoader(std::shared_ptr<const ImageDataset> dataset, ImageTransform transform,
              BatchLoaderOptions options, int epoch = 0);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch in order; std::nullopt after the last. Rethrows a batch's error.
  std::optional<Batch> next();

  size_t num_batches() const { return num_batches_; }
  const std::vector<size_t>& order() const { return order_; }
  // Samples skipped so far as bad (skip_bad), and why: "<name>: <error>".
  size_t skipped() const;
  std::vector<std::string> skipped_messages() const;

 private:
  // The decoded samples of one batch, filled in by the workers in any order.
  struct Pending {
    std::vector<Image> images;               // by position in the batch
    std::vector<std::exception_ptr> errors;  // set where a sample failed
    std::vector<bool> bad_input;             // the failure was a tl::Error (skippable)
    size_t remaining = 0;                    // samples not finished yet
  };
  void work();
  // Turns a finished batch into a Batch (nullopt when skip_bad dropped every sample).
  std::optional<Batch> assemble(size_t batch_index, Pending& pending);

  std::shared_ptr<const ImageDataset> dataset_;
  ImageTransform transform_;
  BatchLoaderOptions options_;
  int epoch_;
  std::vector<size_t> order_;
  size_t num_batches_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;   // workers wait for room in the prefetch window
  std::condition_variable batch_ready_;  // the consumer waits for its batch
  size_t next_position_ = 0;             // next position in order_ to hand to a worker
  size_t next_to_hand_out_ = 0;          // the batch the consumer gets next
  std::map<size_t, Pending> pending_;
  std::vector<std::string> skipped_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tl
