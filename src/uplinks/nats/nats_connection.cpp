#include "uplinks/nats/nats_connection.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "base/log.hpp"
#include "base/redact.hpp"
#include "base/units.hpp"

namespace spindle::uplinks::nats {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

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

Error natsError(natsStatus status, const std::string& what) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  std::string message = natsStatus_GetText(status);
  if (text != nullptr && *text != '\0' && last == status) message += std::string(": ") + text;
  ErrorCode code = ErrorCode::kUnavailable;
  switch (status) {
    case NATS_INVALID_ARG:
    case NATS_SSL_ERROR:
    case NATS_NOT_PERMITTED:
      code = ErrorCode::kInvalidArgument;
      break;
    case NATS_TIMEOUT:
      code = ErrorCode::kTimeout;
      break;
    case NATS_IO_ERROR:
      code = ErrorCode::kIo;
      break;
    case NATS_PROTOCOL_ERROR:
      code = ErrorCode::kProtocol;
      break;
    default:
      break;
  }
  return Error(code, redactUrl(message)).with(what);
}

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

void NatsConnection::retain(std::shared_ptr<void> object) {
  std::lock_guard lock(m_mutex);
  m_retained.push_back(std::move(object));
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
  if (m_conn != nullptr) return okStatus();
  auto opts = buildOptions();
  if (!opts) return std::move(opts).error().with("connecting to NATS");
  m_closing.store(false, std::memory_order_release);
  {
    std::lock_guard lock(m_mutex);
    m_closed = false;
    m_status.url = m_options.servers.empty() ? "" : redactUrl(m_options.servers.front());
  }
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, *opts);
  natsOptions_Destroy(*opts);
  if (s == NATS_OK) {
    m_conn = nc;
    std::lock_guard lock(m_mutex);
    m_status.url = connectedUrl(nc);
  } else if (s == NATS_NOT_YET_CONNECTED) {
    m_conn = nc;
    m_log->warn("NATS server not reachable yet ({}); retrying in the background", m_status.url);
    {
      std::lock_guard lock(m_probeMutex);
      m_probeStop = false;
    }
    m_prober = std::thread([this] { runProbes(); });
  } else {
    return natsError(s, "connecting to NATS");
  }
  if (s == NATS_OK) setConnected(true, "connected", nc);
  return okStatus();
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

void NatsConnection::runProbes() {
  std::string last;
  std::unique_lock lock(m_probeMutex);
  while (!m_probeStop && !connected()) {
    lock.unlock();
    const std::string reason = probe();
    lock.lock();
    if (connected()) break;
    // Logged even when stopping: the reason may be why the edge stops.
    if (!reason.empty() && reason != last) {
      m_log->warn("NATS server {} not reachable: {}", status().url, reason);
      std::lock_guard statusLock(m_mutex);
      m_status.lastError = reason;
    }
    last = reason;
    if (m_probeStop) break;
    m_probeWake.wait_for(lock, kProbeInterval, [this] { return m_probeStop || connected(); });
  }
}

void NatsConnection::stopProbes() {
  {
    std::lock_guard lock(m_probeMutex);
    m_probeStop = true;
  }
  m_probeWake.notify_all();
  if (m_prober.joinable()) m_prober.join();
}

void NatsConnection::stop() {
  stopProbes();
  if (m_conn == nullptr) return;
  m_closing.store(true, std::memory_order_release);
  natsConnection_Close(m_conn);
  {
    // The closed callback is the library's last call into this object.
    std::unique_lock lock(m_mutex);
    m_closedCv.wait_for(lock, std::chrono::seconds(5), [this] { return m_closed; });
  }
  natsConnection_Destroy(m_conn);
  m_conn = nullptr;
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
    if (up) m_status.url = connectedUrl(nc);
  }
  m_connected.store(up, std::memory_order_release);
  if (up) m_probeWake.notify_all();  // the prober has nothing left to find out
  std::vector<std::function<void(bool)>> listeners;
  {
    std::lock_guard lock(m_mutex);
    listeners = m_listeners;
  }
  for (const auto& listener : listeners) listener(up);
  if (up) {
    if (downAt != 0) {
      const auto seconds = std::chrono::seconds((wallClockNs() - downAt) / 1'000'000'000);
      m_log->info("the cloud hub {} is back after {} down: sending what waited in the journal",
                  status().url, formatDuration(seconds));
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
  static_cast<NatsConnection*>(self)->setConnected(true, "connected", nc);
}

void NatsConnection::onDisconnected(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  // cnats also reports failed attempts of the first connect, and the close in stop().
  if (!c->connected() || c->m_closing.load(std::memory_order_acquire)) return;
  {
    std::lock_guard lock(c->m_mutex);
    ++c->m_status.disconnects;
  }
  c->setConnected(false, "disconnected", nc);
}

void NatsConnection::onReconnected(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  {
    std::lock_guard lock(c->m_mutex);
    ++c->m_status.reconnects;
  }
  c->setConnected(true, "reconnected", nc);
}

void NatsConnection::onClosed(natsConnection* nc, void* self) {
  auto* c = static_cast<NatsConnection*>(self);
  c->m_connected.store(false, std::memory_order_release);
  if (!c->m_closing.load(std::memory_order_acquire)) {
    // cnats stops retrying by itself after some failures (a TLS handshake that fails, for
    // one): say so, with its reason, rather than "reconnecting" forever in silence.
    const char* text = nullptr;
    const natsStatus last = natsConnection_GetLastError(nc, &text);
    std::string reason = text != nullptr && *text != '\0' ? text : natsStatus_GetText(last);
    if (last == NATS_OK) reason = c->status().lastError;
    c->m_log->error(
        "NATS connection to {} closed by the client library ({}); the cloud link "
        "stays down until spindle restarts",
        c->status().url, redactUrl(reason));
  }
  std::lock_guard lock(c->m_mutex);
  c->m_status.connected = false;
  c->m_closed = true;
  c->m_closedCv.notify_all();
}

/// How long after a (re)connect subscription errors are taken for echoes of the outage.
constexpr TimestampNs kSettleNs = 10'000'000'000;

void NatsConnection::onError(natsConnection* nc, natsSubscription* sub, natsStatus err,
                             void* self) {
  auto* c = static_cast<NatsConnection*>(self);
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

namespace spindle::uplinks::nats {

namespace {

std::string clockTime(TimestampNs at) { return formatTimestamp(at).substr(11, 8) + " UTC"; }

std::string age(TimestampNs from, TimestampNs now) {
  const auto seconds = std::max<TimestampNs>(0, now - from) / 1'000'000'000;
  return seconds == 0 ? "0s" : formatDuration(std::chrono::seconds(seconds));
}

}  // namespace

std::string describeLink(const ConnectionStatus& status, TimestampNs lastAck, TimestampNs now) {
  std::string out;
  if (status.connected) {
    out = "hub connected since " + clockTime(status.since);
  } else if (status.since == 0) {
    out = "hub not reached yet, connecting";
  } else {
    out = "hub down since " + clockTime(status.since) + " (" + age(status.since, now) +
          "), reconnecting";
  }
  if (lastAck == 0) return out + ", no ack yet";
  if (status.connected) return out + ", last ack " + age(lastAck, now) + " ago";
  return out + ", last ack " + clockTime(lastAck);
}

}  // namespace spindle::uplinks::nats
