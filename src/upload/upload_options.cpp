#include "upload/upload_options.hpp"

#include <fstream>
#include <sstream>

namespace spindle::upload {

const config::OptionTable<UploadOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<UploadOptions> t;
    t.optional("endpoint", &UploadOptions::endpoint, "\"\"",
               "the S3 endpoint's https:// URL (AWS, or a private S3 such as MinIO); requests "
               "are path-style: <endpoint>/<bucket>/<key>. \"\" when only presigned URLs are used");
    t.optional("bucket", &UploadOptions::bucket, "\"\"", "the uploads bucket");
    t.optional("region", &UploadOptions::region, "us-east-1",
               "the bucket's region, part of every signature");
    t.optional("prefix", &UploadOptions::prefix, "\"\"",
               "put before every object key, e.g. edges/press-3/");
    t.optional("access_key_id", &UploadOptions::accessKeyId, "\"\"",
               "the access key id from provisioning; \"\": uploads need a presigned URL");
    t.optional("secret_access_key_file", &UploadOptions::secretAccessKeyFile, "\"\"",
               "a file holding the secret access key (the secret is never written inline)");
    t.optional("part_size", &UploadOptions::partSize, "16MiB",
               "size of one part of a multipart upload (the last may be smaller)",
               {"5MiB", "5GiB"});
    t.optional("multipart_threshold", &UploadOptions::multipartThreshold, "16MiB",
               "files larger than this go as a multipart upload, smaller ones in one PUT",
               {"5MiB", "5GiB"});
    t.optional("parallel_parts", &UploadOptions::parallelParts, "2",
               "parts of one upload in flight at once", {"1", "16"});
    t.optional("max_pending", &UploadOptions::maxPending, "100",
               "most uploads queued (failed ones included); more are refused", {"1", "100000"});
    t.optional("max_pending_bytes", &UploadOptions::maxPendingBytes, "10GiB",
               "most bytes of queued files together; more are refused", {"1MiB", ""});
    t.optional("retry_min", &UploadOptions::retryMin, "5s",
               "first wait after a failed attempt; doubles up to retry_max", {"100ms", "1h"});
    t.optional("retry_max", &UploadOptions::retryMax, "10m",
               "longest wait between attempts of one upload", {"1s", "1d"});
    return t;
  }();
  return table;
}

bool validate(const UploadOptions& options, const YAML::Node& block, config::Diagnostics& diags) {
  const std::size_t before = diags.size();
  const auto at = [&](const char* key) { return block[key] ? block[key] : block; };
  if (!options.endpoint.empty()) {
    if (options.endpoint.rfind("https://", 0) != 0) {
      diags.add(at("endpoint"), "uploads.endpoint must be an https:// URL");
    } else if (options.endpoint.find_first_of("?#@", 8) != std::string::npos) {
      diags.add(at("endpoint"),
                "uploads.endpoint takes no query, fragment or credentials in the URL",
                "credentials go in access_key_id and secret_access_key_file");
    }
  }
  if (!options.accessKeyId.empty()) {
    for (const auto& [key, value] :
         {std::pair{"secret_access_key_file", &options.secretAccessKeyFile},
          std::pair{"endpoint", &options.endpoint}, std::pair{"bucket", &options.bucket}}) {
      if (value->empty()) {
        diags.add(block, std::string("uploads.access_key_id needs uploads.") + key + " too");
      }
    }
  }
  if (options.retryMax < options.retryMin) {
    diags.add(at("retry_max"), "uploads.retry_max must not be below uploads.retry_min");
  }
  return diags.size() == before;
}

Result<S3Credentials> loadCredentials(const UploadOptions& options) {
  if (options.accessKeyId.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no uploads.access_key_id is configured: only presigned URLs can be used");
  }
  const std::string what = "reading the secret access key (uploads.secret_access_key_file)";
  std::ifstream in(options.secretAccessKeyFile);
  if (!in) {
    return Error(ErrorCode::kInvalidArgument, "cannot read " + options.secretAccessKeyFile)
        .with(what);
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string secret = text.str();
  const auto first = secret.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, options.secretAccessKeyFile + " is empty").with(what);
  }
  const auto last = secret.find_last_not_of(" \t\r\n");
  return S3Credentials{options.accessKeyId, secret.substr(first, last - first + 1), options.region,
                       "s3"};
}

}  // namespace spindle::upload
