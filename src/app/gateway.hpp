#pragma once
/// Gateway: the running edge. Wires collectors -> pipeline (scripts, state, journal writer) ->
/// journal -> one consumer per uplink and the NATS cloud link; beside them the web server
/// (MTConnect interface), the DNS chain, the clock check and, when configured, the embedded
/// simulator, on one small Asio thread pool.

#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/cloud_link.hpp"
#include "app/machine_manager.hpp"
#include "app/pipeline.hpp"
#include "app/service_notify.hpp"
#include "app/spindle_config.hpp"
#include "control/crash/crash_reports.hpp"
#include "journal/journal.hpp"
#include "net/clock_monitor.hpp"
#include "net/http/http_client.hpp"
#include "net/resolver_chain.hpp"
#include "sim/sim_server.hpp"
#include "state/state_store.hpp"
#include "update/updater.hpp"
#include "uplinks/delivery_engine.hpp"
#include "web/management/management_server.hpp"
#include "web/web_server.hpp"

namespace spindle::app {

struct RunOptions {
  std::optional<Duration> runFor;  ///< stop by itself after this long (demo, tests)
  bool toStdout = false;           ///< write observations to stdout instead of the file
  /// The service manager run() reports to (READY=1 once started, STOPPING=1, STATUS=), and its
  /// watchdog, pinged from the pipeline's worker. Default: none, nothing is sent.
  ServiceNotify notify;
  /// The update system (update/updater.hpp), owned by the caller: told when the edge runs
  /// (its trial, offers over the cloud link) and stopped before the edge stops. May be null.
  update::Updater* updater = nullptr;
};

class Gateway {
 public:
  /// `text` is the YAML the configuration was loaded from (LoadResult::text; "" when it was
  /// built in code): the diagnostics show it and the cloud's configuration is laid over it.
  Gateway(SpindleConfig config, std::string text, RunOptions options, const Clock& clock);
  ~Gateway();

  /// Starts everything; on error nothing is left running.
  Status start();
  /// Stops collectors, journals what is queued, lets the consumers deliver what is durable
  /// (a few seconds at most), closes uplinks and the journal. Idempotent.
  void stop();
  /// start(), then wait for SIGINT/SIGTERM or runFor, then stop(). Returns the exit code.
  /// Tells RunOptions::notify when it is ready and when it stops.
  int run();

  model::ItemCatalog& catalog() { return m_catalog; }
  state::StateStore& state() { return *m_state; }
  const Pipeline& pipeline() const { return *m_pipeline; }
  /// Journal figures for health and metrics; valid between start() and stop().
  journal::JournalStats journalStats() const;
  /// One set of figures per uplink (each driven by its delivery engine). Any thread.
  std::vector<uplinks::DeliveryStats> uplinkStats() const;
  /// Status of a machine by id; nullopt for an unknown id.
  std::optional<MachineStatus> machineStatus(const std::string& id) const {
    return m_machines->machineStatus(id);
  }
  /// What can be asked of the running edge (machines, configuration, figures). Any thread.
  EdgeApi& api() { return *m_machines; }
  /// The web server's bound port (0 when disabled or not started).
  std::uint16_t webPort() const { return m_web ? m_web->port() : 0; }
  /// The management page's bound port (0 when disabled or not started).
  std::uint16_t managementPort() const { return m_management ? m_management->port() : 0; }
  /// The DNS chain every outbound connection uses; null before start().
  std::shared_ptr<net::ResolverChain> resolver() const { return m_resolver; }
  /// The clock check's last report (state kUnknown when no NTP server is configured).
  net::ClockReport clockReport() const;
  /// The edge's HTTP client (TLS, the DNS chain, the proxy); null before start().
  net::http::HttpClient* http() const { return m_http.get(); }

 private:
  Status startJournal();
  void makeCloud();     // app/gateway_cloud.cpp; only with uplinks: nats:
  Status startCloud();  // resolves the hub's names, connects, starts control/
  void resolveCloudServers();
  void stopJournal();
  Status startHttp();  // the DNS chain and the HTTP clients (before the journal's uplinks)
  Status startNet();   // the clock check
  void startWeb();
  void startManagement();
  void startWatchdog();
  /// Prunes the crash reports of earlier runs and sends them on a thread of their own when
  /// crash_reports names an API key (app/gateway_crash.cpp).
  void startCrashReports();
  void stopCrashReports();
  /// Logs a message the service manager did not get; the edge goes on.
  void warnIfUnsent(const Status& sent) const;
  void scheduleStatus();
  void scheduleTrim();
  void logStatus();

  SpindleConfig m_config;
  RunOptions m_options;
  const Clock& m_clock;
  std::shared_ptr<spdlog::logger> m_log;
  model::ItemCatalog m_catalog;
  std::unique_ptr<state::StateStore> m_state;
  std::unique_ptr<journal::Journal> m_journal;
  mutable std::mutex m_enginesMutex;  ///< m_engines grows while health is read
  std::vector<std::unique_ptr<uplinks::DeliveryEngine>> m_engines;
  std::unique_ptr<Pipeline> m_pipeline;
  boost::asio::io_context m_io;
  std::shared_ptr<net::ResolverChain> m_resolver;
  std::shared_ptr<net::ClockMonitor> m_clockMonitor;
  net::http::ClientFactory m_httpFactory;  ///< clients as the edge makes them (the HTTPS uplink's)
  std::unique_ptr<net::http::HttpClient> m_http;
  std::unique_ptr<upload::UploadQueue> m_uploads;  ///< files for the uploads bucket
  std::shared_ptr<control::crash::CrashReports> m_crashReports;
  std::thread m_crashSender;  ///< posts the reports of earlier crashes, then ends
  std::unique_ptr<web::Server> m_web;
  std::shared_ptr<web::management::ManagementServer> m_management;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> m_work;
  std::vector<std::thread> m_threads;
  std::unique_ptr<sim::SimServer> m_sim;
  /// The machines and the configuration from the cloud; the EdgeApi (machine_manager.hpp).
  std::unique_ptr<MachineManager> m_machines;
  boost::asio::steady_timer m_statusTimer;
  boost::asio::steady_timer m_trimTimer;  ///< releaseFreeMemory() every 10 s
  bool m_started = false;
  // The cloud link and what it changes at run time (app/gateway_cloud.cpp).
  std::unique_ptr<CloudLink> m_cloud;
  /// The NATS high-frequency channel's subscription to the pipeline (gateway_cloud.cpp).
  std::shared_ptr<state::BatchSubscription> m_hfSubscription;
  /// Observations it may hold: it takes them on the worker, so one batch at most in practice.
  static constexpr std::size_t kHfSubscriptionCapacity = 65536;
};

}  // namespace spindle::app
