#pragma once
/// Updater: the update system inside `spindle run`.
///
/// - **Offers.** Watches two keys of the KV bucket `update.bucket` over the edge's control
///   channel (the NATS connection it already has): `<channel>` and `edge.<edge id>`; the
///   per-edge key, while it holds a value, wins. Each new offer is verified and checked
///   (installer.hpp); a refusal is logged and recorded with its reason, and nothing changes.
/// - **Policy.** `automatic` installs within `window`; `manual` records the offer as pending
///   for `spindle update apply`. Nothing installs while a version is on trial.
/// - **Install.** Download, check, install, switch (installer.hpp), then an orderly stop:
///   the same path as SIGTERM (the journal's final commit is never cut short), and `spindle
///   run` exits with kRestartExitCode, which the supervisor restarts into the new version.
/// - **Trial.** When this process is the version on trial it checks its own health (trial.hpp)
///   until it is healthy (marked good, old versions pruned to `keep`) or `trial` has passed
///   (rolled back, then the same orderly stop and restart).
///
/// All of it runs on the updater's own thread; the watch handlers only hand the text over.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "control/channel.hpp"
#include "control/health.hpp"
#include "update/installer.hpp"

namespace spindle::update {

/// `spindle run`'s exit code after an update or a roll back: "start me again".
inline constexpr int kRestartExitCode = 75;

class Updater final : public control::HealthProvider {
 public:
  /// Fills a report with the running edge's figures (EdgeApi::fillHealth). Updater thread.
  using Probe = std::function<void(control::HealthReport&)>;

  /// `keys` from loadTrustedKeys; with none, offers are not watched (the trial still runs).
  Updater(InstallEnv env, std::string edgeId);
  ~Updater() override;

  /// The edge runs: starts the thread (trial, offers). `requestStop` begins the orderly stop
  /// (it raises SIGTERM in `spindle run`). Both stay callable until stop().
  void started(Probe probe, std::function<void()> requestStop);
  /// Watches the offer keys on `channel` (outlives the watch). No-op without trusted keys.
  Status watch(control::Channel& channel);
  /// Ends the watches. Idempotent.
  void unwatch();
  /// Ends the watches and the thread; a download in progress is cancelled (it resumes after
  /// the next start). No switch happens after it returns. Idempotent.
  void stop();

  /// An offer as the bucket holds it under `key` ("" text: the key was deleted). Any thread.
  void offer(const std::string& key, const std::string& envelope);
  /// Whether the process should exit with kRestartExitCode.
  bool restartRequested() const { return m_restart.load(); }

  void fill(control::HealthReport& report) override;

  std::string channelKey() const { return m_env.options.channel; }
  std::string edgeKey() const { return "edge." + m_edge; }

 private:
  void run();
  void tickTrial();
  void tickOffer();
  bool inWindow() const;
  void restart(const std::string& why);

  InstallEnv m_env;
  std::string m_edge;
  std::shared_ptr<spdlog::logger> m_log;
  std::chrono::steady_clock::time_point m_startedAt;
  std::atomic<bool> m_cancel{false};
  std::atomic<bool> m_restart{false};
  std::vector<std::unique_ptr<control::ChannelHandle>> m_watches;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::map<std::string, std::string> m_offers;  ///< key -> envelope text
  Probe m_probe;
  std::function<void()> m_requestStop;
  std::thread m_thread;

  // The updater thread's own.
  bool m_onTrial = false;
  std::string m_lastEvaluated;  ///< offer text evaluated last
  std::chrono::steady_clock::time_point m_retryAt{};
};

}  // namespace spindle::update
