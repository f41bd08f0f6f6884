#pragma once
/// One attempt of one request: a curl easy handle set up from the request and the client's
/// options, the callbacks that bound and collect the answer, and the reading of how it ended.
/// Internal to HttpClient; used on the client's thread only.

#include <cstdint>
#include <map>
#include <string>

#include <curl/curl.h>

#include "base/error.hpp"
#include "net/http/http_client.hpp"
#include "net/http/http_url.hpp"
#include "net/http/retry_policy.hpp"

namespace spindle::net::http {

/// How an attempt ended: for the retry decision and, when final, for the caller.
struct AttemptResult {
  AttemptEnd end = AttemptEnd::kFinal;
  int status = 0;
  ErrorCode code = ErrorCode::kUnavailable;
  std::string message;  ///< what failed, never holding credentials or a query
};

class Transfer {
 public:
  /// `resolveEntry`: "+host:port:addr,addr" for CURLOPT_RESOLVE, or "" to let curl resolve.
  /// `viaProxy` is set when the request goes through `options.proxy`.
  Transfer(const HttpRequest& request, const UrlParts& url, const HttpClientOptions& options,
           Duration attemptTimeout, const std::string& resolveEntry, bool viaProxy);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  /// Opens the files the request names; kIo naming the file when one cannot be used.
  Status prepare();
  CURL* handle() const { return m_easy; }

  /// Reads how the transfer ended (call once curl reports it done).
  AttemptResult finish(CURLcode code);

  /// The answer collected so far (status, headers, body); moved out by the client.
  HttpResponse takeResponse();

 private:
  static std::size_t onBody(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t onRead(char* data, std::size_t size, std::size_t count, void* self);
  static int onSeek(void* self, curl_off_t offset, int origin);
  void setMethod();
  void setTls(const HttpClientOptions& options);
  void setProxy(const HttpClientOptions& options);
  AttemptResult proxyRefusal(long connectCode) const;

  const HttpRequest& m_request;
  const UrlParts& m_url;
  const HttpClientOptions& m_options;
  CURL* m_easy = nullptr;
  curl_slist* m_headerList = nullptr;
  curl_slist* m_resolveList = nullptr;
  bool m_viaProxy = false;
  std::uint64_t m_limit = 0;
  std::uint64_t m_received = 0;
  bool m_tooLarge = false;
  std::string m_localFailure;  ///< set when a file read or write failed
  int m_outFd = -1;
  int m_inFd = -1;
  std::uint64_t m_sent = 0;  ///< bytes of uploadFrom handed to curl
  std::map<std::string, std::string> m_headers;
  std::string m_body;
  char m_errorBuffer[CURL_ERROR_SIZE] = {0};
};

}  // namespace spindle::net::http
