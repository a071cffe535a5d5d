// Atomic output of a real writer: a process killed while it saves a head checkpoint leaves
// the previous checkpoint intact and loadable (loaders/atomic_write.h under save_head_checkpoint).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "loaders/atomic_write.h"
#include "loaders/head_checkpoint.h"

namespace tl {
namespace {

TEST(AtomicCheckpoint, KillingASaveMidwayLeavesTheOldCheckpoint) {
  namespace fs = std::filesystem;
  const std::string path =
      (fs::temp_directory_path() / ("tl_atomic_checkpoint_" + std::to_string(getpid()) + ".h5")).string();
  const BackboneIdentity backbone{"resnet18", "xxh64:0000000000000001", "r18.h5"};
  const Preprocessing pre = Preprocessing::from_preset("torchvision");
  Head old_head(HeadConfig{HeadKind::linear, 4, 0, 2, 0.0f, 1});
  save_head_checkpoint(path, old_head, {"old_a", "old_b"}, backbone, pre);

  Head big(HeadConfig{HeadKind::linear, 4096, 0, 1000, 0.0f, 2});  // 16 MB, built before fork()
  const std::vector<std::string> names(1000, "new");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // saves the big checkpoint over and over until killed
    for (;;) save_head_checkpoint(path, big, names, backbone, pre);
  }
  // Kill it while its temporary file exists, i.e. in the middle of a save.
  const std::string temp = path + ".tmp-" + std::to_string(child);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(temp) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  const bool caught_midway = fs::exists(temp);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(caught_midway) << "the writer never started a save";

  // Either the old checkpoint or a complete new one (if a save finished before the kill): never a torn file.
  const HeadCheckpoint loaded = load_head_checkpoint(path);
  if (loaded.config.in_features == 4) {
    EXPECT_EQ(loaded.class_names, (std::vector<std::string>{"old_a", "old_b"}));
  } else {
    EXPECT_EQ(loaded.config.in_features, 4096);
    EXPECT_EQ(loaded.class_names.size(), 1000u);
  }
  fs::remove(temp);
  fs::remove(path);
}

}  // namespace
}  // namespace tl
