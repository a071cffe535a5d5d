// bench_head_training: one head-training epoch from cached features against the classic
// PyTorch transfer-learning tutorial's way, which runs the frozen backbone again in every
// epoch (decode + transform + normalize + forward for every image, then the head step).
//
// Same data both ways: a synthetic set of PNG images (written to a temp folder), a small
// random ResNet, the same linear head and mini-batch size, shuffled each epoch. Validation
// before timing: one unshuffled epoch both ways from the same initial head must give the same
// parameters.
//
//   bench_head_training [--images N] [--size S] [--width W] [--batch B]
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "benchmarks/timing.h"
#include "engine/ops_normalize.h"
#include "engine/ops_training.h"
#include "engine/random.h"
#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "engine/trainer.h"
#include "kernels/cpu/threads.h"
#include "loaders/batch_loader.h"
#include "loaders/feature_extraction.h"
#include "loaders/image_encode.h"
#include "loaders/image_list.h"
#include "loaders/seeded_rng.h"

namespace {

struct Setup {
  int images = 128, size = 64, width = 16, batch = 32, classes = 4;
};

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// The tutorial's epoch: a BatchLoader delivers decoded, transformed images, and every batch
// runs the frozen backbone again before the head step.
void recompute_epoch(tl::Head& head, tl::Optimizer& opt, const tl::ResNet& net,
                     const std::shared_ptr<const tl::ImageDataset>& dataset,
                     const tl::ImageTransform& transform, int batch, bool shuffle, uint64_t seed, int epoch) {
  tl::BatchLoaderOptions options;
  options.batch_size = batch, options.shuffle = shuffle, options.seed = seed;
  tl::BatchLoader loader(dataset, transform, options, epoch);
  tl::ForwardOptions forward_options;
  forward_options.logits = false;
  while (auto b = loader.next()) {
    const tl::Tensor x = tl::normalize(b->images, net.preprocessing.params);
    const tl::Tensor features = tl::forward(net, x, forward_options).features;  // the backbone, again
    const tl::Tensor labels = tl::Tensor::from_vector(b->labels, {static_cast<int64_t>(b->labels.size())});
    tl::Tensor dlogits;
    tl::softmax_cross_entropy(head.forward(features, true), labels, {}, &dlogits);
    head.backward(dlogits);
    opt.step(opt.config().lr);
  }
}

double max_abs_diff(tl::Head& a, tl::Head& b) {
  double worst = 0;
  auto pa = a.parameters(), pb = b.parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    const auto va = pa[i].value.to_vector<float>(), vb = pb[i].value.to_vector<float>();
    for (size_t j = 0; j < va.size(); ++j)
      worst = std::max(worst, static_cast<double>(std::fabs(va[j] - vb[j])));
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  Setup s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--images")
      s.images = value;
    else if (flag == "--size")
      s.size = value;
    else if (flag == "--width")
      s.width = value;
    else if (flag == "--batch")
      s.batch = value;
  }
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tl_bench_head_" + std::to_string(getpid()));
  fs::create_directories(dir);
  try {
    // Synthetic images: a class-coloured background with per-pixel noise, a bit larger than
    // the crop so that Resize + CenterCrop do real work.
    std::vector<std::string> paths;
    std::vector<int32_t> labels;
    tl::SeededRng rng(1);
    const int side = s.size + s.size / 8;
    for (int i = 0; i < s.images; ++i) {
      const int label = i % s.classes;
      tl::Image image = tl::Image::zeros(side, side);
      for (size_t p = 0; p < image.pixels.size(); ++p) {
        const int channel = static_cast<int>(p % 3);
        const int base = label == 3 ? 128 : (channel == label ? 200 : 60);
        image.pixels[p] =
            static_cast<uint8_t>(std::clamp(base + static_cast<int>(rng.integer(-50, 50)), 0, 255));
      }
      const std::string path = (dir / ("img" + std::to_string(i) + ".png")).string();
      tl::write_file_bytes(path, tl::encode_png(image));
      paths.push_back(path);
      labels.push_back(label);
    }
    const auto dataset = tl::ImageList::create(paths, labels, {"red", "green", "blue", "grey"});
    tl::ResNet net = tl::build_resnet(tl::ResNetSpec::standard(18, s.width, 0));
    tl::init_random(net, 2);
    const tl::ImageTransform transform = tl::eval_transform(side, s.size);

    tl::HeadConfig hc{tl::HeadKind::linear, net.feature_dim, 0, s.classes, 0.0f, 3};
    tl::TrainConfig config;
    config.epochs = 1, config.batch_size = s.batch, config.seed = 4, config.restore_best = false;
    config.optimizer = tl::OptimizerConfig::sgd(0.01f, 0.9f);

    std::printf(
        "bench_head_training: %d images %dx%d (PNG, Resize(%d)+CenterCrop(%d)), ResNet-18 width %d "
        "(features %lld), linear head, batch %d\n",
        s.images, side, side, side, s.size, s.width, static_cast<long long>(net.feature_dim), s.batch);
    std::printf("CPU: %s, %d threads\n", cpu_name().c_str(), tl::cpu::num_threads());

    // One-time cost of the cached way: extraction and the cache file.
    tl::FeatureSet features;
    const std::string cache = (dir / "features.h5").string();
    const auto key = tl::feature_cache_key(net, {"resnet18-w" + std::to_string(s.width), "bench", "none"},
                                           *dataset, transform, {});
    const double t_extract =
        tl::bench::median_seconds([&] { features = tl::extract_features(net, dataset, transform); }, 3, 1);
    const double t_save = tl::bench::median_seconds([&] { tl::save_feature_cache(cache, key, features); }, 3);
    const double t_load =
        tl::bench::median_seconds([&] { features = *tl::load_feature_cache(cache, key); }, 3);
    const tl::LabeledFeatures train{features.features, features.labels};

    // Validate: one epoch each way from the same head, in the same (unshuffled) batch order,
    // gives the same parameters. (The two ways shuffle with different generators.)
    tl::Head cached_head(hc), recompute_head(hc);
    tl::TrainConfig in_order = config;
    in_order.shuffle = false;
    tl::train_head(cached_head, train, nullptr, in_order);
    tl::Optimizer opt(config.optimizer, recompute_head.parameters());
    recompute_epoch(recompute_head, opt, net, dataset, transform, s.batch, false, config.seed, 0);
    const double diff = max_abs_diff(cached_head, recompute_head);
    std::printf("validation: max |param difference| after one epoch = %.2e %s\n", diff,
                diff < 1e-4 ? "(ok)" : "(VALIDATION FAILED)");

    tl::Head head_a(hc), head_b(hc);
    tl::Optimizer opt_b(config.optimizer, head_b.parameters());
    int epoch = 0;
    const double t_cached =
        tl::bench::median_seconds([&] { tl::train_head(head_a, train, nullptr, config); }, 20);
    const double t_recompute = tl::bench::median_seconds(
        [&] { recompute_epoch(head_b, opt_b, net, dataset, transform, s.batch, true, config.seed, epoch++); },
        3);

    std::printf("  %-44s %12s\n", "case", "seconds");
    std::printf("  %-44s %12.6f\n", "epoch, backbone recomputed (tutorial)", t_recompute);
    std::printf("  %-44s %12.6f\n", "epoch, cached features (ours)", t_cached);
    std::printf("  %-44s %12.1f\n", "ratio recompute / cached", t_recompute / t_cached);
    std::printf("  %-44s %12.6f\n", "one-time: extract features", t_extract);
    std::printf("  %-44s %12.6f\n", "one-time: write cache", t_save);
    std::printf("  %-44s %12.6f\n", "per run: load cache", t_load);
    std::printf("  break-even after %.2f epochs (extract + write vs. recompute - cached per epoch)\n",
                (t_extract + t_save) / std::max(1e-12, t_recompute - t_cached));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_head_training: %s\n", e.what());
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}
