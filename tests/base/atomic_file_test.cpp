#include "mosaic/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "testing/temp_dir.h"

namespace mosaic {
namespace {

using testing::ReadBytes;
using testing::TempDir;

TEST(AtomicFileWriter, FileAppearsOnlyAfterCommit) {
  TempDir dir;
  const std::string path = dir.File("out.bin");
  {
    StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE(writer->Append("hello", 5).ok());
    EXPECT_FALSE(std::filesystem::exists(path));
    ASSERT_TRUE(writer->Commit().ok());
  }
  EXPECT_EQ(ReadBytes(path), (std::vector<char>{'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(dir.List(), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFileWriter, AbandonedWriteLeavesOldFileAndNoTemporary) {
  TempDir dir;
  const std::string path = dir.File("out.bin");
  testing::WriteBytes(path, {'o', 'l', 'd'});
  {
    StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->Append("new content", 11).ok());
    // Destroyed without Commit(), as after an error or cancellation.
  }
  EXPECT_EQ(ReadBytes(path), (std::vector<char>{'o', 'l', 'd'}));
  EXPECT_EQ(dir.List(), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFileWriter, ReadOnlyDirectoryIsAnIOErrorNamingIt) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  std::filesystem::permissions(
      dir.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(dir.File("out.bin"));
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kIOError);
}

TEST(AtomicFileWriter, UseAfterCommitIsAnErrorNotACrash) {
  TempDir dir;
  const std::string path = dir.File("out.bin");
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(writer->Commit().code(), StatusCode::kInternal);
  EXPECT_EQ(writer->Append("x", 1).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace mosaic
