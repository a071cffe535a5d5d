// `tl train --weights W.h5 --data DIR --out RUN_DIR`: a new head trained on the frozen
// backbone's features. The run folder gets:
//   head.h5          the head checkpoint (loaders/head_checkpoint.h)
//   metrics.csv/json per-epoch loss and accuracy, written after every epoch
//   curves.png       loss and accuracy per epoch
//   confusion.png    the confusion matrix of the best epoch's head on the validation set
//                    (the training set when there is none)
//   summary.json     the run's configuration and final numbers
// The backbone's features are cached (--cache, default ~/.cache/tl/), so a second run on the
// same images skips the backbone.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "apps/pipeline.h"
#include "apps/progress.h"
#include "engine/head.h"
#include "engine/resnet_forward.h"
#include "engine/standardize.h"
#include "engine/trainer.h"
#include "kernels/common/error.h"
#include "kernels/cpu/threads.h"
#include "loaders/atomic_write.h"
#include "loaders/dataset_split.h"
#include "loaders/report_confusion.h"
#include "loaders/report_curves.h"
#include "loaders/report_metrics.h"

namespace tl::app {

namespace {

struct TrainArgs {
  std::string weights, data, val, out, cache;
  bool no_cache = false;
  double val_split = 0.0;
  std::string head = "linear";
  int64_t hidden = 512;
  float dropout = 0.0f;
  int epochs = 10;
  float lr = 0.01f;
  std::string optimizer = "sgd";
  float momentum = 0.9f;
  float weight_decay = 0.0f;
  std::string schedule = "constant";
  int warmup = 0;
  int patience = 0;
  float label_smoothing = 0.0f;
  std::string features = "layer4";
  bool standardize = false;
  DataOptions data_options;
};

std::vector<int64_t> confusion_counts(const ConfusionMatrix& confusion) {
  const auto k = static_cast<int32_t>(confusion.num_classes());
  std::vector<int64_t> counts;
  for (int32_t t = 0; t < k; ++t)
    for (int32_t p = 0; p < k; ++p) counts.push_back(confusion.at(t, p));
  return counts;
}

EpochMetrics to_epoch_metrics(const EpochRecord& record, double seconds) {
  EpochMetrics m;
  m.epoch = record.epoch + 1;
  m.train_loss = record.train.loss;
  m.train_accuracy = record.train.top1;
  m.val_loss = record.val ? record.val->loss : std::numeric_limits<double>::quiet_NaN();
  m.val_accuracy = record.val ? record.val->top1 : std::numeric_limits<double>::quiet_NaN();
  m.seconds = seconds;
  return m;
}

void run_train(const CommonOptions& common, const TrainArgs& args) {
  namespace fs = std::filesystem;
  TL_CHECK(args.val.empty() || args.val_split == 0.0, "--val and --val-split: give one of them, not both");
  cpu::set_num_threads(common.threads);
  const Device device = resolve_device(common.device, std::cerr);
  const BackboneMath math = resolve_backbone_math(common, device, std::cerr);
  const std::vector<int> pooled_stages = parse_pooled_stages(args.features);
  const Backbone backbone = load_backbone(args.weights);
  const ImageTransform transform = transform_for(backbone.net, args.data_options.image_size);
  const auto dataset = open_image_folder(args.data, args.data_options);
  fs::create_directories(args.out);

  // Features of the whole training folder (cached), then the split by rows.
  const std::string cache =
      args.no_cache ? ""
                    : (args.cache.empty() ? default_cache_path(args.data, backbone, transform, pooled_stages)
                                          : args.cache);
  bool reused = false;
  const FeatureSet set = backbone_features(backbone, dataset, transform, common, device,
                                           args.data_options.skip_bad, "extract", cache, &reused, pooled_stages);
  if (reused) std::cerr << "features: reused the cache " << cache << "\n";
  LabeledFeatures train, val;
  if (!args.val.empty()) {
    const auto val_dataset = open_image_folder(args.val, args.data_options);
    require_same_classes(*dataset, args.data, *val_dataset, args.val);
    const std::string val_cache =
        args.no_cache ? "" : default_cache_path(args.val, backbone, transform, pooled_stages);
    const FeatureSet val_set = backbone_features(backbone, val_dataset, transform, common, device,
                                                 args.data_options.skip_bad, "extract val", val_cache, nullptr,
                                                 pooled_stages);
    train = LabeledFeatures{set.view(0), set.labels};
    val = LabeledFeatures{val_set.view(0), val_set.labels};
  } else if (args.val_split > 0.0) {
    const DatasetSplit split = split_by_ratio(dataset, args.val_split, common.seed);
    train = rows_of(set, *split.train);
    val = rows_of(set, *split.validation);
  } else {
    train = LabeledFeatures{set.view(0), set.labels};
  }
  TL_CHECK(train.size() > 0, "train: no training images in " << args.data);
  const bool has_val = val.size() > 0;
  std::optional<Standardization> standardization;
  if (args.standardize) {  // statistics of the training rows; folded into the head before saving
    standardization = Standardization::fit(train.features);
    train.features = standardization->apply(train.features);
    if (has_val) val.features = standardization->apply(val.features);
  }

  HeadConfig head_config;
  head_config.kind = parse_head_kind(args.head);
  head_config.in_features = set.features.dim(1);  // pooled_feature_dim of --features
  head_config.hidden = args.hidden;
  head_config.dropout = args.dropout;
  head_config.num_classes = static_cast<int64_t>(set.class_names.size());
  head_config.seed = common.seed;
  Head head(head_config);
  if (device.is_cuda()) {  // the head trains where the backbone ran: features, labels, head, optimizer
    head.to(device);
    head.set_kernel_lib(math.lib);  // --kernels cudnn: the head's GEMMs are cuBLAS's too (fp32)
    train = LabeledFeatures{train.features.to(device), train.labels.to(device)};
    if (has_val) val = LabeledFeatures{val.features.to(device), val.labels.to(device)};
  }

  TrainConfig config;
  config.epochs = args.epochs;
  config.batch_size = common.batch;
  config.seed = common.seed;
  config.optimizer = parse_optimizer_kind(args.optimizer) == OptimizerKind::adamw
                         ? OptimizerConfig::adamw(args.lr, args.weight_decay)
                         : OptimizerConfig::sgd(args.lr, args.momentum, args.weight_decay);
  config.schedule.kind = parse_schedule_kind(args.schedule);
  config.schedule.warmup_epochs = args.warmup;
  config.loss.label_smoothing = args.label_smoothing;
  config.early_stopping_patience = args.patience;

  std::vector<EpochMetrics> history;
  ProgressOptions progress_options;
  progress_options.interactive = stderr_is_terminal();
  progress_options.line_interval_s = 0.0;  // a line per epoch in logs
  Progress progress("train", args.epochs, "epochs", std::cerr, progress_options);
  auto epoch_start = std::chrono::steady_clock::now();
  const TrainResult result =
      train_head(head, train, has_val ? &val : nullptr, config, [&](const EpochRecord& r) {
        const auto now = std::chrono::steady_clock::now();
        history.push_back(to_epoch_metrics(r, std::chrono::duration<double>(now - epoch_start).count()));
        epoch_start = now;
        write_metrics_csv((fs::path(args.out) / "metrics.csv").string(), history);
        write_metrics_json((fs::path(args.out) / "metrics.json").string(), history);
        std::ostringstream status;
        status << std::fixed << std::setprecision(3) << "loss " << r.train.loss << " acc " << r.train.top1;
        if (r.val) status << " val_acc " << r.val->top1;
        progress.set_status(status.str());
        progress.advance();
      });
  progress.finish();

  const std::string run_name = fs::path(args.out).filename().string();
  const Metrics final_metrics = evaluate_head(head, has_val ? val : train, config.loss);
  if (standardization) standardization->fold_into(head);  // the checkpoint takes raw features
  save_head_checkpoint((fs::path(args.out) / "head.h5").string(), head, set.class_names, backbone.identity,
                       backbone.net.preprocessing, pooled_stages);
  write_curves_png((fs::path(args.out) / "curves.png").string(), history, "tl train " + run_name);
  write_confusion_png((fs::path(args.out) / "confusion.png").string(),
                      confusion_counts(final_metrics.confusion), set.class_names,
                      std::string("confusion matrix (") + (has_val ? "validation" : "training") + " set)");

  nlohmann::json summary = {{"run", args.out},
                            {"weights", args.weights},
                            {"backbone", backbone.identity.describe()},
                            {"head", args.head},
                            {"features", args.features},
                            {"standardized", args.standardize},
                            {"classes", set.class_names},
                            {"train_images", train.size()},
                            {"val_images", val.size()},
                            {"epochs_run", result.epochs.size()},
                            {"best_epoch", result.best_epoch + 1},
                            {"stopped_early", result.stopped_early},
                            {"feature_cache", cache},
                            {"cache_reused", reused},
                            {"evaluated_on", has_val ? "validation" : "training"},
                            {"accuracy", final_metrics.top1},
                            {"top5", final_metrics.top5},
                            {"loss", final_metrics.loss}};
  write_bytes_atomically((fs::path(args.out) / "summary.json").string(), summary.dump(2) + "\n");
  if (common.json) {
    std::cout << summary.dump(2) << "\n";
    return;
  }
  std::cout << "trained a " << args.head << " head on " << train.size() << " images, "
            << set.class_names.size() << " classes; best epoch " << result.best_epoch + 1 << " of "
            << result.epochs.size() << "\n"
            << std::fixed << std::setprecision(2) << (has_val ? "validation" : "training") << " accuracy "
            << 100.0 * final_metrics.top1 << "%\n"
            << "run folder " << args.out
            << ": head.h5 metrics.csv metrics.json curves.png confusion.png summary.json\n";
}

}  // namespace

void add_train_command(CLI::App& app, CommonOptions& common) {
  static TrainArgs args;
  CLI::App* cmd =
      app.add_subcommand("train", "Train a new head on a frozen backbone's features; writes a run folder")
          ->footer(examples_footer(
              {"tl train --weights resnet50.h5 --data my_images/ --out runs/first",
               "tl train --weights resnet50.h5 --data train/ --val val/ --head mlp --epochs 30 --out "
               "runs/mlp",
               "tl train --weights r50.h5 --data my_images/ --val-split 0.2 --optimizer adamw --lr 1e-3 "
               "--schedule cosine --out runs/adamw"}));
  add_common_options(*cmd, common);
  cmd->add_option("--weights", args.weights, "backbone weights (HDF5, torchvision or Keras layout)")
      ->required();
  cmd->add_option("--data", args.data, "training images: DIR/<class>/<image>")->required();
  cmd->add_option("--out", args.out, "the run folder to write")->required();
  auto* val = cmd->add_option("--val", args.val, "validation images, same classes as --data");
  cmd->add_option("--val-split", args.val_split,
                  "hold out this fraction of --data for validation (stratified)")
      ->check(CLI::Range(0.0, 0.9))
      ->excludes(val);
  cmd->add_option("--head", args.head, "head: linear or mlp")
      ->check(CLI::IsMember({"linear", "mlp"}))
      ->capture_default_str();
  cmd->add_option("--hidden", args.hidden, "mlp hidden width")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  cmd->add_option("--dropout", args.dropout, "mlp dropout")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd->add_option("--epochs", args.epochs, "epochs")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--lr", args.lr, "base learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--optimizer", args.optimizer, "sgd or adamw")
      ->check(CLI::IsMember({"sgd", "adamw"}))
      ->capture_default_str();
  cmd->add_option("--momentum", args.momentum, "SGD momentum")
      ->check(CLI::Range(0.0, 0.999))
      ->capture_default_str();
  cmd->add_option("--weight-decay", args.weight_decay, "weight decay")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--schedule", args.schedule, "learning-rate schedule: constant, step or cosine")
      ->check(CLI::IsMember({"constant", "step", "cosine"}))
      ->capture_default_str();
  cmd->add_option("--warmup", args.warmup, "linear warm-up epochs")->check(CLI::Range(0, 100000));
  cmd->add_option("--patience", args.patience, "early stopping after N epochs without improvement (0: off)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--label-smoothing", args.label_smoothing, "label smoothing")->check(CLI::Range(0.0, 0.99));
  cmd->add_option("--cache", args.cache, "feature cache file (default: ~/.cache/tl/features-<hash>.h5)");
  cmd->add_flag("--no-cache", args.no_cache, "do not read or write a feature cache");
  add_data_options(*cmd, args.data_options);
  add_features_option(*cmd, args.features);
  cmd->add_flag("--standardize", args.standardize,
                "standardize features with the training set's mean/std (folded into the saved head)");
  cmd->callback([&common] { run_train(common, args); });
}

}  // namespace tl::app
