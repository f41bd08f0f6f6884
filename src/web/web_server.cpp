#include "web/web_server.hpp"

#include <boost/asio/post.hpp>

#include "web/http_server.hpp"
#include "web/mtconnect/agent_service.hpp"

namespace spindle::web {

/// How often the MTConnect index follows the state store when no request asks: often enough
/// that the store's ring cannot wrap in between at any realistic rate.
constexpr auto kRefreshPeriod = std::chrono::milliseconds(50);

Server::Server(boost::asio::io_context& io, WebOptions options, const state::StateStore& store,
               const model::ItemCatalog& catalog, std::string edgeId)
    : m_io(io),
      m_options(std::move(options)),
      m_store(store),
      m_catalog(catalog),
      m_sender(m_options.sender.empty() ? std::move(edgeId) : m_options.sender) {}

Server::~Server() { stop(); }

Status Server::start() {
  if (!m_options.enabled) return okStatus();
  m_agent = std::make_shared<mtconnect::AgentService>(m_options, m_store, m_catalog, m_sender);
  HttpServerOptions o;
  o.bind = m_options.bind;
  o.port = m_options.port.value;
  o.maxConnections = m_options.maxConnections;
  o.idleTimeout = m_options.idleTimeout;
  o.headerTimeout = m_options.headerTimeout;
  o.maxConnectionsPerClient = m_options.maxConnectionsPerClient;
  auto agent = m_agent;
  m_http = std::make_shared<HttpServer>(
      m_io, o, [agent](const HttpRequest& req, std::shared_ptr<Responder> r) {
        agent->handle(req, std::move(r));
      });
  if (auto s = m_http->start(); !s) {
    m_http.reset();
    m_agent.reset();
    return std::move(s).error().with("starting the MTConnect interface");
  }
  m_refresh = std::make_shared<boost::asio::steady_timer>(m_io);
  scheduleRefresh();
  return okStatus();
}

namespace {

void refreshLoop(std::shared_ptr<boost::asio::steady_timer> timer,
                 std::weak_ptr<mtconnect::AgentService> agent) {
  timer->expires_after(kRefreshPeriod);
  timer->async_wait([timer, agent](const boost::system::error_code& ec) {
    if (ec) return;
    auto a = agent.lock();
    if (!a) return;
    a->index().refresh();
    refreshLoop(timer, agent);
  });
}

}  // namespace

void Server::scheduleRefresh() { refreshLoop(m_refresh, m_agent); }

void Server::stop() {
  if (m_agent) m_agent->stop();
  if (m_http) m_http->stop();
  if (m_refresh) {
    boost::asio::post(m_io, [timer = m_refresh] { timer->cancel(); });
  }
  m_agent.reset();
  m_http.reset();
}

std::uint16_t Server::port() const { return m_http ? m_http->port() : 0; }

}  // namespace spindle::web
