#include "app/gateway.hpp"

#include <filesystem>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <signal.h>
#include <unistd.h>

#include "base/free_memory.hpp"
#include "base/log.hpp"
#include "base/redact.hpp"
#include "base/thread_name.hpp"
#include "net/net_options.hpp"
#include "net/proxy.hpp"
#include "transform/script_runner.hpp"

namespace spindle::app {

namespace asio = boost::asio;

Gateway::Gateway(SpindleConfig config, std::string text, RunOptions options, const Clock& clock)
    : m_config(std::move(config)),
      m_options(options),
      m_clock(clock),
      m_log(makeLogger("app")),
      m_machines(std::make_unique<MachineManager>(m_config, std::move(text), m_catalog, clock)),
      m_statusTimer(m_io),
      m_trimTimer(m_io) {}

Gateway::~Gateway() { stop(); }

Status Gateway::startJournal() {
  auto settings = journal::resolveSettings(m_config.journal, m_config.edge.dataDir);
  if (!settings) return std::move(settings).error();
  // The cloud link is made (not started) first: uplinks may use its connection.
  if (m_config.cloud.nats) makeCloud();  // app/gateway_cloud.cpp
  uplinks::UplinkEnv env;
  env.edgeId = m_config.edge.id;
  env.dataDir = m_config.edge.dataDir;
  env.catalog = &m_catalog;
  env.toStdout = m_options.toStdout;
  if (m_cloud) env.services = m_cloud->services();
  env.services["http.client.factory"] = m_httpFactory;
  env.services["https.api"] = m_config.https.api;
  std::vector<std::unique_ptr<uplinks::Uplink>> made;
  for (const auto& entry : m_config.uplinks) {
    const auto* type = uplinks::builtinUplinks().find(entry.name);
    if (type == nullptr) return Error(ErrorCode::kInternal, "no uplink '" + entry.name + "'");
    auto uplink = type->create(entry.options, env);
    if (!uplink) return std::move(uplink).error().with("uplink " + entry.name);
    // Every consumer the configuration runs is known before retention first runs.
    settings->consumers.push_back((*uplink)->name());
    made.push_back(std::move(*uplink));
  }
  auto opened = journal::Journal::open(std::move(*settings), m_clock);
  if (!opened) return std::move(opened).error();
  m_journal = std::move(*opened);
  for (auto& uplink : made) {
    auto engine =
        std::make_unique<uplinks::DeliveryEngine>(*m_journal, std::move(uplink), m_catalog);
    if (auto status = engine->start(); !status) return status;
    std::lock_guard lock(m_enginesMutex);
    m_engines.push_back(std::move(engine));
  }
  return okStatus();
}

void Gateway::stopJournal() {
  // The engines deliver what is durable (together, a few seconds at most) before their uplinks
  // close; what they cannot deliver in time stays in the journal for the next start.
  std::vector<std::thread> stopping;
  for (auto& engine : m_engines) {
    stopping.emplace_back([e = engine.get()] { e->stop(std::chrono::seconds(5)); });
  }
  for (auto& t : stopping) t.join();
  if (m_hfSubscription) m_hfSubscription->close();  // the publisher stops with the cloud link
  if (m_cloud) m_cloud->stop();  // after the NATS uplink's engine: it uses the connection
  if (m_journal) m_journal->close();
}

journal::JournalStats Gateway::journalStats() const {
  return m_journal ? m_journal->stats() : journal::JournalStats{};
}

std::vector<uplinks::DeliveryStats> Gateway::uplinkStats() const {
  std::lock_guard lock(m_enginesMutex);
  std::vector<uplinks::DeliveryStats> out;
  for (const auto& e : m_engines) out.push_back(e->stats());
  return out;
}

// The DNS chain and the HTTP clients come before the journal: uplinks are made with them.
Status Gateway::startHttp() {
  auto resolver =
      net::ResolverChain::create(m_io.get_executor(), net::resolverOptions(m_config.net));
  if (!resolver) return std::move(resolver).error().with("starting the DNS resolver chain");
  m_resolver = std::move(*resolver);
  auto proxy = net::proxySettings(m_config.net);
  if (!proxy) return std::move(proxy).error().with("the HTTP proxy (net.proxy)");
  m_httpFactory = [https = m_config.https, edge = m_config.edge.id, proxy = *proxy,
                   resolver = m_resolver](int connections) {
    auto options = net::http::clientOptions(https, edge, proxy, resolver);
    options.maxConnectionsPerHost = std::max(1, connections);
    return net::http::HttpClient::create(std::move(options));
  };
  auto http = m_httpFactory(8);
  if (!http) return std::move(http).error().with("starting the HTTP client");
  m_http = std::move(*http);
  // Uploads (diagnostics bundles; presigned URLs need no `uploads:` section) on a client of
  // their own: a 1 GiB part stream never queues the API's requests behind it.
  auto uploadClient = m_httpFactory(4);
  if (!uploadClient) return std::move(uploadClient).error().with("starting the upload client");
  auto queue = upload::UploadQueue::create(
      m_config.uploads.value_or(upload::UploadOptions{}), m_config.edge.dataDir,
      std::shared_ptr<net::http::HttpClient>(std::move(*uploadClient)));
  if (!queue) return std::move(queue).error();
  m_uploads = std::move(*queue);
  m_uploads->onFinished([log = m_log](const upload::UploadDone& done) {
    if (done.ok) {
      log->info("upload {} is in the bucket: {}", done.id, done.key);
    } else {
      log->error("upload {} failed for good: {}", done.id, done.error);
    }
  });
  m_uploads->start();
  return okStatus();
}

Status Gateway::startNet() {
  if (m_config.net.ntpServers.empty()) {
    m_log->info("clock check off: no NTP server configured (net.ntp_servers)");
  }
  // Made even without servers: a changed `net:` section may give it some (applyNet).
  m_clockMonitor =
      net::ClockMonitor::create(m_io.get_executor(), m_resolver, net::clockOptions(m_config.net));
  m_clockMonitor->start();
  m_pipeline->setFlagSource([monitor = m_clockMonitor] { return monitor->observationFlags(); });
  return okStatus();
}

net::ClockReport Gateway::clockReport() const {
  return m_clockMonitor ? m_clockMonitor->report() : net::ClockReport{};
}

void Gateway::startWeb() {
  if (!m_config.web.enabled) return;
  m_web = std::make_unique<web::Server>(m_io, m_config.web, *m_state, m_catalog, m_config.edge.id,
                                        m_pipeline.get());
  // `spindle status` reads the EdgeApi's figures here, with the cloud link's state.
  m_web->setStatusDocument([this] {
    nlohmann::json status = m_machines->status();
    status["cloud"] = nullptr;
    if (m_cloud) {
      for (const auto& u : uplinkStats()) {
        if (u.name == CloudLink::consumerName()) status["cloud"] = m_cloud->describe(u.lastOk);
      }
    }
    return status.dump();
  });
  if (auto status = m_web->start(); !status) {
    // The web server stands beside the data flow: collection goes on without it.
    m_log->error(
        "web server not started: {} (collection continues; change web.port or "
        "web.bind, or set web.enabled: false)",
        status.error().describe());
    m_web.reset();
    m_management.reset();
    return;
  }
  m_log->info("MTConnect agent interface on http://{}:{}/ (probe, current, sample, assets)",
              m_config.web.bind, m_web->port());
}

void Gateway::startManagement() {
  if (!m_config.management.enabled) return;
  m_management = std::make_shared<web::management::ManagementServer>(
      m_io, m_config.management, *m_machines,
      web::management::EdgeIdentity{m_config.edge.id, m_config.edge.dataDir}, m_clock);
  m_management->setCloudDescription([this] {
    nlohmann::json cloud = nlohmann::json::object();
    if (!m_cloud || !m_config.cloud.nats) return cloud;
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& url : m_config.cloud.nats->servers) servers.push_back(redactUrl(url));
    cloud["servers"] = std::move(servers);
    cloud["authentication"] = !m_config.cloud.nats->credentials.empty() ? "credentials file"
                              : !m_config.cloud.nats->user.empty()      ? "user and password"
                                                                        : "none";
    for (const auto& u : uplinkStats()) {
      if (u.name != CloudLink::consumerName()) continue;
      cloud["link"] = m_cloud->describe(u.lastOk);
      cloud["last_ack"] = u.lastOk == 0 ? nlohmann::json(nullptr)
                                        : nlohmann::json(static_cast<double>(u.lastOk) / 1e9);
    }
    return cloud;
  });
  if (auto status = m_management->start(); !status) {
    // Beside the data flow, as the MTConnect interface: collection goes on without it.
    m_log->error(
        "management page not started: {} (collection continues; change web.management.port "
        "or web.management.bind, or set web.management.enabled: false)",
        status.error().describe());
    m_management.reset();
  }
}

void Gateway::startWatchdog() {
  const auto interval = m_options.notify.watchdogInterval();
  if (interval.count() <= 0) return;
  // From the pipeline's worker, not a timer of its own: the ping then vouches for the thread
  // that moves every observation, and a wedged pipeline gets the process restarted. Half the
  // interval, so one late ping is not yet a restart.
  const Duration every = interval / 2;
  m_pipeline->setHeartbeat(
      [notify = m_options.notify, log = m_log, warned = false]() mutable {
        auto sent = notify.watchdog();
        if (!sent && !warned) {
          log->warn("watchdog ping not sent: {}", sent.error().describe());
          warned = true;
        }
      },
      every);
  m_log->info("service watchdog: {} from the pipeline every {}", formatDuration(interval),
              formatDuration(every));
}

Status Gateway::start() {
  if (m_started) return okStatus();
  m_machines->adoptLastKnownGood();
  for (const auto& warning : m_config.warnings) m_log->warn("{}: {}", m_config.source, warning);
  std::error_code ec;
  std::filesystem::create_directories(m_config.edge.dataDir, ec);
  if (ec) {
    return Error(ErrorCode::kIo, ec.message()).with("creating data_dir " + m_config.edge.dataDir);
  }
  m_state =
      std::make_unique<state::StateStore>(m_config.state.ringSize, m_config.state.ringMemory.bytes);
  if (auto status = startHttp(); !status) return status;
  if (auto status = startJournal(); !status) {
    stopJournal();
    return status;
  }
  m_pipeline = std::make_unique<Pipeline>(
      state::QueueLimit{m_config.state.queueSize, m_config.state.queueMemory.bytes}, *m_state,
      *m_journal, m_catalog, m_clock);
  m_pipeline->setDuplicateFilter(m_config.journal.filterDuplicates);
  startWatchdog();
  if (auto status = startNet(); !status) {
    stopJournal();
    return status;
  }
  startCrashReports();
  EdgeParts parts;
  parts.io = &m_io;
  parts.pipeline = m_pipeline.get();
  parts.state = m_state.get();
  parts.journal = m_journal.get();
  parts.resolver = m_resolver;
  parts.uplinks = [this] { return uplinkStats(); };
  parts.clock = [this] { return clockReport(); };
  parts.upload = [queue = m_uploads.get()](upload::UploadRequest request) {
    return queue->enqueue(std::move(request));
  };
  parts.uploads = [queue = m_uploads.get()] { return queue->list(); };
  parts.crashReportsPending = [this] {
    return m_crashReports ? m_crashReports->pendingCount() : 0;
  };
  parts.applyNet = [resolver = m_resolver, monitor = m_clockMonitor,
                    log = m_log](const net::NetOptions& options) {
    if (auto changed = resolver->reconfigure(net::resolverOptions(options)); !changed) {
      log->error("DNS servers not changed: {}", changed.error().describe());
    }
    monitor->reconfigure(net::clockOptions(options));
  };
  m_machines->attach(std::move(parts));
  m_machines->prepareScripts();
  m_pipeline->start();

  m_work.emplace(asio::make_work_guard(m_io));
  for (int i = 0; i < m_config.edge.threads; ++i) {
    m_threads.emplace_back([this, i] {
      nameThisThread("io-" + std::to_string(i + 1));
      m_io.run();
    });
  }
  m_started = true;
  startWeb();
  startManagement();

  if (m_config.simulator.enabled) {
    const auto& s = m_config.simulator;
    sim::SimOptions so;
    so.bindAddress = s.bind;
    so.basePort = s.basePort.value;
    so.machines = s.machines;
    so.seed = s.seed;
    so.tick = std::chrono::duration_cast<std::chrono::milliseconds>(s.tick);
    so.flakyMachine = s.flakyMachine;
    so.timeScale = s.timeScale;
    so.names = s.names;
    m_sim = std::make_unique<sim::SimServer>(m_io, so);
    if (auto status = m_sim->start(); !status) {
      stop();
      return std::move(status).error().with("starting the simulator");
    }
    m_log->info("simulator serving {} machines on {} from port {}", s.machines, s.bind,
                m_sim->ports().empty() ? 0 : m_sim->ports().front());
  }

  m_machines->startAll();
  std::string names;
  for (const auto& u : uplinkStats()) names += (names.empty() ? "" : ", ") + u.name;
  m_log->info("edge {} collecting from {} machines; journal in {}; uplinks: {}", m_config.edge.id,
              m_machines->running(), m_journal->settings().dir, names);
  scheduleStatus();
  scheduleTrim();
  if (auto status = startCloud(); !status) {  // control: and its connection (gateway_cloud.cpp)
    stop();
    return status;
  }
  return okStatus();
}

void Gateway::stop() {
  if (!m_started) return;
  if (m_cloud) m_cloud->stopControl();  // no configuration change from the cloud after this
  m_started = false;
  m_machines->stopCollectors();
  if (m_sim) m_sim->stop();
  if (m_web) m_web->stop();
  if (m_management) m_management->stop();
  if (m_clockMonitor) m_clockMonitor->stop();
  // The queue has a client of its own: cancelling its part in flight cannot hold up the stop,
  // and the upload resumes from its last accepted part at the next start.
  if (m_uploads) m_uploads->stop(/*cancelInFlight=*/true);
  if (m_resolver) m_resolver->stop();
  stopCrashReports();
  asio::post(m_io, [this] {
    m_statusTimer.cancel();
    m_trimTimer.cancel();
  });
  m_work.reset();
  m_io.stop();
  for (auto& t : m_threads) t.join();
  m_threads.clear();
  // Collectors are destroyed after the io threads so no handler can outlive its context.
  m_machines->release();
  m_sim.reset();
  m_web.reset();
  m_clockMonitor.reset();
  m_resolver.reset();
  m_http.reset();
  if (m_pipeline) m_pipeline->stop();
  stopJournal();
  const auto stats = m_pipeline ? m_pipeline->stats() : PipelineStats{};
  std::uint64_t delivered = 0;
  for (const auto& c : uplinkStats()) delivered += c.delivered;
  const auto js = journalStats();
  m_log->info(
      "stopped: {} observations collected, {} journaled, {} delivered; journal holds "
      "sequences {}-{}{}",
      stats.accepted, stats.journaled, delivered, js.firstSequence, js.durableSequence - 1,
      stats.duplicates == 0 ? std::string()
                            : "; " + std::to_string(stats.duplicates) + " duplicates left out");
}

void Gateway::warnIfUnsent(const Status& sent) const {
  if (!sent) m_log->warn("service manager not told: {}", sent.error().describe());
}

int Gateway::run() {
  const ServiceNotify& manager = m_options.notify;
  if (auto status = start(); !status) {
    m_log->error("{}", status.error().describe());
    warnIfUnsent(manager.status("not started: " + status.error().describe()));
    return 1;
  }
  warnIfUnsent(manager.status("collecting from " + std::to_string(m_machines->running()) +
                              " machines; journal in " + m_journal->settings().dir));
  warnIfUnsent(manager.ready());
  if (m_options.updater != nullptr) {
    m_options.updater->started([this](control::HealthReport& r) { m_machines->fillHealth(r); },
                               [] { ::kill(::getpid(), SIGTERM); });
  }
  asio::io_context waiter;
  asio::signal_set signals(waiter, SIGINT, SIGTERM);
  asio::steady_timer deadline(waiter);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    m_log->info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
    deadline.cancel();
  });
  if (m_options.runFor) {
    deadline.expires_after(*m_options.runFor);
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) m_log->info("ran for {}, stopping", formatDuration(*m_options.runFor));
      signals.cancel();
    });
  }
  waiter.run();
  // Before the collectors stop and the journal's final commit: systemd then waits for the exit
  // (TimeoutStopSec) instead of counting a pause in watchdog pings as a hang.
  // No update switches after this, and its thread stops reading the edge's figures.
  if (m_options.updater != nullptr) m_options.updater->stop();
  warnIfUnsent(manager.stopping());
  warnIfUnsent(manager.status("stopping: journaling what is queued"));
  stop();
  return 0;
}

void Gateway::scheduleStatus() {
  if (m_config.edge.statusInterval.count() <= 0) return;
  m_statusTimer.expires_after(m_config.edge.statusInterval);
  m_statusTimer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    logStatus();
    scheduleStatus();
  });
}

void Gateway::scheduleTrim() {
  // Memory freed after a burst goes back to the system within seconds (base/free_memory.hpp).
  m_trimTimer.expires_after(std::chrono::seconds(10));
  m_trimTimer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    releaseFreeMemory();
    scheduleTrim();
  });
}

void Gateway::logStatus() {
  const auto js = m_journal->stats();
  std::string consumers;
  for (const auto& c : uplinkStats()) {
    consumers += fmt::format(" | {} lag {}{}", c.name, c.lag, c.failing ? " (retrying)" : "");
    if (m_cloud && c.name == CloudLink::consumerName())
      consumers += ", " + m_cloud->describe(c.lastOk);
  }
  m_log->info("journal: {} segments, {}, durable to {}, evicted {}, damaged {}{}{}", js.segments,
              formatByteSize(ByteSize{js.bytes}), js.durableSequence - 1, js.evictedObservations,
              js.corruptRecords, consumers, js.problem.empty() ? "" : " | " + js.problem);
  m_machines->logMachines();
}

}  // namespace spindle::app
