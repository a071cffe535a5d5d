// A walk over a JPEG's marker segments before stb_image sees the file. stb_image 2.28 (the
// version Debian ships) trusts two things it should not, and tl checks both first:
//   - a DHT segment's 16 code counts may sum past 256: stb writes code sizes into a 257-entry
//     array unchecked (an out-of-bounds write found by tests/fuzz/fuzz_image.cpp);
//   - a scan may name a Huffman table that no DHT segment defined: stb does not zero its
//     decoder state, so it decodes with uninitialised tables (an out-of-bounds read in
//     stbi__jpeg_huff_decode, found the same way);
// and it decodes a file whose data stops early without complaint (missing data reads as
// zeros, which would silently feed grey blocks to a model), so the walk also requires the
// end-of-image marker. Cost: one pass over the bytes, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tl {

struct JpegStructure {
  bool complete = false;  // the end-of-image marker was reached
  std::string problem;    // empty, or what is malformed ("a Huffman table is malformed", ...)
};

// `d` holds `n` bytes that start with the JPEG start-of-image marker (FF D8).
JpegStructure check_jpeg_structure(const uint8_t* d, size_t n);

}  // namespace tl
