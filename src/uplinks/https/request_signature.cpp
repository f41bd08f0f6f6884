#include "uplinks/https/request_signature.hpp"

#include <filesystem>

namespace spindle::uplinks::https {

std::string signedText(std::string_view method, std::string_view pathAndQuery,
                       std::string_view date, std::string_view idempotencyKey,
                       std::string_view bodySha256Hex) {
  std::string text = "spindle-request-v1\n";
  for (std::string_view part : {method, pathAndQuery, date, idempotencyKey, bodySha256Hex}) {
    text += part;
    text += '\n';
  }
  return text;
}

std::string pathAndQuery(std::string_view url) {
  const auto scheme = url.find("://");
  const auto hostStart = scheme == std::string_view::npos ? 0 : scheme + 3;
  const auto slash = url.find_first_of("/?#", hostStart);
  if (slash == std::string_view::npos || url[slash] == '#') return "/";
  std::string out(url.substr(slash, url.find('#', slash) - slash));
  if (out.front() == '?') out.insert(out.begin(), '/');
  return out;
}

Result<RequestSigner> RequestSigner::load(const std::string& keyPath) {
  std::error_code ec;
  if (!std::filesystem::exists(keyPath, ec)) {
    return Error(ErrorCode::kNotFound, "no key at " + keyPath)
        .with("run spindle provision, which makes the edge's key, or set key_file");
  }
  auto key = update::PrivateKey::load(keyPath);
  if (!key) return std::move(key).error().with("reading the edge's key " + keyPath);
  std::string id = key->publicKey().id;
  return RequestSigner(std::move(*key), std::move(id));
}

Status RequestSigner::sign(net::http::HttpRequest& request, TimestampNs now) const {
  update::Sha256 digest;
  digest.update(request.body.data(), request.body.size());
  const std::string date = formatTimestamp(now);
  auto sig = m_key.sign(signedText(request.method, pathAndQuery(request.url), date,
                                   request.idempotencyKey, digest.hex()));
  if (!sig) return std::move(sig).error().with("signing a request");
  request.headers.emplace_back(kHeaderDate, date);
  request.headers.emplace_back(kHeaderSignature,
                               "keyId=" + m_keyId + ",sig=" + update::base64Encode(*sig));
  return okStatus();
}

}  // namespace spindle::uplinks::https
