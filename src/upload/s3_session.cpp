#include "upload/s3_session.hpp"

#include <chrono>
#include <optional>

#include "net/http/http_url.hpp"

namespace spindle::upload {
namespace {

using net::http::HttpRequest;
using net::http::HttpResponse;

// What the user should do about an S3 error code; "" when the code says enough.
std::string advice(const std::string& code) {
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch") {
    return "S3 refused the access key / signature (" + code +
           "): check uploads.access_key_id and the secret file";
  }
  if (code == "NoSuchBucket")
    return "the bucket does not exist (NoSuchBucket): check uploads.bucket";
  if (code == "AccessDenied") {
    return "S3 denied access (AccessDenied): the key may not write to this bucket or prefix, "
           "or the presigned URL expired";
  }
  if (code == "RequestTimeTooSkewed") {
    return "S3 says the edge's clock is off by more than 15 minutes (RequestTimeTooSkewed): "
           "check the time sync (spindle netcheck)";
  }
  if (code == "BadDigest") return "the body arrived damaged (BadDigest): it will be sent again";
  return "";
}

S3Reply fail(S3Outcome outcome, ErrorCode code, std::string message, const std::string& what) {
  S3Reply reply;
  reply.outcome = outcome;
  reply.error = Error(code, std::move(message)).with(what);
  return reply;
}

}  // namespace

const char* toString(S3Outcome outcome) {
  switch (outcome) {
    case S3Outcome::kOk:
      return "ok";
    case S3Outcome::kRetry:
      return "retry";
    case S3Outcome::kRestart:
      return "restart";
    case S3Outcome::kReject:
      return "reject";
    case S3Outcome::kUnsupported:
      return "unsupported";
  }
  return "?";
}

S3Reply classify(const HttpResponse& response, const std::string& what) {
  if (response.error) {
    S3Reply reply;
    reply.outcome = S3Outcome::kRetry;
    reply.error = Error(*response.error).with(what);
    return reply;
  }
  const auto body = parseErrorBody(response.body);
  if (response.ok() && !body) return S3Reply{};
  const std::string code = body ? body->code : "";
  std::string message = "HTTP " + std::to_string(response.status) +
                        (code.empty() ? "" : " " + code) +
                        (body && !body->message.empty() ? ": " + body->message : "");
  if (const std::string hint = advice(code); !hint.empty()) message = hint + " (" + message + ")";
  const int status = response.status;
  if (code == "NoSuchUpload") {
    return fail(S3Outcome::kRestart, ErrorCode::kNotFound, message, what);
  }
  if (status == 405 || status == 501 || code == "NotImplemented" || code == "MethodNotAllowed") {
    return fail(S3Outcome::kUnsupported, ErrorCode::kProtocol, message, what);
  }
  if (status >= 500 || status == 429 || status == 408 || code == "SlowDown" ||
      code == "RequestTimeTooSkewed" || code == "BadDigest" || code == "RequestTimeout" ||
      (response.ok() && body)) {
    return fail(S3Outcome::kRetry, ErrorCode::kUnavailable, message, what);
  }
  return fail(S3Outcome::kReject, ErrorCode::kInvalidArgument, message, what);
}

namespace {

/// Where requests to an endpoint go: "host[:port]" as sent in Host, the origin, a path prefix.
struct Origin {
  std::string hostHeader, origin, basePath;
};

std::optional<Origin> originOf(const std::string& endpoint) {
  const auto parts = net::http::parseUrl(endpoint);
  if (!parts) return std::nullopt;
  Origin o;
  const bool v6 = parts->host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + parts->host + "]" : parts->host;
  const bool defaultPort = (parts->scheme == "https" && parts->port == 443) ||
                           (parts->scheme == "http" && parts->port == 80);
  o.hostHeader = defaultPort ? host : host + ":" + std::to_string(parts->port);
  o.origin = parts->scheme + "://" + o.hostHeader;
  o.basePath = parts->path == "/" ? "" : parts->path;
  while (!o.basePath.empty() && o.basePath.back() == '/') o.basePath.pop_back();
  return o;
}

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

Result<HttpRequest> headBucketRequest(const S3Target& target) {
  const auto o = originOf(target.endpoint);
  if (!o) return Error(ErrorCode::kInvalidArgument, "not a URL: " + target.endpoint);
  SigV4Request sig;
  sig.method = "HEAD";
  sig.path = o->basePath + "/" + target.bucket;
  sig.headers = {{"host", o->hostHeader}};
  sig.payloadHash = std::string(kEmptySha256);
  HttpRequest r;
  r.method = "HEAD";
  r.url = o->origin + uriEncode(sig.path, false);
  r.headers = signHeaders(target.credentials, sig, amzDate(std::chrono::system_clock::now()));
  return r;
}

S3Session::S3Session(net::http::HttpClient& http, S3Target target)
    : m_http(http), m_target(std::move(target)) {
  if (auto o = originOf(m_target.endpoint)) {
    m_hostHeader = std::move(o->hostHeader);
    m_origin = std::move(o->origin);
    m_basePath = std::move(o->basePath);
  }
}

HttpRequest S3Session::request(const std::string& method, const std::string& key,
                               std::vector<std::pair<std::string, std::string>> query,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const std::string& payloadHash) const {
  SigV4Request sig;
  sig.method = method;
  sig.path = m_basePath + "/" + m_target.bucket + "/" + key;
  sig.query = std::move(query);
  sig.headers = headers;
  sig.headers.emplace_back("host", m_hostHeader);
  sig.payloadHash = payloadHash;
  const auto added =
      signHeaders(m_target.credentials, sig, amzDate(std::chrono::system_clock::now()));
  HttpRequest r;
  r.method = method;
  r.url = m_origin + uriEncode(sig.path, false);
  if (!sig.query.empty()) {
    std::string q = canonicalQuery(sig.query);
    // A subresource without a value goes as "?uploads", as S3 documents it.
    if (q.size() > 1 && q.back() == '=' && q.find('&') == std::string::npos) q.pop_back();
    r.url += "?" + q;
  }
  r.headers = std::move(headers);
  r.headers.insert(r.headers.end(), added.begin(), added.end());
  return r;
}

namespace {

std::vector<std::pair<std::string, std::string>> metaHeaders(
    const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : metadata) out.emplace_back("x-amz-meta-" + name, value);
  return out;
}

void attachBody(HttpRequest& r, const FileBody& body) {
  r.uploadFrom = body.range;
  r.headers.emplace_back("Content-Type", "application/octet-stream");
}

std::string etagOf(const HttpResponse& response) {
  const auto it = response.headers.find("etag");
  return it == response.headers.end() ? "" : it->second;
}

}  // namespace

S3Reply S3Session::putObject(const std::string& key, const FileBody& body,
                             const std::map<std::string, std::string>& metadata) {
  auto headers = metaHeaders(metadata);
  headers.emplace_back("Content-MD5", body.digest.md5Base64);
  headers.emplace_back("Content-Type", "application/octet-stream");
  HttpRequest r = request("PUT", key, {}, std::move(headers), body.digest.sha256Hex);
  r.uploadFrom = body.range;
  const HttpResponse response = m_http.perform(std::move(r));
  S3Reply reply = classify(response, "PutObject " + m_target.bucket + "/" + key);
  if (reply.outcome == S3Outcome::kOk) reply.value = etagOf(response);
  return reply;
}

S3Reply S3Session::createMultipart(const std::string& key,
                                   const std::map<std::string, std::string>& metadata) {
  HttpRequest r = request("POST", key, {{"uploads", ""}}, metaHeaders(metadata), sha256Hex(""));
  // CreateMultipartUpload only starts an upload: a second one is harmless (an unused one is
  // dropped by the bucket's lifecycle rule for incomplete uploads).
  r.idempotent = true;
  const HttpResponse response = m_http.perform(std::move(r));
  S3Reply reply = classify(response, "CreateMultipartUpload " + m_target.bucket + "/" + key);
  if (reply.outcome != S3Outcome::kOk) return reply;
  auto id = parseUploadId(response.body);
  if (!id) {
    return fail(S3Outcome::kRetry, ErrorCode::kProtocol, id.error().message(),
                "CreateMultipartUpload " + key);
  }
  reply.value = std::move(id.value());
  return reply;
}

void S3Session::uploadPart(const std::string& key, const std::string& uploadId, int number,
                           const FileBody& body, std::function<void(S3Reply)> done) {
  HttpRequest r =
      request("PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", uploadId}},
              {{"Content-MD5", body.digest.md5Base64}}, body.digest.sha256Hex);
  attachBody(r, body);
  const std::string what =
      "UploadPart " + std::to_string(number) + " of " + m_target.bucket + "/" + key;
  m_http.submit(std::move(r), [what, done = std::move(done)](HttpResponse response) {
    S3Reply reply = classify(response, what);
    if (reply.outcome == S3Outcome::kOk) {
      reply.value = etagOf(response);
      if (reply.value.empty()) {
        reply = fail(S3Outcome::kRetry, ErrorCode::kProtocol, "the answer carries no ETag", what);
      }
    }
    done(std::move(reply));
  });
}

S3Reply S3Session::listParts(const std::string& key, const std::string& uploadId) {
  S3Reply all;
  int marker = 0;
  for (int page = 0; page < 100; ++page) {
    std::vector<std::pair<std::string, std::string>> query{{"uploadId", uploadId}};
    if (marker > 0) query.emplace_back("part-number-marker", std::to_string(marker));
    const HttpResponse response =
        m_http.perform(request("GET", key, std::move(query), {}, sha256Hex("")));
    const std::string what = "ListParts " + m_target.bucket + "/" + key;
    S3Reply reply = classify(response, what);
    if (reply.outcome != S3Outcome::kOk) return reply;
    auto parsed = parseListParts(response.body);
    if (!parsed) {
      return fail(S3Outcome::kRetry, ErrorCode::kProtocol, parsed.error().message(), what);
    }
    for (auto& p : parsed->parts) all.parts.push_back(std::move(p));
    if (!parsed->truncated || parsed->nextMarker <= marker) break;
    marker = parsed->nextMarker;
  }
  return all;
}

S3Reply S3Session::complete(const std::string& key, const std::string& uploadId,
                            const std::map<int, std::string>& etags) {
  const std::string body = completeMultipartBody(etags);
  HttpRequest r = request("POST", key, {{"uploadId", uploadId}},
                          {{"Content-Type", "application/xml"}}, sha256Hex(body));
  r.body = body;
  r.idempotent = true;  // completing the same upload twice gives the same object
  return classify(m_http.perform(std::move(r)),
                  "CompleteMultipartUpload " + m_target.bucket + "/" + key);
}

S3Reply S3Session::abort(const std::string& key, const std::string& uploadId) {
  return classify(
      m_http.perform(request("DELETE", key, {{"uploadId", uploadId}}, {}, sha256Hex(""))),
      "AbortMultipartUpload " + m_target.bucket + "/" + key);
}

S3Reply S3Session::putPresigned(const std::string& url, const FileBody& body) {
  HttpRequest r;
  r.method = "PUT";
  r.url = url;
  r.headers.emplace_back("Content-MD5", body.digest.md5Base64);
  attachBody(r, body);
  const HttpResponse response = m_http.perform(std::move(r));
  S3Reply reply =
      classify(response, "PUT to the presigned URL " + net::http::redactUrlForMessage(url));
  if (reply.outcome == S3Outcome::kOk) reply.value = etagOf(response);
  return reply;
}

}  // namespace spindle::upload
