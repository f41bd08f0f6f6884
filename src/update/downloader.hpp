#pragma once
/// Fetching an artifact over HTTPS (libcurl): TLS verification always on (the system's CA
/// certificates, or update.ca_file), https:// only (also after a redirect), bounded in time
/// and in size (never more bytes than the manifest says), SHA-256 computed while it streams.
///
/// The bytes go to <download dir>/<sha256>.part. A download cut short (a restart, a broken
/// connection) resumes from what the file holds when the server answers ranges (206); one that
/// does not (200 to a range request) is started over.

#include <atomic>
#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "base/units.hpp"

namespace spindle::update {

struct DownloadRequest {
  std::string url;
  std::uint64_t size = 0;  ///< exact size expected
  std::string sha256;      ///< expected, hex
  std::string dir;         ///< where the .part file lives
  std::string caFile;      ///< "" = the system's CA certificates
  Duration timeout = std::chrono::minutes(30);
  const std::atomic<bool>* cancel = nullptr;  ///< set: the transfer stops (kDownload)
};

/// The path of the complete file, whose size and SHA-256 match the request. Refusals:
/// kDownload (network, TLS, HTTP status, cancelled; the partial file is kept to resume),
/// kTruncated (the server's answer ended short of `size`), kHashMismatch (more bytes than
/// `size`, or other bytes); after those two the partial file is deleted.
Result<std::string> download(const DownloadRequest& request);

}  // namespace spindle::update
