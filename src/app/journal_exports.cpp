#include "app/journal_exports.hpp"

#include <filesystem>

namespace spindle::app {

Status JournalExports::start(journal::ExportRequest request, upload::UploadRequest upload,
                             Enqueue enqueue) {
  std::lock_guard lock(m_mutex);
  if (m_stopped) return Error(ErrorCode::kUnavailable, "the edge is stopping");
  if (m_busy) {
    return Error(ErrorCode::kUnavailable,
                 "another journal export is being written; ask again once it is queued (status "
                 "lists the uploads)");
  }
  if (m_thread.joinable()) m_thread.join();  // the previous export, finished
  m_busy = true;
  request.cancel = &m_cancel;
  m_thread = std::thread([this, request = std::move(request), upload = std::move(upload),
                          enqueue = std::move(enqueue)]() mutable {
    run(std::move(request), std::move(upload), std::move(enqueue));
    m_busy = false;
  });
  return okStatus();
}

void JournalExports::stop() {
  std::lock_guard lock(m_mutex);
  m_stopped = true;
  m_cancel = true;
  if (m_thread.joinable()) m_thread.join();
}

void JournalExports::run(journal::ExportRequest request, upload::UploadRequest upload,
                         Enqueue enqueue) {
  auto summary = journal::exportJournalToFile(request, upload.path);
  if (!summary) {
    // exportJournalToFile leaves no file behind when it fails.
    m_log->error("journal export {} not written: {}", upload.path, summary.error().describe());
    return;
  }
  const std::string path = upload.path;
  auto id = enqueue(std::move(upload));
  if (!id) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    m_log->error("journal export {} not queued: {}", path, id.error().describe());
    return;
  }
  m_log->info(
      "journal export {} written ({} observations, {} bytes, {} damaged records skipped) and "
      "queued for upload as {}",
      path, summary->observations, summary->bytes, summary->damagedRecords, *id);
}

}  // namespace spindle::app
