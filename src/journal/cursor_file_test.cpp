#include "journal/cursor_file.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "journal/crc32c.hpp"
#include "journal/format.hpp"
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

TEST(JournalCursorFile, KeepsAcknowledgedRangesAboveTheWatermark) {
  testing::TempDir dir("cursor");
  const std::string path = (dir.path() / "c.cursor").string();
  {
    auto c = CursorFile::open(path, posixFileIo());
    ASSERT_TRUE(c.ok());
    // A range below the watermark and an overlapping one are not stored.
    ASSERT_TRUE(c->store(10, true, {{5, 8}, {20, 30}, {25, 40}, {50, 60}}).ok());
  }
  auto state = readCursorFile(path);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->next, 10u);
  EXPECT_EQ(state->acked, (std::vector<SequenceRange>{{20, 30}, {50, 60}}));
  // At most kCursorMaxRanges, the lowest.
  std::vector<SequenceRange> many;
  for (std::uint64_t i = 0; i < kCursorMaxRanges + 20; ++i)
    many.emplace_back(100 + 4 * i, 102 + 4 * i);
  auto c = CursorFile::open(path, posixFileIo());
  ASSERT_TRUE(c->store(100, true, many).ok());
  state = readCursorFile(path);
  ASSERT_EQ(state->acked.size(), kCursorMaxRanges);
  EXPECT_EQ(state->acked.front(), many.front());
  EXPECT_EQ(state->acked.back(), many[kCursorMaxRanges - 1]);
}

TEST(JournalCursorFile, ReadsAVersionOneFileAndUpgradesItWithoutRiskingIt) {
  testing::TempDir dir("cursor");
  const std::string path = (dir.path() / "c.cursor").string();
  {
    // Version 1: two 32-byte slots; generation 3 (slot 1) holds next = 42.
    unsigned char bytes[64] = {};
    auto slot = [&](unsigned char* out, std::uint64_t generation, std::uint64_t next) {
      putU32(out, 0x75437053);
      putU16(out + 4, 1);
      putU64(out + 8, generation);
      putU64(out + 16, next);
      putU32(out + 28, crc32c(out, 28));
    };
    slot(bytes, 2, 40);
    slot(bytes + 32, 3, 42);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes), 64);
  }
  auto c = CursorFile::open(path, posixFileIo());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->loaded().has_value());
  EXPECT_EQ(c->loaded()->next, 42u);
  ASSERT_TRUE(c->store(50, true, {{60, 70}}).ok());
  // The first version 2 slot went to the second 4 KiB: the version 1 slots are intact.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kCursorSlotSize + 100);
    f.write("\x55", 1);  // that write torn
  }
  auto state = readCursorFile(path);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->next, 42u);
  ASSERT_TRUE(c->store(51, true).ok());
  state = readCursorFile(path);
  EXPECT_EQ(state->next, 51u);
}

}  // namespace
}  // namespace spindle::journal
