#include "collectors/opcua/opcua_session.hpp"

#include <boost/asio/post.hpp>

#include "collectors/tcp_connect.hpp"
#include "opcua/security_policy.hpp"
#include "opcua/status_codes.hpp"

namespace spindle::collectors::opcua {

namespace asio = boost::asio;

namespace {

const char* modeName(ua::SecurityMode mode) {
  return mode == ua::SecurityMode::kNone ? "no security" : ua::toString(mode);
}

}  // namespace

OpcuaSession::OpcuaSession(Strand strand, SessionSettings settings, std::vector<TagNode> tags,
                           std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_settings(std::move(settings)),
      m_tags(std::move(tags)),
      m_handler(std::move(handler)),
      m_backoff(m_settings.reconnectMin, m_settings.reconnectMax),
      m_retryTimer(strand),
      m_watchdog(strand),
      m_pollTimer(strand),
      m_nodes(m_tags.size()),
      m_publishTarget(m_settings.publishRequests) {}

void OpcuaSession::start() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_state != State::kIdle) return;
    self->connect();
  });
}

void OpcuaSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_state == State::kStopped) return;
    self->m_state = State::kStopped;
    ++self->m_gen;
    self->m_retryTimer.cancel();
    self->m_watchdog.cancel();
    self->m_pollTimer.cancel();
    if (self->m_client && self->m_client->active()) {
      // CloseSession deletes the subscription at the server; the channel closes after it.
      self->m_client->closeSession([self](Status) {});
    } else if (self->m_client && self->m_client->channel()) {
      self->m_client->channel()->close();
    }
  });
}

void OpcuaSession::pause() { m_paused = true; }

void OpcuaSession::resume() {
  if (!m_paused) return;
  m_paused = false;
  m_lastHeard = std::chrono::steady_clock::now();
  if (m_state == State::kUp) fillPublish();
}

SessionStats OpcuaSession::stats() const {
  std::lock_guard lock(m_statsMutex);
  return m_stats;
}

void OpcuaSession::count(std::uint64_t SessionStats::*field, std::uint64_t n) {
  std::lock_guard lock(m_statsMutex);
  m_stats.*field += n;
}

ua::ClientSession::ConnectFn OpcuaSession::connector() {
  return [weak = weak_from_this()](std::function<void(Result<ua::ClientSession::Socket>)> done) {
    auto self = weak.lock();
    if (!self) return done(Error(ErrorCode::kUnavailable, "the collector stopped"));
    auto socket = std::make_shared<ua::ClientSession::Socket>(self->m_strand);
    auto attempt = std::make_shared<std::shared_ptr<TcpConnect>>();
    TcpTarget target{self->m_settings.host, self->m_settings.port, self->m_settings.connectTimeout,
                     self->m_settings.resolve};
    *attempt = TcpConnect::start(self->m_strand, *socket, std::move(target),
                                 [socket, attempt, done](Result<asio::ip::tcp::endpoint> ep) {
                                   attempt->reset();
                                   if (!ep) return done(std::move(ep).error());
                                   done(std::move(*socket));
                                 });
  };
}

void OpcuaSession::connect() {
  const Gen gen = ++m_gen;
  m_state = State::kConnecting;
  if (m_client && m_hadSession) {
    m_client->reconnect([self = shared_from_this(), gen](Status st) {
      if (self->stale(gen)) return;
      if (st) return self->afterReactivation(gen);
      if (!sessionGone(st.error())) return self->goDown(st.error());
      if (auto h = self->m_handler.lock()) {
        h->onNotice(spdlog::level::info, "the server no longer has the session (" +
                                             st.error().message() + "): opening a new one");
      }
      self->freshSession(gen);
    });
    return;
  }
  freshSession(gen);
}

void OpcuaSession::freshSession(Gen gen) {
  if (m_client && m_client->channel()) m_client->channel()->close();
  m_client = ua::ClientSession::create(m_strand, m_settings.client, connector());
  m_client->setOnChannelClosed([weak = weak_from_this()](const Error& e) {
    auto self = weak.lock();
    if (!self || self->m_state == State::kStopped || self->m_state == State::kWaiting) return;
    self->goDown(Error(e.code(), "the connection broke: " + e.message()));
  });
  m_client->connect([self = shared_from_this(), gen, client = m_client](Status st) {
    if (self->stale(gen)) {
      if (st && self->m_state == State::kStopped) client->closeSession([client](Status) {});
      return;
    }
    if (!st) return self->goDown(st.error());
    self->m_hadSession = true;
    self->count(&SessionStats::sessionsCreated);
    self->setup(gen);
  });
}

void OpcuaSession::afterReactivation(Gen gen) {
  count(&SessionStats::reactivations);
  if (auto h = m_handler.lock()) {
    h->onNotice(spdlog::level::info, "reactivated the session on a new connection");
  }
  goUp(gen);
  if (stale(gen)) return;
  // What changed while away: every node once, then the subscription carries on (a gap in
  // its sequence numbers is asked for again).
  readAll(gen, 0, [self = shared_from_this(), gen] {
    if (self->stale(gen)) return;
    if (self->m_settings.subscribe) {
      self->m_lastHeard = std::chrono::steady_clock::now();
      self->fillPublish();
      self->armWatchdog();
    } else {
      self->armPoll();
    }
  });
}

void OpcuaSession::setup(Gen gen) {
  m_client->readNamespaceArray(
      [self = shared_from_this(), gen](Result<std::vector<std::string>> ns) {
        if (self->stale(gen)) return;
        if (!ns) return self->goDown(std::move(ns).error().with("reading the NamespaceArray"));
        self->resolve(gen, [self, gen] {
          if (self->m_settings.subscribe) return self->transferOrSubscribe(gen);
          self->goUp(gen);
          if (!self->stale(gen)) self->armPoll();
        });
      });
}

void OpcuaSession::resolve(Gen gen, std::function<void()> next) {
  auto handler = m_handler.lock();
  const auto lookup = [client = m_client](std::string_view uri) {
    return client->namespaceIndex(uri);
  };
  std::vector<std::size_t> paths;
  for (std::size_t i = 0; i < m_tags.size(); ++i) {
    m_nodes[i].reset();
    if (m_tags[i].isPath()) {
      paths.push_back(i);
      continue;
    }
    auto id = resolveId(m_tags[i], lookup);
    if (id) {
      m_nodes[i] = std::move(*id);
    } else if (handler) {
      handler->onNodeProblem(i, id.error().message());
    }
  }
  resolvePaths(gen, std::move(paths), 0, std::move(next));
}

void OpcuaSession::resolvePaths(Gen gen, std::vector<std::size_t> paths, std::size_t from,
                                std::function<void()> next) {
  if (from >= paths.size()) return next();
  const auto lookup = [client = m_client](std::string_view uri) {
    return client->namespaceIndex(uri);
  };
  auto handler = m_handler.lock();
  std::vector<ua::BrowsePath> request;
  std::vector<std::size_t> asked;
  std::size_t at = from;
  for (; at < paths.size() && request.size() < m_settings.maxNodesPerRequest; ++at) {
    auto path = browsePath(m_tags[paths[at]], m_settings.aliases, lookup);
    if (!path) {
      if (handler) handler->onNodeProblem(paths[at], path.error().message());
      continue;
    }
    request.push_back(std::move(*path));
    asked.push_back(paths[at]);
  }
  if (request.empty()) return resolvePaths(gen, std::move(paths), at, std::move(next));
  m_client->translateBrowsePaths(
      std::move(request),
      [self = shared_from_this(), gen, paths = std::move(paths), at, asked,
       next = std::move(next)](Result<std::vector<ua::BrowsePathResult>> r) mutable {
        if (self->stale(gen)) return;
        if (!r) return self->goDown(std::move(r).error().with("resolving browse paths"));
        auto h = self->m_handler.lock();
        for (std::size_t k = 0; k < asked.size(); ++k) {
          const std::size_t i = asked[k];
          const ua::BrowsePathResult* result = k < r->size() ? &(*r)[k] : nullptr;
          if (result == nullptr || result->statusCode.isBad() || result->targets.empty()) {
            const std::string why =
                result == nullptr ? "the server left it out" : ua::describe(result->statusCode);
            if (h) h->onNodeProblem(i, "no node at this path (" + why + ")");
            continue;
          }
          const auto& target = result->targets.front().targetId;
          if (target.serverIndex != 0) {
            if (h) h->onNodeProblem(i, "the path leads to another server");
            continue;
          }
          ua::NodeId id = target.nodeId;
          if (target.namespaceUri) {
            auto index = self->m_client->namespaceIndex(*target.namespaceUri);
            if (!index) {
              if (h) h->onNodeProblem(i, "the path leads to an unknown namespace");
              continue;
            }
            id.namespaceIndex = *index;
          }
          self->m_nodes[i] = std::move(id);
        }
        self->resolvePaths(gen, std::move(paths), at, std::move(next));
      });
}

std::string OpcuaSession::describeSession() const {
  const auto& ep = m_client->endpoint();
  const auto* policy = ua::findSecurityPolicy(ep.securityPolicyUri.value_or(""));
  std::size_t resolved = 0;
  for (const auto& n : m_nodes) resolved += n.has_value() ? 1 : 0;
  std::string d = m_settings.client.endpointUrl + " (" +
                  (policy != nullptr ? std::string(policy->name) : "unknown policy") + ", " +
                  modeName(ep.securityMode) + ", " +
                  (m_settings.client.user ? "user " + m_settings.client.user->userName
                                          : std::string("anonymous")) +
                  "); " + std::to_string(resolved) + " of " + std::to_string(m_tags.size()) +
                  " nodes; ";
  if (!m_settings.subscribe) return d + "polling";
  char interval[32];
  std::snprintf(interval, sizeof interval, "%g", m_revisedPublishingMs);
  return d + "subscription " + std::to_string(m_subscriptionId) + " every " + interval + " ms";
}

void OpcuaSession::goUp(Gen gen) {
  if (stale(gen)) return;
  m_state = State::kUp;
  m_refusedSaid = false;
  m_backoff.reset();
  if (auto h = m_handler.lock()) h->onUp(describeSession());
}

void OpcuaSession::goDown(const Error& why) {
  if (m_state == State::kStopped || m_state == State::kWaiting) return;
  const bool wasUp = m_state == State::kUp;
  ++m_gen;
  m_state = State::kWaiting;
  m_watchdog.cancel();
  m_pollTimer.cancel();
  m_outstanding = 0;
  m_probing = false;
  m_pollBusy = false;
  m_acks.clear();
  if (m_client && m_client->channel()) m_client->channel()->close();
  // A refusal only an operator can fix (password, certificate, policy) is not retried fast.
  const bool refused = why.code() == ErrorCode::kInvalidArgument;
  const Duration delay = refused ? m_settings.reconnectMax : m_backoff.next();
  if (auto h = m_handler.lock()) h->onDown(why.describe(), delay, wasUp);
  m_retryTimer.expires_after(delay);
  m_retryTimer.async_wait([weak = weak_from_this(), gen = m_gen](const auto& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stale(gen)) return;
    self->connect();
  });
}

}  // namespace spindle::collectors::opcua
