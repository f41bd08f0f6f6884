#pragma once
/// Test harness for the update system: versions of spindle made from the test build
/// `spindle_stamped` (update_stamp.cpp), a deploy server (`openssl s_server -WWW` with a CA
/// made by the test), signing with `spindle update keygen|sign`, and a supervisor that restarts
/// the edge like systemd's Restart=always. Header-only; used by update_*_test.cpp.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "nats_harness.hpp"
#include "process.hpp"

namespace spindle::testing {

namespace fs = std::filesystem;

/// Runs `command` with /bin/sh; true when it exits 0.
inline bool shell(const std::string& command) { return std::system(command.c_str()) == 0; }

/// A copy of spindle_stamped at `path` that reports `version` (and runs `fault`: none,
/// exit-at-start, no-uplink). The stamp field is found by its marker and overwritten.
inline bool stampedCopy(const std::string& path, const std::string& version,
                        const std::string& fault = "none") {
  std::string bytes = readFile(SPINDLE_STAMPED_BINARY);
  const std::string marker = "SPINDLE-TEST-STAMP:";
  const auto at = bytes.find(marker);
  if (at == std::string::npos || bytes.find(marker, at + 1) != std::string::npos) return false;
  std::string field = version + ";" + fault;
  field.resize(96 - marker.size(), '\0');
  bytes.replace(at + marker.size(), field.size(), field);
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
  return ::chmod(path.c_str(), 0755) == 0;
}

/// `openssl s_server -WWW`: serves the files of `dir` over TLS on 127.0.0.1, with a server
/// certificate for 127.0.0.1 from a CA made here (`caFile()` for update.ca_file). It answers
/// one connection at a time, HTTP/1.0 without Content-Length and without ranges.
class DeployServer {
 public:
  explicit DeployServer(fs::path dir) : m_dir(std::move(dir)) {}
  bool start() {
    const fs::path pki = m_dir / "pki";
    fs::create_directories(pki);
    fs::create_directories(root());
    std::ofstream(pki / "ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    const std::string p = pki.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    if (!shell("cd " + p + " && openssl req -x509" + ec +
               "-keyout ca.key -out ca.pem -days 2 -subj /CN=spindle-test-ca 2>/dev/null && "
               "openssl req" +
               ec +
               "-keyout server.key -out server.csr -subj /CN=127.0.0.1 "
               "2>/dev/null && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
               "-CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null")) {
      return false;
    }
    m_port = freePort();
    m_process = std::make_unique<Process>(
        std::vector<std::string>{"/bin/sh", "-c",
                                 "cd " + root().string() +
                                     " && exec openssl s_server -WWW -quiet "
                                     "-accept 127.0.0.1:" +
                                     std::to_string(m_port) + " -cert " + p + "/server.pem -key " +
                                     p + "/server.key"},
        (m_dir / "s_server.out").string(), (m_dir / "s_server.err").string());
    return eventually([&] { return portOpen(m_port); }, std::chrono::seconds(10));
  }
  fs::path root() const { return m_dir / "www"; }
  std::string caFile() const { return (m_dir / "pki" / "ca.pem").string(); }
  std::string url(const std::string& file) const {
    return "https://127.0.0.1:" + std::to_string(m_port) + "/" + file;
  }
  /// Freezes (SIGSTOP) or thaws (SIGCONT) the server; false when it is not running.
  bool signal(int sig) {
    const pid_t pid = m_process ? m_process->pid() : -1;
    return pid > 0 && ::kill(pid, sig) == 0;
  }

 private:
  fs::path m_dir;
  std::uint16_t m_port = 0;
  std::unique_ptr<Process> m_process;
};

/// Restarts `argv` whenever it exits, after `delay`, like systemd's Restart=always (which
/// also restarts after kill -9). Stopped by PID when destroyed.
class Supervisor {
 public:
  Supervisor(std::vector<std::string> argv, fs::path logDir,
             std::chrono::milliseconds delay = std::chrono::milliseconds(200))
      : m_argv(std::move(argv)), m_logDir(std::move(logDir)), m_delay(delay) {
    m_thread = std::thread([this] { run(); });
  }
  ~Supervisor() {
    m_stop = true;
    {
      std::lock_guard lock(m_mutex);
      if (m_child) m_child->kill(SIGTERM);
    }
    m_thread.join();
  }
  /// kill -9 of the running process (the supervisor starts it again).
  void killNow() {
    std::lock_guard lock(m_mutex);
    // Never kill(-1): a child already reaped has no pid.
    if (m_child && m_child->pid() > 0) ::kill(m_child->pid(), SIGKILL);
  }
  int starts() const { return m_starts.load(); }
  std::vector<int> exits() {
    std::lock_guard lock(m_mutex);
    return m_exits;
  }
  /// stderr of every run so far.
  std::string log() const {
    std::string all;
    for (int i = 1; i <= m_starts.load(); ++i) {
      all += "--- start " + std::to_string(i) + "\n" +
             readFile((m_logDir / ("spindle." + std::to_string(i) + ".err")).string());
    }
    return all;
  }

 private:
  void run() {
    while (!m_stop) {
      const int n = ++m_starts;
      {
        std::lock_guard lock(m_mutex);
        m_child = std::make_unique<Process>(
            m_argv, (m_logDir / ("spindle." + std::to_string(n) + ".out")).string(),
            (m_logDir / ("spindle." + std::to_string(n) + ".err")).string());
      }
      int code = -1000;
      while (code == -1000 && !m_stop) {
        std::lock_guard lock(m_mutex);
        code = m_child->wait(std::chrono::milliseconds(20));
      }
      std::lock_guard lock(m_mutex);
      if (code != -1000) m_exits.push_back(code);
      if (!m_stop) std::this_thread::sleep_for(m_delay);
    }
  }

  std::vector<std::string> m_argv;
  fs::path m_logDir;
  std::chrono::milliseconds m_delay;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_starts{0};
  std::mutex m_mutex;
  std::unique_ptr<Process> m_child;
  std::vector<int> m_exits;
  std::thread m_thread;
};

}  // namespace spindle::testing
