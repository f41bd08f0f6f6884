#include "netcheck/profile.hpp"

#include <set>

#include <gtest/gtest.h>

namespace spindle::netcheck {
namespace {

TEST(NetcheckProfiles, CommercialCarriesEveryRowOfTheSheet) {
  auto p = builtinProfile("commercial");
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->dnsServers, (std::vector<std::string>{"8.8.8.8", "8.8.4.4"}));
  EXPECT_EQ(p->dnsLookup, "api.machinemetrics.com");
  std::set<std::string> rows;
  for (const auto& e : p->endpoints) rows.insert(e.row.empty() ? e.target() : e.row);
  for (const char* row :
       {"api.machinemetrics.com:443", "app.machinemetrics.com:443", "*.balena-cloud.com",
        "cloudlink.balena-cloud.com:443", "notify.bugsnag.com:443",
        "mm-adapter-store.s3.us-west-2.amazonaws.com:443",
        "mm-edge-uploads.s3.us-west-2.amazonaws.com:443",
        "machinemetrics-deploy.s3.us-west-2.amazonaws.com:443",
        "machinemetrics-public.s3.us-west-2.amazonaws.com:443",
        "352302322568.dkr.ecr.us-west-2.amazonaws.com:443",
        "prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com:443",
        "54.218.103.126:7422", "52.24.16.63:7422", "52.34.161.223:7422", "35.155.82.103:7422"}) {
    EXPECT_TRUE(rows.count(row)) << row;
  }
  for (const auto& e : p->endpoints) {
    EXPECT_EQ(e.stages.front(), Stage::kTcp);
    if (e.port == 7422) {
      EXPECT_TRUE(e.has(Stage::kNats)) << e.target();
    }
    if (e.host.find(".s3.") != std::string::npos) {
      EXPECT_EQ(e.expectHeader, "x-amz-request-id") << e.target();
    }
  }
}

TEST(NetcheckProfiles, GovcloudCarriesDomainsStaticIpsAndNats) {
  auto p = builtinProfile("govcloud");
  ASSERT_TRUE(p.ok()) << p.error().describe();
  std::set<std::string> targets;
  for (const auto& e : p->endpoints) targets.insert(e.target());
  for (const char* t : {"api.machinemetrics-us-gov.com:443",
                        "18.252.129.108:443",
                        "18.254.70.116:443",
                        "182.30.131.220:443",
                        "app.machinemetrics-us-gov.com:443",
                        "stream.machinemetrics-us-gov.com:7422",
                        "18.252.129.108:7422",
                        "18.254.70.116:7422",
                        "182.30.131.220:7422",
                        "api.balena.machinemetrics-us-gov.com:443",
                        "ca.balena.machinemetrics-us-gov.com:443",
                        "cloudlink.balena.machinemetrics-us-gov.com:443",
                        "logs.balena.machinemetrics-us-gov.com:443",
                        "ocsp.balena.machinemetrics-us-gov.com:443",
                        "registry2.balena.machinemetrics-us-gov.com:443",
                        "s3.balena.machinemetrics-us-gov.com:443",
                        "tunnel.balena.machinemetrics-us-gov.com:443",
                        "18.253.182.20:443",
                        "machinemetrics-adapter-store.s3.us-gov-east-1.amazonaws.com:443",
                        "machinemetrics-govcloud-edge-uploads.s3.us-gov-east-1.amazonaws.com:443",
                        "machinemetrics-deploy.s3.us-gov-east-1.amazonaws.com:443",
                        "machinemetrics-govcloud-public.s3.us-gov-east-1.amazonaws.com:443",
                        "139811071765.dkr.ecr.us-gov-east-1.amazonaws.com:443"}) {
    EXPECT_TRUE(targets.count(t)) << t;
  }
  for (const auto& e : p->endpoints) {
    if (e.host == "18.252.129.108" && e.port == 443) {
      EXPECT_EQ(e.verifyName(), "api.machinemetrics-us-gov.com");
    }
  }
}

TEST(NetcheckProfiles, UnknownNamesAreNotFound) {
  EXPECT_EQ(builtinProfile("moon").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(builtinProfileNames(), (std::vector<std::string>{"commercial", "govcloud"}));
}

TEST(NetcheckProfiles, ACustomProfileLoadsWithDefaults) {
  auto loaded = loadProfileText(
      "name: lab\n"
      "endpoints:\n"
      "  - {host: api.lab.test, checks: [https]}\n"
      "  - {host: 192.0.2.7, port: 7422, checks: [nats], tls_name: stream.lab.test}\n",
      "lab.yaml");
  ASSERT_TRUE(loaded.profile) << loaded.diagnostics.describe();
  const Profile& p = *loaded.profile;
  EXPECT_EQ(p.dnsServers, (std::vector<std::string>{"8.8.8.8", "8.8.4.4"}));
  EXPECT_EQ(p.dnsLookup, "api.lab.test");
  EXPECT_EQ(p.ntpServers, (std::vector<std::string>{"pool.ntp.org"}));
  ASSERT_EQ(p.endpoints.size(), 2u);
  EXPECT_EQ(p.endpoints[0].stages, (std::vector<Stage>{Stage::kTcp, Stage::kTls, Stage::kHttps}));
  EXPECT_EQ(p.endpoints[0].port, 443);
  EXPECT_EQ(p.endpoints[0].verifyName(), "api.lab.test");
  EXPECT_EQ(p.endpoints[1].stages, (std::vector<Stage>{Stage::kTcp, Stage::kNats}));
  EXPECT_EQ(p.endpoints[1].verifyName(), "stream.lab.test");
}

TEST(NetcheckProfiles, EveryProblemIsReportedWithItsLine) {
  auto loaded = loadProfileText(
      "name: bad\n"
      "dns: {servers: [dns.lab.test]}\n"
      "endpoints:\n"
      "  - {host: a.test, checks: [tcp, ftp]}\n"
      "  - {host: b.test, checks: [tls, nats]}\n"
      "  - {host: c.test, expect_status: '9xx'}\n"
      "  - {port: 443}\n"
      "extra: 1\n",
      "bad.yaml");
  EXPECT_FALSE(loaded.profile);
  const std::string text = loaded.diagnostics.describe();
  EXPECT_NE(text.find("bad.yaml:2:"), std::string::npos) << text;
  EXPECT_NE(text.find("must be an IP address"), std::string::npos) << text;
  EXPECT_NE(text.find("bad.yaml:4:"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown check 'ftp'"), std::string::npos) << text;
  EXPECT_NE(text.find("nats negotiates TLS itself"), std::string::npos) << text;
  EXPECT_NE(text.find("matches no status"), std::string::npos) << text;
  EXPECT_NE(text.find("missing required key 'host'"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown key 'extra'"), std::string::npos) << text;
}

TEST(NetcheckProfiles, StatusExpectations) {
  EXPECT_TRUE(statusMatches("", 503));
  EXPECT_TRUE(statusMatches("any", 200));
  EXPECT_TRUE(statusMatches("401", 401));
  EXPECT_FALSE(statusMatches("401", 403));
  EXPECT_TRUE(statusMatches("200-499", 404));
  EXPECT_FALSE(statusMatches("200-499", 502));
  EXPECT_TRUE(statusMatches("200, 301-302", 302));
  EXPECT_FALSE(statusMatches("abc", 200));
}

}  // namespace
}  // namespace spindle::netcheck
