#pragma once
/// JetStreamPublisher: asynchronous JetStream publishes on a NatsConnection, each answered
/// later by exactly one completion: the hub's PubAck, its error, or a timeout after
/// `ackTimeout`. It counts what is in flight; the caller bounds it.
///
/// It follows the connection's rebuilds (nats_connection.hpp): when a new cnats connection is
/// swapped in, what was waiting for an ack on the old one completes at once as a failure (the
/// caller sends it again; the hub's Nats-Msg-Id deduplication stores it once), the old context
/// is released, and the next publish makes a context on the new connection.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nats/nats.h>

#include "base/error.hpp"
#include "base/units.hpp"
#include "uplinks/nats/nats_connection.hpp"

namespace spindle::uplinks::nats {

struct PublishCompletion {
  std::uint64_t token = 0;  ///< what the caller passed to publish()
  bool ok = false;
  bool duplicate = false;  ///< the hub already had this Nats-Msg-Id
  bool timedOut = false;
  natsStatus status = NATS_OK;
  int jsErrorCode = 0;  ///< JetStream API error code, 0 when none
  std::string error;    ///< empty when ok
};

using Headers = std::vector<std::pair<const char*, std::string>>;

class JetStreamPublisher {
 public:
  /// `onComplete` runs on a cnats thread, once per accepted publish; it must not block long.
  /// `jsDomain` selects the hub's JetStream domain (leaf-node setups), "" for none.
  JetStreamPublisher(NatsConnection& connection, std::string jsDomain, Duration ackTimeout,
                     std::function<void(const PublishCompletion&)> onComplete);
  ~JetStreamPublisher();
  JetStreamPublisher(const JetStreamPublisher&) = delete;
  JetStreamPublisher& operator=(const JetStreamPublisher&) = delete;

  /// Creates the JetStream context and follows the connection's rebuilds. The connection
  /// must be started.
  Status start();
  /// Drops what is still in flight (no completion runs for it) and releases the context.
  /// Idempotent. Not concurrently with publish().
  void stop();

  /// Publishes `body` with `headers` to `subject`. On success exactly one completion with
  /// `token` follows; on error none does and nothing is in flight for it (`raw`, when given,
  /// receives the cnats status: NATS_MAX_PAYLOAD means the message can never be sent). One
  /// thread at a time.
  Status publish(const std::string& subject, const Headers& headers, std::string_view body,
                 std::uint64_t token, natsStatus* raw = nullptr);

  std::size_t inFlight() const;
  std::uint64_t inFlightBytes() const;
  /// Completions that ran while their publish call was still sending the message (its ack
  /// timeout fired while a saturated link held the write): counted for tests and diagnostics.
  std::uint64_t earlyCompletions() const;

 private:
  struct Shared;
  static void onAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  /// A context on the current connection; caller holds Shared::jsMutex.
  Status bind();
  /// After a rebuild to `generation`: fails what waits on older connections, drops their context.
  static void rebound(const std::shared_ptr<Shared>& shared, std::uint64_t generation);

  NatsConnection& m_connection;
  std::string m_domain;
  Duration m_ackTimeout;
  std::shared_ptr<Shared> m_shared;
  std::uint64_t m_listener = 0;  ///< the rebuild listener; 0 when not started
};

}  // namespace spindle::uplinks::nats
