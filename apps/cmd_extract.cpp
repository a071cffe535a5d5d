// `tl extract --weights W.h5 --data DIR --out features.h5`: the frozen backbone's features of
// every image of an ImageFolder, saved as a feature cache file (loaders/feature_cache.h).
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "apps/pipeline.h"
#include "engine/resnet_forward.h"
#include "kernels/cpu/threads.h"
#include "loaders/feature_extraction.h"

namespace tl::app {

namespace {

struct ExtractArgs {
  std::string weights, data, cache, out;
  std::string features = "layer4";
  DataOptions data_options;
};

void run_extract(const CommonOptions& common, const ExtractArgs& args) {
  cpu::set_num_threads(common.threads);
  const Device device = resolve_device(common.device, std::cerr);
  resolve_backbone_math(common, device, std::cerr);
  const Backbone backbone = load_backbone(args.weights);
  const auto dataset = open_image_folder(args.data, args.data_options);
  const ImageTransform transform = transform_for(backbone.net, args.data_options.image_size);
  const std::vector<int> pooled_stages = parse_pooled_stages(args.features);
  bool reused = false;
  const FeatureSet set = backbone_features(backbone, dataset, transform, common, device, args.data_options.skip_bad,
                                           "extract", args.cache, &reused, pooled_stages);
  ExtractionOptions key_options;
  key_options.seed = common.seed;
  key_options.pooled_stages = pooled_stages;
  save_feature_cache(
      args.out, feature_cache_key(backbone.net, backbone.identity, *dataset, transform, key_options), set);
  if (common.json) {
    std::cout << nlohmann::json{{"out", args.out},
                                {"images", set.size()},
                                {"features", set.features.dim(1)},
                                {"classes", set.class_names},
                                {"cache_reused", reused}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "extracted " << set.size() << " images x " << set.features.dim(1) << " features ("
            << set.class_names.size() << " classes)" << (reused ? " from the cache " + args.cache : "")
            << " -> " << args.out << "\n";
}

}  // namespace

void add_extract_command(CLI::App& app, CommonOptions& common) {
  static ExtractArgs args;
  CLI::App* cmd =
      app.add_subcommand("extract",
                         "Run the frozen backbone over an image folder and save the features (HDF5)")
          ->footer(examples_footer(
              {"tl extract --weights resnet50.h5 --data my_images/ --out features.h5",
               "tl extract --weights resnet50.h5 --data my_images/ --cache cache.h5 --out f.h5"}));
  add_common_options(*cmd, common);
  cmd->add_option("--weights", args.weights, "backbone weights (HDF5, torchvision or Keras layout)")
      ->required();
  cmd->add_option("--data", args.data, "image folder: DIR/<class>/<image>")->required();
  cmd->add_option("--cache", args.cache, "feature cache file: reused when it matches, else written");
  cmd->add_option("--out", args.out, "where to write the features (HDF5)")->required();
  add_data_options(*cmd, args.data_options);
  add_features_option(*cmd, args.features);
  cmd->callback([&common] { run_extract(common, args); });
}

}  // namespace tl::app
