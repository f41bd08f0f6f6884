#pragma once
/// UA-TCP and UA Secure Conversation framing (OPC UA Part 6, 6.7 and 7.1): the message
/// header, the connection messages (Hello, Acknowledge, Error, ReverseHello), the security
/// and sequence headers of OPN/MSG/CLO chunks, and the three pieces that move messages in
/// and out of chunks:
///
/// - ChunkWriter splits one encoded message body into chunks that fit the peer's receive
///   buffer and limits, numbering sequence numbers and letting a ChunkSecurity finish each.
/// - ChunkReader cuts a TCP byte stream, received in any split, into whole chunks.
/// - MessageAssembler opens each chunk with a ChunkSecurity, checks the sequence numbers and
///   joins the chunks of each RequestId into one message body.
///
/// No I/O and no clocks: bytes in, bytes out. Failures are values (Result): kProtocol for a
/// peer breaking the protocol, naming the rule and, where there is one, the StatusCode the
/// specification gives for it (e.g. "BadTcpMessageTooLarge: ...").

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "opcua/chunk_security.hpp"
#include "opcua/types.hpp"

namespace spindle::opcua {

inline constexpr std::size_t kMessageHeaderSize = 8;
inline constexpr std::size_t kSequenceHeaderSize = 8;
/// The smallest buffer either side may offer (Part 6, 7.1.2.3).
inline constexpr std::uint32_t kMinBufferSize = 8192;
/// Sequence numbers may wrap once they pass this (UInt32 max - 1024); the next is < 1024.
inline constexpr std::uint32_t kSequenceWrapAfter = 4294966271u;

enum class MessageType : std::uint8_t {
  kHello,
  kAcknowledge,
  kError,
  kReverseHello,
  kOpen,
  kMessage,
  kClose,
};
/// "HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO".
const char* toString(MessageType type);
/// OPN, MSG and CLO: the chunks of a secure channel.
inline bool isSecureChannelType(MessageType t) {
  return t == MessageType::kOpen || t == MessageType::kMessage || t == MessageType::kClose;
}

enum class ChunkFlag : char { kFinal = 'F', kIntermediate = 'C', kAbort = 'A' };

struct MessageHeader {
  MessageType type = MessageType::kMessage;
  ChunkFlag flag = ChunkFlag::kFinal;
  std::uint32_t messageSize = 0;  ///< the whole chunk, this header included
  friend bool operator==(const MessageHeader&, const MessageHeader&) = default;
};

/// Reads the 8-byte header at the start of `bytes`; kProtocol for an unknown type or flag,
/// a connection message with a flag other than F, or a size under the header's.
Result<MessageHeader> decodeMessageHeader(std::span<const std::uint8_t> bytes);
void encodeMessageHeader(Writer& w, const MessageHeader& h);

struct Hello {
  std::uint32_t protocolVersion = 0;
  std::uint32_t receiveBufferSize = 65535;  ///< largest chunk we accept
  std::uint32_t sendBufferSize = 65535;     ///< largest chunk we will send
  std::uint32_t maxMessageSize = 0;         ///< largest message body we accept; 0 = no limit
  std::uint32_t maxChunkCount = 0;          ///< most chunks per message we accept; 0 = no limit
  String endpointUrl;                       ///< at most 4096 bytes
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Acknowledge {
  std::uint32_t protocolVersion = 0;
  std::uint32_t receiveBufferSize = 0;  ///< largest chunk the server accepts
  std::uint32_t sendBufferSize = 0;     ///< largest chunk the server will send
  std::uint32_t maxMessageSize = 0;     ///< largest message body the server accepts; 0 = any
  std::uint32_t maxChunkCount = 0;      ///< most chunks per message it accepts; 0 = any
  friend bool operator==(const Acknowledge&, const Acknowledge&) = default;
};

/// ERR: the server's reason for closing the connection.
struct ErrorMessage {
  StatusCode error;
  String reason;
  friend bool operator==(const ErrorMessage&, const ErrorMessage&) = default;
};

struct ReverseHello {
  String serverUri;
  String endpointUrl;
  friend bool operator==(const ReverseHello&, const ReverseHello&) = default;
};

/// Whole chunks (header included) for the connection messages, and their decoders (which
/// take a whole chunk and check its header's type and size).
Bytes encodeHello(const Hello& m);
Bytes encodeAcknowledge(const Acknowledge& m);
Bytes encodeError(const ErrorMessage& m);
Bytes encodeReverseHello(const ReverseHello& m);
Result<Hello> decodeHello(std::span<const std::uint8_t> chunk);
Result<Acknowledge> decodeAcknowledge(std::span<const std::uint8_t> chunk);
Result<ErrorMessage> decodeError(std::span<const std::uint8_t> chunk);
Result<ReverseHello> decodeReverseHello(std::span<const std::uint8_t> chunk);

/// What the client and server agreed after HEL/ACK (Part 6, 7.1.2.4), in the client's terms.
struct ConnectionLimits {
  std::uint32_t sendChunkSize = 0;          ///< our chunks may not be larger
  std::uint32_t sendMaxMessageSize = 0;     ///< the server's MaxMessageSize; 0 = no limit
  std::uint32_t sendMaxChunkCount = 0;      ///< the server's MaxChunkCount; 0 = no limit
  std::uint32_t receiveChunkSize = 0;       ///< the server's chunks will not be larger
  std::uint32_t receiveMaxMessageSize = 0;  ///< ours, from the Hello
  std::uint32_t receiveMaxChunkCount = 0;   ///< ours, from the Hello
  friend bool operator==(const ConnectionLimits&, const ConnectionLimits&) = default;
};

/// Applies the server's Acknowledge to our Hello. The server may only lower the buffer
/// sizes: a send buffer larger than our receive buffer, or either buffer under 8192 bytes,
/// is a kProtocol error; a receive buffer larger than our send buffer is capped to it.
Result<ConnectionLimits> negotiate(const Hello& ours, const Acknowledge& theirs);

/// The security header of an OPN chunk.
struct AsymmetricSecurityHeader {
  String securityPolicyUri;
  ByteString senderCertificate;              ///< DER; null for None
  ByteString receiverCertificateThumbprint;  ///< SHA-1 of the receiver's DER; null for None
  friend bool operator==(const AsymmetricSecurityHeader&,
                         const AsymmetricSecurityHeader&) = default;
};

/// The security header of MSG and CLO chunks.
struct SymmetricSecurityHeader {
  std::uint32_t tokenId = 0;
  friend bool operator==(const SymmetricSecurityHeader&, const SymmetricSecurityHeader&) = default;
};

struct SequenceHeader {
  std::uint32_t sequenceNumber = 0;
  std::uint32_t requestId = 0;
  friend bool operator==(const SequenceHeader&, const SequenceHeader&) = default;
};

/// The clear-text start of a secure channel chunk: everything up to `headerEnd`.
struct ChunkHeaders {
  MessageHeader header;
  std::uint32_t secureChannelId = 0;
  std::variant<AsymmetricSecurityHeader, SymmetricSecurityHeader> security;
  std::size_t headerEnd = 0;  ///< offset of the sequence header
};

/// Reads the headers of an OPN, MSG or CLO chunk up to the end of its security header.
Result<ChunkHeaders> decodeChunkHeaders(std::span<const std::uint8_t> chunk);

/// A whole secure channel chunk that needs no unprotecting (policy None): headers,
/// sequence header and the body's place. For tests, captures and tools.
struct PlainChunk {
  ChunkHeaders headers;
  SequenceHeader sequence;
  std::span<const std::uint8_t> body;  ///< a view into the chunk given
  std::size_t bodyOffset = 0;
};
Result<PlainChunk> decodePlainChunk(std::span<const std::uint8_t> chunk);

/// Splits message bodies into chunks for one secure channel (Part 6, 6.7.2). Not thread-safe.
class ChunkWriter {
 public:
  /// `limits` are the peer's (ConnectionLimits::send*). The ChunkSecurity objects finish OPN
  /// chunks (asymmetric) and MSG/CLO chunks (symmetric); they must outlive the writer.
  ChunkWriter(const ConnectionLimits& limits, ChunkSecurity& asymmetric, ChunkSecurity& symmetric);

  void setSecureChannelId(std::uint32_t id) { m_channelId = id; }
  void setTokenId(std::uint32_t id) { m_tokenId = id; }
  void setAsymmetricHeader(AsymmetricSecurityHeader h) { m_asymmetric = std::move(h); }
  void setSecurity(ChunkSecurity& asymmetric, ChunkSecurity& symmetric) {
    m_asymSecurity = &asymmetric;
    m_symSecurity = &symmetric;
  }
  /// The sequence number the next chunk gets (starts at 1).
  std::uint32_t nextSequenceNumber() const { return m_nextSequence; }
  void setNextSequenceNumber(std::uint32_t n) { m_nextSequence = n; }

  /// Good, or why a body of `bodySize` bytes may not be sent: BadRequestTooLarge when it is
  /// over the peer's MaxMessageSize or needs more chunks than its MaxChunkCount, or
  /// BadTcpMessageTooLarge when not even one body byte fits in a chunk.
  StatusCode check(MessageType type, std::size_t bodySize) const;

  /// The chunks of one message (`body` = type NodeId + fields, see encodeMessage), ready to
  /// send in order. Fails with check()'s reason, before any sequence number is used, or
  /// when the security policy fails.
  Result<std::vector<Bytes>> write(MessageType type, std::uint32_t requestId,
                                   std::span<const std::uint8_t> body);

  /// An abort chunk (MSG, flag A) ending a message already partly sent.
  Result<Bytes> writeAbort(std::uint32_t requestId, const ErrorMessage& reason);

 private:
  std::size_t headerEnd(MessageType type) const;
  std::size_t bodyPerChunk(MessageType type) const;
  Result<Bytes> chunk(MessageType type, ChunkFlag flag, std::uint32_t requestId,
                      std::span<const std::uint8_t> part);

  ConnectionLimits m_limits;
  ChunkSecurity* m_asymSecurity;
  ChunkSecurity* m_symSecurity;
  AsymmetricSecurityHeader m_asymmetric;
  std::uint32_t m_channelId = 0;
  std::uint32_t m_tokenId = 0;
  std::uint32_t m_nextSequence = 1;
};

/// Cuts a byte stream into whole chunks. Holds at most one chunk of at most
/// `receiveBufferSize` bytes.
class ChunkReader {
 public:
  explicit ChunkReader(std::uint32_t receiveBufferSize) : m_limit(receiveBufferSize) {}

  /// Takes what it can of `bytes` (nothing while a whole chunk waits for next()); returns
  /// how many bytes it took.
  std::size_t feed(std::span<const std::uint8_t> bytes);
  /// A whole chunk, nullopt when more bytes are needed, or an error (a malformed header, or
  /// a MessageSize over the receive buffer: BadTcpMessageTooLarge) after which the stream
  /// cannot be trusted.
  Result<std::optional<Bytes>> next();
  std::size_t buffered() const { return m_buffer.size(); }

 private:
  std::uint32_t m_limit;
  Bytes m_buffer;
  std::uint32_t m_expected = 0;  ///< MessageSize of the chunk being read, once known
  std::optional<Error> m_error;
};

/// A complete message: the body of all its chunks joined.
struct ReceivedMessage {
  MessageType type = MessageType::kMessage;
  std::uint32_t secureChannelId = 0;
  std::uint32_t requestId = 0;
  std::variant<AsymmetricSecurityHeader, SymmetricSecurityHeader> security;  ///< of the last chunk
  Bytes body;  ///< type NodeId + fields: decodeMessage(body)
};

/// A message the peer abandoned with an abort chunk.
struct AbortedMessage {
  std::uint32_t requestId = 0;
  ErrorMessage reason;
};

using Assembled = std::variant<ReceivedMessage, AbortedMessage>;

/// Joins the chunks of a secure channel into messages. Not thread-safe.
class MessageAssembler {
 public:
  /// Messages in flight at once (distinct RequestIds with chunks pending).
  static constexpr std::size_t kMaxPending = 64;
  /// Bounds used where our own limits say 0 ("no limit"): memory stays bounded anyway.
  static constexpr std::uint32_t kDefaultMaxMessageSize = 16 * 1024 * 1024;
  static constexpr std::uint32_t kDefaultMaxChunkCount = 4096;

  /// `maxMessageSize` and `maxChunkCount` are ours (ConnectionLimits::receive*).
  MessageAssembler(std::uint32_t maxMessageSize, std::uint32_t maxChunkCount,
                   ChunkSecurity& asymmetric, ChunkSecurity& symmetric);
  void setSecurity(ChunkSecurity& asymmetric, ChunkSecurity& symmetric) {
    m_asymSecurity = &asymmetric;
    m_symSecurity = &symmetric;
  }

  /// Takes one whole OPN, MSG or CLO chunk (from ChunkReader). Returns a message when this
  /// chunk completed one, an AbortedMessage for an abort chunk, nullopt for an intermediate
  /// chunk. Errors (the channel must be closed): a chunk the security policy rejects, a
  /// sequence number that is not the previous + 1 (wrap allowed), a message over our
  /// MaxMessageSize or MaxChunkCount (BadTcpMessageTooLarge), a connection message.
  Result<std::optional<Assembled>> add(Bytes chunk);

  /// The last sequence number accepted, nullopt before the first chunk.
  std::optional<std::uint32_t> lastSequenceNumber() const { return m_lastSequence; }

 private:
  struct Pending {
    MessageType type;
    Bytes body;
    std::size_t chunks = 0;
  };
  Status checkSequence(std::uint32_t n);

  std::uint32_t m_maxMessageSize;
  std::uint32_t m_maxChunkCount;
  ChunkSecurity* m_asymSecurity;
  ChunkSecurity* m_symSecurity;
  std::optional<std::uint32_t> m_lastSequence;
  std::map<std::uint32_t, Pending> m_pending;
};

}  // namespace spindle::opcua
