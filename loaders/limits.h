// Limits on what an input file may make tl allocate or read. Every file tl reads (weights,
// head checkpoints, feature caches, images, IDX files) may come from anywhere: its header is
// checked against these limits *before* the memory it asks for is allocated, so a small
// hostile file cannot make tl allocate gigabytes, and the error names the file and the limit.
//
// The limits are process-wide and set once at start-up (before loader threads run); tests and
// fuzzers change them for a scope:
//
//   ScopedLoaderLimits small([](LoaderLimits& l) { l.max_image_pixels = 4096 * 4096; });
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace tl {

struct ResNetSpec;

struct LoaderLimits {
  // HDF5 (weights, checkpoints, caches)
  int64_t max_dataset_bytes = int64_t{16} << 30;    // one dataset or attribute read into memory
  int64_t max_file_read_bytes = int64_t{64} << 30;  // everything read through one open file
  int64_t max_string_bytes = int64_t{64} << 20;     // all strings of one string dataset/attribute
  int64_t max_string_count = int64_t{1} << 24;      // entries of one string dataset/attribute
  int max_rank = 8;                                 // dimensions of a dataset or attribute
  int64_t max_layers = 100000;                      // Keras layer_names entries
  // ResNet weights: the skeleton (engine/resnet_builder.h) is sized from the file's shapes.
  int64_t max_model_parameters = int64_t{1} << 30;  // floats of all conv/BN/fc tensors (4 GiB)
  int64_t max_width = int64_t{1} << 16;             // channels of any conv; classes of the fc
  // Images: PIL's Image.MAX_IMAGE_PIXELS (1024 * 1024 * 1024 / 4 / 3), for decoded and resized images.
  int64_t max_image_pixels = 89478485;
  // IDX files: decompressed bytes
  int64_t max_idx_bytes = int64_t{16} << 30;
};

// The process-wide limits (mutable: set them before loading anything, e.g. from CLI flags).
LoaderLimits& loader_limits();

// Changes the limits for the lifetime of the object and restores them afterwards.
class ScopedLoaderLimits {
 public:
  explicit ScopedLoaderLimits(const std::function<void(LoaderLimits&)>& change);
  ~ScopedLoaderLimits();
  ScopedLoaderLimits(const ScopedLoaderLimits&) = delete;
  ScopedLoaderLimits& operator=(const ScopedLoaderLimits&) = delete;

 private:
  LoaderLimits saved_;
};

// a * b, or a tl::Error naming `what` when it overflows int64 (both must be >= 0).
int64_t checked_mul(int64_t a, int64_t b, const std::string& what);
// a + b likewise.
int64_t checked_add(int64_t a, int64_t b, const std::string& what);

// The number of floats build_resnet(spec) allocates (an upper bound), after checking every
// width and the class count against max_width; more than max_model_parameters is a tl::Error
// naming `file`. Loaders call this before building the skeleton a file describes.
void require_resnet_within_limits(const ResNetSpec& spec, const std::string& file);

}  // namespace tl
