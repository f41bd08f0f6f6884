#pragma once
/// NatsUplink: the journal's consumer that publishes to the hub's JetStream stream.
///
/// Each journal record becomes one message per machine (split at max_batch observations) on
/// `spindle.<edge>.data.<machine>`, with Nats-Msg-Id "<edge>:<first sequence>" so that the
/// hub drops anything sent twice. Publishes are asynchronous; a record counts as delivered
/// when the hub has acknowledged all its messages, and only then does the persisted cursor
/// move over it. Two lanes share a bounded in-flight window: the live lane (the newest
/// `live_window` observations) always goes first; the backlog lane (older unacknowledged
/// records, after an outage or a restart) drains beside it at `backlog_rate` and never takes
/// more than half the window. Any failed or timed-out publish pauses sending until what is
/// in flight has settled, then the lanes are planned again from the acknowledged ranges:
/// exactly the unacknowledged records are sent again.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/logger.h>

#include "model/item_catalog.hpp"
#include "uplinks/nats/ack_tracker.hpp"
#include "uplinks/nats/journal_view.hpp"
#include "uplinks/nats/js_publisher.hpp"
#include "uplinks/nats/nats_connection.hpp"
#include "uplinks/nats/nats_options.hpp"
#include "uplinks/nats/payload_codec.hpp"

namespace spindle::uplinks::nats {

struct UplinkStats {
  std::uint64_t published = 0;   ///< messages handed to the connection
  std::uint64_t acked = 0;       ///< messages the hub acknowledged
  std::uint64_t duplicates = 0;  ///< of those, ones the hub already held
  std::uint64_t failed = 0;      ///< messages that failed or timed out (then resent)
  std::uint64_t rejected = 0;    ///< observations that can never be delivered (too large)
  std::uint64_t delivered = 0;   ///< observations in fully acknowledged records
  std::uint64_t evicted = 0;     ///< observations the journal dropped before delivery
  std::uint64_t bytesOut = 0;    ///< payload bytes published (after compression)
  std::uint64_t bytesRaw = 0;    ///< payload bytes before compression
  std::uint64_t cursor = 0;      ///< everything below is acknowledged (the watermark)
  std::uint64_t end = 0;         ///< the journal's end when last looked at
  std::uint64_t backlog = 0;     ///< observations left in the backlog lane
  std::size_t inFlight = 0;      ///< messages awaiting an ack
  std::uint64_t inFlightBytes = 0;
  TimestampNs oldestInFlight = 0;  ///< timestamp of the oldest observation awaiting an ack
  bool connected = false;
  bool paused = false;  ///< waiting for failures to settle before sending again
  std::string lastError;
};

class NatsUplink {
 public:
  /// `onCommitted(sequence)` (may be empty) tells the journal everything below `sequence` is
  /// delivered; it runs on the uplink's sender thread. Every reference must outlive this.
  NatsUplink(NatsOptions options, std::string edgeId, NatsConnection& connection,
             JournalView& journal, CursorStore& cursor, const model::ItemCatalog& catalog,
             std::function<void(std::uint64_t)> onCommitted = {});
  ~NatsUplink();
  NatsUplink(const NatsUplink&) = delete;
  NatsUplink& operator=(const NatsUplink&) = delete;

  /// Loads the cursor and starts the sender thread. The connection must be started (it may
  /// still be connecting). Fails on an unreadable cursor or an invalid edge id.
  Status start();
  /// Waits up to `grace` for acks of what is in flight, saves the cursor, stops. Idempotent.
  void stop(Duration grace = std::chrono::seconds(2));

  /// Wakes the sender: the journal appended records. Any thread; cheap.
  void notifyAppended();

  UplinkStats stats() const;
  /// True once the hub has acknowledged the record holding `sequence`.
  bool isDelivered(std::uint64_t sequence) const;
  /// The cursor as it would be persisted now (AckTracker text).
  std::string cursorText() const;
  const std::string& name() const { return m_name; }

 private:
  struct RecordState {
    std::uint64_t end = 0;
    int partsLeft = 0;
    bool failed = false;
    bool backlog = false;
    TimestampNs firstTimestamp = 0;
  };

  void run();
  void plan();
  /// Publishes records of one lane; returns the observations sent.
  std::size_t sendLane(bool backlog, std::size_t budget);
  bool windowHasRoom(bool backlog) const;
  bool sendRecord(const JournalRecord& record, bool backlog);
  void onComplete(const PublishCompletion& completion);
  void finishRecord(std::uint64_t first, RecordState& state);
  void saveCursor(bool force);
  /// Sequences of [begin, end) not acknowledged. Caller holds m_mutex.
  std::uint64_t unackedIn(std::uint64_t begin, std::uint64_t end) const;
  std::string subjectFor(model::MachineId machine);

  NatsOptions m_options;
  std::string m_edge;
  std::string m_name = "nats";
  NatsConnection& m_connection;
  JournalView& m_journal;
  CursorStore& m_cursorStore;
  const model::ItemCatalog& m_catalog;
  std::function<void(std::uint64_t)> m_onCommitted;
  std::shared_ptr<spdlog::logger> m_log;
  std::unique_ptr<JetStreamPublisher> m_publisher;

  // Sender-thread state.
  BatchEncoder m_encoder;
  Compressor m_compressor;
  std::string m_raw, m_packed;
  std::vector<JournalRecord> m_readBuffer;
  std::map<model::MachineId, std::string> m_subjects;
  std::unordered_map<model::MachineId, std::size_t> m_partIndex;
  std::uint64_t m_liveNext = 0;
  std::uint64_t m_backlogNext = 0, m_backlogEnd = 0;
  double m_tokens = 0;
  std::chrono::steady_clock::time_point m_lastRefill;
  std::chrono::steady_clock::time_point m_lastSave;
  Duration m_retryDelay{0};
  bool m_wasConnected = false;
  bool m_started = false;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  bool m_woken = false;
  bool m_failurePending = false;
  bool m_cursorDirty = false;
  AckTracker m_tracker;
  std::map<std::uint64_t, RecordState> m_records;  ///< in flight, by first sequence
  int m_backlogInFlight = 0;
  UplinkStats m_stats;
  std::thread m_thread;
};

}  // namespace spindle::uplinks::nats
