// Conformance anyone can rerun: the recorded Okuma adapter log replayed over loopback to an SHDR
// machine described by its Devices.xml (device OKUMA). /probe, /current and /sample must be
// valid against the official schemas, and every data item of the device file must have the
// category, type, units and last value the log implies. The expectations come from an
// independent script (tests/conformance/mtconnect_expectations.py) that reads the log and the
// device file itself.

#include <array>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "app/gateway.hpp"
#include "base/testing/fixtures.hpp"
#include "collectors/registry.hpp"
#include "loopback_config.hpp"
#include "process.hpp"
#include "web/testing/http_get.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace std::chrono_literals;

/// An adapter that sends a recorded log to the first client and keeps the connection open (a
/// closed connection would make every item UNAVAILABLE).
class LogReplay {
 public:
  explicit LogReplay(std::string text)
      : m_text(std::move(text)), m_acceptor(m_io, {asio::ip::make_address("127.0.0.1"), 0}) {
    m_acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      m_socket = std::make_unique<asio::ip::tcp::socket>(std::move(s));
      asio::async_write(*m_socket, asio::buffer(m_text), [](boost::system::error_code, size_t) {});
      m_socket->async_read_some(asio::buffer(m_sink), [](boost::system::error_code, size_t) {});
    });
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~LogReplay() {
    m_io.stop();
    m_thread.join();
  }
  std::uint16_t port() const { return m_acceptor.local_endpoint().port(); }

 private:
  std::string m_text;
  asio::io_context m_io;
  asio::ip::tcp::acceptor m_acceptor;
  std::unique_ptr<asio::ip::tcp::socket> m_socket;
  std::array<char, 4096> m_sink{};
  std::thread m_thread;
};

class MtconnectConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    SPINDLE_NEEDS_FIXTURE(std::system("xmllint --version > /dev/null 2>&1") == 0,
                          "xmllint is not installed (scripts/setup installs libxml2-utils)");
    SPINDLE_NEEDS_FIXTURE(std::system("python3 --version > /dev/null 2>&1") == 0,
                          "python3 is not installed");
    SPINDLE_NEEDS_FIXTURE(
        fs::exists(kFixtures / "okuma.txt") && fs::exists(kFixtures / "Devices.xml"),
        "the Okuma log and its Devices.xml are absent from " << kFixtures);
    m_dir = fs::temp_directory_path() / ("spindle_conformance_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    if (!m_dir.empty()) fs::remove_all(m_dir);
  }

  fs::path save(const std::string& name, const std::string& body) {
    const fs::path p = m_dir / name;
    std::ofstream(p) << body;
    return p;
  }

  /// Runs `cmd`; returns "" when it exits 0, else its output.
  std::string run(const std::string& cmd) {
    const fs::path report = m_dir / "report.txt";
    if (std::system((cmd + " > " + report.string() + " 2>&1").c_str()) == 0) return "";
    std::ifstream in(report);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string validate(const std::string& body, const std::string& schema) {
    const fs::path doc = save("doc.xml", body);
    return run("xmllint --noout --nonet --schema " + (kFixtures / "schemas" / schema).string() +
               " " + doc.string());
  }

  const fs::path kFixtures = fixturePath("mtconnect");
  fs::path m_dir;
};

TEST_F(MtconnectConformance, OkumaLogWithItsDeviceFileMatchesAnIndependentReading) {
  LogReplay adapter(readFile((kFixtures / "okuma.txt").string()));
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  const std::string yaml = "edge:\n  data_dir: " + m_dir.string() + "\n  status_interval: 0s\n" +
                           loopbackSections(freePort()) +
                           "machines:\n  - id: okuma\n    type: shdr\n    host: 127.0.0.1\n"
                           "    port: " +
                           std::to_string(adapter.port()) +
                           "\n    device_file: " + (kFixtures / "Devices.xml").string() +
                           "\n    device: OKUMA\n";
  auto loaded = app::loadConfigText(yaml, (m_dir / "spindle.yaml").string(), registry);
  ASSERT_TRUE(loaded.config.has_value()) << loaded.diagnostics.describe();
  SystemClock clock;
  app::Gateway gateway(std::move(*loaded.config), loaded.text, {}, clock);
  ASSERT_TRUE(gateway.start().ok());
  const auto port = gateway.webPort();

  // The whole log is in once the sequence stops moving.
  std::uint64_t seen = 0;
  int still = 0;
  ASSERT_TRUE(eventually(
      [&] {
        const auto next = gateway.state().nextSequence();
        still = next == seen && next > 5000 ? still + 1 : 0;
        seen = next;
        std::this_thread::sleep_for(100ms);
        return still >= 10;
      },
      60s))
      << "observations: " << seen;

  const std::string probe = web::testing::httpGet(port, "/probe").body;
  const std::string current = web::testing::httpGet(port, "/current").body;
  EXPECT_EQ(validate(probe, "MTConnectDevices_2.2_1.0.xsd"), "") << probe.substr(0, 2000);
  EXPECT_EQ(validate(current, "MTConnectStreams_2.2.xsd"), "");
  EXPECT_EQ(
      validate(web::testing::httpGet(port, "/sample?count=1000").body, "MTConnectStreams_2.2.xsd"),
      "");
  EXPECT_EQ(validate(web::testing::httpGet(port,
                                           "/OKUMA/current?path=//DataItem[@category="
                                           "%22CONDITION%22]")
                         .body,
                     "MTConnectStreams_2.2.xsd"),
            "");

  const std::string script =
      std::string(SPINDLE_SOURCE_DIR) + "/tests/conformance/mtconnect_expectations.py";
  const std::string report =
      run("python3 " + script + " " + (kFixtures / "okuma.txt").string() + " " +
          (kFixtures / "Devices.xml").string() + " OKUMA " + save("probe.xml", probe).string() +
          " " + save("current.xml", current).string());
  EXPECT_EQ(report, "");
  gateway.stop();
}

}  // namespace
}  // namespace spindle::testing
