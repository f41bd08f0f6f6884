#include "netcheck/check_result.hpp"

#include <gtest/gtest.h>

namespace spindle::netcheck {
namespace {

NetcheckReport sample() {
  NetcheckReport r;
  r.profile = "commercial";
  r.description = "cloud";
  r.started = 1'795'000'000'000'000'000LL;
  r.elapsed = std::chrono::milliseconds(812);
  CheckResult dns;
  dns.kind = CheckKind::kDns;
  dns.status = CheckStatus::kWarn;
  dns.required = false;
  dns.target = "8.8.8.8:53";
  dns.address = "8.8.8.8:53";
  dns.detail = "timed out after 2s";
  dns.cause = "UDP 53 to 8.8.8.8 timed out: Google DNS is blocked";
  dns.remedy = "allow outbound UDP 53 from this edge to 8.8.8.8.";
  CheckResult tls;
  tls.kind = CheckKind::kTls;
  tls.status = CheckStatus::kFail;
  tls.target = "api.example.test:443";
  tls.detail = "TLSv1.3 certificate issued by Acme CA";
  tls.cause = "deep packet inspection detected";
  tls.remedy = "create a bypass rule";
  tls.elapsed = std::chrono::microseconds(1500);
  tls.facts["dpi"] = true;
  CheckResult tcp;
  tcp.kind = CheckKind::kTcp;
  tcp.status = CheckStatus::kPass;
  tcp.target = "api.example.test:443";
  tcp.detail = "connected";
  r.checks = {dns, tcp, tls};
  r.dpi.detected = true;
  r.dpi.issuers = {"Acme CA"};
  r.dpi.endpoints = {"api.example.test:443"};
  r.dpi.bypass = {"api.example.test", "*.example.test"};
  return r;
}

TEST(NetcheckReport, CountsAndVerdict) {
  NetcheckReport r = sample();
  EXPECT_EQ(r.count(CheckStatus::kPass), 1u);
  EXPECT_EQ(r.count(CheckStatus::kWarn), 1u);
  EXPECT_EQ(r.requiredFailures(), 1u);
  EXPECT_FALSE(r.ok());
  r.checks[2].required = false;
  EXPECT_TRUE(r.ok()) << "an optional failure does not fail the run";
}

TEST(NetcheckReport, JsonFollowsTheDocumentedSchema) {
  const auto j = toJson(sample());
  EXPECT_EQ(j["schema"], "spindle.netcheck/1");
  EXPECT_EQ(j["profile"], "commercial");
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["elapsed_ms"], 812.0);
  EXPECT_EQ(j["summary"]["warn"], 1);
  EXPECT_EQ(j["summary"]["required_failures"], 1);
  EXPECT_EQ(j["dpi"]["issuers"][0], "Acme CA");
  ASSERT_EQ(j["checks"].size(), 3u);
  const auto& c = j["checks"][2];
  for (const char* key : {"id", "kind", "status", "required", "target", "address", "what", "detail",
                          "cause", "remedy", "elapsed_ms", "facts"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
  EXPECT_EQ(c["id"], "tls:api.example.test:443");
  EXPECT_EQ(c["status"], "fail");
  EXPECT_EQ(c["elapsed_ms"], 1.5);
  EXPECT_EQ(c["facts"]["dpi"], true);
}

TEST(NetcheckReport, TableShowsCausesRemediesAndTheDpiBypassList) {
  const std::string t = renderTable(sample());
  EXPECT_NE(t.find("profile commercial (cloud), 3 checks in 0.81 s"), std::string::npos) << t;
  EXPECT_NE(t.find("warn   dns     8.8.8.8:53"), std::string::npos) << t;
  EXPECT_NE(t.find("cause:  UDP 53 to 8.8.8.8 timed out"), std::string::npos) << t;
  EXPECT_NE(t.find("remedy: create a bypass rule"), std::string::npos) << t;
  EXPECT_NE(t.find("Deep packet inspection detected (certificates issued by Acme CA)"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("traffic to:\n  api.example.test\n  *.example.test\n"), std::string::npos) << t;
  EXPECT_NE(t.find("1 passed, 1 warnings, 1 failed, 0 skipped: 1 required check failed."),
            std::string::npos)
      << t;
}

TEST(CheckResultProxy, TheProxyKindAndTheNotesReachJsonAndTable) {
  NetcheckReport r = sample();
  CheckResult proxy;
  proxy.kind = CheckKind::kProxy;
  proxy.status = CheckStatus::kPass;
  proxy.target = "proxy.plant:3128";
  proxy.detail = "connected";
  r.checks.push_back(proxy);
  r.notes.push_back("the NATS rows were checked direct");
  const auto json = toJson(r);
  EXPECT_EQ(json["checks"].back()["id"], "proxy:proxy.plant:3128");
  EXPECT_EQ(json["checks"].back()["kind"], "proxy");
  EXPECT_EQ(json["notes"], nlohmann::json::array({"the NATS rows were checked direct"}));
  const std::string table = renderTable(r);
  EXPECT_NE(table.find("pass   proxy   proxy.plant:3128"), std::string::npos) << table;
  EXPECT_NE(table.find("\nthe NATS rows were checked direct\n"), std::string::npos) << table;
}

TEST(CheckResultApi, AnApiRowKeepsItsUrlAsTargetInJsonAndTable) {
  NetcheckReport r = sample();
  CheckResult api;
  api.kind = CheckKind::kApi;
  api.status = CheckStatus::kFail;
  api.target = "https://api.example.test:443/v1/ping";
  api.detail = "HTTP 404: no such endpoint";
  api.cause = "https.api does not name the Spindle cloud API";
  api.remedy = "wrong https.api: set it to the API's base URL";
  r.checks.push_back(api);
  const auto json = toJson(r);
  EXPECT_EQ(json["checks"].back()["id"], "api:https://api.example.test:443/v1/ping");
  EXPECT_EQ(json["checks"].back()["kind"], "api");
  EXPECT_EQ(json["summary"]["required_failures"], 2);
  const std::string table = renderTable(r);
  EXPECT_NE(table.find("FAIL   api     https://api.example.test:443/v1/ping"), std::string::npos)
      << table;
  EXPECT_NE(table.find("remedy: wrong https.api"), std::string::npos) << table;
}

}  // namespace
}  // namespace spindle::netcheck
