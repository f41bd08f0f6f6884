#pragma once
/// NatsChannel: control/'s channel (control/channel.hpp) over the edge's own NATS connection.
/// Topics are subjects `spindle.<edge>.<topic>`; requests are NATS request/reply on
/// `spindle.<edge>.<prefix>.*`; a watch is a JetStream KV watch of `<bucket>` (through a leaf
/// node with the hub's JetStream domain). Nothing listens for inbound connections.
/// Everything follows the connection's rebuilds (uplinks/nats/nats_connection.hpp): publish
/// uses the current connection, a serve() subscription is made again on each new one (its
/// handle stays valid), and a watch makes its JetStream context anew on each.

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "control/channel.hpp"
#include "uplinks/nats/nats_connection.hpp"

namespace spindle::control {

class NatsChannel final : public Channel {
 public:
  /// `jsDomain` is the uplink's js_domain (the KV bucket lives on the hub). The connection
  /// outlives the channel and every handle it made.
  NatsChannel(uplinks::nats::NatsConnection& connection, std::string edgeId, std::string jsDomain);

  std::string kind() const override { return "nats"; }
  bool connected() const override { return m_connection.connected(); }
  Status publish(const std::string& topic, std::string_view body) override;
  Result<std::unique_ptr<ChannelHandle>> serve(const std::string& prefix,
                                               RequestHandler handler) override;
  Result<std::unique_ptr<ChannelHandle>> watch(const std::string& bucket, const std::string& key,
                                               WatchHandlers handlers, Duration retry) override;

  /// `spindle.<edge>.<topic>`.
  std::string subject(const std::string& topic) const;

 private:
  uplinks::nats::NatsConnection& m_connection;
  std::string m_edge;
  std::string m_jsDomain;
  std::shared_ptr<spdlog::logger> m_log;
};

}  // namespace spindle::control
