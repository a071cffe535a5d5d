// Tensor: a contiguous, typed, n-dimensional array on one device.
//
// A Tensor is a cheap handle: copying it shares the storage (reference counted), like a
// shared_ptr. Data is always contiguous and row-major; views exist only along the leading
// dimension (slice), which keeps every view contiguous too. Crossing devices is explicit
// (to(), copy_from()) and is a sync point.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/dtype.h"
#include "engine/shape.h"
#include "kernels/common/error.h"

namespace tl {

// Owns one allocation on one device; frees it (to the host or the caching allocator) at end.
class Storage {
 public:
  Storage(size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: holds no storage

  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype, Device device = Device::cpu());
  // Copies numel(shape) elements of `dtype` from host memory at `data`.
  static Tensor from_host(const void* data, const Shape& shape, DType dtype, Device device = Device::cpu());
  template <typename T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::cpu()) {
    TL_CHECK(static_cast<int64_t>(values.size()) == shape.numel(),
             "from_vector: " << values.size() << " values for shape " << shape.str());
    return from_host(values.data(), shape, dtype_of<T>(), device);
  }

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int axis) const { return shape_[axis]; }
  int64_t numel() const { return shape_.numel(); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }

  void* raw_data() const;
  template <typename T>
  T* data() const {
    TL_CHECK(dtype_ == dtype_of<T>(), "tensor holds " << dtype_name(dtype_) << ", accessed as "
                                                      << dtype_name(dtype_of<T>()));
    return static_cast<T*>(raw_data());
  }

  Tensor to(Device device) const;  // same tensor if already there, else a copy
  Tensor clone() const;            // a deep copy on the same device
  void copy_from(const Tensor& source);  // same shape and dtype, any devices

  Tensor slice(int64_t begin, int64_t end) const;  // rows [begin, end) of the leading dim: a view
  Tensor reshape(const Shape& shape) const;         // same elements, new shape: a view

  template <typename T>
  std::vector<T> to_vector() const {  // copies to the host
    std::vector<T> out(static_cast<size_t>(numel()));
    copy_to_host(out.data(), out.size() * sizeof(T), dtype_of<T>());
    return out;
  }

  // e.g. "Tensor f32 (2, 3) cpu: [0.5, -1, 2, ...] min -1 max 2 mean 0.4 nan 0"
  std::string summary(int max_values = 8) const;

 private:
  void copy_to_host(void* dst, size_t bytes, DType expected) const;

  std::shared_ptr<Storage> storage_;
  size_t offset_bytes_ = 0;
  Shape shape_;
  DType dtype_ = DType::f32;
  Device device_;
};

// Copies `bytes` between two buffers on any devices; waits until the copy is complete.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes);

}  // namespace tl
