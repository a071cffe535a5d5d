// Writes the small valid files the checkpoint, feature-cache and IDX fuzzers start from:
//   make_fuzz_seeds tests/fuzz/corpus
// -> head_checkpoint/{linear,mlp}.h5, feature_cache/{views1,views2}.h5, idx/{labels,images}.idx
// and images.idx.gz. Deterministic apart from HDF5's own metadata; rerun only when a format
// changes (the files are committed).
//   make_fuzz_seeds --fixed-strings IN.h5 OUT.h5
// copies a weights file (groups, float datasets, string and number attributes) with every
// string fixed-length: the weights fuzzer's seeds (scripts/fuzz.sh converts the fixtures), see
// fuzz_weights.cpp for why.
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "fuzz_cache_key.h"
#include "loaders/head_checkpoint.h"

namespace {

using namespace tl;

void write_checkpoint(const std::string& path, HeadKind kind) {
  HeadConfig config;
  config.kind = kind;
  config.in_features = 6;
  config.hidden = 4;
  config.num_classes = 3;
  config.dropout = kind == HeadKind::mlp ? 0.25f : 0.0f;
  config.seed = 7;
  Head head(config);
  save_head_checkpoint(path, head, {"cat", "dog", "bird"}, fuzz::fuzz_cache_key(1).backbone,
                       Preprocessing::from_preset("torchvision"));
}

void write_cache(const std::string& path, int64_t views) {
  const int64_t n = 4, f = 5;
  FeatureSet set;
  std::vector<float> features(static_cast<size_t>(views * n * f));
  for (size_t i = 0; i < features.size(); ++i) features[i] = 0.25f * static_cast<float>(i % 13) - 1.0f;
  set.features = Tensor::from_vector(features, {views * n, f});
  set.labels = Tensor::from_vector(std::vector<int32_t>{0, 1, 1, 0}, {n});
  set.names = {"a/0.png", "b/1.png", "b/2.png", "a/3.png"};
  set.class_names = {"a", "b"};
  set.views = views;
  save_feature_cache(path, fuzz::fuzz_cache_key(views), set);
}

std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& shape) {
  std::vector<uint8_t> out{0, 0, 0x08, static_cast<uint8_t>(shape.size())};
  size_t count = 1;
  for (uint32_t d : shape) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(d >> s));
    count *= d;
  }
  for (size_t i = 0; i < count; ++i) out.push_back(static_cast<uint8_t>(i * 37));
  return out;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb9");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

void copy_group(const Hdf5File& in, Hdf5File& out, const std::string& group) {
  for (const std::string& name : in.attribute_names(group)) {
    const DatasetInfo info = in.attribute_info(group, name);
    if (info.kind == H5Kind::string)
      out.write_string_list_attribute(group, name, in.read_string_list_attribute(group, name));
    else if (!info.shape.empty() && info.shape[0] == 0)
      out.write_string_list_attribute(group, name, {});  // Keras' empty list (an empty float array)
    else
      out.write_number_attribute(group, name, in.read_number_attribute(group, name));
  }
  for (const std::string& child : in.children(group)) {
    const std::string path = (group == "/" ? "/" : group + "/") + child;
    if (in.is_group(path)) {
      out.create_group(path);
      copy_group(in, out, path);
    } else {
      std::vector<int64_t> shape;
      const std::vector<float> values = in.read_f32(path, &shape);
      out.write_f32(path, values.data(), shape);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--fixed-strings") {
    try {
      const Hdf5File in = Hdf5File::open_read(argv[2]);
      Hdf5File out = Hdf5File::create(argv[3]);
      copy_group(in, out, "/");
    } catch (const Error& e) {
      std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
      return 1;
    }
    return 0;
  }
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds CORPUS_DIR\n";
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path root = argv[1];
  for (const char* dir : {"head_checkpoint", "feature_cache", "idx"}) fs::create_directories(root / dir);
  try {
    write_checkpoint(root / "head_checkpoint" / "linear.h5", HeadKind::linear);
    write_checkpoint(root / "head_checkpoint" / "mlp.h5", HeadKind::mlp);
    write_cache(root / "feature_cache" / "views1.h5", 1);
    write_cache(root / "feature_cache" / "views2.h5", 2);
    write_bytes(root / "idx" / "labels.idx", idx_bytes({10}));
    write_bytes(root / "idx" / "images.idx", idx_bytes({3, 4, 5}));
    write_gzip(root / "idx" / "images.idx.gz", idx_bytes({2, 3, 3, 2}));
  } catch (const Error& e) {
    std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
