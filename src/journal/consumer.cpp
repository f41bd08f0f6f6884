#include "journal/consumer.hpp"

#include <algorithm>
#include <filesystem>

#include "base/log.hpp"
#include "base/log_limiter.hpp"

namespace spindle::journal {
namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr Duration kIdlePoll = std::chrono::milliseconds(50);

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}
}  // namespace

Consumer::Consumer(Journal& journal, uplinks::Uplink& uplink, model::ItemCatalog& catalog)
    : m_journal(journal),
      m_uplink(uplink),
      m_catalog(catalog),
      m_name(uplink.name()),
      m_log(makeLogger("consumer." + uplink.name())) {}

Consumer::~Consumer() { stop(); }

Status Consumer::start() {
  if (m_thread.joinable()) return okStatus();
  if (!validName(m_name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "uplink name '" + m_name + "' cannot name a cursor file");
  }
  auto cursor = CursorFile::open(m_journal.cursorPath(m_name), m_journal.io());
  if (!cursor) return std::move(cursor).error().with("consumer " + m_name);
  m_cursor = std::move(*cursor);
  std::uint64_t next = 0;
  if (m_cursor->loaded()) {
    next = m_cursor->loaded()->next;
    m_log->info("resuming at sequence {}", next);
  } else {
    next = m_journal.firstSequence();
    if (m_cursor->wasMissing()) {
      m_log->info("new consumer: starting at the oldest observation held, sequence {}", next);
    } else {
      m_log->warn(
          "cursor {}: {}; starting at the oldest observation held (sequence {}): what "
          "was delivered from there is sent again, nothing is skipped",
          m_journal.cursorPath(m_name), m_cursor->problem(), next);
    }
    if (auto s = m_cursor->store(next, true); !s) m_log->error("{}", s.error().describe());
    (void)m_journal.io()->syncDirectory(
        std::filesystem::path(m_journal.cursorPath(m_name)).parent_path().string());
  }
  m_position = next;
  m_committed = next;
  m_handle = m_journal.addConsumer(m_name, next);
  m_uplink.attach(m_journal.journalId(), m_journal.durableSequence());
  m_reader.emplace(m_journal, m_catalog, next, m_log);
  {
    std::lock_guard lock(m_mutex);
    m_stopRequested = false;
  }
  m_thread = std::thread([this] { run(); });
  return okStatus();
}

void Consumer::stop(Duration drainFor) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_thread.joinable()) return;
    m_stopRequested = true;
    m_drainUntil = SteadyClock::now() + drainFor;
  }
  m_wake.notify_all();
  m_thread.join();
  if (m_journal.settings().sync.mode != SyncMode::kNever) commitPosition();
  m_journal.removeConsumer(m_handle);
}

void Consumer::run() {
  while (true) {
    bool draining = false;
    {
      std::lock_guard lock(m_mutex);
      if (m_stopRequested) {
        if (SteadyClock::now() >= m_drainUntil) return;
        draining = true;
      }
    }
    ReadChunk chunk = m_reader->read(m_journal.settings().sendBatch);
    if (chunk.evicted > 0 || chunk.damaged > 0) {
      m_evicted += chunk.evicted;
      m_damaged += chunk.damaged;
      m_log->warn(
          "skipping {} observations before sequence {}: {} dropped by retention before "
          "delivery, {} lost in damaged records",
          chunk.evicted + chunk.damaged, chunk.firstSequence, chunk.evicted, chunk.damaged);
      if (chunk.observations.empty()) advance(chunk.firstSequence);
    }
    if (chunk.observations.empty()) {
      const auto& sync = m_journal.settings().sync;
      if (sync.mode != SyncMode::kNever &&
          (draining || SteadyClock::now() - m_lastCursorSync >= sync.interval)) {
        commitPosition();
      }
      if (draining) return;  // caught up
      m_journal.waitDurable(m_reader->position(), kIdlePoll);
      continue;
    }
    if (!deliver(chunk)) return;
  }
}

bool Consumer::deliver(const ReadChunk& chunk) {
  if (deliverPart(chunk.firstSequence, chunk.observations, chunk.records.size() > 1)) {
    return true;
  }
  if (m_position.load() >= chunk.endSequence()) return true;
  {
    std::lock_guard lock(m_mutex);
    if (m_stopRequested) return false;
  }
  // Rejected as a whole: offer record by record so one bad record costs only itself.
  std::uint64_t first = chunk.firstSequence;
  auto begin = chunk.observations.begin();
  for (const std::uint32_t count : chunk.records) {
    const model::Batch part(begin, begin + count);
    if (!deliverPart(first, part, false) && m_position.load() < first + count) return false;
    first += count;
    begin += count;
  }
  return true;
}

// Sends until Ok or Reject. Returns true on Ok (cursor moved); on Reject with `isolate`
// returns false without moving so the caller can split; false too when stopping.
bool Consumer::deliverPart(std::uint64_t first, const model::Batch& batch, bool isolate) {
  Duration delay = m_journal.settings().retryMin;
  std::uint64_t attempts = 0;
  while (true) {
    const auto result = m_uplink.send(first, batch);
    if (result == uplinks::SendResult::kOk) {
      if (attempts > 0) m_log->info("delivering again after {} retries", attempts);
      m_failing = false;
      m_delivered += batch.size();
      advance(first + batch.size());
      return true;
    }
    if (result == uplinks::SendResult::kReject) {
      m_failing = false;
      if (isolate) return false;
      m_rejected += batch.size();
      m_log->error("uplink rejected {} observations (sequences {}-{}); skipped", batch.size(),
                   first, first + batch.size() - 1);
      advance(first + batch.size());
      return true;
    }
    ++m_retries;
    if (attempts++ == 0) {
      m_failing = true;
      m_log->warn("uplink asks to retry (sequences {}-{}); retrying with backoff up to {}", first,
                  first + batch.size() - 1, formatDuration(m_journal.settings().retryMax));
    }
    if (!waitBackoff(delay)) return false;
    delay = std::min(delay * 2, m_journal.settings().retryMax);
  }
}

bool Consumer::waitBackoff(Duration delay) {
  std::unique_lock lock(m_mutex);
  m_wake.wait_for(lock, delay, [this] { return m_stopRequested; });
  return !m_stopRequested;
}

void Consumer::advance(std::uint64_t next) {
  m_position = next;
  const auto& sync = m_journal.settings().sync;
  if (sync.mode == SyncMode::kNever) {
    // Safe against crashes, not power loss: nothing is synced, the cursor follows at once.
    if (auto s = m_cursor->store(next, false); !s) m_log->error("{}", s.error().describe());
    m_journal.acknowledge(m_handle, next);
    return;
  }
  // Group commit: the cursor moves on disk (and in the journal's retention) only after the
  // uplink has made what it took durable, at most once per interval.
  if (sync.mode == SyncMode::kInterval && SteadyClock::now() - m_lastCursorSync < sync.interval) {
    return;
  }
  commitPosition();
}

void Consumer::commitPosition() {
  const std::uint64_t next = m_position.load();
  if (next == m_committed) return;
  m_lastCursorSync = SteadyClock::now();
  if (auto s = m_uplink.sync(); !s) {
    // Not durable at the destination: keep the cursor where it is; after a restart the data
    // comes again and the uplink drops what it already holds.
    m_syncLog.log(*m_log, spdlog::level::err, "{}; the cursor stays at sequence {}",
                  s.error().describe(), m_committed);
    return;
  }
  if (auto s = m_cursor->store(next, true); !s) {
    // The uplink has the data; a stale cursor only means it may come again after a restart.
    m_log->error("{}", s.error().describe());
    return;
  }
  m_committed = next;
  m_journal.acknowledge(m_handle, next);
}

ConsumerStats Consumer::stats() const {
  ConsumerStats s;
  s.name = m_name;
  s.position = m_position.load();
  const std::uint64_t durable = m_journal.durableSequence();
  s.lag = durable > s.position ? durable - s.position : 0;
  s.delivered = m_delivered.load();
  s.rejected = m_rejected.load();
  s.retries = m_retries.load();
  s.evicted = m_evicted.load();
  s.damaged = m_damaged.load();
  s.failing = m_failing.load();
  return s;
}

}  // namespace spindle::journal
