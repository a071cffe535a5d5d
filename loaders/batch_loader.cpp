#include "loaders/batch_loader.h"

#include <cstring>
#include <iostream>

#include "kernels/common/error.h"
#include "loaders/seeded_rng.h"

namespace tl {

BatchLoader::BatchLoader(std::shared_ptr<const ImageDataset> dataset, ImageTransform transform,
                         BatchLoaderOptions options, int epoch)
    : dataset_(std::move(dataset)), transform_(std::move(transform)), options_(options), epoch_(epoch) {
  TL_CHECK(dataset_ != nullptr, "batch loader: no dataset");
  TL_CHECK(transform_.apply && transform_.out_height > 0 && transform_.out_width > 0,
           "batch loader: the transform has no fixed output size");
  TL_CHECK(options_.batch_size > 0, "batch loader: batch size must be positive, got " << options_.batch_size);
  TL_CHECK(options_.threads > 0, "batch loader: threads must be positive, got " << options_.threads);
  TL_CHECK(options_.prefetch_batches > 0, "batch loader: prefetch must be positive, got " << options_.prefetch_batches);
  order_.resize(dataset_->size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  if (options_.shuffle) {
    SeededRng rng(derive_seed(options_.seed, static_cast<uint64_t>(epoch_), ~uint64_t{0}));
    for (size_t i = order_.size(); i > 1; --i)
      std::swap(order_[i - 1], order_[static_cast<size_t>(rng.integer(0, static_cast<int64_t>(i) - 1))]);
  }
  num_batches_ = (order_.size() + options_.batch_size - 1) / options_.batch_size;
  for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void BatchLoader::work() {
  for (;;) {
    size_t b = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] {
        return stopping_ || (next_to_build_ < num_batches_ &&
                             next_to_build_ < next_to_hand_out_ + static_cast<size_t>(options_.prefetch_batches));
      });
      if (stopping_) return;
      b = next_to_build_++;
    }
    Slot slot = build(b);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_[b] = std::move(slot);
    }
    batch_ready_.notify_all();
  }
}

BatchLoader::Slot BatchLoader::build(size_t batch_index) {
  Slot slot;
  try {
    const size_t begin = batch_index * options_.batch_size;
    const size_t end = std::min(begin + options_.batch_size, order_.size());
    std::vector<Image> images;
    Batch batch;
    batch.index = batch_index;
    for (size_t k = begin; k < end; ++k) {
      const size_t sample = order_[k];
      try {
        Image image = transform_.apply(dataset_->load(sample),
                                       derive_seed(options_.seed, static_cast<uint64_t>(epoch_), sample));
        TL_CHECK(image.height == transform_.out_height && image.width == transform_.out_width,
                 "'" << dataset_->name(sample) << "': the transform made " << image.height << "x" << image.width
                     << ", expected " << transform_.out_height << "x" << transform_.out_width);
        images.push_back(std::move(image));
        batch.labels.push_back(dataset_->label(sample));
        batch.names.push_back(dataset_->name(sample));
      } catch (const Error& e) {
        if (!options_.skip_bad) throw;
        std::lock_guard<std::mutex> lock(mutex_);
        std::cerr << "tl: warning: skipping '" << dataset_->name(sample) << "': " << e.what() << "\n";
        skipped_.push_back(dataset_->name(sample) + ": " + e.what());
      }
    }
    if (images.empty()) return slot;
    const int64_t n = static_cast<int64_t>(images.size());
    batch.images = Tensor::empty({n, transform_.out_height, transform_.out_width, 3}, DType::u8);
    uint8_t* dst = batch.images.data<uint8_t>();
    for (const Image& image : images) {
      std::memcpy(dst, image.pixels.data(), image.pixels.size());
      dst += image.pixels.size();
    }
    slot.batch = std::move(batch);
  } catch (...) {
    slot.error = std::current_exception();
  }
  return slot;
}

std::optional<Batch> BatchLoader::next() {
  for (;;) {
    Slot slot;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (next_to_hand_out_ >= num_batches_) return std::nullopt;
      batch_ready_.wait(lock, [&] { return done_.count(next_to_hand_out_) > 0; });
      auto it = done_.find(next_to_hand_out_);
      slot = std::move(it->second);
      done_.erase(it);
      ++next_to_hand_out_;
    }
    work_ready_.notify_all();
    if (slot.error) std::rethrow_exception(slot.error);
    if (slot.batch) return std::move(slot.batch);
  }
}

size_t BatchLoader::skipped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return skipped_.size();
}

std::vector<std::string> BatchLoader::skipped_messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return skipped_;
}

}  // namespace tl
