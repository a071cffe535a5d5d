// bench_image_pipeline: images/s of the input pipeline on realistic JPEGs.
//
// Writes `count` 500x375 JPEGs (quality 90, photo-like texture; stb_image_write) into
// <dir>/images/ (default /tmp/tl_bench_images), validates one through the pipeline, then
// times (steady clock, median of 3 after a warm-up):
//   decode             stb_image JPEG -> RGB, bytes already in memory, 1 thread
//   decode+resize+crop the eval transform Resize(256) + CenterCrop(224), 1 thread
//   loader, T threads  BatchLoader epoch over an ImageFolder (file reads included), batch 32
//   normalize          (32, 224, 224, 3) u8 -> f32, torchvision preset, CPU op
// The peer (PIL + torchvision on the same files) is tools/bench_pil_pipeline.py; run both in
// the same session and record the ratio in benchmarks/RESULTS.md.
//   bench_image_pipeline [dir] [count]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "benchmarks/timing.h"
#include "engine/ops_normalize.h"
#include "kernels/cpu/threads.h"
#include "loaders/batch_loader.h"
#include "loaders/image_decode.h"
#include "loaders/image_encode.h"
#include "loaders/image_folder.h"
#include "loaders/image_transform.h"
#include "loaders/seeded_rng.h"

namespace fs = std::filesystem;

namespace {

// A photo-like 500x375 picture: smooth shapes, gradients and sensor-like noise, so the JPEG
// has a realistic size (tens of kB) and the decoder realistic work.
tl::Image photo_like(int seed) {
  const int h = 375, w = 500;
  tl::Image img = tl::Image::zeros(h, w);
  tl::SeededRng rng(static_cast<uint64_t>(seed) + 1);
  const double fx = rng.uniform(0.01, 0.05), fy = rng.uniform(0.01, 0.05), phase = rng.uniform(0, 6.28);
  const double cx = rng.uniform(0, w), cy = rng.uniform(0, h), radius = rng.uniform(40, 150);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius;
      for (int c = 0; c < 3; ++c) {
        double v = 128 + 70 * std::sin(x * fx * (c + 1) + phase) * std::cos(y * fy + c) + 0.1 * (x - y);
        if (inside) v = 255 - v * 0.8;
        v += rng.uniform(-12, 12);
        img.row(y)[3 * x + c] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  return img;
}

void line(const char* what, double seconds, int images) {
  std::printf("  %-34s %9.1f images/s  (%.2f ms/image)\n", what, images / seconds, 1e3 * seconds / images);
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? argv[1] : "/tmp/tl_bench_images";
  const int count = argc > 2 ? std::stoi(argv[2]) : 64;
  tl::cpu::set_num_threads(1);  // the loader's own threads are the parallelism measured here
  const fs::path image_dir = dir / "images" / "all";
  fs::create_directories(image_dir);
  std::vector<std::vector<uint8_t>> files;
  size_t total_bytes = 0;
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "%04d.jpg", i);
    const fs::path path = image_dir / name;
    if (!fs::exists(path)) tl::write_file_bytes(path.string(), tl::encode_jpeg(photo_like(i), 90));
    files.push_back(tl::read_file_bytes(path.string(), "benchmark image"));
    total_bytes += files.back().size();
  }
  std::printf(
      "bench_image_pipeline: %d JPEGs 500x375 (quality 90, mean %.0f kB) in %s; hardware threads %u\n", count,
      total_bytes / 1024.0 / count, image_dir.string().c_str(), std::thread::hardware_concurrency());

  // Validate before timing: the pipeline produces the eval crop of the decoded image.
  const tl::ImageTransform eval = tl::eval_transform(256, 224);
  const tl::Image first = tl::decode_image(files[0].data(), files[0].size(), "first");
  const tl::Image crop = eval.apply(first, 0);
  if (first.width != 500 || first.height != 375 || crop.width != 224 || crop.height != 224) {
    std::printf("VALIDATION FAILED: decoded %dx%d, crop %dx%d\n", first.width, first.height, crop.width,
                crop.height);
    return 1;
  }

  std::printf("ours (stb_image + PIL-exact resize), per stage:\n");
  line("decode (1 thread)",
       tl::bench::median_seconds(
           [&] {
             for (const auto& f : files) tl::decode_image(f.data(), f.size(), "bench");
           },
           3),
       count);
  line("decode+resize+crop (1 thread)",
       tl::bench::median_seconds(
           [&] {
             for (const auto& f : files) eval.apply(tl::decode_image(f.data(), f.size(), "bench"), 0);
           },
           3),
       count);
  const auto folder = tl::ImageFolder::scan((dir / "images").string());
  for (int threads : {1, 2}) {
    tl::BatchLoaderOptions options;
    options.batch_size = 32;
    options.threads = threads;
    options.prefetch_batches = 4;
    const double t = tl::bench::median_seconds(
        [&] {
          tl::BatchLoader loader(folder, eval, options);
          while (loader.next()) {
          }
        },
        3);
    char what[64];
    std::snprintf(what, sizeof(what), "BatchLoader epoch (%d thread%s)", threads, threads > 1 ? "s" : "");
    line(what, t, count);
  }
  const tl::Tensor batch = tl::Tensor::zeros({32, 224, 224, 3}, tl::DType::u8);
  const double t_norm =
      tl::bench::median_seconds([&] { tl::normalize(batch, tl::NormalizeParams::torchvision()); }, 10);
  std::printf("  %-34s %9.1f images/s  (%.2f GB/s in+out)\n", "normalize 224x224 (1 thread)", 32 / t_norm,
              32.0 * 224 * 224 * 3 * 5 / t_norm / 1e9);
  return 0;
}
