#pragma once
/// What the collectors' end-to-end tests share: `spindle sim --protocol <p>` serving two
/// machines on consecutive loopback ports in one process, `spindle run` in another with a
/// generated spindle.yaml (the journal into the file uplink, the web server on a free loopback
/// port), the MTConnect interface's /current waited for, and the uplink's JSON lines read back.
/// Both processes are stopped by PID. Header-only.

#include <csignal>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "loopback_config.hpp"
#include "process.hpp"
#include "uplink_lines.hpp"
#include "web/testing/http_get.hpp"

namespace spindle::testing {

/// One run: a test folder, the simulator and the edge. The folder is removed when the run ends,
/// unless the test failed (its sim.err, edge.err and data/ are kept for a look).
class CollectorEndToEnd {
 public:
  /// `protocol` is the simulator's --protocol and names the folder
  /// (temp/spindle_<protocol>_e2e_<pid>).
  explicit CollectorEndToEnd(std::string protocol)
      : m_protocol(std::move(protocol)),
        m_dir(std::filesystem::temp_directory_path() /
              ("spindle_" + m_protocol + "_e2e_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  ~CollectorEndToEnd() {
    m_edge.reset();
    m_sim.reset();
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(m_dir);
  }
  CollectorEndToEnd(const CollectorEndToEnd&) = delete;
  CollectorEndToEnd& operator=(const CollectorEndToEnd&) = delete;

  /// The test folder (a peer other than the simulator keeps its files there).
  const std::filesystem::path& dir() const { return m_dir; }
  /// The first of the simulator's two ports (the second is one above).
  std::uint16_t port() const { return m_base; }

  /// Starts `spindle sim --protocol <p> -n 2 -p <port()> <options...>` and waits until its
  /// output shows `ready` (e.g. "fanuc-2 serving FOCAS").
  ::testing::AssertionResult startSim(const std::vector<std::string>& options,
                                      const std::string& ready) {
    std::vector<std::string> argv = {SPINDLE_BINARY, "sim", "--protocol", m_protocol,
                                     "-n",           "2",   "-p",         std::to_string(m_base)};
    argv.insert(argv.end(), options.begin(), options.end());
    m_sim.emplace(argv, path("sim.out"), path("sim.err"));
    if (eventually([&] {
          return (readFile(path("sim.err")) + readFile(path("sim.out"))).find(ready) !=
                 std::string::npos;
        })) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << readFile(path("sim.err"));
  }

  /// Writes `text` to `name` in the test folder (a script the machines refer to by name).
  void writeFile(const std::string& name, const std::string& text) const {
    std::ofstream(m_dir / name) << text;
  }

  /// Writes spindle.yaml with `machines` (the list's items, each "  - id: ...") and starts
  /// `spindle run` on it for at most 60 s.
  void startEdge(const std::string& machines) {
    writeFile("spindle.yaml", "edge:\n  data_dir: " + (m_dir / "data").string() +
                                  "\n  status_interval: 0s\n" + loopbackSections(m_web) +
                                  "uplinks:\n  file:\n    path: observations.jsonl\n" +
                                  "machines:\n" + machines);
    m_edge.emplace(std::vector<std::string>{SPINDLE_BINARY, "run", "--config", path("spindle.yaml"),
                                            "--for", "60s"},
                   path("edge.out"), path("edge.err"));
  }

  /// Waits (at most 20 s) until /current holds every one of `present` and none of `absent`.
  ::testing::AssertionResult currentShows(const std::vector<std::string>& present,
                                          const std::vector<std::string>& absent = {}) {
    std::string current;
    const bool shown = eventually(
        [&] {
          try {
            current = web::testing::httpGet(m_web, "/current").body;
          } catch (const std::exception&) {  // not listening yet
            return false;
          }
          for (const auto& p : present) {
            if (current.find(p) == std::string::npos) return false;
          }
          for (const auto& a : absent) {
            if (current.find(a) != std::string::npos) return false;
          }
          return true;
        },
        std::chrono::seconds(20));
    if (shown) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << current << readFile(path("edge.err"));
  }

  /// Lets the simulated machines run for 3 s, stops the edge (which must exit cleanly) and the
  /// simulator (if started), and returns the file uplink's JSON lines.
  std::string stopAndReadLines() {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(m_edge->kill(SIGTERM), 0) << readFile(path("edge.err"));
    if (m_sim) m_sim->kill(SIGTERM);
    return readFile((m_dir / "data" / "observations.jsonl").string());
  }

 private:
  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  std::string m_protocol;
  std::filesystem::path m_dir;
  std::uint16_t m_base = freePortRange(2);
  std::uint16_t m_web = freePort();
  std::optional<Process> m_sim;
  std::optional<Process> m_edge;
};

/// One machine of spindle.yaml on the simulator's `port`, polled every 100 ms; `more` adds its
/// other settings, each line indented by four spaces.
inline std::string e2eMachine(const std::string& id, const std::string& type, std::uint16_t port,
                              const std::string& more = "") {
  return "  - id: " + id + "\n    type: " + type +
         "\n    host: 127.0.0.1\n    port: " + std::to_string(port) +
         "\n    poll_interval: 100ms\n" + more;
}

}  // namespace spindle::testing
