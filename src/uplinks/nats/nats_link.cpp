#include "uplinks/nats/nats_link.hpp"

namespace spindle::uplinks::nats {

NatsLink::NatsLink(NatsOptions options, std::string edgeId, const model::ItemCatalog& catalog)
    : m_options(std::move(options)), m_edge(std::move(edgeId)), m_catalog(catalog) {
  m_connection = std::make_unique<NatsConnection>(m_options, m_edge);
  m_hf = std::make_unique<HfPublisher>(m_options, m_edge, *m_connection, catalog);
}

NatsLink::~NatsLink() { stop(); }

std::unique_ptr<NatsUplink> NatsLink::makeUplink() const {
  return std::make_unique<NatsUplink>(m_options, m_edge, *m_connection, m_catalog);
}

Status NatsLink::start() {
  if (m_started) return okStatus();
  if (auto s = m_connection->start(); !s) return s;
  if (auto s = m_hf->start(); !s) {
    m_connection->stop();
    return s;
  }
  m_started = true;
  return okStatus();
}

void NatsLink::stop() {
  if (!m_started) return;
  m_started = false;
  m_hf->stop();
  m_connection->stop();
}

}  // namespace spindle::uplinks::nats
