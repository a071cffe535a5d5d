#include "loaders/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "kernels/common/error.h"
#include "loaders/file_checks.h"
#include "loaders/limits.h"

namespace tl {
namespace {

// deflate expands at most 1032:1, so a gzip file of n bytes holds at most ~1032 n bytes.
constexpr int64_t kMaxDeflateRatio = 1032;

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

// Reads up to `n` bytes; returns how many were read (fewer at the end of the data).
size_t read_some(gzFile f, uint8_t* out, size_t n, const std::string& path) {
  size_t total = 0;
  while (total < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - total, 1u << 30));
    const int got = gzread(f, out + total, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(f, &code);
      TL_FAIL("IDX file '" << path << "': corrupt gzip data (" << message << ")");
    }
    if (got == 0) break;
    total += static_cast<size_t>(got);
  }
  return total;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  require_readable_file(path, "IDX file");
  GzHandle file(gzopen(path.c_str(), "rb"));
  TL_CHECK(file != nullptr, "IDX file '" << path << "': cannot be opened");
  uint8_t header[4];
  TL_CHECK(read_some(file.get(), header, 4, path) == 4,
           "IDX file '" << path << "': shorter than its 4-byte header");
  TL_CHECK(header[0] == 0 && header[1] == 0, "IDX file '" << path << "': not an IDX file (magic bytes "
                                                          << int{header[0]} << " " << int{header[1]}
                                                          << ", expected 0 0)");
  TL_CHECK(header[2] == 0x08, "IDX file '" << path << "': element type 0x" << std::hex << int{header[2]}
                                           << std::dec
                                           << " is not supported (tl reads unsigned bytes, 0x08)");
  const int dims = header[3];
  TL_CHECK(dims >= 1 && dims <= 4, "IDX file '" << path << "': " << dims << " dimensions (expected 1 to 4)");
  IdxArray array;
  int64_t count = 1;
  for (int d = 0; d < dims; ++d) {
    uint8_t b[4];
    TL_CHECK(read_some(file.get(), b, 4, path) == 4,
             "IDX file '" << path << "': header ends inside the sizes");
    const int64_t size = int64_t{b[0]} << 24 | int64_t{b[1]} << 16 | int64_t{b[2]} << 8 | int64_t{b[3]};
    array.shape.push_back(size);
    count = checked_mul(count, size, "IDX file '" + path + "': element count");  // 4 sizes < 2^32 can overflow
  }
  // The header against the file, before allocating what it promises: a plain file holds exactly
  // header + count bytes, a gzip file at most kMaxDeflateRatio times its size.
  const int64_t header_bytes = 4 + 4 * int64_t{dims};
  const int64_t file_bytes = static_cast<int64_t>(file_size_bytes(path));
  const bool compressed = gzdirect(file.get()) == 0;
  const int64_t available = compressed ? checked_mul(file_bytes, kMaxDeflateRatio, "IDX file '" + path + "'")
                                       : file_bytes - header_bytes;
  if (compressed)
    TL_CHECK(count <= available, "IDX file '" << path << "': the header promises " << count
                                              << " data bytes, more than a gzip file of " << file_bytes
                                              << " bytes can hold");
  else
    TL_CHECK(count <= available, "IDX file '" << path << "': truncated, the header promises " << count
                                              << " data bytes but the file holds " << std::max<int64_t>(available, 0));
  TL_CHECK(count <= loader_limits().max_idx_bytes, "IDX file '" << path << "': " << count
                                                                << " data bytes exceed the loader limit max_idx_bytes = "
                                                                << loader_limits().max_idx_bytes);
  array.data.resize(static_cast<size_t>(count));
  const size_t got = read_some(file.get(), array.data.data(), array.data.size(), path);
  TL_CHECK(got == array.data.size(), "IDX file '" << path << "': truncated, the header promises " << count
                                                  << " data bytes but the file holds " << got);
  uint8_t extra;
  TL_CHECK(read_some(file.get(), &extra, 1, path) == 0,
           "IDX file '" << path << "': more data than the header's " << count << " bytes");
  return array;
}

}  // namespace tl
