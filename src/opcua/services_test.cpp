// Service messages: exact bytes for small ones (laid out by hand from Part 4's field tables
// and Part 6's rules), round trips of every message, and the decoder's errors.
#include "opcua/services.hpp"

#include <gtest/gtest.h>

namespace spindle::opcua {
namespace {

Bytes hex(std::initializer_list<int> v) {
  Bytes out;
  for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

// An all-defaults RequestHeader: null token (00 00), time 0, handle 0, diagnostics 0, null
// audit id, timeout 0, empty additional header (00 00 00).
const Bytes kEmptyRequestHeader =
    hex({0x00, 0x00, 0, 0,    0,    0,    0,    0, 0, 0, 0, 0,    0,    0,   0,
         0,    0,    0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0x00, 0x00, 0x00});

TEST(OpcuaServices, ReadRequestBytes) {
  ReadRequest req;
  req.maxAge = 0;
  req.timestampsToReturn = TimestampsToReturn::kBoth;
  req.nodesToRead.push_back(ReadValueId{NodeId(0, 2258u), attribute::kValue, {}, {}});
  Bytes want = hex({0x01, 0x00, 0x77, 0x02});  // i=631, four-byte form
  want.insert(want.end(), kEmptyRequestHeader.begin(), kEmptyRequestHeader.end());
  const Bytes rest = hex({0,    0,    0,    0,    0,    0,   0, 0,  // maxAge 0.0
                          2,    0,    0,    0,                      // Both
                          1,    0,    0,    0,                      // one node
                          0x01, 0x00, 0xD2, 0x08,                   // i=2258
                          13,   0,    0,    0,                      // Value
                          0xFF, 0xFF, 0xFF, 0xFF,                   // no index range
                          0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF});     // default encoding
  want.insert(want.end(), rest.begin(), rest.end());
  EXPECT_EQ(encodeMessage(req), want);
  auto back = decodeMessage(want);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  ASSERT_TRUE(std::holds_alternative<ReadRequest>(*back));
  EXPECT_EQ(std::get<ReadRequest>(*back), req);
  EXPECT_STREQ(messageName(*back), "ReadRequest");
}

TEST(OpcuaServices, ServiceFaultBytes) {
  ServiceFault f;
  f.responseHeader.requestHandle = 7;
  f.responseHeader.serviceResult = StatusCode{0x80250000};
  const Bytes want = hex({0x01, 0x00, 0x8D, 0x01,              // i=397
                          0,    0,    0,    0,    0, 0, 0, 0,  // timestamp
                          7,    0,    0,    0,                 // handle
                          0x00, 0x00, 0x25, 0x80,              // BadSessionIdInvalid
                          0x00,                                // no diagnostics
                          0,    0,    0,    0,                 // empty string table
                          0x00, 0x00, 0x00});                  // no additional header
  EXPECT_EQ(encodeMessage(f), want);
  auto back = decodeMessage(want);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(describe(std::get<ServiceFault>(*back).responseHeader.serviceResult),
            "BadSessionIdInvalid");
}

TEST(OpcuaServices, UnknownTypeIsNamed) {
  auto r = decodeMessage(hex({0x01, 0x00, 0x7B, 0x00, 0x00}));  // i=123
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(r.error().message().find("unknown message type i=123"), std::string::npos);
  auto s = decodeMessage(hex({0x03, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 'x'}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("ns=1;s=x"), std::string::npos);
}

TEST(OpcuaServices, ErrorsNameTheOffsetInTheChunk) {
  // A ReadRequest whose nodesToRead count claims more than the bytes left; the body sits at
  // offset 24 of its chunk.
  Bytes b = encodeMessage(ReadRequest{});
  const std::size_t countAt = b.size() - 4;
  b[countAt] = 0xFF;
  b[countAt + 1] = 0xFF;
  b[countAt + 2] = 0xFF;
  b[countAt + 3] = 0x7F;
  auto r = decodeMessage(b, 24);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(r.error().message().find("at offset " + std::to_string(24 + countAt)),
            std::string::npos)
      << r.error().describe();
  EXPECT_NE(r.error().describe().find("decoding ReadRequest"), std::string::npos);
}

TEST(OpcuaServices, TrailingAndTruncatedBodies) {
  Bytes b = encodeMessage(CloseSessionRequest{});
  b.push_back(0);
  auto r = decodeMessage(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().describe().find("1 bytes after the message"), std::string::npos);
  b.pop_back();
  for (std::size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(decodeMessage(std::span<const std::uint8_t>(b.data(), n)).ok()) << n;
  }
}

PublishResponse samplePublishResponse() {
  DataChangeNotification dc;
  for (std::uint32_t i = 0; i < 3; ++i) {
    MonitoredItemNotification n;
    n.clientHandle = i;
    n.value.value = Variant(1.5 * i);
    n.value.status = StatusCode{};
    n.value.sourceTimestamp = DateTime{133444736000000000 + i};
    n.value.serverTimestamp = DateTime{133444736000000001 + i};
    dc.monitoredItems.push_back(n);
  }
  PublishResponse p;
  p.responseHeader.timestamp = DateTime{133444736000000000};
  p.subscriptionId = 4;
  p.availableSequenceNumbers = {7, 8};
  p.notificationMessage.sequenceNumber = 8;
  p.notificationMessage.publishTime = DateTime{133444736000000000};
  p.notificationMessage.notificationData.push_back(toExtensionObject(dc));
  p.notificationMessage.notificationData.push_back(
      toExtensionObject(StatusChangeNotification{StatusCode{0x800A0000}, {}}));
  p.notificationMessage.notificationData.push_back(ExtensionObject{
      NodeId(0, kEventNotificationListTypeId), ExtensionObject::Encoding::kBinary, {0, 0, 0, 0}});
  p.results.push_back(StatusCode{});
  return p;
}

TEST(OpcuaServices, PublishResponseNotifications) {
  const PublishResponse p = samplePublishResponse();
  auto back = decodeMessage(encodeMessage(p));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const auto& got = std::get<PublishResponse>(*back);
  EXPECT_EQ(got, p);
  const auto& data = got.notificationMessage.notificationData;
  ASSERT_EQ(data.size(), 3u);
  auto dc = decodeNotification(data[0]);
  ASSERT_TRUE(dc.ok());
  const auto& changes = std::get<DataChangeNotification>(*dc);
  ASSERT_EQ(changes.monitoredItems.size(), 3u);
  EXPECT_EQ(std::get<double>(changes.monitoredItems[2].value.value->value), 3.0);
  auto sc = decodeNotification(data[1]);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(std::get<StatusChangeNotification>(*sc).status, StatusCode{0x800A0000});
  auto ev = decodeNotification(data[2]);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(std::get<SkippedNotification>(*ev).typeId, NodeId(0, 916u));
  // A broken DataChangeNotification body is an error, not a skip.
  ExtensionObject broken = data[0];
  broken.body.resize(broken.body.size() - 1);
  EXPECT_FALSE(decodeNotification(broken).ok());
}

TEST(OpcuaServices, IdentityTokensAsExtensionObjects) {
  ActivateSessionRequest a;
  a.userIdentityToken = toExtensionObject(UserNameIdentityToken{
      String("user"), String("bob"), ByteString(Bytes{1, 2, 3}), String("rsa-oaep")});
  auto back = decodeMessage(encodeMessage(a));
  ASSERT_TRUE(back.ok());
  const auto& token = std::get<ActivateSessionRequest>(*back).userIdentityToken;
  EXPECT_EQ(token.typeId, NodeId(0, 324u));
  auto user = fromExtensionObject<UserNameIdentityToken>(token);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->userName, String("bob"));
  EXPECT_FALSE(fromExtensionObject<AnonymousIdentityToken>(token).ok());
  auto x509 = toExtensionObject(X509IdentityToken{String("cert"), ByteString(Bytes{0x30})});
  EXPECT_EQ(x509.typeId, NodeId(0, 327u));
  EXPECT_EQ(fromExtensionObject<X509IdentityToken>(x509)->certificateData, ByteString(Bytes{0x30}));
}

template <typename T>
void expectRoundTrip(const T& m) {
  const Bytes b = encodeMessage(m);
  auto back = decodeMessage(b);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  ASSERT_TRUE(std::holds_alternative<T>(*back));
  EXPECT_EQ(std::get<T>(*back), m);
  EXPECT_EQ(encodeMessage(*back), b);
}

TEST(OpcuaServices, EveryMessageRoundTrips) {
  RequestHeader rh;
  rh.authenticationToken = NodeId(1, Bytes{9, 9});
  rh.timestamp = DateTime{5};
  rh.requestHandle = 3;
  rh.timeoutHint = 1000;
  ResponseHeader sh;
  sh.requestHandle = 3;
  sh.serviceResult = StatusCode{0x002F0000};
  sh.stringTable = {String("a")};
  sh.serviceDiagnostics.symbolicId = 0;
  ApplicationDescription app{String("urn:a"),
                             String("urn:p"),
                             LocalizedText{{}, String("A")},
                             ApplicationType::kServer,
                             {},
                             {},
                             {String("opc.tcp://h:4840")}};
  EndpointDescription ep{
      String("opc.tcp://h:4840"),
      app,
      ByteString(Bytes{0x30}),
      MessageSecurityMode::kSignAndEncrypt,
      String("http://x#Basic256Sha256"),
      {UserTokenPolicy{String("anon"), UserTokenType::kAnonymous, {}, {}, {}}},
      String("http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary"),
      3};

  expectRoundTrip(OpenSecureChannelRequest{rh, 0, SecurityTokenRequestType::kRenew,
                                           MessageSecurityMode::kSign, ByteString(Bytes(32, 1)),
                                           600000});
  expectRoundTrip(
      OpenSecureChannelResponse{sh, 0, {1, 2, DateTime{3}, 600000}, ByteString(Bytes{})});
  expectRoundTrip(CloseSecureChannelRequest{rh});
  expectRoundTrip(CloseSecureChannelResponse{sh});
  expectRoundTrip(GetEndpointsRequest{rh, String("opc.tcp://h:4840"), {String("en")}, {}});
  expectRoundTrip(GetEndpointsResponse{sh, {ep, ep}});
  expectRoundTrip(
      CreateSessionRequest{rh, app, {}, String("opc.tcp://h"), String("s"), {}, {}, 60000.0, 0});
  expectRoundTrip(CreateSessionResponse{sh,
                                        NodeId(1, 5u),
                                        NodeId(1, Bytes{1}),
                                        60000.0,
                                        {},
                                        {},
                                        {ep},
                                        {SignedSoftwareCertificate{}},
                                        SignatureData{String("alg"), ByteString(Bytes{1})},
                                        0});
  expectRoundTrip(ActivateSessionRequest{
      rh, {}, {}, {String("en")}, toExtensionObject(AnonymousIdentityToken{String("a")}), {}});
  expectRoundTrip(ActivateSessionResponse{sh, ByteString(Bytes{1}), {StatusCode{}}, {}});
  expectRoundTrip(CloseSessionRequest{rh, false});
  expectRoundTrip(CloseSessionResponse{sh});

  ReferenceDescription ref{NodeId(0, 35u),
                           true,
                           ExpandedNodeId{NodeId(2, std::string("x")), {}, 0},
                           QualifiedName{2, String("x")},
                           LocalizedText{{}, String("x")},
                           NodeClass::kVariable,
                           ExpandedNodeId{NodeId(0, 63u), {}, 0}};
  BrowseResult br{StatusCode{}, ByteString(Bytes{1, 2}), {ref, ref}};
  expectRoundTrip(BrowseRequest{
      rh,
      {},
      100,
      {BrowseDescription{NodeId(0, 85u), BrowseDirection::kForward, NodeId(0, 33u), true, 0, 63}}});
  expectRoundTrip(BrowseResponse{sh, {br}, {}});
  expectRoundTrip(BrowseNextRequest{rh, true, {ByteString(Bytes{1, 2})}});
  expectRoundTrip(BrowseNextResponse{sh, {br}, {DiagnosticInfo{}}});
  expectRoundTrip(TranslateBrowsePathsToNodeIdsRequest{
      rh,
      {BrowsePath{NodeId(0, 85u),
                  {{RelativePathElement{NodeId(0, 33u), false, true, {2, String("M")}}}}}}});
  expectRoundTrip(TranslateBrowsePathsToNodeIdsResponse{
      sh,
      {BrowsePathResult{StatusCode{}, {BrowsePathTarget{{NodeId(2, 7u), {}, 0}, 0xFFFFFFFF}}}},
      {}});
  expectRoundTrip(ReadRequest{rh,
                              500.0,
                              TimestampsToReturn::kSource,
                              {ReadValueId{NodeId(1, std::string("my.variable")), 13, {}, {}}}});
  expectRoundTrip(
      ReadResponse{sh, {DataValue{Variant(String("v")), {}, DateTime{1}, {}, {}, {}}}, {}});
  expectRoundTrip(WriteRequest{
      rh, {WriteValue{NodeId(1, 2u), 13, {}, DataValue{Variant(true), {}, {}, {}, {}, {}}}}});
  expectRoundTrip(WriteResponse{sh, {StatusCode{0x803B0000}}, {}});

  expectRoundTrip(CreateSubscriptionRequest{rh, 500.0, 30, 10, 0, true, 1});
  expectRoundTrip(CreateSubscriptionResponse{sh, 9, 500.0, 30, 10});
  expectRoundTrip(ModifySubscriptionRequest{rh, 9, 250.0, 30, 10, 0, 0});
  expectRoundTrip(ModifySubscriptionResponse{sh, 250.0, 30, 10});
  expectRoundTrip(DeleteSubscriptionsRequest{rh, {9, 10}});
  expectRoundTrip(DeleteSubscriptionsResponse{sh, {StatusCode{}, StatusCode{0x80280000}}, {}});
  expectRoundTrip(SetPublishingModeRequest{rh, false, {9}});
  expectRoundTrip(SetPublishingModeResponse{sh, {StatusCode{}}, {}});
  MonitoredItemCreateRequest item{
      ReadValueId{NodeId(0, 2258u), 13, {}, {}}, MonitoringMode::kReporting,
      MonitoringParameters{
          1, 250.0, toExtensionObject(DataChangeFilter{DataChangeTrigger::kStatusValue, 1, 0.5}),
          10, true}};
  expectRoundTrip(CreateMonitoredItemsRequest{rh, 9, TimestampsToReturn::kBoth, {item}});
  expectRoundTrip(CreateMonitoredItemsResponse{
      sh, {MonitoredItemCreateResult{StatusCode{}, 1, 250.0, 10, {}}}, {}});
  expectRoundTrip(DeleteMonitoredItemsRequest{rh, 9, {1, 2}});
  expectRoundTrip(DeleteMonitoredItemsResponse{sh, {StatusCode{}}, {}});
  expectRoundTrip(PublishRequest{rh, {SubscriptionAcknowledgement{9, 7}}});
  expectRoundTrip(samplePublishResponse());
  expectRoundTrip(RepublishRequest{rh, 9, 7});
  expectRoundTrip(RepublishResponse{sh, samplePublishResponse().notificationMessage});
  expectRoundTrip(TransferSubscriptionsRequest{rh, {9}, true});
  expectRoundTrip(TransferSubscriptionsResponse{sh, {TransferResult{StatusCode{}, {7, 8}}}, {}});
  expectRoundTrip(ServiceFault{sh});

  auto filter = fromExtensionObject<DataChangeFilter>(item.requestedParameters.filter);
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->deadbandValue, 0.5);
}

}  // namespace
}  // namespace spindle::opcua
