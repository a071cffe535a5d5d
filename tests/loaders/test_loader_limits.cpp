// Limits before allocation (loaders/limits.h): a small hostile file that declares huge
// sizes gets a tl::Error naming the file and the limit, before the memory is allocated; the
// size arithmetic cannot overflow.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "loaders/hdf5_file.h"
#include "loaders/idx_file.h"
#include "loaders/image_decode.h"
#include "loaders/image_encode.h"
#include "loaders/keras_resnet_names.h"
#include "loaders/limits.h"
#include "loaders/resize.h"
#include "loaders/weights.h"
#include "tests/common/data_dir.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

using test::expect_error;

// A float32 dataset of `dims` whose storage is never allocated (chunked, nothing written):
// the file stays a few KB whatever the declared size, as a hostile file's would.
void add_unallocated_dataset(const std::string& path, const std::string& name,
                             const std::vector<hsize_t>& dims) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  std::vector<hsize_t> chunk(dims.size(), 1);
  H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
  const hid_t d = H5Dcreate2(file, name.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ASSERT_GE(d, 0);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(file);
}

std::string scratch(const std::string& test, const std::string& file) {
  return (test::scratch_dir("limits_" + test) / file).string();
}

TEST(LoaderLimits, Hdf5DatasetOverTheByteLimitIsRefusedBeforeReading) {
  const std::string path = scratch("dataset", "huge.h5");
  Hdf5File::create(path);
  add_unallocated_dataset(path, "huge", {hsize_t{1} << 20, hsize_t{1} << 20});  // 4 TiB declared
  const Hdf5File f = Hdf5File::open_read(path);
  EXPECT_LT(std::filesystem::file_size(path), 100000u);
  expect_error([&] { f.read_f32("huge"); }, {path, "huge", "4398046511104 bytes", "max_dataset_bytes"});
}

TEST(LoaderLimits, Hdf5SizesThatOverflowAreAnError) {
  const std::string path = scratch("overflow", "overflow.h5");
  Hdf5File::create(path);
  // 2^62 elements of 4 bytes: the byte count overflows int64.
  add_unallocated_dataset(path, "big", {hsize_t{1} << 31, hsize_t{1} << 31});
  const Hdf5File f = Hdf5File::open_read(path);
  expect_error([&] { f.read_f32("big"); }, {path, "big", "overflows 64 bits"});
}

TEST(LoaderLimits, Hdf5TotalBytesPerFileAndRank) {
  const std::string path = scratch("total", "two.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    const std::vector<float> values(1000, 1.0f);
    f.write_f32("a", values.data(), {1000});
    f.write_f32("b", values.data(), {1000});
    f.write_f32("deep", values.data(), {1, 1, 1, 1, 1, 1, 1, 1, 1, 1000});
  }
  const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_file_read_bytes = 6000; });
  const Hdf5File f = Hdf5File::open_read(path);
  EXPECT_EQ(f.read_f32("a").size(), 1000u);
  expect_error([&] { f.read_f32("b"); }, {path, "'b'", "after 4000", "max_file_read_bytes = 6000"});
  expect_error([&] { f.dataset_info("deep"); }, {path, "deep", "rank 10", "max_rank = 8"});
}

TEST(LoaderLimits, Hdf5StringListsOverTheLimits) {
  const std::string path = scratch("strings", "strings.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    f.write_string_list_attribute("/", "names", std::vector<std::string>(100, std::string(1000, 'x')));
    f.write_strings("many", std::vector<std::string>(100, "y"));
  }
  const Hdf5File f = Hdf5File::open_read(path);
  EXPECT_EQ(f.read_string_list_attribute("/", "names").size(), 100u);
  {
    const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_string_bytes = 50000; });
    expect_error([&] { f.read_string_list_attribute("/", "names"); }, {path, "names", "max_string_bytes"});
  }
  const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_string_count = 99; });
  expect_error([&] { f.read_strings("many"); }, {path, "many", "100 strings", "max_string_count = 99"});
}

TEST(LoaderLimits, WeightsWhoseShapesDescribeAHugeResNetAreRefusedBeforeTheSkeleton) {
  // resnet18_w8 with conv1.weight replaced by a (2^20, 3, 7, 7) declaration: a stem width of 2^20.
  const std::string path = scratch("weights", "wide_stem.h5");
  std::filesystem::copy_file(test::data_path("resnet/resnet18_w8.h5"), path);
  {
    Hdf5File f = Hdf5File::open_write(path);
    f.remove("conv1.weight");
  }
  add_unallocated_dataset(path, "conv1.weight", {hsize_t{1} << 20, 3, 7, 7});
  expect_error([&] { load_resnet_weights(path); }, {path, "stem width 1048576", "max_width"});
}

TEST(LoaderLimits, ParameterLimitAppliesToBothLayouts) {
  for (const char* fixture : {"resnet/resnet18_w8.h5", "keras/new_top.h5"}) {
    const std::string path = test::data_path(fixture);
    EXPECT_NO_THROW(load_resnet_weights(path)) << fixture;
    const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_model_parameters = 10000; });
    expect_error([&] { load_resnet_weights(path); }, {path, "parameters", "max_model_parameters = 10000"});
  }
}

TEST(LoaderLimits, KerasLayerCount) {
  const std::string path = test::data_path("keras/new_top.h5");
  const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_layers = 10; });
  expect_error([&] { load_resnet_weights(path); }, {path, "layer_names", "max_layers = 10"});
}

TEST(LoaderLimits, KerasNamesWithHugeBlockNumbersOrLengthsAreNoLayers) {
  // std::stoi threw std::out_of_range on these, and block + 1 could overflow.
  EXPECT_FALSE(parse_keras_layer(KerasNaming::current, "conv2_block99999999999_1_conv"));
  EXPECT_FALSE(parse_keras_layer(KerasNaming::current, "conv2_block2147483647_1_conv"));
  EXPECT_FALSE(parse_keras_layer(KerasNaming::legacy, "res2b99999999999_branch2a"));
  EXPECT_FALSE(parse_keras_layer(KerasNaming::legacy, "res2b2147483647_branch2a"));
  EXPECT_FALSE(
      parse_keras_layer(KerasNaming::current, "conv2_block1" + std::string(100000, '1') + "_1_conv"));
  const auto role = parse_keras_layer(KerasNaming::legacy, "res4b22_branch2c");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->block, 22);
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(LoaderLimits, IdxHeaderIsCheckedAgainstTheFileSizeWithoutOverflow) {
  // Four sizes of 2^32 - 1: the element count overflows 64 bits (it was signed overflow, UB).
  const std::string overflow = scratch("idx", "overflow.idx");
  write_bytes(overflow,
              {0, 0, 8, 4, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255});
  expect_error([&] { read_idx(overflow); }, {overflow, "overflows 64 bits"});
  // A plain file promising 2^32 - 1 bytes (4 GiB were allocated before reading).
  const std::string big = scratch("idx", "big.idx");
  write_bytes(big, {0, 0, 8, 1, 255, 255, 255, 255, 1, 2, 3});
  expect_error([&] { read_idx(big); }, {big, "truncated", "promises 4294967295", "holds 3"});
  // A gzip file promising more than deflate can expand its size to.
  const std::string gz = scratch("idx", "big.idx.gz");
  const uint8_t header[] = {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0};  // 65536 x 65536 = 4 GiB
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, header, sizeof header);
  gzclose(f);
  expect_error([&] { read_idx(gz); }, {gz, "promises 4294967296", "gzip file of"});
  // The configured limit.
  const std::string ok = scratch("idx", "ok.idx");
  write_bytes(ok, {0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4});
  EXPECT_EQ(read_idx(ok).data.size(), 4u);
  const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_idx_bytes = 3; });
  expect_error([&] { read_idx(ok); }, {ok, "max_idx_bytes = 3"});
}

TEST(LoaderLimits, ImagePixelLimitIsConfigurable) {
  const std::vector<uint8_t> png = encode_png(Image::zeros(30, 40));
  EXPECT_EQ(decode_image(png.data(), png.size(), "small.png").width, 40);
  const ScopedLoaderLimits limits([](LoaderLimits& l) { l.max_image_pixels = 1199; });
  expect_error([&] { decode_image(png.data(), png.size(), "small.png"); },
               {"small.png", "30 = 1200 pixels exceeds the limit of 1199"});
}

TEST(LoaderLimits, ResizeOfAnExtremeAspectRatioIsRefused) {
  // 1 x 100000 within the pixel limit; its shorter side at 256 would be 256 x 25,600,000.
  const Image thin = Image::zeros(1, 100000);
  expect_error([&] { resize_shorter_side(thin, 256); }, {"1x100000", "max_image_pixels"});
  expect_error([&] { resize_bilinear(thin, 100000, 100000); }, {"max_image_pixels"});
  EXPECT_EQ(resize_shorter_side(Image::zeros(10, 20), 5).width, 10);
}

}  // namespace
}  // namespace tl
