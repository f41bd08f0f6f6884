#pragma once
// A real journal in a test folder, appended from the test's thread: each append is made
// readable at once (sync never: the tests do not cut power).

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/time.hpp"
#include "journal/journal.hpp"
#include "uplinks/delivery_engine.hpp"

namespace spindle::testing {

class TestJournal {
 public:
  explicit TestJournal(const std::filesystem::path& dir, std::uint64_t maxSize = 1ULL << 30,
                       std::vector<std::string> consumers = {"nats"}) {
    journal::Settings s;
    s.dir = (dir / "journal").string();
    s.sync = journal::SyncPolicy{journal::SyncMode::kNever, {}};
    s.maxSize = maxSize;
    s.consumers = std::move(consumers);
    s.retryMin = std::chrono::milliseconds(50);
    s.retryMax = std::chrono::seconds(1);
    auto j = journal::Journal::open(std::move(s), m_clock);
    EXPECT_TRUE(j.ok()) << j.error().describe();
    if (j) m_journal = std::move(*j);
  }
  journal::Journal& operator*() { return *m_journal; }
  journal::Journal* operator->() { return m_journal.get(); }

  /// Appends one record (waiting while the journal is full) and makes it readable; returns its
  /// first sequence. The journal's writer thread is the caller's.
  std::uint64_t append(const model::Batch& batch, const model::ItemCatalog& catalog) {
    auto r = m_journal->append(batch, catalog);
    while (!r) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      (void)m_journal->poll();
      r = m_journal->append(batch, catalog);
    }
    EXPECT_TRUE(m_journal->commit().ok());
    return r->firstSequence;
  }
  /// The sequence the next append gets (everything below is readable).
  std::uint64_t end() const { return m_journal->durableSequence(); }

 private:
  SystemClock m_clock;
  std::unique_ptr<journal::Journal> m_journal;
};

/// An uplink counter by name (0 when the uplink has none).
inline std::uint64_t counter(const uplinks::DeliveryStats& s, const std::string& name) {
  for (const auto& [n, v] : s.counters) {
    if (n == name) return v;
  }
  return 0;
}

}  // namespace spindle::testing
