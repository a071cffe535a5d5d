// bench_head_training: one head-training epoch from cached features against the classic
// PyTorch transfer-learning tutorial's way, which runs the frozen backbone again in every
// epoch (decode + transform + normalize + forward for every image, then the head step).
//
// Same data both ways: a synthetic set of PNG images (written to a temp folder), a small
// random ResNet, the same linear head, seed and mini-batches. Validation before timing: one
// epoch both ways from the same initial head must give the same parameters.
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
#include "engine/ops_training.h"
#include "engine/random.h"
#include "engine/resnet_builder.h"
#include "engine/trainer.h"
#include "kernels/cpu/threads.h"
#include "loaders/feature_extraction.h"
#include "loaders/image_encode.h"
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

// The tutorial's epoch: every batch runs the backbone on freshly loaded images, then the head.
void recompute_epoch(tl::Head& head, tl::Optimizer& opt, const tl::ResNet& net,
                     const tl::ImageListing& listing, const tl::ImageTransform& transform, int64_t batch,
                     uint64_t seed) {
  const int64_t n = static_cast<int64_t>(listing.paths.size());
  tl::Rng rng(seed);
  const std::vector<int64_t> order = rng.permutation(n);  // as train_head's first epoch
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t end = std::min(n, begin + batch);
    tl::ImageListing part;
    part.class_names = listing.class_names;
    for (int64_t i = begin; i < end; ++i) {
      part.paths.push_back(listing.paths[order[i]]);
      part.labels.push_back(listing.labels[order[i]]);
    }
    tl::ExtractionOptions options;
    options.batch_size = end - begin;
    const tl::FeatureSet f = tl::extract_features(net, part, transform, options);  // the backbone, again
    tl::Tensor dlogits;
    tl::softmax_cross_entropy(head.forward(f.features, true), f.labels, {}, &dlogits);
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
    tl::ImageListing listing;
    listing.class_names = {"red", "green", "blue", "grey"};
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
      listing.paths.push_back(path);
      listing.labels.push_back(label);
    }
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
                                           listing, transform, {});
    const double t_extract =
        tl::bench::median_seconds([&] { features = tl::extract_features(net, listing, transform); }, 3, 1);
    const double t_save = tl::bench::median_seconds([&] { tl::save_feature_cache(cache, key, features); }, 3);
    const double t_load =
        tl::bench::median_seconds([&] { features = *tl::load_feature_cache(cache, key); }, 3);
    const tl::LabeledFeatures train{features.features, features.labels};

    // Validate: one epoch each way from the same head gives the same parameters.
    tl::Head cached_head(hc), recompute_head(hc);
    tl::train_head(cached_head, train, nullptr, config);
    tl::Optimizer opt(config.optimizer, recompute_head.parameters());
    recompute_epoch(recompute_head, opt, net, listing, transform, s.batch, config.seed);
    const double diff = max_abs_diff(cached_head, recompute_head);
    std::printf("validation: max |param difference| after one epoch = %.2e %s\n", diff,
                diff < 1e-4 ? "(ok)" : "(VALIDATION FAILED)");

    tl::Head head_a(hc), head_b(hc);
    tl::Optimizer opt_b(config.optimizer, head_b.parameters());
    const double t_cached =
        tl::bench::median_seconds([&] { tl::train_head(head_a, train, nullptr, config); }, 20);
    const double t_recompute = tl::bench::median_seconds(
        [&] { recompute_epoch(head_b, opt_b, net, listing, transform, s.batch, config.seed); }, 3);

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
