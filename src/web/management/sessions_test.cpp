#include "web/management/sessions.hpp"

#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace spindle::web::management {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;
constexpr TimestampNs kMinute = 60 * kSecond;
constexpr TimestampNs kT0 = 1'700'000'000 * kSecond;

bool isBase64UrlToken(const std::string& s) {
  if (s.size() != 43) return false;  // 32 bytes, no padding
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST(ManagementSessions, CreatesAndFindsASession) {
  SessionStore store;
  auto created = store.create("alice", Role::kAdmin, kT0);
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_TRUE(isBase64UrlToken(created->token)) << created->token;
  EXPECT_TRUE(isBase64UrlToken(created->csrfToken)) << created->csrfToken;
  EXPECT_NE(created->token, created->csrfToken);

  auto session = store.find(created->token, kT0 + kSecond);
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->user, "alice");
  EXPECT_EQ(session->role, Role::kAdmin);
  EXPECT_EQ(session->createdNs, kT0);
  EXPECT_EQ(session->lastUsedNs, kT0 + kSecond);
  EXPECT_EQ(session->csrfToken, created->csrfToken);
  EXPECT_STREQ(toString(Role::kAdmin), "admin");
  EXPECT_STREQ(toString(Role::kViewer), "viewer");
}

TEST(ManagementSessions, UnknownTokensFindNothing) {
  SessionStore store;
  auto created = store.create("alice", Role::kViewer, kT0);
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(store.find("", kT0).has_value());
  EXPECT_FALSE(store.find(created->csrfToken, kT0).has_value());  // not a session token
  std::string altered = created->token;
  altered[0] = altered[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(store.find(altered, kT0).has_value());
  EXPECT_FALSE(store.create("", Role::kViewer, kT0).ok());
}

TEST(ManagementSessions, TokensAreFreshEveryTime) {
  SessionStore store;
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto created = store.create("alice", Role::kViewer, kT0);
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(seen.insert(created->token).second);
    EXPECT_TRUE(seen.insert(created->csrfToken).second);
  }
}

TEST(ManagementSessions, IdleSessionsExpireAndUseRestartsTheIdleClock) {
  SessionStore store;  // idle 30 min
  auto busy = store.create("alice", Role::kAdmin, kT0).value();
  auto idle = store.create("bob", Role::kViewer, kT0).value();
  // Used every 20 minutes, alice's session outlives the 30-minute idle timeout.
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(store.find(busy.token, kT0 + 20 * kMinute * i).has_value()) << i;
  }
  EXPECT_FALSE(store.find(idle.token, kT0 + 30 * kMinute).has_value());
  EXPECT_FALSE(store.find(idle.token, kT0).has_value()) << "an expired session is gone for good";
  EXPECT_TRUE(store.find(busy.token, kT0 + 60 * kMinute + 29 * kMinute).has_value());
  EXPECT_FALSE(store.find(busy.token, kT0 + 89 * kMinute + 30 * kMinute).has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(ManagementSessions, SessionsEndAtTheAbsoluteTimeoutHoweverBusy) {
  SessionStore store(SessionOptions{10 * kMinute, 60 * kMinute, 64});
  auto created = store.create("alice", Role::kAdmin, kT0).value();
  TimestampNs t = kT0;
  for (; t < kT0 + 60 * kMinute; t += 5 * kMinute) {
    EXPECT_TRUE(store.find(created.token, t).has_value()) << (t - kT0) / kMinute << " min";
  }
  EXPECT_FALSE(store.find(created.token, kT0 + 60 * kMinute).has_value());
}

TEST(ManagementSessions, AClockSteppingBackDoesNotRejuvenateASession) {
  SessionStore store(SessionOptions{10 * kMinute, 60 * kMinute, 64});
  auto created = store.create("alice", Role::kAdmin, kT0).value();
  ASSERT_TRUE(store.find(created.token, kT0 + 9 * kMinute).has_value());
  auto back = store.find(created.token, kT0 + kMinute);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->lastUsedNs, kT0 + 9 * kMinute);
  EXPECT_FALSE(store.find(created.token, kT0 + 19 * kMinute).has_value());
}

TEST(ManagementSessions, LogoutEndsOneSession) {
  SessionStore store;
  auto first = store.create("alice", Role::kAdmin, kT0).value();
  auto second = store.create("alice", Role::kAdmin, kT0).value();
  EXPECT_TRUE(store.remove(first.token));
  EXPECT_FALSE(store.remove(first.token));
  EXPECT_FALSE(store.find(first.token, kT0).has_value());
  EXPECT_TRUE(store.find(second.token, kT0).has_value());
}

TEST(ManagementSessions, RemoveUserEndsEverySessionOfThatUser) {
  SessionStore store;
  std::vector<NewSession> alice;
  alice.reserve(3);
  for (int i = 0; i < 3; ++i) alice.push_back(store.create("alice", Role::kAdmin, kT0).value());
  auto bob = store.create("bob", Role::kViewer, kT0).value();
  auto alicia = store.create("alicia", Role::kViewer, kT0).value();
  EXPECT_EQ(store.removeUser("alice"), 3u);
  for (const auto& s : alice) EXPECT_FALSE(store.find(s.token, kT0).has_value());
  EXPECT_TRUE(store.find(bob.token, kT0).has_value());
  EXPECT_TRUE(store.find(alicia.token, kT0).has_value());
  EXPECT_EQ(store.removeUser("alice"), 0u);
  EXPECT_EQ(store.size(), 2u);
}

TEST(ManagementSessions, CreatingBeyondTheLimitEvictsTheLeastRecentlyUsed) {
  SessionStore store(SessionOptions{30 * kMinute, 720 * kMinute, 3});
  auto a = store.create("a", Role::kViewer, kT0).value();
  auto b = store.create("b", Role::kViewer, kT0 + kSecond).value();
  auto c = store.create("c", Role::kViewer, kT0 + 2 * kSecond).value();
  // a is the oldest created but used since: b is now the least recently used.
  ASSERT_TRUE(store.find(a.token, kT0 + 3 * kSecond).has_value());
  auto d = store.create("d", Role::kViewer, kT0 + 4 * kSecond).value();
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.find(b.token, kT0 + 5 * kSecond).has_value());
  EXPECT_TRUE(store.find(a.token, kT0 + 5 * kSecond).has_value());
  EXPECT_TRUE(store.find(c.token, kT0 + 5 * kSecond).has_value());
  EXPECT_TRUE(store.find(d.token, kT0 + 5 * kSecond).has_value());
  // Now a, c, d were used in that order: a goes next.
  auto e = store.create("e", Role::kViewer, kT0 + 6 * kSecond).value();
  EXPECT_FALSE(store.find(a.token, kT0 + 7 * kSecond).has_value());
  EXPECT_TRUE(store.find(e.token, kT0 + 7 * kSecond).has_value());
}

TEST(ManagementSessions, ExpiredSessionsMakeRoomBeforeLiveOnesAreEvicted) {
  SessionStore store(SessionOptions{30 * kMinute, 60 * kMinute, 2});
  auto old = store.create("old", Role::kViewer, kT0).value();
  ASSERT_TRUE(store.find(old.token, kT0 + 29 * kMinute).has_value());
  auto live = store.create("live", Role::kViewer, kT0 + 55 * kMinute).value();
  // The old session is the most recently used, but past its absolute timeout at +60 min: it
  // makes room, not the live one that the LRU order alone would pick.
  ASSERT_TRUE(store.find(old.token, kT0 + 58 * kMinute).has_value());
  auto fresh = store.create("fresh", Role::kViewer, kT0 + 60 * kMinute).value();
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.find(live.token, kT0 + 60 * kMinute).has_value());
  EXPECT_TRUE(store.find(fresh.token, kT0 + 60 * kMinute).has_value());
  EXPECT_FALSE(store.find(old.token, kT0 + 60 * kMinute).has_value());
}

TEST(ManagementSessions, ChecksTheCsrfToken) {
  SessionStore store;
  auto created = store.create("alice", Role::kAdmin, kT0).value();
  auto session = store.find(created.token, kT0).value();
  EXPECT_TRUE(SessionStore::checkCsrf(session, created.csrfToken));
  EXPECT_FALSE(SessionStore::checkCsrf(session, ""));
  EXPECT_FALSE(SessionStore::checkCsrf(session, created.token));
  EXPECT_FALSE(SessionStore::checkCsrf(session, created.csrfToken.substr(0, 42)));
  EXPECT_FALSE(SessionStore::checkCsrf(session, created.csrfToken + "A"));
  std::string altered = created.csrfToken;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(SessionStore::checkCsrf(session, altered));
  // Another session's CSRF token does not pass for this one.
  auto other = store.create("alice", Role::kAdmin, kT0).value();
  EXPECT_FALSE(SessionStore::checkCsrf(session, other.csrfToken));
  EXPECT_FALSE(SessionStore::checkCsrf(Session{}, ""));
}

}  // namespace
}  // namespace spindle::web::management
