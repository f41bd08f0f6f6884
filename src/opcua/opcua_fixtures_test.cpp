// The real client chunks of ../shared/fixtures/opcua/ (open62541's client against its
// server, policy None; see the README there). Each file is one chunk plus 4 trailing bytes
// added by the fuzz corpus generator: the chunk is the first MessageSize bytes. Every chunk
// must decode to the expected type and service with the README's values, and encoding what
// was decoded must give the same bytes.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "opcua/chunks.hpp"
#include "opcua/none_security.hpp"
#include "opcua/services.hpp"

namespace spindle::opcua {
namespace {

/// The chunk in fixture `name`, or empty when the file is absent.
Bytes readChunk(const std::string& name) {
  std::ifstream in(spindle::testing::fixturePath("opcua/" + name), std::ios::binary);
  if (!in) return {};
  Bytes all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() < 8) return all;
  const std::uint32_t size =
      all[4] | (all[5] << 8) | (all[6] << 16) | (std::uint32_t{all[7]} << 24);
  EXPECT_EQ(size + 4, all.size()) << name << ": 4 trailing bytes expected";
  EXPECT_EQ(Bytes(all.end() - 4, all.end()), (Bytes{0x00, 0x00, 0x80, 0x00})) << name;
  all.resize(std::min<std::size_t>(size, all.size()));
  return all;
}

#define LOAD_CHUNK(var, name)        \
  const Bytes var = readChunk(name); \
  SPINDLE_NEEDS_FIXTURE(             \
      !var.empty(),                  \
      "fixture " << spindle::testing::fixturePath(std::string("opcua/") + name) << " is absent")

struct Decoded {
  PlainChunk chunk;
  Message message;
};

/// Decodes a secure channel chunk and its message, checks the sequence header, and that
/// re-encoding the message through a ChunkWriter gives the fixture's bytes.
std::optional<Decoded> decodeAndReencode(const Bytes& bytes, std::uint32_t sequence) {
  auto chunk = decodePlainChunk(bytes);
  EXPECT_TRUE(chunk.ok()) << chunk.error().describe();
  if (!chunk.ok()) return std::nullopt;
  EXPECT_EQ(chunk->sequence.sequenceNumber, sequence);
  EXPECT_EQ(chunk->sequence.requestId, sequence);  // open62541 uses the same numbers
  auto message = decodeMessage(chunk->body, chunk->bodyOffset);
  EXPECT_TRUE(message.ok()) << message.error().describe();
  if (!message.ok()) return std::nullopt;

  NoneSecurity none;
  ConnectionLimits limits;
  limits.sendChunkSize = 65535;
  ChunkWriter writer(limits, none, none);
  writer.setSecureChannelId(chunk->headers.secureChannelId);
  if (const auto* sym = std::get_if<SymmetricSecurityHeader>(&chunk->headers.security)) {
    writer.setTokenId(sym->tokenId);
  } else {
    writer.setAsymmetricHeader(std::get<AsymmetricSecurityHeader>(chunk->headers.security));
  }
  writer.setNextSequenceNumber(sequence);
  auto again =
      writer.write(chunk->headers.header.type, chunk->sequence.requestId, encodeMessage(*message));
  EXPECT_TRUE(again.ok());
  if (again.ok()) {
    EXPECT_EQ(again->size(), 1u);
    EXPECT_EQ(again->front(), bytes) << "re-encoding " << messageName(*message);
  }
  return Decoded{std::move(*chunk), std::move(*message)};
}

const NodeId kSessionToken(
    1, Guid{0x3FA5664A, 0x3887, 0x3839, {0xB8, 0x3B, 0x33, 0x03, 0x04, 0x80, 0xF8, 0x4F}});

TEST(OpcuaFixtures, Hello) {
  LOAD_CHUNK(b, "client_subscriptions_00001_hel.bin");
  auto h = decodeHello(b);
  ASSERT_TRUE(h.ok()) << h.error().describe();
  EXPECT_EQ(h->protocolVersion, 0u);
  EXPECT_EQ(h->receiveBufferSize, 65535u);
  EXPECT_EQ(h->sendBufferSize, 65535u);
  EXPECT_EQ(h->maxMessageSize, 0u);
  EXPECT_EQ(h->maxChunkCount, 0u);
  EXPECT_EQ(h->endpointUrl, String("opc.tcp://localhost:4840"));
  EXPECT_EQ(encodeHello(*h), b);
}

TEST(OpcuaFixtures, OpenSecureChannel) {
  LOAD_CHUNK(b, "client_subscriptions_00002_opn.bin");
  auto d = decodeAndReencode(b, 1);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->chunk.headers.header.type, MessageType::kOpen);
  EXPECT_EQ(d->chunk.headers.secureChannelId, 0u);
  const auto& asym = std::get<AsymmetricSecurityHeader>(d->chunk.headers.security);
  EXPECT_EQ(asym.securityPolicyUri, String("http://opcfoundation.org/UA/SecurityPolicy#None"));
  EXPECT_FALSE(asym.senderCertificate.has_value());
  EXPECT_FALSE(asym.receiverCertificateThumbprint.has_value());
  const auto& req = std::get<OpenSecureChannelRequest>(d->message);
  EXPECT_TRUE(req.requestHeader.authenticationToken.isNull());
  EXPECT_EQ(req.clientProtocolVersion, 0u);
  EXPECT_EQ(req.requestType, SecurityTokenRequestType::kIssue);
  EXPECT_EQ(req.securityMode, MessageSecurityMode::kNone);
  EXPECT_EQ(req.requestedLifetime, 600000u);
}

TEST(OpcuaFixtures, GetEndpoints) {
  LOAD_CHUNK(b, "client_subscriptions_00003_msg_GetEndpointsRequest.bin");
  auto d = decodeAndReencode(b, 2);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->chunk.headers.secureChannelId, 1u);
  EXPECT_EQ(std::get<SymmetricSecurityHeader>(d->chunk.headers.security).tokenId, 1u);
  const auto& req = std::get<GetEndpointsRequest>(d->message);
  EXPECT_EQ(req.requestHeader.requestHandle, 1u);
  EXPECT_EQ(req.requestHeader.timeoutHint, 10000u);
  EXPECT_EQ(req.endpointUrl, String("opc.tcp://localhost:4840"));
  EXPECT_TRUE(req.localeIds.null);
  EXPECT_TRUE(req.profileUris.null);
}

TEST(OpcuaFixtures, CreateSession) {
  LOAD_CHUNK(b, "client_subscriptions_00004_msg_CreateSessionRequest.bin");
  auto d = decodeAndReencode(b, 3);
  ASSERT_TRUE(d);
  const auto& req = std::get<CreateSessionRequest>(d->message);
  EXPECT_EQ(req.clientDescription.applicationUri, String("urn:unconfigured:application"));
  EXPECT_EQ(req.clientDescription.applicationType, ApplicationType::kClient);
  EXPECT_EQ(req.endpointUrl, String("opc.tcp://localhost:4840"));
  EXPECT_FALSE(req.sessionName.has_value());
  EXPECT_EQ(req.requestedSessionTimeout, 1200000.0);
  EXPECT_EQ(req.maxResponseMessageSize, 0x7FFFFFFFu);
}

TEST(OpcuaFixtures, ActivateSessionAnonymous) {
  LOAD_CHUNK(b, "client_subscriptions_00005_msg_ActivateSessionRequest.bin");
  auto d = decodeAndReencode(b, 4);
  ASSERT_TRUE(d);
  const auto& req = std::get<ActivateSessionRequest>(d->message);
  EXPECT_EQ(req.requestHeader.authenticationToken, kSessionToken);
  EXPECT_EQ(req.userIdentityToken.typeId, NodeId(0, 321u));
  auto token = fromExtensionObject<AnonymousIdentityToken>(req.userIdentityToken);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->policyId, String("open62541-anonymous-policy"));
}

TEST(OpcuaFixtures, Subscription) {
  LOAD_CHUNK(create, "client_subscriptions_00006_msg_CreateSubscriptionRequest.bin");
  LOAD_CHUNK(modify, "client_subscriptions_00007_msg_ModifySubscriptionRequest.bin");
  auto c = decodeAndReencode(create, 5);
  ASSERT_TRUE(c);
  const auto& cs = std::get<CreateSubscriptionRequest>(c->message);
  EXPECT_EQ(cs.requestedPublishingInterval, 500.0);
  EXPECT_EQ(cs.requestedLifetimeCount, 10000u);
  EXPECT_EQ(cs.requestedMaxKeepAliveCount, 10u);
  EXPECT_EQ(cs.maxNotificationsPerPublish, 0u);
  EXPECT_TRUE(cs.publishingEnabled);
  auto m = decodeAndReencode(modify, 6);
  ASSERT_TRUE(m);
  const auto& ms = std::get<ModifySubscriptionRequest>(m->message);
  EXPECT_EQ(ms.subscriptionId, 1u);
  EXPECT_EQ(ms.requestedPublishingInterval, 500.0);
  EXPECT_EQ(ms.requestedMaxKeepAliveCount, 10u);
}

TEST(OpcuaFixtures, CreateMonitoredItems) {
  LOAD_CHUNK(b, "client_subscriptions_00008_msg_CreateMonitoredItemsRequest.bin");
  auto d = decodeAndReencode(b, 7);
  ASSERT_TRUE(d);
  const auto& req = std::get<CreateMonitoredItemsRequest>(d->message);
  EXPECT_EQ(req.subscriptionId, 1u);
  EXPECT_EQ(req.timestampsToReturn, TimestampsToReturn::kBoth);
  ASSERT_EQ(req.itemsToCreate.size(), 1u);
  const auto& item = req.itemsToCreate[0];
  EXPECT_EQ(item.itemToMonitor.nodeId, NodeId(0, 2259u));  // Server_ServerStatus_State
  EXPECT_EQ(item.itemToMonitor.attributeId, attribute::kValue);
  EXPECT_EQ(item.monitoringMode, MonitoringMode::kReporting);
  EXPECT_EQ(item.requestedParameters.clientHandle, 1u);
  EXPECT_EQ(item.requestedParameters.samplingInterval, 250.0);
  EXPECT_EQ(item.requestedParameters.queueSize, 1u);
  EXPECT_TRUE(item.requestedParameters.discardOldest);
}

TEST(OpcuaFixtures, Publish) {
  LOAD_CHUNK(first, "client_subscriptions_00009_msg_PublishRequest.bin");
  LOAD_CHUNK(later, "client_subscriptions_00019_msg_PublishRequest.bin");
  auto a = decodeAndReencode(first, 8);
  ASSERT_TRUE(a);
  const auto& p1 = std::get<PublishRequest>(a->message);
  EXPECT_EQ(p1.requestHeader.timeoutHint, 60000u);
  EXPECT_TRUE(p1.subscriptionAcknowledgements.empty());
  EXPECT_FALSE(p1.subscriptionAcknowledgements.null);
  auto b = decodeAndReencode(later, 18);
  ASSERT_TRUE(b);
  const auto& p2 = std::get<PublishRequest>(b->message);
  ASSERT_EQ(p2.subscriptionAcknowledgements.size(), 1u);
  EXPECT_EQ(p2.subscriptionAcknowledgements[0], (SubscriptionAcknowledgement{1, 1}));
}

TEST(OpcuaFixtures, Teardown) {
  LOAD_CHUNK(items, "client_subscriptions_00020_msg_DeleteMonitoredItemsRequest.bin");
  LOAD_CHUNK(subs, "client_subscriptions_00021_msg_DeleteSubscriptionsRequest.bin");
  LOAD_CHUNK(session, "client_subscriptions_00022_msg_CloseSessionRequest.bin");
  LOAD_CHUNK(clo, "client_subscriptions_00023_clo.bin");
  auto i = decodeAndReencode(items, 19);
  ASSERT_TRUE(i);
  const auto& di = std::get<DeleteMonitoredItemsRequest>(i->message);
  EXPECT_EQ(di.subscriptionId, 1u);
  EXPECT_EQ(di.monitoredItemIds, (Array<std::uint32_t>{1}));
  auto s = decodeAndReencode(subs, 20);
  ASSERT_TRUE(s);
  EXPECT_EQ(std::get<DeleteSubscriptionsRequest>(s->message).subscriptionIds,
            (Array<std::uint32_t>{1}));
  auto c = decodeAndReencode(session, 21);
  ASSERT_TRUE(c);
  EXPECT_TRUE(std::get<CloseSessionRequest>(c->message).deleteSubscriptions);
  auto x = decodeAndReencode(clo, 22);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->chunk.headers.header.type, MessageType::kClose);
  EXPECT_TRUE(std::holds_alternative<CloseSecureChannelRequest>(x->message));
}

TEST(OpcuaFixtures, Read) {
  LOAD_CHUNK(b, "client_highlevel_00013_msg_ReadRequest.bin");
  auto d = decodeAndReencode(b, 5);
  ASSERT_TRUE(d);
  const auto& req = std::get<ReadRequest>(d->message);
  EXPECT_EQ(req.requestHeader.authenticationToken, kSessionToken);
  EXPECT_EQ(req.maxAge, 0.0);
  EXPECT_EQ(req.timestampsToReturn, TimestampsToReturn::kSource);
  ASSERT_EQ(req.nodesToRead.size(), 1u);
  // Not ns=1;s=my.variable (that is another corpus file): i=2255, Server_NamespaceArray.
  EXPECT_EQ(req.nodesToRead[0].nodeId, NodeId(0, 2255u));
  EXPECT_EQ(req.nodesToRead[0].attributeId, attribute::kValue);
  EXPECT_FALSE(req.nodesToRead[0].indexRange.has_value());
}

TEST(OpcuaFixtures, BrowseAndBrowseNext) {
  LOAD_CHUNK(browse, "client_highlevel_00040_msg_BrowseRequest.bin");
  LOAD_CHUNK(next, "client_highlevel_00041_msg_BrowseNextRequest.bin");
  LOAD_CHUNK(browse2, "client_highlevel_00068_msg_BrowseRequest.bin");
  auto a = decodeAndReencode(browse, 5);
  ASSERT_TRUE(a);
  const auto& br = std::get<BrowseRequest>(a->message);
  EXPECT_EQ(br.requestedMaxReferencesPerNode, 1u);
  ASSERT_EQ(br.nodesToBrowse.size(), 1u);
  EXPECT_EQ(br.nodesToBrowse[0].nodeId, NodeId(0, 2253u));  // Server
  EXPECT_EQ(br.nodesToBrowse[0].browseDirection, BrowseDirection::kForward);
  EXPECT_EQ(br.nodesToBrowse[0].resultMask, 63u);
  auto n = decodeAndReencode(next, 6);
  ASSERT_TRUE(n);
  const auto& bn = std::get<BrowseNextRequest>(n->message);
  EXPECT_FALSE(bn.releaseContinuationPoints);
  ASSERT_EQ(bn.continuationPoints.size(), 1u);
  EXPECT_EQ(bn.continuationPoints[0]->size(), 16u);
  auto c = decodeAndReencode(browse2, 13);
  ASSERT_TRUE(c);
  const auto& br2 = std::get<BrowseRequest>(c->message);
  ASSERT_EQ(br2.nodesToBrowse.size(), 1u);
  EXPECT_EQ(br2.nodesToBrowse[0].nodeId, NodeId(0, 0xA4680568u));
  EXPECT_EQ(br2.nodesToBrowse[0].browseDirection, BrowseDirection::kBoth);
}

TEST(OpcuaFixtures, Write) {
  LOAD_CHUNK(first, "client_highlevel_00070_msg_WriteRequest.bin");
  LOAD_CHUNK(second, "client_highlevel_00074_msg_WriteRequest.bin");
  auto a = decodeAndReencode(first, 15);
  ASSERT_TRUE(a);
  const auto& w1 = std::get<WriteRequest>(a->message);
  ASSERT_EQ(w1.nodesToWrite.size(), 1u);
  EXPECT_EQ(w1.nodesToWrite[0].nodeId, NodeId(0, 0xF2DFCF1Fu));
  EXPECT_EQ(w1.nodesToWrite[0].attributeId, attribute::kNodeId);
  ASSERT_TRUE(w1.nodesToWrite[0].value.value.has_value());
  EXPECT_EQ(std::get<NodeId>(w1.nodesToWrite[0].value.value->value), NodeId(0, 900u));
  auto b = decodeAndReencode(second, 19);
  ASSERT_TRUE(b);
  const auto& w2 = std::get<WriteRequest>(b->message);
  ASSERT_EQ(w2.nodesToWrite.size(), 1u);
  EXPECT_EQ(w2.nodesToWrite[0].attributeId, attribute::kNodeClass);
  EXPECT_EQ(std::get<std::int32_t>(w2.nodesToWrite[0].value.value->value), 4);
}

TEST(OpcuaFixtures, TheWholeConnectionThroughTheStreamReader) {
  // The start of the client_subscriptions run (sequence numbers 1..8, no gap) as one byte
  // stream cut in 13-byte reads: reader, assembler (sequence check included), decoder.
  const char* files[] = {"client_subscriptions_00002_opn.bin",
                         "client_subscriptions_00003_msg_GetEndpointsRequest.bin",
                         "client_subscriptions_00004_msg_CreateSessionRequest.bin",
                         "client_subscriptions_00005_msg_ActivateSessionRequest.bin",
                         "client_subscriptions_00006_msg_CreateSubscriptionRequest.bin",
                         "client_subscriptions_00007_msg_ModifySubscriptionRequest.bin",
                         "client_subscriptions_00008_msg_CreateMonitoredItemsRequest.bin",
                         "client_subscriptions_00009_msg_PublishRequest.bin"};
  Bytes stream;
  for (const char* f : files) {
    LOAD_CHUNK(b, f);
    stream.insert(stream.end(), b.begin(), b.end());
  }
  NoneSecurity none;
  ChunkReader reader(65535);
  MessageAssembler assembler(0, 0, none, none);
  std::size_t messages = 0;
  std::span<const std::uint8_t> rest(stream);
  while (!rest.empty()) {
    auto piece = rest.first(std::min<std::size_t>(rest.size(), 13));
    rest = rest.subspan(piece.size());
    while (!piece.empty()) {
      piece = piece.subspan(reader.feed(piece));
      auto chunk = reader.next();
      ASSERT_TRUE(chunk.ok()) << chunk.error().describe();
      if (!chunk->has_value()) continue;
      auto m = assembler.add(std::move(**chunk));
      ASSERT_TRUE(m.ok()) << m.error().describe();
      ASSERT_TRUE(m->has_value());
      const auto& received = std::get<ReceivedMessage>(**m);
      ASSERT_TRUE(decodeMessage(received.body).ok());
      ++messages;
    }
  }
  EXPECT_EQ(messages, std::size(files));
}

}  // namespace
}  // namespace spindle::opcua
