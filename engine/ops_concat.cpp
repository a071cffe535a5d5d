// concat_columns: matrices side by side. No kernel of its own: each part is one strided 2-D copy
// (memcpy per row on the CPU, cudaMemcpy2DAsync on the device's stream), N rows of C_i floats
// into rows of sum(C_i); cost N * sum(C_i) reads and writes.
#include <cstring>

#include "engine/ops.h"
#include "engine/stream.h"

#if TL_HAS_CUDA
#include <cuda_runtime_api.h>

#include "kernels/cuda/cuda_check.h"
#endif

namespace tl {

Tensor concat_columns(const std::vector<Tensor>& parts) {
  TL_CHECK(!parts.empty(), "concat_columns: no matrices given");
  const Tensor& first = parts.front();
  int64_t columns = 0;
  for (const Tensor& p : parts) {
    TL_CHECK(p.defined() && p.rank() == 2 && p.dtype() == first.dtype() && p.device() == first.device() &&
                 p.dim(0) == first.dim(0),
             "concat_columns: every part must be a " << dtype_name(first.dtype()) << " matrix with "
                                                     << first.dim(0) << " rows on " << first.device() << ", got "
                                                     << (p.defined() ? p.summary(0) : "undefined"));
    columns += p.dim(1);
  }
  if (parts.size() == 1) return first;
  const int64_t rows = first.dim(0);
  const size_t element = dtype_size(first.dtype());
  Tensor out = Tensor::empty({rows, columns}, first.dtype(), first.device());
  const size_t out_row_bytes = static_cast<size_t>(columns) * element;
  size_t offset = 0;  // bytes into each output row
  for (const Tensor& p : parts) {
    const size_t row_bytes = static_cast<size_t>(p.dim(1)) * element;
    char* dst = static_cast<char*>(out.raw_data()) + offset;
    const char* src = static_cast<const char*>(p.raw_data());
    if (row_bytes > 0 && rows > 0) {
      if (out.device().is_cpu()) {
        for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + r * out_row_bytes, src + r * row_bytes, row_bytes);
      } else {
#if TL_HAS_CUDA
        ScopedDevice scope(out.device());
        TL_CUDA_CHECK(cudaMemcpy2DAsync(dst, out_row_bytes, src, row_bytes, row_bytes, static_cast<size_t>(rows),
                                        cudaMemcpyDeviceToDevice, stream_for(out.device())));
#endif
      }
    }
    offset += row_bytes;
  }
  return out;
}

}  // namespace tl
