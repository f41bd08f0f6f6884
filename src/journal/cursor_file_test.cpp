#include "journal/cursor_file.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;

TEST(JournalCursorFile, StoresAndReloadsTheLatestPosition) {
  testing::TempDir dir("cursor");
  const std::string path = (dir.path() / "c.cursor").string();
  {
    auto c = CursorFile::open(path, posixFileIo());
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(c->loaded().has_value());
    EXPECT_TRUE(c->wasMissing());
    for (std::uint64_t next = 1; next <= 7; ++next) ASSERT_TRUE(c->store(next * 10, false).ok());
  }
  auto c = CursorFile::open(path, posixFileIo());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->loaded().has_value());
  EXPECT_EQ(c->loaded()->next, 70u);
  EXPECT_EQ(c->loaded()->generation, 7u);
  EXPECT_EQ(fs::file_size(path), 2 * kCursorSlotSize);
}

TEST(JournalCursorFile, ATornWriteFallsBackToThePreviousPosition) {
  testing::TempDir dir("cursor");
  const std::string path = (dir.path() / "c.cursor").string();
  {
    auto c = CursorFile::open(path, posixFileIo());
    ASSERT_TRUE(c->store(100, false).ok());  // generation 1 -> slot 1
    ASSERT_TRUE(c->store(200, false).ok());  // generation 2 -> slot 0
  }
  {
    // The write of slot 0 was torn: half its bytes are garbage.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.write("\x55\x55\x55\x55", 4);
  }
  auto state = readCursorFile(path);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->next, 100u);
  // Both slots damaged: no position, and the reason says so.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kCursorSlotSize + 3);
    f.write("\x55", 1);
  }
  std::string problem;
  EXPECT_FALSE(readCursorFile(path, &problem).has_value());
  EXPECT_EQ(problem, "both cursor slots are damaged");
  auto c = CursorFile::open(path, posixFileIo());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->loaded().has_value());
  EXPECT_FALSE(c->wasMissing());
}

}  // namespace
}  // namespace spindle::journal
