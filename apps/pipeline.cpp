#include "apps/pipeline.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unordered_map>

#include "apps/common_options.h"
#include "apps/progress.h"
#include "engine/cuda_allocator.h"
#include "engine/resnet_forward.h"
#include "loaders/feature_extraction.h"
#include "loaders/file_hash.h"
#include "loaders/image_folder.h"
#include "loaders/weights.h"

namespace tl::app {

void add_data_options(CLI::App& cmd, DataOptions& data) {
  cmd.add_flag("--skip-bad", data.skip_bad,
               "skip unreadable images and empty class folders with a warning instead of failing");
  cmd.add_option(
         "--image-size", data.image_size,
         "resize every image to N x N (default: the backbone's input size, or Resize 256 + CenterCrop 224)")
      ->check(CLI::Range(8, 4096));
}

Backbone load_backbone(const std::string& weights_path) {
  Backbone backbone;
  backbone.net = load_resnet_weights(weights_path);
  backbone.identity = BackboneIdentity::of_weights_file(weights_path, backbone.net.architecture);
  return backbone;
}

ImageTransform transform_for(const ResNet& net, int image_size) {
  if (image_size > 0) return resize_transform(image_size, image_size);
  if (net.input_size > 0 && net.input_size < 224) return resize_transform(net.input_size, net.input_size);
  return eval_transform(256, 224);
}

std::shared_ptr<ImageDataset> open_image_folder(const std::string& dir, const DataOptions& data) {
  ImageFolderOptions options;
  options.skip_bad = data.skip_bad;
  return ImageFolder::scan(dir, options);
}

void add_features_option(CLI::App& cmd, std::string& features) {
  cmd.add_option("--features", features,
                 "backbone features: pooled stage outputs joined by '+', e.g. layer4 or layer2+layer3+layer4")
      ->capture_default_str()
      ->check([](const std::string& text) {
        try {
          parse_pooled_stages(text);
        } catch (const Error& e) {
          const std::string message = e.what();
          return message.substr(0, message.rfind(" ["));  // without the source location
        }
        return std::string();
      });
}

std::string default_cache_path(const std::string& data_dir, const Backbone& backbone,
                               const ImageTransform& transform, const std::vector<int>& pooled_stages) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  std::string what = fs::weakly_canonical(data_dir, ignored).string() + "|" + backbone.identity.weights_hash +
                     "|" + transform.description;
  if (pooled_stages != std::vector<int>{4}) what += "|" + pooled_stages_name(pooled_stages);
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    dir = fs::path(xdg) / "tl";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = fs::path(home) / ".cache" / "tl";
  } else {
    dir = fs::temp_directory_path() / "tl-cache";
  }
  fs::create_directories(dir);
  std::string name = hash_text(xxh64(what.data(), what.size()));
  name = name.substr(name.find(':') + 1);
  return (dir / ("features-" + name + ".h5")).string();
}

LabeledFeatures rows_of(const FeatureSet& set, const ImageDataset& subset) {
  std::unordered_map<std::string, int64_t> row_of_name;
  for (size_t r = 0; r < set.names.size(); ++r) row_of_name.emplace(set.names[r], static_cast<int64_t>(r));
  const Tensor features = set.view(0);  // (N, F)
  const int64_t f = features.dim(1);
  const float* src = features.data<float>();
  const int32_t* labels = set.labels.data<int32_t>();
  std::vector<float> out_features;
  std::vector<int32_t> out_labels;
  for (size_t i = 0; i < subset.size(); ++i) {
    const auto it = row_of_name.find(subset.name(i));
    if (it == row_of_name.end()) continue;
    out_features.insert(out_features.end(), src + it->second * f, src + (it->second + 1) * f);
    out_labels.push_back(labels[it->second]);
  }
  const auto n = static_cast<int64_t>(out_labels.size());
  return {Tensor::from_vector(out_features, {n, f}), Tensor::from_vector(out_labels, {n})};
}

void report_device_memory(Device device, const std::string& label, std::ostream& log) {
  const MemoryStats stats = CudaCachingAllocator::for_device(device.index).stats();
  constexpr double kMiB = 1024.0 * 1024.0;
  log << label << ": peak device memory " << std::fixed << std::setprecision(1) << stats.peak_bytes / kMiB
      << " MiB in use (" << stats.reserved_bytes / kMiB << " MiB held by tl's caching allocator)\n";
  log.unsetf(std::ios::floatfield);
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) != 0; }

FeatureSet backbone_features(const Backbone& backbone, std::shared_ptr<const ImageDataset> dataset,
                             const ImageTransform& transform, const CommonOptions& common, Device device,
                             bool skip_bad, const std::string& label, const std::string& cache_path,
                             bool* reused, const std::vector<int>& pooled_stages) {
  ExtractionOptions options;
  options.batch_size = common.batch;
  options.seed = common.seed;
  options.device = device;
  std::ostringstream said_by_the_command;  // each command reports the choice once
  const BackboneMath math = resolve_backbone_math(common, device, said_by_the_command);
  options.precision = math.precision;
  options.lib = math.lib;
  options.skip_bad = skip_bad;
  options.pooled_stages = pooled_stages;
  auto compute = [&] {
    ProgressOptions progress_options;
    progress_options.interactive = stderr_is_terminal();
    Progress progress(label, static_cast<int64_t>(std::max<size_t>(dataset->size(), 1)), "images", std::cerr,
                      progress_options);
    options.on_batch = [&progress](int64_t images) { progress.advance(images); };
    if (device.is_cuda()) CudaCachingAllocator::for_device(device.index).reset_peak();
    FeatureSet set = extract_features(backbone.net, dataset, transform, options);
    progress.finish();
    if (device.is_cuda()) report_device_memory(device, label, std::cerr);
    return set;
  };
  if (cache_path.empty()) {
    if (reused) *reused = false;
    return compute();
  }
  const FeatureCacheKey key =
      feature_cache_key(backbone.net, backbone.identity, *dataset, transform, options);
  return cached_features(cache_path, key, compute, reused);
}

}  // namespace tl::app
