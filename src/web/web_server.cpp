#include "web/web_server.hpp"

#include <boost/asio/post.hpp>

#include "web/http_server.hpp"
#include "web/mtconnect/agent_service.hpp"
#include "web/status_endpoint.hpp"

namespace spindle::web {

Server::Server(boost::asio::io_context& io, WebOptions options, const state::StateStore& store,
               const model::ItemCatalog& catalog, std::string edgeId, state::BatchFeed* feed)
    : m_io(io),
      m_options(std::move(options)),
      m_store(store),
      m_catalog(catalog),
      m_sender(m_options.sender.empty() ? std::move(edgeId) : m_options.sender),
      m_feed(feed) {}

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
  auto status = std::make_shared<const StatusEndpoint>(m_statusDocument);
  m_http = std::make_shared<HttpServer>(
      m_io, o, [agent, status](const HttpRequest& req, std::shared_ptr<Responder> r) {
        if (status->handle(req, *r)) return;
        agent->handle(req, std::move(r));
      });
  if (auto s = m_http->start(); !s) {
    m_http.reset();
    m_agent.reset();
    return std::move(s).error().with("starting the MTConnect interface");
  }
  if (m_feed) {
    // The index follows the applied batches: told on the pipeline's worker, it takes them on
    // the io_context. Bounded by the ring: what it drops, the ring no longer holds either.
    std::weak_ptr<mtconnect::AgentService> weak = m_agent;
    m_subscription = m_feed->subscribe("web.mtconnect", {m_store.capacity(), m_store.memoryLimit()},
                                       [io = &m_io, weak](state::BatchSubscription&) {
                                         boost::asio::post(*io, [weak] {
                                           if (auto a = weak.lock()) a->index().refresh();
                                         });
                                       });
    m_agent->index().follow(m_subscription);
  }
  return okStatus();
}

void Server::stop() {
  if (m_subscription) m_subscription->close();  // no post to the io_context after this
  if (m_agent) m_agent->stop();
  if (m_http) m_http->stop();
  m_agent.reset();
  m_http.reset();
}

std::uint16_t Server::port() const { return m_http ? m_http->port() : 0; }

}  // namespace spindle::web
