#pragma once
/// Control: everything the cloud asks of the edge over a channel the edge opens
/// (control/channel.hpp; NATS today): heartbeats, diagnostics and the desired configuration.
/// The application provides the figures and actions through ControlHooks; Control never sees
/// the gateway, nor the transport behind the channel.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/channel.hpp"
#include "control/config_watcher.hpp"
#include "control/control_options.hpp"
#include "control/diagnostics.hpp"
#include "control/health.hpp"

namespace spindle::control {

struct ControlHooks {
  std::vector<HealthProvider*> healthProviders;  ///< must outlive Control
  DiagnosticsHandlers diagnostics;
  ConfigCallbacks config;     ///< validate and apply; needed when config_watch is on
  ConfigState runningConfig;  ///< the configuration the process started with
};

class Control {
 public:
  /// The channel outlives Control; its transport is started before start().
  Control(ControlOptions options, std::string edgeId, std::string dataDir, Channel& channel,
          ControlHooks hooks);
  ~Control();

  /// Starts the heartbeat, the diagnostics service and the configuration watch.
  Status start();
  void stop();

  HealthPublisher& health() { return *m_health; }
  DiagnosticsService* diagnostics() { return m_diagnostics.get(); }
  ConfigWatcher* configWatcher() { return m_config.get(); }

 private:
  ControlOptions m_options;
  std::unique_ptr<HealthPublisher> m_health;
  std::unique_ptr<DiagnosticsService> m_diagnostics;
  std::unique_ptr<ConfigWatcher> m_config;
  bool m_started = false;
};

}  // namespace spindle::control
