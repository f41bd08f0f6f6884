#pragma once
/// JournalFeed: the durable journal seen through JournalView and CursorStore, so NatsUplink
/// can read it at two positions at once (live and backlog lanes) and acknowledge out of
/// order. It registers with the journal as a consumer (retention keeps what is not yet
/// delivered), keeps the watermark in the journal's own cursor file
/// (<journal>/cursors/<name>.cursor, shown by `spindle journal`), and the acknowledged ranges
/// above it in a side file (<name>.cursor.acked). A thread wakes the uplink when new records
/// become durable.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"
#include "uplinks/nats/journal_view.hpp"

namespace spindle::uplinks::nats {

class JournalFeed final : public JournalView, public CursorStore {
 public:
  /// `name` names the cursor; the journal and catalog must outlive the feed.
  JournalFeed(journal::Journal& journal, model::ItemCatalog& catalog, std::string name = "nats");
  ~JournalFeed() override;

  /// Opens the cursor, registers as a consumer and starts waking `notify` (from its own
  /// thread) whenever the durable end moves.
  Status start(std::function<void()> notify);
  /// Stops the thread and unregisters. Idempotent.
  void stop();

  // JournalView (the uplink's sender thread).
  std::uint64_t beginSequence() const override;
  std::uint64_t endSequence() const override;
  std::uint64_t journalId() const override;
  Status read(std::uint64_t from, std::uint64_t to, std::size_t maxObservations,
              std::vector<JournalRecord>& out) override;

  // CursorStore (the uplink's sender thread).
  Result<std::string> load() override;
  Status save(const std::string& cursor) override;

 private:
  journal::Journal& m_journal;
  model::ItemCatalog& m_catalog;
  std::string m_name;
  std::shared_ptr<spdlog::logger> m_log;
  std::optional<journal::CursorFile> m_cursor;
  std::unique_ptr<FileCursorStore> m_ranges;
  std::uint64_t m_loadedNext = 0;
  std::size_t m_handle = 0;
  bool m_registered = false;
  /// Two readers: the live and the backlog lane read sequentially at their own positions.
  struct Reader {
    std::unique_ptr<journal::JournalReader> reader;
    std::uint64_t lastUse = 0;
  };
  std::vector<Reader> m_readers;
  std::uint64_t m_uses = 0;
  std::atomic<bool> m_stopping{false};
  std::thread m_thread;
};

}  // namespace spindle::uplinks::nats
