#include "app/cloud_link.hpp"

#include "base/log.hpp"
#include "base/log_sinks.hpp"

namespace spindle::app {

using nlohmann::json;

CloudLink::CloudLink(const SpindleConfig& config, journal::Journal& journal,
                     model::ItemCatalog& catalog, CloudHooks hooks)
    : m_edge(config.edge.id), m_journal(journal), m_hooks(std::move(hooks)) {
  const auto& cloud = config.cloud;
  m_link = std::make_unique<uplinks::nats::NatsLink>(*cloud.nats, m_edge, journal, catalog);
  m_logs = std::make_shared<control::LogRing>(static_cast<std::size_t>(cloud.control.logLines));

  control::ControlHooks ch;
  ch.healthProviders.push_back(this);
  ch.diagnostics.status = m_hooks.status;
  ch.diagnostics.configText = m_hooks.configText;
  ch.diagnostics.restartMachine = m_hooks.restartMachine;
  ch.diagnostics.netcheck = m_hooks.netcheck;
  ch.diagnostics.journal = [this]() -> Result<json> { return journalFigures(); };
  ch.diagnostics.logs = m_logs;
  ch.config.validate = m_hooks.validateConfig;
  ch.config.apply = [this](const std::string& yaml, const std::string& version) {
    return m_hooks.applyConfig(yaml, version);
  };
  ch.runningConfig = m_hooks.runningConfig;
  m_control =
      std::make_unique<control::Control>(cloud.control, m_edge, config.edge.dataDir,
                                         cloud.nats->jsDomain, m_link->connection(), std::move(ch));
}

CloudLink::~CloudLink() {
  stopControl();
  stop(Duration::zero());
}

Status CloudLink::start() {
  if (m_started) return okStatus();
  addLogSink(m_logs);
  if (auto s = m_link->start(); !s) {
    removeLogSink(m_logs);
    return std::move(s).error().with("starting the NATS uplink");
  }
  if (auto s = m_control->start(); !s) {
    m_link->stop(Duration::zero());
    removeLogSink(m_logs);
    return std::move(s).error().with("starting control");
  }
  m_started = true;
  return okStatus();
}

void CloudLink::stopControl() { m_control->stop(); }

void CloudLink::stop(Duration drainFor) {
  if (!m_started) return;
  m_started = false;
  m_control->stop();
  m_link->stop(drainFor);
  removeLogSink(m_logs);
}

void CloudLink::fill(control::HealthReport& report) {
  if (m_hooks.fillHealth) m_hooks.fillHealth(report);
  const auto s = m_link->uplink().stats();
  control::UplinkHealth u;
  u.name = "nats";
  u.connected = s.connected;
  u.lag = s.end > s.cursor ? s.end - s.cursor : 0;
  if (s.oldestInFlight > 0 && report.time > s.oldestInFlight) {
    u.lagSeconds = static_cast<double>(report.time - s.oldestInFlight) / 1e9;
  }
  u.delivered = s.delivered;
  u.lastError = s.lastError;
  report.uplinks.push_back(std::move(u));
}

json CloudLink::journalFigures() const {
  const auto js = m_journal.stats();
  const auto us = m_link->uplink().stats();
  return json{{"first_sequence", js.firstSequence},
              {"next_sequence", js.nextSequence},
              {"durable_sequence", js.durableSequence},
              {"segments", js.segments},
              {"bytes", js.bytes},
              {"evicted_observations", js.evictedObservations},
              {"corrupt_records", js.corruptRecords},
              {"stalled", js.stalled},
              {"full", js.full},
              {"problem", js.problem},
              {"nats_cursor", us.cursor},
              {"nats_in_flight", us.inFlight},
              {"nats_delivered", us.delivered}};
}

}  // namespace spindle::app
