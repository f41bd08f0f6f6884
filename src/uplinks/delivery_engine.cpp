#include "uplinks/delivery_engine.hpp"

#include <algorithm>
#include <filesystem>

#include "base/log.hpp"
#include "base/thread_name.hpp"
#include "base/time.hpp"
#include "uplinks/delivery_cursor.hpp"

namespace spindle::uplinks {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::uint64_t kHeldMaxBytes = 64ULL << 20;
/// Longest wait without any event: a bound, not a poll (journal appends, completions and the
/// uplink's wake all notify).
constexpr Duration kIdleBound = std::chrono::seconds(1);
constexpr Duration kBacklogTick = std::chrono::milliseconds(10);
/// The most a lane reads from the journal at once, in encoded record bytes (about what the
/// decoded observations' texts take): a few thousand small observations, or 16 of 64 KiB.
constexpr std::size_t kChunkBytes = 1 << 20;

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

}  // namespace

DeliveryEngine::DeliveryEngine(journal::Journal& journal, std::unique_ptr<Uplink> uplink,
                               model::ItemCatalog& catalog)
    : m_journal(journal),
      m_uplink(std::move(uplink)),
      m_catalog(catalog),
      m_name(m_uplink->name()),
      m_options(m_uplink->delivery()),
      m_log(makeLogger("uplink." + m_name)) {
  m_options.maxInFlight = std::max(1, m_options.maxInFlight);
  if (m_options.ordered) {
    m_options.maxInFlight = 1;
    m_options.liveWindow = UINT64_MAX;
  }
  m_backlog.backlog = true;
  m_stats.name = m_name;
  m_window = CongestionWindow(static_cast<std::size_t>(m_options.maxInFlight));
}

DeliveryEngine::~DeliveryEngine() { stop(); }

Status DeliveryEngine::start() {
  if (m_thread.joinable()) return okStatus();
  if (!validName(m_name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "uplink name '" + m_name + "' cannot name a cursor file");
  }
  if (auto s = m_uplink->start(); !s) return std::move(s).error().with("starting uplink " + m_name);
  auto tracker = loadCursor(m_journal, m_name, *m_log, m_cursor);
  if (!tracker) {
    m_uplink->stop();
    return std::move(tracker).error();
  }
  {
    std::lock_guard lock(m_mutex);
    m_tracker = std::move(*tracker);
    m_stopping = m_failurePending = m_woken = m_dirty = false;
    m_retryDelay = Duration(0);
    m_window = CongestionWindow(static_cast<std::size_t>(m_options.maxInFlight));
    m_inFlight.clear();
    m_inFlightBytes = 0;
    m_backlogInFlight = 0;
    m_rejected.clear();
  }
  m_committed = m_tracker.watermark();
  m_handle = m_journal.addConsumer(m_name, m_committed);
  m_held.emplace(
      (std::filesystem::path(m_journal.settings().dir) / "held" / (m_name + ".jsonl")).string(),
      kHeldMaxBytes, m_catalog);
  m_live.reader.emplace(m_journal, m_catalog, m_committed, m_log);
  m_backlog.reader.emplace(m_journal, m_catalog, m_committed, m_log);
  m_uplink->attach(
      AttachInfo{m_journal.journalId(), m_journal.durableSequence(), [this] { wake(); }});
  m_watch = m_journal.watchDurable([this](std::uint64_t) { wake(); });
  m_lastRefill = m_lastCommit = SteadyClock::now();
  m_tokens = 0;
  m_wasReady = m_uplink->ready();
  plan();
  m_thread = std::thread([this] {
    nameThisThread("deliver/" + m_name);
    run();
  });
  return okStatus();
}

void DeliveryEngine::stop(Duration drainFor) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_thread.joinable()) return;
    m_stopping = true;
    m_drainUntil = SteadyClock::now() + drainFor;
  }
  m_wake.notify_all();
  m_thread.join();
  m_journal.unwatchDurable(m_watch);
  {
    // What is in flight may still settle within what is left of the drain.
    std::unique_lock lock(m_mutex);
    m_wake.wait_until(lock, m_drainUntil, [this] { return m_inFlight.empty(); });
  }
  settleRejected();
  commit(true);
  m_uplink->stop();  // no completion runs after this
  m_journal.removeConsumer(m_handle);
  std::lock_guard lock(m_mutex);
  m_inFlight.clear();
  m_inFlightBytes = 0;
  m_backlogInFlight = 0;
}

void DeliveryEngine::wake() {
  {
    std::lock_guard lock(m_mutex);
    m_woken = true;
  }
  m_wake.notify_all();
}

// True when the thread should end: stopping without a drain, the drain's time is up, a Retry
// (nothing more will go out soon), or everything durable is delivered.
bool DeliveryEngine::shouldStop() {
  const bool ready = m_uplink->ready();
  std::lock_guard lock(m_mutex);
  if (!m_stopping) return false;
  if (SteadyClock::now() >= m_drainUntil || m_failurePending || !ready) return true;
  return m_inFlight.empty() && m_rejected.empty() &&
         unackedIn(m_tracker.watermark(), m_journal.durableSequence()) == 0;
}

void DeliveryEngine::run() {
  while (!shouldStop()) {
    {
      std::unique_lock lock(m_mutex);
      m_woken = false;
      if (m_failurePending) {
        // Let what is in flight settle, back off, then plan again from the cursor: exactly
        // what was not completed goes out again.
        m_wake.wait(lock, [this] { return m_stopping || m_inFlight.empty(); });
        if (m_stopping) return;
        const auto& s = m_journal.settings();
        m_retryDelay =
            m_retryDelay.count() == 0 ? s.retryMin : std::min(m_retryDelay * 2, s.retryMax);
        if (m_wake.wait_for(lock, m_retryDelay, [this] { return m_stopping; })) return;
        m_failurePending = false;
        lock.unlock();
        plan();
        continue;
      }
    }
    settleRejected();
    const bool ready = m_uplink->ready();
    if (ready && !m_wasReady) plan();  // back from an outage: live restarts near the head
    m_wasReady = ready;
    std::size_t sent = 0;
    if (ready) {
      sent += sendLane(m_live, SIZE_MAX);
      const auto now = SteadyClock::now();
      if (m_options.backlogRate > 0) {
        const double burst = std::max<double>(static_cast<double>(m_journal.settings().sendBatch),
                                              m_options.backlogRate / 10);
        m_tokens = std::min(
            burst, m_tokens + m_options.backlogRate *
                                  std::chrono::duration<double>(now - m_lastRefill).count());
      }
      m_lastRefill = now;
      if (m_backlog.next < m_backlog.end) {
        const bool unlimited = m_options.backlogRate <= 0;
        if (unlimited || m_tokens >= 1) {
          const std::size_t n =
              sendLane(m_backlog, unlimited ? SIZE_MAX : static_cast<std::size_t>(m_tokens));
          if (!unlimited) m_tokens -= static_cast<double>(n);
          sent += n;
        }
      }
    }
    if (sent > 0) m_uplink->flush();
    commit(false);
    std::unique_lock lock(m_mutex);
    m_stats.backlog = m_backlog.end > m_backlog.next ? m_backlog.end - m_backlog.next : 0;
    if (sent > 0 || m_woken) continue;
    m_wake.wait_for(lock, idleWait(), [this] { return m_stopping || m_woken; });
  }
}

Duration DeliveryEngine::idleWait() const {
  Duration wait = kIdleBound;
  if (m_backlog.next < m_backlog.end && m_options.backlogRate > 0) wait = kBacklogTick;
  if (m_dirty) {
    const Duration interval = m_journal.settings().sync.interval;
    const auto due = m_lastCommit + interval;
    const auto now = SteadyClock::now();
    wait =
        std::min(wait, due > now ? std::chrono::duration_cast<Duration>(due - now) : Duration(0));
  }
  if (m_stopping) {
    const auto now = SteadyClock::now();
    wait =
        std::min(wait, m_drainUntil > now ? std::chrono::duration_cast<Duration>(m_drainUntil - now)
                                          : Duration(0));
  }
  return std::max(wait, Duration(std::chrono::milliseconds(1)));
}

std::uint64_t DeliveryEngine::unackedIn(std::uint64_t begin, std::uint64_t end) const {
  std::uint64_t count = 0;
  for (std::uint64_t s = m_tracker.nextUnacked(begin); s < end;) {
    const std::uint64_t stop = std::min(end, m_tracker.nextAcked(s).value_or(end));
    count += stop - s;
    s = m_tracker.nextUnacked(stop);
  }
  return count;
}

void DeliveryEngine::plan() {
  // Lanes restart from what is delivered. The live lane starts at the first record boundary at
  // least `live_window` behind the end, so both lanes submit whole records.
  const std::uint64_t begin = m_journal.firstSequence();
  const std::uint64_t end = m_journal.durableSequence();
  std::uint64_t watermark = 0;
  {
    std::lock_guard lock(m_mutex);
    const std::uint64_t before = m_tracker.watermark();
    if (begin > before) {
      const std::uint64_t lost = unackedIn(before, begin);
      m_stats.evicted += lost;
      m_tracker.skipTo(begin);
      m_dirty = true;
      if (lost > 0) {
        m_log->error("{} observations were dropped by the journal's retention before delivery",
                     lost);
      }
    }
    watermark = m_tracker.watermark();
  }
  std::uint64_t liveStart = watermark;
  if (!m_options.ordered && end > watermark && end - watermark > m_options.liveWindow) {
    liveStart = end - m_options.liveWindow;
    resetLane(m_live, liveStart, UINT64_MAX);
    // The record holding liveStart is the backlog's; live begins at the next boundary.
    if (fillLane(m_live)) {
      liveStart = std::min(end, m_live.chunk.firstSequence + m_live.chunk.records.front());
    }
  }
  resetLane(m_live, liveStart, UINT64_MAX);
  resetLane(m_backlog, watermark, liveStart);
  std::lock_guard lock(m_mutex);
  m_stats.backlog = liveStart - watermark;
}

void DeliveryEngine::resetLane(Lane& lane, std::uint64_t next, std::uint64_t end) {
  lane.chunk = journal::ReadChunk{};
  lane.record = lane.offset = 0;
  lane.next = next;
  lane.end = end;
  if (lane.reader->position() != next) lane.reader->seek(next);
}

bool DeliveryEngine::fillLane(Lane& lane) {
  if (lane.record < lane.chunk.records.size()) return true;
  if (lane.reader->position() != lane.next) lane.reader->seek(lane.next);
  std::size_t want = m_journal.settings().sendBatch;
  if (lane.end != UINT64_MAX) want = std::min<std::uint64_t>(want, lane.end - lane.next);
  // At most send_batch observations, and at most kChunkBytes of them: a source of long texts
  // must not make a chunk (and an ordered uplink's submit of it) hundreds of megabytes.
  lane.chunk = lane.reader->read(std::max<std::size_t>(1, want), kChunkBytes);
  lane.record = lane.offset = 0;
  if (lane.chunk.evicted > 0 || lane.chunk.damaged > 0 || lane.chunk.firstSequence > lane.next) {
    skipGap(lane.next, lane.chunk);
    lane.next = std::max(lane.next, lane.chunk.firstSequence);
  }
  return !lane.chunk.records.empty();
}

// The journal no longer holds [from, chunk.firstSequence): evicted or damaged. Nothing can be
// sent for it, so it must not hold the cursor back; what this uplink never got is counted.
void DeliveryEngine::skipGap(std::uint64_t from, const journal::ReadChunk& chunk) {
  if (chunk.firstSequence <= from) return;
  std::lock_guard lock(m_mutex);
  const std::uint64_t lost = unackedIn(from, chunk.firstSequence);
  if (lost == 0) return;
  const std::uint64_t damaged = std::min(lost, chunk.damaged);
  m_stats.damaged += damaged;
  m_stats.evicted += lost - damaged;
  m_tracker.markAcked(from, chunk.firstSequence);
  m_dirty = true;
  m_log->warn(
      "skipping {} observations before sequence {}: {} dropped by retention before delivery, "
      "{} lost in damaged records",
      lost, chunk.firstSequence, lost - damaged, damaged);
}

bool DeliveryEngine::windowHasRoom(bool backlog) const {
  std::lock_guard lock(m_mutex);
  const std::size_t maxCount = m_window.size();
  const std::uint64_t maxBytes = m_options.maxInFlightBytes.bytes;
  if (m_failurePending || m_inFlight.size() >= maxCount) return false;
  if (!backlog) return m_inFlightBytes < maxBytes;
  // The backlog never holds more than half the window: live data always finds room.
  return m_backlogInFlight < std::max<std::size_t>(1, maxCount / 2) &&
         m_inFlightBytes < maxBytes / 2;
}

std::size_t DeliveryEngine::sendLane(Lane& lane, std::size_t budget) {
  std::size_t sent = 0;
  while (sent < budget && lane.next < lane.end && windowHasRoom(lane.backlog)) {
    if (!fillLane(lane)) break;
    std::size_t count = lane.chunk.records[lane.record];
    const std::uint64_t first = lane.chunk.firstSequence + lane.offset;
    if (first + count > lane.end) {  // the lanes meet inside this record: it is the live lane's
      lane.next = lane.end;
      break;
    }
    auto taken = [this](std::uint64_t at) {
      std::lock_guard lock(m_mutex);
      return m_tracker.isAcked(at) || m_inFlight.count(at) > 0 || m_rejected.count(at) > 0;
    };
    const bool skip = taken(first);
    std::size_t records = 1;
    // An ordered uplink (a file) takes the chunk's next records in the same submit: one write
    // for many small records (a fleet's pipeline batches are a line of one machine each).
    constexpr std::size_t kCoalesce = 4096;
    while (!skip && m_options.ordered && m_options.coalesce &&
           lane.record + records < lane.chunk.records.size() && count < kCoalesce) {
      const std::uint32_t more = lane.chunk.records[lane.record + records];
      if (first + count + more > lane.end || taken(first + count)) break;
      count += more;
      ++records;
    }
    if (!skip) {
      submit(
          first,
          std::span<const model::Observation>(lane.chunk.observations.data() + lane.offset, count),
          lane.backlog);
      sent += count;
    }
    lane.record += records;
    lane.offset += count;
    lane.next = first + count;
  }
  return sent;
}

void DeliveryEngine::submit(std::uint64_t first, std::span<const model::Observation> observations,
                            bool backlog) {
  const std::uint64_t end = first + observations.size();
  {
    std::lock_guard lock(m_mutex);
    InFlight f;
    f.end = end;
    f.backlog = backlog;
    f.firstTimestamp = observations.empty() ? 0 : observations.front().timestamp;
    m_inFlight.emplace(first, f);
    if (backlog) ++m_backlogInFlight;
  }
  const std::size_t bytes = m_uplink->submit(
      Record{first, observations}, [this, first, end](Completion c) { complete(first, end, c); });
  std::lock_guard lock(m_mutex);
  if (auto it = m_inFlight.find(first); it != m_inFlight.end() && bytes > 0) {
    it->second.bytes = bytes;
    m_inFlightBytes += bytes;
  }
}

void DeliveryEngine::complete(std::uint64_t first, std::uint64_t end, const Completion& c) {
  {
    std::lock_guard lock(m_mutex);
    auto it = m_inFlight.find(first);
    if (it == m_inFlight.end()) return;
    m_inFlightBytes -= it->second.bytes;
    if (it->second.backlog) --m_backlogInFlight;
    m_inFlight.erase(it);
    switch (c.outcome) {
      case Outcome::kOk:
        if (m_stats.failing) m_log->info("delivering again after {} retries", m_stats.retries);
        m_stats.failing = false;
        m_retryDelay = Duration(0);
        m_window.onOk();
        m_tracker.markAcked(first, end);
        m_stats.delivered += end - first;
        m_stats.lastOk = wallClockNs();
        m_dirty = true;
        break;
      case Outcome::kRetry:
        ++m_stats.retries;
        if (!m_stats.failing || m_stats.lastError != c.reason) {
          m_log->warn("{} (sequences {}-{}); sending again with backoff up to {}", c.reason, first,
                      end - 1, formatDuration(m_journal.settings().retryMax));
        }
        m_stats.failing = true;
        m_stats.lastError = c.reason;
        if (!m_failurePending) m_window.onFailure();  // one congestion signal per episode
        m_failurePending = true;
        break;
      case Outcome::kReject:
        m_rejected.emplace(first, std::make_pair(end, c.reason));
        m_stats.lastError = c.reason;
        break;
    }
    m_woken = true;
  }
  m_wake.notify_all();
}

// Engine thread: rejected records are read back from the journal and held.
void DeliveryEngine::settleRejected() {
  std::map<std::uint64_t, std::pair<std::uint64_t, std::string>> rejected;
  {
    std::lock_guard lock(m_mutex);
    if (m_rejected.empty()) return;
    rejected.swap(m_rejected);
  }
  for (const auto& [first, what] : rejected) {
    const auto& [end, reason] = what;
    journal::JournalReader reader(m_journal, m_catalog, first, m_log);
    const journal::ReadChunk chunk = reader.read(end - first);
    std::uint64_t held = 0, lost = 0, evicted = 0;
    if (chunk.firstSequence == first && chunk.observations.size() >= end - first) {
      const Record record{first, std::span(chunk.observations.data(), end - first)};
      if (auto s = m_held->hold(m_name, m_journal.journalId(), record, reason); s) {
        held = end - first;
        m_log->error("{}: {} observations (sequences {}-{}) cannot be delivered; held in {}",
                     reason, held, first, end - 1, m_held->path());
      } else {
        lost = end - first;
        m_log->error("{}: {} observations (sequences {}-{}) cannot be delivered and not held: {}",
                     reason, lost, first, end - 1, s.error().describe());
      }
    } else {
      evicted = end - first;  // retention dropped it meanwhile
    }
    std::lock_guard lock(m_mutex);
    m_stats.held += held;
    m_stats.lost += lost;
    m_stats.evicted += evicted;
    m_tracker.markAcked(first, end);
    m_dirty = true;
  }
}

void DeliveryEngine::commit(bool force) {
  const auto& sync = m_journal.settings().sync;
  const auto now = SteadyClock::now();
  if (!force && sync.mode == journal::SyncMode::kInterval && now - m_lastCommit < sync.interval) {
    return;
  }
  AckTracker snapshot;
  {
    std::lock_guard lock(m_mutex);
    if (!m_dirty) return;
    snapshot = m_tracker;
    m_dirty = false;
  }
  m_lastCommit = now;
  const bool durable = sync.mode != journal::SyncMode::kNever;
  Status status = durable ? m_uplink->sync() : okStatus();
  // The cursor moves on disk (and in the journal's retention) only after the uplink made what
  // it completed durable: a power cut never leaves a cursor past data the destination lost.
  if (status) status = storeCursor(m_journal, m_name, *m_cursor, snapshot, durable);
  if (!status) {
    m_syncLog.log(*m_log, spdlog::level::err, "{}; the cursor stays at sequence {}",
                  status.error().describe(), m_committed);
    std::lock_guard lock(m_mutex);
    m_dirty = true;
    m_stats.lastError = status.error().describe();
    return;
  }
  m_committed = snapshot.watermark();
  m_journal.acknowledge(m_handle, m_committed);
}

DeliveryStats DeliveryEngine::stats() const {
  const std::uint64_t end = m_journal.durableSequence();
  const bool ready = m_uplink->ready();
  auto counters = m_uplink->counters();
  std::lock_guard lock(m_mutex);
  DeliveryStats s = m_stats;
  s.position = m_tracker.watermark();
  s.end = end;
  s.lag = unackedIn(s.position, end);
  s.inFlight = m_inFlight.size();
  s.window = m_window.size();
  s.inFlightBytes = m_inFlightBytes;
  for (const auto& [first, f] : m_inFlight) {
    if (f.firstTimestamp != 0 && (s.oldestInFlight == 0 || f.firstTimestamp < s.oldestInFlight)) {
      s.oldestInFlight = f.firstTimestamp;
    }
  }
  s.ready = ready;
  s.counters = std::move(counters);
  return s;
}

bool DeliveryEngine::isDelivered(std::uint64_t sequence) const {
  std::lock_guard lock(m_mutex);
  return m_tracker.isAcked(sequence);
}

}  // namespace spindle::uplinks
