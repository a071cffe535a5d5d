// IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
//
//   bytes 0-1  zero
//   byte  2    element type (0x08 = unsigned byte; the only one these datasets use)
//   byte  3    number of dimensions d
//   then d big-endian uint32 sizes, then the elements, row-major.
//
// Files may be gzip-compressed (.gz) or plain; zlib reads both. The header is checked
// against the data: a file with fewer or more element bytes than its sizes promise is a
// tl::Error naming the file and both counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

struct IdxArray {
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // row-major, product(shape) bytes
};

IdxArray read_idx(const std::string& path);

}  // namespace tl
