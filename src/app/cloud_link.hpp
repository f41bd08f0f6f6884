#pragma once
/// CloudLink: the edge's link to the cloud when `uplinks: nats:` is configured. It owns the
/// NATS connection (uplinks/nats), which the NATS uplink publishes on, the control channel
/// over it (control/channels/nats_channel.hpp) and control/ (health heartbeats, diagnostics,
/// configuration from the KV bucket), which sees only the channel.
/// What the cloud may ask of the edge it asks through the EdgeApi (app/edge_api.hpp), so
/// neither control/ nor this file sees the Gateway.
///
/// Order: start() after the journal is open and the machines are started; stopControl()
/// first when stopping (no configuration is applied after it returns); stop() after the
/// uplink's engine has stopped, before the journal closes.

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "app/edge_api.hpp"
#include "app/spindle_config.hpp"
#include "control/channels/nats_channel.hpp"
#include "control/control.hpp"
#include "update/updater.hpp"
#include "uplinks/nats/nats_link.hpp"

namespace spindle::app {

class CloudLink final : public control::HealthProvider {
 public:
  /// `config` is the running configuration (its cloud section must hold nats options); the
  /// catalog and `api` must outlive the link. Control calls `api` on its own threads.
  /// `updater` (may be null) reports in health and watches its offers over the channel.
  CloudLink(const SpindleConfig& config, model::ItemCatalog& catalog, EdgeApi& api,
            update::Updater* updater = nullptr);
  ~CloudLink() override;

  /// Connects (retrying in the background) and starts control/. Fails only on bad settings.
  Status start();
  /// What uplinks may use (uplinks::UplinkEnv::services): "nats.link", the NATS connection.
  /// The link must outlive them.
  std::map<std::string, std::any> services() { return {{"nats.link", std::any(m_link.get())}}; }
  /// Stops control/ (heartbeats, diagnostics, configuration). Idempotent.
  void stopControl();
  /// Stops control/ and the high-frequency channel, then disconnects. Idempotent.
  void stop();

  void fill(control::HealthReport& report) override;
  /// The journal consumer whose uplink publishes on this link ("nats").
  static std::string consumerName();
  /// The link for the status line (uplinks::nats::describeLink); `lastAck` from that
  /// consumer's DeliveryStats::lastOk.
  std::string describe(TimestampNs lastAck) const;
  uplinks::nats::NatsLink& link() { return *m_link; }

 private:
  std::string m_edge;
  EdgeApi& m_api;
  update::Updater* m_updater;
  std::shared_ptr<control::LogRing> m_logs;
  std::unique_ptr<uplinks::nats::NatsLink> m_link;
  std::unique_ptr<control::NatsChannel> m_channel;
  std::unique_ptr<control::Control> m_control;
  bool m_started = false;
};

}  // namespace spindle::app
