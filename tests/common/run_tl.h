// Runs the built `tl` binary (TL_BIN_DIR/tl) as a user would, for the command-line tests:
// stdout and stderr are captured through files in `scratch_dir`, stdin is /dev/null, and the
// exit code is returned (-1 when the process did not exit normally).
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tl::test {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `env` is prefixed to the command line (e.g. "HOME='/tmp/x' "), `args` follow `tl`.
inline RunResult run_tl(const std::string& args, const std::filesystem::path& scratch_dir,
                        const std::string& env = "") {
  std::filesystem::create_directories(scratch_dir);
  const std::string command = env + "'" + std::string(TL_BIN_DIR) + "/tl' " + args + " > '" +
                              (scratch_dir / "out").string() + "' 2> '" + (scratch_dir / "err").string() +
                              "' < /dev/null";
  const int status = std::system(command.c_str());
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(scratch_dir / "out");
  result.err = read_text(scratch_dir / "err");
  return result;
}

}  // namespace tl::test
