// A real full disk: a 2 MiB tmpfs mounted by the test (root and mount(2) needed; skipped with
// a message otherwise), a journal told it may use far more. Writes fail with ENOSPC for real;
// the journal does not crash, applies its policy, logs one clear line, and keeps whole,
// contiguous data. (src/journal/journal_disk_full_test.cpp injects the same failures through
// the FileIo seam and always runs.)

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include "journal/inspect.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "journal/testing/journal_testing.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

class JournalRealDiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    m_mount = fs::temp_directory_path() / ("spindle_journal_tmpfs_" + std::to_string(::getpid()));
    fs::create_directories(m_mount);
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root to mount a tiny tmpfs (the injected-failure unit tests "
                      "JournalDiskFull.* cover the same paths)";
    }
    if (::mount("tmpfs", m_mount.c_str(), "tmpfs", 0, "size=2m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                   << "); the injected-failure unit tests JournalDiskFull.* cover the same paths";
    }
    m_mounted = true;
  }
  void TearDown() override {
    if (m_mounted) ::umount2(m_mount.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(m_mount, ec);
  }

  journal::Settings settings(journal::FullPolicy policy) {
    journal::Settings s;
    s.dir = (m_mount / "journal").string();
    s.sync = journal::SyncPolicy{journal::SyncMode::kInterval, std::chrono::milliseconds(2)};
    s.segmentSize = 128 << 10;
    s.maxSize = 64 << 20;  // far more than the 2 MiB the disk has
    s.policy = policy;
    s.retryMin = std::chrono::milliseconds(1);
    s.retryMax = std::chrono::milliseconds(10);
    return s;
  }

  model::Batch batch(std::uint64_t first) {
    const auto m = m_catalog.addMachine("m");
    model::Batch b;
    for (int i = 0; i < 64; ++i) {
      b.push_back({m, m_catalog.intern(m, "k" + std::to_string(i % 8)).value(), 0,
                   model::Kind::kEvent, 0, std::string(40, 'x') + std::to_string(first + i)});
    }
    return b;
  }

  /// Offers `n` batches, each again (with poll) while refused, `patience` times at most.
  int appendPatiently(journal::Journal& j, int n, int patience) {
    int accepted = 0;
    for (int i = 0; i < n; ++i) {
      bool ok = false;
      for (int attempt = 0; attempt < patience && !ok; ++attempt) {
        ok = j.append(batch(j.stats().nextSequence), m_catalog).ok();
        if (!ok) {
          std::this_thread::sleep_for(std::min<Duration>(j.poll(), std::chrono::milliseconds(2)));
        }
      }
      if (!ok) break;
      ++accepted;
    }
    return accepted;
  }

  std::uint64_t contiguousObservations(journal::Journal& j) {
    model::ItemCatalog catalog;
    journal::JournalReader reader(j, catalog, 1, makeLogger("test"));
    std::uint64_t n = 0, expected = 0;
    while (true) {
      auto c = reader.read(4096);
      EXPECT_EQ(c.damaged, 0u);
      if (c.observations.empty()) break;
      if (expected == 0) expected = c.firstSequence;
      EXPECT_EQ(c.firstSequence, expected);
      for (const auto& o : c.observations) {
        EXPECT_EQ(std::get<std::string>(o.value), std::string(40, 'x') + std::to_string(expected));
        ++expected;
        ++n;
      }
    }
    return n;
  }

  fs::path m_mount;
  bool m_mounted = false;
  model::ItemCatalog m_catalog;
  SystemClock m_clock;
};

TEST_F(JournalRealDiskFull, DropOldestKeepsWritingOnAFullTmpfs) {
  journal::testing::LogCapture log("journal");
  auto opened = journal::Journal::open(settings(journal::FullPolicy::kDropOldest), m_clock);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  auto& j = **opened;
  // ~8 MiB of records through a 2 MiB disk.
  ASSERT_EQ(appendPatiently(j, 2000, 5000), 2000);
  ASSERT_TRUE(j.commit().ok());
  const auto st = j.stats();
  EXPECT_GT(st.evictedSegments, 0u);
  EXPECT_GT(st.ioErrors, 0u);
  EXPECT_EQ(contiguousObservations(j) + st.evictedObservations, 2000u * 64u);
  EXPECT_NE(log.text().find("No space left on device (ENOSPC)"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("journal disk full: dropped segment"), std::string::npos);
  j.close();
  auto report = journal::inspectJournal(settings(journal::FullPolicy::kDropOldest).dir, true);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean());
}

TEST_F(JournalRealDiskFull, BlockHoldsDataUntilSpaceIsFreed) {
  // Someone else's file takes half the disk.
  const fs::path hog = m_mount / "hog";
  {
    std::ofstream f(hog, std::ios::binary);
    const std::string mib(1 << 20, 'h');
    f << mib;
  }
  auto opened = journal::Journal::open(settings(journal::FullPolicy::kBlock), m_clock);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  auto& j = **opened;
  const int accepted = appendPatiently(j, 2000, 20);
  EXPECT_LT(accepted, 2000);
  EXPECT_TRUE(j.stats().stalled);
  EXPECT_EQ(j.stats().evictedObservations, 0u);
  fs::remove(hog);
  // Frees 1 MiB: enough for a few hundred more batches, none lost, none twice.
  const int more = appendPatiently(j, 100, 5000);
  EXPECT_EQ(more, 100);
  ASSERT_TRUE(j.commit().ok());
  EXPECT_EQ(contiguousObservations(j), static_cast<std::uint64_t>(accepted + more) * 64u);
}

}  // namespace
}  // namespace spindle::testing
