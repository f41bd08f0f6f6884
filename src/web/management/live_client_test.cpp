#include "web/management/live_client.hpp"

#include <gtest/gtest.h>

namespace spindle::web::management {
namespace {

/// A browser that never reads: its first chunk's write never completes.
struct StuckBrowser : Responder {
  void reply(unsigned, std::string, std::string) override {}
  void startStream(std::string type) override { streamType = std::move(type); }
  void sendChunk(std::string data, std::function<void(bool)> done) override {
    sent += data;
    pending.push_back(std::move(done));  // never called: the socket is full
  }
  void endStream() override { ended = true; }
  Executor executor() override { throw std::logic_error("not used"); }
  std::string streamType;
  std::string sent;
  std::vector<std::function<void(bool)>> pending;
  bool ended = false;
};

TEST(ManagementLiveClient, ABrowserThatDoesNotReadIsDroppedAtTheBound) {
  auto browser = std::make_shared<StuckBrowser>();
  auto client = std::make_shared<LiveClient>(browser, "", 4096);
  client->start();
  EXPECT_EQ(browser->streamType, "text/event-stream; charset=utf-8");
  const std::string data(1000, 'x');
  int accepted = 0;
  while (client->push("machines", data)) ++accepted;
  // The retry line is in flight; about four 1 KB events fit in 4 KiB behind it.
  EXPECT_GE(accepted, 3);
  EXPECT_LE(accepted, 4);
  EXPECT_TRUE(client->dropped());
  EXPECT_FALSE(client->open());
  EXPECT_TRUE(browser->ended);
  EXPECT_FALSE(client->push("machines", "{}"));
  EXPECT_EQ(browser->pending.size(), 1u) << "one write at a time";
}

TEST(ManagementLiveClient, AReadingBrowserGetsEveryEventInOrder) {
  auto browser = std::make_shared<StuckBrowser>();
  auto client = std::make_shared<LiveClient>(browser, "m1", 4096);
  client->start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(client->push("values", std::to_string(i))) << i;
    // The browser reads: every write completes.
    while (!browser->pending.empty()) {
      auto done = std::move(browser->pending.front());
      browser->pending.erase(browser->pending.begin());
      done(true);
    }
  }
  EXPECT_FALSE(client->dropped());
  std::string expected = "retry: 2000\n\n";
  for (int i = 0; i < 20; ++i) expected += "event: values\ndata: " + std::to_string(i) + "\n\n";
  EXPECT_EQ(browser->sent, expected);
  // A failed write (the browser went away) ends the stream.
  client->push("values", "x");
  browser->pending.front()(false);
  EXPECT_FALSE(client->open());
  EXPECT_EQ(client->machine(), "m1");
}

}  // namespace
}  // namespace spindle::web::management
