// NodeId / ExpandedNodeId text forms (Part 6, 5.3.1.10-11) and the StatusCode names.
#include <gtest/gtest.h>

#include "opcua/status_codes.hpp"
#include "opcua/types.hpp"

namespace spindle::opcua {
namespace {

TEST(OpcuaNodeIdText, ParsesEveryForm) {
  EXPECT_EQ(NodeId::parse("i=2258").value(), NodeId(0, 2258u));
  EXPECT_EQ(NodeId::parse("ns=2;s=Channel1.Speed").value(),
            NodeId(2, std::string("Channel1.Speed")));
  EXPECT_EQ(NodeId::parse("ns=1;s=a;b=c").value(), NodeId(1, std::string("a;b=c")));
  EXPECT_EQ(
      NodeId::parse("ns=1;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63").value(),
      NodeId(1,
             Guid{0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}}));
  EXPECT_EQ(NodeId::parse("ns=1;b=AQID").value(), NodeId(1, Bytes{1, 2, 3}));
  EXPECT_EQ(NodeId::parse("ns=1;b=AQI=").value(), NodeId(1, Bytes{1, 2}));
  EXPECT_EQ(NodeId::parse("s=").value(), NodeId(0, std::string()));
}

TEST(OpcuaNodeIdText, RejectsMalformedText) {
  for (const char* bad : {"", "i=", "i=x", "i=4294967296", "ns=65536;i=1", "ns=1", "ns=x;i=1",
                          "x=1", "ns=1;g=nope", "ns=1;b=A", "ns=1;b=A=AA", "2258"}) {
    auto r = NodeId::parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(OpcuaNodeIdText, PrintsWhatItParses) {
  for (const char* text :
       {"i=85", "ns=2;s=Channel1.Speed", "ns=3;i=70000",
        "ns=1;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63", "ns=1;b=AQID", "ns=4;b=AQI="}) {
    auto id = NodeId::parse(text);
    ASSERT_TRUE(id.ok()) << text;
    EXPECT_EQ(id->toString(), text);
  }
}

TEST(OpcuaNodeIdText, ExpandedNodeIdUriAndServer) {
  auto e = ExpandedNodeId::parse("nsu=http://example.com/UA/;s=Speed");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->namespaceUri, String("http://example.com/UA/"));
  EXPECT_EQ(e->nodeId, NodeId(0, std::string("Speed")));
  EXPECT_EQ(e->toString(), "nsu=http://example.com/UA/;s=Speed");
  auto s = ExpandedNodeId::parse("svr=2;nsu=urn:a%3Bb;i=5");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->serverIndex, 2u);
  EXPECT_EQ(s->namespaceUri, String("urn:a;b"));
  EXPECT_EQ(s->toString(), "svr=2;nsu=urn:a%3Bb;i=5");
  auto plain = ExpandedNodeId::parse("ns=3;i=7");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->nodeId, NodeId(3, 7u));
  EXPECT_FALSE(plain->namespaceUri.has_value());
  EXPECT_FALSE(ExpandedNodeId::parse("nsu=urn:x").ok());
}

TEST(OpcuaStatusCodes, NamesFromTheTable) {
  // Values from the specification's StatusCode table.
  const std::pair<const char*, std::uint32_t> known[] = {
      {"Good", 0x00000000},
      {"BadTimeout", 0x800A0000},
      {"BadSecureChannelIdInvalid", 0x80220000},
      {"BadSessionClosed", 0x80260000},
      {"BadSessionIdInvalid", 0x80250000},
      {"BadSubscriptionIdInvalid", 0x80280000},
      {"BadNoSubscription", 0x80790000},
      {"BadTooManyPublishRequests", 0x80780000},
      {"BadNodeIdUnknown", 0x80340000},
      {"BadNodeIdInvalid", 0x80330000},
      {"BadAttributeIdInvalid", 0x80350000},
      {"BadUserAccessDenied", 0x801F0000},
      {"BadIdentityTokenInvalid", 0x80200000},
      {"BadIdentityTokenRejected", 0x80210000},
      {"BadCertificateUntrusted", 0x801A0000},
      {"BadSecurityChecksFailed", 0x80130000},
      {"BadTcpMessageTooLarge", 0x80800000},
      {"BadRequestTooLarge", 0x80B80000},
      {"BadResponseTooLarge", 0x80B90000},
      {"BadTooManyOperations", 0x80100000},
      {"BadCommunicationError", 0x80050000},
      {"BadNotConnected", 0x808A0000},
      {"BadServerHalted", 0x800E0000},
      {"BadWaitingForInitialData", 0x80320000},
      {"BadOutOfService", 0x808D0000},
      {"UncertainLastUsableValue", 0x40900000},
      {"GoodOverload", 0x002F0000},
  };
  for (const auto& [name, value] : known) {
    EXPECT_EQ(describe(StatusCode{value}), name);
    EXPECT_EQ(statusFromName(name), StatusCode{value}) << name;
  }
  EXPECT_FALSE(statusFromName("BadNoSuchThing").has_value());
}

TEST(OpcuaStatusCodes, SeverityAndUnknownCodes) {
  EXPECT_TRUE(StatusCode{0x002F0000}.isGood());
  EXPECT_TRUE(StatusCode{0x40900000}.isUncertain());
  EXPECT_TRUE(StatusCode{0x80340000}.isBad());
  EXPECT_TRUE(StatusCode{0xC0000000}.isBad());
  EXPECT_EQ(describe(StatusCode{0x80FF0000}), "Bad (0x80FF0000)");
  EXPECT_EQ(describe(StatusCode{0x40FF0000}), "Uncertain (0x40FF0000)");
  EXPECT_EQ(describe(StatusCode{0x00FF0000}), "Good (0x00FF0000)");
  // Info bits (here: the limit bits of a DataValue) keep the name, with the value.
  EXPECT_EQ(describe(StatusCode{0x40900100}), "UncertainLastUsableValue (0x40900100)");
}

}  // namespace
}  // namespace spindle::opcua
