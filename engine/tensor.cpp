#include "engine/tensor.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "engine/cuda_allocator.h"
#include "engine/host_allocator.h"
#include "engine/stream.h"

#if TL_HAS_CUDA
#include "kernels/cuda/cuda_check.h"
#endif

namespace tl {

Storage::Storage(size_t bytes, Device device) : bytes_(bytes), device_(device) {
  if (device.is_cpu()) {
    data_ = host_allocate(bytes);
  } else {
    require_device(device, "tensor allocation");
    data_ = CudaCachingAllocator::for_device(device.index).allocate(bytes);
  }
}

Storage::~Storage() {
  if (device_.is_cpu())
    host_free(data_);
  else
    CudaCachingAllocator::for_device(device_.index).release(data_);
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, bytes);
    return;
  }
#if TL_HAS_CUDA
  if (dst_device.is_cuda() && src_device.is_cuda() && dst_device.index != src_device.index) {
    synchronize(src_device);  // the source must be complete before another device reads it
    TL_CUDA_CHECK(cudaMemcpyPeer(dst, dst_device.index, src, src_device.index, bytes));
    return;
  }
  // One device involved: queue on its stream (after the work that produced the data). A copy
  // within the device is ordered like any kernel; one that involves host memory is waited for.
  const Device device = dst_device.is_cuda() ? dst_device : src_device;
  ScopedDevice scope(device);
  StreamHandle stream = stream_for(device);
  TL_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, stream));
  if (dst_device.is_cpu() || src_device.is_cpu()) TL_CUDA_CHECK(cudaStreamSynchronize(stream));
#else
  TL_FAIL("copy between " << src_device << " and " << dst_device << ": tl was built without CUDA");
#endif
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.device_ = device;
  t.storage_ = std::make_shared<Storage>(t.nbytes(), device);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  if (device.is_cpu()) {
    std::memset(t.raw_data(), 0, t.nbytes());
  } else {
#if TL_HAS_CUDA
    ScopedDevice scope(device);
    TL_CUDA_CHECK(cudaMemsetAsync(t.raw_data(), 0, t.nbytes(), stream_for(device)));
#endif
  }
  return t;
}

Tensor Tensor::from_host(const void* data, const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  copy_bytes(t.raw_data(), device, data, Device::cpu(), t.nbytes());
  return t;
}

void* Tensor::raw_data() const {
  TL_CHECK(defined(), "access to the data of an undefined tensor");
  return static_cast<char*>(storage_->data()) + offset_bytes_;
}

Tensor Tensor::to(Device device) const {
  if (device == device_) return *this;
  Tensor t = empty(shape_, dtype_, device);
  copy_bytes(t.raw_data(), device, raw_data(), device_, nbytes());
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_, device_);
  t.copy_from(*this);
  return t;
}

void Tensor::copy_from(const Tensor& source) {
  TL_CHECK(source.shape_ == shape_ && source.dtype_ == dtype_,
           "copy_from: source " << dtype_name(source.dtype_) << " " << source.shape_.str()
                                << " does not match destination " << dtype_name(dtype_) << " " << shape_.str());
  copy_bytes(raw_data(), device_, source.raw_data(), source.device_, nbytes());
}

Tensor Tensor::slice(int64_t begin, int64_t end) const {
  TL_CHECK(rank() >= 1, "slice of a rank-0 tensor");
  TL_CHECK(0 <= begin && begin <= end && end <= dim(0),
           "slice [" << begin << ", " << end << ") out of range for leading dimension " << dim(0));
  std::vector<int64_t> dims = shape_.dims();
  const size_t row_bytes = dims[0] == 0 ? 0 : nbytes() / static_cast<size_t>(dims[0]);
  dims[0] = end - begin;
  Tensor t = *this;
  t.shape_ = Shape(dims);
  t.offset_bytes_ = offset_bytes_ + static_cast<size_t>(begin) * row_bytes;
  return t;
}

Tensor Tensor::reshape(const Shape& shape) const {
  TL_CHECK(shape.numel() == numel(), "reshape of " << shape_.str() << " (" << numel() << " elements) to "
                                                   << shape.str() << " (" << shape.numel() << ")");
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

void Tensor::copy_to_host(void* dst, size_t bytes, DType expected) const {
  TL_CHECK(expected == dtype_, "to_vector: tensor holds " << dtype_name(dtype_) << ", asked for "
                                                          << dtype_name(expected));
  TL_CHECK(bytes == nbytes(), "to_vector: size mismatch");
  copy_bytes(dst, Device::cpu(), raw_data(), device_, bytes);
}

std::string Tensor::summary(int max_values) const {
  std::ostringstream out;
  out << "Tensor " << dtype_name(dtype_) << " " << shape_.str() << " " << device_;
  if (!defined()) return out.str() + " (undefined)";
  // Every dtype is summarised through float, which is exact for bf16, u8 and small i32.
  std::vector<float> values(static_cast<size_t>(numel()));
  switch (dtype_) {
    case DType::f32: values = to_vector<float>(); break;
    case DType::bf16: { auto v = to_vector<bf16>(); std::transform(v.begin(), v.end(), values.begin(), [](bf16 x) { return x.to_float(); }); break; }
    case DType::i32: { auto v = to_vector<int32_t>(); std::copy(v.begin(), v.end(), values.begin()); break; }
    case DType::u8: { auto v = to_vector<uint8_t>(); std::copy(v.begin(), v.end(), values.begin()); break; }
  }
  out << ": [" << std::setprecision(5);
  for (size_t i = 0; i < values.size() && i < static_cast<size_t>(max_values); ++i) out << (i ? ", " : "") << values[i];
  if (values.size() > static_cast<size_t>(max_values)) out << ", ...";
  out << "]";
  if (values.empty()) return out.str();
  double sum = 0;
  float lo = INFINITY, hi = -INFINITY;
  int64_t nans = 0;
  for (float v : values) {
    if (std::isnan(v)) { ++nans; continue; }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  out << " min " << lo << " max " << hi << " mean " << sum / static_cast<double>(values.size()) << " nan " << nans;
  return out.str();
}

}  // namespace tl
