#pragma once
/// A destination in memory for engine and contract tests: it keeps the sequences it accepted
/// (in arrival order, with duplicates) and completes each record inline, or later when holding.

#include <deque>
#include <mutex>
#include <set>
#include <vector>

#include "uplinks/uplink.hpp"

namespace spindle::uplinks::testing {

/// What the destination holds; shared by the uplinks made for it (one per engine start).
struct FakeDestination {
  mutable std::mutex mutex;
  std::vector<std::uint64_t> sequences;  ///< every accepted observation, in arrival order
  std::set<std::uint64_t> have;          ///< like a real destination, it keeps each once
  std::uint64_t duplicates = 0;
  std::size_t synced = 0;  ///< how many of them a power cut would leave
  int syncs = 0;
  bool failSync = false;
  bool hold = false;  ///< completions wait in `held` until release()
  std::deque<std::pair<std::vector<std::uint64_t>, CompletionFn>> held;

  /// Caller holds `mutex`.
  void accept(const std::vector<std::uint64_t>& seqs) {
    for (auto q : seqs) {
      if (have.insert(q).second) {
        sequences.push_back(q);
      } else {
        ++duplicates;
      }
    }
  }
  std::vector<std::uint64_t> snapshot() const {
    std::lock_guard lock(mutex);
    return sequences;
  }
  /// Completes up to `n` held records Ok (oldest first).
  void release(std::size_t n = SIZE_MAX) {
    std::vector<std::pair<std::vector<std::uint64_t>, CompletionFn>> ready;
    {
      std::lock_guard lock(mutex);
      while (n-- > 0 && !held.empty()) {
        ready.push_back(std::move(held.front()));
        held.pop_front();
      }
      for (auto& r : ready) accept(r.first);
    }
    for (auto& r : ready) r.second(Completion{});
  }
};

class FakeUplink final : public Uplink {
 public:
  FakeUplink(FakeDestination& destination, DeliveryOptions options, std::string name = "fake")
      : m_destination(destination), m_options(options), m_name(std::move(name)) {}
  const std::string& name() const override { return m_name; }
  DeliveryOptions delivery() const override { return m_options; }
  Status start() override { return okStatus(); }
  std::size_t submit(const Record& record, CompletionFn done) override {
    std::vector<std::uint64_t> seqs;
    for (std::size_t i = 0; i < record.observations.size(); ++i) {
      seqs.push_back(record.firstSequence + i);
    }
    {
      std::lock_guard lock(m_destination.mutex);
      if (m_destination.hold) {
        m_destination.held.emplace_back(std::move(seqs), std::move(done));
        return 100;
      }
      m_destination.accept(seqs);
    }
    done(Completion{});
    return 0;
  }
  Status sync() override {
    std::lock_guard lock(m_destination.mutex);
    ++m_destination.syncs;
    if (m_destination.failSync) return Error(ErrorCode::kIo, "sync failed (test)");
    m_destination.synced = m_destination.sequences.size();
    return okStatus();
  }
  void stop() override {
    // Held completions are dropped: none may run after stop().
    std::lock_guard lock(m_destination.mutex);
    m_destination.held.clear();
  }

 private:
  FakeDestination& m_destination;
  DeliveryOptions m_options;
  std::string m_name;
};

}  // namespace spindle::uplinks::testing
