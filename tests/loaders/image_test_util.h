// Helpers of the image pipeline tests: the PIL/torchvision fixtures of
// tools/gen_image_fixtures.py (tests/data/images), scratch folders and error matching.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "loaders/hdf5_file.h"
#include "loaders/image.h"

namespace tl::test {

inline std::string image_fixture(const std::string& name) {
  return std::string(TL_TEST_DATA_DIR) + "/images/" + name;
}

inline const Hdf5File& image_reference() {
  static const Hdf5File file = Hdf5File::open_read(image_fixture("reference.h5"));
  return file;
}

// A uint8 (H, W, 3) reference array as an Image.
inline Image reference_image(const std::string& dataset) {
  std::vector<int64_t> shape;
  const std::vector<int32_t> values = image_reference().read_i32(dataset, &shape);
  EXPECT_EQ(shape.size(), 3u) << dataset;
  Image image{static_cast<int>(shape[0]), static_cast<int>(shape[1]), {}};
  image.pixels.assign(values.begin(), values.end());
  return image;
}

// A fresh, empty scratch folder under the system temp directory.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("tl_test_images_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Expects `fn` to throw a tl::Error whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

}  // namespace tl::test
