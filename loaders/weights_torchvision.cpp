// torchvision-layout ResNet weights: one float32 dataset per state_dict key, PyTorch shapes.
//
// The architecture is read from the datasets, not trusted from attributes: blocks per stage
// from "layer<s>.<b>.conv1.weight", bottleneck when "layer1.0.conv3.weight" exists, widths from
// the weight shapes (reduced-width nets load too), classes from "fc.weight". The skeleton of
// that ResNet (engine/resnet_builder.h) then says exactly which datasets must exist with which
// shapes; anything missing, extra, misshapen, non-float or non-finite is an error.
// torchvision ResNets are v1.5 (stride in the 3x3), have no conv bias and BN eps 1e-5.
#include <cmath>
#include <set>
#include <sstream>

#include "engine/resnet_builder.h"
#include "loaders/limits.h"
#include "loaders/weights.h"

namespace tl {
namespace {

// The batchnorm after a conv: conv1 -> bn1, layer1.0.conv2 -> layer1.0.bn2, *.downsample.0 -> *.downsample.1
std::string bn_name_of(const std::string& conv) {
  const std::string ds = "downsample.0";
  if (conv.size() >= ds.size() && conv.compare(conv.size() - ds.size(), ds.size(), ds) == 0)
    return conv.substr(0, conv.size() - 1) + "1";
  const size_t pos = conv.rfind("conv");
  return conv.substr(0, pos) + "bn" + conv.substr(pos + 4);
}

class TorchvisionReader {
 public:
  explicit TorchvisionReader(const Hdf5File& file) : f_(file) {}

  std::string where(const std::string& dataset) const {
    return "file '" + f_.path() + "', dataset '" + dataset + "'";
  }

  // The shape of a dataset that must exist, checked to be a float array of `rank`.
  std::vector<int64_t> shape_of(const std::string& name, size_t rank) const {
    TL_CHECK(f_.is_dataset(name), where(name) << ": missing (expected a float32 array of rank " << rank << ")");
    const DatasetInfo info = f_.dataset_info(name);
    TL_CHECK(info.kind == H5Kind::float_,
             where(name) << ": has type " << info.type_name() << ", expected float32");
    TL_CHECK(info.shape.size() == rank, where(name) << ": has shape " << shape_str(info.shape)
                                                    << ", expected rank " << rank);
    return info.shape;
  }

  // Reads a float dataset of exactly `expected` shape, all values finite.
  std::vector<float> read(const std::string& name, const std::vector<int64_t>& expected, const std::string& arch) {
    TL_CHECK(f_.is_dataset(name), where(name) << ": missing (expected float32 " << shape_str(expected) << " for a "
                                              << arch << ")");
    const DatasetInfo info = f_.dataset_info(name);
    TL_CHECK(info.kind == H5Kind::float_ && (info.element_bytes == 4 || info.element_bytes == 8),
             where(name) << ": has type " << info.type_name() << ", expected float32");
    TL_CHECK(info.shape == expected, where(name) << ": has shape " << shape_str(info.shape) << ", expected "
                                                 << shape_str(expected) << " for a " << arch);
    std::vector<float> values = f_.read_f32(name);
    for (size_t i = 0; i < values.size(); ++i)
      TL_CHECK(std::isfinite(values[i]), where(name) << ": value " << values[i] << " at flat index " << i
                                                     << " (expected finite weights)");
    used_.insert(name);
    return values;
  }

  Tensor read_vector(const std::string& name, int64_t n, const std::string& arch) {
    return Tensor::from_vector(read(name, {n}, arch), {n});
  }

  // A conv weight OIHW (K, C, R, S) from the file into the engine's (K, R, S, C).
  Tensor read_conv(const ConvUnit& u, const std::string& arch) {
    const int64_t K = u.out_channels, C = u.in_channels, R = u.kernel, S = u.kernel;
    const std::vector<float> oihw = read(u.name + ".weight", {K, C, R, S}, arch);
    Tensor krsc = Tensor::empty({K, R, S, C}, DType::f32);
    float* dst = krsc.data<float>();
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t r = 0; r < R; ++r)
          for (int64_t s = 0; s < S; ++s) dst[((k * R + r) * S + s) * C + c] = oihw[((k * C + c) * R + r) * S + s];
    return krsc;
  }

  void fill_unit(ConvUnit& u, const std::string& arch) {
    u.weight = read_conv(u, arch);
    const std::string bn = bn_name_of(u.name);
    const int64_t K = u.out_channels;
    u.bn.gamma = read_vector(bn + ".weight", K, arch);
    u.bn.beta = read_vector(bn + ".bias", K, arch);
    u.bn.running_mean = read_vector(bn + ".running_mean", K, arch);
    u.bn.running_var = read_vector(bn + ".running_var", K, arch);
    const float* var = u.bn.running_var.data<float>();
    for (int64_t k = 0; k < K; ++k)
      TL_CHECK(var[k] >= 0, where(bn + ".running_var") << ": negative variance " << var[k] << " at " << k);
  }

  // Every dataset or group of the file that was not read, except num_batches_tracked.
  void reject_unused(const std::string& arch) const {
    for (const std::string& name : f_.children("/")) {
      const std::string nbt = "num_batches_tracked";
      const bool counter = name.size() >= nbt.size() && name.compare(name.size() - nbt.size(), nbt.size(), nbt) == 0;
      TL_CHECK(used_.count(name) || counter,
               where(name) << ": unexpected (not a parameter of a torchvision " << arch
                           << " with the widths found in the file)");
    }
  }

 private:
  const Hdf5File& f_;
  std::set<std::string> used_;
};

std::string blocks_str(const std::array<int, 4>& b) {
  std::ostringstream out;
  out << "{" << b[0] << ", " << b[1] << ", " << b[2] << ", " << b[3] << "}";
  return out.str();
}

// The structure the datasets describe.
ResNetSpec infer_spec(const Hdf5File& f, const TorchvisionReader& reader) {
  ResNetSpec spec;
  spec.stride_at = StrideAt::conv3x3;
  spec.conv_bias = false;
  spec.bn_eps = 1e-5f;
  spec.stem_width = reader.shape_of("conv1.weight", 4)[0];
  spec.block = f.exists("layer1.0.conv3.weight") ? BlockKind::bottleneck : BlockKind::basic;
  for (int s = 0; s < 4; ++s) {
    int b = 0;
    const std::string stage = "layer" + std::to_string(s + 1) + ".";
    while (f.exists(stage + std::to_string(b) + ".conv1.weight")) ++b;
    spec.blocks_per_stage[s] = b;
  }
  const int depth = resnet_depth(spec.block, spec.blocks_per_stage);
  TL_CHECK(depth != 0, "file '" << f.path() << "': found " << block_kind_name(spec.block) << " blocks per stage "
                                << blocks_str(spec.blocks_per_stage)
                                << " (datasets layer<s>.<b>.conv1.weight), which is no known ResNet (expected "
                                   "basic {2, 2, 2, 2} = 18, {3, 4, 6, 3} = 34; bottleneck {3, 4, 6, 3} = 50, "
                                   "{3, 4, 23, 3} = 101, {3, 8, 36, 3} = 152)");
  for (int s = 0; s < 4; ++s) {
    const std::string first = "layer" + std::to_string(s + 1) + ".0.";
    spec.mid_width[s] = reader.shape_of(first + "conv1.weight", 4)[0];
    spec.out_width[s] = reader.shape_of(first + (spec.block == BlockKind::basic ? "conv2" : "conv3") + ".weight", 4)[0];
  }
  spec.num_classes = f.exists("fc.weight") ? reader.shape_of("fc.weight", 2)[0] : 0;
  return spec;
}

}  // namespace

ResNet load_torchvision_weights(const Hdf5File& f) {
  TorchvisionReader reader(f);
  const ResNetSpec spec = infer_spec(f, reader);
  require_resnet_within_limits(spec, f.path());  // before the skeleton is allocated
  ResNet net = build_resnet(spec);
  net.source = SourceLayout::torchvision;
  const std::string& arch = net.architecture;
  for (ConvUnit* u : conv_units(net)) reader.fill_unit(*u, arch);
  if (net.num_classes > 0) {
    net.fc_weight = Tensor::from_vector(reader.read("fc.weight", {net.num_classes, net.feature_dim}, arch),
                                        {net.num_classes, net.feature_dim});
    net.fc_bias = reader.read_vector("fc.bias", net.num_classes, arch);
  }
  reader.reject_unused(arch);

  if (f.has_attribute("/", "architecture")) {
    const std::string claimed = f.read_string_attribute("/", "architecture");
    TL_CHECK(claimed == arch, "file '" << f.path() << "': root attribute architecture='" << claimed
                                       << "' but the datasets describe a " << arch << " ("
                                       << block_kind_name(net.block) << " blocks " << blocks_str(net.blocks_per_stage)
                                       << ")");
  }
  if (f.has_attribute("/", "num_classes")) {
    const double claimed = f.read_number_attribute("/", "num_classes");
    TL_CHECK(claimed == static_cast<double>(net.num_classes),
             "file '" << f.path() << "': root attribute num_classes=" << claimed << " but fc.weight holds "
                      << net.num_classes << " classes");
  }
  if (f.has_attribute("/", "preprocessing")) {
    const std::string preset = f.read_string_attribute("/", "preprocessing");
    try {
      net.preprocessing = Preprocessing::from_preset(preset);
    } catch (const Error& e) {
      TL_FAIL("file '" << f.path() << "': root attribute preprocessing: " << e.what());
    }
  }  // else torchvision, the default of Preprocessing
  if (f.has_attribute("/", "class_names")) {
    net.class_names = f.read_string_list_attribute("/", "class_names");
    TL_CHECK(static_cast<int64_t>(net.class_names.size()) == net.num_classes,
             "file '" << f.path() << "': root attribute class_names holds " << net.class_names.size()
                      << " names for " << net.num_classes << " classes");
  }
  if (f.has_attribute("/", "input_size")) net.input_size = static_cast<int>(f.read_number_attribute("/", "input_size"));
  fold_all_batchnorms(net);
  return net;
}

}  // namespace tl
