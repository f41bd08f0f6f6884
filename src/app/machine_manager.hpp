#pragma once
/// MachineManager: the machines of the running edge and its configuration, carved out of the
/// gateway. It starts, stops and restarts collectors, applies a desired configuration from the
/// cloud machine by machine (a machine restarts only when its parsed settings changed), adopts
/// the last-known-good configuration at start, and answers the EdgeApi (edge_api.hpp) with the
/// figures of the parts the gateway owns (EdgeParts).
///
/// Order (the gateway's): construct; adoptLastKnownGood() before anything starts; attach() once
/// the pipeline, journal and DNS chain exist; prepareScripts() before the pipeline starts;
/// startAll() once the io threads run; stopCollectors() first when stopping (no machine starts
/// after it returns), release() after the io threads are joined.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>

#include "app/edge_api.hpp"
#include "app/machine_context.hpp"
#include "app/pipeline.hpp"
#include "app/remote_config.hpp"
#include "app/spindle_config.hpp"
#include "journal/journal.hpp"
#include "net/clock_monitor.hpp"
#include "net/resolver_chain.hpp"
#include "state/state_store.hpp"
#include "uplinks/delivery_engine.hpp"
#include "upload/upload_queue.hpp"

namespace spindle::app {

/// What the manager reads beside its machines. The gateway owns each part; they outlive the
/// manager's use of them (until release()).
struct EdgeParts {
  boost::asio::io_context* io = nullptr;
  Pipeline* pipeline = nullptr;
  state::StateStore* state = nullptr;
  journal::Journal* journal = nullptr;
  std::shared_ptr<net::ResolverChain> resolver;
  /// One set of figures per uplink. Any thread.
  std::function<std::vector<uplinks::DeliveryStats>()> uplinks;
  /// The clock check's last report. Any thread.
  std::function<net::ClockReport()> clock;
  /// Puts a changed `net:` section in force now (the DNS chain, the clock check). Called with
  /// the manager's lock held: it must return at once and not call the manager. Null: a
  /// changed `net:` waits for the next start.
  std::function<void(const net::NetOptions&)> applyNet;
  /// Crash reports waiting to be sent (health's crash_reports_pending). Any thread; may be null.
  std::function<std::size_t()> crashReportsPending;
  /// Queues a file for the uploads bucket (upload/upload_queue.hpp); returns its id. Any
  /// thread; null when the edge has no upload queue.
  std::function<Result<std::string>(upload::UploadRequest)> upload;
  /// The queued uploads, in order (health, diag.status). Any thread; may be null.
  std::function<std::vector<upload::UploadStatus>()> uploads;
};

class JournalExports;

class MachineManager final : public EdgeApi {
 public:
  /// `config` is the gateway's running configuration: the manager changes its machines (and,
  /// in adoptLastKnownGood, all of it); `text` is the YAML it was loaded from. The manager owns
  /// the running collectors, made from each machine's options. Config, catalog and clock
  /// outlive it.
  MachineManager(SpindleConfig& config, std::string text, model::ItemCatalog& catalog,
                 const Clock& clock);
  ~MachineManager() override;

  /// The cloud's last accepted configuration replaces the local file (but for the local-only
  /// keys), when control's configuration watch is on. Before anything starts.
  void adoptLastKnownGood();
  void attach(EdgeParts parts);
  /// Gives the pipeline every enabled machine's script (adding the machines to the catalog).
  void prepareScripts();
  /// Starts every enabled machine's collector; one that cannot start never stops the others.
  void startAll();
  /// Machines collecting (started, enabled).
  std::size_t running() const;
  /// Stops every collector; restart and apply refuse from now on. Idempotent.
  void stopCollectors();
  /// Frees the collectors (stopped ones included). After the io threads are joined.
  void release();

  /// Status of a machine by id; nullopt for an unknown id. Any thread.
  std::optional<MachineStatus> machineStatus(const std::string& id) const;
  /// Logs one line per machine (state, figures, a few well-known values).
  void logMachines() const;

  // EdgeApi
  std::vector<MachineSummary> machines() const override;
  Status restartMachine(const std::string& id) override;
  Status validateConfig(const std::string& yaml) const override;
  Result<control::ApplyOutcome> applyConfig(const std::string& yaml,
                                            const std::string& version) override;
  std::string configText() const override;
  control::ConfigState startConfig() const override { return m_startConfig; }
  control::ConfigState configState() const override;
  void fillHealth(control::HealthReport& report) override;
  nlohmann::json status() override;
  nlohmann::json journal() const override;
  Result<nlohmann::json> netcheck(const nlohmann::json& args) override;
  Result<nlohmann::json> uploadDiagnostics(const nlohmann::json& args) override;  // diag_upload.cpp
  std::shared_ptr<control::LogRing> logs() override;
  // EdgeApi, the management page's part (app/machine_details.cpp)
  Result<nlohmann::json> machineDetail(const std::string& id) const override;
  Result<nlohmann::json> itemHistory(const std::string& id, const std::string& key, double seconds,
                                     std::size_t maxPoints) const override;
  std::vector<ProtocolInfo> protocols() const override;
  nlohmann::json network() const override;
  Result<nlohmann::json> rawKeys(const std::string& id) override;
  std::string configFile() const override;
  ConfigProblems checkLocalConfig(const std::string& yaml) const override;
  Result<control::ApplyOutcome> applyLocalConfig(const std::string& yaml) override;
  Result<nlohmann::json> verifyJournal() override;
  nlohmann::json pipeline() const override;
  std::vector<std::string> netcheckProfiles() const override;

 private:
  /// Applies a loaded configuration: machines whose settings changed start, stop or restart.
  Result<control::ApplyOutcome> applyLoaded(RemoteLoad loaded, const std::string& version);
  /// Records a configuration applied or refused for configState().
  void noteConfig(const std::string& version, const std::string& source,
                  const Result<control::ApplyOutcome>& outcome);
  /// Where a machine connects (address, port), from its block; cached by its settings text.
  std::pair<std::string, std::uint16_t> machineAddress(const MachineEntry& entry) const;
  void prepareRemoteRules();
  /// diag.upload with {"journal": ...}: starts the export for the upload queue. diag_upload.cpp
  Result<nlohmann::json> uploadJournal(const nlohmann::json& spec, const std::string& url);
  Result<RemoteLoad> loadDesired(const std::string& yaml) const;
  std::string kvName() const;
  /// Starts one machine's collector (a context per machine, kept across restarts) with its
  /// script. Under m_mutex (or before the cloud may call).
  void startMachine(const MachineEntry& machine);
  /// Makes the collector from the machine's options and starts it in `context`. Under m_mutex.
  void launch(const MachineEntry& machine, MachineContext& context);
  void prepareScript(const MachineEntry& machine);
  /// Hands the writes a machine's script asked for to its collector. On an io thread.
  void deliverWrites(model::MachineId machine, std::vector<transform::WriteRequest> writes);
  void write(collectors::Collector& collector, const std::string& id, const std::string& key,
             model::Value value);
  /// Seconds since the machine last sent data; < 0 when it has sent none.
  double dataAge(const MachineContext& ctx) const;
  /// Stops and keeps the collector of machine `id` (io handlers may still hold it). Under
  /// m_mutex.
  void retire(const std::string& id);

  SpindleConfig& m_config;
  model::ItemCatalog& m_catalog;
  const Clock& m_clock;
  std::shared_ptr<spdlog::logger> m_log;
  std::mutex m_logsMutex;
  std::shared_ptr<control::LogRing> m_logs;  ///< made on first use (control.log_lines)
  EdgeParts m_parts;
  /// m_contexts, m_collectors, m_config.machines and m_runningText after startAll()
  mutable std::mutex m_mutex;
  std::vector<std::unique_ptr<MachineContext>> m_contexts;
  /// The started collectors by machine id.
  std::map<std::string, std::unique_ptr<collectors::Collector>> m_collectors;
  std::vector<std::unique_ptr<collectors::Collector>> m_retired;  ///< stopped, freed last
  /// Writes asked before the machine's collector ran: the latest value per target, by machine.
  std::map<std::string, std::map<std::string, model::Value>> m_pendingWrites;
  bool m_running = false;     ///< between startAll() and stopCollectors()
  std::string m_runningText;  ///< the YAML of the running configuration
  std::string m_localText;    ///< the local file's text: its local-only keys always win
  std::string m_configDir;    ///< the local file's folder ("" for the demo)
  RemoteRules m_remoteRules;
  std::string m_startedText;           ///< what started: other sections run as it says
  control::ConfigState m_startConfig;  ///< the file, or the last-known-good configuration
  /// m_startConfig, then every configuration applied or refused since. Under m_mutex.
  std::optional<control::ConfigState> m_configState;
  /// machineAddress()'s cache: settings text -> address and port. Under m_mutex.
  mutable std::map<std::string, std::pair<std::string, std::uint16_t>> m_addresses;
  std::unique_ptr<JournalExports> m_exports;  ///< diag.upload's journal exports
};

}  // namespace spindle::app
