#include "uplinks/nats/journal_feed.hpp"

#include <filesystem>

#include "base/log.hpp"
#include "uplinks/nats/ack_tracker.hpp"

namespace spindle::uplinks::nats {

JournalFeed::JournalFeed(journal::Journal& journal, model::ItemCatalog& catalog, std::string name)
    : m_journal(journal),
      m_catalog(catalog),
      m_name(std::move(name)),
      m_log(makeLogger("uplink.nats.journal")) {}

JournalFeed::~JournalFeed() { stop(); }

Status JournalFeed::start(std::function<void()> notify) {
  if (m_thread.joinable()) return okStatus();
  const std::string path = m_journal.cursorPath(m_name);
  auto cursor = journal::CursorFile::open(path, m_journal.io());
  if (!cursor) return std::move(cursor).error().with("opening the NATS uplink's cursor");
  m_cursor = std::move(*cursor);
  m_ranges = std::make_unique<FileCursorStore>(path + ".acked");
  if (m_cursor->loaded()) {
    m_loadedNext = m_cursor->loaded()->next;
  } else {
    m_loadedNext = m_journal.firstSequence();
    if (m_cursor->wasMissing() || m_cursor->problem() == "empty cursor file") {
      m_log->info("new consumer: starting at the oldest observation held, sequence {}",
                  m_loadedNext);
    } else {
      m_log->warn(
          "cursor {}: {}; starting at the oldest observation held (sequence {}): the "
          "hub drops what it already has",
          path, m_cursor->problem(), m_loadedNext);
    }
    // Written at once, so the next start finds a cursor, not an empty file.
    if (auto s = m_cursor->store(m_loadedNext, true); !s) m_log->error("{}", s.error().describe());
    (void)m_journal.io()->syncDirectory(std::filesystem::path(path).parent_path().string());
  }
  m_handle = m_journal.addConsumer(m_name, m_loadedNext);
  m_registered = true;
  m_stopping = false;
  m_thread = std::thread([this, notify = std::move(notify)] {
    std::uint64_t seen = m_journal.durableSequence();
    while (!m_stopping.load()) {
      // Returns once `seen` is durable (new data) or after the timeout.
      if (m_journal.waitDurable(seen, std::chrono::milliseconds(100))) {
        seen = m_journal.durableSequence();
        notify();
      }
    }
  });
  return okStatus();
}

void JournalFeed::stop() {
  m_stopping = true;
  if (m_thread.joinable()) m_thread.join();
  if (m_registered) m_journal.removeConsumer(m_handle);
  m_registered = false;
  m_readers.clear();
}

std::uint64_t JournalFeed::beginSequence() const { return m_journal.firstSequence(); }

std::uint64_t JournalFeed::endSequence() const { return m_journal.durableSequence(); }

std::uint64_t JournalFeed::journalId() const { return m_journal.journalId(); }

Status JournalFeed::read(std::uint64_t from, std::uint64_t to, std::size_t maxObservations,
                         std::vector<JournalRecord>& out) {
  if (from >= to) return okStatus();
  Reader* chosen = nullptr;
  for (auto& r : m_readers) {
    if (r.reader->position() == from) chosen = &r;
  }
  if (chosen == nullptr) {
    if (m_readers.size() < 2) {
      m_readers.push_back(
          Reader{std::make_unique<journal::JournalReader>(m_journal, m_catalog, from, m_log), 0});
      chosen = &m_readers.back();
    } else {
      chosen = m_readers[0].lastUse <= m_readers[1].lastUse ? &m_readers[0] : &m_readers[1];
      chosen->reader->seek(from);
    }
  }
  chosen->lastUse = ++m_uses;
  // Whole records, and at most one record past `to`.
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(maxObservations, to - from));
  journal::ReadChunk chunk = chosen->reader->read(std::max<std::size_t>(1, want));
  std::uint64_t first = chunk.firstSequence;
  auto it = chunk.observations.begin();
  for (const std::uint32_t count : chunk.records) {
    if (first >= to) break;
    JournalRecord r;
    r.firstSequence = first;
    r.observations.assign(std::make_move_iterator(it), std::make_move_iterator(it + count));
    out.push_back(std::move(r));
    first += count;
    it += count;
  }
  return okStatus();
}

Result<std::string> JournalFeed::load() {
  if (!m_ranges) return Error(ErrorCode::kInternal, "the journal feed is not started");
  auto text = m_ranges->load();
  std::optional<AckTracker> tracker;
  if (text && !text->empty()) tracker = AckTracker::parse(*text);
  if (!tracker) {
    if (text && !text->empty()) m_log->warn("ignoring an unreadable {}", m_ranges->path());
    tracker = AckTracker(m_loadedNext);
  }
  // The journal's cursor is authoritative below its position (e.g. after a reset); above it,
  // the side file remembers what the hub acknowledged out of order.
  tracker->skipTo(m_loadedNext);
  return tracker->serialize();
}

Status JournalFeed::save(const std::string& cursor) {
  if (!m_cursor || !m_ranges) return Error(ErrorCode::kInternal, "the journal feed is not started");
  const auto tracker = AckTracker::parse(cursor);
  if (!tracker) return Error(ErrorCode::kInternal, "unrecognized cursor text");
  // Ranges first: a crash between the two writes leaves a side file ahead of the cursor file,
  // which load() reconciles; the reverse order could forget acknowledged ranges.
  if (auto s = m_ranges->save(cursor); !s) return s;
  if (auto s = m_cursor->store(tracker->watermark(), true); !s) return s;
  if (m_registered) m_journal.acknowledge(m_handle, tracker->watermark());
  return okStatus();
}

}  // namespace spindle::uplinks::nats
