#include "upload/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "upload/s3_digest.hpp"

namespace spindle::upload {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Leading and trailing blanks removed, inner runs of blanks made one space.
std::string trimValue(std::string_view value) {
  std::string out;
  bool blank = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

bool hasHeader(const SigV4Request& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const auto& h) { return lower(h.first) == name; });
}

}  // namespace

std::string uriEncode(std::string_view text, bool encodeSlash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (c == '/' && !encodeSlash)) {
      out += c;
    } else {
      out += '%';
      out += kDigits[b >> 4];
      out += kDigits[b & 15];
    }
  }
  return out;
}

std::string canonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uriEncode(k, true), uriEncode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string canonicalRequest(const SigV4Request& request, std::string* signedHeaders) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(lower(name), trimValue(value));
  }
  std::sort(headers.begin(), headers.end());
  std::string canonicalHeaders, names;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    // A header sent twice is signed once, its values joined by commas.
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonicalHeaders.pop_back();
      canonicalHeaders += "," + headers[i].second + "\n";
      continue;
    }
    canonicalHeaders += headers[i].first + ":" + headers[i].second + "\n";
    names += (names.empty() ? "" : ";") + headers[i].first;
  }
  if (signedHeaders != nullptr) *signedHeaders = names;
  const std::string path = request.path.empty() ? "/" : uriEncode(request.path, false);
  return request.method + "\n" + path + "\n" + canonicalQuery(request.query) + "\n" +
         canonicalHeaders + "\n" + names + "\n" + request.payloadHash;
}

std::string amzDate(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char out[32];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &utc);
  return out;
}

std::string credentialScope(const S3Credentials& credentials, std::string_view date) {
  return std::string(date.substr(0, 8)) + "/" + credentials.region + "/" + credentials.service +
         "/aws4_request";
}

std::string stringToSign(std::string_view date, std::string_view scope,
                         std::string_view canonical) {
  return "AWS4-HMAC-SHA256\n" + std::string(date) + "\n" + std::string(scope) + "\n" +
         sha256Hex(canonical);
}

std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = hmacSha256("AWS4" + std::string(secret), date);
  key = hmacSha256(key, region);
  key = hmacSha256(key, service);
  return hmacSha256(key, "aws4_request");
}

std::string authorization(const S3Credentials& credentials, const SigV4Request& request,
                          std::string_view date) {
  std::string names;
  const std::string canonical = canonicalRequest(request, &names);
  const std::string scope = credentialScope(credentials, date);
  const std::string key = signingKey(credentials.secretAccessKey, date.substr(0, 8),
                                     credentials.region, credentials.service);
  const std::string signature = toHex(hmacSha256(key, stringToSign(date, scope, canonical)));
  return "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" + scope +
         ",SignedHeaders=" + names + ",Signature=" + signature;
}

std::vector<std::pair<std::string, std::string>> signHeaders(const S3Credentials& credentials,
                                                             SigV4Request request,
                                                             std::string_view date) {
  std::vector<std::pair<std::string, std::string>> added;
  if (!hasHeader(request, "x-amz-date")) added.emplace_back("x-amz-date", std::string(date));
  if (!hasHeader(request, "x-amz-content-sha256")) {
    added.emplace_back("x-amz-content-sha256", request.payloadHash);
  }
  request.headers.insert(request.headers.end(), added.begin(), added.end());
  added.emplace_back("Authorization", authorization(credentials, request, date));
  return added;
}

std::string presignUrl(const S3Credentials& credentials, std::string_view origin,
                       std::string_view hostHeader, SigV4Request request,
                       std::chrono::seconds expires, std::string_view date) {
  const std::string scope = credentialScope(credentials, date);
  request.query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  request.query.emplace_back("X-Amz-Credential", credentials.accessKeyId + "/" + scope);
  request.query.emplace_back("X-Amz-Date", std::string(date));
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  request.query.emplace_back("X-Amz-SignedHeaders", "host");
  request.headers = {{"host", std::string(hostHeader)}};
  request.payloadHash = std::string(kUnsignedPayload);
  const std::string canonical = canonicalRequest(request);
  const std::string key = signingKey(credentials.secretAccessKey, date.substr(0, 8),
                                     credentials.region, credentials.service);
  const std::string signature = toHex(hmacSha256(key, stringToSign(date, scope, canonical)));
  return std::string(origin) + uriEncode(request.path, false) + "?" +
         canonicalQuery(request.query) + "&X-Amz-Signature=" + signature;
}

}  // namespace spindle::upload
