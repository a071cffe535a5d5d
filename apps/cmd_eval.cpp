// `tl eval --checkpoint RUN/head.h5 --weights W.h5 --data DIR --out DIR`: a trained head on a
// labelled image folder. Writes confusion.png, misclassified.png (a grid of the images it got
// wrong) and metrics.json (accuracy, top-5, loss, per-class accuracy, confusion matrix).
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "apps/pipeline.h"
#include "engine/metrics.h"
#include "engine/ops_training.h"
#include "engine/predict.h"
#include "kernels/common/error.h"
#include "kernels/cpu/threads.h"
#include "loaders/atomic_write.h"
#include "loaders/head_checkpoint.h"
#include "loaders/report_confusion.h"
#include "loaders/report_misclassified.h"

namespace tl::app {

namespace {

struct EvalArgs {
  std::string checkpoint, weights, data, out, cache;
  int max_misclassified = 48;
  DataOptions data_options;
};

void run_eval(const CommonOptions& common, const EvalArgs& args) {
  namespace fs = std::filesystem;
  cpu::set_num_threads(common.threads);
  const Device device = resolve_device(common.device, std::cerr);
  resolve_backbone_math(common, device, std::cerr);
  const HeadCheckpoint checkpoint = load_head_checkpoint(args.checkpoint);
  const Backbone backbone = load_backbone(args.weights);
  checkpoint.require_backbone(backbone.identity);
  TL_CHECK(checkpoint.preprocessing == backbone.net.preprocessing,
           "eval: " << args.checkpoint << " was trained with preprocessing "
                    << checkpoint.preprocessing.describe() << ", the weights " << args.weights << " use "
                    << backbone.net.preprocessing.describe());
  const auto dataset = open_image_folder(args.data, args.data_options);
  TL_CHECK(dataset->classes() == checkpoint.class_names,
           "eval: the classes of " << args.data << " differ from those of " << args.checkpoint
                                   << " (the head was trained on " << checkpoint.class_names.size()
                                   << " classes: " << checkpoint.class_names.front() << ", ...)");
  const ImageTransform transform = transform_for(backbone.net, args.data_options.image_size);
  const FeatureSet set = backbone_features(backbone, dataset, transform, common, device,
                                           args.data_options.skip_bad, "eval", args.cache, nullptr,
                                           checkpoint.pooled_stages);
  const auto head = checkpoint.make_head();
  const LabeledFeatures data{set.view(0), set.labels};
  const Metrics metrics = evaluate_head(*head, data, CrossEntropyOptions{}, common.batch);

  // Misclassified images: predictions row by row, images reloaded by name.
  const auto top = predict_top_k(*head, data.features, 1);
  std::unordered_map<std::string, size_t> index_of_name;
  for (size_t i = 0; i < dataset->size(); ++i) index_of_name.emplace(dataset->name(i), i);
  const int32_t* labels = set.labels.data<int32_t>();
  std::vector<MisclassifiedExample> wrong;
  nlohmann::json wrong_json = nlohmann::json::array();
  for (size_t r = 0; r < top.size(); ++r) {
    const int32_t predicted = top[r].front().class_index;
    if (predicted == labels[r]) continue;
    wrong_json.push_back({{"image", set.names[r]},
                          {"true", checkpoint.class_names[labels[r]]},
                          {"predicted", checkpoint.class_names[predicted]},
                          {"probability", top[r].front().probability}});
    if (static_cast<int>(wrong.size()) >= args.max_misclassified) continue;
    // What the model saw (the transformed image): bounded in size whatever the source resolution.
    const Image image = transform.apply(dataset->load(index_of_name.at(set.names[r])), 0);
    wrong.push_back({image.height, image.width, image.pixels, labels[r], predicted});
  }

  fs::create_directories(args.out);
  const auto k = static_cast<int32_t>(checkpoint.class_names.size());
  std::vector<int64_t> counts;
  for (int32_t t = 0; t < k; ++t)
    for (int32_t p = 0; p < k; ++p) counts.push_back(metrics.confusion.at(t, p));
  write_confusion_png((fs::path(args.out) / "confusion.png").string(), counts, checkpoint.class_names,
                      "confusion matrix: " + fs::path(args.data).filename().string());
  write_misclassified_png(
      (fs::path(args.out) / "misclassified.png").string(), wrong, checkpoint.class_names,
      "misclassified: " + std::to_string(wrong_json.size()) + " of " + std::to_string(set.size()), 6,
      static_cast<size_t>(args.max_misclassified));
  nlohmann::json per_class = nlohmann::json::object();
  for (int32_t c = 0; c < k; ++c) {
    const double a = metrics.per_class_accuracy.at(c);
    per_class[checkpoint.class_names[c]] = std::isnan(a) ? nlohmann::json(nullptr) : nlohmann::json(a);
  }
  const nlohmann::json report = {{"checkpoint", args.checkpoint},
                                 {"data", args.data},
                                 {"images", metrics.count},
                                 {"accuracy", metrics.top1},
                                 {"top5", metrics.top5},
                                 {"loss", metrics.loss},
                                 {"classes", checkpoint.class_names},
                                 {"per_class_accuracy", per_class},
                                 {"confusion", counts},
                                 {"misclassified", wrong_json}};
  write_bytes_atomically((fs::path(args.out) / "metrics.json").string(), report.dump(2) + "\n");
  if (common.json) {
    std::cout << report.dump(2) << "\n";
    return;
  }
  std::cout << std::fixed << std::setprecision(2) << "accuracy " << 100.0 * metrics.top1 << "% (top-5 "
            << 100.0 * metrics.top5 << "%) on " << metrics.count << " images, loss " << std::setprecision(4)
            << metrics.loss << "\n";
  for (int32_t c = 0; c < k; ++c)
    std::cout << "  " << std::left << std::setw(20) << checkpoint.class_names[c] << std::right
              << std::setprecision(2) << 100.0 * metrics.per_class_accuracy.at(c) << "%\n";
  std::cout << "reports in " << args.out << ": confusion.png misclassified.png metrics.json\n";
}

}  // namespace

void add_eval_command(CLI::App& app, CommonOptions& common) {
  static EvalArgs args;
  CLI::App* cmd =
      app.add_subcommand("eval", "Evaluate a trained head on a labelled image folder; writes reports")
          ->footer(examples_footer({"tl eval --checkpoint runs/first/head.h5 --weights resnet50.h5 "
                                    "--data test_images/ --out runs/first/test"}));
  add_common_options(*cmd, common);
  cmd->add_option("--checkpoint", args.checkpoint, "head checkpoint written by tl train (head.h5)")
      ->required();
  cmd->add_option("--weights", args.weights, "the backbone weights the head was trained on")->required();
  cmd->add_option("--data", args.data, "labelled images: DIR/<class>/<image>, the head's classes")
      ->required();
  cmd->add_option("--out", args.out, "folder for confusion.png, misclassified.png, metrics.json")->required();
  cmd->add_option("--cache", args.cache, "feature cache file: reused when it matches, else written");
  cmd->add_option("--max-misclassified", args.max_misclassified, "images in the misclassified grid")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  add_data_options(*cmd, args.data_options);
  cmd->callback([&common] { run_eval(common, args); });
}

}  // namespace tl::app
