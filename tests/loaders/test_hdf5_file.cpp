// Hdf5File round trips and its errors on bad files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kernels/common/error.h"
#include "loaders/hdf5_file.h"

namespace tl {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tl_test_" + name)).string();
}

// Expects `fn` to throw a tl::Error whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    for (const std::string& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Hdf5File, WritesAndReadsDatasetsAndAttributes) {
  const std::string path = temp_path("roundtrip.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    const float w[6] = {1, 2, 3, 4, 5, 6};
    f.write_f32("layer1.0.conv1.weight", w, {2, 3});
    const int32_t labels[3] = {7, -1, 2};
    f.write_i32("group/labels", labels, {3});
    f.write_strings("names", {"cat", "dog"});
    f.write_string_attribute("/", "architecture", "resnet18");
    f.write_number_attribute("/", "bn_eps", 1e-5);
    f.write_string_list_attribute("group", "layer_names", {"a", "bb", "ccc"});
  }
  Hdf5File f = Hdf5File::open_read(path);
  std::vector<int64_t> shape;
  EXPECT_EQ(f.read_f32("layer1.0.conv1.weight", &shape), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.read_i32("/group/labels"), (std::vector<int32_t>{7, -1, 2}));
  EXPECT_EQ(f.read_strings("names"), (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(f.read_string_attribute("/", "architecture"), "resnet18");
  EXPECT_DOUBLE_EQ(f.read_number_attribute("/", "bn_eps"), 1e-5);
  EXPECT_EQ(f.read_string_list_attribute("group", "layer_names"), (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_TRUE(f.is_group("group"));
  EXPECT_TRUE(f.is_dataset("names"));
  EXPECT_FALSE(f.exists("missing/deeper"));
  EXPECT_EQ(f.children("/"), (std::vector<std::string>{"group", "layer1.0.conv1.weight", "names"}));
  EXPECT_EQ(f.attribute_names("/"), (std::vector<std::string>{"architecture", "bn_eps"}));
}

TEST(Hdf5File, ErrorsNameTheFileAndObject) {
  expect_error([] { Hdf5File::open_read("/nonexistent/weights.h5"); }, {"/nonexistent/weights.h5", "no such file"});
  const std::string text = temp_path("not_hdf5.h5");
  std::ofstream(text) << "this is not an HDF5 file";
  expect_error([&] { Hdf5File::open_read(text); }, {text, "not an HDF5 file"});

  const std::string path = temp_path("errors.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    const int32_t v[2] = {1, 2};
    f.write_i32("ints", v, {2});
  }
  Hdf5File f = Hdf5File::open_read(path);
  expect_error([&] { f.read_f32("ints"); }, {path, "ints", "int32", "expected float32"});
  expect_error([&] { f.read_f32("fc.weight"); }, {path, "fc.weight", "not found"});
  expect_error([&] { f.read_string_attribute("/", "architecture"); }, {"no attribute 'architecture'"});
}

TEST(Hdf5File, TruncatedFileIsAnError) {
  const std::string path = temp_path("full.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    std::vector<float> big(100000, 1.0f);
    f.write_f32("big", big.data(), {100000});
  }
  const std::string cut = temp_path("truncated.h5");
  std::filesystem::copy_file(path, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(cut, std::filesystem::file_size(path) / 2);
  expect_error(
      [&] {
        Hdf5File f = Hdf5File::open_read(cut);
        f.read_f32("big");
      },
      {cut});
}

TEST(Hdf5File, OpenWriteAndRemove) {
  const std::string path = temp_path("edit.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    const float v[2] = {1, 2};
    f.write_f32("a", v, {2});
    f.write_f32("b", v, {2});
  }
  {
    Hdf5File f = Hdf5File::open_write(path);
    f.remove("a");
    const float w[1] = {3};
    f.write_f32("c", w, {1});
    expect_error([&] { f.remove("missing"); }, {path, "missing", "not found"});
  }
  const Hdf5File f = Hdf5File::open_read(path);
  EXPECT_EQ(f.children("/"), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(f.read_f32("c"), (std::vector<float>{3}));
}

}  // namespace
}  // namespace tl
