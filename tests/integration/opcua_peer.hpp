#pragma once
/// The node-opcua test server (tests/peers/opcua/server.js) as a child process on a free
/// 127.0.0.1 port, started and stopped by PID. node-opcua comes from
/// SPINDLE_OPCUA_PEER_DIR/node_modules (scripts/setup installs it); when it is missing, start()
/// fails with a message saying so, and the test fails: never a silent skip.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "process.hpp"

#ifndef SPINDLE_OPCUA_PEER_DIR
#error "SPINDLE_OPCUA_PEER_DIR must name build/test-peers/opcua"
#endif

namespace spindle::testing {

/// This test process's folder `<temp>/<prefix>-<pid>` for PKIs and peer output (the suites
/// remove it when every test passed).
inline std::filesystem::path opcuaSuiteRoot(const std::string& prefix) {
  return std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()));
}

/// `name` under the suite's folder, empty.
inline std::filesystem::path opcuaFreshDir(const std::filesystem::path& root,
                                           const std::string& name) {
  const std::filesystem::path dir = root / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct OpcuaPeerOptions {
  int items = 3;
  int intervalMs = 100;
  std::vector<std::string> users;  ///< "name:password"
};

class OpcuaPeer {
 public:
  /// `dir` holds the server's PKI (<dir>/pki) and its output; kept across restart().
  OpcuaPeer(std::filesystem::path dir, OpcuaPeerOptions options = {})
      : m_dir(std::move(dir)), m_options(std::move(options)), m_port(freePort()) {
    std::filesystem::create_directories(m_dir / "pki");
  }
  ~OpcuaPeer() { stop(); }
  OpcuaPeer(const OpcuaPeer&) = delete;
  OpcuaPeer& operator=(const OpcuaPeer&) = delete;

  static std::string modulesDir() { return std::string(SPINDLE_OPCUA_PEER_DIR) + "/node_modules"; }

  /// Starts the server and waits for its "ready" and namespace lines; "" when ready, else why
  /// not (node_modules missing, the process died, no ready line in time) with its stderr.
  std::string start(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (!std::filesystem::exists(modulesDir() + "/node-opcua-server")) {
      return "node-opcua is not installed in " + modulesDir() +
             ": run scripts/setup (it installs the OPC UA test peer)";
    }
    std::vector<std::string> argv = {
        "/usr/bin/env", "NODE_PATH=" + modulesDir(),
        "node",         std::string(SPINDLE_SOURCE_DIR) + "/tests/peers/opcua/server.js",
        "--port",       std::to_string(m_port),
        "--pki",        (m_dir / "pki").string(),
        "--items",      std::to_string(m_options.items),
        "--interval",   std::to_string(m_options.intervalMs)};
    for (const auto& u : m_options.users) {
      argv.push_back("--user");
      argv.push_back(u);
    }
    ++m_starts;
    m_out = (m_dir / ("out" + std::to_string(m_starts) + ".log")).string();
    m_err = (m_dir / ("err" + std::to_string(m_starts) + ".log")).string();
    m_process = std::make_unique<Process>(argv, m_out, m_err);
    const bool ready = eventually(
        [&] {
          parse();
          return m_namespaces.size() >= 4 || exited();
        },
        timeout);
    if (ready && m_namespaces.size() >= 4) return "";
    return "the OPC UA test peer did not get ready: " + readFile(m_err);
  }

  /// SIGCONT (if paused), SIGTERM, then SIGKILL after 3 s; reaps the child.
  void stop() {
    if (!m_process) return;
    if (m_process->pid() > 0) {
      ::kill(m_process->pid(), SIGCONT);
      ::kill(m_process->pid(), SIGTERM);
      if (m_process->wait(std::chrono::seconds(3)) == -1000) m_process->kill(SIGKILL);
    }
    m_process.reset();
  }
  /// SIGSTOP: connections stay open, nothing is answered.
  void pause() {
    if (m_process && m_process->pid() > 0) ::kill(m_process->pid(), SIGSTOP);
  }
  void resume() {
    if (m_process && m_process->pid() > 0) ::kill(m_process->pid(), SIGCONT);
  }
  /// Stops and starts again on the same port with the same PKI.
  std::string restart() {
    stop();
    m_namespaces.clear();
    return start();
  }

  std::uint16_t port() const { return m_port; }
  std::string url() const { return "opc.tcp://127.0.0.1:" + std::to_string(m_port) + "/"; }
  /// The URL the server printed (its advertised one).
  const std::string& advertisedUrl() const { return m_advertised; }
  /// Namespace index by URI, as the server printed them.
  const std::map<std::string, int>& namespaces() const { return m_namespaces; }
  std::string stderrText() const { return readFile(m_err); }

 private:
  bool exited() {
    if (!m_process || m_process->pid() <= 0) return true;
    return m_process->wait(std::chrono::milliseconds(1)) != -1000;
  }
  void parse() {
    std::istringstream in(readFile(m_out));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string kind;
      words >> kind;
      if (kind == "ready") words >> m_advertised;
      if (kind == "namespace") {
        int index = 0;
        std::string uri;
        words >> index >> uri;
        m_namespaces[uri] = index;
      }
    }
  }

  std::filesystem::path m_dir;
  OpcuaPeerOptions m_options;
  std::uint16_t m_port;
  std::unique_ptr<Process> m_process;
  int m_starts = 0;
  std::string m_out;
  std::string m_err;
  std::string m_advertised;
  std::map<std::string, int> m_namespaces;
};

}  // namespace spindle::testing
