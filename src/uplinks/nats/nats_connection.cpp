#include "uplinks/nats/nats_connection.hpp"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "base/redact.hpp"
#include "base/thread_name.hpp"
#include "base/units.hpp"

namespace spindle::uplinks::nats {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::int64_t toMs(Duration d) { return duration_cast<milliseconds>(d).count(); }

double randomUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return static_cast<double>(rng() >> 11) / static_cast<double>(1ULL << 53);
}

std::string connectedUrl(natsConnection* nc) {
  char buf[512] = {};
  if (nc != nullptr && natsConnection_GetConnectedUrl(nc, buf, sizeof buf) == NATS_OK) {
    return redactUrl(buf);  // status and logs never carry the password
  }
  return "";
}

}  // namespace

NatsConnection::NatsConnection(ConnectionOptions options, std::string edgeId)
    : m_options(std::move(options)), m_edgeId(std::move(edgeId)), m_log(makeLogger("uplink.nats")) {
  if (m_options.name.empty()) m_options.name = "spindle-" + m_edgeId;
  if (m_options.inboxPrefix.empty()) m_options.inboxPrefix = "_INBOX." + m_edgeId;
}

NatsConnection::~NatsConnection() { stop(); }

void NatsConnection::onStateChange(std::function<void(bool up)> callback) {
  std::lock_guard lock(m_mutex);
  m_listeners.push_back(std::move(callback));
}

std::uint64_t NatsConnection::onRebuild(std::function<void(std::uint64_t)> callback) {
  std::lock_guard lock(m_mutex);
  const std::uint64_t id = m_nextListener++;
  m_rebuildListeners.emplace(id, std::move(callback));
  return id;
}

void NatsConnection::removeRebuildListener(std::uint64_t id) {
  std::lock_guard lock(m_mutex);
  m_rebuildListeners.erase(id);
}

void NatsConnection::retain(std::shared_ptr<void> object) {
  std::lock_guard lock(m_mutex);
  m_retained.push_back(std::move(object));
}

NatsConnection::Ref NatsConnection::current() const {
  std::lock_guard lock(m_mutex);
  return m_conn;
}

std::uint64_t NatsConnection::generation() const {
  std::lock_guard lock(m_mutex);
  return m_generation;
}

ConnectionStatus NatsConnection::status() const {
  std::lock_guard lock(m_mutex);
  return m_status;
}

Duration NatsConnection::reconnectDelay(const ConnectionOptions& o, int attempt, double unit) {
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const double base =
      std::min(static_cast<double>(o.reconnectMin.count()) * static_cast<double>(1ULL << doublings),
               static_cast<double>(std::max(o.reconnectMax, o.reconnectMin).count()));
  return Duration(static_cast<std::int64_t>(base * (1.0 + 0.2 * (2.0 * unit - 1.0))));
}

int NatsConnection::nextRebuildRound(const ConnectionOptions& o, int previous, Duration upFor) {
  const bool stayedUp = upFor > Duration(0) && upFor >= std::max(o.reconnectMax, o.reconnectMin);
  return stayedUp ? 1 : std::min(previous, 1000) + 1;
}

Result<natsOptions*> NatsConnection::buildOptions() {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s != NATS_OK) return natsError(s, "creating NATS options");
  auto fail = [&](natsStatus st, const std::string& what) -> Result<natsOptions*> {
    natsOptions_Destroy(opts);
    return natsError(st, what);
  };
  std::vector<const char*> urls;
  for (const auto& u : m_options.servers) urls.push_back(u.c_str());
  if ((s = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()))) != NATS_OK)
    return fail(s, "setting servers");
  natsOptions_SetName(opts, m_options.name.c_str());
  if ((s = natsOptions_SetCustomInboxPrefix(opts, m_options.inboxPrefix.c_str())) != NATS_OK)
    return fail(s, "setting inbox_prefix " + m_options.inboxPrefix);
  natsOptions_SetTimeout(opts, toMs(m_options.connectTimeout));
  natsOptions_SetMaxReconnect(opts, -1);  // forever
  natsOptions_SetReconnectBufSize(
      opts, static_cast<int>(std::min<std::uint64_t>(m_options.reconnectBuffer.bytes, 1ULL << 30)));
  natsOptions_SetPingInterval(opts, toMs(m_options.pingInterval));
  natsOptions_SetMaxPingsOut(opts, 2);
  natsOptions_SetCustomReconnectDelay(opts, &NatsConnection::onReconnectDelay, this);
  natsOptions_SetRetryOnFailedConnect(opts, true, &NatsConnection::onConnected, this);
  natsOptions_SetDisconnectedCB(opts, &NatsConnection::onDisconnected, this);
  natsOptions_SetReconnectedCB(opts, &NatsConnection::onReconnected, this);
  natsOptions_SetClosedCB(opts, &NatsConnection::onClosed, this);
  natsOptions_SetErrorHandler(opts, &NatsConnection::onError, this);
  if (!m_options.tlsCa.empty()) {
    natsOptions_SetSecure(opts, true);
    if ((s = natsOptions_LoadCATrustedCertificates(opts, m_options.tlsCa.c_str())) != NATS_OK)
      return fail(s, "loading tls_ca " + m_options.tlsCa);
  }
  if (!m_options.expectedHostname.empty()) {
    // The servers were resolved by the edge: the certificate is checked against the name.
    if ((s = natsOptions_SetExpectedHostname(opts, m_options.expectedHostname.c_str())) != NATS_OK)
      return fail(s, "setting the expected TLS host name " + m_options.expectedHostname);
  }
  if (!m_options.tlsCert.empty()) {
    s = natsOptions_LoadCertificatesChain(opts, m_options.tlsCert.c_str(),
                                          m_options.tlsKey.c_str());
    if (s != NATS_OK) return fail(s, "loading tls_cert/tls_key " + m_options.tlsCert);
  }
  if (!m_options.credentials.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts, m_options.credentials.c_str(), nullptr);
    if (s != NATS_OK) return fail(s, "loading credentials " + m_options.credentials);
  } else if (!m_options.nkey.empty()) {
    s = natsOptions_SetNKeyFromSeed(opts, m_options.nkey.c_str(), m_options.nkeySeedFile.c_str());
    if (s != NATS_OK) return fail(s, "loading nkey_seed_file " + m_options.nkeySeedFile);
  } else if (!m_options.user.empty()) {
    natsOptions_SetUserInfo(opts, m_options.user.c_str(), m_options.password.c_str());
  }
  return opts;
}

Status NatsConnection::start() {
  if (current() != nullptr) return okStatus();
  auto opts = buildOptions();
  if (!opts) return std::move(opts).error().with("connecting to NATS");
  m_closing.store(false, std::memory_order_release);
  {
    std::lock_guard lock(m_mutex);
    m_closed = false;
    m_libraryClosed = false;
    m_keeperStop = false;
    m_rounds = 0;
    m_status.url = m_options.servers.empty() ? "" : redactUrl(m_options.servers.front());
  }
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, *opts);
  natsOptions_Destroy(*opts);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    natsConnection_Destroy(nc);
    return natsError(s, "connecting to NATS");
  }
  install(nc);
  if (!connected()) {
    m_log->warn("NATS server not reachable yet ({}); retrying in the background", status().url);
  }
  m_keeper = std::thread([this] {
    nameThisThread("nats-keeper");
    keep();
  });
  return okStatus();
}

std::uint64_t NatsConnection::install(natsConnection* nc) {
  Ref fresh(nc, &natsConnection_Destroy);
  Ref old;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(m_mutex);
    old = std::exchange(m_conn, std::move(fresh));
    m_raw.store(nc, std::memory_order_release);
    generation = ++m_generation;
    m_probing = true;
    m_upAt = {};
    m_downAt = {};
  }
  // The old one (closed) is destroyed here, or when the last consumer drops its Ref.
  old.reset();
  // Its callbacks were ignored until now: one that came up meanwhile is taken as it is.
  if (natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED) setConnected(true, "connected", nc);
  return generation;
}

std::string NatsConnection::probe() {
  auto opts = buildOptions();
  if (!opts) return opts.error().describe();
  // Its own plain attempt: no retry, and none of the callbacks into this object.
  natsOptions_SetRetryOnFailedConnect(*opts, false, nullptr, nullptr);
  natsOptions_SetMaxReconnect(*opts, 0);
  natsOptions_SetCustomReconnectDelay(*opts, nullptr, nullptr);
  natsOptions_SetDisconnectedCB(*opts, nullptr, nullptr);
  natsOptions_SetReconnectedCB(*opts, nullptr, nullptr);
  natsOptions_SetClosedCB(*opts, nullptr, nullptr);
  natsOptions_SetErrorHandler(*opts, nullptr, nullptr);
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, *opts);
  natsOptions_Destroy(*opts);
  std::string reason;
  if (s != NATS_OK) reason = natsError(s, "connecting").message();
  natsConnection_Destroy(nc);
  return reason;
}

// The keeper thread: rebuilds a connection the library closed, and probes for the reason
// while a newly built one has not come up.
void NatsConnection::keep() {
  auto nextProbe = Steady::now();
  std::unique_lock lock(m_mutex);
  while (!m_keeperStop) {
    if (m_libraryClosed) {
      m_libraryClosed = false;
      const Duration upFor = m_upAt == Steady::time_point{} ? Duration(0)
                             : m_downAt > m_upAt            ? Duration(m_downAt - m_upAt)
                                                            : Duration(Steady::now() - m_upAt);
      m_rounds = nextRebuildRound(m_options, m_rounds, upFor);
      const Duration delay = reconnectDelay(m_options, m_rounds, randomUnit());
      std::string reason = m_closeReason;
      const bool first = m_loggedClose.empty();  // in this outage
      const bool changed = reason != m_loggedClose;
      m_loggedClose = reason;
      const std::string url = m_status.url;
      lock.unlock();
      const std::string after = formatDuration(duration_cast<milliseconds>(delay));
      if (first) {
        // "No server available" says only that cnats gave up: an attempt of our own tells why
        // (a TLS or authorization failure).
        if (reason == natsStatus_GetText(NATS_NO_SERVER)) {
          if (std::string why = probe(); !why.empty()) {
            reason = why;
            std::lock_guard statusLock(m_mutex);
            m_loggedProbe = why;
            m_status.lastError = why;
          }
          nextProbe = Steady::now() + kProbeInterval;
        }
        m_log->warn(
            "NATS connection to {} closed by the client library ({}); observations wait in the "
            "journal; building a new connection in {}, and again with backoff until one stays up",
            url, redactUrl(reason), after);
      } else if (changed && reason != natsStatus_GetText(NATS_NO_SERVER)) {
        m_log->info("NATS connection closed again ({}); building a new one in {}",
                    redactUrl(reason), after);
      } else {
        m_log->debug("NATS connection closed again ({}); rebuild round {} in {}", reason, m_rounds,
                     after);
      }
      lock.lock();
      if (m_changed.wait_for(lock, delay, [this] { return m_keeperStop; })) break;
      lock.unlock();
      rebuild();
      lock.lock();
      continue;
    }
    const bool probeNow = m_probing && !m_status.connected && Steady::now() >= nextProbe;
    if (probeNow) {
      lock.unlock();
      const std::string reason = probe();
      lock.lock();
      nextProbe = Steady::now() + kProbeInterval;
      // Logged even when stopping: the reason may be why the edge stops.
      if (!m_status.connected && !reason.empty() && reason != m_loggedProbe) {
        m_loggedProbe = reason;
        m_status.lastError = reason;
        const std::string url = m_status.url;
        lock.unlock();
        m_log->warn("NATS server {} not reachable: {}", url, reason);
        lock.lock();
      }
      continue;
    }
    auto wake = [this] { return m_keeperStop || m_libraryClosed; };
    if (m_probing && !m_status.connected) {
      m_changed.wait_until(lock, nextProbe, wake);
    } else {
      m_changed.wait(lock, [&] { return wake() || (m_probing && !m_status.connected); });
    }
  }
}

void NatsConnection::rebuild() {
  auto opts = buildOptions();
  natsStatus s = NATS_OK;
  natsConnection* nc = nullptr;
  if (opts) {
    {
      std::lock_guard lock(m_mutex);
      m_closed = false;  // from here on, a close is the new connection's
    }
    s = natsConnection_Connect(&nc, *opts);
    natsOptions_Destroy(*opts);
  }
  if (!opts || (s != NATS_OK && s != NATS_NOT_YET_CONNECTED)) {
    natsConnection_Destroy(nc);
    const std::string why = opts ? natsError(s, "connecting").message() : opts.error().describe();
    std::lock_guard lock(m_mutex);
    m_closed = true;         // the current one is still the old, closed one
    m_libraryClosed = true;  // another round
    m_closeReason = "cannot build the connection: " + why;
    return;
  }
  const std::uint64_t generation = install(nc);
  std::vector<std::function<void(std::uint64_t)>> listeners;
  {
    std::lock_guard lock(m_mutex);
    ++m_status.rebuilds;
    for (const auto& [id, listener] : m_rebuildListeners) listeners.push_back(listener);
  }
  m_log->debug("NATS connection rebuilt (generation {})", generation);
  for (const auto& listener : listeners) listener(generation);
}

void NatsConnection::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_keeperStop = true;
  }
  m_changed.notify_all();
  if (m_keeper.joinable()) m_keeper.join();
  Ref conn = current();
  if (conn == nullptr) return;
  m_closing.store(true, std::memory_order_release);
  natsConnection_Close(conn.get());
  {
    // The closed callback is the library's last call into this object.
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, std::chrono::seconds(5), [this] { return m_closed; });
    m_conn.reset();
    m_raw.store(nullptr, std::memory_order_release);
    m_status.connected = false;
  }
  m_connected.store(false, std::memory_order_release);
}

void NatsConnection::setConnected(bool up, const char* event, natsConnection* nc) {
  TimestampNs downAt = 0;  ///< when the link went down, for "back after ..."
  {
    std::lock_guard lock(m_mutex);
    if (m_status.connected == up && up) return;
    if (up && m_status.disconnects > 0) downAt = m_status.since;
    m_loggedErrors.clear();
    m_status.connected = up;
    m_status.since = wallClockNs();
    if (up) {
      m_status.url = connectedUrl(nc);
      m_probing = false;
      m_loggedProbe.clear();
      m_loggedClose.clear();
      m_upAt = Steady::now();
    } else {
      m_downAt = Steady::now();
    }
    m_connected.store(up, std::memory_order_release);
  }
  m_changed.notify_all();  // the keeper has nothing left to find out
  std::vector<std::function<void(bool)>> listeners;
  {
    std::lock_guard lock(m_mutex);
    listeners = m_listeners;
  }
  for (const auto& listener : listeners) listener(up);
  if (up) {
    if (downAt != 0) {
      // Whole seconds, or milliseconds (at least 1) for an outage shorter than a second.
      const auto ms = std::chrono::milliseconds(
          std::max<TimestampNs>(1'000'000, wallClockNs() - downAt) / 1'000'000);
      const Duration down = ms >= std::chrono::seconds(1)
                                ? Duration(std::chrono::duration_cast<std::chrono::seconds>(ms))
                                : Duration(ms);
      m_log->info("the cloud hub {} is back after {} down: sending what waited in the journal",
                  status().url, formatDuration(down));
    } else {
      m_log->info("NATS {} to {}", event, status().url);
    }
  } else {
    m_log->warn(
        "the cloud hub {} is down (connection lost); observations wait in the journal, "
        "reconnecting in the background",
        status().url);
  }
}

void NatsConnection::onConnected(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  if (c->isCurrent(nc)) c->setConnected(true, "connected", nc);
}

void NatsConnection::onDisconnected(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  // cnats also reports failed attempts of the first connect, and the close in stop().
  if (!c->isCurrent(nc) || !c->connected() || c->m_closing.load(std::memory_order_acquire)) {
    return;
  }
  {
    std::lock_guard lock(c->m_mutex);
    ++c->m_status.disconnects;
  }
  c->setConnected(false, "disconnected", nc);
}

void NatsConnection::onReconnected(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  if (!c->isCurrent(nc)) return;
  {
    std::lock_guard lock(c->m_mutex);
    ++c->m_status.reconnects;
  }
  c->setConnected(true, "reconnected", nc);
}

// Not filtered: a connection being built may close before it is installed.
void NatsConnection::onClosed(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  const bool byLibrary = !c->m_closing.load(std::memory_order_acquire);
  if (byLibrary && c->connected()) onDisconnected(nc, self);
  std::string reason;
  if (byLibrary) {
    const char* text = nullptr;
    const natsStatus last = natsConnection_GetLastError(nc, &text);
    reason = text != nullptr && *text != '\0' ? text : natsStatus_GetText(last);
    if (last == NATS_OK) reason = c->status().lastError;
  }
  c->m_connected.store(false, std::memory_order_release);
  {
    std::lock_guard lock(c->m_mutex);
    c->m_status.connected = false;
    c->m_closed = true;
    if (byLibrary) {
      // The keeper builds a new one: cnats stops retrying by itself after some failures.
      c->m_libraryClosed = true;
      c->m_closeReason = reason.empty() ? "no reason given" : reason;
    }
  }
  c->m_changed.notify_all();
}

/// How long after a (re)connect subscription errors are taken for echoes of the outage.
constexpr TimestampNs kSettleNs = 10'000'000'000;

void NatsConnection::onError(natsConnection* nc, natsSubscription* sub, natsStatus err,
                             void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  if (!c->isCurrent(nc)) return;
  const char* text = nullptr;
  natsConnection_GetLastError(nc, &text);
  std::string message = natsStatus_GetText(err);
  if (text != nullptr && *text != '\0') message += std::string(": ") + text;
  const char* subject = sub != nullptr ? natsSubscription_GetSubject(sub) : nullptr;
  if (subject != nullptr) message += std::string(" (subscription ") + subject + ")";
  message = redactUrl(message);
  bool first = false;
  {
    std::lock_guard lock(c->m_mutex);
    c->m_status.lastError = message;
    // While the hub is down its subscriptions miss heartbeats and time out every few seconds,
    // and report the last of those just after it is back: the loss itself was logged once.
    // Up and settled, each kind of error is logged once per connection.
    const bool settling = sub != nullptr && wallClockNs() - c->m_status.since < kSettleNs;
    first = c->m_status.connected && !settling && c->m_loggedErrors.insert(err).second;
  }
  if (first) c->m_log->warn("NATS error: {}", message);
}

int64_t NatsConnection::onReconnectDelay(natsConnection*, int attempts, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  const Duration delay = reconnectDelay(c->m_options, attempts, randomUnit());
  if (attempts == 1 || attempts % 10 == 0) {
    c->m_log->debug("NATS still unreachable after {} rounds; next try in {}", attempts,
                    formatDuration(duration_cast<milliseconds>(delay)));
  }
  return toMs(delay);
}

}  // namespace spindle::uplinks::nats
