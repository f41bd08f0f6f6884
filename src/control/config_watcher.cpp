#include "control/config_watcher.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/atomic_file.hpp"
#include "base/log.hpp"

namespace spindle::control {
namespace {

constexpr const char* kLkgHeader = "# spindle last-known-good";

Error ioError(const std::string& what) {
  return Error(ErrorCode::kIo, std::strerror(errno)).with(what);
}

}  // namespace

ConfigWatcher::ConfigWatcher(ConfigWatchOptions options, std::string edgeId, Channel& channel,
                             ConfigCallbacks callbacks, ConfigState running)
    : m_options(std::move(options)),
      m_edge(std::move(edgeId)),
      m_channel(channel),
      m_callbacks(std::move(callbacks)),
      m_log(makeLogger("control.config")),
      m_state(std::move(running)) {}

ConfigWatcher::~ConfigWatcher() { stop(); }

std::string describeRunning(const ConfigState& s) {
  std::string out = s.version;
  if (s.outcome.pendingRestart.empty() && s.outcome.refused.empty())
    return out + " applied in full";
  out += " applied partly";
  auto list = [](const std::vector<std::string>& items) {
    std::string text;
    for (const auto& i : items) text += (text.empty() ? "" : ", ") + i;
    return text;
  };
  if (!s.outcome.pendingRestart.empty()) {
    out += "; pending restart: " + list(s.outcome.pendingRestart);
  }
  if (!s.outcome.refused.empty()) out += "; refused: " + list(s.outcome.refused);
  return out;
}

std::string ConfigWatcher::lastKnownGoodPath(const std::string& dataDir) {
  return (std::filesystem::path(dataDir) / "config" / "last-known-good.yaml").string();
}

std::string ConfigWatcher::fileVersion(const std::string& yaml) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (unsigned char c : yaml) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string("file:") + buf;
}

Result<std::optional<StoredConfig>> ConfigWatcher::loadLastKnownGood(const std::string& dataDir) {
  const std::string path = lastKnownGoodPath(dataDir);
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::optional<StoredConfig>();
    return ioError("reading " + path);
  }
  std::string header;
  std::getline(in, header);
  // "# spindle last-known-good version=kv:42 applied_ns=1700000000000000000"
  if (header.rfind(kLkgHeader, 0) != 0) {
    return Error(ErrorCode::kInvalidArgument, "missing header line").with("reading " + path);
  }
  StoredConfig out;
  std::istringstream fields(header.substr(std::strlen(kLkgHeader)));
  std::string field;
  while (fields >> field) {
    if (field.rfind("version=", 0) == 0) out.version = field.substr(8);
    if (field.rfind("applied_ns=", 0) == 0) out.appliedAt = std::stoll(field.substr(11));
  }
  std::stringstream rest;
  rest << in.rdbuf();
  out.yaml = rest.str();
  return std::optional<StoredConfig>(std::move(out));
}

Status ConfigWatcher::storeLastKnownGood(const std::string& dataDir, const StoredConfig& c) {
  const std::string path = lastKnownGoodPath(dataDir);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating the directory of " + path);
  const std::string text = std::string(kLkgHeader) + " version=" + c.version +
                           " applied_ns=" + std::to_string(c.appliedAt) + "\n" + c.yaml;
  return writeFileAtomically(path, text, 0600);
}

Status ConfigWatcher::start() {
  if (m_watch) return okStatus();
  if (!m_callbacks.validate || !m_callbacks.apply) {
    return Error(ErrorCode::kInternal, "the configuration watcher needs validate and apply");
  }
  WatchHandlers handlers;
  handlers.value = [this](const std::string& yaml, std::uint64_t revision) {
    offer(yaml, revision);
  };
  handlers.deleted = [this] {
    m_log->info("desired configuration deleted in the cloud; keeping the running one");
  };
  auto watch = m_channel.watch(m_options.bucket, m_edge, std::move(handlers), m_options.retry);
  if (!watch) return std::move(watch).error().with("watching the configuration");
  m_watch = std::move(*watch);
  return okStatus();
}

void ConfigWatcher::stop() { m_watch.reset(); }

ConfigState ConfigWatcher::state() const {
  std::lock_guard lock(m_mutex);
  return m_state;
}

void ConfigWatcher::fill(HealthReport& report) {
  const ConfigState s = state();
  report.config.version = s.version;
  report.config.source = s.source;
  report.config.appliedAt = s.appliedAt;
  report.config.rejectedVersion = s.rejectedVersion;
  report.config.error = s.error;
  report.config.pendingRestart = s.outcome.pendingRestart;
  report.config.refused = s.outcome.refused;
}

void ConfigWatcher::offer(const std::string& yaml, std::uint64_t revision) {
  const std::string version = "kv:" + std::to_string(revision);
  {
    std::lock_guard lock(m_mutex);
    if (version == m_state.version || version == m_state.rejectedVersion) return;
  }
  auto reject = [&](const std::string& error) {
    m_log->error("desired configuration {} rejected; keeping {}: {}", version, state().version,
                 error);
    {
      std::lock_guard lock(m_mutex);
      m_state.rejectedVersion = version;
      m_state.error = error;
    }
    if (m_callbacks.changed) m_callbacks.changed();
  };
  if (yaml.size() > m_options.maxBytes) {
    reject("the configuration is " + std::to_string(yaml.size()) + " bytes; the limit is " +
           std::to_string(m_options.maxBytes));
    return;
  }
  if (auto status = m_callbacks.validate(yaml); !status) {
    reject(status.error().describe());
    return;
  }
  auto applied = m_callbacks.apply(yaml, version);
  if (!applied) {
    reject("applying failed: " + applied.error().describe());
    return;
  }
  const TimestampNs now = wallClockNs();
  if (auto status = storeLastKnownGood(m_options.dataDir, StoredConfig{yaml, version, now});
      !status) {
    // Applied and running; only a restart before the next success would miss it.
    m_log->error("configuration {} applied but not stored as last-known-good: {}", version,
                 status.error().describe());
  }
  {
    std::lock_guard lock(m_mutex);
    m_state.version = version;
    m_state.source = "cloud";
    m_state.appliedAt = now;
    m_state.rejectedVersion.clear();
    m_state.error.clear();
    m_state.outcome = std::move(*applied);
  }
  m_log->info("desired configuration {}", describeRunning(state()));
  if (m_callbacks.changed) m_callbacks.changed();
}

}  // namespace spindle::control
