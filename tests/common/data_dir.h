// Where the tests find their fixtures: $TL_TEST_DATA_DIR when set (a bundle run on another
// machine), else tests/data of the source tree this binary was built from.
#pragma once

#include <cstdlib>
#include <string>

namespace tl::test {

inline std::string data_dir() {
  if (const char* env = std::getenv("TL_TEST_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return TL_TEST_DATA_DIR;
}

inline std::string data_path(const std::string& relative) { return data_dir() + "/" + relative; }

}  // namespace tl::test
