#include "journal/journal_options.hpp"

#include <gtest/gtest.h>

namespace spindle::journal {
namespace {

TEST(JournalOptions, SyncPolicySpellings) {
  auto p = parseSyncPolicy("50ms");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mode, SyncMode::kInterval);
  EXPECT_EQ(p->interval, std::chrono::milliseconds(50));
  EXPECT_EQ(toString(*p), "50ms");
  EXPECT_EQ(parseSyncPolicy("always")->mode, SyncMode::kAlways);
  EXPECT_EQ(parseSyncPolicy("never")->mode, SyncMode::kNever);
  EXPECT_FALSE(parseSyncPolicy("0s").ok());
  EXPECT_FALSE(parseSyncPolicy("50").ok());
  EXPECT_FALSE(parseSyncPolicy("often").ok());
}

TEST(JournalOptions, ResolveChecksRelationsAndPaths) {
  JournalOptions o;
  auto s = resolveSettings(o, "data");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dir, "data/journal");
  o.dir = "/abs/j";
  EXPECT_EQ(resolveSettings(o, "data")->dir, "/abs/j");
  o.segmentSize = ByteSize{1 << 20};
  o.maxSize = ByteSize{(1 << 20) + 1};
  auto bad = resolveSettings(o, "data");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("journal.max_size must be at least twice"),
            std::string::npos);
  o = JournalOptions{};
  o.retryMin = std::chrono::seconds(10);
  EXPECT_FALSE(resolveSettings(o, "d").ok());
  o = JournalOptions{};
  o.sendBatch = 0;
  EXPECT_FALSE(resolveSettings(o, "d").ok());
}

}  // namespace
}  // namespace spindle::journal
