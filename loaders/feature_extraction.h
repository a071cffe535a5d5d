// Feature extraction: the frozen backbone run over an ImageDataset in batches, giving the
// feature matrix a head trains on.
//
//   BatchLoader (decode + transform on worker threads) -> u8 batch (B, H, W, 3)
//   -> normalize with the net's preprocessing -> frozen forward -> features (B, C)
//
// With augmentation (a random transform) and views K > 1, every image is transformed K times:
// view k is the BatchLoader's epoch k, so sample i gets the seed derive_seed(seed, k, i). The
// result is view-major (see FeatureSet).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/resnet.h"
#include "loaders/feature_cache.h"
#include "loaders/image_dataset.h"
#include "loaders/image_transform.h"

namespace tl {

struct ExtractionOptions {
  int64_t batch_size = 32;
  int64_t views = 1;              // K augmented views per image
  uint64_t seed = 0;              // augmentation seed (ignored by deterministic transforms)
  int threads = 2;                // decode/transform workers
  Device device = Device::cpu();  // where the backbone runs
};

FeatureSet extract_features(const ResNet& net, std::shared_ptr<const ImageDataset> dataset,
                            const ImageTransform& transform, const ExtractionOptions& options = {});

// The cache key of extract_features(net, dataset, transform, options) for a backbone.
FeatureCacheKey feature_cache_key(const ResNet& net, const BackboneIdentity& backbone,
                                  const ImageDataset& dataset, const ImageTransform& transform,
                                  const ExtractionOptions& options,
                                  ListingCheck check = ListingCheck::metadata);

}  // namespace tl
