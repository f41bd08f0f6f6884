#pragma once
/// The local queue of files waiting to go to the uploads bucket (diagnostics bundles, journal
/// exports, high-frequency captures). It survives a restart: every upload is a record under
/// <data_dir>/uploads/ (upload_store.hpp), saved after each accepted part. One worker thread
/// sends them in the order they were queued; an upload that fails waits (retry_min doubling to
/// retry_max) while the next ones go; one refused for good (wrong credentials, no bucket) is
/// kept with its error and reported, and tried again only by retry() or the next start().
///
/// One process sends from a folder at a time (an advisory lock on <data_dir>/uploads.lock, taken by
/// the worker before it sends anything). Another process (`spindle upload` while `spindle run`
/// runs) may still enqueue(): its record lands in the folder and the sending queue adopts it
/// within `kAdoptEvery`.
///
///   auto queue = UploadQueue::create(options, dataDir, http).value();
///   queue->onFinished([](const UploadDone& d) { ... });   // before start()
///   queue->start();
///   auto id = queue->enqueue({.path = "/tmp/diag.tgz", .key = "diag/2024-05-01.tgz"});
///   ... queue->list() for health and diagnostics ...
///   queue->stop();

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/http/http_client.hpp"
#include "upload/s3_session.hpp"
#include "upload/upload_options.hpp"
#include "upload/upload_store.hpp"

namespace spindle::upload {

struct UploadRequest {
  std::string path;  ///< a regular file; it must not change until the upload is done
  /// Object key below uploads.prefix ("diag/press-3/2024-05-01.tgz"). Ignored with a
  /// presigned URL (the URL names the object).
  std::string key;
  std::map<std::string, std::string> metadata;  ///< x-amz-meta-<name>: value (signed uploads)
  std::string presignedUrl;  ///< a presigned PUT URL from the cloud's API: one PUT, as is
  bool deleteAfter = false;  ///< remove the file once the bucket has it (temporary exports)
};

/// One upload as health and diagnostics show it.
struct UploadStatus {
  std::string id;
  std::string path;
  std::string key;  ///< with the prefix; "" for a presigned URL
  bool presigned = false;
  std::string state;  ///< "pending", "uploading" or "failed"
  std::uint64_t size = 0;
  int partsDone = 0;   ///< accepted parts of a multipart upload
  int partsTotal = 0;  ///< 0 until the multipart upload starts (single PUT: 0)
  int attempts = 0;
  std::string error;               ///< the last failure, explained
  std::int64_t nextAttemptMs = 0;  ///< Unix ms of the next attempt; 0: when its turn comes
};

/// Reported once per upload that finished: in the bucket, or refused for good.
struct UploadDone {
  std::string id;
  std::string key;
  bool ok = false;
  std::string etag;   ///< when ok
  std::string error;  ///< when not
};

class UploadQueue {
 public:
  /// How often a queue looks for records other processes put in its folder.
  static constexpr std::chrono::milliseconds kAdoptEvery{2000};

  /// Whether another process sends from <dataDir>/uploads now (holds its lock). Any thread.
  static bool sendingElsewhere(const std::string& dataDir);

  /// Opens <dataDir>/uploads and loads what is queued. Fails when the folder cannot be made or
  /// the configured secret file cannot be read (presigned-only setups need no credentials).
  /// `http` is the edge's HTTP client (the `https` section: CA, proxy, retries); null makes a
  /// queue that only enqueues, for another process to send (start() does nothing).
  static Result<std::unique_ptr<UploadQueue>> create(UploadOptions options,
                                                     const std::string& dataDir,
                                                     std::shared_ptr<net::http::HttpClient> http);
  ~UploadQueue();  ///< stop()
  UploadQueue(const UploadQueue&) = delete;
  UploadQueue& operator=(const UploadQueue&) = delete;

  /// Queues a file; returns its id at once (the upload happens on the worker thread).
  /// kInvalidArgument: no such regular file, no key, a signed upload without credentials, too
  /// large for one PUT (presigned: 5 GiB). kUnavailable: the queue is full (max_pending,
  /// max_pending_bytes). Thread-safe; works before start() too.
  Result<std::string> enqueue(UploadRequest request);

  /// Starts the worker thread; failed uploads get another attempt. Idempotent.
  void start();
  /// Stops after the parts in flight (each bounded by the HTTP client's timeout); what is left
  /// resumes on the next start. With `cancelInFlight` it stops the HTTP client first, so a part
  /// on a slow link cannot hold up a shutdown (only for a client the queue alone uses: the
  /// client stays stopped). Idempotent; never from an onFinished callback.
  void stop(bool cancelInFlight = false);

  /// Called on the worker thread for each upload that finished (keep it short). Set before
  /// start().
  void onFinished(std::function<void(const UploadDone&)> callback);

  std::vector<UploadStatus> list() const;  ///< in queue order. Thread-safe.
  std::optional<UploadStatus> status(const std::string& id) const;
  /// A failed or waiting upload is tried at once. False when there is no such upload.
  bool retry(const std::string& id);
  /// Drops a queued upload (not the one being sent). False when there is none to drop.
  bool cancel(const std::string& id);

  /// Parts sent since create() (UploadPart requests, retries included), for tests.
  int partsSent() const { return m_partsSent; }
  const std::string& dir() const { return m_store.dir(); }

 private:
  UploadQueue(UploadOptions options, std::string dir, std::shared_ptr<net::http::HttpClient> http,
              std::optional<S3Credentials> credentials);
  void work();
  bool holdLock();      ///< the folder's lock, on the worker thread
  void adoptRecords();  ///< with m_mutex held: records another process queued
  void finish(UploadRecord& record, const struct RunResult& result);
  UploadStatus statusOf(const UploadRecord& record) const;

  UploadOptions m_options;
  UploadStore m_store;
  std::shared_ptr<net::http::HttpClient> m_http;
  bool m_canSign = false;                  ///< uploads.access_key_id and its secret are set
  std::unique_ptr<S3Session> m_signed;     ///< null without credentials or a client
  std::unique_ptr<S3Session> m_presigned;  ///< for presigned URLs (no target)
  std::function<void(const UploadDone&)> m_onFinished;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<UploadRecord> m_records;  ///< in id order; the one being sent included
  std::string m_current;                ///< id of the upload being sent
  std::uint64_t m_sequence = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_partsSent{0};
  int m_lockFd = -1;  ///< worker thread only
  std::thread m_thread;
};

}  // namespace spindle::upload
