#include "opcua/chunks.hpp"

#include <algorithm>
#include <cstring>

namespace spindle::opcua {
namespace {

constexpr const char* kTypeNames[] = {"HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO"};

Error protocol(std::string what) { return Error(ErrorCode::kProtocol, std::move(what)); }

/// Starts a connection message: header with a size patched by finish().
Writer& start(Writer& w, MessageType type) {
  encodeMessageHeader(w, {type, ChunkFlag::kFinal, 0});
  return w;
}
Bytes finish(Bytes out) {
  Writer w(out);
  w.patchU32(4, static_cast<std::uint32_t>(out.size()));
  return out;
}

/// A Reader over a connection message's body after checking its header.
Result<Reader> openConnectionMessage(std::span<const std::uint8_t> chunk, MessageType want) {
  auto h = decodeMessageHeader(chunk);
  if (!h) return std::move(h).error();
  if (h->type != want) {
    return protocol(std::string("expected ") + toString(want) + ", got " + toString(h->type));
  }
  if (h->messageSize != chunk.size()) {
    return protocol(std::string(toString(want)) + " MessageSize " + std::to_string(h->messageSize) +
                    " but the chunk has " + std::to_string(chunk.size()) + " bytes");
  }
  return Reader(chunk.subspan(kMessageHeaderSize), kMessageHeaderSize);
}

template <typename T>
Result<T> finishDecode(Reader& r, T value, const char* what) {
  if (r.ok() && !r.atEnd()) r.fail(std::to_string(r.remaining()) + " bytes after the fields");
  if (!r.ok()) return r.error().with(std::string("decoding ") + what);
  return value;
}

}  // namespace

const char* toString(MessageType type) { return kTypeNames[static_cast<int>(type)]; }

Result<MessageHeader> decodeMessageHeader(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kMessageHeaderSize) {
    return protocol("message header needs 8 bytes, have " + std::to_string(bytes.size()));
  }
  MessageHeader h;
  bool known = false;
  for (int i = 0; i < 7; ++i) {
    if (std::memcmp(bytes.data(), kTypeNames[i], 3) == 0) {
      h.type = static_cast<MessageType>(i);
      known = true;
    }
  }
  if (!known) {
    return protocol("BadTcpMessageTypeInvalid: unknown message type bytes " +
                    std::to_string(bytes[0]) + " " + std::to_string(bytes[1]) + " " +
                    std::to_string(bytes[2]) + " at offset 0");
  }
  const char flag = static_cast<char>(bytes[3]);
  if (flag != 'F' && flag != 'C' && flag != 'A') {
    return protocol("unknown chunk flag " + std::to_string(bytes[3]) + " at offset 3");
  }
  h.flag = static_cast<ChunkFlag>(flag);
  if (!isSecureChannelType(h.type) && h.flag != ChunkFlag::kFinal) {
    return protocol(std::string(toString(h.type)) + " with chunk flag " + std::string(1, flag) +
                    " (only F is allowed) at offset 3");
  }
  if (h.type == MessageType::kOpen && h.flag != ChunkFlag::kFinal) {
    return protocol("OPN must be one final chunk (flag " + std::string(1, flag) + ")");
  }
  h.messageSize = static_cast<std::uint32_t>(bytes[4]) | (std::uint32_t{bytes[5]} << 8) |
                  (std::uint32_t{bytes[6]} << 16) | (std::uint32_t{bytes[7]} << 24);
  if (h.messageSize < kMessageHeaderSize) {
    return protocol("MessageSize " + std::to_string(h.messageSize) +
                    " is smaller than the header at offset 4");
  }
  return h;
}

void encodeMessageHeader(Writer& w, const MessageHeader& h) {
  const char* name = toString(h.type);
  w.u8(static_cast<std::uint8_t>(name[0]));
  w.u8(static_cast<std::uint8_t>(name[1]));
  w.u8(static_cast<std::uint8_t>(name[2]));
  w.u8(static_cast<std::uint8_t>(h.flag));
  w.u32(h.messageSize);
}

Bytes encodeHello(const Hello& m) {
  Bytes out;
  Writer w(out);
  start(w, MessageType::kHello);
  w.u32(m.protocolVersion);
  w.u32(m.receiveBufferSize);
  w.u32(m.sendBufferSize);
  w.u32(m.maxMessageSize);
  w.u32(m.maxChunkCount);
  encode(w, m.endpointUrl);
  return finish(std::move(out));
}

Bytes encodeAcknowledge(const Acknowledge& m) {
  Bytes out;
  Writer w(out);
  start(w, MessageType::kAcknowledge);
  w.u32(m.protocolVersion);
  w.u32(m.receiveBufferSize);
  w.u32(m.sendBufferSize);
  w.u32(m.maxMessageSize);
  w.u32(m.maxChunkCount);
  return finish(std::move(out));
}

Bytes encodeError(const ErrorMessage& m) {
  Bytes out;
  Writer w(out);
  start(w, MessageType::kError);
  w.u32(m.error.value);
  encode(w, m.reason);
  return finish(std::move(out));
}

Bytes encodeReverseHello(const ReverseHello& m) {
  Bytes out;
  Writer w(out);
  start(w, MessageType::kReverseHello);
  encode(w, m.serverUri);
  encode(w, m.endpointUrl);
  return finish(std::move(out));
}

Result<Hello> decodeHello(std::span<const std::uint8_t> chunk) {
  auto r = openConnectionMessage(chunk, MessageType::kHello);
  if (!r) return std::move(r).error();
  Hello m;
  m.protocolVersion = r->u32();
  m.receiveBufferSize = r->u32();
  m.sendBufferSize = r->u32();
  m.maxMessageSize = r->u32();
  m.maxChunkCount = r->u32();
  decode(*r, m.endpointUrl);
  if (r->ok() && m.endpointUrl && m.endpointUrl->size() > 4096) {
    r->fail("EndpointUrl longer than 4096 bytes");
  }
  return finishDecode(*r, std::move(m), "HEL");
}

Result<Acknowledge> decodeAcknowledge(std::span<const std::uint8_t> chunk) {
  auto r = openConnectionMessage(chunk, MessageType::kAcknowledge);
  if (!r) return std::move(r).error();
  Acknowledge m;
  m.protocolVersion = r->u32();
  m.receiveBufferSize = r->u32();
  m.sendBufferSize = r->u32();
  m.maxMessageSize = r->u32();
  m.maxChunkCount = r->u32();
  return finishDecode(*r, m, "ACK");
}

Result<ErrorMessage> decodeError(std::span<const std::uint8_t> chunk) {
  auto r = openConnectionMessage(chunk, MessageType::kError);
  if (!r) return std::move(r).error();
  ErrorMessage m;
  m.error.value = r->u32();
  decode(*r, m.reason);
  return finishDecode(*r, std::move(m), "ERR");
}

Result<ReverseHello> decodeReverseHello(std::span<const std::uint8_t> chunk) {
  auto r = openConnectionMessage(chunk, MessageType::kReverseHello);
  if (!r) return std::move(r).error();
  ReverseHello m;
  decode(*r, m.serverUri);
  decode(*r, m.endpointUrl);
  return finishDecode(*r, std::move(m), "RHE");
}

Result<ConnectionLimits> negotiate(const Hello& ours, const Acknowledge& theirs) {
  if (theirs.receiveBufferSize < kMinBufferSize || theirs.sendBufferSize < kMinBufferSize) {
    return protocol("ACK buffer sizes " + std::to_string(theirs.receiveBufferSize) + "/" +
                    std::to_string(theirs.sendBufferSize) + " are under the minimum 8192");
  }
  if (theirs.sendBufferSize > ours.receiveBufferSize) {
    return protocol("ACK SendBufferSize " + std::to_string(theirs.sendBufferSize) +
                    " is larger than our ReceiveBufferSize " +
                    std::to_string(ours.receiveBufferSize));
  }
  ConnectionLimits l;
  l.sendChunkSize = std::min(theirs.receiveBufferSize, ours.sendBufferSize);
  l.sendMaxMessageSize = theirs.maxMessageSize;
  l.sendMaxChunkCount = theirs.maxChunkCount;
  l.receiveChunkSize = theirs.sendBufferSize;
  l.receiveMaxMessageSize = ours.maxMessageSize;
  l.receiveMaxChunkCount = ours.maxChunkCount;
  return l;
}

Result<ChunkHeaders> decodeChunkHeaders(std::span<const std::uint8_t> chunk) {
  auto h = decodeMessageHeader(chunk);
  if (!h) return std::move(h).error();
  if (!isSecureChannelType(h->type)) {
    return protocol(std::string(toString(h->type)) + " is not a secure channel chunk");
  }
  if (h->messageSize != chunk.size()) {
    return protocol("MessageSize " + std::to_string(h->messageSize) + " but the chunk has " +
                    std::to_string(chunk.size()) + " bytes");
  }
  Reader r(chunk);
  r.raw(kMessageHeaderSize);
  ChunkHeaders out;
  out.header = *h;
  out.secureChannelId = r.u32();
  if (h->type == MessageType::kOpen) {
    AsymmetricSecurityHeader a;
    decode(r, a.securityPolicyUri);
    decode(r, a.senderCertificate);
    decode(r, a.receiverCertificateThumbprint);
    out.security = std::move(a);
  } else {
    out.security = SymmetricSecurityHeader{r.u32()};
  }
  if (!r.ok()) return r.error().with(std::string("reading the ") + toString(h->type) + " headers");
  out.headerEnd = r.offset();
  return out;
}

Result<PlainChunk> decodePlainChunk(std::span<const std::uint8_t> chunk) {
  auto headers = decodeChunkHeaders(chunk);
  if (!headers) return std::move(headers).error();
  PlainChunk out;
  out.headers = std::move(*headers);
  Reader r(chunk.subspan(out.headers.headerEnd), out.headers.headerEnd);
  out.sequence.sequenceNumber = r.u32();
  out.sequence.requestId = r.u32();
  if (!r.ok()) return r.error().with("reading the sequence header");
  out.bodyOffset = out.headers.headerEnd + kSequenceHeaderSize;
  out.body = chunk.subspan(out.bodyOffset);
  return out;
}

}  // namespace spindle::opcua
