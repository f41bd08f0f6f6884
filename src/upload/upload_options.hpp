#pragma once
/// Options of uploads to the cloud's bucket (the `uploads:` section of spindle.yaml). Without
/// credentials only uploads that carry a presigned URL (handed out by the cloud's API) can go.

#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "base/units.hpp"
#include "config/option_table.hpp"
#include "upload/sigv4.hpp"

namespace spindle::upload {

struct UploadOptions {
  std::string endpoint;  ///< "https://s3.eu-central-1.amazonaws.com"; path-style requests
  std::string bucket;
  std::string region = "us-east-1";
  std::string prefix;  ///< put before every key ("edges/press-3/")
  std::string accessKeyId;
  std::string secretAccessKeyFile;  ///< a file holding the secret; never the secret inline
  ByteSize partSize{16u << 20};
  ByteSize multipartThreshold{16u << 20};  ///< files larger than this go multipart
  int parallelParts = 2;
  int maxPending = 100;                         ///< queued uploads, failed ones included
  ByteSize maxPendingBytes{10ull << 30};        ///< their files' bytes together
  Duration retryMin = std::chrono::seconds(5);  ///< first wait after a failed attempt
  Duration retryMax = std::chrono::minutes(10);
};

const config::OptionTable<UploadOptions>& optionTable();

/// Checks what the table cannot: https:// endpoint without query or credentials, credentials
/// complete (key, secret file, endpoint and bucket together), retry_min <= retry_max.
bool validate(const UploadOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// The credentials from the options and the secret file (surrounding whitespace removed).
/// kNotFound when no access key is configured; kInvalidArgument naming the file when it is
/// unreadable or empty.
Result<S3Credentials> loadCredentials(const UploadOptions& options);

}  // namespace spindle::upload
