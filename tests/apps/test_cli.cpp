// The `tl` command line as a user meets it: the built binary is run with good and bad
// arguments, and its exit code (0 ok, 1 runtime error, 2 usage error), stdout and stderr checked.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/common_options.h"
#include "tests/common/run_tl.h"
#include "engine/device.h"
#include "kernels/common/error.h"

namespace tl::app {
namespace {

namespace fs = std::filesystem;

using test::read_text;
using test::RunResult;

// Runs `tl <args>`, capturing its output in a scratch folder removed afterwards.
RunResult run_tl(const std::string& args) {
  const fs::path dir = fs::temp_directory_path() / ("tl_cli_" + std::to_string(::getpid()));
  RunResult result = test::run_tl(args, dir);
  fs::remove_all(dir);
  return result;
}

TEST(Cli, InfoSucceeds) {
  const RunResult r = run_tl("info");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("CUDA backend"), std::string::npos) << r.out;
}

TEST(Cli, InfoJsonParses) {
  const RunResult r = run_tl("info --json --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json info = nlohmann::json::parse(r.out);  // stdout is pure JSON
  EXPECT_EQ(info["cpu_threads"].get<int>(), 1);
  EXPECT_EQ(info["cuda"]["usable"].get<bool>(), cuda_available());
}

TEST(Cli, UsageErrorsExitWithTwo) {
  for (const std::string args : {"", "no-such-command", "info --no-such-option", "info --threads -3",
                                 "info --threads many", "info a.h5 b.h5"}) {
    const RunResult r = run_tl(args);
    EXPECT_EQ(r.exit_code, 2) << "tl " << args << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_FALSE(r.err.empty()) << "tl " << args << " should say what is wrong on stderr";
  }
}

TEST(Cli, RuntimeErrorExitsWithOneAndOneLine) {
  const RunResult r = run_tl("info /no/such/weights.h5");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("tl: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("/no/such/weights.h5"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Cli, HelpExitsWithZeroAndShowsExamples) {
  const RunResult top = run_tl("--help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("info"), std::string::npos) << top.out;
  const RunResult info = run_tl("info --help");
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_NE(info.out.find("Examples:\n  tl info"), std::string::npos) << info.out;
}

TEST(CommonOptions, DeviceOptionValidatesAsUsageError) {
  CLI::App app;
  CommonOptions common;
  add_common_options(app, common);
  EXPECT_NO_THROW(app.parse("--device cuda:1 --batch 8 --seed 7 --json", false));
  EXPECT_EQ(common.device, "cuda:1");
  EXPECT_EQ(common.batch, 8);
  EXPECT_EQ(common.seed, 7u);
  EXPECT_TRUE(common.json);
  CLI::App bad;
  add_common_options(bad, common);
  EXPECT_THROW(bad.parse("--device gpu", false), CLI::ValidationError);
  CLI::App zero_batch;
  add_common_options(zero_batch, common);
  EXPECT_THROW(zero_batch.parse("--batch 0", false), CLI::ValidationError);
}

TEST(CommonOptions, ResolvesDeviceAndSaysWhich) {
  std::ostringstream log;
  EXPECT_EQ(resolve_device("cpu", log), Device::cpu());
  EXPECT_EQ(log.str(), "tl: device cpu\n");
  log.str("");
  const Device automatic = resolve_device("auto", log);
  EXPECT_EQ(automatic, cuda_available() ? Device::cuda(0) : Device::cpu());
  EXPECT_NE(log.str().find(cuda_available() ? "tl: device cuda:0 (auto)"
                                            : "tl: device cpu (auto): no usable CUDA GPU"),
            std::string::npos)
      << log.str();
  if (!cuda_available()) {
    EXPECT_THROW(resolve_device("cuda", log), Error);
  }
  EXPECT_THROW(resolve_device("tpu", log), Error);
}

TEST(CommonOptions, ErrorsBecomeOneLine) {
  EXPECT_EQ(one_line("bad file\nexpected HDF5\n"), "bad file; expected HDF5");
  EXPECT_EQ(one_line("plain"), "plain");
}

}  // namespace
}  // namespace tl::app
