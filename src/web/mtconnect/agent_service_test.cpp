// The MTConnect interface over a state store fed directly: documents, sequence semantics,
// filters, errors, JSON, assets.

#include "web/mtconnect/agent_service.hpp"

#include <gtest/gtest.h>

#include "web/testing/agent_fixture.hpp"

namespace spindle::web::mtconnect {
namespace {

using testing::AgentServiceTest;
using testing::httpGet;
using testing::kT0;

TEST_F(AgentServiceTest, ProbeListsTheAgentAndEveryMachine) {
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
  add(m_m2, "Sspeed", model::Kind::kSample, 1200.0, 0);
  const std::string body = get("/probe");
  EXPECT_NE(body.find("<Agent id=\"spindle_agent\" name=\"Agent\""), std::string::npos) << body;
  EXPECT_NE(
      body.find("<Device id=\"m1\" name=\"m1\" uuid=\"" + stableUuid("spindle-device:edge-1:m1")),
      std::string::npos);
  EXPECT_NE(body.find("id=\"m1_execution\" name=\"execution\" type=\"EXECUTION\""),
            std::string::npos);
  EXPECT_NE(body.find("type=\"ROTARY_VELOCITY\" units=\"REVOLUTION/MINUTE\""), std::string::npos);
  EXPECT_NE(get("/").find("<MTConnectDevices"), std::string::npos);  // "/" is probe too
  EXPECT_NE(get("/m2/probe").find("m2_Sspeed"), std::string::npos);
  EXPECT_EQ(get("/m2/probe").find("m1_execution"), std::string::npos);
}

TEST_F(AgentServiceTest, CurrentHasTheLatestValuesWithTheirSequences) {
  // 1, 2: DEVICE_ADDED of m1 and m2 at the start; 3: DEVICE_CHANGED of m1 (new items).
  add(m_m1, "execution", model::Kind::kEvent, std::string("READY"), 0);   // 4
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 1);  // 5
  add(m_m1, "partcount", model::Kind::kSample, std::int64_t{7}, 2);       // 6
  const std::string body = get("/m1/current");
  EXPECT_NE(body.find("firstSequence=\"1\" lastSequence=\"6\""), std::string::npos) << body;
  EXPECT_NE(body.find("nextSequence=\"7\""), std::string::npos);
  EXPECT_NE(body.find("sequence=\"5\" name=\"execution\">ACTIVE</Execution>"), std::string::npos);
  EXPECT_NE(body.find(">7</PartCount>"), std::string::npos);
  EXPECT_EQ(body.find("READY"), std::string::npos);
  // As of sequence 4: READY.
  EXPECT_NE(get("/m1/current?at=4").find(">READY</Execution>"), std::string::npos);
  EXPECT_NE(get("/current?at=99", 400).find("OUT_OF_RANGE"), std::string::npos);
}

TEST_F(AgentServiceTest, ConditionsShowEveryActiveOne) {
  auto cond = [](model::Level l, const char* code) {
    auto c = std::make_shared<model::Condition>();
    c->level = l;
    c->nativeCode = code;
    return model::Value{std::shared_ptr<const model::Condition>(c)};
  };
  add(m_m1, "system", model::Kind::kCondition, cond(model::Level::kFault, "E1"), 0);
  add(m_m1, "system", model::Kind::kCondition, cond(model::Level::kWarning, "W2"), 1);
  std::string body = get("/m1/current");
  EXPECT_NE(body.find("<Fault dataItemId=\"m1_system\""), std::string::npos) << body;
  EXPECT_NE(body.find("<Warning dataItemId=\"m1_system\""), std::string::npos);
  add(m_m1, "system", model::Kind::kCondition, cond(model::Level::kNormal, ""), 2);
  body = get("/m1/current");
  EXPECT_EQ(body.find("<Fault"), std::string::npos);
  EXPECT_NE(body.find("<Normal dataItemId=\"m1_system\""), std::string::npos);
}

TEST_F(AgentServiceTest, SampleFollowsSequencesAndTheRingWindow) {
  for (int i = 0; i < 20; ++i) add(m_m1, "line", model::Kind::kEvent, std::int64_t{i}, i);
  // The store's ring of 16 lost values 0..3 before the interface read it (this fixture has no
  // subscription): their sequences (after DEVICE_ADDED 1, 2) are skipped, 3..6, a gap where
  // they were; DEVICE_CHANGED is 7, values 4..19 are 8..23, all in the interface's buffer.
  std::string body = get("/m1/sample?count=3");
  EXPECT_NE(body.find("firstSequence=\"1\""), std::string::npos) << body;
  EXPECT_NE(body.find("nextSequence=\"11\""), std::string::npos);
  EXPECT_NE(body.find("sequence=\"8\" name=\"line\">4<"), std::string::npos);
  body = get("/sample?from=21&count=100");
  EXPECT_NE(body.find("nextSequence=\"24\""), std::string::npos);
  EXPECT_NE(get("/sample?from=25", 400).find("OUT_OF_RANGE"), std::string::npos);
  EXPECT_NE(get("/sample?count=0", 400).find("OUT_OF_RANGE"), std::string::npos);
  EXPECT_NE(get("/sample?from=abc", 400).find("INVALID_REQUEST"), std::string::npos);
}

/// The sequence numbers of the observations in a Streams document, in document order.
std::vector<int> sequences(const std::string& body) {
  std::vector<int> out;
  for (size_t at = body.find(" sequence=\""); at != std::string::npos;
       at = body.find(" sequence=\"", at + 1)) {
    out.push_back(std::stoi(body.substr(at + 11)));
  }
  return out;
}

/// Adds ten values of m1's "line" and returns the sequence of the first (the Agent's events
/// come before it).
int addTenLines(AgentServiceTest& t) {
  for (int i = 0; i < 10; ++i) t.add(t.m_m1, "line", model::Kind::kEvent, std::int64_t{i}, i);
  return sequences(t.get("/m1/sample?count=1000")).at(0);
}

std::string seq(int n) { return std::to_string(n); }

TEST_F(AgentServiceTest, SampleToReadsUpToItsBound) {
  const int s0 = addTenLines(*this);
  std::string body = get("/m1/sample?from=" + seq(s0 + 1) + "&to=" + seq(s0 + 4));
  EXPECT_EQ(sequences(body), (std::vector<int>{s0 + 1, s0 + 2, s0 + 3, s0 + 4})) << body;
  EXPECT_NE(body.find("nextSequence=\"" + seq(s0 + 5) + "\""), std::string::npos);
  // With a count: the newest observations at or before `to`.
  body = get("/m1/sample?to=" + seq(s0 + 4) + "&count=2");
  EXPECT_EQ(sequences(body), (std::vector<int>{s0 + 3, s0 + 4})) << body;
  EXPECT_NE(body.find("nextSequence=\"" + seq(s0 + 5) + "\""), std::string::npos);
  EXPECT_NE(get("/sample?from=" + seq(s0 + 5) + "&to=" + seq(s0 + 4), 400).find("OUT_OF_RANGE"),
            std::string::npos);
  EXPECT_NE(get("/sample?to=99", 400).find("OUT_OF_RANGE"), std::string::npos);
  EXPECT_NE(get("/sample?to=5&count=-2", 400).find("INVALID_REQUEST"), std::string::npos);
  EXPECT_NE(get("/sample?to=5&interval=100", 400).find("INVALID_REQUEST"), std::string::npos);
}

TEST_F(AgentServiceTest, NegativeCountReadsBackwards) {
  const int s0 = addTenLines(*this);
  std::string body = get("/m1/sample?count=-3");
  EXPECT_EQ(sequences(body), (std::vector<int>{s0 + 7, s0 + 8, s0 + 9})) << body;
  // Reading on backwards starts before the oldest examined.
  EXPECT_NE(body.find("nextSequence=\"" + seq(s0 + 6) + "\""), std::string::npos);
  body = get("/m1/sample?from=" + seq(s0 + 4) + "&count=-2");
  EXPECT_EQ(sequences(body), (std::vector<int>{s0 + 3, s0 + 4})) << body;
  EXPECT_NE(body.find("nextSequence=\"" + seq(s0 + 2) + "\""), std::string::npos);
  body = get("/m1/sample?count=-100");
  EXPECT_EQ(sequences(body).size(), 10u);
  EXPECT_NE(get("/sample?count=-3&interval=10", 400).find("INVALID_REQUEST"), std::string::npos);
  EXPECT_NE(get("/sample?count=-20000", 400).find("OUT_OF_RANGE"), std::string::npos);
}

TEST_F(AgentServiceTest, PrettyIndentsOnRequest) {
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
  const std::string compact = get("/m1/current");
  EXPECT_EQ(compact.find("\n  <"), std::string::npos);
  const std::string pretty = get("/m1/current?pretty=true");
  EXPECT_NE(pretty.find("\n  <Header "), std::string::npos) << pretty;
  EXPECT_NE(pretty.find("\n          <Execution dataItemId=\"m1_execution\""), std::string::npos)
      << pretty;
  EXPECT_NE(pretty.find(">ACTIVE</Execution>\n"), std::string::npos);
  const std::string json = get("/m1/probe?format=json&pretty=true");
  EXPECT_NE(json.find("{\n  \"MTConnectDevices\": {\n    \"jsonVersion\": 2,"), std::string::npos)
      << json;
  EXPECT_NE(get("/nope/current?pretty=true", 404).find("\n  <Errors>"), std::string::npos);
}

TEST_F(AgentServiceTest, PathFiltersAndErrors) {
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
  add(m_m1, "Sload", model::Kind::kSample, 12.5, 0);
  add(m_m2, "execution", model::Kind::kEvent, std::string("READY"), 0);
  std::string body = get("/current?path=//DataItem[@type=\"EXECUTION\"]");
  EXPECT_NE(body.find("m1_execution"), std::string::npos) << body;
  EXPECT_NE(body.find("m2_execution"), std::string::npos);
  EXPECT_EQ(body.find("m1_Sload"), std::string::npos);
  body = get("/current?path=//Device[@name=\"m2\"]");
  EXPECT_EQ(body.find("m1_"), std::string::npos);
  EXPECT_NE(get("/current?path=DataItem", 400).find("INVALID_XPATH"), std::string::npos);
  EXPECT_NE(get("/nope/current", 404).find("NO_DEVICE"), std::string::npos);
  EXPECT_NE(get("/m1/bogus", 404).find("INVALID_URI"), std::string::npos);
}

TEST_F(AgentServiceTest, JsonVersion2) {
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
  const std::string body = get("/m1/current?format=json");
  EXPECT_NE(body.find("\"jsonVersion\":2"), std::string::npos) << body;
  EXPECT_NE(body.find("\"Execution\":[{\"dataItemId\":\"m1_execution\""), std::string::npos);
  auto r = httpGet(m_server->port(), "/probe", "application/json");
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_NE(r.body.find("\"Agent\":[{"), std::string::npos);
}

TEST_F(AgentServiceTest, AssetsAreServed) {
  auto asset = std::make_shared<model::Asset>();
  asset->id = "T1";
  asset->type = "CuttingTool";
  asset->document = "<CuttingTool assetId=\"T1\" serialNumber=\"1\" toolId=\"7\"/>";
  add(m_m1, "tool_asset", model::Kind::kAsset, std::shared_ptr<const model::Asset>(asset), 0);
  std::string body = get("/assets");
  EXPECT_NE(body.find("<CuttingTool assetId=\"T1\""), std::string::npos) << body;
  EXPECT_NE(get("/asset/T1").find("T1"), std::string::npos);
  EXPECT_NE(get("/asset/T9", 404).find("ASSET_NOT_FOUND"), std::string::npos);
  // Assets never show up among observations.
  EXPECT_EQ(get("/m1/current").find("tool_asset"), std::string::npos);
}

}  // namespace
}  // namespace spindle::web::mtconnect
