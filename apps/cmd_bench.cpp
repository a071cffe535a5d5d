// `tl bench`: how fast this machine runs the two halves of a transfer-learning run, measured
// in one process with the baseline side by side:
//   backbone forward  images/s of the frozen backbone on a normalized batch already on the
//                     device (weights uploaded once); on a GPU ours and cuDNN/cuBLAS at the
//                     chosen --precision, their features compared (max difference relative to
//                     the largest feature) and the speed ratio printed
//   head epoch        one epoch of a linear head over cached features (rows x feature_dim,
//                     on the device), shuffled, SGD; on a GPU our GEMMs and cuBLAS's
// On the CPU there is no in-process baseline: tools/bench_torch_resnet.py runs PyTorch on the
// same CPU. Median of --repeats runs after one warm-up; wall clock, the device synchronised.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "apps/pipeline.h"
#include "benchmarks/compare.h"
#include "benchmarks/timing.h"
#include "engine/head.h"
#include "engine/random.h"
#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "engine/stream.h"
#include "engine/trainer.h"
#include "kernels/cpu/threads.h"

namespace tl::app {

namespace {

struct BenchArgs {
  std::string weights;
  std::string arch = "resnet50";
  int image_size = 224;
  int repeats = 3;
  int64_t head_rows = 10000;
  int64_t head_classes = 10;
  int64_t head_batch = 256;
};

Tensor uniform_tensor(const Shape& shape, uint64_t seed, float lo, float hi) {
  Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(shape.numel()));
  for (float& v : values) v = rng.uniform(lo, hi);
  return Tensor::from_vector(values, shape);
}

double max_relative_difference(const Tensor& a, const Tensor& b) {
  return bench::max_relative_difference(a.to(Device::cpu()).to_vector<float>(), b.to(Device::cpu()).to_vector<float>());
}

// "resnet50" -> 50; anything else is a usage-level error naming the argument.
int depth_of(const std::string& arch) {
  for (int depth : {18, 34, 50, 101, 152})
    if (arch == "resnet" + std::to_string(depth)) return depth;
  TL_FAIL("--arch: unknown architecture '" << arch << "', expected resnet18, resnet34, resnet50, resnet101 or resnet152");
}

struct Timing {
  double ours = 0;                // seconds
  std::optional<double> vendor;   // seconds, GPU only
  std::optional<double> max_diff;  // ours vs vendor, relative to the largest value
};

void run_bench(const CommonOptions& common, const BenchArgs& args) {
  cpu::set_num_threads(common.threads);
  const Device device = resolve_device(common.device, std::cerr);
  const BackboneMath math = resolve_backbone_math(common, device, std::cerr);
  const bool gpu = device.is_cuda();

  ResNet net;
  std::string what;
  if (!args.weights.empty()) {
    net = load_backbone(args.weights).net;
    what = args.weights + " (" + net.architecture + ")";
  } else {
    net = build_resnet(ResNetSpec::standard(depth_of(args.arch)));
    init_random(net, common.seed);
    what = args.arch + " (random weights)";
  }
  const ResNet backbone = gpu ? to_device(net, device, math.precision) : net;
  const int64_t batch = common.batch, size = args.image_size;
  const Tensor x = uniform_tensor({batch, size, size, 3}, common.seed + 1, -2.0f, 2.0f).to(device);

  // Backbone forward.
  std::cerr << "bench: backbone forward, " << what << ", batch " << batch << "\n";
  ForwardOptions ours;
  ours.logits = false;
  ours.precision = math.precision;
  ForwardOptions vendor = ours;
  vendor.lib = KernelLib::vendor;
  auto forward_time = [&](const ForwardOptions& options) {
    return bench::median_seconds(
        [&] {
          forward(backbone, x, options);
          synchronize(device);
        },
        args.repeats);
  };
  Timing forward_timing;
  forward_timing.ours = forward_time(ours);
  if (gpu) {
    forward_timing.vendor = forward_time(vendor);
    forward_timing.max_diff =
        max_relative_difference(forward(backbone, x, ours).features, forward(backbone, x, vendor).features);
  }

  // Head epoch over cached features.
  std::optional<Timing> head_timing;
  if (args.head_rows > 0) {
    std::cerr << "bench: head epoch, " << args.head_rows << " x " << net.feature_dim << " features\n";
    std::vector<int32_t> labels(static_cast<size_t>(args.head_rows));
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int32_t>(i % args.head_classes);
    const LabeledFeatures data{uniform_tensor({args.head_rows, net.feature_dim}, common.seed + 2, 0.0f, 2.0f).to(device),
                               Tensor::from_vector(labels, {args.head_rows}).to(device)};
    HeadConfig head_config;
    head_config.in_features = net.feature_dim;
    head_config.num_classes = args.head_classes;
    head_config.seed = common.seed;
    TrainConfig config;
    config.epochs = 1;
    config.batch_size = args.head_batch;
    config.seed = common.seed;
    config.optimizer = OptimizerConfig::sgd(0.01f, 0.9f);
    auto head_time = [&](KernelLib lib) {
      Head head(head_config);
      head.to(device);
      head.set_kernel_lib(lib);
      return bench::median_seconds(
          [&] {
            train_head(head, data, nullptr, config);
            synchronize(device);
          },
          args.repeats);
    };
    Timing t;
    t.ours = head_time(KernelLib::ours);
    if (gpu) t.vendor = head_time(KernelLib::vendor);
    head_timing = t;
  }

  const std::string where = gpu ? cuda_status().description : std::to_string(cpu::num_threads()) + " CPU threads";
  if (common.json) {
    auto timing_json = [](const Timing& t, double work, const char* unit) {
      nlohmann::json j{{"ours_seconds", t.ours}, {std::string("ours_") + unit, work / t.ours}};
      if (t.vendor) {
        j["vendor_seconds"] = *t.vendor;
        j[std::string("vendor_") + unit] = work / *t.vendor;
        j["ours_speed_over_vendor"] = *t.vendor / t.ours;
      }
      if (t.max_diff) j["max_relative_difference"] = *t.max_diff;
      return j;
    };
    nlohmann::json out{{"device", device.str()},
                       {"hardware", where},
                       {"backbone", what},
                       {"precision", precision_name(math.precision)},
                       {"batch", batch},
                       {"image_size", size},
                       {"repeats", args.repeats},
                       {"forward", timing_json(forward_timing, static_cast<double>(batch), "images_per_second")}};
    if (head_timing) {
      out["head"] = timing_json(*head_timing, static_cast<double>(args.head_rows), "rows_per_second");
      out["head"]["rows"] = args.head_rows;
      out["head"]["features"] = net.feature_dim;
      out["head"]["classes"] = args.head_classes;
      out["head"]["batch"] = args.head_batch;
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::ostringstream o;
  o << std::fixed;
  o << "tl bench: " << what << " on " << device.str() << " (" << where << ")";
  if (gpu) o << ", " << precision_name(math.precision);
  o << "\n";
  const char* baseline = "cuDNN/cuBLAS";
  o << "  backbone forward (" << size << "x" << size << ", batch " << batch << ")    tl " << std::setprecision(1)
    << batch / forward_timing.ours << " images/s";
  if (forward_timing.vendor)
    o << "   " << baseline << " " << batch / *forward_timing.vendor << " images/s   tl speed / baseline "
      << std::setprecision(2) << *forward_timing.vendor / forward_timing.ours << "   (max difference "
      << std::scientific << std::setprecision(1) << *forward_timing.max_diff << std::fixed << " of the largest feature)";
  o << "\n";
  if (head_timing) {
    o << "  head epoch (linear, " << args.head_rows << " x " << net.feature_dim << " -> " << args.head_classes
      << ", batch " << args.head_batch << ")   tl " << std::setprecision(1) << head_timing->ours * 1e3 << " ms";
    if (head_timing->vendor)
      o << "   cuBLAS " << *head_timing->vendor * 1e3 << " ms   tl speed / baseline " << std::setprecision(2)
        << *head_timing->vendor / head_timing->ours;
    o << "\n";
  }
  o << "(median of " << args.repeats << " after a warm-up; "
    << (gpu ? "baselines timed in the same run; PyTorch: tools/bench_torch_resnet50.py"
            : "no in-process baseline on the CPU; PyTorch on the same CPU: tools/bench_torch_resnet.py")
    << ")\n";
  std::cout << o.str();
}

}  // namespace

void add_bench_command(CLI::App& app, CommonOptions& common) {
  static BenchArgs args;
  CLI::App* cmd =
      app.add_subcommand("bench", "Measure backbone forward and head training speed on this machine")
          ->footer(examples_footer({"tl bench                                   # ResNet-50, random weights, 224x224",
                                    "tl bench --device cuda --precision bf16 --batch 64",
                                    "tl bench --weights resnet50.h5 --repeats 5 --json",
                                    "tl bench --arch resnet18 --image-size 32 --head-rows 0"}));
  add_common_options(*cmd, common);
  cmd->add_option("--weights", args.weights, "backbone weights (HDF5); default: --arch with random weights");
  cmd->add_option("--arch", args.arch, "resnet18, resnet34, resnet50, resnet101 or resnet152 (without --weights)")
      ->check(CLI::IsMember({"resnet18", "resnet34", "resnet50", "resnet101", "resnet152"}))
      ->capture_default_str();
  cmd->add_option("--image-size", args.image_size, "input height and width")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  cmd->add_option("--repeats", args.repeats, "timed runs (after one warm-up); the median is reported")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--head-rows", args.head_rows, "cached feature rows of the head epoch (0: skip it)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 26))
      ->capture_default_str();
  cmd->add_option("--head-classes", args.head_classes, "classes of the benchmarked head")
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--head-batch", args.head_batch, "rows per head-training batch")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  cmd->callback([&common] { run_bench(common, args); });
}

}  // namespace tl::app
