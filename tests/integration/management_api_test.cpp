// The management page's API (docs/web-api.md) against a running edge: three simulated machines
// collected over SHDR, a fourth waiting to be added, the configuration in a file. Every answer
// is scanned for the configured secrets.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/gateway.hpp"
#include "base/time.hpp"
#include "collectors/registry.hpp"
#include "journal/testing/journal_testing.hpp"
#include "process.hpp"
#include "sim/sim_server.hpp"
#include "web/testing/http_call.hpp"

namespace spindle {
namespace {

using nlohmann::json;
using testing::freePort;
using web::testing::HttpCall;
using web::testing::HttpReply;

constexpr const char* kNatsSecret = "n4tsS3cretWord";
constexpr const char* kProxySecret = "pr0xyS3cretWord";
constexpr const char* kAdminPassword = "correct horse battery staple";
constexpr const char* kViewerPassword = "viewer password 123";

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// An edge with the management page on loopback; the configuration file holds a secret.
class ManagementApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = std::make_unique<journal::testing::TempDir>("management_api");
    s_simIo = std::make_unique<boost::asio::io_context>();
    sim::SimOptions so;
    so.basePort = 0;
    so.machines = 4;
    so.timeScale = 20;
    s_sim = std::make_unique<sim::SimServer>(*s_simIo, so);
    ASSERT_TRUE(s_sim->start().ok());
    s_simThread = std::thread([] { s_simIo->run(); });
    s_port = freePort();
    std::string yaml = "edge:\n  id: api-edge\n  data_dir: " + (s_dir->path() / "data").string() +
                       "\n  status_interval: 0s\n" +
                       "net:\n  dns_preferred: []\n  resolv_conf: \"\"\n  ntp_servers: []\n" +
                       "web:\n  enabled: false\n  management:\n    bind: 127.0.0.1\n    port: " +
                       std::to_string(s_port) + "\n" +
                       // A NATS hub that is not there (port 1 refuses): its password is the
                       // secret no answer may carry.
                       "uplinks:\n  nats:\n    servers: ['nats://edge:" + kNatsSecret +
                       "@127.0.0.1:1']\n" + "machines:\n";
    for (size_t i = 0; i < 3; ++i) {
      yaml += "  - id: mill-" + std::to_string(i + 1) + "\n    type: shdr\n    host: 127.0.0.1\n" +
              "    port: " + std::to_string(s_sim->ports()[i]) + "\n";
    }
    s_config = s_dir->path() / "spindle.yaml";
    std::ofstream(s_config) << yaml;
    auto loaded = app::loadConfigFile(s_config.string(), collectors::builtinCollectors());
    ASSERT_TRUE(loaded.config.has_value()) << loaded.diagnostics.describe();
    s_gateway = std::make_unique<app::Gateway>(std::move(*loaded.config), loaded.text,
                                               app::RunOptions{}, s_clock);
    ASSERT_TRUE(s_gateway->start().ok());
    ASSERT_EQ(s_gateway->managementPort(), s_port);
  }

  static void TearDownTestSuite() {
    if (s_gateway) s_gateway->stop();
    s_gateway.reset();
    if (s_sim) s_sim->stop();
    if (s_simIo) s_simIo->stop();
    if (s_simThread.joinable()) s_simThread.join();
    s_sim.reset();
    s_simIo.reset();
    s_dir.reset();
  }

  /// One request; its answer must not carry any secret of the configuration.
  static HttpReply call(HttpCall c) {
    auto r = web::testing::httpCall(s_port, c);
    for (const char* secret : {kNatsSecret, kAdminPassword, kViewerPassword, kProxySecret}) {
      EXPECT_EQ(r.body.find(secret), std::string::npos)
          << c.method << " " << c.target << " answered a secret: " << r.body.substr(0, 300);
    }
    return r;
  }

  static HttpReply get(const std::string& target, const std::string& cookie = "") {
    HttpCall c;
    c.target = target;
    if (!cookie.empty()) c.headers.emplace_back("Cookie", cookie);
    return call(c);
  }

  /// A state-changing request as the page sends it.
  static HttpReply send(const std::string& method, const std::string& target, const json& body,
                        const std::string& cookie = "", const std::string& csrf = "") {
    HttpCall c;
    c.method = method;
    c.target = target;
    if (!body.is_null()) {
      c.body = body.dump();
      c.headers.emplace_back("Content-Type", "application/json");
    }
    if (!cookie.empty()) c.headers.emplace_back("Cookie", cookie);
    if (!csrf.empty()) c.headers.emplace_back("X-CSRF-Token", csrf);
    c.headers.emplace_back("Origin", "http://127.0.0.1:" + std::to_string(s_port));
    return call(c);
  }

  /// The cookie pair ("spindle_session=...") a login set.
  static std::string cookieOf(const HttpReply& r) {
    const auto set = r.header("set-cookie");
    return set.substr(0, set.find(';'));
  }

  /// Logs in as the admin. The first call (whichever test makes it) goes through the first
  /// start: no account, the setup code in a file only the edge's user reads, a wrong code
  /// refused, the right one taken once.
  static std::pair<std::string, std::string> admin() {
    const auto setupFile = s_dir->path() / "data" / "management-setup-code";
    if (!s_setUp) {
      s_setUp = true;
      EXPECT_TRUE(json::parse(get("/api/v1/session").body)["setup_required"].get<bool>());
      EXPECT_EQ(
          send("POST", "/api/v1/login", {{"user", "admin"}, {"password", kAdminPassword}}).status,
          401);
      EXPECT_EQ(std::filesystem::status(setupFile).permissions() & std::filesystem::perms::all,
                std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      auto wrong =
          send("POST", "/api/v1/setup",
               {{"setup_code", "0123456789abcdef0123456789abcdef"}, {"password", kAdminPassword}});
      EXPECT_EQ(wrong.status, 403);
      std::string code = readFile(setupFile);
      code.erase(code.find_last_not_of("\n") + 1);
      auto r = send("POST", "/api/v1/setup", {{"setup_code", code}, {"password", kAdminPassword}});
      EXPECT_EQ(r.status, 201) << r.body;
      EXPECT_FALSE(std::filesystem::exists(setupFile)) << "the setup code is used once";
      auto again = send("POST", "/api/v1/setup", {{"setup_code", code}, {"password", "x"}});
      EXPECT_EQ(again.status, 409);
    }
    auto r = send("POST", "/api/v1/login", {{"user", "admin"}, {"password", kAdminPassword}});
    EXPECT_EQ(r.status, 200) << r.body;
    return {cookieOf(r), json::parse(r.body, nullptr, false).value("csrf", "")};
  }

  static inline std::unique_ptr<journal::testing::TempDir> s_dir;
  static inline std::unique_ptr<boost::asio::io_context> s_simIo;
  static inline std::unique_ptr<sim::SimServer> s_sim;
  static inline std::thread s_simThread;
  static inline std::filesystem::path s_config;
  static inline SystemClock s_clock;
  static inline std::unique_ptr<app::Gateway> s_gateway;
  static inline std::uint16_t s_port = 0;
  static inline bool s_setUp = false;
};

TEST_F(ManagementApi, NothingIsReadableWithoutALogin) {
  for (const char* target :
       {"/api/v1/edge", "/api/v1/machines", "/api/v1/machines/mill-1",
        "/api/v1/machines/mill-1/history?item=spindle_speed", "/api/v1/machines/mill-1/raw",
        "/api/v1/protocols", "/api/v1/network", "/api/v1/netcheck/profiles", "/api/v1/cloud",
        "/api/v1/journal", "/api/v1/logs", "/api/v1/diagnostics", "/api/v1/events",
        "/api/v1/users"}) {
    const auto r = get(target);
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), "unauthenticated") << target;
  }
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/api/v1/machines/mill-1/restart"},
                                                        {"POST", "/api/v1/machines"},
                                                        {"PUT", "/api/v1/network"},
                                                        {"POST", "/api/v1/netcheck"},
                                                        {"POST", "/api/v1/journal/verify"},
                                                        {"POST", "/api/v1/users"}}) {
    EXPECT_EQ(send(method, target, json::object()).status, 401) << method << " " << target;
  }
  // A session cookie that was never issued is no session.
  EXPECT_EQ(get("/api/v1/edge", "spindle_session=forged").status, 401);
  // The page itself and its session answer are open (the login screen needs them).
  EXPECT_EQ(get("/").status, 200);
  const auto session = json::parse(get("/api/v1/session").body, nullptr, false);
  EXPECT_FALSE(session.value("authenticated", true));
}

TEST_F(ManagementApi, FirstStartTakesTheSetupCodeOnceThenLogsIn) {
  auto [cookie, csrf] = admin();  // the first start's checks run in the first admin() call
  EXPECT_FALSE(std::filesystem::exists(s_dir->path() / "data" / "management-setup-code"));
  EXPECT_FALSE(json::parse(get("/api/v1/session").body)["setup_required"].get<bool>());
  EXPECT_EQ(
      send("POST", "/api/v1/login", {{"user", "admin"}, {"password", "wrong password"}}).status,
      401);
  const auto session = json::parse(get("/api/v1/session", cookie).body);
  EXPECT_EQ(session["role"], "admin");
  EXPECT_EQ(session["csrf"], csrf);
}

TEST_F(ManagementApi, ChangesNeedTheCsrfTokenAndThisOrigin) {
  auto [cookie, csrf] = admin();
  EXPECT_EQ(send("POST", "/api/v1/machines/mill-2/restart", nullptr, cookie).status, 403);
  EXPECT_EQ(send("POST", "/api/v1/machines/mill-2/restart", nullptr, cookie, "wrong").status, 403);
  HttpCall foreign;
  foreign.method = "POST";
  foreign.target = "/api/v1/machines/mill-2/restart";
  foreign.headers = {
      {"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", "http://evil.example:8080"}};
  auto r = call(foreign);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body)["error"], "origin");
  foreign.headers = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Sec-Fetch-Site", "cross-site"}};
  EXPECT_EQ(call(foreign).status, 403);
  HttpCall noHost;
  noHost.target = "/api/v1/session";
  noHost.host = false;
  EXPECT_EQ(call(noHost).status, 400);
  EXPECT_EQ(send("POST", "/api/v1/machines/mill-2/restart", nullptr, cookie, csrf).status, 204);
  EXPECT_EQ(send("POST", "/api/v1/machines/nope/restart", nullptr, cookie, csrf).status, 404);
}

TEST_F(ManagementApi, AViewerReadsButChangesNothing) {
  auto [cookie, csrf] = admin();
  auto made =
      send("POST", "/api/v1/users",
           {{"user", "operator"}, {"role", "viewer"}, {"password", kViewerPassword}}, cookie, csrf);
  ASSERT_EQ(made.status, 201) << made.body;
  auto login = send("POST", "/api/v1/login", {{"user", "operator"}, {"password", kViewerPassword}});
  ASSERT_EQ(login.status, 200);
  const auto viewer = cookieOf(login);
  const auto viewerCsrf = json::parse(login.body)["csrf"].get<std::string>();
  EXPECT_EQ(get("/api/v1/machines", viewer).status, 200);
  EXPECT_EQ(get("/api/v1/users", viewer).status, 403);
  EXPECT_EQ(get("/api/v1/diagnostics", viewer).status, 403);
  EXPECT_EQ(send("POST", "/api/v1/machines/mill-1/restart", nullptr, viewer, viewerCsrf).status,
            403);
  EXPECT_EQ(
      send("PUT", "/api/v1/network", {{"dns", {{"preferred", {"127.0.0.1"}}}}}, viewer, viewerCsrf)
          .status,
      403);
  // Logout ends the session: the same cookie is refused after it.
  EXPECT_EQ(send("POST", "/api/v1/logout", nullptr, viewer, viewerCsrf).status, 204);
  EXPECT_EQ(get("/api/v1/machines", viewer).status, 401);
  // The last admin cannot go.
  EXPECT_EQ(send("DELETE", "/api/v1/users/admin", nullptr, cookie, csrf).status, 409);
  EXPECT_EQ(send("DELETE", "/api/v1/users/operator", nullptr, cookie, csrf).status, 204);
}

TEST_F(ManagementApi, OversizedAndForeignBodiesAreRefused) {
  auto [cookie, csrf] = admin();
  HttpCall big;
  big.method = "PUT";
  big.target = "/api/v1/network";
  big.body = std::string(70 * 1024, ' ');
  big.headers = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}};
  EXPECT_EQ(call(big).status, 413);
  HttpCall text = big;
  text.body = "dns=8.8.8.8";
  text.headers = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "text/plain"}};
  EXPECT_EQ(call(text).status, 415);
  HttpCall broken = big;
  broken.body = "{\"dns\": ";
  EXPECT_EQ(call(broken).status, 400);
  HttpCall head;
  head.target = "/api/v1/session";
  head.headers = {{"X-Filler", std::string(20 * 1024, 'a')}};
  EXPECT_EQ(call(head).status, 431);
}

TEST_F(ManagementApi, ShowsTheEdgeItsMachinesAndTheirValues) {
  auto [cookie, csrf] = admin();
  json machines;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  bool flowing = false;
  while (!flowing && std::chrono::steady_clock::now() < deadline) {
    machines = json::parse(get("/api/v1/machines", cookie).body);
    flowing = machines.size() == 3;
    for (const auto& m : machines)
      flowing = flowing && m["state"] == "connected" && m["rate"].is_number() &&
                m["rate"].get<double>() > 0;
    if (!flowing) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(flowing) << machines.dump();
  EXPECT_EQ(machines[0]["id"], "mill-1");
  EXPECT_EQ(machines[0]["address"], "127.0.0.1");
  EXPECT_EQ(machines[0]["port"], s_sim->ports()[0]);
  const auto edge = json::parse(get("/api/v1/edge", cookie).body);
  EXPECT_EQ(edge["edge"], "api-edge");
  EXPECT_EQ(edge["machines"]["connected"], 3);
  EXPECT_GT(edge["disk"]["total_bytes"].get<double>(), 0);
  const auto detail = json::parse(get("/api/v1/machines/mill-1", cookie).body);
  bool speed = false;
  for (const auto& item : detail["items"])
    speed = speed || (item["key"] == "spindle_speed" && item["numeric"] == true);
  EXPECT_TRUE(speed) << detail.dump().substr(0, 500);
  EXPECT_NE(detail["config"].get<std::string>().find("type: shdr"), std::string::npos);
  const auto history = json::parse(
      get("/api/v1/machines/mill-1/history?item=spindle_speed&seconds=600", cookie).body);
  EXPECT_FALSE(history["points"].empty());
  EXPECT_EQ(get("/api/v1/machines/mill-1/history?item=no_such_item", cookie).status, 404);
  // Raw keys: recorded only once the page asks, then the collector's next values show.
  json raw;
  const auto rawDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    raw = json::parse(get("/api/v1/machines/mill-1/raw", cookie).body);
    if (raw["keys"].empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (raw["keys"].empty() && std::chrono::steady_clock::now() < rawDeadline);
  ASSERT_FALSE(raw["keys"].empty()) << raw.dump();
  EXPECT_EQ(raw["watch_seconds"], 60);
  const double now = static_cast<double>(wallClockNs()) / 1e9;
  for (const auto& k : raw["keys"]) {
    EXPECT_FALSE(k["key"].get<std::string>().empty()) << k.dump();
    EXPECT_TRUE(k["published"].is_boolean()) << k.dump();
    EXPECT_TRUE(k.contains("value")) << k.dump();
    EXPECT_NEAR(k["time"].get<double>(), now, 60.0) << k.dump();
  }
  EXPECT_EQ(get("/api/v1/machines/no-such-mill/raw", cookie).status, 404);
  const auto cloud = json::parse(get("/api/v1/cloud", cookie).body);
  ASSERT_TRUE(cloud["nats"].is_object()) << cloud.dump();
  EXPECT_EQ(cloud["nats"]["state"], "disconnected");
  EXPECT_NE(cloud["nats"]["servers"].dump().find("127.0.0.1:1"), std::string::npos) << cloud.dump();
  EXPECT_TRUE(cloud["nats"]["link"].is_string()) << cloud.dump();
  EXPECT_EQ(cloud["config"]["source"], "file");
  // The diagnostics bundle: one file, the configuration in it redacted.
  const auto bundle = get("/api/v1/diagnostics", cookie);
  EXPECT_EQ(bundle.status, 200);
  EXPECT_NE(bundle.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_NE(bundle.body.find("uplinks"), std::string::npos);
  // Prometheus text, open by default.
  const auto metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("spindle_machine_up{machine=\"mill-1\",type=\"shdr\"} 1"),
            std::string::npos);
  // The journal has synced by now: its fsync latency histogram is there, counted.
  EXPECT_NE(metrics.body.find("# TYPE spindle_journal_fsync_seconds histogram"), std::string::npos);
  EXPECT_NE(metrics.body.find("spindle_journal_fsync_seconds_bucket{le=\"+Inf\"} "),
            std::string::npos);
  EXPECT_EQ(metrics.body.find("spindle_journal_fsync_seconds_count 0\n"), std::string::npos)
      << "no sync counted";
}

TEST_F(ManagementApi, AMachineAddedIsCheckedSavedAndConnects) {
  auto [cookie, csrf] = admin();
  auto bad = send("POST", "/api/v1/machines",
                  {{"id", "mill-4"}, {"type", "shdr"}, {"host", "127.0.0.1"}, {"port", 99999}},
                  cookie, csrf);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_FALSE(json::parse(bad.body)["diagnostics"].empty());
  EXPECT_EQ(readFile(s_config).find("mill-4"), std::string::npos) << "nothing saved";
  auto good =
      send("POST", "/api/v1/machines",
           {{"id", "mill-4"}, {"type", "shdr"}, {"host", "127.0.0.1"}, {"port", s_sim->ports()[3]}},
           cookie, csrf);
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_NE(readFile(s_config).find("mill-4"), std::string::npos);
  EXPECT_NE(readFile(s_config.string() + ".bak").find("mill-3"), std::string::npos);
  EXPECT_EQ(readFile(s_config.string() + ".bak").find("mill-4"), std::string::npos);
  EXPECT_EQ(
      send("POST", "/api/v1/machines", {{"id", "mill-4"}, {"type", "shdr"}}, cookie, csrf).status,
      409);
  bool connected = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!connected && std::chrono::steady_clock::now() < deadline) {
    for (const auto& m : json::parse(get("/api/v1/machines", cookie).body)) {
      connected = connected || (m["id"] == "mill-4" && m["state"] == "connected");
    }
    if (!connected) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(connected);
  // DNS and NTP settings: checked, written to the file, and in force at once.
  auto dns = send("PUT", "/api/v1/network",
                  {{"dns", {{"preferred", {"127.0.0.53"}}, {"servers", {"127.0.0.54"}}}},
                   {"ntp", {{"servers", {"127.0.0.1:9"}}}}},
                  cookie, csrf);
  ASSERT_EQ(dns.status, 200) << dns.body;
  EXPECT_NE(readFile(s_config).find("127.0.0.53"), std::string::npos);
  EXPECT_EQ(json::parse(dns.body)["pending_restart"], json::array()) << dns.body;
  auto network = [&] { return json::parse(get("/api/v1/network", cookie).body); };
  auto until = [](auto done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  };
  // The chain now asks the new preferred server first; the clock check ran on the new NTP
  // server (nothing answers on port 9: untrusted, and it says why).
  EXPECT_TRUE(until([&] {
    const auto n = network();
    return n["dns"]["in_use"].is_object() &&
           n["dns"]["in_use"]["server"].get<std::string>().find("127.0.0.53") == 0;
  })) << network().dump();
  EXPECT_TRUE(until([&] { return network()["ntp"]["state"] == "untrusted"; })) << network().dump();
  EXPECT_NE(network()["ntp"]["reason"].get<std::string>().find("127.0.0.1:9"), std::string::npos)
      << network().dump();
  auto off = send("PUT", "/api/v1/network", {{"ntp", {{"servers", json::array()}}}}, cookie, csrf);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_TRUE(until([&] { return network()["ntp"]["state"] == "unknown"; })) << network().dump();
  // The proxy: its password goes to a file of the edge's (0600), never into the configuration
  // nor back to the page (send() scans every answer for it).
  auto proxy = send("PUT", "/api/v1/network",
                    {{"proxy",
                      {{"url", "http://127.0.0.1:3128"},
                       {"no_proxy", {".plant.local"}},
                       {"user", "edge"},
                       {"password", kProxySecret}}}},
                    cookie, csrf);
  ASSERT_EQ(proxy.status, 200) << proxy.body;
  const std::string saved = readFile(s_config);
  EXPECT_EQ(saved.find(kProxySecret), std::string::npos);
  EXPECT_NE(saved.find("proxy_credentials"), std::string::npos) << saved;
  const auto credentials = s_dir->path() / "data" / "proxy-credentials";
  EXPECT_EQ(readFile(credentials), std::string("edge:") + kProxySecret + "\n");
  EXPECT_EQ(std::filesystem::status(credentials).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto shown = network()["proxy"];
  EXPECT_EQ(shown["in_use"]["description"], "http://127.0.0.1:3128 as user 'edge'") << shown;
  EXPECT_EQ(shown["credentials"], true);
  EXPECT_EQ(
      send("PUT", "/api/v1/network", {{"proxy", {{"url", "https://127.0.0.1:3128"}}}}, cookie, csrf)
          .status,
      422)
      << "an https:// proxy is refused as spindle validate refuses it";
  auto none =
      send("PUT", "/api/v1/network",
           {{"proxy", {{"url", ""}, {"no_proxy", json::array()}, {"clear_credentials", true}}}},
           cookie, csrf);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_FALSE(std::filesystem::exists(credentials));
  EXPECT_TRUE(network()["proxy"]["in_use"].is_null()) << network()["proxy"];
  auto badDns =
      send("PUT", "/api/v1/network", {{"dns", {{"preferred", {"not an address"}}}}}, cookie, csrf);
  EXPECT_EQ(badDns.status, 422) << badDns.body;
  EXPECT_EQ(send("DELETE", "/api/v1/machines/mill-4", nullptr, cookie, csrf).status, 200);
  EXPECT_EQ(readFile(s_config).find("mill-4"), std::string::npos);
}

TEST_F(ManagementApi, LiveEventsStreamTheMachinesAndValues) {
  auto [cookie, csrf] = admin();
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), s_port});
  const std::string request =
      "GET /api/v1/events?machine=mill-1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(s_port) +
      "\r\nCookie: " + cookie + "\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         (seen.find("event: machines") == std::string::npos ||
          seen.find("event: values") == std::string::npos ||
          seen.find("event: edge") == std::string::npos)) {
    char buffer[4096];
    const auto n = socket.read_some(asio::buffer(buffer));
    seen.append(buffer, n);
  }
  EXPECT_NE(seen.find("text/event-stream"), std::string::npos);
  EXPECT_NE(seen.find("event: machines"), std::string::npos);
  EXPECT_NE(seen.find("event: values"), std::string::npos);
  EXPECT_NE(seen.find("event: edge"), std::string::npos);
  EXPECT_EQ(seen.find(kNatsSecret), std::string::npos);
}

TEST_F(ManagementApi, TheNetworkCheckOfTheMachinePorts) {
  auto [cookie, csrf] = admin();
  auto r = send("POST", "/api/v1/netcheck", {{"profile", "machines"}}, cookie, csrf);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(std::to_string(s_sim->ports()[0])), std::string::npos) << r.body;
  auto unknown = send("POST", "/api/v1/netcheck", {{"profile", "nope"}}, cookie, csrf);
  EXPECT_EQ(unknown.status, 400);
  auto verify = send("POST", "/api/v1/journal/verify", nullptr, cookie, csrf);
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_TRUE(json::parse(verify.body)["clean"].get<bool>());
}

}  // namespace
}  // namespace spindle

namespace spindle {
namespace {

// HTTPS with the self-signed certificate made on the first start, the admin password from a
// file, and the login throttle.
TEST(ManagementTls, ServesHttpsWithItsOwnCertificateAndThrottlesLogins) {
  journal::testing::TempDir dir("management_tls");
  const auto data = dir.path() / "data";
  std::filesystem::create_directories(data);
  std::ofstream(dir.path() / "admin-password") << kAdminPassword << "\n";
  const auto port = freePort();
  const std::string yaml =
      "edge:\n  id: tls-edge\n  data_dir: " + data.string() + "\n  status_interval: 0s\n" +
      "net:\n  dns_preferred: []\n  resolv_conf: \"\"\n  ntp_servers: []\n" +
      "web:\n  enabled: false\n  management:\n    bind: 127.0.0.1\n    port: " +
      std::to_string(port) +
      "\n    tls: true\n    admin_password_file: " + (dir.path() / "admin-password").string() +
      "\n" + "machines:\n  - id: m1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
      std::to_string(freePort()) + "\n";
  auto loaded = app::loadConfigText(yaml, "tls.yaml", collectors::builtinCollectors());
  ASSERT_TRUE(loaded.config.has_value()) << loaded.diagnostics.describe();
  SystemClock clock;
  app::Gateway gateway(std::move(*loaded.config), loaded.text, {}, clock);
  ASSERT_TRUE(gateway.start().ok());
  const std::string cert = (data / "management-cert.pem").string();
  ASSERT_TRUE(std::filesystem::exists(cert));
  EXPECT_EQ(std::filesystem::status(data / "management-key.pem").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto login = [&](const std::string& password) {
    HttpCall c;
    c.method = "POST";
    c.target = "/api/v1/login";
    c.trustPem = cert;
    c.body = json{{"user", "admin"}, {"password", password}}.dump();
    c.headers = {{"Content-Type", "application/json"},
                 {"Origin", "https://127.0.0.1:" + std::to_string(port)}};
    return web::testing::httpCall(port, c);
  };
  const auto ok = login(kAdminPassword);
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto cookie = ok.header("set-cookie");
  for (const char* attribute : {"HttpOnly", "SameSite=Strict", "Secure"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << cookie;
  }
  HttpCall session;
  session.target = "/api/v1/session";
  session.trustPem = cert;
  EXPECT_NE(web::testing::httpCall(port, session).header("strict-transport-security"), "");
  // Plain HTTP on the TLS port gets no page.
  HttpCall plain;
  plain.target = "/api/v1/session";
  EXPECT_ANY_THROW(web::testing::httpCall(port, plain));
  // Five wrong passwords lock this address; the sixth attempt is not even checked.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login("not the password").status, 401) << i;
  const auto locked = login(kAdminPassword);
  EXPECT_EQ(locked.status, 429);
  EXPECT_GE(std::stoi(locked.header("retry-after")), 1);
  EXPECT_NE(locked.body.find("try again in"), std::string::npos) << locked.body;
  gateway.stop();
}

}  // namespace
}  // namespace spindle
