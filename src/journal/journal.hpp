#pragma once
/// The durable store-and-forward journal: batches appended by one writer thread into segment
/// files with group commit, read back by consumers (one per uplink) from their own cursors,
/// bounded in bytes and age with an explicit policy when full. See docs/journal.md (operating
/// it) and docs/journal-format.md (the bytes).

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "journal/batch_codec.hpp"
#include "journal/block_writer.hpp"
#include "journal/compression.hpp"
#include "journal/file_io.hpp"
#include "journal/journal_options.hpp"
#include "model/observation.hpp"

namespace spindle::journal {

struct AppendResult {
  std::uint64_t firstSequence = 0;  ///< sequence of batch[0]; batch[i] has firstSequence + i
  std::uint32_t count = 0;
  bool durable = false;  ///< already durable on return; else see Journal::waitDurable
};

/// Upper bounds (seconds) of the fdatasync latency histogram in JournalStats; one more
/// bucket counts the syncs slower than the last bound.
inline constexpr double kSyncLatencyBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
inline constexpr std::size_t kSyncLatencyBuckets = std::size(kSyncLatencyBounds) + 1;

/// A snapshot for health, metrics, logs and `spindle journal inspect`.
struct JournalStats {
  std::uint64_t firstSequence = 0;    ///< oldest observation still held
  std::uint64_t nextSequence = 0;     ///< what the next append gets
  std::uint64_t durableSequence = 0;  ///< every observation below this is durable and readable
  std::uint64_t segments = 0;
  std::uint64_t bytes = 0;  ///< on disk plus waiting in the write buffer
  std::uint64_t appendedObservations = 0, appendedRecords = 0, appendedBytes = 0;
  std::uint64_t syncs = 0;
  /// How long the successful syncs took: syncs per bucket of kSyncLatencyBounds (not
  /// cumulative; the last bucket is beyond the last bound), and their total in seconds.
  std::array<std::uint64_t, kSyncLatencyBuckets> syncLatency{};
  double syncSeconds = 0;
  std::uint64_t ioErrors = 0;             ///< failed writes, syncs, creates (each retried)
  std::uint64_t deletedSegments = 0;      ///< acknowledged by every consumer, then removed
  std::uint64_t evictedSegments = 0;      ///< dropped by max_size, max_age or a full disk
  std::uint64_t evictedObservations = 0;  ///< of those, observations not yet delivered
  std::uint64_t corruptRecords = 0;       ///< damaged records found and skipped
  std::uint64_t tornBytes = 0;            ///< cut from torn tails when the journal opened
  std::uint64_t droppedConsumers = 0;     ///< consumers dropped (grace passed or by the operator)
  std::uint64_t journalId = 0;            ///< this journal's identity (in every segment header)
  /// The identity of the journal this one replaced (its directory was lost or emptied while
  /// the edge's identity file remembered it); 0 when none. Sequences started again.
  std::uint64_t replacedJournalId = 0;
  bool stalled = false;  ///< writing fails; appends are refused until it works again
  bool full = false;     ///< policy block and max_size reached
  std::string problem;   ///< why stalled or full
};

/// A consumer as retention sees it, for health and `spindle journal consumers`.
struct ConsumerView {
  std::string name;
  std::uint64_t next = 0;     ///< the first sequence it has not acknowledged
  bool configured = false;    ///< named by the configuration (Settings::consumers)
  bool attached = false;      ///< running in this process now
  TimestampNs lastMoved = 0;  ///< last cursor update (wall clock); grace counts from it
};

/// A segment as readers see it.
struct SegmentView {
  std::string path;
  std::uint64_t firstSequence = 0;
  std::uint64_t endSequence = 0;    ///< first sequence after this segment (durable end if active)
  std::uint64_t readableBytes = 0;  ///< readers stop here (the published end if active)
  bool active = false;
};

/// Thread safety: append(), commit(), poll() and close() belong to one writer thread. Every
/// other member may be called from any thread.
class Journal {
 public:
  /// Opens or creates the journal in settings.dir and recovers it: a torn tail is cut, damaged
  /// records are counted and logged with their position; damage never makes this fail.
  /// Fails only when the directory cannot be used (permissions, another process holds it).
  static Result<std::unique_ptr<Journal>> open(Settings settings, const Clock& clock,
                                               std::shared_ptr<FileIo> io = posixFileIo());
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // --- writer thread ---

  /// Encodes and appends one batch as one record. The batch's ids must be known to `catalog`.
  /// kUnavailable when the journal cannot take it now (policy block and full, or writes
  /// failing): nothing was appended, offer the same batch again later.
  Result<AppendResult> append(const model::Batch& batch, const model::ItemCatalog& catalog);
  /// Writes and syncs everything appended so far, making it durable and readable.
  Status commit();
  /// Housekeeping between appends: group commit when due, writing out buffered records,
  /// retention, retrying failed writes. Returns how long the caller may wait before the next.
  Duration poll();
  /// Commits what it can and closes the files. Idempotent.
  void close();

  // --- any thread ---

  /// True once every observation up to and including `sequence` is durable; false on timeout
  /// or when the journal closes first.
  bool waitDurable(std::uint64_t sequence, Duration timeout) const;
  std::uint64_t durableSequence() const;
  /// Calls `listener(durableEnd)` on the writer thread each time more becomes durable, and
  /// once when the journal closes. It must be quick and must not call the journal's writer
  /// members. Returns a handle for unwatchDurable(), which returns only once no call of the
  /// listener is running: after it, the listener is never called again.
  std::size_t watchDurable(std::function<void(std::uint64_t)> listener);
  void unwatchDurable(std::size_t handle);
  std::uint64_t firstSequence() const;
  JournalStats stats() const;
  const Settings& settings() const { return m_settings; }
  std::uint64_t journalId() const { return m_journalId; }

  /// Consumers. Retention knows every consumer from the moment the journal opens: those the
  /// configuration names (Settings::consumers) and every cursor file on disk, each held at its
  /// cursor, so no segment one of them still needs is deleted before it starts. A cursor the
  /// configuration no longer names is kept for Settings::consumerGrace, then dropped (counted
  /// and logged), as is one named in a `<name>.drop` request file (spindle journal
  /// drop-consumer). addConsumer() attaches a running consumer to its entry (the position it
  /// loaded wins) and returns a handle for acknowledge(); removeConsumer() detaches it but
  /// keeps its position, so its data stays until it comes back.
  std::size_t addConsumer(const std::string& name, std::uint64_t next);
  void acknowledge(std::size_t consumer, std::uint64_t next);
  void removeConsumer(std::size_t consumer);
  std::vector<ConsumerView> consumers() const;
  std::string cursorPath(const std::string& consumer) const;
  std::shared_ptr<FileIo> io() const { return m_io; }

  /// The segment holding `sequence`, the oldest one when it was already dropped, nullopt when
  /// `sequence` is past the durable end.
  std::optional<SegmentView> segmentFor(std::uint64_t sequence) const;
  /// Called by readers that meet a damaged record; counted and logged once per position.
  void reportCorrupt(const std::string& path, std::uint64_t offset, std::uint64_t length,
                     const std::string& reason);

 private:
  struct Segment {
    std::string path;
    std::uint64_t first = 0;
    std::uint64_t bytes = 0;
    TimestampNs lastAppend = 0;
  };
  struct Consumer {
    std::string name;
    std::uint64_t next = 0;
    bool configured = false;
    bool attached = false;
    bool dropped = false;  ///< no longer holds data back (its handle stays valid)
    TimestampNs lastMoved = 0;
  };
  enum class Pending { kNone, kWrite, kRewrite, kCreate };

  Journal(Settings settings, const Clock& clock, std::shared_ptr<FileIo> io);
  Status recover();  // journal_recovery.cpp
  Status createSegment(std::uint64_t first);
  int openSegmentForAppend(const std::string& path, int flags, bool& direct);
  void closeActive();
  /// Hands buffered records to the writer; `flush` also waits until they are written.
  Status writeBuffered(bool flush);
  Status syncAndPublish();
  Status rotate();
  Status rewriteUnsynced();
  Status createAndFill();
  void shareStatus();
  /// Frees space for `bytes` more, by policy. `alreadyBuffered` of them sit in the buffer.
  Status makeRoom(std::uint64_t bytes, std::uint64_t alreadyBuffered);
  bool resolveStall();
  void stall(Pending pending, int error, const std::string& what);
  void publish(std::uint64_t bytes, std::uint64_t sequence);
  void notifyWatchers(std::uint64_t durableEnd);
  void deleteAcknowledged();
  bool evictOldest(const char* reason);
  void applyMaxAge();
  void loadConsumers();  // journal_consumers.cpp
  void expireConsumers();
  void dropConsumerLocked(Consumer& c, const std::string& cause);
  void checkIdentity();
  std::uint64_t minCursorLocked() const;
  std::uint64_t activeEnd() const { return m_bufferBase + m_buffer.size(); }
  std::uint64_t diskBytesLocked() const;

  Settings m_settings;
  const Clock& m_clock;
  std::shared_ptr<FileIo> m_io;
  std::shared_ptr<spdlog::logger> m_log;
  std::uint64_t m_journalId = 0;
  int m_lockFd = -1;

  // Shared with readers, under m_mutex.
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_durableChanged;
  std::deque<Segment> m_segments;  ///< oldest first; the last is the active one
  std::uint64_t m_durableEnd = 1;
  std::uint64_t m_publishedBytes = 0;
  std::vector<Consumer> m_consumers;
  std::set<std::pair<std::string, std::uint64_t>> m_knownCorrupt;
  JournalStats m_counters;  ///< the counter fields only (and the identities)
  bool m_closed = false;
  bool m_sharedStalled = false, m_sharedFull = false;
  std::string m_sharedProblem;
  std::atomic<std::uint64_t> m_sharedNext{1}, m_sharedActiveBytes{0};
  std::mutex m_watchMutex;  ///< held while listeners run
  std::vector<std::pair<std::size_t, std::function<void(std::uint64_t)>>> m_watchers;
  std::size_t m_nextWatcher = 1;

  // Writer thread only.
  int m_fd = -1;
  std::uint64_t m_next = 1;
  std::string m_buffer;            ///< records not yet synced (interval, always) or not written
  std::uint64_t m_bufferBase = 0;  ///< file offset of m_buffer[0]
  std::size_t m_bufferWritten = 0;
  BlockWriter m_writer;  ///< m_writer.end() == m_bufferBase + m_bufferWritten
  TimestampNs m_lastAppend = 0;
  std::chrono::steady_clock::time_point m_firstUnsynced{};
  std::chrono::steady_clock::time_point m_nextHousekeeping{};
  BatchEncoder m_encoder;
  Compressor m_compressor;
  std::string m_payload, m_compressed;
  Pending m_pending = Pending::kNone;
  bool m_retrying = false;  ///< inside resolveStall(): a failure continues the same stall
  int m_pendingErrno = 0;
  std::string m_problem;
  std::chrono::steady_clock::time_point m_stallSince{}, m_retryAt{};
  Duration m_retryDelay{};
  bool m_full = false;
  std::chrono::steady_clock::time_point m_fullSince{};
  std::atomic<std::uint64_t> m_appendedObs{0}, m_appendedRecords{0}, m_appendedBytes{0};
};

}  // namespace spindle::journal
