// CUDA row gather. One block per output row (grid-stride over rows); the block's threads copy
// the row in 4-byte words when row size and both buffers allow it, else byte by byte, so
// consecutive threads touch consecutive words (coalesced). Cost: N * row_bytes read and
// written, plus one index load per row; memory-bound.
#include <algorithm>

#include "kernels/cuda/gather.h"
#include "kernels/cuda/launch.h"

namespace tl::cuda {
namespace {

constexpr unsigned int kBlock = 128;
constexpr unsigned int kMaxBlocks = 8192;

template <typename Word>
__global__ void gather_rows_kernel(const Word* __restrict__ x, int64_t rows, const int32_t* __restrict__ indices,
                                   Word* __restrict__ y, int64_t n, int64_t row_words) {
  for (int64_t i = blockIdx.x; i < n; i += gridDim.x) {
    const int64_t row = indices[i];
    Word* out = y + i * row_words;
    if (row < 0 || row >= rows) {  // see gather.h: a poisoned row, never an out-of-bounds read
      for (int64_t k = threadIdx.x; k < row_words; k += blockDim.x) out[k] = static_cast<Word>(~Word{0});
      continue;
    }
    const Word* in = x + row * row_words;
    for (int64_t k = threadIdx.x; k < row_words; k += blockDim.x) out[k] = in[k];
  }
}

bool word_aligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % 4 == 0; }

}  // namespace

void gather_rows(const void* x, int64_t rows, const int32_t* indices, void* y, int64_t n, int64_t row_bytes,
                 cudaStream_t stream) {
  if (n == 0 || row_bytes == 0) return;
  const dim3 grid(static_cast<unsigned int>(std::min<int64_t>(n, kMaxBlocks)));
  if (row_bytes % 4 == 0 && word_aligned(x) && word_aligned(y)) {
    launch(gather_rows_kernel<uint32_t>, grid, dim3(kBlock), 0, stream, static_cast<const uint32_t*>(x), rows,
           indices, static_cast<uint32_t*>(y), n, row_bytes / 4);
  } else {
    launch(gather_rows_kernel<uint8_t>, grid, dim3(kBlock), 0, stream, static_cast<const uint8_t*>(x), rows,
           indices, static_cast<uint8_t*>(y), n, row_bytes);
  }
}

}  // namespace tl::cuda
