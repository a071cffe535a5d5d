// The feature cache: a frozen backbone's features of a whole dataset, saved to HDF5 so that
// repeated training runs skip the backbone entirely. A cache is valid only for the exact
// inputs that produced it, recorded as its key:
//   backbone      architecture + content hash of the weights file
//   preprocessing the normalization (preset and its numbers)
//   image_size    the side of the square input images
//   transform     how images were resized / cropped / augmented (text, e.g. "resize 256, center crop 224")
//   views         K, the number of augmented views cached per image (1 without augmentation)
//   dataset       a fingerprint of the dataset: each sample's name and label, the class
//                 names, and each source file's size and mtime (or contents, ListingCheck::contents)
// Any difference makes the cache stale: load_feature_cache() says which field differs and
// the caller recomputes.
//
// File layout: root attributes format = "tl-feature-cache", format_version = 1, one string
// attribute per key field ("key.backbone", ...); datasets features (K*N, F) f32 (view-major:
// rows [k*N, (k+1)*N) are view k), labels (N) i32, names (N) strings, class_names strings.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/preprocessing.h"
#include "engine/tensor.h"
#include "loaders/head_checkpoint.h"
#include "loaders/image_dataset.h"

namespace tl {

struct FeatureSet {
  Tensor features;                       // (K*N, F) f32, view-major
  Tensor labels;                         // (N) i32
  std::vector<std::string> names;        // (N) the samples (paths, or "<idx file>[i]"), in row order
  std::vector<std::string> class_names;  // label -> name
  int64_t views = 1;                     // K

  int64_t size() const { return labels.defined() ? labels.dim(0) : 0; }  // N
  Tensor view(int64_t k) const;  // (N, F): the features of augmented view k
};

enum class ListingCheck { metadata, contents };

// Fingerprint of a dataset, "xxh64:...". A sample's source file is its name when that is a
// file, else the file named before a trailing "[index]" (IDX); anything else, or a missing
// file, is a tl::Error naming the sample.
std::string dataset_fingerprint(const ImageDataset& dataset, ListingCheck check = ListingCheck::metadata);

struct FeatureCacheKey {
  BackboneIdentity backbone;
  Preprocessing preprocessing;
  int64_t image_size = 224;
  std::string transform;
  int64_t views = 1;
  std::string dataset;  // dataset_fingerprint()

  std::vector<std::pair<std::string, std::string>> fields() const;  // ("backbone", "resnet18 xxh64:..."), ...
};

// Written atomically (loaders/atomic_write.h): an interrupted save leaves the old file intact.
void save_feature_cache(const std::string& path, const FeatureCacheKey& key, const FeatureSet& set);

// The cached set when `path` exists and its key equals `key`; std::nullopt when the file does
// not exist or is stale (then *why_not says which, e.g. "key.backbone differs: cache has ...").
// A file that is not a readable, well-formed feature cache is a tl::Error naming it.
std::optional<FeatureSet> load_feature_cache(const std::string& path, const FeatureCacheKey& key,
                                             std::string* why_not = nullptr);
// The same from an open file (e.g. an in-memory image).
std::optional<FeatureSet> load_feature_cache(const Hdf5File& file, const FeatureCacheKey& key,
                                             std::string* why_not = nullptr);

// Loads the cache when valid, else runs `compute` and saves its result. *reused (optional)
// tells which happened.
FeatureSet cached_features(const std::string& path, const FeatureCacheKey& key,
                           const std::function<FeatureSet()>& compute, bool* reused = nullptr);

}  // namespace tl
