#include "net/http/retry_policy.hpp"

#include <gtest/gtest.h>

namespace spindle::net::http {
namespace {

using namespace std::chrono_literals;

TEST(HttpClientRetry, DecisionTable) {
  struct Row {
    AttemptEnd end;
    int status;
    bool repeatable;
    bool retry;
  };
  const Row rows[] = {
      {AttemptEnd::kAnswered, 200, true, false},   {AttemptEnd::kAnswered, 204, true, false},
      {AttemptEnd::kAnswered, 301, true, false},   {AttemptEnd::kAnswered, 400, true, false},
      {AttemptEnd::kAnswered, 401, true, false},   {AttemptEnd::kAnswered, 404, true, false},
      {AttemptEnd::kAnswered, 408, true, false},   {AttemptEnd::kAnswered, 409, true, false},
      {AttemptEnd::kAnswered, 429, true, true},    {AttemptEnd::kAnswered, 429, false, false},
      {AttemptEnd::kAnswered, 500, true, true},    {AttemptEnd::kAnswered, 503, true, true},
      {AttemptEnd::kAnswered, 599, true, true},    {AttemptEnd::kAnswered, 503, false, false},
      {AttemptEnd::kNotSent, 0, false, true},      {AttemptEnd::kNotSent, 0, true, true},
      {AttemptEnd::kTransport, 0, true, true},     {AttemptEnd::kTransport, 0, false, false},
      {AttemptEnd::kTls, 0, true, false},          {AttemptEnd::kTooLarge, 0, true, false},
      {AttemptEnd::kProxyRefused, 0, true, false}, {AttemptEnd::kLocal, 0, true, false},
      {AttemptEnd::kFinal, 0, true, false},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(shouldRetry(row.end, row.status, row.repeatable), row.retry)
        << "end " << static_cast<int>(row.end) << " status " << row.status << " repeatable "
        << row.repeatable;
  }
}

TEST(HttpClientRetry, RetryAfterInSeconds) {
  EXPECT_EQ(parseRetryAfter("0", 0), Duration(0s));
  EXPECT_EQ(parseRetryAfter("1", 0), Duration(1s));
  EXPECT_EQ(parseRetryAfter(" 120 ", 0), Duration(120s));
}

TEST(HttpClientRetry, RetryAfterAsHttpDate) {
  // 1994-11-06 08:49:37 UTC is 784111777 (RFC 9110's example date).
  const std::time_t date = 784111777;
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", date - 30), Duration(30s));
  EXPECT_EQ(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", date - 5), Duration(5s));
  EXPECT_EQ(parseRetryAfter("Sun Nov  6 08:49:37 1994", date - 7), Duration(7s));
  // A date already past means "now".
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", date + 100), Duration(0s));
}

TEST(HttpClientRetry, RetryAfterGarbageIsIgnored) {
  for (const char* bad : {"", "   ", "-1", "1.5", "soon", "12abc", "Sun, 06 Nov 1994", "tomorrow",
                          "Mon, 99 Foo 20xx 99:99:99 GMT", "99999999999"}) {
    EXPECT_FALSE(parseRetryAfter(bad, 784111777)) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace spindle::net::http
