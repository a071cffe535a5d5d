// Feature extraction: the frozen backbone run over a list of image files in batches, giving
// the feature matrix a head trains on.
//
//   per batch of B files: read + decode (threads) -> transform to (H, W) -> u8 batch
//   (B, H, W, 3) -> normalize with the net's preprocessing -> frozen forward -> features (B, C)
//
// With augmentation (a random transform) and views K > 1, every image is transformed K times,
// view k with the sample seed derive_seed(seed, k, i); the result is view-major (FeatureSet).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/ops.h"
#include "engine/resnet.h"
#include "loaders/feature_cache.h"
#include "loaders/image_transform.h"

namespace tl {

// Which files, with which labels (indices into class_names).
struct ImageListing {
  std::vector<std::string> paths;
  std::vector<int32_t> labels;
  std::vector<std::string> class_names;
};

struct ExtractionOptions {
  int64_t batch_size = 32;
  int64_t views = 1;              // K augmented views per image
  uint64_t seed = 0;              // augmentation seed (ignored by deterministic transforms)
  Device device = Device::cpu();  // where the backbone runs
  // CUDA only: arithmetic and implementation of the backbone's convolutions (the CPU is fp32).
  Precision precision = Precision::fp32;
  KernelLib lib = KernelLib::ours;
};

FeatureSet extract_features(const ResNet& net, const ImageListing& listing, const ImageTransform& transform,
                            const ExtractionOptions& options = {});

// The cache key of extract_features(net, listing, transform, options) for a backbone.
FeatureCacheKey feature_cache_key(const ResNet& net, const BackboneIdentity& backbone,
                                  const ImageListing& listing, const ImageTransform& transform,
                                  const ExtractionOptions& options,
                                  ListingCheck check = ListingCheck::metadata);

}  // namespace tl
