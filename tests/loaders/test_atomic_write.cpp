// Atomic output: a writer killed midway leaves the previous file intact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kernels/common/error.h"
#include "loaders/atomic_write.h"

namespace tl {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tl_atomic_" + name + "_" + std::to_string(getpid()))).string();
}

TEST(AtomicWrite, ReplacesTheFileWhenTheWriterSucceeds) {
  const std::string path = temp_file("ok");
  std::ofstream(path) << "old";
  write_file_atomically(path, [](const std::string& tmp) { std::ofstream(tmp) << "new contents"; });
  EXPECT_EQ(read_all(path), "new contents");
  EXPECT_FALSE(std::filesystem::exists(atomic_temp_path(path)));
}

TEST(AtomicWrite, KeepsTheOldFileWhenTheWriterThrows) {
  const std::string path = temp_file("throws");
  std::ofstream(path) << "old";
  EXPECT_THROW(write_file_atomically(path,
                                     [](const std::string& tmp) {
                                       std::ofstream(tmp) << "half";
                                       TL_FAIL("disk full");
                                     }),
               Error);
  EXPECT_EQ(read_all(path), "old");
  EXPECT_FALSE(std::filesystem::exists(atomic_temp_path(path)));
}

TEST(AtomicWrite, BytesRoundTripExactlyAndErrorsNameThePath) {
  const std::string path = temp_file("bytes");
  std::ofstream(path) << "old";
  const std::string bytes("a\0b\n\xff\r\n", 7);  // NUL, CR/LF and high bytes are kept as they are
  write_bytes_atomically(path, bytes);
  EXPECT_EQ(read_all(path), bytes);
  EXPECT_FALSE(std::filesystem::exists(atomic_temp_path(path)));
  const std::string nowhere = temp_file("no_such_folder") + "/metrics.csv";
  try {
    write_bytes_atomically(nowhere, "x");
    ADD_FAILURE() << "writing into a missing folder must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(nowhere), std::string::npos) << e.what();
  }
}

TEST(AtomicWrite, KeepsTheOldFileWhenTheWriterIsKilledMidway) {
  const std::string path = temp_file("killed");
  const std::string old_contents(100000, 'o');
  std::ofstream(path) << old_contents;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the writer: writes half a file, signals, then waits to be killed
    write_file_atomically(path, [&](const std::string& tmp) {
      std::ofstream out(tmp);
      out << std::string(50000, 'n');
      out.flush();
      (void)!write(ready[1], "x", 1);
      pause();
    });
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(read_all(path), old_contents) << "the killed writer must not have touched the target";
  std::filesystem::remove(path + ".tmp-" + std::to_string(child));  // the child's leftover temp file
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace tl
