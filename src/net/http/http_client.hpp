#pragma once
/// The edge's one HTTP client (libcurl): every HTTPS request of Spindle (the cloud API, the
/// HTTPS uplink, S3 uploads, crash reports, netcheck) goes through it, so TLS, the DNS chain,
/// the proxy, retries and the outbound identity are decided in one place.
///
/// One thread per client drives curl's multi interface: many requests in flight, retries
/// waiting on timers of that loop, never a thread per request (docs/architecture.md).
///
///   HttpClient client(options);            // starts its thread
///   client.submit(request, [](HttpResponse r) { /* on the client's thread */ });
///   HttpResponse r = client.perform(request);  // blocking, for the CLI
///   client.stop();                          // pending callbacks get a "stopped" error

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/units.hpp"
#include "net/proxy.hpp"

namespace spindle::net {
class ResolverChain;
}

namespace spindle::net::http {

/// A part of a file sent as the request body (an S3 multipart part).
struct FileRange {
  std::string path;
  std::uint64_t offset = 0;  ///< bytes from the start of the file
  std::uint64_t length = 0;  ///< bytes to send; the file must hold them all
};

struct HttpRequest {
  std::string method = "GET";  ///< upper case: GET, HEAD, POST, PUT, DELETE, ...
  std::string url;             ///< https:// only
  /// Extra headers in order ("Content-Type", "application/json"). User-Agent and
  /// Spindle-Edge are the client's and cannot be replaced.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  ///< sent when non-empty or for POST/PUT/PATCH; ignored with uploadFrom
  /// Limit for one attempt (connect to last byte); zero: the client's `timeout`.
  Duration timeout{0};
  /// Limit for the whole request, retries and their waits included; zero: none (the number
  /// of retries bounds it). A wait that would end past it is not started: the last answer
  /// (or error) is returned instead. A server's Retry-After is honoured up to this deadline,
  /// or up to one hour without one.
  Duration deadline{0};
  /// Whether sending the request twice is harmless. nullopt: by method (GET, HEAD, PUT,
  /// DELETE, OPTIONS are; POST and PATCH are not, unless they carry an idempotency key).
  std::optional<bool> idempotent;
  /// Sent as `Idempotency-Key`; makes the request repeatable (the server drops resends).
  std::string idempotencyKey;
  /// Largest response body accepted, in bytes; zero: the client's `maxResponse`. A body
  /// over it ends the request with an error (never retried).
  std::uint64_t maxResponse = 0;
  /// When set, the body is written to this file (created or truncated on each attempt) and
  /// HttpResponse::body stays empty; `maxResponse` still bounds it.
  std::string responseFile;
  /// When set, the request body is read from this part of a file instead of `body`.
  std::optional<FileRange> uploadFrom;

  /// idempotent, or by method, or carrying an idempotency key.
  bool repeatable() const;
};

struct HttpResponse {
  int status = 0;  ///< the final HTTP status; 0 when no answer came (see error)
  /// Header names in lower case; a header sent twice keeps the last value.
  std::map<std::string, std::string> headers;
  std::string body;
  /// Set when no usable answer came (resolution, connection, TLS, proxy, size, timeout,
  /// stop). Its message names what failed, the URL without query or credentials, and the
  /// number of attempts. HTTP statuses, 4xx and 5xx included, are answers: check `status`.
  std::optional<Error> error;
  int attempts = 0;
  Duration elapsed{0};  ///< from submit() to the callback, waits included

  /// An answer with a 2xx status.
  bool ok() const { return !error && status >= 200 && status < 300; }
};

struct HttpClientOptions {
  std::string edgeId;                                  ///< sent as `Spindle-Edge`
  std::string version = SPINDLE_VERSION;               ///< User-Agent: spindle/<version>
  std::string caFile;                                  ///< PEM bundle, beside the system store
  bool systemStore = true;                             ///< also trust the system's CAs
  std::vector<std::string> pinnedKeys;                 ///< "sha256//BASE64"; any one must match
  Duration connectTimeout = std::chrono::seconds(10);  ///< TCP + TLS handshake
  Duration timeout = std::chrono::seconds(60);         ///< one attempt, default for requests
  int retries = 5;                                     ///< attempts after the first
  Duration retryMin = std::chrono::seconds(1);         ///< first backoff wait
  Duration retryMax = std::chrono::seconds(60);        ///< longest backoff wait
  std::uint64_t maxResponse = 16u << 20;               ///< default body limit, bytes
  std::optional<ProxySettings> proxy;                  ///< the edge's proxy (net/proxy.hpp)
  /// The DNS chain names are resolved through; the addresses are handed to curl with the
  /// name kept for SNI and certificate checks. Null: curl resolves (tests of logic only).
  std::shared_ptr<ResolverChain> resolver;
  int maxConnectionsPerHost = 8;
};

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;

  /// Starts the client's thread. Fails only when libcurl cannot be set up (kInternal).
  static Result<std::unique_ptr<HttpClient>> create(HttpClientOptions options);
  ~HttpClient();  ///< stop()
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Queues `request`; returns at once. `callback` runs exactly once on the client's thread
  /// (keep it short: it holds up every other request), with the answer or an error. After
  /// stop() it runs at once on the caller's thread with the "stopped" error. Thread-safe.
  void submit(HttpRequest request, Callback callback);

  /// submit() and wait for the answer. Never call it from a callback (the client's thread):
  /// that returns a kInternal error at once instead of deadlocking.
  HttpResponse perform(HttpRequest request);

  /// Cancels every request in flight or waiting to retry (their callbacks get a kUnavailable
  /// "the HTTP client stopped" error) and joins the thread. Idempotent, thread-safe; never
  /// from a callback.
  void stop();

  /// Requests in flight or waiting for a retry, for health pages. Thread-safe.
  std::size_t pending() const;

 private:
  class Loop;
  explicit HttpClient(std::shared_ptr<Loop> loop);

  std::shared_ptr<Loop> m_loop;
  std::thread m_thread;
};

/// Makes clients as the edge makes them (its `https:` section, proxy and DNS chain), allowing
/// `maxConnectionsPerHost` connections to one host: for a part that needs a client of its own.
using ClientFactory = std::function<Result<std::unique_ptr<HttpClient>>(int maxConnectionsPerHost)>;

}  // namespace spindle::net::http
