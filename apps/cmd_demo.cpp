// `tl demo`: transfer learning on Fashion-MNIST, end to end, in a few minutes on a laptop CPU.
//
// The shipped backbone (tests/data/demo/fashion_source_resnet18.h5, trained by
// tools/train_demo_backbone.py) learned only the five SOURCE classes (T-shirt/top, Trouser,
// Pullover, Dress, Coat). The demo transfers it to the five TARGET classes (Sandal, Shirt,
// Sneaker, Bag, Ankle boot) with few labels per class: frozen backbone -> the globally pooled
// outputs of layer2, layer3 and layer4 side by side (32 + 64 + 128 = 224 features; --features)
// -> linear head, evaluated on the target test split. Two baselines get the same labels:
//   random init  the same architecture with random weights as a frozen feature extractor
//   raw pixels   a linear classifier on the normalized input pixels (32x32x3)
// Every head: features standardized with the labelled set's mean/std, AdamW lr 1e-3,
// weight decay 1e-4, batch 32, epochs 100 / 40 / 5 for 10 / 50 / all labels per class
// (tools/demo_reference.py is the PyTorch reference of the same recipe).
// Backbone features go through the feature cache, so a second run skips the backbones.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "apps/pipeline.h"
#include "engine/head.h"
#include "engine/ops_normalize.h"
#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "engine/standardize.h"
#include "engine/trainer.h"
#include "kernels/common/error.h"
#include "kernels/cpu/threads.h"
#include "loaders/batch_loader.h"
#include "loaders/class_subset.h"
#include "loaders/feature_extraction.h"
#include "loaders/idx_dataset.h"

#ifndef TL_SOURCE_DIR
#define TL_SOURCE_DIR ""
#endif

namespace tl::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* kBackboneName = "fashion_source_resnet18.h5";

// Some samples of a dataset with new labels (the demo's target classes relabelled 0..4).
class RelabelledSubset : public ImageDataset {
 public:
  RelabelledSubset(std::shared_ptr<const ImageDataset> parent, std::vector<size_t> indices,
                   std::vector<int32_t> labels, std::vector<std::string> classes)
      : parent_(std::move(parent)),
        indices_(std::move(indices)),
        labels_(std::move(labels)),
        classes_(std::move(classes)) {}
  size_t size() const override { return indices_.size(); }
  int32_t label(size_t i) const override { return labels_.at(i); }
  std::string name(size_t i) const override { return parent_->name(indices_.at(i)); }
  Image load(size_t i) const override { return parent_->load(indices_.at(i)); }
  const std::vector<std::string>& classes() const override { return classes_; }

 private:
  std::shared_ptr<const ImageDataset> parent_;
  std::vector<size_t> indices_;
  std::vector<int32_t> labels_;
  std::vector<std::string> classes_;
};

struct DemoArgs {
  std::string labels_per_class = "10,50,all";
  bool quick = false;
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string weights;  // default: the shipped backbone
  int image_size = 0;   // default: the backbone's input size (32 for the shipped one)
  bool no_cache = false;
  // The backbone features every head sees (transfer and random init alike): the pooled outputs
  // of stages 2-4 side by side. The last stage alone is specialised to the five source classes;
  // with the mid-level stages the transfer clearly beats both baselines (docs/DEMO.md).
  std::string features = "layer2+layer3+layer4";
};

std::string exe_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// The shipped backbone: next to an installed binary (../share/tl/demo), in the source tree
// this binary was built from, or in the build tree's parent (build/bin/tl -> ./tests/data/demo).
std::string find_demo_backbone() {
  std::vector<fs::path> candidates;
  const std::string bin = exe_dir();
  if (!bin.empty()) {
    candidates.push_back(fs::path(bin) / ".." / "share" / "tl" / "demo" / kBackboneName);
    candidates.push_back(fs::path(bin) / ".." / ".." / "tests" / "data" / "demo" / kBackboneName);
  }
  if (std::string(TL_SOURCE_DIR).size() > 0)
    candidates.push_back(fs::path(TL_SOURCE_DIR) / "tests" / "data" / "demo" / kBackboneName);
  for (const auto& c : candidates)
    if (fs::is_regular_file(c)) return fs::weakly_canonical(c).string();
  std::set<std::string> looked;
  std::ostringstream where;
  for (const auto& c : candidates)
    if (looked.insert(c.lexically_normal().string()).second) where << " " << c.lexically_normal().string();
  TL_FAIL("demo: the demo backbone " << kBackboneName << " is not in this checkout (looked in" << where.str()
                                     << "); it is trained and exported by tools/train_demo_backbone.py into "
                                        "tests/data/demo/, or pass any ResNet weights with --weights");
}

std::vector<int64_t> parse_budgets(const std::string& text) {
  std::vector<int64_t> budgets;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item == "all") {
      budgets.push_back(0);
      continue;
    }
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used == item.size() && v > 0) {
        budgets.push_back(v);
        continue;
      }
    } catch (const std::exception&) {
    }
    throw CLI::ValidationError("--labels-per-class", "'" + item + "' is not a positive count or 'all'");
  }
  if (budgets.empty()) throw CLI::ValidationError("--labels-per-class", "no label budget given");
  return budgets;
}

int epochs_for(int64_t budget) { return budget == 0 ? 5 : budget <= 10 ? 100 : 40; }

// The rows `positions` of a feature matrix.
LabeledFeatures gather_rows(const LabeledFeatures& all, const std::vector<size_t>& positions) {
  const int64_t f = all.features.dim(1);
  const float* x = all.features.data<float>();
  const int32_t* y = all.labels.data<int32_t>();
  std::vector<float> features;
  std::vector<int32_t> labels;
  for (size_t p : positions) {
    features.insert(features.end(), x + p * f, x + (p + 1) * f);
    labels.push_back(y[p]);
  }
  const auto n = static_cast<int64_t>(labels.size());
  return {Tensor::from_vector(features, {n, f}), Tensor::from_vector(labels, {n})};
}

// The normalized input pixels of every image, flattened: (N, S*S*3).
LabeledFeatures pixel_features(std::shared_ptr<const ImageDataset> dataset, const ImageTransform& transform,
                               const Preprocessing& preprocessing, int batch) {
  BatchLoaderOptions options;
  options.batch_size = batch;
  BatchLoader loader(dataset, transform, options);
  const int64_t f = static_cast<int64_t>(transform.out_height) * transform.out_width * 3;
  std::vector<float> features;
  std::vector<int32_t> labels;
  while (auto b = loader.next()) {
    const Tensor x = normalize(b->images, preprocessing.params);  // (B, S, S, 3) f32
    const std::vector<float> v = x.to_vector<float>();
    features.insert(features.end(), v.begin(), v.end());
    labels.insert(labels.end(), b->labels.begin(), b->labels.end());
  }
  const auto n = static_cast<int64_t>(labels.size());
  return {Tensor::from_vector(features, {n, f}), Tensor::from_vector(labels, {n})};
}

// A linear head trained on `train` (standardized with its own statistics), top-1 on `test`.
double linear_probe(LabeledFeatures train, LabeledFeatures test, int num_classes, int epochs, uint64_t seed) {
  const Standardization standardization = Standardization::fit(train.features);
  train.features = standardization.apply(train.features);
  test.features = standardization.apply(test.features);
  HeadConfig head_config;
  head_config.kind = HeadKind::linear;
  head_config.in_features = train.features.dim(1);
  head_config.num_classes = num_classes;
  head_config.seed = seed;
  Head head(head_config);
  TrainConfig config;
  config.epochs = epochs;
  config.batch_size = 32;
  config.seed = seed;
  config.optimizer = OptimizerConfig::adamw(1e-3f, 1e-4f);
  config.restore_best = false;  // no validation set: keep the last epoch, as the reference does
  train_head(head, train, nullptr, config);
  return evaluate_head(head, test, CrossEntropyOptions{}).top1;
}

std::vector<int32_t> labels_of(const ImageDataset& dataset) {
  std::vector<int32_t> labels(dataset.size());
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = dataset.label(i);
  return labels;
}

std::string percent(double fraction) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100.0 * fraction << "%";
  return s.str();
}

void run_demo(const CommonOptions& common, const DemoArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  cpu::set_num_threads(common.threads);
  const Device device = resolve_device(common.device, std::cerr);
  resolve_backbone_math(common, device, std::cerr);
  std::vector<int64_t> budgets = args.quick ? std::vector<int64_t>{10} : parse_budgets(args.labels_per_class);
  const std::string weights = args.weights.empty() ? find_demo_backbone() : args.weights;
  Backbone pretrained = load_backbone(weights);
  const int size = args.image_size > 0 ? args.image_size
                                       : (pretrained.net.input_size > 0 ? pretrained.net.input_size : 32);
  const ImageTransform transform = resize_transform(size, size);

  // The same architecture, random weights.
  Backbone random;
  random.net = build_resnet(ResNetSpec::standard(pretrained.net.depth, pretrained.net.stem.out_channels, 0));
  init_random(random.net, common.seed);
  random.net.preprocessing = pretrained.net.preprocessing;
  random.identity = {pretrained.net.architecture + "-random",
                     "random:seed=" + std::to_string(common.seed) +
                         ",width=" + std::to_string(pretrained.net.stem.out_channels),
                     "(random init)"};

  // Target classes of Fashion-MNIST, relabelled 0..4.
  const auto train_all = fashion_mnist(args.data, true);
  const auto test_all = fashion_mnist(args.data, false);
  const ClassSubset train_target =
      select_classes(labels_of(*train_all), fashion_mnist_split::target_classes, fashion_mnist_classes());
  const ClassSubset test_target =
      select_classes(labels_of(*test_all), fashion_mnist_split::target_classes, fashion_mnist_classes());
  const int num_classes = static_cast<int>(train_target.class_names.size());

  // Labelled examples of each budget (positions into train_target), and their union, which is
  // all the backbones need to see.
  std::vector<std::vector<size_t>> labelled;
  std::set<size_t> needed;
  for (int64_t budget : budgets) {
    labelled.push_back(sample_per_class(train_target.labels, num_classes, budget, common.seed));
    needed.insert(labelled.back().begin(), labelled.back().end());
  }
  const std::vector<size_t> union_positions(needed.begin(), needed.end());
  std::vector<size_t> union_indices;
  std::vector<int32_t> union_labels;
  for (size_t p : union_positions) {
    union_indices.push_back(train_target.indices[p]);
    union_labels.push_back(train_target.labels[p]);
  }
  auto train_set =
      std::make_shared<RelabelledSubset>(train_all, union_indices, union_labels, train_target.class_names);
  // --quick: 200 test images per class (seeded), else the whole target test split.
  std::vector<size_t> test_positions =
      args.quick ? sample_per_class(test_target.labels, num_classes, 200, common.seed + 1)
                 : std::vector<size_t>{};
  if (!args.quick)
    for (size_t i = 0; i < test_target.indices.size(); ++i) test_positions.push_back(i);
  std::vector<size_t> test_indices;
  std::vector<int32_t> test_labels;
  for (size_t p : test_positions) {
    test_indices.push_back(test_target.indices[p]);
    test_labels.push_back(test_target.labels[p]);
  }
  auto test_set =
      std::make_shared<RelabelledSubset>(test_all, test_indices, test_labels, test_target.class_names);

  std::cerr << "demo: " << train_set->size() << " labelled training images, " << test_set->size()
            << " test images, input " << size << "x" << size << "\n";
  const std::vector<int> pooled_stages = parse_pooled_stages(args.features);
  auto features_of = [&](const Backbone& b, std::shared_ptr<const ImageDataset> d, const std::string& label) {
    std::string cache;
    if (!args.no_cache) {
      const std::string what = b.identity.weights_hash + "|" + label + "|" + std::to_string(d->size()) + "|" +
                               std::to_string(common.seed);
      cache = default_cache_path(args.data + "#" + what, b, transform, pooled_stages);
    }
    bool reused = false;
    const FeatureSet set =
        backbone_features(b, d, transform, common, device, false, label, cache, &reused, pooled_stages);
    if (reused) std::cerr << label << ": features reused from " << cache << "\n";
    return LabeledFeatures{set.view(0), set.labels};
  };
  // Positions of each budget's examples among the union's rows.
  std::vector<std::vector<size_t>> rows(budgets.size());
  for (size_t b = 0; b < budgets.size(); ++b)
    for (size_t p : labelled[b])
      rows[b].push_back(static_cast<size_t>(
          std::lower_bound(union_positions.begin(), union_positions.end(), p) - union_positions.begin()));

  struct Method {
    std::string name;
    LabeledFeatures train, test;
  };
  std::vector<Method> methods;
  methods.push_back({"transfer", features_of(pretrained, train_set, "extract train (pretrained)"),
                     features_of(pretrained, test_set, "extract test (pretrained)")});
  methods.push_back({"random init", features_of(random, train_set, "extract train (random init)"),
                     features_of(random, test_set, "extract test (random init)")});
  methods.push_back({"raw pixels",
                     pixel_features(train_set, transform, pretrained.net.preprocessing, common.batch),
                     pixel_features(test_set, transform, pretrained.net.preprocessing, common.batch)});

  nlohmann::json table = nlohmann::json::array();
  for (size_t b = 0; b < budgets.size(); ++b) {
    nlohmann::json row = {
        {"labels_per_class", budgets[b] == 0 ? nlohmann::json("all") : nlohmann::json(budgets[b])},
        {"train_images", rows[b].size()},
        {"epochs", epochs_for(budgets[b])}};
    for (const Method& m : methods) {
      std::cerr << "train: " << m.name << ", " << rows[b].size() << " labels\n";
      row[m.name] = linear_probe(gather_rows(m.train, rows[b]), m.test, num_classes, epochs_for(budgets[b]),
                                 common.seed);
    }
    table.push_back(row);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (common.json) {
    std::cout << nlohmann::json{{"backbone", weights},
                                {"source_classes", pretrained.net.class_names},
                                {"target_classes", train_target.class_names},
                                {"test_images", test_set->size()},
                                {"features", args.features},
                                {"quick", args.quick},
                                {"seed", common.seed},
                                {"seconds", seconds},
                                {"results", table}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "\ntl demo: transfer learning on Fashion-MNIST\n"
            << "  backbone    " << fs::path(weights).filename().string() << " ("
            << pretrained.net.architecture << ", " << pretrained.net.parameter_count() << " parameters)";
  if (!pretrained.net.class_names.empty()) {
    std::cout << ", pretrained on:";
    for (const auto& c : pretrained.net.class_names)
      std::cout << " " << c << (&c != &pretrained.net.class_names.back() ? "," : "");
  }
  std::cout << "\n  target      ";
  for (const auto& c : train_target.class_names)
    std::cout << c << (&c != &train_target.class_names.back() ? ", " : "");
  std::cout << "\n  test set    " << test_set->size() << " images"
            << (args.quick ? " (--quick subset)" : " (all target test images)")
            << "\n  features    backbones: " << args.features << " (pooled, "
            << pooled_feature_dim(pretrained.net, pooled_stages) << " per image); raw pixels: "
            << methods.back().train.features.dim(1)
            << "\n  every head  linear, trained on the labelled images only\n\n";
  std::cout << std::left << std::setw(18) << "labels per class" << std::right << std::setw(12) << "transfer"
            << std::setw(14) << "random init" << std::setw(13) << "raw pixels"
            << "\n";
  for (const auto& row : table) {
    const std::string budget =
        row["labels_per_class"].is_string() ? "all" : std::to_string(row["labels_per_class"].get<int64_t>());
    std::cout << std::left << std::setw(18) << budget << std::right << std::setw(12)
              << percent(row["transfer"]) << std::setw(14) << percent(row["random init"]) << std::setw(13)
              << percent(row["raw pixels"]) << "\n";
  }
  std::cout << "\n(top-1 accuracy on the test set; " << std::fixed << std::setprecision(1) << seconds
            << " s)\n";
}

}  // namespace

void add_demo_command(CLI::App& app, CommonOptions& common) {
  static DemoArgs args;
  CLI::App* cmd =
      app.add_subcommand("demo", "Transfer learning on Fashion-MNIST: pretrained vs random vs pixels")
          ->footer(examples_footer({"tl demo", "tl demo --labels-per-class 5,20", "tl demo --quick --json"}));
  add_common_options(*cmd, common);
  cmd->add_option("--labels-per-class", args.labels_per_class,
                  "label budgets, comma-separated counts or 'all'")
      ->capture_default_str()
      ->check([](const std::string& text) {
        try {
          parse_budgets(text);
        } catch (const CLI::ValidationError& e) {
          return std::string(e.what());
        }
        return std::string();
      });
  cmd->add_flag("--quick", args.quick, "a reduced run for CI: 10 labels per class, 1000 test images");
  cmd->add_option("--data", args.data, "folder of the Fashion-MNIST .gz files")->capture_default_str();
  cmd->add_option("--weights", args.weights,
                  "another backbone instead of the shipped one (any ResNet weights)");
  cmd->add_option("--image-size", args.image_size,
                  "input size (default: the backbone's, 32 for the shipped one)")
      ->check(CLI::Range(8, 1024));
  cmd->add_flag("--no-cache", args.no_cache, "do not read or write the feature cache");
  add_features_option(*cmd, args.features);
  cmd->callback([&common] { run_demo(common, args); });
}

}  // namespace tl::app
