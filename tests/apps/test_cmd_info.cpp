// `tl info WEIGHTS.h5` run as a process on the fixtures: it must describe each one.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

struct ProcessResult {
  int exit_code;
  std::string output;  // stdout and stderr
};

ProcessResult run_tl(const std::string& args) {
  const std::string command = std::string(TL_BIN_DIR) + "/tl " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (!pipe) return {-1, ""};
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

const std::string kDir = std::string(TL_TEST_DATA_DIR) + "/resnet/";

// Expects a line "  <key>   <value>" (any run of spaces between).
void expect_field(const std::string& output, const std::string& key, const std::string& value) {
  const size_t at = output.find("  " + key + " ");
  ASSERT_NE(at, std::string::npos) << "no '" << key << "' in:\n" << output;
  const size_t end = output.find('\n', at);
  const std::string line = output.substr(at, end - at);
  const size_t v = line.find_first_not_of(' ', 2 + key.size());
  EXPECT_EQ(line.substr(v, value.size()), value) << line;
}

TEST(CmdInfo, DescribesTheBasicBlockFixture) {
  const ProcessResult r = run_tl("info " + kDir + "resnet18_w8.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_field(r.output, "source layout", "torchvision");
  expect_field(r.output, "architecture", "resnet18");
  expect_field(r.output, "depth", "18 (blocks per stage 2, 2, 2, 2)");
  expect_field(r.output, "block kind", "basic");
  expect_field(r.output, "stride at", "3x3 conv (v1.5)");
  // torchvision counts 177362 parameters for this net (printed by the fixture generator).
  expect_field(r.output, "parameters", "177362");
  expect_field(r.output, "feature dim", "64");
  expect_field(r.output, "classes", "10");
  expect_field(r.output, "preprocessing", "torchvision (RGB");
  expect_field(r.output, "BN epsilon", "1e-05");
  expect_field(r.output, "input size", "224");
}

TEST(CmdInfo, DescribesTheBottleneckFixture) {
  const ProcessResult r = run_tl("info " + kDir + "resnet50_w4.h5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_field(r.output, "architecture", "resnet50");
  expect_field(r.output, "block kind", "bottleneck");
  expect_field(r.output, "parameters", "96395");
  expect_field(r.output, "feature dim", "128");
  expect_field(r.output, "classes", "7");
}

TEST(CmdInfo, BadFileIsOneErrorLineAndExitCodeOne) {
  const ProcessResult r = run_tl("info " + kDir + "does_not_exist.h5");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("tl: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("does_not_exist.h5"), std::string::npos) << r.output;
}

}  // namespace
