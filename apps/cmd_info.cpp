// `tl info`: what this build of tl is and what it runs on.
#include <iostream>

#include <nlohmann/json.hpp>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "engine/device.h"
#include "kernels/cpu/threads.h"

namespace tl::app {

namespace {

void run_info(const CommonOptions& common) {
  cpu::set_num_threads(common.threads);
  const CudaStatus& cuda = cuda_status();
  if (common.json) {
    nlohmann::json info = {{"version", "0.1.0"},
                           {"cuda_backend_built", static_cast<bool>(TL_HAS_CUDA)},
                           {"cpu_threads", cpu::num_threads()},
                           {"cuda", {{"usable", cuda.usable},
                                     {"device_count", cuda.device_count},
                                     {"description", cuda.description},
                                     {"reason", cuda.reason}}}};
    std::cout << info.dump(2) << "\n";
    return;
  }
  std::cout << "tl " << "0.1.0" << "\n"
            << "  CUDA backend   " << (TL_HAS_CUDA ? "built" : "not built") << "\n"
            << "  CPU threads    " << cpu::num_threads() << "\n"
            << "  " << cuda_status_line() << "\n";
}

}  // namespace

void add_info_command(CLI::App& app, CommonOptions& common) {
  CLI::App* cmd = app.add_subcommand("info", "Describe this build of tl and the devices it can use")
                      ->footer(examples_footer({"tl info", "tl info --json"}));
  add_common_options(*cmd, common, kThreadsOption | kJsonOption);
  cmd->callback([&common] { run_info(common); });
}

}  // namespace tl::app
