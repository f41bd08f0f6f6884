// The modbus_tcp collector against an independent server: pymodbus (Debian's python3-pymodbus)
// run by tests/tools/modbus_test_server.py, started and stopped by PID on loopback. Every type
// and word order with values encoded by the server's own code, coalescing counted by the
// server, an illegal address found once, a server killed and restarted mid-poll while a second
// device keeps being read, a server that accepts and never answers, and replies so late that
// they arrive after the request timed out.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "collectors/modbus_tcp/modbus_tcp_collector.hpp"
#include "collectors/testing/fake_context.hpp"
#include "process.hpp"
#include "transform/script_loader.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using collectors::modbus_tcp::ModbusTcpCollector;
using collectors::modbus_tcp::ModbusTcpOptions;
using collectors::testing::FakeContext;

constexpr const char* kPython = "/usr/bin/python3";

bool pymodbusPresent() {
  return std::system("/usr/bin/python3 -c 'import pymodbus.server' > /dev/null 2>&1") == 0;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

/// One pymodbus server process and its state folder.
class PyServer {
 public:
  PyServer(const fs::path& dir, std::uint16_t port, std::vector<std::string> extra = {})
      : m_dir(dir), m_port(port) {
    fs::create_directories(dir);
    std::vector<std::string> argv{kPython, SPINDLE_SOURCE_DIR "/tests/tools/modbus_test_server.py",
                                  std::to_string(port), dir.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    m_process =
        std::make_unique<Process>(argv, (dir / "out.txt").string(), (dir / "err.txt").string());
    // Ready once it accepts a connection (it prints before it binds).
    m_ready = eventually([&] { return accepts(port); }, 15s);
  }
  bool ready() const { return m_ready; }
  void kill() { m_process->kill(SIGKILL); }
  std::uint16_t port() const { return m_port; }
  std::string errors() const { return readFile((m_dir / "err.txt").string()); }

  /// Requests the server saw for `function` (its own count, refreshed every 50 ms).
  std::uint64_t requests(int function) const {
    std::istringstream in(readFile((m_dir / "requests.txt").string()));
    int fc = 0;
    std::uint64_t n = 0;
    while (in >> fc >> n) {
      if (fc == function) return n;
    }
    return 0;
  }

 private:
  fs::path m_dir;
  std::uint16_t m_port;
  std::unique_ptr<Process> m_process;
  bool m_ready = false;
};

std::shared_ptr<const transform::CompiledScript> script(const std::string& text) {
  auto compiled = transform::compileScript(text, "test.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().describe()) << text;
  return compiled ? *compiled : nullptr;
}

ModbusTcpOptions options(std::uint16_t port) {
  ModbusTcpOptions o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.pollInterval = 50ms;
  o.readTimeout = 500ms;
  o.reconnectMin = 50ms;
  o.reconnectMax = 300ms;
  return o;
}

std::string text(const std::optional<model::Value>& v) {
  if (!v) return "(none)";
  if (model::isUnavailable(*v)) return "UNAVAILABLE";
  if (auto* b = std::get_if<bool>(&*v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<std::int64_t>(&*v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&*v)) {
    std::ostringstream s;
    s.precision(17);
    s << *d;
    return s.str();
  }
  if (auto* s = std::get_if<std::string>(&*v)) return *s;
  return "?";
}

class ModbusPymodbus : public ::testing::Test {
 protected:
  void SetUp() override {
    SPINDLE_NEEDS_FIXTURE(pymodbusPresent(),
                          "python3-pymodbus (with python3-serial-asyncio) is not installed");
    m_dir = fs::temp_directory_path() /
            ("spindle_modbus_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

TEST_F(ModbusPymodbus, EveryTypeAndWordOrderDecodesToTheServersValues) {
  const auto port = freePortRange(1);
  PyServer server(m_dir / "s", port);
  ASSERT_TRUE(server.ready()) << server.errors();
  // The manifest names each value, its address, type, order and the value the server encoded.
  std::istringstream manifest(readFile((m_dir / "s" / "manifest.txt").string()));
  std::string yaml = "version: 2\nregisters:\n";
  std::map<std::string, std::string> expected;
  std::map<std::string, std::string> types;
  for (std::string name, address, type, order, value;
       manifest >> name >> address >> type >> order >> value;) {
    std::string spec = "{address: " + address;
    if (type.rfind("bit", 0) == 0) {
      spec += ", bit: " + type.substr(3);
    } else if (type == "string") {
      spec += ", type: string, length: 4";
    } else {
      spec += ", type: " + type + ", order: " + order;
    }
    yaml += "  " + name + ": " + spec + "}\n";
    expected[name] = value;
    types[name] = type;
  }
  ASSERT_EQ(expected.size(), 35u) << "8 types x 4 orders, a string and two bits";
  yaml += "coils:\n  c1: 1\n  d2: {ref: 10003}\n  d1: {address: 1, address-space: 1}\n";
  yaml += "passthrough: false\ndata-items: [";
  for (const auto& [name, v] : expected) yaml += name + ", ";
  yaml += "c1, d2, d1]\n";
  expected["c1"] = "true";
  expected["d2"] = "true";
  expected["d1"] = "false";
  FakeContext ctx;
  ctx.setScript(script(yaml));
  ModbusTcpCollector collector(options(port));
  ASSERT_TRUE(collector.start(ctx));
  for (const auto& [name, value] : expected) {
    const bool floating = types[name].rfind("float", 0) == 0 || types[name] == "uint64";
    EXPECT_TRUE(eventually(
        [&] {
          const auto got = ctx.latest(name);
          if (!floating) return text(got) == value;
          if (!got || model::isUnavailable(*got)) return false;
          const double want = std::stod(value);
          const double have = std::holds_alternative<double>(*got)
                                  ? std::get<double>(*got)
                                  : static_cast<double>(std::get<std::int64_t>(*got));
          return std::abs(have - want) <= std::abs(want) * 1e-12;
        },
        10s))
        << name << ": expected " << value << ", got " << text(ctx.latest(name));
  }
  collector.stop();
}

TEST_F(ModbusPymodbus, AdjacentRegistersAreReadInOneRequestAsTheServerCountsThem) {
  const auto port = freePortRange(1);
  PyServer server(m_dir / "s", port);
  ASSERT_TRUE(server.ready()) << server.errors();
  // 3 holding registers 0, 10, 20 (one request with max_gap 16, three with 0) and one input
  // register: the input register's count is the number of polls.
  const auto map = script(
      "version: 2\nregisters:\n  a: 0\n  b: 10\n  c: 20\n  i: {ref: 30001}\n"
      "data-items: [a, b, c, i]\n");
  for (const std::int64_t gap : {16, 0}) {
    PyServer counted(m_dir / ("gap" + std::to_string(gap)), freePortRange(1));
    ASSERT_TRUE(counted.ready()) << counted.errors();
    FakeContext ctx;
    ctx.setScript(map);
    auto o = options(counted.port());
    o.maxGap = gap;
    ModbusTcpCollector collector(o);
    ASSERT_TRUE(collector.start(ctx));
    ASSERT_TRUE(eventually([&] { return counted.requests(4) >= 10; }, 15s));
    collector.stop();
    std::this_thread::sleep_for(200ms);  // the server's count file catches up
    const double perPoll =
        static_cast<double>(counted.requests(3)) / static_cast<double>(counted.requests(4));
    if (gap == 16) {
      EXPECT_NEAR(perPoll, 1.0, 0.15) << counted.requests(3) << " / " << counted.requests(4);
    } else {
      EXPECT_NEAR(perPoll, 3.0, 0.3) << counted.requests(3) << " / " << counted.requests(4);
    }
  }
}

TEST_F(ModbusPymodbus, AnIllegalAddressIsFoundOnceAndTheRestKeepsBeingRead) {
  const auto port = freePortRange(1);
  PyServer server(m_dir / "s", port);
  ASSERT_TRUE(server.ready()) << server.errors();
  FakeContext ctx;
  ctx.setScript(
      script("version: 2\nregisters:\n  a: 498\n  b: 499\n  bad: 505\n  c: 511\n"
             "data-items: [a, b, bad, c]\n"));
  ModbusTcpCollector collector(options(port));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(eventually([&] { return text(ctx.latest("a")) == "498"; }));
  EXPECT_TRUE(eventually([&] { return text(ctx.latest("b")) == "499"; }));
  EXPECT_TRUE(eventually([&] { return text(ctx.latest("c")) == "511"; }));
  EXPECT_TRUE(eventually([&] { return collector.stats().badAddresses == 1; }));
  EXPECT_EQ(text(ctx.latest("bad")), "UNAVAILABLE");
  const auto exceptions = collector.stats().exceptions;
  const auto answers = collector.stats().answers;
  EXPECT_TRUE(eventually([&] { return collector.stats().answers > answers + 20; }));
  EXPECT_EQ(collector.stats().exceptions, exceptions) << "the bad address is asked again";
  EXPECT_LE(exceptions, 3u);
  collector.stop();
}

TEST_F(ModbusPymodbus, AKilledServerIsReconnectedAndAnotherDeviceNeverStalls) {
  const auto base = freePortRange(2);
  auto first = std::make_unique<PyServer>(m_dir / "first", base);
  PyServer second(m_dir / "second", static_cast<std::uint16_t>(base + 1));
  ASSERT_TRUE(first->ready() && second.ready()) << first->errors() << second.errors();
  const auto map = script("version: 2\nregisters:\n  tick: 900\n  v: 499\ndata-items: [tick, v]\n");
  FakeContext one("one"), two("two");
  one.setScript(map);
  two.setScript(map);
  ModbusTcpCollector a(options(base)), b(options(static_cast<std::uint16_t>(base + 1)));
  ASSERT_TRUE(a.start(one));
  ASSERT_TRUE(b.start(two));
  ASSERT_TRUE(eventually([&] { return text(one.latest("v")) == "499"; }));
  ASSERT_TRUE(eventually([&] { return text(two.latest("v")) == "499"; }));
  first->kill();  // mid-poll: every 50 ms
  EXPECT_TRUE(eventually([&] { return text(one.latest("v")) == "UNAVAILABLE"; }));
  // The other device's counter keeps moving while the first is gone.
  for (int i = 0; i < 3; ++i) {
    const auto before = text(two.latest("tick"));
    EXPECT_TRUE(eventually([&] { return text(two.latest("tick")) != before; }, 2s));
  }
  EXPECT_NE(text(two.latest("v")), "UNAVAILABLE");
  first = std::make_unique<PyServer>(m_dir / "first2", base);
  ASSERT_TRUE(first->ready()) << first->errors();
  EXPECT_TRUE(eventually([&] { return text(one.latest("v")) == "499"; }));
  a.stop();
  b.stop();
}

TEST_F(ModbusPymodbus, AServerThatNeverAnswersIsDroppedAndRetriedWithBackoff) {
  const auto port = freePortRange(1);
  PyServer silent(m_dir / "s", port, {"--silent"});
  ASSERT_TRUE(silent.ready()) << silent.errors();
  FakeContext ctx;
  ctx.setScript(script("version: 2\nregisters:\n  a: 0\ndata-items: [a]\n"));
  auto o = options(port);
  o.readTimeout = 100ms;
  o.maxTimeouts = 2;
  ModbusTcpCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(
      eventually([&] { return ctx.stateCount(collectors::ConnectionState::kBackoff) >= 3; }));
  EXPECT_GE(collector.stats().timeouts, 4u);
  EXPECT_EQ(collector.stats().answers, 0u);
  EXPECT_NE(text(ctx.latest("a")), "-12345");
  collector.stop();
}

TEST_F(ModbusPymodbus, AReplyAfterTheTimeoutIsDroppedNotTakenForTheNextAnswer) {
  const auto port = freePortRange(1);
  PyServer slow(m_dir / "s", port, {"--delay", "0.3"});
  ASSERT_TRUE(slow.ready()) << slow.errors();
  FakeContext ctx;
  // Two requests of different lengths in turn: a stale answer to one would not even fit the
  // other, and a value taken from it would be wrong.
  ctx.setScript(
      script("version: 2\nregisters:\n  a: {address: 0, type: int16}\n"
             "  b: {address: 499}\ndata-items: [a, b]\n"));
  auto o = options(port);
  o.readTimeout = 200ms;
  o.maxTimeouts = 1000;
  o.maxGap = 0;
  ModbusTcpCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(eventually([&] { return collector.stats().staleReplies >= 3; }, 20s));
  EXPECT_EQ(collector.stats().answers, 0u);
  for (const auto& obs : ctx.observations()) {
    EXPECT_TRUE(model::isUnavailable(obs.value) ||
                ctx.catalog().item(obs.item).key == "connection_status")
        << ctx.catalog().item(obs.item).key << " = " << text(obs.value);
  }
  collector.stop();
}

}  // namespace
}  // namespace spindle::testing
