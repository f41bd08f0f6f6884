// How an `api` row reads the client's answers and errors. The error texts are the client's
// (net/http/http_transfer.cpp) around curl's words, as the integration tests see them.
#include "netcheck/http_target.hpp"

#include <gtest/gtest.h>

namespace spindle::netcheck {
namespace {

using net::http::HttpResponse;

HttpTarget api() {
  return {HttpTargetRole::kApi, "https.api", "https://api.example.test/v1/ping",
          "the cloud API answers", ""};
}

HttpTarget store() {
  return {HttpTargetRole::kAdapterStore, "adapter_store.url",
          "https://store.example.test/adapters/index.json", "the adapter store", ""};
}

HttpTarget uplink() {
  return {HttpTargetRole::kUplink, "uplinks.https.url", "https://api.example.test/v1/edges/e1/data",
          "the HTTPS uplink", ""};
}

HttpResponse answer(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse failure(ErrorCode code, const std::string& message) {
  HttpResponse r;
  r.error =
      Error(code, message + " (after 1 attempt)").with("GET https://api.example.test/v1/ping");
  return r;
}

CheckResult judge(const HttpTarget& t, const HttpResponse& r, HttpCheckContext c = {}) {
  if (c.edgeId.empty()) c.edgeId = "plant-7";
  c.timeout = std::chrono::seconds(5);
  CheckResult row;
  row.kind = CheckKind::kApi;
  judgeHttpTarget(t, r, c, row);
  return row;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(NetcheckHttpTarget, ThePingPassesAndAnythingElseSaysWhatIsWrong) {
  const auto ok = judge(api(), answer(200, R"({"schema":"spindle.ping.v1"})"));
  EXPECT_EQ(ok.status, CheckStatus::kPass);
  EXPECT_TRUE(has(ok.detail, "HTTP 200, spindle.ping.v1")) << ok.detail;
  EXPECT_TRUE(ok.cause.empty());

  const auto portal = judge(api(), answer(200, "<html>Welcome to the guest network</html>"));
  EXPECT_EQ(portal.status, CheckStatus::kWarn);
  EXPECT_TRUE(has(portal.detail, "Welcome to the guest network")) << portal.detail;

  const auto wrong = judge(api(), answer(404, "no such endpoint"));
  EXPECT_EQ(wrong.status, CheckStatus::kFail);
  EXPECT_TRUE(has(wrong.detail, "HTTP 404: no such endpoint")) << wrong.detail;
  EXPECT_TRUE(has(wrong.remedy, "wrong https.api")) << wrong.remedy;
  EXPECT_EQ(wrong.facts.value("failure", ""), "wrong_api");

  const auto unknown = judge(api(), answer(401, R"({"error":"unknown_edge"})"));
  EXPECT_EQ(unknown.status, CheckStatus::kFail);
  EXPECT_TRUE(has(unknown.cause, "not provisioned")) << unknown.cause;
  EXPECT_TRUE(has(unknown.cause, "Spindle-Edge: plant-7")) << unknown.cause;
  EXPECT_TRUE(has(unknown.remedy, "spindle provision")) << unknown.remedy;

  const auto down = judge(api(), answer(503, "maintenance"));
  EXPECT_EQ(down.status, CheckStatus::kFail);
  EXPECT_TRUE(has(down.cause, "down")) << down.cause;
  EXPECT_TRUE(has(down.remedy, "nothing to change on this network")) << down.remedy;
}

TEST(NetcheckHttpTarget, AnyAnswerProvesTheUplinkRoute) {
  for (const int status : {200, 401, 404, 405, 501}) {
    const auto row = judge(uplink(), answer(status));
    EXPECT_EQ(row.status, CheckStatus::kPass) << status << ": " << row.detail;
    EXPECT_TRUE(has(row.detail, "any answer proves the route")) << row.detail;
  }
  EXPECT_EQ(judge(uplink(), answer(502)).status, CheckStatus::kWarn);
}

TEST(NetcheckHttpTarget, TheStoreMustServeItsIndex) {
  EXPECT_EQ(judge(store(), answer(200, "{}")).status, CheckStatus::kPass);
  const auto missing = judge(store(), answer(404));
  EXPECT_EQ(missing.status, CheckStatus::kFail);
  EXPECT_TRUE(has(missing.remedy, "correct adapter_store.url")) << missing.remedy;
  const auto denied = judge(store(), answer(403, "<Error><Code>AccessDenied</Code></Error>"));
  EXPECT_EQ(denied.status, CheckStatus::kFail);
  EXPECT_TRUE(has(denied.detail, "AccessDenied")) << denied.detail;
  EXPECT_TRUE(has(denied.remedy, "policy")) << denied.remedy;
}

TEST(NetcheckHttpTarget, TheUploadsBucketMustExistInItsRegion) {
  HttpTarget bucket{HttpTargetRole::kUploads, "uploads.endpoint",
                    "https://s3.example.test/edge-uploads", "the uploads bucket", ""};
  bucket.signedRequest = true;
  EXPECT_STREQ(requestMethod(bucket.role), "HEAD");
  const auto ok = judge(bucket, answer(200));
  EXPECT_EQ(ok.status, CheckStatus::kPass);
  EXPECT_TRUE(has(ok.detail, "takes this edge's credentials")) << ok.detail;
  const auto missing = judge(bucket, answer(404));
  EXPECT_EQ(missing.status, CheckStatus::kFail);
  EXPECT_TRUE(has(missing.remedy, "uploads.bucket")) << missing.remedy;
  HttpResponse moved = answer(301);
  moved.headers["x-amz-bucket-region"] = "eu-central-1";
  const auto elsewhere = judge(bucket, moved);
  EXPECT_EQ(elsewhere.status, CheckStatus::kFail);
  EXPECT_TRUE(has(elsewhere.cause, "eu-central-1")) << elsewhere.cause;
  EXPECT_TRUE(has(elsewhere.remedy, "uploads.region")) << elsewhere.remedy;
  EXPECT_TRUE(has(judge(bucket, answer(400)).remedy, "uploads.region"));
  // Credentials that may only put objects cannot look at the bucket: a warning, not a failure.
  const auto refused = judge(bucket, answer(403));
  EXPECT_EQ(refused.status, CheckStatus::kWarn);
  EXPECT_TRUE(has(refused.remedy, "uploads.access_key_id")) << refused.remedy;
  bucket.signedRequest = false;
  EXPECT_TRUE(has(judge(bucket, answer(403)).cause, "presigned")) << "unsigned";
  EXPECT_EQ(judge(bucket, answer(503)).status, CheckStatus::kFail);
}

TEST(NetcheckHttpTarget, ConnectionFailuresNameTheFirewallRule) {
  const auto refused =
      judge(api(), failure(ErrorCode::kUnavailable,
                           "Failed to connect to api.example.test port 443 after 0 ms: Couldn't "
                           "connect to server"));
  EXPECT_EQ(refused.status, CheckStatus::kFail);
  EXPECT_EQ(refused.facts.value("failure", ""), "refused");
  EXPECT_TRUE(has(refused.remedy, "allow outbound TCP 443 to api.example.test")) << refused.remedy;
  EXPECT_FALSE(has(refused.detail, "after 1 attempt")) << refused.detail;

  const auto dropped =
      judge(api(), failure(ErrorCode::kTimeout, "Connection timed out after 5001 milliseconds"));
  EXPECT_EQ(dropped.facts.value("failure", ""), "timeout");
  EXPECT_TRUE(has(dropped.cause, "silently drops TCP 443 to api.example.test")) << dropped.cause;

  const auto name =
      judge(api(), failure(ErrorCode::kNotFound,
                           "resolving api.example.test through the DNS chain: no such name"));
  EXPECT_EQ(name.facts.value("failure", ""), "dns_not_found");
  EXPECT_TRUE(has(name.remedy, "check the name in https.api")) << name.remedy;

  const auto dns = judge(
      api(), failure(ErrorCode::kUnavailable,
                     "resolving api.example.test through the DNS chain: every server timed out"));
  EXPECT_EQ(dns.facts.value("failure", ""), "dns_unavailable");
  EXPECT_TRUE(has(dns.remedy, "UDP 53")) << dns.remedy;
}

TEST(NetcheckHttpTarget, TlsFailuresPointAtTheSettingThatDecides) {
  const auto untrusted =
      judge(api(), failure(ErrorCode::kProtocol,
                           "TLS verification of api.example.test failed: SSL certificate problem: "
                           "unable to get local issuer certificate"));
  EXPECT_EQ(untrusted.facts.value("failure", ""), "tls_untrusted");
  EXPECT_TRUE(has(untrusted.cause, "https.ca_file is not set")) << untrusted.cause;
  EXPECT_TRUE(has(untrusted.remedy, "set https.ca_file")) << untrusted.remedy;
  EXPECT_TRUE(has(untrusted.remedy, "DPI finding")) << untrusted.remedy;

  HttpCheckContext withCa;
  withCa.caFile = true;
  EXPECT_TRUE(has(judge(api(),
                        failure(ErrorCode::kProtocol,
                                "TLS verification of api.example.test failed: SSL certificate "
                                "problem: self-signed certificate in certificate chain"),
                        withCa)
                      .cause,
                  "https.ca_file does not hold the CA"));

  const auto pin =
      judge(api(), failure(ErrorCode::kProtocol,
                           "TLS verification of api.example.test failed: SSL: public key does "
                           "not match pinned public key"));
  EXPECT_EQ(pin.facts.value("failure", ""), "tls_pin");
  EXPECT_TRUE(has(pin.remedy, "https.pinned_keys")) << pin.remedy;

  const auto name =
      judge(api(), failure(ErrorCode::kProtocol,
                           "TLS verification of api.example.test failed: SSL: no alternative "
                           "certificate subject name matches target host name 'api.example.test'"));
  EXPECT_EQ(name.facts.value("failure", ""), "tls_name");
  EXPECT_TRUE(has(name.cause, "not for api.example.test")) << name.cause;
}

TEST(NetcheckHttpTarget, ProxyRefusalsKeepTheClientsWordsAndSayWhatToSet) {
  net::ProxySettings proxy;
  proxy.host = "proxy.plant";
  proxy.port = 3128;
  HttpCheckContext via;
  via.proxy = &proxy;
  const std::string words =
      "the proxy http://proxy.plant:3128 (no credentials) asks for credentials (HTTP 407): set "
      "net.proxy_credentials";
  const auto auth = judge(api(), failure(ErrorCode::kInvalidArgument, words), via);
  EXPECT_EQ(auth.status, CheckStatus::kFail);
  EXPECT_EQ(auth.cause, words);
  EXPECT_EQ(auth.facts.value("failure", ""), "proxy_auth");
  EXPECT_TRUE(has(auth.remedy, "set net.proxy_credentials")) << auth.remedy;
  EXPECT_TRUE(has(auth.detail, "(via proxy proxy.plant:3128)")) << auth.detail;

  const auto port = judge(api(),
                          failure(ErrorCode::kInvalidArgument,
                                  "the proxy http://proxy.plant:3128 (no credentials) refused to "
                                  "connect to api.example.test:443 (HTTP 403)"),
                          via);
  EXPECT_EQ(port.facts.value("failure", ""), "proxy_connect_refused");
  EXPECT_TRUE(has(port.remedy, "CONNECT to port 443")) << port.remedy;

  const auto down = judge(api(),
                          failure(ErrorCode::kUnavailable,
                                  "through the proxy: Failed to connect to proxy.plant port 3128 "
                                  "after 0 ms: Couldn't connect to server"),
                          via);
  EXPECT_EQ(down.facts.value("failure", ""), "proxy_unreachable");
  EXPECT_TRUE(has(down.remedy, "check net.proxy")) << down.remedy;

  const auto ok = judge(api(), answer(200, R"({"schema":"spindle.ping.v1"})"), via);
  EXPECT_EQ(ok.status, CheckStatus::kPass);
  EXPECT_TRUE(has(ok.detail, "(via proxy proxy.plant:3128)")) << ok.detail;
  EXPECT_EQ(ok.facts.value("via_proxy", ""), "proxy.plant:3128");
}

}  // namespace
}  // namespace spindle::netcheck
