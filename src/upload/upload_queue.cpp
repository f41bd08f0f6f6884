#include "upload/upload_queue.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.hpp"
#include "upload/upload_runner.hpp"

namespace spindle::upload {
namespace {

constexpr std::uint64_t kMaxSinglePut = 5ull << 30;  // S3's limit for one PUT

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string joinKey(const std::string& prefix, const std::string& key) {
  if (prefix.empty()) return key;
  return prefix.back() == '/' || key.front() == '/' ? prefix + key : prefix + "/" + key;
}

// Beside the folder, which holds records only.
std::string lockPath(const std::string& dir) { return dir + ".lock"; }

}  // namespace

bool UploadQueue::sendingElsewhere(const std::string& dataDir) {
  const int fd = ::open(lockPath(dataDir + "/uploads").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no folder yet: nobody sends from it
  const bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return busy;
}

Result<std::unique_ptr<UploadQueue>> UploadQueue::create(
    UploadOptions options, const std::string& dataDir,
    std::shared_ptr<net::http::HttpClient> http) {
  std::optional<S3Credentials> credentials;
  if (!options.accessKeyId.empty()) {
    auto loaded = loadCredentials(options);
    if (!loaded) return std::move(loaded).error().with("setting up uploads");
    credentials = std::move(loaded.value());
  }
  std::unique_ptr<UploadQueue> queue(new UploadQueue(std::move(options), dataDir + "/uploads",
                                                     std::move(http), std::move(credentials)));
  // Temporary files are removed by the worker once it holds the folder's lock: another process
  // may be writing a record into the folder now.
  if (auto opened = queue->m_store.open(/*removeTemporary=*/false); !opened) {
    return std::move(opened).error().with("setting up the upload queue");
  }
  std::vector<std::string> problems;
  queue->m_records = queue->m_store.loadAll(&problems);
  for (const auto& p : problems) makeLogger("upload")->warn("skipping an unreadable record: {}", p);
  return queue;
}

UploadQueue::UploadQueue(UploadOptions options, std::string dir,
                         std::shared_ptr<net::http::HttpClient> http,
                         std::optional<S3Credentials> credentials)
    : m_options(std::move(options)),
      m_store(std::move(dir)),
      m_http(std::move(http)),
      m_canSign(credentials.has_value()) {
  // Ids of two processes queueing in the same millisecond differ by their process id.
  m_sequence = static_cast<std::uint64_t>(::getpid() % 1000) * 1000;
  if (!m_http) return;  // queues only: another process sends (spindle upload)
  m_presigned = std::make_unique<S3Session>(*m_http, S3Target{});
  if (credentials) {
    m_signed = std::make_unique<S3Session>(
        *m_http, S3Target{m_options.endpoint, m_options.bucket, std::move(*credentials)});
  }
}

UploadQueue::~UploadQueue() { stop(); }

Result<std::string> UploadQueue::enqueue(UploadRequest request) {
  struct stat st {};
  if (::stat(request.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kInvalidArgument, request.path + " is not a readable regular file")
        .with("queueing an upload");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (request.presignedUrl.empty()) {
    if (request.key.empty()) {
      return Error(ErrorCode::kInvalidArgument, "an upload needs an object key or a presigned URL");
    }
    if (!m_canSign) {
      return Error(ErrorCode::kInvalidArgument,
                   "no uploads.access_key_id is configured: only uploads with a presigned URL "
                   "can go");
    }
  } else if (size > kMaxSinglePut) {
    return Error(ErrorCode::kInvalidArgument,
                 request.path + " is larger than 5 GiB, too large for one PUT to a presigned URL");
  }
  UploadRecord record;
  record.path = request.path;
  record.key = request.presignedUrl.empty() ? joinKey(m_options.prefix, request.key) : "";
  record.presignedUrl = std::move(request.presignedUrl);
  record.metadata = std::move(request.metadata);
  record.deleteAfter = request.deleteAfter;
  record.size = size;
  record.queuedAtMs = nowMs();
  std::lock_guard lock(m_mutex);
  std::uint64_t bytes = size;
  for (const auto& r : m_records) bytes += r.size;
  if (static_cast<int>(m_records.size()) >= m_options.maxPending ||
      bytes > m_options.maxPendingBytes.bytes) {
    return Error(ErrorCode::kUnavailable,
                 "the upload queue is full (" + std::to_string(m_records.size()) + " uploads, " +
                     formatByteSize({bytes - size}) + "; uploads.max_pending " +
                     std::to_string(m_options.maxPending) + ", max_pending_bytes " +
                     formatByteSize(m_options.maxPendingBytes) + ")");
  }
  char id[48];
  std::snprintf(id, sizeof id, "%013lld-%06llu", static_cast<long long>(record.queuedAtMs),
                static_cast<unsigned long long>(m_sequence++ % 1000000));
  record.id = id;
  if (auto saved = m_store.save(record); !saved) return std::move(saved).error();
  m_records.push_back(record);
  m_wake.notify_all();
  return record.id;
}

void UploadQueue::start() {
  std::lock_guard lock(m_mutex);
  if (m_thread.joinable() || !m_http) return;
  for (auto& r : m_records) {
    if (r.state == UploadState::kFailed) r.state = UploadState::kPending;
    r.nextAttemptMs = 0;
  }
  m_stopping = false;
  m_thread = std::thread([this] { work(); });
}

void UploadQueue::stop(bool cancelInFlight) {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_wake.notify_all();
  }
  // The part in flight fails with "stopped"; finish() sees m_stopping and counts no attempt.
  if (cancelInFlight && m_http) m_http->stop();
  if (m_thread.joinable()) m_thread.join();
}

bool UploadQueue::holdLock() {
  if (m_lockFd < 0) {
    m_lockFd = ::open(lockPath(m_store.dir()).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_lockFd < 0) return true;  // cannot lock (read-only folder?): send regardless
  }
  return ::flock(m_lockFd, LOCK_EX | LOCK_NB) == 0;
}

void UploadQueue::adoptRecords() {
  // Only new files are read: a multipart record of thousands of parts is not parsed again.
  for (const auto& id : m_store.ids()) {
    const bool known = std::any_of(m_records.begin(), m_records.end(),
                                   [&](const UploadRecord& r) { return r.id == id; });
    if (known) continue;
    auto loaded = m_store.load(id);
    if (!loaded || loaded->state != UploadState::kPending) continue;
    UploadRecord record = std::move(loaded.value());
    makeLogger("upload")->info("upload {} of {} queued by another process", record.id, record.path);
    const auto at =
        std::upper_bound(m_records.begin(), m_records.end(), record.id,
                         [](const std::string& key, const UploadRecord& r) { return key < r.id; });
    m_records.insert(at, std::move(record));
  }
}

void UploadQueue::onFinished(std::function<void(const UploadDone&)> callback) {
  std::lock_guard lock(m_mutex);
  m_onFinished = std::move(callback);
}

void UploadQueue::work() {
  const RunnerSettings settings{m_options.partSize.bytes, m_options.multipartThreshold.bytes,
                                m_options.parallelParts};
  const auto persist = [this](const UploadRecord& record) {
    if (auto saved = m_store.save(record); !saved) {
      makeLogger("upload")->warn("{}", saved.error().describe());
    }
    std::lock_guard lock(m_mutex);
    for (auto& r : m_records) {
      if (r.id == record.id) r = record;
    }
  };
  std::unique_lock lock(m_mutex);
  // Another process may be sending from this folder (`spindle upload` in the foreground):
  // wait for its lock rather than send the same parts twice.
  bool told = false;
  while (!m_stopping && !holdLock()) {
    if (!told) makeLogger("upload")->info("another process sends from {}: waiting", m_store.dir());
    told = true;
    m_wake.wait_for(lock, std::chrono::seconds(1));
  }
  // A crash's leftovers, not a write another thread or process has under way.
  if (!m_stopping) m_store.removeTemporaryFiles(std::chrono::minutes(1));
  if (told && !m_stopping) {
    // The other process sent (and removed) some of what was loaded: the folder is the truth.
    m_records = m_store.loadAll();
    for (auto& r : m_records) {
      if (r.state == UploadState::kFailed) r.state = UploadState::kPending;
      r.nextAttemptMs = 0;
    }
  }
  auto adoptedAt = std::chrono::steady_clock::now();
  while (!m_stopping) {
    if (std::chrono::steady_clock::now() - adoptedAt >= kAdoptEvery) {
      adoptRecords();
      adoptedAt = std::chrono::steady_clock::now();
    }
    const std::int64_t now = nowMs();
    std::int64_t earliest = INT64_MAX;
    UploadRecord* next = nullptr;
    for (auto& r : m_records) {
      if (r.state != UploadState::kPending) continue;
      if (r.nextAttemptMs <= now) {
        next = &r;
        break;
      }
      earliest = std::min(earliest, r.nextAttemptMs);
    }
    if (next == nullptr) {
      const auto adoptIn = kAdoptEvery.count();
      m_wake.wait_for(lock, std::chrono::milliseconds(std::min<std::int64_t>(
                                earliest == INT64_MAX ? adoptIn : earliest - now, adoptIn)));
      continue;
    }
    UploadRecord record = *next;
    m_current = record.id;
    lock.unlock();
    UploadRunner runner(m_signed.get(), *m_presigned, settings, persist, m_stopping);
    const RunResult result = runner.run(record);
    m_partsSent += runner.partsSent();
    lock.lock();
    m_current.clear();
    finish(record, result);
  }
  if (m_lockFd >= 0) ::close(m_lockFd);  // releases the lock
  m_lockFd = -1;
}

// Called with the lock held; releases it around the store and the callback.
void UploadQueue::finish(UploadRecord& record, const RunResult& result) {
  auto log = makeLogger("upload");
  UploadDone done{record.id, record.key, result.outcome == S3Outcome::kOk, result.etag, ""};
  if (done.ok) {
    std::erase_if(m_records, [&](const UploadRecord& r) { return r.id == record.id; });
    (void)m_store.remove(record.id);
    if (record.deleteAfter) ::unlink(record.path.c_str());
    log->info("uploaded {} ({} bytes) as {}", record.path, record.size,
              record.key.empty() ? "its presigned URL" : record.key);
  } else {
    if (!result.stopped && !m_stopping) {
      ++record.attempts;
      record.error = result.error ? result.error->describe() : "failed";
      if (result.outcome == S3Outcome::kReject) {
        record.state = UploadState::kFailed;
        record.nextAttemptMs = 0;
        done.error = record.error;
        log->error("upload {} of {} refused: {}", record.id, record.path, record.error);
      } else {
        const auto wait = std::min<Duration>(
            m_options.retryMax, m_options.retryMin * (1ll << std::min(record.attempts - 1, 20)));
        record.nextAttemptMs =
            nowMs() + std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
        log->warn("upload {} of {} failed (attempt {}), next in {}: {}", record.id, record.path,
                  record.attempts, formatDuration(wait), record.error);
      }
    }
    for (auto& r : m_records) {
      if (r.id == record.id) r = record;
    }
    if (auto saved = m_store.save(record); !saved) log->warn("{}", saved.error().describe());
  }
  const bool report = done.ok || !done.error.empty();
  auto callback = m_onFinished;
  if (report && callback) {
    m_mutex.unlock();
    callback(done);
    m_mutex.lock();
  }
}

UploadStatus UploadQueue::statusOf(const UploadRecord& r) const {
  UploadStatus s;
  s.id = r.id;
  s.path = r.path;
  s.key = r.key;
  s.presigned = !r.presignedUrl.empty();
  s.state = r.id == m_current                 ? "uploading"
            : r.state == UploadState::kFailed ? "failed"
                                              : "pending";
  s.size = r.size;
  s.partsDone = static_cast<int>(r.parts.size());
  s.partsTotal = r.partSize > 0 ? static_cast<int>((r.size + r.partSize - 1) / r.partSize) : 0;
  s.attempts = r.attempts;
  s.error = r.error;
  s.nextAttemptMs = r.nextAttemptMs;
  return s;
}

std::vector<UploadStatus> UploadQueue::list() const {
  std::lock_guard lock(m_mutex);
  std::vector<UploadStatus> out;
  for (const auto& r : m_records) out.push_back(statusOf(r));
  return out;
}

std::optional<UploadStatus> UploadQueue::status(const std::string& id) const {
  std::lock_guard lock(m_mutex);
  for (const auto& r : m_records) {
    if (r.id == id) return statusOf(r);
  }
  return std::nullopt;
}

bool UploadQueue::retry(const std::string& id) {
  std::lock_guard lock(m_mutex);
  for (auto& r : m_records) {
    if (r.id == id) {
      r.state = UploadState::kPending;
      r.nextAttemptMs = 0;
      (void)m_store.save(r);
      m_wake.notify_all();
      return true;
    }
  }
  return false;
}

bool UploadQueue::cancel(const std::string& id) {
  std::lock_guard lock(m_mutex);
  if (id == m_current) return false;
  const auto it = std::find_if(m_records.begin(), m_records.end(),
                               [&](const UploadRecord& r) { return r.id == id; });
  if (it == m_records.end()) return false;
  m_records.erase(it);
  (void)m_store.remove(id);
  return true;
}

}  // namespace spindle::upload
