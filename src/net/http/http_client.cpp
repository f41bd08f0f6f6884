#include "net/http/http_client.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <deque>
#include <future>
#include <mutex>

#include <curl/curl.h>

#include "collectors/backoff.hpp"
#include "net/http/http_transfer.hpp"
#include "net/http/http_url.hpp"
#include "net/resolver_chain.hpp"

namespace spindle::net::http {
namespace {

using Clock = std::chrono::steady_clock;

/// How long resolved addresses are reused before the chain is asked again.
constexpr auto kDnsReuse = std::chrono::seconds(30);
/// The longest Retry-After honoured for a request without a deadline.
constexpr auto kMaxRetryAfter = std::chrono::hours(1);

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string attemptsText(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

}  // namespace

bool HttpRequest::repeatable() const {
  if (!idempotencyKey.empty()) return true;
  if (idempotent) return *idempotent;
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

/// The client's thread and everything it owns. Shared with resolver callbacks through a
/// weak_ptr, so an answer arriving after the client is gone is dropped.
class HttpClient::Loop : public std::enable_shared_from_this<Loop> {
 public:
  Loop(HttpClientOptions options, CURLM* multi) : m_options(std::move(options)), m_multi(multi) {}
  ~Loop() { curl_multi_cleanup(m_multi); }

  /// Queues a new request; false when the loop has closed (the caller answers it).
  bool submit(HttpRequest request, Callback callback);
  void requestStop();
  void run();
  std::size_t pending() const { return m_pending.load(); }

 private:
  struct Job {
    std::uint64_t id = 0;
    HttpRequest request;
    Callback callback;
    UrlParts url;
    std::string label;  ///< "POST https://host:443/path" for messages
    Clock::time_point started;
    Clock::time_point deadline = Clock::time_point::max();
    int attempts = 0;
    collectors::Backoff backoff;
    std::unique_ptr<Transfer> transfer;
    std::optional<HttpResponse> lastAnswer;  ///< the last 5xx/429, returned if retries end

    Job(Duration retryMin, Duration retryMax) : backoff(retryMin, retryMax) {}
  };

  void post(std::function<void()> task);
  void start(std::unique_ptr<Job> job);
  void attempt(Job& job);
  void resolved(std::uint64_t id, const std::string& key, Result<ResolverChain::Endpoints> r);
  void launch(Job& job, const std::string& resolveEntry);
  void done(CURL* easy, CURLcode code);
  void ended(Job& job, const AttemptResult& result, std::optional<HttpResponse> answer);
  void finish(std::uint64_t id, HttpResponse response);
  void fail(std::uint64_t id, ErrorCode code, const std::string& what);
  void fireTimers();
  void closeAll();
  bool viaProxy(const Job& job) const {
    return m_options.proxy && !goesDirect(*m_options.proxy, job.url.host);
  }

  const HttpClientOptions m_options;
  CURLM* m_multi;
  std::atomic<std::size_t> m_pending{0};

  std::mutex m_mutex;  ///< guards m_tasks, m_incoming, m_stopping, m_closed
  std::deque<std::function<void()>> m_tasks;
  std::deque<std::unique_ptr<Job>> m_incoming;
  bool m_stopping = false;
  bool m_closed = false;

  // The loop's own state: touched on its thread only.
  std::uint64_t m_nextId = 1;
  std::map<std::uint64_t, std::unique_ptr<Job>> m_jobs;
  std::multimap<Clock::time_point, std::uint64_t> m_timers;  ///< retries waiting
  struct CachedAddresses {
    std::string entry;
    Clock::time_point until;
  };
  std::map<std::string, CachedAddresses> m_dns;  ///< "host:port" -> CURLOPT_RESOLVE entry
};

bool HttpClient::Loop::submit(HttpRequest request, Callback callback) {
  auto job = std::make_unique<Job>(m_options.retryMin, m_options.retryMax);
  job->request = std::move(request);
  job->callback = std::move(callback);
  job->started = Clock::now();
  {
    std::lock_guard lock(m_mutex);
    if (m_closed || m_stopping) {
      callback = std::move(job->callback);
    } else {
      m_incoming.push_back(std::move(job));
      ++m_pending;
      curl_multi_wakeup(m_multi);
      return true;
    }
  }
  HttpResponse r;
  r.error = Error(ErrorCode::kUnavailable, "the HTTP client stopped");
  callback(std::move(r));
  return false;
}

void HttpClient::Loop::post(std::function<void()> task) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return;
  m_tasks.push_back(std::move(task));
  curl_multi_wakeup(m_multi);
}

void HttpClient::Loop::requestStop() {
  std::lock_guard lock(m_mutex);
  m_stopping = true;
  if (!m_closed) curl_multi_wakeup(m_multi);
}

void HttpClient::Loop::run() {
  while (true) {
    std::deque<std::function<void()>> tasks;
    std::deque<std::unique_ptr<Job>> incoming;
    bool stopping = false;
    {
      std::lock_guard lock(m_mutex);
      tasks.swap(m_tasks);
      incoming.swap(m_incoming);
      stopping = m_stopping;
      if (stopping) m_closed = true;
    }
    for (auto& job : incoming) {
      if (stopping) {
        const std::uint64_t id = job->id = m_nextId++;
        m_jobs[id] = std::move(job);
      } else {
        start(std::move(job));
      }
    }
    if (stopping) break;
    for (auto& task : tasks) task();
    fireTimers();
    int running = 0;
    curl_multi_perform(m_multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(m_multi, &left)) {
      if (message->msg == CURLMSG_DONE) done(message->easy_handle, message->data.result);
    }
    auto wait = std::chrono::milliseconds(1000);
    if (!m_timers.empty()) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
          m_timers.begin()->first - Clock::now());
      wait = std::clamp(until + std::chrono::milliseconds(1), std::chrono::milliseconds(0), wait);
    }
    curl_multi_poll(m_multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
  closeAll();
}

void HttpClient::Loop::closeAll() {
  m_timers.clear();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, job] : m_jobs) ids.push_back(id);
  for (const auto id : ids) fail(id, ErrorCode::kUnavailable, "the HTTP client stopped");
}

void HttpClient::Loop::start(std::unique_ptr<Job> job) {
  const std::uint64_t id = job->id = m_nextId++;
  Job& j = *(m_jobs[id] = std::move(job));
  auto url = parseUrl(j.request.url);
  j.label = j.request.method + " " + redactUrlForMessage(j.request.url);
  if (!url) return fail(id, ErrorCode::kInvalidArgument, url.error().message());
  if (url->scheme != "https") {
    return fail(id, ErrorCode::kInvalidArgument,
                "only https:// URLs are allowed (TLS is never turned off)");
  }
  for (const auto& [name, value] : j.request.headers) {
    if ((name + value).find_first_of("\r\n") != std::string::npos) {
      return fail(id, ErrorCode::kInvalidArgument, "header " + name + " holds a line break");
    }
  }
  j.url = std::move(*url);
  if (j.request.deadline.count() > 0) {
    j.deadline = j.started + std::chrono::duration_cast<Clock::duration>(j.request.deadline);
  }
  attempt(j);
}

void HttpClient::Loop::attempt(Job& job) {
  ++job.attempts;
  const bool proxied = viaProxy(job);
  const std::string host = proxied ? m_options.proxy->host : job.url.host;
  const std::uint16_t port = proxied ? m_options.proxy->port : job.url.port;
  if (!m_options.resolver || isIpLiteral(host)) return launch(job, "");
  const std::string key = bracketed(host) + ":" + std::to_string(port);
  if (auto it = m_dns.find(key); it != m_dns.end() && it->second.until > Clock::now()) {
    return launch(job, it->second.entry);
  }
  std::weak_ptr<Loop> weak = weak_from_this();
  const std::uint64_t id = job.id;
  m_options.resolver->resolve(host, port, [weak, id, key](Result<ResolverChain::Endpoints> r) {
    if (auto loop = weak.lock()) {
      loop->post([loop = loop.get(), id, key, r = std::move(r)]() mutable {
        loop->resolved(id, key, std::move(r));
      });
    }
  });
}

void HttpClient::Loop::resolved(std::uint64_t id, const std::string& key,
                                Result<ResolverChain::Endpoints> r) {
  const auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  Job& job = *it->second;
  const std::string host = key.substr(0, key.rfind(':'));
  if (!r || r->empty()) {
    const std::string why = r ? "no addresses" : r.error().message();
    const bool gone = !r && r.error().code() == ErrorCode::kNotFound;
    return ended(job,
                 {gone ? AttemptEnd::kFinal : AttemptEnd::kNotSent, 0,
                  gone ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                  "resolving " + host + " through the DNS chain: " + why},
                 std::nullopt);
  }
  // "+" lets the entry expire in curl's cache like a looked-up one.
  std::string entry = "+" + key + ":";
  for (std::size_t i = 0; i < r->size(); ++i) {
    entry += (i ? "," : "") + bracketed((*r)[i].address().to_string());
  }
  m_dns[key] = {entry, Clock::now() + kDnsReuse};
  launch(job, entry);
}

void HttpClient::Loop::launch(Job& job, const std::string& resolveEntry) {
  Duration timeout = job.request.timeout.count() > 0 ? job.request.timeout : m_options.timeout;
  if (job.deadline != Clock::time_point::max()) {
    timeout = std::min<Duration>(timeout, job.deadline - Clock::now());
    if (timeout.count() <= 0) {
      return ended(job, {AttemptEnd::kFinal, 0, ErrorCode::kTimeout, "the deadline passed"},
                   std::nullopt);
    }
  }
  job.transfer = std::make_unique<Transfer>(job.request, job.url, m_options, timeout, resolveEntry,
                                            viaProxy(job));
  if (auto ready = job.transfer->prepare(); !ready) {
    job.transfer.reset();
    return ended(job, {AttemptEnd::kLocal, 0, ready.error().code(), ready.error().message()},
                 std::nullopt);
  }
  curl_easy_setopt(job.transfer->handle(), CURLOPT_PRIVATE, reinterpret_cast<char*>(job.id));
  curl_multi_add_handle(m_multi, job.transfer->handle());
}

void HttpClient::Loop::done(CURL* easy, CURLcode code) {
  char* privateData = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &privateData);
  const auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(privateData));
  curl_multi_remove_handle(m_multi, easy);
  const auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  Job& job = *it->second;
  const AttemptResult result = job.transfer->finish(code);
  std::optional<HttpResponse> answer;
  if (result.end == AttemptEnd::kAnswered) answer = job.transfer->takeResponse();
  job.transfer.reset();
  ended(job, result, std::move(answer));
}

void HttpClient::Loop::ended(Job& job, const AttemptResult& result,
                             std::optional<HttpResponse> answer) {
  const std::uint64_t id = job.id;
  const bool retry = job.attempts <= m_options.retries &&
                     shouldRetry(result.end, result.status, job.request.repeatable());
  Duration wait = job.backoff.next();
  bool serverAsked = false;
  if (answer) {
    if (const auto header = answer->headers.find("retry-after"); header != answer->headers.end()) {
      if (auto asked = parseRetryAfter(header->second, std::time(nullptr))) {
        wait = *asked;
        serverAsked = true;
      }
    }
  }
  const auto resume = Clock::now() + std::chrono::duration_cast<Clock::duration>(wait);
  // A wait past the deadline, or a server asking for more than kMaxRetryAfter without a
  // deadline to bound it, ends here with the last answer: the caller decides what next.
  const bool fits = job.deadline != Clock::time_point::max()
                        ? resume < job.deadline
                        : !serverAsked || wait <= kMaxRetryAfter;
  if (retry && fits) {
    if (answer) job.lastAnswer = std::move(answer);
    m_timers.emplace(resume, id);
    return;
  }
  if (answer) return finish(id, std::move(*answer));
  if (job.lastAnswer && result.end != AttemptEnd::kTooLarge) {
    return finish(id, std::move(*job.lastAnswer));
  }
  fail(id, result.code, result.message);
}

void HttpClient::Loop::fireTimers() {
  const auto now = Clock::now();
  while (!m_timers.empty() && m_timers.begin()->first <= now) {
    const std::uint64_t id = m_timers.begin()->second;
    m_timers.erase(m_timers.begin());
    if (const auto it = m_jobs.find(id); it != m_jobs.end()) attempt(*it->second);
  }
}

void HttpClient::Loop::fail(std::uint64_t id, ErrorCode code, const std::string& what) {
  const auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  const Job& job = *it->second;
  HttpResponse r;
  r.error =
      Error(code, what + " (after " + attemptsText(std::max(job.attempts, 1)) + ")")
          .with(job.label.empty() ? job.request.method + " " + redactUrlForMessage(job.request.url)
                                  : job.label);
  finish(id, std::move(r));
}

void HttpClient::Loop::finish(std::uint64_t id, HttpResponse response) {
  auto node = m_jobs.extract(id);
  if (node.empty()) return;
  Job& job = *node.mapped();
  if (job.transfer) {
    curl_multi_remove_handle(m_multi, job.transfer->handle());
    job.transfer.reset();
  }
  response.attempts = job.attempts;
  response.elapsed = Clock::now() - job.started;
  --m_pending;
  job.callback(std::move(response));
}

// ---------------------------------------------------------------------------------------

Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return Error(ErrorCode::kInternal, "curl_multi_init failed");
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(options.maxConnectionsPerHost));
  auto loop = std::make_shared<Loop>(std::move(options), multi);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(loop)));
}

HttpClient::HttpClient(std::shared_ptr<Loop> loop) : m_loop(std::move(loop)) {
  m_thread = std::thread([loop = m_loop] { loop->run(); });
}

HttpClient::~HttpClient() { stop(); }

void HttpClient::submit(HttpRequest request, Callback callback) {
  m_loop->submit(std::move(request), std::move(callback));
}

HttpResponse HttpClient::perform(HttpRequest request) {
  if (std::this_thread::get_id() == m_thread.get_id()) {
    HttpResponse r;
    r.error = Error(ErrorCode::kInternal, "perform() called on the HTTP client's own thread");
    return r;
  }
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  submit(std::move(request), [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  return future.get();
}

void HttpClient::stop() {
  m_loop->requestStop();
  if (m_thread.joinable() && std::this_thread::get_id() != m_thread.get_id()) m_thread.join();
}

std::size_t HttpClient::pending() const { return m_loop->pending(); }

}  // namespace spindle::net::http
