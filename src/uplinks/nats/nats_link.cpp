#include "uplinks/nats/nats_link.hpp"

#include <thread>

namespace spindle::uplinks::nats {

NatsLink::NatsLink(NatsOptions options, std::string edgeId, journal::Journal& journal,
                   model::ItemCatalog& catalog)
    : m_options(std::move(options)), m_journal(journal) {
  m_connection = std::make_unique<NatsConnection>(m_options, edgeId);
  m_feed = std::make_unique<JournalFeed>(journal, catalog, std::string(kConsumerName));
  m_uplink =
      std::make_unique<NatsUplink>(m_options, edgeId, *m_connection, *m_feed, *m_feed, catalog);
  m_hf = std::make_unique<HfPublisher>(m_options, edgeId, *m_connection, catalog);
}

NatsLink::~NatsLink() { stop(Duration::zero()); }

Status NatsLink::start() {
  if (m_started) return okStatus();
  if (auto s = m_connection->start(); !s) return s;
  if (auto s = m_feed->start([this] { m_uplink->notifyAppended(); }); !s) {
    m_connection->stop();
    return s;
  }
  if (auto s = m_uplink->start(); !s) {
    m_feed->stop();
    m_connection->stop();
    return s;
  }
  if (auto s = m_hf->start(); !s) {
    m_uplink->stop();
    m_feed->stop();
    m_connection->stop();
    return s;
  }
  m_started = true;
  return okStatus();
}

void NatsLink::stop(Duration drainFor) {
  if (!m_started) return;
  m_started = false;
  // Deliver what is durable while the hub answers, for at most drainFor; the rest waits in
  // the journal for the next start.
  const auto deadline = std::chrono::steady_clock::now() + drainFor;
  while (std::chrono::steady_clock::now() < deadline && m_connection->connected() &&
         m_uplink->stats().cursor < m_journal.durableSequence()) {
    m_uplink->notifyAppended();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  m_hf->stop();
  m_uplink->stop();
  m_feed->stop();
  m_connection->stop();
}

}  // namespace spindle::uplinks::nats
