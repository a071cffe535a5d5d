// Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp, built with -DTL_FUZZ=ON, run by
// scripts/fuzz.sh). A harness feeds arbitrary bytes to one loader and accepts exactly two
// outcomes: success or a tl::Error. Anything else (a crash, a sanitizer report, any other
// exception escaping, a hang past -timeout, memory past -rss_limit_mb) is a finding.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "kernels/common/error.h"
#include "loaders/limits.h"

namespace tl::fuzz {

// Limits well below libFuzzer's -rss_limit_mb (2048 by default; ASan adds its own overhead), so
// that a file asking for too much is an error rather than an out-of-memory report. The
// defaults are far larger (loaders/limits.h); the checks are the same.
inline void use_fuzz_limits() {
  static const ScopedLoaderLimits limits([](LoaderLimits& l) {
    l.max_dataset_bytes = int64_t{64} << 20;
    l.max_file_read_bytes = int64_t{256} << 20;
    l.max_string_bytes = int64_t{4} << 20;
    l.max_string_count = int64_t{1} << 16;
    l.max_layers = 10000;
    l.max_model_parameters = int64_t{32} << 20;
    l.max_width = 1 << 12;
    l.max_image_pixels = 4 << 20;
    l.max_idx_bytes = int64_t{64} << 20;
  });
}

// The bytes as a file without touching the disk: an anonymous memory file (memfd) named by
// its /proc path, for loaders that open a path. Closed by the destructor.
class MemoryFile {
 public:
  MemoryFile(const uint8_t* data, size_t size) : fd_(memfd_create("tl-fuzz", 0)) {
    if (fd_ < 0) std::abort();
    for (size_t done = 0; done < size;) {
      const ssize_t n = write(fd_, data + done, size - done);
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
  }
  ~MemoryFile() { close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace tl::fuzz
