#include "engine/device.h"

#include <mutex>
#include <sstream>

#include "kernels/common/error.h"

#if TL_HAS_CUDA
#include <cuda_runtime_api.h>
#endif

namespace tl {

std::string Device::str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }

std::ostream& operator<<(std::ostream& out, const Device& device) { return out << device.str(); }

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu();
  if (text == "cuda") return Device::cuda(0);
  if (text.rfind("cuda:", 0) == 0) {
    const std::string digits = text.substr(5);
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos)
      return Device::cuda(std::stoi(digits));
  }
  TL_FAIL("unknown device '" << text << "' (expected cpu, cuda or cuda:N)");
}

namespace {

CudaStatus detect_cuda() {
  CudaStatus status;
#if TL_HAS_CUDA
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    status.reason = std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err);
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return status;
  }
  if (count == 0) {
    status.reason = "no CUDA device found";
    return status;
  }
  status.usable = true;
  status.device_count = count;
  cudaDeviceProp prop{};
  int driver = 0;
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess && cudaDriverGetVersion(&driver) == cudaSuccess) {
    std::ostringstream out;
    out << prop.name << " (sm_" << prop.major << prop.minor << ", "
        << (prop.totalGlobalMem >> 30) << " GiB), driver " << driver / 1000 << "." << (driver % 1000) / 10;
    status.description = out.str();
  }
#else
  status.reason = "tl was built without CUDA (-DTL_CUDA=OFF)";
#endif
  return status;
}

}  // namespace

const CudaStatus& cuda_status() {
  static const CudaStatus status = detect_cuda();  // C++ guarantees one thread-safe init
  return status;
}

bool cuda_available() { return cuda_status().usable; }

std::string cuda_status_line() {
  const CudaStatus& s = cuda_status();
  if (s.usable)
    return "tl: CUDA GPU: " + s.description + (s.device_count > 1 ? " (+" + std::to_string(s.device_count - 1) + " more)" : "");
  return "tl: no usable CUDA GPU (" + s.reason + "); running on the CPU";
}

ScopedDevice::ScopedDevice(const Device& device) {
#if TL_HAS_CUDA
  if (!device.is_cuda()) return;
  TL_CHECK(cudaGetDevice(&previous_) == cudaSuccess, "cannot query the current CUDA device");
  if (previous_ != device.index)
    TL_CHECK(cudaSetDevice(device.index) == cudaSuccess, "cannot make " << device << " current");
#else
  (void)device;
#endif
}

ScopedDevice::~ScopedDevice() {
#if TL_HAS_CUDA
  if (previous_ >= 0) cudaSetDevice(previous_);
#endif
}

void require_device(const Device& device, const std::string& what) {
  if (device.is_cpu()) return;
  const CudaStatus& s = cuda_status();
  TL_CHECK(s.usable, what << ": device " << device << " requested but " << s.reason);
  TL_CHECK(device.index >= 0 && device.index < s.device_count,
           what << ": device " << device << " does not exist (" << s.device_count << " CUDA devices)");
}

}  // namespace tl
