#pragma once
/// A consumer: one per uplink. Its thread reads durable observations from the journal at the
/// uplink's cursor, hands them to the uplink, and moves the cursor (persisted atomically)
/// only after the uplink answers Ok. Reject is counted and skipped; Retry is retried with
/// capped exponential backoff: the journal owns retries, the uplink only answers.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "base/log_limiter.hpp"
#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::journal {

struct ConsumerStats {
  std::string name;
  std::uint64_t position = 0;   ///< next sequence to deliver (what the cursor file says)
  std::uint64_t lag = 0;        ///< durable observations not yet delivered
  std::uint64_t delivered = 0;  ///< observations the uplink answered Ok for
  std::uint64_t rejected = 0;   ///< observations the uplink rejected (skipped)
  std::uint64_t retries = 0;    ///< Retry answers
  std::uint64_t evicted = 0;    ///< observations dropped by retention before delivery
  std::uint64_t damaged = 0;    ///< observations lost in damaged records
  bool failing = false;         ///< the uplink's last answer was Retry
};

/// Thread safety: start() and stop() from one thread; stats() from any.
class Consumer {
 public:
  /// The cursor is named after uplink.name(). Both must outlive the consumer.
  Consumer(Journal& journal, uplinks::Uplink& uplink, model::ItemCatalog& catalog);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Loads the cursor (a missing or damaged one starts at the oldest observation held, which
  /// may send some again, never skip any) and starts the thread.
  Status start();
  /// Stops the thread. With `drainFor` > 0 it first delivers what is durable, for at most that
  /// long, stopping early if the uplink asks to retry. Idempotent.
  void stop(Duration drainFor = Duration::zero());

  ConsumerStats stats() const;
  const std::string& name() const { return m_name; }

 private:
  void run();
  /// Delivers [begin, end) of `chunk`; false when stopping before it was acknowledged.
  bool deliver(const ReadChunk& chunk);
  bool deliverPart(std::uint64_t first, const model::Batch& batch, bool isolate);
  void advance(std::uint64_t next);
  /// Syncs the uplink, then stores and syncs the cursor and tells the journal.
  void commitPosition();
  bool waitBackoff(Duration delay);

  Journal& m_journal;
  uplinks::Uplink& m_uplink;
  model::ItemCatalog& m_catalog;
  std::string m_name;
  std::shared_ptr<spdlog::logger> m_log;
  std::optional<CursorFile> m_cursor;
  std::optional<JournalReader> m_reader;
  std::size_t m_handle = 0;
  std::chrono::steady_clock::time_point m_lastCursorSync{};
  std::uint64_t m_committed = 0;  ///< the position on disk (consumer thread)
  LogLimiter m_syncLog;           ///< a destination that cannot sync fails every interval

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopRequested = false;
  std::chrono::steady_clock::time_point m_drainUntil{};
  std::thread m_thread;

  std::atomic<std::uint64_t> m_position{0}, m_delivered{0}, m_rejected{0}, m_retries{0};
  std::atomic<std::uint64_t> m_evicted{0}, m_damaged{0};
  std::atomic<bool> m_failing{false};
};

}  // namespace spindle::journal
