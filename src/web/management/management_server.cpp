#include "web/management/management_server.hpp"

#include <algorithm>
#include <fstream>

#include "base/base64.hpp"
#include "base/log.hpp"
#include "web/management/assets.hpp"
#include "web/management/live_client.hpp"
#include "web/management/metrics.hpp"
#include "web/management/tls_certificate.hpp"

namespace spindle::web::management {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

/// The browser rules of every answer: no inline code, no framing, no sniffing, no referrer.
std::vector<std::pair<std::string, std::string>> securityHeaders(bool tls) {
  std::vector<std::pair<std::string, std::string>> h{
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"}};
  if (tls) h.emplace_back("Strict-Transport-Security", "max-age=31536000");
  return h;
}

std::string cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return "";
}

bool changes(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

}  // namespace

HttpResponse apiError(unsigned status, std::string word, std::string message) {
  return apiJson(status, {{"error", std::move(word)}, {"message", std::move(message)}});
}

HttpResponse apiJson(unsigned status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

ManagementServer::ManagementServer(boost::asio::io_context& io, ManagementOptions options,
                                   app::EdgeApi& api, EdgeIdentity identity, const Clock& clock)
    : m_io(io),
      m_options(std::move(options)),
      m_api(api),
      m_identity(std::move(identity)),
      m_clock(clock),
      m_log(makeLogger("web.management")),
      m_accounts(m_identity.dataDir + "/management-users"),
      m_sessions(SessionOptions{m_options.sessionIdle.count(), m_options.sessionMax.count(), 64}),
      m_timer(io) {}

ManagementServer::~ManagementServer() { stop(); }

std::string ManagementServer::setupCodeFile() const {
  return m_accounts.empty() ? m_setupCodeFile : "";
}

Status ManagementServer::start() {
  m_started = m_clock.now();
  m_api.logs();  // the log ring is fed from now on (the Logs page, recent problems)
  if (auto loaded = m_accounts.load(); !loaded) return loaded;
  if (m_accounts.empty() && !m_options.adminPasswordFile.empty()) {
    std::ifstream in(m_options.adminPasswordFile);
    std::string password;
    if (!in || !std::getline(in, password)) {
      return Error(ErrorCode::kIo,
                   "cannot read web.management.admin_password_file " + m_options.adminPasswordFile);
    }
    if (auto set = m_accounts.set("admin", Role::kAdmin, password); !set) {
      return std::move(set).error().with("the admin password in " + m_options.adminPasswordFile);
    }
    m_log->info("management page: account 'admin' made from {}", m_options.adminPasswordFile);
  }
  if (m_accounts.empty()) {
    m_setupCodeFile = m_identity.dataDir + "/management-setup-code";
    if (auto code = ensureSetupCode(m_setupCodeFile); !code) return std::move(code).error();
    m_log->warn(
        "management page: no account yet; open the page and set the admin password with the "
        "setup code in {}",
        m_setupCodeFile);
  }
  HttpServerOptions http;
  http.bind = m_options.bind;
  http.port = m_options.port.value;
  http.maxConnections = m_options.maxConnections;
  // Browsers behind one address (a plant PC's tabs, a NAT): half the connections.
  http.maxConnectionsPerClient = std::max<std::size_t>(8, m_options.maxConnections / 2);
  http.maxBodyBytes = kMaxBody;
  http.maxHeaderBytes = 16 * 1024;
  http.idleTimeout = std::chrono::seconds(60);
  http.headerTimeout = std::chrono::seconds(10);
  if (m_options.tls) {
    std::string cert = m_options.certificate;
    std::string key = m_options.key;
    if (cert.empty()) {
      // The edge id names the certificate when it is a host name ("press-1"), as it often is.
      std::vector<std::string> names;
      const auto& id = m_identity.edgeId;
      if (!id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
          })) {
        names.push_back(id);
      }
      auto made = ensureSelfSigned(m_identity.dataDir, names);
      if (!made) return std::move(made).error().with("the management page's certificate");
      cert = made->cert;
      key = made->key;
      m_log->info("management page: {} self-signed certificate {} (SHA-256 {})",
                  made->generated ? "made a" : "using the", cert, made->sha256Fingerprint);
    }
    auto context = makeServerContext(cert, key);
    if (!context) return std::move(context).error().with("the management page's TLS");
    http.tls = std::move(*context);
    m_secure = true;
  }
  http.responseHeaders = securityHeaders(m_secure);
  std::weak_ptr<ManagementServer> weak = weak_from_this();
  m_http = std::make_shared<HttpServer>(
      m_io, http, [weak](const HttpRequest& request, std::shared_ptr<Responder> out) {
        if (auto self = weak.lock()) self->handle(request, std::move(out));
      });
  if (auto listening = m_http->start(); !listening) {
    m_http.reset();
    return std::move(listening).error().with("the management page");
  }
  m_log->info("management page on {}://{}:{}", m_secure ? "https" : "http", m_options.bind,
              m_http->port());
  scheduleTick();
  return okStatus();
}

void ManagementServer::stop() {
  if (m_stopped.exchange(true)) return;
  if (m_http) m_http->stop();
  m_timer.cancel();
  std::vector<std::shared_ptr<LiveClient>> live;
  {
    std::lock_guard lock(m_mutex);
    live.swap(m_live);
  }
  for (auto& c : live) c->close();
  m_worker.stop();
}

std::uint16_t ManagementServer::port() const { return m_http ? m_http->port() : 0; }

std::string ManagementServer::originProblem(const HttpRequest& request) const {
  const auto host = request.header("host");
  if (host.empty()) return "a request must name its Host";
  const auto origin = request.header("origin");
  if (!origin.empty() && origin != "null") {
    const std::string expected = std::string(m_secure ? "https://" : "http://") + std::string(host);
    if (origin != expected) {
      return "the request comes from " + std::string(origin) + ", not from this page";
    }
  } else if (origin == "null") {
    return "the request comes from an opaque origin";
  }
  if (changes(request.method) && request.header("sec-fetch-site") == "cross-site") {
    return "a cross-site request may not change anything";
  }
  return "";
}

void ManagementServer::handle(const HttpRequest& request, std::shared_ptr<Responder> out) {
  if (request.header("host").empty()) {
    out->send(apiError(400, "bad_request", "a request must name its Host"));
    return;
  }
  if (request.path == "/metrics") {
    serveMetrics(request, *out);
    return;
  }
  if (request.path.rfind("/api/v1/", 0) == 0) {
    Call call;
    call.request = request;
    call.out = std::move(out);
    std::string_view rest = std::string_view(call.request.path).substr(8);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      call.parts.emplace_back(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
    serveApi(std::move(call));
    return;
  }
  serveAsset(request, *out);
}

void ManagementServer::serveAsset(const HttpRequest& request, Responder& out) {
  if (request.method != "GET" && request.method != "HEAD") {
    out.send(apiError(405, "method_not_allowed", "the page's files are read with GET"));
    return;
  }
  const Asset* asset = findAsset(request.path);
  if (asset == nullptr) {
    out.send(HttpResponse{404, "text/plain; charset=utf-8", "not found\n", {}});
    return;
  }
  HttpResponse r;
  r.contentType = std::string(asset->contentType);
  r.headers.emplace_back("ETag", std::string(asset->etag));
  r.headers.emplace_back("Cache-Control", "no-cache");  // revalidate: a new version shows at once
  if (request.header("if-none-match") == asset->etag) {
    r.status = 304;
  } else {
    r.body = std::string(asset->body);
  }
  out.send(std::move(r));
}

void ManagementServer::serveMetrics(const HttpRequest& request, Responder& out) {
  if (m_options.metricsAuth) {
    bool allowed = false;
    const auto token = cookieValue(request.header("cookie"), "spindle_session");
    if (!token.empty() && m_sessions.find(token, m_clock.now())) allowed = true;
    // Basic credentials cost a scrypt: checked on this thread, bounded by the throttle.
    const auto auth = request.header("authorization");
    if (!allowed && auth.rfind("Basic ", 0) == 0 &&
        m_throttle.check(request.remoteAddress, m_clock.now())) {
      auto decoded = base64Decode(auth.substr(6));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon != std::string::npos &&
          m_accounts.check(decoded->substr(0, colon), decoded->substr(colon + 1))) {
        allowed = true;
      } else {
        m_throttle.failed(request.remoteAddress, m_clock.now());
      }
    }
    if (!allowed) {
      HttpResponse r{401, "text/plain; charset=utf-8", "log in or give Basic credentials\n", {}};
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"spindle\"");
      out.send(std::move(r));
      return;
    }
  }
  control::HealthReport report;
  report.edge = m_identity.edgeId;
  report.time = m_clock.now();
  report.uptimeSeconds = static_cast<double>(m_clock.now() - m_started) / 1e9;
  m_api.fillHealth(report);
  MetricsExtras extras;
  {
    std::lock_guard lock(m_mutex);
    if (!m_process) m_process.emplace(m_identity.dataDir);
    m_lastSample = m_process->sample();
    report.process = m_lastSample;
  }
  if (auto fds = countOpenFds()) extras.openFds = *fds;
  const auto network = m_api.network();
  if (network["dns"]["in_use"].is_object()) {
    extras.dnsServer = network["dns"]["in_use"].value("server", "");
    extras.dnsSource = network["dns"]["in_use"].value("source", "");
  }
  for (const auto& m : m_api.machines()) {
    MachineMetricsExtras e;
    e.id = m.id;
    e.type = m.type;
    e.reconnects = m.reconnects;
    e.stateSince = m.since;
    extras.machines.push_back(std::move(e));
  }
  const auto pipeline = m_api.pipeline();
  extras.pipelineQueued = pipeline.value("queued", std::uint64_t{0});
  extras.pipelineRefusedPushes = pipeline.value("refused", std::uint64_t{0});
  extras.pipelineHolding = pipeline.value("holding", false);
  const auto journal = m_api.journal();
  extras.journalSegments = journal.value("segments", std::uint64_t{0});
  extras.journalFirstSequence = journal.value("first_sequence", std::uint64_t{0});
  extras.journalNextSequence = journal.value("next_sequence", std::uint64_t{0});
  extras.journalDurableSequence = journal.value("durable_sequence", std::uint64_t{0});
  extras.journalSyncs = journal.value("syncs", std::uint64_t{0});
  extras.journalIoErrors = journal.value("io_errors", std::uint64_t{0});
  if (const auto latency = journal.find("sync_seconds"); latency != journal.end()) {
    auto& h = extras.journalSyncSeconds;
    for (const auto& b : latency->value("buckets", nlohmann::json::array())) {
      h.buckets.emplace_back(b.value("le", 0.0), b.value("count", std::uint64_t{0}));
    }
    h.count = latency->value("count", std::uint64_t{0});
    h.sum = latency->value("sum", 0.0);
  }
  out.send(HttpResponse{
      200, "text/plain; version=0.0.4; charset=utf-8", renderMetrics(report, extras), {}});
}

void ManagementServer::serveApi(Call call) {
  auto& out = *call.out;
  const auto& req = call.request;
  if (auto problem = originProblem(req); !problem.empty()) {
    out.send(apiError(403, "origin", problem));
    return;
  }
  if (!req.body.empty()) {
    const auto type = req.header("content-type");
    if (type.rfind("application/json", 0) != 0) {
      out.send(apiError(415, "unsupported_media_type", "the API takes JSON bodies only"));
      return;
    }
    call.body = nlohmann::json::parse(req.body, nullptr, false);
    if (call.body.is_discarded() || !call.body.is_object()) {
      out.send(apiError(400, "bad_request", "the body is not a JSON object"));
      return;
    }
  }
  call.token = cookieValue(req.header("cookie"), "spindle_session");
  if (!call.token.empty()) call.session = m_sessions.find(call.token, m_clock.now());
  const auto& p = call.parts;
  const std::string& m = req.method;
  const std::string first = p.empty() ? "" : p[0];
  // Open to everyone: what the login and first-start screens need.
  if (p.size() == 1 && first == "session" && m == "GET") return session(call);
  if (p.size() == 1 && first == "setup" && m == "POST") return setup(call);
  if (p.size() == 1 && first == "login" && m == "POST") return login(call);
  if (!call.session) {
    out.send(apiError(401, "unauthenticated", "log in first (or the session has ended)"));
    return;
  }
  if (changes(m) && !SessionStore::checkCsrf(*call.session, req.header("x-csrf-token"))) {
    out.send(apiError(403, "csrf", "the request lacks this session's X-CSRF-Token"));
    return;
  }
  const bool admin = call.session->role == Role::kAdmin;
  auto needAdmin = [&] {
    if (admin) return false;
    out.send(apiError(403, "forbidden", "this takes an admin account"));
    return true;
  };
  if (p.size() == 1 && first == "logout" && m == "POST") return logout(call);
  if (p.size() == 1 && first == "password" && m == "POST") return changePassword(call);
  if (first == "users") {
    if (needAdmin()) return;
    return users(call);
  }
  if (p.size() == 1 && first == "edge" && m == "GET") return out.send(apiJson(200, edgeJson()));
  if (p.size() == 1 && first == "machines" && m == "GET") {
    HttpResponse r{200, "application/json; charset=utf-8", machinesText(), {}};
    r.headers.emplace_back("Cache-Control", "no-store");
    return out.send(std::move(r));
  }
  if (p.size() == 1 && first == "protocols" && m == "GET") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& info : m_api.protocols()) {
      list.push_back({{"type", info.type},
                      {"description", info.description},
                      {"default_port", info.defaultPort}});
    }
    return out.send(apiJson(200, list));
  }
  if (first == "machines") {
    if (m != "GET" && needAdmin()) return;
    if (m == "GET" || (p.size() == 3 && p[2] == "restart")) return machine(call);
    return changeMachine(call);
  }
  if (p.size() == 1 && first == "network") {
    if (m == "GET") return network(call);
    if (m == "PUT" && !needAdmin()) return changeNetwork(call);
    if (m == "PUT") return;
  }
  if (first == "netcheck") {
    if (m == "POST" && needAdmin()) return;
    return netcheck(call);
  }
  if (p.size() == 1 && first == "cloud" && m == "GET") return cloud(call);
  if (first == "journal") {
    if (m == "POST" && needAdmin()) return;
    return journal(call);
  }
  if (p.size() == 1 && first == "logs" && m == "GET") return logs(call);
  if (p.size() == 1 && first == "diagnostics" && m == "GET") {
    if (needAdmin()) return;
    return diagnostics(call);
  }
  if (p.size() == 1 && first == "events" && m == "GET") return openEvents(call);
  out.send(apiError(404, "not_found", "no endpoint " + m + " " + req.path));
}

}  // namespace spindle::web::management
