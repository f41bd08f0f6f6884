#include "transform/store/https_fetcher.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "net/http/http_client.hpp"
#include "net/http/http_url.hpp"
#include "net/proxy.hpp"
#include "net/resolver_chain.hpp"

namespace spindle::transform::store {

struct HttpsFetcher::Client {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  std::shared_ptr<net::ResolverChain> resolver;
  std::unique_ptr<net::http::HttpClient> http;

  Client() : thread([this] { io.run(); }) {}
  ~Client() {
    if (http) http->stop();
    if (resolver) resolver->stop();
    work.reset();
    io.stop();
    thread.join();
  }
};

HttpsFetcher::HttpsFetcher(net::http::HttpsOptions https, net::NetOptions net, std::string edgeId)
    : m_https(std::move(https)), m_net(std::move(net)), m_edgeId(std::move(edgeId)) {}

HttpsFetcher::~HttpsFetcher() = default;

Status HttpsFetcher::start() {
  auto proxy = net::proxySettings(m_net);
  if (!proxy) return std::move(proxy).error().with("net.proxy");
  auto client = std::make_unique<Client>();
  auto resolver =
      net::ResolverChain::create(client->io.get_executor(), net::resolverOptions(m_net));
  if (!resolver) return std::move(resolver).error();
  client->resolver = *resolver;
  auto options = net::http::clientOptions(m_https, m_edgeId, std::move(*proxy), *resolver);
  options.retries = std::min(options.retries, 2);
  options.retryMax = std::min<Duration>(options.retryMax, std::chrono::seconds(2));
  options.retryMin = std::min(options.retryMin, options.retryMax);
  auto http = net::http::HttpClient::create(std::move(options));
  if (!http) return std::move(http).error();
  client->http = std::move(*http);
  m_client = std::move(client);
  return okStatus();
}

Result<std::string> HttpsFetcher::get(const std::string& url, std::uint64_t maxBytes,
                                      Duration timeout) {
  if (!m_client && !m_startError) {
    if (auto started = start(); !started) m_startError = std::move(started).error();
  }
  if (m_startError) return Error(ErrorCode::kUnavailable, m_startError->describe());
  net::http::HttpRequest request;
  request.url = url;
  request.timeout = timeout;
  request.deadline = timeout;
  request.maxResponse = maxBytes;
  auto response = m_client->http->perform(std::move(request));
  if (response.error) return Error(ErrorCode::kUnavailable, response.error->describe());
  if (!response.ok()) {
    return Error(
        response.status == 404 ? ErrorCode::kNotFound : ErrorCode::kProtocol,
        "HTTP " + std::to_string(response.status) + " for " + net::http::redactUrlForMessage(url));
  }
  return std::move(response.body);
}

Result<std::unique_ptr<AdapterStore>> openAdapterStore(
    const StoreOptions& options, const std::string& dataDir, const net::http::HttpsOptions& https,
    const net::NetOptions& net, const std::string& edgeId, StoreAccess access) {
  auto keys = loadKeys(options);
  if (!keys) return std::move(keys).error();
  AdapterStore::Setup setup{options, std::move(*keys), cacheDirectory(dataDir, options), access};
  return std::make_unique<AdapterStore>(std::move(setup),
                                        std::make_unique<HttpsFetcher>(https, net, edgeId),
                                        makeLogger("adapter_store"));
}

}  // namespace spindle::transform::store
