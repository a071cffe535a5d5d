// `tl predict --checkpoint RUN/head.h5 --weights W.h5 IMAGES... [--top-k 5]`: the most
// probable classes of each image under a trained head.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "apps/pipeline.h"
#include "kernels/cpu/threads.h"
#include "loaders/image_prediction.h"

namespace tl::app {

namespace {

struct PredictArgs {
  std::string checkpoint, weights;
  std::vector<std::string> images;
  int top_k = 5;
  DataOptions data_options;
};

void run_predict(const CommonOptions& common, const PredictArgs& args) {
  cpu::set_num_threads(common.threads);
  const Device device = resolve_device(common.device, std::cerr);
  const HeadCheckpoint checkpoint = load_head_checkpoint(args.checkpoint);
  const Backbone backbone = load_backbone(args.weights);
  const ImageTransform transform = transform_for(backbone.net, args.data_options.image_size);
  const int k = std::min<int>(args.top_k, static_cast<int>(checkpoint.class_names.size()));
  const BackboneMath math = resolve_backbone_math(common, device, std::cerr);
  ExtractionOptions extraction;
  extraction.batch_size = common.batch;
  extraction.device = device;
  extraction.precision = math.precision;
  extraction.lib = math.lib;
  const auto predictions =
      predict_images(backbone.net, backbone.identity, checkpoint, args.images, transform, k, extraction);
  if (common.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : predictions) {
      nlohmann::json top = nlohmann::json::array();
      for (size_t i = 0; i < p.top.size(); ++i)
        top.push_back(
            {{"class", p.names[i]}, {"index", p.top[i].class_index}, {"probability", p.top[i].probability}});
      out.push_back({{"image", p.path}, {"top", top}});
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const auto& p : predictions) {
    std::cout << p.path << "\n";
    for (size_t i = 0; i < p.top.size(); ++i)
      std::cout << "  " << std::fixed << std::setprecision(1) << std::setw(5) << 100.0 * p.top[i].probability
                << "%  " << p.names[i] << "\n";
  }
}

}  // namespace

void add_predict_command(CLI::App& app, CommonOptions& common) {
  static PredictArgs args;
  CLI::App* cmd =
      app.add_subcommand("predict", "Classify images with a trained head")
          ->footer(examples_footer(
              {"tl predict --checkpoint runs/first/head.h5 --weights resnet50.h5 cat.jpg dog.png",
               "tl predict --checkpoint head.h5 --weights r50.h5 --top-k 3 --json photos/*.jpg"}));
  add_common_options(*cmd, common);
  cmd->add_option("--checkpoint", args.checkpoint, "head checkpoint written by tl train (head.h5)")
      ->required();
  cmd->add_option("--weights", args.weights, "the backbone weights the head was trained on")->required();
  cmd->add_option("--top-k", args.top_k, "classes shown per image")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("images", args.images, "image files (JPEG, PNG, BMP)")->required();
  cmd->add_option("--image-size", args.data_options.image_size,
                  "resize every image to N x N (as in training)")
      ->check(CLI::Range(8, 4096));
  cmd->callback([&common] { run_predict(common, args); });
}

}  // namespace tl::app
