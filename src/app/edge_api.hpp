#pragma once
/// EdgeApi: what can be asked of a running edge, whoever asks: cloud control today (CloudLink
/// serves it over control/), the management page and `spindle fleet` later. One contract in
/// place of a bag of hooks; app::MachineManager implements it.
///
/// Thread: every method may be called from any thread (control/ calls from its own threads),
/// also concurrently; the implementation serialises what changes machines. Nothing here
/// blocks for long but netcheck (it runs the network checks, bounded by their timeouts).

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "control/config_watcher.hpp"
#include "control/health.hpp"
#include "control/log_ring.hpp"

namespace spindle::app {

/// One machine of the running configuration as the API shows it.
struct MachineSummary {
  std::string id;
  std::string type;     ///< collector type (`shdr`, `modbus_tcp`, ...)
  bool enabled = true;  ///< false: configured but not collecting
  std::string state;    ///< connection state ("connected", "stopped", ...)
  std::string detail;   ///< why, when not connected
  std::uint64_t observations = 0;
  double lastDataAgeSeconds = -1;  ///< < 0: no data yet
};

class EdgeApi {
 public:
  virtual ~EdgeApi() = default;

  /// The machines of the running configuration, in configuration order.
  virtual std::vector<MachineSummary> machines() const = 0;
  /// Restarts one machine's collector from the running configuration. kNotFound for an
  /// unknown id, kInvalidArgument for a disabled machine, kUnavailable while stopping.
  virtual Status restartMachine(const std::string& id) = 0;

  /// Checks a desired configuration (YAML) without side effects.
  virtual Status validateConfig(const std::string& yaml) const = 0;
  /// Applies a desired configuration: machines whose parsed settings changed (and added or
  /// removed ones) start or stop at once, other sections at the next start; says what does
  /// not run yet. `version` is where it came from ("kv:<revision>"). On failure nothing
  /// changes.
  virtual Result<control::ApplyOutcome> applyConfig(const std::string& yaml,
                                                    const std::string& version) = 0;
  /// The running configuration's YAML text (secrets included: redact before it leaves).
  virtual std::string configText() const = 0;
  /// What ran at start: the local file, or the last-known-good configuration from the cloud.
  virtual control::ConfigState startConfig() const = 0;

  /// Health figures: machines, journal, uplinks, clock offset (added to `report`).
  virtual void fillHealth(control::HealthReport& report) = 0;
  /// The status summary: machines, uplinks, journal (the `status` diagnostic's answer).
  virtual nlohmann::json status() = 0;
  /// Journal figures: sequences, segments, bytes and every uplink's position and counters.
  virtual nlohmann::json journal() const = 0;
  /// Runs the firewall checks of a built-in profile ({"profile":"commercial"}, the default).
  virtual Result<nlohmann::json> netcheck(const nlohmann::json& args) = 0;
  /// The edge's recent log lines (while a sink feeds the ring: the cloud link adds it when
  /// it starts). Shared: the ring outlives whoever reads it.
  virtual std::shared_ptr<control::LogRing> logs() = 0;
};

}  // namespace spindle::app
