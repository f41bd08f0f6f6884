// The spindle binary as a user runs it: exit codes, messages, and the demo.

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include "loopback_config.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_cli_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  struct Run {
    int code;
    std::string out;
    std::string err;
  };

  Run spindle(std::vector<std::string> args,
              std::chrono::seconds timeout = std::chrono::seconds(60)) {
    args.insert(args.begin(), SPINDLE_BINARY);
    const std::string out = (m_dir / "stdout").string();
    const std::string err = (m_dir / "stderr").string();
    Process p(args, out, err);
    const int code = p.wait(timeout);
    return {code, readFile(out), readFile(err)};
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (m_dir / name).string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path m_dir;
};

TEST_F(Cli, VersionAndHelp) {
  auto v = spindle({"version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("spindle ", 0), 0u);
  for (const char* sub : {"run", "validate", "sim", "version"}) {
    auto h = spindle({sub, "--help"});
    EXPECT_EQ(h.code, 0) << sub;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << sub << ": " << h.out;
  }
  EXPECT_EQ(spindle({}).code, 2);
  EXPECT_EQ(spindle({"frobnicate"}).code, 2);
}

TEST_F(Cli, ValidateListsTheCollectorsAndUplinksWithTheirDefaultPorts) {
  auto r = spindle({"validate", "--list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("collectors:\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("  shdr  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("port 7878"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mtconnect_agent  port 5000"), std::string::npos) << r.out;
  const auto uplinks = r.out.find("\nuplinks:\n");
  ASSERT_NE(uplinks, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  file   no port     ", uplinks), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  https  port 443    ", uplinks), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  nats   port 7422   ", uplinks), std::string::npos) << r.out;
}

TEST_F(Cli, ValidateAcceptsAGoodFileAndListsEveryProblemOfABadOne) {
  const auto good =
      write("good.yaml", "machines:\n  - id: m1\n    type: shdr\n    host: 127.0.0.1\n");
  auto ok = spindle({"validate", good});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("valid (1 machines)"), std::string::npos) << ok.out;

  const auto bad = write("bad.yaml",
                         "machines:\n"
                         "  - id: m1\n"
                         "    type: shdr\n"
                         "    host: 127.0.0.1\n"
                         "    prot: 7878\n"
                         "  - id: m2\n"
                         "    type: shdr\n");
  auto r = spindle({"validate", bad});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(
      r.err.find(bad + ":5:5: unknown key 'prot' in machine 'm1' (shdr) (did you mean 'port'?)"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad + ":6:5: missing required key 'host' in machine 'm2' (shdr)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 problems"), std::string::npos);

  // run refuses the same file with the same messages and touches nothing.
  auto run = spindle({"run", "--config", bad});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("unknown key 'prot'"), std::string::npos);
}

TEST_F(Cli, AnUnknownCommandIsNamedWithTheClosestOne) {
  auto r = spindle({"runn"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'runn' (did you mean 'run'?)"), std::string::npos) << r.err;
  auto after = spindle({"--log-level", "warn", "valdate"});
  EXPECT_EQ(after.code, 2);
  EXPECT_NE(after.err.find("unknown command 'valdate' (did you mean 'validate'?)"),
            std::string::npos)
      << after.err;
}

TEST_F(Cli, ValidateNamesAMisspelledTypeKeyAndRefusesAnInvalidAddress) {
  const auto bad = write("bad.yaml",
                         "machines:\n"
                         "  - id: m1\n"
                         "    typ: shdr\n"
                         "    host: 127.0.0.1\n"
                         "  - id: m2\n"
                         "    type: shdr\n"
                         "    host: 10.0.0.300\n"
                         "  - id: m3\n"
                         "    type: shdr\n"
                         "    host: mill-3.plant.local\n");
  auto r = spindle({"validate", bad});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(bad + ":3:5: unknown key 'typ' in machine 'm1' (did you mean 'type'?"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad + ":7:11: host '10.0.0.300' is not valid: not an IPv4 address"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 problems"), std::string::npos) << r.err;  // the name is fine
}

TEST_F(Cli, AWebPortInUseSaysWhy) {
  // A listener holds the port; the edge keeps collecting and says why it could not serve.
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto cfg =
      write("c.yaml", "edge:\n  data_dir: " + (m_dir / "data").string() + "\n" +
                          loopbackSections(ntohs(addr.sin_port)) +
                          "machines:\n  - id: m1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
                          std::to_string(freePort()) + "\n");
  auto r = spindle({"run", "--config", cfg, "--for", "300ms"});
  ::close(holder);
  EXPECT_EQ(r.code, 0) << r.err;
  const auto at = r.err.find("web server not started");
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string line = r.err.substr(at, r.err.find('\n', at) - at);
  EXPECT_NE(line.find(std::system_category().message(EADDRINUSE)), std::string::npos) << line;
  EXPECT_EQ(line.find("Success"), std::string::npos) << line;
}

TEST_F(Cli, StatusAsksTheRunningEdgeAndSaysWhenNoneRuns) {
  const std::uint16_t web = freePort();
  const auto cfg = write(
      "c.yaml", "edge:\n  id: status-edge\n  data_dir: " + (m_dir / "data").string() + "\n" +
                    "net:\n  dns_preferred: []\n  dns_servers: ['127.0.0.1:" +
                    std::to_string(freePort()) + "']\n  resolv_conf: \"\"\n  ntp_servers: []\n" +
                    "web:\n  bind: 0.0.0.0\n  port: " + std::to_string(web) + "\n" +
                    "  management:\n    enabled: false\n" +
                    "machines:\n  - id: m1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
                    std::to_string(freePort()) + "\n");
  auto none = spindle({"status", "--config", cfg});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("no edge is running at http://127.0.0.1:" + std::to_string(web)),
            std::string::npos)
      << none.err;

  Process edge({SPINDLE_BINARY, "run", "--config", cfg, "--for", "60s"},
               (m_dir / "edge.out").string(), (m_dir / "edge.err").string());
  Run r{};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    r = spindle({"status", "--config", cfg});
  } while (r.code != 0 && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(r.code, 0) << r.err << readFile((m_dir / "edge.err").string());
  EXPECT_NE(r.out.find("edge status-edge"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  m1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("journal: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("clock:   unknown"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dns:     127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(configured)"), std::string::npos) << r.out;

  auto json = spindle({"status", "--config", cfg, "--json"});
  EXPECT_EQ(json.code, 0) << json.err;
  EXPECT_NE(json.out.find("\"machines\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"dns\""), std::string::npos) << json.out;
  EXPECT_EQ(edge.kill(SIGTERM), 0);
}

TEST_F(Cli, JsonLogsAreOneObjectPerLine) {
  const auto cfg = write(
      "c.yaml", "edge:\n  data_dir: " + (m_dir / "data").string() + "\n" + loopbackSections() +
                    "machines:\n  - id: m1\n    type: shdr\n    host: 127.0.0.1\n"
                    "    port: " +
                    std::to_string(freePort()) + "\n");
  auto r = spindle({"--log-format", "json", "run", "--config", cfg, "--for", "300ms"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.err);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_NE(line.find("\"level\":"), std::string::npos) << line;
  }
  EXPECT_GT(n, 0);
}

TEST_F(Cli, DemoShowsThreeMachinesProducingDataWithinTenSeconds) {
  // The demo config with the data directory and ports moved so parallel runs never collide.
  std::string demo = readFile(std::string(SPINDLE_SOURCE_DIR) + "/examples/demo.yaml");
  const auto base = freePort();
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at = demo.find(from); at != std::string::npos;
         at = demo.find(from, at + to.size())) {
      demo.replace(at, from.size(), to);
    }
  };
  replace("data_dir: spindle-data", "data_dir: " + (m_dir / "data").string());
  for (int i = 0; i < 3; ++i) replace(std::to_string(17878 + i), std::to_string(base + 100 + i));
  replace("port: 5000", "port: " + std::to_string(freePort()));
  replace("port: 8080", "port: " + std::to_string(freePort()));
  const auto cfg = write("demo.yaml", demo);

  const auto start = std::chrono::steady_clock::now();
  auto r = spindle({"run", "--config", cfg, "--for", "8s"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(12));
  const std::string out = readFile((m_dir / "data" / "observations.jsonl").string());
  // Every machine runs the SHDR default script: its normalized items, with real values.
  for (const char* machine : {"mill-1", "mill-2", "lathe-3"}) {
    for (const char* item : {"availability", "execution", "controller_mode", "program",
                             "part_count", "spindle_speed", "feedrate"}) {
      const std::string prefix =
          std::string("{\"machine\":\"") + machine + "\",\"item\":\"" + item + "\"";
      bool valued = false;
      for (std::size_t at = out.find(prefix); at != std::string::npos && !valued;
           at = out.find(prefix, at + 1)) {
        const std::size_t end = out.find('\n', at);
        valued = out.substr(at, end - at).find("UNAVAILABLE") == std::string::npos;
      }
      EXPECT_TRUE(valued) << machine << " produced no " << item << " value";
    }
  }
  EXPECT_NE(r.err.find("observations go to"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace spindle::testing
