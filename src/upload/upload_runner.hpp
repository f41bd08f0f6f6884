#pragma once
/// One upload from its record to the object in the bucket, on the queue's worker thread: a
/// presigned PUT, one PutObject, or a multipart upload that resumes from the record (parts S3
/// already accepted are not sent again; ListParts confirms them where the server has it).
/// Each part is read once for its SHA-256 and MD5 while the previous parts are in flight.

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "upload/s3_session.hpp"
#include "upload/upload_store.hpp"

namespace spindle::upload {

struct RunnerSettings {
  std::uint64_t partSize = 16u << 20;
  std::uint64_t multipartThreshold = 16u << 20;
  int parallelParts = 2;
};

struct RunResult {
  S3Outcome outcome = S3Outcome::kOk;  ///< kOk, kRetry or kReject (never kRestart)
  std::optional<Error> error;
  std::string etag;
  bool stopped = false;  ///< ended early by stop(): not a failed attempt
};

class UploadRunner {
 public:
  /// `session` is null when no credentials are configured (presigned uploads only).
  /// `persist` saves the record after every change (a new UploadId, each accepted part).
  UploadRunner(S3Session* signedSession, S3Session& presignedSession, RunnerSettings settings,
               std::function<void(const UploadRecord&)> persist, const std::atomic<bool>& stopping);

  RunResult run(UploadRecord& record);

  /// Parts sent by this runner, for tests and the benchmark.
  int partsSent() const { return m_partsSent; }

 private:
  RunResult single(UploadRecord& record);
  RunResult multipart(UploadRecord& record, bool mayRestart);
  RunResult sendParts(UploadRecord& record);
  void confirmParts(UploadRecord& record, RunResult& failure, bool& restart);
  void dropMultipart(UploadRecord& record, bool abortIt);

  S3Session* m_signed;
  S3Session& m_presigned;
  RunnerSettings m_settings;
  std::function<void(const UploadRecord&)> m_persist;
  const std::atomic<bool>& m_stopping;
  int m_partsSent = 0;
};

}  // namespace spindle::upload
