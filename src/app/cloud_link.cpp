#include "app/cloud_link.hpp"

#include "base/log.hpp"
#include "base/time.hpp"
#include "uplinks/nats/nats_uplink.hpp"

namespace spindle::app {

using nlohmann::json;

CloudLink::CloudLink(const SpindleConfig& config, model::ItemCatalog& catalog, EdgeApi& api,
                     update::Updater* updater)
    : m_edge(config.edge.id), m_api(api), m_updater(updater) {
  const auto& cloud = config.cloud;
  m_link = std::make_unique<uplinks::nats::NatsLink>(*cloud.nats, m_edge, catalog);
  m_logs = m_api.logs();

  control::ControlHooks ch;
  ch.healthProviders.push_back(this);
  if (m_updater != nullptr) ch.healthProviders.push_back(m_updater);
  // control/ speaks in handlers; each one is the same EdgeApi call.
  ch.diagnostics.status = [this] { return m_api.status(); };
  ch.diagnostics.configText = [this] { return m_api.configText(); };
  ch.diagnostics.restartMachine = [this](const std::string& id) {
    return m_api.restartMachine(id);
  };
  ch.diagnostics.netcheck = [this](const json& args) { return m_api.netcheck(args); };
  ch.diagnostics.journal = [this]() -> Result<json> { return m_api.journal(); };
  ch.diagnostics.upload = [this](const json& args) { return m_api.uploadDiagnostics(args); };
  ch.diagnostics.logs = m_logs;
  ch.config.validate = [this](const std::string& yaml) { return m_api.validateConfig(yaml); };
  ch.config.apply = [this](const std::string& yaml, const std::string& version) {
    return m_api.applyConfig(yaml, version);
  };
  ch.runningConfig = m_api.startConfig();
  m_channel =
      std::make_unique<control::NatsChannel>(m_link->connection(), m_edge, cloud.nats->jsDomain);
  m_control = std::make_unique<control::Control>(cloud.control, m_edge, config.edge.dataDir,
                                                 *m_channel, std::move(ch));
}

CloudLink::~CloudLink() {
  stopControl();
  stop();
}

Status CloudLink::start() {
  if (m_started) return okStatus();
  if (auto s = m_link->start(); !s) {
    return std::move(s).error().with("connecting to NATS");
  }
  if (auto s = m_control->start(); !s) {
    m_link->stop();
    return std::move(s).error().with("starting control");
  }
  if (m_updater != nullptr) {
    // Offers come over the same channel; an edge that cannot watch them still runs.
    if (auto s = m_updater->watch(*m_channel); !s) {
      makeLogger("update")->error("{}", s.error().describe());
    }
  }
  m_started = true;
  return okStatus();
}

void CloudLink::stopControl() {
  if (m_updater != nullptr) m_updater->unwatch();
  m_control->stop();
}

void CloudLink::stop() {
  if (!m_started) return;
  m_started = false;
  m_control->stop();
  m_link->stop();
}

void CloudLink::fill(control::HealthReport& report) { m_api.fillHealth(report); }

std::string CloudLink::consumerName() { return std::string(uplinks::nats::kConsumerName); }

std::string CloudLink::describe(TimestampNs lastAck) const {
  return uplinks::nats::describeLink(m_link->connection().status(), lastAck, wallClockNs());
}

}  // namespace spindle::app
