#pragma once
/// Journal exports the cloud asks for (`diag.upload` with {"journal": {...}}): the export of a
/// time range is written on a thread of its own (a long range takes a while, and diagnostics
/// answer one request at a time), then queued for the uploads bucket and deleted once it is
/// there. One export at a time; stop() cancels the one being written and removes its file.
///
///   JournalExports exports(log);
///   auto started = exports.start(request, "/data/exports/journal-....jsonl.zst", upload);
///   ... exports.stop();   // before the upload queue stops

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "base/error.hpp"
#include "journal/export.hpp"
#include "upload/upload_queue.hpp"

namespace spindle::app {

class JournalExports {
 public:
  using Enqueue = std::function<Result<std::string>(upload::UploadRequest)>;

  explicit JournalExports(std::shared_ptr<spdlog::logger> log) : m_log(std::move(log)) {}
  ~JournalExports() { stop(); }
  JournalExports(const JournalExports&) = delete;
  JournalExports& operator=(const JournalExports&) = delete;

  /// Writes the export of `request` to `upload.path` on the export thread, then hands `upload`
  /// to `enqueue`. kUnavailable while another export is being written or after stop().
  /// Any thread.
  Status start(journal::ExportRequest request, upload::UploadRequest upload, Enqueue enqueue);

  /// Cancels the export being written (its file is removed) and joins. Idempotent.
  void stop();

  /// Whether an export is being written now. Any thread.
  bool busy() const { return m_busy; }

 private:
  void run(journal::ExportRequest request, upload::UploadRequest upload, Enqueue enqueue);

  std::shared_ptr<spdlog::logger> m_log;
  std::mutex m_mutex;  ///< m_thread, m_stopped
  std::thread m_thread;
  bool m_stopped = false;
  std::atomic<bool> m_busy{false};
  std::atomic<bool> m_cancel{false};
};

}  // namespace spindle::app
