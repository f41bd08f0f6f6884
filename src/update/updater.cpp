#include "update/updater.hpp"

#include <ctime>
#include <filesystem>

#include <unistd.h>

#include "base/log.hpp"
#include "base/thread_name.hpp"
#include "update/refusal.hpp"
#include "update/trial.hpp"
#include "update/version_store.hpp"

namespace spindle::update {

namespace {

constexpr auto kTick = std::chrono::milliseconds(250);

bool transient(const Error& error) {
  const auto r = reasonOf(error);
  return !r || *r == Reason::kDownload || *r == Reason::kDiskFull || *r == Reason::kInstall ||
         *r == Reason::kTruncated;
}

}  // namespace

Updater::Updater(InstallEnv env, std::string edgeId)
    : m_env(std::move(env)),
      m_edge(std::move(edgeId)),
      m_log(makeLogger("update")),
      m_startedAt(std::chrono::steady_clock::now()) {
  m_env.cancel = &m_cancel;
  auto state = StateFile(VersionStore(m_env.dataDir).dir()).load();
  const std::string self = runningVersion().text();
  m_onTrial = state && state->trial && state->trial->version == self &&
              VersionStore(m_env.dataDir).current() == self;
  if (m_onTrial) {
    m_log->info("update: {} is on trial: it has {} from now to become healthy", self,
                formatDuration(m_env.options.trial));
  }
}

Updater::~Updater() { stop(); }

void Updater::started(Probe probe, std::function<void()> requestStop) {
  {
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable() || m_stopping) return;
    m_probe = std::move(probe);
    m_requestStop = std::move(requestStop);
  }
  // An edge that takes no updates and never had one leaves no trace in its data directory.
  const VersionStore store(m_env.dataDir);
  std::error_code ec;
  if (m_env.keys.empty() && !std::filesystem::exists(store.dir(), ec)) return;
  const StateFile file(store.dir());
  if (auto s = file.modify([](UpdateState& st) { st.pid = static_cast<int>(::getpid()); }); !s) {
    m_log->warn("update: {}", s.error().describe());
  }
  m_thread = std::thread([this] {
    nameThisThread("updater");
    run();
  });
}

Status Updater::watch(control::Channel& channel) {
  if (m_env.keys.empty()) return okStatus();
  for (const std::string& key : {channelKey(), edgeKey()}) {
    control::WatchHandlers handlers;
    handlers.value = [this, key](const std::string& value, std::uint64_t) { offer(key, value); };
    handlers.deleted = [this, key] { offer(key, ""); };
    auto handle =
        channel.watch(m_env.options.bucket, key, std::move(handlers), std::chrono::seconds(5));
    if (!handle) return std::move(handle).error().with("watching update offers");
    m_watches.push_back(std::move(*handle));
  }
  m_log->info("update: following keys {} and {} of bucket {} ({} trusted keys, policy {})",
              channelKey(), edgeKey(), m_env.options.bucket, m_env.keys.size(),
              m_env.options.policy);
  return okStatus();
}

void Updater::unwatch() { m_watches.clear(); }

void Updater::stop() {
  unwatch();
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_cancel = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Updater::offer(const std::string& key, const std::string& envelope) {
  {
    std::lock_guard lock(m_mutex);
    if (envelope.empty()) {
      m_offers.erase(key);
    } else {
      m_offers[key] = envelope;
    }
  }
  m_wake.notify_all();
}

void Updater::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    lock.unlock();
    if (m_onTrial) {
      tickTrial();
    } else {
      tickOffer();
    }
    lock.lock();
    if (m_stopping || m_restart) break;
    m_wake.wait_for(lock, m_onTrial ? kTick : std::chrono::seconds(1));
  }
}

void Updater::tickTrial() {
  const std::string self = runningVersion().text();
  auto state = StateFile(VersionStore(m_env.dataDir).dir()).load();
  if (!state || !state->trial || state->trial->version != self) {
    m_onTrial = false;  // ended elsewhere (`spindle update rollback`)
    return;
  }
  control::HealthReport report;
  m_probe(report);
  const auto problem = trialProblem(*state->trial, report);
  const auto elapsed = std::chrono::steady_clock::now() - m_startedAt;
  if (!problem) {
    if (auto s = markGood(m_env.dataDir, self, m_env.options.keep); !s) {
      m_log->error("update: {}", s.error().describe());
      return;
    }
    m_onTrial = false;
    m_log->info("update: {} is good: healthy {} after it started", self,
                formatDuration(std::chrono::duration_cast<Duration>(elapsed)));
    return;
  }
  if (elapsed < m_env.options.trial) return;
  const std::string detail = self + " was not healthy within its trial of " +
                             formatDuration(m_env.options.trial) + ": " + *problem;
  m_onTrial = false;
  auto back = rollBack(m_env.dataDir, self, "unhealthy", detail);
  if (!back) {
    m_log->error("update: rolling back {}: {}", self, back.error().describe());
    return;
  }
  restart("rolled back to " + *back + ": " + detail);
}

bool Updater::inWindow() const {
  if (m_env.options.window.empty()) return true;
  auto window = Window::parse(m_env.options.window);
  if (!window) return false;
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return window->contains(local.tm_hour * 60 + local.tm_min);
}

void Updater::tickOffer() {
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_offers.find(edgeKey());
    if (it == m_offers.end()) it = m_offers.find(channelKey());
    if (it != m_offers.end()) text = it->second;
  }
  if (text.empty()) return;
  const bool retry = m_retryAt != std::chrono::steady_clock::time_point{} &&
                     std::chrono::steady_clock::now() >= m_retryAt;
  if (text == m_lastEvaluated && !retry) return;
  m_lastEvaluated = text;
  m_retryAt = {};
  StateFile file(VersionStore(m_env.dataDir).dir());
  auto state = file.load();
  if (!state) {
    m_log->error("update: {}", state.error().describe());
    return;
  }
  // The version named, unverified, only to recognise the running one and to log.
  std::string named = "?";
  if (auto envelope = parseEnvelope(text)) {
    if (auto m = parseManifest(envelope->manifest)) named = m->version.text();
  }
  if (named == runningVersion().text()) return;  // what runs already: nothing to do
  auto manifest = evaluate(text, m_env, *state);
  if (!manifest) {
    const auto& error = manifest.error();
    m_log->warn("update: offer of {} refused: {}", named, error.describe());
    if (reasonOf(error) != Reason::kFailedBefore) recordRefusal(m_env.dataDir, named, error);
    if (transient(error)) m_retryAt = std::chrono::steady_clock::now() + m_env.options.retry;
    return;
  }
  const std::string version = manifest->version.text();
  if (m_env.options.policy == "manual" || !inWindow()) {
    if (state->pending != version) {
      (void)file.modify([&](UpdateState& s) {
        s.pending = version;
        s.pendingNotes = manifest->notes;
      });
      m_log->info("update: {} offered and verified; {}", version,
                  m_env.options.policy == "manual"
                      ? "waiting for `spindle update apply` (policy manual)"
                      : "waiting for the window " + m_env.options.window);
    }
    // Outside the window: look again in half a minute.
    if (m_env.options.policy != "manual") {
      m_retryAt = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    }
    return;
  }
  m_log->info("update: installing {} (from {}, {} bytes)", version, manifest->url, manifest->size);
  if (auto s = fetchAndInstall(*manifest, m_env); !s) {
    if (m_cancel) return;  // stopping: the download resumes after the next start
    m_log->warn("update: {} not installed: {}", version, s.error().describe());
    recordRefusal(m_env.dataDir, version, s.error());
    if (transient(s.error())) m_retryAt = std::chrono::steady_clock::now() + m_env.options.retry;
    return;
  }
  control::HealthReport report;
  m_probe(report);
  {
    // Never after stop(): the process is already on its way out with its own final commit.
    std::lock_guard lock(m_mutex);
    if (m_stopping) return;
    if (auto s = switchTo(*manifest, m_env, uplinkSnapshot(report)); !s) {
      m_log->error("update: switching to {}: {}", version, s.error().describe());
      return;
    }
  }
  restart("switched to " + version + " (on trial for " + formatDuration(m_env.options.trial) + ")");
}

void Updater::restart(const std::string& why) {
  m_log->warn("update: {}; stopping in order to restart", why);
  m_restart = true;
  if (m_requestStop) m_requestStop();
}

void Updater::fill(control::HealthReport& report) {
  auto state = StateFile(VersionStore(m_env.dataDir).dir()).load();
  control::UpdateHealth u;
  u.running = runningVersion().text();
  if (state) {
    if (state->trial) {
      u.pending = state->trial->version;
      u.onTrial = state->trial->version == u.running;
    } else {
      u.pending = state->pending;
    }
    u.lastResult = state->last.result;
    u.lastVersion = state->last.version;
    u.lastReason = state->last.reason;
    u.lastDetail = state->last.detail;
  }
  report.update = std::move(u);
}

}  // namespace spindle::update
