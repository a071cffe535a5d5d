// `tl info [WEIGHTS.h5]`: what this build of tl is and what it runs on; with a weights file,
// what the file holds (layout, architecture, parameters, features, classes, preprocessing).
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "engine/device.h"
#include "kernels/cpu/threads.h"
#include "loaders/weights.h"

namespace tl::app {

namespace {

void print_weights(const std::string& path) {
  const ResNet net = load_resnet_weights(path);
  const auto& b = net.blocks_per_stage;
  std::cout << "weights " << path << "\n"
            << "  source layout  " << source_layout_name(net.source) << "\n"
            << "  architecture   " << net.architecture << "\n"
            << "  depth          " << net.depth << " (blocks per stage " << b[0] << ", " << b[1] << ", "
            << b[2] << ", " << b[3] << ")\n"
            << "  block kind     " << block_kind_name(net.block) << "\n"
            << "  stride at      " << stride_at_name(net.stride_at) << "\n"
            << "  conv bias      " << (net.stem.bias.defined() ? "yes" : "no") << "\n"
            << "  stem width     " << net.stem.out_channels << "\n"
            << "  parameters     " << net.parameter_count() << "\n"
            << "  feature dim    " << net.feature_dim << "\n"
            << "  classes        " << net.num_classes << (net.num_classes == 0 ? " (no head)" : "") << "\n"
            << "  preprocessing  " << net.preprocessing.describe() << "\n"
            << "  BN epsilon     " << net.bn_eps << "\n";
  if (net.input_size > 0) std::cout << "  input size     " << net.input_size << "\n";
}

nlohmann::json weights_json(const std::string& path) {
  const ResNet net = load_resnet_weights(path);
  return {{"path", path},
          {"source_layout", source_layout_name(net.source)},
          {"architecture", net.architecture},
          {"depth", net.depth},
          {"parameters", net.parameter_count()},
          {"feature_dim", net.feature_dim},
          {"num_classes", net.num_classes},
          {"preprocessing", net.preprocessing.preset},
          {"input_size", net.input_size}};
}

void run_info(const CommonOptions& common, const std::string& weights) {
  cpu::set_num_threads(common.threads);
  if (common.json) {
    const CudaStatus& cuda = cuda_status();
    nlohmann::json info = {{"version", "0.1.0"},
                           {"cuda_backend_built", static_cast<bool>(TL_HAS_CUDA)},
                           {"cpu_threads", cpu::num_threads()},
                           {"cuda",
                            {{"usable", cuda.usable},
                             {"device_count", cuda.device_count},
                             {"description", cuda.description},
                             {"reason", cuda.reason}}}};
    if (!weights.empty()) info["weights"] = weights_json(weights);
    std::cout << info.dump(2) << "\n";
    return;
  }
  std::cout << "tl "
            << "0.1.0"
            << "\n"
            << "  CUDA backend   " << (TL_HAS_CUDA ? "built" : "not built") << "\n"
            << "  CPU threads    " << cpu::num_threads() << "\n"
            << "  " << cuda_status_line() << "\n";
  if (!weights.empty()) print_weights(weights);
}

}  // namespace

void add_info_command(CLI::App& app, CommonOptions& common) {
  static std::string weights;
  CLI::App* cmd = app.add_subcommand("info", "Describe this build of tl, its devices, and a weights file")
                      ->footer(examples_footer({"tl info", "tl info resnet50.h5", "tl info --json"}));
  add_common_options(*cmd, common, kThreadsOption | kJsonOption);
  cmd->add_option("weights", weights,
                  "a ResNet weights file (HDF5, torchvision or Keras layout) to describe");
  cmd->callback([&common] { run_info(common, weights); });
}

}  // namespace tl::app
