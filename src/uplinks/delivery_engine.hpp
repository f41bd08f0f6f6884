#pragma once
/// DeliveryEngine: drives one uplink from the journal. The journal knows nothing of uplinks;
/// each engine reads it on its own thread, woken by the journal when more becomes durable and
/// by the uplink's completions, never by a timer poll.
///
/// - Lanes. The live lane (the newest `live_window` observations) goes first; the backlog lane
///   (older records not delivered, after an outage or a restart) drains beside it at
///   `backlog_rate` and never takes more than half the window. An ordered uplink has one lane.
/// - Window. Records submitted and not completed are bounded in count and bytes; within
///   `max_in_flight` the count follows a congestion window (congestion_window.hpp) that
///   shrinks when sends fail and grows as they are acknowledged.
/// - Cursor. A watermark plus the ranges completed above it, in one cursor file, stored after
///   Uplink::sync() at the journal's sync interval; the journal may then release what is
///   below the watermark. After a crash exactly the records not completed are sent again.
/// - Retry pauses submitting until what is in flight has settled, waits (journal.retry_min,
///   doubling to retry_max), then plans the lanes again from the cursor.
/// - Reject holds the record in `<journal>/held/<uplink>.jsonl` (reported, never silently
///   skipped); only that record: the rest flows on.
/// - An ordered uplink that never rejects (DeliveryOptions::coalesce: the file) gets
///   consecutive records of one read in one submit (up to 4096 observations): one write for
///   many small records.
/// - Evicted or damaged journal data the uplink never got is counted.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include "base/log_limiter.hpp"
#include "base/time.hpp"
#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "uplinks/ack_tracker.hpp"
#include "uplinks/congestion_window.hpp"
#include "uplinks/held_records.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::uplinks {

/// One set of figures per uplink, for health, status and logs.
struct DeliveryStats {
  std::string name;
  std::uint64_t position = 0;   ///< the watermark: every sequence below is delivered
  std::uint64_t end = 0;        ///< the journal's durable end
  std::uint64_t lag = 0;        ///< durable observations not yet delivered
  std::uint64_t delivered = 0;  ///< observations completed Ok
  std::uint64_t held = 0;       ///< observations rejected and held
  std::uint64_t lost = 0;       ///< rejected and not held (the held file full or unwritable)
  std::uint64_t retries = 0;    ///< records answered Retry
  std::uint64_t evicted = 0;    ///< observations dropped by retention before delivery
  std::uint64_t damaged = 0;    ///< observations lost in damaged journal records
  std::uint64_t backlog = 0;    ///< observations left in the backlog lane
  std::size_t inFlight = 0;     ///< records submitted and not completed
  std::size_t window = 0;       ///< records the congestion window lets be in flight now
  std::uint64_t inFlightBytes = 0;
  TimestampNs oldestInFlight = 0;  ///< timestamp of the oldest observation in flight
  bool ready = false;              ///< the uplink can send (connected)
  bool failing = false;            ///< the last completion was Retry
  TimestampNs lastOk = 0;  ///< wall clock of the last record completed Ok (nats: the last ack)
  std::string lastError;
  std::vector<std::pair<std::string, std::uint64_t>> counters;  ///< the uplink's own
};

/// Thread safety: start() and stop() from one thread; the rest from any.
class DeliveryEngine {
 public:
  /// The journal and the catalog must outlive the engine; it owns the uplink.
  DeliveryEngine(journal::Journal& journal, std::unique_ptr<Uplink> uplink,
                 model::ItemCatalog& catalog);
  ~DeliveryEngine();
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  /// Starts the uplink, loads the cursor and starts the thread. Nothing runs on error.
  Status start();
  /// With `drainFor` > 0 first delivers what is durable, for at most that long (stopping
  /// early on Retry); then waits for what is in flight within what is left of it, stores the
  /// cursor and stops the uplink. Idempotent.
  void stop(Duration drainFor = Duration::zero());

  DeliveryStats stats() const;
  const std::string& name() const { return m_name; }
  /// True once the record holding `sequence` was delivered (or held).
  bool isDelivered(std::uint64_t sequence) const;
  Uplink& uplink() { return *m_uplink; }

 private:
  /// One lane's place in the journal: its reader, the chunk read and the next record in it.
  struct Lane {
    bool backlog = false;
    std::optional<journal::JournalReader> reader;
    journal::ReadChunk chunk;
    std::size_t record = 0;          ///< index in chunk.records of the next record
    std::size_t offset = 0;          ///< observations in chunk before it
    std::uint64_t next = 0;          ///< first sequence the lane has not taken
    std::uint64_t end = UINT64_MAX;  ///< the lane stops here (the backlog: where live starts)
  };
  struct InFlight {
    std::uint64_t end = 0;
    std::size_t bytes = 0;
    bool backlog = false;
    TimestampNs firstTimestamp = 0;
  };

  void run();
  bool shouldStop();
  void plan();
  /// Submits records of one lane; returns the observations submitted.
  std::size_t sendLane(Lane& lane, std::size_t budget);
  void resetLane(Lane& lane, std::uint64_t next, std::uint64_t end);
  /// Reads more into the lane when its chunk is used up; false when nothing durable waits.
  bool fillLane(Lane& lane);
  void wake();
  bool windowHasRoom(bool backlog) const;
  void submit(std::uint64_t first, std::span<const model::Observation> observations, bool backlog);
  void complete(std::uint64_t first, std::uint64_t end, const Completion& c);
  void settleRejected();
  void skipGap(std::uint64_t from, const journal::ReadChunk& chunk);
  void commit(bool force);
  std::uint64_t unackedIn(std::uint64_t begin, std::uint64_t end) const;  // m_mutex held
  Duration idleWait() const;

  journal::Journal& m_journal;
  std::unique_ptr<Uplink> m_uplink;
  model::ItemCatalog& m_catalog;
  std::string m_name;
  DeliveryOptions m_options;
  std::shared_ptr<spdlog::logger> m_log;

  // Engine thread.
  std::optional<journal::CursorFile> m_cursor;
  Lane m_live, m_backlog;
  std::optional<HeldRecords> m_held;
  std::size_t m_handle = 0, m_watch = 0;
  double m_tokens = 0;
  std::chrono::steady_clock::time_point m_lastRefill, m_lastCommit;
  std::uint64_t m_committed = 0;
  bool m_wasReady = false;
  LogLimiter m_syncLog;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_woken = false, m_stopping = false, m_running = false;
  std::chrono::steady_clock::time_point m_drainUntil;
  bool m_failurePending = false;
  Duration m_retryDelay{0};
  AckTracker m_tracker;
  CongestionWindow m_window{1};
  std::map<std::uint64_t, InFlight> m_inFlight;  ///< by first sequence
  std::uint64_t m_inFlightBytes = 0;
  std::size_t m_backlogInFlight = 0;
  /// Rejected records waiting to be held (by the engine thread): first -> (end, reason).
  std::map<std::uint64_t, std::pair<std::uint64_t, std::string>> m_rejected;
  bool m_dirty = false;
  DeliveryStats m_stats;
  std::thread m_thread;
};

}  // namespace spindle::uplinks
