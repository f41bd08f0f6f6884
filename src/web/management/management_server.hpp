#pragma once
/// ManagementServer: the edge's management page and its JSON API (/api/v1, docs/web-api.md),
/// Prometheus /metrics (docs/metrics.md) and live updates (server-sent events), on its own
/// listener beside the MTConnect interface. Everything it shows or changes goes through the
/// EdgeApi; the page's files are compiled in (assets.hpp).
///
/// Threads: the HTTP work runs on the gateway's io_context; what is slow (scrypt, the network
/// check, verifying the journal) runs on the server's own worker thread, one job at a time.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "app/edge_api.hpp"
#include "base/time.hpp"
#include "control/process_stats.hpp"
#include "web/http_server.hpp"
#include "web/management/accounts.hpp"
#include "web/management/login_throttle.hpp"
#include "web/management/management_options.hpp"
#include "web/management/sessions.hpp"
#include "web/management/slow_worker.hpp"

namespace YAML {
class Node;
}

namespace spindle::web::management {

class LiveClient;

/// What the server needs to know of the edge besides the EdgeApi.
struct EdgeIdentity {
  std::string edgeId;
  std::string dataDir;  ///< accounts, the setup code and the self-signed certificate go here
};

class ManagementServer : public std::enable_shared_from_this<ManagementServer> {
 public:
  /// The api, io_context and clock outlive the server.
  ManagementServer(boost::asio::io_context& io, ManagementOptions options, app::EdgeApi& api,
                   EdgeIdentity identity, const Clock& clock);
  ~ManagementServer();
  ManagementServer(const ManagementServer&) = delete;
  ManagementServer& operator=(const ManagementServer&) = delete;

  /// Loads the accounts (the first admin from admin_password_file, or a setup code when there
  /// is none), prepares TLS, binds and serves. kIo/kInvalidArgument naming what failed; nothing
  /// is left running then. Call once.
  Status start();
  /// Closes the listener, every connection and stream, stops the worker. Idempotent.
  void stop();

  /// What the edge says of its cloud link beyond the uplink's figures (the hub, whether it is
  /// connected, the last acknowledgement): merged into GET /api/v1/cloud's `nats`. Before
  /// start(); called on the io threads. Must never return credentials.
  void setCloudDescription(std::function<nlohmann::json()> describe) {
    m_cloudDescription = std::move(describe);
  }

  std::uint16_t port() const;
  bool secure() const { return m_secure; }
  /// The setup code's file while no account exists ("" once one does).
  std::string setupCodeFile() const;

 private:
  /// One request on its way through the rules.
  struct Call {
    HttpRequest request;
    std::shared_ptr<Responder> out;
    std::optional<Session> session;
    std::string token;               ///< the session cookie's value
    std::vector<std::string> parts;  ///< the path after /api/v1/, split at '/'
    nlohmann::json body;             ///< parsed when the request had one
  };

  void handle(const HttpRequest& request, std::shared_ptr<Responder> out);
  void serveAsset(const HttpRequest& request, Responder& out);
  void serveMetrics(const HttpRequest& request, Responder& out);
  void serveApi(Call call);
  /// The origin rules (docs/web-api.md): "" when the request may go on, else why not.
  std::string originProblem(const HttpRequest& request) const;

  // api_session.cpp
  void session(const Call& call);
  void setup(const Call& call);
  void login(const Call& call);
  void logout(const Call& call);
  void changePassword(const Call& call);
  void users(const Call& call);
  nlohmann::json sessionJson(const Session* session) const;
  /// True (and the 429 answer sent) when the client's logins are locked now.
  bool throttled(const Call& call);
  HttpResponse loggedIn(const std::string& user, Role role, unsigned status);

  // api_edge.cpp
  nlohmann::json edgeJson();
  /// One machine's row of the machines list. Under m_mutex (it reads the rates).
  nlohmann::json machineRow(const app::MachineSummary& machine) const;
  nlohmann::json machinesJson();
  /// machinesJson() as text, built at most twice a second and shared by every request and
  /// stream in between (500 machines cost about 2 ms to build).
  std::string machinesText();
  void machine(const Call& call);
  void network(const Call& call);
  void netcheck(const Call& call);
  void cloud(const Call& call);
  void journal(const Call& call);
  void logs(const Call& call);
  void diagnostics(const Call& call);
  /// Machine rates (observations per second), refreshed by tick().
  void updateRates();

  // api_config.cpp
  void changeMachine(const Call& call);
  void changeNetwork(const Call& call);
  /// Puts a request's `proxy` object into `root` (writing typed credentials to a file of the
  /// edge's); what is wrong with it, or "".
  std::string changeProxy(const nlohmann::json& proxy, YAML::Node& root);
  /// Checks, writes (atomically, with a .bak) and applies a new configuration text.
  void saveConfig(const Call& call, const std::string& yaml);

  // live_events.cpp
  void openEvents(const Call& call);
  void tick();
  void scheduleTick();

  boost::asio::io_context& m_io;
  ManagementOptions m_options;
  app::EdgeApi& m_api;
  EdgeIdentity m_identity;
  const Clock& m_clock;
  std::shared_ptr<spdlog::logger> m_log;
  TimestampNs m_started = 0;
  bool m_secure = false;
  std::shared_ptr<HttpServer> m_http;
  Accounts m_accounts;
  SessionStore m_sessions;
  LoginThrottle m_throttle;
  SlowWorker m_worker;
  std::string m_setupCodeFile;
  boost::asio::steady_timer m_timer;
  std::atomic<bool> m_stopped{false};
  std::function<nlohmann::json()> m_cloudDescription;
  std::atomic<std::uint64_t> m_logSeen{0};  ///< log lines already sent as `log` events

  mutable std::mutex m_mutex;  ///< what follows
  std::map<std::string, std::pair<std::uint64_t, TimestampNs>> m_lastCounts;
  std::map<std::string, double> m_rates;
  std::optional<control::ProcessStats> m_process;
  control::ProcessSample m_lastSample;
  nlohmann::json m_lastNetcheck;  ///< for the diagnostics bundle
  std::vector<std::shared_ptr<LiveClient>> m_live;
  std::mutex m_machinesMutex;  ///< one build of the list at a time
  std::shared_ptr<const std::string> m_machinesText;
  TimestampNs m_machinesBuilt = 0;
  std::uint64_t m_ticks = 0;
};

/// The response for an API error: `{"error": word, "message": text}`.
HttpResponse apiError(unsigned status, std::string word, std::string message);
/// A JSON answer.
HttpResponse apiJson(unsigned status, const nlohmann::json& body);
/// A line of the edge's log ring as the API shows it: {time, level, component, message}.
nlohmann::json logLineJson(const std::string& line);

}  // namespace spindle::web::management
