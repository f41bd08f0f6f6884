#include "update/installer.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "update/downloader.hpp"
#include "update/offer_checks.hpp"
#include "update/refusal.hpp"
#include "update/version_store.hpp"

extern char** environ;

namespace spindle::update {

Result<std::vector<PublicKey>> loadTrustedKeys(const UpdateOptions& options) {
  std::vector<PublicKey> keys;
  for (const auto& spec : options.trustedKeys) {
    auto key = loadPublicKey(spec);
    if (!key) return std::move(key).error().with("update.trusted_keys");
    keys.push_back(std::move(*key));
  }
  return keys;
}

Result<Manifest> evaluate(const std::string& envelope, const InstallEnv& env,
                          const UpdateState& state) {
  auto parsed = parseEnvelope(envelope);
  if (!parsed) return std::move(parsed).error();
  auto manifest = verifyEnvelope(*parsed, env.keys);
  if (!manifest) return manifest;
  VersionStore store(env.dataDir);
  auto free = store.freeBytes();
  if (!free) return refuse(Reason::kInstall, free.error().describe());
  OfferContext context;
  context.running = runningVersion();
  context.state = &state;
  context.freeBytes = *free;
  context.maxSize = env.options.maxSize.bytes;
  context.margin = env.options.diskMargin.bytes;
  if (auto checked = checkOffer(*manifest, context); !checked) return std::move(checked).error();
  return manifest;
}

Status checkArtifact(const std::string& binary, const std::string& version) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return refuse(Reason::kInstall, "pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("--version"), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return refuse(Reason::kBadArtifact,
                  "the artifact does not run: " + std::string(std::strerror(rc)));
  }
  std::string printed;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end && printed.size() < 4096) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    printed.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  // Its output ends when it exits; it may not be reaped at that very moment.
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < end) {
    ::usleep(10000);
  }
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return refuse(Reason::kBadArtifact, "the artifact's --version did not end within 10 s");
  }
  while (!printed.empty() && (printed.back() == '\n' || printed.back() == ' ')) printed.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || printed != version) {
    return refuse(Reason::kBadArtifact, "the artifact's --version says '" + printed.substr(0, 80) +
                                            "', the manifest " + version);
  }
  return okStatus();
}

Status fetchAndInstall(const Manifest& m, const InstallEnv& env) {
  VersionStore store(env.dataDir);
  DownloadRequest request;
  request.url = m.url;
  request.size = m.size;
  request.sha256 = m.sha256;
  request.dir = store.downloadDir();
  request.caFile = env.options.caFile;
  request.timeout = env.options.downloadTimeout;
  request.cancel = env.cancel;
  auto file = download(request);
  if (!file) return std::move(file).error();
  const std::string version = m.version.text();
  if (auto s = store.install(version, *file); !s) {
    return refuse(Reason::kInstall, s.error().describe());
  }
  std::filesystem::remove(*file);
  if (auto s = checkArtifact(store.binary(version), version); !s) {
    (void)store.remove(version);
    return s;
  }
  return okStatus();
}

Status switchTo(const Manifest& m, const InstallEnv& env, std::vector<UplinkSnapshot> before) {
  VersionStore store(env.dataDir);
  const std::string version = m.version.text();
  const std::string from = std::string(runningVersion().text());
  StateFile file(store.dir());
  auto state = file.modify([&](UpdateState& s) {
    if (s.launcher.empty()) s.launcher = from;
    if (std::find(s.good.begin(), s.good.end(), from) == s.good.end()) s.good.push_back(from);
    s.trial = Trial{version, from, wallClockNs(), 0, std::move(before)};
    s.pending.clear();
    s.pendingNotes.clear();
    s.last = {"installed", version, "", "switched from " + from + "; on trial", wallClockNs()};
  });
  if (!state) return std::move(state).error().with("starting the trial of " + version);
  return store.switchTo(version);
}

void recordRefusal(const std::string& dataDir, const std::string& version, const Error& error) {
  const auto reason = reasonOf(error);
  StateFile file(VersionStore(dataDir).dir());
  (void)file.modify([&](UpdateState& s) {
    s.last = {"refused", version, reason ? reasonName(*reason) : "error", error.describe(),
              wallClockNs()};
  });
}

Result<std::string> rollBack(const std::string& dataDir, const std::string& version,
                             const std::string& reason, const std::string& detail) {
  VersionStore store(dataDir);
  StateFile file(store.dir());
  std::string previous;
  auto state = file.modify([&](UpdateState& s) {
    previous = s.trial && s.trial->version == version ? s.trial->from : s.previousGood(version);
    s.trial.reset();
    if (!s.hasFailed(version)) s.failed.push_back(version);
    s.good.erase(std::remove(s.good.begin(), s.good.end(), version), s.good.end());
    s.last = {"rolled_back", version, reason, detail + "; back to " + previous, wallClockNs()};
  });
  if (!state) return std::move(state).error().with("rolling back " + version);
  if (previous.empty()) return Error(ErrorCode::kNotFound, "no previous version to return to");
  if (auto s = store.switchTo(previous); !s) return std::move(s).error();
  (void)store.remove(version);
  return previous;
}

Status markGood(const std::string& dataDir, const std::string& version, int keep) {
  VersionStore store(dataDir);
  StateFile file(store.dir());
  std::vector<std::string> keepList;
  auto state = file.modify([&](UpdateState& s) {
    s.trial.reset();
    s.good.erase(std::remove(s.good.begin(), s.good.end(), version), s.good.end());
    s.good.push_back(version);
    s.last = {"good", version, "", "healthy within its trial", wallClockNs()};
    // The newest `keep` good versions before this one stay; older ones are forgotten.
    const std::size_t limit = static_cast<std::size_t>(keep) + 1;
    if (s.good.size() > limit)
      s.good.erase(s.good.begin(), s.good.end() - static_cast<long>(limit));
    keepList = s.good;
  });
  if (!state) return std::move(state).error().with("marking " + version + " good");
  for (const auto& v : store.list()) {
    if (std::find(keepList.begin(), keepList.end(), v) == keepList.end()) (void)store.remove(v);
  }
  return okStatus();
}

}  // namespace spindle::update
