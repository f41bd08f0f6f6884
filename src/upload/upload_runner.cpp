#include "upload/upload_runner.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <sys/stat.h>

namespace spindle::upload {
namespace {

RunResult failed(S3Reply reply) {
  RunResult r;
  r.outcome = reply.outcome == S3Outcome::kReject ? S3Outcome::kReject : S3Outcome::kRetry;
  r.error = std::move(reply.error);
  return r;
}

RunResult rejected(std::string message) {
  RunResult r;
  r.outcome = S3Outcome::kReject;
  r.error = Error(ErrorCode::kInvalidArgument, std::move(message));
  return r;
}

std::string unquote(std::string etag) {
  std::erase(etag, '"');
  return etag;
}

}  // namespace

UploadRunner::UploadRunner(S3Session* signedSession, S3Session& presignedSession,
                           RunnerSettings settings,
                           std::function<void(const UploadRecord&)> persist,
                           const std::atomic<bool>& stopping)
    : m_signed(signedSession),
      m_presigned(presignedSession),
      m_settings(settings),
      m_persist(std::move(persist)),
      m_stopping(stopping) {}

RunResult UploadRunner::run(UploadRecord& record) {
  struct stat st {};
  if (::stat(record.path.c_str(), &st) != 0) {
    return rejected("the file " + record.path + " is gone");
  }
  if (static_cast<std::uint64_t>(st.st_size) != record.size) {
    return rejected("the file " + record.path + " changed size since it was queued (" +
                    std::to_string(record.size) + " -> " + std::to_string(st.st_size) + " bytes)");
  }
  if (!record.presignedUrl.empty()) return single(record);
  if (m_signed == nullptr) {
    return rejected("no uploads.access_key_id is configured and the upload has no presigned URL");
  }
  if (record.uploadId.empty() && record.partSize == 0 &&
      record.size <= m_settings.multipartThreshold) {
    return single(record);
  }
  return multipart(record, true);
}

RunResult UploadRunner::single(UploadRecord& record) {
  auto digest = digestFileRange(record.path, 0, record.size);
  if (!digest) return rejected(digest.error().describe());
  const FileBody body{{record.path, 0, record.size}, std::move(digest.value())};
  const S3Reply reply = record.presignedUrl.empty()
                            ? m_signed->putObject(record.key, body, record.metadata)
                            : m_presigned.putPresigned(record.presignedUrl, body);
  if (reply.outcome != S3Outcome::kOk) return failed(reply);
  RunResult r;
  r.etag = reply.value;
  return r;
}

void UploadRunner::dropMultipart(UploadRecord& record, bool abortIt) {
  // Best effort: a server without AbortMultipartUpload, or one that refuses it, leaves the
  // parts to the bucket's lifecycle rule for incomplete uploads.
  if (abortIt && !record.uploadId.empty()) (void)m_signed->abort(record.key, record.uploadId);
  record.uploadId.clear();
  record.parts.clear();
  record.partSize = 0;
  m_persist(record);
}

// Keeps the recorded parts that ListParts confirms with the same ETag; without ListParts on
// the server, the record is trusted (CompleteMultipartUpload checks every ETag anyway).
void UploadRunner::confirmParts(UploadRecord& record, RunResult& failure, bool& restart) {
  S3Reply listed = m_signed->listParts(record.key, record.uploadId);
  if (listed.outcome == S3Outcome::kUnsupported) return;
  if (listed.outcome == S3Outcome::kRestart) {
    restart = true;
    return;
  }
  if (listed.outcome != S3Outcome::kOk) {
    failure = failed(std::move(listed));
    return;
  }
  std::map<int, std::string> confirmed;
  for (const auto& part : listed.parts) {
    const auto it = record.parts.find(part.number);
    if (it != record.parts.end() && unquote(it->second) == unquote(part.etag)) {
      confirmed.emplace(part.number, it->second);
    }
  }
  if (confirmed != record.parts) {
    record.parts = std::move(confirmed);
    m_persist(record);
  }
}

RunResult UploadRunner::multipart(UploadRecord& record, bool mayRestart) {
  if (record.uploadId.empty()) {
    record.parts.clear();
    // At most 10,000 parts: a very large file gets larger parts.
    record.partSize = std::max<std::uint64_t>(m_settings.partSize, (record.size + 9999) / 10000);
    S3Reply created = m_signed->createMultipart(record.key, record.metadata);
    if (created.outcome != S3Outcome::kOk) {
      record.partSize = 0;
      return failed(std::move(created));
    }
    record.uploadId = created.value;
    m_persist(record);
  } else {
    RunResult failure;
    bool restart = false;
    confirmParts(record, failure, restart);
    if (restart && mayRestart) {
      dropMultipart(record, false);
      return multipart(record, false);
    }
    if (failure.error) return failure;
  }
  RunResult sent = sendParts(record);
  if (sent.error || sent.stopped) {
    if (sent.outcome == S3Outcome::kReject) dropMultipart(record, true);
    return sent;
  }
  S3Reply completed = m_signed->complete(record.key, record.uploadId, record.parts);
  if (completed.outcome == S3Outcome::kRestart && mayRestart) {
    dropMultipart(record, false);
    return multipart(record, false);
  }
  if (completed.outcome != S3Outcome::kOk) {
    if (completed.outcome == S3Outcome::kReject) dropMultipart(record, true);
    return failed(std::move(completed));
  }
  return RunResult{};
}

RunResult UploadRunner::sendParts(UploadRecord& record) {
  const auto count = static_cast<int>((record.size + record.partSize - 1) / record.partSize);
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::pair<int, S3Reply>> finished;  // filled on the HTTP client's thread
  int inFlight = 0;
  std::optional<RunResult> failure;
  // Records what finished (on this thread: saving fsyncs, too slow for the client's thread).
  const auto collect = [&](std::unique_lock<std::mutex>& lock) {
    while (!finished.empty()) {
      auto [number, reply] = std::move(finished.front());
      finished.pop_front();
      if (reply.outcome == S3Outcome::kOk) {
        record.parts[number] = reply.value;
        lock.unlock();
        m_persist(record);
        lock.lock();
      } else if (!failure || reply.outcome == S3Outcome::kReject) {
        failure = failed(std::move(reply));
      }
    }
  };
  std::unique_lock lock(mutex);
  for (int number = 1; number <= count; ++number) {
    if (record.parts.count(number)) continue;
    changed.wait(lock, [&] { return inFlight < m_settings.parallelParts || !finished.empty(); });
    collect(lock);
    while (inFlight >= m_settings.parallelParts) {
      changed.wait(lock, [&] { return !finished.empty(); });
      collect(lock);
    }
    if (failure || m_stopping) break;
    lock.unlock();
    const std::uint64_t offset = static_cast<std::uint64_t>(number - 1) * record.partSize;
    const std::uint64_t length = std::min(record.partSize, record.size - offset);
    auto digest = digestFileRange(record.path, offset, length);
    lock.lock();
    if (!digest) {
      failure = rejected(digest.error().describe());
      break;
    }
    ++inFlight;
    ++m_partsSent;
    lock.unlock();
    m_signed->uploadPart(record.key, record.uploadId, number,
                         FileBody{{record.path, offset, length}, std::move(digest.value())},
                         [&, number](S3Reply reply) {
                           std::lock_guard guard(mutex);
                           finished.emplace_back(number, std::move(reply));
                           --inFlight;
                           changed.notify_all();
                         });
    lock.lock();
  }
  while (inFlight > 0 || !finished.empty()) {
    changed.wait(lock, [&] { return !finished.empty(); });
    collect(lock);
  }
  if (failure) return std::move(*failure);
  if (static_cast<int>(record.parts.size()) < count) {
    RunResult r;
    r.stopped = true;
    r.outcome = S3Outcome::kRetry;
    r.error = Error(ErrorCode::kUnavailable, "the upload queue stopped");
    return r;
  }
  return RunResult{};
}

}  // namespace spindle::upload
