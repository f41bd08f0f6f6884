#pragma once
/// ConfigWatcher: the desired configuration from the cloud. It watches key `<edge>` of the
/// cloud's key-value bucket `spindle_config` through its channel (control/channel.hpp; over
/// NATS a JetStream KV bucket on the hub). Each new revision is validated, then applied, then
/// stored as the last-known-good
/// configuration in the data directory; an invalid or unappliable one is rejected, its error
/// reported in health, and the running configuration kept. Nothing is applied twice: a
/// revision already running or already rejected is ignored.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "base/error.hpp"
#include "base/units.hpp"
#include "control/channel.hpp"
#include "control/health.hpp"

namespace spindle::control {

struct ConfigWatchOptions {
  std::string bucket = "spindle_config";
  std::string dataDir;  ///< last-known-good goes to <dataDir>/config/last-known-good.yaml
  Duration retry = std::chrono::seconds(5);  ///< wait after a missing bucket or a failed watch
  std::size_t maxBytes = 1 << 20;            ///< larger values are rejected
};

/// What applying a configuration did: the parts that do not run yet, and why.
struct ApplyOutcome {
  std::vector<std::string> pendingRestart;  ///< sections that take effect at the next start
  std::vector<std::string> refused;         ///< "key: reason" of desired values not taken
};

/// What the application does with a configuration. Both run on the watcher's thread.
struct ConfigCallbacks {
  /// Checks the YAML without side effects (app::loadConfigText). The error text, with its
  /// file:line diagnostics, is what health reports.
  std::function<Status(const std::string& yaml)> validate;
  /// Applies it (restarting only the collectors that changed) and says what does not run yet.
  /// On failure the application keeps or restores the running configuration.
  std::function<Result<ApplyOutcome>(const std::string& yaml, const std::string& version)> apply;
  /// Called after every accepted or rejected revision (e.g. to send a heartbeat at once).
  std::function<void()> changed;
};

struct ConfigState {
  std::string version;  ///< "kv:<revision>" from the cloud, "file:<hash>" from a local file
  std::string source;   ///< "cloud", "file" or "last-known-good"
  TimestampNs appliedAt = 0;
  std::string rejectedVersion;
  std::string error;
  /// Of `version`: what waits for the next start and what was refused (empty: all of it runs).
  ApplyOutcome outcome;
};

/// "kv:7 applied in full", or "kv:7 applied partly; pending restart: journal; refused:
/// uplinks: local-only (...)": what runs of a configuration, for logs and health.
std::string describeRunning(const ConfigState& state);

/// A configuration stored as last-known-good.
struct StoredConfig {
  std::string yaml;
  std::string version;
  TimestampNs appliedAt = 0;
};

class ConfigWatcher final : public HealthProvider {
 public:
  /// `running` describes the configuration the process started with. The channel outlives
  /// the watcher.
  ConfigWatcher(ConfigWatchOptions options, std::string edgeId, Channel& channel,
                ConfigCallbacks callbacks, ConfigState running);
  ~ConfigWatcher() override;

  /// Starts the watch (the channel waits for the connection and for the bucket to exist).
  Status start();
  /// Ends the watch; no configuration is applied after it returns. Idempotent.
  void stop();

  /// Handles one desired configuration (what the watch does for each revision).
  void offer(const std::string& yaml, std::uint64_t revision);
  ConfigState state() const;

  void fill(HealthReport& report) override;

  static std::string lastKnownGoodPath(const std::string& dataDir);
  /// The stored last-known-good configuration, nullopt when there is none.
  static Result<std::optional<StoredConfig>> loadLastKnownGood(const std::string& dataDir);
  /// Stores `config` atomically (temp file, fsync, rename).
  static Status storeLastKnownGood(const std::string& dataDir, const StoredConfig& config);
  /// "file:<16 hex digits>": a version for configuration text that came from a file.
  static std::string fileVersion(const std::string& yaml);

 private:
  ConfigWatchOptions m_options;
  std::string m_edge;
  Channel& m_channel;
  ConfigCallbacks m_callbacks;
  std::shared_ptr<spdlog::logger> m_log;
  std::unique_ptr<ChannelHandle> m_watch;  ///< the caller's thread (start/stop)

  mutable std::mutex m_mutex;
  ConfigState m_state;
};

}  // namespace spindle::control
