// Test helper: copies of the Keras fixtures (tests/data/keras) with one thing changed.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "loaders/hdf5_file.h"

namespace tl {

inline std::string keras_fixture(const std::string& name) {
  return std::string(TL_TEST_DATA_DIR) + "/keras/" + name;
}

// A copy of fixture `source` under a temporary name built from `tag`, changed by `edit`.
inline std::string keras_fixture_copy(const std::string& source, const std::string& tag,
                                      const std::function<void(Hdf5File&)>& edit) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tl_test_keras_" + tag + ".h5")).string();
  std::filesystem::copy_file(keras_fixture(source), path, std::filesystem::copy_options::overwrite_existing);
  Hdf5File f = Hdf5File::open_write(path);
  edit(f);
  return path;
}

}  // namespace tl
