#include "app/cloud_link.hpp"

#include "base/log.hpp"
#include "base/log_sinks.hpp"

namespace spindle::app {

using nlohmann::json;

CloudLink::CloudLink(const SpindleConfig& config, model::ItemCatalog& catalog, CloudHooks hooks)
    : m_edge(config.edge.id), m_hooks(std::move(hooks)) {
  const auto& cloud = config.cloud;
  m_link = std::make_unique<uplinks::nats::NatsLink>(*cloud.nats, m_edge, catalog);
  m_logs = std::make_shared<control::LogRing>(static_cast<std::size_t>(cloud.control.logLines));

  control::ControlHooks ch;
  ch.healthProviders.push_back(this);
  ch.diagnostics.status = m_hooks.status;
  ch.diagnostics.configText = m_hooks.configText;
  ch.diagnostics.restartMachine = m_hooks.restartMachine;
  ch.diagnostics.netcheck = m_hooks.netcheck;
  ch.diagnostics.journal = [this]() -> Result<json> { return m_hooks.journal(); };
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
  stop();
}

Status CloudLink::start() {
  if (m_started) return okStatus();
  addLogSink(m_logs);
  if (auto s = m_link->start(); !s) {
    removeLogSink(m_logs);
    return std::move(s).error().with("connecting to NATS");
  }
  if (auto s = m_control->start(); !s) {
    m_link->stop();
    removeLogSink(m_logs);
    return std::move(s).error().with("starting control");
  }
  m_started = true;
  return okStatus();
}

void CloudLink::stopControl() { m_control->stop(); }

void CloudLink::stop() {
  if (!m_started) return;
  m_started = false;
  m_control->stop();
  m_link->stop();
  removeLogSink(m_logs);
}

void CloudLink::fill(control::HealthReport& report) {
  if (m_hooks.fillHealth) m_hooks.fillHealth(report);
}

}  // namespace spindle::app
