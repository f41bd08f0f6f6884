#pragma once
/// CloudLink: the edge's link to the cloud when `uplinks: nats:` is configured. It owns the
/// NATS connection (uplinks/nats), which the NATS uplink publishes on, and control/ (health
/// heartbeats, diagnostics, configuration from the KV bucket).
/// What it needs from the gateway comes through CloudHooks, so neither control/ nor this file
/// sees the Gateway.
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

#include "app/spindle_config.hpp"
#include "control/control.hpp"
#include "uplinks/nats/nats_link.hpp"

namespace spindle::app {

/// What the gateway provides. Every hook may run on a control/ thread.
struct CloudHooks {
  /// Machines, journal and the gateway's other uplinks, for heartbeats.
  std::function<void(control::HealthReport&)> fillHealth;
  /// The `status` diagnostic (machines, uplinks, journal).
  std::function<nlohmann::json()> status;
  /// Restarts one machine's collector.
  std::function<Status(const std::string& machine)> restartMachine;
  /// Checks a desired configuration (YAML) without side effects.
  std::function<Status(const std::string& yaml)> validateConfig;
  /// Applies a desired configuration (machines at once, the rest at the next start); says
  /// what does not run yet. `version` is "kv:<revision>".
  std::function<Result<control::ApplyOutcome>(const std::string& yaml, const std::string& version)>
      applyConfig;
  /// The running configuration's YAML text.
  std::function<std::string()> configText;
  /// The `journal` diagnostic: the journal's and every uplink's figures.
  std::function<nlohmann::json()> journal;
  /// The `netcheck` diagnostic: runs the firewall checks ({"profile":"commercial"}).
  std::function<Result<nlohmann::json>(const nlohmann::json& args)> netcheck;
  /// What runs at start: the local file, or the last-known-good configuration from the cloud.
  control::ConfigState runningConfig;
};

class CloudLink final : public control::HealthProvider {
 public:
  /// `config` is the running configuration (its cloud section must hold nats options); the
  /// journal and catalog must outlive the link.
  CloudLink(const SpindleConfig& config, model::ItemCatalog& catalog, CloudHooks hooks);
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
  uplinks::nats::NatsLink& link() { return *m_link; }

 private:
  std::string m_edge;
  CloudHooks m_hooks;
  std::shared_ptr<control::LogRing> m_logs;
  std::unique_ptr<uplinks::nats::NatsLink> m_link;
  std::unique_ptr<control::Control> m_control;
  bool m_started = false;
};

}  // namespace spindle::app
