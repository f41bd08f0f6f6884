#include "net/http/http_transfer.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/redact.hpp"

namespace spindle::net::http {
namespace {

long milliseconds(Duration d) {
  return static_cast<long>(
      std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

bool isTlsFailure(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
      return true;
    default:
      return false;
  }
}

bool isTransportFailure(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
}

}  // namespace

Transfer::Transfer(const HttpRequest& request, const UrlParts& url,
                   const HttpClientOptions& options, Duration attemptTimeout,
                   const std::string& resolveEntry, bool viaProxy)
    : m_request(request), m_url(url), m_options(options), m_viaProxy(viaProxy) {
  m_limit = request.maxResponse != 0 ? request.maxResponse : options.maxResponse;
  m_easy = curl_easy_init();
  if (m_easy == nullptr) return;
  curl_easy_setopt(m_easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(m_easy, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(m_easy, CURLOPT_FOLLOWLOCATION, 0L);  // a 3xx is the caller's answer
  curl_easy_setopt(m_easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(m_easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(m_easy, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(m_easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout));
  curl_easy_setopt(m_easy, CURLOPT_TIMEOUT_MS, milliseconds(attemptTimeout));
  curl_easy_setopt(m_easy, CURLOPT_ERRORBUFFER, m_errorBuffer);
  curl_easy_setopt(m_easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(m_limit));
  curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(m_easy, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(m_easy, CURLOPT_HEADERDATA, this);
  const std::string agent = "spindle/" + options.version;
  curl_easy_setopt(m_easy, CURLOPT_USERAGENT, agent.c_str());  // curl copies strings
  for (const auto& [name, value] : request.headers) {
    const std::string key = lower(name);
    if (key == "user-agent" || key == "spindle-edge") continue;
    m_headerList = curl_slist_append(m_headerList, (name + ": " + value).c_str());
  }
  if (!options.edgeId.empty()) {  // an edge not yet provisioned has no id to send
    m_headerList = curl_slist_append(m_headerList, ("Spindle-Edge: " + options.edgeId).c_str());
  }
  if (!request.idempotencyKey.empty()) {
    m_headerList =
        curl_slist_append(m_headerList, ("Idempotency-Key: " + request.idempotencyKey).c_str());
  }
  // No "Expect: 100-continue" round trip before large bodies.
  m_headerList = curl_slist_append(m_headerList, "Expect:");
  curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, m_headerList);
  if (!resolveEntry.empty()) {
    m_resolveList = curl_slist_append(nullptr, resolveEntry.c_str());
    curl_easy_setopt(m_easy, CURLOPT_RESOLVE, m_resolveList);
  }
  setMethod();
  setTls(options);
  setProxy(options);
}

Transfer::~Transfer() {
  if (m_easy != nullptr) curl_easy_cleanup(m_easy);
  curl_slist_free_all(m_headerList);
  curl_slist_free_all(m_resolveList);
  if (m_outFd >= 0) ::close(m_outFd);
  if (m_inFd >= 0) ::close(m_inFd);
}

void Transfer::setMethod() {
  const std::string& method = m_request.method;
  if (m_request.uploadFrom) {
    curl_easy_setopt(m_easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(m_easy, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(m_request.uploadFrom->length));
    curl_easy_setopt(m_easy, CURLOPT_READFUNCTION, onRead);
    curl_easy_setopt(m_easy, CURLOPT_READDATA, this);
    curl_easy_setopt(m_easy, CURLOPT_SEEKFUNCTION, onSeek);
    curl_easy_setopt(m_easy, CURLOPT_SEEKDATA, this);
    if (method != "PUT") curl_easy_setopt(m_easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method == "HEAD") {
    curl_easy_setopt(m_easy, CURLOPT_NOBODY, 1L);
  } else if (!m_request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(m_request.body.size()));
    curl_easy_setopt(m_easy, CURLOPT_POSTFIELDS, m_request.body.data());
    if (method != "POST") curl_easy_setopt(m_easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method == "GET") {
    curl_easy_setopt(m_easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(m_easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

void Transfer::setTls(const HttpClientOptions& options) {
  // Verification is always on; nothing in the options can turn it off.
  curl_easy_setopt(m_easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(m_easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.caFile.empty()) {
    curl_easy_setopt(m_easy, CURLOPT_CAINFO, options.caFile.c_str());
    // With a bundle of its own, the system's CAs still count through their hashed directory.
    curl_easy_setopt(m_easy, CURLOPT_CAPATH, options.systemStore ? "/etc/ssl/certs" : nullptr);
  }
  if (!options.pinnedKeys.empty()) {
    std::string pins;
    for (const auto& pin : options.pinnedKeys) pins += (pins.empty() ? "" : ";") + pin;
    curl_easy_setopt(m_easy, CURLOPT_PINNEDPUBLICKEY, pins.c_str());
  }
}

void Transfer::setProxy(const HttpClientOptions& options) {
  if (!m_viaProxy || !options.proxy) {
    // Explicitly none: curl must not pick a proxy from the environment on its own.
    curl_easy_setopt(m_easy, CURLOPT_PROXY, "");
    return;
  }
  const ProxySettings& proxy = *options.proxy;
  const bool v6 = proxy.host.find(':') != std::string::npos;
  const std::string url =
      "http://" + (v6 ? "[" + proxy.host + "]" : proxy.host) + ":" + std::to_string(proxy.port);
  curl_easy_setopt(m_easy, CURLOPT_PROXY, url.c_str());
  curl_easy_setopt(m_easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
  curl_easy_setopt(m_easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (!proxy.user.empty()) {
    curl_easy_setopt(m_easy, CURLOPT_PROXYUSERNAME, proxy.user.c_str());
    curl_easy_setopt(m_easy, CURLOPT_PROXYPASSWORD, proxy.password.c_str());
  }
}

Status Transfer::prepare() {
  if (m_easy == nullptr) return Error(ErrorCode::kInternal, "curl_easy_init failed");
  if (!m_request.responseFile.empty()) {
    m_outFd =
        ::open(m_request.responseFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (m_outFd < 0) {
      return Error(ErrorCode::kIo, "cannot write the response to " + m_request.responseFile + ": " +
                                       std::strerror(errno));
    }
  }
  if (const auto& range = m_request.uploadFrom) {
    m_inFd = ::open(range->path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (m_inFd < 0 || ::fstat(m_inFd, &st) != 0) {
      return Error(ErrorCode::kIo, "cannot read " + range->path + ": " + std::strerror(errno));
    }
    if (static_cast<std::uint64_t>(st.st_size) < range->offset + range->length) {
      return Error(ErrorCode::kIo, range->path + " holds " + std::to_string(st.st_size) +
                                       " bytes, fewer than the " +
                                       std::to_string(range->offset + range->length) +
                                       " the upload needs");
    }
  }
  return okStatus();
}

std::size_t Transfer::onBody(char* data, std::size_t, std::size_t count, void* self) {
  auto& t = *static_cast<Transfer*>(self);
  if (t.m_received + count > t.m_limit) {
    t.m_tooLarge = true;
    return 0;  // aborts the transfer
  }
  t.m_received += count;
  if (t.m_outFd < 0) {
    t.m_body.append(data, count);
    return count;
  }
  std::size_t done = 0;
  while (done < count) {
    const ssize_t n = ::write(t.m_outFd, data + done, count - done);
    if (n <= 0) {
      t.m_localFailure = "writing " + t.m_request.responseFile + " failed: " + std::strerror(errno);
      return 0;
    }
    done += static_cast<std::size_t>(n);
  }
  return count;
}

std::size_t Transfer::onHeader(char* data, std::size_t, std::size_t count, void* self) {
  auto& t = *static_cast<Transfer*>(self);
  const std::string_view line(data, count);
  if (line.rfind("HTTP/", 0) == 0) {
    t.m_headers.clear();  // a new response (after 100 Continue): only the last one counts
    return count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    t.m_headers[lower(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return count;
}

std::size_t Transfer::onRead(char* data, std::size_t size, std::size_t count, void* self) {
  auto& t = *static_cast<Transfer*>(self);
  const auto& range = *t.m_request.uploadFrom;
  const std::uint64_t left = range.length - t.m_sent;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, left));
  if (want == 0) return 0;
  const ssize_t n = ::pread(t.m_inFd, data, want, static_cast<off_t>(range.offset + t.m_sent));
  if (n <= 0) {
    t.m_localFailure = "reading " + range.path + " failed: " +
                       (n == 0 ? std::string("the file got shorter") : std::strerror(errno));
    return CURL_READFUNC_ABORT;
  }
  t.m_sent += static_cast<std::uint64_t>(n);
  return static_cast<std::size_t>(n);
}

int Transfer::onSeek(void* self, curl_off_t offset, int origin) {
  auto& t = *static_cast<Transfer*>(self);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<std::uint64_t>(offset) > t.m_request.uploadFrom->length) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t.m_sent = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

AttemptResult Transfer::proxyRefusal(long connectCode) const {
  const ProxySettings& proxy = *m_options.proxy;
  AttemptResult r{AttemptEnd::kProxyRefused, 0, ErrorCode::kInvalidArgument, ""};
  if (connectCode == 407 || connectCode == 401) {
    r.message = proxy.user.empty()
                    ? "the proxy " + describe(proxy) + " asks for credentials (HTTP " +
                          std::to_string(connectCode) + "): set net.proxy_credentials"
                    : "the proxy " + describe(proxy) + " refused the credentials (HTTP " +
                          std::to_string(connectCode) + "): check net.proxy_credentials" +
                          (proxy.credentialsFile.empty() ? "" : " (" + proxy.credentialsFile + ")");
  } else {
    r.message = "the proxy " + describe(proxy) + " refused to connect to " + m_url.host + ":" +
                std::to_string(m_url.port) + " (HTTP " + std::to_string(connectCode) + ")";
  }
  return r;
}

AttemptResult Transfer::finish(CURLcode code) {
  const std::string detail =
      redactUrl(m_errorBuffer[0] != '\0' ? std::string(m_errorBuffer) : curl_easy_strerror(code));
  long connectCode = 0;
  curl_easy_getinfo(m_easy, CURLINFO_HTTP_CONNECTCODE, &connectCode);
  if (m_viaProxy && connectCode >= 300 && m_options.proxy) return proxyRefusal(connectCode);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
    return {AttemptEnd::kAnswered, static_cast<int>(status), ErrorCode::kUnavailable, ""};
  }
  if (!m_localFailure.empty()) {
    return {AttemptEnd::kLocal, 0, ErrorCode::kIo, m_localFailure};
  }
  if (m_tooLarge || code == CURLE_FILESIZE_EXCEEDED) {
    return {AttemptEnd::kTooLarge, 0, ErrorCode::kProtocol,
            "the response is larger than the limit of " + std::to_string(m_limit) + " bytes"};
  }
  if (isTlsFailure(code)) {
    return {AttemptEnd::kTls, 0, ErrorCode::kProtocol,
            "TLS verification of " + m_url.host + " failed: " + detail};
  }
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
      code == CURLE_COULDNT_RESOLVE_PROXY) {
    return {AttemptEnd::kNotSent, 0, ErrorCode::kUnavailable,
            std::string(m_viaProxy ? "through the proxy: " : "") + detail};
  }
  if (isTransportFailure(code)) {
    return {AttemptEnd::kTransport, 0,
            code == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
            detail};
  }
  return {AttemptEnd::kFinal, 0, ErrorCode::kInternal, detail};
}

HttpResponse Transfer::takeResponse() {
  HttpResponse r;
  long status = 0;
  curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  r.headers = std::move(m_headers);
  r.body = std::move(m_body);
  return r;
}

}  // namespace spindle::net::http
