// The options every `tl` subcommand shares, and how they are resolved.
//
//   --device cpu|cuda|cuda:N|auto   auto (the default): cuda:0 when a GPU is usable, else cpu;
//                                   the choice is reported on stderr in one line
//   --threads N                     CPU threads (0: all cores)
//   --seed N                        seed of every random generator of the run
//   --batch N                       images per batch
//   --json                          machine-readable results on stdout (everything else on stderr)
//   --precision fp32|tf32|bf16      the GPU backbone's arithmetic (FP32 accumulation always);
//                                   the CPU path is FP32 whatever is asked (said on stderr)
//   --kernels ours|cudnn            GPU kernels: tl's own, or cuDNN convolutions + cuBLAS GEMMs
//
// Exit codes of tl (main.cpp): 0 ok, 1 runtime error (one line on stderr), 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <ostream>
#include <string>

#include "apps/commands.h"
#include "engine/device.h"
#include "engine/ops.h"

namespace tl::app {

enum CommonOption : unsigned {
  kDeviceOption = 1u << 0,
  kThreadsOption = 1u << 1,
  kSeedOption = 1u << 2,
  kBatchOption = 1u << 3,
  kJsonOption = 1u << 4,
  kPrecisionOption = 1u << 5,
  kKernelsOption = 1u << 6,
  kAllCommonOptions = 0x7fu,
};

// Adds the chosen common options (a mask of CommonOption) to `cmd`, bound to `common`, with
// validation that makes bad values usage errors (exit code 2).
void add_common_options(CLI::App& cmd, CommonOptions& common, unsigned which = kAllCommonOptions);

// "Examples:\n  tl train ...\n  ..." for a subcommand's --help footer.
std::string examples_footer(std::initializer_list<std::string> examples);

// The device a run uses: "auto" picks cuda:0 when a GPU is usable, else cpu; an explicit "cuda"
// without a usable GPU is a tl::Error saying why. Writes one line saying which device and why
// to `log` (tl prints it on stderr).
Device resolve_device(const std::string& requested, std::ostream& log);

// What --precision and --kernels ask for, resolved for `device`: on the CPU both are ignored
// (fp32, tl's reference kernels) and, when something else was asked, one line on `log` says so.
struct BackboneMath {
  Precision precision = Precision::fp32;
  KernelLib lib = KernelLib::ours;
};
BackboneMath resolve_backbone_math(const CommonOptions& common, Device device, std::ostream& log);

// An error message as the one line tl prints: newlines become "; ".
std::string one_line(const std::string& message);

}  // namespace tl::app
