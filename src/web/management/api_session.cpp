// The management API's session endpoints: first start, login, logout, passwords, accounts.
// Passwords are checked on the server's worker thread (scrypt costs a sixth of a second).

#include <cstdio>
#include <filesystem>

#include "web/management/management_server.hpp"

namespace spindle::web::management {

namespace {

std::string field(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Seconds the throttle's message names ("... try again in 28 s"), at least 1.
std::string retryAfter(const std::string& message) {
  const auto at = message.rfind("in ");
  unsigned long seconds = 1;
  if (at != std::string::npos) {
    seconds = std::max(1UL, std::strtoul(message.c_str() + at + 3, nullptr, 10));
  }
  return std::to_string(seconds);
}

}  // namespace

nlohmann::json ManagementServer::sessionJson(const Session* session) const {
  nlohmann::json j = {{"authenticated", session != nullptr},
                      {"setup_required", m_accounts.empty()},
                      {"tls", m_secure},
                      {"edge", m_identity.edgeId},
                      {"version", SPINDLE_VERSION}};
  if (session != nullptr) {
    j["user"] = session->user;
    j["role"] = toString(session->role);
    j["csrf"] = session->csrfToken;
  }
  return j;
}

HttpResponse ManagementServer::loggedIn(const std::string& user, Role role, unsigned status) {
  auto made = m_sessions.create(user, role, m_clock.now());
  if (!made) return apiError(500, "internal", made.error().describe());
  Session s;
  s.user = user;
  s.role = role;
  s.csrfToken = made->csrfToken;
  auto r = apiJson(status, sessionJson(&s));
  r.headers.emplace_back("Set-Cookie", "spindle_session=" + made->token +
                                           "; Path=/; HttpOnly; SameSite=Strict" +
                                           (m_secure ? "; Secure" : ""));
  return r;
}

bool ManagementServer::throttled(const Call& call) {
  auto locked = m_throttle.check(call.request.remoteAddress, m_clock.now());
  if (locked) return false;
  auto r = apiError(429, "throttled", locked.error().message());
  r.headers.emplace_back("Retry-After", retryAfter(locked.error().message()));
  call.out->send(std::move(r));
  return true;
}

void ManagementServer::session(const Call& call) {
  call.out->send(apiJson(200, sessionJson(call.session ? &*call.session : nullptr)));
}

void ManagementServer::setup(const Call& call) {
  const std::string code = field(call.body, "setup_code");
  const std::string password = field(call.body, "password");
  const std::string client = call.request.remoteAddress;
  if (throttled(call)) return;
  if (!m_accounts.empty()) {
    call.out->send(apiError(409, "conflict", "the edge has an admin already: log in"));
    return;
  }
  if (!setupCodeMatches(m_setupCodeFile, code)) {
    m_throttle.failed(client, m_clock.now());
    call.out->send(apiError(403, "bad_setup_code",
                            "that is not the setup code in " + m_setupCodeFile + " on the edge"));
    return;
  }
  if (auto problem = passwordProblem(password); !problem.empty()) {
    call.out->send(apiError(400, "bad_request", problem));
    return;
  }
  auto self = shared_from_this();
  auto out = call.out;
  const bool queued = m_worker.post([self, out, password] {
    if (!self->m_accounts.empty()) {
      out->send(apiError(409, "conflict", "the edge has an admin already: log in"));
      return;
    }
    if (auto set = self->m_accounts.set("admin", Role::kAdmin, password); !set) {
      out->send(apiError(500, "internal", set.error().describe()));
      return;
    }
    std::error_code ec;
    std::filesystem::remove(self->m_setupCodeFile, ec);  // used once
    self->m_log->info("management page: the admin password was set on the page");
    out->send(self->loggedIn("admin", Role::kAdmin, 201));
  });
  if (!queued) call.out->send(apiError(503, "unavailable", "the edge is busy: try again"));
}

void ManagementServer::login(const Call& call) {
  const std::string user = field(call.body, "user");
  const std::string password = field(call.body, "password");
  const std::string client = call.request.remoteAddress;
  if (throttled(call)) return;
  if (user.empty() || password.empty() || password.size() > 1024) {
    call.out->send(apiError(400, "bad_request", "give a user and a password"));
    return;
  }
  auto self = shared_from_this();
  auto out = call.out;
  const bool queued = m_worker.post([self, out, user, password, client] {
    const auto role = self->m_accounts.check(user, password);
    if (!role) {
      self->m_throttle.failed(client, self->m_clock.now());
      // The name is not logged as given: it may be a password typed in the wrong field.
      self->m_log->warn("management page: a failed login from {}", client);
      out->send(apiError(401, "bad_credentials", "wrong user or password"));
      return;
    }
    self->m_throttle.succeeded(client);
    self->m_log->info("management page: {} logged in from {}", user, client);
    out->send(self->loggedIn(user, *role, 200));
  });
  if (!queued) call.out->send(apiError(503, "unavailable", "the edge is busy: try again"));
}

void ManagementServer::logout(const Call& call) {
  m_sessions.remove(call.token);
  HttpResponse r;
  r.status = 204;
  r.headers.emplace_back("Set-Cookie", std::string("spindle_session=; Path=/; Max-Age=0; HttpOnly; "
                                                   "SameSite=Strict") +
                                           (m_secure ? "; Secure" : ""));
  call.out->send(std::move(r));
}

void ManagementServer::changePassword(const Call& call) {
  const std::string current = field(call.body, "current");
  const std::string password = field(call.body, "password");
  if (auto problem = passwordProblem(password); !problem.empty()) {
    call.out->send(apiError(400, "bad_request", problem));
    return;
  }
  auto self = shared_from_this();
  auto out = call.out;
  const Session session = *call.session;
  const std::string token = call.token;
  const bool queued = m_worker.post([self, out, session, current, password, token] {
    if (!self->m_accounts.check(session.user, current)) {
      out->send(apiError(403, "bad_credentials", "the current password is wrong"));
      return;
    }
    if (auto set = self->m_accounts.set(session.user, session.role, password); !set) {
      out->send(apiError(400, "bad_request", set.error().message()));
      return;
    }
    self->m_sessions.removeUser(session.user);  // every other login of the user ends
    self->m_log->info("management page: {} changed their password", session.user);
    out->send(self->loggedIn(session.user, session.role, 200));
  });
  if (!queued) call.out->send(apiError(503, "unavailable", "the edge is busy: try again"));
}

void ManagementServer::users(const Call& call) {
  const auto& m = call.request.method;
  const auto& p = call.parts;
  if (p.size() == 1 && m == "GET") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : m_accounts.list()) {
      list.push_back({{"user", a.user}, {"role", toString(a.role)}});
    }
    call.out->send(apiJson(200, list));
    return;
  }
  if (p.size() == 2 && m == "DELETE") {
    if (auto removed = m_accounts.remove(p[1]); !removed) {
      const bool missing = removed.error().code() == ErrorCode::kNotFound;
      call.out->send(apiError(missing ? 404 : 409, missing ? "not_found" : "conflict",
                              removed.error().message()));
      return;
    }
    m_sessions.removeUser(p[1]);
    m_log->info("management page: {} removed the account {}", call.session->user, p[1]);
    call.out->send(HttpResponse{204, "", "", {}});
    return;
  }
  if (p.size() == 1 && m == "POST") {
    const std::string user = field(call.body, "user");
    const std::string role = field(call.body, "role");
    const std::string password = field(call.body, "password");
    if (role != "admin" && role != "viewer") {
      call.out->send(apiError(400, "bad_request", "role is admin or viewer"));
      return;
    }
    if (auto problem = Accounts::userProblem(user); !problem.empty()) {
      call.out->send(apiError(400, "bad_request", problem));
      return;
    }
    if (auto problem = passwordProblem(password); !problem.empty()) {
      call.out->send(apiError(400, "bad_request", problem));
      return;
    }
    auto self = shared_from_this();
    auto out = call.out;
    const std::string by = call.session->user;
    const bool queued = m_worker.post([self, out, user, role, password, by] {
      const Role r = role == "admin" ? Role::kAdmin : Role::kViewer;
      if (auto set = self->m_accounts.set(user, r, password); !set) {
        out->send(apiError(409, "conflict", set.error().message()));
        return;
      }
      self->m_sessions.removeUser(user);  // a new password or role: log in again
      self->m_log->info("management page: {} set the account {} ({})", by, user, role);
      out->send(apiJson(201, {{"user", user}, {"role", role}}));
    });
    if (!queued) call.out->send(apiError(503, "unavailable", "the edge is busy: try again"));
    return;
  }
  call.out->send(apiError(404, "not_found", "no endpoint " + m + " " + call.request.path));
}

}  // namespace spindle::web::management
