#include "uplinks/https/https_uplink.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace spindle::uplinks::https {
namespace {

using net::http::HttpResponse;

config::Diagnostics load(const std::string& yaml, HttpsUplinkOptions& out) {
  config::Diagnostics d("spindle.yaml");
  const YAML::Node node = YAML::Load(yaml);
  optionTable().load(node, out, d, "uplinks.https");
  if (d.empty()) validate(out, node, d);
  return d;
}

HttpResponse answer(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(HttpsUplinkOptions, LoadsEveryKey) {
  HttpsUplinkOptions o;
  const auto d = load(
      "url: https://api.example.com/v2/{edge}/batches\nkey_file: /etc/spindle/key.pem\n"
      "max_in_flight: 16\nmax_in_flight_bytes: 8MiB\nmax_batch: 2000\ncompress_above: 1KiB\n"
      "compression_level: 3\ntimeout: 10s\nbacklog_rate: 0\nlive_window: 500\n",
      o);
  ASSERT_TRUE(d.empty()) << d.describe();
  EXPECT_EQ(o.maxInFlight, 16);
  EXPECT_EQ(o.maxInFlightBytes.bytes, 8u << 20);
  EXPECT_EQ(o.maxBatch, 2000);
  EXPECT_EQ(o.compressAbove.bytes, 1024u);
  EXPECT_EQ(o.timeout, std::chrono::seconds(10));
  EXPECT_EQ(o.backlogRate, 0);
  EXPECT_EQ(dataUrl(o, "", "edge-7").value(), "https://api.example.com/v2/edge-7/batches");
}

TEST(HttpsUplinkOptions, RefusesPlainHttpCredentialsAndNonsense) {
  HttpsUplinkOptions o;
  auto d = load("url: http://api.example.com/data\n", o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.describe().find("must be an https:// URL"), std::string::npos) << d.describe();
  d = load("url: https://user:secret@api.example.com/data\n", o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d.describe().find("credentials"), std::string::npos);
  EXPECT_EQ(d.describe().find("secret"), std::string::npos) << d.describe();
  d = load("max_in_flight: 0\n", o);
  EXPECT_EQ(d.size(), 1u) << d.describe();
  d = load("max_batch: lots\n", o);
  EXPECT_EQ(d.size(), 1u) << d.describe();
}

TEST(HttpsUplinkOptions, TheDefaultUrlIsTheApisDataPath) {
  HttpsUplinkOptions o;
  EXPECT_EQ(dataUrl(o, "https://api.example.com/", "e1").value(),
            "https://api.example.com/v1/edges/e1/data");
  auto none = dataUrl(o, "", "e1");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().describe().find("https.api"), std::string::npos);
}

TEST(HttpsUplinkAnswers, EachStatusEndsTheRequestAsTheProtocolSays) {
  const std::string url = "https://api.example.com/v1/edges/e1/data?sig=SECRET";
  EXPECT_EQ(completionFor(answer(200), url).outcome, Outcome::kOk);
  EXPECT_EQ(completionFor(answer(204), url).outcome, Outcome::kOk);
  for (int s : {408, 425, 429, 500, 502, 503, 504}) {
    EXPECT_EQ(completionFor(answer(s), url).outcome, Outcome::kRetry) << s;
  }
  // The edge is not set up as the server expects: the data waits in the journal.
  for (int s : {401, 403, 404, 405, 407}) {
    const auto c = completionFor(answer(s, "{\"error\":\"unknown edge\"}"), url);
    EXPECT_EQ(c.outcome, Outcome::kRetry) << s;
    EXPECT_NE(c.reason.find("unknown edge"), std::string::npos) << c.reason;
    EXPECT_EQ(c.reason.find("SECRET"), std::string::npos) << c.reason;
  }
  // This batch is refused: held, the rest flows on.
  for (int s : {400, 409, 413, 415, 422}) {
    EXPECT_EQ(completionFor(answer(s, "bad line 3"), url).outcome, Outcome::kReject) << s;
  }
  EXPECT_NE(completionFor(answer(413), url).reason.find("max_batch"), std::string::npos);
  HttpResponse none;
  none.error = Error(ErrorCode::kUnavailable, "connection refused");
  const auto c = completionFor(none, url);
  EXPECT_EQ(c.outcome, Outcome::kRetry);
  EXPECT_NE(c.reason.find("connection refused"), std::string::npos);
}

TEST(HttpsRequestSignature, PathsAndTheSignedText) {
  EXPECT_EQ(pathAndQuery("https://a.example.com"), "/");
  EXPECT_EQ(pathAndQuery("https://a.example.com:8443/v1/x?y=1#f"), "/v1/x?y=1");
  EXPECT_EQ(pathAndQuery("https://a.example.com?y=1"), "/?y=1");
  EXPECT_EQ(signedText("POST", "/v1/x", "D", "K", "H"),
            "spindle-request-v1\nPOST\n/v1/x\nD\nK\nH\n");
}

TEST(HttpsRequestSignature, AServerWithThePublicKeyVerifiesIt) {
  const auto dir = std::filesystem::temp_directory_path() / "spindle-https-sign-test";
  std::filesystem::create_directories(dir);
  const auto keys = update::generateKeyPair();
  const auto path = (dir / "edge-key.pem").string();
  std::ofstream(path) << keys.privatePem;
  auto signer = RequestSigner::load(path);
  ASSERT_TRUE(signer) << signer.error().describe();
  EXPECT_EQ(signer->keyId(), keys.publicKey.id);

  net::http::HttpRequest request;
  request.method = "POST";
  request.url = "https://api.example.com/v1/edges/e1/data";
  request.idempotencyKey = "e1:00000000000000ab:41";
  request.body = "{\"schema\":\"spindle.batch.v1\"}\n";
  ASSERT_TRUE(signer->sign(request, 1'700'000'000'000'000'000));
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers[kHeaderDate], "2023-11-14T22:13:20.000000Z");
  const std::string value = headers[kHeaderSignature];
  const auto sigAt = value.find(",sig=");
  ASSERT_NE(sigAt, std::string::npos) << value;
  EXPECT_EQ(value.substr(0, sigAt), "keyId=" + keys.publicKey.id);
  const auto sig = update::base64Decode(value.substr(sigAt + 5));
  ASSERT_TRUE(sig);
  update::Sha256 digest;
  digest.update(request.body.data(), request.body.size());
  const std::string text = signedText("POST", "/v1/edges/e1/data", headers[kHeaderDate],
                                      request.idempotencyKey, digest.hex());
  EXPECT_TRUE(update::verifySignature(keys.publicKey, text, sig.value()));
  // Any change on the way breaks it.
  EXPECT_FALSE(update::verifySignature(keys.publicKey, text + "x", sig.value()));

  EXPECT_EQ(RequestSigner::load((dir / "none.pem").string()).error().code(), ErrorCode::kNotFound);
  std::ofstream(dir / "bad.pem") << "not a key";
  EXPECT_NE(RequestSigner::load((dir / "bad.pem").string()).error().code(), ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spindle::uplinks::https
