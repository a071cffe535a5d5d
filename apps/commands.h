// The subcommands of `tl`. Each lives in its own apps/cmd_<name>.cpp and registers itself on
// the top-level CLI11 app; main.cpp calls every add_*_command below.
#pragma once

#include <CLI/CLI.hpp>

namespace tl::app {

// Options every subcommand shares (--device, --threads, --seed, --batch, --json, and for the
// commands that run a backbone --precision and --kernels).
struct CommonOptions {
  std::string device = "auto";
  int threads = 0;
  uint64_t seed = 0;
  int batch = 32;
  bool json = false;
  std::string precision = "fp32";  // --precision fp32|tf32|bf16 (GPU backbone; the CPU is always fp32)
  std::string kernels = "ours";    // --kernels ours|cudnn (GPU: our kernels or cuDNN/cuBLAS)
};

void add_info_command(CLI::App& app, CommonOptions& common);
void add_extract_command(CLI::App& app, CommonOptions& common);
void add_train_command(CLI::App& app, CommonOptions& common);
void add_eval_command(CLI::App& app, CommonOptions& common);
void add_predict_command(CLI::App& app, CommonOptions& common);
void add_demo_command(CLI::App& app, CommonOptions& common);
void add_bench_command(CLI::App& app, CommonOptions& common);

}  // namespace tl::app
