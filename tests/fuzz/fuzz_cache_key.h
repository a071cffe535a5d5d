// The feature-cache key the seed caches are written with (make_fuzz_seeds) and the harness
// loads with (fuzz_feature_cache), so that mutated seeds get past the key comparison into
// the reading of the arrays.
#pragma once

#include "loaders/feature_cache.h"

namespace tl::fuzz {

inline FeatureCacheKey fuzz_cache_key(int64_t views) {
  FeatureCacheKey key;
  key.backbone = {"resnet18", "xxh64:0123456789abcdef", "fuzz.h5"};
  key.preprocessing = Preprocessing::from_preset("torchvision");
  key.image_size = 32;
  key.transform = "Resize(40) + CenterCrop(32)";
  key.views = views;
  key.dataset = "xxh64:fedcba9876543210";
  return key;
}

}  // namespace tl::fuzz
