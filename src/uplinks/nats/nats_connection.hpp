#pragma once
/// NatsConnection: the edge's one connection to NATS (the hub, or a local leaf node), opened by
/// the edge and kept open forever: a failed first connect and every later loss are retried
/// with capped exponential backoff and jitter. The uplink and control/ share it.
///
/// It never stays closed. cnats gives a connection up for good in a few cases even with
/// MaxReconnect=-1: a TLS or authorization failure at the first connect, the same
/// authorization error twice in a row (credentials revoked), an -ERR it does not know. The
/// keeper thread then builds a new cnats connection from the same options (credential files
/// and certificates are read again) after the reconnect backoff, and again, until one stays up
/// or stop() is called. A build that fails on settings (an unreadable certificate) is retried
/// the same way; only start() fails on bad settings.
///
/// The swap. Consumers never keep a raw natsConnection*: they take a Ref (current()), a
/// shared_ptr whose deleter destroys the cnats connection, use it, and drop it. The swap
/// replaces the Ref this object holds (under m_mutex) and bumps generation(); the old cnats
/// connection, already closed, is destroyed when the last consumer drops its Ref, so nothing
/// ever uses a destroyed one. What lives on a connection (a JetStream context, a
/// subscription) follows through onRebuild(): after each swap the keeper thread calls the
/// listeners with the new generation, outside this object's locks, and each moves its objects
/// under its own lock (or lazily at its next use, comparing generation()). cnats callbacks
/// (on cnats' threads) take m_mutex only briefly and never run rebuild listeners (the closed
/// callback just wakes the keeper), so a listener may take its own locks and call cnats
/// without deadlocking against them. Events of a connection that is not the current one are
/// ignored, except its close.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nats/nats.h>
#include <spdlog/logger.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "uplinks/nats/nats_options.hpp"
#include "uplinks/nats/nats_status.hpp"

namespace spindle::uplinks::nats {

class NatsConnection {
 public:
  /// The cnats connection, kept from being destroyed while held. Use it and drop it; holding
  /// it across a rebuild keeps a dead (closed) connection.
  using Ref = std::shared_ptr<natsConnection>;

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
  /// certificate, malformed URL); an unreachable or refusing server is retried in the
  /// background forever.
  Status start();
  /// Closes the connection; afterwards no callback or listener runs. Idempotent.
  void stop();

  /// The current cnats connection (see Ref), null before start() and after stop(). Publishing
  /// on it while disconnected buffers up to `reconnect_buffer` bytes. Any thread.
  Ref current() const;
  /// 1 for the connection start() built, +1 per rebuild; 0 before start(). Any thread.
  std::uint64_t generation() const;
  bool connected() const { return m_connected.load(std::memory_order_acquire); }
  ConnectionStatus status() const;
  const std::string& edgeId() const { return m_edgeId; }

  /// Registers a callback run (on a cnats thread) whenever the connection comes up (true) or
  /// goes down (false). Any time; a listener must stay callable until stop().
  void onStateChange(std::function<void(bool up)> callback);

  /// Registers a callback run on the keeper thread after each rebuild, with the new
  /// generation (current() returns the new connection by then; it may not be connected yet).
  /// It may still run once after removeRebuildListener() returns, so it must reach its owner
  /// through shared state. Returns the id for removeRebuildListener(). Any thread.
  std::uint64_t onRebuild(std::function<void(std::uint64_t generation)> callback);
  void removeRebuildListener(std::uint64_t id);

  /// Keeps `object` alive until this connection is destroyed: for state that a callback on a
  /// cnats thread may still reach after its owner has stopped.
  void retain(std::shared_ptr<void> object);

  /// Delay before reconnect round `attempt` (1-based): reconnect_min doubling per round up to
  /// reconnect_max, +-20% jitter. Cnats' own reconnects and the rebuilds both use it. Public
  /// for tests.
  static Duration reconnectDelay(const ConnectionOptions& options, int attempt, double unitRandom);

  /// The rebuild round after the library closed a connection that came up `upFor` before
  /// (0: it never came up), the last round being `previous`: a connection that stayed up at
  /// least reconnect_max starts the rounds over (a success), any other counts one more.
  static int nextRebuildRound(const ConnectionOptions& options, int previous, Duration upFor);

  /// Why no server takes a connection, as one attempt of its own tells it (e.g. "SSL
  /// handshake error: 20:unable to get local issuer certificate"); "" when one takes it now.
  /// The retrying connection keeps its reasons to itself, so while a newly built connection
  /// has not come up this runs at once and then every kProbeInterval; a new reason is logged
  /// and kept in status().lastError. Blocks up to connect_timeout per server. Any thread.
  std::string probe();
  static constexpr Duration kProbeInterval = std::chrono::seconds(30);

 private:
  Result<natsOptions*> buildOptions();
  /// Makes `nc` (just built) the current connection; returns the new generation.
  std::uint64_t install(natsConnection* nc);
  void keep();
  void rebuild();
  void setConnected(bool up, const char* event, natsConnection* nc);
  bool isCurrent(natsConnection* nc) const { return nc == m_raw.load(std::memory_order_acquire); }

  static void onConnected(natsConnection* nc, void* self);
  static void onDisconnected(natsConnection* nc, void* self);
  static void onReconnected(natsConnection* nc, void* self);
  static void onClosed(natsConnection* nc, void* self);
  static void onError(natsConnection* nc, natsSubscription* sub, natsStatus err, void* self);
  static int64_t onReconnectDelay(natsConnection* nc, int attempts, void* self);

  ConnectionOptions m_options;
  std::string m_edgeId;
  std::shared_ptr<spdlog::logger> m_log;
  std::atomic<natsConnection*> m_raw{nullptr};  ///< the current one, to filter callbacks
  std::atomic<bool> m_connected{false};
  std::atomic<bool> m_closing{false};

  mutable std::mutex m_mutex;
  std::condition_variable m_changed;  ///< closed, connected, or stopping
  Ref m_conn;
  std::uint64_t m_generation = 0;
  bool m_closed = false;  ///< the current connection's closed callback has run
  ConnectionStatus m_status;
  std::set<natsStatus> m_loggedErrors;  ///< asynchronous errors logged since the last change
  std::vector<std::function<void(bool)>> m_listeners;
  std::map<std::uint64_t, std::function<void(std::uint64_t)>> m_rebuildListeners;
  std::uint64_t m_nextListener = 1;
  std::vector<std::shared_ptr<void>> m_retained;

  // The keeper (under m_mutex).
  std::thread m_keeper;
  bool m_keeperStop = false;
  bool m_libraryClosed = false;  ///< cnats closed the current connection by itself
  std::string m_closeReason;     ///< cnats' reason for it
  bool m_probing = false;        ///< the current connection has not come up yet
  int m_rounds = 0;              ///< rebuild rounds since the last connection that stayed up
  std::chrono::steady_clock::time_point m_upAt{};    ///< when the current connection last came up
  std::chrono::steady_clock::time_point m_downAt{};  ///< when it last went down
  std::string m_loggedClose;                         ///< the close reason logged last
  std::string m_loggedProbe;                         ///< the probe reason logged last
};

}  // namespace spindle::uplinks::nats
