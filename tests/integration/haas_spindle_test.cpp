// The haas collector end to end: `spindle sim --protocol haas` in one process, `spindle run` in
// another, both started and stopped by PID. The control's data must reach the MTConnect
// interface's /current (through the default script's normalized items) and the journal, which
// the file uplink writes out.

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "loopback_config.hpp"
#include "process.hpp"
#include "web/testing/http_get.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class HaasSpindle : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_haas_it_" + std::to_string(::getpid()) + (GetParam() ? "_ngc" : "_classic"));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path m_dir;
};

std::string currentDocument(std::uint16_t port) {
  try {
    return web::testing::httpGet(port, "/current").body;
  } catch (const std::exception&) {
    return "";  // not listening yet
  }
}

/// The text of the first `element` in `document` when it holds a value, else "".
std::string elementText(const std::string& document, const std::string& element) {
  const auto at = document.find(element);
  if (at == std::string::npos) return "";
  const auto open = document.find('>', at);
  const auto close = document.find('<', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  const std::string text = document.substr(open + 1, close - open - 1);
  return text == "UNAVAILABLE" ? "" : text;
}

TEST_P(HaasSpindle, ControlDataReachesCurrentAndTheJournal) {
  const bool ngc = GetParam();
  const std::uint16_t base = freePortRange(2);
  const std::uint16_t simPort = base;
  const std::uint16_t webPort = base + 1;
  std::vector<std::string> simArgs{SPINDLE_BINARY, "sim",         "--protocol",
                                   "haas",         "--haas-port", std::to_string(simPort),
                                   "--time-scale", "20"};
  if (ngc) simArgs.push_back("--haas-ngc");
  Process sim(simArgs, (m_dir / "sim.out").string(), (m_dir / "sim.err").string());

  const std::string cfg = (m_dir / "spindle.yaml").string();
  std::ofstream(cfg) << "edge:\n  data_dir: " << (m_dir / "data").string() << "\n"
                     << loopbackSections(webPort) << "machines:\n  - id: vf2\n    type: haas\n"
                     << "    host: 127.0.0.1\n    port: " << simPort << "\n"
                     << (ngc ? "    framing: ngc\n" : "") << "    poll_interval: 200ms\n"
                     << "    reconnect_min: 50ms\n    reconnect_max: 200ms\n";
  Process edge({SPINDLE_BINARY, "run", "--config", cfg, "--for", "60s"},
               (m_dir / "edge.out").string(), (m_dir / "edge.err").string());

  // The default script's outputs, with values, in the agent interface.
  const std::vector<std::string> elements{"<Availability", "<Execution", "<ControllerMode",
                                          "<Program",      "<PartCount", "<RotaryVelocity"};
  std::string current;
  const bool served = eventually(
      [&] {
        current = currentDocument(webPort);
        return std::all_of(elements.begin(), elements.end(),
                           [&](const std::string& e) { return !elementText(current, e).empty(); });
      },
      20s);
  ASSERT_TRUE(served) << current << "\n" << readFile((m_dir / "edge.err").string());
  EXPECT_EQ(elementText(current, "<Availability"), "AVAILABLE");
  EXPECT_EQ(edge.kill(SIGTERM), 0);
  EXPECT_EQ(sim.kill(SIGTERM), 0);

  // The journal's observations, as the file uplink delivered them.
  const std::string out = readFile((m_dir / "data" / "observations.jsonl").string());
  for (const char* item : {"availability", "execution", "controller_mode", "program", "part_count",
                           "tool_number", "spindle_speed", "serial_number"}) {
    const std::string prefix = std::string("{\"machine\":\"vf2\",\"item\":\"") + item + "\"";
    bool valued = false;
    for (std::size_t at = out.find(prefix); at != std::string::npos && !valued;
         at = out.find(prefix, at + 1)) {
      valued = out.substr(at, out.find('\n', at) - at).find("UNAVAILABLE") == std::string::npos;
    }
    EXPECT_TRUE(valued) << "no " << item << " value in the journal";
  }
}

INSTANTIATE_TEST_SUITE_P(Framings, HaasSpindle, ::testing::Values(false, true),
                         [](const auto& param) { return param.param ? "Ngc" : "Classic"; });

}  // namespace
}  // namespace spindle::testing
