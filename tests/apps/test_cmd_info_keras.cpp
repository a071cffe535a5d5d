// `tl info WEIGHTS.h5` on the Keras fixtures (tests/data/keras, tools/gen_keras_fixtures.py),
// run as a process: it must describe each generation as Keras built it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

// stdout and stderr of `tl <args>`, and whether it exited with 0.
std::string run_tl_ok(const std::string& args) {
  const std::string command = std::string(TL_BIN_DIR) + "/tl " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (!pipe) return "";
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << output;
  return output;
}

// The value of the line "  <key>   <value>".
std::string field(const std::string& output, const std::string& key) {
  const size_t at = output.find("  " + key + " ");
  if (at == std::string::npos) return "<no '" + key + "' line>";
  const std::string line = output.substr(at, output.find('\n', at) - at);
  return line.substr(line.find_first_not_of(' ', 2 + key.size()));
}

const std::string kDir = std::string(TL_TEST_DATA_DIR) + "/keras/";

// Both generations: ResNet50 structure at 1/32 width (64 -> 2 stem channels, 2048 -> 64
// features), 10 classes. Keras' model.count_params() is 27990 for it, of which 1660 are BN
// running statistics; tl counts trainable parameters like torchvision: 26330 (25680 without
// the 64 x 10 + 10 head). Both numbers come from the generator (reference files' attributes).
TEST(CmdInfoKeras, DescribesTheCurrentGeneration) {
  const std::string out = run_tl_ok("info " + kDir + "new_top.h5");
  EXPECT_EQ(field(out, "source layout"), "keras");
  EXPECT_EQ(field(out, "architecture"), "resnet50");
  EXPECT_EQ(field(out, "depth"), "50 (blocks per stage 3, 4, 6, 3)");
  EXPECT_EQ(field(out, "block kind"), "bottleneck");
  EXPECT_EQ(field(out, "stride at"), "first 1x1 conv (v1)");
  EXPECT_EQ(field(out, "conv bias"), "yes");
  EXPECT_EQ(field(out, "parameters"), "26330");
  EXPECT_EQ(field(out, "feature dim"), "64");
  EXPECT_EQ(field(out, "classes"), "10");
  EXPECT_EQ(field(out, "preprocessing").substr(0, 11), "caffe (BGR,");
  EXPECT_EQ(field(out, "BN epsilon"), "1.001e-05");
}

TEST(CmdInfoKeras, DescribesTheLegacyGeneration) {
  const std::string out = run_tl_ok("info " + kDir + "old_top.h5");
  EXPECT_EQ(field(out, "architecture"), "resnet50");
  EXPECT_EQ(field(out, "stride at"), "first 1x1 conv (v1)");
  EXPECT_EQ(field(out, "parameters"), "26330");
  EXPECT_EQ(field(out, "BN epsilon"), "0.001");
}

TEST(CmdInfoKeras, DescribesAWholeModelFileWithoutHead) {
  const std::string out = run_tl_ok("info " + kDir + "new_whole_notop.h5");
  EXPECT_EQ(field(out, "source layout"), "keras");
  EXPECT_EQ(field(out, "parameters"), "25680");
  EXPECT_EQ(field(out, "classes"), "0 (no head)");
  EXPECT_EQ(field(out, "feature dim"), "64");
}

}  // namespace
