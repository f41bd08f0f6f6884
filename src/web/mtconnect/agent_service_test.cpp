// The MTConnect interface over a state store fed directly: documents, sequence semantics,
// filters, errors, JSON, assets.

#include "web/mtconnect/agent_service.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "web/testing/http_get.hpp"
#include "web/web_server.hpp"

namespace spindle::web::mtconnect {
namespace {

using testing::httpGet;

constexpr TimestampNs kT0 = 1714564800LL * 1'000'000'000;  // 2024-05-01T12:00:00Z

class AgentServiceTest : public ::testing::Test {
 protected:
  AgentServiceTest() : m_store(16), m_work(boost::asio::make_work_guard(m_io)) {
    m_m1 = m_catalog.addMachine("m1");
    m_m2 = m_catalog.addMachine("m2");
    m_thread = std::thread([this] { m_io.run(); });
    WebOptions o;
    o.bind = "127.0.0.1";
    o.port.value = 0;
    m_server = std::make_unique<Server>(m_io, o, m_store, m_catalog, "edge-1");
    EXPECT_TRUE(m_server->start().ok());
  }
  ~AgentServiceTest() override {
    m_server->stop();
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  void add(model::MachineId m, const char* key, model::Kind kind, model::Value v, int second) {
    model::Batch b{model::Observation{m, m_catalog.intern(m, key, kind).value(),
                                      kT0 + second * 1'000'000'000LL, kind, 0, std::move(v)}};
    m_store.apply(b);
  }

  std::string get(const std::string& target, int status = 200) {
    auto r = httpGet(m_server->port(), target);
    EXPECT_EQ(r.status, status) << target << "\n" << r.body;
    return r.body;
  }

  model::ItemCatalog m_catalog;
  state::StateStore m_store;
  model::MachineId m_m1 = 0, m_m2 = 0;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::unique_ptr<Server> m_server;
};

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
  add(m_m1, "execution", model::Kind::kEvent, std::string("READY"), 0);   // 1
  add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 1);  // 2
  add(m_m1, "partcount", model::Kind::kSample, std::int64_t{7}, 2);       // 3
  const std::string body = get("/m1/current");
  EXPECT_NE(body.find("firstSequence=\"1\" lastSequence=\"3\""), std::string::npos) << body;
  EXPECT_NE(body.find("nextSequence=\"4\""), std::string::npos);
  EXPECT_NE(body.find("sequence=\"2\" name=\"execution\">ACTIVE</Execution>"), std::string::npos);
  EXPECT_NE(body.find(">7</PartCount>"), std::string::npos);
  EXPECT_EQ(body.find("READY"), std::string::npos);
  // As of sequence 1: READY.
  EXPECT_NE(get("/m1/current?at=1").find(">READY</Execution>"), std::string::npos);
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
  // Ring of 16: sequences 5..20 remain.
  std::string body = get("/sample?count=3");
  EXPECT_NE(body.find("firstSequence=\"5\""), std::string::npos) << body;
  EXPECT_NE(body.find("nextSequence=\"8\""), std::string::npos);
  EXPECT_NE(body.find("sequence=\"5\""), std::string::npos);
  body = get("/sample?from=18&count=100");
  EXPECT_NE(body.find("nextSequence=\"21\""), std::string::npos);
  EXPECT_NE(get("/sample?from=2", 400).find("OUT_OF_RANGE"), std::string::npos);
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

TEST_F(AgentServiceTest, SampleToReadsUpToItsBound) {
  for (int i = 0; i < 10; ++i) add(m_m1, "line", model::Kind::kEvent, std::int64_t{i}, i);
  std::string body = get("/m1/sample?from=2&to=5");
  EXPECT_EQ(sequences(body), (std::vector<int>{2, 3, 4, 5})) << body;
  EXPECT_NE(body.find("nextSequence=\"6\""), std::string::npos);
  // With a count: the newest observations at or before `to`.
  body = get("/m1/sample?to=5&count=2");
  EXPECT_EQ(sequences(body), (std::vector<int>{4, 5})) << body;
  EXPECT_NE(body.find("nextSequence=\"6\""), std::string::npos);
  EXPECT_NE(get("/sample?from=6&to=5", 400).find("OUT_OF_RANGE"), std::string::npos);
  EXPECT_NE(get("/sample?to=99", 400).find("OUT_OF_RANGE"), std::string::npos);
  EXPECT_NE(get("/sample?to=5&count=-2", 400).find("INVALID_REQUEST"), std::string::npos);
  EXPECT_NE(get("/sample?to=5&interval=100", 400).find("INVALID_REQUEST"), std::string::npos);
}

TEST_F(AgentServiceTest, NegativeCountReadsBackwards) {
  for (int i = 0; i < 10; ++i) add(m_m1, "line", model::Kind::kEvent, std::int64_t{i}, i);
  std::string body = get("/m1/sample?count=-3");
  EXPECT_EQ(sequences(body), (std::vector<int>{8, 9, 10})) << body;
  EXPECT_NE(body.find("nextSequence=\"7\""), std::string::npos);  // read on backwards from 7
  body = get("/m1/sample?from=5&count=-2");
  EXPECT_EQ(sequences(body), (std::vector<int>{4, 5})) << body;
  EXPECT_NE(body.find("nextSequence=\"3\""), std::string::npos);
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
