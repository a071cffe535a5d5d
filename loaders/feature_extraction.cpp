#include "loaders/feature_extraction.h"

#include <optional>

#include "engine/batch_upload.h"
#include "engine/ops_normalize.h"
#include "engine/resnet_forward.h"
#include "loaders/batch_loader.h"

namespace tl {

FeatureSet extract_features(const ResNet& net, std::shared_ptr<const ImageDataset> dataset,
                            const ImageTransform& transform, const ExtractionOptions& options) {
  TL_CHECK(dataset != nullptr && dataset->size() > 0, "feature extraction: the dataset is empty");
  TL_CHECK(options.batch_size > 0,
           "feature extraction: batch size must be positive, got " << options.batch_size);
  TL_CHECK(options.views >= 1, "feature extraction: views must be >= 1, got " << options.views);
  TL_CHECK(net.feature_dim > 0, "feature extraction: the backbone has no feature size");
  const int64_t n = static_cast<int64_t>(dataset->size());
  FeatureSet set;
  set.views = options.views;
  set.features = Tensor::empty({options.views * n, pooled_feature_dim(net, options.pooled_stages)},
                               DType::f32);  // (K*N, C)
  set.class_names = dataset->classes();
  std::vector<int32_t> labels;
  // On a GPU the folded weights are uploaded once for the whole extraction.
  const ResNet backbone = options.device.is_cuda() ? to_device(net, options.device, options.precision) : net;
  ForwardOptions forward_options;
  forward_options.logits = false;
  forward_options.precision = options.precision;
  forward_options.lib = options.lib;
  forward_options.pooled_stages = options.pooled_stages;
  BatchLoaderOptions loader_options;
  loader_options.batch_size = static_cast<int>(options.batch_size);
  loader_options.threads = options.threads;
  loader_options.seed = options.seed;
  loader_options.skip_bad = options.skip_bad;
  TL_CHECK(!options.skip_bad || options.views == 1,
           "feature extraction: skip_bad takes one view, got views = " << options.views);
  // On a GPU, batches go up through pinned memory while the previous batch computes, and the
  // features stay on the device until the end: the host never waits inside the loop.
  std::optional<BatchUploader> uploader;
  Tensor features = set.features;
  if (options.device.is_cuda()) {
    uploader.emplace(options.device);
    features = Tensor::empty(set.features.shape(), DType::f32, options.device);
  }
  for (int64_t view = 0; view < options.views; ++view) {
    BatchLoader loader(dataset, transform, loader_options, static_cast<int>(options.first_epoch + view));
    int64_t row = 0;
    while (auto batch = loader.next()) {
      const int64_t b = batch->images.dim(0);
      Tensor x;  // (B, H, W, 3) f32
      if (uploader) {
        x = normalize(uploader->upload(batch->images), net.preprocessing.params);
        uploader->release();  // normalize has read the upload
      } else {
        x = normalize(batch->images, net.preprocessing.params);
      }
      features.slice(view * n + row, view * n + row + b).copy_from(forward(backbone, x, forward_options).features);
      if (view == 0) {
        labels.insert(labels.end(), batch->labels.begin(), batch->labels.end());
        set.names.insert(set.names.end(), batch->names.begin(), batch->names.end());
      }
      row += b;
      if (options.on_batch) options.on_batch(b);
    }
    if (options.skip_bad && row < n) {  // skipped samples: keep the delivered rows only
      const Tensor kept = features.slice(0, row);
      set.features = kept.device().is_cpu() ? kept.clone() : kept.to(Device::cpu());  // one copy either way
      set.labels = Tensor::from_vector(labels, {row});
      return set;
    }
    TL_CHECK(row == n, "feature extraction: " << n - row << " samples were not delivered");
  }
  if (uploader) set.features.copy_from(features);  // one wait, at the end
  set.labels = Tensor::from_vector(labels, {n});
  return set;
}

EpochFeatures recompute_each_epoch(const ResNet& net, std::shared_ptr<const ImageDataset> dataset,
                                   ImageTransform transform, ExtractionOptions options) {
  TL_CHECK(options.views == 1, "recompute_each_epoch: one view per epoch, got views = " << options.views);
  return [&net, dataset = std::move(dataset), transform = std::move(transform), options](int epoch) {
    ExtractionOptions for_epoch = options;
    for_epoch.first_epoch = options.first_epoch + epoch;
    const FeatureSet set = extract_features(net, dataset, transform, for_epoch);
    return LabeledFeatures{set.features, set.labels};
  };
}

EpochFeatures cycle_views(const FeatureSet& set) {
  TL_CHECK(set.views >= 1 && set.features.defined(), "cycle_views: an empty feature set");
  return [set](int epoch) { return LabeledFeatures{set.view(epoch % set.views), set.labels}; };
}

FeatureCacheKey feature_cache_key(const ResNet& net, const BackboneIdentity& backbone,
                                  const ImageDataset& dataset, const ImageTransform& transform,
                                  const ExtractionOptions& options, ListingCheck check) {
  FeatureCacheKey key;
  key.backbone = backbone;
  key.preprocessing = net.preprocessing;
  key.image_size = transform.out_height;
  key.transform = transform.description + " (" + std::to_string(transform.out_height) + "x" +
                  std::to_string(transform.out_width) + ", seed " + std::to_string(options.seed) +
                  ", first epoch " + std::to_string(options.first_epoch) + ")";
  // Reduced-precision GPU features differ from fp32 ones: they get their own key (fp32 keys
  // are unchanged, whatever the device).
  if (options.device.is_cuda() && options.precision != Precision::fp32)
    key.transform += std::string(", backbone in ") + precision_name(options.precision);
  // Features of other stages than the last get their own key (layer4 keys are unchanged).
  if (options.pooled_stages != std::vector<int>{4})
    key.transform += ", features " + pooled_stages_name(options.pooled_stages);
  key.views = options.views;
  key.dataset = dataset_fingerprint(dataset, check);
  return key;
}

}  // namespace tl
