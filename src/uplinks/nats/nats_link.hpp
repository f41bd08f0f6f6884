#pragma once
/// NatsLink: the edge's NATS connection (shared by the JetStream uplink and control/) and the
/// high-frequency channel.
///
///   NatsLink link(config.nats, config.edge.id, catalog);
///   link.start();                 // connects in the background
///   engine(journal, link.makeUplink(), catalog).start();
///   ... a pipeline subscription: link.hf().offer(batch) for every batch applied to the state
///   engine.stop(); link.stop();   // the uplink's engine first: it uses the connection

#include <memory>

#include "uplinks/nats/hf_publisher.hpp"
#include "uplinks/nats/nats_uplink.hpp"

namespace spindle::uplinks::nats {

class NatsLink {
 public:
  /// The catalog must outlive the link.
  NatsLink(NatsOptions options, std::string edgeId, const model::ItemCatalog& catalog);
  ~NatsLink();

  /// Connects (retrying in the background) and starts the high-frequency channel. Fails only
  /// on bad settings.
  Status start();
  /// Stops the high-frequency channel and disconnects. Idempotent.
  void stop();

  /// The JetStream uplink on this connection, for a delivery engine; the link must outlive it.
  std::unique_ptr<NatsUplink> makeUplink() const;

  NatsConnection& connection() { return *m_connection; }
  /// The servers, as resolved by the edge (see NatsConnection::useServers). Before start().
  void useServers(std::vector<std::string> servers, std::string expectedHostname) {
    m_options.servers = servers;
    m_options.expectedHostname = expectedHostname;
    m_connection->useServers(std::move(servers), std::move(expectedHostname));
  }
  HfPublisher& hf() { return *m_hf; }
  const NatsOptions& options() const { return m_options; }

 private:
  NatsOptions m_options;
  std::string m_edge;
  const model::ItemCatalog& m_catalog;
  std::unique_ptr<NatsConnection> m_connection;
  std::unique_ptr<HfPublisher> m_hf;
  bool m_started = false;
};

}  // namespace spindle::uplinks::nats
