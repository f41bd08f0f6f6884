// UA-TCP framing: connection messages, limits, and messages through ChunkWriter,
// ChunkReader and MessageAssembler with the None policy.
#include "opcua/chunks.hpp"

#include <random>

#include <gtest/gtest.h>

#include "opcua/none_security.hpp"
#include "opcua/services.hpp"

namespace spindle::opcua {
namespace {

Bytes hex(std::initializer_list<int> v) {
  Bytes out;
  for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

TEST(OpcuaChunks, MessageHeaderRules) {
  auto ok = decodeMessageHeader(hex({'M', 'S', 'G', 'C', 24, 0, 0, 0}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->type, MessageType::kMessage);
  EXPECT_EQ(ok->flag, ChunkFlag::kIntermediate);
  EXPECT_EQ(ok->messageSize, 24u);
  EXPECT_FALSE(decodeMessageHeader(hex({'X', 'Y', 'Z', 'F', 24, 0, 0, 0})).ok());
  EXPECT_FALSE(decodeMessageHeader(hex({'M', 'S', 'G', 'Q', 24, 0, 0, 0})).ok());
  EXPECT_FALSE(decodeMessageHeader(hex({'H', 'E', 'L', 'C', 24, 0, 0, 0})).ok());
  EXPECT_FALSE(decodeMessageHeader(hex({'O', 'P', 'N', 'C', 24, 0, 0, 0})).ok());
  EXPECT_FALSE(decodeMessageHeader(hex({'M', 'S', 'G', 'F', 7, 0, 0, 0})).ok());
  EXPECT_FALSE(decodeMessageHeader(hex({'M', 'S', 'G', 'F', 24, 0, 0})).ok());
}

TEST(OpcuaChunks, ConnectionMessages) {
  const Hello hello{0, 65535, 65535, 0, 0, String("opc.tcp://localhost:4840")};
  const Bytes b = encodeHello(hello);
  ASSERT_EQ(b.size(), 56u);
  EXPECT_EQ(Bytes(b.begin(), b.begin() + 12), hex({'H', 'E', 'L', 'F', 56, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(decodeHello(b).value(), hello);
  for (std::size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(decodeHello(std::span<const std::uint8_t>(b.data(), n)).ok());
  }
  const Acknowledge ack{0, 8192, 16384, 1 << 20, 16};
  EXPECT_EQ(encodeAcknowledge(ack).size(), 28u);
  EXPECT_EQ(decodeAcknowledge(encodeAcknowledge(ack)).value(), ack);
  const ErrorMessage err{StatusCode{0x807E0000}, String("bad type")};
  const Bytes e = encodeError(err);
  EXPECT_EQ(Bytes(e.begin(), e.begin() + 12),
            hex({'E', 'R', 'R', 'F', 24, 0, 0, 0, 0x00, 0x00, 0x7E, 0x80}));
  EXPECT_EQ(decodeError(e).value(), err);
  const ReverseHello rhe{String("urn:s"), String("opc.tcp://s")};
  EXPECT_EQ(decodeReverseHello(encodeReverseHello(rhe)).value(), rhe);
  EXPECT_FALSE(decodeAcknowledge(b).ok());  // a HEL is not an ACK
}

TEST(OpcuaChunks, NegotiationFollowsTheAck) {
  const Hello ours{0, 65536, 32768, 1 << 24, 64, String("opc.tcp://h")};
  auto l = negotiate(ours, Acknowledge{0, 65536, 16384, 1 << 20, 32});
  ASSERT_TRUE(l.ok()) << l.error().describe();
  EXPECT_EQ(l->sendChunkSize, 32768u);  // capped to our own SendBufferSize
  EXPECT_EQ(l->receiveChunkSize, 16384u);
  EXPECT_EQ(l->sendMaxMessageSize, 1u << 20);
  EXPECT_EQ(l->sendMaxChunkCount, 32u);
  EXPECT_EQ(l->receiveMaxMessageSize, 1u << 24);
  EXPECT_EQ(l->receiveMaxChunkCount, 64u);
  EXPECT_FALSE(negotiate(ours, Acknowledge{0, 4096, 16384, 0, 0}).ok());   // under 8192
  EXPECT_FALSE(negotiate(ours, Acknowledge{0, 8192, 8000, 0, 0}).ok());    // under 8192
  EXPECT_FALSE(negotiate(ours, Acknowledge{0, 8192, 131072, 0, 0}).ok());  // over our receive
}

ConnectionLimits limits(std::uint32_t chunk, std::uint32_t maxMessage = 0,
                        std::uint32_t maxChunks = 0) {
  ConnectionLimits l;
  l.sendChunkSize = chunk;
  l.receiveChunkSize = chunk;
  l.sendMaxMessageSize = maxMessage;
  l.sendMaxChunkCount = maxChunks;
  return l;
}

ReadResponse bigReadResponse(std::size_t values) {
  ReadResponse r;
  r.responseHeader.requestHandle = 42;
  for (std::size_t i = 0; i < values; ++i) {
    DataValue v;
    v.value = Variant(static_cast<double>(i) * 0.5);
    v.sourceTimestamp = DateTime{133444736000000000 + static_cast<std::int64_t>(i)};
    v.serverTimestamp = DateTime{133444736000000000};
    r.results.push_back(v);
  }
  return r;
}

/// Feeds `stream` in random splits through a reader and an assembler; returns what came out.
std::vector<Assembled> pump(const Bytes& stream, MessageAssembler& assembler,
                            std::uint32_t receiveBuffer, std::uint32_t seed,
                            std::optional<Error>* error = nullptr) {
  std::mt19937 rng(seed);
  ChunkReader reader(receiveBuffer);
  std::vector<Assembled> out;
  std::span<const std::uint8_t> rest(stream);
  while (!rest.empty()) {
    const std::size_t n = std::min<std::size_t>(rest.size(), 1 + rng() % 3000);
    auto piece = rest.first(n);
    rest = rest.subspan(n);
    while (!piece.empty()) {
      piece = piece.subspan(reader.feed(piece));
      auto chunk = reader.next();
      if (!chunk.ok()) {
        if (error) *error = chunk.error();
        return out;
      }
      if (!chunk->has_value()) continue;
      auto m = assembler.add(std::move(**chunk));
      if (!m.ok()) {
        if (error) *error = m.error();
        return out;
      }
      if (m->has_value()) out.push_back(std::move(**m));
    }
  }
  return out;
}

Bytes join(const std::vector<Bytes>& chunks) {
  Bytes out;
  for (const auto& c : chunks) out.insert(out.end(), c.begin(), c.end());
  return out;
}

TEST(OpcuaChunks, HundredKilobyteResponseInEightKilobyteChunks) {
  NoneSecurity none;
  const ReadResponse response = bigReadResponse(4000);
  const Bytes body = encodeMessage(response);
  ASSERT_GT(body.size(), 100000u);
  ChunkWriter writer(limits(8192), none, none);
  writer.setSecureChannelId(7);
  writer.setTokenId(3);
  auto chunks = writer.write(MessageType::kMessage, 11, body);
  ASSERT_TRUE(chunks.ok()) << chunks.error().describe();
  // MSG headers: 8 + channel 4 + token 4 + sequence 8 = 24 bytes; 8168 body bytes a chunk.
  const std::size_t expected = (body.size() + 8167) / 8168;
  ASSERT_EQ(chunks->size(), expected);
  for (std::size_t i = 0; i < chunks->size(); ++i) {
    const Bytes& c = (*chunks)[i];
    EXPECT_LE(c.size(), 8192u);
    auto plain = decodePlainChunk(c);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->headers.header.flag,
              i + 1 == chunks->size() ? ChunkFlag::kFinal : ChunkFlag::kIntermediate);
    EXPECT_EQ(plain->sequence.sequenceNumber, i + 1);
    EXPECT_EQ(plain->sequence.requestId, 11u);
  }
  EXPECT_EQ(writer.nextSequenceNumber(), expected + 1);

  for (std::uint32_t seed : {1u, 2u, 3u}) {
    MessageAssembler assembler(0, 0, none, none);
    std::optional<Error> error;
    auto got = pump(join(*chunks), assembler, 8192, seed, &error);
    ASSERT_FALSE(error) << error->describe();
    ASSERT_EQ(got.size(), 1u);
    const auto& m = std::get<ReceivedMessage>(got[0]);
    EXPECT_EQ(m.requestId, 11u);
    EXPECT_EQ(m.secureChannelId, 7u);
    EXPECT_EQ(std::get<SymmetricSecurityHeader>(m.security).tokenId, 3u);
    EXPECT_EQ(m.body, body);
    auto decoded = decodeMessage(m.body);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::get<ReadResponse>(*decoded), response);
  }
}

TEST(OpcuaChunks, SenderRefusesWhatThePeerWillNotTake) {
  NoneSecurity none;
  const Bytes body(20000, 0xAB);
  ChunkWriter bySize(limits(8192, 10000, 0), none, none);
  EXPECT_EQ(bySize.check(MessageType::kMessage, body.size()), StatusCode{0x80B80000});
  auto r = bySize.write(MessageType::kMessage, 1, body);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("BadRequestTooLarge"), std::string::npos);
  EXPECT_EQ(bySize.nextSequenceNumber(), 1u);  // nothing was used up

  ChunkWriter byCount(limits(8192, 0, 2), none, none);  // 20000 bytes need 3 chunks
  EXPECT_EQ(byCount.check(MessageType::kMessage, body.size()), StatusCode{0x80B80000});
  EXPECT_FALSE(byCount.write(MessageType::kMessage, 1, body).ok());
  EXPECT_TRUE(byCount.write(MessageType::kMessage, 1, Bytes(16000, 1)).ok());

  ChunkWriter tiny(limits(20), none, none);  // not even the headers fit
  EXPECT_EQ(tiny.check(MessageType::kMessage, 1), StatusCode{0x80800000});
}

TEST(OpcuaChunks, ReceiverEnforcesItsLimits) {
  NoneSecurity none;
  ChunkWriter writer(limits(8192), none, none);
  auto chunks = writer.write(MessageType::kMessage, 5, Bytes(30000, 1));  // 4 chunks
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 4u);
  {
    MessageAssembler byCount(0, 3, none, none);
    std::optional<Error> error;
    pump(join(*chunks), byCount, 8192, 1, &error);
    ASSERT_TRUE(error);
    EXPECT_NE(error->message().find("BadTcpMessageTooLarge"), std::string::npos);
    EXPECT_NE(error->message().find("MaxChunkCount"), std::string::npos);
  }
  {
    MessageAssembler bySize(20000, 0, none, none);
    std::optional<Error> error;
    pump(join(*chunks), bySize, 8192, 1, &error);
    ASSERT_TRUE(error);
    EXPECT_NE(error->message().find("MaxMessageSize"), std::string::npos);
  }
  {
    std::optional<Error> error;
    MessageAssembler fine(0, 0, none, none);
    pump(join(*chunks), fine, 4096, 1, &error);  // chunks over our receive buffer
    ASSERT_TRUE(error);
    EXPECT_NE(error->message().find("BadTcpMessageTooLarge"), std::string::npos);
  }
}

TEST(OpcuaChunks, AbortEndsAMessageAndTheIdCanBeUsedAgain) {
  NoneSecurity none;
  ChunkWriter writer(limits(8192), none, none);
  auto part = writer.write(MessageType::kMessage, 9, Bytes(10000, 1));  // C F
  auto ab = writer.writeAbort(9, ErrorMessage{StatusCode{0x80B90000}, String("too big")});
  auto next = writer.write(MessageType::kMessage, 9, Bytes{1, 2, 3});
  ASSERT_TRUE(part.ok() && ab.ok() && next.ok());
  MessageAssembler assembler(0, 0, none, none);
  ASSERT_TRUE(assembler.add((*part)[0]).ok());
  ASSERT_TRUE(assembler.add((*part)[1]).ok());  // completes the first message
  auto aborted = assembler.add(*ab);
  ASSERT_TRUE(aborted.ok());
  ASSERT_TRUE(aborted->has_value());
  const auto& a = std::get<AbortedMessage>(**aborted);
  EXPECT_EQ(a.requestId, 9u);
  EXPECT_EQ(a.reason.error, StatusCode{0x80B90000});
  EXPECT_EQ(a.reason.reason, String("too big"));
  auto after = assembler.add((*next)[0]);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(std::get<ReceivedMessage>(**after).body, (Bytes{1, 2, 3}));
}

TEST(OpcuaChunks, AbortAfterIntermediateChunks) {
  NoneSecurity none;
  ChunkWriter writer(limits(8192), none, none);
  auto part = writer.write(MessageType::kMessage, 4, Bytes(20000, 1));  // C C F
  ASSERT_TRUE(part.ok());
  ASSERT_EQ(part->size(), 3u);
  // The sender gives up after two chunks: sequence 3 goes to the abort chunk instead.
  writer.setNextSequenceNumber(3);
  auto ab = writer.writeAbort(4, ErrorMessage{StatusCode{0x80020000}, String()});
  ASSERT_TRUE(ab.ok());
  MessageAssembler a(0, 0, none, none);
  EXPECT_FALSE(a.add((*part)[0])->has_value());
  EXPECT_FALSE(a.add((*part)[1])->has_value());
  auto got = a.add(*ab);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::get<AbortedMessage>(**got).reason.error, StatusCode{0x80020000});
}

TEST(OpcuaChunks, SequenceGapIsAnError) {
  NoneSecurity none;
  ChunkWriter writer(limits(8192), none, none);
  auto a = writer.write(MessageType::kMessage, 1, Bytes{1});
  auto b = writer.write(MessageType::kMessage, 2, Bytes{2});
  auto c = writer.write(MessageType::kMessage, 3, Bytes{3});
  MessageAssembler assembler(0, 0, none, none);
  ASSERT_TRUE(assembler.add((*a)[0]).ok());
  auto gap = assembler.add((*c)[0]);
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.error().message().find("sequence number 3 after 1"), std::string::npos);
  (void)b;
}

TEST(OpcuaChunks, SequenceNumbersWrap) {
  NoneSecurity none;
  ChunkWriter writer(limits(8192), none, none);
  writer.setNextSequenceNumber(kSequenceWrapAfter - 1);
  auto chunks = writer.write(MessageType::kMessage, 1, Bytes(20000, 7));  // 3 chunks
  ASSERT_TRUE(chunks.ok());
  std::vector<std::uint32_t> numbers;
  for (const auto& c : *chunks) numbers.push_back(decodePlainChunk(c)->sequence.sequenceNumber);
  EXPECT_EQ(numbers, (std::vector<std::uint32_t>{4294966270u, 4294966271u, 1u}));
  MessageAssembler assembler(0, 0, none, none);
  auto got = pump(join(*chunks), assembler, 8192, 9);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(std::get<ReceivedMessage>(got[0]).body, Bytes(20000, 7));
  EXPECT_EQ(assembler.lastSequenceNumber(), 1u);
  // Wrapping early is not allowed.
  ChunkWriter early(limits(8192), none, none);
  early.setNextSequenceNumber(100);
  auto x = early.write(MessageType::kMessage, 1, Bytes{1});
  early.setNextSequenceNumber(5);
  auto y = early.write(MessageType::kMessage, 2, Bytes{1});
  MessageAssembler strict(0, 0, none, none);
  ASSERT_TRUE(strict.add((*x)[0]).ok());
  EXPECT_FALSE(strict.add((*y)[0]).ok());
}

TEST(OpcuaChunks, InterleavedRequests) {
  NoneSecurity none;
  ChunkWriter writer(limits(8192), none, none);
  const Bytes bodyA(20000, 0xA);
  const Bytes bodyB(12000, 0xB);
  // Write A and B, then renumber so the interleaved order is consecutive on the wire.
  auto a = writer.write(MessageType::kMessage, 100, bodyA);  // 3 chunks
  auto b = writer.write(MessageType::kMessage, 200, bodyB);  // 2 chunks
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<Bytes> order = {(*a)[0], (*b)[0], (*a)[1], (*b)[1], (*a)[2]};
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto n = static_cast<std::uint32_t>(i + 1);
    const std::size_t at = 16;  // after header, channel id, token id
    for (std::size_t k = 0; k < 4; ++k) order[i][at + k] = static_cast<std::uint8_t>(n >> (8 * k));
  }
  MessageAssembler assembler(0, 0, none, none);
  auto got = pump(join(order), assembler, 8192, 5);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(std::get<ReceivedMessage>(got[0]).requestId, 200u);
  EXPECT_EQ(std::get<ReceivedMessage>(got[0]).body, bodyB);
  EXPECT_EQ(std::get<ReceivedMessage>(got[1]).requestId, 100u);
  EXPECT_EQ(std::get<ReceivedMessage>(got[1]).body, bodyA);
}

TEST(OpcuaChunks, OpenSecureChannelChunk) {
  NoneSecurity none;
  ChunkWriter writer(limits(65535), none, none);
  writer.setAsymmetricHeader({String(kSecurityPolicyNoneUri), {}, {}});
  OpenSecureChannelRequest req;
  req.securityMode = MessageSecurityMode::kNone;
  req.requestedLifetime = 600000;
  auto chunks = writer.write(MessageType::kOpen, 1, encodeMessage(req));
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);
  auto plain = decodePlainChunk((*chunks)[0]);
  ASSERT_TRUE(plain.ok());
  const auto& asym = std::get<AsymmetricSecurityHeader>(plain->headers.security);
  EXPECT_EQ(asym.securityPolicyUri, String(kSecurityPolicyNoneUri));
  EXPECT_FALSE(asym.senderCertificate.has_value());
  MessageAssembler assembler(0, 0, none, none);
  auto got = assembler.add((*chunks)[0]);
  ASSERT_TRUE(got.ok());
  auto msg = decodeMessage(std::get<ReceivedMessage>(**got).body);
  EXPECT_EQ(std::get<OpenSecureChannelRequest>(*msg), req);
  // An OPN body larger than one chunk is refused.
  EXPECT_FALSE(writer.write(MessageType::kOpen, 2, Bytes(70000, 0)).ok());
}

TEST(OpcuaChunks, ReaderRejectsBadSizes) {
  ChunkReader reader(8192);
  const Bytes big = hex({'M', 'S', 'G', 'F', 0x01, 0x20, 0x00, 0x00});  // 8193
  EXPECT_EQ(reader.feed(big), 8u);
  auto r = reader.next();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("BadTcpMessageTooLarge"), std::string::npos);
  EXPECT_EQ(reader.feed(big), 0u);  // stays broken
  ChunkReader small(8192);
  small.feed(hex({'M', 'S', 'G', 'F', 4, 0, 0, 0}));
  EXPECT_FALSE(small.next().ok());
  NoneSecurity none;
  MessageAssembler assembler(0, 0, none, none);
  EXPECT_FALSE(assembler.add(encodeHello(Hello{})).ok());  // not a secure channel chunk
}

}  // namespace
}  // namespace spindle::opcua
