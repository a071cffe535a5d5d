#include "apps/common_options.h"

#include "kernels/common/error.h"

namespace tl::app {

namespace {

// CLI11 validator: an error text for a bad --device value, empty when it is fine.
std::string check_device(const std::string& text) {
  if (text == "auto") return {};
  try {
    parse_device(text);
  } catch (const Error&) {
    return "--device must be cpu, cuda, cuda:N or auto, got '" + text + "'";
  }
  return {};
}

}  // namespace

void add_common_options(CLI::App& cmd, CommonOptions& common, unsigned which) {
  if (which & kDeviceOption)
    cmd.add_option("--device", common.device, "cpu, cuda, cuda:N or auto (cuda when a GPU is usable)")
        ->check(CLI::Validator(check_device, "DEVICE", "device"))
        ->capture_default_str();
  if (which & kThreadsOption)
    cmd.add_option("--threads", common.threads, "CPU threads (0: all cores)")->check(CLI::Range(0, 4096));
  if (which & kSeedOption)
    cmd.add_option("--seed", common.seed, "seed of every random generator of the run")->capture_default_str();
  if (which & kBatchOption)
    cmd.add_option("--batch", common.batch, "images per batch")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
  if (which & kJsonOption) cmd.add_flag("--json", common.json, "machine-readable results on stdout");
  if (which & kPrecisionOption)
    cmd.add_option("--precision", common.precision,
                   "GPU backbone arithmetic: fp32, tf32 or bf16 (FP32 accumulation; the CPU is fp32)")
        ->check(CLI::IsMember({"fp32", "tf32", "bf16"}))
        ->capture_default_str();
  if (which & kKernelsOption)
    cmd.add_option("--kernels", common.kernels, "GPU kernels: ours, or cudnn (cuDNN convolutions, cuBLAS GEMMs)")
        ->check(CLI::IsMember({"ours", "cudnn"}))
        ->capture_default_str();
}

BackboneMath resolve_backbone_math(const CommonOptions& common, Device device, std::ostream& log) {
  BackboneMath math;
  if (device.is_cpu()) {
    if (common.precision != "fp32" || common.kernels != "ours")
      log << "tl: the CPU runs fp32 with tl's reference kernels (--precision " << common.precision
          << " --kernels " << common.kernels << " apply to a GPU)\n";
    return math;
  }
  math.precision = parse_precision(common.precision);
  math.lib = parse_kernel_lib(common.kernels);
  log << "tl: backbone in " << precision_name(math.precision) << " with "
      << (math.lib == KernelLib::ours ? "tl's kernels" : "cuDNN/cuBLAS") << "\n";
  return math;
}

std::string examples_footer(std::initializer_list<std::string> examples) {
  std::string footer = examples.size() == 1 ? "Example:" : "Examples:";
  for (const std::string& e : examples) footer += "\n  " + e;
  return footer;
}

Device resolve_device(const std::string& requested, std::ostream& log) {
  const CudaStatus& status = cuda_status();
  if (requested == "auto") {
    if (status.usable) {
      log << "tl: device cuda:0 (auto): " << status.description << "\n";
      return Device::cuda(0);
    }
    log << "tl: device cpu (auto): no usable CUDA GPU (" << status.reason << ")\n";
    return Device::cpu();
  }
  const Device device = parse_device(requested);
  if (device.is_cuda()) {
    TL_CHECK(status.usable, "--device " << requested << ": no usable CUDA GPU (" << status.reason
                                        << "); use --device cpu or auto");
    TL_CHECK(device.index < status.device_count,
             "--device " << requested << ": only " << status.device_count << " CUDA device(s) present");
    log << "tl: device " << device << ": " << status.description << "\n";
  } else {
    log << "tl: device cpu\n";
  }
  return device;
}

std::string one_line(const std::string& message) {
  std::string out;
  for (char c : message) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else if (c != '\r') {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

}  // namespace tl::app
