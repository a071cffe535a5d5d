#include "loaders/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "kernels/common/error.h"

namespace tl {

std::string atomic_temp_path(const std::string& path) { return path + ".tmp-" + std::to_string(getpid()); }

void write_file_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::string temp = atomic_temp_path(path);
  try {
    write(temp);
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
  const int fd = ::open(temp.c_str(), O_RDONLY);
  TL_CHECK(fd >= 0, "'" << temp << "': written but cannot be reopened to flush (" << std::strerror(errno) << ")");
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0 || std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temp.c_str());
    TL_FAIL("cannot replace '" << path << "' with its new version: " << reason);
  }
}

void write_bytes_atomically(const std::string& path, std::string_view bytes) {
  write_file_atomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    TL_CHECK(out.good(), "cannot open '" << temp << "' for writing (is the folder there and writable?)");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    TL_CHECK(out.good(), "writing '" << temp << "' failed");
  });
}

}  // namespace tl
