#include "uplinks/nats/nats_uplink.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace spindle::uplinks::nats {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kCursorInterval = std::chrono::milliseconds(50);
constexpr auto kIdlePoll = std::chrono::milliseconds(100);
constexpr auto kRetryMin = std::chrono::milliseconds(100);
constexpr auto kRetryMax = std::chrono::seconds(5);

std::string subjectToken(const std::string& name) {
  std::string out = name.empty() ? "_" : name.substr(0, 64);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

}  // namespace

NatsUplink::NatsUplink(NatsOptions options, std::string edgeId, NatsConnection& connection,
                       JournalView& journal, CursorStore& cursor, const model::ItemCatalog& catalog,
                       std::function<void(std::uint64_t)> onCommitted)
    : m_options(std::move(options)),
      m_edge(std::move(edgeId)),
      m_connection(connection),
      m_journal(journal),
      m_cursorStore(cursor),
      m_catalog(catalog),
      m_onCommitted(std::move(onCommitted)),
      m_log(makeLogger("uplink.nats")),
      m_encoder(catalog),
      m_compressor(m_options.compressAbove.bytes, m_options.compressionLevel) {}

NatsUplink::~NatsUplink() { stop(std::chrono::milliseconds(0)); }

Status NatsUplink::start() {
  if (m_thread.joinable()) return okStatus();
  if (!validSubjectToken(m_edge)) {
    return Error(ErrorCode::kInvalidArgument,
                 "edge id '" + m_edge + "' cannot be used in NATS subjects")
        .with("use 1-64 letters, digits, '-' or '_' in edge.id");
  }
  auto saved = m_cursorStore.load();
  if (!saved) return std::move(saved).error().with("loading the NATS uplink cursor");
  if (!saved->empty()) {
    auto parsed = AckTracker::parse(*saved);
    if (!parsed) {
      return Error(ErrorCode::kInvalidArgument,
                   "unrecognized cursor '" + saved->substr(0, 80) + "'")
          .with("loading the NATS uplink cursor");
    }
    m_tracker = std::move(*parsed);
  } else {
    m_tracker = AckTracker(m_journal.beginSequence());
  }
  m_publisher =
      std::make_unique<JetStreamPublisher>(m_connection, m_options.jsDomain, m_options.ackTimeout,
                                           [this](const PublishCompletion& c) { onComplete(c); });
  if (auto status = m_publisher->start(); !status) return status;
  m_stopping = false;
  m_started = false;
  m_wasConnected = false;
  m_lastRefill = m_lastSave = Clock::now();
  m_tokens = 0;
  plan();
  m_log->info("publishing journal from sequence {} to spindle.{}.data.<machine>",
              m_tracker.watermark(), m_edge);
  m_thread = std::thread([this] { run(); });
  return okStatus();
}

void NatsUplink::stop(Duration grace) {
  if (!m_thread.joinable()) return;
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  m_thread.join();
  {
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, grace, [this] { return m_records.empty(); });
  }
  m_publisher->stop();
  saveCursor(true);
  std::lock_guard lock(m_mutex);
  m_records.clear();
  m_backlogInFlight = 0;
}

void NatsUplink::notifyAppended() {
  {
    std::lock_guard lock(m_mutex);
    m_woken = true;
  }
  m_wake.notify_one();
}

UplinkStats NatsUplink::stats() const {
  std::lock_guard lock(m_mutex);
  UplinkStats s = m_stats;
  s.cursor = m_tracker.watermark();
  s.inFlight = m_publisher ? m_publisher->inFlight() : 0;
  s.inFlightBytes = m_publisher ? m_publisher->inFlightBytes() : 0;
  s.oldestInFlight = 0;
  for (const auto& [first, r] : m_records) {
    if (r.firstTimestamp != 0 && (s.oldestInFlight == 0 || r.firstTimestamp < s.oldestInFlight))
      s.oldestInFlight = r.firstTimestamp;
  }
  s.connected = m_connection.connected();
  s.paused = m_failurePending;
  return s;
}

std::uint64_t NatsUplink::unackedIn(std::uint64_t begin, std::uint64_t end) const {
  std::uint64_t count = 0;
  for (std::uint64_t s = m_tracker.nextUnacked(begin); s < end;) {
    const std::uint64_t stop = std::min(end, m_tracker.nextAcked(s).value_or(end));
    count += stop - s;
    s = m_tracker.nextUnacked(stop);
  }
  return count;
}

bool NatsUplink::isDelivered(std::uint64_t sequence) const {
  std::lock_guard lock(m_mutex);
  return m_tracker.isAcked(sequence);
}

std::string NatsUplink::cursorText() const {
  std::lock_guard lock(m_mutex);
  return m_tracker.serialize();
}

void NatsUplink::plan() {
  // Lanes restart from what the hub has acknowledged. The live lane starts at the record
  // boundary nearest `live_window` behind the end, so both lanes send whole records (the
  // same messages, with the same ids, as any earlier attempt).
  const std::uint64_t begin = m_journal.beginSequence();
  const std::uint64_t end = m_journal.endSequence();
  std::uint64_t watermark = 0;
  {
    std::lock_guard lock(m_mutex);
    watermark = std::max(m_tracker.watermark(), begin);
  }
  std::uint64_t liveStart =
      std::max(watermark, end > m_options.liveWindow ? end - m_options.liveWindow : 0);
  if (liveStart > watermark && liveStart < end) {
    m_readBuffer.clear();
    if (m_journal.read(liveStart, end, 1, m_readBuffer).ok() && !m_readBuffer.empty()) {
      liveStart = std::min(end, m_readBuffer.front().endSequence());
    }
  }
  std::lock_guard lock(m_mutex);
  const std::uint64_t before = m_tracker.watermark();
  if (begin > before) {
    // The journal evicted records this uplink never delivered (it counts and reports them).
    const std::uint64_t lost = unackedIn(before, begin);
    m_stats.evicted += lost;
    m_tracker.skipTo(begin);
    m_cursorDirty = true;
    if (lost > 0) m_log->error("{} observations were evicted by the journal before delivery", lost);
  }
  liveStart = std::max(liveStart, m_tracker.watermark());
  m_liveNext = liveStart;
  m_backlogNext = m_tracker.watermark();
  m_backlogEnd = liveStart;
  m_stats.end = end;
}

bool NatsUplink::windowHasRoom(bool backlog) const {
  const std::size_t inFlight = m_publisher->inFlight();
  const std::uint64_t bytes = m_publisher->inFlightBytes();
  std::size_t maxMsgs = static_cast<std::size_t>(m_options.maxInFlight);
  std::uint64_t maxBytes = m_options.maxInFlightBytes.bytes;
  if (backlog) {
    // The backlog never holds more than half the window: live data always finds room.
    std::lock_guard lock(m_mutex);
    return static_cast<std::size_t>(m_backlogInFlight) < std::max<std::size_t>(1, maxMsgs / 2) &&
           inFlight < maxMsgs && bytes < maxBytes / 2;
  }
  return inFlight < maxMsgs && bytes < maxBytes;
}

std::string NatsUplink::subjectFor(model::MachineId machine) {
  auto it = m_subjects.find(machine);
  if (it != m_subjects.end()) return it->second;
  std::string subject =
      "spindle." + m_edge + ".data." + subjectToken(m_catalog.machineName(machine));
  m_subjects.emplace(machine, subject);
  return subject;
}

bool NatsUplink::sendRecord(const JournalRecord& record, bool backlog) {
  const auto& obs = record.observations;
  // Split per machine in order of first appearance, then at max_batch: deterministic, so
  // a resend after a crash carries the same message ids.
  std::vector<std::pair<model::MachineId, std::vector<std::uint32_t>>> parts;
  m_partIndex.clear();
  for (std::uint32_t i = 0; i < obs.size(); ++i) {
    auto [it, added] = m_partIndex.try_emplace(obs[i].machine, parts.size());
    if (added) parts.emplace_back(obs[i].machine, std::vector<std::uint32_t>{});
    parts[it->second].second.push_back(i);
  }
  const std::size_t maxBatch = static_cast<std::size_t>(m_options.maxBatch);
  int messages = 0;
  for (const auto& p : parts)
    messages += static_cast<int>((p.second.size() + maxBatch - 1) / maxBatch);
  {
    std::lock_guard lock(m_mutex);
    RecordState state;
    state.end = record.endSequence();
    state.partsLeft = messages;
    state.backlog = backlog;
    state.firstTimestamp = obs.empty() ? 0 : obs.front().timestamp;
    m_records[record.firstSequence] = state;
    if (backlog) m_backlogInFlight += messages;
  }
  int sent = 0;
  bool ok = true;
  for (const auto& [machine, indices] : parts) {
    const std::string subject = subjectFor(machine);
    const std::string& machineName = m_catalog.machineName(machine);
    for (std::size_t at = 0; at < indices.size() && ok; at += maxBatch) {
      const std::size_t n = std::min(maxBatch, indices.size() - at);
      const std::span<const std::uint32_t> slice(indices.data() + at, n);
      const std::uint64_t firstSeq = record.firstSequence + slice.front();
      const std::uint64_t lastSeq = record.firstSequence + slice.back();
      m_raw.clear();
      m_encoder.encode(m_edge, machineName, RecordPart{obs, record.firstSequence, slice}, m_raw);
      const Encoding enc = m_compressor.pack(m_raw, m_packed);
      const std::uint64_t journal = m_journal.journalId();
      Headers headers{{kHeaderMsgId, messageId(m_edge, journal, firstSeq)},
                      {kHeaderSchema, std::string(kBatchSchema)},
                      {kHeaderEncoding, toString(enc)},
                      {kHeaderSeq, std::to_string(firstSeq) + "-" + std::to_string(lastSeq)},
                      {kHeaderCount, std::to_string(n)}};
      if (journal != 0) headers.emplace_back(kHeaderJournal, journalIdText(journal));
      natsStatus raw = NATS_OK;
      auto status = m_publisher->publish(subject, headers, m_packed, record.firstSequence, &raw);
      if (!status) {
        ok = false;
        std::lock_guard lock(m_mutex);
        m_stats.lastError = status.error().describe();
        if (raw == NATS_MAX_PAYLOAD) {
          m_log->error(
              "a message of {} bytes exceeds the server's max_payload; {} observations "
              "of record {} cannot be delivered",
              m_packed.size(), obs.size(), record.firstSequence);
          m_stats.rejected += obs.size();
          m_tracker.markAcked(record.firstSequence, record.endSequence());
          m_cursorDirty = true;
        }
        break;
      }
      ++sent;
      std::lock_guard lock(m_mutex);
      ++m_stats.published;
      m_stats.bytesOut += m_packed.size();
      m_stats.bytesRaw += m_raw.size();
    }
    if (!ok) break;
  }
  if (sent < messages) {
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(record.firstSequence);
    if (it != m_records.end()) {
      if (backlog) m_backlogInFlight -= messages - sent;
      it->second.partsLeft -= messages - sent;
      if (!m_tracker.isAcked(record.firstSequence)) {
        it->second.failed = true;
        m_failurePending = true;
      }
      if (it->second.partsLeft == 0) m_records.erase(it);
    }
  }
  return ok;
}

std::size_t NatsUplink::sendLane(bool backlog, std::size_t budget) {
  std::uint64_t& next = backlog ? m_backlogNext : m_liveNext;
  const std::uint64_t to = backlog ? m_backlogEnd : UINT64_MAX;
  std::size_t sent = 0;
  while (sent < budget && next < to && windowHasRoom(backlog)) {
    m_readBuffer.clear();
    const std::size_t want = std::min<std::size_t>(budget - sent, 4 * m_options.maxBatch);
    if (auto status = m_journal.read(next, to, want, m_readBuffer); !status) {
      std::lock_guard lock(m_mutex);
      m_stats.lastError = status.error().describe();
      m_log->error("reading the journal at {}: {}", next, status.error().describe());
      break;
    }
    if (m_readBuffer.empty()) break;
    for (const auto& record : m_readBuffer) {
      if (record.endSequence() <= next) continue;
      if (record.firstSequence > next) {
        // The journal no longer holds [next, first): evicted or damaged, counted and logged
        // there. Nothing can be sent for it, so it must not hold the cursor back.
        std::lock_guard lock(m_mutex);
        m_stats.evicted += unackedIn(next, record.firstSequence);
        m_tracker.markAcked(next, record.firstSequence);
        m_cursorDirty = true;
      }
      // Records are owned by the lane their end falls in (the lanes meet inside a record).
      if (backlog && record.endSequence() > m_backlogEnd) {
        next = m_backlogEnd;
        break;
      }
      bool skip = false;
      {
        std::lock_guard lock(m_mutex);
        skip = m_tracker.isAcked(record.firstSequence) || m_records.count(record.firstSequence);
      }
      if (!skip) {
        if (!windowHasRoom(backlog)) break;
        if (!sendRecord(record, backlog)) return sent;
        sent += record.observations.size();
      }
      next = record.endSequence();
    }
    if (backlog && next >= m_backlogEnd) break;
  }
  return sent;
}

void NatsUplink::run() {
  while (true) {
    {
      std::unique_lock lock(m_mutex);
      if (m_stopping) return;
      m_woken = false;
      if (m_failurePending) {
        // Let everything in flight settle, wait a little, then plan from the acked ranges.
        if (!m_records.empty() || !m_connection.connected()) {
          m_wake.wait_for(lock, kIdlePoll, [this] { return m_stopping; });
          continue;
        }
        m_retryDelay = m_retryDelay.count() == 0
                           ? Duration(kRetryMin)
                           : std::min<Duration>(m_retryDelay * 2, Duration(kRetryMax));
        m_wake.wait_for(lock, m_retryDelay, [this] { return m_stopping; });
        if (m_stopping) return;
        m_failurePending = false;
        lock.unlock();
        plan();
        continue;
      }
    }
    std::size_t sent = 0;
    const bool connected = m_connection.connected();
    if (connected && !m_wasConnected && m_started) {
      // Back from an outage: the live lane restarts near the head, the rest is backlog.
      plan();
    }
    m_wasConnected = connected;
    m_started = true;
    if (connected) {
      sent += sendLane(false, SIZE_MAX);
      const auto now = Clock::now();
      if (m_options.backlogRate > 0) {
        const double burst = std::max<double>(m_options.maxBatch, m_options.backlogRate / 10);
        m_tokens = std::min(
            burst, m_tokens + m_options.backlogRate *
                                  std::chrono::duration<double>(now - m_lastRefill).count());
      }
      m_lastRefill = now;
      if (m_backlogNext < m_backlogEnd) {
        const bool unlimited = m_options.backlogRate <= 0;
        if (unlimited || m_tokens >= 1) {
          const std::size_t budget = unlimited ? SIZE_MAX : static_cast<std::size_t>(m_tokens);
          const std::size_t n = sendLane(true, budget);
          if (!unlimited) m_tokens -= static_cast<double>(n);
        }
      }
    }
    saveCursor(false);
    const std::uint64_t end = m_journal.endSequence();
    std::unique_lock lock(m_mutex);
    m_stats.backlog = m_backlogEnd > m_backlogNext ? m_backlogEnd - m_backlogNext : 0;
    m_stats.end = end;
    if (m_stopping) return;
    if (sent > 0 || m_woken) continue;
    auto wait = std::chrono::duration_cast<Duration>(kIdlePoll);
    if (m_backlogNext < m_backlogEnd && m_options.backlogRate > 0) {
      wait = std::min<Duration>(wait, std::chrono::milliseconds(10));
    }
    if (m_cursorDirty) wait = std::min<Duration>(wait, Duration(kCursorInterval));
    m_wake.wait_for(lock, wait, [this] { return m_stopping || m_woken; });
  }
}

void NatsUplink::onComplete(const PublishCompletion& c) {
  bool wake = false;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(c.token);
    if (it == m_records.end()) return;
    RecordState& state = it->second;
    if (state.backlog) --m_backlogInFlight;
    if (c.ok) {
      ++m_stats.acked;
      if (c.duplicate) ++m_stats.duplicates;
    } else {
      ++m_stats.failed;
      state.failed = true;
      m_failurePending = true;
      if (m_stats.lastError != c.error) {
        m_log->warn("publish to the hub failed: {}{}", c.error,
                    c.status == NATS_NO_RESPONDERS
                        ? " (no JetStream stream on the hub stores spindle." + m_edge + ".data.>)"
                        : "; it will be sent again");
      }
      m_stats.lastError = c.error;
    }
    if (--state.partsLeft == 0) {
      finishRecord(it->first, state);
      m_records.erase(it);
    }
    m_woken = true;
    wake = true;
  }
  if (wake) {
    m_wake.notify_all();
  }
}

void NatsUplink::finishRecord(std::uint64_t first, RecordState& state) {
  if (state.failed) return;
  if (m_retryDelay.count() != 0) m_retryDelay = Duration(0);
  m_tracker.markAcked(first, state.end);
  m_stats.delivered += state.end - first;
  m_cursorDirty = true;
}

void NatsUplink::saveCursor(bool force) {
  std::string text;
  std::uint64_t watermark = 0;
  {
    std::lock_guard lock(m_mutex);
    if (!m_cursorDirty) return;
    if (!force && Clock::now() - m_lastSave < kCursorInterval) return;
    text = m_tracker.serialize();
    watermark = m_tracker.watermark();
    m_cursorDirty = false;
  }
  m_lastSave = Clock::now();
  if (auto status = m_cursorStore.save(text); !status) {
    std::lock_guard lock(m_mutex);
    m_cursorDirty = true;
    m_stats.lastError = status.error().describe();
    m_log->error("saving the cursor: {}", status.error().describe());
    return;
  }
  if (m_onCommitted) m_onCommitted(watermark);
}

}  // namespace spindle::uplinks::nats
