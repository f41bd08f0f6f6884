#pragma once
/// One OPC UA secure channel over a TCP connection someone else opened (OPC UA Part 6, 7.1 and
/// 6.7): HEL/ACK, OPN Issue with the configured policy and mode, then service requests matched
/// to their responses by RequestId, OPN Renew before the token expires, CLO on close().
///
/// I/O only: the encoding, chunking and cryptography are the pure libraries' (chunks.hpp,
/// channel_security.hpp). No resolver: the caller hands over a connected socket (the opcua
/// collector connects through collectors/tcp_connect.hpp). No logging: failures are values.
///
/// Requests: several may be in flight; responses may come in any order. Each request has its
/// own deadline: one that passes fails only that request (kTimeout), the channel stays up. A
/// ServiceFault, or a response whose serviceResult is Bad, is an Error naming the StatusCode
/// (errorForStatus below). Writes go out one at a time, in the order requested.
///
/// Token renewal (Part 6 6.7.4): an OPN Renew at 75% of the revised lifetime. We send with the
/// new token as soon as its response arrives; chunks the server still sends under the old
/// TokenId are opened with the old keys until the first one under the new TokenId arrives.
///
/// Failure: a broken connection, an ERR message, a chunk the assembler or the security policy
/// rejects, a failed renewal, or an OPN answer that breaks the rules closes the socket once,
/// fails every outstanding request with kUnavailable naming the reason and then calls
/// onClosed(reason) once. close() does the same without onClosed ("the channel closed").
///
/// Memory a hostile server can make us hold: a chunk is at most kReceiveBufferSize bytes; a
/// message at most ChannelConfig::maxMessageSize (4 MiB by default); the assembler keeps at most
/// MessageAssembler::kMaxPending partial messages (so at most 64 x maxMessageSize of chunk
/// bodies). The decoders have no element budget: a decoded message may take up to ~192 x its
/// encoded bytes (types.hpp), so keep maxMessageSize modest (768 MiB worst case at 4 MiB).
///
/// Thread: every public method may be called from any thread (they post to the strand); every
/// callback runs on the strand. The object keeps itself alive while I/O is pending.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/error.hpp"
#include "base/units.hpp"
#include "opcua/channel_security.hpp"
#include "opcua/chunks.hpp"
#include "opcua/none_security.hpp"
#include "opcua/security_policy.hpp"
#include "opcua/services.hpp"

namespace spindle::opcua {

/// Our receive buffer (the largest chunk we accept), in the Hello.
inline constexpr std::uint32_t kReceiveBufferSize = 65535;

struct ChannelConfig {
  std::string endpointUrl;  ///< sent in the Hello (ours, not the server's advertised one)
  const SecurityPolicy* policy = &securityPolicyNone();  ///< static table entry, never null
  SecurityMode mode = SecurityMode::kNone;
  /// Our certificate (DER) and private key; needed unless the policy is None.
  Bytes clientCertificateDer;
  std::shared_ptr<EVP_PKEY> clientKey;
  /// The server's certificate (DER, from GetEndpoints); needed unless the policy is None.
  Bytes serverCertificateDer;
  std::uint32_t requestedLifetimeMs = 3'600'000;
  std::uint32_t maxMessageSize = 4 * 1024 * 1024;   ///< our MaxMessageSize (see the header)
  Duration openTimeout = std::chrono::seconds(10);  ///< HEL to OPN response, and each renewal
};

/// How a Bad StatusCode from the server maps to our error codes; the message starts with the
/// code's name ("BadUserAccessDenied: <what>").
Error errorForStatus(StatusCode code, const std::string& what);

class SecureChannel : public std::enable_shared_from_this<SecureChannel> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using OpenDone = std::function<void(Status)>;
  using ResponseDone = std::function<void(Result<Message>)>;
  using OnClosed = std::function<void(const Error&)>;

  static std::shared_ptr<SecureChannel> create(Strand strand);

  /// Called once when the channel fails after open() succeeded (not after close()). Set it on
  /// the strand (e.g. in open()'s callback) to hear of every failure.
  void setOnClosed(OnClosed onClosed);

  /// Takes the connected socket (its executor should be the strand's io_context) and opens the
  /// channel; `done` gets ok once the OPN response arrived, or why not: kProtocol ("the server
  /// sent ERR BadSecurityPolicyRejected: ..."), kTimeout, kUnavailable (connection lost). On
  /// failure the socket is closed. Call once per object.
  void open(boost::asio::ip::tcp::socket socket, ChannelConfig config, OpenDone done);

  /// Sends `message` (a request; its header's requestHandle and timestamp are set here) and
  /// calls `done` once with the response, or kTimeout after `timeout`, or kUnavailable when the
  /// channel is not open or closes first, or the StatusCode error of a ServiceFault.
  void request(Message message, Duration timeout, ResponseDone done);

  /// Sends CLO, then closes the socket; outstanding requests get kUnavailable ("the channel
  /// closed"). Idempotent; no onClosed follows.
  void close();

  /// Only meaningful on the strand (e.g. from a callback).
  bool isOpen() const { return m_state == State::kOpen; }
  const ChannelSecurityToken& token() const { return m_token; }
  std::uint64_t renewals() const { return m_renewals; }
  const ChannelConfig& config() const { return m_config; }

 private:
  enum class State { kIdle, kHello, kOpening, kOpen, kClosed };
  struct Pending {
    ResponseDone done;
    std::unique_ptr<boost::asio::steady_timer> timer;
    const char* name = "";  ///< the request's type, for messages
  };
  struct Token {
    std::uint32_t id = 0;
    std::unique_ptr<SymmetricSecurity> security;
  };

  explicit SecureChannel(Strand strand);
  void start(ChannelConfig config, OpenDone done);
  void sendHello();
  void read();
  void onBytes(std::size_t n);
  Status onChunk(Bytes chunk);
  Status onAcknowledge(const Bytes& chunk);
  Status onSecureChunk(Bytes chunk);
  void onMessage(ReceivedMessage m);
  Status setupSecurity();
  void sendOpen(SecurityTokenRequestType type);
  Status onOpenResponse(const OpenSecureChannelResponse& r);
  void armRenewal();
  std::uint32_t send(MessageType type, const Message& message, Duration timeout, ResponseDone done);
  void enqueue(std::vector<Bytes> chunks);
  void writeFront();
  void complete(std::uint32_t requestId, Result<Message> result);
  void fail(Error reason, bool notify, bool closeNow = true);
  void closeSocket();

  Strand m_strand;
  boost::asio::ip::tcp::socket m_socket;
  boost::asio::steady_timer m_openTimer;
  boost::asio::steady_timer m_renewTimer;
  ChannelConfig m_config;
  State m_state = State::kIdle;
  OpenDone m_openDone;
  OnClosed m_onClosed;

  Hello m_hello;
  ChunkReader m_reader{kReceiveBufferSize};
  std::vector<std::uint8_t> m_in;
  NoneSecurity m_none;
  std::unique_ptr<AsymmetricSecurity> m_asymmetric;
  Token m_current;                  ///< what we send with, and the server's newest token
  std::optional<Token> m_previous;  ///< kept until the server uses m_current
  std::unique_ptr<ChunkWriter> m_writer;
  std::unique_ptr<MessageAssembler> m_assembler;
  Bytes m_clientNonce;
  ChannelSecurityToken m_token;

  std::vector<Bytes> m_out;  ///< chunks to write, the one in flight first
  bool m_writing = false;
  bool m_closeAfterWrites = false;
  std::map<std::uint32_t, Pending> m_pending;
  std::uint32_t m_nextRequestId = 1;
  std::uint32_t m_openRequestId = 0;  ///< the OPN in flight, 0 when none
  std::uint64_t m_renewals = 0;
};

}  // namespace spindle::opcua
