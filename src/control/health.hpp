#pragma once
/// Edge health: a heartbeat published every `health_interval` on `spindle.<edge>.health` as one
/// JSON object (`spindle.health.v1`, docs/cloud-protocol.md). The figures come from
/// HealthProviders: the gateway (machines, journal, uplinks, clock), the configuration
/// watcher (applied version, last rejection), and the process itself (CPU, memory, disk).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "base/units.hpp"
#include "control/channel.hpp"
#include "control/process_stats.hpp"

namespace spindle::control {

inline constexpr const char* kHealthSchema = "spindle.health.v1";

struct MachineHealth {
  std::string id;
  std::string state;               ///< connection state: connected, connecting, backoff, stopped
  std::string detail;              ///< why (last error), may be empty
  std::uint64_t observations = 0;  ///< since start (cumulative)
  double observationRate = -1;     ///< per second; < 0: computed from `observations`
  TimestampNs lastObservation = 0;
  /// Seconds since the machine last sent data (edge clock); < 0: nothing since the start.
  double lastDataAgeSeconds = -1;
  /// Observations refused by the machine's input limits (docs/security.md), by cause.
  std::uint64_t refusedItems = 0;
  std::uint64_t refusedConditions = 0;
  std::uint64_t refusedAssets = 0;
  std::uint64_t refusedValues = 0;
  std::uint64_t refusedKeys = 0;  ///< new keys the item catalog refused beyond max_keys
};

struct JournalHealth {
  std::uint64_t depth = 0;      ///< observations held and not yet delivered by every uplink
  double ageSeconds = 0;        ///< age of the oldest undelivered observation
  std::uint64_t evictions = 0;  ///< observations dropped before delivery (quota, age, disk)
  std::uint64_t bytes = 0;      ///< on disk
  bool stalled = false;
  std::string problem;
  std::string id;          ///< the journal's identity, 16 hex digits
  std::string replacedId;  ///< the journal this one replaced (its directory was lost); "" none
  std::uint64_t droppedConsumers = 0;  ///< consumers dropped with data they had not received
  std::vector<std::string> heldFor;    ///< consumers not running whose data is kept for them
};

struct UplinkHealth {
  std::string name;
  bool connected = false;
  std::uint64_t lag = 0;  ///< observations not yet acknowledged by the destination
  double lagSeconds = 0;  ///< age of the oldest observation awaiting acknowledgement
  std::uint64_t delivered = 0;
  std::uint64_t held = 0;     ///< rejected by the destination, held beside the journal
  std::uint64_t evicted = 0;  ///< dropped by the journal's retention before delivery
  std::uint64_t retries = 0;
  std::uint64_t inFlight = 0;  ///< records sent and not yet acknowledged
  std::string lastError;
};

/// A follower of the applied batches (high-frequency channel, MTConnect interface): what a
/// slow one lost. Its queue is bounded; the journal never loses what it drops.
struct SubscriptionHealth {
  std::string name;
  std::uint64_t batches = 0;
  std::uint64_t dropped = 0;  ///< batches dropped, oldest first, because its queue was full
  std::uint64_t droppedObservations = 0;
  std::uint64_t queued = 0;  ///< observations waiting now
};

struct ConfigHealth {
  std::string version;          ///< what runs: "kv:<revision>", "file:<hash>", ...
  std::string source;           ///< "cloud", "file", "last-known-good"
  std::string rejectedVersion;  ///< the last desired configuration refused, if any
  std::string error;            ///< why it was refused
  TimestampNs appliedAt = 0;
  /// Parts of `version` that do not run: sections waiting for the next start, and desired
  /// values refused ("key: reason"). Both empty: the whole configuration runs.
  std::vector<std::string> pendingRestart;
  std::vector<std::string> refused;
};

/// The update system (update/updater.hpp, docs/updates.md); unset when it is not running.
struct UpdateHealth {
  std::string running;     ///< the version of this process
  std::string pending;     ///< on trial, or verified and waiting (window, manual policy); "" none
  bool onTrial = false;    ///< `running` is on trial
  std::string lastResult;  ///< installed, good, refused, rolled_back, interrupted; "" none yet
  std::string lastVersion;
  std::string lastReason;  ///< the refusal or failure word (update/refusal.hpp)
  std::string lastDetail;
};

/// Files waiting for the uploads bucket.
struct UploadsHealth {
  std::size_t pending = 0;  ///< waiting for their turn, their next attempt, or being sent
  std::size_t failed = 0;   ///< refused for good (wrong credentials, no bucket): see diag.status
  std::uint64_t bytes = 0;  ///< their total size
};

struct HealthReport {
  std::string edge;
  std::string version = SPINDLE_VERSION;
  TimestampNs time = 0;
  double uptimeSeconds = 0;
  ConfigHealth config;
  std::vector<MachineHealth> machines;
  std::optional<JournalHealth> journal;
  std::vector<UplinkHealth> uplinks;
  std::vector<SubscriptionHealth> subscriptions;
  std::optional<double> clockOffsetMs;  ///< edge clock minus NTP; unset when unknown
  ProcessSample process;
  std::optional<UpdateHealth> update;
  /// Crash reports written and not yet sent (control/crash); unset when nobody counts them.
  std::optional<std::size_t> crashReportsPending;
  /// The upload queue (upload/upload_queue.hpp); unset when the edge has none.
  std::optional<UploadsHealth> uploads;
};

/// Serializes a report as one JSON object.
std::string toJson(const HealthReport& report);

/// Contributes figures to each report. fill() runs on the health thread; it must be quick
/// and thread-safe with respect to the rest of the provider.
class HealthProvider {
 public:
  virtual ~HealthProvider() = default;
  virtual void fill(HealthReport& report) = 0;
};

struct HealthOptions {
  Duration interval = std::chrono::seconds(10);  ///< 0: no heartbeat
};

class HealthPublisher {
 public:
  /// `dataDir` is where the disk figures come from. Providers are added before start().
  /// The channel outlives the publisher.
  HealthPublisher(HealthOptions options, std::string edgeId, std::string dataDir, Channel& channel);
  ~HealthPublisher();

  void addProvider(HealthProvider& provider);
  Status start();
  void stop();

  /// Builds a report now (providers, process figures, rates since the previous report).
  HealthReport collect();
  /// Collects and publishes one heartbeat now (e.g. right after a configuration change).
  Status publishNow();
  /// Asks the heartbeat thread to publish at once. Any thread.
  void requestPublish();
  /// The channel's topic of the heartbeats (NATS: `spindle.<edge>.health`).
  static constexpr const char* kTopic = "health";

 private:
  void run();

  HealthOptions m_options;
  std::string m_edge;
  Channel& m_channel;
  std::shared_ptr<spdlog::logger> m_log;
  std::vector<HealthProvider*> m_providers;
  std::mutex m_collectMutex;
  ProcessStats m_process;
  std::chrono::steady_clock::time_point m_startedAt;
  std::chrono::steady_clock::time_point m_lastCollect{};
  std::vector<std::pair<std::string, std::uint64_t>> m_lastCounts;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  bool m_requested = false;
  std::thread m_thread;
};

}  // namespace spindle::control
