// Device: where a tensor lives and an op runs ("cpu" or "cuda:N"), and the one-time
// detection of whether a usable GPU is present at all.
#pragma once

#include <ostream>
#include <string>

namespace tl {

enum class DeviceKind { cpu, cuda };

struct Device {
  DeviceKind kind = DeviceKind::cpu;
  int index = 0;

  static Device cpu() { return {DeviceKind::cpu, 0}; }
  static Device cuda(int index = 0) { return {DeviceKind::cuda, index}; }
  bool is_cpu() const { return kind == DeviceKind::cpu; }
  bool is_cuda() const { return kind == DeviceKind::cuda; }
  std::string str() const;  // "cpu" or "cuda:0"
  bool operator==(const Device&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Device& device);
Device parse_device(const std::string& text);  // "cpu", "cuda", "cuda:1"

// GPU presence, detected once (thread-safe) on first call.
struct CudaStatus {
  bool usable = false;
  int device_count = 0;
  std::string reason;       // why not usable, or empty
  std::string description;  // e.g. "NVIDIA H200 (sm_90, 139 GiB), driver 13.0"
};
const CudaStatus& cuda_status();
bool cuda_available();

// The one line tl prints about GPU presence, e.g. "tl: no usable CUDA GPU (...); running on the CPU".
std::string cuda_status_line();

// Makes a CUDA device current for the scope (restores the previous one); no-op for cpu.
class ScopedDevice {
 public:
  explicit ScopedDevice(const Device& device);
  ~ScopedDevice();
  ScopedDevice(const ScopedDevice&) = delete;
  ScopedDevice& operator=(const ScopedDevice&) = delete;

 private:
  int previous_ = -1;
};

// Throws a tl::Error naming `what` when `device` is a CUDA device that is not usable.
void require_device(const Device& device, const std::string& what);

}  // namespace tl
