// The opcua collector's tags: NodeIds in every text form, browse paths in the Part 4 A.2
// form with its escapes, every refusal, and what the two kinds become on a server.

#include "collectors/opcua/opcua_tags.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors::opcua {
namespace {

const std::map<std::string, std::string> kAliases{{"cnc", "http://spindle.test/cnc"},
                                                  {"Robot_2-a", "urn:robots"}};

std::optional<std::uint16_t> lookup(std::string_view uri) {
  if (uri == "http://opcfoundation.org/UA/") return 0;
  if (uri == "http://spindle.test/cnc") return 4;
  if (uri == "urn:robots") return 7;
  return std::nullopt;
}

TagNode parsed(std::string_view text) {
  auto r = parseTag(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error().describe();
  return r ? *r : TagNode{};
}

std::string refusal(std::string_view text) {
  auto r = parseTag(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r) return "";
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  return r.error().message();
}

PathElement element(bool aggregate, std::string prefix, std::string name) {
  return PathElement{aggregate, std::move(prefix), std::move(name)};
}

TEST(OpcuaTags, NodeIdsInEveryForm) {
  TagNode t = parsed("ns=2;s=Channel1.Speed");
  ASSERT_FALSE(t.isPath());
  EXPECT_EQ(t.text, "ns=2;s=Channel1.Speed");
  EXPECT_EQ(t.id->nodeId, ua::NodeId(2, std::string("Channel1.Speed")));
  EXPECT_FALSE(t.id->namespaceUri);
  EXPECT_EQ(parsed("i=2258").id->nodeId, ua::NodeId(0, std::uint32_t{2258}));
  const ua::Guid g{0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}};
  EXPECT_EQ(parsed("ns=1;g=72962b91-fa75-4ae6-8d28-b404dc7daf63").id->nodeId, ua::NodeId(1, g));
  EXPECT_EQ(parsed("ns=1;b=AQID").id->nodeId, ua::NodeId(1, ua::Bytes{1, 2, 3}));
  t = parsed("nsu=http://spindle.test/cnc;s=CNC1.SpindleSpeed");
  ASSERT_FALSE(t.isPath());
  EXPECT_EQ(t.id->namespaceUri, "http://spindle.test/cnc");
  EXPECT_EQ(t.id->nodeId, ua::NodeId(0, std::string("CNC1.SpindleSpeed")));
  EXPECT_FALSE(parsed("svr=0;i=85").isPath());
}

TEST(OpcuaTags, PathsWithBothSeparatorsAndPrefixes) {
  TagNode t = parsed("/cnc:CNC1/cnc:SpindleSpeed");
  ASSERT_TRUE(t.isPath());
  EXPECT_EQ(t.path, (std::vector<PathElement>{element(false, "cnc", "CNC1"),
                                              element(false, "cnc", "SpindleSpeed")}));
  t = parsed("/2:Robot1.2:Mode");
  EXPECT_EQ(t.path,
            (std::vector<PathElement>{element(false, "2", "Robot1"), element(true, "2", "Mode")}));
  EXPECT_EQ(parsed(".EURange").path, (std::vector<PathElement>{element(true, "", "EURange")}));
  EXPECT_EQ(
      parsed("/Server/ServerStatus.State").path,
      (std::vector<PathElement>{element(false, "", "Server"), element(false, "", "ServerStatus"),
                                element(true, "", "State")}));
  EXPECT_EQ(parsed("/Robot_2-a:Arm").path.front().prefix, "Robot_2-a");
  EXPECT_EQ(parsed("/_x:Arm").path.front().prefix, "_x");
  EXPECT_EQ(parsed("/65535:Arm").path.front().prefix, "65535");
  // Only the first ':' ends the prefix.
  EXPECT_EQ(parsed("/2:a:b").path.front(), element(false, "2", "a:b"));
}

TEST(OpcuaTags, AmpersandEscapesTheNextCharacter) {
  EXPECT_EQ(parsed("/2:Speed&/Feed").path,
            (std::vector<PathElement>{element(false, "2", "Speed/Feed")}));
  EXPECT_EQ(parsed("/2:Channel1&.Speed").path.front().name, "Channel1.Speed");
  EXPECT_EQ(parsed("/a&:b").path.front(), element(false, "", "a:b"));
  EXPECT_EQ(parsed("/R&&D.x").path,
            (std::vector<PathElement>{element(false, "", "R&D"), element(true, "", "x")}));
  EXPECT_EQ(parsed("/&#x").path.front().name, "#x");
}

TEST(OpcuaTags, RefusesEmptyTagsNamesAndTrailingEscapes) {
  EXPECT_NE(refusal("").find("tag \"\": empty"), std::string::npos);
  EXPECT_NE(refusal("/").find("element 1 has an empty name"), std::string::npos);
  EXPECT_NE(refusal("/a//b").find("element 2 has an empty name"), std::string::npos);
  EXPECT_NE(refusal("/a.").find("element 2 has an empty name"), std::string::npos);
  EXPECT_NE(refusal("/2:").find("element 1 has an empty name"), std::string::npos);
  EXPECT_NE(refusal("/a&").find("ends with '&'"), std::string::npos);
  // The message shows the accepted forms.
  EXPECT_NE(refusal("/").find("\"/2:Robot1/2:Mode\""), std::string::npos);
}

TEST(OpcuaTags, RefusesPrefixesThatAreNeitherIndexNorAlias) {
  EXPECT_NE(refusal("/:Speed").find("prefix \"\""), std::string::npos);
  EXPECT_NE(refusal("/2x:Speed").find("prefix \"2x\", which is neither"), std::string::npos);
  EXPECT_NE(refusal("/a b:Speed").find("prefix \"a b\""), std::string::npos);
  EXPECT_NE(refusal("/-a:Speed").find("prefix \"-a\""), std::string::npos);
  EXPECT_NE(refusal("/a&.b:Speed").find("prefix \"a&.b\""), std::string::npos);
  EXPECT_NE(refusal("/x/65536:Speed").find("element 2 has the namespace index 65536, above 65535"),
            std::string::npos);
}

TEST(OpcuaTags, RefusesBadNodeIdsLongTagsAndOtherServers) {
  const std::string bad = refusal("ns=2;q=Speed");
  EXPECT_NE(bad.find("unknown identifier type 'q'"), std::string::npos) << bad;
  EXPECT_NE(bad.find("a tag is a NodeId"), std::string::npos) << bad;
  EXPECT_NE(refusal("Robot1/Mode").find("expected i=, s=, g= or b="), std::string::npos);
  EXPECT_NE(refusal("ns=x;i=1").find("ns= needs a UInt16"), std::string::npos);
  EXPECT_NE(refusal("nsu=urn:x").find("nsu= needs ';'"), std::string::npos);
  EXPECT_NE(refusal("svr=2;i=85").find("another server (svr=2)"), std::string::npos);
  EXPECT_TRUE(parseTag("/" + std::string(4095, 'a')).ok());
  EXPECT_NE(refusal("/" + std::string(4096, 'a')).find("4097 bytes is over the 4096-byte limit"),
            std::string::npos);
}

TEST(OpcuaTags, AliasesMustBeDeclared) {
  EXPECT_TRUE(checkAliases(parsed("/cnc:CNC1/2:Mode/Name"), kAliases).ok());
  EXPECT_TRUE(checkAliases(parsed("nsu=urn:undeclared;i=1"), kAliases).ok());
  const Status s = checkAliases(parsed("/cnc:CNC1/plc:Mode"), kAliases);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message(),
            "tag \"/cnc:CNC1/plc:Mode\" uses the namespace alias \"plc\", which `namespaces` "
            "does not declare");
}

TEST(OpcuaTags, ResolveIdLooksUpNamespaceUris) {
  EXPECT_EQ(resolveId(parsed("ns=2;i=5"), lookup).value(), ua::NodeId(2, std::uint32_t{5}));
  EXPECT_EQ(resolveId(parsed("nsu=http://spindle.test/cnc;s=CNC1.Speed"), lookup).value(),
            ua::NodeId(4, std::string("CNC1.Speed")));
  EXPECT_EQ(resolveId(parsed("nsu=http://opcfoundation.org/UA/;i=2258"), lookup).value(),
            ua::NodeId(0, std::uint32_t{2258}));
  const auto missing = resolveId(parsed("nsu=urn:absent;i=1"), lookup);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("no namespace \"urn:absent\""), std::string::npos);
  const auto path = resolveId(parsed("/2:A"), lookup);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), ErrorCode::kInvalidArgument);
}

TEST(OpcuaTags, BrowsePathFromTheObjectsFolder) {
  const auto p = browsePath(parsed("/cnc:CNC1.Robot_2-a:Arm/3:Mode&.x"), kAliases, lookup);
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->startingNode, ua::NodeId(0, std::uint32_t{85}));
  const auto& e = p->relativePath.elements;
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].referenceTypeId, ua::NodeId(0, std::uint32_t{33}));
  EXPECT_EQ(e[1].referenceTypeId, ua::NodeId(0, std::uint32_t{44}));
  EXPECT_EQ(e[2].referenceTypeId, ua::NodeId(0, std::uint32_t{33}));
  for (const auto& x : e) {
    EXPECT_FALSE(x.isInverse);
    EXPECT_TRUE(x.includeSubtypes);
  }
  EXPECT_EQ(e[0].targetName, (ua::QualifiedName{4, "CNC1"}));
  EXPECT_EQ(e[1].targetName, (ua::QualifiedName{7, "Arm"}));
  EXPECT_EQ(e[2].targetName, (ua::QualifiedName{3, "Mode.x"}));
  EXPECT_EQ(browsePath(parsed("/Server"), {}, lookup)->relativePath.elements[0].targetName,
            (ua::QualifiedName{0, "Server"}));
}

TEST(OpcuaTags, BrowsePathRefusals) {
  const auto id = browsePath(parsed("i=85"), kAliases, lookup);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code(), ErrorCode::kInvalidArgument);
  const auto alias = browsePath(parsed("/plc:A"), kAliases, lookup);
  ASSERT_FALSE(alias.ok());
  EXPECT_EQ(alias.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(alias.error().message().find("alias \"plc\""), std::string::npos);
  const std::map<std::string, std::string> absent{{"x", "urn:absent"}};
  const auto uri = browsePath(parsed("/x:A"), absent, lookup);
  ASSERT_FALSE(uri.ok());
  EXPECT_EQ(uri.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(uri.error().message().find("no namespace \"urn:absent\" (alias x)"), std::string::npos);
}

}  // namespace
}  // namespace spindle::collectors::opcua
