#pragma once
/// NatsLink: everything the gateway needs for NATS in one object: the connection (shared
/// with control/), the journal-fed JetStream uplink, and the high-frequency channel.
///
///   NatsLink link(config.nats, config.edge.id, *journal, catalog);
///   link.start();                 // after the journal is open
///   ... pipeline: link.hf().offer(batch) for every batch (after the journal append)
///   link.stop();                  // after control/ is stopped, before the journal closes

#include <memory>
#include <string_view>

#include "uplinks/nats/hf_publisher.hpp"
#include "uplinks/nats/journal_feed.hpp"
#include "uplinks/nats/nats_uplink.hpp"

namespace spindle::uplinks::nats {

/// The NATS uplink's journal consumer (and cursor file) name.
inline constexpr std::string_view kConsumerName = "nats";

class NatsLink {
 public:
  /// The journal and the catalog must outlive the link.
  NatsLink(NatsOptions options, std::string edgeId, journal::Journal& journal,
           model::ItemCatalog& catalog);
  ~NatsLink();

  /// Connects (retrying in the background), resumes the uplink at its cursor and starts the
  /// high-frequency channel. Fails only on bad settings or an unusable cursor.
  Status start();
  /// Gives the uplink up to `drainFor` to deliver what is durable, then closes. Idempotent.
  void stop(Duration drainFor = std::chrono::seconds(5));

  NatsConnection& connection() { return *m_connection; }
  NatsUplink& uplink() { return *m_uplink; }
  HfPublisher& hf() { return *m_hf; }
  const NatsOptions& options() const { return m_options; }

 private:
  NatsOptions m_options;
  journal::Journal& m_journal;
  std::unique_ptr<NatsConnection> m_connection;
  std::unique_ptr<JournalFeed> m_feed;
  std::unique_ptr<NatsUplink> m_uplink;
  std::unique_ptr<HfPublisher> m_hf;
  bool m_started = false;
};

}  // namespace spindle::uplinks::nats
