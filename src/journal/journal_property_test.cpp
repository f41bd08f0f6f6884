// Property test: random sequences of append, commit, poll, read-from-anywhere, clean reopen
// and crash (the directory as it stood mid-run, plus a random cut of everything not yet
// durable) against a model. After every reopen: everything that was durable is there, whole,
// in order, and the journal holds one contiguous run of sequences.

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "journal/inspect.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "journal/testing/journal_testing.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;
using testing::intValue;

class JournalProperty : public ::testing::TestWithParam<int> {
 protected:
  Settings settings(std::mt19937& rng) {
    Settings s;
    s.dir = m_dir.str();
    const int mode = static_cast<int>(rng() % 3);
    s.sync = mode == 0   ? SyncPolicy{SyncMode::kAlways, {}}
             : mode == 1 ? SyncPolicy{SyncMode::kNever, {}}
                         : SyncPolicy{SyncMode::kInterval, std::chrono::hours(1)};
    s.syncSize = rng() % 2 ? 0 : 2048;
    s.segmentSize = 4096 + rng() % 8192;
    s.compress = rng() % 2 == 0;
    return s;
  }
  void append(Journal& j, std::mt19937& rng) {
    const auto m = m_catalog.addMachine("m" + std::to_string(rng() % 3));
    const std::uint64_t first = j.stats().nextSequence;
    const int n = 1 + static_cast<int>(rng() % 50);
    model::Batch b;
    for (int i = 0; i < n; ++i) {
      b.push_back({m, m_catalog.intern(m, "k" + std::to_string(rng() % 20)).value(),
                   static_cast<TimestampNs>(first + i), model::Kind::kSample, 0,
                   static_cast<std::int64_t>(first + i)});
    }
    auto r = j.append(b, m_catalog);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    ASSERT_EQ(r->firstSequence, first);
    m_next = first + n;
  }
  /// Reads [from, durable end) and checks value == sequence, no gaps.
  void checkRead(const Journal& j, std::uint64_t from) {
    model::ItemCatalog catalog;
    JournalReader reader(j, catalog, from, makeLogger("test"));
    std::uint64_t expected = from;
    while (true) {
      auto c = reader.read(1 + m_rng() % 300);
      ASSERT_EQ(c.evicted, 0u);
      ASSERT_EQ(c.damaged, 0u);
      if (c.observations.empty()) break;
      ASSERT_EQ(c.firstSequence, expected);
      for (const auto& o : c.observations) {
        ASSERT_EQ(intValue(o), static_cast<std::int64_t>(expected));
        ++expected;
      }
    }
    ASSERT_EQ(expected, std::max(from, j.durableSequence()));
  }
  /// The directory as a crash would leave it: files as they are now, then anything past the
  /// durable end of the active segment cut at a random point (a power loss).
  void crash(std::unique_ptr<Journal>& j, std::mt19937& rng) {
    const std::uint64_t durable = j->durableSequence();
    const auto view = durable > 1 ? j->segmentFor(durable - 1) : std::nullopt;
    const fs::path snapshot = m_dir.path().string() + ".snap";
    fs::remove_all(snapshot);
    fs::copy(m_dir.path(), snapshot, fs::copy_options::recursive);
    j.reset();
    fs::remove_all(m_dir.path());
    fs::rename(snapshot, m_dir.path());
    std::string last;
    for (const auto& e : fs::directory_iterator(m_dir.path())) {
      if (e.path().extension() == ".seg" && e.path().string() > last) last = e.path().string();
    }
    const std::uint64_t keep = view && view->active ? view->readableBytes : kSegmentHeaderSize;
    const std::uint64_t size = fs::file_size(last);
    if (rng() % 2 && size > keep) fs::resize_file(last, keep + rng() % (size - keep + 1));
    m_durableBeforeCrash = durable;
  }

  testing::TempDir m_dir{"property"};
  testing::ManualClock m_clock;
  model::ItemCatalog m_catalog;
  std::mt19937 m_rng{static_cast<unsigned>(GetParam())};
  std::uint64_t m_next = 1;
  std::uint64_t m_durableBeforeCrash = 0;
};

TEST_P(JournalProperty, DurableDataSurvivesAnySequenceOfOperations) {
  std::mt19937& rng = m_rng;
  Settings s = settings(rng);
  auto opened = Journal::open(s, m_clock);
  ASSERT_TRUE(opened.ok());
  auto j = std::move(*opened);
  for (int op = 0; op < 120; ++op) {
    const int what = static_cast<int>(rng() % 20);
    if (what < 11) {
      append(*j, rng);
    } else if (what < 13) {
      ASSERT_TRUE(j->commit().ok());
      ASSERT_EQ(j->durableSequence(), m_next);
    } else if (what < 15) {
      j->poll();
    } else if (what < 17) {
      const std::uint64_t durable = j->durableSequence();
      checkRead(*j, 1 + (durable > 1 ? rng() % durable : 0));
    } else if (what < 18) {
      j->close();
      j.reset();
      s = settings(rng);  // options may change between runs
      auto again = Journal::open(s, m_clock);
      ASSERT_TRUE(again.ok());
      j = std::move(*again);
      ASSERT_EQ(j->durableSequence(), m_next);  // a clean close commits everything
      checkRead(*j, 1);
    } else {
      crash(j, rng);
      auto again = Journal::open(s, m_clock);
      ASSERT_TRUE(again.ok());
      j = std::move(*again);
      const std::uint64_t recovered = j->durableSequence();
      ASSERT_GE(recovered, m_durableBeforeCrash) << "op " << op;
      ASSERT_LE(recovered, m_next);
      m_next = recovered;
      ASSERT_EQ(j->stats().corruptRecords, 0u);
      checkRead(*j, 1);
    }
  }
  j->close();
  auto report = inspectJournal(m_dir.str(), true);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
  EXPECT_FALSE(report->segments.back().tornTail.has_value());
}

INSTANTIATE_TEST_SUITE_P(JournalSeeds, JournalProperty, ::testing::Range(1, 25));

}  // namespace
}  // namespace spindle::journal
