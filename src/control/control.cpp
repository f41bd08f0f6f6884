#include "control/control.hpp"

namespace spindle::control {

Control::Control(ControlOptions options, std::string edgeId, std::string dataDir, Channel& channel,
                 ControlHooks hooks)
    : m_options(std::move(options)) {
  m_health = std::make_unique<HealthPublisher>(HealthOptions{m_options.healthInterval}, edgeId,
                                               dataDir, channel);
  for (auto* p : hooks.healthProviders) m_health->addProvider(*p);
  if (m_options.diagnostics) {
    m_diagnostics =
        std::make_unique<DiagnosticsService>(edgeId, channel, std::move(hooks.diagnostics));
  }
  if (m_options.configWatch) {
    ConfigWatchOptions wo;
    wo.bucket = m_options.configBucket;
    wo.dataDir = dataDir;
    wo.retry = m_options.configRetry;
    ConfigCallbacks callbacks = std::move(hooks.config);
    auto changed = callbacks.changed;
    // Every accepted or rejected configuration is reported at once, not at the next beat.
    callbacks.changed = [this, changed] {
      if (changed) changed();
      m_health->requestPublish();
    };
    m_config = std::make_unique<ConfigWatcher>(std::move(wo), edgeId, channel, std::move(callbacks),
                                               std::move(hooks.runningConfig));
    m_health->addProvider(*m_config);
  }
}

Control::~Control() { stop(); }

Status Control::start() {
  if (m_started) return okStatus();
  if (m_diagnostics) {
    if (auto s = m_diagnostics->start(); !s) return s;
  }
  if (m_config) {
    if (auto s = m_config->start(); !s) {
      stop();
      return s;
    }
  }
  if (auto s = m_health->start(); !s) {
    stop();
    return s;
  }
  m_started = true;
  return okStatus();
}

void Control::stop() {
  if (m_config) m_config->stop();
  if (m_diagnostics) m_diagnostics->stop();
  m_health->stop();
  m_started = false;
}

}  // namespace spindle::control
