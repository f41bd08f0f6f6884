#pragma once
/// NatsConnection: the edge's one connection to NATS (the hub, or a local leaf node), opened by
/// the edge and kept open forever: a failed first connect and every later loss are retried
/// with capped exponential backoff and jitter. The uplink and control/ share it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nats/nats.h>
#include <spdlog/logger.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "uplinks/nats/nats_options.hpp"

namespace spindle::uplinks::nats {

/// An Error from a cnats status, with cnats' own last error text when it has one.
Error natsError(natsStatus status, const std::string& what);

struct ConnectionStatus {
  bool connected = false;
  std::string url;  ///< server connected to, or the last one tried
  std::uint64_t reconnects = 0;
  std::uint64_t disconnects = 0;
  std::string lastError;  ///< the last asynchronous error the library reported
  TimestampNs since = 0;  ///< when `connected` last changed
};

/// The link in a few words for the status line: "hub connected since 16:52:59 UTC, last ack
/// 2s ago", "hub down since 16:53:06 UTC (34s), reconnecting, last ack 16:53:05 UTC".
/// `lastAck` is when the hub last acknowledged data (0: never); `now` the wall clock.
std::string describeLink(const ConnectionStatus& status, TimestampNs lastAck, TimestampNs now);

class NatsConnection {
 public:
  /// `edgeId` names the connection ("spindle-<edgeId>") unless options.name is set.
  NatsConnection(ConnectionOptions options, std::string edgeId);
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  /// Replaces the server list (names resolved by the edge's DNS chain) and the name TLS checks
  /// the certificate against. Before start().
  void useServers(std::vector<std::string> servers, std::string expectedHostname) {
    m_options.servers = std::move(servers);
    m_options.expectedHostname = std::move(expectedHostname);
  }
  /// Builds the connection and starts connecting. Fails only on bad settings (unreadable
  /// certificate, malformed URL); an unreachable server is retried in the background forever.
  Status start();
  /// Closes the connection; afterwards no callback runs. Idempotent.
  void stop();

  /// The cnats connection, valid from start() until stop(). Publishing on it while
  /// disconnected buffers up to `reconnect_buffer` bytes.
  natsConnection* handle() const { return m_conn; }
  bool connected() const { return m_connected.load(std::memory_order_acquire); }
  ConnectionStatus status() const;
  const std::string& edgeId() const { return m_edgeId; }

  /// Registers a callback run (on a cnats thread) whenever the connection comes up (true) or
  /// goes down (false). Any time; a listener must stay callable until stop().
  void onStateChange(std::function<void(bool up)> callback);

  /// Keeps `object` alive until this connection is destroyed: for state that a callback on a
  /// cnats thread may still reach after its owner has stopped.
  void retain(std::shared_ptr<void> object);

  /// Delay before reconnect round `attempt` (1-based): reconnect_min doubling per round up to
  /// reconnect_max, +-20% jitter. Public for tests.
  static Duration reconnectDelay(const ConnectionOptions& options, int attempt, double unitRandom);

  /// Why no server takes a connection, as one attempt of its own tells it (e.g. "SSL
  /// handshake error: 20:unable to get local issuer certificate"); "" when one takes it now.
  /// The retrying connection keeps its reasons to itself, so while it is down this runs at
  /// start and then every kProbeInterval; a new reason is logged and kept in
  /// status().lastError. Blocks up to connect_timeout per server. Any thread.
  std::string probe();
  static constexpr Duration kProbeInterval = std::chrono::seconds(30);

 private:
  Result<natsOptions*> buildOptions();
  void runProbes();
  void stopProbes();
  void setConnected(bool up, const char* event, natsConnection* nc);

  static void onConnected(natsConnection* nc, void* self);
  static void onDisconnected(natsConnection* nc, void* self);
  static void onReconnected(natsConnection* nc, void* self);
  static void onClosed(natsConnection* nc, void* self);
  static void onError(natsConnection* nc, natsSubscription* sub, natsStatus err, void* self);
  static int64_t onReconnectDelay(natsConnection* nc, int attempts, void* self);

  ConnectionOptions m_options;
  std::string m_edgeId;
  std::shared_ptr<spdlog::logger> m_log;
  natsConnection* m_conn = nullptr;
  std::atomic<bool> m_connected{false};
  std::atomic<bool> m_closing{false};
  std::vector<std::function<void(bool)>> m_listeners;
  std::vector<std::shared_ptr<void>> m_retained;

  mutable std::mutex m_mutex;
  std::condition_variable m_closedCv;
  bool m_closed = false;
  ConnectionStatus m_status;
  std::set<natsStatus> m_loggedErrors;  ///< asynchronous errors logged since the last change

  std::mutex m_probeMutex;
  std::condition_variable m_probeWake;
  bool m_probeStop = false;
  std::thread m_prober;  ///< runs while the first connection is still being retried
};

}  // namespace spindle::uplinks::nats
