#pragma once
/// web::Server: the HTTP server of the edge (Boost.Beast on the gateway's io_context). Serves
/// the MTConnect agent interface over every machine the state store holds.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "model/item_catalog.hpp"
#include "state/batch_feed.hpp"
#include "state/state_store.hpp"
#include "web/web_options.hpp"

namespace spindle::web {

class HttpServer;
namespace mtconnect {
class AgentService;
}

class Server {
 public:
  /// `edgeId` names the edge in every MTConnect Header (unless options.sender is set) and
  /// seeds the device uuids. The store, catalog and io_context must outlive the server.
  /// `feed` (the pipeline) offers the applied batches the MTConnect interface follows, on
  /// the io_context's threads as they come; null: it reads the store's ring when asked.
  Server(boost::asio::io_context& io, WebOptions options, const state::StateStore& store,
         const model::ItemCatalog& catalog, std::string edgeId, state::BatchFeed* feed = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves `document` (JSON text) at StatusEndpoint::kPath beside the MTConnect interface,
  /// for `spindle status`. Before start(); thread-safe as StatusEndpoint says.
  void setStatusDocument(std::function<std::string()> document) {
    m_statusDocument = std::move(document);
  }

  /// Binds and serves (nothing when options.enabled is false). kIo naming the address when
  /// the port cannot be bound. Call once.
  Status start();
  /// Closes the listener, every connection and stream. Idempotent; asynchronous (finishes on
  /// the io_context's threads).
  void stop();

  /// The bound port (0 before start or when disabled).
  std::uint16_t port() const;

 private:
  boost::asio::io_context& m_io;
  WebOptions m_options;
  const state::StateStore& m_store;
  const model::ItemCatalog& m_catalog;
  std::string m_sender;
  std::function<std::string()> m_statusDocument;
  std::shared_ptr<mtconnect::AgentService> m_agent;
  std::shared_ptr<HttpServer> m_http;
  state::BatchFeed* m_feed;
  std::shared_ptr<state::BatchSubscription> m_subscription;
};

}  // namespace spindle::web
