// `tl info`: what this build of tl is and what it runs on.
#include <iostream>

#include "apps/commands.h"
#include "engine/device.h"
#include "kernels/cpu/threads.h"

namespace tl::app {

namespace {

void run_info(const CommonOptions& common) {
  cpu::set_num_threads(common.threads);
  std::cout << "tl " << "0.1.0" << "\n"
            << "  CUDA backend   " << (TL_HAS_CUDA ? "built" : "not built") << "\n"
            << "  CPU threads    " << cpu::num_threads() << "\n"
            << "  " << cuda_status_line() << "\n";
}

}  // namespace

void add_info_command(CLI::App& app, CommonOptions& common) {
  CLI::App* cmd = app.add_subcommand("info", "Describe this build of tl and the devices it can use")
                      ->footer("Example:\n  tl info");
  cmd->add_option("--threads", common.threads, "CPU threads (0: all cores)");
  cmd->callback([&common] { run_info(common); });
}

}  // namespace tl::app
