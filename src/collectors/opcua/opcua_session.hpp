#pragma once
/// The opcua collector's I/O: one OPC UA session per machine that always recovers, and the
/// subscription (or the polling) that feeds it. Values go to a SessionHandler as they came;
/// what they mean is the collector's business.
///
/// Up: connect (discovery, endpoint, trust, CreateSession, ActivateSession: opcua/
/// client_session.hpp), read the NamespaceArray, resolve every tag (ids by namespace URI,
/// browse paths with TranslateBrowsePathsToNodeIds, in requests of max_nodes_per_request),
/// then create the subscription and its monitored items (a deadband the server refuses for a
/// node is dropped for that node only) and keep `publish_requests` Publish requests waiting;
/// or, polling, Read every node each poll interval.
///
/// Publish: every data notification is acknowledged in the next request; a sequence number
/// that skips is asked for again with Republish (what the server no longer has is counted as
/// lost and said); a StatusChangeNotification (the subscription expired) or BadNoSubscription
/// rebuilds the subscription.
///
/// Watchdog: no data and no keep-alive for twice the keep-alive time plus read_timeout: the
/// server is asked for its state (i=2259). It answers: the subscription went silent and is
/// rebuilt. It does not: the connection is dead (a stopped process, a cut cable behind a
/// switch that keeps TCP up) and is closed.
///
/// Down (the connection broke, a request timed out in the watchdog, the session was lost):
/// every outstanding request is dropped, the handler hears onDown with the retry delay (the
/// shared backoff; after a refusal that only an operator can fix, a wrong password or an
/// untrusted certificate, the longest delay at once), and then: a new connection that
/// reactivates the same session (its subscription carries over; every node is read once so
/// the values lost while away are back); when the server no longer has the session (it
/// restarted, or the session timed out), a new session that takes the old subscription over
/// with TransferSubscriptions (initial values sent), or, when that fails, a new subscription.
/// Nodes are resolved again on every new session (a restarted server may have moved them).
///
/// Thread: everything runs on the strand; start() and stop() may be called from any thread.
/// The handler is called on the strand only, never after stop() returned... on the strand.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/common.h>

#include "collectors/backoff.hpp"
#include "collectors/opcua/opcua_tags.hpp"
#include "collectors/resolve.hpp"
#include "opcua/client_session.hpp"

namespace spindle::collectors::opcua {

struct SessionSettings {
  ua::SessionConfig client;  ///< endpoint URL, security, PKI, user, session timeout
  std::string host;          ///< where the socket connects (the endpoint URL's host)
  std::uint16_t port = 4840;
  Duration connectTimeout = std::chrono::seconds(5);
  ResolveFn resolve = systemResolve;
  Duration requestTimeout = std::chrono::seconds(10);
  Duration reconnectMin = std::chrono::milliseconds(500);
  Duration reconnectMax = std::chrono::seconds(30);
  bool subscribe = true;
  double publishingIntervalMs = 500;
  double samplingIntervalMs = -1;  ///< -1: the publishing interval
  std::uint32_t queueSize = 10;
  std::uint32_t deadbandType = 0;  ///< 0 none, 1 absolute, 2 percent
  double deadbandValue = 0;
  std::uint32_t keepaliveCount = 10;
  std::size_t publishRequests = 3;
  Duration pollInterval = std::chrono::seconds(1);
  std::size_t maxNodesPerRequest = 500;
  std::map<std::string, std::string> aliases;  ///< for browse paths
};

class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  /// The session is up, its nodes resolved; `detail` describes it for the state page.
  virtual void onUp(const std::string& detail) = 0;
  /// A value of the node at `index` (the tag's position). `late`: it came by Republish after
  /// newer ones may have been delivered.
  virtual void onValue(std::size_t index, const ua::DataValue& value, bool late) = 0;
  /// A message of values is complete (the collector flushes).
  virtual void onValuesEnd() = 0;
  /// The node at `index` cannot be read on this server now: why ("no node at this path
  /// (BadNoMatch)"). It is tried again with the next session.
  virtual void onNodeProblem(std::size_t index, const std::string& problem) = 0;
  /// The session went away and is tried again in `retryIn`. `wasUp`: it had been up.
  virtual void onDown(const std::string& reason, Duration retryIn, bool wasUp) = 0;
  /// A transition worth a log line (reactivated, subscription rebuilt, notifications lost).
  virtual void onNotice(spdlog::level::level_enum level, const std::string& text) = 0;
};

struct SessionStats {
  std::uint64_t sessionsCreated = 0;
  std::uint64_t reactivations = 0;  ///< the same session on a new connection
  std::uint64_t transfers = 0;      ///< the subscription taken over by a new session
  std::uint64_t subscriptionsCreated = 0;
  std::uint64_t publishes = 0;  ///< Publish responses
  std::uint64_t keepalives = 0;
  std::uint64_t notifications = 0;  ///< data notifications (values)
  std::uint64_t republished = 0;    ///< messages recovered with Republish
  std::uint64_t lost = 0;           ///< messages the server no longer had
  std::uint64_t reads = 0;          ///< Read requests (polling, probes, after reactivation)
  std::uint64_t silent = 0;         ///< watchdog rebuilds of a silent subscription
};

class OpcuaSession : public std::enable_shared_from_this<OpcuaSession> {
 public:
  using Strand = ua::ClientSession::Strand;

  OpcuaSession(Strand strand, SessionSettings settings, std::vector<TagNode> tags,
               std::weak_ptr<SessionHandler> handler);

  void start();
  /// Closes the session (CloseSession, then the channel) as a courtesy to the server, in the
  /// background. The handler hears nothing more.
  void stop();
  /// The pipeline is full: no new Publish or poll until resume(). Strand.
  void pause();
  void resume();
  bool up() const { return m_state == State::kUp; }  ///< strand
  SessionStats stats() const;

 private:
  enum class State { kIdle, kConnecting, kUp, kWaiting, kStopped };
  using Gen = std::uint64_t;

  // opcua_session.cpp: connecting, resolving, recovering.
  ua::ClientSession::ConnectFn connector();
  void connect();
  void freshSession(Gen gen);
  void afterReactivation(Gen gen);
  void setup(Gen gen);
  void resolve(Gen gen, std::function<void()> next);
  void resolvePaths(Gen gen, std::vector<std::size_t> paths, std::size_t from,
                    std::function<void()> next);
  void goUp(Gen gen);
  void goDown(const Error& why);
  bool stale(Gen gen) const { return gen != m_gen || m_state == State::kStopped; }
  /// Whether the error is the server's StatusCode `name` (the message starts with its name).
  static bool says(const Error& e, std::string_view name) { return e.message().starts_with(name); }
  /// The server no longer has our session: a new one is needed (not a new connection).
  static bool sessionGone(const Error& e) {
    return says(e, "BadSessionIdInvalid") || says(e, "BadSessionClosed") ||
           says(e, "BadSessionNotActivated");
  }
  std::string describeSession() const;
  void count(std::uint64_t SessionStats::*field, std::uint64_t n = 1);

  // opcua_subscription.cpp: the subscription, Publish, the watchdog, polling.
  void subscribe(Gen gen);
  void createItems(Gen gen, std::vector<std::size_t> nodes, std::size_t from, bool withFilter,
                   std::function<void()> next);
  void transferOrSubscribe(Gen gen);
  void rebuildSubscription(const std::string& why);
  void fillPublish();
  void onPublish(Gen gen, Result<ua::PublishResponse> r,
                 std::vector<ua::SubscriptionAcknowledgement> acks);
  void deliver(const ua::NotificationMessage& message, bool late);
  void recoverGap(std::uint32_t from, std::uint32_t to);
  void armWatchdog();
  void onWatchdog();
  void probe(Gen gen);
  void readAll(Gen gen, std::size_t from, std::function<void()> next);
  void armPoll();
  Duration keepaliveTime() const;

  Strand m_strand;
  SessionSettings m_settings;
  std::vector<TagNode> m_tags;
  std::weak_ptr<SessionHandler> m_handler;
  std::shared_ptr<ua::ClientSession> m_client;
  Backoff m_backoff;
  boost::asio::steady_timer m_retryTimer;
  boost::asio::steady_timer m_watchdog;
  boost::asio::steady_timer m_pollTimer;
  State m_state = State::kIdle;
  Gen m_gen = 0;
  bool m_hadSession = false;                       ///< m_client was activated once (reactivate it)
  std::vector<std::optional<ua::NodeId>> m_nodes;  ///< per tag, when resolved
  std::uint32_t m_subscriptionId = 0;
  double m_revisedPublishingMs = 0;
  std::uint32_t m_revisedKeepalive = 0;
  std::size_t m_outstanding = 0;    ///< Publish requests waiting at the server
  std::size_t m_publishTarget = 3;  ///< lowered by BadTooManyPublishRequests
  std::vector<ua::SubscriptionAcknowledgement> m_acks;
  std::uint32_t m_lastSequence = 0;  ///< the highest data message delivered; 0: none yet
  std::chrono::steady_clock::time_point m_lastHeard;
  bool m_probing = false;
  bool m_pollBusy = false;
  bool m_paused = false;
  bool m_refusedSaid = false;
  mutable std::mutex m_statsMutex;
  SessionStats m_stats;
};

}  // namespace spindle::collectors::opcua
