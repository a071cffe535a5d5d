#include "loaders/head_checkpoint.h"

#include <cmath>
#include <filesystem>

#include "engine/resnet_forward.h"
#include "loaders/atomic_write.h"
#include "loaders/file_hash.h"
#include "loaders/hdf5_file.h"
#include "loaders/limits.h"

namespace tl {
namespace {

constexpr const char* kFormat = "tl-head-checkpoint";
constexpr int kFormatVersion = 1;

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

}  // namespace

BackboneIdentity BackboneIdentity::of_weights_file(const std::string& path, const std::string& architecture) {
  return {architecture, file_content_hash(path), file_name(path)};
}

std::string BackboneIdentity::describe() const {
  return architecture + " (weights '" + weights_file + "', " + weights_hash + ")";
}

std::unique_ptr<Head> HeadCheckpoint::make_head() const {
  auto head = std::make_unique<Head>(config);
  head->load_parameters(parameters);
  return head;
}

void HeadCheckpoint::require_backbone(const BackboneIdentity& loaded) const {
  TL_CHECK(backbone.same_backbone(loaded), "this head was trained on backbone "
                                               << backbone.describe() << " but the backbone given is "
                                               << loaded.describe() << "; its features would not match");
}

namespace {

void write_head_checkpoint(const std::string& path, Head& head, const std::vector<std::string>& class_names,
                           const BackboneIdentity& backbone, const Preprocessing& preprocessing,
                           const std::vector<int>& pooled_stages) {
  const HeadConfig& c = head.config();
  Hdf5File f = Hdf5File::create(path);
  f.write_string_attribute("/", "format", kFormat);
  f.write_number_attribute("/", "format_version", kFormatVersion);
  f.write_string_attribute("/", "head_kind", head_kind_name(c.kind));
  f.write_number_attribute("/", "in_features", static_cast<double>(c.in_features));
  f.write_number_attribute("/", "hidden", c.kind == HeadKind::mlp ? static_cast<double>(c.hidden) : 0.0);
  f.write_number_attribute("/", "num_classes", static_cast<double>(c.num_classes));
  f.write_number_attribute("/", "dropout", c.dropout);
  f.write_string_attribute("/", "backbone_architecture", backbone.architecture);
  f.write_string_attribute("/", "backbone_weights_hash", backbone.weights_hash);
  f.write_string_attribute("/", "backbone_weights_file", backbone.weights_file);
  f.write_string_attribute("/", "backbone_features", pooled_stages_name(pooled_stages));
  f.create_group("head");
  for (const Parameter& p : head.parameters()) {
    const Tensor host = p.value.to(Device::cpu());
    f.write_f32("head/" + p.name, host.data<float>(), host.shape().dims());
  }
  f.write_strings("class_names", class_names);
  f.create_group("preprocessing");
  f.write_string_attribute("preprocessing", "preset", preprocessing.preset);
  f.write_number_attribute("preprocessing", "bgr", preprocessing.params.bgr ? 1 : 0);
  f.write_number_attribute("preprocessing", "scale", preprocessing.params.scale);
  f.write_f32("preprocessing/mean", preprocessing.params.mean, {3});
  f.write_f32("preprocessing/std", preprocessing.params.std, {3});
}

}  // namespace

void save_head_checkpoint(const std::string& path, Head& head, const std::vector<std::string>& class_names,
                          const BackboneIdentity& backbone, const Preprocessing& preprocessing,
                          const std::vector<int>& pooled_stages) {
  const HeadConfig& c = head.config();
  TL_CHECK(static_cast<int64_t>(class_names.size()) == c.num_classes,
           "save_head_checkpoint: " << class_names.size() << " class names for a head with " << c.num_classes
                                    << " classes");
  write_file_atomically(path, [&](const std::string& temp) { write_head_checkpoint(temp, head, class_names, backbone, preprocessing, pooled_stages);
  });
}

HeadCheckpoint load_head_checkpoint(const std::string& path) { return load_head_checkpoint(Hdf5File::open_read(path)); }

HeadCheckpoint load_head_checkpoint(const Hdf5File& f) {
  const std::string& path = f.path();
  f.refuse_variable_length_strings();  // tl writes fixed-length ones (loaders/hdf5_file.h)
  TL_CHECK(f.has_attribute("/", "format") && f.read_string_attribute("/", "format") == kFormat,
           "'" << path << "' is not a tl head checkpoint (no root attribute format = '" << kFormat << "')");
  const double version = f.read_number_attribute("/", "format_version");
  TL_CHECK(version == kFormatVersion, "head checkpoint '" << path << "': format_version " << version
                                                          << ", this tl reads " << kFormatVersion);
  auto positive_int = [&](const char* name) {
    const double v = f.read_number_attribute("/", name);
    TL_CHECK(v >= 1 && v == std::floor(v), "head checkpoint '" << path << "': attribute " << name << " = "
                                                               << v << ", expected a positive integer");
    TL_CHECK(v <= static_cast<double>(loader_limits().max_width),
             "head checkpoint '" << path << "': attribute " << name << " = " << v
                                 << " exceeds the loader limit max_width = " << loader_limits().max_width);
    return static_cast<int64_t>(v);
  };
  HeadCheckpoint ck;
  ck.config.kind = parse_head_kind(f.read_string_attribute("/", "head_kind"));
  ck.config.in_features = positive_int("in_features");
  ck.config.hidden = ck.config.kind == HeadKind::mlp ? positive_int("hidden") : 0;  // unused by a linear head
  ck.config.num_classes = positive_int("num_classes");
  ck.config.dropout = static_cast<float>(f.read_number_attribute("/", "dropout"));
  TL_CHECK(ck.config.dropout >= 0 && ck.config.dropout < 1,
           "head checkpoint '" << path << "': dropout " << ck.config.dropout << " outside [0, 1)");
  ck.backbone.architecture = f.read_string_attribute("/", "backbone_architecture");
  ck.backbone.weights_hash = f.read_string_attribute("/", "backbone_weights_hash");
  ck.backbone.weights_file = f.read_string_attribute("/", "backbone_weights_file");
  if (f.has_attribute("/", "backbone_features")) {
    const std::string features = f.read_string_attribute("/", "backbone_features");
    try {
      ck.pooled_stages = parse_pooled_stages(features);
    } catch (const Error&) {
      TL_FAIL("head checkpoint '" << path << "': attribute backbone_features = '" << features
                                  << "', expected layer stages such as layer4 or layer2+layer3+layer4");
    }
  }

  const HeadConfig& config = ck.config;
  const std::string what = "head checkpoint '" + path + "': parameter count";
  const int64_t parameters =
      config.kind == HeadKind::mlp ? checked_add(checked_mul(config.in_features + 1, config.hidden, what),
                                                 checked_mul(config.hidden + 1, config.num_classes, what), what)
                                   : checked_mul(config.in_features + 1, config.num_classes, what);
  TL_CHECK(parameters <= loader_limits().max_model_parameters,
           "head checkpoint '" << path << "': a head of " << parameters
                               << " parameters exceeds the loader limit max_model_parameters = "
                               << loader_limits().max_model_parameters);
  Head shapes(ck.config);  // the expected parameter names and shapes
  for (const Parameter& p : shapes.parameters()) {
    const std::string name = "head/" + p.name;
    TL_CHECK(f.is_dataset(name), "head checkpoint '" << path << "': dataset '" << name << "' is missing");
    std::vector<int64_t> shape;
    std::vector<float> values = f.read_f32(name, &shape);
    TL_CHECK(Shape(shape) == p.value.shape(),
             "head checkpoint '" << path << "': dataset '" << name << "' is " << Shape(shape).str()
                                 << ", expected " << p.value.shape().str() << " for a "
                                 << head_kind_name(ck.config.kind) << " head");
    for (float v : values)
      TL_CHECK(std::isfinite(v),
               "head checkpoint '" << path << "': dataset '" << name << "' holds NaN or Inf");
    ck.parameters.emplace_back(p.name, Tensor::from_vector(values, Shape(shape)));
  }
  TL_CHECK(f.is_dataset("class_names"), "head checkpoint '" << path << "': dataset 'class_names' is missing");
  ck.class_names = f.read_strings("class_names");
  TL_CHECK(static_cast<int64_t>(ck.class_names.size()) == ck.config.num_classes,
           "head checkpoint '" << path << "': " << ck.class_names.size() << " class names for "
                               << ck.config.num_classes << " classes");

  TL_CHECK(f.is_group("preprocessing"), "head checkpoint '" << path << "': group 'preprocessing' is missing");
  ck.preprocessing.preset = f.read_string_attribute("preprocessing", "preset");
  ck.preprocessing.params.bgr = f.read_number_attribute("preprocessing", "bgr") != 0;
  ck.preprocessing.params.scale = static_cast<float>(f.read_number_attribute("preprocessing", "scale"));
  std::vector<int64_t> shape;
  const auto mean = f.read_f32("preprocessing/mean", &shape);
  TL_CHECK(shape == std::vector<int64_t>{3},
           "head checkpoint '" << path << "': preprocessing/mean must be (3)");
  const auto std_dev = f.read_f32("preprocessing/std", &shape);
  TL_CHECK(shape == std::vector<int64_t>{3},
           "head checkpoint '" << path << "': preprocessing/std must be (3)");
  for (int c = 0; c < 3; ++c) {
    ck.preprocessing.params.mean[c] = mean[c];
    ck.preprocessing.params.std[c] = std_dev[c];
    TL_CHECK(std_dev[c] > 0,
             "head checkpoint '" << path << "': preprocessing std[" << c << "] = " << std_dev[c]);
  }
  return ck;
}

}  // namespace tl
