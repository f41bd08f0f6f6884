#include "control/provision.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace spindle::control {
namespace {

using nlohmann::json;

const char* kCreds =
    "-----BEGIN NATS USER JWT-----\neyJ0eXAi.jwt.sig\n------END NATS USER JWT------\n\n"
    "-----BEGIN USER NKEY SEED-----\nSUAEXAMPLESEED\n------END USER NKEY SEED------\n";

json answer() {
  return {{"schema", "spindle.claim.v1"},
          {"edge_id", "plant-7_edge-3"},
          {"nats", {{"servers", {"tls://hub.example.com:7422"}}, {"credentials", kCreds}}},
          {"config_bucket", "fleet_config"},
          {"api", "https://api.example.com"}};
}

TEST(ControlProvision, TheClaimCarriesTokenKeyAndIdentity) {
  const auto body = json::parse(claimBody("tok-1", "AAAA", "edge-host", "1.2.3"));
  EXPECT_EQ(body["schema"], "spindle.claim.v1");
  EXPECT_EQ(body["token"], "tok-1");
  EXPECT_EQ(body["key_type"], "ed25519");
  EXPECT_EQ(body["public_key"], "AAAA");
  EXPECT_EQ(body["hostname"], "edge-host");
  EXPECT_EQ(body["version"], "1.2.3");
}

TEST(ControlProvision, ReadsAGoodAnswer) {
  auto a = parseClaimAnswer(answer().dump());
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->edgeId, "plant-7_edge-3");
  EXPECT_EQ(a->natsServers, std::vector<std::string>{"tls://hub.example.com:7422"});
  EXPECT_EQ(a->natsCredentials, kCreds);
  EXPECT_EQ(a->configBucket, "fleet_config");
  EXPECT_EQ(a->api, "https://api.example.com");
}

TEST(ControlProvision, RefusesAnswersItCannotUseAndSaysWhich) {
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& j) { j["schema"] = "other.v9"; }, "schema"},
      {[](json& j) { j["edge_id"] = "../etc"; }, "edge_id"},
      {[](json& j) { j["edge_id"] = "plant.edge"; }, "edge_id"},  // a NATS subject separator
      {[](json& j) { j["edge_id"] = std::string(65, 'a'); }, "edge_id"},
      {[](json& j) { j.erase("nats"); }, "nats object"},
      {[](json& j) { j["nats"]["servers"] = json::array(); }, "nats.servers"},
      {[](json& j) { j["nats"]["servers"] = {"http://hub:7422"}; }, "nats:// or tls://"},
      {[](json& j) { j["nats"]["credentials"] = "password"; }, "NATS credentials"},
      {[](json& j) { j["api"] = "http://api.example.com"; }, "not https://"},
  };
  for (const auto& [edit, words] : cases) {
    json j = answer();
    edit(j);
    auto a = parseClaimAnswer(j.dump());
    ASSERT_FALSE(a.ok()) << j.dump();
    EXPECT_NE(a.error().message().find(words), std::string::npos) << a.error().message();
  }
  EXPECT_FALSE(parseClaimAnswer("not json").ok());
  EXPECT_FALSE(parseClaimAnswer("[1,2]").ok());
}

TEST(ControlProvision, LaysTheAnswerIntoTheConfigurationAndKeepsTheRest) {
  auto a = parseClaimAnswer(answer().dump());
  ASSERT_TRUE(a.ok());
  const std::string before =
      "edge:\n  id: unclaimed\n  data_dir: /var/lib/spindle\n"
      "machines:\n  - {id: mill-1, type: shdr, host: 10.0.0.5}\n";
  auto text = provisionedConfig(before, *a, "/var/lib/spindle/nats.creds", "https://asked");
  ASSERT_TRUE(text.ok()) << text.error().describe();
  const YAML::Node root = YAML::Load(*text);
  EXPECT_EQ(root["edge"]["id"].as<std::string>(), "plant-7_edge-3");
  EXPECT_EQ(root["edge"]["data_dir"].as<std::string>(), "/var/lib/spindle");
  EXPECT_EQ(root["machines"][0]["id"].as<std::string>(), "mill-1");
  EXPECT_EQ(root["uplinks"]["nats"]["servers"][0].as<std::string>(), "tls://hub.example.com:7422");
  EXPECT_EQ(root["uplinks"]["nats"]["credentials"].as<std::string>(),
            "/var/lib/spindle/nats.creds");
  EXPECT_EQ(root["control"]["config_bucket"].as<std::string>(), "fleet_config");
  EXPECT_EQ(root["https"]["api"].as<std::string>(), "https://api.example.com");
  EXPECT_EQ(text->find("SUAEXAMPLESEED"), std::string::npos) << "the seed stays in its file";

  a->api.clear();
  auto asked = provisionedConfig("", *a, "c", "https://asked");
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(YAML::Load(*asked)["https"]["api"].as<std::string>(), "https://asked");
  EXPECT_FALSE(provisionedConfig("- a list\n", *a, "c", "https://asked").ok());
  EXPECT_FALSE(provisionedConfig("key: [unclosed\n", *a, "c", "https://asked").ok());
}

}  // namespace
}  // namespace spindle::control
