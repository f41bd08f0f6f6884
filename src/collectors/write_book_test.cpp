#include "collectors/write_book.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors {
namespace {

struct Recorder {
  std::vector<std::string> answers;
  WriteBook<int>::Done done(const std::string& name) {
    return [this, name](Status s) {
      answers.push_back(name + (s ? ": ok" : ": " + s.error().message()));
    };
  }
};

// The latest value per target waits for the machine; an older one still waiting is replaced.
TEST(WriteBook, KeepsTheLatestValuePerTargetForTheNextConnect) {
  WriteBook<int> book;
  Recorder r;
  book.want("a", 1, r.done("a1"));
  book.want("a", 2, r.done("a2"));
  book.want("b", 7, nullptr);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0], "a1: replaced by a newer value before it was written");
  auto sent = book.toSend();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].key, "a");
  EXPECT_EQ(sent[0].request, 2);
  ASSERT_TRUE(sent[0].done);
  EXPECT_FALSE(sent[1].done);
  // After the next reconnect every value goes again, without anyone waiting on it.
  auto again = book.toSend();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_FALSE(again[0].done);
  EXPECT_EQ(book.size(), 2u);
}

// A write lost with its connection waits again; a refused one is forgotten; stop answers all.
TEST(WriteBook, LostRefusedAndStopped) {
  WriteBook<int> book;
  Recorder r;
  book.want("a", 1, nullptr);
  book.resend("a", r.done("lost"));
  EXPECT_TRUE(r.answers.empty());
  auto sent = book.toSend();
  ASSERT_TRUE(sent[0].done);
  sent[0].done(okStatus());
  EXPECT_EQ(r.answers.back(), "lost: ok");

  book.want("a", 2, r.done("newer"));
  book.resend("a", r.done("older"));  // its value will never be written
  EXPECT_EQ(r.answers.back(), "older: replaced by a newer value before it was written");
  book.resend("gone", r.done("unknown"));
  EXPECT_NE(r.answers.back().find("unknown: the connection was lost"), std::string::npos);

  book.want("c", 3, nullptr);
  book.refused("c");
  EXPECT_EQ(book.size(), 1u);  // "a" remains; "c" is not written again
  book.fail("the collector stopped");
  EXPECT_EQ(r.answers.back(), "newer: the collector stopped");
  book.fail("again");
  EXPECT_EQ(r.answers.back(), "newer: the collector stopped");  // answered once
}

}  // namespace
}  // namespace spindle::collectors
