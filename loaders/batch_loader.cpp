#include "loaders/batch_loader.h"

#include <algorithm>
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
  TL_CHECK(options_.prefetch_batches > 0,
           "batch loader: prefetch must be positive, got " << options_.prefetch_batches);
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
  const size_t batch_size = static_cast<size_t>(options_.batch_size);
  for (;;) {
    size_t position = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const auto window_end = [&] { return (next_to_hand_out_ + options_.prefetch_batches) * batch_size; };
      work_ready_.wait(lock, [&] {
        return stopping_ || (next_position_ < order_.size() && next_position_ < window_end());
      });
      if (stopping_) return;
      position = next_position_++;
      const size_t b = position / batch_size;
      if (position % batch_size == 0) {  // the first sample of its batch opens it
        const size_t n = std::min(batch_size, order_.size() - position);
        Pending& p = pending_[b];
        p.images.resize(n);
        p.errors.resize(n);
        p.bad_input.assign(n, false);
        p.remaining = n;
      }
    }
    const size_t sample = order_[position];
    Image image;
    std::exception_ptr error;
    bool bad_input = false;
    try {
      image = transform_.apply(dataset_->load(sample),
                               derive_seed(options_.seed, static_cast<uint64_t>(epoch_), sample));
      TL_CHECK(image.height == transform_.out_height && image.width == transform_.out_width,
               "'" << dataset_->name(sample) << "': the transform made " << image.height << "x" << image.width
                   << ", expected " << transform_.out_height << "x" << transform_.out_width);
    } catch (const Error&) {
      error = std::current_exception();
      bad_input = true;
    } catch (...) {
      error = std::current_exception();
    }
    bool batch_done = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Pending& p = pending_.at(position / batch_size);
      const size_t k = position % batch_size;
      p.images[k] = std::move(image);
      p.errors[k] = error;
      p.bad_input[k] = bad_input;
      batch_done = --p.remaining == 0;
    }
    if (batch_done) batch_ready_.notify_all();
  }
}

std::optional<Batch> BatchLoader::assemble(size_t batch_index, Pending& pending) {
  Batch batch;
  batch.index = batch_index;
  std::vector<const Image*> kept;
  for (size_t k = 0; k < pending.images.size(); ++k) {
    const size_t sample = order_[batch_index * options_.batch_size + k];
    if (pending.errors[k]) {
      if (!options_.skip_bad || !pending.bad_input[k]) std::rethrow_exception(pending.errors[k]);
      std::string message;
      try {
        std::rethrow_exception(pending.errors[k]);
      } catch (const Error& e) {
        message = e.what();
      }
      std::cerr << "tl: warning: skipping '" << dataset_->name(sample) << "': " << message << "\n";
      std::lock_guard<std::mutex> lock(mutex_);
      skipped_.push_back(dataset_->name(sample) + ": " + message);
      continue;
    }
    kept.push_back(&pending.images[k]);
    batch.labels.push_back(dataset_->label(sample));
    batch.names.push_back(dataset_->name(sample));
  }
  if (kept.empty()) return std::nullopt;
  batch.images = Tensor::empty(
      {static_cast<int64_t>(kept.size()), transform_.out_height, transform_.out_width, 3}, DType::u8);
  uint8_t* dst = batch.images.data<uint8_t>();
  for (const Image* image : kept) {
    std::memcpy(dst, image->pixels.data(), image->pixels.size());
    dst += image->pixels.size();
  }
  return batch;
}

std::optional<Batch> BatchLoader::next() {
  for (;;) {
    Pending pending;
    size_t b = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (next_to_hand_out_ >= num_batches_) return std::nullopt;
      b = next_to_hand_out_;
      batch_ready_.wait(lock, [&] {
        const auto it = pending_.find(b);
        return it != pending_.end() && it->second.remaining == 0;
      });
      auto it = pending_.find(b);
      pending = std::move(it->second);
      pending_.erase(it);
      ++next_to_hand_out_;
    }
    work_ready_.notify_all();
    if (std::optional<Batch> batch = assemble(b, pending)) return batch;
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
