// The client's logic without a server: refusals before anything is sent, retries of
// connections that are refused (a closed loopback port), stop() and its callbacks.

#include "net/http/http_client.hpp"

#include <atomic>
#include <future>

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/testing/loopback_listener.hpp"

namespace spindle::net::http {
namespace {

using namespace std::chrono_literals;

/// A loopback port nothing listens on (it was bound a moment ago, then closed).
std::uint16_t closedPort() {
  const auto l = spindle::testing::listenOnLoopback(1);
  ::close(l.fd);
  return l.port;
}

std::unique_ptr<HttpClient> makeClient(int retries = 2, Duration retryMin = 10ms) {
  HttpClientOptions o;
  o.edgeId = "edge-test";
  o.retries = retries;
  o.retryMin = retryMin;
  o.retryMax = retryMin * 4;
  o.connectTimeout = 2s;
  auto client = HttpClient::create(o);
  EXPECT_TRUE(client);
  return std::move(client.value());
}

TEST(HttpClient, RefusesPlainHttp) {
  auto client = makeClient();
  const auto r = client->perform({.url = "http://127.0.0.1:1/x"});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error->describe().find("only https:// URLs"), std::string::npos)
      << r.error->describe();
  EXPECT_EQ(r.status, 0);
}

TEST(HttpClient, RefusesHeadersWithLineBreaks) {
  auto client = makeClient();
  HttpRequest request{.url = "https://127.0.0.1:1/x"};
  request.headers = {{"X-Evil", "a\r\nInjected: yes"}};
  const auto r = client->perform(request);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.attempts, 0);
}

TEST(HttpClient, RetriesARefusedConnectionAndSaysHowOften) {
  auto client = makeClient(2);
  const std::string url =
      "https://127.0.0.1:" + std::to_string(closedPort()) + "/v1/x?X-Amz-Signature=s3cret";
  const auto r = client->perform({.method = "POST", .url = url, .body = "{}"});
  ASSERT_TRUE(r.error);
  // Nothing reached a server, so even a POST without an idempotency key is tried again.
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.error->code(), ErrorCode::kUnavailable);
  const std::string text = r.error->describe();
  EXPECT_NE(text.find("after 3 attempts"), std::string::npos) << text;
  EXPECT_NE(text.find("POST https://127.0.0.1:"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("X-Amz"), std::string::npos) << text;
}

TEST(HttpClient, NoRetriesMeansOneAttempt) {
  auto client = makeClient(0);
  const auto r =
      client->perform({.url = "https://127.0.0.1:" + std::to_string(closedPort()) + "/"});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error->describe().find("after 1 attempt)"), std::string::npos);
}

TEST(HttpClient, ADeadlineEndsTheRetries) {
  auto client = makeClient(100, 200ms);
  HttpRequest request{.url = "https://127.0.0.1:" + std::to_string(closedPort()) + "/"};
  request.deadline = 500ms;
  const auto r = client->perform(request);
  ASSERT_TRUE(r.error);
  EXPECT_GE(r.attempts, 2);
  EXPECT_LT(r.attempts, 10);
  EXPECT_LT(r.elapsed, 2s);
}

TEST(HttpClient, StopAnswersWhatIsPendingOnceAndLaterSubmitsAtOnce) {
  auto client = makeClient(5, 10s);  // the retry waits 10 s: stop() comes first
  std::atomic<int> calls{0};
  std::promise<HttpResponse> got;
  client->submit({.url = "https://127.0.0.1:" + std::to_string(closedPort()) + "/"},
                 [&](HttpResponse r) {
                   if (++calls == 1) got.set_value(std::move(r));
                 });
  // A refused connection fails within milliseconds; by then the request waits for its retry.
  // (Any earlier state must end the same way.)
  std::this_thread::sleep_for(100ms);
  client->stop();
  client->stop();  // idempotent
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  const auto r = future.get();
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->describe().find("the HTTP client stopped"), std::string::npos);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(client->pending(), 0u);

  bool inline_ = false;
  const auto caller = std::this_thread::get_id();
  client->submit({.url = "https://127.0.0.1:1/"}, [&](HttpResponse late) {
    inline_ = std::this_thread::get_id() == caller;
    ASSERT_TRUE(late.error);
    EXPECT_NE(late.error->message().find("stopped"), std::string::npos);
  });
  EXPECT_TRUE(inline_);
}

TEST(HttpClient, PerformFromACallbackIsRefusedInsteadOfDeadlocking) {
  auto client = makeClient(0);
  std::promise<HttpResponse> inner;
  client->submit({.url = "http://refused.invalid/"},
                 [&](HttpResponse) { inner.set_value(client->perform({.url = "https://x/"})); });
  auto future = inner.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  const auto r = future.get();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), ErrorCode::kInternal);
}

TEST(HttpClient, RepeatableByMethodFlagOrKey) {
  EXPECT_TRUE(HttpRequest{.method = "GET"}.repeatable());
  EXPECT_TRUE(HttpRequest{.method = "PUT"}.repeatable());
  EXPECT_TRUE(HttpRequest{.method = "DELETE"}.repeatable());
  EXPECT_FALSE(HttpRequest{.method = "POST"}.repeatable());
  EXPECT_FALSE(HttpRequest{.method = "PATCH"}.repeatable());
  HttpRequest keyed{.method = "POST"};
  keyed.idempotencyKey = "edge-1:42";
  EXPECT_TRUE(keyed.repeatable());
  HttpRequest flagged{.method = "POST"};
  flagged.idempotent = true;
  EXPECT_TRUE(flagged.repeatable());
  HttpRequest notGet{.method = "GET"};
  notGet.idempotent = false;
  EXPECT_FALSE(notGet.repeatable());
}

}  // namespace
}  // namespace spindle::net::http
