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
#include "base/time.hpp"
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
  std::string address;             ///< host (or device) it connects to; "" when it has none
  std::uint16_t port = 0;          ///< 0 when it has none
  TimestampNs since = 0;           ///< when it entered `state`; 0: never changed
  std::uint64_t reconnects = 0;    ///< connections made after the first
  std::uint64_t rejects = 0;       ///< observations its input limits refused (every cause)
};

/// A collector type this binary offers.
struct ProtocolInfo {
  std::string type;
  std::string description;
  std::uint16_t defaultPort = 0;  ///< the requirement sheet's port; 0: none (a serial line)
};

/// A configuration the edge refused: every problem, worded as `spindle validate` words it.
struct ConfigProblems {
  std::vector<std::string> problems;
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
  /// What runs now: startConfig() updated by every configuration applied or refused since.
  virtual control::ConfigState configState() const = 0;

  /// Health figures: machines, journal, uplinks, clock offset (added to `report`).
  virtual void fillHealth(control::HealthReport& report) = 0;
  /// The status summary: machines, uplinks, journal (the `status` diagnostic's answer).
  virtual nlohmann::json status() = 0;
  /// Journal figures: sequences, segments, bytes and every uplink's position and counters.
  virtual nlohmann::json journal() const = 0;
  /// Runs the firewall checks of a built-in profile ({"profile":"commercial"}, the default);
  /// profile "machines" checks only the configured machines' ports.
  virtual Result<nlohmann::json> netcheck(const nlohmann::json& args) = 0;
  /// `diag.upload`: writes a diagnostics bundle (status, journal, network, the redacted
  /// configuration, recent logs) and queues it for the uploads bucket, or for the presigned
  /// PUT URL in {"url": ...}. Answers {"upload": id, "key", "bytes"}; kUnavailable where the
  /// edge cannot upload.
  virtual Result<nlohmann::json> uploadDiagnostics(const nlohmann::json& args) {
    (void)args;
    return Error(ErrorCode::kUnavailable, "this edge cannot upload");
  }
  /// One machine's normalized items with their latest values, its script and counters, its
  /// configuration block (secrets redacted). kNotFound for an unknown id.
  virtual Result<nlohmann::json> machineDetail(const std::string& id) const = 0;
  /// The recent values of one numeric item still in the state ring, oldest first, evenly
  /// thinned to at most `maxPoints`: {"item", "points": [[unix seconds, value]...]}.
  virtual Result<nlohmann::json> itemHistory(const std::string& id, const std::string& key,
                                             double seconds, std::size_t maxPoints) const = 0;
  /// The keys of one machine as its collector sends them, before its script, with the
  /// latest value of each: {"keys": [{"key", "category", "value", "time", "published"}],
  /// "watch_seconds"}. The first call starts watching for a minute, each call extends it, so
  /// the first answer may be empty (nothing is recorded for a machine nobody looks at).
  /// `published`: the key reaches the store as it is (else only the script reads it).
  /// kNotFound for an unknown or stopped machine.
  virtual Result<nlohmann::json> rawKeys(const std::string& id) = 0;
  /// The collector types compiled in, by name.
  virtual std::vector<ProtocolInfo> protocols() const = 0;
  /// DNS and NTP settings, the DNS server in use and the clock check's last report.
  virtual nlohmann::json network() const = 0;
  /// The configuration file the edge runs from; "" when none (the built-in demo).
  virtual std::string configFile() const = 0;
  /// Checks a new local configuration (the whole file's text) as `spindle validate` does;
  /// refused while the edge runs a configuration from the cloud (change it there).
  virtual ConfigProblems checkLocalConfig(const std::string& yaml) const = 0;
  /// Applies a new local configuration (checked first: kInvalidArgument naming every problem,
  /// nothing changes): machines at once, as applyConfig() does. The caller writes the file.
  virtual Result<control::ApplyOutcome> applyLocalConfig(const std::string& yaml) = 0;
  /// The pipeline between the collectors and the journal: accepted, journaled, refused pushes,
  /// queued now, lost, duplicates left out, holding (the journal refuses the batch at hand).
  virtual nlohmann::json pipeline() const = 0;
  /// Reads the whole journal and checks every record.
  virtual Result<nlohmann::json> verifyJournal() = 0;
  /// The profiles netcheck() takes: the built-in ones and "machines".
  virtual std::vector<std::string> netcheckProfiles() const = 0;
  /// The edge's recent log lines, fed from the first call on until the edge goes (the cloud
  /// link and the management page ask for it at their start). Shared: the ring outlives
  /// whoever reads it.
  virtual std::shared_ptr<control::LogRing> logs() = 0;
};

}  // namespace spindle::app
