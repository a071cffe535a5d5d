#include "loaders/keras_resnet_names.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <tuple>

#include "kernels/common/error.h"

namespace tl {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A block number from a layer name; nullopt past 999 (no ResNet has that many blocks, and the
// caller adds 1 to it, which must not overflow). std::stoi would throw std::out_of_range.
std::optional<int> block_number(const std::string& digits) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  return std::stoi(digits);
}

// Legacy block ids: "a" -> 0, "b" -> 1, ... ; Caffe's ResNet-101/152 "b1" -> 1, "b22" -> 22.
std::optional<int> legacy_block_index(const std::string& id) {
  if (id.size() == 1 && id[0] >= 'a' && id[0] <= 'z') return id[0] - 'a';
  if (id.size() >= 2 && id[0] == 'b' && std::all_of(id.begin() + 1, id.end(), ::isdigit) && id[1] != '0')
    return block_number(id.substr(1));
  return std::nullopt;
}

}  // namespace

const char* keras_naming_description(KerasNaming naming) {
  return naming == KerasNaming::current ? "keras.applications.resnet (conv1_conv, conv2_block1_1_conv, ...)"
                                        : "keras_applications resnet50 (conv1, res2a_branch2a, ...)";
}

float keras_bn_epsilon(KerasNaming naming) { return naming == KerasNaming::current ? 1.001e-5f : 1e-3f; }

bool KerasLayerRole::operator<(const KerasLayerRole& o) const {
  return std::tie(kind, stage, block, conv) < std::tie(o.kind, o.stage, o.block, o.conv);
}

KerasNaming detect_keras_naming(const std::vector<std::string>& layers, const std::string& file) {
  auto has = [&](const std::string& name) {
    return std::find(layers.begin(), layers.end(), name) != layers.end();
  };
  for (const std::string& l : layers)
    TL_CHECK(l.find("_preact_") == std::string::npos && l != "post_bn",
             "file '" << file << "': layer '" << l
                      << "' belongs to a Keras ResNet V2 (pre-activation), which tl "
                      << "does not load (expected a ResNet50/101/152 v1)");
  if (has("conv1_conv")) return KerasNaming::current;
  if (has("conv1") || has("bn_conv1")) return KerasNaming::legacy;
  std::string found;
  for (size_t i = 0; i < layers.size() && i < 6; ++i) found += (i ? ", '" : "'") + layers[i] + "'";
  TL_FAIL("file '" << file << "': unknown Keras layer naming: expected the stem conv 'conv1_conv' ("
                   << keras_naming_description(KerasNaming::current) << ") or 'conv1' / 'bn_conv1' ("
                   << keras_naming_description(KerasNaming::legacy) << "); layers with weights: "
                   << (found.empty() ? "none" : found) << (layers.size() > 6 ? ", ..." : ""));
}

std::optional<KerasLayerRole> parse_keras_layer(KerasNaming naming, const std::string& layer) {
  using K = KerasLayerKind;
  // Every ResNet layer name is short; std::regex recurses per character, so a hostile
  // megabyte-long name must not reach it.
  if (layer.size() > 64) return std::nullopt;
  std::smatch m;
  if (naming == KerasNaming::current) {
    if (layer == "conv1_conv") return KerasLayerRole{K::stem_conv};
    if (layer == "conv1_bn") return KerasLayerRole{K::stem_bn};
    if (layer == "predictions") return KerasLayerRole{K::head};
    static const std::regex block(R"(conv([2-5])_block([1-9][0-9]*)_([0-3])_(conv|bn))");
    if (!std::regex_match(layer, m, block)) return std::nullopt;
    const int i = std::stoi(m[3]);
    const std::optional<int> b = block_number(m[2]);
    if (!b) return std::nullopt;
    return KerasLayerRole{m[4] == "conv" ? K::block_conv : K::block_bn, std::stoi(m[1]) - 2, *b - 1,
                          i == 0 ? 3 : i - 1};
  }
  if (layer == "conv1") return KerasLayerRole{K::stem_conv};
  if (layer == "bn_conv1") return KerasLayerRole{K::stem_bn};
  if (layer == "fc1000") return KerasLayerRole{K::head};
  static const std::regex block(R"((res|bn)([2-5])([a-z][0-9]*)_branch(1|2a|2b|2c))");
  if (!std::regex_match(layer, m, block)) return std::nullopt;
  const std::optional<int> b = legacy_block_index(m[3]);
  if (!b) return std::nullopt;
  const std::string branch = m[4];
  const int conv = branch == "1" ? 3 : branch[1] - 'a';
  return KerasLayerRole{m[1] == "res" ? K::block_conv : K::block_bn, std::stoi(m[2]) - 2, *b, conv};
}

std::string keras_layer_name(KerasNaming naming, const KerasLayerRole& r) {
  using K = KerasLayerKind;
  const bool conv = r.kind == K::stem_conv || r.kind == K::block_conv;
  if (naming == KerasNaming::current) {
    if (r.kind == K::head) return "predictions";
    if (r.kind == K::stem_conv || r.kind == K::stem_bn) return conv ? "conv1_conv" : "conv1_bn";
    return "conv" + std::to_string(r.stage + 2) + "_block" + std::to_string(r.block + 1) + "_" +
           std::to_string(r.conv == 3 ? 0 : r.conv + 1) + (conv ? "_conv" : "_bn");
  }
  if (r.kind == K::head) return "fc1000";
  if (r.kind == K::stem_conv || r.kind == K::stem_bn) return conv ? "conv1" : "bn_conv1";
  const std::string block =
      r.block < 26 ? std::string(1, static_cast<char>('a' + r.block)) : "b" + std::to_string(r.block);
  const std::string branch = r.conv == 3 ? "1" : std::string("2") + static_cast<char>('a' + r.conv);
  return (conv ? "res" : "bn") + std::to_string(r.stage + 2) + block + "_branch" + branch;
}

const char* keras_weight_role_name(KerasWeightRole role) {
  switch (role) {
    case KerasWeightRole::kernel:
      return "kernel";
    case KerasWeightRole::bias:
      return "bias";
    case KerasWeightRole::gamma:
      return "gamma";
    case KerasWeightRole::beta:
      return "beta";
    case KerasWeightRole::moving_mean:
      return "moving_mean";
    case KerasWeightRole::moving_variance:
      return "moving_variance";
  }
  return "?";
}

std::optional<KerasWeightRole> parse_keras_weight(const std::string& weight_name) {
  // The last path component without ':<n>', and without Keras 1's "_<n>" uniquifying suffix.
  std::string w =
      weight_name.substr(weight_name.rfind('/') == std::string::npos ? 0 : weight_name.rfind('/') + 1);
  static const std::regex suffix(R"((.*?)(:[0-9]+)?$)");
  std::smatch m;
  if (std::regex_match(w, m, suffix)) w = m[1];
  static const std::regex uniquifier(R"((.*[A-Za-z])_[0-9]+$)");
  if (std::regex_match(w, m, uniquifier)) w = m[1];
  using R = KerasWeightRole;
  const std::pair<const char*, R> suffixes[] = {{"moving_variance", R::moving_variance},
                                                {"running_std", R::moving_variance},
                                                {"running_var", R::moving_variance},
                                                {"moving_mean", R::moving_mean},
                                                {"running_mean", R::moving_mean},
                                                {"gamma", R::gamma},
                                                {"beta", R::beta},
                                                {"kernel", R::kernel},
                                                {"bias", R::bias}};
  for (const auto& [name, role] : suffixes)
    if (ends_with(w, name)) return role;
  if (w == "W" || ends_with(w, "_W")) return R::kernel;  // Keras 1
  if (w == "b" || ends_with(w, "_b")) return R::bias;
  return std::nullopt;
}

}  // namespace tl
