#include "loaders/feature_cache.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

#include "loaders/atomic_write.h"
#include "loaders/file_checks.h"
#include "loaders/file_hash.h"
#include "loaders/hdf5_file.h"
#include "loaders/limits.h"

namespace tl {
namespace {

constexpr const char* kFormat = "tl-feature-cache";
constexpr int kFormatVersion = 1;

void hash_text_field(Xxh64& state, const std::string& text) {
  const uint64_t n = text.size();
  state.update(&n, sizeof n);  // length first: ("ab","c") and ("a","bc") must differ
  state.update(text.data(), text.size());
}

}  // namespace

Tensor FeatureSet::view(int64_t k) const {
  TL_CHECK(k >= 0 && k < views, "feature set: view " << k << " outside [0, " << views << ")");
  return features.slice(k * size(), (k + 1) * size());
}

std::string dataset_fingerprint(const ImageDataset& dataset, ListingCheck check) {
  namespace fs = std::filesystem;
  Xxh64 state;
  for (const std::string& name : dataset.classes()) hash_text_field(state, name);
  std::map<std::string, std::string> source_digests;  // one look at each source file (IDX: one for all)
  for (size_t i = 0; i < dataset.size(); ++i) {
    const std::string name = dataset.name(i);
    const int32_t label = dataset.label(i);
    hash_text_field(state, name);
    state.update(&label, sizeof label);
    std::string source = name;
    if (!fs::is_regular_file(source) && !name.empty() && name.back() == ']' &&
        name.rfind('[') != std::string::npos)
      source = name.substr(0, name.rfind('['));
    TL_CHECK(fs::is_regular_file(source),
             "dataset fingerprint: sample '" << name << "' is not a readable file");
    auto [it, inserted] = source_digests.try_emplace(source);
    if (inserted) {
      require_readable_file(source, "dataset image");
      if (check == ListingCheck::contents) {
        it->second = file_content_hash(source);
      } else {
        const auto mtime = fs::last_write_time(source).time_since_epoch().count();
        it->second = std::to_string(file_size_bytes(source)) + " " + std::to_string(mtime);
      }
    }
    hash_text_field(state, it->second);
  }
  return hash_text(state.digest());
}

std::vector<std::pair<std::string, std::string>> FeatureCacheKey::fields() const {
  return {{"key.backbone", backbone.architecture + " " + backbone.weights_hash},
          {"key.preprocessing", preprocessing.describe()},
          {"key.image_size", std::to_string(image_size)},
          {"key.transform", transform},
          {"key.views", std::to_string(views)},
          {"key.dataset", dataset}};
}

void save_feature_cache(const std::string& path, const FeatureCacheKey& key, const FeatureSet& set) {
  const int64_t n = set.size();
  TL_CHECK(set.features.defined() && set.features.rank() == 2 && set.features.dim(0) == set.views * n,
           "save_feature_cache: features must be (views * N, F) = ("
               << set.views << " * " << n << ", F), got " << set.features.shape().str());
  TL_CHECK(static_cast<int64_t>(set.names.size()) == n,
           "save_feature_cache: " << set.names.size() << " names for " << n << " labels");
  TL_CHECK(set.views == key.views,
           "save_feature_cache: the set has " << set.views << " views, the key " << key.views);
  // Write next to the target and rename: an interrupted run never leaves a half-written cache.
  write_file_atomically(path, [&](const std::string& temp) {
    Hdf5File f = Hdf5File::create(temp);
    f.write_string_attribute("/", "format", kFormat);
    f.write_number_attribute("/", "format_version", kFormatVersion);
    for (const auto& [name, value] : key.fields()) f.write_string_attribute("/", name, value);
    const Tensor features = set.features.to(Device::cpu());
    f.write_f32("features", features.data<float>(), features.shape().dims());
    const Tensor labels = set.labels.to(Device::cpu());
    f.write_i32("labels", labels.data<int32_t>(), {n});
    f.write_strings("names", set.names);
    f.write_strings("class_names", set.class_names);
  });
}

std::optional<FeatureSet> load_feature_cache(const std::string& path, const FeatureCacheKey& key,
                                             std::string* why_not) {
  auto stale = [&](const std::string& reason) -> std::optional<FeatureSet> {
    if (why_not != nullptr) *why_not = reason;
    return std::nullopt;
  };
  if (!std::filesystem::exists(path)) return stale("no cache file '" + path + "'");
  return load_feature_cache(Hdf5File::open_read(path), key, why_not);
}

std::optional<FeatureSet> load_feature_cache(const Hdf5File& f, const FeatureCacheKey& key, std::string* why_not) {
  const std::string& path = f.path();
  f.refuse_variable_length_strings();  // tl writes fixed-length ones (loaders/hdf5_file.h)
  auto stale = [&](const std::string& reason) -> std::optional<FeatureSet> {
    if (why_not != nullptr) *why_not = reason;
    return std::nullopt;
  };
  TL_CHECK(f.has_attribute("/", "format") && f.read_string_attribute("/", "format") == kFormat,
           "'" << path << "' is not a tl feature cache (no root attribute format = '" << kFormat
               << "'); delete it or choose another cache path");
  if (f.read_number_attribute("/", "format_version") != kFormatVersion)
    return stale("older cache format version");
  for (const auto& [name, value] : key.fields()) {
    const std::string cached = f.has_attribute("/", name) ? f.read_string_attribute("/", name) : "(none)";
    if (cached != value) return stale(name + " differs: cache has '" + cached + "', now '" + value + "'");
  }
  FeatureSet set;
  set.views = key.views;
  std::vector<int64_t> shape;
  const std::vector<int32_t> labels = f.read_i32("labels", &shape);
  TL_CHECK(shape.size() == 1, "feature cache '" << path << "': labels must be 1-D");
  const int64_t n = shape[0];
  const std::vector<float> features = f.read_f32("features", &shape);
  TL_CHECK(shape.size() == 2 && shape[0] == checked_mul(key.views, n, "feature cache '" + path + "'"),
           "feature cache '" << path << "': features are " << Shape(shape).str() << ", expected ("
                             << key.views << " * " << n << ", F)");
  set.features = Tensor::from_vector(features, Shape(shape));
  set.labels = Tensor::from_vector(labels, {n});
  set.names = f.read_strings("names");
  TL_CHECK(static_cast<int64_t>(set.names.size()) == n,
           "feature cache '" << path << "': " << set.names.size() << " names for " << n << " labels");
  set.class_names = f.read_strings("class_names");
  for (int32_t y : labels)
    TL_CHECK(y >= 0 && y < static_cast<int32_t>(set.class_names.size()),
             "feature cache '" << path << "': label " << y << " outside the " << set.class_names.size()
                               << " classes");
  return set;
}

FeatureSet cached_features(const std::string& path, const FeatureCacheKey& key,
                           const std::function<FeatureSet()>& compute, bool* reused) {
  if (auto cached = load_feature_cache(path, key)) {
    if (reused != nullptr) *reused = true;
    return std::move(*cached);
  }
  FeatureSet set = compute();
  save_feature_cache(path, key, set);
  if (reused != nullptr) *reused = false;
  return set;
}

}  // namespace tl
