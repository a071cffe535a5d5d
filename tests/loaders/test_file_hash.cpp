// XXH64 against Python's xxhash package (tests/data/training/xxh64.h5, from
// tools/gen_training_fixtures.py), in one piece and streamed in awkward chunks, and on files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "kernels/common/error.h"
#include "loaders/file_hash.h"
#include "loaders/hdf5_file.h"

namespace tl {
namespace {

std::vector<unsigned char> pattern(size_t n) {
  std::vector<unsigned char> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>((7 * i + 3) % 256);
  return out;
}

TEST(FileHash, Xxh64MatchesPythonXxhash) {
  const Hdf5File f = Hdf5File::open_read(std::string(TL_TEST_DATA_DIR) + "/training/xxh64.h5");
  const auto lengths = f.read_i32("lengths");
  const auto digests = f.read_strings("digests");
  ASSERT_EQ(lengths.size(), digests.size());
  for (size_t i = 0; i < lengths.size(); ++i) {
    const auto data = pattern(static_cast<size_t>(lengths[i]));
    EXPECT_EQ(hash_text(xxh64(data.data(), data.size())), "xxh64:" + digests[i]) << "length " << lengths[i];
    for (size_t chunk : {1u, 5u, 31u, 33u}) {  // streaming must not depend on how the bytes arrive
      Xxh64 state;
      for (size_t p = 0; p < data.size(); p += chunk)
        state.update(data.data() + p, std::min(chunk, data.size() - p));
      EXPECT_EQ(hash_text(state.digest()), "xxh64:" + digests[i])
          << "length " << lengths[i] << " chunk " << chunk;
    }
  }
}

TEST(FileHash, FileHashSeesEveryByte) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tl_test_hash_" + std::to_string(getpid()) + ".bin"))
          .string();
  auto data = pattern(3 << 20);  // spans several 1 MiB read chunks
  auto write = [&] {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), data.size());
  };
  write();
  const std::string h = file_content_hash(path);
  EXPECT_EQ(h, hash_text(xxh64(data.data(), data.size())));
  data[(2 << 20) + 5] ^= 1;  // one bit in the third chunk
  write();
  EXPECT_NE(file_content_hash(path), h);
  std::filesystem::remove(path);
  EXPECT_THROW(file_content_hash(path), Error);
}

}  // namespace
}  // namespace tl
