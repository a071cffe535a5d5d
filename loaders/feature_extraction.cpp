#include "loaders/feature_extraction.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "engine/ops_normalize.h"
#include "engine/resnet_forward.h"
#include "loaders/file_hash.h"
#include "loaders/image_decode.h"
#include "loaders/seeded_rng.h"

namespace tl {
namespace {

void check_listing(const ImageListing& listing) {
  TL_CHECK(!listing.paths.empty(), "feature extraction: the image listing is empty");
  TL_CHECK(
      listing.paths.size() == listing.labels.size(),
      "feature extraction: " << listing.paths.size() << " paths but " << listing.labels.size() << " labels");
  for (size_t i = 0; i < listing.labels.size(); ++i)
    TL_CHECK(listing.labels[i] >= 0 && listing.labels[i] < static_cast<int32_t>(listing.class_names.size()),
             "feature extraction: label " << listing.labels[i] << " of '" << listing.paths[i]
                                          << "' outside the " << listing.class_names.size() << " classes");
}

// images: (B, H, W, 3) u8 of rows [begin, end) of the listing, view `view`.
Tensor load_batch(const ImageListing& listing, const ImageTransform& transform, int64_t begin, int64_t end,
                  int64_t view, uint64_t seed) {
  const int64_t h = transform.out_height, w = transform.out_width;
  Tensor batch = Tensor::empty({end - begin, h, w, 3}, DType::u8);
  uint8_t* out = batch.data<uint8_t>();
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = begin; i < end; ++i) {
    try {
      const Image image = transform.apply(read_image(listing.paths[i]), derive_seed(seed, view, i));
      TL_CHECK(image.height == h && image.width == w,
               "transform '" << transform.description << "' gave " << image.height << "x" << image.width
                             << " for '" << listing.paths[i] << "', expected " << h << "x" << w);
      std::memcpy(out + (i - begin) * h * w * 3, image.pixels.data(), image.pixels.size());
    } catch (...) {
#pragma omp critical
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return batch;
}

}  // namespace

FeatureSet extract_features(const ResNet& net, const ImageListing& listing, const ImageTransform& transform,
                            const ExtractionOptions& options) {
  check_listing(listing);
  TL_CHECK(options.batch_size > 0,
           "feature extraction: batch size must be positive, got " << options.batch_size);
  TL_CHECK(options.views >= 1, "feature extraction: views must be >= 1, got " << options.views);
  TL_CHECK(net.feature_dim > 0, "feature extraction: the backbone has no feature size");
  const int64_t n = static_cast<int64_t>(listing.paths.size());
  FeatureSet set;
  set.views = options.views;
  set.features = Tensor::empty({options.views * n, net.feature_dim}, DType::f32);  // (K*N, C)
  set.labels = Tensor::from_vector(listing.labels, {n});
  set.paths = listing.paths;
  set.class_names = listing.class_names;
  // On a GPU the folded weights are uploaded once for the whole extraction.
  const ResNet backbone = options.device.is_cuda() ? to_device(net, options.device, options.precision) : net;
  ForwardOptions forward_options;
  forward_options.logits = false;
  forward_options.precision = options.precision;
  forward_options.lib = options.lib;
  for (int64_t view = 0; view < options.views; ++view) {
    for (int64_t begin = 0; begin < n; begin += options.batch_size) {
      const int64_t end = std::min(n, begin + options.batch_size);
      const Tensor images = load_batch(listing, transform, begin, end, view, options.seed).to(options.device);
      const Tensor x = normalize(images, net.preprocessing.params);       // x: (B, H, W, 3) f32
      const Tensor features = forward(backbone, x, forward_options).features;  // (B, C)
      set.features.slice(view * n + begin, view * n + end).copy_from(features);
    }
  }
  return set;
}

FeatureCacheKey feature_cache_key(const ResNet& net, const BackboneIdentity& backbone,
                                  const ImageListing& listing, const ImageTransform& transform,
                                  const ExtractionOptions& options, ListingCheck check) {
  check_listing(listing);
  FeatureCacheKey key;
  key.backbone = backbone;
  key.preprocessing = net.preprocessing;
  key.image_size = transform.out_height;
  key.transform = transform.description + " (" + std::to_string(transform.out_height) + "x" +
                  std::to_string(transform.out_width) + ", seed " + std::to_string(options.seed) + ")";
  // Reduced-precision GPU features differ from fp32 ones: they get their own key (fp32 keys
  // are unchanged, whatever the device).
  if (options.device.is_cuda() && options.precision != Precision::fp32)
    key.transform += std::string(", backbone in ") + precision_name(options.precision);
  key.views = options.views;
  std::string names;
  for (const std::string& name : listing.class_names) names += name + '\n';
  key.dataset = dataset_fingerprint(listing.paths, listing.labels, check) + ", classes " +
                hash_text(xxh64(names.data(), names.size()));
  return key;
}

}  // namespace tl
