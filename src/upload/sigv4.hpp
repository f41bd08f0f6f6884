#pragma once
/// AWS Signature Version 4 for S3 (AWS's documented algorithm): canonical request, string to
/// sign, signing key, the Authorization header and presigned URLs. Pure code: no clock (the
/// caller passes the time), no I/O.
///
///   SigV4Request r{.method = "PUT", .path = "/bucket/key", .headers = {{"host", "s3:9000"}},
///                  .payloadHash = sha256Hex(body)};
///   std::string auth = authorization(credentials, r, "20130524T000000Z");

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spindle::upload {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct S3Credentials {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string region = "us-east-1";
  std::string service = "s3";
};

/// What a signature covers. Values are raw (not percent-encoded): the signer encodes them.
struct SigV4Request {
  std::string method = "GET";
  std::string path = "/";  ///< "/bucket/key": path-style; encoded once per segment
  std::vector<std::pair<std::string, std::string>> query;
  /// Every header to sign, `host` included (names in any case; sorted and lower-cased here).
  /// x-amz-date and x-amz-content-sha256 are added by authorization() when missing.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Hex SHA-256 of the body, or kUnsignedPayload.
  std::string payloadHash = std::string(kUnsignedPayload);
};

/// RFC 3986 percent-encoding as SigV4 wants it: A-Z a-z 0-9 - _ . ~ stay, everything else is
/// %XX (upper case); '/' stays unless `encodeSlash`.
std::string uriEncode(std::string_view text, bool encodeSlash);
/// Sorted by encoded name then value, "a=1&b=" (empty values keep their '=').
std::string canonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
/// The canonical request's six lines; `signedHeaders` receives "host;x-amz-date;...".
std::string canonicalRequest(const SigV4Request& request, std::string* signedHeaders = nullptr);
/// "20130524T000000Z" (UTC).
std::string amzDate(std::chrono::system_clock::time_point time);
/// "20130524/us-east-1/s3/aws4_request".
std::string credentialScope(const S3Credentials& credentials, std::string_view amzDate);
std::string stringToSign(std::string_view amzDate, std::string_view scope,
                         std::string_view canonicalRequest);
/// The raw 32-byte key: HMAC chain over date, region, service and "aws4_request".
std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

/// The request's headers once signed: `x-amz-date`, `x-amz-content-sha256` (when the request
/// did not carry them) and `Authorization`, to send with the request's own headers.
std::vector<std::pair<std::string, std::string>> signHeaders(const S3Credentials& credentials,
                                                             SigV4Request request,
                                                             std::string_view amzDate);

/// The Authorization header's value for `request` (headers as given: include x-amz-date and
/// x-amz-content-sha256 yourself, or use signHeaders()).
std::string authorization(const S3Credentials& credentials, const SigV4Request& request,
                          std::string_view amzDate);

/// A presigned URL: `origin` ("https://host:port"), the request's path and query, plus the
/// X-Amz-* query parameters; signs `host` only and UNSIGNED-PAYLOAD. `hostHeader` is what the
/// client will send as Host ("host:port", the port left out when it is the scheme's default).
std::string presignUrl(const S3Credentials& credentials, std::string_view origin,
                       std::string_view hostHeader, SigV4Request request,
                       std::chrono::seconds expires, std::string_view amzDate);

}  // namespace spindle::upload
