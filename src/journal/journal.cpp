#include "journal/journal.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/log.hpp"
#include "journal/crc32c.hpp"
#include "journal/format.hpp"

namespace spindle::journal {

namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kWriteChunk = 256 << 10;  ///< buffered records go to the file in these
constexpr std::size_t kDirectChunk = 1 << 20;   ///< ... or these into the direct writer's stages
constexpr Duration kHousekeepingEvery = std::chrono::seconds(1);
constexpr Duration kIdleWait = std::chrono::milliseconds(250);

std::string mib(std::uint64_t bytes) { return formatByteSize(ByteSize{bytes}); }
}  // namespace

Journal::Journal(Settings settings, const Clock& clock, std::shared_ptr<FileIo> io)
    : m_settings(std::move(settings)),
      m_clock(clock),
      m_io(std::move(io)),
      m_log(makeLogger("journal")) {}

Journal::~Journal() { close(); }

Result<std::unique_ptr<Journal>> Journal::open(Settings settings, const Clock& clock,
                                               std::shared_ptr<FileIo> io) {
  std::unique_ptr<Journal> j(new Journal(std::move(settings), clock, std::move(io)));
  if (auto status = j->recover(); !status) {
    return std::move(status).error().with("opening journal " + j->m_settings.dir);
  }
  return j;
}

// ---------------------------------------------------------------------------------------------
// Writer side

Result<AppendResult> Journal::append(const model::Batch& batch, const model::ItemCatalog& catalog) {
  if (m_closed) return Error(ErrorCode::kUnavailable, "the journal is closed");
  if (batch.empty()) return AppendResult{m_next, 0, true};
  if (batch.size() > 0xFFFFFFFFu) return Error(ErrorCode::kInvalidArgument, "batch too large");
  if (m_pending != Pending::kNone && !resolveStall()) {
    return Error(ErrorCode::kUnavailable, m_problem);
  }
  // The record is encoded straight into the write buffer, behind a header filled in last:
  // large records are copied once (into the page cache), not three times.
  std::size_t at = m_buffer.size();
  m_buffer.resize(at + kRecordHeaderSize);
  m_encoder.encode(batch, catalog, m_buffer);
  const std::size_t rawLength = m_buffer.size() - at - kRecordHeaderSize;
  if (rawLength > kMaxPayload) {
    m_buffer.resize(at);
    return Error(ErrorCode::kInvalidArgument,
                 "batch encodes to " + mib(rawLength) + ", more than a record may hold");
  }
  std::uint8_t flags = 0;
  if (m_settings.compress &&
      m_compressor.compress(std::string_view(m_buffer).substr(at + kRecordHeaderSize),
                            m_compressed)) {
    m_buffer.resize(at + kRecordHeaderSize);
    m_buffer.append(m_compressed);
    flags |= kRecordCompressed;
  }
  const std::uint64_t total = m_buffer.size() - at;
  if (at > 0 || m_bufferBase > kSegmentHeaderSize) {
    if (m_bufferBase + at + total > m_settings.segmentSize) {
      // Seal the active segment without this record, then put it back in the new one.
      m_payload.assign(m_buffer, at, std::string::npos);
      m_buffer.resize(at);
      if (auto s = rotate(); !s) return Error(ErrorCode::kUnavailable, m_problem);
      at = m_buffer.size();
      m_buffer.append(m_payload);
    }
  }
  if (auto s = makeRoom(total, total); !s) {
    m_buffer.resize(at);
    return std::move(s).error();
  }

  char* record = m_buffer.data() + at;
  RecordHeader h;
  h.payloadCrc = crc32c(record + kRecordHeaderSize, total - kRecordHeaderSize);
  h.flags = flags;
  h.storedLength = static_cast<std::uint32_t>(total - kRecordHeaderSize);
  h.rawLength = static_cast<std::uint32_t>(rawLength);
  h.firstSequence = m_next;
  h.count = static_cast<std::uint32_t>(batch.size());
  h.appendedAt = m_clock.now();
  encodeRecordHeader(h, reinterpret_cast<unsigned char*>(record));
  const auto now = SteadyClock::now();
  if (at == 0 && m_bufferWritten == 0) m_firstUnsynced = now;
  m_next += h.count;
  m_lastAppend = h.appendedAt;
  m_appendedObs.fetch_add(h.count, std::memory_order_relaxed);
  m_appendedRecords.fetch_add(1, std::memory_order_relaxed);
  m_appendedBytes.fetch_add(total, std::memory_order_relaxed);
  m_sharedNext.store(m_next, std::memory_order_relaxed);
  m_sharedActiveBytes.store(activeEnd(), std::memory_order_relaxed);

  const AppendResult result{h.firstSequence, h.count, false};
  const auto& sync = m_settings.sync;
  Status s = okStatus();
  if (sync.mode == SyncMode::kAlways ||
      (sync.mode == SyncMode::kInterval &&
       ((m_settings.syncSize > 0 && m_buffer.size() >= m_settings.syncSize) ||
        now - m_firstUnsynced >= sync.interval))) {
    s = commit();
  } else if (m_buffer.size() - m_bufferWritten >=
             (m_writer.direct() ? kDirectChunk : kWriteChunk)) {
    s = writeBuffered(false);
  }
  // A failed write keeps the record in the buffer: it was accepted and is retried by poll().
  (void)s;
  return AppendResult{result.firstSequence, result.count, durableSequence() >= m_next};
}

Status Journal::writeBuffered(bool flush) {
  if (m_fd < 0) return Error(ErrorCode::kUnavailable, m_problem);
  const std::uint64_t before = m_writer.end();
  int rc = 0;
  if (m_bufferWritten < m_buffer.size()) {
    std::size_t consumed = 0;
    rc =
        m_writer.append(*m_io, m_fd, std::string_view(m_buffer).substr(m_bufferWritten), &consumed);
  }
  if (rc == 0 && flush) rc = m_writer.flush(*m_io, m_fd);
  // After a failure the writer moved back to what is known written: retry from there.
  m_bufferWritten = static_cast<std::size_t>(m_writer.end() - m_bufferBase);
  if (!m_writer.direct() && m_settings.sync.mode != SyncMode::kNever &&
      m_writer.end() >= before + kWriteChunk) {
    m_io->startWriteback(m_fd, before, m_writer.end() - before);
  }
  if (rc != 0) {
    stall(Pending::kWrite, rc, "writing " + m_segments.back().path);
    return Error(ErrorCode::kUnavailable, m_problem);
  }
  if (m_settings.sync.mode == SyncMode::kNever) {
    // Written is as durable as this mode gets: publish, and keep nothing for a rewrite.
    m_bufferBase += m_buffer.size();
    m_buffer.clear();
    m_bufferWritten = 0;
    publish(m_bufferBase, m_next);
  }
  return okStatus();
}

Status Journal::commit() {
  if (m_pending != Pending::kNone) return Error(ErrorCode::kUnavailable, m_problem);
  if (auto s = writeBuffered(true); !s) return s;
  if (m_settings.sync.mode == SyncMode::kNever) return okStatus();
  return syncAndPublish();
}

Status Journal::syncAndPublish() {
  if (m_durableEnd == m_next && m_buffer.empty()) return okStatus();
  const auto started = std::chrono::steady_clock::now();
  if (const int rc = m_io->fdatasync(m_fd); rc != 0) {
    // After a failed fdatasync the kernel may have dropped the dirty pages: the bytes are
    // rewritten from memory into a fresh segment instead of trusting a second sync.
    stall(Pending::kRewrite, rc, "syncing " + m_segments.back().path);
    return Error(ErrorCode::kUnavailable, m_problem);
  }
  m_bufferBase += m_buffer.size();
  m_buffer.clear();
  m_bufferWritten = 0;
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto bound = std::lower_bound(std::begin(kSyncLatencyBounds), std::end(kSyncLatencyBounds),
                                      took);  // a sync of exactly a bound counts in its bucket
  {
    std::lock_guard lock(m_mutex);
    ++m_counters.syncs;
    ++m_counters.syncLatency[static_cast<std::size_t>(bound - std::begin(kSyncLatencyBounds))];
    m_counters.syncSeconds += took;
  }
  publish(m_bufferBase, m_next);
  return okStatus();
}

void Journal::publish(std::uint64_t bytes, std::uint64_t sequence) {
  {
    std::lock_guard lock(m_mutex);
    m_publishedBytes = bytes;
    m_durableEnd = sequence;
    if (!m_segments.empty()) {
      m_segments.back().bytes = bytes;
      m_segments.back().lastAppend = m_lastAppend;
    }
  }
  m_durableChanged.notify_all();
  notifyWatchers(sequence);
}

void Journal::notifyWatchers(std::uint64_t durableEnd) {
  std::lock_guard lock(m_watchMutex);
  for (const auto& [handle, listener] : m_watchers) listener(durableEnd);
}

std::size_t Journal::watchDurable(std::function<void(std::uint64_t)> listener) {
  std::lock_guard lock(m_watchMutex);
  m_watchers.emplace_back(m_nextWatcher, std::move(listener));
  return m_nextWatcher++;
}

void Journal::unwatchDurable(std::size_t handle) {
  std::lock_guard lock(m_watchMutex);
  std::erase_if(m_watchers, [&](const auto& w) { return w.first == handle; });
}

Status Journal::createSegment(std::uint64_t first) {
  const std::string path =
      (std::filesystem::path(m_settings.dir) / segmentFileName(first)).string();
  bool direct = false;
  const int fd = openSegmentForAppend(path, O_CREAT | O_TRUNC, direct);
  if (fd < 0) {
    stall(Pending::kCreate, fd, "creating " + path);
    return Error(ErrorCode::kUnavailable, m_problem);
  }
  SegmentHeader header;
  header.firstSequence = first;
  header.created = m_clock.now();
  header.journalId = m_journalId;
  unsigned char bytes[kSegmentHeaderSize];
  encodeSegmentHeader(header, bytes);
  m_writer.reset(direct, 0, {});
  std::size_t written = 0;
  int rc = m_writer.append(
      *m_io, fd, std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes), &written);
  if (rc == 0) rc = m_writer.flush(*m_io, fd);
  if (rc == 0 && m_settings.sync.mode != SyncMode::kNever) {
    rc = m_io->fdatasync(fd);
    if (rc == 0) rc = m_io->syncDirectory(m_settings.dir);
  }
  if (rc != 0) {
    m_writer.reset(false, 0, {});
    m_io->close(fd);
    m_io->unlink(path);
    stall(Pending::kCreate, rc, "creating " + path);
    return Error(ErrorCode::kUnavailable, m_problem);
  }
  m_fd = fd;
  m_bufferBase = kSegmentHeaderSize;  // m_buffer (records still to write, if any) stays
  m_bufferWritten = 0;
  m_sharedActiveBytes.store(activeEnd(), std::memory_order_relaxed);
  {
    std::lock_guard lock(m_mutex);
    m_segments.push_back(Segment{path, first, kSegmentHeaderSize, header.created});
    m_publishedBytes = kSegmentHeaderSize;
  }
  return okStatus();
}

int Journal::openSegmentForAppend(const std::string& path, int flags, bool& direct) {
  // O_DIRECT when commits sync anyway: the bytes go from memory to the device without a copy
  // into the page cache. File systems without it (tmpfs) say EINVAL: plain writes then.
  direct = false;
  if (m_settings.sync.mode != SyncMode::kNever) {
    const int fd = m_io->open(path, O_WRONLY | O_DIRECT | flags, 0644);
    if (fd >= 0) {
      direct = true;
      return fd;
    }
    if (fd != -EINVAL) return fd;
  }
  return m_io->open(path, O_WRONLY | flags, 0644);
}

void Journal::closeActive() {
  if (m_fd < 0) return;
  (void)m_writer.flush(*m_io, m_fd);
  // Direct writes leave up to a block of zero padding past the logical end: cut it, so a sealed
  // segment is exactly its records. (If this is lost in a crash, recovery recognises padding.)
  if (m_writer.direct()) m_io->ftruncate(m_fd, m_writer.end());
  m_io->close(m_fd);
  m_fd = -1;
}

Status Journal::rotate() {
  if (auto s = commit(); !s) return s;
  closeActive();
  return createAndFill();
}

// Creates the active segment at the first sequence not yet durable and writes what the buffer
// still holds (records kept after a failed sync), then syncs it.
Status Journal::createAndFill() {
  if (auto s = createSegment(durableSequence()); !s) return s;
  if (m_buffer.empty()) return okStatus();
  if (auto s = writeBuffered(true); !s) return s;
  if (m_settings.sync.mode == SyncMode::kNever) return okStatus();
  return syncAndPublish();
}

Status Journal::rewriteUnsynced() {
  if (m_fd >= 0) {
    m_writer.reset(false, 0, {});         // waits for writes in flight to this file
    m_io->ftruncate(m_fd, m_bufferBase);  // best effort; readers never look past it anyway
    m_io->close(m_fd);
    m_fd = -1;
  }
  {
    std::lock_guard lock(m_mutex);
    if (m_bufferBase <= kSegmentHeaderSize) {
      // Nothing durable in it: the new segment takes its name.
      m_io->unlink(m_segments.back().path);
      m_segments.pop_back();
    } else {
      m_segments.back().bytes = m_bufferBase;
    }
  }
  return createAndFill();
}

void Journal::stall(Pending pending, int error, const std::string& what) {
  const auto now = SteadyClock::now();
  if (m_pending == Pending::kNone && !m_retrying) {
    m_stallSince = now;
    m_retryDelay = m_settings.retryMin;
    m_log->error("{} failed: {}; holding {} in memory, collection pauses until it works again",
                 what, describeErrno(error), mib(m_buffer.size() - m_bufferWritten));
  } else {
    m_retryDelay = std::min(m_retryDelay * 2, std::max(m_settings.retryMax, m_settings.retryMin));
  }
  m_pending = pending;
  m_pendingErrno = error;
  m_problem = what + ": " + describeErrno(error);
  m_retryAt = now + m_retryDelay;
  {
    std::lock_guard lock(m_mutex);
    ++m_counters.ioErrors;
  }
  shareStatus();
}

void Journal::shareStatus() {
  std::lock_guard lock(m_mutex);
  m_sharedStalled = m_pending != Pending::kNone;
  m_sharedFull = m_full;
  m_sharedProblem = m_sharedStalled ? m_problem : (m_full ? "journal full (policy block)" : "");
}

bool Journal::resolveStall() {
  const auto now = SteadyClock::now();
  if (now < m_retryAt) return false;
  if (m_pendingErrno == -ENOSPC || m_pendingErrno == -EDQUOT) {
    // Free space the way the policy allows; one segment per attempt, attempts back off.
    const std::size_t before = m_segments.size();
    deleteAcknowledged();
    if (m_segments.size() == before && m_settings.policy == FullPolicy::kDropOldest) {
      evictOldest("disk full");
    }
  }
  const Pending pending = m_pending;
  m_pending = Pending::kNone;
  m_retrying = true;
  Status s = okStatus();
  switch (pending) {
    case Pending::kNone:
      break;
    case Pending::kWrite:
      s = commit();
      break;
    case Pending::kRewrite:
      s = rewriteUnsynced();
      break;
    case Pending::kCreate:
      s = createAndFill();
      break;
  }
  m_retrying = false;
  if (!s || m_pending != Pending::kNone) {
    if (m_pending == Pending::kNone) m_pending = pending;
    shareStatus();
    return false;
  }
  m_log->info("journal writes work again after {} ms",
              std::chrono::duration_cast<std::chrono::milliseconds>(now - m_stallSince).count());
  m_problem.clear();
  shareStatus();
  return true;
}

Status Journal::makeRoom(std::uint64_t bytes, std::uint64_t alreadyBuffered) {
  auto used = [&] {
    std::lock_guard lock(m_mutex);
    return diskBytesLocked() + (m_buffer.size() - m_bufferWritten - alreadyBuffered);
  };
  if (used() + bytes <= m_settings.maxSize) return okStatus();
  deleteAcknowledged();
  while (used() + bytes > m_settings.maxSize) {
    if (m_settings.policy == FullPolicy::kDropOldest) {
      if (!evictOldest("max_size")) break;  // only the active segment is left: take it
      continue;
    }
    if (!m_full) {
      m_full = true;
      m_fullSince = SteadyClock::now();
      m_log->warn(
          "journal full ({} of max_size {}), policy block: collection pauses until "
          "uplinks catch up",
          mib(used()), mib(m_settings.maxSize));
      shareStatus();
    }
    return Error(ErrorCode::kUnavailable, "journal full (policy block)");
  }
  if (m_full) {
    m_full = false;
    m_log->info(
        "journal has room again after {} ms; collection resumes",
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - m_fullSince)
            .count());
    shareStatus();
  }
  return okStatus();
}

Duration Journal::poll() {
  if (m_closed) return kIdleWait;
  const auto now = SteadyClock::now();
  if (m_pending != Pending::kNone) {
    resolveStall();
    if (m_pending != Pending::kNone) {
      return std::clamp<Duration>(m_retryAt - now, Duration::zero(), kIdleWait);
    }
  }
  Duration wait = kIdleWait;
  const auto& sync = m_settings.sync;
  if (sync.mode == SyncMode::kNever) {
    (void)writeBuffered(false);
  } else if (m_buffer.size() > 0) {
    const auto due =
        m_firstUnsynced + (sync.mode == SyncMode::kInterval ? sync.interval : Duration::zero());
    if (now >= due) {
      (void)commit();
    } else {
      // Written at `due` with the sync (append writes full chunks before that): small writes
      // between syncs would each be a device round trip with O_DIRECT.
      wait = std::min<Duration>(wait, due - now);
    }
  }
  if (now >= m_nextHousekeeping) {
    m_nextHousekeeping = now + kHousekeepingEvery;
    expireConsumers();
    deleteAcknowledged();
    applyMaxAge();
  }
  return wait;
}

void Journal::close() {
  if (m_closed) return;
  if (m_pending != Pending::kNone) {
    m_retryAt = SteadyClock::now();  // one last attempt, whatever the backoff says
    resolveStall();
  }
  if (m_fd >= 0 && m_pending == Pending::kNone) {
    if (auto s = commit(); !s) m_log->error("closing: {}", s.error().describe());
  }
  if (m_pending != Pending::kNone) {
    m_log->error(
        "closing with writes still failing: {} observations from sequence {} were not "
        "written",
        m_next - durableSequence(), durableSequence());
  }
  if (m_pending == Pending::kNone) {
    closeActive();
  } else if (m_fd >= 0) {
    m_writer.reset(false, 0, {});
    m_io->close(m_fd);
    m_fd = -1;
  }
  if (m_lockFd >= 0) ::close(m_lockFd);
  m_lockFd = -1;
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_durableChanged.notify_all();
  notifyWatchers(durableSequence());
}

// ---------------------------------------------------------------------------------------------
// Retention

std::uint64_t Journal::diskBytesLocked() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i + 1 < m_segments.size(); ++i) total += m_segments[i].bytes;
  return total + m_bufferBase + m_bufferWritten;
}

void Journal::deleteAcknowledged() {
  std::lock_guard lock(m_mutex);
  const std::uint64_t acked = minCursorLocked();
  while (m_segments.size() > 1 && m_segments[1].first <= acked) {
    m_io->unlink(m_segments.front().path);
    m_segments.pop_front();
    ++m_counters.deletedSegments;
  }
}

bool Journal::evictOldest(const char* reason) {
  std::unique_lock lock(m_mutex);
  if (m_segments.size() < 2) return false;
  const Segment victim = m_segments.front();
  const std::uint64_t end = m_segments[1].first;
  const std::uint64_t delivered = std::clamp(minCursorLocked(), victim.first, end);
  const std::uint64_t lost = end - delivered;
  m_io->unlink(victim.path);
  m_segments.pop_front();
  ++m_counters.evictedSegments;
  m_counters.evictedObservations += lost;
  const auto segments = m_counters.evictedSegments;
  const auto total = m_counters.evictedObservations;
  lock.unlock();
  m_log->warn(
      "journal {}: dropped segment {} ({}, sequences {}-{}): {} observations not yet "
      "delivered; dropped so far: {} segments, {} observations",
      reason, std::filesystem::path(victim.path).filename().string(), mib(victim.bytes),
      victim.first, end - 1, lost, segments, total);
  return true;
}

void Journal::applyMaxAge() {
  if (m_settings.maxAge.count() <= 0) return;
  const TimestampNs limit = m_clock.now() - m_settings.maxAge.count();
  // The active segment ages too: seal it first so this pass can drop it.
  if (m_pending == Pending::kNone && activeEnd() > kSegmentHeaderSize && m_lastAppend < limit) {
    (void)rotate();
  }
  while (true) {
    {
      std::lock_guard lock(m_mutex);
      if (m_segments.size() < 2 || m_segments.front().lastAppend >= limit) break;
    }
    evictOldest("max_age");
  }
}

// ---------------------------------------------------------------------------------------------
// Any thread

bool Journal::waitDurable(std::uint64_t sequence, Duration timeout) const {
  std::unique_lock lock(m_mutex);
  return m_durableChanged.wait_for(lock, timeout, [&] {
    return m_closed || m_durableEnd > sequence;
  }) && m_durableEnd > sequence;
}

std::uint64_t Journal::durableSequence() const {
  std::lock_guard lock(m_mutex);
  return m_durableEnd;
}

std::uint64_t Journal::firstSequence() const {
  std::lock_guard lock(m_mutex);
  return m_segments.empty() ? m_durableEnd : m_segments.front().first;
}

JournalStats Journal::stats() const {
  std::lock_guard lock(m_mutex);
  JournalStats s = m_counters;
  s.firstSequence = m_segments.empty() ? m_durableEnd : m_segments.front().first;
  s.durableSequence = m_durableEnd;
  s.nextSequence = std::max(m_durableEnd, m_sharedNext.load(std::memory_order_relaxed));
  s.segments = m_segments.size();
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i + 1 < m_segments.size(); ++i) bytes += m_segments[i].bytes;
  s.bytes = bytes + std::max(m_publishedBytes, m_sharedActiveBytes.load(std::memory_order_relaxed));
  s.appendedObservations = m_appendedObs.load(std::memory_order_relaxed);
  s.appendedRecords = m_appendedRecords.load(std::memory_order_relaxed);
  s.appendedBytes = m_appendedBytes.load(std::memory_order_relaxed);
  s.stalled = m_sharedStalled;
  s.full = m_sharedFull;
  s.problem = m_sharedProblem;
  return s;
}

std::string Journal::cursorPath(const std::string& consumer) const {
  return (std::filesystem::path(m_settings.dir) / "cursors" / (consumer + ".cursor")).string();
}

std::optional<SegmentView> Journal::segmentFor(std::uint64_t sequence) const {
  std::lock_guard lock(m_mutex);
  if (m_segments.empty() || sequence >= m_durableEnd) return std::nullopt;
  // The last segment whose first sequence is <= sequence (or the oldest).
  auto it = std::upper_bound(m_segments.begin(), m_segments.end(), sequence,
                             [](std::uint64_t s, const Segment& seg) { return s < seg.first; });
  if (it != m_segments.begin()) --it;
  SegmentView v;
  v.path = it->path;
  v.firstSequence = it->first;
  v.active = std::next(it) == m_segments.end();
  v.endSequence = v.active ? m_durableEnd : std::next(it)->first;
  v.readableBytes = v.active ? m_publishedBytes : it->bytes;
  return v;
}

void Journal::reportCorrupt(const std::string& path, std::uint64_t offset, std::uint64_t length,
                            const std::string& reason) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_knownCorrupt.emplace(path, offset).second) return;
    ++m_counters.corruptRecords;
  }
  m_log->error("damaged record in {} at offset {} ({} bytes: {}); skipped", path, offset, length,
               reason);
}

}  // namespace spindle::journal
