// ChunkWriter, ChunkReader and MessageAssembler (chunks.hpp): messages into chunks and back.
#include <algorithm>

#include "opcua/chunks.hpp"

namespace spindle::opcua {
namespace {

Error protocol(std::string what) { return Error(ErrorCode::kProtocol, std::move(what)); }

std::uint32_t following(std::uint32_t n) { return n >= kSequenceWrapAfter ? 1 : n + 1; }

std::size_t encodedSize(const String& s) { return 4 + (s ? s->size() : 0); }
std::size_t encodedSize(const ByteString& s) { return 4 + (s ? s->size() : 0); }

}  // namespace

// ChunkWriter ------------------------------------------------------------------------------

ChunkWriter::ChunkWriter(const ConnectionLimits& limits, ChunkSecurity& asymmetric,
                         ChunkSecurity& symmetric)
    : m_limits(limits), m_asymSecurity(&asymmetric), m_symSecurity(&symmetric) {}

std::size_t ChunkWriter::headerEnd(MessageType type) const {
  std::size_t n = kMessageHeaderSize + 4;  // header and SecureChannelId
  if (type == MessageType::kOpen) {
    n += encodedSize(m_asymmetric.securityPolicyUri) + encodedSize(m_asymmetric.senderCertificate) +
         encodedSize(m_asymmetric.receiverCertificateThumbprint);
  } else {
    n += 4;  // TokenId
  }
  return n;
}

std::size_t ChunkWriter::bodyPerChunk(MessageType type) const {
  const ChunkSecurity& sec = type == MessageType::kOpen ? *m_asymSecurity : *m_symSecurity;
  const std::size_t plain = sec.maxPlaintext(m_limits.sendChunkSize, headerEnd(type));
  return plain > kSequenceHeaderSize ? plain - kSequenceHeaderSize : 0;
}

StatusCode ChunkWriter::check(MessageType type, std::size_t bodySize) const {
  if (m_limits.sendMaxMessageSize != 0 && bodySize > m_limits.sendMaxMessageSize) {
    return status::kBadRequestTooLarge;
  }
  const std::size_t per = bodyPerChunk(type);
  if (per == 0) return status::kBadTcpMessageTooLarge;
  const std::size_t chunks = std::max<std::size_t>(1, (bodySize + per - 1) / per);
  if (m_limits.sendMaxChunkCount != 0 && chunks > m_limits.sendMaxChunkCount) {
    return status::kBadRequestTooLarge;
  }
  if (type == MessageType::kOpen && chunks > 1) return status::kBadRequestTooLarge;
  return status::kGood;
}

Result<Bytes> ChunkWriter::chunk(MessageType type, ChunkFlag flag, std::uint32_t requestId,
                                 std::span<const std::uint8_t> part) {
  const std::size_t end = headerEnd(type);
  Bytes out;
  out.reserve(m_limits.sendChunkSize != 0 ? m_limits.sendChunkSize : end + 8 + part.size());
  Writer w(out);
  encodeMessageHeader(w, {type, flag, 0});  // protect() writes the final size
  w.u32(m_channelId);
  if (type == MessageType::kOpen) {
    encode(w, m_asymmetric.securityPolicyUri);
    encode(w, m_asymmetric.senderCertificate);
    encode(w, m_asymmetric.receiverCertificateThumbprint);
  } else {
    w.u32(m_tokenId);
  }
  w.u32(m_nextSequence);
  w.u32(requestId);
  w.raw(part);
  m_nextSequence = following(m_nextSequence);
  ChunkSecurity& sec = type == MessageType::kOpen ? *m_asymSecurity : *m_symSecurity;
  auto st = sec.protect(out, end);
  if (!st)
    return std::move(st).error().with(std::string("protecting a ") + toString(type) + " chunk");
  return out;
}

Result<std::vector<Bytes>> ChunkWriter::write(MessageType type, std::uint32_t requestId,
                                              std::span<const std::uint8_t> body) {
  if (!isSecureChannelType(type)) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(toString(type)) + " is not a secure channel message");
  }
  const StatusCode verdict = check(type, body.size());
  if (!verdict.isGood()) {
    return protocol(describe(verdict) + ": a " + toString(type) + " body of " +
                    std::to_string(body.size()) + " bytes does not fit the peer's limits " +
                    "(chunk " + std::to_string(m_limits.sendChunkSize) + ", message " +
                    std::to_string(m_limits.sendMaxMessageSize) + ", chunks " +
                    std::to_string(m_limits.sendMaxChunkCount) + ")");
  }
  const std::size_t per = bodyPerChunk(type);
  std::vector<Bytes> out;
  out.reserve((body.size() + per - 1) / per + 1);
  do {
    const std::size_t n = std::min(per, body.size());
    const bool last = n == body.size();
    auto c =
        chunk(type, last ? ChunkFlag::kFinal : ChunkFlag::kIntermediate, requestId, body.first(n));
    if (!c) return std::move(c).error();
    out.push_back(std::move(*c));
    body = body.subspan(n);
  } while (!body.empty());
  return out;
}

Result<Bytes> ChunkWriter::writeAbort(std::uint32_t requestId, const ErrorMessage& reason) {
  Bytes body;
  Writer w(body);
  w.u32(reason.error.value);
  encode(w, reason.reason);
  if (body.size() > bodyPerChunk(MessageType::kMessage)) {
    return Error(ErrorCode::kInvalidArgument, "abort reason too long for one chunk");
  }
  return chunk(MessageType::kMessage, ChunkFlag::kAbort, requestId, body);
}

// ChunkReader ------------------------------------------------------------------------------

std::size_t ChunkReader::feed(std::span<const std::uint8_t> bytes) {
  if (m_error || (m_expected != 0 && m_buffer.size() == m_expected)) return 0;
  std::size_t taken = 0;
  if (m_buffer.size() < kMessageHeaderSize) {
    const std::size_t n = std::min(kMessageHeaderSize - m_buffer.size(), bytes.size());
    m_buffer.insert(m_buffer.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    taken = n;
    if (m_buffer.size() < kMessageHeaderSize) return taken;
    auto h = decodeMessageHeader(m_buffer);
    if (!h) {
      m_error = std::move(h).error();
      return taken;
    }
    if (h->messageSize > m_limit) {
      m_error = protocol("BadTcpMessageTooLarge: MessageSize " + std::to_string(h->messageSize) +
                         " is over our receive buffer of " + std::to_string(m_limit) + " bytes");
      return taken;
    }
    m_expected = h->messageSize;
  }
  const std::size_t n = std::min<std::size_t>(m_expected - m_buffer.size(), bytes.size() - taken);
  m_buffer.insert(m_buffer.end(), bytes.begin() + static_cast<std::ptrdiff_t>(taken),
                  bytes.begin() + static_cast<std::ptrdiff_t>(taken + n));
  return taken + n;
}

Result<std::optional<Bytes>> ChunkReader::next() {
  if (m_error) return *m_error;
  if (m_expected == 0 || m_buffer.size() < m_expected) return std::optional<Bytes>();
  Bytes out = std::move(m_buffer);
  m_buffer = Bytes();
  m_expected = 0;
  return std::optional<Bytes>(std::move(out));
}

// MessageAssembler -------------------------------------------------------------------------

MessageAssembler::MessageAssembler(std::uint32_t maxMessageSize, std::uint32_t maxChunkCount,
                                   ChunkSecurity& asymmetric, ChunkSecurity& symmetric)
    : m_maxMessageSize(maxMessageSize != 0 ? maxMessageSize : kDefaultMaxMessageSize),
      m_maxChunkCount(maxChunkCount != 0 ? maxChunkCount : kDefaultMaxChunkCount),
      m_asymSecurity(&asymmetric),
      m_symSecurity(&symmetric) {}

Status MessageAssembler::checkSequence(std::uint32_t n) {
  if (m_lastSequence) {
    const std::uint32_t last = *m_lastSequence;
    const bool next = last != 0xFFFFFFFFu && n == last + 1;
    const bool wrapped = last >= kSequenceWrapAfter && n < 1024;
    if (!next && !wrapped) {
      return protocol("BadSequenceNumberInvalid: sequence number " + std::to_string(n) + " after " +
                      std::to_string(last));
    }
  }
  m_lastSequence = n;
  return okStatus();
}

Result<std::optional<Assembled>> MessageAssembler::add(Bytes chunk) {
  auto headers = decodeChunkHeaders(chunk);
  if (!headers) return std::move(headers).error();
  const MessageHeader h = headers->header;
  ChunkSecurity& sec = h.type == MessageType::kOpen ? *m_asymSecurity : *m_symSecurity;
  if (auto st = sec.unprotect(chunk, headers->headerEnd); !st) {
    return std::move(st).error().with(std::string("opening a ") + toString(h.type) + " chunk");
  }
  Reader r(std::span<const std::uint8_t>(chunk).subspan(headers->headerEnd), headers->headerEnd);
  const std::uint32_t sequence = r.u32();
  const std::uint32_t requestId = r.u32();
  if (!r.ok()) return r.error().with("reading the sequence header");
  if (auto st = checkSequence(sequence); !st) return std::move(st).error();
  const auto body = r.rest();

  if (h.flag == ChunkFlag::kAbort) {
    m_pending.erase(requestId);
    AbortedMessage a;
    a.requestId = requestId;
    a.reason.error.value = r.u32();
    decode(r, a.reason.reason);
    if (!r.ok()) return r.error().with("reading an abort chunk's reason");
    return std::optional<Assembled>(std::move(a));
  }

  auto it = m_pending.find(requestId);
  if (it == m_pending.end()) {
    if (m_pending.size() >= kMaxPending) {
      return protocol("more than " + std::to_string(kMaxPending) + " messages in flight");
    }
    it = m_pending.emplace(requestId, Pending{h.type, {}, 0}).first;
  } else if (it->second.type != h.type) {
    return protocol(std::string("a ") + toString(h.type) + " chunk continues the " +
                    toString(it->second.type) + " message of request " + std::to_string(requestId));
  }
  Pending& p = it->second;
  if (++p.chunks > m_maxChunkCount) {
    m_pending.erase(it);
    return protocol("BadTcpMessageTooLarge: request " + std::to_string(requestId) +
                    " has more than our MaxChunkCount " + std::to_string(m_maxChunkCount) +
                    " chunks");
  }
  if (p.body.size() + body.size() > m_maxMessageSize) {
    m_pending.erase(it);
    return protocol("BadTcpMessageTooLarge: request " + std::to_string(requestId) +
                    " is over our MaxMessageSize " + std::to_string(m_maxMessageSize));
  }
  p.body.insert(p.body.end(), body.begin(), body.end());
  if (h.flag == ChunkFlag::kIntermediate) return std::optional<Assembled>();

  ReceivedMessage m;
  m.type = h.type;
  m.secureChannelId = headers->secureChannelId;
  m.requestId = requestId;
  m.security = std::move(headers->security);
  m.body = std::move(p.body);
  m_pending.erase(it);
  return std::optional<Assembled>(std::move(m));
}

}  // namespace spindle::opcua
