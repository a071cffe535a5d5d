// Keras legacy .h5 ResNet weights (keras.applications ResNet50/101/152, both naming
// generations; weights-only or whole-model files; see loaders/keras_h5.h and
// loaders/keras_resnet_names.h for the layout and the names).
//
// The architecture is read from the file: the naming generation from the stem's name, the
// blocks per stage from the block layers present, the widths from the kernel shapes and the
// classes from the head's kernel. The skeleton of that ResNet (engine/resnet_builder.h, v1:
// stride in the first 1x1 conv and the shortcut, conv biases) then says exactly which layers
// must exist with which shapes. Conversions: conv kernels HWIO (R, S, C, K) -> (K, R, S, C),
// the Dense kernel (C, classes) -> (classes, C); BN epsilon from the generation, or from a
// whole-model file's model_config; Caffe preprocessing. Layers without weights (padding,
// ReLU, pooling, add, input) are ignored. Theano-saved files (flipped kernels) are refused.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "engine/resnet_builder.h"
#include "loaders/keras_h5.h"
#include "loaders/keras_model_config.h"
#include "loaders/keras_resnet_names.h"
#include "loaders/limits.h"
#include "loaders/weights.h"

namespace tl {
namespace {

std::string blocks_str(const std::array<int, 4>& b) {
  std::ostringstream out;
  out << "{" << b[0] << ", " << b[1] << ", " << b[2] << ", " << b[3] << "}";
  return out.str();
}

// The weighted layers of a Keras ResNet file, by role, and reading their arrays.
class KerasResNetReader {
 public:
  explicit KerasResNetReader(const Hdf5File& file) : f_(file), h5_(read_keras_weights_file(file)) {
    std::vector<std::string> weighted;
    for (const KerasLayer& l : h5_.layers)
      if (!l.weights.empty()) weighted.push_back(l.name);
    naming_ = detect_keras_naming(weighted, f_.path());
    eps_ = keras_batchnorm_epsilons(f_);
    for (const KerasLayer& l : h5_.layers) {
      if (l.weights.empty()) continue;
      const std::optional<KerasLayerRole> role = parse_keras_layer(naming_, l.name);
      TL_CHECK(role, where(l.name) << ": has " << l.weights.size()
                                   << " weights but is no layer of a Keras ResNet "
                                   << "named as " << keras_naming_description(naming_));
      TL_CHECK(!layers_.count(*role),
               where(l.name) << ": a second layer for the role of '" << layers_.at(*role)->name << "'");
      layers_[*role] = &l;
    }
  }

  KerasNaming naming() const { return naming_; }
  bool has(const KerasLayerRole& role) const { return layers_.count(role) > 0; }

  std::string where(const std::string& layer) const {
    return "file '" + f_.path() + "', layer '" + layer + "'";
  }

  // The layer of `role`, which must exist.
  const KerasLayer& layer(const KerasLayerRole& role, const std::string& arch) const {
    const auto it = layers_.find(role);
    TL_CHECK(it != layers_.end(), "file '" << f_.path() << "': missing layer '"
                                           << keras_layer_name(naming_, role) << "' (expected in a Keras "
                                           << arch << " named as " << keras_naming_description(naming_)
                                           << ")");
    used_.insert(role);
    return *it->second;
  }

  // The layer's weights by role; exactly `expected` roles, each once.
  std::map<KerasWeightRole, const KerasWeight*> weights(const KerasLayer& l,
                                                        const std::vector<KerasWeightRole>& expected) const {
    std::string expected_str;
    for (KerasWeightRole r : expected)
      expected_str += std::string(expected_str.empty() ? "" : ", ") + keras_weight_role_name(r);
    std::map<KerasWeightRole, const KerasWeight*> out;
    for (const KerasWeight& w : l.weights) {
      const std::optional<KerasWeightRole> role = parse_keras_weight(w.name);
      TL_CHECK(
          role && std::find(expected.begin(), expected.end(), *role) != expected.end() && !out.count(*role),
          where(l.name) << ": unexpected weight '" << w.name << "' (expected one each of: " << expected_str
                        << ")");
      out[*role] = &w;
    }
    for (KerasWeightRole r : expected)
      TL_CHECK(out.count(r), where(l.name) << ": has no " << keras_weight_role_name(r)
                                           << " weight (expected: " << expected_str << ")");
    return out;
  }

  // The shape of a weight's dataset, checked to be a float array.
  std::vector<int64_t> shape_of(const KerasLayer& l, const KerasWeight& w) const {
    const DatasetInfo info = f_.dataset_info(w.dataset);
    TL_CHECK(info.kind == H5Kind::float_ && (info.element_bytes == 4 || info.element_bytes == 8),
             where(l.name) << ", dataset '" << w.dataset << "': has type " << info.type_name()
                           << ", expected float32");
    return info.shape;
  }

  // A weight of exactly `expected` shape, all values finite.
  std::vector<float> read(const KerasLayer& l, const KerasWeight& w, const std::vector<int64_t>& expected,
                          const std::string& arch) const {
    const std::vector<int64_t> shape = shape_of(l, w);
    TL_CHECK(shape == expected, where(l.name)
                                    << ", dataset '" << w.dataset << "': has shape " << shape_str(shape)
                                    << ", expected " << shape_str(expected) << " for a Keras " << arch
                                    << " with the widths found in the file");
    std::vector<float> values = f_.read_f32(w.dataset);
    for (size_t i = 0; i < values.size(); ++i)
      TL_CHECK(std::isfinite(values[i]), where(l.name)
                                             << ", dataset '" << w.dataset << "': value " << values[i]
                                             << " at flat index " << i << " (expected finite weights)");
    return values;
  }

  // A conv kernel's (R, S, C, K) shape, for reading the widths before the skeleton exists.
  std::vector<int64_t> kernel_shape(const KerasLayerRole& role, const std::string& arch) const {
    const KerasLayer& l = layer(role, arch);
    const std::vector<int64_t> shape = shape_of(
        l, *weights(l, {KerasWeightRole::kernel, KerasWeightRole::bias}).at(KerasWeightRole::kernel));
    TL_CHECK(shape.size() == 4, where(l.name) << ": kernel has shape " << shape_str(shape)
                                              << ", expected (R, S, C, K) for a Conv2D");
    return shape;
  }

  // Conv kernel, bias and the BN after it, into a skeleton unit of known geometry.
  void fill_unit(ConvUnit& u, const KerasLayerRole& conv_role, const std::string& arch) const {
    using R = KerasWeightRole;
    const int64_t K = u.out_channels, C = u.in_channels, k = u.kernel;
    const KerasLayer& conv = layer(conv_role, arch);
    const auto cw = weights(conv, {R::kernel, R::bias});
    const std::vector<float> hwio = read(conv, *cw.at(R::kernel), {k, k, C, K}, arch);  // (R, S, C, K)
    u.weight = Tensor::empty({K, k, k, C}, DType::f32);
    float* krsc = u.weight.data<float>();
    for (int64_t r = 0; r < k; ++r)
      for (int64_t s = 0; s < k; ++s)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t o = 0; o < K; ++o)
            krsc[((o * k + r) * k + s) * C + c] = hwio[((r * k + s) * C + c) * K + o];
    u.bias = Tensor::from_vector(read(conv, *cw.at(R::bias), {K}, arch), {K});
    u.name = conv.name;

    KerasLayerRole bn_role = conv_role;
    bn_role.kind =
        conv_role.kind == KerasLayerKind::stem_conv ? KerasLayerKind::stem_bn : KerasLayerKind::block_bn;
    const KerasLayer& bn = layer(bn_role, arch);
    const auto bw = weights(bn, {R::gamma, R::beta, R::moving_mean, R::moving_variance});
    u.bn.gamma = Tensor::from_vector(read(bn, *bw.at(R::gamma), {K}, arch), {K});
    u.bn.beta = Tensor::from_vector(read(bn, *bw.at(R::beta), {K}, arch), {K});
    u.bn.running_mean = Tensor::from_vector(read(bn, *bw.at(R::moving_mean), {K}, arch), {K});
    const std::vector<float> var = read(bn, *bw.at(R::moving_variance), {K}, arch);
    for (int64_t i = 0; i < K; ++i)
      TL_CHECK(var[i] >= 0, where(bn.name) << ": negative moving variance " << var[i] << " at channel " << i);
    u.bn.running_var = Tensor::from_vector(var, {K});
    if (eps_.count(bn.name)) u.bn.eps = eps_.at(bn.name);  // whole-model file: as configured
  }

  // The Dense head's kernel (C, classes) and bias, as (classes, C) and (classes).
  void fill_head(ResNet& net, const std::string& arch) const {
    using R = KerasWeightRole;
    const KerasLayer& head = layer({KerasLayerKind::head}, arch);
    const auto hw = weights(head, {R::kernel, R::bias});
    const int64_t C = net.feature_dim, N = net.num_classes;
    const std::vector<float> kernel = read(head, *hw.at(R::kernel), {C, N}, arch);
    net.fc_weight = Tensor::empty({N, C}, DType::f32);
    float* w = net.fc_weight.data<float>();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t n = 0; n < N; ++n) w[n * C + c] = kernel[c * N + n];
    net.fc_bias = Tensor::from_vector(read(head, *hw.at(R::bias), {N}, arch), {N});
  }

  // The head's class count from its kernel (C, classes), 0 without a head.
  int64_t num_classes() const {
    const KerasLayerRole role{KerasLayerKind::head};
    if (!has(role)) return 0;
    const KerasLayer& head = layer(role, "ResNet");
    const std::vector<int64_t> shape = shape_of(
        head, *weights(head, {KerasWeightRole::kernel, KerasWeightRole::bias}).at(KerasWeightRole::kernel));
    TL_CHECK(shape.size() == 2, where(head.name) << ": kernel has shape " << shape_str(shape)
                                                 << ", expected (features, classes) for a Dense layer");
    return shape[1];
  }

  // Every weighted layer must have been read: an extra one (a shortcut BN without its conv, ...) is an error.
  void reject_unused(const std::string& arch) const {
    for (const auto& [role, l] : layers_)
      TL_CHECK(used_.count(role), where(l->name) << ": unexpected (no layer of a Keras " << arch
                                                 << " with the blocks and widths found in the file)");
  }

  // Blocks per stage: one past the highest block index seen (a gap is then a missing layer).
  std::array<int, 4> blocks_per_stage() const {
    std::array<int, 4> blocks{};
    for (const auto& [role, l] : layers_)
      if (role.kind == KerasLayerKind::block_conv || role.kind == KerasLayerKind::block_bn)
        blocks[role.stage] = std::max(blocks[role.stage], role.block + 1);
    return blocks;
  }

 private:
  const Hdf5File& f_;
  KerasWeightsFile h5_;
  KerasNaming naming_ = KerasNaming::current;
  std::map<std::string, float> eps_;  // BN epsilons of a whole-model file's model_config
  std::map<KerasLayerRole, const KerasLayer*> layers_;
  mutable std::set<KerasLayerRole> used_;  // roles read so far
};

KerasLayerRole block_conv(int stage, int block, int conv) {
  return {KerasLayerKind::block_conv, stage, block, conv};
}

// The structure the layers describe.
ResNetSpec infer_spec(const Hdf5File& f, const KerasResNetReader& reader) {
  ResNetSpec spec;
  spec.block = BlockKind::bottleneck;  // keras.applications has bottleneck ResNets only
  spec.stride_at = StrideAt::first_1x1;
  spec.conv_bias = true;
  spec.bn_eps = keras_bn_epsilon(reader.naming());
  spec.blocks_per_stage = reader.blocks_per_stage();
  const int depth = resnet_depth(spec.block, spec.blocks_per_stage);
  TL_CHECK(depth != 0,
           "file '" << f.path() << "': found Keras ResNet blocks per stage "
                    << blocks_str(spec.blocks_per_stage) << " (layers named as "
                    << keras_naming_description(reader.naming())
                    << "), which is no known ResNet (expected {3, 4, 6, 3} = ResNet50, {3, 4, 23, 3} = "
                       "ResNet101, {3, 8, 36, 3} = ResNet152)");
  const std::string arch = "resnet" + std::to_string(depth);
  spec.stem_width = reader.kernel_shape({KerasLayerKind::stem_conv}, arch)[3];
  for (int s = 0; s < 4; ++s) {
    spec.mid_width[s] = reader.kernel_shape(block_conv(s, 0, 0), arch)[3];
    spec.out_width[s] = reader.kernel_shape(block_conv(s, 0, 2), arch)[3];
  }
  spec.num_classes = reader.num_classes();
  return spec;
}

}  // namespace

ResNet load_keras_weights(const Hdf5File& f) {
  for (const char* group : {"/", "/model_weights"})
    if (f.has_attribute(group, "backend")) {
      const std::string backend = f.read_string_attribute(group, "backend");
      TL_CHECK(backend != "theano",
               "file '" << f.path() << "': saved by Keras' Theano backend, whose conv kernels "
                        << "are flipped (expected a TensorFlow file, e.g. *_tf_kernels.h5)");
    }
  const KerasResNetReader reader(f);
  const ResNetSpec spec = infer_spec(f, reader);
  require_resnet_within_limits(spec, f.path());  // before the skeleton is allocated
  ResNet net = build_resnet(spec);
  net.source = SourceLayout::keras;
  const std::string& arch = net.architecture;
  reader.fill_unit(net.stem, {KerasLayerKind::stem_conv}, arch);
  for (int s = 0; s < 4; ++s)
    for (int b = 0; b < static_cast<int>(net.stages[s].size()); ++b) {
      ResidualBlock& block = net.stages[s][b];
      for (int i = 0; i < 3; ++i) reader.fill_unit(block.convs[i], block_conv(s, b, i), arch);
      // Keras gives every first block a projection shortcut (build_resnet: where shape changes).
      TL_CHECK(block.shortcut.has_value() == reader.has(block_conv(s, b, 3)),
               "file '" << f.path() << "': layer '" << keras_layer_name(reader.naming(), block_conv(s, b, 3))
                        << "' "
                        << (block.shortcut
                                ? "is missing (the block changes stride or width, so it needs a projection)"
                                : "is unexpected (the block keeps stride and width: identity shortcut)"));
      if (block.shortcut) reader.fill_unit(*block.shortcut, block_conv(s, b, 3), arch);
    }
  if (net.num_classes > 0) reader.fill_head(net, arch);
  reader.reject_unused(arch);
  net.preprocessing = Preprocessing::from_preset("caffe");
  net.bn_eps = net.stem.bn.eps;  // the generation's, or the model_config's
  fold_all_batchnorms(net);
  return net;
}

}  // namespace tl
