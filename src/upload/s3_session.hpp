#pragma once
/// The S3 requests of an upload, each signed with SigV4 and sent through the edge's one HTTP
/// client: PutObject, CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload,
/// AbortMultipartUpload, and a PUT to a presigned URL. I/O only: what to send when is the
/// runner's (upload_runner.hpp). Answers are classified as S3 classifies them: done, try again
/// later, start the multipart upload over, or refused for good.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/http/http_client.hpp"
#include "upload/s3_digest.hpp"
#include "upload/s3_xml.hpp"
#include "upload/sigv4.hpp"

namespace spindle::upload {

enum class S3Outcome {
  kOk,
  kRetry,        ///< network, 5xx, 429, a digest mismatch in transit, clock skew: try again later
  kRestart,      ///< NoSuchUpload: the multipart upload is gone; start a new one
  kReject,       ///< refused for good (credentials, bucket, permissions, a malformed request)
  kUnsupported,  ///< the server does not implement the call (405/501): do without it
};
const char* toString(S3Outcome outcome);

struct S3Reply {
  S3Outcome outcome = S3Outcome::kOk;
  std::optional<Error> error;     ///< set unless kOk: S3's code and message, explained
  std::string value;              ///< ETag (PutObject, UploadPart) or UploadId (Create)
  std::vector<ListedPart> parts;  ///< ListParts, every page
};

/// The bucket an upload goes to.
struct S3Target {
  std::string endpoint;  ///< "https://host[:port]" (a path after it is kept as a prefix)
  std::string bucket;
  S3Credentials credentials;
};

/// The request body: a part of a file and its digests (read once before sending).
struct FileBody {
  net::http::FileRange range;
  BodyDigest digest;
};

/// A signed HeadBucket (`HEAD <endpoint>/<bucket>`): whether the bucket is there and takes the
/// credentials, for `spindle netcheck`. kInvalidArgument when the endpoint is not a URL.
Result<net::http::HttpRequest> headBucketRequest(const S3Target& target);

/// Classifies an answer; `what` names the request ("UploadPart 3 of uploads/diag.tgz").
S3Reply classify(const net::http::HttpResponse& response, const std::string& what);

class S3Session {
 public:
  /// `http` must outlive the session. Thread-safe: requests share nothing but the client.
  S3Session(net::http::HttpClient& http, S3Target target);

  S3Reply putObject(const std::string& key, const FileBody& body,
                    const std::map<std::string, std::string>& metadata);
  S3Reply createMultipart(const std::string& key,
                          const std::map<std::string, std::string>& metadata);
  /// Asynchronous: `done` runs on the HTTP client's thread (keep it short).
  void uploadPart(const std::string& key, const std::string& uploadId, int number,
                  const FileBody& body, std::function<void(S3Reply)> done);
  S3Reply listParts(const std::string& key, const std::string& uploadId);
  S3Reply complete(const std::string& key, const std::string& uploadId,
                   const std::map<int, std::string>& etags);
  S3Reply abort(const std::string& key, const std::string& uploadId);
  /// PUT of the whole body to a presigned URL (its query carries the signature).
  S3Reply putPresigned(const std::string& url, const FileBody& body);

  const S3Target& target() const { return m_target; }

 private:
  net::http::HttpRequest request(const std::string& method, const std::string& key,
                                 std::vector<std::pair<std::string, std::string>> query,
                                 std::vector<std::pair<std::string, std::string>> headers,
                                 const std::string& payloadHash) const;

  net::http::HttpClient& m_http;
  S3Target m_target;
  std::string m_origin;      ///< scheme://authority
  std::string m_basePath;    ///< a path after the authority, without a trailing '/'
  std::string m_hostHeader;  ///< what curl sends as Host
};

}  // namespace spindle::upload
