#include "loaders/file_checks.h"

#include <filesystem>
#include <fstream>

#include "kernels/common/error.h"

namespace tl {

void require_readable_file(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  TL_CHECK(!ec && fs::exists(status), what << " '" << path << "': no such file");
  TL_CHECK(!fs::is_directory(status), what << " '" << path << "': is a directory, expected a file");
  std::ifstream probe(path, std::ios::binary);
  TL_CHECK(probe.good(), what << " '" << path << "': cannot be opened for reading");
}

uint64_t file_size_bytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  TL_CHECK(!ec, "'" << path << "': cannot read its size (" << ec.message() << ")");
  return size;
}

}  // namespace tl
