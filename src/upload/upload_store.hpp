#pragma once
/// The queue's records on disk: <data_dir>/uploads/<id>.json, one per pending or failed upload,
/// each replaced atomically (temp file, fsync, rename) after every change, so a restart (or a
/// crash) resumes where the last finished part left off. Mode 0600: a record may hold a
/// presigned URL, which is a credential until it expires.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::upload {

enum class UploadState {
  kPending,  ///< waiting for its turn or for its next attempt
  kFailed,   ///< refused for good (see `error`); kept and reported, retried on request or restart
};

/// One upload as the queue keeps it.
struct UploadRecord {
  std::string id;            ///< sorts in the order uploads were queued
  std::string path;          ///< the file to send; must not change until the upload is done
  std::string key;           ///< object key, the prefix included ("" with a presigned URL)
  std::string presignedUrl;  ///< when set: one PUT to it, no credentials needed
  std::map<std::string, std::string> metadata;  ///< sent as x-amz-meta-<name>
  bool deleteAfter = false;                     ///< remove `path` once uploaded
  std::uint64_t size = 0;                       ///< the file's size when queued
  std::int64_t queuedAtMs = 0;                  ///< Unix ms

  // Multipart progress (empty for single PUTs).
  std::uint64_t partSize = 0;
  std::string uploadId;
  std::map<int, std::string> parts;  ///< part number -> ETag of each part S3 accepted

  UploadState state = UploadState::kPending;
  std::string error;  ///< the last failure, explained
  int attempts = 0;
  std::int64_t nextAttemptMs = 0;  ///< Unix ms; 0: now
};

std::string toJson(const UploadRecord& record);
/// kInvalidArgument when the text is not a record.
Result<UploadRecord> recordFromJson(const std::string& text);

class UploadStore {
 public:
  /// Records live in `dir` (created by open()).
  explicit UploadStore(std::string dir) : m_dir(std::move(dir)) {}

  /// Creates the folder (0700) and, unless told not to, removes temporary files a crash left
  /// behind (not while another process may be writing into the folder: see
  /// removeTemporaryFiles).
  Status open(bool removeTemporary = true);
  /// Removes what is not a record: temporary files of writes a crash cut short, those last
  /// changed at least `olderThan` ago (a write under way is younger).
  void removeTemporaryFiles(std::chrono::seconds olderThan = std::chrono::seconds(0)) const;
  /// Every record, in id order. Unreadable files are skipped and named in `problems`.
  std::vector<UploadRecord> loadAll(std::vector<std::string>* problems = nullptr) const;
  /// The ids of the records on disk (their file names), unsorted; nothing is parsed.
  std::vector<std::string> ids() const;
  /// One record by id; kInvalidArgument when its file is not a record of that id.
  Result<UploadRecord> load(const std::string& id) const;
  Status save(const UploadRecord& record) const;
  Status remove(const std::string& id) const;
  const std::string& dir() const { return m_dir; }

 private:
  std::string m_dir;
};

}  // namespace spindle::upload
