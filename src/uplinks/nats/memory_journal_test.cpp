#include "uplinks/nats/memory_journal.hpp"

#include <filesystem>

#include <gtest/gtest.h>

namespace spindle::uplinks::nats {
namespace {

model::Batch batchOf(std::size_t n) {
  model::Batch b(n);
  for (std::size_t i = 0; i < n; ++i) b[i].value = static_cast<std::int64_t>(i);
  return b;
}

TEST(NatsMemoryJournal, AssignsSequencesAndReadsWholeRecords) {
  MemoryJournal j(100, 1000);
  EXPECT_EQ(j.append(batchOf(10)), std::optional<std::uint64_t>(1000));
  EXPECT_EQ(j.append(batchOf(5)), std::optional<std::uint64_t>(1010));
  EXPECT_EQ(j.append(batchOf(5)), std::optional<std::uint64_t>(1015));
  EXPECT_EQ(j.endSequence(), 1020u);
  std::vector<JournalRecord> out;
  ASSERT_TRUE(j.read(1012, UINT64_MAX, 1, out).ok());  // at least the record holding 1012
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].firstSequence, 1010u);
  out.clear();
  ASSERT_TRUE(j.read(1000, 1015, 100, out).ok());  // `to` excludes records starting at 1015
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].endSequence(), 1015u);
}

TEST(NatsMemoryJournal, IsBoundedAndReleases) {
  MemoryJournal j(20, 1);
  EXPECT_TRUE(j.append(batchOf(15)));
  EXPECT_FALSE(j.append(batchOf(10)));
  j.release(16);
  EXPECT_EQ(j.beginSequence(), 16u);
  EXPECT_EQ(j.size(), 0u);
  EXPECT_TRUE(j.append(batchOf(50)));  // an empty journal takes any batch
}

TEST(NatsFileCursorStore, SavesAtomicallyAndLoads) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("nats_cursor_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  FileCursorStore store((dir / "sub" / "nats.cursor").string());
  auto empty = store.load();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  ASSERT_TRUE(store.save("v1 10 20-30").ok());
  ASSERT_TRUE(store.save("v1 40").ok());
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, "v1 40");
  EXPECT_FALSE(std::filesystem::exists(store.path() + ".tmp"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spindle::uplinks::nats
