#pragma once
/// An OPC UA client session (Part 4, 5.6) on a SecureChannel, and the services a collector
/// needs, with typed callbacks.
///
/// connect(): discovery first (GetEndpoints on a None channel: that is how a client learns the
/// server's certificate), then the endpoint with the configured policy and mode (or the most
/// secure one, endpoint_selection.hpp), then the server certificate checked against the
/// TrustList BEFORE anything secret is sent (an untrusted one is an error naming the
/// rejected/ file and how to trust it), then a new channel with that policy, CreateSession
/// (the server's signature over our certificate and nonce checked when secure) and
/// ActivateSession (anonymous, or user name with the password encrypted as the token policy
/// says, or by the channel's policy when it says nothing; never in clear). A refused password
/// is an error naming BadUserAccessDenied / BadIdentityTokenRejected.
///
/// The session connects to the configured URL, never to the one the server advertises. It
/// does not connect sockets itself: ConnectFn gives it a connected socket each time it needs
/// one (the opcua collector passes collectors/tcp_connect.hpp, tests plain Asio).
///
/// Thread: create, call every method and get every callback on the strand. Every callback is
/// called exactly once. Failures are values; nothing is logged.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "opcua/certificates.hpp"
#include "opcua/endpoint_selection.hpp"
#include "opcua/secure_channel.hpp"

namespace spindle::opcua {

struct UserIdentity {
  std::string userName;
  std::string password;
};

struct SessionConfig {
  std::string endpointUrl;  ///< "opc.tcp://host:4840/path": ours, used for HEL and sessions
  /// A SecurityPolicy URI or name ("Basic256Sha256"), or "best" (the most secure offered).
  std::string securityPolicy = std::string(kBestSecurity);
  SecurityMode securityMode = SecurityMode::kSignAndEncrypt;  ///< ignored with "best"
  std::string pkiDir;  ///< own/ (our certificate, created on first use), trusted/, rejected/
  std::string applicationUri = "urn:spindle:opcua-client";
  std::string hostname = "localhost";  ///< in our certificate's CN and subjectAltName
  std::string applicationName = "Spindle";
  std::string productUri = "urn:spindle";
  std::string sessionName = "spindle";
  bool trustOnFirstUse = false;      ///< trust the first certificate seen per endpoint URL
  std::optional<UserIdentity> user;  ///< none: anonymous
  double sessionTimeoutMs = 60'000;
  std::uint32_t channelLifetimeMs = 3'600'000;  ///< requested; the server revises it
  std::uint32_t maxMessageSize = 4 * 1024 * 1024;
  Duration requestTimeout = std::chrono::seconds(10);
  std::size_t maxBrowseNext = 100;  ///< BrowseNext rounds per browse before giving up
};

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  using Strand = SecureChannel::Strand;
  using Socket = boost::asio::ip::tcp::socket;
  /// Gives a socket connected to the server, or why not; may call back on any thread.
  using ConnectFn = std::function<void(std::function<void(Result<Socket>)>)>;
  using Done = std::function<void(Status)>;
  template <typename T>
  using Callback = std::function<void(Result<T>)>;

  static std::shared_ptr<ClientSession> create(Strand strand, SessionConfig config,
                                               ConnectFn connect);

  /// Called once per channel that fails after the session was activated on it (the server
  /// stopped, the connection broke); the session can then reconnect().
  void setOnChannelClosed(std::function<void(const Error&)> f) { m_onChannelClosed = std::move(f); }

  /// Discovery, channel, CreateSession, ActivateSession (see above). On failure the channel
  /// is closed: nothing is left open.
  void connect(Done done);
  /// A new channel (same policy, same server certificate) and ActivateSession with the
  /// existing authentication token: the session and its subscriptions carry over.
  void reconnect(Done done);
  /// CloseSession (deleting its subscriptions), then closes the channel. ok even when the
  /// server did not answer: the channel is closed in every case.
  void closeSession(Done done);

  bool active() const { return m_active; }
  const std::vector<EndpointDescription>& endpoints() const { return m_endpoints; }
  const EndpointDescription& endpoint() const { return m_endpoint; }
  const NodeId& sessionId() const { return m_sessionId; }
  double revisedSessionTimeout() const { return m_revisedTimeout; }
  std::shared_ptr<SecureChannel> channel() const { return m_channel; }
  const SessionConfig& config() const { return m_config; }

  /// Any service: the session's authentication token goes into the request header; the
  /// response of type Resp, or the error (another response type is kProtocol).
  template <typename Resp, typename Req>
  void call(Req request, Duration timeout, Callback<Resp> done);

  /// The attribute of each node (ReadRequest, timestamps both, maxAge 0), in order.
  void read(std::vector<ReadValueId> nodes, Callback<std::vector<DataValue>> done);
  void read(const std::vector<NodeId>& nodes, std::uint32_t attributeId,
            Callback<std::vector<DataValue>> done);
  /// Every reference of one node, following continuation points (at most maxBrowseNext
  /// rounds; more is kProtocol). A Bad BrowseResult status is an error naming it.
  void browse(BrowseDescription node, Callback<std::vector<ReferenceDescription>> done);
  void browseNext(ByteString continuationPoint, bool release, Callback<BrowseResult> done);
  void translateBrowsePaths(std::vector<BrowsePath> paths,
                            Callback<std::vector<BrowsePathResult>> done);
  /// The server's NamespaceArray (i=2255); remembered for namespaceIndex().
  void readNamespaceArray(Callback<std::vector<std::string>> done);
  /// The index of `uri` in the last NamespaceArray read; nullopt when absent or not read.
  std::optional<std::uint16_t> namespaceIndex(std::string_view uri) const;

  void createSubscription(CreateSubscriptionRequest request,
                          Callback<CreateSubscriptionResponse> done);
  void createMonitoredItems(std::uint32_t subscriptionId,
                            std::vector<MonitoredItemCreateRequest> items,
                            Callback<CreateMonitoredItemsResponse> done);
  /// A DataChangeFilter for MonitoringParameters::filter (deadbandType 1 absolute, 2 percent).
  static ExtensionObject dataChangeFilter(DataChangeTrigger trigger, std::uint32_t deadbandType,
                                          double deadbandValue);
  void deleteSubscriptions(std::vector<std::uint32_t> ids,
                           Callback<DeleteSubscriptionsResponse> done);
  /// One Publish; the caller runs the loop (and keeps enough in flight). `timeout` should
  /// exceed the keep-alive interval.
  void publish(std::vector<SubscriptionAcknowledgement> acks, Duration timeout,
               Callback<PublishResponse> done);
  void republish(std::uint32_t subscriptionId, std::uint32_t sequenceNumber,
                 Callback<NotificationMessage> done);
  void transferSubscriptions(std::vector<std::uint32_t> ids, bool sendInitialValues,
                             Callback<TransferSubscriptionsResponse> done);

 private:
  ClientSession(Strand strand, SessionConfig config, ConnectFn connect);
  void connectSocket(std::function<void(Result<Socket>)> next);
  /// `done`, closing the channel first when the status is a failure.
  Done closingOnFailure(Done done);
  void openChannel(ChannelConfig config, std::function<void(Status)> next);
  void discover(Done done);
  void chooseEndpoint(Done done);
  Status prepareSecurity();
  void createSession(Done done);
  void activate(Done done);
  Result<ExtensionObject> identityToken();
  const SecurityPolicy& channelPolicy() const { return *m_channelConfig.policy; }
  void browseRound(std::shared_ptr<std::vector<ReferenceDescription>> acc, ByteString cp,
                   std::size_t round, Callback<std::vector<ReferenceDescription>> done);

  Strand m_strand;
  SessionConfig m_config;
  ConnectFn m_connect;
  std::shared_ptr<SecureChannel> m_channel;
  ChannelConfig m_channelConfig;
  std::optional<ApplicationCertificate> m_certificate;
  std::vector<EndpointDescription> m_endpoints;
  EndpointDescription m_endpoint;
  Bytes m_serverCertificate;  ///< the endpoint's (trusted before use)
  NodeId m_sessionId;
  NodeId m_authenticationToken;
  Bytes m_serverNonce;
  double m_revisedTimeout = 0;
  bool m_active = false;
  std::vector<std::string> m_namespaces;
  std::function<void(const Error&)> m_onChannelClosed;
};

template <typename Resp, typename Req>
void ClientSession::call(Req request, Duration timeout, Callback<Resp> done) {
  if (!m_channel) {
    done(Error(ErrorCode::kUnavailable, "the session has no channel"));
    return;
  }
  request.requestHeader.authenticationToken = m_authenticationToken;
  m_channel->request(
      Message(std::move(request)), timeout, [done = std::move(done)](Result<Message> r) {
        if (!r) return done(std::move(r).error());
        if (auto* resp = std::get_if<Resp>(&*r)) return done(std::move(*resp));
        done(Error(ErrorCode::kProtocol, std::string("the server answered ") + messageName(*r)));
      });
}

}  // namespace spindle::opcua
