// Feature extraction: the frozen backbone run over an ImageDataset in batches, giving the
// feature matrix a head trains on.
//
//   BatchLoader (decode + transform on worker threads) -> u8 batch (B, H, W, 3)
//   -> normalize with the net's preprocessing -> frozen forward -> features (B, C)
//
// With augmentation (a random transform) and views K > 1, every image is transformed K times:
// view k is the BatchLoader's epoch (first_epoch + k), so sample i gets the seed
// derive_seed(seed, first_epoch + k, i). The result is view-major (see FeatureSet).
//
// The two ways to train with augmentation (engine/trainer.h EpochFeatures):
//   recompute_each_epoch(...)  the backbone runs every epoch on freshly augmented images
//   cycle_views(cached set)    epoch e trains on cached view e mod K (K views extracted once)
// Epoch e of the first is exactly view e of a cache extracted with the same seed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/ops.h"
#include "engine/resnet.h"
#include "engine/trainer.h"
#include "loaders/feature_cache.h"
#include "loaders/image_dataset.h"
#include "loaders/image_transform.h"

namespace tl {

struct ExtractionOptions {
  int64_t batch_size = 32;
  int64_t views = 1;              // K augmented views per image
  int64_t first_epoch = 0;        // the augmentation epoch of view 0
  uint64_t seed = 0;              // augmentation seed (ignored by deterministic transforms)
  int threads = 2;                // decode/transform workers
  Device device = Device::cpu();  // where the backbone runs
  // CUDA only: arithmetic and implementation of the backbone's convolutions (the CPU is fp32).
  Precision precision = Precision::fp32;
  KernelLib lib = KernelLib::ours;
  // Stages whose pooled outputs are the features (engine/resnet_forward.h): {4} by default.
  std::vector<int> pooled_stages{4};
  // Bad images (decode errors) are skipped with a warning instead of failing the extraction
  // (BatchLoaderOptions::skip_bad); the set then holds only the delivered samples. One view only.
  bool skip_bad = false;
  // Called after every batch with the number of images it held (progress reporting).
  std::function<void(int64_t images)> on_batch;
};

FeatureSet extract_features(const ResNet& net, std::shared_ptr<const ImageDataset> dataset,
                            const ImageTransform& transform, const ExtractionOptions& options = {});

// Training features recomputed by the backbone every epoch (epoch e: first_epoch + e, 1 view).
// `net` is referenced, not copied: it must outlive the returned function.
EpochFeatures recompute_each_epoch(const ResNet& net, std::shared_ptr<const ImageDataset> dataset,
                                   ImageTransform transform, ExtractionOptions options);
// Epoch e trains on view e mod K of a cached set (the set is shared, not copied).
EpochFeatures cycle_views(const FeatureSet& set);

// The cache key of extract_features(net, dataset, transform, options) for a backbone.
FeatureCacheKey feature_cache_key(const ResNet& net, const BackboneIdentity& backbone,
                                  const ImageDataset& dataset, const ImageTransform& transform,
                                  const ExtractionOptions& options,
                                  ListingCheck check = ListingCheck::metadata);

}  // namespace tl
