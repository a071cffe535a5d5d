// Content hashes of files: XXH64 (Yann Collet's xxHash, 64-bit, seed 0) over the file's bytes.
// Used to identify a backbone's weights file in head checkpoints and feature caches: two
// files with the same hash hold the same bytes (barring a 2^-64 accident). XXH64 runs at
// several GB/s, so hashing a 100 MB weights file costs about as much as reading it.
//
// The text form is "xxh64:" followed by 16 lowercase hex digits, e.g. "xxh64:ef46db3751d8e999"
// (the hash of zero bytes), the same digits as Python's xxhash.xxh64(data).hexdigest().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tl {

// Streaming XXH64: update() any number of times, then digest().
class Xxh64 {
 public:
  explicit Xxh64(uint64_t seed = 0);
  void update(const void* data, size_t bytes);
  uint64_t digest() const;

 private:
  uint64_t lanes_[4];
  uint64_t seed_;
  uint64_t total_ = 0;
  unsigned char buffer_[32];
  size_t buffered_ = 0;
};

uint64_t xxh64(const void* data, size_t bytes, uint64_t seed = 0);
std::string hash_text(uint64_t hash);  // "xxh64:<16 hex digits>"

// Hash of the whole file; a missing or unreadable file is a tl::Error naming it.
std::string file_content_hash(const std::string& path);

}  // namespace tl
